//! Live re-indexing under a running engine, through the public API.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsbot_core::index::{self, Origin};
use newsbot_core::live::{Reindexer, WatchOptions, Watcher};
use newsbot_core::{Engine, Prompts, Request, Storage};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A temp folder holding a copy of the shipped seeds and a data folder.
fn workspace() -> (tempfile::TempDir, PathBuf, Storage) {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    for e in std::fs::read_dir(repo("seeds")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, seeds.join(p.file_name().unwrap())).unwrap();
    }
    let storage = Storage::Disk(tmp.path().join("data/index"));
    (tmp, seeds, storage)
}

fn engine(seeds: &Path, storage: &Storage) -> Engine {
    let opened = index::open_or_build(seeds, storage, false, |_, _| {}).unwrap();
    let prompts = Prompts::load(&repo("prompts")).unwrap();
    Engine::new(opened.index, Arc::new(prompts))
}

const HEADLINE: &str = "Zorblax regulator fines Quuxcorp over smart kettles";
const CHANGED: &str = "Flimflam regulator fines Quuxcorp over smart kettles";
const ZORBLAX: &str = "Who did the Zorblax regulator fine?";
const FLIMFLAM: &str = "Who did the Flimflam regulator fine?";

fn article(name: &str) -> String {
    format!(
        "{HEADLINE}\n\nThe Zorblax data regulator fined Quuxcorp €4 million on Tuesday because its smart kettles sent {name} recordings abroad.\n\nQuuxcorp said it would appeal the Zorblax decision.\n"
    )
}

/// The top passage's headline for a question, if it was answered.
fn top(engine: &Engine, q: &str) -> Option<String> {
    let r = engine.answer(&Request::ask(q)).unwrap();
    r.answered.then(|| r.passages[0].headline.clone())
}

/// Whether any passage of the reply comes from the article with `headline`.
fn finds(engine: &Engine, q: &str, headline: &str) -> bool {
    let r = engine.answer(&Request::ask(q)).unwrap();
    r.passages.iter().any(|p| p.headline == headline)
}

#[test]
fn added_changed_and_removed_files_are_picked_up() {
    let (_tmp, seeds, storage) = workspace();
    let engine = engine(&seeds, &storage);
    let before = engine.stats();
    let mut re = Reindexer::new(engine.index().clone(), &seeds, storage.clone()).unwrap();
    assert_eq!(re.refresh().unwrap(), None, "nothing changed yet");
    assert!(!finds(&engine, ZORBLAX, HEADLINE));

    std::fs::write(seeds.join("zz_new.txt"), article("voice")).unwrap();
    let report = re.refresh().unwrap().expect("a re-index");
    assert_eq!(report.files, ["zz_new.txt"]);
    assert_eq!((report.articles_added, report.articles_removed), (1, 0));
    assert_eq!(top(&engine, ZORBLAX).as_deref(), Some(HEADLINE));
    assert_eq!(engine.stats().articles, before.articles + 1);
    assert_eq!(engine.stats().files, before.files + 1);

    // Changing the file replaces its article; the old wording is gone.
    std::fs::write(
        seeds.join("zz_new.txt"),
        article("voice").replace("Zorblax", "Flimflam"),
    )
    .unwrap();
    re.refresh().unwrap().expect("a re-index");
    assert!(!finds(&engine, ZORBLAX, HEADLINE));
    assert_eq!(top(&engine, FLIMFLAM).as_deref(), Some(CHANGED));
    assert_eq!(engine.stats().articles, before.articles + 1);

    // Touching without changing content is not a change.
    let text = std::fs::read(seeds.join("zz_new.txt")).unwrap();
    std::fs::write(seeds.join("zz_new.txt"), text).unwrap();
    assert_eq!(re.refresh().unwrap(), None);

    std::fs::remove_file(seeds.join("zz_new.txt")).unwrap();
    re.refresh().unwrap().expect("a re-index");
    assert!(!finds(&engine, FLIMFLAM, CHANGED));
    assert_eq!(engine.stats(), before);

    // Removing a real seed file drops the articles only it carried, and keeps the rest.
    let all = engine.articles().len();
    std::fs::remove_file(seeds.join("002_0d78579493660949.txt")).unwrap();
    let report = re.refresh().unwrap().expect("a re-index");
    assert!(report.articles_removed > 0);
    assert!(engine.articles().len() < all);
    assert!(engine
        .articles()
        .iter()
        .all(|a| a.sources.iter().all(|s| s != "002_0d78579493660949.txt")));

    // What the live re-index left on disk is reused as is by the next start.
    let reopened = index::open_or_build(&seeds, &storage, false, |_, _| {}).unwrap();
    assert_eq!(reopened.origin, Origin::Reused);
    assert_eq!(reopened.index.manifest, engine.index().current().manifest);
}

#[test]
fn index_matches_a_full_rebuild_after_live_changes() {
    let (_tmp, seeds, storage) = workspace();
    let engine = engine(&seeds, &storage);
    let mut re = Reindexer::new(engine.index().clone(), &seeds, storage.clone()).unwrap();
    std::fs::write(seeds.join("aa_first.txt"), article("video")).unwrap();
    std::fs::remove_file(seeds.join("001_45ac0e190cf60fe9.txt")).unwrap();
    re.refresh().unwrap().expect("a re-index");
    let rebuilt = index::open_or_build(&seeds, &Storage::Memory, true, |_, _| {}).unwrap();
    let live = engine.index().current();
    assert_eq!(live.manifest.articles, rebuilt.index.manifest.articles);
    assert_eq!(live.manifest.passages, rebuilt.index.manifest.passages);
    assert_eq!(
        live.reader.searcher().num_docs(),
        rebuilt.index.reader.searcher().num_docs()
    );
}

#[test]
fn queries_during_reindexing_never_fail() {
    let (_tmp, seeds, storage) = workspace();
    let engine = Arc::new(engine(&seeds, &storage));
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let client = {
        let (engine, stop, answered) = (engine.clone(), stop.clone(), answered.clone());
        std::thread::spawn(move || {
            let questions = [
                "who was fined over cookies?",
                "/fines",
                "What personal data leaked in the Coupang incident?",
                ZORBLAX,
            ];
            let mut errors = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) || i < 8 {
                let q = questions[i % questions.len()];
                match engine.answer(&Request::parse(q)) {
                    Ok(r) if r.answered || q.contains("Zorblax") => {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => errors.push(format!("{q}: not answered: {r:?}")),
                    Err(e) => errors.push(format!("{q}: {e}")),
                }
                i += 1;
            }
            errors
        })
    };
    let mut re = Reindexer::new(engine.index().clone(), &seeds, storage.clone()).unwrap();
    for round in 0..6 {
        let name = format!("zz_{round}.txt");
        std::fs::write(seeds.join(&name), article(&format!("round {round}"))).unwrap();
        re.refresh().unwrap().expect("a re-index");
        if round % 2 == 1 {
            std::fs::remove_file(seeds.join(&name)).unwrap();
            re.refresh().unwrap().expect("a re-index");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let errors = client.join().unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(answered.load(Ordering::Relaxed) >= 8);
}

#[test]
fn watcher_picks_up_a_new_file() {
    let (_tmp, seeds, storage) = workspace();
    let engine = engine(&seeds, &storage);
    let reports = Arc::new(AtomicUsize::new(0));
    let seen = reports.clone();
    let _watcher = Watcher::spawn(
        engine.index().clone(),
        seeds.clone(),
        storage,
        WatchOptions {
            poll: Duration::from_millis(50),
            debounce: Duration::from_millis(100),
        },
        move |_| {
            seen.fetch_add(1, Ordering::Relaxed);
        },
    );
    std::fs::write(seeds.join("zz_new.txt"), article("voice")).unwrap();
    // A generous deadline, not a performance assertion: CI machines can be slow.
    let deadline = Instant::now() + Duration::from_secs(60);
    while top(&engine, ZORBLAX).as_deref() != Some(HEADLINE) {
        assert!(Instant::now() < deadline, "the new file was never indexed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(reports.load(Ordering::Relaxed) >= 1);
}

#[test]
fn in_memory_index_reindexes_too() {
    let (_tmp, seeds, _) = workspace();
    let engine = engine(&seeds, &Storage::Memory);
    let mut re = Reindexer::new(engine.index().clone(), &seeds, Storage::Memory).unwrap();
    std::fs::write(seeds.join("zz_new.txt"), article("voice")).unwrap();
    re.refresh().unwrap().expect("a re-index");
    assert_eq!(top(&engine, ZORBLAX).as_deref(), Some(HEADLINE));
}

#[test]
fn emptied_folder_keeps_the_last_good_index() {
    let (_tmp, seeds, storage) = workspace();
    let engine = engine(&seeds, &storage);
    let before = engine.stats();
    let mut re = Reindexer::new(engine.index().clone(), &seeds, storage).unwrap();
    for e in std::fs::read_dir(&seeds).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    assert!(re.refresh().is_err());
    assert_eq!(engine.stats(), before);
    assert!(top(&engine, "who was fined over cookies?").is_some());
}

#[test]
fn an_index_rebuilt_by_another_process_is_not_written_through_a_stale_view() {
    let (_tmp, seeds, storage) = workspace();
    let engine = engine(&seeds, &storage);
    let mut re = Reindexer::new(engine.index().clone(), &seeds, storage.clone()).unwrap();
    // What `newsbot index` in a second process does: a fresh index swapped into place.
    std::fs::write(seeds.join("zz_new.txt"), article("voice")).unwrap();
    index::open_or_build(&seeds, &storage, true, |_, _| {}).unwrap();
    std::fs::write(
        seeds.join("zz_other.txt"),
        article("other").replace("Zorblax", "Flimflam"),
    )
    .unwrap();
    assert!(re.refresh().is_err());
    // The running engine still answers from its snapshot, and the folder's index is intact.
    assert!(top(&engine, "who was fined over cookies?").is_some());
    let reopened = index::open_or_build(&seeds, &storage, false, |_, _| {}).unwrap();
    assert!(matches!(reopened.origin, Origin::Built { .. }));
}

#[test]
fn articles_sharing_an_id_survive_a_change_to_one_of_them() {
    let (_tmp, seeds, storage) = workspace();
    let a = "Alpha headline here\n\nA shared lead sentence opens both pieces.\n\nAlpha only paragraph one.\n\nAlpha only paragraph two.\n";
    let b = "Beta headline here\n\nA shared lead sentence opens both pieces.\n\nBeta only paragraph one.\n\nBeta only paragraph two.\n";
    std::fs::write(seeds.join("zz_a.txt"), a).unwrap();
    std::fs::write(seeds.join("zz_b.txt"), b).unwrap();
    let engine = engine(&seeds, &storage);
    let mut re = Reindexer::new(engine.index().clone(), &seeds, storage.clone()).unwrap();
    std::fs::write(seeds.join("zz_b.txt"), b.replace("only", "solely")).unwrap();
    let report = re.refresh().unwrap().expect("a re-index");
    assert_eq!(
        report.articles_added, 2,
        "both articles under the shared id"
    );
    let rebuilt = index::open_or_build(&seeds, &Storage::Memory, true, |_, _| {}).unwrap();
    let live = engine.index().current();
    assert_eq!(live.manifest.articles, rebuilt.index.manifest.articles);
    assert_eq!(
        live.reader.searcher().num_docs(),
        rebuilt.index.reader.searcher().num_docs()
    );
    assert!(finds(
        &engine,
        "alpha only paragraph",
        "Alpha headline here"
    ));
}
