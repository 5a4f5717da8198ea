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
pub use rerank::BertReranker;

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

fn model_err(path: &Path, message: impl std::fmt::Display) -> EmbedError {
    EmbedError::Model {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

fn infer_err(e: impl std::fmt::Display) -> EmbedError {
    EmbedError::Inference(e.to_string())
}

fn read_json(path: &Path) -> Result<serde_json::Value, EmbedError> {
    let text = std::fs::read_to_string(path).map_err(|e| model_err(path, e))?;
    serde_json::from_str(&text).map_err(|e| model_err(path, format!("not valid JSON: {e}")))
}

/// `config.json` of a BERT model.
fn read_config(path: &Path) -> Result<Config, EmbedError> {
    serde_json::from_value(read_json(path)?)
        .map_err(|e| model_err(path, format!("not a BERT config: {e}")))
}

/// Checks and memory-maps a safetensors file; every failure names it.
fn open_weights(path: &Path) -> Result<F16Weights, EmbedError> {
    if !path.exists() {
        return Err(model_err(path, "file not found"));
    }
    check_safetensors(path)?;
    // SAFETY: the file is memory-mapped read-only; newsbot never writes model files, and
    // the header was validated above. A concurrent external rewrite is the usual mmap
    // caveat and is documented in the README.
    let mmaped = unsafe { candle_core::safetensors::MmapedSafetensors::new(path) }
        .map_err(|e| model_err(path, e))?;
    Ok(F16Weights(mmaped))
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
        let shape = (n, len);
        let ids = Tensor::from_vec(ids, shape, &self.device).map_err(infer_err)?;
        let types = Tensor::from_vec(types, shape, &self.device).map_err(infer_err)?;
        let mask = Tensor::from_vec(mask, shape, &self.device).map_err(infer_err)?;
        let hidden = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(infer_err)?; // (n, len, dims)
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

/// Rejects a truncated or foreign weights file before mmap hands it to candle, so the
/// error names the file instead of a tensor deep inside the model.
fn check_safetensors(path: &Path) -> Result<(), EmbedError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| model_err(path, e))?;
    let size = f.metadata().map_err(|e| model_err(path, e))?.len();
    let mut head = [0u8; 8];
    f.read_exact(&mut head)
        .map_err(|_| model_err(path, "too short to be a safetensors file"))?;
    let header_len = u64::from_le_bytes(head);
    if header_len == 0 || header_len > 100_000_000 || 8 + header_len > size {
        return Err(model_err(path, "not a safetensors file (bad header)"));
    }
    let mut header = vec![0u8; header_len as usize];
    f.read_exact(&mut header).map_err(|e| model_err(path, e))?;
    let json: serde_json::Value = serde_json::from_slice(&header)
        .map_err(|_| model_err(path, "not a safetensors file (header is not JSON)"))?;
    let data_len = size - 8 - header_len;
    let needed = json
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(|t| t.get("data_offsets")?.as_array()?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    if needed > data_len {
        return Err(model_err(
            path,
            format!("truncated: tensors need {needed} bytes, file holds {data_len}"),
        ));
    }
    Ok(())
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

/// Weights read from the memory-mapped file, with f16 tensors widened to f32 by `half`'s
/// slice conversion (F16C where the CPU has it). candle's own `to_dtype` converts one element
/// at a time, which made loading the model take 120 ms of a 200 ms cold start; this takes
/// a fraction of that. Other dtypes go through candle unchanged.
struct F16Weights(candle_core::safetensors::MmapedSafetensors);

impl F16Weights {
    fn load(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        let view = self.0.get(name)?;
        if dtype != DType::F32 || view.dtype() != safetensors::Dtype::F16 {
            return self.0.load(name, dev)?.to_dtype(dtype);
        }
        let bytes = view.data();
        let mut out = vec![0f32; bytes.len() / 2];
        if bytes
            .as_ptr()
            .align_offset(std::mem::align_of::<half::f16>())
            == 0
        {
            // SAFETY: aligned for f16 (checked above), and every bit pattern is an f16.
            let halves: &[half::f16] =
                unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast(), bytes.len() / 2) };
            half::slice::HalfFloatSliceExt::convert_to_f32_slice(halves, &mut out);
        } else {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *o = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
            }
        }
        Tensor::from_vec(out, view.shape(), dev)
    }
}

/// Where the word-embedding table comes from.
enum WordEmbeddings {
    /// From the file, keeping a handle on the loaded tensor (the embedder, so that the
    /// reranker can share it).
    Record(Arc<Mutex<Option<Tensor>>>),
    /// From a tensor already in memory (the reranker: its file does not hold the table).
    Serve(Tensor),
}

/// The VarBuilder backend: tensors from a safetensors file (names under `prefix`), except the
/// word-embedding table as [`WordEmbeddings`] says.
struct Weights {
    file: F16Weights,
    prefix: &'static str,
    word_embeddings: WordEmbeddings,
}

/// The name BERT loads its word-embedding table under (`bert.` in front for some layouts).
const WORD_EMBEDDINGS: &str = "embeddings.word_embeddings.weight";

impl Weights {
    fn load(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        match &self.word_embeddings {
            WordEmbeddings::Serve(t) if name == WORD_EMBEDDINGS => {
                t.to_dtype(dtype)?.to_device(dev)
            }
            WordEmbeddings::Record(seen) if name.ends_with(WORD_EMBEDDINGS) => {
                let t = self
                    .file
                    .load(&format!("{}{name}", self.prefix), dtype, dev)?;
                if let Ok(mut seen) = seen.lock() {
                    *seen = Some(t.clone());
                }
                Ok(t)
            }
            _ => self
                .file
                .load(&format!("{}{name}", self.prefix), dtype, dev),
        }
    }
}

impl candle_nn::var_builder::SimpleBackend for Weights {
    fn get(
        &self,
        s: candle_core::Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let t = self.load(name, dtype, dev)?;
        if t.shape() != &s {
            return Err(candle_core::Error::UnexpectedShape {
                msg: format!("shape mismatch for {}{name}", self.prefix),
                expected: s,
                got: t.shape().clone(),
            });
        }
        Ok(t)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        self.load(name, dtype, dev)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        match &self.word_embeddings {
            WordEmbeddings::Serve(_) if name == WORD_EMBEDDINGS => true,
            _ => self.file.0.get(&format!("{}{name}", self.prefix)).is_ok(),
        }
    }
}
