//! Planning: question text → weighted concepts and the answer type it asks for.
//!
//! Each content word becomes a *concept* weighted by its rarity (idf), with its
//! alternatives: the word as typed, a correction for a word the index has never seen
//! (`spelling`), and its equivalents from `prompts/variants.toml`. A phrase the variants
//! know ("went down") is one concept. The wording also sets the answer type ("how much" →
//! an amount); words that only name the type ("which *country*") are not searched for.

use std::collections::{HashMap, HashSet};

use crate::answer_type::{self, AnswerType};
use crate::variants::Variants;
use newsbot_index::analysis::{self, is_stop_term, Token};

use super::spelling;
use super::term_stats::{idf, TermStats};
use super::tuning::Tuning;

/// Questions longer than this are cut before analysis; a pasted article needs no more to find
/// its subject, and the cap keeps latency flat. Also the longest text a Discord option takes.
pub const MAX_QUERY_CHARS: usize = 1000;

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

/// Turns question text into weighted concepts.
pub fn plan(text: &str, variants: &Variants, stats: &TermStats, t: &Tuning) -> Plan {
    let detected = answer_type::detect_at(text);
    // Words that only say what kind of answer is wanted ("which *country*") are not words
    // the answer contains.
    let tokens: Vec<Token> = content_tokens(text)
        .into_iter()
        .filter(|t| {
            !detected.as_ref().is_some_and(|(_, r)| {
                r.contains(&t.start)
                    && answer_type::TYPE_NOUNS
                        .contains(&text[t.start..t.end].to_lowercase().as_str())
            })
        })
        .collect();
    let terms: Vec<String> = tokens.iter().map(|t| t.term.to_string()).collect();
    let n = stats.passages();
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
            None if concepts.len() < t.max_concepts => {
                let mut alts = vec![Alt {
                    terms: terms[i..i + span].to_vec(),
                    factor: 1.0,
                    kind: AltKind::Typed,
                }];
                let (body_df, other_df) = stats.doc_freq(&tok.term);
                let mut weight = terms[i + 1..i + span]
                    .iter()
                    .map(|t| idf(n, stats.body_freq(t) as f32))
                    .fold(idf(n, body_df as f32), f32::max);
                if span == 1 && body_df == 0 && other_df == 0 {
                    // An unknown word: the word an agent noun is made from ("scammers" →
                    // scam), else the nearest spelling ("coupnag" → coupang).
                    let correction = spelling::agent_base(stats, &tok.term, t)
                        .map(|base| (base, t.variant))
                        .or_else(|| {
                            spelling::correct(stats, &tok.term, t).map(|fixed| (fixed, t.fuzzy))
                        });
                    if let Some((term, factor)) = correction {
                        weight = idf(n, stats.body_freq(&term) as f32);
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
                            factor: t.variant,
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
    if concepts.len() > t.long_question_concepts {
        let mut by_weight: Vec<usize> = (0..concepts.len()).collect();
        by_weight.sort_by(|&a, &b| {
            concepts[b]
                .weight
                .total_cmp(&concepts[a].weight)
                .then(a.cmp(&b))
        });
        let mut keep = vec![false; concepts.len()];
        for &i in by_weight.iter().take(t.long_question_concepts) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use newsbot_index::testing::{index_of, NEWS};

    fn plan_for(text: &str, variants: &Variants, t: &Tuning) -> Plan {
        let idx = index_of(&[("news.txt", NEWS)]);
        let searcher = idx.reader.searcher();
        plan(text, variants, &TermStats::new(&searcher, &idx.fields), t)
    }

    fn typed(p: &Plan) -> Vec<String> {
        p.concepts
            .iter()
            .map(|c| c.alts[0].terms.join(" "))
            .collect()
    }

    #[test]
    fn content_words_become_weighted_concepts() {
        let p = plan_for(
            "how much was Coupang fined?",
            &Variants::default(),
            &Tuning::default(),
        );
        assert_eq!(typed(&p), ["coupang", "fine"]);
        assert_eq!(p.answer, Some(AnswerType::Money));
        assert!(p.concepts.iter().all(|c| c.weight > 0.0));
        assert!((p.total - p.concepts.iter().map(|c| c.weight).sum::<f32>()).abs() < 1e-6);
        assert_eq!(p.pairs, [(0, 1)]);
    }

    #[test]
    fn stop_words_only_is_an_empty_plan() {
        let p = plan_for("what is the", &Variants::default(), &Tuning::default());
        assert!(p.is_empty());
    }

    #[test]
    fn unknown_words_get_a_correction() {
        let t = Tuning::default();
        let p = plan_for("who fined coupnag?", &Variants::default(), &t);
        let c = &p.concepts[1];
        assert_eq!(c.alts[0].kind, AltKind::Typed);
        assert_eq!(c.alts[1].kind, AltKind::Correction);
        assert_eq!(c.alts[1].terms, ["coupang"]);
        assert_eq!(c.alts[1].factor, t.fuzzy);
        // Weighted as the correction, since the typed word is unknown.
        assert!(c.weight > 0.0);
    }

    #[test]
    fn variants_are_alternatives_and_phrases_one_concept() {
        let v = Variants::parse(
            "v.toml",
            "groups = [[\"fine\", \"penalty\"], [\"went down\", \"outage\"]]",
        )
        .unwrap();
        let t = Tuning::default();
        let p = plan_for("which bank went down after the fine?", &v, &t);
        let went_down = p
            .concepts
            .iter()
            .find(|c| c.alts[0].terms == ["went", "down"])
            .expect("the phrase is one concept");
        assert!(went_down
            .alts
            .iter()
            .any(|a| a.kind == AltKind::Variant && a.terms == ["outag"] && a.factor == t.variant));
        let fine = p
            .concepts
            .iter()
            .find(|c| c.alts[0].terms == ["fine"])
            .unwrap();
        assert_eq!(fine.alts[1].terms, ["penalti"]);
    }

    #[test]
    fn long_questions_keep_their_rarest_concepts() {
        let t = Tuning {
            long_question_concepts: 2,
            ..Tuning::default()
        };
        let text = "regulator company cloud banking apps Coupang Seoul";
        let all = plan_for(text, &Variants::default(), &Tuning::default());
        let cut = plan_for(text, &Variants::default(), &t);
        assert_eq!(cut.concepts.len(), 2);
        let mut weights: Vec<f32> = all.concepts.iter().map(|c| c.weight).collect();
        weights.sort_by(|a, b| b.total_cmp(a));
        let kept: f32 = cut.concepts.iter().map(|c| c.weight).sum();
        assert!((kept - weights[0] - weights[1]).abs() < 1e-6);
    }

    proptest::proptest! {
        #[test]
        fn question_cleaning_never_panics(s in "\\PC{0,3000}") {
            let t = content_tokens(&s);
            proptest::prop_assert!(t.iter().all(|t| !t.term.is_empty()));
        }
    }
}
