//! Command-line arguments. Parsing only: each subcommand is carried out by a typed `run_*`
//! function elsewhere.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "newsbot",
    version,
    about = "Answers questions from a folder of news articles, quoting the paragraph and its source.",
    long_about = "Answers questions from a folder of news articles, quoting the paragraph and its source.\n\nWith no subcommand: runs the Discord bot when DISCORD_TOKEN is set, else the local chat console."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Folder of *.txt article files.
    #[arg(long, global = true, env = "NEWSBOT_SEEDS", default_value = "seeds")]
    pub seeds: PathBuf,
    /// Folder for the index and logs.
    #[arg(long, global = true, env = "NEWSBOT_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Folder holding messages.toml and topics/*.toml.
    #[arg(
        long,
        global = true,
        env = "NEWSBOT_PROMPTS",
        default_value = "prompts"
    )]
    pub prompts: PathBuf,
    /// Keep the index in memory and rebuild it on every start; nothing is written to --data.
    #[arg(long, global = true, env = "NEWSBOT_IN_MEMORY")]
    pub in_memory: bool,
    /// Log filter (tracing syntax), e.g. `info` or `newsbot=debug`.
    #[arg(long, global = true, env = "NEWSBOT_LOG", default_value = "warn")]
    pub log: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Discord bot (needs DISCORD_TOKEN); Ctrl-C stops it.
    Serve(ServeArgs),
    /// Print the slash commands this bot registers, without connecting to Discord.
    Commands {
        /// Print the exact body of PUT /applications/{application.id}/commands.
        #[arg(long)]
        json: bool,
    },
    /// Summarise the feedback log: questions that fail most, votes per passage.
    Feedback {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Answer one question, as a DM to the bot would: `newsbot ask "/fines"`.
    Ask(AskArgs),
    /// Interactive console with line editing and history; /help lists commands.
    Chat,
    /// Rebuild the index from the seed folder.
    Index {
        /// List every article merged from copies in several files (or twice in one).
        #[arg(short, long)]
        verbose: bool,
    },
    /// Count files, articles, passages and topics, and account for every line read: per
    /// file and in total.
    Stats {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Measure build speed, start-up, query latency, throughput and memory on archives
    /// generated from the seeds at growing sizes.
    Bench(BenchArgs),
    /// One measurement in a fresh process, for `bench`.
    #[command(hide = true)]
    BenchWorker(WorkerArgs),
    /// Score answer quality on a JSONL question file (top-1, MRR@10, headline).
    Eval {
        /// Question file: one {"q","gold":[…],"headline"} object per line.
        file: PathBuf,
        /// List every question that missed.
        #[arg(short, long)]
        verbose: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, `/topic`, or `/ask question`. Without it, questions are read one per
    /// line from standard input.
    pub text: Vec<String>,
    /// Print JSON: one object, or one line per question read from standard input.
    #[arg(long)]
    pub json: bool,
    /// Which page of results to show (3 passages a page, as in Discord).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub page: u32,
}

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// Record Discord user ids in the feedback log (off by default).
    #[arg(long, env = "NEWSBOT_FEEDBACK_USER_IDS")]
    pub feedback_user_ids: bool,
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

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[arg(value_enum)]
    pub mode: WorkerMode,
    #[arg(long)]
    pub mix: Option<PathBuf>,
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum WorkerMode {
    Build,
    Serve,
}
