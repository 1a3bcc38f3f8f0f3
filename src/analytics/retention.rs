//! Retention of new members (新客留存, seed 001; DOMAIN §12): seed 001 holds the
//! 7-day retention of new members to be the most telling number, and asks
//! that a new member complete an order within those 7 days. Also the
//! repurchase rate (复购率) over a window.
//!
//! - **Start.** A member starts on the day of their first purchase, or on
//!   their registration day when it is given and earlier (a member who
//!   registers and comes back to buy later starts when they joined). A
//!   registration after the first purchase (bought as a guest, joined later)
//!   does not move the start.
//! - **Retained.** A member is retained when they buy on a *later* day than
//!   the start, at most `retentionDays` (default 7) after it: a purchase
//!   exactly 7 days later counts, 8 days later does not, a second order on
//!   the start day does not. So a member who registered on Monday and first
//!   bought on Wednesday is retained (the order seed 001 asks for), while a
//!   member who registered at the till and bought at once needs a second
//!   visit.
//! - **Pending.** Data runs to the day before the analysis date. A member
//!   whose window has not ended by then and who has not come back yet is
//!   pending, neither retained nor lost.
//! - **Cohorts.** A member's cohort is the ISO week (Monday to Sunday) of
//!   their start. The last `cohortWeeks` weeks (default 12, ending with the
//!   week of the last day with data) are reported, empty weeks included. A
//!   cohort is complete when the window of a member starting on its Sunday
//!   has ended; the rate of an incomplete cohort is the rate so far.
//!
//! Only purchases (paid orders) and registrations before the analysis date
//! count; later ones are ignored. Purchases are given per member as day
//! numbers in any order, one entry per purchase, grouped by member: member
//! `i`'s purchases are `days[starts[i]..starts[i + 1]]`. Ranges that do not
//! fit the slice read as no purchases: nothing panics.

use crate::error::{Error, Result};
use crate::model::{Day, date_of, format_day};
use chrono::Datelike;
use serde::{Deserialize, Serialize, Serializer};

/// Retention settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RetentionRules {
    /// A new member is retained on buying again at most this many days after the start (default 7).
    pub retention_days: u32,
    /// Weekly cohorts reported, ending with the week of the last day with data (default 12).
    pub cohort_weeks: u32,
}

impl Default for RetentionRules {
    fn default() -> Self {
        RetentionRules { retention_days: 7, cohort_weeks: 12 }
    }
}

impl RetentionRules {
    /// Check the ranges serde cannot; errors name the field under `retention`.
    pub fn validate(&self) -> Result<()> {
        if !(1..=366).contains(&self.retention_days) {
            return Err(Error::invalid_rules("retention.retentionDays", "must be between 1 and 366 days"));
        }
        if !(1..=520).contains(&self.cohort_weeks) {
            return Err(Error::invalid_rules("retention.cohortWeeks", "must be between 1 and 520 weeks"));
        }
        Ok(())
    }
}

/// Whether a new member came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    /// Bought again within the window.
    Retained,
    /// The window has ended without a purchase.
    NotRetained,
    /// The window is still open and no purchase has come yet.
    Pending,
}

/// A member's start and whether they came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMember {
    /// First purchase, or registration when earlier.
    #[serde(serialize_with = "ser_day")]
    pub start: Day,
    /// Monday of the start's ISO week (the cohort).
    #[serde(serialize_with = "ser_day")]
    pub week_start: Day,
    /// The first purchase on a later day than the start, within the window.
    #[serde(serialize_with = "ser_opt_day")]
    pub returned: Option<Day>,
    /// Retained, not retained or pending.
    pub retention: Retention,
}

/// The Monday of the ISO week of a day.
pub fn week_start(day: Day) -> Day {
    day - date_of(day).weekday().num_days_from_monday() as Day
}

/// ISO week of a day, e.g. `2026-W10`.
pub fn iso_week(day: Day) -> String {
    let w = date_of(day).iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// The start and retention of a member registered on `registered` with
/// purchases on `purchases` (any order), as of `as_of`; `None` for a member
/// with neither a purchase nor a registration before `as_of`.
pub fn new_member(registered: Option<Day>, purchases: &[Day], as_of: Day, rules: &RetentionRules) -> Option<NewMember> {
    let first = purchases.iter().copied().filter(|&d| d < as_of).min();
    let registered = registered.filter(|&r| r < as_of);
    let start = match (first, registered) {
        (Some(f), Some(r)) => f.min(r),
        (f, r) => f.or(r)?,
    };
    let end = start + rules.retention_days as Day;
    let returned = purchases.iter().copied().filter(|&d| d > start && d <= end && d < as_of).min();
    let retention = match returned {
        Some(_) => Retention::Retained,
        None if end >= as_of => Retention::Pending,
        None => Retention::NotRetained,
    };
    Some(NewMember { start, week_start: week_start(start), returned, retention })
}

/// One weekly cohort of new members.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cohort {
    /// Monday of the week.
    #[serde(serialize_with = "ser_day")]
    pub week_start: Day,
    /// ISO week, e.g. `2026-W10`.
    pub week: String,
    /// Members who started that week.
    pub members: u64,
    /// Of them, retained.
    pub retained: u64,
    /// Of them, still pending.
    pub pending: u64,
    /// Retained / members (0 for an empty week); for an incomplete cohort, the rate so far.
    pub rate: f64,
    /// True when every member's window has ended by the analysis date.
    pub complete: bool,
}

/// Member `i`'s purchases: `days[starts[i]..starts[i + 1]]`, or none when out of range.
fn member_days<'a>(days: &'a [Day], starts: &[usize], i: usize) -> &'a [Day] {
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&a), Some(&b)) => days.get(a..b).unwrap_or(&[]),
        _ => &[],
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b > 0 { a as f64 / b as f64 } else { 0.0 }
}

/// The weekly cohorts of the last `cohortWeeks` weeks before `as_of`,
/// oldest first, from each member's registration (`registered`, by member
/// index; shorter than the members means unknown) and purchases (`days`
/// grouped by `starts`, see the module docs).
pub fn cohorts(
    registered: &[Option<Day>],
    days: &[Day],
    starts: &[usize],
    as_of: Day,
    rules: &RetentionRules,
) -> Vec<Cohort> {
    let last = week_start(as_of - 1);
    let weeks = rules.cohort_weeks.max(1) as usize;
    let first = last - 7 * (weeks as Day - 1);
    let mut out: Vec<Cohort> = (0..weeks)
        .map(|k| {
            let week_start = first + 7 * k as Day;
            Cohort {
                week_start,
                week: iso_week(week_start),
                members: 0,
                retained: 0,
                pending: 0,
                rate: 0.0,
                // A member starting on the Sunday is known by the day before `as_of`.
                complete: week_start + 6 + (rules.retention_days as Day) < as_of,
            }
        })
        .collect();
    let n = registered.len().max(starts.len().saturating_sub(1));
    for i in 0..n {
        let reg = registered.get(i).copied().flatten();
        let Some(m) = new_member(reg, member_days(days, starts, i), as_of, rules) else {
            continue;
        };
        if m.week_start < first {
            continue;
        }
        let Some(c) = out.get_mut(((m.week_start - first) / 7) as usize) else {
            continue;
        };
        c.members += 1;
        match m.retention {
            Retention::Retained => c.retained += 1,
            Retention::Pending => c.pending += 1,
            Retention::NotRetained => {}
        }
    }
    for c in &mut out {
        c.rate = ratio(c.retained, c.members);
    }
    out
}

/// The repurchase rate over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Repurchase {
    /// Members with a purchase in the window.
    pub buyers: u64,
    /// Of them, members with two or more purchases in it.
    pub repeat_buyers: u64,
    /// Repeat buyers / buyers (0 without buyers).
    pub rate: f64,
}

/// The repurchase rate over `from <= day < to`: the share of the members
/// who bought in the window who bought at least twice in it. Purchases, not
/// days, as in the store summary (`repurchaseRate` over the RFM window is
/// this rate): two orders on one day are a repurchase.
pub fn repurchase(days: &[Day], starts: &[usize], from: Day, to: Day) -> Repurchase {
    let (mut buyers, mut repeat_buyers) = (0u64, 0u64);
    for i in 0..starts.len().saturating_sub(1) {
        let k = member_days(days, starts, i).iter().filter(|&&d| from <= d && d < to).take(2).count();
        buyers += u64::from(k >= 1);
        repeat_buyers += u64::from(k >= 2);
    }
    Repurchase { buyers, repeat_buyers, rate: ratio(repeat_buyers, buyers) }
}

fn ser_day<S: Serializer>(day: &Day, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_day(*day))
}

fn ser_opt_day<S: Serializer>(day: &Option<Day>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match day {
        Some(d) => s.serialize_some(&format_day(*d)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::day_of;
    use chrono::NaiveDate;

    fn mar(d: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(2026, 3, d).unwrap())
    }

    fn feb(d: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(2026, 2, d).unwrap())
    }

    /// Purchases grouped by member, as (days, starts).
    fn grouped(members: &[&[Day]]) -> (Vec<Day>, Vec<usize>) {
        let mut days = Vec::new();
        let mut starts = vec![0];
        for m in members {
            days.extend_from_slice(m);
            starts.push(days.len());
        }
        (days, starts)
    }

    // 2026-03-02, 09, 16, 23 and 30 are Mondays; the analysis date is Monday
    // 30 March, so the data runs to Sunday 29 March.
    const RULES: RetentionRules = RetentionRules { retention_days: 7, cohort_weeks: 12 };

    fn at(registered: Option<Day>, purchases: &[Day]) -> Option<NewMember> {
        new_member(registered, purchases, mar(30), &RULES)
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(mar(2)), mar(2));
        assert_eq!(week_start(mar(8)), mar(2));
        assert_eq!(week_start(mar(9)), mar(9));
        assert_eq!(iso_week(mar(2)), "2026-W10");
        // 1 January 2026 is a Thursday: its ISO week starts on 29 December 2025, week 1 of 2026.
        let jan1 = day_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(format_day(week_start(jan1)), "2025-12-29");
        assert_eq!(iso_week(jan1), "2026-W01");
    }

    #[test]
    fn exactly_seven_days_is_retained() {
        let m = at(None, &[mar(2), mar(9)]).unwrap();
        assert_eq!((m.start, m.returned, m.retention), (mar(2), Some(mar(9)), Retention::Retained));
        // Eight days: not retained.
        assert_eq!(at(None, &[mar(3), mar(11)]).unwrap().retention, Retention::NotRetained);
        // A second order on the same day is not a return.
        assert_eq!(at(None, &[mar(4), mar(4)]).unwrap().retention, Retention::NotRetained);
        // Order of the purchases does not matter; the first return is reported.
        assert_eq!(at(None, &[mar(8), mar(3), mar(6)]).unwrap().returned, Some(mar(6)));
        // The window is a rule.
        let three = RetentionRules { retention_days: 3, ..RULES };
        assert_eq!(new_member(None, &[mar(2), mar(6)], mar(30), &three).unwrap().retention, Retention::NotRetained);
    }

    #[test]
    fn registration_moves_the_start_only_when_earlier() {
        // Registered Sunday 8 March, first bought Tuesday the 10th: starts on the 8th
        // (cohort of 2 March) and is retained by the first purchase.
        let m = at(Some(mar(8)), &[mar(10)]).unwrap();
        assert_eq!((m.start, m.week_start, m.retention), (mar(8), mar(2), Retention::Retained));
        // Registered at the till on the day of the first purchase: a second visit is needed.
        assert_eq!(at(Some(mar(12)), &[mar(12), mar(20)]).unwrap().retention, Retention::NotRetained);
        // Bought on the 10th as a guest, registered on the 20th: the purchase is the start.
        let m = at(Some(mar(20)), &[mar(10), mar(17)]).unwrap();
        assert_eq!((m.start, m.week_start, m.retention), (mar(10), mar(9), Retention::Retained));
        // Registered, never bought, window over: not retained.
        assert_eq!(at(Some(mar(2)), &[]).unwrap().retention, Retention::NotRetained);
    }

    #[test]
    fn open_windows_are_pending() {
        // Started Sunday 22 March: the window (23–29 March) ends on the last day with data.
        assert_eq!(at(None, &[mar(22)]).unwrap().retention, Retention::NotRetained);
        // One day earlier as of, the 29th is not known yet: pending.
        assert_eq!(new_member(None, &[mar(22)], mar(29), &RULES).unwrap().retention, Retention::Pending);
        // Registered on the 25th without a purchase: pending; a return already seen is final.
        assert_eq!(at(Some(mar(25)), &[]).unwrap().retention, Retention::Pending);
        assert_eq!(at(None, &[mar(24), mar(26)]).unwrap().retention, Retention::Retained);
        // Records on or after the analysis date do not exist yet.
        assert_eq!(at(Some(mar(31)), &[mar(30)]), None);
        assert_eq!(at(None, &[mar(25), mar(30)]).unwrap().returned, None);
        assert_eq!(at(None, &[]), None);
    }

    #[test]
    fn weekly_cohorts() {
        let members: [&[Day]; 11] = [
            &[mar(2), mar(9)],   // A: week of 2 March, retained (exactly 7 days)
            &[mar(3), mar(11)],  // B: 2 March, not retained (8 days)
            &[mar(4), mar(4)],   // C: 2 March, not retained (same day)
            &[mar(10)],          // D: registered 8 March → 2 March, retained
            &[mar(12), mar(20)], // E: registered 12 March → 9 March, not retained
            &[mar(10), mar(17)], // F: registered 20 March, start 10 March → 9 March, retained
            &[],                 // G: registered 25 March → 23 March, pending
            &[mar(22)],          // H: 16 March, not retained (window ends 29 March)
            &[mar(24), mar(26)], // I: 23 March, retained
            &[mar(30)],          // J: registered 1 April: not a member yet
            &[feb(20), feb(21)], // K: 16 February, retained
        ];
        let mut registered = vec![None; 11];
        registered[3] = Some(mar(8));
        registered[4] = Some(mar(12));
        registered[5] = Some(mar(20));
        registered[6] = Some(mar(25));
        registered[9] = Some(day_of(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()));
        let (days, starts) = grouped(&members);
        let four = RetentionRules { cohort_weeks: 4, ..RULES };
        let c = cohorts(&registered, &days, &starts, mar(30), &four);
        let rows: Vec<_> =
            c.iter().map(|c| (c.week_start, c.members, c.retained, c.pending, c.rate, c.complete)).collect();
        assert_eq!(
            rows,
            vec![
                (mar(2), 4, 2, 0, 0.5, true),
                (mar(9), 2, 1, 0, 0.5, true),
                // 16 March is complete: a member starting Sunday the 22nd is known by the 29th.
                (mar(16), 1, 0, 0, 0.0, true),
                (mar(23), 2, 1, 1, 0.5, false),
            ]
        );
        assert_eq!(c[0].week, "2026-W10");
        // Twelve weeks reach back to 5 January and take in K; empty weeks are listed.
        let c = cohorts(&registered, &days, &starts, mar(30), &RULES);
        assert_eq!(c.len(), 12);
        assert_eq!(format_day(c[0].week_start), "2026-01-05");
        let feb16 = c.iter().find(|c| c.week_start == feb(16)).unwrap();
        assert_eq!((feb16.members, feb16.retained, feb16.complete), (1, 1, true));
        assert_eq!(c.iter().map(|c| c.members).sum::<u64>(), 10);
        // As of the 29th, the week of 16 March is no longer complete (H is pending).
        let c = cohorts(&registered, &days, &starts, mar(29), &four);
        assert_eq!((c[2].pending, c[2].complete), (1, false));
    }

    #[test]
    fn cohorts_tolerate_ragged_input() {
        // More registrations than purchase groups, and a range past the end of `days`.
        let c = cohorts(&[None, Some(mar(24))], &[mar(23)], &[0, 5], mar(30), &RULES);
        let last = c.last().unwrap();
        assert_eq!((last.members, last.pending), (1, 1));
        assert!(cohorts(&[], &[], &[], mar(30), &RULES).iter().all(|c| c.members == 0 && c.rate == 0.0));
    }

    #[test]
    fn repurchase_rate_over_a_window() {
        let (days, starts) =
            grouped(&[&[mar(2), mar(9)], &[mar(3), mar(11)], &[mar(4), mar(4)], &[mar(12), mar(20)], &[mar(22)]]);
        // 2–8 March: three buyers, one with two orders (on one day).
        assert_eq!(
            repurchase(&days, &starts, mar(2), mar(9)),
            Repurchase { buyers: 3, repeat_buyers: 1, rate: 1.0 / 3.0 }
        );
        // 9–22 March: four buyers; only the fourth member bought twice (the 9th is in, the 23rd would be out).
        assert_eq!(repurchase(&days, &starts, mar(9), mar(23)), Repurchase { buyers: 4, repeat_buyers: 1, rate: 0.25 });
        assert_eq!(repurchase(&days, &starts, mar(23), mar(30)).rate, 0.0);
    }

    #[test]
    fn serialized_days_are_dates() {
        let m = at(Some(mar(8)), &[mar(10)]).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"start":"2026-03-08","weekStart":"2026-03-02","returned":"2026-03-10","retention":"retained"}"#
        );
    }

    #[test]
    fn rules_defaults_and_validation() {
        let rules: RetentionRules = serde_json::from_str("{}").unwrap();
        assert_eq!(rules, RULES);
        assert!(serde_json::from_str::<RetentionRules>(r#"{"days": 7}"#).is_err());
        let e = RetentionRules { retention_days: 0, ..RULES }.validate().unwrap_err();
        assert_eq!(e.field(), Some("retention.retentionDays"));
        assert!(RULES.validate().is_ok());
    }
}
