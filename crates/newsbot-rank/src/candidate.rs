//! One scored candidate passage: what every stage after retrieval reads and reorders.

use newsbot_index::Passage;

use super::score::ScoreParts;

/// One scored candidate, with its highlights filled in.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub passage: Passage,
    /// Paragraph number within its article (0 is the lead).
    pub para: u64,
    pub parts: ScoreParts,
    pub coverage: f32,
    /// Question-passage cosine, when the model is on and the passage is embedded.
    pub cos: Option<f32>,
    /// The cross-encoder's logit, when the candidate was among those reranked.
    pub rerank: Option<f32>,
}

impl Candidate {
    pub fn score(&self) -> f32 {
        self.parts.total()
    }
}
