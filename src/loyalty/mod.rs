//! Loyalty operations (会员营销) that act on members rather than describe
//! them. Today: [`draws`], fair and re-checkable lotteries, red-packet splits
//! and "first N at 1 yuan" flash sales (DOMAIN §13); [`coupons`], coupon
//! templates, eligibility with the reason for every failing rule, expiry
//! reminders and issue → use rates (DOMAIN §9).

pub mod coupons;
pub mod draws;
