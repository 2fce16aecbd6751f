//! The roster (SPEC.md section 2): roster rows merged, in input order, into
//! one member per id, each row used whole or rejected with kind `member`.

use std::collections::BTreeSet;

use foldhash::HashMap;

use jiff::civil::Date;

use crate::model::{Code, Hundredths, Kind, MemberKey, Rejection};
use crate::normalize::value::Parsed;
use crate::normalize::RosterRow;

/// What the roster says of one member.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The id as the roster writes it.
    pub member_id: String,
    pub member_name: String,
    pub certified_on: Date,
    /// Last day of the current renewal period.
    pub renewal_due: Option<Date>,
    /// The credentials as written, in roster order.
    pub credentials: Vec<String>,
    pub ceus_required: Option<Hundredths>,
}

impl Member {
    /// The facts two roster rows must share to be one member.
    fn facts(&self) -> (Date, Option<Date>, BTreeSet<String>, Option<Hundredths>) {
        let set = self.credentials.iter().map(|c| c.to_uppercase()).collect();
        (self.certified_on, self.renewal_due, set, self.ceus_required)
    }
}

/// Every usable roster row, by member.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    pub members: HashMap<MemberKey, Member>,
    /// A roster sheet was among the inputs (the summary then has its roster columns).
    pub given: bool,
}

impl Roster {
    pub fn get(&self, key: &MemberKey) -> Option<&Member> {
        self.members.get(key)
    }
}

/// Splits a credentials cell on `;`, `,`, `/` and white space.
pub fn credential_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c == ';' || c == ',' || c == '/' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Merges roster rows in input order; unusable rows become rejections.
pub fn build_roster(rows: &[&RosterRow]) -> (Roster, Vec<Rejection>) {
    let mut roster = Roster::default();
    let mut rejections = Vec::new();
    for row in rows {
        match check_row(row) {
            Ok(member) => {
                let key = MemberKey::new(&row.member_id);
                match roster.members.get(&key) {
                    Some(earlier) if earlier.facts() != member.facts() => rejections.push(Rejection {
                        at: row.at.clone(),
                        kind: Some(Kind::Member),
                        member_id: row.member_id.clone(),
                        code: Code::DuplicateMember,
                        reason: format!(
                            "member {} is already in the roster with other facts; the earlier row stands",
                            row.member_id
                        )
                        .into(),
                    }),
                    Some(_) => {}
                    None => {
                        roster.members.insert(key, member);
                    }
                }
            }
            Err((code, reason)) => rejections.push(Rejection {
                at: row.at.clone(),
                kind: Some(Kind::Member),
                member_id: row.member_id.clone(),
                code,
                reason: reason.into(),
            }),
        }
    }
    (roster, rejections)
}

fn check_row(row: &RosterRow) -> Result<Member, (Code, String)> {
    let mut blank = Vec::new();
    if row.member_id.is_empty() {
        blank.push("member_id");
    }
    if row.certified_on == Parsed::Blank {
        blank.push("certified_on");
    }
    if !blank.is_empty() {
        return Err((
            Code::MissingField,
            format!("{} is blank", blank.join(" and ")),
        ));
    }
    let certified_on = match &row.certified_on {
        Parsed::Value(d) => *d,
        Parsed::Invalid(text) => {
            return Err((
                Code::InvalidDate,
                format!("certified_on: '{text}' is not a date"),
            ))
        }
        Parsed::Blank => unreachable!("checked above"),
    };
    let renewal_due = match &row.renewal_due {
        Parsed::Value(d) => Some(*d),
        Parsed::Blank => None,
        Parsed::Invalid(text) => {
            return Err((
                Code::InvalidDate,
                format!("renewal_due: '{text}' is not a date"),
            ))
        }
    };
    let ceus_required = match &row.ceus_required {
        Parsed::Value(h) => Some(*h),
        Parsed::Blank => None,
        Parsed::Invalid(text) => {
            return Err((
                Code::InvalidNumber,
                format!("ceus_required: '{text}' is not a number"),
            ))
        }
    };
    Ok(Member {
        member_id: row.member_id.to_string(),
        member_name: row.member_name.to_string(),
        certified_on,
        renewal_due,
        credentials: credential_tokens(&row.credentials),
        ceus_required,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RowRef;
    use jiff::civil::date;

    fn row(n: u32, id: &str, certified: Parsed<Date>, credentials: &str) -> RosterRow {
        RosterRow {
            at: RowRef::in_file("m.csv", (0, 0, n)),
            member_id: id.into(),
            member_name: "".into(),
            certified_on: certified,
            renewal_due: Parsed::Blank,
            credentials: credentials.into(),
            ceus_required: Parsed::Blank,
        }
    }

    #[test]
    fn tokens_split_on_every_separator() {
        assert_eq!(
            credential_tokens("CPC; CRC/coc,CPB  CIC"),
            vec!["CPC", "CRC", "coc", "CPB", "CIC"]
        );
    }

    #[test]
    fn roster_codes_in_order() {
        let d = Parsed::Value(date(2020, 1, 1));
        let mut bad_number = row(5, "5", d, "");
        bad_number.ceus_required = Parsed::Invalid("lots".into());
        let rows = [
            row(2, "00123", d, "CPC; CRC"),
            row(3, "123", d, "crc cpc"),
            row(4, "123", Parsed::Value(date(2021, 1, 1)), "CPC"),
            row(6, "", d, ""),
            row(7, "9", Parsed::Invalid("soon".into()), ""),
            bad_number,
        ];
        let refs: Vec<&RosterRow> = rows.iter().collect();
        let (roster, rejections) = build_roster(&refs);
        let codes: Vec<(u32, Code)> = rejections
            .iter()
            .map(|r| (r.at.row().unwrap(), r.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                (4, Code::DuplicateMember),
                (6, Code::MissingField),
                (7, Code::InvalidDate),
                (5, Code::InvalidNumber)
            ]
        );
        assert_eq!(roster.members.len(), 1);
        assert_eq!(
            roster.get(&MemberKey::new("123")).unwrap().member_id,
            "00123"
        );
    }
}
