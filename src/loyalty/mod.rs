//! Loyalty operations (会员营销) that act on members rather than describe
//! them: [`points`], the points ledger with expiry, liability and the
//! reconcile with the store's balances (DOMAIN §8); [`coupons`], coupon
//! templates, eligibility with the reason for every failing rule, expiry
//! reminders and issue → use rates (DOMAIN §9); [`playbook`], each member's
//! ranked offers with reasons, channels and send slots (DOMAIN §10);
//! [`campaign`], campaigns over a crowd within a budget, with a
//! deterministic holdout, their send-list export and their uplift; [`draws`],
//! fair and re-checkable lotteries, red-packet splits and "first N at 1
//! yuan" flash sales (DOMAIN §13).

pub mod campaign;
pub mod coupons;
pub mod draws;
pub mod playbook;
pub mod points;
