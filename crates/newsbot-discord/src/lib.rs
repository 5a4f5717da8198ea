//! newsbot's Discord door. It translates Discord events into [`Request`]s and [`Reply`]s
//! into Discord messages, and nothing else: every answer comes from the core engine.
//!
//! Handlers take a serenity [`Http`](serenity::all::Http) and the interaction or message, not
//! a gateway `Context`, so tests drive them against a local capture server.

pub mod alerts;
pub mod buttons;
pub mod commands;
pub mod dm;
pub mod error;
pub mod feedback;
pub mod gateway;
pub mod interactions;
pub mod limits;
pub mod metrics;
pub mod ratelimit;
pub mod redact;
pub mod render;

use std::sync::Arc;

use newsbot_core::{Engine, Reply, ReplyKind, Request};

pub use error::Error;
pub use feedback::FeedbackLog;
pub use gateway::{serve, Config, Token};
pub use ratelimit::RateLimiter;

/// Everything a handler needs: the engine, the feedback log and the rate limiter.
pub struct Bot {
    engine: Arc<Engine>,
    feedback: Option<FeedbackLog>,
    limiter: RateLimiter,
    /// Set once the gateway says `ready`: what `/healthz` waits for in `serve`.
    connected: Arc<std::sync::atomic::AtomicBool>,
    /// Bumped on each applied prompts reload, so `serve` re-registers the commands.
    prompt_changes: Option<tokio::sync::watch::Receiver<u64>>,
    /// Subscriptions for `/follow`; `None`: following is off.
    alerts: Option<Arc<newsbot_alerts::Store>>,
}

impl Bot {
    pub fn new(engine: Arc<Engine>) -> Bot {
        Bot {
            engine,
            feedback: None,
            limiter: RateLimiter::default(),
            connected: Arc::default(),
            prompt_changes: None,
            alerts: None,
        }
    }

    /// Lets channels follow topics, with subscriptions kept in `store`.
    pub fn with_alerts(mut self, store: Option<Arc<newsbot_alerts::Store>>) -> Bot {
        self.alerts = store;
        self
    }

    pub fn alerts(&self) -> Option<&newsbot_alerts::Store> {
        self.alerts.as_deref()
    }

    /// Re-registers the slash commands (debounced) whenever `changes` is bumped.
    pub fn with_prompt_changes(mut self, changes: tokio::sync::watch::Receiver<u64>) -> Bot {
        self.prompt_changes = Some(changes);
        self
    }

    /// Shares `flag` as the gateway-connected state (see [`Bot::connected`]).
    pub fn with_connected_flag(mut self, flag: Arc<std::sync::atomic::AtomicBool>) -> Bot {
        self.connected = flag;
        self
    }

    /// Whether the gateway has said `ready`.
    pub fn connected(&self) -> bool {
        self.connected.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn set_connected(&self, up: bool) {
        self.connected
            .store(up, std::sync::atomic::Ordering::Relaxed);
        crate::metrics::gateway_connected(up);
    }

    /// Records votes and unanswered questions in `log`.
    pub fn with_feedback(mut self, log: FeedbackLog) -> Bot {
        self.feedback = Some(log);
        self
    }

    pub fn with_rate_limiter(mut self, limiter: RateLimiter) -> Bot {
        self.limiter = limiter;
        self
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn engine_arc(&self) -> Arc<Engine> {
        self.engine.clone()
    }

    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// Answers `req` from `door` (`dm` or `slash`), logging it to the feedback log when
    /// nothing matched, and counting it.
    pub(crate) fn answer(
        &self,
        req: &Request,
        user: u64,
        door: &'static str,
    ) -> Result<Reply, Error> {
        let reply = newsbot_core::telemetry::answer_counted(door, || self.engine.answer(req))?;
        if reply.kind == ReplyKind::NoAnswer {
            self.record(
                feedback::Entry::now(feedback::Kind::Unanswered, &reply.command, &reply.query),
                user,
            );
        }
        Ok(reply)
    }

    /// Appends to the feedback log; a failed write is logged, never shown to the user.
    pub(crate) fn record(&self, entry: feedback::Entry, user: u64) {
        if let Some(log) = &self.feedback {
            if let Err(e) = log.append(entry, Some(user)) {
                tracing::warn!("{e}");
            }
        }
    }
}
