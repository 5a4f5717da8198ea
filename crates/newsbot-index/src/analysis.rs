//! Text analysis shared by indexing and querying, so both sides see identical terms.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use rustc_hash::FxHashMap;
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
    /// Shared with the per-thread cache, so a token costs no allocation.
    pub term: Rc<str>,
    pub start: usize,
    pub end: usize,
    pub position: usize,
}

/// Word as written → its index term (`None` when the analyzer drops it).
type TermCache = FxHashMap<String, Option<Rc<str>>>;

/// Analyses `text` into index terms with their byte spans.
///
/// Re-ranking analyses dozens of paragraphs per question, and stemming dominated that
/// work, so words are split here exactly as tantivy's `SimpleTokenizer` splits them
/// (runs of alphanumeric characters) and each distinct word goes through the real analyzer
/// only once per thread. The terms are identical to what the index holds.
pub fn tokens(text: &str) -> Vec<Token> {
    thread_local! {
        static CACHE: RefCell<(TextAnalyzer, TermCache)> =
            RefCell::new((english(), FxHashMap::default()));
    }
    CACHE.with(|cell| {
        let (analyzer, cache) = &mut *cell.borrow_mut();
        if cache.len() > 200_000 {
            cache.clear();
        }
        let mut out = Vec::new();
        let mut position = 0;
        let mut start: Option<usize> = None;
        let mut emit = |s: usize, e: usize, out: &mut Vec<Token>| {
            let word = &text[s..e];
            let term = match cache.get(word) {
                Some(t) => t.clone(),
                None => {
                    let mut stream = analyzer.token_stream(word);
                    let t: Option<Rc<str>> = stream.next().map(|t| Rc::from(t.text.as_str()));
                    cache.insert(word.to_string(), t.clone());
                    t
                }
            };
            if let Some(term) = term {
                out.push(Token {
                    term,
                    start: s,
                    end: e,
                    position,
                });
            }
            position += 1;
        };
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    emit(s, i, &mut out);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            emit(s, text.len(), &mut out);
        }
        out
    })
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
    // Weak verbs and reflexives: they name no topic, and counting them makes a question look
    // less answered than it is.
    "done",
    "doing",
    "use",
    "used",
    "using",
    "themselves",
    "itself",
    "himself",
    "herself",
    "ourselves",
    "yourself",
    "really",
    "actually",
    "exactly",
    "happen",
    "happened",
    "happens",
    // Prepositions and connectives.
    "against",
    "among",
    "amongst",
    "within",
    "without",
    "via",
    "upon",
    "onto",
    "toward",
    "towards",
    "despite",
    "though",
    "although",
    "however",
    "whether",
    "yet",
    "still",
    "even",
    "ever",
    "already",
    "another",
    "every",
    "either",
    "neither",
    "since",
    "around",
    "behind",
    "beyond",
    "inside",
    "outside",
    "across",
    "along",
    "near",
    "like",
    "unlike",
    "versus",
    // Hedges: how sure the asker is, not what they ask about.
    "probably",
    "possibly",
    "perhaps",
    "maybe",
    "likely",
    "reportedly",
    "allegedly",
    "apparently",
    "supposedly",
    "roughly",
    "approximately",
    "about",
];

static STOP_TERMS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    STOP_WORDS
        .iter()
        .flat_map(|w| tokens(w).into_iter().map(|t| t.term.to_string()))
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
            .map(|t| t.term.to_string())
            .collect();
        assert_eq!(t, vec!["cond", "fine", "penalti"]);
    }

    #[test]
    fn cached_tokens_match_the_index_analyzer() {
        let text = "Condé Nast’s €750,000 fine — FIDReC's 4,355 claims; naïve café x";
        let mut analyzer = english();
        let mut stream = analyzer.token_stream(text);
        let mut expected = Vec::new();
        while let Some(t) = stream.next() {
            expected.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        for _ in 0..2 {
            let got: Vec<(String, usize, usize)> = tokens(text)
                .into_iter()
                .map(|t| (t.term.to_string(), t.start, t.end))
                .collect();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn question_words_are_stop_terms() {
        assert!(is_stop_term("who") && is_stop_term("the"));
        assert!(!is_stop_term("coupang"));
    }
}
