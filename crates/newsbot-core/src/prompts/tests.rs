use super::*;

#[test]
fn bad_topic_names_field() {
    let err = parse_topic(
        "t.toml",
        "name = \"Fines\"\ndescription = \"x\"\nquery = \"fine\"",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("t.toml") && err.contains("`name`"), "{err}");
    let err = parse_topic("t.toml", "name = \"f\"\nquery = \"fine\"")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`description`") && err.contains("missing"),
        "{err}"
    );
    let err = parse_topic(
        "t.toml",
        "name = \"f\"\ndescription = \"d\"\nquery = \"q\"\nhighlight = [\"(\"]",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`highlight`"), "{err}");
    let long = "x".repeat(101);
    let err = parse_topic(
        "t.toml",
        &format!("name = \"f\"\ndescription = \"{long}\"\nquery = \"q\""),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`description`"), "{err}");
}

#[test]
fn render_fills_placeholders() {
    assert_eq!(
        Messages::render("Try {topics}.", &[("topics", "/fines")]),
        "Try /fines."
    );
}
