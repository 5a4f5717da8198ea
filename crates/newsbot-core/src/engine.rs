//! The engine: a [`Request`] in, a [`Reply`] out. It knows nothing about Discord or the
//! terminal; every door renders the same `Reply`.

use std::collections::HashSet;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rustc_hash::FxHashSet;
use std::rc::Rc;

use regex::Regex;
use serde::Serialize;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{collector::TopDocs, TantivyDocument, Term};

use crate::analysis;
use crate::error::Result;
use crate::index::{ArticleMeta, Fields, SearchIndex};
use crate::prompts::{Messages, Prompts, Topic};
use crate::rank::{self, Weights};
use crate::text::{char_offset, squash};

/// How many passages a door shows at once. Both doors page by this so the console shows what
/// Discord shows.
pub const PAGE_SIZE: usize = 3;
/// How many ranked passages a reply carries (paging and MRR@10 need ten).
pub const MAX_RESULTS: usize = 10;
/// Candidates retrieved by BM25 for re-ranking.
const CANDIDATES: usize = 24;

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
    /// a plain question. A leading slash followed by a word is a command; anything else
    /// (including a lone "/" or "/ whatever") is a question.
    pub fn parse(input: &str) -> Request {
        let input = input.trim();
        if let Some(rest) = input.strip_prefix('/') {
            let mut parts = rest.splitn(2, char::is_whitespace);
            let name = parts.next().unwrap_or("");
            let valid = !name.is_empty()
                && name.chars().count() <= 32
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            if valid {
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
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub rank: usize,
    pub article_id: String,
    pub headline: String,
    pub paragraph: String,
    pub section: Option<String>,
    pub sources: Vec<String>,
    pub score: f32,
    /// `[start, end)` Unicode character offsets into `paragraph`, sorted, non-overlapping.
    pub highlights: Vec<[usize; 2]>,
}

/// Places to go when nothing answered well.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Suggestions {
    pub topics: Vec<String>,
    pub headlines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub command: String,
    pub query: String,
    pub kind: ReplyKind,
    pub answered: bool,
    /// Share of the question (weighted by word rarity) that the top passage or its article
    /// covers; `answered` is this against the calibrated threshold. 1.0 for non-questions.
    pub confidence: f32,
    /// Text shown instead of, or above, passages: help, the no-answer note, and so on.
    pub message: Option<String>,
    pub passages: Vec<Passage>,
    pub suggestions: Suggestions,
}

/// Counts a door can show (`stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub files: usize,
    pub articles: usize,
    pub passages: usize,
    pub topics: usize,
    pub skipped_files: usize,
}

/// The index the engine searches. Each request takes one snapshot (`current`) and uses it
/// throughout, so a re-index that swaps in a new index never mixes two versions in one
/// reply.
#[derive(Clone)]
pub struct IndexHandle(Arc<ArcSwap<SearchIndex>>);

impl IndexHandle {
    pub fn new(index: SearchIndex) -> IndexHandle {
        IndexHandle(Arc::new(ArcSwap::from_pointee(index)))
    }

    pub fn current(&self) -> Arc<SearchIndex> {
        self.0.load_full()
    }

    /// Atomically replaces the index; requests under way finish on the old one.
    pub fn replace(&self, index: SearchIndex) {
        self.0.store(Arc::new(index));
    }
}

pub struct Engine {
    index: IndexHandle,
    prompts: Arc<Prompts>,
    weights: Weights,
}

impl Engine {
    pub fn new(index: SearchIndex, prompts: Arc<Prompts>) -> Engine {
        Engine::with_handle(IndexHandle::new(index), prompts)
    }

    pub fn with_handle(index: IndexHandle, prompts: Arc<Prompts>) -> Engine {
        Engine {
            index,
            prompts,
            weights: Weights::default(),
        }
    }

    /// Replaces the ranking weights (for calibration experiments).
    pub fn set_weights(&mut self, weights: Weights) {
        self.weights = weights;
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
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
            skipped_files: m.warnings.len(),
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
        let base = |kind, message: Option<String>| Reply {
            command: command.clone(),
            query: text.clone(),
            kind,
            answered: false,
            confidence: 1.0,
            message,
            passages: Vec::new(),
            suggestions: Suggestions::default(),
        };
        match command.as_str() {
            "help" => Ok(base(ReplyKind::Help, Some(self.help_text()))),
            "ask" if rank::content_tokens(&text).is_empty() => {
                let mut r = base(
                    ReplyKind::EmptyQuestion,
                    Some(Messages::render(
                        &self.messages().empty_question,
                        &[("topics", &self.topic_list())],
                    )),
                );
                r.suggestions.topics = self.topic_names();
                Ok(r)
            }
            "ask" => self.search(&command, &text, None),
            "article" => self.article_by_text(&command, &text),
            name => match self.prompts.topic(name) {
                Some(topic) => self.search(&command, &text, Some(topic)),
                None => {
                    let mut r = base(
                        ReplyKind::UnknownCommand,
                        Some(Messages::render(
                            &self.messages().unknown_command,
                            &[("command", name), ("topics", &self.topic_list())],
                        )),
                    );
                    r.suggestions.topics = self.topic_names();
                    Ok(r)
                }
            },
        }
    }

    fn topic_names(&self) -> Vec<String> {
        self.prompts.topics.iter().map(|t| t.name.clone()).collect()
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
        let f = &idx.fields;
        let searcher = idx.reader.searcher();
        let w = &self.weights;
        let plan = rank::plan(&search_text, &self.prompts.variants, &searcher, f, w);
        let patterns: &[Regex] = topic.map(|t| &t.highlight[..]).unwrap_or(&[]);
        let mut ranked: Vec<(f32, f32, u64, Passage)> = Vec::new();
        if !plan.is_empty() {
            // A topic browses for paragraphs that are themselves about the topic, so only the
            // paragraph's own words count; a question may name the article's subject anywhere.
            let body_only = topic.is_some() && text.is_empty();
            let hits = searcher.search(
                &*rank::retrieval_query(&plan, f, &searcher, body_only),
                &TopDocs::with_limit(CANDIDATES).order_by_score(),
            )?;
            let best = hits.first().map(|h| h.0).unwrap_or(1.0).max(1e-6);
            let terms = plan.all_terms();
            for (bm25, addr) in hits {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let mut p = passage_from(f, &doc);
                let para = doc.get_first(f.para).and_then(|v| v.as_u64()).unwrap_or(0);
                let (score, coverage, spans) = if body_only {
                    // Topic browse: BM25 on the paragraph, lifted when it holds what the topic
                    // highlights (an amount for /fines, a record count for /breaches).
                    let spans: Vec<(usize, usize)> =
                        highlight_spans(&p.paragraph, &terms, patterns);
                    let has_pattern = patterns.iter().any(|r| r.is_match(&p.paragraph));
                    (
                        bm25 / best + if has_pattern { 0.3 } else { 0.0 },
                        1.0,
                        spans,
                    )
                } else {
                    let keys = doc
                        .get_first(f.keys)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    let article_terms: FxHashSet<Rc<str>> =
                        analysis::tokens(keys).into_iter().map(|t| t.term).collect();

                    let s = rank::score(
                        &plan,
                        w,
                        &p.paragraph,
                        &article_terms,
                        para == 0,
                        bm25 / best,
                    );
                    let mut spans = s.spans;
                    spans.extend(highlight_spans(&p.paragraph, &HashSet::new(), patterns));
                    (s.score, s.coverage, spans)
                };
                p.score = score;
                p.highlights = merge_spans(&p.paragraph, spans);
                ranked.push((score, coverage, para, p));
            }
        }
        // Ties break on article and paragraph so equal scores always rank the same way,
        // whatever order multi-threaded indexing left the documents in.
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| a.3.article_id.cmp(&b.3.article_id))
                .then(a.2.cmp(&b.2))
        });
        // Paragraph text is normalised at parse time, so equal text means the same paragraph.
        let mut seen = FxHashSet::default();
        ranked.retain(|r| seen.insert(r.3.paragraph.clone()));
        ranked.truncate(MAX_RESULTS);
        let confidence = match ranked.first() {
            None => 0.0,
            // A topic is a browse: any match is on topic because the query is curated.
            Some(_) if topic.is_some() && text.is_empty() => 1.0,
            Some(top) => top.1,
        };
        let answered = !ranked.is_empty() && confidence >= w.min_coverage;
        let passages: Vec<Passage> = ranked
            .into_iter()
            .enumerate()
            .map(|(i, (_, _, _, mut p))| {
                p.rank = i + 1;
                p
            })
            .collect();
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
            passages,
            suggestions: Suggestions::default(),
        };
        if !answered {
            reply.suggestions = self.suggest(&plan);
            reply.passages.clear();
            reply.message = Some(self.no_answer_text(&reply.suggestions));
        }
        Ok(reply)
    }

    fn suggest(&self, plan: &rank::Plan) -> Suggestions {
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
        let idx = self.index.current();
        let mut headlines: Vec<(usize, String)> = idx
            .headline_overlaps(&terms)
            .into_iter()
            .map(|o| (o.tokens, idx.manifest.articles[o.article].headline.clone()))
            .collect();
        headlines.sort_by_key(|h| std::cmp::Reverse(h.0));
        Suggestions {
            topics: topics.into_iter().map(|(_, n)| n).take(3).collect(),
            headlines: headlines.into_iter().map(|(_, h)| h).take(3).collect(),
        }
    }

    fn no_answer_text(&self, s: &Suggestions) -> String {
        let topics = s
            .topics
            .iter()
            .map(|t| format!("/{t}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut text = Messages::render(&self.messages().no_answer, &[("topics", &topics)]);
        if !s.headlines.is_empty() {
            text.push_str("\nClosest articles: ");
            text.push_str(&s.headlines.join(" · "));
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
            .map(|(i, (_, mut p))| {
                p.rank = i + 1;
                p
            })
            .collect();
        Ok(Some(Reply {
            command: "article".into(),
            query: meta.headline.clone(),
            kind: ReplyKind::Article,
            answered: true,
            confidence: 1.0,
            message: None,
            passages,
            suggestions: Suggestions::default(),
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
            suggestions: Suggestions {
                topics: Vec::new(),
                headlines: self
                    .complete_headline(text, 3)
                    .into_iter()
                    .map(|a| a.headline)
                    .collect(),
            },
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
        idx.headline_overlaps(&q.iter().map(String::as_str).collect())
            .into_iter()
            .filter(|o| o.distinct * 2 >= q.len())
            .max_by_key(|o| o.distinct)
            .map(|o| idx.manifest.articles[o.article].clone())
    }
}

/// A passage's display fields from its stored document; ranking fills score and highlights.
fn passage_from(f: &Fields, doc: &TantivyDocument) -> Passage {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    Passage {
        rank: 0,
        article_id: text(f.article),
        headline: text(f.headline),
        section: doc
            .get_first(f.section)
            .and_then(|v| v.as_str().map(str::to_string)),
        sources: doc
            .get_all(f.sources)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        paragraph: text(f.body),
        score: 0.0,
        highlights: Vec::new(),
    }
}

/// Byte spans of `paragraph` worth highlighting: words whose analysed term is in `terms`,
/// and matches of the topic's patterns.
pub fn highlight_spans(
    paragraph: &str,
    terms: &HashSet<&str>,
    patterns: &[Regex],
) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = analysis::tokens(paragraph)
        .into_iter()
        .filter(|t| terms.contains(&*t.term))
        .map(|t| (t.start, t.end))
        .collect();
    for re in patterns {
        spans.extend(re.find_iter(paragraph).map(|m| (m.start(), m.end())));
    }
    spans
}

/// Sorts byte spans, merges overlapping ones and ones separated only by spaces, and converts
/// them to `[start, end)` character offsets.
pub fn merge_spans(paragraph: &str, mut spans: Vec<(usize, usize)>) -> Vec<[usize; 2]> {
    spans.retain(|(s, e)| s < e && *e <= paragraph.len());
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 || paragraph[last.1..s].trim().is_empty() => {
                last.1 = last.1.max(e)
            }
            _ => merged.push((s, e)),
        }
    }
    merged
        .into_iter()
        .map(|(s, e)| [char_offset(paragraph, s), char_offset(paragraph, e)])
        .collect()
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

    proptest! {
        #[test]
        fn question_cleaning_never_panics(s in "\\PC{0,3000}") {
            let t = rank::content_tokens(&s);
            prop_assert!(t.iter().all(|t| !t.term.is_empty()));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,200}") {
            let r = Request::parse(&s);
            prop_assert!(r.command.chars().count() <= 32);
        }

        #[test]
        fn highlights_are_in_bounds(p in "\\PC{0,300}", w in "[a-z]{1,8}") {
            let terms: HashSet<&str> = [w.as_str()].into_iter().collect();
            let n = p.chars().count();
            for [s, e] in merge_spans(&p, highlight_spans(&p, &terms, &[])) {
                prop_assert!(s < e && e <= n);
            }
        }
    }
}
