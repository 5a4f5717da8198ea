//! Passage embeddings on disk, keyed by a hash of the passage text.
//!
//! One append-only file per model (`<model>.vec`): a header naming the model and its
//! dimensions, then fixed-size records `[text hash u64][scale f32][dims × i8]`. Appending
//! per batch means a crash loses at most the batch being written (a short tail is ignored
//! on load), and keying by text means a restart, a live re-index or a rebuild never embeds
//! unchanged text twice. Several processes may share the file: appends take an exclusive
//! lock, readers tolerate a partial last record.
//!
//! Vectors are quantised to i8 with one scale per vector (symmetric, max-abs): a quarter of
//! f32's memory, with a cosine error under 0.02 (unit test below); the scan is an i8·i8 dot
//! product, which the compiler vectorises.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

const MAGIC: &[u8; 8] = b"NBVEC01\n";

/// The 64-bit key of a passage's text. FNV-1a over the UTF-8 bytes: stable across
/// processes and Rust versions, unlike `std`'s hasher.
pub fn text_key(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Why the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path}: not a newsbot vector file ({why}); delete it to re-embed")]
    Foreign { path: String, why: String },
}

/// A quantised unit vector.
#[derive(Debug, Clone, PartialEq)]
pub struct QVec {
    pub scale: f32,
    pub values: Vec<i8>,
}

impl QVec {
    pub fn quantise(v: &[f32]) -> QVec {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-12);
        let scale = max / 127.0;
        QVec {
            scale,
            values: v.iter().map(|x| (x / scale).round() as i8).collect(),
        }
    }

    /// Approximate dot product with another quantised vector (the cosine, for unit vectors).
    pub fn dot(&self, other: &QVec) -> f32 {
        dot_i8(&self.values, &other.values) as f32 * self.scale * other.scale
    }
}

/// The i8 dot product of the scan, compiled for AVX2 when the CPU has it: the scan over
/// every stored vector is the one loop whose speed grows with the archive, and the portable
/// build only vectorises it with SSE2 (about 3× slower at 384 dimensions).
fn dot_kernel() -> fn(&[i8], &[i8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return |a, b| {
                // SAFETY: AVX2 is present, checked just above.
                unsafe { dot_i8_avx2(a, b) }
            };
        }
    }
    dot_i8
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i8_avx2(a: &[i8], b: &[i8]) -> i32 {
    dot_i8(a, b)
}

#[inline(always)]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum()
}

/// The in-memory table: text key → vector, plus the file it mirrors.
#[derive(Debug)]
pub struct VectorStore {
    path: Option<PathBuf>,
    model: String,
    dims: usize,
    keys: FxHashMap<u64, usize>,
    /// Every vector's values back to back (`dims` each), and their scales: one contiguous
    /// block keeps the scan streaming through memory.
    values: Vec<i8>,
    scales: Vec<f32>,
    order: Vec<u64>,
    /// Bytes of the file already decoded (header and whole records), so `refresh` reads
    /// only what other processes appended since.
    read_upto: u64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> VectorError + '_ {
    move |cause| VectorError::Io {
        path: path.display().to_string(),
        cause,
    }
}

impl VectorStore {
    /// An empty store that lives only in memory (`--in-memory`, tests).
    pub fn in_memory(model: &str, dims: usize) -> VectorStore {
        VectorStore {
            path: None,
            model: model.to_string(),
            dims,
            keys: FxHashMap::default(),
            values: Vec::new(),
            scales: Vec::new(),
            order: Vec::new(),
            read_upto: 0,
        }
    }

    /// Opens (or creates) the store file for `model` in `dir`. A file written for another
    /// model or dimension count is an error naming it, never silently mixed in.
    pub fn open(dir: &Path, model: &str, dims: usize) -> Result<VectorStore, VectorError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let safe: String = model
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{safe}.vec"));
        let mut store = VectorStore::in_memory(model, dims);
        store.path = Some(path.clone());
        if path.exists() {
            store.load(&path)?;
        } else {
            let mut f = File::create(&path).map_err(io_err(&path))?;
            f.write_all(&header(model, dims)).map_err(io_err(&path))?;
        }
        Ok(store)
    }

    fn load(&mut self, path: &Path) -> Result<(), VectorError> {
        let mut f = File::open(path).map_err(io_err(path))?;
        let mut bytes = Vec::new();
        let mut start = 0;
        if self.read_upto == 0 {
            f.read_to_end(&mut bytes).map_err(io_err(path))?;
            let want = header(&self.model, self.dims);
            if bytes.len() < want.len() || bytes[..8] != MAGIC[..] {
                return Err(VectorError::Foreign {
                    path: path.display().to_string(),
                    why: "bad header".into(),
                });
            }
            if bytes[..want.len()] != want[..] {
                return Err(VectorError::Foreign {
                    path: path.display().to_string(),
                    why: format!(
                        "written for another model than {} ({} dims)",
                        self.model, self.dims
                    ),
                });
            }
            start = want.len();
        } else {
            f.seek(SeekFrom::Start(self.read_upto))
                .and_then(|_| f.read_to_end(&mut bytes))
                .map_err(io_err(path))?;
        }
        let rec = record_len(self.dims);
        // A short tail is a batch cut off by a crash (or one being appended right now by
        // another process): skip it here; `append` cuts it under the lock.
        let body = &bytes[start..];
        let whole = body.len() / rec * rec;
        for r in body[..whole].chunks_exact(rec) {
            let key = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
            let scale = f32::from_le_bytes(r[8..12].try_into().expect("4 bytes"));
            let values = r[12..].iter().map(|b| *b as i8).collect();
            self.insert_mem(key, QVec { scale, values });
        }
        self.read_upto += (start + whole) as u64;
        Ok(())
    }

    /// Re-reads records other processes appended since this store was opened.
    pub fn refresh(&mut self) -> Result<usize, VectorError> {
        let Some(path) = self.path.clone() else {
            return Ok(0);
        };
        let before = self.len();
        self.load(&path)?;
        Ok(self.len() - before)
    }

    fn insert_mem(&mut self, key: u64, v: QVec) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.keys.entry(key) {
            e.insert(self.scales.len());
            self.values.extend_from_slice(&v.values);
            self.scales.push(v.scale);
            self.order.push(key);
        }
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// Takes the store's embedding lock (blocking), so processes sharing the folder do not
    /// embed the same passages at once: the second waits, refreshes, and finds them done.
    /// `None` for an in-memory store. Released when the file is dropped.
    pub fn embedding_lock(&self) -> Result<Option<File>, VectorError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        let lock = path.with_extension("lock");
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(io_err(&lock))?;
        f.lock().map_err(io_err(&lock))?;
        Ok(Some(f))
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    pub fn contains(&self, key: u64) -> bool {
        self.keys.contains_key(&key)
    }

    pub fn get(&self, key: u64) -> Option<QVec> {
        self.keys.get(&key).map(|&i| QVec {
            scale: self.scales[i],
            values: self.row(i).to_vec(),
        })
    }

    /// Cosine between `query` and the vector stored under `key`, if any.
    pub fn similarity(&self, key: u64, query: &QVec) -> Option<f32> {
        self.keys
            .get(&key)
            .map(|&i| dot_i8(self.row(i), &query.values) as f32 * self.scales[i] * query.scale)
    }

    fn row(&self, i: usize) -> &[i8] {
        &self.values[i * self.dims..(i + 1) * self.dims]
    }

    /// Adds a batch and appends it to the file in one locked write.
    pub fn append(&mut self, batch: &[(u64, Vec<f32>)]) -> Result<(), VectorError> {
        let mut buf = Vec::with_capacity(batch.len() * record_len(self.dims));
        let mut fresh = Vec::new();
        for (key, v) in batch {
            if self.contains(*key) || v.len() != self.dims {
                continue;
            }
            let q = QVec::quantise(v);
            buf.extend_from_slice(&key.to_le_bytes());
            buf.extend_from_slice(&q.scale.to_le_bytes());
            buf.extend(q.values.iter().map(|x| *x as u8));
            fresh.push((*key, q));
        }
        if let Some(path) = &self.path {
            if !buf.is_empty() {
                let mut f = OpenOptions::new()
                    .append(true)
                    .open(path)
                    .map_err(io_err(path))?;
                f.lock().map_err(io_err(path))?;
                let written = cut_torn_tail(&f, header(&self.model, self.dims).len(), self.dims)
                    .and_then(|_| f.write_all(&buf))
                    .and_then(|_| f.flush());
                let _ = f.unlock();
                written.map_err(io_err(path))?;
            }
        }
        for (key, q) in fresh {
            self.insert_mem(key, q);
        }
        Ok(())
    }

    /// The `k` stored vectors nearest to `query`, best first, restricted to keys `live`
    /// says are in the index (the file also holds text since deleted). An exact scan; a
    /// graph index is the next step if the scan shows in profiles of large archives.
    pub fn nearest(&self, query: &QVec, k: usize, live: impl Fn(u64) -> bool) -> Vec<(u64, f32)> {
        let mut best: Vec<(u64, f32)> = Vec::with_capacity(k + 1);
        let mut floor = f32::MIN;
        // k = 0 asks for nothing (and would index `best[k - 1]` below).
        if k == 0 || query.values.len() != self.dims || self.dims == 0 {
            return best;
        }
        let dot = dot_kernel();
        for (i, (row, scale)) in self
            .values
            .chunks_exact(self.dims)
            .zip(&self.scales)
            .enumerate()
        {
            let s = dot(row, &query.values) as f32 * scale * query.scale;
            if best.len() == k && s <= floor {
                continue;
            }
            let key = self.order[i];
            if !live(key) {
                continue;
            }
            let pos = best.partition_point(|b| b.1 >= s);
            best.insert(pos, (key, s));
            best.truncate(k);
            if best.len() == k {
                floor = best[k - 1].1;
            }
        }
        best
    }
}

fn header(model: &str, dims: usize) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    let name = model.as_bytes();
    h.extend_from_slice(&(name.len() as u32).to_le_bytes());
    h.extend_from_slice(name);
    h.extend_from_slice(&(dims as u32).to_le_bytes());
    h
}

/// Under the append lock: a partial last record can only be a crashed writer's, so it is
/// cut back to a record boundary before new records go after it.
fn cut_torn_tail(f: &File, header_len: usize, dims: usize) -> std::io::Result<()> {
    let len = f.metadata()?.len() as usize;
    let body = len.saturating_sub(header_len);
    let whole = body / record_len(dims) * record_len(dims);
    if whole != body {
        f.set_len((header_len + whole) as u64)?;
    }
    Ok(())
}

fn record_len(dims: usize) -> usize {
    8 + 4 + dims
}

#[cfg(test)]
mod tests;
