//! Confidence: whether the ranked passages answer the question, are only close, or miss.
//!
//! With a model, the decision is one number: the top passage's question similarity plus a
//! share of its lexical coverage. Similarity tells an in-corpus question from one about
//! something else (a Paris weather question shares one word with an article, not its
//! meaning); coverage tells a passage that says the asked-for words from one that is only
//! on the subject. Without a model it is coverage alone, as before the model existed.
//! The thresholds are fitted, see `Tuning::sure`.

use serde::Serialize;

use super::candidate::Candidate;
use super::tuning::Tuning;

/// How sure the engine is that the top passage answers the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The top passage answers it.
    Sure,
    /// The best passage is shown under the `closest_match` label: near, but in doubt.
    Closest,
    /// Nothing answers it: the no-answer note instead.
    None,
}

/// What the decision reads about a ranked reply.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// Share of the question's weight the top passage or its article says.
    pub coverage: f32,
    /// Cosine between question and top passage; `None` without a model, or when the
    /// passage has no vector yet.
    pub cos: Option<f32>,
    /// The best cosine of any candidate: whether anything in the corpus is about this.
    pub best_cos: f32,
    /// Share of the question's content words the corpus holds at all. A question about
    /// the weather in Paris has words no article uses.
    pub known: f32,
    /// The top passage's lexical score (its relevance less the semantic part).
    pub lexical: f32,
    /// The best cross-encoder logit among the reranked candidates; `None` when the
    /// reranker is off or did not run.
    pub logit: Option<f32>,
}

/// What the decision reads of ranked `candidates`: the top one's evidence and the best
/// cosine of all. `known` is the share of the question's words the corpus holds.
pub fn features(candidates: &[Candidate], known: f32) -> Option<Features> {
    let top = candidates.first()?;
    Some(Features {
        coverage: top.coverage,
        cos: top.cos,
        best_cos: candidates.iter().filter_map(|c| c.cos).fold(0.0, f32::max),
        known,
        lexical: top.parts.relevance() - top.parts.semantic,
        logit: candidates.iter().filter_map(|c| c.rerank).reduce(f32::max),
    })
}

/// The fitted decision model's score: the log-odds that the top passage answers, from a
/// logistic regression over [`Features`] (weights in [`Tuning`]).
pub fn log_odds(f: &Features, cos: f32, t: &Tuning) -> f32 {
    if let Some(logit) = f.logit {
        let d = &t.rerank_decision;
        return d.bias
            + d.cos * cos
            + d.best_cos * f.best_cos
            + d.coverage * f.coverage
            + d.known * f.known
            + d.lexical * f.lexical
            + d.logit * logit;
    }
    t.decide_bias
        + t.decide_cos * cos
        + t.decide_best_cos * f.best_cos
        + t.decide_coverage * f.coverage
        + t.decide_known * f.known
        + t.decide_lexical * f.lexical
}

/// The decision score and the match it gives. A topic browse is always on topic (its query
/// is curated), so any passage is a sure match; no passage is no match. With a model the
/// score is the fitted probability that the top passage answers; without one, coverage.
pub fn decide(top: Option<Features>, browse: bool, t: &Tuning) -> (f32, Match) {
    let Some(f) = top else {
        return (0.0, Match::None);
    };
    if browse {
        return (1.0, Match::Sure);
    }
    match f.cos {
        Some(cos) => {
            let p = 1.0 / (1.0 + (-log_odds(&f, cos, t)).exp());
            let (sure, closest) = match f.logit {
                Some(_) => (t.rerank_decision.sure, t.rerank_decision.closest),
                None => (t.sure, t.closest),
            };
            let m = if p >= sure {
                Match::Sure
            } else if p >= closest {
                Match::Closest
            } else {
                Match::None
            };
            (p, m)
        }
        None if f.coverage >= t.min_coverage => (f.coverage, Match::Sure),
        None => (f.coverage, Match::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(coverage: f32, cos: Option<f32>) -> Option<Features> {
        Some(Features {
            coverage,
            cos,
            best_cos: cos.unwrap_or(0.0),
            known: 1.0,
            lexical: 2.0 * coverage,
            logit: None,
        })
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
    fn semantic_decision_has_three_bands_that_rise_with_the_evidence() {
        let t = Tuning::default();
        // A close passage that says the question's words is sure; a far one saying none of
        // them is no match; in between is the closest-match band.
        assert_eq!(decide(top(1.0, Some(0.8)), false, &t).1, Match::Sure);
        assert_eq!(decide(top(0.0, Some(0.05)), false, &t).1, Match::None);
        let mut seen_closest = false;
        let mut last = 0.0;
        for i in 0..=100 {
            let x = i as f32 / 100.0;
            let (p, m) = decide(top(x, Some(x)), false, &t);
            assert!(p >= last, "the score never falls as evidence grows");
            last = p;
            seen_closest |= m == Match::Closest;
            assert_eq!(m == Match::Sure, p >= t.sure);
        }
        assert!(seen_closest);
    }

    #[test]
    fn unknown_words_lower_the_score() {
        let t = Tuning::default();
        let known = top(0.5, Some(0.5)).unwrap();
        let unknown = Features {
            known: 0.3,
            ..known
        };
        assert!(decide(Some(unknown), false, &t).0 < decide(Some(known), false, &t).0);
    }
}

#[cfg(test)]
mod rerank_tests {
    use super::*;

    #[test]
    fn with_a_logit_the_rerank_weights_decide() {
        let mut t = Tuning::default();
        t.rerank_decision.logit = 1.0;
        let f = Features {
            coverage: 0.5,
            cos: Some(0.5),
            best_cos: 0.5,
            known: 1.0,
            lexical: 1.0,
            logit: None,
        };
        let high = Features {
            logit: Some(8.0),
            ..f
        };
        let low = Features {
            logit: Some(-8.0),
            ..f
        };
        assert_eq!(decide(Some(high), false, &t).1, Match::Sure);
        assert_eq!(decide(Some(low), false, &t).1, Match::None);
        // Without a logit the decision is the one without the reranker.
        let p = 1.0 / (1.0 + (-log_odds(&f, 0.5, &t)).exp());
        assert_eq!(decide(Some(f), false, &t).0, p);
    }
}
