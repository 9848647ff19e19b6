//! 拡散モデルの準備（第 10 章）の検証: 前向きの過程の閉じた形を鎖のシミュレーションと、事後分布を数値積分による
//! ベイズの定理と、ガウス混合のスコアを中心差分と、最適な ε の予測を 1 成分の閉じた形と比べる。

use genmodel::diffusion::{GaussianMixture, Schedule};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, array};
use genmodel::vae::evaluate::standard_normal;

#[test]
fn forward_closed_form_matches_simulating_the_chain() {
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
fn posterior_matches_bayes_rule_by_quadrature() {
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
fn mixture_score_matches_central_differences() {
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
fn noised_mixture_matches_noising_samples() {
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
fn optimal_epsilon_of_gaussian_data_is_the_posterior_mean_of_the_noise() {
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
fn ancestral_sampling_with_the_exact_score_matches_the_gaussian_recursion() {
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
