//! Queries over an [`Analysis`]: a filtered, sorted page of member rows, and
//! one member's row. Phones are masked in every row (DOMAIN §14).

use super::condition::{Expr, Value};
use super::predict::Prediction;
use super::timing::SLOT_LABELS;
use super::{Analysis, Count, Grade, Lifecycle, Profile, RfmClass, TagCount, ValueGroup, opt_day};
use crate::error::{Error, ErrorKind, Result};
use crate::export::mask_phone;
use crate::model::{Dataset, Fen, format_day};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// What a query reads: the analysis, the prediction if one was made, and
/// the data (for phones and names).
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The latest analysis.
    pub analysis: &'a Analysis,
    /// The latest prediction, if `predict` has run since the analysis.
    pub prediction: Option<&'a Prediction>,
    /// The loaded data.
    pub data: &'a Dataset,
    /// The member levels the analysis used.
    pub levels: &'a [crate::rules::LevelRule],
    /// The points book as of the analysis date, when a query needs it.
    pub points: Option<&'a crate::loyalty::points::Book>,
}

impl View<'_> {
    fn level_keys(&self) -> String {
        self.levels.iter().map(|l| l.key.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// One member as a table row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    /// Member id.
    pub id: String,
    /// Phone, masked unless the caller asked otherwise.
    pub phone: String,
    /// Name or nickname.
    pub name: String,
    /// Registration date.
    pub registered_at: Option<String>,
    /// First purchase ever (before the analysis date).
    pub first_purchase: Option<String>,
    /// Last purchase ever (before the analysis date).
    pub last_purchase: Option<String>,
    /// Recency in days.
    pub r: Option<u32>,
    /// Purchases in the window.
    pub f: Option<u32>,
    /// Spend in the window, fen.
    pub m_fen: Option<Fen>,
    /// Average order value, fen.
    pub aov_fen: Option<Fen>,
    /// Largest order, fen.
    pub max_order_fen: Option<Fen>,
    /// R score 1–5.
    pub r_score: Option<u8>,
    /// F score 1–5.
    pub f_score: Option<u8>,
    /// M score 1–5.
    pub m_score: Option<u8>,
    /// RFM class.
    pub rfm_class: Option<RfmClass>,
    /// Value group (`None` for prospects).
    pub value_group: Option<ValueGroup>,
    /// Grade.
    pub grade: Grade,
    /// Lifecycle stage.
    pub lifecycle: Option<Lifecycle>,
    /// Member level key (`basic`, `silver`, … as in the rules).
    pub level: String,
    /// Growth value (成长值) on the last day with data.
    pub growth: i64,
    /// Growth value still needed for the next level (`None` at the top).
    pub to_next_level: Option<i64>,
    /// Behaviour tags with their evidence and levers.
    pub tags: Vec<TagRow>,
    /// Best time slot to reach the member (key of the golden-hours slots).
    pub best_slot: Option<&'static str>,
    /// Whether the best slot is the store's (too few purchases of their own).
    pub best_slot_is_store: bool,
    /// Preferred channel (the channel of most message clicks in the window).
    pub preferred_channel: Option<String>,
    /// Whether the preferred channel is the store's best (too few clicks of their own).
    pub preferred_channel_is_store: bool,
    /// Home store (where most purchases were made; else the members file's 所属门店).
    pub home_store: Option<String>,
    /// Base community group number within the home store.
    pub base_group: Option<u32>,
    /// A VIP now (community VIP rule).
    pub vip: bool,
    /// Probability of still being a customer (after `predict`).
    pub probability_alive: Option<f64>,
    /// Expected purchase days in the next 30 days (after `predict`).
    pub expected_purchases_30: Option<f64>,
    /// Lifetime value over the rules' horizon, discounted, fen (after `predict`).
    pub clv_fen: Option<Fen>,
    /// Expected date of the next order (after `predict`; `None` when unlikely ever).
    pub next_order_date: Option<String>,
    /// Spend in the window at risk: (1 − P(alive)) × M, fen (after `predict`).
    pub value_at_risk_fen: Option<Fen>,
    /// P(alive) below the rules' threshold.
    pub at_risk: bool,
}

/// A tag on a member row: automatic (seed 003's rules), custom (the
/// rules' `tags.custom`) or manual (imported with the members file).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagRow {
    /// Stable key, e.g. `stockpiler`; a manual tag's key is its text.
    pub tag: String,
    /// Family (中文): seed 003's, 自定义 (custom) or 手动 (manual).
    pub family: &'static str,
    /// 中文 name.
    pub label: String,
    /// English name.
    pub label_en: String,
    /// `auto`, `custom` or `manual`.
    pub source: &'static str,
    /// The numbers that fired it (none for a manual tag).
    pub evidence: Vec<TagEvidence>,
    /// What marketing works (中文; none for custom and manual tags).
    pub levers: &'static [&'static str],
}

/// One number behind a tag. Automatic tags give the measured value, the
/// threshold and the comparison; custom tags the value of each field their
/// expression read (a number, a text, a list, or `null`), without threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagEvidence {
    /// What was measured (`discountedShare`), or the field read (`aov`).
    pub metric: String,
    /// The member's value.
    pub value: serde_json::Value,
    /// The rule's threshold (automatic tags).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// `>=` or `<=` (automatic tags).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<&'static str>,
}

/// Which members, in which order, which page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MembersQuery {
    /// Only this value group (`value`, `potential`, `stable`, `churned`).
    pub value_group: Option<String>,
    /// Only this RFM class (`important_value`, …).
    pub rfm_class: Option<String>,
    /// Only this grade (`core`, `important`, `potential`, `ordinary`).
    pub grade: Option<String>,
    /// Only this lifecycle stage (`prospect`, `new`, `active`, `dormant`, `churned`).
    pub lifecycle: Option<String>,
    /// Only this member level (a key of `rules.levels.levels`).
    pub level: Option<String>,
    /// Substring of the member id or name.
    pub search: Option<String>,
    /// Only members at risk (needs `predict`).
    pub at_risk: Option<bool>,
    /// Only VIPs (or only non-VIPs).
    pub vip: Option<bool>,
    /// Only members matching this crowd expression (see [`super::condition`]).
    pub crowd: Option<String>,
    /// `<key>_<asc|desc>`, key one of `id r f m aov maxOrder lastPurchase
    /// clv probabilityAlive valueAtRisk`; default `m_desc`.
    pub sort: Option<String>,
    /// Rows to skip.
    pub offset: Option<usize>,
    /// Rows to return (default 50; `exportMembers` ignores it).
    pub limit: Option<usize>,
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembersPage {
    /// Members matching the filter.
    pub total: usize,
    /// First row's position.
    pub offset: usize,
    /// The rows.
    pub rows: Vec<MemberRow>,
}

#[derive(Clone, Copy)]
enum Key {
    Id,
    R,
    F,
    M,
    Aov,
    MaxOrder,
    LastPurchase,
    Clv,
    ProbabilityAlive,
    ValueAtRisk,
}

impl MembersQuery {
    /// Indices of the matching members, sorted (ties by id).
    pub fn select(&self, view: &View<'_>) -> Result<Vec<usize>> {
        let (analysis, data) = (view.analysis, view.data);
        let at_risk = self.at_risk.unwrap_or(false);
        if at_risk && view.prediction.is_none() {
            return Err(Error::bad_options("atRisk", "call predict() first"));
        }
        let group = parse_opt("valueGroup", &self.value_group, ValueGroup::parse)?;
        let class = parse_opt("rfmClass", &self.rfm_class, RfmClass::parse)?;
        let grade = parse_opt("grade", &self.grade, Grade::parse)?;
        let stage = parse_opt("lifecycle", &self.lifecycle, Lifecycle::parse)?;
        let level = match self.level.as_deref() {
            None | Some("") => None,
            Some(key) => Some(view.levels.iter().position(|l| l.key == key).ok_or_else(|| {
                Error::bad_options("level", format!("unknown level \"{key}\"; the rules define {}", view.level_keys()))
            })?),
        };
        let search = self.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let crowd = match self.crowd.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Expr::parse(text)?),
        };
        let (key, descending) = self.sort_key()?;
        let name = |i: usize| name_of(analysis, data, i);
        let picked: Vec<usize> = (0..analysis.profiles.len())
            .filter(|&i| {
                let p = &analysis.profiles[i];
                group.is_none_or(|g| p.value_group == Some(g))
                    && class.is_none_or(|c| p.rfm.is_some_and(|r| r.class == c))
                    && grade.is_none_or(|g| p.grade == g)
                    && stage.is_none_or(|s| p.lifecycle == Some(s))
                    && level.is_none_or(|l| p.level.index == l)
                    && crowd.as_ref().is_none_or(|c| c.matches(&|name| field_value(view, i, name)))
                    && search.is_none_or(|s| analysis.ids()[i].contains(s) || name(i).contains(s))
                    && (!at_risk || view.prediction.is_some_and(|p| p.at_risk(i)))
                    && self.vip.is_none_or(|v| analysis.insights.vip.get(i).copied().unwrap_or(false) == v)
            })
            .collect();
        let forecast = |i: usize| view.prediction.and_then(|p| p.members.get(i)).and_then(|f| f.as_ref());
        let value = |i: usize| -> Option<i64> {
            let p = &analysis.profiles[i];
            match key {
                Key::Id => None,
                Key::R => p.rfm.map(|r| i64::from(r.r)),
                Key::F => p.rfm.map(|r| i64::from(r.f)),
                Key::M => p.rfm.map(|r| r.m),
                Key::Aov => p.rfm.map(|r| r.aov()),
                Key::MaxOrder => p.rfm.map(|r| r.max_order),
                Key::LastPurchase => p.last_purchase.map(i64::from),
                Key::Clv => forecast(i).map(|f| f.clv_fen),
                // Per million: an exact integer order for probabilities.
                Key::ProbabilityAlive => {
                    forecast(i).and_then(|f| f.probability_alive).map(|x| (x * 1e6).round() as i64)
                }
                Key::ValueAtRisk => view.prediction.and_then(|p| p.value_at_risk(i, analysis)),
            }
        };
        // Each member's value once, and ids compared only between equal values.
        let ids = analysis.ids();
        let mut keyed: Vec<(Option<i64>, usize)> = picked.into_iter().map(|i| (value(i), i)).collect();
        keyed.sort_by(|&(va, a), &(vb, b)| {
            let by_id = || ids[a].cmp(&ids[b]);
            let by_value = match (va, vb) {
                (Some(x), Some(y)) if descending => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                // Members without the value go last either way.
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            match key {
                Key::Id if descending => by_id().reverse(),
                Key::Id => by_id(),
                _ => by_value.then_with(by_id),
            }
        });
        Ok(keyed.into_iter().map(|(_, i)| i).collect())
    }

    fn sort_key(&self) -> Result<(Key, bool)> {
        let sort = self.sort.as_deref().unwrap_or("m_desc");
        let (key, dir) = sort.rsplit_once('_').unwrap_or((sort, "asc"));
        let key = match key {
            "id" => Key::Id,
            "r" => Key::R,
            "f" => Key::F,
            "m" => Key::M,
            "aov" => Key::Aov,
            "maxOrder" => Key::MaxOrder,
            "lastPurchase" => Key::LastPurchase,
            "clv" => Key::Clv,
            "probabilityAlive" => Key::ProbabilityAlive,
            "valueAtRisk" => Key::ValueAtRisk,
            _ => return Err(bad_sort(sort)),
        };
        match dir {
            "asc" => Ok((key, false)),
            "desc" => Ok((key, true)),
            _ => Err(bad_sort(sort)),
        }
    }

    /// The page this query asks for.
    pub fn page(&self, view: &View<'_>) -> Result<MembersPage> {
        let picked = self.select(view)?;
        let offset = self.offset.unwrap_or(0);
        let limit = self.limit.unwrap_or(50);
        let rows = picked.iter().skip(offset).take(limit).map(|&i| row(view, i, true)).collect();
        Ok(MembersPage { total: picked.len(), offset, rows })
    }
}

fn bad_sort(sort: &str) -> Error {
    Error::bad_options(
        "sort",
        format!("\"{sort}\": use <key>_<asc|desc> with key id, r, f, m, aov, maxOrder or lastPurchase"),
    )
}

fn parse_opt<T>(field: &str, value: &Option<String>, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| Error::bad_options(field, format!("unknown value \"{v}\""))),
    }
}

fn name_of<'a>(analysis: &Analysis, data: &'a Dataset, i: usize) -> &'a str {
    match (analysis.profiles[i].member_row, &data.members) {
        (Some(row), Some(m)) => m.name.get(row as usize).map_or("", |s| s),
        _ => "",
    }
}

/// The value of a condition-language field for member `i`.
pub fn field_value(view: &View<'_>, i: usize, name: &str) -> Option<Value> {
    let p = &view.analysis.profiles[i];
    let rfm = p.rfm;
    let num = |x: f64| Some(Value::Num(x));
    let yuan = |fen: i64| Value::Num(fen as f64 / 100.0);
    let text = |s: &str| Some(Value::Text(s.to_string()));
    let forecast = view.prediction.and_then(|pr| pr.members.get(i)).and_then(|f| f.as_ref());
    let member_row = p.member_row.and_then(|row| view.data.members.as_ref().map(|m| (m, row as usize)));
    let activity = view.analysis.activity.get(i);
    match name {
        "r" => rfm.map(|x| Value::Num(f64::from(x.r))),
        "f" => rfm.map(|x| Value::Num(f64::from(x.f))),
        "m" => rfm.map(|x| yuan(x.m)),
        "aov" => rfm.map(|x| yuan(x.aov())),
        "maxOrder" => rfm.map(|x| yuan(x.max_order)),
        "rScore" => rfm.map(|x| Value::Num(f64::from(x.scores[0]))),
        "fScore" => rfm.map(|x| Value::Num(f64::from(x.scores[1]))),
        "mScore" => rfm.map(|x| Value::Num(f64::from(x.scores[2]))),
        "rfmClass" => rfm.and_then(|x| text(x.class.key())),
        "valueGroup" => p.value_group.and_then(|g| text(g.key())),
        "grade" => text(p.grade.key()),
        "lifecycle" => p.lifecycle.and_then(|s| text(s.key())),
        "level" => view.levels.get(p.level.index).and_then(|l| text(&l.key)),
        "growth" => num(p.level.growth as f64),
        "daysSinceLastPurchase" => p.last_purchase.and_then(|d| num(f64::from(view.analysis.as_of - d))),
        "daysSinceRegistered" => member_row
            .and_then(|(m, row)| m.registered.get(row).copied().flatten())
            .and_then(|d| num(f64::from(view.analysis.as_of - d))),
        "tag" => Some(Value::List(tag_keys(view, i))),
        "memberType" => member_row
            .and_then(|(m, row)| m.member_type.as_ref().and_then(|t| t.get(row).copied()))
            .and_then(|t| text(t.key())),
        "preferredChannel" => preferred_channel(view, i).map(|(c, _)| Value::Text(c.to_string())),
        "wechatFan" => member_row
            .and_then(|(m, row)| m.wechat_fan.as_ref()?.get(row).copied().flatten())
            .map(|fan| Value::Text(if fan { "yes" } else { "no" }.into())),
        "daysSinceFollowed" => member_row
            .and_then(|(m, row)| m.followed_at.as_ref()?.get(row).copied().flatten())
            .and_then(|d| num(f64::from(view.analysis.as_of - d))),
        "daysSinceVisit" => activity.and_then(|a| a.last_visit).and_then(|d| num(f64::from(view.analysis.as_of - d))),
        "daysSinceCartAdd" => {
            activity.and_then(|a| a.last_cart_add).and_then(|d| num(f64::from(view.analysis.as_of - d)))
        }
        "orders2Years" => activity.and_then(|a| num(f64::from(a.orders_2y))),
        "ordersNoRefund" => activity.and_then(|a| num(f64::from(a.orders_no_refund_2y))),
        "benefitCard" => member_row
            .and_then(|(m, row)| m.benefit_cards.as_ref().map(|c| c.names_of(row).map(str::to_string).collect()))
            .map(Value::List),
        "benefitCards" => member_row
            .and_then(|(m, row)| m.benefit_cards.as_ref().map(|c| c.row(row).len()))
            .and_then(|k| num(k as f64)),
        "store" => home_store(view, i).map(|s| Value::Text(s.to_string())),
        "points" => member_row.and_then(|(m, row)| m.points.get(row).copied().flatten()).and_then(|x| num(x as f64)),
        "pointsBalance" => view.points.and_then(|b| b.members.get(i)).and_then(|m| num(m.balance as f64)),
        "pointsExpiring" => view.points.and_then(|b| b.members.get(i)).and_then(|m| num(m.expiring as f64)),
        "pointsExpiryDays" => view.points.and_then(|b| b.days_to_expiry(i)).and_then(|d| num(d as f64)),
        "pAlive" => forecast.and_then(|f| f.probability_alive).and_then(num),
        "clv" => forecast.map(|f| yuan(f.clv_fen)),
        _ => None,
    }
}

/// The row of member `i`; `mask` hides the middle of the phone number.
pub fn row(view: &View<'_>, i: usize, mask: bool) -> MemberRow {
    let (analysis, data) = (view.analysis, view.data);
    let p: &Profile = &analysis.profiles[i];
    let forecast = view.prediction.and_then(|p| p.members.get(i)).and_then(|f| f.as_ref());
    let members = p.member_row.and_then(|row| data.members.as_ref().map(|m| (m, row as usize)));
    let phone = members.and_then(|(m, row)| m.phone.get(row)).map_or("", |s| s);
    let rfm = p.rfm;
    MemberRow {
        id: analysis.ids()[i].to_string(),
        phone: if mask { mask_phone(phone) } else { phone.to_string() },
        name: name_of(analysis, data, i).to_string(),
        registered_at: members.and_then(|(m, row)| m.registered.get(row).copied().flatten()).map(format_day),
        first_purchase: opt_day(p.first_purchase),
        last_purchase: opt_day(p.last_purchase),
        r: rfm.map(|x| x.r),
        f: rfm.map(|x| x.f),
        m_fen: rfm.map(|x| x.m),
        aov_fen: rfm.map(|x| x.aov()),
        max_order_fen: rfm.map(|x| x.max_order),
        r_score: rfm.map(|x| x.scores[0]),
        f_score: rfm.map(|x| x.scores[1]),
        m_score: rfm.map(|x| x.scores[2]),
        rfm_class: rfm.map(|x| x.class),
        value_group: p.value_group,
        grade: p.grade,
        lifecycle: p.lifecycle,
        level: view.levels.get(p.level.index).map_or_else(String::new, |l| l.key.clone()),
        growth: p.level.growth,
        to_next_level: p.level.to_next,
        best_slot: analysis.insights.best_slot.get(i).copied().flatten().map(|b| SLOT_LABELS[b.slot].0),
        best_slot_is_store: analysis.insights.best_slot.get(i).copied().flatten().is_some_and(|b| b.fallback),
        preferred_channel: preferred_channel(view, i).map(|(c, _)| c.to_string()),
        preferred_channel_is_store: preferred_channel(view, i).is_some_and(|(_, fallback)| fallback),
        home_store: home_store(view, i).map(str::to_string),
        base_group: analysis.insights.base_group.get(i).copied().flatten().map(|g| g.1),
        vip: analysis.insights.vip.get(i).copied().unwrap_or(false),
        tags: tag_rows(view, i),
        probability_alive: forecast.and_then(|f| f.probability_alive),
        expected_purchases_30: forecast.map(|f| f.expected_purchases),
        clv_fen: forecast.map(|f| f.clv_fen),
        next_order_date: forecast.and_then(|f| f.next_order_day).map(format_day),
        value_at_risk_fen: view.prediction.and_then(|p| p.value_at_risk(i, analysis)),
        at_risk: view.prediction.is_some_and(|p| p.at_risk(i)),
    }
}

/// The row of the member with `id`.
pub fn member(view: &View<'_>, id: &str) -> Result<MemberRow> {
    let i = view.analysis.find(id).ok_or_else(|| ErrorKind::UnknownMember(id.to_string()))?;
    Ok(row(view, i, true))
}

/// A member's tags on a row: automatic, then custom, then manual.
fn tag_rows(view: &View<'_>, i: usize) -> Vec<TagRow> {
    let p = &view.analysis.profiles[i];
    let mut out: Vec<TagRow> = p
        .tags
        .iter()
        .map(|f| {
            let (tag, family, label, label_en) = f.tag.labels();
            TagRow {
                tag: tag.into(),
                family,
                label: label.into(),
                label_en: label_en.into(),
                source: "auto",
                evidence: f
                    .evidence
                    .iter()
                    .map(|e| TagEvidence {
                        metric: e.metric.into(),
                        value: super::custom_tags::json_value(Some(Value::Num(e.value))),
                        threshold: Some(e.threshold),
                        op: Some(e.op),
                    })
                    .collect(),
                levers: f.tag.levers(),
            }
        })
        .collect();
    for f in &p.custom_tags {
        let Some(tag) = view.analysis.custom_tags.get(f.index as usize) else { continue };
        out.push(TagRow {
            tag: tag.key.clone(),
            family: "自定义",
            label: tag.name.clone(),
            label_en: if tag.name_en.is_empty() { tag.name.clone() } else { tag.name_en.clone() },
            source: "custom",
            evidence: f
                .evidence
                .iter()
                .map(|(field, value)| TagEvidence {
                    metric: field.to_string(),
                    value: value.clone(),
                    threshold: None,
                    op: None,
                })
                .collect(),
            levers: &[],
        });
    }
    for name in manual_tags(view, i) {
        out.push(TagRow {
            tag: name.into(),
            family: "手动",
            label: name.into(),
            label_en: name.into(),
            source: "manual",
            evidence: Vec::new(),
            levers: &[],
        });
    }
    out
}

/// The manual tags (会员标签) of member `i` in the members file.
fn manual_tags<'a>(view: &View<'a>, i: usize) -> impl Iterator<Item = &'a str> {
    let lists = view.data.members.as_ref().and_then(|m| m.manual_tags.as_ref());
    let row = view.analysis.profiles[i].member_row;
    lists.zip(row).into_iter().flat_map(|(l, row)| l.names_of(row as usize))
}

/// What `tag` matches for member `i`: automatic keys, custom keys, manual tags.
fn tag_keys(view: &View<'_>, i: usize) -> Vec<String> {
    let p = &view.analysis.profiles[i];
    let custom = p.custom_tags.iter().filter_map(|f| view.analysis.custom_tags.get(f.index as usize));
    p.tags
        .iter()
        .map(|f| f.tag.key().to_string())
        .chain(custom.map(|t| t.key.clone()))
        .chain(manual_tags(view, i).map(str::to_string))
        .collect()
}

/// Member `i`'s preferred channel and whether it is the store's best (a fallback).
pub(crate) fn preferred_channel<'a>(view: &View<'a>, i: usize) -> Option<(&'a str, bool)> {
    let insights = &view.analysis.insights;
    let p = insights.preferred_channel.get(i).copied().flatten()?;
    insights.channel_names.get(p.channel as usize).map(|name| (name.as_str(), p.fallback))
}

/// Member `i`'s home store: the store of most purchases, or, without
/// purchases at a named store, the members file's 所属门店.
pub fn home_store<'a>(view: &View<'a>, i: usize) -> Option<&'a str> {
    let bought = view.analysis.insights.home_store.get(i).copied().flatten();
    let by_orders = bought.and_then(|s| view.data.orders.as_ref().map(|o| o.stores.name(s))).filter(|s| !s.is_empty());
    by_orders.or_else(|| {
        let row = view.analysis.profiles[i].member_row? as usize;
        Some(view.data.members.as_ref()?.store.as_ref()?.get(row)).filter(|s| !s.is_empty())
    })
}

/// Members and their window spend per key, in first-seen order.
#[derive(Default)]
struct Tally {
    counts: Vec<Count>,
    index: std::collections::HashMap<String, usize>,
}

impl Tally {
    fn add(&mut self, key: &str, spend: Fen) {
        let k = *self.index.entry(key.to_string()).or_insert_with(|| {
            self.counts.push(Count {
                key: key.into(),
                label: key.into(),
                label_en: key.into(),
                members: 0,
                revenue_fen: 0,
            });
            self.counts.len() - 1
        });
        self.counts[k].members += 1;
        self.counts[k].revenue_fen += spend;
    }
}

/// Members per home store, per preferred channel and per benefit card (for
/// the summary), in first-seen order; empty lists when nobody has one.
pub fn breakdowns(view: &View<'_>) -> (Vec<Count>, Vec<Count>, Vec<Count>) {
    let (mut stores, mut channels, mut cards) = (Tally::default(), Tally::default(), Tally::default());
    let lists = view.data.members.as_ref().and_then(|m| m.benefit_cards.as_ref());
    for (i, p) in view.analysis.profiles.iter().enumerate() {
        let spend = p.rfm.map_or(0, |r| r.m);
        if let Some(s) = home_store(view, i) {
            stores.add(s, spend);
        }
        if let Some((c, _)) = preferred_channel(view, i) {
            channels.add(c, spend);
        }
        if let (Some(lists), Some(row)) = (lists, p.member_row) {
            for card in lists.names_of(row as usize) {
                cards.add(card, spend);
            }
        }
    }
    (stores.counts, channels.counts, cards.counts)
}

/// Members per manual tag of the members file, in first-seen order.
pub fn manual_tag_counts(view: &View<'_>) -> Vec<TagCount> {
    let mut tally = Tally::default();
    for (i, p) in view.analysis.profiles.iter().enumerate() {
        for name in manual_tags(view, i) {
            tally.add(name, p.rfm.map_or(0, |r| r.m));
        }
    }
    tally
        .counts
        .into_iter()
        .map(|c| TagCount {
            key: c.key,
            label: c.label,
            label_en: c.label_en,
            members: c.members,
            revenue_fen: c.revenue_fen,
            source: "manual",
        })
        .collect()
}
