//! Markdown: a note or an article saved as `.md`, with optional YAML (`---`) or TOML
//! (`+++`) front matter. pulldown-cmark parses the CommonMark; the markup is dropped and
//! the text of each block kept.
//!
//! A file is one article, or one per `# ` section when it has several. Its headline is the
//! front matter's `title`, else the first `# ` line; `##` and deeper headings are section
//! headings. `date` and `url` (or `link`) come from the front matter.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{clean, link, Block, Read};
use crate::accounting::ParseCounts;
use crate::corpus::SeedWarning;
use crate::dates;

/// Front matter longer than this is not front matter anyone wrote by hand.
const MAX_FRONT_MATTER: usize = 64 * 1024;

/// What the front matter says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Front {
    pub title: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
}

/// Splits `---` YAML or `+++` TOML front matter off the top of `text`: (front matter, its
/// kind is YAML, the body).
fn split_front(text: &str) -> Option<(&str, bool, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fence, yaml) = if text.starts_with("---") {
        ("---", true)
    } else if text.starts_with("+++") {
        ("+++", false)
    } else {
        return None;
    };
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != fence {
        return None;
    }
    let rest = &text[first_end + 1..];
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        let l = line.trim_end();
        if l == fence || (yaml && l == "...") {
            return Some((&rest[..at], yaml, &rest[at + line.len()..]));
        }
        at += line.len();
        if at > MAX_FRONT_MATTER {
            return None;
        }
    }
    None
}

fn scalar_yaml(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_toml(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// A front-matter lookup: the scalar under a key, as text.
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// Parses front matter; `Err` is the parser's message.
fn parse_front(raw: &str, yaml: bool) -> Result<Front, String> {
    let get: Lookup = if yaml {
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(raw).map_err(|e| e.to_string())?;
        Box::new(move |k| v.get(k).and_then(scalar_yaml))
    } else {
        let v: toml::Table = raw
            .parse()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        Box::new(move |k| v.get(k).and_then(scalar_toml))
    };
    Ok(Front {
        title: get("title").map(|t| clean(&t)).filter(|t| !t.is_empty()),
        date: ["date", "published", "pubDate"]
            .iter()
            .find_map(|k| get(k).and_then(|d| dates::normalize(&d))),
        url: ["url", "link", "canonical"]
            .iter()
            .find_map(|k| get(k).and_then(|u| link(&u))),
    })
}

/// One block as Markdown gives it, with the level of a heading.
enum Piece {
    Text(String),
    Heading(HeadingLevel, String),
}

fn pieces(body: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut heading: Option<HeadingLevel> = None;
    let mut html_depth = 0usize;
    let flush = |buf: &mut String, heading: Option<HeadingLevel>, out: &mut Vec<Piece>| {
        let text = clean(buf);
        buf.clear();
        if !text.is_empty() {
            out.push(match heading {
                Some(l) => Piece::Heading(l, text),
                None => Piece::Text(text),
            });
        }
    };
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut buf, None, &mut out);
                heading = Some(level);
            }
            Event::End(TagEnd::Heading(_)) => {
                flush(&mut buf, heading.take(), &mut out);
            }
            Event::Start(
                Tag::Paragraph | Tag::Item | Tag::CodeBlock(_) | Tag::TableRow | Tag::TableHead,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => flush(&mut buf, None, &mut out),
            Event::Start(Tag::TableCell) => buf.push(' '),
            Event::Start(Tag::HtmlBlock) => html_depth += 1,
            Event::End(TagEnd::HtmlBlock) => html_depth = html_depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if html_depth == 0 => buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak => buf.push(' '),
            // Raw HTML is markup, not text; a block of it is left out.
            _ => {}
        }
    }
    flush(&mut buf, None, &mut out);
    out
}

pub fn read(name: &str, text: &str) -> Read {
    let mut warnings = Vec::new();
    let (front, body) = match split_front(text) {
        Some((raw, yaml, body)) => match parse_front(raw, yaml) {
            Ok(f) => (f, body),
            Err(e) => {
                warnings.push(SeedWarning::partial(
                    name,
                    None,
                    format!(
                        "front matter is not valid {} ({}); read without it",
                        if yaml { "YAML" } else { "TOML" },
                        e.lines().next().unwrap_or_default()
                    ),
                ));
                (Front::default(), body)
            }
        },
        None => (Front::default(), text),
    };
    // Articles split at `# ` headings; the first takes the front matter's title.
    let mut sections: Vec<(Option<String>, Vec<Block>)> = vec![(front.title.clone(), Vec::new())];
    for piece in pieces(body) {
        match piece {
            Piece::Heading(HeadingLevel::H1, h) => {
                let current = sections.last_mut().expect("one section at least");
                if !current.1.iter().any(|b| !b.heading) {
                    // Nothing read yet: this heading names the current article, unless the
                    // front matter already did (then the heading is the same title again).
                    if current.0.is_none() {
                        current.0 = Some(h);
                    }
                } else {
                    sections.push((Some(h), Vec::new()));
                }
            }
            Piece::Heading(_, h) => sections
                .last_mut()
                .expect("one section at least")
                .1
                .extend(Block::heading(&h)),
            Piece::Text(t) => sections
                .last_mut()
                .expect("one section at least")
                .1
                .extend(Block::paragraph(&t)),
        }
    }
    let mut counts = ParseCounts::default();
    let articles = sections
        .into_iter()
        .filter_map(|(headline, blocks)| {
            super::article(
                headline,
                blocks,
                front.date.clone(),
                front.url.clone(),
                &mut counts,
            )
        })
        .collect();
    Read {
        articles,
        counts,
        warnings,
        empty_reason: "holds no article text",
    }
}

/// Markdown that reads back as exactly `text`: every character Markdown could take as
/// markup is backslash-escaped (CommonMark lets any ASCII punctuation be), so a feed item
/// cannot smuggle headings, links or HTML into the seed file.
pub fn escape(text: &str) -> String {
    /// Markup wherever it stands: emphasis, code, links, images, HTML, entities, tables.
    const ALWAYS: &str = "\\`*_[]<>#!|~&{}";
    let text = clean(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut digits_only = true;
    for (i, c) in text.chars().enumerate() {
        // At the start of a line any punctuation may open a block (`#`, `-`, `+`, `>`, `=`);
        // "1." or "1)" there opens a list.
        let list_marker = i > 0 && digits_only && matches!(c, '.' | ')');
        if c.is_ascii_punctuation() && (i == 0 || list_marker || ALWAYS.contains(c)) {
            out.push('\\');
        }
        digits_only &= c.is_ascii_digit();
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_headings() {
        let r = read(
            "n.md",
            "---\ntitle: \"Rates: cut at last\"\ndate: 2025-06-24\nurl: https://example.com/rates\n---\n# Rates: cut at last\n\nThe central bank *cut* its rate.\n\n## Markets\n\nShares rose.\n",
        );
        let a = &r.articles[0];
        assert_eq!(a.headline.as_deref(), Some("Rates: cut at last"));
        assert_eq!(a.date.as_deref(), Some("2025-06-24"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/rates"));
        assert_eq!(a.paragraphs[0].text, "The central bank cut its rate.");
        assert_eq!(a.paragraphs[1].section.as_deref(), Some("Markets"));
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn each_h1_section_is_an_article() {
        let r = read("n.md", "# One\n\nFirst text.\n\n# Two\n\nSecond text.\n");
        assert_eq!(r.articles.len(), 2);
        assert_eq!(r.articles[1].headline.as_deref(), Some("Two"));
    }

    #[test]
    fn bad_front_matter_is_a_warning_not_a_loss() {
        let r = read("n.md", "---\ntitle: [unclosed\n---\nSome text here.\n");
        assert_eq!(r.articles.len(), 1);
        assert!(r.warnings[0].problem.contains("YAML"), "{:?}", r.warnings);
    }

    #[test]
    fn escaped_text_reads_back_as_itself() {
        for t in [
            "# not a heading",
            "1. not a list",
            "- nor this",
            "<script>alert(1)</script> [link](http://x) *bold* `code` @everyone",
            "Plain text, with: punctuation; (and) 50% $5 a/b x=y well-known.",
        ] {
            let md = format!("Title\n=====\n\n{}\n", escape(t));
            let r = read("t.md", &md);
            assert_eq!(r.articles[0].paragraphs[0].text, t, "{md}");
        }
    }
}
