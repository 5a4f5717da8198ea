//! Reading seed files: cleaning, splitting into articles and paragraphs, and merging the
//! copies of one article that several files carry.
//!
//! The seeds come in three layouts (headline + blank-line paragraphs; no headlines with one
//! paragraph per line; section sub-headings inside a long piece) and articles are separated
//! by a promo line that appears in several spellings. Layout is decided per article chunk, not
//! per file, so a file that mixes layouts still parses.
//!
//! Nothing a user wrote is lost silently: a line that may be a sentence is indexed, copies
//! merge to the union of their paragraphs, and [`Accounting`] says where every line went.

mod merge;
mod model;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

pub use crate::accounting::{Accounting, Counts, FileAccount, MergeNote, ParseCounts};
use crate::decode;
use crate::error::{Error, Result};
use crate::text::{fingerprint, normalize_whitespace, short_hash, squash, truncate_words};

pub use merge::*;
pub use model::*;
pub use parse::*;

// The reader's tuning numbers, in one place. Chosen by reading the shipped seeds (never an
// eval set): their longest headline has 11 words and their longest section heading 12. The
// headline limit leaves room for a site suffix and wordier real headlines; the heading limits
// are the ones the parser always had.

/// A headline is at most this many words and characters, site suffix included.
const HEADLINE_MAX_WORDS: usize = 24;
const HEADLINE_MAX_CHARS: usize = 200;
/// A section heading is at most this many words and characters.
const HEADING_MAX_WORDS: usize = 16;
const HEADING_MAX_CHARS: usize = 150;
/// A paragraph counts as evidence that two chunks are copies only with at least this many
/// letters and digits (about eight words), so a shared stock line ("Photo: Reuters") never
/// makes two articles one.
const MIN_EVIDENCE_CHARS: usize = 40;

/// The promo line, in every spelling seen: with or without the comma, the "?", the "!", the
/// space between the two sentences, and with any whitespace (NBSPs are normalised before this
/// runs). The second sentence alone also counts, so a promo broken over two lines still goes.
static PROMO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)would\s*you\s*like\s*to\s*learn\s*more\s*about\s*ai\s*,?\s*tech\s*,?\s*and\s*digital\s*diplomacy\s*[?!.]*\s*(?:if\s*so\s*,?\s*ask\s*our\s*diplo\s*chatbot\s*[!?.]*)?|if\s*so\s*,?\s*ask\s*our\s*diplo\s*chatbot\s*[!?.]*",
    )
    .expect("promo regex")
});

/// The `*.txt` files of a seed folder, sorted by name so results never depend on directory
/// order.
pub fn seed_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Err(Error::SeedFolderMissing {
            path: dir.to_path_buf(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::SeedFolderUnreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "txt")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                && !p.is_dir()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and parses one seed file. `Err` carries the human-readable reason it was skipped.
pub fn read_file(path: &Path) -> std::result::Result<ParsedFile, SeedWarning> {
    let name = file_name(path);
    let warn = |problem: String| SeedWarning {
        file: name.clone(),
        problem,
    };
    let bytes = std::fs::read(path).map_err(|e| warn(format!("cannot be read ({e})")))?;
    parse_bytes(&name, &bytes)
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Parses the bytes of one file. Validation happens here so every door gets the same
/// warnings for the same bad file.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> std::result::Result<ParsedFile, SeedWarning> {
    let warn = |problem: &str| SeedWarning {
        file: name.to_string(),
        problem: problem.to_string(),
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(warn("is empty"));
    }
    let decoded = decode::decode(bytes).map_err(|e| match e {
        decode::NotText::Binary => warn("looks like a binary file, not text"),
    })?;
    if decoded.text.trim().is_empty() {
        return Err(warn("is empty"));
    }
    let (articles, counts) = parse_text_counted(&decoded.text);
    if articles.is_empty() {
        return Err(warn("holds only promo lines, no article text"));
    }
    Ok(ParsedFile {
        name: name.to_string(),
        bytes: bytes.len() as u64,
        hash: content_hash(bytes),
        articles,
        encoding: decoded.encoding,
        counts,
    })
}

pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a whole seed folder. Bad files become warnings; a folder with no usable article is
/// an error.
pub fn load_dir(dir: &Path) -> Result<Corpus> {
    load_dir_with(dir, |_, _| {})
}

/// Like [`load_dir`], calling `progress(done, total)` after each file.
pub fn load_dir_with(dir: &Path, mut progress: impl FnMut(usize, usize)) -> Result<Corpus> {
    let paths = seed_files(dir)?;
    let mut corpus = Corpus::default();
    // Files parse independently, so batches are spread over the cores; results keep name
    // order so the corpus never depends on thread timing.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let mut done = 0;
    for batch in paths.chunks(threads * 16) {
        let per_thread = batch.len().div_ceil(threads);
        let results: Vec<Vec<std::result::Result<ParsedFile, SeedWarning>>> =
            std::thread::scope(|s| {
                let workers: Vec<_> = batch
                    .chunks(per_thread.max(1))
                    .map(|part| s.spawn(move || part.iter().map(|p| read_file(p)).collect()))
                    .collect();
                workers
                    .into_iter()
                    .zip(batch.chunks(per_thread.max(1)))
                    .map(|(w, part)| {
                        w.join().unwrap_or_else(|_| {
                            part.iter()
                                .map(|p| {
                                    Err(SeedWarning {
                                        file: file_name(p),
                                        problem: "could not be parsed (internal error)".into(),
                                    })
                                })
                                .collect()
                        })
                    })
                    .collect()
            });
        for r in results.into_iter().flatten() {
            match r {
                Ok(parsed) => corpus.files.push(parsed),
                Err(w) => corpus.warnings.push(w),
            }
        }
        done += batch.len();
        progress(done, paths.len());
    }
    let merged = merge_accounted(&corpus.files);
    corpus.articles = merged.articles;
    corpus.accounting = merged.accounting;
    if corpus.articles.is_empty() {
        return Err(Error::NoArticles {
            path: dir.to_path_buf(),
        });
    }
    Ok(corpus)
}
