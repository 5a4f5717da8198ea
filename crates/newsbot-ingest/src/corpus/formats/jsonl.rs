//! JSON Lines: one article object per line, as exports and scrapers write them.
//!
//! Each line is parsed by serde_json on its own, so one bad line is skipped with a warning
//! naming it and the rest of the file still loads. The headline is `headline` or `title`;
//! the text is `body`, `text` or `content` (a string, or a list of paragraphs), split into
//! paragraphs, with any HTML in it cleaned; `date`/`published` and `url`/`link` are kept.

use serde_json::Value;

use super::{html, link, text_blocks, Block, Read, MAX_LINE_WARNINGS};
use crate::accounting::ParseCounts;
use crate::corpus::SeedWarning;
use crate::dates;

fn string(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(k).and_then(Value::as_str))
        .map(str::to_string)
}

fn body_blocks(text: &str) -> Vec<Block> {
    if html::looks_like_html(text) {
        html::fragment_blocks(text)
    } else {
        text_blocks(text)
    }
}

/// Why a line is not an article, or the article.
fn record(
    v: &Value,
    counts: &mut ParseCounts,
) -> Result<Option<crate::corpus::RawArticle>, String> {
    if !v.is_object() {
        return Err("is not a JSON object".into());
    }
    let body = ["body", "text", "content"].iter().find_map(|k| v.get(k));
    let blocks: Vec<Block> = match body {
        Some(Value::String(s)) => body_blocks(s),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .flat_map(body_blocks)
            .collect(),
        _ => return Err("has no \"body\", \"text\" or \"content\" text".into()),
    };
    let headline = string(v, &["headline", "title"]).map(|h| html::fragment_text(&h));
    let date = string(v, &["date", "published", "published_at", "pubDate"])
        .and_then(|d| dates::normalize(&d));
    let url = string(v, &["url", "link"]).and_then(|u| link(&u));
    Ok(super::article(headline, blocks, date, url, counts))
}

pub fn read(name: &str, text: &str) -> Result<Read, SeedWarning> {
    let mut r = Read::default();
    let mut bad = 0usize;
    let mut empty = 0usize;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        r.counts.records += 1;
        let outcome = serde_json::from_str::<Value>(line)
            .map_err(|e| format!("is not valid JSON ({e})"))
            .and_then(|v| record(&v, &mut r.counts));
        let problem = match outcome {
            Ok(Some(a)) => {
                r.articles.push(a);
                continue;
            }
            Ok(None) => {
                empty += 1;
                "is a record with no paragraph text".to_string()
            }
            Err(problem) => {
                bad += 1;
                problem
            }
        };
        r.counts.dropped += 1;
        if r.counts.dropped <= MAX_LINE_WARNINGS {
            r.warnings
                .push(SeedWarning::partial(name, Some(i + 1), problem));
        }
    }
    if r.counts.dropped > MAX_LINE_WARNINGS {
        r.warnings.push(SeedWarning::partial(
            name,
            None,
            format!(
                "{} more records left out (bad or empty lines)",
                r.counts.dropped - MAX_LINE_WARNINGS
            ),
        ));
    }
    if r.articles.is_empty() && bad > 0 && bad + empty == r.counts.records && empty == 0 {
        // Nothing in it reads: malformed as a whole, so say so once, not per line.
        return Err(SeedWarning::skipped(
            name,
            "is not JSON Lines (no line is an article object)",
        ));
    }
    r.empty_reason = "holds no article text";
    Ok(r)
}
