//! Reading seed files: cleaning, splitting into articles and paragraphs, and merging the
//! copies of one article that several files carry.
//!
//! The seeds come in three layouts (headline + blank-line paragraphs; no headlines with one
//! paragraph per line; section sub-headings inside a long piece) and articles are separated
//! by a promo line that appears in several spellings. Layout is decided per article chunk, not
//! per file, so a file that mixes layouts still parses.

mod model;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

pub use model::{Article, Corpus, Paragraph, ParsedFile, RawArticle, SeedWarning};

use crate::error::{Error, Result};
use crate::text::{fingerprint, normalize_whitespace, short_hash, squash, truncate_words};

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
    if looks_binary(bytes) {
        return Err(warn("looks like a binary file, not text"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| SeedWarning {
        file: name.to_string(),
        problem: format!(
            "is not valid UTF-8 (bad byte at offset {}); save it as UTF-8",
            e.valid_up_to()
        ),
    })?;
    let articles = parse_text(text);
    if articles.is_empty() {
        return Err(warn("holds no article text (only promo lines or headings)"));
    }
    Ok(ParsedFile {
        name: name.to_string(),
        bytes: bytes.len() as u64,
        hash: content_hash(bytes),
        articles,
    })
}

pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 10 > head.len()
}

/// Splits cleaned text into the articles it holds.
pub fn parse_text(text: &str) -> Vec<RawArticle> {
    let clean = normalize_whitespace(text);
    // Promo lines separate articles; a promo glued to the end of a paragraph is cut off and
    // still separates.
    let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
    let mut pieces: Vec<String> = Vec::new();
    for line in clean.split('\n') {
        if PROMO.is_match(line) {
            let mut last = 0;
            for m in PROMO.find_iter(line) {
                pieces.push(format!("{}\u{0}", &line[last..m.start()]));
                last = m.end();
            }
            pieces.push(line[last..].to_string());
        } else {
            pieces.push(line.to_string());
        }
    }
    for piece in &pieces {
        // \0 marks "a promo followed this text": the chunk ends after it.
        if let Some(before) = piece.strip_suffix('\u{0}') {
            let before = before.trim();
            if !before.is_empty() {
                chunks.last_mut().expect("non-empty").push(before);
            }
            chunks.push(Vec::new());
        } else {
            chunks.last_mut().expect("non-empty").push(piece.trim());
        }
    }
    chunks.iter().flat_map(|lines| split_chunk(lines)).collect()
}

/// A heading is a short single line without closing punctuation. Headlines and section
/// titles both look like this; body sentences end in punctuation.
fn is_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let first = line.chars().next();
    (1..=16).contains(&words)
        && line.chars().count() <= 150
        && !line.ends_with(['.', '!', '?', ':', ';', ',', '…', '"', '”', ')'])
        && first.is_some_and(|c| c.is_uppercase() || c.is_numeric() || "‘'\"“".contains(c))
}

fn split_chunk(lines: &[&str]) -> Vec<RawArticle> {
    // Trim blank lines at both ends, then decide the layout: any inner blank line means
    // blank-line-separated paragraphs (which may wrap over several lines); none means one
    // paragraph per line.
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    let lines = &lines[start..=end];
    let blank_layout = lines.iter().any(|l| l.is_empty());
    let blocks: Vec<String> = if blank_layout {
        lines
            .split(|l| l.is_empty())
            .filter(|b| !b.is_empty())
            .map(|b| squash(&b.join(" ")))
            .collect()
    } else {
        lines.iter().map(|l| l.to_string()).collect()
    };

    let mut headline = None;
    let mut section: Option<String> = None;
    let mut paragraphs = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if is_heading(block) {
            if i == 0 {
                headline = Some(block.clone());
            } else {
                section = Some(block.clone());
            }
            continue;
        }
        paragraphs.push(Paragraph {
            text: block.clone(),
            section: section.clone(),
        });
    }
    if paragraphs.is_empty() {
        return Vec::new();
    }
    vec![RawArticle {
        headline,
        paragraphs,
    }]
}

/// Derives a short readable headline from an article's opening sentence, for articles that
/// no file gives a headline. A long sentence is cut at a clause boundary ("…, fuelled by",
/// "… that has …") so the result still reads as a headline, and only then by length.
pub fn derive_headline(first_paragraph: &str) -> String {
    const MAX: usize = 64;
    let sentence = first_paragraph
        .split_inclusive(". ")
        .next()
        .unwrap_or(first_paragraph)
        .trim()
        .trim_end_matches('.');
    if sentence.chars().count() <= MAX {
        return sentence.to_string();
    }
    let boundaries = [
        ", ", " that ", " which ", " as ", " after ", " amid ", " to ", " with ",
    ];
    let best = boundaries
        .iter()
        .flat_map(|b| sentence.match_indices(b).map(|(i, _)| i))
        .filter(|&i| (24..=MAX).contains(&sentence[..i].chars().count()))
        .max();
    match best {
        Some(i) => sentence[..i].to_string(),
        None => truncate_words(sentence, MAX),
    }
}

/// Merges the articles of all files: copies of one article (judged by shared paragraphs)
/// become one article listing every file as a source, with the real headline from whichever
/// copy has one.
pub fn merge(files: &[ParsedFile]) -> Vec<Article> {
    struct Draft {
        headline: Option<String>,
        paragraphs: Vec<Paragraph>,
        sources: Vec<String>,
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_paragraph: HashMap<String, usize> = HashMap::new();
    for file in files {
        for raw in &file.articles {
            let prints: Vec<String> = raw
                .paragraphs
                .iter()
                .map(|p| fingerprint(&p.text))
                .collect();
            let mut votes: HashMap<usize, usize> = HashMap::new();
            for p in &prints {
                if let Some(&i) = by_paragraph.get(p) {
                    *votes.entry(i).or_default() += 1;
                }
            }
            // Same article when at least half of the shorter copy's paragraphs match. Two
            // write-ups of one event share no paragraphs, so they stay apart.
            let same = votes
                .into_iter()
                .filter(|&(i, n)| n * 2 >= raw.paragraphs.len().min(drafts[i].paragraphs.len()))
                .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
                .map(|(i, _)| i);
            match same {
                Some(i) => {
                    let d = &mut drafts[i];
                    if !d.sources.contains(&file.name) {
                        d.sources.push(file.name.clone());
                    }
                    if d.headline.is_none() {
                        d.headline = raw.headline.clone();
                    }
                    if raw.paragraphs.len() > d.paragraphs.len() {
                        d.paragraphs = raw.paragraphs.clone();
                    }
                    for p in prints {
                        by_paragraph.entry(p).or_insert(i);
                    }
                }
                None => {
                    let i = drafts.len();
                    drafts.push(Draft {
                        headline: raw.headline.clone(),
                        paragraphs: raw.paragraphs.clone(),
                        sources: vec![file.name.clone()],
                    });
                    for p in prints {
                        by_paragraph.entry(p).or_insert(i);
                    }
                }
            }
        }
    }
    drafts
        .into_iter()
        .map(|d| {
            let derived = d.headline.is_none();
            let headline = d
                .headline
                .unwrap_or_else(|| derive_headline(&d.paragraphs[0].text));
            let mut sources = d.sources;
            sources.sort();
            Article {
                id: short_hash(&fingerprint(&d.paragraphs[0].text)),
                headline,
                headline_derived: derived,
                paragraphs: d.paragraphs,
                sources,
            }
        })
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
    corpus.articles = merge(&corpus.files);
    if corpus.articles.is_empty() {
        return Err(Error::NoArticles {
            path: dir.to_path_buf(),
        });
    }
    Ok(corpus)
}

#[cfg(test)]
mod tests;
