//! Following and unfollowing, what a target follows, and pausing and resuming.

use rusqlite::{params, OptionalExtension};

use super::{Followed, Result, State, Store, Subscription, Target};

impl Store {
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
}
