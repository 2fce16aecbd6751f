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
    let bytes = text.as_bytes();
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
    rows
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
