//! newsbot's binary: argument parsing, logging, and dispatch. Everything else lives in the
//! library crates and the small modules beside this file.

mod app;
mod cli;
mod console;
mod discord;
mod error;
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
    // A bad flag is clap's error, exit 2 like every user error below.
    let cli = Cli::parse();
    match init_logging(&cli.global.log, cli.global.log_format).and_then(|()| run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(error::exit_code(&e))
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
            error::UserError(format!(
                "--log / NEWSBOT_LOG: {filter:?} is not a log filter ({e}); try `warn`, `info` or `newsbot=debug`"
            ))
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

/// Parse, then a typed `run_x` per subcommand.
fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Some(Command::Index(args)) => run::run_index(g, &args),
        Some(Command::FetchFeeds(args)) => run::run_fetch_feeds(g, &args),
        Some(Command::Ask(args)) => console::run_ask(g, &args),
        Some(Command::Chat(args)) => console::run_chat(g, &args),
        Some(Command::Stats(args)) => run::run_stats(g, &args),
        Some(Command::Eval(args)) => run::run_eval(g, &args),
        Some(Command::Serve(args)) => discord::run_serve(g, &args),
        Some(Command::Commands(args)) => discord::run_commands(g, &args),
        Some(Command::Feedback(args)) => discord::run_feedback(g, &args),
        None if discord::token_set() => discord::run_serve(g, &cli::ServeArgs::from_env()?),
        None => {
            eprintln!("No DISCORD_TOKEN set, so starting the local console. To connect to Discord, put DISCORD_TOKEN in .env (see README, \"Discord\").");
            console::run_chat(g, &cli::ChatArgs::default())
        }
    }
}
