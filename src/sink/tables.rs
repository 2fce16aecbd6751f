//! The four output tables, column by column as SPEC.md section 5 lists them.

use crate::model::{Credit, InOrder, Rejection};
use crate::rules::claims::ClaimRow;
use crate::rules::summary::SummaryRow;
use crate::sink::{Cells, Rows, Table, Value};

pub const CREDIT_COLUMNS: &[&str] = &[
    "source_file",
    "sheet",
    "row",
    "kind",
    "member_id",
    "member_name",
    "institution",
    "program",
    "course_id",
    "course",
    "credential",
    "completed_on",
    "unit",
    "hours",
    "ceus_computed",
    "ceus_awarded",
    "capped",
    "cap_group",
];

const REJECTION_COLUMNS: &[&str] = &[
    "source_file",
    "sheet",
    "row",
    "kind",
    "member_id",
    "code",
    "message",
];

const SUMMARY_COLUMNS: &[&str] = &[
    "member_id",
    "member_name",
    "transcript_ceus",
    "instructor_ceus",
    "total_ceus",
    "credentials_held",
    "ceus_required",
    "ceus_remaining",
];

const CLAIM_COLUMNS: &[&str] = &[
    "college",
    "member_id",
    "instructor_name",
    "credential",
    "ceus_awarded",
    "courses",
    "approval_ids",
    "syllabus_refs",
    "curriculum_titles",
];

fn text(s: &str) -> Value<'_> {
    Value::Text(s.into())
}

/// The `source_file`, `sheet` and `row` columns that credits and
/// rejections begin with, the source looked up once.
fn put_place<'a>(at: &crate::model::RowRef, cells: &mut impl Cells<'a>) {
    let source = at.source();
    cells.put(text(&source.file));
    cells.put(text(source.sheet.as_deref().unwrap_or("")));
    cells.put(Value::Row(at.row()));
}

pub fn credits(credits: &InOrder<Credit>) -> Table<'_> {
    Table::new(
        "credits",
        CREDIT_COLUMNS,
        credits.len(),
        CreditRows(credits),
    )
}

struct CreditRows<'c>(&'c InOrder<Credit>);

impl<'c> Rows<'c> for CreditRows<'c> {
    fn row(&self, i: usize, cells: &mut impl Cells<'c>) {
        let c = self.0.get(i);
        put_place(&c.at, cells);
        cells.put(text(c.kind.as_str()));
        cells.put(text(&c.member_id));
        cells.put(text(&c.member_name));
        cells.put(text(&c.institution));
        cells.put(text(&c.program));
        cells.put(text(&c.course_id));
        cells.put(text(&c.course));
        cells.put(text(&c.credential));
        cells.put(Value::Date(c.completed_on));
        cells.put(text(c.unit.as_str()));
        cells.put(Value::Amount(Some(c.hours)));
        cells.put(Value::Amount(Some(c.ceus_computed)));
        cells.put(Value::Amount(Some(c.ceus_awarded)));
        cells.put(Value::Bool(c.capped));
        cells.put(text(&c.cap_group));
    }

    fn fetch(&self, rows: std::ops::Range<usize>) {
        self.0.fetch(rows, |c| {
            c.at.order.2 as usize ^ c.member_id.len() ^ c.member_name.len() ^ c.cap_group.len()
        })
    }
}

pub fn rejections(rejections: &InOrder<Rejection>) -> Table<'_> {
    Table::new(
        "rejections",
        REJECTION_COLUMNS,
        rejections.len(),
        RejectionRows(rejections),
    )
}

struct RejectionRows<'r>(&'r InOrder<Rejection>);

impl<'r> Rows<'r> for RejectionRows<'r> {
    fn row(&self, i: usize, cells: &mut impl Cells<'r>) {
        let r = self.0.get(i);
        put_place(&r.at, cells);
        cells.put(text(r.kind.map_or("", |k| k.as_str())));
        cells.put(text(&r.member_id));
        cells.put(text(r.code.as_str()));
        cells.put(Value::Message(r));
    }

    fn fetch(&self, rows: std::ops::Range<usize>) {
        self.0
            .fetch(rows, |r| r.at.order.2 as usize ^ r.member_id.len())
    }
}

/// Without a roster the last three columns are left out.
pub fn summary(rows: &[SummaryRow], with_roster: bool) -> Table<'_> {
    let columns = if with_roster {
        SUMMARY_COLUMNS
    } else {
        &SUMMARY_COLUMNS[..5]
    };
    Table::new(
        "summary",
        columns,
        rows.len(),
        SummaryRows { rows, with_roster },
    )
}

struct SummaryRows<'s> {
    rows: &'s [SummaryRow],
    with_roster: bool,
}

impl<'s> Rows<'s> for SummaryRows<'s> {
    fn row(&self, i: usize, cells: &mut impl Cells<'s>) {
        let s = &self.rows[i];
        cells.put(text(&s.member_id));
        cells.put(text(&s.member_name));
        cells.put(Value::Amount(Some(s.transcript_ceus)));
        cells.put(Value::Amount(Some(s.instructor_ceus)));
        cells.put(Value::Amount(Some(s.total_ceus)));
        if self.with_roster {
            cells.put(text(&s.credentials_held));
            cells.put(Value::Amount(s.ceus_required));
            cells.put(Value::Amount(s.ceus_remaining));
        }
    }
}

pub fn claims(claims: &[ClaimRow]) -> Table<'_> {
    Table::new("claims", CLAIM_COLUMNS, claims.len(), ClaimRows(claims))
}

struct ClaimRows<'c>(&'c [ClaimRow]);

impl<'c> Rows<'c> for ClaimRows<'c> {
    fn row(&self, i: usize, cells: &mut impl Cells<'c>) {
        let c = &self.0[i];
        cells.put(text(&c.college));
        cells.put(text(&c.member_id));
        cells.put(text(&c.instructor_name));
        cells.put(text(&c.credential));
        cells.put(Value::Amount(Some(c.ceus_awarded)));
        cells.put(Value::Text(c.courses.join("; ").into()));
        cells.put(Value::Text(c.approval_ids.join("; ").into()));
        cells.put(Value::Text(c.syllabus_refs.join("; ").into()));
        cells.put(Value::Text(c.curriculum_titles.join("; ").into()));
    }
}
