//! Text analysis shared by indexing and querying, so both sides see identical terms.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::stem_cache::CachedEnglishStemmer;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    TokenizerManager,
};

/// Name under which the English analyzer is registered. Tantivy stores only this name in
/// the index, not the analyzer, so it must be registered again on every open.
pub const EN: &str = "newsbot_en";

/// Lowercase, fold accents ("Condé" matches "Conde"), and stem English.
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedEnglishStemmer)
        .build()
}

pub fn register(manager: &TokenizerManager) {
    manager.register(EN, english());
}

/// A token of analysed text with its byte span in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    pub start: usize,
    pub end: usize,
    pub position: usize,
}

pub fn tokens(text: &str) -> Vec<Token> {
    let mut analyzer = english();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(Token {
            term: t.text.clone(),
            start: t.offset_from,
            end: t.offset_to,
            position: t.position,
        });
    }
    out
}

/// Words that carry no topic in a question. Removed at query time only, so phrases in the
/// index keep their positions.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "during",
    "each",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "me",
    "more",
    "most",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "s",
    "t",
    "tell",
    "know",
    "much",
    "many",
    "whose",
    "according",
    "said",
    "say",
    "says",
    "please",
    "get",
    "got",
    "there",
    "something",
    "anything",
    "thing",
    "things",
];

static STOP_TERMS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    STOP_WORDS
        .iter()
        .flat_map(|w| tokens(w).into_iter().map(|t| t.term))
        .collect()
});

pub fn is_stop_term(term: &str) -> bool {
    STOP_TERMS.contains(term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_folds() {
        let t: Vec<String> = tokens("Condé fined Penalties")
            .into_iter()
            .map(|t| t.term)
            .collect();
        assert_eq!(t, vec!["cond", "fine", "penalti"]);
    }

    #[test]
    fn question_words_are_stop_terms() {
        assert!(is_stop_term("who") && is_stop_term("the"));
        assert!(!is_stop_term("coupang"));
    }
}
