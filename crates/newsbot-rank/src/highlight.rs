//! Highlights: which parts of a passage to show in bold, as character offsets.

use std::collections::HashSet;

use regex::Regex;

use newsbot_index::analysis;
use newsbot_ingest::text::char_offset;

/// Byte spans of `paragraph` worth highlighting: words whose analysed term is in `terms`,
/// and matches of the topic's patterns.
pub fn spans(paragraph: &str, terms: &HashSet<&str>, patterns: &[Regex]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = analysis::tokens(paragraph)
        .into_iter()
        .filter(|t| terms.contains(&*t.term))
        .map(|t| (t.start, t.end))
        .collect();
    for re in patterns {
        spans.extend(re.find_iter(paragraph).map(|m| (m.start(), m.end())));
    }
    spans
}

/// Sorts byte spans, merges overlapping ones and ones separated only by spaces, and converts
/// them to `[start, end)` character offsets.
pub fn merge(paragraph: &str, mut spans: Vec<(usize, usize)>) -> Vec<[usize; 2]> {
    spans.retain(|(s, e)| s < e && *e <= paragraph.len());
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 || paragraph[last.1..s].trim().is_empty() => {
                last.1 = last.1.max(e)
            }
            _ => merged.push((s, e)),
        }
    }
    merged
        .into_iter()
        .map(|(s, e)| [char_offset(paragraph, s), char_offset(paragraph, e)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_a_space_apart_merge_into_one_character_span() {
        let p = "Café fined Meta in Dublin";
        let terms: HashSet<&str> = ["fine", "meta"].into_iter().collect();
        assert_eq!(merge(p, spans(p, &terms, &[])), [[5, 15]]);
        let dublin = Regex::new("Dub").unwrap();
        assert_eq!(merge(p, spans(p, &HashSet::new(), &[dublin])), [[19, 22]]);
    }

    proptest! {
        #[test]
        fn highlights_are_in_bounds(p in "\\PC{0,300}", w in "[a-z]{1,8}") {
            let terms: HashSet<&str> = [w.as_str()].into_iter().collect();
            let n = p.chars().count();
            for [s, e] in merge(&p, spans(&p, &terms, &[])) {
                prop_assert!(s < e && e <= n);
            }
        }
    }
}
