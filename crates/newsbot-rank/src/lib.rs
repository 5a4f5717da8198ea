//! newsbot's ranking: from question text to ordered, highlighted candidate passages, and
//! whether they answer. It reads the index (`newsbot-index`) and knows nothing of replies,
//! prompts files or doors; every number it uses lives in [`Tuning`].
//!
//! One stage per module, each with a typed boundary:
//!
//! 1. [`plan`]: question text → [`Plan`] (weighted concepts, answer type), using
//!    [`spelling`] for unknown words and [`term_stats`] for rarity;
//! 2. [`retrieve`]: plan → a BM25 term query over the paragraph and its article context;
//! 3. [`score`]: each retrieved candidate + plan → named [`ScoreParts`] (pure);
//! 4. [`rerank`]: a cross-encoder reorders the top K candidates (when the model is on);
//! 5. [`confidence`]: the top candidate's similarity, coverage and cross-encoder logit →
//!    sure, closest or none.
//!
//! [`search()`] runs stages 1-3 on one index snapshot (the engine's question path);
//! [`pipeline::candidates`] is stages 2-3 on one searcher, which the `explain` example also
//! uses. Every number lives in [`Tuning`].

pub mod answer_type;
pub mod candidate;
pub mod confidence;
pub mod highlight;
pub mod pipeline;
pub mod plan;
pub mod recency;
pub mod rerank;
pub mod reranker;
pub mod retrieve;
pub mod score;
pub mod search;
pub mod spelling;
pub mod term_stats;
pub mod tuning;
pub mod variants;

pub use candidate::Candidate;
pub use confidence::Match;
pub use pipeline::{candidates, Search};
pub use plan::{content_tokens, plan, Alt, AltKind, Concept, Plan, MAX_QUERY_CHARS};
pub use score::ScoreParts;
pub use search::{search, Query, Ranked, TopicQuery};
pub use term_stats::TermStats;
pub use tuning::Tuning;
pub use variants::{PromptError, Variants};
