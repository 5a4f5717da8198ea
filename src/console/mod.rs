//! The console door: `ask`, `chat` and JSON lines. It shows what Discord shows (the same
//! passages, page by page, the same messages) without Discord's formatting.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use newsbot_core::prompts::Messages;
use newsbot_core::{Engine, Reply, ReplyKind, Request};

mod alerts;
mod json;
mod render;

pub use json::to_json;
use render::{bold_output, wrap_width};
pub use render::{render, Door, Layout};

use crate::app;
use crate::cli::{AskArgs, ChatArgs, Global};
use std::sync::Arc;

use newsbot_alerts::{FollowCommand, Store, Target};
use newsbot_core::reply::build;
use newsbot_service::{Service, Start};

/// Answers `line` as the console shows it: the engine's reply, with the console's own help
/// text in place of Discord's; a follow command follows for the console (`alerts` is the
/// subscriptions store).
fn answer(engine: &Engine, alerts: Option<&Store>, line: &str) -> newsbot_core::Result<Reply> {
    // A follow command is a slash command (`Request::parse` makes plain text an `ask`).
    let req = Request::parse(line);
    if let Some(cmd) = FollowCommand::parse(&req.command, &req.text) {
        let text = newsbot_alerts::run_command(alerts, engine, &Target::Console, &cmd);
        return Ok(build::note(
            &req.command,
            &req.text,
            ReplyKind::Following,
            text,
        ));
    }
    let mut reply = newsbot_core::telemetry::answer_counted("console", || engine.answer(&req))?;
    if reply.kind == ReplyKind::Help {
        reply.message = Some(engine.help_text_from(&engine.messages().console_help));
    }
    Ok(reply)
}

/// `ask`: opens the engine, embeds what is missing (unless `--now`), then answers.
pub fn run_ask(g: &Global, args: &AskArgs) -> Result<()> {
    let service = app::open(
        g,
        Start::Once {
            force_rebuild: false,
        },
    )?;
    if args.now {
        app::note_coverage(&service.engine);
    } else {
        app::embed_now(g, &service.engine);
    }
    ask(&service, args, g.width)
}

fn ask(service: &Service, args: &AskArgs, width: Option<usize>) -> Result<()> {
    let (engine, alerts) = (&*service.engine, service.alerts.as_deref());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let answer_one = |out: &mut dyn Write, line: &str| -> Result<()> {
        let reply = answer(engine, alerts, line)?;
        if args.json {
            writeln!(out, "{}", to_json(&reply))?;
        } else {
            let layout = Layout {
                bold: bold_output(),
                width: wrap_width(width),
                door: Door::Ask,
            };
            let page = render(&reply, args.page as usize, layout, &engine.messages());
            write!(out, "{page}")?;
        }
        Ok(())
    };
    if !args.text.is_empty() {
        return answer_one(&mut out, &args.text.join(" "));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        crate::error::user_bail!(
            "give a question, e.g. newsbot ask \"who was fined?\", or pipe questions one per line"
        );
    }
    // One answer per input line, in order, flushed as it goes so a script can stream. A line
    // that is not UTF-8 is read lossily and a blank one is answered as `ask ""` is, so the
    // n-th object out always belongs to the n-th line in. A question that fails is one error
    // object (or line), and the rest are still answered.
    let mut failed = 0usize;
    for line in stdin.lock().split(b'\n') {
        let bytes = line.context("reading questions from standard input")?;
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
        let text = String::from_utf8_lossy(bytes);
        if !args.json && text.trim().is_empty() {
            continue;
        }
        if let Err(e) = answer_one(&mut out, &text) {
            failed += 1;
            tracing::error!("answering {text:?}: {e:#}");
            if args.json {
                let obj = serde_json::json!({ "query": text, "error": format!("{e:#}") });
                writeln!(out, "{obj}")?;
            } else {
                writeln!(out, "{}", engine.messages().error)?;
            }
        }
        out.flush()?;
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} questions could not be answered (see the log)"
    );
    Ok(())
}

/// `chat`: the console, on a running service (the index kept current, passages embedded in
/// the background).
pub fn run_chat(g: &Global, _: &ChatArgs) -> Result<()> {
    let health = app::start_metrics(g, crate::service::Health::default())?;
    let layout = Layout {
        bold: bold_output(),
        width: wrap_width(g.width),
        door: Door::Chat,
    };
    let sink = Arc::new(alerts::ConsoleSink { layout });
    let service = app::open(
        g,
        Start::Running {
            on_prompts: Box::new(|| {}),
            alerts: Some(sink),
        },
    )?;
    health
        .index_open
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let history = (!g.in_memory).then(|| g.data.join("chat_history.txt"));
    chat(&service, history, layout)
}

fn chat(service: &Service, history: Option<std::path::PathBuf>, layout: Layout) -> Result<()> {
    let engine = &*service.engine;
    use rustyline::error::ReadlineError;
    let mut rl = rustyline::DefaultEditor::new().context("starting the line editor")?;
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    let stats = engine.stats();
    let m = engine.messages();
    println!(
        "{}",
        Messages::render(
            &m.welcome,
            &[
                ("articles", &stats.articles.to_string()),
                ("files", &stats.files.to_string()),
            ],
        )
    );
    let mut last: Option<(Reply, usize)> = None;
    loop {
        let line = match rl.readline("> ") {
            Ok(l) => l,
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => return Err(e).context("reading input"),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let _ = rl.add_history_entry(line);
        // Read per line: the prompts can be edited while the console runs.
        let m = engine.messages();
        let m = &*m;
        match line {
            "/quit" | "/exit" | "/q" => break,
            "/more" => match &mut last {
                Some((reply, page)) => {
                    *page += 1;
                    print!("{}", render(reply, *page, layout, m));
                }
                None => println!("{}", m.ask_first),
            },
            _ => match answer(engine, service.alerts.as_deref(), line) {
                Ok(reply) => {
                    print!("{}", render(&reply, 1, layout, m));
                    last = Some((reply, 1));
                }
                Err(e) => {
                    tracing::error!("answering {line:?}: {e:#}");
                    println!("{}", m.error);
                }
            },
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.save_history(h);
    }
    Ok(())
}
