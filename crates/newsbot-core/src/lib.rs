//! newsbot's core: reading seed articles, the tantivy index, and the engine that turns a
//! [`Request`] into a [`Reply`]. Nothing here knows about Discord or terminals.

pub mod accounting;
pub mod analysis;
pub mod answer;
pub mod corpus;
pub mod decode;
pub mod embedder;
pub mod engine;
pub mod error;
pub mod eval;
pub mod headline_terms;
pub mod index;
pub mod live;
pub mod prompts;
pub mod rank;
pub mod stamps;
pub mod stem_cache;
pub mod text;
pub mod variants;

pub use engine::{Engine, Passage, Reply, ReplyKind, Request, Stats, Suggestions, PAGE_SIZE};
pub use error::{Error, Result};
pub use index::Storage;
pub use prompts::Prompts;
