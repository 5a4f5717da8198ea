//! Building an index from a parsed corpus, atomically: on disk it is built in a scratch
//! folder and swapped into place only once complete.

use std::path::{Path, PathBuf};

use tantivy::{Index, IndexWriter};

use crate::analysis;
use crate::error::{io_error, Result};
use newsbot_ingest::corpus::Corpus;

use super::document::add_article;
use super::manifest::{write_manifest, Manifest};
use super::schema::schema;
use super::{SearchIndex, Storage};

const WRITER_HEAP: usize = 64 * 1024 * 1024;
/// Below this many passages one writer thread builds one segment, which answers faster and
/// keeps document order fixed.
const SINGLE_SEGMENT_PASSAGES: usize = 20_000;

/// Builds an index of `corpus`. On disk it is built in a scratch folder beside the target and
/// renamed into place only once complete, so a crash mid-build never leaves a half index
/// where the next start would look.
pub fn build(
    corpus: &Corpus,
    storage: &Storage,
    mut progress: impl FnMut(usize, usize),
) -> Result<SearchIndex> {
    let (schema, fields) = schema();
    let manifest = Manifest::of(corpus);
    let (index, scratch) = match storage {
        Storage::Memory => (Index::create_in_ram(schema), None),
        Storage::Disk(dir) => {
            let scratch = scratch_dir(dir);
            let _ = std::fs::remove_dir_all(&scratch);
            std::fs::create_dir_all(&scratch).map_err(io_error(&scratch))?;
            (Index::create_in_dir(&scratch, schema)?, Some(scratch))
        }
    };
    analysis::register(index.tokenizers());
    // One writer thread for small corpora: a single segment answers faster and keeps
    // document order fixed; large ones get every core (up to four).
    let threads = if corpus.passage_count() < SINGLE_SEGMENT_PASSAGES {
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

/// Replaces `dir` with `scratch`. The old index is moved aside before the new one is moved
/// in; if the process dies between the two renames the next start finds no valid index and
/// rebuilds.
fn swap_into_place(scratch: &Path, dir: &Path) -> Result<()> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    let old = dir.with_file_name(format!(
        ".{}.old",
        dir.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let _ = std::fs::remove_dir_all(&old);
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(io_error(dir))?;
    }
    std::fs::rename(scratch, dir).map_err(io_error(dir))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifest;
    use crate::testing::{corpus_of, NEWS};

    #[test]
    fn builds_in_memory_with_every_passage() {
        let corpus = corpus_of(&[("news.txt", NEWS)]);
        let mut calls = Vec::new();
        let idx = build(&corpus, &Storage::Memory, |done, total| {
            calls.push((done, total))
        })
        .unwrap();
        assert_eq!(idx.reader.searcher().num_docs(), 4);
        assert_eq!(idx.manifest.passages, 4);
        assert_eq!(idx.manifest.articles.len(), 2);
        assert_eq!(calls.last(), Some(&(2, 2)));
        let id = &idx.manifest.articles[1].id;
        assert_eq!(
            idx.article_meta(id).unwrap().headline,
            "Cloud outage takes down banking apps"
        );
    }

    #[test]
    fn a_disk_build_replaces_the_old_index_and_leaves_no_scratch() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("index");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("stale"), b"old").unwrap();
        let corpus = corpus_of(&[("news.txt", NEWS)]);
        build(&corpus, &Storage::Disk(dir.clone()), |_, _| {}).unwrap();
        assert!(!dir.join("stale").exists(), "the old folder is replaced");
        assert_eq!(read_manifest(&dir).unwrap().passages, 4);
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, ["index"]);
    }
}
