//! The hostile corpus (tests/hostile/, written by its make.py): each file
//! alone, with its exact outcome. Nothing panics, nothing hangs, no row is lost.

use std::path::Path;

use super::case::{columns, Case};

/// Runs one hostile file and returns (exit status, credited rows, rejected rows).
/// A credited row reads `row CREDIT`, a rejection `row CODE` (FILE_ERROR rows have no row).
fn outcome(name: &str) -> (i32, Vec<String>) {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/hostile")
            .join(name),
    )
    .unwrap();
    let case = Case::new().file(name, bytes);
    let run = case.convert(&[name]);
    let mut rows: Vec<String> = Vec::new();
    for line in columns(&case.output("credits.csv"), 3).lines().skip(1) {
        rows.push(format!("{} CREDIT", line.rsplit(',').next().unwrap()));
    }
    for line in columns(&case.output("rejections.csv"), 6).lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        rows.push(format!("{} {}", fields[2], fields[5]).trim().to_string());
    }
    let closing = run
        .stderr
        .lines()
        .find(|l| l.starts_with("rows read: "))
        .unwrap();
    let read: usize = closing.split(' ').nth(2).unwrap().parse().unwrap();
    assert_eq!(
        read,
        rows.len(),
        "{name}: rows read must be credited + rejected"
    );
    (run.status, rows)
}

#[test]
fn every_hostile_file_has_its_exact_outcome() {
    let expected: &[(&str, i32, &[&str])] = &[
        ("utf8_bom.csv", 0, &["2 CREDIT"]),
        ("utf16le.txt", 0, &["2 CREDIT"]),
        ("utf16be.csv", 0, &["2 CREDIT"]),
        ("cp1252.csv", 0, &["2 CREDIT"]),
        ("semicolon.csv", 0, &["2 CREDIT"]),
        ("pipe.csv", 0, &["2 CREDIT"]),
        ("tab.tsv", 0, &["2 CREDIT"]),
        ("ragged_short.csv", 0, &["2 CREDIT"]),
        ("ragged_long.csv", 0, &["2 MALFORMED_ROW"]),
        ("unbalanced_quote.csv", 0, &["3 CREDIT", "2 MALFORMED_ROW"]),
        ("nul_byte.csv", 0, &["2 CREDIT"]),
        ("big_cell.csv", 0, &["2 CREDIT"]),
        ("wide.csv", 0, &["2 CREDIT"]),
        ("empty.csv", 0, &[]),
        ("header_only.csv", 0, &[]),
        ("html_as_xlsx.xlsx", 3, &["FILE_ERROR"]),
        ("text_as_xls.xls", 3, &["FILE_ERROR"]),
        ("binary.csv", 3, &["FILE_ERROR"]),
        ("truncated.xlsx", 3, &["FILE_ERROR"]),
        ("encrypted.xlsx", 3, &["FILE_ERROR"]),
        ("zip_bomb.xlsx", 3, &["FILE_ERROR"]),
        ("stray_cell.xlsx", 0, &["2 CREDIT", "1048576 MISSING_FIELD"]),
        // Row 3 before row 2, and row 2's cells in two pieces: read in sheet order,
        // the header last, and first (its rows normalized before the sheet is read again).
        ("rows_out_of_order.xlsx", 0, &["2 CREDIT", "3 CREDIT"]),
        (
            "rows_out_of_order_after_header.xlsx",
            0,
            &["2 CREDIT", "3 CREDIT"],
        ),
        // Found by fuzzing: calamine's xls reader panics on each (cfb.rs:320,
        // utils.rs:29 and :38, xls.rs:633 in calamine 0.38); each is one FILE_ERROR.
        ("cfb_reader_panic.xls", 3, &["FILE_ERROR"]),
        ("xls_utils29_panic.xls", 3, &["FILE_ERROR"]),
        ("xls_utils38_panic.xls", 3, &["FILE_ERROR"]),
        ("xls_records_panic.xls", 3, &["FILE_ERROR"]),
    ];
    for (name, status, rows) in expected {
        let (got_status, got_rows) = outcome(name);
        let want: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        assert_eq!((got_status, got_rows), (*status, want), "{name}");
    }
}

#[test]
fn file_error_messages_say_what_the_file_is() {
    for (name, words) in [
        ("html_as_xlsx.xlsx", "it looks like an HTML page"),
        ("text_as_xls.xls", "it looks like text"),
        ("binary.csv", "it looks like binary data"),
        ("encrypted.xlsx", "password-protected"),
        (
            "zip_bomb.xlsx",
            "more than the limit of 1073741824 (part_bytes)",
        ),
        ("truncated.xlsx", "corrupt"),
        (
            "cfb_reader_panic.xls",
            "the file is corrupt: its reader failed on it",
        ),
    ] {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/hostile")
                .join(name),
        )
        .unwrap();
        let case = Case::new().file(name, bytes);
        case.convert(&[name]);
        let rejections = case.output("rejections.csv");
        assert!(rejections.contains(words), "{name}: {rejections}");
    }
}

#[test]
fn decoded_files_are_named_in_the_report() {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/cp1252.csv"))
            .unwrap();
    let case = Case::new().file("cp1252.csv", bytes);
    let run = case.convert(&["cp1252.csv"]);
    assert!(
        run.stderr.contains("decoded as Windows-1252: cp1252.csv"),
        "{}",
        run.stderr
    );
    assert!(case.output("credits.csv").contains(",Café,"));
}

#[test]
fn a_symlink_loop_in_an_input_folder_is_not_followed() {
    let case = Case::new().file(
        "in/t.csv",
        "member_id,certified_on,institution,program,program_area,course_id,completed_on,credit_hours\n5,2020-01-01,U,P,Health Care,C,2025-03-14,1\n",
    );
    std::os::unix::fs::symlink(case.path("in"), case.path("in/loop")).unwrap();
    let run = case.convert(&["in"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        columns(&case.output("credits.csv"), 3),
        "source_file,sheet,row\nin/t.csv,,2\n"
    );
    assert!(run.stderr.contains("skipped 1 entries"), "{}", run.stderr);
}

#[test]
fn a_lower_part_limit_applies_to_real_workbooks() {
    let case = Case::new()
        .fixture("lo_1904.xlsx", "b.xlsx")
        .file("r.toml", "[limits]\npart_bytes = 1000\n");
    let run = case.convert(&["b.xlsx", "--rules", "r.toml"]);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert!(case.output("rejections.csv").contains("(part_bytes)"));
}
