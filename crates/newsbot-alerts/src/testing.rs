//! Articles and indexes for the tests of alerts, here and in the doors.

use std::path::Path;
use std::sync::Arc;

use newsbot_core::index::testing::index_of;
use newsbot_core::index::SearchIndex;
use newsbot_core::Prompts;

/// An article on fines, `n` telling it apart: `(file name, text)`.
pub fn fine(n: usize) -> (String, Vec<u8>) {
    let text = format!(
        "Regulator fines Company{n} over cookies\n\nThe data protection regulator fined \
         Company{n} {n} million euros on Tuesday for setting cookies without consent.\n"
    );
    (format!("fine{n}.txt"), text.into_bytes())
}

/// An article on no topic.
pub fn weather() -> (String, Vec<u8>) {
    let text = "Storm closes the harbour\n\nHigh winds closed the harbour for two days.\n";
    ("weather.txt".into(), text.as_bytes().to_vec())
}

/// An in-memory index of `files`.
pub fn index(files: &[(String, Vec<u8>)]) -> SearchIndex {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    index_of(&files)
}

/// The shipped prompts.
pub fn prompts() -> Arc<Prompts> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prompts");
    Arc::new(Prompts::load(&dir).expect("the shipped prompts load"))
}
