//! 第 2 章の冒頭（ボルツマン分布、log-sum-exp、Z の項数、指数型分布族）の演習の答えと、本文の数値。
//!
//! 期待値は手計算の閉じた形・数値積分・差分で求め、クレートの `Boltzmann` とも比べる。

use genmodel::distribution::Boltzmann;
use genmodel::ndarray::{array, Array1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::{LN_2, PI};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn ex_2_0_1_partition_function_of_three_states() {
    let e = [0.0, LN_2, 4f64.ln()];
    // 答え: Z = 7/4、q = (4/7, 2/7, 1/7)
    let z: f64 = e.iter().map(|x| (-x).exp()).sum();
    assert!(close(z, 7.0 / 4.0, 1e-15));
    let want = [4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0];
    for (k, w) in want.iter().enumerate() {
        assert!(close((-e[k]).exp() / z, *w, 1e-15));
    }
    let q = Boltzmann::new(Array1::from(e.to_vec())).unwrap();
    assert!(close(q.log_z(), (7.0f64 / 4.0).ln(), 1e-15));
    for (k, w) in want.iter().enumerate() {
        assert!(close(q.probability(k).unwrap(), *w, 1e-15));
    }
}

#[test]
fn ex_2_0_2_energy_shift() {
    // 答え: ln Z' = ln Z − c、q は変わらない
    let e = array![0.3, -1.2, 2.5, 0.0];
    let q = Boltzmann::new(e.clone()).unwrap();
    for c in [-50.0, -1.0, 0.7, 300.0] {
        let shifted = Boltzmann::new(e.mapv(|x| x + c)).unwrap();
        assert!(close(shifted.log_z(), q.log_z() - c, 1e-12), "c = {c}");
        for k in 0..e.len() {
            let (a, b) = (q.probability(k).unwrap(), shifted.probability(k).unwrap());
            // E + c の丸め（|c| = 300 で約 6e-14）が確率に伝わる分だけ許す
            assert!(close(a, b, 1e-12), "c = {c}, k = {k}");
        }
    }
    // 素朴な和でも同じ（c が小さいとき）
    let naive = |e: &Array1<f64>| e.iter().map(|x| (-x).exp()).sum::<f64>().ln();
    assert!(close(naive(&e.mapv(|x| x + 0.7)), naive(&e) - 0.7, 1e-14));
}

#[test]
fn ex_2_0_3_log_sum_exp_bounds() {
    // m ≤ ln Z ≤ m + ln K。右の等号はエネルギーがすべて等しいとき
    let mut rng = ChaCha8Rng::seed_from_u64(2003);
    for _ in 0..500 {
        let k = rng.random_range(1..20);
        let e: Array1<f64> = (0..k).map(|_| rng.random_range(-900.0..900.0)).collect();
        let m = e.iter().map(|x| -x).fold(f64::NEG_INFINITY, f64::max);
        let lz = Boltzmann::new(e).unwrap().log_z();
        assert!(lz >= m - 1e-12 && lz <= m + (k as f64).ln() + 1e-12);
    }
    let equal = Boltzmann::new(array![5.0, 5.0, 5.0, 5.0]).unwrap();
    assert!(close(equal.log_z(), -5.0 + 4f64.ln(), 1e-14));
    // 例: E = (−800, −800 + ln 2, 0) では ln Z = 800 + ln(3/2 + e^{−800}) ≈ 800.405、範囲は [800, 801.099]
    let q = Boltzmann::new(array![-800.0, -800.0 + LN_2, 0.0]).unwrap();
    let want = 800.0 + 1.5f64.ln(); // e^{−800} は f64 で 0
    assert!(close(q.log_z(), want, 1e-12));
    assert!(close(want, 800.405, 5e-4));
    assert!(close(800.0 + 3f64.ln(), 801.099, 5e-4));
    assert!(want > 800.0 && want < 800.0 + 3f64.ln());
}

#[test]
fn ex_2_0_4_number_of_states() {
    let year = 3.156e7;
    // N = 20: 1,048,576 項、約 1.05e-3 秒
    assert_eq!(1u64 << 20, 1_048_576);
    assert!(close(2f64.powi(20) / 1e9, 1.05e-3, 5e-6));
    // N = 100: 2^100 ≈ 1.27e30 項、1.27e21 秒 ≈ 4.0e13 年
    let terms = 2f64.powi(100);
    assert!(close(terms / 1.27e30, 1.0, 2e-3));
    assert!(close(terms / 1e9 / 1.27e21, 1.0, 2e-3));
    assert!(close(terms / 1e9 / year / 4.0e13, 1.0, 6e-3));
    // 本文: 宇宙の年齢（約 1.4e10 年）の数千倍
    let ratio = terms / 1e9 / year / 1.4e10;
    assert!((1000.0..10_000.0).contains(&ratio), "{ratio}");
    // 2^80 ≈ 1.2e24、2^784 ≈ 1e236（log10 で 236.0）
    assert!(close(2f64.powi(80) / 1.2e24, 1.0, 0.01));
    assert!(close(784.0 * 2f64.log10(), 236.0, 0.01));
}

#[test]
fn ex_2_0_5_gaussian_natural_parameters() {
    for (mu, var) in [(0.0_f64, 1.0_f64), (1.5, 0.4), (-2.0, 3.0)] {
        let (e1, e2) = (mu / var, -1.0 / (2.0 * var));
        // 答え: ln Z(η) = −η1²/(4η2) + (1/2) ln(π/(−η2))
        let log_z = |e1: f64, e2: f64| -e1 * e1 / (4.0 * e2) + 0.5 * (PI / -e2).ln();
        // 定義の積分（台形則）と比べる
        let sd = var.sqrt();
        let (lo, hi, n) = (mu - 20.0 * sd, mu + 20.0 * sd, 40_000);
        let h = (hi - lo) / n as f64;
        let moment = |k: i32| -> f64 {
            let f = |x: f64| x.powi(k) * (e1 * x + e2 * x * x).exp();
            h * (0.5 * (f(lo) + f(hi)) + (1..n).map(|i| f(lo + h * i as f64)).sum::<f64>())
        };
        let z = moment(0);
        assert!(close(z.ln(), log_z(e1, e2), 1e-10), "({mu}, {var})");
        // Z(η) = √(2πσ²) e^{μ²/(2σ²)}（(2.9) と因子 e^{μ²/(2σ²)} だけ違う）
        let z29 = (2.0 * PI * var).sqrt();
        assert!(close(
            log_z(e1, e2),
            z29.ln() + mu * mu / (2.0 * var),
            1e-12
        ));
        // ∂ ln Z/∂η1 = μ = ⟨x⟩、∂ ln Z/∂η2 = μ² + σ² = ⟨x²⟩（中心差分と、閉じた形の微分と、積分）
        let d = 1e-5;
        let g1 = (log_z(e1 + d, e2) - log_z(e1 - d, e2)) / (2.0 * d);
        let g2 = (log_z(e1, e2 + d) - log_z(e1, e2 - d)) / (2.0 * d);
        assert!(close(g1, mu, 1e-7) && close(-e1 / (2.0 * e2), mu, 1e-12));
        let m2 = mu * mu + var;
        assert!(close(g2, m2, 1e-6), "{g2} {m2}");
        assert!(close(
            e1 * e1 / (4.0 * e2 * e2) - 1.0 / (2.0 * e2),
            m2,
            1e-12
        ));
        assert!(close(moment(1) / z, mu, 1e-9) && close(moment(2) / z, m2, 1e-9));
    }
}
