//! Several processes on one `--data` folder, through the real binary: one writes the index
//! (watching the seeds), the others serve it read-only and pick up each commit.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use common::{root, Chat};

const LONG: Duration = Duration::from_secs(90);

fn article(headline: &str, text: &str) -> String {
    format!("{headline}\n\n{text}\n")
}

fn harbour() -> String {
    article(
        "Zorblax harbour reopens after dredging",
        "The Zorblax harbour reopened on Monday after six weeks of dredging removed silt from the shipping lane.",
    )
}

fn ferry() -> String {
    article(
        "Quuxport ferry gets a battery",
        "The Quuxport ferry now carries a 4 megawatt-hour battery and crosses the bay without burning diesel.",
    )
}

fn lighthouse() -> String {
    article(
        "Vellmar lighthouse keeper retires",
        "After forty years the Vellmar lighthouse keeper handed over the lamp to an automatic beacon.",
    )
}

struct Folder {
    tmp: tempfile::TempDir,
}

impl Folder {
    fn new() -> Folder {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("seeds")).unwrap();
        std::fs::write(tmp.path().join("seeds/harbour.txt"), harbour()).unwrap();
        Folder { tmp }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn add(&self, name: &str, text: &str) {
        std::fs::write(self.dir().join("seeds").join(name), text).unwrap();
    }

    /// `newsbot chat` on this folder's seeds and data, by words only (the model is not what
    /// is tested here, and loading it in four processes would only slow the test).
    fn chat(&self, extra: &[&str], env: &[(&str, &str)]) -> Chat {
        let prompts = root().join("prompts");
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("--seeds"),
            OsStr::new("seeds"),
            OsStr::new("--data"),
            OsStr::new("data"),
            OsStr::new("--prompts"),
            prompts.as_os_str(),
            OsStr::new("--lexical"),
            OsStr::new("--log"),
            OsStr::new("warn"),
        ];
        args.extend(extra.iter().map(OsStr::new));
        // `prompts` outlives the spawn, which copies the arguments.
        Chat::start(self.dir(), &args, env)
    }
}

#[test]
fn a_file_added_is_answered_by_the_writer_and_a_reader_and_a_second_writer_is_refused() {
    let folder = Folder::new();
    let mut writer = folder.chat(&["--indexer"], &[]);
    writer.ask(
        "When did the Zorblax harbour reopen?",
        "Zorblax harbour reopens",
    );
    let mut reader = folder.chat(&[], &[]);
    reader.wait_err("read-only", LONG);
    assert!(
        reader
            .err
            .lock()
            .unwrap()
            .contains(&format!("pid {} writes it", writer.pid())),
        "{}",
        reader.err.lock().unwrap()
    );
    reader.ask(
        "When did the Zorblax harbour reopen?",
        "Zorblax harbour reopens",
    );

    // A second process that insists on writing fails at once, naming the holder.
    let mut second = folder.chat(&["--indexer"], &[]);
    let status = second.wait_exit(LONG);
    assert!(!status.success());
    let err = second.err.lock().unwrap().clone();
    assert!(
        err.contains(&format!("pid {}", writer.pid())) && err.contains("writer.lock"),
        "{err}"
    );

    // So does a one-off feed poll, which would write the same seed folder and feed state.
    let out = common::bin()
        .current_dir(folder.dir())
        .args([
            "--data",
            "data",
            "--seeds",
            "seeds",
            "--feed",
            "http://127.0.0.1:9/feed.xml",
        ])
        .arg("fetch-feeds")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("pid {}", writer.pid())), "{err}");

    // A file added to the seeds: the writer re-indexes it, the reader picks up the commit.
    folder.add("ferry.txt", &ferry());
    writer.wait_err("re-indexed 1 changed file (ferry.txt)", LONG);
    reader.wait_err("picked up the writer's index: 2 articles", LONG);
    for chat in [&mut writer, &mut reader] {
        let reply = chat.ask(
            "How big is the battery on the Quuxport ferry?",
            "Quuxport ferry gets a battery",
        );
        assert!(reply.contains("4 megawatt-hour"), "{reply}");
    }
    reader.quit();
    writer.quit();
    // A clean exit leaves no pid behind to look stale.
    let lock = std::fs::read_to_string(folder.dir().join("data/writer.lock")).unwrap();
    assert_eq!(lock.trim(), "");
}

#[test]
fn a_writer_killed_mid_commit_leaves_readers_on_the_last_good_index_until_a_new_writer_takes_over()
{
    let folder = Folder::new();
    // This writer aborts (as `kill -9` would) right after tantivy's commit and before the
    // manifest that completes it: the worst moment for a reader.
    let mut doomed = folder.chat(&[], &[("NEWSBOT_FAULT_ABORT_MID_COMMIT", "1")]);
    doomed.ask(
        "When did the Zorblax harbour reopen?",
        "Zorblax harbour reopens",
    );
    let doomed_pid = doomed.pid();
    let mut reader = folder.chat(&[], &[]);
    reader.wait_err("read-only", LONG);

    folder.add("ferry.txt", &ferry());
    let status = doomed.wait_exit(LONG);
    assert!(!status.success(), "the fault hook should have aborted it");
    assert!(folder.dir().join("data/index/newsbot-reindexing").exists());

    // The reader never loads the torn commit and keeps answering from the last good index.
    std::thread::sleep(Duration::from_secs(2));
    let mark = reader.out_len();
    reader.say("How big is the battery on the Quuxport ferry?");
    reader.ask(
        "When did the Zorblax harbour reopen?",
        "six weeks of dredging",
    );
    let since = reader.out_since(mark);
    assert!(!since.contains("4 megawatt-hour"), "{since}");
    assert!(!reader.err.lock().unwrap().contains("picked up"));
    assert!(
        reader.child.try_wait().unwrap().is_none(),
        "the reader still runs"
    );

    // The next process finds the lock free, says whose it was, rebuilds the interrupted
    // index, and the reader picks that up.
    let mut next = folder.chat(&[], &[]);
    next.wait_err(
        &format!("from pid {doomed_pid}, which did not exit cleanly"),
        LONG,
    );
    next.wait_err("a live re-index was interrupted", LONG);
    folder.add("lighthouse.txt", &lighthouse());
    next.wait_err("re-indexed 1 changed file (lighthouse.txt)", LONG);
    reader.wait_err("3 articles", LONG);
    let reply = reader.ask(
        "How big is the battery on the Quuxport ferry?",
        "4 megawatt-hour",
    );
    assert!(reply.contains("Quuxport ferry gets a battery"), "{reply}");
    reader.quit();
    next.quit();
}
