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
    /// Folder of article files: *.txt, *.md, *.html, *.jsonl, *.xml/*.rss/*.atom, in
    /// subfolders too.
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
    /// Sentence-embedding model folder (sentence-transformers layout), or `none` for
    /// lexical ranking only. A relative path is looked up from the working directory, then
    /// from the source tree the binary was built from.
    #[arg(
        long,
        global = true,
        env = "NEWSBOT_MODEL",
        default_value = "models/all-MiniLM-L6-v2"
    )]
    pub model: String,
    /// Rank by words only, without the sentence-embedding model or the reranker (same as
    /// --model none).
    #[arg(long, global = true)]
    pub lexical: bool,
    /// Rerank the top passages with the cross-encoder (`on`), or keep the engine's order
    /// (`off`).
    #[arg(long, global = true, env = "NEWSBOT_RERANK", value_enum, default_value_t = Switch::On)]
    pub rerank: Switch,
    /// Cross-encoder reranker folder (holding reranker.safetensors; it shares the
    /// sentence-embedding model's vocabulary and word embeddings), or `none`.
    #[arg(
        long,
        global = true,
        env = "NEWSBOT_RERANKER_MODEL",
        default_value = "models/reranker-minilm-l6-squad"
    )]
    pub reranker_model: String,
    /// Let the reranker's logit into the sure / closest / none decision (its fitted second
    /// decision), instead of only reordering [default: off; see README "Reranking"].
    #[arg(long, global = true, env = "NEWSBOT_RERANK_DECIDES", hide = true)]
    pub rerank_decides: bool,
    /// Folder for the passage embeddings [default: <data>/vectors; in memory with
    /// --in-memory].
    #[arg(long, global = true, env = "NEWSBOT_VECTORS")]
    pub vectors: Option<PathBuf>,
    /// Wrap console output at this many columns [default: the terminal's width; output to
    /// a pipe is not wrapped].
    #[arg(long, global = true, env = "NEWSBOT_WIDTH")]
    pub width: Option<usize>,
    /// Feeds file listing the RSS/Atom feeds that `serve`, `chat` and `fetch-feeds` poll
    /// (default: feeds.toml, when it exists).
    #[arg(long = "feeds", global = true, env = "NEWSBOT_FEEDS_FILE")]
    pub feeds_file: Option<PathBuf>,
    /// More feeds: `URL [INTERVAL]`, comma-separated or repeated, e.g.
    /// "https://example.com/rss.xml 10m".
    #[arg(
        long = "feed",
        global = true,
        env = "NEWSBOT_FEEDS",
        value_delimiter = ','
    )]
    pub feed_urls: Vec<String>,
    /// `serve` and `chat`: be the one process that writes the index in --data (it watches
    /// the seed folder and polls feeds), and fail if another process already does. Without
    /// it the first process to start writes and later ones serve its index read-only.
    #[arg(long, global = true, env = "NEWSBOT_INDEXER")]
    pub indexer: bool,
    /// Log filter (tracing syntax), e.g. `info` or `newsbot=debug`.
    #[arg(long, global = true, env = "NEWSBOT_LOG", default_value = "warn")]
    pub log: String,
    /// Log lines as text, or as one JSON object per line for log shippers.
    #[arg(long, global = true, env = "NEWSBOT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// On a pipe or log, how often long work (indexing, embedding) prints a progress line,
    /// in seconds; a terminal gets a bar instead.
    #[arg(
        long,
        global = true,
        env = "NEWSBOT_PROGRESS_SECS",
        default_value_t = 5.0,
        hide = true
    )]
    pub progress_secs: f64,
    /// Followed topics: at most this many new articles are posted to one channel an hour;
    /// the rest go out as one digest.
    #[arg(
        long,
        global = true,
        env = "NEWSBOT_ALERTS_PER_HOUR",
        default_value_t = 6
    )]
    pub alerts_per_hour: usize,
    /// `serve` and `chat`: serve Prometheus `/metrics` and `/healthz` on this address. A
    /// bare port binds 127.0.0.1 only [default: off].
    #[arg(long, global = true, env = "NEWSBOT_METRICS_ADDR", value_parser = crate::service::parse_addr)]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

impl Global {
    pub fn progress_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.progress_secs.clamp(0.0, 3600.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    pub fn on(self) -> bool {
        self == Switch::On
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Discord bot (needs DISCORD_TOKEN); Ctrl-C stops it.
    Serve(ServeArgs),
    /// Print the slash commands this bot registers, without connecting to Discord.
    Commands(CommandsArgs),
    /// Summarise the feedback log: questions that fail most, votes per passage.
    Feedback(FeedbackArgs),
    /// Answer one question, as a DM to the bot would: `newsbot ask "/fines"`.
    Ask(AskArgs),
    /// Interactive console with line editing and history; /help lists commands.
    Chat(ChatArgs),
    /// Poll every feed once, write new items into the seed folder, and exit (for cron).
    FetchFeeds(FetchFeedsArgs),
    /// Rebuild the index from the seed folder.
    Index(IndexArgs),
    /// Count files, articles, passages and topics, and account for every line read: per
    /// file and in total.
    Stats(StatsArgs),
    /// Score answer quality on a JSONL question file (top-1, MRR@10, headline).
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
pub struct CommandsArgs {
    /// Print the exact body of PUT /applications/{application.id}/commands.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Default, Args)]
pub struct ChatArgs {}

#[derive(Debug, Args)]
pub struct FetchFeedsArgs {}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// List every article merged from copies in several files (or twice in one).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Question file: one {"q","gold":[…],"headline"} object per line.
    pub file: PathBuf,
    /// List every question that missed.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Questions that should be declined, one per line (or JSONL with a "q" field):
    /// reports how many are declined, and how many are not answered as sure.
    #[arg(long, value_name = "FILE")]
    pub decline: Option<PathBuf>,
    /// Also score plain BM25 (Snowball stems, headline in the text) on the same corpus
    /// and questions, side by side.
    #[arg(long)]
    pub compare_bm25: bool,
    /// Print every question's candidates and their score parts as JSON lines (for
    /// fitting the weights; see tools/fit_weights.py).
    #[arg(long, hide = true)]
    pub dump_candidates: bool,
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
    /// Answer at once with the passages already embedded instead of embedding the rest
    /// first (a large new archive takes minutes); says how much is covered.
    #[arg(long)]
    pub now: bool,
}

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// Record Discord user ids in the feedback log (off by default).
    #[arg(long, env = "NEWSBOT_FEEDBACK_USER_IDS")]
    pub feedback_user_ids: bool,
    /// Start only shards A-B (inclusive, from 0) of --shard-total, so a large bot can be
    /// split across processes [default: as many shards as Discord recommends].
    #[arg(
        long,
        env = "NEWSBOT_SHARDS",
        value_name = "A-B",
        requires = "shard_total"
    )]
    pub shards: Option<String>,
    /// How many shards the whole bot runs, across all its processes.
    #[arg(
        long,
        env = "NEWSBOT_SHARD_TOTAL",
        value_name = "N",
        requires = "shards"
    )]
    pub shard_total: Option<u32>,
}

impl ServeArgs {
    /// `serve`'s settings when no subcommand was given: clap reads each from its `env`
    /// variable, as it would for `newsbot serve`.
    pub fn from_env() -> Result<ServeArgs, clap::Error> {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Ok(Only::try_parse_from(["newsbot"])?.serve)
    }
}
