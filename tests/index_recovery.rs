//! A damaged, foreign or half-re-indexed `data/` folder is rebuilt at start-up, never a
//! crash. Drives the real binary on a temp copy of the seeds.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    common::copy_seeds(&seeds);
    let data = tmp.path().join("data");
    (tmp, seeds, data)
}

fn ask(seeds: &Path, data: &Path) -> assert_cmd::assert::Assert {
    Command::from_std(common::newsbot(seeds))
        .args(["--log", "info", "--data"])
        .arg(data)
        .args(["ask", "--json", "who was fined over cookies?"])
        .assert()
}

fn answered(a: assert_cmd::assert::Assert) -> String {
    let out = a.success().get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("\"answered\":true"), "{stdout}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn index_files(data: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(data.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            !n.starts_with("newsbot-") && !n.starts_with('.')
        })
        .collect()
}

#[test]
fn truncated_index_files_are_rebuilt() {
    let (_tmp, seeds, data) = workspace();
    answered(ask(&seeds, &data));
    let files = index_files(&data);
    assert!(!files.is_empty());
    for f in files {
        let len = std::fs::metadata(&f).unwrap().len();
        let file = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
        file.set_len(len / 2).unwrap();
    }
    let stderr = answered(ask(&seeds, &data));
    assert!(stderr.contains("index built"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // And the rebuilt index is reused after that.
    let stderr = answered(ask(&seeds, &data));
    assert!(!stderr.contains("index built"), "{stderr}");
}

#[test]
fn emptied_segment_files_are_rebuilt() {
    let (_tmp, seeds, data) = workspace();
    answered(ask(&seeds, &data));
    for f in index_files(&data) {
        if f.extension().is_some_and(|x| x != "json") {
            std::fs::write(&f, b"").unwrap();
        }
    }
    let stderr = answered(ask(&seeds, &data));
    assert!(stderr.contains("index built"), "{stderr}");
}

#[test]
fn foreign_data_folder_is_rebuilt() {
    let (_tmp, seeds, data) = workspace();
    let index = data.join("index");
    std::fs::create_dir_all(&index).unwrap();
    std::fs::write(index.join("meta.json"), b"{ not tantivy }").unwrap();
    std::fs::write(index.join("newsbot-manifest.json"), b"[1, 2, 3]").unwrap();
    std::fs::write(index.join("notes.txt"), b"someone else's files").unwrap();
    let stderr = answered(ask(&seeds, &data));
    assert!(stderr.contains("index built"), "{stderr}");
}

#[test]
fn interrupted_live_reindex_is_rebuilt() {
    let (_tmp, seeds, data) = workspace();
    answered(ask(&seeds, &data));
    // The marker a live re-index leaves while it commits: found at start-up, the index and
    // its manifest may disagree.
    std::fs::write(data.join("index/newsbot-reindexing"), b"").unwrap();
    let stderr = answered(ask(&seeds, &data));
    assert!(stderr.contains("interrupted"), "{stderr}");
}

#[test]
fn an_unchanged_bad_seed_file_does_not_rebuild_every_start() {
    let (_tmp, seeds, data) = workspace();
    std::fs::write(seeds.join("bad.txt"), b"\x00\x01binary").unwrap();
    let first = answered(ask(&seeds, &data));
    assert!(first.contains("index built"), "{first}");
    let second = answered(ask(&seeds, &data));
    assert!(!second.contains("index built"), "{second}");
    assert!(
        second.contains("bad.txt"),
        "the warning is still shown: {second}"
    );
    std::fs::write(seeds.join("bad.txt"), "Fixed now\n\nIt is text at last.\n").unwrap();
    let third = answered(ask(&seeds, &data));
    assert!(third.contains("index built"), "{third}");
}
