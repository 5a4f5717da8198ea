//! The handlers against a local capture server standing in for Discord: what is sent, and
//! that every body is valid for its endpoint in Discord's published OpenAPI spec.

mod common;

use common::{assert_valid, capture_server, fixture, validate, Captured, APP_ID};
use newsbot_discord::commands::{self, Scope};
use newsbot_discord::dm::handle_message;
use newsbot_discord::feedback::{self, FeedbackLog};
use newsbot_discord::interactions::handle_interaction;
use newsbot_discord::{Bot, RateLimiter};
use serde_json::{json, Value};
use serenity::all::{GuildId, Interaction, Message, UserId};

fn interaction(name: &str) -> Interaction {
    serde_json::from_value(fixture(name)).expect("fixture is a valid interaction")
}

fn message(name: &str) -> Message {
    serde_json::from_value(fixture(name)).expect("fixture is a valid message")
}

const ME: UserId = UserId::new(APP_ID);

fn body(r: &Captured) -> &Value {
    r.body.as_ref().expect("request has a JSON body")
}

fn no_pings(b: &Value) {
    assert_eq!(
        b["allowed_mentions"]["parse"],
        json!([]),
        "allowed mentions must be empty: {b}"
    );
    assert_eq!(b["allowed_mentions"]["users"], json!([]));
    assert_eq!(b["allowed_mentions"]["roles"], json!([]));
}

/// A burst of prompt reloads is one bulk overwrite carrying the prompts as they ended up;
/// a later edit is another. (The debounce itself is tested on a paused clock beside
/// `commands::debounced`; here the edits are made before the task can run at all, so the
/// test waits for requests, never for time.)
#[tokio::test]
async fn prompt_edits_re_register_the_commands_once_per_burst() {
    use std::sync::Arc;
    use std::time::Duration;
    let cap = capture_server().await;
    let full = common::engine().prompts();
    let engine = Arc::new(newsbot_core::Engine::with_handle(
        common::engine().index().clone(),
        full.clone(),
    ));
    let (tx, rx) = tokio::sync::watch::channel(0u64);
    let task = tokio::spawn(commands::reregister_on_change(
        Arc::new(cap.http()),
        engine.clone(),
        Scope::Global,
        rx,
        Duration::from_millis(50),
    ));
    let mut fewer = (*full).clone();
    let dropped = fewer.topics.pop().unwrap().name;
    let mut fewest = fewer.clone();
    fewest.topics.pop();
    // A single-threaded test runtime: nothing else runs until this test awaits.
    for prompts in [fewest.clone(), fewest, fewer.clone()] {
        engine.prompts_handle().replace(Arc::new(prompts));
        tx.send_modify(|n| *n += 1);
    }
    let reqs = cap.wait_for_requests(1).await;
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(reqs[0].method, "PUT");
    assert_eq!(
        reqs[0].path,
        format!("/api/v10/applications/{APP_ID}/commands")
    );
    assert_eq!(body(&reqs[0]), &commands::registration_body(&fewer));
    assert!(!body(&reqs[0])
        .to_string()
        .contains(&format!("\"{dropped}\"")));
    assert_valid(&reqs);

    engine.prompts_handle().replace(full.clone());
    tx.send_modify(|n| *n += 1);
    let reqs = cap.wait_for_requests(2).await;
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(body(&reqs[1]), &commands::registration_body(&full));
    drop(tx);
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("the task ends with its sender")
        .unwrap();
}

#[tokio::test]
async fn registration_is_one_valid_bulk_overwrite() {
    let cap = capture_server().await;
    let http = cap.http();
    let prompts = common::engine().prompts().clone();
    let n = commands::register(&http, &prompts, Scope::Global)
        .await
        .unwrap();
    commands::register(&http, &prompts, Scope::Guild(GuildId::new(42)))
        .await
        .unwrap();
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].method, "PUT");
    assert_eq!(
        reqs[0].path,
        format!("/api/v10/applications/{APP_ID}/commands")
    );
    assert_eq!(
        reqs[1].path,
        format!("/api/v10/applications/{APP_ID}/guilds/42/commands")
    );
    assert_eq!(body(&reqs[0]), &commands::registration_body(&prompts));
    let names: Vec<&str> = body(&reqs[0])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(n, 6 + prompts.topics.len());
    assert_eq!(
        &names[..6],
        ["ask", "help", "article", "follow", "unfollow", "following"]
    );
    // Changing what a channel follows needs Manage Channels (16), as an integer.
    let follow = &body(&reqs[0])[3];
    assert_eq!(follow["default_member_permissions"], 16);
    let choices: Vec<&str> = (follow["options"][0]["choices"].as_array().unwrap().iter())
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        choices,
        prompts
            .topics
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
    );
    for t in &prompts.topics {
        assert!(names.contains(&t.name.as_str()), "{}", t.name);
    }
    let article = &body(&reqs[0])[2];
    assert_eq!(article["options"][0]["autocomplete"], true);
    assert_eq!(
        body(&reqs[0])[0]["contexts"],
        json!([0, 1]),
        "servers and DMs"
    );
    assert_valid(&reqs);
}

#[test]
fn schema_validation_rejects_bad_bodies() {
    let long_title = "x".repeat(300);
    let bad_message = json!({"embeds": [{"title": long_title}]});
    assert!(!validate("POST", "/api/v10/channels/1/messages", &bad_message).is_empty());
    let bad_commands = json!([{"name": "x".repeat(40), "description": "d", "type": 1}]);
    assert!(!validate("PUT", "/api/v10/applications/1/commands", &bad_commands).is_empty());
    let bad_callback = json!({"type": "deferred"});
    assert!(!validate(
        "POST",
        "/api/v10/interactions/1/tok/callback",
        &bad_callback
    )
    .is_empty());
    let bad_edit = json!({"content": 5});
    assert!(!validate(
        "PATCH",
        "/api/v10/webhooks/1/tok/messages/@original",
        &bad_edit
    )
    .is_empty());
    // And the good shapes pass, so the checks above fail for the right reason.
    assert!(validate(
        "POST",
        "/api/v10/channels/1/messages",
        &json!({"content": "hi"})
    )
    .is_empty());
}

#[tokio::test]
async fn ask_defers_then_edits_with_embeds_and_buttons() {
    let cap = capture_server().await;
    handle_interaction(&cap.http(), &common::bot(), &interaction("slash_ask.json")).await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(
        reqs[0].path,
        "/api/v10/interactions/1500000000000000001/aW50ZXJhY3Rpb24tdG9rZW4/callback"
    );
    assert_eq!(body(&reqs[0])["type"], 5, "deferred first");
    assert!(body(&reqs[0])["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0);
    assert_eq!(reqs[1].method, "PATCH");
    assert_eq!(
        reqs[1].path,
        format!("/api/v10/webhooks/{APP_ID}/aW50ZXJhY3Rpb24tdG9rZW4/messages/@original")
    );
    let edit = body(&reqs[1]);
    no_pings(edit);
    let embeds = edit["embeds"].as_array().unwrap();
    assert!((1..=3).contains(&embeds.len()));
    assert!(embeds[0]["footer"]["text"]
        .as_str()
        .unwrap()
        .ends_with("#1"));
    let ids: Vec<&str> = edit["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["components"].as_array().unwrap())
        .map(|b| b["custom_id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| id.chars().count() <= 100));
    assert!(ids.iter().any(|id| id.starts_with("v:u:")));
    assert!(ids.iter().any(|id| id.starts_with("a:")));
    assert_valid(&reqs);
}

#[tokio::test]
async fn private_topic_in_a_dm_is_ephemeral_from_the_defer() {
    let cap = capture_server().await;
    handle_interaction(
        &cap.http(),
        &common::bot(),
        &interaction("slash_topic_private_dm.json"),
    )
    .await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(body(&reqs[0])["type"], 5);
    assert_eq!(body(&reqs[0])["data"]["flags"], 64);
    assert!(!body(&reqs[1])["embeds"].as_array().unwrap().is_empty());
    assert_valid(&reqs);
}

#[tokio::test]
async fn no_answer_is_logged_and_says_so_without_pinging() {
    let cap = capture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(feedback::FILE_NAME);
    let bot = Bot::new(common::engine()).with_feedback(FeedbackLog::new(&log, false));
    handle_interaction(&cap.http(), &bot, &interaction("slash_no_answer.json")).await;
    let reqs = cap.requests();
    let edit = body(&reqs[1]);
    no_pings(edit);
    let content = edit["content"].as_str().unwrap();
    assert!(content.contains("couldn't find"), "{content}");
    assert!(content.contains('/'), "suggests topics: {content}");
    let s = feedback::summarise(&log).unwrap();
    assert_eq!(s.unanswered, 1);
    assert!(s.failing[0].question.contains("quokka"));
    assert!(!std::fs::read_to_string(&log)
        .unwrap()
        .contains("1400000000000000001"));
    assert_valid(&reqs);
}

#[tokio::test]
async fn autocomplete_offers_headlines_with_article_ids() {
    let cap = capture_server().await;
    handle_interaction(
        &cap.http(),
        &common::bot(),
        &interaction("autocomplete_article.json"),
    )
    .await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 1);
    let b = body(&reqs[0]);
    assert_eq!(b["type"], 8);
    let choices = b["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25, "{b}");
    for c in choices {
        let id = c["value"].as_str().unwrap();
        assert!(
            id.len() == 10 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        assert!(c["name"].as_str().unwrap().to_lowercase().contains("cook"));
    }
    assert_valid(&reqs);
}

#[tokio::test]
async fn more_button_pages_on_and_stays_private() {
    let cap = capture_server().await;
    handle_interaction(
        &cap.http(),
        &common::bot(),
        &interaction("button_more.json"),
    )
    .await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(body(&reqs[0])["type"], 5);
    assert_eq!(
        body(&reqs[0])["data"]["flags"],
        64,
        "source message was ephemeral"
    );
    let footer = body(&reqs[1])["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(footer.ends_with("#4"), "page 2 starts at rank 4: {footer}");
    assert_valid(&reqs);
}

#[tokio::test]
async fn article_button_shows_the_whole_article() {
    let cap = capture_server().await;
    let engine = common::engine();
    let article = engine.articles().into_iter().next().unwrap();
    let mut v = fixture("button_more.json");
    v["data"]["custom_id"] = json!(format!("a:{}:1:1", article.id));
    let i: Interaction = serde_json::from_value(v).unwrap();
    handle_interaction(&cap.http(), &common::bot(), &i).await;
    let reqs = cap.requests();
    let edit = body(&reqs[1]);
    let title = edit["embeds"][0]["title"].as_str().unwrap();
    assert_eq!(title, newsbot_discord::limits::escape(&article.headline));
    assert!(edit["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap()
        .contains(&article.sources[0]));
    assert_valid(&reqs);
}

#[tokio::test]
async fn votes_go_to_the_log_and_are_acknowledged_privately() {
    let cap = capture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(feedback::FILE_NAME);
    let bot = Bot::new(common::engine()).with_feedback(FeedbackLog::new(&log, false));
    handle_interaction(&cap.http(), &bot, &interaction("button_vote.json")).await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(body(&reqs[0])["type"], 4);
    assert_eq!(body(&reqs[0])["data"]["flags"], 64);
    let s = feedback::summarise(&log).unwrap();
    assert_eq!((s.down, s.up), (1, 0));
    assert_eq!(s.passages[0].passage, "A **fine** of €1m");
    assert_eq!(s.failing[0].question, "who was fined over cookies?");
    assert_valid(&reqs);
}

#[tokio::test]
async fn unknown_button_gets_the_error_text() {
    let cap = capture_server().await;
    let bot = common::bot();
    handle_interaction(&cap.http(), &bot, &interaction("button_garbage.json")).await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 1);
    let content = body(&reqs[0])["data"]["content"].as_str().unwrap();
    assert!(content.starts_with("Something went wrong"), "{content}");
    assert_valid(&reqs);
}

#[tokio::test]
async fn dm_is_a_question_and_topic_text_works() {
    let cap = capture_server().await;
    handle_message(&cap.http(), &common::bot(), ME, &message("dm_message.json")).await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(
        reqs[0].path,
        "/api/v10/channels/1300000000000000001/messages"
    );
    let b = body(&reqs[0]);
    no_pings(b);
    assert!(b.get("message_reference").is_none_or(Value::is_null));
    assert!(!b["embeds"].as_array().unwrap().is_empty());
    assert_valid(&reqs);
}

#[tokio::test]
async fn mention_in_a_server_is_answered_as_a_reply_that_pings_nobody() {
    let cap = capture_server().await;
    handle_message(
        &cap.http(),
        &common::bot(),
        ME,
        &message("guild_mention.json"),
    )
    .await;
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 1);
    let b = body(&reqs[0]);
    assert_eq!(b["message_reference"]["message_id"], "1200000000000000001");
    no_pings(b);
    assert_eq!(b["allowed_mentions"]["replied_user"], false);
    assert_valid(&reqs);
}

#[tokio::test]
async fn ignores_bots_and_unmentioned_server_messages() {
    let cap = capture_server().await;
    let bot = common::bot();
    handle_message(&cap.http(), &bot, ME, &message("guild_no_mention.json")).await;
    handle_message(&cap.http(), &bot, ME, &message("bot_message.json")).await;
    let mut own = fixture("dm_message.json");
    own["author"]["id"] = json!(APP_ID.to_string());
    handle_message(&cap.http(), &bot, ME, &serde_json::from_value(own).unwrap()).await;
    assert!(cap.requests().is_empty());
}

#[tokio::test]
async fn a_flood_gets_one_notice() {
    let cap = capture_server().await;
    let bot = Bot::new(common::engine())
        .with_rate_limiter(RateLimiter::new(1, std::time::Duration::from_secs(3600)));
    let msg = message("dm_message.json");
    for _ in 0..4 {
        handle_message(&cap.http(), &bot, ME, &msg).await;
    }
    let reqs = cap.requests();
    assert_eq!(reqs.len(), 2, "one answer, one notice, then quiet");
    let notice = body(&reqs[1])["content"].as_str().unwrap();
    assert!(notice.contains("faster than I can keep up"), "{notice}");
    // Interactions must be acknowledged, so a limited slash command gets a private notice.
    handle_interaction(
        &cap.http(),
        &bot,
        &interaction("slash_topic_private_dm.json"),
    )
    .await;
    let reqs = cap.requests();
    assert_eq!(body(&reqs[2])["type"], 4);
    assert_eq!(body(&reqs[2])["data"]["flags"], 64);
    assert_valid(&reqs);
}

/// A buffer the log writer appends to, shared with the test.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// At DEBUG and TRACE the gateway logs each event it dispatches, and an interaction's
/// `Debug` carries its token (as do the routes of its callback and webhook); the redacting
/// writer the binary logs through keeps the token out of every line.
#[tokio::test(flavor = "current_thread")]
async fn interaction_tokens_never_reach_trace_logs() {
    use newsbot_discord::redact::RedactingWriter;
    let buf = LogBuffer::default();
    let sink = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(RedactingWriter(move || sink.clone()))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let cap = capture_server().await;
    let event = interaction("slash_ask.json");
    // What serenity's shard logs on dispatch, and a request route as its HTTP client has it.
    tracing::debug!("dispatching {event:?}");
    tracing::trace!(
        "POST /api/v10/interactions/1500000000000000001/aW50ZXJhY3Rpb24tdG9rZW4/callback"
    );
    handle_interaction(&cap.http(), &common::bot(), &event).await;
    assert_eq!(cap.requests().len(), 2);
    let logged = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("token: \"<redacted>\""), "{logged}");
    assert!(
        logged.contains("interactions/1500000000000000001/<redacted>/callback"),
        "{logged}"
    );
    assert!(
        !logged.contains("aW50ZXJhY3Rpb24tdG9rZW4"),
        "token leaked:\n{logged}"
    );
}
