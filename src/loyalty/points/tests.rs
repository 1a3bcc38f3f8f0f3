//! Hand-worked ledgers: each test states the arithmetic it checks.

use super::ledger::{EventIn, LineKind, OrderIn, Replay, expiry_day, max_offset_points, replay};
use super::rules::{ExpiryMode, PointsRules};
use crate::model::{Day, EventType, Fen, OrderKind, day_of, format_day};
use crate::rules::{LevelRules, Rules};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> Day {
    day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// Default rules without the member day, so that plain days are plain.
fn plain() -> PointsRules {
    PointsRules { member_days: Vec::new(), ..PointsRules::default() }
}

fn buy(at: Day, fen: Fen) -> OrderIn<'static> {
    OrderIn {
        day: at,
        minute: 600,
        kind: OrderKind::Purchase,
        net: fen,
        refunded: 0,
        points_used: 0,
        category_multiplier: 1.0,
        id: "".into(),
    }
}

fn event(at: Day, kind: EventType, points: i64) -> EventIn<'static> {
    EventIn { day: at, minute: 480, kind, points, label: "" }
}

fn run(orders: &[OrderIn<'_>], events: &[EventIn<'_>], as_of: Day, rules: &PointsRules) -> Replay {
    replay(orders, events, &[], as_of, rules, &LevelRules::default(), true)
}

/// The lines as (day, kind, points, balance).
fn lines(r: &Replay) -> Vec<(String, LineKind, i64, i64)> {
    r.lines.iter().flatten().map(|l| (l.day.clone(), l.kind, l.points, l.balance)).collect()
}

fn held(r: &Replay) -> Vec<(String, i64)> {
    r.lots.iter().filter(|l| l.remaining > 0).map(|l| (format_day(l.earned), l.remaining)).collect()
}

#[test]
fn points_expire_on_the_first_day_of_the_second_year_after() {
    // ¥100 on 2025-03-01 earns 100, usable through 2026-12-31, gone on 2027-01-01.
    let rules = plain();
    let orders = [buy(day(2025, 3, 1), 10_000)];
    assert_eq!(expiry_day(day(2025, 3, 1), &rules), day(2027, 1, 1));
    assert_eq!(expiry_day(day(2025, 12, 31), &rules), day(2027, 1, 1));
    let before = run(&orders, &[], day(2026, 12, 31), &rules);
    assert_eq!((before.balance, before.expired), (100, 0));
    let on = run(&orders, &[], day(2027, 1, 1), &rules);
    assert_eq!((on.balance, on.expired), (0, 100));
    assert_eq!(lines(&on).last(), Some(&("2027-01-01".into(), LineKind::Expire, -100, 0)));
    let line = on.lines.as_ref().and_then(|l| l.last()).unwrap();
    assert_eq!(line.reason, "积分到期（2025-03-01 至 2025-03-01 获得）");
}

#[test]
fn rolling_expiry_keeps_points_twelve_months() {
    let rules =
        PointsRules { expiry: super::rules::Expiry { mode: ExpiryMode::Rolling, rolling_months: 12 }, ..plain() };
    assert_eq!(expiry_day(day(2025, 3, 15), &rules), day(2026, 3, 15));
    // 29 February has no twin: the month's last day.
    assert_eq!(expiry_day(day(2024, 2, 29), &rules), day(2025, 2, 28));
    let orders = [buy(day(2025, 3, 15), 5_000)];
    assert_eq!(run(&orders, &[], day(2026, 3, 14), &rules).balance, 50);
    assert_eq!(run(&orders, &[], day(2026, 3, 15), &rules).balance, 0);
}

#[test]
fn burns_take_the_oldest_lots_first() {
    // Lots: A 100 (2024-06-01, gone 2026-01-01), B 50 (2025-02-01), C 30
    // (2025-03-01; B and C gone 2027-01-01).
    // 2025-04-01 redeem 80: A 100 → 20.       balance 100
    // 2026-01-01 A expires: −20.               balance 80
    // 2026-02-01 redeem 60: B 50 → 0, C → 20.  balance 20
    // 2027-01-01 C expires: −20.               balance 0
    let rules = plain();
    let orders = [buy(day(2024, 6, 1), 10_000), buy(day(2025, 2, 1), 5_000), buy(day(2025, 3, 1), 3_000)];
    let events =
        [event(day(2025, 4, 1), EventType::PointsRedeemed, 80), event(day(2026, 2, 1), EventType::PointsRedeemed, 60)];
    let r = run(&orders, &events, day(2025, 12, 31), &rules);
    assert_eq!(held(&r), [("2024-06-01".into(), 20), ("2025-02-01".into(), 50), ("2025-03-01".into(), 30)]);
    let r = run(&orders, &events, day(2026, 6, 1), &rules);
    assert_eq!(held(&r), [("2025-03-01".into(), 20)]);
    assert_eq!((r.balance, r.spent, r.expired), (20, 140, 20));
    let r = run(&orders, &events, day(2027, 1, 1), &rules);
    assert_eq!(
        lines(&r),
        [
            ("2024-06-01".into(), LineKind::Purchase, 100, 100),
            ("2025-02-01".into(), LineKind::Purchase, 50, 150),
            ("2025-03-01".into(), LineKind::Purchase, 30, 180),
            ("2025-04-01".into(), LineKind::Redeem, -80, 100),
            ("2026-01-01".into(), LineKind::Expire, -20, 80),
            ("2026-02-01".into(), LineKind::Redeem, -60, 20),
            ("2027-01-01".into(), LineKind::Expire, -20, 0),
        ]
    );
}

#[test]
fn refunds_claw_back_what_the_order_earned() {
    let rules = plain();
    // Paid ¥10.00, ¥3.33 refunded: earned 10, kept ⌊10 × 6.67 / 10⌋ = 6, clawed back 4.
    let partial = OrderIn { net: 667, refunded: 333, id: "D1".into(), ..buy(day(2026, 3, 2), 0) };
    // Paid ¥99 and refunded in full: +99 then −99.
    let full =
        OrderIn { kind: OrderKind::NotPurchase, net: 0, refunded: 9_900, id: "D2".into(), ..buy(day(2026, 3, 3), 0) };
    // Closed, never paid: nothing.
    let closed = OrderIn { kind: OrderKind::NotPurchase, net: 0, refunded: 0, ..buy(day(2026, 3, 3), 0) };
    // ¥50 paid, then a ¥20.50 refund booked on its own row: −20 from the oldest lot.
    let adjustment = OrderIn { kind: OrderKind::Adjustment, net: -2_050, ..buy(day(2026, 3, 5), 0) };
    let orders = [partial, full, closed, buy(day(2026, 3, 4), 5_000), adjustment];
    let r = run(&orders, &[], day(2026, 4, 1), &rules);
    assert_eq!(
        lines(&r),
        [
            ("2026-03-02".into(), LineKind::Purchase, 10, 10),
            ("2026-03-02".into(), LineKind::Refund, -4, 6),
            ("2026-03-03".into(), LineKind::Purchase, 99, 105),
            ("2026-03-03".into(), LineKind::Refund, -99, 6),
            ("2026-03-04".into(), LineKind::Purchase, 50, 56),
            ("2026-03-05".into(), LineKind::Refund, -20, 36),
        ]
    );
    assert_eq!((r.earned, r.clawed_back, r.balance), (159, 123, 36));
    // The adjustment took the 6 of 2026-03-02 first, then 14 of 2026-03-04.
    assert_eq!(held(&r), [("2026-03-04".into(), 36)]);
    let reason = &r.lines.as_ref().unwrap()[1];
    assert_eq!(
        (reason.reason.as_str(), reason.reason_en.as_str()),
        ("退款 ¥3.33 扣回积分（订单 D1）", "Refund of ¥3.33: points clawed back (order D1)")
    );
}

#[test]
fn sign_in_streak_bonus_on_every_seventh_day() {
    let rules = plain();
    let start = day(2026, 5, 1);
    // 1–14 May every day (the 3rd twice), then 16 May after a gap.
    let mut events: Vec<EventIn<'_>> = (0..14).map(|k| event(start + k, EventType::SignIn, 0)).collect();
    events.push(event(start + 2, EventType::SignIn, 0));
    events.push(event(start + 15, EventType::SignIn, 0));
    // Six days: 6 points, no bonus yet.
    assert_eq!(run(&[], &events, start + 6, &rules).balance, 6);
    // The 7th day: 7 + 10.
    let r = run(&[], &events, start + 7, &rules);
    assert_eq!(r.balance, 17);
    assert_eq!(lines(&r).last(), Some(&("2026-05-07".into(), LineKind::StreakBonus, 10, 17)));
    // Day 14: 14 + 20; 16 May restarts the streak: +1, no bonus.
    assert_eq!(run(&[], &events, start + 14, &rules).balance, 34);
    assert_eq!(run(&[], &events, start + 30, &rules).balance, 35);
}

#[test]
fn tasks_earn_their_points() {
    let rules = plain();
    let d = day(2026, 6, 1);
    let events = [event(d, EventType::Review, 0), event(d, EventType::Share, 0), event(d, EventType::Referral, 0)];
    assert_eq!(run(&[], &events, d + 1, &rules).balance, 10 + 5 + 50);
}

#[test]
fn member_day_doubles_and_multiplies_with_the_level() {
    let rules = PointsRules::default(); // member day: the 8th, ×2
    // ¥25.50 → 25 yuan; on 8 March ×2 = 50, on 9 March 25.
    let orders = [buy(day(2026, 3, 8), 2_550), buy(day(2026, 3, 9), 2_550)];
    let r = run(&orders, &[], day(2026, 4, 1), &rules);
    assert_eq!(lines(&r).iter().map(|l| l.2).collect::<Vec<_>>(), [50, 25]);
    assert_eq!(r.lines.as_ref().unwrap()[0].reason, "消费 ¥25.50 ×2 会员日");
    // At silver (×1.2) since 1 March: 25 × 1.2 × 2 = 60 and 25 × 1.2 = 30.
    let levels = [(day(2026, 3, 1), 1)];
    let r = replay(&orders, &[], &levels, day(2026, 4, 1), &rules, &LevelRules::default(), true);
    assert_eq!(lines(&r).iter().map(|l| l.2).collect::<Vec<_>>(), [100, 60, 30]);
    assert_eq!(r.lines.as_ref().unwrap()[1].reason_en, "Purchase of ¥25.50 ×1.2 Silver ×2 Member day");
}

#[test]
fn level_up_gifts_once_per_level_reached() {
    let rules = plain();
    // Basic → gold on 2026-01-10 (silver skipped: both gifts), down to silver
    // at a review, back to gold: no second gift.
    let levels = [(day(2026, 1, 10), 2), (day(2027, 1, 1), 1), (day(2027, 2, 1), 2)];
    let r = replay(&[], &[], &levels, day(2027, 3, 1), &rules, &LevelRules::default(), true);
    assert_eq!(
        lines(&r),
        [("2026-01-10".into(), LineKind::LevelUp, 100, 100), ("2026-01-10".into(), LineKind::LevelUp, 200, 300)]
    );
    // The order of the upgrade day earns at the old level; the next day's at the new.
    let orders = [buy(day(2026, 1, 10), 10_000), buy(day(2026, 1, 11), 10_000)];
    let r = replay(&orders, &[], &levels, day(2026, 2, 1), &rules, &LevelRules::default(), true);
    assert_eq!(lines(&r).iter().map(|l| l.2).collect::<Vec<_>>(), [100, 100, 200, 150]);
}

#[test]
fn spend_bonus_per_full_step() {
    let rules = PointsRules { spend_bonus: super::rules::SpendBonus { every_yuan: 100, points: 20 }, ..plain() };
    // ¥250: 250 + 2 × 20; ¥99.99: 99, no bonus.
    let r = run(&[buy(day(2026, 1, 2), 25_000), buy(day(2026, 1, 3), 9_999)], &[], day(2026, 2, 1), &rules);
    assert_eq!(lines(&r).iter().map(|l| l.2).collect::<Vec<_>>(), [290, 99]);
}

#[test]
fn cash_offset_is_capped_at_half_the_order() {
    let rules = plain(); // 100 points = ¥1, at most 50 % of the order
    // An order worth ¥80 before points may take 4,000 points, or the balance if less.
    assert_eq!(max_offset_points(8_000, 10_000, &rules), 4_000);
    assert_eq!(max_offset_points(8_000, 1_000, &rules), 1_000);
    assert_eq!(max_offset_points(8_001, 10_000, &rules), 4_000);
    // ¥30 cash + 3,000 points (¥30): exactly half, allowed; 3,001 is over.
    let d = day(2026, 7, 1);
    let ok = OrderIn { points_used: 3_000, id: "D9".into(), ..buy(d + 1, 3_000) };
    let over = OrderIn { points_used: 3_001, ..buy(d + 2, 3_000) };
    let events = [event(d, EventType::Referral, 0)];
    let rules = PointsRules { tasks: super::rules::TaskRules { referral: 10_000, ..Default::default() }, ..rules };
    let r = run(&[ok, over], &events, d + 3, &rules);
    assert_eq!(r.over_cap_orders, 1);
    let l = r.lines.as_ref().unwrap();
    assert_eq!(l[1].reason, "积分抵现 ¥30.00（订单 D9）");
    assert_eq!(l[3].reason, "积分抵现 ¥30.01，超出抵扣上限 50%");
    // Burned before the order's own points are earned: 10,000 − 3,000 + 30 − 3,001 + 30.
    assert_eq!(r.balance, 4_059);
}

#[test]
fn a_burn_beyond_the_balance_is_a_debt_repaid_first() {
    let rules = plain();
    let d = day(2026, 2, 1);
    let events = [event(d, EventType::PointsRedeemed, 50)];
    let orders = [buy(d + 1, 3_000), buy(d + 2, 4_000)];
    let r = run(&orders, &events, d + 3, &rules);
    assert_eq!(lines(&r).iter().map(|l| l.3).collect::<Vec<_>>(), [-50, -20, 20]);
    assert_eq!(r.lines.as_ref().unwrap()[0].reason, "积分兑换（超出余额 50 分）");
    assert_eq!(held(&r), [("2026-02-03".into(), 20)]);
    assert_eq!(r.debt, 0);
}

#[test]
fn rules_validate_with_named_paths() {
    let e = |json: &str| Rules::from_json(json).unwrap_err().field().map(str::to_string);
    assert_eq!(e(r#"{"points": {"cashOffset": {"maxShare": 1.5}}}"#).as_deref(), Some("points.cashOffset.maxShare"));
    assert_eq!(
        e(r#"{"points": {"levelUpGifts": [{"level": "bronze", "points": 5}]}}"#).as_deref(),
        Some("points.levelUpGifts[0].level")
    );
    assert_eq!(
        e(r#"{"points": {"memberDays": [{"name": "x", "weekdays": [8], "multiplier": 2}]}}"#).as_deref(),
        Some("points.memberDays[0].weekdays[0]")
    );
    assert_eq!(e(r#"{"points": {"signIn": {"streakDays": 0}}}"#).as_deref(), Some("points.signIn.streakDays"));
    assert_eq!(e(r#"{"points": {"perYuan": -1}}"#).as_deref(), Some("points.perYuan"));
    assert_eq!(e(r#"{"points": {"expiry": {"mode": "never"}}}"#).as_deref(), Some("points.expiry.mode"));
    let r = Rules::from_json(r#"{"points": {"expiry": {"mode": "rolling"}}}"#).unwrap();
    assert_eq!(r.points.expiry.mode, ExpiryMode::Rolling);
}
