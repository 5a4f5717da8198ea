//! The models an engine ranks with (the sentence-embedding model and the cross-encoder
//! reranker), each with why it is off when it is.

use std::sync::Arc;

use crate::index::IndexHandle;
use crate::reranker::Reranker;
use crate::semantic::{Semantic, SemanticError};

/// Whether a model is on, and if not, why (shown by `stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SemanticStatus {
    On,
    Off(String),
}

impl SemanticStatus {
    /// `on (what)` with a model, else `off (why)`.
    fn describe(&self, on: Option<String>) -> String {
        match (on, self) {
            (Some(what), _) => format!("on ({what})"),
            (None, SemanticStatus::Off(why)) => format!("off ({why})"),
            (None, SemanticStatus::On) => "off".into(),
        }
    }

    /// The status to keep for a model that is `present` or not: "on" without one is not.
    fn of(present: bool, status: SemanticStatus) -> SemanticStatus {
        match status {
            SemanticStatus::On if !present => SemanticStatus::Off("no model loaded".into()),
            s => s,
        }
    }
}

/// Both models; either may be off.
#[derive(Clone)]
pub struct Models {
    pub semantic: Option<Arc<Semantic>>,
    semantic_status: SemanticStatus,
    pub reranker: Option<Arc<dyn Reranker>>,
    rerank_status: SemanticStatus,
}

impl Default for Models {
    fn default() -> Models {
        let off = || SemanticStatus::Off("no model loaded".into());
        Models {
            semantic: None,
            semantic_status: off(),
            reranker: None,
            rerank_status: off(),
        }
    }
}

impl Models {
    /// Semantic ranking on (`Some`) or off, with the reason `stats` shows when off.
    pub fn set_semantic(&mut self, semantic: Option<Arc<Semantic>>, status: SemanticStatus) {
        self.semantic_status = SemanticStatus::of(semantic.is_some(), status);
        self.semantic = semantic;
    }

    /// The reranker on (`Some`) or off, with the reason `stats` shows when off.
    pub fn set_reranker(&mut self, reranker: Option<Arc<dyn Reranker>>, status: SemanticStatus) {
        self.rerank_status = SemanticStatus::of(reranker.is_some(), status);
        self.reranker = reranker;
    }

    /// `on (model, dims)` or `off (why)`.
    pub fn describe_semantic(&self) -> String {
        let on = (self.semantic.as_ref()).map(|s| format!("{}, {} dims", s.model(), s.dims()));
        self.semantic_status.describe(on)
    }

    /// `on (model, top K)` or `off (why)`.
    pub fn describe_reranker(&self, k: usize) -> String {
        let on = (self.reranker.as_ref()).map(|r| format!("{}, top {k}", r.name()));
        self.rerank_status.describe(on)
    }

    /// Embeds every passage of `index` that has no vector yet, calling `progress` with
    /// (done, total); see [`crate::semantic::embed_pending`]. 0 without a model.
    pub fn embed_pending(
        &self,
        index: &IndexHandle,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize, SemanticError> {
        match &self.semantic {
            Some(sem) => crate::semantic::embed_pending(index, sem, progress),
            None => Ok(0),
        }
    }

    /// (embedded, distinct) passage texts of `index`.
    pub fn coverage(&self, index: &IndexHandle) -> (usize, usize) {
        crate::semantic::coverage(index, self.semantic.as_deref())
    }
}
