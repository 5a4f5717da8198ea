//! Finding articles by what a user typed: headline autocomplete, the headline a typed
//! `/article` means, and plain BM25 over the text (also the reference `eval` compares with).

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis;
use crate::error::Result;

use super::{ArticleMeta, SearchIndex};

impl SearchIndex {
    /// Headlines matching what a user has typed so far, for autocomplete: prefix matches of
    /// any word first, then substring matches, then (for words no headline has, such as a
    /// company only the text names) the articles whose text says them, best first.
    pub fn complete_headline(&self, typed: &str, limit: usize) -> Vec<ArticleMeta> {
        let mut found = self.headlines_matching(typed, limit);
        if found.len() < limit && typed.trim().chars().count() >= 3 {
            let f = &self.fields;
            if let Ok(texts) = self.plain_bm25(typed, limit, f.article) {
                for id in texts {
                    if found.len() == limit {
                        break;
                    }
                    if !found.iter().any(|a| a.id == id) {
                        if let Some(meta) = self.article_meta(&id) {
                            found.push(meta.clone());
                        }
                    }
                }
            }
        }
        found
    }

    fn headlines_matching(&self, typed: &str, limit: usize) -> Vec<ArticleMeta> {
        let needle = typed.trim().to_lowercase();
        let mut scored: Vec<(usize, &ArticleMeta)> = self
            .manifest
            .articles
            .iter()
            .filter_map(|a| {
                let h = a.headline.to_lowercase();
                if needle.is_empty() {
                    Some((2, a))
                } else if h.starts_with(&needle) {
                    Some((0, a))
                } else if h.split_whitespace().any(|w| w.starts_with(&needle)) {
                    Some((1, a))
                } else if h.contains(&needle) {
                    Some((2, a))
                } else {
                    None
                }
            })
            .collect();
        scored.sort_by_key(|(s, a)| (*s, a.headline.clone()));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, a)| a.clone())
            .collect()
    }

    /// The article whose headline holds the most of `terms` (analysed words), if it holds
    /// at least `share` of them.
    pub fn best_headline(&self, terms: &HashSet<String>, share: f32) -> Option<ArticleMeta> {
        if terms.is_empty() {
            return None;
        }
        let need = share * terms.len() as f32;
        self.headline_overlaps(&terms.iter().map(String::as_str).collect())
            .into_iter()
            .filter(|o| o.distinct as f32 >= need)
            .max_by_key(|o| o.distinct)
            .map(|o| self.manifest.articles[o.article].clone())
    }

    /// Plain BM25: the question's words (stop words dropped) as one OR query over the
    /// paragraph and its headline. Returns the distinct values of stored text `field` over
    /// the best hits, at most `limit`.
    pub fn plain_bm25(&self, question: &str, limit: usize, field: Field) -> Result<Vec<String>> {
        let f = &self.fields;
        let terms: HashSet<String> = analysis::tokens(question)
            .into_iter()
            .map(|t| t.term.to_string())
            .filter(|t| !analysis::is_stop_term(t))
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .flat_map(|t| [f.body, f.headline].map(|field| (field, t)))
            .map(|(field, t)| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        let searcher = self.reader.searcher();
        // Extra hits so that repeated values (copies, or an article's many paragraphs) still
        // leave `limit`.
        let hits = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit * 8).order_by_score(),
        )?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (_, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = doc
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            if seen.insert(text.clone()) {
                out.push(text);
            }
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }
}
