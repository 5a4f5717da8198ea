//! The bot's words and topic commands, loaded from `prompts/` at start-up.
//!
//! `prompts/topics/*.toml` holds one topic command per file and `prompts/messages.toml` the
//! fixed texts. Fields are checked by hand rather than through serde so a bad file is reported
//! with the exact field that is wrong, which is what an editor of these files needs.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Serialize;
use toml::{Table, Value};

use crate::command::{self, Command};
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

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn bad(file: &str, field: &str, message: impl Into<String>) -> Error {
    PromptError::BadPrompt {
        file: file.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
    .into()
}

fn parse_table(file: &str, text: &str) -> Result<Table> {
    Ok(text
        .parse::<Table>()
        .map_err(|e| PromptError::PromptSyntax {
            file: file.to_string(),
            message: format!("not valid TOML: {}", e.message()),
        })?)
}

fn check_known(file: &str, table: &Table, known: &[&str]) -> Result<()> {
    match table.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(bad(
            file,
            k,
            format!("unknown field; expected one of: {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn string(file: &str, table: &Table, field: &str) -> Result<String> {
    match table.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::String(_)) => Err(bad(file, field, "must not be empty")),
        Some(other) => Err(bad(
            file,
            field,
            format!("must be a string, found {}", other.type_str()),
        )),
        None => Err(bad(file, field, "is missing")),
    }
}

fn strings(file: &str, table: &Table, field: &str) -> Result<Vec<String>> {
    match table.get(field) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                _ => Err(bad(file, field, "must be a list of non-empty strings")),
            })
            .collect(),
        Some(other) => Err(bad(
            file,
            field,
            format!("must be a list of strings, found {}", other.type_str()),
        )),
    }
}

/// Parses one topic file; `file` is used in error messages.
pub fn parse_topic(file: &str, text: &str) -> Result<Topic> {
    let table = parse_table(file, text)?;
    check_known(
        file,
        &table,
        &["name", "description", "query", "variants", "highlight"],
    )?;
    let name = string(file, &table, "name")?;
    // Discord's rule for command names, restricted to lowercase as Discord requires for
    // slash commands.
    let valid_name = command::is_valid_name(&name) && !name.chars().any(char::is_uppercase);
    if !valid_name {
        return Err(bad(
            file,
            "name",
            format!("`{name}` must be 1-32 lowercase letters, digits, `-` or `_`"),
        ));
    }
    if Command::is_built_in(&name) {
        return Err(bad(file, "name", format!("`{name}` is a built-in command")));
    }
    let description = string(file, &table, "description")?;
    let len = description.chars().count();
    if len > 100 {
        return Err(bad(
            file,
            "description",
            format!("is {len} characters; Discord allows 1-100"),
        ));
    }
    let query = string(file, &table, "query")?;
    let variants = strings(file, &table, "variants")?;
    let highlight = strings(file, &table, "highlight")?
        .into_iter()
        .map(|p| {
            Regex::new(&p).map_err(|e| bad(file, "highlight", format!("bad pattern `{p}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Topic {
        name,
        description,
        query,
        variants,
        highlight,
        file: file.to_string(),
    })
}

/// Parses `messages.toml`; every text is required so the bot never shows a blank reply.
pub fn parse_messages(file: &str, text: &str) -> Result<Messages> {
    let table = parse_table(file, text)?;
    check_known(file, &table, &MESSAGE_FIELDS)?;
    let [help, console_help, no_answer, closest_articles, closest_match, empty_question, unknown_command, error, rate_limited, not_found, no_more, more_left, more_left_ask, all_shown, all_on_topic, ask_first, welcome, sources, article_part, thanks, more_button, article_button, follow_added, follow_resumed, follow_exists, follow_unknown, follow_permission, follow_off, unfollowed, not_following, following, following_none, alert, digest] =
        MESSAGE_FIELDS.map(|field| string(file, &table, field));
    Ok(Messages {
        help: help?,
        console_help: console_help?,
        no_answer: no_answer?,
        closest_articles: closest_articles?,
        closest_match: closest_match?,
        empty_question: empty_question?,
        unknown_command: unknown_command?,
        error: error?,
        rate_limited: rate_limited?,
        not_found: not_found?,
        no_more: no_more?,
        more_left: more_left?,
        more_left_ask: more_left_ask?,
        all_shown: all_shown?,
        all_on_topic: all_on_topic?,
        ask_first: ask_first?,
        welcome: welcome?,
        sources: sources?,
        article_part: article_part?,
        thanks: thanks?,
        more_button: more_button?,
        article_button: article_button?,
        follow_added: follow_added?,
        follow_resumed: follow_resumed?,
        follow_exists: follow_exists?,
        follow_unknown: follow_unknown?,
        follow_permission: follow_permission?,
        follow_off: follow_off?,
        unfollowed: unfollowed?,
        not_following: not_following?,
        following: following?,
        following_none: following_none?,
        alert: alert?,
        digest: digest?,
    })
}

#[cfg(test)]
mod tests;
