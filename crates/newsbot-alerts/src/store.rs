//! Subscriptions and deliveries in SQLite (`data/newsbot.db`, WAL mode), with a schema
//! version and migrations. A file that is not this database (corrupt, or some other
//! program's) is moved aside with a warning and an empty one takes its place.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection};

/// Each migration, in order; the database's `user_version` is how many have run.
const MIGRATIONS: &[&str] = &[
    // 1: subscriptions, the articles seen (each with a sequence number in the order they
    // entered the index), and one row per (subscription, article) once it was judged.
    "CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        topic TEXT NOT NULL,
        since_seq INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'active',
        reason TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        UNIQUE (target, topic)
    );
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        headline TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        subscription INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        article TEXT NOT NULL,
        state TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'post',
        text_key INTEGER,
        headline TEXT NOT NULL DEFAULT '',
        nonce TEXT,
        sent_at INTEGER,
        PRIMARY KEY (subscription, article)
    );
    CREATE INDEX deliveries_sent ON deliveries (state, sent_at);",
];

/// The file name under the data folder.
pub const FILE_NAME: &str = "newsbot.db";

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("subscriptions database {path}: {cause}")]
    Open {
        path: PathBuf,
        cause: rusqlite::Error,
    },
    #[error("subscriptions database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// Not this program's database: other tables, or a newer schema.
    #[error("not newsbot's subscriptions database ({0})")]
    Foreign(&'static str),
    #[error("moving the unusable subscriptions database {path} aside: {cause}")]
    MoveAside {
        path: PathBuf,
        cause: std::io::Error,
    },
}

impl StoreError {
    /// The file is not a usable database of ours: corrupt, not SQLite, or foreign. (A busy
    /// or unreadable file is not: moving it aside would lose good state.)
    fn unusable(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            StoreError::Foreign(_) => true,
            StoreError::Sql(rusqlite::Error::SqliteFailure(e, _))
            | StoreError::Open {
                cause: rusqlite::Error::SqliteFailure(e, _),
                ..
            } => matches!(e.code, NotADatabase | DatabaseCorrupt),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where alerts go: a Discord channel (a DM channel too), or the console.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Channel(u64),
    Console,
}

impl Target {
    fn key(&self) -> String {
        match self {
            Target::Channel(id) => format!("discord:{id}"),
            Target::Console => "console".into(),
        }
    }

    fn parse(key: &str) -> Option<Target> {
        match key {
            "console" => Some(Target::Console),
            _ => key
                .strip_prefix("discord:")?
                .parse()
                .ok()
                .map(Target::Channel),
        }
    }
}

/// Whether a subscription posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Active,
    /// Not posting, and why (shown by `/following`).
    Paused(String),
}

/// Why a subscription was paused.
pub const TOPIC_REMOVED: &str = "its topic file was removed";

/// One followed topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub target: Target,
    pub topic: String,
    /// Articles with a higher sequence number entered the index after it was made.
    pub since: i64,
    pub state: State,
    pub failures: u32,
}

/// What `/follow` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    New,
    /// It was paused and posts again.
    Resumed,
    Already,
}

/// An article that entered the index, with its sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub seq: i64,
    pub id: String,
    pub headline: String,
}

/// A delivery written before its message was sent: sent again (same nonce) at start-up if
/// the process stopped in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub subscription: i64,
    pub article: String,
    pub kind: String,
    pub headline: String,
    pub nonce: String,
}

/// The subscriptions database; one connection, shared by the doors and the worker.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (or creates) the database at `path`, or an in-memory one for `None`. Returns
    /// the store and, when the file there was unusable, where it was moved.
    pub fn open(path: Option<&Path>) -> Result<(Store, Option<PathBuf>)> {
        let Some(path) = path else {
            let conn = Connection::open_in_memory()?;
            return Ok((Store::ready(conn)?, None));
        };
        match Connection::open(path)
            .map_err(StoreError::from)
            .and_then(Store::ready)
        {
            Ok(store) => Ok((store, None)),
            Err(e) if !e.unusable() => Err(e),
            Err(first) => {
                let aside = aside_name(path);
                std::fs::rename(path, &aside).map_err(|cause| StoreError::MoveAside {
                    path: path.to_path_buf(),
                    cause,
                })?;
                for ext in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
                }
                tracing::debug!("unusable subscriptions database: {first}");
                let conn = Connection::open(path).map_err(|cause| StoreError::Open {
                    path: path.to_path_buf(),
                    cause,
                })?;
                Ok((Store::ready(conn)?, Some(aside)))
            }
        }
    }

    /// WAL, foreign keys, the schema brought up to date; fails on a file that is not a
    /// SQLite database or holds tables it does not know.
    fn ready(conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == 0 {
            // A fresh file has no tables; one with tables but no version is someone else's.
            let tables: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(StoreError::Foreign("it holds other tables"));
            }
        }
        if version as usize > MIGRATIONS.len() {
            // Written by a newer newsbot: not ours to change.
            return Err(StoreError::Foreign("a newer schema"));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (each change is a
        // statement or a transaction), so the connection stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records the articles of the current index that were not seen before, in order, and
    /// returns them. An article seen once keeps its number: re-added (a changed file), it is
    /// not new.
    pub fn sync_articles<'a>(
        &self,
        articles: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Vec<Seen>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut new = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO articles (id, headline) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
            )?;
            for (id, headline) in articles {
                if insert.execute(params![id, headline])? == 1 {
                    new.push(Seen {
                        seq: tx.last_insert_rowid(),
                        id: id.to_string(),
                        headline: headline.to_string(),
                    });
                }
            }
        }
        tx.commit()?;
        Ok(new)
    }
}

/// `newsbot.db.unusable-1`, `-2`, … : the first free name beside `path`.
fn aside_name(path: &Path) -> PathBuf {
    (1..)
        .map(|n| PathBuf::from(format!("{}.unusable-{n}", path.display())))
        .find(|p| !p.exists())
        .expect("a free name")
}

mod deliveries;
mod subscriptions;

#[cfg(test)]
mod tests;
