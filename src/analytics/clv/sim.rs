//! Test-only: a seeded simulator of BG/NBD purchasers with Gamma-Gamma
//! spend, to check the fits recover known parameters.

use super::Purchase;

/// SplitMix64: small, seeded, good enough for simulation in tests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma(shape, rate) by Marsaglia & Tsang (boosted below shape 1).
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0, rate) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        x / (x + self.gamma(b, 1.0))
    }
}

/// What to simulate; rates in days.
pub struct World {
    pub customers: u32,
    /// First purchases uniform over days 0..cohort_days.
    pub cohort_days: i32,
    /// Simulated up to this day, inclusive.
    pub last_day: i32,
    /// BG/NBD (r, α in days, a, b).
    pub bg_nbd: (f64, f64, f64, f64),
    /// Gamma-Gamma (p, q, γ in fen).
    pub gamma_gamma: (f64, f64, f64),
}

/// Purchases of a simulated store.
pub fn simulate(world: &World, seed: u64) -> Vec<Purchase> {
    simulate_with_truth(world, seed).0
}

/// Purchases of a simulated store, and each customer's true mean spend per purchase (fen).
pub fn simulate_with_truth(world: &World, seed: u64) -> (Vec<Purchase>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut spend = Vec::with_capacity(world.customers as usize);
    let (r, alpha, a, b) = world.bg_nbd;
    let (p, q, gamma) = world.gamma_gamma;
    let mut out = Vec::new();
    for customer in 0..world.customers {
        let lambda = rng.gamma(r, alpha);
        let drop = rng.beta(a, b);
        let nu = rng.gamma(q, gamma);
        spend.push(p / nu);
        let mut t = rng.uniform() * f64::from(world.cohort_days);
        let mut first = true;
        loop {
            let amount = (rng.gamma(p, nu)).round().max(1.0) as i64;
            out.push(Purchase { customer, day: t.floor() as i32, amount_fen: amount });
            // Drop-out follows repeat purchases only (FHL 2005: P(alive) = 1 when x = 0).
            if !first && rng.uniform() < drop {
                break;
            }
            first = false;
            t += -rng.uniform().ln() / lambda;
            if t >= f64::from(world.last_day + 1) {
                break;
            }
        }
    }
    (out, spend)
}
