//! §2.5 の Ising 型ボルツマンマシン（式 (2.25)–(2.29)）と、その学習（式 (2.30)）・ヘッセ行列（式 (2.40a), (2.44a)）の検証。
//!
//! 期待値は列挙の実装とは独立に求める: 閉じた形（1 スピン、独立なスピン、開いた鎖）、
//! 定義どおりの素朴な全列挙（Gray 符号もブロック分けも使わない）、中心差分、
//! 汎用の KL 情報量 (2.3)（`genmodel::divergence`）。

use genmodel::Error;
use genmodel::boltzmann::ising::{
    self, Ising, KlObjective, Outcome, data_statistics, global_curvature_bound, n_params, pairs,
    sharp_curvature_bound,
};
use genmodel::distribution::{Boltzmann, EmpiricalDistribution};
use genmodel::divergence::kl_divergence;
use genmodel::ndarray::{Array1, Array2, ArrayView1, AsArray, Axis, Ix1, Slice, array};
use genmodel::optim::{StepSize, StopRule};
use genmodel::prec::{ENUMERATION_TOLERANCE, FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 定義どおりの素朴な全列挙: 各状態で指数 `Σ_{k<l} J x x + Σ h x` を一から計算する。
struct Brute {
    log_z: f64,
    means: Vec<f64>,
    corr: Vec<f64>,
    exponents: Vec<f64>,
}

fn spins(s: usize, n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| if (s >> k) & 1 == 1 { -1.0 } else { 1.0 })
        .collect()
}

fn brute(model: &Ising) -> Brute {
    let n = model.n_spins();
    let h = model.fields();
    let j = model.couplings();
    let exponents: Vec<f64> = (0..1usize << n)
        .map(|s| {
            let x = spins(s, n);
            let mut e = 0.0;
            for k in 0..n {
                e += h[k] * x[k];
            }
            for (idx, (k, l)) in pairs(n).enumerate() {
                e += j[idx] * x[k] * x[l];
            }
            e
        })
        .collect();
    let mx = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = exponents.iter().map(|e| (e - mx).exp()).collect();
    let z: f64 = w.iter().sum();
    let mut means = vec![0.0; n];
    let mut corr = vec![0.0; n * (n - 1) / 2];
    for (s, ws) in w.iter().enumerate() {
        let x = spins(s, n);
        for k in 0..n {
            means[k] += ws * x[k] / z;
        }
        for (idx, (k, l)) in pairs(n).enumerate() {
            corr[idx] += ws * x[k] * x[l] / z;
        }
    }
    Brute {
        log_z: mx + z.ln(),
        means,
        corr,
        exponents,
    }
}

fn random_model(rng: &mut ChaCha8Rng, n: usize, scale: f64) -> Ising {
    let h = (0..n).map(|_| rng.random_range(-scale..scale)).collect();
    let j = (0..n * (n - 1) / 2)
        .map(|_| rng.random_range(-scale..scale))
        .collect();
    Ising::new(h, j).unwrap()
}

fn max_abs_diff<'a, 'b>(a: impl AsArray<'a, f64, Ix1>, b: impl AsArray<'b, f64, Ix1>) -> f64 {
    let (a, b): (ArrayView1<f64>, ArrayView1<f64>) = (a.into(), b.into());
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// `count` 個の配置（1 行 1 配置）。各スピンは確率 `p_up` で +1（行ごとに左から乱数を引く）。
fn random_spins(rng: &mut ChaCha8Rng, n: usize, count: usize, p_up: f64) -> Array2<i8> {
    Array2::from_shape_fn((count, n), |_| if rng.random_bool(p_up) { 1 } else { -1 })
}

// ---------------------------------------------------------------- (2.25)

/// 式 (2.25) を (2.1) の形に読むと `E = −(Σ J x x + Σ h x)`（式 (2.25a)）。
/// 手で計算した値と比べ、さらに「`q ∝ exp(−E)`」が列挙の確率と一致することを
/// 汎用のボルツマン分布（`boltzmann::Boltzmann`）で確かめる。
#[test]
fn eq_2_25a_energy_is_minus_the_exponent() {
    // N = 3, h = (0.5, −1, 0.25), J01 = 2, J02 = −0.5, J12 = 1
    let m = Ising::new(array![0.5, -1.0, 0.25], array![2.0, -0.5, 1.0]).unwrap();
    // x = (1, −1, 1): Σ h x = 0.5 + 1 + 0.25 = 1.75; Σ J x x = −2 − 0.5 − 1 = −3.5
    assert_eq!(m.energy(&[1, -1, 1]).unwrap(), -(1.75 - 3.5));
    // x = (1, 1, 1): Σ h x = −0.25; Σ J x x = 2.5
    assert_eq!(m.energy(&[1, 1, 1]).unwrap(), -(-0.25 + 2.5));
    assert!(m.energy(&[1, 0, 1]).is_err());
}

#[test]
fn eq_2_25_model_is_boltzmann_with_that_energy() {
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let m = random_model(&mut rng, 5, 1.0);
    let energies: Array1<f64> = (0..32usize)
        .map(|s| m.energy(&ising::spins_of_state(s, 5).unwrap()).unwrap())
        .collect();
    let q = Boltzmann::new(energies.clone()).unwrap();
    let exact = m.exact().unwrap();
    assert!((q.log_z() - exact.log_z()).abs() < ENUMERATION_TOLERANCE);
    // ⟨x_0⟩ を exp(−E)/Z の重みで
    let mean0: f64 = (0..32usize)
        .map(|s| q.probability(s).unwrap() * f64::from(ising::spins_of_state(s, 5).unwrap()[0]))
        .sum();
    assert!((mean0 - exact.means()[0]).abs() < ENUMERATION_TOLERANCE);
    // 逆の符号 q ∝ exp(+E) なら ⟨x_0⟩ は違う値になる（符号の規約が効いていることの確認）
    let flipped = Boltzmann::new(energies.mapv(|e| -e)).unwrap();
    let mean0_flipped: f64 = (0..32usize)
        .map(|s| {
            flipped.probability(s).unwrap() * f64::from(ising::spins_of_state(s, 5).unwrap()[0])
        })
        .sum();
    assert!((mean0_flipped - exact.means()[0]).abs() > 1e-3);
}

/// 強磁性の結合 `J > 0` は、そろった配置を選ぶ（`⟨x_k x_l⟩ > 0`）。符号の規約 (2.25) の意味。
#[test]
fn eq_2_25_ferromagnetic_coupling_aligns_spins() {
    let m = Ising::new(array![0.0, 0.0], array![1.0])
        .unwrap()
        .exact()
        .unwrap();
    assert!((m.correlations()[0] - 1f64.tanh()).abs() < ENUMERATION_TOLERANCE);
    let m = Ising::new(array![0.0, 0.0], array![-1.0])
        .unwrap()
        .exact()
        .unwrap();
    assert!((m.correlations()[0] + 1f64.tanh()).abs() < ENUMERATION_TOLERANCE);
}

// ---------------------------------------------------------------- (2.26)

#[test]
fn eq_2_26_single_spin_closed_form() {
    for &h in &[-3.0, -0.7, 0.0, 0.2, 5.0] {
        let m = Ising::new(array![h], array![]).unwrap().exact().unwrap();
        assert!((m.log_z() - (2.0 * f64::cosh(h)).ln()).abs() < ENUMERATION_TOLERANCE);
        assert!((m.means()[0] - h.tanh()).abs() < ENUMERATION_TOLERANCE);
    }
}

/// J = 0 なら各スピンは独立: `Z = ∏ 2 cosh h_k`、`⟨x_k⟩ = tanh h_k`、`⟨x_k x_l⟩ = tanh h_k tanh h_l`。
/// N = 20 は下位ブロック（12 スピン）と上位ブロック（8 スピン）にまたがる。
#[test]
fn eq_2_26_independent_spins_closed_form() {
    let mut rng = ChaCha8Rng::seed_from_u64(26);
    for &n in &[3usize, 12, 13, 20] {
        let h: Array1<f64> = (0..n).map(|_| rng.random_range(-1.5..1.5)).collect();
        let m = Ising::new(h.clone(), Array1::zeros(n * (n - 1) / 2))
            .unwrap()
            .exact()
            .unwrap();
        let log_z: f64 = h.iter().map(|v| (2.0 * v.cosh()).ln()).sum();
        assert!((m.log_z() - log_z).abs() < ENUMERATION_TOLERANCE, "N = {n}");
        let t: Array1<f64> = h.mapv(f64::tanh);
        assert!(max_abs_diff(m.means(), &t) < ENUMERATION_TOLERANCE);
        let c: Array1<f64> = pairs(n).map(|(k, l)| t[k] * t[l]).collect();
        assert!(max_abs_diff(m.correlations(), &c) < ENUMERATION_TOLERANCE);
    }
}

/// 開いた 1 次元の鎖、h = 0: `Z = 2 ∏_k 2 cosh J_k`、`⟨x_a x_b⟩ = ∏_{a ≤ k < b} tanh J_k`、`⟨x_k⟩ = 0`。
/// スピンの番号を並べ替えた鎖でも確かめ、ブロックをまたぐ結合をすべての組み合わせで通す。
#[test]
fn eq_2_26a_open_chain_closed_form() {
    let mut rng = ChaCha8Rng::seed_from_u64(226);
    for &n in &[2usize, 5, 14, 18] {
        let jc: Vec<f64> = (0..n - 1).map(|_| rng.random_range(-1.2..1.2)).collect();
        // 鎖の i 番目の位置に置くスピンの番号
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            perm.swap(i, rng.random_range(0..=i));
        }
        for order in [(0..n).collect::<Vec<_>>(), perm] {
            let mut j = Array1::zeros(n * (n - 1) / 2);
            for (i, &c) in jc.iter().enumerate() {
                j[ising::pair_index(n, order[i], order[i + 1]).unwrap()] = c;
            }
            let m = Ising::new(Array1::zeros(n), j).unwrap().exact().unwrap();
            let log_z = 2f64.ln() + jc.iter().map(|c| (2.0 * c.cosh()).ln()).sum::<f64>();
            assert!((m.log_z() - log_z).abs() < ENUMERATION_TOLERANCE, "N = {n}");
            assert!(m.means().iter().all(|v| v.abs() < ENUMERATION_TOLERANCE));
            for a in 0..n {
                for b in a + 1..n {
                    let want: f64 = jc[a..b].iter().map(|c| c.tanh()).product();
                    let got = m.correlation(order[a], order[b]).unwrap();
                    assert!(
                        (got - want).abs() < ENUMERATION_TOLERANCE,
                        "N = {n}, ({a}, {b})"
                    );
                }
            }
        }
    }
}

/// 乱数の (h, J) で、素朴な全列挙と一致する（N = 1..8 と、ブロックをまたぐ N = 13, 14）。
#[test]
fn eq_2_26_matches_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(20260);
    for &n in &[1usize, 2, 3, 4, 5, 6, 7, 8, 13, 14] {
        for &scale in &[0.3, 1.5] {
            let m = random_model(&mut rng, n, scale);
            let b = brute(&m);
            let e = m.exact().unwrap();
            assert!(
                (e.log_z() - b.log_z).abs() < ENUMERATION_TOLERANCE,
                "N = {n}"
            );
            assert!(
                max_abs_diff(e.means(), &b.means) < ENUMERATION_TOLERANCE,
                "N = {n}"
            );
            assert!(
                max_abs_diff(e.correlations(), &b.corr) < ENUMERATION_TOLERANCE,
                "N = {n}"
            );
        }
    }
}

/// `Z` そのものは `exp(600)` であふれるが、`ln Z` は log-sum-exp で求まる。
/// 3 スピンの強磁性 (J = 200): `Z = 2e^{600} + 6e^{−200}`、`ln Z = 600 + ln 2`（差は `e^{−800}`）。
#[test]
fn eq_2_26_log_z_does_not_overflow() {
    let m = Ising::new(Array1::zeros(3), Array1::from_elem(3, 200.0))
        .unwrap()
        .exact()
        .unwrap();
    assert!(m.log_z().is_finite());
    assert!((m.log_z() - (600.0 + 2f64.ln())).abs() < 1e-12);
    assert!((m.correlations()[0] - 1.0).abs() < 1e-12);
    // ブロックをまたぐ大きさでも: N = 14、J = 0、h = 300 のすべて: ln Z = Σ ln(2 cosh 300) = 14 (300 + ln(1 + e^{−600}))
    let m = Ising::new(Array1::from_elem(14, 300.0), Array1::zeros(91))
        .unwrap()
        .exact()
        .unwrap();
    assert!((m.log_z() - 14.0 * 300.0).abs() < 1e-9);
}

#[test]
fn eq_2_26_too_many_spins_is_a_typed_error() {
    let n = ising::MAX_SPINS + 1;
    let m = Ising::zeros(n).unwrap();
    assert_eq!(
        m.exact(),
        Err(Error::TooManySpins {
            n,
            max: ising::MAX_SPINS
        })
    );
    assert!(matches!(m.log_z(), Err(Error::TooManySpins { .. })));
    assert!(matches!(
        m.statistics_covariance(),
        Err(Error::TooManySpins { .. })
    ));
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    assert!(matches!(
        m.sample(&mut rng, 1),
        Err(Error::TooManySpins { .. })
    ));
    assert!(Ising::zeros(0).is_err());
    assert!(Ising::new(array![1e300, 1e300], array![1e300]).is_err());
}

// ---------------------------------------------------------------- (2.27)

/// 式 (2.27) を、状態の番号の上の経験分布と、素朴な列挙のエネルギーによるボルツマン分布の
/// 汎用 KL 情報量 (2.3) と比べる。
#[test]
fn eq_2_27_kl_matches_generic_kl_divergence() {
    let mut rng = ChaCha8Rng::seed_from_u64(227);
    let n = 4;
    let data = random_spins(&mut rng, n, 37, 0.6);
    let states: Vec<usize> = data
        .rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(k, &x)| if x == -1 { 1 << k } else { 0 })
                .sum()
        })
        .collect();
    let p0 = EmpiricalDistribution::from_states(&states, 1 << n).unwrap();
    let kl = KlObjective::from_data(&data).unwrap();
    for _ in 0..5 {
        let m = random_model(&mut rng, n, 1.0);
        let q = Boltzmann::new(brute(&m).exponents.iter().map(|e| -e).collect()).unwrap();
        let want = kl_divergence(p0.as_categorical(), &q.distribution()).unwrap();
        assert!((kl.value(&m).unwrap() - want).abs() < ENUMERATION_TOLERANCE);
    }
}

/// KL は非負で、p0 がモデルそのものなら 0（Gibbs の不等式 (2.5)）。
#[test]
fn eq_2_27_kl_nonnegative_and_zero_at_truth() {
    let mut rng = ChaCha8Rng::seed_from_u64(2271);
    let truth = random_model(&mut rng, 5, 0.8);
    let kl = KlObjective::from_model(&truth).unwrap();
    assert!(kl.value(&truth).unwrap().abs() < ENUMERATION_TOLERANCE);
    for _ in 0..10 {
        let m = random_model(&mut rng, 5, 0.8);
        assert!(kl.value(&m).unwrap() > 0.0);
    }
    assert!(matches!(
        kl.value(&Ising::zeros(4).unwrap()),
        Err(Error::DimensionMismatch { .. })
    ));
}

// ---------------------------------------------------------------- (2.28), (2.29)

fn fd_gradient(kl: &KlObjective, m: &Ising) -> Vec<f64> {
    let theta = m.params().to_vec();
    let n = m.n_spins();
    (0..theta.len())
        .map(|i| {
            let h = FINITE_DIFFERENCE_STEP * theta[i].abs().max(1.0);
            let mut tp = theta.clone();
            tp[i] += h;
            let mut tm = theta.clone();
            tm[i] -= h;
            let fp = kl.value(&Ising::from_params(n, &tp).unwrap()).unwrap();
            let fm = kl.value(&Ising::from_params(n, &tm).unwrap()).unwrap();
            (fp - fm) / (2.0 * h)
        })
        .collect()
}

fn assert_close_relative(got: &[f64], want: &[f64], tol: f64) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol * w.abs().max(1.0), "got {g}, want {w}");
    }
}

fn sample_data(rng: &mut ChaCha8Rng, n: usize, count: usize) -> Array2<i8> {
    random_spins(rng, n, count, 0.65)
}

#[test]
fn eq_2_28_grad_h_matches_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(228);
    for &n in &[1usize, 3, 6] {
        let kl = KlObjective::from_data(&sample_data(&mut rng, n, 50)).unwrap();
        let m = random_model(&mut rng, n, 1.0);
        let g = kl.gradient(&m).unwrap().to_vec();
        let fd = fd_gradient(&kl, &m);
        assert_close_relative(&g[..n], &fd[..n], FINITE_DIFFERENCE_TOLERANCE);
        // 式 (2.28) の形: −(データの平均) + ⟨x_k⟩_θ（素朴な列挙で）
        let b = brute(&m);
        let data_mean = kl.target();
        for k in 0..n {
            assert!((g[k] - (-data_mean[k] + b.means[k])).abs() < ENUMERATION_TOLERANCE);
        }
    }
}

/// 式 (2.29): `Σ_{k<l}` で対を 1 回ずつ数えるので、`∂D/∂J_kl` に因子 2 はつかない。
#[test]
fn eq_2_29_grad_j_matches_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(229);
    for &n in &[2usize, 4, 6] {
        let kl = KlObjective::from_data(&sample_data(&mut rng, n, 50)).unwrap();
        let m = random_model(&mut rng, n, 1.0);
        let g = kl.gradient(&m).unwrap().to_vec();
        let fd = fd_gradient(&kl, &m);
        assert_close_relative(&g[n..], &fd[n..], FINITE_DIFFERENCE_TOLERANCE);
        // 対を順序つきで 2 回数える読み方 (因子 2) は差分と合わない
        let doubled: Vec<f64> = g[n..].iter().map(|v| 2.0 * v).collect();
        assert!(max_abs_diff(&doubled, &fd[n..]) > 1e-3);
    }
}

/// 勾配 0 の点ではモデルの平均がデータの平均に一致する（(2.28)–(2.29) の右側）。
/// 標本から学習し、学習後の ⟨x_k⟩_θ, ⟨x_k x_l⟩_θ を、データの平均と比べる。
#[test]
fn eq_2_28_learning_from_samples_matches_data_moments() {
    let mut rng = ChaCha8Rng::seed_from_u64(2280);
    let truth = random_model(&mut rng, 4, 0.6);
    let data = truth.sample(&mut rng, 400).unwrap();
    let kl = KlObjective::from_data(&data).unwrap();
    let stop = StopRule {
        tolerance: 1e-9,
        max_iterations: 20_000,
    };
    let eta = StepSize::Scalar(1.0 / global_curvature_bound(4));
    let (learned, trace) = kl
        .learn(&Ising::zeros(4).unwrap(), &eta, stop, &mut |_| {})
        .unwrap();
    assert!(trace.converged, "{} 回で収束しない", trace.iterations());
    let model_stats = learned.exact().unwrap().statistics();
    assert!(max_abs_diff(&model_stats, &data_statistics(&data).unwrap()) <= 1e-9);
    // 最適点の KL は、真のパラメータでの KL 以下（経験分布に最も近いのは学習したモデル）
    assert!(kl.value(&learned).unwrap() <= kl.value(&truth).unwrap());
}

/// 2 スピンでは 3 つのパラメータで 4 状態の分布をすべて表せるので、p0 が全状態に正の確率を置けば
/// 最適点で q = p0 となり、(J, h) は閉じた形で書ける:
/// `J = ¼ ln[p(++)p(−−)/(p(+−)p(−+))]`、`h_1 = ¼ ln[p(++)p(+−)/(p(−+)p(−−))]`、`h_2 = ¼ ln[p(++)p(−+)/(p(+−)p(−−))]`。
#[test]
fn eq_2_29_moment_matching_for_correlations_at_optimum() {
    // (++) × 3, (+−) × 1, (−−) × 2, (−+) × 1
    let data = array![[1, 1], [1, 1], [1, 1], [1, -1], [-1, -1], [-1, -1], [-1, 1]];
    let kl = KlObjective::from_data(&data).unwrap();
    let stop = StopRule {
        tolerance: 1e-12,
        max_iterations: 20_000,
    };
    let eta = StepSize::Scalar(1.0 / global_curvature_bound(2));
    let (learned, trace) = kl
        .learn(&Ising::zeros(2).unwrap(), &eta, stop, &mut |_| {})
        .unwrap();
    assert!(trace.converged);
    let m = learned.exact().unwrap();
    // ⟨x_1 x_2⟩ = (3 − 1 + 2 − 1)/7、⟨x_1⟩ = (3 + 1 − 2 − 1)/7、⟨x_2⟩ = (3 − 1 − 2 + 1)/7
    assert!((m.correlations()[0] - 3.0 / 7.0).abs() < 1e-11);
    assert!((m.means()[0] - 1.0 / 7.0).abs() < 1e-11 && (m.means()[1] - 1.0 / 7.0).abs() < 1e-11);
    assert!((learned.coupling(0, 1).unwrap() - 6f64.ln() / 4.0).abs() < 1e-10);
    assert!((learned.fields()[0] - 1.5f64.ln() / 4.0).abs() < 1e-10);
    assert!((learned.fields()[1] - 1.5f64.ln() / 4.0).abs() < 1e-10);
    assert!(kl.value(&learned).unwrap().abs() < 1e-12);
}

// ---------------------------------------------------------------- (2.30)

/// ノートの (2.30) は `h' = h − η(データ − モデル)`。`∂D/∂h = モデル − データ` なので、
/// これは勾配の**上り**方向で KL を増やす。本書の形 `h' = h + η(データ − モデル)` は減らす。
#[test]
fn eq_2_30_corrected_update_decreases_kl_and_note_form_increases_it() {
    let mut rng = ChaCha8Rng::seed_from_u64(230);
    for trial in 0..10 {
        let n = 3 + trial % 3;
        let kl = KlObjective::from_data(&sample_data(&mut rng, n, 40)).unwrap();
        let m = random_model(&mut rng, n, 0.7);
        let eta = 1.0 / global_curvature_bound(n);
        let theta = m.params();
        let data = kl.target();
        let model = m.exact().unwrap().statistics();
        let corrected: Vec<f64> = (0..theta.len())
            .map(|i| theta[i] + eta * (data[i] - model[i]))
            .collect();
        let note: Vec<f64> = (0..theta.len())
            .map(|i| theta[i] - eta * (data[i] - model[i]))
            .collect();
        let d0 = kl.value(&m).unwrap();
        let d_corrected = kl
            .value(&Ising::from_params(n, &corrected).unwrap())
            .unwrap();
        let d_note = kl.value(&Ising::from_params(n, &note).unwrap()).unwrap();
        assert!(d_corrected < d0, "本書の形で KL が減らない");
        assert!(d_note > d0, "ノートの形で KL が増えない");
        // crate の update は本書の形
        let upd = kl.update(&m, &StepSize::Scalar(eta)).unwrap();
        assert!(max_abs_diff(&upd.params(), &corrected) < 1e-15);
    }
}

/// パラメータごとの学習率 `η_k, η_kl`（(2.30)）: すべて同じ値ならスカラーの η と同じ。
/// 異なる値でも、各 η_i ≤ 1/M なら KL は減る。
#[test]
fn eq_2_30_per_parameter_step_sizes() {
    let mut rng = ChaCha8Rng::seed_from_u64(2300);
    let n = 4;
    let p = n_params(n).unwrap();
    let kl = KlObjective::from_data(&sample_data(&mut rng, n, 30)).unwrap();
    let m = random_model(&mut rng, n, 0.5);
    let eta = 0.05;
    let a = kl.update(&m, &StepSize::Scalar(eta)).unwrap();
    let b = kl
        .update(&m, &StepSize::PerParameter(Array1::from_elem(p, eta)))
        .unwrap();
    assert_eq!(a, b);
    let etas: Array1<f64> = (0..p)
        .map(|_| rng.random_range(0.1..1.0) / global_curvature_bound(n))
        .collect();
    let c = kl.update(&m, &StepSize::PerParameter(etas)).unwrap();
    assert!(kl.value(&c).unwrap() < kl.value(&m).unwrap());
    assert!(matches!(
        kl.update(&m, &StepSize::PerParameter(Array1::from_elem(p - 1, eta))),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(kl.update(&m, &StepSize::Scalar(f64::NAN)).is_err());
}

/// 既知の (J, h) のモデルの厳密なモーメントから学習すると、その (J, h) に戻る
/// （指数型分布族で φ の成分は線形独立なので、モーメントからパラメータは一意に決まる）。
#[test]
fn eq_2_30_learning_recovers_known_parameters() {
    let mut rng = ChaCha8Rng::seed_from_u64(2301);
    for &n in &[3usize, 5] {
        let truth = random_model(&mut rng, n, 0.8);
        let kl = KlObjective::from_model(&truth).unwrap();
        let stop = StopRule {
            tolerance: 1e-11,
            max_iterations: 100_000,
        };
        let eta = 1.0 / global_curvature_bound(n);
        let (learned, trace) = kl
            .learn(
                &Ising::zeros(n).unwrap(),
                &StepSize::Scalar(eta),
                stop,
                &mut |_| {},
            )
            .unwrap();
        assert!(trace.converged);
        assert!(
            max_abs_diff(&learned.params(), &truth.params()) < 1e-8,
            "N = {n}"
        );
        assert!(trace.values.last().unwrap().abs() < 1e-12);
    }
}

// ---------------------------------------------------------------- (2.40a), (2.44a)

fn independent_covariance(h: &[f64]) -> Vec<f64> {
    // J = 0 の閉じた形。t_k = tanh h_k、φ = (x_k; x_k x_l)
    let n = h.len();
    let t: Vec<f64> = h.iter().map(|v| v.tanh()).collect();
    let idx: Vec<Vec<usize>> = (0..n)
        .map(|k| vec![k])
        .chain(pairs(n).map(|(k, l)| vec![k, l]))
        .collect();
    let mean = |s: &[usize]| -> f64 {
        // ⟨∏_{i∈s} x_i⟩ で、同じスピンが 2 回なら x² = 1
        let mut cnt = vec![0usize; n];
        for &i in s {
            cnt[i] += 1;
        }
        (0..n)
            .map(|i| if cnt[i] % 2 == 1 { t[i] } else { 1.0 })
            .product()
    };
    let p = idx.len();
    let mut c = vec![0.0; p * p];
    for a in 0..p {
        for b in 0..p {
            let joint: Vec<usize> = idx[a].iter().chain(&idx[b]).copied().collect();
            c[a * p + b] = mean(&joint) - mean(&idx[a]) * mean(&idx[b]);
        }
    }
    c
}

#[test]
fn eq_2_40a_hessian_is_covariance_independent_closed_form() {
    let h = [0.3, -1.2, 0.8, 0.0];
    let m = Ising::new(Array1::from(h.to_vec()), Array1::zeros(6)).unwrap();
    let c = m.statistics_covariance().unwrap();
    let got: Vec<f64> = c.matrix().iter().copied().collect();
    assert!(max_abs_diff(&got, &independent_covariance(&h)) < ENUMERATION_TOLERANCE);
}

/// ヘッセ行列の各列は、勾配 (2.28)–(2.29) の中心差分に一致する。
#[test]
fn eq_2_40a_hessian_matches_finite_difference_of_gradient() {
    let mut rng = ChaCha8Rng::seed_from_u64(240);
    let n = 4;
    let kl = KlObjective::from_data(&sample_data(&mut rng, n, 20)).unwrap();
    let m = random_model(&mut rng, n, 1.0);
    let hess = kl.hessian(&m).unwrap();
    let theta = m.params();
    let p = theta.len();
    for j in 0..p {
        let step = FINITE_DIFFERENCE_STEP;
        let mut tp = theta.clone();
        tp[j] += step;
        let mut tm = theta.clone();
        tm[j] -= step;
        let gp = kl.gradient(&Ising::from_params(n, &tp).unwrap()).unwrap();
        let gm = kl.gradient(&Ising::from_params(n, &tm).unwrap()).unwrap();
        for i in 0..p {
            let fd = (gp[i] - gm[i]) / (2.0 * step);
            let h = hess.get(i, j).unwrap();
            assert!(
                (h - fd).abs() <= FINITE_DIFFERENCE_TOLERANCE * fd.abs().max(1.0),
                "({i},{j}): {h} vs {fd}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// 式 (2.44a): どの θ でも λ_max(Cov_θ φ) ≤ M = N(N+1)/2。大きな |θ| も含めて確かめる。
    #[test]
    fn eq_2_44a_global_bound_on_hessian_eigenvalue(
        n in 1usize..=4,
        seed in any::<u64>(),
        scale in prop::sample::select(vec![0.1, 1.0, 4.0]),
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let m = random_model(&mut rng, n, scale);
        let c = m.statistics_covariance().unwrap();
        let bound = global_curvature_bound(n);
        prop_assert!(c.max_eigenvalue() <= bound + 1e-12);
        // 共分散は半正定値（KL は θ について凸）
        prop_assert!(c.min_eigenvalue() >= -1e-12);
        // 固有値分解によらない確認: 乱数の v でレイリー商 vᵀCv/vᵀv は [0, M] に入り、λ_max を超えない。
        // 跡 tr C（= 各 φ_i の分散の和）は固有値の和に等しい
        for _ in 0..8 {
            let v: Vec<f64> = (0..c.dim()).map(|_| rng.random_range(-1.0..1.0)).collect();
            let vv: f64 = v.iter().map(|x| x * x).sum();
            let rayleigh = c.quadratic_form(&v).unwrap() / vv;
            prop_assert!((-1e-12..=bound + 1e-12).contains(&rayleigh));
            prop_assert!(rayleigh <= c.max_eigenvalue() + 1e-12);
        }
        let trace: f64 = (0..c.dim()).map(|i| c.get(i, i).unwrap()).sum();
        prop_assert!((trace - c.eigenvalues().iter().sum::<f64>()).abs() < 1e-12 * trace.max(1.0));
    }
}

/// 式 (2.44a) の上界は N = 1, θ = 0 で等号（Var(x) = 1 = M）。強い強磁性では λ_max → N に近づく。
#[test]
fn eq_2_44a_bound_is_attained_for_one_spin() {
    let c = Ising::zeros(1).unwrap().statistics_covariance().unwrap();
    assert!((c.max_eigenvalue() - global_curvature_bound(1)).abs() < 1e-15);
    // θ = 0 では φ の成分は無相関で分散 1: λ_max = 1
    let c = Ising::zeros(4).unwrap().statistics_covariance().unwrap();
    assert!((c.max_eigenvalue() - 1.0).abs() < 1e-12);
    // 全結合の強磁性 J = 3: 状態は ±(1,…,1) にほぼ二分され、x_k の共分散はほぼ全成分 1、λ_max ≈ N
    let n = 4;
    let c = Ising::new(Array1::zeros(n), Array1::from_elem(6, 3.0))
        .unwrap()
        .statistics_covariance()
        .unwrap();
    let l = c.max_eigenvalue();
    assert!(l > 0.99 * n as f64 && l <= global_curvature_bound(n));
}

/// η = 1/M（式 (2.44) に (2.44a) を入れたもの）で学習すると、どの初期値からでも KL は単調に減る。
#[test]
fn eq_2_44a_step_one_over_m_decreases_kl_monotonically() {
    let mut rng = ChaCha8Rng::seed_from_u64(2440);
    let n = 3;
    let truth = random_model(&mut rng, n, 1.0);
    let kl = KlObjective::from_model(&truth).unwrap();
    let eta = 1.0 / global_curvature_bound(n);
    for &scale in &[0.0f64, 1.0, 3.0] {
        let init = random_model(&mut rng, n, scale.max(1e-9));
        let stop = StopRule {
            tolerance: 0.0,
            max_iterations: 200,
        };
        let (_, trace) = kl
            .learn(&init, &StepSize::Scalar(eta), stop, &mut |_| {})
            .unwrap();
        for w in trace.values.windows(2) {
            assert!(w[1] <= w[0] + 1e-15, "KL が増えた: {} → {}", w[0], w[1]);
        }
    }
}

/// 上限 (2.44) を大きく超える学習率は KL を増やす（1 歩で悪化する具体例）。
/// 真のモデル h = 0, J_kl = 0.3（4 スピン全結合）を θ = 0 から学ぶ。θ = 0 のヘッセ行列は単位行列で、
/// η = 5 の 1 歩は J を行き過ぎさせる。η = 1/M は (2.44a) により必ず減らす。
#[test]
fn eq_2_44a_step_far_above_bound_increases_kl() {
    let truth = Ising::new(Array1::zeros(4), Array1::from_elem(6, 0.3)).unwrap();
    let kl = KlObjective::from_model(&truth).unwrap();
    let m0 = Ising::zeros(4).unwrap();
    let d0 = kl.value(&m0).unwrap();
    let bad = kl.update(&m0, &StepSize::Scalar(5.0)).unwrap();
    assert!(kl.value(&bad).unwrap() > 2.0 * d0);
    let good = kl
        .update(&m0, &StepSize::Scalar(1.0 / global_curvature_bound(4)))
        .unwrap();
    assert!(kl.value(&good).unwrap() < d0);
}

/// 最適点のヘッセ行列の最大固有値 λ* に対して η > 2/λ* では、勾配法は最適点の近くで振動し、
/// 何回反復しても収束しない。η = 1/M なら収束する。
#[test]
fn eq_2_44a_step_above_two_over_lambda_does_not_converge() {
    let truth = Ising::new(Array1::zeros(3), Array1::from_elem(3, 0.6)).unwrap();
    let kl = KlObjective::from_model(&truth).unwrap();
    let lambda_star = truth.statistics_covariance().unwrap().max_eigenvalue();
    let stop = StopRule {
        tolerance: 1e-8,
        max_iterations: 3000,
    };
    // 対称な初期値では勾配が対称な部分空間に留まり、λ* の方向が励起されないので、非対称な初期値から始める
    let init = Ising::new(array![0.1, -0.2, 0.05], array![0.0, 0.1, -0.1]).unwrap();
    let (_, bad) = kl
        .learn(
            &init,
            &StepSize::Scalar(2.5 / lambda_star),
            stop,
            &mut |_| {},
        )
        .unwrap();
    assert!(!bad.converged);
    assert!(*bad.values.last().unwrap() > 1e-3);
    let (learned, good) = kl
        .learn(
            &init,
            &StepSize::Scalar(1.0 / global_curvature_bound(3)),
            stop,
            &mut |_| {},
        )
        .unwrap();
    assert!(good.converged);
    assert!(max_abs_diff(&learned.params(), &truth.params()) < 1e-6);
}

#[test]
fn eq_2_28_sampler_reproduces_model_moments() {
    // サンプラーの確認（学習を標本で試すテストの前提）: 4 万個の標本平均は ⟨φ⟩_θ に 5σ 以内で一致する
    let mut rng = ChaCha8Rng::seed_from_u64(22800);
    let m = random_model(&mut rng, 3, 1.0);
    let count = 40_000;
    let data = m.sample(&mut rng, count).unwrap();
    let s = data_statistics(&data).unwrap();
    let exact = m.exact().unwrap().statistics();
    for (a, b) in s.iter().zip(&exact) {
        let sigma = ((1.0 - b * b) / count as f64).sqrt();
        assert!((a - b).abs() < 5.0 * sigma + 1e-12, "{a} vs {b}");
    }
}

// ---------------------------------------------------------------- (2.28)–(2.29) の解が有限でないとき

/// 状態 `s` の十分統計量 `φ(x)`（素朴に、定義どおり）。
fn phi_of_state(s: usize, n: usize) -> Vec<f64> {
    let x = spins(s, n);
    let mut v = x.clone();
    v.extend(pairs(n).map(|(k, l)| x[k] * x[l]));
    v
}

/// 本の §2.6 の例のデータ: すべての標本で x_1 = x_2（0 始まりの添字で x0 = x1）。
fn book_boundary_data() -> Array2<i8> {
    array![[1, 1, 1], [1, 1, -1], [-1, -1, -1], [1, 1, 1]]
}

/// (2.28)–(2.29) は、データの平均が周辺多面体の境界にあると有限の解をもたない。
/// §2.6 のデータでは ⟨x_1 x_2⟩_data = 1 で、どの θ でも ∂D/∂J_12 = ⟨x_1 x_2⟩_θ − 1 < 0（KL は J_12 の向きに
/// 下がり続ける）。勾配法では J_12 が ln t の速さで増え、勾配は 0 に近づく。勾配の許容誤差で止めると
/// 「勾配は小さい」が、結末は有限の最適点ではない（OnBoundary）。
#[test]
fn eq_2_29_boundary_moments_have_no_finite_solution() {
    let kl = KlObjective::from_data(&book_boundary_data()).unwrap();
    assert_eq!(kl.target()[3], 1.0);
    let j12 = 3; // θ = (h0, h1, h2, J01, J02, J12)
    let mut rng = ChaCha8Rng::seed_from_u64(2291);
    for _ in 0..20 {
        let m = random_model(&mut rng, 3, 3.0);
        // どの θ でも J_12 の向きの微分は負（素朴な列挙で確かめる）
        let b = brute(&m);
        assert!(b.corr[0] - 1.0 < 0.0);
        assert!(kl.gradient(&m).unwrap()[j12] < 0.0);
        // 内部の証明書は、どの θ でも正にならない
        assert!(kl.interior_margin(&m).unwrap() <= 0.0);
    }
    // 勾配の許容誤差 1e-3 で止めると、勾配は下回るが結末は境界
    let eta = StepSize::Scalar(1.0 / global_curvature_bound(3));
    let stop = StopRule {
        tolerance: 1e-3,
        max_iterations: 100_000,
    };
    let init = Ising::zeros(3).unwrap();
    let fit = kl.fit(&init, &eta, stop, &mut |_| {}).unwrap();
    assert!(fit.trace.converged, "勾配が許容誤差を下回らない");
    assert_eq!(fit.outcome, Outcome::OnBoundary);
    // 本文の数: 約 3000 回で止まり、そのとき J_12 ≈ 3.5
    let stopped = fit.trace.iterations();
    assert!((2500..=3500).contains(&stopped), "{stopped} 回で止まった");
    assert!((3.4..3.6).contains(&fit.model.params()[j12]));
    let (_, trace) = kl.learn(&init, &eta, stop, &mut |_| {}).unwrap();
    assert!(!trace.converged);
    // J_12 は ln t の速さで増え続ける: t = 10³ から 10⁴ で ½ ln 10 の ±10 % だけ増える
    let mut q = init;
    let mut at = Vec::new();
    for t in 1..=10_000 {
        q = kl.update(&q, &eta).unwrap();
        if t == 1_000 || t == 10_000 {
            at.push((q.params()[j12], kl.gradient(&q).unwrap()));
        }
    }
    let growth = at[1].0 - at[0].0;
    let half_ln10 = 0.5 * 10f64.ln();
    assert!((growth / half_ln10 - 1.0).abs() < 0.1, "増え方 {growth}");
    // 勾配は 1/t の速さで 0 に近づく（t が 10 倍で、最大成分はほぼ 1/10）
    let norm = |g: &Array1<f64>| g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let ratio = norm(&at[1].1) / norm(&at[0].1);
    assert!((0.08..0.12).contains(&ratio), "勾配の比 {ratio}");
}

/// 2 スピンで、データが (+,+) と (−,−) を半々に含むとき（⟨x_1 x_2⟩ = 1、⟨x_k⟩ = 0）。対称性から h = 0 のまま、
/// 1 歩は J' = J + η(1 − tanh J)。u = e^{2J} とおくと u' ≈ u + 4η なので、J_t = ½ ln(1 + 4ηt) + O(ln t / t)。
#[test]
fn eq_2_29_two_spin_boundary_grows_like_half_log_t() {
    let kl = KlObjective::from_data(&array![[1, 1], [-1, -1]]).unwrap();
    let eta = 1.0 / global_curvature_bound(2);
    let mut q = Ising::zeros(2).unwrap();
    let mut j = 0.0f64;
    for t in 1..=20_000u32 {
        q = kl.update(&q, &StepSize::Scalar(eta)).unwrap();
        j += eta * (1.0 - j.tanh());
        assert!((q.coupling(0, 1).unwrap() - j).abs() < 1e-9);
        assert!(q.fields().iter().all(|h| h.abs() < 1e-12));
        if t == 1_000 || t == 20_000 {
            let asymptote = 0.5 * (1.0 + 4.0 * eta * f64::from(t)).ln();
            let tt = f64::from(t);
            assert!(
                (j - asymptote).abs() < 2.0 * tt.ln() / tt,
                "t = {t}: {j} vs {asymptote}"
            );
            // 勾配 1 − tanh J_t ≈ 1/(2ηt)
            let g = 1.0 - j.tanh();
            assert!((g * 2.0 * eta * tt - 1.0).abs() < 0.02, "t = {t}: 勾配 {g}");
        }
    }
}

/// 内部の証明書: r(x) = q_θ(x) − 2^{−N} g·φ(x)（g = ⟨φ⟩_θ − φ̄）は、Σ r = 1、Σ r φ = φ̄ を満たす。
/// min r > 0 なら φ̄ は全状態に正の確率を置く分布の平均で、多面体の内部にある。
/// 2 スピンでは、内部 ⇔ 4 状態がすべて現れる（3 個のパラメータで 4 状態の分布をすべて表せる）。
#[test]
fn eq_2_29_interior_certificate_is_a_positive_distribution_with_the_data_moments() {
    let mut rng = ChaCha8Rng::seed_from_u64(2292);
    let n = 3;
    let data = sample_data(&mut rng, n, 40);
    let kl = KlObjective::from_data(&data).unwrap();
    let target = data_statistics(&data).unwrap();
    let fit = kl
        .fit(
            &Ising::zeros(n).unwrap(),
            &StepSize::Scalar(1.0 / global_curvature_bound(n)),
            StopRule {
                tolerance: 1e-6,
                max_iterations: 20_000,
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(fit.outcome, Outcome::Converged);
    for m in [fit.model.clone(), random_model(&mut rng, n, 0.5)] {
        let b = brute(&m);
        let mut stats = b.means.clone();
        stats.extend(&b.corr);
        let g: Vec<f64> = stats
            .iter()
            .zip(target.iter())
            .map(|(a, t)| a - t)
            .collect();
        let states = 1usize << n;
        let r: Vec<f64> = (0..states)
            .map(|s| {
                let phi = phi_of_state(s, n);
                let gphi: f64 = g.iter().zip(&phi).map(|(a, b)| a * b).sum();
                (b.exponents[s] - b.log_z).exp() - gphi / states as f64
            })
            .collect();
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for (i, t) in target.iter().enumerate() {
            let mean: f64 = (0..states).map(|s| r[s] * phi_of_state(s, n)[i]).sum();
            assert!((mean - t).abs() < 1e-12);
        }
        let min_r = r.iter().copied().fold(f64::INFINITY, f64::min);
        let margin = kl.interior_margin(&m).unwrap();
        assert!(margin <= min_r && margin > min_r - 1e-8);
    }
    // 2 スピン: 4 状態のうち 1 つでも欠けると境界（どの θ でも証明書は正にならない）
    let all = [[1i8, 1], [1, -1], [-1, 1], [-1, -1]];
    let full = Array2::from_shape_fn((4, 2), |(i, k)| all[i][k]);
    let kl = KlObjective::from_data(&full).unwrap();
    assert!(kl.interior_margin(&Ising::zeros(2).unwrap()).unwrap() > 0.0);
    for missing in 0..4 {
        let rows: Vec<[i8; 2]> = (0..4).filter(|&i| i != missing).map(|i| all[i]).collect();
        let d = Array2::from_shape_fn((3, 2), |(i, k)| rows[i][k]);
        let kl = KlObjective::from_data(&d).unwrap();
        for _ in 0..10 {
            let m = random_model(&mut rng, 2, 4.0);
            assert!(kl.interior_margin(&m).unwrap() <= 0.0);
        }
    }
}

/// 二分法で tanh J + λJ − 1 = 0 の根を求める（J ∈ [0, 1/λ] で左端は負、右端は正）。
fn bisect_ridge_coupling(lambda: f64) -> f64 {
    let f = |j: f64| j.tanh() + lambda * j - 1.0;
    let (mut lo, mut hi) = (0.0, 1.0 / lambda);
    assert!(f(lo) < 0.0 && f(hi) > 0.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// 罰則 λ|θ|²/2 を足すと、境界のデータでも最適点は有限になる。2 スピン・(+,+) と (−,−) が半々のデータでは、
/// 対称性と強凸性から h = 0 で、J は tanh J − 1 + λJ = 0 の根。勾配法の結果を二分法の根と比べる。
/// §2.6 の 3 スピンのデータでも、罰則つきの停留条件 ⟨φ⟩_θ − φ̄ + λθ = 0 を素朴な列挙で確かめる。
#[test]
fn eq_2_29_ridge_term_gives_a_finite_optimum_matching_bisection() {
    let data = array![[1, 1], [-1, -1]];
    assert_eq!(
        KlObjective::from_data(&data).unwrap().with_ridge(f64::NAN),
        Err(Error::NonFinite {
            what: "罰則の係数",
            index: 0
        })
    );
    for lambda in [0.01, 0.1, 1.0] {
        let kl = KlObjective::from_data(&data)
            .unwrap()
            .with_ridge(lambda)
            .unwrap();
        let eta = StepSize::Scalar(1.0 / kl.curvature_bound());
        let stop = StopRule {
            tolerance: 1e-12,
            max_iterations: 200_000,
        };
        let fit = kl
            .fit(&Ising::zeros(2).unwrap(), &eta, stop, &mut |_| {})
            .unwrap();
        assert_eq!(fit.outcome, Outcome::Converged, "λ = {lambda}");
        let want = bisect_ridge_coupling(lambda);
        assert!((fit.model.coupling(0, 1).unwrap() - want).abs() < 1e-9);
        assert!(fit.model.fields().iter().all(|h| h.abs() < 1e-12));
        // ヘッセ行列は λI 以上（強凸）
        assert!(kl.hessian(&fit.model).unwrap().min_eigenvalue() >= lambda - 1e-12);
    }
    let lambda = 0.01;
    let kl = KlObjective::from_data(&book_boundary_data())
        .unwrap()
        .with_ridge(lambda)
        .unwrap();
    let fit = kl
        .fit(
            &Ising::zeros(3).unwrap(),
            &StepSize::Scalar(1.0 / kl.curvature_bound()),
            StopRule {
                tolerance: 1e-11,
                max_iterations: 200_000,
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(fit.outcome, Outcome::Converged);
    let b = brute(&fit.model);
    let mut stats = b.means.clone();
    stats.extend(&b.corr);
    let theta = fit.model.params();
    for (i, t) in kl.target().iter().enumerate() {
        assert!((stats[i] - t + lambda * theta[i]).abs() < 1e-10);
    }
    // 罰則のせいで ⟨x_1 x_2⟩_θ は 1 に届かず、1 − λ J_12 で止まる
    assert!(stats[3] < 1.0 && theta[3] < 3.0);
}

/// §2.6 の上界 (2.44a) の改良: N ≥ 2 では λ_max(Cov_θ φ) ≤ ⌊(N+1)²/4⌋ < M。乱数の θ（N ≤ 8、大きな |θ| も含む）で
/// 全列挙の共分散の最大固有値が超えないことと、2 つの配置に確率を集めるとこの値に近づく（改良できない）ことを確かめる。
#[test]
fn eq_2_44a_sharp_bound_is_floor_of_n_plus_one_squared_over_four() {
    let mut rng = ChaCha8Rng::seed_from_u64(2444);
    for n in 1..=8usize {
        let bound = ((n + 1) * (n + 1) / 4) as f64;
        assert_eq!(sharp_curvature_bound(n), bound);
        if n >= 2 {
            assert!(bound < global_curvature_bound(n));
        }
        let mut worst = 0.0f64;
        for &scale in &[0.3, 1.0, 3.0, 10.0] {
            for _ in 0..8 {
                let m = random_model(&mut rng, n, scale);
                let l = m.statistics_covariance().unwrap().max_eigenvalue();
                worst = worst.max(l);
                assert!(l <= bound + 1e-9, "N = {n}: λ_max = {l} > {bound}");
            }
        }
        // 2 つの配置 x（すべて +1）と y（先頭の d 個を反転、d = ⌊(N+1)/2⌋）: |φ(x) − φ(y)|² = 4d(N+1−d)
        let d = n.div_ceil(2); // ⌊(N+1)/2⌋
        let y_state = (1usize << d) - 1;
        let (px, py) = (phi_of_state(0, n), phi_of_state(y_state, n));
        let dist2: f64 = px.iter().zip(&py).map(|(a, b)| (a - b).powi(2)).sum();
        assert_eq!(dist2, 4.0 * (d * (n + 1 - d)) as f64);
        assert_eq!(dist2 / 4.0, bound);
        // θ = s(φ(x) + φ(y)) を大きくすると q は x と y に半々に集まり、λ_max はこの上界に近づく
        let theta: Vec<f64> = px.iter().zip(&py).map(|(a, b)| 6.0 * (a + b)).collect();
        let m = Ising::from_params(n, &theta).unwrap();
        let c = m.statistics_covariance().unwrap();
        let a: Vec<f64> = px.iter().zip(&py).map(|(a, b)| a - b).collect();
        let rayleigh = c.quadratic_form(&a).unwrap() / dist2;
        assert!(rayleigh > bound * (1.0 - 1e-6) && c.max_eigenvalue() <= bound + 1e-9);
        if n == 1 {
            // N = 1 では h = 0 で等号（上界 M = 1 と同じ）
            let l0 = Ising::zeros(1).unwrap().statistics_covariance().unwrap();
            assert!((l0.max_eigenvalue() - 1.0).abs() < 1e-15);
        }
    }
}

// ---------------------------------------------------------------- 上限と境界

/// 状態の番号は `usize` なので、ちょうど `usize::BITS` スピンまでは表せる（第 `k` ビットが 1 ⇔ `x_k = −1`）。
#[test]
fn spins_of_state_uses_every_bit_of_the_state_number() {
    let bits = usize::BITS as usize;
    assert_eq!(
        ising::spins_of_state(usize::MAX, bits).unwrap(),
        Array1::from_elem(bits, -1i8)
    );
    let top = ising::spins_of_state(1 << (bits - 1), bits).unwrap();
    assert_eq!(top[bits - 1], -1);
    assert!(top.iter().take(bits - 1).all(|&x| x == 1));
    assert_eq!(
        ising::spins_of_state(0, bits + 1),
        Err(Error::TooManySpins {
            n: bits + 1,
            max: bits
        })
    );
}

/// `n` 個のスピンで表せる番号は `0..2^n`。上位のビットを黙って捨てず、型つきの誤りにする
/// （以前は `spins_of_state(5, 2)` が `5 = 0b101` の第 2 ビットを捨てて `(−1, 1)` を返した）。
#[test]
fn spins_of_state_rejects_bits_beyond_n() {
    assert_eq!(
        ising::spins_of_state(5, 2),
        Err(Error::StateOutOfRange {
            state: 5,
            n_states: 4
        })
    );
    assert_eq!(
        ising::spins_of_state(4, 2),
        Err(Error::StateOutOfRange {
            state: 4,
            n_states: 4
        })
    );
    // 2^n − 1 = 0b11 は最後の状態
    assert_eq!(ising::spins_of_state(3, 2).unwrap(), array![-1, -1]);
    assert_eq!(ising::spins_of_state(0, 0), Err(Error::EmptyInput));
}

/// モデルの大きさの上限 `MAX_MODEL_SPINS` はちょうどその数を含み、1 つ超えると型つきの誤りになる。
/// 上限ちょうどのモデルは、`N(N−1)/2` 個の結合がすべて 0 の一様分布として作れる。
#[test]
fn model_size_limit_is_inclusive() {
    let n = ising::MAX_MODEL_SPINS;
    let m = Ising::zeros(n).unwrap();
    assert_eq!(m.n_spins(), n);
    assert_eq!(m.couplings().len(), n * (n - 1) / 2);
    assert_eq!(
        Ising::from_params(n, &Array1::zeros(n * (n + 1) / 2)).unwrap(),
        m
    );
    let too_many = Error::TooManySpins { n: n + 1, max: n };
    assert_eq!(Ising::zeros(n + 1), Err(too_many.clone()));
    // 長さの検査より先に大きさで断る（長さの合わない θ でも TooManySpins）
    assert_eq!(Ising::from_params(n + 1, &[]), Err(too_many));
}

/// 共分散 (2.40a) は `exp(θ·φ − max θ·φ)` の重みで求めるので、`θ·φ` が `exp` の範囲（約 709）を
/// 超える大きな場でも有限で、独立なスピンの閉じた形に一致する（`h_0 = 400` のスピンはほぼ決定的）。
#[test]
fn eq_2_40a_hessian_is_finite_for_fields_beyond_the_exp_range() {
    let h = [400.0, 0.3, -0.8];
    let m = Ising::new(Array1::from(h.to_vec()), Array1::zeros(3)).unwrap();
    let c = m.statistics_covariance().unwrap();
    let got: Vec<f64> = c.matrix().iter().copied().collect();
    assert!(max_abs_diff(&got, &independent_covariance(&h)) < ENUMERATION_TOLERANCE);
}

/// ヘッセ行列 (2.40a) を求められるスピン数の上限 `MAX_COVARIANCE_SPINS` はちょうどその数を含む。
/// `θ = 0` では `φ` の成分（異なるスピンの積）は互いに直交し、平均 0・分散 1 なので `Cov(φ) = I`。
#[test]
fn eq_2_40a_hessian_at_zero_is_identity_up_to_the_spin_limit() {
    let n = ising::MAX_COVARIANCE_SPINS;
    let c = Ising::zeros(n).unwrap().statistics_covariance().unwrap();
    let p = n_params(n).unwrap();
    assert_eq!(c.dim(), p);
    for i in 0..p {
        for j in 0..p {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((c.get(i, j).unwrap() - want).abs() < ENUMERATION_TOLERANCE);
        }
    }
    assert_eq!(
        Ising::zeros(n + 1).unwrap().statistics_covariance().err(),
        Some(Error::TooManySpins { n: n + 1, max: n })
    );
}

/// 厳密なサンプラーが扱うスピン数の上限 `MAX_SAMPLER_SPINS` はちょうどその数を含み、1 つ超えると型つきの誤りになる。
#[test]
fn sampler_spin_limit_is_inclusive() {
    let n = ising::MAX_SAMPLER_SPINS;
    let mut rng = ChaCha8Rng::seed_from_u64(20);
    let data = Ising::zeros(n).unwrap().sample(&mut rng, 3).unwrap();
    assert_eq!(data.dim(), (3, n));
    assert_eq!(
        Ising::zeros(n + 1).unwrap().sample(&mut rng, 3),
        Err(Error::TooManySpins { n: n + 1, max: n })
    );
}

/// 場 `h = 400` の 1 スピンでは `q(x = −1) = 1 / (1 + e^{800})` で、`f64` では 0 である。
/// 指数 `θ·φ = ±400` は `exp` の範囲を超えるが、最大値を引いてから `exp` するので、標本はすべて `+1` になる。
#[test]
fn eq_2_25_sampler_is_exact_for_fields_beyond_the_exp_range() {
    let mut rng = ChaCha8Rng::seed_from_u64(400);
    for h in [400.0, -400.0] {
        let data = Ising::new(array![h], array![])
            .unwrap()
            .sample(&mut rng, 200)
            .unwrap();
        let want = if h > 0.0 { 1 } else { -1 };
        assert!(
            data.dim() == (200, 1) && data.iter().all(|&x| x == want),
            "h = {h}"
        );
    }
}

/// `⟨x_k x_k⟩ = ⟨x_k²⟩ = 1` はスピン `k = 0, …, N−1` についてだけ意味を持ち、範囲外の番号には値がない。
#[test]
fn moments_self_correlation_is_one_only_for_existing_spins() {
    let m = Ising::new(array![0.3, -0.2], array![0.5])
        .unwrap()
        .exact()
        .unwrap();
    assert_eq!(m.correlation(0, 0), Some(1.0));
    assert_eq!(m.correlation(1, 1), Some(1.0));
    assert_eq!(m.correlation(2, 2), None);
    assert_eq!(m.correlation(1, 2), None);
}

/// データの関数は 1 行を 1 つの配置として読む。連続でないビュー（転置・1 行おき・逆順）を渡しても、
/// 同じ配置を連続な配列に写したものと同じ平均 `φ̄` とエントロピー `H(p0)` になる。
#[test]
fn spin_data_rows_are_the_input_configurations_even_for_non_contiguous_views() {
    let data = array![[1, -1, 1], [-1, -1, 1], [1, 1, -1], [1, 1, -1]];
    // 手で数えた平均: x_0: (1 − 1 + 1 + 1)/4、x_0 x_1: (−1 + 1 + 1 + 1)/4、x_0 x_2: (1 − 1 − 1 − 1)/4、...
    let want = array![0.5, 0.0, 0.0, 0.5, -0.5, -1.0];
    assert_eq!(data_statistics(&data).unwrap(), want);
    let kl = KlObjective::from_data(&data).unwrap();
    // 3 種類の配置が 1, 1, 2 回: H = −(2 · ¼ ln ¼ + ½ ln ½)
    let h = -(2.0 * 0.25 * 0.25f64.ln() + 0.5 * 0.5f64.ln());
    assert!((kl.entropy() - h).abs() < 1e-15);
    // 転置の転置
    let stored = data.t().to_owned();
    assert_eq!(data_statistics(stored.t()).unwrap(), want);
    // 1 行おき: 第 0, 2 行
    let every_other = data.slice_axis(Axis(0), Slice::from(..).step_by(2));
    assert!(!every_other.is_standard_layout());
    assert_eq!(
        KlObjective::from_data(every_other).unwrap(),
        KlObjective::from_data(&array![[1, -1, 1], [1, 1, -1]]).unwrap()
    );
    // 逆順
    let reversed = data.slice_axis(Axis(0), Slice::from(..).step_by(-1));
    assert_eq!(
        KlObjective::from_data(reversed).unwrap(),
        KlObjective::from_data(&reversed.to_owned()).unwrap()
    );
    assert_eq!(data_statistics(reversed).unwrap(), want);
}
