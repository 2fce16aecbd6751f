//! Writing the outputs (SPEC.md section 5): one table model, three formats,
//! each file written to a temporary name and renamed when whole.

pub mod atomic;
pub mod csv;
pub mod jsonl;
pub mod report;
pub mod tables;
pub mod xlsx;

use jiff::civil::Date;

use crate::model::Hundredths;

/// A value in an output cell; each format writes each kind its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Borrowed from the records where it can be, so writing copies nothing first.
    Text(std::borrow::Cow<'a, str>),
    /// The `row` column: a number, blank for whole-file errors.
    Row(Option<u32>),
    /// Hours and CEUs; blank when there is none (a member without a requirement).
    Amount(Option<Hundredths>),
    Date(Date),
    Bool(bool),
}

/// An output table: its name (the file's stem and the sheet's name) and columns.
pub struct Table<'a> {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Value<'a>>>,
}

/// The output formats of `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Csv,
    Jsonl,
    Xlsx,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Xlsx => "xlsx",
        }
    }
}

/// Whether text must be defused before a spreadsheet sees it: a leading
/// `=`, `+`, `-`, `@`, tab or carriage return would start a formula.
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The file's bytes in the given format.
pub fn render(table: &Table<'_>, format: OutputFormat, bom: bool) -> anyhow::Result<Vec<u8>> {
    match format {
        OutputFormat::Csv => csv::render(table, bom),
        OutputFormat::Jsonl => Ok(jsonl::render(table)),
        OutputFormat::Xlsx => xlsx::render(table),
    }
}
