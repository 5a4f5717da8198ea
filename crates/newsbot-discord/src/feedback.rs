//! The feedback log: 👍/👎 votes and unanswered questions, one JSON object per line in the
//! data folder, and the summary `newsbot feedback` prints.
//!
//! User ids are left out unless the operator turns them on: the log exists to improve the
//! articles and topics, not to profile readers.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The log's file name inside the data folder.
pub const FILE_NAME: &str = "feedback.jsonl";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Vote,
    Unanswered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Up,
    Down,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    pub kind: Kind,
    pub command: String,
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// The passage as it was shown (possibly cut).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl Entry {
    pub fn now(kind: Kind, command: &str, question: &str) -> Entry {
        Entry {
            time: serenity::model::Timestamp::now().to_string(),
            kind,
            command: command.to_string(),
            question: question.to_string(),
            verdict: None,
            article_id: None,
            headline: None,
            rank: None,
            passage: None,
            user_id: None,
        }
    }
}

/// Appends entries to the log; one writer per process, serialised by a lock so concurrent
/// handlers never interleave lines.
pub struct FeedbackLog {
    path: PathBuf,
    record_user_ids: bool,
    lock: Mutex<()>,
}

impl FeedbackLog {
    pub fn new(path: impl Into<PathBuf>, record_user_ids: bool) -> FeedbackLog {
        FeedbackLog {
            path: path.into(),
            record_user_ids,
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entry`, keeping `user` only when the operator allowed it.
    pub fn append(&self, mut entry: Entry, user: Option<u64>) -> Result<(), Error> {
        entry.user_id = user.filter(|_| self.record_user_ids).map(|u| u.to_string());
        let mut line = serde_json::to_string(&entry).map_err(|e| Error::Feedback {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        line.push('\n');
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let io = |e: std::io::Error| Error::Feedback {
            path: self.path.clone(),
            message: e.to_string(),
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(io)
    }
}

/// Votes on one passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageVotes {
    pub article_id: String,
    pub headline: String,
    pub passage: String,
    pub up: usize,
    pub down: usize,
}

/// A question that failed: never answered, or answered with a 👎.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailingQuestion {
    pub question: String,
    pub unanswered: usize,
    pub down_votes: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub entries: usize,
    pub unanswered: usize,
    pub up: usize,
    pub down: usize,
    /// Lines that could not be read (hand edits, a crash mid-write).
    pub skipped_lines: usize,
    /// Most failures first.
    pub failing: Vec<FailingQuestion>,
    /// Most votes first.
    pub passages: Vec<PassageVotes>,
}

/// Reads the log at `path`. A missing log is an empty summary: no feedback yet.
pub fn summarise(path: &Path) -> Result<Summary, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Error::Feedback {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        }
    };
    Ok(summarise_text(&text))
}

fn failing_entry<'a>(
    map: &'a mut BTreeMap<String, FailingQuestion>,
    key: String,
    question: &str,
) -> &'a mut FailingQuestion {
    map.entry(key).or_insert_with(|| FailingQuestion {
        question: question.trim().to_string(),
        unanswered: 0,
        down_votes: 0,
    })
}

/// Summarises log text; unreadable lines are counted, not fatal.
pub fn summarise_text(text: &str) -> Summary {
    let mut s = Summary::default();
    let mut failing: BTreeMap<String, FailingQuestion> = BTreeMap::new();
    let mut passages: BTreeMap<(String, String), PassageVotes> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(e) = serde_json::from_str::<Entry>(line) else {
            s.skipped_lines += 1;
            continue;
        };
        s.entries += 1;
        let key = e.question.trim().to_lowercase();
        match (e.kind, e.verdict) {
            (Kind::Unanswered, _) => {
                s.unanswered += 1;
                failing_entry(&mut failing, key, &e.question).unanswered += 1;
            }
            (Kind::Vote, Some(v)) => {
                let article_id = e.article_id.clone().unwrap_or_default();
                let passage = e.passage.clone().unwrap_or_default();
                let pv = passages
                    .entry((article_id.clone(), passage.clone()))
                    .or_insert(PassageVotes {
                        article_id,
                        headline: e.headline.clone().unwrap_or_default(),
                        passage,
                        up: 0,
                        down: 0,
                    });
                if v == Verdict::Up {
                    s.up += 1;
                    pv.up += 1;
                } else {
                    s.down += 1;
                    pv.down += 1;
                    failing_entry(&mut failing, key, &e.question).down_votes += 1;
                }
            }
            (Kind::Vote, None) => s.skipped_lines += 1,
        }
    }
    s.failing = failing.into_values().collect();
    s.failing
        .sort_by_key(|f| std::cmp::Reverse(f.unanswered + f.down_votes));
    s.passages = passages.into_values().collect();
    s.passages.sort_by_key(|p| std::cmp::Reverse(p.up + p.down));
    s
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} entries: {} unanswered questions, {} 👍, {} 👎",
            self.entries, self.unanswered, self.up, self.down
        )?;
        if self.skipped_lines > 0 {
            writeln!(f, "({} unreadable lines skipped)", self.skipped_lines)?;
        }
        if !self.failing.is_empty() {
            writeln!(f, "\nQuestions that fail most (unanswered, 👎):")?;
            for q in self.failing.iter().take(20) {
                writeln!(
                    f,
                    "  {:>3} {:>3}  {}",
                    q.unanswered, q.down_votes, q.question
                )?;
            }
        }
        if !self.passages.is_empty() {
            writeln!(f, "\nVotes per passage (👍, 👎):")?;
            for p in self.passages.iter().take(20) {
                let excerpt: String = p.passage.chars().take(70).collect();
                writeln!(f, "  {:>3} {:>3}  {} — {excerpt}", p.up, p.down, p.headline)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_round_trips_and_summarises() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(FILE_NAME);
        let log = FeedbackLog::new(&path, false);
        log.append(Entry::now(Kind::Unanswered, "ask", "Who won?"), Some(42))
            .unwrap();
        log.append(Entry::now(Kind::Unanswered, "ask", "who won? "), None)
            .unwrap();
        let mut vote = Entry::now(Kind::Vote, "ask", "who was fined?");
        vote.verdict = Some(Verdict::Down);
        vote.article_id = Some("0123456789".into());
        vote.passage = Some("A fine".into());
        log.append(vote, Some(42)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("user_id"),
            "user ids are off by default: {text}"
        );
        let s = summarise_text(&format!("{text}not json\n"));
        assert_eq!(
            (s.entries, s.unanswered, s.down, s.skipped_lines),
            (3, 2, 1, 1)
        );
        assert_eq!(s.failing[0].unanswered, 2);
        assert_eq!(s.passages[0].down, 1);
        assert!(s.to_string().contains("Who won?"));
    }

    #[test]
    fn user_ids_only_when_enabled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        FeedbackLog::new(&path, true)
            .append(Entry::now(Kind::Unanswered, "ask", "q"), Some(42))
            .unwrap();
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("\"user_id\":\"42\""));
    }

    #[test]
    fn missing_log_is_empty() {
        let s = summarise(Path::new("/nonexistent/feedback.jsonl")).unwrap();
        assert_eq!(s.entries, 0);
    }
}
