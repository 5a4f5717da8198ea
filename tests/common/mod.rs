//! The one harness of the integration tests: the binary in a clean environment on real
//! seed folders, and driving a long-running `newsbot chat` through its pipes.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the shipped seed files into `dir`, for tests that change a seed folder.
pub fn copy_seeds(dir: &Path) {
    for e in std::fs::read_dir(root().join("seeds")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
}

/// Copies the shipped prompts into `to`, for tests that edit them.
pub fn copy_prompts(to: &Path) {
    let from = root().join("prompts");
    std::fs::create_dir_all(to.join("topics")).unwrap();
    for name in ["messages.toml", "variants.toml"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
    for e in std::fs::read_dir(from.join("topics")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join("topics").join(p.file_name().unwrap())).unwrap();
    }
}

/// The test run's shared vector folder: the seeds are embedded once for the whole run, by
/// whichever test gets there first (the others wait on the store's lock, then reuse it).
pub const VECTORS: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/vectors");

/// The binary in a clean environment: no developer's `.env` (it runs in the temp folder),
/// `NEWSBOT_*` or `DISCORD_TOKEN` reaches it, and it uses the shared vector folder.
pub fn bin() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("newsbot"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NEWSBOT_VECTORS", VECTORS)
        .current_dir(std::env::temp_dir());
    cmd
}

/// [`bin`] on `seeds` with the shipped prompts.
pub fn newsbot(seeds: &Path) -> Command {
    newsbot_with(seeds, &root().join("prompts"))
}

/// [`bin`] on `seeds` and `prompts`.
pub fn newsbot_with(seeds: &Path, prompts: &Path) -> Command {
    let mut cmd = bin();
    cmd.arg("--seeds").arg(seeds).arg("--prompts").arg(prompts);
    cmd
}

/// The binary on the shipped seeds and prompts with an in-memory index, so tests never
/// write into the checkout; with `assert_cmd`'s assertions.
pub fn shipped() -> assert_cmd::Command {
    let mut cmd = newsbot(&root().join("seeds"));
    cmd.arg("--in-memory");
    assert_cmd::Command::from_std(cmd)
}

/// A run that must have succeeded (else the test fails showing its stderr).
pub fn succeeded(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The stderr (lossily) of a run that must have failed.
pub fn failing(out: std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Collects a child's output lines as they come.
pub fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    let b = buf.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut b = b.lock().unwrap();
            b.push_str(&line);
            b.push('\n');
        }
    });
    buf
}

/// A running `newsbot … chat`, its output gathered as it comes. Killed when dropped.
pub struct Chat {
    pub child: Child,
    stdin: Option<ChildStdin>,
    pub out: Arc<Mutex<String>>,
    pub err: Arc<Mutex<String>>,
}

impl Chat {
    /// Starts `newsbot <args> chat` in `dir` with a clean environment plus `env`.
    pub fn start(dir: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Chat {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("newsbot"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(dir)
            .args(args)
            .arg("chat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdin = child.stdin.take();
        let out = collect(child.stdout.take().unwrap());
        let err = collect(child.stderr.take().unwrap());
        Chat {
            child,
            stdin,
            out,
            err,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn say(&mut self, line: &str) {
        writeln!(self.stdin.as_mut().expect("stdin open"), "{line}").unwrap();
    }

    /// Waits until standard output holds `needle`, or fails the test showing both streams.
    pub fn wait_out(&mut self, needle: &str, within: Duration) -> Duration {
        let buf = self.out.clone();
        self.wait(&buf, needle, within)
    }

    pub fn wait_err(&mut self, needle: &str, within: Duration) -> Duration {
        let buf = self.err.clone();
        self.wait(&buf, needle, within)
    }

    fn wait(&mut self, buf: &Arc<Mutex<String>>, needle: &str, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if buf.lock().unwrap().contains(needle) {
                return started.elapsed();
            }
            if started.elapsed() > within {
                let _ = self.child.kill();
                panic!(
                    "{needle:?} did not appear within {within:?}\n--- stdout:\n{}\n--- stderr:\n{}",
                    self.out.lock().unwrap(),
                    self.err.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Standard output from `mark` (a length taken earlier) on.
    pub fn out_since(&self, mark: usize) -> String {
        self.out.lock().unwrap()[mark..].to_string()
    }

    pub fn out_len(&self) -> usize {
        self.out.lock().unwrap().len()
    }

    /// Asks one question and returns the reply: the output from the question until the
    /// console's next prompt, waited for by `needle` when given, else a fixed settle.
    pub fn ask(&mut self, q: &str, needle: &str) -> String {
        let mark = self.out_len();
        self.say(q);
        let started = Instant::now();
        loop {
            let since = self.out_since(mark);
            if since.contains(needle) {
                return since;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return since;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "did not exit within {within:?}\n--- stderr:\n{}",
                    self.err.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `/quit`, and waits for a clean exit.
    pub fn quit(mut self) {
        self.say("/quit");
        self.stdin.take();
        let status = self.wait_exit(Duration::from_secs(20));
        assert!(status.success(), "{status}: {}", self.err.lock().unwrap());
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
