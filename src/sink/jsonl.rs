//! JSON Lines output: one object a line, keys in column order; `row` a
//! number or null, `capped` a boolean, hours and CEUs numbers.

use crate::sink::{Table, Value};

pub fn render(table: &Table<'_>) -> Vec<u8> {
    let mut out = String::new();
    for row in &table.rows {
        out.push('{');
        for (i, (name, value)) in table.columns.iter().zip(row).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(name));
            out.push(':');
            match value {
                Value::Text(s) => out.push_str(&json_string(s)),
                Value::Row(Some(n)) => out.push_str(&n.to_string()),
                Value::Row(None) | Value::Amount(None) => out.push_str("null"),
                // Two decimals, as in the CSV: a JSON number, written exactly.
                Value::Amount(Some(h)) => out.push_str(&h.to_string()),
                Value::Date(d) => out.push_str(&json_string(&d.to_string())),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            }
        }
        out.push_str("}\n");
    }
    out.into_bytes()
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hundredths;

    #[test]
    fn one_object_a_line_with_typed_values() {
        let table = Table {
            name: "t",
            columns: &["row", "member_id", "ceus", "capped", "need"],
            rows: vec![vec![
                Value::Row(Some(3)),
                Value::Text("00\"7".into()),
                Value::Amount(Some(Hundredths(1250))),
                Value::Bool(true),
                Value::Amount(None),
            ]],
        };
        let text = String::from_utf8(render(&table)).unwrap();
        assert_eq!(
            text,
            "{\"row\":3,\"member_id\":\"00\\\"7\",\"ceus\":12.50,\"capped\":true,\"need\":null}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(parsed["ceus"], serde_json::json!(12.5));
    }
}
