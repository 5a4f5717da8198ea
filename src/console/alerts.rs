//! The console's side of following topics: `/follow`, `/unfollow` and `/following` typed in
//! `chat`, and the sink that prints each new article on a followed topic as it arrives.

use newsbot_alerts::{Message, SendError, Sink, Target};
use newsbot_core::prompts::Messages;
use newsbot_core::{Match, Reply, ReplyKind};

use super::render::{render, Layout};

/// Prints alerts for the console's subscriptions, rendered like an answer.
pub struct ConsoleSink {
    pub layout: Layout,
}

impl Sink for ConsoleSink {
    fn accepts(&self, target: &Target) -> bool {
        *target == Target::Console
    }

    fn send(&self, _: &Target, message: &Message, m: &Messages, _: &str) -> Result<(), SendError> {
        let text = match message {
            Message::Alert { topic, passage } => {
                let reply = Reply {
                    command: topic.clone(),
                    query: String::new(),
                    kind: ReplyKind::Answer,
                    answered: true,
                    confidence: 1.0,
                    match_kind: Match::Sure,
                    message: Some(Messages::render(&m.alert, &[("topic", topic)])),
                    passages: vec![(**passage).clone()],
                };
                render(&reply, 1, self.layout, m)
            }
            Message::Digest { items } => {
                let headlines = (items.iter())
                    .map(|(topic, headline)| format!("/{topic}: {headline}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                format!(
                    "{}\n",
                    Messages::render(&m.digest, &[("headlines", &headlines)])
                )
            }
        };
        print!("\n{text}");
        Ok(())
    }
}
