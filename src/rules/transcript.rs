//! Transcript lines (SPEC.md 4.1): checks 1–9 per row, then, over one
//! member's rows, the once-per-course rule, the clock-hour minimum and the
//! annual cap.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::model::{Code, Credit, Hundredths, Kind, Unit};
use crate::normalize::header::fold;
use crate::normalize::value::Parsed;
use crate::normalize::TranscriptLine;
use crate::rules::caps::allocate;
use crate::rules::prior::{course_key, CourseKey, PriorMember, ProgramKey};
use crate::rules::roster::Member;
use crate::rules::ruleset::RuleSet;
use crate::rules::{
    check_certification, check_not_future, check_renewal_window, reject, Outcome, Verdict,
};

/// A line that passed checks 1–6: its date and hours understood.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Basic {
    pub completed_on: Date,
    pub unit: Unit,
    pub hours: Hundredths,
}

/// Checks 1–6: missing fields, the date, the hours, the program area, the grade, the future.
pub fn check_basic(line: &TranscriptLine, rules: &RuleSet, as_of: Date) -> Result<Basic, Verdict> {
    let mut blank: Vec<&str> = [
        ("member_id", &line.member_id),
        ("institution", &line.institution),
        ("program", &line.program),
        ("program_area", &line.program_area),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_empty())
    .map(|(n, _)| n)
    .collect();
    if line.completed_on == Parsed::Blank {
        blank.push("completed_on");
    }
    if line.course_id.is_empty() && line.course_title.is_empty() {
        blank.push("course_id or course_title");
    }
    if !blank.is_empty() {
        return Err((Code::MissingField, format!("{} is blank", blank.join(", "))));
    }
    let completed_on = match &line.completed_on {
        Parsed::Value(d) => *d,
        Parsed::Invalid(text) => {
            return Err((
                Code::InvalidDate,
                format!("completed_on: '{text}' is not a date"),
            ))
        }
        Parsed::Blank => unreachable!("checked as a missing field"),
    };
    let (unit, hours) = hours_of(line)?;
    if !rules.accepts_program_area(&line.program_area) {
        return Err((
            Code::NotHealthcareProgram,
            format!(
                "program_area '{}' is not one of {}",
                line.program_area,
                rules.program_areas.join(", ")
            ),
        ));
    }
    if rules.is_non_passing(&line.grade) {
        return Err((
            Code::NotPassed,
            format!("grade '{}' is not a passing grade", line.grade),
        ));
    }
    check_not_future(completed_on, as_of, "completed_on")?;
    Ok(Basic {
        completed_on,
        unit,
        hours,
    })
}

/// Check 3: exactly one of clock and credit hours, a number above zero.
fn hours_of(line: &TranscriptLine) -> Result<(Unit, Hundredths), Verdict> {
    let (unit, field, parsed) = match (&line.clock_hours, &line.credit_hours) {
        (Parsed::Blank, Parsed::Blank) => {
            return Err((
                Code::InvalidHours,
                "neither clock_hours nor credit_hours is given".to_string(),
            ))
        }
        (Parsed::Blank, credit) => (Unit::Credit, "credit_hours", credit),
        (clock, Parsed::Blank) => (Unit::Clock, "clock_hours", clock),
        _ => {
            return Err((
                Code::InvalidHours,
                "both clock_hours and credit_hours are given".to_string(),
            ))
        }
    };
    match parsed {
        Parsed::Value(h) if *h > Hundredths::ZERO => Ok((unit, *h)),
        Parsed::Value(_) => Err((Code::InvalidHours, format!("{field} is not greater than zero"))),
        Parsed::Invalid(text) => Err((
            Code::InvalidHours,
            format!("{field}: '{text}' is not a number of hours (digits with an optional '.' fraction, at most 100000)"),
        )),
        Parsed::Blank => unreachable!("matched above"),
    }
}

/// All of 4.1 for one member's lines (given in input order).
pub fn evaluate(
    lines: &[&TranscriptLine],
    member: Option<&Member>,
    prior: &PriorMember,
    rules: &RuleSet,
    as_of: Date,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; lines.len()];
    let mut basics: Vec<Option<Basic>> = vec![None; lines.len()];
    // Rows still standing, by index, after each step.
    let mut standing = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let checked = check_basic(line, rules, as_of).and_then(|basic| {
            basics[i] = Some(basic);
            check_certification(basic.completed_on, member, &line.certified_on)?;
            check_renewal_window(basic.completed_on, member)?;
            Ok(basic)
        });
        match checked {
            Ok(_) => standing.push(i),
            Err(verdict) => {
                outcomes[i] = Some(reject(&line.at, Kind::Transcript, &line.member_id, verdict))
            }
        }
    }
    let key_of = |i: usize| {
        course_key(
            &lines[i].institution,
            &lines[i].course_id,
            &lines[i].course_title,
        )
    };
    let earliest = |i: usize| {
        (
            basics[i].expect("passed 1–6").completed_on,
            lines[i].at.order,
        )
    };

    // Step 10: the earliest completion keeps the course.
    let mut keeper: HashMap<CourseKey, usize> = HashMap::new();
    for &i in &standing {
        let slot = keeper.entry(key_of(i)).or_insert(i);
        if earliest(i) < earliest(*slot) {
            *slot = i;
        }
    }
    standing.retain(|&i| {
        let key = key_of(i);
        let verdict = if prior.courses.contains(&key) {
            Some(format!(
                "course '{}' was already credited in an earlier run",
                course_label(lines[i])
            ))
        } else if keeper[&key] != i {
            Some(format!(
                "course '{}' is already counted from {}",
                course_label(lines[i]),
                lines[keeper[&key]].at.describe()
            ))
        } else {
            None
        };
        match verdict {
            Some(message) => {
                outcomes[i] = Some(reject(
                    &lines[i].at,
                    Kind::Transcript,
                    &lines[i].member_id,
                    (Code::DuplicateCourse, message),
                ));
                false
            }
            None => true,
        }
    });

    // Step 11: a clock-hour program counts only when it is long enough.
    let program_of =
        |i: usize| -> ProgramKey { (fold(&lines[i].institution), fold(&lines[i].program)) };
    let mut programs: BTreeMap<ProgramKey, BTreeMap<CourseKey, usize>> = BTreeMap::new();
    for (i, basic) in basics.iter().enumerate() {
        if basic.is_some_and(|b| b.unit == Unit::Clock) {
            let courses = programs.entry(program_of(i)).or_default();
            let slot = courses.entry(key_of(i)).or_insert(i);
            if earliest(i) < earliest(*slot) {
                *slot = i;
            }
        }
    }
    let length = |program: &ProgramKey| -> Hundredths {
        let earlier = prior.clock_courses.get(program);
        let this_run: Hundredths = programs
            .get(program)
            .into_iter()
            .flatten()
            .filter(|(key, _)| !earlier.is_some_and(|e| e.contains_key(*key)))
            .map(|(_, &i)| basics[i].expect("passed 1–6").hours)
            .sum();
        this_run + earlier.into_iter().flat_map(|e| e.values().copied()).sum()
    };
    standing.retain(|&i| {
        if basics[i].expect("standing").unit != Unit::Clock {
            return true;
        }
        let total = length(&program_of(i));
        if total >= rules.clock_minimum_hours {
            return true;
        }
        let message = format!(
            "program '{}' at '{}' is {total} clock hours long, below the minimum of {}",
            lines[i].program, lines[i].institution, rules.clock_minimum_hours
        );
        outcomes[i] = Some(reject(
            &lines[i].at,
            Kind::Transcript,
            &lines[i].member_id,
            (Code::BelowClockMinimum, message),
        ));
        false
    });

    // Steps 12–13: conversion, then the annual cap in completion order.
    let mut by_year: BTreeMap<i16, Vec<usize>> = BTreeMap::new();
    for &i in &standing {
        by_year
            .entry(basics[i].expect("standing").completed_on.year())
            .or_default()
            .push(i);
    }
    for (year, mut rows) in by_year {
        rows.sort_by_key(|&i| earliest(i));
        let computed: Vec<Hundredths> = rows
            .iter()
            .map(|&i| {
                let b = basics[i].expect("standing");
                let rate = if b.unit == Unit::Clock {
                    rules.clock_hour_ceus
                } else {
                    rules.credit_hour_ceus
                };
                b.hours.times(rate)
            })
            .collect();
        let already = prior.annual.get(&year).copied().unwrap_or_default();
        let awards = allocate(&computed, already, rules.annual_cap_ceus);
        for ((&i, &ceus), award) in rows.iter().zip(&computed).zip(awards) {
            let line = lines[i];
            outcomes[i] = Some(if award == Hundredths::ZERO {
                let message = format!(
                    "the {year} cap of {} CEUs is already reached; {ceus} CEUs not awarded",
                    rules.annual_cap_ceus
                );
                reject(
                    &line.at,
                    Kind::Transcript,
                    &line.member_id,
                    (Code::AnnualCapReached, message),
                )
            } else {
                let b = basics[i].expect("standing");
                Outcome::Credit(Credit {
                    at: line.at.clone(),
                    kind: Kind::Transcript,
                    member_id: line.member_id.clone(),
                    member_name: line.member_name.clone(),
                    institution: line.institution.clone(),
                    program: line.program.clone(),
                    course_id: line.course_id.clone(),
                    course: course_label(line).to_string(),
                    credential: String::new(),
                    completed_on: b.completed_on,
                    unit: b.unit,
                    hours: b.hours,
                    ceus_computed: ceus,
                    ceus_awarded: award,
                    capped: award < ceus,
                    cap_group: format!("{year:04}"),
                })
            });
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every line has an outcome"))
        .collect()
}

/// The course title, else the course id.
fn course_label(line: &TranscriptLine) -> &str {
    if line.course_title.is_empty() {
        &line.course_id
    } else {
        &line.course_title
    }
}
