//! Transcript lines (SPEC.md 4.1): checks 1–9 per row, then, over one
//! member's rows, the once-per-course rule, the clock-hour minimum and the
//! annual cap.

use std::collections::BTreeMap;
use std::ops::Range;

use foldhash::HashMap;

use jiff::civil::Date;

use crate::model::{Code, Credit, Hundredths, Kind, Reason, Text, Unit};
use crate::normalize::header::fold_onto;
use crate::normalize::value::{date_number, LineHours, Parsed};
use crate::normalize::TranscriptLine;
use crate::rules::caps::allocate;
use crate::rules::prior::{course_named, OwnedKey, PriorMember};
use crate::rules::roster::Member;
use crate::rules::ruleset::RuleSet;
use crate::rules::{
    check_certification, check_not_future, check_renewal_window, reject, Outcome, Verdict,
};

/// Folded texts that name a course (institution, course id else title) or
/// a clock-hour program (institution, program).
type Key<'a> = (&'a str, &'a str);

/// A line that passed checks 1–6: its date and hours understood.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Basic {
    pub completed_on: Date,
    pub unit: Unit,
    pub hours: Hundredths,
}

/// Checks 1–6: missing fields, the date, the hours, the program area, the
/// grade, the future. The verdicts on the program area and the grade come
/// from `verdicts`, made once for each text.
fn check_basic<'a>(
    line: &'a TranscriptLine,
    rules: &RuleSet,
    as_of: Date,
    verdicts: &mut TextVerdicts<'a>,
) -> Result<Basic, Verdict> {
    let mut blank: Vec<&str> = [
        ("member_id", &line.head.member_id),
        ("institution", &line.head.institution),
        ("program", &line.head.program),
        ("program_area", &line.head.program_area),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_empty())
    .map(|(n, _)| n)
    .collect();
    let completed_on = line.completed_on.get();
    if completed_on == Parsed::Blank {
        blank.push("completed_on");
    }
    if line.course_id.is_empty() && line.course_title.is_empty() {
        blank.push("course_id or course_title");
    }
    if !blank.is_empty() {
        return Err((Code::MissingField, format!("{} is blank", blank.join(", "))));
    }
    let completed_on = match completed_on {
        Parsed::Value(d) => d,
        Parsed::Invalid(text) => {
            return Err((
                Code::InvalidDate,
                format!("completed_on: '{text}' is not a date"),
            ))
        }
        Parsed::Blank => unreachable!("checked as a missing field"),
    };
    let (unit, hours) = hours_of(line)?;
    if !verdicts.areas.of(&line.head.program_area, |area| {
        rules.accepts_program_area(area)
    }) {
        return Err((
            Code::NotHealthcareProgram,
            format!(
                "program_area '{}' is not one of {}",
                line.head.program_area,
                rules.program_areas.join(", ")
            ),
        ));
    }
    if verdicts
        .non_passing
        .of(&line.grade, |grade| rules.is_non_passing(grade))
    {
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
    let ((unit, field), parsed) = match line.hours {
        LineHours::Neither => {
            return Err((
                Code::InvalidHours,
                "neither clock_hours nor credit_hours is given".to_string(),
            ))
        }
        LineHours::Both => {
            return Err((
                Code::InvalidHours,
                "both clock_hours and credit_hours are given".to_string(),
            ))
        }
        LineHours::Clock(h) => ((Unit::Clock, "clock_hours"), Ok(h)),
        LineHours::ClockInvalid(text) => ((Unit::Clock, "clock_hours"), Err(text)),
        LineHours::Credit(h) => ((Unit::Credit, "credit_hours"), Ok(h)),
        LineHours::CreditInvalid(text) => ((Unit::Credit, "credit_hours"), Err(text)),
    };
    match parsed {
        Ok(h) if h.hundredths() > Hundredths::ZERO => Ok((unit, h.hundredths())),
        Ok(_) => Err((Code::InvalidHours, format!("{field} is not greater than zero"))),
        Err(text) => Err((
            Code::InvalidHours,
            format!("{field}: '{text}' is not a number of hours (digits with an optional '.' fraction, at most 100000)"),
        )),
    }
}

/// Texts made once for a run of members, each met again and again: the
/// cap groups' years and the courses' folded keys.
#[derive(Default)]
pub struct RunTexts {
    years: YearTexts,
    courses: CourseFolds,
}

/// The texts of cap groups' years: made for each member and year, they
/// were 2% of the rules' time and, held by the credits until written, 40
/// MB of a 10M-row batch's peak.
#[derive(Default)]
struct YearTexts(HashMap<i16, Text>);

impl YearTexts {
    fn of(&mut self, year: i16) -> Text {
        self.0
            .entry(year)
            .or_insert_with(|| Text::from(format!("{year:04}")))
            .clone()
    }
}

/// Past this many courses a run's folds start again, so that courses that
/// never repeat (an id of each line's own) cost no more than a member's.
const MOST_COURSE_FOLDS: usize = 1 << 12;

/// Each course text's fold, in one buffer, found by the text's address:
/// the members of a part share its course texts, and a member's lines name
/// each course about once, so folded for each line a course key was about
/// 210 of the rules' 1,750 instructions a line (callgrind, 100K rows).
#[derive(Default)]
struct CourseFolds {
    /// By address, the text (held, so that no other text takes its
    /// address) and where its fold is in `folded`.
    by_address: HashMap<usize, (Text, Range<usize>)>,
    folded: String,
}

impl CourseFolds {
    /// Starts again once full; between members, as the folds of a
    /// member's lines are read together.
    fn make_room(&mut self) {
        if self.by_address.len() >= MOST_COURSE_FOLDS {
            self.by_address.clear();
            self.folded.clear();
        }
    }

    /// Where the fold of `course` is in `folded`.
    fn of(&mut self, course: &Text) -> Range<usize> {
        let CourseFolds { by_address, folded } = self;
        by_address
            .entry(course.as_ptr() as usize)
            .or_insert_with(|| (course.clone(), fold_onto(course, folded)))
            .1
            .clone()
    }
}

/// All of 4.1 for one member's lines (given in input order).
pub fn evaluate(
    lines: &[&TranscriptLine],
    member: Option<&Member>,
    prior: &PriorMember,
    rules: &RuleSet,
    as_of: Date,
    texts: &mut RunTexts,
) -> Vec<Outcome> {
    let RunTexts { years, courses } = texts;
    let mut outcomes: Vec<Option<Outcome>> = vec![None; lines.len()];
    let mut basics: Vec<Option<Basic>> = vec![None; lines.len()];
    // Rows still standing, by index, after each step.
    let mut standing = Vec::with_capacity(lines.len());
    let mut verdicts = TextVerdicts::default();
    for (i, line) in lines.iter().enumerate() {
        let checked = check_basic(line, rules, as_of, &mut verdicts).and_then(|basic| {
            basics[i] = Some(basic);
            check_certification(
                "completed",
                basic.completed_on,
                member,
                &line.certified_on.get(),
            )?;
            check_renewal_window(basic.completed_on, member)?;
            Ok(basic)
        });
        match checked {
            Ok(_) => standing.push(i),
            Err(verdict) => {
                outcomes[i] = Some(reject(
                    &line.at,
                    Kind::Transcript,
                    &line.head.member_id,
                    verdict,
                ))
            }
        }
    }
    // The keys' texts folded into one buffer; a member's lines mostly share
    // one institution and one program text, each folded once.
    let mut folded = String::with_capacity(lines.len() * 16);
    let mut spans = Vec::with_capacity(lines.len());
    let mut institution_folds = Recent::default();
    let mut program_folds = Recent::default();
    courses.make_room();
    for (line, basic) in lines.iter().zip(&basics) {
        let at = institution_folds.of(&line.head.institution, |t| fold_onto(t, &mut folded));
        let course = courses.of(course_named(&line.course_id, &line.course_title));
        let program = basic
            .is_some_and(|b| b.unit == Unit::Clock)
            .then(|| program_folds.of(&line.head.program, |t| fold_onto(t, &mut folded)));
        spans.push((at, course, program));
    }
    let text = |span: &Range<usize>| &folded[span.clone()];
    // A course: folded institution and course id, else title.
    let keys: Vec<Key> = spans
        .iter()
        .map(|(i, c, _)| (text(i), &courses.folded[c.clone()]))
        .collect();
    // A clock line's program: folded institution and program.
    let program_keys: Vec<Option<Key>> = spans
        .iter()
        .map(|(i, _, p)| p.as_ref().map(|p| (text(i), text(p))))
        .collect();
    let key_of = |i: usize| keys[i];
    // Each line's course, as the first line of the same course: the only
    // hashing of keys (looking a key up for each line in each step was 7%
    // of the rules' time on 10M rows).
    let mut first_of_course: HashMap<Key, usize> =
        HashMap::with_capacity_and_hasher(lines.len(), Default::default());
    let course_of: Vec<usize> = keys
        .iter()
        .enumerate()
        .map(|(i, &key)| *first_of_course.entry(key).or_insert(i))
        .collect();
    // Lines by completion, then input order, each as one number: compared
    // as a date and three numbers, sorting a member's lines was 9% of the
    // instructions of `evaluate`'s bench.
    let completions: Vec<u128> = lines
        .iter()
        .zip(&basics)
        .map(|(line, basic)| basic.map_or(0, |b| completion_key(b.completed_on, line.at.order)))
        .collect();
    let earliest = |i: usize| completions[i];

    // Step 10: the earliest completion keeps the course. By course, the line kept.
    let mut keeper: Vec<Option<usize>> = vec![None; lines.len()];
    for &i in &standing {
        let slot = &mut keeper[course_of[i]];
        if slot.is_none_or(|kept| earliest(i) < earliest(kept)) {
            *slot = Some(i);
        }
    }
    let mut owned = OwnedKey::default();
    standing.retain(|&i| {
        let key = key_of(i);
        let verdict = if !prior.courses.is_empty() && prior.courses.contains(owned.of(key)) {
            Some(format!(
                "course '{}' was already credited in an earlier run",
                course_label(lines[i])
            ))
        } else {
            let kept_elsewhere = keeper[course_of[i]].filter(|&kept| kept != i);
            kept_elsewhere.map(|kept| {
                format!(
                    "course '{}' is already counted from {}",
                    course_label(lines[i]),
                    lines[kept].at.describe()
                )
            })
        };
        match verdict {
            Some(message) => {
                outcomes[i] = Some(reject(
                    &lines[i].at,
                    Kind::Transcript,
                    &lines[i].head.member_id,
                    (Code::DuplicateCourse, message),
                ));
                false
            }
            None => true,
        }
    });

    // Step 11: a clock-hour program counts only when it is long enough.
    // By program, its courses (each by its first line) and the line that counts.
    let mut programs: BTreeMap<Key, BTreeMap<usize, usize>> = BTreeMap::new();
    for (i, program) in program_keys.iter().enumerate() {
        if let Some(program) = *program {
            let courses = programs.entry(program).or_default();
            let slot = courses.entry(course_of[i]).or_insert(i);
            if earliest(i) < earliest(*slot) {
                *slot = i;
            }
        }
    }
    let lengths: BTreeMap<Key, Hundredths> = programs
        .iter()
        .map(|(&program, courses)| {
            let earlier = if prior.clock_courses.is_empty() {
                None
            } else {
                prior.clock_courses.get(owned.of(program))
            };
            let this_run: Hundredths = courses
                .iter()
                .filter(|(&course, _)| {
                    !earlier.is_some_and(|e| e.contains_key(owned.of(key_of(course))))
                })
                .map(|(_, &i)| basics[i].expect("passed 1–6").hours)
                .sum();
            (
                program,
                this_run + earlier.into_iter().flat_map(|e| e.values().copied()).sum(),
            )
        })
        .collect();
    standing.retain(|&i| {
        if basics[i].expect("standing").unit != Unit::Clock {
            return true;
        }
        // A standing clock row passed checks 1–6, so its program has a length.
        let total = lengths[&program_keys[i].expect("a clock row")];
        if total >= rules.clock_minimum_hours {
            return true;
        }
        let message = format!(
            "program '{}' at '{}' is {total} clock hours long, below the minimum of {}",
            lines[i].head.program, lines[i].head.institution, rules.clock_minimum_hours
        );
        outcomes[i] = Some(reject(
            &lines[i].at,
            Kind::Transcript,
            &lines[i].head.member_id,
            (Code::BelowClockMinimum, message),
        ));
        false
    });

    // Steps 12–13: conversion, then the annual cap in completion order.
    // In completion order, which is by year: each year's rows one after another.
    standing.sort_unstable_by_key(|&i| earliest(i));
    let year_of = |i: usize| basics[i].expect("standing").completed_on.year();
    for rows in standing.chunk_by(|&a, &b| year_of(a) == year_of(b)) {
        let year = year_of(rows[0]);
        let cap_group = years.of(year);
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
                reject(
                    &line.at,
                    Kind::Transcript,
                    &line.head.member_id,
                    (
                        Code::AnnualCapReached,
                        Reason::cap_reached(year, rules.annual_cap_ceus, ceus),
                    ),
                )
            } else {
                let b = basics[i].expect("standing");
                Outcome::Credit(Credit {
                    at: line.at.clone(),
                    kind: Kind::Transcript,
                    member_id: line.head.member_id.clone(),
                    member_name: line.head.member_name.clone(),
                    institution: line.head.institution.clone(),
                    program: line.head.program.clone(),
                    course_id: line.course_id.clone(),
                    course: course_label(line).clone(),
                    credential: Text::from(""),
                    completed_on: b.completed_on,
                    unit: b.unit,
                    hours: b.hours,
                    ceus_computed: ceus,
                    ceus_awarded: award,
                    capped: award < ceus,
                    cap_group: cap_group.clone(),
                })
            });
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every line has an outcome"))
        .collect()
}

/// Verdicts on a member's texts that repeat line after line, each made
/// once (looking each line's grade up in the rule set's table was 5% of
/// the rules' time).
#[derive(Default)]
struct TextVerdicts<'a> {
    areas: Recent<'a, bool>,
    non_passing: Recent<'a, bool>,
}

/// What was made of the last few texts of a member's lines, found by the
/// text's address: equal texts of a part share one allocation, and a
/// member's lines mostly repeat a few (its institution, program, grades).
struct Recent<'a, T> {
    made: [Option<(&'a Text, T)>; 8],
    next: usize,
}

impl<T> Default for Recent<'_, T> {
    fn default() -> Self {
        Recent {
            made: std::array::from_fn(|_| None),
            next: 0,
        }
    }
}

impl<'a, T: Clone> Recent<'a, T> {
    /// What `make` makes of `text`, made once while `text` is among the last few.
    fn of(&mut self, text: &'a Text, make: impl FnOnce(&str) -> T) -> T {
        let mut known = self.made.iter().flatten();
        if let Some((_, made)) = known.find(|(t, _)| Text::ptr_eq(t, text)) {
            return made.clone();
        }
        let made = make(text);
        self.made[self.next] = Some((text, made.clone()));
        self.next = (self.next + 1) % self.made.len();
        made
    }
}

/// A line's completion date, then its place in input order, as one number
/// that orders lines as the pair does.
fn completion_key(on: Date, (file, sheet, row): crate::model::Order) -> u128 {
    let day = u128::from(date_number(on));
    day << 96 | u128::from(file) << 64 | u128::from(sheet) << 32 | u128::from(row)
}

/// The course title, else the course id.
fn course_label(line: &TranscriptLine) -> &Text {
    if line.course_title.is_empty() {
        &line.course_id
    } else {
        &line.course_title
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::model::{Code, RowRef};
    use crate::normalize::value::{parse_hours_text, Amount};
    use crate::normalize::LineHead;
    use crate::rules::Outcome;
    use jiff::civil::date;

    /// A valid credit-hour line completed on `on`, at row `n` of one file.
    fn line(n: u32, course: &str, on: Date, credit: &str) -> TranscriptLine {
        TranscriptLine {
            at: RowRef::in_file("t.csv", (0, 0, n)),
            head: Arc::new(LineHead {
                member_id: "42".into(),
                member_name: "Ana".into(),
                institution: "Riverside CC".into(),
                program: "AAS Health Information".into(),
                program_area: "Health Care".into(),
            }),
            course_id: course.into(),
            course_title: format!("Course {course}").into(),
            completed_on: Parsed::Value(on).into(),
            hours: LineHours::Credit(Amount::of(parse_hours_text(credit).unwrap())),
            grade: "A".into(),
            certified_on: Parsed::Value(date(2020, 1, 1)).into(),
        }
    }

    fn clock(n: u32, course: &str, on: Date, hours: &str) -> TranscriptLine {
        let mut line = TranscriptLine {
            hours: LineHours::Clock(Amount::of(parse_hours_text(hours).unwrap())),
            ..line(n, course, on, "1")
        };
        head(&mut line).program = "Coding Diploma".into();
        line
    }

    /// The line's own head, to change.
    fn head(line: &mut TranscriptLine) -> &mut LineHead {
        Arc::make_mut(&mut line.head)
    }

    fn member(due: Option<Date>) -> Member {
        Member {
            member_id: "42".into(),
            member_name: String::new(),
            certified_on: date(2022, 3, 1),
            renewal_due: due,
            credentials: vec!["CPC".into()],
            ceus_required: None,
        }
    }

    const AS_OF: Date = date(2026, 11, 15);

    fn run(lines: &[TranscriptLine], member: Option<&Member>, prior: &PriorMember) -> Vec<Outcome> {
        let refs: Vec<&TranscriptLine> = lines.iter().collect();
        evaluate(
            &refs,
            member,
            prior,
            &RuleSet::default(),
            AS_OF,
            &mut RunTexts::default(),
        )
    }

    /// Checks 1–6 of one line.
    fn basic(line: &TranscriptLine, rules: &RuleSet) -> Result<Basic, Verdict> {
        check_basic(line, rules, AS_OF, &mut TextVerdicts::default())
    }

    /// `(row, code)` for rejections, `(row, awarded hundredths, capped)` for credits.
    fn summary(outcomes: &[Outcome]) -> Vec<String> {
        outcomes
            .iter()
            .map(|o| match o {
                Outcome::Credit(c) => format!(
                    "{} {} {}{}",
                    c.at.row().unwrap(),
                    c.ceus_computed,
                    c.ceus_awarded,
                    if c.capped { " capped" } else { "" }
                ),
                Outcome::Rejection(r) => format!("{} {}", r.at.row().unwrap(), r.code.as_str()),
            })
            .collect()
    }

    fn code_of(l: TranscriptLine) -> Code {
        basic(&l, &RuleSet::default()).unwrap_err().0
    }

    #[test]
    fn step_1_missing_field_names_every_blank() {
        let mut l = line(2, "C1", date(2025, 1, 10), "3");
        head(&mut l).institution = "".into();
        l.course_id = "".into();
        l.course_title = "".into();
        let (code, message) = basic(&l, &RuleSet::default()).unwrap_err();
        assert_eq!(code, Code::MissingField);
        assert_eq!(message, "institution, course_id or course_title is blank");
        let mut l = line(2, "C1", date(2025, 1, 10), "3");
        l.completed_on = Parsed::Blank.into();
        assert_eq!(code_of(l), Code::MissingField);
    }

    #[test]
    fn step_2_invalid_date_before_step_3() {
        let mut l = line(2, "C1", date(2025, 1, 10), "3");
        l.completed_on = Parsed::Invalid("2025-02-30".into()).into();
        l.hours = LineHours::CreditInvalid("x".into());
        assert_eq!(code_of(l), Code::InvalidDate);
    }

    #[test]
    fn step_3_invalid_hours() {
        let with_hours = |clock, credit| {
            let mut l = line(2, "C1", date(2025, 1, 10), "3");
            l.hours = LineHours::of(clock, credit);
            basic(&l, &RuleSet::default()).unwrap_err()
        };
        let three = Parsed::Value(Amount::of(Hundredths(300)));
        let bad = || Parsed::Invalid("2 hrs".into());
        let zero = Parsed::Value(Amount::of(Hundredths(0)));
        let rejected = |message: &str| (Code::InvalidHours, message.to_string());
        let not_a_number = |field: &str| {
            rejected(&format!("{field}: '2 hrs' is not a number of hours (digits with an optional '.' fraction, at most 100000)"))
        };
        assert_eq!(
            with_hours(three, bad()),
            rejected("both clock_hours and credit_hours are given")
        );
        assert_eq!(
            with_hours(Parsed::Blank, Parsed::Blank),
            rejected("neither clock_hours nor credit_hours is given")
        );
        assert_eq!(
            with_hours(zero, Parsed::Blank),
            rejected("clock_hours is not greater than zero")
        );
        assert_eq!(
            with_hours(Parsed::Blank, zero),
            rejected("credit_hours is not greater than zero")
        );
        assert_eq!(
            with_hours(bad(), Parsed::Blank),
            not_a_number("clock_hours")
        );
        assert_eq!(
            with_hours(Parsed::Blank, bad()),
            not_a_number("credit_hours")
        );
        // 0.004 hours round to zero hundredths.
        let rounded = line(2, "C1", date(2025, 1, 10), "0.004");
        assert_eq!(code_of(rounded), Code::InvalidHours);
        assert!(basic(
            &line(2, "C1", date(2025, 1, 10), "0.005"),
            &RuleSet::default()
        )
        .is_ok());
    }

    #[test]
    fn step_4_program_area_matched_folded() {
        let mut l = line(2, "C1", date(2025, 1, 10), "3");
        head(&mut l).program_area = "Health-Care_Finance".into();
        assert!(basic(&l, &RuleSet::default()).is_ok());
        head(&mut l).program_area = "Health sciences".into();
        assert_eq!(code_of(l), Code::NotHealthcareProgram);
    }

    #[test]
    fn a_remembered_program_area_verdict_follows_the_line_head() {
        let accepted = line(2, "C1", date(2025, 1, 10), "1");
        let mut shares_accepted = line(3, "C2", date(2025, 1, 11), "1");
        shares_accepted.head = accepted.head.clone();
        let mut refused = line(4, "C3", date(2025, 1, 12), "1");
        head(&mut refused).program_area = "Cosmetology".into();
        let mut shares_refused = line(5, "C4", date(2025, 1, 13), "1");
        shares_refused.head = refused.head.clone();
        let mut accepted_again = line(6, "C5", date(2025, 1, 14), "1");
        accepted_again.head = accepted.head.clone();
        let lines = [
            accepted,
            shares_accepted,
            refused,
            shares_refused,
            accepted_again,
        ];
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec![
                "2 10.00 10.00",
                "3 10.00 10.00",
                "4 NOT_HEALTHCARE_PROGRAM",
                "5 NOT_HEALTHCARE_PROGRAM",
                "6 10.00 10.00"
            ]
        );
    }

    #[test]
    fn step_5_non_passing_grades_and_blank_passes() {
        let mut l = line(2, "C1", date(2025, 1, 10), "3");
        l.grade = " wp ".into();
        assert_eq!(code_of(l.clone()), Code::NotPassed);
        l.grade = "".into();
        assert!(basic(&l, &RuleSet::default()).is_ok());
        l.grade = "D".into();
        assert!(basic(&l, &RuleSet::default()).is_ok());
    }

    #[test]
    fn step_5_each_shared_grade_keeps_its_own_verdict() {
        // Ten grade texts, more than the verdicts remembered, each shared
        // by the lines that give it, as read; every other one fails.
        let grades: Vec<Text> = ["A", "F", "B", "W", "C", "WF", "P", "NP", "D", "I"]
            .map(Text::from)
            .into();
        let lines: Vec<TranscriptLine> = (0..30u32)
            .map(|n| TranscriptLine {
                grade: grades[(n * 7 % 10) as usize].clone(),
                ..line(n + 2, &format!("C{n}"), date(2025, 1, 1), "0.1")
            })
            .collect();
        let codes: Vec<bool> = run(&lines, None, &PriorMember::default())
            .iter()
            .map(|o| matches!(o, Outcome::Rejection(r) if r.code == Code::NotPassed))
            .collect();
        let expected: Vec<bool> = (0..30u32).map(|n| n * 7 % 10 % 2 == 1).collect();
        assert_eq!(codes, expected);
    }

    #[test]
    fn completion_keys_order_lines_by_date_then_input_order() {
        let pairs = [
            (date(-9999, 1, 1), (u32::MAX, u32::MAX, u32::MAX)),
            (date(2024, 12, 31), (3, 0, 9)),
            (date(2025, 1, 1), (0, 0, 2)),
            (date(2025, 1, 1), (0, 0, 3)),
            (date(2025, 1, 1), (0, 1, 0)),
            (date(2025, 1, 1), (1, 0, 0)),
            (date(2025, 1, 2), (0, 0, 0)),
            (date(2025, 2, 1), (0, 0, 0)),
            (date(9999, 12, 31), (0, 0, 0)),
        ];
        let keys: Vec<u128> = pairs
            .iter()
            .map(|&(on, at)| completion_key(on, at))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }

    #[test]
    fn step_6_future_date_is_after_as_of() {
        assert!(basic(&line(2, "C1", AS_OF, "3"), &RuleSet::default()).is_ok());
        assert_eq!(
            code_of(line(2, "C1", date(2026, 11, 16), "3")),
            Code::FutureDate
        );
    }

    #[test]
    fn steps_7_to_9_certification_and_window() {
        let m = member(Some(date(2026, 6, 30)));
        let mut no_cert = line(2, "C1", date(2025, 1, 10), "1");
        no_cert.certified_on = Parsed::Blank.into();
        let lines = [
            no_cert,
            line(3, "C2", date(2022, 2, 28), "1"),
            line(4, "C3", date(2024, 5, 31), "1"),
            line(5, "C4", date(2024, 6, 1), "1"),
            line(6, "C5", date(2026, 6, 30), "1"),
        ];
        assert_eq!(
            summary(&run(&lines[..1], None, &PriorMember::default())),
            vec!["2 UNKNOWN_CERTIFICATION"]
        );
        assert_eq!(
            summary(&run(&lines[1..], Some(&m), &PriorMember::default())),
            vec![
                "3 BEFORE_CERTIFICATION",
                "4 OUTSIDE_RENEWAL_PERIOD",
                "5 10.00 10.00",
                "6 10.00 10.00"
            ]
        );
    }

    #[test]
    fn step_10_earliest_completion_keeps_the_course_ties_by_input_order() {
        let lines = [
            line(2, "HIT101", date(2025, 5, 1), "1"),
            line(3, "hit-101", date(2025, 3, 1), "1"),
            line(4, "HIT102", date(2025, 4, 1), "1"),
            line(5, "HIT102", date(2025, 4, 1), "1"),
        ];
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec![
                "2 DUPLICATE_COURSE",
                "3 10.00 10.00",
                "4 10.00 10.00",
                "5 DUPLICATE_COURSE"
            ]
        );
    }

    #[test]
    fn step_10_a_duplicate_names_the_row_that_keeps_the_course() {
        // The course's first row fails check 6; the earliest of the others keeps it.
        let lines = [
            line(2, "HIT101", date(2026, 12, 1), "1"),
            line(3, "HIT101", date(2025, 6, 1), "1"),
            line(4, "HIT101", date(2025, 3, 1), "1"),
        ];
        let outcomes = run(&lines, None, &PriorMember::default());
        assert_eq!(
            summary(&outcomes),
            vec!["2 FUTURE_DATE", "3 DUPLICATE_COURSE", "4 10.00 10.00"]
        );
        let Outcome::Rejection(duplicate) = &outcomes[1] else {
            panic!("row 3 is rejected")
        };
        assert_eq!(
            duplicate.reason.to_string(),
            "course 'Course HIT101' is already counted from t.csv, row 4"
        );
    }

    #[test]
    fn a_runs_course_folds_serve_each_member_and_start_again_when_full() {
        // As a part's members do, the members of a run share course texts:
        // more than the folds hold, met twice.
        let courses: Vec<Text> = (0..MOST_COURSE_FOLDS + 3)
            .map(|n| Text::from(format!("HIT-{n}")))
            .collect();
        let mut texts = RunTexts::default();
        for _ in 0..2 {
            for (n, course) in courses.iter().enumerate() {
                let mut shared = line(2, "", date(2025, 1, 10), "1");
                shared.course_id = course.clone();
                let lines = [
                    shared,
                    // The same course written otherwise, and another course.
                    line(3, &format!("hit {n}"), date(2025, 2, 10), "1"),
                    line(4, &format!("HIT.{n}x"), date(2025, 3, 10), "1"),
                ];
                let refs: Vec<&TranscriptLine> = lines.iter().collect();
                let outcomes = evaluate(
                    &refs,
                    None,
                    &PriorMember::default(),
                    &RuleSet::default(),
                    AS_OF,
                    &mut texts,
                );
                assert_eq!(
                    summary(&outcomes),
                    vec!["2 10.00 10.00", "3 DUPLICATE_COURSE", "4 10.00 10.00"],
                    "{course}"
                );
                // Started again between members: never more than a member's folds past the most.
                assert!(texts.courses.by_address.len() < MOST_COURSE_FOLDS + 3);
            }
        }
    }

    #[test]
    fn step_10_a_retaken_course_after_a_fail_counts_once_passed() {
        let mut failed = line(2, "HIT101", date(2025, 1, 10), "3");
        failed.grade = "F".into();
        let lines = [failed, line(3, "HIT101", date(2025, 5, 10), "3")];
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec!["2 NOT_PASSED", "3 30.00 30.00"]
        );
    }

    #[test]
    fn step_10_duplicate_rows_stay_rejected_when_the_keeper_is_capped_out() {
        let lines = [
            line(2, "A", date(2025, 1, 1), "4"),
            line(3, "B", date(2025, 2, 1), "1"),
            line(4, "B", date(2025, 3, 1), "1"),
        ];
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec![
                "2 40.00 40.00",
                "3 ANNUAL_CAP_REACHED",
                "4 DUPLICATE_COURSE"
            ]
        );
    }

    #[test]
    fn step_10_course_without_id_keys_on_title() {
        let mut a = line(2, "", date(2025, 1, 1), "1");
        a.course_title = "Medical Terminology".into();
        let mut b = a.clone();
        b.at.order.2 = 3;
        b.course_title = "medical  terminology".into();
        assert_eq!(
            summary(&run(&[a, b], None, &PriorMember::default())),
            vec!["2 10.00 10.00", "3 DUPLICATE_COURSE"]
        );
    }

    #[test]
    fn step_11_clock_minimum_boundary() {
        let short = [
            clock(2, "M1", date(2025, 1, 1), "40"),
            clock(3, "M2", date(2025, 2, 1), "39.99"),
        ];
        assert_eq!(
            summary(&run(&short, None, &PriorMember::default())),
            vec!["2 BELOW_CLOCK_MINIMUM", "3 BELOW_CLOCK_MINIMUM"]
        );
        let enough = [
            clock(2, "M1", date(2024, 1, 1), "40"),
            clock(3, "M2", date(2025, 2, 1), "40.00"),
        ];
        assert_eq!(
            summary(&run(&enough, None, &PriorMember::default())),
            vec!["2 40.00 40.00", "3 40.00 40.00"]
        );
    }

    #[test]
    fn step_11_a_course_counts_in_each_program_it_is_taken_in() {
        // M1 is one course (step 10 keeps row 2) but counts in both programs' lengths.
        let mut lines = [
            clock(2, "M1", date(2024, 1, 10), "50"),
            clock(3, "M1", date(2025, 2, 10), "50"),
            clock(4, "M2", date(2025, 3, 10), "35"),
        ];
        head(&mut lines[1]).program = "Billing".into();
        head(&mut lines[2]).program = "Billing".into();
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec![
                "2 BELOW_CLOCK_MINIMUM",
                "3 DUPLICATE_COURSE",
                "4 35.00 35.00"
            ]
        );
    }

    #[test]
    fn step_11_shared_and_changing_heads_keep_each_line_in_its_program() {
        // Lines 3 and 5 share line 2's head (its texts folded once); line 4,
        // between them, is another institution's program.
        let first = clock(2, "C1", date(2022, 1, 10), "30");
        let mut other = clock(4, "C3", date(2024, 1, 10), "30");
        head(&mut other).institution = "Metro Tech".into();
        head(&mut other).program = "Billing".into();
        let mut lines = [
            clock(3, "C2", date(2023, 1, 10), "30"),
            clock(5, "C4", date(2025, 1, 10), "30"),
        ];
        for line in &mut lines {
            line.head = first.head.clone();
        }
        let [second, fourth] = lines;
        assert_eq!(
            summary(&run(
                &[first, second, other, fourth],
                None,
                &PriorMember::default()
            )),
            vec![
                "2 30.00 30.00",
                "3 30.00 30.00",
                "4 BELOW_CLOCK_MINIMUM",
                "5 30.00 30.00"
            ]
        );
    }

    #[test]
    fn step_11_length_counts_rows_before_certification_but_not_failed_ones() {
        let m = member(None);
        let mut failed = clock(4, "M3", date(2025, 3, 1), "50");
        failed.grade = "W".into();
        let lines = [
            clock(2, "M1", date(2021, 1, 1), "45"), // before certification on 2022-03-01
            clock(3, "M2", date(2025, 2, 1), "35"),
            failed,
            clock(5, "M2", date(2025, 6, 1), "35"), // duplicate course counted once
        ];
        assert_eq!(
            summary(&run(&lines, Some(&m), &PriorMember::default())),
            vec![
                "2 BEFORE_CERTIFICATION",
                "3 35.00 35.00",
                "4 NOT_PASSED",
                "5 DUPLICATE_COURSE"
            ]
        );
        let short = [
            clock(3, "M2", date(2025, 2, 1), "35"),
            clock(5, "M4", date(2025, 6, 1), "44.99"),
        ];
        assert_eq!(
            summary(&run(&short, Some(&m), &PriorMember::default())),
            vec!["3 BELOW_CLOCK_MINIMUM", "5 BELOW_CLOCK_MINIMUM"]
        );
    }

    #[test]
    fn step_13_annual_cap_splits_a_row_in_completion_order() {
        let lines = [
            line(2, "C", date(2025, 9, 1), "1"),   // 10 CEUs, completed last
            line(3, "A", date(2025, 2, 1), "3"),   // 30 CEUs, first
            line(4, "B", date(2025, 5, 1), "2"),   // 20 CEUs, split 10
            line(5, "D", date(2026, 1, 5), "4.5"), // next year: 45 → 40 capped
        ];
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec![
                "2 ANNUAL_CAP_REACHED",
                "3 30.00 30.00",
                "4 20.00 10.00 capped",
                "5 45.00 40.00 capped"
            ]
        );
        let Outcome::Rejection(capped_out) = &run(&lines, None, &PriorMember::default())[0] else {
            panic!("row 2 is rejected");
        };
        assert_eq!(
            capped_out.message(),
            "t.csv, row 2: the 2025 cap of 40.00 CEUs is already reached; 10.00 CEUs not awarded"
        );
    }

    #[test]
    fn step_13_same_day_ties_broken_by_input_order() {
        let lines = [
            line(2, "A", date(2025, 2, 1), "3"),
            line(3, "B", date(2025, 2, 1), "3"),
        ];
        assert_eq!(
            summary(&run(&lines, None, &PriorMember::default())),
            vec!["2 30.00 30.00", "3 30.00 10.00 capped"]
        );
    }

    /// An earlier run that counted clock course M0, 60 hours, toward the
    /// Coding Diploma at Riverside CC (the program of `clock` lines).
    fn prior_with_m0_of_60_hours() -> PriorMember {
        let mut prior = PriorMember::default();
        // An earlier run's clock course is one of its courses too, as `Prior` reads them.
        prior.courses.insert(("riversidecc".into(), "m0".into()));
        prior
            .clock_courses
            .entry(("riversidecc".into(), "codingdiploma".into()))
            .or_default()
            .insert(("riversidecc".into(), "m0".into()), Hundredths(6000));
        prior
    }

    #[test]
    fn prior_runs_count_against_cap_courses_and_program_length() {
        let mut prior = prior_with_m0_of_60_hours();
        prior.annual.insert(2025, Hundredths(3500));
        prior.courses.insert(("riversidecc".into(), "a".into()));
        let lines = [
            line(2, "A", date(2025, 2, 1), "1"),
            line(3, "B", date(2025, 3, 1), "1"),
            clock(4, "M1", date(2024, 3, 1), "20"),
        ];
        assert_eq!(
            summary(&run(&lines, None, &prior)),
            vec!["2 DUPLICATE_COURSE", "3 10.00 5.00 capped", "4 20.00 20.00"]
        );
    }

    #[test]
    fn a_clock_course_of_an_earlier_run_counts_once_in_its_programs_length() {
        // M0's 60 hours were counted in an earlier run (so M0 is a duplicate
        // here): the program is 70 hours long (60 + 10), not 130, and below
        // the minimum of 80.
        let prior = prior_with_m0_of_60_hours();
        let lines = [
            clock(2, "M0", date(2024, 3, 1), "60"),
            clock(3, "M1", date(2024, 4, 1), "10"),
        ];
        assert_eq!(
            summary(&run(&lines, None, &prior)),
            vec!["2 DUPLICATE_COURSE", "3 BELOW_CLOCK_MINIMUM"]
        );
    }
}
