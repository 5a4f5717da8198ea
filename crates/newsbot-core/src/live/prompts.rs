//! Live prompts: `prompts/topics/*.toml`, `messages.toml` and `variants.toml` edited under a
//! running door take effect without a restart.
//!
//! Like the seed folder, the prompts folder is polled rather than watched with OS events.
//! It is a handful of small files, so each poll reads them whole and compares a hash of
//! their bytes: no mtime granularity to trip over, and a file saved with the same content
//! is not a change.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::prompts::Prompts;
use crate::prompts::PromptsHandle;

/// How often the prompts folder is read, and how long it must stay unchanged before it is
/// loaded: an editor's save, or a burst of edits, is one reload.
#[derive(Debug, Clone, Copy)]
pub struct PromptWatchOptions {
    pub poll: Duration,
    pub debounce: Duration,
}

impl Default for PromptWatchOptions {
    fn default() -> Self {
        PromptWatchOptions {
            poll: Duration::from_millis(500),
            debounce: Duration::from_millis(700),
        }
    }
}

/// What one reload did.
pub enum PromptChange<'a> {
    /// The new prompts are serving.
    Applied(&'a Arc<Prompts>),
    /// The folder as it is now does not load; the last good prompts keep serving.
    Rejected(&'a Error),
}

/// A hash of every prompts file's name and bytes; `None` when the folder cannot be read.
fn fingerprint(dir: &Path) -> Option<u64> {
    let mut files: Vec<PathBuf> = vec![dir.join("messages.toml"), dir.join("variants.toml")];
    let mut topics: Vec<PathBuf> = std::fs::read_dir(dir.join("topics"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    topics.sort();
    files.extend(topics);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.hash(&mut h);
        std::fs::read(&f).ok().hash(&mut h);
    }
    Some(h.finish())
}

/// The background thread that reloads the prompts folder into a [`PromptsHandle`] when it
/// changes. Dropping it stops the thread.
pub struct PromptWatcher {
    _thread: super::Background,
}

impl PromptWatcher {
    /// Starts watching `dir`. A folder that loads replaces the prompts and `on_change` gets
    /// [`PromptChange::Applied`]; one that does not is logged once (one line naming the file
    /// and the problem) and `on_change` gets [`PromptChange::Rejected`].
    pub fn spawn(
        handle: PromptsHandle,
        dir: PathBuf,
        options: PromptWatchOptions,
        on_change: impl Fn(PromptChange<'_>) + Send + 'static,
    ) -> PromptWatcher {
        // Taken here, not in the thread, so an edit made just after this returns is a change.
        let loaded = fingerprint(&dir);
        PromptWatcher {
            _thread: super::Background::spawn(
                "newsbot-prompts",
                "prompt edits need a restart",
                move |stop| watch(handle, dir, loaded, options, stop, on_change),
            ),
        }
    }
}

fn watch(
    handle: PromptsHandle,
    dir: PathBuf,
    mut loaded: Option<u64>,
    options: PromptWatchOptions,
    stop: Arc<AtomicBool>,
    on_change: impl Fn(PromptChange<'_>),
) {
    let mut last = loaded;
    let mut still_since = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        super::nap(&stop, options.poll);
        let now = fingerprint(&dir);
        if now != last {
            last = now;
            still_since = Instant::now();
            continue;
        }
        if now == loaded || still_since.elapsed() < options.debounce {
            continue;
        }
        // Tried once per version of the folder, whatever the outcome.
        loaded = now;
        match Prompts::load(&dir) {
            Ok(prompts) => {
                let prompts = Arc::new(prompts);
                handle.replace(prompts.clone());
                crate::telemetry::prompts_reloaded("applied");
                tracing::info!(topics = prompts.topics.len(), "prompts reloaded");
                on_change(PromptChange::Applied(&prompts));
            }
            Err(e) => {
                crate::telemetry::prompts_reloaded("rejected");
                tracing::warn!("prompts not reloaded, the last good ones keep serving: {e}");
                on_change(PromptChange::Rejected(&e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    const MESSAGES: &str = include_str!("../../../../prompts/messages.toml");

    fn topic(name: &str, description: &str) -> String {
        format!("name = \"{name}\"\ndescription = \"{description}\"\nquery = \"fine penalty\"\n")
    }

    fn folder() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("topics")).unwrap();
        std::fs::write(tmp.path().join("messages.toml"), MESSAGES).unwrap();
        std::fs::write(
            tmp.path().join("topics/fines.toml"),
            topic("fines", "Fines"),
        )
        .unwrap();
        tmp
    }

    fn names(p: &Prompts) -> Vec<String> {
        p.topics.iter().map(|t| t.name.clone()).collect()
    }

    #[test]
    fn edits_apply_and_a_broken_file_keeps_the_last_good_prompts() {
        let tmp = folder();
        let dir = tmp.path().to_path_buf();
        let engine = crate::Engine::new(
            crate::index::testing::index_of(&[("news.txt", crate::index::testing::NEWS)]),
            Arc::new(Prompts::load(&dir).unwrap()),
        );
        let handle = engine.prompts_handle().clone();
        let (tx, rx) = mpsc::channel();
        let options = PromptWatchOptions {
            poll: Duration::from_millis(20),
            debounce: Duration::from_millis(60),
        };
        let _w = PromptWatcher::spawn(handle.clone(), dir.clone(), options, move |c| {
            let _ = tx.send(match c {
                PromptChange::Applied(p) => Ok(names(p)),
                PromptChange::Rejected(e) => Err(e.to_string()),
            });
        });
        let wait = || rx.recv_timeout(Duration::from_secs(10)).unwrap();

        // A burst of edits is one reload.
        std::fs::write(
            dir.join("topics/breaches.toml"),
            topic("breaches", "Breaches"),
        )
        .unwrap();
        std::fs::write(dir.join("topics/outages.toml"), topic("outages", "Outages")).unwrap();
        assert_eq!(
            wait(),
            Ok(vec!["breaches".into(), "fines".into(), "outages".into()])
        );
        assert_eq!(engine.prompts().topics.len(), 3);
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());

        // A description Discord would refuse is rejected naming the file; nothing changes.
        std::fs::write(
            dir.join("topics/outages.toml"),
            topic("outages", &"x".repeat(101)),
        )
        .unwrap();
        let err = wait().unwrap_err();
        assert!(
            err.contains("outages.toml") && err.contains("101 characters"),
            "{err}"
        );
        assert_eq!(names(&engine.prompts()), ["breaches", "fines", "outages"]);

        // So is a reserved name, and bad TOML in messages.toml.
        std::fs::write(dir.join("topics/outages.toml"), topic("help", "Help")).unwrap();
        assert!(wait().unwrap_err().contains("built-in"));
        std::fs::write(dir.join("messages.toml"), "welcome = [").unwrap();
        let err = wait().unwrap_err();
        assert!(
            err.contains("messages.toml") && err.contains("TOML"),
            "{err}"
        );

        // Fixed and a file removed: applied, and the message edit with it.
        std::fs::write(
            dir.join("messages.toml"),
            MESSAGES.replacen(
                "welcome = ",
                "welcome = \"Hello from the reload\"\nold_welcome = ",
                1,
            ),
        )
        .unwrap();
        std::fs::remove_file(dir.join("topics/outages.toml")).unwrap();
        let got = wait();
        // `old_welcome` is not a known field, so that edit is rejected: proof the checks run
        // on every reload, not only at start.
        assert!(got.is_err(), "{got:?}");
        std::fs::write(
            dir.join("messages.toml"),
            MESSAGES.replacen("welcome = ", "welcome = \"Hello from the reload\"\n#", 1),
        )
        .unwrap();
        assert_eq!(wait(), Ok(vec!["breaches".into(), "fines".into()]));
        assert_eq!(engine.messages().welcome, "Hello from the reload");
    }
}
