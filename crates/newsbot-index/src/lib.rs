//! newsbot's index: articles as passages in tantivy, found by words ([`analysis`], the
//! English analyzer shared by indexing and querying) and by meaning ([`vectors`], [`semantic`]
//! over an [`embedder`]). It builds on `newsbot-ingest` and knows nothing of ranking.
//!
//! The tantivy index, one module per job:
//!
//! - [`schema`]: the fields of a passage document;
//! - [`document`]: an article → its passages' documents (names, context, keys);
//! - [`manifest`]: which seed files an index was built from, and its article catalogue;
//! - [`build`]: a full build, swapped into place atomically;
//! - [`open`]: reuse the index on disk or rebuild it;
//! - [`stamps`]: cached seed-file hashes, so start-up need not re-read the archive;
//! - [`headline_terms`]: headline term overlaps for suggestions and `/article`;
//! - [`lookup`]: articles by typed words (autocomplete, `/article`, plain BM25);
//! - [`passage`]: a passage as shown, from its document, and a whole article's passages;
//! - [`passages`]: passages by text key, the join with the vector store.
//!
//! This module holds the open index ([`SearchIndex`]) and the handle a running engine swaps
//! a re-indexed one in through ([`IndexHandle`]).

pub mod analysis;
pub mod build;
pub mod document;
pub mod embedder;
pub mod error;
pub mod headline_terms;
pub mod lookup;
pub mod manifest;
pub mod open;
pub mod passage;
pub mod passages;
pub mod schema;
pub mod semantic;
pub mod stamps;
pub mod stem_cache;
#[doc(hidden)]
pub mod testing;
pub mod vectors;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use tantivy::{Index, IndexReader, ReloadPolicy};

pub use build::build;
pub use document::add_article;
pub use error::{Error, Result};
pub use headline_terms::{HeadlineTerms, Overlap};
pub use manifest::{read_manifest, ArticleMeta, FileEntry, Manifest};
pub use open::{open_existing, open_or_build, Opened, Origin};
pub use passage::Passage;
pub use schema::{schema, Fields, SCHEMA_VERSION};

/// Where the index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    Disk(PathBuf),
    Memory,
}

/// An open index ready to search.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub manifest: Manifest,
    by_id: HashMap<String, usize>,
    /// Whether any article has a date; without one, recency plays no part in answers.
    pub dated: bool,
    /// Built on first use so start-up stays fast on a large archive.
    headline_terms: OnceLock<HeadlineTerms>,
    /// Every passage's text key, read on first use (see `passages`).
    text_keys: OnceLock<rustc_hash::FxHashSet<u64>>,
}

impl SearchIndex {
    pub fn article_meta(&self, id: &str) -> Option<&ArticleMeta> {
        self.by_id.get(id).map(|&i| &self.manifest.articles[i])
    }

    /// Articles whose headline shares a term with `terms`, in manifest order.
    pub fn headline_overlaps(&self, terms: &HashSet<&str>) -> Vec<Overlap> {
        self.headline_terms
            .get_or_init(|| HeadlineTerms::new(&self.manifest.articles))
            .overlaps(terms)
    }

    /// An open index from its tantivy index and manifest (live re-indexing swaps one in).
    pub fn from_parts(index: Index, manifest: Manifest) -> Result<SearchIndex> {
        analysis::register(index.tokenizers());
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let by_id = manifest
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let dated = manifest.articles.iter().any(|a| a.date.is_some());
        Ok(SearchIndex {
            dated,
            index,
            reader,
            fields,
            manifest,
            by_id,
            headline_terms: OnceLock::new(),
            text_keys: OnceLock::new(),
        })
    }
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
