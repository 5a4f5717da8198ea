//! What the benchmark measures, and how it reads this process's CPU time and memory.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct BuildFigures {
    pub files: usize,
    pub articles: usize,
    pub passages: usize,
    pub text_bytes: u64,
    pub parse_secs: f64,
    pub index_secs: f64,
    /// User + system CPU time of the whole build: the machine is shared, so wall time alone
    /// overstates the cost when other work competes for the cores.
    pub cpu_secs: f64,
    pub peak_rss_kb: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ServeFigures {
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub long_p50_ms: f64,
    pub long_p99_ms: f64,
    /// The rerank stage alone, over the questions it ran on (0 without a reranker).
    #[serde(default)]
    pub rerank_p50_ms: f64,
    #[serde(default)]
    pub rerank_p99_ms: f64,
    /// Share of the mix's questions on which the reranker scored the full K; the others had
    /// a clear engine lead and scored only their first passage.
    #[serde(default)]
    pub reranked_share: f64,
    pub qps_2_clients: f64,
    pub errors: usize,
    pub open_ms: f64,
    pub peak_rss_kb: u64,
    /// The slowest queries of the mix (median over rounds), for profiling.
    pub slowest: Vec<(f64, String)>,
}

#[derive(Debug, Serialize)]
pub struct SizeFigures {
    pub scale: usize,
    pub build: BuildFigures,
    pub build_secs: f64,
    pub build_mb_per_s: f64,
    pub passages_per_s: f64,
    pub index_bytes: u64,
    pub cold_start_ms: f64,
    pub serve: ServeFigures,
    /// Passages embedded and passages/s, with a model (`None` for `--model none`).
    pub embedded: Option<usize>,
    pub embed_per_sec: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: String,
    pub cpus: usize,
    pub sizes: Vec<SizeFigures>,
}

pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of this process so far (Linux clock ticks are 1/100 s).
pub fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

pub fn machine() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
