//! The console as a person sees it: wrapped output at a fixed width, its own help, the
//! paging hints of each console door, and topic commands that stay on their topic.

mod common;

use assert_cmd::Command;
use common::root;
use serde_json::Value;

fn newsbot() -> Command {
    common::shipped()
}

fn stdout(cmd: &mut Command) -> String {
    let out = common::succeeded(cmd.output().unwrap());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn answers_wrap_at_the_width_with_a_hanging_indent() {
    let text = stdout(newsbot().args(["--width", "60", "ask", "who was fined over cookies?"]));
    for line in text.lines() {
        // A word longer than the line may overflow it; none in this answer is.
        assert!(line.chars().count() <= 60, "{line:?}");
    }
    // The rank is shown once, at the start of the headline line.
    assert!(!text.contains("· #"), "{text}");
    insta::assert_snapshot!("wrapped_answer_at_60", text);
}

#[test]
fn piped_output_is_not_wrapped() {
    let text = stdout(newsbot().args(["ask", "who was fined over cookies?"]));
    assert!(text.lines().any(|l| l.chars().count() > 120), "{text}");
}

#[test]
fn console_help_speaks_of_the_console() {
    let text = stdout(newsbot().args(["--width", "80", "ask", "/help"]));
    assert!(!text.contains("In a DM"), "{text}");
    for words in ["/more", "/article", "/quit"] {
        assert!(text.contains(words), "{words} missing: {text}");
    }
    insta::assert_snapshot!("console_help", text);
}

#[test]
fn one_shot_ask_hints_at_the_next_page_and_says_when_pages_run_out() {
    let first = stdout(newsbot().args(["--width", "80", "ask", "who was fined over cookies?"]));
    let hint = first.lines().last().unwrap();
    assert!(hint.contains("--page 2"), "{first}");
    assert!(!first.contains("/more"), "{first}");
    insta::assert_snapshot!("one_shot_hint", hint);
    let last = stdout(newsbot().args(["ask", "--page", "4", "who was fined over cookies?"]));
    assert!(
        last.contains("That's all") || last.contains("No more results"),
        "{last}"
    );
}

#[test]
fn more_after_help_has_nothing_more_to_show() {
    let text = stdout(newsbot().arg("chat").write_stdin("/help\n/more\n/quit\n"));
    assert_eq!(text.matches("Topics:").count(), 1, "{text}");
    assert!(text.contains("No more results."), "{text}");
}

/// Every topic word and variant, as stems, and the topic's highlight patterns.
fn on_topic(topic: &newsbot_core::prompts::Topic, paragraph: &str) -> bool {
    let stems: std::collections::HashSet<String> = newsbot_core::analysis::tokens(paragraph)
        .into_iter()
        .map(|t| t.term.to_string())
        .collect();
    let phrases = topic
        .query
        .split_whitespace()
        .map(str::to_string)
        .chain(topic.variants.iter().cloned());
    let says = phrases.into_iter().any(|p| {
        let terms = newsbot_core::analysis::tokens(&p);
        !terms.is_empty() && terms.iter().all(|t| stems.contains(&*t.term))
    });
    says || topic.highlight.iter().any(|r| r.is_match(paragraph))
}

#[test]
fn every_passage_a_topic_command_lists_is_on_its_topic() {
    let prompts = newsbot_core::Prompts::load(&root().join("prompts")).unwrap();
    assert!(prompts.topics.len() >= 6);
    for topic in &prompts.topics {
        let out = stdout(newsbot().args(["ask", "--json", &format!("/{}", topic.name)]));
        let v: Value = serde_json::from_str(&out).unwrap();
        let results = v["results"].as_array().unwrap();
        assert!(!results.is_empty(), "/{} lists nothing", topic.name);
        for p in results {
            let text = p["paragraph"].as_str().unwrap();
            assert!(
                on_topic(topic, text),
                "/{} lists an off-topic passage: {text}",
                topic.name
            );
        }
    }
    // And the console says when a topic's passages run out.
    let text = stdout(newsbot().args(["ask", "/fines"]));
    assert!(text.contains("passages on fines"), "{text}");
}

#[test]
fn article_lookup_searches_the_text_when_no_headline_matches() {
    // "Coupang" is not in its article's headline.
    let text = stdout(newsbot().args(["ask", "/article coupang"]));
    assert!(
        text.contains("South Korea retailer admits worst-ever data leak"),
        "{text}"
    );
}

#[test]
fn declines_suggest_the_topics_closest_to_the_question() {
    let v: Value = serde_json::from_str(&stdout(newsbot().args([
        "ask",
        "--json",
        "was the power grid down after the storm?",
    ])))
    .unwrap();
    let outage = v["message"].as_str().unwrap_or_default().to_string();
    let v: Value = serde_json::from_str(&stdout(newsbot().args([
        "ask",
        "--json",
        "which football club won the league?",
    ])))
    .unwrap();
    let other = v["message"].as_str().unwrap_or_default().to_string();
    if v["match"] == "none" {
        assert_ne!(
            outage, other,
            "the same suggestions for unrelated questions"
        );
    }
}

#[test]
fn a_bad_log_filter_is_reported() {
    let err = common::failing(
        newsbot()
            .args(["--log", "info,[bad", "stats"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("not a log filter"), "{err}");
}

#[test]
fn the_first_index_build_says_what_it_did() {
    let data = tempfile::tempdir().unwrap();
    let run = || {
        let mut cmd = Command::from_std(common::newsbot(&root().join("seeds")));
        cmd.arg("--data")
            .arg(data.path())
            .args(["ask", "who was fined over cookies?"])
            .output()
            .unwrap()
    };
    let first = String::from_utf8_lossy(&run().stderr).to_string();
    assert!(
        first.contains("indexed 24 articles,") && first.contains("passages in"),
        "{first}"
    );
    let second = String::from_utf8_lossy(&run().stderr).to_string();
    assert!(!second.contains("indexed"), "{second}");
}
