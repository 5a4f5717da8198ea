//! A sentence-transformers BERT model (all-MiniLM-L6-v2 by default) run in-process with
//! candle, behind `newsbot_index::embedder::Embedder`.
//!
//! The model folder is a sentence-transformers snapshot: `config.json`, `tokenizer.json`,
//! `model.safetensors` (f16 or f32; memory-mapped, computed in f32), and optionally
//! `sentence_bert_config.json` (for `max_seq_length`) and `1_Pooling/config.json`.
//! Nothing is ever downloaded.
//!
//! [`BertReranker`] is a cross-encoder on the same BERT, sharing this model's word-embedding
//! table, tokenizer and config (see the `rerank` module).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use newsbot_index::embedder::{EmbedError, Embedder};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

mod rerank;
mod weights;

pub use rerank::BertReranker;
use weights::{model_err, open_weights, read_config, read_json, Weights, WordEmbeddings};

/// sentence-transformers' own cap for MiniLM when `sentence_bert_config.json` is absent.
const DEFAULT_MAX_TOKENS: usize = 256;
/// Questions are cut at this many word pieces (passages keep the model's own limit). A
/// question longer than 64 pieces is text pasted in, and in `newsbot bench` those long
/// questions were the whole of the p99 (124 ms at 256 pieces on 2 cores); the eval sets'
/// questions all fit, so their figures are unchanged (checked on blind, dev and SQuAD).
const QUERY_MAX_TOKENS: usize = 64;
/// Passages per forward pass. Larger batches pad more to their longest text; 16 is a
/// starting point, not yet measured against other sizes.
const BATCH: usize = 16;

/// A loaded sentence-embedding model.
pub struct BertEmbedder {
    model: BertModel,
    /// Passages: truncated where sentence-transformers truncates.
    tokenizer: Tokenizer,
    /// Questions: truncated at [`QUERY_MAX_TOKENS`].
    query_tokenizer: Tokenizer,
    device: Device,
    name: String,
    dims: usize,
    mean_pooling: bool,
    /// Kept for the reranker, which runs on the same BERT geometry and vocabulary.
    config: Config,
    /// `tokenizer.json`, for errors about it.
    tokenizer_path: PathBuf,
    /// The model's own f32 word-embedding table (the same storage the model uses, not a
    /// copy), shared in memory with [`BertReranker`].
    word_embeddings: Tensor,
}

/// A model's name as `stats` shows it: its folder's name.
fn folder_name(dir: &Path, fallback: &str) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| fallback.into())
}

/// BERT's last hidden states, `(n, len, dims)`, for `n` sequences of `len` token ids, type
/// ids and attention mask (in that order); with the mask as a tensor.
fn hidden_states(
    model: &BertModel,
    device: &Device,
    [ids, types, mask]: [Vec<u32>; 3],
    shape: (usize, usize),
) -> Result<(Tensor, Tensor), EmbedError> {
    let ids = Tensor::from_vec(ids, shape, device).map_err(infer_err)?;
    let types = Tensor::from_vec(types, shape, device).map_err(infer_err)?;
    let mask = Tensor::from_vec(mask, shape, device).map_err(infer_err)?;
    let hidden = model
        .forward(&ids, &types, Some(&mask))
        .map_err(infer_err)?;
    Ok((hidden, mask))
}

fn infer_err(e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Inference(e.to_string())
}

impl BertEmbedder {
    /// Loads the model in `dir`. Every failure names the file at fault.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        if !dir.is_dir() {
            return Err(model_err(dir, "model folder not found"));
        }
        let config = read_config(&dir.join("config.json"))?;
        let dims = config.hidden_size;

        let max_tokens = {
            let p = dir.join("sentence_bert_config.json");
            if p.exists() {
                read_json(&p)?
                    .get("max_seq_length")
                    .and_then(|v| v.as_u64())
                    .map(|v| v as usize)
                    .unwrap_or(DEFAULT_MAX_TOKENS)
            } else {
                DEFAULT_MAX_TOKENS
            }
        };
        // CLS pooling for models that ask for it (bge); mean pooling otherwise (MiniLM).
        let mean_pooling = {
            let p = dir.join("1_Pooling").join("config.json");
            if p.exists() {
                !read_json(&p)?
                    .get("pooling_mode_cls_token")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false)
            } else {
                true
            }
        };

        let tok_path = dir.join("tokenizer.json");
        if !tok_path.exists() {
            return Err(model_err(&tok_path, "file not found"));
        }
        let load_tokenizers = || -> Result<(Tokenizer, Tokenizer), EmbedError> {
            let mut tokenizer =
                Tokenizer::from_file(&tok_path).map_err(|e| model_err(&tok_path, e))?;
            // The shipped tokenizer.json pads and truncates to a fixed 128: pad to the longest in
            // each batch instead, and truncate where sentence-transformers does.
            tokenizer.with_padding(Some(PaddingParams {
                strategy: PaddingStrategy::BatchLongest,
                ..Default::default()
            }));
            tokenizer
                .with_truncation(Some(TruncationParams {
                    max_length: max_tokens,
                    ..Default::default()
                }))
                .map_err(|e| model_err(&tok_path, e))?;

            let mut query_tokenizer = tokenizer.clone();
            query_tokenizer
                .with_truncation(Some(TruncationParams {
                    max_length: QUERY_MAX_TOKENS.min(max_tokens),
                    ..Default::default()
                }))
                .map_err(|e| model_err(&tok_path, e))?;
            Ok((tokenizer, query_tokenizer))
        };
        let weights = dir.join("model.safetensors");
        let file = open_weights(&weights)?;
        let device = Device::Cpu;
        let seen = Arc::new(Mutex::new(None));
        let backend = Weights {
            file,
            prefix: "",
            word_embeddings: WordEmbeddings::Record(Arc::clone(&seen)),
        };
        let vb = VarBuilder::from_backend(Box::new(backend), DType::F32, device.clone());
        // The tokenizer (a regex-heavy JSON file, ~30 ms) is read on a second thread while the
        // weights load: together they are most of a cold start.
        let (model, tokenizers) = std::thread::scope(|scope| {
            let tokenizers = scope.spawn(load_tokenizers);
            let model = BertModel::load(vb, &config)
                .map_err(|e| model_err(&weights, format!("weights do not match config.json: {e}")));
            (model, tokenizers.join())
        });
        let (tokenizer, query_tokenizer) = tokenizers
            .map_err(|_| model_err(&tok_path, "the tokenizer panicked while loading"))??;
        let model = model?;
        let word_embeddings = seen
            .lock()
            .ok()
            .and_then(|mut t| t.take())
            .ok_or_else(|| model_err(&weights, "no word-embedding table was loaded"))?;

        let name = folder_name(dir, "model");
        Ok(Self {
            model,
            tokenizer,
            query_tokenizer,
            device,
            name,
            dims,
            mean_pooling,
            config,
            tokenizer_path: tok_path,
            word_embeddings,
        })
    }

    fn embed_batch(
        &self,
        tokenizer: &Tokenizer,
        texts: &[&str],
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(infer_err)?;
        let n = encodings.len();
        let len = encodings.first().map(|e| e.len()).unwrap_or(0);
        let mut ids = Vec::with_capacity(n * len);
        let mut types = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in &encodings {
            ids.extend(e.get_ids().iter().copied());
            types.extend(e.get_type_ids().iter().copied());
            mask.extend(e.get_attention_mask().iter().copied());
        }
        let (hidden, mask) =
            hidden_states(&self.model, &self.device, [ids, types, mask], (n, len))?;
        let pooled = if self.mean_pooling {
            let m = mask
                .to_dtype(DType::F32)
                .and_then(|m| m.unsqueeze(2))
                .map_err(infer_err)?;
            let summed = hidden
                .broadcast_mul(&m)
                .and_then(|t| t.sum(1))
                .map_err(infer_err)?;
            let counts = m
                .sum(1)
                .and_then(|c| c.clamp(1e-9, f64::MAX))
                .map_err(infer_err)?;
            summed.broadcast_div(&counts).map_err(infer_err)?
        } else {
            hidden
                .narrow(1, 0, 1)
                .and_then(|t| t.squeeze(1))
                .map_err(infer_err)?
        };
        let rows: Vec<Vec<f32>> = pooled.to_vec2().map_err(infer_err)?;
        Ok(rows.into_iter().map(normalise).collect())
    }
}

fn normalise(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

impl Embedder for BertEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            out.extend(self.embed_batch(&self.tokenizer, chunk)?);
        }
        Ok(out)
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        Ok(self
            .embed_batch(&self.query_tokenizer, &[text])?
            .pop()
            .unwrap_or_default())
    }
}
