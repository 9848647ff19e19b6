//! 第 10 章（拡散モデル）の演習の答え。
//!
//! 期待値は答えの手計算（予定の積、(10.6)、(10.5) の係数、ガウス分布の下限の閉じた形）で求め、クレートの
//! `diffusion` に照らす。

use genmodel::diffusion::evaluate::{loss_floor, loss_floor_quadrature};
use genmodel::diffusion::predictor::ExactEpsilon;
use genmodel::diffusion::sampler::{ddim, step_coefficients, Variance};
use genmodel::diffusion::{GaussianMixture, Schedule};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::array;

fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_10_1_schedule_and_posterior_coefficients() {
    let s = Schedule::new(vec![0.1, 0.2]).unwrap();
    assert!((s.alpha_bar(2).unwrap() - 0.72).abs() < 1e-15);
    let (a, b, v) = s.posterior(2).unwrap();
    assert!((v - 1.0 / 14.0).abs() < 1e-15);
    assert!(rounds_to(v, 7, 0.0714286));
    assert!(rounds_to(a, 6, 0.677631) && rounds_to(b, 6, 0.319438));
    // 手計算: √0.9 · 0.2 / 0.28 と √0.8 · 0.1 / 0.28
    assert!((a - 0.9f64.sqrt() * 0.2 / 0.28).abs() < 1e-15);
    assert!((b - 0.8f64.sqrt() * 0.1 / 0.28).abs() < 1e-15);
}

#[test]
fn ex_10_3_gaussian_loss_floor() {
    // ᾱ = 0.5 の 1 歩の予定、データ N(μ, 0.25): 下限 ᾱ s² / (ᾱ s² + 1 − ᾱ) = 0.125 / 0.625 = 0.2
    let s = Schedule::new(vec![0.5]).unwrap();
    for mu in [0.0, 1.7] {
        let m = GaussianMixture::new(array![1.0], array![[mu]], array![[0.25]]).unwrap();
        let floor = loss_floor_quadrature(&m, &s, 1).unwrap();
        assert!((floor - 0.2).abs() < 1e-10, "{floor}");
    }
}

#[test]
fn ex_10_4_reverse_step_is_a_langevin_step() {
    // 厳密な ε* の逆向きの 1 歩の平均 (x − k ε*)/√α は (x + β ∇ ln p_t(x))/√α に等しい
    let s = Schedule::linear(100, 1e-3, 0.05).unwrap();
    let m = GaussianMixture::new(
        array![0.4, 0.6],
        array![[-1.0, 0.5], [1.5, -0.5]],
        array![[0.2, 0.3], [0.1, 0.4]],
    )
    .unwrap();
    let x = array![[0.3, -0.2], [2.0, 1.0]];
    for t in [2, 40, 100] {
        let (inv, k, _) = step_coefficients(&s, t, Variance::Beta).unwrap();
        let eps = m.optimal_epsilon(&s, t, &x).unwrap();
        let score = m.noised(&s, t).unwrap().score(&x).unwrap();
        let beta = s.beta(t).unwrap();
        let lhs = (&x - &(&eps * k)) * inv;
        let rhs = (&x + &(&score * beta)) / (1.0 - beta).sqrt();
        for (a, b) in lhs.iter().zip(&rhs) {
            assert!((a - b).abs() < 1e-12, "t = {t}: {a} vs {b}");
        }
    }
}

#[test]
fn ex_10_5_point_data_has_zero_floor_and_ddim_lands_on_it() {
    // 分散 1e-300 の 1 成分は 1 点 μ とみなせる。下限の推定は 0 と誤差棒の中で一致し、DDIM はどの x_T からも μ に着く
    let mu = array![[0.7, -1.2]];
    let m = GaussianMixture::new(array![1.0], mu.clone(), array![[1e-300, 1e-300]]).unwrap();
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    for t in [1, 300, 1000] {
        let f = loss_floor(&m, &s, t, 2000, &mut seeded_rng(5)).unwrap();
        // 1 行の値 D − |ε*|² = D − |ε|² は揺れるので、平均が 0 から標準誤差の 5 倍以内かを見る
        assert!(f.mean.abs() < 5.0 * f.standard_error, "t = {t}: {f:?}");
    }
    // ε*(x_t) は (x_t − √ᾱ μ)/√(1 − ᾱ) そのもの（予測に誤差がない）
    let x = array![[0.1, 0.4], [-2.0, 3.0]];
    for t in [1, 500] {
        let (scale, var) = s.marginal(t).unwrap();
        let e = m.optimal_epsilon(&s, t, &x).unwrap();
        let want = (&x - &(&mu * scale)) / var.sqrt();
        for (a, b) in e.iter().zip(&want) {
            assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "t = {t}");
        }
    }
    let p = ExactEpsilon::new(m, s.clone()).unwrap();
    let start = array![[3.0, 0.0], [-1.0, 2.5], [0.0, 0.0]];
    let x0 = ddim(&p, &s, &start).unwrap();
    for row in x0.rows() {
        assert!(
            (row[0] - 0.7).abs() < 1e-9 && (row[1] + 1.2).abs() < 1e-9,
            "{row}"
        );
    }
}
