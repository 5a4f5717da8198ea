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
use crate::rank::confidence::{self, Features};
use crate::rank::pipeline::{passage_from, Meaning, Semantics};
use crate::rank::{self, Candidate, Plan, Search, TermStats, Tuning};
use crate::reply::{Match, Passage, Reply, ReplyKind, Request, MAX_RESULTS};
use crate::reranker::Reranker;
use crate::semantic::{Nearby, Semantic, SemanticError};
use crate::text::squash;
use crate::vectors::QVec;

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
    /// `on (model, dims)` or `off (why)`.
    pub semantic: String,
    /// `on (model, top K)` or `off (why)`: the cross-encoder reranker.
    pub rerank: String,
    /// Distinct passage texts in the index, and how many of them have a vector.
    pub distinct_passages: usize,
    pub embedded: usize,
}

/// A question's ordered candidates, and what the decision needs beyond them.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub plan: Plan,
    pub candidates: Vec<Candidate>,
    /// Share of the question's content words the corpus holds at all.
    pub known: f32,
    /// The question's vector, when the model is on.
    pub query: Option<QVec>,
}

impl Ranked {
    /// What the decision reads: the top candidate's evidence and the best cosine of all.
    pub fn features(candidates: &[Candidate], known: f32) -> Option<Features> {
        let top = candidates.first()?;
        Some(Features {
            coverage: top.coverage,
            cos: top.cos,
            best_cos: candidates.iter().filter_map(|c| c.cos).fold(0.0, f32::max),
            known,
            lexical: top.parts.total() - top.parts.semantic,
            logit: candidates.iter().filter_map(|c| c.rerank).reduce(f32::max),
        })
    }
}

/// Whether semantic ranking is on, and if not, why (shown by `stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SemanticStatus {
    On,
    Off(String),
}

/// Places to go when nothing answered well, named in the no-answer note.
struct Suggestions {
    topics: Vec<String>,
    headlines: Vec<String>,
}

/// One version of the prompts, with what is derived from them.
struct PromptSet {
    prompts: Arc<Prompts>,
    /// Each topic's vector (its description and words), embedded on first use.
    topic_vectors: std::sync::OnceLock<Vec<Option<QVec>>>,
}

impl PromptSet {
    fn new(prompts: Arc<Prompts>) -> Arc<PromptSet> {
        Arc::new(PromptSet {
            prompts,
            topic_vectors: std::sync::OnceLock::new(),
        })
    }

    fn topic_vectors(&self, sem: &Semantic) -> &[Option<QVec>] {
        self.topic_vectors.get_or_init(|| {
            self.prompts
                .topics
                .iter()
                .map(|t| sem.query(&t.semantic_text()))
                .collect()
        })
    }
}

/// The prompts a running engine answers with, swapped whole when `prompts/` is edited
/// (see [`live::prompts`](crate::live::prompts)); a reply already under way keeps the
/// version it started with.
#[derive(Clone)]
pub struct PromptsHandle(Arc<arc_swap::ArcSwap<PromptSet>>);

impl PromptsHandle {
    pub fn current(&self) -> Arc<Prompts> {
        self.0.load().prompts.clone()
    }

    /// Puts new prompts in place for every reply from now on.
    pub fn replace(&self, prompts: Arc<Prompts>) {
        self.0.store(PromptSet::new(prompts));
    }

    fn set(&self) -> Arc<PromptSet> {
        self.0.load_full()
    }
}

/// The messages of the current prompts, held for as long as the caller needs them.
pub struct MessagesRef(Arc<Prompts>);

impl std::ops::Deref for MessagesRef {
    type Target = Messages;
    fn deref(&self) -> &Messages {
        &self.0.messages
    }
}

pub struct Engine {
    index: IndexHandle,
    prompts: PromptsHandle,
    tuning: Tuning,
    semantic: Option<Arc<Semantic>>,
    semantic_status: SemanticStatus,
    reranker: Option<Arc<dyn Reranker>>,
    rerank_status: SemanticStatus,
}

impl Engine {
    pub fn new(index: SearchIndex, prompts: Arc<Prompts>) -> Engine {
        Engine::with_handle(IndexHandle::new(index), prompts)
    }

    pub fn with_handle(index: IndexHandle, prompts: Arc<Prompts>) -> Engine {
        Engine {
            index,
            prompts: PromptsHandle(Arc::new(arc_swap::ArcSwap::new(PromptSet::new(prompts)))),
            tuning: Tuning::default(),
            semantic: None,
            semantic_status: SemanticStatus::Off("no model loaded".into()),
            reranker: None,
            rerank_status: SemanticStatus::Off("no model loaded".into()),
        }
    }

    /// Turns the cross-encoder reranker on (`Some`) or off, with the reason `stats` shows
    /// when off. It reranks only where the sentence-embedding model is on too: `--lexical`
    /// is the engine without either model.
    pub fn set_reranker(&mut self, reranker: Option<Arc<dyn Reranker>>, status: SemanticStatus) {
        self.rerank_status = match (&reranker, status) {
            (None, SemanticStatus::On) => SemanticStatus::Off("no model loaded".into()),
            (_, s) => s,
        };
        self.reranker = reranker;
    }

    pub fn reranker(&self) -> Option<&Arc<dyn Reranker>> {
        self.reranker.as_ref()
    }

    /// Turns semantic ranking on (`Some`) or off, with the reason `stats` shows when off.
    pub fn set_semantic(&mut self, semantic: Option<Arc<Semantic>>, status: SemanticStatus) {
        self.semantic_status = match (&semantic, status) {
            (None, SemanticStatus::On) => SemanticStatus::Off("no model loaded".into()),
            (_, s) => s,
        };
        self.semantic = semantic;
        // Topic vectors belong to the model; a fresh set embeds them again on first use.
        self.prompts.replace(self.prompts.current());
    }

    pub fn semantic(&self) -> Option<&Arc<Semantic>> {
        self.semantic.as_ref()
    }

    /// Embeds every passage of the current index that has no vector yet, calling `progress`
    /// with (done, total). Returns how many were embedded (0 without a model). When another
    /// process sharing the vector file is embedding, this one only picks up its vectors.
    /// Answers keep flowing meanwhile; passages without a vector are ranked lexically.
    pub fn embed_pending(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<usize, SemanticError> {
        match &self.semantic {
            Some(sem) => crate::semantic::embed_pending(&self.index, sem, progress),
            None => Ok(0),
        }
    }

    /// (embedded, distinct) passage texts of the current index.
    pub fn embedding_coverage(&self) -> (usize, usize) {
        crate::semantic::coverage(&self.index, self.semantic.as_deref())
    }

    /// Replaces the ranking knobs (for calibration experiments).
    pub fn set_tuning(&mut self, tuning: Tuning) {
        self.tuning = tuning;
    }

    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    /// The prompts as they are now (they change when `prompts/` is edited under a running
    /// door).
    pub fn prompts(&self) -> Arc<Prompts> {
        self.prompts.current()
    }

    pub fn messages(&self) -> MessagesRef {
        MessagesRef(self.prompts.current())
    }

    /// What a prompts watcher swaps new prompts in through.
    pub fn prompts_handle(&self) -> &PromptsHandle {
        &self.prompts
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
            topics: self.prompts().topics.len(),
            skipped_files: m.warnings.iter().filter(|w| !w.partial).count(),
            semantic: match (&self.semantic, &self.semantic_status) {
                (Some(sem), _) => format!("on ({}, {} dims)", sem.model(), sem.dims()),
                (None, SemanticStatus::Off(why)) => format!("off ({why})"),
                (None, SemanticStatus::On) => "off".into(),
            },
            rerank: match (&self.reranker, &self.rerank_status) {
                (Some(r), _) => format!("on ({}, top {})", r.name(), self.tuning.rerank_k),
                (None, SemanticStatus::Off(why)) => format!("off ({why})"),
                (None, SemanticStatus::On) => "off".into(),
            },
            distinct_passages: 0,
            embedded: 0,
        }
    }

    /// [`Engine::stats`] with the embedding counts, which read every passage's key.
    pub fn stats_with_embeddings(&self) -> Stats {
        let (embedded, distinct) = self.embedding_coverage();
        Stats {
            distinct_passages: distinct,
            embedded,
            ..self.stats()
        }
    }

    /// Every article in the index, in corpus order.
    pub fn articles(&self) -> Vec<ArticleMeta> {
        self.index.current().manifest.articles.clone()
    }

    /// Headlines matching what a user has typed so far, for autocomplete: prefix matches of
    /// any word first, then substring matches, then (for words no headline has, such as a
    /// company only the text names) the articles whose text says them, best first.
    pub fn complete_headline(&self, typed: &str, limit: usize) -> Vec<ArticleMeta> {
        let mut found = self.headlines_matching(typed, limit);
        if found.len() < limit && typed.trim().chars().count() >= 3 {
            let idx = self.index.current();
            if let Ok(texts) = crate::baseline::articles(&idx, typed, limit) {
                for id in texts {
                    if found.len() == limit {
                        break;
                    }
                    if !found.iter().any(|a| a.id == id) {
                        if let Some(meta) = idx.article_meta(&id) {
                            found.push(meta.clone());
                        }
                    }
                }
            }
        }
        found
    }

    fn headlines_matching(&self, typed: &str, limit: usize) -> Vec<ArticleMeta> {
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
            match_kind: Match::None,
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
            Command::Topic(name) => match self.prompts().topic(&name) {
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
        self.prompts()
            .topics
            .iter()
            .map(|t| format!("/{}", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The help text (Discord's wording, `help` in messages.toml).
    pub fn help_text(&self) -> String {
        self.help_text_from(&self.messages().help)
    }

    /// A help text from `template`, with its `{topics}` and `{articles}` filled in: each
    /// door has its own wording (the console's is `console_help`).
    pub fn help_text_from(&self, template: &str) -> String {
        let topics = self
            .prompts()
            .topics
            .iter()
            .map(|t| format!("/{} — {}", t.name, t.description))
            .collect::<Vec<_>>()
            .join("\n");
        Messages::render(
            template,
            &[
                ("topics", &topics),
                ("articles", &self.stats().articles.to_string()),
            ],
        )
    }

    /// The ordered candidates for `text` (a question, or a topic's words when `topic` is
    /// set and `text` is empty), with the plan they were scored against.
    pub fn candidates(&self, text: &str, topic: Option<&Topic>) -> Result<Ranked> {
        let search_text = match topic {
            Some(t) if text.is_empty() => t.search_text(),
            Some(t) => format!("{} {}", text, t.search_text()),
            None => text.to_string(),
        };
        let browse = topic.is_some() && text.is_empty();
        let idx = self.index.current();
        // Over a dated archive, "latest" words say when, not what (`rank::recency`).
        let latest = idx.dated && rank::recency::asks_for_latest(text);
        let search_text = if latest {
            rank::recency::without_latest_words(&search_text)
        } else {
            search_text
        };
        let searcher = idx.reader.searcher();
        let t = &self.tuning;
        // One version of the prompts for the whole search, however they are edited meanwhile.
        let prompt_set = self.prompts.set();
        let live = idx.text_keys();
        std::thread::scope(|scope| {
            // The question's embedding runs on a second thread while the lexical stages run
            // here: it is most of a query's time. A topic browse is compared with what the
            // topic is about (its cached vector, shared with the no-answer suggestions)
            // rather than with its list of search words, and adds no nearest passages.
            let meaning = match (&self.semantic, topic) {
                (Some(sem), Some(t)) if browse => prompt_set
                    .prompts
                    .topics
                    .iter()
                    .position(|p| p.name == t.name)
                    .and_then(|i| prompt_set.topic_vectors(sem)[i].clone())
                    .map(|query| {
                        Meaning::Ready(Nearby {
                            query,
                            nearest: Vec::new(),
                        })
                    }),
                (Some(sem), _) => {
                    let (text, k) = (search_text.as_str(), t.semantic_candidates);
                    Some(Meaning::Pending(scope.spawn(move || {
                        sem.nearby(text, k, |key| live.contains(&key))
                    })))
                }
                _ => None,
            };
            let stats = TermStats::new(&searcher, &idx.fields);
            // A topic's words are curated, not typos: a browse never "corrects" one it does
            // not find ("sanction" is not "action").
            let browse_tuning = Tuning {
                typo_min_chars: usize::MAX,
                ..*t
            };
            let plan_tuning = if browse { &browse_tuning } else { t };
            let plan = rank::plan(
                &search_text,
                &prompt_set.prompts.variants,
                &stats,
                plan_tuning,
            );
            let search = Search {
                plan: &plan,
                browse,
                patterns: topic.map(|t| &t.highlight[..]).unwrap_or(&[]),
                semantic: match (&self.semantic, meaning) {
                    (Some(model), Some(meaning)) => Some(Semantics { model, meaning }),
                    _ => None,
                },
                latest,
            };
            let found = rank::candidates(&searcher, &idx.fields, search, t)?;
            let words = rank::content_tokens(&search_text);
            let known = words
                .iter()
                .filter(|w| stats.doc_freq(&w.term).1 > 0)
                .count() as f32
                / words.len().max(1) as f32;
            Ok(Ranked {
                plan,
                candidates: found.list,
                known,
                query: found.query,
            })
        })
    }

    fn search(&self, command: &str, text: &str, topic: Option<&Topic>) -> Result<Reply> {
        let Ranked {
            plan,
            candidates: mut ranked,
            known,
            query,
        } = self.candidates(text, topic)?;
        let browse = topic.is_some() && text.is_empty();
        if !browse {
            self.rerank(text, &mut ranked);
        }
        let mut top = Ranked::features(&ranked, known);
        if !self.tuning.rerank_decides {
            if let Some(f) = &mut top {
                f.logit = None;
            }
        }
        ranked.truncate(MAX_RESULTS);
        let (confidence, match_kind) = confidence::decide(top, browse, &self.tuning);
        let answered = match_kind != Match::None;
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
            match_kind,
            message: None,
            passages: Vec::new(),
        };
        if answered {
            if match_kind == Match::Closest {
                reply.message = Some(self.messages().closest_match.clone());
            }
            reply.passages = ranked
                .into_iter()
                .enumerate()
                .map(|(i, c)| Passage {
                    rank: i + 1,
                    rerank: c.rerank,
                    ..c.passage
                })
                .collect();
        } else {
            let idx = self.index.current();
            let suggestions = self.suggest(&idx, &plan, query.as_ref());
            reply.message = Some(self.no_answer_text(&suggestions));
        }
        Ok(reply)
    }

    /// The rerank stage, when the reranker is on: a failure is logged and the engine's own
    /// order stands, so a broken model never costs an answer.
    pub fn rerank(&self, question: &str, ranked: &mut [Candidate]) -> rank::rerank::Reranked {
        let Some(model) = &self.reranker else {
            return Default::default();
        };
        let started = std::time::Instant::now();
        match rank::rerank::rerank(question, ranked, model.as_ref(), &self.tuning) {
            Ok(r) => {
                crate::telemetry::rerank_time(started.elapsed());
                r
            }
            Err(e) => {
                tracing::warn!("reranking failed, keeping the engine's order: {e}");
                Default::default()
            }
        }
    }

    fn suggest(&self, idx: &SearchIndex, plan: &Plan, query: Option<&QVec>) -> Suggestions {
        // The topics closest to the question in meaning with a model, else those sharing
        // most of its words; every topic follows so there is always somewhere to go.
        let terms = plan.all_terms();
        let prompt_set = self.prompts.set();
        let vectors = match (&self.semantic, query) {
            (Some(sem), Some(_)) => prompt_set.topic_vectors(sem),
            _ => &[],
        };
        let mut topics: Vec<(f32, String)> = prompt_set
            .prompts
            .topics
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let close = match (vectors.get(i), query) {
                    (Some(Some(v)), Some(q)) => v.dot(q),
                    _ => analysis::tokens(&t.search_text())
                        .into_iter()
                        .filter(|tok| terms.contains(&*tok.term))
                        .count() as f32,
                };
                (close, t.name.clone())
            })
            .collect();
        topics.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
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
            match_kind: Match::Sure,
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
        let mut message = Messages::render(&self.messages().not_found, &[("query", text)]);
        let closest: Vec<String> = self
            .complete_headline(text, SUGGESTIONS)
            .into_iter()
            .map(|a| a.headline)
            .collect();
        if !closest.is_empty() {
            message.push('\n');
            message.push_str(&Messages::render(
                &self.messages().closest_articles,
                &[("headlines", &closest.join(" · "))],
            ));
        }
        Ok(Reply {
            command: command.to_string(),
            query: text.to_string(),
            kind: ReplyKind::NoAnswer,
            answered: false,
            confidence: 0.0,
            match_kind: Match::None,
            message: Some(message),
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
