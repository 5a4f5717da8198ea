//! The `ask --json` object: the reply's documented wire shape (`results`, no `kind`,
//! `article_id` or `section`), which scripts read. It borrows from the `Reply`; it is not
//! `Reply`'s own `Serialize` because that shape (used by the snapshots and the Discord door)
//! and this one are both public and must not change.

use newsbot_core::Reply;
use serde::Serialize;

/// The `ask --json` object.
#[derive(Serialize)]
struct JsonReply<'a> {
    query: &'a str,
    command: &'a str,
    answered: bool,
    confidence: f32,
    /// `sure`, `closest` or `none`.
    #[serde(rename = "match")]
    match_kind: newsbot_core::Match,
    message: Option<&'a str>,
    results: Vec<JsonPassage<'a>>,
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    rank: usize,
    headline: &'a str,
    paragraph: &'a str,
    sources: &'a [String],
    score: f32,
    highlights: &'a [[usize; 2]],
    /// ISO 8601, when the article is dated.
    date: Option<&'a str>,
    url: Option<&'a str>,
    /// The cross-encoder's logit, when the passage was reranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    rerank: Option<f32>,
}

pub fn to_json(reply: &Reply) -> String {
    let j = JsonReply {
        query: &reply.query,
        command: &reply.command,
        answered: reply.answered,
        confidence: reply.confidence,
        match_kind: reply.match_kind,
        message: reply.message.as_deref(),
        results: reply
            .passages
            .iter()
            .map(|p| JsonPassage {
                rank: p.rank,
                headline: &p.headline,
                paragraph: &p.paragraph,
                sources: &p.sources,
                score: p.score,
                highlights: &p.highlights,
                date: p.date.as_deref(),
                url: p.url.as_deref(),
                rerank: p.rerank,
            })
            .collect(),
    };
    serde_json::to_string(&j).expect("reply serialises")
}
