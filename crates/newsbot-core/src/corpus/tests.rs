//! Unit tests of seed parsing, kept beside `corpus.rs` so that file holds only the parser.

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
    assert!(parse_bytes("b.txt", b"\x00\x01\x02abc").is_err());
    assert!(parse_bytes("l.txt", b"caf\xe9 au lait.").is_err());
    assert!(parse_bytes("p.txt", "Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n".as_bytes()).is_err());
}
