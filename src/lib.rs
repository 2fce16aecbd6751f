//! ceu: school transcripts and college instructor records in, CEU credit
//! records out. The pipeline: read sources → normalize rows into typed
//! records or rejections → apply the rules per member → write the outputs.

pub mod cli;
pub mod config;
pub mod exit;
pub mod generate;
pub mod model;
pub mod normalize;
mod progress;
pub mod rules;
pub mod sink;
pub mod source;
pub mod template;

use foldhash::HashMap;
use std::io::Read as _;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use config::Config;
use exit::ExitCode;
use model::{
    Blocks, Code, Credit, InOrder, Kind, MemberKey, Order, Reason, Rejection, RowRef, SourceId,
    Text,
};
use normalize::header::HeaderMatcher;
use normalize::value::DateContext;
use normalize::{
    find_header, normalize_sheet, HeaderSearch, InstructorRecord, Record, RowNormalizer,
    SheetNormalizer, SheetPlace, TranscriptLine,
};
use progress::{describe_file, Progress};
use rules::prior::{Prior, PriorMember};
use rules::roster::{build_roster, Roster};
use rules::ruleset::credential_key;
use rules::Outcome;
use sink::atomic::job;
use sink::report::RunReport;
use source::csv::Streamed;
use source::inputs::{read_text, select, Format, InputFile, ReadOptions};
use source::workbook::Limits;
use source::SheetRead;

/// What reading and normalizing one input file gave.
#[derive(Debug, Default)]
pub(crate) struct FileRecords {
    /// In parts as they were normalized: one `Vec` grown to millions of
    /// records would be copied each time it doubled.
    parts: Vec<Part>,
    rejections: Vec<Rejection>,
    has_roster: bool,
    unreadable: bool,
    no_data_rows: bool,
    skipped_sheets: usize,
    encoding: Option<&'static str>,
    delimiter: Option<u8>,
    /// The kind of each sheet read, for `-v`.
    kinds: Vec<&'static str>,
    data_rows: usize,
}

/// One member's rows: transcript lines and instructor records, each in input order.
type MemberRows = (Vec<TranscriptLine>, Vec<InstructorRecord>);

/// The rows of a part (a sheet, or a piece of a CSV file): transcript and
/// instructor rows by member, members in the order first met, and roster
/// rows; or, where the part's lines scatter their members, its transcript
/// lines as they came.
#[derive(Debug, Default)]
struct Part {
    members: Vec<(MemberKey, MemberRows)>,
    roster: Vec<normalize::RosterRow>,
    /// The transcript lines of a part where no two lines one after another
    /// are a member's (a file sorted by date or course), in input order:
    /// grouped, each line was a member's entry of its own (about 100
    /// bytes, and a list of one line). The rules read them where they are.
    loose: Vec<TranscriptLine>,
}

impl Part {
    /// Groups a part's records by member as soon as they are made, while
    /// they are still in the cache: moving 10M rows into their members'
    /// groups later, from memory, took a second. Transcript lines that
    /// scatter their members (`SheetRecords::scatters_members`) are kept as
    /// they came.
    fn of(mut records: Vec<Record>, scatters_members: bool) -> Part {
        if !scatters_members {
            return Part::grouped(records);
        }
        let lines = records
            .iter()
            .filter(|r| matches!(r, Record::Transcript(_)))
            .count();
        let mut loose = Vec::with_capacity(lines);
        let mut others = Vec::new();
        for record in records.drain(..) {
            match record {
                Record::Transcript(t) => loose.push(t),
                other => others.push(other),
            }
        }
        Part {
            loose,
            ..Part::grouped(others)
        }
    }

    fn grouped(records: Vec<Record>) -> Part {
        // Each record's member first, and how many rows each member has,
        // so that each member's rows are moved once, into a group of its size.
        let mut keys: Vec<MemberKey> = Vec::new();
        let mut sizes: Vec<(usize, usize)> = Vec::new();
        let mut member_of: Vec<u32> = Vec::with_capacity(records.len());
        let mut index: HashMap<MemberKey, u32> = HashMap::default();
        // A member's rows mostly come one after another, sharing one id text.
        let mut last: Option<(&Text, u32)> = None;
        for record in &records {
            let id = match record {
                Record::Transcript(t) => &t.head.member_id,
                Record::Instructor(i) => &i.member_id,
                Record::Roster(_) => {
                    member_of.push(u32::MAX);
                    continue;
                }
            };
            let at = match last {
                Some((last_id, at)) if Text::ptr_eq(last_id, id) => at,
                _ => {
                    let key = MemberKey::new(id);
                    let at = *index.entry(key.clone()).or_insert_with(|| {
                        keys.push(key);
                        sizes.push((0, 0));
                        (keys.len() - 1) as u32
                    });
                    last = Some((id, at));
                    at
                }
            };
            member_of.push(at);
            match record {
                Record::Transcript(_) => sizes[at as usize].0 += 1,
                _ => sizes[at as usize].1 += 1,
            }
        }
        let mut part = Part {
            members: keys
                .into_iter()
                .zip(sizes)
                .map(|(key, (lines, records))| {
                    (
                        key,
                        (Vec::with_capacity(lines), Vec::with_capacity(records)),
                    )
                })
                .collect(),
            roster: Vec::new(),
            loose: Vec::new(),
        };
        for (record, at) in records.into_iter().zip(member_of) {
            match record {
                Record::Transcript(t) => part.members[at as usize].1 .0.push(t),
                Record::Instructor(i) => part.members[at as usize].1 .1.push(*i),
                Record::Roster(r) => part.roster.push(*r),
            }
        }
        part
    }

    /// Every row's place, to number the rows of a CSV piece after the pieces before it.
    fn places_mut(&mut self) -> impl Iterator<Item = &mut RowRef> {
        let members = self.members.iter_mut().flat_map(|(_, (lines, records))| {
            let lines = lines.iter_mut().map(|l| &mut l.at);
            lines.chain(records.iter_mut().map(|r| &mut r.at))
        });
        let loose = self.loose.iter_mut().map(|l| &mut l.at);
        members
            .chain(self.roster.iter_mut().map(|r| &mut r.at))
            .chain(loose)
    }

    fn instructor_records(&self) -> impl Iterator<Item = &InstructorRecord> {
        self.members.iter().flat_map(|(_, (_, records))| records)
    }
}

/// Runs a conversion: reads every input, applies the rules, writes the outputs.
pub fn run(config: &Config) -> Result<ExitCode> {
    in_pool(config, || {
        let mut batch = process(config)?;
        write_outputs(config, &mut batch)?;
        print_report(config, &batch.report);
        let code = batch.exit_code();
        drop_aside(batch);
        Ok(code)
    })
}

/// `ceu check`: the same reading and rules, no outputs; each rejection on
/// stdout. Exit 0 when nothing would be rejected, 2 when some row would be,
/// 3 when some input cannot be read.
pub fn check(config: &Config) -> Result<ExitCode> {
    in_pool(config, || {
        let mut batch = process(config)?;
        batch.report.tally(&batch.credits, &batch.rejections);
        let mut out = std::io::stdout().lock();
        for r in batch.rejections.iter() {
            use std::io::Write as _;
            match writeln!(out, "{} {}", r.code.as_str(), r.message()) {
                // A reader that stops early (`| head`) has seen enough.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
                written => written.context("cannot write to stdout")?,
            }
        }
        print_report(config, &batch.report);
        Ok(match batch.exit_code() {
            ExitCode::Success if !batch.rejections.is_empty() => ExitCode::WouldReject,
            code => code,
        })
    })
}

fn in_pool(config: &Config, job: impl FnOnce() -> Result<ExitCode> + Send) -> Result<ExitCode> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .context("cannot start worker threads")?;
    pool.install(job)
}

/// A batch after the rules: every output row, and the report, whose counts
/// by code and reason are made later by `RunReport::tally` (as the outputs
/// are written, or by `ceu check`); its count of files not read is made here.
struct Batch {
    credits: InOrder<Credit>,
    rejections: InOrder<Rejection>,
    summary: Vec<rules::summary::SummaryRow>,
    claims: Vec<rules::claims::ClaimRow>,
    roster_given: bool,
    report: RunReport,
}

impl Batch {
    fn exit_code(&self) -> ExitCode {
        if self.report.file_errors > 0 {
            ExitCode::InputUnreadable
        } else {
            ExitCode::Success
        }
    }
}

fn print_report(config: &Config, report: &RunReport) {
    let lines = report.lines();
    let shown = if config.quiet { 2 } else { lines.len() };
    for line in &lines[..shown] {
        eprintln!("{line}");
    }
}

/// Frees `value` on a thread of its own: freeing millions of rows took
/// 0.4 s, and a process that ends first leaves it to the system. Where no
/// thread can be made, it is freed here.
fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// Reads every input and applies the rules.
fn process(config: &Config) -> Result<Batch> {
    let selection = select(&config.inputs);
    if selection.files.is_empty() {
        bail!("no input files found: name .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls or .ods files, or folders that hold them");
    }
    let mut files: Vec<InputFile> = Vec::new();
    if let Some(members) = &config.members {
        let mut roster_input = select(std::slice::from_ref(members)).files;
        files.append(&mut roster_input);
    }
    files.extend(selection.files);
    refuse_output_holding_inputs(config, &files)?;

    let options = ReadOptions {
        delimiter: config.delimiter,
        limits: Limits {
            sheet_rows: config.rules.sheet_rows,
            sheet_columns: config.rules.sheet_columns,
            part_bytes: config.rules.part_bytes,
        },
        matcher: HeaderMatcher::new(&config.rules.columns),
        csv_batch_bytes: CSV_BATCH_BYTES,
    };
    let dates = DateContext {
        day_first: config.day_first,
        as_of_year: config.as_of.year(),
        is_1904: false,
    };
    // Earlier runs' credits first: an unusable --prior stops the run before any reading.
    let mut prior_credits = Vec::new();
    for path in &config.prior {
        prior_credits.extend(source::prior::read_prior(path, options.limits)?);
    }
    let prior = Prior::from_credits(&prior_credits);

    let progress = Progress::new(&files, config.quiet);
    // One file a task: a run of files taken as one task could not be shared
    // out, and the last thread would read it alone at the end.
    let mut read: Vec<FileRecords> = files
        .par_iter()
        .with_max_len(1)
        .enumerate()
        .map(|(i, input)| {
            let records = read_file(i as u32, input, &options, dates);
            progress.file_done(input, records.data_rows);
            records
        })
        .collect();
    normalize::heads::forget();
    progress.finish();
    if config.verbose {
        for (file, records) in files.iter().zip(&read) {
            eprintln!("{}", describe_file(file, records));
        }
    }

    if let Some(members) = &config.members {
        let first = &read[0];
        if first.unreadable {
            let reason = first
                .rejections
                .first()
                .map(|r| r.reason.to_string())
                .unwrap_or_default();
            bail!("cannot read --members file {}: {reason}", members.display());
        }
        if !first.has_roster {
            bail!(
                "--members file {} holds no roster sheet: it needs a header with member_id and certified_on",
                members.display()
            );
        }
    }

    let roster_rows: Vec<&normalize::RosterRow> = read
        .iter()
        .flat_map(|f| &f.parts)
        .flat_map(|p| &p.roster)
        .collect();
    let (mut roster, roster_rejections) = build_roster(&roster_rows);
    roster.given = read.iter().any(|f| f.has_roster);

    // Claims need the credited instructor records after the rules have run.
    let instructor_records: HashMap<Order, InstructorRecord> = read
        .iter()
        .flat_map(|f| &f.parts)
        .flat_map(Part::instructor_records)
        .map(|i| (i.at.order, i.clone()))
        .collect();
    let evaluated = evaluate_members(&mut read, &roster, &prior, config);
    let mut credits = Vec::with_capacity(evaluated.len());
    let mut rejections = vec![roster_rejections];
    // Made at its full length: grown by doubling, a million members' rows were copied again and again.
    let mut summary = Vec::with_capacity(evaluated.iter().map(|part| part.summary.len()).sum());
    let mut reasons = Vec::with_capacity(evaluated.len());
    for part in evaluated {
        credits.extend(part.credits);
        rejections.extend(part.rejections);
        summary.extend(part.summary);
        reasons.push(part.reasons);
    }
    // The rejections hold the reasons now; the runs' tables of them go.
    drop_aside(reasons);
    // Counted here, not with the report's other counts (made as the outputs
    // are written): the exit status rests on it. Only reading makes them.
    let file_errors = read
        .iter()
        .flat_map(|f| &f.rejections)
        .filter(|r| r.code == Code::FileError)
        .count();
    rejections.extend(read.iter_mut().map(|f| std::mem::take(&mut f.rejections)));
    let credits = InOrder::new(credits, |c| &c.at);
    let rejections = InOrder::new(rejections, |r| &r.at);
    // Credits are gone through in input order (a read from all over memory
    // for each) only when some may be an instructor's.
    let claims = if instructor_records.is_empty() {
        Vec::new()
    } else {
        rules::claims::build_claims(
            credits
                .iter()
                .filter_map(|c| instructor_records.get(&c.at.order).map(|r| (c, r))),
        )
    };

    let mut report = RunReport {
        roster_members: roster.members.len(),
        files_read: files.len(),
        skipped_entries: selection.skipped,
        file_errors,
        ..RunReport::default()
    };
    for (file, records) in files.iter().zip(&read) {
        report.skipped_sheets += records.skipped_sheets;
        if let Some(encoding) = records.encoding {
            report.decoded.push((file.source_file.clone(), encoding));
        }
        if records.no_data_rows {
            report.without_data_rows.push(file.source_file.clone());
        }
    }
    for member in roster.members.values() {
        for token in &member.credentials {
            if !config.rules.is_counted_credential(&credential_key(token)) {
                *report
                    .uncounted_credentials
                    .entry(token.to_uppercase())
                    .or_default() += 1;
            }
        }
    }
    Ok(Batch {
        credits,
        rejections,
        summary,
        claims,
        roster_given: roster.given,
        report,
    })
}

/// Writes the four outputs and report.html, all or none, and makes the
/// report's counts.
fn write_outputs(config: &Config, batch: &mut Batch) -> Result<()> {
    std::fs::create_dir_all(&config.out).with_context(|| {
        format!(
            "cannot create the output folder {}: choose another --out",
            config.out.display()
        )
    })?;
    let ext = config.format.extension();
    let tables = [
        sink::tables::credits(&batch.credits),
        sink::tables::rejections(&batch.rejections),
        sink::tables::summary(&batch.summary, batch.roster_given),
        sink::tables::claims(&batch.claims),
    ];
    let mut names: Vec<String> = tables
        .iter()
        .map(|table| format!("{}.{ext}", table.name))
        .collect();
    names.push("report.html".to_string());
    batch.report.outputs = names
        .iter()
        .map(|name| config.out.join(name).display().to_string())
        .collect();
    let (credits, rejections, summary) = (&batch.credits, &batch.rejections, &batch.summary);
    let report = &mut batch.report;
    let page = std::sync::OnceLock::new();
    let (format, bom) = (config.format, config.bom);
    let [credits_table, rejections_table, summary_table, claims_table] = &tables;
    let [credits_name, rejections_name, summary_name, claims_name, report_name] =
        <[String; 5]>::try_from(names).expect("five outputs");
    let table_job = |name, table| job(name, move |out| sink::write(table, format, bom, out));
    let jobs = vec![
        job(credits_name, |out| {
            let (written, made) = rayon::join(
                || sink::write(credits_table, format, bom, out),
                || {
                    report.tally(credits, rejections);
                    report.html(summary, rejections)
                },
            );
            let _ = page.set(made);
            written
        }),
        table_job(rejections_name, rejections_table),
        table_job(summary_name, summary_table),
        table_job(claims_name, claims_table),
        job(report_name, |out| {
            let page: &Vec<String> = page.get().context("report.html is made with the credits")?;
            Ok(page
                .iter()
                .try_for_each(|piece| out.write_all(piece.as_bytes()))?)
        }),
    ];
    sink::atomic::write_files(&config.out, in_waves(format, jobs))
}

/// The outputs' jobs (credits, rejections, summary, claims, report) in
/// the waves they are made in. As CSV or JSON lines the credits and the
/// rejections are made at once: the rejections, three rows in four of a
/// large batch, wait on the disk more than on the cores, and the credits
/// on the cores, the report's counts made beside them. A workbook is made
/// whole in memory before it is written, so workbooks are made one at a
/// time (two at once: 1M rows peaked at 2.3 GB instead of 1.4).
fn in_waves(
    format: sink::OutputFormat,
    jobs: Vec<sink::atomic::Job<'_>>,
) -> Vec<Vec<sink::atomic::Job<'_>>> {
    if format == sink::OutputFormat::Xlsx {
        return jobs.into_iter().map(|job| vec![job]).collect();
    }
    let mut jobs = jobs.into_iter();
    let together = jobs.by_ref().take(2).collect();
    vec![together, jobs.collect()]
}

/// Outputs replace files of the same names: an output folder that holds an
/// input could overwrite it, so it is refused before anything is read.
fn refuse_output_holding_inputs(config: &Config, files: &[InputFile]) -> Result<()> {
    let Ok(out) = config.out.canonicalize() else {
        return Ok(());
    };
    let prior = config
        .prior
        .iter()
        .map(|p| (p.display().to_string(), p.clone()));
    let inputs = files
        .iter()
        .map(|f| (f.source_file.clone(), f.path.clone()));
    for (shown, path) in inputs.chain(prior) {
        if path.canonicalize().is_ok_and(|p| p.starts_with(&out)) {
            bail!(
                "the output folder {} holds the input {shown}: choose another --out",
                config.out.display()
            );
        }
    }
    Ok(())
}

/// Reads one file and normalizes each of its sheets; a reader that fails
/// on a hostile file makes a `FILE_ERROR`, not a crash.
fn read_file(
    index: u32,
    input: &InputFile,
    options: &ReadOptions,
    dates: DateContext,
) -> FileRecords {
    std::panic::catch_unwind(|| read_and_normalize(index, input, options, dates)).unwrap_or_else(
        |_| {
            let mut out = FileRecords {
                unreadable: true,
                ..FileRecords::default()
            };
            out.rejections.push(Rejection {
                at: RowRef::in_file(&input.source_file, (index, 0, 0)),
                kind: None,
                member_id: Text::from(""),
                code: Code::FileError,
                reason: "the file is corrupt: its reader failed on it".into(),
            });
            out
        },
    )
}

/// CSV files are read this many bytes at a time.
const CSV_BATCH_BYTES: usize = 32 << 20;

/// Reads a CSV file a batch at a time and normalizes each batch's pieces in
/// parallel, so that neither the file nor its raw rows are ever held whole.
/// `None` when the file must be read whole (see `source::csv::stream`).
fn stream_csv(
    index: u32,
    input: &InputFile,
    options: &ReadOptions,
    dates: DateContext,
) -> Option<FileRecords> {
    let is_tsv = match input.format {
        Some(Format::Csv) => false,
        Some(Format::Tsv) => true,
        _ => return None,
    };
    // Files that are not text, and files that cannot be opened, are told of by the whole-file path.
    let mut file = source::csv::ReadAhead::new(std::fs::File::open(&input.path).ok()?);
    let mut head = Vec::with_capacity(512);
    std::io::Read::by_ref(&mut file)
        .take(512)
        .read_to_end(&mut head)
        .ok()?;
    if source::inputs::not_text(&head).is_some() {
        return None;
    }
    let place = SheetPlace::new(&input.source_file, None, (index, 0), dates, true);
    let search = std::sync::OnceLock::new();
    let mut out = FileRecords::default();
    let ended = source::csv::stream(
        std::io::Read::chain(head.as_slice(), file),
        is_tsv,
        options.delimiter,
        &options.matcher,
        options.csv_batch_bytes,
        |rows, all| {
            find_header(rows, &options.matcher, all).is_some_and(|found| search.set(found).is_ok())
        },
        |rows, first| {
            let search = search.get().expect("the header is looked for first");
            // Rows are numbered from 1 in each piece; only the first holds the header.
            let below = if first { search.row() } else { 0 };
            let mut normalizer = RowNormalizer::new(search.clone(), place, below);
            normalizer.reserve(rows.rows_expected());
            while let Some(row) = rows.next_row() {
                normalizer.push(row);
            }
            let sheet = normalizer.finish();
            let data_rows = sheet.records.len() + sheet.rejections.len();
            (
                Part::of(sheet.records, sheet.scatters_members),
                sheet.rejections,
                data_rows,
            )
        },
        |pieces| {
            for ((mut part, mut rejections, data_rows), rows_before) in pieces {
                for at in part.places_mut() {
                    at.order.2 = at.order.2.saturating_add(rows_before);
                }
                for rejection in &mut rejections {
                    rejection.at.order.2 = rejection.at.order.2.saturating_add(rows_before);
                }
                out.data_rows += data_rows;
                out.parts.push(part);
                out.rejections.extend(rejections);
            }
        },
    );
    let Ok(Streamed::Read { delimiter }) = ended else {
        return None;
    };
    let kind = search.get().and_then(HeaderSearch::kind);
    out.has_roster = kind == Some(Kind::Member);
    out.kinds
        .push(kind.map_or("unrecognized", normalize::kind_label));
    out.delimiter = Some(delimiter);
    out.no_data_rows = out.data_rows == 0;
    Some(out)
}

/// Reads one file and normalizes each of its sheets.
fn read_and_normalize(
    index: u32,
    input: &InputFile,
    options: &ReadOptions,
    dates: DateContext,
) -> FileRecords {
    let file_error = |sheet: Option<(u32, &str)>, message: &str| Rejection {
        at: RowRef {
            order: (index, sheet.map_or(0, |(i, _)| i), 0),
            source: SourceId::new(&input.source_file, sheet.map(|(_, name)| name)),
        },
        kind: None,
        member_id: Text::from(""),
        code: Code::FileError,
        reason: message.into(),
    };
    if let Some(out) = stream_csv(index, input, options, dates) {
        return out;
    }
    let mut out = FileRecords::default();
    let file = match normalize_file(index, input, options, dates) {
        Ok(file) => file,
        Err(message) => {
            out.rejections.push(file_error(None, &message));
            out.unreadable = true;
            return out;
        }
    };
    out.skipped_sheets = file.skipped_sheets;
    out.encoding = file.encoding;
    out.delimiter = file.delimiter;
    let mut data_rows = 0;
    for (sheet_index, sheet) in file.sheets.into_iter().enumerate() {
        match sheet {
            Err((name, message)) => {
                out.rejections
                    .push(file_error(Some((sheet_index as u32, &name)), &message));
            }
            Ok(sheet) => {
                out.has_roster |= sheet.is_roster;
                out.kinds
                    .push(sheet.kind.map_or("unrecognized", normalize::kind_label));
                data_rows += sheet.records.len() + sheet.rejections.len();
                out.parts
                    .push(Part::of(sheet.records, sheet.scatters_members));
                out.rejections.extend(sheet.rejections);
            }
        }
    }
    out.no_data_rows = data_rows == 0 && out.rejections.is_empty();
    out.data_rows = data_rows;
    out
}

/// A file's sheets normalized, each, or its name and why it cannot be read.
struct NormalizedFile {
    sheets: Vec<Result<normalize::SheetRecords, (String, String)>>,
    skipped_sheets: usize,
    encoding: Option<&'static str>,
    delimiter: Option<u8>,
}

/// Reads a file and normalizes its sheets, a workbook's as they stream in
/// and a CSV file that cannot be streamed whole; or says why it cannot be
/// read at all.
fn normalize_file(
    index: u32,
    input: &InputFile,
    options: &ReadOptions,
    dates: DateContext,
) -> Result<NormalizedFile, String> {
    let is_tsv = match input.format {
        Some(Format::Csv) => false,
        Some(Format::Tsv) => true,
        None => return Err(source::inputs::UNKNOWN_EXTENSION.to_string()),
        Some(Format::Workbook(kind)) => {
            source::inputs::check_container(input, kind)?;
            let read = source::workbook::read_each(&input.path, kind, options.limits, |start| {
                let dates = DateContext {
                    is_1904: start.is_1904,
                    ..dates
                };
                let at = (index, start.index);
                let place = SheetPlace::new(&input.source_file, Some(start.name), at, dates, false);
                SheetNormalizer::new(place, &options.matcher)
            })?;
            return Ok(NormalizedFile {
                sheets: read
                    .sheets
                    .into_iter()
                    .map(|sheet| sheet.map(SheetNormalizer::finish))
                    .collect(),
                skipped_sheets: read.skipped_sheets,
                encoding: None,
                delimiter: None,
            });
        }
    };
    let file = read_text(input, is_tsv, options)?;
    let sheets = file
        .sheets
        .into_iter()
        .enumerate()
        .map(|(sheet_index, sheet)| match sheet {
            SheetRead::Failed { name, message } => Err((name, message)),
            SheetRead::Sheet(sheet) => {
                let at = (index, sheet_index as u32);
                let place = SheetPlace::of(&sheet, &input.source_file, at, dates);
                Ok(normalize_sheet(sheet, place, &options.matcher))
            }
        })
        .collect();
    Ok(NormalizedFile {
        sheets,
        skipped_sheets: file.skipped_sheets,
        encoding: file.encoding,
        delimiter: file.delimiter,
    })
}

/// One member's rows for the rules: those grouped in their parts, moved
/// here, and the loose lines of parts that scatter members, read where
/// they are.
struct MemberGroup<'a> {
    key: MemberKey,
    rows: MemberRows,
    loose: Vec<&'a TranscriptLine>,
}

/// The loose lines of every part, in input order, taken out of the parts.
fn take_loose_lines(read: &mut [FileRecords]) -> Vec<Vec<TranscriptLine>> {
    read.iter_mut()
        .flat_map(|f| &mut f.parts)
        .map(|part| std::mem::take(&mut part.loose))
        .filter(|lines| !lines.is_empty())
        .collect()
}

/// What a member's entry or loose line is sorted by: its key's number
/// (`OTHER_KEYS_FROM`), then where it is: a part's entry (`GROUPED`, its
/// place among the entries) or a loose line (its list and place in it).
type SortItem = (u64, u32, u32);

/// The source of a part's member entry in a `SortItem`.
const GROUPED: u32 = u32::MAX;

/// The numbers member keys are sorted by, which order them as keys order
/// and are equal only for equal keys: an id of up to 19 digits is its value
/// (below this); any other key (a text id, a longer number) this and its
/// rank among the batch's other keys (`rank_other_keys`).
const OTHER_KEYS_FROM: u64 = 10_000_000_000_000_000_000;

/// A `SortItem`'s number before the other keys are ranked.
const UNRANKED: u64 = u64::MAX;

/// Transcript and instructor rows by member, sorted by member key: rows
/// moved out of the files' parts, which are joined in order, and the loose
/// lines borrowed.
fn group_by_member<'a>(
    read: &mut [FileRecords],
    loose: &'a [Vec<TranscriptLine>],
) -> Vec<MemberGroup<'a>> {
    let total = read
        .iter()
        .flat_map(|f| &f.parts)
        .map(|p| p.members.len())
        .sum();
    let mut parts: Vec<(MemberKey, MemberRows)> = Vec::with_capacity(total);
    for file in read.iter_mut() {
        for part in std::mem::take(&mut file.parts) {
            parts.extend(part.members);
        }
    }
    // Sorted by each key's number, made once, not by comparing keys: with
    // members' rows interleaved a part holds most members, and comparing
    // millions of ids as text from all over memory took 5.6 s of a
    // shuffled 10M-row batch. An entry's place in the list (file, part,
    // then the member's place in it) breaks ties, so one member's rows
    // stay in input order.
    let mut items: Vec<SortItem> = loose
        .par_iter()
        .enumerate()
        .flat_map_iter(|(list, lines)| {
            lines.iter().enumerate().map(move |(i, line)| {
                let number = MemberKey::number_of(&line.head.member_id);
                (number.unwrap_or(UNRANKED), list as u32, i as u32)
            })
        })
        .collect();
    // Added to the loose lines' items, not those to these: a tidy batch has
    // no loose lines, a scattered one few entries.
    items.par_extend(
        parts
            .par_iter()
            .enumerate()
            .map(|(i, (key, _))| (key.number().unwrap_or(UNRANKED), GROUPED, i as u32)),
    );
    rank_other_keys(&mut items, &parts, loose);
    // Loose lines (by list, then place) come before a member's entries.
    // Compared as one number, not three: the shuffled 10M rows' sort
    // 600-760 -> 264-267 ms (twenty-third session).
    items.par_sort_unstable_by_key(|&(number, source, place)| {
        u128::from(number) << 64 | u128::from(source) << 32 | u128::from(place)
    });
    let members: Vec<&[SortItem]> = items.chunk_by(|a, b| a.0 == b.0).collect();
    // Each member's rows are moved once, into lists of their full length.
    let mut groups = Vec::with_capacity(members.len());
    for same_member in members {
        let (loose_items, entries) =
            same_member.split_at(same_member.partition_point(|i| i.1 != GROUPED));
        let loose_lines: Vec<&TranscriptLine> = loose_items
            .iter()
            .map(|&(_, list, i)| &loose[list as usize][i as usize])
            .collect();
        let key = match (entries.first(), loose_lines.first()) {
            (Some(&(_, _, first)), _) => {
                std::mem::replace(&mut parts[first as usize].0, MemberKey::Text(String::new()))
            }
            (None, Some(line)) => MemberKey::new(&line.head.member_id),
            (None, None) => unreachable!("a member has an entry or a line"),
        };
        let rows = match entries {
            [] => MemberRows::default(),
            // A member met in one part, most of them in a tidy batch, keeps its lists.
            [(_, _, only)] => std::mem::take(&mut parts[*only as usize].1),
            _ => {
                let sizes = entries.iter().map(|&(_, _, i)| {
                    let (lines, records) = &parts[i as usize].1;
                    (lines.len(), records.len())
                });
                let (lines_len, records_len) = sizes.fold((0, 0), |(l, r), (a, b)| (l + a, r + b));
                let mut lines = Vec::with_capacity(lines_len);
                let mut records = Vec::with_capacity(records_len);
                for &(_, _, i) in entries {
                    let (more_lines, more_records) = std::mem::take(&mut parts[i as usize].1);
                    lines.extend(more_lines);
                    records.extend(more_records);
                }
                (lines, records)
            }
        };
        groups.push(MemberGroup {
            key,
            rows,
            loose: loose_lines,
        });
    }
    groups
}

/// Gives the items whose keys have no `MemberKey::number` (text ids,
/// numbers over 19 digits) their numbers: `OTHER_KEYS_FROM` and the key's rank
/// among those keys, equal keys one rank. A loose line's key is made once
/// for each id text (a member's lines read on one thread share one), not
/// for each line: compared whole from all over memory as the items were
/// sorted, the text ids of a shuffled 10M-row batch took 10.1 s to sort.
fn rank_other_keys(
    items: &mut [SortItem],
    parts: &[(MemberKey, MemberRows)],
    loose: &[Vec<TranscriptLine>],
) {
    let id_of = |list: u32, i: u32| &loose[list as usize][i as usize].head.member_id;
    // The loose lines' distinct id texts, by address.
    let mut texts: Vec<(usize, &Text)> = items
        .par_iter()
        .filter(|&&(number, source, _)| number == UNRANKED && source != GROUPED)
        .map(|&(_, list, i)| {
            let id = id_of(list, i);
            (id.as_ptr() as usize, id)
        })
        .collect();
    texts.par_sort_unstable_by_key(|&(address, _)| address);
    texts.dedup_by_key(|&mut (address, _)| address);
    let made: Vec<MemberKey> = texts.par_iter().map(|(_, id)| MemberKey::new(id)).collect();
    // Each such key, with where its rank goes: its text's, or an entry's item.
    enum Rank {
        OfText(usize),
        OfItem(usize),
    }
    let entries = items
        .iter()
        .enumerate()
        .filter(|(_, &(number, source, _))| number == UNRANKED && source == GROUPED)
        .map(|(at, &(_, _, i))| (&parts[i as usize].0, Rank::OfItem(at)));
    let mut keys: Vec<(&MemberKey, Rank)> = made
        .iter()
        .enumerate()
        .map(|(k, key)| (key, Rank::OfText(k)))
        .chain(entries)
        .collect();
    keys.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    // Each text's rank, by its address.
    let mut text_rank: HashMap<usize, u64> = HashMap::default();
    text_rank.reserve(texts.len());
    let mut rank = OTHER_KEYS_FROM;
    for (k, (key, of)) in keys.iter().enumerate() {
        if k > 0 && keys[k - 1].0 != *key {
            rank += 1;
        }
        match *of {
            Rank::OfText(t) => {
                text_rank.insert(texts[t].0, rank);
            }
            Rank::OfItem(at) => items[at].0 = rank,
        }
    }
    items
        .par_iter_mut()
        .filter(|item| item.0 == UNRANKED)
        .for_each(|item| item.0 = text_rank[&(id_of(item.1, item.2).as_ptr() as usize)]);
}

/// A member's lines of its grouped rows and its loose lines, each in
/// input order, merged in input order.
fn in_input_order<'a>(
    grouped: &'a [TranscriptLine],
    loose: Vec<&'a TranscriptLine>,
) -> Vec<&'a TranscriptLine> {
    if loose.is_empty() {
        return grouped.iter().collect();
    }
    // Loose lines lie all over memory; grouped ones in order.
    model::read_ahead(loose.iter().copied(), |line| {
        line.at.order.2 as usize ^ line.course_id.len() ^ line.course_title.len()
    });
    if grouped.is_empty() {
        return loose;
    }
    let mut lines = Vec::with_capacity(grouped.len() + loose.len());
    let (mut grouped, mut loose) = (grouped.iter().peekable(), loose.into_iter().peekable());
    while let (Some(g), Some(l)) = (grouped.peek(), loose.peek()) {
        if g.at.order < l.at.order {
            lines.extend(grouped.next());
        } else {
            lines.extend(loose.next());
        }
    }
    lines.extend(grouped);
    lines.extend(loose);
    lines
}

/// What the rules give for a run of members as they go: credits,
/// rejections, and summary rows sorted by member id.
#[derive(Default)]
struct MemberRun {
    credits: Blocks<Credit>,
    rejections: Blocks<Rejection>,
    summary: Vec<rules::summary::SummaryRow>,
    /// Most rejections repeat a few reasons (a year's cap reached): each is kept once.
    reasons: normalize::intern::Interner,
    texts: rules::transcript::RunTexts,
}

/// What the rules gave for a run of members, its rows in blocks.
struct Evaluated {
    credits: Vec<Vec<Credit>>,
    rejections: Vec<Vec<Rejection>>,
    summary: Vec<rules::summary::SummaryRow>,
    reasons: normalize::intern::Interner,
}

impl MemberRun {
    /// The run's blocks made whole on its own thread as its rules end, in
    /// memory its heap holds (trimmed on the calling thread afterwards, every
    /// run's last blocks were copied into fresh pages).
    fn finish(self) -> Evaluated {
        Evaluated {
            credits: self.credits.into_parts(),
            rejections: self.rejections.into_parts(),
            summary: self.summary,
            reasons: self.reasons,
        }
    }
}

/// Applies the rules to each member's rows, members in parallel; each
/// thread keeps what its run of members gave, and the runs stay in member order.
fn evaluate_members(
    read: &mut [FileRecords],
    roster: &Roster,
    prior: &Prior,
    config: &Config,
) -> Vec<Evaluated> {
    let loose = take_loose_lines(read);
    let groups = group_by_member(read, &loose);
    let empty = PriorMember::default();
    let no_id = MemberKey::new("");
    // Runs of members small enough to share out at the end (a thread left
    // alone with a long run idled the other), few enough that the runs'
    // part-filled blocks of rows stay few (runs of 512 members took 100 MB
    // more on 10M rows).
    let run = groups
        .len()
        .div_ceil(rayon::current_num_threads() * 32)
        .max(1);
    let evaluated = groups
        .into_par_iter()
        .with_max_len(run)
        .fold(MemberRun::default, |mut out, group| {
            let MemberGroup {
                key,
                rows: (lines, records),
                loose,
            } = group;
            // Each member's grouped rows are dropped once the rules have read
            // them; the loose lines with their lists, after the rules.
            let lines = in_input_order(&lines, loose);
            let records: Vec<&InstructorRecord> = records.iter().collect();
            // Rows without an id all fail their first check; no roster entry
            // is theirs, and they have no summary row.
            let member = if key == no_id { None } else { roster.get(&key) };
            let prior = prior.member(&key).unwrap_or(&empty);
            let mut outcomes = rules::transcript::evaluate(
                &lines,
                member,
                prior,
                &config.rules,
                config.as_of,
                &mut out.texts,
            );
            outcomes.extend(rules::instructor::evaluate(
                &records,
                member,
                prior,
                &config.rules,
                config.as_of,
            ));
            if key != no_id {
                let data_rows = lines
                    .iter()
                    .map(|t| (t.at.order, &*t.head.member_id, &*t.head.member_name))
                    .chain(
                        records
                            .iter()
                            .map(|i| (i.at.order, &*i.member_id, &*i.member_name)),
                    );
                let credits = outcomes.iter().filter_map(|o| match o {
                    Outcome::Credit(c) => Some(c),
                    Outcome::Rejection(_) => None,
                });
                out.summary.push(rules::summary::summarize_member(
                    &key,
                    data_rows,
                    credits,
                    roster,
                    &config.rules,
                ));
            }
            for outcome in outcomes {
                match outcome {
                    Outcome::Credit(c) => out.credits.push(c),
                    Outcome::Rejection(mut r) => {
                        if let Reason::Text(text) = r.reason {
                            r.reason = Reason::Text(out.reasons.share(text));
                        }
                        out.rejections.push(r);
                    }
                }
            }
            out
        })
        .map(MemberRun::finish)
        .collect();
    drop_aside(loose);
    evaluated
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the whole-file path makes of the same file.
    fn read_whole(input: &InputFile, options: &ReadOptions, dates: DateContext) -> FileRecords {
        let mut out = FileRecords::default();
        for sheet in read_text(input, false, options).unwrap().sheets {
            let SheetRead::Sheet(sheet) = sheet else {
                panic!("a CSV file has one sheet")
            };
            let place = SheetPlace::of(&sheet, &input.source_file, (3, 0), dates);
            let normalized = normalize_sheet(sheet, place, &options.matcher);
            out.parts
                .push(Part::of(normalized.records, normalized.scatters_members));
            out.rejections.extend(normalized.rejections);
        }
        out
    }

    /// A file's transcript lines in input order.
    fn lines_in_order(read: &FileRecords) -> Vec<&TranscriptLine> {
        let mut lines: Vec<&TranscriptLine> = read
            .parts
            .iter()
            .flat_map(|p| {
                p.members
                    .iter()
                    .flat_map(|(_, (lines, _))| lines)
                    .chain(&p.loose)
            })
            .collect();
        lines.sort_by_key(|l| l.at.order);
        lines
    }

    /// A CSV file as an input, with the dates and the reading options of the tests.
    fn csv_file(path: std::path::PathBuf) -> (InputFile, DateContext, ReadOptions) {
        let input = InputFile {
            source_file: "t.csv".to_string(),
            path,
            format: Some(Format::Csv),
        };
        let dates = DateContext {
            day_first: false,
            as_of_year: 2026,
            is_1904: false,
        };
        let options = ReadOptions {
            delimiter: None,
            limits: Limits {
                sheet_rows: 1 << 20,
                sheet_columns: 1 << 10,
                part_bytes: 1 << 30,
            },
            matcher: HeaderMatcher::default(),
            csv_batch_bytes: 0,
        };
        (input, dates, options)
    }

    #[test]
    fn the_large_outputs_are_made_at_once_but_workbooks_one_at_a_time() {
        let names_in_waves = |format| {
            let jobs = ["credits", "rejections", "summary", "claims", "report"]
                .map(|name| job(name.to_string(), |_| Ok(())))
                .into();
            in_waves(format, jobs)
                .into_iter()
                .map(|wave| wave.into_iter().map(|(name, _)| name).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        let two_then_three = [
            vec!["credits", "rejections"],
            vec!["summary", "claims", "report"],
        ];
        assert_eq!(names_in_waves(sink::OutputFormat::Csv), two_then_three);
        assert_eq!(names_in_waves(sink::OutputFormat::Jsonl), two_then_three);
        assert_eq!(
            names_in_waves(sink::OutputFormat::Xlsx),
            [
                ["credits"],
                ["rejections"],
                ["summary"],
                ["claims"],
                ["report"]
            ]
        );
    }

    #[test]
    fn a_csv_file_not_utf8_past_its_first_batch_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut bytes = b"member_id,institution,program,program_area,course_id,completed_on,credit_hours,grade\n".to_vec();
        for i in 0..200 {
            bytes
                .extend_from_slice(format!("{i},U,P,health care,C{i},2025-03-14,3,A\n").as_bytes());
        }
        // Windows-1252 \xE9 (\u{e9}) far past the first batch.
        bytes.extend_from_slice(b"7,Caf\xE9 College,P,health care,C9,2025-03-14,3,A\n");
        std::fs::write(&path, &bytes).unwrap();
        let (input, dates, mut options) = csv_file(path);
        options.csv_batch_bytes = 1000;
        assert!(stream_csv(3, &input, &options, dates).is_none());
        let whole = read_and_normalize(3, &input, &options, dates);
        let lines = lines_in_order(&whole);
        assert_eq!(lines.len(), 201);
        assert_eq!(&*lines[200].head.institution, "Caf\u{e9} College");
    }

    #[test]
    fn csv_read_in_small_batches_gives_what_the_whole_file_gives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut text = String::from("Fall transcripts\n\nmember_id,institution,program,program_area,course_id,completed_on,credit_hours,grade\n");
        for i in 0..400 {
            match i % 7 {
                0 => text.push('\n'),
                1 => text.push_str(&format!("{i},U,P,health care,C{i},2025-13-01,3,A\n")),
                2 => text.push_str(&format!("{i},U,P,health care,C{i},2025-03-14,3,A,extra\n")),
                _ => text.push_str(&format!(
                    "{},U,P,health care,C{i},2025-03-14,{}.5,B\r\n",
                    i / 3,
                    i % 4
                )),
            }
        }
        std::fs::write(&path, &text).unwrap();
        let (input, dates, mut options) = csv_file(path);
        let whole = read_whole(&input, &options, dates);
        let whole_records = lines_in_order(&whole);
        // Every 7th line is empty and every 7th has a field beyond the header.
        assert_eq!(whole_records.len(), 400 - 58 - 57);
        assert_eq!(whole.rejections.len(), 57);
        for batch in [1, 100, 1000, 5000, 1 << 20] {
            options.csv_batch_bytes = batch;
            let streamed = stream_csv(3, &input, &options, dates).expect("read in batches");
            assert_eq!(
                lines_in_order(&streamed),
                whole_records,
                "batches of {batch}"
            );
            assert_eq!(streamed.rejections, whole.rejections, "batches of {batch}");
            assert_eq!(streamed.data_rows, 400 - 58);
        }
    }

    fn line(id: &str, row: u32) -> Record {
        Record::Transcript(TranscriptLine {
            at: RowRef::in_file("t.csv", (0, 0, row)),
            head: std::sync::Arc::new(normalize::LineHead {
                member_id: id.into(),
                member_name: Text::default(),
                institution: Text::default(),
                program: Text::default(),
                program_area: Text::default(),
            }),
            course_id: Text::default(),
            course_title: Text::default(),
            completed_on: normalize::value::Parsed::Blank.into(),
            hours: normalize::value::LineHours::Neither,
            grade: Text::default(),
            certified_on: normalize::value::Parsed::Blank.into(),
        })
    }

    #[test]
    fn a_part_groups_its_rows_by_member_in_the_order_members_are_met() {
        let part = Part::of(
            vec![line("b", 1), line("a", 2), line("B", 3), line("b", 4)],
            false,
        );
        let seen: Vec<(MemberKey, Vec<u32>, usize)> = part
            .members
            .iter()
            .map(|(key, (lines, _))| {
                let rows = lines.iter().map(|l| l.at.order.2).collect();
                (key.clone(), rows, lines.capacity())
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (MemberKey::new("b"), vec![1, 3, 4], 3),
                (MemberKey::new("a"), vec![2], 1),
            ]
        );
    }

    /// Each member's key, rows and room for rows, as `group_by_member` gives
    /// them for the parts of one file.
    fn grouped(parts: Vec<Part>) -> Vec<(MemberKey, Vec<u32>, usize)> {
        let mut read = vec![FileRecords {
            parts,
            ..FileRecords::default()
        }];
        let loose = take_loose_lines(&mut read);
        group_by_member(&mut read, &loose)
            .into_iter()
            .map(|group| {
                let (lines, _) = &group.rows;
                let in_order = in_input_order(lines, group.loose);
                let rows = in_order.iter().map(|l| l.at.order.2).collect();
                (group.key, rows, lines.capacity())
            })
            .collect()
    }

    /// Lines of the members `ids` in turn, numbered from `row`: no line is
    /// the same member's as the line before.
    fn scattered(ids: &[&str], row: u32, count: u32) -> Vec<Record> {
        (0..count)
            .map(|n| line(ids[n as usize % ids.len()], row + n))
            .collect()
    }

    #[test]
    fn a_part_that_scatters_its_members_keeps_its_lines_as_they_came() {
        let part = Part::of(scattered(&["1", "2", "3"], 1, 40), true);
        assert!(part.members.is_empty());
        let rows: Vec<u32> = part.loose.iter().map(|l| l.at.order.2).collect();
        assert_eq!(rows, (1..=40).collect::<Vec<_>>());
        let grouped = Part::of(scattered(&["1", "2", "3"], 1, 40), false);
        assert!(grouped.loose.is_empty());
        assert_eq!(grouped.members.len(), 3);
    }

    #[test]
    fn loose_lines_join_their_members_grouped_rows_in_input_order() {
        let seen = grouped(vec![
            Part::of(
                vec![line("1", 1), line("1", 2), line("002", 3), line("1", 4)],
                false,
            ),
            Part::of(scattered(&["3", "1", "2"], 10, 36), true),
            Part::of(vec![line("2", 50), line("01", 51)], false),
        ]);
        let every_third_from = |first: u32| (first..46).step_by(3);
        let mut one = vec![1, 2, 4];
        one.extend(every_third_from(11));
        one.push(51);
        let mut two = vec![3];
        two.extend(every_third_from(12));
        two.push(50);
        assert_eq!(
            seen,
            vec![
                (MemberKey::new("1"), one, 4),
                (MemberKey::new("2"), two, 2),
                (MemberKey::new("3"), every_third_from(10).collect(), 0),
            ]
        );
    }

    #[test]
    fn a_members_loose_lines_written_both_ways_stay_in_input_order() {
        let seen = grouped(vec![Part::of(
            scattered(&["42.00", "7", "042", "7"], 1, 32),
            true,
        )]);
        assert_eq!(
            seen,
            vec![
                (MemberKey::new("7"), (2..=32).step_by(2).collect(), 0),
                (MemberKey::new("42"), (1..=32).step_by(2).collect(), 0),
            ]
        );
    }

    #[test]
    fn loose_lines_of_text_ids_and_long_numbers_are_told_apart_by_their_ids() {
        let long = |last: char| format!("{}{last}", "9".repeat(20));
        let (a, b, l0, l1) = ("ABCDEFGH-1", "abcdefgh-2", long('0'), long('1'));
        let seen = grouped(vec![
            Part::of(scattered(&[a, &l1, b, &l0], 1, 32), true),
            Part::of(vec![line("ABCDEFGH-2", 40)], false),
        ]);
        let every_fourth_from = |first: u32| (first..33).step_by(4).collect::<Vec<u32>>();
        let mut with_40 = every_fourth_from(3);
        with_40.push(40);
        assert_eq!(
            seen,
            vec![
                (MemberKey::new(&l0), every_fourth_from(4), 0),
                (MemberKey::new(&l1), every_fourth_from(2), 0),
                (MemberKey::new(a), every_fourth_from(1), 0),
                (MemberKey::new(b), with_40, 1),
            ]
        );
    }

    #[test]
    fn loose_lines_sharing_an_id_text_join_others_of_the_same_key() {
        // As read on one thread, a member's scattered lines share one head.
        let first = line("X-1", 1);
        let Record::Transcript(head) = &first else {
            unreachable!("a transcript line")
        };
        let head = head.head.clone();
        let with_the_head = |row: u32| match line("", row) {
            Record::Transcript(mut t) => {
                t.head = head.clone();
                Record::Transcript(t)
            }
            other => other,
        };
        let long = "9".repeat(20);
        let seen = grouped(vec![
            Part::of(
                vec![
                    first,
                    line("7", 2),
                    with_the_head(3),
                    line(&long, 4),
                    with_the_head(5),
                ],
                true,
            ),
            Part::of(vec![line("x-1", 6), line("07", 7), line(&long, 8)], true),
            Part::of(vec![line(" X-1 ", 9)], false),
        ]);
        assert_eq!(
            seen,
            vec![
                (MemberKey::new("7"), vec![2, 7], 0),
                (MemberKey::new(&long), vec![4, 8], 0),
                (MemberKey::new("X-1"), vec![1, 3, 5, 6, 9], 1),
            ]
        );
    }

    #[test]
    fn members_are_grouped_across_parts_in_input_order() {
        let seen = grouped(vec![
            Part::of(vec![line("b7", 1), line("0042", 2), line("B7", 3)], false),
            Part::of(vec![line("42", 4), line("b7", 5)], false),
            Part::of(vec![line("7", 6)], false),
        ]);
        assert_eq!(
            seen,
            vec![
                (MemberKey::new("7"), vec![6], 1),
                (MemberKey::new("42"), vec![2, 4], 2),
                (MemberKey::new("B7"), vec![1, 3, 5], 3),
            ]
        );
    }

    #[test]
    fn a_members_rows_from_many_parts_stay_in_input_order() {
        // More entries than a sort leaves to insertion, which would keep
        // equal keys in order by itself.
        let parts = (0..100)
            .map(|k| Part::of(vec![line("2", 2 * k + 1), line("1", 2 * k + 2)], false))
            .collect();
        assert_eq!(
            grouped(parts),
            vec![
                (MemberKey::new("1"), (1..=100).map(|k| 2 * k).collect(), 100),
                (
                    MemberKey::new("2"),
                    (0..100).map(|k| 2 * k + 1).collect(),
                    100
                ),
            ]
        );
    }

    #[test]
    fn members_with_text_ids_and_long_numbers_are_told_apart_by_their_ids() {
        // Ids over 19 digits, and texts with the same first eight bytes,
        // are ranked by the ids themselves, which order and group them.
        let long = |last: char| format!("{}{last}", "9".repeat(20));
        let seen = grouped(vec![
            Part::of(
                vec![
                    line("ABCDEFGH-2", 1),
                    line(&long('1'), 2),
                    line("abcdefgh-1", 3),
                ],
                false,
            ),
            Part::of(vec![line(&long('0'), 4), line("ABCDEFGH-1", 5)], false),
            Part::of(vec![line(&long('1'), 6), line("ABCDEFGH-2", 7)], false),
        ]);
        assert_eq!(
            seen,
            vec![
                (MemberKey::new(&long('0')), vec![4], 1),
                (MemberKey::new(&long('1')), vec![2, 6], 2),
                (MemberKey::new("ABCDEFGH-1"), vec![3, 5], 2),
                (MemberKey::new("ABCDEFGH-2"), vec![1, 7], 2),
            ]
        );
    }
}
