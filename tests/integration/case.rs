//! A test case: input files in a temporary folder, a `ceu` run there, and its outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Case {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub status: i32,
    pub stderr: String,
}

/// The committed fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl Case {
    pub fn new() -> Case {
        Case {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// Writes an input file (folders in `name` are created).
    pub fn file(self, name: &str, content: impl AsRef<[u8]>) -> Case {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Copies a committed fixture in under `name`.
    pub fn fixture(self, fixture: &str, name: &str) -> Case {
        let bytes = std::fs::read(fixtures().join(fixture)).unwrap();
        self.file(name, bytes)
    }

    /// Runs `ceu` with these arguments in the case's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_ceu"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("ceu runs");
        Run {
            status: output.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `ceu convert ARGS --out out --as-of 2026-11-15`.
    pub fn convert(&self, args: &[&str]) -> Run {
        let mut all = vec!["convert"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", "out", "--as-of", "2026-11-15"]);
        self.run(&all)
    }

    pub fn output(&self, name: &str) -> String {
        let path = self.dir.path().join("out").join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn output_bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join("out").join(name)).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Compares texts line by line, so that a failure shows the first differing line.
#[track_caller]
pub fn assert_text(got: &str, want: &str) {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {} differs", i + 1);
    }
    assert_eq!(
        got.lines().count(),
        want.lines().count(),
        "line counts differ:\n{got}"
    );
    assert_eq!(got, want);
}

/// The first `n` columns of every line of a CSV text (dropping the free-worded message).
pub fn columns(csv: &str, n: usize) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    let mut out = String::new();
    for record in reader.records() {
        let record = record.unwrap();
        let fields: Vec<&str> = record.iter().take(n).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}
