//! Synthetic batches for benchmarks (`ceu generate`, hidden): transcript
//! lines in SPEC.md's layout, seeded, at any size, as CSV or as workbooks.
//! About 30 lines per member, 70% credit-hour and 30% clock-hour lines, and
//! a few percent bad rows and duplicates.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

const HEADER: [&str; 12] = [
    "member_id",
    "member_name",
    "institution",
    "program",
    "program_area",
    "course_id",
    "course_title",
    "completed_on",
    "clock_hours",
    "credit_hours",
    "grade",
    "certified_on",
];

const SCHOOLS: [&str; 8] = [
    "Riverside Community College",
    "Metro Technical Institute",
    "Lakeside College",
    "Northern State University",
    "Valley Career Academy",
    "Summit Health Sciences",
    "Coastal Community College",
    "Prairie Technical College",
];

const PROGRAMS: [(&str, &str); 5] = [
    ("AAS Health Information Technology", "Health Care"),
    ("Medical Coding Diploma", "Health Care"),
    ("BS Health Care Administration", "Health Care Management"),
    ("Medical Billing Certificate", "Health Care Business"),
    ("Revenue Cycle Certificate", "Health Care Finance"),
];

const GRADES: [&str; 8] = ["A", "A-", "B+", "B", "C", "", "P", "B"];

/// One synthetic transcript line's fields, in `HEADER` order.
fn line(rng: &mut fastrand::Rng, index: u64) -> [String; 12] {
    let member = index / 30;
    let school = SCHOOLS[(member % SCHOOLS.len() as u64) as usize];
    let (program, area) = PROGRAMS[(member % PROGRAMS.len() as u64) as usize];
    let course = rng.u32(100..400);
    let clock = rng.u8(0..10) < 3;
    let (clock_hours, credit_hours) = if clock {
        (format!("{}", rng.u32(8..60)), String::new())
    } else {
        (
            String::new(),
            format!("{}.{}", rng.u32(1..5), rng.u32(0..2) * 5),
        )
    };
    let mut fields = [
        format!("{:07}", 1_000_000 + member),
        format!("Member {member}"),
        school.to_string(),
        program.to_string(),
        area.to_string(),
        format!("HIT{course}"),
        format!("Health Information Course {course}"),
        format!(
            "{}-{:02}-{:02}",
            rng.u32(2023..2027),
            rng.u32(1..13),
            rng.u32(1..29)
        ),
        clock_hours,
        credit_hours,
        GRADES[rng.usize(0..GRADES.len())].to_string(),
        format!("{}-{:02}-01", rng.u32(2015..2024), rng.u32(1..13)),
    ];
    // A few percent of bad rows: a bad date, bad hours, a missing field, a failing grade.
    match rng.u8(0..100) {
        0 => fields[7] = "2025-02-30".to_string(),
        1 => fields[9 - usize::from(clock)] = "2 hrs".to_string(),
        2 => fields[2].clear(),
        3 => fields[10] = "W".to_string(),
        _ => {}
    }
    fields
}

/// Writes `rows` transcript lines as one CSV file.
pub fn write_csv(path: &Path, rows: u64, seed: u64) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    out.write_record(HEADER)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..rows {
        out.write_record(line(&mut rng, i))?;
    }
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))?
        .flush()?;
    Ok(())
}

/// Writes `books` workbooks of `rows` lines each into `dir`.
pub fn write_workbooks(dir: &Path, books: u64, rows: u64, seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut rng = fastrand::Rng::with_seed(seed);
    for b in 0..books {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in HEADER.iter().enumerate() {
            sheet.write_string(0, c as u16, *name)?;
        }
        for r in 0..rows {
            let fields = line(&mut rng, b * rows + r);
            for (c, value) in fields.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let (row, col) = (r as u32 + 1, c as u16);
                // Hours as number cells, as a spreadsheet holds them.
                match value.parse::<f64>() {
                    Ok(n) if c == 8 || c == 9 => sheet.write_number(row, col, n)?,
                    _ => sheet.write_string(row, col, value)?,
                };
            }
        }
        book.save(dir.join(format!("batch_{b:04}.xlsx")))?;
    }
    Ok(())
}
