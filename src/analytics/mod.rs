//! Analysis: from a [`Dataset`], the [`Rules`] and an analysis date to a
//! [`Profile`] per member and a store [`Summary`]. Computed once per
//! (data, rules, as_of) and queried many times ([`query`]).
//!
//! Members are the union of the members file and every member id in the
//! orders file (members-file order first). Orders on or after `as_of` are
//! ignored, so an analysis dated in the past sees the store as it was then.

pub mod activity;
pub mod categories;
pub mod clv;
pub mod community;
pub mod condition;
pub mod custom_tags;
pub mod groups;
pub mod insights;
pub mod levels;
pub mod lifecycle;
pub mod predict;
pub mod query;
pub mod retention;
pub mod rfm;
pub mod tags;
pub mod timing;

use crate::error::{ErrorKind, Result};
use crate::model::{Dataset, Day, Fen, Interner, OrderKind, Texts, format_day};
use crate::rules::Rules;
pub use groups::{Grade, ValueGroup};
pub use lifecycle::{Lifecycle, Move};
pub use rfm::{Rfm, RfmClass};
use serde::Serialize;
use std::sync::Arc;

/// Everything known about one member after analysis.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Row in the members file, when the member is in it.
    pub member_row: Option<u32>,
    /// First purchase before the analysis date, ever.
    pub first_purchase: Option<Day>,
    /// Last purchase before the analysis date, ever.
    pub last_purchase: Option<Day>,
    /// R, F, M over the window; `None` without a purchase in the window.
    pub rfm: Option<Rfm>,
    /// Value group; `None` for prospects (registered, never bought).
    pub value_group: Option<ValueGroup>,
    /// Seed 001's grade.
    pub grade: Grade,
    /// Lifecycle stage on the analysis date (`None` only for a member registered after it).
    pub lifecycle: Option<Lifecycle>,
    /// Member level by growth value.
    pub level: levels::Level,
    /// Behaviour tags that fired, with their evidence.
    pub tags: Vec<tags::Fired>,
    /// The rules' custom tags that fired, with the values their expressions read.
    pub custom_tags: Vec<custom_tags::Fired>,
}

/// Members with a tag: automatic, custom (the rules') or manual (imported).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagCount {
    /// The tag's key (a manual tag's key is its text).
    pub key: String,
    /// 中文 label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Members with it.
    pub members: u64,
    /// Their revenue in the window, in fen.
    pub revenue_fen: Fen,
    /// `auto` (seed 003's rules), `custom` (`tags.custom`) or `manual` (the members file's 会员标签).
    pub source: &'static str,
}

/// One line of a breakdown: a class, group or grade with its members and revenue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    /// Stable key.
    pub key: String,
    /// 中文 label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Members in it.
    pub members: u64,
    /// Their revenue in the window, in fen.
    pub revenue_fen: Fen,
}

/// Mean R, F and M of the scored members.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Means {
    /// Mean recency in days.
    pub r: f64,
    /// Mean purchases.
    pub f: f64,
    /// Mean spend in fen.
    pub m_fen: f64,
}

/// The store at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Analysis date (`YYYY-MM-DD`).
    pub as_of: String,
    /// First day in the window.
    pub window_start: String,
    /// `quintile` or `thresholds`.
    pub scoring: crate::rules::Scoring,
    /// Members known from either file.
    pub members: u64,
    /// Registered members who never bought.
    pub prospects: u64,
    /// Members with a purchase in the window.
    pub buyers_in_window: u64,
    /// Purchases in the window.
    pub orders_in_window: u64,
    /// Net revenue from members in the window, in fen.
    pub revenue_fen: Fen,
    /// Revenue / orders, in fen.
    pub average_order_value_fen: Fen,
    /// Share of window buyers with two or more purchases.
    pub repurchase_rate: f64,
    /// Share of window revenue brought by the top 20% of buyers (二八法则).
    pub top20_revenue_share: f64,
    /// Means used for the H/L classes.
    pub means: Means,
    /// The eight RFM classes.
    pub classes: Vec<Count>,
    /// The four value groups.
    pub value_groups: Vec<Count>,
    /// The four grades.
    pub grades: Vec<Count>,
    /// The five lifecycle stages.
    pub lifecycle: Vec<Count>,
    /// The member levels of the rules, lowest first.
    pub levels: Vec<Count>,
    /// Members per tag: the eleven automatic tags, then the custom tags of
    /// the rules, then the manual tags of the members file.
    pub tags: Vec<TagCount>,
    /// Members per home store (the store of most purchases, else the members file's 所属门店).
    pub stores: Vec<Count>,
    /// Members per preferred channel (their own or, flagged on the rows, the store's best).
    pub preferred_channels: Vec<Count>,
    /// Members per benefit card held (权益卡, members file).
    pub benefit_cards: Vec<Count>,
    /// Start of the period the moves are counted over.
    pub lifecycle_since: String,
    /// Members who moved between stages since `lifecycleSince` (and who stayed).
    pub lifecycle_moves: Vec<Move>,
}

/// The result of [`analyze`].
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The analysis date.
    pub as_of: Day,
    /// Profiles, by member index.
    pub profiles: Vec<Profile>,
    /// The store summary.
    pub summary: Summary,
    /// Golden hours, retention and community, store level and per member.
    pub insights: insights::Insights,
    /// Visits, cart adds and two years of orders, by member index (crowd fields).
    pub activity: Vec<activity::Activity>,
    /// The custom tags of the rules the analysis used (`Profile::custom_tags` index them).
    pub custom_tags: Vec<custom_tags::CustomTag>,
    /// The points book as of the analysis date, when a custom tag needed it
    /// (the workspace's points reports reuse it instead of replaying again).
    pub points: Option<crate::loyalty::points::Book>,
    /// Member ids, interned in member-index order.
    index: Arc<Interner>,
    /// The member index of each id of the orders file (by its index there).
    pub(crate) order_member: Vec<u32>,
    /// The member index of each id of the events file, if a member.
    pub(crate) event_member: Vec<Option<u32>>,
}

impl Analysis {
    /// The member index of an id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.index.get(id.trim()).map(|i| i as usize)
    }

    /// Member ids, by member index.
    pub fn ids(&self) -> &Texts {
        self.index.names()
    }
}

/// Per-member R, F, M and scores, column by column, by member index (what
/// crosses to JS as typed arrays: a million members never become a million
/// objects). Members without a purchase in the window have R = F = M = 0
/// and scores 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmColumns {
    /// The analysis date.
    pub as_of: Day,
    /// Member ids, by member index (`ids.names()`, the same order as
    /// [`Analysis::ids`]); without a members file, the orders' own table of
    /// ids, shared rather than copied.
    pub ids: Arc<Interner>,
    /// Recency in days (0 = no purchase in the window).
    pub r: Vec<u32>,
    /// Purchases in the window.
    pub f: Vec<u32>,
    /// Spend in fen (exact as f64 below 2^53).
    pub m_fen: Vec<f64>,
    /// R, F, M scores interleaved: `[r0, f0, m0, r1, f1, m1, …]`.
    pub scores: Vec<u8>,
}

/// The default analysis date: the day after the latest record (order or
/// registration), so that the same files give the same answer tomorrow.
pub fn default_as_of(data: &Dataset) -> Option<Day> {
    let orders = data.orders.as_ref().and_then(|o| o.paid.days().max());
    let members = data.members.as_ref().and_then(|m| m.registered.iter().flatten().max().copied());
    orders.max(members).map(|d| d + 1)
}

/// `as_of`, else [`default_as_of`]; `NO_DATA` without orders or members.
fn date_or_default(data: &Dataset, as_of: Option<Day>) -> Result<Day> {
    if data.orders.is_none() && data.members.is_none() {
        return Err(ErrorKind::NoData.into());
    }
    as_of.or_else(|| default_as_of(data)).ok_or_else(|| ErrorKind::NoData.into())
}

/// RFM alone (DOMAIN §3), without the other modules: what [`analyze`]
/// puts on the profiles, for a caller that wants only R, F, M and scores.
///
/// ```
/// use member_analytics::{Workspace, ingest::{Kind, LoadOptions}};
/// let mut ws = Workspace::new();
/// let csv = "会员ID,支付时间,实付金额\nM1,2026-03-05,12.50\nM1,2026-03-09,3\nM2,2026-03-01,8\n";
/// ws.load(Kind::Orders, csv.as_bytes(), &LoadOptions::default()).unwrap();
/// let c = ws.rfm(None).unwrap();
/// assert_eq!((c.ids.name(0), c.r[0], c.f[0], c.m_fen[0]), ("M1", 1, 2, 1550.0));
/// ```
pub fn rfm(data: &Dataset, rules: &Rules, as_of: Option<Day>) -> Result<RfmColumns> {
    let as_of = date_or_default(data, as_of)?;
    let window_start = as_of - rules.rfm.window_days as Day;
    let (index, order_member) = universe(data);
    let n = index.len();
    // The running totals are the columns: R as the fewest days from a
    // purchase in the window to the analysis date (0: none yet), F and M.
    let mut measures = rfm::Measures { r: vec![0; n], f: vec![0; n], m: vec![0; n] };
    if let Some(orders) = &data.orders {
        let member_of = |i: usize| {
            let id = orders.member(i);
            order_member.as_ref().map_or(id, |m| m[id as usize]) as usize
        };
        for i in 0..orders.len() {
            let day = orders.day(i);
            if !(window_start..as_of).contains(&day) {
                continue;
            }
            match orders.kind[i] {
                OrderKind::Purchase => {
                    let (member, days) = (member_of(i), (as_of - day) as u32);
                    let r = &mut measures.r[member];
                    *r = if *r == 0 { days } else { (*r).min(days) };
                    measures.f[member] += 1;
                    measures.m[member] += orders.net.at(i);
                }
                OrderKind::Adjustment => measures.m[member_of(i)] += orders.net.at(i),
                OrderKind::NotPurchase => {}
            }
        }
    }
    // As in [`Scored::of`]: M floors at 0, and is 0 without a purchase in the window.
    for (m, &f) in measures.m.iter_mut().zip(&measures.f) {
        *m = if f == 0 { 0 } else { (*m).max(0) };
    }
    let scores = rfm::score(&measures, rules.rfm.scoring, &rules.rfm.thresholds);
    let rfm::Measures { r, f, m } = measures;
    // In place: an f64 takes the room of the i64 it replaces.
    let m_fen = m.into_iter().map(|m| m as f64).collect();
    Ok(RfmColumns { as_of, ids: index, r, f, m_fen, scores: scores.into_flattened() })
}

/// The member universe: the ids of the members file first (a registered
/// member's index is their row: the importer interned them), then the
/// buyers it lacks; and the member index of each id of the orders file,
/// `None` when the orders' own ids are the universe (no members file),
/// shared rather than copied.
fn universe(data: &Dataset) -> (Arc<Interner>, Option<Vec<u32>>) {
    match (&data.members, &data.orders) {
        (None, Some(o)) => (Arc::clone(&o.ids), None),
        _ => {
            let mut index = data.members.as_ref().map_or_else(Interner::default, |m| m.ids.clone());
            let order_member = data
                .orders
                .as_ref()
                .map_or_else(Vec::new, |o| o.ids.names().iter().map(|id| index.intern(id)).collect());
            (Arc::new(index), Some(order_member))
        }
    }
}

/// The member universe and one pass over the orders before the analysis
/// date: what RFM needs, and what the rest of [`analyze`] builds on.
struct Purchases {
    /// Member ids ([`universe`]).
    index: Arc<Interner>,
    /// The member index of each id of the orders file.
    order_member: Vec<u32>,
    /// Row in the members file, by member index.
    member_row: Vec<Option<u32>>,
    /// Each member's purchases, by member index.
    acc: Vec<Acc>,
}

/// One member's purchases before the analysis date.
#[derive(Clone, Copy, Default)]
struct Acc {
    first: Option<Day>,
    last: Option<Day>,
    /// Last purchase before the start of the lifecycle period.
    last_before_period: Option<Day>,
    /// Purchases in the RFM window, their net spend and the largest one.
    f: u32,
    m: Fen,
    max_order: Fen,
}

impl Purchases {
    fn of(data: &Dataset, as_of: Day, rules: &Rules) -> Purchases {
        let window_start = as_of - rules.rfm.window_days as Day;
        let period_start = as_of - rules.lifecycle.period_days as Day;
        let registered_members = data.members.as_ref().map_or(0, |m| m.ids.len());
        let (index, order_member) = universe(data);
        let order_member = order_member.unwrap_or_else(|| (0..index.len() as u32).collect());
        let n = index.len();
        let member_row = (0..n).map(|i| (i < registered_members).then_some(i as u32)).collect();
        let mut acc = vec![Acc::default(); n];
        if let Some(orders) = &data.orders {
            for i in 0..orders.len() {
                let day = orders.day(i);
                if day >= as_of {
                    continue;
                }
                let a = &mut acc[order_member[orders.member(i) as usize] as usize];
                let in_window = day >= window_start;
                match orders.kind[i] {
                    OrderKind::Purchase => {
                        a.first = Some(a.first.map_or(day, |d| d.min(day)));
                        a.last = Some(a.last.map_or(day, |d| d.max(day)));
                        if day < period_start {
                            a.last_before_period = Some(a.last_before_period.map_or(day, |d| d.max(day)));
                        }
                        if in_window {
                            a.f += 1;
                            a.m += orders.net.at(i);
                            a.max_order = a.max_order.max(orders.net.at(i));
                        }
                    }
                    OrderKind::Adjustment if in_window => a.m += orders.net.at(i),
                    _ => {}
                }
            }
        }
        Purchases { index, order_member, member_row, acc }
    }
}

/// The members who bought in the window, with their measures, scores and classes.
struct Scored {
    /// Their member indexes, ascending.
    scored: Vec<usize>,
    measures: rfm::Measures,
    scores: Vec<[u8; 3]>,
    classes: Vec<RfmClass>,
}

impl Scored {
    fn of(acc: &[Acc], as_of: Day, rules: &Rules) -> Scored {
        let scored: Vec<usize> = (0..acc.len()).filter(|&i| acc[i].f > 0).collect();
        let measures = rfm::Measures {
            r: scored.iter().map(|&i| (as_of - acc[i].last.unwrap_or(as_of)) as u32).collect(),
            f: scored.iter().map(|&i| acc[i].f).collect(),
            // A refund booked later than its order can exceed the window's spend: M floors at 0.
            m: scored.iter().map(|&i| acc[i].m.max(0)).collect(),
        };
        let scores = rfm::score(&measures, rules.rfm.scoring, &rules.rfm.thresholds);
        let classes = rfm::classes(&measures);
        Scored { scored, measures, scores, classes }
    }
}

/// Analyse `data` under `rules` as of `as_of` (default: [`default_as_of`]).
pub fn analyze(data: &Dataset, rules: &Rules, as_of: Option<Day>) -> Result<Analysis> {
    let as_of = date_or_default(data, as_of)?;
    let window_start = as_of - rules.rfm.window_days as Day;
    let period_start = as_of - rules.lifecycle.period_days as Day;

    let Purchases { index, order_member, member_row, acc } = Purchases::of(data, as_of, rules);
    let n = index.len();

    let member_of_event: Vec<Option<u32>> =
        data.events.as_ref().map(|e| e.ids.names().iter().map(|id| index.get(id)).collect()).unwrap_or_default();
    // The levels, from each member's growth entries before the analysis
    // date — purchases and refunds in fen, event bonuses as growth points ×
    // 100 — as sources (4 bytes each) grouped by member; the grouping is gone
    // before the per-member tables below are made (wasm memory never
    // shrinks: the peak is what counts).
    let levels: Vec<levels::Level> = {
        let (growth_start, growth) =
            group_by_member_with(n, |put| visit_growth(data, &order_member, &member_of_event, as_of, rules, put));
        let mut ledger: Vec<(Day, Fen)> = Vec::new();
        (0..n)
            .map(|i| {
                ledger.clear();
                let sources = &growth[growth_start[i]..growth_start[i + 1]];
                ledger.extend(sources.iter().map(|&source| growth_entry(data, rules, source)));
                levels::level(&mut ledger, as_of, rules)
            })
            .collect()
    };

    let Scored { scored, measures, scores, classes } = Scored::of(&acc, as_of, rules);
    // The RFM of the k-th scored member (`scored[k]`).
    let rfm_at = |k: usize| Rfm {
        r: measures.r[k],
        f: measures.f[k],
        m: measures.m[k],
        max_order: acc[scored[k]].max_order,
        scores: scores[k],
        class: classes[k],
    };

    let registered = |i: usize| -> Option<Day> {
        let row = member_row[i]? as usize;
        data.members.as_ref().and_then(|m| m.registered.get(row).copied().flatten())
    };
    let mut stage_moves = Vec::with_capacity(n);
    // The profiles, then their tags: the per-member facts the tags read are
    // made once the running totals are gone.
    let mut next_scored = (0..scored.len()).peekable();
    let mut profiles: Vec<Profile> = (0..n)
        .zip(levels)
        .map(|(i, level)| {
            let a = &acc[i];
            let lifecycle = Lifecycle::at(as_of, registered(i), a.first, a.last, rules);
            let first_before = a.first.filter(|&d| d < period_start);
            let before = Lifecycle::at(period_start, registered(i), first_before, a.last_before_period, rules);
            stage_moves.push((before, lifecycle));
            let rfm = next_scored.next_if(|&k| scored[k] == i).map(rfm_at);
            let value_group = a.last.map(|last| ValueGroup::of((as_of - last) as u32, rfm.map(|x| x.scores), rules));
            Profile {
                member_row: member_row[i],
                first_purchase: a.first,
                last_purchase: a.last,
                rfm,
                value_group,
                grade: Grade::of(value_group, rfm.map(|x| x.scores), rules),
                lifecycle,
                level,
                tags: Vec::new(),
                custom_tags: Vec::new(),
            }
        })
        .collect();
    drop(acc);
    // The store's median average order value, for the "big basket" tags.
    let mut aovs: Vec<Fen> = profiles.iter().filter_map(|p| p.rfm.map(|r| r.aov())).collect();
    aovs.sort_unstable();
    let store_median_aov_fen = aovs.get(aovs.len() / 2).copied().unwrap_or(0);
    let facts =
        tags::facts_from_lines_and_events(data, &order_member, &member_of_event, n, window_start, as_of, &rules.tags);
    for (p, facts) in profiles.iter_mut().zip(facts) {
        let rfm = p.rfm;
        let facts = tags::Facts {
            purchases: rfm.map_or(0, |r| r.f),
            aov_fen: rfm.map_or(0, |r| r.aov()),
            store_median_aov_fen,
            ..facts
        };
        p.tags = tags::tags(&facts, &rules.tags);
    }

    let registered_all: Vec<Option<Day>> = (0..n).map(registered).collect();
    let mut insights =
        insights::insights(data, &order_member, &member_of_event, &registered_all, as_of, window_start, rules);
    let groups: Vec<Option<ValueGroup>> = profiles.iter().map(|p| p.value_group).collect();
    insights.summary.categories =
        categories::categories(data, &order_member, &groups, window_start, as_of, &rules.categories);
    let mut summary = summarize(&profiles, &measures, as_of, window_start, rules);
    summary.lifecycle_since = format_day(period_start);
    summary.lifecycle_moves = lifecycle::moves(stage_moves.into_iter());
    let activity = activity::activity(data, &order_member, &member_of_event, n, as_of);
    let mut analysis = Analysis {
        as_of,
        profiles,
        summary,
        insights,
        activity,
        custom_tags: rules.tags.custom.clone(),
        points: None,
        index,
        order_member,
        event_member: member_of_event,
    };
    // After every other metric: the breakdowns by home store, channel and
    // card, then the custom tags (which may read any of them).
    // The points book only when a custom tag reads a ledger field (it replays every ledger).
    let book = rules
        .tags
        .custom
        .iter()
        .any(|t| condition::Expr::reads_ledger(&t.when))
        .then(|| crate::loyalty::points::Book::new(data, &analysis, rules, as_of));
    let view = query::View {
        analysis: &analysis,
        prediction: None,
        data,
        levels: &rules.levels.levels,
        points: book.as_ref(),
    };
    let (stores, channels, cards) = query::breakdowns(&view);
    let custom = custom_tags::evaluate(&view, &rules.tags.custom);
    let manual = query::manual_tag_counts(&view);
    for (p, fired) in analysis.profiles.iter_mut().zip(custom) {
        p.custom_tags = fired;
    }
    let s = &mut analysis.summary;
    (s.stores, s.preferred_channels, s.benefit_cards) = (stores, channels, cards);
    for (k, tag) in rules.tags.custom.iter().enumerate() {
        let with: Vec<&Profile> =
            analysis.profiles.iter().filter(|p| p.custom_tags.iter().any(|f| f.index as usize == k)).collect();
        let name_en = if tag.name_en.is_empty() { &tag.name } else { &tag.name_en };
        analysis.summary.tags.push(TagCount {
            key: tag.key.clone(),
            label: tag.name.clone(),
            label_en: name_en.clone(),
            members: with.len() as u64,
            revenue_fen: with.iter().map(|p| p.rfm.map_or(0, |r| r.m)).sum(),
            source: "custom",
        });
    }
    analysis.summary.tags.extend(manual);
    analysis.points = book;
    Ok(analysis)
}

fn summarize(profiles: &[Profile], measures: &rfm::Measures, as_of: Day, window_start: Day, rules: &Rules) -> Summary {
    let buyers = measures.f.len() as u64;
    let orders: u64 = measures.f.iter().map(|&f| u64::from(f)).sum();
    let revenue: Fen = measures.m.iter().sum();
    let repeat = measures.f.iter().filter(|&&f| f >= 2).count() as u64;
    let mut spend = measures.m.clone();
    spend.sort_unstable_by(|a, b| b.cmp(a));
    let top: Fen = spend.iter().take(spend.len().div_ceil(5)).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let mean = |sum: f64| ratio(sum, buyers as f64);

    let count = |labels: (&str, &str, &str), pick: &dyn Fn(&Profile) -> bool| {
        let (members, revenue_fen) = profiles
            .iter()
            .filter(|p| pick(p))
            .fold((0u64, 0 as Fen), |(n, m), p| (n + 1, m + p.rfm.map_or(0, |r| r.m)));
        Count { key: labels.0.into(), label: labels.1.into(), label_en: labels.2.into(), members, revenue_fen }
    };
    Summary {
        as_of: format_day(as_of),
        window_start: format_day(window_start),
        scoring: rules.rfm.scoring,
        members: profiles.len() as u64,
        prospects: profiles.iter().filter(|p| p.value_group.is_none()).count() as u64,
        buyers_in_window: buyers,
        orders_in_window: orders,
        revenue_fen: revenue,
        average_order_value_fen: rfm::div_round(revenue, orders as i64),
        repurchase_rate: ratio(repeat as f64, buyers as f64),
        top20_revenue_share: ratio(top as f64, revenue as f64),
        means: Means {
            r: mean(measures.r.iter().map(|&x| f64::from(x)).sum()),
            f: mean(measures.f.iter().map(|&x| f64::from(x)).sum()),
            m_fen: mean(revenue as f64),
        },
        classes: RfmClass::ALL.iter().map(|&c| count(c.labels(), &|p| p.rfm.is_some_and(|r| r.class == c))).collect(),
        value_groups: ValueGroup::ALL.iter().map(|&g| count(g.labels(), &|p| p.value_group == Some(g))).collect(),
        grades: Grade::ALL.iter().map(|&g| count(g.labels(), &|p| p.grade == g)).collect(),
        lifecycle: Lifecycle::ALL.iter().map(|&s| count(s.labels(), &|p| p.lifecycle == Some(s))).collect(),
        tags: tags::Tag::ALL
            .iter()
            .map(|&t| {
                let (key, _, zh, en) = t.labels();
                let c = count((key, zh, en), &|p| p.tags.iter().any(|f| f.tag == t));
                TagCount {
                    key: c.key,
                    label: c.label,
                    label_en: c.label_en,
                    members: c.members,
                    revenue_fen: c.revenue_fen,
                    source: "auto",
                }
            })
            .collect(),
        stores: Vec::new(),
        preferred_channels: Vec::new(),
        benefit_cards: Vec::new(),
        levels: rules
            .levels
            .levels
            .iter()
            .enumerate()
            .map(|(k, l)| count((&l.key, &l.name, &l.name_en), &|p| p.level.index == k))
            .collect(),
        lifecycle_since: String::new(),
        lifecycle_moves: Vec::new(),
    }
}

/// Each member's growth entries before `as_of` (member index, (day, fen)):
/// purchases and refunds in fen, event bonuses as growth points × 100, as
/// [`levels::level`] and [`levels::timeline`] take them. `order_member` and
/// `member_of_event` map the files' member indices to the analysis' members.
pub(crate) fn growth_entries(
    data: &Dataset,
    order_member: &[u32],
    member_of_event: &[Option<u32>],
    as_of: Day,
    rules: &Rules,
) -> Vec<(u32, (Day, Fen))> {
    let mut entries = Vec::new();
    visit_growth(data, order_member, member_of_event, as_of, rules, &mut |m, source| {
        entries.push((m, growth_entry(data, rules, source)))
    });
    entries
}

/// [`growth_entries`] grouped by member ([`group_by_member`]; `n` members),
/// without the list of all entries.
pub(crate) fn growth_by_member(
    data: &Dataset,
    order_member: &[u32],
    member_of_event: &[Option<u32>],
    n: usize,
    as_of: Day,
    rules: &Rules,
) -> (Vec<usize>, Vec<(Day, Fen)>) {
    let (starts, sources) =
        group_by_member_with(n, |put| visit_growth(data, order_member, member_of_event, as_of, rules, put));
    (starts, sources.iter().map(|&source| growth_entry(data, rules, source)).collect())
}

/// Calls `put(member, source)` for each growth entry of [`growth_entries`],
/// in its order. A source is 4 bytes where an entry is 16: an order row,
/// or `orders.len()` + an event row ([`growth_entry`] reads the entry).
fn visit_growth(
    data: &Dataset,
    order_member: &[u32],
    member_of_event: &[Option<u32>],
    as_of: Day,
    rules: &Rules,
    put: &mut dyn FnMut(u32, u32),
) {
    let mut orders_len = 0;
    if let Some(orders) = &data.orders {
        orders_len = orders.len() as u32;
        for i in (0..orders.len()).filter(|&i| orders.day(i) < as_of && orders.kind[i] != OrderKind::NotPurchase) {
            put(order_member[orders.member(i) as usize], i as u32);
        }
    }
    if let Some(events) = &data.events {
        for e in (0..events.len()).filter(|&e| events.day[e] < as_of) {
            let bonus = rules.levels.bonus(events.kind[e]);
            if let (Some(m), true) = (member_of_event.get(events.member(e) as usize).copied().flatten(), bonus > 0) {
                put(m, orders_len + e as u32);
            }
        }
    }
}

/// The growth entry (day, fen) of a source of [`visit_growth`].
fn growth_entry(data: &Dataset, rules: &Rules, source: u32) -> (Day, Fen) {
    let orders_len = data.orders.as_ref().map_or(0, |o| o.len());
    match (data.orders.as_ref(), data.events.as_ref()) {
        (Some(orders), _) if (source as usize) < orders_len => {
            (orders.day(source as usize), orders.net.at(source as usize))
        }
        (_, Some(events)) => {
            let e = source as usize - orders_len;
            (events.day[e], rules.levels.bonus(events.kind[e]) * 100)
        }
        _ => (0, 0),
    }
}

/// Values grouped by member in one allocation: member `m`'s are
/// `values[starts[m]..starts[m + 1]]`, in input order (`n` members;
/// indices at or past `n` are dropped).
pub(crate) fn group_by_member<T: Copy + Default>(n: usize, items: &[(u32, T)]) -> (Vec<usize>, Vec<T>) {
    group_by_member_with(n, |put| items.iter().for_each(|&(m, value)| put(m, value)))
}

/// [`group_by_member`] of the (member, value) pairs that `visit` gives to
/// the function it is passed, without a list of the pairs: `visit` is
/// called twice (to count, then to place) and must give the same pairs
/// both times.
pub(crate) fn group_by_member_with<T: Copy + Default>(
    n: usize,
    visit: impl Fn(&mut dyn FnMut(u32, T)),
) -> (Vec<usize>, Vec<T>) {
    let mut starts = vec![0usize; n + 1];
    visit(&mut |m, _| {
        if (m as usize) < n {
            starts[m as usize + 1] += 1;
        }
    });
    for k in 0..n {
        starts[k + 1] += starts[k];
    }
    let mut next = starts.clone();
    let mut values = vec![T::default(); starts[n]];
    visit(&mut |m, value| {
        if (m as usize) < n {
            values[next[m as usize]] = value;
            next[m as usize] += 1;
        }
    });
    (starts, values)
}

/// Parse an analysis date given by a caller (`2026-11-01`, or any form the
/// importer reads).
pub fn parse_as_of(text: &str) -> Result<Day> {
    crate::ingest::fields::parse_datetime(text)
        .map(|d| crate::model::day_of(d.date()))
        .map_err(|_| crate::Error::bad_options("asOf", format!("\"{text}\" is not a date (YYYY-MM-DD)")))
}

/// `YYYY-MM-DD` of an optional day.
pub(crate) fn opt_day(day: Option<Day>) -> Option<String> {
    day.map(format_day)
}
