//! The BG/NBD model (Fader, Hardie & Lee 2005): while alive, a customer buys
//! at rate λ ~ Gamma(r, α); after each purchase they drop out with
//! probability p ~ Beta(a, b). Fitted by maximum likelihood in
//! log-parameter space.

use super::optimize::{Problem, fit_model};
use super::special::{digamma_diff, expected_while_alive, ln_poch, lomax_median};
use super::{FitError, FitInfo, FitOptions, Summary, check_input, check_positive};
use serde::Serialize;

const MODEL: &str = "BG/NBD";
const NAMES: [&str; 4] = ["r", "alpha", "a", "b"];

/// A fitted (or given) BG/NBD model. Times are in the time unit of the
/// summaries it was fitted on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BgNbd {
    /// r: shape of the purchase-rate distribution.
    pub r: f64,
    /// α: scale of the purchase-rate distribution, in time units.
    pub alpha: f64,
    /// a: first shape of the drop-out probability distribution.
    pub a: f64,
    /// b: second shape of the drop-out probability distribution.
    pub b: f64,
    /// How the fit went; `None` for a model built with [`BgNbd::new`].
    pub fit: Option<FitInfo>,
}

/// When the next purchase comes (下次购买), in time units from the end of
/// the calibration period.
///
/// Given the data, a customer who is still alive buys next after a waiting
/// time W with P(W ≤ w) = 1 − (1 + w/(α+T))^(−(r+x)) (the purchase rate
/// λ | data ~ Gamma(r+x, α+T), and W | λ exponential): a Lomax law whose mean
/// is infinite when r + x ≤ 1, so medians are reported, not means.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextPurchase {
    /// P(the customer ever buys again) = P(alive): a drop-out never buys again.
    pub probability_ever: f64,
    /// Median of W counting "never" as infinitely late: the w with
    /// P(alive) · P(W ≤ w) = ½; `None` when P(alive) ≤ ½.
    pub median: Option<f64>,
    /// Median of W if the customer is alive, (α+T)(2^(1/(r+x)) − 1);
    /// `None` only if it overflows.
    pub median_if_alive: Option<f64>,
}

/// Customers with the same (x, tₓ, T), counted once with a weight; tₓ and T
/// are indices into [`Data::times`].
struct Cell {
    tx: u32,
    t: u32,
    w: f64,
}

/// The data prepared for the likelihood: cells grouped by x.
struct Data {
    /// The distinct values of tₓ and T: a store has far fewer of them (days
    /// of history) than cells, so ln(1 + t/α) is computed once per value.
    times: Vec<f64>,
    cells: Vec<Cell>,
    /// (x, first cell, end cell, total weight).
    groups: Vec<(f64, usize, usize, f64)>,
}

impl Data {
    fn new(summaries: &[Summary]) -> Data {
        let mut keys: Vec<(u32, u64, u64)> =
            summaries.iter().map(|s| (s.frequency, s.recency.to_bits(), s.t.to_bits())).collect();
        keys.sort_unstable();
        let mut times: Vec<u64> = keys.iter().flat_map(|k| [k.1, k.2]).collect();
        times.sort_unstable();
        times.dedup();
        let index = |bits: u64| times.binary_search(&bits).map_or(0, |i| i as u32);
        let mut cells: Vec<Cell> = Vec::new();
        let mut groups: Vec<(f64, usize, usize, f64)> = Vec::new();
        let mut last: Option<(u32, u64, u64)> = None;
        for key in keys {
            if last == Some(key) {
                if let Some(c) = cells.last_mut() {
                    c.w += 1.0;
                }
            } else {
                if last.is_none_or(|l| l.0 != key.0) {
                    groups.push((f64::from(key.0), cells.len(), cells.len(), 0.0));
                }
                cells.push(Cell { tx: index(key.1), t: index(key.2), w: 1.0 });
            }
            if let Some(g) = groups.last_mut() {
                g.2 = cells.len();
                g.3 += 1.0;
            }
            last = Some(key);
        }
        let times = times.into_iter().map(f64::from_bits).collect();
        Data { times, cells, groups }
    }

    /// Σ log-likelihood at θ = (r, α, a, b), and its gradient in θ.
    fn log_likelihood(&self, [r, alpha, a, b]: [f64; 4], grad: &mut [f64; 4]) -> f64 {
        let (mut ll, mut dr, mut dalpha, mut da, mut db) = (0.0, 0.0, 0.0, 0.0, 0.0);
        // ln(1 + t/α) of every distinct time; ln(α + t) = ln α + ln(1 + t/α).
        let ln1p: Vec<f64> = self.times.iter().map(|&t| (t / alpha).ln_1p()).collect();
        let time = |i: u32| (self.times[i as usize], ln1p[i as usize]);
        for &(x, from, to, gw) in &self.groups {
            let cells = &self.cells[from..to];
            if x == 0.0 {
                // L = (α/(α+T))^r.
                for c in cells {
                    let (t, l1p) = time(c.t);
                    ll -= c.w * r * l1p;
                    dr -= c.w * l1p;
                    dalpha += c.w * r * t / (alpha * (alpha + t));
                }
                continue;
            }
            // Terms shared by everyone with this x.
            ll += gw * (ln_poch(r, x) + ln_poch(b, x) - ln_poch(a + b, x));
            dr += gw * digamma_diff(r, x);
            let dab = digamma_diff(a + b, x);
            da -= gw * dab;
            db += gw * (digamma_diff(b, x) - dab);
            let c4 = a.ln() - (b + x - 1.0).ln();
            // The −x ln α both terms share is taken out of the sum, so a
            // cell costs one exp and one ln_1p.
            ll -= gw * x * alpha.ln();
            for c in cells {
                // Alive at T, or dropped out right after the last purchase at tₓ.
                let ((t, lt), (tx, ltx)) = (time(c.t), time(c.tx));
                let l3 = -(r + x) * lt;
                let l4 = c4 - (r + x) * ltx;
                // ln(e^l3 + e^l4) and the two terms' shares of it.
                let e = (-(l3 - l4).abs()).exp();
                let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
                let (w3, w4) = if l3 >= l4 { (big, small) } else { (small, big) };
                ll += c.w * (l3.max(l4) + e.ln_1p());
                dr -= c.w * (w3 * lt + w4 * ltx);
                dalpha += c.w * (w3 * (r * t / alpha - x) / (alpha + t) + w4 * (r * tx / alpha - x) / (alpha + tx));
                da += c.w * w4 / a;
                db -= c.w * w4 / (b + x - 1.0);
            }
        }
        *grad = [dr, dalpha, da, db];
        ll
    }
}

impl BgNbd {
    /// A model with given parameters (e.g. the published ones), all > 0.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<BgNbd, FitError> {
        check_positive(&[r, alpha, a, b], "bgNbd", "r, alpha, a and b")?;
        Ok(BgNbd { r, alpha, a, b, fit: None })
    }

    /// Maximum-likelihood fit to the customers' summaries.
    ///
    /// Refuses (with what is missing) fewer than
    /// [`FitOptions::min_customers`] customers, fewer than
    /// [`FitOptions::min_repeat_buyers`] repeat buyers (and always zero: with
    /// nobody coming back, the likelihood grows without bound as the
    /// purchase rate goes to 0), and a fit that does not converge.
    ///
    /// The optimiser is BFGS on the analytic gradient in log space, with
    /// Nelder–Mead and other starts as fallbacks (see `optimize.rs`); the
    /// search starts at r = 1, α = observed time per repeat purchase,
    /// a = b = 1, then (0.25, 0.25·α₀, 0.8, 2.5), then (3, 3·α₀, 0.1, 10).
    pub fn fit(summaries: &[Summary], options: &FitOptions) -> Result<BgNbd, FitError> {
        check_input(summaries, options)?;
        let customers = summaries.len();
        let repeat_buyers = summaries.iter().filter(|s| s.frequency > 0).count();
        if customers < options.min_customers as usize {
            return Err(FitError::TooFewCustomers {
                model: MODEL,
                found: customers,
                needed: options.min_customers as usize,
            });
        }
        let needed = (options.min_repeat_buyers as usize).max(1);
        if repeat_buyers < needed {
            return Err(FitError::TooFewRepeatBuyers { model: MODEL, found: repeat_buyers, needed });
        }
        let total_x: f64 = summaries.iter().map(|s| f64::from(s.frequency)).sum();
        let total_t: f64 = summaries.iter().map(|s| s.t).sum();
        // α's scale: observed time per repeat purchase (r = 1 then matches the mean rate).
        let alpha0 = total_t / total_x;
        let data = Data::new(summaries);
        let problem = Problem {
            model: MODEL,
            names: NAMES,
            scale: [1.0, alpha0, 1.0, 1.0],
            starts: &[[1.0; 4], [0.25, 0.25, 0.8, 2.5], [3.0, 3.0, 0.1, 10.0]],
            start: options.bg_nbd_start,
            customers,
            repeat_buyers,
        };
        let ([r, alpha, a, b], info) = fit_model(problem, options, &|theta, d| data.log_likelihood(theta, d))?;
        Ok(BgNbd { r, alpha, a, b, fit: Some(info) })
    }

    /// The log-likelihood of the summaries under this model (the paper's
    /// −9582.4 on CDNOW).
    pub fn log_likelihood(&self, summaries: &[Summary]) -> f64 {
        let mut grad = [0.0; 4];
        Data::new(summaries).log_likelihood([self.r, self.alpha, self.a, self.b], &mut grad)
    }

    /// P(alive at T | x, tₓ, T) (存活概率): 1 for a customer without repeat
    /// purchases (they cannot have dropped out: drop-out follows a purchase).
    pub fn probability_alive(&self, s: &Summary) -> f64 {
        if s.frequency == 0 {
            return 1.0;
        }
        let x = f64::from(s.frequency);
        let ln_odds = self.a.ln() - (self.b + x - 1.0).ln()
            + (self.r + x) * ((s.t - s.recency) / (self.alpha + s.recency)).ln_1p();
        1.0 / (1.0 + ln_odds.exp())
    }

    /// E[purchases in (T, T + t] | x, tₓ, T] (预期购买次数), t in time units:
    /// the paper's equation (10).
    pub fn expected_purchases(&self, s: &Summary, t: f64) -> f64 {
        self.probability_alive(s) * self.expected_if_alive(s, t)
    }

    /// E[purchases in (T, T + t] | alive at T, x, T]: the factor of
    /// [`BgNbd::expected_purchases`] besides P(alive), the same for every
    /// tₓ.
    pub fn expected_if_alive(&self, s: &Summary, t: f64) -> f64 {
        let x = f64::from(s.frequency);
        expected_while_alive(self.r + x, self.a, self.b + x, t / (self.alpha + s.t))
    }

    /// E[purchases in (0, t]] of a new customer, after their first purchase
    /// (the paper's equation (9), unconditional).
    pub fn expected_purchases_new(&self, t: f64) -> f64 {
        expected_while_alive(self.r, self.a, self.b, t / self.alpha)
    }

    /// P(at least one purchase in (T, T + t] | x, tₓ, T).
    pub fn probability_purchase_within(&self, s: &Summary, t: f64) -> f64 {
        let k = self.r + f64::from(s.frequency);
        self.probability_alive(s) * -(-k * (t / (self.alpha + s.t)).ln_1p()).exp_m1()
    }

    /// When the next purchase comes; see [`NextPurchase`].
    pub fn next_purchase(&self, s: &Summary) -> NextPurchase {
        let k = self.r + f64::from(s.frequency);
        let scale = self.alpha + s.t;
        let alive = self.probability_alive(s);
        NextPurchase {
            probability_ever: alive,
            median: lomax_median(k, scale, alive),
            median_if_alive: lomax_median(k, scale, 1.0),
        }
    }
}

/// ∂LL/∂θ at θ = (r, α, a, b), for the gradient check in the tests.
#[cfg(test)]
pub(crate) fn gradient(summaries: &[Summary], theta: [f64; 4]) -> [f64; 4] {
    let mut g = [0.0; 4];
    Data::new(summaries).log_likelihood(theta, &mut g);
    g
}
