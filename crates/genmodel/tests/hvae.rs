//! 第 9 章の式の実装テスト。期待値は、同時分布をクレートの `Mvn` で組んだガウス分布の条件づけ、
//! 数値積分、モンテカルロ法（標準誤差の 5 倍以内）など、実装と独立な方法で求める。

use genmodel::gaussian::Mvn;
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::hvae::estimate::{Form, estimate, exact_moments, single_sample};
use genmodel::hvae::{Decoder, Encoder, elbo_bound, expected_elbo, gaussian_entropy};
use genmodel::ndarray::{Array1, Array2, array};

fn model() -> Decoder {
    Decoder::new(&[0.8, -0.6, 1.1], &[0.2, 0.1, -0.3], &[0.3, 0.5, 0.4]).unwrap()
}

fn encoder() -> Encoder {
    Encoder::new(&[0.5, -0.4, 0.6], &[0.1, 0.0, -0.2], &[0.3, 0.25, 0.35]).unwrap()
}

/// モデルの (x, z_1, z_2, z_3) の同時分布を、z = 下三角の線形写像 × 標準正規の雑音 から組む。
fn model_joint(dec: &Decoder) -> (Array1<f64>, Array2<f64>) {
    // 変数の順: z_3, z_2, z_1, x（上から下る）。各変数 = w · 上の変数 + b + √s ε
    let t = dec.depth();
    let n = t + 1;
    let mut l = Array2::<f64>::zeros((n, n));
    let mut m = Array1::<f64>::zeros(n);
    l[[0, 0]] = 1.0;
    for k in 1..n {
        let (w, b, s) = dec.step(t + 1 - k).unwrap();
        for j in 0..n {
            l[[k, j]] = w * l[[k - 1, j]];
        }
        l[[k, k]] = s.sqrt();
        m[k] = w * m[k - 1] + b;
    }
    (m, l.dot(&l.t()))
}

#[test]
fn eq_9_1_joint_is_gaussian_of_the_chain() {
    let dec = model();
    let (m, c) = model_joint(&dec);
    let mvn = Mvn::new(m, c).unwrap();
    let (x, z) = (0.4, [0.3, -0.7, 0.9]);
    let want = mvn.density(&array![z[2], z[1], z[0], x]).unwrap().ln();
    assert!((dec.log_joint(x, &z).unwrap() - want).abs() < 1e-12);
}

#[test]
fn eq_9_2_encoder_density_matches_mc_moments() {
    let enc = encoder();
    // 密度の積分が 1: 各段の正規分布の積を格子で積分する代わりに、平均と分散を標本で確かめる
    let mut rng = seeded_rng(3);
    let n = 20000;
    let mut s1 = 0.0;
    for _ in 0..n {
        let e: Vec<f64> = (0..3)
            .map(|_| genmodel::vae::evaluate::standard_normal(&mut rng))
            .collect();
        let mut prev = 0.7;
        for t in 1..=3 {
            let (a, c, v) = enc.step(t).unwrap();
            prev = a * prev + c + v.sqrt() * e[t - 1];
        }
        s1 += prev;
    }
    let (m3, p3) = enc.marginal_given_x0(3, 0.7).unwrap();
    assert!((s1 / n as f64 - m3).abs() < 5.0 * (p3 / n as f64).sqrt());
    // 1 段の密度は正規分布
    let want = -0.5 * (2.0 * std::f64::consts::PI * 0.3f64).ln()
        - (0.2 - 0.5 * 0.7 - 0.1f64).powi(2) / 0.6;
    let one = Encoder::new(&[0.5], &[0.1], &[0.3]).unwrap();
    assert!((one.log_density(0.7, &[0.2]).unwrap() - want).abs() < 1e-12);
}

#[test]
fn eq_9_3_log_marginal_matches_joint_covariance() {
    let dec = model();
    let (m, c) = model_joint(&dec);
    let n = m.len() - 1;
    let x = 0.7;
    let want = -0.5 * (2.0 * std::f64::consts::PI * c[[n, n]]).ln()
        - (x - m[n]).powi(2) / (2.0 * c[[n, n]]);
    assert!((dec.log_marginal(x).unwrap() - want).abs() < 1e-12);
    // ELBO ≤ ln q_θ(x)
    assert!(dec.elbo(&encoder(), x).unwrap() < want);
}

#[test]
fn eq_9_4_gap_is_kl_to_posterior_by_monte_carlo() {
    let dec = model();
    let enc = encoder();
    let x = 0.7;
    let gap = dec.log_marginal(x).unwrap() - dec.elbo(&enc, x).unwrap();
    // KL(r ‖ q(z|x)) = E_r[ln r(z|x) − ln q(x, z) + ln q(x)] を標本で
    let e = estimate(&dec, &enc, x, Form::Chain, 200_000, &mut seeded_rng(4)).unwrap();
    let kl = dec.log_marginal(x).unwrap() - e.mean;
    assert!((kl - gap).abs() < 5.0 * e.standard_error, "{kl} {gap}");
    assert!(gap > 0.0);
}

#[test]
fn eq_9_5_posterior_matches_gaussian_conditioning() {
    let dec = model();
    let (m, c) = model_joint(&dec);
    // 順 z_3, z_2, z_1, x。q(z_1 | x) の係数 = Cov(z_1, x)/Var(x)
    let gain = c[[2, 3]] / c[[3, 3]];
    let var = c[[2, 2]] - c[[2, 3]] * c[[2, 3]] / c[[3, 3]];
    let post = dec.posterior().unwrap();
    let (a, cc, v) = post.step(1).unwrap();
    assert!((a - gain).abs() < 1e-12 && (v - var).abs() < 1e-12);
    assert!((cc - (m[2] - gain * m[3])).abs() < 1e-12);
    // ELBO = ln q_θ(x) で、1 標本の値の分散は 0
    assert!((dec.elbo(&post, 0.7).unwrap() - dec.log_marginal(0.7).unwrap()).abs() < 1e-12);
}

#[test]
fn eq_9_6_closed_form_matches_monte_carlo() {
    let dec = model();
    let enc = encoder();
    let e = estimate(&dec, &enc, 0.7, Form::Chain, 100_000, &mut seeded_rng(6)).unwrap();
    let elbo = dec.elbo(&enc, 0.7).unwrap();
    assert!((e.mean - elbo).abs() < 5.0 * e.standard_error);
    let (m, v) = exact_moments(&dec, &enc, 0.7, Form::Chain).unwrap();
    assert!((m - elbo).abs() < 1e-10);
    assert!((e.variance - v).abs() < 5.0 * e.variance_error);
}

#[test]
fn eq_9_7_bayes_rule_with_markov_property() {
    let enc = Encoder::fixed(&[0.8, 0.6, 0.9], &[0.36, 0.64, 0.2]).unwrap();
    let (x0, x1, x2) = (1.0, 0.3, -0.4);
    let ln = |x: f64, (m, v): (f64, f64)| {
        -0.5 * (2.0 * std::f64::consts::PI * v).ln() - (x - m).powi(2) / (2.0 * v)
    };
    let lhs = ln(x2, (0.6 * x1, 0.64));
    let rhs = ln(x1, enc.reverse_given_x0(2, x2, x0).unwrap())
        + ln(x2, enc.marginal_given_x0(2, x0).unwrap())
        - ln(x1, enc.marginal_given_x0(1, x0).unwrap());
    assert!((lhs - rhs).abs() < 1e-12);
}

#[test]
fn eq_9_8_fixed_encoder_form_has_the_same_mean() {
    let dec = model();
    let enc = Encoder::fixed(&[0.9, 0.7, 0.8], &[0.2, 0.4, 0.3]).unwrap();
    let (m, _) = exact_moments(&dec, &enc, 0.7, Form::FixedEncoder).unwrap();
    assert!((m - dec.elbo(&enc, 0.7).unwrap()).abs() < 1e-10);
    let e = estimate(
        &dec,
        &enc,
        0.7,
        Form::FixedEncoder,
        50_000,
        &mut seeded_rng(8),
    )
    .unwrap();
    assert!((e.mean - m).abs() < 5.0 * e.standard_error);
    // 事後分布でなければ 1 標本の値は 2 つの形で違う
    let z = [0.1, 0.2, 0.3];
    assert!(
        (single_sample(&dec, &enc, 0.7, &z, Form::Chain).unwrap()
            - single_sample(&dec, &enc, 0.7, &z, Form::FixedEncoder).unwrap())
        .abs()
            > 1e-3
    );
}

#[test]
fn eq_9_9_marginal_given_x0_matches_product_formula() {
    let enc = Encoder::fixed(&[0.8, 0.6, 0.9], &[0.36, 0.64, 0.2]).unwrap();
    let (m, p) = enc.marginal_given_x0(3, 2.0).unwrap();
    let abar = 0.8 * 0.6 * 0.9;
    // 分散 = Σ_s v_s ∏_{k>s} a_k²
    let vbar = 0.36 * (0.6f64 * 0.9).powi(2) + 0.64 * 0.81 + 0.2;
    assert!((m - abar * 2.0).abs() < 1e-12 && (p - vbar).abs() < 1e-12);
}

#[test]
fn eq_9_10_reverse_matches_mvn_conditioning() {
    let enc = Encoder::fixed(&[0.8, 0.6, 0.9], &[0.36, 0.64, 0.2]).unwrap();
    let (x0, x3) = (1.0, 0.4);
    let (m2, p2) = enc.marginal_given_x0(2, x0).unwrap();
    let (m3, p3) = enc.marginal_given_x0(3, x0).unwrap();
    let cov = 0.9 * p2;
    let mvn = Mvn::new(array![m2, m3], array![[p2, cov], [cov, p3]]).unwrap();
    let (mean, var) = enc.reverse_given_x0(3, x3, x0).unwrap();
    // 条件つき密度 = 同時密度 / 周辺密度 を 2 点で比べる
    for y in [0.1, 0.9] {
        let joint = mvn.density(&array![y, x3]).unwrap().ln();
        let marg = -0.5 * (2.0 * std::f64::consts::PI * p3).ln() - (x3 - m3).powi(2) / (2.0 * p3);
        let cond =
            -0.5 * (2.0 * std::f64::consts::PI * var).ln() - (y - mean).powi(2) / (2.0 * var);
        assert!((joint - marg - cond).abs() < 1e-12);
    }
}

#[test]
fn eq_9_11_expected_elbo_by_quadrature() {
    let enc = Encoder::fixed(&[0.9, 0.8], &[0.19, 0.36]).unwrap();
    let dec = model_two();
    // p = N(1, 0.25) の上の台形則（細かい格子）
    let (mu, var) = (1.0, 0.25);
    let h = 0.001;
    let mut acc = 0.0;
    let mut k = -6000i32;
    while k <= 6000 {
        let x = mu + k as f64 * h;
        let w = (-(x - mu).powi(2) / (2.0 * var)).exp() / (2.0 * std::f64::consts::PI * var).sqrt();
        acc += h * w * dec.elbo(&enc, x).unwrap();
        k += 1;
    }
    assert!((expected_elbo(&dec, &enc, mu, var).unwrap() - acc).abs() < 1e-8);
    assert!(acc < elbo_bound(&enc, mu, var).unwrap());
}

fn model_two() -> Decoder {
    Decoder::new(&[0.5, 0.7], &[0.1, 0.0], &[0.4, 0.3]).unwrap()
}

#[test]
fn eq_9_12_optimal_decoder_attains_bound() {
    let enc = Encoder::fixed(&[0.9, 0.8, 0.7], &[0.19, 0.36, 0.5]).unwrap();
    let (mu, var) = (0.5, 0.6);
    let best = Decoder::optimal_for_gaussian(&enc, mu, var).unwrap();
    // 上限 = −H(p) − KL(r(x_T) ‖ N(0,1))、r(x_T) は Σ で直接
    let (m3, q3) = (
        0.9 * 0.8 * 0.7 * mu,
        0.5 + 0.49 * (0.36 + 0.64 * (0.19 + 0.81 * var)),
    );
    let kl = 0.5 * (q3 + m3 * m3 - 1.0 - q3.ln());
    let bound = -gaussian_entropy(var).unwrap() - kl;
    assert!((expected_elbo(&best, &enc, mu, var).unwrap() - bound).abs() < 1e-12);
    let worse = Decoder::new(&[0.9, 0.8, 0.7], &[0.0; 3], &[0.3; 3]).unwrap();
    assert!(expected_elbo(&worse, &enc, mu, var).unwrap() < bound - 1e-3);
}
