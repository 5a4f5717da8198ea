//! What `stats` shows of a running engine.

use crate::index::SearchIndex;
use crate::models::Models;
use crate::prompts::Prompts;

/// Counts a door can show (`stats`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files: usize,
    pub articles: usize,
    pub passages: usize,
    pub topics: usize,
    pub skipped_files: usize,
    /// `on (model, dims)` or `off (why)`.
    pub semantic: String,
    /// `on (model, top K)` or `off (why)`: the cross-encoder reranker.
    pub rerank: String,
    /// Distinct passage texts in the index, and how many of them have a vector.
    pub distinct_passages: usize,
    pub embedded: usize,
}

impl Stats {
    /// The counts of index `idx` answered with `prompts` and `models` (no embedding counts:
    /// those read every passage's key, see `Engine::stats_with_embeddings`).
    pub fn new(idx: &SearchIndex, prompts: &Prompts, models: &Models, rerank_k: usize) -> Stats {
        let m = &idx.manifest;
        Stats {
            files: m.files.len(),
            articles: m.articles.len(),
            passages: m.passages,
            topics: prompts.topics.len(),
            skipped_files: m.warnings.iter().filter(|w| !w.partial).count(),
            semantic: models.describe_semantic(),
            rerank: models.describe_reranker(rerank_k),
            distinct_passages: 0,
            embedded: 0,
        }
    }
}
