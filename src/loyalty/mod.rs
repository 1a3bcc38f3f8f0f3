//! Loyalty operations (会员营销) that act on members rather than describe
//! them: [`points`], the points ledger with expiry, liability and the
//! reconcile with the store's balances (DOMAIN §8), and [`draws`], fair and
//! re-checkable lotteries, red-packet splits and "first N at 1 yuan" flash
//! sales (DOMAIN §13).

pub mod draws;
pub mod points;
