//! The console door: `ask`, `chat` and JSON lines. It shows what Discord shows (the same
//! passages, page by page, the same messages) without Discord's formatting.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use newsbot_core::dates;
use newsbot_core::prompts::Messages;
use newsbot_core::{Engine, Passage, Reply, ReplyKind, Request};
use serde::Serialize;

use crate::cli::AskArgs;

/// The `ask --json` object.
#[derive(Serialize)]
struct JsonReply<'a> {
    query: &'a str,
    command: &'a str,
    answered: bool,
    confidence: f32,
    message: Option<&'a str>,
    results: Vec<JsonPassage<'a>>,
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    rank: usize,
    headline: &'a str,
    paragraph: &'a str,
    sources: &'a [String],
    score: f32,
    highlights: &'a [[usize; 2]],
    /// ISO 8601, when the article is dated.
    date: Option<&'a str>,
    url: Option<&'a str>,
}

pub fn to_json(reply: &Reply) -> String {
    let j = JsonReply {
        query: &reply.query,
        command: &reply.command,
        answered: reply.answered,
        confidence: reply.confidence,
        message: reply.message.as_deref(),
        results: reply
            .passages
            .iter()
            .map(|p| JsonPassage {
                rank: p.rank,
                headline: &p.headline,
                paragraph: &p.paragraph,
                sources: &p.sources,
                score: p.score,
                highlights: &p.highlights,
                date: p.date.as_deref(),
                url: p.url.as_deref(),
            })
            .collect(),
    };
    serde_json::to_string(&j).expect("reply serialises")
}

/// Wraps highlighted spans. On a terminal they are bold; elsewhere the text is left plain.
fn with_highlights(p: &Passage, bold: bool) -> String {
    if !bold {
        return p.paragraph.clone();
    }
    let chars: Vec<char> = p.paragraph.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    for &[s, e] in &p.highlights {
        out.extend(&chars[at..s]);
        out.push_str("\x1b[1m");
        out.extend(&chars[s..e]);
        out.push_str("\x1b[0m");
        at = e;
    }
    out.extend(&chars[at..]);
    out
}

/// The date and link of a passage's article, each with a leading " · ", when known.
fn dated(p: &Passage) -> String {
    let mut out = String::new();
    if let Some(d) = &p.date {
        out.push_str(&format!(" · {}", dates::shown(d)));
    }
    if let Some(u) = &p.url {
        out.push_str(&format!(" · {u}"));
    }
    out
}

/// Renders one page of a reply as plain text. `page` is 1-based; an article is shown whole.
pub fn render(reply: &Reply, page: usize, bold: bool, m: &Messages) -> String {
    let mut out = String::new();
    if let Some(text) = &reply.message {
        out.push_str(text);
        out.push('\n');
    }
    let sources = |p: &Passage| Messages::render(&m.sources, &[("sources", &p.sources.join(", "))]);
    if reply.kind == ReplyKind::Article {
        if let Some(first) = reply.passages.first() {
            out.push_str(&format!("{}\n", first.headline));
            let when = dated(first);
            if let Some(rest) = when.strip_prefix(" · ") {
                out.push_str(&format!("{rest}\n"));
            }
            out.push('\n');
        }
        let mut section: Option<&str> = None;
        for p in &reply.passages {
            if p.section.as_deref() != section {
                section = p.section.as_deref();
                if let Some(s) = section {
                    out.push_str(&format!("## {s}\n\n"));
                }
            }
            out.push_str(&format!("{}\n\n", p.paragraph));
        }
        if let Some(first) = reply.passages.first() {
            out.push_str(&format!("{}\n", sources(first)));
        }
        return out;
    }
    let view = reply.page(page);
    if view.past_end {
        out.push_str(&format!("{}\n", m.no_more));
    }
    for p in view.passages {
        out.push_str(&format!("\n{}. {}\n", p.rank, p.headline));
        if let Some(s) = &p.section {
            out.push_str(&format!("   ({s})\n"));
        }
        out.push_str(&format!("   {}\n", with_highlights(p, bold)));
        out.push_str(&format!("   {}{} · #{}\n", sources(p), dated(p), p.rank));
    }
    if view.remaining > 0 {
        let count = view.remaining.to_string();
        out.push_str(&format!(
            "\n{}\n",
            Messages::render(&m.more_left, &[("count", &count)])
        ));
    }
    out
}

fn bold_output() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub fn run_ask(engine: &Engine, args: &AskArgs) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let answer_one = |out: &mut dyn Write, line: &str| -> Result<()> {
        let reply = engine.answer(&Request::parse(line))?;
        if args.json {
            writeln!(out, "{}", to_json(&reply))?;
        } else {
            let page = render(&reply, args.page as usize, bold_output(), engine.messages());
            write!(out, "{page}")?;
        }
        Ok(())
    };
    if !args.text.is_empty() {
        return answer_one(&mut out, &args.text.join(" "));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        anyhow::bail!(
            "give a question, e.g. newsbot ask \"who was fined?\", or pipe questions one per line"
        );
    }
    // One answer per input line, in order, flushed as it goes so a script can stream.
    for line in stdin.lock().lines() {
        let line = line.context("reading questions from standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        answer_one(&mut out, &line)?;
        out.flush()?;
    }
    Ok(())
}

pub fn run_chat(engine: &Engine, history: Option<std::path::PathBuf>) -> Result<()> {
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
    let bold = bold_output();
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
        match line {
            "/quit" | "/exit" | "/q" => break,
            "/more" => match &mut last {
                Some((reply, page)) => {
                    *page += 1;
                    print!("{}", render(reply, *page, bold, m));
                }
                None => println!("{}", m.ask_first),
            },
            _ => match engine.answer(&Request::parse(line)) {
                Ok(reply) => {
                    print!("{}", render(&reply, 1, bold, m));
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
