//! What was delivered: one row per (subscription, article) once the article was judged,
//! written as pending before a message is sent and as sent after.

use rusqlite::{params, OptionalExtension};

use super::{Pending, Result, Seen, Store, Subscription, Target};

impl Store {
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
