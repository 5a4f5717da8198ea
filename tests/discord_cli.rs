//! The Discord subcommands of the real binary, without touching the network.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use assert_cmd::Command;

const FAKE_TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAw.GAAAAA.secret-part-never-printed";

/// The binary on the shipped seeds (`common::bin` runs it where no `.env` can supply a
/// token).
fn newsbot() -> Command {
    common::shipped()
}

#[test]
fn commands_json_is_the_registration_body() {
    let out = newsbot().args(["commands", "--json"]).output().unwrap();
    assert!(out.status.success());
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.starts_with(&["ask", "help", "article"]), "{names:?}");
    assert!(names.contains(&"fines"));
}

#[test]
fn missing_or_malformed_token_is_one_clear_line() {
    let out = newsbot().arg("serve").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("DISCORD_TOKEN is not set"), "{err}");

    let err = common::failing(
        newsbot()
            .arg("serve")
            .env("DISCORD_TOKEN", "\"secret-part-never-printed\"")
            .output()
            .unwrap(),
    );
    assert!(err.contains("not a valid bot token"), "{err}");
    assert!(!err.contains("secret-part"), "{err}");
}

#[test]
fn rejected_token_is_reported_without_the_token() {
    // A fake Discord that rejects every token.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut sock in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = sock.read(&mut buf);
            let body = r#"{"message": "401: Unauthorized", "code": 0}"#;
            let _ = write!(
                sock,
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let err = common::failing(
        newsbot()
            .arg("serve")
            .env("DISCORD_TOKEN", FAKE_TOKEN)
            .env("DISCORD_PROXY_URL", &url)
            .env("NEWSBOT_LOG", "trace")
            .output()
            .unwrap(),
    );
    assert!(err.contains("Discord rejected DISCORD_TOKEN"), "{err}");
    assert!(!err.contains("secret-part"), "token leaked: {err}");
}

#[test]
fn feedback_without_a_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsbot()
        .args(["feedback", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No feedback yet"));
}

#[test]
fn serve_help_shows_the_service_flags() {
    let out = newsbot().args(["serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--shards <A-B>",
        "--shard-total <N>",
        "--metrics-addr",
        "--log-format",
        "--indexer",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[test]
fn a_shard_range_outside_the_total_is_refused_before_connecting() {
    let err = common::failing(
        newsbot()
            .args(["serve", "--shards", "2-4", "--shard-total", "4"])
            .env("DISCORD_TOKEN", FAKE_TOKEN)
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("--shards is invalid: 2-4 is not within the 4 shards 0-3"),
        "{err}"
    );
    assert!(!err.contains("secret-part"), "{err}");
    // One without the other is a usage error from the parser.
    let out = newsbot()
        .args(["serve", "--shards", "0-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
