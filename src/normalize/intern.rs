//! Sharing repeated text: a batch of transcript lines names the same
//! institutions, programs, courses and members over and over, and each
//! distinct text is kept once.

use foldhash::{HashMap, HashSet};

use crate::model::Text;

/// Past this many distinct texts the set starts again, so that a column of
/// texts that never repeat costs no more than holding them (the set's own
/// room; texts kept to the end stay, as the records hold them anyway).
const MOST_KEPT: usize = 1 << 16;

/// The distinct texts seen so far in one part of a sheet.
#[derive(Default)]
pub struct Interner {
    seen: HashSet<Text>,
    /// The second text last seen with each first text (`pair`).
    pairs: HashMap<Text, Text>,
    /// Whether each text kept is made static (`keeping_to_the_end`).
    to_the_end: bool,
}

impl Interner {
    /// An interner whose texts are kept to the end of the process, for the
    /// texts of records: each is copied into many records (a line, its
    /// credit) and dropped with them, each copy and drop an atomic
    /// operation on its count; kept to the end, they count nothing. The
    /// lines hold them until the rules have read them anyway, and the
    /// outputs' rows until they are written; the process ends soon after.
    pub fn keeping_to_the_end() -> Interner {
        Interner {
            to_the_end: true,
            ..Interner::default()
        }
    }

    /// `text`, or the equal text already kept.
    pub fn share(&mut self, text: Text) -> Text {
        match self.seen.get(text.as_str()) {
            Some(kept) => kept.clone(),
            None => self.keep(text),
        }
    }

    /// `text` as shared text: the one already kept when it was seen before.
    pub fn text(&mut self, text: &str) -> Text {
        match self.seen.get(text) {
            Some(kept) => kept.clone(),
            None => self.keep(Text::from(text)),
        }
    }

    /// `first` and `second` as shared texts, found with one look-up where
    /// `second` came with `first` the time before: a course's id and title
    /// come together on every line that names the course.
    pub fn pair(&mut self, first: &str, second: &str) -> (Text, Text) {
        if let Some((kept, with)) = self.pairs.get_key_value(first) {
            if with.as_str() == second {
                return (kept.clone(), with.clone());
            }
        }
        let pair = (self.text(first), self.text(second));
        if self.pairs.len() >= MOST_KEPT {
            self.pairs.clear();
        }
        self.pairs.insert(pair.0.clone(), pair.1.clone());
        pair
    }

    fn keep(&mut self, text: Text) -> Text {
        if self.seen.len() >= MOST_KEPT {
            self.seen.clear();
        }
        if self.to_the_end {
            text.keep_to_the_end();
        }
        self.seen.insert(text.clone());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_allocation() {
        let mut interner = Interner::default();
        let a = interner.text("Riverside Community College");
        let b = interner.text("Riverside Community College");
        let c = interner.text("Other College");
        assert!(Text::ptr_eq(&a, &b));
        assert!(!Text::ptr_eq(&a, &c));
        assert_eq!(&*c, "Other College");
        assert!(Text::ptr_eq(&interner.text(""), &interner.text("")));
        let shared = interner.share(Text::from("Other College"));
        assert!(Text::ptr_eq(&shared, &c));
        // A workbook's cells, a run's reasons: freed with what holds them.
        assert!(!a.is_kept_to_the_end() && !shared.is_kept_to_the_end());
    }

    #[test]
    fn a_pair_is_the_two_texts_as_given_and_shares_them() {
        let mut interner = Interner::default();
        let (id, title) = interner.pair("HIT101", "Coding I");
        assert_eq!((&*id, &*title), ("HIT101", "Coding I"));
        let (id_again, title_again) = interner.pair("HIT101", "Coding I");
        assert!(Text::ptr_eq(&id, &id_again) && Text::ptr_eq(&title, &title_again));
        // The same id with another title is that title, and the title seen alone is shared.
        let (other_id, other_title) = interner.pair("HIT101", "Coding 1");
        assert!(Text::ptr_eq(&id, &other_id));
        assert_eq!(&*other_title, "Coding 1");
        let (_, first_title) = interner.pair("HIT101", "Coding I");
        assert!(Text::ptr_eq(&title, &first_title));
        assert!(Text::ptr_eq(&interner.text("Coding I"), &title));
        let (blank_id, only_title) = interner.pair("", "Coding I");
        assert_eq!((&*blank_id, &*only_title), ("", "Coding I"));
        assert!(Text::ptr_eq(&only_title, &title));
    }

    #[test]
    fn a_records_interner_keeps_its_texts_to_the_end() {
        let mut interner = Interner::keeping_to_the_end();
        let made = interner.text("Riverside Community College");
        let shared = interner.share(Text::from("Other College"));
        assert!(made.is_kept_to_the_end() && shared.is_kept_to_the_end());
        assert!(Text::ptr_eq(&interner.text("Other College"), &shared));
    }
}
