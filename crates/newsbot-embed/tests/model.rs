//! The shipped model, loaded from the repository: vectors match Python
//! sentence-transformers, and every broken model folder gives an error naming the file.

use std::path::{Path, PathBuf};

use newsbot_embed::BertEmbedder;
use newsbot_index::embedder::Embedder;

fn model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-MiniLM-L6-v2")
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn vectors_match_python_sentence_transformers() {
    let model = BertEmbedder::load(&model_dir()).expect("shipped model loads");
    assert_eq!(model.dims(), 384);
    assert_eq!(model.name(), "all-MiniLM-L6-v2");
    let fixture = include_str!("fixtures/sentence_transformers_vectors.jsonl");
    let mut texts = Vec::new();
    let mut expected = Vec::new();
    for line in fixture.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        texts.push(v["q"].as_str().unwrap().to_string());
        expected.push(
            v["vec"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect::<Vec<f32>>(),
        );
    }
    // As a batch (padding in play) and one by one, both agree with Python.
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let batch = model.embed_passages(&refs).unwrap();
    for (i, want) in expected.iter().enumerate() {
        let single = model.embed_query(&texts[i]).unwrap();
        assert!((cos(&single, &single) - 1.0).abs() < 1e-3, "unit length");
        // f16 weights against Python's f32 run: a cosine this close is the same vector.
        assert!(
            cos(&single, want) > 0.995,
            "{}: {}",
            texts[i],
            cos(&single, want)
        );
        assert!(cos(&batch[i], want) > 0.995, "batched {}", texts[i]);
    }
    // And the model means something: a paraphrase is nearer than an unrelated sentence.
    let q = model.embed_query("who was fined over cookies?").unwrap();
    let near = model
        .embed_query("The regulator imposed a penalty for tracking cookies.")
        .unwrap();
    let far = model
        .embed_query("The team won the match on Sunday.")
        .unwrap();
    assert!(cos(&q, &near) > cos(&q, &far) + 0.1);
}

#[test]
fn long_text_is_truncated_not_an_error() {
    let model = BertEmbedder::load(&model_dir()).unwrap();
    let long = "word ".repeat(5000);
    let v = model.embed_query(&long).unwrap();
    assert_eq!(v.len(), 384);
    assert!(model.embed_query("").unwrap().len() == 384);
}

/// Questions are cut at 64 word pieces and passages at 256: what follows the 64th piece
/// changes a passage's vector but not a question's.
#[test]
fn questions_are_cut_shorter_than_passages() {
    let model = BertEmbedder::load(&model_dir()).unwrap();
    let head = "the regulator fined the bank ".repeat(14);
    let (a, b) = (format!("{head} apples"), format!("{head} submarines"));
    assert_eq!(
        model.embed_query(&a).unwrap(),
        model.embed_query(&b).unwrap()
    );
    let p = model.embed_passages(&[&a, &b]).unwrap();
    assert_ne!(p[0], p[1]);
    // A short question is not cut.
    assert_ne!(
        model.embed_query("fined apples").unwrap(),
        model.embed_query("fined submarines").unwrap()
    );
}

fn copy_model(to: &Path) {
    std::fs::create_dir_all(to.join("1_Pooling")).unwrap();
    for f in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
    ] {
        std::fs::copy(model_dir().join(f), to.join(f)).unwrap();
    }
}

fn load_err(dir: &Path) -> String {
    match BertEmbedder::load(dir) {
        Ok(_) => panic!("{} should not load", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn broken_model_folders_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(load_err(&tmp.path().join("nope")).contains("model folder not found"));

    let dir = tmp.path().join("m");
    copy_model(&dir);
    std::fs::remove_file(dir.join("tokenizer.json")).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("tokenizer.json") && e.contains("not found"),
        "{e}"
    );

    copy_model(&dir);
    let w = dir.join("model.safetensors");
    let bytes = std::fs::read(&w).unwrap();
    std::fs::write(&w, &bytes[..bytes.len() / 2]).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("model.safetensors") && e.contains("truncated"),
        "{e}"
    );

    std::fs::write(&w, b"this is not a model").unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("model.safetensors") && e.contains("not a safetensors"),
        "{e}"
    );

    copy_model(&dir);
    std::fs::write(dir.join("config.json"), "{ not json").unwrap();
    let e = load_err(&dir);
    assert!(e.contains("config.json") && e.contains("JSON"), "{e}");
}
