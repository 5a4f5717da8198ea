//! Prompts edited under a running console take effect without a restart, through the real
//! binary; a broken file is rejected with one line naming it and the last good prompts
//! keep serving.

mod common;

use std::ffi::OsStr;
use std::time::Duration;

use common::{copy_prompts, root, Chat};

const LONG: Duration = Duration::from_secs(60);

fn topic(name: &str, description: &str) -> String {
    format!("name = \"{name}\"\ndescription = \"{description}\"\nquery = \"harbour port dredging ship\"\n")
}

#[test]
fn topics_and_messages_reload_and_a_broken_file_keeps_the_last_good_prompts() {
    let tmp = tempfile::tempdir().unwrap();
    let prompts = tmp.path().join("prompts");
    copy_prompts(&prompts);
    let seeds = root().join("seeds");
    let args: Vec<&OsStr> = vec![
        OsStr::new("--seeds"),
        seeds.as_os_str(),
        OsStr::new("--prompts"),
        prompts.as_os_str(),
        OsStr::new("--in-memory"),
        OsStr::new("--lexical"),
        OsStr::new("--log"),
        OsStr::new("warn"),
    ];
    let mut chat = Chat::start(tmp.path(), &args, &[]);
    let reply = chat.ask("/harbours", "There is no /harbours command");
    assert!(reply.contains("There is no /harbours command"), "{reply}");

    // A new topic file: one reload, and the command works.
    std::fs::write(
        prompts.join("topics/harbours.toml"),
        topic("harbours", "Ports and shipping"),
    )
    .unwrap();
    chat.wait_err("[prompts reloaded: 7 topics]", LONG);
    let reply = chat.ask("/help", "Ports and shipping");
    assert!(reply.contains("/harbours"), "{reply}");
    let reply = chat.ask("/harbours", "Sources:");
    assert!(!reply.contains("There is no /harbours"), "{reply}");

    // A description Discord would refuse: one line names the file and the problem, and the
    // last good prompts (with /harbours) keep serving.
    std::fs::write(
        prompts.join("topics/harbours.toml"),
        topic("harbours", &"x".repeat(120)),
    )
    .unwrap();
    chat.wait_err("harbours.toml", LONG);
    let err = chat.err.lock().unwrap().clone();
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("harbours.toml"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("120 characters") && lines[0].contains("last good"),
        "{err}"
    );
    let reply = chat.ask("/help", "Ports and shipping");
    assert!(reply.contains("/harbours"), "{reply}");

    // Removing the file and editing messages.toml: both apply together.
    std::fs::remove_file(prompts.join("topics/harbours.toml")).unwrap();
    let messages = std::fs::read_to_string(prompts.join("messages.toml")).unwrap();
    std::fs::write(
        prompts.join("messages.toml"),
        messages.replace(
            "unknown_command = \"There is no /{command} command.",
            "unknown_command = \"No such command here: /{command}.",
        ),
    )
    .unwrap();
    chat.wait_err("[prompts reloaded: 6 topics]", LONG);
    let reply = chat.ask("/harbours", "No such command here: /harbours.");
    assert!(
        reply.contains("No such command here: /harbours."),
        "{reply}"
    );
    chat.quit();
}
