//! 敵対的な入力の掃引: Ising モデル（§2.5–2.6、`boltzmann::ising`）。
//!
//! 公開関数のそれぞれに極端な値（パラメータに ±0、非正規化数、`±1e99`、`1e300`、NaN、±∞、`Σ|θ|` の上限の前後）、
//! `±1` 以外のスピン（`i8::MIN` など）、空・長さ 1 の配列、連続でないビュー（転置・1 行おき・逆順・1 列おき・
//! 負の歩幅の所有配列）、`usize::MAX` の大きさ（スピン数・標本数・状態の番号・添字）を与え、契約を確かめる:
//! `Ok` なら有限で**正しい**値（全状態を定義どおりに足した値と許容誤差で一致）、そうでなければ文書に書いた
//! 型つきの `Err`。パニック・NaN・黙った誤りは許さない。
//!
//! 掃引の大きさ（各テストの最後の `finish` で数を確かめる）: **公開関数 42 個 × 入力 = 呼び出し約 19 700 回**。
//! - `sweep_model_and_indexing`: 15 関数（パラメータの並び、状態の番号、十分統計量、モデルの構築と読み出し、
//!   エネルギー (2.25a)、曲率の上界 (2.44a)）、7 853 回
//! - `sweep_enumeration_and_sampling`: 9 関数（`ln Z` (2.26)、モーメント (2.28)–(2.29)、共分散 (2.40a)、標本）、1 402 回
//! - `sweep_spin_data_and_learning`: 14 関数（データの検査・平均・エントロピー、KL (2.27)、勾配、ヘッセ行列、
//!   1 歩と学習 (2.30)）、10 123 回
//! - `sweep_ridge_fit_and_certificates`: 4 関数（正則化の係数、鋭い曲率の上界 ⌊(N+1)²/4⌋、内点の証明、
//!   結果つきの学習）、約 330 回（回数は入力の表から式で求めて確かめる）
//!
//! `hostile_surrogate.rs`（代理関数と勾配法の 12 関数、603 404 回）と合わせて **54 関数 × 入力 = 約 623 100 回**。

mod hostile_support;

use genmodel::boltzmann::ising::{
    self, Ising, KlObjective, MAX_ENUMERATION_L1, MAX_MODEL_SPINS, MAX_SAMPLE_SPINS, Moments,
    check_spin_data, data_entropy, data_statistics, global_curvature_bound, n_params, pair_index,
    pairs, spins_of_state, sufficient_statistics,
};
use genmodel::ndarray::{Array1, Array2, ArrayView2, Axis, Slice, array};
use genmodel::optim::{StepSize, StopRule};
use genmodel::{Error, Result};
use hostile_support::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// モデルのパラメータに使う値: 極端な値に、`Σ|θ|` の上限（列挙の `1e4`、モデルの `1e100`）の前後を足す。
const PARAMS: [f64; 19] = [
    0.0,
    -0.0,
    1e-320,
    -1e-320,
    f64::MIN_POSITIVE,
    0.3,
    -1.0,
    1.0,
    700.0,
    -2500.0,
    5000.0,
    1e4,
    1e5,
    1e99,
    -1e100,
    1e300,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

/// 大きさ（スピン数・標本数・添字）の極端な値。
const SIZES: [usize; 12] = [
    0,
    1,
    2,
    3,
    28,
    63,
    64,
    4096,
    4097,
    1 << 32,
    usize::MAX / 2 + 1,
    usize::MAX,
];

// ---------------------------------------------------------------- 0. 報告された入力（以前は誤った値かパニック）

/// `Ising::sample(rng, usize::MAX / 2 + 1)` は、以前は `count · N` の容量計算があふれてパニックした。
/// 今は確保を試みずに `TooLarge`（上限は `MAX_SAMPLE_SPINS / N` 個）を返す。
#[test]
fn sample_of_usize_max_half_plus_one_is_too_large() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let m = Ising::zeros(2).unwrap();
    for count in [usize::MAX / 2 + 1, usize::MAX, MAX_SAMPLE_SPINS / 2 + 1] {
        assert_eq!(
            m.sample(&mut rng, count),
            Err(Error::TooLarge {
                what: "標本数",
                requested: count,
                max: MAX_SAMPLE_SPINS / 2
            })
        );
    }
    assert_eq!(m.sample(&mut rng, 3).unwrap().dim(), (3, 2));
}

/// `spins_of_state(5, 2)` は、以前は `5 = 0b101` の第 2 ビットを黙って捨てて `(−1, 1)` を返した。
#[test]
fn spins_of_state_does_not_drop_high_bits() {
    assert_eq!(
        spins_of_state(5, 2),
        Err(Error::StateOutOfRange {
            state: 5,
            n_states: 4
        })
    );
    assert_eq!(spins_of_state(1, 2).unwrap(), array![-1, 1]);
}

/// パラメータの数と対の位置は、`usize` に収まる限り正確（以前は `n_params(2^32)` が飽和して
/// `2^63 − 1`、`pair_index(usize::MAX, 1, 2)` は `2n` があふれてパニック、
/// `global_curvature_bound(usize::MAX)` は飽和した `≈ 9.2e18`）。
#[test]
fn parameter_counts_and_pair_positions_are_exact_for_huge_n() {
    assert_eq!(n_params(1 << 32).unwrap(), (1usize << 63) + (1 << 31));
    assert!(matches!(
        n_params(usize::MAX),
        Err(Error::TooManySpins { .. })
    ));
    assert_eq!(pair_index(usize::MAX, 1, 2), Some(usize::MAX - 1));
    let m = global_curvature_bound(usize::MAX);
    let x = usize::MAX as f64;
    assert!((m / (0.5 * x * x) - 1.0).abs() < 1e-15, "{m}");
}

/// `J = 1e99, h_0 = 1`: `(+,+)` と `(−,−)` の指数の差 2 は `f64` の丸め（1e83）に埋もれるので、
/// 以前の列挙は `⟨x_0⟩ = 0` を返した（正しくは `tanh 1 ≈ 0.76`）。今は列挙の精度の上限
/// `MAX_ENUMERATION_L1` を超えるとして断る。上限の内側の `J = 1e4 − 1` では正しい値になる。
#[test]
fn near_ties_under_huge_couplings_are_not_silently_wrong() {
    let huge = Ising::new(array![1.0, 0.0], array![1e99]).unwrap();
    assert!(is_invalid(&huge.exact()));
    assert!(is_invalid(
        &huge.sample(&mut ChaCha8Rng::seed_from_u64(1), 1)
    ));
    let kl = KlObjective::from_data(&array![[1, 1]]).unwrap();
    assert!(is_invalid(&kl.value(&huge)));
    let big = Ising::new(array![1.0, 0.0], array![MAX_ENUMERATION_L1 - 1.0]).unwrap();
    let m = big.exact().unwrap();
    assert!(
        (m.means()[0] - 1f64.tanh()).abs() < 1e-9,
        "{}",
        m.means()[0]
    );
    assert!((m.correlations()[0] - 1.0).abs() < 1e-9);
}

// ---------------------------------------------------------------- 4. モデル、パラメータの並び、エネルギー

/// `N(N+1)/2` が `usize` に収まる最大の `N`（二分探索。実装の閉じた式とは独立に）。
fn max_params_spins() -> usize {
    let fits = |n: u128| n * (n + 1) / 2 <= usize::MAX as u128;
    let (mut lo, mut hi) = (0u128, 1u128 << 40);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    lo as usize
}

/// 定義どおりの指数 `Σ_k h_k x_k + Σ_{k<l} J_kl x_k x_l`（項を大きさの順に補償つきで足す）。
fn exponent(h: &[f64], j: &[f64], x: &[f64]) -> f64 {
    let n = h.len();
    let mut terms: Vec<f64> = (0..n).map(|k| h[k] * x[k]).collect();
    let mut idx = 0;
    for k in 0..n {
        for l in k + 1..n {
            terms.push(j[idx] * x[k] * x[l]);
            idx += 1;
        }
    }
    terms.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for t in terms {
        let y = t - c;
        let s = sum + y;
        c = (s - sum) - y;
        sum = s;
    }
    sum
}

fn l1(theta: &[f64]) -> f64 {
    theta.iter().map(|v| v.abs()).sum()
}

/// `Ising::new(h, j)` が受け入れるべきか（受け入れないなら、どの誤りか）。
fn new_contract(h: &[f64], j: &[f64], r: &Result<Ising>) -> bool {
    let n = h.len();
    if n == 0 {
        return *r == Err(Error::EmptyInput);
    }
    if n > MAX_MODEL_SPINS {
        return matches!(r, Err(Error::TooManySpins { .. }));
    }
    if j.len() != n * (n - 1) / 2 {
        return matches!(r, Err(Error::DimensionMismatch { .. }));
    }
    let theta: Vec<f64> = h.iter().chain(j).copied().collect();
    if theta.iter().any(|v| !v.is_finite()) {
        return is_non_finite_err(r);
    }
    if l1(&theta) > 1e100 {
        return is_invalid(r);
    }
    matches!(r, Ok(m) if m.n_spins() == n
        && m.fields().to_vec() == h
        && m.couplings().to_vec() == j
        && m.params().to_vec() == theta)
}

/// 極端なパラメータのモデル（N = 1, 2, 3。受け入れられたものだけ）と、その θ。
fn extreme_models(rng: &mut ChaCha8Rng, count: usize) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut out = Vec::new();
    for &a in &PARAMS {
        out.push((vec![a], vec![]));
    }
    while out.len() < count {
        let n = rng.random_range(2..=3);
        let p = n * (n + 1) / 2;
        let theta: Vec<f64> = (0..p)
            .map(|_| PARAMS[rng.random_range(0..PARAMS.len())])
            .collect();
        out.push((theta[..n].to_vec(), theta[n..].to_vec()));
    }
    out
}

#[test]
fn sweep_model_and_indexing() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let max_p = max_params_spins();
    let mut sizes = SIZES.to_vec();
    sizes.extend([max_p, max_p + 1]);
    for &n in &sizes {
        sw.probe(
            "n_params",
            &n,
            || n_params(n),
            |r| {
                let want = n as u128 * (n as u128 + 1) / 2;
                match r {
                    Ok(p) => *p as u128 == want,
                    Err(Error::TooManySpins { .. }) => want > usize::MAX as u128,
                    Err(_) => false,
                }
            },
        );
        sw.probe(
            "global_curvature_bound",
            &n,
            || Ok(global_curvature_bound(n)),
            |r| {
                // M = N(N+1)/2 を実数で（u128 に収まらない N でも相対 1e-15 まで）
                let x = Big::new(n as f64);
                let want = x.mul(x.add(Big::new(1.0))).mul(Big::new(0.5));
                matches!(r, Ok(m) if m.is_finite() && close(*m, want, want, 1e-15))
            },
        );
        let mut ks: Vec<usize> = vec![0, 1, 2, usize::MAX - 1, usize::MAX];
        ks.extend([n.saturating_sub(2), n.saturating_sub(1), n]);
        for &k in &ks {
            for &l in &ks {
                sw.probe(
                    "pair_index",
                    &(n, k, l),
                    || Ok(pair_index(n, k, l)),
                    |r| {
                        let (a, b) = (k.min(l) as u128, k.max(l) as u128);
                        let want = if a == b || b >= n as u128 {
                            None
                        } else {
                            // 0..a の行の対の数 + 行 a の中の位置（実装の式とは別の書き方）
                            let before = a * (n as u128 - 1) - a * a.saturating_sub(1) / 2;
                            usize::try_from(before + (b - a - 1)).ok()
                        };
                        *r == Ok(want)
                    },
                );
            }
        }
        sw.probe(
            "pairs",
            &n,
            || Ok(pairs(n).take(4).collect::<Vec<_>>()),
            |r| {
                let want: Vec<(usize, usize)> = (0..n.min(4))
                    .flat_map(|k| (k + 1..n.min(5)).map(move |l| (k, l)))
                    .filter(|&(k, _)| n > 4 || k < n)
                    .collect();
                // 最初の 4 つは (0,1), (0,2), ...（n が小さければ全部）
                let want: Vec<(usize, usize)> = if n >= 5 {
                    (1..5).map(|l| (0, l)).collect()
                } else {
                    want.into_iter().take(4).collect()
                };
                *r == Ok(want)
            },
        );
        // 状態の番号とスピン配置
        let mut states = vec![0usize, 1, 5, usize::MAX, usize::MAX / 2 + 1];
        if n < 64 {
            states.extend([(1 << n) - 1, 1 << n]);
        }
        for &state in &states {
            sw.probe(
                "spins_of_state",
                &(state, n),
                || spins_of_state(state, n),
                |r| {
                    if n == 0 {
                        return *r == Err(Error::EmptyInput);
                    }
                    if n > usize::BITS as usize {
                        return matches!(r, Err(Error::TooManySpins { .. }));
                    }
                    if n < 64 && state >= 1 << n {
                        return *r
                            == Err(Error::StateOutOfRange {
                                state,
                                n_states: 1 << n,
                            });
                    }
                    // 配置から番号を組み立て直すと元に戻る
                    matches!(r, Ok(x) if x.len() == n
                        && x.iter().enumerate().map(|(k, &v)| usize::from(v == -1) << k).sum::<usize>() == state
                        && x.iter().all(|&v| v == 1 || v == -1))
                },
            );
        }
        // モデルの大きさ
        if n != 4096 {
            sw.probe(
                "Ising::zeros",
                &n,
                || Ising::zeros(n),
                |r| match r {
                    Ok(m) => {
                        (1..=MAX_MODEL_SPINS).contains(&n) && m.params().iter().all(|&v| v == 0.0)
                    }
                    Err(Error::EmptyInput) => n == 0,
                    Err(Error::TooManySpins { .. }) => n > MAX_MODEL_SPINS,
                    Err(_) => false,
                },
            );
        }
        for theta in [vec![], vec![0.5], vec![0.1, 0.2, 0.3], vec![f64::NAN; 3]] {
            sw.probe(
                "Ising::from_params",
                &(n, &theta),
                || Ising::from_params(n, &theta),
                |r| {
                    if n > MAX_MODEL_SPINS {
                        return matches!(r, Err(Error::TooManySpins { .. }));
                    }
                    if theta.len() != n * (n + 1) / 2 {
                        return matches!(r, Err(Error::DimensionMismatch { .. }));
                    }
                    new_contract(&theta[..n], &theta[n..], r)
                },
            );
        }
    }
    // 十分統計量: ±1 以外・空・長さ 1・連続でないビュー・大きすぎる N
    const SPINS: [i8; 7] = [i8::MIN, -2, -1, 0, 1, 2, i8::MAX];
    let mut xs: Vec<Vec<i8>> = vec![vec![]];
    xs.extend(SPINS.iter().map(|&a| vec![a]));
    xs.extend(
        SPINS
            .iter()
            .flat_map(|&a| SPINS.iter().map(move |&b| vec![a, b])),
    );
    xs.extend((0..200).map(|_| {
        (0..rng.random_range(3..7))
            .map(|_| if rng.random_bool(0.5) { 1 } else { -1 })
            .collect()
    }));
    xs.push(vec![1; MAX_MODEL_SPINS + 1]);
    for x in &xs {
        let check = |r: &Result<Array1<f64>>| {
            let n = x.len();
            if n == 0 {
                return *r == Err(Error::EmptyInput);
            }
            if n > MAX_MODEL_SPINS {
                return matches!(r, Err(Error::TooManySpins { .. }));
            }
            if x.iter().any(|&v| v != 1 && v != -1) {
                return is_invalid(r);
            }
            let mut want: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
            for k in 0..n {
                for l in k + 1..n {
                    want.push(f64::from(x[k]) * f64::from(x[l]));
                }
            }
            matches!(r, Ok(phi) if phi.to_vec() == want)
        };
        sw.probe(
            "sufficient_statistics",
            x,
            || sufficient_statistics(x),
            check,
        );
        let stored = spread(&Array1::from(x.clone()), 0);
        sw.probe(
            "sufficient_statistics(ビュー)",
            x,
            || sufficient_statistics(every_other(&stored)),
            check,
        );
    }
    // モデル: 長さと値の組み合わせ、連続でない（逆順の）所有配列
    for (h, j) in extreme_models(&mut rng, 400) {
        let n = h.len();
        sw.probe(
            "Ising::new",
            &(&h, &j),
            || Ising::new(Array1::from(h.clone()), Array1::from(j.clone())),
            |r| new_contract(&h, &j, r),
        );
        let reversed = |v: &[f64]| {
            let mut w = Array1::from(v.to_vec());
            w.invert_axis(Axis(0));
            w.slice_axis_move(Axis(0), Slice::from(..).step_by(-1))
        };
        sw.probe(
            "Ising::new(ビュー)",
            &(&h, &j),
            || Ising::new(reversed(&h), reversed(&j)),
            |r| new_contract(&h, &j, r),
        );
        let Ok(m) = Ising::new(Array1::from(h.clone()), Array1::from(j.clone())) else {
            continue;
        };
        let theta: Vec<f64> = h.iter().chain(&j).copied().collect();
        sw.probe("Ising::n_spins", &m, || Ok(m.n_spins()), |r| *r == Ok(n));
        sw.probe(
            "Ising::fields",
            &m,
            || Ok(m.fields().to_vec()),
            |r| *r == Ok(h.clone()),
        );
        sw.probe(
            "Ising::couplings",
            &m,
            || Ok(m.couplings().to_vec()),
            |r| *r == Ok(j.clone()),
        );
        sw.probe(
            "Ising::params",
            &m,
            || Ok(m.params().to_vec()),
            |r| *r == Ok(theta.clone()),
        );
        for k in [0usize, 1, 2, 3, usize::MAX] {
            for l in [0usize, 1, 2, usize::MAX] {
                sw.probe(
                    "Ising::coupling",
                    &(k, l),
                    || Ok(m.coupling(k, l)),
                    |r| {
                        let want = pairs(n)
                            .position(|p| p == (k.min(l), k.max(l)))
                            .map(|i| j[i]);
                        matches!(r, Ok(c) if c.map(f64::to_bits) == want.map(f64::to_bits))
                    },
                );
            }
        }
        let mut configs: Vec<Vec<i8>> = (0..1usize << n)
            .map(|s| {
                (0..n)
                    .map(|k| if (s >> k) & 1 == 1 { -1 } else { 1 })
                    .collect()
            })
            .collect();
        configs.extend([vec![1; n + 1], vec![0; n], vec![]]);
        for x in &configs {
            let check = |r: &Result<f64>| {
                if x.len() != n {
                    return matches!(r, Err(Error::DimensionMismatch { .. }));
                }
                if x.iter().any(|&v| v != 1 && v != -1) {
                    return is_invalid(r);
                }
                let xf: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
                let want = -exponent(&h, &j, &xf);
                matches!(r, Ok(e) if close(*e, Big::new(want), Big::new(l1(&theta)), 1e-15 * 8.0))
            };
            sw.probe("Ising::energy", &(&h, &j, x), || m.energy(x), check);
            let stored = spread(&Array1::from(x.clone()), 0);
            sw.probe(
                "Ising::energy(ビュー)",
                &(&h, &j, x),
                || m.energy(every_other(&stored)),
                check,
            );
        }
    }
    sw.finish(15, 7_853);
}

// ---------------------------------------------------------------- 5. 全状態の列挙と標本

/// 全状態を定義どおりに足した `ln Z`、`⟨φ⟩`、`Cov(φ)`、各状態の（f64 での）重み `exp(指数 − 最大)`。
struct Brute {
    log_z: f64,
    stats: Vec<f64>,
    cov: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

fn phi_of(s: usize, n: usize) -> Vec<f64> {
    let x: Vec<f64> = (0..n)
        .map(|k| if (s >> k) & 1 == 1 { -1.0 } else { 1.0 })
        .collect();
    let mut phi = x.clone();
    for k in 0..n {
        for l in k + 1..n {
            phi.push(x[k] * x[l]);
        }
    }
    phi
}

fn brute(h: &[f64], j: &[f64]) -> Brute {
    let n = h.len();
    let ex: Vec<f64> = (0..1usize << n)
        .map(|s| exponent(h, j, &phi_of(s, n)[..n]))
        .collect();
    let mx = ex.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = ex.iter().map(|e| (e - mx).exp()).collect();
    let z: f64 = weights.iter().sum();
    let p = n * (n + 1) / 2;
    let mut stats = vec![0.0; p];
    for (s, w) in weights.iter().enumerate() {
        for (a, f) in stats.iter_mut().zip(phi_of(s, n)) {
            *a += w * f / z;
        }
    }
    let mut cov = vec![vec![0.0; p]; p];
    for (s, w) in weights.iter().enumerate() {
        let d: Vec<f64> = phi_of(s, n)
            .iter()
            .zip(&stats)
            .map(|(f, m)| f - m)
            .collect();
        for a in 0..p {
            for b in 0..p {
                cov[a][b] += w * d[a] * d[b] / z;
            }
        }
    }
    Brute {
        log_z: mx + z.ln(),
        stats,
        cov,
        weights,
    }
}

/// 列挙の誤差の許容（`prec::ENUMERATION_TOLERANCE` と同じ 1e-9。`Σ|θ| ≤ 1e4` で保証する大きさ）。
const ENUM_TOL: f64 = 1e-9;

fn within(a: f64, b: f64, tol: f64) -> bool {
    a.is_finite() && (a - b).abs() <= tol
}

/// 列挙を試すモデル: 極端なパラメータ（N ≤ 3）、列挙の上限 `Σ|θ| = 1e4` の前後で指数の差が小さい組、
/// ブロックをまたぐ N = 13。
fn enumeration_models(rng: &mut ChaCha8Rng) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut out: Vec<(Vec<f64>, Vec<f64>)> = extreme_models(rng, 250)
        .into_iter()
        .filter(|(h, j)| Ising::new(Array1::from(h.clone()), Array1::from(j.clone())).is_ok())
        .collect();
    let big = MAX_ENUMERATION_L1;
    for (h, j) in [
        // (+,+) と (−,−) の指数の差は 2h だけ: ⟨x_0⟩ = tanh h
        (vec![1.0, 0.0], vec![big - 1.0]),
        (vec![1e-3, 0.0], vec![big - 1e-3]),
        (vec![1.0, 0.0], vec![big]),
        (
            vec![0.5, -0.25, 0.125],
            vec![0.5 * big - 1.0, 0.0, 0.5 * big - 1.0],
        ),
        (vec![0.0], vec![]),
    ] {
        out.push((h, j));
    }
    for _ in 0..3 {
        let n = 13;
        let h = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let j = (0..n * (n - 1) / 2)
            .map(|_| rng.random_range(-0.3..0.3))
            .collect();
        out.push((h, j));
    }
    out
}

#[test]
fn sweep_enumeration_and_sampling() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    for (h, j) in enumeration_models(&mut rng) {
        let n = h.len();
        let m = Ising::new(Array1::from(h.clone()), Array1::from(j.clone())).unwrap();
        let theta: Vec<f64> = h.iter().chain(&j).copied().collect();
        let enumerable = l1(&theta) <= MAX_ENUMERATION_L1;
        let b = brute(&h, &j);
        let input = (&h, &j);
        sw.probe(
            "Ising::log_z",
            &input,
            || m.log_z(),
            |r| match r {
                Ok(v) => enumerable && within(*v, b.log_z, ENUM_TOL),
                Err(Error::InvalidParameter { .. }) => !enumerable,
                Err(_) => false,
            },
        );
        sw.probe(
            "Ising::exact",
            &input,
            || m.exact(),
            |r: &Result<Moments>| match r {
                Ok(mo) => {
                    enumerable
                        && within(mo.log_z(), b.log_z, ENUM_TOL)
                        && mo.statistics().len() == b.stats.len()
                        && mo
                            .statistics()
                            .iter()
                            .zip(&b.stats)
                            .all(|(a, w)| within(*a, *w, ENUM_TOL))
                }
                Err(Error::InvalidParameter { .. }) => !enumerable,
                Err(_) => false,
            },
        );
        if n <= 3 {
            sw.probe(
                "Ising::statistics_covariance",
                &input,
                || m.statistics_covariance(),
                |r| match r {
                    Ok(c) => {
                        let p = b.stats.len();
                        enumerable
                            && c.dim() == p
                            && (0..p).all(|a| {
                                (0..p)
                                    .all(|bb| within(c.get(a, bb).unwrap(), b.cov[a][bb], ENUM_TOL))
                            })
                    }
                    Err(Error::InvalidParameter { .. }) => !enumerable,
                    Err(_) => false,
                },
            );
        }
        let Ok(mo) = m.exact() else { continue };
        sw.probe(
            "Moments::log_z",
            &input,
            || Ok(mo.log_z()),
            |r| matches!(r, Ok(v) if within(*v, b.log_z, ENUM_TOL)),
        );
        sw.probe("Moments::means", &input, || Ok(mo.means().to_vec()), |r| {
            matches!(r, Ok(v) if v.iter().zip(&b.stats[..n]).all(|(a, w)| within(*a, *w, ENUM_TOL)))
        });
        sw.probe(
            "Moments::correlations",
            &input,
            || Ok(mo.correlations().to_vec()),
            |r| {
                matches!(r, Ok(v) if v.len() == b.stats.len() - n
                && v.iter().zip(&b.stats[n..]).all(|(a, w)| within(*a, *w, ENUM_TOL)))
            },
        );
        sw.probe(
            "Moments::statistics",
            &input,
            || Ok(mo.statistics().to_vec()),
            |r| matches!(r, Ok(v) if v.iter().zip(&b.stats).all(|(a, w)| within(*a, *w, ENUM_TOL))),
        );
        for k in [0usize, 1, 2, n, usize::MAX] {
            for l in [0usize, 2, n - 1, usize::MAX] {
                sw.probe(
                    "Moments::correlation",
                    &(k, l),
                    || Ok(mo.correlation(k, l)),
                    |r| {
                        let want = if k == l {
                            (k < n).then_some(1.0)
                        } else {
                            pairs(n)
                                .position(|p| p == (k.min(l), k.max(l)))
                                .map(|i| b.stats[n + i])
                        };
                        match (r, want) {
                            (Ok(Some(v)), Some(w)) => within(*v, w, ENUM_TOL),
                            (Ok(None), None) => true,
                            _ => false,
                        }
                    },
                );
            }
        }
        if n > 3 {
            continue;
        }
        // 標本: 確率 0 の状態（f64 で重みが 0）は出ない。行は ±1、形は count × N
        let limit = MAX_SAMPLE_SPINS / n;
        for count in [0usize, 1, 5, limit + 1, usize::MAX / 2 + 1, usize::MAX] {
            sw.probe(
                "Ising::sample",
                &(input, count),
                || m.sample(&mut rng, count),
                |r| match r {
                    Ok(d) => {
                        d.dim() == (count, n)
                            && d.rows().into_iter().all(|row| {
                                let s: usize = row
                                    .iter()
                                    .enumerate()
                                    .map(|(k, &v)| usize::from(v == -1) << k)
                                    .sum();
                                row.iter().all(|&v| v == 1 || v == -1) && b.weights[s] > 0.0
                            })
                    }
                    Err(Error::EmptyInput) => count == 0,
                    Err(Error::TooLarge { requested, max, .. }) => {
                        count > limit && *requested == count && *max == limit
                    }
                    Err(_) => false,
                },
            );
        }
    }
    // 列挙・標本のスピン数の上限（ちょうど 1 つ超える）
    fn too_many<T>(n: usize, max: usize) -> impl FnOnce(&Result<T>) -> bool {
        move |r| matches!(r, Err(Error::TooManySpins { n: got, max: mx }) if *got == n && *mx == max)
    }
    let (ns, nc, nm) = (
        ising::MAX_SPINS,
        ising::MAX_COVARIANCE_SPINS,
        ising::MAX_SAMPLER_SPINS,
    );
    let (a, b, c) = (
        Ising::zeros(ns + 1).unwrap(),
        Ising::zeros(nc + 1).unwrap(),
        Ising::zeros(nm + 1).unwrap(),
    );
    sw.probe("Ising::exact", &ns, || a.exact(), too_many(ns + 1, ns));
    sw.probe("Ising::log_z", &ns, || a.log_z(), too_many(ns + 1, ns));
    sw.probe(
        "Ising::statistics_covariance",
        &nc,
        || b.statistics_covariance(),
        too_many(nc + 1, nc),
    );
    sw.probe(
        "Ising::sample",
        &nm,
        || c.sample(&mut rng, 1),
        too_many(nm + 1, nm),
    );
    sw.finish(9, 1_402);
}

// ---------------------------------------------------------------- 6. スピンのデータと学習

/// 定義どおりの `φ̄`（整数で数えて割る）と `H(p0)`。
fn data_oracle(d: &Array2<i8>) -> (Vec<f64>, f64) {
    let (count, n) = d.dim();
    let mut sums = vec![0i64; n];
    for k in 0..n {
        for i in 0..count {
            sums[k] += i64::from(d[[i, k]]);
        }
    }
    for k in 0..n {
        for l in k + 1..n {
            sums.push((0..count).map(|i| i64::from(d[[i, k]] * d[[i, l]])).sum());
        }
    }
    let stats = sums.iter().map(|&v| v as f64 / count as f64).collect();
    let mut counts: BTreeMap<Vec<i8>, usize> = BTreeMap::new();
    for i in 0..count {
        *counts.entry(d.row(i).to_vec()).or_default() += 1;
    }
    let h = -counts
        .values()
        .map(|&c| {
            let p = c as f64 / count as f64;
            p * p.ln()
        })
        .sum::<f64>();
    (stats, h)
}

fn valid_spins(d: &Array2<i8>) -> Option<Error> {
    if d.is_empty() {
        Some(Error::EmptyInput)
    } else if d.ncols() > MAX_MODEL_SPINS {
        Some(Error::TooManySpins {
            n: d.ncols(),
            max: MAX_MODEL_SPINS,
        })
    } else if d.iter().any(|&v| v != 1 && v != -1) {
        d.iter()
            .find(|&&v| v != 1 && v != -1)
            .map(|&v| Error::InvalidParameter {
                name: "スピン",
                value: f64::from(v),
                requirement: "−1 か 1",
            })
    } else {
        None
    }
}

fn random_spins(rng: &mut ChaCha8Rng, count: usize, n: usize) -> Array2<i8> {
    Array2::from_shape_fn((count, n), |_| if rng.random_bool(0.6) { 1 } else { -1 })
}

/// データ `d` と同じ配置を読む、連続でないビューの元の配列 4 通り（転置・1 行おき・逆順・1 列おき）。
fn views_of(d: &Array2<i8>) -> [(&'static str, Array2<i8>); 4] {
    let (r, c) = d.dim();
    [
        ("転置", d.t().to_owned()),
        (
            "1 行おき",
            Array2::from_shape_fn(
                (2 * r, c),
                |(i, k)| if i % 2 == 0 { d[[i / 2, k]] } else { 0 },
            ),
        ),
        (
            "逆順",
            Array2::from_shape_fn((r, c), |(i, k)| d[[r - 1 - i, k]]),
        ),
        (
            "1 列おき",
            Array2::from_shape_fn(
                (r, 2 * c),
                |(i, k)| if k % 2 == 0 { d[[i, k / 2]] } else { 7 },
            ),
        ),
    ]
}

fn view<'a>(kind: &str, stored: &'a Array2<i8>) -> ArrayView2<'a, i8> {
    match kind {
        "転置" => stored.t(),
        "1 行おき" => stored.slice_axis(Axis(0), Slice::from(..).step_by(2)),
        "逆順" => stored.slice_axis(Axis(0), Slice::from(..).step_by(-1)),
        _ => stored.slice_axis(Axis(1), Slice::from(..).step_by(2)),
    }
}

#[test]
fn sweep_spin_data_and_learning() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(2027);
    // データ集合: 空、±1 以外、2×2 のすべての組、乱数の ±1、大きすぎる N
    const SPINS: [i8; 7] = [i8::MIN, -2, -1, 0, 1, 2, i8::MAX];
    let mut sets: Vec<Array2<i8>> = vec![
        Array2::zeros((0, 0)),
        Array2::zeros((0, 3)),
        Array2::zeros((3, 0)),
        Array2::ones((1, MAX_MODEL_SPINS + 1)),
    ];
    sets.extend(SPINS.iter().map(|&v| array![[v]]));
    let four = [-1i8, 0, 1, 2];
    for code in 0..256usize {
        sets.push(Array2::from_shape_fn((2, 2), |(i, k)| {
            four[(code >> (2 * (2 * i + k))) & 3]
        }));
    }
    for _ in 0..40 {
        let (count, n) = (rng.random_range(1..=12), rng.random_range(1..=3));
        sets.push(random_spins(&mut rng, count, n));
    }
    for d in &sets {
        let bad = valid_spins(d);
        let oracle = bad.is_none().then(|| data_oracle(d));
        let ok_stats = |r: &Result<Array1<f64>>| match (&bad, &oracle) {
            (Some(e), _) => r.as_ref().err() == Some(e),
            (None, Some((stats, _))) => matches!(r, Ok(v) if v.to_vec() == *stats),
            _ => false,
        };
        let ok_entropy = |r: &Result<f64>| match (&bad, &oracle) {
            (Some(e), _) => r.as_ref().err() == Some(e),
            (None, Some((_, h))) => {
                matches!(r, Ok(v) if within(*v, *h, 1e-12) && *v >= 0.0 && *v <= (d.nrows() as f64).ln() + 1e-12)
            }
            _ => false,
        };
        sw.probe(
            "check_spin_data",
            d,
            || check_spin_data(d),
            |r| match &bad {
                Some(e) => r.as_ref().err() == Some(e),
                None => matches!(r, Ok(v) if v == d),
            },
        );
        sw.probe("data_statistics", d, || data_statistics(d), ok_stats);
        sw.probe("data_entropy", d, || data_entropy(d), ok_entropy);
        sw.probe(
            "KlObjective::from_data",
            d,
            || KlObjective::from_data(d),
            |r| match (&bad, &oracle) {
                (Some(e), _) => r.as_ref().err() == Some(e),
                (None, Some((stats, h))) => matches!(r, Ok(kl) if kl.target().to_vec() == *stats
                && within(kl.entropy(), *h, 1e-12)
                && kl.n_spins() == d.ncols()),
                _ => false,
            },
        );
        if let (Ok(kl), Some((stats, h))) = (KlObjective::from_data(d), &oracle) {
            sw.probe(
                "KlObjective::target",
                d,
                || Ok(kl.target().to_vec()),
                |r| r.as_ref() == Ok(stats),
            );
            sw.probe(
                "KlObjective::entropy",
                d,
                || Ok(kl.entropy()),
                |r| matches!(r, Ok(v) if within(*v, *h, 1e-12)),
            );
            sw.probe(
                "KlObjective::n_spins",
                d,
                || Ok(kl.n_spins()),
                |r| *r == Ok(d.ncols()),
            );
        }
        if d.is_empty() || d.ncols() > 3 {
            continue;
        }
        for (kind, stored) in views_of(d) {
            let v = view(kind, &stored);
            assert_eq!(v, d);
            sw.probe(
                "data_statistics(ビュー)",
                &(kind, d),
                || data_statistics(v),
                ok_stats,
            );
            sw.probe(
                "data_entropy(ビュー)",
                &(kind, d),
                || data_entropy(v),
                ok_entropy,
            );
            let want = KlObjective::from_data(d);
            sw.probe(
                "KlObjective::from_data(ビュー)",
                &(kind, d),
                || KlObjective::from_data(v),
                |r| *r == want,
            );
        }
    }
    // KL 情報量 (2.27) とその勾配・ヘッセ行列・1 歩・学習: データ × 極端なモデル
    let models = enumeration_models(&mut rng);
    let datasets: Vec<Array2<i8>> = (1..=3)
        .flat_map(|n| [random_spins(&mut rng, 9, n), Array2::ones((1, n))])
        .collect();
    for d in &datasets {
        let kl = KlObjective::from_data(d).unwrap();
        let (phibar, h0) = data_oracle(d);
        for (h, j) in models.iter().filter(|(h, _)| h.len() <= 3) {
            let n = h.len();
            let m = Ising::new(Array1::from(h.clone()), Array1::from(j.clone())).unwrap();
            let theta: Vec<f64> = h.iter().chain(j).copied().collect();
            let enumerable = l1(&theta) <= MAX_ENUMERATION_L1;
            let same = n == d.ncols();
            let b = brute(h, j);
            let want_value =
                -h0 - theta.iter().zip(&phibar).map(|(t, p)| t * p).sum::<f64>() + b.log_z;
            let want_grad: Vec<f64> = b.stats.iter().zip(&phibar).map(|(a, p)| a - p).collect();
            let input = (d, h, j);
            // 誤りの種類: スピン数の違い → DimensionMismatch、列挙できない Σ|θ| → InvalidParameter
            let expected_err = |e: Option<&Error>| match e {
                Some(Error::DimensionMismatch { .. }) => !same,
                Some(Error::InvalidParameter { .. }) => same && !enumerable,
                _ => false,
            };
            sw.probe(
                "KlObjective::value",
                &input,
                || kl.value(&m),
                |r| match r {
                    Ok(v) => {
                        same && enumerable && within(*v, want_value, ENUM_TOL) && *v >= -ENUM_TOL
                    }
                    e => expected_err(e.as_ref().err()),
                },
            );
            sw.probe(
                "KlObjective::gradient",
                &input,
                || kl.gradient(&m),
                |r| match r {
                    Ok(g) => {
                        same && enumerable
                            && g.iter()
                                .zip(&want_grad)
                                .all(|(a, w)| within(*a, *w, ENUM_TOL))
                    }
                    e => expected_err(e.as_ref().err()),
                },
            );
            sw.probe(
                "KlObjective::value_and_gradient",
                &input,
                || kl.value_and_gradient(&m),
                |r| match r {
                    Ok((v, g)) => {
                        same && enumerable
                            && within(*v, want_value, ENUM_TOL)
                            && g.iter()
                                .zip(&want_grad)
                                .all(|(a, w)| within(*a, *w, ENUM_TOL))
                    }
                    e => expected_err(e.as_ref().err()),
                },
            );
            sw.probe(
                "KlObjective::hessian",
                &input,
                || kl.hessian(&m),
                |r| match r {
                    Ok(c) => {
                        same && enumerable
                            && (0..c.dim()).all(|a| {
                                (0..c.dim())
                                    .all(|bb| within(c.get(a, bb).unwrap(), b.cov[a][bb], ENUM_TOL))
                            })
                    }
                    e => expected_err(e.as_ref().err()),
                },
            );
            if d.nrows() == 9 {
                sw.probe(
                    "KlObjective::from_model",
                    &(h, j),
                    || KlObjective::from_model(&m),
                    |r| match r {
                        Ok(q) => {
                            let dot: f64 = theta.iter().zip(&b.stats).map(|(t, s)| t * s).sum();
                            enumerable
                                && q.target()
                                    .iter()
                                    .zip(&b.stats)
                                    .all(|(a, w)| within(*a, *w, ENUM_TOL))
                                && within(
                                    q.entropy(),
                                    b.log_z - dot,
                                    ENUM_TOL * l1(&theta).max(1.0),
                                )
                                && matches!(q.value(&m), Ok(v) if within(v, 0.0, ENUM_TOL))
                        }
                        Err(Error::InvalidParameter { .. }) => !enumerable,
                        Err(_) => false,
                    },
                );
            }
            if !(same && enumerable) {
                continue;
            }
            // 1 歩 (2.30): θ' = θ − η ∇D。極端な学習率
            let mut steps: Vec<StepSize> = EXTREMES.iter().map(|&e| StepSize::Scalar(e)).collect();
            steps.push(StepSize::Scalar(0.1));
            steps.push(StepSize::PerParameter(Array1::from_elem(theta.len(), 1e99)));
            steps.push(StepSize::PerParameter(Array1::from_elem(
                theta.len() + 1,
                0.1,
            )));
            for step in &steps {
                sw.probe(
                    "KlObjective::update",
                    &(&input, step),
                    || kl.update(&m, step),
                    |r| {
                        let etas: Vec<f64> = match step {
                            StepSize::Scalar(e) => vec![*e; theta.len()],
                            StepSize::PerParameter(v) => v.to_vec(),
                        };
                        if etas.len() != theta.len() {
                            return matches!(r, Err(Error::DimensionMismatch { .. }));
                        }
                        if etas.iter().any(|e| !e.is_finite()) {
                            return is_non_finite_err(r);
                        }
                        if etas.iter().any(|&e| e <= 0.0) {
                            return is_invalid(r);
                        }
                        let want: Vec<Big> = (0..theta.len())
                            .map(|i| {
                                Big::new(theta[i])
                                    .sub(Big::new(etas[i]).mul(Big::new(want_grad[i])))
                            })
                            .collect();
                        let new_l1 = want.iter().fold(Big::ZERO, |s, w| s.add(w.abs()));
                        match r {
                            Ok(q) => q.params().iter().zip(&want).enumerate().all(|(i, (v, w))| {
                                // 勾配の誤差 ENUM_TOL は η 倍になる
                                close(
                                    *v,
                                    *w,
                                    Big::new(theta[i]).max_abs(Big::new(etas[i])),
                                    ENUM_TOL,
                                )
                            }),
                            Err(Error::Overflow { .. }) => {
                                want.iter().any(|w| beyond_max(*w, 1e-12))
                            }
                            Err(Error::InvalidParameter { .. }) => {
                                !new_l1.le(Big::new(1e100 * (1.0 - 1e-9)))
                            }
                            Err(_) => false,
                        }
                    },
                );
            }
            // 学習 (2.30) を数歩: 極端な学習率と止める規則
            for eta in [1.0 / global_curvature_bound(n), f64::NAN, -1.0, 1e99] {
                for (tolerance, max_iterations) in [(0.0, 2), (f64::NAN, 2), (-1.0, 0), (1e-12, 0)]
                {
                    let stop = StopRule {
                        tolerance,
                        max_iterations,
                    };
                    let step = StepSize::Scalar(eta);
                    sw.probe(
                        "KlObjective::learn",
                        &(&input, eta, stop),
                        || kl.learn(&m, &step, stop, &mut |_| {}),
                        |r| match r {
                            Ok((q, t)) => {
                                q.params() == t.theta
                                    && t.iterations() <= max_iterations
                                    && t.values.iter().all(|v| v.is_finite())
                                    && within(t.values[0], want_value, ENUM_TOL)
                            }
                            Err(Error::NonFinite { .. }) => {
                                !eta.is_finite() || !tolerance.is_finite()
                            }
                            // 学習率・許容誤差が負、または Σ|θ| が列挙の上限を超えうる（|∂D/∂θ_i| ≤ 2 なので 1 歩で高々 2ηM）
                            Err(Error::InvalidParameter { .. }) => {
                                let reach = l1(&theta)
                                    + 2.0 * eta * theta.len() as f64 * max_iterations as f64;
                                eta <= 0.0 || tolerance < 0.0 || reach > MAX_ENUMERATION_L1
                            }
                            Err(Error::Diverged { .. }) => eta > 1e10,
                            Err(_) => false,
                        },
                    );
                }
            }
        }
    }
    sw.finish(14, 10_123);
}

/// 正則化つきの学習（§2.6 の「有限の最適解がないとき」）: 罰則の係数、鋭い曲率の上界、
/// 内点の証明、学習の結果を、極端な入力で確かめる。
#[test]
fn sweep_ridge_fit_and_certificates() {
    use genmodel::boltzmann::ising::{Outcome, sharp_curvature_bound};
    let mut sw = Sweep::default();
    // 全 4 状態が現れる 2 スピンのデータ（内点）と、x₁ = x₂ のデータ（境界）
    let interior = array![[1i8, 1], [1, -1], [-1, 1], [-1, -1], [1, 1]];
    let boundary = array![[1i8, 1], [-1, -1], [1, 1]];
    for lambda in PARAMS {
        for data in [&interior, &boundary] {
            let kl = KlObjective::from_data(data).unwrap();
            sw.probe(
                "KlObjective::with_ridge",
                &lambda,
                || kl.clone().with_ridge(lambda),
                |r| match r {
                    Ok(k) => {
                        lambda >= 0.0
                            && k.ridge() == lambda
                            && k.curvature_bound() == global_curvature_bound(2) + lambda
                    }
                    Err(_) => !(lambda.is_finite() && lambda >= 0.0) || lambda > 1e6,
                },
            );
        }
    }
    for &n in &SIZES {
        sw.probe(
            "sharp_curvature_bound",
            &n,
            || Ok(sharp_curvature_bound(n)),
            |r| {
                let b = *r.as_ref().unwrap();
                // ⌊(N+1)²/4⌋ ≤ M = N(N+1)/2（N ≥ 1）。小さい N では整数の値と一致する
                b.is_finite()
                    && (n == 0 || b <= global_curvature_bound(n))
                    && (n > 1000 || b == ((n + 1) * (n + 1) / 4) as f64)
            },
        );
    }
    // 内点の証明: 極端なパラメータのモデルでも、有限の値か型つきの誤り
    let kl = KlObjective::from_data(&interior).unwrap();
    for h in PARAMS {
        for j in PARAMS {
            let model = Ising::new(array![h, 0.5], array![j]);
            let Ok(model) = model else { continue };
            sw.probe(
                "KlObjective::interior_margin",
                &(h, j),
                || kl.interior_margin(&model),
                |r| r.as_ref().map_or(true, |m| m.is_finite()),
            );
        }
    }
    // 学習: 極端な学習率でも、止まって有限のモデルを返すか、発散を型つきで報告する
    let stop = StopRule {
        tolerance: 1e-6,
        max_iterations: 200,
    };
    for eta in PARAMS {
        for (data, ridge) in [(&interior, 0.0), (&boundary, 0.0), (&boundary, 0.1)] {
            let kl = KlObjective::from_data(data)
                .unwrap()
                .with_ridge(ridge)
                .unwrap();
            let init = Ising::zeros(2).unwrap();
            sw.probe(
                "KlObjective::fit",
                &(eta, ridge),
                || kl.fit(&init, &StepSize::Scalar(eta), stop, &mut |_| {}),
                |r| match r {
                    Ok(fit) => {
                        eta > 0.0
                            && fit.model.params().iter().all(|v| v.is_finite())
                            // 境界のデータは、正則化がなければ決して「収束」と報告しない
                            && !(std::ptr::eq(data, &boundary)
                                && ridge == 0.0
                                && fit.outcome == Outcome::Converged)
                    }
                    Err(_) => true,
                },
            );
        }
    }
    sw.finish(
        4,
        PARAMS.len() * 2 + SIZES.len() + PARAMS.len() * 3 + interior_count(),
    );
}

/// `interior_margin` を呼ぶ回数（構築できた極端なモデルの数）。
fn interior_count() -> usize {
    PARAMS
        .iter()
        .flat_map(|&h| PARAMS.iter().map(move |&j| (h, j)))
        .filter(|&(h, j)| Ising::new(array![h, 0.5], array![j]).is_ok())
        .count()
}
