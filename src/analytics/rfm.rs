//! RFM (seed 003, DOMAIN §3): recency, frequency and monetary value over the
//! window, scored 1–5 by quintiles or by the store's thresholds, and the
//! eight classic classes from comparing each measure with the mean.

use crate::model::Fen;
use crate::rules::{Scoring, Thresholds};
use serde::Serialize;

/// A member's R, F, M over the window, with scores and class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfm {
    /// Whole days from the last purchase to the analysis date (the day before gives 1).
    pub r: u32,
    /// Purchases in the window.
    pub f: u32,
    /// Amount paid in the window, net of refunds, in fen.
    pub m: Fen,
    /// Largest single order in the window (最大单笔消费), in fen.
    pub max_order: Fen,
    /// Scores 1–5 (5 = most recent / most frequent / highest spend).
    pub scores: [u8; 3],
    /// The eight-way class.
    pub class: RfmClass,
}

impl Rfm {
    /// Average order value (客单价) M/F in fen, rounded half up.
    pub fn aov(&self) -> Fen {
        if self.f == 0 { 0 } else { div_round(self.m, i64::from(self.f)) }
    }
}

/// Integer division rounded half away from zero.
pub fn div_round(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    let (q, r) = (a / b, a % b);
    if 2 * r.abs() >= b.abs() { q + a.signum() * b.signum() } else { q }
}

/// The eight RFM classes (DOMAIN §3 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmClass {
    /// 重要价值客户: R H, F H, M H.
    ImportantValue,
    /// 重要发展客户: R H, F L, M H.
    ImportantDevelop,
    /// 重要保持客户: R L, F H, M H.
    ImportantKeep,
    /// 重要挽留客户: R L, F L, M H.
    ImportantWinBack,
    /// 一般价值客户: R H, F H, M L.
    GeneralValue,
    /// 一般发展客户: R H, F L, M L.
    GeneralDevelop,
    /// 一般保持客户: R L, F H, M L.
    GeneralKeep,
    /// 一般挽留客户: R L, F L, M L.
    GeneralWinBack,
}

impl RfmClass {
    /// All classes in the table's order.
    pub const ALL: [RfmClass; 8] = [
        RfmClass::ImportantValue,
        RfmClass::ImportantDevelop,
        RfmClass::ImportantKeep,
        RfmClass::ImportantWinBack,
        RfmClass::GeneralValue,
        RfmClass::GeneralDevelop,
        RfmClass::GeneralKeep,
        RfmClass::GeneralWinBack,
    ];

    /// The class of high/low R (recent = high), F and M.
    pub fn of(r_high: bool, f_high: bool, m_high: bool) -> RfmClass {
        use RfmClass::*;
        match (m_high, r_high, f_high) {
            (true, true, true) => ImportantValue,
            (true, true, false) => ImportantDevelop,
            (true, false, true) => ImportantKeep,
            (true, false, false) => ImportantWinBack,
            (false, true, true) => GeneralValue,
            (false, true, false) => GeneralDevelop,
            (false, false, true) => GeneralKeep,
            (false, false, false) => GeneralWinBack,
        }
    }

    /// Stable key (`important_value`, …).
    pub fn key(self) -> &'static str {
        self.labels().0
    }

    /// (key, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        use RfmClass::*;
        match self {
            ImportantValue => ("important_value", "重要价值客户", "Important value"),
            ImportantDevelop => ("important_develop", "重要发展客户", "Important to develop"),
            ImportantKeep => ("important_keep", "重要保持客户", "Important to keep"),
            ImportantWinBack => ("important_win_back", "重要挽留客户", "Important to win back"),
            GeneralValue => ("general_value", "一般价值客户", "General value"),
            GeneralDevelop => ("general_develop", "一般发展客户", "General to develop"),
            GeneralKeep => ("general_keep", "一般保持客户", "General to keep"),
            GeneralWinBack => ("general_win_back", "一般挽留客户", "General to win back"),
        }
    }

    /// Parse a key.
    pub fn parse(key: &str) -> Option<RfmClass> {
        RfmClass::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// Measures of members, in member order.
#[derive(Debug, Default)]
pub struct Measures {
    /// Recency in days.
    pub r: Vec<u32>,
    /// Frequency: 0 for a member who did not buy in the window, who is not scored.
    pub f: Vec<u32>,
    /// Monetary value in fen.
    pub m: Vec<Fen>,
}

/// Scores of each member: `[r, f, m]`; `[0, 0, 0]` for a member with F = 0,
/// who does not count in the quintiles either.
pub fn score(measures: &Measures, scoring: Scoring, thresholds: &Thresholds) -> Vec<[u8; 3]> {
    let mut scores = vec![[0; 3]; measures.f.len()];
    let scored = |i: &usize| measures.f[*i] > 0;
    match scoring {
        Scoring::Quintile => {
            // Recent is high: count the members with a larger R.
            quintiles(
                &measures.r,
                &measures.f,
                |x, sorted| sorted.len() - sorted.partition_point(|&y| y <= x),
                |i, s| scores[i][0] = s,
            );
            quintiles(
                &measures.f,
                &measures.f,
                |x, sorted| sorted.partition_point(|&y| y < x),
                |i, s| scores[i][1] = s,
            );
            quintiles(
                &measures.m,
                &measures.f,
                |x, sorted| sorted.partition_point(|&y| y < x),
                |i, s| scores[i][2] = s,
            );
        }
        Scoring::Thresholds => {
            for i in (0..scores.len()).filter(scored) {
                let r = 5 - thresholds.r.iter().filter(|&&t| measures.r[i] > t).count() as u8;
                let f = 1 + thresholds.f.iter().filter(|&&t| measures.f[i] >= t).count() as u8;
                let m = 1 + thresholds.m.iter().filter(|t| measures.m[i] >= t.0).count() as u8;
                scores[i] = [r, f, m];
            }
        }
    }
    scores
}

/// `put(i, score)` the quintile score of each value of a member with F > 0:
/// `quintile(below(value, sorted), n)`, `sorted` holding the `n` values of
/// those members in order. One measure at a time, so that one sorted copy
/// is alive at once (wasm memory never shrinks: the peak is what counts),
/// made at its size rather than grown by doubling.
fn quintiles<T: Ord + Copy>(values: &[T], f: &[u32], below: impl Fn(T, &[T]) -> usize, mut put: impl FnMut(usize, u8)) {
    let mut sorted = Vec::with_capacity(f.iter().filter(|&&f| f > 0).count());
    sorted.extend(values.iter().zip(f).filter(|&(_, &f)| f > 0).map(|(&x, _)| x));
    sorted.sort_unstable();
    for (i, &x) in values.iter().enumerate().filter(|&(i, _)| f[i] > 0) {
        put(i, quintile(below(x, &sorted), sorted.len()));
    }
}

/// `1 + floor(5 * k / n)`: equal values always share a score.
fn quintile(k: usize, n: usize) -> u8 {
    (5 * k).checked_div(n).map_or(1, |q| 1 + q as u8)
}

/// High/low of each measure against the mean, exactly (no float): F and M
/// are high at or above their mean, R (days) at or below its mean.
pub fn classes(measures: &Measures) -> Vec<RfmClass> {
    let n = measures.r.len() as i128;
    let sum_r: i128 = measures.r.iter().map(|&x| i128::from(x)).sum();
    let sum_f: i128 = measures.f.iter().map(|&x| i128::from(x)).sum();
    let sum_m: i128 = measures.m.iter().map(|&x| i128::from(x)).sum();
    (0..measures.r.len())
        .map(|i| {
            let r_high = i128::from(measures.r[i]) * n <= sum_r;
            let f_high = i128::from(measures.f[i]) * n >= sum_f;
            let m_high = i128::from(measures.m[i]) * n >= sum_m;
            RfmClass::of(r_high, f_high, m_high)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Yuan;

    fn measures(r: &[u32], f: &[u32], m: &[Fen]) -> Measures {
        Measures { r: r.to_vec(), f: f.to_vec(), m: m.to_vec() }
    }

    #[test]
    fn equal_values_get_equal_scores() {
        // 6 of 10 bought once: all F = 1; the next score used is 4.
        let f = [1, 1, 1, 1, 1, 1, 2, 2, 3, 9];
        let s = score(&measures(&[1; 10], &f, &[100; 10]), Scoring::Quintile, &Thresholds::default());
        let fs: Vec<u8> = s.iter().map(|x| x[1]).collect();
        assert_eq!(fs, vec![1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
        // All R equal: nobody has a larger R, so all score 1; all M equal: 1.
        assert!(s.iter().all(|x| x[0] == 1 && x[2] == 1));
    }

    #[test]
    fn quintiles_follow_the_formula() {
        // R = days: smallest R is the most recent and scores highest.
        let r = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let s = score(&measures(&r, &[1; 10], &[1; 10]), Scoring::Quintile, &Thresholds::default());
        let rs: Vec<u8> = s.iter().map(|x| x[0]).collect();
        assert_eq!(rs, vec![5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
        let m = [500, 100, 300, 200, 400];
        let s = score(&measures(&[1; 5], &[1; 5], &m), Scoring::Quintile, &Thresholds::default());
        assert_eq!(s.iter().map(|x| x[2]).collect::<Vec<_>>(), vec![5, 1, 3, 2, 4]);
    }

    #[test]
    fn thresholds_cut_at_their_bounds() {
        let t = Thresholds { r: [7, 30, 60, 90], f: [2, 3, 5, 8], m: [Yuan(100), Yuan(200), Yuan(300), Yuan(400)] };
        let s = score(&measures(&[7, 8, 90, 91], &[1, 2, 8, 100], &[99, 100, 400, 0]), Scoring::Thresholds, &t);
        assert_eq!(s, vec![[5, 1, 1], [4, 2, 2], [2, 5, 5], [1, 5, 1]]);
    }

    #[test]
    fn members_without_a_purchase_are_not_scored() {
        let with = measures(&[3, 0, 9, 1, 0], &[1, 0, 4, 2, 0], &[50, 0, 10, 70, 0]);
        let without = measures(&[3, 9, 1], &[1, 4, 2], &[50, 10, 70]);
        for scoring in [Scoring::Quintile, Scoring::Thresholds] {
            let (all, scored) =
                (score(&with, scoring, &Thresholds::default()), score(&without, scoring, &Thresholds::default()));
            assert_eq!(all, [scored[0], [0; 3], scored[1], scored[2], [0; 3]]);
        }
    }

    #[test]
    fn classes_compare_with_the_mean_exactly() {
        // Means: R 20, F 2, M 300. Member 0 sits exactly on every mean: all high.
        let m = measures(&[20, 10, 30], &[2, 3, 1], &[300, 100, 500]);
        assert_eq!(classes(&m), vec![RfmClass::ImportantValue, RfmClass::GeneralValue, RfmClass::ImportantWinBack]);
    }

    #[test]
    fn rounding() {
        assert_eq!(div_round(10, 4), 3);
        assert_eq!(div_round(9, 4), 2);
        assert_eq!(div_round(-10, 4), -3);
        assert_eq!(div_round(1, 0), 0);
    }
}
