//! XLSX output: text as text cells (quote-prefixed where Excel would see a
//! formula), numbers shown `0.00`, real date cells, a bold frozen header with
//! an autofilter, and the same bytes on every run.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::sink::{is_formula_like, Table, Value};

/// Excel's last row, header included.
const MAX_ROWS: usize = 1_048_576;

pub fn write(table: &Table<'_>, out: &mut (dyn std::io::Write + Send)) -> anyhow::Result<()> {
    if table.len + 1 > MAX_ROWS {
        anyhow::bail!(
            "{} has {} rows, more than an xlsx sheet holds ({}); use --format csv or jsonl",
            table.name,
            table.len,
            MAX_ROWS - 1
        );
    }
    let mut book = Workbook::new();
    // A fixed creation time keeps the bytes the same on every run.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let amount = Format::new().set_num_format("0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name(table.name)?;
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.len()).collect();
    for (c, name) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    let mut text = String::new();
    for (r, row) in table.rows().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.into_iter().enumerate() {
            let col = c as u16;
            let shown = match (value.as_text(&mut text), &value) {
                (Some(""), _) => 0,
                (Some(s), _) if is_formula_like(s) => {
                    sheet.write_string_with_format(r, col, s, &quoted)?;
                    s.chars().count()
                }
                (Some(s), _) => {
                    sheet.write_string(r, col, s)?;
                    s.chars().count()
                }
                (None, Value::Text(_) | Value::Message(_)) => unreachable!("text"),
                (None, Value::Row(Some(n))) => {
                    sheet.write_number(r, col, f64::from(*n))?;
                    n.to_string().len()
                }
                (None, Value::Row(None) | Value::Amount(None)) => 0,
                (None, Value::Amount(Some(h))) => {
                    // Hundredths up to 2^53 are exact in a double.
                    sheet.write_number_with_format(r, col, h.0 as f64 / 100.0, &amount)?;
                    h.to_string().len()
                }
                (None, Value::Date(d)) => {
                    let cell =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, col, &cell, &date)?;
                    10
                }
                (None, Value::Bool(b)) => {
                    let shown = if *b { "true" } else { "false" };
                    sheet.write_string(r, col, shown)?;
                    shown.len()
                }
            };
            widths[c] = widths[c].max(shown);
        }
    }
    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*width).clamp(6, 60) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = table.len as u32;
    sheet.autofilter(0, 0, last_row, table.columns.len() as u16 - 1)?;
    book.save_to_writer(out)?;
    Ok(())
}
