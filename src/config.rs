//! Arguments checked once, at the edge, into the run's configuration. The
//! clock is read here and nowhere else.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use jiff::civil::Date;

use crate::cli::{ConvertArgs, ReadArgs};
use crate::rules::ruleset::RuleSet;
use crate::sink::OutputFormat;

/// Everything a conversion run needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub members: Option<PathBuf>,
    pub prior: Vec<PathBuf>,
    pub as_of: Date,
    pub rules: RuleSet,
    pub format: OutputFormat,
    pub day_first: bool,
    pub delimiter: Option<u8>,
    pub threads: usize,
    pub bom: bool,
    pub quiet: bool,
    pub verbose: bool,
}

impl Config {
    pub fn from_args(args: ConvertArgs) -> Result<Config> {
        let mut config = Config::for_reading(args.read)?;
        config.out = args.out;
        config.format = args.format;
        config.bom = args.bom;
        Ok(config)
    }

    /// A configuration that reads and applies the rules (`ceu check`); it writes nothing.
    pub fn for_reading(args: ReadArgs) -> Result<Config> {
        let as_of = match &args.as_of {
            Some(text) => parse_as_of(text)?,
            None => jiff::Zoned::now().date(),
        };
        let mut rules = match &args.rules {
            Some(path) => RuleSet::from_path(path)?,
            None => RuleSet::default(),
        };
        for mapping in &args.map {
            let Some((header, field)) = mapping.split_once('=') else {
                bail!(
                    "--map '{mapping}' must be HEADER=FIELD, e.g. --map \"Student No=member_id\""
                );
            };
            rules
                .map_column(header.trim(), field.trim())
                .map_err(|e| anyhow::anyhow!("--map: {e}"))?;
        }
        let delimiter = args.delimiter.as_deref().map(parse_delimiter).transpose()?;
        let threads = match args.threads {
            Some(0) => bail!("--threads must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(Config {
            inputs: args.inputs,
            out: PathBuf::new(),
            members: args.members,
            prior: args.prior,
            as_of,
            rules,
            format: OutputFormat::Csv,
            day_first: args.day_first,
            delimiter,
            threads,
            bom: false,
            quiet: args.quiet,
            verbose: args.verbose,
        })
    }
}

fn parse_as_of(text: &str) -> Result<Date> {
    let valid = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    let date = text.parse::<Date>().ok().filter(|_| valid);
    date.with_context(|| {
        format!("--as-of '{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-15")
    })
}

fn parse_delimiter(text: &str) -> Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() && text != "\"" && text != "\n" && text != "\r" => {
            Ok(text.as_bytes()[0])
        }
        _ => bail!("--delimiter '{text}' must be one character such as , ; | or the word tab"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_is_iso_only() {
        assert_eq!(
            parse_as_of("2026-11-15").unwrap(),
            jiff::civil::date(2026, 11, 15)
        );
        assert!(parse_as_of("11/15/2026").is_err());
        assert!(parse_as_of("2026-02-30").is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
        assert_eq!(parse_delimiter(";").unwrap(), b';');
        assert!(parse_delimiter(";;").is_err());
    }
}
