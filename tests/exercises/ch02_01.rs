//! §2.1（KL 情報量）の演習の答えと、本文の例の数値。
//!
//! 本文の例: 符号長の例（p = (1/2, 1/4, 1/8, 1/8) を 2 ビットの固定長で送ると 0.25 ビット余分）と、
//! 図 2.3 の 2 つの向きの当てはめ（順方向はモーメント一致、逆方向は 1 つの山を選ぶ）。
//! 期待値は閉じた形・台形則の数値積分・格子探索で、クレートや図のコードとは別に求める。

use genmodel::distribution::Categorical;
use genmodel::divergence::{kl_divergence, kl_gaussian_1d};
use genmodel::ndarray::Array1;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::{LN_2, PI};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn cat(p: &[f64]) -> Categorical {
    Categorical::new(Array1::from(p.to_vec())).unwrap()
}

/// 離散分布の KL 情報量を定義 (2.3) どおりに足す（p > 0 の項だけ）。
fn kl_sum(p: &[f64], q: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .filter(|(pi, _)| **pi > 0.0)
        .map(|(pi, qi)| pi * (pi / qi).ln())
        .sum()
}

/// ランダムな正の確率ベクトル（状態数 k）。
fn random_distribution(rng: &mut ChaCha8Rng, k: usize) -> Vec<f64> {
    let w: Vec<f64> = (0..k).map(|_| rng.random::<f64>() + 0.01).collect();
    let s: f64 = w.iter().sum();
    w.iter().map(|x| x / s).collect()
}

fn ln_normal(x: f64, mean: f64, var: f64) -> f64 {
    -(x - mean).powi(2) / (2.0 * var) - 0.5 * (2.0 * PI * var).ln()
}

/// 台形則 ∫_lo^hi f(x) dx（n 区間）。
fn trapezoid(f: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> f64 {
    let h = (hi - lo) / n as f64;
    let inner: f64 = (1..n).map(|i| f(lo + h * i as f64)).sum();
    h * (0.5 * (f(lo) + f(hi)) + inner)
}

/// 2 つの山の混合 p = ½ N(−a, s²) + ½ N(a, s²) の ln p（対数のまま足して裾でも有限）。
fn ln_mixture(x: f64, a: f64, s: f64) -> f64 {
    let (l1, l2) = (ln_normal(x, -a, s * s), ln_normal(x, a, s * s));
    let m = l1.max(l2);
    m + (0.5 * ((l1 - m).exp() + (l2 - m).exp())).ln()
}

/// 順方向 D(p ‖ N(μ, σ²)) を台形則で（p の質量のある ±(a + 12 s) で積分）。
fn forward_kl(a: f64, s: f64, mean: f64, var: f64) -> f64 {
    let r = a + 12.0 * s;
    trapezoid(
        |x| {
            let lp = ln_mixture(x, a, s);
            lp.exp() * (lp - ln_normal(x, mean, var))
        },
        -r,
        r,
        6000,
    )
}

/// 逆方向 D(N(μ, σ²) ‖ p) を台形則で（q の質量のある μ ± 10σ で積分）。
fn reverse_kl(a: f64, s: f64, mean: f64, var: f64, n: usize) -> f64 {
    let sd = var.sqrt();
    trapezoid(
        |x| {
            let lq = ln_normal(x, mean, var);
            lq.exp() * (lq - ln_mixture(x, a, s))
        },
        mean - 10.0 * sd,
        mean + 10.0 * sd,
        n,
    )
}

/// 逆方向の最小点を、粗い格子探索（μ ∈ [−3, 3]、ln σ² ∈ [ln 0.05, ln 8]）と、
/// 刻みを半分ずつにする局所探索で求める。返り値は (μ, σ², D)。
fn reverse_optimum(a: f64, s: f64) -> (f64, f64, f64) {
    let (lv_lo, lv_hi) = (0.05f64.ln(), 8.0f64.ln());
    let mut best = (0.0, 0.0, f64::INFINITY);
    for i in 0..=120 {
        let mean = -3.0 + 0.05 * i as f64;
        for j in 0..=60 {
            let lv = lv_lo + (lv_hi - lv_lo) * j as f64 / 60.0;
            let d = reverse_kl(a, s, mean, lv.exp(), 400);
            if d < best.2 {
                best = (mean, lv, d);
            }
        }
    }
    let (mut mean, mut lv) = (best.0, best.1);
    let f = |m: f64, l: f64| reverse_kl(a, s, m, l.exp(), 4000);
    let mut fx = f(mean, lv);
    let mut step = 0.05;
    while step > 1e-7 {
        let mut moved = false;
        for (dm, dl) in [(step, 0.0), (-step, 0.0), (0.0, step), (0.0, -step)] {
            let fy = f(mean + dm, lv + dl);
            if fy < fx {
                (mean, lv, fx) = (mean + dm, lv + dl, fy);
                moved = true;
            }
        }
        if !moved {
            step /= 2.0;
        }
    }
    (mean, lv.exp(), fx)
}

#[test]
fn ex_2_1_1_kl_of_biased_coin() {
    let (p, q) = ([0.75, 0.25], [0.5, 0.5]);
    // 答え: D(p‖q) = (3/4) ln 3 − ln 2 ≈ 0.1308、D(q‖p) = ln 2 − (1/2) ln 3 ≈ 0.1438
    let pq = 0.75 * 3f64.ln() - LN_2;
    let qp = LN_2 - 0.5 * 3f64.ln();
    assert!(close(pq, kl_sum(&p, &q), 1e-15));
    assert!(close(qp, kl_sum(&q, &p), 1e-15));
    assert!(close(pq, 0.1308, 5e-5) && close(qp, 0.1438, 5e-5));
    assert!(close(kl_divergence(&cat(&p), &cat(&q)).unwrap(), pq, 1e-14));
    assert!(close(kl_divergence(&cat(&q), &cat(&p)).unwrap(), qp, 1e-14));
}

#[test]
fn ex_2_1_2_extra_code_length() {
    let p: [f64; 4] = [0.5, 0.25, 0.125, 0.125];
    let entropy_bits = |r: &[f64]| -> f64 { r.iter().map(|x| -x * x.log2()).sum() };
    let mean_len = |lens: &[f64]| -> f64 { p.iter().zip(lens).map(|(a, b)| a * b).sum() };
    // 語頭符号 0, 10, 110, 111 の長さは −log2 p そのもの（Kraft の和がちょうど 1）
    let opt = [1.0, 2.0, 3.0, 3.0];
    assert!(p.iter().zip(&opt).all(|(pi, l)| close(-pi.log2(), *l, 0.0)));
    assert!(close(
        opt.iter().map(|l| 0.5f64.powf(*l)).sum::<f64>(),
        1.0,
        0.0
    ));
    assert!(close(mean_len(&opt), 1.75, 1e-15) && close(entropy_bits(&p), 1.75, 1e-15));

    // 本文の例: 一様分布向けの 2 ビット固定長符号。余分は 0.25 ビット = D(p‖一様) / ln 2
    let uniform = [0.25; 4];
    let fixed = [2.0; 4];
    let extra = mean_len(&fixed) - entropy_bits(&p);
    assert!(close(extra, 0.25, 1e-15));
    let d = kl_divergence(&cat(&p), &cat(&uniform)).unwrap();
    assert!(close(d / LN_2, extra, 1e-14));
    assert!(close(d, 0.1733, 5e-5));

    // 演習: q = (1/8, 1/8, 1/4, 1/2) 向けの符号（長さ 3, 3, 2, 1）。平均 2.625 ビット、余分 0.875 ビット
    let q: [f64; 4] = [0.125, 0.125, 0.25, 0.5];
    let lens_q: Vec<f64> = q.iter().map(|x| -x.log2()).collect();
    assert_eq!(lens_q, vec![3.0, 3.0, 2.0, 1.0]);
    let cross = mean_len(&lens_q);
    assert!(close(cross, 2.625, 1e-15));
    assert!(close(cross - entropy_bits(&p), 0.875, 1e-15));
    let d = kl_divergence(&cat(&p), &cat(&q)).unwrap();
    assert!(close(d, 0.875 * LN_2, 1e-14) && close(d, 0.6065, 5e-5));
    // 交差エントロピー = エントロピー + KL 情報量（自然対数で）
    let h = |r: &[f64]| -> f64 { r.iter().map(|x| -x * x.ln()).sum() };
    let h_pq: f64 = p.iter().zip(&q).map(|(a, b)| -a * b.ln()).sum();
    assert!(close(h_pq, h(&p) + d, 1e-14));
}

#[test]
fn ex_2_1_3_gaussian_kl_both_ways() {
    // 答え: D(N(0,1)‖N(1,2)) = (1/2) ln 2 ≈ 0.3466、D(N(1,2)‖N(0,1)) = 1 − (1/2) ln 2 ≈ 0.6534
    let (f, r) = (0.5 * LN_2, 1.0 - 0.5 * LN_2);
    assert!(close(f, 0.3466, 5e-5) && close(r, 0.6534, 5e-5));
    assert!(close(kl_gaussian_1d(0.0, 1.0, 1.0, 2.0).unwrap(), f, 1e-15));
    assert!(close(kl_gaussian_1d(1.0, 2.0, 0.0, 1.0).unwrap(), r, 1e-15));
    // 定義の積分（台形則）とも一致する
    let kl_quad = |m1: f64, v1: f64, m2: f64, v2: f64| {
        trapezoid(
            |x| ln_normal(x, m1, v1).exp() * (ln_normal(x, m1, v1) - ln_normal(x, m2, v2)),
            m1 - 15.0 * v1.sqrt(),
            m1 + 15.0 * v1.sqrt(),
            20_000,
        )
    };
    assert!(close(kl_quad(0.0, 1.0, 1.0, 2.0), f, 1e-9));
    assert!(close(kl_quad(1.0, 2.0, 0.0, 1.0), r, 1e-9));
}

#[test]
fn ex_2_1_4_chi_square_upper_bound() {
    // (a) x を 1/x に置き換えると ln x ≥ 1 − 1/x（等号は x = 1）
    for i in 1..=100_000 {
        let x = i as f64 * 1e-4;
        assert!(x.ln() >= 1.0 - 1.0 / x - 1e-15, "x = {x}");
    }
    assert_eq!(1f64.ln(), 1.0 - 1.0 / 1.0);
    // (b) D(p‖q) ≤ Σ p²/q − 1。p = q なら両辺 0
    let mut rng = ChaCha8Rng::seed_from_u64(2101);
    for _ in 0..512 {
        let k = rng.random_range(2..8);
        let (p, q) = (
            random_distribution(&mut rng, k),
            random_distribution(&mut rng, k),
        );
        let chi2: f64 = p.iter().zip(&q).map(|(a, b)| a * a / b).sum::<f64>() - 1.0;
        let d = kl_divergence(&cat(&p), &cat(&q)).unwrap();
        assert!(d <= chi2 + 1e-12, "D = {d}, χ² = {chi2}");
        assert!(close(d, kl_sum(&p, &q), 1e-12));
    }
    let p = [0.2, 0.3, 0.5];
    let chi2: f64 = p.iter().map(|a| a * a / a).sum::<f64>() - 1.0;
    assert!(close(chi2, 0.0, 1e-15));
    assert_eq!(kl_divergence(&cat(&p), &cat(&p)).unwrap(), 0.0);
    // 例: p = (3/4, 1/4)、q = (1/2, 1/2) では χ² = 1/4 > D ≈ 0.1308
    let chi2 = 0.75f64.powi(2) / 0.5 + 0.25f64.powi(2) / 0.5 - 1.0;
    assert!(close(chi2, 0.25, 1e-15));
}

#[test]
fn ex_2_1_5_forward_kl_is_moment_matching() {
    let (a, s) = (2.0, 0.5);
    // 答え: μ = E_p[x] = 0、σ² = Var_p[x] = a² + s² = 4.25。p のモーメントを数値積分で確かめる
    let r = a + 12.0 * s;
    let moment = |k: i32| trapezoid(|x| ln_mixture(x, a, s).exp() * x.powi(k), -r, r, 6000);
    assert!(close(moment(0), 1.0, 1e-12));
    assert!(close(moment(1), 0.0, 1e-12));
    assert!(close(moment(2), a * a + s * s, 1e-10));
    let (mu, var) = (0.0, a * a + s * s);
    assert_eq!(var, 4.25);
    // 数値積分した D(p‖q) は (0, 4.25) で停留し、周りのどの点よりも小さい
    let f0 = forward_kl(a, s, mu, var);
    let (hm, hv) = (1e-4, 1e-4);
    let g_mu = (forward_kl(a, s, mu + hm, var) - forward_kl(a, s, mu - hm, var)) / (2.0 * hm);
    let g_var = (forward_kl(a, s, mu, var + hv) - forward_kl(a, s, mu, var - hv)) / (2.0 * hv);
    assert!(g_mu.abs() < 1e-8 && g_var.abs() < 1e-8, "{g_mu} {g_var}");
    for (dm, dv) in [
        (0.05, 0.0),
        (-0.05, 0.0),
        (0.0, 0.1),
        (0.0, -0.1),
        (0.05, 0.1),
    ] {
        assert!(forward_kl(a, s, mu + dm, var + dv) > f0);
    }
    // 本文の表: D(p‖q_F) ≈ 0.724（山が離れているので ≈ (1/2) ln 17 − ln 2）
    assert!(close(f0, 0.724, 5e-4));
    assert!(close(f0, 0.5 * 17f64.ln() - LN_2, 1e-3));
    // 図 2.3 のコードが描く順方向の最適点
    let fits = xtask::figures::kl_direction::fits();
    assert_eq!((fits.forward.mean, fits.forward.var), (mu, var));
    assert_eq!(
        (
            xtask::figures::kl_direction::PEAK,
            xtask::figures::kl_direction::PEAK_SD
        ),
        (a, s)
    );
}

#[test]
fn ex_2_1_6_reverse_kl_seeks_one_mode() {
    let (a, s) = (2.0, 0.5);
    let (mean, var, d) = reverse_optimum(a, s);
    // 答え（本文・図 2.3）: μ ≈ ±2.00、σ² ≈ 0.250、D(q_R‖p) ≈ 0.693 ≈ ln 2
    assert!(close(mean.abs(), 2.00, 5e-3), "μ = {mean}");
    assert!(close(var, 0.250, 5e-4), "σ² = {var}");
    assert!(close(d, 0.693, 5e-4) && close(d, LN_2, 1e-3), "D = {d}");
    // 鏡像 −μ も同じ値（2 つの最小点）
    assert!(close(reverse_kl(a, s, -mean, var, 4000), d, 1e-12));
    // 本文の表: 順方向の q_F を逆方向で測ると ≈ 2.10、逆方向の q_R を順方向で測ると ≈ 15.3
    assert!(close(reverse_kl(a, s, 0.0, 4.25, 4000), 2.10, 5e-3));
    assert!(close(forward_kl(a, s, mean.abs(), var), 15.3, 0.05));
    // μ = 0 に留めた最良の q（σ² ≈ 3.0）は D ≈ 1.87 で、1 つの山を選ぶより悪い
    let (var_zero, at_zero) = (1..=600)
        .map(|j| {
            (
                0.01 * j as f64,
                reverse_kl(a, s, 0.0, 0.01 * j as f64, 1000),
            )
        })
        .fold((0.0, f64::INFINITY), |b, c| if c.1 < b.1 { c } else { b });
    assert!(close(at_zero, 1.87, 5e-3), "{at_zero}");
    assert!(close(var_zero, 3.0, 0.05), "{var_zero}");
    // 図 2.3 のコード（Simpson 則と黄金分割探索）の最適点は、この格子探索と一致する
    let fits = xtask::figures::kl_direction::fits();
    assert!(
        close(fits.reverse.mean, mean.abs(), 1e-4),
        "{:?}",
        fits.reverse
    );
    assert!(close(fits.reverse.var, var, 1e-4), "{:?}", fits.reverse);
}

#[test]
fn ex_2_1_6_overlapping_peaks_give_one_broad_reverse_fit() {
    // 山が重なる s = 1 では、逆方向の最小も μ = 0 の広いガウス分布（σ² ≈ 4.19 < 順方向の 5）
    let (a, s) = (2.0, 1.0);
    let (mean, var, _) = reverse_optimum(a, s);
    assert!(close(mean, 0.0, 1e-4), "μ = {mean}");
    assert!(close(var, 4.19, 5e-3), "σ² = {var}");
    assert!(var < a * a + s * s);
}
