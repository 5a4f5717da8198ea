//! Typed errors of the core. The doors add context (anyhow) when they report them.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("seed folder {path} does not exist; point --seeds (NEWSBOT_SEEDS) at your articles")]
    SeedFolderMissing { path: PathBuf },
    #[error("seed folder {path} cannot be read: {cause}")]
    SeedFolderUnreadable {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("seed folder {path} holds no usable article files (*.txt, *.md, *.html, *.jsonl, *.xml, *.rss, *.atom)")]
    NoArticles { path: PathBuf },
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
            Error::SeedFolderMissing { .. }
            | Error::SeedFolderUnreadable { .. }
            | Error::NoArticles { .. }
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
pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io {
        path: path.to_path_buf(),
        cause,
    }
}
