//! Each format read into articles, bad input as warnings, and no input that panics.

use proptest::prelude::*;

use crate::corpus::{parse_bytes, ParsedFile};
use crate::dates;

const PAGE: &str = r#"<!doctype html><html><head>
<title>Page title | Site</title>
<meta property="og:title" content="Harbour cranes go electric">
<meta property="article:published_time" content="2025-03-02T08:00:00+01:00">
<link rel="canonical" href="https://news.example/cranes">
<style>p { color: red }</style><script>var x = "<p>not text</p>";</script>
</head><body>
<nav><p>Home · World · Business</p></nav>
<div class="ad-slot"><p>Buy now!</p></div>
<article><h1>Harbour cranes go electric</h1>
<p>The port of Exampleton replaced its diesel cranes with electric ones.</p>
<h2>Costs</h2><p>The switch cost &euro;40 million,<br>paid over ten years.</p>
<aside><p>Related: other ports</p></aside>
</article>
<footer><p>© Example News</p></footer>
</body></html>"#;

#[test]
fn html_keeps_the_article_and_drops_the_furniture() {
    let f = parse_bytes("page.html", PAGE.as_bytes()).unwrap();
    let a = &f.articles[0];
    assert_eq!(a.headline.as_deref(), Some("Harbour cranes go electric"));
    assert_eq!(a.date.as_deref(), Some("2025-03-02T07:00:00Z"));
    assert_eq!(a.url.as_deref(), Some("https://news.example/cranes"));
    let texts: Vec<&str> = a.paragraphs.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "The port of Exampleton replaced its diesel cranes with electric ones.",
            "The switch cost €40 million, paid over ten years."
        ]
    );
    assert_eq!(a.paragraphs[1].section.as_deref(), Some("Costs"));
}

#[test]
fn jsonl_skips_only_the_bad_line() {
    let text = concat!(
        r#"{"title": "Rates cut", "body": "The bank cut rates.\n\nShares rose.", "date": "2025-01-05", "url": "https://x.example/r"}"#,
        "\n{not json\n",
        r#"{"headline": "No body here"}"#,
        "\n",
        r#"{"headline": "Listed", "text": ["One paragraph.", "<p>Two</p><p>Three</p>"]}"#,
        "\n"
    );
    let f = parse_bytes("dump.jsonl", text.as_bytes()).unwrap();
    assert_eq!(f.articles.len(), 2);
    assert_eq!(f.articles[0].paragraphs.len(), 2);
    assert_eq!(f.articles[0].date.as_deref(), Some("2025-01-05"));
    assert_eq!(f.articles[1].paragraphs.len(), 3);
    let lines: Vec<Option<usize>> = f.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [Some(2), Some(3)]);
    assert!(f.warnings[0]
        .to_string()
        .starts_with("dump.jsonl: line 2: is not valid JSON"));
    assert!(parse_bytes("bad.jsonl", b"{nope\n[1,2]\n").is_err());
}

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Ferry strike ends</title><link>https://wire.example/ferry</link>
<pubDate>Tue, 04 Mar 2025 09:30:00 GMT</pubDate>
<description>&lt;p&gt;Ferry crews returned to work on Tuesday.&lt;/p&gt;&lt;p&gt;Talks go on.&lt;/p&gt;</description></item>
<item><title>Empty</title><description></description></item>
</channel></rss>"#;

#[test]
fn feeds_give_one_article_per_item() {
    let f = parse_bytes("wire.rss", RSS.as_bytes()).unwrap();
    assert_eq!(f.articles.len(), 1);
    let a = &f.articles[0];
    assert_eq!(a.headline.as_deref(), Some("Ferry strike ends"));
    assert_eq!(a.date.as_deref(), Some("2025-03-04T09:30:00Z"));
    assert_eq!(a.url.as_deref(), Some("https://wire.example/ferry"));
    assert_eq!(a.paragraphs.len(), 2);
    let bad = parse_bytes("broken.xml", b"<rss><channel><item><title>x</item>").unwrap_err();
    assert!(
        bad.problem.contains("not a valid RSS or Atom feed"),
        "{bad}"
    );
}

#[test]
fn a_huge_file_is_capped_with_a_warning() {
    // Past the cap sits a comment, cheap to parse, so the test stays quick.
    let mut page = String::from("<html><body><article><p>The real text comes first.</p><!--");
    page.push_str(&"x".repeat(super::MAX_MARKUP_BYTES));
    page.push_str("--></article></body></html>");
    let f = parse_bytes("huge.html", page.as_bytes()).unwrap();
    assert!(
        f.warnings
            .iter()
            .any(|w| w.problem.contains("only the first 32 MB")),
        "{:?}",
        f.warnings
    );
    assert_eq!(f.bytes, page.len() as u64);
    assert_eq!(
        f.articles[0].paragraphs[0].text,
        "The real text comes first."
    );
}

#[test]
fn a_feed_with_too_many_items_is_capped() {
    let mut rss = String::from("<rss version=\"2.0\"><channel><title>t</title>");
    for i in 0..super::MAX_ARTICLES_PER_FILE + 5 {
        rss.push_str(&format!("<item><title>Item {i}</title><description>Body number {i} of the feed.</description></item>"));
    }
    rss.push_str("</channel></rss>");
    let f = parse_bytes("many.xml", rss.as_bytes()).unwrap();
    assert_eq!(f.articles.len(), super::MAX_ARTICLES_PER_FILE);
    assert!(f
        .warnings
        .iter()
        .any(|w| w.problem.contains("the last 5 were left out")));
}

#[test]
fn txt_date_lines_date_the_article() {
    let f = parse_bytes(
        "d.txt",
        b"Port reopens after storm\nDate: 2025-02-01\n\nThe port reopened on Saturday after the storm passed.\n",
    );
    // One paragraph per line: the headline needs no blank line under it.
    let f = f.unwrap();
    let a = &f.articles[0];
    assert_eq!(a.headline.as_deref(), Some("Port reopens after storm"));
    assert_eq!(a.date.as_deref(), Some("2025-02-01"));
    assert_eq!(a.paragraphs.len(), 1);
    assert_eq!(f.counts.dates, 1);
}

/// What any parse that succeeds must give, whatever the input: paragraphs with text,
/// trimmed; headlines with text; dates in the one form the index stores.
fn well_formed(
    name: &str,
    parsed: Result<ParsedFile, impl std::fmt::Debug>,
) -> Result<(), TestCaseError> {
    let Ok(f) = parsed else { return Ok(()) };
    prop_assert_eq!(&f.name, name);
    for a in &f.articles {
        prop_assert!(
            a.headline.as_deref().is_none_or(|h| !h.trim().is_empty()),
            "{:?}",
            a.headline
        );
        for p in &a.paragraphs {
            prop_assert!(
                !p.text.is_empty() && p.text.trim() == p.text,
                "{:?}",
                p.text
            );
        }
        if let Some(d) = &a.date {
            prop_assert!(dates::timestamp(d).is_some(), "date {:?}", d);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_format_panics_on_arbitrary_text(s in "\\PC{0,400}", ext in prop::sample::select(vec!["md", "html", "jsonl", "xml", "rss", "atom", "txt"])) {
        let name = format!("f.{ext}");
        well_formed(&name, parse_bytes(&name, s.as_bytes()))?;
    }

    #[test]
    fn no_format_panics_on_arbitrary_bytes(b in prop::collection::vec(any::<u8>(), 0..400), ext in prop::sample::select(vec!["md", "html", "jsonl", "xml"])) {
        let name = format!("f.{ext}");
        well_formed(&name, parse_bytes(&name, &b))?;
    }

    #[test]
    fn no_format_panics_on_markup_soup(parts in prop::collection::vec(prop::sample::select(vec![
        "<p>", "</p>", "<article>", "<nav>", "<br>", "# ", "---\n", "title: x\n", "{\"title\":", "\"body\":\"a\"}", "\n",
        "<item>", "</item>", "<rss>", "<feed xmlns=\"http://www.w3.org/2005/Atom\">", "<entry>", "&amp;", "text ", "<![CDATA[", "]]>",
    ]), 0..60), ext in prop::sample::select(vec!["md", "html", "jsonl", "xml"])) {
        let s: String = parts.concat();
        let name = format!("f.{ext}");
        well_formed(&name, parse_bytes(&name, s.as_bytes()))?;
    }
}
