//! The data a store exports, once read: columnar tables with member ids
//! interned to dense `u32` indices, money in integer fen and dates as day
//! numbers. Analysis works on these slices, never on rows of strings.

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;

/// Money in fen (分, 1/100 yuan). No float ever touches money.
pub type Fen = i64;

/// A calendar date as a day number (days since 0001-01-01 = 1, chrono's
/// `num_days_from_ce`), so that differences are plain subtraction.
pub type Day = i32;

/// The day number of a date.
pub fn day_of(date: NaiveDate) -> Day {
    date.num_days_from_ce()
}

/// The date of a day number (falls back to 0001-01-01 out of range; day
/// numbers only ever come from [`day_of`]).
pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: Day) -> String {
    date_of(day).format("%Y-%m-%d").to_string()
}

/// Yuan with two decimals, e.g. `-12.05`; exact.
pub fn format_yuan(fen: Fen) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Strings interned to dense indices in first-seen order (FxHash: ids are
/// short, and the hash need not resist adversaries on the user's own device).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    index: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// The index [`Interner::intern_repeated`] returned last.
    last: u32,
}

impl Interner {
    /// The index of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }

    /// [`Interner::intern`] for columns such as store and channel that
    /// repeat one value row after row: a compare is cheaper than a hash.
    pub fn intern_repeated(&mut self, name: &str) -> u32 {
        if self.names.get(self.last as usize).is_some_and(|last| **last == *name) {
            return self.last;
        }
        self.last = self.intern(name);
        self.last
    }

    /// The index of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// All names, by index.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The name of an index ("" when out of range).
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |s| s)
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// What an order row means for the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    /// A paid order: counts in F and adds its net amount to M.
    Purchase,
    /// A refunded (in full) or closed order: kept for the record, not a purchase.
    NotPurchase,
    /// A negative-amount row (a refund booked as its own line): reduces M, not F.
    Adjustment,
}

/// Orders, one entry per used row, column by column.
#[derive(Debug, Default, Clone)]
pub struct Orders {
    /// Member ids of this file.
    pub ids: Interner,
    /// Member of each order (index into `ids`).
    pub member: Vec<u32>,
    /// Date paid.
    pub day: Vec<Day>,
    /// Minute of the day paid (0–1439; 0 when the file gives only a date).
    pub minute: Vec<u16>,
    /// Net amount in fen: paid minus refunded (negative for adjustments).
    pub net: Vec<Fen>,
    /// What the row counts as.
    pub kind: Vec<OrderKind>,
    /// Store of each order (index into `stores`; 0 = none given).
    pub store: Vec<u32>,
    /// Store names; index 0 is "".
    pub stores: Interner,
    /// Channel of each order (index into `channels`; 0 = none given).
    pub channel: Vec<u32>,
    /// Channel names; index 0 is "".
    pub channels: Interner,
}

impl Orders {
    /// An empty table.
    pub fn new() -> Orders {
        let mut orders = Orders::default();
        orders.stores.intern("");
        orders.channels.intern("");
        orders
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.member.len()
    }

    /// True when there are no orders.
    pub fn is_empty(&self) -> bool {
        self.member.is_empty()
    }
}

/// Registered members, one entry per used row.
#[derive(Debug, Default, Clone)]
pub struct Members {
    /// Member ids (row order).
    pub ids: Interner,
    /// Phone as written (masked on the way out).
    pub phone: Vec<Box<str>>,
    /// Name or nickname.
    pub name: Vec<Box<str>>,
    /// Registration date, when given.
    pub registered: Vec<Option<Day>>,
    /// Level as written by the store's system.
    pub level: Vec<Box<str>>,
    /// Points balance, when given.
    pub points: Vec<Option<i64>>,
}

/// Everything loaded into a workspace.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    /// The orders file, if loaded.
    pub orders: Option<Orders>,
    /// The members file, if loaded.
    pub members: Option<Members>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_formatting_is_exact() {
        assert_eq!(format_yuan(0), "0.00");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(123_450), "1234.50");
        assert_eq!(format_yuan(-1205), "-12.05");
        assert_eq!(format_yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date_of(day_of(d)), d);
        assert_eq!(format_day(day_of(d)), "2026-03-05");
        assert_eq!(day_of(d) - day_of(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()), 1);
    }

    #[test]
    fn interner_is_dense_and_stable() {
        let mut i = Interner::default();
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.intern("a"), 1);
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.name(1), "a");
        assert_eq!(i.get("c"), None);
        assert_eq!(i.len(), 2);
    }
}
