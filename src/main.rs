//! newsbot's binary: argument parsing, logging, and dispatch. Everything else lives in the
//! library crates and the small modules beside this file.

mod app;
mod cli;
mod console;
mod discord;
mod run;

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
    init_logging(&cli.global.log);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Some(Command::Index { verbose }) => run::run_index(g, verbose),
        Some(Command::FetchFeeds) => run::run_fetch_feeds(g),
        Some(Command::Ask(args)) => console::run_ask(&app::open_engine(g, false)?, &args),
        Some(Command::Chat) => run_chat(g),
        Some(Command::Stats { json }) => run::run_stats(g, &app::open_engine(g, false)?, json),
        Some(Command::Eval {
            file,
            verbose,
            json,
        }) => run::run_eval(&app::open_engine(g, false)?, &file, verbose, json),
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
    let engine = app::open_engine(g, false)?;
    let _watcher = app::watch_seeds(g, &engine);
    let _feeds = app::follow_feeds(g)?;
    let history = (!g.in_memory).then(|| g.data.join("chat_history.txt"));
    console::run_chat(&engine, history)
}
