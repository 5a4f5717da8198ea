//! The shipped cross-encoder reranker, loaded from the repository with the shipped embedder:
//! it ranks a seed answer above an unrelated paragraph, batching does not change a score,
//! long inputs are cut, broken folders name the file, and its logits match PyTorch's.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use newsbot_embed::{BertEmbedder, BertReranker};
use newsbot_rank::reranker::Reranker;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn embedder_dir() -> PathBuf {
    repo().join("models/all-MiniLM-L6-v2")
}

fn reranker_dir() -> PathBuf {
    repo().join("models/reranker-minilm-l6-squad")
}

fn embedder() -> &'static BertEmbedder {
    static E: OnceLock<BertEmbedder> = OnceLock::new();
    E.get_or_init(|| BertEmbedder::load(&embedder_dir()).expect("shipped embedder loads"))
}

fn reranker() -> &'static BertReranker {
    static R: OnceLock<BertReranker> = OnceLock::new();
    R.get_or_init(|| {
        BertReranker::load(&reranker_dir(), embedder()).expect("shipped reranker loads")
    })
}

/// The seed line that contains `needle` (the seeds hold one paragraph a line).
fn seed_paragraph(needle: &str) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("seeds"))
        .expect("seeds/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no seed paragraph contains {needle:?}"))
}

const QUESTION: &str = "Which company did Axian partner with to expand digital payments?";

#[test]
fn relevant_paragraph_scores_higher() {
    let r = reranker();
    assert_eq!(r.name(), "reranker-minilm-l6-squad");
    let relevant = seed_paragraph("Axian Group has entered a strategic partnership");
    let other = seed_paragraph("Cryptomixer operated on both the clear web");
    let near = seed_paragraph("Axian rebranded its mobile units to Yas");
    let s = r.score(QUESTION, &[&other, &relevant, &near]).unwrap();
    assert_eq!(s.len(), 3);
    assert!(s.iter().all(|x| x.is_finite()), "{s:?}");
    assert!(s[1] > s[0] + 1.0, "relevant {} vs unrelated {}", s[1], s[0]);
    assert!(s[1] > s[2], "answer {} vs same article {}", s[1], s[2]);
    // Nothing to score: no forward pass, no error.
    assert!(r.score(QUESTION, &[]).unwrap().is_empty());
}

#[test]
fn batch_scores_equal_one_by_one_scores() {
    let r = reranker();
    // Lengths differ a lot, so the batch pads most of them.
    let passages = [
        seed_paragraph("Axian Group has entered a strategic partnership"),
        "Mastercard.".to_string(),
        seed_paragraph("Cryptomixer operated on both the clear web"),
        seed_paragraph("Axian rebranded its mobile units to Yas"),
        String::new(),
        "word ".repeat(400),
    ];
    let refs: Vec<&str> = passages.iter().map(String::as_str).collect();
    let batch = r.score(QUESTION, &refs).unwrap();
    assert_eq!(batch.len(), passages.len());
    for (p, b) in refs.iter().zip(&batch) {
        let single = r.score(QUESTION, &[p]).unwrap();
        assert_eq!(single.len(), 1);
        assert!(
            (single[0] - b).abs() < 1e-4,
            "{p:.40}: alone {} in a batch {b}",
            single[0]
        );
    }
}

#[test]
fn long_inputs_are_cut_not_an_error() {
    let r = reranker();
    let long_passage = "The regulator fined the bank over tracking cookies. ".repeat(60);
    let long_question = "who fined the bank over cookies and why ".repeat(20);
    assert!(r.encoded_len("q", &long_passage).unwrap() == BertReranker::MAX_TOKENS);
    assert_eq!(
        r.encoded_len(&long_question, &long_passage).unwrap(),
        BertReranker::MAX_TOKENS
    );
    // A long question keeps at most 64 tokens for its segment: the rest is the passage's.
    assert_eq!(
        r.encoded_len(&long_question, "").unwrap(),
        BertReranker::QUESTION_MAX_TOKENS + 1
    );
    // Short inputs are not padded: [CLS] fined [SEP] bank [SEP].
    assert_eq!(r.encoded_len("fined", "bank").unwrap(), 5);
    let s = r
        .score(&long_question, &[&long_passage, "The team won on Sunday."])
        .unwrap();
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|x| x.is_finite()), "{s:?}");
    // What follows the 64th question piece changes nothing.
    let (a, b) = (
        format!("{long_question} apples"),
        format!("{long_question} submarines"),
    );
    assert_eq!(
        r.score(&a, &[&long_passage]).unwrap(),
        r.score(&b, &[&long_passage]).unwrap()
    );
}

#[test]
fn standalone_load_scores_like_the_shared_load() {
    let alone = BertReranker::load_standalone(&reranker_dir(), &embedder_dir()).unwrap();
    let p = seed_paragraph("Axian Group has entered a strategic partnership");
    let a = alone.score(QUESTION, &[&p]).unwrap();
    let b = reranker().score(QUESTION, &[&p]).unwrap();
    assert_eq!(a, b);
}

fn load_err(dir: &Path) -> String {
    match BertReranker::load(dir, embedder()) {
        Ok(_) => panic!("{} should not load", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn broken_reranker_folders_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let e = load_err(&tmp.path().join("nope"));
    assert!(e.contains("nope") && e.contains("not found"), "{e}");

    let dir = tmp.path().join("r");
    std::fs::create_dir_all(&dir).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("reranker.safetensors") && e.contains("not found"),
        "{e}"
    );

    let w = dir.join("reranker.safetensors");
    let bytes = std::fs::read(reranker_dir().join("reranker.safetensors")).unwrap();
    std::fs::write(&w, &bytes[..bytes.len() - 1000]).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("reranker.safetensors") && e.contains("truncated"),
        "{e}"
    );

    std::fs::write(&w, b"not a model").unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("reranker.safetensors") && e.contains("not a safetensors"),
        "{e}"
    );

    // A valid safetensors file of another model: the embedder's own weights (no `bert.`
    // prefix, no head).
    std::fs::copy(embedder_dir().join("model.safetensors"), &w).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("reranker.safetensors") && e.contains("head.weight"),
        "{e}"
    );

    // The embedder's folder is checked too when loading standalone.
    let e = match BertReranker::load_standalone(&reranker_dir(), &tmp.path().join("none")) {
        Ok(_) => panic!("should not load"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("none") && e.contains("not found"), "{e}");
}

/// A foreign file that has the head but not the encoder: the missing tensor is named.
#[test]
fn missing_encoder_tensors_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    std::fs::create_dir_all(&dir).unwrap();
    let head = vec![0u8; 2 * 385];
    let header = r#"{"head.weight":{"dtype":"F16","shape":[1,384],"data_offsets":[0,768]},"head.bias":{"dtype":"F16","shape":[1],"data_offsets":[768,770]}}"#;
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header.as_bytes());
    file.extend_from_slice(&head);
    std::fs::write(dir.join("reranker.safetensors"), file).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("reranker.safetensors") && e.contains("bert."),
        "{e}"
    );

    // The head of the wrong width: the shape is reported.
    let header = r#"{"head.weight":{"dtype":"F16","shape":[1,383],"data_offsets":[0,766]},"head.bias":{"dtype":"F16","shape":[1],"data_offsets":[766,768]}}"#;
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header.as_bytes());
    file.extend_from_slice(&head[..768]);
    std::fs::write(dir.join("reranker.safetensors"), file).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("reranker.safetensors") && e.contains("head.weight") && e.contains("383"),
        "{e}"
    );
}

/// Logits match PyTorch's on the pairs of `fixtures/reranker_reference.json` (written by
/// `tools/reranker_reference.py`). The fixture is required: a missing file fails the test.
#[test]
fn logits_match_pytorch() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reranker_reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (write it with tools/reranker_reference.py)",
            path.display()
        )
    });
    let fixture: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    let pairs = fixture["pairs"].as_array().expect("fixture has pairs");
    assert!(!pairs.is_empty(), "fixture has no pairs");
    let r = reranker();
    let mut worst = 0f32;
    for pair in pairs {
        let q = pair["q"].as_str().expect("pair has q");
        let p = pair["p"].as_str().expect("pair has p");
        let want = pair["logit"].as_f64().expect("pair has logit") as f32;
        let got = r.score(q, &[p]).unwrap()[0];
        assert!(
            (got - want).abs() < 0.02,
            "{q} / {p:.60}: candle {got}, PyTorch {want}"
        );
        worst = worst.max((got - want).abs());
        if let Some(tokens) = pair.get("tokens").and_then(|t| t.as_u64()) {
            assert_eq!(
                r.encoded_len(q, p).unwrap() as u64,
                tokens,
                "token count of {q} / {p:.60}"
            );
        }
    }
    // All pairs of one question in one batch agree with the reference too.
    let mut by_question: Vec<(&str, Vec<(&str, f32)>)> = Vec::new();
    for pair in pairs {
        let (q, p) = (pair["q"].as_str().unwrap(), pair["p"].as_str().unwrap());
        let want = pair["logit"].as_f64().unwrap() as f32;
        match by_question.iter_mut().find(|(bq, _)| *bq == q) {
            Some((_, ps)) => ps.push((p, want)),
            None => by_question.push((q, vec![(p, want)])),
        }
    }
    for (q, ps) in &by_question {
        let texts: Vec<&str> = ps.iter().map(|(p, _)| *p).collect();
        let got = r.score(q, &texts).unwrap();
        for ((p, want), got) in ps.iter().zip(got) {
            assert!(
                (got - want).abs() < 0.02,
                "batched {q} / {p:.60}: {got} vs {want}"
            );
        }
    }
    eprintln!(
        "{} pairs, largest |candle - PyTorch| {worst:.5}",
        pairs.len()
    );
}
