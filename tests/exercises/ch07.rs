//! 第 7 章（MCMC を用いないボルツマンマシン）の演習の答え。
//!
//! 期待値は答えの手計算（2 スピンの分配関数、2×2 行列の逆行列、臨界点の閉じた形）で求め、
//! クレートの `variational` の平均場・逆問題・臨界点に照らす。

use genmodel::boltzmann::ising::Ising;
use genmodel::boltzmann::lattice::K_C;
use genmodel::ndarray::array;
use genmodel::variational::{ferromagnet, inverse, mean_field, FixedPoint};

fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_7_1_mean_field_gap_is_ln_cosh() {
    let model = Ising::new(array![0.0, 0.0], array![0.5]).unwrap();
    assert!(mean_field::contraction_constant(&model) < 1.0);
    // 縮小写像: どの初期値からも同じ解 m = 0
    for start in [[0.9, -0.9], [-0.5, 0.3], [1.0, 1.0]] {
        let mf = mean_field::solve(&model, &start, &FixedPoint::default()).unwrap();
        assert!(mf.unique());
        assert!(mf.magnetisations().iter().all(|m| m.abs() < 1e-11));
    }
    let f_mf = mean_field::free_energy(&model, &[0.0, 0.0]).unwrap();
    assert!((f_mf + 2.0 * 2f64.ln()).abs() < 1e-15);
    let exact = (2.0 * 0.5f64.exp() + 2.0 * (-0.5f64).exp()).ln();
    let gap = f_mf + exact;
    assert!((gap - 0.5f64.cosh().ln()).abs() < 1e-15);
    assert!(rounds_to(gap, 6, 0.120115));
    assert!((model.log_z().unwrap() - exact).abs() < 1e-14);
}

#[test]
fn ex_7_2_critical_temperatures() {
    let t_mf = 1.0 / ferromagnet::mean_field_critical_coupling(4).unwrap();
    let t_bethe = 1.0 / ferromagnet::bethe_critical_coupling(4).unwrap();
    let t_exact = 1.0 / K_C;
    assert_eq!(t_mf, 4.0);
    assert!(rounds_to(t_bethe, 5, 2.88539));
    assert!((t_bethe - 2.0 / 2f64.ln()).abs() < 1e-14);
    assert!(rounds_to(t_exact, 5, 2.26919));
    assert!(rounds_to(100.0 * (t_mf / t_exact - 1.0), 1, 76.3));
    assert!(rounds_to(100.0 * (t_bethe / t_exact - 1.0), 1, 27.2));
}

#[test]
fn ex_7_3_inverse_mean_field_for_two_spins() {
    let j = 0.5f64;
    let t = j.tanh();
    let want = t / (1.0 - t * t);
    assert!(rounds_to(t, 6, 0.462117));
    assert!(rounds_to(1.0 - t * t, 6, 0.786448));
    assert!(rounds_to(want, 6, 0.587601));
    // 厳密な統計量 (m_1, m_2, ⟨x_1 x_2⟩) = (0, 0, tanh J)
    let stats = array![0.0, 0.0, t];
    let mf = inverse::naive_mean_field(2, &stats).unwrap();
    let tap = inverse::tap(2, &stats).unwrap();
    assert!((mf.couplings()[0] - want).abs() < 1e-14);
    assert!((tap.couplings()[0] - want).abs() < 1e-14);
    assert!(rounds_to(100.0 * (want / j - 1.0), 0, 18.0));
    // 統計量はモデルの列挙と一致する
    let exact = Ising::new(array![0.0, 0.0], array![j])
        .unwrap()
        .exact()
        .unwrap();
    assert!((exact.statistics() - &stats)
        .iter()
        .all(|d| d.abs() < 1e-14));
}
