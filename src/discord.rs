//! The Discord subcommands: `serve`, `commands` and `feedback`. The bot itself lives in the
//! newsbot-discord crate; this is start-up and printing.

use std::sync::Arc;

use anyhow::{Context, Result};
use newsbot_discord::{commands, feedback, Bot, Config, FeedbackLog};

use crate::app;
use crate::cli::{Global, ServeArgs};
use crate::service;

/// Whether plain `newsbot` should start the bot.
pub fn token_set() -> bool {
    std::env::var("DISCORD_TOKEN").is_ok_and(|t| !t.trim().is_empty())
}

impl ServeArgs {
    /// The `serve` flags as their environment variables set them, for plain `newsbot`.
    pub fn from_env() -> ServeArgs {
        let on = |v: String| {
            matches!(
                v.trim().to_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        };
        ServeArgs {
            feedback_user_ids: std::env::var("NEWSBOT_FEEDBACK_USER_IDS").is_ok_and(on),
            shards: std::env::var("NEWSBOT_SHARDS").ok(),
            shard_total: std::env::var("NEWSBOT_SHARD_TOTAL")
                .ok()
                .and_then(|v| v.trim().parse().ok()),
        }
    }
}

fn feedback_path(g: &Global) -> std::path::PathBuf {
    g.data.join(feedback::FILE_NAME)
}

pub fn run_serve(g: &Global, args: &ServeArgs) -> Result<()> {
    // Settings first: a missing or bad token fails before the index is opened.
    let mut config = Config::from_env()?;
    config.shards = match (&args.shards, args.shard_total) {
        (Some(range), Some(total)) => Some(newsbot_discord::gateway::Shards::parse(range, total)?),
        (None, None) => None,
        _ => anyhow::bail!(
            "--shards and --shard-total go together (NEWSBOT_SHARDS, NEWSBOT_SHARD_TOTAL)"
        ),
    };
    let connected = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = app::start_metrics(g, service::Health::for_serve(connected.clone()))?;
    let (engine, role) = app::open_service(g)?;
    let engine = Arc::new(engine);
    health
        .index_open
        .store(true, std::sync::atomic::Ordering::Relaxed);
    // Seed files added, changed or removed while the bot runs are re-indexed live (by this
    // process, or by the one writing a shared data folder); the guard stops it at the end.
    // Each applied prompts edit bumps the counter; the bot re-registers the commands once a
    // burst of edits has settled.
    let (prompt_tx, prompt_rx) = tokio::sync::watch::channel(0u64);
    let _upkeep = app::upkeep(g, &engine, &role, move || {
        prompt_tx.send_modify(|n| *n += 1);
    })?;
    app::embed_in_background(&engine);
    let mut bot = Bot::new(engine)
        .with_connected_flag(connected)
        .with_prompt_changes(prompt_rx);
    if g.in_memory {
        eprintln!("note: --in-memory writes nothing to the data folder, so feedback is not logged");
    } else {
        bot = bot.with_feedback(FeedbackLog::new(feedback_path(g), args.feedback_user_ids));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(newsbot_discord::serve(config, bot))?;
    Ok(())
}

pub fn run_commands(g: &Global, json: bool) -> Result<()> {
    let prompts = app::load_prompts(g)?;
    let body = commands::registration_body(&prompts);
    if json {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    for c in body.as_array().into_iter().flatten() {
        println!(
            "/{:<12} {}",
            c["name"].as_str().unwrap_or_default(),
            c["description"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

pub fn run_feedback(g: &Global, json: bool) -> Result<()> {
    let path = feedback_path(g);
    let summary = feedback::summarise(&path)?;
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else if summary.entries == 0 && summary.skipped_lines == 0 {
        println!("No feedback yet ({} is empty or missing).", path.display());
    } else {
        print!("{summary}");
    }
    Ok(())
}
