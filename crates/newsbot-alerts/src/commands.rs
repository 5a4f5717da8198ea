//! `/follow`, `/unfollow` and `/following`, the same in every door: the door says where it
//! was typed (the [`Target`]) and shows the text that comes back.

use newsbot_core::prompts::Messages;
use newsbot_core::Engine;

use crate::store::{Followed, State, Store, Target};

/// One of the follow commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowCommand {
    Follow(String),
    Unfollow(String),
    Following,
}

impl FollowCommand {
    /// The command a name and its text make (`follow`, `/fines` or `fines`), if it is one.
    pub fn parse(name: &str, text: &str) -> Option<FollowCommand> {
        let topic = || text.trim().trim_start_matches('/').to_lowercase();
        match name {
            "follow" => Some(FollowCommand::Follow(topic())),
            "unfollow" => Some(FollowCommand::Unfollow(topic())),
            "following" => Some(FollowCommand::Following),
            _ => None,
        }
    }
}

/// Carries out `cmd` for `target` and says what happened. Without a store (it could not be
/// opened) following is off, and says so.
pub fn run(store: Option<&Store>, engine: &Engine, target: &Target, cmd: &FollowCommand) -> String {
    let prompts = engine.prompts();
    let m = &prompts.messages;
    let Some(store) = store else {
        return m.follow_off.clone();
    };
    let topics = prompts.topic_list();
    let say = |template: &str, topic: &str| {
        Messages::render(template, &[("topic", topic), ("topics", &topics)])
    };
    let result = match cmd {
        FollowCommand::Follow(topic) if prompts.topic(topic).is_none() => {
            Ok(say(&m.follow_unknown, topic))
        }
        FollowCommand::Follow(topic) => {
            let idx = engine.index().current();
            let current = idx.manifest.articles.iter();
            (store.follow(
                target,
                topic,
                current.map(|a| (a.id.as_str(), a.headline.as_str())),
            ))
            .map(|f| match f {
                Followed::New => say(&m.follow_added, topic),
                Followed::Resumed => say(&m.follow_resumed, topic),
                Followed::Already => say(&m.follow_exists, topic),
            })
        }
        FollowCommand::Unfollow(topic) => store.unfollow(target, topic).map(|gone| {
            say(
                if gone {
                    &m.unfollowed
                } else {
                    &m.not_following
                },
                topic,
            )
        }),
        FollowCommand::Following => store.subscriptions(Some(target)).map(|subs| {
            if subs.is_empty() {
                return say(&m.following_none, "");
            }
            let list = (subs.iter())
                .map(|s| match &s.state {
                    State::Active => format!("/{}", s.topic),
                    State::Paused(why) => format!("/{} (paused: {why})", s.topic),
                })
                .collect::<Vec<_>>()
                .join("\n");
            Messages::render(&m.following, &[("list", &list)])
        }),
    };
    result.unwrap_or_else(|e| {
        tracing::error!("{cmd:?} in {target:?}: {e}");
        m.error.clone()
    })
}
