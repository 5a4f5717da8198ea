//! Typed errors of the core. The doors add context (anyhow) when they report them.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the seed folder (`newsbot-ingest`).
    #[error(transparent)]
    Ingest(#[from] newsbot_ingest::Error),
    /// Reading or writing the index (`newsbot-index`).
    #[error(transparent)]
    Search(#[from] newsbot_index::Error),
    #[error(transparent)]
    Variants(#[from] newsbot_rank::VariantsError),
    #[error("prompts folder {path} cannot be read: {cause}")]
    PromptsUnreadable {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{file}: field `{field}`: {message}")]
    BadPrompt {
        file: String,
        field: String,
        message: String,
    },
    #[error("{file}: {message}")]
    PromptSyntax { file: String, message: String },
    #[error("index at {path}: {message}")]
    Index { path: String, message: String },
    #[error("another newsbot (pid {pid}) holds the index writer lock {path} and keeps the index up to date itself; stop it first")]
    WriterHeld { path: PathBuf, pid: String },
    #[error("{0}")]
    Model(#[from] crate::embedder::EmbedError),
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("I/O error on {path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

impl Error {
    /// Whether the user can fix this (a folder, a prompts file, another process holding the
    /// writer lock), as opposed to an internal failure. Doors exit 2 for these, 1 otherwise.
    pub fn is_user(&self) -> bool {
        match self {
            Error::Ingest(e) => e.is_user(),
            Error::Search(e) => e.is_user(),
            Error::Variants(_)
            | Error::PromptsUnreadable { .. }
            | Error::BadPrompt { .. }
            | Error::PromptSyntax { .. }
            | Error::WriterHeld { .. } => true,
            Error::Index { .. } | Error::Model(_) | Error::Tantivy(_) | Error::Io { .. } => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `map_err` for an I/O failure on `path`.
pub fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io {
        path: path.to_path_buf(),
        cause,
    }
}
