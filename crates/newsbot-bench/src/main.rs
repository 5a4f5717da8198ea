//! `newsbot-bench`: index build, start-up, latency, throughput and memory on archives
//! generated from the seeds at growing sizes.
//!
//! Each figure is measured in a fresh child process (this binary's hidden `worker`
//! subcommand, or the real `newsbot ask` for the cold start) so one size's memory
//! high-water mark never leaks into the next, and the serving process holds only what
//! serving needs.

mod bench;
mod figures;
mod synth;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "newsbot-bench",
    version,
    about = "Measures newsbot's build speed, start-up, query latency, throughput and memory on archives generated from the seeds at growing sizes."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub bench: BenchArgs,
    #[command(subcommand)]
    pub worker: Option<Worker>,
}

/// Where the archives are grown from; the same variables as the bot's.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Seed folder of *.txt articles.
    #[arg(long, env = "NEWSBOT_SEEDS", default_value = "seeds")]
    pub seeds: PathBuf,
    /// Prompts folder (topic commands join the query mix).
    #[arg(long, env = "NEWSBOT_PROMPTS", default_value = "prompts")]
    pub prompts: PathBuf,
    /// Sentence-embedding model folder, or `none` to measure lexical ranking alone.
    #[arg(long, env = "NEWSBOT_MODEL", default_value = "models/all-MiniLM-L6-v2")]
    pub model: String,
    /// Cross-encoder reranker folder, or `none` to measure the engine without it.
    #[arg(
        long = "reranker-model",
        env = "NEWSBOT_RERANKER_MODEL",
        default_value = "models/reranker-minilm-l6-squad"
    )]
    pub reranker: String,
}

impl Global {
    /// The model folder, or `None` for lexical ranking.
    pub fn model_dir(&self) -> Option<PathBuf> {
        (!self.model.trim().eq_ignore_ascii_case("none")).then(|| PathBuf::from(&self.model))
    }

    /// The reranker folder, or `None` without one (it needs the model too).
    pub fn reranker_dir(&self) -> Option<PathBuf> {
        (!self.reranker.trim().eq_ignore_ascii_case("none") && self.model_dir().is_some())
            .then(|| PathBuf::from(&self.reranker))
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Archive sizes as multiples of the seed folder's article count, comma-separated.
    /// 10000 is about 1.5M passages and 500 MB of text: it takes several minutes and a few
    /// GB of disk.
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000")]
    pub sizes: Vec<usize>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Dev questions in the query mix (JSONL with a "q" field).
    #[arg(long, default_value = "eval/dev_questions.jsonl")]
    pub questions: PathBuf,
    /// Timed passes over the query mix per size.
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Working folder for generated archives and indexes (default: a folder in the temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep generated archives and indexes (reused by the next run with the same --dir).
    #[arg(long)]
    pub keep: bool,
}

/// One measurement in a fresh process; the parent starts these.
#[derive(Debug, Subcommand)]
pub enum Worker {
    #[command(hide = true)]
    Worker(WorkerArgs),
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[arg(value_enum)]
    pub mode: WorkerMode,
    /// Folder for the index.
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long)]
    pub mix: Option<PathBuf>,
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum WorkerMode {
    /// Index the seed folder and print the build figures.
    Build,
    /// Open the built index and run the query mix.
    Serve,
    /// Open the built index and answer one question, as `newsbot ask` does.
    Ask,
    /// Embed every passage of the built index that has no vector yet.
    Embed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.worker {
        Some(Worker::Worker(args)) => worker::run(&cli.global, args),
        None => bench::run(&cli.global, &cli.bench),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
