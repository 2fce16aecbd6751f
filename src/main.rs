//! The `ceu` binary: parse the arguments, run, and turn the outcome into an exit status.

use std::process::ExitCode as ProcessExit;

use clap::{CommandFactory, Parser};

use ceu::cli::{Cli, Command};
use ceu::config::Config;
use ceu::exit::ExitCode;
use ceu::rules::ruleset::RuleSet;

fn main() -> ProcessExit {
    use_small_pages();
    keep_freed_memory_a_while();
    // A reader that fails on a hostile file is caught and reported as a
    // FILE_ERROR row; one line on stderr says where, without a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("ceu: internal error{location}: {message}");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's own help and version output is a success; everything else is a usage error.
            return ProcessExit::from(if e.use_stderr() {
                ExitCode::CannotRun as u8
            } else {
                0
            });
        }
    };
    let outcome = match cli.command {
        Command::Convert(args) => Config::from_args(args).and_then(|config| ceu::run(&config)),
        Command::Check(args) => Config::for_reading(args).and_then(|config| ceu::check(&config)),
        Command::Rules(args) => print_rules(args.rules.as_deref()),
        Command::Template(args) => make_template(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ceu", &mut script);
            print_out(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(anyhow::Error::from)
                .and_then(|()| print_out(&page))
        }
        Command::Generate(args) => match args.workbooks {
            Some(books) => ceu::generate::write_workbooks(&args.out, books, args.rows, args.seed),
            None => ceu::generate::write_csv(&args.out, args.rows, args.seed),
        }
        .map(|()| ExitCode::Success),
    };
    keep_freed_memory_to_the_end();
    match outcome {
        Ok(code) => ProcessExit::from(code as u8),
        Err(e) => {
            eprintln!("ceu: {e:#}");
            ProcessExit::from(ExitCode::CannotRun as u8)
        }
    }
}

fn make_template(args: ceu::cli::TemplateArgs) -> anyhow::Result<ExitCode> {
    let rules = match &args.rules {
        Some(path) => RuleSet::from_path(path)?,
        None => RuleSet::default(),
    };
    let out = args.out.unwrap_or_else(|| {
        let kind = format!("{:?}", args.kind).to_lowercase();
        std::path::PathBuf::from(format!("{kind}_template.xlsx"))
    });
    ceu::template::write_template(args.kind, &out, &rules)?;
    eprintln!("wrote {}", out.display());
    Ok(ExitCode::Success)
}

fn print_rules(path: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let rules = match path {
        Some(path) => RuleSet::from_path(path)?,
        None => RuleSet::default(),
    };
    print_out(rules.to_toml().as_bytes())
}

/// Writes to stdout; a reader that stops early (`| head`) is not an error.
fn print_out(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::Success),
    }
}

/// Freed memory is handed back to the OS after one second, pinned here (it
/// is mimalloc v3's default; v2's was 10 ms): a run that builds and drops
/// large tables would otherwise fault it all back in. On the 10M-row batch,
/// 10 ms made the run 0.6-1 s slower (peak 1.86 GB instead of 2.06 GB), and
/// never handing memory back raised the peak to 3.1 GB without gain.
fn keep_freed_memory_a_while() {
    set_purge_delay(1000);
}

/// mimalloc collects its heaps as the process exits, handing back all freed
/// memory one range at a time (30-60 ms of `madvise` calls, each stopping
/// the other threads for its TLB flush); an ending process has no need to:
/// -1 is "never".
fn keep_freed_memory_to_the_end() {
    set_purge_delay(-1);
}

fn set_purge_delay(milliseconds: std::ffi::c_long) {
    /// `mi_option_purge_delay` in mimalloc.h.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: mimalloc allows setting an option at any time. It is a plain
    // store of an aligned long: a thread freeing memory at the same moment
    // (the batch's drop) reads the old delay or the new one.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, milliseconds) };
}

/// Transparent huge pages are turned off for this process: zeroing a fresh
/// 2 MiB page on each first touch took 45% of the reading of a 10M-row batch
/// on a 2-core VM (on 4 KiB pages the whole run took 11-12 s instead of 13.5 s).
#[cfg(target_os = "linux")]
fn use_small_pages() {
    // Only a hint: where it is refused, the run goes on as before.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

#[cfg(not(target_os = "linux"))]
fn use_small_pages() {}

// glibc's allocator spent more time in the kernel (page faults from trimming
// and re-growing the heap) than ceu spent parsing; mimalloc keeps pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
