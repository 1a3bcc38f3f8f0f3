//! The Gamma-Gamma spend model (Fader & Hardie 2013): a customer's spend per
//! purchase is Gamma(p, ν), and ν varies across customers as Gamma(q, γ).
//! Fitted on the repeat buyers' average repeat spend mₓ.
//!
//! The model assumes spend does not depend on how often a customer buys;
//! [`GammaGamma::frequency_spend_correlation`] reports the data's Pearson
//! correlation between x and mₓ so that the caller can check (CDNOW: 0.11).

use super::optimize::{Problem, fit_model};
use super::special::{digamma_diff, ln_gamma, ln_poch};
use super::{FitError, FitInfo, FitOptions, Summary, check_input, check_positive};
use serde::Serialize;

const MODEL: &str = "Gamma-Gamma";

/// A fitted (or given) Gamma-Gamma model; money in fen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GammaGamma {
    /// p: shape of spend per purchase.
    pub p: f64,
    /// q: shape of the customers' spend-scale distribution (> 1 for a finite mean).
    pub q: f64,
    /// γ: scale of the customers' spend-scale distribution, in fen.
    pub gamma: f64,
    /// How the fit went; `None` for a model built with [`GammaGamma::new`].
    pub fit: Option<FitInfo>,
    /// Pearson correlation of frequency and average spend among the repeat
    /// buyers fitted (the model assumes none); `None` if undefined.
    pub frequency_spend_correlation: Option<f64>,
}

/// Repeat buyers grouped by x: (x, [(ln mₓ, index of x·mₓ in `spends`)]).
struct Data {
    groups: Vec<(f64, Vec<(f64, u32)>)>,
    /// The distinct values of x·mₓ (a buyer's repeat spend): many buyers
    /// share one, so ln(1 + x·mₓ/γ) is computed once per value.
    spends: Vec<f64>,
}

impl Data {
    fn new(buyers: &[&Summary]) -> Data {
        let mut rows: Vec<(u32, f64)> = buyers.iter().map(|s| (s.frequency, s.monetary)).collect();
        rows.sort_unstable_by_key(|r| r.0);
        let mut spends: Vec<u64> = rows.iter().map(|&(x, m)| (f64::from(x) * m).to_bits()).collect();
        spends.sort_unstable();
        spends.dedup();
        let index = |xm: f64| spends.binary_search(&xm.to_bits()).map_or(0, |i| i as u32);
        let mut groups: Vec<(f64, Vec<(f64, u32)>)> = Vec::new();
        for (x, m) in rows {
            let x = f64::from(x);
            let cell = (m.ln(), index(x * m));
            match groups.last_mut() {
                Some((gx, cells)) if *gx == x => cells.push(cell),
                _ => groups.push((x, vec![cell])),
            }
        }
        Data { groups, spends: spends.into_iter().map(f64::from_bits).collect() }
    }

    /// Σ log-likelihood of the mₓ at θ = (p, q, γ) and its gradient:
    /// ln f(mₓ) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) − ln mₓ − px·ln(1 + γ/(x mₓ)) − q·ln(1 + x mₓ/γ).
    fn log_likelihood(&self, [p, q, gamma]: [f64; 3], grad: &mut [f64; 3]) -> f64 {
        let (mut ll, mut dp, mut dq, mut dgamma) = (0.0, 0.0, 0.0, 0.0);
        let (ln_gamma_q, ln_g) = (ln_gamma(q), gamma.ln());
        let ln1p: Vec<f64> = self.spends.iter().map(|&xm| (xm / gamma).ln_1p()).collect();
        for (x, cells) in &self.groups {
            let (px, ln_x) = (p * x, x.ln());
            let n = cells.len() as f64;
            ll += n * (ln_poch(px, q) - ln_gamma_q);
            dp += n * x * digamma_diff(px, q);
            dq += n * digamma_diff(q, px);
            for &(ln_m, k) in cells {
                let (xm, uq) = (self.spends[k as usize], ln1p[k as usize]);
                // ln(1 + γ/(x·m)) = ln(1 + x·m/γ) + ln γ − ln x − ln m.
                let up = uq + ln_g - ln_x - ln_m;
                ll -= ln_m + px * up + q * uq;
                dp -= x * up;
                dq -= uq;
                dgamma += (q * xm / gamma - px) / (gamma + xm);
            }
        }
        *grad = [dp, dq, dgamma];
        ll
    }
}

impl GammaGamma {
    /// A model with given parameters (γ in fen), all > 0.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<GammaGamma, FitError> {
        check_positive(&[p, q, gamma], "gammaGamma", "p, q and gamma")?;
        Ok(GammaGamma { p, q, gamma, fit: None, frequency_spend_correlation: None })
    }

    /// Maximum-likelihood fit on the repeat buyers (frequency ≥ 1) with a
    /// positive average repeat spend; other customers are ignored.
    ///
    /// Refuses fewer than [`FitOptions::min_repeat_buyers`] such customers
    /// (never fewer than 2), identical average spend for all (nothing to
    /// estimate: the store average is then exact), q ≤ 1 (no finite mean:
    /// [`FitError::SpendTooDispersed`]) and a fit that does not converge.
    /// Starts: p = 1, q = 2, γ = mean mₓ (so the mean spend matches), then
    /// (5, 3, 0.4·mean), then (0.5, 1.5, mean).
    pub fn fit(summaries: &[Summary], options: &FitOptions) -> Result<GammaGamma, FitError> {
        check_input(summaries, options)?;
        let buyers: Vec<&Summary> = summaries.iter().filter(|s| s.frequency > 0 && s.monetary > 0.0).collect();
        let needed = (options.min_repeat_buyers as usize).max(2);
        if buyers.len() < needed {
            return Err(FitError::TooFewRepeatBuyers { model: MODEL, found: buyers.len(), needed });
        }
        let (lo, hi) =
            buyers.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), s| (lo.min(s.monetary), hi.max(s.monetary)));
        if hi - lo <= 1e-9 * hi {
            return Err(FitError::NoVariation {
                model: MODEL,
                what: "every repeat buyer spends the same on average, so the spread of spend cannot be \
                       estimated (the store average is exact)",
            });
        }
        let n = buyers.len() as f64;
        let mean = buyers.iter().map(|s| s.monetary).sum::<f64>() / n;
        let data = Data::new(&buyers);
        let problem = Problem {
            model: MODEL,
            names: ["p", "q", "gamma"],
            scale: [1.0, 2.0, mean],
            starts: &[[1.0, 1.0, 1.0], [5.0, 1.5, 0.4], [0.5, 0.75, 1.0]],
            start: options.gamma_gamma_start,
            customers: buyers.len(),
            repeat_buyers: buyers.len(),
        };
        let ([p, q, gamma], info) = fit_model(problem, options, &|theta, d| data.log_likelihood(theta, d))?;
        if q <= 1.0 {
            return Err(FitError::SpendTooDispersed { q });
        }
        Ok(GammaGamma { p, q, gamma, fit: Some(info), frequency_spend_correlation: correlation(&buyers) })
    }

    /// The log-likelihood of the repeat buyers' average spend under this model.
    pub fn log_likelihood(&self, summaries: &[Summary]) -> f64 {
        let buyers: Vec<&Summary> = summaries.iter().filter(|s| s.frequency > 0 && s.monetary > 0.0).collect();
        let mut grad = [0.0; 3];
        Data::new(&buyers).log_likelihood([self.p, self.q, self.gamma], &mut grad)
    }

    /// The mean spend per purchase across customers, pγ/(q − 1), in fen
    /// (infinite if q ≤ 1).
    pub fn population_mean(&self) -> f64 {
        if self.q > 1.0 { self.p * self.gamma / (self.q - 1.0) } else { f64::INFINITY }
    }

    /// E[spend per purchase | x, mₓ] (预期客单价) in fen: a weighted average
    /// of the population mean and the customer's own mₓ,
    /// p(γ + x·mₓ)/(px + q − 1). Customers without repeat purchases (or with
    /// mₓ ≤ 0, which the fit ignores) get the population mean.
    pub fn expected_average_spend(&self, s: &Summary) -> f64 {
        if s.frequency == 0 || s.monetary <= 0.0 {
            return self.population_mean();
        }
        let x = f64::from(s.frequency);
        self.p * (self.gamma + x * s.monetary) / (self.p * x + self.q - 1.0)
    }
}

/// Pearson correlation of x and mₓ.
fn correlation(buyers: &[&Summary]) -> Option<f64> {
    let n = buyers.len() as f64;
    let mx = buyers.iter().map(|s| f64::from(s.frequency)).sum::<f64>() / n;
    let mm = buyers.iter().map(|s| s.monetary).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for s in buyers {
        let (dx, dm) = (f64::from(s.frequency) - mx, s.monetary - mm);
        sxy += dx * dm;
        sxx += dx * dx;
        syy += dm * dm;
    }
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then_some(r)
}

/// ∂LL/∂θ at θ = (p, q, γ), for the gradient check in the tests.
#[cfg(test)]
pub(crate) fn gradient(summaries: &[Summary], theta: [f64; 3]) -> [f64; 3] {
    let buyers: Vec<&Summary> = summaries.iter().filter(|s| s.frequency > 0 && s.monetary > 0.0).collect();
    let mut g = [0.0; 3];
    Data::new(&buyers).log_likelihood(theta, &mut g);
    g
}
