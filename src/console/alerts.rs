//! The console's side of following topics: `/follow`, `/unfollow` and `/following` typed in
//! `chat`, and the sink that prints each new article on a followed topic as it arrives.

use newsbot_alerts::{Message, SendError, Sink, Target};
use newsbot_core::prompts::Messages;

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
        let text = match (message.reply(m), message.digest_text(m)) {
            (Some(reply), _) => render(&reply, 1, self.layout, m),
            (None, text) => format!("{}\n", text.unwrap_or_default()),
        };
        print!("\n{text}");
        Ok(())
    }
}
