//! §2.6（勾配法と代理関数）の演習の答え。
//!
//! 期待値は閉じた形（(1 − ηa)²、d(N + 1 − d)、Popoviciu の等号）と、クレートを使わない反復・二分法で求め、
//! クレートの 1 歩（`gradient_step`、`KlObjective::update`）、共分散、罰則つきの学習と比べる。

use genmodel::boltzmann::ising::{
    global_curvature_bound, sharp_curvature_bound, Ising, KlObjective, Outcome,
};
use genmodel::ndarray::array;
use genmodel::optim::{gradient_step, StepSize, StopRule};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_2_6_1_quadratic_step_factor() {
    // f = a θ²/2 の 1 歩で f は (1 − ηa)² 倍
    let factor = |a: f64, eta: f64| {
        let theta = 0.7;
        let next = gradient_step(&[theta], &[a * theta], &StepSize::Scalar(eta)).unwrap()[0];
        (0.5 * a * next * next) / (0.5 * a * theta * theta)
    };
    for (a, eta, want) in [
        (10.0, 0.15, 0.25),
        (10.0, 0.25, 2.25),
        (100.0, 0.05, 16.0),
        (10.0, 0.1, 0.0),
    ] {
        assert!((factor(a, eta) - want).abs() < 1e-12, "a = {a}, η = {eta}");
        assert!((factor(a, eta) - (1.0 - eta * a).powi(2)).abs() < 1e-12);
    }
    // 減るのは 0 < η < 2/a のときだけ
    for eta in [0.01, 0.1, 0.19, 0.21, 0.3] {
        assert_eq!(factor(10.0, eta) < 1.0, eta < 0.2);
    }
}

#[test]
fn ex_2_6_2_sharp_bound_two_spins() {
    assert_eq!(global_curvature_bound(2), 3.0);
    assert_eq!(sharp_curvature_bound(2), 2.0);
    // x = (+,+), y = (−,+): φ = (x1, x2, x1x2)
    let (px, py) = ([1.0, 1.0, 1.0], [-1.0, 1.0, -1.0]);
    let dist2: f64 = px.iter().zip(&py).map(|(a, b)| (a - b) * (a - b)).sum();
    assert_eq!(dist2, 8.0);
    assert_eq!(dist2 / 4.0, 1.0 * (2.0 + 1.0 - 1.0));
    let a = [0.5f64.sqrt(), 0.0, 0.5f64.sqrt()];
    // θ = (h1, h2, J) = (0, s, 0): s が大きいと aᵀHa → 2、λ_max ≤ 2 のまま
    let mut last = 0.0;
    for s in [1.0, 3.0, 10.0, 20.0] {
        let c = Ising::new(array![0.0, s], array![0.0])
            .unwrap()
            .statistics_covariance()
            .unwrap();
        let q = c.quadratic_form(&a).unwrap();
        assert!(q > last && q <= 2.0 + 1e-12 && c.max_eigenvalue() <= 2.0 + 1e-12);
        last = q;
    }
    assert!((last - 2.0).abs() < 1e-12);
    let c0 = Ising::zeros(2).unwrap().statistics_covariance().unwrap();
    assert!((c0.max_eigenvalue() - 1.0).abs() < 1e-12);
}

#[test]
fn ex_2_6_3_popoviciu_variance_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(263);
    let (m, m2) = (-1.5f64, 2.5f64);
    let bound = (m2 - m) * (m2 - m) / 4.0;
    let var = |vals: &[f64], w: &[f64]| {
        let mean: f64 = vals.iter().zip(w).map(|(v, p)| v * p).sum();
        vals.iter()
            .zip(w)
            .map(|(v, p)| p * (v - mean).powi(2))
            .sum::<f64>()
    };
    for _ in 0..200 {
        let k = rng.random_range(1..6);
        let vals: Vec<f64> = (0..k).map(|_| rng.random_range(m..=m2)).collect();
        let raw: Vec<f64> = (0..k).map(|_| rng.random_range(0.0..1.0)).collect();
        let total: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|r| r / total).collect();
        assert!(var(&vals, &w) <= bound + 1e-12);
    }
    // 等号: 両端に 1/2 ずつ
    assert!((var(&[m, m2], &[0.5, 0.5]) - bound).abs() < 1e-12);
    assert!(var(&[m, m2], &[0.4, 0.6]) < bound);
}

/// 二分法で tanh J + λJ − 1 = 0 の根を求める。
fn ridge_root(lambda: f64) -> f64 {
    let f = |j: f64| j.tanh() + lambda * j - 1.0;
    let (mut lo, mut hi) = (0.0, 1.0 / lambda);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn ex_2_6_4_boundary_growth_and_ridge() {
    // (1) η = 1/3、1000 回: J ≈ ½ ln(1 + 4ηt) ≈ 3.598、実際は 3.597、勾配 ≈ 1/(2ηt) = 1.5e-3
    let data = array![[1, 1], [-1, -1]];
    let kl = KlObjective::from_data(&data).unwrap();
    let eta = 1.0 / 3.0;
    let mut q = Ising::zeros(2).unwrap();
    for _ in 0..1000 {
        q = kl.update(&q, &StepSize::Scalar(eta)).unwrap();
    }
    let j = q.coupling(0, 1).unwrap();
    let approx = 0.5 * (1.0 + 4.0 * eta * 1000.0f64).ln();
    assert!(rounds_to(approx, 3, 3.598) && rounds_to(j, 3, 3.597));
    let g = 1.0 - j.tanh();
    assert!((g - kl.gradient(&q).unwrap()[2].abs()).abs() < 1e-12);
    assert!(rounds_to(g * 1e3, 1, 1.5) && rounds_to(1.0 / (2.0 * eta * 1000.0) * 1e3, 1, 1.5));
    assert!(rounds_to(0.5 * 10f64.ln(), 2, 1.15));
    // (2) λ = 0.1: F(1.3) ≈ −0.0083 < 0 < F(1.4) ≈ 0.0254、根 ≈ 1.323
    let f = |j: f64| j.tanh() + 0.1 * j - 1.0;
    assert!(rounds_to(f(1.3), 4, -0.0083) && rounds_to(f(1.4), 4, 0.0254));
    let root = ridge_root(0.1);
    assert!(rounds_to(root, 3, 1.323));
    let ridge = kl.with_ridge(0.1).unwrap();
    let fit = ridge
        .fit(
            &Ising::zeros(2).unwrap(),
            &StepSize::Scalar(1.0 / ridge.curvature_bound()),
            StopRule {
                tolerance: 1e-12,
                max_iterations: 100_000,
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(fit.outcome, Outcome::Converged);
    assert!((fit.model.coupling(0, 1).unwrap() - root).abs() < 1e-9);
    assert!(fit.model.fields().iter().all(|h| h.abs() < 1e-12));
}
