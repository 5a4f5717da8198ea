//! One re-index: the seed folder's changes since the last one, applied to the live index.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::{IndexWriter, Term};

use crate::corpus::{self, Article, ParsedFile, SeedWarning};
use crate::error::{io_error, Error, Result};
use crate::index::manifest::{write_manifest, REINDEXING};
use crate::index::stamps::{self, Stamp, Stamps};
use crate::index::{self, ArticleMeta, IndexHandle, Manifest, SearchIndex, Storage};

use super::Report;

/// Parsed seed files are kept in memory between re-indexes below this many bytes of seed
/// text, so a change re-reads only the changed files. Above it, the unchanged files are read
/// again from disk on each change, which keeps a large archive's text out of the serving
/// process.
pub const CACHE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;
const WRITER_HEAP: usize = 32 * 1024 * 1024;

/// Brings the index behind an [`IndexHandle`] up to date with the seed folder, one call at a
/// time. [`Watcher`] calls it from a background thread; tests can call it directly.
pub struct Reindexer {
    handle: IndexHandle,
    seeds: PathBuf,
    storage: Storage,
    /// Every seed file as last seen: its stamp and content hash.
    known: BTreeMap<String, (Stamp, String)>,
    /// Files that were skipped, by name, with why.
    warnings: BTreeMap<String, SeedWarning>,
    /// Parsed usable files, sorted by name (`None` above [`CACHE_LIMIT_BYTES`]).
    cache: Option<Vec<ParsedFile>>,
}

impl Reindexer {
    /// Starts from the index the handle holds now. If the seed folder already differs from
    /// what that index was built from, the difference is applied by the first
    /// [`Reindexer::refresh`].
    pub fn new(handle: IndexHandle, seeds: &Path, storage: Storage) -> Result<Reindexer> {
        let manifest = handle.current().manifest.clone();
        let cached = match &storage {
            Storage::Disk(dir) => stamps::read(dir),
            Storage::Memory => Stamps::default(),
        };
        let fresh = stamps::current_files(seeds, &cached)?.fresh;
        let indexed: HashMap<&str, &str> = manifest
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.hash.as_str()))
            .collect();
        // A file the index has not seen is recorded with an empty hash so the first refresh
        // treats it as changed.
        let known = fresh
            .files
            .into_iter()
            .map(|(name, (stamp, hash))| {
                let skipped = manifest.warnings.iter().any(|w| w.file == name)
                    && !indexed.contains_key(name.as_str());
                let hash = match indexed.get(name.as_str()) {
                    Some(h) if *h == hash => hash,
                    _ if skipped => hash,
                    _ => String::new(),
                };
                (name, (stamp, hash))
            })
            .collect::<BTreeMap<_, _>>();
        // Only skipped files are kept here; a loaded file's own warnings travel with it.
        let warnings = manifest
            .warnings
            .iter()
            .filter(|w| !w.partial)
            .map(|w| (w.file.clone(), w.clone()))
            .collect();
        let mut me = Reindexer {
            handle,
            seeds: seeds.to_path_buf(),
            storage,
            known,
            warnings,
            cache: None,
        };
        // Files the index holds that are gone from the folder count as changed too.
        for f in &manifest.files {
            me.known
                .entry(f.name.clone())
                .or_insert((Stamp::MISSING, f.hash.clone()));
        }
        let total: u64 = manifest.files.iter().map(|f| f.bytes).sum();
        if total <= CACHE_LIMIT_BYTES {
            let mut files = Vec::new();
            for path in corpus::seed_files(seeds)? {
                if let Ok(p) = corpus::read_seed(seeds, &path) {
                    files.push(p);
                }
            }
            me.cache = Some(files);
        }
        Ok(me)
    }

    /// Stamps of the seed folder's files (subfolders too) right now.
    pub fn scan(&self) -> Result<BTreeMap<String, Stamp>> {
        Ok(corpus::seed_files(&self.seeds)?
            .into_iter()
            .filter_map(|p| Some((corpus::seed_name(&self.seeds, &p), Stamp::of(&p)?)))
            .collect())
    }

    /// Whether `scan` differs from what was last indexed.
    pub fn differs(&self, scan: &BTreeMap<String, Stamp>) -> bool {
        scan.len() != self.known.len()
            || scan.iter().any(|(n, s)| {
                self.known
                    .get(n)
                    .is_none_or(|(k, h)| k != s || h.is_empty())
            })
    }

    /// Re-indexes whatever changed since the last call. `Ok(None)` when nothing did (a file
    /// that was only touched is not a change).
    pub fn refresh(&mut self) -> Result<Option<Report>> {
        let started = Instant::now();
        let scan = self.scan()?;
        let mut changed = BTreeSet::new();
        let mut reparsed: Vec<(String, Stamp, std::result::Result<ParsedFile, SeedWarning>)> =
            Vec::new();
        for (name, stamp) in &scan {
            match self.known.get(name) {
                Some((k, h)) if k == stamp && !h.is_empty() => {}
                known => {
                    let parsed = corpus::read_seed(&self.seeds, &self.seeds.join(name));
                    let hash = match &parsed {
                        Ok(p) => p.hash.clone(),
                        Err(_) => hash_file(&self.seeds.join(name)),
                    };
                    if known.is_none_or(|(_, h)| *h != hash) {
                        changed.insert(name.clone());
                    }
                    self.known.insert(name.clone(), (*stamp, hash));
                    reparsed.push((name.clone(), *stamp, parsed));
                }
            }
        }
        let gone: Vec<String> = self
            .known
            .keys()
            .filter(|n| !scan.contains_key(*n))
            .cloned()
            .collect();
        for name in gone {
            self.known.remove(&name);
            changed.insert(name);
        }
        if changed.is_empty() {
            return Ok(None);
        }

        for (name, _, parsed) in &reparsed {
            match parsed {
                Ok(_) => self.warnings.remove(name),
                Err(w) => self.warnings.insert(name.clone(), w.clone()),
            };
        }
        self.warnings.retain(|n, _| scan.contains_key(n));

        let files = match self.cache.take() {
            Some(mut files) => {
                files.retain(|f| scan.contains_key(&f.name) && !changed.contains(&f.name));
                files.extend(
                    reparsed
                        .into_iter()
                        .filter(|(n, _, _)| changed.contains(n))
                        .filter_map(|(_, _, p)| p.ok()),
                );
                files.sort_by(|a, b| a.name.cmp(&b.name));
                files
            }
            None => {
                let (files, more) = self.read_all(&changed)?;
                changed.extend(more);
                files
            }
        };
        let result = self.apply(&changed, &files, started);
        if self.total_bytes() <= CACHE_LIMIT_BYTES {
            self.cache = Some(files);
        }
        if result.is_err() {
            // Forget the hashes of the changed files so the next refresh tries them again.
            for name in &changed {
                if let Some((_, h)) = self.known.get_mut(name) {
                    h.clear();
                }
            }
        }
        result.map(Some)
    }

    fn total_bytes(&self) -> u64 {
        self.known.values().map(|(s, _)| s.bytes).sum()
    }

    /// Reads every usable seed file. Returns the files and the names not in `changed` whose
    /// content turned out to differ from `known` (edited since they were scanned).
    fn read_all(&mut self, changed: &BTreeSet<String>) -> Result<(Vec<ParsedFile>, Vec<String>)> {
        let mut files = Vec::new();
        let mut more = Vec::new();
        for path in corpus::seed_files(&self.seeds)? {
            let name = corpus::seed_name(&self.seeds, &path);
            let stamp = Stamp::of(&path);
            match corpus::read_seed(&self.seeds, &path) {
                Ok(p) => {
                    if let Some((s, h)) = self.known.get_mut(&name) {
                        if !h.is_empty() && *h != p.hash && !changed.contains(&name) {
                            more.push(name.clone());
                        }
                        *h = p.hash.clone();
                        if let Some(stamp) = stamp {
                            *s = stamp;
                        }
                    }
                    files.push(p);
                }
                Err(w) => {
                    self.warnings.insert(name, w);
                }
            }
        }
        Ok((files, more))
    }

    /// Deletes and re-adds the articles touched by `changed`, commits, and swaps the new
    /// index in.
    fn apply(
        &mut self,
        changed: &BTreeSet<String>,
        files: &[ParsedFile],
        started: Instant,
    ) -> Result<Report> {
        let articles = corpus::merge(files);
        if articles.is_empty() {
            return Err(newsbot_ingest::Error::NoArticles {
                path: self.seeds.clone(),
            }
            .into());
        }
        let current = self.handle.current();
        // Two different articles can share an id (same lead paragraph), so each id maps to
        // every article carrying it, in corpus order.
        let old = by_id(&current.manifest.articles);
        let manifest = Manifest::new(files, &articles, self.warnings.values().cloned().collect());
        let new = by_id(&manifest.articles);
        let touches = |ms: &[&ArticleMeta]| {
            ms.iter()
                .any(|m| m.sources.iter().any(|s| changed.contains(s)))
        };
        let removed: HashSet<&str> = old
            .iter()
            .filter(|(id, ms)| touches(ms) || new.get(*id) != Some(*ms))
            .map(|(id, _)| *id)
            .collect();
        let removed_articles = removed.iter().map(|id| old[id].len()).sum();
        let mut dirty: HashSet<&str> = removed.clone();
        dirty.extend(
            new.iter()
                .filter(|(id, ms)| touches(ms) || old.get(*id) != Some(*ms))
                .map(|(id, _)| *id),
        );
        // Deletion is by article id, so every article sharing a dirty id is re-added, even
        // one that did not change itself.
        let added: Vec<&Article> = articles
            .iter()
            .filter(|a| dirty.contains(a.id.as_str()))
            .collect();

        if let Storage::Disk(dir) = &self.storage {
            // `newsbot index` in another process swaps a new index folder in; writing to it
            // through this engine's view of the old one would corrupt it.
            if index::read_manifest(dir).as_ref() != Some(&current.manifest) {
                return Err(Error::Index {
                    path: dir.display().to_string(),
                    message: "the index folder was replaced by another process; restart to \
                              serve and watch it"
                        .into(),
                });
            }
        }
        let fields = current.fields;
        let index = current.index.clone();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_HEAP)?;
        for id in &dirty {
            writer.delete_term(Term::from_field_text(fields.article, id));
        }
        for a in &added {
            index::add_article(&writer, &fields, a)?;
        }
        let marker = match &self.storage {
            Storage::Disk(dir) => {
                let m = dir.join(REINDEXING);
                std::fs::write(&m, b"").map_err(io_error(&m))?;
                Some((dir.clone(), m))
            }
            Storage::Memory => None,
        };
        writer.commit()?;
        writer.wait_merging_threads()?;
        // Fault injection for the shared-folder test: die as `kill -9` would, after
        // tantivy's commit and before the manifest, the worst moment for readers.
        if std::env::var_os("NEWSBOT_FAULT_ABORT_MID_COMMIT").is_some() {
            std::process::abort();
        }
        if let Some((dir, marker)) = marker {
            write_manifest(&dir, &manifest)?;
            let stamps = Stamps {
                files: self
                    .known
                    .iter()
                    .filter(|(_, (s, h))| *s != Stamp::MISSING && !h.is_empty())
                    .map(|(n, v)| (n.clone(), v.clone()))
                    .collect(),
            };
            stamps::write(&dir, &stamps);
            std::fs::remove_file(&marker).map_err(io_error(&marker))?;
        }
        let passages = manifest.passages;
        self.handle
            .replace(SearchIndex::from_parts(index, manifest)?);
        crate::telemetry::reindexed(started.elapsed(), passages);
        Ok(Report {
            files: changed.iter().cloned().collect(),
            articles_added: added.len(),
            articles_removed: removed_articles,
            passages,
            elapsed: started.elapsed(),
        })
    }
}

/// Every article carrying each id, in corpus order.
fn by_id(metas: &[ArticleMeta]) -> HashMap<&str, Vec<&ArticleMeta>> {
    let mut m: HashMap<&str, Vec<&ArticleMeta>> = HashMap::new();
    for a in metas {
        m.entry(a.id.as_str()).or_default().push(a);
    }
    m
}

fn hash_file(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| corpus::content_hash(&b))
        .unwrap_or_default()
}
