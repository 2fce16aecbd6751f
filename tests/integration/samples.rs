//! The shipped sample batch gives exactly the outputs checked in beside it
//! (`samples/expected/`), with the README's command.

use std::path::Path;
use std::process::Command;

use super::case::assert_text;

#[test]
fn samples_give_the_expected_outputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ceu"))
        .args([
            "convert",
            "--members",
            "samples/members.csv",
            "samples/transcripts",
            "samples/instructors",
            "--as-of",
            "2026-11-15",
            "--out",
        ])
        .arg(out.path())
        .current_dir(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // One sample file is an HTML page saved as .xlsx: a FILE_ERROR, hence exit 3.
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    for name in ["credits.csv", "rejections.csv", "summary.csv", "claims.csv"] {
        let got = std::fs::read_to_string(out.path().join(name)).unwrap();
        let want = std::fs::read_to_string(root.join("samples/expected").join(name)).unwrap();
        assert_text(&got, &want);
    }
}

#[test]
fn samples_exercise_every_rejection_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rejections = std::fs::read_to_string(root.join("samples/expected/rejections.csv")).unwrap();
    let credits = std::fs::read_to_string(root.join("samples/expected/credits.csv")).unwrap();
    for code in [
        "FILE_ERROR",
        "UNRECOGNIZED_SHEET",
        "MISSING_COLUMN",
        "MALFORMED_ROW",
        "MISSING_FIELD",
        "INVALID_DATE",
        "INVALID_HOURS",
        "INVALID_NUMBER",
        "DUPLICATE_MEMBER",
        "NOT_HEALTHCARE_PROGRAM",
        "NOT_PASSED",
        "FUTURE_DATE",
        "UNKNOWN_CERTIFICATION",
        "BEFORE_CERTIFICATION",
        "OUTSIDE_RENEWAL_PERIOD",
        "DUPLICATE_COURSE",
        "BELOW_CLOCK_MINIMUM",
        "ANNUAL_CAP_REACHED",
        "UNKNOWN_CREDENTIAL",
        "NOT_FACE_TO_FACE",
        "MISSING_PRIOR_APPROVAL",
        "MISSING_SYLLABUS",
        "MISSING_CURRICULUM",
        "NOT_CREDENTIAL_HOLDER",
        "DUPLICATE_RECORD",
        "CREDENTIAL_CAP_REACHED",
    ] {
        assert!(
            rejections.contains(&format!(",{code},")),
            "no {code} in the samples"
        );
    }
    assert!(
        credits.contains(",true,2"),
        "no capped transcript credit in the samples"
    );
    assert!(
        credits.contains(",true,C"),
        "no capped instructor credit in the samples"
    );
}
