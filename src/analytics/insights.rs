//! Store insights computed with every analysis: golden hours (DOMAIN §11),
//! new-member retention (§12) and community groups (§12), from the
//! purchases in the RFM window and the members file. Per-member results
//! (best slot, preferred channel, home store, VIP) go on the member rows;
//! the store-level ones form [`InsightsSummary`], which `ws.insights()`
//! returns, with the categories value members buy most
//! ([`super::categories`], filled in by the analysis).
//!
//! Preferred channels ([`super::timing::preferred_channels`]) come from the
//! `message_clicked` events of the RFM window that name a channel (渠道).

use super::community::{Group, base_groups, home_stores, month_before, vip_groups, vip_members, vip_review};
use super::retention::{Cohort, Repurchase, cohorts, repurchase};
use super::timing::{BestSlot, Grid, PreferredChannel, SLOT_LABELS, SLOTS, best_slots, preferred_channels};
use crate::model::{Dataset, Day, EventType, OrderKind};
use crate::rules::Rules;
use serde::Serialize;

/// A time slot's names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotLabel {
    /// Stable key.
    pub key: &'static str,
    /// 中文.
    pub label: &'static str,
    /// English.
    pub label_en: &'static str,
}

/// The store's weekday × slot grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GoldenHours {
    /// The 11 slots, in order.
    pub slots: Vec<SlotLabel>,
    /// Purchases per weekday (Monday first) and slot.
    pub purchases: Vec<[u32; SLOTS]>,
    /// Message clicks per weekday and slot (zeros without events).
    pub clicks: Vec<[u32; SLOTS]>,
    /// The store's best slot (key).
    pub best_slot: Option<&'static str>,
}

/// A group's size (its members are listed by `members({ … })` queries).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSize {
    /// Store name ("" when the file gives none).
    pub store: String,
    /// Group number within the store, from 1.
    pub number: u32,
    /// Members in it.
    pub members: usize,
}

/// The monthly VIP review, as counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewCounts {
    /// VIPs last month and this month.
    pub stays: usize,
    /// VIPs this month only.
    pub joins: usize,
    /// VIPs last month only.
    pub leaves: usize,
}

/// One stage of the key-path funnel (seed 001).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStage {
    /// Stable key.
    pub key: &'static str,
    /// 中文.
    pub label: &'static str,
    /// English.
    pub label_en: &'static str,
    /// Members who reached this stage in the window.
    pub members: u64,
    /// Share of the previous stage's members (1 for the first stage).
    pub rate: f64,
}

/// The funnel's stages: each implies the ones before it.
const FUNNEL: [(&str, &str, &str); 5] = [
    ("reached", "触达（消息或到店）", "Reached (message or visit)"),
    ("visited", "进店浏览", "Visited"),
    ("picked", "挑选加购", "Picked (added to cart)"),
    ("bought", "下单购买", "Bought"),
    ("bought_again", "再次购买", "Bought again"),
];

/// Store-level insights.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightsSummary {
    /// Golden hours.
    pub golden_hours: GoldenHours,
    /// 7-day retention of new members by weekly cohort, oldest first.
    pub retention: Vec<Cohort>,
    /// Repurchase over the RFM window.
    pub repurchase: Repurchase,
    /// Base groups per store (split at `community.groupSize`).
    pub base_groups: Vec<GroupSize>,
    /// VIP groups per store.
    pub vip_groups: Vec<GroupSize>,
    /// VIPs now.
    pub vip_members: usize,
    /// Who stays, joins and leaves the VIPs since a month ago.
    pub vip_review: ReviewCounts,
    /// The key path over the window: reached → visited → picked → bought → bought again.
    pub funnel: Vec<FunnelStage>,
    /// The stage whose conversion from the one before is lowest (断点): fix it first.
    pub breakpoint: Option<&'static str>,
    /// The store's best channel: most message clicks in the window (`None` without clicks).
    pub best_channel: Option<String>,
    /// The categories bought most, for all buyers and per value group (value group 价值用户 second).
    pub categories: Vec<super::categories::CategoryGroup>,
}

/// Insights with the per-member parts.
#[derive(Debug, Clone)]
pub struct Insights {
    /// Store level.
    pub summary: InsightsSummary,
    /// Best slot per member.
    pub best_slot: Vec<Option<BestSlot>>,
    /// Home store per member (index into the orders' store names).
    pub home_store: Vec<Option<u32>>,
    /// Whether each member is a VIP now.
    pub vip: Vec<bool>,
    /// Base group of each member: (store, number).
    pub base_group: Vec<Option<(u32, u32)>>,
    /// Preferred channel per member (index into `channel_names`).
    pub preferred_channel: Vec<Option<PreferredChannel>>,
    /// The events' channel names (index 0 is "").
    pub channel_names: Vec<String>,
}

/// Compute the insights. `member_of` maps the orders' member index to the
/// analysis' member index (`member_of_event` the events'); `registered`
/// gives each member's registration.
pub fn insights(
    data: &Dataset,
    member_of: &[u32],
    member_of_event: &[Option<u32>],
    registered: &[Option<Day>],
    as_of: Day,
    window_start: Day,
    rules: &Rules,
) -> Insights {
    let n = registered.len();
    // Purchases before the analysis date as (member, day, minute, store),
    // read from the orders each time they are needed (no copy per purchase).
    let purchases = || {
        data.orders.iter().flat_map(move |o| {
            (0..o.len())
                .filter(move |&i| o.kind[i] == OrderKind::Purchase && o.day(i) < as_of)
                .map(move |i| (member_of[o.member(i) as usize], o.day(i), o.minute(i), o.store(i)))
        })
    };
    // Golden hours over the window (orders given without a time of day —
    // exactly 00:00 — are left out rather than crowding "before 8:00").
    let timed = || purchases().filter(|&(_, day, minute, _)| day >= window_start && minute != 0);
    let clicks = data.events.iter().flat_map(|e| {
        (0..e.len())
            .filter(|&i| e.kind[i] == EventType::MessageClicked && e.day[i] < as_of)
            .map(|i| (e.day[i], e.minute[i]))
    });
    let (grid, slots) = Grid::with_members(n, timed().map(|(m, day, minute, _)| (m, day, minute)), clicks);
    let store_best = grid.best_slot();
    let best_slot = best_slots(&slots, store_best, &rules.timing);
    drop(slots);

    // Preferred channels from the window's clicks that name a channel.
    let (mut click_member, mut click_channel) = (Vec::new(), Vec::new());
    let mut channel_names = Vec::new();
    if let Some((e, channels)) = data.events.as_ref().and_then(|e| e.channel.as_ref().map(|c| (e, c))) {
        channel_names = channels.names.names().iter().map(|s| s.to_string()).collect();
        for i in 0..e.len() {
            let channel = channels.of.get(i).copied().unwrap_or(0);
            let in_window = e.day[i] >= window_start && e.day[i] < as_of;
            let member = member_of_event.get(e.member(i) as usize).copied().flatten();
            if let (EventType::MessageClicked, true, true, Some(m)) = (e.kind[i], in_window, channel != 0, member) {
                click_member.push(m);
                click_channel.push(channel);
            }
        }
    }
    let preferred_channel = preferred_channels(n, &click_member, &click_channel, &rules.timing);
    let best_channel = super::timing::best_channel(&click_channel).and_then(|c| channel_names.get(c as usize).cloned());

    // Retention and repurchase from each member's purchase days.
    let (starts, days) = super::group_by_member_with(n, |put| purchases().for_each(|(m, d, _, _)| put(m, d)));
    let retention = cohorts(registered, &days, &starts, as_of, &rules.retention);
    let repurchase = repurchase(&days, &starts, window_start, as_of);
    // The funnel: the furthest stage each member reached in the window.
    let mut stage: Vec<u8> = (0..n)
        .map(|m| match days[starts[m]..starts[m + 1]].iter().filter(|&&d| d >= window_start).count() {
            0 => 0,
            1 => 4,
            _ => 5,
        })
        .collect();
    // VIPs now and a month ago, from the grouped days (a read in order, not
    // another pass over the orders).
    let member_days = || (0..n).flat_map(|m| days[starts[m]..starts[m + 1]].iter().map(move |&d| (m as u32, d)));
    let vips = vip_members(n, member_days(), as_of, &rules.community);
    let before = vip_members(n, member_days(), month_before(as_of), &rules.community);
    // The purchase days go before the home stores group purchases again.
    drop((starts, days));

    // Community: home stores and base groups.
    let home_store = home_stores(n, purchases().map(|(m, d, _, s)| (m, s, d)));
    let base = base_groups(&home_store, &rules.community);
    let review = vip_review(&before, &vips);
    let store_name = |s: u32| data.orders.as_ref().map_or("", |o| o.stores.name(s)).to_string();
    let sizes = |groups: &[Group]| -> Vec<GroupSize> {
        groups
            .iter()
            .map(|g| GroupSize { store: store_name(g.store), number: g.number, members: g.members.len() })
            .collect()
    };
    let mut base_group = vec![None; n];
    for g in &base {
        for &m in &g.members {
            base_group[m as usize] = Some((g.store, g.number));
        }
    }
    let mut vip = vec![false; n];
    for &m in &vips {
        vip[m as usize] = true;
    }
    // Events move members further along the funnel.
    if let Some(e) = &data.events {
        let member_of = |i: usize| member_of_event.get(e.member(i) as usize).copied().flatten();
        for i in (0..e.len()).filter(|&i| e.day[i] >= window_start && e.day[i] < as_of) {
            let reached = match e.kind[i] {
                EventType::AddToCart => 3,
                EventType::Visit => 2,
                EventType::MessageSent | EventType::MessageClicked => 1,
                _ => 0,
            };
            if let Some(m) = member_of(i) {
                stage[m as usize] = stage[m as usize].max(reached);
            }
        }
    }
    let mut funnel = Vec::with_capacity(FUNNEL.len());
    for (k, &(key, label, label_en)) in FUNNEL.iter().enumerate() {
        let members = stage.iter().filter(|&&s| usize::from(s) > k).count() as u64;
        let previous = funnel.last().map_or(members, |s: &FunnelStage| s.members);
        let rate = if previous > 0 { members as f64 / previous as f64 } else { 0.0 };
        funnel.push(FunnelStage { key, label, label_en, members, rate });
    }
    let breakpoint =
        funnel.iter().skip(1).filter(|s| s.rate < 1.0).min_by(|a, b| a.rate.total_cmp(&b.rate)).map(|s| s.key);
    let to_rows = |rows: &[[u32; SLOTS]; 7]| rows.to_vec();
    let summary = InsightsSummary {
        golden_hours: GoldenHours {
            slots: SLOT_LABELS.iter().map(|&(key, label, label_en)| SlotLabel { key, label, label_en }).collect(),
            purchases: to_rows(&grid.purchases),
            clicks: to_rows(&grid.clicks),
            best_slot: store_best.map(|s| SLOT_LABELS[s].0),
        },
        retention,
        repurchase,
        base_groups: sizes(&base),
        vip_groups: sizes(&vip_groups(&home_store, &vips, &rules.community)),
        vip_members: vips.len(),
        vip_review: ReviewCounts { stays: review.stays.len(), joins: review.joins.len(), leaves: review.leaves.len() },
        funnel,
        breakpoint,
        best_channel,
        categories: Vec::new(),
    };
    Insights { summary, best_slot, home_store, vip, base_group, preferred_channel, channel_names }
}
