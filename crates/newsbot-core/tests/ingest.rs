//! Property tests of the reader through its public API: nothing a user wrote is lost, no
//! promo line reaches a passage, and copies of an article merge to every paragraph.

use newsbot_core::corpus::{self, Article, ParsedFile};
use newsbot_core::text::{fingerprint, squash};
use proptest::prelude::*;

/// Body words. None is a promo word; the heading words hold no verb, pronoun or auxiliary,
/// as real section headings ("Outages in the roaring 2020s") do not.
const WORDS: &[&str] = &[
    "market",
    "bank",
    "rates",
    "shares",
    "growth",
    "policy",
    "council",
    "rules",
    "data",
    "security",
    "network",
    "court",
    "budget",
    "energy",
    "trade",
    "index",
    "report",
    "users",
    "cloud",
    "service",
    "prices",
    "investors",
    "quarter",
    "regulators",
    "platform",
    "deal",
    "rose",
    "fell",
    "cut",
    "approved",
    "rejected",
    "expanded",
    "under",
    "after",
    "with",
    "over",
    "new",
    "major",
    "local",
    "digital",
    "global",
    "early",
    "late",
    "first",
    "second",
    "€5",
    "“record”",
    "(partly)",
    "4%",
    "café",
    "naïve",
];
const HEADING_WORDS: &[&str] = &[
    "outages",
    "markets",
    "the",
    "age",
    "of",
    "cloud",
    "infrastructure",
    "new",
    "rules",
    "and",
    "risks",
    "in",
    "roaring",
    "2020s",
    "digital",
    "security",
    "European",
    "policy",
    "what",
    "next",
    "for",
    "trade",
    "energy",
    "shocks",
];
const NAMES: &[&str] = &["Federer", "Lagarde", "The minister", "Ms Chua", "Officials"];
const SUFFIXES: &[&str] = &[
    "",
    ".",
    "…",
    "!",
    " – Example Wire.",
    " | Daily News",
    " — Reuters",
];
const REPORTING: &[&str] = &[
    "said",
    "says",
    "told reporters",
    "has warned",
    "will decide",
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(WORDS)
}

fn heading() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(HEADING_WORDS), 2..7)
        .prop_map(|w| capitalise(&w.join(" ")))
}

/// A paragraph: a long one (never mistakable for a headline), or a one-line sentence of a
/// few words with or without its final period, like the Federer line.
fn paragraph() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(word(), 25..45)
            .prop_map(|w| format!("{}.", capitalise(&w.join(" ")))),
        1 => (
            prop::sample::select(NAMES),
            prop::sample::select(REPORTING),
            prop::collection::vec(word(), 3..8),
            any::<bool>()
        )
            .prop_map(|(n, r, w, period)| {
                format!("{n} {r} {}{}", w.join(" "), if period { "." } else { "" })
            }),
    ]
}

/// The promo in one of its spellings, possibly over two lines.
fn promo() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&[", ", " ", ",\u{a0}"][..]),
        prop::sample::select(&[",", ""][..]),
        prop::sample::select(&["?", "", "!"][..]),
        prop::sample::select(&[" ", "", "\u{a0}", "\n"][..]),
        prop::sample::select(
            &[
                "If so, ask our Diplo chatbot!",
                "If so ask our Diplo chatbot",
                "if so, ask our diplo chatbot?",
                "",
            ][..],
        ),
        any::<bool>(),
    )
        .prop_map(|(a, b, c, d, e, upper)| {
            let p = format!(
                "Would you like to learn more about AI{a}tech{b} and digital diplomacy{c}{d}{e}"
            );
            if upper {
                p.to_uppercase()
            } else {
                p
            }
        })
}

/// One article as text, and the lines of it that must be found again in some passage.
#[derive(Debug, Clone)]
struct Written {
    text: String,
    must_find: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    /// Headline, blank line, blank-line-separated paragraphs (some wrapped over lines).
    Headlined,
    /// Blank-line-separated paragraphs and no headline.
    Blank,
    /// One paragraph per line, no headline.
    PerLine,
    /// A heading-like headline, then one paragraph per line.
    PerLineHeadlined,
}

fn article() -> impl Strategy<Value = Written> {
    (
        prop::sample::select(
            &[
                Layout::Headlined,
                Layout::Blank,
                Layout::PerLine,
                Layout::PerLineHeadlined,
            ][..],
        ),
        heading(),
        prop::sample::select(SUFFIXES),
        prop::collection::vec(
            (
                paragraph(),
                prop::option::weighted(0.2, heading()),
                any::<bool>(),
            ),
            1..8,
        ),
        prop::collection::vec(word(), 25..30),
    )
        .prop_map(|(layout, headline, suffix, body, lead)| {
            let blank = matches!(layout, Layout::Headlined | Layout::Blank);
            let sep = if blank { "\n\n" } else { "\n" };
            let mut blocks: Vec<String> = Vec::new();
            let mut must_find = Vec::new();
            match layout {
                Layout::Headlined => blocks.push(format!("{headline}{suffix}")),
                Layout::PerLineHeadlined => blocks.push(headline),
                _ => {}
            }
            // A headline-less article opens with a long paragraph: a short first line over a
            // blank line is a headline by layout.
            if matches!(layout, Layout::Blank | Layout::PerLine) {
                let lead = format!("{}.", capitalise(&lead.join(" ")));
                must_find.push(lead.clone());
                blocks.push(lead);
            }
            for (i, (para, section, wrap)) in body.iter().enumerate() {
                if let Some(s) = section {
                    if i > 0 {
                        blocks.push(s.clone());
                    }
                }
                if blank && *wrap && para.split(' ').count() > 20 {
                    // Wrapped at a word boundary: each line is found inside the passage.
                    let words: Vec<&str> = para.split(' ').collect();
                    let (a, b) = words.split_at(words.len() / 2);
                    must_find.push(a.join(" "));
                    must_find.push(b.join(" "));
                    blocks.push(format!("{}\n{}", a.join(" "), b.join(" ")));
                } else {
                    must_find.push(para.clone());
                    blocks.push(para.clone());
                }
            }
            Written {
                text: blocks.join(sep),
                must_find,
            }
        })
}

/// The paragraphs one copy keeps.
fn kept_paragraphs<'a>(paras: &'a [String], keep: &[bool]) -> Vec<&'a str> {
    paras
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| p.as_str())
        .collect()
}

fn passages(articles: &[Article]) -> Vec<&str> {
    articles
        .iter()
        .flat_map(|a| a.paragraphs.iter().map(|p| p.text.as_str()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_line_is_found_and_no_promo_is(
        arts in prop::collection::vec((article(), promo(), any::<bool>(), any::<bool>()), 1..6),
        lead_promo in any::<bool>(),
    ) {
        let mut text = String::new();
        if lead_promo {
            text.push_str("Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n");
        }
        let mut must_find = Vec::new();
        for (i, (a, promo, glued, last_promo)) in arts.iter().enumerate() {
            text.push_str(&a.text);
            must_find.extend(a.must_find.iter().cloned());
            if i + 1 < arts.len() || *last_promo {
                // A promo glued to the paragraph it follows, or on lines of its own.
                text.push_str(if *glued { " " } else { "\n\n" });
                text.push_str(promo);
                text.push_str("\n\n");
            }
        }
        let file = corpus::parse_bytes("gen.txt", text.as_bytes())
            .map_err(|w| TestCaseError::fail(w.to_string()))?;
        let articles = corpus::merge(&[file]);
        let all = passages(&articles);
        for line in &must_find {
            let line = squash(line);
            prop_assert!(
                all.iter().any(|p| p.contains(&line)),
                "lost line {line:?}\nin\n{text}\npassages: {all:#?}"
            );
        }
        for p in &all {
            let lower = p.to_lowercase();
            prop_assert!(
                !lower.contains("diplo") && !lower.contains("would you like to learn"),
                "promo in passage {p:?}"
            );
        }
    }

    #[test]
    fn copies_missing_paragraphs_merge_to_every_paragraph(
        paras in prop::collection::vec(prop::collection::vec(word(), 25..40), 3..10),
        copies in prop::collection::vec(
            (prop::collection::vec(any::<prop::sample::Index>(), 0..4), any::<bool>(), any::<bool>()),
            2..5,
        ),
        other in article(),
    ) {
        // Distinct paragraphs: each carries its own number.
        let paras: Vec<String> = paras
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{} in {}.", capitalise(&w.join(" ")), 1900 + i))
            .collect();
        let n = paras.len();
        // Each copy misses up to a third of the paragraphs (enough left for the copies to
        // be recognisably the same), and every paragraph is in some copy.
        let mut kept: Vec<Vec<bool>> = copies
            .iter()
            .map(|(drops, _, _)| {
                let mut keep = vec![true; n];
                for d in drops.iter().take(n / 3) {
                    keep[d.index(n)] = false;
                }
                keep
            })
            .collect();
        for i in 0..n {
            if kept.iter().all(|k| !k[i]) {
                kept[0][i] = true;
            }
        }
        let files: Vec<ParsedFile> = copies
            .iter()
            .zip(&kept)
            .enumerate()
            .map(|(c, ((_, headlined, other_first), keep))| {
                let body = kept_paragraphs(&paras, keep);
                let mut article = body.join("\n\n");
                if *headlined {
                    article = format!("Markets rally as rates fall – Example Wire.\n\n{article}");
                }
                let promo = "\n\nWould you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n\n";
                let text = if *other_first {
                    format!("{}{promo}{article}", other.text)
                } else {
                    format!("{article}{promo}{}", other.text)
                };
                corpus::parse_bytes(&format!("{c:02}.txt"), text.as_bytes()).unwrap()
            })
            .collect();
        let merged = corpus::merge_accounted(&files);
        let holding: Vec<&Article> = merged
            .articles
            .iter()
            .filter(|a| a.paragraphs.iter().any(|p| p.text == paras[0]))
            .collect();
        prop_assert_eq!(holding.len(), 1, "copies were not merged");
        let art = holding[0];
        for p in &paras {
            prop_assert!(
                art.paragraphs.iter().any(|q| fingerprint(&q.text) == fingerprint(p)),
                "merged article lost {:?}", p
            );
        }
        prop_assert_eq!(art.paragraphs.len(), n, "a paragraph is stored twice");
        prop_assert_eq!(art.sources.len(), files.len());
        // Every paragraph read is either indexed or a counted duplicate.
        let read: usize = files.iter().map(|f| f.counts.paragraphs).sum();
        let t = merged.accounting.total;
        prop_assert_eq!(t.paragraphs_indexed + t.duplicates_stored_once, read);
        prop_assert_eq!(
            t.paragraphs_indexed,
            merged.articles.iter().map(|a| a.paragraphs.len()).sum::<usize>()
        );
    }

    #[test]
    fn no_paragraph_is_lost_however_copies_differ(
        paras in prop::collection::vec(prop::collection::vec(word(), 10..30), 1..8),
        copies in prop::collection::vec(prop::collection::vec(any::<bool>(), 8), 1..4),
    ) {
        let paras: Vec<String> = paras
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{} in {}.", capitalise(&w.join(" ")), 1900 + i))
            .collect();
        let files: Vec<ParsedFile> = copies
            .iter()
            .enumerate()
            .filter_map(|(c, keep)| {
                let body = kept_paragraphs(&paras, keep);
                corpus::parse_bytes(&format!("{c}.txt"), body.join("\n\n").as_bytes()).ok()
            })
            .collect();
        let articles = corpus::merge(&files);
        let all = passages(&articles);
        for f in &files {
            for a in &f.articles {
                for p in &a.paragraphs {
                    prop_assert!(all.contains(&p.text.as_str()) || all.iter().any(|q| fingerprint(q) == fingerprint(&p.text)));
                }
            }
        }
    }
}
