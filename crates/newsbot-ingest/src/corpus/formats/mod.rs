//! The formats news comes in besides the `.txt` digests, each in its own module and each
//! parsed by a well-kept crate: Markdown (pulldown-cmark, YAML front matter by serde_yaml),
//! HTML (scraper), JSON Lines (serde_json) and RSS/Atom (feed-rs). All of them produce the
//! same [`RawArticle`]s and [`ParseCounts`] as the digest reader, so merging, accounting and
//! indexing never know which format an article came from.
//!
//! For these formats `ParseCounts::blocks` counts the text blocks read (paragraphs,
//! headlines, headings), since their line breaks carry no meaning; `lines` is the file's
//! non-blank lines, as for a digest. `records` and `dropped` count JSON records and feed
//! items read and left out, and the page furniture an HTML page lost.

pub mod feed;
pub mod html;
pub mod jsonl;
pub mod markdown;
#[cfg(test)]
mod tests;

use crate::accounting::ParseCounts;
use crate::text::{normalize_whitespace, squash};

use super::{Paragraph, RawArticle, SeedWarning};

/// Markdown, HTML and JSON Lines files are read up to this many bytes; the rest is left out
/// with a warning. A saved page of 200 MB is a mistake or an attack, and 32 MB holds any
/// real article many times over.
pub const MAX_MARKUP_BYTES: usize = 32 << 20;
/// Feed files are read up to this size; a feed cut short is not XML, so a larger one is
/// skipped with a warning rather than half read.
pub const MAX_FEED_BYTES: usize = 64 << 20;
/// At most this many articles are taken from one file (a feed of 100,000 items, a JSON
/// Lines dump); the rest are left out with a warning.
pub const MAX_ARTICLES_PER_FILE: usize = 10_000;
/// Bad JSON lines are named one by one up to this many per file, then counted.
pub const MAX_LINE_WARNINGS: usize = 20;
/// Longest link kept; anything longer is not a link a person follows.
const MAX_URL_CHARS: usize = 2048;

/// A seed file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    JsonLines,
    Feed,
}

impl Format {
    pub fn of_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "txt" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "jsonl" => Format::JsonLines,
            "xml" | "rss" | "atom" => Format::Feed,
            _ => return None,
        })
    }

    /// The format of a seed file name; anything unknown is read as a digest.
    pub fn of_name(name: &str) -> Format {
        std::path::Path::new(name)
            .extension()
            .and_then(|x| x.to_str())
            .and_then(Format::of_extension)
            .unwrap_or(Format::Text)
    }

    /// The name `stats` shows.
    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::JsonLines => "jsonl",
            Format::Feed => "feed",
        }
    }

    /// How many bytes of a file are read. Digests are read whole, as they always were.
    pub fn byte_cap(self) -> usize {
        match self {
            Format::Text => usize::MAX,
            Format::Feed => MAX_FEED_BYTES + 1,
            _ => MAX_MARKUP_BYTES,
        }
    }
}

/// What one file of a structured format held.
#[derive(Debug, Default)]
pub struct Read {
    pub articles: Vec<RawArticle>,
    pub counts: ParseCounts,
    /// Problems that did not stop the file loading.
    pub warnings: Vec<SeedWarning>,
    /// Why the file is skipped when it yields no article.
    pub empty_reason: &'static str,
}

/// Reads a file of `format`: `text` is its decoded text, `bytes` what was read of it.
/// `Err` means the whole file is skipped (malformed XML or JSON, no article text).
pub fn read(format: Format, name: &str, text: &str, bytes: &[u8]) -> Result<Read, SeedWarning> {
    let mut read = match format {
        Format::Markdown => markdown::read(name, text),
        Format::Html => html::read(text),
        Format::JsonLines => jsonl::read(name, text)?,
        Format::Feed => {
            if bytes.len() > MAX_FEED_BYTES {
                return Err(SeedWarning::skipped(
                    name,
                    format!(
                        "is a feed over {} MB; too large to read",
                        MAX_FEED_BYTES >> 20
                    ),
                ));
            }
            feed::read(name, bytes)?
        }
        Format::Text => unreachable!("digests are read by the digest parser"),
    };
    if read.articles.len() > MAX_ARTICLES_PER_FILE {
        let left = read.articles.len() - MAX_ARTICLES_PER_FILE;
        read.articles.truncate(MAX_ARTICLES_PER_FILE);
        read.warnings.push(SeedWarning::partial(
            name,
            None,
            format!(
                "holds more than {MAX_ARTICLES_PER_FILE} articles; the last {left} were left out"
            ),
        ));
    }
    if read.empty_reason.is_empty() {
        read.empty_reason = "holds no article text";
    }
    Ok(read)
}

/// One block of text found in a document: a paragraph, or a heading over the next ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub text: String,
    pub heading: bool,
}

impl Block {
    pub fn paragraph(text: &str) -> Option<Block> {
        let text = clean(text);
        (!text.is_empty()).then_some(Block {
            text,
            heading: false,
        })
    }

    pub fn heading(text: &str) -> Option<Block> {
        let text = clean(text);
        (!text.is_empty()).then_some(Block {
            text,
            heading: true,
        })
    }
}

/// Text as a passage holds it: one line, whitespace collapsed, zero-width characters gone.
pub fn clean(text: &str) -> String {
    squash(&normalize_whitespace(text))
}

/// Blocks → one article: headings become the section of the paragraphs after them (a
/// heading with nothing after it is only counted). `None` when there is no paragraph.
pub fn article(
    headline: Option<String>,
    blocks: Vec<Block>,
    date: Option<String>,
    url: Option<String>,
    counts: &mut ParseCounts,
) -> Option<RawArticle> {
    let mut section = None;
    let mut paragraphs = Vec::new();
    for b in blocks {
        counts.blocks += 1;
        if b.heading {
            counts.headings += 1;
            section = Some(b.text);
        } else {
            paragraphs.push(Paragraph {
                text: b.text,
                section: section.clone(),
            });
        }
    }
    if paragraphs.is_empty() {
        return None;
    }
    let headline = headline.map(|h| clean(&h)).filter(|h| !h.is_empty());
    counts.blocks += usize::from(headline.is_some());
    counts.headlines += usize::from(headline.is_some());
    counts.paragraphs += paragraphs.len();
    Some(RawArticle {
        headline,
        paragraphs,
        date,
        url,
    })
}

/// Plain body text → paragraph blocks: blank-line-separated blocks, or one per line when
/// there is no blank line (as the digests are read).
pub fn text_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.trim().lines().collect();
    if lines.iter().any(|l| l.trim().is_empty()) {
        lines
            .split(|l| l.trim().is_empty())
            .filter_map(|b| Block::paragraph(&b.join(" ")))
            .collect()
    } else {
        lines.into_iter().filter_map(Block::paragraph).collect()
    }
}

/// A link worth keeping: an absolute http(s) URL without whitespace, of sane length.
pub fn link(text: &str) -> Option<String> {
    let s = text.trim();
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        .then_some(())
        .filter(|_| {
            s.len() > "https://".len()
                && s.chars().count() <= MAX_URL_CHARS
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .map(|_| s.to_string())
}
