//! Feed items → Markdown seed files with `title`/`date`/`url` front matter.
//!
//! Files are written beside their final name and renamed into place, so the seed watcher
//! never reads half a file. An item whose file already exists (same item id) is not written
//! again: each item is stored once, at its first sighting.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::config::{slug, Feed};
use super::FeedError;
use newsbot_ingest::corpus::formats::feed::Item;
use newsbot_ingest::corpus::formats::markdown;
use newsbot_ingest::dates;
use newsbot_ingest::text::short_hash;

/// Where a feed's items go, under the seed folder.
pub const FOLDER: &str = "feeds";
/// Longest slug of an item's title in its file name.
const MAX_SLUG: usize = 60;

#[derive(Serialize)]
struct Front<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    feed: &'a str,
    id: &'a str,
}

/// The folder a feed's items are written to.
pub fn feed_dir(seeds: &Path, feed: &Feed) -> PathBuf {
    seeds.join(FOLDER).join(&feed.name)
}

/// `<date>-<slug>.md` (`undated-…` without a date), the slug from the title, else a hash
/// of the id.
pub fn file_name(item: &Item) -> String {
    let day = item.date.as_deref().map_or("undated", dates::day_of);
    let mut s = slug(item.title.as_deref().unwrap_or_default(), MAX_SLUG);
    if s.is_empty() {
        s = short_hash(&item.id);
    }
    format!("{day}-{s}.md")
}

/// The Markdown file for an item: YAML front matter (serialised by serde_yaml, so any title
/// is quoted right) and the text, escaped so it reads back as plain text.
pub fn render(item: &Item, feed: &Feed) -> String {
    let front = Front {
        title: item.title.as_deref(),
        date: item.date.as_deref(),
        url: item.url.as_deref(),
        feed: &feed.url,
        id: &item.id,
    };
    let yaml = serde_yaml_ng::to_string(&front).unwrap_or_default();
    let mut out = format!("---\n{yaml}---\n");
    for b in &item.blocks {
        out.push('\n');
        if b.heading {
            out.push_str("## ");
        }
        out.push_str(&markdown::escape(&b.text));
        out.push('\n');
    }
    out
}

/// The id in an existing item file's front matter, if it has one.
fn stored_id(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let body = text.strip_prefix("---\n")?;
    let end = body.find("\n---")?;
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&body[..end]).ok()?;
    v.get("id")?.as_str().map(str::to_string)
}

/// Writes the items not stored yet, at most `cap` of them, in feed order. Returns the seed
/// names written and how many new items were left for a later poll.
pub fn write_new(
    seeds: &Path,
    feed: &Feed,
    items: &[Item],
    cap: usize,
) -> Result<(Vec<String>, usize), FeedError> {
    let dir = feed_dir(seeds, feed);
    let mut written = Vec::new();
    let mut left = 0;
    for item in items.iter().filter(|i| !i.blocks.is_empty()) {
        let mut path = dir.join(file_name(item));
        if path.exists() {
            if stored_id(&path).as_deref() == Some(item.id.as_str()) {
                continue;
            }
            // Another item with the same day and title: told apart by its id.
            let alt = file_name(item).replace(".md", &format!("-{}.md", short_hash(&item.id)));
            path = dir.join(alt);
            if path.exists() {
                continue;
            }
        }
        if written.len() >= cap {
            left += 1;
            continue;
        }
        let write_err = |cause| FeedError::Write {
            path: path.clone(),
            cause,
        };
        std::fs::create_dir_all(&dir).map_err(write_err)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Hidden while being written: the seed reader skips dot files.
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, render(item, feed)).map_err(write_err)?;
        std::fs::rename(&tmp, &path).map_err(write_err)?;
        written.push(format!("{FOLDER}/{}/{name}", feed.name));
    }
    Ok((written, left))
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsbot_ingest::corpus::formats::Block;
    use newsbot_ingest::corpus::parse_bytes;

    fn item(title: &str, text: &str) -> Item {
        Item {
            id: format!("id-{title}"),
            title: Some(title.into()),
            blocks: vec![Block::paragraph(text).unwrap()],
            date: Some("2025-03-04T09:30:00Z".into()),
            url: Some("https://wire.example/a?b=1&c=2".into()),
        }
    }

    fn feed() -> Feed {
        Feed {
            name: "wire".into(),
            url: "https://wire.example/rss".into(),
            interval: crate::DEFAULT_INTERVAL,
        }
    }

    #[test]
    fn an_item_file_reads_back_as_the_item() {
        let i = item(
            "Strike: \"over\" # at last",
            "@everyone *Ferry* crews are <b>back</b> [at work].",
        );
        let md = render(&i, &feed());
        let f = parse_bytes(&file_name(&i), md.as_bytes()).unwrap();
        let a = &f.articles[0];
        assert_eq!(a.headline.as_deref(), i.title.as_deref());
        assert_eq!(a.date, i.date);
        assert_eq!(a.url, i.url);
        assert_eq!(a.paragraphs[0].text, i.blocks[0].text);
        assert_eq!(file_name(&i), "2025-03-04-strike-over-at-last.md");
    }

    #[test]
    fn items_are_written_once_and_capped() {
        let tmp = tempfile::tempdir().unwrap();
        let items: Vec<Item> = (0..5)
            .map(|n| item(&format!("Story {n}"), "Some text."))
            .collect();
        let (w, left) = write_new(tmp.path(), &feed(), &items, 3).unwrap();
        assert_eq!((w.len(), left), (3, 2));
        assert_eq!(w[0], "feeds/wire/2025-03-04-story-0.md");
        let (w, left) = write_new(tmp.path(), &feed(), &items, 3).unwrap();
        assert_eq!((w.len(), left), (2, 0));
        let (w, _) = write_new(tmp.path(), &feed(), &items, 3).unwrap();
        assert!(w.is_empty());
    }
}
