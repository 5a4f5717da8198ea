//! What newsbot counts, through the `metrics` facade. Without an installed recorder (tests,
//! `ask`, `eval`) every call is a no-op costing an atomic load; `serve` and `chat` install a
//! Prometheus recorder when given `--metrics-addr`. The engine's metric names live here; the
//! feed follower's are in `newsbot-feeds` and the Discord door's in `newsbot-discord`.

use std::time::Duration;

use crate::reply::{Match, Reply, ReplyKind};

/// Questions, by `door` (console, dm, slash) and `outcome` ([`Outcome::label`]).
pub const QUESTIONS: &str = "newsbot_questions_total";
/// Seconds from a question to its reply (the engine's work), by door.
pub const ANSWER_SECONDS: &str = "newsbot_answer_seconds";
/// Live re-indexes, and their durations in seconds.
pub const REINDEXES: &str = "newsbot_reindexes_total";
pub const REINDEX_SECONDS: &str = "newsbot_reindex_seconds";
/// Commits of another process's writer picked up by a read-only process.
pub const INDEX_RELOADS: &str = "newsbot_index_reloads_total";
/// Prompt reloads by `result` (`applied`, `rejected`).
pub const PROMPT_RELOADS: &str = "newsbot_prompt_reloads_total";
/// Passages in the index, and distinct passage texts embedded.
pub const PASSAGES: &str = "newsbot_passages";
pub const PASSAGES_EMBEDDED: &str = "newsbot_passages_embedded";
/// Seconds the cross-encoder took to rerank one question's top candidates.
pub const RERANK_SECONDS: &str = "newsbot_rerank_seconds";

/// What became of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    ClosestMatch,
    Declined,
    RateLimited,
    /// Help, an empty question, an unknown command or a whole article: not a question.
    Other,
}

impl Outcome {
    pub fn of(reply: &Reply) -> Outcome {
        match (reply.kind, reply.match_kind) {
            (ReplyKind::Answer, Match::Closest) => Outcome::ClosestMatch,
            (ReplyKind::Answer, _) => Outcome::Answered,
            (ReplyKind::NoAnswer, _) => Outcome::Declined,
            _ => Outcome::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::ClosestMatch => "closest_match",
            Outcome::Declined => "declined",
            Outcome::RateLimited => "rate_limited",
            Outcome::Other => "other",
        }
    }
}

/// Counts one question at `door`, with the time the engine took when it answered.
pub fn question(door: &'static str, outcome: Outcome, took: Option<Duration>) {
    metrics::counter!(QUESTIONS, "door" => door, "outcome" => outcome.label()).increment(1);
    if let Some(t) = took {
        metrics::histogram!(ANSWER_SECONDS, "door" => door).record(t.as_secs_f64());
    }
}

/// Runs `answer` for a question at `door`, counting its outcome and the time it took.
pub fn answer_counted<E>(
    door: &'static str,
    answer: impl FnOnce() -> Result<Reply, E>,
) -> Result<Reply, E> {
    let started = std::time::Instant::now();
    let reply = answer()?;
    question(door, Outcome::of(&reply), Some(started.elapsed()));
    Ok(reply)
}

/// Counts one finished re-index.
pub fn reindexed(took: Duration, passages: usize) {
    metrics::counter!(REINDEXES).increment(1);
    metrics::histogram!(REINDEX_SECONDS).record(took.as_secs_f64());
    passages_indexed(passages);
}

/// Counts one index reload in a read-only process.
pub fn index_reloaded(passages: usize) {
    metrics::counter!(INDEX_RELOADS).increment(1);
    passages_indexed(passages);
}

/// Counts one prompts reload; `result` is `applied` or `rejected`.
pub fn prompts_reloaded(result: &'static str) {
    metrics::counter!(PROMPT_RELOADS, "result" => result).increment(1);
}

pub fn passages_indexed(n: usize) {
    metrics::gauge!(PASSAGES).set(n as f64);
}

/// Times one rerank stage.
pub fn rerank_time(took: Duration) {
    metrics::histogram!(RERANK_SECONDS).record(took.as_secs_f64());
}

pub fn passages_embedded(n: usize) {
    metrics::gauge!(PASSAGES_EMBEDDED).set(n as f64);
}
