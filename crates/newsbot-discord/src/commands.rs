//! The slash commands, built from the prompts so a new topic file is a new command, and
//! registered with one bulk overwrite so commands removed from `prompts/` disappear too.

use newsbot_core::rank::MAX_QUERY_CHARS;
use newsbot_core::{Command, Prompts};
use serenity::all::{
    CommandOptionType, CreateCommand, CreateCommandOption, GuildId, Http, InstallationContext,
    InteractionContext, Permissions,
};

use crate::error::Error;

/// Where the commands are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every server and DM; Discord may take a while to show changes.
    Global,
    /// One server, instantly: for development.
    Guild(GuildId),
}

fn private_option() -> CreateCommandOption {
    CreateCommandOption::new(
        CommandOptionType::Boolean,
        "private",
        "Only you see the answer",
    )
    .required(false)
}

fn text_option(name: &str, description: &str, required: bool) -> CreateCommandOption {
    // Discord caps string options at 6000; the engine reads no more than MAX_QUERY_CHARS.
    let max = u16::try_from(MAX_QUERY_CHARS).unwrap_or(u16::MAX);
    CreateCommandOption::new(CommandOptionType::String, name, description)
        .required(required)
        .max_length(max)
}

/// The slash command of a built-in command.
fn built_in(c: &Command) -> CreateCommand {
    let cmd = CreateCommand::new(c.name());
    match c {
        Command::Ask => cmd
            .description("Ask a question about the news")
            .add_option(text_option("question", "What do you want to know?", true)),
        Command::Help => cmd.description("What I can answer, and the topic commands"),
        Command::Article => cmd
            .description("Show a whole article with its sources")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "headline",
                    "Start typing a headline",
                )
                .required(true)
                .set_autocomplete(true),
            ),
        Command::Topic(name) => unreachable!("/{name} is not built in"),
    }
    .add_option(private_option())
}

/// The topic option of `/follow` and `/unfollow`: the topic commands as choices (the body
/// is sent again whenever `prompts/` changes, so the choices stay current).
fn topic_option(prompts: &Prompts) -> CreateCommandOption {
    let mut o = CreateCommandOption::new(CommandOptionType::String, "topic", "A topic command")
        .required(true);
    // Discord allows 25 choices.
    for t in prompts.topics.iter().take(25) {
        o = o.add_string_choice(&t.name, &t.name);
    }
    o
}

/// `/follow`, `/unfollow` and `/following`. Changing what a server channel follows needs
/// Manage Channels, so Discord shows those two only to members who have it.
fn follow_commands(prompts: &Prompts) -> [CreateCommand; 3] {
    let manage = Permissions::MANAGE_CHANNELS;
    [
        CreateCommand::new("follow")
            .description("Post each new article on a topic in this channel")
            .add_option(topic_option(prompts))
            .default_member_permissions(manage),
        CreateCommand::new("unfollow")
            .description("Stop posting a topic's new articles in this channel")
            .add_option(topic_option(prompts))
            .default_member_permissions(manage),
        CreateCommand::new("following").description("The topics this channel follows"),
    ]
}

/// Every command, in the order Discord lists them: the built-in ones, the follow commands,
/// then one per topic.
pub fn commands(prompts: &Prompts, scope: Scope) -> Vec<CreateCommand> {
    let mut out: Vec<CreateCommand> = Command::BUILT_IN.iter().map(built_in).collect();
    out.extend(follow_commands(prompts));
    for t in &prompts.topics {
        out.push(
            CreateCommand::new(&t.name)
                .description(&t.description)
                .add_option(text_option(
                    "text",
                    "Narrow the topic, e.g. a company or a country",
                    false,
                ))
                .add_option(private_option()),
        );
    }
    if scope == Scope::Global {
        // Contexts apply to global commands only: usable in servers and in DMs with the bot.
        out = out
            .into_iter()
            .map(|c| {
                c.integration_types(vec![InstallationContext::Guild])
                    .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm])
            })
            .collect();
    }
    out
}

/// The body of the bulk overwrite for `scope`. serenity writes `default_member_permissions`
/// as a string; Discord's OpenAPI spec has the request field as an integer, so it is sent
/// as one.
fn body(prompts: &Prompts, scope: Scope) -> serde_json::Value {
    let mut body = serde_json::to_value(commands(prompts, scope)).unwrap_or_default();
    for c in body.as_array_mut().into_iter().flatten() {
        let bits = c
            .get("default_member_permissions")
            .and_then(|p| p.as_str()?.parse::<u64>().ok());
        if let Some(bits) = bits {
            c["default_member_permissions"] = bits.into();
        }
    }
    body
}

/// The exact body of `PUT /applications/{application.id}/commands`.
pub fn registration_body(prompts: &Prompts) -> serde_json::Value {
    body(prompts, Scope::Global)
}

/// Replaces every registered command with ours in one request. `http` must know the
/// application id.
pub async fn register(http: &Http, prompts: &Prompts, scope: Scope) -> Result<usize, Error> {
    let body = body(prompts, scope);
    let n = body.as_array().map_or(0, Vec::len);
    match scope {
        Scope::Global => {
            http.create_global_commands(&body).await?;
        }
        Scope::Guild(g) => {
            http.create_guild_commands(g, &body).await?;
        }
    }
    Ok(n)
}

/// How long the prompts must stay unchanged before the command list is sent again: a burst
/// of edits (several topic files saved one after another) is one bulk overwrite, well inside
/// Discord's limit of 200 command creations a day per guild.
pub const REREGISTER_QUIET: std::time::Duration = std::time::Duration::from_secs(2);

/// Sends the command list again, with one bulk overwrite, after each burst of prompt
/// reloads. `changes` is bumped once per applied reload; the overwrite goes out once `quiet`
/// has passed without another. Runs until the sender is dropped. A failed overwrite is
/// logged and the old command list stays registered until the next edit.
pub async fn reregister_on_change(
    http: std::sync::Arc<Http>,
    engine: std::sync::Arc<newsbot_core::Engine>,
    scope: Scope,
    changes: tokio::sync::watch::Receiver<u64>,
    quiet: std::time::Duration,
) {
    debounced(changes, quiet, || async {
        match register(&http, &engine.prompts(), scope).await {
            Ok(n) => tracing::info!("re-registered {n} commands after a prompts edit"),
            Err(e) => tracing::warn!(
                "re-registering the commands after a prompts edit failed; Discord still shows the old list: {e}"
            ),
        }
    })
    .await
}

/// Runs `action` once per burst of `changes`: when `quiet` has passed with no further
/// change. Returns when the sender is dropped.
pub async fn debounced<F, Fut>(
    mut changes: tokio::sync::watch::Receiver<u64>,
    quiet: std::time::Duration,
    mut action: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    while changes.changed().await.is_ok() {
        loop {
            match tokio::time::timeout(quiet, changes.changed()).await {
                Ok(Ok(())) => continue,
                Ok(Err(_)) => return,
                Err(_) => break,
            }
        }
        action().await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::debounced;

    /// On a paused clock the test moves time itself, so how busy the machine is cannot
    /// split a burst in two.
    #[tokio::test(start_paused = true)]
    async fn a_burst_of_changes_is_one_action_and_a_later_change_another() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::watch::channel(0u64);
        let counted = runs.clone();
        let task = tokio::spawn(debounced(rx, Duration::from_millis(300), move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        }));
        let step = |ms| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        };
        // Five changes 250 ms apart: each restarts the quiet period, so nothing runs yet,
        // though the burst lasts longer than the quiet period.
        for _ in 0..5 {
            tx.send_modify(|n| *n += 1);
            step(250).await;
        }
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        step(100).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        step(5_000).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "quiet time alone runs nothing"
        );
        tx.send_modify(|n| *n += 1);
        step(301).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        drop(tx);
        task.await.unwrap();
    }
}
