//! The seam between ranking and a cross-encoder.
//!
//! An [`Embedder`](newsbot_index::embedder::Embedder) turns a question and a passage into two vectors
//! separately; a cross-encoder reads them together and gives one score, slower but sharper,
//! so it reorders the few passages ranking already put on top. Core never links an ML
//! runtime: it sees a cross-encoder only through [`Reranker`], and tests use the
//! [`OverlapReranker`] stand-in. The real implementation (candle + tokenizers) lives in the
//! `newsbot-embed` crate.

use std::collections::HashSet;

use newsbot_index::embedder::EmbedError;

/// A cross-encoder: scores how well each passage answers a question.
pub trait Reranker: Send + Sync {
    /// Short model name for `stats` (e.g. `reranker-minilm-l6-squad`).
    fn name(&self) -> &str;
    /// One logit per passage, in order: higher when the passage answers the question.
    /// All passages of one question are scored in one batch.
    fn score(&self, question: &str, passages: &[&str]) -> Result<Vec<f32>, EmbedError>;
}

/// A deterministic stand-in reranker for tests: the logit is the number of distinct
/// lower-cased words of three or more letters that the question and the passage share,
/// minus one (so a passage sharing nothing scores -1, one sharing a word 0). Not for
/// production; it exists so core's tests need no ML runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct OverlapReranker;

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

impl Reranker for OverlapReranker {
    fn name(&self) -> &str {
        "overlap-test"
    }

    fn score(&self, question: &str, passages: &[&str]) -> Result<Vec<f32>, EmbedError> {
        let q = words(question);
        Ok(passages
            .iter()
            .map(|p| words(p).intersection(&q).count() as f32 - 1.0)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_counts_shared_words() {
        let r = OverlapReranker;
        let scores = r
            .score(
                "Who fined the Bank over cookies?",
                &[
                    "The regulator fined the bank.",
                    "BANK fined for COOKIES, the bank says",
                    "The team won on Sunday.",
                    "",
                ],
            )
            .unwrap();
        // "the", "fined", "bank"; those and "cookies" (case-folded, "bank" counted once);
        // "the" only; nothing.
        assert_eq!(scores, vec![2.0, 3.0, 0.0, -1.0]);
        assert_eq!(r.name(), "overlap-test");
    }

    #[test]
    fn short_words_do_not_count_and_order_is_kept() {
        let r = OverlapReranker;
        assert_eq!(
            r.score("is it on", &["is it on", "it is"]).unwrap(),
            vec![-1.0, -1.0]
        );
        assert!(r.score("anything", &[]).unwrap().is_empty());
        // Deterministic: the same input gives the same scores.
        let p = ["alpha beta gamma", "beta"];
        assert_eq!(
            r.score("alpha beta", &p).unwrap(),
            r.score("alpha beta", &p).unwrap()
        );
    }

    #[test]
    fn usable_as_a_trait_object() {
        let r: std::sync::Arc<dyn Reranker> = std::sync::Arc::new(OverlapReranker);
        let s = r.score("semiconductors", &["Semiconductors and quantum"]);
        assert_eq!(s.unwrap(), vec![0.0]);
    }
}
