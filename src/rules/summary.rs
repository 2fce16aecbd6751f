//! The per-member summary (SPEC.md 4.3 and section 5): CEUs awarded in this
//! run against the member's requirement.

use crate::model::{Credit, Hundredths, Kind, MemberKey, Order};
use crate::rules::roster::{Member, Roster};
use crate::rules::ruleset::{credential_key, RuleSet};

/// One row of `summary`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub member_id: String,
    pub member_name: String,
    pub transcript_ceus: Hundredths,
    pub instructor_ceus: Hundredths,
    pub total_ceus: Hundredths,
    pub credentials_held: String,
    pub ceus_required: Option<Hundredths>,
    pub ceus_remaining: Option<Hundredths>,
}

/// The counted credentials as the roster writes them, upper-case, each once (its first form).
pub fn credentials_held(member: &Member, rules: &RuleSet) -> Vec<String> {
    let mut held: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for token in &member.credentials {
        let key = credential_key(token);
        if rules.is_counted_credential(&key) && !keys.contains(&key) {
            keys.push(key);
            held.push(token.to_uppercase());
        }
    }
    held
}

/// The member's requirement: the roster's `ceus_required`, else the table by credential count.
pub fn requirement(member: &Member, rules: &RuleSet) -> Option<Hundredths> {
    member
        .ceus_required
        .or_else(|| rules.requirement_for(credentials_held(member, rules).len()))
}

/// The summary row of one member with data rows (the rows sorted by member
/// id are the summary).
///
/// `data_rows` gives each of the member's transcript or instructor data rows
/// as its place in input order (`RowRef::order`), member id and name, in any
/// order; `credits` are the member's credits of this run. The id is the
/// first row's, the name the first non-blank one, unless the roster has them.
pub fn summarize_member<'a>(
    key: &MemberKey,
    data_rows: impl IntoIterator<Item = (Order, &'a str, &'a str)>,
    credits: impl IntoIterator<Item = &'a Credit>,
    roster: &Roster,
    rules: &RuleSet,
) -> SummaryRow {
    let mut first_id: Option<(Order, &str)> = None;
    let mut first_name: Option<(Order, &str)> = None;
    for (at, id, name) in data_rows {
        if first_id.is_none_or(|(first, _)| at < first) {
            first_id = Some((at, id));
        }
        if !name.is_empty() && first_name.is_none_or(|(first, _)| at < first) {
            first_name = Some((at, name));
        }
    }
    let mut row = SummaryRow {
        member_id: first_id.map_or("", |(_, id)| id).to_string(),
        member_name: first_name.map_or("", |(_, name)| name).to_string(),
        transcript_ceus: Hundredths::ZERO,
        instructor_ceus: Hundredths::ZERO,
        total_ceus: Hundredths::ZERO,
        credentials_held: String::new(),
        ceus_required: None,
        ceus_remaining: None,
    };
    for credit in credits {
        match credit.kind {
            Kind::Instructor => row.instructor_ceus += credit.ceus_awarded,
            _ => row.transcript_ceus += credit.ceus_awarded,
        }
    }
    row.total_ceus = row.transcript_ceus + row.instructor_ceus;
    if let Some(member) = roster.get(key) {
        row.member_id = member.member_id.clone();
        if !member.member_name.is_empty() {
            row.member_name = member.member_name.clone();
        }
        row.credentials_held = credentials_held(member, rules).join("; ");
        row.ceus_required = requirement(member, rules);
        row.ceus_remaining = row.ceus_required.map(|need| {
            if need > row.total_ceus {
                need - row.total_ceus
            } else {
                Hundredths::ZERO
            }
        });
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn member(credentials: &[&str], required: Option<Hundredths>) -> Member {
        Member {
            member_id: "0042".into(),
            member_name: "Ana Ruiz".into(),
            certified_on: date(2020, 1, 1),
            renewal_due: None,
            credentials: credentials.iter().map(|s| s.to_string()).collect(),
            ceus_required: required,
        }
    }

    #[test]
    fn held_credentials_count_apprentices_once_and_skip_others() {
        let rules = RuleSet::default();
        let m = member(&["cpc-a", "CPC", "RHIT", "and", "crc", "CEMC"], None);
        assert_eq!(credentials_held(&m, &rules), vec!["CPC-A", "CRC", "CEMC"]);
        assert_eq!(requirement(&m, &rules), Some(Hundredths(4400)));
        assert_eq!(requirement(&member(&["RHIT"], None), &rules), None);
        assert_eq!(
            requirement(&member(&["RHIT"], Some(Hundredths(1800))), &rules),
            Some(Hundredths(1800))
        );
    }

    #[test]
    fn member_row_takes_the_first_id_and_name_in_input_order_and_roster_forms() {
        let rules = RuleSet::default();
        let mut roster = Roster {
            given: true,
            ..Roster::default()
        };
        let key = MemberKey::new("42");
        let rows = [
            ((0, 0, 9), "042", "Later name"),
            ((0, 0, 3), "42", ""),
            ((0, 0, 5), "0042", "Bo"),
        ];
        let credit = |kind, ceus| Credit {
            at: crate::model::RowRef::in_file("t.csv", (0, 0, 3)),
            kind,
            member_id: "42".into(),
            member_name: "".into(),
            institution: "".into(),
            program: "".into(),
            course_id: "".into(),
            course: "".into(),
            credential: "".into(),
            completed_on: date(2025, 1, 1),
            unit: crate::model::Unit::Credit,
            hours: Hundredths(100),
            ceus_computed: Hundredths(ceus),
            ceus_awarded: Hundredths(ceus),
            capped: false,
            cap_group: "2025".into(),
        };
        let credits = [
            credit(Kind::Transcript, 1000),
            credit(Kind::Instructor, 250),
            credit(Kind::Transcript, 500),
        ];
        let out = summarize_member(&key, rows, &credits, &roster, &rules);
        assert_eq!(out.member_id, "42");
        assert_eq!(out.member_name, "Bo");
        assert_eq!(out.transcript_ceus, Hundredths(1500));
        assert_eq!(out.instructor_ceus, Hundredths(250));
        assert_eq!(out.total_ceus, Hundredths(1750));
        assert_eq!(out.ceus_required, None);

        roster.members.insert(key.clone(), member(&["CPC"], None));
        let out = summarize_member(&key, rows, &credits, &roster, &rules);
        assert_eq!(out.member_id, "0042");
        assert_eq!(out.member_name, "Ana Ruiz");
        assert_eq!(out.credentials_held, "CPC");
        assert_eq!(out.ceus_required, Some(Hundredths(3600)));
        assert_eq!(out.ceus_remaining, Some(Hundredths(1850)));
    }
}
