//! # member-analytics
//!
//! Member analytics for a store — RFM tiers, value groups and grades today;
//! lifecycle, levels, tags, crowds, points, coupons and offers as the crate
//! grows — computed on the device (browser, Node, WeChat mini-program) from
//! the files a store's POS or back office already exports. No server: the
//! data never leaves the device.
//!
//! The shape (see DESIGN.md): a pure core over plain data, and one thin
//! binding module, [`wasm`](crate) (compiled for `wasm32` only).
//!
//! ```text
//! bytes ─ ingest::Ingest (push chunks) ─▶ Table + ImportReport
//!       ─ Workspace (Dataset + Rules) ─ analytics::analyze(as_of) ─▶ Analysis
//!       ─ queries (members page, member) and export (CSV bytes)
//! ```
//!
//! ```
//! use member_analytics::{Workspace, ingest::{Kind, LoadOptions}};
//! let mut ws = Workspace::new();
//! let orders = "会员ID,支付时间,实付金额\nM1,2026-03-05 14:03,12.50\nM2,2026-03-01,8\n";
//! ws.load(Kind::Orders, orders.as_bytes(), &LoadOptions::default()).unwrap();
//! let summary = ws.analyze(None).unwrap();
//! assert_eq!(summary.as_of, "2026-03-06");
//! assert_eq!(summary.revenue_fen, 2050);
//! ```

#![deny(missing_docs)]

pub mod analytics;
pub mod demo;
pub mod error;
pub mod export;
pub mod ingest;
mod json;
pub mod loyalty;
pub mod model;
pub mod rules;
mod workspace;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorKind, Result};
pub use rules::Rules;
pub use workspace::Workspace;
