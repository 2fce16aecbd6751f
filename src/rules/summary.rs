//! The per-member summary (SPEC.md 4.3 and section 5): CEUs awarded in this
//! run against the member's requirement.

use std::collections::BTreeMap;

use crate::model::{Credit, Hundredths, Kind, MemberKey};
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

/// One row per member with a data row, sorted by member id.
///
/// `data_rows` gives each transcript or instructor data row's member id and
/// name, in input order; `credits` are this run's credits.
pub fn summarize<'a>(
    data_rows: impl IntoIterator<Item = (&'a str, &'a str)>,
    credits: impl IntoIterator<Item = &'a Credit>,
    roster: &Roster,
    rules: &RuleSet,
) -> Vec<SummaryRow> {
    let mut members: BTreeMap<MemberKey, SummaryRow> = BTreeMap::new();
    for (id, name) in data_rows {
        if id.is_empty() {
            continue;
        }
        let row = members
            .entry(MemberKey::new(id))
            .or_insert_with(|| SummaryRow {
                member_id: id.to_string(),
                member_name: String::new(),
                transcript_ceus: Hundredths::ZERO,
                instructor_ceus: Hundredths::ZERO,
                total_ceus: Hundredths::ZERO,
                credentials_held: String::new(),
                ceus_required: None,
                ceus_remaining: None,
            });
        if row.member_name.is_empty() {
            row.member_name = name.to_string();
        }
    }
    for credit in credits {
        if let Some(row) = members.get_mut(&MemberKey::new(&credit.member_id)) {
            match credit.kind {
                Kind::Instructor => row.instructor_ceus += credit.ceus_awarded,
                _ => row.transcript_ceus += credit.ceus_awarded,
            }
        }
    }
    members
        .into_iter()
        .map(|(key, mut row)| {
            row.total_ceus = row.transcript_ceus + row.instructor_ceus;
            if let Some(member) = roster.get(&key) {
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
        })
        .collect()
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
    fn summary_sorts_numbers_first_and_uses_roster_forms() {
        let rules = RuleSet::default();
        let mut roster = Roster {
            given: true,
            ..Roster::default()
        };
        roster
            .members
            .insert(MemberKey::new("42"), member(&["CPC"], None));
        let rows = [
            ("B7", "Bo"),
            ("42", ""),
            ("100", "Cy"),
            ("042", "Other name"),
            ("a1", ""),
        ];
        let out = summarize(rows, &[], &roster, &rules);
        let ids: Vec<&str> = out.iter().map(|r| r.member_id.as_str()).collect();
        assert_eq!(ids, vec!["0042", "100", "a1", "B7"]);
        assert_eq!(out[0].member_name, "Ana Ruiz");
        assert_eq!(out[0].ceus_required, Some(Hundredths(3600)));
        assert_eq!(out[0].ceus_remaining, Some(Hundredths(3600)));
        assert_eq!(out[1].ceus_required, None);
    }
}
