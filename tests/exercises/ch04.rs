//! 第 4 章（制限ボルツマンマシン）の演習の答え。
//!
//! 期待値は閉じた形（4 項の和、±1 の 4 項の和）と数え上げで求め、クレートの `Rbm`・`SpinRbm` と、
//! 遷移行列のべき乗（`gibbs_kernel`）に照らす。

use genmodel::boltzmann::rbm::{Rbm, SpinRbm};
use genmodel::ndarray::{array, Array1};

fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_4_1_one_by_one_partition_function_and_spin_offset() {
    let (w, b, c) = (2.0_f64, -1.0_f64, 0.5_f64);
    let z = 1.0 + b.exp() + c.exp() + (b + c + w).exp();
    assert!(rounds_to(z, 5, 7.49829) && rounds_to(z.ln(), 5, 2.01467));
    // ±1 の側: w' = 0.5、b' = 0、c' = 0.75、K = −0.25
    let (wp, bp, cp) = (w / 4.0, b / 2.0 + w / 4.0, c / 2.0 + w / 4.0);
    assert_eq!((wp, bp, cp), (0.5, 0.0, 0.75));
    let k = -(b / 2.0 + c / 2.0 + w / 4.0);
    assert_eq!(k, -0.25);
    let zp: f64 = [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)]
        .iter()
        .map(|(s, t): &(f64, f64)| (bp * s + cp * t + wp * s * t).exp())
        .sum();
    assert!(rounds_to(zp, 5, 5.83967) && rounds_to(zp.ln(), 5, 1.76467));
    assert!((zp.ln() - k - z.ln()).abs() < 1e-14);
    // クレート
    let rbm = Rbm::new(array![[w]], array![b], array![c]).unwrap();
    assert!((rbm.log_z().unwrap() - z.ln()).abs() < 1e-14);
    let spin = SpinRbm::from_binary(&rbm).unwrap();
    assert!((spin.offset() - k).abs() < 1e-15);
    assert!((spin.log_z().unwrap() - zp.ln()).abs() < 1e-14);
}

#[test]
fn ex_4_2_softplus_count_and_the_larger_layer() {
    let terms: u64 = 1 << 20;
    assert_eq!(terms, 1_048_576);
    assert_eq!(terms * 64, 67_108_864);
    // 2^64 ns を年に: 約 585 年
    let years = 2f64.powi(64) * 1e-9 / (365.25 * 86400.0);
    assert!((years - 584.5).abs() < 1.0, "{years}");
    assert_eq!(years.round(), 585.0);
    assert!(rounds_to(2f64.powi(64) / 1e19, 1, 1.8));
}

#[test]
fn ex_4_3_chain_distribution_converges_to_the_model() {
    // P_k = P_0 T^k は q(v) に近づく（遷移行列はクレート、q(v) は自由エネルギーから）
    let rbm = Rbm::new(
        array![[0.9, -0.6, 0.4], [-1.3, 0.2, 1.1], [0.7, 1.5, -0.8]],
        array![-0.3, 0.5, 0.2],
        array![0.2, -0.7, 0.1],
    )
    .unwrap();
    let t = rbm.gibbs_kernel().unwrap();
    let log_z = rbm.log_z().unwrap();
    let q: Array1<f64> = (0..8usize)
        .map(|s| {
            let v: Vec<u8> = (0..3).map(|i| ((s >> i) & 1) as u8).collect();
            (-rbm.free_energy(v.as_slice()).unwrap() - log_z).exp()
        })
        .collect();
    let mut p = Array1::from_elem(8, 0.0);
    p[5] = 1.0;
    let mut prev = f64::INFINITY;
    for _ in 0..200 {
        p = t.t().dot(&p);
        let d = (&p - &q).iter().map(|x| x.abs()).sum::<f64>();
        assert!(d <= prev + 1e-15);
        prev = d;
    }
    assert!(prev < 1e-12, "{prev}");
    // q は定常: qT = q
    assert!((t.t().dot(&q) - &q).iter().all(|x| x.abs() < 1e-15));
}
