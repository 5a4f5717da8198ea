//! Following topics in Discord, against the local capture server: `/follow` and its
//! permission, and the alert worker posting new articles through `DiscordSink`, every body
//! checked against Discord's OpenAPI spec.

mod common;

use std::sync::Arc;

use common::{assert_valid, capture_server, fixture, Capture, Captured, NO_ACCESS_CHANNEL};
use newsbot_alerts::testing::{fine, index, prompts, weather};
use newsbot_alerts::{round, Settings, State, Store, Target};
use newsbot_core::{Engine, IndexHandle};
use newsbot_discord::alerts::DiscordSink;
use newsbot_discord::interactions::handle_interaction;
use newsbot_discord::Bot;
use serde_json::{json, Value};
use serenity::all::Interaction;

const CHANNEL: u64 = 1_300_000_000_000_000_002;
const T0: i64 = 1_750_000_000;

fn setup(files: &[(String, Vec<u8>)]) -> (Arc<Engine>, Arc<Store>, Bot) {
    let engine = Arc::new(Engine::with_handle(
        IndexHandle::new(index(files)),
        prompts(),
    ));
    let store = Arc::new(Store::open(None).unwrap().0);
    let bot = Bot::new(engine.clone()).with_alerts(Some(store.clone()));
    (engine, store, bot)
}

/// A bot on `files` whose `channel` follows fines (typed by a member who may).
async fn following_fines(
    cap: &Capture,
    files: &[(String, Vec<u8>)],
    channel: u64,
) -> (Arc<Engine>, Arc<Store>, Bot) {
    let (engine, store, bot) = setup(files);
    handle_interaction(
        &cap.http(),
        &bot,
        &slash("follow", Some("fines"), "16", channel),
    )
    .await;
    (engine, store, bot)
}

/// `/name topic:<topic>` typed in `channel` of a server by a member with `permissions`.
fn slash(name: &str, topic: Option<&str>, permissions: &str, channel: u64) -> Interaction {
    let mut v = fixture("slash_ask.json");
    v["data"]["name"] = json!(name);
    v["data"]["options"] = match topic {
        Some(t) => json!([{ "name": "topic", "type": 3, "value": t }]),
        None => json!([]),
    };
    v["member"]["permissions"] = json!(permissions);
    v["channel_id"] = json!(channel.to_string());
    serde_json::from_value(v).expect("a valid interaction")
}

fn content(r: &Captured) -> String {
    let b = r.body.as_ref().expect("a body");
    b["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Runs one alert round through `DiscordSink` against the capture server.
async fn alert_round(cap: &Capture, engine: &Arc<Engine>, store: &Arc<Store>, s: Settings) {
    let sink = DiscordSink {
        http: Arc::new(cap.http()),
        runtime: tokio::runtime::Handle::current(),
    };
    let (engine, store) = (engine.clone(), store.clone());
    tokio::task::spawn_blocking(move || round(&engine, &store, &sink, &s, T0).unwrap())
        .await
        .unwrap();
}

fn posts(cap: &Capture) -> Vec<Captured> {
    (cap.requests().into_iter())
        .filter(|r| r.method == "POST" && r.path.contains("/messages"))
        .collect()
}

#[tokio::test]
async fn follow_needs_manage_channels_in_a_server_and_is_listed() {
    let cap = capture_server().await;
    let http = cap.http();
    let (_, store, bot) = setup(&[weather()]);
    let m = bot.engine().messages();
    // A member without Manage Channels is refused (Discord hides the command from them, but
    // a server can override that).
    handle_interaction(&http, &bot, &slash("follow", Some("fines"), "0", CHANNEL)).await;
    let reqs = cap.wait_for_requests(1).await;
    assert_eq!(content(&reqs[0]), m.follow_permission);
    assert_eq!(store.counts().unwrap(), (0, 0));
    // With it (16 is MANAGE_CHANNELS), the channel follows the topic.
    handle_interaction(&http, &bot, &slash("follow", Some("fines"), "16", CHANNEL)).await;
    let reqs = cap.wait_for_requests(2).await;
    assert!(
        content(&reqs[1]).starts_with("Following /fines here"),
        "{reqs:?}"
    );
    handle_interaction(&http, &bot, &slash("following", None, "0", CHANNEL)).await;
    let reqs = cap.wait_for_requests(3).await;
    assert_eq!(content(&reqs[2]), "Followed here:\n/fines");
    let subs = store.subscriptions(None).unwrap();
    assert_eq!(subs[0].target, Target::Channel(CHANNEL));
    assert_valid(&reqs);
    for r in &reqs {
        let b = r.body.as_ref().unwrap();
        assert_eq!(b["data"]["flags"], 64, "private: {b}");
        assert_eq!(b["data"]["allowed_mentions"]["parse"], json!([]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_article_on_a_followed_topic_is_posted_once_as_an_answer_is() {
    let cap = capture_server().await;
    let mut files = vec![weather()];
    let (engine, store, _bot) = following_fines(&cap, &files, CHANNEL).await;
    files.push(fine(7));
    engine.index().replace(index(&files));
    alert_round(&cap, &engine, &store, Settings::default()).await;
    alert_round(&cap, &engine, &store, Settings::default()).await;
    let posts = posts(&cap);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(
        posts[0].path,
        format!("/api/v10/channels/{CHANNEL}/messages")
    );
    let b: &Value = posts[0].body.as_ref().unwrap();
    assert_eq!(b["content"], "New on /fines:");
    assert_eq!(
        b["embeds"][0]["title"],
        "Regulator fines Company7 over cookies"
    );
    assert!(b["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains("7 million euros"));
    let nonce = b["nonce"].as_str().unwrap();
    assert!(nonce.starts_with("nb") && nonce.len() <= 25, "{nonce}");
    assert_eq!(b["enforce_nonce"], true);
    assert_eq!(b["allowed_mentions"]["parse"], json!([]));
    let buttons = b["components"].to_string();
    assert!(buttons.contains("Full article"), "{buttons}");
    assert_valid(&posts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_hourly_limit_the_rest_is_one_digest() {
    let cap = capture_server().await;
    let mut files = vec![weather()];
    let (engine, store, _bot) = following_fines(&cap, &files, CHANNEL).await;
    files.extend((1..=3).map(fine));
    engine.index().replace(index(&files));
    let s = Settings {
        per_hour: 1,
        ..Settings::default()
    };
    alert_round(&cap, &engine, &store, s).await;
    let posts = posts(&cap);
    assert_eq!(posts.len(), 2, "{posts:?}");
    let digest = posts[1].body.as_ref().unwrap()["content"].as_str().unwrap();
    assert!(
        digest.starts_with("More new articles this hour:"),
        "{digest}"
    );
    assert!(
        digest.contains("/fines: Regulator fines Company2 over cookies"),
        "{digest}"
    );
    assert!(
        digest.contains("/fines: Regulator fines Company3 over cookies"),
        "{digest}"
    );
    assert_valid(&posts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_that_answers_403_is_paused_after_three_tries() {
    let cap = capture_server().await;
    let mut files = vec![weather()];
    let (engine, store, bot) = following_fines(&cap, &files, NO_ACCESS_CHANNEL).await;
    files.push(fine(1));
    engine.index().replace(index(&files));
    for _ in 0..4 {
        alert_round(&cap, &engine, &store, Settings::default()).await;
    }
    assert_eq!(posts(&cap).len(), 3, "three tries, then paused");
    let sub = store.subscriptions(None).unwrap().remove(0);
    assert!(
        matches!(&sub.state, State::Paused(why) if why.contains("403")),
        "{sub:?}"
    );
    handle_interaction(
        &cap.http(),
        &bot,
        &slash("following", None, "0", NO_ACCESS_CHANNEL),
    )
    .await;
    let last = cap.requests().pop().unwrap();
    assert!(
        content(&last).contains("/fines (paused: Discord answered 403"),
        "{last:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_dm_anyone_follows_and_the_alert_comes_as_a_dm() {
    let cap = capture_server().await;
    let mut files = vec![weather()];
    let (engine, store, bot) = setup(&files);
    // A DM has no member and no server: no permission to check.
    let mut v = fixture("slash_topic_private_dm.json");
    v["data"]["name"] = json!("follow");
    v["data"]["options"] = json!([{ "name": "topic", "type": 3, "value": "fines" }]);
    let dm_channel: u64 = v["channel_id"].as_str().unwrap().parse().unwrap();
    let follow: Interaction = serde_json::from_value(v).unwrap();
    handle_interaction(&cap.http(), &bot, &follow).await;
    let reqs = cap.wait_for_requests(1).await;
    assert!(
        content(&reqs[0]).starts_with("Following /fines here"),
        "{reqs:?}"
    );
    files.push(fine(3));
    engine.index().replace(index(&files));
    alert_round(&cap, &engine, &store, Settings::default()).await;
    let posts = posts(&cap);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(
        posts[0].path,
        format!("/api/v10/channels/{dm_channel}/messages")
    );
    assert_valid(&posts);
}
