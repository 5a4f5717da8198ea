//! Following feeds through the real binary, against a fixture feed served on 127.0.0.1 by
//! a tiny HTTP server in a thread. No test touches the internet.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use common::{root, Chat};

mod common;

/// Serves `/feed.xml` from `body` with an ETag, answering 304 to a matching
/// `If-None-Match`; any other path is a 404.
struct FeedServer {
    url: String,
    body: Arc<Mutex<String>>,
    hits: Arc<AtomicUsize>,
    not_modified: Arc<AtomicUsize>,
}

fn serve(body: &str) -> FeedServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = Arc::new(Mutex::new(body.to_string()));
    let hits = Arc::new(AtomicUsize::new(0));
    let not_modified = Arc::new(AtomicUsize::new(0));
    let (b, h, n) = (body.clone(), hits.clone(), not_modified.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut if_none_match = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("if-none-match") {
                        if_none_match = Some(v.trim().to_string());
                    }
                }
            }
            h.fetch_add(1, Ordering::SeqCst);
            let text = b.lock().unwrap().clone();
            let etag = format!(
                "\"{}-{}\"",
                text.len(),
                text.bytes().map(u64::from).sum::<u64>()
            );
            let response = if !request_line.starts_with("GET /feed.xml ") {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            } else if if_none_match.as_deref() == Some(etag.as_str()) {
                n.fetch_add(1, Ordering::SeqCst);
                format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                )
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    FeedServer {
        url,
        body,
        hits,
        not_modified,
    }
}

fn item(title: &str, slug: &str, date: &str, text: &str) -> String {
    format!(
        "<item><title>{title}</title><link>https://wire.example/{slug}</link><guid>https://wire.example/{slug}</guid><pubDate>{date}</pubDate><description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
    )
}

fn rss(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Harbour Wire</title>{}</channel></rss>",
        items.concat()
    )
}

fn first_item() -> String {
    item(
        "Zorblax harbour reopens after dredging",
        "zorblax-harbour",
        "Mon, 03 Mar 2025 08:00:00 GMT",
        "The Zorblax harbour reopened to shipping on Monday after three months of dredging.",
    )
}

fn second_item() -> String {
    item(
        "Quuxport ferry gets a battery",
        "quuxport-ferry",
        "Tue, 04 Mar 2025 09:30:00 GMT",
        "The Quuxport ferry was fitted with a 2 MWh battery, cutting its diesel use by half.",
    )
}

/// A temp folder with a copy of the shipped seeds and a feeds file for `url`.
fn workspace(url: &str, interval: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    common::copy_seeds(&seeds);
    let feeds = tmp.path().join("feeds.toml");
    std::fs::write(
        &feeds,
        format!("[[feed]]\nname = \"wire\"\nurl = \"{url}/feed.xml\"\ninterval = \"{interval}\"\n"),
    )
    .unwrap();
    (tmp, seeds, feeds)
}

fn newsbot(seeds: &Path, feeds: &Path, data: &Path) -> Command {
    let mut cmd = Command::from_std(common::newsbot(seeds));
    cmd.current_dir(data.parent().unwrap())
        .arg("--data")
        .arg(data)
        .arg("--feeds")
        .arg(feeds);
    cmd
}

#[test]
fn fetch_feeds_writes_new_items_once_and_respects_the_etag() {
    let server = serve(&rss(&[first_item()]));
    let (tmp, seeds, feeds) = workspace(&server.url, "15m");
    let data = tmp.path().join("data");
    let out = common::succeeded(
        newsbot(&seeds, &feeds, &data)
            .arg("fetch-feeds")
            .output()
            .unwrap(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("+ feeds/wire/2025-03-03-zorblax-harbour-reopens-after-dredging.md"),
        "{text}"
    );
    let md = std::fs::read_to_string(
        seeds.join("feeds/wire/2025-03-03-zorblax-harbour-reopens-after-dredging.md"),
    )
    .unwrap();
    assert!(
        md.starts_with("---\ntitle: Zorblax harbour reopens after dredging\n"),
        "{md}"
    );
    assert!(md.contains("date: 2025-03-03T08:00:00Z"), "{md}");
    assert!(
        md.contains("url: https://wire.example/zorblax-harbour"),
        "{md}"
    );

    // The second poll sends the ETag back and gets a 304.
    let out = newsbot(&seeds, &feeds, &data)
        .arg("fetch-feeds")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("wire: not modified"));
    assert_eq!(server.not_modified.load(Ordering::SeqCst), 1);

    // The item is answered, with its date and link.
    let out = newsbot(&seeds, &feeds, &data)
        .args([
            "--in-memory",
            "ask",
            "--json",
            "When did the Zorblax harbour reopen?",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = &v["results"][0];
    assert_eq!(top["headline"], "Zorblax harbour reopens after dredging");
    assert_eq!(top["date"], "2025-03-03T08:00:00Z");
    assert_eq!(top["url"], "https://wire.example/zorblax-harbour");
    assert_eq!(
        top["sources"][0],
        "feeds/wire/2025-03-03-zorblax-harbour-reopens-after-dredging.md"
    );
}

#[test]
fn a_failing_feed_is_reported_and_the_others_still_polled() {
    let server = serve(&rss(&[first_item()]));
    let (tmp, seeds, _) = workspace(&server.url, "15m");
    let feeds = tmp.path().join("two.toml");
    std::fs::write(
        &feeds,
        format!(
            "[[feed]]\nname = \"gone\"\nurl = \"{0}/missing.xml\"\n[[feed]]\nname = \"notafeed\"\nurl = \"http://127.0.0.1:9/feed.xml\"\n[[feed]]\nname = \"wire\"\nurl = \"{0}/feed.xml\"\n",
            server.url
        ),
    )
    .unwrap();
    let err = common::failing(
        newsbot(&seeds, &feeds, &tmp.path().join("data"))
            .arg("fetch-feeds")
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("feed gone") && err.contains("HTTP 404"),
        "{err}"
    );
    assert!(err.contains("feed notafeed"), "{err}");
    assert!(err.contains("2 of 3 feeds failed"), "{err}");
    assert!(seeds.join("feeds/wire").exists());
}

#[test]
fn a_running_chat_answers_about_a_new_feed_item() {
    let server = serve(&rss(&[first_item()]));
    let (tmp, seeds, feeds) = workspace(&server.url, "1s");
    let prompts = root().join("prompts");
    let args: Vec<&OsStr> = vec![
        OsStr::new("--seeds"),
        seeds.as_os_str(),
        OsStr::new("--prompts"),
        prompts.as_os_str(),
        OsStr::new("--feeds"),
        feeds.as_os_str(),
        OsStr::new("--in-memory"),
        OsStr::new("--log"),
        OsStr::new("warn"),
    ];
    let mut chat = Chat::start(tmp.path(), &args, &[]);

    // The first poll writes the feed's item, and the seed watcher indexes it.
    chat.wait_err("zorblax-harbour-reopens", Duration::from_secs(60));
    chat.say("When did the Zorblax harbour reopen?");
    chat.wait_out(
        "Zorblax harbour reopens after dredging",
        Duration::from_secs(30),
    );

    // A new item appears in the feed: the next poll writes it, the watcher indexes it, and
    // it is answered (the waits are deadlines for those events, not a measure of speed).
    *server.body.lock().unwrap() = rss(&[second_item(), first_item()]);
    chat.wait_err("quuxport-ferry-gets-a-battery", Duration::from_secs(60));
    chat.say("How big is the battery on the Quuxport ferry?");
    chat.wait_out("Quuxport ferry gets a battery", Duration::from_secs(30));
    assert!(chat
        .out
        .lock()
        .unwrap()
        .contains("2025-03-04 09:30 UTC · https://wire.example/quuxport-ferry"));
    chat.quit();
    assert!(server.hits.load(Ordering::SeqCst) >= 2);
    // Polls between changes were conditional.
    assert!(server.not_modified.load(Ordering::SeqCst) >= 1);
}
