//! 第 5 章（マルコフ連鎖モンテカルロ法）の演習の答え。
//!
//! 期待値は 2×2 の確率行列の固有値の閉じた形と、16 状態の数え上げで求め、クレートの
//! `mcmc::kernel`（厳密な遷移行列とそのスペクトル）と `lattice::kaufman` に照らす。

use genmodel::boltzmann::ising::Ising;
use genmodel::boltzmann::lattice::kaufman;
use genmodel::mcmc::{kernel, Rule};
use genmodel::ndarray::array;

fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_5_1_one_spin_metropolis_and_heat_bath_spectra() {
    let h = 0.5f64;
    // メトロポリス法: 反転確率 e^{−2h} と 1、λ₂ = 1 − 和
    let lambda_m = 1.0 - (-2.0 * h).exp() - 1.0;
    let tau_m = 0.5 * (1.0 + lambda_m) / (1.0 - lambda_m);
    assert!(rounds_to(lambda_m, 5, -0.36788) && rounds_to(tau_m, 5, 0.23106));
    // 熱浴法: 反転確率 1/(1 + e^{2h}) と 1/(1 + e^{−2h})、和が 1
    let (a, b) = (
        1.0 / (1.0 + (2.0 * h).exp()),
        1.0 / (1.0 + (-2.0 * h).exp()),
    );
    assert!(rounds_to(a, 5, 0.26894) && rounds_to(b, 5, 0.73106));
    assert!((1.0 - a - b).abs() < 1e-15);
    // クレートの厳密なスペクトルと積分自己相関時間
    let model = Ising::new(array![h], array![]).unwrap();
    let f = [1.0, -1.0];
    let spec = kernel::update_spectrum(&model, Rule::Metropolis).unwrap();
    assert!((spec.integrated_time(&f).unwrap() - tau_m).abs() < 1e-14);
    assert!(spec
        .eigenvalues()
        .iter()
        .any(|&l| (l - lambda_m).abs() < 1e-14));
    let spec = kernel::update_spectrum(&model, Rule::HeatBath).unwrap();
    assert!((spec.integrated_time(&f).unwrap() - 0.5).abs() < 1e-14);
}

#[test]
fn ex_5_2_effective_sample_size_and_naive_width() {
    let (tau, n) = (16.0f64, (1u64 << 20) as f64);
    assert_eq!(n / (2.0 * tau), 32_768.0);
    let ratio = 1.0 / (2.0 * tau).sqrt();
    assert!(rounds_to(ratio, 5, 0.17678));
    assert!(rounds_to(1.0 / ratio, 1, 5.7));
}

#[test]
fn ex_5_3_two_by_two_torus_by_counting() {
    // 16 状態の指数 2(x1x2 + x3x4 + x1x3 + x2x4) を数える
    let mut counts = std::collections::BTreeMap::new();
    for s in 0..16u32 {
        let x: Vec<i32> = (0..4)
            .map(|k| if s >> k & 1 == 1 { -1 } else { 1 })
            .collect();
        let e = 2 * (x[0] * x[1] + x[2] * x[3] + x[0] * x[2] + x[1] * x[3]);
        *counts.entry(e).or_insert(0) += 1;
    }
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        [(-8, 2), (0, 12), (8, 2)]
    );
    let k = 0.5f64;
    let z = 4.0 * (8.0 * k).cosh() + 12.0;
    assert!(rounds_to(z, 5, 121.23293) && rounds_to(z.ln(), 5, 4.79771));
    assert!((kaufman::log_z(2, k).unwrap() - z.ln()).abs() < 1e-13);
}
