//! §2.2（ガウス分布の KL 情報量と学習）の演習の答え。
//!
//! 期待値は手計算の閉じた形、全列挙、数値積分（台形則）で求め、クレートの
//! `Gaussian`（(2.10)・(2.11)・最尤推定）と比べる。

use genmodel::gaussian::univariate::{sample_variance, unbiased_variance};
use genmodel::gaussian::Gaussian;
use std::f64::consts::{E, PI};

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

/// (2.11) の右辺を定義どおりに: (1/(2σ²)) (1/n) Σ (x_i − μ)² + ½ ln σ²。
fn kl_211(data: &[f64], mu: f64, var: f64) -> f64 {
    let n = data.len() as f64;
    data.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / n / (2.0 * var) + 0.5 * var.ln()
}

#[test]
fn ex_2_2_1_mle_of_five_points() {
    let data = [1.0, 4.0, 4.0, 7.0, 9.0];
    // 手計算: 平均 25/5 = 5、偏差の 2 乗和 16 + 1 + 1 + 4 + 16 = 38
    let (mu, var, unbiased) = (5.0, 38.0 / 5.0, 38.0 / 4.0);
    let q = Gaussian::fit(&data).unwrap();
    assert!((q.mean() - mu).abs() < 1e-14);
    assert!((q.variance() - var).abs() < 1e-14);
    assert!((unbiased_variance(&data).unwrap() - unbiased).abs() < 1e-14);

    // 最小値 ½ + ½ ln 7.6 と、不偏分散での値 0.4 + ½ ln 9.5
    let d_min = 0.5 + 0.5 * var.ln();
    let d_unb = 0.4 + 0.5 * unbiased.ln();
    assert!((q.kl_up_to_const(&data).unwrap() - d_min).abs() < 1e-14);
    let other = Gaussian::new(mu, unbiased).unwrap();
    assert!((other.kl_up_to_const(&data).unwrap() - d_unb).abs() < 1e-14);
    assert!((kl_211(&data, mu, unbiased) - d_unb).abs() < 1e-14);
    // 本文に書いた丸めた値
    assert!(rounds_to(d_min, 4, 1.5141));
    assert!(rounds_to(d_unb, 4, 1.5256));
    assert!(rounds_to(d_unb - d_min, 4, 0.0116));

    // 格子探索: (2.11) の格子上の最小は (5, 7.6) の格子点で、値は d_min 以上
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for i in 0..=400 {
        let m = 3.0 + 0.01 * i as f64;
        for j in 1..=1000 {
            let v = 0.02 * j as f64;
            let d = kl_211(&data, m, v);
            if d < best.0 {
                best = (d, m, v);
            }
        }
    }
    assert!(best.0 >= d_min - 1e-12);
    assert!((best.1 - mu).abs() < 1e-9 && (best.2 - var).abs() < 1e-9);
}

#[test]
fn ex_2_2_2_mle_variance_bias_by_enumeration() {
    // 値 0, 1, 3 を確率 0.5, 0.3, 0.2 でとる分布: m = 0.9, E[x²] = 2.1, v = 1.29
    let values = [0.0, 1.0, 3.0];
    let probs = [0.5, 0.3, 0.2];
    let m: f64 = values.iter().zip(&probs).map(|(x, p)| x * p).sum();
    let v: f64 = values
        .iter()
        .zip(&probs)
        .map(|(x, p)| (x - m).powi(2) * p)
        .sum();
    assert!((v - 1.29).abs() < 1e-14);
    for n in 2..=6usize {
        // n 個の独立な標本の全 3^n 通りを、確率の重みつきで平均する
        let (mut e_mle, mut e_unb, mut total) = (0.0, 0.0, 0.0);
        for code in 0..3usize.pow(n as u32) {
            let mut c = code;
            let mut sample = Vec::with_capacity(n);
            let mut w = 1.0;
            for _ in 0..n {
                sample.push(values[c % 3]);
                w *= probs[c % 3];
                c /= 3;
            }
            e_mle += w * sample_variance(&sample).unwrap();
            e_unb += w * unbiased_variance(&sample).unwrap();
            total += w;
        }
        assert!((total - 1.0).abs() < 1e-12);
        let nf = n as f64;
        assert!(
            (e_mle - (nf - 1.0) / nf * v).abs() < 1e-12,
            "n = {n}: E[s²] = {e_mle}"
        );
        assert!(
            (e_unb - v).abs() < 1e-12,
            "n = {n}: 不偏分散の期待値 {e_unb}"
        );
    }
}

/// 幅 h でぼかした経験分布 p_h の密度。
fn p_h(data: &[f64], h: f64, x: f64) -> f64 {
    let n = data.len() as f64;
    data.iter()
        .map(|xi| (-(x - xi).powi(2) / (2.0 * h * h)).exp())
        .sum::<f64>()
        / (n * (2.0 * PI * h * h).sqrt())
}

/// ∫ p_h(x) f(x) dx を台形則で: 区間はデータの外へ 12h まで、刻みは h/40。
fn integrate_p_h(data: &[f64], h: f64, f: impl Fn(f64) -> f64) -> f64 {
    let lo = data.iter().cloned().fold(f64::INFINITY, f64::min) - 12.0 * h;
    let hi = data.iter().cloned().fold(f64::NEG_INFINITY, f64::max) + 12.0 * h;
    let step = h / 40.0;
    let k = ((hi - lo) / step).ceil() as usize;
    let step = (hi - lo) / k as f64;
    let mut s = 0.0;
    for i in 0..=k {
        let x = lo + step * i as f64;
        let w = if i == 0 || i == k { 0.5 } else { 1.0 };
        // データのあいだで p_h が 0 に丸められる点は寄与 0（0 · ln 0 を計算しない）
        let p = p_h(data, h, x);
        if p > 0.0 {
            s += w * p * f(x);
        }
    }
    s * step
}

#[test]
fn ex_2_2_3_smoothed_empirical_kl() {
    let data = [0.3, 1.1, 2.0, 3.4];
    let n = data.len() as f64;
    let xbar = data.iter().sum::<f64>() / n;
    let s2 = data.iter().map(|x| (x - xbar).powi(2)).sum::<f64>() / n;
    let mut previous = f64::NEG_INFINITY;
    for h in [0.5, 0.1, 0.02, 0.004] {
        // (1) ∫ p_h ln p_h ≥ −ln n − ½ ln(2πe h²)、h → 0 で増え続ける
        let neg_entropy = integrate_p_h(&data, h, |x| p_h(&data, h, x).ln());
        let bound = -n.ln() - 0.5 * (2.0 * PI * E * h * h).ln();
        assert!(
            neg_entropy >= bound - 1e-9,
            "h = {h}: {neg_entropy} < {bound}"
        );
        assert!(neg_entropy > previous);
        previous = neg_entropy;
        if h <= 0.02 {
            // 山どうしが h の 40 倍以上離れていれば、下界はほぼ等号
            assert!((neg_entropy - bound).abs() < 1e-6, "h = {h}");
        }

        // 本文の式: KL(p_h ‖ q_θ) = ∫ p_h ln p_h + ½ ln 2π + (2.11) + h²/(2σ²)
        let kl = |mu: f64, var: f64| {
            let q = Gaussian::new(mu, var).unwrap();
            integrate_p_h(&data, h, |x| {
                p_h(&data, h, x).ln() - q.ln_density(x).unwrap()
            })
        };
        for (mu, var) in [(0.0, 1.0), (1.7, 1.2), (2.5, 0.3)] {
            let q = Gaussian::new(mu, var).unwrap();
            let want = neg_entropy
                + 0.5 * (2.0 * PI).ln()
                + q.kl_up_to_const(&data).unwrap()
                + h * h / (2.0 * var);
            assert!(
                (kl(mu, var) - want).abs() < 1e-8,
                "h = {h}, θ = ({mu}, {var})"
            );
        }

        // (2) 最小点は (x̄, s² + h²): そこで中心差分の勾配が 0 で、近くの点より小さい
        if h >= 0.02 {
            let (m0, v0) = (xbar, s2 + h * h);
            let d = 1e-4;
            let g_mu = (kl(m0 + d, v0) - kl(m0 - d, v0)) / (2.0 * d);
            let g_var = (kl(m0, v0 + d) - kl(m0, v0 - d)) / (2.0 * d);
            assert!(
                g_mu.abs() < 1e-6 && g_var.abs() < 1e-6,
                "h = {h}: ({g_mu}, {g_var})"
            );
            let k0 = kl(m0, v0);
            for (dm, dv) in [(0.05, 0.0), (-0.05, 0.0), (0.0, 0.05), (0.0, -0.05)] {
                assert!(kl(m0 + dm, v0 + dv) > k0);
            }
        }
    }
    // データがすべて同じでも h > 0 なら最小点 (x̄, h²) がある: σ² を h² の前後に動かすと増える
    let same = [1.5, 1.5, 1.5];
    let h = 0.1;
    let kl_same = |var: f64| {
        let q = Gaussian::new(1.5, var).unwrap();
        integrate_p_h(&same, h, |x| {
            p_h(&same, h, x).ln() - q.ln_density(x).unwrap()
        })
    };
    assert!(kl_same(h * h) < kl_same(h * h * 0.9) && kl_same(h * h) < kl_same(h * h * 1.1));
}
