//! Workbooks through calamine: every worksheet, hidden ones too, streamed
//! cell by cell where the format allows (xlsx, xlsb) so that a stray cell far
//! away costs nothing, handed over a row at a time, and checked against the
//! rule set's limits.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Ods, Reader, SheetType, Xls, Xlsb, Xlsx};

use crate::model::Text;
use crate::normalize::intern::Interner;
use crate::source::{Cell, Cells, FileRead, RawRow, RowSink, Sheet, SheetRead};

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
pub fn check_parts(zipped: impl Read + Seek, limits: Limits) -> Result<(), String> {
    let mut archive =
        zip::ZipArchive::new(zipped).map_err(|e| format!("the workbook is corrupt: {e}"))?;
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

/// What reading a workbook gave: for each worksheet in workbook order,
/// what was made of its rows, or its name and why it could not be read.
pub struct WorkbookRead<T> {
    pub sheets: Vec<Result<T, (String, String)>>,
    /// Sheets passed over: chart, dialog and macro sheets, and names beginning `_`.
    pub skipped_sheets: usize,
}

/// One worksheet as its rows begin to be handed over.
pub struct SheetStart<'a> {
    pub name: &'a str,
    /// Its place among the sheets read, from 0.
    pub index: u32,
    /// Serial dates count from 1904-01-01.
    pub is_1904: bool,
}

/// Streams one sheet's rows into a sink made for it (xlsx and xlsb share
/// the calls, not a trait), checking the declared dimensions before any
/// cell is read. A sheet whose rows come out of order is read again whole,
/// sorted, into a new sink.
macro_rules! stream_rows {
    ($book:expr, $start:expr, $limits:expr, $make_sink:expr) => {{
        let start: SheetStart<'_> = $start;
        let mut cells = $book
            .worksheet_cells_reader(start.name)
            .map_err(|e| describe(&e))?;
        let dims = cells.dimensions();
        check_extent(
            u64::from(dims.end.0) + 1,
            u64::from(dims.end.1) + 1,
            $limits,
        )?;
        let row_width = (dims.end.1 as usize + 1).min(MOST_RESERVED_CELLS);
        let mut sink = $make_sink(&start);
        sink.expect_rows(dims.end.0.saturating_add(1));
        let mut rows = RowBuilder::new(CellMaker::new(start.is_1904, $limits), row_width);
        let mut in_order = true;
        while let Some(cell) = cells.next_cell().map_err(|e| describe(&e))? {
            let value = rows.maker.cell(cell.get_value());
            if !rows.add(cell.get_position(), value, &mut sink)? {
                in_order = false;
                break;
            }
        }
        drop(cells);
        if in_order {
            rows.finish(&mut sink);
            sink.end();
            Ok(sink)
        } else {
            // What was made of the rows before is not needed while they are read again.
            drop(sink);
            drop(rows);
            let mut cells = $book
                .worksheet_cells_reader(start.name)
                .map_err(|e| describe(&e))?;
            let mut gather = Gather::new(start.is_1904, $limits);
            gather.row_width = row_width;
            while let Some(cell) = cells.next_cell().map_err(|e| describe(&e))? {
                gather.push(cell.get_position(), cell.get_value())?;
            }
            Ok(rows_into($make_sink(&start), &gather.finish()))
        }
    }};
}

/// A sink fed rows held whole.
fn rows_into<S: RowSink>(mut sink: S, rows: &[RawRow]) -> S {
    sink.expect_rows(rows.last().map_or(0, |r| r.row));
    for row in rows {
        sink.row(row);
    }
    sink.end();
    sink
}

/// Reads every worksheet of a workbook into rows held whole.
pub fn read(path: &Path, format: WorkbookFormat, limits: Limits) -> Result<FileRead, String> {
    let read = read_each(path, format, limits, |start| Sheet {
        name: Some(start.name.to_string()),
        rows: Vec::new(),
        is_1904: start.is_1904,
        is_csv: false,
    })?;
    Ok(FileRead {
        sheets: read
            .sheets
            .into_iter()
            .map(|sheet| match sheet {
                Ok(sheet) => SheetRead::Sheet(sheet),
                Err((name, message)) => SheetRead::Failed { name, message },
            })
            .collect(),
        skipped_sheets: read.skipped_sheets,
        ..FileRead::default()
    })
}

/// Reads each worksheet of a workbook, handing its rows one at a time to a
/// sink `make_sink` makes for it, or says why the file cannot be read. The
/// sink of a sheet that fails part way is dropped.
pub fn read_each<S: RowSink>(
    path: &Path,
    format: WorkbookFormat,
    limits: Limits,
    mut make_sink: impl FnMut(&SheetStart<'_>) -> S,
) -> Result<WorkbookRead<S>, String> {
    let zipped = || -> Result<Zipped, String> {
        let mut zipped = Zipped::open(path, HELD_WHOLE_BYTES)?;
        check_parts(&mut zipped, limits)?;
        Ok(zipped)
    };
    match format {
        WorkbookFormat::Xlsx => {
            let mut book = Xlsx::new(zipped()?).map_err(|e| describe(&e))?;
            let is_1904 = book.has_1904_epoch();
            read_sheets(&mut book, is_1904, |book, start| {
                stream_rows!(book, start, limits, make_sink)
            })
        }
        WorkbookFormat::Xlsb => {
            let mut book = Xlsb::new(zipped()?).map_err(|e| describe(&e))?;
            let is_1904 = book.has_1904_epoch();
            read_sheets(&mut book, is_1904, |book, start| {
                stream_rows!(book, start, limits, make_sink)
            })
        }
        WorkbookFormat::Xls => {
            let mut book: Xls<_> = calamine::open_workbook(path).map_err(|e| describe(&e))?;
            let is_1904 = book.has_1904_epoch();
            read_sheets(&mut book, is_1904, |book, start| {
                let rows = read_range(book, start.name, is_1904, limits)?;
                Ok(rows_into(make_sink(&start), &rows))
            })
        }
        WorkbookFormat::Ods => {
            let mut book = Ods::new(zipped()?).map_err(|e| describe(&e))?;
            read_sheets(&mut book, false, |book, start| {
                let rows = read_range(book, start.name, false, limits)?;
                Ok(rows_into(make_sink(&start), &rows))
            })
        }
    }
}

/// A zipped workbook up to this size is read whole, in one call: each
/// thread holds at most this much beside what calamine holds.
const HELD_WHOLE_BYTES: u64 = 16 << 20;

/// A zipped workbook's bytes. The zip reader and calamine read a file
/// piecemeal through an 8 KiB buffer that each seek throws away, some
/// parts twice (415 KB read for a 234 KB workbook); a workbook held whole
/// is read once, and its parts are then read from memory. A larger one,
/// and anything not a plain file (a pipe states no size), is read from the
/// file, so memory does not grow with it.
enum Zipped {
    Held(Cursor<Vec<u8>>),
    File(std::io::BufReader<std::fs::File>),
}

impl Zipped {
    /// The file held whole when it is at most `held_up_to` bytes.
    fn open(path: &Path, held_up_to: u64) -> Result<Zipped, String> {
        use crate::source::inputs::cannot_open;
        let mut file = std::fs::File::open(path).map_err(cannot_open)?;
        let meta = file.metadata().map_err(cannot_open)?;
        if !meta.is_file() || meta.len() > held_up_to {
            return Ok(Zipped::File(std::io::BufReader::new(file)));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        let cannot_read = |e: std::io::Error| format!("the file cannot be read: {e}");
        (&mut file)
            .take(held_up_to.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
        if bytes.len() as u64 > held_up_to {
            // It grew since its size was asked.
            file.rewind().map_err(cannot_read)?;
            return Ok(Zipped::File(std::io::BufReader::new(file)));
        }
        Ok(Zipped::Held(Cursor::new(bytes)))
    }
}

impl Read for Zipped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Zipped::Held(bytes) => bytes.read(buf),
            Zipped::File(file) => file.read(buf),
        }
    }
}

impl Seek for Zipped {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            Zipped::Held(bytes) => bytes.seek(to),
            Zipped::File(file) => file.seek(to),
        }
    }
}

/// Reads each worksheet in workbook order, skipping the sheets SPEC.md skips.
fn read_sheets<R, B, T>(
    book: &mut B,
    is_1904: bool,
    mut read_one: impl FnMut(&mut B, SheetStart<'_>) -> Result<T, String>,
) -> Result<WorkbookRead<T>, String>
where
    R: Read + Seek,
    B: Reader<R>,
{
    let mut read = WorkbookRead {
        sheets: Vec::new(),
        skipped_sheets: 0,
    };
    let sheets = book.sheets_metadata().to_vec();
    for meta in sheets {
        if meta.typ != SheetType::WorkSheet || meta.name.starts_with('_') {
            read.skipped_sheets += 1;
            continue;
        }
        let start = SheetStart {
            name: &meta.name,
            index: read.sheets.len() as u32,
            is_1904,
        };
        read.sheets
            .push(read_one(book, start).map_err(|message| (meta.name.clone(), message)));
    }
    Ok(read)
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

/// Shared strings remembered by address at once, in a table without chains.
const SHARED_SLOTS: usize = 4096;

/// Turns calamine's cells into ours, and keeps a sheet within its limits.
struct CellMaker {
    is_1904: bool,
    limits: Limits,
    /// Memory the sheet's cells would take if all were held, checked
    /// against `part_bytes` (the same sheets are refused, streamed or not).
    held: u64,
    texts: Interner,
    /// The workbook's shared strings met lately, by address: the table is
    /// not changed while a sheet is read, so an entry's address and length
    /// name it, and a repeated cell costs no hashing of its text.
    shared: Box<[Option<(usize, usize, Text)>]>,
}

impl CellMaker {
    fn new(is_1904: bool, limits: Limits) -> CellMaker {
        CellMaker {
            is_1904,
            limits,
            held: 0,
            texts: Interner::default(),
            shared: vec![None; SHARED_SLOTS].into_boxed_slice(),
        }
    }

    fn cell(&mut self, value: &DataRef<'_>) -> Cell {
        match value {
            DataRef::Int(i) => Cell::Int(*i),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::String(s) => Cell::Text(self.texts.text(s)),
            DataRef::SharedString(s) => Cell::Text(self.shared_text(s)),
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

    fn shared_text(&mut self, s: &str) -> Text {
        let address = s.as_ptr() as usize;
        let slot = &mut self.shared[(address >> 3 ^ address >> 15) % SHARED_SLOTS];
        match slot {
            Some((kept, len, text)) if *kept == address && *len == s.len() => text.clone(),
            _ => slot
                .insert((address, s.len(), self.texts.text(s)))
                .2
                .clone(),
        }
    }

    /// The row number (from 1) of a cell at (row, column), from 0, or why
    /// it lies beyond the sheet's limits: checked before anything is worked
    /// out from its place.
    fn row_number(&self, (row, col): (u32, u32)) -> Result<u32, String> {
        check_extent(u64::from(row) + 1, u64::from(col) + 1, self.limits)?;
        Ok(row + 1)
    }

    /// Puts a cell whose place `row_number` has checked in column `col` of
    /// its row's `cells`, once the sheet's memory budget allows it.
    fn place(&mut self, cells: &mut Vec<Cell>, col: u32, cell: Cell) -> Result<(), String> {
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
        if cells.len() == col {
            cells.push(cell);
        } else {
            if cells.len() < col {
                cells.resize(col + 1, Cell::Empty);
            }
            cells[col] = cell;
        }
        Ok(())
    }
}

/// Makes a streamed sheet's rows one at a time in one reused row, and hands
/// each to a sink once its last cell has come.
struct RowBuilder {
    maker: CellMaker,
    /// The row being made; its number is 0 before the first cell.
    row: RawRow,
}

impl RowBuilder {
    fn new(maker: CellMaker, row_width: usize) -> RowBuilder {
        RowBuilder {
            maker,
            row: RawRow {
                row: 0,
                cells: Cells::Typed(Vec::with_capacity(row_width)),
                unclosed_quote: false,
            },
        }
    }

    /// Adds a cell at its (row, column) from 0; `false`, and nothing
    /// added, when it belongs to a row before the one being made.
    fn add(&mut self, at: (u32, u32), cell: Cell, sink: &mut impl RowSink) -> Result<bool, String> {
        if cell == Cell::Empty {
            return Ok(true);
        }
        let number = self.maker.row_number(at)?;
        let RowBuilder { maker, row } = self;
        if number != row.row {
            if number < row.row {
                return Ok(false);
            }
            if !row.is_empty() {
                sink.row(row);
            }
            row.row = number;
            typed(&mut row.cells).clear();
        }
        maker.place(typed(&mut row.cells), at.1, cell)?;
        Ok(true)
    }

    /// Hands over the last row.
    fn finish(self, sink: &mut impl RowSink) {
        if !self.row.is_empty() {
            sink.row(&self.row);
        }
    }
}

fn typed(cells: &mut Cells) -> &mut Vec<Cell> {
    match cells {
        Cells::Typed(cells) => cells,
        Cells::Text(_) => unreachable!("a workbook row holds typed cells"),
    }
}

/// Collects cells into rows held whole, in row order, whatever order they
/// come in.
struct Gather {
    /// Row numbers (as a user sees them) and cells from column A.
    rows: Vec<(u32, Vec<Cell>)>,
    maker: CellMaker,
    sorted: bool,
    /// Cells reserved for each row: the sheet's width, as its dimensions say.
    row_width: usize,
}

/// A sheet's stated width is only a hint: a row never reserves more cells than this.
const MOST_RESERVED_CELLS: usize = 64;

impl Gather {
    fn new(is_1904: bool, limits: Limits) -> Gather {
        Gather {
            rows: Vec::new(),
            maker: CellMaker::new(is_1904, limits),
            sorted: true,
            row_width: 0,
        }
    }

    fn push(&mut self, (row, col): (u32, u32), value: &DataRef<'_>) -> Result<(), String> {
        let cell = self.maker.cell(value);
        if cell == Cell::Empty {
            return Ok(());
        }
        let number = self.maker.row_number((row, col))?;
        let same_row = self.rows.last().is_some_and(|r| r.0 == number);
        if !same_row {
            if self.rows.last().is_some_and(|r| r.0 > number) {
                self.sorted = false;
            }
            self.rows.push((number, Vec::with_capacity(self.row_width)));
        }
        let cells = &mut self.rows.last_mut().expect("a row was pushed").1;
        self.maker.place(cells, col, cell)
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
    fn a_workbook_held_whole_reads_as_one_read_from_its_file() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/lo_transcripts.xlsx"
        ));
        let first_sheet = |mut zipped: Zipped| {
            check_parts(&mut zipped, limits(1 << 20)).unwrap();
            let mut book = Xlsx::new(zipped).unwrap();
            let name = book.sheet_names()[0].clone();
            book.worksheet_range(&name).unwrap()
        };
        let held = Zipped::open(path, u64::MAX).unwrap();
        let from_file = Zipped::open(path, 0).unwrap();
        assert!(matches!(held, Zipped::Held(_)));
        assert!(matches!(from_file, Zipped::File(_)));
        let (held, from_file) = (first_sheet(held), first_sheet(from_file));
        assert_eq!(
            held.get_value((0, 0)),
            Some(&calamine::Data::String(
                "Riverside Community College - transcript export".into()
            ))
        );
        assert_eq!(held, from_file);
        // What is not a plain file is never held, whatever its stated size.
        #[cfg(unix)]
        assert!(matches!(
            Zipped::open(Path::new("/dev/null"), u64::MAX),
            Ok(Zipped::File(_))
        ));
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
    fn streamed_cells_are_handed_over_a_row_at_a_time() {
        let mut rows = RowBuilder::new(CellMaker::new(false, limits(1 << 20)), 2);
        let mut sink = Sheet::default();
        let text = |s: &str| Cell::Text(Text::from(s));
        for (at, cell) in [
            ((0, 0), text("member_id")),
            ((0, 1), Cell::Empty),
            ((2, 1), Cell::Number(2.5)),
            ((2, 0), Cell::Int(7)),
            ((3, 3), Cell::Bool(true)),
        ] {
            assert_eq!(rows.add(at, cell, &mut sink), Ok(true));
        }
        // A cell of an earlier row stops the stream and is not added.
        assert_eq!(rows.add((2, 2), text("late"), &mut sink), Ok(false));
        rows.finish(&mut sink);
        let got: Vec<(u32, Cells)> = sink.rows.into_iter().map(|r| (r.row, r.cells)).collect();
        assert_eq!(
            got,
            vec![
                (1, Cells::Typed(vec![text("member_id")])),
                (3, Cells::Typed(vec![Cell::Int(7), Cell::Number(2.5)])),
                (
                    4,
                    Cells::Typed(vec![
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Bool(true)
                    ])
                ),
            ]
        );
    }

    #[test]
    fn a_cell_on_the_last_possible_row_is_refused_not_overflowed() {
        let mut rows = RowBuilder::new(CellMaker::new(false, limits(1 << 20)), 2);
        let err = rows
            .add((u32::MAX, 0), Cell::Int(1), &mut Sheet::default())
            .unwrap_err();
        assert!(
            err.contains("4294967296 rows, more than the limit of 1048576"),
            "{err}"
        );
        let mut g = Gather::new(false, limits(1 << 20));
        let err = g.push((u32::MAX, 0), &DataRef::Int(1)).unwrap_err();
        assert!(err.contains("4294967296 rows"), "{err}");
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
