//! Stage 5, after scoring: a cross-encoder reads the question with each of the engine's top
//! K passages and the top K are reordered by `logit − w·ln(rank)`.
//!
//! The cross-encoder judges meaning far better than the lexical parts and the cosine, but
//! alone it is worse than the engine on the questions the engine was built for (it has never
//! seen a headline or a date), so the engine's rank stays in the blend as a prior: a passage
//! the engine put first needs a clearly better passage to lose its place. K and w are in
//! [`Tuning`]. Each reranked candidate keeps its logit, for `--json`, the decision and
//! `eval --dump-candidates`.

use crate::reranker::Reranker;
use newsbot_index::embedder::EmbedError;

use super::candidate::Candidate;
use super::tuning::Tuning;

/// What the stage did to one question's candidates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reranked {
    /// How many candidates were scored (0 when skipped).
    pub scored: usize,
    /// The best logit among them: how well anything found answers the question.
    pub best_logit: Option<f32>,
}

/// The blended score of the candidate at 1-based `rank` with cross-encoder `logit`.
pub fn blend(logit: f32, rank: usize, t: &Tuning) -> f32 {
    logit - t.rerank_rank_weight * (rank as f32).ln()
}

/// Whether the engine's first candidate leads the second by the skip margin.
fn engine_is_sure(candidates: &[Candidate], t: &Tuning) -> bool {
    match candidates {
        [first, second, ..] => {
            first.parts.relevance() - second.parts.relevance() >= t.rerank_skip_margin
        }
        _ => false,
    }
}

/// Scores the top `t.rerank_k` candidates with `model` and reorders them by [`blend`]; the
/// candidates below keep their places. Ties keep the engine's order. When the engine's lead
/// is at least `t.rerank_skip_margin`, K shrinks to 1.
pub fn rerank(
    question: &str,
    candidates: &mut [Candidate],
    model: &dyn Reranker,
    t: &Tuning,
) -> Result<Reranked, EmbedError> {
    let k = match t.rerank_k.min(candidates.len()) {
        0 => return Ok(Reranked::default()),
        // The engine is sure: its order stands, and the first passage's logit is all the
        // decision needs.
        _ if engine_is_sure(candidates, t) => 1,
        k => k,
    };
    let texts: Vec<&str> = candidates[..k]
        .iter()
        .map(|c| c.passage.paragraph.as_str())
        .collect();
    let logits = model.score(question, &texts)?;
    if logits.len() != k {
        return Err(EmbedError::Inference(format!(
            "the reranker gave {} scores for {k} passages",
            logits.len()
        )));
    }
    for (c, l) in candidates[..k].iter_mut().zip(&logits) {
        c.rerank = Some(*l);
    }
    let mut order: Vec<(f32, usize)> = logits
        .iter()
        .enumerate()
        .map(|(i, l)| (blend(*l, i + 1, t), i))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let top: Vec<Candidate> = order.iter().map(|(_, i)| candidates[*i].clone()).collect();
    for (slot, c) in candidates[..k].iter_mut().zip(top) {
        *slot = c;
    }
    Ok(Reranked {
        scored: k,
        best_logit: logits.iter().copied().reduce(f32::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reranker::OverlapReranker;
    use newsbot_index::Passage;

    fn cand(text: &str) -> Candidate {
        Candidate {
            passage: Passage {
                rank: 0,
                article_id: "a".into(),
                headline: "h".into(),
                paragraph: text.into(),
                section: None,
                sources: Vec::new(),
                score: 0.0,
                highlights: Vec::new(),
                date: None,
                url: None,
                rerank: None,
            },
            para: 0,
            parts: Default::default(),
            coverage: 0.0,
            cos: None,
            rerank: None,
        }
    }

    fn texts(c: &[Candidate]) -> Vec<&str> {
        c.iter().map(|c| c.passage.paragraph.as_str()).collect()
    }

    #[test]
    fn a_clearly_better_passage_moves_up_and_the_rest_keep_their_places() {
        let t = Tuning {
            rerank_k: 3,
            rerank_rank_weight: 1.0,
            rerank_skip_margin: f32::INFINITY,
            ..Tuning::default()
        };
        let mut c = vec![
            cand("nothing in common"),
            cand("other words"),
            cand("the harbour crane collapsed in rotterdam on monday"),
            cand("harbour crane rotterdam collapsed monday below k"),
        ];
        let r = rerank(
            "when did the harbour crane collapse in rotterdam",
            &mut c,
            &OverlapReranker,
            &t,
        )
        .unwrap();
        assert_eq!(r.scored, 3);
        assert_eq!(
            texts(&c),
            [
                "the harbour crane collapsed in rotterdam on monday",
                "nothing in common",
                "other words",
                "harbour crane rotterdam collapsed monday below k",
            ]
        );
        assert_eq!(c[0].rerank, Some(r.best_logit.unwrap()));
        assert_eq!(c[3].rerank, None, "below K is not scored");
    }

    #[test]
    fn the_rank_prior_keeps_a_near_tie_in_the_engines_order() {
        // Logits 0 and 1 (one and two shared words): with w = 2, 2 ln 2 = 1.39 > 1 keeps
        // the engine's first passage first; without the prior the better one wins.
        let t = Tuning {
            rerank_k: 2,
            rerank_rank_weight: 2.0,
            rerank_skip_margin: f32::INFINITY,
            ..Tuning::default()
        };
        let mut c = vec![cand("crane story"), cand("crane harbour")];
        rerank("crane harbour", &mut c, &OverlapReranker, &t).unwrap();
        assert_eq!(texts(&c), ["crane story", "crane harbour"]);
        let t = Tuning {
            rerank_rank_weight: 0.0,
            ..t
        };
        rerank("crane harbour", &mut c, &OverlapReranker, &t).unwrap();
        assert_eq!(texts(&c), ["crane harbour", "crane story"]);
    }

    #[test]
    fn a_clear_lead_keeps_the_engines_order_and_scores_only_the_first() {
        let t = Tuning {
            rerank_k: 2,
            rerank_rank_weight: 0.0,
            rerank_skip_margin: 1.0,
            ..Tuning::default()
        };
        let mut c = vec![cand("crane story"), cand("crane harbour")];
        c[0].parts.paragraph = 2.0;
        let r = rerank("crane harbour", &mut c, &OverlapReranker, &t).unwrap();
        assert_eq!(r.scored, 1, "only the first, for the decision");
        assert_eq!(texts(&c), ["crane story", "crane harbour"]);
        assert_eq!(c[1].rerank, None);
        c[0].parts.paragraph = 0.5;
        assert_eq!(
            rerank("crane harbour", &mut c, &OverlapReranker, &t)
                .unwrap()
                .scored,
            2
        );
    }

    #[test]
    fn nothing_to_rerank_scores_nothing() {
        let t = Tuning::default();
        let r = rerank("q", &mut [], &OverlapReranker, &t).unwrap();
        assert_eq!(r, Reranked::default());
    }
}
