//! Building replies: the notes (help, unknown command), an answer or the no-answer note with
//! the closest topics and headlines, and whole articles. The engine decides; this says it.

use std::cmp::Reverse;

use crate::analysis;
use crate::command::Command;
use crate::index::{ArticleMeta, SearchIndex};
use crate::prompts::{Messages, PromptSet};
use crate::rank::{Candidate, Plan};
use crate::semantic::Semantic;
use crate::vectors::QVec;

use super::{Match, Passage, Reply, ReplyKind};

/// How many topics and headlines the no-answer note suggests.
pub const SUGGESTIONS: usize = 3;

/// A reply that is only a message (help, an empty question, an unknown command).
pub fn note(command: &str, query: &str, kind: ReplyKind, message: String) -> Reply {
    Reply {
        command: command.to_string(),
        query: query.to_string(),
        kind,
        answered: false,
        confidence: 1.0,
        match_kind: Match::None,
        message: Some(message),
        passages: Vec::new(),
    }
}

/// The reply to a question or topic from its decision: the ranked passages when it
/// answers (under the closest-match label when in doubt), else `no_answer()`'s note.
pub fn ranked(
    command: &str,
    query: &str,
    candidates: Vec<Candidate>,
    (confidence, match_kind): (f32, Match),
    messages: &Messages,
    no_answer: impl FnOnce() -> String,
) -> Reply {
    let answered = match_kind != Match::None;
    let mut reply = Reply {
        command: command.to_string(),
        query: query.to_string(),
        kind: if answered {
            ReplyKind::Answer
        } else {
            ReplyKind::NoAnswer
        },
        answered,
        confidence,
        match_kind,
        message: None,
        passages: Vec::new(),
    };
    if answered {
        if match_kind == Match::Closest {
            reply.message = Some(messages.closest_match.clone());
        }
        reply.passages = candidates
            .into_iter()
            .enumerate()
            .map(|(i, c)| Passage {
                rank: i + 1,
                rerank: c.rerank,
                ..c.passage
            })
            .collect();
    } else {
        reply.message = Some(no_answer());
    }
    reply
}

/// The no-answer note: the topics closest to the question in meaning with a model (its
/// vector `query`), else those sharing most of its words, then the headlines sharing most
/// of them. Every topic follows in order, so there is always somewhere to go.
pub fn no_answer(
    set: &PromptSet,
    semantic: Option<&Semantic>,
    idx: &SearchIndex,
    plan: &Plan,
    query: Option<&QVec>,
) -> String {
    let terms = plan.all_terms();
    let vectors = match (semantic, query) {
        (Some(sem), Some(_)) => set.topic_vectors(sem),
        _ => &[],
    };
    let mut topics: Vec<(f32, String)> = set
        .prompts
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let close = match (vectors.get(i), query) {
                (Some(Some(v)), Some(q)) => v.dot(q),
                _ => analysis::tokens(&t.search_text())
                    .into_iter()
                    .filter(|tok| terms.contains(&*tok.term))
                    .count() as f32,
            };
            (close, t.name.clone())
        })
        .collect();
    topics.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut headlines: Vec<(usize, String)> = idx
        .headline_overlaps(&terms)
        .into_iter()
        .map(|o| (o.tokens, idx.manifest.articles[o.article].headline.clone()))
        .collect();
    headlines.sort_by_key(|h| Reverse(h.0));
    let topics = topics
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, n)| format!("/{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let headlines: Vec<String> = headlines
        .into_iter()
        .map(|(_, h)| h)
        .take(SUGGESTIONS)
        .collect();
    let m = &set.prompts.messages;
    let mut text = Messages::render(&m.no_answer, &[("topics", &topics)]);
    push_closest(&mut text, m, &headlines);
    text
}

/// A whole article: every paragraph in order.
pub fn article(meta: &ArticleMeta, passages: Vec<Passage>) -> Reply {
    Reply {
        command: Command::Article.name().into(),
        query: meta.headline.clone(),
        kind: ReplyKind::Article,
        answered: true,
        confidence: 1.0,
        match_kind: Match::Sure,
        message: None,
        passages,
    }
}

/// `/article <text>` that names no article, with the `closest` headlines.
pub fn not_found(command: &str, text: &str, m: &Messages, closest: &[String]) -> Reply {
    let mut message = Messages::render(&m.not_found, &[("query", text)]);
    push_closest(&mut message, m, closest);
    Reply {
        confidence: 0.0,
        kind: ReplyKind::NoAnswer,
        ..note(command, text, ReplyKind::NoAnswer, message)
    }
}

/// Adds the "closest articles" line, when there are any.
fn push_closest(text: &mut String, m: &Messages, headlines: &[String]) {
    if !headlines.is_empty() {
        text.push('\n');
        text.push_str(&Messages::render(
            &m.closest_articles,
            &[("headlines", &headlines.join(" · "))],
        ));
    }
}
