//! Opening the engine: prompts validated, the index reused when the seeds are unchanged and
//! rebuilt otherwise, or, when another process holds the writer lock, its index as it is.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use newsbot_core::index::{self, Origin};
use newsbot_core::live::{self, WriterLock};
use newsbot_core::{Engine, Prompts, Storage};

use crate::{Config, Error, Progress, Result};

/// Which part a process plays in a data folder it may share with other processes.
pub enum Role {
    /// Writes the index: re-indexes seed changes and polls feeds. The lock is held for as
    /// long as the role lives (none in memory).
    Writer { _lock: Option<WriterLock> },
    /// Serves the index in `dir` that another process writes (its pid, when known).
    Reader {
        writer: Option<String>,
        dir: PathBuf,
    },
}

/// How long a reader waits for the writer's first index before giving up.
pub const WAIT_FOR_WRITER: Duration = Duration::from_secs(600);

pub fn storage(c: &Config) -> Storage {
    if c.in_memory {
        Storage::Memory
    } else {
        Storage::Disk(c.data.join("index"))
    }
}

/// The engine and its role. `must_write`: fail rather than read another writer's index.
pub(crate) fn open_as(
    c: &Config,
    force_rebuild: bool,
    must_write: bool,
    progress: Progress,
) -> Result<(Engine, Role)> {
    let prompts = Prompts::load(&c.prompts).map_err(|cause| Error::Prompts {
        path: c.prompts.clone(),
        cause,
    })?;
    let (opened, role) = match storage(c) {
        Storage::Memory => (
            open_index(c, force_rebuild, progress)?,
            Role::Writer { _lock: None },
        ),
        Storage::Disk(dir) => claim(c, dir, force_rebuild, must_write, progress)?,
    };
    for w in &opened.warnings {
        eprintln!("warning: {w}");
    }
    newsbot_core::telemetry::passages_indexed(opened.index.manifest.passages);
    let mut engine = Engine::new(opened.index, std::sync::Arc::new(prompts));
    engine.set_models(crate::load_models(c));
    if c.models.rerank_decides {
        let mut t = *engine.tuning();
        t.rerank_decides = true;
        engine.set_tuning(t);
    }
    Ok((engine, role))
}

/// The writer lock, or the running writer's index once it has one.
fn claim(
    c: &Config,
    dir: PathBuf,
    force_rebuild: bool,
    must_write: bool,
    progress: Progress,
) -> Result<(index::Opened, Role)> {
    let mut waiting = false;
    let started = Instant::now();
    loop {
        let claim = live::shared::claim(&c.data).map_err(|cause| Error::Lock {
            path: c.data.clone(),
            cause,
        })?;
        match claim {
            live::Claim::Writer { lock, stale } => {
                if let Some(pid) = stale {
                    eprintln!(
                        "note: took over the index writer lock {} from pid {pid}, which did not exit cleanly",
                        lock.path().display()
                    );
                }
                let opened = open_index(c, force_rebuild, progress)?;
                return Ok((opened, Role::Writer { _lock: Some(lock) }));
            }
            live::Claim::Held { pid } if must_write => {
                let held = live::shared::held(&c.data, pid);
                return Err(Error::MustWrite { held });
            }
            live::Claim::Held { pid } if force_rebuild => {
                return Err(live::shared::held(&c.data, pid).into());
            }
            live::Claim::Held { pid } => match index::open_existing(&dir) {
                Ok(Some(index)) => {
                    let warnings = index.manifest.warnings.clone();
                    let opened = index::Opened {
                        index,
                        origin: Origin::Reused,
                        warnings,
                    };
                    return Ok((opened, Role::Reader { writer: pid, dir }));
                }
                // The writer is building its first index, or is mid-commit.
                _ => {
                    let pid = pid.unwrap_or_else(|| "unknown".into());
                    if !waiting {
                        waiting = true;
                        eprintln!(
                            "waiting for the index writer (pid {pid}) to finish the index in {}",
                            dir.display()
                        );
                    }
                    if started.elapsed() >= WAIT_FOR_WRITER {
                        return Err(Error::WriterStuck {
                            dir,
                            secs: WAIT_FOR_WRITER.as_secs(),
                            pid,
                            lock: c.data.join(live::shared::LOCK_FILE),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
            },
        }
    }
}

/// Reuses or builds the index, as the writer.
fn open_index(c: &Config, force_rebuild: bool, progress: Progress) -> Result<index::Opened> {
    let started = Instant::now();
    let opened = index::open_or_build(&c.seeds, &storage(c), force_rebuild, progress("indexing"))
        .map_err(|cause| Error::Index {
        path: c.seeds.clone(),
        cause,
    })?;
    if let Origin::Built { reason } = &opened.origin {
        tracing::info!(%reason, "index built");
        // One line when an index is written (the first run, or changed seeds), so a person
        // knows what the pause was; an in-memory index is built every time and says nothing.
        if !c.in_memory {
            let m = &opened.index.manifest;
            eprintln!(
                "indexed {} articles, {} passages in {} ms ({reason})",
                m.articles.len(),
                m.passages,
                started.elapsed().as_millis()
            );
        }
    }
    Ok(opened)
}
