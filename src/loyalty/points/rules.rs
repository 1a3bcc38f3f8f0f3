//! The points rules (`rules.points`): how points are earned, what they are
//! worth when burned, and when they expire (DOMAIN §8). Every number here
//! is a default a store can change; validation names the JSON path.

use crate::error::{Error, Result};
use crate::model::format_decimal;
use crate::rules::LevelRules;
use serde::{Deserialize, Serialize};

/// Earn, burn and expiry rules of the points ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PointsRules {
    /// Points per whole yuan of cash paid (default 1; the yuan are floored
    /// first: ¥25.90 earns 25).
    pub per_yuan: f64,
    /// Fixed points for every full `everyYuan` of one order (满额送积分; off by default).
    pub spend_bonus: SpendBonus,
    /// Multiply purchase points by the member's level multiplier
    /// (`levels.levels[].pointsMultiplier`) on the day of the order (default true).
    pub level_multiplier: bool,
    /// Category multipliers (needs order lines): `[{ "category": "咖啡", "multiplier": 2 }]`.
    pub category_multipliers: Vec<CategoryMultiplier>,
    /// Time-window multipliers such as the member day (会员日 ×2).
    pub member_days: Vec<MemberDay>,
    /// Daily sign-in points and the streak bonus.
    pub sign_in: SignInRules,
    /// Points for tasks: writing a review, sharing, referring a friend.
    pub tasks: TaskRules,
    /// Points given the first time a member reaches a level (升级礼).
    pub level_up_gifts: Vec<LevelUpGift>,
    /// What points are worth when paying (积分抵现) and the cap per order.
    pub cash_offset: CashOffset,
    /// When points expire.
    pub expiry: Expiry,
    /// "Expiring soon" means expiring within this many days (default 30).
    pub expiring_within_days: u32,
}

/// Every full `everyYuan` of cash paid in one order earns `points` more.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SpendBonus {
    /// The step in whole yuan (0 = off, the default).
    pub every_yuan: u32,
    /// Points per full step.
    pub points: i64,
}

/// Purchase points of a category are multiplied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryMultiplier {
    /// The category as the order lines file writes it (商品分类).
    pub category: String,
    /// Its multiplier, e.g. 2.
    pub multiplier: f64,
}

/// A time window with a points multiplier: a day of the week or of the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberDay {
    /// 中文 name, shown in the ledger (e.g. 会员日).
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
    /// Days of the week, 1 = Monday … 7 = Sunday.
    #[serde(default)]
    pub weekdays: Vec<u32>,
    /// Days of the month, 1–31.
    #[serde(default)]
    pub days_of_month: Vec<u32>,
    /// The multiplier on those days (when several windows match, the largest).
    pub multiplier: f64,
}

/// Sign-in points (签到).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SignInRules {
    /// Points per day signed in (several sign-ins on one day count once; default 1).
    pub points: i64,
    /// A streak bonus is paid on every `streakDays`-th consecutive day (default 7).
    pub streak_days: u32,
    /// The streak bonus (default 10; 0 = none).
    pub streak_bonus: i64,
}

/// Task points (任务积分), per event in the events file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TaskRules {
    /// Per review written (default 10).
    pub review: i64,
    /// Per share (default 5).
    pub share: i64,
    /// Per referral (default 50).
    pub referral: i64,
}

/// Points given when a member first reaches a level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LevelUpGift {
    /// A level key of `levels.levels`.
    pub level: String,
    /// The gift.
    pub points: i64,
}

/// Paying with points (积分抵现).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CashOffset {
    /// Points that make one yuan (default 100: 100 points = ¥1).
    pub points_per_yuan: i64,
    /// The most of an order's value (cash paid + points' value) that points
    /// may pay (default 0.5).
    pub max_share: f64,
}

/// How points expire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Expiry {
    /// `endOfNextYear` (default) or `rolling`.
    pub mode: ExpiryMode,
    /// Months a lot lasts under `rolling` (default 12).
    pub rolling_months: u32,
}

/// The expiry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExpiryMode {
    /// Points earned in year Y can be used through 31 December of Y + 1
    /// and are gone on 1 January of Y + 2.
    EndOfNextYear,
    /// Points earned on day D are gone on D + `rollingMonths` months (the
    /// same day of the month, or the month's last day when it has fewer).
    Rolling,
}

impl Default for PointsRules {
    fn default() -> Self {
        let gift = |level: &str, points| LevelUpGift { level: level.into(), points };
        PointsRules {
            per_yuan: 1.0,
            spend_bonus: SpendBonus::default(),
            level_multiplier: true,
            category_multipliers: Vec::new(),
            member_days: vec![MemberDay {
                name: "会员日".into(),
                name_en: "Member day".into(),
                weekdays: Vec::new(),
                days_of_month: vec![8],
                multiplier: 2.0,
            }],
            sign_in: SignInRules::default(),
            tasks: TaskRules::default(),
            level_up_gifts: vec![gift("silver", 100), gift("gold", 200), gift("platinum", 500), gift("diamond", 1000)],
            cash_offset: CashOffset::default(),
            expiry: Expiry::default(),
            expiring_within_days: 30,
        }
    }
}

impl Default for SignInRules {
    fn default() -> Self {
        SignInRules { points: 1, streak_days: 7, streak_bonus: 10 }
    }
}

impl Default for TaskRules {
    fn default() -> Self {
        TaskRules { review: 10, share: 5, referral: 50 }
    }
}

impl Default for CashOffset {
    fn default() -> Self {
        CashOffset { points_per_yuan: 100, max_share: 0.5 }
    }
}

impl Default for Expiry {
    fn default() -> Self {
        Expiry { mode: ExpiryMode::EndOfNextYear, rolling_months: 12 }
    }
}

/// The most points a single rule may give or take.
const MAX_POINTS: i64 = 100_000_000;

impl PointsRules {
    /// Check ranges; level keys are checked against `levels`.
    pub fn validate(&self, levels: &LevelRules) -> Result<()> {
        let multiplier = |field: String, v: f64| {
            if v.is_finite() && (0.0..=100.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid_rules(field, format!("a multiplier between 0 and 100, got {}", format_decimal(v))))
            }
        };
        let points = |field: &str, v: i64| {
            if (0..=MAX_POINTS).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid_rules(format!("points.{field}"), "points between 0 and 100,000,000"))
            }
        };
        multiplier("points.perYuan".into(), self.per_yuan)?;
        points("spendBonus.points", self.spend_bonus.points)?;
        for (i, c) in self.category_multipliers.iter().enumerate() {
            if c.category.trim().is_empty() {
                return Err(Error::invalid_rules(format!("points.categoryMultipliers[{i}].category"), "empty"));
            }
            multiplier(format!("points.categoryMultipliers[{i}].multiplier"), c.multiplier)?;
        }
        for (i, d) in self.member_days.iter().enumerate() {
            let at = |f: &str| format!("points.memberDays[{i}].{f}");
            multiplier(at("multiplier"), d.multiplier)?;
            if let Some(k) = d.weekdays.iter().position(|w| !(1..=7).contains(w)) {
                return Err(Error::invalid_rules(at(&format!("weekdays[{k}]")), "1 (Monday) to 7 (Sunday)"));
            }
            if let Some(k) = d.days_of_month.iter().position(|w| !(1..=31).contains(w)) {
                return Err(Error::invalid_rules(at(&format!("daysOfMonth[{k}]")), "a day of the month, 1 to 31"));
            }
            if d.weekdays.is_empty() && d.days_of_month.is_empty() {
                return Err(Error::invalid_rules(at("weekdays"), "give weekdays or daysOfMonth"));
            }
        }
        points("signIn.points", self.sign_in.points)?;
        points("signIn.streakBonus", self.sign_in.streak_bonus)?;
        if !(1..=366).contains(&self.sign_in.streak_days) {
            return Err(Error::invalid_rules("points.signIn.streakDays", "between 1 and 366 days"));
        }
        points("tasks.review", self.tasks.review)?;
        points("tasks.share", self.tasks.share)?;
        points("tasks.referral", self.tasks.referral)?;
        for (i, g) in self.level_up_gifts.iter().enumerate() {
            if !levels.levels.iter().any(|l| l.key == g.level) {
                let keys: Vec<&str> = levels.levels.iter().map(|l| l.key.as_str()).collect();
                return Err(Error::invalid_rules(
                    format!("points.levelUpGifts[{i}].level"),
                    format!("unknown level \"{}\"; the levels are {}", g.level, keys.join(", ")),
                ));
            }
            points(&format!("levelUpGifts[{i}].points"), g.points)?;
        }
        if !(1..=1_000_000).contains(&self.cash_offset.points_per_yuan) {
            return Err(Error::invalid_rules("points.cashOffset.pointsPerYuan", "between 1 and 1,000,000"));
        }
        let share = self.cash_offset.max_share;
        if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
            return Err(Error::invalid_rules("points.cashOffset.maxShare", "a share of the order between 0 and 1"));
        }
        if !(1..=120).contains(&self.expiry.rolling_months) {
            return Err(Error::invalid_rules("points.expiry.rollingMonths", "between 1 and 120 months"));
        }
        if !(1..=3660).contains(&self.expiring_within_days) {
            return Err(Error::invalid_rules("points.expiringWithinDays", "between 1 and 3660 days"));
        }
        Ok(())
    }
}
