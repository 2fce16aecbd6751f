//! The command line end to end on small CSV batches worked out by hand.

use super::case::{assert_text, columns, Case};

const ROSTER: &str = "\
member_id,member_name,certified_on,renewal_due,credentials
00123,Ana Ruiz,2020-01-15,2026-12-31,CPC; CRC
55,Bo Li,2024-06-01,,cpc-a
";

const TRANSCRIPTS: &str = "\
Transcripts fall
member_id,name,school,degree,field,course #,course name,date completed,credits,clock_hours,grade
123,Ana,Riverside CC,AAS Health Info,Health Care,HIT101,Intro,3/14/2025,3,,A
123,Ana,Riverside CC,AAS Health Info,Health Care,HIT102,Coding,2025-05-01,2,,B

123,Ana,Riverside CC,AAS Health Info,Health Care,HIT101,Intro again,2025-06-01,1,,A
55,Bo,Metro Tech,Coding Diploma,health-care,MT1,Anatomy,14-Mar-2025,,50,
55,Bo,Metro Tech,Coding Diploma,health-care,MT2,Terminology,\"Mar 20, 2025\",,20,
77,Cy,X,Y,Art,A1,Art,2025-01-01,1,,
";

const INSTRUCTORS: &str = "\
member_id,instructor_name,college,course_title,credential,delivery,start_date,finish_date,hours_taught,approval_number,syllabus_ref,curriculum
123,Ana Ruiz,Lakeside College,CPC Prep,CPC,Face-to-Face,2025-01-13,2025-05-02,12,AP-1,SYL-1,CPC Book
123,Ana Ruiz,Lakeside College,CPC Prep II,cpc-a,classroom,2025-06-01,2025-08-02,10,AP-2,SYL-2,CPC Book
";

fn batch() -> Case {
    Case::new()
        .file("roster.csv", ROSTER)
        .file("t.csv", TRANSCRIPTS)
        .file("i.csv", INSTRUCTORS)
}

#[test]
fn csv_batch_gives_every_output_as_worked_by_hand() {
    let case = batch();
    let run = case.convert(&["--members", "roster.csv", "t.csv", "i.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_text(
        &case.output("credits.csv"),
        "\
source_file,sheet,row,kind,member_id,member_name,institution,program,course_id,course,credential,completed_on,unit,hours,ceus_computed,ceus_awarded,capped,cap_group
t.csv,,3,transcript,123,Ana,Riverside CC,AAS Health Info,HIT101,Intro,,2025-03-14,credit,3.00,30.00,30.00,false,2025
t.csv,,4,transcript,123,Ana,Riverside CC,AAS Health Info,HIT102,Coding,,2025-05-01,credit,2.00,20.00,10.00,true,2025
i.csv,,2,instructor,123,Ana Ruiz,Lakeside College,,,CPC Prep,CPC,2025-05-02,contact,12.00,12.00,12.00,false,CPC
i.csv,,3,instructor,123,Ana Ruiz,Lakeside College,,,CPC Prep II,CPC,2025-08-02,contact,10.00,10.00,4.00,true,CPC
",
    );
    assert_text(
        &columns(&case.output("rejections.csv"), 6),
        "\
source_file,sheet,row,kind,member_id,code
t.csv,,6,transcript,123,DUPLICATE_COURSE
t.csv,,7,transcript,55,BELOW_CLOCK_MINIMUM
t.csv,,8,transcript,55,BELOW_CLOCK_MINIMUM
t.csv,,9,transcript,77,NOT_HEALTHCARE_PROGRAM
",
    );
    let rejections = case.output("rejections.csv");
    assert!(rejections.contains("70.00 clock hours"), "{rejections}");
    assert_text(
        &case.output("summary.csv"),
        "\
member_id,member_name,transcript_ceus,instructor_ceus,total_ceus,credentials_held,ceus_required,ceus_remaining
55,Bo Li,0.00,0.00,0.00,CPC-A,36.00,36.00
77,Cy,0.00,0.00,0.00,,,
00123,Ana Ruiz,40.00,16.00,56.00,CPC; CRC,40.00,0.00
",
    );
    assert_text(
        &case.output("claims.csv"),
        "\
college,member_id,instructor_name,credential,ceus_awarded,courses,approval_ids,syllabus_refs,curriculum_titles
Lakeside College,123,Ana Ruiz,CPC,16.00,CPC Prep (2025-01-13 to 2025-05-02); CPC Prep II (2025-06-01 to 2025-08-02),AP-1; AP-2,SYL-1; SYL-2,CPC Book
",
    );
    let first_two: Vec<&str> = run.stderr.lines().take(2).collect();
    assert_eq!(
        first_two,
        vec![
            "rows read: 8 = credited 4 + rejected 4",
            "roster members: 2"
        ]
    );
    assert!(case.path("out/report.html").exists());
}

#[test]
fn without_a_roster_the_summary_has_five_columns() {
    let case = Case::new().file(
        "t.csv",
        "member_id,institution,program,program_area,course_id,completed_on,credit_hours,certified_on\n9,U,P,Health Care,C1,2025-01-02,1.5,2020-01-01\n",
    );
    let run = case.convert(&["t.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_text(
        &case.output("summary.csv"),
        "member_id,member_name,transcript_ceus,instructor_ceus,total_ceus\n9,,15.00,0.00,15.00\n",
    );
}

#[test]
fn output_bytes_do_not_depend_on_the_thread_count() {
    let case = batch();
    let mut outputs = Vec::new();
    for threads in ["1", "4"] {
        let run = case.convert(&[
            "--members",
            "roster.csv",
            "t.csv",
            "i.csv",
            "--threads",
            threads,
        ]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        outputs.push(
            ["credits.csv", "rejections.csv", "summary.csv", "claims.csv"]
                .map(|f| case.output_bytes(f)),
        );
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_directory_is_read_in_byte_order_skipping_hidden_and_lock_files() {
    let row = "member_id,institution,program,program_area,course_id,completed_on,credit_hours,certified_on\n";
    let case = Case::new()
        .file(
            "in/b.csv",
            format!("{row}2,U,P,Health Care,C,2025-01-02,1,2020-01-01\n"),
        )
        .file(
            "in/a/z.csv",
            format!("{row}1,U,P,Health Care,C,2025-01-02,1,2020-01-01\n"),
        )
        .file(
            "in/.hidden.csv",
            format!("{row}3,U,P,Health Care,C,2025-01-02,1,2020-01-01\n"),
        )
        .file("in/~$b.xlsx", "lock")
        .file("in/notes.docx", "x");
    let run = case.convert(&["in/"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_text(
        &columns(&case.output("credits.csv"), 5),
        "source_file,sheet,row,kind,member_id\nin/a/z.csv,,2,transcript,1\nin/b.csv,,2,transcript,2\n",
    );
    assert!(run.stderr.contains("skipped 3 entries"), "{}", run.stderr);
}

#[test]
fn exit_1_when_nothing_can_run_and_nothing_is_written() {
    let case = Case::new()
        .file("empty/readme.md", "x")
        .file("t.csv", TRANSCRIPTS);
    let run = case.convert(&["empty"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.starts_with("ceu: no input files"),
        "{}",
        run.stderr
    );
    let run = case.convert(&["--members", "missing.csv", "t.csv"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("--members"), "{}", run.stderr);
    let run = case.convert(&["--members", "t.csv", "t.csv"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("holds no roster sheet"),
        "{}",
        run.stderr
    );
    assert!(!case.path("out").exists());
    let case = case.file("bad.toml", "[transcript]\nannual_cap = 40\n");
    let run = case.convert(&["--rules", "bad.toml", "t.csv"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("annual_cap"), "{}", run.stderr);
    let run = case.run(&["convert", "t.csv", "--out", "out", "--as-of", "11/15/2026"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_what_its_extension_says_is_a_file_error_with_exit_3() {
    let case = Case::new()
        .file(
            "page.xlsx",
            "<!DOCTYPE html><html><body>Sign in</body></html>",
        )
        .file("other.pdf", "%PDF-1.4");
    let run = case.convert(&["page.xlsx", "other.pdf"]);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_text(
        &columns(&case.output("rejections.csv"), 6),
        "source_file,sheet,row,kind,member_id,code\npage.xlsx,,,,,FILE_ERROR\nother.pdf,,,,,FILE_ERROR\n",
    );
    let rejections = case.output("rejections.csv");
    assert!(
        rejections.contains("looks like an HTML page"),
        "{rejections}"
    );
    assert!(
        run.stderr
            .starts_with("rows read: 2 = credited 0 + rejected 2"),
        "{}",
        run.stderr
    );
}

#[test]
fn encodings_and_delimiters() {
    let text = "member_id;institution;program;program_area;course_title;completed_on;credit_hours;certified_on\r\n5;École Santé;P;Health Care;Anatomie;2025-01-02;1;2020-01-01\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            text.replace(';', "\t")
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    let cp1252: Vec<u8> = text
        .replace("member_id;", "member_id|")
        .replace(";", "|")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    let case = Case::new()
        .file("u16.txt", utf16)
        .file("cp.csv", cp1252)
        .file("semi.csv", text);
    let run = case.convert(&["u16.txt", "cp.csv", "semi.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let credits = columns(&case.output("credits.csv"), 7);
    assert_text(
        &credits,
        "source_file,sheet,row,kind,member_id,member_name,institution\nu16.txt,,2,transcript,5,,École Santé\n",
    );
    let rejections = columns(&case.output("rejections.csv"), 6);
    assert_text(
        &rejections,
        "source_file,sheet,row,kind,member_id,code\ncp.csv,,2,transcript,5,DUPLICATE_COURSE\nsemi.csv,,2,transcript,5,DUPLICATE_COURSE\n",
    );
    assert!(
        run.stderr.contains("decoded as Windows-1252: cp.csv"),
        "{}",
        run.stderr
    );
}

#[test]
fn formula_like_text_is_defused_in_csv_outputs() {
    let case = Case::new().file(
        "t.csv",
        "member_id,institution,program,program_area,course_id,completed_on,credit_hours\n=HYPERLINK(\"x\"),U,P,Health Care,C,2025-01-02,1\n",
    );
    let run = case.convert(&["t.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let rejections = case.output("rejections.csv");
    assert!(
        rejections.contains(",transcript,\"'=HYPERLINK(\"\"x\"\")\",UNKNOWN_CERTIFICATION,"),
        "{rejections}"
    );
}

#[test]
fn rules_prints_toml_that_rules_accepts_back() {
    let case = Case::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ceu"))
        .arg("rules")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("annual_cap_ceus = 40\n"), "{text}");
    assert!(
        text.contains("ceus_by_credential_count = [36, 40, 44, 48, 52]\n"),
        "{text}"
    );
    let case = case.file(
        "r.toml",
        text.replace("annual_cap_ceus = 40", "annual_cap_ceus = 12.5"),
    );
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_ceu"))
        .args(["rules", "--rules"])
        .arg(case.path("r.toml"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(again.stdout).unwrap(),
        text.replace("annual_cap_ceus = 40", "annual_cap_ceus = 12.5")
    );
}

#[test]
fn a_rules_file_changes_the_numbers() {
    let case = Case::new()
        .file("t.csv", "member_id,institution,program,program_area,course_id,completed_on,credit_hours,grade,certified_on\n1,U,P,Nursing,C,2025-01-02,1,P,2020-01-01\n1,U,P,Health Care,D,2025-01-02,1,D,2020-01-01\n")
        .file("r.toml", "[transcript]\ncredit_hour_ceus = 7.5\nprogram_areas = [\"nursing\", \"health care\"]\nnon_passing_grades = [\"D\"]\n");
    let run = case.convert(&["--rules", "r.toml", "t.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_text(
        &columns(&case.output("credits.csv"), 16),
        "source_file,sheet,row,kind,member_id,member_name,institution,program,course_id,course,credential,completed_on,unit,hours,ceus_computed,ceus_awarded\nt.csv,,2,transcript,1,,U,P,C,C,,2025-01-02,credit,1.00,7.50,7.50\n",
    );
    assert!(case.output("rejections.csv").contains(",NOT_PASSED,"));
}

#[test]
fn an_output_folder_holding_an_input_is_refused() {
    let case = Case::new().file("out/t.csv", TRANSCRIPTS);
    let run = case.run(&[
        "convert",
        "out/t.csv",
        "--out",
        "out",
        "--as-of",
        "2026-11-15",
    ]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("holds the input out/t.csv"),
        "{}",
        run.stderr
    );
    assert!(!case.path("out/credits.csv").exists());
}

#[test]
fn delimiter_option_overrides_detection() {
    // Detection would pick `,` (the header fits under it); forcing `;` makes one column.
    let text = "member_id,institution,program,program_area,course_id,completed_on,credit_hours,certified_on\n5,U,P,Health Care,C;x,2025-01-02,1,2020-01-01\n";
    let case = Case::new().file("t.csv", text);
    let run = case.convert(&["t.csv", "--delimiter", ";"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_text(
        &columns(&case.output("rejections.csv"), 6),
        "source_file,sheet,row,kind,member_id,code\nt.csv,,2,,,UNRECOGNIZED_SHEET\n",
    );
    let run = case.convert(&["t.csv", "--delimiter", ","]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(case.output("credits.csv").lines().count(), 2);
}

#[test]
fn map_reads_an_odd_export_and_missing_columns_name_the_closest_headers() {
    let text = "Student No,Certified,College Name,Degree,Program Areas,Course Title,Completed,Credits\n5,2020-01-01,U,P,Health Care,Anatomy,2025-01-02,1\n";
    let case = Case::new().file("odd.csv", text);
    let run = case.convert(&["odd.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let rejections = case.output("rejections.csv");
    assert!(rejections.contains(",UNRECOGNIZED_SHEET,"), "{rejections}");
    let run = case.convert(&[
        "odd.csv",
        "--map",
        "Student No=member_id",
        "--map",
        "Completed=completed_on",
        "--map",
        "Certified = certified_on",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let rejections = case.output("rejections.csv");
    assert!(rejections.contains(",MISSING_COLUMN,"), "{rejections}");
    assert!(
        rejections.contains("lacks institution (closest header: 'College Name'), program_area (closest header: 'Program Areas')"),
        "{rejections}"
    );
    let run = case.convert(&[
        "odd.csv",
        "--map",
        "Student No=member_id",
        "--map",
        "Completed=completed_on",
        "--map",
        "Certified=certified_on",
        "--map",
        "College Name=institution",
        "--map",
        "Program Areas=program_area",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        columns(&case.output("credits.csv"), 5),
        "source_file,sheet,row,kind,member_id\nodd.csv,,2,transcript,5\n"
    );
    let run = case.convert(&["odd.csv", "--map", "Student No=student"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("student is not a field name"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_reads_and_judges_without_writing() {
    let good = "member_id,certified_on,institution,program,program_area,course_id,completed_on,credit_hours\n5,2020-01-01,U,P,Health Care,C,2025-03-14,1\n";
    let bad = format!("{good}6,2020-01-01,U,P,Art,C,2025-03-14,1\n");
    let case = Case::new()
        .file("good.csv", good)
        .file("bad.csv", bad)
        .file("page.xlsx", "<html></html>");
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ceu"))
            .args(args)
            .current_dir(case.dir.path())
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    assert_eq!(
        run(&["check", "good.csv", "--as-of", "2026-11-15"]),
        (0, String::new())
    );
    let (status, stdout) = run(&["check", "bad.csv", "--as-of", "2026-11-15"]);
    assert_eq!(status, 2);
    assert_eq!(
        stdout,
        "NOT_HEALTHCARE_PROGRAM bad.csv, row 3: program_area 'Art' is not one of health care, health care business, health care finance, health care management\n"
    );
    let (status, stdout) = run(&["check", "page.xlsx", "good.csv", "--as-of", "2026-11-15"]);
    assert_eq!(status, 3);
    assert!(
        stdout.starts_with("FILE_ERROR page.xlsx: this is not a workbook"),
        "{stdout}"
    );
    assert!(
        std::fs::read_dir(case.dir.path()).unwrap().count() == 3,
        "check wrote nothing"
    );
}

#[test]
fn report_html_holds_totals_members_and_rejections() {
    let case = batch();
    let run = case.convert(&["--members", "roster.csv", "t.csv", "i.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(case.path("out/report.html")).unwrap();
    for expected in [
        "<b>8</b><span>rows read</span>",
        "<b>4</b><span>credited</span>",
        "<b>4</b><span>rejected</span>",
        "<b>56.00</b><span>CEUs awarded</span>",
        ">BELOW_CLOCK_MINIMUM</text>",
        "<tr><td>00123</td><td>Ana Ruiz</td><td class=\"n\">40.00</td><td class=\"n\">16.00</td><td class=\"n\">56.00</td><td class=\"n\">40.00</td>",
        "<tr><td>t.csv</td><td></td><td class=\"n\">9</td><td>77</td><td class=\"code\">NOT_HEALTHCARE_PROGRAM</td>",
    ] {
        assert!(page.contains(expected), "report.html lacks {expected}");
    }
    assert!(
        !page.contains("<script"),
        "report.html is self-contained, without scripts"
    );
    assert!(
        !page.contains("http"),
        "report.html loads nothing from the network"
    );
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    let out = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_ceu"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    let bash = out(&["completions", "bash"]);
    assert!(
        bash.contains("convert") && bash.contains("--members") && bash.contains("template"),
        "{bash}"
    );
    let man = out(&["man"]);
    assert!(man.starts_with(".ie") && man.contains(".TH ceu 1"), "{man}");
    assert!(man.contains("convert") && man.contains("check"), "{man}");
    let help = out(&["convert", "--help"]);
    assert!(help.contains("Example: ceu convert --members"), "{help}");
    let help = out(&["check", "--help"]);
    assert!(help.contains("Example: ceu check"), "{help}");
}
