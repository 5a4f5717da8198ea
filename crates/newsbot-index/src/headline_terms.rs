//! Which articles' headlines contain which analysed terms, for the no-answer suggestions and
//! `/article` lookups. Scanning and re-analysing every headline per query cost ~50 ms at 24k
//! articles; this map makes it proportional to the matching headlines only.

use std::collections::{HashMap, HashSet};

use super::manifest::ArticleMeta;
use crate::analysis;

#[derive(Debug, Default)]
pub struct HeadlineTerms {
    /// Term → (article index in the manifest, occurrences in its headline), in article order.
    postings: HashMap<String, Vec<(u32, u32)>>,
}

/// How well one headline overlaps a set of terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    pub article: usize,
    /// Distinct terms of the set found in the headline.
    pub distinct: usize,
    /// Headline tokens whose term is in the set.
    pub tokens: usize,
}

impl HeadlineTerms {
    pub fn new(articles: &[ArticleMeta]) -> HeadlineTerms {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            for t in analysis::tokens(&a.headline) {
                let list = postings.entry(t.term.to_string()).or_default();
                match list.last_mut() {
                    Some((j, n)) if *j == i as u32 => *n += 1,
                    _ => list.push((i as u32, 1)),
                }
            }
        }
        HeadlineTerms { postings }
    }

    /// Every headline sharing at least one term with `terms`, in article order.
    pub fn overlaps(&self, terms: &HashSet<&str>) -> Vec<Overlap> {
        let mut by_article: HashMap<u32, Overlap> = HashMap::new();
        for t in terms {
            for &(i, n) in self.postings.get(*t).map(Vec::as_slice).unwrap_or(&[]) {
                let o = by_article.entry(i).or_insert(Overlap {
                    article: i as usize,
                    distinct: 0,
                    tokens: 0,
                });
                o.distinct += 1;
                o.tokens += n as usize;
            }
        }
        let mut out: Vec<Overlap> = by_article.into_values().collect();
        out.sort_by_key(|o| o.article);
        out
    }
}
