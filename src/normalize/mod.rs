//! Normalizing: each sheet's header tells its kind, and each data row below
//! it becomes a typed record, or a rejection when the sheet cannot hold one
//! (`UNRECOGNIZED_SHEET`, `MISSING_COLUMN`, `MALFORMED_ROW`).

pub mod header;
pub mod heads;
pub mod intern;
pub mod value;

use std::sync::Arc;

use jiff::civil::Date;

use crate::model::{Code, Hundredths, Kind, Rejection, RowRef, SourceId, Text};
use crate::source::{Cell, Cells, RawRow, RowSink, Sheet};
use header::{Field, Header, HeaderMatcher, FIELD_COUNT, LINE_HEAD};
use intern::Interner;
use value::{
    parse_date, parse_date_str, parse_hours, parse_hours_str, with_cell_text, Amount, DateContext,
    LineHours, PackedDate, Parsed,
};

/// A transcript line as read, before any rule.
#[derive(Clone, Debug, PartialEq)]
pub struct TranscriptLine {
    pub at: RowRef,
    pub head: Arc<LineHead>,
    pub course_id: Text,
    pub course_title: Text,
    pub completed_on: PackedDate,
    pub hours: LineHours,
    pub grade: Text,
    pub certified_on: PackedDate,
}

/// What a member's transcript lines repeat: the member, and the program the
/// courses belong to. Lines one after another with the same head share it:
/// a batch holds millions of lines, and five texts become one pointer.
#[derive(Clone, Debug, PartialEq)]
pub struct LineHead {
    pub member_id: Text,
    pub member_name: Text,
    pub institution: Text,
    pub program: Text,
    pub program_area: Text,
}

/// An instructor course record as read, before any rule.
#[derive(Clone, Debug, PartialEq)]
pub struct InstructorRecord {
    pub at: RowRef,
    pub member_id: Text,
    pub member_name: Text,
    pub institution: Text,
    pub course_title: Text,
    pub credential: Text,
    pub delivery: Text,
    pub started_on: Parsed<Date>,
    pub finished_on: Parsed<Date>,
    pub contact_hours: Parsed<Hundredths>,
    pub approval_id: Text,
    pub syllabus: Text,
    pub curriculum_titles: Text,
    pub certified_on: Parsed<Date>,
}

/// A roster row as read.
#[derive(Clone, Debug, PartialEq)]
pub struct RosterRow {
    pub at: RowRef,
    pub member_id: Text,
    pub member_name: Text,
    pub certified_on: Parsed<Date>,
    pub renewal_due: Parsed<Date>,
    pub credentials: Text,
    pub ceus_required: Parsed<Hundredths>,
}

/// A data row of a recognised sheet. The rarer kinds are boxed: a record
/// takes no more room than a transcript line, and a batch's millions of
/// them are made in a list before they are grouped by member.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Transcript(TranscriptLine),
    Instructor(Box<InstructorRecord>),
    Roster(Box<RosterRow>),
}

/// What one sheet gave.
#[derive(Debug, Default)]
pub struct SheetRecords {
    pub records: Vec<Record>,
    pub rejections: Vec<Rejection>,
    /// The sheet held a roster header.
    pub is_roster: bool,
    /// The kind of the sheet's header, if one was found.
    pub kind: Option<Kind>,
    /// Whether the transcript lines scatter their members: over half of
    /// them, past the first 32, made a head (`HeadChanges`). Their part
    /// keeps them as they came (`Part::loose`).
    pub scatters_members: bool,
}

/// Where a sheet sits, and how its rows are read.
#[derive(Clone, Copy)]
pub struct SheetPlace {
    pub source: SourceId,
    pub file_index: u32,
    pub sheet_index: u32,
    pub dates: DateContext,
    /// CSV files reject fields beyond the header (`MALFORMED_ROW`); workbooks ignore them.
    pub is_csv: bool,
}

impl SheetPlace {
    /// Sheet `sheet_index` (named `sheet`, none for CSV) of input `file_index`.
    pub fn new(
        source_file: &str,
        sheet: Option<&str>,
        (file_index, sheet_index): (u32, u32),
        dates: DateContext,
        is_csv: bool,
    ) -> SheetPlace {
        SheetPlace {
            source: SourceId::new(source_file, sheet),
            file_index,
            sheet_index,
            dates,
            is_csv,
        }
    }

    /// The place of `sheet`, sheet `sheet_index` of input `file_index`.
    pub fn of(sheet: &Sheet, source_file: &str, at: (u32, u32), dates: DateContext) -> SheetPlace {
        let dates = DateContext {
            is_1904: sheet.is_1904,
            ..dates
        };
        SheetPlace::new(source_file, sheet.name.as_deref(), at, dates, sheet.is_csv)
    }

    fn at(&self, row: u32) -> RowRef {
        RowRef {
            order: (self.file_index, self.sheet_index, row),
            source: self.source,
        }
    }
}

/// What the top of a sheet says about the rows below it.
#[derive(Clone, Debug)]
pub enum HeaderSearch {
    /// The sheet has no non-blank row.
    Empty,
    /// A header of a known kind on row `row`.
    Found {
        row: u32,
        header: Header,
        /// The `MISSING_COLUMN` reason every row below gets, when the header lacks a field.
        missing_column: Option<Text>,
    },
    /// No header among the first 10 non-blank rows: every row below the
    /// first non-blank one (row `row`) is `UNRECOGNIZED_SHEET` with this message.
    Unrecognized { row: u32, message: Text },
}

impl HeaderSearch {
    /// The row number of the header, or of the first non-blank row when
    /// there is none: data rows are the non-blank rows below it.
    pub fn row(&self) -> u32 {
        match self {
            HeaderSearch::Empty => u32::MAX,
            HeaderSearch::Found { row, .. } | HeaderSearch::Unrecognized { row, .. } => *row,
        }
    }

    pub fn kind(&self) -> Option<Kind> {
        match self {
            HeaderSearch::Found { header, .. } => Some(header.kind),
            _ => None,
        }
    }
}

/// Finds the header among the first 10 non-blank rows; `None` when fewer
/// than 10 non-blank rows are given and none is a header, so more are needed.
pub fn find_header<'r>(
    rows: impl IntoIterator<Item = &'r RawRow>,
    matcher: &HeaderMatcher,
    all_rows: bool,
) -> Option<HeaderSearch> {
    let mut first: Option<&RawRow> = None;
    let mut seen = 0;
    for row in rows.into_iter().filter(|r| !r.is_blank()).take(10) {
        first.get_or_insert(row);
        seen += 1;
        let names = row.texts();
        if let Some(header) = matcher.recognise(&names) {
            let missing_column = (!header.missing.is_empty()).then(|| {
                format!(
                    "the {} header lacks {}; headers found: {}",
                    kind_label(header.kind),
                    header.missing.join(", "),
                    list_names(&names)
                )
                .into()
            });
            return Some(HeaderSearch::Found {
                row: row.row,
                header,
                missing_column,
            });
        }
    }
    if seen < 10 && !all_rows {
        return None;
    }
    let Some(first) = first else {
        return Some(HeaderSearch::Empty);
    };
    let names = first.texts();
    let mut message = format!(
        "no header of a known kind; headers found: {}",
        list_names(&names)
    );
    if let Some((kind, lacking)) = matcher.near_miss(&names) {
        message.push_str(&format!(
            "; as a {} sheet it lacks {}",
            kind_label(kind),
            lacking.join(", ")
        ));
    }
    Some(HeaderSearch::Unrecognized {
        row: first.row,
        message: message.into(),
    })
}

/// Finds the header among the first 10 non-blank rows and turns the rows below it into records.
pub fn normalize_sheet(sheet: Sheet, place: SheetPlace, matcher: &HeaderMatcher) -> SheetRecords {
    let mut normalizer = SheetNormalizer::new(place, matcher);
    for row in &sheet.rows {
        normalizer.row(row);
    }
    normalizer.finish()
}

/// `normalize_sheet` for rows handed over one at a time: only the rows up
/// to the header are held.
pub struct SheetNormalizer<'m> {
    matcher: &'m HeaderMatcher,
    place: SheetPlace,
    /// The rows up to the header, until it is found.
    head: Vec<RawRow>,
    /// The rows the sheet says it has, to make room for their records.
    expected_rows: u32,
    /// The rows' normalizer, once the header is found.
    rows: Option<RowNormalizer>,
}

impl<'m> SheetNormalizer<'m> {
    pub fn new(place: SheetPlace, matcher: &'m HeaderMatcher) -> SheetNormalizer<'m> {
        SheetNormalizer {
            matcher,
            place,
            head: Vec::new(),
            expected_rows: 0,
            rows: None,
        }
    }

    pub fn finish(mut self) -> SheetRecords {
        if let Some(rows) = self.rows {
            return rows.finish();
        }
        let search =
            find_header(&self.head, self.matcher, true).expect("all the sheet's rows are given");
        self.start(search).finish()
    }

    /// The normalizer of the rows below the header, fed the rows held so far.
    fn start(&mut self, search: HeaderSearch) -> RowNormalizer {
        let below = search.row();
        // Rows of a sheet of no known kind make no records.
        let makes_records = search.kind().is_some();
        let mut rows = RowNormalizer::new(search, self.place, below);
        if makes_records {
            // A sheet's stated size is only a hint: larger sheets grow from
            // here, and room left over is handed back when the rows end (`end`).
            let expected = self.expected_rows.saturating_sub(below);
            rows.reserve(expected.min(MOST_RESERVED_RECORDS) as usize);
        }
        for row in self.head.drain(..) {
            rows.push(&row);
        }
        rows
    }
}

/// The most records a sheet makes room for before its rows come.
const MOST_RESERVED_RECORDS: u32 = 1 << 16;

impl RowSink for SheetNormalizer<'_> {
    fn expect_rows(&mut self, rows: u32) {
        self.expected_rows = rows;
    }

    /// A workbook's sheets are all read before any is finished: each hands
    /// back the room its stated size reserved as soon as its rows end.
    fn end(&mut self) {
        if let Some(rows) = &mut self.rows {
            rows.shrink_to_fit();
        }
    }

    fn row(&mut self, row: &RawRow) {
        if let Some(rows) = &mut self.rows {
            rows.push(row);
            return;
        }
        self.head.push(row.clone());
        if row.is_blank() {
            return;
        }
        if let Some(search) = find_header(&self.head, self.matcher, false) {
            self.rows = Some(self.start(search));
        }
    }
}

/// Turns rows into records one at a time, so that a reader may hand each
/// row over and reuse it.
pub struct RowNormalizer {
    search: HeaderSearch,
    place: SheetPlace,
    /// Rows up to this number are the header or above it.
    below: u32,
    texts: Interner,
    last: LastTexts,
    last_head: Option<Arc<LineHead>>,
    last_head_run: HeadRun,
    head_changes: HeadChanges,
    out: SheetRecords,
}

/// How many of a part's transcript lines there are, and how many of them
/// made a head: a member's lines one after another make one.
#[derive(Default)]
struct HeadChanges {
    lines: u32,
    made: u32,
}

impl HeadChanges {
    /// Whether the lines are in an order that scatters members' lines,
    /// where a head is looked for among those met before (`heads`): over
    /// half the lines made one, past the first 32. A member's lines one
    /// after another make one head, or one for each program.
    fn scattered(&self) -> bool {
        self.lines >= 32 && self.made > self.lines / 2
    }
}

/// The fields of a line that made or repeated the last head, as the line
/// holds them (`Fields::run`), when its head's columns are side by side:
/// a line holding the same run has the same head, found with one
/// comparison instead of five fields trimmed and compared.
#[derive(Default)]
struct HeadRun {
    text: String,
    ends: [usize; LINE_HEAD.len()],
}

impl RowNormalizer {
    /// Rows numbered up to `below` are passed over.
    pub fn new(search: HeaderSearch, place: SheetPlace, below: u32) -> RowNormalizer {
        RowNormalizer {
            out: SheetRecords {
                kind: search.kind(),
                is_roster: search.kind() == Some(Kind::Member),
                ..SheetRecords::default()
            },
            search,
            place,
            below,
            texts: Interner::keeping_to_the_end(),
            last: Default::default(),
            last_head: None,
            last_head_run: HeadRun::default(),
            head_changes: HeadChanges::default(),
        }
    }

    /// Room for `rows` records, so that their list is not copied as it
    /// grows; `Part::of` moves them into their members' groups as soon as
    /// the piece or sheet ends.
    pub fn reserve(&mut self, rows: usize) {
        self.out.records.reserve_exact(rows);
    }

    pub fn finish(mut self) -> SheetRecords {
        self.out.scatters_members = self.head_changes.scattered();
        self.out
    }

    /// Hands back room reserved for records that did not come; room within
    /// an eighth of the records is kept, as shrinking copies them.
    fn shrink_to_fit(&mut self) {
        let records = &mut self.out.records;
        if records.capacity() > records.len() + records.len() / 8 {
            records.shrink_to_fit();
        }
    }

    pub fn push(&mut self, row: &RawRow) {
        if row.row <= self.below || row.is_blank() {
            return;
        }
        let place = &self.place;
        let at = place.at(row.row);
        let (header, missing_column) = match &self.search {
            HeaderSearch::Empty => return,
            HeaderSearch::Unrecognized { message, .. } => {
                self.out.rejections.push(Rejection {
                    reason: message.clone().into(),
                    at,
                    kind: None,
                    member_id: Text::from(""),
                    code: Code::UnrecognizedSheet,
                });
                return;
            }
            HeaderSearch::Found {
                header,
                missing_column,
                ..
            } => (header, missing_column),
        };
        let mut cells = RowCells {
            row,
            header,
            dates: place.dates,
            texts: &mut self.texts,
            last: &mut self.last,
            last_head: &mut self.last_head,
            last_head_run: &mut self.last_head_run,
            head_changes: &mut self.head_changes,
        };
        let problem: Option<(Code, Text)> = if let Some(reason) = missing_column {
            Some((Code::MissingColumn, reason.clone()))
        } else if row.unclosed_quote {
            Some((
                Code::MalformedRow,
                "a quote opened on this line is never closed; the line is read as it stands and the rows after it are read on their own".into(),
            ))
        } else if place.is_csv {
            cells.beyond_header().map(|(column, text)| {
                (
                    Code::MalformedRow,
                    format!(
                        "field {column} '{text}' lies beyond the header's {} columns",
                        header.last_named + 1
                    )
                    .into(),
                )
            })
        } else {
            None
        };
        match problem {
            Some((code, reason)) => self.out.rejections.push(Rejection {
                reason: reason.into(),
                at,
                kind: Some(header.kind),
                member_id: cells.text(Field::MemberId),
                code,
            }),
            None => self
                .out
                .records
                .push(build_record(header.kind, at, &mut cells)),
        }
    }
}

/// One data row's cells, read field by field through the header.
struct RowCells<'a> {
    row: &'a RawRow,
    header: &'a Header,
    dates: DateContext,
    texts: &'a mut Interner,
    last: &'a mut LastTexts,
    last_head: &'a mut Option<Arc<LineHead>>,
    last_head_run: &'a mut HeadRun,
    head_changes: &'a mut HeadChanges,
}

/// Each field's text in the row before: a member's rows repeat most of
/// them (id, name, institution, program), which are then shared without
/// looking them up.
type LastTexts = [Option<Text>; FIELD_COUNT];

impl RowCells<'_> {
    fn index(&self, field: Field) -> Option<usize> {
        self.header.column(field)
    }

    /// The field as text. A workbook's text cell is read once, so its string
    /// is moved, not copied.
    fn text(&mut self, field: Field) -> Text {
        let Some(i) = self.index(field) else {
            return self.texts.text("");
        };
        match &self.row.cells {
            Cells::Text(fields) => {
                let text = field_text(fields, i);
                let last = &mut self.last[field as usize];
                match last {
                    Some(same) if same.as_str() == text => same.clone(),
                    _ => last.insert(self.texts.text(text)).clone(),
                }
            }
            Cells::Typed(cells) => match cells.get(i) {
                // A sheet's texts are shared already; only untrimmed ones are made anew.
                Some(Cell::Text(s)) if value::trim(s).len() == s.len() => s.clone(),
                Some(cell) => with_cell_text(cell, |text| self.texts.text(text)),
                None => self.texts.text(""),
            },
        }
    }

    /// Two fields that come together, as `text` gives each. Where the
    /// first is blank (courses named by title alone) it tells nothing of
    /// the second, and each is taken alone.
    fn text_pair(&mut self, first: Field, second: Field) -> (Text, Text) {
        if let (Cells::Text(fields), Some(i), Some(j)) =
            (&self.row.cells, self.index(first), self.index(second))
        {
            let first_text = field_text(fields, i);
            if !first_text.is_empty() {
                return self.texts.pair(first_text, field_text(fields, j));
            }
        }
        (self.text(first), self.text(second))
    }

    /// Whether the field reads as `text`, as `text(field)` would give it,
    /// without making a text.
    fn reads_as(&self, field: Field, text: &str) -> bool {
        let Some(i) = self.index(field) else {
            return text.is_empty();
        };
        match &self.row.cells {
            Cells::Text(fields) => field_text(fields, i) == text,
            Cells::Typed(cells) => cells
                .get(i)
                .map_or(text.is_empty(), |cell| with_cell_text(cell, |t| t == text)),
        }
    }

    /// The line head of the row before, when this row repeats it. This
    /// row's head, the same or made from it next, is the last head from
    /// now on, so its run is kept.
    fn same_head(&mut self) -> Option<Arc<LineHead>> {
        let run = head_run(self.row, self.header);
        let kept = &mut *self.last_head_run;
        if let (Some(last), Some((text, ends))) = (self.last_head.as_ref(), run) {
            if ends == kept.ends && text == kept.text {
                return Some(last.clone());
            }
        }
        // Where the head's columns are apart, no run is kept to match.
        let (text, ends) = run.unwrap_or(("", [usize::MAX; LINE_HEAD.len()]));
        kept.text.clear();
        kept.text.push_str(text);
        kept.ends = ends;
        // Where heads are looked up, the head before is seldom this line's,
        // and reading its texts is a cache miss a line; the table of heads
        // met before finds it by the run if it is.
        if self.looks_up_heads() {
            return None;
        }
        let last = self.last_head.as_ref()?;
        let fields = [
            &last.member_id,
            &last.member_name,
            &last.institution,
            &last.program,
            &last.program_area,
        ];
        let same = LINE_HEAD
            .iter()
            .zip(fields)
            .all(|(&field, text)| self.reads_as(field, text));
        same.then(|| last.clone())
    }

    /// Whether this line's head is looked up among those met before on its
    /// thread (`heads`): where the lines scatter their members, and
    /// `same_head` kept the line's run (none is kept where the head's
    /// columns are apart).
    fn looks_up_heads(&self) -> bool {
        self.head_changes.scattered() && self.last_head_run.ends[0] != usize::MAX
    }

    /// The head of a line that does not repeat the one before: where the
    /// lines scatter their members, the one met before on this thread with
    /// the same head fields, if any.
    fn new_head(&mut self) -> Arc<LineHead> {
        let make = |cells: &mut Self| {
            Arc::new(LineHead {
                member_id: cells.text(Field::MemberId),
                member_name: cells.text(Field::MemberName),
                institution: cells.text(Field::Institution),
                program: cells.text(Field::Program),
                program_area: cells.text(Field::ProgramArea),
            })
        };
        if !self.looks_up_heads() {
            return make(self);
        }
        let run = std::mem::take(&mut self.last_head_run.text);
        let head = heads::shared(&run, self.last_head_run.ends, || make(self));
        self.last_head_run.text = run;
        head
    }

    fn date(&self, field: Field) -> Parsed<Date> {
        match (&self.row.cells, self.index(field)) {
            (Cells::Text(fields), Some(i)) => {
                parse_date_str(fields.get(i).unwrap_or(""), self.dates)
            }
            (Cells::Typed(cells), Some(i)) => {
                parse_date(cells.get(i).unwrap_or(&Cell::Empty), self.dates)
            }
            (_, None) => Parsed::Blank,
        }
    }

    /// `date` as a transcript line holds it.
    fn packed_date(&self, field: Field) -> PackedDate {
        if let (Cells::Text(fields), Some(i)) = (&self.row.cells, self.index(field)) {
            if let Some(packed) = fields.get(i).and_then(PackedDate::of_iso) {
                return packed;
            }
        }
        self.date(field).into()
    }

    fn hours(&self, field: Field) -> Parsed<Hundredths> {
        match (&self.row.cells, self.index(field)) {
            (Cells::Text(fields), Some(i)) => parse_hours_str(fields.get(i).unwrap_or("")),
            (Cells::Typed(cells), Some(i)) => parse_hours(cells.get(i).unwrap_or(&Cell::Empty)),
            (_, None) => Parsed::Blank,
        }
    }

    /// The first non-blank field beyond the header's last name (1-based) and its text.
    fn beyond_header(&self) -> Option<(usize, String)> {
        let first = self.header.last_named + 1;
        let i = (first..self.row.len()).find(|&i| !self.row.is_blank_at(i))?;
        Some((i + 1, self.row.text_at(i)))
    }
}

/// A text row's field `i` as its text is read: trimmed, and blank where
/// the row ends before it.
fn field_text(fields: &crate::source::Fields, i: usize) -> &str {
    value::trim(fields.get(i).unwrap_or(""))
}

/// The line's head fields as it holds them, when their columns are side by
/// side in `LINE_HEAD`'s order.
fn head_run<'r>(row: &'r RawRow, header: &Header) -> Option<(&'r str, [usize; LINE_HEAD.len()])> {
    let Cells::Text(fields) = &row.cells else {
        return None;
    };
    fields.run(header.head_run_start()?)
}

fn build_record(kind: Kind, at: RowRef, row: &mut RowCells<'_>) -> Record {
    match kind {
        Kind::Transcript => {
            // Most lines repeat the head of the line before: compared as read, no text made.
            row.head_changes.lines = row.head_changes.lines.saturating_add(1);
            let head = match row.same_head() {
                Some(head) => head,
                None => {
                    row.head_changes.made = row.head_changes.made.saturating_add(1);
                    let head = row.new_head();
                    row.last_head.insert(head).clone()
                }
            };
            let (course_id, course_title) = row.text_pair(Field::CourseId, Field::CourseTitle);
            Record::Transcript(TranscriptLine {
                at,
                head,
                course_id,
                course_title,
                completed_on: row.packed_date(Field::CompletedOn),
                hours: LineHours::of(
                    row.hours(Field::ClockHours).map(Amount::of),
                    row.hours(Field::CreditHours).map(Amount::of),
                ),
                grade: row.text(Field::Grade),
                certified_on: row.packed_date(Field::CertifiedOn),
            })
        }
        Kind::Instructor => Record::Instructor(Box::new(InstructorRecord {
            at,
            member_id: row.text(Field::MemberId),
            member_name: row.text(Field::MemberName),
            institution: row.text(Field::Institution),
            course_title: row.text(Field::CourseTitle),
            credential: row.text(Field::Credential),
            delivery: row.text(Field::Delivery),
            started_on: row.date(Field::StartedOn),
            finished_on: row.date(Field::FinishedOn),
            contact_hours: row.hours(Field::ContactHours),
            approval_id: row.text(Field::ApprovalId),
            syllabus: row.text(Field::Syllabus),
            curriculum_titles: row.text(Field::CurriculumTitles),
            certified_on: row.date(Field::CertifiedOn),
        })),
        Kind::Member => Record::Roster(Box::new(RosterRow {
            at,
            member_id: row.text(Field::MemberId),
            member_name: row.text(Field::MemberName),
            certified_on: row.date(Field::CertifiedOn),
            renewal_due: row.date(Field::RenewalDue),
            credentials: row.text(Field::Credentials),
            ceus_required: row.hours(Field::CeusRequired),
        })),
    }
}

fn list_names(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .filter(|n| !n.is_empty())
        .take(30)
        .map(|n| format!("'{n}'"))
        .collect();
    if shown.is_empty() {
        "none".to_string()
    } else {
        shown.join(", ")
    }
}

/// A kind as messages name it.
pub fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Transcript => "transcript",
        Kind::Instructor => "instructor",
        Kind::Member => "roster",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::csv::parse_rows;

    fn csv_sheet(text: &str) -> Sheet {
        Sheet {
            name: None,
            rows: parse_rows(text, b',', usize::MAX),
            is_1904: false,
            is_csv: true,
        }
    }

    fn run(text: &str) -> SheetRecords {
        let dates = DateContext {
            day_first: false,
            as_of_year: 2026,
            is_1904: false,
        };
        let place = SheetPlace::new("t.csv", None, (0, 0), dates, true);
        normalize_sheet(csv_sheet(text), place, &HeaderMatcher::default())
    }

    /// Each transcript line's head.
    fn heads_of(out: &SheetRecords) -> Vec<&Arc<LineHead>> {
        out.records
            .iter()
            .map(|r| match r {
                Record::Transcript(t) => &t.head,
                _ => panic!("transcript lines"),
            })
            .collect()
    }

    /// Whether each line after the first shares the head of the line before.
    fn shared_with_the_line_before(heads: &[&Arc<LineHead>]) -> Vec<bool> {
        heads.windows(2).map(|w| Arc::ptr_eq(w[0], w[1])).collect()
    }

    #[test]
    fn a_lines_course_id_and_title_are_read_as_written_whether_or_not_they_came_together_before() {
        let out = run(
            "member_id,institution,program,program_area,course_id,course_title,completed_on,credit_hours
            7,U,P,hc, HIT1 , Intro ,2025-01-10,3
            7,U,P,hc,HIT1,Intro,2025-01-10,3
            7,U,P,hc,HIT1,Other,2025-01-10,3
            7,U,P,hc,,Title only,2025-01-10,3
            7,U,P,hc,,Another title,2025-01-10,3
            7,U,P,hc,HIT2,,2025-01-10,3
            7,U,P,hc,HIT1,Intro,2025-01-10,3
",
        );
        let courses: Vec<(&str, &str)> = out
            .records
            .iter()
            .map(|r| match r {
                Record::Transcript(t) => (t.course_id.as_str(), t.course_title.as_str()),
                _ => panic!("transcript lines"),
            })
            .collect();
        assert_eq!(
            courses,
            [
                ("HIT1", "Intro"),
                ("HIT1", "Intro"),
                ("HIT1", "Other"),
                ("", "Title only"),
                ("", "Another title"),
                ("HIT2", ""),
                ("HIT1", "Intro"),
            ]
        );
    }

    #[test]
    fn consecutive_lines_with_the_same_head_share_it() {
        let out = run(
            "member_id,institution,program,program_area,course_id,completed_on,credit_hours
            7,Riverside CC,AAS,Health Care,C1,2025-01-10,3
            7, Riverside CC ,AAS,Health Care,C2,2025-01-10,3
            7,Metro Tech,AAS,Health Care,C3,2025-01-10,3
            7,Riverside CC,AAS,Health Care,C4,2025-01-10,3
",
        );
        let heads = heads_of(&out);
        let institutions: Vec<&str> = heads.iter().map(|h| h.institution.as_str()).collect();
        assert_eq!(
            institutions,
            ["Riverside CC", "Riverside CC", "Metro Tech", "Riverside CC"]
        );
        assert!(
            Arc::ptr_eq(heads[0], heads[1]),
            "a padded repeat is the same head"
        );
        assert!(!Arc::ptr_eq(heads[1], heads[2]));
        assert!(!Arc::ptr_eq(heads[2], heads[3]));
        assert_eq!(heads[0], heads[3]);
        assert_eq!(&*heads[3].member_id, "7");
        assert_eq!(&*heads[3].member_name, "");
    }

    #[test]
    fn lines_whose_head_columns_are_side_by_side_share_a_head_only_when_its_fields_are_equal() {
        // Quoted, so read by the csv crate: lines 2 and 3 hold the same bytes
        // from member_id to program_area with a comma moved into another field.
        let out = run(
            "course_id,member_id,member_name,institution,program,program_area,completed_on,credit_hours
C1,7,Ana,\"Riverside, CC\",AAS,Health Care,2025-01-10,3
C2,7,Ana,\"Riverside, CC\",AAS,Health Care,2025-01-10,3
C3,7,\"Ana,Riverside\", CC,AAS,Health Care,2025-01-10,3
C4,7,Ana,\"Riverside, CC\",AAS,Health Care ,2025-01-10,3
C5,7,Ana,\"Riverside, CC\",AAS,Health Care,2025-01-10,3
C6,7,Ana,\"Riverside, CC\",AAS,Health Care,2025-01-10,3
",
        );
        let heads = heads_of(&out);
        let names: Vec<(&str, &str)> = heads
            .iter()
            .map(|h| (h.member_name.as_str(), h.institution.as_str()))
            .collect();
        let ana = ("Ana", "Riverside, CC");
        assert_eq!(names, [ana, ana, ("Ana,Riverside", "CC"), ana, ana, ana]);
        let shared = shared_with_the_line_before(&heads);
        assert_eq!(shared, [true, false, false, true, true]);
    }

    #[test]
    fn heads_are_compared_field_by_field_where_their_columns_are_apart_or_cut_short() {
        // The program between the institution and the program area, then
        // rows that end inside the head.
        let out = run(
            "member_id,member_name,institution,course_id,program,program_area,completed_on,credit_hours
7,Ana,CC,C1,AAS,Health Care,2025-01-10,3
7,Ana,CC,C2,AAS,Health Care,2025-01-10,3
7,Ana,CC,C3,Coding,Health Care,2025-01-10,3
8,Bo,CC
8,Bo,CC
8,Bo,DD
",
        );
        let heads = heads_of(&out);
        let read: Vec<(&str, &str, &str)> = heads
            .iter()
            .map(|h| {
                (
                    h.member_id.as_str(),
                    h.institution.as_str(),
                    h.program.as_str(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                ("7", "CC", "AAS"),
                ("7", "CC", "AAS"),
                ("7", "CC", "Coding"),
                ("8", "CC", ""),
                ("8", "CC", ""),
                ("8", "DD", "")
            ]
        );
        let shared = shared_with_the_line_before(&heads);
        assert_eq!(shared, [true, false, false, true, false]);
    }

    #[test]
    fn a_sheet_scatters_its_members_when_over_half_its_lines_past_the_32nd_make_a_head() {
        let header = "member_id,member_name,institution,program,program_area,course_id,completed_on,credit_hours\n";
        let sheet = |ids: &[u32]| {
            let lines: String = ids
                .iter()
                .map(|id| format!("{id},Ann,CC,AAS,Health Care,C1,2025-01-10,3\n"))
                .collect();
            run(&format!("{header}{lines}")).scatters_members
        };
        let in_turn = |count: u32| (0..count).map(|n| n % 2).collect::<Vec<_>>();
        assert!(sheet(&in_turn(32)));
        assert!(!sheet(&in_turn(31)), "32 lines at least");
        // 17 of 32 lines make a head (the first line makes one), then 16.
        assert!(sheet(&[in_turn(17), vec![0; 15]].concat()));
        assert!(!sheet(&[in_turn(16), vec![1; 16]].concat()));
        let tidy: Vec<u32> = (0..40).map(|n| n / 20).collect();
        assert!(!sheet(&tidy));
    }

    #[test]
    fn scattered_lines_share_the_heads_met_before_on_their_thread_from_the_32nd_line() {
        // Three members' lines in turn: no line repeats the head of the line before.
        let mut text = String::from("member_id,member_name,institution,program,program_area,course_id,completed_on,credit_hours\n");
        for n in 0..40 {
            let id = 7 + n % 3;
            text += &format!("{id},Member {id},CC,AAS,Health Care,C{n},2025-01-10,3\n");
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (first, second) = pool.install(|| {
            heads::forget();
            let sheets = (run(&text), run(&text));
            heads::forget();
            sheets
        });
        let (first, second) = (heads_of(&first), heads_of(&second));
        let ids: Vec<&str> = first.iter().map(|h| h.member_id.as_str()).collect();
        let expected: Vec<String> = (0..40).map(|n| (7 + n % 3).to_string()).collect();
        assert_eq!(ids, expected);
        assert!(first.iter().zip(&second).all(|(a, b)| a == b));
        assert!(!shared_with_the_line_before(&first).contains(&true));
        // Lines 1-31 make their own heads: the order is not yet seen to scatter.
        assert!(!Arc::ptr_eq(first[0], first[3]));
        assert!(!Arc::ptr_eq(first[28], first[31]));
        // From the 32nd line on, a member's lines share one head, across sheets too.
        for n in 31..40 {
            assert!(Arc::ptr_eq(first[n], first[31 + (n - 31) % 3]), "line {n}");
            assert!(
                Arc::ptr_eq(second[n], first[n]),
                "line {n} of the second sheet"
            );
        }
        // The second sheet's first lines are made again until its order is seen.
        assert!(!Arc::ptr_eq(second[0], first[0]));
    }

    #[test]
    fn a_sheet_reserves_what_its_size_states_and_hands_back_what_did_not_come() {
        let dates = DateContext {
            day_first: false,
            as_of_year: 2026,
            is_1904: false,
        };
        let place = SheetPlace::new("t.xlsx", Some("S"), (0, 0), dates, false);
        let matcher = HeaderMatcher::default();
        let text =
            "member_id,institution,program,program_area,course_id,completed_on,credit_hours\n\
                    7,U,P,health care,C1,2025-03-14,3\n7,U,P,health care,C2,2025-03-14,3\n";
        let capacity =
            |sheet: &SheetNormalizer<'_>| sheet.rows.as_ref().map(|r| r.out.records.capacity());
        let mut sheet = SheetNormalizer::new(place, &matcher);
        // The sheet says it has a million rows: room for 65,536 records, at most.
        sheet.expect_rows(1_000_000);
        for row in &csv_sheet(text).rows {
            sheet.row(row);
        }
        assert_eq!(capacity(&sheet).unwrap(), 1 << 16);
        sheet.end();
        assert!(capacity(&sheet).unwrap() <= 2);
        assert_eq!(sheet.finish().records.len(), 2);
        // A sheet of no known kind makes no records and reserves no room.
        let mut sheet = SheetNormalizer::new(place, &matcher);
        sheet.expect_rows(1_000_000);
        for row in &csv_sheet("a,b\n1,2\n").rows {
            sheet.row(row);
        }
        sheet.end();
        let out = sheet.finish();
        assert_eq!((out.records.capacity(), out.rejections.len()), (0, 1));
    }

    #[test]
    fn a_transcript_line_fills_one_cache_line() {
        // A member's 30 lines then take 2 KB; at 72 or 80 bytes, 2.5 KB.
        assert_eq!(std::mem::size_of::<TranscriptLine>(), 64);
        // The other kinds boxed, a record is a line: its kind fits in a line's spare values.
        assert_eq!(std::mem::size_of::<Record>(), 64);
    }

    #[test]
    fn header_below_a_title_keeps_real_row_numbers() {
        let out = run("Fall transcripts\n\nmember_id,institution,program,program_area,course_id,completed_on,credit_hours\n7,U,P,health care,C1,2025-03-14,3\n");
        assert_eq!(out.records.len(), 1);
        let Record::Transcript(t) = &out.records[0] else {
            panic!()
        };
        assert_eq!(t.at.row(), Some(4));
        assert_eq!(t.hours, LineHours::Credit(Amount::of(Hundredths(300))));
        assert_eq!(
            t.completed_on.get(),
            Parsed::Value(jiff::civil::date(2025, 3, 14))
        );
    }

    #[test]
    fn unrecognized_sheet_rejects_every_data_row() {
        let out = run("a,b\n1,2\n\n3,4\n");
        assert_eq!(out.rejections.len(), 2);
        assert!(out
            .rejections
            .iter()
            .all(|r| r.code == Code::UnrecognizedSheet && r.kind.is_none()));
        assert_eq!(out.rejections[1].at.row(), Some(4));
        assert!(
            out.rejections[0].message().contains("'a', 'b'"),
            "{}",
            out.rejections[0].message()
        );
    }

    #[test]
    fn missing_column_names_what_is_missing() {
        let out = run("member_id,completed_on,clock_hours\n5,2025-01-01,3\n");
        assert_eq!(out.rejections.len(), 1);
        let r = &out.rejections[0];
        assert_eq!(r.code, Code::MissingColumn);
        assert_eq!(r.kind, Some(Kind::Transcript));
        assert_eq!(&*r.member_id, "5");
        assert!(
            r.message()
                .contains("institution, program, program_area, course_id or course_title"),
            "{}",
            r.message()
        );
    }

    #[test]
    fn extra_field_beyond_the_header_is_malformed() {
        let out = run("member_id,institution,program,program_area,course_id,completed_on,credit_hours,\n7,U,P,hc,C1,2025-03-14,3,,\n8,U,P,hc,C1,2025-03-14,3,,x\n");
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.rejections.len(), 1);
        assert_eq!(out.rejections[0].code, Code::MalformedRow);
        assert_eq!(out.rejections[0].at.row(), Some(3));
    }

    #[test]
    fn roster_sheet_is_marked() {
        let out = run("member_id,certified_on,credentials\n1,2020-01-01,CPC\n");
        assert!(out.is_roster);
        assert!(matches!(out.records[0], Record::Roster(_)));
    }
}
