//! Corrections for words the index has never seen: the base word of an agent noun
//! ("scammers" → scam), else the closest spelling among the index's terms ("coupnag" →
//! coupang). A correction is a real index term, so it ranks and highlights like the word.

use tantivy::query::{DfaWrapper, FuzzyTermQuery};
use tantivy::Term;

use super::term_stats::TermStats;
use super::tuning::Tuning;

/// The closest index term to an unknown word (a typo such as "coupnag"), if one is within
/// edit distance 1 (2 for long words). Ties go to the more frequent term.
pub fn correct(stats: &TermStats, term: &str, t: &Tuning) -> Option<String> {
    let len = term.chars().count();
    if len < t.typo_min_chars || !term.chars().all(|c| c.is_alphabetic()) {
        return None;
    }
    let distance = if len >= t.typo_two_edits_chars {
        t.typo_edits_long
    } else {
        t.typo_edits
    };
    let body = stats.fields.body;
    let automaton: DfaWrapper =
        FuzzyTermQuery::new(Term::from_field_text(body, term), distance, true)
            .automaton()
            .ok()?;
    let mut best: Option<(usize, u64, String)> = None;
    for segment in stats.searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(body) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let d = levenshtein(term, candidate);
            let df = stream.value().doc_freq as u64;
            let better = match &best {
                None => true,
                Some((bd, bdf, _)) => d < *bd || (d == *bd && df > *bdf),
            };
            if better {
                best = Some((d, df, candidate.to_string()));
            }
        }
    }
    best.map(|(_, _, t)| t)
}

/// The word an unknown agent noun is made from, if the index knows it: "scammer" → "scam",
/// "hacker" → "hack", "fraudster" → "fraud". Tried before typo correction, which would turn
/// such words into unrelated near-spellings.
pub fn agent_base(stats: &TermStats, term: &str, t: &Tuning) -> Option<String> {
    agent_candidates(term, t.agent_suffixes)
        .into_iter()
        .find(|c| stats.body_freq(c) > 0)
}

/// The words an agent noun may be made from, most likely first.
fn agent_candidates(term: &str, suffixes: &[&str]) -> Vec<String> {
    let Some(stem) = suffixes.iter().find_map(|suffix| term.strip_suffix(suffix)) else {
        return Vec::new();
    };
    let mut candidates = vec![stem.to_string()];
    let chars: Vec<char> = stem.chars().collect();
    if chars.len() >= 2 && chars[chars.len() - 1] == chars[chars.len() - 2] {
        candidates.push(chars[..chars.len() - 1].iter().collect());
    }
    candidates.push(format!("{stem}e"));
    candidates.retain(|c| c.chars().count() >= 3);
    candidates
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("coupnag", "coupang"), 2);
        assert_eq!(levenshtein("fidrek", "fidrec"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }

    #[test]
    fn agent_nouns_lose_their_suffix() {
        let suffixes = Tuning::default().agent_suffixes;
        assert_eq!(
            agent_candidates("scammer", suffixes),
            ["scamm", "scam", "scamme"]
        );
        assert_eq!(agent_candidates("fraudster", suffixes), ["fraud", "fraude"]);
        assert!(agent_candidates("fine", suffixes).is_empty());
    }
}
