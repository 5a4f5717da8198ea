//! Passages by text key: the join between the tantivy index and the vector store.
//!
//! A nearest-vector hit is a text key; [`SearchIndex::doc_by_text_key`] finds its document
//! through the indexed `text_key` field. [`SearchIndex::passages_missing`] lists the texts
//! the store has no vector for yet, which is what background embedding works through.

use rustc_hash::FxHashSet;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::error::Result;

use super::{Fields, SearchIndex};

/// See [`SearchIndex::doc_by_text_key`]; for code that holds a searcher and fields only.
pub fn doc_by_text_key(searcher: &Searcher, f: &Fields, key: u64) -> Result<Option<DocAddress>> {
    let q = TermQuery::new(
        Term::from_field_u64(f.text_key, key),
        IndexRecordOption::Basic,
    );
    Ok(searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())?
        .first()
        .map(|(_, addr)| *addr))
}

impl SearchIndex {
    /// Every passage text key in this index (read once from the fast field, then kept).
    pub fn text_keys(&self) -> &FxHashSet<u64> {
        self.text_keys.get_or_init(|| {
            let searcher = self.reader.searcher();
            let mut keys = FxHashSet::default();
            for seg in searcher.segment_readers() {
                let Ok(col) = seg.fast_fields().u64("text_key") else {
                    continue;
                };
                for doc in seg.doc_ids_alive() {
                    if let Some(k) = col.first(doc) {
                        keys.insert(k);
                    }
                }
            }
            keys
        })
    }

    /// The document holding the paragraph whose text key is `key`, if it is in this index.
    pub fn doc_by_text_key(&self, searcher: &Searcher, key: u64) -> Result<Option<DocAddress>> {
        doc_by_text_key(searcher, &self.fields, key)
    }

    /// `(text key, paragraph)` of every distinct passage for which `has` is false, in index
    /// order.
    pub fn passages_missing(&self, has: impl Fn(u64) -> bool) -> Result<Vec<(u64, String)>> {
        let searcher = self.reader.searcher();
        let mut seen = FxHashSet::default();
        let mut out = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let col = seg.fast_fields().u64("text_key")?;
            for doc in seg.doc_ids_alive() {
                let Some(k) = col.first(doc) else { continue };
                if has(k) || !seen.insert(k) {
                    continue;
                }
                let d: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                if let Some(text) = d.get_first(self.fields.body).and_then(|v| v.as_str()) {
                    out.push((k, text.to_string()));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{corpus_of, NEWS};
    use crate::vectors::text_key;
    use crate::{build, Storage};

    #[test]
    fn passages_are_found_by_text_key_and_listed_when_missing() {
        let corpus = corpus_of(&[("news.txt", NEWS)]);
        let idx = build(&corpus, &Storage::Memory, |_, _| {}).unwrap();
        let texts: Vec<&str> = corpus
            .articles
            .iter()
            .flat_map(|a| &a.paragraphs)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(idx.text_keys().len(), texts.len());
        let searcher = idx.reader.searcher();
        let first = text_key(texts[0]);
        assert!(idx.doc_by_text_key(&searcher, first).unwrap().is_some());
        assert!(idx.doc_by_text_key(&searcher, 42).unwrap().is_none());
        let missing = idx.passages_missing(|k| k == first).unwrap();
        assert_eq!(missing.len(), texts.len() - 1);
        assert!(missing
            .iter()
            .all(|(k, t)| *k == text_key(t) && *k != first));
    }
}
