//! Confidence: whether the ranked passages answer the question at all.

use super::tuning::Tuning;

/// The reply's confidence: the top candidate's coverage (the share of the question's weight
/// it or its article says), 0 with no candidate. A topic browse is always on topic, since its
/// query is curated, so any match is full confidence.
pub fn confidence(top_coverage: Option<f32>, browse: bool) -> f32 {
    match top_coverage {
        None => 0.0,
        Some(_) if browse => 1.0,
        Some(c) => c,
    }
}

/// Whether a reply with this confidence counts as an answer.
pub fn answered(has_passages: bool, confidence: f32, t: &Tuning) -> bool {
    has_passages && confidence >= t.min_coverage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_candidate_is_no_confidence() {
        assert_eq!(confidence(None, false), 0.0);
        assert_eq!(confidence(None, true), 0.0);
        assert!(!answered(false, 1.0, &Tuning::default()));
    }

    #[test]
    fn browse_is_confident_and_questions_use_coverage() {
        assert_eq!(confidence(Some(0.1), true), 1.0);
        assert_eq!(confidence(Some(0.3), false), 0.3);
    }

    #[test]
    fn threshold_decides_answered() {
        let t = Tuning::default();
        assert!(answered(true, t.min_coverage, &t));
        assert!(!answered(true, t.min_coverage - 0.01, &t));
        let strict = Tuning {
            min_coverage: 0.9,
            ..t
        };
        assert!(!answered(true, 0.5, &strict));
    }
}
