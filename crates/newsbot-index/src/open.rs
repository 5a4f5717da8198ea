//! The open-or-rebuild lifecycle: reuse the index on disk when it was built from exactly
//! the seed files there are now, rebuild it otherwise.

use std::path::Path;

use tantivy::{Index, TantivyDocument};

use crate::analysis;
use crate::error::Result;
use newsbot_ingest::corpus::{self, SeedWarning};

use super::build::build;
use super::manifest::{read_manifest, Manifest, REINDEXING};
use super::schema::SCHEMA_VERSION;
use super::stamps;
use super::{SearchIndex, Storage};

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
            let now = stamps::current_files(seeds, &cached)?;
            match try_open(dir) {
                Ok(Some((index, manifest)))
                    if manifest.files
                        == stamps::without_unchanged_skipped(now.entries, &manifest, &cached) =>
                {
                    if now.hashed {
                        stamps::write(dir, &now.fresh);
                    }
                    // A file that became unreadable since the build is named too.
                    let mut warnings = manifest.warnings.clone();
                    for w in now.unreadable {
                        if !warnings.iter().any(|k| k.file == w.file) {
                            warnings.push(w);
                        }
                    }
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
        Storage::Disk(_) => Some(stamps::current_files(seeds, &stamps::Stamps::default())?.fresh),
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

/// Opens the index in `dir` as it is, without looking at the seed folder: how a read-only
/// process opens the index another process writes. `Ok(None)` when there is none yet; `Err`
/// with a reason while it is unusable (mid-commit, or corrupt).
pub fn open_existing(dir: &Path) -> std::result::Result<Option<SearchIndex>, String> {
    match try_open(dir)? {
        Some((index, manifest)) => SearchIndex::from_parts(index, manifest)
            .map(Some)
            .map_err(|e| e.to_string()),
        None => Ok(None),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::NEWS;

    fn seeds_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let seeds = tmp.path().join("seeds");
        std::fs::create_dir(&seeds).unwrap();
        for (name, bytes) in files {
            std::fs::write(seeds.join(name), bytes).unwrap();
        }
        (tmp, seeds)
    }

    fn open(seeds: &Path, dir: &Path) -> Opened {
        open_or_build(seeds, &Storage::Disk(dir.to_path_buf()), false, |_, _| {}).unwrap()
    }

    #[test]
    fn unchanged_seeds_reuse_the_index_and_changed_ones_rebuild() {
        let (tmp, seeds) = seeds_with(&[("news.txt", NEWS)]);
        let dir = tmp.path().join("index");
        assert!(matches!(open(&seeds, &dir).origin, Origin::Built { .. }));
        assert_eq!(open(&seeds, &dir).origin, Origin::Reused);
        std::fs::write(
            seeds.join("more.txt"),
            "Another headline here\n\nA new paragraph.\n",
        )
        .unwrap();
        match open(&seeds, &dir).origin {
            Origin::Built { reason } => assert_eq!(reason, "seed files changed"),
            other => panic!("{other:?}"),
        }
        assert_eq!(open(&seeds, &dir).index.manifest.articles.len(), 3);
    }

    #[test]
    fn an_unusable_index_is_rebuilt_with_the_reason() {
        let (tmp, seeds) = seeds_with(&[("news.txt", NEWS)]);
        let dir = tmp.path().join("index");
        open(&seeds, &dir);
        std::fs::write(dir.join(REINDEXING), b"").unwrap();
        match open(&seeds, &dir).origin {
            Origin::Built { reason } => assert!(reason.contains("interrupted"), "{reason}"),
            other => panic!("{other:?}"),
        }
        std::fs::write(dir.join("newsbot-manifest.json"), b"{}").unwrap();
        match open(&seeds, &dir).origin {
            Origin::Built { reason } => assert!(reason.contains("manifest"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn skipped_files_are_reported_on_reuse_too() {
        let (tmp, seeds) = seeds_with(&[("news.txt", NEWS), ("bad.txt", b"\x00\x01binary")]);
        let dir = tmp.path().join("index");
        assert_eq!(open(&seeds, &dir).warnings.len(), 1);
        let again = open(&seeds, &dir);
        assert_eq!(again.origin, Origin::Reused);
        assert_eq!(again.warnings[0].file, "bad.txt");
    }

    #[test]
    fn memory_storage_always_builds() {
        let (_tmp, seeds) = seeds_with(&[("news.txt", NEWS)]);
        let o = open_or_build(&seeds, &Storage::Memory, false, |_, _| {}).unwrap();
        assert_eq!(
            o.origin,
            Origin::Built {
                reason: "in-memory index".into()
            }
        );
    }
}
