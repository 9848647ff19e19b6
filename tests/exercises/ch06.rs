//! 第 6 章（交換モンテカルロ法）の演習の答え。
//!
//! 期待値は (6.2) と (6.5) の 1 行目（4 項の和）を手で書いた式で求め、クレートの
//! `mcmc::exchange::swap_probability`・`ExactDensity::swap_acceptance`・スピングラスの列挙に照らす。

use genmodel::boltzmann::ising::Ising;
use genmodel::boltzmann::lattice::density::ExactDensity;
use genmodel::boltzmann::lattice::glass::SpinGlass;
use genmodel::mcmc::exchange::swap_probability;
use rand::SeedableRng;

fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_6_1_swap_probability_by_hand() {
    let a = ((0.5f64 - 1.0) * (-10.0 - -8.0)).exp().min(1.0);
    assert_eq!(a, 1.0);
    assert_eq!(swap_probability(0.5, -10.0, 1.0, -8.0).unwrap(), 1.0);
    let b = ((0.5f64 - 1.0) * (-8.0 - -10.0)).exp().min(1.0);
    assert!(rounds_to(b, 5, 0.36788));
    assert!((swap_probability(0.5, -8.0, 1.0, -10.0).unwrap() - b).abs() < 1e-16);
}

#[test]
fn ex_6_2_one_spin_acceptance_two_ways() {
    let (k, k2) = (1.0f64, 2.0f64);
    let a = k.exp() / (k.exp() + (-k).exp());
    let b = k2.exp() / (k2.exp() + (-k2).exp());
    assert!(rounds_to(a, 6, 0.880797) && rounds_to(b, 6, 0.982014));
    let first = a * b + (1.0 - a) * (1.0 - b) + a * (1.0 - b);
    let second = a * (1.0 - b);
    assert!(rounds_to(first, 6, 0.882941) && rounds_to(second, 6, 0.015842));
    let total = first + second;
    assert!(rounds_to(total, 6, 0.898783));
    // 1 行目: 4 項の和（E = +1, E' = −1 の項だけ e^{−2} 倍）
    let four = a * b + (1.0 - a) * (1.0 - b) + a * (1.0 - b) + (1.0 - a) * b * (-2.0f64).exp();
    assert!((four - total).abs() < 1e-15);
    assert!(rounds_to((1.0 - a) * b * (-2.0f64).exp(), 6, 0.015842));
    // クレート: エネルギー −1 と +1 が 1 状態ずつの状態密度
    let g = ExactDensity::from_levels(vec![(-1, 1), (1, 1)]).unwrap();
    assert!((g.swap_acceptance(k, k2).unwrap() - total).abs() < 1e-14);
}

#[test]
fn ex_6_3_overlap_has_zero_mean_without_fields() {
    let glass = SpinGlass::random(3, 3, &mut rand_chacha::ChaCha8Rng::seed_from_u64(7)).unwrap();
    let k = 1.3;
    let model: Ising = glass.ising(k).unwrap();
    let exact = model.exact().unwrap();
    assert!(exact.means().iter().all(|m| m.abs() < 1e-12));
    // (6.6): 相関から求めた ⟨q²⟩ とクレートの値
    let c = glass.enumerate().unwrap().correlations(k).unwrap();
    let n = glass.n_spins() as f64;
    let q2 = c.iter().map(|v| v * v).sum::<f64>() / (n * n);
    let direct = glass.enumerate().unwrap().overlap_second_moment(k).unwrap();
    assert!((q2 - direct).abs() < 1e-13);
}
