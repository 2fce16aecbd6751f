//! The end-of-run report: lines for stderr, and `report.html` for people.

use std::collections::BTreeMap;

use foldhash::HashMap;

use rayon::prelude::*;
use std::fmt::Write as _;

use crate::model::{Code, Credit, Hundredths, InOrder, Reason, Rejection};
use crate::rules::summary::SummaryRow;

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
    /// `FILE_ERROR` rows: files and sheets not read (counted with the batch,
    /// before `tally`; the exit status rests on it).
    pub file_errors: usize,
    pub outputs: Vec<String>,
    /// Per code, the most frequent reason (the message without its place) and how often.
    pub top_reasons: BTreeMap<&'static str, (String, usize)>,
    /// Files with the most rejections, most first.
    pub worst_files: Vec<(String, usize)>,
}

/// Reasons as text are counted in this many maps, by a hash of the code
/// and text, so that the parts' counts are merged map by map on every thread.
const TEXT_SHARDS: usize = 64;

/// Rejections counted by code and reason, and by file.
struct Counts<'a> {
    /// A year's cap reached: few distinct reasons, most of the rejections,
    /// counted in a map of their own that stays in the cache.
    caps: HashMap<(Code, &'a Reason), usize>,
    /// Reasons as text, which may each be distinct (a duplicate names the
    /// row it repeats), in `TEXT_SHARDS` maps.
    texts: Vec<TextCounts<'a>>,
    /// By source (one per sheet or CSV file): hashing a path for each of
    /// millions of rejections cost more than the count.
    files: HashMap<u32, (&'a str, usize)>,
}

impl Default for Counts<'_> {
    fn default() -> Self {
        Counts {
            caps: HashMap::default(),
            texts: vec![TextCounts::default(); TEXT_SHARDS],
            files: HashMap::default(),
        }
    }
}

/// Per code: how many rejections, and the most frequent reason with its count.
type CodeTally<'a> = HashMap<Code, (usize, std::borrow::Cow<'a, str>, usize)>;

impl<'a> Counts<'a> {
    fn add(&mut self, r: &'a Rejection) {
        match &r.reason {
            Reason::CapReached { .. } => *self.caps.entry((r.code, &r.reason)).or_default() += 1,
            Reason::Text(text) => {
                let reason = TextReason {
                    hash: text_hash(r.code, text),
                    code: r.code,
                    reason: &r.reason,
                };
                self.texts[reason.shard()].add(reason, 1);
            }
        }
        let place = r.at.source.place();
        self.files
            .entry(place)
            .or_insert_with(|| (r.at.source_file(), 0))
            .1 += 1;
    }
}

/// A code and its reason's text hashed the same way in every part (a map's
/// own hasher is seeded anew for each map).
fn text_hash(code: Code, text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one((code, text))
}

/// A hash's shard, taken from its middle bits: its low bits place it in
/// its shard's table, and its top bits tag it there.
fn shard_of(hash: u64) -> usize {
    ((hash >> 32) % TEXT_SHARDS as u64) as usize
}

/// A reason as text, with its code and their hash, made once: the parts'
/// counts are merged by the hash, without reading again texts spread over
/// memory (that reading was most of the counting's time).
#[derive(Clone, Copy)]
struct TextReason<'a> {
    hash: u64,
    code: Code,
    reason: &'a Reason,
}

impl TextReason<'_> {
    fn shard(&self) -> usize {
        shard_of(self.hash)
    }

    fn is(&self, other: &TextReason<'_>) -> bool {
        self.hash == other.hash && self.code == other.code && self.reason == other.reason
    }
}

/// Counts of reasons as text, in a table given each one's hash.
#[derive(Clone, Default)]
struct TextCounts<'a>(hashbrown::HashTable<(TextReason<'a>, usize)>);

impl<'a> TextCounts<'a> {
    fn add(&mut self, reason: TextReason<'a>, n: usize) {
        match self.0.find_mut(reason.hash, |(kept, _)| kept.is(&reason)) {
            Some((_, count)) => *count += n,
            None => {
                self.0
                    .insert_unique(reason.hash, (reason, n), |(kept, _)| kept.hash);
            }
        }
    }
}

/// Adds `total` rejections of `code` to its tally, and `reason`, seen
/// `count` times among them, as the code's most frequent reason if it is
/// (of equally frequent ones, the first in text order).
fn tally_reason<'a>(
    by_code: &mut CodeTally<'a>,
    code: Code,
    reason: std::borrow::Cow<'a, str>,
    total: usize,
    count: usize,
) {
    match by_code.entry(code) {
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert((total, reason, count));
        }
        std::collections::hash_map::Entry::Occupied(mut e) => {
            let (code_total, best, best_count) = e.get_mut();
            *code_total += total;
            if count > *best_count || (count == *best_count && reason < *best) {
                (*best, *best_count) = (reason, count);
            }
        }
    }
}

impl RunReport {
    pub fn tally(&mut self, credits: &InOrder<Credit>, rejections: &InOrder<Rejection>) {
        self.credited = credits.len();
        self.rejected = rejections.len();
        self.rows_read = self.credited + self.rejected;
        self.ceus_awarded = credits
            .parts()
            .par_iter()
            .map(|part| part.iter().map(|c| c.ceus_awarded).sum::<Hundredths>())
            .sum();
        // Each part counted on one thread; then each shard of reasons merged
        // across the parts, shards on all threads (merged on one thread, the
        // reasons of a 10M-row batch took 0.15 s).
        let parts: Vec<Counts> = rejections
            .parts()
            .par_iter()
            .map(|part| {
                let mut counts = Counts::default();
                for r in part {
                    counts.add(r);
                }
                counts
            })
            .collect();
        let shard_tallies: Vec<CodeTally> = (0..TEXT_SHARDS)
            .into_par_iter()
            .map(|shard| {
                let mut reasons = TextCounts::default();
                reasons.0.reserve(
                    parts.iter().map(|p| p.texts[shard].0.len()).sum(),
                    |(kept, _)| kept.hash,
                );
                for part in &parts {
                    for &(reason, n) in part.texts[shard].0.iter() {
                        reasons.add(reason, n);
                    }
                }
                let mut by_code = CodeTally::default();
                for (key, n) in reasons.0 {
                    tally_reason(&mut by_code, key.code, key.reason.text(), n, n);
                }
                by_code
            })
            .collect();
        let mut caps: HashMap<(Code, &Reason), usize> = HashMap::default();
        let mut files: HashMap<u32, (&str, usize)> = HashMap::default();
        for part in &parts {
            for (&key, &n) in &part.caps {
                *caps.entry(key).or_default() += n;
            }
            for (&place, &(file, n)) in &part.files {
                files.entry(place).or_insert((file, 0)).1 += n;
            }
        }
        let mut by_code = CodeTally::default();
        for ((code, reason), n) in caps {
            tally_reason(&mut by_code, code, reason.text(), n, n);
        }
        // A reason falls in one shard only, so each shard's best is a reason's whole count.
        for shard in shard_tallies {
            for (code, (total, best, n)) in shard {
                tally_reason(&mut by_code, code, best, total, n);
            }
        }
        for (code, (total, best, n)) in by_code {
            *self.by_code.entry(code.as_str()).or_default() += total;
            self.top_reasons
                .insert(code.as_str(), (best.into_owned(), n));
        }
        let mut by_file: HashMap<&str, usize> = HashMap::default();
        for (file, n) in files.into_values() {
            *by_file.entry(file).or_default() += n;
        }
        let mut worst: Vec<(String, usize)> = by_file
            .into_iter()
            .map(|(f, n)| (f.to_string(), n))
            .collect();
        worst.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        worst.truncate(5);
        self.worst_files = worst;
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

    /// `report.html`, in pieces to be written one after another: one
    /// self-contained page (no scripts, no network) with the totals, a bar
    /// chart of rejections by code, each member's CEUs against the
    /// requirement, and the rejections with their place.
    ///
    /// A national batch's table of members is tens of megabytes, made in
    /// parallel blocks that are written as they are, not first copied into
    /// one page (growing a page of 50 MB took 0.3 CPU s on the 10M-row batch).
    pub fn html(&self, summary: &[SummaryRow], rejections: &InOrder<Rejection>) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut page = String::from(concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width\">\n<title>ceu run report</title>\n<style>\n",
            "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:70rem;color:#1f2933;padding:0 1rem}\n",
            "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}\n",
            ".cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#f0f4f8;border-radius:.5rem;padding:.8rem 1.2rem;min-width:8rem}\n",
            ".card b{display:block;font-size:1.5rem}.card span{color:#52606d;font-size:.85rem}\n",
            "table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #e4e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}\n",
            "th{background:#f5f7fa}.n{text-align:right;white-space:nowrap}td{overflow-wrap:anywhere}\n",
            ".bar{background:#e4e7eb;border-radius:.2rem;height:.9rem;min-width:10rem}.bar i{display:block;height:100%;border-radius:.2rem;background:#3e7cb1}\n",
            ".bar i.done{background:#3f9142}.code{font-family:ui-monospace,monospace;font-size:.85rem}\n",
            "</style>\n</head>\n<body>\n<h1>ceu run report</h1>\n",
        ));
        page.push_str("<div class=\"cards\">\n");
        for (name, value) in [
            ("rows read", self.rows_read.to_string()),
            ("credited", self.credited.to_string()),
            ("rejected", self.rejected.to_string()),
            ("CEUs awarded", self.ceus_awarded.to_string()),
            ("members in the roster", self.roster_members.to_string()),
            ("files read", self.files_read.to_string()),
        ] {
            let _ = writeln!(
                page,
                "<div class=\"card\"><b>{value}</b><span>{name}</span></div>"
            );
        }
        page.push_str("</div>\n<h2>Rejections by code</h2>\n");
        if self.by_code.is_empty() {
            page.push_str("<p>No rejections.</p>\n");
        } else {
            let mut codes: Vec<(&&str, &usize)> = self.by_code.iter().collect();
            codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let most = *codes[0].1 as f64;
            let bar_height = 22;
            let height = codes.len() * bar_height + 10;
            let _ = writeln!(
                page,
                "<svg role=\"img\" aria-label=\"rejections by code\" width=\"100%\" viewBox=\"0 0 900 {height}\" font-size=\"13\" font-family=\"ui-monospace,monospace\">"
            );
            for (i, (code, n)) in codes.iter().enumerate() {
                let y = i * bar_height + 5;
                let width = (**n as f64 / most * 560.0).max(2.0);
                let _ = writeln!(
                    page,
                    "<text x=\"240\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"250\" y=\"{y}\" width=\"{width:.1}\" height=\"16\" rx=\"3\" fill=\"#c65d21\"/><text x=\"{:.1}\" y=\"{}\">{n}</text>",
                    y + 13,
                    escape(code),
                    250.0 + width + 6.0,
                    y + 13
                );
            }
            page.push_str("</svg>\n");
        }
        page.push_str("<h2>CEUs per member</h2>\n");
        if summary.is_empty() {
            page.push_str("<p>No member rows.</p>\n");
        } else {
            page.push_str("<table>\n<tr><th>member</th><th>name</th><th class=\"n\">transcript</th><th class=\"n\">instructor</th><th class=\"n\">total</th><th class=\"n\">required</th><th>progress</th></tr>\n");
            // A national batch has hundreds of thousands of members: their
            // rows are made in parallel blocks, each a piece of the page.
            let blocks: Vec<String> = summary
                .par_chunks(4096)
                .map(|members| {
                    let mut block = String::new();
                    members.iter().for_each(|m| member_row(&mut block, m));
                    block
                })
                .collect();
            pieces.push(std::mem::take(&mut page));
            pieces.extend(blocks);
            page.push_str("</table>\n");
        }
        page.push_str("<h2>Rejections</h2>\n");
        if rejections.is_empty() {
            page.push_str("<p>No rejections.</p>\n");
        } else {
            const SHOWN: usize = 2000;
            page.push_str("<table>\n<tr><th>file</th><th>sheet</th><th class=\"n\">row</th><th>member</th><th>code</th><th>reason</th></tr>\n");
            for r in rejections.iter().take(SHOWN) {
                let _ = writeln!(
                    page,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"code\">{}</td><td>{}</td></tr>",
                    escape(r.at.source_file()),
                    escape(r.at.sheet().unwrap_or("")),
                    r.at.row().map(|n| n.to_string()).unwrap_or_default(),
                    escape(&r.member_id),
                    r.code.as_str(),
                    escape(&r.reason.to_string())
                );
            }
            page.push_str("</table>\n");
            if rejections.len() > SHOWN {
                let _ = writeln!(
                    page,
                    "<p>The first {SHOWN} of {} rejections; all of them are in the rejections file.</p>",
                    rejections.len()
                );
            }
        }
        page.push_str("</body>\n</html>\n");
        pieces.push(page);
        pieces
    }
}

/// A rejection's message without its place (file, sheet, row), which has columns of its own.
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

fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;"),
    )
}

/// One member's row of the page's CEUs table.
fn member_row(page: &mut String, m: &SummaryRow) {
    let (required, bar) = match m.ceus_required {
        Some(need) if need.0 > 0 => {
            let share = (m.total_ceus.0 as f64 / need.0 as f64).min(1.0);
            let class = if share >= 1.0 { " class=\"done\"" } else { "" };
            (
                need.to_string(),
                format!(
                    "<div class=\"bar\"><i{class} style=\"width:{:.0}%\"></i></div>",
                    share * 100.0
                ),
            )
        }
        _ => (String::new(), String::new()),
    };
    let _ = writeln!(
        page,
        "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{required}</td><td>{bar}</td></tr>",
        escape(&m.member_id),
        escape(&m.member_name),
        m.transcript_ceus,
        m.instructor_ceus,
        m.total_ceus
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, RowRef, Text};

    fn rejection(file: &str, row: u32, code: Code, reason: Reason) -> Rejection {
        Rejection {
            at: RowRef::in_file(file, (0, 0, row)),
            kind: Some(Kind::Transcript),
            member_id: Text::from("42"),
            code,
            reason,
        }
    }

    /// The report's counts of rejections made in these parts, and no credits.
    fn tallied(parts: Vec<Vec<Rejection>>) -> RunReport {
        let rejections = InOrder::new(parts, |r| &r.at);
        let credits = InOrder::new(Vec::<Vec<Credit>>::new(), |c| &c.at);
        let mut report = RunReport::default();
        report.tally(&credits, &rejections);
        report
    }

    #[test]
    fn the_most_frequent_reason_of_each_code_and_the_files_with_most_rejections() {
        let cap =
            |not_awarded| Reason::cap_reached(2025, Hundredths(4000), Hundredths(not_awarded));
        let text = |t: &str| Reason::from(t);
        // Counted across parts: the same reasons in different parts are merged by their text.
        let parts = vec![
            vec![
                rejection("a.csv", 2, Code::AnnualCapReached, cap(1000)),
                rejection("a.csv", 3, Code::AnnualCapReached, cap(500)),
                rejection(
                    "a.csv",
                    4,
                    Code::NotPassed,
                    text("grade 'F' is not a passing grade"),
                ),
                rejection("a.csv", 5, Code::DuplicateCourse, text("course 'B' again")),
            ],
            vec![
                rejection("b.csv", 2, Code::AnnualCapReached, cap(500)),
                rejection(
                    "b.csv",
                    3,
                    Code::NotPassed,
                    text("grade 'F' is not a passing grade"),
                ),
                rejection(
                    "b.csv",
                    4,
                    Code::NotPassed,
                    text("grade 'D' is not a passing grade"),
                ),
                rejection("b.csv", 5, Code::DuplicateCourse, text("course 'A' again")),
            ],
            vec![],
        ];
        let report = tallied(parts);
        assert_eq!(report.rejected, 8);
        assert_eq!(report.by_code["ANNUAL_CAP_REACHED"], 3);
        assert_eq!(report.by_code["NOT_PASSED"], 3);
        assert_eq!(report.by_code["DUPLICATE_COURSE"], 2);
        let top = |code: &str| report.top_reasons[code].clone();
        assert_eq!(
            top("ANNUAL_CAP_REACHED"),
            (
                "the 2025 cap of 40.00 CEUs is already reached; 5.00 CEUs not awarded".to_string(),
                2
            )
        );
        // A code's reasons in two shards: their counts add up.
        let shard = |code, text| shard_of(text_hash(code, text));
        assert_ne!(
            shard(Code::NotPassed, "grade 'F' is not a passing grade"),
            shard(Code::NotPassed, "grade 'D' is not a passing grade")
        );
        assert_eq!(
            top("NOT_PASSED"),
            ("grade 'F' is not a passing grade".to_string(), 2)
        );
        // Equally frequent: the first in text order, here from two shards.
        assert_ne!(
            shard(Code::DuplicateCourse, "course 'A' again"),
            shard(Code::DuplicateCourse, "course 'B' again")
        );
        assert_eq!(top("DUPLICATE_COURSE"), ("course 'A' again".to_string(), 1));
        assert_eq!(
            report.worst_files,
            vec![("a.csv".to_string(), 4), ("b.csv".to_string(), 4)]
        );
    }

    #[test]
    fn reasons_of_one_hash_are_counted_apart() {
        let (f, d) = (Reason::from("grade 'F'"), Reason::from("grade 'D'"));
        let reason = |code, reason| TextReason {
            hash: 7,
            code,
            reason,
        };
        let mut counts = TextCounts::default();
        counts.add(reason(Code::NotPassed, &f), 1);
        counts.add(reason(Code::NotPassed, &d), 2);
        counts.add(reason(Code::DuplicateCourse, &f), 4);
        counts.add(reason(Code::NotPassed, &f), 8);
        let mut seen: Vec<(Code, String, usize)> = counts
            .0
            .into_iter()
            .map(|(r, n)| (r.code, r.reason.to_string(), n))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            vec![
                (Code::NotPassed, "grade 'D'".to_string(), 2),
                (Code::NotPassed, "grade 'F'".to_string(), 9),
                (Code::DuplicateCourse, "grade 'F'".to_string(), 4),
            ]
        );
    }

    #[test]
    fn many_reasons_in_one_part_are_found_again_as_their_tables_grow() {
        // 600 distinct reasons, each twice, one after the other: the tables grow while they fill.
        let text = |n: usize| Reason::from(format!("course '{n}' again").as_str());
        // One table, as a part's shard holds them: a reason placed by a wrong
        // hash as the table grows is not found again and is kept twice.
        let reasons: Vec<Reason> = (0..600).map(text).collect();
        let mut counts = TextCounts::default();
        for reason in reasons.iter().chain(&reasons) {
            let Reason::Text(t) = reason else {
                unreachable!()
            };
            let hash = text_hash(Code::DuplicateCourse, t);
            counts.add(
                TextReason {
                    hash,
                    code: Code::DuplicateCourse,
                    reason,
                },
                1,
            );
        }
        assert_eq!(counts.0.len(), 600);
        assert!(counts.0.iter().all(|&(_, n)| n == 2));
        let rows: Vec<Rejection> = (0..1200)
            .map(|i| rejection("a.csv", i as u32 + 2, Code::DuplicateCourse, text(i % 600)))
            .collect();
        let last = vec![rejection("a.csv", 1202, Code::DuplicateCourse, text(599))];
        let report = tallied(vec![rows, last]);
        assert_eq!(report.by_code["DUPLICATE_COURSE"], 1201);
        assert_eq!(
            report.top_reasons["DUPLICATE_COURSE"],
            ("course '599' again".to_string(), 3)
        );
    }

    #[test]
    fn reasons_spread_over_every_shard_add_up_per_code() {
        // 100 reasons for one code cannot all lie in shards of their own.
        let text = |n: usize| Reason::from(format!("course '{n}' again").as_str());
        let once: Vec<Rejection> = (0..100)
            .map(|n| rejection("a.csv", n as u32 + 2, Code::DuplicateCourse, text(n)))
            .collect();
        let again = vec![
            rejection("b.csv", 2, Code::DuplicateCourse, text(57)),
            rejection("b.csv", 3, Code::DuplicateCourse, text(57)),
        ];
        let report = tallied(vec![once, again]);
        assert_eq!(report.by_code["DUPLICATE_COURSE"], 102);
        assert_eq!(
            report.top_reasons["DUPLICATE_COURSE"],
            ("course '57' again".to_string(), 3)
        );
    }

    #[test]
    fn a_codes_best_reason_does_not_hang_on_the_order_reasons_come_in() {
        let tally = |reasons: &[(&'static str, usize)]| {
            let mut by_code = CodeTally::default();
            for &(reason, count) in reasons {
                tally_reason(&mut by_code, Code::NotPassed, reason.into(), count, count);
            }
            by_code.remove(&Code::NotPassed).unwrap()
        };
        let (a, b, c) = (("grade 'A'", 2), ("grade 'B'", 2), ("grade 'C'", 1));
        for order in [[a, b, c], [b, a, c], [c, b, a]] {
            let (total, best, count) = tally(&order);
            assert_eq!((total, best.as_ref(), count), (5, "grade 'A'", 2));
        }
    }

    #[test]
    fn the_page_is_the_same_whatever_the_threads() {
        // More members than one block of the members' table.
        let summary: Vec<SummaryRow> = (0..10_000)
            .map(|n| SummaryRow {
                member_id: format!("{n:07}"),
                member_name: format!("Member <{n}>"),
                transcript_ceus: Hundredths(n),
                instructor_ceus: Hundredths(0),
                total_ceus: Hundredths(n),
                credentials_held: String::new(),
                ceus_required: None,
                ceus_remaining: None,
            })
            .collect();
        let rejections = InOrder::new(Vec::<Vec<Rejection>>::new(), |r| &r.at);
        let page = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| RunReport::default().html(&summary, &rejections))
                .concat()
        };
        let one = page(1);
        assert_eq!(page(3), one);
        let rows: Vec<&str> = one.lines().filter(|l| l.starts_with("<tr><td>")).collect();
        assert_eq!(rows.len(), 10_000);
        assert!(rows[0].starts_with("<tr><td>0000000</td><td>Member &lt;0&gt;</td>"));
        assert!(rows[9_999].starts_with("<tr><td>0009999</td>"));
        assert!(one.ends_with("</body>\n</html>\n"));
        // The page's head, then the members' rows inside their table.
        assert!(one.starts_with("<!DOCTYPE html>\n"));
        assert!(one.contains("progress</th></tr>\n<tr><td>0000000</td>"));
        let last_row_ends_table = one
            .split_once("<tr><td>0009999</td>")
            .and_then(|(_, rest)| rest.split_once("</tr>\n"))
            .is_some_and(|(_, after)| after.starts_with("</table>\n<h2>Rejections</h2>"));
        assert!(last_row_ends_table);
    }
}
