//! Following topics in Discord: `/follow`, `/unfollow` and `/following` in a channel (or a
//! DM with the bot), and the sink that posts each new article there.

use std::sync::Arc;

use newsbot_alerts::{FollowCommand, Message, SendError, Sink, Target};
use newsbot_core::prompts::Messages;
use serenity::all::{ChannelId, CommandInteraction, CreateMessage, Http, Nonce};

use crate::render::{self, Page};

/// Whether the member who ran `cmd` may change what its channel follows: in a server that
/// needs Manage Channels (Discord hides the command from others, through the command's
/// default permissions; this checks again, as a server can override those). In a DM
/// anyone may.
pub fn may_change(cmd: &CommandInteraction) -> bool {
    if cmd.guild_id.is_none() {
        return true;
    }
    (cmd.member.as_ref())
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_channels() || p.administrator())
}

/// The text to show for a follow command typed in `cmd`'s channel.
pub fn answer(bot: &crate::Bot, cmd: &CommandInteraction, f: &FollowCommand) -> String {
    let changes = !matches!(f, FollowCommand::Following);
    if changes && !may_change(cmd) {
        return bot.engine().messages().follow_permission.clone();
    }
    let target = Target::Channel(cmd.channel_id.get());
    newsbot_alerts::run_command(bot.alerts(), bot.engine(), &target, f)
}

/// The message for an alert: rendered as an answer is (headline, paragraph, date and link,
/// sources, the "Full article" button), under the `alert` line; or the digest's text. Both
/// with empty allowed mentions, as every message is.
pub fn message_of(message: &Message, m: &Messages) -> CreateMessage {
    match (message.reply(m), message.digest_text(m)) {
        (Some(reply), _) => render::page(&reply, 1, m).to_message(),
        (None, text) => Page::text(&text.unwrap_or_default()).to_message(),
    }
}

/// Posts alerts to Discord channels from the alert worker's thread, on the bot's runtime.
pub struct DiscordSink {
    pub http: Arc<Http>,
    pub runtime: tokio::runtime::Handle,
}

impl Sink for DiscordSink {
    fn accepts(&self, target: &Target) -> bool {
        matches!(target, Target::Channel(_))
    }

    fn send(
        &self,
        target: &Target,
        message: &Message,
        m: &Messages,
        nonce: &str,
    ) -> Result<(), SendError> {
        let Target::Channel(id) = target else {
            return Err(SendError {
                status: None,
                message: "not a Discord channel".into(),
            });
        };
        // The nonce with enforce_nonce: a send retried after a crash within Discord's few
        // minutes is answered with the first message, not posted twice.
        let create = message_of(message, m)
            .nonce(Nonce::String(nonce.to_string()))
            .enforce_nonce(true);
        let sent = self
            .runtime
            .block_on(ChannelId::new(*id).send_message(&self.http, create));
        sent.map(|_| ()).map_err(|e| {
            crate::error::count_rest_error(&e);
            let status = match &e {
                serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) => {
                    Some(r.status_code.as_u16())
                }
                _ => None,
            };
            SendError {
                status,
                message: e.to_string(),
            }
        })
    }
}
