//! The semantic stage: a sentence-embedding model plus the stored passage vectors.
//!
//! The engine holds an `Option<Arc<Semantic>>`; `None` is the lexical engine (`--lexical`,
//! no model, or a model that failed to load). Passages without a vector yet (embedding
//! still running in the background) are simply scored lexically, so answers never wait.

use std::sync::{Arc, RwLock};

use crate::embedder::{EmbedError, Embedder};
use crate::vectors::{QVec, VectorError, VectorStore};
use crate::IndexHandle;

/// Passages embedded per batch, and so the most a crash can lose.
pub const EMBED_BATCH: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Store(#[from] VectorError),
    /// Reading the passages to embed from the index failed.
    #[error("reading passages to embed: {0}")]
    Index(String),
}

/// A question's vector and the passages nearest it.
#[derive(Debug, Clone)]
pub struct Nearby {
    pub query: QVec,
    /// Text keys and cosines of the nearest live passages, best first.
    pub nearest: Vec<(u64, f32)>,
}

pub struct Semantic {
    embedder: Arc<dyn Embedder>,
    store: RwLock<VectorStore>,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Semantic")
            .field("model", &self.embedder.name())
            .field("embedded", &self.embedded())
            .finish()
    }
}

impl Semantic {
    pub fn new(embedder: Arc<dyn Embedder>, store: VectorStore) -> Semantic {
        Semantic {
            embedder,
            store: RwLock::new(store),
        }
    }

    pub fn model(&self) -> &str {
        self.embedder.name()
    }

    pub fn dims(&self) -> usize {
        self.embedder.dims()
    }

    /// How many distinct passage texts have a vector.
    pub fn embedded(&self) -> usize {
        self.read().len()
    }

    pub fn has(&self, key: u64) -> bool {
        self.read().contains(key)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, VectorStore> {
        // A panic while holding the lock cannot leave the table half-updated (inserts are
        // single pushes), so a poisoned lock is still safe to read.
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The question's vector, or `None` (logged) when the model fails on it: the engine
    /// then answers lexically rather than not at all.
    pub fn query(&self, text: &str) -> Option<QVec> {
        match self.embedder.embed_query(text) {
            Ok(v) => Some(QVec::quantise(&v)),
            Err(e) => {
                tracing::warn!("semantic scoring skipped for one question: {e}");
                None
            }
        }
    }

    /// The question's vector and its `k` nearest stored passages that `live` accepts, or
    /// `None` (logged) when the model fails on it.
    pub fn nearby(&self, text: &str, k: usize, live: impl Fn(u64) -> bool) -> Option<Nearby> {
        let query = self.query(text)?;
        let nearest = self.nearest(&query, k, live);
        Some(Nearby { query, nearest })
    }

    /// Cosine between the question and the passage stored under `key`, if embedded.
    pub fn similarity(&self, q: &QVec, key: u64) -> Option<f32> {
        self.read().similarity(key, q)
    }

    /// The `k` nearest stored passages that `live` accepts.
    pub fn nearest(&self, q: &QVec, k: usize, live: impl Fn(u64) -> bool) -> Vec<(u64, f32)> {
        self.read().nearest(q, k, live)
    }

    /// See [`VectorStore::embedding_lock`].
    pub fn embedding_lock(&self) -> Result<Option<std::fs::File>, SemanticError> {
        Ok(self.read().embedding_lock()?)
    }

    /// Picks up vectors another process appended to the shared file.
    pub fn refresh(&self) -> Result<usize, SemanticError> {
        Ok(self
            .store
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .refresh()?)
    }

    /// Embeds every `(key, text)` not stored yet, a batch at a time, calling `progress`
    /// with (done, total) after each. Answers keep flowing meanwhile: the model runs
    /// without the lock, which is taken only to append a finished batch.
    pub fn embed_missing(
        &self,
        items: Vec<(u64, String)>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize, SemanticError> {
        let todo: Vec<(u64, String)> = {
            let store = self.read();
            let mut seen = rustc_hash::FxHashSet::default();
            items
                .into_iter()
                .filter(|(k, _)| !store.contains(*k) && seen.insert(*k))
                .collect()
        };
        let total = todo.len();
        let mut done = 0;
        for chunk in todo.chunks(EMBED_BATCH) {
            let texts: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
            let vecs = self.embedder.embed_passages(&texts)?;
            let batch: Vec<(u64, Vec<f32>)> = chunk.iter().map(|(k, _)| *k).zip(vecs).collect();
            self.store
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .append(&batch)?;
            done += chunk.len();
            progress(done, total);
        }
        Ok(total)
    }
}

/// Embeds every passage of `index`'s current version that `sem` has no vector for, and
/// returns how many. Processes sharing the vector file take turns (the embedding lock): the
/// second waits, picks up what the first appended, and embeds only what is still missing.
pub fn embed_pending(
    index: &IndexHandle,
    sem: &Semantic,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, SemanticError> {
    let _lock = sem.embedding_lock()?;
    sem.refresh()?;
    let missing = index
        .current()
        .passages_missing(|k| sem.has(k))
        .map_err(|e| SemanticError::Index(e.to_string()))?;
    sem.embed_missing(missing, progress)
}

/// (distinct passage texts embedded, distinct passage texts) of `index`'s current version.
pub fn coverage(index: &IndexHandle, sem: Option<&Semantic>) -> (usize, usize) {
    let idx = index.current();
    let keys = idx.text_keys();
    let embedded = sem.map_or(0, |sem| keys.iter().filter(|k| sem.has(**k)).count());
    (embedded, keys.len())
}

/// A deterministic stand-in model for tests: bag-of-words hashed into `dims` buckets, so
/// texts sharing words are close. Not for production; it exists so core's tests need no
/// ML runtime.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    pub dims: usize,
}

impl Embedder for HashEmbedder {
    fn name(&self) -> &str {
        "hash-test"
    }
    fn dims(&self) -> usize {
        self.dims
    }
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        texts.iter().map(|t| self.embed_query(t)).collect()
    }
    fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut v = vec![0f32; self.dims];
        for w in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 2)
        {
            let k = crate::vectors::text_key(&w.to_lowercase());
            v[(k % self.dims as u64) as usize] += 1.0;
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        Ok(v.into_iter().map(|x| x / n).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::text_key;

    #[test]
    fn embeds_only_what_is_missing_and_reports_progress() {
        let sem = Semantic::new(
            Arc::new(HashEmbedder { dims: 64 }),
            VectorStore::in_memory("hash-test", 64),
        );
        let items: Vec<(u64, String)> = (0..70)
            .map(|i| {
                let t = format!("passage number {i} about fines");
                (text_key(&t), t)
            })
            .collect();
        let mut calls = Vec::new();
        let n = sem
            .embed_missing(items.clone(), &mut |d, t| calls.push((d, t)))
            .unwrap();
        assert_eq!(n, 70);
        assert_eq!(calls.last(), Some(&(70, 70)));
        assert_eq!(calls.len(), 70usize.div_ceil(EMBED_BATCH));
        assert_eq!(sem.embedded(), 70);
        assert_eq!(sem.embed_missing(items, &mut |_, _| {}).unwrap(), 0);
    }

    #[test]
    fn similarity_prefers_shared_words() {
        let sem = Semantic::new(
            Arc::new(HashEmbedder { dims: 256 }),
            VectorStore::in_memory("hash-test", 256),
        );
        let a = "regulator fined the company over cookies";
        let b = "the weather in paris was sunny";
        sem.embed_missing(vec![(1, a.into()), (2, b.into())], &mut |_, _| {})
            .unwrap();
        let q = sem.query("who was fined over cookies").unwrap();
        assert!(sem.similarity(&q, 1).unwrap() > sem.similarity(&q, 2).unwrap());
        assert_eq!(sem.nearest(&q, 1, |_| true)[0].0, 1);
        assert_eq!(sem.similarity(&q, 3), None);
    }
}
