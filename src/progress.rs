//! What the user sees while a run reads: a progress bar on stderr (hidden
//! off a terminal and with `--quiet`) and, with `-v`, a line per file.

use crate::source::inputs::InputFile;
use crate::FileRecords;

/// A progress bar over the input bytes, on stderr when it is a terminal.
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    files: std::sync::atomic::AtomicUsize,
    rows: std::sync::atomic::AtomicUsize,
}

impl Progress {
    pub(crate) fn new(files: &[InputFile], quiet: bool) -> Progress {
        let bytes = files
            .iter()
            .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
            .sum();
        let bar = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::with_draw_target(
                Some(bytes),
                indicatif::ProgressDrawTarget::stderr(),
            )
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed} reading [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        // A single large file finishes at once; the ticking spinner shows the run is alive.
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress {
            bar,
            files: Default::default(),
            rows: Default::default(),
        }
    }

    pub(crate) fn file_done(&self, file: &InputFile, rows: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let files = self.files.fetch_add(1, Relaxed) + 1;
        let rows = self.rows.fetch_add(rows, Relaxed) + rows;
        self.bar
            .inc(std::fs::metadata(&file.path).map_or(0, |m| m.len()));
        self.bar.set_message(format!("{files} files, {rows} rows"));
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `-v`: what was found in one file.
pub(crate) fn describe_file(file: &InputFile, records: &FileRecords) -> String {
    let mut parts = vec![if records.unreadable {
        "unreadable".to_string()
    } else if records.kinds.is_empty() {
        "no sheets".to_string()
    } else {
        records.kinds.join(", ")
    }];
    parts.push(format!("{} rows", records.data_rows));
    if let Some(encoding) = records.encoding {
        parts.push(encoding.to_string());
    } else if records.delimiter.is_some() {
        parts.push("UTF-8".to_string());
    }
    if let Some(d) = records.delimiter {
        let shown = match d {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", char::from(d)),
        };
        parts.push(format!("delimiter {shown}"));
    }
    format!("{}: {}", file.source_file, parts.join(", "))
}
