//! Instructor course records (SPEC.md 4.2): checks 1–10 per row, then, over
//! one member's rows, duplicates and the per-credential cap.

use std::collections::{BTreeMap, HashSet};

use jiff::civil::Date;

use crate::model::{Code, Credit, Hundredths, Kind, Unit};
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
    check_certification(finished_on, member, &record.certified_on)?;
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
                    program: String::new(),
                    course_id: String::new(),
                    course: record.course_title.clone(),
                    credential: credential.clone(),
                    completed_on: e.finished_on,
                    unit: Unit::Contact,
                    hours: e.hours,
                    ceus_computed: ceus,
                    ceus_awarded: award,
                    capped: award < ceus,
                    cap_group: credential.clone(),
                })
            });
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every record has an outcome"))
        .collect()
}
