//! What each member did besides their RFM, for seed 003's crowd filters
//! (DOMAIN §7): when they last visited the shop and last added to the cart
//! (events), and how many orders they placed in the last two years, with
//! and without a refund.
//!
//! - **Last visit / last cart add**: the latest `visit` / `add_to_cart`
//!   event before the analysis date. The crowd fields `daysSinceVisit` and
//!   `daysSinceCartAdd` are the whole days from it to the analysis date (the
//!   day before gives 1); a member without such an event has no value, so
//!   `not daysSinceVisit <= 30` ("has not visited recently") includes them.
//! - **Orders in the last two years**: purchases (paid orders; refunded in
//!   full and closed ones are not purchases) with
//!   `as_of − 730 days <= day < as_of`. **Without refund**: those of them
//!   with no refund at all (a partial refund counts as a refund).

use crate::model::{Dataset, Day, EventType, OrderKind};

/// Days in "the last two years" of the order counts.
pub const TWO_YEARS_DAYS: Day = 730;

/// One member's activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Latest visit event before the analysis date.
    pub last_visit: Option<Day>,
    /// Latest add-to-cart event before the analysis date.
    pub last_cart_add: Option<Day>,
    /// Purchases in the last two years.
    pub orders_2y: u32,
    /// Purchases in the last two years without any refund.
    pub orders_no_refund_2y: u32,
}

/// Each member's activity, by analysis member index (`n` of them).
/// `order_member` maps the orders' member index to the analysis' index,
/// `member_of_event` the events' (`None`: not a known member).
pub fn activity(
    data: &Dataset,
    order_member: &[u32],
    member_of_event: &[Option<u32>],
    n: usize,
    as_of: Day,
) -> Vec<Activity> {
    let mut out = vec![Activity::default(); n];
    if let Some(orders) = &data.orders {
        let from = as_of - TWO_YEARS_DAYS;
        // The refunded rows, ascending like `i`: walked alongside rather than searched per order.
        let mut refunds = orders.refunds.iter().map(|&(row, _)| row as usize).peekable();
        for i in 0..orders.len() {
            let day = orders.day(i);
            if orders.kind[i] != OrderKind::Purchase || day < from || day >= as_of {
                continue;
            }
            let Some(a) = order_member.get(orders.member(i) as usize).and_then(|&m| out.get_mut(m as usize)) else {
                continue;
            };
            while refunds.next_if(|&row| row < i).is_some() {}
            a.orders_2y += 1;
            a.orders_no_refund_2y += u32::from(refunds.peek() != Some(&i));
        }
    }
    if let Some(events) = &data.events {
        for e in (0..events.len()).filter(|&e| events.day[e] < as_of) {
            let Some(a) =
                member_of_event.get(events.member(e) as usize).copied().flatten().and_then(|m| out.get_mut(m as usize))
            else {
                continue;
            };
            let latest = |d: &mut Option<Day>| *d = Some(d.map_or(events.day[e], |x| x.max(events.day[e])));
            match events.kind[e] {
                EventType::Visit => latest(&mut a.last_visit),
                EventType::AddToCart => latest(&mut a.last_cart_add),
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Kind, LoadOptions, Table, read};

    fn day(y: i32, m: u32, d: u32) -> Day {
        crate::model::day_of(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn two_years_of_orders_and_the_latest_events() {
        let mut data = Dataset::default();
        // As of 2026-11-01, two years (730 days) back is 2024-11-01: no 29 February in between.
        let orders = "会员ID,支付时间,实付金额,订单状态,退款金额\n\
            A,2024-10-31 23:00,10,交易成功,\n\
            A,2024-11-01 00:00,10,交易成功,\n\
            A,2025-06-01,10,部分退款,3\n\
            A,2026-10-31,10,已退款,10\n\
            A,2026-10-30,10,已关闭,\n\
            A,2026-11-01,10,交易成功,\n\
            B,2026-01-01,10,交易成功,\n";
        let events = "会员ID,发生时间,事件类型\n\
            A,2026-10-01,visit\nA,2026-10-20,visit\nA,2026-11-01,visit\nA,2026-09-01,add_to_cart\n\
            B,2026-10-31,sign_in\nZ,2026-10-31,visit\n";
        for (kind, text) in [(Kind::Orders, orders), (Kind::Events, events)] {
            match read(kind, text.as_bytes(), &LoadOptions::default()).unwrap().table {
                Table::Orders(o) => data.orders = Some(*o),
                Table::Events(e) => data.events = Some(*e),
                _ => unreachable!(),
            }
        }
        assert_eq!(day(2026, 11, 1) - TWO_YEARS_DAYS, day(2024, 11, 1));
        // Members: A = 0, B = 1 (orders file order); events' A, B map to 0, 1, Z to no member.
        let out = activity(&data, &[0, 1], &[Some(0), Some(1), None], 2, day(2026, 11, 1));
        // A: 2024-11-01 (first day in) and 2025-06-01 (a partial refund) count; 2024-10-31 is a day
        // too early, the refund in full and the closed order are not purchases, 2026-11-01 is the
        // analysis date.
        assert_eq!(
            out[0],
            Activity {
                last_visit: Some(day(2026, 10, 20)),
                last_cart_add: Some(day(2026, 9, 1)),
                orders_2y: 2,
                orders_no_refund_2y: 1,
            }
        );
        assert_eq!(out[1], Activity { orders_2y: 1, orders_no_refund_2y: 1, ..Activity::default() });
    }
}
