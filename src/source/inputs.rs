//! Which files a run reads (SPEC.md section 1): named files, and directories
//! walked in byte order of their paths, hidden files and lock files skipped.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::normalize::header::HeaderMatcher;
use crate::source::sniff::{container, looks_like, Container};
use crate::source::workbook::{Limits, WorkbookFormat};
use crate::source::FileRead;

/// How a file's extension says to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Workbook(WorkbookFormat),
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "txt" => Format::Csv,
            "tsv" => Format::Tsv,
            "xlsx" | "xlsm" => Format::Workbook(WorkbookFormat::Xlsx),
            "xlsb" => Format::Workbook(WorkbookFormat::Xlsb),
            "xls" => Format::Workbook(WorkbookFormat::Xls),
            "ods" => Format::Workbook(WorkbookFormat::Ods),
            _ => return None,
        })
    }
}

/// One file to read, named as the outputs will name it.
#[derive(Clone, Debug, PartialEq)]
pub struct InputFile {
    pub source_file: String,
    pub path: PathBuf,
    /// `None`: a file named on the command line with an extension ceu doesn't read.
    pub format: Option<Format>,
}

/// The files selected from the arguments, and what was passed over.
#[derive(Debug, Default)]
pub struct Selection {
    pub files: Vec<InputFile>,
    /// Hidden entries, lock files and files of other extensions under directories.
    pub skipped: Vec<String>,
}

/// Expands the arguments into files, in input order.
pub fn select(args: &[PathBuf]) -> Selection {
    let mut selection = Selection::default();
    for arg in args {
        let shown = arg.to_string_lossy();
        let base = if shown.len() > 1 {
            shown.trim_end_matches('/')
        } else {
            &shown
        };
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, "", &mut found, &mut selection.skipped, base);
            found.sort_by(|a: &(String, PathBuf), b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (relative, path) in found {
                selection.files.push(InputFile {
                    source_file: format!("{base}/{relative}"),
                    format: Format::from_path(&path),
                    path,
                });
            }
        } else {
            selection.files.push(InputFile {
                source_file: base.to_string(),
                path: arg.clone(),
                format: Format::from_path(arg),
            });
        }
    }
    selection
}

fn walk(
    dir: &Path,
    prefix: &str,
    found: &mut Vec<(String, PathBuf)>,
    skipped: &mut Vec<String>,
    base: &str,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        skipped.push(format!("{base}/{prefix} (directory cannot be read)"));
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = format!("{prefix}{name}");
        if name.starts_with('.') || name.starts_with("~$") {
            skipped.push(format!("{base}/{relative}"));
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            // Links to directories are not followed; links to files are read.
            if path.is_dir() {
                skipped.push(format!("{base}/{relative}"));
                continue;
            }
        } else if kind.is_dir() {
            walk(&path, &format!("{relative}/"), found, skipped, base);
            continue;
        }
        if Format::from_path(&path).is_some() {
            found.push((relative, path));
        } else {
            skipped.push(format!("{base}/{relative}"));
        }
    }
}

/// What reading needs besides the file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub delimiter: Option<u8>,
    pub limits: Limits,
    pub matcher: HeaderMatcher,
    /// CSV files are read this many bytes at a time.
    pub csv_batch_bytes: usize,
}

/// Why a file named as text is not, judged by its first bytes.
pub fn not_text(head: &[u8]) -> Option<String> {
    let hint = match container(head) {
        Some(Container::Zip) => "a zip archive (an .xlsx workbook?)",
        Some(Container::Ole) => looks_like(head),
        None => match looks_like(head) {
            hint @ ("binary data" | "a PDF document") => hint,
            _ => return None,
        },
    };
    Some(format!("this is not a text file: it looks like {hint}"))
}

/// Refuses a workbook whose first bytes are not of its extension's container,
/// before calamine reads it.
pub fn check_container(input: &InputFile, kind: WorkbookFormat) -> Result<(), String> {
    let mut bytes = Vec::with_capacity(512);
    std::fs::File::open(&input.path)
        .and_then(|f| std::io::Read::take(f, 512).read_to_end(&mut bytes))
        .map_err(cannot_open)?;
    let want = if kind == WorkbookFormat::Xls {
        Container::Ole
    } else {
        Container::Zip
    };
    match container(&bytes) {
        Some(found) if found == want => Ok(()),
        Some(Container::Ole) => Err("the workbook is password-protected (encrypted), or an .xls file with the wrong extension; save it as .xlsx without a password".to_string()),
        _ => Err(format!("this is not a workbook: it looks like {}", looks_like(&bytes))),
    }
}

/// Why a file of no extension ceu reads is not read.
pub const UNKNOWN_EXTENSION: &str =
    "ceu reads .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls and .ods files; this extension is none of them";

pub(crate) fn cannot_open(e: std::io::Error) -> String {
    format!("the file cannot be opened: {e}")
}

/// Reads a CSV, TSV or TXT file whole into its one sheet, or says in one
/// line why it cannot be read.
pub fn read_text(
    input: &InputFile,
    is_tsv: bool,
    options: &ReadOptions,
) -> Result<FileRead, String> {
    let bytes = std::fs::read(&input.path).map_err(cannot_open)?;
    if let Some(problem) = not_text(&bytes) {
        return Err(problem);
    }
    Ok(crate::source::csv::read(
        &bytes,
        is_tsv,
        options.delimiter,
        &options.matcher,
    ))
}
