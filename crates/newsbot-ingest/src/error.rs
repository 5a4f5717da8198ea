//! Why a seed folder cannot be read. All of them are the user's to fix.

use std::path::PathBuf;

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
}

impl Error {
    /// Whether the user can fix it: a seed folder always is.
    pub fn is_user(&self) -> bool {
        true
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
