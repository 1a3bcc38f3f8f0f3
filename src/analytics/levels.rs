//! Member levels (seed 002, DOMAIN §5): 基础 basic / 银卡 silver / 金卡 gold /
//! 白金 platinum / 钻石 diamond by growth value (成长值).
//!
//! Growth value on a day is 1 point per whole yuan paid in the 12 months
//! (365 days) up to and including that day, plus the rules' bonuses for the
//! sign-ins, reviews, shares and referrals of the events file in those days
//! (the caller passes them as entries of bonus × 100, like fen).
//! A member is **upgraded at once** when their growth value reaches a
//! threshold, and **downgraded only at the yearly review** (default 1
//! January): at each review the level is set from that day's growth value;
//! between reviews it only goes up. Since growth only rises on purchase days,
//! the highest growth since the last review is reached on one of them.

use crate::model::{Day, Fen, date_of, day_of};
use crate::rules::{LevelRules, Rules};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A member's level on the analysis date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Level {
    /// Index into `rules.levels.levels` (0 = the lowest).
    pub index: usize,
    /// Growth value on the day before the analysis date.
    pub growth: i64,
    /// Growth value still needed for the next level (`None` at the top).
    pub to_next: Option<i64>,
}

/// The level of a growth value.
fn level_of(growth: i64, rules: &LevelRules) -> usize {
    rules.levels.iter().rposition(|l| growth >= l.growth).unwrap_or(0)
}

/// The level of a member with `purchases` (day, net fen; any order) as of
/// the day before `as_of` (the last day with data).
pub fn level(purchases: &mut [(Day, Fen)], as_of: Day, rules: &Rules) -> Level {
    let l = &rules.levels;
    let (changes, growth) = history(purchases, as_of, l);
    let index = changes.last().map_or(0, |&(_, index)| index);
    let to_next = l.levels.get(index + 1).map(|next| (next.growth - growth).max(0));
    Level { index, growth, to_next }
}

/// A member's level over time: the days before `as_of` on which the level
/// changed, with the level from the end of that day on (ascending; empty
/// while the member stays at the lowest level). The level on the start of
/// day `d` is the last change before `d`. The points ledger uses it for the
/// level multiplier on the day of each order and for level-up gifts.
pub fn timeline(purchases: &mut [(Day, Fen)], as_of: Day, rules: &LevelRules) -> Vec<(Day, usize)> {
    history(purchases, as_of, rules).0
}

/// The growth value on days asked for in order: the entries of the 365
/// days up to the day, a window that only moves forward over the sorted
/// entries.
struct Window<'a> {
    entries: &'a [(Day, Fen)],
    /// Entries on or before the last day asked for, and their sum.
    end: usize,
    end_sum: Fen,
    /// Entries 365 days or more before it, and their sum.
    start: usize,
    start_sum: Fen,
}

impl Window<'_> {
    /// Growth on `day` (no earlier than the days before): whole yuan paid
    /// in (day − 365, day].
    fn growth_on(&mut self, day: Day) -> i64 {
        while let Some(&(_, fen)) = self.entries.get(self.end).filter(|e| e.0 <= day) {
            (self.end, self.end_sum) = (self.end + 1, self.end_sum + fen);
        }
        while let Some(&(_, fen)) = self.entries.get(self.start).filter(|e| e.0 <= day - 365) {
            (self.start, self.start_sum) = (self.start + 1, self.start_sum + fen);
        }
        (self.end_sum - self.start_sum).max(0) / 100
    }
}

/// The level changes up to the day before `as_of`, and the growth value
/// on that day. Walks the entry days and the review days in order: a
/// review sets the level from that day's growth, an entry day can only
/// raise it.
fn history(purchases: &mut [(Day, Fen)], as_of: Day, rules: &LevelRules) -> (Vec<(Day, usize)>, i64) {
    purchases.sort_unstable();
    let today = as_of - 1;
    let mut window = Window { entries: purchases, end: 0, end_sum: 0, start: 0, start_sum: 0 };
    let mut growth_on = |day: Day| window.growth_on(day);
    let mut changes: Vec<(Day, usize)> = Vec::new();
    let set = |day: Day, to: usize, changes: &mut Vec<(Day, usize)>| {
        if changes.last().map_or(0, |c| c.1) != to {
            changes.push((day, to));
        }
    };
    let mut entries = purchases.iter().map(|&(d, _)| d).filter(|&d| d <= today).peekable();
    let mut review = entries.peek().map(|&first| next_review(first, rules));
    loop {
        let entry = entries.peek().copied();
        match (entry, review.filter(|&r| r <= today)) {
            (Some(d), Some(r)) if r <= d => {
                set(r, level_of(growth_on(r), rules), &mut changes);
                review = Some(next_review(r + 1, rules));
                if r == d {
                    entries.next();
                }
            }
            (None, Some(r)) => {
                set(r, level_of(growth_on(r), rules), &mut changes);
                review = Some(next_review(r + 1, rules));
            }
            (Some(d), _) => {
                entries.next();
                if entries.peek() != Some(&d) {
                    let up = changes.last().map_or(0, |c| c.1).max(level_of(growth_on(d), rules));
                    set(d, up, &mut changes);
                }
            }
            (None, None) => break,
        }
    }
    (changes, growth_on(today))
}

/// The first review day on or after `day`.
fn next_review(day: Day, rules: &LevelRules) -> Day {
    let year = date_of(day).year();
    match review_in(year, rules) {
        Some(r) if r >= day => r,
        _ => review_in(year + 1, rules).unwrap_or(day),
    }
}

/// The review day of `year`: the rules' month and day, or the last day of
/// that month when the year has no such day (29 February in a common year
/// is reviewed on the 28th). `None` only for a month the rules' validation
/// refuses.
fn review_in(year: i32, rules: &LevelRules) -> Option<Day> {
    (1..=rules.review_day).rev().find_map(|d| NaiveDate::from_ymd_opt(year, rules.review_month, d)).map(day_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn at(purchases: &[(Day, Fen)], as_of: Day) -> Level {
        level(&mut purchases.to_vec(), as_of, &Rules::default())
    }

    #[test]
    fn the_window_gives_the_growth_of_the_entries_of_the_365_days() {
        // Against the sum over the entries, for days asked in order: runs of
        // one day, gaps longer than a year, refunds, days before every entry.
        let mut next = crate::model::tests::xorshift(5);
        for _ in 0..300 {
            let mut entries: Vec<(Day, Fen)> = (0..next() % 40)
                .map(|_| ((next() % 1500) as Day, (next() % 50_000) as Fen - if next() % 5 == 0 { 60_000 } else { 0 }))
                .collect();
            entries.sort_unstable();
            let mut window = Window { entries: &entries, end: 0, end_sum: 0, start: 0, start_sum: 0 };
            let mut day = -400 + (next() % 100) as Day;
            while day < 2000 {
                let sum: Fen = entries.iter().filter(|e| e.0 <= day && e.0 > day - 365).map(|e| e.1).sum();
                assert_eq!(window.growth_on(day), sum.max(0) / 100, "{entries:?} on {day}");
                day += (next() % 60) as Day;
            }
        }
    }

    #[test]
    fn thresholds_upgrade_at_once() {
        // Exactly 500 yuan: silver; 499.99: basic.
        let as_of = day(2026, 6, 1);
        assert_eq!(at(&[(day(2026, 3, 1), 50_000)], as_of), Level { index: 1, growth: 500, to_next: Some(1_500) });
        assert_eq!(at(&[(day(2026, 3, 1), 49_999)], as_of), Level { index: 0, growth: 499, to_next: Some(1) });
        let top = at(&[(day(2026, 3, 1), 1_000_000)], as_of);
        assert_eq!((top.index, top.to_next), (4, None));
    }

    #[test]
    fn no_downgrade_before_the_yearly_review() {
        // 2,000 yuan in February 2025 made gold. By November 2025 the purchase
        // is still inside 12 months; by 1 March 2026 it has left the window, but
        // the review on 1 January 2026 already saw 2,000 (the purchase was then
        // 10 months old), so the member stays gold until the 2027 review.
        let purchases = [(day(2025, 2, 15), 200_000)];
        assert_eq!(at(&purchases, day(2025, 11, 1)).index, 2);
        let later = at(&purchases, day(2026, 3, 1));
        assert_eq!((later.index, later.growth), (2, 0));
        // At the 2027 review the growth is 0: basic.
        assert_eq!(at(&purchases, day(2027, 1, 2)).index, 0);
    }

    #[test]
    fn the_timeline_agrees_with_the_level_on_every_day() {
        // Silver on 2025-03-01 (500 yuan), gold on 2025-12-01 (2,000 within
        // 12 months), down to basic at the 2027 review (nothing within 12
        // months of 2027-01-01), silver again on 2027-02-01.
        let purchases = [(day(2025, 3, 1), 50_000), (day(2025, 12, 1), 150_000), (day(2027, 2, 1), 60_000)];
        let as_of = day(2027, 6, 1);
        let t = timeline(&mut purchases.to_vec(), as_of, &Rules::default().levels);
        assert_eq!(t, [(day(2025, 3, 1), 1), (day(2025, 12, 1), 2), (day(2027, 1, 1), 0), (day(2027, 2, 1), 1)]);
        for d in day(2025, 2, 1)..as_of {
            let from_timeline = t.iter().rev().find(|c| c.0 < d).map_or(0, |c| c.1);
            assert_eq!(from_timeline, at(&purchases, d).index, "{}", date_of(d));
        }
    }

    #[test]
    fn a_review_on_29_february_is_on_the_28th_in_common_years() {
        let mut rules = Rules::default().levels;
        (rules.review_month, rules.review_day) = (2, 29);
        assert_eq!(next_review(day(2026, 1, 10), &rules), day(2026, 2, 28));
        assert_eq!(next_review(day(2026, 3, 1), &rules), day(2027, 2, 28));
        assert_eq!(next_review(day(2027, 3, 1), &rules), day(2028, 2, 29));
        assert_eq!(next_review(day(2028, 2, 29), &rules), day(2028, 2, 29));
        // Gold from 2,000 yuan in May 2025; reviewed once a year, not every
        // day: still gold after the purchase leaves the window in May 2026,
        // down to basic at the review of 28 February 2027.
        let mut purchases = vec![(day(2025, 5, 10), 200_000), (day(2026, 6, 1), 100), (day(2026, 9, 1), 100)];
        let changes = timeline(&mut purchases, day(2027, 6, 1), &rules);
        assert_eq!(changes, [(day(2025, 5, 10), 2), (day(2027, 2, 28), 0)]);
    }

    #[test]
    fn the_review_sets_the_level_from_that_days_growth() {
        // Gold in March 2025, down to 600 yuan by the 2026 review: silver from then on.
        let purchases = [(day(2025, 3, 1), 140_000), (day(2025, 12, 1), 60_000)];
        assert_eq!(at(&purchases, day(2025, 12, 2)).index, 2);
        assert_eq!(at(&purchases, day(2026, 3, 5)).index, 2, "the 2026 review saw 2,000 yuan (both within 12 months)");
        assert_eq!(at(&purchases, day(2027, 1, 5)).index, 0, "by the 2027 review both left the window");
        // Refunds count against growth, never below zero.
        assert_eq!(at(&[(day(2026, 1, 5), -5_000)], day(2026, 2, 1)).growth, 0);
    }
}
