//! Where every line of the seed folder went: indexed as a paragraph, taken as a headline or
//! a section heading, removed as a promo line, or stored once as a duplicate of a paragraph
//! another copy already gave. `newsbot stats` and `newsbot index -v` show it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::truncate_words;

/// What parsing one file found, before copies across files are merged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseCounts {
    /// Non-blank lines of the file, in every format.
    pub lines: usize,
    /// Text blocks taken from a structured file (Markdown, HTML, JSON Lines, feeds): its
    /// paragraphs, headlines and headings. A digest's unit is the line, so 0 there.
    #[serde(default)]
    pub blocks: usize,
    /// JSON Lines records or feed items read.
    #[serde(default)]
    pub records: usize,
    /// Records, items or page blocks left out: a bad or empty JSON record, a feed item with
    /// no text, a page's navigation, footer or ads. The file's notes say why.
    #[serde(default)]
    pub dropped: usize,
    /// Paragraphs found (a paragraph may span several lines).
    pub paragraphs: usize,
    /// Article headlines.
    pub headlines: usize,
    /// Section headings inside articles: kept as their paragraphs' context, not passages.
    pub headings: usize,
    /// Lines that held a promo, alone or glued to a paragraph.
    pub promo_lines: usize,
    /// `Date:` lines under a headline, kept as the article's date.
    #[serde(default)]
    pub dates: usize,
}

/// The counts shown per file and in total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub lines: usize,
    #[serde(default)]
    pub blocks: usize,
    #[serde(default)]
    pub records: usize,
    #[serde(default)]
    pub dropped: usize,
    pub paragraphs_indexed: usize,
    pub headlines: usize,
    pub headings: usize,
    pub promo_lines: usize,
    /// Paragraphs not stored again because the same text (ignoring whitespace, quotes and
    /// punctuation) was already stored for the same article.
    pub duplicates_stored_once: usize,
    /// `Date:` lines taken as the article's date.
    #[serde(default)]
    pub dates: usize,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.lines += o.lines;
        self.blocks += o.blocks;
        self.records += o.records;
        self.dropped += o.dropped;
        self.paragraphs_indexed += o.paragraphs_indexed;
        self.headlines += o.headlines;
        self.headings += o.headings;
        self.promo_lines += o.promo_lines;
        self.duplicates_stored_once += o.duplicates_stored_once;
        self.dates += o.dates;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAccount {
    pub file: String,
    /// `text`, `markdown`, `html`, `jsonl` or `feed`, from the extension.
    #[serde(default)]
    pub format: String,
    /// Why the whole file was left out, when it was (then every count is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// What was left out of a file that loaded, and why: a bad JSON line, items without
    /// text, page furniture, a cap reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The encoding the file was read as, when it was not plain UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

/// One copy of an article found in another file (or again in the same file) and merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeNote {
    pub headline: String,
    /// Files that carried the article before this copy, in name order.
    pub earlier: Vec<String>,
    /// The file this copy was found in.
    pub file: String,
    pub common: usize,
    pub added: usize,
}

impl fmt::Display for MergeNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headline = truncate_words(&self.headline, 48);
        let files = if self.earlier.len() == 1 && self.earlier[0] == self.file {
            format!("{} (twice)", self.file)
        } else if self.earlier.contains(&self.file) {
            format!("{} (again in {})", self.earlier.join(", "), self.file)
        } else {
            format!("{} and {}", self.earlier.join(", "), self.file)
        };
        write!(
            f,
            "\"{headline}\" in {files}: same article, {} paragraph{} in common, {} added",
            self.common,
            if self.common == 1 { "" } else { "s" },
            self.added
        )
    }
}

/// The whole seed folder's account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounting {
    pub total: Counts,
    /// Files left out whole (each has a row in `files` with its reason).
    #[serde(default)]
    pub files_skipped: usize,
    pub files: Vec<FileAccount>,
    pub merges: Vec<MergeNote>,
}
