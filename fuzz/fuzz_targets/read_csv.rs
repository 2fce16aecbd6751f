//! Bytes of a CSV file → rows → records or rejections. Must never panic, and
//! every non-blank row below a header must come out as one record or one rejection.
#![no_main]


use ceu::normalize::header::HeaderMatcher;
use ceu::normalize::value::DateContext;
use ceu::normalize::{normalize_sheet, SheetPlace};
use ceu::source::SheetRead;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let matcher = HeaderMatcher::default();
    let file = ceu::source::csv::read(data, false, None, &matcher);
    let dates = DateContext {
        day_first: false,
        as_of_year: 2026,
        is_1904: false,
    };
    for sheet in file.sheets {
        let SheetRead::Sheet(sheet) = sheet else { continue };
        let place = SheetPlace::of(&sheet, "fuzz.csv", (0, 0), dates);
        let rows = sheet.rows.len();
        let out = normalize_sheet(sheet, place, &matcher);
        assert!(out.records.len() + out.rejections.len() <= rows);
    }
});
