//! CSV output: UTF-8, `\n` line ends, quotes only where needed, and text
//! that a spreadsheet would take for a formula prefixed with `'`.

use std::borrow::Cow;

use crate::model::Rejection;
use crate::sink::{is_formula_like, write_blocks, Cells, Rows, Table, Value};

pub fn write(
    table: &Table<'_>,
    bom: bool,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut header = String::new();
    for (i, column) in table.columns.iter().enumerate() {
        if i > 0 {
            header.push(',');
        }
        push_field(&mut header, column);
    }
    end_row(&mut header, 0);
    out.write_all(header.as_bytes())?;
    write_blocks(table, out, |rows| Ok(table.csv_block(rows)))
}

/// Rows `rows` of `table`, each value made straight into the bytes.
pub(super) fn block<'a>(
    table: &impl Rows<'a>,
    rows: std::ops::Range<usize>,
    columns: usize,
) -> Vec<u8> {
    let mut block = Block {
        // Room for most rows (a rejection is about 215 bytes), so a block
        // is seldom copied as it grows.
        bytes: String::with_capacity(rows.len() * 256),
        column: 0,
        text: String::new(),
        defused: String::new(),
        numbers: itoa::Buffer::new(),
        plain: PlainTexts::new(columns),
    };
    for i in rows {
        let row_start = block.bytes.len();
        block.column = 0;
        table.row(i, &mut block);
        end_row(&mut block.bytes, row_start);
    }
    block.bytes.into_bytes()
}

/// A block of rows being made, and what making it needs.
struct Block {
    bytes: String,
    /// The column of the next value in its row.
    column: usize,
    text: String,
    defused: String,
    numbers: itoa::Buffer,
    plain: PlainTexts,
}

impl<'a> Cells<'a> for Block {
    // Where a row puts a value of a kind it knows, only that kind's arm is left.
    #[inline(always)]
    fn put(&mut self, value: Value<'a>) {
        let k = self.column;
        self.column += 1;
        let block = &mut self.bytes;
        if k > 0 {
            block.push(',');
        }
        // Only text may need quotes or start a formula.
        match value {
            Value::Message(rejection) => {
                push_message(block, rejection, &mut self.text, &mut self.defused)
            }
            Value::Text(Cow::Borrowed(s)) if self.plain.is_known(k, s) => block.push_str(s),
            Value::Text(s) => {
                let as_it_stands = push_text(block, &s, &mut self.defused);
                if let (true, Cow::Borrowed(s)) = (as_it_stands, s) {
                    self.plain.know(k, s);
                }
            }
            Value::Row(None) | Value::Amount(None) => {}
            Value::Row(Some(n)) => block.push_str(self.numbers.format(n)),
            Value::Amount(Some(h)) => h.push_to(block),
            Value::Date(d) => push_date(block, d),
            Value::Bool(true) => block.push_str("true"),
            Value::Bool(false) => block.push_str("false"),
        }
    }
}

/// The last text of each column found to need neither quotes nor a mark,
/// by where it is: most columns repeat one text row after row (a file, a
/// member, an institution), and scanning each again was a quarter of
/// writing credits. Only borrowed texts are known: they live as long as
/// the table, so the same place and length are the same bytes.
struct PlainTexts(Vec<(usize, usize)>);

impl PlainTexts {
    fn new(columns: usize) -> PlainTexts {
        // No text has a length of usize::MAX.
        PlainTexts(vec![(0, usize::MAX); columns])
    }

    fn is_known(&self, column: usize, text: &str) -> bool {
        self.0.get(column) == Some(&(text.as_ptr() as usize, text.len()))
    }

    fn know(&mut self, column: usize, text: &str) {
        if let Some(known) = self.0.get_mut(column) {
            *known = (text.as_ptr() as usize, text.len());
        }
    }
}

/// Adds a rejection's message as `push_field` would add it, made straight
/// into `out`: a message names its row after a comma, so it is made in
/// quotes at once, not made aside, scanned and copied (a million rejections
/// make about 150 MB of messages). One that is not so plain (a quote in it,
/// nothing to quote, a formula's first character) is made aside as any
/// text is.
fn push_message(
    out: &mut String,
    rejection: &Rejection,
    scratch: &mut String,
    defused: &mut String,
) {
    let start = out.len();
    out.push('"');
    rejection.message_into(out);
    let message = &out[start + 1..];
    let plain_in_quotes = memchr::memchr(b'"', message.as_bytes()).is_none()
        && needs_quotes(message)
        && !is_formula_like(message);
    if plain_in_quotes {
        out.push('"');
        return;
    }
    scratch.clear();
    scratch.push_str(message);
    out.truncate(start);
    push_text(out, scratch, defused);
}

/// Adds `text` as SPEC.md's outputs hold it: a formula's first character
/// marked with `'`, then quoted as the csv crate quotes. Says whether it
/// went in as it stands (no mark, no quotes).
fn push_text(out: &mut String, text: &str, defused: &mut String) -> bool {
    if !is_formula_like(text) {
        return push_field(out, text);
    }
    defused.clear();
    defused.push('\'');
    defused.push_str(text);
    push_field(out, defused);
    false
}

/// Ends the row begun at `row_start`: a row of one empty field is written
/// `""`, as the csv crate writes it, so that it is not read as no field.
fn end_row(out: &mut String, row_start: usize) {
    if out.len() == row_start {
        out.push_str("\"\"");
    }
    out.push('\n');
}

/// Adds `field` as the csv crate writes it: in quotes, each quote doubled,
/// only when it holds a comma, a quote or a line end. Says whether it went
/// in without quotes.
fn push_field(out: &mut String, field: &str) -> bool {
    if !needs_quotes(field) {
        out.push_str(field);
        return true;
    }
    out.reserve(field.len() + 2);
    out.push('"');
    for part in field.split_inclusive('"') {
        out.push_str(part);
        if part.ends_with('"') {
            out.push('"');
        }
    }
    out.push('"');
    false
}

/// Whether the csv crate would quote `field`: a comma, a quote or a line end in it.
fn needs_quotes(field: &str) -> bool {
    let special = |b: u8| matches!(b, b',' | b'"' | b'\r' | b'\n');
    // Whole chunks without stopping early, which the compiler makes vector code.
    field
        .as_bytes()
        .chunks(16)
        .any(|chunk| chunk.iter().fold(false, |any, &b| any | special(b)))
}

/// `YYYY-MM-DD`, as `Display` writes a date of a year from 0 to 9999.
fn push_date(out: &mut String, date: jiff::civil::Date) {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&date.to_string());
        return;
    }
    push_digits(out, year as u16, 4);
    out.push('-');
    push_digits(out, date.month() as u16, 2);
    out.push('-');
    push_digits(out, date.day() as u16, 2);
}

/// `n` in `places` digits, with leading zeros.
fn push_digits(out: &mut String, n: u16, places: u32) {
    for place in (0..places).rev() {
        let digit = (n / 10u16.pow(place) % 10) as u8;
        out.push(char::from(b'0' + digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hundredths;
    use crate::sink::{render, OutputFormat};

    /// What the csv crate writes for these records, `\n` ending each.
    fn csv_crate_text<'a>(records: impl IntoIterator<Item = Vec<&'a str>>) -> String {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for record in records {
            writer.write_record(record).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    /// What the csv crate writes for `field` followed by a second field.
    fn csv_crate_field(field: &str) -> String {
        csv_crate_text([vec![field, "x"]])
    }

    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        for (field, written) in [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("\"", "\"\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\r", "\"cr\r\""),
            ("semi;colon\ttab", "semi;colon\ttab"),
        ] {
            let mut out = String::from("x");
            push_field(&mut out, field);
            assert_eq!(out, format!("x{written}"));
            assert_eq!(csv_crate_field(field), format!("{written},x\n"));
        }
    }

    #[test]
    fn a_row_of_one_empty_field_is_written_as_the_csv_crate_writes_it() {
        let rows = vec![
            vec![Value::Text("".into())],
            vec![Value::Text("a".into())],
            vec![Value::Row(None)],
        ];
        let table = Table::from_rows("t", &["only"], rows);
        let text = String::from_utf8(render(&table, OutputFormat::Csv, false).unwrap()).unwrap();
        assert_eq!(text, "only\n\"\"\na\n\"\"\n");
        assert_eq!(
            text,
            csv_crate_text([vec!["only"], vec![""], vec!["a"], vec![""]])
        );
    }

    proptest::proptest! {
        #[test]
        fn any_field_is_quoted_as_the_csv_crate_quotes_it(field in "[a,\"\r\n =\u{e9}]{0,40}") {
            let mut out = String::new();
            push_field(&mut out, &field);
            proptest::prop_assert_eq!(out + ",x\n", csv_crate_field(&field));
        }

        #[test]
        fn texts_repeated_in_a_column_are_written_as_each_alone(
            picks in proptest::collection::vec((0usize..8, 0usize..8), 1..60)
        ) {
            // Two allocations of one text, a text that begins another (its
            // place, not its length, shared), texts to quote and to mark, and
            // an owned text, which is never known by its place.
            let pool: Vec<String> = ["plain", "plain", "a,b", "=1", "", "say \"hi\""]
                .map(String::from)
                .into();
            let cell = |n: usize| match pool.get(n) {
                Some(text) => Value::Text(Cow::Borrowed(text.as_str())),
                None if n == pool.len() => Value::Text(Cow::Borrowed(&pool[2][..1])),
                None => Value::Text(Cow::Owned(format!("owned,{n}"))),
            };
            let rows: Vec<Vec<Value>> = picks.iter().map(|&(a, b)| vec![cell(a), cell(b)]).collect();
            let expected_rows: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|v| {
                            let Value::Text(t) = v else { unreachable!() };
                            if is_formula_like(t) { format!("'{t}") } else { t.to_string() }
                        })
                        .collect()
                })
                .collect();
            let table = Table::from_rows("t", &["a", "b"], rows);
            let text = String::from_utf8(render(&table, OutputFormat::Csv, false).unwrap()).unwrap();
            let expected = csv_crate_text(
                std::iter::once(vec!["a", "b"])
                    .chain(expected_rows.iter().map(|r| r.iter().map(String::as_str).collect())),
            );
            proptest::prop_assert_eq!(text, expected);
        }

        #[test]
        fn dates_are_written_as_displayed(year in -9999i16..=9999, day in 0i32..366) {
            let first = jiff::civil::Date::new(year, 1, 1).unwrap();
            let date = first.checked_add(jiff::Span::new().days(day)).unwrap_or(first);
            let mut out = String::new();
            push_date(&mut out, date);
            proptest::prop_assert_eq!(out, date.to_string());
        }
    }

    #[test]
    fn quotes_only_where_needed_and_defuses_formulas() {
        // Numbered rows, more than a batch of blocks: any out of place shows.
        let rows = (0..20_000)
            .map(|n| {
                vec![
                    Value::Text("=1+2".into()),
                    Value::Text("x, y".into()),
                    Value::Amount(Some(Hundredths(1250))),
                    Value::Row(None),
                    Value::Row(Some(n)),
                ]
            })
            .collect();
        let table = Table::from_rows("t", &["a", "b", "c", "d", "n"], rows);
        let text = String::from_utf8(render(&table, OutputFormat::Csv, false).unwrap()).unwrap();
        let lines: String = (0..20_000)
            .map(|n| format!("'=1+2,\"x, y\",12.50,,{n}\n"))
            .collect();
        assert_eq!(text, format!("a,b,c,d,n\n{lines}"));
        let with_bom = render(&table, OutputFormat::Csv, true).unwrap();
        assert!(with_bom.starts_with(b"\xEF\xBB\xBFa,b"));
    }

    #[test]
    fn messages_are_written_as_any_text_of_theirs_is() {
        use crate::model::{Code, Kind, Reason, RowRef};
        // Row 0 is a whole file: its message has no comma.
        let rejection = |file: &str, row: u32, reason: &str| Rejection {
            at: RowRef::in_file(file, (0, 0, row)),
            kind: Some(Kind::Transcript),
            member_id: "7".into(),
            code: Code::InvalidDate,
            reason: Reason::Text(reason.into()),
        };
        let rejections = [
            rejection("t.csv", 2, "plain"),
            rejection("t.csv", 3, "grade 'say \"hi\"'"),
            rejection("t.csv", 0, "no comma"),
            rejection("=t.csv", 4, "a formula's file"),
            rejection("+t.csv", 0, "a formula's file, whole"),
            rejection("t.csv", 5, "two\nlines"),
            rejection("t.csv", 0, "a line\rend"),
        ];
        let rows = rejections
            .iter()
            .map(|r| vec![Value::Message(r), Value::Row(r.at.row())])
            .collect();
        let table = Table::from_rows("t", &["message", "row"], rows);
        let text = String::from_utf8(render(&table, OutputFormat::Csv, false).unwrap()).unwrap();
        let messages: Vec<String> = rejections
            .iter()
            .map(|r| {
                let message = r.message();
                if is_formula_like(&message) {
                    format!("'{message}")
                } else {
                    message
                }
            })
            .collect();
        let rows: Vec<String> = rejections
            .iter()
            .map(|r| r.at.row().map_or(String::new(), |n| n.to_string()))
            .collect();
        let expected = csv_crate_text(
            std::iter::once(vec!["message", "row"])
                .chain(messages.iter().zip(&rows).map(|(m, r)| vec![m.as_str(), r])),
        );
        assert_eq!(text, expected);
        assert!(text.contains("\n\"t.csv, row 2: plain\",2\n"));
        assert!(text.contains("\nt.csv: no comma,\n"));
        assert!(text.contains("\n\"'=t.csv, row 4: a formula's file\",4\n"));
    }

    #[test]
    fn a_defused_field_is_quoted_when_it_needs_quotes() {
        // The mark goes first, inside the quotes: SPEC.md's prefix, then the csv quoting.
        let row = ["=a,b", "\tx", "\r", "@\"q\"", "+1", "-"];
        let table = Table::from_rows(
            "t",
            &["a", "b", "c", "d", "e", "f"],
            vec![row.iter().map(|&s| Value::Text(s.into())).collect()],
        );
        let text = String::from_utf8(render(&table, OutputFormat::Csv, false).unwrap()).unwrap();
        assert_eq!(
            text,
            "a,b,c,d,e,f\n\"'=a,b\",'\tx,\"'\r\",\"'@\"\"q\"\"\",'+1,'-\n"
        );
    }
}
