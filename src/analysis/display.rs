//! The readable report of an [`Analysis`].

use super::{Analysis, BUDGET, GapKind};
use std::fmt;

/// A count for people: digits grouped below a million, scientific notation above.
fn big(n: u128) -> String {
    if n < 1_000_000 {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        #[allow(clippy::cast_precision_loss)] // an approximate figure for display
        let f = n as f64;
        format!("{f:.2e}")
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.space;
        writeln!(
            f,
            "Pack {}: {} rules, {} setting a floor above outpatient.",
            self.pack, self.rules, self.floor_rules
        )?;
        writeln!(
            f,
            "Space: {} answers read by rules; {} points over the rules' own spaces, {} points evaluated in all;",
            s.answers,
            big(s.per_rule_points),
            big(s.points_evaluated)
        )?;
        writeln!(
            f,
            "       they stand for a joint space of {} cut points, {} combinations of values.",
            big(s.joint_cut_points),
            big(s.joint_values)
        )?;
        writeln!(
            f,
            "(a) Every intake gets a level (outpatient unless a floor fires). Baseline rules that always fire: {}.",
            list(&self.baseline_rules)
        )?;
        writeln!(
            f,
            "(b) Monotonicity: {} violation(s).",
            self.violations.len()
        )?;
        for v in &self.violations {
            let ctx: Vec<String> = v.context.iter().map(|(a, x)| format!("{a}={x}")).collect();
            writeln!(
                f,
                "    VIOLATION {} (floor {}) in {}: fires at {}, nothing as high at {} [{}]",
                v.rule,
                v.floor,
                v.answer,
                v.from,
                v.to,
                ctx.join(", ")
            )?;
        }
        for c in &self.compensated {
            writeln!(
                f,
                "    {} is not monotone alone in {}; covered by {}",
                c.rule,
                c.answer,
                list(&c.by)
            )?;
        }
        if !self.mixed_scores.is_empty() {
            writeln!(
                f,
                "    scores with no direction (mixed ratings) under a floor: {}",
                list(&self.mixed_scores)
            )?;
        }
        writeln!(f, "(c) Dead rules: {}.", list(&self.dead))?;
        writeln!(f, "    Shadowed rules: {}.", self.shadowed.len())?;
        for sh in &self.shadowed {
            let by: Vec<String> = sh.by.iter().map(|(e, r)| format!("{e} by {r}")).collect();
            writeln!(f, "    {}: {}", sh.rule, by.join("; "))?;
        }
        writeln!(
            f,
            "(d) Floors combine by maximum, so no rule can lower another's floor (structural)."
        )?;
        for a in &self.safety {
            let vals: Vec<String> = a
                .values
                .iter()
                .map(|v| format!("{}→{}", v.value, v.guaranteed_floor))
                .collect();
            writeln!(
                f,
                "    {}{}: {}",
                a.answer,
                if a.exact { "" } else { " (lower bound)" },
                vals.join(", ")
            )?;
        }
        writeln!(f, "    Gaps: {}.", self.gaps.len())?;
        for g in &self.gaps {
            let what = match g.kind {
                GapKind::NoFloorAtWorst => {
                    "no rule sets a floor above outpatient at the worst value"
                }
                GapKind::NoRuleAtValue => "no rule reads this value",
            };
            writeln!(f, "    GAP {}={}: {what}", g.answer, g.value)?;
        }
        writeln!(
            f,
            "    Safety floors that drop: {}.",
            self.safety_floor_violations.len()
        )?;
        for v in &self.safety_floor_violations {
            writeln!(
                f,
                "    DROP {}: {}→{} but {}→{}",
                v.answer, v.from, v.from_floor, v.to, v.to_floor
            )?;
        }
        writeln!(
            f,
            "(e) Safety guarantees: the floor each high-risk value sets in every context, whatever the other answers."
        )?;
        for g in &self.guarantees {
            let sep = if g.value.starts_with(">=") { "" } else { "=" };
            let what = format!("{}{sep}{}", g.answer, g.value);
            let scope = match &g.exemption {
                Some(e) if e.narrowed => " where the exemption's `given` holds",
                _ => "",
            };
            let bound = if g.exact {
                ""
            } else {
                " (single-rule lower bound)"
            };
            if g.floor > crate::Level::Outpatient {
                writeln!(
                    f,
                    "    GUARANTEE {what}: at least {} in every context{scope}{bound} (rules: {})",
                    g.floor,
                    list(&g.rules)
                )?;
            } else if g.holds {
                writeln!(
                    f,
                    "    EXEMPT {what}: not checked (only outpatient guaranteed)"
                )?;
            } else {
                let ctx: Vec<String> = g
                    .counterexample
                    .iter()
                    .map(|(a, x)| format!("{a}={x}"))
                    .collect();
                let eg = if ctx.is_empty() && g.exact {
                    " (no context satisfies the exemption's `given`)".to_owned()
                } else if ctx.is_empty() {
                    String::new()
                } else {
                    format!(" (e.g. with {})", ctx.join(", "))
                };
                writeln!(
                    f,
                    "    FAIL {what}: only outpatient guaranteed{scope}{bound}{eg}"
                )?;
            }
            if let Some(e) = &g.exemption {
                writeln!(f, "        exemption ({}): {}", e.source, e.reason)?;
            }
        }
        for u in &self.unchecked {
            writeln!(
                f,
                "    UNCHECKED {:?} {} ({} points > budget {})",
                u.check,
                u.item,
                big(u.points),
                big(BUDGET)
            )?;
        }
        if self.is_proved_safe() {
            writeln!(
                f,
                "PROVED: monotone, every safety answer covered, every high-risk value guarantees more than outpatient in every context{}.",
                if self.guarantees.iter().any(|g| g.exemption.is_some()) {
                    " (exemptions as listed)"
                } else {
                    ""
                }
            )
        } else {
            writeln!(f, "NOT PROVED: {} problem(s).", self.problems())
        }
    }
}
