//! Small text helpers shared by the parser, the engine and every door.

/// Normalises Unicode whitespace: NBSP, thin spaces and tabs become a plain space, runs of
/// spaces collapse to one, zero-width characters and the BOM vanish, and each line is trimmed.
/// Newlines are kept because the parser reads layout from them.
pub fn normalize_whitespace(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for line in input.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        let mut pending_space = false;
        let start = out.len();
        for c in line.chars() {
            match c {
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
                c if c.is_whitespace() => pending_space = true,
                c if c.is_control() => pending_space = true,
                c => {
                    if pending_space && out.len() > start {
                        out.push(' ');
                    }
                    pending_space = false;
                    out.push(c);
                }
            }
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// Collapses every whitespace run (including newlines) to one space.
pub fn squash(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A layout- and punctuation-blind key: lowercase letters and digits only. Two copies of the
/// same paragraph that differ only in NBSPs, quotes or spacing share it.
pub fn fingerprint(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Converts a byte offset into `s` to a Unicode character offset.
pub fn char_offset(s: &str, byte: usize) -> usize {
    s[..byte.min(s.len())].chars().count()
}

/// Cuts `s` to at most `max` characters on a word boundary where one is close, appending `…`
/// when anything was cut. The result never exceeds `max` characters.
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = s.chars().take(max - 1).collect();
    let cut = match keep.rfind(' ') {
        Some(i) if i * 2 > keep.len() => &keep[..i],
        _ => &keep[..],
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ', '-']))
}

/// A short stable hex id for a string (first 8 bytes of its SHA-256).
pub fn short_hash(s: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(s.as_bytes());
    digest[..5].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nbsp_and_runs_collapse() {
        assert_eq!(
            normalize_whitespace("a\u{a0}\u{a0} b \n  c\u{202f}d  "),
            "a b\nc d"
        );
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate_words("one two three four", 10), "one two…");
        assert_eq!(truncate_words("short", 10), "short");
    }

    proptest! {
        #[test]
        fn truncate_never_exceeds(s in "\\PC{0,300}", max in 1usize..120) {
            prop_assert!(truncate_words(&s, max).chars().count() <= max);
        }

        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,200}") {
            let once = normalize_whitespace(&s);
            prop_assert_eq!(normalize_whitespace(&once), once.clone());
            let nbsp = char::from_u32(0xa0).unwrap();
            prop_assert!(!once.contains(nbsp));
            prop_assert!(!once.contains("  "));
        }
    }
}
