//! Checks on the pack text a clinician reads: reports, CDS cards and FHIR resources show rule
//! reasons, sources, programme sources and the pack's identity verbatim, so each must be one
//! short line of plain text that cannot break the layout it is shown in.

use super::PackProblemKind;
use std::fmt::Write as _;

/// The first character of `s` that may not appear in one line of pack text, if any.
fn first_forbidden(s: &str) -> Option<char> {
    s.chars().find(|c| is_forbidden(*c))
}

/// Control characters (C0, DEL and C1, which include line feed, carriage return, tab and
/// next line), the Unicode line and paragraph separators, and the bidirectional-text
/// controls that make text display in a different order from the one it is stored in.
pub(crate) fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// What a forbidden character is, in words.
fn describe(c: char) -> &'static str {
    match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{2028}' => "a line separator",
        '\u{2029}' => "a paragraph separator",
        c if c.is_control() => "a control character",
        _ => "a bidirectional-text control",
    }
}

/// The problems with one rendered text field: `field` is its name as written in the file
/// (`reason`, `source`, ...). The messages name the field and the offending character's code
/// point, never the text itself.
pub(crate) fn line_problems(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Vec<(PackProblemKind, String)> {
    let mut out = Vec::new();
    if let Some(c) = first_forbidden(value) {
        out.push((
            PackProblemKind::NotOneLine,
            format!(
                "`{field}` must be one line of plain text, but contains {} (U+{:04X})",
                describe(c),
                u32::from(c)
            ),
        ));
    }
    let n = value.chars().count();
    if n > max_chars {
        out.push((
            PackProblemKind::TooLong,
            format!("`{field}` is {n} characters long, at most {max_chars} are allowed"),
        ));
    }
    out
}

/// `s` with every forbidden character written as an escape (`\u{a}`), so that a problem
/// message stays on one line whatever a name it quotes contains.
pub(crate) fn one_line(s: String) -> String {
    if first_forbidden(&s).is_none() {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_forbidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_text_passes_and_each_forbidden_kind_is_named() {
        assert!(line_problems("reason", "Plain text: 24/7, <ok> & *fine*.", 300).is_empty());
        for (text, what) in [
            ("a\nb", "a line break (U+000A)"),
            ("a\rb", "a carriage return (U+000D)"),
            ("a\tb", "a tab (U+0009)"),
            ("a\u{85}b", "a control character (U+0085)"),
            ("a\u{7f}b", "a control character (U+007F)"),
            ("a\u{2028}b", "a line separator (U+2028)"),
            ("a\u{2029}b", "a paragraph separator (U+2029)"),
            ("a\u{202e}b", "a bidirectional-text control (U+202E)"),
        ] {
            let p = line_problems("reason", text, 300);
            assert_eq!(
                p,
                [(
                    PackProblemKind::NotOneLine,
                    format!("`reason` must be one line of plain text, but contains {what}")
                )]
            );
        }
        assert_eq!(
            line_problems("source", &"é".repeat(301), 300),
            [(
                PackProblemKind::TooLong,
                "`source` is 301 characters long, at most 300 are allowed".to_owned()
            )]
        );
        assert!(line_problems("source", &"é".repeat(300), 300).is_empty());
    }

    #[test]
    fn one_line_escapes_forbidden_characters_only() {
        assert_eq!(one_line("a\nb\u{2028}c é".into()), "a\\u{a}b\\u{2028}c é");
        assert_eq!(one_line("plain".into()), "plain");
    }
}
