//! Workbooks through calamine: every worksheet, hidden ones too, streamed
//! cell by cell where the format allows (xlsx, xlsb) so that a stray cell far
//! away costs nothing, and checked against the rule set's limits.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{DataRef, Ods, Reader, SheetType, Xls, Xlsb, Xlsx};

use crate::normalize::intern::Interner;
use crate::source::{Cell, Cells, FileRead, RawRow, Sheet, SheetRead};

/// The workbook formats calamine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkbookFormat {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// The limits of one workbook (SPEC.md 4.5 `[limits]`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub sheet_rows: u64,
    pub sheet_columns: u64,
    /// The most one part of a zipped workbook may inflate to, and the most
    /// memory one sheet's cells may take.
    pub part_bytes: u64,
}

/// What a held cell costs beyond its text.
const CELL_BYTES: u64 = std::mem::size_of::<Cell>() as u64;

/// Refuses a zipped workbook (xlsx, xlsm, xlsb, ods) with a part that would
/// inflate past the limit, before any of it is inflated.
pub fn check_parts(path: &Path, limits: Limits) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("the file cannot be opened: {e}"))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("the workbook is corrupt: {e}"))?;
    for i in 0..archive.len() {
        let part = archive
            .by_index_raw(i)
            .map_err(|e| format!("the workbook is corrupt: {e}"))?;
        if part.size() > limits.part_bytes {
            return Err(format!(
                "part {} inflates to {} bytes, more than the limit of {} (part_bytes)",
                part.name().map(|n| n.into_owned()).unwrap_or_default(),
                part.size(),
                limits.part_bytes
            ));
        }
    }
    Ok(())
}

/// Streams one sheet's cells (xlsx and xlsb share the calls, not a trait),
/// checking the declared dimensions before any cell is held.
macro_rules! stream_cells {
    ($book:expr, $name:expr, $is_1904:expr, $limits:expr) => {{
        let mut cells = $book
            .worksheet_cells_reader($name)
            .map_err(|e| describe(&e))?;
        let dims = cells.dimensions();
        check_extent(
            u64::from(dims.end.0) + 1,
            u64::from(dims.end.1) + 1,
            $limits,
        )?;
        let mut gather = Gather::new($is_1904, $limits);
        gather.row_width = (dims.end.1 as usize + 1).min(MOST_RESERVED_CELLS);
        while let Some(cell) = cells.next_cell().map_err(|e| describe(&e))? {
            gather.push(cell.get_position(), cell.get_value())?;
        }
        Ok(gather.finish())
    }};
}

/// Reads every worksheet of a workbook, or says why the file cannot be read.
pub fn read(path: &Path, format: WorkbookFormat, limits: Limits) -> Result<FileRead, String> {
    if format != WorkbookFormat::Xls {
        check_parts(path, limits)?;
    }
    match format {
        WorkbookFormat::Xlsx => {
            let mut book: Xlsx<_> = calamine::open_workbook(path).map_err(|e| describe(&e))?;
            let is_1904 = book.has_1904_epoch();
            read_sheets(&mut book, is_1904, |book, name| {
                stream_cells!(book, name, is_1904, limits)
            })
        }
        WorkbookFormat::Xlsb => {
            let mut book: Xlsb<_> = calamine::open_workbook(path).map_err(|e| describe(&e))?;
            let is_1904 = book.has_1904_epoch();
            read_sheets(&mut book, is_1904, |book, name| {
                stream_cells!(book, name, is_1904, limits)
            })
        }
        WorkbookFormat::Xls => {
            let mut book: Xls<_> = calamine::open_workbook(path).map_err(|e| describe(&e))?;
            let is_1904 = book.has_1904_epoch();
            read_sheets(&mut book, is_1904, |book, name| {
                read_range(book, name, is_1904, limits)
            })
        }
        WorkbookFormat::Ods => {
            let mut book: Ods<_> = calamine::open_workbook(path).map_err(|e| describe(&e))?;
            read_sheets(&mut book, false, |book, name| {
                read_range(book, name, false, limits)
            })
        }
    }
}

/// Reads each worksheet in workbook order, skipping the sheets SPEC.md skips.
fn read_sheets<R, B>(
    book: &mut B,
    is_1904: bool,
    mut read_one: impl FnMut(&mut B, &str) -> Result<Vec<RawRow>, String>,
) -> Result<FileRead, String>
where
    R: Read + Seek,
    B: Reader<R>,
{
    let mut file = FileRead::default();
    let sheets = book.sheets_metadata().to_vec();
    for meta in sheets {
        if meta.typ != SheetType::WorkSheet || meta.name.starts_with('_') {
            file.skipped_sheets += 1;
            continue;
        }
        match read_one(book, &meta.name) {
            Ok(rows) => file.sheets.push(SheetRead::Sheet(Sheet {
                name: Some(meta.name.clone()),
                rows,
                is_1904,
                is_csv: false,
            })),
            Err(message) => file.sheets.push(SheetRead::Failed {
                name: meta.name.clone(),
                message,
            }),
        }
    }
    Ok(file)
}

/// Formats that calamine only reads whole (xls, ods).
fn read_range<R, B>(
    book: &mut B,
    name: &str,
    is_1904: bool,
    limits: Limits,
) -> Result<Vec<RawRow>, String>
where
    R: Read + Seek,
    B: Reader<R>,
    B::Error: std::fmt::Display,
{
    let range = book.worksheet_range(name).map_err(|e| e.to_string())?;
    let Some(start) = range.start() else {
        return Ok(Vec::new());
    };
    let end = range.end().unwrap_or(start);
    check_extent(u64::from(end.0) + 1, u64::from(end.1) + 1, limits)?;
    let mut gather = Gather::new(is_1904, limits);
    for (r, row) in range.rows().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !matches!(value, calamine::Data::Empty) {
                let data: DataRef<'_> = to_ref(value);
                gather.push((start.0 + r as u32, start.1 + c as u32), &data)?;
            }
        }
    }
    Ok(gather.finish())
}

fn to_ref(value: &calamine::Data) -> DataRef<'_> {
    use calamine::Data as D;
    match value {
        D::Int(i) => DataRef::Int(*i),
        D::Float(f) => DataRef::Float(*f),
        D::String(s) => DataRef::SharedString(s),
        D::Bool(b) => DataRef::Bool(*b),
        D::DateTime(d) => DataRef::DateTime(*d),
        D::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        D::DurationIso(s) => DataRef::DurationIso(s.clone()),
        D::Error(e) => DataRef::Error(e.clone()),
        D::Empty => DataRef::Empty,
    }
}

fn check_extent(rows: u64, columns: u64, limits: Limits) -> Result<(), String> {
    if rows > limits.sheet_rows {
        return Err(format!(
            "the sheet has {rows} rows, more than the limit of {}",
            limits.sheet_rows
        ));
    }
    if columns > limits.sheet_columns {
        return Err(format!(
            "the sheet has {columns} columns, more than the limit of {}",
            limits.sheet_columns
        ));
    }
    Ok(())
}

/// Collects streamed cells into rows, in row order.
struct Gather {
    /// Row numbers (as a user sees them) and cells from column A.
    rows: Vec<(u32, Vec<Cell>)>,
    is_1904: bool,
    limits: Limits,
    sorted: bool,
    /// Memory the held cells take, checked against `part_bytes`.
    held: u64,
    texts: Interner,
    /// Cells reserved for each row: the sheet's width, as its dimensions say.
    row_width: usize,
}

/// A sheet's stated width is only a hint: a row never reserves more cells than this.
const MOST_RESERVED_CELLS: usize = 64;

impl Gather {
    fn new(is_1904: bool, limits: Limits) -> Gather {
        Gather {
            rows: Vec::new(),
            is_1904,
            limits,
            sorted: true,
            held: 0,
            texts: Interner::default(),
            row_width: 0,
        }
    }

    fn push(&mut self, (row, col): (u32, u32), value: &DataRef<'_>) -> Result<(), String> {
        let cell = self.cell(value);
        if cell == Cell::Empty {
            return Ok(());
        }
        check_extent(u64::from(row) + 1, u64::from(col) + 1, self.limits)?;
        let number = row + 1;
        let same_row = self.rows.last().is_some_and(|r| r.0 == number);
        if !same_row {
            if self.rows.last().is_some_and(|r| r.0 > number) {
                self.sorted = false;
            }
            self.rows.push((number, Vec::with_capacity(self.row_width)));
        }
        let cells = &mut self.rows.last_mut().expect("a row was pushed").1;
        let col = col as usize;
        let text = match &cell {
            Cell::Text(s) => s.len() as u64,
            Cell::IsoDateTime(s) | Cell::Error(s) => s.len() as u64,
            _ => 0,
        };
        self.held += text + CELL_BYTES * (col + 1).saturating_sub(cells.len()).max(1) as u64;
        if self.held > self.limits.part_bytes {
            return Err(format!(
                "the sheet's cells take more than {} bytes of memory (part_bytes)",
                self.limits.part_bytes
            ));
        }
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = cell;
        Ok(())
    }

    fn cell(&mut self, value: &DataRef<'_>) -> Cell {
        match value {
            DataRef::Int(i) => Cell::Int(*i),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::String(s) => Cell::Text(self.texts.text(s)),
            DataRef::SharedString(s) => Cell::Text(self.texts.text(s)),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(d) if d.is_duration() => Cell::Duration(d.as_f64()),
            DataRef::DateTime(d) => {
                // Keep every date cell in the 1900 system: 1904-01-01 is serial 1462 there.
                let shift = if self.is_1904 { 1462.0 } else { 0.0 };
                Cell::DateTime(d.as_f64() + shift)
            }
            DataRef::DateTimeIso(s) => Cell::IsoDateTime(s.clone()),
            DataRef::DurationIso(s) => Cell::Text(self.texts.text(s)),
            DataRef::Error(e) => Cell::Error(e.to_string()),
            DataRef::Empty => Cell::Empty,
        }
    }

    fn finish(mut self) -> Vec<RawRow> {
        if !self.sorted {
            // Cells of one row met apart are merged; rows come out in sheet order.
            self.rows.sort_by_key(|r| r.0);
            let mut merged: Vec<(u32, Vec<Cell>)> = Vec::with_capacity(self.rows.len());
            for (number, cells) in self.rows {
                match merged.last_mut() {
                    Some((last_number, last)) if *last_number == number => {
                        for (i, cell) in cells.into_iter().enumerate() {
                            if cell != Cell::Empty {
                                if last.len() <= i {
                                    last.resize(i + 1, Cell::Empty);
                                }
                                last[i] = cell;
                            }
                        }
                    }
                    _ => merged.push((number, cells)),
                }
            }
            self.rows = merged;
        }
        self.rows
            .into_iter()
            .map(|(row, cells)| RawRow {
                row,
                cells: Cells::Typed(cells),
                unclosed_quote: false,
            })
            .collect()
    }
}

fn describe(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    if text.to_lowercase().contains("password") || text.to_lowercase().contains("encrypt") {
        "the workbook is password-protected (encrypted); save it without a password and send it again".to_string()
    } else {
        format!("the workbook cannot be read: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(part_bytes: u64) -> Limits {
        Limits {
            sheet_rows: 1_048_576,
            sheet_columns: 16_384,
            part_bytes,
        }
    }

    #[test]
    fn cells_gather_into_rows_in_sheet_order() {
        let mut g = Gather::new(false, limits(1 << 20));
        g.push((3, 1), &DataRef::Float(2.5)).unwrap();
        g.push((0, 0), &DataRef::SharedString("member_id")).unwrap();
        g.push((3, 0), &DataRef::Int(7)).unwrap();
        let rows = g.finish();
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 4]);
        assert_eq!(
            rows[1].cells,
            Cells::Typed(vec![Cell::Int(7), Cell::Number(2.5)])
        );
    }

    #[test]
    fn a_sheet_over_its_memory_budget_is_refused() {
        let mut g = Gather::new(false, limits(10_000));
        let err = g
            .push((0, 16_000), &DataRef::SharedString("far away"))
            .unwrap_err();
        assert!(err.contains("more than 10000 bytes"), "{err}");
    }

    #[test]
    fn a_cell_beyond_the_limits_is_refused() {
        let mut g = Gather::new(
            false,
            Limits {
                sheet_columns: 5,
                ..limits(1 << 20)
            },
        );
        let err = g.push((0, 5), &DataRef::Bool(true)).unwrap_err();
        assert!(err.contains("6 columns, more than the limit of 5"), "{err}");
    }
}
