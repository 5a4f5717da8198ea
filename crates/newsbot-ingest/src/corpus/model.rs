//! What reading the seed folder produces: parsed files, merged articles, and warnings for
//! the files that could not be used.

use super::*;

/// One paragraph of an article, with the section sub-heading it sits under, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub text: String,
    pub section: Option<String>,
}

/// An article as one file carries it, before copies are merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawArticle {
    pub headline: Option<String>,
    pub paragraphs: Vec<Paragraph>,
    /// Publication date, ISO 8601 ([`crate::dates::normalize`]), when the source gives one.
    #[serde(default)]
    pub date: Option<String>,
    /// Where the article lives on the web, when the source says.
    #[serde(default)]
    pub url: Option<String>,
}

/// One parsed seed file. Kept per file so a live re-index re-parses only what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedFile {
    pub name: String,
    pub bytes: u64,
    pub hash: String,
    pub articles: Vec<RawArticle>,
    /// The encoding the file was read as, when it was not plain UTF-8.
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub counts: ParseCounts,
    /// Problems that did not stop the file loading: a bad JSON line, an input cut at a cap.
    #[serde(default)]
    pub warnings: Vec<SeedWarning>,
}

/// A distinct article after merging the copies of it found across files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable across restarts and file order: derived from the text of the lead paragraph.
    pub id: String,
    pub headline: String,
    /// True when no copy had a headline and it was derived from the opening.
    pub headline_derived: bool,
    pub paragraphs: Vec<Paragraph>,
    /// Seed names (paths under the seed folder, `/`-separated) of every file that carries
    /// this article, in name order.
    pub sources: Vec<String>,
    /// The first date and link any copy gives.
    pub date: Option<String>,
    pub url: Option<String>,
}

/// A seed file that could not be used, and why. The rest of the folder still loads. With
/// `partial`, the file itself loaded and only part of it was left out (`line` of a JSON
/// Lines file, or what lay past a size cap).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedWarning {
    pub file: String,
    pub problem: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

impl SeedWarning {
    /// The whole file was skipped.
    pub fn skipped(file: impl Into<String>, problem: impl Into<String>) -> SeedWarning {
        SeedWarning {
            file: file.into(),
            problem: problem.into(),
            line: None,
            partial: false,
        }
    }

    /// The file loaded; part of it (`line`, when one line) did not.
    pub fn partial(
        file: impl Into<String>,
        line: Option<usize>,
        problem: impl Into<String>,
    ) -> SeedWarning {
        SeedWarning {
            file: file.into(),
            problem: problem.into(),
            line,
            partial: true,
        }
    }
}

impl fmt::Display for SeedWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.partial) {
            (Some(n), _) => write!(f, "{}: line {n}: {}; line skipped", self.file, self.problem),
            (None, true) => write!(f, "{}: {}", self.file, self.problem),
            (None, false) => write!(f, "{}: {}; skipped", self.file, self.problem),
        }
    }
}

/// Everything read from a seed folder.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub files: Vec<ParsedFile>,
    pub articles: Vec<Article>,
    pub warnings: Vec<SeedWarning>,
    /// Where every line went.
    pub accounting: Accounting,
}

impl Corpus {
    pub fn passage_count(&self) -> usize {
        self.articles.iter().map(|a| a.paragraphs.len()).sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}
