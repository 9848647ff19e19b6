//! 第 3 章: 隠れ変数のあるボルツマンマシン。期待値はすべて、テストの中で書いた素朴な全列挙・
//! 閉じた形・中心差分から求め、実装の出力から作らない。

use genmodel::Error;
use genmodel::boltzmann::hidden::{HiddenIsing, MAX_HIDDEN_MODEL_UNITS};
use genmodel::boltzmann::ising::{
    MAX_ENUMERATION_L1, pairs, spins_of_state, sufficient_statistics,
};
use genmodel::boltzmann::{Ising, KlObjective};
use genmodel::linalg::symmetric_eigen;
use genmodel::ndarray::{Array1, Array2, array};
use genmodel::optim::StopRule;
use rand::SeedableRng;

/// 見える 3・隠れ 2 のモデル（結合はすべての対）。
fn model32() -> HiddenIsing {
    let theta = array![
        0.3, -0.2, 0.1, 0.5, -0.4, // 場
        0.6, -0.3, 0.2, 0.8, -0.5, 0.4, -0.7, 0.1, 0.9, -0.6 // 結合（pairs の順）
    ];
    HiddenIsing::new(Ising::from_params(5, &theta).unwrap(), 3).unwrap()
}

fn data3() -> Array2<i8> {
    array![[1, 1, 1], [1, 1, -1], [-1, 1, -1], [1, 1, 1], [-1, -1, -1]]
}

/// θ·φ(v, h) を素朴に（十分統計量をその場で作って）求める。
fn exponent(m: &HiddenIsing, v: &[i8], h: &[i8]) -> f64 {
    let x: Array1<i8> = v.iter().chain(h).copied().collect();
    sufficient_statistics(&x).unwrap().dot(&m.model().params())
}

fn states(n: usize) -> Vec<Vec<i8>> {
    if n == 0 {
        return vec![vec![]];
    }
    (0..1usize << n)
        .map(|s| spins_of_state(s, n).unwrap().to_vec())
        .collect()
}

#[test]
fn eq_3_4_marginal_matches_brute_force_sum_over_joint_states() {
    let m = model32();
    let z: f64 = states(3)
        .iter()
        .flat_map(|v| states(2).into_iter().map(move |h| (v.clone(), h)))
        .map(|(v, h)| exponent(&m, &v, &h).exp())
        .sum();
    assert!((m.log_z().unwrap() - z.ln()).abs() < 1e-13);
    let lq = m.log_marginal().unwrap();
    for (sv, v) in states(3).iter().enumerate() {
        let num: f64 = states(2).iter().map(|h| exponent(&m, v, h).exp()).sum();
        assert!((lq[sv] - (num / z).ln()).abs() < 1e-13);
        assert!((m.free_energy(v.as_slice()).unwrap() + num.ln()).abs() < 1e-13);
        let post = m.posterior(v.as_slice()).unwrap();
        for (sh, h) in states(2).iter().enumerate() {
            assert!((post[sh] - exponent(&m, v, h).exp() / num).abs() < 1e-14);
        }
    }
}

#[test]
fn without_hidden_units_it_is_the_chapter_2_model() {
    // N_h = 0: KL と勾配は第 2 章の KlObjective と同じ
    let ising = Ising::new(array![0.2, -0.5, 0.3], array![0.4, -0.1, 0.7]).unwrap();
    let m = HiddenIsing::new(ising.clone(), 3).unwrap();
    let kl = KlObjective::from_data(&data3()).unwrap();
    assert!((m.kl(&data3()).unwrap() - kl.value(&ising).unwrap()).abs() < 1e-13);
    let d = &m.gradient(&data3()).unwrap() - &kl.gradient(&ising).unwrap();
    assert!(d.iter().all(|x| x.abs() < 1e-13), "{d}");
    assert_eq!(m.posterior(&[1, -1, 1]).unwrap(), array![1.0]);
}

#[test]
fn eq_3_8_kl_is_the_visible_divergence_written_out() {
    let m = model32();
    let lq = m.log_marginal().unwrap();
    // p_0: 5 行のうち (1,1,1) が 2 回
    let mut want = 0.0;
    for (v, c) in [
        ([1, 1, 1], 2.0),
        ([1, 1, -1], 1.0),
        ([-1, 1, -1], 1.0),
        ([-1, -1, -1], 1.0),
    ] {
        let sv = (0..3)
            .filter(|&k| v[k] == -1)
            .map(|k| 1 << k)
            .sum::<usize>();
        let p: f64 = c / 5.0;
        want += p * (p.ln() - lq[sv]);
    }
    assert!((m.kl(&data3()).unwrap() - want).abs() < 1e-13);
}

/// KL 情報量の中心差分による勾配。刻み 1e-5 の中心差分の打ち切り誤差は O(ε² f''') ≈ 1e-10、
/// 丸め誤差は O(1e-16 / ε) ≈ 1e-11 なので、1e-8 で比べる。
fn fd_gradient(n: usize, nv: usize, theta: &Array1<f64>, data: &Array2<i8>) -> Array1<f64> {
    let eps = 1e-5;
    let kl = |t: &Array1<f64>| {
        HiddenIsing::new(Ising::from_params(n, t).unwrap(), nv)
            .unwrap()
            .kl(data)
            .unwrap()
    };
    (0..theta.len())
        .map(|a| {
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[a] += eps;
            down[a] -= eps;
            (kl(&up) - kl(&down)) / (2.0 * eps)
        })
        .collect()
}

#[test]
fn eq_3_11_gradient_matches_finite_differences() {
    let m = model32();
    let theta = m.model().params();
    let g = m.gradient(&data3()).unwrap();
    let fd = fd_gradient(5, 3, &theta, &data3());
    let d = &g - &fd;
    assert!(d.iter().all(|x| x.abs() < 1e-8), "{d}");
}

#[test]
fn eq_3_11_gradient_is_free_minus_clamped_expectation_by_brute_force() {
    let m = model32();
    let z: f64 = m.log_z().unwrap().exp();
    let mut free = Array1::<f64>::zeros(15);
    for v in states(3) {
        for h in states(2) {
            let x: Array1<i8> = v.iter().chain(&h).copied().collect();
            free = free + sufficient_statistics(&x).unwrap() * (exponent(&m, &v, &h).exp() / z);
        }
    }
    let mut clamped = Array1::<f64>::zeros(15);
    for row in data3().rows() {
        let v = row.to_vec();
        let fv: f64 = states(2).iter().map(|h| exponent(&m, &v, h).exp()).sum();
        for h in states(2) {
            let x: Array1<i8> = v.iter().chain(&h).copied().collect();
            clamped = clamped
                + sufficient_statistics(&x).unwrap() * (exponent(&m, &v, &h).exp() / fv / 5.0);
        }
    }
    let d1 = &m.free_statistics().unwrap() - &free;
    let d2 = &m.clamped_statistics(&data3()).unwrap() - &clamped;
    assert!(d1.iter().chain(d2.iter()).all(|x| x.abs() < 1e-13));
    // 見える変数の成分（場 3 つと見える対 3 つ）はデータの平均そのもの
    let c = m.clamped_statistics(&data3()).unwrap();
    assert!((c[0] - 0.2).abs() < 1e-15 && (c[1] - 0.6).abs() < 1e-15);
    let vv = pairs(5).position(|p| p == (0, 1)).unwrap() + 5;
    assert!((c[vv] - 0.6).abs() < 1e-15);
}

#[test]
fn eq_3_12_hessian_matches_finite_differences_of_the_gradient_and_can_be_indefinite() {
    let m = model32();
    let theta = m.model().params();
    let h = m.hessian(&data3()).unwrap();
    let eps = 1e-5;
    let grad = |t: &Array1<f64>| {
        HiddenIsing::new(Ising::from_params(5, t).unwrap(), 3)
            .unwrap()
            .gradient(&data3())
            .unwrap()
    };
    for b in 0..theta.len() {
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[b] += eps;
        down[b] -= eps;
        let col = (grad(&up) - grad(&down)) / (2.0 * eps);
        for a in 0..theta.len() {
            assert!(
                (h[[a, b]] - col[a]).abs() < 1e-8,
                "({a}, {b}): {} vs {}",
                h[[a, b]],
                col[a]
            );
        }
    }
    // 2 つの半正定値行列の差: このモデルでは負の固有値をもつ（凸でない）
    let e = symmetric_eigen(&h).unwrap();
    assert!(e.values[0] < -1e-3, "最小固有値 {}", e.values[0]);
}

#[test]
fn eq_3_13_visible_marginal_is_invariant_under_hidden_permutation_and_flip() {
    let m = model32();
    let base = m.log_marginal().unwrap();
    for t in [
        m.permute_hidden(&[1, 0]).unwrap(),
        m.flip_hidden(0).unwrap(),
        m.flip_hidden(1).unwrap(),
    ] {
        assert_ne!(t.model().params(), m.model().params());
        let d = &t.log_marginal().unwrap() - &base;
        assert!(d.iter().all(|x| x.abs() < 1e-13));
        assert!((t.kl(&data3()).unwrap() - m.kl(&data3()).unwrap()).abs() < 1e-13);
    }
    // 入れ替えを 2 回で元に戻る
    let back = m
        .permute_hidden(&[1, 0])
        .unwrap()
        .permute_hidden(&[1, 0])
        .unwrap();
    assert_eq!(back, m);
}

/// 4 ビットのパリティ: x_1 x_2 x_3 x_4 = 1 の 8 状態が等確率。
fn parity4() -> Array2<i8> {
    let rows: Vec<Array1<i8>> = (0..16)
        .map(|s| spins_of_state(s, 4).unwrap())
        .filter(|x| x.iter().map(|&v| i32::from(v)).product::<i32>() == 1)
        .collect();
    Array2::from_shape_fn((8, 4), |(i, k)| rows[i][k])
}

#[test]
fn eq_3_3_visible_only_model_stops_at_ln_2_on_parity() {
    // パリティの 1 次・2 次のモーメントはすべて 0 なので、見える変数だけのモデルの最適点は θ = 0（一様分布）で、
    // KL = ln 16 − ln 8 = ln 2。勾配が 0 であることと値を確かめる
    let m = HiddenIsing::new(Ising::zeros(4).unwrap(), 4).unwrap();
    assert!((m.kl(&parity4()).unwrap() - 2f64.ln()).abs() < 1e-15);
    assert!(
        m.gradient(&parity4())
            .unwrap()
            .iter()
            .all(|g| g.abs() < 1e-15)
    );
}

fn random_start(seed: u64, n: usize, nv: usize) -> HiddenIsing {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let theta: Array1<f64> = (0..n * (n + 1) / 2)
        .map(|_| genmodel::gaussian::univariate::standard_normal(&mut rng))
        .collect();
    HiddenIsing::new(Ising::from_params(n, &theta).unwrap(), nv).unwrap()
}

#[test]
fn two_seeds_reach_two_different_local_minima() {
    // 4 ビットのパリティ、隠れ変数 1 つ、λ = 0.01。シード 0 と 4 は別の極小に着く
    let data = parity4();
    let ridge = 0.01;
    let stop = StopRule {
        tolerance: 1e-9,
        max_iterations: 20_000,
    };
    let mut found = Vec::new();
    for seed in [0, 4] {
        let (fit, trace) = random_start(seed, 5, 4)
            .fit(&data, ridge, 0.5, stop)
            .unwrap();
        assert!(trace.converged);
        // 停留点: 正則化つきの勾配が 0
        let g = fit.gradient(&data).unwrap() + fit.model().params() * ridge;
        assert!(g.iter().all(|x| x.abs() < 1e-8));
        // 極小: 正則化つきのヘッセ行列が正定値
        let h = fit.hessian(&data).unwrap() + Array2::<f64>::eye(15) * ridge;
        let e = symmetric_eigen(&h).unwrap();
        assert!(e.values[0] > 1e-3, "最小固有値 {}", e.values[0]);
        found.push(fit.kl(&data).unwrap());
    }
    assert!(found[0] < 0.2 && found[1] > 0.6, "{found:?}");
    // どちらも見える変数だけのモデルの ln 2 よりよい
    assert!(found.iter().all(|&k| k < 2f64.ln()));
}

#[test]
fn eq_3_14_midpoint_between_symmetric_optima_is_worse_so_the_objective_is_not_convex() {
    let data = parity4();
    let stop = StopRule {
        tolerance: 1e-9,
        max_iterations: 20_000,
    };
    let (fit, _) = random_start(0, 5, 4)
        .fit(
            &data,
            0.0,
            0.5,
            StopRule {
                max_iterations: 3000,
                ..stop
            },
        )
        .unwrap();
    let flipped = fit.flip_hidden(0).unwrap();
    let mid_theta = (fit.model().params() + flipped.model().params()) * 0.5;
    let mid = HiddenIsing::new(Ising::from_params(5, &mid_theta).unwrap(), 4).unwrap();
    let (a, b, c) = (
        fit.kl(&data).unwrap(),
        flipped.kl(&data).unwrap(),
        mid.kl(&data).unwrap(),
    );
    assert!((a - b).abs() < 1e-13);
    // 中点では隠れ変数への結合と場がすべて 0: 隠れ変数は何もせず、見える変数だけのモデルになる
    assert!(mid.model().fields()[4] == 0.0);
    assert!(c > a + 0.1, "中点 {c} と端 {a}");
}

#[test]
fn bad_input_is_a_typed_error() {
    let m = model32();
    assert_eq!(m.kl(&Array2::<i8>::zeros((0, 3))), Err(Error::EmptyInput));
    assert!(matches!(
        m.kl(&array![[1, 1]]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        m.kl(&array![[1, 0, 1]]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        m.free_energy(&[1, 1]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        m.permute_hidden(&[0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        m.flip_hidden(2),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        m.fit(
            &data3(),
            -1.0,
            0.1,
            StopRule {
                tolerance: 1e-6,
                max_iterations: 10
            }
        ),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        m.fit(
            &data3(),
            f64::NAN,
            0.1,
            StopRule {
                tolerance: 1e-6,
                max_iterations: 10
            }
        ),
        Err(Error::InvalidParameter { .. })
    ));
    // 勾配の成分は |⟨φ⟩_θ − ⟨φ⟩_data| ≤ 2 で有界なので、学習率が大きすぎても θ は有限のままだが、
    // 1 歩で列挙の精度の範囲 Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4 を出る。黙って壊れた値を返す代わりに、
    // 目的関数を ∞ として 1 歩目の発散を報告する
    let stop = StopRule {
        tolerance: 0.0,
        max_iterations: 100,
    };
    assert!(matches!(
        m.fit(&data3(), 0.0, 1e6, stop),
        Err(Error::Diverged { iteration: 1, .. })
    ));
    // 範囲の中に留まる学習率なら、同じ止め方で有限の KL を返す
    let (tame, _) = m.fit(&data3(), 0.0, 1.0, stop).unwrap();
    assert!(tame.kl(&data3()).unwrap().is_finite());
    assert!(matches!(
        HiddenIsing::new(Ising::zeros(MAX_HIDDEN_MODEL_UNITS + 1).unwrap(), 1),
        Err(Error::TooManySpins { .. })
    ));
    assert!(matches!(
        HiddenIsing::new(Ising::zeros(13).unwrap(), 12)
            .unwrap()
            .hessian(&array![[1; 12]]),
        Err(Error::TooManySpins { .. })
    ));
    // exp があふれる大きさの指数（e^2400）も対数の空間で扱う: v = +1 がほぼ確実なので KL ≈ 0
    let big =
        HiddenIsing::new(Ising::new(array![800.0, 800.0], array![800.0]).unwrap(), 1).unwrap();
    assert!(big.log_z().unwrap().is_finite());
    assert!(big.kl(&array![[1]]).unwrap() < 1e-12);
    assert!((big.free_energy(&[1]).unwrap() + 2400.0).abs() < 1e-9);
}

#[test]
fn parameters_beyond_enumeration_precision_are_refused() {
    // J = 1e99, h = (1, 0): (+,+) と (−,−) の指数 1e99 ± 1 は同じ f64 に丸まり、列挙すれば q の和が 2 になる。
    // Ising モデルの列挙と同じ上限 Σ|θ| ≤ MAX_ENUMERATION_L1 で、モデルを作るときに断る
    let huge = Ising::new(array![1.0, 0.0], array![1e99]).unwrap();
    assert!(matches!(huge.log_z(), Err(Error::InvalidParameter { .. })));
    assert!(matches!(
        HiddenIsing::new(huge, 1),
        Err(Error::InvalidParameter { name: "Σ|θ|", .. })
    ));
    // 上限のすぐ外は断り、上限ちょうどは受け付けて、周辺分布の和は 1、⟨x_0 x_1⟩ ≤ 1
    let over = Ising::new(array![1.0, 0.0], array![MAX_ENUMERATION_L1]).unwrap();
    assert!(matches!(
        HiddenIsing::new(over, 1),
        Err(Error::InvalidParameter { .. })
    ));
    let edge = Ising::new(array![1.0, 0.0], array![MAX_ENUMERATION_L1 - 1.0]).unwrap();
    let m = HiddenIsing::new(edge.clone(), 1).unwrap();
    let q = m.log_marginal().unwrap().mapv(f64::exp);
    let q_plus = 1f64.exp() / (1f64.exp() + (-1f64).exp());
    assert!((q.sum() - 1.0).abs() < 1e-12 && (q[0] - q_plus).abs() < 1e-12);
    let s = m.free_statistics().unwrap();
    assert!(s.iter().all(|x| x.abs() <= 1.0 + 1e-12) && (s[2] - 1.0).abs() < 1e-12);
    // 同じ Ising モデルの列挙とも一致する
    assert!((m.log_z().unwrap() - edge.log_z().unwrap()).abs() < 1e-9);
    // 範囲の端から外へ押し出す学習は、黙って壊れた値を返さずに発散を報告する
    let stop = StopRule {
        tolerance: 0.0,
        max_iterations: 10,
    };
    assert!(matches!(
        m.fit(&array![[1], [-1]], 0.0, 1e5, stop),
        Err(Error::Diverged { .. })
    ));
}

#[test]
fn eq_3_1_parity_data_puts_one_eighth_on_even_states() {
    // (3.1): 積が +1 の 8 状態に 1/8、−1 の状態に 0。クレートの経験分布（KL の第 1 項）から読む:
    // 一様分布との KL = Σ p ln(16 p) は、8 状態に 1/8 なら ln 2、ほかの分け方なら違う値
    let data = parity4();
    assert_eq!(data.nrows(), 8);
    let uniform = HiddenIsing::new(Ising::zeros(4).unwrap(), 4).unwrap();
    assert!((uniform.kl(&data).unwrap() - 2f64.ln()).abs() < 1e-15);
    for row in data.rows() {
        assert_eq!(row.iter().map(|&v| i32::from(v)).product::<i32>(), 1);
    }
}

#[test]
fn eq_3_2_parity_moments_vanish() {
    // (3.2): クレートのデータの統計量（1 次と 2 次のモーメント）がすべて 0
    let s = genmodel::boltzmann::ising::data_statistics(&parity4()).unwrap();
    assert_eq!(s.len(), 10);
    assert!(s.iter().all(|&x| x == 0.0), "{s}");
}

#[test]
fn eq_3_5_free_energy_is_minus_log_of_hidden_sum() {
    // 隠れ変数 1 つ: F(v) = −Σ_k a_k v_k − Σ_{k<l} J_kl v_k v_l − ln(2 cosh(c + Σ_k w_k v_k))
    let theta = array![0.2, -0.3, 0.4, 0.5, -0.6, 0.7];
    let m = HiddenIsing::new(Ising::from_params(3, &theta).unwrap(), 2).unwrap();
    // 対の順: (0,1) = J_vv、(0,2) = w_0、(1,2) = w_1
    for v in states(2) {
        let (v0, v1) = (f64::from(v[0]), f64::from(v[1]));
        let want =
            -0.2 * v0 + 0.3 * v1 - 0.5 * v0 * v1 - (2.0 * (0.4 - 0.6 * v0 + 0.7 * v1).cosh()).ln();
        assert!((m.free_energy(v.as_slice()).unwrap() - want).abs() < 1e-14);
    }
}

#[test]
fn eq_3_6_partition_function_is_sum_of_exp_minus_free_energy() {
    let m = model32();
    let z: f64 = states(3)
        .iter()
        .map(|v| (-m.free_energy(v.as_slice()).unwrap()).exp())
        .sum();
    assert!((m.log_z().unwrap() - z.ln()).abs() < 1e-13);
    // クレートの Ising モデルの列挙（別の実装: Gray 符号とブロックの和）とも一致
    assert!((m.log_z().unwrap() - m.model().log_z().unwrap()).abs() < 1e-13);
}

#[test]
fn eq_3_7_posterior_is_joint_over_marginal() {
    // 隠れ変数 1 つ: q(h = +1 | v) = σ(2(c + w·v)) = e^{c + w·v} / (2 cosh(c + w·v))
    let theta = array![0.2, -0.3, 0.4, 0.5, -0.6, 0.7];
    let m = HiddenIsing::new(Ising::from_params(3, &theta).unwrap(), 2).unwrap();
    for v in states(2) {
        let a = 0.4 - 0.6 * f64::from(v[0]) + 0.7 * f64::from(v[1]);
        let p = m.posterior(v.as_slice()).unwrap();
        assert!((p[0] - 1.0 / (1.0 + (-2.0 * a).exp())).abs() < 1e-15);
        assert!((p[0] + p[1] - 1.0).abs() < 1e-15);
    }
}

#[test]
fn eq_3_9_free_energy_derivative_is_minus_posterior_mean() {
    // ∂F/∂θ_α の中心差分 = −Σ_h q(h|v) φ_α(v, h)（事後分布はクレート、φ はテストで作る）
    let m = model32();
    let theta = m.model().params();
    let eps = 1e-5;
    for v in states(3) {
        let post = m.posterior(v.as_slice()).unwrap();
        for a in 0..theta.len() {
            let f = |d: f64| {
                let mut t = theta.clone();
                t[a] += d;
                HiddenIsing::new(Ising::from_params(5, &t).unwrap(), 3)
                    .unwrap()
                    .free_energy(v.as_slice())
                    .unwrap()
            };
            let fd = (f(eps) - f(-eps)) / (2.0 * eps);
            let mean: f64 = states(2)
                .iter()
                .zip(post.iter())
                .map(|(h, p)| {
                    let x: Array1<i8> = v.iter().chain(h).copied().collect();
                    p * sufficient_statistics(&x).unwrap()[a]
                })
                .sum();
            assert!((fd + mean).abs() < 1e-8, "α = {a}: {fd} vs {}", -mean);
        }
    }
}

#[test]
fn eq_3_10_log_partition_derivative_is_free_expectation() {
    let m = model32();
    let theta = m.model().params();
    let free = m.free_statistics().unwrap();
    let eps = 1e-5;
    for a in 0..theta.len() {
        let lz = |d: f64| {
            let mut t = theta.clone();
            t[a] += d;
            HiddenIsing::new(Ising::from_params(5, &t).unwrap(), 3)
                .unwrap()
                .log_z()
                .unwrap()
        };
        assert!(((lz(eps) - lz(-eps)) / (2.0 * eps) - free[a]).abs() < 1e-8);
    }
}

#[test]
fn without_penalty_parity_kl_keeps_falling_towards_zero() {
    // 罰則なしでは、KL はパラメータが大きくなる方向に 0 へ近づく（有限の最小点がない）
    let stop = StopRule {
        tolerance: 0.0,
        max_iterations: 4000,
    };
    let (fit, trace) = random_start(0, 5, 4)
        .fit(&parity4(), 0.0, 0.5, stop)
        .unwrap();
    let v = &trace.values;
    assert!(fit.kl(&parity4()).unwrap() < 0.02);
    // 最後の 1000 回でもまだ下がり続ける
    assert!(v[v.len() - 1] < v[v.len() - 1001]);
    assert!(fit.model().params().iter().any(|t| t.abs() > 3.0));
}
