//! CSV output: UTF-8, `\n` line ends, quotes only where needed, and text
//! that a spreadsheet would take for a formula prefixed with `'`.

use crate::sink::{is_formula_like, Table, Value};

pub fn render(table: &Table, bom: bool) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(table.columns)?;
    let mut fields: Vec<String> = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        fields.clear();
        fields.extend(row.iter().map(field));
        writer.write_record(&fields)?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))
}

fn field(value: &Value) -> String {
    match value {
        Value::Text(s) if is_formula_like(s) => format!("'{s}"),
        Value::Text(s) => s.clone(),
        Value::Row(Some(n)) => n.to_string(),
        Value::Row(None) | Value::Amount(None) => String::new(),
        Value::Amount(Some(h)) => h.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
    }
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
