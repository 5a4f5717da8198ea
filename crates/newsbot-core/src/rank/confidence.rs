//! Confidence: whether the ranked passages answer the question, are only close, or miss.
//!
//! With a model, the decision is one number: the top passage's question similarity plus a
//! share of its lexical coverage. Similarity tells an in-corpus question from one about
//! something else (a Paris weather question shares one word with an article, not its
//! meaning); coverage tells a passage that says the asked-for words from one that is only
//! on the subject. Without a model it is coverage alone, as before the model existed.
//! The thresholds are fitted, see `Tuning::sure`.

use crate::reply::Match;

use super::tuning::Tuning;

/// What the decision reads about the top candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Top {
    /// Share of the question's weight the passage or its article says.
    pub coverage: f32,
    /// Cosine between question and passage; `None` when there is no model, or the passage
    /// has no vector yet.
    pub cos: Option<f32>,
}

/// The decision score and the match it gives. A topic browse is always on topic (its query
/// is curated), so any passage is a sure match; no passage is no match.
pub fn decide(top: Option<Top>, browse: bool, t: &Tuning) -> (f32, Match) {
    let Some(top) = top else {
        return (0.0, Match::None);
    };
    if browse {
        return (1.0, Match::Sure);
    }
    match top.cos {
        Some(cos) => {
            let z = cos + t.coverage_mix * top.coverage;
            let m = if z >= t.sure {
                Match::Sure
            } else if z >= t.closest {
                Match::Closest
            } else {
                Match::None
            };
            (z, m)
        }
        None if top.coverage >= t.min_coverage => (top.coverage, Match::Sure),
        None => (top.coverage, Match::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(coverage: f32, cos: Option<f32>) -> Option<Top> {
        Some(Top { coverage, cos })
    }

    #[test]
    fn no_candidate_is_no_match_and_browse_is_sure() {
        let t = Tuning::default();
        assert_eq!(decide(None, false, &t), (0.0, Match::None));
        assert_eq!(decide(None, true, &t), (0.0, Match::None));
        assert_eq!(decide(top(0.1, Some(0.0)), true, &t), (1.0, Match::Sure));
    }

    #[test]
    fn lexical_decision_is_the_coverage_threshold() {
        let t = Tuning::default();
        assert_eq!(decide(top(t.min_coverage, None), false, &t).1, Match::Sure);
        assert_eq!(
            decide(top(t.min_coverage - 0.01, None), false, &t).1,
            Match::None
        );
    }

    #[test]
    fn semantic_decision_has_three_bands() {
        let t = Tuning::default();
        let at = |z: f32| decide(top(0.0, Some(z)), false, &t).1;
        assert_eq!(at(t.sure), Match::Sure);
        assert_eq!(at(t.sure - 0.01), Match::Closest);
        assert_eq!(at(t.closest), Match::Closest);
        assert_eq!(at(t.closest - 0.01), Match::None);
        // Coverage lifts a passage that says the asked-for words.
        let lifted = decide(top(1.0, Some(t.sure - t.coverage_mix)), false, &t);
        assert_eq!(lifted.1, Match::Sure);
        assert!((lifted.0 - t.sure).abs() < 1e-6);
    }
}
