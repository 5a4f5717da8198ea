//! Under load: 1,000 interactions and messages from 100 users at once, against the local
//! capture server. A test of behaviour (nothing panics, every interaction is acknowledged,
//! each user's limit holds, the feedback log stays valid JSON Lines); the handler times it
//! prints are for the record, never asserted.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{capture_server, fixture};
use newsbot_discord::dm::handle_message;
use newsbot_discord::feedback::{self, FeedbackLog};
use newsbot_discord::interactions::handle_interaction;
use newsbot_discord::{Bot, RateLimiter};
use serde_json::Value;
use serenity::all::{Interaction, Message, UserId};

const USERS: u64 = 100;
const PER_USER: u64 = 10;
/// Answers each user gets before the limiter steps in (no refill within the test).
const BURST: u32 = 4;

const QUESTIONS: [&str; 5] = [
    "who was fined over cookies?",
    "what did Coupang admit?",
    "qwxz vbnmq plokij?",
    "/fines",
    "which satellites launched?",
];

fn user_id(u: u64) -> u64 {
    1_400_000_000_000_001_000 + u
}

fn slash(u: u64, n: u64) -> Interaction {
    let mut v: Value = fixture("slash_ask.json");
    v["id"] = format!("{}", 1_500_000_000_000_100_000 + u * 100 + n).into();
    v["token"] = format!("token-{u}-{n}").into();
    v["member"]["user"]["id"] = user_id(u).to_string().into();
    v["data"]["options"][0]["value"] = QUESTIONS[(n as usize) % QUESTIONS.len()].into();
    serde_json::from_value(v).expect("a valid interaction")
}

fn dm(u: u64, n: u64) -> Message {
    let mut v: Value = fixture("dm_message.json");
    v["id"] = format!("{}", 1_200_000_000_000_100_000 + u * 100 + n).into();
    // One DM channel per user, so replies can be counted per user.
    v["channel_id"] = format!("{}", 1_300_000_000_000_100_000 + u).into();
    v["author"]["id"] = user_id(u).to_string().into();
    v["content"] = QUESTIONS[(n as usize + 2) % QUESTIONS.len()].into();
    serde_json::from_value(v).expect("a valid message")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_events_from_a_hundred_users() {
    let cap = capture_server().await;
    let http = Arc::new(cap.http());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(feedback::FILE_NAME);
    let bot = Arc::new(
        Bot::new(common::engine())
            .with_feedback(FeedbackLog::new(&log, true))
            .with_rate_limiter(RateLimiter::new(BURST, Duration::from_secs(3600))),
    );
    let me = UserId::new(common::APP_ID);
    let mut tasks = Vec::new();
    for n in 0..PER_USER {
        for u in 0..USERS {
            let (http, bot) = (http.clone(), bot.clone());
            let slash_event = n % 2 == 0;
            tasks.push(tokio::spawn(async move {
                let started = Instant::now();
                if slash_event {
                    handle_interaction(&http, &bot, &slash(u, n)).await;
                } else {
                    handle_message(&http, &bot, me, &dm(u, n)).await;
                }
                started.elapsed()
            }));
        }
    }
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.expect("no handler panicked"));
    }
    times.sort();
    println!(
        "handlers: {} events, p50 {:?}, p99 {:?}",
        times.len(),
        percentile(&times, 0.50),
        percentile(&times, 0.99)
    );

    let reqs = cap.requests();
    // Every interaction is acknowledged exactly once.
    let mut callbacks: HashMap<String, usize> = HashMap::new();
    for r in reqs.iter().filter(|r| r.path.ends_with("/callback")) {
        *callbacks.entry(r.path.clone()).or_default() += 1;
    }
    let slash_events = (USERS * PER_USER / 2) as usize;
    assert_eq!(
        callbacks.len(),
        slash_events,
        "every interaction acknowledged"
    );
    assert!(
        callbacks.values().all(|&c| c == 1),
        "acknowledged once each"
    );

    // Each user's limit holds across both doors: BURST answers in all (deferred slash
    // commands plus answered DMs), and at most one DM notice.
    let mut answers: HashMap<u64, u32> = HashMap::new();
    let mut dm_notices: HashMap<u64, u32> = HashMap::new();
    for r in &reqs {
        let body = r.body.as_ref();
        if let Some(token) = r.path.strip_suffix("/callback") {
            let u: u64 = token
                .rsplit('/')
                .next()
                .unwrap()
                .split('-')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            if body.unwrap()["type"] == 5 {
                *answers.entry(u).or_default() += 1;
            }
        } else if let Some(rest) = r.path.strip_prefix("/api/v10/channels/") {
            let u =
                rest.split('/').next().unwrap().parse::<u64>().unwrap() - 1_300_000_000_000_100_000;
            let text = body.unwrap()["content"].as_str().unwrap_or_default();
            if text.contains("faster than I can keep up") {
                *dm_notices.entry(u).or_default() += 1;
            } else {
                *answers.entry(u).or_default() += 1;
            }
        }
    }
    for u in 0..USERS {
        assert_eq!(answers.get(&u).copied().unwrap_or(0), BURST, "user {u}");
        assert!(dm_notices.get(&u).copied().unwrap_or(0) <= 1, "user {u}");
    }
    // Every answered slash command was followed by its edit.
    let edits = reqs.iter().filter(|r| r.method == "PATCH").count();
    let deferred = reqs
        .iter()
        .filter(|r| r.path.ends_with("/callback") && r.body.as_ref().unwrap()["type"] == 5)
        .count();
    assert_eq!(edits, deferred);

    // The feedback log took concurrent appends and is still one JSON object per line.
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        !lines.is_empty(),
        "the nonsense question was declined and logged"
    );
    for line in lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v.is_object());
    }
}
