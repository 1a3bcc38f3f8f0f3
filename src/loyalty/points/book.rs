//! The store's points book: every member's ledger replayed from the loaded
//! files as of one date, with the reports built on it — the liability, the
//! points expiring soon, and the reconcile against the members file's
//! balance column.

use super::ledger::{EventIn, Lot, OrderIn, Replay, points_value_fen, replay};
use super::rules::PointsRules;
use crate::analytics::{Analysis, group_by_member, growth_by_member, growth_entries, levels};
use crate::error::{ErrorKind, Result};
use crate::export::mask_phone;
use crate::model::{Dataset, Day, EventType, Fen, format_day};
use crate::rules::Rules;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One member's points as of the book's date.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemberPoints {
    /// Balance (below zero when burns exceeded the points the files show).
    pub balance: i64,
    /// Points that expire within `expiringWithinDays` of the date.
    pub expiring: i64,
    /// The first expiry day of the points held, if any.
    pub next_expiry: Option<Day>,
    /// Points earned, clawed back, spent and expired up to the date.
    pub earned: i64,
    /// Points clawed back by refunds.
    pub clawed_back: i64,
    /// Points spent.
    pub spent: i64,
    /// Points expired.
    pub expired: i64,
}

/// Every member's points as of one date.
#[derive(Debug, Clone)]
pub struct Book {
    /// The date (`as_of`: records before it count, lots gone on it are gone).
    pub as_of: Day,
    /// Per member, by the analysis' member index.
    pub members: Vec<MemberPoints>,
    /// Points held per expiry day (points, members), ascending.
    pub schedule: BTreeMap<Day, (i64, u64)>,
    /// Orders whose points paid more than the cap allows.
    pub over_cap_orders: u64,
    /// `expiringWithinDays` of the rules used.
    pub within_days: u32,
    /// Points per yuan of the rules used.
    value_rules: PointsRules,
}

/// The inputs of one member, gathered from the files.
struct Inputs<'a> {
    data: &'a Dataset,
    rules: &'a Rules,
    as_of: Day,
    /// Analysis member index of each member of the orders / events files.
    order_member: &'a [u32],
    event_member: &'a [Option<u32>],
    /// Category multiplier of each order row, when category rules and lines exist.
    categories: Option<Vec<f64>>,
}

impl<'a> Inputs<'a> {
    fn new(data: &'a Dataset, analysis: &'a Analysis, rules: &'a Rules, as_of: Day) -> Inputs<'a> {
        let (order_member, event_member) = (&analysis.order_member[..], &analysis.event_member[..]);
        Inputs { data, rules, as_of, order_member, event_member, categories: category_multipliers(data, rules) }
    }

    fn order<'d>(&'d self, row: usize) -> Option<OrderIn<'d>> {
        let o = self.data.orders.as_ref()?;
        let lookup = |list: &[(u32, i64)]| {
            list.binary_search_by_key(&(row as u32), |&(r, _)| r).map_or(0, |k| list.get(k).map_or(0, |x| x.1))
        };
        let (day, minute) = o.paid.get(row)?;
        Some(OrderIn {
            day,
            minute,
            kind: *o.kind.get(row)?,
            net: o.net.get(row)?,
            refunded: lookup(&o.refunds),
            points_used: lookup(&o.points_used),
            category_multiplier: self.categories.as_ref().and_then(|c| c.get(row).copied()).unwrap_or(1.0),
            id: o.order_id.get(row),
        })
    }

    fn event<'d>(&'d self, row: usize) -> Option<EventIn<'d>> {
        let e = self.data.events.as_ref()?;
        let kind = *e.kind.get(row)?;
        let moves = matches!(kind, EventType::SignIn | EventType::Review | EventType::Share | EventType::Referral)
            || kind == EventType::PointsRedeemed;
        moves.then(|| EventIn {
            day: e.day[row],
            minute: e.minute[row],
            kind,
            points: e.points.as_ref().and_then(|p| p.get(row).copied()).unwrap_or(0),
            label: e.activity.as_ref().map_or("", |a| a.get(row)),
        })
    }

    /// Replay one member from their order rows, event rows and growth entries.
    fn replay(&self, order_rows: &[u32], event_rows: &[u32], growth: &mut [(Day, Fen)], lines: bool) -> Replay {
        let orders: Vec<OrderIn<'_>> =
            order_rows.iter().filter_map(|&r| self.order(r as usize)).filter(|o| o.day < self.as_of).collect();
        let events: Vec<EventIn<'_>> =
            event_rows.iter().filter_map(|&r| self.event(r as usize)).filter(|e| e.day < self.as_of).collect();
        let p = &self.rules.points;
        let timeline = if p.level_multiplier || !p.level_up_gifts.is_empty() {
            levels::timeline(growth, self.as_of, &self.rules.levels)
        } else {
            Vec::new()
        };
        replay(&orders, &events, &timeline, self.as_of, p, &self.rules.levels, lines)
    }
}

/// Each order row's category multiplier: its lines' multipliers weighted by
/// their amounts (lines of other categories count 1); `None` without
/// category rules or order lines with categories.
fn category_multipliers(data: &Dataset, rules: &Rules) -> Option<Vec<f64>> {
    let list = &rules.points.category_multipliers;
    let (orders, lines) = (data.orders.as_ref()?, data.order_lines.as_ref()?);
    let categories = lines.category.as_ref()?;
    if list.is_empty() {
        return None;
    }
    let of_label: Vec<f64> = categories
        .names
        .names()
        .iter()
        .map(|c| list.iter().find(|m| m.category.trim() == c.trim()).map_or(1.0, |m| m.multiplier))
        .collect();
    let rows = lines.order_rows(orders);
    let mut sums = vec![(0.0f64, 0.0f64); orders.len()];
    for l in 0..lines.len() {
        let amount = lines.amount[l];
        let Some(row) = rows.get(lines.order[l] as usize).copied().flatten() else { continue };
        if amount <= 0 {
            continue;
        }
        let m = categories.of.get(l).and_then(|&c| of_label.get(c as usize)).copied().unwrap_or(1.0);
        if let Some(s) = sums.get_mut(row as usize) {
            s.0 += amount as f64 * m;
            s.1 += amount as f64;
        }
    }
    Some(sums.into_iter().map(|(w, a)| if a > 0.0 { w / a } else { 1.0 }).collect())
}

/// Rows of the orders and events files and growth entries, by member.
struct Grouped {
    order_start: Vec<usize>,
    order_rows: Vec<u32>,
    event_start: Vec<usize>,
    event_rows: Vec<u32>,
    growth_start: Vec<usize>,
    growth: Vec<(Day, Fen)>,
}

fn group(inputs: &Inputs<'_>, n: usize) -> Grouped {
    let data = inputs.data;
    let orders: Vec<(u32, u32)> = data
        .orders
        .as_ref()
        .map(|o| (0..o.len()).map(|r| (inputs.order_member[o.member(r) as usize], r as u32)).collect())
        .unwrap_or_default();
    let events: Vec<(u32, u32)> = data
        .events
        .as_ref()
        .map(|e| {
            (0..e.len())
                .filter_map(|r| inputs.event_member.get(e.member(r) as usize).copied().flatten().map(|m| (m, r as u32)))
                .collect()
        })
        .unwrap_or_default();
    let (order_start, order_rows) = group_by_member(n, &orders);
    let (event_start, event_rows) = group_by_member(n, &events);
    let (growth_start, growth) =
        growth_by_member(data, inputs.order_member, inputs.event_member, n, inputs.as_of, inputs.rules);
    Grouped { order_start, order_rows, event_start, event_rows, growth_start, growth }
}

impl Book {
    /// Replay every member of `analysis` as of `as_of`.
    pub fn new(data: &Dataset, analysis: &Analysis, rules: &Rules, as_of: Day) -> Book {
        let n = analysis.ids().len();
        let inputs = Inputs::new(data, analysis, rules, as_of);
        let mut g = group(&inputs, n);
        let within = rules.points.expiring_within_days;
        let mut book = Book {
            as_of,
            members: Vec::with_capacity(n),
            schedule: BTreeMap::new(),
            over_cap_orders: 0,
            within_days: within,
            value_rules: rules.points.clone(),
        };
        for m in 0..n {
            let r = inputs.replay(
                &g.order_rows[g.order_start[m]..g.order_start[m + 1]],
                &g.event_rows[g.event_start[m]..g.event_start[m + 1]],
                &mut g.growth[g.growth_start[m]..g.growth_start[m + 1]],
                false,
            );
            book.over_cap_orders += u64::from(r.over_cap_orders);
            let held: Vec<&Lot> = r.lots.iter().filter(|l| l.remaining > 0).collect();
            let mut last = None;
            for lot in &held {
                let e = book.schedule.entry(lot.expires).or_insert((0, 0));
                e.0 += lot.remaining;
                e.1 += u64::from(last != Some(lot.expires));
                last = Some(lot.expires);
            }
            book.members.push(MemberPoints {
                balance: r.balance,
                expiring: held.iter().filter(|l| l.expires - as_of <= within as Day).map(|l| l.remaining).sum(),
                next_expiry: held.first().map(|l| l.expires),
                earned: r.earned,
                clawed_back: r.clawed_back,
                spent: r.spent,
                expired: r.expired,
            });
        }
        book
    }

    /// The fen value of `points`.
    pub fn value_fen(&self, points: i64) -> Fen {
        points_value_fen(points, &self.value_rules)
    }

    /// Days from the date to a member's first expiry (when they hold points).
    pub fn days_to_expiry(&self, i: usize) -> Option<i64> {
        let m = self.members.get(i)?;
        m.next_expiry.filter(|_| m.balance > 0).map(|d| i64::from(d - self.as_of))
    }

    /// The store summary.
    pub fn summary(&self, data: &Dataset, analysis: &Analysis) -> PointsSummary {
        let sum = |f: fn(&MemberPoints) -> i64| self.members.iter().map(f).sum::<i64>();
        let liability: i64 = self.members.iter().map(|m| m.balance.max(0)).sum();
        let bucket = |(&day, &(points, members)): (&Day, &(i64, u64))| ExpiryBucket {
            day: format_day(day),
            days_left: i64::from(day - self.as_of),
            points,
            members,
            value_fen: self.value_fen(points),
        };
        let diffs = self.differences(data, analysis);
        PointsSummary {
            as_of: format_day(self.as_of),
            expiring_within_days: self.within_days,
            members_with_points: self.members.iter().filter(|m| m.balance > 0).count() as u64,
            liability_points: liability,
            liability_fen: self.value_fen(liability),
            earned_points: sum(|m| m.earned),
            clawed_back_points: sum(|m| m.clawed_back),
            spent_points: sum(|m| m.spent),
            expired_points: sum(|m| m.expired),
            expiring_members: self.members.iter().filter(|m| m.expiring > 0).count() as u64,
            expiring_points: sum(|m| m.expiring),
            expiry_schedule: self.schedule.iter().take(12).map(bucket).collect(),
            overdrawn_members: self.members.iter().filter(|m| m.balance < 0).count() as u64,
            over_cap_orders: self.over_cap_orders,
            reconcile: ReconcileSummary {
                compared: diffs.compared,
                matching: diffs.compared - diffs.rows.len() as u64,
                differing: diffs.rows.len() as u64,
                imported_points: diffs.imported,
                ledger_points: diffs.ledger,
            },
        }
    }

    /// Members whose imported balance differs from the ledger, largest difference first.
    fn differences(&self, data: &Dataset, analysis: &Analysis) -> Differences {
        let mut d = Differences::default();
        let Some(members) = &data.members else { return d };
        for (i, p) in analysis.profiles.iter().enumerate() {
            let Some(imported) = p.member_row.and_then(|r| members.points.get(r as usize).copied().flatten()) else {
                continue;
            };
            let ledger = self.members.get(i).map_or(0, |m| m.balance);
            d.compared += 1;
            d.imported += imported;
            d.ledger += ledger;
            if imported != ledger {
                d.rows.push((i, imported, ledger));
            }
        }
        d.rows.sort_by(|a, b| {
            (b.1 - b.2).abs().cmp(&(a.1 - a.2).abs()).then_with(|| analysis.ids()[a.0].cmp(&analysis.ids()[b.0]))
        });
        d
    }

    /// A page of the members whose imported balance differs.
    pub fn reconcile(&self, data: &Dataset, analysis: &Analysis, page: &PageQuery) -> Page<Difference> {
        let d = self.differences(data, analysis);
        let rows = page
            .slice(&d.rows)
            .iter()
            .map(|&(i, imported, ledger)| {
                let (name, phone) = who(data, analysis, i);
                Difference {
                    member_id: analysis.ids()[i].to_string(),
                    name,
                    phone,
                    imported,
                    ledger,
                    difference: imported - ledger,
                }
            })
            .collect();
        Page { total: d.rows.len(), offset: page.offset.unwrap_or(0), rows }
    }

    /// A page of the members with points expiring soon, most points first.
    pub fn expiring(&self, data: &Dataset, analysis: &Analysis, page: &PageQuery) -> Page<Expiring> {
        let mut picked: Vec<usize> = (0..self.members.len()).filter(|&i| self.members[i].expiring > 0).collect();
        picked.sort_by(|&a, &b| {
            self.members[b]
                .expiring
                .cmp(&self.members[a].expiring)
                .then_with(|| analysis.ids()[a].cmp(&analysis.ids()[b]))
        });
        let rows = page
            .slice(&picked)
            .iter()
            .map(|&i| {
                let m = &self.members[i];
                let (name, phone) = who(data, analysis, i);
                Expiring {
                    member_id: analysis.ids()[i].to_string(),
                    name,
                    phone,
                    balance: m.balance,
                    expiring: m.expiring,
                    expiring_fen: self.value_fen(m.expiring),
                    first_expiry: m.next_expiry.map(format_day).unwrap_or_default(),
                    days_left: self.days_to_expiry(i).unwrap_or(0),
                }
            })
            .collect();
        Page { total: picked.len(), offset: page.offset.unwrap_or(0), rows }
    }
}

#[derive(Default)]
struct Differences {
    compared: u64,
    imported: i64,
    ledger: i64,
    /// (member, imported, ledger).
    rows: Vec<(usize, i64, i64)>,
}

/// Name and masked phone of member `i`.
fn who(data: &Dataset, analysis: &Analysis, i: usize) -> (String, String) {
    let row = analysis.profiles.get(i).and_then(|p| p.member_row);
    match (row, &data.members) {
        (Some(r), Some(m)) => (
            m.name.get(r as usize).map_or_else(String::new, |s| s.to_string()),
            m.phone.get(r as usize).map_or_else(String::new, |s| mask_phone(s)),
        ),
        _ => (String::new(), String::new()),
    }
}

/// One member's ledger, line by line.
pub fn member_ledger(data: &Dataset, analysis: &Analysis, rules: &Rules, as_of: Day, id: &str) -> Result<MemberLedger> {
    let i = analysis.find(id).ok_or_else(|| ErrorKind::UnknownMember(id.to_string()))?;
    let inputs = Inputs::new(data, analysis, rules, as_of);
    let order_rows: Vec<u32> = data
        .orders
        .as_ref()
        .map(|o| {
            (0..o.len()).filter(|&r| inputs.order_member[o.member(r) as usize] == i as u32).map(|r| r as u32).collect()
        })
        .unwrap_or_default();
    let event_rows: Vec<u32> = data
        .events
        .as_ref()
        .map(|e| {
            (0..e.len())
                .filter(|&r| inputs.event_member.get(e.member(r) as usize).copied().flatten() == Some(i as u32))
                .map(|r| r as u32)
                .collect()
        })
        .unwrap_or_default();
    let mut growth: Vec<(Day, Fen)> = growth_entries(data, inputs.order_member, inputs.event_member, as_of, rules)
        .into_iter()
        .filter(|&(m, _)| m == i as u32)
        .map(|(_, e)| e)
        .collect();
    let r = inputs.replay(&order_rows, &event_rows, &mut growth, true);
    let within = rules.points.expiring_within_days as Day;
    let imported = analysis.profiles[i]
        .member_row
        .and_then(|row| data.members.as_ref().and_then(|m| m.points.get(row as usize).copied().flatten()));
    let lots: Vec<LotRow> = r
        .lots
        .iter()
        .filter(|l| l.remaining > 0)
        .map(|l| LotRow { earned_on: format_day(l.earned), expires_on: format_day(l.expires), remaining: l.remaining })
        .collect();
    Ok(MemberLedger {
        member_id: analysis.ids()[i].to_string(),
        as_of: format_day(as_of),
        balance: r.balance,
        balance_fen: points_value_fen(r.balance, &rules.points),
        imported,
        expiring: r.lots.iter().filter(|l| l.remaining > 0 && l.expires - as_of <= within).map(|l| l.remaining).sum(),
        lots,
        lines: r.lines.unwrap_or_default(),
    })
}

/// Paging of the points reports.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PageQuery {
    /// The date (default: the analysis date).
    pub as_of: Option<String>,
    /// Rows to skip.
    pub offset: Option<usize>,
    /// Rows to return (default 50).
    pub limit: Option<usize>,
}

impl PageQuery {
    fn slice<'t, T>(&self, all: &'t [T]) -> &'t [T] {
        let start = self.offset.unwrap_or(0).min(all.len());
        let end = start.saturating_add(self.limit.unwrap_or(50)).min(all.len());
        &all[start..end]
    }
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// Rows in all.
    pub total: usize,
    /// First row's position.
    pub offset: usize,
    /// The rows.
    pub rows: Vec<T>,
}

/// The points of the store as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsSummary {
    /// The date.
    pub as_of: String,
    /// What "expiring soon" means, in days.
    pub expiring_within_days: u32,
    /// Members with a balance above 0.
    pub members_with_points: u64,
    /// Points outstanding (积分负债): the sum of positive balances.
    pub liability_points: i64,
    /// Their value in fen at `cashOffset.pointsPerYuan`.
    pub liability_fen: Fen,
    /// Points earned up to the date.
    pub earned_points: i64,
    /// Points clawed back by refunds.
    pub clawed_back_points: i64,
    /// Points spent (cash offset and exchanges).
    pub spent_points: i64,
    /// Points expired.
    pub expired_points: i64,
    /// Members with points expiring within `expiringWithinDays`.
    pub expiring_members: u64,
    /// Those points.
    pub expiring_points: i64,
    /// Points held by expiry day, the next 12 expiry days.
    pub expiry_schedule: Vec<ExpiryBucket>,
    /// Members whose burns exceeded their points (balance below 0).
    pub overdrawn_members: u64,
    /// Orders whose points paid more than `cashOffset.maxShare`.
    pub over_cap_orders: u64,
    /// The ledger against the members file's points column.
    pub reconcile: ReconcileSummary,
}

/// Points that expire on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryBucket {
    /// The first day they are gone.
    pub day: String,
    /// Days from the date.
    pub days_left: i64,
    /// Points.
    pub points: i64,
    /// Members holding them.
    pub members: u64,
    /// Their value, fen.
    pub value_fen: Fen,
}

/// Counts of the reconcile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileSummary {
    /// Members with a balance in the members file.
    pub compared: u64,
    /// Of them, equal to the ledger.
    pub matching: u64,
    /// Of them, different.
    pub differing: u64,
    /// Their imported balances, summed.
    pub imported_points: i64,
    /// Their ledger balances, summed.
    pub ledger_points: i64,
}

/// A member whose imported balance differs from the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Phone, masked.
    pub phone: String,
    /// Balance in the members file.
    pub imported: i64,
    /// Balance by the ledger.
    pub ledger: i64,
    /// Imported − ledger.
    pub difference: i64,
}

/// A member with points expiring soon.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expiring {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Phone, masked.
    pub phone: String,
    /// Balance.
    pub balance: i64,
    /// Points expiring within the window.
    pub expiring: i64,
    /// Their value, fen.
    pub expiring_fen: Fen,
    /// The first day some of them are gone.
    pub first_expiry: String,
    /// Days from the date to it.
    pub days_left: i64,
}

/// Points held in one lot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LotRow {
    /// Day earned.
    pub earned_on: String,
    /// First day gone.
    pub expires_on: String,
    /// Points left.
    pub remaining: i64,
}

/// One member's ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberLedger {
    /// Member id.
    pub member_id: String,
    /// The date.
    pub as_of: String,
    /// Balance by the ledger.
    pub balance: i64,
    /// Its value, fen.
    pub balance_fen: Fen,
    /// Balance in the members file, if given.
    pub imported: Option<i64>,
    /// Points expiring within `expiringWithinDays`.
    pub expiring: i64,
    /// The lots held, oldest first.
    pub lots: Vec<LotRow>,
    /// Every line, oldest first.
    pub lines: Vec<super::ledger::Line>,
}
