//! newsbot's ingest: reading a seed folder (subfolders too) of article files in any of the
//! supported formats and encodings into articles, merging copies, and accounting for every
//! line read. It knows nothing of the index or of ranking.

pub mod accounting;
pub mod corpus;
pub mod dates;
pub mod decode;
pub mod error;
pub mod text;

pub use corpus::{Article, Corpus, ParsedFile, SeedWarning};
pub use error::{Error, Result};
