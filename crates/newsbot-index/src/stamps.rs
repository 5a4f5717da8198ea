//! A cache of seed-file hashes keyed by size and modification time, kept beside the index.
//!
//! Start-up compares the seed folder with the index manifest by SHA-256. Hashing is cheap on
//! the shipped seeds but reads the whole archive on a large one, so a file whose size and
//! mtime match its stamp reuses the stamped hash. The stamps are only a cache: missing,
//! unreadable or stale stamps just mean the file is hashed again.

use std::collections::HashMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::manifest::{FileEntry, Manifest};
use crate::error::Result;
use newsbot_ingest::corpus;

const STAMPS: &str = "newsbot-stamps.json";

/// Size and modification time of a file, as cheap change detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub bytes: u64,
    pub mtime_ns: u128,
}

impl Stamp {
    /// Stands for a file the index holds that is no longer on disk.
    pub const MISSING: Stamp = Stamp {
        bytes: u64::MAX,
        mtime_ns: 0,
    };

    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Some(Stamp {
            bytes: meta.len(),
            mtime_ns,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamps {
    /// File name → (stamp, SHA-256 of the content when it had that stamp).
    pub files: HashMap<String, (Stamp, String)>,
}

pub fn read(dir: &Path) -> Stamps {
    std::fs::read(dir.join(STAMPS))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Best effort: a stamps file that cannot be written only costs hashing at the next start.
pub fn write(dir: &Path, stamps: &Stamps) {
    let tmp = dir.join(format!("{STAMPS}.tmp"));
    let Ok(json) = serde_json::to_vec(stamps) else {
        return;
    };
    if std::fs::write(&tmp, json).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(STAMPS));
    }
}

/// The seed folder as [`current_files`] finds it.
#[derive(Debug, Default)]
pub struct Current {
    /// The readable seed files, as manifest entries.
    pub entries: Vec<FileEntry>,
    /// Refreshed stamps of those files.
    pub fresh: Stamps,
    /// Whether any file had to be hashed (the stamps are then worth writing).
    pub hashed: bool,
    /// Files that cannot be read (a dangling or looping symlink, no permission), with why.
    /// They are left out of the entries: the reader skips them with the same warning, so
    /// one bad file never stops a start.
    pub unreadable: Vec<corpus::SeedWarning>,
}

/// The seed folder's files as manifest entries, hashing only files whose stamp changed.
pub fn current_files(seeds: &Path, cached: &Stamps) -> Result<Current> {
    let mut fresh = Stamps::default();
    let mut hashed = false;
    let mut entries = Vec::new();
    let mut unreadable = Vec::new();
    for path in corpus::seed_files(seeds)? {
        let name = corpus::seed_name(seeds, &path);
        // Stat before reading, so a write racing with the read leaves a stamp that no longer
        // matches and the file is hashed again next time.
        let stamp = Stamp::of(&path);
        let (bytes, hash) = match (stamp, cached.files.get(&name)) {
            (Some(s), Some((old, hash))) if s == *old => (s.bytes, hash.clone()),
            _ => {
                hashed = true;
                match std::fs::read(&path) {
                    Ok(content) => (content.len() as u64, corpus::content_hash(&content)),
                    Err(e) => {
                        unreadable.push(corpus::SeedWarning::skipped(
                            name,
                            format!("cannot be read ({e})"),
                        ));
                        continue;
                    }
                }
            }
        };
        if let Some(s) = stamp {
            fresh.files.insert(name.clone(), (s, hash.clone()));
        }
        entries.push(FileEntry { name, bytes, hash });
    }
    Ok(Current {
        entries,
        fresh,
        hashed,
        unreadable,
    })
}

/// The manifest lists only the files that were indexed; a file skipped with a warning (not
/// UTF-8, binary, empty) is left out of the comparison while its content is what it was when
/// stamped, so one bad file does not force a rebuild at every start.
pub fn without_unchanged_skipped(
    files: Vec<FileEntry>,
    manifest: &Manifest,
    cached: &Stamps,
) -> Vec<FileEntry> {
    files
        .into_iter()
        .filter(|f| {
            let skipped = manifest
                .warnings
                .iter()
                .any(|w| w.file == f.name && !w.partial)
                && !manifest.files.iter().any(|m| m.name == f.name);
            let unchanged = cached.files.get(&f.name).is_some_and(|(_, h)| *h == f.hash);
            !(skipped && unchanged)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_whose_stamp_matches_reuses_its_hash() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.txt"), "Headline\n\nText.\n").unwrap();
        let Current {
            entries: first,
            fresh: stamps,
            hashed,
            ..
        } = current_files(tmp.path(), &Stamps::default()).unwrap();
        assert!(hashed);
        assert_eq!(first[0].hash, corpus::content_hash(b"Headline\n\nText.\n"));
        // A stamp that matches is trusted: a planted hash shows it was not recomputed.
        let mut planted = stamps.clone();
        planted.files.get_mut("a.txt").unwrap().1 = "planted".into();
        let Current {
            entries: again,
            hashed,
            ..
        } = current_files(tmp.path(), &planted).unwrap();
        assert!(!hashed);
        assert_eq!(again[0].hash, "planted");
        // A changed size is hashed again.
        std::fs::write(tmp.path().join("a.txt"), "Headline\n\nLonger text.\n").unwrap();
        let Current {
            entries: changed,
            hashed,
            ..
        } = current_files(tmp.path(), &planted).unwrap();
        assert!(hashed);
        assert_eq!(
            changed[0].hash,
            corpus::content_hash(b"Headline\n\nLonger text.\n")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_is_reported_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.txt"), "Headline\n\nText.\n").unwrap();
        std::os::unix::fs::symlink("/nonexistent", tmp.path().join("dangling.txt")).unwrap();
        let now = current_files(tmp.path(), &Stamps::default()).unwrap();
        assert_eq!(now.entries.len(), 1);
        assert_eq!(now.unreadable.len(), 1);
        assert_eq!(now.unreadable[0].file, "dangling.txt");
        assert!(now.unreadable[0].problem.contains("cannot be read"));
    }

    #[test]
    fn stamps_round_trip_and_a_bad_file_is_empty() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(read(tmp.path()), Stamps::default());
        let mut s = Stamps::default();
        s.files.insert(
            "a.txt".into(),
            (
                Stamp {
                    bytes: 3,
                    mtime_ns: 7,
                },
                "h".into(),
            ),
        );
        write(tmp.path(), &s);
        assert_eq!(read(tmp.path()), s);
        std::fs::write(tmp.path().join(STAMPS), b"nonsense").unwrap();
        assert_eq!(read(tmp.path()), Stamps::default());
    }

    #[test]
    fn an_unchanged_skipped_file_is_left_out_of_the_comparison() {
        let entry = |name: &str, hash: &str| FileEntry {
            name: name.into(),
            bytes: 1,
            hash: hash.into(),
        };
        let manifest = Manifest {
            schema_version: 0,
            files: vec![entry("good.txt", "g")],
            articles: Vec::new(),
            passages: 0,
            warnings: vec![corpus::SeedWarning::skipped("bad.txt", "binary")],
        };
        let mut cached = Stamps::default();
        let stamp = Stamp {
            bytes: 1,
            mtime_ns: 1,
        };
        cached.files.insert("bad.txt".into(), (stamp, "b".into()));
        let now = vec![entry("bad.txt", "b"), entry("good.txt", "g")];
        assert_eq!(
            without_unchanged_skipped(now, &manifest, &cached),
            [entry("good.txt", "g")]
        );
        let edited = vec![entry("bad.txt", "b2"), entry("good.txt", "g")];
        assert_eq!(
            without_unchanged_skipped(edited, &manifest, &cached).len(),
            2
        );
    }
}
