//! The search pipeline: plan → retrieve → load → score → order. `Engine::search` and the
//! `explain` example both call [`candidates`], so they cannot disagree.

use std::collections::HashSet;
use std::rc::Rc;

use regex::Regex;
use rustc_hash::FxHashSet;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use newsbot_index::analysis;
use newsbot_index::passages::doc_by_text_key;
use newsbot_index::semantic::{Nearby, Semantic};
use newsbot_index::vectors::{text_key, QVec};
use newsbot_index::Fields;
use newsbot_index::Passage;
use newsbot_index::Result;

use super::candidate::Candidate;
use super::highlight;
use super::plan::Plan;
use super::retrieve;
use super::score::{self, Evidence, ScoreParts};
use super::term_stats::TermStats;
use super::tuning::Tuning;

/// What is being searched for.
#[derive(Debug)]
pub struct Search<'a, 's> {
    pub plan: &'a Plan,
    /// A bare topic command: it browses for paragraphs that are themselves about the topic,
    /// so only the paragraph's own words count, ranked by BM25, the topic's patterns and
    /// (with a model) similarity to the topic's description. Passages that do not say a
    /// topic word or match a pattern are left out.
    pub browse: bool,
    /// The topic's highlight patterns (none for a question).
    pub patterns: &'a [Regex],
    /// The model and the question's vector, when semantic ranking is on.
    pub semantic: Option<Semantics<'a, 's>>,
    /// The question asks for the latest news: recent articles first (`recency`).
    pub latest: bool,
    /// Only passages of this article (a followed topic's check of a new article).
    pub within: Option<&'a str>,
}

/// What semantic ranking needs: the model's stored vectors, and the question's vector with
/// the passages nearest it.
#[derive(Debug)]
pub struct Semantics<'a, 's> {
    pub model: &'a Semantic,
    pub meaning: Meaning<'s>,
}

/// Where the question's meaning comes from. Embedding a question is most of a query's
/// time, so the engine starts it on a second thread and the lexical stages (plan, BM25,
/// scoring) run meanwhile; the pipeline waits for it only to add cosines.
#[derive(Debug)]
pub enum Meaning<'s> {
    /// Known already (a topic's cached vector); a browse adds no nearest passages.
    Ready(Nearby),
    /// Being computed; `None` when the model failed on this question (logged), which
    /// leaves the ranking lexical.
    Pending(std::thread::ScopedJoinHandle<'s, Option<Nearby>>),
}

impl Meaning<'_> {
    fn wait(self) -> Option<Nearby> {
        match self {
            Meaning::Ready(n) => Some(n),
            Meaning::Pending(h) => h.join().unwrap_or_else(|_| {
                tracing::warn!(
                    "semantic scoring skipped for one question: the embedding thread panicked"
                );
                None
            }),
        }
    }
}

/// The ordered candidates, and the question's vector when the model gave one.
#[derive(Debug)]
pub struct Candidates {
    pub list: Vec<Candidate>,
    pub query: Option<QVec>,
}

/// Retrieves, scores and orders the candidates for `search`: best first, ties broken on
/// article and paragraph, each paragraph text once.
pub fn candidates(
    searcher: &Searcher,
    fields: &Fields,
    search: Search,
    t: &Tuning,
) -> Result<Candidates> {
    let Search {
        plan,
        browse,
        patterns,
        semantic,
        latest,
        within,
    } = search;
    let lexical = Lexical {
        plan,
        browse,
        patterns,
    };
    let mut ranked: Vec<Candidate> = Vec::new();
    let mut have: FxHashSet<DocAddress> = FxHashSet::default();
    if !plan.is_empty() {
        let stats = TermStats::new(searcher, fields);
        let found = searcher.search(
            &*within_article(retrieve::query(plan, &stats, browse, t), fields, within),
            &TopDocs::with_limit(t.candidates).order_by_score(),
        )?;
        // BM25 relative to the best hit.
        let best = found.first().map(|h| h.0).unwrap_or(1.0).max(1e-6);
        for (s, addr) in found {
            have.insert(addr);
            ranked.extend(scored(searcher, fields, &lexical, t, s / best, addr)?);
        }
    }
    let nearby = semantic.map(|sem| (sem.model, sem.meaning.wait()));
    let mut query = None;
    if let Some((model, Some(nearby))) = nearby {
        // Nearest passages by meaning join BM25's hits with no BM25 credit: they are there
        // for what they mean, not the words they share.
        if !browse && within.is_none() {
            for &(key, _) in &nearby.nearest {
                if let Some(addr) = doc_by_text_key(searcher, fields, key)? {
                    if have.insert(addr) {
                        ranked.extend(scored(searcher, fields, &lexical, t, 0.0, addr)?);
                    }
                }
            }
        }
        for c in &mut ranked {
            c.cos = model.similarity(&nearby.query, text_key(&c.passage.paragraph));
            c.parts.semantic = t.semantic * c.cos.unwrap_or(0.0);
            c.passage.score = c.parts.total();
        }
        query = Some(nearby.query);
    }
    // Ties break on article and paragraph so equal scores always rank the same way,
    // whatever order multi-threaded indexing left the documents in.
    ranked.sort_by(|a, b| {
        b.score()
            .total_cmp(&a.score())
            .then_with(|| a.passage.article_id.cmp(&b.passage.article_id))
            .then(a.para.cmp(&b.para))
    });
    // Paragraph text is normalised at parse time, so equal text means the same paragraph.
    let mut seen = FxHashSet::default();
    ranked.retain(|c| seen.insert(c.passage.paragraph.clone()));
    super::recency::order(&mut ranked, latest, t);
    Ok(Candidates {
        list: ranked,
        query,
    })
}

/// `q` restricted to the passages of article `within`, when given.
fn within_article(q: Box<dyn Query>, f: &Fields, within: Option<&str>) -> Box<dyn Query> {
    let Some(id) = within else { return q };
    let article = TermQuery::new(
        Term::from_field_text(f.article, id),
        IndexRecordOption::Basic,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, q),
        (Occur::Must, Box::new(article)),
    ]))
}

/// The lexical side of a search, which scoring a hit needs.
struct Lexical<'a> {
    plan: &'a Plan,
    browse: bool,
    patterns: &'a [Regex],
}

/// One hit loaded and scored by its words (cosine not yet added), or `None` when a topic
/// browse leaves it out.
fn scored(
    searcher: &Searcher,
    fields: &Fields,
    l: &Lexical,
    t: &Tuning,
    bm25: f32,
    addr: DocAddress,
) -> Result<Option<Candidate>> {
    let Lexical {
        plan,
        browse,
        patterns,
    } = *l;
    let doc: TantivyDocument = searcher.doc(addr)?;
    let mut p = Passage::from_doc(fields, &doc);
    let para = doc
        .get_first(fields.para)
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let (parts, coverage, spans) = if browse {
        // Phrase-aware matching of the topic's words in the paragraph alone ("digital
        // assets" is not "digital"), plus what the topic highlights.
        let own = score::score(
            plan,
            t,
            &Evidence {
                paragraph: &p.paragraph,
                article_terms: &FxHashSet::default(),
                lead: false,
                bm25,
            },
        );
        let mut spans = own.spans;
        spans.extend(highlight::spans(&p.paragraph, &HashSet::new(), patterns));
        // A topic lists only passages that say one of its words or hold what it
        // highlights themselves: BM25 over the article context alone is not being on
        // topic.
        if spans.is_empty() {
            return Ok(None);
        }
        let has_pattern = patterns.iter().any(|r| r.is_match(&p.paragraph));
        let parts = ScoreParts {
            bm25,
            topic_pattern: if has_pattern { t.topic_pattern } else { 0.0 },
            ..ScoreParts::default()
        };
        (parts, 1.0, spans)
    } else {
        let keys = doc
            .get_first(fields.keys)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let article_terms: FxHashSet<Rc<str>> =
            analysis::tokens(keys).into_iter().map(|t| t.term).collect();
        let s = score::score(
            plan,
            t,
            &Evidence {
                paragraph: &p.paragraph,
                article_terms: &article_terms,
                lead: para == 0,
                bm25,
            },
        );
        let mut spans = s.spans;
        spans.extend(highlight::spans(&p.paragraph, &HashSet::new(), patterns));
        (s.parts, s.coverage, spans)
    };
    p.score = parts.total();
    p.highlights = highlight::merge(&p.paragraph, spans);
    Ok(Some(Candidate {
        passage: p,
        para,
        parts,
        coverage,
        cos: None,
        rerank: None,
    }))
}
