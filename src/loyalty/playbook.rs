//! The playbook (营销打法, DOMAIN §10 千人千面): which offers each member
//! should get, ranked, each with a reason carrying the member's own
//! numbers, a channel, a send slot, a cost and an optional coupon.
//!
//! The playbook lives in the rules (`playbook`, [`PlaybookRules`]); its
//! defaults are DOMAIN §10's seed defaults:
//!
//! | who | offers |
//! |---|---|
//! | potential 潜力 | new-member coupon, 1-yuan flash sale, community activity |
//! | value 价值 | referral reward coupon, exclusive picks / presale / member price, member events |
//! | stable 稳定 | repurchase incentives (满赠, second item discount), member day |
//! | churned 流失 | recall with new products and a coupon (SMS / WeCom / phone) |
//! | new, one order | a second-order coupon valid until the new-member window ends |
//! | enterprise 企业 | enterprise card, joint promotions |
//! | anyone | a paid benefit card when its yearly savings on their own orders exceed its price |
//! | each behaviour tag | the tag's levers (seed 003) |
//!
//! - **Audience.** Each offer's audience is an expression of the crowd
//!   language ([`crate::analytics::condition`]), e.g. `valueGroup = "churned"`.
//! - **Reason.** A template in 中文 and English whose `{field}` placeholders
//!   are the member's values of crowd-language fields (`{f}`, `{aov}`, …;
//!   money in yuan), `{field|text}` gives `text` when the member has no
//!   value, `{tag.<key>}` is that tag's evidence and `{validUntil}` the
//!   offer's last valid day.
//! - **Channel.** An offer lists the channels it may use. The member's own
//!   preferred channel (most message clicks, `timing.minClicks`) is used when
//!   the offer allows it, else the store's most clicked channel when allowed,
//!   else the offer's first channel; `channelSource` says which
//!   (`member` / `store` / `playbook`). Event channels are read by name
//!   ([`Channel::from_label`]: 短信, 小程序, 公众号, 社群, 企业微信, 电话 …).
//! - **Send slot.** The member's best golden-hour slot, else the store's
//!   (`slotSource` `member` / `store`), else `playbook.defaultSlot`. The send
//!   time is the slot's start, except "before 8:00", which sends at 7:00.
//! - **Rank.** A member's offers rank by priority (higher first), then
//!   expected value (higher first), then key. The **expected value** is what
//!   one more order of the member is worth less the offer's cost: the
//!   member's average net order over every purchase before the analysis date
//!   (0 without purchases) minus the cost, in fen.
//! - **Benefit cards** (付费权益卡, `playbook.benefitCards`): a card is offered
//!   when its yearly savings on the member's own orders of the last
//!   `lookbackDays` — `discountRate` × net spend (rounded to the fen) plus
//!   `freeDelivery` per order placed through a delivery channel (an order
//!   channel containing one of `deliveryChannels`; every order when the list
//!   is empty) — exceed its `price`, and the member does not hold it already
//!   (a benefit card in the members file whose name contains one of the
//!   card's `heldAs`, case-insensitive).

use crate::analytics::condition::{Expr, Value};
use crate::analytics::query::View;
use crate::analytics::rfm::div_round;
use crate::analytics::tags::Tag;
use crate::analytics::timing::{PreferredChannel, SLOT_LABELS, SLOT_STARTS, best_channel, preferred_channels};
use crate::analytics::{Lifecycle, Profile};
use crate::error::{Error, Result};
use crate::model::{Day, EventType, Fen, OrderKind, format_day};
use crate::rules::{Rules, Yuan};
use serde::{Deserialize, Serialize};

/// A channel that reaches a member (触达渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 短信.
    Sms,
    /// 小程序 (subscription message or in-app).
    MiniProgram,
    /// 公众号模板消息.
    TemplateMessage,
    /// 社群 (community group).
    CommunityGroup,
    /// 企业微信 one-to-one.
    Wecom,
    /// 电话.
    Phone,
}

impl Channel {
    /// Every channel, in index order.
    pub const ALL: [Channel; 6] = [
        Channel::Sms,
        Channel::MiniProgram,
        Channel::TemplateMessage,
        Channel::CommunityGroup,
        Channel::Wecom,
        Channel::Phone,
    ];

    /// (key, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Channel::Sms => ("sms", "短信", "SMS"),
            Channel::MiniProgram => ("mini_program", "小程序", "Mini-program"),
            Channel::TemplateMessage => ("template_message", "公众号模板消息", "Official-account template message"),
            Channel::CommunityGroup => ("community_group", "社群", "Community group"),
            Channel::Wecom => ("wecom", "企业微信", "WeCom"),
            Channel::Phone => ("phone", "电话", "Phone call"),
        }
    }

    /// The channel an events file names (中文 or English, as a substring,
    /// ASCII case-insensitive); `None` for a channel that sends no messages
    /// (门店, POS …).
    pub fn from_label(label: &str) -> Option<Channel> {
        let l = label.trim().to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
        if has(&["企业微信", "企微", "wecom", "work wechat"]) {
            Some(Channel::Wecom)
        } else if has(&["小程序", "mini"]) {
            Some(Channel::MiniProgram)
        } else if has(&["公众号", "模板", "服务号", "template", "official", "微信", "wechat"]) {
            Some(Channel::TemplateMessage)
        } else if has(&["社群", "群", "community", "group"]) {
            Some(Channel::CommunityGroup)
        } else if has(&["短信", "sms", "text"]) {
            Some(Channel::Sms)
        } else if has(&["电话", "外呼", "phone", "call"]) {
            Some(Channel::Phone)
        } else {
            None
        }
    }

    fn index(self) -> u32 {
        Channel::ALL.iter().position(|&c| c == self).unwrap_or(0) as u32
    }
}

/// The playbook: offers and paid benefit cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PlaybookRules {
    /// The send slot (a golden-hours slot key, e.g. `1830_2030`) when
    /// neither the member nor the store has one (default `1830_2030`).
    pub default_slot: String,
    /// The offers, each with its audience.
    pub offers: Vec<OfferRule>,
    /// Paid benefit cards offered on the member's own savings.
    pub benefit_cards: Vec<BenefitCardRule>,
}

/// One offer of the playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferRule {
    /// Stable key, unique in the playbook.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Who gets it: a crowd-language expression.
    pub audience: String,
    /// Why, in 中文: a template with `{field}` placeholders.
    #[serde(default)]
    pub reason: String,
    /// Why, in English.
    #[serde(default)]
    pub reason_en: String,
    /// Channels allowed, the preferred first.
    pub channels: Vec<Channel>,
    /// What one offer costs the store, in yuan.
    pub cost: Yuan,
    /// The coupon template it issues (a key of the coupon rules), if any.
    #[serde(default)]
    pub coupon: Option<String>,
    /// Higher first (0–1000).
    pub priority: u32,
    /// Valid for this many days from the send date, the send date included.
    #[serde(default)]
    pub valid_days: Option<u32>,
    /// Valid until the member's new-member window ends (`lifecycle.newDays`
    /// after the first purchase, or the registration when there is none);
    /// not offered once it has ended.
    #[serde(default)]
    pub valid_in_new_window: bool,
}

/// A paid benefit card (付费权益卡, seed 001's 88VIP / PLUS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BenefitCardRule {
    /// Stable key, unique among offers and cards.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Yearly price, yuan.
    pub price: Yuan,
    /// Share of the spend the card saves (0.05 = 5% off).
    pub discount_rate: f64,
    /// Delivery fee saved per delivered order, yuan.
    pub free_delivery: Yuan,
    /// Order channels that deliver (substrings); empty: every order.
    pub delivery_channels: Vec<String>,
    /// Days of past orders the savings are computed over (default 365).
    pub lookback_days: u32,
    /// A member already holds the card when one of their benefit cards
    /// contains one of these (case-insensitive), e.g. `PLUS`.
    pub held_as: Vec<String>,
    /// Channels allowed, the preferred first.
    pub channels: Vec<Channel>,
    /// What offering it costs the store, in yuan.
    pub cost: Yuan,
    /// Higher first (0–1000).
    pub priority: u32,
}

/// English levers of each tag (the 中文 ones are [`Tag::levers`]), with the
/// default cost in fen, coupon and channels of the tag's lever offer.
fn tag_lever_defaults(tag: Tag) -> (&'static str, Fen, Option<&'static str>, Vec<Channel>) {
    use Channel::*;
    let app = vec![MiniProgram, TemplateMessage];
    match tag {
        Tag::DiscountDriven => ("Price-drop alerts, buy-and-get, free-delivery coupon", 500, None, app),
        Tag::Stockpiler => ("Stored-value card, presale deposit multiplier", 0, None, app),
        Tag::PromoDriven => {
            ("Bundles, lucky bags, post-purchase coupon, large spend-and-save", 1000, Some("spend30_save5"), app)
        }
        Tag::Anxious => ("Tutorials, regular content", 0, None, vec![TemplateMessage, CommunityGroup]),
        Tag::Honour => ("Points, leaderboards, share-to-show", 0, None, app),
        Tag::Curious => ("New-product recommendations", 0, None, app),
        Tag::EasySharer => ("Share-to-win lottery", 300, None, vec![CommunityGroup, MiniProgram]),
        Tag::Indecisive => ("\"Everyone is buying\", top-10 lists", 0, None, app),
        Tag::Influenced => ("KOL picks, live streams", 0, None, vec![MiniProgram, CommunityGroup]),
        Tag::GiftGiver => ("Stored-value / family cards, buy-one-give-one", 500, None, app),
        Tag::Circle => ("Community marketing, offline events", 0, None, vec![CommunityGroup]),
    }
}

impl Default for PlaybookRules {
    fn default() -> Self {
        use Channel::*;
        #[allow(clippy::too_many_arguments)]
        let offer = |key: &str,
                     name: &str,
                     name_en: &str,
                     audience: &str,
                     reason: &str,
                     reason_en: &str,
                     channels: Vec<Channel>,
                     cost: Fen,
                     coupon: Option<&str>,
                     priority: u32| OfferRule {
            key: key.into(),
            name: name.into(),
            name_en: name_en.into(),
            audience: audience.into(),
            reason: reason.into(),
            reason_en: reason_en.into(),
            channels,
            cost: Yuan(cost),
            coupon: coupon.map(Into::into),
            priority,
            valid_days: Some(7),
            valid_in_new_window: false,
        };
        // The offers of DOMAIN §10 are kept as rules JSON (playbook.json):
        // read through the rules deserializer the wasm has anyway, they cost
        // less than the same values built in code. One lever offer per tag follows.
        let mut offers: Vec<OfferRule> = crate::json::from_str(include_str!("playbook.json"))
            .expect("playbook.json is valid offers (every test that uses the default rules reads it)");
        for tag in Tag::ALL {
            let (key, _, zh, en) = tag.labels();
            let (levers_en, cost, coupon, channels) = tag_lever_defaults(tag);
            offers.push(offer(
                &format!("lever_{key}"),
                &tag.levers().join("、"),
                levers_en,
                &format!("tag = \"{key}\""),
                &format!("{zh}：{{tag.{key}}}"),
                &format!("{en}: {{tag.{key}}}"),
                channels,
                cost,
                coupon,
                30,
            ));
        }
        PlaybookRules {
            default_slot: "1830_2030".into(),
            offers,
            benefit_cards: vec![BenefitCardRule {
                key: "plus_card".into(),
                name: "PLUS付费会员卡".into(),
                name_en: "PLUS paid membership card".into(),
                price: Yuan(9_900),
                discount_rate: 0.05,
                free_delivery: Yuan(600),
                delivery_channels: ["小程序", "美团", "饿了么", "外卖", "配送", "delivery"].map(String::from).to_vec(),
                lookback_days: 365,
                held_as: vec!["PLUS".into()],
                channels: vec![TemplateMessage, MiniProgram, Sms],
                cost: Yuan(0),
                priority: 55,
            }],
        }
    }
}

impl PlaybookRules {
    /// Check what serde cannot; errors name the field under `playbook`.
    pub fn validate(&self) -> Result<()> {
        if !SLOT_LABELS.iter().any(|s| s.0 == self.default_slot) {
            let keys: Vec<&str> = SLOT_LABELS.iter().map(|s| s.0).collect();
            return Err(Error::invalid_rules(
                "playbook.defaultSlot",
                format!("unknown slot \"{}\"; slots are {}", self.default_slot, keys.join(", ")),
            ));
        }
        let mut keys: Vec<&str> = Vec::new();
        for (i, o) in self.offers.iter().enumerate() {
            let at = |f: &str| format!("playbook.offers[{i}].{f}");
            check_common(&at, &keys, &o.key, &o.name, &o.channels, o.cost, o.priority)?;
            keys.push(&o.key);
            Expr::parse(&o.audience).map_err(|e| {
                let message = match e.kind() {
                    crate::ErrorKind::BadOptions { message, .. } => message.clone(),
                    _ => e.to_string(),
                };
                Error::invalid_rules(at("audience"), message)
            })?;
            if o.valid_days.is_some_and(|d| !(1..=366).contains(&d)) {
                return Err(Error::invalid_rules(at("validDays"), "between 1 and 366 days"));
            }
        }
        for (i, c) in self.benefit_cards.iter().enumerate() {
            let at = |f: &str| format!("playbook.benefitCards[{i}].{f}");
            check_common(&at, &keys, &c.key, &c.name, &c.channels, c.cost, c.priority)?;
            keys.push(&c.key);
            if !(1..=100_000_000).contains(&c.price.0) {
                return Err(Error::invalid_rules(at("price"), "between 0.01 and 1,000,000 yuan"));
            }
            if !(c.discount_rate.is_finite() && (0.0..1.0).contains(&c.discount_rate)) {
                return Err(Error::invalid_rules(at("discountRate"), "a share saved in [0, 1), e.g. 0.05"));
            }
            if !(0..=100_000).contains(&c.free_delivery.0) {
                return Err(Error::invalid_rules(at("freeDelivery"), "between 0 and 1,000 yuan"));
            }
            if !(1..=3660).contains(&c.lookback_days) {
                return Err(Error::invalid_rules(at("lookbackDays"), "between 1 and 3660 days"));
            }
        }
        Ok(())
    }
}

/// The checks offers and cards share; `at` names a field of the entry.
fn check_common(
    at: &dyn Fn(&str) -> String,
    keys: &[&str],
    key: &str,
    name: &str,
    channels: &[Channel],
    cost: Yuan,
    priority: u32,
) -> Result<()> {
    if key.trim().is_empty() || key.len() > 64 {
        return Err(Error::invalid_rules(at("key"), "a key of 1 to 64 characters"));
    }
    if keys.contains(&key) {
        return Err(Error::invalid_rules(at("key"), format!("\"{key}\" is used twice")));
    }
    if name.trim().is_empty() {
        return Err(Error::invalid_rules(at("name"), "must not be empty"));
    }
    if channels.is_empty() {
        return Err(Error::invalid_rules(at("channels"), "at least one channel"));
    }
    if !(0..=100_000_000).contains(&cost.0) {
        return Err(Error::invalid_rules(at("cost"), "between 0 and 1,000,000 yuan"));
    }
    if priority > 1000 {
        return Err(Error::invalid_rules(at("priority"), "between 0 and 1000"));
    }
    Ok(())
}

/// What a member is offered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    /// The offer's (or card's) key.
    pub key: String,
    /// 中文 name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Why this member, in 中文, with the member's numbers.
    pub reason: String,
    /// Why, in English.
    pub reason_en: String,
    /// Channel key (`sms`, `mini_program`, …).
    pub channel: &'static str,
    /// Channel, 中文.
    pub channel_name: &'static str,
    /// Channel, English.
    pub channel_name_en: &'static str,
    /// `member` (their own clicks), `store` (the store's most clicked) or `playbook` (the offer's first).
    pub channel_source: &'static str,
    /// Send slot key (golden hours).
    pub slot: &'static str,
    /// `member`, `store` or `playbook` (the default slot).
    pub slot_source: &'static str,
    /// Send time: `YYYY-MM-DD HH:MM`.
    pub send_at: String,
    /// Cost to the store, fen.
    pub cost_fen: Fen,
    /// Coupon template key, if any.
    pub coupon: Option<String>,
    /// Priority (higher first).
    pub priority: u32,
    /// Average order of the member less the cost, fen.
    pub expected_value_fen: Fen,
    /// Last valid day, when the offer has one.
    pub valid_until: Option<String>,
}

/// An offer a member qualifies for, before it is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into the playbook's offers, then its benefit cards.
    pub offer: usize,
    /// Priority.
    pub priority: u32,
    /// Expected value, fen.
    pub expected_value_fen: Fen,
    /// Cost, fen.
    pub cost_fen: Fen,
}

/// A benefit card's yearly numbers for one member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct CardFacts {
    spend: Fen,
    delivered: u32,
}

/// Everything the playbook needs beyond the analysis, computed once for
/// all members: audiences parsed, lifetime average orders, benefit-card
/// facts, preferred channels.
pub struct Playbook<'a> {
    view: View<'a>,
    rules: &'a Rules,
    audiences: Vec<Expr>,
    aov: Vec<Fen>,
    /// Per card, per member.
    cards: Vec<Vec<CardFacts>>,
    /// Per card, per member: holds it already.
    held: Vec<Vec<bool>>,
    channel: Vec<Option<PreferredChannel>>,
    store_channel: Option<Channel>,
}

impl<'a> Playbook<'a> {
    /// Prepare the playbook of `rules` over an analysis.
    pub fn new(view: View<'a>, rules: &'a Rules) -> Result<Playbook<'a>> {
        let analysis = view.analysis;
        let n = analysis.profiles.len();
        let p = &rules.playbook;
        let audiences = p.offers.iter().map(|o| Expr::parse(&o.audience)).collect::<Result<Vec<Expr>>>()?;
        let as_of = analysis.as_of;
        let mut spend = vec![0 as Fen; n];
        let mut purchases = vec![0u32; n];
        let mut cards = vec![vec![CardFacts::default(); n]; p.benefit_cards.len()];
        if let Some(o) = &view.data.orders {
            let delivers: Vec<Vec<bool>> = p
                .benefit_cards
                .iter()
                .map(|c| {
                    o.channels
                        .names()
                        .iter()
                        .map(|name| {
                            c.delivery_channels.is_empty()
                                || c.delivery_channels.iter().any(|d| name.contains(d.as_str()))
                        })
                        .collect()
                })
                .collect();
            for i in (0..o.len()).filter(|&i| o.day(i) < as_of && o.kind[i] != OrderKind::NotPurchase) {
                let Some(m) = analysis.order_member.get(o.member(i) as usize).map(|&m| m as usize) else { continue };
                spend[m] += o.net.at(i);
                let purchase = o.kind[i] == OrderKind::Purchase;
                purchases[m] += u32::from(purchase);
                for (k, c) in p.benefit_cards.iter().enumerate() {
                    if o.day(i) >= as_of - c.lookback_days as Day {
                        let f = &mut cards[k][m];
                        f.spend += o.net.at(i);
                        let delivered = delivers[k].get(o.channel(i) as usize).copied().unwrap_or(false);
                        f.delivered += u32::from(purchase && delivered);
                    }
                }
            }
        }
        let aov = (0..n).map(|m| div_round(spend[m].max(0), i64::from(purchases[m]))).collect();
        let held = p
            .benefit_cards
            .iter()
            .map(|c| {
                (0..n)
                    .map(|m| {
                        let row = analysis.profiles[m].member_row;
                        match (row, view.data.members.as_ref().and_then(|x| x.benefit_cards.as_ref())) {
                            (Some(row), Some(lists)) => lists.names_of(row as usize).any(|held| {
                                let held = held.to_ascii_lowercase();
                                c.held_as.iter().any(|h| !h.is_empty() && held.contains(&h.to_ascii_lowercase()))
                            }),
                            _ => false,
                        }
                    })
                    .collect()
            })
            .collect();
        // Message clicks by channel, for each member's preferred channel.
        let (mut click_member, mut click_channel) = (Vec::new(), Vec::new());
        if let Some(e) = &view.data.events {
            if let Some(labels) = &e.channel {
                let channel_of: Vec<Option<Channel>> = labels.names.names().iter().map(Channel::from_label).collect();
                for i in (0..e.len()).filter(|&i| e.kind[i] == EventType::MessageClicked && e.day[i] < as_of) {
                    let m = analysis.event_member.get(e.member(i) as usize).copied().flatten();
                    let c = labels.of.get(i).and_then(|&l| channel_of.get(l as usize).copied().flatten());
                    if let (Some(m), Some(c)) = (m, c) {
                        click_member.push(m);
                        click_channel.push(c.index());
                    }
                }
            }
        }
        let channel = preferred_channels(n, &click_member, &click_channel, &rules.timing);
        let store_channel = best_channel(&click_channel).and_then(|c| Channel::ALL.get(c as usize).copied());
        Ok(Playbook { view, rules, audiences, aov, cards, held, channel, store_channel })
    }

    /// The view this playbook reads.
    pub fn view(&self) -> &View<'a> {
        &self.view
    }

    /// The number of offers and cards (candidate `offer` indices run below it).
    pub fn len(&self) -> usize {
        self.rules.playbook.offers.len() + self.rules.playbook.benefit_cards.len()
    }

    /// True when the playbook has no offer.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key of offer index `k`.
    pub fn key(&self, k: usize) -> &str {
        let p = &self.rules.playbook;
        match p.offers.get(k) {
            Some(o) => &o.key,
            None => p.benefit_cards.get(k - p.offers.len()).map_or("", |c| &c.key),
        }
    }

    /// The names (中文, English) of offer index `k`.
    pub fn names(&self, k: usize) -> (&str, &str) {
        let p = &self.rules.playbook;
        match p.offers.get(k) {
            Some(o) => (&o.name, &o.name_en),
            None => p.benefit_cards.get(k - p.offers.len()).map_or(("", ""), |c| (&c.name, &c.name_en)),
        }
    }

    /// The offer index of a key.
    pub fn find(&self, key: &str) -> Option<usize> {
        (0..self.len()).find(|&k| self.key(k) == key)
    }

    fn profile(&self, m: usize) -> &Profile {
        &self.view.analysis.profiles[m]
    }

    /// The last day of member `m`'s new-member window, when they are new.
    fn new_window_end(&self, m: usize) -> Option<Day> {
        let p = self.profile(m);
        if p.lifecycle != Some(Lifecycle::New) {
            return None;
        }
        let new_days = self.rules.lifecycle.new_days as Day;
        let as_of = self.view.analysis.as_of;
        let registered = p.member_row.and_then(|row| {
            self.view.data.members.as_ref().and_then(|x| x.registered.get(row as usize).copied().flatten())
        });
        let start = match p.first_purchase {
            Some(first) if as_of - first <= new_days => first,
            _ => registered?,
        };
        Some(start + new_days)
    }

    fn card_savings(&self, k: usize, m: usize) -> Option<(CardFacts, Fen)> {
        let card = self.rules.playbook.benefit_cards.get(k)?;
        let facts = *self.cards.get(k)?.get(m)?;
        let discount = (facts.spend.max(0) as f64 * card.discount_rate).round() as Fen;
        Some((facts, discount + i64::from(facts.delivered) * card.free_delivery.0))
    }

    /// The offers member `m` qualifies for among `allowed` (all when `None`),
    /// ranked; `send` is the send date (an offer valid only in the
    /// member's new window is left out once the window has ended).
    pub fn candidates(&self, m: usize, allowed: Option<&[bool]>, send: Day) -> Vec<Candidate> {
        let p = &self.rules.playbook;
        let ok = |k: usize| allowed.is_none_or(|a| a.get(k).copied().unwrap_or(false));
        let view = self.view;
        let field = |name: &str| crate::analytics::query::field_value(&view, m, name);
        let mut out = Vec::new();
        let aov = self.aov.get(m).copied().unwrap_or(0);
        for (k, o) in p.offers.iter().enumerate() {
            if !ok(k) || !self.audiences.get(k).is_some_and(|a| a.matches(&field)) {
                continue;
            }
            if o.valid_in_new_window && self.new_window_end(m).is_none_or(|end| end < send) {
                continue;
            }
            out.push(Candidate {
                offer: k,
                priority: o.priority,
                expected_value_fen: aov - o.cost.0,
                cost_fen: o.cost.0,
            });
        }
        for (k, c) in p.benefit_cards.iter().enumerate() {
            let index = p.offers.len() + k;
            if !ok(index) || self.held.get(k).and_then(|h| h.get(m)).copied().unwrap_or(false) {
                continue;
            }
            if self.card_savings(k, m).is_some_and(|(_, saved)| saved > c.price.0) {
                out.push(Candidate {
                    offer: index,
                    priority: c.priority,
                    expected_value_fen: aov - c.cost.0,
                    cost_fen: c.cost.0,
                });
            }
        }
        out.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(b.expected_value_fen.cmp(&a.expected_value_fen))
                .then_with(|| self.key(a.offer).cmp(self.key(b.offer)))
        });
        out
    }

    /// Write out candidate `c` of member `m` for sending on `send`
    /// (`None` for an offer index outside the playbook).
    pub fn offer(&self, m: usize, c: &Candidate, send: Day) -> Option<Offer> {
        let p = &self.rules.playbook;
        let (key, name, name_en, channels, coupon, valid_until, reasons) = match p.offers.get(c.offer) {
            Some(o) => {
                let valid_until = if o.valid_in_new_window {
                    self.new_window_end(m)
                } else {
                    o.valid_days.map(|d| send + d as Day - 1)
                };
                let until = valid_until.map(format_day).unwrap_or_default();
                let reasons = (self.render(m, &o.reason, &until), self.render(m, &o.reason_en, &until));
                (&o.key, &o.name, &o.name_en, &o.channels, o.coupon.clone(), valid_until, reasons)
            }
            None => {
                let k = c.offer.checked_sub(p.offers.len())?;
                let card = p.benefit_cards.get(k)?;
                (&card.key, &card.name, &card.name_en, &card.channels, None, None, self.card_reason(k, m))
            }
        };
        let (channel, channel_source) = self.channel(m, channels);
        let (slot, slot_source) = self.slot(m);
        let (channel_key, channel_name, channel_name_en) = channel.labels();
        let minute = if slot == 0 { 7 * 60 } else { SLOT_STARTS[slot] };
        Some(Offer {
            key: key.clone(),
            name: name.clone(),
            name_en: name_en.clone(),
            reason: reasons.0,
            reason_en: reasons.1,
            channel: channel_key,
            channel_name,
            channel_name_en,
            channel_source,
            slot: SLOT_LABELS[slot].0,
            slot_source,
            send_at: format!("{} {:02}:{:02}", format_day(send), minute / 60, minute % 60),
            cost_fen: c.cost_fen,
            coupon,
            priority: c.priority,
            expected_value_fen: c.expected_value_fen,
            valid_until: valid_until.map(format_day),
        })
    }

    /// Member `m`'s ranked offers, sent on `send`.
    pub fn offers(&self, m: usize, send: Day) -> Vec<Offer> {
        self.candidates(m, None, send).iter().filter_map(|c| self.offer(m, c, send)).collect()
    }

    fn channel(&self, m: usize, allowed: &[Channel]) -> (Channel, &'static str) {
        let own = self.channel.get(m).copied().flatten().filter(|p| !p.fallback);
        match own.and_then(|p| Channel::ALL.get(p.channel as usize).copied()) {
            Some(c) if allowed.contains(&c) => (c, "member"),
            _ => match self.store_channel {
                Some(s) if allowed.contains(&s) => (s, "store"),
                _ => (allowed.first().copied().unwrap_or(Channel::Sms), "playbook"),
            },
        }
    }

    fn slot(&self, m: usize) -> (usize, &'static str) {
        match self.view.analysis.insights.best_slot.get(m).copied().flatten() {
            Some(b) => (b.slot.min(SLOT_LABELS.len() - 1), if b.fallback { "store" } else { "member" }),
            None => {
                let k = SLOT_LABELS.iter().position(|s| s.0 == self.rules.playbook.default_slot).unwrap_or(7);
                (k, "playbook")
            }
        }
    }

    fn render(&self, m: usize, template: &str, valid_until: &str) -> String {
        let view = self.view;
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let inner = &after[..close];
            let (name, missing) = inner.split_once('|').unwrap_or((inner, "—"));
            let value = if name == "validUntil" {
                Some(valid_until.to_string()).filter(|s| !s.is_empty())
            } else if let Some(tag) = name.strip_prefix("tag.") {
                self.profile(m).tags.iter().find(|f| f.tag.key() == tag).map(|f| {
                    f.evidence
                        .iter()
                        .map(|e| format!("{}={}（{}{}）", e.metric, number(e.value), e.op, number(e.threshold)))
                        .collect::<Vec<_>>()
                        .join("，")
                })
            } else {
                match crate::analytics::query::field_value(&view, m, name) {
                    Some(Value::Num(x)) => Some(number(x)),
                    Some(Value::Text(t)) => Some(t),
                    Some(Value::List(items)) => Some(items.join("、")),
                    None => None,
                }
            };
            out.push_str(value.as_deref().unwrap_or(missing));
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn card_reason(&self, k: usize, m: usize) -> (String, String) {
        let Some(card) = self.rules.playbook.benefit_cards.get(k) else { return Default::default() };
        let Some((facts, saved)) = self.card_savings(k, m) else { return Default::default() };
        let y = crate::model::format_yuan;
        let discount = saved - i64::from(facts.delivered) * card.free_delivery.0;
        let delivery = saved - discount;
        let pct = number(card.discount_rate * 100.0);
        (
            format!(
                "近{}天消费{}元、外送{}单：开卡约省{}元（{}%折扣{}元＋免运费{}元），超过卡费{}元",
                card.lookback_days,
                y(facts.spend),
                facts.delivered,
                y(saved),
                pct,
                y(discount),
                y(delivery),
                y(card.price.0)
            ),
            format!(
                "¥{} spent and {} delivered orders in the last {} days: the card would save about ¥{} ({}% off ¥{} + free delivery ¥{}), more than its price ¥{}",
                y(facts.spend),
                facts.delivered,
                card.lookback_days,
                y(saved),
                pct,
                y(discount),
                y(delivery),
                y(card.price.0)
            ),
        )
    }
}

/// A number as a reason shows it: whole numbers as `{x}` writes them, others
/// rounded to two decimals as `{x:.2}` rounds them (the exact binary value,
/// ties to even), without core's float formatting (README, "Builds and sizes").
fn number(x: f64) -> String {
    if !x.is_finite() || x.fract() == 0.0 {
        return crate::model::format_decimal(x);
    }
    // Not whole, so x = ±m / 2^k with m < 2^53 and 1 ≤ k ≤ 1074.
    let bits = x.to_bits();
    let (exp, frac) = ((bits >> 52) & 0x7ff, bits & ((1 << 52) - 1));
    let (m, k) = if exp == 0 { (frac, 1074) } else { (frac | 1 << 52, 1075 - exp) };
    // Hundredths: 100 m / 2^k, rounded; 100 m < 2^60, so from k = 62 on it is below ½.
    let cents = if k >= 62 {
        0
    } else {
        let (q, r, half) = ((100 * m) >> k, (100 * m) & ((1 << k) - 1), 1 << (k - 1));
        q + u64::from(r > half || (r == half && q % 2 == 1))
    };
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Workspace;
    use crate::ingest::{Kind, LoadOptions};

    /// What `number` wrote with core's formatting: `{x:.0}` for whole
    /// numbers below 10^15, `{x:.2}` for the rest.
    fn formatted(x: f64) -> String {
        if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x:.2}") }
    }

    #[test]
    fn numbers_round_as_core_formatting_does() {
        for x in [
            0.0,
            -0.0,
            3.0,
            -42.0,
            0.5,
            0.125,
            0.375,
            2.675,
            1.005,
            -0.001,
            0.004_999,
            0.005,
            85.000_000_000_000_01,
            0.1 + 0.2,
            1e-300,
            5e-324,
            -5e-324,
            123_456_789_012_345.67,
            4_503_599_627_370_495.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            999_999_999_999_999.0,
        ] {
            assert_eq!(number(x), formatted(x), "{x:e}");
        }
        // Whole numbers from 10^15 on are written without decimals, as below it.
        assert_eq!(number(1e15), "1000000000000000");
        assert_eq!(number(-2.5e20), "-250000000000000000000");
    }

    proptest::proptest! {
        #[test]
        fn any_number_rounds_as_core_formatting_does(bits: u64, small in -1e7f64..1e7, milli in -10_000_000i64..10_000_000) {
            // Thousandths sit next to the ties of rounding to hundredths.
            for x in [f64::from_bits(bits), small, milli as f64 / 1000.0] {
                if x.abs() < 1e15 || x.fract() != 0.0 {
                    proptest::prop_assert_eq!(number(x), formatted(x), "{:e}", x);
                }
            }
        }
    }

    /// Orders, analysed as of 2026-03-01 (window from 2025-03-01), with the
    /// rules' fixed thresholds (F ≥ 2/4/8/16 → 2/3/4/5, M ≥ ¥100/300/800/2000):
    ///
    /// | member | orders | F (score) | M (score) | group, stage | best slot |
    /// |---|---|---|---|---|---|
    /// | V1 | 8 × ¥150, 小程序, 19:00 | 8 (4) | 1200 (4) | value, active | own 18:30–20:30 |
    /// | S1 | 4 × ¥50, POS, 12:30, last 02-20 | 4 (3) | 200 (2) | stable, active | own 12:00–13:00 |
    /// | P1 | ¥30 on 02-09 9:30 | 1 | 30 | potential, active | store's |
    /// | N1 | ¥40 on 02-26 10:00 | 1 | 40 | potential, new | store's |
    /// | C1 | ¥60 on 2025-08-01 11:00 | 1 | 60 | churned (212 days) | store's |
    /// | E1 | 2 × ¥500, POS, 15:00, 企业 | 2 (2) | 1000 (4) | potential; 屯货型 | store's |
    /// | R1 | none, registered 2026-01-01 | — | — | prospect | store's |
    ///
    /// The store's best slot is 18:30–20:30 (V1's 8 purchases). Clicks: V1
    /// twice through 企业微信, S1 once by 短信: the store's channel is WeCom.
    pub(crate) fn fixture() -> Workspace {
        let mut orders = String::from("member_id,order_id,paid_at,amount,channel\n");
        for k in 0..8 {
            orders.push_str(&format!("V1,v{k},2026-01-{:02} 19:00,150,小程序\n", 5 + 3 * k));
        }
        for (k, day) in ["01-20", "01-30", "02-10", "02-20"].iter().enumerate() {
            orders.push_str(&format!("S1,s{k},2026-{day} 12:30,50,门店POS\n"));
        }
        orders.push_str("P1,p0,2026-02-09 09:30,30,门店POS\n");
        orders.push_str("N1,n0,2026-02-26 10:00,40,门店POS\n");
        orders.push_str("C1,c0,2025-08-01 11:00,60,门店POS\n");
        orders.push_str("E1,e0,2026-02-01 15:00,500,门店POS\nE1,e1,2026-02-15 15:00,500,门店POS\n");
        let members = "会员ID,手机号,姓名,注册时间,会员类型,权益卡\n\
            V1,13812341234,张三,2025-01-01,个人,\n\
            S1,13900005678,=1+2,2025-01-01,个人,\n\
            C1,13700001111,-李四,2025-01-01,,\n\
            E1,02188886666,某某科技,2025-06-01,企业,企业卡\n\
            R1,13600002222,@王五,2026-01-01,个人,\n";
        let events = "member_id,event_time,event_type,channel\n\
            V1,2026-02-01 20:00,message_clicked,企业微信\n\
            V1,2026-02-02 20:00,message_clicked,企业微信\n\
            S1,2026-02-03 12:10,message_clicked,短信\n";
        let mut ws = Workspace::new();
        let o = LoadOptions::default();
        ws.load(Kind::Orders, orders.as_bytes(), &o).unwrap();
        ws.load(Kind::Members, members.as_bytes(), &o).unwrap();
        ws.load(Kind::Events, events.as_bytes(), &o).unwrap();
        ws.set_rules(r#"{"rfm": {"scoring": "thresholds"}}"#).unwrap();
        ws.analyze(Some("2026-03-01")).unwrap();
        ws
    }

    fn keys(ws: &Workspace, id: &str) -> Vec<String> {
        ws.offers(id).unwrap().into_iter().map(|o| o.key).collect()
    }

    #[test]
    fn defaults_are_valid_and_cover_every_tag() {
        let p = PlaybookRules::default();
        assert!(p.validate().is_ok());
        for tag in Tag::ALL {
            assert!(p.offers.iter().any(|o| o.key == format!("lever_{}", tag.key())), "{tag:?}");
        }
    }

    #[test]
    fn value_groups_lifecycle_and_tags_map_to_their_offers() {
        let ws = fixture();
        let a = ws.analysis().unwrap();
        let group = |id: &str| a.profiles[a.find(id).unwrap()].value_group.map(|g| g.key());
        assert_eq!(
            ["V1", "S1", "P1", "N1", "C1", "E1", "R1"].map(group),
            [
                Some("value"),
                Some("stable"),
                Some("potential"),
                Some("potential"),
                Some("churned"),
                Some("potential"),
                None
            ]
        );
        // Ranked by priority: value 70/60/55 (card)/50; stable 60/40; …
        assert_eq!(keys(&ws, "V1"), ["referral_reward", "exclusive_picks", "plus_card", "member_event"]);
        assert_eq!(keys(&ws, "S1"), ["repurchase_gift", "member_day"]);
        assert_eq!(keys(&ws, "P1"), ["new_member", "flash_1yuan", "community_activity"]);
        assert_eq!(keys(&ws, "N1"), ["second_order", "new_member", "flash_1yuan", "community_activity"]);
        assert_eq!(keys(&ws, "C1"), ["recall"]);
        assert_eq!(
            keys(&ws, "E1"),
            ["enterprise_card", "flash_1yuan", "joint_promotion", "community_activity", "lever_stockpiler"]
        );
        assert_eq!(keys(&ws, "R1"), ["new_member"]);
    }

    #[test]
    fn reasons_carry_the_members_numbers() {
        let ws = fixture();
        let c1 = &ws.offers("C1").unwrap()[0];
        assert_eq!(c1.reason, "已212天未消费，用新品和优惠券召回");
        assert_eq!(c1.reason_en, "No purchase for 212 days: win back with new products and a coupon");
        assert_eq!(
            (c1.cost_fen, c1.coupon.as_deref(), c1.valid_until.as_deref()),
            (1500, Some("recall"), Some("2026-03-07"))
        );
        // N1 bought first on 02-26: new until 02-26 + 7 days.
        let n1 = &ws.offers("N1").unwrap()[0];
        assert_eq!(n1.reason, "新客只下过1单，复购券2026-03-05前有效");
        assert_eq!(n1.valid_until.as_deref(), Some("2026-03-05"));
        // V1's card: ¥1200 in 8 mini-program (delivered) orders: 5% = ¥60, delivery 8 × ¥6 = ¥48.
        let card = ws.offers("V1").unwrap().into_iter().find(|o| o.key == "plus_card").unwrap();
        assert_eq!(
            card.reason,
            "近365天消费1200.00元、外送8单：开卡约省108.00元（5%折扣60.00元＋免运费48.00元），超过卡费99.00元"
        );
        // E1's stockpiler evidence: 2 purchases, average ¥500 against the store median ¥60.
        let lever = ws.offers("E1").unwrap().pop().unwrap();
        assert_eq!(lever.reason, "屯货型：purchases=2（<=3），aovToStoreMedian=8.33（>=2）");
        assert_eq!(lever.name, "储值卡、预售定金膨胀");
        // R1 never bought: `{f|0}` gives 0.
        assert_eq!(ws.offers("R1").unwrap()[0].reason, "近一年消费0次，用新人券促成首单");
    }

    #[test]
    fn expected_value_is_the_average_order_less_the_cost() {
        let ws = fixture();
        let v1 = ws.offers("V1").unwrap();
        assert_eq!(v1[0].expected_value_fen, 15_000 - 2_000);
        assert_eq!(ws.offers("R1").unwrap()[0].expected_value_fen, -1_000);
    }

    #[test]
    fn channels_and_slots_follow_the_member_then_the_store() {
        let ws = fixture();
        let pick = |id: &str, key: &str| ws.offers(id).unwrap().into_iter().find(|o| o.key == key).unwrap();
        // V1 clicks WeCom, which referral_reward allows; member_event does not allow it, nor the store's WeCom.
        let o = pick("V1", "referral_reward");
        assert_eq!((o.channel, o.channel_source, o.slot, o.slot_source), ("wecom", "member", "1830_2030", "member"));
        assert_eq!(o.send_at, "2026-03-01 18:30");
        let o = pick("V1", "member_event");
        assert_eq!((o.channel, o.channel_source), ("template_message", "playbook"));
        // S1 clicks SMS; own slot 12:00–13:00.
        let o = pick("S1", "repurchase_gift");
        assert_eq!((o.channel, o.channel_source, o.send_at.as_str()), ("sms", "member", "2026-03-01 12:00"));
        // C1 never clicked: the store's WeCom, which recall allows; the store's slot.
        let o = pick("C1", "recall");
        assert_eq!((o.channel, o.channel_source, o.slot, o.slot_source), ("wecom", "store", "1830_2030", "store"));
        // R1: new_member does not allow WeCom → its first channel.
        let o = pick("R1", "new_member");
        assert_eq!((o.channel, o.channel_source), ("mini_program", "playbook"));
    }

    #[test]
    fn a_held_card_is_not_offered_again_and_a_cheap_year_gets_none() {
        let mut ws = fixture();
        let members = "会员ID,权益卡\nV1,PLUS年卡\n";
        ws.load(Kind::Members, members.as_bytes(), &LoadOptions::default()).unwrap();
        ws.analyze(Some("2026-03-01")).unwrap();
        assert!(!keys(&ws, "V1").contains(&"plus_card".to_string()));
        // Price ¥108 equals the savings: not more, not offered.
        let mut ws = fixture();
        let mut rules = ws.rules().clone();
        rules.playbook.benefit_cards[0].price = Yuan(10_800);
        ws.set_rules(&rules.to_json()).unwrap();
        ws.analyze(Some("2026-03-01")).unwrap();
        assert!(!keys(&ws, "V1").contains(&"plus_card".to_string()));
        rules.playbook.benefit_cards[0].price = Yuan(10_799);
        ws.set_rules(&rules.to_json()).unwrap();
        ws.analyze(Some("2026-03-01")).unwrap();
        assert!(keys(&ws, "V1").contains(&"plus_card".to_string()));
    }

    #[test]
    fn the_new_member_window_closes() {
        // Analysed on 03-06, N1's first purchase is 8 days old: no longer new, no second-order coupon.
        let mut ws = fixture();
        ws.analyze(Some("2026-03-05")).unwrap();
        assert_eq!(keys(&ws, "N1")[0], "second_order");
        ws.analyze(Some("2026-03-06")).unwrap();
        assert!(!keys(&ws, "N1").contains(&"second_order".to_string()));
    }

    #[test]
    fn channel_names_are_read_from_the_events_file() {
        let cases = [
            ("短信", Some(Channel::Sms)),
            ("小程序", Some(Channel::MiniProgram)),
            ("公众号", Some(Channel::TemplateMessage)),
            ("社群", Some(Channel::CommunityGroup)),
            ("企业微信", Some(Channel::Wecom)),
            ("电话外呼", Some(Channel::Phone)),
            ("SMS", Some(Channel::Sms)),
            ("门店", None),
        ];
        for (label, want) in cases {
            assert_eq!(Channel::from_label(label), want, "{label}");
        }
    }

    #[test]
    fn rules_errors_name_the_field() {
        let field = |json: &str| Rules::from_json(json).unwrap_err().field().map(String::from);
        assert_eq!(field(r#"{"playbook": {"defaultSlot": "noon"}}"#).as_deref(), Some("playbook.defaultSlot"));
        let mut rules = Rules::default();
        rules.playbook.offers[2].audience = "valueGroup = ".into();
        assert_eq!(field(&rules.to_json()).as_deref(), Some("playbook.offers[2].audience"));
        let mut rules = Rules::default();
        rules.playbook.offers[1].key = rules.playbook.offers[0].key.clone();
        assert_eq!(field(&rules.to_json()).as_deref(), Some("playbook.offers[1].key"));
        let mut rules = Rules::default();
        rules.playbook.offers[0].channels.clear();
        assert_eq!(field(&rules.to_json()).as_deref(), Some("playbook.offers[0].channels"));
        let mut rules = Rules::default();
        rules.playbook.benefit_cards[0].discount_rate = 1.5;
        assert_eq!(field(&rules.to_json()).as_deref(), Some("playbook.benefitCards[0].discountRate"));
        let json = Rules::default().to_json().replacen("\"sms\"", "\"fax\"", 1);
        let f = field(&json).unwrap_or_default();
        assert_eq!(f, "playbook.offers[0].channels[2]", "second_order's third channel is the first sms");
    }
}
