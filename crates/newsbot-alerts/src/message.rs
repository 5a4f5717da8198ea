//! What the worker hands a door to deliver, and the door's side of it: a [`Sink`].

use newsbot_core::prompts::Messages;
use newsbot_core::{Match, Passage, Reply, ReplyKind};

use crate::store::Target;

/// What a [`Sink`] delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A new article on `topic`: its best passage on the topic, shown like an answer.
    Alert {
        topic: String,
        passage: Box<Passage>,
    },
    /// The articles beyond the hourly allowance: `(topic, headline)` each.
    Digest { items: Vec<(String, String)> },
}

impl Message {
    /// An alert as the doors show it: a one-passage answer under the `alert` line (so it
    /// renders with its headline, date, link and sources, like any answer). `None` for a
    /// digest.
    pub fn reply(&self, m: &Messages) -> Option<Reply> {
        let Message::Alert { topic, passage } = self else {
            return None;
        };
        Some(Reply {
            command: topic.clone(),
            query: String::new(),
            kind: ReplyKind::Answer,
            answered: true,
            confidence: 1.0,
            match_kind: Match::Sure,
            message: Some(Messages::render(&m.alert, &[("topic", topic)])),
            passages: vec![(**passage).clone()],
        })
    }

    /// A digest's text: the `digest` line and one `/topic: headline` line each. `None` for
    /// an alert.
    pub fn digest_text(&self, m: &Messages) -> Option<String> {
        let Message::Digest { items } = self else {
            return None;
        };
        let headlines = (items.iter())
            .map(|(topic, headline)| format!("/{topic}: {headline}"))
            .collect::<Vec<_>>()
            .join("\n");
        Some(Messages::render(&m.digest, &[("headlines", &headlines)]))
    }
}

/// A failed delivery; `status` is the HTTP status when there was a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub status: Option<u16>,
    pub message: String,
}

/// Where a door delivers messages. `nonce` is the same each time one delivery is tried, so
/// Discord can drop a copy sent again after a crash.
pub trait Sink: Send + Sync + 'static {
    /// Whether this door delivers to `target` (the console does not reach Discord, nor the
    /// bot the console); the others' subscriptions wait for a process that does.
    fn accepts(&self, target: &Target) -> bool;
    /// Delivers `message` in the words of `m` (the prompts' texts as they are now).
    fn send(
        &self,
        target: &Target,
        message: &Message,
        m: &Messages,
        nonce: &str,
    ) -> Result<(), SendError>;
}
