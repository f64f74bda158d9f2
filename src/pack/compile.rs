//! Compiling a rule's `when` condition from its written form ([`CondDef`]) into the
//! evaluated [`Cond`]: resolving answer names, checking constants' types and ranges against
//! each answer, and reporting every problem with its key path.

use super::load::*;
use super::*;

/// Compiles one condition; problems go to `errs` with the condition's key path.
pub(super) fn compile_cond(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Cond> {
    use PackProblemKind::MalformedCondition;
    let logical = [
        c.all.is_some(),
        c.any.is_some(),
        c.any_given.is_some(),
        c.not.is_some(),
        c.at_least_n.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if c.of.is_some() && c.at_least_n.is_none() {
        errs.push(CondProblem::new(
            MalformedCondition,
            path.key("of"),
            format!("`{path}` has `of` without `at_least_n`"),
        ));
        return None;
    }
    match (&c.answer, logical) {
        (Some(_), 0) => compile_test(c, names, errs, path),
        (None, 1) => compile_logical(c, names, errs, path),
        (Some(_), _) => {
            errs.push(CondProblem::new(MalformedCondition, path.clone(), format!("`{path}` mixes an `answer` test with `all`/`any`/`any_given`/`not`/`at_least_n`; nest them instead")));
            None
        }
        (None, 0) => {
            errs.push(CondProblem::new(MalformedCondition, path.clone(), format!("`{path}` is empty: give `answer` with a test, or one of `all`, `any`, `any_given`, `not`, `at_least_n`")));
            None
        }
        (None, _) => {
            errs.push(CondProblem::new(MalformedCondition, path.clone(), format!("`{path}` has more than one of `all`, `any`, `any_given`, `not`, `at_least_n`; nest them instead")));
            None
        }
    }
}

pub(super) fn compile_list(
    list: &[CondDef],
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Box<[Cond]>> {
    if list.is_empty() {
        errs.push(CondProblem::new(
            PackProblemKind::MalformedCondition,
            path.clone(),
            format!("`{path}` is an empty list"),
        ));
        return None;
    }
    let compiled: Vec<Option<Cond>> = list
        .iter()
        .enumerate()
        .map(|(i, c)| compile_cond(c, names, errs, &path.index(i)))
        .collect();
    compiled
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map(Vec::into_boxed_slice)
}

pub(super) fn compile_logical(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Cond> {
    if let Some(list) = &c.all {
        return compile_list(list, names, errs, &path.key("all")).map(Cond::All);
    }
    if let Some(list) = &c.any {
        return compile_list(list, names, errs, &path.key("any")).map(Cond::Any);
    }
    if let Some(list) = &c.any_given {
        return compile_list(list, names, errs, &path.key("any_given")).map(Cond::AnyGiven);
    }
    if let Some(inner) = &c.not {
        return compile_cond(inner, names, errs, &path.key("not")).map(|c| Cond::Not(Box::new(c)));
    }
    let n = c.at_least_n.unwrap_or(0);
    let Some(list) = &c.of else {
        errs.push(CondProblem::new(
            PackProblemKind::MissingField,
            path.key("at_least_n"),
            format!("`{path}.at_least_n` has no `of` list"),
        ));
        return None;
    };
    if n == 0 || usize::try_from(n).map_or(true, |n| n > list.len()) {
        errs.push(CondProblem::new(
            PackProblemKind::OutOfRange,
            path.key("at_least_n"),
            format!(
                "`{path}.at_least_n` is {n}, expected 1 to {} (the length of `of`)",
                list.len()
            ),
        ));
        return None;
    }
    compile_list(list, names, errs, &path.key("of")).map(|l| Cond::AtLeast(n, l))
}

pub(super) fn resolve(name: &str, names: &Names<'_>) -> Option<(AnswerRef, AnswerKind)> {
    if let Some(id) = name.strip_prefix("rating.") {
        let i = names.ratings.iter().position(|r| r.id == id)?;
        let r = names.ratings.get(i)?;
        return Some((
            AnswerRef::Rating(u16::try_from(i).ok()?),
            AnswerKind::Number {
                min: r.min,
                max: r.max,
            },
        ));
    }
    if let Some(id) = name.strip_prefix("score.") {
        let i = names.scores.iter().position(|s| s.id == id)?;
        let s = names.scores.get(i)?;
        return Some((
            AnswerRef::Score(u16::try_from(i).ok()?),
            AnswerKind::Number {
                min: s.min,
                max: s.max,
            },
        ));
    }
    let f = Field::from_name(name)?;
    Some((AnswerRef::Field(f), f.info().kind))
}

pub(super) fn all_answer_names(names: &Names<'_>) -> Vec<String> {
    Field::ALL
        .iter()
        .map(|f| f.info().name.to_owned())
        .chain(names.ratings.iter().map(|r| format!("rating.{}", r.id)))
        .chain(names.scores.iter().map(|s| format!("score.{}", s.id)))
        .collect()
}

pub(super) fn compile_test(
    c: &CondDef,
    names: &Names<'_>,
    errs: &mut Vec<CondProblem>,
    path: &KeyPath,
) -> Option<Cond> {
    use PackProblemKind::{MalformedCondition, WrongType};
    let name = c.answer.as_deref().unwrap_or_default();
    let Some((a, kind)) = resolve(name, names) else {
        let all = all_answer_names(names);
        let s = suggest(name, all.iter().map(String::as_str));
        errs.push(CondProblem {
            kind: PackProblemKind::UnknownAnswer,
            at: path.key("answer"),
            message: format!(
                "`{path}` reads unknown answer `{name}`{}",
                hint(s.as_deref())
            ),
            suggestion: s,
        });
        return None;
    };
    let tests = [
        c.is.is_some(),
        c.in_.is_some(),
        c.at_least.is_some() || c.at_most.is_some(),
        c.answered.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if tests != 1 {
        errs.push(CondProblem::new(
            MalformedCondition,
            path.clone(),
            format!(
                "`{path}` on `{name}` needs exactly one test: `is`, `in`, `at_least`/`at_most` or `answered`"
            ),
        ));
        return None;
    }
    if let Some(v) = c.answered {
        return Some(Cond::Answered(a, v));
    }
    // The key of the test given (`is`, `in`, `at_least` or `at_most`), for a problem's place.
    let test_key = if c.is.is_some() {
        "is"
    } else if c.in_.is_some() {
        "in"
    } else if c.at_least.is_some() {
        "at_least"
    } else {
        "at_most"
    };
    match kind {
        AnswerKind::Bool => match &c.is {
            Some(Constant::Bool(b)) => Some(Cond::Bool(a, *b)),
            Some(other) => {
                errs.push(CondProblem::new(
                    WrongType,
                    path.key("is"),
                    format!(
                        "`{path}`: `{name}` is yes/no, so `is` takes true or false, not {other}"
                    ),
                ));
                None
            }
            None => {
                errs.push(CondProblem::new(
                    WrongType,
                    path.key(test_key),
                    format!(
                        "`{path}`: `{name}` is yes/no: test it with `is = true` or `is = false`"
                    ),
                ));
                None
            }
        },
        AnswerKind::Number { min, max } => {
            let num = |k: &Constant, at: KeyPath, errs: &mut Vec<CondProblem>| -> Option<u32> {
                match k {
                    Constant::Int(n) if *n >= i64::from(min) && *n <= i64::from(max) => {
                        u32::try_from(*n).ok()
                    }
                    Constant::Int(n) => {
                        errs.push(CondProblem::new(
                            PackProblemKind::OutOfRange,
                            at,
                            format!(
                                "`{path}`: constant {n} is out of range for `{name}` ({min}-{max})"
                            ),
                        ));
                        None
                    }
                    other => {
                        errs.push(CondProblem::new(
                            WrongType,
                            at,
                            format!("`{path}`: `{name}` is a number ({min}-{max}), not {other}"),
                        ));
                        None
                    }
                }
            };
            if let Some(k) = &c.is {
                let v = num(k, path.key("is"), errs)?;
                return Some(Cond::Range(a, v, v));
            }
            if let Some(list) = &c.in_ {
                if list.is_empty() {
                    errs.push(CondProblem::new(
                        MalformedCondition,
                        path.key("in"),
                        format!("`{path}`: `in` is an empty list"),
                    ));
                    return None;
                }
                let vals: Vec<Option<u32>> = list
                    .iter()
                    .enumerate()
                    .map(|(i, k)| num(k, path.key("in").index(i), errs))
                    .collect();
                let vals = vals.into_iter().collect::<Option<Vec<_>>>()?;
                return Some(Cond::Any(
                    vals.into_iter().map(|v| Cond::Range(a, v, v)).collect(),
                ));
            }
            let lo = match &c.at_least {
                Some(k) => num(k, path.key("at_least"), errs)?,
                None => min,
            };
            let hi = match &c.at_most {
                Some(k) => num(k, path.key("at_most"), errs)?,
                None => max,
            };
            if lo > hi {
                errs.push(CondProblem::new(
                    PackProblemKind::ImpossibleCondition,
                    path.key("at_least"),
                    format!(
                        "`{path}`: `at_least` {lo} is above `at_most` {hi}, so it can never hold"
                    ),
                ));
                return None;
            }
            Some(Cond::Range(a, lo, hi))
        }
        AnswerKind::Choice(choices) => {
            let rank = |k: &Constant, at: KeyPath, errs: &mut Vec<CondProblem>| -> Option<u32> {
                match k {
                    Constant::Text(t) => match choices.iter().position(|c| c == t) {
                        Some(p) => u32::try_from(p).ok(),
                        None => {
                            let s = suggest(t, choices.iter().copied());
                            errs.push(CondProblem {
                                kind: PackProblemKind::UnknownChoice,
                                at,
                                message: format!(
                                    "`{path}`: `{t}` is not a choice of `{name}`{}; choices: {}",
                                    hint(s.as_deref()),
                                    choices.join(", ")
                                ),
                                suggestion: s,
                            });
                            None
                        }
                    },
                    other => {
                        errs.push(CondProblem::new(
                            WrongType,
                            at,
                            format!(
                                "`{path}`: `{name}` is one of {}, not {other}",
                                choices.join(", ")
                            ),
                        ));
                        None
                    }
                }
            };
            if let Some(k) = &c.is {
                let r = rank(k, path.key("is"), errs)?;
                return Some(Cond::Mask(a, 1u64 << r));
            }
            if let Some(list) = &c.in_ {
                if list.is_empty() {
                    errs.push(CondProblem::new(
                        MalformedCondition,
                        path.key("in"),
                        format!("`{path}`: `in` is an empty list"),
                    ));
                    return None;
                }
                let ranks: Vec<Option<u32>> = list
                    .iter()
                    .enumerate()
                    .map(|(i, k)| rank(k, path.key("in").index(i), errs))
                    .collect();
                let ranks = ranks.into_iter().collect::<Option<Vec<_>>>()?;
                return Some(Cond::Mask(
                    a,
                    ranks.into_iter().fold(0u64, |m, r| m | (1u64 << r)),
                ));
            }
            let top = u32::try_from(choices.len().saturating_sub(1)).unwrap_or(0);
            let lo = match &c.at_least {
                Some(k) => rank(k, path.key("at_least"), errs)?,
                None => 0,
            };
            let hi = match &c.at_most {
                Some(k) => rank(k, path.key("at_most"), errs)?,
                None => top,
            };
            if lo > hi {
                errs.push(CondProblem::new(
                    PackProblemKind::ImpossibleCondition,
                    path.key("at_least"),
                    format!("`{path}`: `at_least` is above `at_most`, so it can never hold"),
                ));
                return None;
            }
            Some(Cond::Range(a, lo, hi))
        }
    }
}
