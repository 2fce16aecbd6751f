//! The command line. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::sink::OutputFormat;

/// Turns school transcripts and college instructor course records into
/// continuing-education credit (CEU) records for certified medical coders.
#[derive(Parser, Debug)]
#[command(name = "ceu", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read transcripts, instructor records and rosters; write credits, rejections, summary and claims.
    ///
    /// Example: ceu convert --members roster.xlsx transcripts/ --out results --as-of 2026-11-15
    Convert(ConvertArgs),
    /// Read and check files as convert would, writing nothing: for a member or college before sending a batch.
    ///
    /// Each row that would be rejected is printed on stdout. Exit status: 0 nothing would be
    /// rejected, 2 some row would be, 3 some file cannot be read, 1 the check could not run.
    ///
    /// Example: ceu check fall_transcripts.xlsx --as-of 2026-11-15
    Check(ReadArgs),
    /// Print the rule set in force as TOML that --rules accepts back.
    ///
    /// Example: ceu rules > my-rules.toml
    Rules(RulesArgs),
    /// Write an empty workbook (or CSV, by extension) with the right header for one record kind.
    ///
    /// The workbook has drop-down lists for program area, delivery and credential, and a
    /// `_help` sheet that explains each column (ceu skips it when the template comes back filled).
    ///
    /// Example: ceu template transcript --out fall_transcripts.xlsx
    Template(TemplateArgs),
    /// Print a shell completion script: ceu completions bash > /etc/bash_completion.d/ceu
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): ceu man > ceu.1 && man ./ceu.1
    Man,
    /// Write a synthetic batch for benchmarks.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// Folder for the outputs; created when missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: OutputFormat,
    /// Start CSV outputs with a byte-order mark, for Excel.
    #[arg(long)]
    pub bom: bool,
}

/// What reading and the rules need, shared by `convert` and `check`.
#[derive(Args, Debug)]
pub struct ReadArgs {
    /// Input files (.csv .tsv .txt .xlsx .xlsm .xlsb .xls .ods) or folders that hold them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The member roster (member_id, certified_on, renewal_due, credentials, ceus_required).
    #[arg(long, value_name = "FILE")]
    pub members: Option<PathBuf>,
    /// A credits output of an earlier run; its CEUs count against this run's caps. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub prior: Vec<PathBuf>,
    /// The date "today" for the run, YYYY-MM-DD (default: the current date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A rules file (TOML) overriding the default rule set; see `ceu rules`.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Read a column under another name: --map "Student No=member_id". Repeatable.
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// Read dates such as 3/4/2025 day first (4 March) instead of month first.
    #[arg(long)]
    pub day_first: bool,
    /// CSV delimiter for every CSV input: a single character, or `tab`.
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar and only the two closing lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// A line per file: its kind, rows, encoding and delimiter.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// A rules file to apply over the defaults before printing.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Transcript lines to write (per workbook with --workbooks).
    #[arg(long)]
    pub rows: u64,
    /// A CSV file, or with --workbooks a folder of xlsx files.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Write this many xlsx workbooks instead of one CSV file.
    #[arg(long, value_name = "N")]
    pub workbooks: Option<u64>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct TemplateArgs {
    /// The record kind.
    #[arg(value_enum)]
    pub kind: crate::template::TemplateKind,
    /// Where to write it (default: KIND_template.xlsx); a .csv name writes the header only.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// A rules file whose lists fill the drop-downs.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}
