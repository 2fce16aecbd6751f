//! Telling what a file really is from its first bytes, so that a file whose
//! extension lies gets a `FILE_ERROR` that says what it looks like.

/// The container a workbook format needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Zip,
    Ole,
}

/// What the first bytes of a file look like, for messages.
pub fn looks_like(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(512)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let text_start = {
        let mut t = lower.as_slice();
        if t.starts_with(b"\xef\xbb\xbf") {
            t = &t[3..];
        }
        let skip = t.iter().take_while(|b| b.is_ascii_whitespace()).count();
        &t[skip..]
    };
    if bytes.is_empty() {
        "an empty file"
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        "a zip archive"
    } else if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        "an OLE compound file (an .xls workbook or an encrypted workbook)"
    } else if head.starts_with(b"%PDF") {
        "a PDF document"
    } else if text_start.starts_with(b"<!doctype html")
        || text_start.starts_with(b"<html")
        || contains(&lower, b"<html")
    {
        "an HTML page"
    } else if text_start.starts_with(b"<?xml") || text_start.starts_with(b"<") {
        "an XML document"
    } else if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        "UTF-16 text"
    } else if is_mostly_text(head) {
        "text"
    } else {
        "binary data"
    }
}

/// Text with a stray control byte (a NUL in a field) is still text.
fn is_mostly_text(head: &[u8]) -> bool {
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !b"\t\r\n\x0c".contains(&b))
        .count();
    control * 20 <= head.len()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The container a file's bytes are in, if any.
pub fn container(bytes: &[u8]) -> Option<Container> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(Container::Zip)
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some(Container::Ole)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_impostors() {
        assert_eq!(looks_like(b"<!DOCTYPE html><html>"), "an HTML page");
        assert_eq!(looks_like(b"  <html><body>"), "an HTML page");
        assert_eq!(looks_like(b"%PDF-1.7"), "a PDF document");
        assert_eq!(looks_like(b"member_id,completed_on\n"), "text");
        assert_eq!(looks_like(b""), "an empty file");
        assert_eq!(looks_like(b"member_id,name\n1,A\x00B\n"), "text");
        assert_eq!(looks_like(b"\x00\x01\x02\x03binary"), "binary data");
        assert_eq!(looks_like(b"PK\x03\x04rest"), "a zip archive");
        assert_eq!(container(b"PK\x03\x04rest"), Some(Container::Zip));
        assert_eq!(container(b"hello"), None);
    }
}
