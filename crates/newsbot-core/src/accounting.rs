//! Where every line of the seed folder went: indexed as a paragraph, taken as a headline or
//! a section heading, removed as a promo line, or stored once as a duplicate of a paragraph
//! another copy already gave. `newsbot stats` and `newsbot index -v` show it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::truncate_words;

/// What parsing one file found, before copies across files are merged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseCounts {
    /// Non-blank lines read.
    pub lines: usize,
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
        self.paragraphs_indexed += o.paragraphs_indexed;
        self.headlines += o.headlines;
        self.headings += o.headings;
        self.promo_lines += o.promo_lines;
        self.duplicates_stored_once += o.duplicates_stored_once;
        self.dates += o.dates;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAccount {
    pub file: String,
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
    pub files: Vec<FileAccount>,
    pub merges: Vec<MergeNote>,
}
