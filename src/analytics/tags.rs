//! Behaviour tags (seed 003's table, DOMAIN §6): each tag is a rule over a
//! member's [`Facts`], fires with its **evidence** (the numbers that fired
//! it, beside the thresholds they passed) and carries its **levers** (what
//! marketing works on such a member). Thresholds live in [`TagRules`].
//!
//! Facts come from orders (purchases, discounts, campaign days, holidays),
//! order lines (special-price items, gift wrap, new products) and events
//! (cart adds, activities, referrals, reviews, shares, follows); a member
//! with no data behind a rule simply does not get that tag.

use serde::{Deserialize, Serialize};

/// What is known of one member's behaviour, counted over the RFM window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Purchases (orders that count).
    pub purchases: u32,
    /// Purchases paid below the original amount or holding a special-price item.
    pub discounted: u32,
    /// Purchases on campaign days (the rules' campaign calendar).
    pub on_campaign_days: u32,
    /// Purchases in the holiday windows (the rules' holidays).
    pub on_holidays: u32,
    /// Purchases with a gift-wrapped line.
    pub gift_wrapped: u32,
    /// Purchases holding a new product.
    pub new_products: u32,
    /// Average order value, fen.
    pub aov_fen: i64,
    /// The store's median average order value, fen.
    pub store_median_aov_fen: i64,
    /// Add-to-cart events.
    pub cart_adds: u32,
    /// Purchases within a day after a KOL/content click or a review read.
    pub after_content: u32,
    /// Activities joined, by kind.
    pub courses: u32,
    /// Competitions and rankings joined.
    pub competitions: u32,
    /// Quizzes joined.
    pub quizzes: u32,
    /// Referral activities joined or referrals made.
    pub referrals: u32,
    /// Reviews, surveys and content feedback given.
    pub feedback: u32,
    /// Official accounts followed / groups joined.
    pub follows: u32,
}

/// The eleven tags of seed 003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    /// 折扣型: most purchases discounted or special-price.
    DiscountDriven,
    /// 屯货型: low frequency, high order value.
    Stockpiler,
    /// 招徕型: buys mostly on campaign days, high order value.
    PromoDriven,
    /// 焦虑型: joins courses / health talks.
    Anxious,
    /// 荣誉型: joins competitions, rankings.
    Honour,
    /// 好奇型: joins quizzes, buys new products.
    Curious,
    /// 低敏传播: joins referral activities.
    EasySharer,
    /// 选择困难: adds to cart without buying, buys at least once.
    Indecisive,
    /// 种草型: buys after KOL content, uses reviews.
    Influenced,
    /// 礼赠型: holiday buying, gift wrap.
    GiftGiver,
    /// 圈子型: content feedback, follows several accounts.
    Circle,
}

/// One number behind a tag: the measured value and the threshold it passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// What was measured, e.g. `discountedShare`.
    pub metric: &'static str,
    /// The member's value.
    pub value: f64,
    /// The rule's threshold.
    pub threshold: f64,
    /// `>=` or `<=`.
    pub op: &'static str,
}

/// A tag that fired, with why and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fired {
    /// The tag.
    pub tag: Tag,
    /// The numbers that fired it.
    pub evidence: Vec<Evidence>,
}

impl Tag {
    /// Every tag, by family.
    pub const ALL: [Tag; 11] = [
        Tag::DiscountDriven,
        Tag::Stockpiler,
        Tag::PromoDriven,
        Tag::Anxious,
        Tag::Honour,
        Tag::Curious,
        Tag::EasySharer,
        Tag::Indecisive,
        Tag::Influenced,
        Tag::GiftGiver,
        Tag::Circle,
    ];

    /// (key, family 中文, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Tag::DiscountDriven => ("discount_driven", "优惠敏感", "折扣型", "Discount-driven"),
            Tag::Stockpiler => ("stockpiler", "优惠敏感", "屯货型", "Stockpiler"),
            Tag::PromoDriven => ("promo_driven", "优惠敏感", "招徕型", "Promo-driven"),
            Tag::Anxious => ("anxious", "焦虑", "焦虑型", "Anxious"),
            Tag::Honour => ("honour", "玩乐", "荣誉型", "Honour-seeking"),
            Tag::Curious => ("curious", "玩乐", "好奇型", "Curious"),
            Tag::EasySharer => ("easy_sharer", "玩乐", "低敏传播", "Easy sharer"),
            Tag::Indecisive => ("indecisive", "从众", "选择困难", "Indecisive"),
            Tag::Influenced => ("influenced", "从众", "种草型", "Influenced"),
            Tag::GiftGiver => ("gift_giver", "社交", "礼赠型", "Gift-giver"),
            Tag::Circle => ("circle", "社交", "圈子型", "Circle"),
        }
    }

    /// Stable key.
    pub fn key(self) -> &'static str {
        self.labels().0
    }

    /// The marketing levers (中文) of seed 003's table.
    pub fn levers(self) -> &'static [&'static str] {
        match self {
            Tag::DiscountDriven => &["降价提醒", "买赠", "免运费券"],
            Tag::Stockpiler => &["储值卡", "预售定金膨胀"],
            Tag::PromoDriven => &["组合套餐", "福袋", "购后返券", "大额满减"],
            Tag::Anxious => &["教程", "定期内容推送"],
            Tag::Honour => &["积分", "排行榜", "晒单分享"],
            Tag::Curious => &["新品推荐"],
            Tag::EasySharer => &["分享抽奖"],
            Tag::Indecisive => &["大家都在买", "热销榜单 TOP10"],
            Tag::Influenced => &["达人推荐", "直播"],
            Tag::GiftGiver => &["储值卡/亲情卡", "买一赠一"],
            Tag::Circle => &["社群营销", "线下活动"],
        }
    }
}

/// Thresholds of the automatic tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TagRules {
    /// A tag needs at least this many purchases to judge shares (default 3).
    pub min_purchases: u32,
    /// 折扣型: share of purchases discounted (default 0.8).
    pub discounted_share: f64,
    /// 屯货型: at most this many purchases (default 3) …
    pub stockpiler_max_purchases: u32,
    /// … with an average order at least this multiple of the store median (default 2.0).
    pub high_aov_ratio: f64,
    /// 招徕型: share of purchases on campaign days (default 0.6), with a high average order.
    pub campaign_share: f64,
    /// Activities / events of a kind that make the activity tags (default 2).
    pub min_activities: u32,
    /// 选择困难: cart adds per purchase (default 3.0).
    pub cart_adds_per_purchase: f64,
    /// 种草型: share of purchases after content (default 0.5).
    pub after_content_share: f64,
    /// 礼赠型: holiday or gift-wrapped purchases (default 2).
    pub gift_purchases: u32,
}

impl Default for TagRules {
    fn default() -> Self {
        TagRules {
            min_purchases: 3,
            discounted_share: 0.8,
            stockpiler_max_purchases: 3,
            high_aov_ratio: 2.0,
            campaign_share: 0.6,
            min_activities: 2,
            cart_adds_per_purchase: 3.0,
            after_content_share: 0.5,
            gift_purchases: 2,
        }
    }
}

fn at_least(metric: &'static str, value: f64, threshold: f64) -> Option<Evidence> {
    (value >= threshold).then_some(Evidence { metric, value, threshold, op: ">=" })
}

fn at_most(metric: &'static str, value: f64, threshold: f64) -> Option<Evidence> {
    (value <= threshold).then_some(Evidence { metric, value, threshold, op: "<=" })
}

/// Every tag whose rule fires, with its evidence.
pub fn tags(facts: &Facts, rules: &TagRules) -> Vec<Fired> {
    let p = f64::from(facts.purchases);
    let share = |n: u32| if p > 0.0 { f64::from(n) / p } else { 0.0 };
    let enough = facts.purchases >= rules.min_purchases;
    let aov_ratio =
        if facts.store_median_aov_fen > 0 { facts.aov_fen as f64 / facts.store_median_aov_fen as f64 } else { 0.0 };
    let high_aov = || at_least("aovToStoreMedian", aov_ratio, rules.high_aov_ratio);
    let all = |evidence: Vec<Option<Evidence>>| evidence.into_iter().collect::<Option<Vec<Evidence>>>();
    let activities = |metric, n: u32| all(vec![at_least(metric, f64::from(n), f64::from(rules.min_activities))]);
    let mut out = Vec::new();
    for tag in Tag::ALL {
        let evidence = match tag {
            Tag::DiscountDriven if enough => {
                all(vec![at_least("discountedShare", share(facts.discounted), rules.discounted_share)])
            }
            Tag::Stockpiler if facts.purchases >= 1 => {
                all(vec![at_most("purchases", p, f64::from(rules.stockpiler_max_purchases)), high_aov()])
            }
            Tag::PromoDriven if enough => {
                all(vec![at_least("campaignShare", share(facts.on_campaign_days), rules.campaign_share), high_aov()])
            }
            Tag::Anxious => activities("courses", facts.courses),
            Tag::Honour => activities("competitions", facts.competitions),
            Tag::Curious => all(vec![at_least(
                "quizzesAndNewProducts",
                f64::from(facts.quizzes + facts.new_products),
                f64::from(rules.min_activities),
            )]),
            Tag::EasySharer => activities("referrals", facts.referrals),
            Tag::Indecisive if facts.purchases >= 1 => {
                all(vec![at_least("cartAddsPerPurchase", f64::from(facts.cart_adds) / p, rules.cart_adds_per_purchase)])
            }
            Tag::Influenced if enough => {
                all(vec![at_least("afterContentShare", share(facts.after_content), rules.after_content_share)])
            }
            Tag::GiftGiver => all(vec![at_least(
                "giftPurchases",
                f64::from(facts.on_holidays.max(facts.gift_wrapped)),
                f64::from(rules.gift_purchases),
            )]),
            Tag::Circle => activities("feedbackAndFollows", facts.feedback + facts.follows),
            _ => None,
        };
        if let Some(evidence) = evidence {
            out.push(Fired { tag, evidence });
        }
    }
    out
}

/// Words in an activity's kind that mark it as a course, a competition, a
/// quiz or a referral activity (中文 and English, matched as substrings).
const COURSE_WORDS: &[&str] = &["课程", "讲座", "健康", "养生", "课堂", "course", "class", "talk"];
const COMPETITION_WORDS: &[&str] = &["比赛", "竞赛", "排行", "打卡", "挑战", "competition", "contest", "ranking"];
const QUIZ_WORDS: &[&str] = &["答题", "问答", "测验", "竞猜", "quiz"];
const REFERRAL_WORDS: &[&str] = &["推荐", "邀请", "拉新", "分享有礼", "referral", "invite"];

fn kind_is(kind: &str, words: &[&str]) -> bool {
    let lower = kind.to_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// The facts that order lines and events add, per member (by the
/// analysis' member index), over `window_start <= day < as_of`.
/// `order_member` maps the orders' member index to the analysis' index,
/// `member_of_event` the events' member index (`None`: not a known member).
pub fn facts_from_lines_and_events(
    data: &crate::model::Dataset,
    order_member: &[u32],
    member_of_event: &[Option<u32>],
    members: usize,
    window_start: crate::model::Day,
    as_of: crate::model::Day,
) -> Vec<Facts> {
    use crate::model::{EventType, OrderKind};
    let mut facts = vec![Facts::default(); members];
    let in_window = |d: crate::model::Day| d >= window_start && d < as_of;
    if let (Some(orders), Some(lines)) = (&data.orders, &data.order_lines) {
        // Flags per order row: any special-price line, any gift-wrapped line.
        let mut special = vec![false; orders.len()];
        let mut wrapped = vec![false; orders.len()];
        let rows = lines.order_rows(orders);
        for l in 0..lines.len() {
            let Some(row) = rows.get(lines.order[l] as usize).copied().flatten() else { continue };
            let flag = |col: &Option<Vec<bool>>| col.as_ref().and_then(|c| c.get(l).copied()).unwrap_or(false);
            special[row as usize] |= flag(&lines.special_price);
            wrapped[row as usize] |= flag(&lines.gift_wrap);
        }
        for i in (0..orders.len()).filter(|&i| orders.kind[i] == OrderKind::Purchase && in_window(orders.day[i])) {
            let f = &mut facts[order_member[orders.member[i] as usize] as usize];
            f.discounted += u32::from(special[i]);
            f.gift_wrapped += u32::from(wrapped[i]);
        }
    }
    if let Some(events) = &data.events {
        for e in (0..events.len()).filter(|&e| in_window(events.day[e])) {
            let Some(m) = member_of_event.get(events.member[e] as usize).copied().flatten() else { continue };
            let f = &mut facts[m as usize];
            let kind = events.activity.as_ref().map_or("", |a| a.get(e));
            match events.kind[e] {
                EventType::AddToCart => f.cart_adds += 1,
                EventType::Referral => f.referrals += 1,
                EventType::Review => f.feedback += 1,
                EventType::GroupJoin => f.follows += 1,
                EventType::Activity if kind_is(kind, COURSE_WORDS) => f.courses += 1,
                EventType::Activity if kind_is(kind, COMPETITION_WORDS) => f.competitions += 1,
                EventType::Activity if kind_is(kind, QUIZ_WORDS) => f.quizzes += 1,
                EventType::Activity if kind_is(kind, REFERRAL_WORDS) => f.referrals += 1,
                _ => {}
            }
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(facts: &Facts) -> Vec<&'static str> {
        tags(facts, &TagRules::default()).iter().map(|f| f.tag.key()).collect()
    }

    #[test]
    fn discount_driven_at_exactly_80_percent() {
        let mut f = Facts { purchases: 5, discounted: 4, ..Facts::default() };
        let fired = tags(&f, &TagRules::default());
        assert_eq!(fired[0].tag, Tag::DiscountDriven);
        assert_eq!(
            fired[0].evidence,
            vec![Evidence { metric: "discountedShare", value: 0.8, threshold: 0.8, op: ">=" }]
        );
        f.discounted = 3;
        assert!(keys(&f).is_empty());
        // Too few purchases to judge a share.
        assert!(keys(&Facts { purchases: 2, discounted: 2, ..Facts::default() }).is_empty());
    }

    #[test]
    fn stockpiler_needs_few_purchases_and_a_big_basket() {
        let f = Facts { purchases: 3, aov_fen: 10_000, store_median_aov_fen: 5_000, ..Facts::default() };
        let fired = tags(&f, &TagRules::default());
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].tag, Tag::Stockpiler);
        assert_eq!(fired[0].evidence.len(), 2);
        assert!(keys(&Facts { purchases: 4, ..f.clone() }).is_empty());
        assert!(keys(&Facts { aov_fen: 9_999, ..f }).is_empty());
    }

    #[test]
    fn event_tags() {
        let f = Facts {
            purchases: 4,
            cart_adds: 12,
            courses: 2,
            competitions: 1,
            referrals: 3,
            feedback: 1,
            follows: 1,
            on_holidays: 2,
            ..Facts::default()
        };
        assert_eq!(keys(&f), vec!["anxious", "easy_sharer", "indecisive", "gift_giver", "circle"]);
        assert!(Tag::ALL.iter().all(|t| !t.levers().is_empty()));
    }
}
