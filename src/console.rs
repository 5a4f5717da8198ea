//! The console door: `ask`, `chat` and JSON lines. It shows what Discord shows (the same
//! passages, page by page, the same messages) without Discord's formatting.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use newsbot_core::dates;
use newsbot_core::prompts::Messages;
use newsbot_core::{Engine, Passage, Reply, ReplyKind, Request};
use serde::Serialize;

use crate::app;
use crate::cli::{AskArgs, ChatArgs, Global};
use newsbot_service::Start;

/// The `ask --json` object.
#[derive(Serialize)]
struct JsonReply<'a> {
    query: &'a str,
    command: &'a str,
    answered: bool,
    confidence: f32,
    /// `sure`, `closest` or `none`.
    #[serde(rename = "match")]
    match_kind: newsbot_core::Match,
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
    /// The cross-encoder's logit, when the passage was reranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    rerank: Option<f32>,
}

pub fn to_json(reply: &Reply) -> String {
    let j = JsonReply {
        query: &reply.query,
        command: &reply.command,
        answered: reply.answered,
        confidence: reply.confidence,
        match_kind: reply.match_kind,
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
                rerank: p.rerank,
            })
            .collect(),
    };
    serde_json::to_string(&j).expect("reply serialises")
}

/// How the console lays text out: bold highlights on a terminal, wrapped to a width, and
/// which console door it is (the paging hint differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub bold: bool,
    /// Wrap to this many columns; `None` (piped output) leaves lines whole.
    pub width: Option<usize>,
    pub door: Door,
}

/// The console's two doors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// `newsbot chat`: the next page is `/more`.
    Chat,
    /// One-shot `newsbot ask`: the next page is `--page N`.
    Ask,
}

/// Indent of a passage's lines under its "1. Headline" line.
const INDENT: &str = "   ";

/// Text as the console may print it: a control character (an escape sequence typed into
/// `/article`, a stray one in an article) is shown in caret notation (`^[`), never sent to
/// the terminal raw, where it could move the cursor or recolour the screen.
fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push(c),
            '\t' => out.push(' '),
            '\u{0}'..='\u{1f}' => {
                out.push('^');
                out.push(char::from(c as u8 + b'@'));
            }
            '\u{7f}' => out.push_str("^?"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Wraps highlighted spans. On a terminal they are bold; elsewhere the text is left plain.
fn with_highlights(p: &Passage, bold: bool) -> String {
    if !bold {
        return visible(&p.paragraph).into_owned();
    }
    let chars: Vec<char> = p.paragraph.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    let piece =
        |from: usize, to: usize| visible(&chars[from..to].iter().collect::<String>()).into_owned();
    for &[s, e] in &p.highlights {
        out.push_str(&piece(at, s));
        out.push_str("\x1b[1m");
        out.push_str(&piece(s, e));
        out.push_str("\x1b[0m");
        at = e;
    }
    out.push_str(&piece(at, chars.len()));
    out
}

/// `text` as lines of at most `width` columns (ANSI bold codes take no room), the first
/// starting with `first` and the rest with `rest`. Words are never broken: a word longer than
/// the line (a URL) overflows it.
fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    wrap_shown(&visible(text), width, first, rest)
}

/// [`wrap`] for text already made [`visible`] (a paragraph with its bold codes).
fn wrap_shown(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    let Some(width) = width else {
        return format!("{first}{text}");
    };
    let options = textwrap::Options::new(width.max(20))
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false);
    textwrap::fill(text, options)
}

/// The note under the last page: how many passages there were in all, and for a topic
/// command, that they are all the passages on its topic. Not shown under a single page of
/// answers to a question, where it would only be noise.
fn all_shown(reply: &Reply, view: &newsbot_core::PageView, m: &Messages) -> Option<String> {
    if view.passages.is_empty() || view.remaining > 0 {
        return None;
    }
    let count = reply.passages.len().to_string();
    let topic = reply.kind == ReplyKind::Answer && reply.command != "ask";
    if topic {
        Some(Messages::render(
            &m.all_on_topic,
            &[("count", &count), ("topic", &reply.command)],
        ))
    } else if view.number > 1 {
        Some(Messages::render(&m.all_shown, &[("count", &count)]))
    } else {
        None
    }
}

/// Answers `line` as the console shows it: the engine's reply, with the console's own help
/// text in place of Discord's.
fn answer(engine: &Engine, line: &str) -> newsbot_core::Result<Reply> {
    let mut reply = newsbot_core::telemetry::answer_counted("console", || {
        engine.answer(&Request::parse(line))
    })?;
    if reply.kind == ReplyKind::Help {
        reply.message = Some(engine.help_text_from(&engine.messages().console_help));
    }
    Ok(reply)
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
/// A page after the first carries only passages (or the note that there are no more), never
/// the reply's message again.
pub fn render(reply: &Reply, page: usize, layout: Layout, m: &Messages) -> String {
    let mut out = String::new();
    let page = page.max(1);
    let w = layout.width;
    if page > 1 && reply.passages.is_empty() {
        return format!("{}\n", m.no_more);
    }
    if let (Some(text), 1) = (&reply.message, page) {
        for para in text.split('\n') {
            out.push_str(&wrap(para, w, "", ""));
            out.push('\n');
        }
    }
    let sources = |p: &Passage| Messages::render(&m.sources, &[("sources", &p.sources.join(", "))]);
    if reply.kind == ReplyKind::Article {
        if page > 1 {
            return format!("{}\n", m.no_more);
        }
        if let Some(first) = reply.passages.first() {
            out.push_str(&format!("{}\n", wrap(&first.headline, w, "", "")));
            let when = dated(first);
            if let Some(rest) = when.strip_prefix(" · ") {
                out.push_str(&format!("{}\n", wrap(rest, w, "", "")));
            }
            out.push('\n');
        }
        let mut section: Option<&str> = None;
        for p in &reply.passages {
            if p.section.as_deref() != section {
                section = p.section.as_deref();
                if let Some(s) = section {
                    out.push_str(&format!("## {}\n\n", visible(s)));
                }
            }
            out.push_str(&format!("{}\n\n", wrap(&p.paragraph, w, "", "")));
        }
        if let Some(first) = reply.passages.first() {
            out.push_str(&format!("{}\n", wrap(&sources(first), w, "", "")));
        }
        return out;
    }
    let view = reply.page(page);
    if view.past_end {
        out.push_str(&format!("{}\n", m.no_more));
    }
    for p in view.passages {
        let rank = format!("{}. ", p.rank);
        let hang = " ".repeat(rank.chars().count().max(INDENT.len()));
        out.push_str(&format!("\n{}\n", wrap(&p.headline, w, &rank, &hang)));
        if let Some(s) = &p.section {
            out.push_str(&format!("{}\n", wrap(&format!("({s})"), w, &hang, &hang)));
        }
        out.push_str(&format!(
            "{}\n",
            wrap_shown(&with_highlights(p, layout.bold), w, &hang, &hang)
        ));
        let footer = format!("{}{}", sources(p), dated(p));
        out.push_str(&format!("{}\n", wrap(&footer, w, &hang, &hang)));
    }
    if view.remaining > 0 {
        let count = view.remaining.to_string();
        let next = (view.number + 1).to_string();
        let hint = match layout.door {
            Door::Chat => Messages::render(&m.more_left, &[("count", &count)]),
            Door::Ask => Messages::render(&m.more_left_ask, &[("count", &count), ("next", &next)]),
        };
        out.push_str(&format!("\n{}\n", wrap(&hint, w, "", "")));
    } else if let Some(note) = all_shown(reply, &view, m) {
        out.push_str(&format!("\n{}\n", wrap(&note, w, "", "")));
    }
    out
}

fn bold_output() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The wrap width: `--width` when given, else the terminal's; none when piped.
fn wrap_width(flag: Option<usize>) -> Option<usize> {
    if flag.is_some() {
        return flag.filter(|w| *w > 0);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// `ask`: opens the engine, embeds what is missing (unless `--now`), then answers.
pub fn run_ask(g: &Global, args: &AskArgs) -> Result<()> {
    let engine = app::open_engine(g, false)?;
    if args.now {
        app::note_coverage(&engine);
    } else {
        app::embed_now(g, &engine);
    }
    ask(&engine, args, g.width)
}

fn ask(engine: &Engine, args: &AskArgs, width: Option<usize>) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let answer_one = |out: &mut dyn Write, line: &str| -> Result<()> {
        let reply = answer(engine, line)?;
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
    let service = app::open(
        g,
        Start::Running {
            on_prompts: Box::new(|| {}),
        },
    )?;
    health
        .index_open
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let history = (!g.in_memory).then(|| g.data.join("chat_history.txt"));
    chat(&service.engine, history, g.width)
}

fn chat(engine: &Engine, history: Option<std::path::PathBuf>, width: Option<usize>) -> Result<()> {
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
    let layout = Layout {
        bold: bold_output(),
        width: wrap_width(width),
        door: Door::Chat,
    };
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
            _ => match answer(engine, line) {
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
