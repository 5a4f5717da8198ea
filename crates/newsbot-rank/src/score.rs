//! Scoring: one candidate paragraph and the question's plan → named score parts.
//!
//! Pure: it reads only the paragraph text, its article's key terms and the plan, so it is
//! tested without an index. A candidate is judged as a careful reader would:
//!
//! - how much of the question (weighted by rarity) the paragraph itself says, versus what
//!   only its article says: words that name the article's subject ("Coupang") match every
//!   paragraph of that article, so they count less when deciding *which* paragraph answers;
//! - the best single sentence: its question words, the question words it keeps together,
//!   and whether it holds a span of the asked-for answer type;
//! - small priors: the article's lead paragraph, and the normalised BM25 of retrieval.
//!
//! The same weights give the coverage figure that `confidence` turns into answered or not.

use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::answer_type;
use newsbot_index::analysis::{self, Token};

use super::plan::Plan;
use super::tuning::Tuning;

/// What scoring reads about one candidate.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub paragraph: &'a str,
    /// Analysed terms of the article's keys (headline, section, names).
    pub article_terms: &'a FxHashSet<Rc<str>>,
    /// Whether this is the article's first paragraph.
    pub lead: bool,
    /// The candidate's retrieval score divided by the best candidate's.
    pub bm25: f32,
}

/// A candidate's score, part by part, each already weighted. A new ranking signal is a new
/// part here, so `explain` shows it and the total stays one sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ScoreParts {
    /// Share of the question's weight the paragraph (or its article) says.
    pub paragraph: f32,
    /// The best sentence's evidence, times `Tuning::sentence`.
    pub sentence: f32,
    /// The lead-paragraph prior.
    pub lead: f32,
    /// Normalised BM25, weighted (a topic browse uses it unweighted).
    pub bm25: f32,
    /// A topic browse's bonus for holding what the topic highlights.
    pub topic_pattern: f32,
    /// Question-passage cosine, times `Tuning::semantic` (0 without a model or vector).
    pub semantic: f32,
    /// For a question asking for the latest news over a dated archive, the bonus for a
    /// recent article (`recency`); 0 otherwise.
    pub recency: f32,
}

impl ScoreParts {
    /// How well the passage answers, all parts but recency: what the decision and the
    /// reranker's skip margin read, so asking for "the latest" never makes the engine
    /// surer. Summed in a fixed order so figures never drift.
    pub fn relevance(&self) -> f32 {
        self.paragraph + self.sentence + self.lead + self.bm25 + self.topic_pattern + self.semantic
    }

    /// The ranking score: relevance plus recency.
    pub fn total(&self) -> f32 {
        self.relevance() + self.recency
    }
}

/// How a candidate fared.
#[derive(Debug, Clone)]
pub struct Scored {
    pub parts: ScoreParts,
    /// Share of the question's weight the paragraph or its article covers (`confidence`).
    pub coverage: f32,
    /// Byte spans in the paragraph: matched words, then the answer span if any.
    pub spans: Vec<(usize, usize)>,
}

impl Scored {
    pub fn score(&self) -> f32 {
        self.parts.total()
    }
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

/// Scores one candidate paragraph against the plan.
pub fn score(p: &Plan, w: &Tuning, e: &Evidence) -> Scored {
    let Evidence {
        paragraph,
        article_terms,
        lead,
        bm25,
    } = *e;
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
        Some(kind) => answer_type::spans(kind, paragraph)
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
                    .any(|&(j, _)| inside(j) && j > i && j - i <= w.proximity_window)
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
    Scored {
        parts: ScoreParts {
            paragraph: s / total,
            sentence: w.sentence * best_sentence,
            lead: if lead { w.lead } else { 0.0 },
            bm25: w.bm25 * bm25,
            topic_pattern: 0.0,
            semantic: 0.0,
            recency: 0.0,
        },
        coverage: covered / total,
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Alt, AltKind, Concept};

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

    fn ev<'a>(paragraph: &'a str, art: &'a FxHashSet<Rc<str>>) -> Evidence<'a> {
        Evidence {
            paragraph,
            article_terms: art,
            lead: false,
            bm25: 0.0,
        }
    }

    #[test]
    fn paragraph_words_beat_article_words() {
        let p = plan_of(&["safety", "investment"]);
        let art: FxHashSet<Rc<str>> = [Rc::from("safeti")].into_iter().collect();
        let none = FxHashSet::default();
        let w = Tuning::default();
        let own = score(&p, &w, &ev("Speakers said safety investment lags.", &none));
        let shared = score(&p, &w, &ev("Speakers said safety matters.", &art));
        assert!(own.score() > shared.score());
        assert!((own.coverage - 1.0).abs() < 1e-6);
        // "investment" is missing; "safety" comes only from the article's keys.
        assert!((shared.coverage - 0.5).abs() < 1e-6);
    }

    #[test]
    fn parts_add_up_and_priors_are_weighted() {
        let p = plan_of(&["safety", "investment"]);
        let none = FxHashSet::default();
        let w = Tuning::default();
        let mut e = ev("Speakers said safety investment lags.", &none);
        e.lead = true;
        e.bm25 = 0.5;
        let s = score(&p, &w, &e);
        assert_eq!(s.parts.lead, w.lead);
        assert_eq!(s.parts.bm25, w.bm25 * 0.5);
        assert_eq!(s.parts.topic_pattern, 0.0);
        let sum = s.parts.paragraph + s.parts.sentence + s.parts.lead + s.parts.bm25;
        assert_eq!(s.score(), sum);
        // Both words matched, highlighted where they stand.
        assert_eq!(s.spans, [(14, 20), (21, 31)]);
    }

    #[test]
    fn adjacent_words_and_answer_type_lift_the_sentence() {
        let mut p = plan_of(&["safety", "investment"]);
        let none = FxHashSet::default();
        let w = Tuning::default();
        let together = score(&p, &w, &ev("Safety investment grew.", &none));
        let apart = score(&p, &w, &ev("Safety rules and new investment grew.", &none));
        assert!(together.parts.sentence > apart.parts.sentence);
        p.answer = Some(answer_type::AnswerType::Money);
        let with = score(&p, &w, &ev("Safety investment grew to €5 million.", &none));
        let without = score(&p, &w, &ev("Safety investment grew a lot.", &none));
        assert!(with.parts.sentence - without.parts.sentence >= w.sentence * w.answer_type - 1e-6);
        assert!(
            with.spans.len() > 2,
            "the amount is highlighted: {:?}",
            with.spans
        );
    }

    #[test]
    fn nothing_matched_scores_nothing() {
        let p = plan_of(&["safety", "investment"]);
        let none = FxHashSet::default();
        let s = score(&p, &Tuning::default(), &ev("Unrelated text.", &none));
        assert_eq!(s.score(), 0.0);
        assert_eq!(s.coverage, 0.0);
        assert!(s.spans.is_empty());
    }
}
