//! Seeded demo data (示例数据): the export files of a believable Shanghai
//! convenience store, for the dashboard's embedded default, for tests and for
//! benchmarks.
//!
//! [`generate`] returns four CSV files in memory; [`write_orders`],
//! [`write_members`], [`write_order_lines`] and [`write_events`] stream them
//! to any [`std::io::Write`]. The same
//! [`DemoOptions`] always give the same bytes, on every platform and for
//! ever: the generator uses its own PRNG (SplitMix64 seeding xoshiro256\*\*)
//! instead of a `rand` version that may change its streams, and its own
//! `exp`/`ln` built from IEEE-exact `+ − × ÷ √`, so that native and wasm
//! builds cannot disagree about a rounding. A demo that changes between two
//! page loads, or between the browser and a test, would make every number in
//! the dashboard unexplainable; seeded, "the demo store" is one fixed store.
//!
//! # The store
//!
//! Three stores (静安寺店, 徐家汇店, 陆家嘴店), orders from 2025-05-01 to
//! [`DEMO_END`] (18 months), so the analysis date is 2026-11-01. Each
//! registered member is one of these archetypes (shares of all members):
//!
//! | archetype | share | behaviour | what the analysis should call them |
//! |---|---|---|---|
//! | loyal regular | 2.5% | 2–5 visits a week, bigger baskets, until the end | value (价值) |
//! | steady shopper | 9% | every week or two, until the end | stable (稳定) |
//! | occasional | 40.5% | every month or two; some gaps exceed 90 days | potential (潜力), a few churned |
//! | new | 6% | registered in the last 8 weeks before [`DEMO_END`] | potential / new (新客) |
//! | churned | 30% | bought for a while, stopped 100+ days before the end (a third over a year before) | churned (流失) |
//! | prospect | 12% | registered, never bought | prospect (潜在) |
//!
//! With the defaults (seed 2026) that gives 1,760 buyers: loyal regulars
//! bring about a third of the orders, the top 20% of buyers about 75% of
//! the revenue; by last purchase ~37% bought within 30 days, ~19% 31–90
//! days ago and ~44% more than 90 days ago (15% more than a year ago).
//!
//! Registration precedes a member's first order (60% of members who join
//! inside the window buy at the till minutes after registering); about 40%
//! registered before the window, back to 2022. Member ids follow
//! registration order. Each member has a home store (8% of visits elsewhere),
//! a time-of-day habit (commuter breakfast, office lunch, evening resident,
//! mixed), a basket size (log-normal, median about ¥25, 95% under ¥75;
//! one member in twelve buys big baskets) and a taste for delivery (美团, 饿了么) and the mini program.
//!
//! Rhythm: the day peaks at 7:00–9:00, 11:30–13:00 and 17:30–20:30 with
//! little after 23:00 (later, flatter mornings at weekends); Friday–Sunday
//! are busier; traffic grows mildly over the 18 months, dips over the Spring
//! Festival (Shanghai empties), May Day and National Day, and rises a little
//! in summer. Statuses: ~96% 交易成功, ~2% 已退款 (full refund), ~1% 部分退款,
//! ~1% 已关闭. Money is integer fen throughout.
//!
//! # Sizes
//!
//! By default 2,000 members and 12 orders per member (24,000 orders). With
//! `orders` the file has exactly that many rows (for 100k / 1M / 5M-row
//! benchmark files) and, unless `members` is given too, `max(orders / 10, 50)`
//! members; with only `members`, 12 orders per member. Members are clamped to
//! 20..=1,000,000 and orders to at most 1,000,000,000. Memory is O(members):
//! orders are produced in time order by merging per-member streams (each
//! member draws its next purchase; a binary heap keyed by time picks the
//! earliest), so a 5M-row file is streamed, never held.
//!
//! # Files (UTF-8, no BOM, `,`, `\n`, header first)
//!
//! Orders, in chronological order:
//! ```text
//! 订单号,会员ID,支付时间,实付金额,订单状态,退款金额,门店,渠道,积分抵扣
//! D00000001,M00042,2025-05-01 07:12:09,23.50,交易成功,,静安寺店,门店POS,
//! ```
//! 订单号 `D` + 8 digits (more if needed); 会员ID `M` + 5 digits (more if
//! needed); 实付金额 yuan with two decimals (the cash paid); 退款金额 empty
//! unless refunded (equal to 实付金额 for 已退款, strictly between 0 and it
//! for 部分退款); 积分抵扣 the points used to pay, empty for none.
//!
//! Members, in id (= registration) order, including prospects:
//! ```text
//! 会员ID,手机号,姓名,注册时间,会员等级,积分,所属门店,是否关注公众号,关注时间,权益卡,会员标签
//! M00001,13812345678,王芳,2022-01-03 18:40:12,银卡会员,734,静安寺店,是,2022-01-03 18:42:51,省钱卡,老顾客
//! ```
//! 手机号 unique unmasked 11-digit mobile numbers; 会员等级 普通会员 / 银卡会员
//! (≥ ¥500 net spend) / 金卡会员 (≥ ¥2,000); 积分 the balance on the day
//! after [`DEMO_END`] (see "Points" below). 所属门店 is the home store;
//! about 43% are WeChat fans (80% of loyal regulars, 25% of prospects),
//! half of them since registration (关注时间); 权益卡 (省钱卡, 早餐月卡,
//! 咖啡月卡; lists joined by `、`) go mostly to regulars and early
//! commuters; the clerks' manual 会员标签 are 老顾客 (regulars), 附近白领
//! (office lunch), 宝妈 and 企业客户.
//! Fields are quoted per RFC 4180 if they ever contain `,`, `"` or a line
//! break (the generated names never do).
//!
//! Order lines, in the orders file's order (1–4 per order); regulars (loyal,
//! steady) turn two drinks or snacks in three into coffee, fresh food or a
//! lunch box, so value members' categories differ from the rest:
//! ```text
//! 订单号,商品编码,商品名称,商品分类,单价,数量,小计,是否特价,礼品包装
//! D00000001,6904002,现磨拿铁,咖啡,12.00,1,12.00,否,否
//! ```
//! Products from a small catalogue (饮料, 零食, 便当, 咖啡, 日用品, 鲜食, 面包,
//! 乳品, 酒水, 礼品); each order's 小计 sum exactly to its 实付金额 (the last
//! line takes the remainder, so its 单价 may differ from the catalogue).
//! About 15% of lines are special-price (是否特价 是); 6% of members are
//! bargain hunters whose orders nearly always hold one. 礼品包装 appears in
//! the gift seasons (520, 七夕, 中秋, 圣诞, 情人节/春节), mostly from the 5% of
//! members who give gifts.
//!
//! Events, **grouped by member** (member-id order) and chronological within
//! a member only, so that memory stays O(members):
//! ```text
//! 会员ID,发生时间,事件类型,活动类型,渠道,优惠券,积分
//! M00042,2025-05-08 11:30:00,message_sent,,短信,,
//! M00042,2025-06-02 18:05:11,coupon_issued,,公众号,spend30_save5,
//! M00042,2026-03-12 19:02:41,points_redeemed,满30减5元券,小程序,,500
//! ```
//! Visits around most orders and while browsing, add_to_cart (3–6 per order
//! for the 6% who hesitate), sign-in streaks for 18%, a weekly message
//! (Thursday 11:30) to half the members — through 企业微信, 公众号, 短信 or
//! 小程序, one channel per member — with clicks for some, coupons now and
//! then, few shares, reviews and referrals, group_join once for some, and
//! activities (健康讲座/营养课程, 打卡挑战/集章比赛, 新品答题, 邀请有礼) for
//! small subsets, placed in the last ~11 months so the analysis year sees
//! them; one buyer in twenty is influenced (种草型): a 达人直播 or 种草笔记
//! an hour to two days before most purchases. One occasional shopper in
//! sixteen hunts promotions (招徕型): big baskets, and six orders in seven
//! moved to the campaign days of the rules' default calendar (`CAMPAIGNS`).
//! On the default demo every behaviour tag fires for some members.
//!
//! Coupons carry the keys of the default coupon templates
//! (`loyalty::coupons`): a new-member coupon on registering inside the
//! window (used at the till's first order), campaign coupons now and then
//! (VIP, gift and 10%-off coupons to regulars, 1-yuan flash sales to
//! occasional buyers and prospects, ¥5 off ¥30 and free delivery to all),
//! used about a third of the time within a week, and a come-back coupon by
//! SMS to most churned members between 5 and 25 October 2026. Per-member
//! limits and the store's budgets of the templates are respected (budgets in
//! member-id order), so the 1-yuan flash sale's 100 coupons run out.
//!
//! # Points
//!
//! Members spend points as a store's members do: now and then a few yuan of
//! an order at the till or in the mini program (积分抵扣, whole yuan, never
//! more than the cash paid, never on delivery platforms), and now and then
//! an exchange a few days after an order (`points_redeemed`: coupons, a
//! coffee voucher, a tote bag, a lucky draw). These come from a random
//! stream of their own, so every other field is as it was without them; a
//! member only spends points the ledger surely gives them (see
//! `Spending`), so no balance goes below zero. On the default demo about
//! 620 orders use points and 76 exchanges are made; about 31% of the
//! points earned are spent.
//!
//! The members file's 积分 is what the crate's own ledger
//! ([`crate::loyalty::points`], default rules) gives each member as of
//! 2026-11-01, replayed member by member from the same streams (O(one
//! member)), except for about 1.5% of the members with points, whose
//! export is off as a real POS export is: the latest purchase's points not
//! yet synced, or a manual adjustment (+50, +100, +200, +500, −100). The
//! reconcile lists those 29 members of the default demo and no one else.
//!
//! With the default expiry (the end of the year after the year earned)
//! nothing expires inside the demo's window: the points of 2025 go on
//! 2027-01-01, 61 days after the analysis date, those of 2026 on
//! 2028-01-01. So "expiring within 30 days" (and the recommended crowd
//! 积分即将过期) is empty on 2026-11-01 and fills from 2026-12-02; the
//! data is not bent to make it fill earlier. A store that warns two months
//! ahead sets `points.expiringWithinDays` to 61 or more.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::io::{self, Write};

use chrono::{Datelike, NaiveDate};

use crate::Rules;
use crate::analytics::levels;
use crate::loyalty::points::ledger::{self, EventIn, LineKind, OrderIn, Replay};
use crate::model::{Day, EventType, Fen, OrderKind, day_of};

/// What to generate. Out-of-range sizes are clamped, never rejected.
///
/// ```
/// use member_analytics::demo::{DemoOptions, generate};
/// let files = generate(&DemoOptions { orders: Some(1_000), ..DemoOptions::default() });
/// assert!(files.orders.starts_with("订单号,".as_bytes()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DemoOptions {
    /// Seed of every random choice; the same seed gives the same bytes.
    pub seed: u64,
    /// Registered members (including prospects who never bought); at least
    /// 20, at most 1,000,000. Default: 2,000, or `max(orders / 10, 50)` when
    /// `orders` is given.
    pub members: Option<usize>,
    /// Exact number of order rows; default 12 per member.
    pub orders: Option<usize>,
}

impl Default for DemoOptions {
    /// Seed 2026, default sizes (2,000 members, 24,000 orders).
    fn default() -> Self {
        Self { seed: 2026, members: None, orders: None }
    }
}

/// The four demo files, as bytes (UTF-8 CSV).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoFiles {
    /// The orders file (`订单号,会员ID,支付时间,…`), in chronological order.
    pub orders: Vec<u8>,
    /// The members file (`会员ID,手机号,姓名,…`), in member-id order.
    pub members: Vec<u8>,
    /// The order lines file (`订单号,商品编码,商品名称,…`), in order-file order.
    pub order_lines: Vec<u8>,
    /// The events file (`会员ID,发生时间,事件类型,…`), grouped by member.
    pub events: Vec<u8>,
}

/// The last day with orders (year, month, day); the analysis date of the
/// demo is the day after, 2026-11-01.
pub const DEMO_END: (i32, u32, u32) = (2026, 10, 31);

/// Generates the four files in memory.
///
/// ```
/// use member_analytics::demo::{DemoOptions, generate};
/// let files = generate(&DemoOptions::default());
/// assert!(files.members.starts_with("会员ID,".as_bytes()));
/// ```
pub fn generate(options: &DemoOptions) -> DemoFiles {
    let plan = Plan::new(options);
    let mut files = DemoFiles::default();
    // Writing into a Vec cannot fail.
    let _ = write_orders_with(plan.clone(), &mut files.orders);
    let _ = write_members_with(&plan, &mut files.members);
    let _ = write_events_with(&plan, &mut files.events);
    let _ = write_order_lines_with(plan, &mut files.order_lines);
    files
}

/// Streams the orders file to `out` (buffered internally in 64 KiB chunks)
/// and returns the number of data rows written, which equals `options.orders`
/// when it is given. Memory is O(members), whatever the number of orders.
///
/// ```
/// use member_analytics::demo::{DemoOptions, write_orders};
/// let rows = write_orders(&DemoOptions { orders: Some(500), ..DemoOptions::default() }, std::io::sink())?;
/// assert_eq!(rows, 500);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_orders<W: Write>(options: &DemoOptions, out: W) -> io::Result<u64> {
    write_orders_with(Plan::new(options), out)
}

/// Streams the members file to `out` and returns the number of member rows.
/// Every member id in [`write_orders`]'s file (same options) is in it.
///
/// ```
/// use member_analytics::demo::{DemoOptions, write_members};
/// let rows = write_members(&DemoOptions::default(), std::io::sink())?;
/// assert_eq!(rows, 2_000);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_members<W: Write>(options: &DemoOptions, out: W) -> io::Result<u64> {
    write_members_with(&Plan::new(options), out)
}

/// Streams the order lines file to `out` and returns the number of line
/// rows: 1–4 lines for every order of [`write_orders`]'s file (same
/// options), in the same order, whose 小计 sum exactly to the order's
/// 实付金额. Memory is O(members).
///
/// ```
/// use member_analytics::demo::{DemoOptions, write_order_lines};
/// let options = DemoOptions { orders: Some(500), ..DemoOptions::default() };
/// let rows = write_order_lines(&options, std::io::sink())?;
/// assert!((500..=2_000).contains(&rows));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_order_lines<W: Write>(options: &DemoOptions, out: W) -> io::Result<u64> {
    write_order_lines_with(Plan::new(options), out)
}

/// Streams the events file to `out` and returns the number of event rows.
/// Events are grouped by member (in member-id order) and chronological
/// within a member, **not** across the file; memory is O(members) plus one
/// member's events.
///
/// ```
/// use member_analytics::demo::{DemoOptions, write_events};
/// let rows = write_events(&DemoOptions { members: Some(100), ..DemoOptions::default() }, std::io::sink())?;
/// assert!(rows > 1_000);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_events<W: Write>(options: &DemoOptions, out: W) -> io::Result<u64> {
    write_events_with(&Plan::new(options), out)
}

// ---------------------------------------------------------------------------
// Constants

const DEFAULT_MEMBERS: usize = 2_000;
const ORDERS_PER_MEMBER: u64 = 12;
const MIN_MEMBERS: usize = 20;
const MAX_MEMBERS: usize = 1_000_000;
const MAX_ORDERS: u64 = 1_000_000_000;

const ORDERS_HEADER: &str = "订单号,会员ID,支付时间,实付金额,订单状态,退款金额,门店,渠道,积分抵扣\n";
const MEMBERS_HEADER: &str =
    "会员ID,手机号,姓名,注册时间,会员等级,积分,所属门店,是否关注公众号,关注时间,权益卡,会员标签\n";
const ORDER_LINES_HEADER: &str = "订单号,商品编码,商品名称,商品分类,单价,数量,小计,是否特价,礼品包装\n";
const EVENTS_HEADER: &str = "会员ID,发生时间,事件类型,活动类型,渠道,优惠券,积分\n";

const STORES: [&str; 3] = ["静安寺店", "徐家汇店", "陆家嘴店"];
/// Chance that a member's home store is each store.
const STORE_SHARES: [f64; 3] = [0.40, 0.35, 0.25];
const CHANNEL_POS: u8 = 0;
const CHANNEL_APP: u8 = 1;
const CHANNEL_MEITUAN: u8 = 2;
const CHANNEL_ELEME: u8 = 3;
const CHANNELS: [&str; 4] = ["门店POS", "小程序", "美团", "饿了么"];
const STATUS_OK: u8 = 0;
const STATUS_REFUNDED: u8 = 1;
const STATUS_PARTIAL: u8 = 2;
const STATUS_CLOSED: u8 = 3;
const STATUSES: [&str; 4] = ["交易成功", "已退款", "部分退款", "已关闭"];
const LEVELS: [&str; 3] = ["普通会员", "银卡会员", "金卡会员"];
/// Net spend (fen) from which a member is silver, gold.
const LEVEL_FEN: [u64; 2] = [50_000, 200_000];

/// Builds a date in a constant (evaluated at compile time only).
const fn date(ymd: (i32, u32, u32)) -> NaiveDate {
    match NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

const END_DATE: NaiveDate = date(DEMO_END);
/// First day with orders: 18 months before the day after [`DEMO_END`].
const WINDOW_START: NaiveDate = date((2025, 5, 1));
/// Earliest registration date.
const HISTORY_START: NaiveDate = date((2022, 1, 1));
const WINDOW_DAYS: i64 = END_DATE.signed_duration_since(WINDOW_START).num_days() + 1;
const HISTORY_DAYS: i64 = WINDOW_START.signed_duration_since(HISTORY_START).num_days();
const DAY: i64 = 86_400;
const WINDOW_SECS: i64 = WINDOW_DAYS * DAY;
/// Half-hour slots per day.
const SLOTS: usize = 48;
const SLOT_SECS: u32 = 1_800;

/// Holidays and their traffic factor: the Spring Festival empties Shanghai.
const HOLIDAYS: [(NaiveDate, NaiveDate, f64); 5] = [
    (date((2025, 5, 1)), date((2025, 5, 5)), 0.85),
    (date((2025, 10, 1)), date((2025, 10, 8)), 0.80),
    (date((2026, 2, 14)), date((2026, 2, 24)), 0.55),
    (date((2026, 5, 1)), date((2026, 5, 5)), 0.85),
    (date((2026, 10, 1)), date((2026, 10, 7)), 0.80),
];
/// Traffic by weekday, Monday first: Friday–Sunday are busier.
const WEEKDAY_FACTOR: [f64; 7] = [0.93, 0.92, 0.95, 0.97, 1.10, 1.17, 1.09];

// RNG stream ids: each purpose has its own stream so that changing how one
// thing is drawn does not shift every other draw.
const STREAM_CALENDAR: u64 = 1;
const STREAM_MEMBERS: u64 = 2;
const STREAM_ORDERS: u64 = 3;
const STREAM_PROFILE: u64 = 4;
const STREAM_PHONES: u64 = 5;
const STREAM_TRAITS: u64 = 6;
const STREAM_LINES: u64 = 7;
const STREAM_EVENTS: u64 = 8;
/// Promo hunters (招徕型) among the members.
const STREAM_PROMO: u64 = 9;
/// The members file's later columns: fan, followed, cards, manual tags.
const STREAM_MEMBER_FIELDS: u64 = 10;
/// Content (达人直播, 种草笔记) before the purchases of the influenced (种草型).
const STREAM_CONTENT: u64 = 11;
/// Coupons issued and used (the default templates' keys).
const STREAM_COUPONS: u64 = 12;
/// Points spent at the till and exchanged (积分抵扣, points_redeemed).
const STREAM_POINTS: u64 = 13;
/// The members file's 积分 when it is off the ledger.
const STREAM_POINTS_FILE: u64 = 14;

// ---------------------------------------------------------------------------
// Deterministic randomness

/// One step of SplitMix64 (Steele, Lea & Flood 2014; Vigna's constants): a
/// good 64-bit mixer, used to seed xoshiro and to hash.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256\*\* (Blackman & Vigna 2018), seeded with four SplitMix64
/// outputs as its authors recommend. Written out here so the streams never
/// depend on a crate version.
#[derive(Debug, Clone)]
struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// The generator for one purpose (`stream`) and one item (`index`).
    fn stream(seed: u64, stream: u64, index: u64) -> Self {
        let mut h = seed;
        let a = splitmix64(&mut h);
        let mut k = stream.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ index;
        let mut sm = a ^ splitmix64(&mut k);
        let mut s = [0u64; 4];
        for x in &mut s {
            *x = splitmix64(&mut sm);
        }
        if s == [0; 4] {
            s[0] = 1; // the one state xoshiro must not have
        }
        Self { s }
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1), 53 bits.
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1].
    fn open01(&mut self) -> f64 {
        1.0 - self.f64()
    }

    /// `true` with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in 0..n (Lemire's multiply-shift; 0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Standard normal (Marsaglia's polar method).
    fn normal(&mut self) -> f64 {
        for _ in 0..64 {
            let u = 2.0 * self.f64() - 1.0;
            let v = 2.0 * self.f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * ln(s) / s).sqrt();
            }
        }
        0.0
    }

    /// Index drawn with the given (unnormalised) weights.
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// Natural logarithm from IEEE-exact operations only (bit-identical on every
/// platform, unlike `f64::ln`, which calls the platform's libm); absolute
/// error below 1e-12, plenty for sampling.
fn ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return -745.0;
    }
    if x.is_infinite() {
        return 710.0;
    }
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64;
    if exponent == 0 {
        return -708.0; // subnormal: never produced here
    }
    let mut e = exponent - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + …), |s| <= 0.172
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut p = ATANH_SERIES[ATANH_SERIES.len() - 1];
    for c in ATANH_SERIES.iter().rev().skip(1) {
        p = p * s2 + c;
    }
    e as f64 * std::f64::consts::LN_2 + 2.0 * s * p
}

/// 1/(2k+1), the atanh series.
const ATANH_SERIES: [f64; 7] = {
    let mut c = [0.0; 7];
    let mut k = 0;
    while k < c.len() {
        c[k] = 1.0 / (2 * k + 1) as f64;
        k += 1;
    }
    c
};

/// 1/i!, the exponential series.
const EXP_SERIES: [f64; 12] = {
    let mut c = [1.0; 12];
    let mut i = 1;
    while i < c.len() {
        c[i] = c[i - 1] / i as f64;
        i += 1;
    }
    c
};

/// Exponential from IEEE-exact operations only (see [`ln`]); relative error
/// below 1e-13.
fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return 1.0;
    }
    let x = x.clamp(-700.0, 700.0);
    // k = x / ln 2 rounded (half away from zero), |r| <= ln 2 / 2
    let y = x * std::f64::consts::LOG2_E;
    let k = (y + if y >= 0.0 { 0.5 } else { -0.5 }) as i64;
    let r = x - k as f64 * std::f64::consts::LN_2;
    let mut p = EXP_SERIES[EXP_SERIES.len() - 1];
    for c in EXP_SERIES.iter().rev().skip(1) {
        p = p * r + c;
    }
    // 2^k, |k| <= 1010: always a normal number.
    p * f64::from_bits(((k + 1023) as u64) << 52)
}

// ---------------------------------------------------------------------------
// Calendar: when people shop

/// Time-of-day habits.
const PROFILES: usize = 4;
/// Breakfast, lunch and evening peak weights of each habit: commuter, office
/// lunch, evening resident, mixed.
const PROFILE_PEAKS: [[f64; 3]; PROFILES] = [[4.0, 1.5, 2.0], [1.5, 4.5, 1.5], [1.0, 1.5, 4.5], [2.5, 2.5, 3.0]];
const PROFILE_SHARES: [f64; PROFILES] = [0.25, 0.25, 0.30, 0.20];
const MIXED: usize = 3;

/// One day's shape for one habit: half-hour weights summing to 1.
#[derive(Debug, Clone)]
struct DayShape {
    w: [f64; SLOTS],
    cdf: Cumulative,
}

/// A cumulative distribution over cells with a near-O(1) inverse: `index[j]`
/// is the cell holding `j / scale`, so a lookup starts there and walks a
/// step or two (instead of a binary search with its unpredictable branches).
#[derive(Debug, Clone)]
struct Cumulative {
    /// `cum[0] = 0`, `cum[i + 1] = cum[i] + weight of cell i`.
    cum: Vec<f64>,
    index: Vec<u32>,
    scale: f64,
}

impl Cumulative {
    fn new(cum: Vec<f64>, buckets: usize) -> Self {
        let total = cum.last().copied().unwrap_or(0.0);
        let scale = if total > 0.0 { buckets as f64 / total } else { 0.0 };
        let mut me = Self { cum, index: Vec::new(), scale };
        let mut cell = 0;
        me.index = (0..=buckets)
            .map(|j| {
                cell = me.walk(cell, j as f64 / scale);
                cell as u32
            })
            .collect();
        me
    }

    fn cells(&self) -> usize {
        self.cum.len().saturating_sub(1)
    }

    /// From cell `i`, the cell with `cum[cell] <= v < cum[cell + 1]`
    /// (the first or last cell when `v` is outside).
    fn walk(&self, mut i: usize, v: f64) -> usize {
        while i > 0 && self.cum.get(i).is_some_and(|&c| c > v) {
            i -= 1;
        }
        while i + 1 < self.cells() && self.cum.get(i + 1).is_some_and(|&c| c <= v) {
            i += 1;
        }
        i
    }

    /// The cell holding `v`; monotone in `v`.
    fn find(&self, v: f64) -> usize {
        let j = ((v * self.scale) as usize).min(self.index.len().saturating_sub(1));
        let start = self.index.get(j).map_or(0, |&i| i as usize);
        self.walk(start, v)
    }

    fn at(&self, i: usize) -> f64 {
        self.cum.get(i).copied().unwrap_or(0.0)
    }
}

impl DayShape {
    fn new(peaks: [f64; 3], weekend: bool) -> Self {
        let bump = |t: f64, center: f64, half: f64| (1.0 - (t - center).abs() / half).max(0.0);
        let mut w = [0.0; SLOTS];
        for (i, slot) in w.iter_mut().enumerate() {
            let hour = i / 2;
            let t = i as f64 * 0.5 + 0.25;
            let mut base = match hour {
                0 => 0.35,
                1..=4 => 0.10,
                5 => 0.30,
                23 => 0.45,
                _ => 1.0,
            };
            let (breakfast, lunch) = if weekend {
                if (10..=17).contains(&hour) {
                    base *= 1.3;
                }
                (0.45 * bump(t, 9.0, 1.6), 0.8 * bump(t, 12.3, 1.2))
            } else {
                (bump(t, 7.9, 1.3), bump(t, 12.2, 1.1))
            };
            let evening = bump(t, 19.0, 2.0);
            *slot = base + peaks[0] * breakfast + peaks[1] * lunch + peaks[2] * evening;
        }
        let total: f64 = w.iter().sum();
        let mut cum = vec![0.0; SLOTS + 1];
        for i in 0..SLOTS {
            w[i] /= total;
            cum[i + 1] = cum[i] + w[i];
        }
        Self { w, cdf: Cumulative::new(cum, 64) }
    }

    /// Slot and fraction within it at cumulative share `r` (0..=1).
    fn locate(&self, r: f64) -> u32 {
        let s = self.cdf.find(r).min(SLOTS - 1);
        let w = self.w[s];
        let frac = if w > 0.0 { ((r - self.cdf.at(s)) / w).clamp(0.0, 1.0) } else { 0.0 };
        let offset = ((frac * f64::from(SLOT_SECS)) as u32).min(SLOT_SECS - 1);
        s as u32 * SLOT_SECS + offset
    }
}

/// The 18-month window: day weights (weekday, growth, holidays, noise), the
/// daily shapes, and a cumulative intensity Λ in "average days" that maps a
/// uniform draw to a time (inverse-CDF sampling of an inhomogeneous Poisson
/// process).
#[derive(Debug, Clone)]
struct Calendar {
    /// "YYYY-MM-DD" for each day from [`HISTORY_START`] to [`DEMO_END`].
    labels: Vec<[u8; 10]>,
    weight: Vec<f64>,
    /// Λ at each day's start.
    days: Cumulative,
    weekend: Vec<bool>,
    shapes: [[DayShape; 2]; PROFILES],
}

impl Calendar {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::stream(seed, STREAM_CALENDAR, 0);
        let days = WINDOW_DAYS as usize;
        let labels = HISTORY_START.iter_days().take(HISTORY_DAYS as usize + days).map(label).collect();
        let mut weight = Vec::with_capacity(days);
        let mut weekend = Vec::with_capacity(days);
        let mut cum = Vec::with_capacity(days + 1);
        cum.push(0.0);
        for (d, day) in WINDOW_START.iter_days().take(days).enumerate() {
            let dow = day.weekday().num_days_from_monday() as usize;
            let growth = 0.95 + 0.1 * d as f64 / days as f64;
            let holiday =
                HOLIDAYS.iter().filter(|(from, to, _)| *from <= day && day <= *to).map(|h| h.2).fold(1.0, f64::min);
            let summer = if matches!(day.month(), 7 | 8) { 1.06 } else { 1.0 };
            let noise = 0.94 + 0.12 * rng.f64();
            let w = WEEKDAY_FACTOR[dow % 7] * growth * holiday * summer * noise;
            weight.push(w);
            weekend.push(dow >= 5);
            cum.push(cum[d] + w);
        }
        let shapes = PROFILE_PEAKS.map(|p| [DayShape::new(p, false), DayShape::new(p, true)]);
        Self { labels, weight, days: Cumulative::new(cum, days), weekend, shapes }
    }

    fn shape(&self, profile: u8, day: usize) -> Option<&DayShape> {
        let weekend = usize::from(*self.weekend.get(day)?);
        self.shapes.get(usize::from(profile))?.get(weekend)
    }

    /// Λ at `t` seconds after the window start, for a habit.
    fn lambda(&self, profile: u8, t: i64) -> f64 {
        let t = t.clamp(0, WINDOW_SECS);
        let day = (t / DAY) as usize;
        let (Some(base), Some(w), Some(shape)) =
            (self.days.cum.get(day), self.weight.get(day), self.shape(profile, day))
        else {
            return self.days.cum.last().copied().unwrap_or(0.0);
        };
        let sec = (t % DAY) as u32;
        let s = (sec / SLOT_SECS) as usize;
        let frac = f64::from(sec % SLOT_SECS) / f64::from(SLOT_SECS);
        base + w * (shape.cdf.at(s) + frac * shape.w[s])
    }

    /// The time (seconds after the window start) where Λ reaches `v`;
    /// monotone in `v`.
    fn time_at(&self, profile: u8, v: f64) -> u32 {
        let day = self.days.find(v);
        let (Some(base), Some(w), Some(shape)) =
            (self.days.cum.get(day), self.weight.get(day), self.shape(profile, day))
        else {
            return 0;
        };
        let r = if *w > 0.0 { ((v - base) / w).clamp(0.0, 1.0) } else { 0.0 };
        day as u32 * DAY as u32 + shape.locate(r)
    }

    /// A registration time inside the window, between two days (following
    /// the store's traffic: growth, weekdays, hours).
    fn window_time(&self, rng: &mut Rng, from_day: i64, to_day: i64) -> i64 {
        let lo = self.lambda(MIXED as u8, from_day.max(0) * DAY);
        let hi = self.lambda(MIXED as u8, to_day.min(WINDOW_DAYS) * DAY);
        let v = lo + rng.f64() * (hi - lo).max(0.0);
        i64::from(self.time_at(MIXED as u8, v)).min(WINDOW_SECS - 3_600)
    }

    /// A registration time before the window (seconds, negative), denser
    /// towards the window as the store grew.
    fn history_time(&self, rng: &mut Rng) -> i64 {
        let day = (HISTORY_DAYS as f64 * rng.f64().sqrt()) as i64;
        let sec = self.shapes[MIXED][0].locate(rng.f64());
        (day.min(HISTORY_DAYS - 1) - HISTORY_DAYS) * DAY + i64::from(sec)
    }
}

fn label(day: NaiveDate) -> [u8; 10] {
    let mut out = *b"0000-00-00";
    let year = day.year().clamp(0, 9999) as u32;
    let digits = [
        year / 1000,
        year / 100 % 10,
        year / 10 % 10,
        year % 10,
        day.month() / 10,
        day.month() % 10,
        day.day() / 10,
        day.day() % 10,
    ];
    for (pos, d) in [0, 1, 2, 3, 5, 6, 8, 9].into_iter().zip(digits) {
        out[pos] = b'0' + d as u8;
    }
    out
}

// ---------------------------------------------------------------------------
// Members

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Prospect,
    Loyal,
    Steady,
    Occasional,
    New,
    Churned,
}

/// Archetypes and their shares of all members (per mille).
const KINDS: [(Kind, u64); 6] = [
    (Kind::Prospect, 120),
    (Kind::Loyal, 25),
    (Kind::Steady, 90),
    (Kind::Occasional, 405),
    (Kind::New, 60),
    (Kind::Churned, 300),
];

/// One member's plan: who they are and how their orders are spread.
#[derive(Debug, Clone)]
struct Member {
    kind: Kind,
    /// Registration, seconds after the window start (negative: before it).
    reg: i64,
    profile: u8,
    home: u8,
    /// Median basket, yuan.
    basket: f64,
    /// Chance an order goes through the mini program / delivery.
    app: f64,
    delivery: f64,
    /// Share of delivery orders on 美团 (rest 饿了么).
    meituan: f64,
    /// Relative purchase rate per average day.
    rate: f64,
    /// Active span (seconds after the window start), and its Λ interval.
    from: u32,
    to: u32,
    lo: f64,
    span: f64,
    /// An order minutes after registering at the till.
    first: Option<u32>,
    /// Orders allocated to this member.
    orders: u64,
    /// Buys mostly on campaign days, in big baskets (招徕型).
    promo: bool,
}

impl Member {
    fn new(kind: Kind, cal: &Calendar, rng: &mut Rng) -> Self {
        let profile = rng.pick(&PROFILE_SHARES) as u8;
        let home = rng.pick(&STORE_SHARES) as u8;
        let mut basket = 23.0 * exp(0.3 * rng.normal());
        if rng.chance(0.08) {
            basket *= 2.0; // family stock-ups, office snack runs
        }
        if kind == Kind::Loyal {
            basket *= 1.15;
        }
        let app = if rng.chance(0.4) { 0.05 + 0.25 * rng.f64() } else { 0.05 * rng.f64() };
        let delivery = if rng.chance(0.35) { 0.08 + 0.27 * rng.f64() } else { 0.01 * rng.f64() };
        let meituan = 0.3 + 0.5 * rng.f64();
        let spread = exp(0.45 * rng.normal()).clamp(0.4, 2.0);
        let wd = WINDOW_DAYS;
        let end = WINDOW_SECS - 1;
        // Share registered before the window, last registration day, visits
        // per average day (relative: `allocate` scales them to the order
        // count) and the last possible purchase.
        let (pre_window, last_reg_day, rate, to) = match kind {
            Kind::Prospect => (0.35, wd, 0.0, end),
            Kind::Loyal => (0.65, wd - 150, 0.45, end),
            Kind::Steady => (0.55, wd - 45, 0.1, end),
            Kind::Occasional => (0.40, wd - 20, 0.016, end),
            Kind::New => (0.0, wd, 0.07, end),
            Kind::Churned => {
                // The last day they came: a third over a year before the end.
                let stop = if rng.chance(0.35) {
                    20 + rng.below((wd - 366 - 20) as u64) as i64
                } else {
                    wd - 366 + rng.below(266) as i64
                };
                (0.45, stop - 14, 0.034, (stop + 1) * DAY - 1)
            }
        };
        let first_reg_day = if kind == Kind::New { wd - 56 } else { 0 };
        let reg = if rng.chance(pre_window) {
            cal.history_time(rng)
        } else {
            cal.window_time(rng, first_reg_day, last_reg_day)
        };
        let first = (reg >= 0 && rng.chance(0.6)).then(|| (reg + 60 + rng.below(420) as i64) as u32);
        let from = (reg + 600).clamp(0, end) as u32;
        let to = (to.clamp(0, end) as u32).max(from);
        let lo = cal.lambda(profile, i64::from(from));
        let span = (cal.lambda(profile, i64::from(to) + 1) - lo).max(0.0);
        Self {
            kind,
            reg,
            profile,
            home,
            basket,
            app,
            delivery,
            meituan,
            rate: rate * spread,
            from,
            to,
            lo,
            span,
            first,
            orders: 0,
            promo: false,
        }
    }
}

/// Everything both files are derived from; O(members).
#[derive(Debug, Clone)]
struct Plan {
    seed: u64,
    cal: Calendar,
    members: Vec<Member>,
    member_width: usize,
    order_width: usize,
}

impl Plan {
    fn new(options: &DemoOptions) -> Self {
        let given_orders = options.orders.map(|o| (o as u64).min(MAX_ORDERS));
        let members = match (options.members, given_orders) {
            (Some(m), _) => m,
            (None, Some(o)) => (o / 10).max(50).min(MAX_MEMBERS as u64) as usize,
            (None, None) => DEFAULT_MEMBERS,
        }
        .clamp(MIN_MEMBERS, MAX_MEMBERS);
        let orders = given_orders.unwrap_or(members as u64 * ORDERS_PER_MEMBER);
        let seed = options.seed;
        let cal = Calendar::new(seed);
        let mut rng = Rng::stream(seed, STREAM_MEMBERS, 0);

        // Exact archetype counts by cumulative rounding, then shuffled.
        let mut kinds = Vec::with_capacity(members);
        let mut cum = 0;
        for (kind, share) in KINDS {
            let before = cum * members as u64 / 1000;
            cum += share;
            let after = cum * members as u64 / 1000;
            kinds.extend(std::iter::repeat_n(kind, (after - before) as usize));
        }
        for i in (1..kinds.len()).rev() {
            kinds.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut list: Vec<Member> = kinds.into_iter().map(|kind| Member::new(kind, &cal, &mut rng)).collect();
        // Member ids follow registration (stable: ties keep draw order).
        list.sort_by_key(|m| m.reg);
        // One occasional shopper in sixteen hunts promotions: big baskets on campaign days.
        let mut promo = Rng::stream(seed, STREAM_PROMO, 0);
        for m in list.iter_mut().filter(|m| m.kind == Kind::Occasional) {
            if promo.chance(1.0 / 16.0) {
                m.promo = true;
                m.basket *= 2.5;
            }
        }
        allocate(&mut list, orders, rng.f64());

        Self {
            seed,
            cal,
            member_width: digits(members as u64).max(5),
            order_width: digits(orders).max(8),
            members: list,
        }
    }
}

/// Spreads exactly `total` orders over the buyers: one each first (when
/// there are enough), the rest in proportion to rate × active Λ, by
/// systematic rounding in integers so the sum is exact.
fn allocate(members: &mut [Member], total: u64, offset: f64) {
    let buyers = members.iter().filter(|m| m.kind != Kind::Prospect).count() as u64;
    let (base, rest, by_rate) = if total >= buyers { (1, total - buyers, true) } else { (0, total, false) };
    let weight = |m: &Member| {
        if m.kind == Kind::Prospect {
            0.0
        } else if by_rate {
            m.rate * m.span
        } else {
            1.0
        }
    };
    let max = members.iter().map(weight).fold(0.0, f64::max);
    let scale = if max > 0.0 { (1u64 << 40) as f64 / max } else { 0.0 };
    let int = |m: &Member| -> u128 {
        if m.kind == Kind::Prospect {
            0
        } else if max > 0.0 {
            ((weight(m) * scale) as u128).max(1)
        } else {
            1
        }
    };
    let sum: u128 = members.iter().map(int).sum();
    if sum == 0 {
        return;
    }
    let off = ((offset * sum as f64) as u128).min(sum - 1);
    let rest = u128::from(rest);
    let mut cum = 0u128;
    let mut prev = off / sum;
    for m in members.iter_mut() {
        let w = int(m);
        if w == 0 {
            continue;
        }
        cum += w;
        let next = (cum * rest + off) / sum;
        m.orders = base + (next - prev) as u64;
        prev = next;
    }
}

// ---------------------------------------------------------------------------
// Orders

#[derive(Debug, Clone, Copy, Default)]
struct Order {
    /// Seconds after the window start.
    time: u32,
    amount: u32,
    refund: u32,
    status: u8,
    store: u8,
    channel: u8,
    /// Points used to pay (积分抵扣), 0 for none.
    points: u32,
}

impl Order {
    /// What the member finally paid, fen.
    fn net(&self) -> u64 {
        match self.status {
            STATUS_OK => u64::from(self.amount),
            STATUS_PARTIAL => u64::from(self.amount.saturating_sub(self.refund)),
            _ => 0,
        }
    }
}

/// One member's orders in time order, drawn one at a time: the times of `n`
/// orders on the member's active span are the order statistics of `n`
/// uniforms in Λ, generated ascending (q ← q · U^(1/k)), so a member needs
/// O(1) state however many orders it has.
///
/// The points a member spends come from a stream of their own
/// (`STREAM_POINTS`), so that adding them changed no other draw.
#[derive(Debug, Clone)]
struct Stream {
    rng: Rng,
    first: Option<u32>,
    left: u64,
    q: f64,
    last: u32,
    points: Spending,
}

impl Stream {
    fn new(seed: u64, index: usize, m: &Member) -> Self {
        let first = if m.orders > 0 { m.first } else { None };
        Self {
            rng: Rng::stream(seed, STREAM_ORDERS, index as u64),
            first,
            left: m.orders - u64::from(first.is_some()),
            q: 1.0,
            last: 0,
            points: Spending { rng: Rng::stream(seed, STREAM_POINTS, index as u64), floor: 0, redeemed: None },
        }
    }

    /// The redemption decided with the order `next` returned last, if any.
    fn redeemed(&mut self) -> Option<Redemption> {
        self.points.redeemed.take()
    }

    fn next(&mut self, m: &Member, cal: &Calendar) -> Option<Order> {
        let rng = &mut self.rng;
        let time = if let Some(t) = self.first.take() {
            t
        } else if self.left > 0 {
            let u = rng.open01();
            self.q *= if self.left == 1 { u } else { exp(ln(u) / self.left as f64) };
            self.left -= 1;
            let v = m.lo + (1.0 - self.q) * m.span;
            cal.time_at(m.profile, v).clamp(m.from, m.to)
        } else {
            return None;
        };
        // A promo hunter's order moves to a campaign day (six in seven of them).
        let time = if m.promo && time % 7 != 0 { campaign_time(time).min(m.to) } else { time };
        let time = time.max(self.last);
        self.last = time;

        let hour = time % DAY as u32 / 3_600;
        let rush = match hour {
            10..=13 | 17..=20 => 1.4,
            21..=23 | 0 => 1.2,
            6..=8 => 0.4,
            _ => 0.7,
        };
        let x = rng.f64();
        let delivery = m.delivery * rush;
        let channel = if x < delivery {
            if rng.chance(m.meituan) { CHANNEL_MEITUAN } else { CHANNEL_ELEME }
        } else if x < delivery + m.app {
            CHANNEL_APP
        } else {
            CHANNEL_POS
        };

        let mut yuan = m.basket * exp(0.45 * rng.normal());
        if rng.chance(0.015) {
            yuan *= 2.0 + 4.0 * rng.f64(); // a party, an office order
        }
        if channel >= CHANNEL_MEITUAN {
            yuan = (yuan * 1.2 + 4.0).max(20.0); // delivery minimum and fee
        }
        let mut fen = ((yuan * 100.0 + 0.5) as u32).clamp(100, 300_000);
        if rng.chance(0.7) {
            fen = (fen + 5) / 10 * 10; // prices mostly end in 角
        }

        let s = rng.f64();
        let (status, refund) = if s < 0.02 {
            (STATUS_REFUNDED, fen)
        } else if s < 0.03 {
            let part = (f64::from(fen) * (0.1 + 0.5 * rng.f64())) as u32;
            (STATUS_PARTIAL, part.clamp(1, fen - 1))
        } else if s < 0.04 {
            (STATUS_CLOSED, 0)
        } else {
            (STATUS_OK, 0)
        };
        let store = if rng.chance(0.92) { m.home } else { ((u64::from(m.home) + 1 + rng.below(2)) % 3) as u8 };
        let mut order = Order { time, amount: fen, refund, status, store, channel, points: 0 };
        self.points.spend(&mut order);
        Some(order)
    }
}

/// Chance that a member with at least [`MIN_OFFSET`] points pays part of an
/// order at the till or in the mini program with them (积分抵扣).
const OFFSET_CHANCE: f64 = 0.08;
const MIN_OFFSET: i64 = 500;
/// At most this many yuan of one order are paid with points.
const MAX_OFFSET_YUAN: i64 = 20;
/// Chance that a member with at least [`MIN_REDEEM`] points exchanges some
/// within a week after an order (积分兑换).
const REDEEM_CHANCE: f64 = 0.03;
const MIN_REDEEM: i64 = 1_000;
/// What points buy: (activity-kind index of the label, points).
const REDEEM_ITEMS: [(u8, u32); 5] = [(9, 500), (10, 1_000), (11, 800), (12, 2_000), (13, 100)];

/// A points exchange: when, for how many points, which item (index into
/// [`ACTIVITY_KINDS`]).
#[derive(Debug, Clone, Copy)]
struct Redemption {
    time: u32,
    points: u32,
    item: u8,
}

/// How a member spends points, decided order by order against `floor`, a
/// balance the member surely has: the whole yuan of every fully paid order
/// so far minus what was spent. The ledger gives at least that (level and
/// member-day multipliers are at least 1, sign-ins and tasks only add,
/// partial refunds are not counted, and with the default expiry nothing
/// earned in the window expires before the demo's analysis date), so the
/// demo never spends points it has not got, and never more than the cash
/// paid (the default cap: points pay at most half of an order's value).
#[derive(Debug, Clone)]
struct Spending {
    rng: Rng,
    floor: i64,
    redeemed: Option<Redemption>,
}

impl Spending {
    fn spend(&mut self, o: &mut Order) {
        self.redeemed = None;
        if o.status != STATUS_OK {
            return;
        }
        let rng = &mut self.rng;
        // Delivery platforms (美团, 饿了么) do not take the store's points.
        let own = matches!(o.channel, CHANNEL_POS | CHANNEL_APP);
        if own && self.floor >= MIN_OFFSET && rng.chance(OFFSET_CHANCE) {
            let most = self.floor.min(i64::from(o.amount)) / 100;
            let yuan = 1 + rng.below(most.clamp(1, MAX_OFFSET_YUAN) as u64) as i64;
            o.points = (yuan * 100) as u32;
            self.floor -= yuan * 100;
        }
        self.floor += i64::from(o.amount / 100);
        if self.floor >= MIN_REDEEM && rng.chance(REDEEM_CHANCE) {
            let affordable: Vec<&(u8, u32)> =
                REDEEM_ITEMS.iter().filter(|(_, p)| i64::from(*p) <= self.floor).collect();
            let pick = affordable.get(rng.below(affordable.len() as u64) as usize).copied();
            let time = o.time.saturating_add(3_600 + rng.below(7 * DAY as u64) as u32);
            if let Some(&(item, points)) = pick.filter(|_| i64::from(time) < WINDOW_SECS) {
                self.floor -= i64::from(points);
                self.redeemed = Some(Redemption { time, points, item });
            }
        }
    }
}

/// The demo's campaign days (the default calendar of the rules, `tags.campaigns`,
/// over the demo's 18 months), as (first, last) days.
const CAMPAIGNS: [(NaiveDate, NaiveDate); 10] = [
    (date((2025, 5, 18)), date((2025, 5, 20))),
    (date((2025, 6, 16)), date((2025, 6, 18))),
    (date((2025, 10, 1)), date((2025, 10, 7))),
    (date((2025, 11, 9)), date((2025, 11, 11))),
    (date((2025, 12, 10)), date((2025, 12, 12))),
    (date((2026, 2, 3)), date((2026, 2, 16))),
    (date((2026, 3, 6)), date((2026, 3, 8))),
    (date((2026, 5, 18)), date((2026, 5, 20))),
    (date((2026, 6, 16)), date((2026, 6, 18))),
    (date((2026, 10, 1)), date((2026, 10, 7))),
];

/// `t` (seconds after the window start) moved to a day of the next campaign
/// at the same time of day (spread over its days); unchanged when inside one
/// or after the last.
fn campaign_time(t: u32) -> u32 {
    let day = i64::from(t) / DAY;
    for (from, to) in CAMPAIGNS {
        let a = from.signed_duration_since(WINDOW_START).num_days();
        let b = to.signed_duration_since(WINDOW_START).num_days();
        if day <= b {
            let moved = if day >= a { day } else { a + day % (b - a + 1) };
            return (moved * DAY + i64::from(t) % DAY) as u32;
        }
    }
    t
}

/// Heap key: time in the high half, member index in the low half, so equal
/// times come out in member-id order.
fn key(time: u32, index: usize) -> Reverse<u64> {
    Reverse((u64::from(time) << 32) | index as u64)
}

fn write_orders_with<W: Write>(plan: Plan, out: W) -> io::Result<u64> {
    merge_orders(plan, out, ORDERS_HEADER, |buf, plan, seq, i, _, o| {
        order_row(buf, plan, seq, i, o);
        1
    })
}

/// Replays the orders in file order (the heap merge of the members' streams)
/// and calls `row(buffer, plan, order number, member index, member, order)`
/// for each; returns the sum of what `row` returns (rows it wrote).
fn merge_orders<W: Write>(
    mut plan: Plan,
    out: W,
    header: &str,
    mut row: impl FnMut(&mut Vec<u8>, &Plan, u64, usize, &Member, &Order) -> u64,
) -> io::Result<u64> {
    let mut sink = Sink::new(out);
    sink.buf.extend_from_slice(header.as_bytes());
    // Each member's plan, stream and pending order side by side: the merge
    // jumps between members at random, so one member should be one fetch.
    let members = std::mem::take(&mut plan.members);
    let mut slots = Vec::with_capacity(members.len());
    let mut heap = BinaryHeap::with_capacity(members.len());
    for (i, m) in members.into_iter().enumerate() {
        let mut stream = Stream::new(plan.seed, i, &m);
        let pending = stream.next(&m, &plan.cal);
        if let Some(o) = pending {
            heap.push(key(o.time, i));
        }
        slots.push((stream, pending.unwrap_or_default(), m));
    }
    let mut seq = 0u64;
    let mut rows = 0u64;
    while let Some(mut top) = heap.peek_mut() {
        let i = (top.0 & 0xFFFF_FFFF) as usize;
        let Some((stream, pending, m)) = slots.get_mut(i) else {
            PeekMut::pop(top);
            continue;
        };
        seq += 1;
        rows += row(&mut sink.buf, &plan, seq, i, m, pending);
        match stream.next(m, &plan.cal) {
            Some(o) => {
                *pending = o;
                *top = key(o.time, i);
            }
            None => {
                PeekMut::pop(top);
            }
        }
        sink.spill()?;
    }
    sink.finish()?;
    Ok(rows)
}

fn order_row(buf: &mut Vec<u8>, plan: &Plan, seq: u64, member: usize, o: &Order) {
    buf.push(b'D');
    push_padded(buf, seq, plan.order_width);
    buf.extend_from_slice(b",M");
    push_padded(buf, member as u64 + 1, plan.member_width);
    buf.push(b',');
    push_time(buf, &plan.cal, i64::from(o.time));
    buf.push(b',');
    push_fen(buf, u64::from(o.amount));
    buf.push(b',');
    buf.extend_from_slice(STATUSES[usize::from(o.status) % 4].as_bytes());
    buf.push(b',');
    if matches!(o.status, STATUS_REFUNDED | STATUS_PARTIAL) {
        push_fen(buf, u64::from(o.refund));
    }
    buf.push(b',');
    buf.extend_from_slice(STORES[usize::from(o.store) % 3].as_bytes());
    buf.push(b',');
    buf.extend_from_slice(CHANNELS[usize::from(o.channel) % 4].as_bytes());
    buf.push(b',');
    if o.points > 0 {
        push_padded(buf, u64::from(o.points), 1);
    }
    buf.push(b'\n');
}

// ---------------------------------------------------------------------------
// Who does what beyond buying (order lines and events)

/// What a member does besides the timing and size of their orders: drawn
/// from the member's own stream, so both new files agree about them.
#[derive(Debug, Clone, Copy)]
struct Traits {
    /// Buys mostly special-price items (折扣型).
    bargain: bool,
    /// Gift-wraps around the gift seasons (礼赠型).
    gifter: bool,
    /// Fills the cart and hesitates (选择困难).
    indecisive: bool,
    /// Health talks and courses (焦虑型).
    courses: bool,
    /// Check-in challenges and contests (荣誉型).
    contests: bool,
    /// New-product quizzes (好奇型).
    quizzes: bool,
    /// Invites friends (低敏传播).
    sharer: bool,
    /// Reviews and community groups (圈子型).
    circle: bool,
    /// Signs in on the mini program in streaks.
    signs_in: bool,
    /// Receives the weekly message, and the chance to click it.
    messages: bool,
    click: f64,
    /// Joins the store's WeChat group once.
    group: bool,
}

impl Traits {
    fn new(seed: u64, index: usize) -> Self {
        let mut rng = Rng::stream(seed, STREAM_TRAITS, index as u64);
        Self {
            bargain: rng.chance(0.06),
            gifter: rng.chance(0.05),
            indecisive: rng.chance(0.06),
            courses: rng.chance(0.03),
            contests: rng.chance(0.03),
            quizzes: rng.chance(0.04),
            sharer: rng.chance(0.03),
            circle: rng.chance(0.04),
            signs_in: rng.chance(0.18),
            messages: rng.chance(0.5),
            click: if rng.chance(0.3) { 0.1 + 0.25 * rng.f64() } else { 0.03 * rng.f64() },
            group: rng.chance(0.12),
        }
    }
}

/// A product of the catalogue: code, name, category, price (fen).
type Product = (&'static str, &'static str, &'static str, u32);

const CATALOGUE: [Product; 40] = [
    ("6901001", "农夫山泉550ml", "饮料", 200),
    ("6901002", "可口可乐330ml", "饮料", 350),
    ("6901003", "东方树叶500ml", "饮料", 500),
    ("6901004", "元气森林气泡水", "饮料", 550),
    ("6901005", "维他柠檬茶", "饮料", 450),
    ("6901006", "脉动青柠500ml", "饮料", 600),
    ("6902001", "乐事薯片75g", "零食", 850),
    ("6902002", "奥利奥夹心饼干", "零食", 950),
    ("6902003", "卫龙辣条", "零食", 500),
    ("6902004", "旺仔小馒头", "零食", 600),
    ("6902005", "每日坚果", "零食", 1_990),
    ("6903001", "照烧鸡腿饭", "便当", 1_800),
    ("6903002", "红烧牛肉饭", "便当", 2_200),
    ("6903003", "咖喱猪排饭", "便当", 1_990),
    ("6903004", "番茄炒蛋盖饭", "便当", 1_500),
    ("6904001", "现磨美式", "咖啡", 900),
    ("6904002", "现磨拿铁", "咖啡", 1_200),
    ("6904003", "生椰拿铁", "咖啡", 1_500),
    ("6904004", "雀巢即饮咖啡", "咖啡", 700),
    ("6905001", "清风抽纸", "日用品", 590),
    ("6905002", "高露洁牙膏", "日用品", 1_290),
    ("6905003", "折叠雨伞", "日用品", 2_990),
    ("6905004", "数据充电线", "日用品", 3_990),
    ("6905005", "一次性口罩10只", "日用品", 990),
    ("6906001", "金枪鱼饭团", "鲜食", 650),
    ("6906002", "火腿鸡蛋三明治", "鲜食", 900),
    ("6906003", "关东煮", "鲜食", 800),
    ("6906004", "茶叶蛋", "鲜食", 250),
    ("6906005", "鸡胸肉沙拉", "鲜食", 1_600),
    ("6906006", "香蕉", "鲜食", 450),
    ("6907001", "牛角包", "面包", 650),
    ("6907002", "肉松面包", "面包", 750),
    ("6907003", "全麦吐司", "面包", 990),
    ("6908001", "光明鲜牛奶", "乳品", 650),
    ("6908002", "原味酸奶", "乳品", 750),
    ("6909001", "青岛啤酒500ml", "酒水", 600),
    ("6909002", "RIO微醺", "酒水", 800),
    ("6910001", "德芙巧克力礼盒", "礼品", 5_990),
    ("6910002", "费列罗礼盒", "礼品", 6_990),
    ("6910003", "坚果礼盒", "礼品", 12_800),
];

/// Gift seasons (520, 七夕, 中秋, 圣诞, 情人节 and 春节, …): days on which
/// gift wrap is asked for, as (first, last) days.
const GIFT_SEASONS: [(NaiveDate, NaiveDate); 9] = [
    (date((2025, 5, 17)), date((2025, 5, 20))),
    (date((2025, 8, 26)), date((2025, 8, 29))),
    (date((2025, 9, 28)), date((2025, 10, 6))),
    (date((2025, 12, 20)), date((2025, 12, 25))),
    (date((2026, 2, 8)), date((2026, 2, 16))),
    (date((2026, 5, 17)), date((2026, 5, 20))),
    (date((2026, 8, 16)), date((2026, 8, 19))),
    (date((2026, 9, 18)), date((2026, 9, 25))),
    (date((2026, 10, 1)), date((2026, 10, 3))),
];

/// Whether `t` (seconds after the window start) falls in a gift season.
fn gift_season(t: u32) -> bool {
    let day = i64::from(t) / DAY;
    GIFT_SEASONS.iter().any(|(from, to)| {
        let a = from.signed_duration_since(WINDOW_START).num_days();
        let b = to.signed_duration_since(WINDOW_START).num_days();
        (a..=b).contains(&day)
    })
}

/// One order's lines: 1–4 products whose 小计 sum exactly to the order's
/// 实付金额 (the last line takes the remainder). Returns the lines written.
/// Regulars' taste: on two orders in three, a drink or a snack drawn for a
/// regular (loyal or steady) becomes coffee, fresh food or a lunch box — the
/// daily routine — so the categories value members buy differ from the rest.
/// Replaces the product drawn, never adds a draw.
const REGULAR_TASTE: [usize; 11] = [15, 16, 17, 24, 25, 26, 27, 28, 11, 13, 14];

fn taste(product: usize, regular: bool, seq: u64) -> Product {
    let swap = regular && seq % 3 != 0 && product < REGULAR_TASTE.len();
    CATALOGUE[if swap { REGULAR_TASTE[product] } else { product } % CATALOGUE.len()]
}

fn order_lines_rows(buf: &mut Vec<u8>, plan: &Plan, seq: u64, member: &Member, traits: &Traits, o: &Order) -> u64 {
    let regular = matches!(member.kind, Kind::Loyal | Kind::Steady);
    let mut rng = Rng::stream(plan.seed, STREAM_LINES, seq);
    let total = o.amount;
    let max_lines = (1 + total / 700).min(4) as u64;
    let lines = 1 + rng.below(max_lines) as u32;
    let season = gift_season(o.time);
    let special_order = traits.bargain && rng.chance(0.93);
    let wrap_order =
        if season { rng.chance(if traits.gifter { 0.75 } else { 0.02 }) } else { traits.gifter && rng.chance(0.04) };
    let mut left = total;
    for k in 0..lines {
        let last = k + 1 == lines;
        // Keep at least ¥1 for each later line.
        let budget = left.saturating_sub(100 * (lines - k - 1));
        let mut product = taste(rng.below(CATALOGUE.len() as u64) as usize, regular, seq);
        let (qty, subtotal, price) = if last {
            // Gift wrap goes with a gift box when one fits.
            if wrap_order && left >= 5_000 {
                product = CATALOGUE[CATALOGUE.len() - 3 + rng.below(3) as usize];
            }
            let q = (f64::from(left) / f64::from(product.3) + 0.5) as u32;
            let q = q.clamp(1, 24);
            if left % q == 0 { (q, left, left / q) } else { (1, left, left) }
        } else {
            let mut tries = 0;
            while product.3 > budget / 2 && tries < 8 {
                product = taste(rng.below(CATALOGUE.len() as u64 - 3) as usize, regular, seq);
                tries += 1;
            }
            let price = product.3.min(budget / 2).max(1);
            let q = if rng.chance(0.2) && 2 * price <= budget / 2 { 2 } else { 1 };
            (q, price * q, price)
        };
        left -= subtotal;
        let special = if k == 0 && special_order { true } else { rng.chance(if traits.bargain { 0.3 } else { 0.13 }) };
        let wrapped = wrap_order && last;
        buf.push(b'D');
        push_padded(buf, seq, plan.order_width);
        buf.push(b',');
        buf.extend_from_slice(product.0.as_bytes());
        buf.push(b',');
        push_field(buf, product.1);
        buf.push(b',');
        buf.extend_from_slice(product.2.as_bytes());
        buf.push(b',');
        push_fen(buf, u64::from(price));
        buf.push(b',');
        push_padded(buf, u64::from(qty), 1);
        buf.push(b',');
        push_fen(buf, u64::from(subtotal));
        buf.push(b',');
        buf.extend_from_slice(if special { "是" } else { "否" }.as_bytes());
        buf.push(b',');
        buf.extend_from_slice(if wrapped { "是" } else { "否" }.as_bytes());
        buf.push(b'\n');
    }
    u64::from(lines)
}

fn write_order_lines_with<W: Write>(plan: Plan, out: W) -> io::Result<u64> {
    let traits: Vec<Traits> = (0..plan.members.len()).map(|i| Traits::new(plan.seed, i)).collect();
    merge_orders(plan, out, ORDER_LINES_HEADER, |buf, plan, seq, i, m, o| {
        traits.get(i).map_or(0, |t| order_lines_rows(buf, plan, seq, m, t, o))
    })
}

const EVENT_TYPES: [&str; 13] = [
    "visit",
    "add_to_cart",
    "sign_in",
    "share",
    "review",
    "referral",
    "coupon_issued",
    "coupon_used",
    "message_sent",
    "message_clicked",
    "activity",
    "group_join",
    "points_redeemed",
];
const EV_VISIT: u8 = 0;
const EV_CART: u8 = 1;
const EV_SIGN_IN: u8 = 2;
const EV_SHARE: u8 = 3;
const EV_REVIEW: u8 = 4;
const EV_REFERRAL: u8 = 5;
const EV_COUPON_ISSUED: u8 = 6;
const EV_COUPON_USED: u8 = 7;
const EV_MESSAGE_SENT: u8 = 8;
const EV_MESSAGE_CLICKED: u8 = 9;
const EV_ACTIVITY: u8 = 10;
const EV_GROUP_JOIN: u8 = 11;
const EV_POINTS_REDEEMED: u8 = 12;
/// 活动类型 of activities (index 0 is "none"; 7 and 8 the content the
/// influenced see), then what points buy (9–13).
const ACTIVITY_KINDS: [&str; 14] = [
    "",
    "健康讲座",
    "营养课程",
    "打卡挑战",
    "集章比赛",
    "新品答题",
    "邀请有礼",
    "达人直播",
    "种草笔记",
    "满30减5元券",
    "满50减10元券",
    "现磨咖啡兑换券",
    "帆布购物袋",
    "幸运抽奖",
];
const EVENT_CHANNELS: [&str; 6] = ["小程序", "门店", "公众号", "短信", "社群", "企业微信"];
const CH_APP: u8 = 0;
const CH_STORE: u8 = 1;
const CH_OFFICIAL: u8 = 2;
const CH_SMS: u8 = 3;
const CH_GROUP: u8 = 4;
const CH_WECOM: u8 = 5;
/// The weekly message goes out on Thursdays (the window starts on a
/// Thursday) at 11:30.
const MESSAGE_AT: u32 = 11 * 3_600 + 1_800;

/// One event: time (seconds after the window start), type, activity kind,
/// channel, coupon (index into [`COUPONS`]), points (redemptions only).
type Event = (u32, u8, u8, u8, u8, u32);

/// 优惠券 of coupon events: the keys of the default coupon templates
/// (`loyalty::coupons`), each with its per-member limit and its budget in
/// coupons for the whole store; index 0 is "none".
const COUPONS: [(&str, u32, u32); 10] = [
    ("", 0, 0),
    ("new_member", 1, u32::MAX),
    ("spend30_save5", 4, 5_000),
    ("ten_percent_off", 2, u32::MAX),
    ("free_delivery", 4, u32::MAX),
    ("gift_coffee", 1, 200),
    ("vip_exclusive", 1, u32::MAX),
    ("referral_reward", 5, u32::MAX),
    // ¥5,000 at ¥10 each.
    ("recall", 1, 500),
    ("flash_sale_1yuan", 1, 100),
];
const CP_NEW: u8 = 1;
const CP_SPEND30: u8 = 2;
const CP_PERCENT: u8 = 3;
const CP_DELIVERY: u8 = 4;
const CP_GIFT: u8 = 5;
const CP_VIP: u8 = 6;
const CP_REFERRAL: u8 = 7;
const CP_RECALL: u8 = 8;
const CP_FLASH: u8 = 9;

/// The coupons issued so far, for the per-member limits (reset for each
/// member) and the store's budgets (members in id order).
#[derive(Debug, Default)]
struct CouponsIssued {
    member: [u32; COUPONS.len()],
    store: [u32; COUPONS.len()],
}

impl CouponsIssued {
    /// Issue `coupon` if the member's limit and the budget allow it.
    fn take(&mut self, coupon: u8) -> bool {
        let c = usize::from(coupon) % COUPONS.len();
        let (_, limit, budget) = COUPONS[c];
        let ok = c > 0 && self.member[c] < limit && self.store[c] < budget;
        if ok {
            self.member[c] += 1;
            self.store[c] += 1;
        }
        ok
    }
}

/// Which coupon a campaign sends a member of this archetype: the store
/// sends VIP, gift and discount coupons to its regulars, flash sales to
/// occasional buyers and prospects.
fn pick_coupon(rng: &mut Rng, kind: Kind) -> u8 {
    let (coupons, weights): (&[u8], &[f64]) = match kind {
        Kind::Loyal => {
            (&[CP_SPEND30, CP_DELIVERY, CP_VIP, CP_GIFT, CP_PERCENT, CP_REFERRAL], &[0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
        }
        Kind::Steady => (&[CP_SPEND30, CP_PERCENT, CP_DELIVERY, CP_REFERRAL], &[0.35, 0.3, 0.25, 0.1]),
        Kind::Occasional | Kind::New => (&[CP_SPEND30, CP_DELIVERY, CP_FLASH, CP_REFERRAL], &[0.45, 0.3, 0.15, 0.1]),
        Kind::Churned => (&[CP_SPEND30, CP_DELIVERY, CP_FLASH], &[0.5, 0.35, 0.15]),
        Kind::Prospect => (&[CP_FLASH, CP_SPEND30, CP_DELIVERY], &[0.5, 0.3, 0.2]),
    };
    coupons.get(rng.pick(weights)).copied().unwrap_or(CP_SPEND30)
}

/// A time between `lo` and `hi` (seconds after the window start) on a
/// uniform day, at an hour following the member's habit.
fn moment(rng: &mut Rng, cal: &Calendar, profile: u8, lo: u32, hi: u32) -> u32 {
    let t = lo + rng.below(u64::from(hi.saturating_sub(lo)) + 1) as u32;
    let day = t / DAY as u32;
    let sec = cal.shape(profile, day as usize).map_or(t % DAY as u32, |s| s.locate(rng.f64()));
    (day * DAY as u32 + sec).clamp(lo, hi)
}

/// Poisson draw (Knuth's product of uniforms; means here are small).
fn poisson(rng: &mut Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * rng.normal()).max(0.0) as u32;
    }
    let limit = exp(-mean);
    let mut p = rng.f64();
    let mut n = 0;
    while p > limit {
        p *= rng.f64();
        n += 1;
    }
    n
}

/// One member's events, sorted by time.
fn member_events(
    plan: &Plan,
    index: usize,
    m: &Member,
    traits: &Traits,
    issued: &mut CouponsIssued,
    events: &mut Vec<Event>,
) {
    events.clear();
    issued.member = [0; COUPONS.len()];
    let cal = &plan.cal;
    let mut rng = Rng::stream(plan.seed, STREAM_EVENTS, index as u64);
    // Which coupon, and the coupons beyond the campaigns below, come from
    // their own stream so that the other events keep their draws.
    let mut crng = Rng::stream(plan.seed, STREAM_COUPONS, index as u64);
    let end = (WINDOW_SECS - 1) as u32;
    let from = (m.reg + 60).clamp(0, i64::from(end)) as u32;
    // Events stop a few weeks after the last possible purchase.
    let to = m.to.saturating_add(21 * DAY as u32).min(end).max(from);
    // Habits worth a tag show in the last ~11 months (the analysis' year).
    let recent_from = from.max(end.saturating_sub(330 * DAY as u32));
    let (rlo, rhi) = if recent_from < to { (recent_from, to) } else { (from, to) };
    let profile = m.profile;

    // Around each order: a visit, sometimes an add to cart first.
    let mut stream = Stream::new(plan.seed, index, m);
    let mut orders = 0u32;
    while let Some(o) = stream.next(m, cal) {
        orders += 1;
        if rng.chance(0.55) {
            events.push((o.time.saturating_sub(60 + rng.below(900) as u32).max(from), EV_VISIT, 0, CH_APP, 0, 0));
        }
        if rng.chance(0.3) {
            events.push((o.time.saturating_sub(30 + rng.below(600) as u32).max(from), EV_CART, 0, CH_APP, 0, 0));
        }
        if rng.chance(0.015) {
            let t = o.time.saturating_add(3_600 + rng.below(3 * DAY as u64) as u32).min(end);
            events.push((t, EV_REVIEW, 0, CH_APP, 0, 0));
        }
        // Points exchanged after the order (their own stream: no draw here).
        if let Some(r) = stream.redeemed() {
            let channel = if r.item == 12 { CH_STORE } else { CH_APP };
            events.push((r.time, EV_POINTS_REDEEMED, r.item, channel, 0, r.points));
        }
    }
    let o = f64::from(orders);
    let mut add = |rng: &mut Rng, n: u32, kind: u8, activity: u8, channel: u8, lo: u32, hi: u32| {
        for _ in 0..n {
            events.push((moment(rng, cal, profile, lo, hi), kind, activity, channel, 0, 0));
        }
    };
    // Browsing without buying.
    {
        let n = poisson(&mut rng, 0.8 * o + 2.0);
        let activity = 0;
        add(&mut rng, n, EV_VISIT, activity, CH_APP, from, to);
    }
    let carts = if traits.indecisive { 3.0 + 3.0 * rng.f64() } else { 0.15 };
    {
        let n = poisson(&mut rng, carts * o + if traits.indecisive { 4.0 } else { 0.3 });
        let activity = 0;
        add(&mut rng, n, EV_CART, activity, CH_APP, from, to);
    }
    {
        let n = poisson(&mut rng, if traits.sharer { 3.0 } else { 0.4 });
        let activity = 0;
        add(&mut rng, n, EV_SHARE, activity, CH_APP, from, to);
    }
    {
        let n = u32::from(rng.chance(0.02));
        let activity = 0;
        add(&mut rng, n, EV_REFERRAL, activity, CH_APP, from, to);
    }
    {
        let n = u32::from(rng.chance(0.03));
        let activity = 1 + rng.below(6) as u8;
        add(&mut rng, n, EV_ACTIVITY, activity, CH_STORE, from, to);
    }
    // The habits behind the activity and social tags.
    if traits.sharer {
        {
            let n = 2 + rng.below(3) as u32;
            let activity = 0;
            add(&mut rng, n, EV_REFERRAL, activity, CH_APP, rlo, rhi);
        }
        {
            let n = 1 + rng.below(2) as u32;
            let activity = 6;
            add(&mut rng, n, EV_ACTIVITY, activity, CH_APP, rlo, rhi);
        }
    }
    if traits.courses {
        {
            let n = 2 + rng.below(4) as u32;
            let activity = 1 + rng.below(2) as u8;
            add(&mut rng, n, EV_ACTIVITY, activity, CH_STORE, rlo, rhi);
        }
    }
    if traits.contests {
        {
            let n = 2 + rng.below(4) as u32;
            let activity = 3 + rng.below(2) as u8;
            add(&mut rng, n, EV_ACTIVITY, activity, CH_APP, rlo, rhi);
        }
    }
    if traits.quizzes {
        {
            let n = 2 + rng.below(4) as u32;
            let activity = 5;
            add(&mut rng, n, EV_ACTIVITY, activity, CH_APP, rlo, rhi);
        }
    }
    if traits.circle {
        {
            let n = 2 + rng.below(4) as u32;
            let activity = 0;
            add(&mut rng, n, EV_REVIEW, activity, CH_APP, rlo, rhi);
        }
    }
    if traits.group || traits.circle {
        {
            let n = 1;
            let activity = 0;
            add(&mut rng, n, EV_GROUP_JOIN, activity, CH_GROUP, rlo, rhi);
        }
    }
    // Sign-in streaks on the mini program, in the morning.
    if traits.signs_in {
        let days = (to - from) / DAY as u32;
        let streaks = poisson(&mut rng, f64::from(days) / 25.0);
        for _ in 0..streaks {
            let start = from / DAY as u32 + rng.below(u64::from(days) + 1) as u32;
            for d in start..start + 3 + rng.below(12) as u32 {
                let t = d * DAY as u32 + 7 * 3_600 + rng.below(2 * 3_600) as u32;
                if t >= from && t <= to {
                    events.push((t, EV_SIGN_IN, 0, CH_APP, 0, 0));
                }
            }
        }
    }
    // The new-member coupon on registering inside the window, used at the
    // first order when it follows at the till (else now and then within
    // its 7 days).
    if m.reg >= 0 && issued.take(CP_NEW) {
        events.push((from, EV_COUPON_ISSUED, 0, CH_APP, CP_NEW, 0));
        let used = match m.first {
            Some(first) if crng.chance(0.9) => Some(first.max(from)),
            _ if crng.chance(0.25) => Some(from + 3_600 + crng.below(5 * DAY as u64) as u32),
            _ => None,
        };
        if let Some(t) = used.filter(|&t| t <= end) {
            events.push((t, EV_COUPON_USED, 0, CH_STORE, CP_NEW, 0));
        }
    }
    // Campaign coupons: issued now and then, used about a third of the time.
    let coupons = poisson(&mut rng, f64::from((to - from) / DAY as u32) / 60.0);
    for _ in 0..coupons {
        let t = moment(&mut rng, cal, profile, from, to);
        let coupon = pick_coupon(&mut crng, m.kind);
        let coupon = if issued.take(coupon) { coupon } else { 0 };
        if coupon != 0 {
            events.push((t, EV_COUPON_ISSUED, 0, CH_OFFICIAL, coupon, 0));
        }
        if rng.chance(0.35) {
            let used = t.saturating_add(3_600 + rng.below(7 * DAY as u64) as u32);
            if used <= end {
                let at = moment(&mut rng, cal, profile, used, used.saturating_add(3_600).min(end));
                if coupon != 0 {
                    events.push((at, EV_COUPON_USED, 0, CH_STORE, coupon, 0));
                }
            }
        }
    }
    // The recall campaign of October 2026: a come-back coupon by SMS to
    // most members who stopped coming, on a day between 5 and 25 October;
    // few come back for it.
    if m.kind == Kind::Churned && crng.chance(0.6) {
        let day = (END_DATE.signed_duration_since(date((2026, 10, 5))).num_days() as u32)
            .saturating_sub(crng.below(21) as u32);
        let t = end.saturating_sub(day * DAY as u32 + 14 * 3_600) + crng.below(4 * 3_600) as u32;
        if t >= from && issued.take(CP_RECALL) {
            events.push((t, EV_COUPON_ISSUED, 0, CH_SMS, CP_RECALL, 0));
            if crng.chance(0.05) {
                events.push((
                    t + DAY as u32 + crng.below(10 * DAY as u64) as u32,
                    EV_COUPON_USED,
                    0,
                    CH_STORE,
                    CP_RECALL,
                    0,
                ));
            }
        }
    }
    // The weekly message, to the end of the window (whether they still come
    // or not), and the clicks it gets.
    if traits.messages {
        let week = 7 * DAY as u32;
        // One draw, as ever: 企业微信 30 %, 公众号 20 %, 短信 30 %, 小程序 20 %.
        let channel = match rng.f64() {
            x if x < 0.3 => CH_WECOM,
            x if x < 0.5 => CH_OFFICIAL,
            x if x < 0.8 => CH_SMS,
            _ => CH_APP,
        };
        let mut t = (from / week + 1) * week + MESSAGE_AT;
        while t <= end {
            events.push((t, EV_MESSAGE_SENT, 0, channel, 0, 0));
            if rng.chance(traits.click) {
                events.push((t + 60 + rng.below(4 * 3_600) as u32, EV_MESSAGE_CLICKED, 0, channel, 0, 0));
            }
            t += week;
        }
    }
    // The influenced (种草型, one buyer in twenty): a live stream or a post an hour to two
    // days before most purchases of the last ~11 months.
    let mut content = Rng::stream(plan.seed, STREAM_CONTENT, index as u64);
    if m.orders > 0 && content.chance(0.05) {
        let mut stream = Stream::new(plan.seed, index, m);
        while let Some(o) = stream.next(m, cal) {
            if o.time >= rlo && content.chance(0.8) {
                let before = 3_600 + content.below(47 * 3_600) as u32;
                let kind = 7 + content.below(2) as u8;
                events.push((o.time.saturating_sub(before).max(from), EV_ACTIVITY, kind, CH_APP, 0, 0));
            }
        }
    }
    events.sort_by_key(|e| e.0);
}

fn write_events_with<W: Write>(plan: &Plan, out: W) -> io::Result<u64> {
    let mut sink = Sink::new(out);
    sink.buf.extend_from_slice(EVENTS_HEADER.as_bytes());
    let mut events = Vec::new();
    let mut issued = CouponsIssued::default();
    let mut rows = 0;
    for (i, m) in plan.members.iter().enumerate() {
        member_events(plan, i, m, &Traits::new(plan.seed, i), &mut issued, &mut events);
        for &(t, kind, activity, channel, coupon, points) in &events {
            let buf = &mut sink.buf;
            buf.push(b'M');
            push_padded(buf, i as u64 + 1, plan.member_width);
            buf.push(b',');
            push_time(buf, &plan.cal, i64::from(t));
            buf.push(b',');
            buf.extend_from_slice(EVENT_TYPES[usize::from(kind) % EVENT_TYPES.len()].as_bytes());
            buf.push(b',');
            buf.extend_from_slice(ACTIVITY_KINDS[usize::from(activity) % ACTIVITY_KINDS.len()].as_bytes());
            buf.push(b',');
            buf.extend_from_slice(EVENT_CHANNELS[usize::from(channel) % EVENT_CHANNELS.len()].as_bytes());
            buf.push(b',');
            buf.extend_from_slice(COUPONS[usize::from(coupon) % COUPONS.len()].0.as_bytes());
            buf.push(b',');
            if points > 0 {
                push_padded(buf, u64::from(points), 1);
            }
            buf.push(b'\n');
            rows += 1;
        }
        sink.spill()?;
    }
    sink.finish()?;
    Ok(rows)
}

// ---------------------------------------------------------------------------
// Members file

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const COMPOUND_SURNAMES: [&str; 4] = ["欧阳", "司马", "诸葛", "上官"];
const GIVEN_MALE: &str =
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国志新文博晨昊然睿泽轩宏毅诚峰亮";
const GIVEN_FEMALE: &str = "芳娜敏静丽艳娟霞秀玲燕红婷雪琳晶颖倩慧佳怡欣悦梦雨琪涵萱婉媛瑶璐蕾薇洁云月楠丹";

/// The `k`-th character of a string of 3-byte (BMP CJK) characters.
fn cjk(chars: &str, k: usize) -> &str {
    let n = chars.len() / 3;
    let k = if n == 0 { 0 } else { k % n } * 3;
    chars.get(k..k + 3).unwrap_or("")
}

fn pick_cjk<'a>(rng: &mut Rng, chars: &'a str) -> &'a str {
    cjk(chars, rng.below((chars.len() / 3) as u64) as usize)
}

fn name(rng: &mut Rng) -> String {
    let n = (SURNAMES.len() / 3) as f64;
    // Common surnames first: index ~ n·u² (王, 李, 张 … are the most common).
    let surname = if rng.chance(0.01) {
        COMPOUND_SURNAMES[rng.below(4) as usize % 4]
    } else {
        let u = rng.f64();
        cjk(SURNAMES, (n * u * u) as usize)
    };
    let female = rng.chance(0.52);
    let given = if female { GIVEN_FEMALE } else { GIVEN_MALE };
    let mut out = String::with_capacity(12);
    let form = rng.f64();
    if form < 0.04 {
        out.push('小');
        out.push_str(pick_cjk(rng, given));
    } else if form < 0.08 {
        out.push_str(surname);
        out.push_str(if female { "女士" } else { "先生" });
    } else if form < 0.10 {
        out.push('阿');
        out.push_str(pick_cjk(rng, given));
    } else {
        out.push_str(surname);
        out.push_str(pick_cjk(rng, given));
        if rng.chance(0.62) {
            out.push_str(pick_cjk(rng, given));
        }
    }
    out
}

const PHONE_PREFIXES: [u64; 32] = [
    134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 157, 158, 159, 178, 182, 183, 187, 188, 130, 131, 132, 155, 156,
    166, 175, 176, 185, 186, 133, 153, 177, 189,
];
const PHONE_SPACE: u64 = PHONE_PREFIXES.len() as u64 * 100_000_000;

/// A 4-round Feistel permutation of 32-bit values, keyed.
fn feistel(x: u32, key: u64) -> u32 {
    let (mut l, mut r) = (x >> 16, x & 0xFFFF);
    for round in 0..4u64 {
        let mut h = key ^ (round << 32) ^ u64::from(r);
        let f = (splitmix64(&mut h) & 0xFFFF) as u32;
        (l, r) = (r, l ^ f);
    }
    (l << 16) | r
}

/// The `index`-th member's phone: a keyed permutation of all
/// prefix × 8-digit numbers (cycle-walking a Feistel network), hence unique.
fn phone(index: u64, key: u64) -> u64 {
    let mut x = (index % PHONE_SPACE) as u32;
    loop {
        x = feistel(x, key);
        if u64::from(x) < PHONE_SPACE {
            break;
        }
    }
    let x = u64::from(x);
    PHONE_PREFIXES[(x / 100_000_000) as usize % 32] * 100_000_000 + x % 100_000_000
}

/// Day and minute of a time (seconds after the window start), as the
/// importer reads the written `YYYY-MM-DD HH:MM:SS`.
fn day_minute(t: u32) -> (Day, u16) {
    let start = day_of(WINDOW_START);
    (start + (i64::from(t) / DAY) as Day, (i64::from(t) % DAY / 60) as u16)
}

/// The member's points ledger as of the day after [`DEMO_END`], replayed by
/// the crate's own ledger ([`ledger::replay`]) with the default rules from
/// the member's orders (the same stream as the orders file) and `events`
/// (as [`member_events`] gives them): what the store's POS would hold.
fn replay_points(plan: &Plan, index: usize, m: &Member, events: &[Event], rules: &Rules, lines: bool) -> Replay {
    let as_of = day_of(END_DATE) + 1;
    let mut orders = Vec::with_capacity(m.orders as usize);
    let mut growth: Vec<(Day, Fen)> = Vec::with_capacity(m.orders as usize);
    let mut stream = Stream::new(plan.seed, index, m);
    while let Some(o) = stream.next(m, &plan.cal) {
        let (day, minute) = day_minute(o.time);
        let amount = Fen::from(o.amount);
        // As the importer reads the status and the refund (src/ingest/tables.rs).
        let (kind, net, refunded) = match o.status {
            STATUS_OK => (OrderKind::Purchase, amount, 0),
            STATUS_PARTIAL => (OrderKind::Purchase, amount - Fen::from(o.refund), Fen::from(o.refund)),
            STATUS_REFUNDED => (OrderKind::NotPurchase, 0, amount),
            _ => (OrderKind::NotPurchase, 0, 0),
        };
        if kind != OrderKind::NotPurchase {
            growth.push((day, net));
        }
        let points_used = i64::from(o.points);
        orders.push(OrderIn { day, minute, kind, net, refunded, points_used, category_multiplier: 1.0, id: "".into() });
    }
    let mut moves = Vec::new();
    for &(t, kind, activity, _, _, points) in events {
        let (day, minute) = day_minute(t);
        // The EV_ codes are the types' positions in `EventType::ALL`.
        let kind = EventType::ALL[usize::from(kind) % EventType::ALL.len()];
        let bonus = rules.levels.bonus(kind);
        if bonus > 0 {
            growth.push((day, bonus * 100));
        }
        let label = ACTIVITY_KINDS[usize::from(activity) % ACTIVITY_KINDS.len()];
        moves.push(EventIn { day, minute, kind, points: i64::from(points), label });
    }
    let timeline = levels::timeline(&mut growth, as_of, &rules.levels);
    ledger::replay(&orders, &moves, &timeline, as_of, &rules.points, &rules.levels, lines)
}

/// Chance that the members file's 积分 differs from the ledger, as a real
/// POS export does now and then.
const POINTS_OFF_CHANCE: f64 = 0.015;
/// Manual adjustments at the till that the files do not show.
const ADJUSTMENTS: [i64; 5] = [50, 100, 200, 500, -100];

/// The balance the members file shows: the ledger's, except for about
/// [`POINTS_OFF_CHANCE`] of the members with points, whose export either
/// missed their latest purchase's points (the export ran before the till
/// synced) or carries a manual adjustment; drawn from a stream of its own.
fn exported_points(plan: &Plan, index: usize, m: &Member, events: &[Event], rules: &Rules) -> i64 {
    let balance = replay_points(plan, index, m, events, rules, false).balance;
    let mut rng = Rng::stream(plan.seed, STREAM_POINTS_FILE, index as u64);
    if balance <= 0 || !rng.chance(POINTS_OFF_CHANCE) {
        return balance;
    }
    if rng.chance(0.6) {
        let lines = replay_points(plan, index, m, events, rules, true).lines.unwrap_or_default();
        let last = lines.iter().rev().find(|l| l.kind == LineKind::Purchase).map_or(0, |l| l.points);
        if last > 0 && last < balance {
            return balance - last;
        }
    }
    let adjustment = ADJUSTMENTS[rng.below(ADJUSTMENTS.len() as u64) as usize];
    (balance + adjustment).max(0)
}

/// Benefit cards (权益卡) of the demo store.
const CARDS: [&str; 3] = ["省钱卡", "早餐月卡", "咖啡月卡"];

/// The members file's later columns, from the member's own stream:
/// 所属门店 (the home store), 是否关注公众号 (regulars follow more often),
/// 关注时间 (half at registration, the rest later), 权益卡 and the clerks'
/// manual 会员标签 (老顾客, 附近白领, 宝妈, 企业客户).
fn member_fields(buf: &mut Vec<u8>, plan: &Plan, i: usize, m: &Member) {
    let mut rng = Rng::stream(plan.seed, STREAM_MEMBER_FIELDS, i as u64);
    let regular = matches!(m.kind, Kind::Loyal | Kind::Steady);
    let fan_share = match m.kind {
        Kind::Loyal => 0.8,
        Kind::Steady => 0.65,
        Kind::Occasional | Kind::New => 0.45,
        Kind::Churned => 0.3,
        Kind::Prospect => 0.25,
    };
    buf.push(b',');
    buf.extend_from_slice(STORES[usize::from(m.home) % 3].as_bytes());
    buf.push(b',');
    let fan = rng.chance(fan_share);
    buf.extend_from_slice(if fan { "是" } else { "否" }.as_bytes());
    buf.push(b',');
    if fan {
        let end = WINDOW_SECS - 1;
        let at = if rng.chance(0.5) {
            m.reg + 120 + rng.below(3_600) as i64
        } else {
            m.reg + (rng.f64() * (end - m.reg).max(0) as f64) as i64
        };
        push_time(buf, &plan.cal, at.min(end));
    }
    buf.push(b',');
    let mut cards: Vec<&str> = Vec::new();
    if rng.chance(if m.kind == Kind::Loyal {
        0.35
    } else if regular {
        0.12
    } else {
        0.02
    }) {
        cards.push(CARDS[0]);
    }
    if rng.chance(if m.profile == 0 { 0.15 } else { 0.02 }) {
        cards.push(CARDS[1]);
    }
    if rng.chance(if regular { 0.1 } else { 0.02 }) {
        cards.push(CARDS[2]);
    }
    buf.extend_from_slice(cards.join("、").as_bytes());
    buf.push(b',');
    let mut tags: Vec<&str> = Vec::new();
    if regular && rng.chance(0.4) {
        tags.push("老顾客");
    }
    if m.profile == 1 && rng.chance(0.1) {
        tags.push("附近白领");
    }
    if rng.chance(0.04) {
        tags.push("宝妈");
    }
    if rng.chance(0.01) {
        tags.push("企业客户");
    }
    buf.extend_from_slice(tags.join("、").as_bytes());
}

fn write_members_with<W: Write>(plan: &Plan, out: W) -> io::Result<u64> {
    let mut sink = Sink::new(out);
    sink.buf.extend_from_slice(MEMBERS_HEADER.as_bytes());
    let mut key_state = plan.seed ^ STREAM_PHONES;
    let key = splitmix64(&mut key_state);
    let rules = Rules::default();
    let mut events = Vec::new();
    // The coupon budgets run in member-id order here as in the events file,
    // so the events replayed are the file's own (coupon events do not change
    // points either way).
    let mut issued = CouponsIssued::default();
    let mut rows = 0;
    for (i, m) in plan.members.iter().enumerate() {
        // Replays the member's order stream: same draws as the orders file.
        let mut stream = Stream::new(plan.seed, i, m);
        let mut net = 0u64;
        while let Some(o) = stream.next(m, &plan.cal) {
            net += o.net();
        }
        member_events(plan, i, m, &Traits::new(plan.seed, i), &mut issued, &mut events);
        let points = exported_points(plan, i, m, &events, &rules);
        let mut rng = Rng::stream(plan.seed, STREAM_PROFILE, i as u64);
        let level = LEVEL_FEN.iter().filter(|&&t| net >= t).count();
        // Before the ledger gave the balance, this stream drew an estimate
        // here (a chance, then a share); drawing the same keeps every name.
        if net / 100 >= 100 && rng.chance(0.45) {
            rng.f64();
        }
        let buf = &mut sink.buf;
        buf.push(b'M');
        push_padded(buf, i as u64 + 1, plan.member_width);
        buf.push(b',');
        push_padded(buf, phone(i as u64, key), 11);
        buf.push(b',');
        push_field(buf, &name(&mut rng));
        buf.push(b',');
        push_time(buf, &plan.cal, m.reg);
        buf.push(b',');
        buf.extend_from_slice(LEVELS[level % 3].as_bytes());
        buf.push(b',');
        if points < 0 {
            buf.push(b'-');
        }
        push_padded(buf, points.unsigned_abs(), 1);
        member_fields(buf, plan, i, m);
        buf.push(b'\n');
        rows += 1;
        sink.spill()?;
    }
    sink.finish()?;
    Ok(rows)
}

// ---------------------------------------------------------------------------
// Output

/// Collects rows and hands them to the writer in 64 KiB chunks.
struct Sink<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> Sink<W> {
    const CHUNK: usize = 1 << 16;

    fn new(out: W) -> Self {
        Self { out, buf: Vec::with_capacity(Self::CHUNK + 256) }
    }

    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= Self::CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// `n` in decimal, zero-padded to `width`.
fn push_padded(buf: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    let len = tmp.len() - i;
    buf.extend(std::iter::repeat_n(b'0', width.saturating_sub(len)));
    buf.extend_from_slice(&tmp[i..]);
}

/// Fen as yuan with two decimals.
fn push_fen(buf: &mut Vec<u8>, fen: u64) {
    push_padded(buf, fen / 100, 1);
    buf.push(b'.');
    push_padded(buf, fen % 100, 2);
}

/// `YYYY-MM-DD HH:MM:SS` for seconds after the window start (negative:
/// before it).
fn push_time(buf: &mut Vec<u8>, cal: &Calendar, t: i64) {
    let day = HISTORY_DAYS + t.div_euclid(DAY);
    let sec = t.rem_euclid(DAY) as u64;
    let index = day.clamp(0, cal.labels.len() as i64 - 1) as usize;
    if let Some(l) = cal.labels.get(index) {
        buf.extend_from_slice(l);
    }
    buf.push(b' ');
    push_padded(buf, sec / 3_600, 2);
    buf.push(b':');
    push_padded(buf, sec / 60 % 60, 2);
    buf.push(b':');
    push_padded(buf, sec % 60, 2);
}

/// A CSV field, quoted per RFC 4180 when it holds `,`, `"` or a line break.
fn push_field(buf: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        buf.push(b'"');
        buf.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    fn rows(bytes: &[u8]) -> Vec<Vec<&str>> {
        text(bytes).lines().skip(1).map(|l| l.split(',').collect()).collect()
    }

    fn fen(s: &str) -> Option<u64> {
        let (yuan, cents) = s.split_once('.')?;
        if cents.len() != 2 || yuan.is_empty() || !(yuan.bytes().chain(cents.bytes())).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(yuan.parse::<u64>().ok()? * 100 + cents.parse::<u64>().ok()?)
    }

    fn when(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("bad time {s:?}: {e}"))
    }

    fn default_files() -> DemoFiles {
        generate(&DemoOptions::default())
    }

    #[test]
    fn xoshiro_matches_reference() {
        // Reference outputs of xoshiro256** from state [1, 2, 3, 4].
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let expected = [11520, 0, 1509978240, 1215971899390074240];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
        // SplitMix64 reference (seed 1234567).
        let mut s = 1234567;
        assert_eq!(splitmix64(&mut s), 6457827717110365317);
        assert_eq!(splitmix64(&mut s), 3203168211198807973);
    }

    #[test]
    fn own_exp_and_ln_are_accurate() {
        for x in [-30.0, -2.5, -1.0, -0.1, 0.0, 0.3, 1.0, 2.0, 10.0, 50.0] {
            let rel = (exp(x) - x.exp()).abs() / x.exp();
            assert!(rel < 1e-13, "exp({x})");
        }
        for x in [1e-12, 0.001, 0.5, 0.999, 1.0, 1.5, 2.0, 10.0, 1e9] {
            assert!((ln(x) - x.ln()).abs() < 1e-12, "ln({x})");
        }
    }

    #[test]
    fn same_options_same_bytes_different_seed_different_bytes() {
        let a = default_files();
        let b = default_files();
        assert_eq!(a, b);
        let c = generate(&DemoOptions { seed: 7, ..DemoOptions::default() });
        assert_ne!(a.orders, c.orders);
        assert_ne!(a.members, c.members);
        // The streaming writers give the same bytes as generate.
        let mut streamed = Vec::new();
        assert_eq!(write_orders(&DemoOptions::default(), &mut streamed).ok(), Some(24_000));
        assert_eq!(streamed, a.orders);
        let mut streamed = Vec::new();
        assert_eq!(write_members(&DemoOptions::default(), &mut streamed).ok(), Some(2_000));
        assert_eq!(streamed, a.members);
    }

    #[test]
    fn golden_fingerprint() {
        // Pins the output forever: if this fails, the demo changed for
        // everyone (dashboards, screenshots, docs). Update only on purpose.
        let files = generate(&DemoOptions { seed: 42, members: Some(60), orders: Some(700) });
        let fnv = |bytes: &[u8]| {
            bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
        };
        assert_eq!(
            (fnv(&files.orders), fnv(&files.members)),
            // Merge of main and ui-points: orders gained 积分抵扣 (points spent,
            // STREAM_POINTS) on top of the promo hunters' moved orders; members
            // gained main's fan, card and manual-tag columns (STREAM_MEMBER_FIELDS)
            // after ui-points' 积分 from the ledger (STREAM_POINTS_FILE).
            (15245839544995229726, 11142236974821686160),
            "demo output changed"
        );
    }

    #[test]
    fn exact_row_count_and_headers() {
        let options = DemoOptions { orders: Some(12_345), ..DemoOptions::default() };
        let files = generate(&options);
        let orders = text(&files.orders);
        assert!(orders.starts_with("订单号,会员ID,支付时间,实付金额,订单状态,退款金额,门店,渠道,积分抵扣\n"));
        assert_eq!(orders.lines().count(), 12_346);
        assert!(orders.ends_with('\n'));
        assert!(!files.orders.starts_with(&[0xEF, 0xBB, 0xBF]));
        let members = text(&files.members);
        assert!(members.starts_with(MEMBERS_HEADER));
        // members = max(orders / 10, 50)
        assert_eq!(members.lines().count(), 1_235);
        assert_eq!(write_orders(&options, io::sink()).ok(), Some(12_345));
    }

    #[test]
    fn order_rows_are_well_formed() {
        let files = default_files();
        let end = chrono::NaiveDate::from_ymd_opt(DEMO_END.0, DEMO_END.1, DEMO_END.2)
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0));
        let Some(end) = end else { panic!("bad DEMO_END") };
        let start = when("2025-05-01 00:00:00");
        let mut prev = start;
        let mut ids = HashSet::new();
        for (n, row) in rows(&files.orders).iter().enumerate() {
            assert_eq!(row.len(), 9, "row {n}: {row:?}");
            assert_eq!(row[0], format!("D{:08}", n + 1));
            assert!(ids.insert(row[0]));
            assert!(row[1].len() == 6 && row[1].starts_with('M'), "{row:?}");
            let t = when(row[2]);
            assert!(t >= prev, "not chronological at row {n}");
            assert!(t < end && t >= start, "{t}");
            prev = t;
            let amount = fen(row[3]).unwrap_or_else(|| panic!("amount {row:?}"));
            assert!(amount >= 100);
            match row[4] {
                "交易成功" | "已关闭" => assert_eq!(row[5], ""),
                "已退款" => assert_eq!(row[5], row[3]),
                "部分退款" => {
                    let r = fen(row[5]).unwrap_or_else(|| panic!("refund {row:?}"));
                    assert!(r > 0 && r < amount, "{row:?}");
                }
                other => panic!("status {other}"),
            }
            assert!(STORES.contains(&row[6]), "{row:?}");
            assert!(CHANNELS.contains(&row[7]), "{row:?}");
        }
        assert_eq!(ids.len(), 24_000);
    }

    #[test]
    fn members_cover_orders_and_phones_are_unique() {
        let files = default_files();
        let members = rows(&files.members);
        assert_eq!(members.len(), 2_000);
        let mut phones = HashSet::new();
        let mut reg = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            assert_eq!(m.len(), 11, "{m:?}");
            assert_eq!(m[0], format!("M{:05}", i + 1));
            let p = m[1];
            assert!(p.len() == 11 && p.bytes().all(|b| b.is_ascii_digit()) && p.starts_with('1'));
            assert!(phones.insert(p), "duplicate phone {p}");
            let chars = m[2].chars().count();
            assert!((2..=4).contains(&chars), "name {:?}", m[2]);
            reg.insert(m[0], when(m[3]));
            assert!(LEVELS.contains(&m[4]));
            assert!(m[5].parse::<u64>().is_ok());
            assert!(STORES.contains(&m[6]) && ["是", "否"].contains(&m[7]), "{m:?}");
            // Followed (关注时间) exactly when a fan, never before registering.
            assert_eq!(m[7] == "是", !m[8].is_empty(), "{m:?}");
            assert!(m[8].is_empty() || when(m[8]) >= when(m[3]), "{m:?}");
            assert!(m[9].split('、').all(|c| c.is_empty() || CARDS.contains(&c)), "{m:?}");
        }
        let mut first = HashMap::new();
        for o in rows(&files.orders) {
            assert!(reg.contains_key(o[1]), "unknown member {}", o[1]);
            first.entry(o[1]).or_insert_with(|| when(o[2]));
        }
        for (id, t) in first {
            assert!(reg[id] < t, "{id} ordered before registering");
        }
    }

    #[test]
    fn daily_and_weekly_rhythm() {
        let files = default_files();
        let (mut fri_sun, mut mon_thu) = (0.0, 0.0);
        let (mut breakfast, mut night) = (0, 0);
        for o in rows(&files.orders) {
            let t = when(o[2]);
            if t.weekday().num_days_from_monday() >= 4 {
                fri_sun += 1.0;
            } else {
                mon_thu += 1.0;
            }
            match chrono::Timelike::hour(&t) {
                7 | 8 => breakfast += 1,
                2..=4 => night += 1,
                _ => {}
            }
        }
        // Count the days of each kind in the window.
        let days = WINDOW_START.iter_days().take(WINDOW_DAYS as usize);
        let (weekends, weekdays) =
            days.fold(
                (0.0, 0.0),
                |(a, b), d| {
                    if d.weekday().num_days_from_monday() >= 4 { (a + 1.0, b) } else { (a, b + 1.0) }
                },
            );
        assert!(fri_sun / weekends > 1.1 * mon_thu / weekdays);
        assert!(breakfast > 5 * night, "{breakfast} vs {night}");
    }

    #[test]
    fn believable_mix_of_members() {
        let files = default_files();
        let end = when("2026-10-31 23:59:59");
        let mut last = HashMap::new();
        for o in rows(&files.orders) {
            last.insert(o[1], when(o[2]));
        }
        let members = rows(&files.members);
        let reg: HashMap<_, _> = members.iter().map(|m| (m[0], when(m[3]))).collect();
        let days = |t: chrono::NaiveDateTime| (end - t).num_days();
        let churned = last.values().filter(|&&t| days(t) > 90).count();
        let over_year = last.values().filter(|&&t| days(t) > 365).count();
        let recent = last.values().filter(|&&t| days(t) < 30).count();
        let joined = last.keys().filter(|id| days(reg[*id]) < 30).count();
        let buyers = last.len() as f64;
        assert!(churned as f64 > 0.2 * buyers, "churned {churned}");
        assert!(over_year > 50, "over a year {over_year}");
        assert!(recent as f64 > 0.3 * buyers, "recent {recent}");
        assert!(joined > 20, "joined {joined}");
        let never = 1.0 - buyers / members.len() as f64;
        assert!((0.08..=0.20).contains(&never), "never bought {never}");
        let pre_window = reg.values().filter(|t| t.date() < WINDOW_START).count();
        assert!(pre_window > 400, "registered before the window {pre_window}");
        // Levels follow spend: some gold, some silver, mostly ordinary.
        let count = |l: &str| members.iter().filter(|m| m[4] == l).count();
        assert!(count("金卡会员") > 20 && count("银卡会员") > 100 && count("普通会员") > 1000);
    }

    #[test]
    fn refunds_and_channels_share() {
        let files = default_files();
        let rows = rows(&files.orders);
        let n = rows.len() as f64;
        let share = |f: &dyn Fn(&Vec<&str>) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n;
        let refunds = share(&|r| r[4] == "已退款" || r[4] == "部分退款");
        assert!((0.01..=0.05).contains(&refunds), "refunds {refunds}");
        let pos = share(&|r| r[7] == "门店POS");
        assert!((0.7..0.95).contains(&pos), "pos {pos}");
        let amounts: Vec<u64> = rows.iter().filter_map(|r| fen(r[3])).collect();
        let mid = amounts.iter().filter(|&&a| (500..=6_000).contains(&a)).count() as f64;
        assert!(mid / n > 0.75, "baskets ¥5–¥60: {}", mid / n);
        assert!(amounts.iter().any(|&a| a > 20_000), "no big baskets");
    }

    #[test]
    fn sizes_follow_options_and_are_clamped() {
        let count = |options: DemoOptions| {
            let mut orders = Vec::new();
            let n = write_orders(&options, &mut orders).ok();
            let m = write_members(&options, io::sink()).ok();
            (n, m, orders)
        };
        let base = DemoOptions::default();
        let (n, m, _) = count(DemoOptions { members: Some(500), ..base });
        assert_eq!((n, m), (Some(6_000), Some(500)));
        let (n, m, _) = count(DemoOptions { members: Some(0), ..base });
        assert_eq!((n, m), (Some(240), Some(20)));
        let (n, m, orders) = count(DemoOptions { orders: Some(0), ..base });
        assert_eq!((n, m), (Some(0), Some(50)));
        assert_eq!(text(&orders), ORDERS_HEADER);
        let (n, m, _) = count(DemoOptions { orders: Some(3), members: Some(100), ..base });
        assert_eq!((n, m), (Some(3), Some(100)));
        // Many orders on few members: still exact and chronological.
        let (n, m, orders) = count(DemoOptions { orders: Some(50_000), members: Some(20), seed: u64::MAX });
        assert_eq!((n, m), (Some(50_000), Some(20)));
        let times: Vec<_> = rows(&orders).iter().map(|r| r[2].to_owned()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn wide_ids_when_needed() {
        let mut buf = Vec::new();
        push_padded(&mut buf, 42, 5);
        assert_eq!(buf, b"00042");
        buf.clear();
        push_padded(&mut buf, 1_234_567, 5);
        assert_eq!(buf, b"1234567");
        buf.clear();
        push_fen(&mut buf, 2_350);
        assert_eq!(buf, b"23.50");
        assert_eq!(digits(0), 1);
        assert_eq!(digits(100_000_000), 9);
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        let mut buf = Vec::new();
        push_field(&mut buf, "王芳");
        push_field(&mut buf, "a,b");
        push_field(&mut buf, "say \"hi\"");
        assert_eq!(text(&buf), "王芳\"a,b\"\"say \"\"hi\"\"\"");
    }

    #[test]
    #[ignore = "timing: run with cargo test --release -- --ignored"]
    fn one_million_rows_timing() {
        let options = DemoOptions { orders: Some(1_000_000), ..DemoOptions::default() };
        let start = std::time::Instant::now();
        let mut bytes = 0u64;
        struct Count<'a>(&'a mut u64);
        impl Write for Count<'_> {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                *self.0 += b.len() as u64;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let rows = write_orders(&options, Count(&mut bytes)).ok();
        let elapsed = start.elapsed();
        eprintln!("1M rows, {bytes} bytes in {elapsed:?}");
        assert_eq!(rows, Some(1_000_000));
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_secs_f64() < 2.0);
        }
    }
}

#[cfg(test)]
mod lines_and_events_tests {
    use super::*;

    #[test]
    fn default_demo_fires_every_behaviour_tag_with_data() {
        let mut ws = crate::Workspace::new();
        let (orders, members, lines, events) = ws.load_demo(&DemoOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        for r in [&orders, &members, &lines, &events] {
            assert!(r.rejected.is_empty(), "{:?}", r.rejected.first());
        }
        let summary = ws.analyze(None).unwrap_or_else(|e| panic!("{e}")).clone();
        let counts: Vec<(String, u64)> = summary.tags.iter().map(|c| (c.key.clone(), c.members)).collect();
        eprintln!("tags {counts:?}");
        for key in [
            "discount_driven",
            "stockpiler",
            "anxious",
            "honour",
            "curious",
            "easy_sharer",
            "indecisive",
            "circle",
            "gift_giver",
            "promo_driven",
            "influenced",
        ] {
            let n = counts.iter().find(|c| c.0 == key).map_or(0, |c| c.1);
            assert!(n >= 1, "no member tagged {key}: {counts:?}");
        }
        // Manual tags from the members file count beside them.
        assert!(summary.tags.iter().any(|c| c.source == "manual" && c.key == "老顾客" && c.members >= 10));
        let insights = &ws.analysis().unwrap_or_else(|e| panic!("{e}")).insights.summary;
        // Regulars' taste shows in the categories value members buy most: coffee and fresh food
        // take a larger share of their spend than of all buyers', drinks and snacks a smaller one.
        let share = |group: usize, category: &str| {
            insights.categories[group].by_spend.iter().find(|r| r.category == category).map_or(0.0, |r| r.spend_share)
        };
        assert!(share(1, "咖啡") > share(0, "咖啡") && share(1, "鲜食") > share(0, "鲜食"));
        assert!(share(1, "饮料") < share(0, "饮料") && share(1, "零食") < share(0, "零食"));
        assert_eq!(summary.stores.len(), 3);
        assert_eq!(summary.benefit_cards.len(), 3);
        assert!(summary.preferred_channels.len() >= 4, "{:?}", summary.preferred_channels);
        for crowd in [
            "wechatFan = yes and daysSinceFollowed <= 30",
            "daysSinceVisit <= 7",
            "not daysSinceVisit <= 30",
            "daysSinceCartAdd <= 7",
            "orders2Years >= 20",
            "ordersNoRefund < orders2Years or ordersNoRefund < 5",
            "benefitCard = 省钱卡",
            "preferredChannel = 短信",
        ] {
            let q = crate::analytics::query::MembersQuery {
                crowd: Some(crowd.into()),
                limit: Some(0),
                ..Default::default()
            };
            assert!(ws.members(&q).map_or(0, |p| p.total) > 0, "{crowd} is empty on the demo");
        }
    }

    #[test]
    fn demo_points_agree_with_the_ledger_but_for_a_few() {
        let mut ws = crate::Workspace::new();
        ws.load_demo(&DemoOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        ws.analyze(None).unwrap_or_else(|e| panic!("{e}"));
        let p = ws.points(None).unwrap_or_else(|e| panic!("{e}"));
        // Points were spent, never more than the member had, never over the cap.
        assert!(p.spent_points * 5 > p.earned_points, "{p:?}");
        assert_eq!((p.overdrawn_members, p.over_cap_orders, p.expired_points), (0, 0, 0));
        // The members file shows the ledger's balance but for 1–2% of members.
        let r = &p.reconcile;
        assert_eq!(r.compared, 2_000);
        assert!((20..=40).contains(&r.differing), "{r:?}");
        let page = ws.points_reconcile(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
        for d in &page.rows {
            // A missed purchase (at most a big basket's points) or an adjustment.
            let plausible = ADJUSTMENTS.contains(&d.difference) || (-600..0).contains(&d.difference);
            assert!(plausible && d.imported >= 0 && d.ledger > 0, "{d:?}");
        }
        // Default expiry (end of the year after): the 2025 points go on
        // 2027-01-01, 61 days after the demo's date, the 2026 ones a year later.
        let days: Vec<_> = p.expiry_schedule.iter().map(|b| (b.day.as_str(), b.days_left)).collect();
        assert_eq!(days, [("2027-01-01", 61), ("2028-01-01", 426)]);
        assert_eq!(p.expiring_members, 0);
        let december = ws.points(Some("2026-12-05")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(december.expiring_points, p.expiry_schedule[0].points);
        assert_eq!(december.expiring_members, p.expiry_schedule[0].members);
    }

    #[test]
    fn points_are_spent_at_the_till_and_exchanged() {
        let files = generate(&DemoOptions::default());
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap_or_default();
        let orders = text(&files.orders);
        let mut offsets = 0;
        for l in orders.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            let Some(points) = f.get(8).filter(|p| !p.is_empty()) else { continue };
            let points: u64 = points.parse().unwrap_or_else(|e| panic!("{l}: {e}"));
            let (y, c) = f[3].split_once('.').unwrap_or(("0", "0"));
            let fen = y.parse::<u64>().unwrap_or(0) * 100 + c.parse::<u64>().unwrap_or(0);
            // Whole yuan, at most the cash paid (half the order's value), at
            // the store's own tills, on orders that stood.
            assert!(points % 100 == 0 && points > 0 && points <= fen, "{l}");
            assert!(f[4] == "交易成功" && (f[7] == "门店POS" || f[7] == "小程序"), "{l}");
            offsets += 1;
        }
        let events = text(&files.events);
        let redeemed: Vec<&str> = events.lines().filter(|l| l.contains(",points_redeemed,")).collect();
        for l in &redeemed {
            let f: Vec<&str> = l.split(',').collect();
            assert!(ACTIVITY_KINDS[9..].contains(&f[3]) && f[6].parse::<u32>().is_ok_and(|p| p > 0), "{l}");
        }
        // Other events carry no points.
        assert!(events.lines().skip(1).filter(|l| !l.contains(",points_redeemed,")).all(|l| l.ends_with(',')));
        assert!((300..=900).contains(&offsets), "orders paid with points {offsets}");
        assert!((30..=150).contains(&redeemed.len()), "exchanges {}", redeemed.len());
    }

    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }

    #[test]
    fn golden_fingerprint_of_lines_and_events() {
        // Pins the new files; see `tests::golden_fingerprint`.
        let files = generate(&DemoOptions { seed: 42, members: Some(60), orders: Some(700) });
        assert_eq!(
            (fnv(&files.order_lines), fnv(&files.events)),
            // Lines as on main (the regulars' taste, REGULAR_TASTE); events are main's
            // (four message channels, the influenced members' content, the coupon
            // templates' keys in 优惠券) with ui-points' points_redeemed and the 积分
            // column after 优惠券.
            (3313243137246408586, 17742444366520622394),
            "demo output changed"
        );
    }

    #[test]
    fn lines_sum_to_orders_and_streams_match() {
        let options = DemoOptions::default();
        let files = generate(&options);
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap_or_default();
        let fen = |s: &str| {
            let (y, c) = s.split_once('.').unwrap_or(("x", "x"));
            y.parse::<u64>().ok().zip(c.parse::<u64>().ok()).map(|(y, c)| y * 100 + c)
        };
        let orders = text(&files.orders);
        let amounts: Vec<(String, u64)> = orders
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_owned(), fen(f[3]).unwrap_or(0))
            })
            .collect();
        let lines = text(&files.order_lines);
        assert!(lines.starts_with(ORDER_LINES_HEADER));
        let mut sums = std::collections::HashMap::<String, (u64, u32)>::new();
        let (mut n, mut special, mut wrapped) = (0.0, 0.0, 0);
        for l in lines.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 9, "{l}");
            let sub = fen(f[6]).unwrap_or_else(|| panic!("{l}"));
            assert!(sub > 0, "{l}");
            let e = sums.entry(f[0].to_owned()).or_default();
            e.0 += sub;
            e.1 += 1;
            n += 1.0;
            special += f64::from(u8::from(f[7] == "是"));
            wrapped += u32::from(f[8] == "是");
        }
        assert_eq!(sums.len(), amounts.len());
        for (id, amount) in &amounts {
            let (sum, count) = sums[id];
            assert_eq!(sum, *amount, "{id}");
            assert!((1..=4).contains(&count), "{id}");
        }
        assert!((0.10..=0.22).contains(&(special / n)), "special share {}", special / n);
        assert!(wrapped > 20, "gift wrap {wrapped}");
        let events = text(&files.events);
        assert!(events.starts_with(EVENTS_HEADER));
        let mut types = std::collections::HashSet::new();
        for l in events.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 7, "{l}");
            types.insert(f[2].to_owned());
        }
        assert_eq!(types.len(), EVENT_TYPES.len());
        let mut streamed = Vec::new();
        assert_eq!(write_order_lines(&options, &mut streamed).ok(), Some(n as u64));
        assert_eq!(streamed, files.order_lines);
        let mut streamed = Vec::new();
        assert!(write_events(&options, &mut streamed).is_ok());
        assert_eq!(streamed, files.events);
        assert_ne!(generate(&DemoOptions { seed: 7, ..options }).events, files.events);
    }
}
