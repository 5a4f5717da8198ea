//! Following a topic in the console, through the real binary: `/follow fines` in `chat`,
//! then a new article on fines dropped into the seed folder is printed as it arrives; a
//! restart neither repeats it nor misses one that arrived while the bot was down; the
//! subscriptions database survives, and a corrupt one is moved aside.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{copy_prompts, copy_seeds, root, Chat, VECTORS};

/// A deadline for an event, not a measure of speed (the bench and the README say how fast).
const LONG: Duration = Duration::from_secs(60);

fn article(company: &str) -> String {
    format!(
        "Regulator fines {company} over tracking cookies\n\nThe data protection regulator \
         fined {company} 3 million euros on Tuesday for setting tracking cookies without \
         consent.\n"
    )
}

/// `chat` on `seeds` and `prompts`, keeping its index and subscriptions in `data`.
fn chat(dir: &Path, seeds: &Path, prompts: &Path, data: &Path) -> Chat {
    let args: Vec<&OsStr> = vec![
        OsStr::new("--seeds"),
        seeds.as_os_str(),
        OsStr::new("--prompts"),
        prompts.as_os_str(),
        OsStr::new("--data"),
        data.as_os_str(),
    ];
    Chat::start(dir, &args, &[("NEWSBOT_VECTORS", VECTORS)])
}

#[test]
fn follow_in_chat_prints_each_new_article_once_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let (seeds, data) = (tmp.path().join("seeds"), tmp.path().join("data"));
    std::fs::create_dir(&seeds).unwrap();
    copy_seeds(&seeds);

    let prompts = root().join("prompts");
    let mut first = chat(tmp.path(), &seeds, &prompts, &data);
    first.say("/follow fines");
    first.wait_out("Following /fines here", LONG);
    // An article already in the index is not news; a new one on another topic is not posted.
    std::fs::write(
        seeds.join("weather.txt"),
        "Storm shuts the harbour\n\nHigh winds shut the harbour for two days.\n",
    )
    .unwrap();
    let written = Instant::now();
    std::fs::write(seeds.join("zorblax.txt"), article("Zorblax")).unwrap();
    first.wait_out("Regulator fines Zorblax over tracking cookies", LONG);
    eprintln!(
        "alert printed {:?} after the file was written",
        written.elapsed()
    );
    let out = first.out_since(0);
    assert!(out.contains("New on /fines:"), "{out}");
    assert!(out.contains("3 million euros"), "{out}");
    assert!(!out.contains("Storm shuts the harbour"), "{out}");
    first.say("/following");
    first.wait_out("Followed here:\n/fines", LONG);
    first.say("/quit");
    first.wait_exit(LONG);

    // Down meanwhile: an article arrives, and is posted once the bot is back, once.
    std::fs::write(seeds.join("quux.txt"), article("Quuxcorp")).unwrap();
    let mut second = chat(tmp.path(), &seeds, &prompts, &data);
    second.wait_out("Regulator fines Quuxcorp over tracking cookies", LONG);
    second.say("/unfollow fines");
    second.wait_out("No longer following /fines here.", LONG);
    second.say("/quit");
    second.wait_exit(LONG);
    let out = second.out_since(0);
    assert!(
        !out.contains("Zorblax"),
        "posted again after the restart:\n{out}"
    );
    assert_eq!(out.matches("Regulator fines Quuxcorp").count(), 1, "{out}");
}

#[test]
fn a_removed_topic_file_pauses_its_subscription_and_adding_it_back_resumes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (seeds, data, prompts) = (
        tmp.path().join("seeds"),
        tmp.path().join("data"),
        tmp.path().join("prompts"),
    );
    std::fs::create_dir(&seeds).unwrap();
    copy_seeds(&seeds);
    copy_prompts(&prompts);
    let mut chat = chat(tmp.path(), &seeds, &prompts, &data);
    chat.say("/follow fines");
    chat.wait_out("Following /fines here", LONG);
    let fines = std::fs::read(prompts.join("topics/fines.toml")).unwrap();
    std::fs::remove_file(prompts.join("topics/fines.toml")).unwrap();
    chat.wait_err("following /fines paused: its topic file was removed", LONG);
    chat.say("/following");
    chat.wait_out("/fines (paused: its topic file was removed)", LONG);
    // Added back: it resumes, and an article that arrived meanwhile is not lost.
    std::fs::write(seeds.join("zorblax.txt"), article("Zorblax")).unwrap();
    chat.wait_err("re-indexed 1 changed file (zorblax.txt)", LONG);
    std::fs::write(prompts.join("topics/fines.toml"), fines).unwrap();
    chat.wait_out("Regulator fines Zorblax over tracking cookies", LONG);
    chat.say("/following");
    chat.wait_out("Followed here:\n/fines\n", LONG);
    chat.say("/quit");
    chat.wait_exit(LONG);
}

#[test]
fn stats_counts_subscriptions_and_a_corrupt_database_is_moved_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("newsbot.db"),
        "not a database at all, but in the way",
    )
    .unwrap();
    let out = common::newsbot(&root().join("seeds"))
        .arg("--data")
        .arg(&data)
        .arg("stats")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("newsbot.db was not a usable subscriptions database")
            && err.contains("newsbot.db.unusable-1"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("newsbot.db.unusable-1")).unwrap(),
        "not a database at all, but in the way"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("follows:  0 topic subscriptions"),
        "{stdout}"
    );
}
