//! The rules of SPEC.md section 4 as pure functions: rows of one member in,
//! credits and rejections out. No I/O, no clock: `as_of` is a parameter.

pub mod caps;
pub mod claims;
pub mod instructor;
pub mod prior;
pub mod roster;
pub mod ruleset;
pub mod summary;
pub mod transcript;

use jiff::civil::Date;

use crate::model::{Code, Credit, Kind, Reason, Rejection, RowRef, Text};
use crate::normalize::value::Parsed;
use roster::Member;

/// A row's fate.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Credit(Credit),
    Rejection(Rejection),
}

/// A rule's verdict on one row: its code and what it found.
pub type Verdict = (Code, String);

pub(crate) fn reject(
    at: &RowRef,
    kind: Kind,
    member_id: &Text,
    (code, reason): (Code, impl Into<Reason>),
) -> Outcome {
    Outcome::Rejection(Rejection {
        at: at.clone(),
        kind: Some(kind),
        member_id: member_id.clone(),
        code,
        reason: reason.into(),
    })
}

/// The member's certification date: the roster's, else the row's own.
/// `UNKNOWN_CERTIFICATION`, then `BEFORE_CERTIFICATION` (4.1 steps 7–8, 4.2 step 8).
pub fn check_certification(
    event: &str,
    on: Date,
    member: Option<&Member>,
    row_certified_on: &Parsed<Date>,
) -> Result<(), Verdict> {
    let certified_on = match (member, row_certified_on) {
        (Some(m), _) => m.certified_on,
        (None, Parsed::Value(d)) => *d,
        (None, Parsed::Invalid(text)) => {
            return Err((
                Code::UnknownCertification,
                format!("the member is not in the roster and certified_on '{text}' is not a date"),
            ))
        }
        (None, Parsed::Blank) => {
            return Err((
                Code::UnknownCertification,
                "the member is not in the roster and the row gives no certified_on".to_string(),
            ))
        }
    };
    if on < certified_on {
        return Err((
            Code::BeforeCertification,
            format!("{event} {on}, before certification on {certified_on}"),
        ));
    }
    Ok(())
}

/// First day of the renewal window that ends on `due`: the first of the month
/// of `due` minus 24 months (the renewal month may count for either period).
pub fn window_start(due: Date) -> Date {
    Date::new(due.year() - 2, due.month(), 1).unwrap_or(due)
}

/// `OUTSIDE_RENEWAL_PERIOD` (4.1 step 9, 4.2 step 10).
pub fn check_renewal_window(on: Date, member: Option<&Member>) -> Result<(), Verdict> {
    let Some(due) = member.and_then(|m| m.renewal_due) else {
        return Ok(());
    };
    let start = window_start(due);
    if on > due || on < start {
        return Err((
            Code::OutsideRenewalPeriod,
            format!("{on} is outside the renewal period {start} to {due}"),
        ));
    }
    Ok(())
}

/// `FUTURE_DATE` (4.1 step 6, 4.2 step 7).
pub fn check_not_future(on: Date, as_of: Date, field: &str) -> Result<(), Verdict> {
    if on > as_of {
        return Err((
            Code::FutureDate,
            format!("{field} {on} is after the run date {as_of}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn member(certified: Date, due: Option<Date>) -> Member {
        Member {
            member_id: "1".into(),
            member_name: String::new(),
            certified_on: certified,
            renewal_due: due,
            credentials: vec![],
            ceus_required: None,
        }
    }

    #[test]
    fn renewal_window_edges() {
        let m = member(date(2010, 1, 1), Some(date(2026, 6, 30)));
        assert_eq!(window_start(date(2026, 6, 30)), date(2024, 6, 1));
        assert!(check_renewal_window(date(2024, 6, 1), Some(&m)).is_ok());
        assert!(check_renewal_window(date(2026, 6, 30), Some(&m)).is_ok());
        assert_eq!(
            check_renewal_window(date(2024, 5, 31), Some(&m))
                .unwrap_err()
                .0,
            Code::OutsideRenewalPeriod
        );
        assert_eq!(
            check_renewal_window(date(2026, 7, 1), Some(&m))
                .unwrap_err()
                .0,
            Code::OutsideRenewalPeriod
        );
        assert!(check_renewal_window(date(1990, 1, 1), None).is_ok());
        // 29 February due: the window opens on 1 February two years before.
        assert_eq!(window_start(date(2028, 2, 29)), date(2026, 2, 1));
    }

    #[test]
    fn certification_from_roster_else_row() {
        let m = member(date(2024, 3, 1), None);
        assert!(
            check_certification("completed", date(2024, 3, 1), Some(&m), &Parsed::Blank).is_ok()
        );
        let e = check_certification(
            "completed",
            date(2024, 2, 29),
            Some(&m),
            &Parsed::Value(date(2000, 1, 1)),
        )
        .unwrap_err();
        assert_eq!(e.0, Code::BeforeCertification);
        assert!(check_certification(
            "completed",
            date(2024, 2, 29),
            None,
            &Parsed::Value(date(2000, 1, 1))
        )
        .is_ok());
        let e = check_certification(
            "completed",
            date(2024, 2, 29),
            None,
            &Parsed::Invalid("x".into()),
        )
        .unwrap_err();
        assert_eq!(e.0, Code::UnknownCertification);
        let e =
            check_certification("completed", date(2024, 2, 29), None, &Parsed::Blank).unwrap_err();
        assert_eq!(e.0, Code::UnknownCertification);
    }
}
