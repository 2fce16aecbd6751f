//! Line heads shared across the pieces a thread reads, for files whose
//! members' lines are scattered (sorted by date or course, say): there
//! no two lines one after another share a head, and each line made its
//! own, with its own member id and name texts, about 128 bytes a line
//! beside the line's 64 (10M such lines peaked at 3 GB).

use std::cell::RefCell;
use std::sync::Arc;

use foldhash::HashMap;

use super::header::LINE_HEAD;
use super::LineHead;

/// Past this many heads a thread's table starts again: enough for the
/// distinct heads of a 10M-row batch (about 420,000), with its keys about
/// 150 MB a thread at most.
const MOST_KEPT: usize = 1 << 20;

/// Heads whose fields run longer are not kept: their keys would cost more
/// than the head.
const LONGEST_RUN: usize = 1 << 12;

/// A thread's heads, each by its fields as a line holds them
/// (`Fields::run`): where each field ends, then the text.
#[derive(Default)]
struct SeenHeads {
    heads: HashMap<Box<[u8]>, Arc<LineHead>>,
    key: Vec<u8>,
}

thread_local! {
    static SEEN: RefCell<SeenHeads> = RefCell::default();
}

/// The head kept on this thread for the head fields `text`, ending at
/// `ends` within it, or the one `make` gives, kept from now on.
pub fn shared(
    text: &str,
    ends: [usize; LINE_HEAD.len()],
    make: impl FnOnce() -> Arc<LineHead>,
) -> Arc<LineHead> {
    if text.len() > LONGEST_RUN {
        return make();
    }
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let SeenHeads { heads, key } = &mut *seen;
        key.clear();
        for end in ends {
            // Within the run, so within `LONGEST_RUN`.
            key.extend_from_slice(&(end as u16).to_le_bytes());
        }
        key.extend_from_slice(text.as_bytes());
        if let Some(head) = heads.get(key.as_slice()) {
            return head.clone();
        }
        if heads.len() >= MOST_KEPT {
            heads.clear();
        }
        let head = make();
        heads.insert(key.as_slice().into(), head.clone());
        head
    })
}

/// Forgets the heads kept on every thread of the pool, once every file
/// is read.
pub fn forget() {
    rayon::broadcast(|_| SEEN.with(|seen| *seen.borrow_mut() = SeenHeads::default()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;

    fn head(id: &str) -> Arc<LineHead> {
        Arc::new(LineHead {
            member_id: Text::from(id),
            member_name: Text::from("Ann"),
            institution: Text::from("College"),
            program: Text::from("Coding"),
            program_area: Text::from("Health Care"),
        })
    }

    #[test]
    fn equal_runs_share_one_head_and_other_runs_or_ends_do_not() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        pool.install(|| {
            let run = "7,Ann,College,Coding,Health Care";
            let ends = [1, 5, 13, 20, 32];
            let first = shared(run, ends, || head("7"));
            let again = shared(run, ends, || head("other"));
            assert!(Arc::ptr_eq(&first, &again));
            assert_eq!(&*again.member_id, "7");
            // The same bytes split otherwise are other fields.
            let split_otherwise = shared(run, [1, 5, 13, 21, 32], || head("8"));
            assert_eq!(&*split_otherwise.member_id, "8");
            let other_run = shared("9,Ann,College,Coding,Health Care", ends, || head("9"));
            assert_eq!(&*other_run.member_id, "9");
            forget();
            let after = shared(run, ends, || head("made again"));
            assert_eq!(&*after.member_id, "made again");
        });
    }

    #[test]
    fn a_run_too_long_to_keep_makes_its_head_each_time() {
        let long = "x".repeat(LONGEST_RUN + 1);
        let ends = [LONGEST_RUN + 1; 5];
        let first = shared(&long, ends, || head("1"));
        let second = shared(&long, ends, || head("2"));
        assert_eq!((&*first.member_id, &*second.member_id), ("1", "2"));
    }
}
