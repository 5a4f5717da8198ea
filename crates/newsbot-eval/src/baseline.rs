//! Plain BM25, the reference every figure is shown beside (`eval --compare-bm25`).
//!
//! The question's words (the same Snowball-stemmed analyser as the index, stop words
//! dropped) as one OR query over the paragraph and its headline: what a search box over the
//! same corpus would return, with none of newsbot's planning, re-ranking or model.

use newsbot_index::Result;
use newsbot_index::SearchIndex;

/// The paragraphs of the top `limit` passages for `question`, best first, each text once.
pub fn search(idx: &SearchIndex, question: &str, limit: usize) -> Result<Vec<String>> {
    idx.plain_bm25(question, limit, idx.fields.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsbot_index::testing::{index_of, NEWS};

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
