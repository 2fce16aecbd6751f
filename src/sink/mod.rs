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
    /// A rejection's message, made as it is written.
    Message(&'a crate::model::Rejection),
}

impl Value<'_> {
    /// The value as text when it is text (a message made into `scratch`).
    pub fn as_text<'s>(&'s self, scratch: &'s mut String) -> Option<&'s str> {
        match self {
            Value::Text(s) => Some(s),
            Value::Message(r) => {
                scratch.clear();
                r.message_into(scratch);
                Some(scratch)
            }
            _ => None,
        }
    }
}

/// An output table: its name (the file's stem and the sheet's name), its
/// columns, and its rows made one at a time as they are written, so a table
/// of millions of rows is never held whole.
pub struct Table<'a> {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub len: usize,
    row: Box<dyn Fn(usize) -> Vec<Value<'a>> + Sync + 'a>,
    fetch: Option<Box<dyn Fn(std::ops::Range<usize>) + Sync + 'a>>,
}

impl<'a> Table<'a> {
    /// A table of `len` rows, row `i` made by `row(i)`.
    pub fn new(
        name: &'static str,
        columns: &'static [&'static str],
        len: usize,
        row: impl Fn(usize) -> Vec<Value<'a>> + Sync + 'a,
    ) -> Table<'a> {
        Table {
            name,
            columns,
            len,
            row: Box::new(row),
            fetch: None,
        }
    }

    /// The table, whose rows `fetch` reads ahead a range at a time (see
    /// `fetch`).
    pub fn fetching(self, fetch: impl Fn(std::ops::Range<usize>) + Sync + 'a) -> Table<'a> {
        Table {
            fetch: Some(Box::new(fetch)),
            ..self
        }
    }

    /// Reads ahead the rows of `rows` that are to be made next, where the
    /// table asked for it.
    pub fn fetch(&self, rows: std::ops::Range<usize>) {
        if let Some(fetch) = &self.fetch {
            fetch(rows);
        }
    }

    /// A table of rows already made.
    pub fn from_rows(
        name: &'static str,
        columns: &'static [&'static str],
        rows: Vec<Vec<Value<'a>>>,
    ) -> Table<'a> {
        Table::new(name, columns, rows.len(), move |i| rows[i].clone())
    }

    pub fn row(&self, i: usize) -> Vec<Value<'a>> {
        (self.row)(i)
    }

    pub fn rows(&self) -> impl Iterator<Item = Vec<Value<'a>>> + '_ {
        (0..self.len).map(|i| self.row(i))
    }
}

/// Rows are turned into bytes this many at a time, the blocks of one batch
/// in parallel, then written in order: the bytes do not depend on the threads.
/// A batch of 16K rows (3-4 MB) is still in the cache when it is copied out,
/// and the next batch reuses its memory: with 8,192-row blocks a batch was
/// 30 MB, and writing the 200-workbook batch's outputs faulted in 70 MB of
/// fresh pages (0.31 -> 0.27 s, 0.50 -> 0.45 CPU s there).
const ROWS_PER_BLOCK: usize = 1024;
const BLOCKS_PER_BATCH: usize = 16;

/// Writes the table's rows through `encode`, which turns a range of rows
/// into bytes: a batch of blocks is made in parallel while the batch
/// before it is written, and blocks are written in order.
pub(crate) fn write_blocks(
    table: &Table<'_>,
    out: &mut (dyn std::io::Write + Send),
    encode: impl Fn(std::ops::Range<usize>) -> anyhow::Result<Vec<u8>> + Sync,
) -> anyhow::Result<()> {
    use rayon::prelude::*;
    let batch = ROWS_PER_BLOCK * BLOCKS_PER_BATCH;
    let write = |out: &mut (dyn std::io::Write + Send), blocks: Vec<Vec<u8>>| {
        blocks.iter().try_for_each(|block| out.write_all(block))
    };
    let mut made: Vec<Vec<u8>> = Vec::new();
    for start in (0..table.len).step_by(batch) {
        let end = (start + batch).min(table.len);
        let (written, making) = rayon::join(
            || write(out, std::mem::take(&mut made)),
            || {
                (start..end)
                    .step_by(ROWS_PER_BLOCK)
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(|from| {
                        let rows = from..(from + ROWS_PER_BLOCK).min(end);
                        table.fetch(rows.clone());
                        encode(rows)
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            },
        );
        written?;
        made = making?;
    }
    write(out, made)?;
    Ok(())
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
    // All ASCII: the first byte says it, without decoding a character.
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Writes the table in the given format.
pub fn write(
    table: &Table<'_>,
    format: OutputFormat,
    bom: bool,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Csv => csv::write(table, bom, out),
        OutputFormat::Jsonl => jsonl::write(table, out),
        OutputFormat::Xlsx => xlsx::write(table, out),
    }
}

/// The file's bytes in the given format.
pub fn render(table: &Table<'_>, format: OutputFormat, bom: bool) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write(table, format, bom, &mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_leading_formula_character_is_formula_like() {
        for text in ["=1+2", "+1", "-3", "@SUM(A1)", "\tx", "\rx", "="] {
            assert!(is_formula_like(text), "{text:?}");
        }
        for text in ["", "a=b", " =1", "é=", "1-2", "'=1"] {
            assert!(!is_formula_like(text), "{text:?}");
        }
    }
}
