//! The English stemmer with a per-thread memo of recent stems.
//!
//! Stemming was a quarter of index build time: news text repeats a small vocabulary, and
//! every passage's `context` repeats its article's headline and names. Remembering stems
//! gives identical terms at a fraction of the cost.

use std::cell::RefCell;

use frostem::Algorithm;
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per thread before the memo starts over; bounds its memory to a few MB.
const MEMO_WORDS: usize = 100_000;

/// Fx hash (rustc-hash): words are short and not attacker-chosen at index time, and SipHash
/// showed up in build profiles.
type Memo = FxHashMap<String, String>;

thread_local! {
    static MEMO: RefCell<(frostem::Stemmer, Memo)> =
        RefCell::new((frostem::Stemmer::new(Algorithm::English), Memo::default()));
}

/// A drop-in for `tantivy::tokenizer::Stemmer::new(Language::English)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedEnglishStemmer;

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
        }
    }
}

pub struct CachedStemmerStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        MEMO.with(|memo| {
            let (stemmer, memo) = &mut *memo.borrow_mut();
            if let Some(stem) = memo.get(token.text.as_str()) {
                token.text.clear();
                token.text.push_str(stem);
                return;
            }
            let stem = stemmer.stem(&token.text).into_owned();
            if memo.len() >= MEMO_WORDS {
                memo.clear();
            }
            memo.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    fn terms(mut a: TextAnalyzer, text: &str) -> Vec<String> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn same_terms_as_tantivy_stemmer() {
        let text =
            "Regulators fined companies; the fines penalised running runners twice, running again.";
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedEnglishStemmer)
            .build();
        assert_eq!(terms(plain, text), terms(cached, text));
    }
}
