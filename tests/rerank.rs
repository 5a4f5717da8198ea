//! The cross-encoder reranker through the real binary: its switch, its status in `stats`,
//! the logits in `--json`, and a broken model file that only turns it off.

mod common;

use std::path::Path;
use std::process::Command;

use common::root;
use serde_json::Value;

fn newsbot(rerank: &str) -> Command {
    let mut cmd = common::newsbot(&root().join("seeds"));
    cmd.args(["--in-memory", "--rerank", rerank]);
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = common::succeeded(cmd.output().unwrap());
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

const QUESTION: &str = "who was fined over cookies?";

#[test]
fn stats_names_the_reranker_or_why_it_is_off() {
    let v = json(newsbot("on").args(["stats", "--json"]));
    assert_eq!(v["rerank"], "on (reranker-minilm-l6-squad, top 2)");
    let v = json(newsbot("off").args(["stats", "--json"]));
    assert_eq!(v["rerank"], "off (--rerank off)");
    let v = json(newsbot("on").args(["--lexical", "stats", "--json"]));
    assert_eq!(v["rerank"], "off (--lexical)");
}

#[test]
fn json_carries_each_reranked_passages_logit() {
    let v = json(newsbot("on").args(["ask", "--json", QUESTION]));
    let results = v["results"].as_array().unwrap();
    assert!(results[0]["rerank"].as_f64().unwrap() > 0.0, "{v}");
    // Only the top K were read by the cross-encoder.
    assert!(
        results.iter().skip(2).all(|p| p.get("rerank").is_none()),
        "{v}"
    );
    // Off, the reply is the engine's own: no logits at all.
    let v = json(newsbot("off").args(["ask", "--json", QUESTION]));
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("rerank").is_none()),
        "{v}"
    );
}

#[test]
fn topic_commands_are_not_reranked() {
    let on = json(newsbot("on").args(["ask", "--json", "/fines"]));
    let off = json(newsbot("off").args(["ask", "--json", "/fines"]));
    assert_eq!(on, off);
}

#[test]
fn a_broken_reranker_file_is_one_warning_and_answers_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("reranker");
    std::fs::create_dir(&dir).unwrap();
    let weights =
        std::fs::read(root().join("models/reranker-minilm-l6-squad/reranker.safetensors")).unwrap();
    std::fs::write(
        dir.join("reranker.safetensors"),
        &weights[..weights.len() / 2],
    )
    .unwrap();
    let out = newsbot("on")
        .arg("--reranker-model")
        .arg(&dir)
        .args(["ask", "--json", QUESTION])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning: reranker off").count(), 1, "{err}");
    assert!(
        err.contains("reranker.safetensors"),
        "names the file: {err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["answered"], true);
    let v = json(
        newsbot("on")
            .arg("--reranker-model")
            .arg(Path::new("/nonexistent/reranker"))
            .args(["stats", "--json"]),
    );
    assert!(
        v["rerank"]
            .as_str()
            .unwrap()
            .starts_with("off (model failed to load: /nonexistent/reranker"),
        "{v}"
    );
}
