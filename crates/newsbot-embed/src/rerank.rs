//! A cross-encoder reranker (`reranker-minilm-l6-squad`) run with candle, behind
//! `newsbot_rank::reranker::Reranker`.
//!
//! It is all-MiniLM-L6-v2 fine-tuned to read `[CLS] question [SEP] passage [SEP]` and give
//! one logit from a linear head on the `[CLS]` hidden state. Its folder holds only
//! `reranker.safetensors` (f16: `bert.*` and `head.*`); the word-embedding table, the config
//! and the tokenizer are the embedder's, and [`BertReranker::load`] shares them with a loaded
//! [`BertEmbedder`] in memory.

use std::path::Path;

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Linear, VarBuilder};
use candle_transformers::models::bert::{BertModel, Config};
use newsbot_index::embedder::EmbedError;
use newsbot_rank::reranker::Reranker;
use tokenizers::Tokenizer;

use crate::weights::{
    model_err, open_weights, read_config, Weights, WordEmbeddings, WORD_EMBEDDINGS,
};
use crate::{folder_name, hidden_states, infer_err, BertEmbedder};

/// The weights file in a reranker folder.
const WEIGHTS_FILE: &str = "reranker.safetensors";

/// A loaded cross-encoder reranker.
pub struct BertReranker {
    model: BertModel,
    head: Linear,
    /// The embedder's tokenizer with its padding and truncation turned off: pairs are
    /// assembled and cut here.
    tokenizer: Tokenizer,
    cls: u32,
    sep: u32,
    pad: u32,
    device: Device,
    name: String,
}

/// One pair's input, before padding.
struct Pair {
    ids: Vec<u32>,
    types: Vec<u32>,
}

impl BertReranker {
    /// Longest input, `[CLS] question [SEP] passage [SEP]`: the length the model was trained
    /// at. Only the passage is cut to fit it.
    pub const MAX_TOKENS: usize = 256;
    /// Longest question segment, `[CLS] question [SEP]`, as the embedder cuts questions.
    pub const QUESTION_MAX_TOKENS: usize = 64;

    /// Loads the reranker in `dir` (which holds `reranker.safetensors`), sharing `embedder`'s
    /// word-embedding table, tokenizer and config. Every failure names the file at fault.
    pub fn load(dir: &Path, embedder: &BertEmbedder) -> Result<Self, EmbedError> {
        Self::build(
            dir,
            &embedder.config,
            embedder.tokenizer.clone(),
            &embedder.tokenizer_path,
            embedder.word_embeddings.clone(),
        )
    }

    /// Loads the reranker in `dir` without a loaded embedder: the config, tokenizer and
    /// word-embedding table are read from the embedder's folder `embedder_dir`. For tests and
    /// tools; the bot shares a loaded embedder's with [`BertReranker::load`].
    pub fn load_standalone(dir: &Path, embedder_dir: &Path) -> Result<Self, EmbedError> {
        if !embedder_dir.is_dir() {
            return Err(model_err(embedder_dir, "model folder not found"));
        }
        let config = read_config(&embedder_dir.join("config.json"))?;
        let tok_path = embedder_dir.join("tokenizer.json");
        if !tok_path.exists() {
            return Err(model_err(&tok_path, "file not found"));
        }
        let tokenizer = Tokenizer::from_file(&tok_path).map_err(|e| model_err(&tok_path, e))?;
        let weights = embedder_dir.join("model.safetensors");
        let file = open_weights(&weights)?;
        let name = [
            WORD_EMBEDDINGS.to_string(),
            format!("bert.{WORD_EMBEDDINGS}"),
        ]
        .into_iter()
        .find(|n| file.0.get(n).is_ok())
        .ok_or_else(|| model_err(&weights, format!("no tensor {WORD_EMBEDDINGS}")))?;
        let table = file
            .load(&name, DType::F32, &Device::Cpu)
            .map_err(|e| model_err(&weights, e))?;
        let want = [config.vocab_size, config.hidden_size];
        if table.dims() != want {
            return Err(model_err(
                &weights,
                format!("{name} is {:?}, config.json wants {want:?}", table.dims()),
            ));
        }
        Self::build(dir, &config, tokenizer, &tok_path, table)
    }

    fn build(
        dir: &Path,
        config: &Config,
        mut tokenizer: Tokenizer,
        tok_path: &Path,
        word_embeddings: Tensor,
    ) -> Result<Self, EmbedError> {
        if !dir.is_dir() {
            return Err(model_err(dir, "reranker folder not found"));
        }
        let weights = dir.join(WEIGHTS_FILE);
        let file = open_weights(&weights)?;
        let device = Device::Cpu;

        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| model_err(tok_path, e))?;
        let id = |token: &str| {
            tokenizer
                .token_to_id(token)
                .ok_or_else(|| model_err(tok_path, format!("no {token} in the vocabulary")))
        };
        let (cls, sep, pad) = (id("[CLS]")?, id("[SEP]")?, id("[PAD]")?);

        let hidden = config.hidden_size;
        let head = {
            let get = |name: &str, shape: &[usize]| -> Result<Tensor, EmbedError> {
                let t = file
                    .load(name, DType::F32, &device)
                    .map_err(|e| model_err(&weights, e))?;
                if t.dims() != shape {
                    return Err(model_err(
                        &weights,
                        format!("{name} is {:?}, expected {shape:?}", t.dims()),
                    ));
                }
                Ok(t)
            };
            Linear::new(
                get("head.weight", &[1, hidden])?,
                Some(get("head.bias", &[1])?),
            )
        };

        // Everything but the word embeddings comes from the file, under `bert.`. The config
        // says `model_type: bert`, so BertModel's own retry under `bert.` cannot hide a
        // missing tensor: it would look for `bert.bert.*` and fail the same way.
        let backend = Weights {
            file,
            prefix: "bert.",
            word_embeddings: WordEmbeddings::Serve(word_embeddings),
        };
        let vb = VarBuilder::from_backend(Box::new(backend), DType::F32, device.clone());
        let model = BertModel::load(vb, config).map_err(|e| {
            model_err(
                &weights,
                format!("not a reranker for this config.json: {e}"),
            )
        })?;

        let name = folder_name(dir, "reranker");
        Ok(Self {
            model,
            head,
            tokenizer,
            cls,
            sep,
            pad,
            device,
            name,
        })
    }

    /// Word pieces of `text`, no special tokens, no truncation.
    fn pieces(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        Ok(self
            .tokenizer
            .encode(text, false)
            .map_err(infer_err)?
            .get_ids()
            .to_vec())
    }

    /// The question segment, `[CLS] q [SEP]`, cut to [`Self::QUESTION_MAX_TOKENS`].
    fn question_segment(&self, question: &str) -> Result<Vec<u32>, EmbedError> {
        let mut q = self.pieces(question)?;
        q.truncate(Self::QUESTION_MAX_TOKENS - 2);
        let mut ids = Vec::with_capacity(q.len() + 2);
        ids.push(self.cls);
        ids.extend(q);
        ids.push(self.sep);
        Ok(ids)
    }

    /// `[CLS] q [SEP] p [SEP]` with the passage cut so the pair fits [`Self::MAX_TOKENS`].
    fn pair(&self, question: &[u32], mut passage: Vec<u32>) -> Pair {
        passage.truncate(Self::MAX_TOKENS - question.len() - 1);
        let mut ids = Vec::with_capacity(question.len() + passage.len() + 1);
        ids.extend_from_slice(question);
        ids.extend(passage);
        ids.push(self.sep);
        let mut types = vec![0; question.len()];
        types.resize(ids.len(), 1);
        Pair { ids, types }
    }

    /// Tokens the model reads for this pair, special tokens included (at most
    /// [`Self::MAX_TOKENS`]).
    pub fn encoded_len(&self, question: &str, passage: &str) -> Result<usize, EmbedError> {
        let q = self.question_segment(question)?;
        Ok(self.pair(&q, self.pieces(passage)?).ids.len())
    }

    fn forward(&self, pairs: &[Pair]) -> Result<Vec<f32>, EmbedError> {
        let n = pairs.len();
        let len = pairs.iter().map(|p| p.ids.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(n * len);
        let mut types = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for p in pairs {
            let padding = len - p.ids.len();
            ids.extend_from_slice(&p.ids);
            ids.extend(std::iter::repeat_n(self.pad, padding));
            types.extend_from_slice(&p.types);
            types.extend(std::iter::repeat_n(0, padding));
            mask.extend(std::iter::repeat_n(1u32, p.ids.len()));
            mask.extend(std::iter::repeat_n(0u32, padding));
        }
        let (hidden, _) = hidden_states(&self.model, &self.device, [ids, types, mask], (n, len))?;
        let cls = hidden
            .narrow(1, 0, 1)
            .and_then(|t| t.squeeze(1))
            .map_err(infer_err)?; // (n, hidden)
        self.head
            .forward(&cls)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1())
            .map_err(infer_err)
    }
}

impl Reranker for BertReranker {
    fn name(&self) -> &str {
        &self.name
    }

    fn score(&self, question: &str, passages: &[&str]) -> Result<Vec<f32>, EmbedError> {
        if passages.is_empty() {
            return Ok(Vec::new());
        }
        let q = self.question_segment(question)?;
        let encodings = self
            .tokenizer
            .encode_batch(passages.to_vec(), false)
            .map_err(infer_err)?;
        let pairs: Vec<Pair> = encodings
            .iter()
            .map(|e| self.pair(&q, e.get_ids().to_vec()))
            .collect();
        self.forward(&pairs)
    }
}
