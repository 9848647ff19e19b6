//! 第 10 章の ε を予測するネットワーク・損失・学習・標本抽出・損失の下限の検証。
//!
//! 期待値はどれも実装とは独立に求める: 勾配は中心差分、損失は `x_t` を手で作った直接の和、下限は 1 成分の
//! 閉じた形 `ᾱ s² / (ᾱ s² + 1 − ᾱ)` と数値積分、標本はデータの混合そのものの分布（カイ 2 乗の適合度検定）と
//! ガウス分布の厳密な漸化式、DDIM は 1 次式の係数を手で掛けた漸化式と輸送写像の閉じた形。

use genmodel::Error;
use genmodel::diffusion::evaluate::{
    epsilon_loss, loss_floor, loss_floor_quadrature, mean_loss_floor, mean_loss_floor_quadrature,
};
use genmodel::diffusion::predictor::{predicted_x0, score_from_epsilon};
use genmodel::diffusion::sampler::{Variance, ddim, gaussian_output, sample, sample_from};
use genmodel::diffusion::{
    EpsilonNet, EpsilonPredictor, ExactEpsilon, GaussianMixture, Schedule, TimeEmbedding, Training,
};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array1, Array2, array};
use genmodel::nn::{Activation, Adam};
use genmodel::prec::{FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use genmodel::vae::evaluate::standard_normal;

fn small_net(d: usize, steps: usize, act: Activation, seed: u64) -> EpsilonNet {
    EpsilonNet::new(
        d,
        &[5, 4],
        act,
        TimeEmbedding::new(steps, 2).unwrap(),
        &mut seeded_rng(seed),
    )
    .unwrap()
}

fn normal(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    let mut rng = seeded_rng(seed);
    Array2::from_shape_simple_fn((rows, cols), || standard_normal(&mut rng))
}

/// 損失を、`x_t` を手で作り予測との差の 2 乗を直接足して求める（実装の損失の関数を使わない）。
fn direct_loss(
    net: &EpsilonNet,
    s: &Schedule,
    x0: &Array2<f64>,
    t: &[usize],
    eps: &Array2<f64>,
) -> f64 {
    let mut xt = x0.clone();
    for (i, &ti) in t.iter().enumerate() {
        let ab: f64 = (1..=ti).map(|k| 1.0 - s.beta(k).unwrap()).product();
        for j in 0..x0.ncols() {
            xt[[i, j]] = ab.sqrt() * x0[[i, j]] + (1.0 - ab).sqrt() * eps[[i, j]];
        }
    }
    let pred = net.predict(&xt, t).unwrap();
    (eps - &pred).mapv(|v| v * v).sum() / x0.nrows() as f64
}

#[test]
fn eq_10_12_loss_matches_direct_sum() {
    let s = Schedule::linear(10, 0.05, 0.3).unwrap();
    let net = small_net(2, 10, Activation::Tanh, 1);
    for rows in [3, 70] {
        let x0 = normal(rows, 2, 2);
        let eps = normal(rows, 2, 3);
        let t: Vec<usize> = (0..rows).map(|i| 1 + (i * 7) % 10).collect();
        let want = direct_loss(&net, &s, &x0, &t, &eps);
        let got = net.loss(&s, &x0, &t, &eps).unwrap();
        let (got2, _) = net.loss_gradient(&s, &x0, &t, &eps).unwrap();
        assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
        assert!((got2 - want).abs() < 1e-12 * want, "{got2} vs {want}");
    }
}

/// 勾配をすべてのパラメータについて中心差分と比べる（`B = 5` と、2 つのスレッドに分ける `B = 70`）。
#[test]
fn eq_10_12_loss_gradient_matches_central_differences_for_every_parameter() {
    let s = Schedule::linear(10, 0.05, 0.3).unwrap();
    for (rows, act) in [(5, Activation::Tanh), (70, Activation::Softplus)] {
        let mut net = small_net(2, 10, act, 4);
        let x0 = normal(rows, 2, 5);
        let eps = normal(rows, 2, 6);
        let t: Vec<usize> = (0..rows).map(|i| 1 + (i * 3) % 10).collect();
        let (_, g) = net.loss_gradient(&s, &x0, &t, &eps).unwrap();
        let g = g.flat();
        let p0 = net.params_flat();
        assert_eq!(g.len(), p0.len());
        for k in 0..p0.len() {
            let h = FINITE_DIFFERENCE_STEP * p0[k].abs().max(1.0);
            let mut p = p0.clone();
            p[k] = p0[k] + h;
            net.set_params_flat(&p).unwrap();
            let up = direct_loss(&net, &s, &x0, &t, &eps);
            p[k] = p0[k] - h;
            net.set_params_flat(&p).unwrap();
            let down = direct_loss(&net, &s, &x0, &t, &eps);
            let fd = (up - down) / (2.0 * h);
            assert!(
                (fd - g[k]).abs() <= FINITE_DIFFERENCE_TOLERANCE * g[k].abs().max(1.0),
                "B = {rows}, 成分 {k}: 中心差分 {fd} と勾配 {}",
                g[k]
            );
        }
        net.set_params_flat(&p0).unwrap();
    }
}

#[test]
fn eq_10_22_time_embedding_is_sin_cos_of_doubling_frequencies() {
    let e = TimeEmbedding::new(1000, 8).unwrap();
    for t in [1, 37, 500, 1000] {
        let f = e.features(t).unwrap();
        for k in 0..8 {
            let w = std::f64::consts::PI * f64::from(1u32 << k) / 1000.0;
            assert!((f[k] - (w * t as f64).sin()).abs() < 1e-15);
            assert!((f[8 + k] - (w * t as f64).cos()).abs() < 1e-15);
        }
    }
    // 組 (sin ω_1 t, cos ω_1 t) は t を一意に決める（cos ω_1 t は単調に減る）
    let c: Vec<f64> = (1..=1000).map(|t| e.features(t).unwrap()[8]).collect();
    assert!(c.windows(2).all(|w| w[1] < w[0]));
}

#[test]
fn eq_10_15_x0_prediction_and_score_conversions_invert_the_forward_process() {
    let s = Schedule::linear(20, 0.01, 0.2).unwrap();
    let x0 = array![[0.3, -1.2], [2.0, 0.5]];
    let eps = array![[0.7, 0.1], [-1.1, 0.4]];
    for t in [1, 7, 20] {
        let ab: f64 = (1..=t).map(|k| 1.0 - s.beta(k).unwrap()).product();
        let xt = x0.mapv(|v| ab.sqrt() * v) + eps.mapv(|v| (1.0 - ab).sqrt() * v);
        let back = predicted_x0(&s, t, &xt, &eps).unwrap();
        assert!((&back - &x0).iter().all(|d| d.abs() < 1e-12));
        // 1 成分 N(m, v) の p_t のスコアは −(x − √ᾱ m) / (ᾱ v + 1 − ᾱ)
        let m = GaussianMixture::new(array![1.0], array![[1.0, -0.5]], array![[0.4, 2.0]]).unwrap();
        let e = m.optimal_epsilon(&s, t, &xt).unwrap();
        let sc = score_from_epsilon(&s, t, &e).unwrap();
        for i in 0..2 {
            for (j, (mu, v)) in [(1.0, 0.4), (-0.5, 2.0)].iter().enumerate() {
                let want = -(xt[[i, j]] - ab.sqrt() * mu) / (ab * v + 1.0 - ab);
                assert!(
                    (sc[[i, j]] - want).abs() < 1e-12,
                    "{} vs {want}",
                    sc[[i, j]]
                );
            }
        }
    }
}

// ---------------------------------------------------------------- 損失の下限

/// 1 成分の下限の閉じた形 `Σ_d ᾱ s_d² / (ᾱ s_d² + 1 − ᾱ)`（`ε* = √(1 − ᾱ)(x − √ᾱ μ)/(ᾱ s² + 1 − ᾱ)` から）。
fn gaussian_floor(ab: f64, vars: &[f64]) -> f64 {
    vars.iter().map(|v| ab * v / (ab * v + 1.0 - ab)).sum()
}

#[test]
fn eq_10_16_loss_floor_quadrature_matches_gaussian_closed_form() {
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    let m = GaussianMixture::new(array![1.0], array![[2.0]], array![[0.3]]).unwrap();
    for t in [1, 10, 100, 500, 1000] {
        let ab = s.alpha_bar(t).unwrap();
        let q = loss_floor_quadrature(&m, &s, t).unwrap();
        assert!(
            (q - gaussian_floor(ab, &[0.3])).abs() < 1e-10,
            "t = {t}: {q}"
        );
    }
}

#[test]
fn eq_10_16_loss_floor_monte_carlo_agrees_with_quadrature_and_closed_form() {
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    let m = GaussianMixture::new(
        array![0.3, 0.7],
        array![[-2.0], [1.5]],
        array![[0.05], [0.4]],
    )
    .unwrap();
    for (i, t) in [1, 30, 200, 800].into_iter().enumerate() {
        let q = loss_floor_quadrature(&m, &s, t).unwrap();
        let mc = loss_floor(&m, &s, t, 20_000, &mut seeded_rng(10 + i as u64)).unwrap();
        assert!(
            (mc.mean - q).abs() < 5.0 * mc.standard_error,
            "t = {t}: {} ± {} vs {q}",
            mc.mean,
            mc.standard_error
        );
        // 損失そのもの E‖ε − ε*‖² の推定も同じ値の周り（分散は大きい）
        let (x0, _) = m.sample(&mut seeded_rng(40 + i as u64), 20_000).unwrap();
        let exact = ExactEpsilon::new(m.clone(), s.clone()).unwrap();
        let l = epsilon_loss(&exact, &s, &x0, t, &mut seeded_rng(50 + i as u64)).unwrap();
        assert!(
            (l.mean - q).abs() < 5.0 * l.standard_error,
            "t = {t}: {l:?} vs {q}"
        );
    }
    // 2 次元の 1 成分: 座標ごとの和
    let g = GaussianMixture::new(array![1.0], array![[0.5, -1.0]], array![[0.2, 3.0]]).unwrap();
    let mc = loss_floor(&g, &s, 100, 20_000, &mut seeded_rng(3)).unwrap();
    let want = gaussian_floor(s.alpha_bar(100).unwrap(), &[0.2, 3.0]);
    assert!((mc.mean - want).abs() < 5.0 * mc.standard_error);
    // 一様な t の平均: 層別モンテカルロと数値積分
    let short = Schedule::linear(50, 1e-3, 0.1).unwrap();
    let avg = mean_loss_floor(&m, &short, 400, &mut seeded_rng(4)).unwrap();
    let avg_q = mean_loss_floor_quadrature(&m, &short).unwrap();
    assert!(
        (avg.mean - avg_q).abs() < 5.0 * avg.standard_error,
        "{avg:?} vs {avg_q}"
    );
}

// ---------------------------------------------------------------- 標本抽出

/// 標準正規分布の累積分布関数（erfc の Chebyshev 近似、相対誤差 1.2e-7、Numerical Recipes 6.2）。
fn phi(x: f64) -> f64 {
    let z = (x / std::f64::consts::SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { 1.0 - 0.5 * r } else { 0.5 * r }
}

/// 1 次元の混合の累積分布関数。
fn mixture_cdf(w: &[f64], mu: &[f64], var: &[f64], x: f64) -> f64 {
    (0..w.len())
        .map(|k| w[k] * phi((x - mu[k]) / var[k].sqrt()))
        .sum()
}

/// 帰無仮説の混合の下で等確率の `BINS` 個の区間の境（二分法で求めた分位点）。
const BINS: usize = 10;

fn edges(w: &[f64], mu: &[f64], var: &[f64]) -> Vec<f64> {
    (1..BINS)
        .map(|k| {
            let target = k as f64 / BINS as f64;
            let (mut lo, mut hi) = (-20.0, 20.0);
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                if mixture_cdf(w, mu, var, mid) < target {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            0.5 * (lo + hi)
        })
        .collect()
}

/// 等確率の区間のピアソンのカイ 2 乗統計量 `Σ (O_k − n/BINS)² / (n/BINS)`（自由度 `BINS − 1 = 9`）。
fn chi_square(x: impl Iterator<Item = f64>, edges: &[f64], n: usize) -> f64 {
    let mut count = [0usize; BINS];
    for v in x {
        count[edges.partition_point(|&e| e < v)] += 1;
    }
    let e = n as f64 / BINS as f64;
    count.iter().map(|&o| (o as f64 - e).powi(2) / e).sum()
}

/// 自由度 9 のカイ 2 乗分布の上側 0.1 % 点（有意水準 α = 0.001）。
const CHI2_9_999: f64 = 27.877;

/// 厳密な `ε*` の DDPM（T = 1000、`σ_t² = β_t`）が、データの混合 `0.3 N(−2, 0.25) + 0.7 N(2, 0.25)` を再現する。
///
/// 検定: `n = 6000` 標本の、帰無仮説の混合で等確率の 10 区間のカイ 2 乗適合度検定、有意水準 `α = 0.001`
/// （棄却域 `χ² > 27.877`、自由度 9）。有限の `T` による偏り（同じ予定のガウス分布の厳密な漸化式で
/// 平均・分散のずれは 1e-3 未満）が作る非心度は `n × (1e-3)²` の程度で、検定の大きさを変えない。
///
/// 検出力: 近い対立仮説「重みが 0.05 ずれた混合 `0.35 / 0.65`」に対して、非心度は
/// `λ ≈ n (0.05² / 0.3 + 0.05² / 0.7) ≈ 71`（左右の成分が別の区間にある近似）で、非心カイ 2 乗分布の正規近似で
/// 検出力は約 0.998。テストの中で、対立仮説の混合から直接引いた 400 組の標本で検出力を推定し（測った値は 400/400、
/// 95 % の片側の下限は 0.9925。0.95 以上を確かめる）、さらに対立仮説の `ε*` で走らせた標本抽出器が実際に棄却される
/// ことを確かめる（測った χ² は帰無仮説の標本抽出器で 3.18、対立仮説の標本抽出器で 50.24）。
#[test]
fn eq_10_19_exact_epsilon_ddpm_reproduces_mixture_chi_square() {
    let (w, mu, var) = ([0.3, 0.7], [-2.0, 2.0], [0.25, 0.25]);
    let (w_alt, mu_alt) = ([0.35, 0.65], [-2.0, 2.0]);
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    let mix = |w: &[f64; 2], mu: &[f64; 2]| {
        GaussianMixture::new(
            Array1::from(w.to_vec()),
            Array2::from_shape_vec((2, 1), mu.to_vec()).unwrap(),
            Array2::from_shape_vec((2, 1), var.to_vec()).unwrap(),
        )
        .unwrap()
    };
    let e = edges(&w, &mu, &var);
    let n = 6000;
    // 有限の T の偏りの大きさ（ガウス分布のデータの厳密な漸化式）
    let (m0, v0) = gaussian_output(&s, 2.0, 0.25, Variance::Beta).unwrap();
    assert!(
        (m0 - 2.0).abs() < 1e-3 && (v0 - 0.25).abs() < 1e-3,
        "{m0} {v0}"
    );
    // 帰無仮説: 厳密な ε* の標本抽出器
    let p = ExactEpsilon::new(mix(&w, &mu), s.clone()).unwrap();
    let x = sample(&p, &s, Variance::Beta, n, &mut seeded_rng(100)).unwrap();
    let stat = chi_square(x.iter().copied(), &e, n);
    eprintln!("帰無仮説の標本抽出器: χ² = {stat:.2}（棄却域 > {CHI2_9_999}）");
    assert!(stat < CHI2_9_999, "χ² = {stat}");
    // 対立仮説の ε* で走らせた標本抽出器は棄却される
    let alt = ExactEpsilon::new(mix(&w_alt, &mu_alt), s.clone()).unwrap();
    let xa = sample(&alt, &s, Variance::Beta, n, &mut seeded_rng(101)).unwrap();
    let stat_alt = chi_square(xa.iter().copied(), &e, n);
    eprintln!("対立仮説の標本抽出器: χ² = {stat_alt:.2}");
    assert!(stat_alt > CHI2_9_999, "χ² = {stat_alt}");
    // 検出力の推定: 対立仮説の混合から直接 400 組
    let alt_mix = mix(&w_alt, &mu_alt);
    let reps = 400;
    let mut rng = seeded_rng(102);
    let rejected = (0..reps)
        .filter(|_| {
            let (y, _) = alt_mix.sample(&mut rng, n).unwrap();
            chi_square(y.iter().copied(), &e, n) > CHI2_9_999
        })
        .count();
    let power = rejected as f64 / reps as f64;
    eprintln!("検出力の推定 {power:.3}（{rejected}/{reps}）");
    assert!(power >= 0.95, "検出力 {power}");
    // 大きさの確かめ: 帰無仮説の混合から直接引いた 400 組の棄却率は α = 0.001 の程度（0 か 1 か 2 回）
    let null_mix = mix(&w, &mu);
    let false_alarms = (0..reps)
        .filter(|_| {
            let (y, _) = null_mix.sample(&mut rng, n).unwrap();
            chi_square(y.iter().copied(), &e, n) > CHI2_9_999
        })
        .count();
    assert!(false_alarms <= 3, "{false_alarms}");
}

#[test]
fn eq_10_21_exact_epsilon_ddpm_matches_gaussian_output() {
    let s = Schedule::linear(200, 1e-3, 0.05).unwrap();
    let (mu, s2) = (1.5, 0.4);
    let p = ExactEpsilon::new(
        GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap(),
        s.clone(),
    )
    .unwrap();
    for (k, variance) in [Variance::Beta, Variance::BetaTilde]
        .into_iter()
        .enumerate()
    {
        let n = 20_000;
        let x = sample(&p, &s, variance, n, &mut seeded_rng(200 + k as u64)).unwrap();
        let mean = x.sum() / n as f64;
        let var = x.mapv(|v| (v - mean).powi(2)).sum() / (n - 1) as f64;
        let (m0, v0) = gaussian_output(&s, mu, s2, variance).unwrap();
        // 平均の標準誤差 √(v/n)、分散の標準誤差 v √(2/(n − 1))
        assert!(
            (mean - m0).abs() < 5.0 * (v0 / n as f64).sqrt(),
            "{mean} vs {m0}"
        );
        assert!(
            (var - v0).abs() < 5.0 * v0 * (2.0 / (n - 1) as f64).sqrt(),
            "{var} vs {v0}"
        );
    }
}

/// 1 歩を手で: `x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) ε*) / √α_t + √β_t z`。
#[test]
fn eq_10_10_ddpm_step_matches_hand_formula() {
    let s = Schedule::new(vec![0.2, 0.3]).unwrap();
    let m = GaussianMixture::new(array![1.0], array![[0.5]], array![[2.0]]).unwrap();
    let p = ExactEpsilon::new(m, s.clone()).unwrap();
    let x2 = 0.7;
    let got = sample_from(&p, &s, Variance::Beta, &array![[x2]], &mut seeded_rng(9)).unwrap();
    // 同じ乱数の最初の z
    let z = standard_normal(&mut seeded_rng(9));
    let eps = |x: f64, ab: f64| (1.0 - ab).sqrt() * (x - ab.sqrt() * 0.5) / (ab * 2.0 + 1.0 - ab);
    let ab2: f64 = 0.8 * 0.7;
    let x1 = (x2 - 0.3 / (1.0 - ab2).sqrt() * eps(x2, ab2)) / 0.7f64.sqrt() + 0.3f64.sqrt() * z;
    let x0 = (x1 - 0.2 / 0.2f64.sqrt() * eps(x1, 0.8)) / 0.8f64.sqrt();
    assert!((got[[0, 0]] - x0).abs() < 1e-14, "{} vs {x0}", got[[0, 0]]);
}

/// データ `N(μ, s²)` の厳密な `ε*` の DDIM は 1 次の写像 `x_{t−1} − √ᾱ_{t−1} μ = c_t (x_t − √ᾱ_t μ)`、
/// `c_t = (√ᾱ_{t−1} √ᾱ_t s² + √(1 − ᾱ_{t−1}) √(1 − ᾱ_t)) / v_t`（`v_t = ᾱ_t s² + 1 − ᾱ_t`）。係数の積と、
/// 確率流の厳密な輸送 `x_0 = μ + s (x_T − √ᾱ_T μ) / √v_T`（`T → ∞` の極限）とを比べる。
#[test]
fn eq_10_23_ddim_with_exact_gaussian_epsilon_is_the_hand_recursion() {
    let s = Schedule::linear(1000, 1e-4, 0.02).unwrap();
    let (mu, s2) = (2.0, 0.5);
    let p = ExactEpsilon::new(
        GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap(),
        s.clone(),
    )
    .unwrap();
    let xs = array![[-1.5], [0.0], [2.5]];
    let got = ddim(&p, &s, &xs).unwrap();
    let mut ab = vec![1.0f64];
    for t in 1..=1000 {
        ab.push(ab[t - 1] * (1.0 - s.beta(t).unwrap()));
    }
    let v = |t: usize| ab[t] * s2 + 1.0 - ab[t];
    let c: f64 = (1..=1000)
        .map(|t| {
            ((ab[t - 1] * ab[t]).sqrt() * s2 + ((1.0 - ab[t - 1]) * (1.0 - ab[t])).sqrt()) / v(t)
        })
        .product();
    for i in 0..3 {
        let d = xs[[i, 0]] - ab[1000].sqrt() * mu;
        let want = mu + c * d;
        assert!(
            (got[[i, 0]] - want).abs() < 1e-10,
            "{} vs {want}",
            got[[i, 0]]
        );
        let flow = mu + s2.sqrt() * d / v(1000).sqrt();
        assert!(
            (got[[i, 0]] - flow).abs() < 1e-2 * d.abs().max(1.0),
            "{} vs {flow}",
            got[[i, 0]]
        );
    }
}

// ---------------------------------------------------------------- 学習

fn train_net(
    data: &Array2<f64>,
    s: &Schedule,
    hidden: &[usize],
    stages: &[(usize, f64)],
    seed: u64,
) -> EpsilonNet {
    let mut net = EpsilonNet::new(
        data.ncols(),
        hidden,
        Activation::Relu,
        TimeEmbedding::new(s.steps(), 4).unwrap(),
        &mut seeded_rng(seed),
    )
    .unwrap();
    let mut adam = Adam::new(stages[0].1, 0.9, 0.999, 1e-8).unwrap();
    for (i, &(epochs, lr)) in stages.iter().enumerate() {
        adam.set_learning_rate(lr).unwrap();
        let t = Training {
            batch_size: 128,
            epochs,
            seed: seed + 10 * i as u64,
        };
        net.fit(data, s, &t, &mut adam, |_, _| {}).unwrap();
    }
    net
}

/// 許容: 学習したネットワークの一様な `t` の損失が下限を超える分（超過 `E‖ε̂ − ε*‖²`）は 0.01 以下。
/// 下限は 0.363（数値積分）で、初期のネットワークの超過は 1.3 ほど（学習がほとんど進まなければ落ちる）。
/// 測った超過は 0.0023 ± 0.0006（標準誤差）。
const EXCESS_ALLOWANCE: f64 = 0.01;

/// 短い予定（T = 100）の 1 次元の混合で学習し、(1) 検証の損失が下限（数値積分）に近い、(2) 同じ点の
/// `ε̂` と厳密な `ε*` の差 `E‖ε̂ − ε*‖²` が小さい、を確かめる。超過の推定は同じ `x_0`・`t`・`ε` で
/// 対にした差 `‖ε − ε̂‖² − ‖ε − ε*‖²` の平均（期待値はちょうど `E‖ε̂ − ε*‖²`）。
#[test]
fn eq_10_16_trained_network_reaches_the_loss_floor_on_a_1d_mixture() {
    let s = Schedule::linear(100, 1e-3, 0.1).unwrap();
    let m = GaussianMixture::new(
        array![0.4, 0.6],
        array![[-1.5], [1.0]],
        array![[0.1], [0.2]],
    )
    .unwrap();
    let (data, _) = m.sample(&mut seeded_rng(300), 8000).unwrap();
    let before = EpsilonNet::new(
        1,
        &[32, 32],
        Activation::Relu,
        TimeEmbedding::new(100, 4).unwrap(),
        &mut seeded_rng(301),
    )
    .unwrap();
    let net = train_net(
        &data,
        &s,
        &[32, 32],
        &[(30, 3e-3), (15, 1e-3), (10, 3e-4)],
        301,
    );
    let floor = mean_loss_floor_quadrature(&m, &s).unwrap();
    let exact = ExactEpsilon::new(m.clone(), s.clone()).unwrap();
    // 検証: 新しい 20000 点、t は一様
    let n = 20_000;
    let (x0, _) = m.sample(&mut seeded_rng(302), n).unwrap();
    let mut rng = seeded_rng(303);
    let t: Vec<usize> = (0..n)
        .map(|_| rand::Rng::random_range(&mut rng, 1..=100))
        .collect();
    let eps = Array2::from_shape_simple_fn((n, 1), || standard_normal(&mut rng));
    let excess = |net: &EpsilonNet| {
        let mut xt = x0.clone();
        let mut star = Array2::zeros((n, 1));
        for i in 0..n {
            let (a, v) = s.marginal(t[i]).unwrap();
            xt[[i, 0]] = a * x0[[i, 0]] + v.sqrt() * eps[[i, 0]];
            star[[i, 0]] = exact
                .epsilon(xt.slice(genmodel::ndarray::s![i..i + 1, ..]), t[i])
                .unwrap()[[0, 0]];
        }
        let pred = net.predict(&xt, &t).unwrap();
        let d: Vec<f64> = (0..n)
            .map(|i| (eps[[i, 0]] - pred[[i, 0]]).powi(2) - (eps[[i, 0]] - star[[i, 0]]).powi(2))
            .collect();
        let l: f64 = (0..n)
            .map(|i| (eps[[i, 0]] - pred[[i, 0]]).powi(2))
            .sum::<f64>()
            / n as f64;
        let mean = d.iter().sum::<f64>() / n as f64;
        let se = (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n * (n - 1)) as f64).sqrt();
        (l, mean, se)
    };
    let (l0, e0, _) = excess(&before);
    let (l, e, se) = excess(&net);
    eprintln!(
        "下限 {floor:.4}、学習前の損失 {l0:.4}（超過 {e0:.4}）、学習後 {l:.4}（超過 {e:.4} ± {se:.4}）"
    );
    assert!(e0 > 0.3, "{e0}");
    assert!(e < EXCESS_ALLOWANCE, "超過 {e} ± {se}");
    // 時刻ごとの ε̂ と ε* の差: E(ε̂ − ε*)² / E ε*² が t = 10, 50, 100 で 0.1 以下
    for t in [10, 50, 100] {
        let (xt, _) = m
            .noised(&s, t)
            .unwrap()
            .sample(&mut seeded_rng(304 + t as u64), 5000)
            .unwrap();
        let a = net.epsilon(xt.view(), t).unwrap();
        let b = exact.epsilon(xt.view(), t).unwrap();
        let rel = (&a - &b).mapv(|v| v * v).sum() / b.mapv(|v| v * v).sum();
        eprintln!("t = {t}: 相対 2 乗誤差 {rel:.4}");
        assert!(rel < 0.1, "t = {t}: {rel}");
    }
}

/// 許容: 学習したネットワークの標本の平均と分散の、厳密な漸化式からのずれのモデルの誤差の分（5 標準誤差に足す）。
/// 平均 0.05、分散は相対 10 %。測ったずれは平均 −0.027、分散 +0.038（相対 7.5 %、標準誤差は 0.007）で、
/// 学習したネットワークの誤差が標本の揺れより大きい（許容はこのモデルの誤差を覆う大きさに決めた）。
const GAUSSIAN_MEAN_ALLOWANCE: f64 = 0.05;
/// 分散の相対の許容。
const GAUSSIAN_VAR_ALLOWANCE: f64 = 0.1;

#[test]
fn eq_10_21_trained_network_on_gaussian_data_matches_gaussian_output() {
    let s = Schedule::linear(100, 1e-3, 0.1).unwrap();
    let (mu, s2) = (1.0, 0.5);
    let g = GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).unwrap();
    let (data, _) = g.sample(&mut seeded_rng(400), 8000).unwrap();
    let net = train_net(&data, &s, &[32, 32], &[(20, 3e-3), (10, 1e-3)], 401);
    let n = 10_000;
    let x = sample(&net, &s, Variance::Beta, n, &mut seeded_rng(402)).unwrap();
    let mean = x.sum() / n as f64;
    let var = x.mapv(|v| (v - mean).powi(2)).sum() / (n - 1) as f64;
    let (m0, v0) = gaussian_output(&s, mu, s2, Variance::Beta).unwrap();
    let (se_m, se_v) = ((v0 / n as f64).sqrt(), v0 * (2.0 / (n - 1) as f64).sqrt());
    eprintln!(
        "標本 ({mean:.4}, {var:.4})、厳密 ({m0:.4}, {v0:.4})、標準誤差 ({se_m:.4}, {se_v:.4})"
    );
    assert!(
        (mean - m0).abs() < 5.0 * se_m + GAUSSIAN_MEAN_ALLOWANCE,
        "{mean} vs {m0}"
    );
    assert!(
        (var - v0).abs() < 5.0 * se_v + GAUSSIAN_VAR_ALLOWANCE * v0,
        "{var} vs {v0}"
    );
}

/// `fit` がミニバッチの NaN で止まると、歩の番号を報告し、パラメータと Adam は同じシードで手で並べた
/// `train_step` の、その前の歩の後の状態と一致する。
#[test]
fn fit_stops_at_the_step_with_nan_and_keeps_the_previous_parameters() {
    use rand::seq::SliceRandom;
    let s = Schedule::linear(10, 0.01, 0.2).unwrap();
    let mut x = normal(20, 2, 500);
    x[[13, 1]] = f64::NAN;
    let t = Training {
        batch_size: 6,
        epochs: 3,
        seed: 9,
    };
    let mut net = small_net(2, 10, Activation::Relu, 7);
    let mut replay = net.clone();
    let mut adam = Adam::new(1e-2, 0.9, 0.999, 1e-8).unwrap();
    let mut adam_replay = adam.clone();
    let err = net.fit(&x, &s, &t, &mut adam, |_, _| {}).unwrap_err();
    // 手で並べる: 最初の回の並べ替えで行 13 を含むミニバッチの番号
    let mut rng = seeded_rng(9);
    let mut order: Vec<usize> = (0..20).collect();
    order.shuffle(&mut rng);
    let mut expected = None;
    for (k, chunk) in order.chunks(6).enumerate() {
        if chunk.contains(&13) {
            expected = Some(k);
            break;
        }
        let batch = x.select(genmodel::ndarray::Axis(0), chunk);
        replay
            .train_step(&mut adam_replay, &s, &batch, &mut rng)
            .unwrap();
    }
    match err {
        Error::TrainingStopped { step, cause } => {
            assert_eq!(Some(step), expected);
            assert!(matches!(*cause, Error::NonFinite { .. }));
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(net, replay);
    assert_eq!(adam, adam_replay);
}

#[test]
fn bad_inputs_are_typed_errors() {
    // 予定: β ∉ (0, 1)、T = 0
    for b in [0.0, 1.0, -0.1, f64::NAN] {
        assert!(matches!(
            Schedule::new(vec![0.1, b]),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert_eq!(Schedule::new(vec![]), Err(Error::EmptyInput));
    assert!(matches!(
        TimeEmbedding::new(0, 2),
        Err(Error::InvalidParameter { .. })
    ));
    let s = Schedule::linear(10, 0.01, 0.2).unwrap();
    let net = small_net(2, 10, Activation::Relu, 1);
    let x = normal(3, 2, 1);
    // t の範囲の外
    for t in [0, 11] {
        assert!(matches!(
            net.predict(&x, &[1, t, 1]),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            net.epsilon(x.view(), t),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            predicted_x0(&s, t, &x, &x),
            Err(Error::InvalidParameter { .. })
        ));
    }
    // 次元の違い
    assert!(matches!(
        net.predict(&normal(3, 3, 1), &[1, 1, 1]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        net.predict(&x, &[1, 1]),
        Err(Error::DimensionMismatch { .. })
    ));
    let other = Schedule::linear(11, 0.01, 0.2).unwrap();
    assert!(matches!(
        net.loss(&other, &x, &[1, 1, 1], &x),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut net2 = net.clone();
    let mut adam = Adam::default();
    let t = Training {
        batch_size: 2,
        epochs: 1,
        seed: 0,
    };
    assert!(matches!(
        net2.fit(&normal(4, 3, 1), &s, &t, &mut adam, |_, _| {}),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(net2, net);
    let exact = ExactEpsilon::new(
        GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]]).unwrap(),
        s.clone(),
    )
    .unwrap();
    assert!(matches!(
        sample_from(&exact, &s, Variance::Beta, &x, &mut seeded_rng(0)),
        Err(Error::DimensionMismatch { .. })
    ));
    // 予定の段の数が予測器より長い: 予測器が t の外を断る
    assert!(matches!(
        sample(&exact, &other, Variance::Beta, 2, &mut seeded_rng(0)),
        Err(Error::InvalidParameter { .. })
    ));
    // NaN
    let mut bad = x.clone();
    bad[[1, 0]] = f64::NAN;
    assert!(matches!(
        net.predict(&bad, &[1, 1, 1]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(ddim(&net, &s, &bad), Err(Error::NonFinite { .. })));
    assert!(matches!(
        net.loss_gradient(&s, &x, &[1, 1, 1], &bad),
        Err(Error::NonFinite { .. })
    ));
    // 1 次元でない数値積分、少なすぎる標本
    let m2 = GaussianMixture::new(array![1.0], array![[0.0, 0.0]], array![[1.0, 1.0]]).unwrap();
    assert!(matches!(
        loss_floor_quadrature(&m2, &s, 1),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        loss_floor(&m2, &s, 1, 1, &mut seeded_rng(0)),
        Err(Error::InvalidParameter { .. })
    ));
}
