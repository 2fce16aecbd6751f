//! Workbooks written by LibreOffice (tests/fixtures/src/make_workbooks.py):
//! every sheet, hidden ones too, the header below a title, date and
//! date-time cells, serial numbers in both date systems, numeric ids.

use super::case::{assert_text, columns, Case};

/// The same sheets saved as xlsx, xls and ods give the same rows.
fn expected(file: &str) -> (String, String) {
    let credits = "\
source_file,sheet,row,kind,member_id,member_name,institution,program,course_id,course,credential,completed_on,unit,hours,ceus_computed,ceus_awarded,capped,cap_group
F,Fall 2025,5,transcript,123,Ana Ruiz,Riverside CC,AAS Health Information,HIT101,Intro to HIM,,2025-03-14,credit,3.00,30.00,30.00,false,2025
F,Fall 2025,6,transcript,123,Ana Ruiz,Riverside CC,AAS Health Information,1234567,Coding I,,2025-05-01,credit,2.68,26.80,10.00,true,2025
F,Fall 2025,9,transcript,0055,1,Riverside CC,AAS Health Information,HIT101,Intro to HIM,,2025-03-14,credit,0.50,5.00,5.00,false,2025
F,Archive,2,transcript,77,Cy Park,Metro Tech,Coding Diploma,MT1,Anatomy,,2025-01-10,clock,40.00,40.00,40.00,false,2025
";
    let rejections = "\
source_file,sheet,row,kind,member_id,code
F,Fall 2025,7,transcript,123,ANNUAL_CAP_REACHED
F,Fall 2025,10,transcript,0055,INVALID_DATE
F,Archive,3,transcript,77,ANNUAL_CAP_REACHED
F,Budget,2,,,UNRECOGNIZED_SHEET
F,Budget,3,,,UNRECOGNIZED_SHEET
";
    (
        credits.replace("F,", &format!("{file},")),
        rejections.replace("F,", &format!("{file},")),
    )
}

fn check(fixture: &str) {
    let case = Case::new().fixture(fixture, fixture);
    let run = case.convert(&[fixture]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let (credits, rejections) = expected(fixture);
    assert_text(&case.output("credits.csv"), &credits);
    assert_text(&columns(&case.output("rejections.csv"), 6), &rejections);
    assert!(run.stderr.contains("skipped 1 sheets"), "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("rows read: 9 = credited 4 + rejected 5\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn libreoffice_xlsx() {
    check("lo_transcripts.xlsx");
}

#[test]
fn libreoffice_xls() {
    check("lo_transcripts.xls");
}

#[test]
fn libreoffice_ods() {
    check("lo_transcripts.ods");
}

#[test]
fn dates_in_a_1904_workbook() {
    let case = Case::new().fixture("lo_1904.xlsx", "b.xlsx");
    let run = case.convert(&["b.xlsx"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_text(
        &columns(&case.output("credits.csv"), 12),
        "\
source_file,sheet,row,kind,member_id,member_name,institution,program,course_id,course,credential,completed_on
b.xlsx,Sheet1,2,transcript,88,Di Moss,Lakeside College,Billing Certificate,B1,Billing I,,2025-03-14
b.xlsx,Sheet1,3,transcript,88,Di Moss,Lakeside College,Billing Certificate,B2,Billing II,,2025-03-14
",
    );
}

#[test]
fn a_corrupt_workbook_is_one_file_error_and_the_run_goes_on() {
    let bytes = std::fs::read(super::case::fixtures().join("lo_1904.xlsx")).unwrap();
    let case = Case::new()
        .file("cut.xlsx", &bytes[..bytes.len() / 2])
        .fixture("lo_1904.xlsx", "good.xlsx");
    let run = case.convert(&["cut.xlsx", "good.xlsx"]);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_text(
        &columns(&case.output("rejections.csv"), 6),
        "source_file,sheet,row,kind,member_id,code\ncut.xlsx,,,,,FILE_ERROR\n",
    );
    assert_eq!(case.output("credits.csv").lines().count(), 3);
}
