//! The alert worker. A round runs whenever the index or the prompts change: new articles
//! are recorded in the order they entered the index; each active subscription judges the
//! ones that entered after it was made; those on its topic are posted, up to the hourly
//! allowance of their channel, and the rest of the round goes out as one digest.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use newsbot_core::live::{self, Background};
use newsbot_core::prompts::Messages;
use newsbot_core::rank::Query;
use newsbot_core::vectors::text_key;
use newsbot_core::{Engine, Passage};

use crate::message::{Message, Sink};
use crate::store::{Pending, Result, Seen, State, Store, Subscription, Target, TOPIC_REMOVED};

/// How polite the worker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Posts per channel per hour; beyond it, one digest a round lists the headlines.
    pub per_hour: usize,
    /// Failed sends answered 403 or 404 after which a channel's subscriptions pause.
    pub pause_after: u32,
    /// How often the worker looks for a new index or prompts version.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            per_hour: 6,
            pause_after: 3,
            poll: Duration::from_millis(250),
        }
    }
}

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub posted: usize,
    pub digests: usize,
    pub failed: usize,
}

/// The passage of article `id` that `/topic` would show, if the article is on the topic:
/// the same browse rule (a topic word or pattern in the paragraph), within one article.
pub fn topic_passage(
    engine: &Engine,
    topic: &str,
    id: &str,
) -> newsbot_core::Result<Option<Passage>> {
    let (idx, set) = (engine.index().current(), engine.prompts_handle().set());
    let Some(t) = set.prompts.topic(topic) else {
        return Ok(None);
    };
    let sem = engine.models().semantic.as_deref();
    let tq = set.topic_query(t, true, sem);
    let q = Query {
        text: "",
        topic: Some(&tq),
        variants: &set.prompts.variants,
        within: Some(id),
    };
    let ranked = newsbot_core::rank::search(&idx, q, sem, engine.tuning())?;
    Ok(ranked
        .candidates
        .into_iter()
        .find(|c| c.passage.article_id == id)
        .map(|c| Passage {
            rank: 1,
            ..c.passage
        }))
}

/// Unix seconds.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// One round at time `now` (unix seconds): see the module doc. Sends left pending by an
/// earlier round or process go first.
pub fn round(
    engine: &Engine,
    store: &Store,
    sink: &dyn Sink,
    s: &Settings,
    now: i64,
) -> Result<Round> {
    let idx = engine.index().current();
    let articles = idx.manifest.articles.iter();
    store.sync_articles(articles.map(|a| (a.id.as_str(), a.headline.as_str())))?;
    let prompts = engine.prompts();
    for sub in store.subscriptions(None)? {
        match (&sub.state, prompts.topic(&sub.topic).is_some()) {
            (State::Active, false) => {
                tracing::warn!(
                    "following /{} paused: {TOPIC_REMOVED}; adding it back resumes it",
                    sub.topic
                );
                store.pause(sub.id, TOPIC_REMOVED)?;
            }
            (State::Paused(why), true) if why == TOPIC_REMOVED => {
                store.resume_if(sub.id, TOPIC_REMOVED)?;
            }
            _ => {}
        }
    }
    let subs: HashMap<i64, Subscription> = (store.subscriptions(None)?.into_iter())
        .filter(|s| sink.accepts(&s.target))
        .map(|s| (s.id, s))
        .collect();
    let mut done = Round::default();
    let how = (s, now, &prompts.messages);
    resend(engine, store, sink, how, &subs, &mut done)?;

    // Each channel's new posts this round, in the order their articles arrived.
    let mut posts: BTreeMap<Target, Vec<(&Subscription, Seen, Passage)>> = BTreeMap::new();
    for sub in subs.values().filter(|s| s.state == State::Active) {
        let mut keys = Vec::new();
        for seen in store.unjudged(sub)? {
            let passage = topic_passage(engine, &sub.topic, &seen.id).unwrap_or_else(|e| {
                tracing::warn!("judging {} for /{}: {e}", seen.id, sub.topic);
                None
            });
            let Some(passage) = passage else {
                store.judged(sub.id, &seen.id, "off_topic")?;
                continue;
            };
            // A copy of an article already posted (another feed's, under another id).
            let key = text_key(&passage.paragraph);
            if keys.contains(&key) || store.has_text(sub.id, key)? {
                store.judged(sub.id, &seen.id, "duplicate")?;
                continue;
            }
            keys.push(key);
            posts
                .entry(sub.target.clone())
                .or_default()
                .push((sub, seen, passage));
        }
    }
    for (target, mut items) in posts {
        items.sort_by_key(|(_, seen, _)| seen.seq);
        let allowance = s
            .per_hour
            .saturating_sub(store.posts_since(&target, now - 3600)?);
        let rest = items.split_off(allowance.min(items.len()));
        for (sub, seen, passage) in items {
            let p = write_pending(
                store,
                (sub, &seen, &passage),
                "post",
                format!("nb{}-{}", sub.id, seen.seq),
            )?;
            let message = Message::Alert {
                topic: sub.topic.clone(),
                passage: Box::new(passage),
            };
            deliver(store, sink, how, &target, &message, &p.nonce, &mut done)?;
        }
        if let Some((sub, seen, _)) = rest.first() {
            let nonce = format!("nbd{}-{}", sub.id, seen.seq);
            for (sub, seen, passage) in &rest {
                write_pending(store, (sub, seen, passage), "digest", nonce.clone())?;
            }
            let items = (rest.iter())
                .map(|(sub, seen, _)| (sub.topic.clone(), seen.headline.clone()))
                .collect();
            let message = Message::Digest { items };
            deliver(store, sink, how, &target, &message, &nonce, &mut done)?;
        }
    }
    let (_, paused) = store.counts()?;
    metrics::gauge!(crate::SUBSCRIPTIONS_PAUSED).set(paused as f64);
    Ok(done)
}

/// Writes the delivery of `seen` to `sub` as pending, before its message is sent.
fn write_pending(
    store: &Store,
    (sub, seen, passage): (&Subscription, &Seen, &Passage),
    kind: &str,
    nonce: String,
) -> Result<Pending> {
    let p = Pending {
        subscription: sub.id,
        article: seen.id.clone(),
        kind: kind.into(),
        headline: seen.headline.clone(),
        nonce,
    };
    store.pending(&p, text_key(&passage.paragraph))?;
    Ok(p)
}

/// Sends again what was written as pending but not sent, with its nonce.
fn resend(
    engine: &Engine,
    store: &Store,
    sink: &dyn Sink,
    how: (&Settings, i64, &Messages),
    subs: &HashMap<i64, Subscription>,
    done: &mut Round,
) -> Result<()> {
    let now = how.1;
    let mut by_nonce: BTreeMap<String, Vec<Pending>> = BTreeMap::new();
    for p in store.unsent()? {
        by_nonce.entry(p.nonce.clone()).or_default().push(p);
    }
    for (nonce, group) in by_nonce {
        let Some(sub) = subs.get(&group[0].subscription) else {
            continue;
        };
        if sub.state != State::Active {
            continue;
        }
        let message = if group[0].kind == "digest" {
            let items = (group.iter())
                .filter_map(|p| {
                    Some((subs.get(&p.subscription)?.topic.clone(), p.headline.clone()))
                })
                .collect();
            Message::Digest { items }
        } else {
            match topic_passage(engine, &sub.topic, &group[0].article)
                .ok()
                .flatten()
            {
                Some(passage) => Message::Alert {
                    topic: sub.topic.clone(),
                    passage: Box::new(passage),
                },
                // The article left the index meanwhile: nothing to show.
                None => {
                    store.sent(&nonce, now)?;
                    continue;
                }
            }
        };
        deliver(store, sink, how, &sub.target, &message, &nonce, done)?;
    }
    Ok(())
}

/// Sends one message and records what became of it. A channel that answers 403 or 404
/// `pause_after` times in a row is paused, with one log line; other failures stay pending
/// and are tried again.
fn deliver(
    store: &Store,
    sink: &dyn Sink,
    (s, now, m): (&Settings, i64, &Messages),
    target: &Target,
    message: &Message,
    nonce: &str,
    done: &mut Round,
) -> Result<()> {
    match sink.send(target, message, m, nonce) {
        Ok(()) => {
            store.sent(nonce, now)?;
            store.succeeded(target)?;
            match message {
                Message::Alert { .. } => {
                    done.posted += 1;
                    metrics::counter!(crate::ALERTS_SENT).increment(1);
                }
                Message::Digest { .. } => {
                    done.digests += 1;
                    metrics::counter!(crate::ALERT_DIGESTS).increment(1);
                }
            }
        }
        Err(e) => {
            done.failed += 1;
            let status = e
                .status
                .map_or_else(|| "none".to_string(), |s| s.to_string());
            metrics::counter!(crate::ALERT_FAILURES, "status" => status).increment(1);
            if matches!(e.status, Some(403 | 404)) {
                let failures = store.failed(target)?;
                if failures >= s.pause_after {
                    let status = e.status.unwrap_or_default();
                    let why = format!("Discord answered {status} {failures} times in a row");
                    for sub in store.subscriptions(Some(target))? {
                        if sub.state == State::Active {
                            store.pause(sub.id, &why)?;
                        }
                    }
                    tracing::warn!(
                        "alerts to {target:?} paused: {why}; /follow there again resumes them"
                    );
                }
            } else {
                tracing::warn!(
                    "sending an alert to {target:?} failed, will retry: {}",
                    e.message
                );
            }
        }
    }
    Ok(())
}

/// Runs rounds in the background while a door serves: one whenever the index or the
/// prompts change, and, while a send is failing, again after a back-off.
pub fn spawn(
    engine: Arc<Engine>,
    store: Arc<Store>,
    sink: Arc<dyn Sink>,
    settings: Settings,
) -> Background {
    Background::spawn(
        "alerts",
        "topic alerts are off",
        move |stop: Arc<AtomicBool>| {
            let mut seen_index = Weak::new();
            let mut seen_prompts = Weak::new();
            let mut retry_at: Option<Instant> = None;
            let mut backoff = settings.poll;
            while !stop.load(Ordering::Relaxed) {
                let index = Arc::downgrade(&engine.index().current());
                let prompts = Arc::downgrade(&engine.prompts_handle().set());
                let changed = !seen_index.ptr_eq(&index) || !seen_prompts.ptr_eq(&prompts);
                let due = retry_at.is_some_and(|t| Instant::now() >= t);
                if changed || due {
                    match round(&engine, &store, sink.as_ref(), &settings, unix_now()) {
                        Ok(r) if r.failed > 0 => {
                            backoff = (backoff * 2).min(Duration::from_secs(60));
                            retry_at = Some(Instant::now() + backoff);
                        }
                        Ok(_) => {
                            backoff = settings.poll;
                            retry_at = None;
                        }
                        Err(e) => {
                            tracing::warn!("topic alerts: {e}; trying again in a minute");
                            retry_at = Some(Instant::now() + Duration::from_secs(60));
                        }
                    }
                    (seen_index, seen_prompts) = (index, prompts);
                }
                live::nap(&stop, settings.poll);
            }
        },
    )
}

#[cfg(test)]
mod tests;
