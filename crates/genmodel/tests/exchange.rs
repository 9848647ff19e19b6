//! 交換モンテカルロ法（`genmodel::mcmc::exchange`）と、厳密な状態密度・交換の受理率
//! （`genmodel::boltzmann::lattice::density`）の検証（第 6 章の準備）。
//!
//! 基準は検証する実装とは独立に求める:
//!
//! - 状態密度: `L ≤ 4` は全状態の列挙（`DensityOfStates`）、`5 ≤ L ≤ 10` は Kaufman の式の `ln Z`・`u`・`c`
//!   （転送行列の整数の数え上げとは独立な解析解）。低い励起の数は、このファイルの中で数え上げた公式と比べる。
//! - 交換の受理率: 閉じた形 `P(E_b ≥ E_a) + P(E_b > E_a)` を、定義の 2 重和（準位の組）と、
//!   2 つのレプリカの状態の組 `2^N × 2^N` の和と比べる。
//! - 交換の 1 回の動きの詳細つり合いは、`N = 3`・2 温度の `64` 個の結合状態の遷移行列で成分ごとに確かめる。
//! - 交換モンテカルロ法の推定は、全状態の列挙による厳密な `⟨E⟩` と `⟨q²⟩` と比べ、誤差棒は積分自己相関時間
//!   `τ_int` で広げた標準誤差 `SE`（`mcmc::stats::mean_estimate`）とする。
//!
//! 統計的な比較の許容は `4 SE`（両側で `6e-5` の外れの確率。比較は合わせて 100 個ほどなので、どれかが外れる確率は
//! 1 % 未満）。乱数はすべてシードを固定しているので、結果は決定的である。`τ_int` は系列の長さが `50 τ_int` 以上のときだけ
//! 推定を返し、短すぎれば誤り（`TooFewSamples`）になってテストが失敗する。

use genmodel::Error;
use genmodel::boltzmann::ising::{Ising, spins_of_state};
use genmodel::boltzmann::lattice::density::{ExactDensity, MAX_TRANSFER_SIDE};
use genmodel::boltzmann::lattice::glass::SpinGlass;
use genmodel::boltzmann::lattice::{DensityOfStates, K_C, kaufman};
use genmodel::mcmc::exchange::{
    Exchange, MAX_REPLICAS, acceptance_ladder, check_ladder, geometric_ladder, swap_probability,
};
use genmodel::mcmc::{Chain, Observable, Rule, Scan, kernel, stats};
use genmodel::ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// `L = 1, …, 10` の転送行列の状態密度（大きさごとに 1 回だけ計算する。`L = 10` はテストのビルドで 0.5 秒）。
fn torus(side: usize) -> &'static ExactDensity {
    static CACHE: [OnceLock<ExactDensity>; 10] = [const { OnceLock::new() }; 10];
    CACHE[side - 1].get_or_init(|| ExactDensity::transfer_matrix(side).unwrap())
}

fn seeded(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// 重なりの 2 乗 `q² = ((1/N) Σ_k x_k y_k)²`。
fn overlap_squared(x: &[i8], y: &[i8]) -> f64 {
    let q: i32 = x.iter().zip(y).map(|(&a, &b)| i32::from(a * b)).sum();
    (f64::from(q) / x.len() as f64).powi(2)
}

/// 誤差を補う和（Neumaier）。
#[derive(Default)]
struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        self.comp += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

/// 推定が厳密な値から `4 SE` 以内にあることを確かめ、`z = (推定 − 厳密)/SE` を返す。
fn within_four_se(what: &str, series: &[f64], exact: f64) -> f64 {
    let est = stats::mean_estimate(series).unwrap();
    let z = (est.mean() - exact) / est.std_error();
    assert!(
        z.abs() < 4.0,
        "{what}: 推定 {} ± {}（SE）、厳密 {exact}、z = {z}",
        est.mean(),
        est.std_error()
    );
    z
}

// ---------------------------------------------------------------- 状態密度

#[test]
fn density_transfer_matrix_matches_enumeration() {
    for side in 1..=4 {
        let e = ExactDensity::from(&DensityOfStates::enumerate(side).unwrap());
        assert_eq!(
            ExactDensity::transfer_matrix(side).unwrap(),
            e,
            "L = {side}"
        );
        assert_eq!(torus(side), &e);
    }
}

#[test]
fn density_counts_symmetry_and_low_excitations() {
    for side in 2..=10 {
        let g = torus(side);
        let n = (side * side) as u128;
        let e0 = -2 * (n as i64);
        // 全部で 2^{L²} 状態、基底状態（全部そろう）は 2 個
        assert_eq!(g.n_states(), 1u128 << (side * side), "L = {side}");
        assert_eq!(g.levels()[0], (e0, 2), "L = {side}");
        // E = 2b − 2N: 切れた結合の数 b は偶数（閉じた磁壁）なので E ≡ 2N (mod 4)
        assert!(g.levels().iter().all(|&(e, _)| (e - e0) % 4 == 0));
        if side >= 3 {
            // b = 2 は作れない（磁壁は L ≥ 3 本以上の長さで巻きつく）。b = 4: 1 スピンの反転 N 個 × 2
            assert_eq!(g.degeneracy(e0 + 4), 0, "L = {side}");
            assert_eq!(g.degeneracy(e0 + 8), 2 * n, "L = {side}");
        }
        if side >= 4 {
            // b = 6: 隣り合う 2 スピン（横・縦の 2N 組）× 2
            assert_eq!(g.degeneracy(e0 + 12), 4 * n, "L = {side}");
        }
        if side >= 5 {
            // b = 8（帯状の磁壁 2L = 10 本より少ない）: 離れた 2 スピン C(N,2) − 2N、一列の 3 スピン 2N、
            // L 字の 3 スピン 4N、2 × 2 の正方形 N。全部で 2[N(N−1)/2 + 5N] = N² + 9N
            assert_eq!(g.degeneracy(e0 + 16), n * n + 9 * n, "L = {side}");
        }
        if side % 2 == 0 {
            // 偶数の L: 副格子の反転で E ↔ −E
            for &(e, c) in g.levels() {
                assert_eq!(g.degeneracy(-e), c, "L = {side}, E = {e}");
            }
        } else {
            // 奇数の L: 行に奇数個の結合があり、全部を切ることはできない
            assert_eq!(g.degeneracy(2 * n as i64), 0);
            assert!(g.levels().last().unwrap().0 < 2 * n as i64);
        }
    }
}

#[test]
fn density_log_z_and_moments_match_kaufman() {
    // ln Z は相対 1e-12、u と c は絶対 1e-10（Kaufman の実装の誤差は 1e-15 の程度、tests/lattice.rs）
    let mut worst = (0.0f64, 0.0f64, 0.0f64);
    for side in 5..=10 {
        let g = torus(side);
        let n = (side * side) as f64;
        for k in [0.05, 0.2, 0.4, K_C, 0.5, 0.8, 1.5, 3.0] {
            let t = kaufman::thermodynamics(side, k).unwrap();
            let rel = (g.log_z(k).unwrap() - t.log_z()).abs() / t.log_z();
            let (mean, var) = g.energy_moments(k).unwrap();
            let du = (mean / n - t.energy_per_spin()).abs();
            let dc = (k * k * var / n - t.specific_heat_per_spin()).abs();
            assert!(rel < 1e-12, "L = {side}, K = {k}: ln Z の相対誤差 {rel:e}");
            assert!(
                du < 1e-10 && dc < 1e-10,
                "L = {side}, K = {k}: {du:e}, {dc:e}"
            );
            worst = (worst.0.max(rel), worst.1.max(du), worst.2.max(dc));
        }
    }
    println!(
        "転送行列 vs Kaufman（L = 5..10）: ln Z 相対 {:.1e}, u {:.1e}, c {:.1e}",
        worst.0, worst.1, worst.2
    );
}

// ---------------------------------------------------------------- 交換の受理率

/// 定義どおりの 2 重和 `Σ_{E,E'} p_a(E) p_b(E') min(1, e^{(β_b − β_a)(E' − E)})`。
fn acceptance_by_double_sum(g: &ExactDensity, a: f64, b: f64) -> f64 {
    let (pa, pb) = (
        g.log_probabilities(a).unwrap(),
        g.log_probabilities(b).unwrap(),
    );
    let mut sum = 0.0;
    for (i, &(e, _)) in g.levels().iter().enumerate() {
        for (j, &(e2, _)) in g.levels().iter().enumerate() {
            let log_r = ((b - a) * (e2 - e) as f64).min(0.0);
            sum += (pa[i] + pb[j] + log_r).exp();
        }
    }
    sum
}

#[test]
fn swap_acceptance_closed_form_matches_definition() {
    let pairs = [(0.2, 0.25), (0.4, K_C), (0.3, 0.6), (0.1, 2.0), (1.0, 1.5)];
    for side in [4, 6, 8] {
        let g = torus(side);
        for (a, b) in pairs {
            let want = acceptance_by_double_sum(g, a, b);
            let got = g.swap_acceptance(a, b).unwrap();
            assert!(
                (got - want).abs() < 1e-13,
                "L = {side}, ({a}, {b}): {got} vs {want}"
            );
            assert_eq!(got, g.swap_acceptance(b, a).unwrap());
        }
        assert!((g.swap_acceptance(0.4, 0.4).unwrap() - 1.0).abs() < 1e-14);
        // β_b について単調に減る（E_b が確率的に小さくなる）
        let a: Vec<f64> = (1..40)
            .map(|i| g.swap_acceptance(0.3, 0.3 + 0.02 * f64::from(i)).unwrap())
            .collect();
        assert!(a.windows(2).all(|w| w[1] < w[0]), "L = {side}: {a:?}");
    }
    // 状態の組の和: 3 × 3 のスピングラスの 2^9 × 2^9 組で Σ q_a(x) q_b(y) min(1, e^{(β_a−β_b)(E(x)−E(y))})
    let glass = SpinGlass::random(3, 3, &mut seeded(11)).unwrap();
    let d = glass.enumerate().unwrap();
    let energies: Vec<f64> = (0..512)
        .map(|s| glass.energy(&spins_of_state(s, 9).unwrap()).unwrap() as f64)
        .collect();
    for (a, b) in [(0.3, 0.7), (0.5, 2.0), (1.0, 1.2)] {
        let weights = |beta: f64| {
            let w: Vec<f64> = energies.iter().map(|e| (-beta * e).exp()).collect();
            let mut z = Neumaier::default();
            w.iter().for_each(|&v| z.add(v));
            let z = z.value();
            w.into_iter().map(|v| v / z).collect::<Vec<f64>>()
        };
        let (qa, qb) = (weights(a), weights(b));
        // 2^18 個の正の項の和: 素朴な和の誤差は最悪で 2^18 ε ≈ 6e-11 なので、補正つきの和（Neumaier）をとる
        let mut want = Neumaier::default();
        for (ex, pa) in energies.iter().zip(&qa) {
            for (ey, pb) in energies.iter().zip(&qb) {
                want.add(pa * pb * swap_probability(a, *ex, b, *ey).unwrap());
            }
        }
        let want = want.value();
        let got = d.density().swap_acceptance(a, b).unwrap();
        assert!((got - want).abs() < 1e-13, "({a}, {b}): {got} vs {want}");
    }
}

#[test]
fn ladders_are_valid_and_acceptance_ladder_equalizes() {
    let g = torus(8);
    let ladder = acceptance_ladder(g, 0.3, 0.6, 8).unwrap();
    check_ladder(&ladder).unwrap();
    assert_eq!((ladder[0], ladder[7]), (0.3, 0.6));
    let acc: Vec<f64> = ladder
        .windows(2)
        .map(|w| g.swap_acceptance(w[0], w[1]).unwrap())
        .collect();
    // 最後の対以外はちょうど共通の受理率、最後の対もそれ以上（二分法の幅 1e-13 の程度）
    assert!(acc.iter().all(|&a| (a - acc[0]).abs() < 1e-9), "{acc:?}");
    let geo = geometric_ladder(0.3, 0.6, 8).unwrap();
    let acc_geo: Vec<f64> = geo
        .windows(2)
        .map(|w| g.swap_acceptance(w[0], w[1]).unwrap())
        .collect();
    // 等比の梯子は臨界点 K_C ≈ 0.44 の近く（比熱の山）で受理率が下がる。そろえた梯子の最小値の方が大きい
    let min_geo = acc_geo.iter().copied().fold(1.0, f64::min);
    assert!(acc[0] > min_geo, "{acc:?} vs {acc_geo:?}");
    println!(
        "L = 8, β = 0.3..0.6, M = 8: 受理率をそろえた梯子 {ladder:.4?} の受理率 {:.4}",
        acc[0]
    );
    println!("  等比の梯子 {geo:.4?} の受理率 {acc_geo:.4?}");
}

// ---------------------------------------------------------------- 交換の詳細つり合い（厳密）

/// `N = 3`、2 温度の結合状態 `(x, y)`（番号 `s_x + 8 s_y`）の交換の遷移行列と、積の分布 `q_1(x) q_2(y)`。
fn swap_kernel(
    model: &Ising,
    b1: f64,
    b2: f64,
    accept: impl Fn(f64, f64) -> f64,
) -> (Array2<f64>, Array1<f64>) {
    let e: Vec<f64> = (0..8)
        .map(|s| model.energy(&spins_of_state(s, 3).unwrap()).unwrap())
        .collect();
    let scaled = |b: f64| {
        Ising::new(
            model.fields().mapv(|v| b * v),
            model.couplings().mapv(|v| b * v),
        )
        .unwrap()
    };
    let q1 = kernel::boltzmann_probabilities(&scaled(b1)).unwrap();
    let q2 = kernel::boltzmann_probabilities(&scaled(b2)).unwrap();
    let mut p = Array2::zeros((64, 64));
    let mut pi = Array1::zeros(64);
    for sx in 0..8 {
        for sy in 0..8 {
            let (from, to) = (sx + 8 * sy, sy + 8 * sx);
            let a = accept(e[sx], e[sy]);
            p[[from, to]] += a;
            p[[from, from]] += 1.0 - a;
            pi[from] = q1[sx] * q2[sy];
        }
    }
    (p, pi)
}

#[test]
fn swap_move_satisfies_detailed_balance_exactly() {
    let model = Ising::new(
        Array1::from(vec![0.3, -0.2, 0.5]),
        Array1::from(vec![0.8, -0.6, 1.1]),
    )
    .unwrap();
    let (b1, b2) = (0.4, 1.3);
    let (p, pi) = swap_kernel(&model, b1, b2, |ex, ey| {
        swap_probability(b1, ex, b2, ey).unwrap()
    });
    let db = kernel::detailed_balance_residual(&p, &pi).unwrap();
    let st = kernel::stationarity_residual(&p, &pi).unwrap();
    assert!(db < 1e-12 && st < 1e-12, "{db:e}, {st:e}");
    // 対照: 指数の符号を逆にした受理（冷たい側が低いエネルギーのとき必ず受け入れる）は詳細つり合いを破る
    let (bad, _) = swap_kernel(&model, b1, b2, |ex, ey| {
        ((b2 - b1) * (ex - ey)).min(0.0).exp()
    });
    assert!(kernel::detailed_balance_residual(&bad, &pi).unwrap() > 1e-3);
    // 1 ステップ全体（各温度のメトロポリス法の掃引 ⊗ の後に交換）も積の分布を不変に保つ
    let sweep = |b: f64| {
        let m = Ising::new(
            model.fields().mapv(|v| b * v),
            model.couplings().mapv(|v| b * v),
        )
        .unwrap();
        kernel::sweep_kernel(&m, Rule::Metropolis, Scan::Sequential).unwrap()
    };
    let (k1, k2) = (sweep(b1), sweep(b2));
    let mut both = Array2::zeros((64, 64));
    for i in 0..64 {
        for j in 0..64 {
            both[[i, j]] = k1[[i % 8, j % 8]] * k2[[i / 8, j / 8]];
        }
    }
    let step = both.dot(&p);
    assert!(kernel::stationarity_residual(&step, &pi).unwrap() < 1e-12);
}

#[test]
fn exchange_joint_frequencies_match_product_distribution() {
    // 実装の Exchange が積の分布 q_1(x) q_2(y) から標本を作ること: 64 個の結合状態の頻度（τ_int で広げた誤差棒）。
    // どの結合状態も確率が 2e-3 以上あるように、結合を弱めにする（6 万ステップで 120 回以上現れる）
    let model = Ising::new(
        Array1::from(vec![0.1, -0.05, 0.15]),
        Array1::from(vec![0.25, -0.2, 0.3]),
    )
    .unwrap();
    let (b1, b2) = (0.5, 1.0);
    let (_, pi) = swap_kernel(&model, b1, b2, |_, _| 0.0);
    let min_pi = pi.iter().copied().fold(1.0, f64::min);
    assert!(min_pi > 2e-3, "{min_pi}");
    let mut rng = seeded(21);
    let mut pt =
        Exchange::new(&model, &[b1, b2], Rule::Metropolis, Scan::Random, &mut rng).unwrap();
    pt.run(&mut rng, 1000).unwrap();
    let steps = 60_000;
    let mut visited = Vec::with_capacity(steps);
    for _ in 0..steps {
        pt.step(&mut rng);
        let index = |slot: usize| {
            let x = pt.state(slot).unwrap();
            (0..3).filter(|&k| x[k] == -1).fold(0, |s, k| s | (1 << k))
        };
        visited.push(index(0) + 8 * index(1));
    }
    let series: Vec<Vec<f64>> = (0..64)
        .map(|s| {
            visited
                .iter()
                .map(|&v| f64::from(u8::from(v == s)))
                .collect()
        })
        .collect();
    let mut worst = 0.0f64;
    for (s, row) in series.iter().enumerate() {
        let z = within_four_se(&format!("結合状態 {s}"), row, pi[s]);
        worst = worst.max(z.abs());
    }
    println!("64 個の結合状態の頻度: 最大 |z| = {worst:.2}（最小の確率 {min_pi:.2e}）");
}

// ---------------------------------------------------------------- スピングラスでの交換モンテカルロ法

/// 5 × 4 の ±J スピングラス（シード 1、N = 20、基底状態のエネルギー −28、縮退 8）。
fn test_glass() -> SpinGlass {
    SpinGlass::random(5, 4, &mut seeded(1)).unwrap()
}

const GLASS_BETA_MIN: f64 = 0.3;
const GLASS_BETA_MAX: f64 = 2.5;
const GLASS_REPLICAS: usize = 8;

#[test]
fn exchange_glass_reproduces_exact_energy_and_overlap() {
    let glass = test_glass();
    let exact = glass.enumerate().unwrap();
    let betas = acceptance_ladder(
        exact.density(),
        GLASS_BETA_MIN,
        GLASS_BETA_MAX,
        GLASS_REPLICAS,
    )
    .unwrap();
    let model = glass.ising(1.0).unwrap();
    let mut rng = seeded(31);
    // 独立な 2 つの交換モンテカルロ法。最も低い温度の配置どうしの重なり q を毎ステップ記録する
    let mut runs: Vec<Exchange> = (0..2)
        .map(|_| {
            Exchange::new(&model, &betas, Rule::Metropolis, Scan::Sequential, &mut rng).unwrap()
        })
        .collect();
    for pt in &mut runs {
        pt.run(&mut rng, 1000).unwrap();
    }
    let steps = 20_000;
    let cold = GLASS_REPLICAS - 1;
    let mut q2 = Vec::with_capacity(steps);
    let mut energies: Vec<Vec<Vec<f64>>> = (0..2)
        .map(|_| {
            (0..GLASS_REPLICAS)
                .map(|_| Vec::with_capacity(steps))
                .collect()
        })
        .collect();
    for _ in 0..steps {
        for (r, pt) in runs.iter_mut().enumerate() {
            pt.step(&mut rng);
            for (m, series) in energies[r].iter_mut().enumerate() {
                series.push(pt.energy(m).unwrap());
            }
        }
        let (x, y) = (runs[0].state(cold).unwrap(), runs[1].state(cold).unwrap());
        q2.push(overlap_squared(
            x.as_slice().unwrap(),
            y.as_slice().unwrap(),
        ));
    }
    let mut zs = Vec::new();
    for (r, run) in energies.iter().enumerate() {
        for (m, series) in run.iter().enumerate() {
            let want = exact.density().energy_moments(betas[m]).unwrap().0;
            zs.push(within_four_se(
                &format!("実行 {r}, β = {}", betas[m]),
                series,
                want,
            ));
        }
    }
    let want_q2 = exact.overlap_second_moment(GLASS_BETA_MAX).unwrap();
    let z_q2 = within_four_se("⟨q²⟩", &q2, want_q2);
    let est = stats::mean_estimate(&q2).unwrap();
    println!(
        "±J 5×4: β = {betas:.4?}, ⟨q²⟩ 推定 {:.4} ± {:.4}、厳密 {want_q2:.4}（z = {z_q2:.2}）、⟨E⟩ の最大 |z| = {:.2}",
        est.mean(),
        est.std_error(),
        zs.iter().fold(0.0f64, |a, z| a.max(z.abs()))
    );
    println!(
        "  受理率 {:.3?}、往復 {} 回（2 × {steps} ステップ）",
        runs[0]
            .acceptance_rates()
            .iter()
            .map(|a| a.unwrap())
            .collect::<Vec<_>>(),
        runs[0].round_trips() + runs[1].round_trips()
    );
}

#[test]
fn exchange_decorrelates_faster_than_metropolis() {
    let glass = test_glass();
    let exact = glass.enumerate().unwrap();
    let want_q2 = exact.overlap_second_moment(GLASS_BETA_MAX).unwrap();
    // 1 温度のメトロポリス法（最も低い温度）: 独立な 2 本の連鎖の重なり
    let cold_model = glass.ising(GLASS_BETA_MAX).unwrap();
    let mut rng = seeded(41);
    let start = |rng: &mut ChaCha8Rng| -> Vec<i8> {
        (0..20)
            .map(|_| if rng.random::<bool>() { 1 } else { -1 })
            .collect()
    };
    let (s1, s2) = (start(&mut rng), start(&mut rng));
    let mut c1 = Chain::new(&cold_model, Rule::Metropolis, Scan::Sequential, &s1).unwrap();
    let mut c2 = Chain::new(&cold_model, Rule::Metropolis, Scan::Sequential, &s2).unwrap();
    c1.run(&mut rng, 10_000).unwrap();
    c2.run(&mut rng, 10_000).unwrap();
    let sweeps = 400_000;
    let (mut q2_m, mut e_m) = (Vec::with_capacity(sweeps), Vec::with_capacity(sweeps));
    for _ in 0..sweeps {
        c1.sweep(&mut rng);
        c2.sweep(&mut rng);
        q2_m.push(overlap_squared(
            c1.state().as_slice().unwrap(),
            c2.state().as_slice().unwrap(),
        ));
        e_m.push(c1.energy() / GLASS_BETA_MAX);
    }
    let tau_q2_m = stats::integrated_time(&q2_m).unwrap();
    let tau_e_m = stats::integrated_time(&e_m).unwrap().tau();
    // 交換モンテカルロ法（8 温度）: 1 ステップ = 8 回の掃引 + 交換
    let betas = acceptance_ladder(
        exact.density(),
        GLASS_BETA_MIN,
        GLASS_BETA_MAX,
        GLASS_REPLICAS,
    )
    .unwrap();
    let model = glass.ising(1.0).unwrap();
    let mut a =
        Exchange::new(&model, &betas, Rule::Metropolis, Scan::Sequential, &mut rng).unwrap();
    let mut b =
        Exchange::new(&model, &betas, Rule::Metropolis, Scan::Sequential, &mut rng).unwrap();
    a.run(&mut rng, 1000).unwrap();
    b.run(&mut rng, 1000).unwrap();
    let steps = 20_000;
    let cold = GLASS_REPLICAS - 1;
    let (mut q2_x, mut e_x) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
    for _ in 0..steps {
        a.step(&mut rng);
        b.step(&mut rng);
        let (x, y) = (a.state(cold).unwrap(), b.state(cold).unwrap());
        q2_x.push(overlap_squared(
            x.as_slice().unwrap(),
            y.as_slice().unwrap(),
        ));
        e_x.push(a.energy(cold).unwrap());
    }
    let tau_q2_x = stats::integrated_time(&q2_x).unwrap().tau();
    let tau_e_x = stats::integrated_time(&e_x).unwrap().tau();
    let est_m = tau_q2_m.estimate();
    println!(
        "β = {GLASS_BETA_MAX}: τ_int(q²) メトロポリス {:.0} 掃引（相対誤差 {:.2}）、交換 {tau_q2_x:.2} ステップ（= {:.1} 掃引ぶんの仕事）、比 {:.0}（1 ステップ）、{:.0}（仕事あたり）",
        tau_q2_m.tau(),
        tau_q2_m.relative_error(),
        tau_q2_x * GLASS_REPLICAS as f64,
        tau_q2_m.tau() / tau_q2_x,
        tau_q2_m.tau() / (tau_q2_x * GLASS_REPLICAS as f64)
    );
    println!(
        "  τ_int(E) メトロポリス {tau_e_m:.2}、交換 {tau_e_x:.2}。メトロポリス法の ⟨q²⟩ = {:.4} ± {:.4}（厳密 {want_q2:.4}）",
        est_m.mean(),
        est_m.std_error()
    );
    // 実測の比は 1 ステップあたり 2000 倍ほど。τ の推定の相対誤差（メトロポリス法で 0.5 程度）を見込んでも
    // 十分に余裕のある 100 倍を、8 温度の仕事で割っても 10 倍を求める
    assert!(
        tau_q2_m.tau() > 100.0 * tau_q2_x,
        "{} vs {tau_q2_x}",
        tau_q2_m.tau()
    );
    assert!(tau_q2_m.tau() > 10.0 * tau_q2_x * GLASS_REPLICAS as f64);
    // 交換の ⟨q²⟩ の推定は厳密な値に合う
    within_four_se("交換の ⟨q²⟩", &q2_x, want_q2);
}

// ---------------------------------------------------------------- 強磁性体 L = 8 の受理率

#[test]
fn exchange_acceptance_matches_exact_on_l8_ferromagnet() {
    let g = torus(8);
    let betas = acceptance_ladder(g, 0.3, 0.6, 8).unwrap();
    let model = SpinGlass::ferromagnet(8, 8).unwrap().ising(1.0).unwrap();
    let mut rng = seeded(51);
    let mut pt =
        Exchange::new(&model, &betas, Rule::Metropolis, Scan::Sequential, &mut rng).unwrap();
    pt.run(&mut rng, 2000).unwrap();
    let mut indicators = vec![Vec::new(); betas.len() - 1];
    for _ in 0..20_000 {
        for (m, accepted) in pt.step(&mut rng) {
            indicators[m].push(if accepted { 1.0 } else { 0.0 });
        }
    }
    let mut report = Vec::new();
    for (m, series) in indicators.iter().enumerate() {
        let exact = g.swap_acceptance(betas[m], betas[m + 1]).unwrap();
        let z = within_four_se(&format!("対 {m}"), series, exact);
        let est = stats::mean_estimate(series).unwrap();
        report.push(format!(
            "{:.4}±{:.4}（厳密 {exact:.4}, z = {z:.2}）",
            est.mean(),
            est.std_error()
        ));
    }
    println!("L = 8 の受理率: {}", report.join(", "));
    println!("  往復 {} 回（20000 ステップ）", pt.round_trips());
    assert!(pt.round_trips() > 0);
}

// ---------------------------------------------------------------- 不正な入力

#[test]
fn density_and_ladders_reject_bad_input() {
    assert!(matches!(
        ExactDensity::transfer_matrix(0),
        Err(Error::InvalidParameter { .. })
    ));
    assert_eq!(
        ExactDensity::transfer_matrix(MAX_TRANSFER_SIDE + 1),
        Err(Error::TooManySpins { n: 144, max: 121 })
    );
    assert_eq!(
        ExactDensity::from_levels(vec![(0, u128::MAX), (1, 1)]),
        Err(Error::Overflow {
            what: "状態数の和"
        })
    );
    assert!(matches!(
        ExactDensity::from_levels(vec![(0, 1), (0, 1)]),
        Err(Error::InvalidParameter { .. })
    ));
    let g = torus(4);
    for beta in [0.0, -0.5] {
        assert!(matches!(g.log_z(beta), Err(Error::InvalidParameter { .. })));
        assert!(matches!(
            g.swap_acceptance(0.5, beta),
            Err(Error::InvalidParameter { .. })
        ));
    }
    for beta in [f64::NAN, f64::INFINITY] {
        assert!(matches!(
            g.energy_moments(beta),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            g.log_swap_acceptance(beta, 0.5),
            Err(Error::NonFinite { .. })
        ));
    }
    // 極端な β でも NaN にならない
    let ln_a = g.log_swap_acceptance(1e-300, 1e300).unwrap();
    assert!(ln_a.is_finite() && ln_a <= 0.0);
    // ln Z ≈ 32 β は β = 1e307 で f64 の範囲を超える
    assert!(matches!(g.log_z(1e307), Err(Error::Overflow { .. })));
    // 梯子
    for bad in [
        &[0.5][..],
        &[0.5, 0.5],
        &[0.6, 0.5],
        &[0.0, 0.5],
        &[-1.0, 0.5],
        &[],
    ] {
        assert!(
            matches!(check_ladder(bad), Err(Error::InvalidParameter { .. })),
            "{bad:?}"
        );
    }
    assert!(matches!(
        check_ladder(&[0.1, f64::NAN]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        check_ladder(&vec![1.0; MAX_REPLICAS + 1]),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        geometric_ladder(0.5, 0.5, 4),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        geometric_ladder(0.1, 1.0, 1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        geometric_ladder(1.0, 1.0 + 1e-15, 100),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        acceptance_ladder(g, 0.1, f64::INFINITY, 4),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        acceptance_ladder(g, 0.4, 0.2, 4),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        acceptance_ladder(g, 0.2, 0.4, MAX_REPLICAS + 1),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        swap_probability(0.1, 0.0, f64::INFINITY, 0.0),
        Err(Error::NonFinite { index: 2, .. })
    ));
}

#[test]
fn exchange_rejects_bad_input() {
    let mut rng = seeded(0);
    let model = Ising::zeros(4).unwrap();
    let new = |betas: &[f64], rng: &mut ChaCha8Rng| {
        Exchange::new(&model, betas, Rule::Metropolis, Scan::Random, rng)
    };
    assert!(matches!(
        new(&[1.0], &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        new(&[1.0, 0.5], &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        new(&[0.0, 0.5], &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        new(&[0.2, f64::NAN], &mut rng),
        Err(Error::NonFinite { .. })
    ));
    // β 倍したモデルが Σ|θ| ≤ 1e100 を破る
    let strong = Ising::new(Array1::from(vec![1.0, 0.0]), Array1::from(vec![1.0])).unwrap();
    assert!(matches!(
        Exchange::new(
            &strong,
            &[1.0, 1e101],
            Rule::Metropolis,
            Scan::Random,
            &mut rng
        ),
        Err(Error::InvalidParameter { .. })
    ));
    // M N² が 2^28 を超える: 連鎖を作る前に断る
    let big = Ising::zeros(4096).unwrap();
    let betas = geometric_ladder(0.1, 1.0, 17).unwrap();
    assert!(matches!(
        Exchange::new(&big, &betas, Rule::Metropolis, Scan::Random, &mut rng),
        Err(Error::TooLarge { .. })
    ));
    let mut pt = new(&[0.5, 1.0], &mut rng).unwrap();
    assert!(matches!(pt.state(2), Err(Error::InvalidParameter { .. })));
    assert!(matches!(pt.energy(5), Err(Error::InvalidParameter { .. })));
    assert!(matches!(
        pt.run(&mut rng, usize::MAX),
        Err(Error::TooLarge { .. })
    ));
    assert_eq!(
        pt.record(&mut rng, 0, &[Observable::Energy]),
        Err(Error::EmptyInput)
    );
    assert_eq!(pt.record(&mut rng, 10, &[]), Err(Error::EmptyInput));
    assert!(matches!(
        pt.record(&mut rng, 10, &[Observable::Spin(4)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        pt.record(&mut rng, usize::MAX / 2, &[Observable::Energy]),
        Err(Error::TooLarge { .. })
    ));
    // 誤りのときは何も進めない
    assert_eq!(pt.swap_counts(), vec![(0, 0)]);
    // 連鎖の配置の交換: スピン数が違えば断る
    let mut a = Chain::new(&model, Rule::Metropolis, Scan::Random, &[1, 1, 1, 1]).unwrap();
    let mut b = Chain::new(
        &Ising::zeros(3).unwrap(),
        Rule::Metropolis,
        Scan::Random,
        &[1, 1, 1],
    )
    .unwrap();
    assert!(matches!(
        a.swap_state(&mut b),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(a.state().to_vec(), vec![1, 1, 1, 1]);
}
