//! The three output formats: JSON Lines and XLSX beside the CSV.

use super::case::Case;

const LINES: &str = "member_id,institution,program,program_area,course_id,course_title,completed_on,credit_hours,certified_on
007,U,P,Health Care,C1,@risky,2025-01-02,4.5,2020-01-01
x9,U,P,Health Care,,,2025-01-02,1,2020-01-01
";

#[test]
fn jsonl_has_typed_values_in_column_order() {
    let case = Case::new().file("t.csv", LINES);
    let run = case.convert(&["t.csv", "--format", "jsonl"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        case.output("credits.jsonl"),
        "{\"source_file\":\"t.csv\",\"sheet\":\"\",\"row\":2,\"kind\":\"transcript\",\"member_id\":\"007\",\"member_name\":\"\",\"institution\":\"U\",\"program\":\"P\",\"course_id\":\"C1\",\"course\":\"@risky\",\"credential\":\"\",\"completed_on\":\"2025-01-02\",\"unit\":\"credit\",\"hours\":4.50,\"ceus_computed\":45.00,\"ceus_awarded\":40.00,\"capped\":true,\"cap_group\":\"2025\"}\n"
    );
    let rejection: serde_json::Value =
        serde_json::from_str(case.output("rejections.jsonl").trim()).unwrap();
    assert_eq!(rejection["row"], 3);
    assert_eq!(rejection["code"], "MISSING_FIELD");
    assert_eq!(case.output("claims.jsonl"), "");
}

#[test]
fn xlsx_outputs_are_typed_and_the_same_bytes_every_run() {
    use calamine::{Data, Reader, Xlsx};
    let case = Case::new().file("t.csv", LINES);
    let run = case.convert(&["t.csv", "--format", "xlsx"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let first = case.output_bytes("credits.xlsx");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    case.convert(&["t.csv", "--format", "xlsx"]);
    assert_eq!(first, case.output_bytes("credits.xlsx"));

    let mut book: Xlsx<_> = calamine::open_workbook(case.path("out/credits.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), vec!["credits"]);
    let range = book.worksheet_range("credits").unwrap();
    assert_eq!(range.get((0, 0)), Some(&Data::String("source_file".into())));
    assert_eq!(range.get((1, 2)), Some(&Data::Float(2.0)));
    assert_eq!(range.get((1, 4)), Some(&Data::String("007".into())));
    assert_eq!(range.get((1, 9)), Some(&Data::String("@risky".into())));
    assert_eq!(range.get((1, 15)), Some(&Data::Float(40.0)));
    match range.get((1, 11)) {
        Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 45659.0),
        other => panic!("completed_on is not a date cell: {other:?}"),
    }
    for name in ["rejections", "summary", "claims"] {
        assert!(case.path(&format!("out/{name}.xlsx")).exists());
    }
}
