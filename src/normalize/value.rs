//! Values (SPEC.md section 3): cells as text, dates in their many written
//! forms and as serial numbers, and hours as exact hundredths.

use jiff::civil::Date;

use crate::model::Hundredths;
use crate::source::Cell;

/// A value read from a cell: blank, understood, or not understood (with its text).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parsed<T> {
    Blank,
    Value(T),
    /// The text as read, for the message.
    Invalid(AsRead),
}

/// The text of a value not understood, by its place in a process-wide list
/// that threads add to without a lock (and that only grows). Few values are
/// invalid: with their texts kept aside, a parsed date or amount is 8 bytes
/// instead of 16. Texts are equal when they read the same.
#[derive(Clone, Copy)]
pub struct AsRead(u32);

static AS_READ: boxcar::Vec<Box<str>> = boxcar::Vec::new();

impl AsRead {
    pub fn new(text: &str) -> AsRead {
        AsRead::kept(text.into())
    }

    fn kept(text: Box<str>) -> AsRead {
        let place = AS_READ.push(text);
        AsRead(u32::try_from(place).expect("fewer than 4 billion invalid values"))
    }

    pub fn as_str(self) -> &'static str {
        &AS_READ[self.0 as usize]
    }
}

impl From<&str> for AsRead {
    fn from(text: &str) -> AsRead {
        AsRead::new(text)
    }
}

impl From<String> for AsRead {
    fn from(text: String) -> AsRead {
        AsRead::kept(text.into_boxed_str())
    }
}

impl PartialEq for AsRead {
    fn eq(&self, other: &AsRead) -> bool {
        self.0 == other.0 || self.as_str() == other.as_str()
    }
}

impl std::fmt::Display for AsRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for AsRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<T: Copy> Parsed<T> {
    pub fn value(&self) -> Option<T> {
        match self {
            Parsed::Value(v) => Some(*v),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Parsed<U> {
        match self {
            Parsed::Blank => Parsed::Blank,
            Parsed::Value(v) => Parsed::Value(f(v)),
            Parsed::Invalid(text) => Parsed::Invalid(text),
        }
    }
}

/// A date as one number, never 0, that orders dates as they are ordered:
/// years are -9999 to 9999, lifted above zero they take 15 bits, then the
/// month (never 0) and the day.
pub fn date_number(date: Date) -> u32 {
    number_of_date(date.year(), date.month(), date.day())
}

/// `date_number` of a year, month and day already checked to be a date.
fn number_of_date(year: i16, month: i8, day: i8) -> u32 {
    ((i32::from(year) + 10_000) as u32) << 9 | (month as u32) << 5 | day as u32
}

/// The date `date_number` made `n` of.
fn numbered_date(n: u32) -> Date {
    jiff::civil::date(
        ((n >> 9) as i32 - 10_000) as i16,
        (n >> 5 & 0xF) as i8,
        (n & 0x1F) as i8,
    )
}

/// A parsed date in 4 bytes, as a transcript line holds its two dates:
/// 0 when blank, its `date_number` (24 bits), or a value not
/// understood by its place in the list of texts as read, with the top bit
/// set. With `LineHours`, a line is 64 bytes instead of 80, and a member's
/// 30 lines take 2 KB instead of the next size up, 2.5 KB.
#[derive(Clone, Copy)]
pub struct PackedDate(u32);

const INVALID_DATE: u32 = 1 << 31;

impl From<Parsed<Date>> for PackedDate {
    fn from(parsed: Parsed<Date>) -> PackedDate {
        PackedDate(match parsed {
            Parsed::Blank => 0,
            Parsed::Value(d) => date_number(d),
            Parsed::Invalid(text) => {
                // 2^31 texts as read would take 50 GB or more.
                assert!(
                    text.0 < INVALID_DATE,
                    "fewer than 2 billion values not understood"
                );
                INVALID_DATE | text.0
            }
        })
    }
}

impl PackedDate {
    /// A field written `YYYY-MM-DD` with nothing around it, the form most
    /// files use, packed straight from its digits; `None` for any other
    /// text, which `parse_date_str` reads as before. Trimmed, parsed, made
    /// a `Date` and then packed, each of a line's two dates took about 225
    /// instructions (callgrind, the 100K-row batch).
    pub fn of_iso(text: &str) -> Option<PackedDate> {
        let (year, month, day) = iso_date_parts(text)?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        // As `date_number` numbers it; year 0 is not a date SPEC.md reads.
        (year >= 1 && (1..=days).contains(&day))
            .then(|| PackedDate(number_of_date(year, month, day)))
    }

    pub fn get(self) -> Parsed<Date> {
        match self.0 {
            0 => Parsed::Blank,
            n if n & INVALID_DATE != 0 => Parsed::Invalid(AsRead(n & !INVALID_DATE)),
            n => Parsed::Value(numbered_date(n)),
        }
    }
}

impl PartialEq for PackedDate {
    fn eq(&self, other: &PackedDate) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for PackedDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// A transcript line's clock hours and credit hours as check 3 reads them:
/// neither given, both, or the one given and what it holds: 8 bytes
/// instead of two parsed amounts' 16 (see `PackedDate`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LineHours {
    Neither,
    Both,
    Clock(Amount),
    Credit(Amount),
    ClockInvalid(AsRead),
    CreditInvalid(AsRead),
}

impl LineHours {
    pub fn of(clock: Parsed<Amount>, credit: Parsed<Amount>) -> LineHours {
        match (clock, credit) {
            (Parsed::Blank, Parsed::Blank) => LineHours::Neither,
            (Parsed::Value(h), Parsed::Blank) => LineHours::Clock(h),
            (Parsed::Invalid(text), Parsed::Blank) => LineHours::ClockInvalid(text),
            (Parsed::Blank, Parsed::Value(h)) => LineHours::Credit(h),
            (Parsed::Blank, Parsed::Invalid(text)) => LineHours::CreditInvalid(text),
            _ => LineHours::Both,
        }
    }
}

/// Hours as a transcript line holds them: hundredths, at most 100,000
/// hours (all a row may give), so 32 bits do and a parsed amount is 8
/// bytes, as a parsed date is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount(u32);

impl Amount {
    /// Hours as read (from 0 to 100,000 hours; others are held at the nearest end).
    pub fn of(hours: Hundredths) -> Amount {
        Amount(hours.0.clamp(0, MAX_HOURS) as u32)
    }

    pub fn hundredths(self) -> Hundredths {
        Hundredths(self.0.into())
    }
}

/// What date parsing needs to know besides the cell.
#[derive(Clone, Copy, Debug)]
pub struct DateContext {
    pub day_first: bool,
    /// Two-digit years are 20YY up to this year, else 19YY.
    pub as_of_year: i16,
    pub is_1904: bool,
}

/// `str::trim`, at once for text that begins and ends with a visible ASCII
/// character, as nearly every field does (`str::trim` decodes a character
/// at each end: 5% of the time reading a CSV file went there).
pub fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        [] => text,
        _ => text.trim(),
    }
}

/// A cell as text: trimmed, numbers without `.0` or exponent, dates ISO.
pub fn cell_text(cell: &Cell) -> String {
    with_cell_text(cell, str::to_string)
}

/// `f(cell_text(cell))`, without making a String for a text, a whole
/// number or an integer (member ids typed into a spreadsheet are numbers).
pub fn with_cell_text<R>(cell: &Cell, f: impl FnOnce(&str) -> R) -> R {
    let mut digits = itoa::Buffer::new();
    match cell {
        Cell::Empty => f(""),
        Cell::Text(s) => f(trim(s)),
        Cell::Int(i) => f(digits.format(*i)),
        Cell::Number(n) | Cell::Duration(n) => match whole_number(*n) {
            Some(i) => f(digits.format(i)),
            // Not whole, so not zero: Rust's Display for f64 is the shortest
            // round-trip form and never uses an exponent.
            None => f(&format!("{n}")),
        },
        Cell::Bool(true) => f("TRUE"),
        Cell::Bool(false) => f("FALSE"),
        Cell::DateTime(serial) => f(&serial_text(*serial)),
        Cell::IsoDateTime(s) => f(&iso_text(trim(s))),
        Cell::Error(e) => f(e),
    }
}

/// A double that is a whole number below 2^53 in size: its shortest
/// decimal is the integer's digits (-0 is 0).
fn whole_number(n: f64) -> Option<i64> {
    const EXACT: f64 = (1u64 << 53) as f64;
    (n.fract() == 0.0 && n.abs() < EXACT).then_some(n as i64)
}

/// The shortest decimal that reads back as the same double, never with an exponent.
pub fn number_text(n: f64) -> String {
    with_cell_text(&Cell::Number(n), str::to_string)
}

/// A date-time cell as text: `2025-03-14`, or `2025-03-14 10:30:00` when it has a time.
fn serial_text(serial: f64) -> String {
    if !serial.is_finite() {
        return number_text(serial);
    }
    match serial_to_date(serial, false) {
        Some(date) => {
            let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
            if seconds == 0 || seconds >= 86_400 {
                date.to_string()
            } else {
                format!(
                    "{date} {:02}:{:02}:{:02}",
                    seconds / 3600,
                    seconds / 60 % 60,
                    seconds % 60
                )
            }
        }
        None => number_text(serial),
    }
}

fn iso_text(s: &str) -> String {
    let spaced = s.replacen('T', " ", 1);
    match spaced.split_once(' ') {
        Some((date, time)) if time.trim_start_matches(['0', ':', '.']).is_empty() => {
            date.to_string()
        }
        _ => spaced,
    }
}

/// A spreadsheet serial number as a date (SPEC.md section 3).
///
/// 1900 system: serial 1 is 1900-01-01, serial 60 is Excel's phantom
/// 29 Feb 1900 and is no date, nor is anything below 1. 1904 system: serial 0
/// is 1904-01-01 and negatives are no dates. The fraction (time) is dropped.
pub fn serial_to_date(serial: f64, is_1904: bool) -> Option<Date> {
    if !serial.is_finite() || serial.abs() > 10_000_000.0 {
        return None;
    }
    let days = serial.floor() as i64;
    let (epoch, offset) = if is_1904 {
        if days < 0 {
            return None;
        }
        (jiff::civil::date(1904, 1, 1), days)
    } else if days < 1 || days == 60 {
        return None;
    } else if days < 60 {
        (jiff::civil::date(1899, 12, 31), days)
    } else {
        (jiff::civil::date(1899, 12, 30), days)
    };
    epoch
        .checked_add(jiff::Span::new().try_days(offset).ok()?)
        .ok()
}

/// A date cell: blank, a date, or the text that is not one.
pub fn parse_date(cell: &Cell, ctx: DateContext) -> Parsed<Date> {
    if cell.is_blank() {
        return Parsed::Blank;
    }
    let date = match cell {
        // Date cells are stored in the 1900 system whatever the workbook's epoch.
        Cell::DateTime(serial) => serial_to_date(*serial, false),
        Cell::Number(serial) => serial_to_date(*serial, ctx.is_1904),
        Cell::Int(serial) => serial_to_date(*serial as f64, ctx.is_1904),
        Cell::Text(s) => return parse_date_str(s, ctx),
        Cell::IsoDateTime(s) => return parse_date_str(s, ctx),
        _ => None,
    };
    match date {
        Some(d) => Parsed::Value(d),
        None => Parsed::Invalid(cell_text(cell).into()),
    }
}

/// A date written as text (every CSV field): blank, a date, or the trimmed text that is not one.
pub fn parse_date_str(text: &str, ctx: DateContext) -> Parsed<Date> {
    let text = trim(text);
    if text.is_empty() {
        return Parsed::Blank;
    }
    match parse_date_text(text, ctx.day_first, ctx.as_of_year) {
        Some(d) => Parsed::Value(d),
        None => Parsed::Invalid(text.into()),
    }
}

/// A written date in any form of SPEC.md section 3.
pub fn parse_date_text(text: &str, day_first: bool, as_of_year: i16) -> Option<Date> {
    if let Some((y, m, d)) = iso_date_parts(trim(text)) {
        return if y < 1 { None } else { Date::new(y, m, d).ok() };
    }
    let text = strip_time(trim(text));
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | ',' | '.'))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let year_of = |s: &str| -> Option<i16> {
        match s.len() {
            4 => s.parse().ok(),
            2 => {
                let yy: i16 = s.parse().ok()?;
                Some(if 2000 + yy <= as_of_year {
                    2000 + yy
                } else {
                    1900 + yy
                })
            }
            _ => None,
        }
    };
    let small = |s: &str| -> Option<i8> {
        if (1..=2).contains(&s.len()) && all_digits(s) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = if parts.iter().all(|p| all_digits(p)) {
        let separators: Vec<char> = text.chars().filter(|c| !c.is_ascii_digit()).collect();
        let sep = match separators.as_slice() {
            [a, b] if a == b => *a,
            _ => return None,
        };
        if parts[0].len() == 4 && matches!(sep, '-' | '/') {
            (parts[0].parse().ok()?, small(parts[1])?, small(parts[2])?)
        } else if sep == '.' {
            (year_of(parts[2])?, small(parts[1])?, small(parts[0])?)
        } else if matches!(sep, '-' | '/') {
            let (a, b) = (small(parts[0])?, small(parts[1])?);
            let (m, d) = if day_first { (b, a) } else { (a, b) };
            (year_of(parts[2])?, m, d)
        } else {
            return None;
        }
    } else if let Some(m) = month_number(parts[1]) {
        (year_of(parts[2])?, m, small(parts[0])?)
    } else if let Some(m) = month_number(parts[0]) {
        (year_of(parts[2])?, m, small(parts[1])?)
    } else {
        return None;
    };
    if y < 1 {
        return None;
    }
    Date::new(y, m, d).ok()
}

/// Year, month and day of `YYYY-MM-DD`, the common case, read without
/// splitting the text (as the general reading would read them).
fn iso_date_parts(text: &str) -> Option<(i16, i8, i8)> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit().then(|| i16::from(b[i] - b'0'));
    let year = digit(0)? * 1000 + digit(1)? * 100 + digit(2)? * 10 + digit(3)?;
    let month = digit(5)? * 10 + digit(6)?;
    let day = digit(8)? * 10 + digit(9)?;
    Some((year, month as i8, day as i8))
}

/// Drops a trailing time: `T` or spaces, then something that starts `H:MM`.
fn strip_time(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let rest = if b == b'T' {
            &text[i + 1..]
        } else if b == b' ' || b == b'\t' {
            text[i..].trim_start()
        } else {
            continue;
        };
        let r = rest.as_bytes();
        let digits = r.iter().take_while(|c| c.is_ascii_digit()).count();
        if (1..=2).contains(&digits)
            && r.get(digits) == Some(&b':')
            && r.get(digits + 1).is_some_and(u8::is_ascii_digit)
            && r.get(digits + 2).is_some_and(u8::is_ascii_digit)
        {
            return text[..i].trim_end();
        }
    }
    text
}

fn month_number(name: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.to_lowercase();
    if lower == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(&lower)))
        .map(|i| i as i8 + 1)
}

/// The most hours a row may give.
const MAX_HOURS: i64 = 100_000 * 100;

/// An hours cell (SPEC.md section 3): blank, exact hundredths, or the text that is not a number.
pub fn parse_hours(cell: &Cell) -> Parsed<Hundredths> {
    // Whole hours and hours in hundredths, most cells, need no text: what the text would give.
    let most = MAX_HOURS / 100;
    let text = match cell {
        Cell::Empty => return Parsed::Blank,
        Cell::Int(i) if (0..=most).contains(i) => return Parsed::Value(Hundredths(i * 100)),
        Cell::Number(n) if (0.0..=most as f64).contains(n) => {
            // When `h / 100` reads back as `n`, the shortest decimal of `n` is
            // `h / 100` (any other decimal no longer than it is at least 0.001
            // away, far beyond a double's precision here), and parsing it gives `h`.
            let h = (n * 100.0).round();
            if h / 100.0 == *n {
                return Parsed::Value(Hundredths(h as i64));
            }
            number_text(*n)
        }
        Cell::Text(s) => return parse_hours_str(s),
        Cell::Number(n) => number_text(*n),
        Cell::Int(i) => i.to_string(),
        other => return Parsed::Invalid(cell_text(other).into()),
    };
    parse_hours_str(&text)
}

/// Hours written as text (every CSV field): blank, hundredths, or the trimmed text that is not a number.
pub fn parse_hours_str(text: &str) -> Parsed<Hundredths> {
    let text = trim(text);
    if text.is_empty() {
        return Parsed::Blank;
    }
    match parse_hours_text(text) {
        Some(h) => Parsed::Value(h),
        None => Parsed::Invalid(text.into()),
    }
}

/// `+`, digits, an optional `.` fraction; rounded half away from zero to
/// hundredths. One pass over the bytes: split at the point, checked part
/// by part and parsed, a line's hours took about 130 instructions.
pub fn parse_hours_text(text: &str) -> Option<Hundredths> {
    let bytes = text.strip_prefix('+').unwrap_or(text).as_bytes();
    let digit = |b: u8| {
        let d = b.wrapping_sub(b'0');
        (d < 10).then_some(i64::from(d))
    };
    let mut whole: i64 = 0;
    let mut read = 0;
    while let Some(d) = bytes.get(read).and_then(|&b| digit(b)) {
        whole = whole * 10 + d;
        // Past any amount allowed; stopped before it could overflow.
        if whole > MAX_HOURS / 100 {
            return None;
        }
        read += 1;
    }
    let mut any_digit = read > 0;
    let mut hundredths = whole * 100;
    if let Some((&point, fraction)) = bytes[read..].split_first() {
        if point != b'.' {
            return None;
        }
        for (place, &b) in fraction.iter().enumerate() {
            let d = digit(b)?;
            any_digit = true;
            hundredths += match place {
                0 => d * 10,
                1 => d,
                2 => i64::from(d >= 5),
                _ => 0,
            };
        }
    }
    (any_digit && hundredths <= MAX_HOURS).then_some(Hundredths(hundredths))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_packed_date_reads_back_as_parsed() {
        let dates = [
            Parsed::Blank,
            Parsed::Value(date(2025, 3, 14)),
            Parsed::Value(date(-9999, 1, 1)),
            Parsed::Value(date(9999, 12, 31)),
            Parsed::Value(date(0, 1, 31)),
            Parsed::Invalid(AsRead::from("2025-02-30")),
        ];
        for parsed in dates {
            assert_eq!(PackedDate::from(parsed).get(), parsed);
        }
        let invalid = PackedDate::from(Parsed::Invalid(AsRead::from("Feb 30")));
        assert_eq!(format!("{invalid:?}"), "Invalid(\"Feb 30\")");
        // Equal when they read the same, as `Parsed` is.
        assert_eq!(
            invalid,
            PackedDate::from(Parsed::Invalid(AsRead::from("Feb 30")))
        );
        assert_ne!(invalid, PackedDate::from(Parsed::Blank));
        assert_eq!(std::mem::size_of::<PackedDate>(), 4);
    }

    #[test]
    fn an_iso_field_packs_straight_to_its_date() {
        let packed = |text| PackedDate::of_iso(text).map(PackedDate::get);
        let on = |y, m, d| Some(Parsed::Value(date(y, m, d)));
        assert_eq!(packed("2024-02-29"), on(2024, 2, 29));
        assert_eq!(packed("2000-02-29"), on(2000, 2, 29));
        assert_eq!(packed("0001-01-01"), on(1, 1, 1));
        assert_eq!(packed("9999-12-31"), on(9999, 12, 31));
        assert_eq!(packed("2026-04-30"), on(2026, 4, 30));
        assert_eq!(packed("2026-01-31"), on(2026, 1, 31));
        // Not dates, or not written so: read by `parse_date_str`.
        for text in [
            "2023-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-01-32",
            "0000-01-01",
            " 2026-01-01",
            "2026-01-01 ",
            "2026/01/01",
            "2026-1-01x",
            "20260-1-01",
            "2026-01-0a",
            "2026-01-1",
            "",
            "+026-01-01",
            "2026–01-01",
        ] {
            assert_eq!(packed(text), None, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn an_iso_field_packs_as_it_parses(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9 ./:-]{8,11}") {
            let ctx = DateContext { day_first: false, as_of_year: 2026, is_1904: false };
            let parsed = parse_date_str(&text, ctx);
            match PackedDate::of_iso(&text) {
                Some(packed) => proptest::prop_assert_eq!(packed.get(), parsed),
                // Every date written `YYYY-MM-DD` packs; other forms are left to it.
                None => {
                    let iso = text.len() == 10
                        && text.bytes().enumerate().all(|(i, b)| match i {
                            4 | 7 => b == b'-',
                            _ => b.is_ascii_digit(),
                        });
                    proptest::prop_assert!(!(iso && matches!(parsed, Parsed::Value(_))));
                }
            }
        }
    }

    #[test]
    fn line_hours_keep_the_one_field_given() {
        let (three, bad) = (Amount::of(Hundredths(300)), AsRead::from("2 hrs"));
        let (value, invalid) = (Parsed::Value(three), Parsed::Invalid(bad));
        let cases = [
            (Parsed::Blank, Parsed::Blank, LineHours::Neither),
            (value, Parsed::Blank, LineHours::Clock(three)),
            (Parsed::Blank, value, LineHours::Credit(three)),
            (invalid, Parsed::Blank, LineHours::ClockInvalid(bad)),
            (Parsed::Blank, invalid, LineHours::CreditInvalid(bad)),
            (value, invalid, LineHours::Both),
            (invalid, value, LineHours::Both),
            (value, value, LineHours::Both),
        ];
        for (clock, credit, hours) in cases {
            assert_eq!(LineHours::of(clock, credit), hours);
        }
        assert_eq!(std::mem::size_of::<LineHours>(), 8);
    }

    #[test]
    fn an_invalid_value_keeps_its_text_aside() {
        let (a, b) = (AsRead::from("2 hrs"), AsRead::from("2 hrs".to_string()));
        assert_eq!(a, b);
        assert_ne!(a, AsRead::from("2 hr"));
        assert_eq!(format!("'{a}'"), "'2 hrs'");
        assert_eq!(std::mem::size_of::<Parsed<Date>>(), 8);
        assert_eq!(std::mem::size_of::<Parsed<Amount>>(), 8);
        let most = Hundredths(MAX_HOURS);
        assert_eq!(Amount::of(most).hundredths(), most);
        assert_eq!(Amount::of(Hundredths(268)).hundredths(), Hundredths(268));
    }

    fn d(text: &str) -> Option<Date> {
        parse_date_text(text, false, 2026)
    }

    #[test]
    fn year_first_dates() {
        assert_eq!(d("2025-03-14"), Some(date(2025, 3, 14)));
        assert_eq!(d("2025-3-4"), Some(date(2025, 3, 4)));
        assert_eq!(d("2025/03/14"), Some(date(2025, 3, 14)));
        assert_eq!(d("2025-02-30"), None);
        assert_eq!(d("2025-03/14"), None);
        assert_eq!(d("0000-01-01"), None);
        assert_eq!(d(" 2024-02-29 "), Some(date(2024, 2, 29)));
    }

    proptest::proptest! {
        #[test]
        fn trim_is_str_trim(text in "[ a\t\n\r\u{a0}\u{3000}\u{e9}~!\u{7f}]{0,6}") {
            proptest::prop_assert_eq!(trim(&text), text.trim());
        }

        /// A number cell gives what its shortest decimal gives, on the quick path or not.
        #[test]
        fn number_cells_read_as_their_text(
            hundredths in 0i64..10_000_100,
            thousandths in 0i64..100_001_000,
            any in proptest::num::f64::ANY,
        ) {
            for n in [hundredths as f64 / 100.0, thousandths as f64 / 1000.0, any] {
                proptest::prop_assert_eq!(
                    parse_hours(&Cell::Number(n)),
                    parse_hours_str(&number_text(n)),
                    "{}", n
                );
            }
        }

        /// Numbers read as their shortest decimal, made with or without formatting a double.
        #[test]
        fn number_texts_are_the_shortest_decimal(
            whole in -(1i64 << 54)..(1i64 << 54),
            any in proptest::num::f64::ANY,
        ) {
            for n in [whole as f64, whole as f64 * 1024.0, any, any.trunc()] {
                let shortest = if n == 0.0 { "0".to_string() } else { format!("{n}") };
                proptest::prop_assert_eq!(number_text(n), shortest.clone());
                proptest::prop_assert_eq!(with_cell_text(&Cell::Number(n), str::to_string), shortest);
            }
            proptest::prop_assert_eq!(
                with_cell_text(&Cell::Int(whole), str::to_string),
                whole.to_string()
            );
        }

        /// `YYYY-MM-DD` is read without splitting; `YYYY/MM/DD` goes the general way.
        #[test]
        fn iso_dates_read_as_the_general_way_reads_them(
            y in 0u16..10_000, m in 0u8..100, d in 0u8..100,
        ) {
            let iso = format!("{y:04}-{m:02}-{d:02}");
            let slashed = format!("{y:04}/{m:02}/{d:02}");
            proptest::prop_assert_eq!(
                parse_date_text(&iso, false, 2026),
                parse_date_text(&slashed, false, 2026)
            );
        }
    }

    #[test]
    fn month_first_unless_day_first() {
        assert_eq!(d("3/14/2025"), Some(date(2025, 3, 14)));
        assert_eq!(d("03-14-2025"), Some(date(2025, 3, 14)));
        assert_eq!(d("14/3/2025"), None);
        assert_eq!(
            parse_date_text("14/3/2025", true, 2026),
            Some(date(2025, 3, 14))
        );
        assert_eq!(
            parse_date_text("3/4/2025", true, 2026),
            Some(date(2025, 4, 3))
        );
    }

    #[test]
    fn dotted_dates_are_day_first() {
        assert_eq!(d("14.03.2025"), Some(date(2025, 3, 14)));
        assert_eq!(
            parse_date_text("04.03.2025", false, 2026),
            Some(date(2025, 3, 4))
        );
        assert_eq!(d("14.03.25"), Some(date(2025, 3, 14)));
    }

    #[test]
    fn month_names() {
        assert_eq!(d("14-Mar-2025"), Some(date(2025, 3, 14)));
        assert_eq!(d("14 Mar 2025"), Some(date(2025, 3, 14)));
        assert_eq!(d("Mar 14, 2025"), Some(date(2025, 3, 14)));
        assert_eq!(d("March 14 2025"), Some(date(2025, 3, 14)));
        assert_eq!(d("sept 1 2025"), Some(date(2025, 9, 1)));
        assert_eq!(d("1-SEP-2025"), Some(date(2025, 9, 1)));
        assert_eq!(d("14-Mar-25"), Some(date(2025, 3, 14)));
        assert_eq!(d("Mar 14th, 2025"), None);
        assert_eq!(d("Friday, Mar 14, 2025"), None);
        assert_eq!(d("Marc 14 2025"), None);
    }

    #[test]
    fn two_digit_years_pivot_on_the_as_of_year() {
        assert_eq!(d("3/14/26"), Some(date(2026, 3, 14)));
        assert_eq!(d("3/14/27"), Some(date(1927, 3, 14)));
        assert_eq!(d("25-03-14"), None);
    }

    #[test]
    fn trailing_times_are_dropped() {
        assert_eq!(d("2025-03-14T10:30:00Z"), Some(date(2025, 3, 14)));
        assert_eq!(d("3/14/2025 10:30 AM"), Some(date(2025, 3, 14)));
        assert_eq!(d("Mar 14, 2025 9:05"), Some(date(2025, 3, 14)));
        assert_eq!(d("2025-03-14 noon"), None);
    }

    #[test]
    fn numbers_in_text_are_not_dates() {
        assert_eq!(d("45730"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn serials_in_both_systems() {
        assert_eq!(serial_to_date(1.0, false), Some(date(1900, 1, 1)));
        assert_eq!(serial_to_date(59.0, false), Some(date(1900, 2, 28)));
        assert_eq!(serial_to_date(60.0, false), None);
        assert_eq!(serial_to_date(61.0, false), Some(date(1900, 3, 1)));
        assert_eq!(serial_to_date(0.5, false), None);
        assert_eq!(serial_to_date(45730.75, false), Some(date(2025, 3, 14)));
        assert_eq!(serial_to_date(0.0, true), Some(date(1904, 1, 1)));
        assert_eq!(serial_to_date(-1.0, true), None);
        assert_eq!(serial_to_date(44268.0, true), Some(date(2025, 3, 14)));
        assert_eq!(serial_to_date(2958465.0, false), Some(date(9999, 12, 31)));
        assert_eq!(serial_to_date(2958466.0, false), None);
    }

    #[test]
    fn cells_as_text() {
        assert_eq!(cell_text(&Cell::Number(1234567.0)), "1234567");
        assert_eq!(cell_text(&Cell::Number(2.675)), "2.675");
        assert_eq!(cell_text(&Cell::Number(1e21)), "1000000000000000000000");
        assert_eq!(cell_text(&Cell::Number(0.0000001)), "0.0000001");
        assert_eq!(cell_text(&Cell::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Cell::DateTime(45730.0)), "2025-03-14");
        assert_eq!(
            cell_text(&Cell::DateTime(45730.4375)),
            "2025-03-14 10:30:00"
        );
        assert_eq!(
            cell_text(&Cell::IsoDateTime("2025-03-14T00:00:00".into())),
            "2025-03-14"
        );
        assert_eq!(
            cell_text(&Cell::IsoDateTime("2025-03-14T10:30:00".into())),
            "2025-03-14 10:30:00"
        );
        assert_eq!(cell_text(&Cell::Text("  a  b ".into())), "a  b");
    }

    #[test]
    fn hours_grammar_and_rounding() {
        let h = |s: &str| parse_hours_text(s);
        assert_eq!(h("3"), Some(Hundredths(300)));
        assert_eq!(h("+3"), Some(Hundredths(300)));
        assert_eq!(h(".5"), Some(Hundredths(50)));
        assert_eq!(h("5."), Some(Hundredths(500)));
        assert_eq!(h("2.675"), Some(Hundredths(268)));
        assert_eq!(h("2.674999"), Some(Hundredths(267)));
        assert_eq!(h("0.004"), Some(Hundredths(0)));
        assert_eq!(h("100000"), Some(Hundredths(10_000_000)));
        assert_eq!(h("100000.004"), Some(Hundredths(10_000_000)));
        assert_eq!(h("100000.01"), None);
        assert_eq!(h("0000000000012"), Some(Hundredths(1200)));
        assert_eq!(h("100001"), None);
        assert_eq!(h("99999999999999999999999"), None);
        assert_eq!(h("1.99999999999999999999"), Some(Hundredths(200)));
        for bad in [
            "1,5", "2 hrs", "1e2", "-1", ".", "+", "", "1.2.3", " 1", "++3", "1.x",
        ] {
            assert_eq!(h(bad), None, "{bad}");
        }
    }

    #[test]
    fn number_cells_are_their_shortest_decimal() {
        assert_eq!(
            parse_hours(&Cell::Number(2.675)),
            Parsed::Value(Hundredths(268))
        );
        assert_eq!(
            parse_hours(&Cell::Number(-1.0)),
            Parsed::Invalid("-1".into())
        );
        assert_eq!(
            parse_hours(&Cell::Bool(true)),
            Parsed::Invalid("TRUE".into())
        );
        assert_eq!(parse_hours(&Cell::Text("  ".into())), Parsed::Blank);
        // Whole hours taken as numbers give what their text gives.
        for n in [
            0.0,
            -0.0,
            1.0,
            31.0,
            99_999.0,
            100_000.0,
            9_999_999.0,
            1e7,
            1e15,
            -3.0,
        ] {
            let text = parse_hours_str(&number_text(n));
            assert_eq!(parse_hours(&Cell::Number(n)), text, "{n}");
            assert_eq!(parse_hours(&Cell::Int(n as i64)), text, "{n}");
        }
        assert_eq!(
            parse_hours(&Cell::Number(31.0)),
            Parsed::Value(Hundredths(3100))
        );
        assert_eq!(parse_hours(&Cell::Int(7)), Parsed::Value(Hundredths(700)));
    }

    #[test]
    fn date_cells() {
        let ctx = DateContext {
            day_first: false,
            as_of_year: 2026,
            is_1904: false,
        };
        assert_eq!(
            parse_date(&Cell::Number(45730.0), ctx),
            Parsed::Value(date(2025, 3, 14))
        );
        assert_eq!(
            parse_date(&Cell::DateTime(60.0), ctx),
            Parsed::Invalid("60".into())
        );
        assert_eq!(
            parse_date(&Cell::Text("45730".into()), ctx),
            Parsed::Invalid("45730".into())
        );
        let ctx1904 = DateContext {
            is_1904: true,
            ..ctx
        };
        assert_eq!(
            parse_date(&Cell::Number(0.0), ctx1904),
            Parsed::Value(date(1904, 1, 1))
        );
    }
}
