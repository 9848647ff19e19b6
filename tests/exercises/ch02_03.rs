//! §2.3（最尤法）の演習の答え。
//!
//! 最大点は微分を使わない探索（細かい格子と黄金分割法）で求め、平均対数尤度はデータの和から
//! 直接計算する。KL 情報量はクレートの `kl_divergence`（(2.3)）と比べる。

use genmodel::distribution::{Categorical, EmpiricalDistribution};
use genmodel::divergence::kl_divergence;
use genmodel::ndarray::array;

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

/// 区間 [a, b] で単峰な f の最大点を黄金分割法で求める。
fn golden_max(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let (c, d) = (b - r * (b - a), a + r * (b - a));
        if f(c) > f(d) {
            b = d;
        } else {
            a = c;
        }
    }
    0.5 * (a + b)
}

/// 10 回のうち表 (1) が 7 回のデータ。
const TOSSES: [usize; 10] = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1];

/// ベルヌーイ分布のモデル q_θ の、データでの平均対数尤度 (1/n) Σ ln q_θ(x_i)。
fn coin_mean_loglik(theta: f64) -> f64 {
    TOSSES
        .iter()
        .map(|&x| {
            if x == 1 {
                theta.ln()
            } else {
                (1.0 - theta).ln()
            }
        })
        .sum::<f64>()
        / TOSSES.len() as f64
}

#[test]
fn ex_2_3_1_coin_mle() {
    assert_eq!(TOSSES.iter().sum::<usize>(), 7);
    let theta = golden_max(coin_mean_loglik, 1e-9, 1.0 - 1e-9);
    assert!((theta - 0.7).abs() < 1e-8);
    let ll = coin_mean_loglik(0.7);
    assert!((ll - (0.7 * 0.7f64.ln() + 0.3 * 0.3f64.ln())).abs() < 1e-15);
    assert!(rounds_to(ll, 4, -0.6109));
    // q_θ̂ は経験分布そのものなので KL 情報量は 0
    let p0 = EmpiricalDistribution::from_states(&TOSSES, 2).unwrap();
    let q = Categorical::new(array![0.3, 0.7]).unwrap();
    assert!(kl_divergence(p0.as_categorical(), &q).unwrap().abs() < 1e-15);
    // 平均対数尤度 = −H(p0)
    let h: f64 = p0.probabilities().iter().map(|p| -p * p.ln()).sum();
    assert!((ll + h).abs() < 1e-15);
}

#[test]
fn ex_2_3_2_exponential_mle() {
    let data = [0.5, 1.0, 1.5, 3.0];
    let mean_loglik = |lambda: f64| {
        data.iter()
            .map(|&x| (lambda * (-lambda * x).exp()).ln())
            .sum::<f64>()
            / data.len() as f64
    };
    let lambda = golden_max(mean_loglik, 1e-6, 50.0);
    assert!((lambda - 2.0 / 3.0).abs() < 1e-7, "λ̂ = {lambda}");
    let best = mean_loglik(2.0 / 3.0);
    assert!((best - ((2.0f64 / 3.0).ln() - 1.0)).abs() < 1e-14);
    assert!(rounds_to(best, 4, -1.4055));
    // どの λ でも最大値を超えない
    for k in 1..=1000 {
        assert!(mean_loglik(0.01 * k as f64) <= best + 1e-15);
    }
}

#[test]
// 本文に印刷した丸めた値（−0.6931 = ln 0.5、3.1416 = π）と比べるので、定数への置き換えを勧める lint を外す
#[allow(clippy::approx_constant)]
fn ex_2_3_3_loglik_is_minus_entropy_minus_kl() {
    let p0 = EmpiricalDistribution::from_states(&TOSSES, 2).unwrap();
    let h: f64 = p0.probabilities().iter().map(|p| -p * p.ln()).sum();
    // (1/n) ℓ(θ) = −H(p0) − KL(p0 ‖ q_θ) がどの θ でも成り立つ
    for k in 1..100 {
        let theta = 0.01 * k as f64;
        let q = Categorical::new(array![1.0 - theta, theta]).unwrap();
        let kl = kl_divergence(p0.as_categorical(), &q).unwrap();
        assert!((coin_mean_loglik(theta) - (-h - kl)).abs() < 1e-14);
        assert!(coin_mean_loglik(theta) <= -h + 1e-15);
    }
    // θ ≤ 0.5 に制限した最尤推定は端の 0.5
    let theta = golden_max(coin_mean_loglik, 1e-9, 0.5);
    assert!((theta - 0.5).abs() < 1e-8);
    let ll = coin_mean_loglik(0.5);
    assert!(rounds_to(ll, 4, -0.6931));
    let q = Categorical::new(array![0.5, 0.5]).unwrap();
    let kl = kl_divergence(p0.as_categorical(), &q).unwrap();
    assert!((kl - (0.7 * 1.4f64.ln() + 0.3 * 0.6f64.ln())).abs() < 1e-15);
    assert!(rounds_to(kl, 4, 0.0823));
    assert!(rounds_to(-h, 4, -0.6109));
    assert!((ll - (-h - kl)).abs() < 1e-15);
}
