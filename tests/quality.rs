//! Answer quality through the real binary: the bar on the shared development set, floors on
//! the repo's own question sets, and no confident answer to questions the articles cannot
//! answer.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::root;
use serde_json::Value;

fn newsbot() -> Command {
    common::shipped()
}

fn eval(file: &Path) -> Value {
    // `assert` shows stderr when the run fails.
    let run = newsbot()
        .arg("eval")
        .arg(file)
        .arg("--json")
        .assert()
        .success();
    serde_json::from_slice(&run.get_output().stdout).unwrap()
}

fn misses(report: &Value) -> String {
    report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["rank"] != 1 || o["headline_ok"] != true)
        .map(|o| format!("  rank {} — {}\n", o["rank"], o["q"]))
        .collect()
}

/// The development set is vendored in `eval/` (a copy of `../shared/eval/dev_questions.jsonl`);
/// `NEWSBOT_DEV_QUESTIONS` points at a refreshed copy. A missing file fails, never skips.
#[test]
fn dev_set_meets_the_bar() {
    let file = std::env::var_os("NEWSBOT_DEV_QUESTIONS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("eval/dev_questions.jsonl"));
    assert!(
        file.exists(),
        "{} is missing: set NEWSBOT_DEV_QUESTIONS to the development questions",
        file.display()
    );
    let r = eval(&file);
    let (top1, mrr, headline) = (
        r["top1"].as_f64().unwrap(),
        r["mrr10"].as_f64().unwrap(),
        r["headline"].as_f64().unwrap(),
    );
    assert!(
        top1 >= 0.90 && mrr >= 0.95 && headline == 1.0,
        "top-1 {top1:.3} (bar 0.90), MRR@10 {mrr:.3} (bar 0.95), headline {headline:.3} (bar 1.0); misses:\n{}",
        misses(&r)
    );
    assert_eq!(
        r["answered"].as_f64().unwrap(),
        1.0,
        "every dev question is answerable"
    );
}

/// The repo's own questions, written to check that tuning generalises. The floors sit just
/// under today's figures (extra 0.94 / 0.96, holdout 0.87 / 0.93) so a regression shows.
#[test]
fn own_question_sets_do_not_regress() {
    for (file, min_top1, min_mrr) in [
        ("eval/extra_questions.jsonl", 0.92, 0.95),
        ("eval/holdout_questions.jsonl", 0.83, 0.90),
    ] {
        let r = eval(&root().join(file));
        let (top1, mrr) = (r["top1"].as_f64().unwrap(), r["mrr10"].as_f64().unwrap());
        assert!(
            top1 >= min_top1 && mrr >= min_mrr,
            "{file}: top-1 {top1:.3} (floor {min_top1}), MRR@10 {mrr:.3} (floor {min_mrr}); misses:\n{}",
            misses(&r)
        );
    }
}

#[test]
fn unanswerable_questions_are_not_answered() {
    let questions = std::fs::read_to_string(root().join("eval/unanswerable.txt")).unwrap();
    let out = newsbot()
        .args(["ask", "--json"])
        .write_stdin(questions.clone())
        .output()
        .unwrap();
    let replies: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        replies.len(),
        questions.lines().filter(|l| !l.trim().is_empty()).count()
    );
    for r in &replies {
        assert_eq!(
            r["answered"], false,
            "answered {}: {}",
            r["query"], r["results"][0]["paragraph"]
        );
        assert!(r["results"].as_array().unwrap().is_empty());
    }
}

#[test]
fn misspelt_names_still_find_their_article() {
    for (q, headline) in [
        (
            "how many coupnag accounts leaked?",
            "South Korea retailer admits worst-ever data leak",
        ),
        (
            "how many claims did fidrek record?",
            "Fraud and scam cases push FIDReC workloads to new highs",
        ),
        (
            "how much did nvidia invest in synopsis?",
            "NVIDIA and Synopsys shape a new era in engineering",
        ),
    ] {
        let out = newsbot().args(["ask", "--json", q]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["answered"], true, "{q}");
        assert_eq!(v["results"][0]["headline"], headline, "{q}");
    }
}

#[test]
fn the_answer_span_is_highlighted() {
    for (q, span) in [
        ("How much was Condé Nast fined?", "€750,000"),
        ("When did the attacks on Coupang begin?", "24 June"),
        ("Where did the EU and Singapore meet?", "Brussels"),
    ] {
        let out = newsbot().args(["ask", "--json", q]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let top = &v["results"][0];
        let chars: Vec<char> = top["paragraph"].as_str().unwrap().chars().collect();
        let spans: Vec<String> = top["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                chars[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize]
                    .iter()
                    .collect()
            })
            .collect();
        assert!(spans.iter().any(|s| s.contains(span)), "{q}: {spans:?}");
    }
}
