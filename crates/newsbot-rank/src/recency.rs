//! Recency: the newer of two near-equal passages first, and recent articles first for
//! questions that ask for the latest news.
//!
//! Only dated articles take part. A passage without a date is never moved past another on
//! account of age, and questions over an undated archive are planned and ranked exactly as
//! they would be without this module.

use std::sync::LazyLock;

use regex::Regex;

use super::candidate::Candidate;
use super::tuning::Tuning;
use newsbot_ingest::dates;

/// Words that ask for the newest news rather than naming what it is about.
static LATEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:the\s+)?(?:latest|most\s+recent|newest|this\s+week(?:'s|’s)?|today(?:'s|’s)?)\b",
    )
    .expect("latest regex")
});

/// Whether a question asks for the latest news.
pub fn asks_for_latest(text: &str) -> bool {
    LATEST.is_match(text)
}

/// The question without its "latest" words: they say when, not what, so no passage
/// should have to contain them.
pub fn without_latest_words(text: &str) -> String {
    newsbot_ingest::text::squash(&LATEST.replace_all(text, " "))
}

fn when(c: &Candidate) -> Option<i64> {
    c.passage.date.as_deref().and_then(dates::timestamp)
}

/// Reorders candidates ranked best first. With `latest`, dated candidates gain up to
/// `Tuning::recency_bonus` by age, as their `ScoreParts::recency`; then any passage within
/// `Tuning::recency_margin` of the one above it and newer moves above it.
pub fn order(ranked: &mut [Candidate], latest: bool, t: &Tuning) {
    let times: Vec<Option<i64>> = ranked.iter().map(when).collect();
    if times.iter().all(Option::is_none) {
        return;
    }
    if latest {
        if let Some(newest) = times.iter().flatten().max().copied() {
            for (c, when) in ranked.iter_mut().zip(&times) {
                if let Some(when) = when {
                    let days = (newest - when) as f32 / 86_400.0;
                    c.parts.recency =
                        t.recency_bonus * 0.5f32.powf(days / t.recency_half_life_days);
                    c.passage.score = c.parts.total();
                }
            }
            // Stable: equal scores keep the order retrieval and scoring gave them.
            ranked.sort_by(|a, b| b.passage.score.total_cmp(&a.passage.score));
        }
    }
    // Insertion pass: each passage rises past older ones it (nearly) ties with.
    for i in 1..ranked.len() {
        let mut j = i;
        while j > 0 {
            let (above, below) = (&ranked[j - 1], &ranked[j]);
            let tie = above.passage.score - below.passage.score <= t.recency_margin;
            let newer = matches!((when(above), when(below)), (Some(a), Some(b)) if b > a);
            if !(tie && newer) {
                break;
            }
            ranked.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::ScoreParts;
    use newsbot_index::Passage;

    fn cand(id: &str, score: f32, date: Option<&str>) -> Candidate {
        Candidate {
            passage: Passage {
                rank: 0,
                article_id: id.into(),
                headline: id.into(),
                paragraph: id.into(),
                section: None,
                sources: Vec::new(),
                score,
                highlights: Vec::new(),
                date: date.map(str::to_string),
                url: None,
                rerank: None,
            },
            para: 0,
            parts: ScoreParts {
                paragraph: score,
                ..ScoreParts::default()
            },
            coverage: 1.0,
            cos: None,
            rerank: None,
        }
    }

    fn ids(c: &[Candidate]) -> Vec<&str> {
        c.iter().map(|c| c.passage.article_id.as_str()).collect()
    }

    #[test]
    fn near_ties_go_to_the_newer_and_clear_wins_stay() {
        let mut c = vec![
            cand("old", 2.0, Some("2024-01-01")),
            cand("new", 1.99, Some("2025-01-01")),
            cand("undated", 1.98, None),
            cand("newest-but-weak", 1.0, Some("2026-01-01")),
        ];
        order(&mut c, false, &Tuning::default());
        assert_eq!(ids(&c), ["new", "old", "undated", "newest-but-weak"]);
    }

    #[test]
    fn undated_candidates_keep_their_order() {
        let mut c = vec![
            cand("a", 1.0, None),
            cand("b", 1.0, None),
            cand("c", 0.99, None),
        ];
        order(&mut c, true, &Tuning::default());
        assert_eq!(ids(&c), ["a", "b", "c"]);
    }

    #[test]
    fn latest_questions_prefer_recent_articles() {
        let mut c = vec![
            cand("last-year", 1.5, Some("2024-06-01")),
            cand("this-week", 1.3, Some("2025-06-01")),
            cand("undated", 1.4, None),
        ];
        order(&mut c, true, &Tuning::default());
        assert_eq!(ids(&c), ["this-week", "last-year", "undated"]);
        assert!(asks_for_latest("What is the latest on Coupang?"));
        assert!(asks_for_latest("most recent outage"));
        assert!(!asks_for_latest("who was fined later?"));
        assert_eq!(
            without_latest_words("What is the latest on Coupang?"),
            "What is on Coupang?"
        );
    }
}
