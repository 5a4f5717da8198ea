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
    /// applied prompts reload (`serve` re-registers the commands).
    Running {
        on_prompts: Box<dyn Fn() + Send + 'static>,
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
            Error::Core(e) | Error::Prompts { cause: e, .. } => e.is_user(),
            Error::Index { cause, .. } => cause.is_user(),
            Error::Lock { cause, .. } => cause.is_user(),
            Error::Feeds(e) => e.is_user(),
            Error::WriterStuck { .. } => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Progress of long work, for the door to show: `(what)` → a `(done, total)` callback.
pub type Progress<'a> = &'a dyn Fn(&'static str) -> Box<dyn FnMut(usize, usize)>;

/// An open engine, its role, and its upkeep when running.
pub struct Service {
    pub engine: Arc<Engine>,
    pub role: Role,
    /// `None` for [`Start::Once`]. Dropped with the service, which stops its threads.
    pub upkeep: Option<Upkeep>,
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
        let upkeep = match start {
            Start::Once { .. } => None,
            Start::Running { on_prompts } => {
                Some(Upkeep::start(config, &engine, &role, on_prompts)?)
            }
        };
        Ok(Service {
            engine,
            role,
            upkeep,
        })
    }
}
