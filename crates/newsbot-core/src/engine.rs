//! The engine: a [`Request`] in, a [`Reply`] out. It knows nothing about Discord or the
//! terminal; every door renders the same `Reply`.
//!
//! A question goes: [`Command`] dispatch → `rank::plan` → `rank::candidates` (retrieve and
//! score) → `rank::confidence` → a reply, or the no-answer note with the closest topics and
//! headlines. Every ranking number comes from the engine's one [`Tuning`].

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis;
use crate::command::Command;
use crate::error::Result;
use crate::index::{ArticleMeta, IndexHandle, SearchIndex};
use crate::prompts::{Messages, Prompts, Topic};
use crate::rank::pipeline::passage_from;
use crate::rank::{self, confidence, Plan, Search, TermStats, Tuning};
use crate::reply::{Passage, Reply, ReplyKind, Request, MAX_RESULTS};
use crate::text::squash;

/// How many topics and headlines the no-answer note suggests.
const SUGGESTIONS: usize = 3;

/// Counts a door can show (`stats`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files: usize,
    pub articles: usize,
    pub passages: usize,
    pub topics: usize,
    pub skipped_files: usize,
}

/// Places to go when nothing answered well, named in the no-answer note.
struct Suggestions {
    topics: Vec<String>,
    headlines: Vec<String>,
}

pub struct Engine {
    index: IndexHandle,
    prompts: Arc<Prompts>,
    tuning: Tuning,
}

impl Engine {
    pub fn new(index: SearchIndex, prompts: Arc<Prompts>) -> Engine {
        Engine::with_handle(IndexHandle::new(index), prompts)
    }

    pub fn with_handle(index: IndexHandle, prompts: Arc<Prompts>) -> Engine {
        Engine {
            index,
            prompts,
            tuning: Tuning::default(),
        }
    }

    /// Replaces the ranking knobs (for calibration experiments).
    pub fn set_tuning(&mut self, tuning: Tuning) {
        self.tuning = tuning;
    }

    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    pub fn prompts(&self) -> &Prompts {
        &self.prompts
    }

    pub fn messages(&self) -> &Messages {
        &self.prompts.messages
    }

    pub fn index(&self) -> &IndexHandle {
        &self.index
    }

    pub fn stats(&self) -> Stats {
        let idx = self.index.current();
        let m = &idx.manifest;
        Stats {
            files: m.files.len(),
            articles: m.articles.len(),
            passages: m.passages,
            topics: self.prompts.topics.len(),
            skipped_files: m.warnings.iter().filter(|w| !w.partial).count(),
        }
    }

    /// Every article in the index, in corpus order.
    pub fn articles(&self) -> Vec<ArticleMeta> {
        self.index.current().manifest.articles.clone()
    }

    /// Headlines matching what a user has typed so far, for autocomplete: prefix matches of
    /// any word first, then substring matches.
    pub fn complete_headline(&self, typed: &str, limit: usize) -> Vec<ArticleMeta> {
        let needle = typed.trim().to_lowercase();
        let idx = self.index.current();
        let mut scored: Vec<(usize, &ArticleMeta)> = idx
            .manifest
            .articles
            .iter()
            .filter_map(|a| {
                let h = a.headline.to_lowercase();
                if needle.is_empty() {
                    Some((2, a))
                } else if h.starts_with(&needle) {
                    Some((0, a))
                } else if h.split_whitespace().any(|w| w.starts_with(&needle)) {
                    Some((1, a))
                } else if h.contains(&needle) {
                    Some((2, a))
                } else {
                    None
                }
            })
            .collect();
        scored.sort_by_key(|(s, a)| (*s, a.headline.clone()));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, a)| a.clone())
            .collect()
    }

    /// Answers one request. Errors are only internal failures (an unreadable index); a bad
    /// question is never an error.
    pub fn answer(&self, req: &Request) -> Result<Reply> {
        let command = req.command.trim().to_lowercase();
        let text = squash(&req.text);
        let note = |kind, message: String| Reply {
            command: command.clone(),
            query: text.clone(),
            kind,
            answered: false,
            confidence: 1.0,
            message: Some(message),
            passages: Vec::new(),
        };
        match Command::from_name(&command) {
            Command::Help => Ok(note(ReplyKind::Help, self.help_text())),
            Command::Ask if rank::content_tokens(&text).is_empty() => Ok(note(
                ReplyKind::EmptyQuestion,
                Messages::render(
                    &self.messages().empty_question,
                    &[("topics", &self.topic_list())],
                ),
            )),
            Command::Ask => self.search(&command, &text, None),
            Command::Article => self.article_by_text(&command, &text),
            Command::Topic(name) => match self.prompts.topic(&name) {
                Some(topic) => self.search(&command, &text, Some(topic)),
                None => Ok(note(
                    ReplyKind::UnknownCommand,
                    Messages::render(
                        &self.messages().unknown_command,
                        &[("command", &name), ("topics", &self.topic_list())],
                    ),
                )),
            },
        }
    }

    fn topic_list(&self) -> String {
        self.prompts
            .topics
            .iter()
            .map(|t| format!("/{}", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn help_text(&self) -> String {
        let topics = self
            .prompts
            .topics
            .iter()
            .map(|t| format!("/{} — {}", t.name, t.description))
            .collect::<Vec<_>>()
            .join("\n");
        Messages::render(
            &self.messages().help,
            &[
                ("topics", &topics),
                ("articles", &self.stats().articles.to_string()),
            ],
        )
    }

    fn search(&self, command: &str, text: &str, topic: Option<&Topic>) -> Result<Reply> {
        let search_text = match topic {
            Some(t) if text.is_empty() => t.search_text(),
            Some(t) => format!("{} {}", text, t.search_text()),
            None => text.to_string(),
        };
        let idx = self.index.current();
        // Over a dated archive, "latest" words say when, not what (`rank::recency`).
        let latest = idx.dated && rank::recency::asks_for_latest(text);
        let search_text = if latest {
            rank::recency::without_latest_words(&search_text)
        } else {
            search_text
        };
        let searcher = idx.reader.searcher();
        let stats = TermStats::new(&searcher, &idx.fields);
        let t = &self.tuning;
        let plan = rank::plan(&search_text, &self.prompts.variants, &stats, t);
        let search = Search {
            plan: &plan,
            browse: topic.is_some() && text.is_empty(),
            patterns: topic.map(|t| &t.highlight[..]).unwrap_or(&[]),
            latest,
        };
        let mut ranked = rank::candidates(&searcher, &idx.fields, search, t)?;
        ranked.truncate(MAX_RESULTS);
        let confidence = confidence::confidence(ranked.first().map(|c| c.coverage), search.browse);
        let answered = confidence::answered(!ranked.is_empty(), confidence, t);
        let mut reply = Reply {
            command: command.to_string(),
            query: text.to_string(),
            kind: if answered {
                ReplyKind::Answer
            } else {
                ReplyKind::NoAnswer
            },
            answered,
            confidence,
            message: None,
            passages: Vec::new(),
        };
        if answered {
            reply.passages = ranked
                .into_iter()
                .enumerate()
                .map(|(i, c)| Passage {
                    rank: i + 1,
                    ..c.passage
                })
                .collect();
        } else {
            reply.message = Some(self.no_answer_text(&self.suggest(&idx, &plan)));
        }
        Ok(reply)
    }

    fn suggest(&self, idx: &SearchIndex, plan: &Plan) -> Suggestions {
        // Topics whose words overlap the question come first; all topics follow so there is
        // always somewhere to go.
        let terms = plan.all_terms();
        let mut topics: Vec<(usize, String)> = self
            .prompts
            .topics
            .iter()
            .map(|t| {
                let overlap = analysis::tokens(&t.search_text())
                    .into_iter()
                    .filter(|tok| terms.contains(&*tok.term))
                    .count();
                (overlap, t.name.clone())
            })
            .collect();
        topics.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut headlines: Vec<(usize, String)> = idx
            .headline_overlaps(&terms)
            .into_iter()
            .map(|o| (o.tokens, idx.manifest.articles[o.article].headline.clone()))
            .collect();
        headlines.sort_by_key(|h| std::cmp::Reverse(h.0));
        Suggestions {
            topics: topics
                .into_iter()
                .map(|(_, n)| n)
                .take(SUGGESTIONS)
                .collect(),
            headlines: headlines
                .into_iter()
                .map(|(_, h)| h)
                .take(SUGGESTIONS)
                .collect(),
        }
    }

    fn no_answer_text(&self, s: &Suggestions) -> String {
        let topics = s
            .topics
            .iter()
            .map(|t| format!("/{t}"))
            .collect::<Vec<_>>()
            .join(", ");
        let m = self.messages();
        let mut text = Messages::render(&m.no_answer, &[("topics", &topics)]);
        if !s.headlines.is_empty() {
            text.push('\n');
            text.push_str(&Messages::render(
                &m.closest_articles,
                &[("headlines", &s.headlines.join(" · "))],
            ));
        }
        text
    }

    /// The whole article `id` as a reply: every paragraph in order.
    pub fn article(&self, id: &str) -> Result<Option<Reply>> {
        let idx = self.index.current();
        let Some(meta) = idx.article_meta(id) else {
            return Ok(None);
        };
        let f = &idx.fields;
        let searcher = idx.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(f.article, id),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(
            &q,
            &TopDocs::with_limit(meta.paragraphs.max(1)).order_by_score(),
        )?;
        let mut by_para: Vec<(u64, Passage)> = Vec::new();
        for (_, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let para = doc.get_first(f.para).and_then(|v| v.as_u64()).unwrap_or(0);
            by_para.push((para, passage_from(f, &doc)));
        }
        by_para.sort_by_key(|(i, _)| *i);
        let passages = by_para
            .into_iter()
            .enumerate()
            .map(|(i, (_, p))| Passage { rank: i + 1, ..p })
            .collect();
        Ok(Some(Reply {
            command: Command::Article.name().into(),
            query: meta.headline.clone(),
            kind: ReplyKind::Article,
            answered: true,
            confidence: 1.0,
            message: None,
            passages,
        }))
    }

    /// `/article <text>` typed as text: an exact id, else the best headline match.
    fn article_by_text(&self, command: &str, text: &str) -> Result<Reply> {
        let id = if self.index.current().article_meta(text).is_some() {
            Some(text.to_string())
        } else {
            self.best_headline(text).map(|a| a.id)
        };
        if let Some(reply) = id.map(|id| self.article(&id)).transpose()?.flatten() {
            return Ok(reply);
        }
        Ok(Reply {
            command: command.to_string(),
            query: text.to_string(),
            kind: ReplyKind::NoAnswer,
            answered: false,
            confidence: 0.0,
            message: Some(Messages::render(
                &self.messages().not_found,
                &[("query", text)],
            )),
            passages: Vec::new(),
        })
    }

    fn best_headline(&self, text: &str) -> Option<ArticleMeta> {
        let q: HashSet<String> = rank::content_tokens(text)
            .into_iter()
            .map(|t| t.term.to_string())
            .collect();
        if q.is_empty() {
            return None;
        }
        let idx = self.index.current();
        let need = self.tuning.headline_match * q.len() as f32;
        idx.headline_overlaps(&q.iter().map(String::as_str).collect())
            .into_iter()
            .filter(|o| o.distinct as f32 >= need)
            .max_by_key(|o| o.distinct)
            .map(|o| idx.manifest.articles[o.article].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn question_cleaning_never_panics(s in "\\PC{0,3000}") {
            let t = rank::content_tokens(&s);
            prop_assert!(t.iter().all(|t| !t.term.is_empty()));
        }
    }
}
