//! The four output tables, column by column as SPEC.md section 5 lists them.

use crate::model::{Credit, InOrder, Rejection};
use crate::rules::claims::ClaimRow;
use crate::rules::summary::SummaryRow;
use crate::sink::{Table, Value};

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

/// The `source_file` and `sheet` columns, the source looked up once.
fn source(at: &crate::model::RowRef) -> [Value<'static>; 2] {
    let source = at.source();
    [
        text(&source.file),
        text(source.sheet.as_deref().unwrap_or("")),
    ]
}

pub fn credits(credits: &InOrder<Credit>) -> Table<'_> {
    Table::new("credits", CREDIT_COLUMNS, credits.len(), |i| {
        let c = credits.get(i);
        let [file, sheet] = source(&c.at);
        vec![
            file,
            sheet,
            Value::Row(c.at.row()),
            text(c.kind.as_str()),
            text(&c.member_id),
            text(&c.member_name),
            text(&c.institution),
            text(&c.program),
            text(&c.course_id),
            text(&c.course),
            text(&c.credential),
            Value::Date(c.completed_on),
            text(c.unit.as_str()),
            Value::Amount(Some(c.hours)),
            Value::Amount(Some(c.ceus_computed)),
            Value::Amount(Some(c.ceus_awarded)),
            Value::Bool(c.capped),
            text(&c.cap_group),
        ]
    })
    .fetching(|rows| {
        credits.fetch(rows, |c| {
            c.at.order.2 as usize ^ c.member_id.len() ^ c.member_name.len() ^ c.cap_group.len()
        })
    })
}

pub fn rejections(rejections: &InOrder<Rejection>) -> Table<'_> {
    Table::new("rejections", REJECTION_COLUMNS, rejections.len(), |i| {
        let r = rejections.get(i);
        let [file, sheet] = source(&r.at);
        vec![
            file,
            sheet,
            Value::Row(r.at.row()),
            text(r.kind.map_or("", |k| k.as_str())),
            text(&r.member_id),
            text(r.code.as_str()),
            Value::Message(r),
        ]
    })
    .fetching(|rows| rejections.fetch(rows, |r| r.at.order.2 as usize ^ r.member_id.len()))
}

/// Without a roster the last three columns are left out.
pub fn summary(rows: &[SummaryRow], with_roster: bool) -> Table<'_> {
    let columns = if with_roster {
        SUMMARY_COLUMNS
    } else {
        &SUMMARY_COLUMNS[..5]
    };
    Table::new("summary", columns, rows.len(), move |i| {
        let s = &rows[i];
        let mut row = vec![
            text(&s.member_id),
            text(&s.member_name),
            Value::Amount(Some(s.transcript_ceus)),
            Value::Amount(Some(s.instructor_ceus)),
            Value::Amount(Some(s.total_ceus)),
        ];
        if with_roster {
            row.push(text(&s.credentials_held));
            row.push(Value::Amount(s.ceus_required));
            row.push(Value::Amount(s.ceus_remaining));
        }
        row
    })
}

pub fn claims(claims: &[ClaimRow]) -> Table<'_> {
    Table::new("claims", CLAIM_COLUMNS, claims.len(), |i| {
        let c = &claims[i];
        vec![
            text(&c.college),
            text(&c.member_id),
            text(&c.instructor_name),
            text(&c.credential),
            Value::Amount(Some(c.ceus_awarded)),
            Value::Text(c.courses.join("; ").into()),
            Value::Text(c.approval_ids.join("; ").into()),
            Value::Text(c.syllabus_refs.join("; ").into()),
            Value::Text(c.curriculum_titles.join("; ").into()),
        ]
    })
}
