//! newsbot's topic following. A channel (a DM, or the console) follows a topic command; each
//! article that enters the index afterwards and has a passage on that topic (the rule a bare
//! `/fines` uses) is posted there once, with its best passage on the topic.
//!
//! - [`store`]: subscriptions and deliveries in SQLite, surviving restarts: a delivery is
//!   written as pending before its message is sent and as sent after, and is sent again
//!   with the same nonce if the process stopped in between;
//! - [`worker`]: the rounds that judge new articles and post them, politely: at most
//!   [`Settings::per_hour`] posts per channel an hour and one digest for the rest, and a
//!   channel that keeps answering 403 or 404 paused.
//!
//! A door supplies a [`Sink`] that delivers a [`Message`]; only the process that writes the
//! index runs the worker, so no alert is sent twice.

pub mod commands;
pub mod message;
pub mod store;
#[doc(hidden)]
pub mod testing;
pub mod worker;

pub use commands::{run as run_command, FollowCommand};
pub use message::{Message, SendError, Sink};
pub use store::{Followed, State, Store, StoreError, Subscription, Target, FILE_NAME};
pub use worker::{round, spawn, topic_passage, Round, Settings};

/// Alerts posted, digests posted, failed sends by HTTP `status`, and paused subscriptions.
pub const ALERTS_SENT: &str = "newsbot_alerts_sent_total";
pub const ALERT_DIGESTS: &str = "newsbot_alert_digests_total";
pub const ALERT_FAILURES: &str = "newsbot_alert_failures_total";
pub const SUBSCRIPTIONS_PAUSED: &str = "newsbot_subscriptions_paused";
