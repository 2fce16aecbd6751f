//! The floor for reading workbooks: calamine alone reading every cell of
//! every sheet of every `.xlsx` in a folder, on some threads. Prints the wall
//! seconds and the number of non-empty cells.
//!
//!     cargo bench --bench calamine_floor -- DIR [THREADS]

use std::path::PathBuf;
use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader};
use rayon::prelude::*;

fn main() {
    // `cargo bench` adds `--bench`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench calamine_floor -- DIR [THREADS]");
        std::process::exit(2);
    };
    let threads: usize = args
        .get(1)
        .map_or(2, |t| t.parse().expect("THREADS is a number"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("DIR is a readable folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    files.sort();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("threads start");
    let start = Instant::now();
    let cells: usize = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let mut book = open_workbook_auto(path).expect("a workbook");
                book.sheet_names()
                    .iter()
                    .filter_map(|name| book.worksheet_range(name).ok())
                    .map(|range| {
                        range
                            .cells()
                            .filter(|(_, _, c)| !matches!(c, Data::Empty))
                            .count()
                    })
                    .sum::<usize>()
            })
            .sum()
    });
    println!("{:.2} {cells}", start.elapsed().as_secs_f64());
}
