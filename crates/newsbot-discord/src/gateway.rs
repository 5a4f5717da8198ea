//! Configuration and the gateway connection: `newsbot serve`.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serenity::all::{
    ClientBuilder, Context, EventHandler, GatewayIntents, GuildId, Http, HttpBuilder, Interaction,
    Message, Ready, ShardStageUpdateEvent, UserId,
};
use serenity::async_trait;

use crate::commands::{self, Scope};
use crate::error::Error;
use crate::{dm, interactions, Bot};

/// The bot token. It is only ever handed to serenity: `Debug` hides it and nothing here
/// formats it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Checks the shape of a bot token (three dot-separated parts, no spaces) so a pasted
    /// value with quotes or a newline fails with a clear message before connecting.
    pub fn new(raw: &str) -> Result<Token, Error> {
        let t = raw.trim();
        let t = t.strip_prefix("Bot ").unwrap_or(t);
        if t.is_empty() {
            return Err(Error::MissingToken);
        }
        let well_formed = t.split('.').count() == 3
            && t.split('.').all(|p| !p.is_empty())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
        if !well_formed {
            return Err(Error::MalformedToken);
        }
        Ok(Token(t.to_string()))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// What `serve` needs beyond the engine. Built from `DISCORD_*` variables.
#[derive(Debug, Clone)]
pub struct Config {
    pub token: Token,
    /// Run only these shards (`serve --shards`); `None`: as many as Discord recommends.
    pub shards: Option<Shards>,
    /// Register commands to this server only (instant; for development).
    pub guild_id: Option<GuildId>,
    /// Base URL that replaces `https://discord.com` for every REST call.
    pub proxy_url: Option<String>,
}

/// Shards `first..=last` of `total`: one process's part of a bot split across processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shards {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl Shards {
    /// Reads `A-B` (or a single `A`) of `total`, checking that the range lies within it.
    pub fn parse(range: &str, total: u32) -> Result<Shards, Error> {
        let bad = |message: String| Error::BadSetting {
            name: "--shards",
            message,
        };
        let num = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| bad(format!("{range:?} is not a shard range such as 0-3")))
        };
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(range)?, num(range)?),
        };
        if total == 0 {
            return Err(bad("--shard-total must be at least 1".into()));
        }
        if first > last || last >= total {
            return Err(bad(format!(
                "{first}-{last} is not within the {total} shards 0-{} (shard ids start at 0)",
                total - 1
            )));
        }
        Ok(Shards { first, last, total })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl Config {
    /// Reads `DISCORD_TOKEN`, `DISCORD_GUILD_ID` and `DISCORD_PROXY_URL`.
    pub fn from_env() -> Result<Config, Error> {
        let token = Token::new(&var("DISCORD_TOKEN").ok_or(Error::MissingToken)?)?;
        let guild_id = var("DISCORD_GUILD_ID")
            .map(|g| {
                g.parse::<u64>()
                    .ok()
                    .filter(|&n| n != 0)
                    .map(GuildId::new)
                    .ok_or(Error::BadSetting {
                        name: "DISCORD_GUILD_ID",
                        message: format!("`{g}` is not a server id (a number)"),
                    })
            })
            .transpose()?;
        let proxy_url = var("DISCORD_PROXY_URL")
            .map(|u| {
                if u.starts_with("http://") || u.starts_with("https://") {
                    Ok(u.trim_end_matches('/').to_string())
                } else {
                    Err(Error::BadSetting {
                        name: "DISCORD_PROXY_URL",
                        message: format!("`{u}` must start with http:// or https://"),
                    })
                }
            })
            .transpose()?;
        Ok(Config {
            token,
            shards: None,
            guild_id,
            proxy_url,
        })
    }

    /// The REST client. A proxy only takes effect with serenity's own rate limiter off; the
    /// proxy is then the one that paces requests.
    pub fn http(&self) -> Http {
        http_for(&self.token, self.proxy_url.as_deref())
    }
}

/// A REST client for `token`, optionally through `proxy` (used by tests, too).
pub fn http_for(token: &Token, proxy: Option<&str>) -> Http {
    let b = HttpBuilder::new(&token.0);
    match proxy {
        Some(p) => b.proxy(p).ratelimiter_disabled(true).build(),
        None => b.build(),
    }
}

/// Only the two non-privileged message intents: DM content and messages that mention the
/// bot carry their text without MESSAGE_CONTENT.
pub const INTENTS: GatewayIntents =
    GatewayIntents::GUILD_MESSAGES.union(GatewayIntents::DIRECT_MESSAGES);

struct Handler {
    bot: Arc<Bot>,
    me: OnceLock<UserId>,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        self.bot.set_connected(true);
        tracing::info!("connected as {}", ready.user.name);
    }

    /// A shard that drops its connection is unhealthy until it resumes.
    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        use serenity::gateway::ConnectionStage;
        self.bot
            .set_connected(event.new == ConnectionStage::Connected);
    }

    async fn message(&self, ctx: Context, msg: Message) {
        // Before `ready` the bot cannot tell mentions of itself; nothing arrives then anyway.
        if let Some(me) = self.me.get() {
            dm::handle_message(&ctx.http, &self.bot, *me, &msg).await;
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        interactions::handle_interaction(&ctx.http, &self.bot, &interaction).await;
    }
}

fn is_unauthorized(e: &serenity::Error) -> bool {
    use serenity::all::{GatewayError, HttpError};
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => r.status_code.as_u16() == 401,
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => true,
        _ => false,
    }
}

fn auth(e: serenity::Error) -> Error {
    if is_unauthorized(&e) {
        Error::TokenRejected
    } else {
        Error::Discord(Box::new(e))
    }
}

/// Connects, registers the commands and answers until Ctrl-C or SIGTERM.
pub async fn serve(config: Config, mut bot: Bot) -> Result<(), Error> {
    let http = Arc::new(config.http());
    // One cheap call up front turns a bad token into a clear error before the gateway.
    let app = http.get_current_application_info().await.map_err(auth)?;
    http.set_application_id(app.id);
    let scope = config.guild_id.map_or(Scope::Global, Scope::Guild);
    let n = commands::register(&http, &bot.engine().prompts(), scope).await?;
    tracing::info!("registered {n} commands ({scope:?})");
    if let Some(changes) = bot.prompt_changes.take() {
        tokio::spawn(commands::reregister_on_change(
            http.clone(),
            bot.engine_arc(),
            scope,
            changes,
            commands::REREGISTER_QUIET,
        ));
    }
    let handler = Handler {
        bot: Arc::new(bot),
        me: OnceLock::new(),
    };
    // The client gets its own Http with the same proxy settings; the gateway URL is fetched
    // through it too, so a fake Discord behind the proxy can point the gateway at itself.
    let mut client = ClientBuilder::new_with_http(config.http(), INTENTS)
        .event_handler(handler)
        .await?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    eprintln!(
        "newsbot is connected to Discord as {}. Ctrl-C stops it.",
        app.name
    );
    match config.shards {
        // serenity's range end is the last shard itself (it starts `end - start + 1`).
        Some(s) => {
            tracing::info!("starting shards {}-{} of {}", s.first, s.last, s.total);
            client
                .start_shard_range(s.first..s.last, s.total)
                .await
                .map_err(auth)
        }
        None => client.start().await.map_err(auth),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_are_read_and_checked() {
        let s = Shards::parse("2-3", 4).unwrap();
        assert_eq!((s.first, s.last, s.total), (2, 3, 4));
        assert_eq!(Shards::parse("1", 2).unwrap().last, 1);
        for (range, total) in [("3-2", 4), ("0-4", 4), ("a-b", 4), ("0", 0), ("-1", 4)] {
            let e = Shards::parse(range, total).unwrap_err().to_string();
            assert!(e.starts_with("--shards is invalid"), "{range}/{total}: {e}");
        }
    }
}
