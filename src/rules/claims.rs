//! The colleges' claims (SPEC.md section 5): credited instructor rows
//! gathered per college, instructor and credential.

use std::collections::BTreeMap;

use crate::model::{Credit, Hundredths, MemberKey};
use crate::normalize::header::fold;
use crate::normalize::InstructorRecord;

/// One row of `claims`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimRow {
    pub college: String,
    pub member_id: String,
    pub instructor_name: String,
    pub credential: String,
    pub ceus_awarded: Hundredths,
    pub courses: Vec<String>,
    pub approval_ids: Vec<String>,
    pub syllabus_refs: Vec<String>,
    pub curriculum_titles: Vec<String>,
}

fn push_once(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Claims from credited instructor rows and their records, given in input order.
pub fn build_claims<'a>(
    credited: impl IntoIterator<Item = (&'a Credit, &'a InstructorRecord)>,
) -> Vec<ClaimRow> {
    let mut claims: BTreeMap<(String, MemberKey, String), ClaimRow> = BTreeMap::new();
    for (credit, record) in credited {
        let key = (
            fold(&credit.institution),
            MemberKey::new(&credit.member_id),
            credit.credential.to_string(),
        );
        let claim = claims.entry(key).or_insert_with(|| ClaimRow {
            college: credit.institution.to_string(),
            member_id: credit.member_id.to_string(),
            instructor_name: credit.member_name.to_string(),
            credential: credit.credential.to_string(),
            ceus_awarded: Hundredths::ZERO,
            courses: vec![],
            approval_ids: vec![],
            syllabus_refs: vec![],
            curriculum_titles: vec![],
        });
        claim.ceus_awarded += credit.ceus_awarded;
        let started = record
            .started_on
            .value()
            .map(|d| d.to_string())
            .unwrap_or_default();
        push_once(
            &mut claim.courses,
            format!(
                "{} ({started} to {})",
                record.course_title, credit.completed_on
            ),
        );
        push_once(&mut claim.approval_ids, record.approval_id.to_string());
        push_once(&mut claim.syllabus_refs, record.syllabus.to_string());
        push_once(
            &mut claim.curriculum_titles,
            record.curriculum_titles.to_string(),
        );
    }
    claims.into_values().collect()
}
