//! Reading seed files: cleaning, splitting into articles and paragraphs, and merging the
//! copies of one article that several files carry.
//!
//! The seeds come in three layouts (headline + blank-line paragraphs; no headlines with one
//! paragraph per line; section sub-headings inside a long piece) and articles are separated
//! by a promo line that appears in several spellings. Layout is decided per article chunk, not
//! per file, so a file that mixes layouts still parses.
//!
//! Besides these `.txt` digests, Markdown, HTML, JSON Lines and RSS/Atom files are read by
//! [`formats`], chosen by extension, into the same [`RawArticle`]s, so merging, accounting
//! and indexing are the same for every format. Files in subfolders are read too (feeds are
//! written under `feeds/`); a file is named by its path under the seed folder.
//!
//! Nothing a user wrote is lost silently: a line that may be a sentence is indexed, copies
//! merge to the union of their paragraphs, and [`Accounting`] says where every line went.

pub mod formats;
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

/// How deep under the seed folder files are looked for (`feeds/<feed>/<file>` is two).
const MAX_DEPTH: usize = 8;

/// Whether `path` names a seed file of a format this reader knows, by extension.
pub fn is_seed_file(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| formats::Format::of_extension(x).is_some())
}

/// The seed files under a folder (`*.txt`, `*.md`, `*.html`, `*.jsonl`, `*.xml`, …, in
/// subfolders too), sorted by name so results never depend on directory order. Hidden files
/// and folders are left out, and symlinked folders are not followed (no loops).
pub fn seed_files(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(seed_listing(dir)?.0)
}

/// [`seed_files`], plus a note for each folder it could not or would not enter (a symlinked
/// folder, an unreadable subfolder, one nested too deep), so nothing is left out in silence.
pub fn seed_listing(dir: &Path) -> Result<(Vec<PathBuf>, Vec<SeedWarning>)> {
    if !dir.exists() {
        return Err(Error::SeedFolderMissing {
            path: dir.to_path_buf(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|cause| Error::SeedFolderUnreadable {
        path: dir.to_path_buf(),
        cause,
    })?;
    let mut files = Vec::new();
    let mut notes = Vec::new();
    collect(dir, entries, 0, &mut files, &mut notes);
    files.sort_by_key(|p| seed_name(dir, p));
    notes.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((files, notes))
}

fn collect(
    root: &Path,
    entries: std::fs::ReadDir,
    depth: usize,
    files: &mut Vec<PathBuf>,
    notes: &mut Vec<SeedWarning>,
) {
    for e in entries.filter_map(|e| e.ok()) {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = e.file_type().ok();
        let real_dir = kind.is_some_and(|t| t.is_dir());
        let linked_dir = kind.is_some_and(|t| t.is_symlink()) && p.is_dir();
        if real_dir {
            if depth >= MAX_DEPTH {
                notes.push(SeedWarning::skipped(
                    format!("{}/", seed_name(root, &p)),
                    format!("is a folder nested over {MAX_DEPTH} deep"),
                ));
                continue;
            }
            match std::fs::read_dir(&p) {
                Ok(sub) => collect(root, sub, depth + 1, files, notes),
                Err(err) => notes.push(SeedWarning::skipped(
                    format!("{}/", seed_name(root, &p)),
                    format!("is a folder that cannot be read ({err})"),
                )),
            }
        } else if linked_dir {
            notes.push(SeedWarning::skipped(
                format!("{}/", seed_name(root, &p)),
                "is a symbolic link to a folder, which is not followed (it could loop): move or copy its files in",
            ));
        } else if is_seed_file(&p) && !p.is_dir() {
            files.push(p);
        }
    }
}

/// The name a seed file goes by: its path under the seed folder with `/` separators (the
/// plain file name for a file at the top, as before).
pub fn seed_name(dir: &Path, path: &Path) -> String {
    match path.strip_prefix(dir) {
        Ok(rel) if rel.components().count() > 0 => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        _ => file_name(path),
    }
}

/// Reads and parses one seed file, named by its file name. `Err` carries the human-readable
/// reason it was skipped.
pub fn read_file(path: &Path) -> std::result::Result<ParsedFile, SeedWarning> {
    read_named(&file_name(path), path)
}

/// Reads and parses the seed file at `path` under the seed folder `dir`.
pub fn read_seed(dir: &Path, path: &Path) -> std::result::Result<ParsedFile, SeedWarning> {
    read_named(&seed_name(dir, path), path)
}

fn read_named(name: &str, path: &Path) -> std::result::Result<ParsedFile, SeedWarning> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let warn = |e: std::io::Error| SeedWarning::skipped(name, format!("cannot be read ({e})"));
    let cap = formats::Format::of_name(name).byte_cap();
    let mut file = std::fs::File::open(path).map_err(warn)?;
    let mut head = Vec::new();
    (&mut file)
        .take(cap as u64)
        .read_to_end(&mut head)
        .map_err(warn)?;
    // Past the cap the file is only hashed, streaming, so the hash matches what the index's
    // change detection computes over the whole file.
    let mut hasher = Sha256::new();
    hasher.update(&head);
    let mut total = head.len() as u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(warn)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    parse_with(name, &head, total, hash)
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Parses the bytes of one file; the format comes from the extension of `name`. Validation
/// happens here so every door gets the same warnings for the same bad file.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> std::result::Result<ParsedFile, SeedWarning> {
    let cap = formats::Format::of_name(name).byte_cap().min(bytes.len());
    parse_with(name, &bytes[..cap], bytes.len() as u64, content_hash(bytes))
}

/// Parses `head`, the first bytes of a file of `total` bytes whose SHA-256 is `hash`.
fn parse_with(
    name: &str,
    head: &[u8],
    total: u64,
    hash: String,
) -> std::result::Result<ParsedFile, SeedWarning> {
    let format = formats::Format::of_name(name);
    let mut warnings = Vec::new();
    if (head.len() as u64) < total {
        warnings.push(SeedWarning::partial(
            name,
            None,
            format!(
                "is {} MB; only the first {} MB were read",
                total.div_ceil(1 << 20),
                head.len() >> 20
            ),
        ));
    }
    let warn = |problem: &str| SeedWarning::skipped(name, problem);
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(warn("is empty"));
    }
    let decoded = decode::decode(head).map_err(|e| match e {
        decode::NotText::Binary => warn("looks like a binary file, not text"),
    })?;
    if decoded.text.trim().is_empty() {
        return Err(warn("is empty"));
    }
    let (articles, counts) = match format {
        formats::Format::Text => {
            let (articles, counts) = parse_text_counted(&decoded.text);
            if articles.is_empty() {
                return Err(warn("holds only promo lines, no article text"));
            }
            (articles, counts)
        }
        other => {
            // Feeds are handed their bytes: XML declares its own encoding.
            let mut read = formats::read(other, name, &decoded.text, head)?;
            warnings.extend(read.warnings);
            if read.articles.is_empty() {
                return Err(warn(read.empty_reason));
            }
            read.counts.lines = decoded
                .text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count();
            (read.articles, read.counts)
        }
    };
    Ok(ParsedFile {
        name: name.to_string(),
        bytes: total,
        hash,
        articles,
        encoding: decoded.encoding,
        counts,
        warnings,
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
    let (paths, notes) = seed_listing(dir)?;
    let mut corpus = Corpus {
        warnings: notes,
        ..Corpus::default()
    };
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
                    .map(|part| s.spawn(move || part.iter().map(|p| read_seed(dir, p)).collect()))
                    .collect();
                workers
                    .into_iter()
                    .zip(batch.chunks(per_thread.max(1)))
                    .map(|(w, part)| {
                        w.join().unwrap_or_else(|_| {
                            part.iter()
                                .map(|p| {
                                    Err(SeedWarning::skipped(
                                        seed_name(dir, p),
                                        "could not be parsed (internal error)",
                                    ))
                                })
                                .collect()
                        })
                    })
                    .collect()
            });
        for r in results.into_iter().flatten() {
            match r {
                Ok(parsed) => {
                    corpus.warnings.extend(parsed.warnings.iter().cloned());
                    corpus.files.push(parsed);
                }
                Err(w) => corpus.warnings.push(w),
            }
        }
        done += batch.len();
        progress(done, paths.len());
    }
    let merged = merge_accounted(&corpus.files);
    corpus.articles = merged.articles;
    corpus.accounting = merged.accounting;
    // Every file read gets a row: one left out whole says why.
    for w in corpus.warnings.iter().filter(|w| !w.partial) {
        corpus.accounting.files_skipped += 1;
        corpus.accounting.files.push(FileAccount {
            file: w.file.clone(),
            format: if w.file.ends_with('/') {
                "folder".into()
            } else {
                formats::Format::of_name(&w.file).label().into()
            },
            skipped: Some(w.problem.clone()),
            ..FileAccount::default()
        });
    }
    corpus.accounting.files.sort_by(|a, b| a.file.cmp(&b.file));
    if corpus.articles.is_empty() {
        return Err(Error::NoArticles {
            path: dir.to_path_buf(),
        });
    }
    Ok(corpus)
}
