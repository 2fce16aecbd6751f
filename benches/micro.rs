//! Micro-benchmarks (criterion) for the parsers and the rule engine. The
//! end-to-end benchmark against DuckDB is `benches/run.sh`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use ceu::model::{RowRef, Text};
use ceu::normalize::header::HeaderMatcher;
use ceu::normalize::value::{
    parse_date_text, parse_hours_text, Amount, DateContext, LineHours, Parsed,
};
use ceu::normalize::{
    find_header, normalize_sheet, LineHead, RowNormalizer, SheetPlace, TranscriptLine,
};
use ceu::rules::prior::PriorMember;
use ceu::rules::ruleset::RuleSet;
use ceu::source::csv::{parse_rows, RowReader};
use ceu::source::Sheet;

// The allocator ceu runs with: the rules allocate a few lists per member.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn values(c: &mut Criterion) {
    c.bench_function("parse_date_text iso", |b| {
        b.iter(|| parse_date_text(black_box("2025-03-14"), false, 2026))
    });
    c.bench_function("parse_date_text month name", |b| {
        b.iter(|| parse_date_text(black_box("Mar 14, 2025 10:30 AM"), false, 2026))
    });
    c.bench_function("parse_hours_text", |b| {
        b.iter(|| parse_hours_text(black_box("12.675")))
    });
}

fn csv_text(rows: usize) -> String {
    let mut text = String::from(
        "member_id,member_name,institution,program,program_area,course_id,course_title,completed_on,clock_hours,credit_hours,grade,certified_on\n",
    );
    for i in 0..rows {
        text.push_str(&format!(
            "{},Member {},Riverside Community College,AAS Health Information,Health Care,HIT{},Course {},2025-{:02}-{:02},,3.5,A,2019-01-01\n",
            1_000_000 + i / 30,
            i / 30,
            i % 30,
            i % 30,
            1 + i % 12,
            1 + i % 28
        ));
    }
    text
}

fn reading(c: &mut Criterion) {
    let text = csv_text(10_000);
    let mut group = c.benchmark_group("csv");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse_rows 10k", |b| {
        b.iter(|| parse_rows(black_box(&text), b',', usize::MAX))
    });
    let matcher = HeaderMatcher::default();
    let dates = DateContext {
        day_first: false,
        as_of_year: 2026,
        is_1904: false,
    };
    group.bench_function("parse and normalize 10k", |b| {
        b.iter(|| {
            let sheet = Sheet {
                name: None,
                rows: parse_rows(&text, b',', usize::MAX),
                is_1904: false,
                is_csv: true,
            };
            let place = SheetPlace::of(&sheet, "bench.csv", (0, 0), dates);
            normalize_sheet(sheet, place, &matcher)
        })
    });
    // The way a CSV file's pieces are read: each row read into one reused
    // row and normalized at once.
    let sheet = Sheet {
        is_csv: true,
        ..Sheet::default()
    };
    let search = find_header(&parse_rows(&text, b',', 1), &matcher, true).expect("a header");
    let place = SheetPlace::of(&sheet, "bench.csv", (0, 0), dates);
    group.bench_function("read a piece and normalize 10k", |b| {
        b.iter(|| {
            let mut rows = RowReader::new(black_box(&text), b',');
            let mut normalizer = RowNormalizer::new(search.clone(), place, search.row());
            normalizer.reserve(rows.rows_expected());
            while let Some(row) = rows.next_row() {
                normalizer.push(row);
            }
            normalizer.finish()
        })
    });
    group.finish();
}

fn rules(c: &mut Criterion) {
    let head = std::sync::Arc::new(LineHead {
        member_id: "1000001".into(),
        member_name: "Member".into(),
        institution: "Riverside Community College".into(),
        program: "AAS Health Information".into(),
        program_area: "Health Care".into(),
    });
    // As read, equal texts of a part share one allocation.
    let grades: Vec<Text> = ["A", "B", "C", "P"].map(Text::from).into();
    let lines: Vec<TranscriptLine> = (0..30u32)
        .map(|i| TranscriptLine {
            at: RowRef::in_file("bench.csv", (0, 0, i + 2)),
            head: head.clone(),
            course_id: format!("HIT{}", i % 25).into(),
            course_title: "".into(),
            completed_on: Parsed::Value(jiff::civil::date(
                2023 + (i % 3) as i16,
                1 + (i % 12) as i8,
                1,
            ))
            .into(),
            hours: if i % 3 == 0 {
                LineHours::Clock(Amount::of(ceu::model::Hundredths(2000)))
            } else {
                LineHours::Credit(Amount::of(ceu::model::Hundredths(350)))
            },
            grade: grades[i as usize % grades.len()].clone(),
            certified_on: Parsed::Value(jiff::civil::date(2019, 1, 1)).into(),
        })
        .collect();
    let refs: Vec<&TranscriptLine> = lines.iter().collect();
    let ruleset = RuleSet::default();
    let prior = PriorMember::default();
    // As in a run, cap groups' year texts and courses' folded keys are made once for many members.
    let mut texts = ceu::rules::transcript::RunTexts::default();
    c.bench_function("transcript rules, one member of 30 lines", |b| {
        b.iter(|| {
            ceu::rules::transcript::evaluate(
                black_box(&refs),
                None,
                &prior,
                &ruleset,
                jiff::civil::date(2026, 11, 15),
                &mut texts,
            )
        })
    });
}

criterion_group!(benches, values, reading, rules);
criterion_main!(benches);
