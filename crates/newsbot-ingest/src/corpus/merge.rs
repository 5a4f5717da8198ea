//! Merging the copies of one article that several files carry into one article.

use super::*;

/// The articles of a seed folder and the account of how they were put together.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    pub articles: Vec<Article>,
    pub accounting: Accounting,
}

/// The key under which near-duplicate paragraphs are stored once: the text without case,
/// whitespace, quotes or punctuation. A paragraph of punctuation alone keys by its text.
fn paragraph_key(text: &str) -> String {
    let print = fingerprint(text);
    if print.is_empty() {
        text.to_string()
    } else {
        print
    }
}

/// Merges the articles of all files: copies of one article become one article listing
/// every file as a source, with the real headline from whichever copy has one.
pub fn merge(files: &[ParsedFile]) -> Vec<Article> {
    merge_accounted(files).articles
}

/// Like [`merge`], also accounting per file for what was stored and what was a duplicate.
///
/// Two chunks are copies only when their paragraph text says so: at least half of the
/// shorter one's substantial paragraphs are in the other (two write-ups of one event share
/// none). Headlines play no part. Merging never drops a distinct paragraph: the article is
/// the union of its copies, in the longest copy's order, each other copy's extra paragraphs
/// placed after the paragraph they follow in their own copy.
pub fn merge_accounted(files: &[ParsedFile]) -> Merged {
    /// One chunk as a file carries it, with its paragraphs' keys.
    struct Copy<'a> {
        file: usize,
        raw: &'a RawArticle,
        keys: &'a [String],
    }
    struct Draft<'a> {
        copies: Vec<Copy<'a>>,
        keys: HashSet<&'a str>,
        /// Indexes into `notes` of the merges into this draft, to fill in the headline.
        notes: Vec<usize>,
    }
    // Keys are computed once here and borrowed everywhere below: on a large archive the
    // fingerprints are most of the merge's work.
    let all_keys: Vec<Vec<Vec<String>>> = files
        .iter()
        .map(|f| {
            f.articles
                .iter()
                .map(|a| {
                    a.paragraphs
                        .iter()
                        .map(|p| paragraph_key(&p.text))
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut notes: Vec<MergeNote> = Vec::new();
    let mut by_paragraph: HashMap<&str, usize> = HashMap::default();
    for (f, file) in files.iter().enumerate() {
        for (raw, keys) in file.articles.iter().zip(&all_keys[f]) {
            let distinct: HashSet<&str> = keys.iter().map(String::as_str).collect();
            let evidence: Vec<&str> = distinct
                .iter()
                .copied()
                .filter(|k| k.chars().count() >= MIN_EVIDENCE_CHARS)
                .collect();
            let mut votes: HashMap<usize, usize> = HashMap::default();
            for k in &evidence {
                if let Some(&i) = by_paragraph.get(k) {
                    *votes.entry(i).or_default() += 1;
                }
            }
            let same = votes
                .into_iter()
                .filter(|&(i, n)| n * 2 >= distinct.len().min(drafts[i].keys.len()))
                .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
                .map(|(i, _)| i);
            let copy = Copy { file: f, raw, keys };
            let i = match same {
                Some(i) => {
                    let d = &mut drafts[i];
                    let common = distinct.iter().filter(|k| d.keys.contains(*k)).count();
                    let mut earlier: Vec<String> = d
                        .copies
                        .iter()
                        .map(|c| files[c.file].name.clone())
                        .collect();
                    earlier.dedup();
                    d.notes.push(notes.len());
                    notes.push(MergeNote {
                        headline: String::new(),
                        earlier,
                        file: file.name.clone(),
                        common,
                        added: distinct.len() - common,
                    });
                    d.copies.push(copy);
                    i
                }
                None => {
                    drafts.push(Draft {
                        copies: vec![copy],
                        keys: HashSet::default(),
                        notes: Vec::new(),
                    });
                    drafts.len() - 1
                }
            };
            for k in evidence {
                by_paragraph.entry(k).or_insert(i);
            }
            drafts[i].keys.extend(distinct);
        }
    }

    let mut per_file = vec![Counts::default(); files.len()];
    let mut articles = Vec::with_capacity(drafts.len());
    for d in &drafts {
        // Accounting in file order: the first copy to give a paragraph is credited with it.
        let mut seen: HashSet<&str> = HashSet::default();
        for c in &d.copies {
            for k in c.keys {
                if seen.insert(k) {
                    per_file[c.file].paragraphs_indexed += 1;
                } else {
                    per_file[c.file].duplicates_stored_once += 1;
                }
            }
        }
        let copies: Vec<(&RawArticle, &[String])> =
            d.copies.iter().map(|c| (c.raw, c.keys)).collect();
        let paragraphs = union_of_copies(&copies);
        let headline = d.copies.iter().find_map(|c| c.raw.headline.clone());
        let derived = headline.is_none();
        let headline = headline.unwrap_or_else(|| derive_headline(&paragraphs[0].text));
        for &n in &d.notes {
            notes[n].headline = headline.clone();
        }
        let mut sources: Vec<String> = d
            .copies
            .iter()
            .map(|c| files[c.file].name.clone())
            .collect();
        sources.sort();
        sources.dedup();
        articles.push(Article {
            id: short_hash(&fingerprint(&paragraphs[0].text)),
            headline,
            headline_derived: derived,
            paragraphs,
            sources,
            date: d.copies.iter().find_map(|c| c.raw.date.clone()),
            url: d.copies.iter().find_map(|c| c.raw.url.clone()),
        });
    }

    let mut accounting = Accounting {
        merges: notes,
        ..Accounting::default()
    };
    for (file, mut counts) in files.iter().zip(per_file) {
        counts.lines = file.counts.lines;
        counts.blocks = file.counts.blocks;
        counts.records = file.counts.records;
        counts.dropped = file.counts.dropped;
        counts.headlines = file.counts.headlines;
        counts.headings = file.counts.headings;
        counts.promo_lines = file.counts.promo_lines;
        counts.dates = file.counts.dates;
        accounting.total.add(&counts);
        let format = super::formats::Format::of_name(&file.name);
        let mut notes: Vec<String> = file
            .warnings
            .iter()
            .map(|w| match w.line {
                Some(line) => format!("line {line} {}", w.problem),
                None => w.problem.clone(),
            })
            .collect();
        if format == super::formats::Format::Html && counts.dropped > 0 {
            notes.push(format!(
                "{} block{} of page furniture left out (navigation, header, footer, ads, share bars)",
                counts.dropped,
                if counts.dropped == 1 { "" } else { "s" }
            ));
        }
        accounting.files.push(FileAccount {
            file: file.name.clone(),
            format: format.label().into(),
            skipped: None,
            notes,
            encoding: file.encoding.clone(),
            counts,
        });
    }
    Merged {
        articles,
        accounting,
    }
}

/// The union of an article's copies (each with its paragraphs' keys), each near-duplicate
/// paragraph once. The longest copy (the first, on a tie) gives the order; another copy's
/// extra paragraph goes right after the paragraph it follows in that copy, and extras that
/// open a copy go before the first paragraph that copy shares.
fn union_of_copies(copies: &[(&RawArticle, &[String])]) -> Vec<Paragraph> {
    let base = copies
        .iter()
        .enumerate()
        .max_by_key(|(i, (raw, _))| (raw.paragraphs.len(), std::cmp::Reverse(*i)))
        .map_or(0, |(i, _)| i);
    let mut out: Vec<(&str, &Paragraph)> = Vec::new();
    let mut have: HashSet<&str> = HashSet::default();
    let (raw, keys) = copies[base];
    for (p, k) in raw.paragraphs.iter().zip(keys) {
        if have.insert(k) {
            out.push((k, p));
        }
    }
    for (i, (raw, keys)) in copies.iter().enumerate() {
        if i == base {
            continue;
        }
        let mut after: Option<usize> = None;
        let mut leading: Vec<(&str, &Paragraph)> = Vec::new();
        for (p, k) in raw.paragraphs.iter().zip(keys.iter()) {
            let k = k.as_str();
            if leading.iter().any(|(o, _)| *o == k) {
                continue;
            }
            if have.contains(k) {
                let pos = out.iter().position(|(o, _)| *o == k).unwrap_or(out.len());
                if after.is_none() && !leading.is_empty() {
                    let n = leading.len();
                    out.splice(pos..pos, leading.drain(..));
                    after = Some(pos + n);
                } else {
                    after = Some(pos);
                }
            } else {
                have.insert(k);
                match after {
                    Some(pos) => {
                        out.insert(pos + 1, (k, p));
                        after = Some(pos + 1);
                    }
                    None => leading.push((k, p)),
                }
            }
        }
        // A copy that shares nothing (not reachable through `merge`) keeps its text anyway.
        out.append(&mut leading);
    }
    out.into_iter().map(|(_, p)| p.clone()).collect()
}
