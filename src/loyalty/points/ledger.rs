//! One member's points replayed day by day: what they earned and burned,
//! held as **lots** (积分批次: earn day, expiry day, points left) so that
//! burns take the oldest points first (FIFO) and each lot expires on its
//! own day.
//!
//! The order of a day: lots due that day expire first (they are gone *on*
//! their expiry day), then the day's orders and events in time order (an
//! order's points used are burned before its points are earned, and its
//! refund is clawed back right after), then a level-up gift.
//!
//! A burn larger than the balance (the store's data can start after the
//! member's first points) takes every lot and leaves the rest as a debt
//! that the next points earned repay first: the balance goes below zero
//! and the reconcile shows it, nothing is silently dropped.

use super::rules::{ExpiryMode, PointsRules};
use crate::model::{Day, EventType, Fen, OrderId, OrderKind, date_of, day_of, format_day, format_decimal, format_yuan};
use crate::rules::LevelRules;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// One order of the member, as the ledger needs it.
#[derive(Debug, Clone, Copy)]
pub struct OrderIn<'a> {
    /// Day paid.
    pub day: Day,
    /// Minute of the day.
    pub minute: u16,
    /// What the order counts as.
    pub kind: OrderKind,
    /// Net cash after refunds, fen (negative for a refund on its own row).
    pub net: Fen,
    /// Fen refunded on this order (`Orders::refunds`).
    pub refunded: Fen,
    /// Points used to pay (`Orders::points_used`).
    pub points_used: i64,
    /// Amount-weighted category multiplier of its lines (1 without lines).
    pub category_multiplier: f64,
    /// Order id as written.
    pub id: OrderId<'a>,
}

/// One event of the member that moves points.
#[derive(Debug, Clone, Copy)]
pub struct EventIn<'a> {
    /// Day.
    pub day: Day,
    /// Minute of the day.
    pub minute: u16,
    /// Type.
    pub kind: EventType,
    /// Points (for `points_redeemed`).
    pub points: i64,
    /// Activity kind as written (兑换优惠券, 积分抽奖 …), may be "".
    pub label: &'a str,
}

/// What a ledger line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Points for a purchase (消费积分).
    Purchase,
    /// Points clawed back by a refund (退款扣回).
    Refund,
    /// Daily sign-in (签到).
    SignIn,
    /// Sign-in streak bonus (连续签到奖励).
    StreakBonus,
    /// Review, share or referral (任务积分).
    Task,
    /// Level-up gift (升级礼).
    LevelUp,
    /// Points used to pay an order (积分抵现).
    CashOffset,
    /// Points spent on a coupon, a gift or a lottery (积分兑换).
    Redeem,
    /// Points that expired (积分过期).
    Expire,
}

/// One line of a member's ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// What happened.
    pub kind: LineKind,
    /// Points added (+) or taken (−).
    pub points: i64,
    /// Balance after this line.
    pub balance: i64,
    /// Why, in Chinese.
    pub reason: String,
    /// Why, in English.
    pub reason_en: String,
}

/// Points earned on one day, with what is left of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lot {
    /// Day earned.
    pub earned: Day,
    /// The first day they are gone.
    pub expires: Day,
    /// Points left.
    pub remaining: i64,
}

/// The result of a replay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replay {
    /// Lots with points left, oldest first.
    pub lots: Vec<Lot>,
    /// Points burned beyond the balance, not yet repaid.
    pub debt: i64,
    /// Balance: the lots' points minus the debt.
    pub balance: i64,
    /// Points earned (purchases, sign-ins, tasks, gifts).
    pub earned: i64,
    /// Points clawed back by refunds.
    pub clawed_back: i64,
    /// Points burned (cash offset and exchanges).
    pub spent: i64,
    /// Points expired.
    pub expired: i64,
    /// Orders whose points paid more than `cashOffset.maxShare` of them.
    pub over_cap_orders: u32,
    /// The lines, when asked for.
    pub lines: Option<Vec<Line>>,
}

/// The first day points earned on `day` are gone.
pub fn expiry_day(day: Day, rules: &PointsRules) -> Day {
    let date = date_of(day);
    let gone = match rules.expiry.mode {
        ExpiryMode::EndOfNextYear => NaiveDate::from_ymd_opt(date.year() + 2, 1, 1),
        ExpiryMode::Rolling => date.checked_add_months(Months::new(rules.expiry.rolling_months)),
    };
    gone.map_or(Day::MAX, day_of)
}

/// The multiplier of the member days that include `day` (the largest; 1 on other days).
fn member_day(day: Day, rules: &PointsRules) -> Option<(f64, &str, &str)> {
    let date = date_of(day);
    rules
        .member_days
        .iter()
        .filter(|d| d.weekdays.contains(&date.weekday().number_from_monday()) || d.days_of_month.contains(&date.day()))
        .max_by(|a, b| a.multiplier.total_cmp(&b.multiplier))
        .map(|d| (d.multiplier, d.name.as_str(), d.name_en.as_str()))
}

/// `x` floored, with a margin for binary fractions (1.2 × 10 is 12, not 11).
fn floor_points(x: f64) -> i64 {
    if x.is_finite() && x > 0.0 { (x + 1e-6).floor().min(i64::MAX as f64) as i64 } else { 0 }
}

/// Points for `fen` of cash at `multiplier`: whole yuan × per-yuan rate × multiplier, floored.
pub fn purchase_points(fen: Fen, multiplier: f64, rules: &PointsRules) -> i64 {
    floor_points((fen.max(0) / 100) as f64 * rules.per_yuan * multiplier)
}

/// The spend bonus of an order paying `fen`.
fn spend_bonus(fen: Fen, rules: &PointsRules) -> i64 {
    let step = i64::from(rules.spend_bonus.every_yuan) * 100;
    if step > 0 { (fen.max(0) / step).saturating_mul(rules.spend_bonus.points) } else { 0 }
}

/// The fen that `points` are worth (floored).
pub fn points_value_fen(points: i64, rules: &PointsRules) -> Fen {
    points.saturating_mul(100) / rules.cash_offset.points_per_yuan
}

/// The most points an order worth `order_fen` (before points) may take,
/// given a balance: `maxShare` of the order's value, floored to whole
/// points, and never more than the balance.
pub fn max_offset_points(order_fen: Fen, balance: i64, rules: &PointsRules) -> i64 {
    let cap_fen = floor_points(order_fen.max(0) as f64 * rules.cash_offset.max_share);
    (cap_fen.saturating_mul(rules.cash_offset.points_per_yuan) / 100).min(balance.max(0))
}

/// Whether paying `points` on an order of `cash_fen` cash breaks the cap:
/// the points' value may be at most `maxShare` of cash + points' value.
fn over_cap(cash_fen: Fen, points: i64, rules: &PointsRules) -> bool {
    let value = points_value_fen(points, rules);
    value as f64 > (cash_fen.max(0) + value) as f64 * rules.cash_offset.max_share + 1e-6
}

/// Replays one member's orders, events and level changes (`levels`: from
/// [`crate::analytics::levels::timeline`]) up to the day before `as_of`,
/// and expires what is due on or before `as_of`. With `lines`, every line
/// is kept with its reason.
pub fn replay(
    orders: &[OrderIn<'_>],
    events: &[EventIn<'_>],
    levels: &[(Day, usize)],
    as_of: Day,
    rules: &PointsRules,
    level_rules: &LevelRules,
    lines: bool,
) -> Replay {
    #[derive(Clone, Copy)]
    enum Item {
        Order(usize),
        Event(usize),
        Level(usize),
    }
    let mut items: Vec<(Day, u16, Item)> = Vec::with_capacity(orders.len() + events.len() + levels.len());
    items.extend(orders.iter().enumerate().map(|(k, o)| (o.day, o.minute, Item::Order(k))));
    items.extend(events.iter().enumerate().map(|(k, e)| (e.day, e.minute, Item::Event(k))));
    items.extend(levels.iter().enumerate().map(|(k, l)| (l.0, 24 * 60, Item::Level(k))));
    // Stable: orders before events at the same minute, each in file order.
    items.sort_by_key(|&(day, minute, _)| (day, minute));

    let mut r = State { out: Replay { lines: lines.then(Vec::new), ..Replay::default() }, head: 0, rules };
    let mut level = 0usize;
    let mut reached = 0usize;
    let mut last_sign_in: Option<(Day, u32)> = None;
    let level_name = |k: usize| level_rules.levels.get(k).map_or(("", ""), |l| (l.name.as_str(), l.name_en.as_str()));
    for &(day, _, item) in items.iter().take_while(|(day, _, _)| *day < as_of) {
        r.expire(day);
        match item {
            Item::Order(k) => {
                let o = &orders[k];
                let multiplier = if rules.level_multiplier {
                    level_rules.levels.get(level).map_or(1.0, |l| l.points_multiplier)
                } else {
                    1.0
                };
                r.order(o, multiplier, level_name(level));
            }
            Item::Event(k) => {
                let e = &events[k];
                match e.kind {
                    EventType::SignIn => {
                        let streak = match last_sign_in {
                            Some((d, _)) if d == day => continue,
                            Some((d, n)) if d + 1 == day => n + 1,
                            _ => 1,
                        };
                        last_sign_in = Some((day, streak));
                        r.earn(day, LineKind::SignIn, rules.sign_in.points, || {
                            ("每日签到".into(), "Daily sign-in".into())
                        });
                        if streak % rules.sign_in.streak_days.max(1) == 0 {
                            r.earn(day, LineKind::StreakBonus, rules.sign_in.streak_bonus, || {
                                (format!("连续签到 {streak} 天奖励"), format!("{streak}-day sign-in streak bonus"))
                            });
                        }
                    }
                    EventType::Review => {
                        r.earn(day, LineKind::Task, rules.tasks.review, || ("评价奖励".into(), "Review reward".into()))
                    }
                    EventType::Share => {
                        r.earn(day, LineKind::Task, rules.tasks.share, || ("分享奖励".into(), "Share reward".into()))
                    }
                    EventType::Referral => r.earn(day, LineKind::Task, rules.tasks.referral, || {
                        ("推荐好友奖励".into(), "Referral reward".into())
                    }),
                    EventType::PointsRedeemed if e.points > 0 => r.burn(day, LineKind::Redeem, e.points, || {
                        if e.label.is_empty() {
                            ("积分兑换".into(), "Points redeemed".into())
                        } else {
                            (format!("积分兑换：{}", e.label), format!("Points redeemed: {}", e.label))
                        }
                    }),
                    _ => {}
                }
            }
            Item::Level(k) => {
                level = levels[k].1;
                while reached < level {
                    reached += 1;
                    let Some(l) = level_rules.levels.get(reached) else { break };
                    let gift = rules.level_up_gifts.iter().filter(|g| g.level == l.key).map(|g| g.points).sum();
                    r.earn(day, LineKind::LevelUp, gift, || {
                        (format!("升级礼：{}", l.name), format!("Level-up gift: {}", l.name_en))
                    });
                }
            }
        }
    }
    r.expire(as_of);
    r.out
}

/// The replay in progress.
struct State<'r> {
    out: Replay,
    /// First lot that may have points left.
    head: usize,
    rules: &'r PointsRules,
}

impl State<'_> {
    fn line(&mut self, day: Day, kind: LineKind, points: i64, reason: impl FnOnce() -> (String, String)) {
        self.out.balance += points;
        let balance = self.out.balance;
        if let Some(lines) = &mut self.out.lines {
            let (reason, reason_en) = reason();
            lines.push(Line { day: format_day(day), kind, points, balance, reason, reason_en });
        }
    }

    /// Add a lot of `points` earned on `day`; the debt is repaid first.
    fn add_lot(&mut self, day: Day, points: i64) {
        let repaid = points.min(self.out.debt);
        self.out.debt -= repaid;
        if points > repaid {
            let expires = expiry_day(day, self.rules);
            self.out.lots.push(Lot { earned: day, expires, remaining: points - repaid });
        }
    }

    fn earn(&mut self, day: Day, kind: LineKind, points: i64, reason: impl FnOnce() -> (String, String)) {
        if points <= 0 {
            return;
        }
        self.out.earned += points;
        self.line(day, kind, points, reason);
        self.add_lot(day, points);
    }

    /// Take `points` from the oldest lots; what they lack becomes debt.
    /// Returns the shortfall.
    fn take(&mut self, points: i64) -> i64 {
        let mut left = points;
        while left > 0 {
            let Some(lot) = self.out.lots.get_mut(self.head) else { break };
            let t = left.min(lot.remaining);
            lot.remaining -= t;
            left -= t;
            if lot.remaining == 0 {
                self.head += 1;
            }
        }
        self.out.debt += left;
        left
    }

    fn burn(&mut self, day: Day, kind: LineKind, points: i64, reason: impl FnOnce() -> (String, String)) {
        let short = self.take(points);
        match kind {
            LineKind::Refund => self.out.clawed_back += points,
            _ => self.out.spent += points,
        }
        self.line(day, kind, -points, || {
            let (zh, en) = reason();
            if short > 0 {
                (format!("{zh}（超出余额 {short} 分）"), format!("{en} ({short} more than the balance)"))
            } else {
                (zh, en)
            }
        });
    }

    /// Expire the lots whose expiry day is on or before `day`, one line per expiry day.
    fn expire(&mut self, day: Day) {
        while let Some(&first) = self.out.lots.get(self.head).filter(|l| l.expires <= day) {
            let (mut points, mut last_earned) = (0, first.earned);
            while let Some(lot) = self.out.lots.get_mut(self.head).filter(|l| l.expires == first.expires) {
                points += lot.remaining;
                last_earned = lot.earned;
                lot.remaining = 0;
                self.head += 1;
            }
            self.out.expired += points;
            let (from, to) = (format_day(first.earned), format_day(last_earned));
            self.line(first.expires, LineKind::Expire, -points, || {
                (format!("积分到期（{from} 至 {to} 获得）"), format!("Points earned {from} to {to} expired"))
            });
        }
        // Spent lots stay behind `head`; drop them now and then.
        if self.head > 64 && self.head * 2 > self.out.lots.len() {
            self.out.lots.drain(..self.head);
            self.head = 0;
        }
    }

    fn order(&mut self, o: &OrderIn<'_>, level: f64, level_name: (&str, &str)) {
        let rules = self.rules;
        let reference = |zh: &str| if o.id.is_empty() { String::new() } else { format!("（{zh} {}）", o.id) };
        let reference_en = || if o.id.is_empty() { String::new() } else { format!(" (order {})", o.id) };
        match o.kind {
            OrderKind::Adjustment => {
                // A refund on its own row: its order is unknown, so the
                // base points of its amount at today's level go back.
                let claw = purchase_points(-o.net, level, rules);
                if claw > 0 {
                    let yuan = format_yuan(-o.net);
                    self.burn(o.day, LineKind::Refund, claw, || {
                        (
                            format!("退款 ¥{yuan} 扣回积分（单独入账的退款）{}", reference("单号")),
                            format!("Refund of ¥{yuan} booked on its own row: points clawed back{}", reference_en()),
                        )
                    });
                }
            }
            OrderKind::NotPurchase if o.refunded <= 0 => {}
            OrderKind::Purchase | OrderKind::NotPurchase => {
                let paid = o.net + o.refunded;
                if o.kind == OrderKind::Purchase && o.points_used > 0 {
                    let over = over_cap(paid, o.points_used, rules);
                    self.out.over_cap_orders += u32::from(over);
                    let value = format_yuan(points_value_fen(o.points_used, rules));
                    let share = format_decimal(rules.cash_offset.max_share * 100.0);
                    self.burn(o.day, LineKind::CashOffset, o.points_used, || {
                        let (zh, en) = if over {
                            (format!("，超出抵扣上限 {share}%"), format!(", over the {share}% cap"))
                        } else {
                            (String::new(), String::new())
                        };
                        (
                            format!("积分抵现 ¥{value}{}{zh}", reference("订单")),
                            format!("Paid ¥{value} with points{}{en}", reference_en()),
                        )
                    });
                }
                let day_rate = member_day(o.day, rules);
                let multiplier = level * o.category_multiplier * day_rate.map_or(1.0, |d| d.0);
                let base = purchase_points(paid, multiplier, rules);
                let bonus = spend_bonus(paid, rules);
                let earned = base + bonus;
                if earned <= 0 {
                    return;
                }
                let kept = if o.refunded > 0 && paid > 0 {
                    (i128::from(earned) * i128::from(paid - o.refunded) / i128::from(paid)) as i64
                } else {
                    earned
                };
                self.out.earned += earned;
                self.line(o.day, LineKind::Purchase, earned, || {
                    let yuan = format_yuan(paid);
                    let (mut zh, mut en) = (
                        format!("消费 ¥{yuan}{}", reference("订单")),
                        format!("Purchase of ¥{yuan}{}", reference_en()),
                    );
                    if (level - 1.0).abs() > 1e-9 {
                        let level = format_decimal(level);
                        zh += &format!(" ×{level} {}", level_name.0);
                        en += &format!(" ×{level} {}", level_name.1);
                    }
                    if (o.category_multiplier - 1.0).abs() > 1e-9 {
                        let c = format_decimal((o.category_multiplier * 1000.0).round() / 1000.0);
                        zh += &format!(" ×{c} 品类");
                        en += &format!(" ×{c} categories");
                    }
                    if let Some((m, name, name_en)) = day_rate {
                        let m = format_decimal(m);
                        zh += &format!(" ×{m} {name}");
                        en += &format!(" ×{m} {name_en}");
                    }
                    if bonus > 0 {
                        zh += &format!(" + {bonus} 满额奖励");
                        en += &format!(" + {bonus} spend bonus");
                    }
                    (zh, en)
                });
                if kept < earned {
                    self.out.clawed_back += earned - kept;
                    let refunded = format_yuan(o.refunded);
                    self.line(o.day, LineKind::Refund, kept - earned, || {
                        (
                            format!("退款 ¥{refunded} 扣回积分{}", reference("订单")),
                            format!("Refund of ¥{refunded}: points clawed back{}", reference_en()),
                        )
                    });
                }
                self.add_lot(o.day, kept);
            }
        }
    }
}
