//! Hostile and messy input, as a new user hits it, through the real binary: bad files in the
//! seed folder, bad bytes on stdin, long work on a pipe, control characters in the console.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::root;
use proptest::prelude::*;
use serde_json::Value;

/// The binary on `seeds`, keeping its index in `data`.
fn newsbot(seeds: &Path, data: &Path) -> Command {
    let mut cmd = common::newsbot(seeds);
    cmd.arg("--data").arg(data);
    cmd
}

/// Runs `cmd` with `input` on stdin.
fn with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temp folder with the shipped seeds in `seeds/`.
fn shipped_seeds() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    common::copy_seeds(&seeds);
    tmp
}

/// A seed folder of one small article.
fn one_article() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    std::fs::write(
        seeds.join("harbour.txt"),
        "Harbour crane collapses in Rotterdam\n\nA harbour crane in Rotterdam collapsed on Monday; the port authority said no one was hurt.\n",
    )
    .unwrap();
    tmp
}

#[cfg(unix)]
#[test]
fn a_bad_file_in_the_seed_folder_never_stops_a_start() {
    let tmp = shipped_seeds();
    let seeds = tmp.path().join("seeds");
    let data = tmp.path().join("data");
    std::os::unix::fs::symlink("/nonexistent", seeds.join("dangling.txt")).unwrap();
    std::os::unix::fs::symlink(seeds.join("loop.md"), seeds.join("loop.md")).unwrap();
    // Twice: the first start builds the index, the second reuses it.
    for round in ["build", "reuse"] {
        let out = newsbot(&seeds, &data)
            .args(["stats", "--json"])
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert!(out.status.success(), "{round}: {err}");
        for name in ["dangling.txt", "loop.md"] {
            assert!(
                err.contains(&format!("warning: {name}: cannot be read")),
                "{round}: {err}"
            );
        }
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["articles"], 24, "{round}");
        assert_eq!(v["skipped_files"], 2, "{round}");
    }
    let out = newsbot(&seeds, &data)
        .args(["ask", "--json", "who was fined over cookies?"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["answered"], true);
    // The console starts too, and says goodbye on end of input.
    let out = with_stdin(newsbot(&seeds, &data).arg("chat"), b"/quit\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn an_io_error_names_its_cause_once() {
    let tmp = tempfile::tempdir().unwrap();
    let err = common::failing(
        common::newsbot_with(&root().join("seeds"), &tmp.path().join("no-prompts"))
            .args(["--in-memory", "stats"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("cannot be read"), "{err}");
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}

#[test]
fn every_line_on_stdin_gets_one_json_line_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let seeds = root().join("seeds");
    let input: &[u8] =
        b"who was fined?\ncaf\xe9\nwho leads FIDReC?\n\n \n\xc2\xa0\n\t\r\nlast, no newline";
    let out = with_stdin(newsbot(&seeds, &data).args(["ask", "--json"]), input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 8, "{lines:#?}");
    assert_eq!(lines[0]["query"], "who was fined?");
    assert_eq!(
        lines[1]["query"], "caf\u{fffd}",
        "read lossily, not dropped"
    );
    assert_eq!(lines[2]["query"], "who leads FIDReC?");
    assert_eq!(lines[7]["query"], "last, no newline");
    // A blank-looking line is answered as an empty question is.
    let empty = newsbot(&seeds, &data)
        .args(["ask", "--json", ""])
        .output()
        .unwrap();
    let empty: Value = serde_json::from_slice(&empty.stdout).unwrap();
    for blank in &lines[3..7] {
        assert_eq!(blank, &empty);
    }
}

#[test]
fn stats_accounts_for_every_file_record_and_item() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    std::fs::write(
        seeds.join("page.html"),
        "<html><head><title>Tram line opens in Bergen</title></head><body>\n<nav>Home | World | Sport</nav>\n<article>\n<h1>Tram line opens in Bergen</h1>\n<p>The new tram line in Bergen opened on Sunday with free rides all day.</p>\n<div class=\"share-bar\">Share this story</div>\n<p>The city expects twelve thousand riders a day by the end of the year.</p>\n</article>\n<footer>Copyright Bergen Daily</footer>\n</body></html>\n",
    )
    .unwrap();
    std::fs::write(
        seeds.join("dump.jsonl"),
        "{\"title\": \"Bakery wins prize in Lyon\", \"body\": \"A bakery in Lyon won the national baguette prize this year.\"}\nnot json at all\n{\"title\": \"No text here\", \"body\": \"\"}\n",
    )
    .unwrap();
    std::fs::write(
        seeds.join("wire.rss"),
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Ferry service resumes in Oban</title><description>The ferry between Oban and Mull resumed after repairs to the pier.</description></item>
<item><title>Empty item</title><description></description></item>
</channel></rss>
"#,
    )
    .unwrap();
    std::fs::write(
        seeds.join("note.md"),
        "# Library extends opening hours in Turku\n\nThe city library in Turku will open until ten in the evening from March.\n",
    )
    .unwrap();
    std::fs::write(seeds.join("empty.txt"), "   \n").unwrap();
    let out = newsbot(&seeds, &tmp.path().join("data"))
        .args(["--in-memory", "stats", "--json"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: wire.rss: 1 of 2 feed items have no text; left out"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["skipped_files"], 1);
    assert_eq!(v["skipped"][0]["file"], "empty.txt");
    assert_eq!(v["skipped"][0]["reason"], "is empty");
    let files = v["accounting"]["files"].as_array().unwrap();
    let row = |name: &str| files.iter().find(|f| f["file"] == name).unwrap().clone();
    let lines_of = |name: &str| {
        std::fs::read_to_string(seeds.join(name))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    };
    for name in ["page.html", "dump.jsonl", "wire.rss", "note.md"] {
        assert_eq!(
            row(name)["lines"],
            lines_of(name),
            "{name}: the file's own lines"
        );
    }
    let html = row("page.html");
    assert_eq!(html["format"], "html");
    assert_eq!(html["paragraphs_indexed"], 2);
    assert_eq!(html["dropped"], 1, "the share bar inside the article");
    assert!(html["notes"][0]
        .as_str()
        .unwrap()
        .contains("page furniture"));
    let jsonl = row("dump.jsonl");
    assert_eq!(
        (jsonl["records"].as_u64(), jsonl["dropped"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(jsonl["notes"].as_array().unwrap().len(), 2, "{jsonl}");
    let feed = row("wire.rss");
    assert_eq!(
        (feed["records"].as_u64(), feed["dropped"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(row("empty.txt")["skipped"], "is empty");
    // The table says the same, with the reason on the skipped file's row.
    let out = newsbot(&seeds, &tmp.path().join("data"))
        .args(["--in-memory", "stats"])
        .output()
        .unwrap();
    let table = text(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("empty.txt") && l.contains("skipped: is empty")),
        "{table}"
    );
    assert!(
        table.contains("dump.jsonl: line 2 is not valid JSON"),
        "{table}"
    );
    assert!(
        table.contains("dump.jsonl: line 3 is a record with no paragraph text"),
        "{table}"
    );
}

#[cfg(unix)]
#[test]
fn folders_left_out_are_named() {
    let tmp = one_article();
    let seeds = tmp.path().join("seeds");
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, seeds.join("linked")).unwrap();
    let out = newsbot(&seeds, &tmp.path().join("data"))
        .args(["--in-memory", "stats"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: linked/: is a symbolic link to a folder, which is not followed"),
        "{err}"
    );
}

#[test]
fn long_work_on_a_pipe_prints_progress_and_ask_now_answers_at_once() {
    let tmp = one_article();
    let seeds = tmp.path().join("seeds");
    let vectors = tmp.path().join("vectors");
    // --now: nothing embedded yet, so it says how much is covered and answers anyway.
    let out = newsbot(&seeds, &tmp.path().join("data"))
        .arg("--vectors")
        .arg(&vectors)
        .args([
            "--in-memory",
            "ask",
            "--now",
            "--json",
            "what collapsed in Rotterdam?",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("note: answering now with 0 of 1 passages embedded (0%)"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["results"][0]["headline"],
        "Harbour crane collapses in Rotterdam"
    );
    // Without --now it embeds first; on a pipe, progress comes as lines with the count and
    // an estimate (every 0 s here, so each batch of the 156 seed passages prints one).
    let out = newsbot(&root().join("seeds"), &tmp.path().join("data"))
        .arg("--vectors")
        .arg(&vectors)
        .env("NEWSBOT_PROGRESS_SECS", "0")
        .args(["--in-memory", "ask", "--json", "who was fined?"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("[embedding passages: ") && err.contains("/156, about "),
        "{err}"
    );
    assert!(err.contains("s left]"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no terminal codes on a pipe: {err:?}"
    );
}

#[test]
fn the_console_shows_control_characters_instead_of_sending_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = newsbot(&root().join("seeds"), &tmp.path().join("data"))
        .args(["--in-memory", "ask", "/article \u{1b}[2J\u{1b}[31mred"])
        .output()
        .unwrap();
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(shown.contains("^[[31mred"), "{shown:?}");
}

#[test]
fn logs_on_a_pipe_carry_no_colour_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = newsbot(&root().join("seeds"), &tmp.path().join("data"))
        .args(["--in-memory", "--log", "debug", "ask", "who was fined?"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("DEBUG") || err.contains("INFO"),
        "some log lines: {err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn one_passage_embedded_is_said_in_the_singular() {
    let tmp = one_article();
    let mut chat = common::Chat::start(
        tmp.path(),
        &[
            "--seeds".as_ref(),
            tmp.path().join("seeds").as_os_str(),
            "--prompts".as_ref(),
            root().join("prompts").as_os_str(),
            "--vectors".as_ref(),
            tmp.path().join("vectors").as_os_str(),
            "--in-memory".as_ref(),
        ],
        &[],
    );
    chat.wait_err(
        "[embedded 1 passage in",
        std::time::Duration::from_secs(120),
    );
    assert!(!chat.err.lock().unwrap().contains("1 passages"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    /// Random bytes and random Unicode, one question per line: one valid JSON object per
    /// line comes back, in order.
    #[test]
    fn one_json_object_per_input_line(
        lines in prop::collection::vec(
            prop_oneof![
                prop::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..40),
                "\\PC{0,40}".prop_map(|s: String| s.replace('\n', " ").into_bytes()),
            ],
            1..6,
        )
    ) {
        let tmp = one_article();
        // Each random line is followed by a marker line, so the objects must come back one
        // per line and in order for every marker to sit where it belongs.
        let mut input = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            input.extend_from_slice(l);
            input.extend_from_slice(format!("\nmarker {i}\n").as_bytes());
        }
        let out = with_stdin(
            newsbot(&tmp.path().join("seeds"), &tmp.path().join("data"))
                .args(["--in-memory", "--lexical", "ask", "--json"]),
            &input,
        );
        prop_assert!(out.status.success(), "{}", text(&out.stderr));
        let got: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        prop_assert_eq!(got.len(), 2 * lines.len());
        for (n, line) in got.iter().enumerate() {
            let v: Value = serde_json::from_str(line).unwrap();
            prop_assert!(v.is_object());
            if n % 2 == 1 {
                prop_assert_eq!(v["query"].as_str().unwrap(), format!("marker {}", n / 2));
            }
        }
    }
}

/// What the user can fix exits 2 and says what to do; an internal failure exits 1.
#[test]
fn user_errors_exit_2_and_internal_failures_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let code = |cmd: &mut Command| {
        let out = cmd.output().unwrap();
        (out.status.code(), text(&out.stderr))
    };
    let seeds = root().join("seeds");
    let (c, err) = code(common::newsbot(&tmp.path().join("nope")).args(["--in-memory", "stats"]));
    assert_eq!(c, Some(2), "{err}");
    assert!(err.contains("point --seeds"), "{err}");
    let prompts = tmp.path().join("prompts");
    std::fs::create_dir_all(prompts.join("topics")).unwrap();
    std::fs::copy(
        root().join("prompts/messages.toml"),
        prompts.join("messages.toml"),
    )
    .unwrap();
    std::fs::write(prompts.join("topics/bad.toml"), "description = 3\n").unwrap();
    let (c, err) = code(common::newsbot_with(&seeds, &prompts).args(["--in-memory", "stats"]));
    assert_eq!(c, Some(2), "{err}");
    assert!(err.contains("bad.toml"), "{err}");
    let (c, err) = code(common::newsbot(&seeds).args(["--in-memory", "--log", "warn,=", "stats"]));
    assert_eq!(c, Some(2), "{err}");
    let (c, err) = code(common::newsbot(&seeds).args(["--in-memory", "eval", "no/such.jsonl"]));
    assert_eq!(c, Some(2), "{err}");
    assert!(err.contains("cannot read question file"), "{err}");
    let (c, _) = code(common::newsbot(&seeds).args(["--no-such-flag"]));
    assert_eq!(c, Some(2));
    // A data folder that is a file: nothing the flags say is wrong, the disk refuses.
    let file = tmp.path().join("data");
    std::fs::write(&file, "not a folder").unwrap();
    let (c, err) = code(
        common::newsbot(&seeds)
            .arg("--data")
            .arg(&file)
            .arg("stats"),
    );
    assert_eq!(c, Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
}
