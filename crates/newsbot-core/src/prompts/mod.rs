//! The bot's words and topic commands, loaded from `prompts/` at start-up.
//!
//! `prompts/topics/*.toml` holds one topic command per file and `prompts/messages.toml` the
//! fixed texts. Fields are checked by hand rather than through serde so a bad file is reported
//! with the exact field that is wrong, which is what an editor of these files needs.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::variants::{PromptError, Variants};

mod handle;
pub use handle::{MessagesRef, PromptSet, PromptsHandle};

/// A topic command such as `/fines`: a fixed query with variants, and patterns worth
/// highlighting in its answers.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    pub name: String,
    pub description: String,
    pub query: String,
    pub variants: Vec<String>,
    #[serde(serialize_with = "ser_regexes")]
    pub highlight: Vec<Regex>,
    pub file: String,
}

fn ser_regexes<S: serde::Serializer>(v: &[Regex], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|r| r.as_str()))
}

impl Topic {
    /// The full text searched for this topic: its query and every variant.
    /// What the topic is about in words a person would use, for comparing by meaning
    /// (its description and query, not its list of variants).
    pub fn semantic_text(&self) -> String {
        format!("{}: {}", self.description, self.query)
    }

    pub fn search_text(&self) -> String {
        let mut t = self.query.clone();
        for v in &self.variants {
            t.push(' ');
            t.push_str(v);
        }
        t
    }
}

/// The bot's fixed texts: every word a door shows that is not from an article. Placeholders
/// in `{braces}` are filled by [`Messages::render`].
#[derive(Debug, Clone, Serialize)]
pub struct Messages {
    pub help: String,
    pub console_help: String,
    pub no_answer: String,
    pub closest_articles: String,
    pub closest_match: String,
    pub empty_question: String,
    pub unknown_command: String,
    pub error: String,
    pub rate_limited: String,
    pub not_found: String,
    pub no_more: String,
    pub more_left: String,
    pub more_left_ask: String,
    pub all_shown: String,
    pub all_on_topic: String,
    pub ask_first: String,
    pub welcome: String,
    pub sources: String,
    pub article_part: String,
    pub thanks: String,
    pub more_button: String,
    pub article_button: String,
    pub follow_added: String,
    pub follow_resumed: String,
    pub follow_exists: String,
    pub follow_unknown: String,
    pub follow_permission: String,
    pub follow_off: String,
    pub unfollowed: String,
    pub not_following: String,
    pub following: String,
    pub following_none: String,
    pub alert: String,
    pub digest: String,
}

/// The fields of `messages.toml`, in file order.
const MESSAGE_FIELDS: [&str; 34] = [
    "help",
    "console_help",
    "no_answer",
    "closest_articles",
    "closest_match",
    "empty_question",
    "unknown_command",
    "error",
    "rate_limited",
    "not_found",
    "no_more",
    "more_left",
    "more_left_ask",
    "all_shown",
    "all_on_topic",
    "ask_first",
    "welcome",
    "sources",
    "article_part",
    "thanks",
    "more_button",
    "article_button",
    "follow_added",
    "follow_resumed",
    "follow_exists",
    "follow_unknown",
    "follow_permission",
    "follow_off",
    "unfollowed",
    "not_following",
    "following",
    "following_none",
    "alert",
    "digest",
];

impl Messages {
    /// Fills `{key}` placeholders. Unknown placeholders stay as written so a typo in a
    /// template is visible rather than silently blank.
    pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
        let mut out = template.to_string();
        for (k, v) in vars {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out.trim().to_string()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Prompts {
    pub topics: Vec<Topic>,
    pub messages: Messages,
    /// Equivalent words for question expansion (`variants.toml`; optional).
    #[serde(skip)]
    pub variants: Variants,
    pub dir: PathBuf,
}

impl Prompts {
    /// Every topic command, as `/fines, /breaches`.
    pub fn topic_list(&self) -> String {
        self.topics
            .iter()
            .map(|t| format!("/{}", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A help text from `template`, with its `{topics}` and `{articles}` filled in: each
    /// door has its own wording (Discord's is `help`, the console's `console_help`).
    pub fn help_text(&self, template: &str, articles: usize) -> String {
        let topics = self
            .topics
            .iter()
            .map(|t| format!("/{} — {}", t.name, t.description))
            .collect::<Vec<_>>()
            .join("\n");
        Messages::render(
            template,
            &[("topics", &topics), ("articles", &articles.to_string())],
        )
    }

    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.name == name)
    }

    /// Loads and validates the whole folder. Any bad file stops start-up with an error that
    /// names the file and the field.
    pub fn load(dir: &Path) -> Result<Prompts> {
        let unreadable = |cause| Error::PromptsUnreadable {
            path: dir.to_path_buf(),
            cause,
        };
        let messages_path = dir.join("messages.toml");
        let messages = parse_messages(
            &display(&messages_path),
            &std::fs::read_to_string(&messages_path).map_err(unreadable)?,
        )?;
        let topics_dir = dir.join("topics");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&topics_dir)
            .map_err(|cause| Error::PromptsUnreadable {
                path: topics_dir.clone(),
                cause,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut topics: Vec<Topic> = Vec::new();
        for path in paths {
            let file = display(&path);
            let text = std::fs::read_to_string(&path).map_err(|e| PromptError::PromptSyntax {
                file: file.clone(),
                message: format!("cannot be read: {e}"),
            })?;
            let topic = parse_topic(&file, &text)?;
            if let Some(prev) = topics.iter().find(|t| t.name == topic.name) {
                return Err(bad(
                    &file,
                    "name",
                    format!("`{}` is already used by {}", topic.name, prev.file),
                ));
            }
            topics.push(topic);
        }
        let variants_path = dir.join("variants.toml");
        let variants = match std::fs::read_to_string(&variants_path) {
            Ok(text) => Variants::parse(&display(&variants_path), &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Variants::default(),
            Err(e) => {
                return Err(PromptError::PromptSyntax {
                    file: display(&variants_path),
                    message: format!("cannot be read: {e}"),
                }
                .into())
            }
        };
        Ok(Prompts {
            topics,
            messages,
            variants,
            dir: dir.to_path_buf(),
        })
    }
}

mod parse;
use parse::{bad, display};
pub use parse::{parse_messages, parse_topic};

#[cfg(test)]
mod tests;
