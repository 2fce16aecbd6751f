//! The typed values that flow through the pipeline: where a row came from,
//! exact hundredths, rejection codes, and the records each stage hands on.

use std::fmt;

use jiff::civil::Date;

/// Text read from a row. Equal texts of one part of a file share one
/// allocation, and the records made from a row share its texts: a `Text` is
/// one pointer (a record holds a dozen of them, and a batch millions of
/// records) to its count, length and bytes in one allocation (`arcstr`).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(arcstr::ArcStr);

impl Text {
    pub fn as_str(&self) -> &str {
        self
    }

    /// Whether both are the same allocation (so certainly equal).
    pub fn ptr_eq(a: &Text, b: &Text) -> bool {
        arcstr::ArcStr::ptr_eq(&a.0, &b.0)
    }

    /// Keeps the text to the end of the process: from then on its copies
    /// and their drops count nothing (no atomic operation on its count).
    pub fn keep_to_the_end(&self) {
        self.0.leak();
    }

    /// Whether the text is kept to the end of the process.
    #[cfg(test)]
    pub fn is_kept_to_the_end(&self) -> bool {
        arcstr::ArcStr::is_static(&self.0)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(arcstr::ArcStr::from(text))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(arcstr::ArcStr::from(text))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// An exact amount of hours or CEUs in hundredths (`1250` is `12.50`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundredths(pub i64);

impl Hundredths {
    pub const ZERO: Hundredths = Hundredths(0);

    /// `self × rate`, both in hundredths, rounded half away from zero.
    pub fn times(self, rate: Hundredths) -> Hundredths {
        // The remainder has the product's sign: half or more rounds away
        // from zero. In 64 bits when the product fits, as it does for any
        // hours read (a 128-bit division was 1% of the rules' time on 10M rows).
        if let Some(product) = self.0.checked_mul(rate.0) {
            return Hundredths(product / 100 + product % 100 / 50);
        }
        let product = i128::from(self.0) * i128::from(rate.0);
        let rounded = product / 100 + product % 100 / 50;
        Hundredths(rounded.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// TOML-style number: `40`, `1.5`, `0.25`.
    pub fn to_plain(self) -> String {
        if self.0 % 100 == 0 {
            (self.0 / 100).to_string()
        } else {
            let s = self.to_string();
            s.trim_end_matches('0').to_string()
        }
    }
}

impl Hundredths {
    /// `to_string`, added to `out` without the formatting machinery (outputs write millions).
    pub fn push_to(self, out: &mut String) {
        if self.0 < 0 {
            out.push('-');
        }
        let abs = self.0.unsigned_abs();
        out.push_str(itoa::Buffer::new().format(abs / 100));
        let cents = (abs % 100) as u8;
        out.push('.');
        out.push(char::from(b'0' + cents / 10));
        out.push(char::from(b'0' + cents % 10));
    }
}

impl fmt::Display for Hundredths {
    /// Always two decimals: `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl std::ops::Add for Hundredths {
    type Output = Hundredths;
    fn add(self, other: Hundredths) -> Hundredths {
        Hundredths(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Hundredths {
    type Output = Hundredths;
    fn sub(self, other: Hundredths) -> Hundredths {
        Hundredths(self.0.saturating_sub(other.0))
    }
}

impl std::ops::AddAssign for Hundredths {
    fn add_assign(&mut self, other: Hundredths) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Hundredths {
    fn sum<I: Iterator<Item = Hundredths>>(iter: I) -> Hundredths {
        iter.fold(Hundredths::ZERO, |a, b| a + b)
    }
}

/// Where a row lives, and its place in input order.
///
/// `order` sorts rows the way the outputs list them: input, then sheet, then
/// row; a whole-file or whole-sheet error sorts before that file's or sheet's rows.
/// The row number a user sees is `order.2`; 0 marks a whole-file or
/// whole-sheet error. The file and sheet are shared by all their rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRef {
    pub order: Order,
    pub source: SourceId,
}

/// The file, and the sheet of a workbook, that rows come from.
#[derive(Debug, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub sheet: Option<String>,
}

/// Every source of the run, kept to its end in a list that only grows and
/// that threads add to without a lock: a row names its source by its place
/// there, 4 bytes instead of a pointer to a counted record (a batch holds
/// millions of rows, and their places were a sixth of a transcript line).
static SOURCES: boxcar::Vec<Source> = boxcar::Vec::new();

/// A source, by its place among the run's sources. Sources are equal when
/// they name the same file and sheet, whichever places they have.
#[derive(Clone, Copy)]
pub struct SourceId(u32);

impl SourceId {
    /// Adds a source to the run's list.
    pub fn new(file: &str, sheet: Option<&str>) -> SourceId {
        let place = SOURCES.push(Source {
            file: file.to_string(),
            sheet: sheet.map(str::to_string),
        });
        SourceId(u32::try_from(place).expect("fewer than 4 billion files and sheets"))
    }

    pub fn get(self) -> &'static Source {
        &SOURCES[self.0 as usize]
    }

    /// Its place among the run's sources: a key for counting by source.
    pub fn place(self) -> u32 {
        self.0
    }
}

impl PartialEq for SourceId {
    fn eq(&self, other: &SourceId) -> bool {
        self.0 == other.0 || self.get() == other.get()
    }
}

impl Eq for SourceId {}

impl fmt::Debug for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get(), f)
    }
}

impl RowRef {
    /// Row `order.2` of a file without sheets (0: the whole file).
    pub fn in_file(file: &str, order: Order) -> RowRef {
        RowRef {
            order,
            source: SourceId::new(file, None),
        }
    }

    pub fn source(&self) -> &'static Source {
        self.source.get()
    }

    pub fn source_file(&self) -> &'static str {
        &self.source().file
    }

    pub fn sheet(&self) -> Option<&'static str> {
        self.source().sheet.as_deref()
    }

    /// The row number a user sees; `None` for a whole-file or whole-sheet error.
    pub fn row(&self) -> Option<u32> {
        (self.order.2 != 0).then_some(self.order.2)
    }

    /// `Fall.xlsx, sheet Term1, row 14` — the prefix of every message.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.describe_into(&mut s);
        s
    }

    /// `describe`, added to `out`.
    pub fn describe_into(&self, out: &mut String) {
        // The source looked up once: each look-up reads the run's list of sources.
        let source = self.source();
        out.push_str(&source.file);
        if let Some(sheet) = &source.sheet {
            out.push_str(", sheet ");
            out.push_str(sheet);
        }
        if let Some(row) = self.row() {
            out.push_str(", row ");
            out.push_str(itoa::Buffer::new().format(row));
        }
    }
}

/// What a data row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Transcript,
    Instructor,
    Member,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Transcript => "transcript",
            Kind::Instructor => "instructor",
            Kind::Member => "member",
        }
    }
}

/// Every rejection code of SPEC.md, in no particular order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    FileError,
    UnrecognizedSheet,
    MissingColumn,
    MalformedRow,
    MissingField,
    InvalidDate,
    InvalidHours,
    InvalidNumber,
    DuplicateMember,
    NotHealthcareProgram,
    NotPassed,
    FutureDate,
    UnknownCertification,
    BeforeCertification,
    OutsideRenewalPeriod,
    DuplicateCourse,
    BelowClockMinimum,
    AnnualCapReached,
    UnknownCredential,
    NotFaceToFace,
    MissingPriorApproval,
    MissingSyllabus,
    MissingCurriculum,
    NotCredentialHolder,
    DuplicateRecord,
    CredentialCapReached,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FileError => "FILE_ERROR",
            Code::UnrecognizedSheet => "UNRECOGNIZED_SHEET",
            Code::MissingColumn => "MISSING_COLUMN",
            Code::MalformedRow => "MALFORMED_ROW",
            Code::MissingField => "MISSING_FIELD",
            Code::InvalidDate => "INVALID_DATE",
            Code::InvalidHours => "INVALID_HOURS",
            Code::InvalidNumber => "INVALID_NUMBER",
            Code::DuplicateMember => "DUPLICATE_MEMBER",
            Code::NotHealthcareProgram => "NOT_HEALTHCARE_PROGRAM",
            Code::NotPassed => "NOT_PASSED",
            Code::FutureDate => "FUTURE_DATE",
            Code::UnknownCertification => "UNKNOWN_CERTIFICATION",
            Code::BeforeCertification => "BEFORE_CERTIFICATION",
            Code::OutsideRenewalPeriod => "OUTSIDE_RENEWAL_PERIOD",
            Code::DuplicateCourse => "DUPLICATE_COURSE",
            Code::BelowClockMinimum => "BELOW_CLOCK_MINIMUM",
            Code::AnnualCapReached => "ANNUAL_CAP_REACHED",
            Code::UnknownCredential => "UNKNOWN_CREDENTIAL",
            Code::NotFaceToFace => "NOT_FACE_TO_FACE",
            Code::MissingPriorApproval => "MISSING_PRIOR_APPROVAL",
            Code::MissingSyllabus => "MISSING_SYLLABUS",
            Code::MissingCurriculum => "MISSING_CURRICULUM",
            Code::NotCredentialHolder => "NOT_CREDENTIAL_HOLDER",
            Code::DuplicateRecord => "DUPLICATE_RECORD",
            Code::CredentialCapReached => "CREDENTIAL_CAP_REACHED",
        }
    }
}

/// A data row that earns nothing, or a file or sheet that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    pub at: RowRef,
    /// `None` for `UNRECOGNIZED_SHEET` and `FILE_ERROR`.
    pub kind: Option<Kind>,
    pub member_id: Text,
    pub code: Code,
    pub reason: Reason,
}

/// What is wrong with a row, without its place. Rejections for the same
/// reason share its text. A year's cap reached, most of a large batch's
/// rejections, is kept as its numbers and made text only when written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    Text(Text),
    /// In hundredths, as `u32` to keep rejections small; larger amounts are `Text`.
    CapReached {
        year: i16,
        cap: u32,
        not_awarded: u32,
    },
}

impl Reason {
    /// The annual cap's reason (see `push_cap_reached`).
    pub fn cap_reached(year: i16, cap: Hundredths, not_awarded: Hundredths) -> Reason {
        match (u32::try_from(cap.0), u32::try_from(not_awarded.0)) {
            (Ok(cap), Ok(not_awarded)) => Reason::CapReached {
                year,
                cap,
                not_awarded,
            },
            _ => {
                let mut text = String::new();
                push_cap_reached(&mut text, year, cap, not_awarded);
                Reason::Text(text.into())
            }
        }
    }

    /// The reason's text, borrowed when it is kept as text.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Reason::Text(text) => std::borrow::Cow::Borrowed(text),
            cap => std::borrow::Cow::Owned(cap.to_string()),
        }
    }

    /// The reason's text, added to `out`.
    pub fn push_to(&self, out: &mut String) {
        match self {
            Reason::Text(text) => out.push_str(text),
            Reason::CapReached {
                year,
                cap,
                not_awarded,
            } => push_cap_reached(
                out,
                *year,
                Hundredths(i64::from(*cap)),
                Hundredths(i64::from(*not_awarded)),
            ),
        }
    }
}

/// `the 2024 cap of 40.00 CEUs is already reached; 10.00 CEUs not awarded`, added to `out`.
fn push_cap_reached(out: &mut String, year: i16, cap: Hundredths, not_awarded: Hundredths) {
    out.push_str("the ");
    out.push_str(itoa::Buffer::new().format(year));
    out.push_str(" cap of ");
    cap.push_to(out);
    out.push_str(" CEUs is already reached; ");
    not_awarded.push_to(out);
    out.push_str(" CEUs not awarded");
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Text(text) => f.write_str(text),
            cap => {
                let mut text = String::new();
                cap.push_to(&mut text);
                f.write_str(&text)
            }
        }
    }
}

impl From<Text> for Reason {
    fn from(text: Text) -> Reason {
        Reason::Text(text)
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Reason {
        Reason::Text(text.into())
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Reason {
        Reason::Text(text.into())
    }
}

impl Rejection {
    /// `Fall.xlsx, sheet Term1, row 14: reason`, as the rejections file writes it.
    pub fn message(&self) -> String {
        let mut s = String::new();
        self.message_into(&mut s);
        s
    }

    /// `message`, added to `out`.
    pub fn message_into(&self, out: &mut String) {
        self.at.describe_into(out);
        out.push_str(": ");
        self.reason.push_to(out);
    }
}

/// A credited row, as the `credits` output writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Credit {
    pub at: RowRef,
    pub kind: Kind,
    pub member_id: Text,
    pub member_name: Text,
    pub institution: Text,
    pub program: Text,
    pub course_id: Text,
    pub course: Text,
    pub credential: Text,
    pub completed_on: Date,
    pub unit: Unit,
    pub hours: Hundredths,
    pub ceus_computed: Hundredths,
    pub ceus_awarded: Hundredths,
    pub capped: bool,
    pub cap_group: Text,
}

/// A row's place in input order: input, sheet, row.
pub type Order = (u32, u32, u32);

/// Rows gathered in blocks of a fixed size, each made whole at once: one
/// list grown by doubling copies itself as it grows and, at its largest,
/// holds room for up to twice its rows (millions of credits and rejections).
#[derive(Debug)]
pub struct Blocks<T> {
    full: Vec<Vec<T>>,
    open: Vec<T>,
}

/// The rows one block holds. Blocks of 65,536 rows, the first grown by
/// doubling, were copied over and over (5% of the rules' time on 10M rows);
/// these are never copied as they fill, and the room a run's last block
/// leaves is at most 1 MB, untouched.
const BLOCK_ROWS: usize = 1 << 13;

impl<T> Default for Blocks<T> {
    fn default() -> Blocks<T> {
        Blocks {
            full: Vec::new(),
            open: Vec::new(),
        }
    }
}

impl<T> Blocks<T> {
    pub fn push(&mut self, row: T) {
        if self.open.len() == BLOCK_ROWS {
            self.full.push(std::mem::take(&mut self.open));
        }
        if self.open.capacity() == 0 {
            self.open.reserve_exact(BLOCK_ROWS);
        }
        self.open.push(row);
    }

    /// The blocks in the order their rows were pushed.
    pub fn into_parts(mut self) -> Vec<Vec<T>> {
        if !self.open.is_empty() {
            // The last block's room beyond its rows would be held until the outputs are written.
            self.open.shrink_to_fit();
            self.full.push(self.open);
        }
        self.full
    }
}

/// Output rows in the parts they were made in (member by member, on
/// several threads), and the order the outputs list them in: input order,
/// `RowRef::order`. Sorting their places costs far less than moving
/// millions of rows; rows made in input order are not sorted at all, nor
/// those made in order but for a few.
#[derive(Debug, Default)]
pub struct InOrder<T> {
    parts: Vec<Vec<T>>,
    /// Part and index of each row, in input order.
    order: Vec<(u32, u32)>,
    /// Whether rows in input order lie all over the parts: made from
    /// lines that scatter their members (a file sorted by date, say).
    scattered: bool,
}

impl<T: Sync> InOrder<T> {
    pub fn new(parts: Vec<Vec<T>>, at: impl Fn(&T) -> &RowRef + Sync) -> InOrder<T> {
        let (order, scattered) = match split_out_of_place(&parts, &at) {
            Some((_, out_of_place)) if out_of_place.is_empty() => (places_as_made(&parts), false),
            Some((in_place, out_of_place)) => {
                (places_merged(&parts, in_place, out_of_place, &at), false)
            }
            None => (places_sorted(&parts, &at), true),
        };
        InOrder {
            order,
            parts,
            scattered,
        }
    }

    /// Reads ahead (`read_ahead`) the rows of `rows`, in input order, where
    /// they lie all over the parts.
    pub fn fetch(&self, rows: std::ops::Range<usize>, touch: impl Fn(&T) -> usize) {
        if self.scattered {
            let listed = self.order[rows].iter();
            read_ahead(
                listed.map(|&(part, index)| &self.parts[part as usize][index as usize]),
                touch,
            );
        }
    }
}

/// Reads what `touch` reads of each item, in a loop of its own, before a
/// longer loop over them: items that lie all over memory then have their
/// cache misses overlap, where the longer loop (a line's checks, a row's
/// values) met them one item at a time.
pub fn read_ahead<'a, T: 'a>(items: impl Iterator<Item = &'a T>, touch: impl Fn(&T) -> usize) {
    let read = items.fold(0, |all, item| all ^ touch(item));
    std::hint::black_box(read);
}

/// Rows the rules made are in input order, part after part, when the
/// members' rows were grouped from a file in member order, the usual
/// batch; rows rejected as read (a file's malformed rows) come after them,
/// out of place. This splits the parts into those that continue the order
/// of the parts kept before them, and the rows of the others, keyed by
/// their place in the input and as made. Rows at one place may follow each
/// other in any part. `None` when more than an eighth of the rows are out
/// of place: sorting them all is then as quick.
fn split_out_of_place<T: Sync>(
    parts: &[Vec<T>],
    at: &(impl Fn(&T) -> &RowRef + Sync),
) -> Option<(Vec<usize>, Vec<PlaceKeyed>)> {
    use rayon::prelude::*;
    let in_order: Vec<bool> = parts
        .par_iter()
        .with_max_len(1)
        .map(|part| {
            part.windows(2)
                .all(|pair| at(&pair[0]).order <= at(&pair[1]).order)
        })
        .collect();
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut last_kept: Option<Order> = None;
    let mut in_place = Vec::with_capacity(parts.len());
    let mut out_of_place = Vec::new();
    for (p, (part, sorted)) in parts.iter().zip(in_order).enumerate() {
        let (Some(first_row), Some(last_row)) = (part.first(), part.last()) else {
            continue;
        };
        if sorted && last_kept.is_none_or(|last| last <= at(first_row).order) {
            last_kept = Some(at(last_row).order);
            in_place.push(p);
        } else {
            if (out_of_place.len() + part.len()) * 8 > total {
                return None;
            }
            let keyed = part.iter().enumerate();
            out_of_place.extend(keyed.map(|(i, row)| (at(row).order, (p as u32, i as u32))));
        }
    }
    Some((in_place, out_of_place))
}

/// A row's place in the input, then its part and index.
type PlaceKeyed = (Order, (u32, u32));

/// The places of the parts kept in place, as made, with the rows out of
/// place sorted and put in among them: the list `places_sorted` gives.
fn places_merged<T>(
    parts: &[Vec<T>],
    in_place: Vec<usize>,
    mut out_of_place: Vec<PlaceKeyed>,
    at: &impl Fn(&T) -> &RowRef,
) -> Vec<(u32, u32)> {
    // Ties are broken by part and index, as in `places_sorted`.
    out_of_place.sort_unstable();
    let mut out_of_place = out_of_place.into_iter().peekable();
    let mut order = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for p in in_place {
        let part = &parts[p];
        let mut from = 0;
        while let Some(&(row_order, place)) = out_of_place.peek() {
            // A row of another part at the same place comes after this
            // part's rows there when its part was made later.
            let before = part[from..].partition_point(|row| {
                let in_place_order = at(row).order;
                in_place_order < row_order || (in_place_order == row_order && (p as u32) < place.0)
            });
            if from + before == part.len() {
                break;
            }
            order.extend((from..from + before).map(|i| (p as u32, i as u32)));
            order.push(place);
            out_of_place.next();
            from += before;
        }
        order.extend((from..part.len()).map(|i| (p as u32, i as u32)));
    }
    order.extend(out_of_place.map(|(_, place)| place));
    order
}

/// `list` cut into one slice for each part, of the part's length: each
/// part's entries are made in place, on the threads, in a list of the
/// final length.
fn slices_like<'a, U, T>(list: &'a mut [U], parts: &[Vec<T>]) -> Vec<&'a mut [U]> {
    let mut slices = Vec::with_capacity(parts.len());
    let mut rest = list;
    for part in parts {
        let (slice, after) = rest.split_at_mut(part.len());
        slices.push(slice);
        rest = after;
    }
    slices
}

/// Part and index of each row in the order the rows were made.
fn places_as_made<T: Sync>(parts: &[Vec<T>]) -> Vec<(u32, u32)> {
    use rayon::prelude::*;
    let mut order = vec![(0, 0); parts.iter().map(Vec::len).sum()];
    slices_like(&mut order, parts)
        .into_par_iter()
        .enumerate()
        .for_each(|(p, slice)| {
            for (i, place) in slice.iter_mut().enumerate() {
                *place = (p as u32, i as u32);
            }
        });
    order
}

/// Part and index of each row, sorted by the row's place in the input.
fn places_sorted<T: Sync>(
    parts: &[Vec<T>],
    at: &(impl Fn(&T) -> &RowRef + Sync),
) -> Vec<(u32, u32)> {
    use rayon::prelude::*;
    let total = parts.iter().map(Vec::len).sum();
    if let Some(order) = places_sorted_packed(parts, at, total) {
        return order;
    }
    let mut keyed: Vec<PlaceKeyed> = vec![((0, 0, 0), (0, 0)); total];
    slices_like(&mut keyed, parts)
        .into_par_iter()
        .zip(parts)
        .enumerate()
        .for_each(|(p, (slice, part))| {
            for (i, (key, row)) in slice.iter_mut().zip(part).enumerate() {
                *key = (at(row).order, (p as u32, i as u32));
            }
        });
    // Part and index break ties, so rows at one place keep the order they were made in.
    keyed.par_sort_unstable();
    keyed.par_iter().map(|&(_, place)| place).collect()
}

/// `places_sorted`'s list where inputs and sheets are fewer than 65,536:
/// each row's place, part and index packed into one number, in that order,
/// and those numbers sorted. Comparing one number instead of five took the
/// output order of a shuffled 10M-row batch from 704-815 ms to 514-534 ms.
/// `None` where some input or sheet is not.
fn places_sorted_packed<T: Sync>(
    parts: &[Vec<T>],
    at: &(impl Fn(&T) -> &RowRef + Sync),
    total: usize,
) -> Option<Vec<(u32, u32)>> {
    use rayon::prelude::*;
    let mut keyed: Vec<u128> = vec![0; total];
    let packed = slices_like(&mut keyed, parts)
        .into_par_iter()
        .zip(parts)
        .enumerate()
        .all(|(p, (slice, part))| {
            slice
                .iter_mut()
                .zip(part)
                .enumerate()
                .all(|(i, (key, row))| {
                    let (input, sheet, row) = at(row).order;
                    *key = u128::from(input) << 112
                        | u128::from(sheet) << 96
                        | u128::from(row) << 64
                        | (p as u128) << 32
                        | i as u128;
                    input < 1 << 16 && sheet < 1 << 16
                })
        });
    if !packed {
        return None;
    }
    keyed.par_sort_unstable();
    Some(
        keyed
            .par_iter()
            .map(|&key| ((key >> 32) as u32, key as u32))
            .collect(),
    )
}

impl<T> InOrder<T> {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The rows in the parts they were made in, for work that needs no order.
    pub fn parts(&self) -> &[Vec<T>] {
        &self.parts
    }

    /// The `i`-th row in input order.
    pub fn get(&self, i: usize) -> &T {
        let (part, index) = self.order[i];
        &self.parts[part as usize][index as usize]
    }

    /// The rows in input order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        self.order
            .iter()
            .map(|&(part, index)| &self.parts[part as usize][index as usize])
    }
}

/// The unit a row's hours are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Clock,
    Credit,
    Contact,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Clock => "clock",
            Unit::Credit => "credit",
            Unit::Contact => "contact",
        }
    }
}

/// A member id as SPEC.md section 3 compares it: trimmed and upper-cased, and
/// an id of digits only as that number (`00123`, `123` and `123.0` are one).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemberKey {
    /// Digits without leading zeros, ordered by length then text, which is numeric order.
    Number(usize, String),
    Text(String),
}

impl MemberKey {
    pub fn new(id: &str) -> MemberKey {
        match number_digits(id) {
            Some(number) => MemberKey::Number(number.len(), number.to_string()),
            None => MemberKey::Text(id.trim().to_uppercase()),
        }
    }

    /// `MemberKey::new(id).number()`, made without the key or any
    /// allocation.
    pub fn number_of(id: &str) -> Option<u64> {
        number_digits(id)
            .filter(|digits| digits.len() <= MOST_DIGITS)
            .map(value_of_digits)
    }

    /// The value of a key that is a number of up to 19 digits (leading
    /// zeros gone), which orders such keys as they order, and before any
    /// other key; `None` for any other key. Sorting millions of keys by it
    /// reads no text for such numbers.
    pub fn number(&self) -> Option<u64> {
        match self {
            MemberKey::Number(_, digits) if digits.len() <= MOST_DIGITS => {
                Some(value_of_digits(digits))
            }
            _ => None,
        }
    }
}

/// The most digits a key's `number` holds: every number of 19 digits is
/// below 10^19, which a `u64` holds.
const MOST_DIGITS: usize = 19;

/// The digits of an id that is a whole number (digits alone, or with a
/// fraction of zeros: `0042.00`), leading zeros gone (`0` for zero).
/// Upper-casing changes no digit or point, so the id is read as it is.
fn number_digits(id: &str) -> Option<&str> {
    let trimmed = id.trim();
    let whole = match trimmed.split_once('.') {
        Some((whole, zeros)) if zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => trimmed,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = whole.trim_start_matches('0');
    Some(if number.is_empty() { "0" } else { number })
}

/// The value of at most 19 ASCII digits.
fn value_of_digits(digits: &str) -> u64 {
    digits
        .bytes()
        .fold(0u64, |n, d| n * 10 + u64::from(d.wrapping_sub(b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_that_is_a_number_gives_its_keys_number_without_the_key() {
        let nineteen = 1234567890123456789;
        let ids = [
            ("42", Some(42)),
            ("0042", Some(42)),
            (" 42 ", Some(42)),
            ("0", Some(0)),
            ("000", Some(0)),
            ("1234567890123456789", Some(nineteen)),
            ("00001234567890123456789", Some(nineteen)),
            ("42.00", Some(42)),
            ("42.", Some(42)),
            ("12345678901234567890", None),
            ("", None),
            ("  ", None),
            (".00", None),
            ("42.5", None),
            ("4 2", None),
            ("-7", None),
            ("abc", None),
            ("\u{663}", None),
        ];
        for (id, number) in ids {
            assert_eq!(MemberKey::number_of(id), number, "{id:?}");
            assert_eq!(MemberKey::new(id).number(), number, "{id:?}");
        }
    }

    #[test]
    fn blocks_keep_rows_in_push_order_in_blocks_of_at_most_the_block_size() {
        let mut blocks = Blocks::default();
        let rows = 2 * BLOCK_ROWS as u32 + 3;
        for row in 0..rows {
            blocks.push(row);
        }
        let parts = blocks.into_parts();
        let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![BLOCK_ROWS, BLOCK_ROWS, 3]);
        assert!(parts.iter().all(|p| p.capacity() <= BLOCK_ROWS));
        assert_eq!(parts[2].capacity(), 3);
        assert!(parts.concat().into_iter().eq(0..rows));
        assert!(Blocks::<u32>::default().into_parts().is_empty());
    }

    #[test]
    fn rows_made_in_parts_are_listed_in_input_order() {
        let at = |file: u32, row: u32| RowRef::in_file("t.csv", (file, 0, row));
        let parts = vec![
            vec![at(1, 5), at(0, 9)],
            vec![],
            vec![at(0, 2), at(1, 5), at(0, 3)],
        ];
        let rows = InOrder::new(parts, |r| r);
        let listed: Vec<(Order, bool)> = rows
            .iter()
            .map(|r| (r.order, std::ptr::eq(r, &rows.parts()[2][1])))
            .collect();
        assert_eq!(
            listed,
            vec![
                ((0, 0, 2), false),
                ((0, 0, 3), false),
                ((0, 0, 9), false),
                // Rows at one place keep the order of their parts.
                ((1, 0, 5), false),
                ((1, 0, 5), true),
            ]
        );
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn rows_are_read_ahead_only_where_input_order_scatters_them() {
        let at = |row: u32| RowRef::in_file("t.csv", (0, 0, row));
        let read_ahead = |rows: &InOrder<RowRef>| {
            let read = std::cell::RefCell::new(Vec::new());
            rows.fetch(1..3, |r| {
                read.borrow_mut().push(r.order.2);
                0
            });
            read.into_inner()
        };
        let scattered = InOrder::new(vec![vec![at(9), at(2)], vec![at(5), at(3)]], |r| r);
        assert_eq!(read_ahead(&scattered), vec![3, 5]);
        let as_made = InOrder::new(vec![vec![at(2), at(3)], vec![at(5), at(9)]], |r| r);
        assert_eq!(read_ahead(&as_made), Vec::<u32>::new());
    }

    #[test]
    fn rows_made_in_input_order_are_listed_as_made() {
        let at = |file: u32, row: u32| RowRef::in_file("t.csv", (file, 0, row));
        let parts = vec![vec![at(0, 2), at(0, 5)], vec![], vec![at(0, 5), at(1, 1)]];
        assert!(made_in_order(&parts));
        let rows = InOrder::new(parts, |r| r);
        assert_eq!(rows.order, vec![(0, 0), (0, 1), (2, 0), (2, 1)]);
        // The row at one place made in the later part comes later.
        assert!(std::ptr::eq(rows.get(2), &rows.parts()[2][0]));
        let out_of_order = vec![vec![at(0, 5)], vec![at(0, 2)]];
        assert!(!made_in_order(&out_of_order));
        let within = vec![vec![at(0, 5), at(0, 2)]];
        assert!(!made_in_order(&within));
    }

    fn made_in_order(parts: &[Vec<RowRef>]) -> bool {
        split_out_of_place(parts, &|r| r).is_some_and(|(_, out_of_place)| out_of_place.is_empty())
    }

    fn merged(parts: &[Vec<RowRef>]) -> Option<Vec<(u32, u32)>> {
        let (in_place, out_of_place) = split_out_of_place(parts, &|r| r)?;
        Some(places_merged(parts, in_place, out_of_place, &|r| r))
    }

    #[test]
    fn a_few_rows_out_of_place_are_put_in_among_rows_made_in_order() {
        let at = |file: u32, row: u32| RowRef::in_file("t.csv", (file, 0, row));
        // Two files' rows in order, with rows out of place made among them and
        // after them, as a file's rows rejected as read are.
        let mut parts = vec![
            (2..5).map(|row| at(0, row)).collect::<Vec<_>>(),
            vec![at(0, 1), at(0, 7)],
            (5..10).map(|row| at(0, row)).collect(),
            (2..15).map(|row| at(1, row)).collect(),
            vec![at(0, 5)],
        ];
        let rows = merged(&parts).expect("three rows in 24 are out of place");
        let listed: Vec<Order> = rows
            .iter()
            .map(|&(p, i)| parts[p as usize][i as usize].order)
            .collect();
        let mut expected: Vec<Order> = parts.concat().iter().map(|r| r.order).collect();
        expected.sort_unstable();
        assert_eq!(listed, expected);
        // Rows at one place keep the order they were made in.
        let at_place = |order: Order| -> Vec<(u32, u32)> {
            let at_it = |&&(p, i): &&(u32, u32)| parts[p as usize][i as usize].order == order;
            rows.iter().filter(at_it).copied().collect()
        };
        assert_eq!(at_place((0, 0, 7)), vec![(1, 1), (2, 2)]);
        assert_eq!(at_place((0, 0, 5)), vec![(2, 0), (4, 0)]);
        assert_eq!(rows, places_sorted(&parts, &|r: &RowRef| r));
        // One more out of place, and more than an eighth of the rows are: they are sorted.
        parts.push(vec![at(0, 3)]);
        assert_eq!(merged(&parts), None);
    }

    proptest::proptest! {
        #[test]
        fn rows_are_listed_as_sorting_them_lists_them(
            rows in proptest::collection::vec((0u32..3, 0u32..6), 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..6),
            sorted in proptest::bool::ANY,
            strays in proptest::collection::vec(
                (proptest::collection::vec((0u32..3, 0u32..6), 1..3), 0usize..8),
                0..4,
            ),
        ) {
            let mut places: Vec<RowRef> = rows
                .iter()
                .map(|&(file, row)| RowRef::in_file("t.csv", (file, 0, row)))
                .collect();
            if sorted {
                places.sort_by_key(|r| r.order);
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(places.len())).collect();
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([places.len()]) {
                parts.push(places[from..cut].to_vec());
                from = cut;
            }
            // Parts of rows in any order among the others.
            for (rows, before) in strays {
                let stray = rows.iter().map(|&(file, row)| RowRef::in_file("t.csv", (file, 0, row)));
                parts.insert(before.min(parts.len()), stray.collect());
            }
            let by_sorting = places_sorted(&parts, &|r: &RowRef| r);
            if let Some(by_merging) = merged(&parts) {
                proptest::prop_assert_eq!(&by_merging, &by_sorting);
            }
            proptest::prop_assert_eq!(InOrder::new(parts, |r| r).order, by_sorting);
        }
    }

    proptest::proptest! {
        #[test]
        fn places_sorted_list_rows_by_place_then_part_and_index(
            parts in proptest::collection::vec(
                proptest::collection::vec(
                    (
                        proptest::sample::select(vec![0u32, 1, 65_535, 65_536]),
                        proptest::sample::select(vec![0u32, 2, 65_536]),
                        proptest::sample::select(vec![1u32, 7, u32::MAX]),
                    ),
                    0..12,
                ),
                0..6,
            ),
        ) {
            // Inputs or sheets past 65,535 are sorted as five numbers, the
            // rest packed into one: both list rows alike.
            let parts: Vec<Vec<RowRef>> = parts
                .into_iter()
                .map(|rows| rows.into_iter().map(|order| RowRef::in_file("t.csv", order)).collect())
                .collect();
            let mut expected: Vec<(Order, u32, u32)> = parts
                .iter()
                .enumerate()
                .flat_map(|(p, rows)| {
                    rows.iter().enumerate().map(move |(i, r)| (r.order, p as u32, i as u32))
                })
                .collect();
            expected.sort();
            let expected: Vec<(u32, u32)> = expected.into_iter().map(|(_, p, i)| (p, i)).collect();
            proptest::prop_assert_eq!(places_sorted(&parts, &|r: &RowRef| r), expected);
        }
    }

    #[test]
    fn a_cap_reached_reads_the_same_kept_as_numbers_or_as_text() {
        let kept = Reason::cap_reached(2024, Hundredths(4000), Hundredths(1050));
        assert!(matches!(kept, Reason::CapReached { .. }));
        assert_eq!(
            kept.to_string(),
            "the 2024 cap of 40.00 CEUs is already reached; 10.50 CEUs not awarded"
        );
        // Amounts beyond u32 hundredths are kept as text, reading the same way.
        let large = Reason::cap_reached(2024, Hundredths(5_000_000_000), Hundredths(7));
        assert!(matches!(large, Reason::Text(_)));
        assert_eq!(
            large.to_string(),
            "the 2024 cap of 50000000.00 CEUs is already reached; 0.07 CEUs not awarded"
        );
    }

    #[test]
    fn hundredths_print_with_two_decimals() {
        assert_eq!(Hundredths(1250).to_string(), "12.50");
        assert_eq!(Hundredths(5).to_string(), "0.05");
        assert_eq!(Hundredths(-5).to_string(), "-0.05");
        for h in [0, 5, 1250, -5, -1250, 123_456_789, i64::MIN, i64::MAX] {
            let mut pushed = String::from("x");
            Hundredths(h).push_to(&mut pushed);
            assert_eq!(pushed, format!("x{}", Hundredths(h)));
        }
        assert_eq!(Hundredths(4000).to_plain(), "40");
        assert_eq!(Hundredths(150).to_plain(), "1.5");
        assert_eq!(Hundredths(125).to_plain(), "1.25");
    }

    #[test]
    fn times_rounds_half_away_from_zero() {
        assert_eq!(Hundredths(133).times(Hundredths(1000)), Hundredths(1330));
        // 1.33 × 1.5 = 1.995 → 2.00
        assert_eq!(Hundredths(133).times(Hundredths(150)), Hundredths(200));
        // 1.31 × 1.5 = 1.965 → 1.97
        assert_eq!(Hundredths(131).times(Hundredths(150)), Hundredths(197));
        assert_eq!(Hundredths(-131).times(Hundredths(150)), Hundredths(-197));
        // Near the ends of 64 bits, and beyond them (held at the ends).
        assert_eq!(
            Hundredths(i64::MAX - 8).times(Hundredths(1)),
            Hundredths(92_233_720_368_547_758)
        );
        assert_eq!(
            Hundredths(i64::MIN).times(Hundredths(1)),
            Hundredths(-92_233_720_368_547_758)
        );
        assert_eq!(
            Hundredths(i64::MIN).times(Hundredths(-1)),
            Hundredths(92_233_720_368_547_758)
        );
        assert_eq!(
            Hundredths(i64::MAX).times(Hundredths(100)),
            Hundredths(i64::MAX)
        );
        assert_eq!(
            Hundredths(i64::MAX).times(Hundredths(200)),
            Hundredths(i64::MAX)
        );
        assert_eq!(
            Hundredths(i64::MIN).times(Hundredths(200)),
            Hundredths(i64::MIN)
        );
        assert_eq!(
            Hundredths(i64::MAX / 10).times(Hundredths(1000)),
            Hundredths(i64::MAX / 10 * 10)
        );
    }

    proptest::proptest! {
        #[test]
        fn times_is_the_exact_product_rounded_half_away_from_zero(
            hours in proptest::prop_oneof![-10_000_000i64..10_000_000, proptest::num::i64::ANY],
            rate in proptest::prop_oneof![-100_000i64..100_000, proptest::num::i64::ANY],
        ) {
            let exact = i128::from(hours) * i128::from(rate);
            let rounded = (exact.abs() + 50) / 100 * exact.signum();
            let held = rounded.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
            proptest::prop_assert_eq!(Hundredths(hours).times(Hundredths(rate)), Hundredths(held));
        }
    }

    /// Ids of every kind: short and long numbers, text with a common first
    /// eight bytes, a zero byte, and text shorter than eight bytes.
    fn member_key() -> impl proptest::strategy::Strategy<Value = MemberKey> {
        use proptest::prelude::*;
        prop_oneof![
            (0u64..1000).prop_map(|n| n.to_string()),
            "[0-9]{1,25}",
            "(ABCDEFGH|ABC)?[A-C\\x00]{0,4}",
        ]
        .prop_map(|id| MemberKey::new(&id))
    }

    proptest::proptest! {
        #[test]
        fn a_keys_number_orders_keys_as_they_order(a in member_key(), b in member_key()) {
            match (a.number(), b.number()) {
                (Some(x), Some(y)) => proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b)),
                (Some(_), None) => proptest::prop_assert!(a < b),
                (None, Some(_)) => proptest::prop_assert!(a > b),
                (None, None) => {}
            }
        }
    }

    #[test]
    fn member_keys_numbers_are_values_of_short_numbers() {
        assert_eq!(MemberKey::new("000123").number(), Some(123));
        let most = "9".repeat(19);
        assert_eq!(
            MemberKey::new(&most).number(),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(MemberKey::new(&"1".repeat(20)).number(), None);
        assert_eq!(MemberKey::new("ab").number(), None);
    }

    #[test]
    fn member_keys_compare_numbers_without_leading_zeros() {
        assert_eq!(MemberKey::new("00123"), MemberKey::new("123"));
        assert_eq!(MemberKey::new("123.0"), MemberKey::new(" 123 "));
        assert_eq!(MemberKey::new("000"), MemberKey::Number(1, "0".into()));
        assert_eq!(MemberKey::new("ab12"), MemberKey::new("AB12 "));
        assert_ne!(MemberKey::new("123.5"), MemberKey::new("123"));
        assert_eq!(MemberKey::new("123.5"), MemberKey::Text("123.5".into()));
        assert!(MemberKey::new("99") < MemberKey::new("100"));
        assert!(MemberKey::new("100") < MemberKey::new("A1"));
    }
}
