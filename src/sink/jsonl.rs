//! JSON Lines output: one object a line, keys in column order; `row` a
//! number or null, `capped` a boolean, hours and CEUs numbers.

use crate::sink::{write_blocks, Table, Value};

pub fn write(table: &Table<'_>, out: &mut (dyn std::io::Write + Send)) -> anyhow::Result<()> {
    let keys: Vec<String> = table.columns.iter().map(|c| json_string(c)).collect();
    write_blocks(table, out, |rows| {
        let mut out = String::with_capacity(rows.len() * 320);
        let mut text = String::new();
        for i in rows {
            out.push('{');
            for (i, (key, value)) in keys.iter().zip(table.row(i)).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(key);
                out.push(':');
                if let Some(s) = value.as_text(&mut text) {
                    out.push_str(&json_string(s));
                    continue;
                }
                match value {
                    Value::Text(_) | Value::Message(_) => unreachable!("text"),
                    Value::Row(Some(n)) => out.push_str(&n.to_string()),
                    Value::Row(None) | Value::Amount(None) => out.push_str("null"),
                    // Two decimals, as in the CSV: a JSON number, written exactly.
                    Value::Amount(Some(h)) => out.push_str(&h.to_string()),
                    Value::Date(d) => out.push_str(&json_string(&d.to_string())),
                    Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                }
            }
            out.push_str("}\n");
        }
        Ok(out.into_bytes())
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hundredths;
    use crate::sink::{render, OutputFormat};

    #[test]
    fn one_object_a_line_with_typed_values() {
        let table = Table::from_rows(
            "t",
            &["row", "member_id", "ceus", "capped", "need"],
            vec![vec![
                Value::Row(Some(3)),
                Value::Text("00\"7".into()),
                Value::Amount(Some(Hundredths(1250))),
                Value::Bool(true),
                Value::Amount(None),
            ]],
        );
        let text = String::from_utf8(render(&table, OutputFormat::Jsonl, false).unwrap()).unwrap();
        assert_eq!(
            text,
            "{\"row\":3,\"member_id\":\"00\\\"7\",\"ceus\":12.50,\"capped\":true,\"need\":null}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(parsed["ceus"], serde_json::json!(12.5));
    }
}
