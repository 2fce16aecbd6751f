//! `ceu template`: the header of each kind, drop-downs from the rule set, a
//! skipped help sheet, and a filled template that converts.

use std::io::Read;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};

use super::case::{columns, Case};

fn template(case: &Case, args: &[&str]) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_ceu"))
        .arg("template")
        .args(args)
        .current_dir(case.dir.path())
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

/// The first worksheet's XML, where the data validations are.
fn first_sheet_xml(path: &std::path::Path) -> String {
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(path).unwrap())
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn transcript_template_has_header_lists_and_help() {
    let case = Case::new();
    assert_eq!(template(&case, &["transcript", "--out", "t.xlsx"]), 0);
    let mut book: Xlsx<_> = calamine::open_workbook(case.path("t.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), vec!["Transcript lines", "_help"]);
    let range = book.worksheet_range("Transcript lines").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        header,
        vec![
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
            "certified_on"
        ]
    );
    let help = book.worksheet_range("_help").unwrap();
    assert_eq!(help.get((5, 0)), Some(&Data::String("program_area".into())));
    let xml = first_sheet_xml(&case.path("t.xlsx"));
    assert!(
        xml.contains(
            "\"health care,health care business,health care finance,health care management\""
        ),
        "{xml}"
    );
}

#[test]
fn instructor_template_lists_credentials_and_delivery() {
    let case = Case::new();
    assert_eq!(template(&case, &["instructor", "--out", "i.xlsx"]), 0);
    let xml = first_sheet_xml(&case.path("i.xlsx"));
    assert!(
        xml.contains("\"CPC,COC,CIC,CRC,CPB,CPMA,CDEO,CPCO,CPPM,CIRCC\""),
        "{xml}"
    );
    assert!(
        xml.contains("\"face to face,in person,classroom,on site\""),
        "{xml}"
    );
}

#[test]
fn an_empty_template_reads_as_its_kind_and_a_filled_csv_one_converts() {
    let case = Case::new();
    assert_eq!(template(&case, &["roster", "--out", "r.xlsx"]), 0);
    assert_eq!(template(&case, &["transcript", "--out", "t.csv"]), 0);
    let header = std::fs::read_to_string(case.path("t.csv")).unwrap();
    let case = case.file(
        "t.csv",
        format!("{header}5,Ana,U,P,Health Care,C1,,2025-03-14,,2,A,2020-01-01\n"),
    );
    let run = case.convert(&["--members", "r.xlsx", "t.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        columns(&case.output("credits.csv"), 5),
        "source_file,sheet,row,kind,member_id\nt.csv,,2,transcript,5\n"
    );
    assert!(run.stderr.contains("skipped 1 sheets"), "{}", run.stderr);
}
