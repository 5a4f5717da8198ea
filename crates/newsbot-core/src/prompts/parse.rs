//! Reading the prompts files field by field, so a bad file is reported with the exact field
//! that is wrong.

use std::path::Path;

use regex::Regex;
use toml::{Table, Value};

use crate::command::{self, Command};
use crate::error::{Error, Result};
use crate::variants::PromptError;

use super::{Messages, Topic, MESSAGE_FIELDS};

pub(super) fn display(p: &Path) -> String {
    p.display().to_string()
}

pub(super) fn bad(file: &str, field: &str, message: impl Into<String>) -> Error {
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
