//! Credits and rejections written while the rules still run. The rules
//! take members a stage at a time, in member order; in a tidy batch (a
//! file's members one after the other, in member order) their rows come in
//! input order, and each stage's rows are written while the next stage's
//! are made, so the disk works during the rules instead of after them (with
//! 2 threads the writing waited on the disk with a core idle). A stage
//! whose rows are out of order gives the stream up, and both files are
//! written whole after the rules, as any other batch's; so are rows written
//! that turn out not to be, row for row, the first of the outputs' rows
//! (`Streamed::is_start_of`).

use std::path::Path;

use anyhow::Result;

use crate::model::{Credit, InOrder, Order, Rejection};
use crate::sink::atomic::{OpenFile, Written};
use crate::sink::{tables, write_head, write_rows, OutputFormat};

/// The credits and rejections files while the rules make their rows.
pub struct RowStream<'a> {
    format: OutputFormat,
    credits: OpenFile,
    rejections: OpenFile,
    /// Rejections made before the rules (the roster's, then those of rows
    /// rejected as read), in the order the outputs list them, each with
    /// whether it comes before the rules' rows at its place: the roster's
    /// are listed before the rules' rows, the others after.
    extras: Vec<(&'a Rejection, bool)>,
    next_extra: usize,
    last_credit: Option<Order>,
    last_rejection: Option<Order>,
    credits_written: Runs,
    rejections_written: Runs,
}

impl<'a> RowStream<'a> {
    /// Opens both files in `dir` and writes their heads. `roster` and
    /// `read` are the rejections made before the rules, each list in
    /// input order, `read` file after file.
    pub fn open(
        dir: &Path,
        format: OutputFormat,
        bom: bool,
        roster: &'a [Rejection],
        read: &'a [Vec<Rejection>],
    ) -> Result<RowStream<'a>> {
        let name = |table: &str| format!("{table}.{}", format.extension());
        let mut credits = OpenFile::create(dir, name(tables::CREDITS))?;
        let mut rejections = OpenFile::create(dir, name(tables::REJECTIONS))?;
        credits.write(|out| write_head(tables::CREDIT_COLUMNS, format, bom, out))?;
        rejections.write(|out| write_head(tables::REJECTION_COLUMNS, format, bom, out))?;
        let mut extras: Vec<(&Rejection, bool)> = roster.iter().map(|r| (r, true)).collect();
        extras.extend(read.iter().flatten().map(|r| (r, false)));
        // Stable: rows at one place keep the order of their lists.
        extras.sort_by_key(|&(r, before)| (r.at.order, !before));
        Ok(RowStream {
            format,
            credits,
            rejections,
            extras,
            next_extra: 0,
            last_credit: None,
            last_rejection: None,
            credits_written: Runs::default(),
            rejections_written: Runs::default(),
        })
    }

    /// Writes a stage's rows, with the rejections made before the rules
    /// that come before its last. False when its rows are not in input
    /// order after those written before, writing nothing, or when the
    /// files cannot be written: the stream is then given up.
    pub fn write_stage<'s>(
        &mut self,
        credits: impl Iterator<Item = &'s Credit>,
        rejections: impl Iterator<Item = &'s Rejection>,
    ) -> bool {
        let credits: Vec<&Credit> = credits.collect();
        let rules_rejections: Vec<&Rejection> = rejections.collect();
        let (Some(last_credit), Some(last_rejection)) = (
            in_order_after(self.last_credit, credits.iter().map(|c| c.at.order)),
            in_order_after(
                self.last_rejection,
                rules_rejections.iter().map(|r| r.at.order),
            ),
        ) else {
            return false;
        };
        let mut rejections = Vec::with_capacity(rules_rejections.len());
        for r in rules_rejections {
            while let Some(&(extra, before)) = self.extras.get(self.next_extra) {
                let at = extra.at.order;
                if at > r.at.order || (at == r.at.order && !before) {
                    break;
                }
                rejections.push(extra);
                self.next_extra += 1;
            }
            rejections.push(r);
        }
        let format = self.format;
        let (credits_out, rejections_out) = (&mut self.credits, &mut self.rejections);
        let (written_credits, written_rejections) = rayon::join(
            || {
                let table = tables::credit_rows(credits.len(), |i| credits[i]);
                credits_out.write(|out| write_rows(&table, format, out))
            },
            || {
                let table = tables::rejection_rows(rejections.len(), |i| rejections[i]);
                rejections_out.write(|out| write_rows(&table, format, out))
            },
        );
        if written_credits.is_err() || written_rejections.is_err() {
            // Written whole afterwards, a failing disk says why then.
            return false;
        }
        self.last_credit = last_credit;
        self.last_rejection = last_rejection;
        for &c in &credits {
            self.credits_written.push(c);
        }
        for &r in &rejections {
            self.rejections_written.push(r);
        }
        true
    }

    /// The files and which rows they hold, no longer tied to the rows' lists.
    pub fn into_streamed(self) -> Streamed {
        Streamed {
            format: self.format,
            credits: self.credits,
            rejections: self.rejections,
            credits_written: self.credits_written,
            rejections_written: self.rejections_written,
        }
    }
}

/// The last of `orders` when none is before the one before it, starting
/// from `last`: `Some(last)` for none at all, `None` when out of order.
fn in_order_after(
    last: Option<Order>,
    orders: impl Iterator<Item = Order>,
) -> Option<Option<Order>> {
    let mut last = last;
    for order in orders {
        if last.is_some_and(|before| before > order) {
            return None;
        }
        last = Some(order);
    }
    Some(last)
}

/// The credits and rejections files with the rows written so far.
pub struct Streamed {
    format: OutputFormat,
    credits: OpenFile,
    rejections: OpenFile,
    credits_written: Runs,
    rejections_written: Runs,
}

impl Streamed {
    /// Whether the rows written are the first rows of the outputs, the
    /// very rows (not equal ones), in their order.
    pub fn is_start_of(&self, credits: &InOrder<Credit>, rejections: &InOrder<Rejection>) -> bool {
        self.credits_written.is_start_of(credits) && self.rejections_written.is_start_of(rejections)
    }

    /// Writes the rows after those written, and finishes both files.
    pub fn finish(
        mut self,
        credits: &InOrder<Credit>,
        rejections: &InOrder<Rejection>,
    ) -> Result<Vec<Written>> {
        let format = self.format;
        let (credits_from, rejections_from) =
            (self.credits_written.len, self.rejections_written.len);
        let (credits_out, rejections_out) = (&mut self.credits, &mut self.rejections);
        let (written_credits, written_rejections) = rayon::join(
            || {
                let rest = credits.len() - credits_from;
                let table = tables::credit_rows(rest, |i| credits.get(credits_from + i));
                credits_out.write(|out| write_rows(&table, format, out))
            },
            || {
                let rest = rejections.len() - rejections_from;
                let table = tables::rejection_rows(rest, |i| rejections.get(rejections_from + i));
                rejections_out.write(|out| write_rows(&table, format, out))
            },
        );
        written_credits?;
        written_rejections?;
        Ok(vec![self.credits.finish()?, self.rejections.finish()?])
    }
}

/// Rows in order, as runs of rows next to each other in memory: the rows
/// of a part of the rules' output are one run, so a few runs stand for
/// millions of rows.
#[derive(Default)]
struct Runs {
    /// The address of each run's first row, and its rows.
    runs: Vec<(usize, usize)>,
    len: usize,
}

impl Runs {
    fn push<T>(&mut self, row: &T) {
        let at = address(row);
        self.len += 1;
        if let Some((first, n)) = self.runs.last_mut() {
            if *first + *n * std::mem::size_of::<T>() == at {
                *n += 1;
                return;
            }
        }
        self.runs.push((at, 1));
    }

    /// Whether the rows of `rows` begin with these rows, the very same in
    /// memory; runs checked in parallel.
    fn is_start_of<T: Sync>(&self, rows: &InOrder<T>) -> bool {
        use rayon::prelude::*;
        if rows.len() < self.len {
            return false;
        }
        let mut starts = Vec::with_capacity(self.runs.len());
        let mut start = 0;
        for &(_, n) in &self.runs {
            starts.push(start);
            start += n;
        }
        self.runs
            .par_iter()
            .zip(starts)
            .all(|(&(first, n), start)| {
                (0..n).all(|k| address(rows.get(start + k)) == first + k * std::mem::size_of::<T>())
            })
    }
}

fn address<T>(row: &T) -> usize {
    std::ptr::from_ref(row) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RowRef;

    #[test]
    fn a_stage_is_in_order_when_no_row_is_before_the_one_before_it() {
        let rows = |orders: &[Order]| orders.to_vec();
        assert_eq!(
            in_order_after(None, rows(&[(0, 0, 1), (0, 0, 1), (0, 1, 0)]).into_iter()),
            Some(Some((0, 1, 0)))
        );
        assert_eq!(
            in_order_after(Some((0, 0, 3)), rows(&[(0, 0, 2)]).into_iter()),
            None
        );
        assert_eq!(
            in_order_after(None, rows(&[(1, 0, 0), (0, 0, 9)]).into_iter()),
            None
        );
        // A stage with no rows leaves the last row written as it was.
        assert_eq!(
            in_order_after(Some((0, 0, 3)), rows(&[]).into_iter()),
            Some(Some((0, 0, 3)))
        );
    }

    #[test]
    fn rows_written_match_only_the_very_rows_at_the_start_of_the_outputs() {
        let at = |row: u32| RowRef::in_file("t.csv", (0, 0, row));
        let rows = InOrder::new(vec![vec![at(1), at(2), at(4)], vec![at(3), at(5)]], |r| r);
        let written = |picked: &[(usize, usize)]| {
            let mut runs = Runs::default();
            for &(part, i) in picked {
                runs.push(&rows.parts()[part][i]);
            }
            runs
        };
        // Rows 1 and 2 are one run: they are next to each other in their part.
        let start = written(&[(0, 0), (0, 1), (1, 0)]);
        assert_eq!(start.runs.len(), 2);
        assert_eq!(start.len, 3);
        assert!(start.is_start_of(&rows));
        assert!(written(&[]).is_start_of(&rows));
        // Out of order, or not from the start.
        assert!(!written(&[(0, 0), (1, 0)]).is_start_of(&rows));
        assert!(!written(&[(0, 1)]).is_start_of(&rows));
        // Equal rows that are not the same rows.
        let copy = at(1);
        let mut runs = Runs::default();
        runs.push(&copy);
        assert!(!runs.is_start_of(&rows));
        // More rows than the outputs hold.
        let all = written(&[(0, 0), (0, 1), (1, 0), (0, 2), (1, 1)]);
        assert!(all.is_start_of(&rows));
        let mut more = written(&[(0, 0), (0, 1), (1, 0), (0, 2), (1, 1)]);
        more.push(&copy);
        assert!(!more.is_start_of(&rows));
    }
}
