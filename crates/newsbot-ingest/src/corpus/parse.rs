//! Seed text → articles: promo separators, layouts, headlines and section headings.

use super::*;

/// Splits cleaned text into the articles it holds.
pub fn parse_text(text: &str) -> Vec<RawArticle> {
    parse_text_counted(text).0
}

/// Like [`parse_text`], also counting what the lines turned out to be.
pub fn parse_text_counted(text: &str) -> (Vec<RawArticle>, ParseCounts) {
    let clean = normalize_whitespace(text);
    let mut counts = ParseCounts::default();
    // Promo lines separate articles; a promo glued to the end of a paragraph is cut off and
    // still separates.
    let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
    let mut pieces: Vec<String> = Vec::new();
    for line in clean.split('\n') {
        if !line.is_empty() {
            counts.lines += 1;
        }
        if PROMO.is_match(line) {
            counts.promo_lines += 1;
            let mut last = 0;
            for m in PROMO.find_iter(line) {
                pieces.push(format!("{}\u{0}", &line[last..m.start()]));
                last = m.end();
            }
            pieces.push(line[last..].to_string());
        } else {
            pieces.push(line.to_string());
        }
    }
    for piece in &pieces {
        // \0 marks "a promo followed this text": the chunk ends after it.
        if let Some(before) = piece.strip_suffix('\u{0}') {
            let before = before.trim();
            if !before.is_empty() {
                chunks.last_mut().expect("non-empty").push(before);
            }
            chunks.push(Vec::new());
        } else {
            chunks.last_mut().expect("non-empty").push(piece.trim());
        }
    }
    let articles = chunks
        .iter()
        .filter_map(|lines| split_chunk(lines, &mut counts))
        .collect();
    (articles, counts)
}

/// Words that mark a short line as a sentence rather than a heading: subject pronouns,
/// finite auxiliaries and reporting verbs. Section headings are noun phrases ("Outages that
/// defined 2025", "The smoke and mirrors of the digital infrastructure"); a one-line
/// paragraph such as "Federer said he needed surgery on an injured knee" almost always has
/// one of these. A heading misread as a passage costs little; a sentence misread as a
/// heading is lost, so a line with any of these is a passage.
const SENTENCE_WORDS: &[&str] = &[
    "i",
    "he",
    "she",
    "we",
    "they",
    "you",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "did",
    "does",
    "been",
    "said",
    "says",
    "told",
    "added",
    "stated",
    "explained",
    "noted",
    "according",
];

fn has_sentence_word(line: &str) -> bool {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 9)
        .any(|w| SENTENCE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// A heading looks like one: a short single line, without closing punctuation, starting with
/// a capital, a digit or a quote, and with no sign of being a sentence.
fn looks_like_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let first = line.chars().next();
    (1..=HEADING_MAX_WORDS).contains(&words)
        && line.chars().count() <= HEADING_MAX_CHARS
        && !line.ends_with(['.', '!', '?', ':', ';', ',', '…', '"', '”', ')'])
        && first.is_some_and(|c| c.is_uppercase() || c.is_numeric() || "‘'\"“".contains(c))
        && !has_sentence_word(line)
}

/// A " – Site name." (or " — Site", " | Site", " - Site") tail on a headline: up to four
/// capitalised words after a dash or bar, with an optional final period.
static SITE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\S+(?:\s+\S+)+?)\s+[–—|-]\s+\p{Lu}[\p{L}\p{N}&.'’-]*(?:\s+[\p{Lu}\p{N}&][\p{L}\p{N}&.'’-]*){0,3}\s*\.?$",
    )
    .expect("site suffix regex")
});

/// The headline without its site suffix, if it has one.
fn without_site_suffix(line: &str) -> Option<&str> {
    // Most headlines have no separator at all; skip the regex for them.
    if ![" – ", " — ", " | ", " - "]
        .iter()
        .any(|s| line.contains(s))
    {
        return None;
    }
    SITE_SUFFIX
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// The headline as shown: site suffix and a lone final period removed ("…", "!" and "?"
/// stay: they are part of the headline).
fn shown_headline(line: &str) -> String {
    let h = without_site_suffix(line).unwrap_or(line).trim();
    match h.strip_suffix('.') {
        Some(rest) if !rest.ends_with('.') => rest.trim_end().to_string(),
        _ => h.to_string(),
    }
}

/// One blank-line-separated block (or one line, in the one-paragraph-per-line layout).
struct Block {
    text: String,
    lines: usize,
}

/// Whether the first block is the article's headline. The layout decides, not the final
/// character: a short single line followed by longer text (the rest of the article) is a
/// headline even when it ends in
/// "." or "…", unless it is plainly a sentence (final punctuation and a sentence word). A
/// site suffix marks a headline in either layout. With one paragraph per line there is no
/// blank line to go by, so the line must look like a heading.
fn is_headline(blocks: &[Block], blank_layout: bool) -> bool {
    let [first, rest @ ..] = blocks else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    let text = first.text.as_str();
    let chars = text.chars().count();
    if first.lines != 1
        || text.split_whitespace().count() > HEADLINE_MAX_WORDS
        || chars > HEADLINE_MAX_CHARS
    {
        return false;
    }
    if without_site_suffix(text).is_some() {
        return true;
    }
    if !blank_layout {
        return looks_like_heading(text);
    }
    let sentence = text.ends_with(['.', '!', '?']) && has_sentence_word(text);
    // Longer text follows: stop counting as soon as it is.
    let mut following = 0;
    !sentence
        && rest.iter().any(|b| {
            following += b.text.chars().count();
            following > chars
        })
}

fn split_chunk(lines: &[&str], counts: &mut ParseCounts) -> Option<RawArticle> {
    // Trim blank lines at both ends, then decide the layout: any inner blank line means
    // blank-line-separated paragraphs (which may wrap over several lines); none means one
    // paragraph per line.
    let start = lines.iter().position(|l| !l.is_empty())?;
    let end = lines.iter().rposition(|l| !l.is_empty())?;
    let lines = &lines[start..=end];
    let blank_layout = lines.iter().any(|l| l.is_empty());
    // In the blank-line layout a `Date:` line sits directly under the headline, inside the
    // headline's block: take it out first, so the headline stays a headline of one line.
    let mut date = None;
    let owned: Vec<&str>;
    let lines = match (blank_layout, lines) {
        (true, [first, second, ..]) if !first.is_empty() && !second.is_empty() => {
            match date_line(second) {
                Some(d) => {
                    date = Some(d);
                    counts.dates += 1;
                    owned = std::iter::once(*first)
                        .chain(lines[2..].iter().copied())
                        .collect();
                    &owned[..]
                }
                None => lines,
            }
        }
        _ => lines,
    };
    let blocks: Vec<Block> = if blank_layout {
        lines
            .split(|l| l.is_empty())
            .filter(|b| !b.is_empty())
            .map(|b| Block {
                text: squash(&b.join(" ")),
                lines: b.len(),
            })
            .collect()
    } else {
        lines
            .iter()
            .map(|l| Block {
                text: l.to_string(),
                lines: 1,
            })
            .collect()
    };

    let headline = is_headline(&blocks, blank_layout).then(|| shown_headline(&blocks[0].text));
    let mut body = &blocks[usize::from(headline.is_some())..];
    // A `Date:` line right under the headline dates the article; it is not a passage.
    if let (None, Some(_), [first, rest @ ..]) = (&date, &headline, body) {
        if let Some(d) = (first.lines == 1 && !rest.is_empty())
            .then(|| date_line(&first.text))
            .flatten()
        {
            date = Some(d);
            counts.dates += 1;
            body = rest;
        }
    }
    let mut section: Option<String> = None;
    let mut paragraphs = Vec::new();
    for (i, block) in body.iter().enumerate() {
        // Never the last line: a heading heads something.
        if i + 1 < body.len() && block.lines == 1 && looks_like_heading(&block.text) {
            section = Some(block.text.clone());
            counts.headings += 1;
            continue;
        }
        paragraphs.push(Paragraph {
            text: block.text.clone(),
            section: section.clone(),
        });
    }
    counts.headlines += usize::from(headline.is_some());
    counts.paragraphs += paragraphs.len();
    // The last block is always a paragraph, so a chunk with any text is an article.
    (!paragraphs.is_empty()).then_some(RawArticle {
        headline,
        paragraphs,
        date,
        url: None,
    })
}

/// The date of a `Date: …` line, if the line is one and the date reads.
fn date_line(line: &str) -> Option<String> {
    let (key, value) = line.split_once(':')?;
    key.trim()
        .eq_ignore_ascii_case("date")
        .then(|| crate::dates::normalize(value))
        .flatten()
}

/// Derives a short readable headline from an article's opening sentence, for articles that
/// no file gives a headline. A long sentence is cut at a clause boundary ("…, fuelled by",
/// "… that has …") so the result still reads as a headline, and only then by length.
pub fn derive_headline(first_paragraph: &str) -> String {
    const MAX: usize = 64;
    let sentence = first_paragraph
        .split_inclusive(". ")
        .next()
        .unwrap_or(first_paragraph)
        .trim()
        .trim_end_matches('.');
    if sentence.chars().count() <= MAX {
        return sentence.to_string();
    }
    let boundaries = [
        ", ", " that ", " which ", " as ", " after ", " amid ", " to ", " with ",
    ];
    let best = boundaries
        .iter()
        .flat_map(|b| sentence.match_indices(b).map(|(i, _)| i))
        .filter(|&i| (24..=MAX).contains(&sentence[..i].chars().count()))
        .max();
    match best {
        Some(i) => sentence[..i].to_string(),
        None => truncate_words(sentence, MAX),
    }
}
