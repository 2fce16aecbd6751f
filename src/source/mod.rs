//! Reading sources: finding the input files, then turning each CSV file or
//! workbook into sheets of raw cells with the row numbers a user sees.

pub mod csv;
pub mod inputs;
pub mod prior;
pub mod sniff;
pub mod workbook;

use crate::normalize::value::trim;

/// One cell as a source gives it, before any column knows what it means.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    /// Equal texts of a sheet share one allocation.
    Text(crate::model::Text),
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A spreadsheet date or date-time cell, as its serial number in the 1900
    /// system (a 1904 workbook's cells are moved to it when read).
    DateTime(f64),
    /// A date or date-time the workbook stores as ISO 8601 text (OpenDocument).
    IsoDateTime(String),
    /// A duration cell (`[h]:mm`), as its serial number of days.
    Duration(f64),
    /// An error cell such as `#N/A`.
    Error(String),
}

impl Cell {
    /// Blank after trimming.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::IsoDateTime(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A row's cells: a CSV record's fields, all text, or a workbook's typed cells.
#[derive(Clone, Debug, PartialEq)]
pub enum Cells {
    Text(Fields),
    Typed(Vec<Cell>),
}

/// A CSV record's fields, kept in one text with one byte between each (the
/// line's delimiter, or a comma): a row costs two allocations, not one per
/// field, and a reused row none.
#[derive(Clone, Default)]
pub struct Fields {
    text: String,
    /// Where each field ends in `text`.
    ends: Vec<usize>,
}

impl Fields {
    /// Field `i`, counted from 0.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        self.text.get(start..end)
    }

    /// How many fields the record has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no field at all.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// No fields, the room kept.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// The fields of `line`, each ending in it where `ends` says, one byte
    /// of the line between each.
    pub fn set(&mut self, line: &str, ends: impl Iterator<Item = usize>) {
        self.text.clear();
        self.text.push_str(line);
        self.ends.clear();
        self.ends.extend(ends);
    }

    /// `N` fields from field `first` on, as the text holds them with the
    /// byte between each, and where each ends in that text: two runs equal
    /// in both hold the same fields, whatever byte is between them. `None`
    /// when the record has fewer fields.
    pub fn run<const N: usize>(&self, first: usize) -> Option<(&str, [usize; N])> {
        let start = match first.checked_sub(1) {
            Some(before) => *self.ends.get(before)? + 1,
            None => 0,
        };
        let ends = self.ends.get(first..first.checked_add(N)?)?;
        let mut relative = [0; N];
        let mut last = 0;
        for (kept, &end) in relative.iter_mut().zip(ends) {
            // Each field ends after the one before: fields made otherwise are
            // not compared as a run.
            *kept = end.checked_sub(start).filter(|&end| end >= last)?;
            last = *kept;
        }
        Some((self.text.get(start..start + last)?, relative))
    }

    /// Adds a field after the others.
    pub fn push(&mut self, field: &str) {
        if !self.ends.is_empty() {
            self.text.push(',');
        }
        self.text.push_str(field);
        self.ends.push(self.text.len());
    }
}

/// Fields are equal when each is, whatever byte is between them.
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> FromIterator<&'a str> for Fields {
    fn from_iter<I: IntoIterator<Item = &'a str>>(fields: I) -> Fields {
        let mut all = Fields::default();
        for field in fields {
            all.push(field);
        }
        all
    }
}

/// One row of a sheet: its number as a user sees it, and its cells from column A.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRow {
    pub row: u32,
    pub cells: Cells,
    /// A CSV line whose opening quote never closes (then `MALFORMED_ROW`).
    pub unclosed_quote: bool,
}

impl RawRow {
    pub fn is_blank(&self) -> bool {
        match &self.cells {
            Cells::Text(fields) => fields.iter().all(|f| f.trim().is_empty()),
            Cells::Typed(cells) => cells.iter().all(Cell::is_blank),
        }
    }

    pub fn len(&self) -> usize {
        match &self.cells {
            Cells::Text(fields) => fields.len(),
            Cells::Typed(cells) => cells.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether cell `i` (from column A) is blank after trimming; missing cells are.
    pub fn is_blank_at(&self, i: usize) -> bool {
        match &self.cells {
            Cells::Text(fields) => fields.get(i).is_none_or(|f| trim(f).is_empty()),
            Cells::Typed(cells) => cells.get(i).is_none_or(Cell::is_blank),
        }
    }

    /// Cell `i` as text (see `cell_text`); a missing cell is blank.
    pub fn text_at(&self, i: usize) -> String {
        match &self.cells {
            Cells::Text(fields) => fields.get(i).map_or(String::new(), |f| trim(f).to_string()),
            Cells::Typed(cells) => cells
                .get(i)
                .map_or(String::new(), crate::normalize::value::cell_text),
        }
    }

    /// Every cell as text.
    pub fn texts(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.text_at(i)).collect()
    }
}

/// Where a sheet's rows go, one at a time in sheet order, as a reader
/// makes them: the reader may reuse the row for the next.
pub trait RowSink {
    fn row(&mut self, row: &RawRow);

    /// How many rows the sheet says it has, before any is handed over.
    fn expect_rows(&mut self, _rows: u32) {}

    /// All the sheet's rows have been handed over.
    fn end(&mut self) {}
}

/// A worksheet or a CSV file's single table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    /// `None` for CSV.
    pub name: Option<String>,
    pub rows: Vec<RawRow>,
    /// Serial dates count from 1904-01-01.
    pub is_1904: bool,
    /// CSV files reject fields beyond the header (`MALFORMED_ROW`); workbooks ignore them.
    pub is_csv: bool,
}

/// A sheet held whole takes each row as it comes.
impl RowSink for Sheet {
    fn row(&mut self, row: &RawRow) {
        self.rows.push(row.clone());
    }
}

/// What reading one sheet of a workbook gave.
#[derive(Debug)]
pub enum SheetRead {
    Sheet(Sheet),
    /// The sheet could not be read: one `FILE_ERROR` row with its name.
    Failed {
        name: String,
        message: String,
    },
}

/// Everything read from one input file.
#[derive(Debug, Default)]
pub struct FileRead {
    pub sheets: Vec<SheetRead>,
    /// Sheets passed over: chart, dialog and macro sheets, and names beginning `_`.
    pub skipped_sheets: usize,
    /// The text encoding used when it was not UTF-8 (for the end-of-run report).
    pub encoding: Option<&'static str>,
    /// The delimiter a CSV file was read with.
    pub delimiter: Option<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_set_from_a_line_equal_fields_pushed_one_by_one() {
        let mut from_line = Fields::default();
        // "a;;b c;" with a semicolon between fields: four fields, two empty.
        from_line.set("a;;b c;", [1, 2, 6, 7].into_iter());
        let pushed: Fields = ["a", "", "b c", ""].into_iter().collect();
        assert_eq!(from_line, pushed);
        assert_eq!(from_line.len(), 4);
        assert_eq!(from_line.get(2), Some("b c"));
        assert_eq!(from_line.get(3), Some(""));
        assert_eq!(from_line.get(4), None);
        assert_eq!(format!("{pushed:?}"), r#"["a", "", "b c", ""]"#);
        // The same texts split otherwise are other fields.
        let other: Fields = ["a", "", "b", "c"].into_iter().collect();
        assert_ne!(from_line, other);
        from_line.clear();
        assert!(from_line.is_empty());
        assert_eq!(from_line, Fields::default());
    }

    #[test]
    fn a_run_of_fields_is_their_text_and_ends_from_where_it_starts() {
        let fields: Fields = ["id", "7", "Ana", "", "CC", "x"].into_iter().collect();
        // The text is "id,7,Ana,,CC,x".
        assert_eq!(fields.run::<3>(1), Some(("7,Ana,", [1, 5, 6])));
        assert_eq!(fields.run::<2>(0), Some(("id,7", [2, 4])));
        assert_eq!(fields.run::<3>(3), Some((",CC,x", [0, 3, 5])));
        // Past the last field: no run.
        assert_eq!(fields.run::<3>(4), None);
        assert_eq!(fields.run::<1>(6), None);
        assert_eq!(fields.run::<1>(usize::MAX), None);
        // A comma moved from one field to the next: the same text, other ends.
        let one: Fields = ["x", "7,Ana", "B", "CC"].into_iter().collect();
        let other: Fields = ["x", "7", "Ana,B", "CC"].into_iter().collect();
        assert_eq!(one.run::<2>(1), Some(("7,Ana,B", [5, 7])));
        assert_eq!(other.run::<2>(1), Some(("7,Ana,B", [1, 7])));
    }
}
