//! 第 8 章（変分オートエンコーダ）の演習の答え。
//!
//! 期待値は答えの手計算（ガウス分布の KL、固有値からの (8.9)、1 層の tanh の微分）で求め、クレートの
//! `vae`・`nn`・`divergence` に照らす。

use genmodel::divergence::kl_gaussian_1d;
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{array, Array2};
use genmodel::nn::{Activation, Dense, Mlp};
use genmodel::vae::{LinearVae, Ppca};

fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_8_1_kl_term() {
    let kl = kl_gaussian_1d(1.0, 0.5, 0.0, 1.0).unwrap();
    let by_hand = 0.5 * (0.5 + 2f64.ln());
    assert!((kl - by_hand).abs() < 1e-15);
    assert!(rounds_to(kl, 6, 0.596574));
}

/// 固有値 (4, 2, 1, 1) の分散共分散行列をもつデータ（直交する 4 方向に ±√(4λ) を置いた 8 点: 平均 0、
/// 方向 i の分散は λ_i）を作り、確率的主成分分析の σ₀² と (WᵀW)₁₁ を答えと比べる。
#[test]
fn ex_8_2_ppca_from_eigenvalues() {
    let lam = [4.0f64, 2.0, 1.0, 1.0];
    let mut x = Array2::zeros((8, 4));
    for (i, l) in lam.iter().enumerate() {
        // 8 点のうち 2 点だけが方向 i にあり、分散は 2 (4 l) / 8 = l
        x[[2 * i, i]] = (4.0 * l).sqrt();
        x[[2 * i + 1, i]] = -(4.0 * l).sqrt();
    }
    for (latent, sigma2, w11) in [(1, 4.0 / 3.0, 8.0 / 3.0), (2, 1.0, 3.0)] {
        let p = Ppca::fit(&x, latent).unwrap();
        assert!((p.noise_variance() - sigma2).abs() < 1e-12, "d = {latent}");
        let w = p.weights();
        let wtw = w.t().dot(w);
        assert!((wtw[[0, 0]] - w11).abs() < 1e-12, "d = {latent}");
        if latent == 2 {
            assert!((wtw[[1, 1]] - 1.0).abs() < 1e-12);
        }
    }
}

/// (8.3) の数値の例: 線形ガウスの VAE で、ln q − ELBO が厳密な事後分布との KL（ここでは ELBO が最大の点との差）に等しい。
/// 最尤点では差 0、推論のパラメータをずらすと差は正。
#[test]
fn ex_8_3_gap_is_nonnegative_and_zero_at_the_posterior() {
    let x = array![
        [2.0, 0.1, 0.3],
        [-1.0, 0.2, -0.3],
        [0.5, -0.4, 0.1],
        [-1.5, 0.1, -0.1]
    ];
    let p = Ppca::fit(&x, 1).unwrap();
    let ll = p.mean_log_likelihood(&x).unwrap();
    let mut m = LinearVae::from_ppca(&p).unwrap();
    assert!((m.elbo(&x).unwrap() - ll).abs() < 1e-12);
    m.log_s2[0] += 0.5;
    let gap = ll - m.elbo(&x).unwrap();
    // 分散だけをずらすと、KL の差は ½ (e^{0.5} − 1 − 0.5) （1 次元のガウス分布の KL (2.3a)）
    let want = kl_gaussian_1d(0.0, 0.5f64.exp(), 0.0, 1.0).unwrap();
    assert!((gap - want).abs() < 1e-12, "{gap} vs {want}");
}

#[test]
fn ex_8_4_one_layer_backprop() {
    let net = Mlp::from_layers(
        vec![Dense::new(&array![[0.5]], &array![0.1]).unwrap()],
        Activation::Tanh,
        Activation::Tanh,
    )
    .unwrap();
    let fwd = net.forward(&array![[2.0]]).unwrap();
    let (g, gx) = net.backward(&fwd, &array![[1.0]]).unwrap();
    let delta = 1.0 - 1.1f64.tanh().powi(2);
    assert!(rounds_to(delta, 6, 0.359201));
    assert!(rounds_to(g.layers()[0].weights()[[0, 0]], 6, 0.718403));
    assert!(rounds_to(g.layers()[0].bias()[0], 6, 0.359201));
    assert!(rounds_to(gx[[0, 0]], 6, 0.179601));
}

/// 確率的主成分分析の最尤点の VAE では、(8.20) の推定が S によらず対数尤度に等しく、揺れは丸めの程度。
#[test]
fn ex_8_5_importance_sampling_with_the_exact_posterior() {
    use genmodel::vae::Vae;
    let x = array![
        [2.0, 0.1, 0.3],
        [-1.0, 0.2, -0.3],
        [0.5, -0.4, 0.1],
        [-1.5, 0.1, -0.1]
    ];
    let p = Ppca::fit(&x, 1).unwrap();
    let m = LinearVae::from_ppca(&p).unwrap();
    let vae = Vae::from_linear(&m).unwrap();
    let ll = p.mean_log_likelihood(&x).unwrap();
    for s in [2, 7, 50] {
        let e = vae
            .log_likelihood(&x, s, &mut seeded_rng(s as u64))
            .unwrap();
        assert!((e.mean - ll).abs() < 1e-12, "S = {s}: {} vs {ll}", e.mean);
        assert!(e.standard_error < 1e-12);
    }
}
