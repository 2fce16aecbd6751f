//! Earlier runs (SPEC.md 4.4): the credits of a `--prior` file, gathered per
//! member, count against caps, course keys and program lengths.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashMap;

use jiff::civil::Date;

use crate::model::{Hundredths, Kind, MemberKey, Unit};
use crate::normalize::header::fold;
use crate::rules::ruleset::credential_key;

/// One row of an earlier run's `credits`.
#[derive(Clone, Debug, PartialEq)]
pub struct PriorCredit {
    pub kind: Kind,
    pub member_id: String,
    pub institution: String,
    pub program: String,
    pub course_id: String,
    pub course: String,
    pub credential: String,
    pub completed_on: Date,
    pub unit: Unit,
    pub hours: Hundredths,
    pub ceus_awarded: Hundredths,
}

/// A transcript course: folded institution and folded course id, else title.
pub type CourseKey = (String, String);

/// A clock-hour program: folded institution and program.
pub type ProgramKey = (String, String);

/// An instructor record as an earlier run can match it: folded institution,
/// folded title, credential and finish date (credits carry no start date).
pub type InstructorKey = (String, String, String, Date);

pub fn course_key(institution: &str, course_id: &str, course_title: &str) -> CourseKey {
    (
        fold(institution),
        fold(course_named(course_id, course_title)),
    )
}

/// What names a course: its id, else its title.
pub fn course_named<'a, T: std::borrow::Borrow<str> + ?Sized>(
    course_id: &'a T,
    course_title: &'a T,
) -> &'a T {
    if course_id.borrow().trim().is_empty() {
        course_title
    } else {
        course_id
    }
}

/// A key of folded texts, borrowed, made owned in one reused pair of
/// buffers to look it up in an earlier run's keys without allocating.
#[derive(Default)]
pub struct OwnedKey((String, String));

impl OwnedKey {
    pub fn of(&mut self, (a, b): (&str, &str)) -> &(String, String) {
        let (first, second) = &mut self.0;
        first.clear();
        first.push_str(a);
        second.clear();
        second.push_str(b);
        &self.0
    }
}

/// What earlier runs gave one member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriorMember {
    pub annual: BTreeMap<i16, Hundredths>,
    pub by_credential: BTreeMap<String, Hundredths>,
    pub courses: BTreeSet<CourseKey>,
    pub clock_courses: BTreeMap<ProgramKey, BTreeMap<CourseKey, Hundredths>>,
    pub instructor_records: BTreeSet<InstructorKey>,
}

/// Earlier runs' credits, by member.
#[derive(Clone, Debug, Default)]
pub struct Prior {
    pub members: HashMap<MemberKey, PriorMember>,
}

impl Prior {
    pub fn from_credits(credits: &[PriorCredit]) -> Prior {
        let mut prior = Prior::default();
        for c in credits {
            let m = prior
                .members
                .entry(MemberKey::new(&c.member_id))
                .or_default();
            match c.kind {
                Kind::Instructor => {
                    let credential = credential_key(&c.credential);
                    *m.by_credential.entry(credential.clone()).or_default() += c.ceus_awarded;
                    m.instructor_records.insert((
                        fold(&c.institution),
                        fold(&c.course),
                        credential,
                        c.completed_on,
                    ));
                }
                _ => {
                    *m.annual.entry(c.completed_on.year()).or_default() += c.ceus_awarded;
                    // `course` is the title, else the id; with an id, the key is the id.
                    let key = course_key(&c.institution, &c.course_id, &c.course);
                    m.courses.insert(key.clone());
                    if c.unit == Unit::Clock {
                        m.clock_courses
                            .entry((fold(&c.institution), fold(&c.program)))
                            .or_default()
                            .entry(key)
                            .or_insert(c.hours);
                    }
                }
            }
        }
        prior
    }

    pub fn member(&self, key: &MemberKey) -> Option<&PriorMember> {
        self.members.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn prior_credits_gather_per_member() {
        let base = PriorCredit {
            kind: Kind::Transcript,
            member_id: "007".into(),
            institution: "Metro Tech".into(),
            program: "Coding Diploma".into(),
            course_id: "".into(),
            course: "Anatomy I".into(),
            credential: "".into(),
            completed_on: date(2025, 5, 1),
            unit: Unit::Clock,
            hours: Hundredths(3000),
            ceus_awarded: Hundredths(3000),
        };
        let instr = PriorCredit {
            kind: Kind::Instructor,
            credential: "CPC".into(),
            unit: Unit::Contact,
            ceus_awarded: Hundredths(1000),
            ..base.clone()
        };
        let prior = Prior::from_credits(&[base.clone(), base.clone(), instr]);
        let m = prior.member(&MemberKey::new("7")).unwrap();
        assert_eq!(m.annual[&2025], Hundredths(6000));
        assert_eq!(m.by_credential["CPC"], Hundredths(1000));
        assert!(m
            .courses
            .contains(&("metrotech".to_string(), "anatomyi".to_string())));
        let program = &m.clock_courses[&("metrotech".to_string(), "codingdiploma".to_string())];
        assert_eq!(
            program.values().copied().sum::<Hundredths>(),
            Hundredths(3000)
        );
    }
}
