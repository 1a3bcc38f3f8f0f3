//! Golden hours and channels (黄金时段与触达渠道, seed 003; DOMAIN §11): when the
//! store's members buy and click, and through which channel each member is
//! best reached.
//!
//! - **Slots.** The day is cut into seed 003's eleven slots ([`SLOT_STARTS`]).
//!   Each slot includes its start and excludes its end: 8:00 is in 8:00–9:00,
//!   11:30 in 11:30–12:00, 22:30 in "after 22:30", 7:59 in "before 8:00".
//! - **Grid.** The store's weekday × slot grid ([`Grid`], Monday first) counts
//!   purchases and, when message clicks are given, clicks.
//! - **Best slot.** A member's best slot is the slot of most purchases (ties:
//!   the earlier slot). A member with fewer than `minPurchases` purchases
//!   (default 3) says little about their own habits and gets the store's best
//!   slot instead, flagged as a fallback.
//! - **Preferred channel.** A member's preferred channel (SMS, mini-program,
//!   official-account template message, community group …) is the channel of
//!   most message clicks (ties: the channel the store's members click most);
//!   members with fewer than `minClicks` clicks (default 1) get the store's
//!   best channel, flagged. Counts, not click-through rates: the rate needs
//!   the messages sent per channel, which the events file will bring.
//!
//! Callers pass only what counts: purchases (paid orders) before the analysis
//! date, and clicks (`message_clicked` events) before it. The orders table
//! stores minute 0 when a file gives only a date, so a caller should leave
//! out orders without a time of day; otherwise they all fall "before 8:00".
//! Slices given in parallel are read pair by pair up to the shorter one, and
//! member indices at or above the member count are ignored: nothing panics.

use crate::error::{Error, Result};
use crate::model::Day;
use serde::{Deserialize, Serialize};

/// Number of time slots in a day.
pub const SLOTS: usize = 11;

/// First minute of the day (0–1439) of each slot: before 8:00, 8:00–9:00,
/// 9:00–11:30, 11:30–12:00, 12:00–13:00, 13:00–17:30, 17:30–18:30,
/// 18:30–20:30, 20:30–21:30, 21:30–22:30, after 22:30.
pub const SLOT_STARTS: [u16; SLOTS] = [0, 480, 540, 690, 720, 780, 1050, 1110, 1230, 1290, 1350];

/// (key, 中文, English) of each slot, in slot order.
pub const SLOT_LABELS: [(&str, &str, &str); SLOTS] = [
    ("before_0800", "8:00前", "before 8:00"),
    ("0800_0900", "8:00–9:00", "8:00–9:00"),
    ("0900_1130", "9:00–11:30", "9:00–11:30"),
    ("1130_1200", "11:30–12:00", "11:30–12:00"),
    ("1200_1300", "12:00–13:00", "12:00–13:00"),
    ("1300_1730", "13:00–17:30", "13:00–17:30"),
    ("1730_1830", "17:30–18:30", "17:30–18:30"),
    ("1830_2030", "18:30–20:30", "18:30–20:30"),
    ("2030_2130", "20:30–21:30", "20:30–21:30"),
    ("2130_2230", "21:30–22:30", "21:30–22:30"),
    ("after_2230", "22:30后", "after 22:30"),
];

/// Timing and channel settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TimingRules {
    /// A member with fewer purchases than this gets the store's best slot (default 3).
    pub min_purchases: u32,
    /// A member with fewer message clicks than this gets the store's best channel (default 1).
    pub min_clicks: u32,
}

impl Default for TimingRules {
    fn default() -> Self {
        TimingRules { min_purchases: 3, min_clicks: 1 }
    }
}

impl TimingRules {
    /// Check the ranges serde cannot; errors name the field under `timing`.
    pub fn validate(&self) -> Result<()> {
        if !(1..=1000).contains(&self.min_purchases) {
            return Err(Error::invalid_rules("timing.minPurchases", "must be between 1 and 1000"));
        }
        if !(1..=1000).contains(&self.min_clicks) {
            return Err(Error::invalid_rules("timing.minClicks", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

/// The slot (index into [`SLOT_STARTS`]) of a minute of the day; minutes past
/// the end of the day (≥ 1440) fall in the last slot.
pub fn slot_of(minute_of_day: u16) -> usize {
    SLOT_STARTS.partition_point(|&start| start <= minute_of_day).saturating_sub(1)
}

/// Day of the week of a day number: 0 = Monday … 6 = Sunday. Day 1
/// ([`crate::model::day_of`] counts from the common era) is a Monday, so this
/// is arithmetic, without building the date.
pub fn weekday_of(day: Day) -> usize {
    (i64::from(day) - 1).rem_euclid(7) as usize
}

/// The store's weekday × slot grid; rows are weekdays (Monday first),
/// columns the [`SLOTS`] slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grid {
    /// Purchases per weekday and slot.
    pub purchases: [[u32; SLOTS]; 7],
    /// Message clicks per weekday and slot (all zero when no clicks are given).
    pub clicks: [[u32; SLOTS]; 7],
}

impl Grid {
    /// The grid of purchases and of clicks, each given as (day, minute).
    pub fn new(purchases: impl IntoIterator<Item = (Day, u16)>, clicks: impl IntoIterator<Item = (Day, u16)>) -> Grid {
        Grid::with_members(0, purchases.into_iter().map(|(d, m)| (0, d, m)), clicks).0
    }

    /// The grid, and each member's purchases per slot (by member index,
    /// `members` of them, for [`best_slots`]) counted in the same pass over
    /// the purchases, given as (member, day, minute); clicks as (day, minute).
    pub fn with_members(
        members: usize,
        purchases: impl IntoIterator<Item = (u32, Day, u16)>,
        clicks: impl IntoIterator<Item = (Day, u16)>,
    ) -> (Grid, Vec<[u32; SLOTS]>) {
        let mut grid = Grid::default();
        let mut rows = vec![[0u32; SLOTS]; members];
        let bump = |cell: &mut u32| *cell = cell.saturating_add(1);
        for (m, d, minute) in purchases {
            let slot = slot_of(minute);
            bump(&mut grid.purchases[weekday_of(d)][slot]);
            if let Some(row) = rows.get_mut(m as usize) {
                bump(&mut row[slot]);
            }
        }
        for (d, minute) in clicks {
            bump(&mut grid.clicks[weekday_of(d)][slot_of(minute)]);
        }
        (grid, rows)
    }

    /// Purchases per slot over the whole week.
    pub fn purchases_by_slot(&self) -> [u32; SLOTS] {
        column_sums(&self.purchases)
    }

    /// Clicks per slot over the whole week.
    pub fn clicks_by_slot(&self) -> [u32; SLOTS] {
        column_sums(&self.clicks)
    }

    /// The store's best slot: most purchases over the week (ties: the
    /// earlier slot); without purchases, most clicks; `None` when the grid
    /// is empty.
    pub fn best_slot(&self) -> Option<usize> {
        best(&self.purchases_by_slot()).or_else(|| best(&self.clicks_by_slot()))
    }
}

fn column_sums(cells: &[[u32; SLOTS]; 7]) -> [u32; SLOTS] {
    let mut sums = [0u32; SLOTS];
    for row in cells {
        for (sum, &c) in sums.iter_mut().zip(row) {
            *sum = sum.saturating_add(c);
        }
    }
    sums
}

/// The index of the largest positive count (ties: the lowest index).
fn best(counts: &[u32]) -> Option<usize> {
    let mut out: Option<(usize, u32)> = None;
    for (i, &c) in counts.iter().enumerate() {
        if c > 0 && out.is_none_or(|(_, top)| c > top) {
            out = Some((i, c));
        }
    }
    out.map(|(i, _)| i)
}

/// A member's best time slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BestSlot {
    /// Index into [`SLOT_STARTS`].
    pub slot: usize,
    /// The member's own purchases in that slot.
    pub purchases: u32,
    /// True when the member had fewer than `minPurchases` purchases and this is the store's best slot.
    pub fallback: bool,
}

/// Each member's best slot, from their purchases per slot (by member
/// index, from [`Grid::with_members`]); `store_best` is the store's best
/// slot ([`Grid::best_slot`]). `None` only for a member who falls back when
/// the store has no best slot.
pub fn best_slots(counts: &[[u32; SLOTS]], store_best: Option<usize>, rules: &TimingRules) -> Vec<Option<BestSlot>> {
    counts
        .iter()
        .map(|row| {
            let total: u32 = row.iter().fold(0u32, |a, &c| a.saturating_add(c));
            match best(row) {
                Some(slot) if total >= rules.min_purchases => {
                    Some(BestSlot { slot, purchases: row[slot], fallback: false })
                }
                _ => store_best.map(|slot| BestSlot { slot, purchases: row[slot], fallback: true }),
            }
        })
        .collect()
}

/// The channel with most clicks (ties: the lower channel index); `None`
/// without clicks.
pub fn best_channel(channel: &[u32]) -> Option<u32> {
    ChannelCounts::new(channel).best()
}

/// Clicks per channel, as (channel, clicks) sorted by channel: sparse, so a
/// stray large channel index costs nothing.
struct ChannelCounts(Vec<(u32, u32)>);

impl ChannelCounts {
    fn new(channel: &[u32]) -> ChannelCounts {
        let mut sorted = channel.to_vec();
        sorted.sort_unstable();
        let mut counts: Vec<(u32, u32)> = Vec::new();
        for c in sorted {
            match counts.last_mut() {
                Some((last, n)) if *last == c => *n = n.saturating_add(1),
                _ => counts.push((c, 1)),
            }
        }
        ChannelCounts(counts)
    }

    /// Clicks through channel `c`.
    fn get(&self, c: u32) -> u32 {
        self.0.binary_search_by_key(&c, |&(ch, _)| ch).map_or(0, |k| self.0[k].1)
    }

    /// Most clicks, ties to the lower channel (the first in channel order).
    fn best(&self) -> Option<u32> {
        let mut out: Option<(u32, u32)> = None;
        for &(c, n) in &self.0 {
            if out.is_none_or(|(_, top)| n > top) {
                out = Some((c, n));
            }
        }
        out.map(|(c, _)| c)
    }
}

/// A member's preferred channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreferredChannel {
    /// The channel (index into the caller's channel names).
    pub channel: u32,
    /// The member's own clicks through it.
    pub clicks: u32,
    /// True when the member had fewer than `minClicks` clicks and this is the store's best channel.
    pub fallback: bool,
}

/// Each member's preferred channel, by member index (`members` of them),
/// from message clicks as (`member`, `channel`) pairs. Ties between a
/// member's channels go to the one the store's members click most (then the
/// lower index). `None` only for a member who falls back when nobody clicked.
pub fn preferred_channels(
    members: usize,
    member: &[u32],
    channel: &[u32],
    rules: &TimingRules,
) -> Vec<Option<PreferredChannel>> {
    let n = member.len().min(channel.len());
    let store = ChannelCounts::new(&channel[..n]);
    let store_best = store.best();
    // Between two channels a member clicked equally: more store clicks first, then the lower index.
    let preferred_over = |a: u32, b: u32| (store.get(a), std::cmp::Reverse(a)) > (store.get(b), std::cmp::Reverse(b));

    let mut pairs: Vec<(u32, u32)> =
        member[..n].iter().zip(&channel[..n]).map(|(&m, &c)| (m, c)).filter(|&(m, _)| (m as usize) < members).collect();
    pairs.sort_unstable();
    let mut out: Vec<Option<PreferredChannel>> = vec![None; members];
    // Per member: all clicks, and clicks through the store's best channel.
    let mut totals = vec![0u32; members];
    let mut on_store_best = vec![0u32; members];
    // Runs of equal (member, channel): keep each member's best run.
    let mut i = 0;
    while i < pairs.len() {
        let (m, c) = pairs[i];
        let run = pairs[i..].iter().take_while(|&&p| p == (m, c)).count();
        i += run;
        let clicks = u32::try_from(run).unwrap_or(u32::MAX);
        let total = &mut totals[m as usize];
        *total = total.saturating_add(clicks);
        if Some(c) == store_best {
            on_store_best[m as usize] = clicks;
        }
        let better = match out[m as usize] {
            None => true,
            Some(p) => clicks > p.clicks || (clicks == p.clicks && preferred_over(c, p.channel)),
        };
        if better {
            out[m as usize] = Some(PreferredChannel { channel: c, clicks, fallback: false });
        }
    }
    // Below `minClicks`: the store's best channel, with the member's own clicks through it.
    for ((p, &total), &own) in out.iter_mut().zip(&totals).zip(&on_store_best) {
        if total < rules.min_clicks {
            *p = store_best.map(|channel| PreferredChannel { channel, clicks: own, fallback: true });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{date_of, day_of};
    use chrono::{Datelike, NaiveDate};

    fn day(y: i32, m: u32, d: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn hm(h: u16, m: u16) -> u16 {
        h * 60 + m
    }

    #[test]
    fn slot_boundaries() {
        // Each slot starts at its first minute and ends just before the next slot's.
        assert_eq!(slot_of(0), 0);
        assert_eq!(slot_of(hm(7, 59)), 0);
        assert_eq!(slot_of(hm(8, 0)), 1);
        assert_eq!(slot_of(hm(8, 59)), 1);
        assert_eq!(slot_of(hm(9, 0)), 2);
        assert_eq!(slot_of(hm(11, 29)), 2);
        assert_eq!(slot_of(hm(11, 30)), 3);
        assert_eq!(slot_of(hm(12, 0)), 4);
        assert_eq!(slot_of(hm(13, 0)), 5);
        assert_eq!(slot_of(hm(17, 29)), 5);
        assert_eq!(slot_of(hm(17, 30)), 6);
        assert_eq!(slot_of(hm(18, 30)), 7);
        assert_eq!(slot_of(hm(20, 30)), 8);
        assert_eq!(slot_of(hm(21, 30)), 9);
        assert_eq!(slot_of(hm(22, 29)), 9);
        assert_eq!(slot_of(hm(22, 30)), 10);
        assert_eq!(slot_of(hm(23, 59)), 10);
        assert_eq!(slot_of(u16::MAX), 10);
        // Every slot start maps to its own slot, and the labels follow the starts.
        for (k, &start) in SLOT_STARTS.iter().enumerate() {
            assert_eq!(slot_of(start), k);
        }
        assert_eq!(SLOT_LABELS[3].2, "11:30–12:00");
    }

    #[test]
    fn weekdays_start_on_monday() {
        // 2026-03-02 is a Monday, 2026-03-08 a Sunday.
        assert_eq!(weekday_of(day(2026, 3, 2)), 0);
        assert_eq!(weekday_of(day(2026, 3, 5)), 3);
        assert_eq!(weekday_of(day(2026, 3, 8)), 6);
    }

    proptest::proptest! {
        /// The arithmetic weekday is chrono's, across the years files hold and far beyond.
        #[test]
        fn weekday_arithmetic_matches_chrono(d in day(1, 1, 1)..day(9999, 12, 31)) {
            proptest::prop_assert_eq!(weekday_of(d), date_of(d).weekday().num_days_from_monday() as usize);
        }

        /// Counting members' slots in the grid's pass changes neither: the
        /// grid is the grid of the purchases alone, each member's row their own count.
        #[test]
        fn member_slots_counted_with_the_grid(
            rows in proptest::collection::vec((0u32..6, 0i32..30, 0u16..1500), 0..200),
            clicks in proptest::collection::vec((0i32..30, 0u16..1500), 0..20),
        ) {
            let start = day(2026, 3, 1);
            let purchases = || rows.iter().map(|&(m, d, minute)| (m, start + d, minute));
            let clicks = || clicks.iter().map(|&(d, minute)| (start + d, minute));
            let (grid, counts) = Grid::with_members(4, purchases(), clicks());
            proptest::prop_assert_eq!(&grid, &Grid::new(purchases().map(|(_, d, minute)| (d, minute)), clicks()));
            let mut expected = vec![[0u32; SLOTS]; 4];
            for (m, _, minute) in purchases().filter(|&(m, _, _)| m < 4) {
                expected[m as usize][slot_of(minute)] += 1;
            }
            proptest::prop_assert_eq!(counts, expected);
        }
    }

    #[test]
    fn store_grid_counts_purchases_and_clicks() {
        // Purchases: Monday 8:00 twice, Monday 7:59, Thursday 12:30.
        // Clicks: Sunday 22:30.
        let days = [day(2026, 3, 2), day(2026, 3, 2), day(2026, 3, 9), day(2026, 3, 5)];
        let minutes = [hm(8, 0), hm(7, 59), hm(8, 30), hm(12, 30)];
        let at = || days.iter().copied().zip(minutes.iter().copied());
        let grid = Grid::new(at(), [(day(2026, 3, 8), hm(22, 30))]);
        assert_eq!(grid.purchases[0][1], 2, "two Mondays at 8:00–9:00");
        assert_eq!(grid.purchases[0][0], 1);
        assert_eq!(grid.purchases[3][4], 1);
        assert_eq!(grid.clicks[6][10], 1);
        assert_eq!(grid.purchases.iter().flatten().sum::<u32>(), 4);
        assert_eq!(grid.purchases_by_slot(), [1, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(grid.best_slot(), Some(1));
        // Without clicks the click grid is all zero.
        assert_eq!(Grid::new(at(), []).clicks, [[0; SLOTS]; 7]);
    }

    #[test]
    fn store_best_slot_ties_and_fallbacks() {
        // 12:00–13:00 and 18:30–20:30 once each: the earlier wins.
        let g = Grid::new([(day(2026, 3, 2), hm(19, 0)), (day(2026, 3, 3), hm(12, 0))], []);
        assert_eq!(g.best_slot(), Some(4));
        // No purchases: the clicks decide; nothing at all: no best slot.
        let g = Grid::new([], [(day(2026, 3, 2), hm(21, 0))]);
        assert_eq!(g.best_slot(), Some(8));
        assert_eq!(Grid::default().best_slot(), None);
    }

    #[test]
    fn member_best_slot_with_fallback() {
        let rules = TimingRules::default();
        // Member 0: 3 purchases, two at 9:00–11:30 → own best slot.
        // Member 1: 4 purchases, two at 12:00–13:00 and two at 20:30–21:30 → the earlier.
        // Member 2: 2 purchases (below 3) → the store's best slot, flagged, with their own count in it.
        // Member 3: no purchase → the store's best slot, flagged.
        let member = [0, 0, 0, 1, 1, 1, 1, 2, 2, 9];
        let minute =
            [hm(9, 0), hm(11, 29), hm(19, 0), hm(12, 0), hm(21, 0), hm(12, 59), hm(20, 30), hm(9, 5), hm(6, 0), 0];
        let at = || member.iter().copied().zip(minute.iter().copied());
        let counts = Grid::with_members(4, at().map(|(m, minute)| (m, day(2026, 3, 2), minute)), []).1;
        let out = best_slots(&counts, Some(2), &rules);
        assert_eq!(out[0], Some(BestSlot { slot: 2, purchases: 2, fallback: false }));
        assert_eq!(out[1], Some(BestSlot { slot: 4, purchases: 2, fallback: false }));
        assert_eq!(out[2], Some(BestSlot { slot: 2, purchases: 1, fallback: true }));
        assert_eq!(out[3], Some(BestSlot { slot: 2, purchases: 0, fallback: true }));
        // Member 9 is out of range: ignored. Without a store slot, fallbacks have none.
        assert_eq!(out.len(), 4);
        assert_eq!(best_slots(&counts, None, &rules)[3], None);
        // The threshold is a rule: with 2, member 2 has their own slot (6:00 and 9:05 tie → before 8:00).
        let two = TimingRules { min_purchases: 2, ..rules };
        assert_eq!(best_slots(&counts, None, &two)[2], Some(BestSlot { slot: 0, purchases: 1, fallback: false }));
    }

    #[test]
    fn preferred_channel_from_clicks() {
        let rules = TimingRules::default();
        // Channels: 1 SMS, 2 mini-program, 3 template message.
        // Member 0: 1 ×2, 2 ×1 → SMS.
        // Member 1: 1 ×1, 2 ×1 → a tie; the store clicks 2 more (5 against 3), so 2, not the lower 1.
        // Member 2: 3 ×1 alone → 3.
        // Member 3: no clicks → the store's best (2), flagged.
        // Member 5 (out of range): 2 ×3, counted for the store only.
        let member = [0, 0, 0, 1, 1, 2, 5, 5, 5];
        let channel = [1, 2, 1, 2, 1, 3, 2, 2, 2];
        assert_eq!(best_channel(&channel), Some(2));
        let out = preferred_channels(4, &member, &channel, &rules);
        assert_eq!(out[0], Some(PreferredChannel { channel: 1, clicks: 2, fallback: false }));
        assert_eq!(out[1], Some(PreferredChannel { channel: 2, clicks: 1, fallback: false }));
        assert_eq!(out[2], Some(PreferredChannel { channel: 3, clicks: 1, fallback: false }));
        assert_eq!(out[3], Some(PreferredChannel { channel: 2, clicks: 0, fallback: true }));
        assert_eq!(out.len(), 4, "member 5 is out of range and ignored (its clicks still count for the store)");
    }

    #[test]
    fn channel_fallback_below_min_clicks_and_without_clicks() {
        // With minClicks 2, member 1 (two clicks in all) keeps their own; member 0 (one click) falls back
        // to the store's best channel and keeps the clicks they made through it.
        let rules = TimingRules { min_clicks: 2, ..TimingRules::default() };
        let out = preferred_channels(2, &[0, 1, 1, 1], &[4, 4, 7, 4], &rules);
        assert_eq!(out[0], Some(PreferredChannel { channel: 4, clicks: 1, fallback: true }));
        assert_eq!(out[1], Some(PreferredChannel { channel: 4, clicks: 2, fallback: false }));
        // Below the line, the member's own top channel (7, twice) gives way to the store's best (4,
        // which member 9 clicked three times); the clicks reported are the member's through 4.
        let four = TimingRules { min_clicks: 4, ..rules.clone() };
        let out = preferred_channels(1, &[0, 0, 0, 9, 9, 9], &[7, 7, 4, 4, 4, 4], &four);
        assert_eq!(out[0], Some(PreferredChannel { channel: 4, clicks: 1, fallback: true }));
        // Nobody clicked: no channel, no panic.
        assert_eq!(preferred_channels(2, &[], &[], &rules), vec![None, None]);
        assert_eq!(best_channel(&[]), None);
        // Channel indices may be sparse: a large one costs no memory.
        assert_eq!(best_channel(&[u32::MAX, 3, u32::MAX]), Some(u32::MAX));
        assert_eq!(best_channel(&[7, 3, 7, 3]), Some(3));
    }

    #[test]
    fn rules_defaults_and_validation() {
        let rules: TimingRules = serde_json::from_str("{}").unwrap();
        assert_eq!(rules, TimingRules { min_purchases: 3, min_clicks: 1 });
        assert!(serde_json::from_str::<TimingRules>(r#"{"minPurchase": 2}"#).is_err());
        let e = TimingRules { min_purchases: 0, ..rules.clone() }.validate().unwrap_err();
        assert_eq!(e.field(), Some("timing.minPurchases"));
        assert!(rules.validate().is_ok());
    }
}
