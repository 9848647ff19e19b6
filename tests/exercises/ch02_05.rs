//! §2.5（Ising モデル）の演習の答え。
//!
//! 期待値は閉じた形（artanh、対数の比、重心座標）と、クレートを使わない素朴な全列挙で求め、
//! クレートの学習（`KlObjective::fit`）と内部の証明書（`interior_margin`）に照らす。

use genmodel::boltzmann::ising::{data_statistics, pairs, Ising, KlObjective, Outcome};
use genmodel::ndarray::{array, Array2};
use genmodel::optim::{StepSize, StopRule};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

/// 状態 `s` のスピン（第 k ビットが 1 なら x_k = −1）。
fn spins(s: usize, n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| if (s >> k) & 1 == 1 { -1.0 } else { 1.0 })
        .collect()
}

/// φ(x) = (x_k; x_k x_l)。
fn phi(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut v = x.to_vec();
    v.extend(pairs(n).map(|(k, l)| x[k] * x[l]));
    v
}

/// 素朴な全列挙による q_θ(x)（状態の番号の順）。
fn probabilities(m: &Ising) -> Vec<f64> {
    let n = m.n_spins();
    let theta = m.params();
    let e: Vec<f64> = (0..1usize << n)
        .map(|s| {
            phi(&spins(s, n))
                .iter()
                .zip(theta.iter())
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect();
    let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = e.iter().map(|v| (v - mx).exp()).sum();
    e.iter().map(|v| (v - mx).exp() / z).collect()
}

fn learn(data: &Array2<i8>, tolerance: f64) -> genmodel::boltzmann::ising::Fit {
    let kl = KlObjective::from_data(data).unwrap();
    let n = data.ncols();
    kl.fit(
        &Ising::zeros(n).unwrap(),
        &StepSize::Scalar(1.0 / kl.curvature_bound()),
        StopRule {
            tolerance,
            max_iterations: 200_000,
        },
        &mut |_| {},
    )
    .unwrap()
}

#[test]
fn ex_2_5_1_single_spin_field_from_mean() {
    let fit = learn(&array![[1], [1], [1], [-1]], 1e-12);
    assert_eq!(fit.outcome, Outcome::Converged);
    let h = fit.model.fields()[0];
    let closed = 0.5 * 3f64.ln();
    assert!((h - closed).abs() < 1e-10);
    assert!((0.5f64.atanh() - closed).abs() < 1e-15);
    assert!(rounds_to(closed, 4, 0.5493));
    // m̄ = 1（すべて +1）: 有限の h はなく、勾配が小さくなっても結末は境界
    let fit = learn(&array![[1], [1], [1]], 1e-3);
    assert_eq!(fit.outcome, Outcome::OnBoundary);
    assert!(fit.model.fields()[0].tanh() < 1.0);
}

#[test]
fn ex_2_5_2_two_spin_closed_form() {
    // (++) × 3, (+−) × 1, (−+) × 1, (−−) × 2
    let data = array![[1, 1], [1, 1], [1, 1], [1, -1], [-1, 1], [-1, -1], [-1, -1]];
    let fit = learn(&data, 1e-12);
    assert_eq!(fit.outcome, Outcome::Converged);
    let (pp, pm, mp, mm): (f64, f64, f64, f64) = (3.0, 1.0, 1.0, 2.0);
    let j = 0.25 * (pp * mm / (pm * mp)).ln();
    let h1 = 0.25 * (pp * pm / (mp * mm)).ln();
    let h2 = 0.25 * (pp * mp / (pm * mm)).ln();
    assert!((j - 0.25 * 6f64.ln()).abs() < 1e-15 && rounds_to(j, 4, 0.4479));
    assert!((h1 - 0.25 * 1.5f64.ln()).abs() < 1e-15 && rounds_to(h1, 4, 0.1014));
    assert!((h2 - h1).abs() < 1e-15);
    assert!((fit.model.coupling(0, 1).unwrap() - j).abs() < 1e-9);
    assert!((fit.model.fields()[0] - h1).abs() < 1e-9);
    assert!((fit.model.fields()[1] - h2).abs() < 1e-9);
    // q_θ = p0: KL = 0、モーメントは 1/7, 1/7, 3/7
    let kl = KlObjective::from_data(&data).unwrap();
    assert!(kl.value(&fit.model).unwrap().abs() < 1e-12);
    let stats = fit.model.exact().unwrap().statistics();
    for (got, want) in stats.iter().zip([1.0 / 7.0, 1.0 / 7.0, 3.0 / 7.0]) {
        assert!((got - want).abs() < 1e-10);
    }
}

#[test]
fn ex_2_5_3_boundary_correlation_below_one() {
    let mut rng = ChaCha8Rng::seed_from_u64(253);
    let n = 3;
    for _ in 0..20 {
        let theta: Vec<f64> = (0..6).map(|_| rng.random_range(-4.0..4.0)).collect();
        let m = Ising::from_params(n, &theta).unwrap();
        let p = probabilities(&m);
        let p_differ: f64 = (0..8)
            .filter(|&s| spins(s, n)[0] != spins(s, n)[1])
            .map(|s| p[s])
            .sum();
        assert!(p_differ > 0.0);
        let c = m.exact().unwrap().correlation(0, 1).unwrap();
        assert!((c - (1.0 - 2.0 * p_differ)).abs() < 1e-12);
        assert!(c < 1.0);
    }
    // すべての標本で x_1 = x_2 のデータ: ∂D/∂J_12 < 0 がどこでも成り立つ
    let kl = KlObjective::from_data(&array![[1, 1, 1], [1, 1, -1], [-1, -1, -1]]).unwrap();
    assert_eq!(kl.target()[3], 1.0);
    for _ in 0..20 {
        let theta: Vec<f64> = (0..6).map(|_| rng.random_range(-4.0..4.0)).collect();
        let m = Ising::from_params(n, &theta).unwrap();
        assert!(kl.gradient(&m).unwrap()[3] < 0.0);
    }
}

#[test]
fn ex_2_5_4_two_spin_barycentric_coordinates() {
    let all = [[1i8, 1], [1, -1], [-1, 1], [-1, -1]];
    let mut rng = ChaCha8Rng::seed_from_u64(254);
    // 各状態の個数（0 を含む）を変えたデータ
    for counts in [
        [3, 1, 1, 2],
        [1, 1, 1, 1],
        [2, 0, 1, 1],
        [0, 2, 2, 1],
        [1, 1, 3, 0],
    ] {
        let rows: Vec<[i8; 2]> = counts
            .iter()
            .zip(all)
            .flat_map(|(&c, x)| std::iter::repeat_n(x, c))
            .collect();
        let data = Array2::from_shape_fn((rows.len(), 2), |(i, k)| rows[i][k]);
        let n = rows.len() as f64;
        let phibar = data_statistics(&data).unwrap();
        // 重心座標 ¼(1 + φ̄·φ(x)) は経験分布そのもの
        for (x, &c) in all.iter().zip(&counts) {
            let xf = [f64::from(x[0]), f64::from(x[1])];
            let dot: f64 = phibar.iter().zip(phi(&xf)).map(|(a, b)| a * b).sum();
            assert!((0.25 * (1.0 + dot) - c as f64 / n).abs() < 1e-15);
        }
        let kl = KlObjective::from_data(&data).unwrap();
        if counts.iter().all(|&c| c > 0) {
            assert_eq!(learn(&data, 1e-10).outcome, Outcome::Converged);
        } else {
            // 欠けた状態がある: どの θ でも証明書は正にならない
            for _ in 0..10 {
                let theta: Vec<f64> = (0..3).map(|_| rng.random_range(-3.0..3.0)).collect();
                let m = Ising::from_params(2, &theta).unwrap();
                assert!(kl.interior_margin(&m).unwrap() <= 0.0);
            }
        }
    }
    // 本文の主張: N ≥ 3 では、状態が 1 つ欠けていても内部にありうる（8 状態のうち 7 つを 1 個ずつ）
    let rows: Vec<Vec<i8>> = (1..8usize)
        .map(|s| spins(s, 3).iter().map(|&v| v as i8).collect())
        .collect();
    let data = Array2::from_shape_fn((7, 3), |(i, k)| rows[i][k]);
    assert_eq!(learn(&data, 1e-10).outcome, Outcome::Converged);
}
