//! Question analysis with regexes: what kind of span answers the question ("how much" →
//! money, "when" → a date, …) and where such spans are in a paragraph. A paragraph holding a
//! span of the asked-for kind is more likely the answer, and the span is highlighted.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerType {
    Money,
    Quantity,
    Count,
    Date,
    Name,
    Place,
    Website,
    Percent,
    Next,
    Reason,
    List,
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("answer regex")
}

const MONTHS: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";
const NUMBER_WORDS: &str = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty|hundred|hundreds|thousands|millions|dozens";

// Case-insensitive patterns over the question as typed, so match offsets are offsets into
// the question (the type words they cover, "which country", are not words to look for).
static DETECT: LazyLock<Vec<(Regex, AnswerType)>> = LazyLock::new(|| {
    vec![
        (
            re(
                r"(?i)\bwhat(?:'s|’s| is| was)? (?:the )?(?:share|percentage|proportion)\b|\bwhat percent",
            ),
            AnswerType::Percent,
        ),
        (
            re(r"(?i)\bhow much (?:data|information|storage|space|energy|power)\b"),
            AnswerType::Quantity,
        ),
        (
            re(
                r"(?i)\bhow much\b|\bwhat (?:was|is|were) the (?:fine|amount|cost|price|value|penalty|sum)\b|\bhow (?:big|large) (?:was|is) the (?:fine|deal|investment|penalty)\b",
            ),
            AnswerType::Money,
        ),
        (
            re(r"(?i)\bhow many\b|\bwhat number of\b"),
            AnswerType::Count,
        ),
        (
            re(
                r"(?i)^\s*when\b|\b(?:what|which) (?:year|date|month|day)\b|\bsince when\b|\bhow long ago\b",
            ),
            AnswerType::Date,
        ),
        (
            re(r"(?i)\b(?:which|what) (?:website|site|domain|web ?site|url)\b"),
            AnswerType::Website,
        ),
        (
            re(
                r"(?i)^\s*where\b|\b(?:which|what) (?:country|countries|city|cities|region|regions|markets?|place)\b|\bin which (?:country|countries|city|region)\b",
            ),
            AnswerType::Place,
        ),
        (
            re(
                r"(?i)^\s*who(?:m|se)?\b|\b(?:which|what) (?:company|companies|firm|firms|person|people|official|officials|executive|body|bodies|organi[sz]ation|agency|agencies|regulator|authority|authorities|group|platform|platforms|brand|brands|vendors?|suppliers?|laws?|acts?|groups?)\b",
            ),
            AnswerType::Name,
        ),
        (
            re(
                r"(?i)\bwhat (?:happens|comes|is) next\b|\bwhat(?:'s|’s| is) next\b|\bnext steps?\b|\bwhat will happen\b|\bwhat (?:could|might|will) .{1,60}\b(?:do|happen) next\b",
            ),
            AnswerType::Next,
        ),
        (
            re(r"(?i)^\s*why\b|\bwhat (?:caused|prompted|led to)\b|\bfor what reason\b"),
            AnswerType::Reason,
        ),
    ]
});

/// The kind of span that answers `question`, if its wording says.
pub fn detect(question: &str) -> Option<AnswerType> {
    detect_at(question).map(|(t, _)| t)
}

/// Nouns that only name the kind of answer wanted ("which *country*"): dropped from the
/// words to look for when they stand in the words that set the answer type.
pub const TYPE_NOUNS: &[&str] = &[
    "country",
    "countries",
    "city",
    "cities",
    "region",
    "regions",
    "place",
    "year",
    "date",
    "month",
    "day",
    "website",
    "site",
    "domain",
    "url",
    "share",
    "percentage",
    "proportion",
    "company",
    "companies",
    "firm",
    "firms",
    "person",
    "people",
    "body",
    "bodies",
    "organisation",
    "organization",
    "group",
    "number",
];

/// Like [`detect`], with the byte range of the words that said so ("which country").
pub fn detect_at(question: &str) -> Option<(AnswerType, std::ops::Range<usize>)> {
    DETECT
        .iter()
        .find_map(|(r, t)| r.find(question).map(|m| (*t, m.range())))
        .or_else(|| list_question(question).map(|r| (AnswerType::List, r)))
}

static WHAT_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:what|which)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?([a-z\-]+)(?:\s+([a-z\-]+))?",
    )
});
const AUX: &[&str] = &[
    "is", "was", "are", "were", "did", "do", "does", "has", "have", "had", "will", "can", "could",
    "should", "would", "happens", "happened", "kind", "type",
];

/// "What products…", "which messaging apps…", "what kinds of attacks…": several things are
/// asked for, so an enumeration answers. Tried last, so any sharper kind wins.
fn list_question(question: &str) -> Option<std::ops::Range<usize>> {
    let c = WHAT_NOUN.captures(question)?;
    let first = c.get(1)?;
    if AUX.contains(&first.as_str().to_lowercase().as_str()) {
        return None;
    }
    let plural = |w: &str| {
        let w = w.to_lowercase();
        (w.ends_with('s') && !w.ends_with("ss"))
            || ["data", "information", "details"].contains(&w.as_str())
    };
    match c.get(2) {
        Some(second)
            if !AUX.contains(&second.as_str().to_lowercase().as_str())
                && plural(second.as_str()) =>
        {
            Some(0..first.start())
        }
        _ if plural(first.as_str()) => Some(0..first.start()),
        _ => None,
    }
}

static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"[€£$¥]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|bn|m|k)\b)?|\b\d[\d,.]*\s?(?:million|billion|trillion)?\s?(?:dollars?|euros?|pounds?|yuan|won|francs?|USD|EUR|GBP)\b|\b(?:{NUMBER_WORDS}) (?:million|billion|trillion) (?:dollars?|euros?|pounds?)\b"
    ))
});
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d[\d,.]*\s?(?:million|billion)?\s?(?:terabytes?|gigabytes?|petabytes?|megabytes?|TB|GB|PB|MB|tonnes?|tons?|kilometres?|km|megawatts?|MW|gigawatts?|GW|hours?|days?)\b",
    )
});
static COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s(?:million|billion|thousand|hundred))?\b|\b(?:{NUMBER_WORDS})(?:\s(?:million|billion|thousand))?\b"
    ))
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:19|20)\d{2}$"));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:\d{{1,2}}\s)?(?:{MONTHS})(?:\s\d{{1,2}})?(?:,?\s(?:19|20)\d{{2}})?\b|\b(?:in|since|from|by|until|during|mid-|early|late)\s?(?:19|20)\d{{2}}\b|\b(?:19|20)\d{{2}}\b|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\bFY\d{{2,4}}(?:/\d{{2,4}})?"
    ))
});
static NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b[A-Z][\p{Ll}\-’']+(?:\s(?:[A-Z][\p{Ll}\-’']+|de|van|von|of|and)){0,3}\s[A-Z][\p{Ll}\-’']+\b|\b[A-Z]{3,}[a-z]?[A-Z]*\b|\b[A-Z][a-z]+[A-Z][A-Za-z]+\b",
    )
});
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:in|at|from|across|near|to|throughout)\s(?:the\s)?([A-Z][\p{Ll}]+(?:\s[A-Z][\p{Ll}]+)?)",
    )
});
static NOT_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(?:{MONTHS}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|The|This|That|These|Some|Its|Their|His|Her)\b"
    ))
});
static WEBSITE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|fr|uk|de|eu|gov|co|info|ai|app)\b",
    )
});
static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)|\b(?:half|a third|a quarter|one in \w+|two-thirds)\b",
    )
});
static REASON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:because|after|due to|prompting|following|amid|as a result|in response to|over concerns?|concerns? (?:over|about)|led to|so that|in order to|highlighted the dangers)\b",
    )
});
static NEXT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:next|now|plans? to|planned|expected|expects|aims?|upcoming|future|later|negotiations?|begin|will (?:now|soon|then)|may|might|could)\b",
    )
});

/// Enumerations such as "names, email addresses, phone numbers and order history": two or
/// more short comma-separated items, the last introduced by "and" or "or". Scanned by hand:
/// the equivalent regex needs bounded repeats that made it the slowest step of a query.
fn enumerations(paragraph: &str) -> Vec<(usize, usize)> {
    const MAX_ITEM: usize = 40;
    let mut out = Vec::new();
    // Split into clauses at characters that end a list; commas separate items within one.
    let mut clause_start = 0;
    for (i, c) in paragraph.char_indices().chain([(paragraph.len(), '.')]) {
        if !matches!(c, '.' | ';' | ':' | '!' | '?') {
            continue;
        }
        let clause = &paragraph[clause_start..i];
        let items: Vec<(usize, &str)> = clause
            .split(", ")
            .scan(clause_start, |at, item| {
                let here = *at;
                *at += item.len() + 2;
                Some((here, item))
            })
            .collect();
        // Find runs of short items ending in an item that starts with and/or.
        let mut run_start: Option<usize> = None;
        for (k, &(at, item)) in items.iter().enumerate() {
            let short = item.chars().count() <= MAX_ITEM;
            let last = item.starts_with("and ") || item.starts_with("or ");
            if k > 0 && (last || item.contains(" and ") || item.contains(" or ")) {
                if let Some(first) = run_start {
                    if k - first >= 2 {
                        let (s0, first_item) = items[first];
                        // The first item may carry words before the list ("includes names").
                        let lead = first_item.rfind(' ').map_or(0, |p| p + 1);
                        let end = at + item.find(['.', ';']).unwrap_or(item.len());
                        out.push((s0 + lead, end.min(i)));
                    }
                }
                run_start = None;
                continue;
            }
            match (short || k == 0, run_start) {
                (true, None) => run_start = Some(k),
                (false, _) => run_start = None,
                _ => {}
            }
        }
        clause_start = (i + 1).min(paragraph.len());
    }
    out
}

/// Byte spans of `paragraph` that are answers of kind `t`.
pub fn spans(t: AnswerType, paragraph: &str) -> Vec<(usize, usize)> {
    let all = |r: &Regex| -> Vec<(usize, usize)> {
        r.find_iter(paragraph)
            .map(|m| (m.start(), m.end()))
            .collect()
    };
    match t {
        AnswerType::Money => all(&MONEY),
        AnswerType::Quantity => {
            let mut v = all(&QUANTITY);
            v.extend(all(&MONEY));
            v
        }
        AnswerType::Count => {
            // Numbers that are part of a date ("30 November 2025") count nothing.
            let dates = all(&DATE);
            COUNT
                .find_iter(paragraph)
                .filter(|m| !YEAR.is_match(m.as_str()))
                .filter(|m| !dates.iter().any(|&(s, e)| s <= m.start() && m.end() <= e))
                .map(|m| (m.start(), m.end()))
                .collect()
        }
        AnswerType::Date => all(&DATE),
        AnswerType::Name => all(&NAME),
        AnswerType::Place => PLACE
            .captures_iter(paragraph)
            .filter_map(|c| c.get(1))
            .filter(|m| !NOT_PLACE.is_match(m.as_str()))
            .map(|m| (m.start(), m.end()))
            .collect(),
        AnswerType::Website => all(&WEBSITE),
        AnswerType::Percent => all(&PERCENT),
        AnswerType::Next => all(&NEXT),
        AnswerType::Reason => all(&REASON),
        AnswerType::List => enumerations(paragraph),
    }
}

#[cfg(test)]
mod tests;
