//! Caps with partial awards (4.1 step 13, 4.2 step 13): rows in order, each
//! awarded what is left.

use crate::model::Hundredths;

/// Awards each computed amount, in the order given, what is left of `cap`
/// after `already` (earlier runs).
pub fn allocate(computed: &[Hundredths], already: Hundredths, cap: Hundredths) -> Vec<Hundredths> {
    let mut left = if cap > already {
        cap - already
    } else {
        Hundredths::ZERO
    };
    computed
        .iter()
        .map(|&c| {
            let award = c.min(left);
            left = left - award;
            award
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_split_by_the_cap_and_the_next_gets_nothing() {
        let h = |n: i64| Hundredths(n * 100);
        assert_eq!(
            allocate(&[h(30), h(30), h(10)], h(0), h(40)),
            vec![h(30), h(10), h(0)]
        );
        assert_eq!(allocate(&[h(10)], h(35), h(40)), vec![h(5)]);
        assert_eq!(allocate(&[h(10)], h(45), h(40)), vec![h(0)]);
        assert_eq!(
            allocate(&[Hundredths(3999), Hundredths(2)], h(0), h(40)),
            vec![Hundredths(3999), Hundredths(1)]
        );
    }
}
