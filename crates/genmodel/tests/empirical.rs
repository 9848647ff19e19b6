//! 第 1 章の式 (1.1)–(1.3) と、第 2 章冒頭のボルツマン分布 (2.1)–(2.2) の検証。

use approx::assert_relative_eq;
use genmodel::distribution::{Boltzmann, Categorical, EmpiricalDistribution, expectation};
use genmodel::divergence::kl_divergence;
use genmodel::ndarray::{Array1, Array2, array};
use genmodel::{Error, logspace::log_sum_exp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 離散分布 `p` から `n` 個の状態を引く（逆関数法）。
fn sample_states(p: &[f64], n: usize, rng: &mut impl Rng) -> Vec<usize> {
    (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            p.iter()
                .position(|&pi| {
                    acc += pi;
                    u < acc
                })
                .unwrap_or(p.len() - 1)
        })
        .collect()
}

#[test]
fn eq_1_1_discrete_empirical_is_counts_over_n() {
    // クロネッカーのデルタの和 (1/n) Σ_i δ(x, x_i) を、定義どおりの二重ループで数えて比べる
    let data = [3, 1, 3, 0, 3, 1, 4];
    let p0 = EmpiricalDistribution::from_states(&data, 5).unwrap();
    for x in 0..5 {
        let by_definition = data
            .iter()
            .map(|&xi| if xi == x { 1.0 } else { 0.0 })
            .sum::<f64>()
            / data.len() as f64;
        assert_eq!(p0.probabilities()[x], by_definition);
    }
    assert_eq!(p0.probabilities()[2], 0.0, "一度も出ない状態の確率は 0");
    assert_relative_eq!(p0.probabilities().iter().sum::<f64>(), 1.0, epsilon = 1e-15);
}

#[test]
fn eq_1_1a_continuous_empirical_expectation_is_sample_mean() {
    // ディラックのデルタの性質 ∫ dx δ(x - x_i) f(x) = f(x_i) から、∫ p0 f = (1/n) Σ f(x_i)
    let xs = [0.5, -1.25, 2.0, 3.5];
    let s = Array2::from_shape_vec((4, 1), xs.to_vec()).unwrap();
    assert_eq!(
        expectation(&s, |x| x[0]).unwrap(),
        (0.5 - 1.25 + 2.0 + 3.5) / 4.0
    );
    assert_eq!(expectation(&s, |_| 1.0).unwrap(), 1.0, "p0 の全質量は 1");
    // 指示関数の期待値 = その区間に入った標本の割合
    assert_eq!(
        expectation(&s, |x| if x[0] > 1.0 { 1.0 } else { 0.0 }).unwrap(),
        0.5
    );
}

#[test]
fn eq_1_1_bad_input_is_a_typed_error() {
    assert_eq!(
        EmpiricalDistribution::from_states(&[], 3),
        Err(Error::EmptyInput)
    );
    assert_eq!(
        EmpiricalDistribution::from_states(&[0], 0),
        Err(Error::EmptyInput)
    );
    assert_eq!(
        EmpiricalDistribution::from_states(&[0, 3], 3),
        Err(Error::StateOutOfRange {
            state: 3,
            n_states: 3
        })
    );
    assert_eq!(
        expectation(&Array2::<f64>::zeros((0, 1)), |x| x[0]),
        Err(Error::EmptyInput)
    );
    assert!(matches!(
        expectation(&array![[1.0], [f64::NAN]], |x| x[0]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    // 長さのそろわない行は 2 次元配列にならない（ndarray が形で断る）
    assert!(Array2::from_shape_vec((2, 2), vec![1.0, 2.0, 3.0]).is_err());
    assert!(matches!(
        Categorical::new(array![0.5, 0.5])
            .and_then(|p| kl_divergence(&p, &Categorical::new(array![1.0])?)),
        Err(Error::DimensionMismatch {
            expected: 2,
            actual: 1
        })
    ));
}

#[test]
fn eq_1_2_discrete_empirical_converges_to_p() {
    // 大数の法則: |p0(x) - p(x)| の標準偏差は sqrt(p(1-p)/n) ≤ 0.5/sqrt(n)。
    // 6 標準偏差を超える確率は 1e-8 程度なので、固定シードで偽陽性は事実上起きない。
    let p = [0.1, 0.2, 0.3, 0.4];
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut prev_kl = f64::INFINITY;
    for n in [100usize, 10_000, 1_000_000] {
        let p0 = EmpiricalDistribution::from_states(&sample_states(&p, n, &mut rng), 4).unwrap();
        let max_dev = p0
            .probabilities()
            .iter()
            .zip(p)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            max_dev < 6.0 * 0.5 / (n as f64).sqrt(),
            "n = {n}: 偏差 {max_dev}"
        );
        let kl = kl_divergence(
            p0.as_categorical(),
            &Categorical::new(Array1::from(p.to_vec())).unwrap(),
        )
        .unwrap();
        assert!(kl < prev_kl, "n = {n}: D(p0 ‖ p) = {kl} が減らない");
        prev_kl = kl;
    }
    // E[D(p0‖p)] ≈ (K-1)/(2n) = 1.5e-6 （カイ二乗近似）。その 10 倍を上限とする。
    assert!(prev_kl < 1.5e-5);
}

#[test]
fn eq_1_2a_continuous_holds_for_expectations_not_pointwise() {
    // 連続の場合、p0 はデルタ関数の和で、各点では p に近づかない。
    // 近づくのは期待値: (1/n) Σ f(x_i) → ∫ p f。一様分布 U(0,1) で f(x) = x² なら 1/3。
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 200_000;
    let xs: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let s = Array2::from_shape_vec((n, 1), xs.clone()).unwrap();
    // Var[x²] = 1/5 - 1/9 = 4/45、標準誤差 sqrt(4/45/n) ≈ 6.7e-4。6 標準誤差で判定する。
    let se = (4.0 / 45.0 / n as f64).sqrt();
    assert!((expectation(&s, |x| x[0] * x[0]).unwrap() - 1.0 / 3.0).abs() < 6.0 * se);
    // 各点の値としては、標本点以外で p0 = 0 だが p = 1: 点ごとの近似は成り立たない
    let x = 0.123_456_789_f64;
    assert!(xs.iter().all(|&xi| xi != x), "x は標本点ではない");
}

#[test]
fn eq_1_3_boltzmann_model_with_matching_energy_reproduces_p() {
    // 正の確率をもつ任意の分布 p は、E(x) = -ln p(x) のボルツマン分布として書ける（Z = 1）。
    // つまり (2.1) の形のモデルで (1.3) の q ≈ p は（十分な自由度があれば）厳密に達成できる。
    let p = Categorical::new(array![0.05, 0.15, 0.3, 0.5]).unwrap();
    let energies: Vec<f64> = p.probabilities().iter().map(|v| -v.ln()).collect();
    let q = Boltzmann::new(Array1::from(energies)).unwrap();
    assert_relative_eq!(q.log_z(), 0.0, epsilon = 1e-15);
    assert!(kl_divergence(&p, &q.distribution()).unwrap().abs() < 1e-15);
    // 合っていないモデル（一様）では D > 0
    let flat = Boltzmann::new(Array1::from(vec![0.0; 4])).unwrap();
    assert!(kl_divergence(&p, &flat.distribution()).unwrap() > 0.1);
}

#[test]
fn eq_2_1_boltzmann_probabilities_sum_to_one_and_are_shift_invariant() {
    let e = vec![0.3, -1.2, 2.5, 0.0, 4.0];
    let q = Boltzmann::new(Array1::from(e.clone())).unwrap();
    let sum: f64 = (0..5).map(|x| q.probability(x).unwrap()).sum();
    assert_relative_eq!(sum, 1.0, epsilon = 1e-15);
    // 定義どおりの exp(-E)/Σexp(-E) と比べる（E が小さいので直接計算してもあふれない）
    let z: f64 = e.iter().map(|v| (-v).exp()).sum();
    for (x, ex) in e.iter().enumerate() {
        assert_relative_eq!(
            q.probability(x).unwrap(),
            (-ex).exp() / z,
            max_relative = 1e-14
        );
    }
    // E に定数を足しても q は変わらない（Z が exp(-c) 倍になって打ち消す）
    let shifted = Boltzmann::new(Array1::from(
        e.iter().map(|v| v + 123.0).collect::<Vec<f64>>(),
    ))
    .unwrap();
    for x in 0..5 {
        assert_relative_eq!(
            shifted.probability(x).unwrap(),
            q.probability(x).unwrap(),
            max_relative = 1e-12
        );
    }
    // エネルギーが低い状態ほど確率が高い
    assert!(q.probability(1).unwrap() > q.probability(0).unwrap());
}

/// 行 `rows` の張る空間の次元（修正グラム・シュミット法。各行の残差が元の長さの `rel_tol` 倍以下なら従属とみなす）。
fn numerical_rank(rows: &[Vec<f64>], rel_tol: f64) -> usize {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for r in rows {
        let norm0 = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut v = r.clone();
        // 丸め誤差を抑えるため、射影を 2 回引く
        for _ in 0..2 {
            for b in &basis {
                let c: f64 = v.iter().zip(b).map(|(a, bb)| a * bb).sum();
                v.iter_mut().zip(b).for_each(|(a, bb)| *a -= c * bb);
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > rel_tol * norm0 {
            basis.push(v.iter().map(|a| a / norm).collect());
        }
    }
    basis.len()
}

// 検証の種類: 数学の事実（実装を呼ばない）。印刷された式は tests/printed/ で実行する
#[test]
fn eq_2_1_boltzmann_form_is_exponential_family_only_for_linear_energy() {
    // ノートは (2.1) の形を「指数関数分布族」と呼ぶ。指数型分布族 h(x) exp(η(θ)·T(x) - A(θ))
    // （T は d 次元）なら、対数比 r_θ(x) = ln q_θ(x) - ln q_θ0(x) はどの θ でも 1, T_1, …, T_d の
    // 線形結合なので、θ_1, …, θ_m の対数比を並べた行列の階数は m によらず d + 1 以下である。
    let xs: Vec<f64> = (0..=1200).map(|i| -6.0 + 0.01 * f64::from(i)).collect();
    let log_ratio =
        |e: &dyn Fn(f64, &[f64]) -> f64, ln_z: &dyn Fn(&[f64]) -> f64, t: &[f64], t0: &[f64]| {
            xs.iter()
                .map(|&x| (-e(x, t) - ln_z(t)) - (-e(x, t0) - ln_z(t0)))
                .collect::<Vec<f64>>()
        };
    // エネルギーが θ について線形: E_θ(x) = -θ_1 x - θ_2 x²（θ_2 < 0）。
    // ln Z_θ = ½ ln(π/(-θ_2)) + θ_1²/(-4θ_2)（平方完成とガウス積分 (2.9a)）。対数比は 1, x, x² で張れて階数 3。
    let e_lin = |x: f64, t: &[f64]| -t[0] * x - t[1] * x * x;
    let z_lin = |t: &[f64]| 0.5 * (std::f64::consts::PI / -t[1]).ln() + t[0] * t[0] / (-4.0 * t[1]);
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let t0 = [0.0, -0.5];
    let rows: Vec<Vec<f64>> = (0..12)
        .map(|_| {
            let t = [rng.random_range(-1.0..1.0), rng.random_range(-2.0..-0.2)];
            log_ratio(&e_lin, &z_lin, &t, &t0)
        })
        .collect();
    assert_eq!(
        numerical_rank(&rows, 1e-7),
        3,
        "線形なエネルギーは 2 次元の指数型分布族"
    );
    // エネルギーが θ に線形でない: E_θ(x) = |x - θ|（Z_θ = ∫ e^{-|x-θ|} dx = 2 で θ によらない）。
    // 対数比 |x| - |x - θ_j| は θ_j ごとに違う位置で折れるので互いに独立で、階数は m のまま増え続ける。
    // どんな有限の d の指数型分布族にも入らない: ノートの呼び方は一般の (2.1) には当てはまらない。
    let e_abs = |x: f64, t: &[f64]| (x - t[0]).abs();
    let z_abs = |_: &[f64]| 2f64.ln();
    let rows: Vec<Vec<f64>> = (0..12)
        .map(|j| log_ratio(&e_abs, &z_abs, &[-2.75 + 0.5 * f64::from(j)], &[0.0]))
        .collect();
    for m in [4, 8, 12] {
        assert_eq!(numerical_rank(&rows[..m], 1e-7), m, "m = {m}");
    }
}

#[test]
fn eq_2_2_log_partition_matches_closed_forms() {
    // 独立な N 個のスピン x_k ∈ {-1, +1}、E(x) = -Σ h_k x_k なら Z = Π 2 cosh h_k。
    let h = [0.3, -0.7, 1.1];
    let mut energies = Vec::new();
    for s in 0..8u32 {
        let x: Vec<f64> = (0..3)
            .map(|k| if s >> k & 1 == 1 { 1.0 } else { -1.0 })
            .collect();
        energies.push(-(0..3).map(|k| h[k] * x[k]).sum::<f64>());
    }
    let q = Boltzmann::new(Array1::from(energies)).unwrap();
    let closed: f64 = h.iter().map(|v| (2.0 * f64::cosh(*v)).ln()).sum();
    assert_relative_eq!(q.log_z(), closed, max_relative = 1e-14);
}

#[test]
fn eq_2_2a_log_sum_exp_does_not_overflow() {
    // exp(800) は f64 の最大値 (≈ exp(709.8)) を超える。素朴な計算は ∞ になるが ln Z は有限。
    let e = vec![-800.0, -800.0 + 2f64.ln(), 0.0];
    assert!(
        e.iter().map(|v| (-v).exp()).sum::<f64>().is_infinite(),
        "素朴な Z はあふれる"
    );
    let q = Boltzmann::new(Array1::from(e)).unwrap();
    // ln(e^800 + e^800/2 + 1) = 800 + ln(1.5) + ln(1 + e^-800/1.5) ≈ 800 + ln 1.5
    assert_relative_eq!(q.log_z(), 800.0 + 1.5f64.ln(), max_relative = 1e-15);
    assert_relative_eq!(q.probability(0).unwrap(), 2.0 / 3.0, max_relative = 1e-12);
    assert_eq!(
        q.probability(2).unwrap(),
        0.0,
        "exp(-800) は 0 に丸められてよい（NaN ではない）"
    );
    assert_eq!(
        log_sum_exp(&[f64::NEG_INFINITY, f64::NEG_INFINITY]).unwrap(),
        f64::NEG_INFINITY
    );
}

#[test]
fn expectation_reads_non_contiguous_views_by_index() {
    // 行 i・列 k の値が 10 i + k のデータ。転置・1 行おき・1 列だけのビューは歩幅が 1 でないが、
    // 添字どおりに読まれて、連続な写しと同じ期待値になる。
    let data = Array2::from_shape_fn((6, 3), |(i, k)| (10 * i + k) as f64);
    let every_other = data.slice(genmodel::ndarray::s![..;2, ..]);
    assert!(!every_other.is_standard_layout());
    let want = (0.0 + 20.0 + 40.0) / 3.0 + 1.0; // 行 0, 2, 4 の列 1
    assert_eq!(expectation(every_other, |x| x[1]).unwrap(), want);
    assert_eq!(
        expectation(every_other, |x| x[1]).unwrap(),
        expectation(&every_other.to_owned(), |x| x[1]).unwrap()
    );
    // 転置: 3 標本 × 6 次元。標本 k の成分和は Σ_i (10 i + k) = 150 + 6k
    let t = data.t();
    assert_eq!(
        expectation(t, |x| x.sum()).unwrap(),
        (150.0 + 156.0 + 162.0) / 3.0
    );
}

#[test]
fn eq_2_1_distribution_survives_huge_log_partition() {
    // ln Z ≈ 800 でも、q = exp(-E - ln Z) の各値は 1 以下であふれない
    let q = Boltzmann::new(Array1::from(vec![-800.0, -800.0 + 2f64.ln()])).unwrap();
    let d = q.distribution();
    assert_relative_eq!(d.probabilities()[0], 2.0 / 3.0, max_relative = 1e-12);
    assert_relative_eq!(d.probabilities()[1], 1.0 / 3.0, max_relative = 1e-12);
}
