//! Properties over random batches: nothing lost, caps hold, awards never
//! exceed what was computed, and the bytes depend on neither the thread count
//! nor the order files were written in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use ceu::config::Config;
use ceu::rules::ruleset::RuleSet;
use ceu::sink::OutputFormat;

const TRANSCRIPT_HEADER: &str =
    "member_id,certified_on,institution,program,program_area,course_id,completed_on,clock_hours,credit_hours,grade\n";
const INSTRUCTOR_HEADER: &str = "member_id,certified_on,college,course_title,credential,delivery,start_date,finish_date,hours_taught,approval_id,syllabus,curriculum\n";

fn transcript_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["1", "2", "003", "3", "A7", ""]),
        prop::sample::select(vec!["2020-01-01", "2025-06-01", "", "bad"]),
        prop::sample::select(vec!["Riverside CC", "riverside cc", "Metro Tech"]),
        prop::sample::select(vec!["AAS", "Diploma"]),
        prop::sample::select(vec!["Health Care", "health-care finance", "Art"]),
        prop::sample::select(vec!["C1", "C2", "C3", "c-1", ""]),
        prop::sample::select(vec![
            "2025-01-15",
            "3/14/2025",
            "2025-12-31",
            "2024-07-01",
            "2027-01-01",
            "2025-02-30",
        ]),
        prop::sample::select(vec!["", "40", "45.5", "0", "x"]),
        prop::sample::select(vec!["", "1", "2.5", "4", "0.004"]),
        prop::sample::select(vec!["A", "", "W", "F"]),
    )
        .prop_map(|(m, c, i, p, a, id, d, ch, cr, g)| {
            format!("{m},{c},{i},{p},{a},{id},{d},{ch},{cr},{g}\n")
        })
}

fn instructor_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["1", "2", "003"]),
        prop::sample::select(vec!["CPC", "cpc-a", "CRC", "XYZ"]),
        prop::sample::select(vec!["Face-to-Face", "Online"]),
        prop::sample::select(vec!["2025-01-10", "2025-03-01", "2025-05-02"]),
        prop::sample::select(vec!["4", "9.5", "12", "0"]),
        prop::sample::select(vec!["Prep", "Lab"]),
    )
        .prop_map(|(m, cred, del, fin, h, t)| {
            format!("{m},2020-01-01,Lakeside,{t},{cred},{del},2025-01-06,{fin},{h},AP-1,SYL,Book\n")
        })
}

/// Files of a batch: (name, content).
fn batch() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::collection::vec(transcript_line(), 0..40),
        prop::collection::vec(transcript_line(), 0..20),
        prop::collection::vec(instructor_line(), 0..20),
    )
        .prop_map(|(a, b, c)| {
            vec![
                (
                    "a.csv".to_string(),
                    format!("{TRANSCRIPT_HEADER}{}", a.concat()),
                ),
                (
                    "b.csv".to_string(),
                    format!("{TRANSCRIPT_HEADER}{}", b.concat()),
                ),
                (
                    "c.csv".to_string(),
                    format!("{INSTRUCTOR_HEADER}{}", c.concat()),
                ),
            ]
        })
}

fn run(dir: &Path, out: &str, threads: usize) -> Vec<Vec<u8>> {
    let config = Config {
        inputs: vec![dir.join("in")],
        out: dir.join(out),
        members: None,
        prior: vec![],
        as_of: jiff::civil::date(2026, 11, 15),
        rules: RuleSet::default(),
        format: OutputFormat::Csv,
        day_first: false,
        delimiter: None,
        threads,
        bom: false,
        quiet: true,
        verbose: false,
    };
    ceu::run(&config).expect("the run completes");
    // source_file holds the temporary folder's path, which differs from run to run.
    let prefix = dir.display().to_string();
    ["credits.csv", "rejections.csv", "summary.csv", "claims.csv"]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(out).join(f)).unwrap();
            text.replace(&prefix, "").into_bytes()
        })
        .collect()
}

fn write_batch(dir: &Path, files: &[(String, String)], reverse: bool) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut order: Vec<&(String, String)> = files.iter().collect();
    if reverse {
        order.reverse();
    }
    for (name, content) in order {
        std::fs::write(input.join(name), content).unwrap();
    }
    input
}

fn records(csv_bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn hundredths(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap();
    whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn batches_keep_every_row_and_every_cap(files in batch()) {
        let one = tempfile::tempdir().unwrap();
        write_batch(one.path(), &files, false);
        let first = run(one.path(), "out1", 1);
        let four = run(one.path(), "out4", 4);
        prop_assert_eq!(&first, &four);
        let again = run(one.path(), "out1", 2);
        prop_assert_eq!(&first, &again);
        let other = tempfile::tempdir().unwrap();
        write_batch(other.path(), &files, true);
        prop_assert_eq!(&first, &run(other.path(), "out", 3));

        // Every data row exactly once.
        let credits = records(&first[0]);
        let rejections = records(&first[1]);
        let mut seen: Vec<(String, String)> = credits
            .iter()
            .chain(&rejections)
            .map(|r| (r["source_file"].clone(), r["row"].clone()))
            .collect();
        let total = seen.len();
        seen.sort();
        seen.dedup();
        prop_assert_eq!(seen.len(), total);
        let data_rows: usize = files.iter().map(|(_, c)| c.lines().count() - 1).sum();
        prop_assert_eq!(total, data_rows);

        // Caps and awards.
        let mut by_group: HashMap<(String, String, String), i64> = HashMap::new();
        for c in &credits {
            let awarded = hundredths(&c["ceus_awarded"]);
            let computed = hundredths(&c["ceus_computed"]);
            prop_assert!(awarded > 0 && awarded <= computed);
            prop_assert_eq!(c["capped"] == "true", awarded < computed);
            let member = ceu::model::MemberKey::new(&c["member_id"]);
            let key = (format!("{member:?}"), c["kind"].clone(), c["cap_group"].clone());
            *by_group.entry(key).or_default() += awarded;
        }
        for ((_, kind, _), total) in by_group {
            let cap = if kind == "transcript" { 4000 } else { 1600 };
            prop_assert!(total <= cap, "{kind} group has {total}");
        }
    }
}
