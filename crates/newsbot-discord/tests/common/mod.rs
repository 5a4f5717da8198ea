//! Test support: a local capture server that stands in for Discord's REST API, Discord's
//! OpenAPI spec for validating what was sent, fixtures, and an engine on the real seeds.
#![allow(dead_code)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use newsbot_core::{index, Engine, Prompts, Storage};
use newsbot_discord::{Bot, Token};
use serde_json::Value;
use serenity::all::Http;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The engine on the shipped seeds and prompts, in memory. Built once per test binary.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let root = workspace_root();
            let prompts = Prompts::load(&root.join("prompts")).expect("prompts load");
            let opened =
                index::open_or_build(&root.join("seeds"), &Storage::Memory, false, |_, _| {})
                    .expect("index builds");
            Arc::new(Engine::new(opened.index, Arc::new(prompts)))
        })
        .clone()
}

pub fn bot() -> Bot {
    Bot::new(engine())
}

pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One request the capture server received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub body: Option<Value>,
}

pub struct Capture {
    pub url: String,
    requests: Arc<Mutex<Vec<Captured>>>,
}

impl Capture {
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests, once at least `n` have arrived (a deadline of 60 s for the event,
    /// not a measure of speed).
    #[allow(dead_code)]
    pub async fn wait_for_requests(&self, n: usize) -> Vec<Captured> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let reqs = self.requests();
            if reqs.len() >= n {
                return reqs;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited for {n} requests, got {reqs:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// A serenity client whose every REST call goes to this server.
    pub fn http(&self) -> Http {
        let token = Token::new("MTAwMDAwMDAwMDAwMDAwMDAw.GAAAAA.test-token-not-real").unwrap();
        let http = newsbot_discord::gateway::http_for(&token, Some(&self.url));
        http.set_application_id(serenity::all::ApplicationId::new(APP_ID));
        http
    }
}

pub const APP_ID: u64 = 1_100_000_000_000_000_001;

/// A message as Discord returns it after a create or edit.
pub fn message_json() -> Value {
    fixture("dm_message.json")
}

/// Messages to a channel whose id starts with 403 are refused, as for a channel the bot
/// lost access to.
pub const NO_ACCESS_CHANNEL: u64 = 403_000_000_000_000_001;

fn respond(method: &str, path: &str) -> (u16, String) {
    if path.contains(&format!("/channels/{NO_ACCESS_CHANNEL}/")) {
        (403, r#"{"message":"Missing Access","code":50001}"#.into())
    } else if path.ends_with("/callback") {
        (204, String::new())
    } else if path.ends_with("/commands") && method == "PUT" {
        (200, "[]".into())
    } else if path.contains("/messages") {
        (200, message_json().to_string())
    } else {
        (404, r#"{"message":"Unknown","code":0}"#.into())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Starts a minimal HTTP/1.1 server (keep-alive, Content-Length bodies) that records every
/// request and answers like Discord would: 204 for interaction callbacks, a message for
/// message creates and edits, `[]` for command overwrites.
pub async fn capture_server() -> Capture {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<Captured>>> = Arc::default();
    let log = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf: Vec<u8> = Vec::new();
                loop {
                    let head_end = loop {
                        if let Some(i) = find(&buf, b"\r\n\r\n") {
                            break i + 4;
                        }
                        let mut chunk = [0u8; 8192];
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let mut lines = head.lines();
                    let mut first = lines.next().unwrap_or("").split_whitespace();
                    let method = first.next().unwrap_or("").to_string();
                    let path = first.next().unwrap_or("").to_string();
                    let len: usize = lines
                        .filter_map(|l| l.split_once(':'))
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        let mut chunk = [0u8; 8192];
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body_bytes: Vec<u8> = buf.drain(..head_end + len).skip(head_end).collect();
                    let body = (!body_bytes.is_empty())
                        .then(|| serde_json::from_slice(&body_bytes).expect("JSON body"));
                    let (status, reply) = respond(&method, &path);
                    log.lock().unwrap().push(Captured { method, path, body });
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{reply}",
                        reply.len()
                    );
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Capture { url, requests }
}

/// Discord's OpenAPI spec: `DISCORD_OPENAPI_SPEC` when set (a missing file then fails the
/// test, so a refresh cannot silently fall back), else the gzipped copy vendored in
/// `tests/fixtures/discord-openapi/` so a plain clone passes on its own.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = match std::env::var_os("DISCORD_OPENAPI_SPEC") {
            Some(p) => {
                let path = PathBuf::from(p);
                std::fs::read_to_string(&path).unwrap_or_else(|e| {
                    panic!("DISCORD_OPENAPI_SPEC={}: cannot read: {e}", path.display())
                })
            }
            None => {
                let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/discord-openapi/openapi.json.gz");
                let file = std::fs::File::open(&path)
                    .unwrap_or_else(|e| panic!("{}: cannot open: {e}", path.display()));
                let mut text = String::new();
                flate2::read::GzDecoder::new(file)
                    .read_to_string(&mut text)
                    .unwrap_or_else(|e| panic!("{}: cannot decompress: {e}", path.display()));
                text
            }
        };
        serde_json::from_str(&text).expect("the spec is JSON")
    })
}

/// Does the concrete `path` match the spec's template (`{param}` segments match anything)?
fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// The spec's JSON request-body schema for `method path` (path without `/api/v10`).
pub fn request_schema(method: &str, path: &str) -> Value {
    let spec = spec();
    let path = path.split('?').next().unwrap_or(path);
    let path = path.strip_prefix("/api/v10").unwrap_or(path);
    let (template, item) = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        // A literal segment beats a parameter: `@original` must not match `{message_id}`.
        .filter(|(t, _)| matches(t, path))
        .min_by_key(|(t, _)| t.matches('{').count())
        .unwrap_or_else(|| panic!("no path in the spec matches {path}"));
    let schema =
        &item[method.to_lowercase()]["requestBody"]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "spec has no JSON request body for {method} {template}"
    );
    let mut root = schema.clone();
    root["components"] = spec["components"].clone();
    root
}

/// Errors from validating `body` against the spec's schema for `method path`.
pub fn validate(method: &str, path: &str, body: &Value) -> Vec<String> {
    let schema = request_schema(method, path);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("the spec's schema compiles");
    validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Asserts every captured body is valid for its endpoint.
pub fn assert_valid(requests: &[Captured]) {
    for r in requests {
        let Some(body) = &r.body else { continue };
        let errors = validate(&r.method, &r.path, body);
        assert!(
            errors.is_empty(),
            "{} {} violates Discord's schema:\n{}\nbody: {}",
            r.method,
            r.path,
            errors.join("\n"),
            serde_json::to_string_pretty(body).unwrap()
        );
    }
}
