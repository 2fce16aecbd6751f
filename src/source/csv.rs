//! CSV, TSV and TXT files: decoding (UTF-8, UTF-16 with a byte-order mark,
//! else Windows-1252), choosing the delimiter, and numbering rows as a
//! spreadsheet shows them.

use std::borrow::Cow;

use crate::normalize::header::HeaderMatcher;
use crate::source::{Cells, FileRead, RawRow, Sheet, SheetRead};

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
    for delimiter in DELIMITERS {
        let rows = parse_rows(text, delimiter, 10);
        let found = rows
            .iter()
            .any(|row| matcher.recognise(&row.texts()).is_some());
        if found {
            return delimiter;
        }
    }
    let Some(line) = text.lines().find(|line| !is_blank_line(line)) else {
        return b',';
    };
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
    DELIMITERS[best]
}

fn is_blank_line(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || matches!(c, ',' | ';' | '|' | '"'))
}

/// Empty lines at `start`, where the csv crate's record begins (just after
/// the previous record, whose `\r\n` it may have left half read).
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
/// `limit` non-blank rows.
pub fn parse_rows(text: &str, delimiter: u8, limit: usize) -> Vec<RawRow> {
    parse(text, delimiter, limit).0
}

/// `parse_rows`, and where the last record begins.
fn parse(text: &str, delimiter: u8, limit: usize) -> (Vec<RawRow>, usize) {
    let bytes = text.as_bytes();
    let mut last_start = 0;
    let mut rows = Vec::new();
    let mut row: u64 = 0;
    let mut non_blank = 0;
    // Where the current reader started: after an unclosed quote, reading starts again on the next line.
    let mut offset = 0;
    let mut restarts = 0;
    'restart: while offset < bytes.len() {
        // Each restart rereads the rest of the file; a second one reads it
        // without quoting, so a file of stray quotes costs two passes, not one per line.
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .quoting(restarts < 2)
            .delimiter(delimiter)
            .from_reader(&bytes[offset..]);
        let mut record = ::csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                // Only invalid UTF-8 fails here, and the text is already decoded.
                Ok(false) | Err(_) => break 'restart,
            }
            // The csv crate passes over empty lines; a spreadsheet shows each as a row.
            let start = offset + record.position().map_or(0, |p| p.byte()) as usize;
            last_start = start;
            let blank_lines = empty_lines_before(bytes, start);
            row += 1 + blank_lines as u64;
            let end = offset + reader.position().byte() as usize;
            let content = start + line_ends_at(bytes, start, blank_lines);
            let raw = if restarts < 2 && end >= bytes.len() && has_unclosed_quote(&bytes[content..])
            {
                // The quote never closes: this line alone is the row, and it is malformed.
                let line_end = bytes[content..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| content + p + 1);
                let line = String::from_utf8_lossy(&bytes[content..line_end]);
                offset = line_end;
                restarts += 1;
                let cells = Cells::Text(
                    line.trim_end_matches(['\r', '\n'])
                        .split(char::from(delimiter))
                        .collect(),
                );
                rows.push(RawRow {
                    row: u32::try_from(row).unwrap_or(u32::MAX),
                    cells,
                    unclosed_quote: true,
                });
                continue 'restart;
            } else {
                RawRow {
                    row: u32::try_from(row).unwrap_or(u32::MAX),
                    cells: Cells::Text(record.clone()),
                    unclosed_quote: false,
                }
            };
            if !raw.is_blank() {
                non_blank += 1;
            }
            rows.push(raw);
            if non_blank >= limit {
                break 'restart;
            }
        }
    }
    (rows, last_start)
}

/// How reading a CSV file in batches ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Streamed {
    /// Every row was handed on; the file was read with this delimiter.
    Read { delimiter: u8 },
    /// The file must be read whole: it is not UTF-8, a quoted value spans a
    /// split, a quote never closes, or the reader of the rows asked for it.
    NeedsWholeFile,
}

/// Reads a UTF-8 CSV file about `batch_bytes` at a time: each batch is cut
/// at line ends into pieces parsed in parallel, and its rows, numbered as
/// `read` numbers them, go to `on_rows` piece by piece. A file whose rows
/// this could not give exactly as `read` does says `NeedsWholeFile` instead.
/// `on_rows` also learns whether the batch is the last; it returns false
/// to ask for the whole file too.
pub fn stream(
    mut file: impl std::io::Read,
    is_tsv: bool,
    forced: Option<u8>,
    matcher: &HeaderMatcher,
    batch_bytes: usize,
    mut on_rows: impl FnMut(Vec<Vec<RawRow>>, bool) -> bool,
) -> std::io::Result<Streamed> {
    use rayon::prelude::*;
    use std::io::Read as _;

    let batch_bytes = batch_bytes.max(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    let mut delimiter = None;
    let mut rows_before: u32 = 0;
    let mut fill_to = batch_bytes;
    loop {
        while !eof && buf.len() < fill_to {
            let want = fill_to - buf.len();
            let got = (&mut file).take(want as u64).read_to_end(&mut buf)?;
            eof = got < want;
        }
        if delimiter.is_none() {
            if buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") {
                return Ok(Streamed::NeedsWholeFile);
            }
            if buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
        }
        let cut = if eof {
            buf.len()
        } else {
            match (1..=buf.len()).rev().find(|&p| is_split(&buf, p)) {
                Some(cut) => cut,
                // A line longer than a batch: read on until it ends.
                None => {
                    fill_to = buf.len() + batch_bytes;
                    continue;
                }
            }
        };
        fill_to = batch_bytes;
        let Ok(text) = std::str::from_utf8(&buf[..cut]) else {
            return Ok(Streamed::NeedsWholeFile);
        };
        let detect = delimiter.is_none() && forced.is_none() && !is_tsv;
        if detect && !eof && !holds_the_rows_that_detect(text) {
            fill_to = buf.len() + batch_bytes;
            continue;
        }
        let delimiter = *delimiter.get_or_insert_with(|| {
            forced.unwrap_or_else(|| {
                if is_tsv {
                    b'\t'
                } else {
                    detect_delimiter(text, matcher)
                }
            })
        });
        let pieces = pieces(text.as_bytes(), rayon::current_num_threads() * 4);
        let parsed: Vec<(Vec<RawRow>, usize)> = pieces
            .par_iter()
            .map(|&(from, to)| parse(&text[from..to], delimiter, usize::MAX))
            .collect();
        let mut batch = Vec::with_capacity(parsed.len());
        for (&(from, to), (mut rows, last_start)) in pieces.iter().zip(parsed) {
            if rows.iter().any(|r| r.unclosed_quote) {
                return Ok(Streamed::NeedsWholeFile);
            }
            let last_piece = eof && to == buf.len();
            if !rows.is_empty()
                && !last_piece
                && !record_ends_at(&buf, from + last_start, to, delimiter)
            {
                return Ok(Streamed::NeedsWholeFile);
            }
            let counted = rows.last().map_or(0, |r| r.row);
            for row in &mut rows {
                row.row = row.row.saturating_add(rows_before);
            }
            rows_before = rows_before.saturating_add(counted);
            batch.push(rows);
        }
        if !on_rows(batch, eof) {
            return Ok(Streamed::NeedsWholeFile);
        }
        buf.drain(..cut);
        if eof {
            return Ok(Streamed::Read { delimiter });
        }
    }
}

/// Whether the first batch decides the delimiter as the whole file would:
/// under each delimiter tried, the 10 non-blank rows `detect_delimiter`
/// reads end before the batch does (an 11th begins in it).
fn holds_the_rows_that_detect(text: &str) -> bool {
    DELIMITERS.iter().all(|&d| {
        let rows = parse_rows(text, d, 11);
        rows.iter().filter(|r| !r.is_blank()).count() >= 11
    })
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

/// `(from, to)` byte ranges covering `bytes`, about `count` of them, each cut where `is_split` allows.
fn pieces(bytes: &[u8], count: usize) -> Vec<(usize, usize)> {
    let step = bytes.len() / count.max(1) + 1;
    let mut out = Vec::with_capacity(count);
    let mut from = 0;
    while from < bytes.len() {
        let mut to = (from + step).min(bytes.len());
        while to < bytes.len() && !is_split(bytes, to) {
            to += 1;
        }
        out.push((from, to));
        from = to;
    }
    out
}

/// Whether the record that begins at `start` ends exactly at `end`, read on
/// through the bytes after it: if not, a quoted value spans the cut.
fn record_ends_at(bytes: &[u8], start: usize, end: usize, delimiter: u8) -> bool {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&bytes[start..]);
    let mut record = ::csv::ByteRecord::new();
    if !matches!(reader.read_byte_record(&mut record), Ok(true)) {
        return false;
    }
    let read_to = start + reader.position().byte() as usize;
    // The csv crate may stop between the `\r` and the `\n` of a line end.
    read_to == end || (read_to + 1 == end && bytes[read_to - 1] == b'\r')
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

    fn numbers(rows: &[RawRow]) -> Vec<u32> {
        rows.iter()
            .filter(|r| !r.is_blank())
            .map(|r| r.row)
            .collect()
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
            |pieces, _| {
                rows.extend(pieces.into_iter().flatten());
                true
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
        ];
        for text in texts {
            let whole = parse_rows(
                text.trim_start_matches('\u{feff}'),
                detect_delimiter(text, &HeaderMatcher::default()),
                usize::MAX,
            );
            for batch in 1..=text.len() + 1 {
                if let Some(rows) = streamed(text, batch) {
                    assert_eq!(rows, whole, "{text:?} in batches of {batch}");
                }
            }
        }
        // Only a quote left open, or a quoted value across a cut, needs the whole file.
        let clean = "member_id,clock_hours\n1,2\n\n2,3\r\n3,\"4\"\n";
        let rows = streamed(clean, 6).expect("read in batches");
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 2, 4, 5]);
        assert!(streamed("a,b\n1,\"x\ny\"\n", 8).is_none());
        assert!(streamed("a,b\n1,\"x\n2,y\n", 1000).is_none());
    }

    proptest::proptest! {
        #[test]
        fn any_text_read_in_batches_is_read_as_whole(
            text in "[ab,;\"\n\r ]{0,60}",
            batch in 1usize..24,
        ) {
            if let Some(rows) = streamed(&text, batch) {
                let delimiter = detect_delimiter(&text, &HeaderMatcher::default());
                proptest::prop_assert_eq!(rows, parse_rows(&text, delimiter, usize::MAX));
            }
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
