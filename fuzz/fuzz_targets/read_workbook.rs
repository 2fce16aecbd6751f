//! Bytes of a workbook file → sheets, or a one-line reason it cannot be read.
//! Panics inside calamine are caught by the run (FILE_ERROR); this target
//! finds them so they can be reported upstream or guarded.
#![no_main]

use ceu::source::workbook::{read, Limits, WorkbookFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("ceu-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.xlsx");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = Limits {
        sheet_rows: 1_048_576,
        sheet_columns: 16_384,
        part_bytes: 64 << 20,
    };
    let format = if data.first() == Some(&0xD0) { WorkbookFormat::Xls } else { WorkbookFormat::Xlsx };
    let _ = read(&path, format, limits);
});
