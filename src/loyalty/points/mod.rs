//! The points ledger (积分, DOMAIN §8): points earned, burned and expired,
//! replayed from the files a store exports, for each member and as of any
//! date.
//!
//! - **Earn**: per whole yuan of cash paid (`perYuan`, the yuan floored
//!   first), times the member's level multiplier on the day of the order
//!   (the level held at the start of that day, from
//!   [`crate::analytics::levels::timeline`]), the amount-weighted category
//!   multiplier of the order's lines and the largest member-day multiplier
//!   of the day, floored; plus the spend bonus. Sign-ins (once a day, a
//!   streak bonus on every `streakDays`-th consecutive day), reviews,
//!   shares and referrals from the events file; a gift the first time a
//!   level is reached.
//! - **Burn**: points used on an order (the orders file's 积分抵扣 column;
//!   100 points = ¥1 by default, orders over `cashOffset.maxShare` are
//!   counted), and `points_redeemed` events (coupon or gift exchange,
//!   lottery). The oldest points go first.
//! - **Refunds** claw back what their order earned: the member keeps
//!   ⌊earned × (paid − refunded) ÷ paid⌋ (rounding in the store's favour),
//!   on the order's day (the files give no refund date). A refund on its
//!   own row (a negative amount) takes back the base points of its amount
//!   at the day's level. An order refunded in full or closed uses no points.
//! - **Expiry**: by default points earned in year Y are gone on 1 January
//!   of Y + 2 (usable through 31 December of Y + 1); `rolling` keeps them
//!   `rollingMonths` months. The balance as of a date counts records before
//!   it and removes the lots gone on or before it. "Expiring within N days"
//!   means gone at most N days after the date.
//!
//! [`ledger`] replays one member; [`book`] does every member and builds the
//! liability, the expiring list and the reconcile with the members file.

pub mod book;
pub mod ledger;
pub mod rules;

#[cfg(test)]
mod tests;

pub use book::{Book, MemberLedger, PageQuery, PointsSummary, member_ledger};
pub use rules::PointsRules;
