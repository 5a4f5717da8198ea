//! The console's text: a reply page as plain lines, highlights in bold on a terminal,
//! wrapped with a hanging indent, control characters made visible.

use std::io::IsTerminal;

use newsbot_core::dates;
use newsbot_core::prompts::Messages;
use newsbot_core::{Passage, Reply, ReplyKind};

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

pub(super) fn bold_output() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The wrap width: `--width` when given, else the terminal's; none when piped.
pub(super) fn wrap_width(flag: Option<usize>) -> Option<usize> {
    if flag.is_some() {
        return flag.filter(|w| *w > 0);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
}
