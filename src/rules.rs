//! `Rules`: every threshold of the analysis in one serde document
//! (camelCase JSON, unknown fields rejected, missing fields defaulted).
//! The defaults are DOMAIN.md's; nothing in the analysis hard-codes a number
//! that a store might want to change.
//!
//! ```
//! let rules = member_analytics::Rules::from_json(r#"{"rfm": {"windowDays": 180}}"#).unwrap();
//! assert_eq!(rules.rfm.window_days, 180);
//! assert_eq!(rules.value_groups.churn_days, 90);
//! ```

use crate::error::{Error, Result};
use crate::model::Fen;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The whole rules document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Rules {
    /// RFM window and scoring (DOMAIN §3).
    pub rfm: RfmRules,
    /// Seed 000's four value groups (DOMAIN §2).
    pub value_groups: ValueGroupRules,
    /// Seed 001's four grades (DOMAIN §2).
    pub grades: GradeRules,
    /// Lifecycle stages (DOMAIN §4).
    pub lifecycle: LifecycleRules,
    /// Member levels and their benefits (DOMAIN §5).
    pub levels: LevelRules,
    /// Thresholds of the behaviour tags (DOMAIN §6).
    pub tags: crate::analytics::tags::TagRules,
    /// Golden hours and channels (DOMAIN §11).
    pub timing: crate::analytics::timing::TimingRules,
    /// New-member retention (DOMAIN §12).
    pub retention: crate::analytics::retention::RetentionRules,
    /// Community groups (DOMAIN §12).
    pub community: crate::analytics::community::CommunityRules,
    /// Predictive member value: BG/NBD and Gamma-Gamma (预测).
    pub prediction: PredictionRules,
    /// Personalized offers: the playbook (营销打法, DOMAIN §10).
    pub playbook: crate::loyalty::playbook::PlaybookRules,
    /// The points ledger: earn, burn, expiry (DOMAIN §8).
    pub points: crate::loyalty::points::PointsRules,
    /// The categories value members buy most (DOMAIN §12).
    pub categories: crate::analytics::categories::CategoryRules,
    /// Coupon templates (DOMAIN §9).
    pub coupons: crate::loyalty::coupons::CouponRules,
}

/// Lifecycle settings; the churn line is `valueGroups.churnDays`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LifecycleRules {
    /// New: first purchase or registration at most this many days ago (default 7).
    pub new_days: u32,
    /// Active: last purchase at most this many days ago (default 30); dormant up to the churn line.
    pub active_days: u32,
    /// Moves are counted from this many days before the analysis date (default 30).
    pub period_days: u32,
}

impl Default for LifecycleRules {
    fn default() -> Self {
        LifecycleRules { new_days: 7, active_days: 30, period_days: 30 }
    }
}

/// Member levels: thresholds of growth value and each level's benefits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LevelRules {
    /// The levels from the lowest; the first must start at growth 0.
    pub levels: Vec<LevelRule>,
    /// Month of the yearly review (downgrades happen only then; default 1).
    pub review_month: u32,
    /// Day of the month of the yearly review (default 1; 29 February is
    /// the 28th in common years).
    pub review_day: u32,
    /// Growth value for each sign-in (default 1).
    pub sign_in_bonus: i64,
    /// Growth value for each review written (default 10).
    pub review_bonus: i64,
    /// Growth value for each share (default 5).
    pub share_bonus: i64,
    /// Growth value for each referral (default 50).
    pub referral_bonus: i64,
}

impl LevelRules {
    /// The growth value an event of this type adds.
    pub fn bonus(&self, kind: crate::model::EventType) -> i64 {
        use crate::model::EventType::*;
        match kind {
            SignIn => self.sign_in_bonus,
            Review => self.review_bonus,
            Share => self.share_bonus,
            Referral => self.referral_bonus,
            _ => 0,
        }
    }
}

/// One level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LevelRule {
    /// Stable key, e.g. `gold`.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Growth value from which the level applies.
    pub growth: i64,
    /// Price paid as a share of list price, e.g. 0.95 (1.0 = no discount).
    pub discount_rate: f64,
    /// Points multiplier (1.0 / 1.2 / 1.5 / 1.8 / 2.0 by default).
    pub points_multiplier: f64,
    /// Free delivery.
    pub free_delivery: bool,
    /// Birthday gift.
    pub birthday_gift: bool,
    /// Exclusive service (专属客服).
    pub exclusive_service: bool,
}

impl Default for LevelRules {
    fn default() -> Self {
        let level =
            |key: &str, name: &str, name_en: &str, growth, discount_rate, points_multiplier, perks: [bool; 3]| {
                LevelRule {
                    key: key.into(),
                    name: name.into(),
                    name_en: name_en.into(),
                    growth,
                    discount_rate,
                    points_multiplier,
                    free_delivery: perks[0],
                    birthday_gift: perks[1],
                    exclusive_service: perks[2],
                }
            };
        LevelRules {
            levels: vec![
                level("basic", "基础会员", "Basic", 0, 1.0, 1.0, [false, false, false]),
                level("silver", "银卡会员", "Silver", 500, 0.98, 1.2, [false, true, false]),
                level("gold", "金卡会员", "Gold", 2_000, 0.95, 1.5, [true, true, false]),
                level("platinum", "白金会员", "Platinum", 5_000, 0.92, 1.8, [true, true, true]),
                level("diamond", "钻石会员", "Diamond", 10_000, 0.9, 2.0, [true, true, true]),
            ],
            review_month: 1,
            review_day: 1,
            sign_in_bonus: 1,
            review_bonus: 10,
            share_bonus: 5,
            referral_bonus: 50,
        }
    }
}

/// Prediction settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PredictionRules {
    /// Days per model time unit (default 7: weeks, as in the published fits).
    pub time_unit_days: f64,
    /// A member whose probability of still being a customer is below this is at risk (default 0.5).
    pub at_risk_below: f64,
    /// CLV horizon in days (default 365).
    pub clv_horizon_days: u32,
    /// Yearly discount rate of the CLV (default 0.1 = 10 %).
    pub annual_discount_rate: f64,
    /// Days held out to check the model on the store's own data (default 90).
    pub holdout_days: u32,
}

impl Default for PredictionRules {
    fn default() -> Self {
        PredictionRules {
            time_unit_days: 7.0,
            at_risk_below: 0.5,
            clv_horizon_days: 365,
            annual_discount_rate: 0.1,
            holdout_days: 90,
        }
    }
}

/// How R, F and M are scored 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Scoring {
    /// Quintiles of the scored members; equal values get equal scores.
    Quintile,
    /// The store's own cut points ([`Thresholds`]); for small stores.
    Thresholds,
}

/// RFM settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RfmRules {
    /// Days before the analysis date that the window covers (default 365).
    pub window_days: u32,
    /// Quintiles (default) or fixed thresholds.
    pub scoring: Scoring,
    /// Cut points for `scoring = "thresholds"`.
    pub thresholds: Thresholds,
}

/// Four ascending cut points per measure, splitting it into scores 1–5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Days since the last purchase: R ≤ r\[0\] scores 5, ≤ r\[1\] 4, ≤ r\[2\] 3, ≤ r\[3\] 2, else 1.
    pub r: [u32; 4],
    /// Purchases: F ≥ f\[3\] scores 5, ≥ f\[2\] 4, ≥ f\[1\] 3, ≥ f\[0\] 2, else 1.
    pub f: [u32; 4],
    /// Spend in yuan (up to two decimals), scored like F.
    pub m: [Yuan; 4],
}

/// Value-group settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ValueGroupRules {
    /// A member whose last purchase is more than this many days ago is churned (default 90).
    pub churn_days: u32,
    /// `absolute` (default: more than `churnDays`) or `rScore` (R score ≤ `churnMaxRScore`).
    pub churn_rule: ChurnRule,
    /// Highest R score that counts as churned under `churnRule = "rScore"` (default 2).
    pub churn_max_r_score: u8,
    /// Value members need an F score at least this (default 4) …
    pub value_min_f_score: u8,
    /// … and an M score at least this (default 4).
    pub value_min_m_score: u8,
    /// Stable members need an F score at least this (default 3).
    pub stable_min_f_score: u8,
}

/// Which rule marks a member churned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChurnRule {
    /// More than `churnDays` since the last purchase.
    Absolute,
    /// R score at most `churnMaxRScore` (relative to the other members).
    RScore,
}

/// Grade settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GradeRules {
    /// Core (核心) members need an F score at least this (default 5) …
    pub core_min_f_score: u8,
    /// … and an M score at least this (default 5).
    pub core_min_m_score: u8,
}

impl Default for RfmRules {
    fn default() -> Self {
        RfmRules { window_days: 365, scoring: Scoring::Quintile, thresholds: Thresholds::default() }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            r: [14, 30, 60, 90],
            f: [2, 4, 8, 16],
            // ¥100, ¥300, ¥800, ¥2,000
            m: [Yuan(10_000), Yuan(30_000), Yuan(80_000), Yuan(200_000)],
        }
    }
}

impl Default for ValueGroupRules {
    fn default() -> Self {
        ValueGroupRules {
            churn_days: 90,
            churn_rule: ChurnRule::Absolute,
            churn_max_r_score: 2,
            value_min_f_score: 4,
            value_min_m_score: 4,
            stable_min_f_score: 3,
        }
    }
}

impl Default for GradeRules {
    fn default() -> Self {
        GradeRules { core_min_f_score: 5, core_min_m_score: 5 }
    }
}

impl Rules {
    /// Parse and validate a rules document; missing fields take their
    /// defaults, and errors name the field (`rfm.thresholds.m[2]`).
    pub fn from_json(json: &str) -> Result<Rules> {
        let rules: Rules = crate::json::from_str(json).map_err(|e| Error::invalid_rules(e.path, e.message))?;
        rules.validate()?;
        Ok(rules)
    }

    /// The document as pretty JSON (what a rules editor shows).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Check what serde cannot: ranges and ascending cut points.
    pub fn validate(&self) -> Result<()> {
        let rfm = &self.rfm;
        if !(1..=3660).contains(&rfm.window_days) {
            return Err(Error::invalid_rules("rfm.windowDays", "must be between 1 and 3660 days"));
        }
        let t = &rfm.thresholds;
        ascending("rfm.thresholds.r", &t.r.map(i64::from))?;
        ascending("rfm.thresholds.f", &t.f.map(i64::from))?;
        ascending("rfm.thresholds.m", &t.m.map(|y| y.0))?;
        let v = &self.value_groups;
        if v.churn_days == 0 {
            return Err(Error::invalid_rules("valueGroups.churnDays", "must be at least 1"));
        }
        score("valueGroups.churnMaxRScore", v.churn_max_r_score)?;
        score("valueGroups.valueMinFScore", v.value_min_f_score)?;
        score("valueGroups.valueMinMScore", v.value_min_m_score)?;
        score("valueGroups.stableMinFScore", v.stable_min_f_score)?;
        score("grades.coreMinFScore", self.grades.core_min_f_score)?;
        score("grades.coreMinMScore", self.grades.core_min_m_score)?;
        self.timing.validate()?;
        self.retention.validate()?;
        self.community.validate()?;
        self.playbook.validate()?;
        self.tags.validate()?;
        self.categories.validate()?;
        let lv = &self.levels;
        if lv.levels.first().map(|l| l.growth) != Some(0) {
            return Err(Error::invalid_rules("levels.levels[0].growth", "the first level must start at growth 0"));
        }
        for (i, l) in lv.levels.iter().enumerate() {
            let at = |f: &str| format!("levels.levels[{i}].{f}");
            if i > 0 && l.growth <= lv.levels[i - 1].growth {
                return Err(Error::invalid_rules(at("growth"), "levels must have strictly ascending growth"));
            }
            if !(l.discount_rate > 0.0 && l.discount_rate <= 1.0) {
                return Err(Error::invalid_rules(at("discountRate"), "a share of the list price in (0, 1]"));
            }
            if !(l.points_multiplier >= 0.0 && l.points_multiplier <= 100.0) {
                return Err(Error::invalid_rules(at("pointsMultiplier"), "between 0 and 100"));
            }
        }
        for (field, bonus) in [
            ("signInBonus", lv.sign_in_bonus),
            ("reviewBonus", lv.review_bonus),
            ("shareBonus", lv.share_bonus),
            ("referralBonus", lv.referral_bonus),
        ] {
            if !(0..=1_000_000).contains(&bonus) {
                return Err(Error::invalid_rules(format!("levels.{field}"), "between 0 and 1,000,000"));
            }
        }
        if chrono::NaiveDate::from_ymd_opt(2024, lv.review_month, lv.review_day).is_none() {
            return Err(Error::invalid_rules("levels.reviewDay", "review month and day are not a date"));
        }
        let l = &self.lifecycle;
        if l.new_days == 0 || l.new_days > 366 {
            return Err(Error::invalid_rules("lifecycle.newDays", "must be between 1 and 366 days"));
        }
        if l.active_days == 0 || l.active_days >= v.churn_days {
            return Err(Error::invalid_rules(
                "lifecycle.activeDays",
                format!("must be at least 1 and below valueGroups.churnDays ({})", v.churn_days),
            ));
        }
        if l.period_days == 0 || l.period_days > 3660 {
            return Err(Error::invalid_rules("lifecycle.periodDays", "must be between 1 and 3660 days"));
        }
        let p = &self.prediction;
        let range = |field: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                let [lo, hi, v] = [lo, hi, v].map(crate::model::format_decimal);
                Err(Error::invalid_rules(field, format!("must be between {lo} and {hi}, got {v}")))
            }
        };
        range("prediction.timeUnitDays", p.time_unit_days, 1.0, 365.0)?;
        range("prediction.atRiskBelow", p.at_risk_below, 0.0, 1.0)?;
        range("prediction.clvHorizonDays", f64::from(p.clv_horizon_days), 1.0, 3650.0)?;
        range("prediction.annualDiscountRate", p.annual_discount_rate, 0.0, 10.0)?;
        range("prediction.holdoutDays", f64::from(p.holdout_days), 7.0, 730.0)?;
        self.points.validate(&self.levels)?;
        self.coupons.validate(&lv.levels)?;
        // An offer's coupon must be one of the templates.
        let templates = &self.coupons.templates;
        for (i, offer) in self.playbook.offers.iter().enumerate() {
            if let Some(key) = offer.coupon.as_deref().filter(|k| !templates.iter().any(|t| t.key == *k)) {
                let known: Vec<&str> = templates.iter().map(|t| t.key.as_str()).collect();
                return Err(Error::invalid_rules(
                    format!("playbook.offers[{i}].coupon"),
                    format!("no coupon template \"{key}\"; coupons.templates has {}", known.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

fn ascending(field: &str, cuts: &[i64; 4]) -> Result<()> {
    for i in 1..cuts.len() {
        if cuts[i] <= cuts[i - 1] {
            return Err(Error::invalid_rules(
                format!("{field}[{i}]"),
                format!("cut points must be strictly ascending ({} then {})", cuts[i - 1], cuts[i]),
            ));
        }
    }
    if cuts[0] < 0 {
        return Err(Error::invalid_rules(format!("{field}[0]"), "must not be negative"));
    }
    Ok(())
}

fn score(field: &str, value: u8) -> Result<()> {
    if (1..=5).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_rules(field, format!("a score is 1 to 5, got {value}")))
    }
}

/// An amount written in yuan in the rules (a number or a string with at
/// most two decimals, e.g. `800` or `"799.90"`), held exactly in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Yuan(pub Fen);

impl Serialize for Yuan {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 { s.serialize_i64(self.0 / 100) } else { s.serialize_f64(self.0 as f64 / 100.0) }
    }
}

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Yuan, D::Error> {
        use serde::de::Error as _;
        let value = serde_json::Value::deserialize(d)?;
        // A JSON number's shortest decimal form is what the user wrote.
        let text = match &value {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            _ => {
                return Err(D::Error::custom("expected an amount in yuan, e.g. 800 or \"799.90\""));
            }
        };
        crate::ingest::fields::parse_money(&text)
            .map(Yuan)
            .map_err(|e| D::Error::custom(format!("\"{text}\": {}", e.reason_en())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_json() {
        let rules = Rules::default();
        assert_eq!(Rules::from_json(&rules.to_json()).unwrap(), rules);
        assert_eq!(Rules::from_json("{}").unwrap(), rules);
    }

    #[test]
    fn unknown_field_is_named() {
        let e = Rules::from_json(r#"{"rfm": {"windowDayz": 3}}"#).unwrap_err();
        assert_eq!(e.code(), "INVALID_RULES");
        assert_eq!(e.field(), Some("rfm.windowDayz"));
        assert!(e.to_string().contains("windowDayz"), "{e}");
    }

    #[test]
    fn wrong_type_is_named_with_its_path() {
        let e = Rules::from_json(r#"{"rfm": {"thresholds": {"m": [1, 2, "x", 4]}}}"#).unwrap_err();
        assert_eq!(e.field(), Some("rfm.thresholds.m[2]"));
        let e = Rules::from_json(r#"{"valueGroups": {"churnDays": -1}}"#).unwrap_err();
        assert_eq!(e.field(), Some("valueGroups.churnDays"));
    }

    #[test]
    fn validation_names_the_field() {
        let e = Rules::from_json(r#"{"rfm": {"thresholds": {"f": [1, 3, 3, 9]}}}"#).unwrap_err();
        assert_eq!(e.field(), Some("rfm.thresholds.f[2]"));
        let e = Rules::from_json(r#"{"grades": {"coreMinFScore": 6}}"#).unwrap_err();
        assert_eq!(e.field(), Some("grades.coreMinFScore"));
        let e = Rules::from_json(r#"{"rfm": {"windowDays": 0}}"#).unwrap_err();
        assert_eq!(e.field(), Some("rfm.windowDays"));
    }

    #[test]
    fn yuan_is_exact() {
        let r = Rules::from_json(r#"{"rfm": {"thresholds": {"m": [0.1, "99.99", 100, 1e3]}}}"#).unwrap();
        assert_eq!(r.rfm.thresholds.m, [Yuan(10), Yuan(9999), Yuan(10000), Yuan(100000)]);
        assert!(Rules::from_json(r#"{"rfm": {"thresholds": {"m": [0.001, 1, 2, 3]}}}"#).is_err());
    }
}
