//! Rounds on a real engine (an in-memory index of seed-format articles, the shipped
//! prompts) with a sink that records what it is given; time is a number the test passes.

use std::sync::Mutex;

use super::*;
use crate::message::SendError;
use crate::testing::{fine, index, prompts, weather};

const T0: i64 = 1_750_000_000;

#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<(Target, Message, String)>>,
    /// The nonce of every send tried, failed or not.
    tried: Mutex<Vec<String>>,
    /// The status every send fails with, while set (`Some(None)`: no response at all).
    failing: Mutex<Option<Option<u16>>>,
}

impl Sink for Recorder {
    fn accepts(&self, target: &Target) -> bool {
        matches!(target, Target::Channel(_))
    }

    fn send(
        &self,
        target: &Target,
        message: &Message,
        _: &newsbot_core::prompts::Messages,
        nonce: &str,
    ) -> Result<(), SendError> {
        self.tried.lock().unwrap().push(nonce.to_string());
        if let Some(status) = *self.failing.lock().unwrap() {
            return Err(SendError {
                status,
                message: format!("{status:?}"),
            });
        }
        let sent = (target.clone(), message.clone(), nonce.to_string());
        self.sent.lock().unwrap().push(sent);
        Ok(())
    }
}

impl Recorder {
    fn take(&self) -> Vec<(Target, Message, String)> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }
}

fn engine(files: &[(String, Vec<u8>)]) -> Engine {
    Engine::new(index(files), prompts())
}

fn follow(engine: &Engine, store: &Store, target: &Target, topic: &str) {
    let idx = engine.index().current();
    let current = idx.manifest.articles.iter();
    store
        .follow(
            target,
            topic,
            current.map(|a| (a.id.as_str(), a.headline.as_str())),
        )
        .unwrap();
}

fn headline(m: &Message) -> String {
    match m {
        Message::Alert { passage, .. } => passage.headline.clone(),
        Message::Digest { items } => format!("digest of {}", items.len()),
    }
}

#[test]
fn a_new_article_on_the_topic_is_posted_once_and_nothing_else_is() {
    let mut files = vec![fine(1), weather()];
    let engine = engine(&files);
    let (store, _) = Store::open(None).unwrap();
    let sink = Recorder::default();
    let chan = Target::Channel(1);
    follow(&engine, &store, &chan, "fines");
    let s = Settings::default();
    // What was there when following is not posted.
    assert_eq!(
        round(&engine, &store, &sink, &s, T0).unwrap(),
        Round::default()
    );

    files.push(fine(2));
    files.push((
        "storm.txt".into(),
        b"Snow in May\n\nIt snowed in May.\n".to_vec(),
    ));
    engine.index().replace(index(&files));
    let r = round(&engine, &store, &sink, &s, T0).unwrap();
    assert_eq!((r.posted, r.digests), (1, 0));
    let sent = sink.take();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, chan);
    let Message::Alert { topic, passage } = &sent[0].1 else {
        panic!("an alert")
    };
    assert_eq!(topic, "fines");
    assert_eq!(passage.headline, "Regulator fines Company2 over cookies");
    assert!(passage.paragraph.contains("2 million euros"));
    assert!(!passage.highlights.is_empty(), "highlighted like an answer");

    // The same index again, a re-built index with the same articles, and a copy of the
    // article in another file: nothing more.
    round(&engine, &store, &sink, &s, T0).unwrap();
    engine.index().replace(index(&files));
    round(&engine, &store, &sink, &s, T0).unwrap();
    let (_, copy) = fine(2);
    files.push(("feeds/other/fine2.txt".into(), copy));
    engine.index().replace(index(&files));
    round(&engine, &store, &sink, &s, T0).unwrap();
    assert!(sink.take().is_empty());
}

#[test]
fn beyond_the_hourly_allowance_the_rest_is_one_digest() {
    let mut files = vec![weather()];
    let engine = engine(&files);
    let (store, _) = Store::open(None).unwrap();
    let sink = Recorder::default();
    let chan = Target::Channel(2);
    follow(&engine, &store, &chan, "fines");
    let s = Settings {
        per_hour: 2,
        ..Settings::default()
    };
    files.extend((1..=4).map(fine));
    engine.index().replace(index(&files));
    let r = round(&engine, &store, &sink, &s, T0).unwrap();
    assert_eq!((r.posted, r.digests), (2, 1));
    let sent = sink.take();
    assert_eq!(
        sent.iter().map(|(_, m, _)| headline(m)).collect::<Vec<_>>()[2],
        "digest of 2"
    );
    // Within the hour the allowance is spent: the next article is a digest too; an hour
    // after the posts it is a post again.
    files.push(fine(5));
    engine.index().replace(index(&files));
    let r = round(&engine, &store, &sink, &s, T0 + 60).unwrap();
    assert_eq!((r.posted, r.digests), (0, 1));
    files.push(fine(6));
    engine.index().replace(index(&files));
    let r = round(&engine, &store, &sink, &s, T0 + 3601).unwrap();
    assert_eq!((r.posted, r.digests), (1, 0));
}

#[test]
fn a_channel_answering_403_is_paused_after_three_tries_and_follow_resumes_it() {
    let mut files = vec![weather()];
    let engine = engine(&files);
    let (store, _) = Store::open(None).unwrap();
    let sink = Recorder::default();
    let chan = Target::Channel(3);
    follow(&engine, &store, &chan, "fines");
    let s = Settings::default();
    *sink.failing.lock().unwrap() = Some(Some(403));
    files.push(fine(1));
    engine.index().replace(index(&files));
    for _ in 0..3 {
        assert_eq!(round(&engine, &store, &sink, &s, T0).unwrap().failed, 1);
    }
    let sub = store.subscriptions(Some(&chan)).unwrap().remove(0);
    assert!(
        matches!(&sub.state, State::Paused(why) if why.contains("403")),
        "{sub:?}"
    );
    // Paused: nothing is tried.
    assert_eq!(
        round(&engine, &store, &sink, &s, T0).unwrap(),
        Round::default()
    );
    *sink.failing.lock().unwrap() = None;
    follow(&engine, &store, &chan, "fines");
    assert_eq!(round(&engine, &store, &sink, &s, T0).unwrap().posted, 1);
    let tried = sink.tried.lock().unwrap().clone();
    assert_eq!(tried.len(), 4);
    assert!(
        tried.iter().all(|n| *n == tried[0]),
        "one nonce for every try: {tried:?}"
    );
    assert_eq!(sink.take()[0].2, tried[0]);
}

#[test]
fn a_removed_topic_pauses_and_adding_it_back_resumes_without_losing_articles() {
    let mut files = vec![weather()];
    let engine = engine(&files);
    let (store, _) = Store::open(None).unwrap();
    let sink = Recorder::default();
    let chan = Target::Channel(4);
    follow(&engine, &store, &chan, "fines");
    let s = Settings::default();
    let full = prompts();
    let mut fewer = (*full).clone();
    fewer.topics.retain(|t| t.name != "fines");
    engine.prompts_handle().replace(Arc::new(fewer));
    round(&engine, &store, &sink, &s, T0).unwrap();
    let sub = store.subscriptions(None).unwrap().remove(0);
    assert_eq!(sub.state, State::Paused(TOPIC_REMOVED.into()));
    files.push(fine(1));
    engine.index().replace(index(&files));
    round(&engine, &store, &sink, &s, T0).unwrap();
    assert!(sink.take().is_empty());
    engine.prompts_handle().replace(full);
    assert_eq!(round(&engine, &store, &sink, &s, T0).unwrap().posted, 1);
    assert_eq!(store.subscriptions(None).unwrap()[0].state, State::Active);
}

#[test]
fn a_send_cut_short_by_a_stop_is_sent_once_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::FILE_NAME);
    let mut files = vec![weather()];
    let engine = engine(&files);
    let sink = Recorder::default();
    let chan = Target::Channel(5);
    let s = Settings::default();
    {
        let (store, _) = Store::open(Some(&path)).unwrap();
        follow(&engine, &store, &chan, "fines");
        // The send never gets an answer (the process dies, or the network does).
        *sink.failing.lock().unwrap() = Some(None);
        files.push(fine(1));
        engine.index().replace(index(&files));
        round(&engine, &store, &sink, &s, T0).unwrap();
    }
    *sink.failing.lock().unwrap() = None;
    // Meanwhile another article arrived; the restarted process sends both, each once.
    files.push(fine(2));
    engine.index().replace(index(&files));
    let (store, _) = Store::open(Some(&path)).unwrap();
    let r = round(&engine, &store, &sink, &s, T0 + 10).unwrap();
    assert_eq!(r.posted, 2);
    let sent = sink.take();
    let first_try = sink.tried.lock().unwrap()[0].clone();
    assert_eq!(
        sent[0].2, first_try,
        "sent again with the nonce it was written with"
    );
    assert_ne!(sent[1].2, first_try);
    assert_eq!(
        headline(&sent[1].1),
        "Regulator fines Company2 over cookies"
    );
    round(&engine, &store, &sink, &s, T0 + 20).unwrap();
    assert!(sink.take().is_empty());
}
