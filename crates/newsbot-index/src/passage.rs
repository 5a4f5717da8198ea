//! A passage as the doors show it, read from its stored document, and the passages of one
//! whole article.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::Result;

use super::{Fields, SearchIndex};

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub rank: usize,
    pub article_id: String,
    pub headline: String,
    pub paragraph: String,
    pub section: Option<String>,
    pub sources: Vec<String>,
    pub score: f32,
    /// `[start, end)` Unicode character offsets into `paragraph`, sorted, non-overlapping.
    pub highlights: Vec<[usize; 2]>,
    /// The article's date (ISO 8601) and link, when its source gives them.
    pub date: Option<String>,
    pub url: Option<String>,
    /// The cross-encoder's logit, when the passage was among those it reranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerank: Option<f32>,
}

impl Passage {
    /// A passage's display fields from its stored document; ranking fills score and
    /// highlights.
    pub fn from_doc(f: &Fields, doc: &TantivyDocument) -> Passage {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        Passage {
            rank: 0,
            article_id: text(f.article),
            headline: text(f.headline),
            section: doc
                .get_first(f.section)
                .and_then(|v| v.as_str().map(str::to_string)),
            sources: doc
                .get_all(f.sources)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            paragraph: text(f.body),
            score: 0.0,
            highlights: Vec::new(),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_str().map(str::to_string)),
            url: doc
                .get_first(f.url)
                .and_then(|v| v.as_str().map(str::to_string)),
            rerank: None,
        }
    }
}

impl SearchIndex {
    /// The passages of article `id` in paragraph order, ranked 1.., or `None` when no such
    /// article is in this index.
    pub fn article_passages(&self, id: &str) -> Result<Option<Vec<Passage>>> {
        let Some(meta) = self.article_meta(id) else {
            return Ok(None);
        };
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(f.article, id),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(
            &q,
            &TopDocs::with_limit(meta.paragraphs.max(1)).order_by_score(),
        )?;
        let mut by_para: Vec<(u64, Passage)> = Vec::new();
        for (_, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let para = doc.get_first(f.para).and_then(|v| v.as_u64()).unwrap_or(0);
            by_para.push((para, Passage::from_doc(f, &doc)));
        }
        by_para.sort_by_key(|(i, _)| *i);
        Ok(Some(
            by_para
                .into_iter()
                .enumerate()
                .map(|(i, (_, p))| Passage { rank: i + 1, ..p })
                .collect(),
        ))
    }
}
