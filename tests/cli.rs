//! Integration tests: the real `newsbot` binary on the real seed files.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{copy_seeds, root};
use serde_json::Value;

fn newsbot() -> Command {
    common::shipped()
}

fn newsbot_with(seeds: &Path, prompts: &Path) -> Command {
    let mut cmd = common::newsbot_with(seeds, prompts);
    cmd.arg("--in-memory");
    Command::from_std(cmd)
}

fn ask_json(text: &str) -> Value {
    let out = common::succeeded(newsbot().args(["ask", "--json", text]).output().unwrap());
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().expect("results array")
}

#[test]
fn stats_counts_the_shipped_seeds() {
    let out = newsbot().args(["stats", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"], 3);
    assert_eq!(v["articles"], 24);
    assert!(v["passages"].as_u64().unwrap() > 100);
    assert!(v["topics"].as_u64().unwrap() >= 6);
}

#[test]
fn no_passage_carries_the_promo_or_an_empty_headline() {
    // Every paragraph of every article, through the binary's /article view.
    let corpus = newsbot_core::corpus::load_dir(&root().join("seeds")).unwrap();
    for article in &corpus.articles {
        let v = ask_json(&format!("/article {}", article.id));
        let passages = results(&v);
        assert_eq!(
            passages.len(),
            article.paragraphs.len(),
            "{}",
            article.headline
        );
        for p in passages {
            let text = p["paragraph"].as_str().unwrap().to_lowercase();
            assert!(!text.contains("diplo chatbot"), "promo in {text}");
            assert!(
                !text.contains("would you like to learn more"),
                "promo in {text}"
            );
            assert!(!text.contains('\u{a0}'), "NBSP left in {text}");
            assert!(!p["headline"].as_str().unwrap().trim().is_empty());
        }
    }
}

#[test]
fn duplicated_articles_keep_their_real_headline_and_every_source() {
    let v = ask_json("Axian Mastercard partnership Mixx MVola");
    let top = &results(&v)[0];
    assert_eq!(
        top["headline"],
        "Mixx and MVola services grow under Axian’s partnership with Mastercard"
    );
    let sources: Vec<&str> = top["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        ["000_836769b6343b3b07.txt", "001_45ac0e190cf60fe9.txt"]
    );

    let v = ask_json("How many claims did FIDReC record?");
    let top = &results(&v)[0];
    assert_eq!(
        top["headline"],
        "Fraud and scam cases push FIDReC workloads to new highs"
    );
    assert_eq!(top["sources"].as_array().unwrap().len(), 3);
}

#[test]
fn the_two_eu_child_protection_write_ups_stay_apart() {
    let corpus = newsbot_core::corpus::load_dir(&root().join("seeds")).unwrap();
    let eu: Vec<_> = corpus
        .articles
        .iter()
        .filter(|a| {
            a.paragraphs
                .iter()
                .any(|p| p.text.contains("child sexual abuse"))
        })
        .collect();
    assert!(
        eu.len() >= 2,
        "{:?}",
        eu.iter().map(|a| &a.headline).collect::<Vec<_>>()
    );
}

#[test]
fn fines_topic_is_about_fines_and_includes_cnil() {
    let v = ask_json("/fines");
    assert_eq!(v["command"], "fines");
    assert_eq!(v["answered"], true);
    let top3 = &results(&v)[..3];
    for p in top3 {
        let text = p["paragraph"].as_str().unwrap().to_lowercase();
        assert!(
            ["fine", "penal", "sanction"]
                .iter()
                .any(|w| text.contains(w)),
            "not about fines: {text}"
        );
    }
    assert!(top3
        .iter()
        .any(|p| p["paragraph"].as_str().unwrap().contains("€750,000")));
}

#[test]
fn breaches_topic_includes_coupang() {
    let v = ask_json("/breaches");
    assert!(results(&v)
        .iter()
        .take(3)
        .any(|p| p["paragraph"].as_str().unwrap().contains("33.7 million")));
}

#[test]
fn highlights_are_character_offsets_into_the_paragraph() {
    let v = ask_json("Which website's cookies did CNIL investigate?");
    let mut checked = 0;
    for p in results(&v) {
        let chars: Vec<char> = p["paragraph"].as_str().unwrap().chars().collect();
        for h in p["highlights"].as_array().unwrap() {
            let (s, e) = (
                h[0].as_u64().unwrap() as usize,
                h[1].as_u64().unwrap() as usize,
            );
            assert!(s < e && e <= chars.len());
            let word: String = chars[s..e].iter().collect();
            assert!(!word.trim().is_empty());
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn hostile_queries_never_fail() {
    let paste = "The internet outage took down services. ".repeat(130); // ~5,000 chars
    let hostile = [
        "\"unbalanced quote",
        "title:coupang AND body:breach",
        "headline:* OR 1=1",
        "((([[[{{{",
        "fines: \"€750,000\" -cnil +condé",
        "🔥💸🤖 crypto? 🚀",
        "AND OR NOT",
        "*",
        "~~~^^^",
        "field:",
        "\\",
        "/",
        "/ask",
        "/nosuchcommand hello",
        "",
        paste.as_str(),
    ];
    for q in hostile {
        let out = newsbot().args(["ask", "--json", q]).output().unwrap();
        assert!(
            out.status.success(),
            "{q:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["answered"].is_boolean(), "{q:?}");
        let paragraphs: Vec<&str> = results(&v)
            .iter()
            .map(|p| p["paragraph"].as_str().unwrap())
            .collect();
        let mut unique = paragraphs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            paragraphs.len(),
            "duplicate paragraph for {q:?}"
        );
    }
}

#[test]
fn unanswerable_questions_say_so_and_suggest_topics() {
    for q in ["who won the 2022 World Cup?", "how do I bake sourdough?"] {
        let v = ask_json(q);
        assert_eq!(v["answered"], false, "{q}: {v}");
        assert!(results(&v).is_empty(), "{q}");
        assert!(
            v["message"].as_str().unwrap().contains("/"),
            "{q}: suggests topics"
        );
    }
}

#[test]
fn json_lines_from_stdin_answer_in_order() {
    let out = newsbot()
        .args(["ask", "--json"])
        .write_stdin("/fines\n\nwho won the 2022 World Cup?\n/breaches\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let commands: Vec<&str> = lines
        .iter()
        .map(|v| v["command"].as_str().unwrap())
        .collect();
    // The blank line gets an object too, so the n-th object answers the n-th line.
    assert_eq!(commands, ["fines", "ask", "ask", "breaches"]);
    assert_eq!(lines[1]["query"], "");
}

#[test]
fn plain_ask_prints_rank_headline_and_sources() {
    let out = newsbot()
        .args(["ask", "/ask who was fined over cookies?"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("1. Vanity Fair publisher penalised for cookie breaches"),
        "{text}"
    );
    assert!(text.contains("Sources: 002_0d78579493660949.txt"), "{text}");
}

#[test]
fn help_lists_topics() {
    let out = newsbot().args(["ask", "/help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for t in [
        "/fines",
        "/breaches",
        "/scams",
        "/crypto",
        "/outages",
        "/ai",
    ] {
        assert!(text.contains(t), "{t} missing from help: {text}");
    }
}

#[test]
fn chat_reads_commands_from_stdin() {
    let out = newsbot()
        .arg("chat")
        .write_stdin("/help\nwho was fined over cookies?\n/more\n/quit\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Vanity Fair publisher penalised"), "{text}");
    assert!(text.contains("/fines"), "{text}");
}

#[test]
fn bad_seed_files_are_named_and_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    copy_seeds(tmp.path());
    std::fs::write(tmp.path().join("empty.txt"), "").unwrap();
    std::fs::write(tmp.path().join("latin1.txt"), b"Caf\xe9 prices rose.\n").unwrap();
    std::fs::write(tmp.path().join("binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(
        tmp.path().join("promo.txt"),
        "Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n\nWould you like to learn more about AI, tech, and digital diplomacy\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("gone"), tmp.path().join("unreadable.txt")).unwrap();
    let out = newsbot_with(tmp.path(), &root().join("prompts"))
        .args(["stats", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    for name in ["empty.txt", "binary.txt", "promo.txt"] {
        assert!(
            err.contains(&format!("warning: {name}:")),
            "{name} not named in: {err}"
        );
    }
    assert!(err.contains("promo.txt: holds only promo lines"), "{err}");
    #[cfg(unix)]
    assert!(err.contains("warning: unreadable.txt:"), "{err}");
    // Not UTF-8 is not a reason to skip: the file is decoded, and says how.
    assert!(!err.contains("warning: latin1.txt"), "{err}");
    assert!(err.contains("latin1.txt: read as windows-1252"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["articles"], 25,
        "the good files still load, and latin1.txt too"
    );
}

/// A seed folder holding exactly these files.
fn seeds_of(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    tmp
}

fn ask_in(seeds: &Path, question: &str) -> Value {
    let out = common::succeeded(
        newsbot_with(seeds, &root().join("prompts"))
            .args(["ask", "--json", question])
            .output()
            .unwrap(),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const REPRODUCTION: &str = "Stocks rally as markets cheer rate cut – Example Wire.

The central bank cut its main rate by half a point on Tuesday, the first cut in two years.

Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!

Stocks rally as markets cheer rate cut – Example Wire.

Shares of carmakers rose 4% after the announcement, led by Tesla and Ford.
";

#[test]
fn chunks_sharing_only_a_headline_keep_both_paragraphs() {
    let seeds = seeds_of(&[("a.txt", REPRODUCTION.as_bytes())]);
    let out = newsbot_with(seeds.path(), &root().join("prompts"))
        .args(["stats", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 2);
    assert_eq!(v["passages"], 2);
    let total = &v["accounting"]["total"];
    assert_eq!(total["lines"], 5);
    assert_eq!(total["paragraphs_indexed"], 2);
    assert_eq!(total["headlines"], 2);
    assert_eq!(total["promo_lines"], 1);
    assert_eq!(total["duplicates_stored_once"], 0);
    assert_eq!(v["accounting"]["merges"].as_array().unwrap().len(), 0);

    let v = ask_in(seeds.path(), "how much did carmaker shares rise?");
    let top = &results(&v)[0];
    assert_eq!(
        top["paragraph"],
        "Shares of carmakers rose 4% after the announcement, led by Tesla and Ford."
    );
    assert_eq!(top["headline"], "Stocks rally as markets cheer rate cut");
}

#[test]
fn index_verbose_lists_each_merge_and_stats_accounts_for_it() {
    let a = "Stocks rally as markets cheer rate cut – Example Wire.

The central bank cut its main rate by half a point on Tuesday, the first cut in two years.

Shares of carmakers rose 4% after the announcement, led by Tesla and Ford.

Bond yields fell to their lowest level since March as traders priced in further cuts.
";
    let b = "Stocks rally as markets cheer rate cut

The central bank cut its main rate by half a point on Tuesday, the first cut in two years.

Shares of carmakers rose 4% after the announcement, led by Tesla and Ford.

Analysts at two large banks said they expected another cut before the end of the year.

Bond yields fell to their lowest level since March as traders priced in further cuts.
";
    let seeds = seeds_of(&[("a.txt", a.as_bytes()), ("b.txt", b.as_bytes())]);
    let data = tempfile::tempdir().unwrap();
    let out = common::newsbot(seeds.path())
        .arg("--data")
        .arg(data.path())
        .args(["index", "-v"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\"Stocks rally as markets cheer rate cut\" in a.txt and b.txt: same article, 3 paragraphs in common, 1 added"),
        "{text}"
    );
    assert!(text.contains("Indexed 1 articles (4 passages)"), "{text}");

    let out = newsbot_with(seeds.path(), &root().join("prompts"))
        .arg("stats")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("merged as copies:"), "{text}");
    let total = text.lines().find(|l| l.starts_with("total")).unwrap();
    let figures: Vec<&str> = total.split_whitespace().skip(1).collect();
    // lines, blocks, records, paragraphs indexed, headlines, headings, promo lines,
    // dropped, duplicates
    assert_eq!(
        figures,
        ["9", "0", "0", "4", "2", "0", "0", "0", "3"],
        "{text}"
    );
}

#[test]
fn a_one_line_sentence_inside_an_article_is_found() {
    let text = "Federer out of Wimbledon

The Swiss star withdrew from the tournament on Monday after a scan in Basel.

Federer said he needed surgery on an injured knee

His coach confirmed the news later in the day and said the recovery would take months.
";
    let seeds = seeds_of(&[("tennis.txt", text.as_bytes())]);
    let v = ask_in(seeds.path(), "why did Federer need surgery?");
    assert_eq!(
        results(&v)[0]["paragraph"],
        "Federer said he needed surgery on an injured knee"
    );
}

#[test]
fn a_windows_1252_file_is_read_with_the_right_characters() {
    // “Café Noir” fined €750,000 – in Windows-1252 bytes.
    let text = b"Caf\xe9 Noir fined over cookies\n\nThe regulator fined \x93Caf\xe9 Noir\x94 \x80750,000 for placing cookies without consent, its \x91largest\x92 fine this year.\n\nThe company said it would appeal the decision.\n";
    let seeds = seeds_of(&[("old.txt", text)]);
    let out = newsbot_with(seeds.path(), &root().join("prompts"))
        .arg("index")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("old.txt: read as windows-1252"), "{err}");
    let v = ask_in(seeds.path(), "how much was Café Noir fined?");
    let top = &results(&v)[0];
    assert_eq!(
        top["paragraph"],
        "The regulator fined “Café Noir” €750,000 for placing cookies without consent, its ‘largest’ fine this year."
    );
    assert_eq!(top["headline"], "Café Noir fined over cookies");
    let v = ask_in(seeds.path(), "€750,000 cafe");
    assert!(results(&v)[0]["paragraph"]
        .as_str()
        .unwrap()
        .contains("€750,000"));
}

#[test]
fn missing_or_empty_seed_folder_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    for dir in [tmp.path().join("nope"), tmp.path().to_path_buf()] {
        let out = newsbot_with(&dir, &root().join("prompts"))
            .args(["ask", "hello"])
            .output()
            .unwrap();
        // The user's to fix: exit 2.
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&dir.display().to_string()), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A prompts folder with the shipped messages and one topic file, `name`, holding `toml`.
fn prompts_with_topic(name: &str, toml: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("topics")).unwrap();
    std::fs::copy(
        root().join("prompts/messages.toml"),
        tmp.path().join("messages.toml"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("topics").join(name), toml).unwrap();
    tmp
}

#[test]
fn a_bad_prompt_file_names_file_and_field() {
    let tmp = prompts_with_topic(
        "bad.toml",
        &format!(
            "name = \"bad\"\ndescription = \"{}\"\nquery = \"x\"\n",
            "d".repeat(150)
        ),
    );
    let err = common::failing(
        newsbot_with(&root().join("seeds"), tmp.path())
            .args(["ask", "hello"])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("bad.toml") && err.contains("`description`"),
        "{err}"
    );
}

#[test]
fn a_new_topic_file_is_a_new_command() {
    let tmp = prompts_with_topic(
        "chips.toml",
        "name = \"chips\"\ndescription = \"Semiconductors\"\nquery = \"semiconductor chips\"\n",
    );
    let out = newsbot_with(&root().join("seeds"), tmp.path())
        .args(["ask", "--json", "/chips"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["answered"], true);
    assert!(results(&v)[0]["paragraph"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("semiconductor"));
}

#[test]
fn the_index_on_disk_is_reused_then_rebuilt_when_seeds_change() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    copy_seeds(&seeds);
    let run = |args: &[&str]| {
        common::newsbot(&seeds)
            .current_dir(tmp.path())
            .arg("--data")
            .arg(tmp.path().join("data"))
            .args(["--log", "info"])
            .args(args)
            .output()
            .unwrap()
    };
    let first = run(&["stats"]);
    assert!(String::from_utf8_lossy(&first.stderr).contains("index built"));
    let second = run(&["stats"]);
    assert!(!String::from_utf8_lossy(&second.stderr).contains("index built"));
    std::fs::write(
        seeds.join("003_new.txt"),
        "Quokkas elect a mayor\n\nThe island's quokkas elected a mayor on Tuesday.\n",
    )
    .unwrap();
    let third = run(&["ask", "--json", "quokkas mayor"]);
    assert!(String::from_utf8_lossy(&third.stderr).contains("seed files changed"));
    let v: Value = serde_json::from_slice(&third.stdout).unwrap();
    assert_eq!(results(&v)[0]["headline"], "Quokkas elect a mayor");
}

#[test]
fn eval_prints_the_three_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("q.jsonl");
    std::fs::write(
        &file,
        r#"{"q": "How much did the French regulator fine Condé Nast?", "gold": ["€750,000"], "headline": "Vanity Fair publisher penalised for cookie breaches"}"#,
    )
    .unwrap();
    let out = newsbot().arg("eval").arg(&file).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("top-1: 1.000"), "{text}");
    assert!(
        text.contains("MRR@10: 1.000") && text.contains("headline: 1.000"),
        "{text}"
    );
}

/// A seed folder with the shipped digests plus one file of each other format (the Atom
/// feed in a subfolder, as feed items are written).
fn seeds_of_every_format() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_seeds(tmp.path());
    let sub = tmp.path().join("saved/sky");
    std::fs::create_dir_all(&sub).unwrap();
    for e in std::fs::read_dir(root().join("tests/fixtures/formats")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        let to = if p.extension().unwrap() == "atom" {
            sub.join(name)
        } else {
            tmp.path().join(name)
        };
        std::fs::copy(&p, to).unwrap();
    }
    tmp
}

#[test]
fn every_format_answers_with_its_headline_date_and_link() {
    let seeds = seeds_of_every_format();
    let out = newsbot_with(seeds.path(), &root().join("prompts"))
        .args(["stats", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning: market-export.jsonl: line 2: is not valid JSON"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // 24 shipped, and md 1, html 1, jsonl 2, rss 1, atom 1, txt 1.
    assert_eq!(v["articles"], 31, "{v}");
    assert_eq!(v["files"], 3 + 6);
    assert_eq!(v["skipped_files"], 0);

    let cases = [
        (
            "How many visitors did the glacier museum in Zermatt get?",
            "Glacier museum opens in Zermatt",
            Some("2025-04-10"),
            Some("https://alpine.example/glacier-museum"),
        ),
        (
            "When will keepers live at the Skerryvore lighthouse again?",
            "Lighthouse keepers return to Skerryvore",
            Some("2025-05-02T07:15:00Z"),
            Some("https://coast.example/skerryvore-keepers"),
        ),
        (
            "How much saffron did farmers in Kozani harvest?",
            "Saffron harvest doubles in Kozani",
            Some("2025-11-03T10:00:00Z"),
            Some("https://agri.example/kozani-saffron"),
        ),
        (
            "Why did the Orkney ferry crews strike?",
            "Orkney ferry crews end their strike",
            Some("2025-03-04T09:30:00Z"),
            Some("https://wire.example/orkney-ferry-strike"),
        ),
        (
            "What did astronomers at the La Palma observatory spot?",
            "Observatory on La Palma spots a new comet",
            Some("2025-08-12T21:00:00Z"),
            Some("https://sky.example/la-palma-comet"),
        ),
        (
            "When did the tram line to Kilbride open?",
            "Tram line to Kilbride opens early",
            Some("2025-09-15"),
            None,
        ),
    ];
    for (q, headline, date, url) in cases {
        let v = ask_in(seeds.path(), q);
        assert_eq!(v["answered"], true, "{q}: {v}");
        let top = &results(&v)[0];
        assert_eq!(top["headline"], headline, "{q}: {v}");
        assert_eq!(top["date"].as_str(), date, "{q}");
        assert_eq!(top["url"].as_str(), url, "{q}");
    }
    // Page furniture never became a passage.
    for q in ["keepers newsletter subscribe", "keepers tracking script"] {
        let v = ask_in(seeds.path(), q);
        for p in results(&v) {
            let text = p["paragraph"].as_str().unwrap();
            assert!(
                !text.contains("newsletter") && !text.contains("tracking"),
                "{text}"
            );
        }
    }
    // The shipped digests are still undated and unlinked.
    let v = ask_in(seeds.path(), "How many claims did FIDReC record?");
    assert_eq!(results(&v)[0]["date"], Value::Null);
    assert_eq!(results(&v)[0]["url"], Value::Null);
}

#[test]
fn the_console_line_shows_date_and_link() {
    let seeds = seeds_of_every_format();
    let out = newsbot_with(seeds.path(), &root().join("prompts"))
        .args(["ask", "Why did the Orkney ferry crews strike?"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("1. Orkney ferry crews end their strike"),
        "{text}"
    );
    assert!(
        text.contains(
            "Sources: ferry-wire.rss · 2025-03-04 09:30 UTC · https://wire.example/orkney-ferry-strike"
        ),
        "{text}"
    );
}

#[test]
fn latest_questions_prefer_the_newer_article() {
    let seeds = seeds_of(&[
        (
            "old.md",
            b"---\ntitle: Harbour crane contract signed\ndate: 2024-02-01\n---\nThe port of Exampleton signed a contract for new harbour cranes worth 12 million euros.\n",
        ),
        (
            "new.md",
            b"---\ntitle: Harbour crane contract expanded\ndate: 2025-06-01\n---\nThe port of Exampleton expanded its harbour crane contract, adding four more cranes.\n",
        ),
    ]);
    let v = ask_in(seeds.path(), "harbour crane contract 12 million euros");
    assert_eq!(results(&v)[0]["headline"], "Harbour crane contract signed");
    let v = ask_in(
        seeds.path(),
        "What is the latest on the harbour crane contract?",
    );
    assert_eq!(
        results(&v)[0]["headline"],
        "Harbour crane contract expanded",
        "{v}"
    );
}
