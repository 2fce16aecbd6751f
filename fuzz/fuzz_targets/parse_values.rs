//! The date and hours parsers on any text: never a panic, and what they accept is valid.
#![no_main]

use ceu::normalize::value::{parse_date_text, parse_hours_text, serial_to_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for day_first in [false, true] {
        if let Some(date) = parse_date_text(text, day_first, 2026) {
            assert!(date.year() >= 1);
        }
    }
    if let Some(hours) = parse_hours_text(text) {
        assert!(hours.0 >= 0 && hours.0 <= 10_000_000);
    }
    if data.len() >= 8 {
        let serial = f64::from_le_bytes(data[..8].try_into().unwrap());
        let _ = serial_to_date(serial, data[0] & 1 == 1);
    }
});
