//! Which feeds to follow: a `feeds.toml` file, and/or the `NEWSBOT_FEEDS` list.
//!
//! ```toml
//! interval = "15m"          # optional default for every feed
//!
//! [[feed]]
//! url = "https://example.com/rss.xml"
//! name = "example"          # optional: the folder under seeds/feeds/
//! interval = "5m"           # optional: 90, "90s", "5m", "1h", "1d"
//! ```
//!
//! `NEWSBOT_FEEDS` holds comma-separated entries, each a URL optionally followed by a space
//! and an interval: `https://a.example/rss 10m, https://b.example/atom.xml`.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;

use super::FeedError;
use newsbot_ingest::corpus::formats::link;

/// How often a feed is polled unless it says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// The shortest interval accepted (tests poll every second; a real feed should not be).
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Longest folder name derived for a feed.
const MAX_NAME: usize = 48;

/// One feed to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Folder name under `seeds/feeds/`: letters, digits and `-` only.
    pub name: String,
    pub url: String,
    pub interval: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    interval: Option<toml::Value>,
    #[serde(default)]
    feed: Vec<EntrySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySpec {
    url: String,
    name: Option<String>,
    interval: Option<toml::Value>,
}

/// An interval: whole seconds, or a number with `s`, `m`, `h` or `d`.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("interval {text:?} is not a number with s, m, h or d"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => return Err(format!("interval {text:?}: the unit is s, m, h or d")),
    };
    let d = Duration::from_secs(secs);
    if d < MIN_INTERVAL {
        return Err(format!("interval {text:?} is shorter than one second"));
    }
    Ok(d)
}

fn interval_of(v: &toml::Value) -> Result<Duration, String> {
    match v {
        toml::Value::Integer(i) if *i > 0 => parse_interval(&i.to_string()),
        toml::Value::String(s) => parse_interval(s),
        _ => Err(format!(
            "interval {v} is not a number of seconds or a text like \"15m\""
        )),
    }
}

/// Lowercase letters, digits and single dashes, at most `max` characters.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A folder name from the URL: host and path (`example-com-rss-xml`).
fn name_from_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let s = slug(rest.trim_start_matches("www."), MAX_NAME);
    if s.is_empty() {
        "feed".into()
    } else {
        s
    }
}

fn feed(
    source: &str,
    url: &str,
    name: Option<&str>,
    interval: Duration,
) -> Result<Feed, FeedError> {
    let url = link(url).ok_or_else(|| FeedError::Config {
        source_name: source.to_string(),
        message: format!("{url:?} is not an http(s) URL"),
    })?;
    let name = match name.map(|n| slug(n, MAX_NAME)) {
        Some(n) if !n.is_empty() => n,
        _ => name_from_url(&url),
    };
    Ok(Feed {
        name,
        url,
        interval,
    })
}

/// The feeds of a `feeds.toml` text; `source` names it in errors.
pub fn parse_file(source: &str, text: &str) -> Result<Vec<Feed>, FeedError> {
    let err = |message: String| FeedError::Config {
        source_name: source.to_string(),
        message,
    };
    let spec: FileSpec = toml::from_str(text).map_err(|e| err(e.message().to_string()))?;
    let default = match &spec.interval {
        Some(v) => interval_of(v).map_err(err)?,
        None => DEFAULT_INTERVAL,
    };
    spec.feed
        .iter()
        .map(|e| {
            let interval = match &e.interval {
                Some(v) => interval_of(v).map_err(err)?,
                None => default,
            };
            feed(source, &e.url, e.name.as_deref(), interval)
        })
        .collect()
}

/// The feeds of a `NEWSBOT_FEEDS`-style list: entries `URL [INTERVAL]`.
pub fn parse_list(source: &str, entries: &[String]) -> Result<Vec<Feed>, FeedError> {
    entries
        .iter()
        .flat_map(|e| e.split([',', '\n']))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            let mut parts = e.split_whitespace();
            let url = parts.next().unwrap_or_default();
            let interval = match parts.next() {
                Some(i) => parse_interval(i).map_err(|message| FeedError::Config {
                    source_name: source.to_string(),
                    message,
                })?,
                None => DEFAULT_INTERVAL,
            };
            feed(source, url, None, interval)
        })
        .collect()
}

/// Gives feeds sharing a folder name distinct ones (`-2`, `-3`, …) and drops repeated URLs.
pub fn dedupe(feeds: Vec<Feed>) -> Vec<Feed> {
    let mut urls = HashSet::new();
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for mut f in feeds {
        if !urls.insert(f.url.clone()) {
            continue;
        }
        let base = f.name.clone();
        let mut n = 2;
        while !names.insert(f.name.clone()) {
            f.name = format!("{base}-{n}");
            n += 1;
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_gives_urls_names_and_intervals() {
        let feeds = parse_file(
            "feeds.toml",
            "interval = \"30m\"\n[[feed]]\nurl = \"https://www.example.com/rss.xml\"\n[[feed]]\nurl = \"http://127.0.0.1:8080/a\"\nname = \"Local Wire\"\ninterval = 2\n",
        )
        .unwrap();
        assert_eq!(feeds[0].name, "example-com-rss-xml");
        assert_eq!(feeds[0].interval, Duration::from_secs(1800));
        assert_eq!(feeds[1].name, "local-wire");
        assert_eq!(feeds[1].interval, Duration::from_secs(2));
        assert!(parse_file("f", "[[feed]]\nurl = \"ftp://x\"\n").is_err());
        assert!(parse_file(
            "f",
            "[[feed]]\nurl = \"https://x.example\"\ninterval = \"soon\"\n"
        )
        .is_err());
        assert!(parse_file("f", "[[feeds]]\nurl = \"https://x.example\"\n").is_err());
    }

    #[test]
    fn the_list_and_defaults() {
        let feeds = parse_list(
            "NEWSBOT_FEEDS",
            &["https://a.example/rss 10m, https://b.example/atom.xml".into()],
        )
        .unwrap();
        assert_eq!(feeds.len(), 2);
        assert_eq!(feeds[0].interval, Duration::from_secs(600));
        assert_eq!(feeds[1].interval, DEFAULT_INTERVAL);
        let same = dedupe(vec![
            feeds[0].clone(),
            feeds[0].clone(),
            Feed {
                url: "https://c.example".into(),
                ..feeds[0].clone()
            },
        ]);
        assert_eq!(same.len(), 2);
        assert_eq!(same[1].name, format!("{}-2", feeds[0].name));
        assert_eq!(parse_interval("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_interval("0").is_err());
    }
}
