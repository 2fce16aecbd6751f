//! CSV, TSV and TXT files: decoding (UTF-8, UTF-16 with a byte-order mark,
//! else Windows-1252), choosing the delimiter, and numbering rows as a
//! spreadsheet shows them.

use std::borrow::Cow;

use crate::normalize::header::HeaderMatcher;
use crate::source::{Cells, Fields, FileRead, RawRow, Sheet, SheetRead};

/// The delimiters tried, in SPEC.md's order.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Decoded text, and the name of the encoding when it was not UTF-8.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<&'static str>) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if let Ok(text) = std::str::from_utf8(rest) {
            return (Cow::Borrowed(text), None);
        }
    }
    if bytes.starts_with(b"\xFF\xFE") {
        let (text, _) = encoding_rs::UTF_16LE.decode_with_bom_removal(bytes);
        return (text, Some("UTF-16LE"));
    }
    if bytes.starts_with(b"\xFE\xFF") {
        let (text, _) = encoding_rs::UTF_16BE.decode_with_bom_removal(bytes);
        return (text, Some("UTF-16BE"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text, Some("Windows-1252"))
        }
    }
}

/// Reads a whole CSV file's bytes into one sheet.
pub fn read(bytes: &[u8], is_tsv: bool, forced: Option<u8>, matcher: &HeaderMatcher) -> FileRead {
    let (text, encoding) = decode(bytes);
    let delimiter = forced.unwrap_or_else(|| {
        if is_tsv {
            b'\t'
        } else {
            detect_delimiter(&text, matcher)
        }
    });
    let rows = parse_rows(&text, delimiter, usize::MAX);
    FileRead {
        sheets: vec![SheetRead::Sheet(Sheet {
            name: None,
            rows,
            is_1904: false,
            is_csv: true,
        })],
        skipped_sheets: 0,
        encoding,
        delimiter: Some(delimiter),
    }
}

/// The first delimiter under which one of the first 10 non-blank records is a
/// header; else the one found most often outside quotes in the first non-blank line.
pub fn detect_delimiter(text: &str, matcher: &HeaderMatcher) -> u8 {
    DELIMITERS
        .into_iter()
        .find(|&delimiter| {
            parse_rows(text, delimiter, 10)
                .iter()
                .any(|row| matcher.recognise(&row.texts()).is_some())
        })
        .or_else(|| counted_delimiter(text))
        .unwrap_or(b',')
}

/// The delimiter found most often outside quotes in the first non-blank
/// line, if there is one.
fn counted_delimiter(text: &str) -> Option<u8> {
    let line = text.lines().find(|line| !is_blank_line(line))?;
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    Some(DELIMITERS[best])
}

fn is_blank_line(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || matches!(c, ',' | ';' | '|' | '"'))
}

/// Empty lines at `start`, where a reader's record begins (just after the
/// previous record, whose `\r\n` the csv crate may have left half read).
fn empty_lines_before(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    if i > 0 && bytes[i - 1] == b'\r' && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut lines = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        lines += 1;
    }
    lines
}

/// Parses records into rows numbered as a spreadsheet shows them: an empty
/// line is a row, and a quoted value spanning lines is one row. Stops after
/// `limit` non-blank rows, blank ones left out; a text read for a few rows
/// (to find its header or delimiter) is read with the csv crate, not
/// searched whole for quotes.
pub fn parse_rows(text: &str, delimiter: u8, limit: usize) -> Vec<RawRow> {
    let mut reader = if limit == usize::MAX {
        RowReader::new(text, delimiter)
    } else {
        RowReader::with_csv_crate(text, delimiter)
    };
    parse_rows_from(&mut reader, limit)
}

/// Blank rows are left out with a `limit`: a sheet's empty formatted rows
/// saved as `,,,` may run to millions before the next.
fn parse_rows_from(reader: &mut RowReader<'_>, limit: usize) -> Vec<RawRow> {
    let mut rows = Vec::new();
    let mut non_blank = 0;
    while let Some(row) = reader.next_row() {
        let counts = !row.unclosed_quote && !row.is_blank();
        let unclosed = row.unclosed_quote;
        if counts || unclosed || limit == usize::MAX {
            rows.push(row.clone());
        }
        if counts {
            non_blank += 1;
        }
        if !unclosed && non_blank >= limit {
            break;
        }
    }
    rows
}

/// Reads CSV text a row at a time into one reused row (no allocation per
/// row), numbering rows as `parse_rows` does.
pub struct RowReader<'t> {
    text: &'t str,
    delimiter: u8,
    parser: Parser<'t>,
    /// Where `parser` started: after an unclosed quote, reading starts again on the next line.
    offset: usize,
    restarts: u32,
    /// The number of the row last read.
    row: u64,
    current: RawRow,
    /// Where the last record began.
    last_start: usize,
    /// The text is a piece of a file that goes on past it: a quote still
    /// open at its end may close in what follows, which is not judged here.
    followed_by_more: bool,
    done: bool,
}

/// What finds a text's records and fields.
enum Parser<'t> {
    /// A text with no quote, no lone `\r` and no byte-order mark has no
    /// quoted field and ends its lines with `\n` or `\r\n`; there simd-csv's
    /// zero-copy reader gives the csv crate's records, about 2x as fast with
    /// the fields copied out (1.87 -> 0.89 s for 10M rows on one thread).
    Plain(simd_csv::ZeroCopyReader<&'t [u8]>),
    Csv {
        reader: ::csv::Reader<&'t [u8]>,
        record: ::csv::StringRecord,
    },
}

impl<'t> Parser<'t> {
    fn for_text(bytes: &'t [u8], delimiter: u8) -> Parser<'t> {
        if is_plain(bytes, delimiter) {
            Parser::Plain(
                simd_csv::ZeroCopyReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(delimiter)
                    .from_reader(bytes),
            )
        } else {
            Self::csv_at(bytes, 0, delimiter, 0)
        }
    }

    /// Each restart rereads the rest of the text; a second one reads it
    /// without quoting, so a file of stray quotes costs two passes, not one per line.
    fn csv_at(bytes: &'t [u8], offset: usize, delimiter: u8, restarts: u32) -> Parser<'t> {
        Parser::Csv {
            reader: ::csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .quoting(restarts < 2)
                .delimiter(delimiter)
                .from_reader(&bytes[offset..]),
            record: ::csv::StringRecord::new(),
        }
    }
}

/// Whether `bytes` read with `delimiter` hold nothing that the csv crate
/// reads otherwise than as lines of fields: no quote, no `\r` but in `\r\n`,
/// no byte-order mark at the start.
fn is_plain(bytes: &[u8], delimiter: u8) -> bool {
    !matches!(delimiter, b'"' | b'\r' | b'\n')
        && !bytes.starts_with(b"\xEF\xBB\xBF")
        && memchr::memchr2_iter(b'"', b'\r', bytes)
            .all(|i| bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n'))
}

impl<'t> RowReader<'t> {
    /// A reader of `text`, which is first searched whole for quotes.
    pub fn new(text: &'t str, delimiter: u8) -> RowReader<'t> {
        Self::with_parser(
            text,
            delimiter,
            Parser::for_text(text.as_bytes(), delimiter),
        )
    }

    /// A reader of `text` with the csv crate, as texts with quotes are read.
    fn with_csv_crate(text: &'t str, delimiter: u8) -> RowReader<'t> {
        let parser = Parser::csv_at(text.as_bytes(), 0, delimiter, 0);
        Self::with_parser(text, delimiter, parser)
    }

    fn with_parser(text: &'t str, delimiter: u8, parser: Parser<'t>) -> RowReader<'t> {
        RowReader {
            text,
            delimiter,
            parser,
            offset: 0,
            restarts: 0,
            row: 0,
            current: RawRow {
                row: 0,
                cells: Cells::Text(Fields::default()),
                unclosed_quote: false,
            },
            last_start: 0,
            followed_by_more: false,
            done: text.is_empty(),
        }
    }

    /// The reader of a piece of a file that goes on past it, if `more`: a
    /// quote open at the piece's end is not taken as left open (its record
    /// is read again with what follows), nor a quote read as text (`5'10"`)
    /// in its last line, as the whole file's reader would not at that line.
    pub fn followed_by_more(self, more: bool) -> RowReader<'t> {
        RowReader {
            followed_by_more: more,
            ..self
        }
    }

    /// The number of the last row read: all the rows so far, empty lines included.
    pub fn rows_read(&self) -> u32 {
        u32::try_from(self.row).unwrap_or(u32::MAX)
    }

    /// Room enough for the rows of a text whose lines average 64 bytes or
    /// more (a transcript line is about 150): counting the line ends took 3%
    /// of the time reading a CSV file, and room not filled is never touched.
    /// A text of shorter lines has its list of rows grown once or twice;
    /// one line longer than a batch is read as one piece, and gets no more
    /// room than a batch of such lines.
    pub fn rows_expected(&self) -> usize {
        (self.text.len() / 64 + 1).min(1 << 20)
    }

    /// Where the reader is in the text: just past the last row read (the
    /// csv crate may stop between the `\r` and the `\n` of its line end).
    pub fn position(&self) -> usize {
        if self.done {
            return self.text.len();
        }
        self.offset
            + match &self.parser {
                Parser::Plain(reader) => reader.position() as usize,
                Parser::Csv { reader, .. } => reader.position().byte() as usize,
            }
    }

    /// The next row, or `None` at the end of the text.
    pub fn next_row(&mut self) -> Option<&RawRow> {
        if self.done {
            return None;
        }
        if !matches!(self.current.cells, Cells::Text(_)) || self.current.unclosed_quote {
            self.current.cells = Cells::Text(Fields::default());
            self.current.unclosed_quote = false;
        }
        let Cells::Text(fields) = &mut self.current.cells else {
            unreachable!("set above")
        };
        let bytes = self.text.as_bytes();
        // Where the record begins: just after the record before, whose
        // `\r\n` the csv crate may have left half read; then the empty
        // lines the readers pass over, each a row as a spreadsheet shows it.
        let past_empty_lines = |start: usize| {
            let blank_lines = empty_lines_before(bytes, start);
            (
                start,
                blank_lines,
                start + line_ends_at(bytes, start, blank_lines),
            )
        };
        let (start, blank_lines, content) = match &mut self.parser {
            Parser::Plain(reader) => {
                let (start, blank_lines, content) =
                    past_empty_lines(self.offset + reader.position() as usize);
                match reader.read_byte_record() {
                    Ok(Some(record)) => {
                        // The line is taken from the text, already UTF-8.
                        let line = record.as_slice();
                        let Some(text) = self.text.get(content..content + line.len()) else {
                            return self.read_on_with_the_csv_crate(start);
                        };
                        // Each field is a slice of the reader's line: where it ends in it.
                        let base = line.as_ptr() as usize;
                        let ends = record
                            .iter()
                            .map(|f| (f.as_ptr() as usize).saturating_sub(base) + f.len());
                        fields.set(text, ends);
                        (start, blank_lines, content)
                    }
                    Ok(None) => {
                        self.done = true;
                        return None;
                    }
                    // A flexible reader of bytes in memory has no error to give;
                    // were there one, the csv crate reads on from the record.
                    Err(_) => return self.read_on_with_the_csv_crate(start),
                }
            }
            Parser::Csv { reader, record } => {
                match reader.read_record(record) {
                    Ok(true) => {}
                    // Only invalid UTF-8 fails here, and the text is already decoded.
                    Ok(false) | Err(_) => {
                        self.done = true;
                        return None;
                    }
                }
                fields.clear();
                for field in record.iter() {
                    fields.push(field);
                }
                past_empty_lines(self.offset + record.position().map_or(0, |p| p.byte()) as usize)
            }
        };
        self.last_start = start;
        self.row += 1 + blank_lines as u64;
        self.current.row = self.rows_read();
        // Only the csv crate reads quotes, and it stops at the text's end
        // when one never closes.
        if matches!(self.parser, Parser::Csv { .. })
            && !self.followed_by_more
            && self.restarts < 2
            && self.position() >= bytes.len()
            && has_unclosed_quote(&bytes[content..])
        {
            // The quote never closes: this line alone is the row, and it is malformed.
            let line_end = bytes[content..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| content + p + 1);
            let line = String::from_utf8_lossy(&bytes[content..line_end]);
            self.current.cells = Cells::Text(
                line.trim_end_matches(['\r', '\n'])
                    .split(char::from(self.delimiter))
                    .collect(),
            );
            self.current.unclosed_quote = true;
            self.offset = line_end;
            self.restarts += 1;
            self.parser = Parser::csv_at(bytes, self.offset, self.delimiter, self.restarts);
            self.done = self.offset >= bytes.len();
        }
        Some(&self.current)
    }

    /// Reads the rest of the text, from `start`, with the csv crate.
    fn read_on_with_the_csv_crate(&mut self, start: usize) -> Option<&RawRow> {
        self.offset = start;
        self.parser = Parser::csv_at(self.text.as_bytes(), start, self.delimiter, self.restarts);
        self.next_row()
    }
}

/// How reading a CSV file in batches ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Streamed {
    /// Every row was handed on; the file was read with this delimiter.
    Read { delimiter: u8 },
    /// The file must be read whole: it is not UTF-8, a quote left open
    /// before its last batch runs past a batch's first piece, or the reader
    /// of the rows asked for it.
    NeedsWholeFile,
}

/// The first batch is this share of `batch_bytes`.
const FIRST_BATCH_SHARE: usize = 16;

/// Reads a UTF-8 CSV file about `batch_bytes` at a time, the next batch
/// read while the last is parsed. Each batch is cut at line ends into
/// pieces, each read on its own thread by `piece` from a `RowReader` whose
/// rows are numbered from 1; `on_batch` then gets each piece's result with
/// the number of rows before it, so that `number + rows before` is the row
/// number `read` gives. `header` first sees the first 10 non-blank rows (and
/// whether they are all the file has) and may say no. A file whose rows this
/// could not give exactly as `read` does says `NeedsWholeFile` instead.
#[allow(clippy::too_many_arguments)]
pub fn stream<P: Send>(
    mut file: impl std::io::Read + Send,
    is_tsv: bool,
    forced: Option<u8>,
    matcher: &HeaderMatcher,
    batch_bytes: usize,
    header: impl FnOnce(&[RawRow], bool) -> bool,
    piece: impl Fn(&mut RowReader<'_>, bool) -> P + Sync,
    mut on_batch: impl FnMut(Vec<(P, u32)>),
) -> std::io::Result<Streamed> {
    let batch_bytes = batch_bytes.max(1);
    let mut buf: Vec<u8> = Vec::new();
    // The batch before is read into again: fresh memory costs more to touch than to reuse.
    let mut spare: Vec<u8> = Vec::new();
    // Batches start small and double up to `batch_bytes`: nothing is parsed
    // until the first is read, and reading 32 MB took one thread 40-80 ms
    // while the other waited. The first holds a whole byte order mark.
    let mut size = (batch_bytes / FIRST_BATCH_SHARE).max(4);
    let mut eof = fill(&mut file, &mut buf, size)?;
    if buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") {
        return Ok(Streamed::NeedsWholeFile);
    }
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    let mut header = Some(header);
    let mut delimiter = None;
    let mut rows_before: u32 = 0;
    // The first bytes of `buf` found to hold no place to cut: whether a cut
    // fits depends only on the bytes before it, so they are not searched again.
    let mut uncut = 0;
    loop {
        // Before the end of the file a batch is cut before the last byte
        // read: a record that ends where the bytes read do may not end
        // there (a quote that opens after a quote read as text, `a"b,"c`,
        // may close in the bytes after), and read on past its end it shows
        // whether it does.
        let cut = if eof {
            Some(buf.len())
        } else {
            (uncut + 1..buf.len()).rev().find(|&p| is_split(&buf, p))
        };
        let Some(cut) = cut else {
            // A line longer than a batch: read on until it ends.
            uncut = buf.len().saturating_sub(1);
            let wanted = buf.len() + batch_bytes;
            eof = fill(&mut file, &mut buf, wanted)?;
            continue;
        };
        let first_batch = delimiter.is_none();
        // The first batch is read as one text to find the header; later
        // batches are checked to be UTF-8 piece by piece, in parallel.
        let text = if first_batch {
            let Ok(text) = std::str::from_utf8(&buf[..cut]) else {
                return Ok(Streamed::NeedsWholeFile);
            };
            text
        } else {
            ""
        };
        let tried: &[u8] = match (forced, is_tsv) {
            (Some(d), _) => &[d],
            (None, true) => b"\t",
            (None, false) => &DELIMITERS,
        };
        // Once the whole file is read, it decides as any whole file does.
        let decided = (first_batch && !eof)
            .then(|| first_batch_delimiter(text, tried, matcher))
            .flatten();
        if first_batch && !eof && decided.is_none() {
            // Grown by at least its length, the first batch is read through
            // a number of times that grows with the log of its length.
            let wanted = buf.len() + batch_bytes.max(buf.len());
            eof = fill(&mut file, &mut buf, wanted)?;
            continue;
        }
        let delimiter = *delimiter.get_or_insert_with(|| {
            decided.unwrap_or_else(|| match tried {
                [d] => *d,
                _ => detect_delimiter(text, matcher),
            })
        });
        // The first piece holds the rows the header is looked for in.
        let mut first_rows = (0, 0);
        if let Some(header) = header.take() {
            let mut reader = RowReader::with_csv_crate(text, delimiter);
            let rows = parse_rows_from(&mut reader, 10);
            first_rows = (reader.rows_read(), reader.position());
            if !header(&rows, eof) {
                return Ok(Streamed::NeedsWholeFile);
            }
        }
        let pieces = pieces(
            &buf[..cut],
            rayon::current_num_threads() * PIECES_PER_THREAD,
            first_rows.1,
        );
        let buf_ref = &buf;
        // A piece's rows and their count, if they are the rows the piece
        // holds: its last record ends at its end, and it read the header's
        // rows. If not, where its last record ends when read on past it, if
        // it goes on: a quoted value spans the cut. (A batch is cut before
        // the last byte read, so a record that runs to the end of the bytes
        // read runs past the cut.)
        let parse_piece = |from: usize, to: usize, first: bool| {
            // The file's last piece ends where the file does: a quote left
            // open at its end is left open in the whole file too.
            let ends_the_file = eof && to == cut;
            // Cut after a line end, a piece holds whole characters.
            let text = std::str::from_utf8(&buf_ref[from..to]).map_err(|_| None)?;
            let mut reader = RowReader::new(text, delimiter).followed_by_more(!ends_the_file);
            let made = piece(&mut reader, first);
            while reader.next_row().is_some() {}
            if first && reader.rows_read() < first_rows.0 {
                return Err(None);
            }
            let last_ends = if reader.row == 0 || ends_the_file {
                Some(to)
            } else {
                record_end(buf_ref, from + reader.last_start, delimiter)
            };
            match last_ends {
                Some(end) if end == to => Ok((made, reader.rows_read())),
                Some(end) if end > to => Err(Some(end)),
                _ => Err(None),
            }
        };
        let parse = || {
            let parsed = in_order_on_all_threads(pieces.len(), |k| {
                let (from, to) = pieces[k];
                parse_piece(from, to, first_batch && k == 0)
            });
            mend_cuts(&pieces, parsed, |from, to, k| {
                parse_piece(from, to, first_batch && k == 0)
            })
        };
        let mut next = std::mem::take(&mut spare);
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        let file = &mut file;
        size = (size * 2).min(batch_bytes);
        let read_next = move || -> std::io::Result<(Vec<u8>, bool)> {
            let next_eof = eof || fill(file, &mut next, size)?;
            Ok((next, next_eof))
        };
        let (parsed, read) = rayon::join(parse, read_next);
        let Some((parsed, unread)) = parsed else {
            return Ok(Streamed::NeedsWholeFile);
        };
        // The batch's last pieces, not read whole, may hold a quoted value
        // that goes on into the next batch: they begin it. Not at the end of
        // the file, where nothing follows, and not the whole batch: each
        // batch reads at least one piece, so a quote that never closes is
        // not read again and again, batch after batch.
        let carried = match unread {
            Some(k) if eof || k == 0 => return Ok(Streamed::NeedsWholeFile),
            Some(k) => pieces[k].0,
            None => cut,
        };
        let mut batch = Vec::with_capacity(parsed.len());
        for (made, rows) in parsed {
            batch.push((made, rows_before));
            rows_before = rows_before.saturating_add(rows);
        }
        on_batch(batch);
        if eof {
            return Ok(Streamed::Read { delimiter });
        }
        let mut next;
        (next, eof) = read?;
        if carried < cut {
            next.splice(..0, buf[carried..cut].iter().copied());
        }
        spare = std::mem::replace(&mut buf, next);
        uncut = 0;
    }
}

/// A batch is cut into this many pieces for each thread, its last into
/// smaller ones (see `pieces`): the pieces are taken in order as the
/// threads free up, so a thread waits at the batch's end for about a
/// quarter of a piece, not a whole one (10M rows on 2 cores: the batches'
/// reading took 1.62-1.69 s, then 1.55-1.63 s; the eighth session, on
/// another machine, had found no gain in taking them in order). Eight a
/// thread (shared out by rayon, in the fifteenth session) read 10M rows 4%
/// faster, but the run's peak rose by about 100 MB (1,299-1,452 MB in 8
/// runs, against 1,254-1,314 with four), close to the 1.5 GB the batch may
/// take.
const PIECES_PER_THREAD: usize = 4;

/// The pieces' rows, where a piece whose last record goes on past its end
/// (a quoted value spans the cut, so the pieces after it began inside the
/// value) is read again joined to the pieces up to the one that record
/// ends in. A piece that reads whole ends where a record ends, so the piece
/// after it begins where one does. With the rows, the first piece not read
/// when its record goes on past the batch's end, into the next batch.
/// `None` when a piece does not read whole for any other reason: text that
/// is not UTF-8, or the header's rows read otherwise.
fn mend_cuts<P>(
    pieces: &[(usize, usize)],
    parsed: Vec<Result<P, Option<usize>>>,
    mut parse_joined: impl FnMut(usize, usize, usize) -> Result<P, Option<usize>>,
) -> Option<(Vec<P>, Option<usize>)> {
    let mut out = Vec::with_capacity(parsed.len());
    let mut parsed = parsed.into_iter().enumerate();
    while let Some((k, mut made)) = parsed.next() {
        let mut reach = pieces[k].1;
        loop {
            match made {
                Ok(rows) => {
                    out.push(rows);
                    break;
                }
                Err(Some(end)) if end > reach => {
                    let Some((j, _)) = parsed.by_ref().find(|&(j, _)| pieces[j].1 >= end) else {
                        return Some((out, Some(k)));
                    };
                    reach = pieces[j].1;
                    made = parse_joined(pieces[k].0, reach, k);
                }
                Err(_) => return None,
            }
        }
    }
    Some((out, None))
}

/// `work(k)` for each `k` below `count`, the `k`s taken in order by every
/// thread as it frees up (rayon shares out a parallel iterator's items by
/// halves, not in order); what each gave, in order.
fn in_order_on_all_threads<T: Send>(count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let made: Vec<std::sync::Mutex<Option<T>>> =
        (0..count).map(|_| std::sync::Mutex::new(None)).collect();
    let take_in_order = || loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= count {
            break;
        }
        let value = work(k);
        *made[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
    };
    rayon::scope(|s| {
        for _ in 1..rayon::current_num_threads() {
            s.spawn(|_| take_in_order());
        }
        take_in_order();
    });
    made.into_iter()
        .map(|slot| {
            let value = slot.into_inner().unwrap_or_else(|e| e.into_inner());
            value.expect("every item is made")
        })
        .collect()
}

/// A file read from start to end, the system asked to read from the disk
/// what comes next while what was read is parsed. A file not in the page
/// cache was read a batch at a time, the thread reading it waiting on the
/// disk with its core idle: the 10M-row batch, out of the cache, took
/// 5.74 s and 2.77 s in the kernel, with this 5.39 s and 1.61 s (5
/// alternating runs, 2 threads); read from the cache, the same time.
pub struct ReadAhead {
    file: std::fs::File,
    /// How far ahead of what is read the system is asked to read.
    ahead: u64,
    read: u64,
    asked_to: u64,
}

impl ReadAhead {
    pub fn new(file: std::fs::File) -> ReadAhead {
        ReadAhead::with_ahead(file, 32 << 20)
    }

    fn with_ahead(file: std::fs::File, ahead: u64) -> ReadAhead {
        ReadAhead {
            file,
            ahead,
            read: 0,
            asked_to: 0,
        }
    }

    /// The bytes to ask for next, as offset and length, once less than
    /// `ahead` bytes asked for are left: the next `ahead` after those.
    fn next_ask(&mut self) -> Option<(u64, u64)> {
        if self.read + self.ahead <= self.asked_to {
            return None;
        }
        let from = self.asked_to.max(self.read);
        let until = self.read + 2 * self.ahead;
        self.asked_to = until;
        Some((from, until - from))
    }

    #[cfg(target_os = "linux")]
    fn ask(&self, (from, len): (u64, u64)) {
        // Only advice: where it is refused, the file is read as before.
        let _ = rustix::fs::fadvise(
            &self.file,
            from,
            std::num::NonZeroU64::new(len),
            rustix::fs::Advice::WillNeed,
        );
    }

    #[cfg(not(target_os = "linux"))]
    fn ask(&self, _: (u64, u64)) {}
}

impl std::io::Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        if let Some(range) = self.next_ask() {
            self.ask(range);
        }
        Ok(n)
    }
}

/// Reads from `file` until `buf` holds `size` bytes or the file ends; true at the end.
fn fill(file: &mut impl std::io::Read, buf: &mut Vec<u8>, size: usize) -> std::io::Result<bool> {
    use std::io::Read as _;
    buf.reserve(size.saturating_sub(buf.len()));
    while buf.len() < size {
        let want = size - buf.len();
        if file.take(want as u64).read_to_end(buf)? < want {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The delimiter of the file whose first batch is `text`, if the batch
/// decides it as `detect_delimiter` would in the whole file, with the rows
/// the header is then looked for in (`find_header`); `None` while more of
/// the file is needed. Under each delimiter tried, the first 10 non-blank
/// rows must end before the batch does (an 11th begins in it), unless a
/// delimiter shows a header among them after each one tried before it had
/// its 10 rows: it is then chosen. So a header followed by blank rows to
/// the end of a large file is found in the first batch, not after reading
/// the whole file. Only rows before a quote seen left open count: in the
/// whole file it may close further on, making the lines after it one
/// value. (A quote missed as open, after a quote read as text on its line,
/// ends the first piece, which is then read on past the batch, and the
/// file is read whole.) With no header, the line the delimiters are
/// counted on must be in the batch too.
fn first_batch_delimiter(text: &str, delimiters: &[u8], matcher: &HeaderMatcher) -> Option<u8> {
    for &delimiter in delimiters {
        let rows = parse_rows(text, delimiter, 11);
        let settled: Vec<&RawRow> = rows
            .iter()
            .take_while(|r| !r.unclosed_quote)
            .filter(|r| !r.is_blank())
            .collect();
        if settled
            .iter()
            .take(10)
            .any(|r| matcher.recognise(&r.texts()).is_some())
        {
            // A value left open at the batch's end, among the rows read for
            // the header, would end the first piece past the batch (and the
            // file would be read whole): the batch grows until it closes.
            return (!rows.iter().any(|r| r.unclosed_quote)).then_some(delimiter);
        }
        if settled.len() < 11 {
            return None;
        }
    }
    match delimiters {
        [delimiter] => Some(*delimiter),
        _ => counted_delimiter(text),
    }
}

/// Whether a batch may be cut before byte `p`: just after the end of a
/// line that is not empty, so that every empty line is counted with the
/// record after it, as `parse_rows` counts them.
fn is_split(bytes: &[u8], p: usize) -> bool {
    let line_end = |i: usize| matches!(bytes.get(i), Some(b'\r' | b'\n'));
    match p.checked_sub(2) {
        Some(before) if bytes[p - 1] == b'\n' => {
            if bytes[before] == b'\r' {
                before > 0 && !line_end(before - 1)
            } else {
                !line_end(before)
            }
        }
        _ => false,
    }
}

/// `(from, to)` byte ranges covering `bytes`, each cut where `is_split`
/// allows, the first reaching at least `first_to`: `count` steps, the
/// last of them cut in half, then what is left of it in half again while
/// more than a quarter step is left.
fn pieces(bytes: &[u8], count: usize, first_to: usize) -> Vec<(usize, usize)> {
    let step = bytes.len() / count.max(1) + 1;
    let mut out = Vec::with_capacity(count + 2);
    let mut from = 0;
    while from < bytes.len() {
        let left = bytes.len() - from;
        let mut least = if left <= step && left > step / 4 {
            left / 2
        } else {
            step
        };
        if from == 0 {
            least = least.max(first_to);
        }
        let mut to = (from + least.max(1)).min(bytes.len());
        while to < bytes.len() && !is_split(bytes, to) {
            to += 1;
        }
        out.push((from, to));
        from = to;
    }
    out
}

/// Where the record that begins at `start` ends, read on through the
/// bytes after it (past a cut, if a quoted value spans it).
fn record_end(bytes: &[u8], start: usize, delimiter: u8) -> Option<usize> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&bytes[start..]);
    let mut record = ::csv::ByteRecord::new();
    if !matches!(reader.read_byte_record(&mut record), Ok(true)) {
        return None;
    }
    let read_to = start + reader.position().byte() as usize;
    // The csv crate may stop between the `\r` and the `\n` of a line end.
    let crlf = bytes[read_to - 1] == b'\r' && bytes.get(read_to) == Some(&b'\n');
    Some(read_to + usize::from(crlf))
}

/// Where the record's own text begins, past `lines` empty lines from `start`.
fn line_ends_at(bytes: &[u8], start: usize, lines: usize) -> usize {
    let mut i = start;
    if i > 0 && bytes[i - 1] == b'\r' && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    for _ in 0..lines {
        match bytes.get(i) {
            Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            Some(_) => i += 1,
            None => break,
        }
    }
    i - start
}

/// Whether the last record of the file leaves a quote open.
fn has_unclosed_quote(record: &[u8]) -> bool {
    record.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_ahead_gives_the_files_bytes_and_asks_for_the_next_ahead() {
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut file = ReadAhead::with_ahead(std::fs::File::open(&path).unwrap(), 100);
        let mut first = [0u8; 30];
        file.read_exact(&mut first).unwrap();
        // Asked for the 200 bytes past those read.
        assert_eq!((file.read, file.asked_to), (30, 230));
        let mut next = [0u8; 60];
        file.read_exact(&mut next).unwrap();
        // 140 bytes asked for are left: nothing more yet.
        assert_eq!((file.read, file.asked_to), (90, 230));
        let mut more = [0u8; 50];
        file.read_exact(&mut more).unwrap();
        // 90 left, under 100: on from where the last ask ended.
        assert_eq!((file.read, file.asked_to), (140, 340));
        assert_eq!(file.next_ask(), None);
        let mut rest = Vec::new();
        file.read_to_end(&mut rest).unwrap();
        let read: Vec<u8> = [&first[..], &next, &more, &rest].concat();
        assert_eq!(read, bytes);
    }

    fn numbers(rows: &[RawRow]) -> Vec<u32> {
        rows.iter()
            .filter(|r| !r.is_blank())
            .map(|r| r.row)
            .collect()
    }

    #[test]
    fn a_batch_is_cut_into_pieces_whose_last_is_cut_in_a_half_and_quarters() {
        // 100 lines of 10 bytes: cuts fall on line starts only.
        let text = "123456789\n".repeat(100);
        let bytes = text.as_bytes();
        let pieces = pieces(bytes, 4, 0);
        let lengths: Vec<usize> = pieces.iter().map(|(from, to)| to - from).collect();
        // Steps of 251 bytes, each to the next line start; then the 220
        // bytes left, less than a step, are cut in half (110), and what is
        // left then in half again (55, to a line start: 60), leaving 50.
        assert_eq!(lengths, vec![260, 260, 260, 110, 60, 50]);
        assert_eq!(pieces[0].0, 0);
        assert!(pieces.windows(2).all(|w| w[0].1 == w[1].0));
        assert_eq!(pieces.last().unwrap().1, bytes.len());
        assert!(pieces.iter().all(|&(from, _)| from % 10 == 0));
        // The first piece holds the header's rows, however far they reach.
        let first = super::pieces(bytes, 4, 905);
        assert_eq!(first[0], (0, 910));
        assert_eq!(first.last().unwrap().1, 1000);
    }

    #[test]
    fn items_made_in_order_on_all_threads_come_back_in_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        for count in [0, 1, 2, 3, 100] {
            let made = pool.install(|| {
                in_order_on_all_threads(count, |k| {
                    // The first item ends last: kept in order of ending, it would come back last.
                    if k == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    k * k
                })
            });
            assert_eq!(made, (0..count).map(|k| k * k).collect::<Vec<_>>());
        }
    }

    #[test]
    fn rows_count_empty_lines_and_multiline_values_once() {
        let text = "a,b\n1,2\n\n3,\"x\ny\"\n4,5\n";
        let rows = parse_rows(text, b',', usize::MAX);
        assert_eq!(numbers(&rows), vec![1, 2, 4, 5]);
        assert_eq!(rows.last().unwrap().texts(), vec!["4", "5"]);
    }

    #[test]
    fn an_unclosed_quote_spoils_one_row_only() {
        let text = "a,b\n1,\"x\n\n2,y\n3,\"z\"\n";
        let rows = parse_rows(text, b',', usize::MAX);
        let seen: Vec<(u32, bool, usize)> = rows
            .iter()
            .filter(|r| !r.is_blank())
            .map(|r| (r.row, r.unclosed_quote, r.len()))
            .collect();
        assert_eq!(
            seen,
            vec![(1, false, 2), (2, true, 2), (4, false, 2), (5, false, 2)]
        );
        assert_eq!(rows.last().unwrap().text_at(1), "z");
    }

    #[test]
    fn many_unclosed_quotes_cost_two_passes_and_lose_no_row() {
        // `x"y` is a field holding a quote; `"z` then opens a quote that never
        // closes, and the odd quote at the end keeps every restart's tail odd.
        let mut text = String::from("a,b,c\n");
        for i in 0..20_000 {
            text.push_str(&format!("{i},x\"y,\"z\n"));
        }
        text.push_str("\"\n");
        let rows = parse_rows(&text, b',', usize::MAX);
        assert_eq!(rows.len(), 20_002);
        assert_eq!(rows.last().unwrap().row, 20_002);
        assert_eq!(rows.iter().filter(|r| r.unclosed_quote).count(), 2);
    }

    #[test]
    fn rows_read_for_a_header_leave_out_blank_rows() {
        let text = "a,b\n,\n\n \n1,2\n3,4\n";
        let numbered = |rows: Vec<RawRow>| rows.iter().map(|r| r.row).collect::<Vec<_>>();
        assert_eq!(numbered(parse_rows(text, b',', 2)), [1, 5]);
        assert_eq!(numbered(parse_rows(text, b',', 10)), [1, 5, 6]);
        assert_eq!(
            numbered(parse_rows(text, b',', usize::MAX)),
            [1, 2, 4, 5, 6]
        );
    }

    /// Whether the header was looked for with all the file's rows read
    /// (`all` in `stream`'s `header`), the file read in batches of `batch`,
    /// and the delimiter chosen.
    fn header_sought_in_the_whole_file(text: &str, batch: usize) -> (bool, u8) {
        let mut whole = None;
        let ended = stream(
            text.as_bytes(),
            false,
            None,
            &HeaderMatcher::default(),
            batch,
            |_, all| {
                whole = Some(all);
                true
            },
            |reader, _| while reader.next_row().is_some() {},
            |_| {},
        )
        .unwrap();
        let Streamed::Read { delimiter } = ended else {
            panic!("a text of {} bytes needs the whole file", text.len());
        };
        (whole.expect("the header is looked for"), delimiter)
    }

    #[test]
    fn a_header_followed_by_blank_rows_is_found_without_reading_them_all() {
        // A sheet saved with its empty formatted rows: a header, two lines
        // and `,,,` to the end. The first batch holds the header, and the
        // blank rows are read a batch at a time, not all at once.
        let header = "member_id,course_id,completed_on,credit_hours,certified_on\n";
        let lines = "1,A,2024-01-01,3,2020-01-01\n2,B,2024-01-01,3,2020-01-01\n";
        let text = header.to_string() + lines + &",,,,\n".repeat(20_000);
        let batch = 16 * 1024;
        assert_eq!(header_sought_in_the_whole_file(&text, batch), (false, b','));
        assert_eq!(
            streamed(&text, batch),
            Some(parse_rows(&text, b',', usize::MAX))
        );
        // Without a header among them, fewer than 11 non-blank rows need all
        // of the file's rows.
        let unknown = "report\n".to_string() + lines + &",,,,\n".repeat(20_000);
        assert_eq!(
            header_sought_in_the_whole_file(&unknown, batch),
            (true, b',')
        );
        // A header under the second delimiter tried once the first has had
        // its 10 rows: `;;;;` is text under `,`.
        let semicolons = text.replace(',', ";");
        assert_eq!(
            header_sought_in_the_whole_file(&semicolons, batch),
            (false, b';')
        );
        // Not while the first has fewer: its header may come later.
        let blank_under_both = semicolons.replace(";;;;", "");
        assert_eq!(
            header_sought_in_the_whole_file(&blank_under_both, batch),
            (true, b';')
        );
        // Nor when the first delimiter's rows follow a quote left open,
        // which in the whole file closes after them: its header comes later.
        let closes_late = "title;x,\"notes\n".to_string()
            + &header.replace(',', ";")
            + &";;;;\n".repeat(100)
            + "end\"\n"
            + header
            + lines;
        assert_eq!(
            header_sought_in_the_whole_file(&closes_late, 200),
            (true, b',')
        );
        // The same with `;` lines instead of blank rows: chosen in the batch
        // before the early return too, an older flaw.
        let lines_after_the_quote = "title;x,\"notes\n".to_string()
            + &header.replace(',', ";")
            + &lines.replace(',', ";").repeat(20)
            + "end\"\n"
            + header
            + lines;
        assert_eq!(
            header_sought_in_the_whole_file(&lines_after_the_quote, 200),
            (true, b',')
        );
        // Nor after a quote left open: it may close past the batch.
        let open_quote = "\"report\n".to_string() + &text;
        assert!(header_sought_in_the_whole_file(&open_quote, batch).0);
    }

    #[test]
    fn a_first_batch_holds_what_the_delimiter_is_chosen_by() {
        // No header under any delimiter: the delimiter is counted on the
        // first line not made of `,;|"` and spaces alone, after 11 such lines.
        let text = "|,|\n".repeat(11) + "a;b\n";
        for batch in 1..=text.len() + 1 {
            assert_eq!(
                streamed(&text, batch),
                Some(parse_rows(&text, b';', usize::MAX)),
                "in batches of {batch}"
            );
        }
        // A first batch that ends inside a quoted value after the header
        // grows, rather than sending the file to be read whole.
        let mut text = "member_id,course_id,completed_on,credit_hours\n".to_string();
        text += &"1,A,2024-01-01,3\n".repeat(3);
        text += "4,B,2024-01-01,\"line one\nline two\nline three\nline four\"\n";
        text += &"5,A,2024-01-01,3\n".repeat(395);
        let whole = parse_rows(&text, b',', usize::MAX);
        // Batches shorter than the value (up to 65 bytes) cannot hold it
        // once it begins a later batch, and need the whole file anyway.
        for batch in (72..4000).step_by(7) {
            assert_eq!(
                streamed(&text, batch).as_ref(),
                Some(&whole),
                "in batches of {batch}"
            );
        }
    }

    /// The rows of `text` read in batches of `batch` bytes, or `None` when
    /// the whole file is needed.
    fn streamed(text: &str, batch: usize) -> Option<Vec<RawRow>> {
        let mut rows = Vec::new();
        let matcher = HeaderMatcher::default();
        let ended = stream(
            text.as_bytes(),
            false,
            None,
            &matcher,
            batch,
            |_, _| true,
            |reader, _| {
                let mut piece = Vec::new();
                while let Some(row) = reader.next_row() {
                    piece.push(row.clone());
                }
                piece
            },
            |pieces| {
                for (piece, rows_before) in pieces {
                    rows.extend(piece.into_iter().map(|mut row| {
                        row.row += rows_before;
                        row
                    }));
                }
            },
        )
        .unwrap();
        match ended {
            Streamed::Read { delimiter } => {
                assert_eq!(delimiter, detect_delimiter(text, &matcher));
                Some(rows)
            }
            Streamed::NeedsWholeFile => None,
        }
    }

    #[test]
    fn rows_read_in_batches_are_the_rows_read_whole() {
        let texts = [
            "a,b\n1,2\n\n3,\"x\ny\"\n4,5\n",
            "a,b\r\n1,2\r\n\r\n\r\n3,4\r\n5,6",
            "h\n\n\n1\n2\n\n\n",
            "a,b\n1,\"x\n\n2,y\n3,\"z\"\n",
            "a\"b,\"x\ny\",c\n1,2\n",
            "\u{feff}a;b\n1;2\r\r\n3;4\n",
            "member_id;certified_on\n1;2\n;\n,\n\n;\n3;\"4\n5\"\n;\n",
            "member_id,certified_on\n,\n\n1,\"2\n3\"\n,\n4,\"5\"\n,,\n",
        ];
        for text in texts {
            let whole = parse_rows(
                text.trim_start_matches('\u{feff}'),
                detect_delimiter(text, &HeaderMatcher::default()),
                usize::MAX,
            );
            // Each size also as the first batch's share, so that a first
            // batch of every size is read too.
            for size in 1..=text.len() + 1 {
                for batch in [size, size * FIRST_BATCH_SHARE] {
                    if let Some(rows) = streamed(text, batch) {
                        assert_eq!(rows, whole, "{text:?} in batches of {batch}");
                    }
                }
            }
        }
        // A record cut at the end of the bytes read is not taken as ended
        // there: a quote that opens in it may close in the next batch, even
        // after a quote read as text (`a"b`). The first batch ends after row 13.
        let text = "a,b\n".to_string() + &"1,2\n".repeat(11) + "3,a\"b,\"c\nd\",e\"f\n5,6\n";
        assert_eq!(text.find("d\""), Some(57));
        assert_eq!(
            streamed(&text, 57 * FIRST_BATCH_SHARE),
            Some(parse_rows(&text, b',', usize::MAX))
        );
        let clean = "member_id,clock_hours\n1,2\n\n2,3\r\n3,\"4\"\n";
        let rows = streamed(clean, 6).expect("read in batches");
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 2, 4, 5]);
        let rows = "a,b\n".to_string() + &"1,2\n".repeat(11);
        let quoted_across_the_cut = rows.clone() + "3,\"x\ny\"\n4,5\n";
        let cut = rows.len() + "3,\"x\n".len();
        // The first batch, a share of the batch size, ends a byte past the
        // cut (a batch is cut before its last byte).
        let first_batch_ending_at = |cut: usize| (cut + 1) * FIRST_BATCH_SHARE;
        // A quoted value across the batch's cut: the pieces from the one it
        // begins in begin the next batch.
        assert_eq!(
            streamed(&quoted_across_the_cut, first_batch_ending_at(cut)),
            Some(parse_rows(&quoted_across_the_cut, b',', usize::MAX))
        );
        assert_eq!(
            streamed(&quoted_across_the_cut, first_batch_ending_at(cut + 3)).map(|rows| rows.len()),
            Some(14)
        );
        // A quote left open at the file's end reads as in the whole file;
        // one left open past a batch's first piece needs the whole file.
        let open_at_the_end = "a,b\n1,\"x\n2,y\n";
        assert_eq!(
            streamed(open_at_the_end, 1000),
            Some(parse_rows(open_at_the_end, b',', usize::MAX))
        );
        let open_early =
            "a,b\n".to_string() + &"1,2\n".repeat(11) + "3,\"x\n" + &"4,5\n".repeat(200);
        assert!(streamed(&open_early, 57 * FIRST_BATCH_SHARE).is_none());
    }

    /// `record` after 0 to 63 rows and before 64, each text read as one
    /// batch: as the rows before it grow, its line ends fall on each place
    /// in turn, some of them cuts between the batch's pieces. The rows read
    /// in pieces are the rows read whole, which are returned for each text.
    fn read_as_whole_at_every_cut(record: &str) -> Vec<Vec<RawRow>> {
        (0..64)
            .map(|before| {
                let text = "a,b,c\n".to_string()
                    + &"1,2,3\n".repeat(before)
                    + record
                    + &"4,5,6\n".repeat(64);
                let whole = parse_rows(&text, b',', usize::MAX);
                let one_batch = text.len() * FIRST_BATCH_SHARE;
                assert_eq!(
                    streamed(&text, one_batch).as_ref(),
                    Some(&whole),
                    "{record:?} after {before} rows"
                );
                whole
            })
            .collect()
    }

    #[test]
    fn a_quoted_value_across_a_cut_between_pieces_is_read_again_joined() {
        let records = [
            ("3,\"x\ny\",z\n", "x\ny"),
            ("3,\"x\n\ny\nz\"\"\nw\",z\n", "x\n\ny\nz\"\nw"),
        ];
        for (record, value) in records {
            for rows in read_as_whole_at_every_cut(record) {
                assert_eq!(rows.iter().filter(|row| row.text_at(1) == value).count(), 1);
            }
        }
    }

    #[test]
    fn a_quote_read_as_text_at_a_cut_between_pieces_is_read_as_text() {
        // A line with one quote, read as text: at a piece's end it looks
        // like a quote left open.
        for rows in read_as_whole_at_every_cut("3,5'10\",x\n") {
            assert!(rows.iter().all(|row| !row.unclosed_quote));
            assert_eq!(
                rows.iter().filter(|row| row.text_at(1) == "5'10\"").count(),
                1
            );
        }
        // On every line, in batches after the first: every piece ends on one.
        let text = "a,b\n".to_string() + &"1,5'10\"\n".repeat(2000);
        let rows = streamed(&text, 400 * FIRST_BATCH_SHARE).expect("read in batches");
        assert_eq!(rows, parse_rows(&text, b',', usize::MAX));
        assert_eq!(rows.len(), 2001);
    }

    #[test]
    fn a_piece_is_joined_to_the_pieces_its_last_record_runs_into() {
        let pieces: Vec<(usize, usize)> = (0..12).map(|i| (i * 10, i * 10 + 10)).collect();
        // Piece `failed` read with its last record ending at `first_end`,
        // and joined pieces read so: what is read, and the joins tried.
        let mend = |failed: usize, first_end: Option<usize>, joined_ends: &[Option<usize>]| {
            let read = (0..12)
                .map(|i| if i == failed { Err(first_end) } else { Ok(0) })
                .collect();
            let mut joined = Vec::new();
            let made = mend_cuts(&pieces, read, |from, to, k| {
                joined.push((from, to, k));
                match joined_ends.get(joined.len() - 1) {
                    Some(&end) => Err(end),
                    None => Ok(1),
                }
            });
            (made, joined)
        };
        let read_with = |joined_at: usize, pieces_left: usize| {
            let mut read = vec![0; joined_at];
            read.push(1);
            read.extend(vec![0; pieces_left]);
            read
        };
        // Piece 1's last record ends in piece 3: 1 to 3 are read joined.
        let (made, joined) = mend(1, Some(35), &[]);
        assert_eq!(made, Some((read_with(1, 8), None)));
        assert_eq!(joined, [(10, 40, 1)]);
        // Joined so, its last record runs on into piece 7: 1 to 7.
        let (made, joined) = mend(1, Some(35), &[Some(72)]);
        assert_eq!(made, Some((read_with(1, 4), None)));
        assert_eq!(joined, [(10, 40, 1), (10, 80, 1)]);
        // A record that goes on past the batch: piece 9 begins the next one.
        let (made, joined) = mend(9, Some(125), &[]);
        assert_eq!(made, Some((vec![0; 9], Some(9))));
        assert_eq!(joined, []);
        let (made, _) = mend(1, Some(35), &[Some(121)]);
        assert_eq!(made, Some((vec![0], Some(1))));
        // Not read whole for another reason, before or after joining: the
        // file is read whole.
        assert_eq!(mend(3, None, &[]), (None, vec![]));
        assert_eq!(mend(3, Some(30), &[]), (None, vec![]));
        assert_eq!(mend(1, Some(35), &[None]).0, None);
        assert_eq!(mend(1, Some(35), &[Some(40)]).0, None);
    }

    /// Reads `text` in batches of `size` bytes, and with a first batch of
    /// `size` (`size` as its share): the rows read are the whole file's, or
    /// a quote made the file need reading whole.
    fn read_in_batches_as_whole(
        text: &str,
        size: usize,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        for batch in [size, size * FIRST_BATCH_SHARE] {
            match streamed(text, batch) {
                Some(rows) => {
                    let delimiter = detect_delimiter(text, &HeaderMatcher::default());
                    proptest::prop_assert_eq!(rows, parse_rows(text, delimiter, usize::MAX));
                }
                None => {
                    proptest::prop_assert!(text.contains('"'), "{text:?} in batches of {batch}")
                }
            }
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn any_text_read_in_batches_is_read_as_whole(
            text in "[ab,;\"\n\r ]{0,60}",
            size in 1usize..24,
        ) {
            read_in_batches_as_whole(&text, size)?;
        }

        // Lines that make headers under each delimiter, blank rows under
        // one or all, and quotes that open, close or are read as text: the
        // first batch decides the delimiter and header as the whole file does.
        #[test]
        fn texts_with_headers_and_blank_rows_read_in_batches_are_read_as_whole(
            lines in proptest::collection::vec(proptest::sample::select(vec![
                "member_id,course_id,completed_on,credit_hours,certified_on",
                "member_id;course_id;completed_on;credit_hours;certified_on",
                "member_id,x;course_id;completed_on;credit_hours;certified_on",
                ",,,,", ";;;;", ";;;;", ";;;;", "", " ", "1,2", "3;4", "\"x", "a\"b,\"c", "y\"",
                "\"p;q\",r", "s;\"t,u",
            ]), 0..60),
            crlf in proptest::bool::ANY,
            size in 1usize..200,
        ) {
            read_in_batches_as_whole(&lines.join(if crlf { "\r\n" } else { "\n" }), size)?;
        }
    }

    /// Every row a reader gives, each with the rows read so far and where
    /// the reader is then, past the `\n` of a `\r\n` it may stop within.
    fn read_all(mut reader: RowReader<'_>) -> Vec<(RawRow, u32, usize)> {
        let bytes = reader.text.as_bytes();
        let mut seen = Vec::new();
        while let Some(row) = reader.next_row() {
            let row = row.clone();
            let mut at = reader.position();
            if at > 0 && bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n') {
                at += 1;
            }
            seen.push((row, reader.rows_read(), at));
        }
        seen
    }

    #[test]
    fn texts_without_quotes_or_lone_carriage_returns_are_read_plainly() {
        assert!(is_plain(b"a,b\r\n\r\n1,\t2\n\n", b','));
        assert!(is_plain(b"", b','));
        assert!(!is_plain(b"a,\"b\"\n", b','));
        assert!(!is_plain(b"a,b\r1,2\n", b','));
        assert!(!is_plain(b"a,b\r", b','));
        assert!(!is_plain(b"\xEF\xBB\xBFa,b\n", b','));
        assert!(!is_plain(b"a,b\n", b'\n'));
        let text = "a;b\r\n\r\n;\n x ;\t\n\n\nlast;one;more";
        assert!(matches!(
            RowReader::new(text, b';').parser,
            Parser::Plain(_)
        ));
        let read = read_all(RowReader::new(text, b';'));
        let seen: Vec<(u32, Vec<String>)> =
            read.iter().map(|(r, _, _)| (r.row, r.texts())).collect();
        assert_eq!(
            seen,
            vec![
                (1, vec!["a".to_string(), "b".to_string()]),
                (3, vec![String::new(), String::new()]),
                (4, vec!["x".to_string(), String::new()]),
                (
                    7,
                    vec!["last".to_string(), "one".to_string(), "more".to_string()]
                ),
            ]
        );
        let places: Vec<(u32, usize)> = read.iter().map(|&(_, n, at)| (n, at)).collect();
        assert_eq!(places, [(1, 5), (3, 9), (4, 15), (7, text.len())]);
        assert_eq!(read, read_all(RowReader::with_csv_crate(text, b';')));
        let Cells::Text(fields) = &read[2].0.cells else {
            panic!("a CSV row holds text")
        };
        assert_eq!(fields.iter().collect::<Vec<_>>(), [" x ", "\t"]);
    }

    #[test]
    fn lines_longer_than_the_plain_readers_buffer_are_read_as_the_csv_crate_reads_them() {
        // simd-csv reads 8 KiB at a time: fields, line ends and records
        // falling on each side of its buffer's end.
        let mut text = String::new();
        let mut lengths = Vec::new();
        for (i, len) in [8_189, 8_190, 8_191, 8_192, 8_193, 16_384, 20_000]
            .into_iter()
            .enumerate()
        {
            let long = "é".repeat(len / 2) + &"a".repeat(len % 2);
            text.push_str(&format!("{long},{i}\t,z"));
            text.push_str(if i % 2 == 0 { "\r\n" } else { "\n\n" });
            lengths.push(long.len());
        }
        assert!(is_plain(text.as_bytes(), b','));
        let read = read_all(RowReader::new(&text, b','));
        let seen: Vec<(u32, usize, String)> = read
            .iter()
            .map(|(r, _, _)| (r.row, r.text_at(0).len(), r.text_at(1)))
            .collect();
        let rows = [1, 2, 4, 5, 7, 8, 10];
        let expected: Vec<(u32, usize, String)> = (0..7)
            .map(|i| (rows[i], lengths[i], format!("{i}")))
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(read, read_all(RowReader::with_csv_crate(&text, b',')));
    }

    proptest::proptest! {
        #[test]
        fn texts_read_plainly_are_read_as_the_csv_crate_reads_them(
            text in "(\r\n|[ab,;\n \t\u{e9}]){0,300}",
            delimiter in proptest::sample::select(vec![b',', b';', b'\t', b' ']),
        ) {
            proptest::prop_assert!(is_plain(text.as_bytes(), delimiter));
            proptest::prop_assert_eq!(
                read_all(RowReader::new(&text, delimiter)),
                read_all(RowReader::with_csv_crate(&text, delimiter))
            );
        }

        #[test]
        fn any_text_is_read_as_the_csv_crate_reads_it(
            text in "\u{feff}?[ab,;\n\r \t\u{e9}]{0,60}",
            semicolon in proptest::bool::ANY,
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            proptest::prop_assert_eq!(
                read_all(RowReader::new(&text, delimiter)),
                read_all(RowReader::with_csv_crate(&text, delimiter))
            );
        }
    }

    #[test]
    fn crlf_line_ends() {
        let rows = parse_rows("a,b\r\n1,2\r\n\r\n3,4\r\n", b',', usize::MAX);
        assert_eq!(numbers(&rows), vec![1, 2, 4]);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc").0, "abc");
        assert_eq!(decode(b"\xFF\xFEa\x00b\x00").0, "ab");
        assert_eq!(decode(b"\xFE\xFF\x00a\x00b").0, "ab");
        let (text, enc) = decode(b"caf\xE9");
        assert_eq!(text, "café");
        assert_eq!(enc, Some("Windows-1252"));
    }

    #[test]
    fn delimiter_by_header_then_by_count() {
        let m = HeaderMatcher::default();
        assert_eq!(
            detect_delimiter("member_id;completed_on;clock_hours\n1;2;3\n", &m),
            b';'
        );
        assert_eq!(
            detect_delimiter(
                "title, with comma\nmember_id|completed_on|clock_hours\n",
                &m
            ),
            b'|'
        );
        assert_eq!(detect_delimiter("a\tb\tc;d\n", &m), b'\t');
        assert_eq!(detect_delimiter(",,,\na;b\n", &m), b';');
        assert_eq!(detect_delimiter("a;b,c\n", &m), b',');
    }
}
