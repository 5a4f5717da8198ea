//! RSS and Atom feeds saved as files (`.xml`, `.rss`, `.atom`): each item is an article.
//!
//! feed-rs parses RSS 0.9x/1.0/2.0 and Atom. An item's text is its content, else its
//! summary, cleaned as HTML; its date is published, else updated; its link the first
//! `alternate` link, else the first.

use super::{html, link, text_blocks, Block, Read};
use crate::accounting::ParseCounts;
use crate::corpus::{RawArticle, SeedWarning};
use crate::dates;

/// One feed item as the seed folder stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub title: Option<String>,
    pub blocks: Vec<Block>,
    pub date: Option<String>,
    pub url: Option<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    if html::looks_like_html(text) {
        html::fragment_blocks(text)
    } else {
        text_blocks(text)
    }
}

/// Parses feed bytes into its items, in feed order. `Err` is why it is not a feed.
pub fn items(bytes: &[u8]) -> Result<Vec<Item>, String> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| e.to_string())?;
    Ok(feed
        .entries
        .into_iter()
        .map(|e| {
            let text = e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .filter(|b| !b.trim().is_empty())
                .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
                .unwrap_or_default();
            let url = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .and_then(|l| link(&l.href))
                .or_else(|| link(&e.id));
            Item {
                title: e
                    .title
                    .map(|t| html::fragment_text(&t.content))
                    .filter(|t| !t.is_empty()),
                blocks: blocks(&text),
                date: e.published.or(e.updated).and_then(dates::from_utc),
                url,
                id: e.id,
            }
        })
        .collect())
}

pub fn read(name: &str, bytes: &[u8]) -> Result<Read, SeedWarning> {
    let items = items(bytes).map_err(|e| {
        SeedWarning::skipped(name, format!("is not a valid RSS or Atom feed ({e})"))
    })?;
    let mut counts = ParseCounts {
        records: items.len(),
        ..ParseCounts::default()
    };
    let articles: Vec<RawArticle> = items
        .into_iter()
        .filter_map(|i| super::article(i.title, i.blocks, i.date, i.url, &mut counts))
        .collect();
    counts.dropped = counts.records - articles.len();
    let mut warnings = Vec::new();
    // Only when some items did load: a feed with none is skipped whole, saying so.
    if counts.dropped > 0 && !articles.is_empty() {
        warnings.push(SeedWarning::partial(
            name,
            None,
            format!(
                "{} of {} feed items have no text; left out",
                counts.dropped, counts.records
            ),
        ));
    }
    Ok(Read {
        articles,
        counts,
        warnings,
        empty_reason: "is a feed with no item text",
    })
}
