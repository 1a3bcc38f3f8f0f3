//! From purchases to the per-customer summary statistics the models read:
//! frequency, recency, age (T) and average repeat spend, in an explicit time
//! unit over an explicit calibration period. Same-day purchases count once.

use super::FitError;
use crate::model::{Day, Fen};
use serde::{Deserialize, Serialize};

/// One purchase: who, which day, how much. Plain data, independent of the
/// crate's ingest (the caller maps its member indices and order days).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Purchase {
    /// Customer (member) index; any `u32`, need not be dense.
    pub customer: u32,
    /// Day number of the purchase (see [`crate::model::Day`]).
    pub day: Day,
    /// Amount paid, in fen.
    pub amount_fen: Fen,
}

/// The calibration period and the time unit (校准期与时间单位).
///
/// The period ends on `end_day`, **inclusive**: purchases on it count, and a
/// customer's age T runs from the first purchase day to it. (With the
/// crate's exclusive analysis date `as_of`, pass `end_day = as_of - 1`.)
/// There is no start: the model follows every customer from their first
/// purchase. Times are `days / days_per_unit` (7.0 for weeks, 1.0 for days).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Calibration {
    /// Last day of the calibration period, inclusive.
    pub end_day: Day,
    /// Days per time unit, > 0: 7.0 for weeks, 1.0 for days.
    pub days_per_unit: f64,
}

impl Calibration {
    /// Check the time unit.
    pub fn validate(&self) -> Result<(), FitError> {
        if self.days_per_unit.is_finite() && self.days_per_unit > 0.0 {
            Ok(())
        } else {
            Err(FitError::BadOptions {
                field: "daysPerUnit",
                message: format!("{} is not a positive number of days", self.days_per_unit),
            })
        }
    }

    /// A number of days in model time units.
    pub fn units(&self, days: f64) -> f64 {
        days / self.days_per_unit
    }
}

/// One customer over the calibration period, in the model's terms
/// (Fader, Hardie & Lee 2005's x, tₓ, T and Fader & Hardie 2013's mₓ).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Summary {
    /// Customer index, as in the purchases.
    pub customer: u32,
    /// x: repeat purchases = distinct purchase days − 1 (复购次数).
    pub frequency: u32,
    /// tₓ: time from the first to the last purchase day, in time units.
    pub recency: f64,
    /// T: time from the first purchase day to the end of calibration, in time units.
    pub t: f64,
    /// mₓ: mean spend per repeat purchase day in fen (the first day excluded,
    /// as in Fader & Hardie 2013); 0 when `frequency` is 0.
    pub monetary: f64,
    /// Total spend over all purchase days in calibration, first included, in fen.
    pub spend_fen: Fen,
}

impl Summary {
    /// A summary from its parts (`spend_fen` derived as if the first day
    /// cost `monetary` too), for callers that already have x, tₓ, T.
    pub fn new(customer: u32, frequency: u32, recency: f64, t: f64, monetary: f64) -> Summary {
        let spend = monetary * f64::from(frequency + 1);
        Summary { customer, frequency, recency, t, monetary, spend_fen: spend.round() as Fen }
    }

    /// Whether the values are possible: finite, 0 ≤ tₓ ≤ T, tₓ = 0 without
    /// repeat purchases, spend finite. The error names the customer.
    pub fn validate(&self) -> Result<(), FitError> {
        let bad = |message: String| Err(FitError::BadSummary { customer: self.customer, message });
        if !(self.t.is_finite() && self.t >= 0.0) {
            return bad(format!("age T = {} is not a non-negative number", self.t));
        }
        if !(self.recency.is_finite() && self.recency >= 0.0 && self.recency <= self.t * (1.0 + 1e-12)) {
            return bad(format!("recency {} is not within 0..=T ({})", self.recency, self.t));
        }
        if self.frequency == 0 && self.recency != 0.0 {
            return bad(format!("recency {} without repeat purchases", self.recency));
        }
        if !self.monetary.is_finite() {
            return bad("average spend is not a number".into());
        }
        Ok(())
    }
}

/// Build the summaries of every customer who bought on or before
/// `calibration.end_day`, sorted by customer index. Purchases after the end
/// are ignored (they are the holdout). Purchases on the same day by the same
/// customer merge into one purchase day whose amount is their sum.
/// Amounts may be net of refunds; the caller decides what is a purchase.
///
/// ```
/// use member_analytics::analytics::clv::{Calibration, Purchase, summaries};
/// let p = |customer, day, amount_fen| Purchase { customer, day, amount_fen };
/// let cal = Calibration { end_day: 28, days_per_unit: 7.0 };
/// let s = summaries(&[p(0, 0, 1000), p(0, 0, 500), p(0, 14, 2000), p(0, 30, 99)], &cal).unwrap();
/// assert_eq!((s[0].frequency, s[0].recency, s[0].t, s[0].monetary), (1, 2.0, 4.0, 2000.0));
/// assert_eq!(s[0].spend_fen, 3500);
/// ```
pub fn summaries(purchases: &[Purchase], calibration: &Calibration) -> Result<Vec<Summary>, FitError> {
    calibration.validate()?;
    let days = purchase_days(purchases, |day| day <= calibration.end_day);
    let unit = |d: Day| f64::from(d) / calibration.days_per_unit;
    let mut out = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let (customer, first, first_fen) = days[i];
        let mut j = i + 1;
        let mut total = first_fen;
        while j < days.len() && days[j].0 == customer {
            total = total.saturating_add(days[j].2);
            j += 1;
        }
        let frequency = (j - i - 1) as u32;
        let last = days[j - 1].1;
        let monetary = if frequency > 0 { total.saturating_sub(first_fen) as f64 / f64::from(frequency) } else { 0.0 };
        out.push(Summary {
            customer,
            frequency,
            recency: unit(last - first),
            t: unit(calibration.end_day - first),
            monetary,
            spend_fen: total,
        });
        i = j;
    }
    Ok(out)
}

/// The purchase days per customer in the holdout period after calibration,
/// `end_day < day <= end_day + holdout_days`, same-day purchases once: pairs
/// (customer, purchase days), sorted by customer, only customers with any.
pub fn holdout_purchases(purchases: &[Purchase], calibration: &Calibration, holdout_days: u32) -> Vec<(u32, u32)> {
    let end = i64::from(calibration.end_day);
    let last = end + i64::from(holdout_days);
    let days = purchase_days(purchases, |day| (end + 1..=last).contains(&i64::from(day)));
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (customer, _, _) in days {
        match out.last_mut() {
            Some((c, n)) if *c == customer => *n += 1,
            _ => out.push((customer, 1)),
        }
    }
    out
}

/// The kept purchases as (customer, day, amount) sorted, one per customer-day.
fn purchase_days(purchases: &[Purchase], keep: impl Fn(Day) -> bool) -> Vec<(u32, Day, Fen)> {
    // Counted first: the rows are millions, and a vector that doubles as it
    // fills copies them each time (a byte loop in an MVP-only wasm module).
    let mut rows = Vec::with_capacity(purchases.iter().filter(|p| keep(p.day)).count());
    rows.extend(purchases.iter().filter(|p| keep(p.day)).map(|p| (p.customer, p.day, p.amount_fen)));
    rows.sort_unstable_by_key(|&(c, d, _)| (c, d));
    rows.dedup_by(|later, kept| {
        let same = later.0 == kept.0 && later.1 == kept.1;
        if same {
            kept.2 = kept.2.saturating_add(later.2);
        }
        same
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(customer: u32, day: Day, amount_fen: Fen) -> Purchase {
        Purchase { customer, day, amount_fen }
    }

    #[test]
    fn same_day_purchases_merge_and_holdout_is_separate() {
        let cal = Calibration { end_day: 100, days_per_unit: 1.0 };
        let data = [p(7, 10, 100), p(3, 50, 10), p(7, 10, 50), p(7, 40, 300), p(7, 40, 1), p(7, 101, 5), p(7, 101, 5)];
        let s = summaries(&data, &cal).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], Summary { customer: 3, frequency: 0, recency: 0.0, t: 50.0, monetary: 0.0, spend_fen: 10 });
        assert_eq!(
            s[1],
            Summary { customer: 7, frequency: 1, recency: 30.0, t: 90.0, monetary: 301.0, spend_fen: 451 }
        );
        assert_eq!(holdout_purchases(&data, &cal, 1), vec![(7, 1)]);
        assert_eq!(holdout_purchases(&data, &cal, 0), vec![]);
    }

    #[test]
    fn purchases_on_the_end_day_count_and_bad_units_are_refused() {
        let s = summaries(&[p(1, 5, 1), p(1, 9, 2)], &Calibration { end_day: 9, days_per_unit: 2.0 }).unwrap();
        assert_eq!((s[0].recency, s[0].t), (2.0, 2.0));
        let err = summaries(&[], &Calibration { end_day: 9, days_per_unit: 0.0 });
        assert!(matches!(err, Err(FitError::BadOptions { field: "daysPerUnit", .. })));
    }

    #[test]
    fn validate_names_the_customer() {
        let s = Summary::new(42, 2, 5.0, 4.0, 10.0);
        assert!(matches!(s.validate(), Err(FitError::BadSummary { customer: 42, .. })));
        assert!(Summary::new(1, 0, 1.0, 4.0, 0.0).validate().is_err());
        assert!(Summary::new(1, 2, 3.0, 4.0, 10.0).validate().is_ok());
    }
}
