//! The end-of-run report: lines for stderr, and `report.html` for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Code, Credit, Hundredths, Rejection};

/// What the run saw and did, beyond the output rows.
#[derive(Debug, Default)]
pub struct RunReport {
    pub rows_read: usize,
    pub credited: usize,
    pub rejected: usize,
    pub roster_members: usize,
    pub ceus_awarded: Hundredths,
    pub by_code: BTreeMap<&'static str, usize>,
    pub files_read: usize,
    pub skipped_entries: Vec<String>,
    pub skipped_sheets: usize,
    /// Files decoded from something other than UTF-8, with the encoding.
    pub decoded: Vec<(String, &'static str)>,
    pub without_data_rows: Vec<String>,
    /// Roster credential tokens that count toward no requirement.
    pub uncounted_credentials: BTreeMap<String, usize>,
    pub file_errors: usize,
    pub outputs: Vec<String>,
    /// Per code, the most frequent reason (the message without its place) and how often.
    pub top_reasons: BTreeMap<&'static str, (String, usize)>,
    /// Files with the most rejections, most first.
    pub worst_files: Vec<(String, usize)>,
}

impl RunReport {
    pub fn tally(&mut self, credits: &[Credit], rejections: &[Rejection]) {
        self.credited = credits.len();
        self.rejected = rejections.len();
        self.rows_read = self.credited + self.rejected;
        self.ceus_awarded = credits.iter().map(|c| c.ceus_awarded).sum();
        let mut reasons: BTreeMap<(&'static str, &str), usize> = BTreeMap::new();
        let mut files: BTreeMap<&str, usize> = BTreeMap::new();
        for r in rejections {
            *self.by_code.entry(r.code.as_str()).or_default() += 1;
            let place = r.at.describe();
            let reason = r
                .message
                .strip_prefix(place.as_str())
                .and_then(|m| m.strip_prefix(": "))
                .unwrap_or(&r.message);
            *reasons.entry((r.code.as_str(), reason)).or_default() += 1;
            *files.entry(&r.at.source_file).or_default() += 1;
        }
        for ((code, reason), n) in reasons {
            let best = self
                .top_reasons
                .entry(code)
                .or_insert_with(|| (reason.to_string(), n));
            if n > best.1 {
                *best = (reason.to_string(), n);
            }
        }
        let mut worst: Vec<(String, usize)> =
            files.into_iter().map(|(f, n)| (f.to_string(), n)).collect();
        worst.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        worst.truncate(5);
        self.worst_files = worst;
        self.file_errors = self
            .by_code
            .get(Code::FileError.as_str())
            .copied()
            .unwrap_or(0);
    }

    /// The lines written to stderr at the end of the run; the first two are the contract.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "rows read: {} = credited {} + rejected {}",
                self.rows_read, self.credited, self.rejected
            ),
            format!("roster members: {}", self.roster_members),
            format!("CEUs awarded: {}", self.ceus_awarded),
            format!("files read: {}", self.files_read),
        ];
        if !self.by_code.is_empty() {
            let mut codes: Vec<(&&str, &usize)> = self.by_code.iter().collect();
            codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            lines.push("rejected by code:".to_string());
            for (code, n) in codes {
                let reason = self
                    .top_reasons
                    .get(*code)
                    .map(|(r, k)| match k {
                        1 => format!(" (e.g. {})", shorten_text(r, 100)),
                        k => format!(" (most often, {k} times: {})", shorten_text(r, 100)),
                    })
                    .unwrap_or_default();
                lines.push(format!("  {code} {n}{reason}"));
            }
            let files: Vec<String> = self
                .worst_files
                .iter()
                .map(|(f, n)| format!("{f} ({n})"))
                .collect();
            lines.push(format!("most rejections in: {}", files.join(", ")));
        }
        if !self.skipped_entries.is_empty() {
            lines.push(format!(
                "skipped {} entries (hidden, lock files or other extensions): {}",
                self.skipped_entries.len(),
                shorten(&self.skipped_entries)
            ));
        }
        if self.skipped_sheets > 0 {
            lines.push(format!(
                "skipped {} sheets (charts, dialogs, macros, or names beginning with _)",
                self.skipped_sheets
            ));
        }
        for (file, encoding) in &self.decoded {
            lines.push(format!("decoded as {encoding}: {file}"));
        }
        if !self.without_data_rows.is_empty() {
            lines.push(format!(
                "no data rows in: {}",
                shorten(&self.without_data_rows)
            ));
        }
        if !self.uncounted_credentials.is_empty() {
            let parts: Vec<String> = self
                .uncounted_credentials
                .iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect();
            lines.push(format!(
                "roster credentials not counted toward a requirement: {}",
                parts.join(", ")
            ));
        }
        if self.file_errors > 0 {
            lines.push(format!(
                "{} files or sheets could not be read: see FILE_ERROR in rejections",
                self.file_errors
            ));
        }
        if !self.outputs.is_empty() {
            lines.push(format!("outputs: {}", self.outputs.join(", ")));
        }
        lines
    }

    /// A self-contained page: totals and rejections by code.
    pub fn html(&self) -> String {
        let mut page = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ceu run report</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:2rem;color:#222}\ntable{border-collapse:collapse}\ntd,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}\nth{background:#f3f3f3}\ntd.n{text-align:right}\n</style>\n</head>\n<body>\n<h1>ceu run report</h1>\n",
        );
        page.push_str("<h2>Totals</h2>\n<table>\n");
        for (name, value) in [
            ("Rows read", self.rows_read.to_string()),
            ("Credited", self.credited.to_string()),
            ("Rejected", self.rejected.to_string()),
            ("Roster members", self.roster_members.to_string()),
            ("CEUs awarded", self.ceus_awarded.to_string()),
            ("Files read", self.files_read.to_string()),
        ] {
            let _ = writeln!(page, "<tr><th>{name}</th><td class=\"n\">{value}</td></tr>");
        }
        page.push_str("</table>\n<h2>Rejections by code</h2>\n");
        if self.by_code.is_empty() {
            page.push_str("<p>No rejections.</p>\n");
        } else {
            page.push_str("<table>\n<tr><th>Code</th><th>Rows</th></tr>\n");
            for (code, n) in &self.by_code {
                let _ = writeln!(
                    page,
                    "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
                    escape(code)
                );
            }
            page.push_str("</table>\n");
        }
        page.push_str("</body>\n</html>\n");
        page
    }
}

fn shorten_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

fn shorten(items: &[String]) -> String {
    let mut shown = items
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 10 {
        let _ = write!(shown, " and {} more", items.len() - 10);
    }
    shown
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
