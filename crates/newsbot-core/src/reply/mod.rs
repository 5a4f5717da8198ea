//! The contract between the engine and its doors: a [`Request`] in, a [`Reply`] out, and the
//! page of a reply a door shows at once.

use serde::Serialize;

use crate::command;
pub use crate::index::Passage;
pub use crate::rank::confidence::Match;

pub mod build;

/// How many passages a door shows at once. Both doors page by this (through
/// [`Reply::page`]) so the console shows what Discord shows.
pub const PAGE_SIZE: usize = 3;
/// How many ranked passages a reply carries (paging and MRR@10 need ten).
pub const MAX_RESULTS: usize = 10;

/// What a user asked: a command name (`ask`, a topic, `help`, `article`) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub command: String,
    pub text: String,
}

impl Request {
    pub fn new(command: impl Into<String>, text: impl Into<String>) -> Request {
        Request {
            command: command.into(),
            text: text.into(),
        }
    }

    pub fn ask(text: impl Into<String>) -> Request {
        Request::new("ask", text)
    }

    /// Reads what a person types in a DM or the console: `/fines`, `/ask who was fined?`, or
    /// a plain question. A leading slash followed by a valid command name is a command;
    /// anything else (including a lone "/" or "/ whatever") is a question.
    pub fn parse(input: &str) -> Request {
        let input = input.trim();
        if let Some(rest) = input.strip_prefix('/') {
            let mut parts = rest.splitn(2, char::is_whitespace);
            let name = parts.next().unwrap_or("");
            if command::is_valid_name(name) {
                return Request::new(
                    name.to_lowercase(),
                    parts.next().unwrap_or("").trim().to_string(),
                );
            }
        }
        Request::ask(input)
    }
}

/// What kind of reply this is, so a door can pick a layout without inspecting text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    Answer,
    NoAnswer,
    Help,
    EmptyQuestion,
    UnknownCommand,
    Article,
    /// What a follow command (`/follow`, `/unfollow`, `/following`) did, or lists.
    Following,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub command: String,
    pub query: String,
    pub kind: ReplyKind,
    /// Whether passages are shown as an answer (`match_kind` is sure or closest).
    pub answered: bool,
    /// The decision score `rank::confidence::decide` compares with its two thresholds:
    /// question-passage similarity plus lexical coverage. 1.0 for non-questions.
    pub confidence: f32,
    #[serde(rename = "match")]
    pub match_kind: Match,
    /// Text shown instead of, or above, passages: help, the no-answer note (which names the
    /// closest topics and headlines), and so on.
    pub message: Option<String>,
    pub passages: Vec<Passage>,
}

/// One page of a reply's passages, as a door shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageView<'a> {
    /// 1-based.
    pub number: usize,
    pub passages: &'a [Passage],
    /// Passages after this page.
    pub remaining: usize,
    /// The reply has passages but this page is past the last of them ("No more results").
    pub past_end: bool,
}

impl Reply {
    /// Page `n` (1-based; 0 counts as 1) of the passages, [`PAGE_SIZE`] at a time.
    pub fn page(&self, n: usize) -> PageView<'_> {
        let number = n.max(1);
        let len = self.passages.len();
        let start = (number - 1).saturating_mul(PAGE_SIZE).min(len);
        let end = start.saturating_add(PAGE_SIZE).min(len);
        PageView {
            number,
            passages: &self.passages[start..end],
            remaining: len - end,
            past_end: start == end && len > 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_commands() {
        assert_eq!(Request::parse("/fines"), Request::new("fines", ""));
        assert_eq!(
            Request::parse("/ask who was fined?"),
            Request::new("ask", "who was fined?")
        );
        assert_eq!(Request::parse("who?"), Request::ask("who?"));
        assert_eq!(Request::parse("/"), Request::ask("/"));
        assert_eq!(
            Request::parse("/FINES  cnil "),
            Request::new("fines", "cnil")
        );
    }

    fn reply_with(n: usize) -> Reply {
        let p = |rank| Passage {
            rank,
            article_id: "a".into(),
            headline: "h".into(),
            paragraph: format!("p{rank}"),
            section: None,
            sources: Vec::new(),
            score: 1.0,
            highlights: Vec::new(),
            date: None,
            url: None,
            rerank: None,
        };
        Reply {
            command: "ask".into(),
            query: "q".into(),
            kind: ReplyKind::Answer,
            answered: n > 0,
            confidence: 1.0,
            match_kind: if n > 0 { Match::Sure } else { Match::None },
            message: None,
            passages: (1..=n).map(p).collect(),
        }
    }

    #[test]
    fn pages_slice_by_page_size() {
        let r = reply_with(7);
        let first = r.page(1);
        assert_eq!(first.passages.len(), PAGE_SIZE);
        assert_eq!(first.passages[0].rank, 1);
        assert_eq!(first.remaining, 4);
        assert!(!first.past_end);
        assert_eq!(r.page(0), first);
        let last = r.page(3);
        assert_eq!(last.passages.len(), 1);
        assert_eq!(last.passages[0].rank, 7);
        assert_eq!(last.remaining, 0);
        let beyond = r.page(4);
        assert!(beyond.passages.is_empty() && beyond.past_end);
        let none = reply_with(0);
        let empty = none.page(2);
        assert!(empty.passages.is_empty() && !empty.past_end);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,200}") {
            let r = Request::parse(&s);
            prop_assert!(r.command.chars().count() <= 32);
        }

        #[test]
        fn pages_never_panic(n in 0usize..30, page in 0usize..usize::MAX) {
            let r = reply_with(n);
            let v = r.page(page);
            prop_assert!(v.passages.len() <= PAGE_SIZE);
        }
    }
}
