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

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use crate::accounting::{Accounting, Counts, FileAccount, MergeNote, ParseCounts};
use crate::decode;
use crate::error::{Error, Result};
use crate::text::{fingerprint, normalize_whitespace, short_hash, squash, truncate_words};

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

/// One paragraph of an article, with the section sub-heading it sits under, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub text: String,
    pub section: Option<String>,
}

/// An article as one file carries it, before copies are merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawArticle {
    pub headline: Option<String>,
    pub paragraphs: Vec<Paragraph>,
}

/// One parsed seed file. Kept per file so a live re-index re-parses only what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedFile {
    pub name: String,
    pub bytes: u64,
    pub hash: String,
    pub articles: Vec<RawArticle>,
    /// The encoding the file was read as, when it was not plain UTF-8.
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub counts: ParseCounts,
}

/// A distinct article after merging the copies of it found across files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable across restarts and file order: derived from the text of the lead paragraph.
    pub id: String,
    pub headline: String,
    /// True when no copy had a headline and it was derived from the opening.
    pub headline_derived: bool,
    pub paragraphs: Vec<Paragraph>,
    /// File names (not paths) of every file that carries this article, in name order.
    pub sources: Vec<String>,
}

/// A seed file that could not be used, and why. The rest of the folder still loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedWarning {
    pub file: String,
    pub problem: String,
}

impl fmt::Display for SeedWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; skipped", self.file, self.problem)
    }
}

/// Everything read from a seed folder.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub files: Vec<ParsedFile>,
    pub articles: Vec<Article>,
    pub warnings: Vec<SeedWarning>,
    /// Where every line went.
    pub accounting: Accounting,
}

impl Corpus {
    pub fn passage_count(&self) -> usize {
        self.articles.iter().map(|a| a.paragraphs.len()).sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

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

/// Splits cleaned text into the articles it holds.
pub fn parse_text(text: &str) -> Vec<RawArticle> {
    parse_text_counted(text).0
}

/// Like [`parse_text`], also counting what the lines turned out to be.
pub fn parse_text_counted(text: &str) -> (Vec<RawArticle>, ParseCounts) {
    let clean = normalize_whitespace(text);
    let mut counts = ParseCounts::default();
    // Promo lines separate articles; a promo glued to the end of a paragraph is cut off and
    // still separates.
    let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
    let mut pieces: Vec<String> = Vec::new();
    for line in clean.split('\n') {
        if !line.is_empty() {
            counts.lines += 1;
        }
        if PROMO.is_match(line) {
            counts.promo_lines += 1;
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
    let articles = chunks
        .iter()
        .filter_map(|lines| split_chunk(lines, &mut counts))
        .collect();
    (articles, counts)
}

/// Words that mark a short line as a sentence rather than a heading: subject pronouns,
/// finite auxiliaries and reporting verbs. Section headings are noun phrases ("Outages that
/// defined 2025", "The smoke and mirrors of the digital infrastructure"); a one-line
/// paragraph such as "Federer said he needed surgery on an injured knee" almost always has
/// one of these. A heading misread as a passage costs little; a sentence misread as a
/// heading is lost, so a line with any of these is a passage.
const SENTENCE_WORDS: &[&str] = &[
    "i",
    "he",
    "she",
    "we",
    "they",
    "you",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "did",
    "does",
    "been",
    "said",
    "says",
    "told",
    "added",
    "stated",
    "explained",
    "noted",
    "according",
];

fn has_sentence_word(line: &str) -> bool {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 9)
        .any(|w| SENTENCE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// A heading looks like one: a short single line, without closing punctuation, starting with
/// a capital, a digit or a quote, and with no sign of being a sentence.
fn looks_like_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let first = line.chars().next();
    (1..=HEADING_MAX_WORDS).contains(&words)
        && line.chars().count() <= HEADING_MAX_CHARS
        && !line.ends_with(['.', '!', '?', ':', ';', ',', '…', '"', '”', ')'])
        && first.is_some_and(|c| c.is_uppercase() || c.is_numeric() || "‘'\"“".contains(c))
        && !has_sentence_word(line)
}

/// A " – Site name." (or " — Site", " | Site", " - Site") tail on a headline: up to four
/// capitalised words after a dash or bar, with an optional final period.
static SITE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\S+(?:\s+\S+)+?)\s+[–—|-]\s+\p{Lu}[\p{L}\p{N}&.'’-]*(?:\s+[\p{Lu}\p{N}&][\p{L}\p{N}&.'’-]*){0,3}\s*\.?$",
    )
    .expect("site suffix regex")
});

/// The headline without its site suffix, if it has one.
fn without_site_suffix(line: &str) -> Option<&str> {
    SITE_SUFFIX
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// The headline as shown: site suffix and a lone final period removed ("…", "!" and "?"
/// stay: they are part of the headline).
fn shown_headline(line: &str) -> String {
    let h = without_site_suffix(line).unwrap_or(line).trim();
    match h.strip_suffix('.') {
        Some(rest) if !rest.ends_with('.') => rest.trim_end().to_string(),
        _ => h.to_string(),
    }
}

/// One blank-line-separated block (or one line, in the one-paragraph-per-line layout).
struct Block {
    text: String,
    lines: usize,
}

/// Whether the first block is the article's headline. The layout decides, not the final
/// character: a short single line followed by longer text (the rest of the article) is a
/// headline even when it ends in
/// "." or "…", unless it is plainly a sentence (final punctuation and a sentence word). A
/// site suffix marks a headline in either layout. With one paragraph per line there is no
/// blank line to go by, so the line must look like a heading.
fn is_headline(blocks: &[Block], blank_layout: bool) -> bool {
    let [first, rest @ ..] = blocks else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    let text = first.text.as_str();
    let chars = text.chars().count();
    if first.lines != 1
        || text.split_whitespace().count() > HEADLINE_MAX_WORDS
        || chars > HEADLINE_MAX_CHARS
    {
        return false;
    }
    if without_site_suffix(text).is_some() {
        return true;
    }
    if !blank_layout {
        return looks_like_heading(text);
    }
    let sentence = text.ends_with(['.', '!', '?']) && has_sentence_word(text);
    !sentence && rest.iter().map(|b| b.text.chars().count()).sum::<usize>() > chars
}

fn split_chunk(lines: &[&str], counts: &mut ParseCounts) -> Option<RawArticle> {
    // Trim blank lines at both ends, then decide the layout: any inner blank line means
    // blank-line-separated paragraphs (which may wrap over several lines); none means one
    // paragraph per line.
    let start = lines.iter().position(|l| !l.is_empty())?;
    let end = lines.iter().rposition(|l| !l.is_empty())?;
    let lines = &lines[start..=end];
    let blank_layout = lines.iter().any(|l| l.is_empty());
    let blocks: Vec<Block> = if blank_layout {
        lines
            .split(|l| l.is_empty())
            .filter(|b| !b.is_empty())
            .map(|b| Block {
                text: squash(&b.join(" ")),
                lines: b.len(),
            })
            .collect()
    } else {
        lines
            .iter()
            .map(|l| Block {
                text: l.to_string(),
                lines: 1,
            })
            .collect()
    };

    let headline = is_headline(&blocks, blank_layout).then(|| shown_headline(&blocks[0].text));
    let body = &blocks[usize::from(headline.is_some())..];
    let mut section: Option<String> = None;
    let mut paragraphs = Vec::new();
    for (i, block) in body.iter().enumerate() {
        // Never the last line: a heading heads something.
        if i + 1 < body.len() && block.lines == 1 && looks_like_heading(&block.text) {
            section = Some(block.text.clone());
            counts.headings += 1;
            continue;
        }
        paragraphs.push(Paragraph {
            text: block.text.clone(),
            section: section.clone(),
        });
    }
    counts.headlines += usize::from(headline.is_some());
    counts.paragraphs += paragraphs.len();
    // The last block is always a paragraph, so a chunk with any text is an article.
    (!paragraphs.is_empty()).then_some(RawArticle {
        headline,
        paragraphs,
    })
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

/// The articles of a seed folder and the account of how they were put together.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    pub articles: Vec<Article>,
    pub accounting: Accounting,
}

/// The key under which near-duplicate paragraphs are stored once: the text without case,
/// whitespace, quotes or punctuation. A paragraph of punctuation alone keys by its text.
fn paragraph_key(text: &str) -> String {
    let print = fingerprint(text);
    if print.is_empty() {
        text.to_string()
    } else {
        print
    }
}

/// Merges the articles of all files: copies of one article become one article listing
/// every file as a source, with the real headline from whichever copy has one.
pub fn merge(files: &[ParsedFile]) -> Vec<Article> {
    merge_accounted(files).articles
}

/// Like [`merge`], also accounting per file for what was stored and what was a duplicate.
///
/// Two chunks are copies only when their paragraph text says so: at least half of the
/// shorter one's substantial paragraphs are in the other (two write-ups of one event share
/// none). Headlines play no part. Merging never drops a distinct paragraph: the article is
/// the union of its copies, in the longest copy's order, each other copy's extra paragraphs
/// placed after the paragraph they follow in their own copy.
pub fn merge_accounted(files: &[ParsedFile]) -> Merged {
    struct Draft<'a> {
        copies: Vec<(usize, &'a RawArticle)>,
        keys: HashSet<String>,
        /// Indexes into `notes` of the merges into this draft, to fill in the headline.
        notes: Vec<usize>,
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut notes: Vec<(usize, MergeNote)> = Vec::new();
    let mut by_paragraph: HashMap<String, usize> = HashMap::new();
    for (f, file) in files.iter().enumerate() {
        for raw in &file.articles {
            let keys: Vec<String> = raw
                .paragraphs
                .iter()
                .map(|p| paragraph_key(&p.text))
                .collect();
            let distinct: HashSet<&String> = keys.iter().collect();
            let evidence: Vec<&String> = distinct
                .iter()
                .copied()
                .filter(|k| k.chars().count() >= MIN_EVIDENCE_CHARS)
                .collect();
            let mut votes: HashMap<usize, usize> = HashMap::new();
            for k in &evidence {
                if let Some(&i) = by_paragraph.get(*k) {
                    *votes.entry(i).or_default() += 1;
                }
            }
            let same = votes
                .into_iter()
                .filter(|&(i, n)| n * 2 >= distinct.len().min(drafts[i].keys.len()))
                .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
                .map(|(i, _)| i);
            let i = match same {
                Some(i) => {
                    let d = &mut drafts[i];
                    let common = distinct.iter().filter(|k| d.keys.contains(**k)).count();
                    let mut earlier: Vec<String> = d
                        .copies
                        .iter()
                        .map(|&(f, _)| files[f].name.clone())
                        .collect();
                    earlier.dedup();
                    d.notes.push(notes.len());
                    notes.push((
                        i,
                        MergeNote {
                            headline: String::new(),
                            earlier,
                            file: file.name.clone(),
                            common,
                            added: distinct.len() - common,
                        },
                    ));
                    d.copies.push((f, raw));
                    i
                }
                None => {
                    drafts.push(Draft {
                        copies: vec![(f, raw)],
                        keys: HashSet::new(),
                        notes: Vec::new(),
                    });
                    drafts.len() - 1
                }
            };
            for k in evidence {
                by_paragraph.entry(k.clone()).or_insert(i);
            }
            drafts[i].keys.extend(keys);
        }
    }

    let mut per_file = vec![Counts::default(); files.len()];
    let mut articles = Vec::with_capacity(drafts.len());
    for d in &drafts {
        // Accounting in file order: the first copy to give a paragraph is credited with it.
        let mut seen: HashSet<String> = HashSet::new();
        for &(f, raw) in &d.copies {
            for p in &raw.paragraphs {
                if seen.insert(paragraph_key(&p.text)) {
                    per_file[f].paragraphs_indexed += 1;
                } else {
                    per_file[f].duplicates_stored_once += 1;
                }
            }
        }
        let paragraphs = union_of_copies(&d.copies);
        let headline = d.copies.iter().find_map(|(_, raw)| raw.headline.clone());
        let derived = headline.is_none();
        let headline = headline.unwrap_or_else(|| derive_headline(&paragraphs[0].text));
        for &n in &d.notes {
            notes[n].1.headline = headline.clone();
        }
        let mut sources: Vec<String> = d
            .copies
            .iter()
            .map(|&(f, _)| files[f].name.clone())
            .collect();
        sources.sort();
        sources.dedup();
        articles.push(Article {
            id: short_hash(&fingerprint(&paragraphs[0].text)),
            headline,
            headline_derived: derived,
            paragraphs,
            sources,
        });
    }

    let mut accounting = Accounting {
        merges: notes.into_iter().map(|(_, n)| n).collect(),
        ..Accounting::default()
    };
    for (file, mut counts) in files.iter().zip(per_file) {
        counts.lines = file.counts.lines;
        counts.headlines = file.counts.headlines;
        counts.headings = file.counts.headings;
        counts.promo_lines = file.counts.promo_lines;
        accounting.total.add(&counts);
        accounting.files.push(FileAccount {
            file: file.name.clone(),
            encoding: file.encoding.clone(),
            counts,
        });
    }
    Merged {
        articles,
        accounting,
    }
}

/// The union of an article's copies, each near-duplicate paragraph once. The longest copy
/// (the first, on a tie) gives the order; another copy's extra paragraph goes right after
/// the paragraph it follows in that copy, and extras that open a copy go before the first
/// paragraph that copy shares.
fn union_of_copies(copies: &[(usize, &RawArticle)]) -> Vec<Paragraph> {
    let base = copies
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, raw))| (raw.paragraphs.len(), std::cmp::Reverse(*i)))
        .map_or(0, |(i, _)| i);
    let mut out: Vec<(String, Paragraph)> = Vec::new();
    let mut have: HashSet<String> = HashSet::new();
    for p in &copies[base].1.paragraphs {
        let k = paragraph_key(&p.text);
        if have.insert(k.clone()) {
            out.push((k, p.clone()));
        }
    }
    for (i, (_, raw)) in copies.iter().enumerate() {
        if i == base {
            continue;
        }
        let mut after: Option<usize> = None;
        let mut leading: Vec<(String, Paragraph)> = Vec::new();
        for p in &raw.paragraphs {
            let k = paragraph_key(&p.text);
            if leading.iter().any(|(o, _)| *o == k) {
                continue;
            }
            if have.contains(&k) {
                let pos = out.iter().position(|(o, _)| *o == k).unwrap_or(out.len());
                if after.is_none() && !leading.is_empty() {
                    let n = leading.len();
                    out.splice(pos..pos, leading.drain(..));
                    after = Some(pos + n);
                } else {
                    after = Some(pos);
                }
            } else {
                have.insert(k.clone());
                match after {
                    Some(pos) => {
                        out.insert(pos + 1, (k, p.clone()));
                        after = Some(pos + 1);
                    }
                    None => leading.push((k, p.clone())),
                }
            }
        }
        // A copy that shares nothing (not reachable through `merge`) keeps its text anyway.
        out.append(&mut leading);
    }
    out.into_iter().map(|(_, p)| p).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promo_spellings_all_split() {
        let text = "A first paragraph here.\nWould you like to learn more about AI, tech, and digital diplomacy? If so, ask our Diplo chatbot!\nSecond article text.\nWould you like to learn more about\u{a0}AI, tech and digital diplomacyIf so,\u{a0}ask our Diplo chatbot\nThird one.";
        let arts = parse_text(text);
        assert_eq!(arts.len(), 3);
        for a in &arts {
            for p in &a.paragraphs {
                assert!(!p.text.to_lowercase().contains("diplo"));
            }
        }
    }

    #[test]
    fn headline_and_sections() {
        let text = "Big news today\n\nFirst para.\n\nA section title\n\nSecond para.";
        let arts = parse_text(text);
        assert_eq!(arts[0].headline.as_deref(), Some("Big news today"));
        assert_eq!(arts[0].paragraphs.len(), 2);
        assert_eq!(
            arts[0].paragraphs[1].section.as_deref(),
            Some("A section title")
        );
    }

    #[test]
    fn single_newline_layout_has_no_headline() {
        let arts = parse_text("One sentence here.\nAnother line here.\n");
        assert_eq!(arts[0].headline, None);
        assert_eq!(arts[0].paragraphs.len(), 2);
    }

    #[test]
    fn derived_headline_is_short() {
        let h = derive_headline("Hopae is expanding into Europe with a €5M investment as the region prepares for mandatory EUDI Wallet adoption. More.");
        assert!(h.chars().count() <= 64, "{h}");
        assert!(h.starts_with("Hopae is expanding"));
    }

    #[test]
    fn bad_bytes_are_warnings() {
        assert!(parse_bytes("e.txt", b"").is_err());
        assert!(parse_bytes("e.txt", b"\xef\xbb\xbf\n").is_err());
        assert!(parse_bytes("b.txt", b"\x00\x01\x02abc").is_err());
        let promo = parse_bytes("p.txt", "Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n".as_bytes()).unwrap_err();
        assert!(promo.problem.contains("only promo"), "{promo}");
    }

    #[test]
    fn legacy_encodings_are_read() {
        let f = parse_bytes("l.txt", b"Caf\xe9 prices rose by \x805 this year.").unwrap();
        assert_eq!(f.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(
            f.articles[0].paragraphs[0].text,
            "Café prices rose by €5 this year."
        );
    }

    const REPRO: &str = "Stocks rally as markets cheer rate cut – Example Wire.\n\nThe central bank cut its main rate by half a point on Tuesday, the first cut in two years.\n\nWould you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n\nStocks rally as markets cheer rate cut – Example Wire.\n\nShares of carmakers rose 4% after the announcement, led by Tesla and Ford.\n";

    fn file(name: &str, text: &str) -> ParsedFile {
        parse_bytes(name, text.as_bytes()).unwrap()
    }

    #[test]
    fn headlines_with_punctuation_and_site_suffix_are_headlines() {
        let arts = parse_text(REPRO);
        assert_eq!(arts.len(), 2);
        for a in &arts {
            assert_eq!(
                a.headline.as_deref(),
                Some("Stocks rally as markets cheer rate cut")
            );
            assert_eq!(a.paragraphs.len(), 1);
        }
        for h in [
            "Markets tumble…",
            "Rates cut at last!",
            "The end of cheap money?",
        ] {
            let arts = parse_text(&format!(
                "{h}\n\nThe central bank cut its main rate by half a point on Tuesday.\n"
            ));
            assert_eq!(arts[0].headline.as_deref(), Some(h));
        }
        // Plainly a sentence, though short and first: indexed.
        let arts = parse_text("He said it was over.\n\nThe central bank cut its main rate by half a point on Tuesday.\n");
        assert_eq!(arts[0].headline, None);
        assert_eq!(arts[0].paragraphs.len(), 2);
    }

    #[test]
    fn chunks_sharing_only_a_headline_stay_apart() {
        let merged = merge_accounted(&[file("a.txt", REPRO)]);
        assert_eq!(merged.articles.len(), 2);
        assert!(merged.accounting.merges.is_empty());
        assert_eq!(merged.accounting.total.paragraphs_indexed, 2);
        assert_eq!(merged.accounting.total.headlines, 2);
        assert_eq!(merged.accounting.total.promo_lines, 1);
    }

    #[test]
    fn one_line_sentences_are_passages_and_headings_are_not() {
        let text = "Federer out of Wimbledon\n\nThe Swiss star withdrew from the tournament on Monday after a scan.\n\nFederer said he needed surgery on an injured knee\n\nHis coach confirmed the news later in the day.\n\nWhat comes next\n\nHe hopes to return next season.\n\nA last line without a period";
        let arts = parse_text(text);
        let texts: Vec<&str> = arts[0].paragraphs.iter().map(|p| p.text.as_str()).collect();
        assert!(texts.contains(&"Federer said he needed surgery on an injured knee"));
        assert!(texts.contains(&"A last line without a period"), "{texts:?}");
        assert!(!texts.contains(&"What comes next"));
        assert_eq!(
            arts[0].paragraphs[3].section.as_deref(),
            Some("What comes next")
        );
    }

    #[test]
    fn copies_merge_to_the_union_in_a_sensible_order() {
        let p = |s: &str| {
            format!("{s} is a paragraph long enough to count as evidence of a copy, and it runs on past the length of any headline, so the layout cannot take it for one.")
        };
        let a = format!(
            "Headline here\n\n{}\n\n{}\n\n{}\n\n{}\n",
            p("One"),
            p("Two"),
            p("Four"),
            p("Five")
        );
        // Missing One and Five, adds Three after Two and Zero before Two; Four has other
        // quotes and spacing.
        let b = format!(
            "{}\n\n{}\n\n{}\n\n{}\n",
            p("Zero"),
            p("Two"),
            p("Three"),
            p("Four").replace(' ', "  ").replace("is", "“is”")
        );
        let merged = merge_accounted(&[file("a.txt", &a), file("b.txt", &b)]);
        assert_eq!(merged.articles.len(), 1);
        let art = &merged.articles[0];
        let firsts: Vec<&str> = art
            .paragraphs
            .iter()
            .map(|p| p.text.split(' ').next().unwrap())
            .collect();
        assert_eq!(firsts, ["One", "Zero", "Two", "Three", "Four", "Five"]);
        assert_eq!(art.headline, "Headline here");
        assert_eq!(art.sources, ["a.txt", "b.txt"]);
        let acc = &merged.accounting;
        assert_eq!(acc.total.paragraphs_indexed, 6);
        assert_eq!(acc.total.duplicates_stored_once, 2);
        assert_eq!(
            acc.merges[0].to_string(),
            "\"Headline here\" in a.txt and b.txt: same article, 2 paragraphs in common, 2 added"
        );
    }
}
