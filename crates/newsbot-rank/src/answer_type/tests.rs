use super::*;
use proptest::prelude::*;

fn first(t: AnswerType, p: &str) -> Option<String> {
    spans(t, p).first().map(|&(s, e)| p[s..e].to_string())
}

#[test]
fn detects_question_kinds() {
    assert_eq!(
        detect("How much was Condé Nast fined?"),
        Some(AnswerType::Money)
    );
    assert_eq!(
        detect("How much data did police seize?"),
        Some(AnswerType::Quantity)
    );
    assert_eq!(
        detect("How many claims were filed?"),
        Some(AnswerType::Count)
    );
    assert_eq!(
        detect("When did the attacks begin?"),
        Some(AnswerType::Date)
    );
    assert_eq!(detect("Who leads FIDReC?"), Some(AnswerType::Name));
    assert_eq!(detect("Where did they meet?"), Some(AnswerType::Place));
    assert_eq!(
        detect("Which website was probed?"),
        Some(AnswerType::Website)
    );
    assert_eq!(detect("Why did it happen?"), Some(AnswerType::Reason));
    assert_eq!(detect("What did CDT Europe criticise?"), None);
    let (_, at) = detect_at("Which country dropped plans?").unwrap();
    assert_eq!(&"Which country dropped plans?"[at], "Which country");
}

#[test]
fn finds_spans() {
    assert_eq!(
        first(AnswerType::Money, "fined it €750,000 for"),
        Some("€750,000".into())
    );
    assert_eq!(
        first(AnswerType::Money, "won a 23 million dollar deal"),
        Some("23 million dollar".into())
    );
    assert_eq!(
        first(AnswerType::Date, "began on 24 June through"),
        Some("24 June".into())
    );
    assert_eq!(
        first(AnswerType::Place, "met Singapore in Brussels for"),
        Some("Brussels".into())
    );
    assert_eq!(
        first(AnswerType::Website, "practices on vanityfair.fr. Next"),
        Some("vanityfair.fr".into())
    );
    assert_eq!(
        first(AnswerType::Count, "In 2024 it recorded 4,355 claims"),
        Some("4,355".into())
    );
    assert_eq!(
        first(AnswerType::Name, "said Chief Executive Eunice Chua."),
        Some("Chief Executive Eunice Chua".into())
    );
}

proptest! {
    #[test]
    fn spans_are_char_boundaries(p in "\\PC{0,200}") {
        for t in [AnswerType::Money, AnswerType::Count, AnswerType::Date, AnswerType::Name, AnswerType::Place, AnswerType::Website, AnswerType::Percent, AnswerType::Quantity, AnswerType::Next, AnswerType::Reason, AnswerType::List] {
            for (s, e) in spans(t, &p) {
                prop_assert!(p.is_char_boundary(s) && p.is_char_boundary(e) && s <= e);
            }
        }
    }
}
