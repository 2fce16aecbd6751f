//! Reading `--prior` files: `credits` outputs of earlier runs, in any of the
//! three output formats. A file that cannot be read stops the run.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::model::{Kind, Unit};
use crate::normalize::value::{parse_date_text, parse_hours_text};
use crate::rules::prior::PriorCredit;
use crate::sink::tables::CREDIT_COLUMNS;
use crate::source::{workbook, SheetRead};

/// Reads one prior credits file.
pub fn read_prior(path: &Path, limits: workbook::Limits) -> Result<Vec<PriorCredit>> {
    let shown = path.display();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rows: Vec<(u32, Vec<String>)> = match ext.as_str() {
        "jsonl" | "json" => return read_jsonl(path),
        "xlsx" => {
            let file = workbook::read(path, workbook::WorkbookFormat::Xlsx, limits)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("cannot read --prior file {shown}"))?;
            let Some(SheetRead::Sheet(sheet)) = file.sheets.into_iter().next() else {
                bail!("--prior file {shown} has no readable sheet: give a credits file written by ceu");
            };
            sheet.rows.into_iter().map(|r| (r.row, r.texts())).collect()
        }
        _ => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read --prior file {shown}: check the path"))?;
            let (text, _) = crate::source::csv::decode(&bytes);
            let delimiter = if ext == "tsv" { b'\t' } else { b',' };
            crate::source::csv::parse_rows(&text, delimiter, usize::MAX)
                .into_iter()
                .map(|r| (r.row, r.texts()))
                .collect()
        }
    };
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let Some((_, header)) = rows.next() else {
        bail!("--prior file {shown} is empty: give a credits file written by ceu");
    };
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let missing: Vec<&str> = CREDIT_COLUMNS
        .iter()
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        bail!(
            "--prior file {shown} lacks the credits columns {}: give a credits file written by ceu",
            missing.join(", ")
        );
    }
    rows.map(|(row, cells)| {
        let get = |name: &str| unescape(cells.get(index[name]).map(String::as_str).unwrap_or(""));
        parse_credit(&get).with_context(|| format!("--prior file {shown}, row {row}"))
    })
    .collect()
}

/// Undoes the `'` that CSV outputs put before formula-like text.
fn unescape(text: &str) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if crate::sink::is_formula_like(rest) => rest.to_string(),
        _ => text.to_string(),
    }
}

fn parse_credit(get: &dyn Fn(&str) -> String) -> Result<PriorCredit> {
    let kind = match get("kind").as_str() {
        "transcript" => Kind::Transcript,
        "instructor" => Kind::Instructor,
        other => bail!("kind '{other}' is neither transcript nor instructor"),
    };
    let unit = match get("unit").as_str() {
        "clock" => Unit::Clock,
        "credit" => Unit::Credit,
        "contact" => Unit::Contact,
        other => bail!("unit '{other}' is not clock, credit or contact"),
    };
    let date_text = get("completed_on");
    let completed_on = parse_date_text(&date_text, false, 9999)
        .with_context(|| format!("completed_on '{date_text}' is not a date"))?;
    let amount = |name: &str| {
        let text = get(name);
        parse_hours_text(&text).with_context(|| format!("{name} '{text}' is not a number"))
    };
    Ok(PriorCredit {
        kind,
        member_id: get("member_id"),
        institution: get("institution"),
        program: get("program"),
        course_id: get("course_id"),
        course: get("course"),
        credential: get("credential"),
        completed_on,
        unit,
        hours: amount("hours")?,
        ceus_awarded: amount("ceus_awarded")?,
    })
}

fn read_jsonl(path: &Path) -> Result<Vec<PriorCredit>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --prior file {shown}: check the path"))?;
    let mut credits = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
            .with_context(|| format!("--prior file {shown}, line {}: not a JSON object", i + 1))?;
        let missing: Vec<&str> = CREDIT_COLUMNS
            .iter()
            .copied()
            .filter(|c| !object.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            bail!(
                "--prior file {shown}, line {} lacks the credits keys {}",
                i + 1,
                missing.join(", ")
            );
        }
        let get = |name: &str| match &object[name] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        credits.push(
            parse_credit(&get).with_context(|| format!("--prior file {shown}, line {}", i + 1))?,
        );
    }
    Ok(credits)
}
