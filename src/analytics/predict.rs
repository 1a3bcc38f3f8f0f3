//! Predictive member value for the store (DOMAIN seeds 000, 002): the
//! [`clv`](super::clv) models fitted on the store's own purchases up to the
//! analysis date, turned into what a store owner acts on — who is probably
//! still a customer, who is at risk and how much of last year's spend that
//! puts at risk, what each member is worth over the next year, and what the
//! store can expect in the next 30 and 90 days — plus a holdout check of the
//! model on the store's own recent weeks.

use super::Analysis;
use super::clv::{
    Calibration, FitOptions, ForecastOptions, HoldoutRow, MemberForecast, Model, Purchase, StoreForecast,
    holdout_purchases, holdout_table, summaries,
};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Dataset, Day, Fen, OrderKind, format_day};
use crate::rules::PredictionRules;
use serde::Serialize;

/// Fitted parameters, for the curious and for auditing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameters {
    /// `bg_nbd`, `shrunk_bg_nbd` or `store_average`.
    pub purchases_method: &'static str,
    /// `gamma_gamma`, `shrunk_gamma_gamma` or `store_average`.
    pub spend_method: &'static str,
    /// BG/NBD r, alpha (in the rules' time unit), a, b; `None` under the store average.
    pub bg_nbd: Option<[f64; 4]>,
    /// Gamma-Gamma p, q, gamma (fen); `None` under a fallback without a model.
    pub gamma_gamma: Option<[f64; 3]>,
    /// Log-likelihood of the BG/NBD fit.
    pub log_likelihood: Option<f64>,
    /// Whether the BG/NBD optimiser converged.
    pub converged: Option<bool>,
}

/// One cell of the probability-alive heatmap: members with this many repeat
/// purchase days and this long since their last purchase.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatCell {
    /// Frequency band (repeat purchase days): `0`, `1`, `2`, `3`, `4`, `5–9`, `10+`.
    pub frequency: &'static str,
    /// Recency band (days since the last purchase): `0–30`, `31–60`, `61–90`, `91–180`, `181–365`, `365+`.
    pub recency: &'static str,
    /// Members in the cell.
    pub members: u64,
    /// Their mean probability of still being customers (`None` when empty).
    pub mean_probability_alive: Option<f64>,
}

/// One bar of the CLV distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClvBin {
    /// Lower bound, fen (inclusive).
    pub from_fen: Fen,
    /// Upper bound, fen (exclusive); `None` for the last bin.
    pub to_fen: Option<Fen>,
    /// Members in it.
    pub members: u64,
    /// Their CLV, fen.
    pub clv_fen: Fen,
}

/// What `predict` tells the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PredictionSummary {
    /// The analysis date the models were fitted up to (exclusive).
    pub as_of: String,
    /// Days per model time unit.
    pub time_unit_days: f64,
    /// The models used and their parameters.
    pub parameters: Parameters,
    /// The next 30 and 90 days, and any fallback with the reason (what is missing).
    pub store: StoreForecast,
    /// Members with P(alive) below the rules' threshold.
    pub at_risk_members: u64,
    /// Their spend in the RFM window that is at risk: Σ (1 − P(alive)) × M, fen.
    pub value_at_risk_fen: Fen,
    /// Sum of the members' CLV over the horizon, fen.
    pub total_clv_fen: Fen,
    /// P(alive) over recency × frequency bands.
    pub heatmap: Vec<HeatCell>,
    /// CLV distribution.
    pub clv_histogram: Vec<ClvBin>,
    /// The model refitted without the last `holdoutDays` and checked against
    /// them, by number of calibration purchases (`None` when too little data).
    pub validation: Option<Vec<HoldoutRow>>,
    /// Days held out for `validation`.
    pub holdout_days: u32,
}

/// The fitted model and every member's forecast (by member index).
#[derive(Debug, Clone)]
pub struct Prediction {
    /// The summary.
    pub summary: PredictionSummary,
    /// Forecast of each member who ever bought; `None` for prospects.
    pub members: Vec<Option<MemberForecast>>,
    /// The P(alive) below which a member is at risk.
    pub at_risk_below: f64,
}

impl Prediction {
    /// Whether member `i` is at risk: bought before, P(alive) below the threshold.
    pub fn at_risk(&self, i: usize) -> bool {
        self.members
            .get(i)
            .and_then(|f| f.as_ref())
            .and_then(|f| f.probability_alive)
            .is_some_and(|p| p < self.at_risk_below)
    }

    /// Last year's spend at risk for member `i`: (1 − P(alive)) × M, fen.
    pub fn value_at_risk(&self, i: usize, analysis: &Analysis) -> Option<Fen> {
        let p = self.members.get(i)?.as_ref()?.probability_alive?;
        let m = analysis.profiles.get(i)?.rfm.map_or(0, |r| r.m);
        Some(((1.0 - p) * m as f64).round() as Fen)
    }
}

/// Every purchase before `as_of`, by member index of `analysis`.
/// The purchases before the analysis date, grouped by member and in day
/// order within a member (so that the models' sorts find them sorted), with
/// where each member's start (member `i`'s are `starts[i]..starts[i + 1]`).
fn purchases(data: &Dataset, analysis: &Analysis) -> (Vec<usize>, Vec<Purchase>) {
    let n = analysis.profiles.len();
    let Some(orders) = &data.orders else { return (vec![0; n + 1], Vec::new()) };
    let (starts, mut purchases) = super::group_by_member_with(n, |put| {
        for i in (0..orders.len()).filter(|&i| orders.kind[i] == OrderKind::Purchase && orders.day(i) < analysis.as_of)
        {
            let customer = analysis.order_member[orders.member(i) as usize];
            put(customer, Purchase { customer, day: orders.day(i), amount_fen: orders.net.at(i) });
        }
    });
    for m in 0..n {
        purchases[starts[m]..starts[m + 1]].sort_by_key(|p| p.day);
    }
    (starts, purchases)
}

fn clv_error(e: super::clv::FitError) -> Error {
    ErrorKind::Prediction { code: e.code(), message: e.to_string() }.into()
}

/// Fit the models as of the analysis date and forecast every member.
pub fn predict(data: &Dataset, analysis: &Analysis, rules: &PredictionRules) -> Result<Prediction> {
    let (starts, all) = purchases(data, analysis);
    let end_day: Day = analysis.as_of - 1;
    let calibration = Calibration { end_day, days_per_unit: rules.time_unit_days };
    let fit_options = FitOptions::default();
    let forecast = ForecastOptions {
        purchases_days: 30.0,
        clv_horizon_days: f64::from(rules.clv_horizon_days),
        annual_discount_rate: rules.annual_discount_rate,
        ..ForecastOptions::default()
    };
    let summaries = summaries(&all, &calibration).map_err(clv_error)?;
    let model = Model::fit(&summaries, calibration, &fit_options).map_err(clv_error)?;
    let forecasts = model.members(&summaries, &forecast).map_err(clv_error)?;
    let mut members: Vec<Option<MemberForecast>> = vec![None; analysis.profiles.len()];
    for f in forecasts {
        if let Some(slot) = members.get_mut(f.customer as usize) {
            *slot = Some(f);
        }
    }
    let prediction = Prediction {
        summary: empty_summary(analysis, rules, &model, &summaries),
        members,
        at_risk_below: rules.at_risk_below,
    };
    let summary = summarize(prediction.summary.clone(), &prediction, analysis, (&starts, &all), rules);
    Ok(Prediction { summary, ..prediction })
}

fn empty_summary(
    analysis: &Analysis,
    rules: &PredictionRules,
    model: &Model,
    summaries: &[super::clv::Summary],
) -> PredictionSummary {
    let (bg, gg) = (model.purchases.bg_nbd(), model.spend.gamma_gamma());
    PredictionSummary {
        as_of: format_day(analysis.as_of),
        time_unit_days: rules.time_unit_days,
        parameters: Parameters {
            purchases_method: model.purchases.method(),
            spend_method: model.spend.method(),
            bg_nbd: bg.map(|m| [m.r, m.alpha, m.a, m.b]),
            gamma_gamma: gg.map(|m| [m.p, m.q, m.gamma]),
            log_likelihood: bg.and_then(|m| m.fit.as_ref()).map(|f| f.log_likelihood),
            converged: bg.and_then(|m| m.fit.as_ref()).map(|f| f.converged),
        },
        store: model.store(summaries),
        at_risk_members: 0,
        value_at_risk_fen: 0,
        total_clv_fen: 0,
        heatmap: Vec::new(),
        clv_histogram: Vec::new(),
        validation: None,
        holdout_days: rules.holdout_days,
    }
}

const FREQUENCY_BANDS: [(&str, u32, u32); 7] =
    [("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5–9", 5, 9), ("10+", 10, u32::MAX)];
const RECENCY_BANDS: [(&str, i32, i32); 6] = [
    ("0–30", 0, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("91–180", 91, 180),
    ("181–365", 181, 365),
    ("365+", 366, i32::MAX),
];
/// CLV bin edges in yuan.
const CLV_EDGES_YUAN: [Fen; 8] = [0, 20, 50, 100, 200, 500, 1000, 2000];

fn summarize(
    mut s: PredictionSummary,
    p: &Prediction,
    analysis: &Analysis,
    (starts, purchases): (&[usize], &[Purchase]),
    rules: &PredictionRules,
) -> PredictionSummary {
    let mut cells = vec![(0u64, 0.0f64); FREQUENCY_BANDS.len() * RECENCY_BANDS.len()];
    let mut bins = vec![(0u64, 0 as Fen); CLV_EDGES_YUAN.len()];
    for (i, forecast) in p.members.iter().enumerate() {
        let Some(f) = forecast else { continue };
        let (Some(alive), Some(last)) = (f.probability_alive, analysis.profiles[i].last_purchase) else { continue };
        // Repeat purchase days, as the model counts them (the member's purchases are in day order).
        let mine = &purchases[starts[i]..starts[i + 1]];
        let days = mine.iter().enumerate().filter(|&(k, p)| k == 0 || mine[k - 1].day != p.day).count();
        let repeat = days.saturating_sub(1) as u32;
        let since = analysis.as_of - last;
        let fb = FREQUENCY_BANDS.iter().position(|b| (b.1..=b.2).contains(&repeat)).unwrap_or(0);
        let rb = RECENCY_BANDS.iter().position(|b| (b.1..=b.2).contains(&since)).unwrap_or(0);
        let cell = &mut cells[fb * RECENCY_BANDS.len() + rb];
        cell.0 += 1;
        cell.1 += alive;
        if alive < p.at_risk_below {
            s.at_risk_members += 1;
        }
        s.value_at_risk_fen += p.value_at_risk(i, analysis).unwrap_or(0);
        s.total_clv_fen += f.clv_fen;
        let bin = CLV_EDGES_YUAN.iter().rposition(|&edge| f.clv_fen >= edge * 100).unwrap_or(0);
        bins[bin].0 += 1;
        bins[bin].1 += f.clv_fen;
    }
    s.heatmap = FREQUENCY_BANDS
        .iter()
        .enumerate()
        .flat_map(|(fi, fb)| {
            RECENCY_BANDS.iter().enumerate().map(move |(ri, rb)| (fi * RECENCY_BANDS.len() + ri, fb.0, rb.0))
        })
        .map(|(k, frequency, recency)| HeatCell {
            frequency,
            recency,
            members: cells[k].0,
            mean_probability_alive: (cells[k].0 > 0).then(|| cells[k].1 / cells[k].0 as f64),
        })
        .collect();
    s.clv_histogram = bins
        .iter()
        .enumerate()
        .map(|(k, &(members, clv_fen))| ClvBin {
            from_fen: CLV_EDGES_YUAN[k] * 100,
            to_fen: CLV_EDGES_YUAN.get(k + 1).map(|e| e * 100),
            members,
            clv_fen,
        })
        .collect();
    s.validation = validate(purchases, analysis.as_of, rules);
    s
}

/// Refit without the last `holdout_days` and compare with what happened.
fn validate(purchases: &[Purchase], as_of: Day, rules: &PredictionRules) -> Option<Vec<HoldoutRow>> {
    let holdout = rules.holdout_days;
    let calibration = Calibration { end_day: as_of - 1 - holdout as Day, days_per_unit: rules.time_unit_days };
    let summaries = summaries(purchases, &calibration).ok()?;
    let model = Model::fit(&summaries, calibration, &FitOptions::default()).ok()?;
    let actual = holdout_purchases(purchases, &calibration, holdout);
    Some(holdout_table(&model, &summaries, &actual, f64::from(holdout), 7))
}

#[cfg(test)]
mod tests {
    use crate::Workspace;
    use crate::ingest::Kind;

    #[test]
    fn demo_store_fits_and_forecasts() {
        let mut ws = Workspace::new();
        ws.load_demo(&Default::default()).unwrap();
        ws.analyze(None).unwrap();
        let s = ws.predict().unwrap().clone();
        assert_eq!(s.parameters.purchases_method, "bg_nbd", "{:?}", s.store);
        assert_eq!(s.parameters.converged, Some(true));
        assert!(s.store.next_30_days.orders > 0.0 && s.store.next_90_days.orders > s.store.next_30_days.orders);
        assert!(s.at_risk_members > 0 && s.value_at_risk_fen > 0);
        let cells: u64 = s.heatmap.iter().map(|c| c.members).sum();
        let bins: u64 = s.clv_histogram.iter().map(|b| b.members).sum();
        assert_eq!(cells, bins);
        assert_eq!(s.clv_histogram.iter().map(|b| b.clv_fen).sum::<i64>(), s.total_clv_fen);
        // Recent frequent buyers are more likely alive than long-gone ones.
        let cell = |f: &str, r: &str| {
            s.heatmap.iter().find(|c| c.frequency == f && c.recency == r).and_then(|c| c.mean_probability_alive)
        };
        assert!(cell("10+", "0–30").unwrap() > 0.9);
        assert!(cell("1", "181–365").unwrap() < cell("1", "0–30").unwrap());
        let validation = s.validation.unwrap();
        let total = validation.last().unwrap();
        assert_eq!(total.label, "total");
        assert!(total.actual_total > 0 && total.predicted_total > 0.0);
    }

    #[test]
    fn a_small_store_gets_a_flagged_fallback_with_the_reason() {
        let mut csv = String::from("会员ID,支付时间,实付金额\n");
        for m in 0..30 {
            for k in 0..(1 + m % 4) {
                csv.push_str(&format!("M{m},2026-0{}-{:02},{}.00\n", 1 + k, 1 + m % 28, 10 + m));
            }
        }
        let mut ws = Workspace::new();
        ws.load(Kind::Orders, csv.as_bytes(), &Default::default()).unwrap();
        ws.analyze(None).unwrap();
        let s = ws.predict().unwrap().clone();
        assert!(s.store.fallback);
        let reason = s.store.purchases_fallback.as_ref().unwrap();
        assert_eq!(reason.code, "TOO_FEW_CUSTOMERS");
        assert!(reason.message.contains("30"), "{}", reason.message);
        let m = ws.member("M3").unwrap();
        assert!(m.probability_alive.is_some_and(|p| (0.0..=1.0).contains(&p)));
    }
}
