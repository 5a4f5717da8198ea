//! Retrieval: concepts → a BM25 query over the paragraph and its article context.
//!
//! Built from index terms only, so no user text is ever parsed as query syntax and no other
//! field can be reached. Term queries only: tantivy then prunes with block-max WAND, which
//! keeps retrieval fast on large archives.

use std::collections::HashSet;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::plan::{AltKind, Concept, Plan};
use super::term_stats::TermStats;
use super::tuning::Tuning;

/// The retrieval query. With `body_only` (a topic browse) only the paragraph's own words
/// count; a question may name the article's subject in its context too.
pub fn query(p: &Plan, stats: &TermStats, body_only: bool, t: &Tuning) -> Box<dyn Query> {
    let f = stats.fields;
    // A phrase is searched by its rarest word; re-ranking checks the whole phrase. The
    // context field holds the headline, so the headline field is not searched separately.
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut seen: HashSet<(Field, &str)> = HashSet::new();
    // Retrieval needs only the question's rarest concepts: they decide BM25's top
    // candidates anyway, and every further concept is two more posting lists to walk.
    // Re-ranking still scores every concept.
    let mut order: Vec<&Concept> = p.concepts.iter().collect();
    order.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    for c in order.into_iter().take(t.retrieval_concepts) {
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
                    .min_by_key(|t| stats.body_freq(t).max(1))
                    .expect("an alternative has terms"),
            };
            // The words as typed are also looked for in the article context: they may name
            // the subject a paragraph only implies ("the company"). Corrections stay in the
            // paragraph, which keeps the clause count down.
            let both = [(f.body, 1.0), (f.context, t.context_boost)];
            let fields = if body_only || alt.kind != AltKind::Typed {
                &both[..1]
            } else {
                &both[..]
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
