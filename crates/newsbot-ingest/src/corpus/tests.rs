//! Unit tests of seed reading, parsing and merging.

use super::*;

#[test]
fn promo_spellings_all_split() {
    let text = "A first paragraph here.\nWould you like to learn more about AI, tech, and digital diplomacy? If so, ask our Diplo chatbot!\nSecond article text.\nWould you like to learn more about\u{a0}AI, tech and digital diplomacyIf so,\u{a0}ask our Diplo chatbot\nThird one.";
    let arts = parse_text(text);
    assert_eq!(arts.len(), 3);
    for a in &arts {
        for p in &a.paragraphs {
            assert!(!p.text.to_lowercase().contains("diplo"));
        }
    }
}

#[test]
fn headline_and_sections() {
    let text = "Big news today\n\nFirst para.\n\nA section title\n\nSecond para.";
    let arts = parse_text(text);
    assert_eq!(arts[0].headline.as_deref(), Some("Big news today"));
    assert_eq!(arts[0].paragraphs.len(), 2);
    assert_eq!(
        arts[0].paragraphs[1].section.as_deref(),
        Some("A section title")
    );
}

#[test]
fn single_newline_layout_has_no_headline() {
    let arts = parse_text("One sentence here.\nAnother line here.\n");
    assert_eq!(arts[0].headline, None);
    assert_eq!(arts[0].paragraphs.len(), 2);
}

#[test]
fn derived_headline_is_short() {
    let h = derive_headline("Hopae is expanding into Europe with a €5M investment as the region prepares for mandatory EUDI Wallet adoption. More.");
    assert!(h.chars().count() <= 64, "{h}");
    assert!(h.starts_with("Hopae is expanding"));
}

#[test]
fn bad_bytes_are_warnings() {
    assert!(parse_bytes("e.txt", b"").is_err());
    assert!(parse_bytes("e.txt", b"\xef\xbb\xbf\n").is_err());
    assert!(parse_bytes("b.txt", b"\x00\x01\x02abc").is_err());
    let promo = parse_bytes("p.txt", "Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n".as_bytes()).unwrap_err();
    assert!(promo.problem.contains("only promo"), "{promo}");
}

#[test]
fn legacy_encodings_are_read() {
    let f = parse_bytes("l.txt", b"Caf\xe9 prices rose by \x805 this year.").unwrap();
    assert_eq!(f.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(
        f.articles[0].paragraphs[0].text,
        "Café prices rose by €5 this year."
    );
}

const REPRO: &str = "Stocks rally as markets cheer rate cut – Example Wire.\n\nThe central bank cut its main rate by half a point on Tuesday, the first cut in two years.\n\nWould you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n\nStocks rally as markets cheer rate cut – Example Wire.\n\nShares of carmakers rose 4% after the announcement, led by Tesla and Ford.\n";

fn file(name: &str, text: &str) -> ParsedFile {
    parse_bytes(name, text.as_bytes()).unwrap()
}

#[test]
fn headlines_with_punctuation_and_site_suffix_are_headlines() {
    let arts = parse_text(REPRO);
    assert_eq!(arts.len(), 2);
    for a in &arts {
        assert_eq!(
            a.headline.as_deref(),
            Some("Stocks rally as markets cheer rate cut")
        );
        assert_eq!(a.paragraphs.len(), 1);
    }
    for h in [
        "Markets tumble…",
        "Rates cut at last!",
        "The end of cheap money?",
    ] {
        let arts = parse_text(&format!(
            "{h}\n\nThe central bank cut its main rate by half a point on Tuesday.\n"
        ));
        assert_eq!(arts[0].headline.as_deref(), Some(h));
    }
    // Plainly a sentence, though short and first: indexed.
    let arts = parse_text(
        "He said it was over.\n\nThe central bank cut its main rate by half a point on Tuesday.\n",
    );
    assert_eq!(arts[0].headline, None);
    assert_eq!(arts[0].paragraphs.len(), 2);
}

#[test]
fn chunks_sharing_only_a_headline_stay_apart() {
    let merged = merge_accounted(&[file("a.txt", REPRO)]);
    assert_eq!(merged.articles.len(), 2);
    assert!(merged.accounting.merges.is_empty());
    assert_eq!(merged.accounting.total.paragraphs_indexed, 2);
    assert_eq!(merged.accounting.total.headlines, 2);
    assert_eq!(merged.accounting.total.promo_lines, 1);
}

#[test]
fn one_line_sentences_are_passages_and_headings_are_not() {
    let text = "Federer out of Wimbledon\n\nThe Swiss star withdrew from the tournament on Monday after a scan.\n\nFederer said he needed surgery on an injured knee\n\nHis coach confirmed the news later in the day.\n\nWhat comes next\n\nHe hopes to return next season.\n\nA last line without a period";
    let arts = parse_text(text);
    let texts: Vec<&str> = arts[0].paragraphs.iter().map(|p| p.text.as_str()).collect();
    assert!(texts.contains(&"Federer said he needed surgery on an injured knee"));
    assert!(texts.contains(&"A last line without a period"), "{texts:?}");
    assert!(!texts.contains(&"What comes next"));
    assert_eq!(
        arts[0].paragraphs[3].section.as_deref(),
        Some("What comes next")
    );
}

#[test]
fn copies_merge_to_the_union_in_a_sensible_order() {
    let p = |s: &str| {
        format!("{s} is a paragraph long enough to count as evidence of a copy, and it runs on past the length of any headline, so the layout cannot take it for one.")
    };
    let a = format!(
        "Headline here\n\n{}\n\n{}\n\n{}\n\n{}\n",
        p("One"),
        p("Two"),
        p("Four"),
        p("Five")
    );
    // Missing One and Five, adds Three after Two and Zero before Two; Four has other
    // quotes and spacing.
    let b = format!(
        "{}\n\n{}\n\n{}\n\n{}\n",
        p("Zero"),
        p("Two"),
        p("Three"),
        p("Four").replace(' ', "  ").replace("is", "“is”")
    );
    let merged = merge_accounted(&[file("a.txt", &a), file("b.txt", &b)]);
    assert_eq!(merged.articles.len(), 1);
    let art = &merged.articles[0];
    let firsts: Vec<&str> = art
        .paragraphs
        .iter()
        .map(|p| p.text.split(' ').next().unwrap())
        .collect();
    assert_eq!(firsts, ["One", "Zero", "Two", "Three", "Four", "Five"]);
    assert_eq!(art.headline, "Headline here");
    assert_eq!(art.sources, ["a.txt", "b.txt"]);
    let acc = &merged.accounting;
    assert_eq!(acc.total.paragraphs_indexed, 6);
    assert_eq!(acc.total.duplicates_stored_once, 2);
    assert_eq!(
        acc.merges[0].to_string(),
        "\"Headline here\" in a.txt and b.txt: same article, 2 paragraphs in common, 2 added"
    );
}
