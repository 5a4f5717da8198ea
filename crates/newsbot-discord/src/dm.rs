//! Direct messages and mentions. A DM is a question (`/fines`-style text works too); in a
//! server only a message that mentions the bot is answered, as a reply to it.

use newsbot_core::Request;
use serenity::all::{Http, Message, UserId};

use newsbot_core::telemetry::{self, Outcome};

use crate::ratelimit::Verdict;
use crate::render::{self, Page};
use crate::Bot;

/// The question in `msg` for the bot `me`, or `None` when the bot should stay quiet: other
/// bots, itself, and server messages that do not mention it.
pub fn question_of(msg: &Message, me: UserId) -> Option<String> {
    if msg.author.bot || msg.author.id == me {
        return None;
    }
    if msg.guild_id.is_none() {
        return Some(msg.content.trim().to_string());
    }
    let plain = format!("<@{me}>");
    let nick = format!("<@!{me}>");
    let mentioned = msg.mentions.iter().any(|u| u.id == me)
        || msg.content.contains(&plain)
        || msg.content.contains(&nick);
    mentioned.then(|| {
        msg.content
            .replace(&nick, " ")
            .replace(&plain, " ")
            .trim()
            .to_string()
    })
}

/// Answers `msg` if it is for the bot. Errors are logged; the user sees the `error` text.
pub async fn handle_message(http: &Http, bot: &Bot, me: UserId, msg: &Message) {
    let Some(text) = question_of(msg, me) else {
        return;
    };
    let user = msg.author.id.get();
    let door = if msg.guild_id.is_some() {
        "mention"
    } else {
        "dm"
    };
    let verdict = bot.limiter().check(user);
    if verdict != Verdict::Allow {
        telemetry::question(door, Outcome::RateLimited, None);
    }
    let page = match verdict {
        Verdict::Allow => match bot.answer(&Request::parse(&text), user, door) {
            Ok(reply) => render::page(&reply, 1, &bot.engine().messages()),
            Err(e) => {
                tracing::error!("answering message {}: {e}", msg.id);
                Page::text(&bot.engine().messages().error)
            }
        },
        Verdict::Notify => Page::text(&bot.engine().messages().rate_limited),
        Verdict::Drop => return,
    };
    let mut create = page.to_message();
    if msg.guild_id.is_some() {
        create = create.reference_message(msg);
    }
    if let Err(e) = msg.channel_id.send_message(http, create).await {
        crate::error::count_rest_error(&e);
        tracing::error!("replying to message {}: {e}", msg.id);
    }
}
