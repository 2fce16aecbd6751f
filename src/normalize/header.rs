//! Finding a sheet's header and its kind (SPEC.md section 2): folding,
//! field aliases, and which columns each record kind needs.

use std::collections::BTreeMap;

use crate::model::Kind;

/// `#` reads as `no`, then lower case, without white space, `_`, `-` or `.`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_onto(s, &mut out);
    out
}

/// Appends `fold(s)` to `out`, and says where it is: texts folded for one
/// member share one buffer instead of an allocation each.
pub fn fold_onto(s: &str, out: &mut String) -> std::ops::Range<usize> {
    let start = out.len();
    if s.is_ascii() {
        // The runs between the bytes a fold drops or spells out are copied
        // whole, then lowered at once: byte by byte, folding was a tenth of
        // the transcript rules' instructions.
        let mut rest = s;
        while let Some(at) = rest.bytes().position(is_dropped_or_spelled) {
            out.push_str(&rest[..at]);
            if rest.as_bytes()[at] == b'#' {
                out.push_str("no");
            }
            rest = &rest[at + 1..];
        }
        out.push_str(rest);
        out[start..].make_ascii_lowercase();
    } else {
        fold_chars_onto(s, out);
    }
    start..out.len()
}

/// The ASCII bytes `fold` does not keep as they are (bar case): `#`, which
/// reads as `no`, and those it drops.
fn is_dropped_or_spelled(b: u8) -> bool {
    DROPPED_OR_SPELLED[usize::from(b)]
}

/// `is_dropped_or_spelled` by byte, looked up: tested in turn, the bytes
/// of a text cost six comparisons each.
const DROPPED_OR_SPELLED: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"#_-. \t\n\x0b\x0c\r";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// `f` of `fold(s)`. The common case, short ASCII text, is folded on the
/// stack without case tables and without allocating: a lookup of a folded
/// text made for every line costs no allocation.
pub fn with_folded<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0u8; 128];
    match fold_in(s, &mut buffer) {
        Some(folded) => f(folded),
        None => f(&fold(s)),
    }
}

/// `fold_onto` character by character, for any text.
fn fold_chars_onto(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '#' => out.push_str("no"),
            '_' | '-' | '.' => {}
            c if c.is_whitespace() => {}
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// `fold` of an ASCII text made in `buffer`, without allocating; `None`
/// when the text is not ASCII or its fold does not fit.
fn fold_in<'b>(text: &str, buffer: &'b mut [u8]) -> Option<&'b str> {
    if !text.is_ascii() {
        return None;
    }
    let mut len = 0;
    fold_ascii(text, |b| {
        *buffer.get_mut(len)? = b;
        len += 1;
        Some(())
    })?;
    // Never fails: only ASCII was written.
    std::str::from_utf8(&buffer[..len]).ok()
}

/// `fold` of an ASCII text, byte by byte into `put`, which may stop it
/// with `None`.
fn fold_ascii(text: &str, mut put: impl FnMut(u8) -> Option<()>) -> Option<()> {
    for b in text.bytes() {
        match b {
            b'#' => {
                put(b'n')?;
                put(b'o')?;
            }
            b if is_dropped_or_spelled(b) => {}
            b => put(b.to_ascii_lowercase())?,
        }
    }
    Some(())
}

/// Every column any record kind knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    MemberId,
    MemberName,
    Institution,
    Program,
    ProgramArea,
    CourseId,
    CourseTitle,
    CompletedOn,
    ClockHours,
    CreditHours,
    Grade,
    CertifiedOn,
    Credential,
    Delivery,
    StartedOn,
    FinishedOn,
    ContactHours,
    ApprovalId,
    Syllabus,
    CurriculumTitles,
    RenewalDue,
    Credentials,
    CeusRequired,
}

/// Each field's own name and its aliases, as SPEC.md lists them.
const FIELDS: &[(Field, &str, &[&str])] = &[
    (
        Field::MemberId,
        "member_id",
        &["aapc_id", "member_number", "member_no", "instructor_id"],
    ),
    (
        Field::MemberName,
        "member_name",
        &["name", "student_name", "instructor_name"],
    ),
    (Field::Institution, "institution", &["school", "college"]),
    (
        Field::Program,
        "program",
        &["program_name", "degree", "diploma"],
    ),
    (Field::ProgramArea, "program_area", &["field", "area"]),
    (
        Field::CourseId,
        "course_id",
        &["course_code", "course_number", "course_no"],
    ),
    (
        Field::CourseTitle,
        "course_title",
        &["course", "course_name"],
    ),
    (
        Field::CompletedOn,
        "completed_on",
        &["completion_date", "end_date", "date_completed"],
    ),
    (Field::ClockHours, "clock_hours", &[]),
    (
        Field::CreditHours,
        "credit_hours",
        &[
            "credits",
            "semester_hours",
            "credits_earned",
            "earned_credits",
        ],
    ),
    (Field::Grade, "grade", &[]),
    (Field::CertifiedOn, "certified_on", &["certification_date"]),
    (Field::Credential, "credential", &[]),
    (Field::Delivery, "delivery", &["format", "modality"]),
    (Field::StartedOn, "started_on", &["start_date"]),
    (
        Field::FinishedOn,
        "finished_on",
        &["finish_date", "end_date"],
    ),
    (Field::ContactHours, "contact_hours", &["hours_taught"]),
    (
        Field::ApprovalId,
        "approval_id",
        &["prior_approval", "approval_number"],
    ),
    (Field::Syllabus, "syllabus", &["syllabus_ref"]),
    (
        Field::CurriculumTitles,
        "curriculum_titles",
        &["curriculum", "textbooks"],
    ),
    (
        Field::RenewalDue,
        "renewal_due",
        &["due_date", "renewal_date"],
    ),
    (Field::Credentials, "credentials", &[]),
    (Field::CeusRequired, "ceus_required", &[]),
];

impl Field {
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("")
    }

    /// The field a rules file's `[columns]` value names.
    pub fn from_name(name: &str) -> Option<Field> {
        let folded = fold(name);
        FIELDS
            .iter()
            .find(|(_, n, _)| fold(n) == folded)
            .map(|(f, _, _)| *f)
    }

    /// Whether a folded header is this field's own name or one of its aliases.
    fn matches(self, folded: &str) -> bool {
        FOLDED_NAMES
            .get(folded)
            .is_some_and(|fields| fields.contains(&self))
    }
}

/// Every field name and alias, folded once, with the fields it names
/// (`end_date` names two): a header cell is one lookup, however wide the sheet.
static FOLDED_NAMES: std::sync::LazyLock<std::collections::HashMap<String, Vec<Field>>> =
    std::sync::LazyLock::new(|| {
        let mut names: std::collections::HashMap<String, Vec<Field>> = Default::default();
        for (field, name, aliases) in FIELDS {
            for n in std::iter::once(name).chain(aliases.iter()) {
                names.entry(fold(n)).or_default().push(*field);
            }
        }
        names
    });

const TRANSCRIPT_FIELDS: &[Field] = &[
    Field::MemberId,
    Field::MemberName,
    Field::Institution,
    Field::Program,
    Field::ProgramArea,
    Field::CourseId,
    Field::CourseTitle,
    Field::CompletedOn,
    Field::ClockHours,
    Field::CreditHours,
    Field::Grade,
    Field::CertifiedOn,
];

const INSTRUCTOR_FIELDS: &[Field] = &[
    Field::MemberId,
    Field::MemberName,
    Field::Institution,
    Field::CourseTitle,
    Field::Credential,
    Field::Delivery,
    Field::StartedOn,
    Field::FinishedOn,
    Field::ContactHours,
    Field::ApprovalId,
    Field::Syllabus,
    Field::CurriculumTitles,
    Field::CertifiedOn,
];

const ROSTER_FIELDS: &[Field] = &[
    Field::MemberId,
    Field::CertifiedOn,
    Field::MemberName,
    Field::RenewalDue,
    Field::Credentials,
    Field::CeusRequired,
];

fn kind_fields(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Transcript => TRANSCRIPT_FIELDS,
        Kind::Instructor => INSTRUCTOR_FIELDS,
        Kind::Member => ROSTER_FIELDS,
    }
}

/// A header row understood as one record kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub kind: Kind,
    /// Required columns the header lacks (then every row is `MISSING_COLUMN`).
    pub missing: Vec<String>,
    /// Index of the last non-blank header name: CSV fields beyond it are `MALFORMED_ROW`.
    pub last_named: usize,
    /// The column index of each field present, by `Field as usize`: every
    /// field of every row is looked up.
    by_field: Box<[Option<usize>; FIELD_COUNT]>,
    /// The column of the first of `LINE_HEAD`, when the line head's columns
    /// are side by side in that order.
    head_run_start: Option<usize>,
}

/// A transcript line head's fields in SPEC.md's order of the columns: a
/// file laid out so (member_name among them) has its heads compared as one
/// run of bytes.
pub const LINE_HEAD: [Field; 5] = [
    Field::MemberId,
    Field::MemberName,
    Field::Institution,
    Field::Program,
    Field::ProgramArea,
];

/// How many fields there are.
pub const FIELD_COUNT: usize = FIELDS.len();

impl Header {
    /// The column index of a field present.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.by_field[field as usize]
    }

    /// The column of the first of `LINE_HEAD`, when the line head's columns
    /// are side by side in that order.
    pub fn head_run_start(&self) -> Option<usize> {
        self.head_run_start
    }
}

/// Header matching with the rule set's extra names (`[columns]`, `--map`).
#[derive(Clone, Debug, Default)]
pub struct HeaderMatcher {
    extra: Vec<(String, Field)>,
}

impl HeaderMatcher {
    pub fn new(extra: &BTreeMap<String, Field>) -> HeaderMatcher {
        HeaderMatcher {
            extra: extra.iter().map(|(h, f)| (fold(h), *f)).collect(),
        }
    }

    fn field_of(&self, folded: &str, candidates: &[Field]) -> Option<Field> {
        if let Some((_, f)) = self
            .extra
            .iter()
            .find(|(h, f)| h == folded && candidates.contains(f))
        {
            return Some(*f);
        }
        candidates.iter().copied().find(|f| f.matches(folded))
    }

    fn map_columns(&self, names: &[String], kind: Kind) -> BTreeMap<Field, usize> {
        let mut columns: BTreeMap<Field, (usize, bool)> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let folded = fold(name);
            if folded.is_empty() {
                continue;
            }
            let Some(field) = self.field_of(&folded, kind_fields(kind)) else {
                continue;
            };
            let own_name = folded == fold(field.name());
            match columns.get(&field) {
                // The field's own name beats an alias; otherwise the leftmost stays.
                Some((_, true)) => {}
                Some((_, false)) if !own_name => {}
                _ => {
                    columns.insert(field, (i, own_name));
                }
            }
        }
        columns.into_iter().map(|(f, (i, _))| (f, i)).collect()
    }

    /// Tries a row as a transcript, an instructor and a roster header, in that order.
    pub fn recognise(&self, names: &[String]) -> Option<Header> {
        for kind in [Kind::Transcript, Kind::Instructor, Kind::Member] {
            let columns = self.map_columns(names, kind);
            let has = |f: Field| columns.contains_key(&f);
            let identified = match kind {
                Kind::Transcript => {
                    has(Field::MemberId)
                        && has(Field::CompletedOn)
                        && (has(Field::ClockHours) || has(Field::CreditHours))
                }
                Kind::Instructor => {
                    has(Field::MemberId) && has(Field::Credential) && has(Field::ContactHours)
                }
                Kind::Member => {
                    has(Field::MemberId)
                        && has(Field::CertifiedOn)
                        && self.only_roster_columns(names)
                }
            };
            if !identified {
                continue;
            }
            let unused: Vec<&String> = names
                .iter()
                .enumerate()
                .filter(|(i, n)| !n.trim().is_empty() && !columns.values().any(|c| c == i))
                .map(|(_, n)| n)
                .collect();
            let missing = required(kind)
                .iter()
                .filter(|need| !need.iter().any(|f| has(*f)))
                .map(|need| {
                    let wanted = need
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(" or ");
                    match closest_header(&unused, need) {
                        Some(name) => format!("{wanted} (closest header: '{name}')"),
                        None => wanted,
                    }
                })
                .collect();
            let last_named = names
                .iter()
                .rposition(|n| !n.trim().is_empty())
                .unwrap_or(0);
            let mut by_field = Box::new([None; FIELD_COUNT]);
            for (&field, &i) in &columns {
                by_field[field as usize] = Some(i);
            }
            let head_run_start = by_field[LINE_HEAD[0] as usize].filter(|&first| {
                LINE_HEAD
                    .iter()
                    .enumerate()
                    .all(|(k, &field)| by_field[field as usize] == Some(first + k))
            });
            return Some(Header {
                kind,
                missing,
                last_named,
                by_field,
                head_run_start,
            });
        }
        None
    }

    fn only_roster_columns(&self, names: &[String]) -> bool {
        let all: Vec<Field> = FIELDS.iter().map(|(f, _, _)| *f).collect();
        names.iter().all(|name| {
            let folded = fold(name);
            // `end_date` names two fields; any field outside the roster's makes it no roster.
            let other = all
                .iter()
                .filter(|f| !ROSTER_FIELDS.contains(f))
                .any(|f| f.matches(&folded))
                || self
                    .extra
                    .iter()
                    .any(|(h, f)| *h == folded && !ROSTER_FIELDS.contains(f));
            folded.is_empty() || !other
        })
    }

    /// For an unrecognised header: the kind it came closest to and what it lacks.
    pub fn near_miss(&self, names: &[String]) -> Option<(Kind, Vec<&'static str>)> {
        let mut best: Option<(Kind, Vec<&'static str>)> = None;
        for kind in [Kind::Transcript, Kind::Instructor, Kind::Member] {
            let columns = self.map_columns(names, kind);
            let has = |f: Field| columns.contains_key(&f);
            let lacking: Vec<&'static str> = match kind {
                Kind::Transcript => {
                    let mut l: Vec<&'static str> = [Field::MemberId, Field::CompletedOn]
                        .into_iter()
                        .filter(|f| !has(*f))
                        .map(Field::name)
                        .collect();
                    if !has(Field::ClockHours) && !has(Field::CreditHours) {
                        l.push("clock_hours or credit_hours");
                    }
                    l
                }
                Kind::Instructor => [Field::MemberId, Field::Credential, Field::ContactHours]
                    .into_iter()
                    .filter(|f| !has(*f))
                    .map(Field::name)
                    .collect(),
                Kind::Member => [Field::MemberId, Field::CertifiedOn]
                    .into_iter()
                    .filter(|f| !has(*f))
                    .map(Field::name)
                    .collect(),
            };
            // A near miss lacks exactly one identifying column.
            if lacking.len() == 1 && best.is_none() {
                best = Some((kind, lacking));
            }
        }
        best
    }
}

/// The unused header most like one of `fields` (their names and aliases),
/// when it is alike enough to be worth naming.
fn closest_header<'a>(unused: &[&'a String], fields: &[Field]) -> Option<&'a String> {
    let known: Vec<String> = FIELDS
        .iter()
        .filter(|(f, _, _)| fields.contains(f))
        .flat_map(|(_, name, aliases)| std::iter::once(*name).chain(aliases.iter().copied()))
        .map(fold)
        .collect();
    unused
        .iter()
        .map(|name| {
            let folded = fold(name);
            let score = known
                .iter()
                .map(|k| strsim::normalized_damerau_levenshtein(&folded, k))
                .fold(0.0, f64::max);
            (score, *name)
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// Required columns per kind; an inner list is satisfied by any one of its fields.
fn required(kind: Kind) -> &'static [&'static [Field]] {
    match kind {
        Kind::Transcript => &[
            &[Field::MemberId],
            &[Field::Institution],
            &[Field::Program],
            &[Field::ProgramArea],
            &[Field::CompletedOn],
            &[Field::CourseId, Field::CourseTitle],
        ],
        Kind::Instructor => &[
            &[Field::MemberId],
            &[Field::Institution],
            &[Field::CourseTitle],
            &[Field::Credential],
            &[Field::Delivery],
            &[Field::StartedOn],
            &[Field::FinishedOn],
            &[Field::ContactHours],
            &[Field::ApprovalId],
            &[Field::Syllabus],
            &[Field::CurriculumTitles],
        ],
        Kind::Member => &[&[Field::MemberId], &[Field::CertifiedOn]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_listed_in_their_order() {
        // `Header::column` indexes by `Field as usize`.
        for (i, (field, _, _)) in FIELDS.iter().enumerate() {
            assert_eq!(*field as usize, i, "{field:?}");
        }
        assert_eq!(Field::CeusRequired as usize, FIELD_COUNT - 1);
    }

    /// `fold` the character way only, whatever the text.
    fn fold_chars(s: &str) -> String {
        let mut out = String::new();
        fold_chars_onto(s, &mut out);
        out
    }

    #[test]
    fn texts_folded_onto_one_buffer_say_where_each_is() {
        let mut out = String::new();
        let course = fold_onto("HIM-101 #2", &mut out);
        let program = fold_onto("Santé Coding", &mut out);
        assert_eq!(out, "him101no2santécoding");
        assert_eq!((course, program), (0..9, 9..21));
    }

    #[test]
    fn fold_in_a_buffer_is_fold() {
        let mut buffer = [0u8; 8];
        assert_eq!(fold_in("Course #4", &mut buffer), None);
        let mut buffer = [0u8; 16];
        assert_eq!(fold_in("Course #4", &mut buffer), Some("courseno4"));
        assert_eq!(fold_in("HEALTH-CARE.", &mut buffer), Some("healthcare"));
        assert_eq!(fold_in("Santé", &mut buffer), None);
    }

    proptest::proptest! {
        #[test]
        fn fold_in_gives_fold_where_it_fits(
            text in "[ #_.AaZz09é\t\n\r\x0b\x0c\u{a0}\u{130}-]{0,12}"
        ) {
            // The ASCII way and the character way fold alike.
            proptest::prop_assert_eq!(fold(&text), fold_chars(&text));
            let mut buffer = [0u8; 8];
            match fold_in(&text, &mut buffer) {
                Some(folded) => proptest::prop_assert_eq!(folded, fold_chars(&text)),
                None => proptest::prop_assert!(!text.is_ascii() || fold_chars(&text).len() > 8),
            }
            // Folded onto a buffer that holds text already, ASCII or not.
            let mut out = String::from("é#");
            let at = fold_onto(&text, &mut out);
            proptest::prop_assert_eq!(&out[at.clone()], fold_chars(&text));
            proptest::prop_assert_eq!(&out[..at.start], "é#");
        }

        #[test]
        fn ascii_folded_by_runs_is_fold(text in "[\\x00-\\x7f]{0,24}") {
            // Every text ASCII, so all take the runs' way.
            let mut out = String::from("x");
            let at = fold_onto(&text, &mut out);
            proptest::prop_assert_eq!(&out[at], fold_chars(&text));
        }
    }

    fn names(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn folding_ignores_case_spaces_and_marks() {
        assert_eq!(fold("Member ID"), "memberid");
        assert_eq!(fold("member_id"), "memberid");
        assert_eq!(fold("MEMBERID"), "memberid");
        assert_eq!(fold("Health-Care Finance"), fold("healthcare_finance"));
        assert_eq!(fold("Course #"), "courseno");
        assert_eq!(fold("Face-to-Face"), "facetoface");
    }

    #[test]
    fn transcript_header_with_aliases() {
        let m = HeaderMatcher::default();
        let h = m
            .recognise(&names(
                "AAPC ID,School,Degree,Field,Course #,Course Name,Date Completed,Credits,Grade",
            ))
            .unwrap();
        assert_eq!(h.kind, Kind::Transcript);
        assert!(h.missing.is_empty());
        assert_eq!(h.column(Field::CourseId), Some(4));
        assert_eq!(h.column(Field::CourseTitle), Some(5));
        assert_eq!(h.column(Field::CreditHours), Some(7));
        assert_eq!(h.last_named, 8);
    }

    #[test]
    fn end_date_is_completion_for_transcripts_and_finish_for_instructors() {
        let m = HeaderMatcher::default();
        let t = m
            .recognise(&names("member_id,end_date,clock_hours"))
            .unwrap();
        assert_eq!(t.kind, Kind::Transcript);
        assert_eq!(t.column(Field::CompletedOn), Some(1));
        let i = m
            .recognise(&names("member_id,credential,contact_hours,end_date"))
            .unwrap();
        assert_eq!(i.kind, Kind::Instructor);
        assert_eq!(i.column(Field::FinishedOn), Some(3));
    }

    #[test]
    fn own_name_beats_alias_else_leftmost() {
        let m = HeaderMatcher::default();
        let h = m
            .recognise(&names(
                "member_id,school,institution,completed_on,credits,credit_hours",
            ))
            .unwrap();
        assert_eq!(h.column(Field::Institution), Some(2));
        assert_eq!(h.column(Field::CreditHours), Some(5));
        let h = m
            .recognise(&names("aapc_id,member_no,completed_on,credits"))
            .unwrap();
        assert_eq!(h.column(Field::MemberId), Some(0));
    }

    #[test]
    fn missing_columns_are_named() {
        let m = HeaderMatcher::default();
        let h = m
            .recognise(&names("member_id,completed_on,credit_hours,school"))
            .unwrap();
        assert_eq!(
            h.missing,
            vec!["program", "program_area", "course_id or course_title"]
        );
    }

    #[test]
    fn missing_columns_name_the_closest_header() {
        let m = HeaderMatcher::default();
        let h = m
            .recognise(&names(
                "member_id,completed_on,credit_hours,school,programme,Prog Area,Course Titel,Notes",
            ))
            .unwrap();
        assert_eq!(
            h.missing,
            vec![
                "program (closest header: 'programme')",
                "program_area (closest header: 'Prog Area')",
                "course_id or course_title (closest header: 'Course Titel')"
            ]
        );
    }

    #[test]
    fn roster_only_without_other_fields() {
        let m = HeaderMatcher::default();
        let r = m
            .recognise(&names(
                "Member ID,Name,Certified On,Renewal Due,Credentials,Notes",
            ))
            .unwrap();
        assert_eq!(r.kind, Kind::Member);
        assert!(m
            .recognise(&names("member_id,certified_on,school"))
            .is_none());
    }

    #[test]
    fn extra_column_names_from_rules() {
        let mut extra = BTreeMap::new();
        extra.insert("Student No".to_string(), Field::MemberId);
        let m = HeaderMatcher::new(&extra);
        let h = m
            .recognise(&names("student no,completed_on,clock_hours"))
            .unwrap();
        assert_eq!(h.column(Field::MemberId), Some(0));
    }

    #[test]
    fn near_miss_names_the_lacking_column() {
        let m = HeaderMatcher::default();
        let miss = m.near_miss(&names("member_id,completed,credits")).unwrap();
        assert_eq!(miss, (Kind::Transcript, vec!["completed_on"]));
        assert_eq!(m.near_miss(&names("foo,bar")), None);
    }
}
