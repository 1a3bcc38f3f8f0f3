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
//! [Summary] + FitOptions ─ Model::fit ─▶ Model (the fits, or flagged fallbacks)
//! Model ─ member / members / store ─▶ MemberForecast, StoreForecast
//! ```
//!
//! ```
//! use member_analytics::analytics::clv::{Calibration, FitOptions, ForecastOptions, Model, Purchase, summaries};
//! // Thirty members: below the minimums, so the forecast comes from a fallback, flagged with the reason.
//! let purchases: Vec<Purchase> = (0..30u32)
//!     .flat_map(|c| (0..=(c % 3)).map(move |k| Purchase { customer: c, day: (c + 20 * k) as i32, amount_fen: 2_000 }))
//!     .collect();
//! let calibration = Calibration { end_day: 90, days_per_unit: 7.0 };
//! let model = Model::fit(&summaries(&purchases, &calibration).unwrap(), calibration, &FitOptions::default()).unwrap();
//! assert_eq!(model.purchases.fallback_reason().map(|e| e.code()), Some("TOO_FEW_CUSTOMERS"));
//! let store = model.store(&summaries(&purchases, &calibration).unwrap());
//! assert!(store.fallback && store.next_30_days.orders > 0.0);
//! ```
//!
//! **Time.** Every model time is in the caller's unit (`days_per_unit`, e.g.
//! 7 for weeks, as in the paper); forecasts take horizons in days.
//! **Money** is fen; forecasts of money are rounded to whole fen.
//!
//! **Minimum data** (defaults of [`FitOptions`], from the simulation study
//! `minimums_study` in this module's tests: 200 simulated stores per size,
//! two worlds, one year of history, the next 90 days held out): the BG/NBD
//! needs 100 customers of whom 30 bought again, the Gamma-Gamma 30 repeat
//! buyers with positive spend. Below 100 customers the plain maximum
//! likelihood estimate runs off to the edge of the search box in 25–70 % of
//! stores (the 4 parameters are not identified) and the store's 90-day
//! forecast is off by 22–34 % (median; 51–135 % in the worst tenth); with
//! fewer than ~30 repeat buyers the Gamma-Gamma is no better than the store
//! mean in the worst tenth of stores. Below the minimums the fits return a
//! [`FitError`] that says what is missing, and [`Model::fit`] falls back,
//! flagged, to a *shrunk* fit ([`FitOptions::fallback_penalizer`]), which in
//! the study beats the store average at every size; only when that fails too
//! (nobody bought twice) does it use the store averages.
//!
//! **Same-day purchases** count once ([`summaries`]); an "order" in the
//! forecasts is a purchase day of a member.

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
    Expectation, Fallback, ForecastOptions, HoldoutRow, MemberForecast, Model, PurchaseModel, SpendModel,
    StoreForecast, holdout_table,
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
         to fit the model reliably (顾客数不足，模型不可靠)"
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
         needed to estimate how often customers come back and when they stop (复购顾客不足，模型不可靠)"
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
    #[error("{model}: {what} (数据缺少变化，无法估计模型)")]
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
    /// parameters are pulled towards θ₀ = 1 (the Gamma-Gamma's q towards 2,
    /// so that the centre's mean spend is the data's) and the scale
    /// parameters towards the data's own scale (α₀ = observed time per
    /// repeat purchase, γ₀ = mean repeat spend), so the penalty does not
    /// depend on the time unit or the currency. 0.001–0.05 tames thin or
    /// degenerate data.
    pub penalizer: f64,
    /// Fewest customers for the BG/NBD (default 100).
    pub min_customers: u32,
    /// Fewest repeat buyers for the BG/NBD, and fewest repeat buyers with
    /// positive spend for the Gamma-Gamma (default 30). Whatever the option,
    /// the models' own floors stay: 1 for the BG/NBD (with nobody coming
    /// back the likelihood has no maximum), 2 for the Gamma-Gamma.
    pub min_repeat_buyers: u32,
    /// Iteration cap of one optimiser run (default 500).
    pub max_iterations: u32,
    /// Penalizer of the shrunk fits that [`Model::fit`] falls back to below
    /// the minimums (default 0.05; 0 turns them off, leaving the store
    /// averages). Chosen in the simulation study: the best of 0, 0.05 and
    /// the store average at 30–150 members.
    pub fallback_penalizer: f64,
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
            fallback_penalizer: 0.05,
            bg_nbd_start: None,
            gamma_gamma_start: None,
        }
    }
}

impl FitOptions {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), FitError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(FitError::BadOptions {
                field: "penalizer", message: format!("{} is not ≥ 0", self.penalizer)
            });
        }
        if !(self.fallback_penalizer.is_finite() && self.fallback_penalizer >= 0.0) {
            return Err(FitError::BadOptions {
                field: "fallbackPenalizer",
                message: format!("{} is not ≥ 0", self.fallback_penalizer),
            });
        }
        if self.max_iterations == 0 {
            return Err(FitError::BadOptions { field: "maxIterations", message: "must be at least 1".into() });
        }
        if let Some(start) = self.bg_nbd_start {
            check_positive(&start, "bgNbdStart", "r, alpha, a and b")?;
        }
        if let Some(start) = self.gamma_gamma_start {
            check_positive(&start, "gammaGammaStart", "p, q and gamma")?;
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

/// The checks every fit starts with: options, each summary, and at least one customer.
pub(crate) fn check_input(summaries: &[Summary], options: &FitOptions) -> Result<(), FitError> {
    options.validate()?;
    for s in summaries {
        s.validate()?;
    }
    if summaries.is_empty() { Err(FitError::NoCustomers) } else { Ok(()) }
}

/// Given model parameters must all be positive numbers.
pub(crate) fn check_positive(values: &[f64], field: &'static str, names: &str) -> Result<(), FitError> {
    if values.iter().all(|v| v.is_finite() && *v > 0.0) {
        Ok(())
    } else {
        Err(FitError::BadOptions { field, message: format!("{names} must be > 0") })
    }
}

/// Search box half-width in log space around the data's scale.
pub(crate) const LOG_BOUND: f64 = 25.0;
/// A log parameter this far from the data's scale has run off (see [`FitInfo::at_bound`]).
pub(crate) const FAR: f64 = 15.0;
