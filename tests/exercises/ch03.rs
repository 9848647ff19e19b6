//! 第 3 章（隠れ変数）の演習の答え。
//!
//! 期待値は閉じた形（cosh の比）と数え上げで求め、クレートの `HiddenIsing` の値と、
//! 図 3.1 の学習の結果（クレートの学習）に照らす。

use genmodel::boltzmann::hidden::HiddenIsing;
use genmodel::boltzmann::ising::data_statistics;
use genmodel::boltzmann::{Ising, KlObjective};
use genmodel::ndarray::array;

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

#[test]
fn ex_3_1_visible_probability_of_one_hidden_unit_model() {
    let (a, c, w) = (0.0_f64, 0.5_f64, 1.0_f64);
    // 閉じた形: e^a cosh(c + w) / (e^a cosh(c + w) + e^{−a} cosh(c − w))
    let closed =
        a.exp() * (c + w).cosh() / (a.exp() * (c + w).cosh() + (-a).exp() * (c - w).cosh());
    assert!(rounds_to(closed, 4, 0.6760), "{closed}");
    assert!(rounds_to((1.5f64).cosh(), 5, 2.35241) && rounds_to((0.5f64).cosh(), 5, 1.12763));
    // クレート: 見える 1・隠れ 1（場 a, c、結合 w）
    let m = HiddenIsing::new(Ising::new(array![a, c], array![w]).unwrap(), 1).unwrap();
    let q = m.log_marginal().unwrap().mapv(f64::exp);
    assert!((q[0] - closed).abs() < 1e-15);
    // F(v) = −a v − ln(2 cosh(c + w v))
    let f = m.free_energy(&[1]).unwrap();
    assert!((f + (2.0 * (c + w).cosh()).ln()).abs() < 1e-15);
}

#[test]
fn ex_3_2_without_hidden_units_gradient_is_chapter_2() {
    // N_h = 0 の (3.11) = 第 2 章の勾配（⟨φ⟩_θ − データの平均）
    let data = array![[1, -1, 1], [1, 1, 1], [-1, -1, 1], [1, 1, -1]];
    let ising = Ising::new(array![0.3, -0.1, 0.2], array![0.5, -0.4, 0.1]).unwrap();
    let m = HiddenIsing::new(ising.clone(), 3).unwrap();
    let g = m.gradient(&data).unwrap();
    let want = ising.exact().unwrap().statistics() - data_statistics(&data).unwrap();
    assert!((&g - &want).iter().all(|x| x.abs() < 1e-14));
    let g2 = KlObjective::from_data(&data)
        .unwrap()
        .gradient(&ising)
        .unwrap();
    assert!((&g - &g2).iter().all(|x| x.abs() < 1e-14));
}

#[test]
fn ex_3_3_number_of_symmetric_copies() {
    fn copies(nh: u64) -> u64 {
        (1..=nh).product::<u64>() * 2u64.pow(nh as u32)
    }
    assert_eq!(copies(1), 2);
    assert_eq!(copies(3), 48);
    // 図 3.1 の下の極小: 反転した点は別の点で、KL は同じ
    let (_, fit) = xtask::figures::hidden::run(0);
    let data = xtask::figures::hidden::parity4();
    let flipped = fit.flip_hidden(0).unwrap();
    assert_ne!(fit.model().params(), flipped.model().params());
    assert!((fit.kl(&data).unwrap() - flipped.kl(&data).unwrap()).abs() < 1e-13);
    // 隠れ変数 3 つでは、入れ替え 6 通り × 反転 8 通りの 48 点の KL がすべて等しい
    let theta: Vec<f64> = (0..28).map(|i| 0.1 * ((i * 7 % 11) as f64 - 5.0)).collect();
    let m = HiddenIsing::new(
        Ising::from_params(7, &genmodel::ndarray::Array1::from(theta)).unwrap(),
        4,
    )
    .unwrap();
    let mut params = Vec::new();
    for perm in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        for flips in 0..8usize {
            let mut t = m.permute_hidden(&perm).unwrap();
            for j in 0..3 {
                if (flips >> j) & 1 == 1 {
                    t = t.flip_hidden(j).unwrap();
                }
            }
            assert!((t.kl(&data).unwrap() - m.kl(&data).unwrap()).abs() < 1e-12);
            params.push(t.model().params().to_vec());
        }
    }
    params.sort_by(|a, b| a.partial_cmp(b).unwrap());
    params.dedup();
    assert_eq!(params.len(), 48);
}
