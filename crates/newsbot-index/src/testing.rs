//! Small corpora and indexes for unit tests, from seed-format text.

use newsbot_ingest::corpus::{self, Corpus};

use super::{build, SearchIndex, Storage};

/// The corpus of `(file name, content)` pairs, read as the seed folder's files are.
pub fn corpus_of(files: &[(&str, &[u8])]) -> Corpus {
    let mut c = Corpus::default();
    for (name, bytes) in files {
        match corpus::parse_bytes(name, bytes) {
            Ok(f) => c.files.push(f),
            Err(w) => c.warnings.push(w),
        }
    }
    c.articles = corpus::merge(&c.files);
    c
}

/// Two short articles, separated by the promo line as the seed files are.
pub const NEWS: &[u8] = b"Regulator fines Coupang over data breach\n\n\
Coupang was fined 5 million dollars by the regulator on 24 June after a data breach.\n\n\
The company said hackers reached its servers in Seoul.\n\n\
Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!\n\n\
Cloud outage takes down banking apps\n\n\
A cloud outage took down banking apps across Europe for six hours.\n\n\
Engineers blamed a faulty update.\n";

/// An in-memory index of `files`.
pub fn index_of(files: &[(&str, &[u8])]) -> SearchIndex {
    build(&corpus_of(files), &Storage::Memory, |_, _| {}).expect("test index builds")
}
