//! The benchmark end to end through its binary, on the shipped seeds.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bench binary on the shipped seeds and prompts, in a clean environment.
fn bench() -> Command {
    let mut c = Command::cargo_bin("newsbot-bench").unwrap();
    c.env_clear()
        .current_dir(root())
        .args(["--prompts", "prompts", "--seeds", "seeds"]);
    c
}

#[test]
fn bench_runs_on_the_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bench()
        .args(["--model", "none"])
        .args(["--sizes", "1,2", "--rounds", "1", "--json", "--dir"])
        .arg(tmp.path())
        .args(["--questions", "no/such/file.jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sizes = report["sizes"].as_array().unwrap();
    assert_eq!(sizes.len(), 2);
    assert_eq!(sizes[0]["build"]["passages"], 156);
    assert!(sizes[1]["build"]["passages"].as_u64().unwrap() > 156);
    assert_eq!(sizes[1]["serve"]["errors"], 0);
    // The figures are consistent with each other (their values depend on the machine).
    for size in sizes {
        let serve = &size["serve"];
        let ms = |k: &str| serve[k].as_f64().unwrap();
        assert!(
            ms("p50_ms") <= ms("p99_ms") && ms("p99_ms") <= ms("max_ms"),
            "{serve}"
        );
        assert!(serve["queries"].as_u64().unwrap() > 0, "{serve}");
        assert!(
            size["cold_start_ms"].as_f64().unwrap().is_finite(),
            "{size}"
        );
        assert!(size["index_bytes"].as_u64().unwrap() > 0, "{size}");
    }
    assert!(sizes[1]["index_bytes"].as_u64() > sizes[0]["index_bytes"].as_u64());
}

#[test]
fn the_ask_worker_answers_from_a_built_index() {
    let tmp = tempfile::tempdir().unwrap();
    let worker = || {
        let mut c = bench();
        c.arg("worker");
        c
    };
    worker()
        .args(["build", "--data"])
        .arg(tmp.path())
        .assert()
        .success();
    let out = worker()
        .args(["ask", "--data"])
        .arg(tmp.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8_lossy(&out)
            .to_lowercase()
            .contains("cookie"),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn the_embed_worker_embeds_each_passage_once() {
    let tmp = tempfile::tempdir().unwrap();
    let worker = |mode: &str| {
        let mut c = bench();
        c.args(["worker", mode, "--data"]).arg(tmp.path());
        let out = c.assert().success().get_output().stdout.clone();
        String::from_utf8_lossy(&out).into_owned()
    };
    worker("build");
    let first: serde_json::Value = serde_json::from_str(&worker("embed")).unwrap();
    assert!(first["passages"].as_u64().unwrap() > 100, "{first}");
    let again: serde_json::Value = serde_json::from_str(&worker("embed")).unwrap();
    assert_eq!(again["passages"], 0, "{again}");
}
