//! Why the index could not be read, built or written.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Ingest(#[from] newsbot_ingest::Error),
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("I/O error on {path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

impl Error {
    /// Whether the user can fix it (the seed folder); the rest are internal failures.
    pub fn is_user(&self) -> bool {
        match self {
            Error::Ingest(e) => e.is_user(),
            Error::Tantivy(_) | Error::Io { .. } => false,
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
