//! The Discord subcommands: `serve`, `commands` and `feedback`. The bot itself lives in the
//! newsbot-discord crate; this is start-up and printing.

use std::sync::Arc;

use anyhow::{Context, Result};
use newsbot_discord::alerts::DiscordSink;
use newsbot_discord::{commands, feedback, Bot, Config, FeedbackLog};

use crate::app;
use crate::cli::{CommandsArgs, FeedbackArgs, Global, ServeArgs};
use crate::service;
use newsbot_service::Start;

/// Whether plain `newsbot` should start the bot.
pub fn token_set() -> bool {
    std::env::var("DISCORD_TOKEN").is_ok_and(|t| !t.trim().is_empty())
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
        _ => crate::error::user_bail!(
            "--shards and --shard-total go together (NEWSBOT_SHARDS, NEWSBOT_SHARD_TOTAL)"
        ),
    };
    let connected = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = app::start_metrics(g, service::Health::for_serve(connected.clone()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    // Followed topics' new articles go out through their own REST client, on the bot's
    // runtime, from the alert worker's thread.
    let http = newsbot_discord::gateway::http_for(&config.token, config.proxy_url.as_deref());
    let sink = Arc::new(DiscordSink {
        http: Arc::new(http),
        runtime: runtime.handle().clone(),
    });
    // Seed files added, changed or removed while the bot runs are re-indexed live (by this
    // process, or by the one writing a shared data folder); the upkeep stops it at the end.
    // Each applied prompts edit bumps the counter; the bot re-registers the commands once a
    // burst of edits has settled.
    let (prompt_tx, prompt_rx) = tokio::sync::watch::channel(0u64);
    let on_prompts = Box::new(move || prompt_tx.send_modify(|n| *n += 1));
    let start = Start::Running {
        on_prompts,
        alerts: Some(sink),
    };
    let service = app::open(g, start)?;
    health
        .index_open
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let mut bot = Bot::new(service.engine.clone())
        .with_connected_flag(connected)
        .with_prompt_changes(prompt_rx)
        .with_alerts(service.alerts.clone());
    if g.in_memory {
        eprintln!("note: --in-memory writes nothing to the data folder, so feedback is not logged");
    } else {
        bot = bot.with_feedback(FeedbackLog::new(feedback_path(g), args.feedback_user_ids));
    }
    runtime.block_on(newsbot_discord::serve(config, bot))?;
    Ok(())
}

pub fn run_commands(g: &Global, args: &CommandsArgs) -> Result<()> {
    let prompts = app::load_prompts(g)?;
    let body = commands::registration_body(&prompts);
    if args.json {
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

pub fn run_feedback(g: &Global, args: &FeedbackArgs) -> Result<()> {
    let path = feedback_path(g);
    let summary = feedback::summarise(&path)?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else if summary.entries == 0 && summary.skipped_lines == 0 {
        println!("No feedback yet ({} is empty or missing).", path.display());
    } else {
        print!("{summary}");
    }
    Ok(())
}
