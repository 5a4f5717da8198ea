//! Loading the models: the sentence-embedding model with its vector store, and the
//! cross-encoder reranker that shares its word-embedding table.

use std::sync::Arc;
use std::time::Instant;

use newsbot_core::semantic::Semantic;
use newsbot_core::vectors::VectorStore;
use newsbot_core::{Models, SemanticStatus};

use crate::{Config, ModelConfig};

/// The model folder `--model` names: as given, or, for a relative path missing from the
/// working directory, under the source tree this binary was built from (so
/// `cargo run --release` works from any directory of a clone).
pub fn model_dir(model: &str) -> std::path::PathBuf {
    let p = std::path::PathBuf::from(model);
    if p.is_relative() && !p.exists() {
        let built = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(&p);
        if built.exists() {
            return built;
        }
    }
    p
}

/// Loads the sentence-embedding model with its vector store, and the cross-encoder
/// reranker that shares its word-embedding table. Any failure is one warning line naming the
/// file and the fix, and the engine then ranks without that model: a broken model never
/// stops the bot.
pub fn load_models(c: &Config) -> Models {
    let g = &c.models;
    let off = |why: &str| SemanticStatus::Off(why.into());
    let mut models = Models::default();
    if g.lexical {
        models.set_semantic(None, off("--lexical"));
        models.set_reranker(None, off("--lexical"));
        return models;
    }
    if g.model.trim().eq_ignore_ascii_case("none") {
        models.set_semantic(None, off("NEWSBOT_MODEL=none"));
        models.set_reranker(
            None,
            off("NEWSBOT_MODEL=none (the reranker shares its vocabulary)"),
        );
        return models;
    }
    let dir = model_dir(&g.model);
    let started = Instant::now();
    let embedder = match newsbot_embed::BertEmbedder::load(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "warning: semantic ranking off, answering by words only: {e}. Restore the model \
                 (git checkout -- models/), point NEWSBOT_MODEL at a sentence-transformers \
                 folder, or pass --lexical to silence this."
            );
            models.set_semantic(
                None,
                SemanticStatus::Off(format!("model failed to load: {e}")),
            );
            models.set_reranker(
                None,
                off("the sentence-embedding model it shares did not load"),
            );
            return models;
        }
    };
    tracing::info!(model = %dir.display(), ms = started.elapsed().as_millis() as u64, "model loaded");
    let (reranker, status) = load_reranker(g, &embedder);
    models.set_reranker(reranker, status);
    use newsbot_core::embedder::Embedder;
    let (name, dims) = (embedder.name().to_string(), embedder.dims());
    let store = match (&g.vectors, c.in_memory) {
        (None, true) => Ok(VectorStore::in_memory(&name, dims)),
        (Some(dir), _) => VectorStore::open(dir, &name, dims),
        (None, false) => VectorStore::open(&c.data.join("vectors"), &name, dims),
    };
    match store {
        Ok(store) => models.set_semantic(
            Some(Arc::new(Semantic::new(Arc::new(embedder), store))),
            SemanticStatus::On,
        ),
        Err(e) => {
            eprintln!("warning: semantic ranking off, answering by words only: {e}");
            models.set_semantic(
                None,
                SemanticStatus::Off(format!("vector store unusable: {e}")),
            );
        }
    }
    models
}

/// The cross-encoder, unless `--rerank off`. A missing or corrupt file is one warning
/// line naming it; answers then keep the engine's own order.
fn load_reranker(
    g: &ModelConfig,
    embedder: &newsbot_embed::BertEmbedder,
) -> (
    Option<Arc<dyn newsbot_core::reranker::Reranker>>,
    SemanticStatus,
) {
    if !g.rerank {
        return (None, SemanticStatus::Off("--rerank off".into()));
    }
    if g.reranker_model.trim().eq_ignore_ascii_case("none") {
        return (
            None,
            SemanticStatus::Off("NEWSBOT_RERANKER_MODEL=none".into()),
        );
    }
    let dir = model_dir(&g.reranker_model);
    let started = Instant::now();
    match newsbot_embed::BertReranker::load(&dir, embedder) {
        Ok(r) => {
            tracing::info!(model = %dir.display(), ms = started.elapsed().as_millis() as u64, "reranker loaded");
            (Some(Arc::new(r)), SemanticStatus::On)
        }
        Err(e) => {
            eprintln!(
                "warning: reranker off, answers keep the engine's order: {e}. Restore it \
                 (git checkout -- models/), or pass --rerank off to silence this."
            );
            (
                None,
                SemanticStatus::Off(format!("model failed to load: {e}")),
            )
        }
    }
}
