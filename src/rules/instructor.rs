//! Instructor course records (SPEC.md 4.2): checks 1–10 per row, then, over
//! one member's rows, duplicates and the per-credential cap.

use std::collections::{BTreeMap, HashSet};

use jiff::civil::Date;

use crate::model::{Code, Credit, Hundredths, Kind, Text, Unit};
use crate::normalize::header::fold;
use crate::normalize::value::Parsed;
use crate::normalize::InstructorRecord;
use crate::rules::caps::allocate;
use crate::rules::prior::PriorMember;
use crate::rules::roster::Member;
use crate::rules::ruleset::{credential_key, RuleSet};
use crate::rules::{
    check_certification, check_not_future, check_renewal_window, reject, Outcome, Verdict,
};

/// A record that passed checks 1–10.
#[derive(Clone, Debug, PartialEq)]
pub struct Eligible {
    pub started_on: Date,
    pub finished_on: Date,
    pub hours: Hundredths,
    /// Upper case, without `-A`.
    pub credential: String,
}

/// Checks 1–10, in order.
pub fn check_row(
    record: &InstructorRecord,
    member: Option<&Member>,
    rules: &RuleSet,
    as_of: Date,
) -> Result<Eligible, Verdict> {
    let mut blank: Vec<&str> = [
        ("member_id", &record.member_id),
        ("institution", &record.institution),
        ("course_title", &record.course_title),
        ("credential", &record.credential),
        ("delivery", &record.delivery),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_empty())
    .map(|(n, _)| n)
    .collect();
    for (name, parsed) in [
        ("started_on", &record.started_on),
        ("finished_on", &record.finished_on),
    ] {
        if *parsed == Parsed::Blank {
            blank.push(name);
        }
    }
    if record.contact_hours == Parsed::Blank {
        blank.push("contact_hours");
    }
    if !blank.is_empty() {
        return Err((Code::MissingField, format!("{} is blank", blank.join(", "))));
    }
    let date = |name: &str, parsed: &Parsed<Date>| match parsed {
        Parsed::Value(d) => Ok(*d),
        Parsed::Invalid(text) => {
            Err((Code::InvalidDate, format!("{name}: '{text}' is not a date")))
        }
        Parsed::Blank => unreachable!("checked as a missing field"),
    };
    let started_on = date("started_on", &record.started_on)?;
    let finished_on = date("finished_on", &record.finished_on)?;
    if finished_on < started_on {
        return Err((
            Code::InvalidDate,
            format!("finished_on {finished_on} is before started_on {started_on}"),
        ));
    }
    let hours = match &record.contact_hours {
        Parsed::Value(h) if *h > Hundredths::ZERO => *h,
        Parsed::Value(_) => {
            return Err((
                Code::InvalidHours,
                "contact_hours is not greater than zero".to_string(),
            ))
        }
        Parsed::Invalid(text) => {
            return Err((
                Code::InvalidHours,
                format!("contact_hours: '{text}' is not a number of hours"),
            ))
        }
        Parsed::Blank => unreachable!("checked as a missing field"),
    };
    let credential = credential_key(&record.credential);
    if !rules.is_core_credential(&credential) {
        return Err((
            Code::UnknownCredential,
            format!(
                "credential '{}' is not one of {}",
                record.credential,
                rules.core_credentials.join(", ")
            ),
        ));
    }
    if !rules.accepts_delivery(&record.delivery) {
        return Err((
            Code::NotFaceToFace,
            format!(
                "delivery '{}' is not one of {}",
                record.delivery,
                rules.delivery_words.join(", ")
            ),
        ));
    }
    for (code, name, value) in [
        (
            Code::MissingPriorApproval,
            "approval_id",
            &record.approval_id,
        ),
        (Code::MissingSyllabus, "syllabus", &record.syllabus),
        (
            Code::MissingCurriculum,
            "curriculum_titles",
            &record.curriculum_titles,
        ),
    ] {
        if value.is_empty() {
            return Err((code, format!("{name} is blank")));
        }
    }
    check_not_future(finished_on, as_of, "finished_on")?;
    check_certification("finished", finished_on, member, &record.certified_on)?;
    if let Some(m) = member.filter(|m| !m.credentials.is_empty()) {
        if !m
            .credentials
            .iter()
            .any(|c| credential_key(c) == credential)
        {
            return Err((
                Code::NotCredentialHolder,
                format!(
                    "the roster lists {} for this member, not {credential}",
                    m.credentials.join("; ")
                ),
            ));
        }
    }
    check_renewal_window(finished_on, member)?;
    Ok(Eligible {
        started_on,
        finished_on,
        hours,
        credential,
    })
}

/// All of 4.2 for one member's records (given in input order).
pub fn evaluate(
    records: &[&InstructorRecord],
    member: Option<&Member>,
    prior: &PriorMember,
    rules: &RuleSet,
    as_of: Date,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; records.len()];
    let mut eligible: Vec<Option<Eligible>> = vec![None; records.len()];
    let mut seen = HashSet::new();
    for (i, record) in records.iter().enumerate() {
        let verdict = check_row(record, member, rules, as_of).and_then(|e| {
            // Step 11: the same course run once already (this run or an earlier one).
            let institution = fold(&record.institution);
            let title = fold(&record.course_title);
            let this_run = (
                institution.clone(),
                title.clone(),
                e.credential.clone(),
                e.started_on,
                e.finished_on,
            );
            let earlier = (institution, title, e.credential.clone(), e.finished_on);
            if prior.instructor_records.contains(&earlier) {
                return Err((
                    Code::DuplicateRecord,
                    "this course was already credited in an earlier run".to_string(),
                ));
            }
            if !seen.insert(this_run) {
                return Err((
                    Code::DuplicateRecord,
                    "the same course, credential and dates appear on an earlier row".to_string(),
                ));
            }
            Ok(e)
        });
        match verdict {
            Ok(e) => eligible[i] = Some(e),
            Err(v) => {
                outcomes[i] = Some(reject(&record.at, Kind::Instructor, &record.member_id, v))
            }
        }
    }
    // Steps 12–13: conversion, then the cap per credential in finish order.
    let mut by_credential: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in eligible.iter().enumerate() {
        if let Some(e) = e {
            by_credential
                .entry(e.credential.clone())
                .or_default()
                .push(i);
        }
    }
    for (credential, mut rows) in by_credential {
        rows.sort_by_key(|&i| {
            (
                eligible[i].as_ref().expect("eligible").finished_on,
                records[i].at.order,
            )
        });
        let computed: Vec<Hundredths> = rows
            .iter()
            .map(|&i| {
                eligible[i]
                    .as_ref()
                    .expect("eligible")
                    .hours
                    .times(rules.contact_hour_ceus)
            })
            .collect();
        let already = prior
            .by_credential
            .get(&credential)
            .copied()
            .unwrap_or_default();
        let awards = allocate(&computed, already, rules.credential_cap_ceus);
        for ((&i, &ceus), award) in rows.iter().zip(&computed).zip(awards) {
            let record = records[i];
            let e = eligible[i].as_ref().expect("eligible");
            outcomes[i] = Some(if award == Hundredths::ZERO {
                let message = format!(
                    "the {credential} cap of {} CEUs per renewal period is already reached; {ceus} CEUs not awarded",
                    rules.credential_cap_ceus
                );
                reject(
                    &record.at,
                    Kind::Instructor,
                    &record.member_id,
                    (Code::CredentialCapReached, message),
                )
            } else {
                Outcome::Credit(Credit {
                    at: record.at.clone(),
                    kind: Kind::Instructor,
                    member_id: record.member_id.clone(),
                    member_name: record.member_name.clone(),
                    institution: record.institution.clone(),
                    program: Text::from(""),
                    course_id: Text::from(""),
                    course: record.course_title.clone(),
                    credential: Text::from(credential.as_str()),
                    completed_on: e.finished_on,
                    unit: Unit::Contact,
                    hours: e.hours,
                    ceus_computed: ceus,
                    ceus_awarded: award,
                    capped: award < ceus,
                    cap_group: Text::from(credential.as_str()),
                })
            });
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every record has an outcome"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RowRef;
    use jiff::civil::date;

    fn record(
        n: u32,
        title: &str,
        credential: &str,
        finished: Date,
        hours: i64,
    ) -> InstructorRecord {
        InstructorRecord {
            at: RowRef::in_file("i.csv", (1, 0, n)),
            member_id: "42".into(),
            member_name: "Ana".into(),
            institution: "Lakeside College".into(),
            course_title: title.into(),
            credential: credential.into(),
            delivery: "Face-to-Face".into(),
            started_on: Parsed::Value(date(2025, 1, 13).min(finished)),
            finished_on: Parsed::Value(finished),
            contact_hours: Parsed::Value(Hundredths(hours * 100)),
            approval_id: "AP-1".into(),
            syllabus: "SYL-1".into(),
            curriculum_titles: "CPC Study Guide".into(),
            certified_on: Parsed::Blank,
        }
    }

    fn member() -> Member {
        Member {
            member_id: "42".into(),
            member_name: String::new(),
            certified_on: date(2022, 3, 1),
            renewal_due: Some(date(2026, 6, 30)),
            credentials: vec!["CPC-A".into(), "CRC".into()],
            ceus_required: None,
        }
    }

    const AS_OF: Date = date(2026, 11, 15);

    fn code(r: InstructorRecord) -> Code {
        check_row(&r, Some(&member()), &RuleSet::default(), AS_OF)
            .unwrap_err()
            .0
    }

    fn base() -> InstructorRecord {
        record(2, "CPC Prep", "CPC", date(2025, 5, 2), 12)
    }

    #[test]
    fn checks_in_spec_order() {
        assert!(check_row(&base(), Some(&member()), &RuleSet::default(), AS_OF).is_ok());
        let mut r = base();
        r.delivery = "".into();
        r.credential = "XYZ".into();
        assert_eq!(code(r), Code::MissingField);
        let mut r = base();
        r.started_on = Parsed::Value(date(2025, 5, 3));
        assert_eq!(code(r), Code::InvalidDate);
        let mut r = base();
        r.finished_on = Parsed::Invalid("soon".into());
        assert_eq!(code(r), Code::InvalidDate);
        let mut r = base();
        r.contact_hours = Parsed::Value(Hundredths::ZERO);
        assert_eq!(code(r), Code::InvalidHours);
        assert_eq!(
            code(record(2, "T", "RHIT", date(2025, 5, 2), 1)),
            Code::UnknownCredential
        );
        let mut r = base();
        r.delivery = "Online".into();
        r.approval_id = "".into();
        assert_eq!(code(r), Code::NotFaceToFace);
        for (i, expected) in [
            Code::MissingPriorApproval,
            Code::MissingSyllabus,
            Code::MissingCurriculum,
        ]
        .into_iter()
        .enumerate()
        {
            let mut r = base();
            r.curriculum_titles = "".into();
            if i < 2 {
                r.syllabus = "".into();
            }
            if i < 1 {
                r.approval_id = "".into();
            }
            assert_eq!(code(r), expected);
        }
        assert_eq!(
            code(record(2, "T", "CPC", date(2026, 11, 16), 1)),
            Code::FutureDate
        );
        assert_eq!(
            code(record(2, "T", "CPC", date(2022, 2, 28), 1)),
            Code::BeforeCertification
        );
        assert_eq!(
            code(record(2, "T", "COC", date(2025, 5, 2), 1)),
            Code::NotCredentialHolder
        );
        assert_eq!(
            code(record(2, "T", "CRC", date(2024, 5, 31), 1)),
            Code::OutsideRenewalPeriod
        );
        // The apprentice CPC-A in the roster holds CPC; cpc-a on the row is CPC too.
        assert!(check_row(
            &record(2, "T", "cpc-a", date(2024, 6, 1), 1),
            Some(&member()),
            &RuleSet::default(),
            AS_OF
        )
        .is_ok());
    }

    #[test]
    fn unknown_member_uses_the_rows_certification() {
        let r = base();
        let e = check_row(&r, None, &RuleSet::default(), AS_OF).unwrap_err();
        assert_eq!(e.0, Code::UnknownCertification);
        let mut r = base();
        r.certified_on = Parsed::Value(date(2020, 1, 1));
        assert!(check_row(&r, None, &RuleSet::default(), AS_OF).is_ok());
    }

    fn run(records: &[InstructorRecord], prior: &PriorMember) -> Vec<String> {
        let refs: Vec<&InstructorRecord> = records.iter().collect();
        evaluate(&refs, Some(&member()), prior, &RuleSet::default(), AS_OF)
            .iter()
            .map(|o| match o {
                Outcome::Credit(c) => format!(
                    "{} {} {} {}{}",
                    c.at.row().unwrap(),
                    c.cap_group,
                    c.ceus_computed,
                    c.ceus_awarded,
                    if c.capped { " capped" } else { "" }
                ),
                Outcome::Rejection(r) => format!("{} {}", r.at.row().unwrap(), r.code.as_str()),
            })
            .collect()
    }

    #[test]
    fn duplicates_then_the_credential_cap_in_finish_order() {
        let records = [
            record(2, "CPC Prep II", "CPC", date(2025, 9, 1), 10),
            record(3, "CPC Prep", "CPC", date(2025, 5, 2), 12),
            record(4, "cpc prep", "CPC-A", date(2025, 5, 2), 12),
            record(5, "CRC Review", "CRC", date(2025, 5, 2), 20),
            record(6, "CPC Lab", "CPC", date(2025, 10, 1), 3),
        ];
        assert_eq!(
            run(&records, &PriorMember::default()),
            vec![
                "2 CPC 10.00 4.00 capped",
                "3 CPC 12.00 12.00",
                "4 DUPLICATE_RECORD",
                "5 CRC 20.00 16.00 capped",
                "6 CREDENTIAL_CAP_REACHED"
            ]
        );
    }

    #[test]
    fn prior_credits_fill_the_cap_and_match_records() {
        let mut prior = PriorMember::default();
        prior.by_credential.insert("CPC".into(), Hundredths(1000));
        prior.instructor_records.insert((
            "lakesidecollege".into(),
            "cpcprep".into(),
            "CPC".into(),
            date(2025, 5, 2),
        ));
        let records = [
            record(2, "CPC Prep", "CPC", date(2025, 5, 2), 12),
            record(3, "CPC Lab", "CPC", date(2025, 6, 2), 8),
        ];
        assert_eq!(
            run(&records, &prior),
            vec!["2 DUPLICATE_RECORD", "3 CPC 8.00 6.00 capped"]
        );
    }
}
