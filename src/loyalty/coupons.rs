//! Coupons (优惠券, DOMAIN §9): the store's coupon templates in the rules
//! ([`CouponRules`]), whether a member may receive a coupon on a day with
//! **every failing rule and its reason** ([`eligibility`]), the coupons
//! issued and not used that expire soon ([`reminders`], "您有一张优惠券即将到期")
//! and issue → use rates by coupon and segment ([`stats`]).
//!
//! What was issued and used comes from the events file: `coupon_issued`
//! (领券) and `coupon_used` (用券) rows whose 优惠券 column names the coupon by
//! its template `key` or its 中文 `name`. Choices written down here:
//!
//! - **Validity** (`validity`): `from` / `to` bound the days on which the
//!   coupon may be issued and used (inclusive); `days` makes each coupon
//!   valid from its issue day through issue day + days − 1 (`days: 7` issued
//!   on 1 November: valid to 7 November), never past `to`.
//! - **Audience**: each list given (lifecycle stages, levels, value groups,
//!   tags) must contain the member's (any one of the list), and the member
//!   must match the `crowd` expression of the condition language
//!   ([`crate::analytics::condition`]). Segments are those of the latest
//!   analysis; tags are behaviour tag keys or tags imported in the members
//!   file (会员标签).
//! - **Counts** (per-member limit, budget): issues dated on or before the
//!   day checked count, whoever they went to (for the budget), at the face
//!   value of the template (`faceValue`, or the amount off).
//! - **Stacking**: two coupons combine only when each names the other's
//!   kind in `stacksWith`.
//! - **Minimum spend** is checked when the caller gives the order's amount.
//! - **Reminders**: a use consumes the member's earliest open issue of that
//!   coupon still valid on the day of use (else the earliest open one); an
//!   issue still open on the day checked is due when it expires within
//!   `remindDays` days (0 = expires that day).
//! - **Rates**: over the events before the analysis date; issue rate = share
//!   of a segment's members who received the coupon, use rate = uses ÷ issues.

use crate::analytics::condition::Expr;
use crate::analytics::query::{View, field_value};
use crate::analytics::tags::Tag;
use crate::analytics::{Lifecycle, ValueGroup};
use crate::error::{Error, ErrorKind, Result};
use crate::export::mask_phone;
use crate::model::{Day, EventType, Events, Fen, day_of, format_day, format_yuan};
use crate::rules::{LevelRule, Yuan};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;

// ---------------------------------------------------------------------------
// Rules

/// The coupon templates and the reminder text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CouponRules {
    /// The store's coupons; keys are unique.
    pub templates: Vec<CouponTemplate>,
    /// Reminder message (default "您有一张优惠券即将到期").
    pub reminder_text: String,
    /// Reminder message in English.
    pub reminder_text_en: String,
}

/// What a coupon is for: the nine kinds of DOMAIN §9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CouponKind {
    /// 新人券: for members who just joined.
    NewMember,
    /// 满减券: an amount off above a minimum spend.
    Threshold,
    /// 折扣券: a percentage off.
    Percent,
    /// 免运费券: free delivery.
    FreeDelivery,
    /// 赠品券: a gift.
    Gift,
    /// 专享券: for VIP levels only.
    VipOnly,
    /// 推荐奖励券: for members who referred a friend.
    Referral,
    /// 召回券: to bring back dormant and churned members.
    Recall,
    /// 一元秒杀: an item for 1 yuan.
    FlashSale,
}

impl CouponKind {
    /// Every kind, in DOMAIN's order.
    pub const ALL: [CouponKind; 9] = [
        CouponKind::NewMember,
        CouponKind::Threshold,
        CouponKind::Percent,
        CouponKind::FreeDelivery,
        CouponKind::Gift,
        CouponKind::VipOnly,
        CouponKind::Referral,
        CouponKind::Recall,
        CouponKind::FlashSale,
    ];

    /// (key, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            CouponKind::NewMember => ("newMember", "新人券", "new-member"),
            CouponKind::Threshold => ("threshold", "满减券", "threshold"),
            CouponKind::Percent => ("percent", "折扣券", "percent off"),
            CouponKind::FreeDelivery => ("freeDelivery", "免运费券", "free delivery"),
            CouponKind::Gift => ("gift", "赠品券", "gift"),
            CouponKind::VipOnly => ("vipOnly", "专享券", "VIP-only"),
            CouponKind::Referral => ("referral", "推荐奖励券", "referral reward"),
            CouponKind::Recall => ("recall", "召回券", "recall"),
            CouponKind::FlashSale => ("flashSale", "一元秒杀", "1-yuan flash sale"),
        }
    }
}

/// What the member gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Benefit {
    /// An amount off, in yuan: `{"amountOff": 5}`.
    AmountOff(Yuan),
    /// A percentage off, 1–99: `{"percentOff": 10}` is 9折.
    PercentOff(u8),
    /// Free delivery: `"freeDelivery"`.
    FreeDelivery,
    /// A gift, named: `{"gift": "现磨咖啡一杯"}`.
    Gift(String),
    /// An item at this price, in yuan: `{"price": 1}` (flash sale).
    Price(Yuan),
}

/// A date in the rules, written `YYYY-MM-DD` (any form the importer reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleDate(pub Day);

impl Serialize for RuleDate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format_day(self.0))
    }
}

impl<'de> Deserialize<'de> for RuleDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<RuleDate, D::Error> {
        use serde::de::Error as _;
        let text = String::deserialize(d)?;
        crate::ingest::fields::parse_datetime(&text)
            .map(|t| RuleDate(day_of(t.date())))
            .map_err(|_| D::Error::custom(format!("\"{text}\" is not a date (YYYY-MM-DD)")))
    }
}

/// When a coupon may be issued and used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Validity {
    /// First day the coupon may be issued or used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<RuleDate>,
    /// Last day the coupon may be issued or used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<RuleDate>,
    /// Each coupon is valid this many days counting its issue day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

impl Validity {
    /// The last day a coupon issued on `issued` is valid.
    pub fn expires(&self, issued: Day) -> Day {
        let relative = self.days.map(|d| issued + d as Day - 1);
        match (relative, self.to) {
            (Some(r), Some(to)) => r.min(to.0),
            (Some(r), None) => r,
            (None, Some(to)) => to.0,
            // Validation requires `days` or `to`.
            (None, None) => issued,
        }
    }
}

/// Who may receive a coupon; every part given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Audience {
    /// Lifecycle stages (`prospect`, `new`, `active`, `dormant`, `churned`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lifecycle: Vec<String>,
    /// Member level keys of `levels.levels`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Value groups (`value`, `potential`, `stable`, `churned`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub value_groups: Vec<String>,
    /// Behaviour tag keys or imported tags; the member needs one of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A crowd expression the member must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crowd: Option<String>,
}

impl Audience {
    fn is_empty(&self) -> bool {
        *self == Audience::default()
    }
}

/// The total a coupon may cost: a number of coupons and/or an amount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Budget {
    /// At most this many coupons issued in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// At most this much in yuan at face value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Yuan>,
}

/// One coupon template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponTemplate {
    /// Stable key, as the events file and the offers playbook name it.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// What it is for.
    pub kind: CouponKind,
    /// What the member gets.
    pub benefit: Benefit,
    /// What one coupon costs the store, yuan (default: the amount off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_value: Option<Yuan>,
    /// Minimum order amount, yuan (default 0).
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub min_spend: Yuan,
    /// When it may be issued and used.
    pub validity: Validity,
    /// Who may receive it (default everyone).
    #[serde(default, skip_serializing_if = "Audience::is_empty")]
    pub audience: Audience,
    /// Coupons one member may receive in all (default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_member_limit: Option<u32>,
    /// Total budget (default: none).
    #[serde(default, skip_serializing_if = "is_default")]
    pub budget: Budget,
    /// Kinds it may be combined with in one order (default none).
    #[serde(default)]
    pub stacks_with: Vec<CouponKind>,
    /// Remind this many days before the last valid day (default 1).
    #[serde(default = "one")]
    pub remind_days: u32,
}

fn zero() -> Yuan {
    Yuan(0)
}

fn is_zero(y: &Yuan) -> bool {
    y.0 == 0
}

fn is_default(b: &Budget) -> bool {
    *b == Budget::default()
}

fn one() -> u32 {
    1
}

impl CouponTemplate {
    /// One coupon's cost at face value, fen, when known.
    pub fn face_value_fen(&self) -> Option<Fen> {
        match (&self.face_value, &self.benefit) {
            (Some(v), _) => Some(v.0),
            (None, Benefit::AmountOff(v)) => Some(v.0),
            _ => None,
        }
    }

    /// A short description (中文, English), e.g. ("满30减5，领取后14天内有效", "¥5 off from ¥30, valid 14 days after issue").
    pub fn describe(&self) -> (String, String) {
        let min = self.min_spend.0;
        let yuan = |fen: Fen| if fen % 100 == 0 { (fen / 100).to_string() } else { format_yuan(fen) };
        let (zh, en) = match &self.benefit {
            Benefit::AmountOff(v) if min > 0 => {
                (format!("满{}减{}", yuan(min), yuan(v.0)), format!("¥{} off from ¥{}", yuan(v.0), yuan(min)))
            }
            Benefit::AmountOff(v) => (format!("无门槛减{}", yuan(v.0)), format!("¥{} off", yuan(v.0))),
            Benefit::PercentOff(p) => {
                let pay = 100 - u32::from(*p);
                let zhe = if pay % 10 == 0 { (pay / 10).to_string() } else { pay.to_string() };
                (format!("{zhe}折"), format!("{p}% off"))
            }
            Benefit::FreeDelivery => ("免运费".to_string(), "free delivery".to_string()),
            Benefit::Gift(g) => (format!("赠{g}"), format!("free gift: {g}")),
            Benefit::Price(p) => (format!("{}元秒杀", yuan(p.0)), format!("an item for ¥{}", yuan(p.0))),
        };
        let (zh, en) = match &self.benefit {
            Benefit::AmountOff(_) => (zh, en),
            _ if min > 0 => (format!("满{}可用，{zh}", yuan(min)), format!("{en} on orders from ¥{}", yuan(min))),
            _ => (zh, en),
        };
        let v = &self.validity;
        let (vzh, ven) = match (v.days, v.from, v.to) {
            (Some(d), _, None) => (format!("领取后{d}天内有效"), format!("valid {d} days after issue")),
            (Some(d), _, Some(to)) => (
                format!("领取后{d}天内有效，最晚{}", format_day(to.0)),
                format!("valid {d} days after issue, until {} at the latest", format_day(to.0)),
            ),
            (None, Some(from), Some(to)) => (
                format!("{}至{}有效", format_day(from.0), format_day(to.0)),
                format!("valid {} to {}", format_day(from.0), format_day(to.0)),
            ),
            (None, _, to) => {
                let to = to.map_or_else(String::new, |t| format_day(t.0));
                (format!("{to}前有效"), format!("valid until {to}"))
            }
        };
        (format!("{zh}，{vzh}"), format!("{en}, {ven}"))
    }
}

impl Default for CouponRules {
    /// One template of each kind of DOMAIN §9, kept as rules JSON (coupons.json):
    /// read through the rules deserializer the wasm has anyway, they cost
    /// less than the same values built in code.
    fn default() -> Self {
        CouponRules {
            templates: crate::json::from_str(include_str!("coupons.json"))
                .expect("coupons.json is valid coupon templates (tested: default_templates_cover_every_kind_and_describe_themselves)"),
            reminder_text: "您有一张优惠券即将到期".into(),
            reminder_text_en: "You have a coupon that expires soon".into(),
        }
    }
}

impl CouponRules {
    /// The template with this key.
    pub fn template(&self, key: &str) -> Option<&CouponTemplate> {
        self.templates.iter().find(|t| t.key == key.trim())
    }

    fn find(&self, field: &str, key: &str) -> Result<usize> {
        self.templates.iter().position(|t| t.key == key.trim()).ok_or_else(|| {
            let keys: Vec<&str> = self.templates.iter().map(|t| t.key.as_str()).collect();
            Error::bad_options(field, format!("unknown coupon \"{key}\"; the rules define {}", keys.join(", ")))
        })
    }

    /// Check what serde cannot; errors name the field (`coupons.templates[2].benefit`).
    pub fn validate(&self, levels: &[LevelRule]) -> Result<()> {
        let text = |field: &str, s: &str| {
            if s.trim().is_empty() { Err(Error::invalid_rules(field, "must not be empty")) } else { Ok(()) }
        };
        text("coupons.reminderText", &self.reminder_text)?;
        text("coupons.reminderTextEn", &self.reminder_text_en)?;
        for (i, t) in self.templates.iter().enumerate() {
            let at = |f: &str| format!("coupons.templates[{i}].{f}");
            text(&at("key"), &t.key)?;
            if t.key.trim() != t.key {
                return Err(Error::invalid_rules(at("key"), "no spaces around the key"));
            }
            if self.templates[..i].iter().any(|o| o.key == t.key) {
                return Err(Error::invalid_rules(at("key"), format!("\"{}\" is used by another coupon", t.key)));
            }
            text(&at("name"), &t.name)?;
            text(&at("nameEn"), &t.name_en)?;
            match &t.benefit {
                Benefit::AmountOff(v) if v.0 <= 0 => {
                    return Err(Error::invalid_rules(at("benefit.amountOff"), "must be more than 0"));
                }
                Benefit::PercentOff(p) if !(1..=99).contains(p) => {
                    return Err(Error::invalid_rules(at("benefit.percentOff"), format!("1 to 99, got {p}")));
                }
                Benefit::Gift(g) => text(&at("benefit.gift"), g)?,
                Benefit::Price(p) if p.0 < 0 => {
                    return Err(Error::invalid_rules(at("benefit.price"), "must not be negative"));
                }
                _ => {}
            }
            if t.face_value.is_some_and(|v| v.0 < 0) {
                return Err(Error::invalid_rules(at("faceValue"), "must not be negative"));
            }
            if t.min_spend.0 < 0 {
                return Err(Error::invalid_rules(at("minSpend"), "must not be negative"));
            }
            let v = &t.validity;
            if v.days.is_none() && v.to.is_none() {
                return Err(Error::invalid_rules(
                    at("validity"),
                    "give days (valid N days after issue) or to (a last day)",
                ));
            }
            if v.days.is_some_and(|d| !(1..=3660).contains(&d)) {
                return Err(Error::invalid_rules(at("validity.days"), "must be between 1 and 3660 days"));
            }
            if let (Some(from), Some(to)) = (v.from, v.to)
                && from > to
            {
                return Err(Error::invalid_rules(
                    at("validity.to"),
                    format!("{} is before from ({})", format_day(to.0), format_day(from.0)),
                ));
            }
            let a = &t.audience;
            for (k, s) in a.lifecycle.iter().enumerate() {
                if Lifecycle::parse(s).is_none() {
                    return Err(Error::invalid_rules(
                        at(&format!("audience.lifecycle[{k}]")),
                        format!("unknown stage \"{s}\"; stages are prospect, new, active, dormant, churned"),
                    ));
                }
            }
            for (k, s) in a.value_groups.iter().enumerate() {
                if ValueGroup::parse(s).is_none() {
                    return Err(Error::invalid_rules(
                        at(&format!("audience.valueGroups[{k}]")),
                        format!("unknown value group \"{s}\"; groups are value, potential, stable, churned"),
                    ));
                }
            }
            for (k, s) in a.levels.iter().enumerate() {
                if !levels.iter().any(|l| l.key == *s) {
                    let keys: Vec<&str> = levels.iter().map(|l| l.key.as_str()).collect();
                    return Err(Error::invalid_rules(
                        at(&format!("audience.levels[{k}]")),
                        format!("unknown level \"{s}\"; levels.levels defines {}", keys.join(", ")),
                    ));
                }
            }
            for (k, s) in a.tags.iter().enumerate() {
                text(&at(&format!("audience.tags[{k}]")), s)?;
            }
            if let Some(crowd) = &a.crowd {
                Expr::parse(crowd).map_err(|e| {
                    let message = match e.kind() {
                        ErrorKind::BadOptions { message, .. } => message.clone(),
                        _ => e.to_string(),
                    };
                    Error::invalid_rules(at("audience.crowd"), message)
                })?;
            }
            if t.per_member_limit == Some(0) {
                return Err(Error::invalid_rules(at("perMemberLimit"), "at least 1 (leave it out for no limit)"));
            }
            if t.budget.count == Some(0) {
                return Err(Error::invalid_rules(at("budget.count"), "at least 1 (leave it out for no limit)"));
            }
            if t.budget.amount.is_some_and(|a| a.0 <= 0) {
                return Err(Error::invalid_rules(at("budget.amount"), "more than 0 (leave it out for no limit)"));
            }
            if t.budget.amount.is_some() && t.face_value_fen().is_none() {
                return Err(Error::invalid_rules(
                    at("budget.amount"),
                    "an amount budget needs the coupon's face value: give faceValue (yuan)",
                ));
            }
            if t.remind_days > 365 {
                return Err(Error::invalid_rules(at("remindDays"), "between 0 and 365 days"));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Coupon events

/// For each label of the events' coupon column, the template it names (by
/// key or 中文 name), if any.
fn label_templates(events: &Events, rules: &CouponRules) -> Vec<Option<usize>> {
    let Some(labels) = &events.coupon else { return Vec::new() };
    labels
        .names
        .names()
        .iter()
        .map(|name| {
            let name = name.trim();
            if name.is_empty() {
                return None;
            }
            rules
                .templates
                .iter()
                .position(|t| t.key == name)
                .or_else(|| rules.templates.iter().position(|t| t.name == name))
        })
        .collect()
}

/// The coupon events of the data: (event row, issued or used, coupon label index).
fn coupon_events(events: &Events) -> impl Iterator<Item = (usize, bool, u32)> + '_ {
    (0..events.len()).filter_map(move |i| {
        let issued = match events.kind.get(i) {
            Some(EventType::CouponIssued) => true,
            Some(EventType::CouponUsed) => false,
            _ => return None,
        };
        let label = events.coupon.as_ref().and_then(|c| c.of.get(i).copied()).unwrap_or(0);
        Some((i, issued, label))
    })
}

// ---------------------------------------------------------------------------
// Eligibility

/// Options of [`eligibility`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct EligibilityOptions {
    /// The day of issue (default: the analysis date).
    pub at: Option<String>,
    /// The order's amount in fen, to check the minimum spend.
    pub spend_fen: Option<Fen>,
    /// Keys of coupons used in the same order, to check stacking.
    pub with: Vec<String>,
}

/// One rule that failed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// Stable code (see [`CODES`]).
    pub code: &'static str,
    /// The template field at fault, e.g. `audience.lifecycle`.
    pub rule: &'static str,
    /// English, naming the numbers.
    pub reason: String,
    /// 中文.
    pub reason_zh: String,
}

/// The failure codes, with the template field each checks.
pub const CODES: &[(&str, &str)] = &[
    ("not_yet_valid", "validity.from"),
    ("ended", "validity.to"),
    ("audience_lifecycle", "audience.lifecycle"),
    ("audience_level", "audience.levels"),
    ("audience_value_group", "audience.valueGroups"),
    ("audience_tag", "audience.tags"),
    ("audience_crowd", "audience.crowd"),
    ("limit_reached", "perMemberLimit"),
    ("budget_count", "budget.count"),
    ("budget_amount", "budget.amount"),
    ("min_spend", "minSpend"),
    ("no_stacking", "stacksWith"),
];

fn failure(code: &'static str, reason: String, reason_zh: String) -> Failure {
    let rule = CODES.iter().find(|c| c.0 == code).map_or("", |c| c.1);
    Failure { code, rule, reason, reason_zh }
}

/// The answer of [`eligibility`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Eligibility {
    /// Member id.
    pub member_id: String,
    /// Coupon key.
    pub coupon: String,
    /// Coupon name (中文).
    pub name: String,
    /// Coupon name (English).
    pub name_en: String,
    /// The day checked.
    pub at: String,
    /// True when no rule failed.
    pub eligible: bool,
    /// Every rule that failed, in the order of [`CODES`].
    pub failures: Vec<Failure>,
    /// Coupons of this template the member received on or before `at`.
    pub issued_to_member: u64,
    /// Coupons of this template issued to anyone on or before `at`.
    pub issued_total: u64,
    /// The last valid day of a coupon issued on `at`.
    pub expires: String,
    /// The minimum spend, fen (0 = none); checked only when `spendFen` is given.
    pub min_spend_fen: Fen,
}

/// Whether member `member_id` may receive coupon `key` (the rules' template)
/// with every failing rule and its reason.
pub fn eligibility(
    view: &View<'_>,
    rules: &CouponRules,
    member_id: &str,
    key: &str,
    options: &EligibilityOptions,
) -> Result<Eligibility> {
    let analysis = view.analysis;
    let i = analysis.find(member_id).ok_or_else(|| ErrorKind::UnknownMember(member_id.to_string()))?;
    let t = &rules.templates[rules.find("coupon", key)?];
    let with: Vec<&CouponTemplate> =
        options.with.iter().map(|k| rules.find("with", k).map(|w| &rules.templates[w])).collect::<Result<_>>()?;
    let at = match options.at.as_deref().map(str::trim) {
        None | Some("") => analysis.as_of,
        Some(text) => crate::analytics::parse_as_of(text)
            .map_err(|_| Error::bad_options("at", format!("\"{text}\" is not a date (YYYY-MM-DD)")))?,
    };
    let p = &analysis.profiles[i];
    let mut failures = Vec::new();

    let v = &t.validity;
    if let Some(from) = v.from.filter(|f| at < f.0) {
        let d = format_day(from.0);
        failures.push(failure(
            "not_yet_valid",
            format!("coupon not valid until {d}"),
            format!("优惠券 {d} 起才可领用"),
        ));
    }
    if let Some(to) = v.to.filter(|t| at > t.0) {
        let d = format_day(to.0);
        failures.push(failure("ended", format!("coupon ended on {d}"), format!("优惠券已于 {d} 结束")));
    }

    // Audience.
    let a = &t.audience;
    let or_list = |items: Vec<&str>, word: &str| match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {word} {last}", rest.join(", ")),
        Some((last, _)) => last.to_string(),
        None => String::new(),
    };
    let stage = |key: &str| Lifecycle::parse(key).map_or(("?", "?"), |s| (s.labels().1, s.labels().2));
    if !a.lifecycle.is_empty() && !p.lifecycle.is_some_and(|s| a.lifecycle.iter().any(|k| k == s.key())) {
        let (have_zh, have) = p.lifecycle.map_or(("无", "none"), |s| (s.labels().1, s.key()));
        failures.push(failure(
            "audience_lifecycle",
            format!(
                "not in audience: lifecycle is {have}, needs {}",
                or_list(a.lifecycle.iter().map(String::as_str).collect(), "or")
            ),
            format!(
                "不在发放人群：生命周期为{have_zh}，需要{}",
                a.lifecycle.iter().map(|k| stage(k).0).collect::<Vec<_>>().join("或")
            ),
        ));
    }
    if !a.levels.is_empty() {
        let level = view.levels.get(p.level.index);
        if !level.is_some_and(|l| a.levels.contains(&l.key)) {
            let name = |k: &str| view.levels.iter().find(|l| l.key == k).map_or(k.to_string(), |l| l.name.clone());
            failures.push(failure(
                "audience_level",
                format!(
                    "not in audience: level is {}, needs {}",
                    level.map_or("none", |l| l.key.as_str()),
                    or_list(a.levels.iter().map(String::as_str).collect(), "or")
                ),
                format!(
                    "不在发放人群：等级为{}，需要{}",
                    level.map_or("无", |l| l.name.as_str()),
                    a.levels.iter().map(|k| name(k)).collect::<Vec<_>>().join("或")
                ),
            ));
        }
    }
    if !a.value_groups.is_empty() && !p.value_group.is_some_and(|g| a.value_groups.iter().any(|k| k == g.key())) {
        let (have, have_zh) =
            p.value_group.map_or(("none (never bought)", "无（未消费）"), |g| (g.key(), g.labels().1));
        let zh = |k: &str| ValueGroup::parse(k).map_or("?", |g| g.labels().1);
        failures.push(failure(
            "audience_value_group",
            format!(
                "not in audience: value group is {have}, needs {}",
                or_list(a.value_groups.iter().map(String::as_str).collect(), "or")
            ),
            format!(
                "不在发放人群：价值分组为{have_zh}，需要{}",
                a.value_groups.iter().map(|k| zh(k)).collect::<Vec<_>>().join("或")
            ),
        ));
    }
    if !a.tags.is_empty() {
        let mut has: Vec<String> = p.tags.iter().map(|f| f.tag.key().to_string()).collect();
        if let (Some(row), Some(tags)) = (p.member_row, view.data.members.as_ref().and_then(|m| m.manual_tags.as_ref()))
        {
            has.extend(tags.names_of(row as usize).map(str::to_string));
        }
        if !a.tags.iter().any(|t| has.contains(t)) {
            let zh =
                |k: &str| Tag::ALL.iter().find(|t| t.key() == k).map_or(k.to_string(), |t| t.labels().2.to_string());
            let have = if has.is_empty() { "none".to_string() } else { has.join(", ") };
            let have_zh = if has.is_empty() {
                "无".to_string()
            } else {
                has.iter().map(|k| zh(k)).collect::<Vec<_>>().join("、")
            };
            failures.push(failure(
                "audience_tag",
                format!(
                    "not in audience: tags are {have}, needs {}",
                    or_list(a.tags.iter().map(String::as_str).collect(), "or")
                ),
                format!(
                    "不在发放人群：标签为{have_zh}，需要{}",
                    a.tags.iter().map(|k| zh(k)).collect::<Vec<_>>().join("或")
                ),
            ));
        }
    }
    if let Some(crowd) = &a.crowd
        && !Expr::parse(crowd)?.matches(&|name| field_value(view, i, name))
    {
        failures.push(failure(
            "audience_crowd",
            format!("not in audience: does not match the crowd {crowd}"),
            format!("不在发放人群：不符合人群条件 {crowd}"),
        ));
    }

    // Limit and budget, from the coupon events on or before `at`.
    let (mut mine, mut total) = (0u64, 0u64);
    if let Some(events) = &view.data.events {
        let templates = label_templates(events, rules);
        let me = events.ids.get(&analysis.ids()[i]);
        let this = rules.templates.iter().position(|x| x.key == t.key);
        for (e, issued, label) in coupon_events(events) {
            if issued && events.day[e] <= at && templates.get(label as usize).copied().flatten() == this {
                total += 1;
                mine += u64::from(Some(events.member(e)) == me);
            }
        }
    }
    if let Some(limit) = t.per_member_limit.filter(|&l| mine >= u64::from(l)) {
        failures.push(failure(
            "limit_reached",
            format!("already received {mine} of limit {limit}"),
            format!("已领取 {mine} 张，每人限领 {limit} 张"),
        ));
    }
    if let Some(count) = t.budget.count.filter(|&c| total >= c) {
        failures.push(failure(
            "budget_count",
            format!("budget of {count} coupons used up: {total} issued"),
            format!("发放总量 {count} 张已用完：已发 {total} 张"),
        ));
    }
    if let (Some(budget), Some(face)) = (t.budget.amount, t.face_value_fen()) {
        let spent = face.saturating_mul(total as i64);
        if spent.saturating_add(face) > budget.0 {
            let (b, f, s, left) =
                (format_yuan(budget.0), format_yuan(face), format_yuan(spent), format_yuan((budget.0 - spent).max(0)));
            failures.push(failure(
                "budget_amount",
                format!("budget of ¥{b} used up: {total} issued × ¥{f} = ¥{s}, ¥{left} left"),
                format!("预算 ¥{b} 已用完：已发 {total} 张 × ¥{f} = ¥{s}，剩余 ¥{left}"),
            ));
        }
    }

    if let Some(spend) = options.spend_fen
        && spend < t.min_spend.0
    {
        let (s, m) = (format_yuan(spend), format_yuan(t.min_spend.0));
        failures.push(failure(
            "min_spend",
            format!("spend ¥{s} is below the minimum ¥{m}"),
            format!("消费 ¥{s} 未达到最低消费 ¥{m}"),
        ));
    }
    for w in with {
        if !(t.stacks_with.contains(&w.kind) && w.stacks_with.contains(&t.kind)) {
            let (_, kind_zh, kind_en) = w.kind.labels();
            failures.push(failure(
                "no_stacking",
                format!("cannot be combined with {} ({kind_en})", w.name_en),
                format!("不能与{}（{kind_zh}）同时使用", w.name),
            ));
        }
    }

    Ok(Eligibility {
        member_id: analysis.ids()[i].to_string(),
        coupon: t.key.clone(),
        name: t.name.clone(),
        name_en: t.name_en.clone(),
        at: format_day(at),
        eligible: failures.is_empty(),
        failures,
        issued_to_member: mine,
        issued_total: total,
        expires: format_day(t.validity.expires(at)),
        min_spend_fen: t.min_spend.0,
    })
}

// ---------------------------------------------------------------------------
// Reminders

/// Which reminders, which page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RemindersQuery {
    /// The day the reminders go out (default: the analysis date).
    pub at: Option<String>,
    /// Rows to skip.
    pub offset: Option<usize>,
    /// Rows to return (default 50).
    pub limit: Option<usize>,
}

/// One coupon to remind a member of.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    /// Member id.
    pub member_id: String,
    /// Name, when the members file gives it.
    pub name: String,
    /// Phone, masked.
    pub phone: String,
    /// Coupon key.
    pub coupon: String,
    /// Coupon name (中文).
    pub coupon_name: String,
    /// Coupon name (English).
    pub coupon_name_en: String,
    /// Day issued.
    pub issued_at: String,
    /// Last valid day.
    pub expires: String,
    /// Days from `at` to `expires` (0 = expires that day).
    pub days_left: u32,
}

/// A page of reminders.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemindersPage {
    /// The day checked.
    pub at: String,
    /// Reminders due.
    pub total: usize,
    /// First row's position.
    pub offset: usize,
    /// The message to send (中文).
    pub message: String,
    /// The message to send (English).
    pub message_en: String,
    /// The rows, by expiry, then member id, then coupon key.
    pub rows: Vec<Reminder>,
}

/// The coupons issued and not used on or before `at` that expire within
/// their template's `remindDays` of `at`: (member index in the events,
/// template, issue day, last valid day), sorted by expiry, member id, key.
fn due(events: &Events, rules: &CouponRules, at: Day) -> Vec<(u32, usize, Day, Day)> {
    let templates = label_templates(events, rules);
    // (member, template, day, minute, used) of the known coupons' events.
    let mut list: Vec<(u32, usize, Day, u16, bool)> = coupon_events(events)
        .filter(|&(e, _, _)| events.day[e] <= at)
        .filter_map(|(e, issued, label)| {
            let t = templates.get(label as usize).copied().flatten()?;
            Some((events.member(e), t, events.day[e], events.minute.get(e).copied().unwrap_or(0), !issued))
        })
        .collect();
    list.sort_unstable();
    let mut out = Vec::new();
    let mut open: Vec<(Day, Day)> = Vec::new(); // (issued, expires) of one member's coupon
    let mut k = 0;
    while k < list.len() {
        let (member, t, ..) = list[k];
        let validity = &rules.templates[t].validity;
        open.clear();
        while k < list.len() && list[k].0 == member && list[k].1 == t {
            let (_, _, day, _, used) = list[k];
            if used {
                let pick = open.iter().position(|o| o.1 >= day).or(if open.is_empty() { None } else { Some(0) });
                if let Some(p) = pick {
                    open.remove(p);
                }
            } else {
                open.push((day, validity.expires(day)));
            }
            k += 1;
        }
        let window = rules.templates[t].remind_days as Day;
        out.extend(open.iter().filter(|o| o.1 >= at && o.1 - at <= window).map(|o| (member, t, o.0, o.1)));
    }
    out.sort_by(|a, b| {
        (a.3, events.ids.name(a.0), &rules.templates[a.1].key).cmp(&(
            b.3,
            events.ids.name(b.0),
            &rules.templates[b.1].key,
        ))
    });
    out
}

/// The coupons to remind members of on `at` (default the analysis date), paged.
pub fn reminders(view: &View<'_>, rules: &CouponRules, query: &RemindersQuery) -> Result<RemindersPage> {
    let at = match query.at.as_deref().map(str::trim) {
        None | Some("") => view.analysis.as_of,
        Some(text) => crate::analytics::parse_as_of(text)
            .map_err(|_| Error::bad_options("at", format!("\"{text}\" is not a date (YYYY-MM-DD)")))?,
    };
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(50);
    let (total, rows) = match &view.data.events {
        None => (0, Vec::new()),
        Some(events) => {
            let list = due(events, rules, at);
            let rows = list
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&(member, t, issued, expires)| {
                    let id = events.ids.name(member);
                    let row = view.analysis.find(id).and_then(|i| view.analysis.profiles[i].member_row);
                    let members = view.data.members.as_ref();
                    let field = |col: fn(&crate::model::Members) -> &Vec<Box<str>>| {
                        row.and_then(|r| members.and_then(|m| col(m).get(r as usize))).map_or("", |s| s)
                    };
                    let template = &rules.templates[t];
                    Reminder {
                        member_id: id.to_string(),
                        name: field(|m| &m.name).to_string(),
                        phone: mask_phone(field(|m| &m.phone)),
                        coupon: template.key.clone(),
                        coupon_name: template.name.clone(),
                        coupon_name_en: template.name_en.clone(),
                        issued_at: format_day(issued),
                        expires: format_day(expires),
                        days_left: (expires - at).max(0) as u32,
                    }
                })
                .collect();
            (list.len(), rows)
        }
    };
    Ok(RemindersPage {
        at: format_day(at),
        total,
        offset,
        message: rules.reminder_text.clone(),
        message_en: rules.reminder_text_en.clone(),
        rows,
    })
}

// ---------------------------------------------------------------------------
// Issue and use rates

/// Options of [`stats`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct StatsQuery {
    /// Only this coupon (a template key) in the segment tables.
    pub coupon: Option<String>,
}

/// Issues and uses of one coupon.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CouponRow {
    /// Template key, or the label as the events file writes it.
    pub key: String,
    /// 中文 name (the label when no template names it).
    pub name: String,
    /// English name (the label when no template names it).
    pub name_en: String,
    /// The template's kind; `None` for a coupon the rules do not define.
    pub kind: Option<CouponKind>,
    /// Coupons issued.
    pub issued: u64,
    /// Coupons used.
    pub used: u64,
    /// Members who received one.
    pub members_issued: u64,
    /// used ÷ issued (0 when none issued).
    pub use_rate: f64,
    /// Issued × face value, fen, when the face value is known.
    pub issued_face_fen: Option<Fen>,
    /// The template's budget in coupons.
    pub budget_count: Option<u64>,
    /// The template's budget in fen.
    pub budget_fen: Option<Fen>,
}

/// Issues and uses in one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRow {
    /// Segment key (`value`, `prospect`, `dormant`, …).
    pub key: &'static str,
    /// 中文 label.
    pub label: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Members in the segment.
    pub members: u64,
    /// Of them, members who received a coupon.
    pub members_issued: u64,
    /// members_issued ÷ members.
    pub issue_rate: f64,
    /// Coupons issued to the segment.
    pub issued: u64,
    /// Coupons used by the segment.
    pub used: u64,
    /// used ÷ issued.
    pub use_rate: f64,
}

/// Issue and use rates by coupon and by segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CouponStats {
    /// The analysis date; events before it count.
    pub as_of: String,
    /// Whether any coupon event was imported.
    pub has_coupon_events: bool,
    /// Whether the events file names the coupons (优惠券 column).
    pub has_coupon_column: bool,
    /// The coupon the segment tables are about (`None`: all coupons).
    pub coupon: Option<String>,
    /// Every template, then coupons of the events that no template names.
    pub coupons: Vec<CouponRow>,
    /// By value group, then prospects (`prospect`: never bought).
    pub by_value_group: Vec<SegmentRow>,
    /// By lifecycle stage.
    pub by_lifecycle: Vec<SegmentRow>,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Issue and use rates of the coupon events before the analysis date.
pub fn stats(view: &View<'_>, rules: &CouponRules, query: &StatsQuery) -> Result<CouponStats> {
    let analysis = view.analysis;
    let only = match query.coupon.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) => Some(rules.find("coupon", key)?),
    };
    let n = analysis.profiles.len();
    // Per member: (issued, used); per coupon row: (issued, used, members).
    let mut per_member = vec![(0u64, 0u64); n];
    let mut rows: Vec<CouponRow> = rules
        .templates
        .iter()
        .map(|t| CouponRow {
            key: t.key.clone(),
            name: t.name.clone(),
            name_en: t.name_en.clone(),
            kind: Some(t.kind),
            issued: 0,
            used: 0,
            members_issued: 0,
            use_rate: 0.0,
            issued_face_fen: t.face_value_fen().map(|_| 0),
            budget_count: t.budget.count,
            budget_fen: t.budget.amount.map(|a| a.0),
        })
        .collect();
    let (mut any, mut column) = (false, false);
    if let Some(events) = &view.data.events {
        column = events.coupon.is_some();
        let templates = label_templates(events, rules);
        // The row of each label: a template's, or a new row for an unknown label.
        let mut row_of: HashMap<u32, usize> = HashMap::new();
        let mut issued_pairs: Vec<(usize, u32)> = Vec::new();
        for (e, issued, label) in coupon_events(events) {
            any = true;
            if events.day[e] >= analysis.as_of {
                continue;
            }
            let template = templates.get(label as usize).copied().flatten();
            let r = match template {
                Some(t) => t,
                None => *row_of.entry(label).or_insert_with(|| {
                    let name = events.coupon.as_ref().map_or("", |c| c.names.name(label)).trim();
                    let name = if name.is_empty() { "(none)" } else { name };
                    rows.push(CouponRow {
                        key: name.to_string(),
                        name: if name == "(none)" { "（未注明）".to_string() } else { name.to_string() },
                        name_en: name.to_string(),
                        kind: None,
                        issued: 0,
                        used: 0,
                        members_issued: 0,
                        use_rate: 0.0,
                        issued_face_fen: None,
                        budget_count: None,
                        budget_fen: None,
                    });
                    rows.len() - 1
                }),
            };
            let row = &mut rows[r];
            if issued {
                row.issued += 1;
                issued_pairs.push((r, events.member(e)));
            } else {
                row.used += 1;
            }
            let counted = only.is_none_or(|o| template == Some(o));
            if let (true, Some(&Some(m))) = (counted, analysis.event_member.get(events.member(e) as usize)) {
                if issued {
                    per_member[m as usize].0 += 1;
                } else {
                    per_member[m as usize].1 += 1;
                }
            }
        }
        issued_pairs.sort_unstable();
        issued_pairs.dedup();
        for (r, _) in issued_pairs {
            rows[r].members_issued += 1;
        }
    }
    for (row, t) in rows.iter_mut().zip(&rules.templates) {
        row.issued_face_fen = t.face_value_fen().map(|f| f.saturating_mul(row.issued as i64));
    }
    for row in &mut rows {
        row.use_rate = ratio(row.used, row.issued);
    }
    let segment = |labels: (&'static str, &'static str, &'static str), pick: &dyn Fn(usize) -> bool| {
        let (mut members, mut members_issued, mut issued, mut used) = (0, 0, 0, 0);
        for &(iss, u) in per_member.iter().enumerate().filter(|&(i, _)| pick(i)).map(|(_, x)| x) {
            members += 1;
            members_issued += u64::from(iss > 0);
            issued += iss;
            used += u;
        }
        SegmentRow {
            key: labels.0,
            label: labels.1,
            label_en: labels.2,
            members,
            members_issued,
            issue_rate: ratio(members_issued, members),
            issued,
            used,
            use_rate: ratio(used, issued),
        }
    };
    let profiles = &analysis.profiles;
    let mut by_value_group: Vec<SegmentRow> =
        ValueGroup::ALL.iter().map(|&g| segment(g.labels(), &|i| profiles[i].value_group == Some(g))).collect();
    by_value_group.push(segment(("prospect", "潜在会员", "Prospect"), &|i| profiles[i].value_group.is_none()));
    let by_lifecycle =
        Lifecycle::ALL.iter().map(|&s| segment(s.labels(), &|i| profiles[i].lifecycle == Some(s))).collect();
    Ok(CouponStats {
        as_of: format_day(analysis.as_of),
        has_coupon_events: any,
        has_coupon_column: column,
        coupon: only.map(|o| rules.templates[o].key.clone()),
        coupons: rows,
        by_value_group,
        by_lifecycle,
    })
}

/// A template as the JS API lists it: the rules' fields and a description.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    /// The template as in the rules.
    #[serde(flatten)]
    pub template: CouponTemplate,
    /// The kind's 中文 name.
    pub kind_name: &'static str,
    /// The kind's English name.
    pub kind_name_en: &'static str,
    /// What it gives and how long it is valid (中文).
    pub description: String,
    /// The same in English.
    pub description_en: String,
    /// One coupon's cost at face value, fen, when known.
    pub face_value_fen: Option<Fen>,
}

/// The rules' templates with their descriptions.
pub fn templates(rules: &CouponRules) -> Vec<TemplateInfo> {
    rules
        .templates
        .iter()
        .map(|t| {
            let (description, description_en) = t.describe();
            let (_, kind_name, kind_name_en) = t.kind.labels();
            TemplateInfo {
                template: t.clone(),
                kind_name,
                kind_name_en,
                description,
                description_en,
                face_value_fen: t.face_value_fen(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;
    use crate::ingest::{Kind, LoadOptions};

    // The store, as of 2026-11-01 (worked out by hand):
    // - N1 registered 2026-10-28 with the imported tag vip_tag, bought once on
    //   2026-10-30 (¥50): lifecycle new, value group potential (F = 1), level
    //   basic (growth 50), f = 1.
    // - D1 registered 2025-01-01, bought once on 2026-09-01 (¥40): 61 days
    //   ago, dormant, potential, basic, no tags.
    const MEMBERS: &str = "会员ID,注册时间,会员标签\nN1,2026-10-28,vip_tag\nD1,2025-01-01,\n";
    const ORDERS: &str = "会员ID,支付时间,实付金额\nN1,2026-10-30 12:00,50.00\nD1,2026-09-01 09:00,40.00\n";

    /// The template under test: ¥10 off from ¥30, issued 2026-11-01 to
    /// 2026-11-30, each valid 7 days, for new basic potential members with
    /// the tag vip_tag and one purchase, one each, 5 in all or ¥1,000; and
    /// three more to combine it with.
    fn rules(template: serde_json::Value) -> String {
        let mut t = serde_json::json!({
            "key": "t", "name": "测试券", "nameEn": "Test", "kind": "threshold",
            "benefit": {"amountOff": 10}, "minSpend": 30,
            "validity": {"from": "2026-11-01", "to": "2026-11-30", "days": 7},
            "audience": {"lifecycle": ["new"], "levels": ["basic"], "valueGroups": ["potential"],
                         "tags": ["vip_tag"], "crowd": "f <= 1"},
            "perMemberLimit": 1, "budget": {"count": 5, "amount": 1000},
            "stacksWith": ["freeDelivery"]
        });
        if let (Some(t), serde_json::Value::Object(over)) = (t.as_object_mut(), template) {
            for (k, v) in over {
                t.insert(k, v);
            }
        }
        serde_json::json!({"playbook": {"offers": []}, "coupons": {"templates": [
            t,
            {"key": "fd", "name": "免运费", "nameEn": "Free delivery", "kind": "freeDelivery",
             "benefit": "freeDelivery", "validity": {"days": 7}, "stacksWith": ["threshold"]},
            {"key": "fd_alone", "name": "免运费独享", "nameEn": "Free delivery alone", "kind": "freeDelivery",
             "benefit": "freeDelivery", "validity": {"days": 7}},
            {"key": "pct", "name": "九折", "nameEn": "10% off", "kind": "percent",
             "benefit": {"percentOff": 10}, "validity": {"days": 7}, "stacksWith": ["threshold"]}
        ]}})
        .to_string()
    }

    /// A workspace analysed as of 2026-11-01 with these coupon events
    /// (`member,day,type,coupon` lines).
    fn store(template: serde_json::Value, events: &[&str]) -> Workspace {
        let mut ws = Workspace::new();
        ws.set_rules(&rules(template)).unwrap();
        let o = LoadOptions::default();
        ws.load(Kind::Members, MEMBERS.as_bytes(), &o).unwrap();
        ws.load(Kind::Orders, ORDERS.as_bytes(), &o).unwrap();
        if !events.is_empty() {
            let csv = format!("会员ID,发生时间,事件类型,优惠券\n{}\n", events.join("\n"));
            ws.load(Kind::Events, csv.as_bytes(), &o).unwrap();
        }
        ws.analyze(Some("2026-11-01")).unwrap();
        ws
    }

    struct Case {
        name: &'static str,
        template: serde_json::Value,
        events: &'static [&'static str],
        member: &'static str,
        at: &'static str,
        spend_fen: Option<Fen>,
        with: &'static [&'static str],
        fails: &'static [&'static str],
    }

    fn case(name: &'static str) -> Case {
        Case {
            name,
            template: serde_json::json!({}),
            events: &[],
            member: "N1",
            at: "2026-11-01",
            spend_fen: Some(3_000),
            with: &[],
            fails: &[],
        }
    }

    #[test]
    fn eligibility_matrix() {
        use serde_json::json;
        let cases = [
            // Every rule passes; the validity's first day, the minimum spend exactly met.
            Case { with: &["fd"], ..case("all rules pass") },
            Case { at: "2026-11-30", ..case("last day of validity") },
            Case { spend_fen: None, ..case("minimum spend not checked without a spend") },
            // Each rule failing alone.
            Case { at: "2026-12-01", fails: &["ended"], ..case("the day after the last day") },
            Case { at: "2026-10-31", fails: &["not_yet_valid"], ..case("the day before the first day") },
            Case {
                template: json!({"audience": {"lifecycle": ["active", "dormant"]}}),
                fails: &["audience_lifecycle"],
                ..case("lifecycle")
            },
            Case { template: json!({"audience": {"levels": ["gold"]}}), fails: &["audience_level"], ..case("level") },
            Case {
                template: json!({"audience": {"valueGroups": ["value"]}}),
                fails: &["audience_value_group"],
                ..case("value group")
            },
            Case { template: json!({"audience": {"tags": ["stockpiler"]}}), fails: &["audience_tag"], ..case("tag") },
            Case { template: json!({"audience": {"crowd": "f >= 2"}}), fails: &["audience_crowd"], ..case("crowd") },
            Case {
                events: &["N1,2026-10-30,coupon_issued,t"],
                fails: &["limit_reached"],
                ..case("per-member limit exactly reached")
            },
            Case {
                template: json!({"perMemberLimit": 2}),
                events: &["N1,2026-10-30,coupon_issued,t"],
                ..case("one below the per-member limit")
            },
            Case {
                template: json!({"budget": {"count": 2}}),
                events: &["X1,2026-10-30,coupon_issued,t", "X2,2026-10-31,coupon_issued,测试券"],
                fails: &["budget_count"],
                ..case("count budget exactly used up (issues named by key or name)")
            },
            Case {
                template: json!({"budget": {"count": 3}}),
                events: &["X1,2026-10-30,coupon_issued,t", "X2,2026-10-31,coupon_issued,t"],
                ..case("one coupon left in the count budget")
            },
            Case {
                template: json!({"budget": {"amount": 30}}),
                events: &[
                    "X1,2026-10-30,coupon_issued,t",
                    "X2,2026-10-30,coupon_issued,t",
                    "X3,2026-10-31,coupon_issued,t",
                ],
                fails: &["budget_amount"],
                ..case("amount budget exactly used up: 3 × ¥10 = ¥30")
            },
            Case {
                template: json!({"budget": {"amount": 30}}),
                events: &["X1,2026-10-30,coupon_issued,t", "X2,2026-10-31,coupon_issued,t"],
                ..case("the amount budget covers exactly one more")
            },
            Case { spend_fen: Some(2_999), fails: &["min_spend"], ..case("one fen below the minimum spend") },
            Case { with: &["pct"], fails: &["no_stacking"], ..case("stacks with a kind it does not allow") },
            Case { with: &["fd_alone"], fails: &["no_stacking"], ..case("the other coupon does not allow it") },
            // What does not count.
            Case {
                events: &[
                    "N1,2026-11-02,coupon_issued,t",
                    "N1,2026-10-30,coupon_used,t",
                    "N1,2026-10-30,coupon_issued,fd",
                ],
                ..case("issues after the day, uses and other coupons do not count")
            },
            // Together.
            Case {
                member: "D1",
                fails: &["audience_lifecycle", "audience_tag"],
                ..case("a dormant member without the tag")
            },
            Case {
                template: json!({"budget": {"count": 1, "amount": 10}}),
                events: &["D1,2026-11-02,coupon_issued,t"],
                member: "D1",
                at: "2026-12-01",
                spend_fen: Some(100),
                with: &["pct", "fd"],
                fails: &[
                    "ended",
                    "audience_lifecycle",
                    "audience_tag",
                    "limit_reached",
                    "budget_count",
                    "budget_amount",
                    "min_spend",
                    "no_stacking",
                ],
                ..case("everything at once")
            },
            Case {
                template: json!({"audience": {"levels": ["gold"], "valueGroups": ["stable"], "crowd": "m >= 100"}}),
                at: "2026-10-31",
                fails: &["not_yet_valid", "audience_level", "audience_value_group", "audience_crowd"],
                ..case("too early and outside three audience rules")
            },
        ];
        for c in cases {
            let ws = store(c.template, c.events);
            let options = EligibilityOptions {
                at: Some(c.at.into()),
                spend_fen: c.spend_fen,
                with: c.with.iter().map(|s| s.to_string()).collect(),
            };
            let e = ws.coupon_eligibility(c.member, "t", &options).unwrap();
            let codes: Vec<&str> = e.failures.iter().map(|f| f.code).collect();
            assert_eq!(codes, c.fails, "{}", c.name);
            assert_eq!(e.eligible, c.fails.is_empty(), "{}", c.name);
            for f in &e.failures {
                assert!(!f.reason.is_empty() && !f.reason_zh.is_empty() && !f.rule.is_empty(), "{}", c.name);
            }
        }
    }

    fn reasons(
        template: serde_json::Value,
        events: &[&str],
        member: &str,
        at: &str,
        spend: Option<Fen>,
    ) -> Vec<String> {
        let ws = store(template, events);
        let options = EligibilityOptions { at: Some(at.into()), spend_fen: spend, with: vec![] };
        ws.coupon_eligibility(member, "t", &options)
            .unwrap()
            .failures
            .iter()
            .flat_map(|f| [f.reason.clone(), f.reason_zh.clone()])
            .collect()
    }

    #[test]
    fn reasons_name_the_numbers() {
        use serde_json::json;
        assert_eq!(
            reasons(json!({}), &["N1,2026-10-30,coupon_issued,t"], "N1", "2026-11-01", None),
            ["already received 1 of limit 1", "已领取 1 张，每人限领 1 张"]
        );
        assert_eq!(
            reasons(
                json!({"audience": {}, "budget": {"count": 2}}),
                &["X,2026-10-01,coupon_issued,t"; 2],
                "D1",
                "2026-11-01",
                None
            ),
            ["budget of 2 coupons used up: 2 issued", "发放总量 2 张已用完：已发 2 张"]
        );
        assert_eq!(
            reasons(json!({"audience": {"lifecycle": ["new"]}}), &[], "D1", "2026-12-01", Some(2_550)),
            [
                "coupon ended on 2026-11-30",
                "优惠券已于 2026-11-30 结束",
                "not in audience: lifecycle is dormant, needs new",
                "不在发放人群：生命周期为沉睡，需要新客",
                "spend ¥25.50 is below the minimum ¥30.00",
                "消费 ¥25.50 未达到最低消费 ¥30.00",
            ]
        );
        assert_eq!(
            reasons(json!({"validity": {"from": "2026-12-01", "days": 7}}), &[], "N1", "2026-11-01", None),
            ["coupon not valid until 2026-12-01", "优惠券 2026-12-01 起才可领用"]
        );
        assert_eq!(
            reasons(
                json!({"audience": {"levels": ["gold", "platinum", "diamond"], "valueGroups": ["value", "stable"]}}),
                &[],
                "N1",
                "2026-11-01",
                None
            ),
            [
                "not in audience: level is basic, needs gold, platinum or diamond",
                "不在发放人群：等级为基础会员，需要金卡会员或白金会员或钻石会员",
                "not in audience: value group is potential, needs value or stable",
                "不在发放人群：价值分组为潜力用户，需要价值用户或稳定用户",
            ]
        );
        assert_eq!(
            reasons(json!({"budget": {"amount": 25}}), &["X,2026-10-01,coupon_issued,t"; 2], "N1", "2026-11-01", None),
            [
                "budget of ¥25.00 used up: 2 issued × ¥10.00 = ¥20.00, ¥5.00 left",
                "预算 ¥25.00 已用完：已发 2 张 × ¥10.00 = ¥20.00，剩余 ¥5.00",
            ]
        );
    }

    #[test]
    fn eligibility_reports_counts_and_expiry_and_refuses_unknown_keys() {
        let ws = store(serde_json::json!({}), &["N1,2026-10-30,coupon_issued,t", "D1,2026-10-30,coupon_issued,t"]);
        let e = ws.coupon_eligibility("N1", "t", &EligibilityOptions::default()).unwrap();
        assert_eq!((e.at.as_str(), e.issued_to_member, e.issued_total), ("2026-11-01", 1, 2));
        assert_eq!((e.expires.as_str(), e.min_spend_fen), ("2026-11-07", 3_000));
        let e = ws
            .coupon_eligibility("N1", "t", &EligibilityOptions { at: Some("2026-11-28".into()), ..Default::default() })
            .unwrap();
        assert_eq!(e.expires, "2026-11-30", "never past validity.to");
        let err = ws.coupon_eligibility("N1", "nope", &EligibilityOptions::default()).unwrap_err();
        assert_eq!((err.code(), err.field()), ("BAD_OPTIONS", Some("coupon")));
        let err = ws
            .coupon_eligibility("N1", "t", &EligibilityOptions { with: vec!["x".into()], ..Default::default() })
            .unwrap_err();
        assert_eq!(err.field(), Some("with"));
        assert_eq!(
            ws.coupon_eligibility("Z9", "t", &EligibilityOptions::default()).unwrap_err().code(),
            "UNKNOWN_MEMBER"
        );
        let err = ws
            .coupon_eligibility("N1", "t", &EligibilityOptions { at: Some("soon".into()), ..Default::default() })
            .unwrap_err();
        assert_eq!(err.field(), Some("at"));
        assert_eq!(Workspace::new().coupon_stats(&StatsQuery::default()).unwrap_err().code(), "NOT_ANALYZED");
    }

    fn due_on(ws: &Workspace, at: &str) -> Vec<(String, String, String, u32)> {
        let page = ws.coupon_reminders(&RemindersQuery { at: Some(at.into()), ..Default::default() }).unwrap();
        assert_eq!(page.total, page.rows.len());
        page.rows.into_iter().map(|r| (r.member_id, r.coupon, r.expires, r.days_left)).collect()
    }

    fn row(member: &str, coupon: &str, expires: &str, days_left: u32) -> (String, String, String, u32) {
        (member.into(), coupon.into(), expires.into(), days_left)
    }

    #[test]
    fn reminders_on_the_boundary_days() {
        // t: valid 7 days from its issue, remind 1 day before: issued 11-01,
        // last valid day 11-07, due on 11-06 and 11-07.
        let ws = store(serde_json::json!({}), &["N1,2026-11-01 10:00,coupon_issued,t"]);
        assert_eq!(due_on(&ws, "2026-11-05"), []);
        assert_eq!(due_on(&ws, "2026-11-06"), [row("N1", "t", "2026-11-07", 1)]);
        assert_eq!(due_on(&ws, "2026-11-07"), [row("N1", "t", "2026-11-07", 0)]);
        assert_eq!(due_on(&ws, "2026-11-08"), []);
        // Not yet issued on the day asked.
        assert_eq!(due_on(&ws, "2026-10-31"), []);
        // A wider window.
        let ws = store(serde_json::json!({"remindDays": 3}), &["N1,2026-11-01,coupon_issued,t"]);
        assert_eq!(due_on(&ws, "2026-11-03"), []);
        assert_eq!(due_on(&ws, "2026-11-04"), [row("N1", "t", "2026-11-07", 3)]);
    }

    #[test]
    fn a_use_closes_the_earliest_open_coupon() {
        let events = [
            "N1,2026-11-01,coupon_issued,t",
            "N1,2026-11-03,coupon_issued,t",
            "N1,2026-11-04,coupon_used,t",
            // Expired on 11-07 unused, then a use on 11-09: the 11-03 coupon (valid to 11-09).
            "D1,2026-11-01,coupon_issued,t",
            "D1,2026-11-03,coupon_issued,t",
            "D1,2026-11-09,coupon_used,t",
            // Fixed last day, no days: valid to 11-30.
            "D1,2026-11-02,coupon_issued,fixed",
        ];
        let mut ws = store(serde_json::json!({"remindDays": 2}), &events);
        assert_eq!(due_on(&ws, "2026-11-06"), [row("D1", "t", "2026-11-07", 1)]);
        assert_eq!(
            due_on(&ws, "2026-11-07"),
            [row("D1", "t", "2026-11-07", 0), row("D1", "t", "2026-11-09", 2), row("N1", "t", "2026-11-09", 2)]
        );
        // On 11-09 the use is counted: D1's 11-03 coupon is closed.
        assert_eq!(due_on(&ws, "2026-11-09"), [row("N1", "t", "2026-11-09", 0)]);
        let json = r#"{"playbook": {"offers": []}, "coupons": {"templates": [{"key": "fixed", "name": "月底券", "nameEn": "Month end",
            "kind": "gift", "benefit": {"gift": "饭团"}, "validity": {"to": "2026-11-30"}}]}}"#;
        ws.set_rules(json).unwrap();
        ws.analyze(Some("2026-11-01")).unwrap();
        assert_eq!(due_on(&ws, "2026-11-28"), []);
        assert_eq!(due_on(&ws, "2026-11-29"), [row("D1", "fixed", "2026-11-30", 1)]);
        // Paging.
        let page = ws
            .coupon_reminders(&RemindersQuery { at: Some("2026-11-29".into()), offset: Some(1), limit: None })
            .unwrap();
        assert_eq!((page.total, page.offset, page.rows.len()), (1, 1, 0));
        assert_eq!(page.message, "您有一张优惠券即将到期");
    }

    #[test]
    fn issue_and_use_rates_by_coupon_and_segment() {
        // Before 2026-11-01: t to N1 (used) and D1 and X1 (not a member of
        // the analysis), fd twice to N1 (once used), an unknown coupon
        // "old" to D1; after it, one more t (not counted).
        let events = [
            "N1,2026-10-29,coupon_issued,t",
            "N1,2026-10-30,coupon_used,t",
            "D1,2026-10-20,coupon_issued,测试券",
            "X1,2026-10-21,coupon_issued,t",
            "N1,2026-10-01,coupon_issued,fd",
            "N1,2026-10-02,coupon_issued,fd",
            "N1,2026-10-03,coupon_used,fd",
            "D1,2026-09-03,coupon_issued,old",
            "D1,2026-11-01,coupon_issued,t",
        ];
        let ws = store(serde_json::json!({}), &events);
        let s = ws.coupon_stats(&StatsQuery::default()).unwrap();
        assert!(s.has_coupon_events && s.has_coupon_column);
        type Row<'a> = (&'a str, u64, u64, u64, f64, Option<Fen>);
        let rows: Vec<Row> = s
            .coupons
            .iter()
            .map(|r| (r.key.as_str(), r.issued, r.used, r.members_issued, r.use_rate, r.issued_face_fen))
            .collect();
        assert_eq!(
            rows,
            [
                ("t", 3, 1, 3, 1.0 / 3.0, Some(3_000)),
                ("fd", 2, 1, 1, 0.5, None),
                ("fd_alone", 0, 0, 0, 0.0, None),
                ("pct", 0, 0, 0, 0.0, None),
                ("old", 1, 0, 1, 0.0, None),
            ]
        );
        assert_eq!(s.coupons[0].budget_count, Some(5));
        assert_eq!(s.coupons[0].budget_fen, Some(100_000));
        assert_eq!(s.coupons[4].kind, None);
        // Both members are potential; N1 is new, D1 dormant. All coupons:
        // N1 3 issued 2 used, D1 2 issued.
        let potential = &s.by_value_group[1];
        assert_eq!(
            (potential.key, potential.members, potential.members_issued, potential.issued, potential.used),
            ("potential", 2, 2, 5, 2)
        );
        assert_eq!((potential.issue_rate, potential.use_rate), (1.0, 0.4));
        let new = s.by_lifecycle.iter().find(|r| r.key == "new").unwrap();
        assert_eq!((new.members, new.issued, new.used), (1, 3, 2));
        // Only t: N1 1 issued 1 used, D1 1 issued.
        let s = ws.coupon_stats(&StatsQuery { coupon: Some("t".into()) }).unwrap();
        let dormant = s.by_lifecycle.iter().find(|r| r.key == "dormant").unwrap();
        assert_eq!((dormant.members, dormant.members_issued, dormant.issued, dormant.used), (1, 1, 1, 0));
        assert_eq!((s.by_value_group[1].issued, s.by_value_group[1].used), (2, 1));
        assert_eq!(s.coupon.as_deref(), Some("t"));
        // No events: empty rates, no error.
        let ws = store(serde_json::json!({}), &[]);
        let s = ws.coupon_stats(&StatsQuery::default()).unwrap();
        assert!(!s.has_coupon_events && s.coupons.iter().all(|r| r.issued == 0));
    }

    #[test]
    fn default_templates_cover_every_kind_and_describe_themselves() {
        let rules = CouponRules::default();
        for kind in CouponKind::ALL {
            assert!(rules.templates.iter().any(|t| t.kind == kind), "{kind:?}");
        }
        let new = rules.template("new_member").unwrap();
        assert_eq!((new.validity.days, new.validity.expires(100)), (Some(7), 106));
        let list = templates(&rules);
        let d = |k: &str| {
            list.iter().find(|t| t.template.key == k).map(|t| (t.description.clone(), t.description_en.clone()))
        };
        assert_eq!(
            d("spend30_save5"),
            Some(("满30减5，领取后14天内有效".into(), "¥5 off from ¥30, valid 14 days after issue".into()))
        );
        assert_eq!(d("ten_percent_off").map(|x| x.0), Some("满20可用，9折，领取后14天内有效".into()));
        assert_eq!(list.iter().find(|t| t.template.key == "gift_coffee").and_then(|t| t.face_value_fen), Some(1_200));
        assert_eq!(rules.reminder_text, "您有一张优惠券即将到期");
    }

    #[test]
    fn validation_names_the_field() {
        let bad = |template: &str| {
            let json = format!(
                r#"{{"playbook": {{"offers": []}}, "coupons": {{"templates": [{{"key": "a", "name": "甲", "nameEn": "A", "kind": "threshold",
                "benefit": {{"amountOff": 5}}, "validity": {{"days": 7}} {template}}}]}}}}"#
            );
            crate::Rules::from_json(&json).map(|_| ()).map_err(|e| (e.code(), e.field().map(str::to_string)))
        };
        let field = |template: &str| bad(template).err().and_then(|e| e.1);
        assert_eq!(bad(""), Ok(()));
        assert_eq!(
            field(r#", "audience": {"lifecycle": ["asleep"]}"#).as_deref(),
            Some("coupons.templates[0].audience.lifecycle[0]")
        );
        assert_eq!(
            field(r#", "audience": {"levels": ["gold", "iron"]}"#).as_deref(),
            Some("coupons.templates[0].audience.levels[1]")
        );
        assert_eq!(
            field(r#", "audience": {"valueGroups": ["vip"]}"#).as_deref(),
            Some("coupons.templates[0].audience.valueGroups[0]")
        );
        assert_eq!(
            field(r#", "audience": {"crowd": "f >>= 2"}"#).as_deref(),
            Some("coupons.templates[0].audience.crowd")
        );
        assert_eq!(field(r#", "audience": {"crow": "f > 2"}"#).as_deref(), Some("coupons.templates[0].audience.crow"));
        assert_eq!(field(r#", "perMemberLimit": 0"#).as_deref(), Some("coupons.templates[0].perMemberLimit"));
        assert_eq!(field(r#", "budget": {"count": 0}"#).as_deref(), Some("coupons.templates[0].budget.count"));
        assert_eq!(field(r#", "budget": {"amount": -1}"#).as_deref(), Some("coupons.templates[0].budget.amount"));
        assert_eq!(field(r#", "minSpend": "1.234""#).as_deref(), Some("coupons.templates[0].minSpend"));
        let json = r#"{"playbook": {"offers": []}, "coupons": {"templates": [{"key": "a", "name": "甲", "nameEn": "A", "kind": "percent",
            "benefit": {"percentOff": 10}, "validity": {"days": 7}, "budget": {"amount": 100}}]}}"#;
        assert_eq!(crate::Rules::from_json(json).unwrap_err().field(), Some("coupons.templates[0].budget.amount"));
        assert_eq!(field(r#", "stacksWith": ["bogo"]"#).as_deref(), Some("coupons.templates[0].stacksWith[0]"));
        assert_eq!(field(r#", "remindDays": 400"#).as_deref(), Some("coupons.templates[0].remindDays"));
        assert_eq!(field(r#", "kind2": 1"#).as_deref(), Some("coupons.templates[0].kind2"));
        let json = r#"{"playbook": {"offers": []}, "coupons": {"templates": [{"key": "a", "name": "甲", "nameEn": "A", "kind": "percent",
            "benefit": {"percentOff": 100}, "validity": {"days": 7}}]}}"#;
        assert_eq!(crate::Rules::from_json(json).unwrap_err().field(), Some("coupons.templates[0].benefit.percentOff"));
        let json = r#"{"playbook": {"offers": []}, "coupons": {"templates": [{"key": "a", "name": "甲", "nameEn": "A", "kind": "gift",
            "benefit": {"gift": "x"}, "validity": {"from": "2026-12-01", "to": "2026-11-01"}}]}}"#;
        assert_eq!(crate::Rules::from_json(json).unwrap_err().field(), Some("coupons.templates[0].validity.to"));
        let json = r#"{"playbook": {"offers": []}, "coupons": {"templates": [{"key": "a", "name": "甲", "nameEn": "A", "kind": "gift",
            "benefit": {"gift": "x"}, "validity": {"from": "2026-12-01"}}]}}"#;
        assert_eq!(crate::Rules::from_json(json).unwrap_err().field(), Some("coupons.templates[0].validity"));
        let json = r#"{"playbook": {"offers": []}, "coupons": {"templates": [{"key": "a", "name": "甲", "nameEn": "A", "kind": "gift",
            "benefit": {"gift": "x"}, "validity": {"to": "2026-13-01"}}]}}"#;
        assert_eq!(crate::Rules::from_json(json).unwrap_err().field(), Some("coupons.templates[0].validity.to"));
        let mut twice = CouponRules::default();
        twice.templates.push(twice.templates[0].clone());
        let e = twice.validate(&crate::rules::LevelRules::default().levels).unwrap_err();
        assert_eq!(e.field(), Some("coupons.templates[9].key"));
    }
}
