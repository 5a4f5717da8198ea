//! Term statistics: how often the index holds a term, and what that makes it worth (idf).

use tantivy::{Searcher, Term};

use newsbot_index::Fields;

/// The index's view of terms for one request: one searcher, so every figure comes from the
/// same index version.
#[derive(Clone, Copy)]
pub struct TermStats<'a> {
    pub searcher: &'a Searcher,
    pub fields: &'a Fields,
}

impl<'a> TermStats<'a> {
    pub fn new(searcher: &'a Searcher, fields: &'a Fields) -> TermStats<'a> {
        TermStats { searcher, fields }
    }

    /// Passages in the index (at least 1, so idf is defined on an empty one).
    pub fn passages(&self) -> f32 {
        self.searcher.num_docs().max(1) as f32
    }

    /// Document frequency in the paragraph text and, only when that is zero (the word is
    /// unknown or names only an article), in the headline and context fields.
    pub fn doc_freq(&self, term: &str) -> (u64, u64) {
        let df = |field| {
            self.searcher
                .doc_freq(&Term::from_field_text(field, term))
                .unwrap_or(0)
        };
        let body = df(self.fields.body);
        if body > 0 {
            return (body, body);
        }
        (0, df(self.fields.headline).max(df(self.fields.context)))
    }

    /// Paragraph document frequency only.
    pub fn body_freq(&self, term: &str) -> u64 {
        self.doc_freq(term).0
    }
}

/// BM25's idf: rare words weigh more.
pub fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarer_terms_weigh_more() {
        assert!(idf(100.0, 1.0) > idf(100.0, 10.0));
        assert!(idf(100.0, 100.0) > 0.0);
    }
}
