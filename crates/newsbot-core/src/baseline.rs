//! Plain BM25, the reference every figure is shown beside (`eval --compare-bm25`).
//!
//! The question's words (the same Snowball-stemmed analyser as the index, stop words
//! dropped) as one OR query over the paragraph and its headline: what a search box over the
//! same corpus would return, with none of newsbot's planning, re-ranking or model.

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis;
use crate::error::Result;
use crate::index::SearchIndex;

/// The paragraphs of the top `limit` passages for `question`, best first, each text once.
pub fn search(idx: &SearchIndex, question: &str, limit: usize) -> Result<Vec<String>> {
    let f = &idx.fields;
    hits(idx, question, limit, f.body)
}

/// The ids of the top `limit` articles whose text says `words` (an `/article` lookup that
/// no headline matched), best passage first.
pub fn articles(idx: &SearchIndex, words: &str, limit: usize) -> Result<Vec<String>> {
    let f = &idx.fields;
    hits(idx, words, limit, f.article)
}

/// The distinct values of stored text field `field` over the best plain-BM25 hits.
fn hits(idx: &SearchIndex, question: &str, limit: usize, field: Field) -> Result<Vec<String>> {
    let f = &idx.fields;
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
    let searcher = idx.reader.searcher();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::testing::{index_of, NEWS};

    #[test]
    fn finds_paragraphs_by_their_words_and_headline() {
        let idx = index_of(&[("news.txt", NEWS)]);
        let got = search(&idx, "which banking apps went down?", 3).unwrap();
        assert!(got[0].contains("banking apps"), "{got:?}");
        // "Coupang" is in the headline of both of its paragraphs.
        let got = search(&idx, "coupang", 5).unwrap();
        assert_eq!(got.len(), 2);
        assert!(search(&idx, "the of and", 3).unwrap().is_empty());
    }
}
