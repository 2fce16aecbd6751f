//! CSV output: UTF-8, `\n` line ends, quotes only where needed, and text
//! that a spreadsheet would take for a formula prefixed with `'`.

use std::fmt::Write as _;

use crate::sink::{is_formula_like, Table, Value};

pub fn render(table: &Table<'_>, bom: bool) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(table.rows.len() * 128 + 256);
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(table.columns)?;
    let mut scratch = String::new();
    for row in &table.rows {
        for value in row {
            scratch.clear();
            let field: &str = match value {
                Value::Text(s) if is_formula_like(s) => {
                    scratch.push('\'');
                    scratch.push_str(s);
                    &scratch
                }
                Value::Text(s) => s,
                Value::Row(None) | Value::Amount(None) => "",
                Value::Row(Some(n)) => {
                    let _ = write!(scratch, "{n}");
                    &scratch
                }
                Value::Amount(Some(h)) => {
                    let _ = write!(scratch, "{h}");
                    &scratch
                }
                Value::Date(d) => {
                    let _ = write!(scratch, "{d}");
                    &scratch
                }
                Value::Bool(b) => {
                    if *b {
                        "true"
                    } else {
                        "false"
                    }
                }
            };
            writer.write_field(field)?;
        }
        writer.write_record(None::<&[u8]>)?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hundredths;

    #[test]
    fn quotes_only_where_needed_and_defuses_formulas() {
        let table = Table {
            name: "t",
            columns: &["a", "b", "c", "d"],
            rows: vec![vec![
                Value::Text("=1+2".into()),
                Value::Text("x, y".into()),
                Value::Amount(Some(Hundredths(1250))),
                Value::Row(None),
            ]],
        };
        let text = String::from_utf8(render(&table, false).unwrap()).unwrap();
        assert_eq!(text, "a,b,c,d\n'=1+2,\"x, y\",12.50,\n");
        let with_bom = render(&table, true).unwrap();
        assert!(with_bom.starts_with(b"\xEF\xBB\xBFa,b"));
    }
}
