//! マルコフ連鎖モンテカルロ法の核（`genmodel::mcmc`、第 5 章の準備）の検証。
//!
//! 期待値は連鎖とは独立に求める: ボルツマン分布は `Ising::log_z` と `Ising::energy`（列挙）から、
//! モーメントは `Ising::exact` から、自己相関は遷移行列の冪から。統計的な比較の許容誤差は、
//! それぞれの検定のところに根拠を書く。乱数はすべてシードを固定する（`ChaCha8Rng`、数百万回の更新を使う
//! 統計的なテストだけは速い `SplitMix64`）。
//!
//! デバッグビルドでの実行時間は全体で CPU 時間 2 秒程度（N は 3–6、連鎖は 1 本あたり 1200–5 万掃引）。

use genmodel::Error;
use genmodel::boltzmann::ising::{Ising, pairs, spins_of_state};
use genmodel::mcmc::stats::{self, MAX_SERIES_LEN, MIN_SERIES_LEN, WINDOW_FACTOR};
use genmodel::mcmc::{Chain, MAX_KERNEL_SPINS, Observable, Rule, Scan, kernel};
use genmodel::ndarray::{Array1, Array2, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RULES: [Rule; 2] = [Rule::Metropolis, Rule::HeatBath];
const SCANS: [Scan; 2] = [Scan::Sequential, Scan::Random];

/// 状態の番号の順に並べた量 `f(x)`。
fn tabulate(model: &Ising, f: impl Fn(&Array1<i8>) -> f64) -> Array1<f64> {
    let n = model.n_spins();
    (0..1usize << n)
        .map(|s| f(&spins_of_state(s, n).unwrap()))
        .collect()
}

/// ボルツマン分布 `q(s) = exp(−E(s) − ln Z)`（`Ising::log_z` と `Ising::energy` から。`kernel` は使わない）。
fn boltzmann(model: &Ising) -> Array1<f64> {
    let log_z = model.log_z().unwrap();
    tabulate(model, |x| (-model.energy(x).unwrap() - log_z).exp())
}

/// `⟨E⟩ = −(Σ h_k ⟨x_k⟩ + Σ J_kl ⟨x_k x_l⟩)`（`Ising::exact` のモーメントから）。
fn exact_mean_energy(model: &Ising) -> f64 {
    let m = model.exact().unwrap();
    let field: f64 = model
        .fields()
        .iter()
        .zip(m.means().iter())
        .map(|(h, x)| h * x)
        .sum();
    let coupling: f64 = model
        .couplings()
        .iter()
        .zip(m.correlations().iter())
        .map(|(j, c)| j * c)
        .sum();
    -(field + coupling)
}

/// 場と結合を `[−scale, scale]` の一様乱数で作ったモデル。
fn random_model(n: usize, scale: f64, seed: u64) -> Ising {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let h = Array1::from_shape_fn(n, |_| scale * (2.0 * rng.random::<f64>() - 1.0));
    let j = Array1::from_shape_fn(n * (n - 1) / 2, |_| {
        scale * (2.0 * rng.random::<f64>() - 1.0)
    });
    Ising::new(h, j).unwrap()
}

/// 2 つの強く結んだ対 (x_0, x_2)・(x_1, x_3) を弱く結んだ 4 スピンのモデル。
/// `x_0 x_1 ≈ x_2 x_3` は、対の片方が高いエネルギーを越えて反転しないと変わらないので、自己相関が長い。
fn bound_pairs(j_pair: f64, j_link: f64) -> Ising {
    // 対の並び: J01, J02, J03, J12, J13, J23
    Ising::new(
        array![0.0, 0.0, 0.0, 0.0],
        array![0.0, j_pair, 0.0, 0.0, j_pair, j_link],
    )
    .unwrap()
}

/// 正確なボルツマン分布から引いた配置（連鎖を最初から定常にする。焼きなましが要らない）。
fn exact_start<R: Rng>(model: &Ising, rng: &mut R) -> Array1<i8> {
    model.sample(rng, 1).unwrap().row(0).to_owned()
}

/// 速い乱数 SplitMix64（Steele, Lea, Flood 2014。BigCrush を通る 64 ビットの生成器）。
///
/// デバッグビルドの `ChaCha8Rng` は 1 回 0.3–0.8 µs かかり、1 回の更新の費用のほとんどを占める。
/// 数百万回の更新を使う統計的なテスト（自己相関時間・被覆率・⟨E⟩）を 3 秒に収めるため、それらだけこれを使う。
/// シードは固定するので結果は再現する。
struct SplitMix64(u64);

impl rand::RngCore for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dst);
    }
}

// ---------------------------------------------------------------------------
// 厳密な遷移行列: 定常分布、詳細つり合い
// ---------------------------------------------------------------------------

/// 定常分布（GTH 法、遷移行列だけから求める）が `q = exp(−E − ln Z)` に 1e-12 で一致する。
///
/// GTH 法は引き算がないので各成分を相対 `ε` の数倍で求め、`q` も `exp` 1 回の相対誤差なので、
/// 差は `1e-15` 程度。`1e-12` はその 1000 倍の余裕で、規則や走査の誤り（`1e-3` 以上）は見逃さない。
#[test]
fn stationary_distribution_is_boltzmann() {
    for (n, seed) in [(3, 1), (4, 2), (5, 3)] {
        let model = random_model(n, 1.0, seed);
        let q = boltzmann(&model);
        assert!((q.sum() - 1.0).abs() < 1e-14);
        // kernel::boltzmann_probabilities も同じ
        let qk = kernel::boltzmann_probabilities(&model).unwrap();
        assert!(max_abs_diff(&q, &qk) < 1e-15);
        for rule in RULES {
            let mut kernels = vec![("更新", kernel::update_kernel(&model, rule).unwrap())];
            for scan in SCANS {
                kernels.push(("掃引", kernel::sweep_kernel(&model, rule, scan).unwrap()));
            }
            for (what, p) in &kernels {
                let pi = kernel::stationary_distribution(p).unwrap();
                let d = max_abs_diff(&pi, &q);
                assert!(d < 1e-12, "N={n} {rule:?} {what}: |π − q| = {d:e}");
                assert!(kernel::stationarity_residual(p, &q).unwrap() < 1e-14);
            }
        }
    }
}

fn max_abs_diff(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// 全成分の `|π_s P_st − π_t P_ts|` の最大（ライブラリの関数とは別に数える）。
fn flux_asymmetry(p: &Array2<f64>, q: &Array1<f64>) -> f64 {
    let ns = q.len();
    let mut worst = 0.0f64;
    for s in 0..ns {
        for t in 0..ns {
            worst = worst.max((q[s] * p[[s, t]] - q[t] * p[[t, s]]).abs());
        }
    }
    worst
}

/// ランダムな走査の更新（と各スピンの更新 `P_k`、掃引 `P^N`）は全成分で詳細つり合いを満たす。
/// 順番の走査の掃引は満たさないが、定常性は保つ。さらに、その `π` に関する随伴は逆順の積である。
///
/// 許容誤差: 流れ `π_s P_st` は 1 以下の数の積なので丸め誤差は `1e-16` 程度（`1e-15` で判定）。
/// 順番の走査での破れは結合の大きさ（ここでは `0.1–1`）の程度で、`1e-3` を下回らない。
#[test]
fn detailed_balance_holds_for_random_site_but_not_for_sequential_sweep() {
    for (n, seed) in [(3, 11), (4, 12), (5, 13)] {
        let model = random_model(n, 1.0, seed);
        let q = boltzmann(&model);
        for rule in RULES {
            let p = kernel::update_kernel(&model, rule).unwrap();
            let a = flux_asymmetry(&p, &q);
            assert!(a < 1e-15, "N={n} {rule:?}: 更新の流れの非対称 {a:e}");
            assert!(kernel::detailed_balance_residual(&p, &q).unwrap() < 1e-15);
            for k in 0..n {
                let pk = kernel::site_kernel(&model, rule, k).unwrap();
                assert!(flux_asymmetry(&pk, &q) < 1e-15);
            }
            let random_sweep = kernel::sweep_kernel(&model, rule, Scan::Random).unwrap();
            assert!(flux_asymmetry(&random_sweep, &q) < 1e-15);

            let seq = kernel::sweep_kernel(&model, rule, Scan::Sequential).unwrap();
            let a = flux_asymmetry(&seq, &q);
            assert!(a > 1e-3, "N={n} {rule:?}: 順番の走査の破れ {a:e}");
            assert!((kernel::detailed_balance_residual(&seq, &q).unwrap() - a).abs() < 1e-15);
            assert!(kernel::stationarity_residual(&seq, &q).unwrap() < 1e-15);
            assert!(matches!(
                kernel::reversible_spectrum(&seq, &q),
                Err(Error::NotSymmetric { .. })
            ));

            // 掃引 = 各スピンの更新の積。随伴 π_t P_seq[t, s] / π_s は逆順の積 P_{N−1} ⋯ P_0
            let site: Vec<Array2<f64>> = (0..n)
                .map(|k| kernel::site_kernel(&model, rule, k).unwrap())
                .collect();
            let forward = site.iter().skip(1).fold(site[0].clone(), |m, pk| m.dot(pk));
            let backward = site
                .iter()
                .rev()
                .skip(1)
                .fold(site[n - 1].clone(), |m, pk| m.dot(pk));
            assert!(max_abs_diff_2(&forward, &seq) < 1e-15);
            let ns = q.len();
            for s in 0..ns {
                for t in 0..ns {
                    let adjoint = q[t] * seq[[t, s]] / q[s];
                    assert!((adjoint - backward[[s, t]]).abs() < 1e-12);
                }
            }
        }
    }
}

fn max_abs_diff_2(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// 連鎖の 1 掃引の遷移の頻度が、遷移行列の行に一致する（連鎖と行列が同じ規則を実装している）。
///
/// 同じ初期状態から 4000 回ずつ 1 掃引し、行き先の頻度 `f̂` を `P_st` と比べる。
/// 二項分布の標準偏差 `√(P(1−P)/4000)` の 5 倍（片側確率 3e-7、比較は全部で 256 回）まで許す。
#[test]
fn chain_sweep_frequencies_match_kernel_rows() {
    let model = random_model(3, 1.0, 21);
    let trials = 4000;
    let mut rng = SplitMix64(22);
    for rule in RULES {
        for scan in SCANS {
            let p = kernel::sweep_kernel(&model, rule, scan).unwrap();
            for s in 0..8 {
                let start = Chain::new(&model, rule, scan, &spins_of_state(s, 3).unwrap()).unwrap();
                let mut counts = [0usize; 8];
                for _ in 0..trials {
                    let mut c = start.clone();
                    c.sweep(&mut rng);
                    counts[c.state_index().unwrap()] += 1;
                }
                for (t, &count) in counts.iter().enumerate() {
                    let want = p[[s, t]];
                    let got = count as f64 / trials as f64;
                    let sd = (want * (1.0 - want) / trials as f64).sqrt();
                    assert!(
                        (got - want).abs() <= 5.0 * sd + 1e-12,
                        "{rule:?} {scan:?} {s}→{t}: 頻度 {got}, 行列 {want}"
                    );
                }
            }
        }
    }
}

/// 閉じた形で作った対称化行列のスペクトル（`update_spectrum`）が、遷移行列から `D^{1/2} P D^{−1/2}` で
/// 作ったもの（`reversible_spectrum`）と一致し、スペクトルから求めた厳密な `ρ(t)`・`τ_int` が行列の冪によるものと一致する。
///
/// 許容誤差: 固有値の誤差は `‖S‖ ε` の程度（`1e-15`）。`τ_int` は `1/(1 − λ)` で `τ_exp` 倍に増幅されるので
/// `1e-10`。冪の和は `|ρ(t)| < 1e-25` まで足すので打ち切りの誤差は無視できる。
#[test]
fn spectrum_matches_kernel_powers() {
    let model = random_model(4, 0.8, 31);
    let q = boltzmann(&model);
    let energy = tabulate(&model, |x| model.energy(x).unwrap());
    for rule in RULES {
        let p = kernel::update_kernel(&model, rule).unwrap();
        let closed = kernel::update_spectrum(&model, rule).unwrap();
        let generic = kernel::reversible_spectrum(&p, &q).unwrap();
        let d = max_abs_diff(
            &closed.eigenvalues().to_owned(),
            &generic.eigenvalues().to_owned(),
        );
        assert!(d < 1e-13, "{rule:?}: 固有値の差 {d:e}");
        let ev = closed.eigenvalues();
        assert!((ev[ev.len() - 1] - 1.0).abs() < 1e-14);
        if rule == Rule::HeatBath {
            // 熱浴法の P_k は π の内積の直交射影なので、P の固有値は [0, 1]
            assert!(ev.iter().all(|&l| l > -1e-14));
        }
        // 掃引単位（P^N）で、スペクトルの τ_int と冪の和
        let spec = closed.power(4);
        let tau_spec = spec.integrated_time(&energy).unwrap();
        let sweep = kernel::sweep_kernel(&model, rule, Scan::Random).unwrap();
        let rho = kernel::autocorrelation_exact(&sweep, &q, &energy, 2000).unwrap();
        assert!(rho[2000].abs() < 1e-25);
        let tau_pow = rho.sum() - 0.5;
        assert!(
            (tau_spec - tau_pow).abs() < 1e-10,
            "{rule:?}: {tau_spec} vs {tau_pow}"
        );
        for t in [1, 2, 5, 10] {
            let r = spec.autocorrelation(&energy, t).unwrap();
            assert!((r - rho[t as usize]).abs() < 1e-12);
        }
        // どの量の ρ(t) も |λ_2|^t で抑えられる
        let lam = spec.second_modulus();
        for (t, r) in rho.iter().enumerate().take(50) {
            assert!(r.abs() <= lam.powi(t as i32) + 1e-12);
        }
    }
}

// ---------------------------------------------------------------------------
// 連鎖の内部の整合性
// ---------------------------------------------------------------------------

/// 差分で更新した局所場とエネルギーが、定義から計算し直したものに一致する（計算し直しの間隔 256N 反転の前後）。
///
/// 局所場の差分は 1 回ごとに相対 `ε` 程度の丸め誤差を加え、`256 N` 回ごとに定義から計算し直すので、
/// 誤差は `256 × 6 × 2 × 4 ε ≈ 3e-12` 以下。`1e-10` で判定する。
#[test]
fn incremental_local_fields_stay_exact() {
    let model = random_model(6, 1.0, 41);
    let n = 6;
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let jm = |k: usize, l: usize| model.coupling(k, l).unwrap_or(0.0);
    for rule in RULES {
        for scan in SCANS {
            let mut chain = Chain::new(&model, rule, scan, &[1, 1, 1, 1, 1, 1]).unwrap();
            for _ in 0..20 {
                chain.run(&mut rng, 50).unwrap();
                let x = chain.state().to_owned();
                for k in 0..n {
                    let want = model.fields()[k]
                        + (0..n)
                            .filter(|&l| l != k)
                            .map(|l| jm(k, l) * f64::from(x[l]))
                            .sum::<f64>();
                    assert!((chain.local_fields()[k] - want).abs() < 1e-10);
                }
                assert!((chain.energy() - model.energy(&x).unwrap()).abs() < 1e-10);
                assert_eq!(chain.observe(Observable::Energy).unwrap(), chain.energy());
            }
            let rate = chain.acceptance_rate().unwrap();
            assert!(rate > 0.0 && rate <= 1.0);
        }
    }
}

/// 極端なパラメータ（`J = 1e100`、列挙はできないがモデルとしては作れる）でも、連鎖は NaN を出さない。
#[test]
fn chain_survives_extreme_parameters() {
    let model = Ising::new(array![1e99, -1e99, 0.0], array![3e99, -3e99, 1.0]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(51);
    for rule in RULES {
        for scan in SCANS {
            let mut chain = Chain::new(&model, rule, scan, &[-1, 1, 1]).unwrap();
            let trace = chain
                .record(
                    &mut rng,
                    100,
                    &[Observable::Energy, Observable::Magnetization],
                )
                .unwrap();
            assert!(trace.iter().flatten().all(|v| v.is_finite()));
        }
    }
    // 列挙（厳密な遷移行列）は精度が保てないので断る
    assert!(matches!(
        kernel::update_kernel(&model, Rule::HeatBath),
        Err(Error::InvalidParameter { .. })
    ));
}

// ---------------------------------------------------------------------------
// 自己相関時間: 連鎖から推定した値と、遷移行列からの厳密な値
// ---------------------------------------------------------------------------

/// 厳密な `ρ(t)`（`t = 0..=lags`）を掃引の遷移行列の冪から求める。
fn exact_rho(model: &Ising, rule: Rule, scan: Scan, f: &Array1<f64>, lags: usize) -> Array1<f64> {
    let p = kernel::sweep_kernel(model, rule, scan).unwrap();
    let q = boltzmann(model);
    kernel::autocorrelation_exact(&p, &q, f, lags).unwrap()
}

/// エネルギーの積分自己相関時間: 5 万掃引の連鎖から自動窓で推定した `τ̂` が、厳密な `τ_int` に一致する。
///
/// 厳密な `ρ(t)` は掃引の遷移行列の冪から求め、`τ_int = ½ + Σ_{t≥1} ρ(t)`（ランダムな走査ではスペクトルの閉じた形とも照合）。
/// 推定量の期待値は、窓 `M` で打ち切った `τ_M = ½ + Σ_{t=1}^{M} ρ(t)`（打ち切りの偏り `Σ_{t>M} ρ(t)` は
/// 厳密な `ρ` で計算して表示する）。許容誤差は Sokal の漸近式による標準偏差 `√(2(2M+1)/n) τ`
/// （`relative_error`）の 4 倍。連鎖は正確なボルツマン分布から始めるので、初期値による偏りはない。
///
/// ビニングの `τ_B = ½ (SE(B)/SE(1))²` の期待値は `½ + Σ_{t=1}^{B−1} (1 − t/B) ρ(t)`（大きさ `B` のビン平均の分散）で、
/// 許容誤差は `SE(B)²` の相対誤差 `√(2/(n_B − 1))` の 4 倍。
#[test]
fn measured_integrated_time_matches_exact() {
    // 強く結んだ対の模型（τ_int が数掃引、τ_exp は数十掃引）と、ランダムな 5 スピン
    let cases = [
        (bound_pairs(2.0, 0.7), Rule::HeatBath, Scan::Random),
        (bound_pairs(2.0, 0.7), Rule::Metropolis, Scan::Sequential),
        (random_model(5, 0.8, 61), Rule::Metropolis, Scan::Random),
    ];
    let sweeps = 50_000;
    let mut rng = SplitMix64(62);
    for (model, rule, scan) in cases {
        let energy = tabulate(&model, |x| model.energy(x).unwrap());
        let rho = exact_rho(&model, rule, scan, &energy, 3000);
        assert!(rho[3000].abs() < 1e-12, "厳密な ρ の和が収束していない");
        let tau_exact = rho.sum() - 0.5;
        if scan == Scan::Random {
            let spec = kernel::update_spectrum(&model, rule)
                .unwrap()
                .power(model.n_spins() as u32);
            assert!((spec.integrated_time(&energy).unwrap() - tau_exact).abs() < 1e-10);
        }

        let x0 = exact_start(&model, &mut rng);
        let mut chain = Chain::new(&model, rule, scan, &x0).unwrap();
        let trace = chain
            .record(&mut rng, sweeps, &[Observable::Energy])
            .unwrap();
        let est = stats::integrated_time(&trace[0]).unwrap();
        let m = est.window();
        assert!(m as f64 >= WINDOW_FACTOR * est.tau());
        let tau_window = rho.iter().take(m + 1).sum::<f64>() - 0.5;
        let tol = 4.0 * est.relative_error() * tau_exact;
        println!(
            "τ_int(E) {rule:?} {scan:?}: 推定 {:.3}（窓 {m}）, 窓までの厳密な和 {tau_window:.3}, 厳密 {tau_exact:.3}, 許容 {tol:.3}",
            est.tau()
        );
        assert!((est.tau() - tau_window).abs() <= tol);

        let bin = stats::binning(&trace[0]).unwrap();
        let b = bin.chosen().bin_size();
        let nb = bin.chosen().n_bins() as f64;
        let tau_bin = 0.5
            + (1..b)
                .map(|t| (1.0 - t as f64 / b as f64) * rho[t])
                .sum::<f64>();
        let tol_bin = 4.0 * (2.0 / (nb - 1.0)).sqrt() * tau_bin;
        println!(
            "  ビニング: B = {b}, n_B = {nb}, τ = {:.3}, 期待値 {tau_bin:.3}, 許容 {tol_bin:.3}",
            bin.integrated_time()
        );
        assert!((bin.integrated_time() - tau_bin).abs() <= tol_bin);
    }
}

/// 標本の自己相関（FFT）が、定義どおりの和 `(1/n) Σ (x_i − x̄)(x_{i+t} − x̄) / Ĉ(0)` に一致する。
#[test]
fn empirical_autocorrelation_matches_direct_sum() {
    let mut rng = ChaCha8Rng::seed_from_u64(71);
    for n in [25usize, 100, 333, 1000] {
        let mut x = vec![0.0f64; n];
        for t in 1..n {
            x[t] = 0.7 * x[t - 1] + rng.random::<f64>() - 0.5;
        }
        let mean = x.iter().sum::<f64>() / n as f64;
        let c = |t: usize| {
            (0..n - t)
                .map(|i| (x[i] - mean) * (x[i + t] - mean))
                .sum::<f64>()
                / n as f64
        };
        let rho = stats::autocorrelation(&x, n - 1).unwrap();
        for t in 0..n {
            assert!((rho[t] - c(t) / c(0)).abs() < 1e-12, "n={n}, t={t}");
        }
    }
}

// ---------------------------------------------------------------------------
// 誤差棒の被覆率
// ---------------------------------------------------------------------------

/// 独立な連鎖 `chains` 本で ⟨x_0 x_1⟩ の 95 % 信頼区間を作り、正しい値を含んだ割合（τ_int を使う区間と、独立とみなす区間）。
fn coverage(
    model: &Ising,
    rule: Rule,
    scan: Scan,
    chains: usize,
    sweeps: usize,
    seed: u64,
) -> (f64, f64) {
    let exact = model.exact().unwrap().correlation(0, 1).unwrap();
    // 連鎖ごとのシードを ChaCha8Rng から引く（連鎖どうしは独立）
    let mut seeds = ChaCha8Rng::seed_from_u64(seed);
    let (mut good, mut naive) = (0usize, 0usize);
    for _ in 0..chains {
        let mut rng = SplitMix64(seeds.random());
        let x0 = exact_start(model, &mut rng);
        let mut chain = Chain::new(model, rule, scan, &x0).unwrap();
        let trace = chain
            .record(&mut rng, sweeps, &[Observable::Product(0, 1)])
            .unwrap();
        if stats::mean_estimate(&trace[0]).unwrap().covers(exact) {
            good += 1;
        }
        if stats::naive_mean_estimate(&trace[0]).unwrap().covers(exact) {
            naive += 1;
        }
    }
    (good as f64 / chains as f64, naive as f64 / chains as f64)
}

/// 被覆率の許容幅: 真の被覆率 0.95 の二項分布の標準偏差の 3 倍 `3 √(0.95 · 0.05 / 200) ≈ 0.046`。
const CHAINS: usize = 200;

fn coverage_tolerance() -> f64 {
    3.0 * (0.95 * 0.05 / CHAINS as f64).sqrt()
}

/// 4 スピンのモデル（対の結合 1.2、対の間 0.6。⟨x_0 x_1⟩ の τ_int は 1–2 掃引）で、
/// τ_int を使った 95 % 信頼区間が正しい値を含む割合が 0.95 ± 0.046 に入る。
///
/// 各連鎖は正確な分布から始めて `n ≈ 1000 τ_int` 掃引を記録する（メトロポリス法・ランダムな走査は
/// τ_int = 1.8 で 2000 掃引、熱浴法・順番の走査は τ_int = 1.15 で 1200 掃引）。このとき `τ̂` の相対誤差
/// `√(2(2M+1)/n) ≈ 0.15` による被覆率の低下は 0.5 % 程度で、窓の打ち切りの偏りは厳密な `ρ` で求めると 0.3 % 以下である。
#[test]
fn tau_based_interval_has_nominal_coverage() {
    let model = bound_pairs(1.2, 0.6);
    let x01 = tabulate(&model, |x| f64::from(x[0] * x[1]));
    for (rule, scan, sweeps, seed) in [
        (Rule::Metropolis, Scan::Random, 2000, 81),
        (Rule::HeatBath, Scan::Sequential, 1200, 82),
    ] {
        let tau = exact_rho(&model, rule, scan, &x01, 2000).sum() - 0.5;
        let (good, naive) = coverage(&model, rule, scan, CHAINS, sweeps, seed);
        println!(
            "被覆率 {rule:?} {scan:?}（τ_int = {tau:.2}）: τ_int の区間 {good:.3}, 独立とみなす区間 {naive:.3}"
        );
        assert!(
            (good - 0.95).abs() <= coverage_tolerance(),
            "τ_int の区間の被覆率 {good}"
        );
    }
}

/// 強く結合したモデル（対の結合 2、対の間 0.7。⟨x_0 x_1⟩ の τ_int ≈ 8 掃引）では、
/// 独立とみなした区間は幅が `1/√(2τ_int) ≈ 1/4` しかなく、被覆率は 0.95 を大きく下回る
/// （正規近似の予想は `P(|Z| < 1.96/√(2τ)) ≈ 0.37`）。τ_int を使った区間は 0.95 ± 0.046 に入る。
///
/// 各連鎖は 4000 掃引（`n ≈ 480 τ_int`）。
#[test]
fn naive_interval_undercovers_on_strongly_coupled_model() {
    let model = bound_pairs(2.0, 0.7);
    let x01 = tabulate(&model, |x| f64::from(x[0] * x[1]));
    let (rule, scan) = (Rule::Metropolis, Scan::Random);
    let tau = exact_rho(&model, rule, scan, &x01, 3000).sum() - 0.5;
    assert!(tau > 5.0);
    let (good, naive) = coverage(&model, rule, scan, CHAINS, 4000, 91);
    let z = stats::Z_95 / (2.0 * tau).sqrt();
    println!(
        "強い結合（τ_int = {tau:.2}）: τ_int の区間 {good:.3}, 独立とみなす区間 {naive:.3}（予想 P(|Z| < {z:.2})）"
    );
    assert!((good - 0.95).abs() <= coverage_tolerance());
    assert!(naive < 0.95 - coverage_tolerance());
    assert!(naive < 0.6);
}

/// メトロポリス法と熱浴法（両方の走査）の ⟨E⟩ の推定が、厳密な値と標準誤差の 4 倍以内で一致する
/// （τ_int による標準誤差とビニングによる標準誤差の両方で）。4σ を超える確率は正規近似で 6e-5。
#[test]
fn energy_estimates_agree_with_exact() {
    let model = random_model(5, 0.7, 101);
    let exact = exact_mean_energy(&model);
    let mut rng = SplitMix64(102);
    for rule in RULES {
        for scan in SCANS {
            let x0 = exact_start(&model, &mut rng);
            let mut chain = Chain::new(&model, rule, scan, &x0).unwrap();
            let trace = chain
                .record(&mut rng, 20_000, &[Observable::Energy])
                .unwrap();
            let est = stats::mean_estimate(&trace[0]).unwrap();
            let bin = stats::binning(&trace[0]).unwrap();
            println!(
                "⟨E⟩ {rule:?} {scan:?}: {:.4} ± {:.4}（ビニング ± {:.4}）, 厳密 {exact:.4}",
                est.mean(),
                est.std_error(),
                bin.std_error()
            );
            assert!((est.mean() - exact).abs() <= 4.0 * est.std_error());
            assert!((bin.mean() - exact).abs() <= 4.0 * bin.std_error());
        }
    }
}

// ---------------------------------------------------------------------------
// 不正な入力
// ---------------------------------------------------------------------------

#[test]
fn kernel_rejects_bad_input() {
    // N が大きすぎる: 2^13 × 2^13 の確保を試みずに断る
    let big = Ising::zeros(MAX_KERNEL_SPINS + 1).unwrap();
    let too_many = Err(Error::TooManySpins {
        n: MAX_KERNEL_SPINS + 1,
        max: MAX_KERNEL_SPINS,
    });
    assert_eq!(kernel::update_kernel(&big, Rule::Metropolis), too_many);
    assert_eq!(
        kernel::sweep_kernel(&big, Rule::HeatBath, Scan::Sequential),
        too_many
    );
    assert_eq!(kernel::site_kernel(&big, Rule::HeatBath, 0), too_many);
    assert!(matches!(
        kernel::boltzmann_probabilities(&big),
        Err(Error::TooManySpins { .. })
    ));
    assert!(matches!(
        kernel::update_spectrum(&big, Rule::HeatBath),
        Err(Error::TooManySpins { .. })
    ));
    // 非有限のパラメータはモデルの時点で断られる
    assert!(matches!(
        Ising::new(array![f64::NAN, 0.0], array![0.0]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Ising::new(array![0.0, 0.0], array![f64::INFINITY]),
        Err(Error::NonFinite { .. })
    ));
    let model = Ising::new(array![0.3, -0.2], array![0.5]).unwrap();
    assert!(kernel::site_kernel(&model, Rule::HeatBath, 2).is_err());

    // 確率行列でない
    assert!(matches!(
        kernel::stationary_distribution(&array![[1.5, -0.5], [0.5, 0.5]]),
        Err(Error::NegativeProbability { index: 1, .. })
    ));
    assert!(matches!(
        kernel::stationary_distribution(&array![[0.5, 0.4], [0.5, 0.5]]),
        Err(Error::NotNormalized { .. })
    ));
    assert!(matches!(
        kernel::stationary_distribution(&array![[f64::NAN, 0.5], [0.5, 0.5]]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        kernel::stationary_distribution(&array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        kernel::stationary_distribution(&Array2::<f64>::zeros((0, 0))),
        Err(Error::EmptyInput)
    ));
    // 既約でなく、定常分布が一意でない（2 つの吸収状態）。吸収状態が 1 つだけなら定常分布は一意なので受け付ける
    assert!(matches!(
        kernel::stationary_distribution(&array![[1.0, 0.0], [0.0, 1.0]]),
        Err(Error::InvalidParameter { .. })
    ));
    let absorbing = kernel::stationary_distribution(&array![[1.0, 0.0], [0.5, 0.5]]).unwrap();
    assert_eq!(absorbing, array![1.0, 0.0]);
    // 分布が合わない
    let p = array![[0.9, 0.1], [0.3, 0.7]];
    assert!(matches!(
        kernel::detailed_balance_residual(&p, &array![0.5, 0.5, 0.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        kernel::stationarity_residual(&p, &array![0.6, 0.6]),
        Err(Error::NotNormalized { .. })
    ));
    // π が定常でない、量が定数、ずれの数が大きすぎる
    assert!(matches!(
        kernel::autocorrelation_exact(&p, &array![0.5, 0.5], &[1.0, 0.0], 3),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        kernel::autocorrelation_exact(&p, &array![0.75, 0.25], &[1.0, 1.0], 3),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        kernel::autocorrelation_exact(&p, &array![0.75, 0.25], &[1.0, 0.0], usize::MAX),
        Err(Error::TooLarge { .. })
    ));
    // π に 0 がある可逆な行列
    assert!(matches!(
        kernel::reversible_spectrum(&array![[1.0, 0.0], [1.0, 0.0]], &array![1.0, 0.0]),
        Err(Error::InvalidParameter { .. })
    ));
    // 周期的な連鎖: τ_exp と τ_int は定義できない
    let periodic = kernel::update_spectrum(&Ising::zeros(1).unwrap(), Rule::Metropolis).unwrap();
    assert!(periodic.spectral_gap().abs() < 1e-15);
    assert!(matches!(
        periodic.exponential_time(),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        periodic.integrated_time(&[1.0, -1.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        periodic.integrated_time(&[1.0]),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn chain_rejects_bad_input() {
    let model = Ising::zeros(3).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(111);
    let mut chain = Chain::new(&model, Rule::HeatBath, Scan::Random, &[1, 1, 1]).unwrap();
    assert_eq!(
        chain.record(&mut rng, 0, &[Observable::Energy]),
        Err(Error::EmptyInput)
    );
    assert_eq!(chain.record(&mut rng, 10, &[]), Err(Error::EmptyInput));
    assert!(matches!(
        chain.record(&mut rng, 10, &[Observable::Spin(3)]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        chain.record(&mut rng, 10, &[Observable::Product(0, 0)]),
        Err(Error::InvalidParameter { .. })
    ));
    // 巨大な要求は確保を試みずに断る（掃引もしない）
    let before = chain.state().to_owned();
    assert!(matches!(
        chain.record(
            &mut rng,
            usize::MAX,
            &[Observable::Energy, Observable::Spin(0)]
        ),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        chain.record(
            &mut rng,
            (1 << 27) + 1,
            &[Observable::Energy, Observable::Spin(0)]
        ),
        Err(Error::TooLarge { .. })
    ));
    assert_eq!(chain.state(), before);
    assert!(chain.update_site(&mut rng, 3).is_err());
    assert!(matches!(
        Chain::new(&model, Rule::HeatBath, Scan::Random, &[1, 1]),
        Err(Error::DimensionMismatch {
            expected: 3,
            actual: 2
        })
    ));
    assert!(matches!(
        Chain::new(&model, Rule::HeatBath, Scan::Random, &[1, 1, 2]),
        Err(Error::InvalidParameter { .. })
    ));
    // 記録の誤りは連鎖を進めない
    assert_eq!(chain.acceptance_rate(), None);
}

#[test]
fn stats_reject_bad_input() {
    let mut rng = ChaCha8Rng::seed_from_u64(121);
    let x: Vec<f64> = (0..1000).map(|_| rng.random::<f64>()).collect();
    // 短すぎる
    assert_eq!(
        stats::integrated_time(&x[..MIN_SERIES_LEN - 1]),
        Err(Error::TooFewSamples {
            needed: MIN_SERIES_LEN,
            actual: MIN_SERIES_LEN - 1
        })
    );
    assert!(matches!(
        stats::binning(&x[..10]),
        Err(Error::TooFewSamples { .. })
    ));
    assert!(matches!(
        stats::naive_mean_estimate(&x[..1]),
        Err(Error::TooFewSamples { .. })
    ));
    assert!(matches!(
        stats::autocorrelation(&x[..5], 5),
        Err(Error::TooFewSamples { .. })
    ));
    // τ_int に比べて短い: ゆっくり動く系列（AR(1), a = 0.99、τ ≈ 100）の 1000 個
    let mut slow = vec![0.0f64; 1000];
    for t in 1..slow.len() {
        slow[t] = 0.99 * slow[t - 1] + rng.random::<f64>() - 0.5;
    }
    match stats::integrated_time(&slow) {
        Err(Error::TooFewSamples { needed, actual }) => {
            assert_eq!(actual, 1000);
            assert!(needed > 1000);
        }
        other => panic!("短い系列を受け付けた: {other:?}"),
    }
    assert!(matches!(
        stats::mean_estimate(&slow),
        Err(Error::TooFewSamples { .. })
    ));
    // 分散 0（定数）
    for bad in [
        stats::integrated_time(&[2.5; 100]).map(|_| ()),
        stats::binning(&[2.5; 100]).map(|_| ()),
        stats::naive_mean_estimate(&[2.5; 100]).map(|_| ()),
        stats::autocorrelation(&[2.5; 100], 3).map(|_| ()),
        stats::effective_sample_size(&[2.5; 100]).map(|_| ()),
    ] {
        assert!(
            matches!(bad, Err(Error::InvalidParameter { .. })),
            "{bad:?}"
        );
    }
    // 周期的な系列: 自動窓の τ が正でない
    let alternating: Vec<f64> = (0..100).map(|i| (i % 2) as f64).collect();
    assert!(matches!(
        stats::integrated_time(&alternating),
        Err(Error::InvalidParameter { .. })
    ));
    // 非有限
    let mut y = x.clone();
    y[7] = f64::INFINITY;
    assert_eq!(
        stats::integrated_time(&y),
        Err(Error::NonFinite {
            what: "系列",
            index: 7
        })
    );
    y[7] = f64::NAN;
    assert!(matches!(
        stats::binning(&y),
        Err(Error::NonFinite { index: 7, .. })
    ));
    assert!(matches!(
        stats::naive_mean_estimate(&y),
        Err(Error::NonFinite { .. })
    ));
    // 長すぎる系列（FFT の作業領域の上限）
    let long = vec![0.0f64; MAX_SERIES_LEN + 1];
    assert_eq!(
        stats::integrated_time(&long),
        Err(Error::TooLarge {
            what: "系列の長さ",
            requested: MAX_SERIES_LEN + 1,
            max: MAX_SERIES_LEN
        })
    );
    // 大きな値でも途中であふれない（縮めてから 2 乗する）。τ は尺度によらない
    let big: Vec<f64> = x.iter().map(|v| v * 1e150).collect();
    let t = stats::integrated_time(&big).unwrap();
    let small = stats::integrated_time(&x).unwrap();
    assert!((t.tau() - small.tau()).abs() < 1e-12);
    assert!((t.estimate().std_error() / small.estimate().std_error() / 1e150 - 1.0).abs() < 1e-12);
    // 分散そのものが f64 で表せない（1e300 の 2 乗）なら Overflow
    let huge: Vec<f64> = x.iter().map(|v| v * 1e300).collect();
    assert!(matches!(
        stats::integrated_time(&huge),
        Err(Error::Overflow { .. })
    ));
}

/// `pairs` の並びと `bound_pairs` の添字が合っていることの確認（テストの前提）。
#[test]
fn bound_pairs_layout() {
    let p: Vec<_> = pairs(4).collect();
    assert_eq!(p[1], (0, 2));
    assert_eq!(p[4], (1, 3));
    assert_eq!(p[5], (2, 3));
    let m = bound_pairs(2.0, 0.7);
    assert_eq!(m.coupling(0, 2), Some(2.0));
    assert_eq!(m.coupling(1, 3), Some(2.0));
    assert_eq!(m.coupling(2, 3), Some(0.7));
}
