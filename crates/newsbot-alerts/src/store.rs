//! Subscriptions and deliveries in SQLite (`data/newsbot.db`, WAL mode), with a schema
//! version and migrations. A file that is not this database (corrupt, or some other
//! program's) is moved aside with a warning and an empty one takes its place.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

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

    /// Follows `topic` in `target`: articles already in the index (`current`) are not
    /// posted, only those that enter it from now on.
    pub fn follow<'a>(
        &self,
        target: &Target,
        topic: &str,
        current: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Followed> {
        self.sync_articles(current)?;
        let conn = self.conn();
        let existing: Option<String> = conn
            .query_row(
                "SELECT state FROM subscriptions WHERE target = ?1 AND topic = ?2",
                params![target.key(), topic],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match existing.as_deref() {
            None => {
                conn.execute(
                    "INSERT INTO subscriptions (target, topic, since_seq)
                     VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) FROM articles))",
                    params![target.key(), topic],
                )?;
                Followed::New
            }
            Some("active") => Followed::Already,
            Some(_) => {
                conn.execute(
                    "UPDATE subscriptions SET state = 'active', reason = NULL, failures = 0
                     WHERE target = ?1 AND topic = ?2",
                    params![target.key(), topic],
                )?;
                Followed::Resumed
            }
        })
    }

    /// Stops following; whether there was a subscription.
    pub fn unfollow(&self, target: &Target, topic: &str) -> Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM subscriptions WHERE target = ?1 AND topic = ?2",
            params![target.key(), topic],
        )?;
        Ok(n > 0)
    }

    /// Every subscription, or those of one target, by topic.
    pub fn subscriptions(&self, target: Option<&Target>) -> Result<Vec<Subscription>> {
        let conn = self.conn();
        let mut q = conn.prepare_cached(
            "SELECT id, target, topic, since_seq, state, reason, failures FROM subscriptions
             WHERE ?1 IS NULL OR target = ?1 ORDER BY target, topic",
        )?;
        let rows = q.query_map(params![target.map(Target::key)], |r| {
            let state: String = r.get(4)?;
            let reason: Option<String> = r.get(5)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                state,
                reason,
                r.get::<_, u32>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, target, topic, since, state, reason, failures) = row?;
            let Some(target) = Target::parse(&target) else {
                continue;
            };
            out.push(Subscription {
                id,
                target,
                topic,
                since,
                state: match state.as_str() {
                    "active" => State::Active,
                    _ => State::Paused(reason.unwrap_or_default()),
                },
                failures,
            });
        }
        Ok(out)
    }

    /// How many subscriptions there are, and how many of them are paused.
    pub fn counts(&self) -> Result<(usize, usize)> {
        Ok(self.conn().query_row(
            "SELECT count(*), count(*) FILTER (WHERE state != 'active') FROM subscriptions",
            [],
            |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
        )?)
    }

    /// Pauses subscription `id`, saying why.
    pub fn pause(&self, id: i64, reason: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE subscriptions SET state = 'paused', reason = ?2 WHERE id = ?1",
            params![id, reason],
        )?;
        Ok(())
    }

    /// Resumes subscription `id` if it was paused for `reason`.
    pub fn resume_if(&self, id: i64, reason: &str) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE subscriptions SET state = 'active', reason = NULL, failures = 0
             WHERE id = ?1 AND state = 'paused' AND reason = ?2",
            params![id, reason],
        )?;
        Ok(n > 0)
    }

    /// Counts one failed send to `target`'s subscriptions; returns the new count.
    pub fn failed(&self, target: &Target) -> Result<u32> {
        let conn = self.conn();
        conn.execute(
            "UPDATE subscriptions SET failures = failures + 1 WHERE target = ?1",
            params![target.key()],
        )?;
        Ok(conn.query_row(
            "SELECT coalesce(max(failures), 0) FROM subscriptions WHERE target = ?1",
            params![target.key()],
            |r| r.get(0),
        )?)
    }

    /// Clears `target`'s failure count after a send went through.
    pub fn succeeded(&self, target: &Target) -> Result<()> {
        self.conn().execute(
            "UPDATE subscriptions SET failures = 0 WHERE target = ?1 AND failures > 0",
            params![target.key()],
        )?;
        Ok(())
    }

    /// The articles subscription `sub` has not judged yet that entered after it was made.
    pub fn unjudged(&self, sub: &Subscription) -> Result<Vec<Seen>> {
        let conn = self.conn();
        let mut q = conn.prepare_cached(
            "SELECT seq, id, headline FROM articles a WHERE seq > ?2 AND NOT EXISTS
               (SELECT 1 FROM deliveries d WHERE d.subscription = ?1 AND d.article = a.id)
             ORDER BY seq",
        )?;
        let rows = q.query_map(params![sub.id, sub.since], |r| {
            Ok(Seen {
                seq: r.get(0)?,
                id: r.get(1)?,
                headline: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether `sub` already posted (or is posting) a passage with this text.
    pub fn has_text(&self, sub: i64, text_key: u64) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM deliveries WHERE subscription = ?1 AND text_key = ?2
                 AND state IN ('pending', 'sent')",
                params![sub, text_key as i64],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records that `article` was judged for `sub` without posting (`off_topic`,
    /// `duplicate`).
    pub fn judged(&self, sub: i64, article: &str, state: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO deliveries (subscription, article, state) VALUES (?1, ?2, ?3)",
            params![sub, article, state],
        )?;
        Ok(())
    }

    /// Writes a delivery as pending, before its message is sent.
    pub fn pending(&self, p: &Pending, text_key: u64) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO deliveries
               (subscription, article, state, kind, text_key, headline, nonce)
             VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6)",
            params![
                p.subscription,
                p.article,
                p.kind,
                text_key as i64,
                p.headline,
                p.nonce
            ],
        )?;
        Ok(())
    }

    /// Marks the deliveries sent under `nonce` as sent at `now` (unix seconds).
    pub fn sent(&self, nonce: &str, now: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE deliveries SET state = 'sent', sent_at = ?2 WHERE nonce = ?1",
            params![nonce, now],
        )?;
        Ok(())
    }

    /// Deliveries written but not yet sent, oldest first.
    pub fn unsent(&self) -> Result<Vec<Pending>> {
        let conn = self.conn();
        let mut q = conn.prepare_cached(
            "SELECT d.subscription, d.article, d.kind, d.headline, d.nonce FROM deliveries d
             JOIN articles a ON a.id = d.article
             WHERE d.state = 'pending' ORDER BY a.seq",
        )?;
        let rows = q.query_map([], |r| {
            Ok(Pending {
                subscription: r.get(0)?,
                article: r.get(1)?,
                kind: r.get(2)?,
                headline: r.get(3)?,
                nonce: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Posts (not digests) sent to `target` at or after `since` (unix seconds).
    pub fn posts_since(&self, target: &Target, since: i64) -> Result<usize> {
        let n: i64 = self.conn().query_row(
            "SELECT count(DISTINCT d.nonce) FROM deliveries d
             JOIN subscriptions s ON s.id = d.subscription
             WHERE s.target = ?1 AND d.state = 'sent' AND d.kind = 'post' AND d.sent_at >= ?2",
            params![target.key(), since],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}

/// `newsbot.db.unusable-1`, `-2`, … : the first free name beside `path`.
fn aside_name(path: &Path) -> PathBuf {
    (1..)
        .map(|n| PathBuf::from(format!("{}.unusable-{n}", path.display())))
        .find(|p| !p.exists())
        .expect("a free name")
}

#[cfg(test)]
mod tests;
