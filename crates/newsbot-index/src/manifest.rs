//! The manifest kept beside an index: which seed files it was built from, its article
//! catalogue (for listing and autocompleting headlines without a search), and the files
//! that were skipped and why.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{io_error, Result};
use newsbot_ingest::corpus::{Article, Corpus, ParsedFile, SeedWarning};

use super::schema::SCHEMA_VERSION;

pub const MANIFEST: &str = "newsbot-manifest.json";
/// Present in the index folder while a live re-index commits; found at start-up it means the
/// index and its manifest may disagree, so the index is rebuilt.
pub const REINDEXING: &str = "newsbot-reindexing";

/// One seed file as the index saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub hash: String,
}

impl From<&ParsedFile> for FileEntry {
    fn from(f: &ParsedFile) -> FileEntry {
        FileEntry {
            name: f.name.clone(),
            bytes: f.bytes,
            hash: f.hash.clone(),
        }
    }
}

/// An article's catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleMeta {
    pub id: String,
    pub headline: String,
    pub sources: Vec<String>,
    pub paragraphs: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl From<&Article> for ArticleMeta {
    fn from(a: &Article) -> ArticleMeta {
        ArticleMeta {
            id: a.id.clone(),
            headline: a.headline.clone(),
            sources: a.sources.clone(),
            paragraphs: a.paragraphs.len(),
            date: a.date.clone(),
            url: a.url.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub files: Vec<FileEntry>,
    pub articles: Vec<ArticleMeta>,
    pub passages: usize,
    /// Seed files skipped with a warning; stored so a reused index still reports them.
    pub warnings: Vec<SeedWarning>,
}

impl Manifest {
    /// The manifest of an index holding `articles`, merged from the usable `files`.
    /// `warnings` are the skipped files'; the usable files' own warnings are added.
    pub fn new(files: &[ParsedFile], articles: &[Article], warnings: Vec<SeedWarning>) -> Manifest {
        let mut warnings = warnings;
        for f in files {
            for w in &f.warnings {
                if !warnings.contains(w) {
                    warnings.push(w.clone());
                }
            }
        }
        Manifest {
            schema_version: SCHEMA_VERSION,
            files: files.iter().map(FileEntry::from).collect(),
            articles: articles.iter().map(ArticleMeta::from).collect(),
            passages: articles.iter().map(|a| a.paragraphs.len()).sum(),
            warnings,
        }
    }

    /// The manifest of a full build of `corpus`.
    pub fn of(corpus: &Corpus) -> Manifest {
        Manifest::new(&corpus.files, &corpus.articles, corpus.warnings.clone())
    }
}

/// Writes the manifest atomically (a temporary file renamed into place).
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    let json = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
    std::fs::write(&tmp, json).map_err(io_error(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io_error(&path))
}

/// The manifest in `dir`, or `None` when it is missing or unreadable.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::corpus_of;

    #[test]
    fn manifest_lists_files_articles_and_warnings() {
        let c = corpus_of(&[
            (
                "a.txt",
                b"Regulator fines Example Corp\n\nThe regulator fined Example Corp on Monday.\n\nIt will appeal.\n",
            ),
            ("bad.txt", b"\x00\x01binary"),
        ]);
        let m = Manifest::of(&c);
        assert_eq!(m.schema_version, SCHEMA_VERSION);
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].name, "a.txt");
        assert_eq!(m.files[0].hash, c.files[0].hash);
        assert_eq!(m.articles.len(), 1);
        assert_eq!(m.articles[0].headline, "Regulator fines Example Corp");
        assert_eq!(m.articles[0].paragraphs, 2);
        assert_eq!(m.articles[0].sources, ["a.txt"]);
        assert_eq!(m.passages, 2);
        assert_eq!(m.warnings.len(), 1);
        assert_eq!(m.warnings[0].file, "bad.txt");
    }

    #[test]
    fn manifest_round_trips_through_its_file() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(read_manifest(tmp.path()), None);
        let m = Manifest::of(&corpus_of(&[(
            "a.txt",
            b"Headline here\n\nOne paragraph.\n",
        )]));
        write_manifest(tmp.path(), &m).unwrap();
        assert_eq!(read_manifest(tmp.path()), Some(m));
        std::fs::write(tmp.path().join(MANIFEST), b"{not json").unwrap();
        assert_eq!(read_manifest(tmp.path()), None);
    }
}
