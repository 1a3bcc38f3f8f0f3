//! The categories value members buy most (品类偏好, seed 000; DOMAIN §12):
//! what to stock and feature for the members who matter most.
//!
//! From the order lines joined to their orders (by order id), over the
//! purchases of the RFM window (`window_start <= day < as_of`; refunded in
//! full and closed orders are not purchases), per value group and for all
//! buyers together:
//!
//! - **spend** per category = the sum of its line amounts (小计, fen; a
//!   returned line's negative amount reduces it), and its **share** of the
//!   group's spend on all categories;
//! - **buyers** per category = the group's members with at least one line of
//!   it (quantity above zero), and their **share** of the group's members who
//!   have any line at all.
//!
//! Each group lists its top `categories.top` (default 10) by spend (ties: the
//! category with more buyers, then the name) and by buyers (ties: more spend,
//! then the name). Lines without a category count as "" (未分类). Lines whose
//! order is not in the orders file, or belongs to no purchase in the window,
//! are left out. Groups are those of the analysis date: a value member's
//! spend in the window counts for the value group even if part of it came
//! while they were still new.

use super::groups::ValueGroup;
use crate::error::{Error, Result};
use crate::model::{Dataset, Day, Fen, OrderKind};
use serde::{Deserialize, Serialize};

/// Category settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CategoryRules {
    /// Categories listed per group, by spend and by buyers (default 10).
    pub top: u32,
}

impl Default for CategoryRules {
    fn default() -> Self {
        CategoryRules { top: 10 }
    }
}

impl CategoryRules {
    /// Check the ranges serde cannot; errors name the field under `categories`.
    pub fn validate(&self) -> Result<()> {
        if !(1..=1000).contains(&self.top) {
            return Err(Error::invalid_rules("categories.top", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

/// One category in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryRow {
    /// The category as written ("" for lines without one).
    pub category: String,
    /// The group's spend on it, fen.
    pub spend_fen: Fen,
    /// Its share of the group's spend on all categories (0 when that is not positive).
    pub spend_share: f64,
    /// The group's members who bought it.
    pub buyers: u64,
    /// Their share of the group's members with any line.
    pub buyer_share: f64,
}

/// The categories of one value group (or of all buyers).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryGroup {
    /// `all`, or a value group key (`value`, `potential`, `stable`, `churned`).
    pub key: &'static str,
    /// 中文.
    pub label: &'static str,
    /// English.
    pub label_en: &'static str,
    /// Members of the group with at least one line in the window.
    pub buyers: u64,
    /// Their spend on all categories, fen.
    pub spend_fen: Fen,
    /// Top categories by spend.
    pub by_spend: Vec<CategoryRow>,
    /// Top categories by buyers.
    pub by_buyers: Vec<CategoryRow>,
}

/// Per group: all buyers first, then the four value groups.
pub fn categories(
    data: &Dataset,
    order_member: &[u32],
    groups: &[Option<ValueGroup>],
    window_start: Day,
    as_of: Day,
    rules: &CategoryRules,
) -> Vec<CategoryGroup> {
    // (member, category, amount, bought) per line that counts.
    let mut lines_in: Vec<(u32, u32, Fen, bool)> = Vec::new();
    let mut names: Vec<String> = vec![String::new()];
    if let (Some(orders), Some(lines)) = (&data.orders, &data.order_lines) {
        let rows = lines.order_rows(orders);
        if let Some(c) = &lines.category {
            names = c.names.names().iter().map(|s| s.to_string()).collect();
        }
        for l in 0..lines.len() {
            let Some(row) = rows.get(lines.order[l] as usize).copied().flatten().map(|r| r as usize) else {
                continue;
            };
            let (Some((day, _)), Some(&kind)) = (orders.paid.get(row), orders.kind.get(row)) else {
                continue;
            };
            let m = orders.member(row);
            if kind != OrderKind::Purchase || day < window_start || day >= as_of {
                continue;
            }
            let Some(&member) = order_member.get(m as usize) else { continue };
            let category = lines.category.as_ref().and_then(|c| c.of.get(l).copied()).unwrap_or(0);
            let qty = lines.qty.get(l).copied().unwrap_or(0);
            lines_in.push((member, category, lines.amount.get(l).copied().unwrap_or(0), qty > 0));
        }
    }
    let group_of = |m: u32| groups.get(m as usize).copied().flatten();
    let mut out = vec![summarize(&lines_in, &names, ("all", "全部会员", "All members"), rules)];
    for g in ValueGroup::ALL {
        let mine: Vec<(u32, u32, Fen, bool)> = lines_in.iter().copied().filter(|l| group_of(l.0) == Some(g)).collect();
        out.push(summarize(&mine, &names, g.labels(), rules));
    }
    out
}

fn summarize(
    lines: &[(u32, u32, Fen, bool)],
    names: &[String],
    labels: (&'static str, &'static str, &'static str),
    rules: &CategoryRules,
) -> CategoryGroup {
    let mut spend: Vec<Fen> = vec![0; names.len()];
    // Distinct (category, member) pairs of bought lines, and distinct members.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut members: Vec<u32> = Vec::with_capacity(lines.len());
    for &(m, c, amount, bought) in lines {
        if let Some(s) = spend.get_mut(c as usize) {
            *s += amount;
        }
        members.push(m);
        if bought {
            pairs.push((c, m));
        }
    }
    members.sort_unstable();
    members.dedup();
    pairs.sort_unstable();
    pairs.dedup();
    let mut buyers = vec![0u64; names.len()];
    for &(c, _) in &pairs {
        if let Some(b) = buyers.get_mut(c as usize) {
            *b += 1;
        }
    }
    let total: Fen = spend.iter().sum();
    let group_buyers = members.len() as u64;
    let share = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let rows: Vec<CategoryRow> = (0..names.len())
        .filter(|&c| spend[c] != 0 || buyers[c] > 0)
        .map(|c| CategoryRow {
            category: names[c].clone(),
            spend_fen: spend[c],
            spend_share: share(spend[c] as f64, total as f64),
            buyers: buyers[c],
            buyer_share: share(buyers[c] as f64, group_buyers as f64),
        })
        .collect();
    let top = rules.top as usize;
    let mut by_spend = rows.clone();
    by_spend.sort_by(|a, b| {
        b.spend_fen.cmp(&a.spend_fen).then(b.buyers.cmp(&a.buyers)).then_with(|| a.category.cmp(&b.category))
    });
    by_spend.truncate(top);
    let mut by_buyers = rows;
    by_buyers.sort_by(|a, b| {
        b.buyers.cmp(&a.buyers).then(b.spend_fen.cmp(&a.spend_fen)).then_with(|| a.category.cmp(&b.category))
    });
    by_buyers.truncate(top);
    CategoryGroup {
        key: labels.0,
        label: labels.1,
        label_en: labels.2,
        buyers: group_buyers,
        spend_fen: total,
        by_spend,
        by_buyers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Kind, LoadOptions, Table, read};

    fn load(data: &mut Dataset, kind: Kind, text: &str) {
        let loaded = read(kind, text.as_bytes(), &LoadOptions::default()).unwrap();
        assert!(loaded.report.rejected.is_empty(), "{:?}", loaded.report.rejected);
        match loaded.table {
            Table::Orders(o) => data.orders = Some(*o),
            Table::OrderLines(l) => data.order_lines = Some(*l),
            _ => unreachable!(),
        }
    }

    /// Members A (value), B (value), C (stable). Window 2026-01-01 … 2026-10-31.
    /// D1 A: 咖啡 30 + 零食 10; D2 A: 咖啡 20; D3 B: 零食 50, 咖啡 −5 (a returned cup);
    /// D4 C: 便当 100; D5 A refunded in full (not a purchase): 礼品 999;
    /// D6 B before the window: 礼品 888; D7 B on the analysis date: 礼品 777.
    fn fixture() -> (Dataset, Vec<u32>) {
        let mut data = Dataset::default();
        load(
            &mut data,
            Kind::Orders,
            "订单号,会员ID,支付时间,实付金额,订单状态\n\
             D1,A,2026-03-01 10:00,40,交易成功\nD2,A,2026-03-02 10:00,20,交易成功\n\
             D3,B,2026-04-01 10:00,45,交易成功\nD4,C,2026-05-01 10:00,100,交易成功\n\
             D5,A,2026-05-02 10:00,999,已退款\nD6,B,2025-12-31 23:59,888,交易成功\n\
             D7,B,2026-11-01 08:00,777,交易成功\n",
        );
        load(
            &mut data,
            Kind::OrderLines,
            "订单号,商品分类,单价,数量\n\
             D1,咖啡,30,1\nD1,零食,10,1\nD2,咖啡,20,1\nD3,零食,25,2\nD3,咖啡,5,-1\n\
             D4,便当,100,1\nD5,礼品,999,1\nD6,礼品,888,1\nD7,礼品,777,1\nD9,咖啡,1,1\n",
        );
        // Orders file members A, B, C → analysis members 0, 1, 2.
        (data, vec![0, 1, 2])
    }

    fn day(y: i32, m: u32, d: u32) -> Day {
        crate::model::day_of(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn row(category: &str, spend_fen: Fen, spend_share: f64, buyers: u64, buyer_share: f64) -> CategoryRow {
        CategoryRow { category: category.into(), spend_fen, spend_share, buyers, buyer_share }
    }

    #[test]
    fn value_members_categories_by_spend_and_buyers() {
        let (data, order_member) = fixture();
        let groups = [Some(ValueGroup::Value), Some(ValueGroup::Value), Some(ValueGroup::Stable)];
        let out =
            categories(&data, &order_member, &groups, day(2026, 1, 1), day(2026, 11, 1), &CategoryRules::default());
        assert_eq!(out.iter().map(|g| g.key).collect::<Vec<_>>(), ["all", "value", "potential", "stable", "churned"]);
        let value = &out[1];
        // Value spend: 咖啡 30 + 20 − 5 = 45, 零食 10 + 50 = 60; all 105. Buyers of any line: A, B.
        // 咖啡 was bought (qty > 0) by A only (B's line is a return); 零食 by A and B.
        assert_eq!((value.buyers, value.spend_fen), (2, 10_500));
        assert_eq!(
            value.by_spend,
            vec![row("零食", 6_000, 60.0 / 105.0, 2, 1.0), row("咖啡", 4_500, 45.0 / 105.0, 1, 0.5)]
        );
        assert_eq!(value.by_buyers, value.by_spend);
        // All members add C's 便当 100: by spend 便当 first; by buyers 零食 (2) first, then 便当 and 咖啡
        // with one buyer each, 便当 ahead on spend.
        let all = &out[0];
        assert_eq!((all.buyers, all.spend_fen), (3, 20_500));
        let spend: Vec<(&str, Fen)> = all.by_spend.iter().map(|r| (r.category.as_str(), r.spend_fen)).collect();
        assert_eq!(spend, [("便当", 10_000), ("零食", 6_000), ("咖啡", 4_500)]);
        let buyers: Vec<(&str, u64)> = all.by_buyers.iter().map(|r| (r.category.as_str(), r.buyers)).collect();
        assert_eq!(buyers, [("零食", 2), ("便当", 1), ("咖啡", 1)]);
        assert!((all.by_buyers[0].buyer_share - 2.0 / 3.0).abs() < 1e-12);
        // Empty groups have nothing, and no division by zero.
        assert_eq!((out[2].buyers, out[2].spend_fen, out[2].by_spend.len()), (0, 0, 0));
    }

    #[test]
    fn window_edges_and_top() {
        let (data, order_member) = fixture();
        let groups = [Some(ValueGroup::Value); 3];
        // Window from 2025-12-31: D6 (23:59 on the first day) is in; D7 on the analysis date is not.
        let top1 = CategoryRules { top: 1 };
        let out = categories(&data, &order_member, &groups, day(2025, 12, 31), day(2026, 11, 1), &top1);
        assert_eq!(out[1].by_spend, vec![row("礼品", 88_800, 888.0 / 1093.0, 1, 1.0 / 3.0)]);
        assert_eq!(out[1].by_buyers.len(), 1);
        // Without order lines: empty groups.
        let orders_only = Dataset { order_lines: None, ..data };
        assert!(categories(&orders_only, &order_member, &groups, 0, day(2026, 11, 1), &top1)[0].by_spend.is_empty());
        assert!(CategoryRules { top: 0 }.validate().is_err());
    }
}
