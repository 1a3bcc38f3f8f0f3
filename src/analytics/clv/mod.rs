//! Predictive member value (会员预测价值): probability alive, expected
//! purchases, expected spend, CLV and the next order, from the BG/NBD model
//! (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way") and the
//! Gamma-Gamma spend model (Fader & Hardie 2013).
//!
//! Plain data in, plain data out, independent of the crate's ingest:
//!
//! ```text
//! [Purchase] + Calibration ─ summaries ─▶ [Summary]            (x, tₓ, T, mₓ per customer)
//! [Summary] + FitOptions ─ BgNbd::fit / GammaGamma::fit ─▶ models (or FitError: what is missing)
//! [Summary] + FitOptions ─ Model::fit ─▶ Model (the fits, or flagged store-average fallbacks)
//! Model ─ member / members / store ─▶ MemberForecast, StoreForecast
//! ```
//!
//! ```
//! use member_analytics::analytics::clv::{Calibration, FitOptions, ForecastOptions, Model, Purchase, summaries};
//! // Thirty members: too few for the models, so the forecast is the store average, flagged.
//! let purchases: Vec<Purchase> = (0..30u32)
//!     .flat_map(|c| (0..=(c % 3)).map(move |k| Purchase { customer: c, day: (c + 20 * k) as i32, amount_fen: 2_000 }))
//!     .collect();
//! let calibration = Calibration { end_day: 90, days_per_unit: 7.0 };
//! let model = Model::fit(&summaries(&purchases, &calibration).unwrap(), calibration, &FitOptions::default()).unwrap();
//! assert!(model.purchases.fallback_reason().is_some());
//! let store = model.store(&summaries(&purchases, &calibration).unwrap());
//! assert!(store.fallback && store.next_30_days.orders > 0.0);
//! ```
//!
//! **Time.** Every model time is in the caller's unit (`days_per_unit`, e.g.
//! 7 for weeks, as in the paper); forecasts take horizons in days.
//! **Money** is fen; forecasts of money are rounded to whole fen.
//!
//! **Minimum data** (defaults of [`FitOptions`], chosen from the simulation
//! study in this module's tests): the BG/NBD needs 100 customers of whom 30
//! bought again; the Gamma-Gamma needs 30 repeat buyers with positive spend.
//! Below that the 4 (3) parameters are not identified well enough to rank
//! members: the fits return a [`FitError`] that says what is missing, and
//! [`Model::fit`] falls back to store averages, flagged.

mod bgnbd;
mod forecast;
mod gamma_gamma;
mod optimize;
pub mod special;
mod summary;

#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;

pub use bgnbd::{BgNbd, NextPurchase};
pub use forecast::{
    Expectation, ForecastOptions, HoldoutRow, MemberForecast, Model, PurchaseModel, SpendModel, StoreForecast,
    holdout_table,
};
pub use gamma_gamma::GammaGamma;
pub use summary::{Calibration, Purchase, Summary, holdout_purchases, summaries};

use serde::{Deserialize, Serialize};

/// Why a model could not be fitted — what is missing, in words a store
/// owner can act on (English, then Chinese). [`FitError::code`] is stable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// An option is out of range.
    #[error("bad option {field}: {message}")]
    BadOptions {
        /// The option, as its JS name (`penalizer`, `daysPerUnit`, …).
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A summary is impossible (e.g. recency beyond T).
    #[error("customer {customer}: {message}")]
    BadSummary {
        /// The customer index.
        customer: u32,
        /// What is wrong.
        message: String,
    },
    /// Nobody bought in the calibration period.
    #[error("no customer bought in the calibration period: nothing to forecast (校准期内没有消费记录)")]
    NoCustomers,
    /// Fewer customers than the model needs.
    #[error(
        "{model}: only {found} customers bought in the calibration period; at least {needed} are needed \
         to fit the model — use a longer history, or the store averages (顾客数不足，无法拟合模型)"
    )]
    TooFewCustomers {
        /// `BG/NBD` or `Gamma-Gamma`.
        model: &'static str,
        /// Customers in the data.
        found: usize,
        /// The minimum (see [`FitOptions::min_customers`]).
        needed: usize,
    },
    /// Fewer repeat buyers than the model needs.
    #[error(
        "{model}: only {found} customers bought on two or more days; at least {needed} repeat buyers are \
         needed to estimate how often customers come back and when they stop (复购顾客不足，无法拟合模型)"
    )]
    TooFewRepeatBuyers {
        /// `BG/NBD` or `Gamma-Gamma`.
        model: &'static str,
        /// Repeat buyers in the data.
        found: usize,
        /// The minimum (see [`FitOptions::min_repeat_buyers`]).
        needed: usize,
    },
    /// The data has no variation for the model to explain.
    #[error("{model}: {what} (数据缺少变化，无法拟合模型)")]
    NoVariation {
        /// `BG/NBD` or `Gamma-Gamma`.
        model: &'static str,
        /// What does not vary.
        what: &'static str,
    },
    /// The Gamma-Gamma fit has no finite mean spend (q ≤ 1).
    #[error(
        "Gamma-Gamma: average spend varies so much between customers that it has no finite mean \
         (q = {q:.3}, needs q > 1); check for outlier orders (客单价离散度过大)"
    )]
    SpendTooDispersed {
        /// The fitted q.
        q: f64,
    },
    /// The optimiser did not converge from any start.
    #[error(
        "{model}: the fit did not converge after {iterations} iterations (largest gradient \
         {gradient_norm:.1e}); try a penalizer such as 0.001 (模型拟合未收敛)"
    )]
    DidNotConverge {
        /// `BG/NBD` or `Gamma-Gamma`.
        model: &'static str,
        /// Iterations spent.
        iterations: u32,
        /// Largest gradient component at the best point (per customer, log parameters).
        gradient_norm: f64,
    },
}

impl FitError {
    /// A stable, machine-readable code (`TOO_FEW_REPEAT_BUYERS`, …) for JS callers.
    pub fn code(&self) -> &'static str {
        match self {
            FitError::BadOptions { .. } => "BAD_OPTIONS",
            FitError::BadSummary { .. } => "BAD_SUMMARY",
            FitError::NoCustomers => "NO_CUSTOMERS",
            FitError::TooFewCustomers { .. } => "TOO_FEW_CUSTOMERS",
            FitError::TooFewRepeatBuyers { .. } => "TOO_FEW_REPEAT_BUYERS",
            FitError::NoVariation { .. } => "NO_VARIATION",
            FitError::SpendTooDispersed { .. } => "SPEND_TOO_DISPERSED",
            FitError::DidNotConverge { .. } => "DID_NOT_CONVERGE",
        }
    }
}

/// How to fit (拟合选项). Every field has a default; unknown fields are an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FitOptions {
    /// Ridge penalty on the log parameters, ≥ 0 (default 0: plain maximum
    /// likelihood). The objective is −LL/N + penalizer · Σ ln²(θ/θ₀): shape
    /// parameters are pulled towards θ₀ = 1 and the scale parameters towards
    /// the data's own scale (α₀ = observed time per repeat purchase,
    /// γ₀ = mean repeat spend), so the penalty does not depend on the time
    /// unit or the currency. 0.001–0.01 tames thin or degenerate data.
    pub penalizer: f64,
    /// Fewest customers for the BG/NBD (default 100).
    pub min_customers: u32,
    /// Fewest repeat buyers for the BG/NBD, and fewest repeat buyers with
    /// positive spend for the Gamma-Gamma (default 30).
    pub min_repeat_buyers: u32,
    /// Iteration cap of one optimiser run (default 500).
    pub max_iterations: u32,
    /// BG/NBD start (r, α, a, b), tried before the built-in starts.
    pub bg_nbd_start: Option<[f64; 4]>,
    /// Gamma-Gamma start (p, q, γ in fen), tried before the built-in starts.
    pub gamma_gamma_start: Option<[f64; 3]>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            penalizer: 0.0,
            min_customers: 100,
            min_repeat_buyers: 30,
            max_iterations: 500,
            bg_nbd_start: None,
            gamma_gamma_start: None,
        }
    }
}

impl FitOptions {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), FitError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(FitError::BadOptions { field: "penalizer", message: format!("{} is not ≥ 0", self.penalizer) });
        }
        if self.max_iterations == 0 {
            return Err(FitError::BadOptions { field: "maxIterations", message: "must be at least 1".into() });
        }
        let positive = |v: &[f64]| v.iter().all(|x| x.is_finite() && *x > 0.0);
        if self.bg_nbd_start.is_some_and(|s| !positive(&s)) {
            return Err(FitError::BadOptions { field: "bgNbdStart", message: "every parameter must be > 0".into() });
        }
        if self.gamma_gamma_start.is_some_and(|s| !positive(&s)) {
            return Err(FitError::BadOptions {
                field: "gammaGammaStart",
                message: "every parameter must be > 0".into(),
            });
        }
        Ok(())
    }
}

/// How a fit went (拟合结果).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FitInfo {
    /// Log-likelihood at the estimate (without the penalty).
    pub log_likelihood: f64,
    /// Optimiser iterations, all stages and starts.
    pub iterations: u32,
    /// Objective evaluations.
    pub evaluations: u32,
    /// Whether the optimiser met its convergence criterion (always true for
    /// a returned fit: otherwise the fit is [`FitError::DidNotConverge`]).
    pub converged: bool,
    /// Largest gradient component of the objective at the estimate
    /// (per customer, log parameters).
    pub gradient_norm: f64,
    /// Customers used.
    pub customers: usize,
    /// Of whom repeat buyers.
    pub repeat_buyers: usize,
    /// Parameters that ran off: they ended more than a factor e¹⁵ (3·10⁶)
    /// from the data's scale, because the likelihood keeps improving towards
    /// 0 or ∞ — e.g. no sign of drop-out, or every customer buying at the
    /// same rate. Forecasts are then the limiting model and stay sensible; a
    /// penalizer gives a finite estimate instead.
    pub at_bound: Vec<&'static str>,
}

/// Search box half-width in log space around the data's scale.
pub(crate) const LOG_BOUND: f64 = 25.0;
/// A log parameter this far from the data's scale has run off (see [`FitInfo::at_bound`]).
pub(crate) const FAR: f64 = 15.0;
