//! The prompts a running engine answers with, swapped whole when `prompts/` is edited (the
//! prompts watcher in `live` does it); a reply already under way keeps the version it
//! started with.

use std::sync::{Arc, OnceLock};

use crate::rank::TopicQuery;
use crate::semantic::Semantic;
use crate::vectors::QVec;

use super::{Messages, Prompts, Topic};

/// One version of the prompts, with what is derived from them.
pub struct PromptSet {
    pub prompts: Arc<Prompts>,
    /// Each topic's vector (its description and words), embedded on first use.
    topic_vectors: OnceLock<Vec<Option<QVec>>>,
}

impl PromptSet {
    fn new(prompts: Arc<Prompts>) -> Arc<PromptSet> {
        Arc::new(PromptSet {
            prompts,
            topic_vectors: OnceLock::new(),
        })
    }

    /// Each topic's vector by `sem`, in topic order.
    pub fn topic_vectors(&self, sem: &Semantic) -> &[Option<QVec>] {
        self.topic_vectors.get_or_init(|| {
            self.prompts
                .topics
                .iter()
                .map(|t| sem.query(&t.semantic_text()))
                .collect()
        })
    }

    /// `topic`'s side of a search. A browse (no question text) with a model is compared
    /// with the topic's cached vector.
    pub fn topic_query<'t>(
        &self,
        topic: &'t Topic,
        browse: bool,
        sem: Option<&Semantic>,
    ) -> TopicQuery<'t> {
        let vector = match sem {
            Some(sem) if browse => self
                .prompts
                .topics
                .iter()
                .position(|p| p.name == topic.name)
                .and_then(|i| self.topic_vectors(sem)[i].clone()),
            _ => None,
        };
        TopicQuery {
            search_text: topic.search_text(),
            highlight: &topic.highlight,
            vector,
        }
    }
}

/// Where the current [`PromptSet`] lives; clones share it.
#[derive(Clone)]
pub struct PromptsHandle(Arc<arc_swap::ArcSwap<PromptSet>>);

impl PromptsHandle {
    pub fn new(prompts: Arc<Prompts>) -> PromptsHandle {
        PromptsHandle(Arc::new(arc_swap::ArcSwap::new(PromptSet::new(prompts))))
    }

    pub fn current(&self) -> Arc<Prompts> {
        self.0.load().prompts.clone()
    }

    /// Puts new prompts in place for every reply from now on.
    pub fn replace(&self, prompts: Arc<Prompts>) {
        self.0.store(PromptSet::new(prompts));
    }

    /// The current set, with its derived vectors: one version for a whole reply.
    pub fn set(&self) -> Arc<PromptSet> {
        self.0.load_full()
    }
}

/// The messages of the current prompts, held for as long as the caller needs them.
pub struct MessagesRef(pub Arc<Prompts>);

impl std::ops::Deref for MessagesRef {
    type Target = Messages;
    fn deref(&self) -> &Messages {
        &self.0.messages
    }
}
