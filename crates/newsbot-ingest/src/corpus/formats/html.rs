//! HTML: a saved page's main article, or the HTML inside a feed item or JSON record.
//!
//! scraper (html5ever, the browsers' parsing algorithm) builds the tree, so any tag soup
//! parses. The text is taken from the article element (else `<main>`, else the body), block
//! by block, leaving out navigation, scripts, styles, forms, headers, footers, asides and
//! anything marked as an ad, a share bar or a cookie banner.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};

use super::{clean, link, Block, Read};
use crate::accounting::ParseCounts;
use crate::dates;

/// Elements whose whole subtree is never article text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "footer", "aside", "header", "form",
    "iframe", "svg", "button", "select", "textarea", "object", "embed", "canvas", "dialog", "menu",
];
/// ARIA roles of page furniture.
const DROPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "menu",
];
/// Class or id words (split on `-`, `_` and spaces) that mark furniture: ads, share bars,
/// newsletter boxes, cookie banners, related links, comments.
const DROPPED_WORDS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "sponsored",
    "promo",
    "banner",
    "cookie",
    "cookies",
    "consent",
    "newsletter",
    "subscribe",
    "share",
    "sharing",
    "social",
    "related",
    "comments",
    "popup",
    "modal",
    "breadcrumb",
    "breadcrumbs",
];
/// Elements that start and end a block of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figcaption",
    "address",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "body",
];

fn selector(s: &str) -> Selector {
    Selector::parse(s).expect("a constant, valid selector")
}

static OG_TITLE: LazyLock<Selector> = LazyLock::new(|| selector(r#"meta[property="og:title"]"#));
static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static PUBLISHED: LazyLock<Selector> = LazyLock::new(|| {
    selector(
        r#"meta[property="article:published_time"], meta[itemprop="datePublished"], meta[name="date"], meta[name="pubdate"]"#,
    )
});
static TIME: LazyLock<Selector> = LazyLock::new(|| selector("time[datetime]"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector(r#"link[rel="canonical"]"#));
static OG_URL: LazyLock<Selector> = LazyLock::new(|| selector(r#"meta[property="og:url"]"#));
static ARTICLE: LazyLock<Selector> = LazyLock::new(|| selector("article"));
static MAIN: LazyLock<Selector> = LazyLock::new(|| selector(r#"main, [role="main"]"#));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body"));

/// Scripts and styles hold text that was never meant to be read; they are not counted as
/// furniture left out.
fn is_code(name: &str) -> bool {
    matches!(name, "script" | "style" | "noscript" | "template" | "svg")
}

fn dropped(e: &scraper::node::Element) -> bool {
    if DROPPED.contains(&e.name())
        || e.attr("hidden").is_some()
        || e.attr("aria-hidden") == Some("true")
    {
        return true;
    }
    if e.attr("role")
        .is_some_and(|r| DROPPED_ROLES.contains(&r.trim()))
    {
        return true;
    }
    [e.attr("class"), e.id()]
        .into_iter()
        .flatten()
        .flat_map(|v| v.split(|c: char| c.is_whitespace() || c == '-' || c == '_'))
        .any(|w| DROPPED_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Text inside `root`, block by block. `<br>` breaks a line; two in a row break a paragraph.
pub fn blocks_of(root: ElementRef<'_>) -> Vec<Block> {
    blocks_counting(root, &mut 0)
}

/// [`blocks_of`], adding to `dropped` each element of page furniture left out that held
/// text (a nav bar, a footer, an ad), for the file's account.
fn blocks_counting(root: ElementRef<'_>, dropped_blocks: &mut usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut buf = String::new();
    // The traversal keeps its own stack: deeply nested markup cannot overflow the thread's.
    let mut stack = vec![(*root, false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(t) if !closing => {
                // Source line breaks are spaces in HTML; only <br> breaks a line.
                buf.extend(t.chars().map(|c| if c == '\n' { ' ' } else { c }));
            }
            Node::Element(e) => {
                let name = e.name();
                let block = BLOCKS.contains(&name);
                if !closing {
                    if dropped(e) {
                        let has_text = ElementRef::wrap(node)
                            .is_some_and(|el| el.text().any(|t| !t.trim().is_empty()));
                        *dropped_blocks += usize::from(has_text && !is_code(name));
                        continue;
                    }
                    match name {
                        "br" => buf.push('\n'),
                        "td" | "th" | "img" => buf.push(' '),
                        _ if block => flush(&mut buf, false, &mut out),
                        _ => {}
                    }
                    stack.push((node, true));
                    let children: Vec<_> = node.children().collect();
                    stack.extend(children.into_iter().rev().map(|c| (c, false)));
                } else if block {
                    flush(
                        &mut buf,
                        matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"),
                        &mut out,
                    );
                }
            }
            _ => {}
        }
    }
    flush(&mut buf, false, &mut out);
    out
}

/// Ends the current block: lines separated by a blank line (two `<br>`) are paragraphs of
/// their own, single line breaks join with a space.
fn flush(buf: &mut String, heading: bool, out: &mut Vec<Block>) {
    if buf.trim().is_empty() {
        buf.clear();
        return;
    }
    let lines: Vec<&str> = buf.split('\n').collect();
    for part in lines.split(|l| l.trim().is_empty()) {
        let text = part.join(" ");
        let block = if heading {
            Block::heading(&text)
        } else {
            Block::paragraph(&text)
        };
        out.extend(block);
    }
    buf.clear();
}

/// An HTML fragment (a feed item's content) as blocks.
pub fn fragment_blocks(html: &str) -> Vec<Block> {
    let doc = Html::parse_fragment(html);
    blocks_of(doc.root_element())
}

/// An HTML fragment (a title that may hold markup or entities) as one line of text.
pub fn fragment_text(html: &str) -> String {
    let blocks = fragment_blocks(html);
    clean(
        &blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Whether text looks like it holds HTML markup rather than plain text.
pub fn looks_like_html(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "<p", "<br", "<div", "</", "<li", "<h2", "<h3", "&amp;", "&nbsp;", "&#",
    ]
    .iter()
    .any(|m| t.contains(m))
}

fn text_of(e: ElementRef<'_>) -> String {
    clean(&e.text().collect::<String>())
}

fn first_attr(doc: &Html, sel: &Selector, attr: &str) -> Option<String> {
    doc.select(sel)
        .filter_map(|e| e.value().attr(attr))
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

/// A saved web page: its main article, with headline, date and link when the page says.
pub fn read(text: &str) -> Read {
    let doc = Html::parse_document(text);
    let headline = first_attr(&doc, &OG_TITLE, "content")
        .map(|t| clean(&t))
        .or_else(|| doc.select(&H1).map(text_of).find(|t| !t.is_empty()))
        .or_else(|| doc.select(&TITLE).map(text_of).find(|t| !t.is_empty()));
    let date = first_attr(&doc, &PUBLISHED, "content")
        .and_then(|d| dates::normalize(&d))
        .or_else(|| {
            doc.select(&TIME)
                .filter_map(|e| e.value().attr("datetime"))
                .find_map(dates::normalize)
        });
    let url = first_attr(&doc, &CANONICAL, "href")
        .and_then(|u| link(&u))
        .or_else(|| first_attr(&doc, &OG_URL, "content").and_then(|u| link(&u)));
    // The page's article: the <article> with the most text (a page may hold small teaser
    // articles too), else <main>, else the body.
    let scope = doc
        .select(&ARTICLE)
        .max_by_key(|a| a.text().map(str::len).sum::<usize>())
        .or_else(|| doc.select(&MAIN).next())
        .or_else(|| doc.select(&BODY).next())
        .unwrap_or_else(|| doc.root_element());
    let mut furniture = 0;
    let mut blocks = blocks_counting(scope, &mut furniture);
    // The headline is shown as the headline, not again as a heading or passage.
    if let Some(h) = &headline {
        blocks.retain(|b| &b.text != h);
    }
    let mut counts = ParseCounts {
        dropped: furniture,
        ..ParseCounts::default()
    };
    let articles = super::article(headline, blocks, date, url, &mut counts)
        .into_iter()
        .collect();
    Read {
        articles,
        counts,
        warnings: Vec::new(),
        empty_reason:
            "holds no article text (no paragraphs outside navigation, scripts and footers)",
    }
}
