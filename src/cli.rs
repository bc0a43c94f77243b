//! Command-line interface.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::bank::{Kind, Level, Topic};
use crate::config::{EvaluatorKind, Overrides};

/// rehearse: mock interviews over WebSocket, graded against rubrics.
#[derive(Debug, Parser)]
#[command(name = "rehearse", version, about)]
pub struct Cli {
    /// Settings file (default: ./rehearse.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (overrides settings).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Evaluator: builtin or llm (overrides settings).
    #[arg(long, global = true, value_enum)]
    pub evaluator: Option<EvaluatorKind>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The flags that override settings.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            database_url: self.database_url.clone(),
            evaluator: self.evaluator,
            bind: match &self.command {
                Command::Serve { bind } => bind.clone(),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the interview server (chat page at /, WebSocket at /ws).
    Serve {
        /// Address to listen on (default from settings: 127.0.0.1:8080; port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Take an interview in the terminal (answers from the keyboard or piped, one per
    /// blank-line-separated block).
    Chat(ChatArgs),
    /// Apply database migrations.
    Migrate,
    /// Manage staff API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Export one interview's transcript.
    Export {
        /// Session id.
        session: String,
        #[arg(long, default_value = "md")]
        format: crate::staff::ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Check the configured LLM endpoint: a streamed reply, the JSON mode it enforces, then the
    /// judge on the rubrics' calibration answers (validity, ranking, repairs, latency, prompt size).
    LlmCheck {
        /// Only this rubric's calibration answers (repeatable; all rubrics when absent).
        #[arg(long = "rubric")]
        rubrics: Vec<String>,
        /// At most this many calibration answers per rubric.
        #[arg(long)]
        examples: Option<usize>,
    },
    /// Inspect and validate the question bank.
    #[command(subcommand)]
    Questions(QuestionsCommand),
    /// Inspect and validate rubrics.
    #[command(subcommand)]
    Rubrics(RubricsCommand),
    /// Grade one answer with the built-in evaluator.
    Grade(GradeArgs),
}

#[derive(Debug, Subcommand)]
pub enum QuestionsCommand {
    /// Check every bank file; lists every problem as `file:question-id: message`.
    Lint {
        /// Bank directory (default: from settings).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// List questions.
    List {
        #[arg(long)]
        topic: Option<Topic>,
        #[arg(long)]
        level: Option<Level>,
        #[arg(long)]
        kind: Option<Kind>,
        /// Print full question objects as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show which key points and misconceptions of a question an answer matches, sentence by
    /// sentence, and whether each match is asserted or denied (for bank authors).
    Match {
        /// Question id.
        #[arg(long)]
        question: String,
        /// The answer (default: read standard input).
        #[arg(long)]
        answer: Option<String>,
        /// Bank directory (default: from settings). Other questions' problems do not stop it.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once and stored only as a hash.
    Create {
        #[arg(long, value_enum)]
        role: crate::tokens::Role,
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves).
    List,
    /// Revoke a token by name; requests with it are refused from then on.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
pub enum RubricsCommand {
    /// List rubrics.
    List {
        /// Print the rubrics as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Grade the calibration examples of the rubrics in force with the configured evaluator and
    /// report agreement (mean absolute error, Spearman) with the expected scores.
    Calibrate {
        /// Only this rubric.
        #[arg(long)]
        rubric: Option<String>,
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check every rubric file; problems name the file and the field path.
    Lint {
        /// Rubric directory (default: from settings).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Interview socket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
    pub url: String,
    /// Topic (repeat for several).
    #[arg(long = "topic", required_unless_present = "resume")]
    pub topics: Vec<Topic>,
    #[arg(long, required_unless_present = "resume")]
    pub level: Option<Level>,
    /// Number of main questions (1–20).
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// Your name, stored with the interview.
    #[arg(long)]
    pub name: Option<String>,
    /// Seed for choosing the questions: the same seed, topics, level and count ask the same
    /// questions (for scripted, reproducible interviews).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Continue an interview instead of starting one (printed when a chat is interrupted).
    #[arg(long, value_name = "SESSION", requires = "token", conflicts_with_all = ["topics", "level", "seed"])]
    pub resume: Option<String>,
    /// The interview's resume token, with `--resume`.
    #[arg(long, value_name = "TOKEN", requires = "resume")]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Question id.
    #[arg(long)]
    pub question: String,
    /// Read the answer from this file.
    #[arg(long, conflicts_with = "answer")]
    pub answer_file: Option<PathBuf>,
    /// The answer text (otherwise read from the file or standard input).
    #[arg(long)]
    pub answer: Option<String>,
    /// Print the Evaluation as JSON.
    #[arg(long)]
    pub json: bool,
}

macro_rules! value_enum_from_str {
    ($($t:ty),*) => {$(
        impl clap::ValueEnum for $t {
            fn value_variants<'a>() -> &'a [Self] {
                <$t>::ALL
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()))
            }
        }
    )*};
}
value_enum_from_str!(Topic, Level, Kind);
