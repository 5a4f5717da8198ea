//! The tantivy schema: one document per passage (a paragraph).
//!
//! Besides its own text a passage carries its article's headline and a `context` field
//! (headline, section title and the article's names), searched at a lower weight, so a
//! paragraph that only says "the company" is still found by a question naming the company.
//! `keys` stores the same text for re-ranking.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analysis;

/// Bumped whenever the schema or the way documents are built changes, so old indexes on disk
/// are rebuilt rather than misread.
pub const SCHEMA_VERSION: u32 = 10;

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub article: Field,
    pub para: Field,
    pub headline: Field,
    pub body: Field,
    pub context: Field,
    pub section: Field,
    pub sources: Field,
    pub keys: Field,
    /// [`crate::vectors::text_key`] of the paragraph: joins a passage to its stored
    /// embedding, and a nearest-vector hit back to its document.
    pub text_key: Field,
    /// The article's date (ISO 8601) and link, stored for display and recency only.
    pub date: Field,
    pub url: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::EN)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let freqs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::EN)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        article: b.add_text_field("article", STRING | STORED),
        para: b.add_u64_field("para", STORED | FAST),
        headline: b.add_text_field("headline", positions.clone()),
        body: b.add_text_field("body", positions),
        context: b.add_text_field("context", freqs),
        section: b.add_text_field("section", STORED),
        sources: b.add_text_field("sources", STORED),
        keys: b.add_text_field("keys", STORED),
        text_key: b.add_u64_field("text_key", INDEXED | FAST),
        date: b.add_text_field("date", STORED),
        url: b.add_text_field("url", STORED),
    };
    (b.build(), fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_in_the_schema() {
        let (schema, f) = schema();
        let names: Vec<&str> = [
            f.article, f.para, f.headline, f.body, f.context, f.section, f.sources, f.keys,
            f.text_key, f.date, f.url,
        ]
        .into_iter()
        .map(|field| schema.get_field_name(field))
        .collect();
        assert_eq!(
            names,
            [
                "article", "para", "headline", "body", "context", "section", "sources", "keys",
                "text_key", "date", "url",
            ]
        );
        // Only the paragraph and headline keep positions (phrases, proximity); the context is
        // searched by term only.
        let positions = |field| {
            schema
                .get_field_entry(field)
                .field_type()
                .get_index_record_option()
        };
        assert_eq!(
            positions(f.body),
            Some(IndexRecordOption::WithFreqsAndPositions)
        );
        assert_eq!(positions(f.context), Some(IndexRecordOption::WithFreqs));
    }
}
