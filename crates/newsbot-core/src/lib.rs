//! newsbot's engine: the state a reply reads (the live index, the prompts, the models, the
//! tuning) and the [`Engine`] that turns a [`Request`] into a [`Reply`], kept current while a
//! door runs ([`live`]). Nothing here knows about Discord or terminals.
//!
//! The stages live in their own crates, re-exported here under the names the doors use:
//! reading seed files in `newsbot-ingest`, the index in `newsbot-index`, ranking in
//! `newsbot-rank`.

pub use newsbot_index as index;
pub use newsbot_index::{analysis, embedder, semantic, stem_cache, vectors};
pub use newsbot_ingest::{accounting, corpus, dates, decode, text};
pub use newsbot_rank as rank;
pub use newsbot_rank::{answer_type, reranker, variants};

pub mod command;
pub mod engine;
pub mod error;
pub mod live;
pub mod models;
pub mod prompts;
pub mod reply;
pub mod stats;
pub mod telemetry;

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
