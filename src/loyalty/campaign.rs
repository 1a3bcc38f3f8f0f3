//! Campaigns (营销活动, DOMAIN §10): the playbook's offers sent to a crowd
//! within a budget, with a holdout (control group) kept back so the uplift
//! can be measured once later orders are imported.
//!
//! - **Who.** The members of a crowd (a crowd-language expression) or the
//!   whole base; among them, the ones the playbook gives at least one of the
//!   campaign's allowed offers are *eligible*.
//! - **Planning.** Every (member, offer) pair is ranked by the offer's
//!   priority (higher first), then its expected value (higher first), then
//!   the member id, then the offer key — one deterministic order. Walking it,
//!   a pair is taken when the member has fewer than `perMemberCap` offers
//!   (default 1) and its cost fits in what is left of `budgetFen` (no budget:
//!   unlimited); a pair that does not fit is skipped and the walk goes on, so
//!   cheaper offers may still fill the budget. The budget and the caps are
//!   never exceeded. Members given an offer are *targeted*; eligible members
//!   left without one are *unfunded*.
//! - **Holdout.** A targeted member is in the holdout when
//!   `u < holdoutShare` (default 0.1), where `f` = FNV-1a 64 (offset basis
//!   `0xcbf29ce484222325`, prime `0x100000001b3`) over the UTF-8 bytes of
//!   the campaign id, one `0x00` byte and the member id; `h` = MurmurHash3's
//!   finaliser of `f` (`h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33;
//!   h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33`, wrapping); and
//!   `u = (h >> 11) / 2^53`. It depends on nothing but the two ids, so a
//!   member's answer never changes when other members join or leave. The
//!   holdout's offers are planned like everyone's — they take their share of
//!   the budget (`holdoutCostFen`) — and then not sent, so treated and
//!   holdout are two random parts of one group and compare fairly; the money
//!   spent (`costFen`) is about `1 − holdoutShare` of the plan.
//! - **Export.** The send list as CSV (UTF-8 with BOM, CRLF; phones masked,
//!   formula cells neutralised by [`crate::export`]): one line per treated
//!   (member, offer); `list: "holdout"` exports the holdout instead.
//! - **Uplift.** Given the campaign id, send date, holdout share and the
//!   targeted members, the orders on the send date and the `days` after it
//!   (default 30) compare treated and holdout: members, the share who bought
//!   (repurchase rate), net spend per member, and the differences.

use super::playbook::{Candidate, Offer, Playbook};
use crate::analytics::condition::Expr;
use crate::analytics::rfm::div_round;
use crate::error::{Error, Result};
use crate::export::{mask_phone, text_cell};
use crate::model::{Dataset, Day, Fen, OrderKind, day_of, format_day, format_yuan};
use serde::{Deserialize, Serialize};

/// A campaign: who, which offers, how much, and what to return.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CampaignOptions {
    /// Campaign id (required; the holdout hashes it).
    pub id: String,
    /// Send date `YYYY-MM-DD` (default: the analysis date).
    pub send_date: Option<String>,
    /// Only members of this crowd (a crowd-language expression); default everyone.
    pub crowd: Option<String>,
    /// Allowed offer keys (default: every offer of the playbook).
    pub offers: Option<Vec<String>>,
    /// Total budget in fen (default: unlimited).
    pub budget_fen: Option<Fen>,
    /// Offers per member at most (default 1).
    pub per_member_cap: Option<u32>,
    /// Share of targeted members held back (default 0.1).
    pub holdout_share: Option<f64>,
    /// `planCampaign`: rows to skip.
    pub offset: Option<usize>,
    /// `planCampaign`: rows to return (default 50).
    pub limit: Option<usize>,
    /// `exportCampaign`: `send` (default) or `holdout`.
    pub list: Option<String>,
    /// `exportCampaign`: `zh` (default) or `en`.
    pub lang: Option<String>,
    /// `exportCampaign`: mask phone numbers (default true).
    pub mask_phones: Option<bool>,
}

/// FNV-1a 64 of some bytes.
pub fn fnv1a64<'a>(bytes: impl IntoIterator<Item = &'a u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// MurmurHash3's 64-bit finaliser (`fmix64`): FNV-1a alone barely stirs
/// its high bits when ids differ only in their last characters.
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The holdout hash: `fmix64(FNV-1a 64(campaign, 0x00, member))`.
pub fn holdout_hash(campaign: &str, member: &str) -> u64 {
    fmix64(fnv1a64(campaign.as_bytes().iter().chain(&[0u8]).chain(member.as_bytes())))
}

/// Whether `member` is in campaign `campaign`'s holdout at `share`.
pub fn in_holdout(campaign: &str, member: &str, share: f64) -> bool {
    let u = (holdout_hash(campaign, member) >> 11) as f64 / (1u64 << 53) as f64;
    u < share
}

/// One planned (member, offer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// Member index.
    pub member: u32,
    /// The offer.
    pub candidate: Candidate,
    /// Held back.
    pub holdout: bool,
}

/// Counts per offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferCount {
    /// Offer key.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Sent.
    pub treated: u64,
    /// Held back.
    pub holdout: u64,
    /// Cost of those sent, fen.
    pub cost_fen: Fen,
}

/// A campaign's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Campaign id.
    pub id: String,
    /// Send date.
    pub send: Day,
    /// Holdout share.
    pub holdout_share: f64,
    /// Offers per member at most.
    pub per_member_cap: u32,
    /// Budget (`None`: unlimited).
    pub budget_fen: Option<Fen>,
    /// Members in the crowd.
    pub crowd_members: u64,
    /// Crowd members with at least one allowed offer.
    pub eligible: u64,
    /// The planned (member, offer) pairs, in rank order.
    pub assignments: Vec<Assignment>,
}

/// What `planCampaign` returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignSummary {
    /// Campaign id.
    pub id: String,
    /// Send date.
    pub send_date: String,
    /// Holdout share.
    pub holdout_share: f64,
    /// Offers per member at most.
    pub per_member_cap: u32,
    /// Budget (`null`: unlimited).
    pub budget_fen: Option<Fen>,
    /// Members in the crowd.
    pub crowd_members: u64,
    /// Crowd members with at least one allowed offer.
    pub eligible: u64,
    /// Members given an offer: treated + holdout.
    pub targeted: u64,
    /// Members the offers go to.
    pub treated: u64,
    /// Members held back.
    pub holdout: u64,
    /// Eligible members the budget did not reach.
    pub unfunded: u64,
    /// Cost of what is sent, fen.
    pub cost_fen: Fen,
    /// Cost of the holdout's planned offers (not spent), fen.
    pub holdout_cost_fen: Fen,
    /// Budget left after the plan, treated and holdout both (`null`: unlimited).
    pub remaining_fen: Option<Fen>,
    /// Per allowed offer.
    pub per_offer: Vec<OfferCount>,
    /// Rows (member, offer), treated and holdout.
    pub total: usize,
    /// First row's position.
    pub offset: usize,
    /// The page of rows.
    pub rows: Vec<CampaignRow>,
}

/// One planned (member, offer), written out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignRow {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Phone, masked.
    pub phone: String,
    /// Held back (not sent).
    pub holdout: bool,
    /// The offer.
    pub offer: Offer,
}

fn parse_date(field: &str, text: &str) -> Result<Day> {
    crate::ingest::fields::parse_datetime(text)
        .map(|d| day_of(d.date()))
        .map_err(|_| Error::bad_options(field, format!("\"{text}\" is not a date (YYYY-MM-DD)")))
}

fn check_id(id: &str) -> Result<()> {
    if id.trim().is_empty() || id.chars().count() > 100 {
        return Err(Error::bad_options("id", "a campaign id of 1 to 100 characters is required"));
    }
    Ok(())
}

fn check_share(share: Option<f64>) -> Result<f64> {
    let share = share.unwrap_or(0.1);
    if !(share.is_finite() && (0.0..1.0).contains(&share)) {
        return Err(Error::bad_options("holdoutShare", format!("a share in [0, 1), got {share}")));
    }
    Ok(share)
}

/// Plan a campaign over the playbook's members.
pub fn plan(playbook: &Playbook<'_>, options: &CampaignOptions) -> Result<Plan> {
    check_id(&options.id)?;
    let holdout_share = check_share(options.holdout_share)?;
    let per_member_cap = options.per_member_cap.unwrap_or(1);
    if !(1..=100).contains(&per_member_cap) {
        return Err(Error::bad_options("perMemberCap", "between 1 and 100"));
    }
    if options.budget_fen.is_some_and(|b| b < 0) {
        return Err(Error::bad_options("budgetFen", "must not be negative"));
    }
    let view = *playbook.view();
    let analysis = view.analysis;
    let send = match options.send_date.as_deref().map(str::trim) {
        None | Some("") => analysis.as_of,
        Some(text) => parse_date("sendDate", text)?,
    };
    let allowed: Option<Vec<bool>> = match &options.offers {
        None => None,
        Some(keys) => {
            let mut allowed = vec![false; playbook.len()];
            for (i, key) in keys.iter().enumerate() {
                let k = playbook.find(key).ok_or_else(|| {
                    Error::bad_options(format!("offers[{i}]"), format!("unknown offer \"{key}\" (not in the playbook)"))
                })?;
                allowed[k] = true;
            }
            Some(allowed)
        }
    };
    let crowd = match options.crowd.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Expr::parse(text)?),
    };
    let mut crowd_members = 0u64;
    let mut eligible = 0u64;
    let mut pairs: Vec<(u32, Candidate)> = Vec::new();
    for m in 0..analysis.profiles.len() {
        let field = |name: &str| crate::analytics::query::field_value(&view, m, name);
        if crowd.as_ref().is_some_and(|c| !c.matches(&field)) {
            continue;
        }
        crowd_members += 1;
        let candidates = playbook.candidates(m, allowed.as_deref(), send);
        eligible += u64::from(!candidates.is_empty());
        pairs.extend(candidates.into_iter().map(|c| (m as u32, c)));
    }
    let ids = analysis.ids();
    pairs.sort_by(|(ma, a), (mb, b)| {
        b.priority
            .cmp(&a.priority)
            .then(b.expected_value_fen.cmp(&a.expected_value_fen))
            .then_with(|| ids[*ma as usize].cmp(&ids[*mb as usize]))
            .then_with(|| playbook.key(a.offer).cmp(playbook.key(b.offer)))
    });
    let mut taken = vec![0u32; analysis.profiles.len()];
    let mut left = options.budget_fen;
    let mut assignments = Vec::new();
    for (m, c) in pairs {
        let count = &mut taken[m as usize];
        if *count >= per_member_cap || left.is_some_and(|l| c.cost_fen > l) {
            continue;
        }
        *count += 1;
        left = left.map(|l| l - c.cost_fen);
        let holdout = in_holdout(&options.id, &ids[m as usize], holdout_share);
        assignments.push(Assignment { member: m, candidate: c, holdout });
    }
    Ok(Plan {
        id: options.id.clone(),
        send,
        holdout_share,
        per_member_cap,
        budget_fen: options.budget_fen,
        crowd_members,
        eligible,
        assignments,
    })
}

impl Plan {
    /// Distinct members among the assignments, (treated, holdout).
    pub fn members(&self) -> (u64, u64) {
        let mut seen: Vec<(u32, bool)> = self.assignments.iter().map(|a| (a.member, a.holdout)).collect();
        seen.sort_unstable();
        seen.dedup();
        let holdout = seen.iter().filter(|s| s.1).count() as u64;
        (seen.len() as u64 - holdout, holdout)
    }

    /// Cost of the treated and of the holdout, fen.
    pub fn costs(&self) -> (Fen, Fen) {
        self.assignments.iter().fold((0, 0), |(t, h), a| {
            if a.holdout { (t, h + a.candidate.cost_fen) } else { (t + a.candidate.cost_fen, h) }
        })
    }

    /// The summary with the page of rows `options` asks for.
    pub fn summary(&self, playbook: &Playbook<'_>, options: &CampaignOptions) -> CampaignSummary {
        let (treated, holdout) = self.members();
        let (cost_fen, holdout_cost_fen) = self.costs();
        let mut per_offer: Vec<OfferCount> = Vec::new();
        let mut keys: Vec<usize> = match &options.offers {
            Some(list) => list.iter().filter_map(|k| playbook.find(k)).collect(),
            None => (0..playbook.len()).collect(),
        };
        keys.dedup();
        for k in keys {
            let (name, name_en) = playbook.names(k);
            let mine = self.assignments.iter().filter(|a| a.candidate.offer == k);
            let (mut t, mut h, mut cost) = (0, 0, 0);
            for a in mine {
                if a.holdout {
                    h += 1;
                } else {
                    t += 1;
                    cost += a.candidate.cost_fen;
                }
            }
            per_offer.push(OfferCount {
                key: playbook.key(k).to_string(),
                name: name.to_string(),
                name_en: name_en.to_string(),
                treated: t,
                holdout: h,
                cost_fen: cost,
            });
        }
        let offset = options.offset.unwrap_or(0);
        let limit = options.limit.unwrap_or(50);
        let rows =
            self.assignments.iter().skip(offset).take(limit).filter_map(|a| self.row(playbook, a, true)).collect();
        CampaignSummary {
            id: self.id.clone(),
            send_date: format_day(self.send),
            holdout_share: self.holdout_share,
            per_member_cap: self.per_member_cap,
            budget_fen: self.budget_fen,
            crowd_members: self.crowd_members,
            eligible: self.eligible,
            targeted: treated + holdout,
            treated,
            holdout,
            unfunded: self.eligible - (treated + holdout),
            cost_fen,
            holdout_cost_fen,
            remaining_fen: self.budget_fen.map(|b| b - cost_fen - holdout_cost_fen),
            per_offer,
            total: self.assignments.len(),
            offset,
            rows,
        }
    }

    fn row(&self, playbook: &Playbook<'_>, a: &Assignment, mask: bool) -> Option<CampaignRow> {
        let view = playbook.view();
        let m = a.member as usize;
        let analysis = view.analysis;
        let members = analysis.profiles.get(m)?.member_row.and_then(|r| view.data.members.as_ref().map(|x| (x, r)));
        let text = |col: fn(&crate::model::Members) -> &Vec<Box<str>>| {
            members.and_then(|(x, r)| col(x).get(r as usize)).map_or_else(String::new, |s| s.to_string())
        };
        let phone = text(|x| &x.phone);
        Some(CampaignRow {
            member_id: analysis.ids().get(m)?.to_string(),
            name: text(|x| &x.name),
            phone: if mask { mask_phone(&phone) } else { phone },
            holdout: a.holdout,
            offer: playbook.offer(m, &a.candidate, self.send)?,
        })
    }

    /// The send list (or with `list: "holdout"`, the holdout) as CSV bytes.
    pub fn csv(&self, playbook: &Playbook<'_>, options: &CampaignOptions) -> Result<Vec<u8>> {
        let zh = match options.lang.as_deref() {
            None | Some("zh") => true,
            Some("en") => false,
            Some(other) => return Err(Error::bad_options("lang", format!("\"{other}\": use \"zh\" or \"en\""))),
        };
        let holdout = match options.list.as_deref() {
            None | Some("send") => false,
            Some("holdout") => true,
            Some(other) => {
                return Err(Error::bad_options("list", format!("\"{other}\": use \"send\" or \"holdout\"")));
            }
        };
        let header: &[&str] = if zh {
            &[
                "会员ID",
                "手机号",
                "姓名",
                "权益",
                "权益编码",
                "推荐理由",
                "渠道",
                "发送时间",
                "成本(元)",
                "优惠券",
                "有效期至",
            ]
        } else {
            &[
                "member_id",
                "phone",
                "name",
                "offer",
                "offer_key",
                "reason",
                "channel",
                "send_at",
                "cost",
                "coupon",
                "valid_until",
            ]
        };
        let mut out = String::from("\u{feff}");
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        let mask = options.mask_phones.unwrap_or(true);
        for a in self.assignments.iter().filter(|a| a.holdout == holdout) {
            let Some(r) = self.row(playbook, a, mask) else { continue };
            let o = &r.offer;
            let pick = |zh_text: &str, en_text: &str| text_cell(if zh { zh_text } else { en_text });
            let cells = [
                text_cell(&r.member_id),
                text_cell(&r.phone),
                text_cell(&r.name),
                pick(&o.name, &o.name_en),
                text_cell(&o.key),
                pick(&o.reason, &o.reason_en),
                pick(o.channel_name, o.channel_name_en),
                o.send_at.clone(),
                format_yuan(o.cost_fen),
                text_cell(o.coupon.as_deref().unwrap_or("")),
                o.valid_until.clone().unwrap_or_default(),
            ];
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        Ok(out.into_bytes())
    }
}

/// What to measure: the campaign and its targeted members (treated and
/// holdout; the split is recomputed from the hash).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct UpliftOptions {
    /// Campaign id.
    pub id: String,
    /// Send date `YYYY-MM-DD` (required).
    pub send_date: String,
    /// The holdout share the campaign used (default 0.1).
    pub holdout_share: Option<f64>,
    /// Every targeted member's id (treated and holdout).
    pub members: Vec<String>,
    /// Days measured from the send date, the send date included (default 30).
    pub days: Option<u32>,
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// Members.
    pub members: u64,
    /// Members with at least one purchase in the period.
    pub repurchased: u64,
    /// repurchased / members (0 without members).
    pub repurchase_rate: f64,
    /// Net spend in the period (purchases less refunds), fen.
    pub spend_fen: Fen,
    /// spend / members, fen (rounded).
    pub spend_per_member_fen: Fen,
}

/// Treated minus holdout.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// Repurchase rate, treated − holdout (0.05 = 5 points).
    pub repurchase_rate: f64,
    /// Spend per member, treated − holdout, fen.
    pub spend_per_member_fen: Fen,
}

/// The uplift report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Uplift {
    /// Campaign id.
    pub id: String,
    /// Send date.
    pub send_date: String,
    /// Days asked for.
    pub days: u32,
    /// Days with data: from the send date to the latest order, at most `days`.
    pub observed_days: u32,
    /// `ok`, `partial` (the data ends before the period does), `no_data`
    /// (no order on or after the send date) or `no_holdout` (nobody to compare with).
    pub status: &'static str,
    /// What the status means, 中文.
    pub message: String,
    /// What the status means, English.
    pub message_en: String,
    /// Those sent the offers.
    pub treated: Outcome,
    /// Those held back.
    pub holdout: Outcome,
    /// Treated − holdout; `null` when there is no data after the send date or no holdout.
    pub difference: Option<Difference>,
}

/// Measure a campaign's uplift on the orders in `data`.
pub fn uplift(data: &Dataset, options: &UpliftOptions) -> Result<Uplift> {
    check_id(&options.id)?;
    let share = check_share(options.holdout_share)?;
    let send = parse_date("sendDate", &options.send_date)?;
    let days = options.days.unwrap_or(30);
    if !(1..=3660).contains(&days) {
        return Err(Error::bad_options("days", "between 1 and 3660"));
    }
    let end = send + days as Day;
    let mut ids: Vec<&str> = options.members.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    ids.sort_unstable();
    ids.dedup();
    // Per member of the orders file: (in holdout, bought, spend), for the targeted ones.
    let orders = data.orders.as_ref();
    let mut side: Vec<Option<bool>> = vec![None; orders.map_or(0, |o| o.ids.len())];
    let (mut treated, mut holdout) = (zero(), zero());
    for id in &ids {
        let h = in_holdout(&options.id, id, share);
        if h {
            holdout.members += 1
        } else {
            treated.members += 1
        }
        if let Some(k) = orders.and_then(|o| o.ids.get(id)) {
            if let Some(s) = side.get_mut(k as usize) {
                *s = Some(h);
            }
        }
    }
    let latest = orders.and_then(|o| o.paid.days().filter(|&d| d >= send).max());
    let mut bought = vec![false; side.len()];
    if let Some(o) = orders {
        for i in (0..o.len()).filter(|&i| o.day(i) >= send && o.day(i) < end && o.kind[i] != OrderKind::NotPurchase) {
            let k = o.member(i) as usize;
            let Some(h) = side.get(k).copied().flatten() else { continue };
            let out = if h { &mut holdout } else { &mut treated };
            out.spend_fen += o.net.at(i);
            if o.kind[i] == OrderKind::Purchase && !bought[k] {
                bought[k] = true;
                out.repurchased += 1;
            }
        }
    }
    for out in [&mut treated, &mut holdout] {
        out.repurchase_rate = if out.members > 0 { out.repurchased as f64 / out.members as f64 } else { 0.0 };
        out.spend_per_member_fen = div_round(out.spend_fen, out.members as i64);
    }
    let observed_days = latest.map_or(0, |l| ((l - send + 1) as u32).min(days));
    let (status, message, message_en) = match latest {
        None => (
            "no_data",
            format!("数据不足：没有{}及之后的订单，导入活动之后的订单再看效果", format_day(send)),
            format!("Not enough data: no orders on or after {}; import later orders to measure", format_day(send)),
        ),
        Some(_) if holdout.members == 0 || treated.members == 0 => (
            "no_holdout",
            "无法比较：对照组或实验组没有会员".to_string(),
            "Cannot compare: the holdout or the treated group has no members".to_string(),
        ),
        Some(_) if observed_days < days => (
            "partial",
            format!("数据只覆盖发送后{observed_days}天（共{days}天），结果是暂时的"),
            format!("The data covers {observed_days} of the {days} days after sending: the result is provisional"),
        ),
        Some(_) => ("ok", format!("发送后{days}天的结果"), format!("The {days} days after sending")),
    };
    let difference = (status == "ok" || status == "partial").then(|| Difference {
        repurchase_rate: treated.repurchase_rate - holdout.repurchase_rate,
        spend_per_member_fen: treated.spend_per_member_fen - holdout.spend_per_member_fen,
    });
    Ok(Uplift {
        id: options.id.clone(),
        send_date: format_day(send),
        days,
        observed_days,
        status,
        message,
        message_en,
        treated,
        holdout,
        difference,
    })
}

fn zero() -> Outcome {
    Outcome { members: 0, repurchased: 0, repurchase_rate: 0.0, spend_fen: 0, spend_per_member_fen: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;
    use crate::ingest::{Kind, LoadOptions};
    use crate::loyalty::playbook::tests::fixture;
    use proptest::prelude::*;

    fn options(id: &str) -> CampaignOptions {
        CampaignOptions { id: id.into(), holdout_share: Some(0.0), limit: Some(1000), ..CampaignOptions::default() }
    }

    fn picked(s: &CampaignSummary) -> Vec<(String, String)> {
        s.rows.iter().map(|r| (r.member_id.clone(), r.offer.key.clone())).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn the_hash_is_fnv1a_then_fmix64() {
        // FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(holdout_hash("a", "b"), 0xab78_f5ec_a36d_0e2b);
        assert_eq!(holdout_hash("a", "b"), fmix64(fnv1a64(b"a\0b")));
    }

    #[test]
    fn holdout_share_is_close_to_the_target() {
        for (campaign, share) in [("a", 0.1), ("spring-2026", 0.1), ("spring-2026", 0.3), ("x", 0.5)] {
            let n = 100_000;
            let held = (0..n).filter(|i| in_holdout(campaign, &format!("M{i:05}"), share)).count();
            let got = held as f64 / n as f64;
            assert!((got - share).abs() < 0.005, "{campaign} {share}: {got}");
        }
        assert!(!(0..1000).any(|i| in_holdout("c", &i.to_string(), 0.0)));
    }

    #[test]
    fn top_offer_per_member_without_a_budget() {
        let ws = fixture();
        let s = ws.plan_campaign(&options("all")).unwrap();
        // Rank order: priority, then expected value, then member id.
        assert_eq!(
            picked(&s),
            pairs(&[
                ("N1", "second_order"),
                ("C1", "recall"),
                ("V1", "referral_reward"),
                ("P1", "new_member"),
                ("R1", "new_member"),
                ("E1", "enterprise_card"),
                ("S1", "repurchase_gift"),
            ])
        );
        assert_eq!((s.crowd_members, s.eligible, s.targeted, s.treated, s.holdout, s.unfunded), (7, 7, 7, 7, 0, 0));
        // E1's enterprise card is free.
        assert_eq!(s.cost_fen, 1000 + 1500 + 2000 + 1000 + 1000 + 800);
        assert_eq!(s.remaining_fen, None);
        let new_member = s.per_offer.iter().find(|o| o.key == "new_member").unwrap();
        assert_eq!((new_member.treated, new_member.holdout, new_member.cost_fen), (2, 0, 2000));
    }

    #[test]
    fn the_budget_is_reached_exactly_and_never_exceeded() {
        // ¥25: N1 second_order ¥10, C1 recall ¥15 → nothing left; V1, P1, R1's paid offers are
        // skipped; the free ones still fit: E1 enterprise_card, V1 plus_card, S1 member_day,
        // P1 community_activity. R1 has only a paid offer: unfunded.
        let ws = fixture();
        let s = ws.plan_campaign(&CampaignOptions { budget_fen: Some(2500), ..options("b") }).unwrap();
        assert_eq!(
            picked(&s),
            pairs(&[
                ("N1", "second_order"),
                ("C1", "recall"),
                ("E1", "enterprise_card"),
                ("V1", "plus_card"),
                ("S1", "member_day"),
                ("P1", "community_activity"),
            ])
        );
        assert_eq!((s.cost_fen, s.remaining_fen, s.targeted, s.unfunded), (2500, Some(0), 6, 1));
        // ¥24.99: after N1's ¥10 the recall (¥15) no longer fits; P1's ¥10 new-member coupon
        // does (ranked before R1's: higher expected value), and then nothing paid fits.
        let s = ws.plan_campaign(&CampaignOptions { budget_fen: Some(2499), ..options("b") }).unwrap();
        assert_eq!(s.cost_fen, 2000);
        assert_eq!(picked(&s)[..2], pairs(&[("N1", "second_order"), ("P1", "new_member")])[..]);
        // A zero budget sends only free offers.
        let s = ws.plan_campaign(&CampaignOptions { budget_fen: Some(0), ..options("b") }).unwrap();
        assert!(s.rows.iter().all(|r| r.offer.cost_fen == 0) && s.cost_fen == 0);
        assert_eq!(s.treated, 5, "E1, V1, S1, P1, N1 have a free offer; C1 and R1 do not");
    }

    #[test]
    fn caps_crowds_and_allowed_offers() {
        let ws = fixture();
        let s = ws.plan_campaign(&CampaignOptions { per_member_cap: Some(2), ..options("cap") }).unwrap();
        // V1 2, S1 2, P1 2, N1 2, C1 1, R1 1, E1 2.
        assert_eq!((s.total, s.targeted), (12, 7));
        let o = CampaignOptions {
            crowd: Some("valueGroup = \"potential\"".into()),
            offers: Some(vec!["flash_1yuan".into()]),
            ..options("flash")
        };
        let s = ws.plan_campaign(&o).unwrap();
        assert_eq!(picked(&s), pairs(&[("E1", "flash_1yuan"), ("N1", "flash_1yuan"), ("P1", "flash_1yuan")]));
        assert_eq!((s.crowd_members, s.eligible, s.cost_fen, s.per_offer.len()), (3, 3, 1500, 1));
        let e = ws.plan_campaign(&CampaignOptions { offers: Some(vec!["nope".into()]), ..options("x") }).unwrap_err();
        assert_eq!((e.code(), e.field()), ("BAD_OPTIONS", Some("offers[0]")));
        let e = ws.plan_campaign(&CampaignOptions::default()).unwrap_err();
        assert_eq!(e.field(), Some("id"));
        let e = ws.plan_campaign(&CampaignOptions { holdout_share: Some(1.0), ..options("x") }).unwrap_err();
        assert_eq!(e.field(), Some("holdoutShare"));
        let e = ws.plan_campaign(&CampaignOptions { per_member_cap: Some(0), ..options("x") }).unwrap_err();
        assert_eq!(e.field(), Some("perMemberCap"));
        let e = ws.plan_campaign(&CampaignOptions { budget_fen: Some(-1), ..options("x") }).unwrap_err();
        assert_eq!(e.field(), Some("budgetFen"));
        let e = ws.plan_campaign(&CampaignOptions { send_date: Some("soon".into()), ..options("x") }).unwrap_err();
        assert_eq!(e.field(), Some("sendDate"));
        let e = ws.plan_campaign(&CampaignOptions { crowd: Some("r <=".into()), ..options("x") }).unwrap_err();
        assert_eq!(e.field(), Some("crowd"));
    }

    #[test]
    fn the_holdout_is_stable_when_members_come_and_go() {
        // spring-2026 at 0.5: u(P1) = 0.494, u(E1) = 0.308, u(R1) = 0.257 are held back; V1, S1, N1, C1 are not.
        let mut ws = fixture();
        let o = CampaignOptions { holdout_share: Some(0.5), ..options("spring-2026") };
        let held = |s: &CampaignSummary| {
            let mut v: Vec<(String, bool)> = s.rows.iter().map(|r| (r.member_id.clone(), r.holdout)).collect();
            v.sort();
            v
        };
        let before = ws.plan_campaign(&o).unwrap();
        assert_eq!(
            held(&before),
            [("C1", false), ("E1", true), ("N1", false), ("P1", true), ("R1", true), ("S1", false), ("V1", false)]
                .map(|(a, b)| (a.to_string(), b))
        );
        assert_eq!((before.treated, before.holdout, before.holdout_cost_fen), (4, 3, 1000 + 1000));
        assert_eq!(before.cost_fen, 1000 + 1500 + 2000 + 800);
        // Fifty more members join (prospects) and R1 leaves the members file (it never bought).
        let mut members = String::from("会员ID,手机号,姓名,注册时间,会员类型\n");
        members.push_str("V1,13812341234,张三,2025-01-01,个人\nE1,02188886666,某某科技,2025-06-01,企业\n");
        for k in 0..50 {
            members.push_str(&format!("X{k:02},,,2025-02-01,个人\n"));
        }
        ws.load(Kind::Members, members.as_bytes(), &LoadOptions::default()).unwrap();
        ws.analyze(Some("2026-03-01")).unwrap();
        let after = ws.plan_campaign(&o).unwrap();
        let after_held = held(&after);
        for (id, h) in held(&before) {
            if let Some((_, h2)) = after_held.iter().find(|(i, _)| *i == id) {
                assert_eq!(*h2, h, "{id}");
            }
        }
        assert!(after_held.iter().all(|(id, _)| id != "R1"));
        assert_eq!(after.targeted, 6 + 50);
        for (id, h) in &after_held {
            assert_eq!(*h, in_holdout("spring-2026", id, 0.5), "{id}");
        }
    }

    #[test]
    fn export_lists_the_treated_with_masked_phones_and_safe_cells() {
        let ws = fixture();
        let o = CampaignOptions { holdout_share: Some(0.5), ..options("spring-2026") };
        let csv = String::from_utf8(ws.export_campaign(&o).unwrap()).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(csv.starts_with('\u{feff}'));
        assert_eq!(
            lines[0],
            "\u{feff}会员ID,手机号,姓名,权益,权益编码,推荐理由,渠道,发送时间,成本(元),优惠券,有效期至"
        );
        // Treated: N1, C1, V1, S1 (rank order); no holdout member.
        let ids: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(ids, ["N1", "C1", "V1", "S1"]);
        assert_eq!(
            lines[2],
            "C1,137****1111,'-李四,新品召回券,recall,已212天未消费，用新品和优惠券召回,企业微信,2026-03-01 18:30,15.00,recall,2026-03-07"
        );
        assert!(lines[3].starts_with("V1,138****1234,张三,推荐有礼券,referral_reward,"));
        assert!(lines[4].starts_with("S1,139****5678,'=1+2,"), "{}", lines[4]);
        let holdout = String::from_utf8(
            ws.export_campaign(&CampaignOptions { list: Some("holdout".into()), lang: Some("en".into()), ..o.clone() })
                .unwrap(),
        )
        .unwrap();
        let lines: Vec<&str> = holdout.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(
            lines[0].ends_with("member_id,phone,name,offer,offer_key,reason,channel,send_at,cost,coupon,valid_until")
        );
        let ids: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(ids, ["P1", "R1", "E1"]);
        assert!(lines[2].starts_with("R1,136****2222,'@王五,New-member coupon,new_member,"), "{}", lines[2]);
        let plain =
            String::from_utf8(ws.export_campaign(&CampaignOptions { mask_phones: Some(false), ..o }).unwrap()).unwrap();
        assert!(plain.contains("C1,13700001111,"));
        let e = ws.export_campaign(&CampaignOptions { list: Some("all".into()), ..options("x") }).unwrap_err();
        assert_eq!(e.field(), Some("list"));
    }

    /// Orders around a campaign sent on 2026-03-01 to U1–U6 ("uplift-test",
    /// holdout 0.5: u(U3) = 0.253 and u(U6) = 0.147 are held back).
    ///
    /// | member | side | orders in [03-01, 03-31) | spend |
    /// |---|---|---|---|
    /// | U1 | treated | 03-05 ¥100, 03-20 ¥50 | ¥150 |
    /// | U2 | treated | 03-15 ¥80 (04-15 ¥80 is later) | ¥80 |
    /// | U4 | treated | none (02-20 ¥30 is before) | 0 |
    /// | U5 | treated | 03-30 ¥60, a −¥10 refund line | ¥50 |
    /// | U3 | holdout | 03-10 ¥40 | ¥40 |
    /// | U6 | holdout | none | 0 |
    ///
    /// Treated: 3 of 4 bought (0.75), ¥280 → ¥70 a member. Holdout: 1 of 2
    /// (0.5), ¥40 → ¥20. Difference: +0.25, +¥50 a member. U7 was not
    /// targeted and counts nowhere.
    fn uplift_data() -> Workspace {
        let orders = "member_id,order_id,paid_at,amount\n\
            U1,1,2026-03-05,100\nU1,2,2026-03-20,50\nU2,3,2026-03-15,80\nU2,4,2026-04-15,80\n\
            U4,5,2026-02-20,30\nU5,6,2026-03-30,60\nU5,7,2026-03-30,-10\nU3,8,2026-03-10,40\nU7,9,2026-03-02,999\n";
        let mut ws = Workspace::new();
        ws.load(Kind::Orders, orders.as_bytes(), &LoadOptions::default()).unwrap();
        ws
    }

    fn uplift_options(send: &str, days: Option<u32>) -> UpliftOptions {
        UpliftOptions {
            id: "uplift-test".into(),
            send_date: send.into(),
            holdout_share: Some(0.5),
            members: ["U1", "U2", "U3", "U4", "U5", "U6", "U1 "].map(String::from).to_vec(),
            days,
        }
    }

    #[test]
    fn uplift_compares_treated_and_holdout() {
        let ws = uplift_data();
        let u = ws.campaign_uplift(&uplift_options("2026-03-01", None)).unwrap();
        assert_eq!((u.status, u.days, u.observed_days), ("ok", 30, 30));
        assert_eq!(
            u.treated,
            Outcome {
                members: 4,
                repurchased: 3,
                repurchase_rate: 0.75,
                spend_fen: 28_000,
                spend_per_member_fen: 7_000
            }
        );
        assert_eq!(
            u.holdout,
            Outcome { members: 2, repurchased: 1, repurchase_rate: 0.5, spend_fen: 4_000, spend_per_member_fen: 2_000 }
        );
        assert_eq!(u.difference, Some(Difference { repurchase_rate: 0.25, spend_per_member_fen: 5_000 }));
        // 60 days: the data ends 04-15, 46 days in: provisional; U2's 04-15 order now counts.
        let u = ws.campaign_uplift(&uplift_options("2026-03-01", Some(60))).unwrap();
        assert_eq!((u.status, u.observed_days, u.treated.spend_fen), ("partial", 46, 36_000));
        // Nothing after the send date: say so, compare nothing.
        let u = ws.campaign_uplift(&uplift_options("2026-05-01", None)).unwrap();
        assert_eq!((u.status, u.difference, u.treated.members), ("no_data", None, 4));
        assert!(u.message.starts_with("数据不足") && u.message_en.starts_with("Not enough data"), "{}", u.message);
        // Nobody held back: nothing to compare with.
        let u = ws.campaign_uplift(&UpliftOptions { holdout_share: Some(0.0), ..uplift_options("2026-03-01", None) });
        assert_eq!(u.unwrap().status, "no_holdout");
        let e = ws.campaign_uplift(&UpliftOptions { send_date: "x".into(), ..uplift_options("", None) }).unwrap_err();
        assert_eq!(e.field(), Some("sendDate"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn budgets_and_caps_hold(budget in 0i64..12_000, cap in 1u32..4, share in 0.0f64..0.9) {
            let ws = fixture();
            let o = CampaignOptions {
                budget_fen: Some(budget),
                per_member_cap: Some(cap),
                holdout_share: Some(share),
                ..options("prop")
            };
            let s = ws.plan_campaign(&o).unwrap();
            prop_assert!(s.cost_fen + s.holdout_cost_fen <= budget);
            prop_assert_eq!(s.remaining_fen, Some(budget - s.cost_fen - s.holdout_cost_fen));
            let left = budget - s.cost_fen - s.holdout_cost_fen;
            for id in ["V1", "S1", "P1", "N1", "C1", "E1", "R1"] {
                let mine: Vec<&CampaignRow> = s.rows.iter().filter(|r| r.member_id == id).collect();
                prop_assert!(mine.len() <= cap as usize);
                // Nothing left out would still fit: a member under the cap has no unplanned offer
                // that costs no more than what is left.
                if mine.len() < cap as usize {
                    for offer in ws.offers(id).unwrap() {
                        if !mine.iter().any(|r| r.offer.key == offer.key) {
                            prop_assert!(offer.cost_fen > left, "{} {} fits in {}", id, offer.key, left);
                        }
                    }
                }
            }
        }
    }
}
