//! newsbot's core: reading seed articles, the tantivy index, and the engine that turns a
//! [`Request`] into a [`Reply`]. Nothing here knows about Discord or terminals.

pub mod accounting;
pub mod analysis;
pub mod answer_type;
pub mod baseline;
pub mod command;
pub mod corpus;
pub mod dates;
pub mod decode;
pub mod embedder;
pub mod engine;
pub mod error;
pub mod eval;
pub mod feeds;
pub mod index;
pub mod live;
pub mod models;
pub mod prompts;
pub mod rank;
pub mod reply;
pub mod reranker;
pub mod semantic;
pub mod stats;
pub mod stem_cache;
pub mod telemetry;
pub mod text;
pub mod variants;
pub mod vectors;

pub use command::Command;
pub use engine::Engine;
pub use error::{Error, Result};
pub use index::{IndexHandle, Storage};
pub use models::{Models, SemanticStatus};
pub use prompts::Prompts;
pub use prompts::{MessagesRef, PromptsHandle};
pub use rank::Ranked;
pub use rank::Tuning;
pub use reply::{Match, PageView, Passage, Reply, ReplyKind, Request, MAX_RESULTS, PAGE_SIZE};
pub use stats::Stats;
