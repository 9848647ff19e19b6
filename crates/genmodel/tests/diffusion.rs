//! 第 10 章（拡散モデル）の式の検証: 前向きの過程の閉じた形を鎖のシミュレーションと、事後分布を数値積分による
//! ベイズの定理と、ガウス混合のスコアを中心差分と、最適な ε の予測を条件つき期待値の数値積分と 1 成分の閉じた形と、
//! ELBO の各歩の KL 情報量を標本の平均と比べる。

use genmodel::diffusion::{GaussianMixture, Schedule};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, array};
use genmodel::vae::evaluate::standard_normal;
use std::f64::consts::PI;

#[test]
fn eq_10_2_forward_closed_form_matches_simulating_the_chain() {
    let s = Schedule::linear(50, 1e-3, 0.05).unwrap();
    let mut rng = seeded_rng(1);
    let n = 200_000;
    let x0 = 1.7;
    let mut x = vec![x0; n];
    for t in 1..=50 {
        let b = s.beta(t).unwrap();
        for v in &mut x {
            *v = (1.0 - b).sqrt() * *v + b.sqrt() * standard_normal(&mut rng);
        }
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let (scale, want_var) = s.marginal(50).unwrap();
    // 平均の標準誤差 √(var/n)、分散の標準誤差 var √(2/n)
    assert!(
        (mean - scale * x0).abs() < 5.0 * (want_var / n as f64).sqrt(),
        "{mean}"
    );
    assert!(
        (var - want_var).abs() < 5.0 * want_var * (2.0 / n as f64).sqrt(),
        "{var}"
    );
}

#[test]
fn eq_10_5_posterior_matches_bayes_rule_by_quadrature() {
    let s = Schedule::new(vec![0.05, 0.1, 0.2, 0.3]).unwrap();
    for t in 2..=4 {
        let (a, b, v) = s.posterior(t).unwrap();
        let beta = s.beta(t).unwrap();
        let (scale_prev, var_prev) = s.marginal(t - 1).unwrap();
        for (x0, xt) in [(0.5, -0.3), (-1.2, 2.0)] {
            // q(x_{t−1} | x_t, x_0) ∝ N(x_t; √α_t x_{t−1}, β_t) N(x_{t−1}; √ᾱ_{t−1} x_0, 1 − ᾱ_{t−1})
            let dens = |y: f64| {
                let e1 = xt - (1.0 - beta).sqrt() * y;
                let e2 = y - scale_prev * x0;
                (-0.5 * e1 * e1 / beta - 0.5 * e2 * e2 / var_prev).exp()
            };
            let (lo, hi, m) = (-12.0, 12.0, 200_001);
            let h = (hi - lo) / (m - 1) as f64;
            let (mut z, mut s1, mut s2) = (0.0, 0.0, 0.0);
            for i in 0..m {
                let y = lo + h * i as f64;
                let w = if i == 0 || i == m - 1 { 0.5 } else { 1.0 } * dens(y);
                z += w;
                s1 += w * y;
                s2 += w * y * y;
            }
            let mean = s1 / z;
            let var = s2 / z - mean * mean;
            assert!((mean - (a * x0 + b * xt)).abs() < 1e-10, "t = {t}: {mean}");
            assert!((var - v).abs() < 1e-10, "t = {t}: {var} vs {v}");
        }
    }
}

#[test]
fn eq_10_18_mixture_score_matches_central_differences() {
    let m = GaussianMixture::new(
        array![0.2, 0.5, 0.3],
        array![[-2.0, 0.0], [1.0, 1.5], [2.5, -1.0]],
        array![[0.3, 0.5], [0.2, 0.2], [1.0, 0.4]],
    )
    .unwrap();
    let s = Schedule::linear(100, 1e-4, 0.02).unwrap();
    for t in [0, 1, 10, 50, 100] {
        let pt = m.noised(&s, t).unwrap();
        let x = array![[0.1, 0.2], [-1.5, 0.7], [3.0, -2.0]];
        let score = pt.score(&x).unwrap();
        let h = 1e-5;
        for i in 0..3 {
            for d in 0..2 {
                let mut up = x.clone();
                up[[i, d]] += h;
                let mut down = x.clone();
                down[[i, d]] -= h;
                let fd =
                    (pt.ln_density(&up).unwrap()[i] - pt.ln_density(&down).unwrap()[i]) / (2.0 * h);
                assert!(
                    (fd - score[[i, d]]).abs() < 1e-6 * (1.0 + fd.abs()),
                    "t = {t}: {fd} vs {}",
                    score[[i, d]]
                );
            }
        }
    }
}

#[test]
fn eq_10_17_noised_mixture_matches_noising_samples() {
    let m = GaussianMixture::new(
        array![0.4, 0.6],
        array![[-1.0, 2.0], [1.5, -0.5]],
        array![[0.2, 0.1], [0.3, 0.6]],
    )
    .unwrap();
    let s = Schedule::linear(20, 0.01, 0.2).unwrap();
    let t = 10;
    let (scale, var) = s.marginal(t).unwrap();
    let mut rng = seeded_rng(3);
    let n = 200_000;
    let (x0, _) = m.sample(&mut rng, n).unwrap();
    let xt = x0.mapv(|v| scale * v)
        + Array2::from_shape_simple_fn((n, 2), || var.sqrt() * standard_normal(&mut rng));
    // E_{p_t}[ln p_t] の推定を、閉じた形の混合の対数密度で: 標本で求めた平均対数密度は、同じ分布の独立な標本の値と一致する
    let pt = m.noised(&s, t).unwrap();
    let (y, _) = pt.sample(&mut rng, n).unwrap();
    let a = pt.ln_density(&xt).unwrap();
    let b = pt.ln_density(&y).unwrap();
    let (ma, mb) = (a.mean().unwrap(), b.mean().unwrap());
    let se = (a.var(1.0) / n as f64 + b.var(1.0) / n as f64).sqrt();
    assert!((ma - mb).abs() < 5.0 * se, "{ma} vs {mb} (se {se})");
    // 平均も一致する
    for d in 0..2 {
        let m1 = xt.column(d).mean().unwrap();
        let m2 = y.column(d).mean().unwrap();
        let se = (xt.column(d).var(1.0) * 2.0 / n as f64).sqrt();
        assert!((m1 - m2).abs() < 5.0 * se);
    }
}

#[test]
fn eq_10_20_optimal_epsilon_of_gaussian_data_is_the_posterior_mean_of_the_noise() {
    // 1 成分 N(μ, σ²) なら x_t = √ᾱ x_0 + √(1 − ᾱ) ε は正規分布で、E[ε | x_t] = √(1 − ᾱ)(x_t − √ᾱ μ)/(ᾱ σ² + 1 − ᾱ)
    let (mu, s2) = (1.3, 0.4);
    let m = GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap();
    let s = Schedule::linear(30, 0.01, 0.1).unwrap();
    for t in [1, 7, 30] {
        let (scale, var) = s.marginal(t).unwrap();
        let x = array![[-0.4], [0.9], [2.2]];
        let e = m.optimal_epsilon(&s, t, &x).unwrap();
        for i in 0..3 {
            let want = var.sqrt() * (x[[i, 0]] - scale * mu) / (scale * scale * s2 + var);
            assert!((e[[i, 0]] - want).abs() < 1e-13, "t = {t}");
        }
    }
}

#[test]
fn bad_schedules_and_times_are_typed_errors() {
    use genmodel::Error;
    assert_eq!(Schedule::new(vec![]), Err(Error::EmptyInput));
    for bad in [0.0, 1.0, -0.1, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Schedule::new(vec![0.1, bad]),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert_eq!(Schedule::linear(0, 0.1, 0.2), Err(Error::EmptyInput));
    let s = Schedule::new(vec![0.1, 0.2]).unwrap();
    assert!(matches!(
        s.posterior(0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(s.marginal(3), Err(Error::InvalidParameter { .. })));
    let m = GaussianMixture::new(array![1.0], array![[0.0, 0.0]], array![[1.0, 1.0]]).unwrap();
    assert!(matches!(
        m.score(&array![[0.0]]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        m.score(&array![[f64::NAN, 0.0]]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        m.optimal_epsilon(&s, 0, &array![[0.0, 0.0]]),
        Err(Error::InvalidParameter { .. })
    ));
}

/// 1 次元のガウス分布のデータで、最適な ε の予測を使った祖先サンプリングを 10⁵ 本走らせ、生成された x_0 の平均と
/// 分散が、漸化式で求めた厳密な値に 5 標準誤差以内で一致する（σ_t² = β_t と β̃_t の両方）。
#[test]
fn eq_10_21_ancestral_sampling_with_the_exact_score_matches_the_gaussian_recursion() {
    use genmodel::diffusion::sampler::{Variance, gaussian_output, step_coefficients};
    let (mu, s2) = (1.5, 0.3);
    let m = GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap();
    let s = Schedule::linear(40, 1e-3, 0.2).unwrap();
    for variance in [Variance::Beta, Variance::BetaTilde] {
        let (m0, v0) = gaussian_output(&s, mu, s2, variance).unwrap();
        let n = 100_000;
        let mut rng = seeded_rng(9);
        let mut x = Array2::from_shape_simple_fn((n, 1), || standard_normal(&mut rng));
        for t in (1..=40).rev() {
            let eps = m.optimal_epsilon(&s, t, &x).unwrap();
            let (inv, k, sigma) = step_coefficients(&s, t, variance).unwrap();
            for (v, e) in x.iter_mut().zip(&eps) {
                *v = inv * (*v - k * e) + sigma * standard_normal(&mut rng);
            }
        }
        let mean = x.mean().unwrap();
        let var = x.var(1.0);
        assert!(
            (mean - m0).abs() < 5.0 * (v0 / n as f64).sqrt(),
            "{variance:?}: {mean} vs {m0}"
        );
        assert!(
            (var - v0).abs() < 5.0 * v0 * (2.0 / n as f64).sqrt(),
            "{variance:?}: {var} vs {v0}"
        );
        // T = 40 の粗い予定では、生成される分布はデータの分布からはっきりずれる（漸化式が予言する量だけ）
        assert!((v0 - s2).abs() > 1e-3, "{variance:?}: v0 = {v0}");
    }
}

/// 台形則の格子（`[lo, hi]` を `m − 1` 等分）の点と重み。
fn trapezoid(lo: f64, hi: f64, m: usize) -> Vec<(f64, f64)> {
    let h = (hi - lo) / (m - 1) as f64;
    (0..m)
        .map(|i| {
            let w = if i == 0 || i == m - 1 { 0.5 * h } else { h };
            (lo + h * i as f64, w)
        })
        .collect()
}

#[test]
fn eq_10_1_one_step_schedule_is_the_forward_step() {
    // 1 歩だけの予定の閉じた形は (10.1) の係数 (√(1 − β), β)。β が 0 と 1 に近くても相対 1e-15 で一致する
    for beta in [1e-12, 1e-4, 0.02, 0.5, 1.0 - 1e-9] {
        let (scale, var) = Schedule::new(vec![beta]).unwrap().marginal(1).unwrap();
        assert!((scale - (1.0 - beta).sqrt()).abs() <= 1e-15 * scale.max(1e-300) + 1e-16);
        assert!((var - beta).abs() <= 2e-15 * beta, "β = {beta}: {var}");
    }
}

#[test]
fn eq_10_3_reparameterised_samples_have_the_closed_form_moments() {
    // x_t = √ᾱ x_0 + √(1 − ᾱ) ε（ε の標本）の平均と分散は、クレートの閉じた形 (10.2) と 5 標準誤差以内で一致する
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    let mut rng = seeded_rng(3);
    let (n, x0) = (100_000, -0.8);
    for t in [10, 300, 1000] {
        let ab = (1..=t).map(|u| 1.0 - s.beta(u).unwrap()).product::<f64>();
        let xs: Vec<f64> = (0..n)
            .map(|_| ab.sqrt() * x0 + (1.0 - ab).sqrt() * standard_normal(&mut rng))
            .collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let (scale, want) = s.marginal(t).unwrap();
        assert!(
            (mean - scale * x0).abs() < 5.0 * (want / n as f64).sqrt(),
            "t = {t}"
        );
        assert!(
            (var - want).abs() < 5.0 * want * (2.0 / n as f64).sqrt(),
            "t = {t}"
        );
    }
}

/// 事後分布の密度を、ベイズの定理 r(x_t | x_{t−1}) r(x_{t−1} | x_0) / r(x_t | x_0) で（1 次元）。
fn bayes_density(s: &Schedule, t: usize, x0: f64, xt: f64, y: f64) -> f64 {
    let normal =
        |x: f64, m: f64, v: f64| (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * PI * v).sqrt();
    let beta = s.beta(t).unwrap();
    let (sp, vp) = s.marginal(t - 1).unwrap();
    let (sn, vn) = s.marginal(t).unwrap();
    normal(xt, (1.0 - beta).sqrt() * y, beta) * normal(y, sp * x0, vp) / normal(xt, sn * x0, vn)
}

#[test]
fn eq_10_4_posterior_density_is_bayes_rule() {
    // クレートの係数の正規密度 N(y; a x_0 + b x_t, β̃) が、ベイズの定理の密度と点ごとに一致する
    let s = Schedule::new(vec![0.05, 0.1, 0.2, 0.3]).unwrap();
    for t in 2..=4 {
        let (a, b, v) = s.posterior(t).unwrap();
        for (x0, xt) in [(0.5, -0.3), (-1.2, 2.0)] {
            for y in [-1.0, -0.2, 0.4, 1.5] {
                let m = a * x0 + b * xt;
                let want = bayes_density(&s, t, x0, xt, y);
                let got = (-(y - m).powi(2) / (2.0 * v)).exp() / (2.0 * PI * v).sqrt();
                assert!(
                    (got - want).abs() <= 1e-12 * want.max(1e-300),
                    "t = {t}, y = {y}"
                );
            }
        }
    }
}

#[test]
fn eq_10_6_posterior_precision_is_the_sum_of_precisions() {
    // (10.6) の β̃_t は、平方完成の 2 次の係数から 1/β̃_t = α_t/β_t + 1/(1 − ᾱ_{t−1})（2 つの情報の精度の和）を
    // 満たす。そのため β̃_t は β_t と 1 − ᾱ_{t−1} のどちらよりも小さい（数値積分との比較は eq_10_5 にある）
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    for t in [2, 10, 500, 1000] {
        let (_, _, v) = s.posterior(t).unwrap();
        let beta = s.beta(t).unwrap();
        let prev = s.marginal(t - 1).unwrap().1;
        let precision = (1.0 - beta) / beta + 1.0 / prev;
        assert!((1.0 / v - precision).abs() < 1e-9 * precision, "t = {t}");
        assert!(v < beta && v < prev);
    }
}

/// 1 次元の例の混合と、x_0 の格子の上のベイズの定理による E[x_0 | x_t]。
fn mixture_1d() -> (GaussianMixture, [(f64, f64, f64); 2]) {
    let comps = [(0.3, -2.0, 0.09), (0.7, 1.5, 0.25)];
    let m = GaussianMixture::new(
        array![comps[0].0, comps[1].0],
        array![[comps[0].1], [comps[1].1]],
        array![[comps[0].2], [comps[1].2]],
    )
    .unwrap();
    (m, comps)
}

fn posterior_mean_of_x0(comps: &[(f64, f64, f64)], scale: f64, var: f64, xt: f64) -> f64 {
    let normal =
        |x: f64, m: f64, v: f64| (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * PI * v).sqrt();
    let (mut z, mut s1) = (0.0, 0.0);
    for (x0, w) in trapezoid(-8.0, 8.0, 160_001) {
        let prior: f64 = comps.iter().map(|(p, m, v)| p * normal(x0, *m, *v)).sum();
        let wt = w * prior * normal(xt, scale * x0, var);
        z += wt;
        s1 += wt * x0;
    }
    s1 / z
}

#[test]
fn eq_10_13_tweedie_posterior_mean_from_the_score() {
    // E[x_0 | x_t]（x_0 の格子の数値積分）= (x_t + (1 − ᾱ) ∇ ln p_t) / √ᾱ（クレートのスコア）
    let (m, comps) = mixture_1d();
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    for t in [20, 150, 600] {
        let (scale, var) = s.marginal(t).unwrap();
        let pt = m.noised(&s, t).unwrap();
        for xt in [-2.5, -0.6, 0.3, 2.0] {
            let score = pt.score(&array![[xt]]).unwrap()[[0, 0]];
            let want = posterior_mean_of_x0(&comps, scale, var, xt);
            let got = (xt + var * score) / scale;
            assert!(
                (got - want).abs() < 1e-9,
                "t = {t}, x = {xt}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn eq_10_14_optimal_epsilon_is_the_posterior_mean_of_the_noise() {
    // E[ε | x_t] = (x_t − √ᾱ E[x_0 | x_t]) / √(1 − ᾱ)（数値積分）が、クレートの −√(1 − ᾱ) ∇ ln p_t と一致する
    let (m, comps) = mixture_1d();
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    for t in [20, 150, 600] {
        let (scale, var) = s.marginal(t).unwrap();
        for xt in [-2.5, -0.6, 0.3, 2.0] {
            let x0 = posterior_mean_of_x0(&comps, scale, var, xt);
            let want = (xt - scale * x0) / var.sqrt();
            let got = m.optimal_epsilon(&s, t, &array![[xt]]).unwrap()[[0, 0]];
            assert!(
                (got - want).abs() < 1e-8,
                "t = {t}, x = {xt}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn eq_10_8_gaussian_kl_matches_a_sample_average() {
    // (10.8) の閉じた形（クレートの 1 次元の KL の D 個の和）を、N(μ̃, β̃ I) の標本の対数密度の比の平均と比べる
    use genmodel::divergence::kl_gaussian_1d;
    let mut rng = seeded_rng(8);
    let (mu1, mu2) = (array![0.3, -1.0, 0.8], array![0.1, -0.7, 1.0]);
    let (v1, v2) = (0.04, 0.09);
    let kl: f64 = (0..3)
        .map(|j| kl_gaussian_1d(mu1[j], v1, mu2[j], v2).unwrap())
        .sum();
    let n = 200_000;
    let ln_ratio: Vec<f64> = (0..n)
        .map(|_| {
            let mut acc = 0.0;
            for j in 0..3 {
                let x = mu1[j] + v1.sqrt() * standard_normal(&mut rng);
                acc += -(x - mu1[j]).powi(2) / (2.0 * v1)
                    + (x - mu2[j]).powi(2) / (2.0 * v2)
                    + 0.5 * (v2 / v1).ln();
            }
            acc
        })
        .collect();
    let mean = ln_ratio.iter().sum::<f64>() / n as f64;
    let sd = (ln_ratio.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    assert!(
        (mean - kl).abs() < 5.0 * sd / (n as f64).sqrt(),
        "{mean} vs {kl}"
    );
}

#[test]
fn eq_10_9_posterior_mean_in_terms_of_the_noise() {
    // x_0 = (x_t − √(1 − ᾱ) ε)/√ᾱ をクレートの事後分布の平均に入れたものが、逆向きの 1 歩の係数
    // (x_t − k ε)/√α_t（k = β_t/√(1 − ᾱ_t)、クレートの step_coefficients）と一致する
    use genmodel::diffusion::sampler::{Variance, step_coefficients};
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    for t in [2, 50, 999, 1000] {
        let (a, b, _) = s.posterior(t).unwrap();
        let (scale, var) = s.marginal(t).unwrap();
        let (inv, k, _) = step_coefficients(&s, t, Variance::Beta).unwrap();
        for (xt, eps) in [(0.4, -1.1), (-2.0, 0.3)] {
            let x0 = (xt - var.sqrt() * eps) / scale;
            let from_posterior = a * x0 + b * xt;
            let from_noise = inv * (xt - k * eps);
            assert!((from_posterior - from_noise).abs() < 1e-9, "t = {t}");
        }
    }
}

#[test]
fn eq_10_11_kl_term_is_a_weighted_noise_error() {
    // |μ̃ − μ_θ|²/(2σ²)（クレートの事後分布と逆向きの 1 歩の係数）= β²/(2σ² α (1 − ᾱ)) |ε − ε_θ|²
    use genmodel::diffusion::sampler::{Variance, step_coefficients};
    let s = Schedule::new(vec![0.1, 0.25, 0.4]).unwrap();
    for t in 2..=3 {
        let (a, b, _) = s.posterior(t).unwrap();
        let (scale, var) = s.marginal(t).unwrap();
        let (inv, k, sigma) = step_coefficients(&s, t, Variance::Beta).unwrap();
        let beta = s.beta(t).unwrap();
        let (x0, eps, eps_theta) = (0.7, -0.4, 0.9);
        let xt = scale * x0 + var.sqrt() * eps;
        let mu_tilde = a * x0 + b * xt;
        let mu_theta = inv * (xt - k * eps_theta);
        let lhs = (mu_tilde - mu_theta).powi(2) / (2.0 * sigma * sigma);
        let rhs =
            beta * beta / (2.0 * sigma * sigma * (1.0 - beta) * var) * (eps - eps_theta).powi(2);
        assert!((lhs - rhs).abs() < 1e-12 * rhs, "t = {t}: {lhs} vs {rhs}");
    }
}

#[test]
fn eq_10_7_one_reverse_step_is_gaussian_around_the_model_mean() {
    // データ N(μ, s²) の厳密な ε* では、最後の 1 歩 x_0 = μ_θ(x_1, 1) は x_1 の 1 次式 A x_1 + B。
    // したがって x_2 を固定した 2 歩の生成の x_0 は N(A μ_θ(x_2, 2) + B, A² σ_2²) に従う（(10.7)）。
    // 20000 本の x_0 の平均と分散を、(10.10)・(10.20) から手で求めた値と 5 標準誤差以内で比べる
    use genmodel::diffusion::predictor::ExactEpsilon;
    use genmodel::diffusion::sampler::{Variance, sample_from};
    let (mu, s2) = (0.5, 2.0);
    let s = Schedule::new(vec![0.2, 0.3]).unwrap();
    let m = GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap();
    let p = ExactEpsilon::new(m, s.clone()).unwrap();
    let eps = |x: f64, ab: f64| (1.0 - ab).sqrt() * (x - ab.sqrt() * mu) / (ab * s2 + 1.0 - ab);
    let mean_step = |x: f64, beta: f64, ab: f64| {
        (x - beta / (1.0 - ab).sqrt() * eps(x, ab)) / (1.0 - beta).sqrt()
    };
    let x2 = 0.7;
    let centre = mean_step(x2, 0.3, 0.56);
    // x_0 = mean_step(x_1, 0.2, 0.8) は x_1 の 1 次式: A = mean_step(1) − mean_step(0)、B = mean_step(0)
    let b = mean_step(0.0, 0.2, 0.8);
    let a = mean_step(1.0, 0.2, 0.8) - b;
    for (var, sigma2) in [
        (Variance::Beta, 0.3),
        (Variance::BetaTilde, s.posterior(2).unwrap().2),
    ] {
        let n = 20_000;
        let start = Array2::from_elem((n, 1), x2);
        let x0 = sample_from(&p, &s, var, &start, &mut seeded_rng(7)).unwrap();
        let mean = x0.sum() / n as f64;
        let v = x0.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let want_var = a * a * sigma2;
        assert!(
            (mean - (a * centre + b)).abs() < 5.0 * (want_var / n as f64).sqrt(),
            "{mean}"
        );
        assert!(
            (v - want_var).abs() < 5.0 * want_var * (2.0 / n as f64).sqrt(),
            "{v} vs {want_var}"
        );
    }
}

#[test]
fn eq_10_19_sample_between_stops_at_t_and_composes() {
    // 1 段（t = 2 → 1）だけ進めた x_1 は N(μ_θ(x_2, 2), σ_2²)（(10.19)、σ_2² = β_2）。データ N(μ, s²) の厳密な
    // ε* で μ_θ を手で求め、20000 本の平均と分散を 5 標準誤差以内で比べる。さらに、区間を分けて同じ乱数の列で
    // 進めた結果は、全段の sample_from と 1 ビットも違わない
    use genmodel::diffusion::predictor::ExactEpsilon;
    use genmodel::diffusion::sampler::{Variance, sample_between, sample_from};
    let (mu, s2) = (0.5, 2.0);
    let s = Schedule::new(vec![0.2, 0.3]).unwrap();
    let m = GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap();
    let p = ExactEpsilon::new(m, s.clone()).unwrap();
    let x2 = 0.7;
    let (beta, ab): (f64, f64) = (0.3, 0.56);
    let eps = (1.0 - ab).sqrt() * (x2 - ab.sqrt() * mu) / (ab * s2 + 1.0 - ab);
    let centre = (x2 - beta / (1.0 - ab).sqrt() * eps) / (1.0 - beta).sqrt();
    let n = 20_000;
    let start = Array2::from_elem((n, 1), x2);
    let mut seen = Vec::new();
    let x1 = sample_between(
        &p,
        &s,
        Variance::Beta,
        &start,
        (2, 1),
        &mut seeded_rng(3),
        &mut |t, _| seen.push(t),
    )
    .unwrap();
    assert_eq!(seen, vec![1]);
    let mean = x1.sum() / n as f64;
    let v = x1.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!(
        (mean - centre).abs() < 5.0 * (beta / n as f64).sqrt(),
        "{mean}"
    );
    assert!(
        (v - beta).abs() < 5.0 * beta * (2.0 / n as f64).sqrt(),
        "{v}"
    );

    let s = Schedule::linear(30, 1e-3, 0.2).unwrap();
    let m = GaussianMixture::new(
        array![0.4, 0.6],
        array![[-1.0, 0.5], [1.5, -0.5]],
        array![[0.2, 0.1], [0.05, 0.3]],
    )
    .unwrap();
    let p = ExactEpsilon::new(m, s.clone()).unwrap();
    let start = array![[0.3, -1.0], [2.0, 0.1], [-0.7, 0.4]];
    for var in [Variance::Beta, Variance::BetaTilde] {
        let whole = sample_from(&p, &s, var, &start, &mut seeded_rng(11)).unwrap();
        for cut in [1, 15, 29] {
            let mut rng = seeded_rng(11);
            let mid =
                sample_between(&p, &s, var, &start, (30, cut), &mut rng, &mut |_, _| {}).unwrap();
            let end =
                sample_between(&p, &s, var, &mid, (cut, 0), &mut rng, &mut |_, _| {}).unwrap();
            assert_eq!(end, whole, "{cut}");
        }
    }
}
