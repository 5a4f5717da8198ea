//! Equivalent words and phrases (`prompts/variants.toml`), so a question that says "hack"
//! also finds a paragraph that says "unauthorised access". Members are analysed with the same
//! stemmer as the index, so each group is stored as sequences of index terms.

use std::collections::HashMap;

use toml::{Table, Value};

use newsbot_index::analysis;

/// A prompts file (`variants.toml` here, the topic files and `messages.toml` in the engine)
/// that cannot be used, naming the file and the field to fix.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("{file}: field `{field}`: {message}")]
    BadPrompt {
        file: String,
        field: String,
        message: String,
    },
    #[error("{file}: {message}")]
    PromptSyntax { file: String, message: String },
}

use PromptError as Error;
type Result<T> = std::result::Result<T, PromptError>;

/// A member of a group: one or more index terms in order ("united kingdom" → two).
pub type Phrase = Vec<String>;

#[derive(Debug, Clone, Default)]
pub struct Variants {
    groups: Vec<Vec<Phrase>>,
    /// First term of each member → (group, member) pairs that start with it.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

impl Variants {
    pub fn parse(file: &str, text: &str) -> Result<Variants> {
        let bad = |message: String| Error::BadPrompt {
            file: file.to_string(),
            field: "groups".into(),
            message,
        };
        let table = text.parse::<Table>().map_err(|e| Error::PromptSyntax {
            file: file.to_string(),
            message: format!("not valid TOML: {}", e.message()),
        })?;
        if let Some(k) = table.keys().find(|k| k.as_str() != "groups") {
            return Err(Error::BadPrompt {
                file: file.to_string(),
                field: k.clone(),
                message: "unknown field; expected: groups".into(),
            });
        }
        let Some(Value::Array(groups)) = table.get("groups") else {
            return Err(bad("must be a list of lists of strings".into()));
        };
        let mut out = Variants::default();
        for (gi, group) in groups.iter().enumerate() {
            let Value::Array(members) = group else {
                return Err(bad(format!("group {} is not a list of strings", gi + 1)));
            };
            let mut phrases = Vec::new();
            for m in members {
                let Value::String(s) = m else {
                    return Err(bad(format!("group {} holds a non-string", gi + 1)));
                };
                let terms: Phrase = analysis::tokens(s)
                    .into_iter()
                    .map(|t| t.term.to_string())
                    .collect();
                if terms.is_empty() {
                    return Err(bad(format!("group {}: `{s}` has no words", gi + 1)));
                }
                if !phrases.contains(&terms) {
                    phrases.push(terms);
                }
            }
            if phrases.len() < 2 {
                return Err(bad(format!(
                    "group {} needs at least two members that differ after stemming",
                    gi + 1
                )));
            }
            let g = out.groups.len();
            for (mi, p) in phrases.iter().enumerate() {
                out.by_first.entry(p[0].clone()).or_default().push((g, mi));
            }
            out.groups.push(phrases);
        }
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The alternatives for the question term at `i` of `terms`: every other member of every
    /// group that has a member matching the question at that point (a single term, or a
    /// phrase starting there). Returned with the length of question text it replaces.
    pub fn alternatives(&self, terms: &[String], i: usize) -> Vec<(usize, Phrase)> {
        let mut out: Vec<(usize, Phrase)> = Vec::new();
        for &(g, m) in self.by_first.get(&terms[i]).into_iter().flatten() {
            let member = &self.groups[g][m];
            if terms[i..].starts_with(member) {
                for (oi, other) in self.groups[g].iter().enumerate() {
                    if oi != m && !out.iter().any(|(_, p)| p == other) && other != member {
                        out.push((member.len(), other.clone()));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_and_stems() {
        let v = Variants::parse(
            "v.toml",
            "groups = [[\"hack\", \"unauthorised access\"], [\"uk\", \"united kingdom\"]]",
        )
        .unwrap();
        let q: Vec<String> = ["hacked"].iter().map(|s| s.to_string()).collect();
        let q: Vec<String> = q
            .iter()
            .flat_map(|s| analysis::tokens(s))
            .map(|t| t.term.to_string())
            .collect();
        let alts = v.alternatives(&q, 0);
        assert_eq!(alts[0].1, vec!["unauthoris", "access"]);
        let q = vec!["unit".to_string(), "kingdom".to_string()];
        assert_eq!(v.alternatives(&q, 0)[0], (2, vec!["uk".to_string()]));
    }

    #[test]
    fn bad_groups_name_the_field() {
        let e = Variants::parse("v.toml", "groups = [[\"only\"]]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("v.toml") && e.contains("`groups`"), "{e}");
    }
}
