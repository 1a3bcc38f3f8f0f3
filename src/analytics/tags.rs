//! Behaviour tags (seed 003's table, DOMAIN §6): each tag is a rule over a
//! member's [`Facts`], fires with its **evidence** (the numbers that fired
//! it, beside the thresholds they passed) and carries its **levers** (what
//! marketing works on such a member). Thresholds live in [`TagRules`].
//!
//! Facts come from orders (purchases, discounts, campaign days, holidays),
//! order lines (special-price items, gift wrap, new products) and events
//! (cart adds, activities, referrals, reviews, shares, follows); a member
//! with no data behind a rule simply does not get that tag.
//!
//! - **招徕型 promo-driven**: the share of the member's purchases in the
//!   window whose day falls in a campaign of the rules' calendar
//!   (`tags.campaigns`, [`Campaign`]; both end days included) is at least
//!   `campaignShare`, with at least `minPurchases` purchases and an average
//!   order at least `highAovRatio` × the store median.
//! - **种草型 influenced**: the share of purchases made at most
//!   `contentDays` × 24 hours after a content touch (at or after it, to the
//!   minute) is at least `afterContentShare`, with at least `minPurchases`
//!   purchases. Content touches are `message_clicked` events (a pushed
//!   article, a KOL pick) and `activity` events whose kind names KOL or
//!   review content ([`CONTENT_WORDS`]: 达人, 直播, 种草, 测评, 买家秀, 看评价 …).
//!   Touches before the window count for purchases early in it.
//! - 礼赠型 gift-giver counts holiday purchases as the purchases with a
//!   gift-wrapped line (the holiday windows are not in the calendar yet).

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
    /// 招徕型: the campaign calendar (default: the big shopping days, [`Campaign::defaults`]).
    pub campaigns: Vec<Campaign>,
    /// 种草型: a purchase at most this many days after a content touch is "after content" (default 3).
    pub content_days: u32,
    /// The store's own tags, in the crowd condition language ([`super::custom_tags`]).
    pub custom: Vec<super::custom_tags::CustomTag>,
}

/// A campaign of the calendar: a named range of days, both ends included.
/// Dates are `MM-DD` (every year; a range may cross the new year, e.g.
/// `12-30` to `01-02`) or `YYYY-MM-DD` (that year only — for festivals that
/// move, such as the Spring Festival).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Campaign {
    /// 中文 name, e.g. 双11.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// First day, `MM-DD` or `YYYY-MM-DD`.
    pub from: String,
    /// Last day, in the same form as `from`.
    pub to: String,
}

/// A campaign's days, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    /// (month, day) to (month, day), every year.
    Yearly((u32, u32), (u32, u32)),
    /// Day numbers, both included.
    Dated(crate::model::Day, crate::model::Day),
}

impl Campaign {
    fn new(name: &str, name_en: &str, from: &str, to: &str) -> Campaign {
        Campaign { name: name.into(), name_en: name_en.into(), from: from.into(), to: to.into() }
    }

    /// The default calendar: 年货节 before the Spring Festival (the 14 days
    /// before 春节, dated for 2024–2028), 三八女王节 03-06…03-08, 520
    /// 05-18…05-20, 618 06-16…06-18, 国庆 10-01…10-07, 双11 11-09…11-11,
    /// 双12 12-10…12-12: about 37 days a year.
    pub fn defaults() -> Vec<Campaign> {
        vec![
            Campaign::new("年货节 2024", "Spring Festival shopping 2024", "2024-01-27", "2024-02-09"),
            Campaign::new("年货节 2025", "Spring Festival shopping 2025", "2025-01-15", "2025-01-28"),
            Campaign::new("年货节 2026", "Spring Festival shopping 2026", "2026-02-03", "2026-02-16"),
            Campaign::new("年货节 2027", "Spring Festival shopping 2027", "2027-01-23", "2027-02-05"),
            Campaign::new("年货节 2028", "Spring Festival shopping 2028", "2028-01-12", "2028-01-25"),
            Campaign::new("三八女王节", "Women's Day", "03-06", "03-08"),
            Campaign::new("520", "520", "05-18", "05-20"),
            Campaign::new("618", "618", "06-16", "06-18"),
            Campaign::new("国庆", "National Day", "10-01", "10-07"),
            Campaign::new("双11", "Double 11", "11-09", "11-11"),
            Campaign::new("双12", "Double 12", "12-10", "12-12"),
        ]
    }

    fn span(&self) -> Option<Span> {
        let month_day = |s: &str| -> Option<(u32, u32)> {
            let (m, d) = s.trim().split_once('-')?;
            let (m, d) = (m.parse().ok()?, d.parse().ok()?);
            // A leap year accepts 02-29.
            chrono::NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
        };
        let dated = |s: &str| {
            let mut ymd = s.trim().splitn(3, '-');
            let y = ymd.next()?.parse().ok()?;
            let (m, d) = (ymd.next()?.parse().ok()?, ymd.next()?.parse().ok()?);
            chrono::NaiveDate::from_ymd_opt(y, m, d).map(crate::model::day_of)
        };
        match (month_day(&self.from), month_day(&self.to), dated(&self.from), dated(&self.to)) {
            (Some(a), Some(b), _, _) => Some(Span::Yearly(a, b)),
            (_, _, Some(a), Some(b)) if a <= b => Some(Span::Dated(a, b)),
            _ => None,
        }
    }

    /// Check the dates; errors name the field under `tags.campaigns[i]`.
    fn validate(&self, i: usize) -> crate::error::Result<()> {
        let at = |f: &str| format!("tags.campaigns[{i}].{f}");
        if self.name.trim().is_empty() {
            return Err(crate::Error::invalid_rules(at("name"), "a campaign needs a name"));
        }
        // `MM-DD` has 5 characters, `YYYY-MM-DD` 10.
        let form = |s: &str| s.trim().len();
        for (f, value) in [("from", &self.from), ("to", &self.to)] {
            if Campaign::new("", "", value, value).span().is_none() {
                return Err(crate::Error::invalid_rules(at(f), format!("\"{value}\" is not MM-DD or YYYY-MM-DD")));
            }
        }
        if form(&self.from) != form(&self.to) {
            return Err(crate::Error::invalid_rules(at("to"), "write both days as MM-DD or both as YYYY-MM-DD"));
        }
        if self.span().is_none() {
            return Err(crate::Error::invalid_rules(at("to"), "the last day is before the first"));
        }
        Ok(())
    }
}

/// The campaign calendar, parsed once: whether a day is a campaign day.
#[derive(Debug, Clone, Default)]
pub struct Calendar(Vec<Span>);

impl Calendar {
    /// The calendar of the rules (campaigns that do not parse are left out;
    /// [`TagRules::validate`] refuses them).
    pub fn new(campaigns: &[Campaign]) -> Calendar {
        Calendar(campaigns.iter().filter_map(Campaign::span).collect())
    }

    /// Whether `day` falls in a campaign (both end days included).
    pub fn contains(&self, day: crate::model::Day) -> bool {
        use chrono::Datelike;
        let date = crate::model::date_of(day);
        let md = (date.month(), date.day());
        self.0.iter().any(|span| match *span {
            Span::Dated(a, b) => (a..=b).contains(&day),
            Span::Yearly(a, b) if a <= b => a <= md && md <= b,
            // Across the new year: from `a` to 12-31, and from 01-01 to `b`.
            Span::Yearly(a, b) => md >= a || md <= b,
        })
    }
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
            campaigns: Campaign::defaults(),
            content_days: 3,
            custom: Vec::new(),
        }
    }
}

impl TagRules {
    /// Check what serde cannot: shares in 0…1, the campaign dates, the
    /// custom tags' keys and expressions. Errors name the field under `tags`.
    pub fn validate(&self) -> crate::error::Result<()> {
        let share = |field: &str, v: f64| {
            if v.is_finite() && (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(crate::Error::invalid_rules(
                    format!("tags.{field}"),
                    format!("a share between 0 and 1, got {}", crate::model::format_decimal(v)),
                ))
            }
        };
        share("discountedShare", self.discounted_share)?;
        share("campaignShare", self.campaign_share)?;
        share("afterContentShare", self.after_content_share)?;
        if !(1..=90).contains(&self.content_days) {
            return Err(crate::Error::invalid_rules("tags.contentDays", "must be between 1 and 90 days"));
        }
        for (i, c) in self.campaigns.iter().enumerate() {
            c.validate(i)?;
        }
        super::custom_tags::validate(&self.custom)
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
    // The evidence of a rule whose checks all pass (a list made only then).
    let all = |evidence: &[Option<Evidence>]| {
        evidence.iter().all(Option::is_some).then(|| evidence.iter().flatten().cloned().collect())
    };
    let activities = |metric, n: u32| all(&[at_least(metric, f64::from(n), f64::from(rules.min_activities))]);
    let mut out = Vec::new();
    for tag in Tag::ALL {
        let evidence = match tag {
            Tag::DiscountDriven if enough => {
                all(&[at_least("discountedShare", share(facts.discounted), rules.discounted_share)])
            }
            Tag::Stockpiler if facts.purchases >= 1 => {
                all(&[at_most("purchases", p, f64::from(rules.stockpiler_max_purchases)), high_aov()])
            }
            Tag::PromoDriven if enough => {
                all(&[at_least("campaignShare", share(facts.on_campaign_days), rules.campaign_share), high_aov()])
            }
            Tag::Anxious => activities("courses", facts.courses),
            Tag::Honour => activities("competitions", facts.competitions),
            Tag::Curious => all(&[at_least(
                "quizzesAndNewProducts",
                f64::from(facts.quizzes + facts.new_products),
                f64::from(rules.min_activities),
            )]),
            Tag::EasySharer => activities("referrals", facts.referrals),
            Tag::Indecisive if facts.purchases >= 1 => {
                all(&[at_least("cartAddsPerPurchase", f64::from(facts.cart_adds) / p, rules.cart_adds_per_purchase)])
            }
            Tag::Influenced if enough => {
                all(&[at_least("afterContentShare", share(facts.after_content), rules.after_content_share)])
            }
            Tag::GiftGiver => all(&[at_least(
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

/// Words in an activity's kind that mark it as content that plants a
/// purchase (种草): KOL picks, live streams, reviews (中文 and English,
/// matched as substrings).
pub const CONTENT_WORDS: &[&str] =
    &["达人", "直播", "种草", "测评", "评测", "探店", "笔记", "买家秀", "看评价", "kol", "live", "influencer"];

/// Words in an activity's kind that mark it as a course, a competition, a
/// quiz or a referral activity (中文 and English, matched as substrings).
const COURSE_WORDS: &[&str] = &["课程", "讲座", "健康", "养生", "课堂", "course", "class", "talk"];
const COMPETITION_WORDS: &[&str] = &["比赛", "竞赛", "排行", "打卡", "挑战", "competition", "contest", "ranking"];
const QUIZ_WORDS: &[&str] = &["答题", "问答", "测验", "竞猜", "quiz"];
const REFERRAL_WORDS: &[&str] = &["推荐", "邀请", "拉新", "分享有礼", "referral", "invite"];

/// The word lists an activity's kind is matched against, one bit each.
const ACTIVITY_WORDS: [&[&str]; 5] = [CONTENT_WORDS, COURSE_WORDS, COMPETITION_WORDS, QUIZ_WORDS, REFERRAL_WORDS];
const CONTENT: u8 = 1;
const COURSE: u8 = 2;
const COMPETITION: u8 = 4;
const QUIZ: u8 = 8;
const REFERRAL: u8 = 16;

/// Each event's activity kind as bits of [`ACTIVITY_WORDS`] (bit k: a word
/// of list k is in the kind, lowercased), by event row. Kinds repeat, so
/// each distinct kind is lowercased and matched once.
fn activity_bits(events: &crate::model::Events) -> impl Fn(usize) -> u8 + '_ {
    let by_label: Vec<u8> = events.activity.as_ref().map_or_else(Vec::new, |a| {
        let bits = |kind: &str| {
            let lower = kind.to_ascii_lowercase();
            let hit = |words: &[&str]| words.iter().any(|w| lower.contains(w));
            ACTIVITY_WORDS.iter().enumerate().fold(0, |b, (k, words)| b | (u8::from(hit(words)) << k))
        };
        a.names.names().iter().map(bits).collect()
    });
    move |e| {
        let label = events.activity.as_ref().and_then(|a| a.of.get(e));
        label.and_then(|&l| by_label.get(l as usize)).copied().unwrap_or(0)
    }
}

/// The facts that order lines, events and the campaign calendar add, per
/// member (by the analysis' member index), over `window_start <= day < as_of`.
/// `order_member` maps the orders' member index to the analysis' index,
/// `member_of_event` the events' member index (`None`: not a known member).
pub fn facts_from_lines_and_events(
    data: &crate::model::Dataset,
    order_member: &[u32],
    member_of_event: &[Option<u32>],
    members: usize,
    window_start: crate::model::Day,
    as_of: crate::model::Day,
    rules: &TagRules,
) -> Vec<Facts> {
    use crate::model::{EventType, OrderKind};
    let mut facts = vec![Facts::default(); members];
    let in_window = |d: crate::model::Day| d >= window_start && d < as_of;
    // Minutes since day 0: orders and events compare to the minute.
    let when = |day: crate::model::Day, minute: u16| i64::from(day) * 1440 + i64::from(minute);
    // Content touches before the analysis date, as (member, minute), sorted.
    let mut touches: Vec<(u32, i64)> = Vec::new();
    let activity = data.events.as_ref().map(activity_bits);
    if let (Some(events), Some(activity)) = (&data.events, &activity) {
        for e in (0..events.len()).filter(|&e| events.day[e] < as_of) {
            let content = match events.kind[e] {
                EventType::MessageClicked => true,
                EventType::Activity => activity(e) & CONTENT != 0,
                _ => false,
            };
            if let (true, Some(m)) = (content, member_of_event.get(events.member(e) as usize).copied().flatten()) {
                touches.push((m, when(events.day[e], events.minute[e])));
            }
        }
    }
    touches.sort_unstable();
    // Member m's touches are touches[first[m]..first[m + 1]].
    let mut first = vec![0usize; members + 1];
    for &(m, _) in &touches {
        if let Some(c) = first.get_mut(m as usize + 1) {
            *c += 1;
        }
    }
    for k in 0..members {
        first[k + 1] += first[k];
    }
    if let Some(orders) = &data.orders {
        // Campaign days of the window, one date conversion per day rather than per purchase.
        let calendar = Calendar::new(&rules.campaigns);
        let campaign_day: Vec<bool> = (window_start..as_of).map(|d| calendar.contains(d)).collect();
        let reach = i64::from(rules.content_days) * 1440;
        for i in (0..orders.len()).filter(|&i| orders.kind[i] == OrderKind::Purchase && in_window(orders.day(i))) {
            let Some(&m) = order_member.get(orders.member(i) as usize) else { continue };
            let Some(f) = facts.get_mut(m as usize) else { continue };
            f.on_campaign_days += u32::from(campaign_day[(orders.day(i) - window_start) as usize]);
            // The member's latest touch at or before the purchase.
            let t = when(orders.day(i), orders.minute(i));
            let mine = &touches[first[m as usize]..first[m as usize + 1]];
            let k = mine.partition_point(|&(_, x)| x <= t);
            if k > 0 && t - mine[k - 1].1 <= reach {
                f.after_content += 1;
            }
        }
    }
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
        for i in (0..orders.len()).filter(|&i| orders.kind[i] == OrderKind::Purchase && in_window(orders.day(i))) {
            let f = &mut facts[order_member[orders.member(i) as usize] as usize];
            f.discounted += u32::from(special[i]);
            f.gift_wrapped += u32::from(wrapped[i]);
        }
    }
    if let (Some(events), Some(activity)) = (&data.events, &activity) {
        for e in (0..events.len()).filter(|&e| in_window(events.day[e])) {
            let Some(m) = member_of_event.get(events.member(e) as usize).copied().flatten() else { continue };
            let f = &mut facts[m as usize];
            match events.kind[e] {
                EventType::AddToCart => f.cart_adds += 1,
                EventType::Referral => f.referrals += 1,
                EventType::Review => f.feedback += 1,
                EventType::GroupJoin => f.follows += 1,
                EventType::Activity if activity(e) & COURSE != 0 => f.courses += 1,
                EventType::Activity if activity(e) & COMPETITION != 0 => f.competitions += 1,
                EventType::Activity if activity(e) & QUIZ != 0 => f.quizzes += 1,
                EventType::Activity if activity(e) & REFERRAL != 0 => f.referrals += 1,
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

    fn day(y: i32, m: u32, d: u32) -> crate::model::Day {
        crate::model::day_of(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn rules(json: &str) -> crate::error::Result<TagRules> {
        crate::rules::Rules::from_json(&format!(r#"{{"tags": {json}}}"#)).map(|r| r.tags)
    }

    #[test]
    fn campaign_calendar_edges() {
        let cal = Calendar::new(&TagRules::default().campaigns);
        // 618 runs 06-16 … 06-18, both ends in.
        let in_618: Vec<bool> = (15..=19).map(|d| cal.contains(day(2026, 6, d))).collect();
        assert_eq!(in_618, [false, true, true, true, false]);
        // 年货节 2026 is dated 02-03 … 02-16; the festival itself (02-17) is not in it.
        let spring: Vec<bool> =
            [(2, 2), (2, 3), (2, 16), (2, 17)].iter().map(|&(m, d)| cal.contains(day(2026, m, d))).collect();
        assert_eq!(spring, [false, true, true, false]);
        assert!(!cal.contains(day(2029, 2, 1)), "no dated window for 2029");
        assert!(cal.contains(day(2031, 11, 11)), "yearly windows repeat");
        // A window across the new year.
        let cal = Calendar::new(&[Campaign::new("跨年", "New Year", "12-30", "01-02")]);
        let days = [(2026, 12, 29), (2026, 12, 30), (2027, 1, 2), (2027, 1, 3)];
        assert_eq!(days.map(|(y, m, d)| cal.contains(day(y, m, d))), [false, true, true, false]);
    }

    #[test]
    fn campaign_and_content_rules_are_validated() {
        let one = |from: &str, to: &str| {
            format!(r#"{{"campaigns": [{{"name": "x", "nameEn": "x", "from": "{from}", "to": "{to}"}}]}}"#)
        };
        assert!(rules(&one("02-29", "03-01")).is_ok());
        assert_eq!(rules(&one("13-01", "12-31")).unwrap_err().field(), Some("tags.campaigns[0].from"));
        assert_eq!(rules(&one("2026-06-01", "06-18")).unwrap_err().field(), Some("tags.campaigns[0].to"));
        assert_eq!(rules(&one("2026-06-18", "2026-06-01")).unwrap_err().field(), Some("tags.campaigns[0].to"));
        assert_eq!(rules(r#"{"contentDays": 0}"#).unwrap_err().field(), Some("tags.contentDays"));
        assert_eq!(rules(r#"{"campaignShare": 1.5}"#).unwrap_err().field(), Some("tags.campaignShare"));
    }

    /// Facts of the orders and events given, analysed over 2026 (as of 2027-01-01),
    /// with members numbered in the orders file's order.
    fn facts_of(orders: &str, events: &str, rules: &TagRules) -> Vec<Facts> {
        use crate::ingest::{Kind, LoadOptions, Table, read};
        let mut data = crate::model::Dataset::default();
        for (kind, text) in [(Kind::Orders, orders), (Kind::Events, events)] {
            match read(kind, text.as_bytes(), &LoadOptions::default()).unwrap().table {
                Table::Orders(o) => data.orders = Some(*o),
                Table::Events(e) => data.events = Some(*e),
                _ => unreachable!(),
            }
        }
        let n = data.orders.as_ref().map_or(0, |o| o.ids.len());
        let order_member: Vec<u32> = (0..n as u32).collect();
        let event_member: Vec<Option<u32>> = data
            .events
            .as_ref()
            .map(|e| e.ids.names().iter().map(|id| data.orders.as_ref().and_then(|o| o.ids.get(id))).collect())
            .unwrap_or_default();
        facts_from_lines_and_events(&data, &order_member, &event_member, n, day(2026, 1, 1), day(2027, 1, 1), rules)
    }

    #[test]
    fn promo_driven_from_the_campaign_calendar() {
        // A: 06-16 (first day of 618), 06-18 23:59 (last day), 11-09 and 11-11 (双11's ends), 06-19
        // (a day after 618): 4 of 5 = exactly 80 %. B: 06-15, 06-16, 11-12, 11-11: 2 of 4 = 50 %.
        // C's refunded 双11 order is no purchase; its 2025 双12 order is outside the window.
        let orders = "会员ID,支付时间,实付金额,订单状态\n\
            A,2026-06-16 10:00,300,\nA,2026-06-18 23:59,300,\nA,2026-11-09 08:00,300,\n\
            A,2026-11-11 21:00,300,\nA,2026-06-19 00:01,300,\n\
            B,2026-06-15,300,\nB,2026-06-16,300,\nB,2026-11-12,300,\nB,2026-11-11,300,\n\
            C,2026-11-11,300,已退款\nC,2025-12-12,300,\nC,2026-03-01,300,\n";
        let facts = facts_of(orders, "会员ID,发生时间,事件类型\n", &TagRules::default());
        let campaign: Vec<u32> = facts.iter().map(|f| f.on_campaign_days).collect();
        assert_eq!(campaign, [4, 2, 0]);
        // At campaignShare 0.8 and an average order ≥ 2 × the store median, A is promo-driven with its
        // evidence; one campaign purchase fewer (3 of 5 = 60 %) is not enough.
        let strict = TagRules { campaign_share: 0.8, ..TagRules::default() };
        let a = Facts { purchases: 5, aov_fen: 30_000, store_median_aov_fen: 15_000, ..facts[0].clone() };
        let fired = tags(&a, &strict);
        assert_eq!(fired[0].tag, Tag::PromoDriven);
        assert_eq!(fired[0].evidence[0], Evidence { metric: "campaignShare", value: 0.8, threshold: 0.8, op: ">=" });
        assert!(!tags(&Facts { on_campaign_days: 3, ..a.clone() }, &strict).iter().any(|f| f.tag == Tag::PromoDriven));
        // High order value is part of the rule: at the median, no tag.
        assert!(tags(&Facts { store_median_aov_fen: 30_000, ..a }, &strict).is_empty());
    }

    #[test]
    fn influenced_by_purchases_after_content() {
        // A clicks a message on 03-01 10:00; buys 03-04 10:00 (exactly 3 × 24 h later: counts),
        // 03-04 10:01 (a minute past: no), 03-01 09:59 (before the click: no). A watches a 达人直播
        // on 05-01 20:00 and buys at that minute (counts); a 健康讲座 on 06-01 is no content, so
        // the 06-02 purchase does not count. B's click is not A's.
        let orders = "会员ID,支付时间,实付金额\n\
            A,2026-03-04 10:00,20\nA,2026-03-04 10:01,20\nA,2026-03-01 09:59,20\n\
            A,2026-05-01 20:00,20\nA,2026-06-02 12:00,20\nB,2026-03-02 12:00,20\n";
        let events = "会员ID,发生时间,事件类型,活动类型\n\
            A,2026-03-01 10:00,message_clicked,\nA,2026-05-01 20:00,activity,达人直播\n\
            A,2026-06-01 12:00,activity,健康讲座\nZ,2026-03-02 11:00,message_clicked,\n";
        let facts = facts_of(orders, events, &TagRules::default());
        assert_eq!((facts[0].after_content, facts[1].after_content), (2, 0));
        // With contentDays 1 only the same-minute purchase is close enough.
        let one_day = TagRules { content_days: 1, ..TagRules::default() };
        assert_eq!(facts_of(orders, events, &one_day)[0].after_content, 1);
        // 2 of 4 purchases = exactly the default 50 %: influenced; 1 of 4 is not.
        let f = Facts { purchases: 4, after_content: 2, ..Facts::default() };
        assert_eq!(keys(&f), ["influenced"]);
        assert!(keys(&Facts { after_content: 1, ..f }).is_empty());
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
