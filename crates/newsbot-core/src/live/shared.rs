//! One data folder, several processes: exactly one writer, any number of readers.
//!
//! The writer holds an OS lock (`flock`, through std's `File::try_lock`) on
//! `<data>/writer.lock` for as long as it runs, and writes its pid there for messages. The
//! operating system releases the lock when the process dies, however it dies, so a stale
//! lock is never trusted or guessed at: a lock that can be taken is free, and a pid still in
//! the file then names a writer that did not exit cleanly.
//!
//! Readers open the index read-only and [`Reloader`] picks up each commit the writer makes.
//! The writer's commit protocol (see [`live`](super)) leaves a marker while a commit is in
//! flight, so a reader never loads a half-written commit, and a writer killed mid-commit
//! leaves readers on the last good index.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::{io_error, Error, Result};
use crate::index::manifest::{MANIFEST, REINDEXING};
use crate::index::{self, IndexHandle, Manifest};

/// The lock file's name in the data folder.
pub const LOCK_FILE: &str = "writer.lock";

/// The index writer's lock, held until dropped. A clean exit empties the pid so the next
/// writer does not report a takeover.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

impl WriterLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// What trying to become the writer found.
#[derive(Debug)]
pub enum Claim {
    /// This process is the writer. `stale` is the pid a writer that did not exit cleanly
    /// left in the file, when there was one.
    Writer {
        lock: WriterLock,
        stale: Option<String>,
    },
    /// Another running process holds the lock; its pid when it has written it yet.
    Held { pid: Option<String> },
}

/// Tries to take the writer lock of `data` (created if missing). Never blocks.
pub fn claim(data: &Path) -> Result<Claim> {
    std::fs::create_dir_all(data).map_err(io_error(data))?;
    let path = data.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Ok(Claim::Held {
                pid: read_pid(&mut file),
            })
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io_error(&path)(e).into()),
    }
    let stale = read_pid(&mut file).filter(|p| *p != std::process::id().to_string());
    file.set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| writeln!(file, "{}", std::process::id()))
        .and_then(|_| file.sync_data())
        .map_err(io_error(&path))?;
    Ok(Claim::Writer {
        lock: WriterLock { file, path },
        stale,
    })
}

/// Takes the writer lock or fails naming the holder (`newsbot index`, `fetch-feeds`).
pub fn require_writer(data: &Path) -> Result<(WriterLock, Option<String>)> {
    match claim(data)? {
        Claim::Writer { lock, stale } => Ok((lock, stale)),
        Claim::Held { pid } => Err(held(data, pid)),
    }
}

/// The error for a writer lock on `data` that `pid` holds.
pub fn held(data: &Path, pid: Option<String>) -> Error {
    Error::WriterHeld {
        path: data.join(LOCK_FILE),
        pid: pid.unwrap_or_else(|| "unknown".into()),
    }
}

fn read_pid(file: &mut File) -> Option<String> {
    let mut s = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut s).ok()?;
    let pid = s.trim();
    (!pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit())).then(|| pid.to_string())
}

/// How often a reader looks for a new commit. A `stat` of one file: cheap enough to do
/// every half second, and it keeps readers within a second of the writer.
pub const RELOAD_POLL: Duration = Duration::from_millis(500);

/// What identifies one version of the manifest on disk. The writer replaces it by rename,
/// so the inode changes with every commit even when the size and the second do not.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn version(dir: &Path) -> Option<Version> {
    let m = std::fs::metadata(dir.join(MANIFEST)).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Version {
        modified: m.modified().ok(),
        len: m.len(),
        inode,
    })
}

/// A read-only process's background thread that swaps in each commit the writer makes to
/// the index folder. Dropping it stops the thread.
pub struct Reloader {
    _thread: super::Background,
}

impl Reloader {
    /// Watches `dir` (the index folder) and replaces the handle's index after each complete
    /// commit. `on_reload` is called with the new manifest. An index that cannot be opened
    /// (mid-commit, or a writer killed mid-commit) is skipped and the last good one keeps
    /// serving.
    pub fn spawn(
        handle: IndexHandle,
        dir: PathBuf,
        poll: Duration,
        on_reload: impl Fn(&Manifest) + Send + 'static,
    ) -> Reloader {
        Reloader {
            _thread: super::Background::spawn(
                "newsbot-reload",
                "this process keeps the index it opened",
                move |stop| follow(handle, dir, poll, stop, on_reload),
            ),
        }
    }
}

fn follow(
    handle: IndexHandle,
    dir: PathBuf,
    poll: Duration,
    stop: Arc<AtomicBool>,
    on_reload: impl Fn(&Manifest),
) {
    let mut seen = version(&dir);
    let mut warned_for: Option<Option<Version>> = None;
    while !stop.load(Ordering::Relaxed) {
        super::nap(&stop, poll);
        let now = version(&dir);
        if now == seen || now.is_none() || dir.join(REINDEXING).exists() {
            continue;
        }
        match index::open_existing(&dir) {
            Ok(Some(fresh)) => {
                seen = now;
                warned_for = None;
                if fresh.manifest != handle.current().manifest {
                    let passages = fresh.manifest.passages;
                    let manifest = fresh.manifest.clone();
                    handle.replace(fresh);
                    crate::telemetry::index_reloaded(passages);
                    tracing::info!(passages, "picked up the writer's new index");
                    on_reload(&manifest);
                }
            }
            Ok(None) => {}
            Err(why) => {
                // Tried again at every poll (the writer may be between two renames); said
                // once per version so a broken index is one line, not one a second.
                if warned_for.as_ref() != Some(&now) {
                    tracing::warn!(
                        "index at {} cannot be loaded yet ({why}); still serving the last good one",
                        dir.display()
                    );
                    warned_for = Some(now);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::testing::NEWS;
    use crate::index::{open_or_build, Storage};

    #[test]
    fn one_writer_at_a_time_and_a_clean_exit_is_not_stale() {
        let tmp = tempfile::tempdir().unwrap();
        let Claim::Writer { lock, stale } = claim(tmp.path()).unwrap() else {
            panic!("first claim should win");
        };
        assert_eq!(stale, None);
        let pid = std::fs::read_to_string(lock.path()).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
        // flock locks belong to the open file, so a second open in this process is refused
        // just as another process would be.
        match claim(tmp.path()).unwrap() {
            Claim::Held { pid } => assert_eq!(pid, Some(std::process::id().to_string())),
            other => panic!("{other:?}"),
        }
        let err = require_writer(tmp.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(lock);
        match claim(tmp.path()).unwrap() {
            Claim::Writer { stale, .. } => assert_eq!(stale, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_pid_left_behind_is_taken_over_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(LOCK_FILE), "4242\n").unwrap();
        match claim(tmp.path()).unwrap() {
            Claim::Writer { stale, lock } => {
                assert_eq!(stale.as_deref(), Some("4242"));
                let now = std::fs::read_to_string(lock.path()).unwrap();
                assert_eq!(now.trim(), std::process::id().to_string());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_reader_picks_up_commits_and_skips_one_in_flight() {
        let tmp = tempfile::tempdir().unwrap();
        let seeds = tmp.path().join("seeds");
        std::fs::create_dir(&seeds).unwrap();
        std::fs::write(seeds.join("news.txt"), NEWS).unwrap();
        let dir = tmp.path().join("index");
        let storage = Storage::Disk(dir.clone());
        let writer = IndexHandle::new(
            open_or_build(&seeds, &storage, false, |_, _| {})
                .unwrap()
                .index,
        );
        let reader = IndexHandle::new(index::open_existing(&dir).unwrap().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        let _reloader = Reloader::spawn(
            reader.clone(),
            dir.clone(),
            Duration::from_millis(20),
            move |m| {
                let _ = tx.send(m.passages);
            },
        );

        let mut reindexer =
            crate::live::Reindexer::new(writer.clone(), &seeds, storage.clone()).unwrap();
        std::fs::write(
            seeds.join("more.txt"),
            "A third headline here\n\nA new paragraph.\n",
        )
        .unwrap();
        reindexer.refresh().unwrap().unwrap();
        let passages = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(passages, writer.current().manifest.passages);
        assert_eq!(reader.current().manifest.articles.len(), 3);

        // A commit in flight (the marker is there) is not loaded, and neither is a manifest
        // that does not match the segments (a writer killed between the two).
        std::fs::write(dir.join(REINDEXING), b"").unwrap();
        let mut torn = writer.current().manifest.clone();
        torn.passages += 1;
        crate::index::manifest::write_manifest(&dir, &torn).unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        std::fs::remove_file(dir.join(REINDEXING)).unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        assert_eq!(reader.current().manifest.articles.len(), 3);
        assert_ne!(reader.current().manifest.passages, torn.passages);
    }
}
