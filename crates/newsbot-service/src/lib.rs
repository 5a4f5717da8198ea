//! newsbot's one start-up path. [`Service::open`] turns a [`Config`] into an open
//! [`Engine`], the [`Role`] its process plays in a data folder it may share, and (for a door
//! that keeps running) the [`Upkeep`] that keeps the engine current: the seed watcher or the
//! reader's reloader, the prompts watcher, feed following and the embedding worker, all
//! stopped when the service is dropped. `chat`, `serve`, the one-shot commands and the
//! benchmark all start here, so they cannot drift apart.
//!
//! Notes for a person (warnings, bracketed progress lines) go to stderr: this is the edge
//! between the library crates and the doors.

mod models;
mod open;
mod upkeep;

use std::path::PathBuf;
use std::sync::Arc;

use newsbot_core::Engine;

pub use models::{load_models, model_dir};
pub use open::{storage, Role, WAIT_FOR_WRITER};
pub use upkeep::{feed_state, load_feeds, Upkeep};

/// Everything start-up reads; the binary fills it from its flags and `.env`.
#[derive(Debug, Clone)]
pub struct Config {
    pub seeds: PathBuf,
    pub data: PathBuf,
    pub prompts: PathBuf,
    /// Keep the index (and, unless `vectors` is set, the vectors) in memory.
    pub in_memory: bool,
    pub models: ModelConfig,
    /// The feeds file, and whether it must exist (named by a flag) rather than being read
    /// only when present (`feeds.toml`).
    pub feeds_file: Option<(PathBuf, bool)>,
    /// More feeds, `URL [INTERVAL]` each.
    pub feed_urls: Vec<String>,
    /// A running door must be the one process that writes the index.
    pub indexer: bool,
    /// Posts per channel per hour for followed topics; beyond it, one digest.
    pub alerts_per_hour: usize,
}

/// Which models to load.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// Neither model: ranking by words only.
    pub lexical: bool,
    /// The sentence-embedding model's folder, or `none`.
    pub model: String,
    /// Whether to load the reranker at all (`--rerank on`).
    pub rerank: bool,
    /// The reranker's folder, or `none`.
    pub reranker_model: String,
    /// Let the reranker's logit into the decision.
    pub rerank_decides: bool,
    /// Where passage vectors live [default: `<data>/vectors`, or memory with `in_memory`].
    pub vectors: Option<PathBuf>,
}

/// How a process starts.
pub enum Start {
    /// One command and out (`ask`, `stats`, `eval`, benchmark workers): the index is reused
    /// or (re)built, then the writer lock is let go.
    Once { force_rebuild: bool },
    /// A door that keeps running (`chat`, `serve`): with upkeep. `on_prompts` hears of each
    /// applied prompts reload (`serve` re-registers the commands); `alerts` delivers the
    /// followed topics' new articles (sent only by the process that writes the index).
    Running {
        on_prompts: Box<dyn Fn() + Send + 'static>,
        alerts: Option<Arc<dyn newsbot_alerts::Sink>>,
    },
}

/// Why start-up failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] newsbot_core::Error),
    #[error("{held}, or start this one without --indexer to serve its index read-only")]
    MustWrite { held: newsbot_core::Error },
    #[error("no usable index in {dir} after {secs} s; is the writer (pid {pid}) stuck? Its lock is {lock}")]
    WriterStuck {
        dir: PathBuf,
        secs: u64,
        pid: String,
        lock: PathBuf,
    },
    #[error("locking the data folder {path}: {cause}")]
    Lock {
        path: PathBuf,
        cause: newsbot_core::Error,
    },
    #[error("opening the index for seed folder {path}: {cause}")]
    Index {
        path: PathBuf,
        cause: newsbot_core::index::Error,
    },
    #[error("loading prompts from {path}: {cause}")]
    Prompts {
        path: PathBuf,
        cause: newsbot_core::Error,
    },
    #[error(transparent)]
    Feeds(#[from] newsbot_feeds::FeedError),
    #[error("reading feeds file {path}: {cause}")]
    FeedsFile {
        path: PathBuf,
        cause: std::io::Error,
    },
}

impl Error {
    /// Whether the user can fix it (exit 2); see `newsbot_core::Error::is_user`.
    pub fn is_user(&self) -> bool {
        match self {
            Error::MustWrite { .. } | Error::FeedsFile { .. } => true,
            Error::Core(e) | Error::Prompts { cause: e, .. } | Error::Lock { cause: e, .. } => {
                e.is_user()
            }
            Error::Index { cause, .. } => cause.is_user(),
            Error::Feeds(e) => e.is_user(),
            Error::WriterStuck { .. } => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The subscriptions database (`<data>/newsbot.db`, in memory with `in_memory`). One that
/// is not a usable database is moved aside with a warning naming it; one that cannot be
/// opened at all turns following off with a warning, and the bot still starts.
fn open_alerts(c: &Config) -> Option<Arc<newsbot_alerts::Store>> {
    let path = (!c.in_memory).then(|| c.data.join(newsbot_alerts::FILE_NAME));
    match newsbot_alerts::Store::open(path.as_deref()) {
        Ok((store, aside)) => {
            if let (Some(path), Some(aside)) = (&path, aside) {
                eprintln!(
                    "warning: {} was not a usable subscriptions database; moved it to {} and started an empty one",
                    path.display(),
                    aside.display()
                );
            }
            Some(Arc::new(store))
        }
        Err(e) => {
            eprintln!("warning: following topics is off: {e}");
            None
        }
    }
}

/// Progress of long work, for the door to show: `(what)` → a `(done, total)` callback.
pub type Progress<'a> = &'a dyn Fn(&'static str) -> Box<dyn FnMut(usize, usize)>;

/// An open engine, its role, and its upkeep when running.
pub struct Service {
    pub engine: Arc<Engine>,
    pub role: Role,
    /// `None` for [`Start::Once`]. Dropped with the service, which stops its threads.
    pub upkeep: Option<Upkeep>,
    /// The subscriptions database; `None` when it could not be opened (following is off).
    pub alerts: Option<Arc<newsbot_alerts::Store>>,
}

impl Service {
    /// Opens the engine as `config` says; see [`Start`]. Seed warnings are printed here.
    pub fn open(config: &Config, start: Start, progress: Progress) -> Result<Service> {
        let (force_rebuild, must_write) = match &start {
            Start::Once { force_rebuild } => (*force_rebuild, false),
            Start::Running { .. } => (false, config.indexer),
        };
        let (engine, role) = open::open_as(config, force_rebuild, must_write, progress)?;
        let engine = Arc::new(engine);
        let alerts = open_alerts(config);
        let upkeep = match start {
            Start::Once { .. } => None,
            Start::Running {
                on_prompts,
                alerts: sink,
            } => {
                let worker = match (&role, &alerts, sink) {
                    (Role::Writer { .. }, Some(store), Some(sink)) => {
                        let settings = newsbot_alerts::Settings {
                            per_hour: config.alerts_per_hour,
                            ..Default::default()
                        };
                        Some(newsbot_alerts::spawn(
                            engine.clone(),
                            store.clone(),
                            sink,
                            settings,
                        ))
                    }
                    _ => None,
                };
                Some(Upkeep::start(config, &engine, &role, on_prompts, worker)?)
            }
        };
        Ok(Service {
            engine,
            role,
            upkeep,
            alerts,
        })
    }
}
