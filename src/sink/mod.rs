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

/// Where a row's values go, one at a time in column order: a list of
/// them, or straight into a format's bytes.
pub trait Cells<'a> {
    fn put(&mut self, value: Value<'a>);
}

impl<'a> Cells<'a> for Vec<Value<'a>> {
    fn put(&mut self, value: Value<'a>) {
        self.push(value);
    }
}

/// A table's rows, each handed value by value to what makes its output.
/// Made for CSV, each value goes straight into the bytes, its kind known
/// where the row names it: each row made a list of values first, then
/// matched kind by kind, writing was about 1,700 instructions a row.
pub trait Rows<'a>: Sync {
    fn row(&self, i: usize, cells: &mut impl Cells<'a>);

    /// Reads ahead the rows of `rows`, where they lie all over memory.
    fn fetch(&self, _rows: std::ops::Range<usize>) {}
}

/// What a table does with its rows, whatever they are.
trait AnyRows<'a>: Sync {
    fn values(&self, i: usize, columns: usize) -> Vec<Value<'a>>;
    fn csv_block(&self, rows: std::ops::Range<usize>, columns: usize) -> Vec<u8>;
    fn fetch(&self, rows: std::ops::Range<usize>);
}

impl<'a, R: Rows<'a>> AnyRows<'a> for R {
    fn values(&self, i: usize, columns: usize) -> Vec<Value<'a>> {
        let mut values = Vec::with_capacity(columns);
        self.row(i, &mut values);
        values
    }

    fn csv_block(&self, rows: std::ops::Range<usize>, columns: usize) -> Vec<u8> {
        csv::block(self, rows, columns)
    }

    fn fetch(&self, rows: std::ops::Range<usize>) {
        Rows::fetch(self, rows);
    }
}

/// An output table: its name (the file's stem and the sheet's name), its
/// columns, and its rows made one at a time as they are written, so a table
/// of millions of rows is never held whole.
pub struct Table<'a> {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub len: usize,
    rows: Box<dyn AnyRows<'a> + 'a>,
}

/// Rows already made (the tests' tables).
#[cfg(test)]
struct Listed<'a>(Vec<Vec<Value<'a>>>);

#[cfg(test)]
impl<'a> Rows<'a> for Listed<'a> {
    fn row(&self, i: usize, cells: &mut impl Cells<'a>) {
        for value in &self.0[i] {
            cells.put(value.clone());
        }
    }
}

impl<'a> Table<'a> {
    /// A table of `len` rows, as `rows` makes them.
    pub fn new(
        name: &'static str,
        columns: &'static [&'static str],
        len: usize,
        rows: impl Rows<'a> + 'a,
    ) -> Table<'a> {
        Table {
            name,
            columns,
            len,
            rows: Box::new(rows),
        }
    }

    /// A table of rows already made.
    #[cfg(test)]
    pub fn from_rows(
        name: &'static str,
        columns: &'static [&'static str],
        rows: Vec<Vec<Value<'a>>>,
    ) -> Table<'a> {
        Table::new(name, columns, rows.len(), Listed(rows))
    }

    /// Reads ahead the rows of `rows` that are to be made next.
    pub fn fetch(&self, rows: std::ops::Range<usize>) {
        self.rows.fetch(rows);
    }

    pub fn row(&self, i: usize) -> Vec<Value<'a>> {
        self.rows.values(i, self.columns.len())
    }

    pub fn rows(&self) -> impl Iterator<Item = Vec<Value<'a>>> + '_ {
        (0..self.len).map(|i| self.row(i))
    }

    /// Rows `rows` as CSV (see `csv::block`).
    fn csv_block(&self, rows: std::ops::Range<usize>) -> Vec<u8> {
        self.rows.csv_block(rows, self.columns.len())
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
