//! Minimisers for the model fits: BFGS with an analytic gradient and an
//! Armijo backtracking line search, and Nelder–Mead as the fallback when
//! BFGS stalls. Both work in log-parameter space (every model parameter is
//! positive), inside a box |xᵢ| ≤ `bound` so that no parameter can run off
//! to 0 or ∞ (a point outside the box evaluates to +∞).
//!
//! The strategy of [`minimize`]: BFGS from the first start; if it does not
//! converge, Nelder–Mead from where it stopped, then BFGS again from there;
//! if still not converged, the same from the next start. The best point
//! found is returned with an honest `converged` flag.
//!
//! Convergence: the largest gradient component ≤ 1e-8 (the objectives are
//! means per customer, so this is scale-free), or the objective improved by
//! less than 1e-14 (relative) on three successive iterations — the second
//! is what ends a walk along a flat ridge (e.g. no drop-out in the data,
//! where the optimum is at infinity and the box stops it).

use super::{FAR, FitError, FitInfo, FitOptions, LOG_BOUND};

/// Stop when every gradient component is this small.
const GTOL: f64 = 1e-8;
/// …or when the objective stops improving by more than this (relative).
const FTOL: f64 = 1e-14;
/// Largest step of one line search, in log-parameter units (a factor e²).
const MAX_STEP: f64 = 2.0;

/// The objective: value at a point of log parameters, gradient written to the slice.
pub(crate) type Objective<'f> = dyn FnMut(&[f64], &mut [f64]) -> f64 + 'f;

/// What a minimiser found.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    /// The point (log parameters).
    pub x: Vec<f64>,
    /// The objective there.
    pub f: f64,
    /// Largest absolute gradient component there (NaN if unknown).
    pub gradient_norm: f64,
    /// Iterations over all stages and starts.
    pub iterations: u32,
    /// Objective evaluations over all stages and starts.
    pub evaluations: u32,
    /// Whether a convergence criterion was met.
    pub converged: bool,
}

/// Limits for the minimisers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Iteration cap per BFGS run (Nelder–Mead gets 20× as many evaluations).
    pub max_iterations: u32,
    /// Box half-width in log space.
    pub bound: f64,
}

/// The objective with its gradient, in log space, boxed: outside the box
/// (or where the objective is not finite) the value is +∞. Not generic, so
/// that the minimisers exist once in the wasm build, whatever the model.
struct Boxed<'a, 'f> {
    f: &'a mut Objective<'f>,
    bound: f64,
    evaluations: u32,
}

impl Boxed<'_, '_> {
    fn eval(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        self.evaluations += 1;
        if x.iter().any(|v| !v.is_finite() || v.abs() > self.bound) {
            return f64::INFINITY;
        }
        let v = (self.f)(x, g);
        if v.is_finite() && g.iter().all(|d| d.is_finite()) { v } else { f64::INFINITY }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm_inf(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// n × n, row-major: the identity scaled by `scale`.
fn scaled_identity(n: usize, scale: f64) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = scale;
    }
    h
}

/// Minimise `f` (value and gradient at a point of log parameters) from each
/// start in turn, as described in the module docs. Every start has the
/// problem's dimension.
pub(crate) fn minimize(f: &mut Objective<'_>, starts: &[Vec<f64>], settings: Settings) -> Minimum {
    let mut boxed = Boxed { f, bound: settings.bound, evaluations: 0 };
    let mut best: Option<Minimum> = None;
    let mut iterations = 0;
    for start in starts {
        let mut m = bfgs(&mut boxed, start.clone(), settings.max_iterations);
        iterations += m.iterations;
        if !m.converged && m.f.is_finite() {
            let simplex = nelder_mead(&mut boxed, &m.x, 20 * settings.max_iterations);
            iterations += simplex.iterations;
            let again = bfgs(&mut boxed, simplex.x, settings.max_iterations);
            iterations += again.iterations;
            if again.f <= m.f || again.converged {
                m = again;
            }
        }
        let better = match &best {
            None => true,
            Some(b) => (m.converged && !b.converged) || (m.converged == b.converged && m.f < b.f),
        };
        if better {
            best = Some(m);
        }
        if best.as_ref().is_some_and(|b| b.converged) {
            break;
        }
    }
    let n = starts.first().map_or(0, Vec::len);
    let mut best = best.unwrap_or(Minimum {
        x: vec![f64::NAN; n],
        f: f64::INFINITY,
        gradient_norm: f64::NAN,
        iterations: 0,
        evaluations: 0,
        converged: false,
    });
    best.iterations = iterations;
    best.evaluations = boxed.evaluations;
    best
}

/// BFGS on the inverse Hessian, Armijo backtracking with quadratic
/// interpolation, Shanno's scaling of the first step, and the update
/// skipped when the curvature condition fails.
fn bfgs(f: &mut Boxed<'_, '_>, x0: Vec<f64>, max_iterations: u32) -> Minimum {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f.eval(&x, &mut g);
    if !fx.is_finite() {
        return Minimum { x, f: fx, gradient_norm: f64::NAN, iterations: 0, evaluations: 0, converged: false };
    }
    let mut h = scaled_identity(n, 1.0);
    let mut fresh = true;
    let mut flat = 0;
    let mut iterations = 0;
    let mut converged = false;
    let (mut d, mut xn, mut gn, mut s, mut y, mut hy) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    while iterations < max_iterations {
        if norm_inf(&g) <= GTOL {
            converged = true;
            break;
        }
        iterations += 1;
        for i in 0..n {
            d[i] = -dot(&h[i * n..(i + 1) * n], &g);
        }
        let mut slope = dot(&g, &d);
        if slope.is_nan() || slope >= 0.0 {
            h = scaled_identity(n, 1.0);
            fresh = true;
            for i in 0..n {
                d[i] = -g[i];
            }
            slope = -dot(&g, &g);
        }
        let mut step = (MAX_STEP / norm_inf(&d)).min(1.0);
        let mut fnew = f64::INFINITY;
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..n {
                xn[i] = x[i] + step * d[i];
            }
            fnew = f.eval(&xn, &mut gn);
            if fnew <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            let next = if fnew.is_finite() {
                // Minimiser of the quadratic through f(0), f'(0) and f(step).
                -slope * step * step / (2.0 * (fnew - fx - slope * step))
            } else {
                0.25 * step
            };
            step = next.clamp(0.1 * step, 0.5 * step);
        }
        if !accepted {
            if fresh {
                break; // steepest descent cannot improve: as good as it gets
            }
            h = scaled_identity(n, 1.0);
            fresh = true;
            continue;
        }
        for i in 0..n {
            s[i] = xn[i] - x[i];
            y[i] = gn[i] - g[i];
        }
        let sy = dot(&s, &y);
        let yy = dot(&y, &y);
        if sy > 1e-10 * dot(&s, &s).sqrt() * yy.sqrt() {
            if fresh {
                h = scaled_identity(n, sy / yy);
            }
            let rho = 1.0 / sy;
            for i in 0..n {
                hy[i] = dot(&h[i * n..(i + 1) * n], &y);
            }
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
            fresh = false;
        }
        let improvement = fx - fnew;
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        fx = fnew;
        if improvement <= FTOL * (1.0 + fx.abs()) {
            flat += 1;
            if flat >= 3 {
                converged = true;
                break;
            }
        } else {
            flat = 0;
        }
    }
    let gradient_norm = norm_inf(&g);
    Minimum { x, f: fx, gradient_norm, iterations, evaluations: 0, converged: converged || gradient_norm <= GTOL }
}

/// Nelder–Mead with the dimension-adapted coefficients of Gao & Han (2012),
/// from a simplex of steps 0.5 (a factor 1.65) around `x0`. Never reports
/// convergence itself: BFGS polishes and judges its result.
fn nelder_mead(f: &mut Boxed<'_, '_>, x0: &[f64], max_evaluations: u32) -> Minimum {
    let n = x0.len();
    if n == 0 {
        return Minimum {
            x: Vec::new(),
            f: f64::INFINITY,
            gradient_norm: f64::NAN,
            iterations: 0,
            evaluations: 0,
            converged: false,
        };
    }
    let nf = n as f64;
    let (alpha, beta, gamma, delta) = (1.0, 1.0 + 2.0 / nf, 0.75 - 0.5 / nf, 1.0 - 1.0 / nf);
    let mut scratch = vec![0.0; n];
    let mut value = |f: &mut Boxed<'_, '_>, x: &[f64]| f.eval(x, &mut scratch);
    // n + 1 vertices.
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((x0.to_vec(), value(f, x0)));
    for i in 0..n {
        let mut v = x0.to_vec();
        v[i] += 0.5;
        let fv = value(f, &v);
        simplex.push((v, fv));
    }
    let start = f.evaluations;
    let mut iterations = 0;
    while f.evaluations - start < max_evaluations {
        iterations += 1;
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (lo, hi) = (simplex[0].1, simplex[n].1);
        let size = simplex[1..]
            .iter()
            .flat_map(|(v, _)| v.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if (hi - lo).abs() <= 1e-13 * (1.0 + lo.abs()) && size <= 1e-9 {
            break;
        }
        let mut centroid = vec![0.0; n];
        for (v, _) in &simplex[..n] {
            for i in 0..n {
                centroid[i] += v[i] / nf;
            }
        }
        let worst = simplex[n].clone();
        let along = |t: f64| -> Vec<f64> { (0..n).map(|i| centroid[i] + t * (worst.0[i] - centroid[i])).collect() };
        let xr = along(-alpha);
        let fr = value(f, &xr);
        if fr < simplex[0].1 {
            let xe = along(-alpha * beta);
            let fe = value(f, &xe);
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            let xc = if fr < worst.1 { along(-alpha * gamma) } else { along(gamma) };
            let fc = value(f, &xc);
            if fc < worst.1.min(fr) {
                simplex[n] = (xc, fc);
            } else {
                let best = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let v: Vec<f64> = (0..n).map(|i| best[i] + delta * (vertex.0[i] - best[i])).collect();
                    let fv = value(f, &v);
                    *vertex = (v, fv);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, fx) = simplex.swap_remove(0);
    Minimum { x, f: fx, gradient_norm: f64::NAN, iterations, evaluations: 0, converged: false }
}

/// A model's maximum-likelihood fit, shared by the BG/NBD and the
/// Gamma-Gamma: what the optimiser needs to know about the model.
pub(crate) struct Problem<'a, const N: usize> {
    /// `BG/NBD` or `Gamma-Gamma`, for errors.
    pub model: &'static str,
    /// Parameter names, for [`FitInfo::at_bound`].
    pub names: [&'static str; N],
    /// The data's scale θ₀: the search runs over ln(θ/θ₀).
    pub scale: [f64; N],
    /// Starts as multiples of the scale, tried after the caller's own.
    pub starts: &'a [[f64; N]],
    /// The caller's start, in natural units.
    pub start: Option<[f64; N]>,
    /// Customers (the weight of the log-likelihood).
    pub customers: usize,
    /// Repeat buyers among them.
    pub repeat_buyers: usize,
}

/// Maximise `log_likelihood(θ, ∂LL/∂θ)` (a sum over customers) with the
/// options' penalty: minimise −LL/N + penalizer·Σ ln²(θ/θ₀) over ln(θ/θ₀).
pub(crate) fn fit_model<const N: usize>(
    problem: Problem<'_, N>,
    options: &FitOptions,
    log_likelihood: &dyn Fn([f64; N], &mut [f64; N]) -> f64,
) -> Result<([f64; N], FitInfo), FitError> {
    let Problem { model, names, scale, starts, start, customers, repeat_buyers } = problem;
    let weight = customers as f64;
    let penalizer = options.penalizer;
    let natural = |x: &[f64]| -> [f64; N] { std::array::from_fn(|i| scale[i] * x[i].exp()) };
    let mut objective = |x: &[f64], g: &mut [f64]| -> f64 {
        let theta = natural(x);
        let mut d = [0.0; N];
        let mut f = -log_likelihood(theta, &mut d) / weight;
        for i in 0..N {
            g[i] = -theta[i] * d[i] / weight + 2.0 * penalizer * x[i];
            f += penalizer * x[i] * x[i];
        }
        f
    };
    let mut all: Vec<Vec<f64>> = start.iter().map(|s| (0..N).map(|i| (s[i] / scale[i]).ln()).collect()).collect();
    all.extend(starts.iter().map(|s| s.iter().map(|v| v.ln()).collect()));
    let m = minimize(&mut objective, &all, Settings { max_iterations: options.max_iterations, bound: LOG_BOUND });
    if !m.converged {
        return Err(FitError::DidNotConverge { model, iterations: m.iterations, gradient_norm: m.gradient_norm });
    }
    let theta = natural(&m.x);
    let mut grad = [0.0; N];
    let info = FitInfo {
        log_likelihood: log_likelihood(theta, &mut grad),
        iterations: m.iterations,
        evaluations: m.evaluations,
        converged: true,
        gradient_norm: m.gradient_norm,
        customers,
        repeat_buyers,
        at_bound: names.iter().zip(&m.x).filter(|(_, x)| x.abs() >= FAR).map(|(n, _)| *n).collect(),
    };
    Ok((theta, info))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: Settings = Settings { max_iterations: 500, bound: 30.0 };

    /// Rosenbrock: a curved valley, the classic trap for line searches.
    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn bfgs_solves_rosenbrock_from_several_starts() {
        for start in [[-1.2, 1.0], [2.0, -2.0], [0.0, 0.0], [-3.0, 8.0]] {
            let m = minimize(&mut rosenbrock, &[start.to_vec()], SETTINGS);
            assert!(m.converged, "{start:?}: {m:?}");
            assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6, "{m:?}");
        }
    }

    #[test]
    fn nelder_mead_gets_close_and_bfgs_polishes() {
        let mut f = rosenbrock;
        let mut boxed = Boxed { f: &mut f, bound: 30.0, evaluations: 0 };
        let nm = nelder_mead(&mut boxed, &[-1.2, 1.0], 5_000);
        assert!((nm.x[0] - 1.0).abs() < 1e-4, "{nm:?}");
    }

    #[test]
    fn a_ridge_to_infinity_stops_at_the_box() {
        // f = e^(−x) + y²: the infimum is at x = ∞.
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = -(-x[0]).exp();
            g[1] = 2.0 * x[1];
            (-x[0]).exp() + x[1] * x[1]
        };
        let m = minimize(&mut f, &[vec![0.0, 1.0]], Settings { max_iterations: 500, bound: 20.0 });
        assert!(m.f < 1e-7 && m.x[0] <= 20.0 && m.x[1].abs() < 1e-6, "{m:?}");
        assert!(m.converged, "{m:?}");
    }

    #[test]
    fn a_start_outside_the_domain_moves_on_to_the_next() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            (x[0] - 3.0).powi(2)
        };
        let m = minimize(&mut f, &[vec![f64::NAN], vec![50.0], vec![0.0]], SETTINGS);
        assert!(m.converged && (m.x[0] - 3.0).abs() < 1e-8, "{m:?}");
    }
}
