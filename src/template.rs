//! `ceu template`: an empty workbook with the right header for one record
//! kind, drop-down lists where the rules take a fixed set of words, and a
//! `_help` sheet (skipped when the filled template is read) that explains
//! each column.

use std::path::Path;

use anyhow::{Context, Result};
use rust_xlsxwriter::{DataValidation, DocProperties, ExcelDateTime, Format, Workbook};

use crate::rules::ruleset::RuleSet;

/// The record kinds a template can be made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateKind {
    Transcript,
    Instructor,
    Roster,
}

/// A column: its header, whether it must be filled, and what goes in it.
struct Column {
    name: &'static str,
    required: bool,
    help: &'static str,
}

const fn col(name: &'static str, required: bool, help: &'static str) -> Column {
    Column {
        name,
        required,
        help,
    }
}

fn columns(kind: TemplateKind) -> Vec<Column> {
    match kind {
        TemplateKind::Transcript => vec![
            col("member_id", true, "The member's AAPC id, as on the membership card."),
            col("member_name", false, "The member's name, for people reading the outputs."),
            col("institution", true, "The school that issued the transcript."),
            col("program", true, "The diploma or degree program the course belongs to."),
            col("program_area", true, "The program's classification; pick from the list."),
            col("course_id", true, "The course number; give this or course_title (or both)."),
            col("course_title", true, "The course title; give this or course_id (or both)."),
            col("completed_on", true, "The date the course was completed, e.g. 2025-05-02."),
            col("clock_hours", true, "Clock hours, for clock-hour programs; leave blank when credit hours are given."),
            col("credit_hours", true, "Credit hours, for credit-hour programs; leave blank when clock hours are given."),
            col("grade", false, "The grade; blank counts as passed. W, F, I, IP, AU and the like earn nothing."),
            col("certified_on", false, "The member's first certification date; used only when the member is not in the roster."),
        ],
        TemplateKind::Instructor => vec![
            col("member_id", true, "The instructor's AAPC id."),
            col("instructor_name", false, "The instructor's name."),
            col("college", true, "The college the claim is filed under."),
            col("course_title", true, "The title of the course taught."),
            col("credential", true, "The core credential the course is specific to; pick from the list."),
            col("delivery", true, "How the course was taught; only face-to-face teaching earns CEUs."),
            col("start_date", true, "The first day of the course, e.g. 2025-01-13."),
            col("finish_date", true, "The last day of the course, e.g. 2025-05-02."),
            col("contact_hours", true, "Hours of face-to-face instruction."),
            col("approval_id", true, "The prior approval reference."),
            col("syllabus", true, "The syllabus document's reference."),
            col("curriculum_titles", true, "The titles of all curriculum used, separated by ';'."),
            col("certified_on", false, "The instructor's first certification date; used only when not in the roster."),
        ],
        TemplateKind::Roster => vec![
            col("member_id", true, "The member's AAPC id."),
            col("member_name", false, "The member's name."),
            col("certified_on", true, "The date of the member's first certification."),
            col("renewal_due", false, "The last day of the current two-year renewal period."),
            col("credentials", false, "The credentials held, separated by ';', e.g. CPC; CRC."),
            col("ceus_required", false, "The CEUs required this period, when it differs from the usual table (e.g. pro-rated)."),
        ],
    }
}

/// The drop-down list for a column, from the rule set in force.
fn choices(name: &str, rules: &RuleSet) -> Option<Vec<String>> {
    match name {
        "program_area" => Some(rules.program_areas.clone()),
        "delivery" => Some(rules.delivery_words.clone()),
        "credential" => Some(rules.core_credentials.clone()),
        _ => None,
    }
}

/// Writes the template: a workbook, or a header-only CSV when `out` ends in `.csv`.
pub fn write_template(kind: TemplateKind, out: &Path, rules: &RuleSet) -> Result<()> {
    let columns = columns(kind);
    let is_csv = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let bytes = if is_csv {
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        format!("{}\n", names.join(",")).into_bytes()
    } else {
        workbook(kind, &columns, rules)?
    };
    std::fs::write(out, bytes)
        .with_context(|| format!("cannot write {}: check the path", out.display()))
}

fn workbook(kind: TemplateKind, columns: &[Column], rules: &RuleSet) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name(match kind {
        TemplateKind::Transcript => "Transcript lines",
        TemplateKind::Instructor => "Instructor courses",
        TemplateKind::Roster => "Roster",
    })?;
    const LAST_ROW: u32 = 5000;
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, column.name, &bold)?;
        sheet.set_column_width(c, (column.name.len() as f64 + 4.0).max(14.0))?;
        // Ids keep their leading zeros as text; date columns are real dates.
        if column.name == "member_id" {
            sheet.set_column_format(c, &text)?;
        } else if column.name.ends_with("_on")
            || column.name.ends_with("_date")
            || column.name == "renewal_due"
        {
            sheet.set_column_format(c, &date)?;
        }
        let mut validation = DataValidation::new().set_input_message(column.help)?;
        if let Some(list) = choices(column.name, rules) {
            validation = validation.allow_list_strings(&list)?;
        }
        sheet.add_data_validation(1, c, LAST_ROW, c, &validation)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let help = book.add_worksheet();
    help.set_name("_help")?;
    for (c, head) in ["column", "required", "what to write"].iter().enumerate() {
        help.write_string_with_format(0, c as u16, *head, &bold)?;
    }
    for (r, column) in columns.iter().enumerate() {
        let r = r as u32 + 1;
        help.write_string(r, 0, column.name)?;
        help.write_string(r, 1, if column.required { "yes" } else { "no" })?;
        help.write_string(r, 2, column.help)?;
    }
    let note = columns.len() as u32 + 2;
    help.write_string(
        note,
        0,
        "Sheets whose name begins with _ (like this one) are skipped by ceu.",
    )?;
    help.set_column_width(0, 20)?;
    help.set_column_width(2, 90)?;
    Ok(book.save_to_buffer()?)
}
