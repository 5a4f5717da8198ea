//! Question planning and passage ranking.
//!
//! Two stages. Retrieval: tantivy's BM25 over the paragraph, its headline and its article
//! context, with every question word's variants, finds a few dozen candidates. Re-ranking:
//! each candidate is scored on what a careful reader looks for:
//!
//! - how much of the question (weighted by rarity) the paragraph itself says, versus what only
//!   its article says: words that name the article's subject ("Coupang") match every paragraph
//!   of that article, so they count less when deciding *which* paragraph answers;
//! - question words that stand together in the paragraph as they do in the question;
//! - a span of the kind the question asks for ("how much" → an amount, "when" → a date);
//! - a small lead-paragraph prior (news puts the key facts first).
//!
//! The same question weights give the coverage figure that decides whether the reply is an
//! answer at all.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::query::{
    BooleanQuery, BoostQuery, DfaWrapper, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::analysis::{self, is_stop_term, Token};
use crate::answer::{self, AnswerType};
use crate::index::Fields;
use crate::variants::Variants;

/// Questions longer than this are cut before analysis; a pasted article needs no more to find
/// its subject, and the cap keeps latency flat.
pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_CONCEPTS: usize = 24;
/// Questions with more concepts than this (pasted text) are searched by their rarest ones.
pub const LONG_QUESTION_CONCEPTS: usize = 12;
/// How many of a question's concepts (the rarest) retrieval searches. Four met the latency
/// target at a million passages but cost dev-set MRR; six missed it (README, "Performance").
const RETRIEVAL_CONCEPTS: usize = 5;

/// Tunable ranking weights. The defaults were calibrated on the development questions with
/// half of them held out (see the README, "How answers are chosen").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Credit for a word found in the paragraph when the article's headline/context also has
    /// it (relative to 1.0 for a word only this paragraph has).
    pub both: f32,
    /// Credit for a word found only in the article's headline/context.
    pub article_only: f32,
    /// Factor for a match through a variant rather than the word as typed.
    pub variant: f32,
    /// Factor for a match through a typo correction.
    pub fuzzy: f32,
    /// Weight of the best sentence's evidence against the whole paragraph's.
    pub sentence: f32,
    /// Bonus (within the best sentence) for adjacent question words that stand together.
    pub proximity: f32,
    /// Bonus when the best sentence holds a span of the asked-for kind.
    pub answer_type: f32,
    /// Bonus for an article's lead paragraph.
    pub lead: f32,
    /// Weight of the normalised BM25 score from retrieval.
    pub bm25: f32,
    /// Minimum share of the question's weight a reply must cover to count as answered.
    pub min_coverage: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            both: 0.8,
            article_only: 0.5,
            variant: 0.85,
            fuzzy: 0.8,
            sentence: 1.5,
            proximity: 0.1,
            answer_type: 0.45,
            lead: 0.05,
            bm25: 0.2,
            min_coverage: 0.4,
        }
    }
}

/// One way of saying a question word: the terms (several for a phrase) and how much a match
/// through it is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Alt {
    pub terms: Vec<String>,
    pub factor: f32,
    pub kind: AltKind,
}

/// Where an alternative came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AltKind {
    /// The word as the user typed it.
    Typed,
    /// The base word of an unknown agent noun, or a typo correction: it stands in for a
    /// word the index does not have.
    Correction,
    /// An equivalent from `variants.toml`.
    Variant,
}

/// A content word of the question with its alternatives and its weight (idf).
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub alts: Vec<Alt>,
    pub weight: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub concepts: Vec<Concept>,
    /// Concepts adjacent in the question, for the proximity bonus.
    pub pairs: Vec<(usize, usize)>,
    pub answer: Option<AnswerType>,
    pub total: f32,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// Every term any alternative uses, for highlighting.
    pub fn all_terms(&self) -> HashSet<&str> {
        self.concepts
            .iter()
            .flat_map(|c| {
                c.alts
                    .iter()
                    .flat_map(|a| a.terms.iter().map(String::as_str))
            })
            .collect()
    }
}

/// Content tokens of a question: stop words dropped, positions kept.
pub fn content_tokens(text: &str) -> Vec<Token> {
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    analysis::tokens(&text)
        .into_iter()
        .filter(|t| !is_stop_term(&t.term))
        .collect()
}

/// Document frequency in the paragraph text and, only when that is zero (the word is
/// unknown or names only an article), in the headline and context fields.
fn doc_freq(searcher: &Searcher, f: &Fields, term: &str) -> (u64, u64) {
    let df = |field| {
        searcher
            .doc_freq(&Term::from_field_text(field, term))
            .unwrap_or(0)
    };
    let body = df(f.body);
    if body > 0 {
        return (body, body);
    }
    (0, df(f.headline).max(df(f.context)))
}

fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The closest index term to an unknown word (a typo such as "coupnag"), if one is within
/// edit distance 1 (2 for long words). Ties go to the more frequent term.
fn correct(searcher: &Searcher, f: &Fields, term: &str) -> Option<String> {
    let len = term.chars().count();
    if len < 5 || !term.chars().all(|c| c.is_alphabetic()) {
        return None;
    }
    let distance = if len >= 8 { 2 } else { 1 };
    let automaton: DfaWrapper =
        FuzzyTermQuery::new(Term::from_field_text(f.body, term), distance, true)
            .automaton()
            .ok()?;
    let mut best: Option<(usize, u64, String)> = None;
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(f.body) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let d = levenshtein(term, candidate);
            let df = stream.value().doc_freq as u64;
            let better = match &best {
                None => true,
                Some((bd, bdf, _)) => d < *bd || (d == *bd && df > *bdf),
            };
            if better {
                best = Some((d, df, candidate.to_string()));
            }
        }
    }
    best.map(|(_, _, t)| t)
}

/// The word an unknown agent noun is made from, if the index knows it: "scammer" → "scam",
/// "hacker" → "hack", "fraudster" → "fraud". Tried before typo correction, which would turn
/// such words into unrelated near-spellings.
fn agent_base(searcher: &Searcher, f: &Fields, term: &str) -> Option<String> {
    let stem = ["ster", "er", "or", "ist"]
        .iter()
        .find_map(|suffix| term.strip_suffix(suffix))?;
    let mut candidates = vec![stem.to_string()];
    let chars: Vec<char> = stem.chars().collect();
    if chars.len() >= 2 && chars[chars.len() - 1] == chars[chars.len() - 2] {
        candidates.push(chars[..chars.len() - 1].iter().collect());
    }
    candidates.push(format!("{stem}e"));
    candidates
        .into_iter()
        .filter(|c| c.chars().count() >= 3)
        .find(|c| doc_freq(searcher, f, c).0 > 0)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Turns question text into weighted concepts.
pub fn plan(text: &str, variants: &Variants, searcher: &Searcher, f: &Fields, w: &Weights) -> Plan {
    let detected = answer::detect_at(text);
    // Words that only say what kind of answer is wanted ("which *country*") are not words
    // the answer contains.
    let tokens: Vec<Token> = content_tokens(text)
        .into_iter()
        .filter(|t| {
            !detected.as_ref().is_some_and(|(_, r)| {
                r.contains(&t.start)
                    && answer::TYPE_NOUNS.contains(&text[t.start..t.end].to_lowercase().as_str())
            })
        })
        .collect();
    let terms: Vec<String> = tokens.iter().map(|t| t.term.to_string()).collect();
    let n = searcher.num_docs().max(1) as f32;
    let mut concepts: Vec<Concept> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut pairs = Vec::new();
    let mut prev: Option<(usize, usize)> = None; // (position, concept)
    let mut i = 0;
    while i < tokens.len() {
        let tok = &tokens[i];
        let found = variants.alternatives(&terms, i);
        // A phrase the variants know ("went down", "chief executive") is one concept, so its
        // common words do not each count as a separate thing to find.
        let span = found
            .iter()
            .map(|(len, _)| *len)
            .filter(|&len| {
                len > 1
                    && tokens[i..i + len]
                        .windows(2)
                        .all(|p| p[0].position + 1 == p[1].position)
            })
            .max()
            .unwrap_or(1);
        let key = terms[i..i + span].join(" ");
        let last = &tokens[i + span - 1];
        let ci = match index_of.get(&key) {
            Some(&ci) => ci,
            None if concepts.len() < MAX_CONCEPTS => {
                let mut alts = vec![Alt {
                    terms: terms[i..i + span].to_vec(),
                    factor: 1.0,
                    kind: AltKind::Typed,
                }];
                let (body_df, other_df) = doc_freq(searcher, f, &tok.term);
                let mut weight = terms[i + 1..i + span]
                    .iter()
                    .map(|t| idf(n, doc_freq(searcher, f, t).0 as f32))
                    .fold(idf(n, body_df as f32), f32::max);
                if span == 1 && body_df == 0 && other_df == 0 {
                    // An unknown word: the word an agent noun is made from ("scammers" →
                    // scam), else the nearest spelling ("coupnag" → coupang).
                    let correction = agent_base(searcher, f, &tok.term)
                        .map(|base| (base, w.variant))
                        .or_else(|| correct(searcher, f, &tok.term).map(|fixed| (fixed, w.fuzzy)));
                    if let Some((term, factor)) = correction {
                        weight = idf(n, doc_freq(searcher, f, &term).0 as f32);
                        alts.push(Alt {
                            terms: vec![term],
                            factor,
                            kind: AltKind::Correction,
                        });
                    }
                }
                for (len, phrase) in found {
                    if len == span {
                        alts.push(Alt {
                            terms: phrase,
                            factor: w.variant,
                            kind: AltKind::Variant,
                        });
                    }
                }
                concepts.push(Concept { alts, weight });
                index_of.insert(key, concepts.len() - 1);
                concepts.len() - 1
            }
            None => {
                i += span;
                continue;
            }
        };
        if let Some((pos, pc)) = prev {
            if pos + 1 == tok.position && pc != ci && !pairs.contains(&(pc, ci)) {
                pairs.push((pc, ci));
            }
        }
        prev = Some((last.position, ci));
        i += span;
    }
    // A pasted article yields dozens of concepts, and each costs posting-list walks that grow
    // with the archive. Its rarest words already pin down its subject, so only those stay.
    if concepts.len() > LONG_QUESTION_CONCEPTS {
        let mut by_weight: Vec<usize> = (0..concepts.len()).collect();
        by_weight.sort_by(|&a, &b| {
            concepts[b]
                .weight
                .total_cmp(&concepts[a].weight)
                .then(a.cmp(&b))
        });
        let mut keep = vec![false; concepts.len()];
        for &i in by_weight.iter().take(LONG_QUESTION_CONCEPTS) {
            keep[i] = true;
        }
        let mut new_index = vec![usize::MAX; concepts.len()];
        let mut kept = Vec::new();
        for (i, c) in concepts.into_iter().enumerate() {
            if keep[i] {
                new_index[i] = kept.len();
                kept.push(c);
            }
        }
        concepts = kept;
        pairs = pairs
            .into_iter()
            .filter(|&(a, b)| keep[a] && keep[b])
            .map(|(a, b)| (new_index[a], new_index[b]))
            .collect();
    }
    let total = concepts.iter().map(|c| c.weight).sum();
    Plan {
        concepts,
        pairs,
        answer: detected.map(|(t, _)| t),
        total,
    }
}

/// The retrieval query: every alternative of every concept, over the paragraph, its headline
/// and its article context. Built from index terms only, so no user text is ever parsed as
/// query syntax and no other field can be reached.
pub fn retrieval_query(
    p: &Plan,
    f: &Fields,
    searcher: &Searcher,
    body_only: bool,
) -> Box<dyn Query> {
    // Term queries only: tantivy then prunes with block-max WAND, which keeps retrieval fast
    // on large archives. A phrase is searched by its rarest word; re-ranking checks the
    // whole phrase. The context field holds the headline, so the headline field is not
    // searched separately.
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut seen: HashSet<(tantivy::schema::Field, &str)> = HashSet::new();
    // Retrieval needs only the question's rarest concepts: they decide BM25's top
    // candidates anyway, and every further concept is two more posting lists to walk.
    // Re-ranking still scores every concept.
    let mut order: Vec<&Concept> = p.concepts.iter().collect();
    order.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    for c in order.into_iter().take(RETRIEVAL_CONCEPTS) {
        for alt in &c.alts {
            // Variants are left to re-ranking: each is another posting list in the union, and
            // at a million passages the union's size is what query time grows with.
            if alt.kind == AltKind::Variant {
                continue;
            }
            let term = match alt.terms.as_slice() {
                [only] => only,
                many => many
                    .iter()
                    .min_by_key(|t| doc_freq(searcher, f, t).0.max(1))
                    .expect("an alternative has terms"),
            };
            // The words as typed are also looked for in the article context: they may name
            // the subject a paragraph only implies ("the company"). Corrections stay in the
            // paragraph, which keeps the clause count down.
            let fields: &[(tantivy::schema::Field, f32)] =
                if body_only || alt.kind != AltKind::Typed {
                    &[(f.body, 1.0)]
                } else {
                    &[(f.body, 1.0), (f.context, 0.4)]
                };
            for &(field, boost) in fields {
                if !seen.insert((field, term.as_str())) {
                    continue;
                }
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost * alt.factor)),
                ));
            }
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// How a candidate fared.
#[derive(Debug, Clone)]
pub struct Scored {
    pub score: f32,
    /// The parts of `score`: paragraph words, best sentence, lead prior, BM25.
    pub parts: [f32; 4],
    pub coverage: f32,
    /// Byte spans in the paragraph: matched words, then the answer span if any.
    pub spans: Vec<(usize, usize)>,
}

fn phrase_at(
    tokens: &[Token],
    by_term: &FxHashMap<&str, Vec<usize>>,
    alt: &[String],
) -> Vec<usize> {
    // Indices into `tokens` where `alt` starts as consecutive positions.
    let Some(starts) = by_term.get(alt[0].as_str()) else {
        return Vec::new();
    };
    starts
        .iter()
        .copied()
        .filter(|&i| {
            alt.iter().enumerate().all(|(k, t)| {
                tokens
                    .get(i + k)
                    .is_some_and(|tok| *tok.term == **t && tok.position == tokens[i].position + k)
            })
        })
        .collect()
}

/// Byte ranges of the sentences of `paragraph`. A sentence ends at `.`, `!` or `?` followed
/// by a space and a capital, digit or quote, so "4,355" and "vanityfair.fr" stay whole.
pub fn sentences(paragraph: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = paragraph.as_bytes();
    for (i, c) in paragraph.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1) == Some(&b' ') {
            let next = paragraph[i + 2..].chars().next();
            if next.is_some_and(|n| n.is_uppercase() || n.is_numeric() || "‘“\"'".contains(n)) {
                out.push((start, i + 1));
                start = i + 2;
            }
        }
    }
    if start < paragraph.len() {
        out.push((start, paragraph.len()));
    }
    out
}

/// Scores one candidate paragraph. `article_terms` are the terms of its headline and context;
/// `bm25` is its retrieval score divided by the best candidate's.
pub fn score(
    p: &Plan,
    w: &Weights,
    paragraph: &str,
    article_terms: &FxHashSet<Rc<str>>,
    lead: bool,
    bm25: f32,
) -> Scored {
    let tokens = analysis::tokens(paragraph);
    let mut by_term: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, t) in tokens.iter().enumerate() {
        by_term.entry(&*t.term).or_default().push(i);
    }
    let total = p.total.max(1e-6);
    let mut s = 0.0;
    let mut covered = 0.0;
    let mut spans = Vec::new();
    // Per concept: (token index, factor) of each match in the paragraph.
    let mut hits: Vec<Vec<(usize, f32)>> = vec![Vec::new(); p.concepts.len()];
    // Per concept: credit it earns wherever it is matched in the paragraph, and the credit
    // it earns from the article alone when the sentence or paragraph lacks it.
    let mut credits: Vec<f32> = vec![0.0; p.concepts.len()];
    let mut fallback: Vec<f32> = vec![0.0; p.concepts.len()];
    for (ci, c) in p.concepts.iter().enumerate() {
        let mut body: f32 = 0.0;
        let mut art: f32 = 0.0;
        for alt in &c.alts {
            let at = phrase_at(&tokens, &by_term, &alt.terms);
            if !at.is_empty() {
                body = body.max(alt.factor);
                for &i in &at {
                    let end = &tokens[i + alt.terms.len() - 1];
                    spans.push((tokens[i].start, end.end));
                    hits[ci].push((i, alt.factor));
                }
            }
            if alt.terms.iter().all(|t| article_terms.contains(t.as_str())) {
                art = art.max(alt.factor);
            }
        }
        // Words the article as a whole says (its subject) count for less than words only
        // this paragraph says: they match all of the article's paragraphs alike.
        credits[ci] = if art > 0.0 { w.both } else { 1.0 };
        fallback[ci] = art * w.article_only;
        let credit = if body > 0.0 {
            body * credits[ci]
        } else {
            art * w.article_only
        };
        s += c.weight * credit.max(art * w.article_only);
        covered += c.weight * body.max(art);
    }
    let matched_spans = spans.clone();

    // Sentence evidence: the best single sentence, by the question words it holds, the pairs
    // it keeps together, and whether it holds a span of the asked-for kind.
    let answers: Vec<(usize, usize)> = match p.answer {
        Some(kind) => answer::spans(kind, paragraph)
            .into_iter()
            .filter(|&(s0, e0)| !matched_spans.iter().any(|&(s1, e1)| s1 <= s0 && e0 <= e1))
            .collect(),
        None => Vec::new(),
    };
    let mut best_sentence = 0.0f32;
    let mut best_answer: Option<(usize, usize)> = None;
    for (a, b) in sentences(paragraph) {
        let inside = |i: usize| tokens[i].start >= a && tokens[i].end <= b;
        let mut words = 0.0;
        let mut local = false;
        for (ci, c) in p.concepts.iter().enumerate() {
            let f = hits[ci]
                .iter()
                .filter(|(i, _)| inside(*i))
                .map(|&(_, f)| f)
                .fold(0.0f32, f32::max);
            if f > 0.0 {
                local = true;
            }
            words += c.weight * (f * credits[ci]).max(fallback[ci]);
        }
        if !local {
            continue;
        }
        let mut near = 0.0;
        for &(x, y) in &p.pairs {
            let close = hits[x].iter().filter(|(i, _)| inside(*i)).any(|&(i, _)| {
                hits[y]
                    .iter()
                    .any(|&(j, _)| inside(j) && j > i && j - i <= 2)
            });
            if close {
                near += p.concepts[x].weight.min(p.concepts[y].weight);
            }
        }
        let answer = answers.iter().copied().find(|&(s0, e0)| s0 >= a && e0 <= b);
        let score = words / total
            + w.proximity * (near / total).min(1.0)
            + if answer.is_some() { w.answer_type } else { 0.0 };
        if score > best_sentence {
            best_sentence = score;
            best_answer = answer;
        }
    }
    if let Some(a) = best_answer {
        spans.push(a);
    }
    let score =
        s / total + w.sentence * best_sentence + if lead { w.lead } else { 0.0 } + w.bm25 * bm25;
    Scored {
        score,
        parts: [
            s / total,
            w.sentence * best_sentence,
            if lead { w.lead } else { 0.0 },
            w.bm25 * bm25,
        ],
        coverage: covered / total,
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_real_ends_only() {
        let p =
            "FIDReC recorded 4,355 claims. Visit vanityfair.fr. It rose 3.5% in 2024! “Quote” ends";
        let got: Vec<&str> = sentences(p).into_iter().map(|(a, b)| &p[a..b]).collect();
        assert_eq!(
            got,
            [
                "FIDReC recorded 4,355 claims.",
                "Visit vanityfair.fr.",
                "It rose 3.5% in 2024!",
                "“Quote” ends"
            ]
        );
    }

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("coupnag", "coupang"), 2);
        assert_eq!(levenshtein("fidrek", "fidrec"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }

    fn plan_of(words: &[&str]) -> Plan {
        let concepts: Vec<Concept> = words
            .iter()
            .map(|w| Concept {
                alts: vec![Alt {
                    kind: AltKind::Typed,
                    terms: analysis::tokens(w)
                        .into_iter()
                        .map(|t| t.term.to_string())
                        .collect(),
                    factor: 1.0,
                }],
                weight: 1.0,
            })
            .collect();
        Plan {
            total: concepts.len() as f32,
            pairs: vec![(0, 1)],
            concepts,
            answer: None,
        }
    }

    #[test]
    fn paragraph_words_beat_article_words() {
        let p = plan_of(&["safety", "investment"]);
        let art: FxHashSet<Rc<str>> = [Rc::from("safeti")].into_iter().collect();
        let w = Weights::default();
        let own = score(
            &p,
            &w,
            "Speakers said safety investment lags.",
            &FxHashSet::default(),
            false,
            0.0,
        );
        let shared = score(&p, &w, "Speakers said safety matters.", &art, false, 0.0);
        assert!(own.score > shared.score);
        assert!((own.coverage - 1.0).abs() < 1e-6);
    }
}
