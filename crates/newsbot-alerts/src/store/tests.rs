use super::*;

fn articles(n: usize) -> Vec<(String, String)> {
    (1..=n)
        .map(|i| (format!("a{i}"), format!("Headline {i}")))
        .collect()
}

fn pairs(v: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str()))
}

#[test]
fn a_file_database_keeps_its_state_and_schema_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let (store, aside) = Store::open(Some(&path)).unwrap();
    assert!(aside.is_none());
    let chan = Target::Channel(42);
    assert_eq!(
        store.follow(&chan, "fines", pairs(&articles(2))).unwrap(),
        Followed::New
    );
    drop(store);
    let (store, aside) = Store::open(Some(&path)).unwrap();
    assert!(aside.is_none());
    let subs = store.subscriptions(None).unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!((subs[0].target.clone(), subs[0].since), (chan.clone(), 2));
    let mode: String = store
        .conn()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = store
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, MIGRATIONS.len());
}

#[test]
fn a_corrupt_or_foreign_file_is_moved_aside_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, b"this is not a database, just some bytes in the way").unwrap();
    let (store, aside) = Store::open(Some(&path)).unwrap();
    let aside = aside.expect("moved aside");
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        b"this is not a database, just some bytes in the way"
    );
    assert_eq!(store.counts().unwrap(), (0, 0));
    drop(store);

    // Another program's SQLite file.
    std::fs::remove_file(&path).unwrap();
    let other = Connection::open(&path).unwrap();
    other.execute_batch("CREATE TABLE mine (x)").unwrap();
    drop(other);
    let (_, aside2) = Store::open(Some(&path)).unwrap();
    assert_ne!(aside2.expect("moved aside"), aside);
}

#[test]
fn follow_unfollow_resume_and_what_counts_as_new() {
    let (store, _) = Store::open(None).unwrap();
    let chan = Target::Channel(7);
    let before = articles(3);
    assert_eq!(
        store.follow(&chan, "fines", pairs(&before)).unwrap(),
        Followed::New
    );
    assert_eq!(
        store.follow(&chan, "fines", pairs(&before)).unwrap(),
        Followed::Already
    );
    let sub = store.subscriptions(Some(&chan)).unwrap().remove(0);
    // What was in the index when following is not new; what arrives later is, once.
    let later = articles(5);
    let new = store.sync_articles(pairs(&later)).unwrap();
    assert_eq!(
        new.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["a4", "a5"]
    );
    assert!(store.sync_articles(pairs(&later)).unwrap().is_empty());
    let unjudged = store.unjudged(&sub).unwrap();
    assert_eq!(unjudged.len(), 2);
    store.judged(sub.id, "a4", "off_topic").unwrap();
    assert_eq!(store.unjudged(&sub).unwrap()[0].id, "a5");

    store.pause(sub.id, "the channel answered 403").unwrap();
    assert_eq!(store.counts().unwrap(), (1, 1));
    assert_eq!(
        store.follow(&chan, "fines", pairs(&later)).unwrap(),
        Followed::Resumed
    );
    assert!(store.unfollow(&chan, "fines").unwrap());
    assert!(!store.unfollow(&chan, "fines").unwrap());
    assert_eq!(store.counts().unwrap(), (0, 0));
}

#[test]
fn pending_deliveries_are_listed_until_sent_and_posts_are_counted_by_window() {
    let (store, _) = Store::open(None).unwrap();
    let chan = Target::Channel(9);
    store.follow(&chan, "fines", std::iter::empty()).unwrap();
    store.sync_articles(pairs(&articles(2))).unwrap();
    let sub = store.subscriptions(None).unwrap().remove(0);
    let p = Pending {
        subscription: sub.id,
        article: "a1".into(),
        kind: "post".into(),
        headline: "Headline 1".into(),
        nonce: "nb1-1".into(),
    };
    store.pending(&p, 11).unwrap();
    assert_eq!(store.unsent().unwrap(), std::slice::from_ref(&p));
    assert!(store.has_text(sub.id, 11).unwrap());
    store.sent("nb1-1", 1_000).unwrap();
    assert!(store.unsent().unwrap().is_empty());
    assert_eq!(store.posts_since(&chan, 1_000).unwrap(), 1);
    assert_eq!(store.posts_since(&chan, 1_001).unwrap(), 0);
    assert_eq!(store.failed(&chan).unwrap(), 1);
    assert_eq!(store.failed(&chan).unwrap(), 2);
    store.succeeded(&chan).unwrap();
    assert_eq!(store.failed(&chan).unwrap(), 1);
}
