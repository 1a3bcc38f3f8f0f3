//! The models on the CDNOW sample (the published numbers), the holdout
//! check, robustness on awkward and thin data, and speed.

use super::sim::{World, simulate, simulate_with_truth};
use super::*;
use crate::model::{Day, day_of};
use chrono::NaiveDate;
use std::time::Instant;

fn day(y: i32, m: u32, d: u32) -> Day {
    NaiveDate::from_ymd_opt(y, m, d).map_or(0, day_of)
}

/// The CDNOW sample as purchases (customer = sample id, amount in cents).
fn cdnow() -> Vec<Purchase> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cdnow/CDNOW_sample.txt");
    let text = std::fs::read_to_string(path).expect("tests/data/cdnow/CDNOW_sample.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 5, "{line}");
            let date = NaiveDate::parse_from_str(f[2], "%Y%m%d").expect("date");
            let dollars: f64 = f[4].parse().expect("dollars");
            Purchase {
                customer: f[1].parse().expect("id"),
                day: day_of(date),
                amount_fen: (dollars * 100.0).round() as i64,
            }
        })
        .collect()
}

/// Weeks; calibration 1997-01-01 .. 1997-09-30.
fn calibration() -> Calibration {
    Calibration { end_day: day(1997, 9, 30), days_per_unit: 7.0 }
}

fn cdnow_summaries() -> Vec<Summary> {
    summaries(&cdnow(), &calibration()).expect("summaries")
}

fn within(value: f64, target: f64, rel: f64) -> bool {
    (value - target).abs() <= rel * target.abs()
}

#[test]
fn cdnow_summaries_match_the_published_ones() {
    let s = cdnow_summaries();
    assert_eq!(s.len(), 2357);
    assert_eq!(s.iter().filter(|s| s.frequency > 0).count(), 946);
    let c1 = s[0];
    assert_eq!((c1.customer, c1.frequency), (1, 2));
    assert!((c1.recency - 30.43).abs() < 0.005 && (c1.t - 38.86).abs() < 0.005, "{c1:?}");
    // lifetimes' cdnow_customers_summary_with_transactions.csv: zbar 22.35 dollars.
    assert!((c1.monetary - 2235.0).abs() < 1.0, "{c1:?}");
}

#[test]
fn cdnow_bg_nbd_reproduces_the_paper() {
    let s = cdnow_summaries();
    let started = Instant::now();
    let m = BgNbd::fit(&s, &FitOptions::default()).expect("fit");
    let elapsed = started.elapsed();
    let fit = m.fit.clone().expect("fit info");
    eprintln!(
        "BG/NBD CDNOW: r {:.4} alpha {:.4} a {:.4} b {:.4} LL {:.3} ({} iterations, {} evaluations, |g| {:.1e}, {:?})",
        m.r, m.alpha, m.a, m.b, fit.log_likelihood, fit.iterations, fit.evaluations, fit.gradient_norm, elapsed
    );
    for (name, value, paper) in [("r", m.r, 0.243), ("alpha", m.alpha, 4.414), ("a", m.a, 0.793), ("b", m.b, 2.426)] {
        assert!(within(value, paper, 0.005), "{name} = {value}, paper {paper}");
    }
    assert!((fit.log_likelihood - -9582.4).abs() <= 0.5, "LL {}", fit.log_likelihood);
    assert!(fit.converged && fit.at_bound.is_empty());
    assert_eq!((fit.customers, fit.repeat_buyers), (2357, 946));

    // Customer 1: x = 2, tₓ = 30.43, T = 38.86.
    let c1 = s[0];
    let e39 = m.expected_purchases(&c1, 39.0);
    let alive = m.probability_alive(&c1);
    eprintln!("customer 1: E[Y(39)] {e39:.4}, P(alive) {alive:.4}");
    assert!((e39 - 1.226).abs() <= 0.002, "{e39}");
    assert!((alive - 0.727).abs() <= 0.002, "{alive}");
}

#[test]
fn cdnow_with_the_papers_parameters() {
    let s = cdnow_summaries();
    let paper = BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("model");
    let ll = paper.log_likelihood(&s);
    assert!((ll - -9582.4).abs() < 1.0, "{ll}");
    let c1 = s[0];
    assert!((paper.expected_purchases(&c1, 39.0) - 1.226).abs() <= 0.002);
    assert!((paper.probability_alive(&c1) - 0.727).abs() <= 0.002);
    // The paper's unconditional E[X(t)] of a new customer: about 1.5 purchases in 78 weeks
    // (Figure 2's cumulative curve; 2357 customers, 1.5 each ≈ 3 500 repeat purchases).
    let new78 = paper.expected_purchases_new(78.0);
    assert!(new78 > 1.0 && new78 < 2.0, "{new78}");
}

#[test]
fn cdnow_gamma_gamma_reproduces_the_paper() {
    let s = cdnow_summaries();
    let m = GammaGamma::fit(&s, &FitOptions::default()).expect("fit");
    let fit = m.fit.clone().expect("fit info");
    eprintln!(
        "Gamma-Gamma CDNOW: p {:.4} q {:.4} gamma {:.4} $ (LL {:.3}, {} iterations, corr(x, m) {:?})",
        m.p,
        m.q,
        m.gamma / 100.0,
        fit.log_likelihood,
        fit.iterations,
        m.frequency_spend_correlation
    );
    assert_eq!(fit.customers, 946);
    assert!(within(m.p, 6.25, 0.01), "p {}", m.p);
    assert!(within(m.q, 3.74, 0.01), "q {}", m.q);
    assert!(within(m.gamma / 100.0, 15.44, 0.01), "gamma {}", m.gamma);
    // Fader & Hardie 2013: E[M] of the population ≈ $35.0? pγ/(q−1) = 6.25·15.44/2.74 = $35.2.
    assert!(within(m.population_mean() / 100.0, 35.2, 0.02), "{}", m.population_mean());
    // Customer 1: shrunk from $22.35 towards the mean.
    let e = m.expected_average_spend(&s[0]) / 100.0;
    assert!(e > 22.35 && e < 35.2, "{e}");
}

/// The paper's Figure 5 actuals: mean holdout purchases by calibration frequency 0..6, 7+
/// (the same values as the R package BTYD's CDNOW vignette).
const CDNOW_HOLDOUT_ACTUAL: [f64; 8] = [0.2367, 0.6970, 1.3925, 1.5600, 2.5323, 2.9474, 3.8621, 6.3594];

#[test]
fn cdnow_holdout_by_calibration_frequency() {
    let purchases = cdnow();
    let s = cdnow_summaries();
    let cal = calibration();
    let model = Model::fit(&s, cal, &FitOptions::default()).expect("model");
    assert!(model.purchases.fallback_reason().is_none() && model.spend.fallback_reason().is_none());
    let holdout = holdout_purchases(&purchases, &cal, 273);
    let table = holdout_table(&model, &s, &holdout, 273.0, 7);
    eprintln!("calibration purchases | customers | actual holdout (mean) | predicted (mean)");
    for row in &table {
        eprintln!(
            "{:>5} | {:>5} | {:>6.3} | {:>6.3}   (totals {} vs {:.1})",
            row.label, row.customers, row.actual_mean, row.predicted_mean, row.actual_total, row.predicted_total
        );
    }
    for (row, actual) in table.iter().zip(CDNOW_HOLDOUT_ACTUAL) {
        assert!((row.actual_mean - actual).abs() < 5e-5, "{row:?}");
        // Loosely: the model tracks the paper's figure, under by at most 26 % (x = 1, 2: the
        // published model's known shortfall) and within 10 % from x = 3 on.
        let gap = (row.predicted_mean - row.actual_mean) / row.actual_mean;
        assert!(gap > -0.26 && gap < 0.05, "{row:?}");
    }
    let total = table.last().expect("total row");
    assert_eq!((total.label.as_str(), total.customers, total.actual_total), ("total", 2357, 1882));
    let error = (total.predicted_total - total.actual_total as f64) / total.actual_total as f64;
    eprintln!("holdout total: actual 1882, predicted {:.1} ({:+.2} %)", total.predicted_total, 100.0 * error);
    // NOT within 5 %: the published BG/NBD itself forecasts 12 % too few purchases for weeks
    // 40–78, which hold the Christmas season that the calibration weeks lack. The model
    // reproduces that shortfall (the paper's parameters give the same total within 0.5 %).
    let paper = BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("model");
    let paper_total: f64 = s.iter().map(|c| paper.expected_purchases(c, 39.0)).sum();
    assert!(within(total.predicted_total, paper_total, 0.005), "{} vs {paper_total}", total.predicted_total);
    assert!((error - -0.1215).abs() < 0.005, "{error}");
    // In-sample, the model's expected repeat purchases over the calibration weeks are within 5 %.
    let PurchaseModel::BgNbd(m) = &model.purchases else { panic!("fallback") };
    let fitted: f64 = s.iter().map(|c| m.expected_purchases_new(c.t)).sum();
    let repeat: u32 = s.iter().map(|c| c.frequency).sum();
    eprintln!("calibration: {repeat} repeat purchases, model {fitted:.1}");
    assert!(within(fitted, f64::from(repeat), 0.05));
    // The paper's tracking forecast (its Figure 2): the cohort's expected repeat purchases in
    // weeks 40–78 from the unconditional E[X(t)], each customer at its own age T.
    let tracking: f64 = s.iter().map(|c| m.expected_purchases_new(c.t + 39.0) - m.expected_purchases_new(c.t)).sum();
    eprintln!(
        "holdout total, tracking forecast: {tracking:.1} vs actual 1882 ({:+.2} %)",
        100.0 * (tracking / 1882.0 - 1.0)
    );
    // It falls short by the same ~11 %: the shortfall is the season, not the conditioning.
    assert!((tracking / 1882.0 - 1.0 - -0.114).abs() < 0.005, "{tracking}");
}

#[test]
fn holdout_total_is_within_5_percent_on_a_simulated_store() {
    // Where the model is the truth (no season), the 39-week holdout total is within 5 %.
    let world = World { last_day: 272 + 273, ..store_world(10_000) };
    let purchases = simulate(&world, 39);
    let cal = Calibration { end_day: 272, days_per_unit: 7.0 };
    let s = summaries(&purchases, &cal).expect("summaries");
    let model = Model::fit(&s, cal, &FitOptions::default()).expect("model");
    let holdout = holdout_purchases(&purchases, &cal, 273);
    let table = holdout_table(&model, &s, &holdout, 273.0, 7);
    let total = table.last().expect("total");
    let error = (total.predicted_total - total.actual_total as f64) / total.actual_total as f64;
    eprintln!(
        "simulated holdout: actual {}, predicted {:.1} ({:+.2} %)",
        total.actual_total,
        total.predicted_total,
        100.0 * error
    );
    assert!(error.abs() <= 0.05, "{error}");
}

#[test]
fn the_fit_is_the_same_from_several_starts() {
    let s = cdnow_summaries();
    let reference = BgNbd::fit(&s, &FitOptions::default()).expect("fit");
    for start in [[0.01, 0.01, 0.01, 0.01], [10.0, 100.0, 5.0, 50.0], [0.5, 20.0, 3.0, 0.2], [2.0, 0.5, 0.05, 30.0]] {
        let opts = FitOptions { bg_nbd_start: Some(start), ..FitOptions::default() };
        let m = BgNbd::fit(&s, &opts).expect("fit");
        for (x, y) in [(m.r, reference.r), (m.alpha, reference.alpha), (m.a, reference.a), (m.b, reference.b)] {
            assert!(within(x, y, 1e-4), "from {start:?}: {m:?}");
        }
    }
    let g = GammaGamma::fit(&s, &FitOptions::default()).expect("fit");
    for start in [[0.1, 1.1, 10.0], [100.0, 50.0, 1e5], [1.0, 20.0, 1.0]] {
        let opts = FitOptions { gamma_gamma_start: Some(start), ..FitOptions::default() };
        let m = GammaGamma::fit(&s, &opts).expect("fit");
        assert!(within(m.p, g.p, 1e-4) && within(m.q, g.q, 1e-4) && within(m.gamma, g.gamma, 1e-4), "{start:?}: {m:?}");
    }
}

#[test]
fn the_penalizer_shrinks_towards_the_data_scale() {
    let s = cdnow_summaries();
    let plain = BgNbd::fit(&s, &FitOptions::default()).expect("fit");
    let opts = FitOptions { penalizer: 0.1, ..FitOptions::default() };
    let shrunk = BgNbd::fit(&s, &opts).expect("fit");
    let ll = |m: &BgNbd| m.fit.as_ref().map_or(f64::NAN, |f| f.log_likelihood);
    assert!(ll(&shrunk) < ll(&plain));
    // Closer to (1, α₀, 1, 1), α₀ = observed weeks per repeat purchase.
    let alpha0 = s.iter().map(|s| s.t).sum::<f64>() / s.iter().map(|s| f64::from(s.frequency)).sum::<f64>();
    let distance = |m: &BgNbd| [m.r, m.alpha / alpha0, m.a, m.b].iter().map(|v| v.ln().powi(2)).sum::<f64>();
    assert!(distance(&shrunk) < distance(&plain), "{shrunk:?}");
    assert!(shrunk.r > plain.r, "{shrunk:?}");
    assert!(matches!(
        BgNbd::fit(&s, &FitOptions { penalizer: -1.0, ..FitOptions::default() }),
        Err(FitError::BadOptions { field: "penalizer", .. })
    ));
}

#[test]
fn member_and_store_forecasts_on_cdnow() {
    let s = cdnow_summaries();
    let cal = calibration();
    let model = Model::fit(&s, cal, &FitOptions::default()).expect("model");
    let opts = ForecastOptions { purchases_days: 273.0, ..ForecastOptions::default() };
    let members = model.members(&s, &opts).expect("options");
    let c1 = &members[0];
    eprintln!("customer 1: {c1:?}");
    assert_eq!(c1.customer, 1);
    assert!((c1.expected_purchases - 1.226).abs() < 0.002);
    assert!(!c1.fallback && c1.probability_alive.is_some());
    // P(alive) 0.727 > ½: a next-order date exists, after the calibration end.
    let next = c1.next_order_day.expect("next order");
    let if_alive = c1.next_order_day_if_alive.expect("next order if alive");
    assert!(next > cal.end_day && if_alive > cal.end_day && next >= if_alive);
    // A one-time buyer from January is unlikely to come back soon.
    let once = members.iter().zip(&s).find(|(_, s)| s.frequency == 0 && s.t > 38.0).map(|(m, _)| m);
    let once = once.expect("a one-time buyer");
    assert_eq!(once.probability_alive, Some(1.0));
    assert!(once.expected_purchases < c1.expected_purchases);
    // CLV: one year at 10 % a year, discounted, less than undiscounted.
    let undiscounted = model.clv(&s[0], 365.0, 0.0, 30.4375);
    let discounted = model.clv(&s[0], 365.0, 0.1, 30.4375);
    let weekly = model.clv(&s[0], 365.0, 0.1, 7.0);
    assert!(discounted < undiscounted && discounted > 0.9 * undiscounted, "{discounted} {undiscounted}");
    assert!(within(weekly, discounted, 0.01), "{weekly} {discounted}");
    assert!((c1.clv_fen as f64 - discounted).abs() <= 0.5);
    // Undiscounted CLV over a year = E[purchases in 52.14 weeks] × E[spend].
    let direct = model.expected_purchases(&s[0], 365.0) * model.spend.expected_average_spend(&s[0]);
    assert!(within(undiscounted, direct, 1e-9));

    let store = model.store(&s);
    eprintln!("store: {store:?}");
    assert!(!store.fallback && store.customers == 2357);
    assert!(store.next_90_days.orders > 2.0 * store.next_30_days.orders);
    assert!(store.next_90_days.revenue_fen > store.next_30_days.revenue_fen);
    assert!(matches!(
        model.members(&s, &ForecastOptions { clv_step_days: 0.0, ..ForecastOptions::default() }),
        Err(FitError::BadOptions { field: "clvStepDays", .. })
    ));
}

/// `members` shares one purchase forecast between members with the same
/// (x, tₓ, T): the forecasts are exactly those of `member`, one at a time.
#[test]
fn members_share_purchase_forecasts_without_changing_them() {
    let s = cdnow_summaries();
    let cells: std::collections::HashSet<_> =
        s.iter().map(|s| (s.frequency, s.recency.to_bits(), s.t.to_bits())).collect();
    assert!(cells.len() < s.len() / 2, "CDNOW repeats (x, tx, T): {} cells", cells.len());
    let fitted = Model::fit(&s, calibration(), &FitOptions::default()).expect("model");
    // Below the minimums: the shrunk fit; with nobody buying twice: the store averages.
    let few = Model::fit(&s[..60], calibration(), &FitOptions::default()).expect("fallback");
    let once: Vec<Summary> = s.iter().filter(|s| s.frequency == 0).take(50).cloned().collect();
    let average = Model::fit(&once, calibration(), &FitOptions::default()).expect("store average");
    assert!(few.purchases.fallback_reason().is_some() && average.purchases.bg_nbd().is_none());
    for (model, s) in [(&fitted, &s[..]), (&few, &s[..60]), (&average, &once[..])] {
        for options in [
            ForecastOptions::default(),
            ForecastOptions { clv_step_days: 7.0, annual_discount_rate: 0.0, ..ForecastOptions::default() },
        ] {
            let one_by_one: Vec<MemberForecast> = s.iter().map(|s| model.member(s, &options)).collect();
            assert_eq!(model.members(s, &options).expect("options"), one_by_one);
        }
    }
}

/// The likelihood's cells and its table of ln(1 + t/α) per distinct time
/// give the paper's per-customer log-likelihood (equation 6), summed one
/// customer at a time.
#[test]
fn log_likelihood_is_the_sum_over_customers() {
    use special::{ln_gamma, log_add_exp};
    let s = cdnow_summaries();
    for [r, alpha, a, b] in [[0.243, 4.414, 0.793, 2.426], [1.7, 0.3, 2.5, 0.6], [0.05, 40.0, 0.01, 9.0]] {
        let one = |s: &Summary| {
            let x = f64::from(s.frequency);
            let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
            let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
            let a3 = -(r + x) * (alpha + s.t).ln();
            let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + s.recency).ln();
            a1 + a2 + if s.frequency > 0 { log_add_exp(a3, a4) } else { a3 }
        };
        let direct: f64 = s.iter().map(one).sum();
        let cells = BgNbd::new(r, alpha, a, b).expect("model").log_likelihood(&s);
        assert!(within(cells, direct, 1e-11), "{r} {alpha} {a} {b}: {cells} vs {direct}");
    }
}

/// The Gamma-Gamma likelihood's table of ln(1 + x·mₓ/γ) per distinct
/// repeat spend gives the per-buyer density of Fader & Hardie (2013), summed
/// one buyer at a time.
#[test]
fn spend_log_likelihood_is_the_sum_over_buyers() {
    use special::ln_gamma;
    let s = cdnow_summaries();
    for [p, q, gamma] in [[6.25, 3.74, 1544.0], [0.4, 1.2, 30.0], [40.0, 12.0, 9e4]] {
        let one = |s: &Summary| {
            let (x, m) = (f64::from(s.frequency), s.monetary);
            let px = p * x;
            ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q) + q * gamma.ln() + (px - 1.0) * m.ln() + px * x.ln()
                - (px + q) * (gamma + m * x).ln()
        };
        let direct: f64 = s.iter().filter(|s| s.frequency > 0 && s.monetary > 0.0).map(one).sum();
        let table = GammaGamma::new(p, q, gamma).expect("model").log_likelihood(&s);
        assert!(within(table, direct, 1e-11), "{p} {q} {gamma}: {table} vs {direct}");
    }
}

/// What members with the same x and T share (the expected purchases if
/// alive, by step) gives exactly the direct formulas, member by member:
/// E[Y(t)] = P(alive) · G(r + x, a, b + x, t/(α + T)), and the CLV's
/// discounted sum of each step's increase of E[Y].
#[test]
fn shared_forecasts_are_the_direct_formulas_exactly() {
    let s = cdnow_summaries();
    let model = Model::fit(&s, calibration(), &FitOptions::default()).expect("model");
    let bg = model.purchases.bg_nbd().expect("BG/NBD").clone();
    let direct = |s: &Summary, days: f64| {
        let x = f64::from(s.frequency);
        let tau = model.calibration.units(days) / (bg.alpha + s.t);
        bg.probability_alive(s) * special::expected_while_alive(bg.r + x, bg.a, bg.b + x, tau)
    };
    let clv = |s: &Summary, options: &ForecastOptions| {
        let (horizon, step) = (options.clv_horizon_days, options.clv_step_days);
        let ln_discount = (1.0 + options.annual_discount_rate).ln();
        let (mut previous, mut sum) = (0.0, 0.0);
        for i in 1..=(horizon / step).ceil() as u32 {
            let days = (f64::from(i) * step).min(horizon);
            let cumulative = direct(s, days);
            sum += (cumulative - previous) * (-ln_discount * days / 365.25).exp();
            previous = cumulative;
        }
        model.spend.expected_average_spend(s) * sum
    };
    for options in [
        ForecastOptions::default(),
        ForecastOptions { purchases_days: 90.0, clv_step_days: 7.0, ..ForecastOptions::default() },
    ] {
        let members = model.members(&s, &options).expect("options");
        for (m, s) in members.iter().zip(&s) {
            assert_eq!(m.expected_purchases, direct(s, options.purchases_days), "{s:?}");
            assert_eq!(m.clv_fen, clv(s, &options).round() as i64, "{s:?}");
            let (h, d, step) = (options.clv_horizon_days, options.annual_discount_rate, options.clv_step_days);
            assert_eq!(model.clv(s, h, d, step), clv(s, &options), "{s:?}");
        }
    }
    for days in [30.0, 90.0] {
        let expected = model.expected(&s, days);
        let orders: f64 = s.iter().map(|s| direct(s, days)).sum();
        let revenue: f64 = s.iter().map(|s| direct(s, days) * model.spend.expected_average_spend(s)).sum();
        assert_eq!((expected.orders, expected.revenue_fen), (orders, revenue.round() as i64));
    }
}

#[test]
fn analytic_gradients_match_finite_differences() {
    let s = cdnow_summaries();
    let bg = |theta: [f64; 4]| BgNbd { r: theta[0], alpha: theta[1], a: theta[2], b: theta[3], fit: None };
    let theta = [0.3, 5.0, 0.7, 2.0];
    let h = 1e-6;
    // d/dθᵢ by central differences of the public log-likelihood, against the fit's own derivatives:
    // at the optimum the gradient is ~0, so check at an arbitrary point through a 1-D profile instead.
    for i in 0..4 {
        let mut up = theta;
        let mut down = theta;
        up[i] *= 1.0 + h;
        down[i] *= 1.0 - h;
        let fd = (bg(up).log_likelihood(&s) - bg(down).log_likelihood(&s)) / (2.0 * h * theta[i]);
        let analytic = bgnbd_gradient(&s, theta)[i];
        assert!(within(analytic, fd, 1e-5), "BG/NBD ∂{i}: {analytic} vs {fd}");
    }
    let gg = |t: [f64; 3]| GammaGamma { p: t[0], q: t[1], gamma: t[2], fit: None, frequency_spend_correlation: None };
    let theta = [4.0, 3.0, 2000.0];
    for i in 0..3 {
        let mut up = theta;
        let mut down = theta;
        up[i] *= 1.0 + h;
        down[i] *= 1.0 - h;
        let fd = (gg(up).log_likelihood(&s) - gg(down).log_likelihood(&s)) / (2.0 * h * theta[i]);
        let analytic = gamma_gamma::gradient(&s, theta)[i];
        assert!(within(analytic, fd, 1e-5), "Gamma-Gamma ∂{i}: {analytic} vs {fd}");
    }
}

fn bgnbd_gradient(s: &[Summary], theta: [f64; 4]) -> [f64; 4] {
    bgnbd::gradient(s, theta)
}

// --- awkward and thin data -------------------------------------------------

/// `n` customers who each bought once, on staggered days.
fn one_time_buyers(n: u32) -> Vec<Purchase> {
    (0..n)
        .map(|c| Purchase { customer: c, day: (c % 200) as Day, amount_fen: 1_000 + i64::from(c % 7) * 100 })
        .collect()
}

#[test]
fn all_one_time_buyers_say_so_and_forecast_nothing() {
    let cal = Calibration { end_day: 365, days_per_unit: 7.0 };
    let s = summaries(&one_time_buyers(500), &cal).expect("summaries");
    let err = BgNbd::fit(&s, &FitOptions::default()).expect_err("no repeat buyers");
    assert_eq!(err, FitError::TooFewRepeatBuyers { model: "BG/NBD", found: 0, needed: 30 });
    eprintln!("{err}");
    assert!(err.to_string().contains("only 0 customers bought on two or more days"));
    // Even with the thresholds off, zero repeat buyers is refused (the MLE is at rate 0).
    let off = FitOptions { min_customers: 0, min_repeat_buyers: 0, ..FitOptions::default() };
    assert!(matches!(BgNbd::fit(&s, &off), Err(FitError::TooFewRepeatBuyers { needed: 1, .. })));
    let model = Model::fit(&s, cal, &FitOptions::default()).expect("fallback");
    let store = model.store(&s);
    assert!(store.fallback);
    assert_eq!(store.next_90_days.orders, 0.0);
    let why = |f: &Option<Fallback>| f.as_ref().map(|f| (f.method, f.code));
    assert_eq!(why(&store.purchases_fallback), Some(("store_average", "TOO_FEW_REPEAT_BUYERS")));
    assert_eq!(why(&store.spend_fallback), Some(("store_average", "TOO_FEW_REPEAT_BUYERS")));
}

/// `n` customers who bought every week since their first week.
fn weekly_buyers(n: u32) -> Vec<Purchase> {
    let mut out = Vec::new();
    for c in 0..n {
        let mut d = (c % 20) as Day;
        while d <= 280 {
            out.push(Purchase { customer: c, day: d, amount_fen: 3_000 + i64::from(c % 5) * 250 });
            d += 7;
        }
    }
    out
}

#[test]
fn everyone_buying_every_week_converges_to_the_limit() {
    let cal = Calibration { end_day: 280, days_per_unit: 7.0 };
    let s = summaries(&weekly_buyers(300), &cal).expect("summaries");
    let m = BgNbd::fit(&s, &FitOptions::default()).expect("fit");
    let fit = m.fit.clone().expect("fit info");
    eprintln!("weekly buyers: {m:?}");
    assert!(fit.converged);
    for s in &s[..5] {
        let alive = m.probability_alive(s);
        let next4 = m.expected_purchases(s, 4.0);
        assert!(alive > 0.99, "{alive}");
        assert!((next4 - 4.0).abs() < 0.3, "{next4}");
    }
    // With a small penalizer the estimate is finite and the forecast the same.
    let opts = FitOptions { penalizer: 0.001, ..FitOptions::default() };
    let p = BgNbd::fit(&s, &opts).expect("fit");
    assert!(p.fit.as_ref().is_some_and(|f| f.at_bound.is_empty()), "{p:?}");
    assert!((p.expected_purchases(&s[0], 4.0) - 4.0).abs() < 0.3);
    // Identical average spend: Gamma-Gamma says there is nothing to estimate… unless spend varies (it does here).
    assert!(GammaGamma::fit(&s, &FitOptions::default()).is_ok());
    let same: Vec<Summary> = s.iter().map(|x| Summary { monetary: 3_000.0, ..*x }).collect();
    assert!(matches!(GammaGamma::fit(&same, &FitOptions::default()), Err(FitError::NoVariation { .. })));
}

#[test]
fn a_store_with_30_members_gets_a_clear_message() {
    let world = World {
        customers: 30,
        cohort_days: 180,
        last_day: 365,
        bg_nbd: (1.0, 30.0, 0.5, 3.0),
        gamma_gamma: (5.0, 3.0, 2_000.0),
    };
    let purchases = simulate(&world, 30);
    let cal = Calibration { end_day: 365, days_per_unit: 1.0 };
    let s = summaries(&purchases, &cal).expect("summaries");
    assert_eq!(s.len(), 30);
    let err = BgNbd::fit(&s, &FitOptions::default()).expect_err("too few");
    assert!(matches!(err, FitError::TooFewCustomers { found: 30, needed: 100, .. }), "{err}");
    assert_eq!(err.code(), "TOO_FEW_CUSTOMERS");
    eprintln!("{err}");
    let err = GammaGamma::fit(&s, &FitOptions::default()).expect_err("too few");
    assert_eq!(err.code(), "TOO_FEW_REPEAT_BUYERS");
    eprintln!("{err}");

    let model = Model::fit(&s, cal, &FitOptions::default()).expect("fallback model");
    assert_eq!((model.purchases.method(), model.spend.method()), ("shrunk_bg_nbd", "shrunk_gamma_gamma"));
    let store = model.store(&s);
    eprintln!("30-member store: {store:?}");
    assert!(store.fallback);
    let why = store.purchases_fallback.clone().expect("reason");
    assert_eq!((why.method, why.code), ("shrunk_bg_nbd", "TOO_FEW_CUSTOMERS"));
    assert!(why.message.contains("only 30 customers") && why.message.contains("at least 100"));
    // Finite, non-negative, of the order of what the last 90 days brought: not nonsense.
    let recent = purchases.iter().filter(|p| p.day > 275).count() as f64;
    let next = store.next_90_days.orders;
    assert!(next.is_finite() && next > 0.2 * recent && next < 3.0 * recent + 5.0, "{next} vs {recent}");
    let members = model.members(&s, &ForecastOptions::default()).expect("options");
    assert!(members.iter().all(|m| m.fallback && m.probability_alive.is_some_and(|p| (0.0..=1.0).contains(&p))));
    assert!(members.iter().all(|m| m.clv_fen >= 0 && m.expected_average_spend_fen > 0));

    // With the shrunk fits turned off: the store averages, no member-level guesses.
    let opts = FitOptions { fallback_penalizer: 0.0, ..FitOptions::default() };
    let model = Model::fit(&s, cal, &opts).expect("fallback model");
    assert_eq!((model.purchases.method(), model.spend.method()), ("store_average", "store_average"));
    let store = model.store(&s);
    assert!(store.next_90_days.orders.is_finite() && store.next_90_days.orders > 0.0);
    let members = model.members(&s, &ForecastOptions::default()).expect("options");
    assert!(members.iter().all(|m| m.fallback && m.probability_alive.is_none() && m.next_order_day.is_none()));
}

#[test]
fn nothing_to_forecast_is_an_error() {
    let cal = Calibration { end_day: 10, days_per_unit: 1.0 };
    assert_eq!(Model::fit(&[], cal, &FitOptions::default()), Err(FitError::NoCustomers));
    let brand_new = summaries(&[Purchase { customer: 0, day: 10, amount_fen: 5 }], &cal).expect("summaries");
    assert!(matches!(Model::fit(&brand_new, cal, &FitOptions::default()), Err(FitError::NoVariation { .. })));
    let bad = [Summary::new(3, 1, 9.0, 2.0, 10.0)];
    assert!(matches!(Model::fit(&bad, cal, &FitOptions::default()), Err(FitError::BadSummary { customer: 3, .. })));
}

// --- simulated stores ------------------------------------------------------

/// A convenience store in days: r 0.8, α 40 days (a visit every 50 days on
/// average), a 0.6, b 4; spend p 4, q 5, γ 12 000 fen (mean ¥40).
fn store_world(customers: u32) -> World {
    World {
        customers,
        cohort_days: 365,
        last_day: 547,
        bg_nbd: (0.8, 40.0, 0.6, 4.0),
        gamma_gamma: (4.0, 5.0, 12_000.0),
    }
}

#[test]
fn simulated_parameters_are_recovered() {
    let world = store_world(20_000);
    let purchases = simulate(&world, 7);
    let cal = Calibration { end_day: world.last_day, days_per_unit: 1.0 };
    let s = summaries(&purchases, &cal).expect("summaries");
    let m = BgNbd::fit(&s, &FitOptions::default()).expect("fit");
    eprintln!("simulated BG/NBD (truth 0.8, 40, 0.6, 4): {:.3} {:.2} {:.3} {:.3}", m.r, m.alpha, m.a, m.b);
    assert!(within(m.r, 0.8, 0.1) && within(m.alpha, 40.0, 0.15), "{m:?}");
    assert!(within(m.a, 0.6, 0.2) && within(m.b, 4.0, 0.25), "{m:?}");
    let g = GammaGamma::fit(&s, &FitOptions::default()).expect("fit");
    eprintln!("simulated Gamma-Gamma (truth 4, 5, 12000): {:.3} {:.3} {:.1}", g.p, g.q, g.gamma);
    assert!(within(g.p, 4.0, 0.1) && within(g.q, 5.0, 0.2) && within(g.gamma, 12_000.0, 0.25), "{g:?}");
}

#[test]
fn the_fit_converges_at_a_million_orders() {
    // About 1M purchases: 190 000 customers over 18 months.
    let world = World { customers: 190_000, ..store_world(0) };
    let purchases = simulate(&world, 1_000_000);
    eprintln!("{} purchases", purchases.len());
    assert!(purchases.len() >= 1_000_000, "{}", purchases.len());
    let cal = Calibration { end_day: world.last_day, days_per_unit: 1.0 };
    let started = Instant::now();
    let s = summaries(&purchases, &cal).expect("summaries");
    let summarised = started.elapsed();
    let model = Model::fit(&s, cal, &FitOptions::default()).expect("model");
    let fitted = started.elapsed();
    let PurchaseModel::BgNbd(m) = &model.purchases else { panic!("fallback: {:?}", model.purchases.method()) };
    let info = m.fit.as_ref().expect("fit info");
    eprintln!(
        "1M orders: {} customers, summaries {summarised:?}, fits {:?}; r {:.3} alpha {:.2} a {:.3} b {:.3}, {} iterations",
        s.len(),
        fitted - summarised,
        m.r,
        m.alpha,
        m.a,
        m.b,
        info.iterations
    );
    assert!(info.converged && info.at_bound.is_empty());
    assert!(within(m.r, 0.8, 0.05) && within(m.a, 0.6, 0.1), "{m:?}");
    assert!(model.spend.fallback_reason().is_none());
}

#[test]
fn timing_23k_customers() {
    // The CDNOW master file's size: ~23 500 customers.
    let world = World {
        customers: 23_500,
        cohort_days: 84,
        last_day: 272,
        bg_nbd: (0.243, 4.414 * 7.0, 0.793, 2.426),
        gamma_gamma: (6.25, 3.74, 1544.0),
    };
    let purchases = simulate(&world, 23);
    let cal = Calibration { end_day: world.last_day, days_per_unit: 7.0 };
    let s = summaries(&purchases, &cal).expect("summaries");
    let started = Instant::now();
    let m = BgNbd::fit(&s, &FitOptions::default()).expect("fit");
    let bg = started.elapsed();
    let g = GammaGamma::fit(&s, &FitOptions::default()).expect("fit");
    let both = started.elapsed();
    let forecasts =
        Model::fit(&s, cal, &FitOptions::default()).and_then(|model| model.members(&s, &ForecastOptions::default()));
    let all = started.elapsed();
    eprintln!(
        "{} customers: BG/NBD {bg:?} ({} evaluations), + Gamma-Gamma {both:?}, + both again and every member's forecast {all:?} ({} members)",
        s.len(),
        m.fit.as_ref().map_or(0, |f| f.evaluations),
        forecasts.map_or(0, |f| f.len())
    );
    assert!(g.q > 1.0);
    // Generous: the wasm target (0.5 s) is checked with the release build (see the report).
    assert!(bg.as_secs_f64() < if cfg!(debug_assertions) { 10.0 } else { 0.5 });
}

/// The study behind the default minimums and the fallbacks (run with
/// `cargo test --release --lib -- --ignored minimums_study --nocapture`; `CDNOW_LIKE=1` for
/// CDNOW's parameters): 200 stores of N members each, simulated over one year of history
/// (days), the next 90 days as holdout. For the BG/NBD without minimums, the shrunk BG/NBD
/// (penalizer 0.05) and the store average: the store's 90-day orders |relative error|
/// (median, 90th percentile) and the correlation of members' forecasts with their actual
/// purchases; for spend, the RMSE of the members' expected spend against their true mean,
/// relative to the store mean's (< 1: better than the average).
#[test]
#[ignore]
fn minimums_study() {
    let plain = FitOptions { min_customers: 0, min_repeat_buyers: 2, ..FitOptions::default() };
    let shrunk = FitOptions { penalizer: 0.05, ..plain.clone() };
    let cal = Calibration { end_day: 364, days_per_unit: 1.0 };
    let cdnow_like = std::env::var("CDNOW_LIKE").is_ok();
    eprintln!(
        "members | repeat buyers | plain ran off | 90-day error plain · shrunk · average (median/p90) | corr plain · shrunk | spend RMSE plain · shrunk (median/p90)"
    );
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v.get(((v.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN)
    };
    for n in [30u32, 50, 75, 100, 150, 200, 400, 1000] {
        let mut ran_off = 0;
        let mut col: Vec<Vec<f64>> = vec![Vec::new(); 8];
        for seed in 0..200u64 {
            let mut world = World { customers: n, cohort_days: 365, last_day: 364 + 90, ..store_world(0) };
            if cdnow_like {
                world.bg_nbd = (0.243, 4.414 * 7.0, 0.793, 2.426);
                world.gamma_gamma = (6.25, 3.74, 1544.0);
            }
            let (purchases, true_spend) = simulate_with_truth(&world, 1000 * u64::from(n) + seed);
            let s = summaries(&purchases, &cal).expect("summaries");
            let holdout = holdout_purchases(&purchases, &cal, 90);
            let actual_of = |c: u32| holdout.binary_search_by_key(&c, |h| h.0).map_or(0.0, |i| f64::from(holdout[i].1));
            let act: Vec<f64> = s.iter().map(|x| actual_of(x.customer)).collect();
            let actual: f64 = act.iter().sum::<f64>().max(1.0);
            col[0].push(s.iter().filter(|x| x.frequency > 0).count() as f64);
            for (k, opts) in [(1, &plain), (2, &shrunk)] {
                let Ok(m) = BgNbd::fit(&s, opts) else { continue };
                if k == 1 && m.fit.as_ref().is_some_and(|f| !f.at_bound.is_empty()) {
                    ran_off += 1;
                }
                let predicted: Vec<f64> = s.iter().map(|x| m.expected_purchases(x, 90.0)).collect();
                col[k].push((predicted.iter().sum::<f64>() / actual - 1.0).abs());
                col[k + 3].push(pearson(&predicted, &act));
            }
            let rate = s.iter().map(|x| f64::from(x.frequency)).sum::<f64>() / s.iter().map(|x| x.t).sum::<f64>();
            col[3].push((rate * 90.0 * s.len() as f64 / actual - 1.0).abs());
            let buyers: Vec<&Summary> = s.iter().filter(|x| x.frequency > 0).collect();
            let mean = s.iter().map(|x| x.spend_fen as f64).sum::<f64>()
                / s.iter().map(|x| f64::from(x.frequency) + 1.0).sum::<f64>();
            let rmse = |f: &dyn Fn(&Summary) -> f64| {
                let sq: f64 = buyers.iter().map(|x| (f(x) - true_spend[x.customer as usize]).powi(2)).sum();
                (sq / buyers.len() as f64).sqrt()
            };
            for (k, opts) in [(6, &plain), (7, &shrunk)] {
                if let Ok(g) = GammaGamma::fit(&s, opts) {
                    col[k].push(rmse(&|x| g.expected_average_spend(x)) / rmse(&|_| mean));
                }
            }
        }
        let mut c = col;
        eprintln!(
            "{n:>5} | {:>4.0} | {ran_off:>3}/200 | {:.2}/{:.2} · {:.2}/{:.2} · {:.2}/{:.2} | {:.2} · {:.2} | {:.2}/{:.2} · {:.2}/{:.2}",
            q(&mut c[0], 0.5),
            q(&mut c[1], 0.5),
            q(&mut c[1], 0.9),
            q(&mut c[2], 0.5),
            q(&mut c[2], 0.9),
            q(&mut c[3], 0.5),
            q(&mut c[3], 0.9),
            q(&mut c[4], 0.5),
            q(&mut c[5], 0.5),
            q(&mut c[6], 0.5),
            q(&mut c[6], 0.9),
            q(&mut c[7], 0.5),
            q(&mut c[7], 0.9),
        );
    }
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}
