//! Lifecycle (seeds 001, 002; DOMAIN §4): where each member stands today —
//! 潜在 prospect, 新客 new, 活跃 active, 沉睡 dormant, 流失 churned — and how
//! many moved between stages since the previous period.
//!
//! Days count like R: a purchase the day before the analysis date is 1 day
//! ago. The churn line is the value groups' `churnDays` (one line for both).
//! A member who registered within `newDays` is new even before buying (the
//! seven days after joining decide retention, seed 001); a member registered
//! earlier who never bought is a prospect.

use crate::model::Day;
use crate::rules::Rules;
use serde::Serialize;

/// A lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// 潜在: registered, never bought.
    Prospect,
    /// 新客: first purchase or registration within `newDays`.
    New,
    /// 活跃: bought within `activeDays`.
    Active,
    /// 沉睡: last purchase more than `activeDays`, at most `churnDays` ago.
    Dormant,
    /// 流失: last purchase more than `churnDays` ago.
    Churned,
}

impl Lifecycle {
    /// Every stage, in the order of a member's life.
    pub const ALL: [Lifecycle; 5] =
        [Lifecycle::Prospect, Lifecycle::New, Lifecycle::Active, Lifecycle::Dormant, Lifecycle::Churned];

    /// (key, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Lifecycle::Prospect => ("prospect", "潜在会员", "Prospect"),
            Lifecycle::New => ("new", "新客", "New"),
            Lifecycle::Active => ("active", "活跃", "Active"),
            Lifecycle::Dormant => ("dormant", "沉睡", "Dormant"),
            Lifecycle::Churned => ("churned", "流失", "Churned"),
        }
    }

    /// Stable key.
    pub fn key(self) -> &'static str {
        self.labels().0
    }

    /// Parse a key.
    pub fn parse(key: &str) -> Option<Lifecycle> {
        Lifecycle::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The stage on `day` of a member registered on `registered` whose
    /// first and last purchases *before `day`* are `first` and `last`;
    /// `None` when the member did not exist yet (registered on or after
    /// `day`, no purchase before it).
    pub fn at(
        day: Day,
        registered: Option<Day>,
        first: Option<Day>,
        last: Option<Day>,
        rules: &Rules,
    ) -> Option<Lifecycle> {
        let l = &rules.lifecycle;
        let new_days = l.new_days as Day;
        let joined_recently = registered.is_some_and(|r| r < day && day - r <= new_days);
        match (first, last) {
            (Some(first), Some(last)) => {
                let since = day - last;
                Some(if day - first <= new_days || joined_recently {
                    Lifecycle::New
                } else if since <= l.active_days as Day {
                    Lifecycle::Active
                } else if since <= rules.value_groups.churn_days as Day {
                    Lifecycle::Dormant
                } else {
                    Lifecycle::Churned
                })
            }
            _ if registered.is_some_and(|r| r >= day) => None,
            _ if joined_recently => Some(Lifecycle::New),
            _ => Some(Lifecycle::Prospect),
        }
    }
}

/// How many members went from one stage to another over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    /// Stage at the start of the period; `None` for members who joined during it.
    pub from: Option<Lifecycle>,
    /// Stage now.
    pub to: Lifecycle,
    /// Members.
    pub members: u64,
}

/// Count the moves from `before` to `now` (pairs of stages per member),
/// every pair that occurs, in stage order.
pub fn moves(pairs: impl Iterator<Item = (Option<Lifecycle>, Option<Lifecycle>)>) -> Vec<Move> {
    let index = |s: Option<Lifecycle>| s.map_or(0, |s| 1 + Lifecycle::ALL.iter().position(|&x| x == s).unwrap_or(0));
    let mut counts = [[0u64; 6]; 6];
    for (before, now) in pairs {
        if now.is_some() {
            counts[index(before)][index(now)] += 1;
        }
    }
    let stage = |k: usize| if k == 0 { None } else { Some(Lifecycle::ALL[k - 1]) };
    let mut out = Vec::new();
    for (f, row) in counts.iter().enumerate() {
        for (t, &members) in row.iter().enumerate().skip(1) {
            if members > 0 {
                out.push(Move { from: stage(f), to: Lifecycle::ALL[t - 1], members });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lifecycle::*;

    const TODAY: Day = 1000;

    fn at(registered: Option<Day>, first: Option<Day>, last: Option<Day>) -> Option<Lifecycle> {
        Lifecycle::at(TODAY, registered, first, last, &Rules::default())
    }

    #[test]
    fn boundaries_of_each_stage() {
        // First purchase exactly 7 days ago: still new; 8 days: no longer.
        assert_eq!(at(None, Some(TODAY - 7), Some(TODAY - 7)), Some(New));
        assert_eq!(at(None, Some(TODAY - 8), Some(TODAY - 8)), Some(Active));
        // Last purchase exactly 30 days ago: active; 31: dormant.
        assert_eq!(at(None, Some(TODAY - 200), Some(TODAY - 30)), Some(Active));
        assert_eq!(at(None, Some(TODAY - 200), Some(TODAY - 31)), Some(Dormant));
        // Exactly 90 days: dormant; 91: churned (the value groups' churn line).
        assert_eq!(at(None, Some(TODAY - 200), Some(TODAY - 90)), Some(Dormant));
        assert_eq!(at(None, Some(TODAY - 200), Some(TODAY - 91)), Some(Churned));
    }

    #[test]
    fn registration_without_purchase() {
        assert_eq!(at(Some(TODAY - 7), None, None), Some(New));
        assert_eq!(at(Some(TODAY - 8), None, None), Some(Prospect));
        assert_eq!(at(None, None, None), Some(Prospect));
        assert_eq!(at(Some(TODAY), None, None), None);
        // Registered recently with an old purchase on record: new (joined recently).
        assert_eq!(at(Some(TODAY - 3), Some(TODAY - 100), Some(TODAY - 100)), Some(New));
    }

    #[test]
    fn windows_are_rules() {
        let mut rules = Rules::default();
        rules.lifecycle.new_days = 14;
        rules.lifecycle.active_days = 60;
        assert_eq!(Lifecycle::at(TODAY, None, Some(TODAY - 14), Some(TODAY - 14), &rules), Some(New));
        assert_eq!(Lifecycle::at(TODAY, None, Some(TODAY - 99), Some(TODAY - 45), &rules), Some(Active));
    }

    #[test]
    fn moves_count_every_pair() {
        let pairs = [
            (Some(Active), Some(Dormant)),
            (Some(Active), Some(Dormant)),
            (Some(Active), Some(Active)),
            (None, Some(New)),
            (None, None),
        ];
        let m = moves(pairs.into_iter());
        assert_eq!(
            m,
            vec![
                Move { from: None, to: New, members: 1 },
                Move { from: Some(Active), to: Active, members: 1 },
                Move { from: Some(Active), to: Dormant, members: 2 },
            ]
        );
    }
}
