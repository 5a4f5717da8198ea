//! One article → its passages' documents: the paragraph, and what it is about beyond its
//! own words (headline, section, the article's recurring names, the previous paragraph's
//! names).

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::{doc, IndexWriter, TantivyDocument};

use crate::error::Result;
use newsbot_ingest::corpus::Article;

use super::schema::Fields;

/// How many of an article's recurring names go into every paragraph's context.
const KEY_NAMES: usize = 10;

/// Capitalised words of `text`, each with whether it opens a sentence.
fn capitalised(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric());
        let w = w
            .strip_suffix("’s")
            .or_else(|| w.strip_suffix("'s"))
            .unwrap_or(w);
        if w.chars().next().is_some_and(|c| c.is_uppercase()) && w.chars().count() > 1 {
            out.push((w, sentence_start));
        }
        sentence_start = word.ends_with(['.', '!', '?']);
    }
    out
}

/// Words the article uses as names: capitalised mid-sentence, or acronyms (CNIL, FIDReC)
/// anywhere. A capital after a full stop alone is no evidence of a name.
fn article_names<'a>(caps: &[Vec<(&'a str, bool)>]) -> FxHashSet<&'a str> {
    caps.iter()
        .flatten()
        .filter(|(w, start)| !start || w.chars().filter(|c| c.is_uppercase()).count() >= 2)
        .map(|(w, _)| *w)
        .collect()
}

/// The names among a paragraph's capitalised words, including sentence starts once the
/// article has shown the word is a name ("Coupang disclosed…").
fn names_in<'a>(caps: &[(&'a str, bool)], known: &FxHashSet<&str>) -> Vec<&'a str> {
    caps.iter()
        .filter(|(w, _)| known.contains(w))
        .map(|(w, _)| *w)
        .collect()
}

/// The article's recurring names, most frequent first (ties: first seen first).
fn key_names(caps: &[Vec<(&str, bool)>], known: &FxHashSet<&str>, limit: usize) -> Vec<String> {
    let mut counts: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    for (order, name) in caps.iter().flat_map(|p| names_in(p, known)).enumerate() {
        counts.entry(name).or_insert((0, order)).0 += 1;
    }
    // A key name recurs; a capitalised word seen once ("Article 102") says nothing about the
    // article's other paragraphs.
    let mut names: Vec<(&str, (usize, usize))> =
        counts.into_iter().filter(|(_, (n, _))| *n >= 2).collect();
    names.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    names
        .into_iter()
        .take(limit)
        .map(|(n, _)| n.to_string())
        .collect()
}

/// What paragraph `i` of `article` is about beyond its own words: the headline, its section
/// title, the article's key names, and the names in the paragraph before it (which a
/// paragraph saying "the company" or "its servers" leans on). Stored, so re-ranking can
/// tell words the paragraph says from words only its article says.
pub fn keys_text(article: &Article, i: usize, names: &[String], previous_names: &[&str]) -> String {
    let mut keys = article.headline.clone();
    if let Some(s) = &article.paragraphs[i].section {
        keys.push_str(". ");
        keys.push_str(s);
    }
    keys.push_str(". ");
    keys.push_str(&names.join(" "));
    if !previous_names.is_empty() {
        keys.push(' ');
        keys.push_str(&previous_names.join(" "));
    }
    keys
}

/// The indexed `context` of paragraph `i`: its keys. The article's lead paragraph used to be
/// here too, but it doubled the text analysed at build time and made the field's posting
/// lists as long as the paragraphs' own, while the recurring names already carry what a
/// question about the article's subject needs.
pub fn context_text(keys: &str) -> String {
    keys.to_string()
}

/// Adds every passage of `article` to the writer.
pub fn add_article(writer: &IndexWriter, f: &Fields, article: &Article) -> Result<()> {
    // Capitalised words are found once per paragraph and reused for the article's names,
    // its key names and each paragraph's "previous paragraph" names.
    let caps: Vec<Vec<(&str, bool)>> = article
        .paragraphs
        .iter()
        .map(|p| capitalised(&p.text))
        .collect();
    let known = article_names(&caps);
    let names = key_names(&caps, &known, KEY_NAMES);
    for (i, p) in article.paragraphs.iter().enumerate() {
        let previous = if i > 0 {
            names_in(&caps[i - 1], &known)
        } else {
            Vec::new()
        };
        let keys = keys_text(article, i, &names, &previous);
        let mut d: TantivyDocument = doc!(
            f.article => article.id.clone(),
            f.para => i as u64,
            f.headline => article.headline.clone(),
            f.body => p.text.clone(),
            f.context => context_text(&keys),
            f.keys => keys,
            f.text_key => crate::vectors::text_key(&p.text),
        );
        if let Some(s) = &p.section {
            d.add_text(f.section, s);
        }
        for s in &article.sources {
            d.add_text(f.sources, s);
        }
        if let Some(date) = &article.date {
            d.add_text(f.date, date);
        }
        if let Some(url) = &article.url {
            d.add_text(f.url, url);
        }
        writer.add_document(d)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{corpus_of, NEWS};

    #[test]
    fn names_are_capitalised_mid_sentence_or_acronyms() {
        let caps = vec![
            capitalised("Coupang was fined by CNIL. The company appealed."),
            capitalised("Later Coupang paid."),
        ];
        let known = article_names(&caps);
        assert!(known.contains("Coupang") && known.contains("CNIL"));
        assert!(!known.contains("The") && !known.contains("Later"));
        assert_eq!(key_names(&caps, &known, 10), ["Coupang"]);
    }

    #[test]
    fn keys_carry_headline_names_and_the_previous_paragraphs_names() {
        let corpus = corpus_of(&[("news.txt", NEWS)]);
        let a = &corpus.articles[0];
        let keys = keys_text(a, 1, &["Coupang".into()], &["Seoul"]);
        assert_eq!(
            keys,
            "Regulator fines Coupang over data breach. Coupang Seoul"
        );
        assert_eq!(context_text(&keys), keys);
    }
}
