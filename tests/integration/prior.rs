//! `--prior`: a second batch counts the first one's credits (SPEC.md 4.4).

use super::case::{assert_text, columns, Case};

const HEADER: &str = "member_id,institution,program,program_area,course_id,completed_on,credit_hours,clock_hours,certified_on\n";

#[test]
fn caps_courses_and_program_length_span_runs() {
    let first = format!(
        "{HEADER}1,U,P,Health Care,A,2025-02-01,3,,2020-01-01\n2,Tech,Dip,Health Care,M1,2025-02-01,,50,2020-01-01\n"
    );
    let second = format!(
        "{HEADER}1,U,P,Health Care,A,2025-01-15,1,,2020-01-01\n1,U,P,Health Care,B,2025-03-01,2,,2020-01-01\n2,Tech,Dip,Health Care,M2,2025-03-01,,30,2020-01-01\n"
    );
    for format in ["csv", "jsonl", "xlsx"] {
        let case = Case::new()
            .file("first.csv", &first)
            .file("second.csv", &second);
        let run = case.run(&[
            "convert",
            "first.csv",
            "--out",
            "one",
            "--as-of",
            "2026-11-15",
            "--format",
            format,
        ]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let prior = format!("one/credits.{format}");
        let run = case.convert(&["second.csv", "--prior", &prior]);
        assert_eq!(run.status, 0, "{format}: {}", run.stderr);
        // Member 2's first run was rejected below the minimum, so only member 1 has prior credits.
        assert_text(
            &columns(&case.output("credits.csv"), 17),
            "\
source_file,sheet,row,kind,member_id,member_name,institution,program,course_id,course,credential,completed_on,unit,hours,ceus_computed,ceus_awarded,capped
second.csv,,3,transcript,1,,U,P,B,B,,2025-03-01,credit,2.00,20.00,10.00,true
",
        );
        assert_text(
            &columns(&case.output("rejections.csv"), 6),
            "source_file,sheet,row,kind,member_id,code\nsecond.csv,,2,transcript,1,DUPLICATE_COURSE\nsecond.csv,,4,transcript,2,BELOW_CLOCK_MINIMUM\n",
        );
    }
}

#[test]
fn prior_clock_hours_complete_a_program() {
    let first = format!("{HEADER}2,Tech,Dip,Health Care,M1,2024-02-01,,50,2020-01-01\n2,Tech,Dip,Health Care,M0,2024-01-01,,30,2020-01-01\n");
    let second = format!("{HEADER}2,Tech,Dip,Health Care,M2,2025-03-01,,10,2020-01-01\n");
    let case = Case::new()
        .file("first.csv", first)
        .file("second.csv", second);
    case.run(&[
        "convert",
        "first.csv",
        "--out",
        "one",
        "--as-of",
        "2026-11-15",
    ]);
    let run = case.convert(&["second.csv", "--prior", "one/credits.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        columns(&case.output("credits.csv"), 3),
        "source_file,sheet,row\nsecond.csv,,2\n"
    );
}

#[test]
fn a_prior_file_without_the_credits_columns_stops_the_run() {
    let case = Case::new().file(
        "t.csv",
        format!("{HEADER}1,U,P,Health Care,A,2025-02-01,3,,2020-01-01\n"),
    );
    let run = case.convert(&["t.csv", "--prior", "t.csv"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("lacks the credits columns"),
        "{}",
        run.stderr
    );
}
