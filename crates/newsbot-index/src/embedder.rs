//! The seam between ranking and a sentence-embedding model.
//!
//! Core never links an ML runtime: it sees a model only through [`Embedder`], so the
//! engine stays testable with a tiny fake and another model can be dropped in. The real
//! implementation (candle + tokenizers) lives in the `newsbot-embed` crate.

/// Why a model could not embed. Messages name the file or input and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model folder or one of its files is missing, unreadable or corrupt.
    #[error("{path}: {message}")]
    Model { path: String, message: String },
    /// The model loaded but failed on this input (tokenizer or forward pass).
    #[error("embedding failed: {0}")]
    Inference(String),
}

/// A sentence-embedding model. Vectors are L2-normalised, so a dot product is the cosine.
///
/// Queries and passages are separate calls because some models (e5, bge) want a prefix
/// on one side only; a symmetric model such as all-MiniLM-L6-v2 treats both alike.
pub trait Embedder: Send + Sync {
    /// Short model name, shown by `newsbot stats` (e.g. `all-MiniLM-L6-v2`).
    fn name(&self) -> &str;
    /// Length of every vector this model returns.
    fn dims(&self) -> usize;
    /// One vector per passage, in order.
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// The vector of one question.
    fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError>;
}
