//! Deterministic synthetic archives for the benchmark, grown from the seed articles.
//!
//! A generated article recombines real sentences from the seeds, with names, numbers and
//! months varied, so term statistics stay news-like: common words keep their frequencies
//! while the vocabulary of names keeps growing with the archive, as a real one does. Files are
//! written in the seed format (headline, blank-line paragraphs, promo separators) so the real
//! parser does the reading.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use newsbot_core::corpus::Corpus;

/// Bump when the output for a given seed changes, so cached corpora are regenerated.
pub const GENERATOR_VERSION: u32 = 1;
const ARTICLES_PER_FILE: usize = 100;
const PROMO: &str = "Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!";
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// splitmix64: tiny, fast, and fixed forever, unlike a library RNG whose stream may change
/// between versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// Skewed towards the front of a list: a few names are everywhere, most are rare.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64) * u * u * u) as usize % n.max(1)
    }
}

/// What the generator draws from.
pub struct Pools {
    sentences: Vec<String>,
    headlines: Vec<String>,
    names: Vec<String>,
    paragraphs_per_article: Vec<usize>,
    sentences_per_paragraph: Vec<usize>,
}

fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
        let next_upper = words
            .get(i + 1)
            .and_then(|n| n.chars().next())
            .is_some_and(|c| c.is_uppercase());
        if w.ends_with(['.', '!', '?']) && (next_upper || i + 1 == words.len()) {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn capitalised(core: &str) -> bool {
    core.chars().count() > 2
        && core.chars().next().is_some_and(|c| c.is_uppercase())
        && core.chars().all(|c| c.is_alphabetic())
}

/// Splits a word into leading punctuation, core and trailing punctuation.
fn parts(word: &str) -> (&str, &str, &str) {
    let start = word
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(word.len());
    let end = word
        .rfind(|c: char| c.is_alphanumeric())
        .map_or(start, |i| {
            i + word[i..].chars().next().map_or(1, char::len_utf8)
        });
    (&word[..start], &word[start..end], &word[end..])
}

impl Pools {
    /// Draws pools from the seed corpus. `scale` sizes the invented names: a bigger archive
    /// mentions more distinct people and companies.
    pub fn new(corpus: &Corpus, scale: usize, rng: &mut Rng) -> Pools {
        let mut sentences_pool = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut sentences_per_paragraph = Vec::new();
        for a in &corpus.articles {
            for p in &a.paragraphs {
                let s = sentences(&p.text);
                sentences_per_paragraph.push(s.len().clamp(1, 6));
                for sentence in s {
                    for w in sentence.split_whitespace().skip(1) {
                        let (_, core, _) = parts(w);
                        if capitalised(core) && !names.iter().any(|n| n == core) {
                            names.push(core.to_string());
                        }
                    }
                    sentences_pool.push(sentence);
                }
            }
        }
        let base = names.len();
        let invented = (200.0 * (scale as f64).sqrt()) as usize;
        for _ in 0..invented.min(base * base) {
            let a = &names[rng.below(base)];
            let b = &names[rng.below(base)];
            let cut_a = a
                .char_indices()
                .nth(a.chars().count().div_ceil(2))
                .map_or(a.len(), |c| c.0);
            let cut_b = b
                .char_indices()
                .nth(b.chars().count() / 2)
                .map_or(0, |c| c.0);
            names.push(format!("{}{}", &a[..cut_a], b[cut_b..].to_lowercase()));
        }
        Pools {
            sentences: sentences_pool,
            headlines: corpus.articles.iter().map(|a| a.headline.clone()).collect(),
            names,
            paragraphs_per_article: corpus
                .articles
                .iter()
                .map(|a| a.paragraphs.len().max(1))
                .collect(),
            sentences_per_paragraph,
        }
    }

    fn vary(&self, text: &str, rng: &mut Rng) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        for (i, w) in text.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let (lead, core, trail) = parts(w);
            out.push_str(lead);
            if MONTHS.contains(&core) {
                out.push_str(MONTHS[rng.below(12)]);
            } else if core.chars().any(|c| c.is_ascii_digit()) {
                for c in core.chars() {
                    out.push(if c.is_ascii_digit() {
                        char::from(b'0' + rng.below(10) as u8)
                    } else {
                        c
                    });
                }
            } else if i > 0 && capitalised(core) && rng.chance(0.6) {
                out.push_str(&self.names[rng.skewed(self.names.len())]);
            } else {
                out.push_str(core);
            }
            out.push_str(trail);
        }
        out
    }

    fn headline(&self, rng: &mut Rng) -> String {
        let h = self.vary(&self.headlines[rng.below(self.headlines.len())], rng);
        let h: Vec<&str> = h.split_whitespace().take(14).collect();
        let mut h = h
            .join(" ")
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_string();
        // The parser takes a heading only when it starts with a capital or digit.
        if !h
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
        {
            h.insert_str(0, "Report: ");
        }
        h
    }

    fn paragraph(&self, rng: &mut Rng) -> String {
        let n = self.sentences_per_paragraph[rng.below(self.sentences_per_paragraph.len())];
        let mut p = (0..n)
            .map(|_| self.vary(&self.sentences[rng.below(self.sentences.len())], rng))
            .collect::<Vec<_>>()
            .join(" ");
        if !p.ends_with(['.', '!', '?', '"', '”', ')']) {
            p.push('.');
        }
        p
    }

    /// One article in seed format: headline, then blank-line-separated paragraphs.
    pub fn article(&self, rng: &mut Rng, out: &mut String) {
        out.push_str(&self.headline(rng));
        out.push_str("\n\n");
        let n = self.paragraphs_per_article[rng.below(self.paragraphs_per_article.len())];
        for _ in 0..n {
            out.push_str(&self.paragraph(rng));
            out.push_str("\n\n");
        }
    }
}

/// Writes a seed folder `scale` times the size of `seeds` (in articles) into `out`: the real
/// seed files, then generated files of 100 articles each.
pub fn generate(seeds: &Path, corpus: &Corpus, scale: usize, seed: u64, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for path in newsbot_core::corpus::seed_files(seeds)? {
        let to = out.join(path.file_name().context("seed file name")?);
        std::fs::copy(&path, &to).with_context(|| format!("copying {}", path.display()))?;
    }
    let mut rng = Rng::new(seed);
    let pools = Pools::new(corpus, scale, &mut rng);
    let total = corpus.articles.len() * scale.saturating_sub(1);
    let mut text = String::new();
    for (file_no, start) in (0..total).step_by(ARTICLES_PER_FILE).enumerate() {
        text.clear();
        for i in start..(start + ARTICLES_PER_FILE).min(total) {
            if i > start {
                text.push_str(PROMO);
                text.push_str("\n\n");
            }
            pools.article(&mut rng, &mut text);
        }
        let path = out.join(format!("gen_{file_no:06}.txt"));
        let mut f =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_fixed() {
        let mut r = Rng::new(42);
        let a: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut r = Rng::new(42);
        let b: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn word_parts() {
        assert_eq!(parts("(Coupang’s,"), ("(", "Coupang’s", ","));
        assert_eq!(parts("…"), ("…", "", ""));
        assert_eq!(parts("€5M."), ("€", "5M", "."));
    }

    #[test]
    fn sentence_split() {
        let s = sentences("It rose 5.5% in May. Then it fell! Done.");
        assert_eq!(s, ["It rose 5.5% in May.", "Then it fell!", "Done."]);
    }
}
