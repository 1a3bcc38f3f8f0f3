//! Community groups (社群, seed 003; DOMAIN §12): base groups (基础群) per
//! store, VIP groups (VIP群) by orders, and the monthly VIP review (月度核查)
//! that lists who stays, who joins and who leaves.
//!
//! - **Home store.** A member belongs to the store of most of their
//!   purchases; ties go to the tied store with the latest purchase, then to
//!   the lower store index. Purchases without a store (index 0) count only
//!   for a member with no purchase at a named store, so a single-store file
//!   without a store column puts everyone in store 0.
//! - **Base groups.** Each store's members are split into groups of at most
//!   `groupSize` (default 400), as few groups as that allows and balanced:
//!   401 members make two groups of 201 and 200, exactly 400 one group.
//!   Members fill the groups in member-index order (the members file first,
//!   so roughly in order of joining).
//! - **VIP groups.** A VIP is a member with at least `vipMinOrders`
//!   purchases (default 8) in the `vipWindowDays` (default 30) before the
//!   analysis date, `as_of - vipWindowDays <= day < as_of`: about twice a
//!   week, a convenience store's regulars. Orders, not days: two orders on
//!   one day count twice. VIPs are grouped per home store like base groups.
//! - **Monthly review.** Last month's VIP list against this month's
//!   ([`vip_review`]); [`month_before`] gives the date to compute last
//!   month's list as of.
//!
//! Callers pass only purchases (paid orders) before the analysis date.
//! Slices given in parallel are read up to the shortest, and member indices
//! at or above the member count are ignored: nothing panics.

use crate::error::{Error, Result};
use crate::model::{Day, date_of, day_of};
use chrono::Months;
use serde::{Deserialize, Serialize};

/// Community settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CommunityRules {
    /// Most members in one group; a store with more is split evenly (default 400).
    pub group_size: u32,
    /// A VIP has at least this many purchases in the VIP window (default 8).
    pub vip_min_orders: u32,
    /// Days before the analysis date that the VIP window covers (default 30).
    pub vip_window_days: u32,
}

impl Default for CommunityRules {
    fn default() -> Self {
        CommunityRules { group_size: 400, vip_min_orders: 8, vip_window_days: 30 }
    }
}

impl CommunityRules {
    /// Check the ranges serde cannot; errors name the field under `community`.
    pub fn validate(&self) -> Result<()> {
        if !(1..=500).contains(&self.group_size) {
            return Err(Error::invalid_rules(
                "community.groupSize",
                "must be between 1 and 500 (a WeChat group holds at most 500)",
            ));
        }
        if !(1..=10_000).contains(&self.vip_min_orders) {
            return Err(Error::invalid_rules("community.vipMinOrders", "must be between 1 and 10000"));
        }
        if !(1..=366).contains(&self.vip_window_days) {
            return Err(Error::invalid_rules("community.vipWindowDays", "must be between 1 and 366 days"));
        }
        Ok(())
    }
}

/// Each member's home store, by member index (`members` of them), from the
/// purchases as (member, store, day); `None` for a member without purchases.
/// The purchases are read three times (to see their range, then to group
/// them by member). While stores and the span of days fit 16 bits each, a
/// purchase is grouped as one `u32` (store, then day), half the memory of
/// the pair (millions of purchases; wasm memory never shrinks).
pub fn home_stores(members: usize, purchases: impl Iterator<Item = (u32, u32, Day)> + Clone) -> Vec<Option<u32>> {
    let (mut stores, mut first, mut last) = (0, Day::MAX, Day::MIN);
    for (_, s, d) in purchases.clone() {
        (stores, first, last) = (stores.max(s), first.min(d), last.max(d));
    }
    if stores <= 0xFFFF && i64::from(last) - i64::from(first) <= 0xFFFF {
        let pack = move |s: u32, d: Day| (s << 16) | (d - first) as u32;
        let unpack = move |k: u32| (k >> 16, first + (k & 0xFFFF) as Day);
        home_stores_by(members, purchases.map(move |(m, s, d)| (m, pack(s, d))), unpack)
    } else {
        home_stores_by(members, purchases.map(|(m, s, d)| (m, (s, d))), |k| k)
    }
}

/// [`home_stores`] over (member, key), where keys sort as (store, day) and
/// `store_day` reads them.
fn home_stores_by<K: Copy + Default + Ord>(
    members: usize,
    purchases: impl Iterator<Item = (u32, K)> + Clone,
    store_day: impl Fn(K) -> (u32, Day),
) -> Vec<Option<u32>> {
    let (starts, mut rows) = super::group_by_member_with(members, |put| purchases.clone().for_each(|(m, k)| put(m, k)));
    (0..members)
        .map(|m| {
            let mine = &mut rows[starts[m]..starts[m + 1]];
            mine.sort_unstable();
            let named = mine.iter().any(|&k| store_day(k).0 != 0);
            // Best (purchases, latest day, lower store) over the member's stores.
            let mut best: Option<(usize, Day, u32)> = None;
            let mut j = 0;
            while j < mine.len() {
                let s = store_day(mine[j]).0;
                let run = mine[j..].iter().take_while(|&&k| store_day(k).0 == s).count();
                // Sorted by day within the store: the run's last row is the latest.
                let latest = store_day(mine[j + run - 1]).1;
                j += run;
                if named && s == 0 {
                    continue;
                }
                if best.is_none_or(|(n, d, _)| (run, latest) > (n, d)) {
                    best = Some((run, latest, s));
                }
            }
            best.map(|(_, _, s)| s)
        })
        .collect()
}

/// The sizes of the groups `n` members are split into: `ceil(n / group_size)`
/// groups whose sizes differ by at most one, the larger first.
pub fn group_sizes(n: usize, group_size: u32) -> Vec<usize> {
    let size = (group_size as usize).max(1);
    let groups = n.div_ceil(size);
    if groups == 0 {
        return Vec::new();
    }
    let (base, extra) = (n / groups, n % groups);
    (0..groups).map(|k| base + usize::from(k < extra)).collect()
}

/// Base group or VIP group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// 基础群: every member of the store.
    Base,
    /// VIP群: the store's VIPs.
    Vip,
}

/// One community group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Base or VIP.
    pub kind: GroupKind,
    /// The store (index into the caller's store names).
    pub store: u32,
    /// Number of the group within its store and kind, from 1.
    pub number: u32,
    /// Its members (member indices, ascending).
    pub members: Vec<u32>,
}

/// Split (store, member) pairs into groups per store.
fn split(mut pairs: Vec<(u32, u32)>, kind: GroupKind, rules: &CommunityRules) -> Vec<Group> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let store = pairs[i].0;
        let len = pairs[i..].iter().take_while(|p| p.0 == store).count();
        let mut rest = &pairs[i..i + len];
        i += len;
        for (k, size) in group_sizes(len, rules.group_size).into_iter().enumerate() {
            let (group, tail) = rest.split_at(size.min(rest.len()));
            rest = tail;
            let members = group.iter().map(|p| p.1).collect();
            out.push(Group { kind, store, number: k as u32 + 1, members });
        }
    }
    out
}

/// The base groups of every store, from each member's home store (by
/// member index; [`home_stores`], or the members file's store for members
/// who never bought). Ordered by store, then group number.
pub fn base_groups(home: &[Option<u32>], rules: &CommunityRules) -> Vec<Group> {
    let pairs = home.iter().enumerate().filter_map(|(m, s)| s.map(|s| (s, m as u32))).collect();
    split(pairs, GroupKind::Base, rules)
}

/// The VIPs as of `as_of`, ascending member indices (`members` of them),
/// from the purchases as (member, day).
pub fn vip_members(
    members: usize,
    purchases: impl IntoIterator<Item = (u32, Day)>,
    as_of: Day,
    rules: &CommunityRules,
) -> Vec<u32> {
    let from = as_of - rules.vip_window_days as Day;
    let mut orders = vec![0u32; members];
    for (m, d) in purchases {
        if (from..as_of).contains(&d) {
            if let Some(n) = orders.get_mut(m as usize) {
                *n = n.saturating_add(1);
            }
        }
    }
    (0..members as u32).filter(|&m| orders[m as usize] >= rules.vip_min_orders).collect()
}

/// The VIP groups of every store: the `vips` split by home store (`home`,
/// by member index) like base groups. A VIP without a home store is left out.
pub fn vip_groups(home: &[Option<u32>], vips: &[u32], rules: &CommunityRules) -> Vec<Group> {
    let pairs = vips.iter().filter_map(|&m| home.get(m as usize).copied().flatten().map(|s| (s, m))).collect();
    split(pairs, GroupKind::Vip, rules)
}

/// The monthly VIP review: who stays, who joins and who leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VipReview<T> {
    /// On both lists.
    pub stays: Vec<T>,
    /// On this month's list only: invite to the VIP group.
    pub joins: Vec<T>,
    /// On last month's list only: move out of the VIP group (淘汰).
    pub leaves: Vec<T>,
}

/// Compare last month's VIP list with this month's. Works on member indices
/// or on member ids (a list saved from last month); each output list is
/// sorted and without repeats.
pub fn vip_review<T: Ord + Clone>(last: &[T], this: &[T]) -> VipReview<T> {
    let sorted = |list: &[T]| {
        let mut v = list.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (last, this) = (sorted(last), sorted(this));
    let mut review = VipReview { stays: Vec::new(), joins: Vec::new(), leaves: Vec::new() };
    let (mut i, mut j) = (0, 0);
    while i < last.len() || j < this.len() {
        match (last.get(i), this.get(j)) {
            (Some(a), Some(b)) if a == b => {
                review.stays.push(a.clone());
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                review.leaves.push(a.clone());
                i += 1;
            }
            (Some(a), None) => {
                review.leaves.push(a.clone());
                i += 1;
            }
            (_, Some(b)) => {
                review.joins.push(b.clone());
                j += 1;
            }
            (None, None) => break,
        }
    }
    review
}

/// The same day a month earlier (31 March → 28 or 29 February): the
/// analysis date of last month's VIP list.
pub fn month_before(day: Day) -> Day {
    date_of(day).checked_sub_months(Months::new(1)).map_or(day - 30, day_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn groups_split_at_400_balanced() {
        assert_eq!(group_sizes(400, 400), vec![400]);
        assert_eq!(group_sizes(401, 400), vec![201, 200]);
        assert_eq!(group_sizes(800, 400), vec![400, 400]);
        assert_eq!(group_sizes(801, 400), vec![267, 267, 267]);
        assert_eq!(group_sizes(1000, 400), vec![334, 333, 333]);
        assert_eq!(group_sizes(1, 400), vec![1]);
        assert_eq!(group_sizes(0, 400), Vec::<usize>::new());
        assert_eq!(group_sizes(7, 3), vec![3, 2, 2]);
    }

    #[test]
    fn base_groups_per_store() {
        let rules = CommunityRules::default();
        // Store 1: members 0–400 (401 members); store 2: members 401–800 (400); member 801 never bought.
        let mut home = vec![Some(1); 401];
        home.extend(vec![Some(2); 400]);
        home.push(None);
        let groups = base_groups(&home, &rules);
        let shape: Vec<_> = groups.iter().map(|g| (g.kind, g.store, g.number, g.members.len())).collect();
        assert_eq!(
            shape,
            vec![(GroupKind::Base, 1, 1, 201), (GroupKind::Base, 1, 2, 200), (GroupKind::Base, 2, 1, 400)]
        );
        // Members fill the groups in index order.
        assert_eq!((groups[0].members[0], groups[0].members[200]), (0, 200));
        assert_eq!((groups[1].members[0], groups[1].members[199]), (201, 400));
        assert_eq!(groups[2].members[0], 401);
        // The size is a rule: with 3, store 1's members 0, 2, 4, 5 make 2 + 2.
        let small = CommunityRules { group_size: 3, ..rules };
        let home = [Some(1), Some(2), Some(1), None, Some(1), Some(1)];
        let g = base_groups(&home, &small);
        assert_eq!(g.iter().map(|g| g.members.clone()).collect::<Vec<_>>(), vec![vec![0, 2], vec![4, 5], vec![1]]);
    }

    #[test]
    fn home_store_by_most_purchases_then_latest() {
        // (member, store, day)
        let rows = [
            (0, 1, 1),
            (0, 2, 9),
            (0, 1, 2), // member 0: store 1 twice, store 2 once (later) → 1
            (1, 1, 3),
            (1, 2, 5), // member 1: one each → store 2, bought there last
            (2, 0, 1),
            (2, 0, 2),
            (2, 0, 3),
            (2, 3, 4), // member 2: three without a store, one at store 3 → 3
            (3, 0, 8), // member 3: only without a store → 0
            (5, 2, 7),
            (5, 1, 7), // member 5: tie on count and day → the lower index, 1
            (9, 1, 1), // out of range: ignored
        ];
        assert_eq!(home_stores(6, rows.iter().copied()), vec![Some(1), Some(2), Some(3), Some(0), None, Some(1)]);
        // The latest purchase decides only between tied stores: member 0 bought at store 2 last
        // but more often at store 1.
        assert_eq!(home_stores(1, [(0, 1, 1), (0, 1, 2), (0, 2, 9)].into_iter()), vec![Some(1)]);
    }

    /// The first implementation: one sort of every (member, store, day).
    fn home_stores_by_one_sort(members: usize, rows: &[(u32, u32, Day)]) -> Vec<Option<u32>> {
        let mut rows: Vec<(u32, u32, Day)> = rows.iter().copied().filter(|r| (r.0 as usize) < members).collect();
        rows.sort_unstable();
        let mut home = vec![None; members];
        for m in 0..members as u32 {
            let mine: Vec<(u32, Day)> = rows.iter().filter(|r| r.0 == m).map(|r| (r.1, r.2)).collect();
            let named = mine.iter().any(|r| r.0 != 0);
            let mut best: Option<(usize, Day, u32)> = None;
            for (j, &(s, _)) in mine.iter().enumerate() {
                if (j > 0 && mine[j - 1].0 == s) || (named && s == 0) {
                    continue;
                }
                let run: Vec<&(u32, Day)> = mine[j..].iter().take_while(|r| r.0 == s).collect();
                let key = (run.len(), run[run.len() - 1].1);
                if best.is_none_or(|(n, d, _)| key > (n, d)) {
                    best = Some((key.0, key.1, s));
                }
            }
            home[m as usize] = best.map(|b| b.2);
        }
        home
    }

    proptest::proptest! {
        /// Grouping by member first gives the home stores of one global sort.
        #[test]
        fn home_stores_grouped_match_one_sort(rows in proptest::collection::vec((0u32..12, 0u32..4, 0i32..15), 0..300)) {
            proptest::prop_assert_eq!(home_stores(10, rows.iter().copied()), home_stores_by_one_sort(10, &rows));
        }

        /// The same past the packed keys' range: many stores, days far apart, or both.
        #[test]
        fn home_stores_unpacked_match_one_sort(
            rows in proptest::collection::vec((0u32..12, 0u32..4, 0i32..15), 1..200),
            wide in proptest::sample::select(vec![(1u32, 1i32), (40_000, 1), (1, 9_000), (70_000, 1), (1, -9_000)]),
        ) {
            let rows: Vec<_> = rows.iter().map(|&(m, s, d)| (m, s * wide.0, d * wide.1)).collect();
            proptest::prop_assert_eq!(home_stores(10, rows.iter().copied()), home_stores_by_one_sort(10, &rows));
        }
    }

    #[test]
    fn vips_by_orders_in_the_window() {
        let rules = CommunityRules::default();
        let as_of = 100;
        let mut member = Vec::new();
        let mut day = Vec::new();
        let mut buy = |m: u32, days: &[Day]| {
            member.extend(std::iter::repeat_n(m, days.len()));
            day.extend_from_slice(days);
        };
        // Member 0: 8 purchases from day 70 (= as_of − 30, the first day in the window): VIP.
        buy(0, &[70, 71, 72, 73, 74, 75, 76, 77]);
        // Member 1: 7 in the window and one on day 69: not a VIP.
        buy(1, &[69, 80, 81, 82, 83, 84, 85, 86]);
        // Member 2: 7 in the window and one on the analysis date (not yet happened): not a VIP.
        buy(2, &[90, 91, 92, 93, 94, 95, 96, 100]);
        // Member 3: 8 orders on one day: VIP (orders, not days).
        buy(3, &[99; 8]);
        let vips = vip_members(5, member.iter().copied().zip(day.iter().copied()), as_of, &rules);
        assert_eq!(vips, vec![0, 3]);
        // The thresholds are rules.
        let loose = CommunityRules { vip_min_orders: 7, vip_window_days: 31, ..rules.clone() };
        assert_eq!(vip_members(5, member.iter().copied().zip(day.iter().copied()), as_of, &loose), vec![0, 1, 2, 3]);
        // VIP groups follow the home stores.
        let home = [Some(2), Some(1), Some(1), Some(1), None];
        let g = vip_groups(&home, &[0, 1, 2, 3, 4], &CommunityRules { group_size: 2, ..rules });
        let shape: Vec<_> = g.iter().map(|g| (g.kind, g.store, g.number, g.members.clone())).collect();
        assert_eq!(
            shape,
            vec![(GroupKind::Vip, 1, 1, vec![1, 2]), (GroupKind::Vip, 1, 2, vec![3]), (GroupKind::Vip, 2, 1, vec![0]),]
        );
    }

    #[test]
    fn monthly_review_lists_stays_joins_leaves() {
        let r = vip_review(&[3, 1, 5, 5], &[5, 7, 1]);
        assert_eq!(r, VipReview { stays: vec![1, 5], joins: vec![7], leaves: vec![3] });
        // On member ids saved from last month.
        let r = vip_review(&["M9", "M2"], &["M2", "M4"]);
        assert_eq!((r.stays, r.joins, r.leaves), (vec!["M2"], vec!["M4"], vec!["M9"]));
        let r = vip_review::<u32>(&[], &[]);
        assert!(r.stays.is_empty() && r.joins.is_empty() && r.leaves.is_empty());
        assert_eq!(serde_json::to_string(&vip_review(&[1], &[2])).unwrap(), r#"{"stays":[],"joins":[2],"leaves":[1]}"#);
    }

    #[test]
    fn month_before_clamps_to_the_month_end() {
        assert_eq!(month_before(date(2026, 3, 15)), date(2026, 2, 15));
        assert_eq!(month_before(date(2026, 3, 31)), date(2026, 2, 28));
        assert_eq!(month_before(date(2024, 3, 31)), date(2024, 2, 29));
        assert_eq!(month_before(date(2026, 1, 10)), date(2025, 12, 10));
    }

    #[test]
    fn rules_defaults_and_validation() {
        let rules: CommunityRules = serde_json::from_str("{}").unwrap();
        assert_eq!(rules, CommunityRules { group_size: 400, vip_min_orders: 8, vip_window_days: 30 });
        assert!(serde_json::from_str::<CommunityRules>(r#"{"groupsize": 400}"#).is_err());
        let e = CommunityRules { group_size: 0, ..rules.clone() }.validate().unwrap_err();
        assert_eq!(e.field(), Some("community.groupSize"));
        let e = CommunityRules { vip_window_days: 0, ..rules.clone() }.validate().unwrap_err();
        assert_eq!(e.field(), Some("community.vipWindowDays"));
        assert!(rules.validate().is_ok());
    }
}
