//! The engine: a [`Request`] in, a [`Reply`] out. It holds the state a reply reads (the
//! live index, the prompts, the models, the [`Tuning`]) and dispatches each [`Command`];
//! the stages live elsewhere: `rank::search` (plan, retrieve, score), `rank::rerank`,
//! `rank::confidence`, then `reply::build`.

use std::collections::HashSet;
use std::sync::Arc;

use crate::command::Command;
use crate::error::Result;
use crate::index::{ArticleMeta, IndexHandle, SearchIndex};
use crate::models::Models;
use crate::prompts::{Messages, MessagesRef, PromptSet, Prompts, PromptsHandle, Topic};
use crate::rank::confidence::{self, Features};
use crate::rank::{self, Candidate, Query, Ranked, Tuning};
use crate::reply::build::{self, SUGGESTIONS};
use crate::reply::{Reply, ReplyKind, Request, MAX_RESULTS};
use crate::stats::Stats;
use crate::text::squash;

pub struct Engine {
    index: IndexHandle,
    prompts: PromptsHandle,
    tuning: Tuning,
    models: Models,
}

impl Engine {
    pub fn new(index: SearchIndex, prompts: Arc<Prompts>) -> Engine {
        Engine::with_handle(IndexHandle::new(index), prompts)
    }

    pub fn with_handle(index: IndexHandle, prompts: Arc<Prompts>) -> Engine {
        Engine {
            index,
            prompts: PromptsHandle::new(prompts),
            tuning: Tuning::default(),
            models: Models::default(),
        }
    }

    /// Puts the models in place (see [`Models`]; `--lexical` is the engine without
    /// either). Topic vectors belong to the model: a fresh prompts set embeds them again on
    /// first use.
    pub fn set_models(&mut self, models: Models) {
        self.models = models;
        self.prompts.replace(self.prompts.current());
    }

    /// The models, for embedding passages and telling what is on.
    pub fn models(&self) -> &Models {
        &self.models
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
        let (idx, prompts) = (self.index.current(), self.prompts());
        Stats::new(&idx, &prompts, &self.models, self.tuning.rerank_k)
    }

    /// [`Engine::stats`] with the embedding counts, which read every passage's key.
    pub fn stats_with_embeddings(&self) -> Stats {
        let (embedded, distinct) = self.models.coverage(&self.index);
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

    /// Headlines for autocomplete; see [`SearchIndex::complete_headline`].
    pub fn complete_headline(&self, typed: &str, limit: usize) -> Vec<ArticleMeta> {
        self.index.current().complete_headline(typed, limit)
    }

    /// Answers one request. Errors are only internal failures (an unreadable index); a bad
    /// question is never an error.
    pub fn answer(&self, req: &Request) -> Result<Reply> {
        let command = req.command.trim().to_lowercase();
        let text = squash(&req.text);
        let prompts = self.prompts();
        let note = |kind, message| Ok(build::note(&command, &text, kind, message));
        let topics = || prompts.topic_list();
        match Command::from_name(&command) {
            Command::Help => note(ReplyKind::Help, self.help_text_from(&prompts.messages.help)),
            Command::Ask if rank::content_tokens(&text).is_empty() => note(
                ReplyKind::EmptyQuestion,
                Messages::render(&prompts.messages.empty_question, &[("topics", &topics())]),
            ),
            Command::Ask => self.search(&command, &text, None),
            Command::Article => self.article_by_text(&command, &text),
            Command::Topic(name) => match prompts.topic(&name) {
                Some(topic) => self.search(&command, &text, Some(topic)),
                None => note(
                    ReplyKind::UnknownCommand,
                    Messages::render(
                        &prompts.messages.unknown_command,
                        &[("command", &name), ("topics", &topics())],
                    ),
                ),
            },
        }
    }

    /// A help text from `template`; see [`Prompts::help_text`].
    pub fn help_text_from(&self, template: &str) -> String {
        (self.prompts()).help_text(template, self.stats().articles)
    }

    /// The ordered candidates for `text` (a question, or a topic's words when `topic` is
    /// set and `text` is empty), with the plan they were scored against.
    pub fn candidates(&self, text: &str, topic: Option<&Topic>) -> Result<Ranked> {
        self.search_on(&self.index.current(), &self.prompts.set(), text, topic)
    }

    fn search_on(
        &self,
        idx: &SearchIndex,
        set: &PromptSet,
        text: &str,
        topic: Option<&Topic>,
    ) -> Result<Ranked> {
        let sem = self.models.semantic.as_deref();
        let topic = topic.map(|t| set.topic_query(t, text.is_empty(), sem));
        let query = Query {
            text,
            topic: topic.as_ref(),
            variants: &set.prompts.variants,
            within: None,
        };
        Ok(rank::search(idx, query, sem, &self.tuning)?)
    }

    fn search(&self, command: &str, text: &str, topic: Option<&Topic>) -> Result<Reply> {
        // One snapshot of the index and one version of the prompts for the whole reply,
        // however they change meanwhile.
        let (idx, set) = (self.index.current(), self.prompts.set());
        let mut ranked = self.search_on(&idx, &set, text, topic)?;
        let browse = topic.is_some() && text.is_empty();
        if !browse {
            self.rerank(text, &mut ranked.candidates);
        }
        let decides = self.tuning.rerank_decides;
        let top = confidence::features(&ranked.candidates, ranked.known).map(|f| Features {
            logit: f.logit.filter(|_| decides),
            ..f
        });
        ranked.candidates.truncate(MAX_RESULTS);
        let decision = confidence::decide(top, browse, &self.tuning);
        let Ranked {
            plan,
            candidates,
            query,
            ..
        } = ranked;
        let sem = self.models.semantic.as_deref();
        Ok(build::ranked(
            command,
            text,
            candidates,
            decision,
            &set.prompts.messages,
            || build::no_answer(&set, sem, &idx, &plan, query.as_ref()),
        ))
    }

    /// The rerank stage, when the reranker is on: a failure is logged and the engine's own
    /// order stands, so a broken model never costs an answer.
    pub fn rerank(&self, question: &str, ranked: &mut [Candidate]) -> rank::rerank::Reranked {
        let Some(model) = &self.models.reranker else {
            return Default::default();
        };
        let started = std::time::Instant::now();
        rank::rerank::rerank(question, ranked, model.as_ref(), &self.tuning)
            .inspect(|_| crate::telemetry::rerank_time(started.elapsed()))
            .unwrap_or_else(|e| {
                tracing::warn!("reranking failed, keeping the engine's order: {e}");
                Default::default()
            })
    }

    /// The whole article `id` as a reply: every paragraph in order.
    pub fn article(&self, id: &str) -> Result<Option<Reply>> {
        let idx = self.index.current();
        let (Some(meta), Some(passages)) = (idx.article_meta(id), idx.article_passages(id)?) else {
            return Ok(None);
        };
        Ok(Some(build::article(meta, passages)))
    }

    /// `/article <text>` typed as text: an exact id, else the best headline match.
    fn article_by_text(&self, command: &str, text: &str) -> Result<Reply> {
        let idx = self.index.current();
        let terms: HashSet<String> = (rank::content_tokens(text).into_iter())
            .map(|t| t.term.to_string())
            .collect();
        let id = (idx.article_meta(text).map(|a| a.id.clone())).or_else(|| {
            idx.best_headline(&terms, self.tuning.headline_match)
                .map(|a| a.id)
        });
        if let Some(reply) = id.map(|id| self.article(&id)).transpose()?.flatten() {
            return Ok(reply);
        }
        let closest: Vec<String> = (idx.complete_headline(text, SUGGESTIONS).into_iter())
            .map(|a| a.headline)
            .collect();
        Ok(build::not_found(command, text, &self.messages(), &closest))
    }
}
