//! Running newsbot as a service: `/metrics` and `/healthz` from a running `chat`, and JSON
//! log lines. Loopback only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn newsbot() -> Command {
    let mut cmd = common::newsbot(&common::root().join("seeds"));
    cmd.arg("--in-memory").arg("--lexical");
    cmd
}

/// One GET on loopback: (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// Lines of `child`'s stderr, as they come.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

#[test]
fn a_running_chat_serves_metrics_and_health_on_loopback() {
    let mut child = newsbot()
        .args(["--metrics-addr", "127.0.0.1:0", "chat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = stderr_lines(&mut child);
    let addr = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the metrics address on stderr");
        if let Some(rest) = line.strip_prefix("metrics on http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "who was fined over cookies?").unwrap();
    writeln!(stdin, "what's the weather in Paris tomorrow?").unwrap();
    stdin.flush().unwrap();
    // The chat answers in order; once both questions are counted the metrics show them.
    let mut body = String::new();
    for _ in 0..200 {
        body = get(&addr, "/metrics").1;
        if body.contains("outcome=\"declined\"") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        body.contains(r#"newsbot_questions_total{door="console",outcome="answered"} 1"#),
        "{body}"
    );
    assert!(
        body.contains(r#"newsbot_questions_total{door="console",outcome="declined"} 1"#),
        "{body}"
    );
    assert!(
        body.contains("newsbot_answer_seconds_bucket{door=\"console\""),
        "{body}"
    );
    assert!(body.contains("newsbot_passages 156"), "{body}");
    assert_eq!(get(&addr, "/healthz"), (200, "ok\n".to_string()));
    assert_eq!(get(&addr, "/elsewhere").0, 404);
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_metrics_address_that_is_not_one_is_refused() {
    let out = newsbot()
        .args(["--metrics-addr", "localhost", "chat"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("127.0.0.1:9100"), "{err}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let out = newsbot()
        .args([
            "--log-format",
            "json",
            "--log",
            "info",
            "--model",
            "/nonexistent-model",
            "ask",
            "who was fined over cookies?",
        ])
        .env_remove("NEWSBOT_LEXICAL")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let logs: Vec<&str> = err.lines().filter(|l| l.starts_with('{')).collect();
    assert!(!logs.is_empty(), "no JSON log line in:\n{err}");
    for line in logs {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
}
