//! The tantivy index: schema, build, open, and the manifest that says which seed files an
//! index on disk was built from.
//!
//! Each document is one passage (a paragraph). Besides its own text it carries its article's
//! headline and a `context` field (headline, section title, lead and key names of the
//! article) so a paragraph that only says "the company" is still found by a question naming
//! the company.

use std::collections::{HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use crate::analysis;
use crate::corpus::{self, Article, Corpus, SeedWarning};
use crate::error::{Error, Result};
use crate::headline_terms::{HeadlineTerms, Overlap};
use crate::stamps;

/// Bumped whenever the schema or the way documents are built changes, so old indexes on disk
/// are rebuilt rather than misread.
pub const SCHEMA_VERSION: u32 = 8;
const MANIFEST: &str = "newsbot-manifest.json";
/// Present in the index folder while a live re-index commits; found at start-up it means the
/// index and its manifest may disagree, so the index is rebuilt.
pub(crate) const REINDEXING: &str = "newsbot-reindexing";
const WRITER_HEAP: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub article: Field,
    pub para: Field,
    pub headline: Field,
    pub body: Field,
    pub context: Field,
    pub section: Field,
    pub sources: Field,
    pub keys: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::EN)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let freqs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::EN)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        article: b.add_text_field("article", STRING | STORED),
        para: b.add_u64_field("para", STORED | FAST),
        headline: b.add_text_field("headline", positions.clone()),
        body: b.add_text_field("body", positions),
        context: b.add_text_field("context", freqs),
        section: b.add_text_field("section", STORED),
        sources: b.add_text_field("sources", STORED),
        keys: b.add_text_field("keys", STORED),
    };
    (b.build(), fields)
}

/// Where the index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    Disk(PathBuf),
    Memory,
}

/// One seed file as the index saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub hash: String,
}

impl From<&corpus::ParsedFile> for FileEntry {
    fn from(f: &corpus::ParsedFile) -> FileEntry {
        FileEntry {
            name: f.name.clone(),
            bytes: f.bytes,
            hash: f.hash.clone(),
        }
    }
}

/// An article's catalogue entry, kept beside the index so listing and autocompleting
/// headlines needs no search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleMeta {
    pub id: String,
    pub headline: String,
    pub sources: Vec<String>,
    pub paragraphs: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub files: Vec<FileEntry>,
    pub articles: Vec<ArticleMeta>,
    pub passages: usize,
    pub warnings: Vec<SeedWarningEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedWarningEntry {
    pub file: String,
    pub problem: String,
}

/// An open index ready to search.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub manifest: Manifest,
    by_id: HashMap<String, usize>,
    /// Built on first use so start-up stays fast on a large archive.
    headline_terms: OnceLock<HeadlineTerms>,
}

impl SearchIndex {
    pub fn article_meta(&self, id: &str) -> Option<&ArticleMeta> {
        self.by_id.get(id).map(|&i| &self.manifest.articles[i])
    }

    /// Articles whose headline shares a term with `terms`, in manifest order.
    pub fn headline_overlaps(&self, terms: &HashSet<&str>) -> Vec<Overlap> {
        self.headline_terms
            .get_or_init(|| HeadlineTerms::new(&self.manifest.articles))
            .overlaps(terms)
    }

    pub(crate) fn from_parts(index: Index, manifest: Manifest) -> Result<SearchIndex> {
        analysis::register(index.tokenizers());
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let by_id = manifest
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        Ok(SearchIndex {
            index,
            reader,
            fields,
            manifest,
            by_id,
            headline_terms: OnceLock::new(),
        })
    }
}

/// Capitalised words of `text`, each with whether it opens a sentence.
fn capitalised(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric());
        let w = w
            .strip_suffix("’s")
            .or_else(|| w.strip_suffix("'s"))
            .unwrap_or(w);
        if w.chars().next().is_some_and(|c| c.is_uppercase()) && w.chars().count() > 1 {
            out.push((w, sentence_start));
        }
        sentence_start = word.ends_with(['.', '!', '?']);
    }
    out
}

/// Words the article uses as names: capitalised mid-sentence, or acronyms (CNIL, FIDReC)
/// anywhere. A capital after a full stop alone is no evidence of a name.
fn article_names<'a>(caps: &[Vec<(&'a str, bool)>]) -> FxHashSet<&'a str> {
    caps.iter()
        .flatten()
        .filter(|(w, start)| !start || w.chars().filter(|c| c.is_uppercase()).count() >= 2)
        .map(|(w, _)| *w)
        .collect()
}

/// The names among a paragraph's capitalised words, including sentence starts once the
/// article has shown the word is a name ("Coupang disclosed…").
fn names_in<'a>(caps: &[(&'a str, bool)], known: &FxHashSet<&str>) -> Vec<&'a str> {
    caps.iter()
        .filter(|(w, _)| known.contains(w))
        .map(|(w, _)| *w)
        .collect()
}

/// The article's recurring names, most frequent first (ties: first seen first).
fn key_names(caps: &[Vec<(&str, bool)>], known: &FxHashSet<&str>, limit: usize) -> Vec<String> {
    let mut counts: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    for (order, name) in caps.iter().flat_map(|p| names_in(p, known)).enumerate() {
        counts.entry(name).or_insert((0, order)).0 += 1;
    }
    // A key name recurs; a capitalised word seen once ("Article 102") says nothing about the
    // article's other paragraphs.
    let mut names: Vec<(&str, (usize, usize))> =
        counts.into_iter().filter(|(_, (n, _))| *n >= 2).collect();
    names.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    names
        .into_iter()
        .take(limit)
        .map(|(n, _)| n.to_string())
        .collect()
}

/// What paragraph `i` of `article` is about beyond its own words: the headline, its section
/// title, the article's key names, and the names in the paragraph before it (which a
/// paragraph saying "the company" or "its servers" leans on). Stored, so re-ranking can
/// tell words the paragraph says from words only its article says.
pub fn keys_text(article: &Article, i: usize, names: &[String], previous_names: &[&str]) -> String {
    let mut keys = article.headline.clone();
    if let Some(s) = &article.paragraphs[i].section {
        keys.push_str(". ");
        keys.push_str(s);
    }
    keys.push_str(". ");
    keys.push_str(&names.join(" "));
    if !previous_names.is_empty() {
        keys.push(' ');
        keys.push_str(&previous_names.join(" "));
    }
    keys
}

/// The indexed `context` of paragraph `i`: its keys. The article's lead paragraph used to be
/// here too, but it doubled the text analysed at build time and made the field's posting
/// lists as long as the paragraphs' own, while the recurring names already carry what a
/// question about the article's subject needs.
pub fn context_text(keys: &str) -> String {
    keys.to_string()
}

/// Adds every passage of `article` to the writer.
pub fn add_article(writer: &IndexWriter, f: &Fields, article: &Article) -> Result<()> {
    // Capitalised words are found once per paragraph and reused for the article's names,
    // its key names and each paragraph's "previous paragraph" names.
    let caps: Vec<Vec<(&str, bool)>> = article
        .paragraphs
        .iter()
        .map(|p| capitalised(&p.text))
        .collect();
    let known = article_names(&caps);
    let names = key_names(&caps, &known, 10);
    for (i, p) in article.paragraphs.iter().enumerate() {
        let previous = if i > 0 {
            names_in(&caps[i - 1], &known)
        } else {
            Vec::new()
        };
        let keys = keys_text(article, i, &names, &previous);
        let mut d: TantivyDocument = doc!(
            f.article => article.id.clone(),
            f.para => i as u64,
            f.headline => article.headline.clone(),
            f.body => p.text.clone(),
            f.context => context_text(&keys),
            f.keys => keys,
        );
        if let Some(s) = &p.section {
            d.add_text(f.section, s);
        }
        for s in &article.sources {
            d.add_text(f.sources, s);
        }
        writer.add_document(d)?;
    }
    Ok(())
}

pub fn manifest_for(corpus: &Corpus) -> Manifest {
    Manifest {
        schema_version: SCHEMA_VERSION,
        files: corpus.files.iter().map(FileEntry::from).collect(),
        articles: corpus
            .articles
            .iter()
            .map(|a| ArticleMeta {
                id: a.id.clone(),
                headline: a.headline.clone(),
                sources: a.sources.clone(),
                paragraphs: a.paragraphs.len(),
            })
            .collect(),
        passages: corpus.passage_count(),
        warnings: corpus
            .warnings
            .iter()
            .map(|w| SeedWarningEntry {
                file: w.file.clone(),
                problem: w.problem.clone(),
            })
            .collect(),
    }
}

/// Builds an index of `corpus`. On disk it is built in a scratch folder beside the target and
/// renamed into place only once complete, so a crash mid-build never leaves a half index
/// where the next start would look.
pub fn build(
    corpus: &Corpus,
    storage: &Storage,
    mut progress: impl FnMut(usize, usize),
) -> Result<SearchIndex> {
    let (schema, fields) = schema();
    let manifest = manifest_for(corpus);
    let (index, scratch) = match storage {
        Storage::Memory => (Index::create_in_ram(schema), None),
        Storage::Disk(dir) => {
            let scratch = scratch_dir(dir);
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch).map_err(|source| Error::Io {
                path: scratch.clone(),
                source,
            })?;
            (Index::create_in_dir(&scratch, schema)?, Some(scratch))
        }
    };
    analysis::register(index.tokenizers());
    // One writer thread for small corpora: a single segment answers faster and keeps
    // document order fixed; large ones get every core (up to four).
    let threads = if corpus.passage_count() < 20_000 {
        1
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get().min(4))
            .unwrap_or(1)
    };
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_HEAP * threads)?;
    let total = corpus.articles.len();
    for (i, article) in corpus.articles.iter().enumerate() {
        add_article(&writer, &fields, article)?;
        if i % 64 == 0 || i + 1 == total {
            progress(i + 1, total);
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    match (storage, scratch) {
        (Storage::Disk(dir), Some(scratch)) => {
            write_manifest(&scratch, &manifest)?;
            swap_into_place(&scratch, dir)?;
            let index = Index::open_in_dir(dir)?;
            SearchIndex::from_parts(index, manifest)
        }
        _ => SearchIndex::from_parts(index, manifest),
    }
}

fn scratch_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    dir.with_file_name(format!(".{name}.building"))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces `dir` with `scratch`. The old index is moved aside before the new one is moved
/// in; if the process dies between the two renames the next start finds no valid index and
/// rebuilds.
fn swap_into_place(scratch: &Path, dir: &Path) -> Result<()> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let old = dir.with_file_name(format!(
        ".{}.old",
        dir.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let _ = std::fs::remove_dir_all(&old);
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(io(dir))?;
    }
    std::fs::rename(scratch, dir).map_err(io(dir))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    let json = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
    std::fs::write(&tmp, json).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Hashes of the seed folder's files as they are now.
pub fn current_files(seeds: &Path) -> Result<Vec<FileEntry>> {
    corpus::seed_files(seeds)?
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).map_err(io(&p))?;
            Ok(FileEntry {
                name: corpus::file_name(&p),
                bytes: bytes.len() as u64,
                hash: corpus::content_hash(&bytes),
            })
        })
        .collect()
}

/// How an index came to be open, for the doors to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Seed files unchanged since the index on disk was built.
    Reused,
    /// Built now; `reason` says why (first run, seeds changed, forced, unusable index).
    Built { reason: String },
}

pub struct Opened {
    pub index: SearchIndex,
    pub origin: Origin,
    pub warnings: Vec<SeedWarning>,
}

/// Opens the index for `seeds`, reusing the one on disk when its manifest matches the seed
/// files exactly and rebuilding it otherwise. A corrupt or foreign index folder is rebuilt,
/// never trusted.
pub fn open_or_build(
    seeds: &Path,
    storage: &Storage,
    force: bool,
    progress: impl FnMut(usize, usize),
) -> Result<Opened> {
    let reason = match storage {
        Storage::Memory => "in-memory index".to_string(),
        _ if force => "rebuild requested".to_string(),
        Storage::Disk(dir) => {
            let cached = stamps::read(dir);
            let (files, fresh, hashed) = stamps::current_files(seeds, &cached)?;
            match try_open(dir) {
                Ok(Some((index, manifest)))
                    if manifest.files
                        == stamps::without_unchanged_skipped(files, &manifest, &cached) =>
                {
                    if hashed {
                        stamps::write(dir, &fresh);
                    }
                    let warnings = manifest
                        .warnings
                        .iter()
                        .map(|w| SeedWarning {
                            file: w.file.clone(),
                            problem: w.problem.clone(),
                        })
                        .collect();
                    return Ok(Opened {
                        index: SearchIndex::from_parts(index, manifest)?,
                        origin: Origin::Reused,
                        warnings,
                    });
                }
                Ok(Some(_)) => "seed files changed".to_string(),
                Ok(None) => "no index yet".to_string(),
                Err(why) => format!("existing index unusable ({why}); rebuilding"),
            }
        }
    };
    // Stamped before reading so a file edited during the build is hashed again next start.
    let before = match storage {
        Storage::Disk(_) => Some(stamps::current_files(seeds, &stamps::Stamps::default())?.1),
        Storage::Memory => None,
    };
    let corpus = corpus::load_dir(seeds)?;
    let warnings = corpus.warnings.clone();
    let index = build(&corpus, storage, progress)?;
    if let (Storage::Disk(dir), Some(mut fresh)) = (storage, before) {
        // Skipped files are stamped too, so an unchanged bad file does not look like a
        // change at the next start.
        fresh.files.retain(|name, (_, hash)| {
            corpus
                .files
                .iter()
                .any(|f| &f.name == name && &f.hash == hash)
                || corpus.warnings.iter().any(|w| &w.file == name)
        });
        stamps::write(dir, &fresh);
    }
    Ok(Opened {
        index,
        origin: Origin::Built { reason },
        warnings,
    })
}

/// `Ok(None)` when there is no index at all; `Err` with a reason when something is there but
/// cannot be used (wrong schema version, missing manifest, corrupt segments).
fn try_open(dir: &Path) -> std::result::Result<Option<(Index, Manifest)>, String> {
    if !dir.exists() {
        return Ok(None);
    }
    if dir.join(REINDEXING).exists() {
        return Err("a live re-index was interrupted".into());
    }
    // tantivy can panic rather than err on some corrupt files; a bad index folder must only
    // ever mean a rebuild.
    std::panic::catch_unwind(|| try_open_checked(dir))
        .unwrap_or_else(|_| Err("index files are corrupt (the reader panicked)".into()))
}

fn try_open_checked(dir: &Path) -> std::result::Result<Option<(Index, Manifest)>, String> {
    let manifest = read_manifest(dir).ok_or("no readable manifest")?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "schema version {} is not {}",
            manifest.schema_version, SCHEMA_VERSION
        ));
    }
    let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
    // Opening reads only meta.json; load every segment now so truncated files are caught at
    // start-up rather than at the first question.
    analysis::register(index.tokenizers());
    let reader = index.reader().map_err(|e| e.to_string())?;
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(1).map_err(|e| e.to_string())?;
        for doc in segment.doc_ids_alive().take(1) {
            store
                .get::<TantivyDocument>(doc)
                .map_err(|e| e.to_string())?;
        }
    }
    if searcher.num_docs() as usize != manifest.passages {
        return Err(format!(
            "holds {} passages, manifest says {}",
            searcher.num_docs(),
            manifest.passages
        ));
    }
    Ok(Some((index, manifest)))
}
