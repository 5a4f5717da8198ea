//! Model files: `config.json`, and safetensors weights checked before they are memory-mapped
//! (every failure names the file), then served to candle's `VarBuilder`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_transformers::models::bert::Config;
use newsbot_index::embedder::EmbedError;

pub(crate) fn model_err(path: &Path, message: impl std::fmt::Display) -> EmbedError {
    EmbedError::Model {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, EmbedError> {
    let text = std::fs::read_to_string(path).map_err(|e| model_err(path, e))?;
    serde_json::from_str(&text).map_err(|e| model_err(path, format!("not valid JSON: {e}")))
}

/// `config.json` of a BERT model.
pub(crate) fn read_config(path: &Path) -> Result<Config, EmbedError> {
    serde_json::from_value(read_json(path)?)
        .map_err(|e| model_err(path, format!("not a BERT config: {e}")))
}

/// Checks and memory-maps a safetensors file; every failure names it.
pub(crate) fn open_weights(path: &Path) -> Result<F16Weights, EmbedError> {
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

/// Weights read from the memory-mapped file, with f16 tensors widened to f32 by `half`'s
/// slice conversion (F16C where the CPU has it). candle's own `to_dtype` converts one element
/// at a time, which made loading the model take 120 ms of a 200 ms cold start; this takes
/// a fraction of that. Other dtypes go through candle unchanged.
pub(crate) struct F16Weights(pub(crate) candle_core::safetensors::MmapedSafetensors);

impl F16Weights {
    pub(crate) fn load(
        &self,
        name: &str,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
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
pub(crate) enum WordEmbeddings {
    /// From the file, keeping a handle on the loaded tensor (the embedder, so that the
    /// reranker can share it).
    Record(Arc<Mutex<Option<Tensor>>>),
    /// From a tensor already in memory (the reranker: its file does not hold the table).
    Serve(Tensor),
}

/// The VarBuilder backend: tensors from a safetensors file (names under `prefix`), except the
/// word-embedding table as [`WordEmbeddings`] says.
pub(crate) struct Weights {
    pub(crate) file: F16Weights,
    pub(crate) prefix: &'static str,
    pub(crate) word_embeddings: WordEmbeddings,
}

/// The name BERT loads its word-embedding table under (`bert.` in front for some layouts).
pub(crate) const WORD_EMBEDDINGS: &str = "embeddings.word_embeddings.weight";

impl Weights {
    pub(crate) fn load(
        &self,
        name: &str,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
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
