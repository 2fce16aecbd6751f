//! CSV output: UTF-8, `\n` line ends, quotes only where needed, and text
//! that a spreadsheet would take for a formula prefixed with `'`.

use std::fmt::Write as _;

use crate::sink::{is_formula_like, write_blocks, Table, Value};

pub fn write(
    table: &Table<'_>,
    bom: bool,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut header = writer(Vec::new());
    header.write_record(table.columns)?;
    out.write_all(&finish(header)?)?;
    write_blocks(table, out, |rows| {
        // Room for most rows (a rejection is about 215 bytes), so a block
        // is seldom copied as it grows.
        let mut writer = writer(Vec::with_capacity(rows.len() * 256));
        let mut text = String::new();
        let mut scratch = String::new();
        let mut numbers = itoa::Buffer::new();
        for i in rows {
            for value in table.row(i) {
                scratch.clear();
                let field: &str = match (value.as_text(&mut text), &value) {
                    (Some(s), _) if is_formula_like(s) => {
                        scratch.push('\'');
                        scratch.push_str(s);
                        &scratch
                    }
                    (Some(s), _) => s,
                    (None, Value::Text(_) | Value::Message(_)) => unreachable!("text"),
                    (None, Value::Row(None) | Value::Amount(None)) => "",
                    (None, Value::Row(Some(n))) => numbers.format(*n),
                    (None, Value::Amount(Some(h))) => {
                        h.push_to(&mut scratch);
                        &scratch
                    }
                    (None, Value::Date(d)) => {
                        let _ = write!(scratch, "{d}");
                        &scratch
                    }
                    (None, Value::Bool(true)) => "true",
                    (None, Value::Bool(false)) => "false",
                };
                writer.write_field(field)?;
            }
            writer.write_record(None::<&[u8]>)?;
        }
        finish(writer)
    })
}

fn writer(bytes: Vec<u8>) -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(bytes)
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> anyhow::Result<Vec<u8>> {
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hundredths;
    use crate::sink::{render, OutputFormat};

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
}
