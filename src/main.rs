//! newsbot's binary: argument parsing, logging, and dispatch. Everything else lives in the
//! library crates and the small modules beside this file.

mod app;
mod cli;
mod console;
mod discord;
mod run;
mod service;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};

fn main() -> ExitCode {
    // .env is read before the arguments so every `env = …` flag can come from it. A missing
    // file is normal; a malformed one is reported, not fatal.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: .env: {e}");
        }
    }
    let cli = Cli::parse();
    if let Err(e) = init_logging(&cli.global.log, cli.global.log_format) {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A filter that does not parse is an error naming it: silently logging at another level
/// would hide exactly what the operator asked to see.
fn init_logging(filter: &str, format: cli::LogFormat) -> anyhow::Result<()> {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    for part in filter.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !part.contains('=') && !LEVELS.contains(&part.to_lowercase().as_str()) {
            eprintln!(
                "warning: --log {part:?} is read as a module name, logging everything it emits; for a level use one of {}",
                LEVELS.join(", ")
            );
        }
    }
    let filter = tracing_subscriber::EnvFilter::builder()
        .with_regex(false)
        .parse(filter)
        .map_err(|e| {
            anyhow::anyhow!(
                "--log / NEWSBOT_LOG: {filter:?} is not a log filter ({e}); try `warn`, `info` or `newsbot=debug`"
            )
        })?;
    // Colours only on a terminal (and never with NO_COLOR): a log file or a journal gets
    // plain text. Every line passes the redactor, which removes interaction tokens.
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(newsbot_discord::redact::RedactingWriter(std::io::stderr))
        .with_ansi(ansi)
        .with_target(false);
    match format {
        cli::LogFormat::Text => logs.init(),
        cli::LogFormat::Json => logs.json().init(),
    }
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Some(Command::Index { verbose }) => run::run_index(g, verbose),
        Some(Command::FetchFeeds) => run::run_fetch_feeds(g),
        Some(Command::Ask(args)) => {
            let engine = app::open_engine(g, false)?;
            if args.now {
                app::note_coverage(&engine);
            } else {
                app::embed_now(g, &engine);
            }
            console::run_ask(&engine, &args, g.width)
        }
        Some(Command::Chat) => run_chat(g),
        Some(Command::Stats { json }) => run::run_stats(g, &app::open_engine(g, false)?, json),
        Some(Command::Eval {
            file,
            verbose,
            json,
            decline,
            compare_bm25,
            dump_candidates,
        }) => {
            let engine = app::open_engine(g, false)?;
            app::embed_now(g, &engine);
            let opts = run::EvalOptions {
                verbose,
                json,
                decline,
                compare_bm25,
                dump_candidates,
            };
            run::run_eval(&engine, &file, &opts)
        }
        Some(Command::Serve(args)) => discord::run_serve(g, &args),
        Some(Command::Commands { json }) => discord::run_commands(g, json),
        Some(Command::Feedback { json }) => discord::run_feedback(g, json),
        None if discord::token_set() => discord::run_serve(g, &cli::ServeArgs::from_env()),
        None => {
            eprintln!("No DISCORD_TOKEN set, so starting the local console. To connect to Discord, put DISCORD_TOKEN in .env (see README, \"Discord\").");
            run_chat(g)
        }
    }
}

fn run_chat(g: &cli::Global) -> anyhow::Result<()> {
    let health = app::start_metrics(g, service::Health::default())?;
    let (engine, role) = app::open_service(g)?;
    health
        .index_open
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let _upkeep = app::upkeep(g, &engine, &role, || {})?;
    app::embed_in_background(&engine);
    let history = (!g.in_memory).then(|| g.data.join("chat_history.txt"));
    console::run_chat(&engine, history, g.width)
}
