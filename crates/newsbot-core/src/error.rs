//! Typed errors of the core. The doors add context (anyhow) when they report them.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the seed folder (`newsbot-ingest`).
    #[error(transparent)]
    Ingest(#[from] newsbot_ingest::Error),
    /// Reading or writing the index (`newsbot-index`).
    #[error(transparent)]
    Search(#[from] newsbot_index::Error),
    /// A prompts file that cannot be used.
    #[error(transparent)]
    Prompt(#[from] newsbot_rank::PromptError),
    #[error("prompts folder {path} cannot be read: {cause}")]
    PromptsUnreadable {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("index at {path}: {message}")]
    Index { path: String, message: String },
    #[error("another newsbot (pid {pid}) holds the index writer lock {path} and keeps the index up to date itself; stop it first")]
    WriterHeld { path: PathBuf, pid: String },
    #[error("{0}")]
    Model(#[from] crate::embedder::EmbedError),
}

impl Error {
    /// Whether the user can fix this (a folder, a prompts file, another process holding the
    /// writer lock), as opposed to an internal failure. Doors exit 2 for these, 1 otherwise.
    pub fn is_user(&self) -> bool {
        match self {
            Error::Ingest(e) => e.is_user(),
            Error::Search(e) => e.is_user(),
            Error::Prompt(_) | Error::PromptsUnreadable { .. } | Error::WriterHeld { .. } => true,
            Error::Index { .. } | Error::Model(_) => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `map_err` for an I/O failure on `path` (an index error: the engine's files are the
/// index's).
pub use newsbot_index::error::io_error;

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        Error::Search(e.into())
    }
}
