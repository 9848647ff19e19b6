//! 敵対的な入力の掃引: 第 5 章（格子の Ising 強磁性体とマルコフ連鎖モンテカルロ法、`boltzmann::lattice`・`mcmc`）と
//! 第 6 章（状態密度、スピングラス、交換モンテカルロ法、`boltzmann::lattice::{density, glass}`・`mcmc::exchange`）。
//!
//! 公開関数のそれぞれに、極端な値（結合 `K`・逆温度 `β`・確率・学習率・エネルギーに、`EXTREMES` の ±0、`±1e-320`、
//! `f64::MIN_POSITIVE`、±1、`±1e308`、`f64::MAX`、NaN、±∞ と、結合の下限 `MIN_COUPLING = 1e-100` の前後 `1e-100`・`1e-101`、
//! `1e6`）、一辺 0・1・2・3・上限 + 1・`usize::MAX`、空・1 個・定数・交互（周期 2）・周期 4・非正規化数の大きさ・`±f64::MAX` の
//! 混じる系列と、確保せずに長さだけを上限の外にした（刻み 0 の）系列、並んでいない・重なった・NaN を含む・長さ 0 と 1 の梯子、
//! 空・状態数 0・並んでいない・エネルギーの重なった・`i64::MIN` と `i64::MAX` の準位、回数 0 と `usize::MAX`（と仕事の上限の
//! ちょうど 1 つ先）、学習率 0・負・NaN・`1e308`、`±1` 以外のスピン、正方でない配置、連続でないビュー、範囲の外のレプリカ・
//! スピンの番号を与え、契約を確かめる: パニックしない。`Ok` なら有限で、安く確かめられる数学的な性質を満たす
//! （エネルギー・磁化は定義どおりの和と一致し、反転ごとに更新した値と計算し直した値が等しい。確率は `[0, 1]` で和が 1、
//! `ln Z` は Jensen の不等式と基底状態による上下界の間、`−2 ≤ u ≤ 0`・`c ≥ 0`、`L ≤ 4` の Kaufman の解と転送行列は
//! 全状態の列挙と一致、遷移行列は確率行列でボルツマン分布を不変に保つ、相関は `[−1, 1]` で対称、`1/N ≤ ⟨q²⟩ ≤ 1`、
//! `τ̂ > 0`・`n ≥ 50 τ̂`、梯子は狭義の増加、交換の確率は指数の符号と大きさ（指数を別に持つ数 `Big` で正確に求める）に合う）。
//! そうでなければ文書（`# Errors`）に書いた型つきの `Err`。
//!
//! 回数の大きい呼び出し（`usize::MAX` 回の掃引・記録・学習・ステップ）は別のスレッドで呼び、2 秒以内に `TooLarge` を返すこと、
//! 誤りを返したときは状態（配置・試みの数・結合）を変えていないことを確かめる。返らない呼び出しは、2 秒で見張りの誤り
//! （`hostile_support` の `hung`）として契約違反にするので、直し方が戻っても掃引は止まらない。
//!
//! 掃引の大きさ（各テストの最後の `finish` で数を確かめる）: **公開関数 65 個 × 入力 = 呼び出し 65 721 回**。
//! - `sweep_lattice_samplers`: 17 関数（`LatticeMetropolis` の構築 2 通り・エネルギー・計算し直したエネルギー・磁化・掃引・
//!   実行・記録・結合の変更、`BernoulliMask` の構築と標本、`MultiSpinMetropolis` の構築・レプリカ・実行・記録・エネルギー・磁化）、4 059 回
//! - `sweep_densities_and_exact_solutions`: 13 関数（`ExactDensity` の構築・転送行列・`ln Z`・確率・モーメント・比熱・
//!   交換の受理率とその対数、`DensityOfStates::enumerate`、Kaufman の `ln Z` と熱力学量、Onsager の `ln Z` とエネルギー）、12 383 回
//! - `sweep_glass_and_learning`: 11 関数（`SpinGlass` の構築 2 通り・エネルギー・Ising モデル・列挙、相関と重なりの 2 次モーメント、
//!   厳密な最尤推定値、`CouplingSgd` の構築・1 歩・実行）、6 577 回
//! - `sweep_chain_and_kernels`: 11 関数（`Chain` の構築・観測・実行・記録・配置の入れ替え、厳密な遷移行列 2 通り・スペクトル・
//!   定常分布・詳細つり合いの残差・可逆な行列のスペクトル）、11 658 回
//! - `sweep_series_statistics`: 5 関数（積分自己相関時間、平均の推定 2 通り、ビニング、自己相関）、398 回
//! - `sweep_exchange`: 8 関数（交換の確率、梯子の検査・等比の梯子・受理率をそろえた梯子、`Exchange` の構築・ステップ・実行・記録）、
//!   30 646 回
//!
//! 節 0 のテストは、掃引で見つけて直したライブラリの不具合の具体的な入力で、直した契約を確かめる:
//! 1. `ExactDensity` は準位の差 `E_k − E_0` を `i64` でとり、`from_levels` が受け入れる `[(i64::MIN, 1), (i64::MAX, 1)]` の
//!    `ln Z`・確率・モーメント・比熱・受理率がどれもあふれでパニックした（今は `u64` でとる）
//! 2. `ExactDensity::specific_heat` は `β > 1.3e154` で `β² = ∞` と `Var = 0` の積の `Ok(NaN)` を返した（今はそのとき `β · (β Var)` の順）
//! 3. `learn::exact_mle`・`CouplingSgd::new` は NaN・±∞ の `ū`・`η` に、文書の `NonFinite` でなく `Overflow` を返した
//! 4. `LatticeMetropolis::run`・`MultiSpinMetropolis::run`（`()` を返していた）・`Chain::run` の `usize::MAX` 回と、
//!    1 歩の掃引の数 `usize::MAX` の `CouplingSgd` の `step` は事実上終わらなかった（今は仕事の上限 `MAX_CHAIN_WORK = 2^38` で
//!    `TooLarge`。格子の `run` は `Result<()>` を返す）
//! 5. `swap_probability` は片方の差があふれると、`0 · ∞` の `Ok(NaN)` や、正しくは `1 − 2e-12` の確率 0 を返した
//! 6. `geometric_ladder`（比 `β_max/β_min` のあふれ）と `acceptance_ladder`（幾何平均 `√(a b)` のあふれ）は、端が有限でも
//!    `NonFinite` を返した
//! 7. `mean_estimate` は揺れが `1e-162` 程度より小さい系列で、分散 `Ĉ(0)` が 0 に落ちて標準誤差 0 を返した
//! 8. （文書）`autocorrelation`・`naive_mean_estimate` の `Overflow` が `# Errors` に書かれていなかった
//!
//! 掃引で見つけたが直していない性質: 値が非正規化数の最小 `5e-324` の程度の系列では平均そのものが表せず（`−0` と `5e-324` の
//! 交互の系列の平均 `2.47e-324`）、`ρ̂(1)` の符号も失われる。表せる数の限界なので、契約からは除く。

mod hostile_support;

use genmodel::boltzmann::Ising;
use genmodel::boltzmann::lattice::density::{ExactDensity, MAX_TRANSFER_SIDE};
use genmodel::boltzmann::lattice::glass::{MAX_GLASS_SPINS, SpinGlass};
use genmodel::boltzmann::lattice::learn::{CouplingSgd, MAX_MLE_COUPLING, exact_mle};
use genmodel::boltzmann::lattice::{
    BernoulliMask, DensityOfStates, K_C, LatticeMetropolis, MAX_METROPOLIS_SIDE,
    MAX_MULTISPIN_SIDE, MAX_SIDE, MIN_COUPLING, MultiSpinMetropolis, REPLICAS, Start, kaufman,
    onsager,
};
use genmodel::mcmc::exchange::{
    Exchange, MAX_REPLICAS, acceptance_ladder, check_ladder, geometric_ladder, swap_probability,
};
use genmodel::mcmc::{Chain, Observable, Rule, Scan, kernel, stats};
use genmodel::ndarray::{Array1, Array2, ArrayView1, Axis, Slice, array};
use genmodel::prec::{MAX_CHAIN_WORK, MAX_SAMPLES};
use genmodel::{Error, Result};
use hostile_support::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

// ---------------------------------------------------------------- 共通の道具

/// 仕事の上限を超える回数を断った誤り（`what`・`requested`・`max` まで比べる）。
fn too_large<T>(r: &Result<T>, what: &str, requested: usize, max: usize) -> bool {
    matches!(r, Err(Error::TooLarge { what: w, requested: q, max: m })
        if *w == what && *q == requested && *m == max)
}

/// 見張りの誤り: 誤りを返したのに状態を変えた。
fn touched() -> Error {
    Error::TooLarge {
        what: "（誤りを返したのに状態が変わった）",
        requested: 0,
        max: 0,
    }
}

/// 状態 `state` の複製に `call` を別のスレッドで行う。2 秒以内に返らなければ [`hung`]、誤りを返したのに
/// 指紋 `fingerprint` が変わっていれば [`touched`]。
fn guarded<S, T, F>(
    state: &S,
    fingerprint: fn(&S) -> F,
    call: impl FnOnce(&mut S) -> Result<T> + Send + 'static,
) -> Result<T>
where
    S: Clone + Send + 'static,
    T: Send + 'static,
    F: PartialEq + Send + 'static,
{
    let mut s = state.clone();
    let before = fingerprint(&s);
    match deadline(2, move || {
        let r = call(&mut s);
        let same = fingerprint(&s) == before;
        (r, same)
    }) {
        None => Err(hung()),
        Some((Err(_), false)) => Err(touched()),
        Some((r, _)) => r,
    }
}

fn within(a: f64, b: f64, tol: f64) -> bool {
    a.is_finite() && (a - b).abs() <= tol
}

/// `ln Σ e^{x}`（`−∞` を許す）。
fn lse(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// 結合 `K`・逆温度 `β` に使う値: 極端な値に、下限 `MIN_COUPLING = 1e-100` の前後、ふつうの値、臨界点、`1e6`。
fn couplings() -> Vec<f64> {
    let mut k = EXTREMES.to_vec();
    k.extend([MIN_COUPLING, 1e-101, 0.3, K_C, 2.0, 1e6]);
    k
}

/// 結合 `K` の誤り（`check_coupling`）: 有限でなければ `NonFinite`、`K < 1e-100` なら `InvalidParameter`。
fn coupling_error(k: f64) -> Option<&'static str> {
    if !k.is_finite() {
        Some(NF)
    } else if k < MIN_COUPLING {
        Some(INV)
    } else {
        None
    }
}

/// 逆温度 `β` の誤り（`check_beta`）: 有限でなければ `NonFinite`、`β ≤ 0` なら `InvalidParameter`。
fn beta_error(b: f64) -> Option<&'static str> {
    if !b.is_finite() {
        Some(NF)
    } else if b <= 0.0 {
        Some(INV)
    } else {
        None
    }
}

// ---------------------------------------------------------------- 0. 掃引で見つけて直した不具合

/// 直した不具合 1: `ExactDensity` の準位の差 `E_k − E_0` を `i64` でとっていたので、`from_levels` が受け入れる
/// `[(i64::MIN, 1), (i64::MAX, 1)]` の `log_z`・`log_probabilities`・`energy_moments`・`specific_heat`・交換の受理率が
/// どれも引き算のあふれでパニックした（テストのビルド）。リリースビルドでは差が `−1` に回り込み、黙って誤った値になる。
/// 今は差を `u64` でとる。`β = 1e-19` では `βE = ∓0.922…` で、`ln Z = ln(2 cosh(0.922…))`。
#[test]
fn density_with_extreme_integer_energies_does_not_overflow() {
    let g = ExactDensity::from_levels(vec![(i64::MIN, 1), (i64::MAX, 1)]).unwrap();
    let (b, x): (f64, f64) = (1e-19, 9.223_372_036_854_776e18 * 1e-19);
    let want = (2.0 * x.cosh()).ln();
    assert!(within(g.log_z(b).unwrap(), want, 1e-12));
    let lp = g.log_probabilities(b).unwrap();
    assert!(within(lp[0].exp(), (x - want).exp(), 1e-12));
    let (mean, var) = g.energy_moments(b).unwrap();
    assert!(mean.is_finite() && var.is_finite() && var > 0.0);
    assert!(g.specific_heat(b).unwrap().is_finite());
    let a = g.swap_acceptance(b, 2.0 * b).unwrap();
    assert!(a > 0.0 && a < 1.0);
}

/// 直した不具合 2: `ExactDensity::specific_heat` は `β² Var` を `β · β · Var` の順に掛けていたので、`β > 1.3e154` では
/// `β² = ∞` と `Var = 0`（基底状態だけ）の積で `Ok(NaN)` を返した。今は `β² Var` が有限でなければ `β · (β Var)` の順に
/// 掛け直す（`C = 0`。有限のときの値はこれまでと同じ）。
#[test]
fn specific_heat_at_huge_beta_is_zero_not_nan() {
    for g in [
        ExactDensity::from_levels(vec![(0, 1)]).unwrap(),
        ExactDensity::transfer_matrix(2).unwrap(),
    ] {
        for b in [1e200, 1e308, f64::MAX] {
            assert_eq!(g.specific_heat(b), Ok(0.0), "β = {b:e}");
        }
    }
}

/// 直した不具合 3: `learn::exact_mle` と `CouplingSgd::new` は、文書では NaN・±∞ の `ū`・`η` に
/// [`Error::NonFinite`] を返すとしながら、[`Error::Overflow`]（「f64 で表せる範囲を超えます」）を返していた。
#[test]
fn non_finite_learning_inputs_are_non_finite_errors() {
    let mut rng = SmallRng::seed_from_u64(0);
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(exact_mle(8, v), Err(Error::NonFinite { .. })));
        assert!(matches!(
            CouplingSgd::new(8, v, 0.3, 0.1, 1, &mut rng),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            CouplingSgd::new(8, -1.0, 0.3, v, 1, &mut rng),
            Err(Error::NonFinite { .. })
        ));
    }
}

/// 直した不具合 4: 回数 `usize::MAX` の実行が断られず、事実上終わらなかった。
///
/// - `LatticeMetropolis::run`・`MultiSpinMetropolis::run` は `()` を返し、上限を持たなかった（今は `Result<()>` を返し、
///   仕事 `掃引の数 · L²` が `MAX_CHAIN_WORK = 2^38` を超えれば掃引せずに `TooLarge`）
/// - `Chain::run` は「誤りを返さない」とし、`usize::MAX` 回掃引し続けた（今は `掃引の数 · N` で同じ上限）
/// - `CouplingSgd::new` は 1 歩の掃引の数 `usize::MAX` を受け入れ、`step` が終わらなかった（今は 1 歩の仕事
///   `掃引の数 · L²` が上限を超えれば `new` が `TooLarge`）
///
/// 直し方が戻っても掃引が止まらないよう、別のスレッドで呼んで 2 秒以内に返ることを確かめる。
#[test]
fn unbounded_sweep_counts_are_refused() {
    let got = deadline(2, || {
        let mut rng = SmallRng::seed_from_u64(1);
        let mut s = LatticeMetropolis::new(4, 0.4, Start::Cold, &mut rng)?;
        s.run(&mut rng, usize::MAX).map(|()| s.attempted())
    });
    let max16 = max_sweeps(16);
    assert_eq!(
        got,
        Some(Err(Error::TooLarge {
            what: "掃引の数",
            requested: usize::MAX,
            max: max16
        }))
    );
    let got = deadline(2, || {
        let mut rng = SmallRng::seed_from_u64(2);
        let mut s = MultiSpinMetropolis::new(4, 0.4, Start::Cold, &mut rng)?;
        s.run(&mut rng, usize::MAX).map(|()| s.attempted())
    });
    assert_eq!(
        got,
        Some(Err(Error::TooLarge {
            what: "掃引の数",
            requested: usize::MAX,
            max: max16
        }))
    );
    let got = deadline(2, || {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let model = Ising::zeros(3)?;
        let mut c = Chain::new(&model, Rule::Metropolis, Scan::Random, &[1, 1, 1])?;
        let r = c.run(&mut rng, usize::MAX);
        r.map(|()| c.acceptance_rate())
    });
    assert_eq!(
        got,
        Some(Err(Error::TooLarge {
            what: "掃引の数",
            requested: usize::MAX,
            max: max_sweeps(3)
        }))
    );
    let got = deadline(2, || {
        let mut rng = SmallRng::seed_from_u64(4);
        let mut s = CouplingSgd::new(2, -1.0, 0.3, 0.1, usize::MAX, &mut rng)?;
        s.step(&mut rng)
    });
    assert!(
        matches!(
            got,
            Some(Err(Error::TooLarge {
                what: "1 歩の仕事（掃引 × スピン）",
                ..
            }))
        ),
        "{got:?}"
    );
    // 上限の内側はこれまでどおり
    let mut rng = SmallRng::seed_from_u64(5);
    let mut s = LatticeMetropolis::new(2, 0.4, Start::Cold, &mut rng).unwrap();
    assert_eq!(s.run(&mut rng, 3), Ok(()));
    assert_eq!(s.attempted(), 12);
}

/// 直した不具合 5: `swap_probability` の指数 `(β_i − β_j)(E_i − E_j)` は、片方の差があふれると誤っていた。
/// もう片方の差が 0 なら `0 · ∞ = NaN` で `Ok(NaN)`、`−1e-320` なら `−∞` で確率 0（正しくは `−2e-12`、確率 `1 − 2e-12`）。
/// 今はあふれた差を半分ずつ引いて求める。
#[test]
fn swap_probability_with_an_overflowing_difference() {
    assert_eq!(swap_probability(0.0, 1e308, 0.0, -1e308), Ok(1.0));
    assert_eq!(swap_probability(1e308, 1.0, -1e308, 1.0), Ok(1.0));
    let p = swap_probability(1e308, -1e-320, -1e308, 0.0).unwrap();
    assert!(within(p, (-2e-12f64).exp(), 1e-15), "{p}");
    let p = swap_probability(-1e-320, 1e308, 0.0, -1e308).unwrap();
    assert!(within(p, (-2e-12f64).exp(), 1e-15), "{p}");
    assert_eq!(swap_probability(1e308, -1.0, -1e308, 0.0), Ok(0.0));
}

/// 直した不具合 6: 梯子の端が有限でも、途中の計算があふれて [`Error::NonFinite`]（「逆温度 β が有限でない」）を返していた。
///
/// - `geometric_ladder(1e-320, 1e-10, 3)`: 比 `1e310` が `∞`（今は比があふれるとき対数の等間隔で作る。中は `1e-165`）
/// - `acceptance_ladder(g, 0.1, 1e308, 4)`: 足りない段を埋める幾何平均 `√(a b)` の `a b` が `∞`（今は `√a · √b`）
#[test]
fn ladders_with_finite_ends_do_not_overflow() {
    // 1e-320 は非正規化数で、実際の値は 9.99988…e-321（中はその幾何平均 9.99994…e-166）
    let b = geometric_ladder(1e-320, 1e-10, 3).unwrap();
    assert_eq!((b[0], b[2]), (1e-320, 1e-10));
    let mid = 1e-320f64.sqrt() * 1e-10f64.sqrt();
    assert!((b[1] / mid - 1.0).abs() < 1e-12, "{b:?}");
    let b = geometric_ladder(1e-10, 1e300, 4).unwrap();
    let mid = 10f64.powf(-10.0 + 310.0 / 3.0);
    assert!(
        check_ladder(&b).is_ok() && (b[1] / mid - 1.0).abs() < 1e-12,
        "{b:?}"
    );
    // 比が有限なら、これまでどおりちょうどの値
    assert_eq!(geometric_ladder(0.25, 1.0, 3), Ok(vec![0.25, 0.5, 1.0]));
    let g = ExactDensity::transfer_matrix(2).unwrap();
    let b = acceptance_ladder(&g, 0.1, 1e308, 4).unwrap();
    assert!(b.len() == 4 && b[0] == 0.1 && b[3] == 1e308 && check_ladder(&b).is_ok());
}

/// 直した不具合 7: `mean_estimate`（`IntegratedTime::estimate`）は標準誤差を `√(2τ Ĉ(0)/n)` で求め、
/// `Ĉ(0)` が `f64` の最小の数より小さくなる系列（揺れが `1e-162` 程度より小さい）で、定数でないのに 0 を返した
/// （信頼区間が点に縮む）。今は縮めた系列の分散から求め、`1e300` 倍した系列の標準誤差のちょうど `1e-300` 倍になる。
#[test]
fn standard_error_of_tiny_series_is_not_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let x: Vec<f64> = (0..500).map(|_| rng.random::<f64>()).collect();
    let want = stats::mean_estimate(&x).unwrap().std_error();
    for scale in [1e-300, 1e-310] {
        let tiny: Vec<f64> = x.iter().map(|v| v * scale).collect();
        let se = stats::mean_estimate(&tiny).unwrap().std_error();
        assert!(
            se > 0.0 && (se / (want * scale) - 1.0).abs() < 1e-3,
            "{scale:e}: {se:e}"
        );
    }
}

/// 直した不具合 8（文書）: `autocorrelation` と `naive_mean_estimate` は、平均からのずれが `f64` であふれる系列
/// （`f64::MAX` と `−f64::MAX` が混じる）に [`Error::Overflow`] を返すが、`# Errors` に書いていなかった。
#[test]
fn overflowing_deviations_are_documented_overflow() {
    let x: Vec<f64> = (0..200)
        .map(|i| if i < 199 { f64::MAX } else { -f64::MAX })
        .collect();
    assert!(matches!(
        stats::autocorrelation(&x, 1),
        Err(Error::Overflow { .. })
    ));
    assert!(matches!(
        stats::naive_mean_estimate(&x),
        Err(Error::Overflow { .. })
    ));
}

// ---------------------------------------------------------------- 1. 格子のメトロポリス法と多スピン符号化

/// 一辺 `L` が `2 ≤ L ≤ max` で、結合が正しいか（`check_sampler` の順: 一辺、結合）。
fn sampler_error(side: usize, max: usize, k: f64) -> Option<&'static str> {
    if side < 2 {
        Some(INV)
    } else if side > max {
        Some(BIG)
    } else {
        coupling_error(k)
    }
}

/// 掃引の回数の上限 `⌊MAX_CHAIN_WORK / L²⌋`。
fn max_sweeps(sites: usize) -> usize {
    usize::try_from(MAX_CHAIN_WORK / sites as u64).unwrap_or(usize::MAX)
}

/// 定義どおりのエネルギー `−Σ s_ij (s_{i,j+1} + s_{i+1,j})`（周期境界）。
fn lattice_energy(s: &Array2<i8>) -> i64 {
    let l = s.nrows();
    let mut b = 0i64;
    for i in 0..l {
        for j in 0..l {
            let x = i64::from(s[[i, j]]);
            b += x * i64::from(s[[i, (j + 1) % l]]) + x * i64::from(s[[(i + 1) % l, j]]);
        }
    }
    -b
}

fn magnetization_of(s: &Array2<i8>) -> i64 {
    s.iter().map(|&x| i64::from(x)).sum()
}

/// 配置・エネルギー・磁化・数が互いに、また定義と合っているか。
fn lattice_consistent(s: &LatticeMetropolis) -> bool {
    let spins = s.spins();
    let n = s.n_spins() as i64;
    spins.dim() == (s.side(), s.side())
        && spins.iter().all(|&x| x == 1 || x == -1)
        && s.energy() == s.recompute_energy()
        && s.energy() == lattice_energy(&spins)
        && s.energy().abs() <= 2 * n
        && s.magnetization() == magnetization_of(&spins)
        && (s.magnetization() + n) % 2 == 0
        && s.accepted() <= s.attempted()
        && (-2.0..=2.0).contains(&s.energy_per_spin())
}

fn lattice_fingerprint(s: &LatticeMetropolis) -> (Array2<i8>, u64, u64) {
    (s.spins(), s.attempted(), s.coupling().to_bits())
}

/// 作れた `LatticeMetropolis` 1 つに、読み出し・掃引・記録・結合の変更を呼ぶ。
fn lattice_battery(sw: &mut Sweep, s: &LatticeMetropolis, rng: &mut SmallRng) {
    let input = (s.side(), s.coupling());
    let n = s.n_spins();
    let spins = s.spins();
    sw.probe(
        "LatticeMetropolis::energy",
        &input,
        || Ok(s.energy()),
        |r| *r == Ok(lattice_energy(&spins)),
    );
    sw.probe(
        "LatticeMetropolis::recompute_energy",
        &input,
        || Ok(s.recompute_energy()),
        |r| *r == Ok(lattice_energy(&spins)),
    );
    sw.probe(
        "LatticeMetropolis::magnetization",
        &input,
        || Ok(s.magnetization()),
        |r| *r == Ok(magnetization_of(&spins)),
    );
    let mut t = s.clone();
    sw.probe(
        "LatticeMetropolis::sweep",
        &input,
        || {
            t.sweep(rng);
            Ok(t.clone())
        },
        |r| matches!(r, Ok(u) if lattice_consistent(u) && u.attempted() == n as u64),
    );
    for sweeps in [0, 1, 3] {
        let before = t.attempted();
        sw.probe(
            "LatticeMetropolis::run",
            &(input, sweeps),
            || {
                t.run(rng, sweeps)?;
                Ok(t.clone())
            },
            |r| {
                matches!(r, Ok(u) if lattice_consistent(u)
                    && u.attempted() == before + (sweeps * n) as u64)
            },
        );
    }
    for sweeps in [max_sweeps(n) + 1, usize::MAX] {
        let mut r2 = rng.clone();
        sw.probe(
            "LatticeMetropolis::run",
            &(input, sweeps),
            || guarded(&t, lattice_fingerprint, move |u| u.run(&mut r2, sweeps)),
            |r| too_large(r, "掃引の数", sweeps, max_sweeps(n)),
        );
    }
    for sweeps in [0, 4] {
        let before = t.attempted();
        sw.probe(
            "LatticeMetropolis::record",
            &(input, sweeps),
            || t.record(rng, sweeps).map(|tr| (tr, t.clone())),
            |r| {
                matches!(r, Ok((tr, u)) if tr.len() == sweeps
                    && tr.is_empty() == (sweeps == 0)
                    && lattice_consistent(u)
                    && u.attempted() == before + (sweeps * n) as u64
                    && tr.energy_per_spin().iter().all(|e| (-2.0..=2.0).contains(e))
                    && tr.abs_magnetization().iter().all(|m| (0.0..=1.0).contains(m))
                    && tr.energy_per_spin().last().is_none_or(|&e| e == u.energy_per_spin()))
            },
        );
    }
    for sweeps in [MAX_SAMPLES + 1, usize::MAX] {
        let mut r2 = rng.clone();
        sw.probe(
            "LatticeMetropolis::record",
            &(input, sweeps),
            || guarded(&t, lattice_fingerprint, move |u| u.record(&mut r2, sweeps)),
            |r| too_large(r, "記録する掃引の数", sweeps, MAX_SAMPLES),
        );
    }
    for k in couplings() {
        let mut u = t.clone();
        let before = u.coupling();
        sw.probe(
            "LatticeMetropolis::set_coupling",
            &(input, k),
            || match u.set_coupling(k) {
                Ok(()) => Ok(u.coupling()),
                Err(_) if u.coupling().to_bits() != before.to_bits() => Err(touched()),
                Err(e) => Err(e),
            },
            |r| expect(r, coupling_error(k), |c| *c == k),
        );
    }
}

/// 1 つの `u64` の第 `r` ビットを `(i, j)` のスピンとする配置から、レプリカごとに数え直した値。
fn multispin_consistent(s: &MultiSpinMetropolis) -> bool {
    let n = s.n_spins() as i64;
    let (e, m) = (s.energies(), s.magnetizations());
    e.len() == REPLICAS
        && m.len() == REPLICAS
        && e.iter().all(|&x| x.abs() <= 2 * n && (x + 2 * n) % 2 == 0)
        && m.iter().all(|&x| x.abs() <= n && (x + n) % 2 == 0)
        && [0, 17, REPLICAS - 1].iter().all(|&r| {
            let x = s.replica(r).unwrap_or_default();
            x.dim() == (s.side(), s.side())
                && lattice_energy(&x) == e[r]
                && magnetization_of(&x) == m[r]
        })
}

fn multispin_fingerprint(s: &MultiSpinMetropolis) -> (Vec<u64>, u64) {
    (s.packed().iter().copied().collect(), s.attempted())
}

fn multispin_battery(sw: &mut Sweep, s: &MultiSpinMetropolis, rng: &mut SmallRng) {
    let input = (s.side(), s.coupling());
    let n = s.n_spins();
    let packed = s.packed().to_owned();
    sw.probe(
        "MultiSpinMetropolis::energies",
        &input,
        || Ok(s.energies()),
        |r| {
            matches!(r, Ok(e) if e.len() == REPLICAS && (0..REPLICAS).all(|rep| {
                let x = packed.mapv(|w| if (w >> rep) & 1 == 1 { -1i8 } else { 1 });
                lattice_energy(&x) == e[rep]
            }))
        },
    );
    sw.probe(
        "MultiSpinMetropolis::magnetizations",
        &input,
        || Ok(s.magnetizations()),
        |r| {
            matches!(r, Ok(m) if m.len() == REPLICAS && (0..REPLICAS).all(|rep| {
                let down = packed.iter().filter(|&&w| (w >> rep) & 1 == 1).count() as i64;
                m[rep] == n as i64 - 2 * down
            }))
        },
    );
    for rep in [0, 1, REPLICAS - 1, REPLICAS, usize::MAX] {
        sw.probe(
            "MultiSpinMetropolis::replica",
            &(input, rep),
            || s.replica(rep),
            |r| {
                let want = (rep >= REPLICAS).then_some(INV);
                expect(r, want, |x| {
                    *x == packed.mapv(|w| if (w >> rep) & 1 == 1 { -1i8 } else { 1 })
                })
            },
        );
    }
    let mut t = s.clone();
    for sweeps in [0, 1, 3] {
        let before = t.attempted();
        sw.probe(
            "MultiSpinMetropolis::run",
            &(input, sweeps),
            || {
                t.run(rng, sweeps)?;
                Ok(t.clone())
            },
            |r| {
                matches!(r, Ok(u) if multispin_consistent(u)
                    && u.attempted() == before + (sweeps * n * REPLICAS) as u64
                    && u.accepted() <= u.attempted())
            },
        );
    }
    for sweeps in [max_sweeps(n) + 1, usize::MAX] {
        let mut r2 = rng.clone();
        sw.probe(
            "MultiSpinMetropolis::run",
            &(input, sweeps),
            || guarded(&t, multispin_fingerprint, move |u| u.run(&mut r2, sweeps)),
            |r| too_large(r, "掃引の数", sweeps, max_sweeps(n)),
        );
    }
    for sweeps in [0, 3] {
        sw.probe(
            "MultiSpinMetropolis::record",
            &(input, sweeps),
            || t.record(rng, sweeps).map(|tr| (tr, t.clone())),
            |r| {
                matches!(r, Ok((tr, u)) if tr.len() == sweeps
                && tr.is_empty() == (sweeps == 0)
                && tr.energy_per_spin().dim() == (sweeps, REPLICAS)
                && multispin_consistent(u)
                && tr.energy_per_spin().iter().all(|e| (-2.0..=2.0).contains(e))
                && tr.abs_magnetization().iter().all(|m| (0.0..=1.0).contains(m))
                && (sweeps == 0 || (0..REPLICAS).all(|rep| {
                    tr.energy_per_spin()[[sweeps - 1, rep]] == u.energies()[rep] as f64 / n as f64
                })))
            },
        );
    }
    let max = MAX_SAMPLES / REPLICAS;
    for sweeps in [max + 1, usize::MAX] {
        let mut r2 = rng.clone();
        sw.probe(
            "MultiSpinMetropolis::record",
            &(input, sweeps),
            || {
                guarded(&t, multispin_fingerprint, move |u| {
                    u.record(&mut r2, sweeps)
                })
            },
            |r| too_large(r, "記録する掃引の数", sweeps, max),
        );
    }
}

/// 正方・正方でない `±1` の配列と、`±1` 以外の値の混じった配列。
fn spin_arrays(rng: &mut SmallRng) -> Vec<Array2<i8>> {
    let mut out = Vec::new();
    for (r, c) in [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (2, 3),
        (3, 2),
        (0, 2),
    ] {
        out.push(Array2::ones((r, c)));
        out.push(Array2::from_shape_fn((r, c), |(i, j)| {
            if (i + j) % 2 == 0 { 1 } else { -1 }
        }));
        out.push(Array2::from_shape_fn((r, c), |_| {
            if rng.random::<bool>() { 1 } else { -1 }
        }));
        if r > 0 && c > 0 {
            for bad in [0, 2, i8::MIN] {
                let mut x = Array2::ones((r, c));
                x[[r - 1, c - 1]] = bad;
                out.push(x);
            }
        }
    }
    out
}

#[test]
fn sweep_lattice_samplers() {
    let mut sw = Sweep::default();
    let mut rng = SmallRng::seed_from_u64(5050);
    let ks = couplings();
    let sides = [0, 1, 2, 3, 5, 8, MAX_METROPOLIS_SIDE + 1, usize::MAX];
    for &side in &sides {
        for &k in &ks {
            for start in [Start::Cold, Start::Hot] {
                let want = sampler_error(side, MAX_METROPOLIS_SIDE, k);
                let r = LatticeMetropolis::new(side, k, start, &mut rng);
                sw.probe(
                    "LatticeMetropolis::new",
                    &(side, k, start),
                    || r.clone(),
                    |r| {
                        expect(r, want, |s| {
                            s.side() == side
                                && s.n_spins() == side * side
                                && s.coupling() == k
                                && s.attempted() == 0
                                && lattice_consistent(s)
                                && (start == Start::Hot
                                    || (s.energy() == -2 * (side * side) as i64
                                        && s.magnetization() == (side * side) as i64))
                        })
                    },
                );
                if let Ok(s) = r {
                    lattice_battery(&mut sw, &s, &mut rng);
                }
            }
        }
    }
    // 与えた配置から: 正方でない、小さすぎる、±1 以外、連続でないビュー
    let arrays = spin_arrays(&mut rng);
    for x in &arrays {
        for k in [f64::NAN, -1.0, 0.0, 1e-101, MIN_COUPLING, 0.3, 1e308] {
            let (rows, cols) = x.dim();
            let want = if rows != cols {
                Some(MISMATCH)
            } else if let Some(e) = sampler_error(rows, MAX_METROPOLIS_SIDE, k) {
                Some(e)
            } else if x.iter().any(|&v| v != 1 && v != -1) {
                Some(INV)
            } else {
                None
            };
            let ok = |s: &LatticeMetropolis| {
                s.spins() == *x
                    && s.coupling() == k
                    && s.energy() == lattice_energy(x)
                    && lattice_consistent(s)
            };
            sw.probe(
                "LatticeMetropolis::from_spins",
                &(x, k),
                || LatticeMetropolis::from_spins(k, x),
                |r| {
                    expect(r, want, ok)
                        && (rows == cols
                            || matches!(r, Err(Error::DimensionMismatch { expected, actual })
                                if (*expected, *actual) == (rows, cols)))
                },
            );
            if want.is_none() {
                // 転置の転置（連続でない配置）と 1 行おきのビュー
                let t = x.t().to_owned();
                let mut wide = Array2::from_elem((2 * rows, cols), 0i8);
                for i in 0..rows {
                    wide.row_mut(2 * i).assign(&x.row(i));
                }
                let every = wide.slice_axis(Axis(0), Slice::from(..).step_by(2));
                sw.probe(
                    "LatticeMetropolis::from_spins(ビュー)",
                    &(x, k),
                    || LatticeMetropolis::from_spins(k, t.t()),
                    |r| matches!(r, Ok(s) if ok(s)),
                );
                sw.probe(
                    "LatticeMetropolis::from_spins(ビュー)",
                    &(x, k),
                    || LatticeMetropolis::from_spins(k, every),
                    |r| matches!(r, Ok(s) if ok(s)),
                );
            }
        }
    }
    // 64 レーンの Bernoulli 乱数
    let mut probs = EXTREMES.to_vec();
    probs.extend([
        0.5,
        0.25,
        0.75,
        1.0 - f64::EPSILON / 2.0,
        5e-324,
        1.0 + f64::EPSILON,
        1e-100,
    ]);
    for &p in &probs {
        let want = if !p.is_finite() {
            Some(NF)
        } else if !(0.0..=1.0).contains(&p) {
            Some(INV)
        } else {
            None
        };
        let r = BernoulliMask::new(p);
        sw.probe(
            "BernoulliMask::new",
            &p,
            || r.clone(),
            |r| {
                expect(r, want, |m| {
                    m.probability() == p
                        && m.expansion_len() <= 1074
                        && (m.expansion_len() == 0) == (p == 0.0 || p == 1.0)
                })
            },
        );
        if let Ok(m) = r {
            sw.probe(
                "BernoulliMask::sample",
                &p,
                || Ok((0..64).map(|_| m.sample(&mut rng)).collect::<Vec<u64>>()),
                |r| {
                    let v = r.as_ref().unwrap();
                    // p = 0 は 0 だけ、p = 1 は全ビット 1 だけ。p ≤ 1e-100 なら 4096 ビットに 1 が出る確率は 1e-96 以下
                    (p != 0.0 || v.iter().all(|&w| w == 0))
                        && (p != 1.0 || v.iter().all(|&w| w == u64::MAX))
                        && (p > 1e-100 || v.iter().all(|&w| w == 0))
                        && (p < 1.0 - 1e-15 || v.iter().all(|&w| w == u64::MAX) || p != 1.0)
                },
            );
        }
    }
    // 多スピン符号化
    let sides = [0, 1, 2, 3, 4, 6, MAX_MULTISPIN_SIDE + 1, usize::MAX];
    for &side in &sides {
        for &k in &ks {
            for start in [Start::Cold, Start::Hot] {
                let want = sampler_error(side, MAX_MULTISPIN_SIDE, k);
                let r = MultiSpinMetropolis::new(side, k, start, &mut rng);
                sw.probe(
                    "MultiSpinMetropolis::new",
                    &(side, k, start),
                    || r.clone(),
                    |r| {
                        expect(r, want, |s| {
                            s.side() == side
                                && s.coupling() == k
                                && s.attempted() == 0
                                && multispin_consistent(s)
                                && (start == Start::Hot
                                    || s.energies() == vec![-2 * (side * side) as i64; REPLICAS])
                        })
                    },
                );
                if let Ok(s) = r {
                    multispin_battery(&mut sw, &s, &mut rng);
                }
            }
        }
    }
    sw.finish(17, 4_059);
}

// ---------------------------------------------------------------- 2. 状態密度、Kaufman・Onsager の厳密解

/// 準位 `(E, g(E))` の並び。
type Levels = Vec<(i64, u128)>;

/// 準位の並びと期待する誤り。
fn level_lists() -> Vec<(Levels, Option<&'static str>)> {
    vec![
        (vec![], Some(EMPTY)),
        (vec![(0, 0)], Some(INV)),
        (vec![(0, 1)], None),
        (vec![(-1, 1), (1, 1)], None),
        (vec![(1, 1), (-1, 1)], Some(INV)),
        (vec![(0, 1), (0, 1)], Some(INV)),
        (vec![(-3, 2), (0, 1), (0, 5)], Some(INV)),
        (vec![(0, 1), (1, 0)], Some(INV)),
        (vec![(i64::MIN, 1), (i64::MAX, 1)], None),
        (vec![(i64::MIN, 1), (0, 3), (i64::MAX, 1)], None),
        (vec![(i64::MIN, u128::MAX), (i64::MAX, 1)], Some(OVER)),
        (vec![(i64::MIN, u128::MAX)], None),
        (vec![(i64::MAX, 1)], None),
        (vec![(-4, 1), (0, u128::MAX - 2), (4, 1)], None),
        (vec![(-8, 2), (0, 12), (8, 2)], None),
        (vec![(-2, u128::MAX / 2), (1, u128::MAX / 2)], None),
    ]
}

/// 作れた状態密度 1 つに、逆温度の極端な値で `ln Z`・確率・モーメント・比熱・交換の受理率を呼ぶ。
fn density_battery(sw: &mut Sweep, g: &ExactDensity) {
    let levels = g.levels().to_vec();
    let e0 = levels[0].0 as f64;
    let e1 = levels[levels.len() - 1].0 as f64;
    let escale = e0.abs().max(e1.abs()).max(1.0);
    let input = &levels[..levels.len().min(4)];
    let bs = couplings();
    for &b in &bs {
        sw.probe(
            "ExactDensity::log_z",
            &(input, b),
            || g.log_z(b),
            |r| match (r, beta_error(b)) {
                (Ok(v), None) => {
                    let tol = 1e-12 * v.abs().max(1.0);
                    let upper = (g.n_states() as f64).ln() - b * e0;
                    levels.iter().all(|&(e, n)| {
                        let lower = (n as f64).ln() - b * e as f64;
                        !lower.is_finite() || *v >= lower - tol
                    }) && (!upper.is_finite() || *v <= upper + tol)
                }
                (Err(e), None) => kind(e) == OVER && (b * e0).abs() > 1e300,
                (Err(e), Some(w)) => kind(e) == w,
                (Ok(_), Some(_)) => false,
            },
        );
        sw.probe(
            "ExactDensity::log_probabilities",
            &(input, b),
            || g.log_probabilities(b),
            |r| {
                expect(r, beta_error(b), |lp| {
                    lp.len() == levels.len()
                        && lp.iter().all(|v| !v.is_nan() && *v <= 1e-12)
                        && lse(lp).abs() <= 1e-12 * levels.len() as f64
                })
            },
        );
        let moments = g.energy_moments(b);
        sw.probe(
            "ExactDensity::energy_moments",
            &(input, b),
            || moments.clone(),
            |r| {
                expect(r, beta_error(b), |&(m, v)| {
                    let tol = 1e-12 * escale;
                    let half = (e1 - e0) / 2.0;
                    m.is_finite()
                        && v.is_finite()
                        && m >= e0 - tol
                        && m <= e1 + tol
                        && v >= 0.0
                        && v <= half * half * (1.0 + 1e-12) + tol * tol
                })
            },
        );
        sw.probe(
            "ExactDensity::specific_heat",
            &(input, b),
            || g.specific_heat(b),
            |r| match (r, &moments) {
                (Ok(c), Ok((_, v))) => {
                    c.is_finite() && *c >= 0.0 && within(*c, b * (b * v), 1e-12 * c.max(1e-300))
                }
                (Err(e), Ok((_, v))) => kind(e) == OVER && !(b * (b * v)).is_finite(),
                (Err(e), Err(_)) => Some(kind(e)) == beta_error(b),
                (Ok(_), Err(_)) => false,
            },
        );
    }
    for &a in &bs {
        for &b in &bs {
            // どちらかが有限でない、どちらかが 0 以下: 文書の 2 つの誤りの条件の両方に当たるときは、どちらでもよい
            let allowed = |e: &Error| match kind(e) {
                k if k == NF => !a.is_finite() || !b.is_finite(),
                k if k == INV => a <= 0.0 || b <= 0.0,
                _ => false,
            };
            let valid = beta_error(a).is_none() && beta_error(b).is_none();
            let log = g.log_swap_acceptance(a, b);
            sw.probe(
                "ExactDensity::log_swap_acceptance",
                &(input, a, b),
                || log.clone(),
                |r| match r {
                    Ok(l) => {
                        valid
                            && l.is_finite()
                            && *l <= 0.0
                            && g.log_swap_acceptance(b, a) == Ok(*l)
                            && (a != b || l.abs() <= 1e-12)
                    }
                    Err(e) => !valid && allowed(e),
                },
            );
            sw.probe(
                "ExactDensity::swap_acceptance",
                &(input, a, b),
                || g.swap_acceptance(a, b),
                |r| match (r, &log) {
                    (Ok(p), Ok(l)) => (0.0..=1.0).contains(p) && *p == l.exp(),
                    (Err(e), Err(f)) => e == f,
                    _ => false,
                },
            );
        }
    }
}

/// `ln Z` の上下界: `max(N ln 2, ln 2 + 2NK) ≤ ln Z ≤ N ln 2 + 2NK`（Jensen と基底状態）。
fn log_z_bounds(n: f64, k: f64, log_z: f64) -> bool {
    let ln2 = std::f64::consts::LN_2;
    let tol = 1e-12 * log_z.abs().max(1.0);
    log_z.is_finite()
        && log_z >= (n * ln2).max(ln2 + 2.0 * n * k) - tol
        && log_z <= n * ln2 + 2.0 * n * k + tol
}

#[test]
fn sweep_densities_and_exact_solutions() {
    let mut sw = Sweep::default();
    let mut densities = Vec::new();
    for (levels, want) in level_lists() {
        let total: Option<u128> = levels.iter().try_fold(0u128, |s, &(_, n)| s.checked_add(n));
        let r = ExactDensity::from_levels(levels.clone());
        sw.probe(
            "ExactDensity::from_levels",
            &levels,
            || r.clone(),
            |r| {
                expect(r, want, |g| {
                    g.levels() == levels && Some(g.n_states()) == total
                })
            },
        );
        densities.extend(r);
    }
    for side in [0, 1, 2, 3, 4, 5, 6, MAX_TRANSFER_SIDE + 1, usize::MAX] {
        let r = ExactDensity::transfer_matrix(side);
        let brute = DensityOfStates::enumerate(side).ok();
        sw.probe(
            "ExactDensity::transfer_matrix",
            &side,
            || r.clone(),
            |r| match r {
                Ok(g) => {
                    let n = side * side;
                    (1..=MAX_TRANSFER_SIDE).contains(&side)
                        && g.n_states() == 1u128 << n
                        && g.levels()[0] == (-2 * n as i64, 2)
                        && g.levels().windows(2).all(|w| w[0].0 < w[1].0)
                        && brute.as_ref().is_none_or(|d| *g == ExactDensity::from(d))
                }
                Err(Error::TooManySpins { n, max }) => {
                    side > MAX_TRANSFER_SIDE && *n == side.saturating_mul(side) && *max == 121
                }
                Err(e) => side == 0 && kind(e) == INV,
            },
        );
        densities.extend(r);
    }
    for side in [0, 1, 2, 3, 4, 5, usize::MAX] {
        sw.probe(
            "DensityOfStates::enumerate",
            &side,
            || DensityOfStates::enumerate(side),
            |r| match r {
                Ok(d) => {
                    let n = side * side;
                    let levels = d.levels();
                    (1..=4).contains(&side)
                        && d.side() == side
                        && levels.iter().map(|&(_, c)| c).sum::<u64>() == 1u64 << n
                        && levels[0] == (-2 * n as i64, 2)
                        && d.degeneracy(-2 * n as i64) == 2
                        && (side % 2 == 1 || levels.iter().all(|&(e, c)| d.degeneracy(-e) == c))
                }
                Err(Error::TooManySpins { n, max }) => {
                    side > 4 && *n == side.saturating_mul(side) && *max == 16
                }
                Err(e) => side == 0 && kind(e) == INV,
            },
        );
    }
    for g in &densities {
        density_battery(&mut sw, g);
    }
    // Kaufman の厳密解: 一辺と結合の極端な値。L ≤ 4 は全状態の列挙と比べる
    let ks = couplings();
    for side in [0, 1, 2, 3, 4, 8, 64, MAX_SIDE + 1, usize::MAX] {
        let brute = DensityOfStates::enumerate(side).ok();
        for &k in &ks {
            let want = if side == 0 {
                Some(INV)
            } else if side > MAX_SIDE {
                Some(BIG)
            } else {
                coupling_error(k)
            };
            let n = (side as f64) * (side as f64);
            let overflow_ok = |e: &Error| kind(e) == OVER && 2.0 * n * k > 1e300;
            let t = kaufman::thermodynamics(side, k);
            sw.probe(
                "kaufman::thermodynamics",
                &(side, k),
                || t.clone(),
                |r| match r {
                    Ok(t) => {
                        want.is_none()
                            && t.side() == side
                            && t.coupling() == k
                            && log_z_bounds(n, k, t.log_z())
                            && (-2.0..=0.0).contains(&t.energy_per_spin())
                            && t.specific_heat_per_spin().is_finite()
                            && t.specific_heat_per_spin() >= 0.0
                            && brute.as_ref().is_none_or(|d| {
                                let b = d.thermodynamics(k).unwrap();
                                within(t.log_z(), b.log_z(), 1e-12 * b.log_z())
                                    && within(t.energy_per_spin(), b.energy_per_spin(), 1e-12)
                                    && within(
                                        t.specific_heat_per_spin(),
                                        b.specific_heat_per_spin(),
                                        1e-11,
                                    )
                            })
                    }
                    Err(e) => Some(kind(e)) == want || (want.is_none() && overflow_ok(e)),
                },
            );
            sw.probe(
                "kaufman::log_z",
                &(side, k),
                || kaufman::log_z(side, k),
                |r| match (r, &t) {
                    (Ok(v), Ok(t)) => *v == t.log_z(),
                    (Err(e), Err(f)) => e == f,
                    _ => false,
                },
            );
        }
    }
    sw.probe(
        "kaufman::thermodynamics",
        &(MAX_SIDE, K_C),
        || kaufman::thermodynamics(MAX_SIDE, K_C),
        |r| {
            let n = (MAX_SIDE as f64).powi(2);
            matches!(r, Ok(t) if log_z_bounds(n, K_C, t.log_z())
                && t.specific_heat_per_spin() > 1.0 && t.specific_heat_per_spin().is_finite())
        },
    );
    // Onsager の無限に大きい格子
    for &k in &ks {
        let ln2 = std::f64::consts::LN_2;
        sw.probe(
            "onsager::log_z_per_spin",
            &k,
            || onsager::log_z_per_spin(k),
            |r| match r {
                Ok(v) => {
                    let tol = 1e-12 * v.abs().max(1.0);
                    coupling_error(k).is_none()
                        && v.is_finite()
                        && *v >= ln2.max(2.0 * k) - tol
                        && *v <= ln2 + 2.0 * k + tol
                }
                Err(e) => {
                    Some(kind(e)) == coupling_error(k)
                        || (coupling_error(k).is_none() && kind(e) == OVER && 2.0 * k > 1e300)
                }
            },
        );
        sw.probe(
            "onsager::energy_per_spin",
            &k,
            || onsager::energy_per_spin(k),
            |r| expect(r, coupling_error(k), |u| (-2.0..=0.0).contains(u)),
        );
    }
    sw.finish(13, 12_383);
}

// ---------------------------------------------------------------- 3. スピングラス、結合の学習

/// 定義どおりの `E(x) = −Σ J_kl x_k x_l`。
fn glass_energy(g: &SpinGlass, x: &[i8]) -> i64 {
    -g.bonds()
        .iter()
        .map(|&(k, l, j)| i64::from(j) * i64::from(x[k]) * i64::from(x[l]))
        .sum::<i64>()
}

fn glass_battery(sw: &mut Sweep, g: &SpinGlass, rng: &mut ChaCha8Rng) {
    let n = g.n_spins();
    let input = (g.lx(), g.ly());
    let mut xs: Vec<Vec<i8>> = vec![vec![1; n], vec![-1; n], vec![], vec![1; n + 1]];
    for _ in 0..2 {
        xs.push((0..n).map(|_| if rng.random() { 1 } else { -1 }).collect());
    }
    for bad in [0, 2, i8::MIN] {
        let mut x = vec![1; n];
        x[n - 1] = bad;
        xs.push(x);
    }
    for x in &xs {
        let want = if x.len() != n {
            Some(MISMATCH)
        } else if x.iter().any(|&v| v != 1 && v != -1) {
            Some(INV)
        } else {
            None
        };
        sw.probe(
            "SpinGlass::energy",
            &(input, x),
            || g.energy(&x[..]),
            |r| {
                expect(r, want, |e| {
                    *e == glass_energy(g, x) && e.abs() <= 2 * n as i64
                })
            },
        );
    }
    let probe_x: Vec<i8> = (0..n).map(|k| if k % 3 == 0 { -1 } else { 1 }).collect();
    let e_probe = glass_energy(g, &probe_x) as f64;
    for b in couplings() {
        sw.probe(
            "SpinGlass::ising",
            &(input, b),
            || g.ising(b),
            |r| match (r, beta_error(b)) {
                (Ok(m), None) => {
                    m.n_spins() == n
                        && m.fields().iter().all(|&h| h == 0.0)
                        && within(
                            m.energy(&probe_x[..]).unwrap(),
                            b * e_probe,
                            1e-12 * b * 4.0 * n as f64,
                        )
                }
                // β 倍した結合が Ising::new の条件（有限、Σ|θ| ≤ 1e100）を満たさない
                (Err(e), None) => {
                    let l1 = 2.0 * n as f64 * b;
                    (kind(e) == NF && !(2.0 * b).is_finite()) || (kind(e) == INV && l1 > 1e100)
                }
                (Err(e), Some(w)) => kind(e) == w,
                (Ok(_), Some(_)) => false,
            },
        );
    }
    let en = g.enumerate();
    sw.probe(
        "SpinGlass::enumerate",
        &input,
        || en.as_ref().map(|e| e.n_spins()).map_err(Clone::clone),
        |r| {
            let sum_j: i64 = g.bonds().iter().map(|&(_, _, j)| i64::from(j)).sum();
            expect(r, (n > MAX_GLASS_SPINS).then_some(MANY), |&m| {
                let d = en.as_ref().unwrap().density();
                m == n
                    && d.n_states() == 1u128 << n
                    && d.ground_energy() >= -2 * n as i64
                    && d.ground_energy() <= -sum_j
            })
        },
    );
    let Ok(en) = en else { return };
    let ferro = g.bonds().iter().all(|&(_, _, j)| j == 1);
    for b in couplings() {
        let c = en.correlations(b);
        let reference = if [0.3, K_C].contains(&b) {
            g.ising(b).and_then(|m| m.exact()).ok()
        } else {
            None
        };
        sw.probe(
            "GlassEnumeration::correlations",
            &(input, b),
            || c.clone(),
            |r| {
                expect(r, beta_error(b), |c| {
                    c.dim() == (n, n)
                        && (0..n).all(|k| c[[k, k]] == 1.0)
                        && (0..n).all(|k| (0..n).all(|l| c[[k, l]] == c[[l, k]]))
                        && c.iter().all(|v| v.abs() <= 1.0 + 1e-12)
                        && (!ferro || c.iter().all(|&v| v >= -1e-12))
                        && reference.as_ref().is_none_or(|m| {
                            (0..n).all(|k| {
                                (k + 1..n)
                                    .all(|l| within(c[[k, l]], m.correlation(k, l).unwrap(), 1e-9))
                            })
                        })
                })
            },
        );
        sw.probe(
            "GlassEnumeration::overlap_second_moment",
            &(input, b),
            || en.overlap_second_moment(b),
            |r| {
                expect(r, beta_error(b), |q| {
                    let c = c.as_ref().unwrap();
                    let want = c.iter().map(|v| v * v).sum::<f64>() / (n * n) as f64;
                    q.is_finite()
                        && *q >= 1.0 / n as f64 - 1e-12
                        && *q <= 1.0 + 1e-12
                        && within(*q, want, 1e-12)
                })
            },
        );
    }
}

fn sgd_fingerprint(s: &CouplingSgd) -> u64 {
    s.coupling().to_bits()
}

#[test]
fn sweep_glass_and_learning() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(6060);
    let sizes = [0, 1, 2, 3, 4, 64, 65, usize::MAX];
    for &lx in &sizes {
        for &ly in &sizes {
            let want = if lx < 2 || ly < 2 {
                Some(INV)
            } else if lx.saturating_mul(ly) > 4096 {
                Some(MANY)
            } else {
                None
            };
            let ok = |g: &SpinGlass, ferro: bool| {
                let n = lx * ly;
                g.lx() == lx
                    && g.ly() == ly
                    && g.n_spins() == n
                    && g.bonds().len() == 2 * n
                    && g.bonds()
                        .iter()
                        .all(|&(k, l, j)| k < n && l < n && (j == 1 || (!ferro && j == -1)))
            };
            let many = |r: &Result<SpinGlass>| {
                want != Some(MANY)
                    || matches!(r, Err(Error::TooManySpins { n, max: 4096 })
                        if *n == lx.saturating_mul(ly))
            };
            let random = SpinGlass::random(lx, ly, &mut rng);
            sw.probe(
                "SpinGlass::random",
                &(lx, ly),
                || random.clone(),
                |r| expect(r, want, |g| ok(g, false)) && many(r),
            );
            let ferro = SpinGlass::ferromagnet(lx, ly);
            sw.probe(
                "SpinGlass::ferromagnet",
                &(lx, ly),
                || ferro.clone(),
                |r| expect(r, want, |g| ok(g, true)) && many(r),
            );
            if lx.saturating_mul(ly) <= 16 || lx.saturating_mul(ly) == 4096 {
                for g in random.iter().chain(&ferro) {
                    glass_battery(&mut sw, g, &mut rng);
                }
            }
        }
    }
    // 列挙の上限の外（N = 25）
    let g = SpinGlass::ferromagnet(5, 5).unwrap();
    sw.probe(
        "SpinGlass::enumerate",
        &(5, 5),
        || g.enumerate().map(|e| e.n_spins()),
        |r| *r == Err(Error::TooManySpins { n: 25, max: 24 }),
    );
    // 厳密な最尤推定値: 一辺とデータの平均エネルギーの極端な値
    let mut means = EXTREMES.to_vec();
    means.extend([-1.0, -0.5, -1.9, -2.0, -1e-12, -1.999_999_999, 0.5]);
    for side in [0, 1, 2, 3, 8, MAX_SIDE + 1, usize::MAX] {
        for &u in &means {
            let u_of = |k: f64| kaufman::thermodynamics(side, k).map(|t| t.energy_per_spin());
            let want = if !u.is_finite() {
                Some(NF)
            } else if side == 0 {
                Some(INV)
            } else if side > MAX_SIDE {
                Some(BIG)
            } else if !(u_of(MAX_MLE_COUPLING).unwrap() < u && u < u_of(MIN_COUPLING).unwrap()) {
                Some(INV)
            } else {
                None
            };
            sw.probe(
                "learn::exact_mle",
                &(side, u),
                || exact_mle(side, u),
                |r| {
                    expect(r, want, |&k| {
                        (MIN_COUPLING..=MAX_MLE_COUPLING).contains(&k)
                            && within(u_of(k).unwrap(), u, 1e-9)
                    })
                },
            );
        }
    }
    // 確率的な勾配法: 構築の引数の極端な値
    let work_max = usize::try_from(MAX_CHAIN_WORK).unwrap();
    let mut sgds = Vec::new();
    for side in [0, 1, 2, 4, MAX_METROPOLIS_SIDE + 1] {
        for target in [f64::NAN, -1.0, 0.0, -2.0, -1e-320, 0.5, f64::NEG_INFINITY] {
            for k0 in [0.3, f64::NAN, 0.0, 1e-101, 1e308] {
                for eta in [0.1, 0.0, -1.0, f64::NAN, f64::INFINITY, 1e308, 1e-320] {
                    for sweeps in [0, 1, 2, usize::MAX] {
                        let want = if !target.is_finite() || !eta.is_finite() {
                            Some(NF)
                        } else if !(-2.0 < target && target < 0.0) || eta <= 0.0 || sweeps == 0 {
                            Some(INV)
                        } else if let Some(e) = sampler_error(side, MAX_METROPOLIS_SIDE, k0) {
                            Some(e)
                        } else if sweeps > work_max / (side * side) {
                            Some(BIG)
                        } else {
                            None
                        };
                        let input = (side, target, k0, eta, sweeps);
                        let r = bounded(2, move || {
                            let mut rng = SmallRng::seed_from_u64(1);
                            CouplingSgd::new(side, target, k0, eta, sweeps, &mut rng)
                        });
                        sw.probe(
                            "CouplingSgd::new",
                            &input,
                            || r.clone(),
                            |r| expect(r, want, |s| s.coupling() == k0),
                        );
                        if let Ok(s) = r {
                            if target == -1.0 && sweeps <= 2 {
                                sgds.push((input, s));
                            }
                        }
                    }
                }
            }
        }
    }
    let mut srng = SmallRng::seed_from_u64(7070);
    for (input, s) in &sgds {
        let (side, _, _, _, sweeps) = *input;
        let mut t = s.clone();
        for _ in 0..2 {
            let before = t.coupling();
            sw.probe(
                "CouplingSgd::step",
                input,
                || match t.step(&mut srng) {
                    Ok(k) => Ok((k, t.coupling())),
                    Err(_) if t.coupling() != before => Err(touched()),
                    Err(e) => Err(e),
                },
                |r| match r {
                    Ok((k, c)) => k.is_finite() && *k >= MIN_COUPLING && k == c,
                    Err(Error::Diverged { value, .. }) => {
                        !(value.is_finite() && *value >= MIN_COUPLING)
                    }
                    Err(_) => false,
                },
            );
        }
        for steps in [0, 2] {
            sw.probe(
                "CouplingSgd::run",
                &(input, steps),
                || t.run(&mut srng, steps),
                |r| match r {
                    Ok(path) => {
                        path.len() == steps
                            && path.iter().all(|k| k.is_finite() && *k >= MIN_COUPLING)
                    }
                    Err(e) => kind(e) == "Diverged",
                },
            );
        }
        let limit = work_max / (sweeps * side * side);
        for steps in [limit + 1, usize::MAX] {
            let requested = steps
                .checked_mul(sweeps)
                .and_then(|w| w.checked_mul(side * side))
                .unwrap_or(usize::MAX);
            let mut r2 = srng.clone();
            sw.probe(
                "CouplingSgd::run",
                &(input, steps),
                || guarded(&t, sgd_fingerprint, move |u| u.run(&mut r2, steps)),
                |r| too_large(r, "学習の仕事（歩 × 掃引 × スピン）", requested, work_max),
            );
        }
    }
    sw.finish(11, 6_577);
}

// ---------------------------------------------------------------- 4. 連鎖と厳密な遷移行列

/// 連鎖・遷移行列に使う小さいモデル（N = 1, 2, 3。極端なパラメータを含み、`Ising::new` が受け入れたもの）。
fn small_models(rng: &mut ChaCha8Rng) -> Vec<Ising> {
    let params = [0.0, -0.0, 1e-320, 0.3, -1.0, 40.0, 1e4, -2e4, 1e99, -1e100];
    let mut out = Vec::new();
    for &h in &params {
        out.push(Ising::new(array![h], array![]).unwrap());
    }
    for &a in &params {
        for &j in &[0.0, 0.7, -1e4, 1e99] {
            if let Ok(m) = Ising::new(array![a, 0.1], array![j]) {
                out.push(m);
            }
        }
    }
    while out.len() < 60 {
        let theta: Vec<f64> = (0..6)
            .map(|_| params[rng.random_range(0..params.len())])
            .collect();
        if let Ok(m) = Ising::new(
            Array1::from(theta[..3].to_vec()),
            Array1::from(theta[3..].to_vec()),
        ) {
            out.push(m);
        }
    }
    out
}

fn l1(m: &Ising) -> f64 {
    m.fields()
        .iter()
        .chain(m.couplings().iter())
        .map(|v| v.abs())
        .sum()
}

/// 定義どおりのボルツマン分布（`Σ|θ| ≤ 1e4` のモデルだけ。状態の番号の第 `k` ビットが 1 ⇔ `x_k = −1`）。
fn boltzmann(m: &Ising) -> Array1<f64> {
    let n = m.n_spins();
    let neg_e: Vec<f64> = (0..1usize << n)
        .map(|s| {
            let x: Vec<i8> = (0..n)
                .map(|k| if (s >> k) & 1 == 1 { -1 } else { 1 })
                .collect();
            -m.energy(&x[..]).unwrap()
        })
        .collect();
    let z = lse(&neg_e);
    neg_e.iter().map(|e| (e - z).exp()).collect()
}

fn stochastic(p: &Array2<f64>) -> bool {
    p.iter().all(|&v| v.is_finite() && v >= 0.0)
        && p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() <= 1e-10)
}

fn chain_fingerprint(c: &Chain) -> (Vec<i8>, Option<u64>) {
    (c.state().to_vec(), c.acceptance_rate().map(f64::to_bits))
}

fn observables(n: usize) -> Vec<Observable> {
    vec![
        Observable::Energy,
        Observable::Magnetization,
        Observable::Spin(0),
        Observable::Spin(n - 1),
        Observable::Spin(n),
        Observable::Spin(usize::MAX),
        Observable::Product(0, n - 1),
        Observable::Product(0, 0),
        Observable::Product(usize::MAX, 0),
        Observable::Product(0, n),
    ]
}

fn observable_ok(o: Observable, n: usize) -> bool {
    match o {
        Observable::Energy | Observable::Magnetization => true,
        Observable::Spin(k) => k < n,
        Observable::Product(k, l) => k < n && l < n && k != l,
    }
}

fn chain_battery(sw: &mut Sweep, model: &Ising, c: &Chain, rng: &mut ChaCha8Rng) {
    let n = model.n_spins();
    let input = (
        model.fields().to_vec(),
        model.couplings().to_vec(),
        c.rule(),
        c.scan(),
    );
    let x = c.state().to_owned();
    for o in observables(n) {
        sw.probe(
            "Chain::observe",
            &(&input, o),
            || c.observe(o),
            |r| {
                expect(r, (!observable_ok(o, n)).then_some(INV), |v| match o {
                    Observable::Energy => {
                        within(*v, model.energy(&x).unwrap(), 1e-12 * l1(model).max(1.0))
                    }
                    Observable::Magnetization => *v == x.iter().map(|&s| f64::from(s)).sum::<f64>(),
                    Observable::Spin(k) => *v == f64::from(x[k]),
                    Observable::Product(k, l) => *v == f64::from(x[k] * x[l]),
                })
            },
        );
    }
    let mut t = c.clone();
    for sweeps in [0, 1, 3] {
        sw.probe(
            "Chain::run",
            &(&input, sweeps),
            || t.run(rng, sweeps).map(|()| t.clone()),
            |r| {
                matches!(r, Ok(u) if u.state().iter().all(|&s| s == 1 || s == -1)
                    && within(u.energy(), model.energy(u.state()).unwrap(), 1e-9 * l1(model).max(1.0))
                    && (sweeps == 0 || u.acceptance_rate().is_some_and(|a| (0.0..=1.0).contains(&a))))
            },
        );
    }
    let max = usize::try_from(MAX_CHAIN_WORK / n as u64).unwrap_or(usize::MAX);
    for sweeps in [max + 1, usize::MAX] {
        let mut r2 = rng.clone();
        sw.probe(
            "Chain::run",
            &(&input, sweeps),
            || guarded(&t, chain_fingerprint, move |u| u.run(&mut r2, sweeps)),
            |r| too_large(r, "掃引の数", sweeps, max),
        );
    }
    let lists: [&[Observable]; 4] = [
        &[],
        &[
            Observable::Energy,
            Observable::Magnetization,
            Observable::Product(0, n - 1),
        ],
        &[Observable::Energy, Observable::Spin(n)],
        &[Observable::Product(0, 0)],
    ];
    for obs in lists {
        for sweeps in [0, 3, MAX_SAMPLES + 1, usize::MAX] {
            let want = if sweeps == 0 || obs.is_empty() {
                Some(EMPTY)
            } else if !obs.iter().all(|&o| observable_ok(o, n)) {
                Some(INV)
            } else if sweeps > 3 {
                Some(BIG)
            } else {
                None
            };
            let owned = obs.to_vec();
            let mut r2 = rng.clone();
            sw.probe(
                "Chain::record",
                &(&input, sweeps, obs),
                || {
                    guarded(&t, chain_fingerprint, move |u| {
                        u.record(&mut r2, sweeps, &owned)
                    })
                },
                |r| {
                    expect(r, want, |tr| {
                        tr.len() == obs.len()
                            && tr
                                .iter()
                                .all(|s| s.len() == sweeps && s.iter().all(|v| v.is_finite()))
                            && tr
                                .get(1)
                                .is_none_or(|m| m.iter().all(|m| m.abs() <= n as f64))
                            && tr.get(2).is_none_or(|p| p.iter().all(|p| p.abs() == 1.0))
                    })
                },
            );
        }
    }
    // 配置の入れ替え: 同じスピン数と違うスピン数
    for other_n in [n, n + 1] {
        let other_model = Ising::zeros(other_n).unwrap();
        let mut other = Chain::new(
            &other_model,
            Rule::HeatBath,
            Scan::Random,
            &vec![-1i8; other_n],
        )
        .unwrap();
        let mut u = t.clone();
        let before = u.state().to_owned();
        sw.probe(
            "Chain::swap_state",
            &(&input, other_n),
            || match u.swap_state(&mut other) {
                Ok(()) => Ok((u.state().to_owned(), other.state().to_owned(), u.energy())),
                Err(_) if u.state() != before || other.state().iter().any(|&s| s != -1) => {
                    Err(touched())
                }
                Err(e) => Err(e),
            },
            |r| match r {
                Ok((a, b, e)) => {
                    other_n == n
                        && a.iter().all(|&s| s == -1)
                        && *b == before
                        && within(*e, model.energy(a).unwrap(), 1e-9 * l1(model).max(1.0))
                }
                Err(Error::DimensionMismatch { expected, actual }) => {
                    other_n != n && (*expected, *actual) == (n, other_n)
                }
                Err(_) => false,
            },
        );
    }
}

#[test]
fn sweep_chain_and_kernels() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(8080);
    let models = small_models(&mut rng);
    let rules = [Rule::Metropolis, Rule::HeatBath];
    let scans = [Scan::Sequential, Scan::Random];
    for model in &models {
        let n = model.n_spins();
        let mut initials: Vec<Vec<i8>> = vec![vec![1; n], vec![], vec![1; n + 1]];
        for bad in [0, 2, i8::MIN] {
            let mut x = vec![-1; n];
            x[n - 1] = bad;
            initials.push(x);
        }
        for rule in rules {
            for scan in scans {
                for x in &initials {
                    let want = if x.len() != n {
                        Some(MISMATCH)
                    } else if x.iter().any(|&v| v != 1 && v != -1) {
                        Some(INV)
                    } else {
                        None
                    };
                    let r = Chain::new(model, rule, scan, &x[..]);
                    sw.probe(
                        "Chain::new",
                        &(
                            model.fields().to_vec(),
                            model.couplings().to_vec(),
                            rule,
                            scan,
                            x,
                        ),
                        || r.clone(),
                        |r| {
                            expect(r, want, |c| {
                                c.state().to_vec() == *x
                                    && c.n_spins() == n
                                    && c.acceptance_rate().is_none()
                                    && within(
                                        c.energy(),
                                        model.energy(&x[..]).unwrap(),
                                        1e-12 * l1(model).max(1.0),
                                    )
                            })
                        },
                    );
                    if let Ok(c) = r {
                        chain_battery(&mut sw, model, &c, &mut rng);
                    }
                }
            }
        }
    }
    // 厳密な遷移行列: 小さいモデルと、大きすぎる・精度の上限の外のモデル
    let mut kernel_models = models.clone();
    kernel_models.push(Ising::zeros(13).unwrap());
    kernel_models.push(Ising::new(array![5e3, 0.0], array![5e3 + 1.0]).unwrap());
    let mut matrices: Vec<(Array2<f64>, Option<Array1<f64>>)> = Vec::new();
    for model in &kernel_models {
        let n = model.n_spins();
        let want = if n > 12 {
            Some(MANY)
        } else if l1(model) > 1e4 {
            Some(INV)
        } else {
            None
        };
        let pi = want.is_none().then(|| boltzmann(model));
        let input = (model.fields().to_vec(), model.couplings().to_vec());
        for rule in rules {
            let p = kernel::update_kernel(model, rule);
            sw.probe(
                "kernel::update_kernel",
                &(&input, rule),
                || p.clone(),
                |r| {
                    expect(r, want, |p| {
                        let pi = pi.as_ref().unwrap();
                        p.dim() == (1 << n, 1 << n)
                            && stochastic(p)
                            && (pi.dot(p) - pi).iter().all(|v| v.abs() <= 1e-12)
                            && kernel::detailed_balance_residual(p, pi).is_ok_and(|d| d <= 1e-12)
                    })
                },
            );
            if let Ok(p) = p {
                matrices.push((p, pi.clone()));
            }
            for scan in scans {
                let p = kernel::sweep_kernel(model, rule, scan);
                sw.probe(
                    "kernel::sweep_kernel",
                    &(&input, rule, scan),
                    || p.clone(),
                    |r| {
                        expect(r, want, |p| {
                            let pi = pi.as_ref().unwrap();
                            p.dim() == (1 << n, 1 << n)
                                && stochastic(p)
                                && (pi.dot(p) - pi).iter().all(|v| v.abs() <= 1e-12)
                        })
                    },
                );
                if let Ok(p) = p {
                    matrices.push((p, pi.clone()));
                }
            }
            sw.probe(
                "kernel::update_spectrum",
                &(&input, rule),
                || kernel::update_spectrum(model, rule),
                |r| {
                    expect(r, want, |s| {
                        let ev = s.eigenvalues();
                        ev.len() == 1 << n
                            && ev.iter().all(|&l| {
                                l.is_finite() && (-1.0 - 1e-12..=1.0 + 1e-12).contains(&l)
                            })
                            && (ev[ev.len() - 1] - 1.0).abs() <= 1e-12
                            && (rule == Rule::Metropolis || ev.iter().all(|&l| l >= -1e-12))
                    })
                },
            );
        }
    }
    // 手で作った敵対的な行列: 空、正方でない、NaN、負、行和が 1 でない、既約でない、周期的、非正規化数の遷移
    let hostile: Vec<(Array2<f64>, Option<&str>)> = vec![
        (Array2::zeros((0, 0)), Some(EMPTY)),
        (Array2::from_elem((2, 3), 0.5), Some(MISMATCH)),
        (array![[f64::NAN, 1.0], [0.5, 0.5]], Some(NF)),
        (array![[f64::INFINITY, 0.0], [0.5, 0.5]], Some(NF)),
        (array![[1.5, -0.5], [0.5, 0.5]], Some("NegativeProbability")),
        (array![[0.9, 0.2], [0.5, 0.5]], Some("NotNormalized")),
        (array![[1e308, 0.0], [0.5, 0.5]], Some("NotNormalized")),
        (array![[1.0, 0.0], [0.0, 1.0]], Some(INV)),
        (array![[1.0, -0.0], [0.5, 0.5]], None),
        (array![[0.0, 1.0], [1.0, 0.0]], None),
        (array![[1.0, 1e-320], [1e-320, 1.0]], None),
        (array![[1.0, 5e-324], [1.0, 0.0]], None),
        (array![[1.0]], None),
        (
            array![[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5]],
            None,
        ),
    ];
    for (p, want) in &hostile {
        sw.probe(
            "kernel::stationary_distribution",
            p,
            || kernel::stationary_distribution(p),
            |r| {
                expect(r, *want, |pi| {
                    pi.iter().all(|&v| v.is_finite() && v >= 0.0)
                        && (pi.sum() - 1.0).abs() <= 1e-12
                        && (pi.dot(p) - pi).iter().all(|v| v.abs() <= 1e-12)
                })
            },
        );
        if want.is_none() {
            matrices.push((p.clone(), None));
        }
    }
    for (p, pi) in &matrices {
        let ns = p.nrows();
        let r = kernel::stationary_distribution(p);
        sw.probe(
            "kernel::stationary_distribution",
            &p.dim(),
            || r.clone(),
            |r| {
                // 遷移行列が既約でない（h = 1e4 など、確率 0 の遷移がある）ときは断ってよい
                match r {
                    Ok(q) => {
                        q.iter().all(|&v| v.is_finite() && v >= 0.0)
                            && (q.sum() - 1.0).abs() <= 1e-12
                            && (q.dot(p) - q).iter().all(|v| v.abs() <= 1e-12)
                            && pi
                                .as_ref()
                                .is_none_or(|pi| (q - pi).iter().all(|v| v.abs() <= 1e-9))
                    }
                    Err(e) => kind(e) == INV,
                }
            },
        );
        let mut dists: Vec<(Array1<f64>, Option<&str>)> = vec![
            (Array1::from_elem(ns, 1.0 / ns as f64), None),
            (Array1::zeros(ns + 1), Some(MISMATCH)),
            (Array1::from_elem(ns, f64::NAN), Some(NF)),
            (
                Array1::from_elem(ns, 2.0 / ns as f64),
                Some("NotNormalized"),
            ),
        ];
        let mut neg = Array1::from_elem(ns, 1.0 / ns as f64);
        neg[0] = -1e-320;
        dists.push((neg, Some("NegativeProbability")));
        if let Some(pi) = pi {
            dists.push((pi.clone(), None));
        }
        if let Ok(q) = &r {
            dists.push((q.clone(), None));
        }
        for (d, want) in &dists {
            let balance = kernel::detailed_balance_residual(p, d);
            sw.probe(
                "kernel::detailed_balance_residual",
                &(p.dim(), d),
                || balance.clone(),
                |r| expect(r, *want, |v| v.is_finite() && *v >= 0.0 && *v <= 1.0),
            );
            sw.probe(
                "kernel::reversible_spectrum",
                &(p.dim(), d),
                || kernel::reversible_spectrum(p, d),
                |r| match (r, &balance) {
                    (Ok(s), Ok(b)) => {
                        let ev = s.eigenvalues();
                        *b <= 1e-10
                            && d.iter().all(|&v| v > 0.0)
                            && ev.len() == ns
                            && ev.iter().all(|&l| l.is_finite() && l.abs() <= 1.0 + 1e-9)
                            && (ev[ns - 1] - 1.0).abs() <= 1e-9
                    }
                    (Err(Error::NotSymmetric { max_asymmetry }), Ok(b)) => {
                        *max_asymmetry == *b && *b > 1e-10
                    }
                    (Err(e), Ok(_)) => kind(e) == INV && d.iter().any(|&v| v <= 0.0),
                    (Err(e), Err(f)) => e == f,
                    (Ok(_), Err(_)) => false,
                },
            );
        }
    }
    sw.finish(11, 11_658);
}

// ---------------------------------------------------------------- 5. 相関のある系列の統計

/// 系列と、その説明。
fn series(rng: &mut ChaCha8Rng) -> Vec<(&'static str, Vec<f64>)> {
    let alt = |a: f64, b: f64, n: usize| (0..n).map(|i| if i % 2 == 0 { a } else { b }).collect();
    let mut ar = Vec::with_capacity(4000);
    let mut v = 0.0;
    for _ in 0..4000 {
        v = 0.9 * v + rng.random::<f64>() - 0.5;
        ar.push(v);
    }
    let ar_of = |phi: f64, n: usize, rng: &mut ChaCha8Rng| {
        let mut v = 0.0;
        (0..n)
            .map(|_| {
                v = phi * v + rng.random::<f64>() - 0.5;
                v
            })
            .collect::<Vec<f64>>()
    };
    let (ar_neg, ar_slow, ar_short) = (
        ar_of(-0.5, 1000, rng),
        ar_of(0.99, 2000, rng),
        ar_of(0.5, 40, rng),
    );
    let walk = ar_of(1.0, 1000, rng);
    let iid: Vec<f64> = (0..500).map(|_| rng.random::<f64>()).collect();
    let mut with_nan = iid.clone();
    with_nan[7] = f64::NAN;
    let mut with_inf = iid.clone();
    with_inf[499] = f64::NEG_INFINITY;
    vec![
        ("空", vec![]),
        ("1 個", vec![1.0]),
        ("2 個", vec![0.0, 1.0]),
        ("定数", vec![3.5; 200]),
        ("定数 −0 と 0", alt(0.0, -0.0, 200)),
        ("交互 ±1", alt(1.0, -1.0, 200)),
        ("交互 ±1e308", alt(1e308, -1e308, 200)),
        ("交互 f64::MAX と −f64::MAX", alt(f64::MAX, -f64::MAX, 200)),
        ("交互 ±1e-320", alt(1e-320, -1e-320, 200)),
        ("交互 0, 1（長さ 25）", alt(0.0, 1.0, 25)),
        ("交互 0, 1（長さ 31）", alt(0.0, 1.0, 31)),
        ("交互 0, 1（長さ 32）", alt(0.0, 1.0, 32)),
        (
            "1 個だけ違う",
            (0..200).map(|i| if i == 100 { 1.0 } else { 0.0 }).collect(),
        ),
        (
            "片寄った大きな値",
            (0..200)
                .map(|i| if i < 199 { f64::MAX } else { -f64::MAX })
                .collect(),
        ),
        ("直線", (0..200).map(f64::from).collect()),
        (
            "周期 4",
            (0..200).map(|i| [0.0, 1.0, 0.0, -1.0][i % 4]).collect(),
        ),
        ("独立", iid.clone()),
        ("独立 × 1e-300", iid.iter().map(|v| v * 1e-300).collect()),
        ("独立 × 1e-310", iid.iter().map(|v| v * 1e-310).collect()),
        ("独立 × 1e300", iid.iter().map(|v| v * 1e300).collect()),
        ("AR(1) 0.9", ar),
        ("AR(1) −0.5（負の相関）", ar_neg),
        ("AR(1) 0.99（長さ 2000）", ar_slow),
        ("AR(1) 0.5（長さ 40）", ar_short),
        ("乱歩", walk),
        ("独立（長さ 24）", iid[..24].to_vec()),
        ("独立（長さ 25）", iid[..25].to_vec()),
        ("独立（長さ 33）", iid[..33].to_vec()),
        ("−0 と非正規化数の最小", alt(-0.0, 5e-324, 100)),
        ("NaN", with_nan),
        ("−∞", with_inf),
    ]
}

/// 系列の検査（`center`）で決まる誤り: 短い、長い、有限でない、定数。
fn series_error(x: ArrayView1<'_, f64>, min: usize, max: usize) -> Option<&'static str> {
    if x.len() < min {
        Some(FEW)
    } else if x.len() > max {
        Some(BIG)
    } else if x.iter().any(|v| !v.is_finite()) {
        Some(NF)
    } else if x.iter().all(|&v| v == x[0]) {
        Some(INV)
    } else {
        None
    }
}

fn stats_battery(sw: &mut Sweep, name: &str, x: ArrayView1<'_, f64>) {
    let n = x.len();
    let input = (name, n);
    // 上限の外の長さ（刻み 0 のビュー）は、ここでも全部を読まない
    let (lo, hi) = if n > MAX_SAMPLES {
        (x[0], x[0])
    } else {
        x.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            })
    };
    let in_range = |m: f64| m.is_finite() && m >= lo && m <= hi;
    // 標準誤差は正。ただし正しい値が非正規化数の最小 5e-324 より小さいなら 0 に丸まってよい
    let positive_se = |se: f64| se > 0.0 || (hi - lo) / (n as f64).sqrt() < 1e-320;
    let half = (hi - lo) / 2.0;
    let max_var = half * half * (1.0 + 1e-12);
    let base = series_error(x, stats::MIN_SERIES_LEN, stats::MAX_SERIES_LEN);
    let alternating = n >= 2 && x[0] != x[1] && x.iter().enumerate().all(|(i, &v)| v == x[i % 2]);
    let it = stats::integrated_time(x);
    // 系列の検査を通ったら: Ok か、窓・長さ不足（TooFewSamples）、τ ≤ 0（InvalidParameter）、分散のあふれ（Overflow）
    // （周期的な系列の τ̂ ≤ 0、ビン平均がすべて等しい段は、文書に書いた InvalidParameter）
    let data_dependent = |e: &Error| match e {
        Error::TooFewSamples { needed, actual } => *needed > n && *actual == n,
        Error::InvalidParameter { name, .. } => {
            ["τ_int の推定値", "ビン平均の標準誤差"].contains(name)
        }
        Error::Overflow { .. } => !(hi - lo).is_finite() || !(half * half).is_finite(),
        _ => false,
    };
    sw.probe(
        "stats::integrated_time",
        &input,
        || it.clone(),
        |r| match (r, base) {
            (Ok(t), None) => {
                t.tau() > 0.0
                    && t.tau().is_finite()
                    && t.window() >= 1
                    && t.window() < n
                    && t.len() == n
                    && !t.is_empty()
                    && n as f64 >= 50.0 * t.tau()
                    && in_range(t.mean())
                    && t.variance().is_finite()
                    && t.variance() >= 0.0
                    && t.variance() <= max_var
                    && t.effective_sample_size().is_finite()
                    && t.relative_error().is_finite()
                    && !alternating
            }
            (Err(e), None) => data_dependent(e),
            (Err(e), Some(w)) => kind(e) == w,
            (Ok(_), Some(_)) => false,
        },
    );
    sw.probe(
        "stats::mean_estimate",
        &input,
        || stats::mean_estimate(x),
        |r| match (r, &it) {
            (Ok(e), Ok(t)) => {
                e.mean() == t.mean() && e.std_error().is_finite() && positive_se(e.std_error())
            }
            (Err(e), Err(f)) => e == f,
            _ => false,
        },
    );
    let naive_base = series_error(x, 2, MAX_SAMPLES);
    sw.probe(
        "stats::naive_mean_estimate",
        &input,
        || stats::naive_mean_estimate(x),
        |r| match (r, naive_base) {
            (Ok(e), None) => {
                in_range(e.mean())
                    && e.std_error().is_finite()
                    && positive_se(e.std_error())
                    && e.std_error() <= (hi - lo) / (n as f64).sqrt() * (1.0 + 1e-12)
                    && e.covers(e.mean())
            }
            (Err(e), None) => kind(e) == OVER && !(hi - lo).is_finite(),
            (Err(e), Some(w)) => kind(e) == w,
            (Ok(_), Some(_)) => false,
        },
    );
    let bin_base = series_error(x, stats::MIN_BINS, MAX_SAMPLES);
    sw.probe(
        "stats::binning",
        &input,
        || stats::binning(x),
        |r| match (r, bin_base) {
            (Ok(b), None) => {
                let levels = b.levels();
                !levels.is_empty()
                    && levels.iter().enumerate().all(|(i, l)| {
                        l.bin_size() == 1 << i
                            && l.n_bins() >= stats::MIN_BINS
                            && l.std_error().is_finite()
                            && l.std_error() >= 0.0
                    })
                    && b.std_error() > 0.0
                    && in_range(b.mean())
                    && b.len() == n
                    && b.integrated_time().is_finite()
                    && !alternating
            }
            (Err(e), None) => data_dependent(e),
            (Err(e), Some(w)) => kind(e) == w,
            (Ok(_), Some(_)) => false,
        },
    );
    let auto_base = series_error(x, 2, stats::MAX_SERIES_LEN);
    for lag in [0, 1, 5, n.saturating_sub(1), n, usize::MAX] {
        sw.probe(
            "stats::autocorrelation",
            &(input, lag),
            || stats::autocorrelation(x, lag),
            |r| {
                let want = auto_base.or((lag >= n).then_some(FEW));
                // 平均からのずれがあふれる系列（±f64::MAX が混じる）は Overflow
                if auto_base.is_none() && matches!(r, Err(Error::Overflow { .. })) {
                    return !(hi - lo).is_finite();
                }
                expect(r, want, |rho| {
                    rho.len() == lag + 1
                        && rho[0] == 1.0
                        && rho.iter().all(|v| v.is_finite() && v.abs() <= 1.0 + 1e-12)
                        // 交互の系列は ρ̂(1) < 0（平均 ±5e-324 の半分が表せない非正規化数の系列は除く）
                        && (!alternating || lag == 0 || hi - lo < 1e-300 || rho[1] < 0.0)
                })
            },
        );
    }
}

#[test]
fn sweep_series_statistics() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(9090);
    for (name, x) in series(&mut rng) {
        stats_battery(&mut sw, name, ArrayView1::from(&x[..]));
        // 連続でないビュー: 1 つおきに置いた系列は同じ結果
        if x.len() >= 2 {
            let w = spread(&Array1::from(x.clone()), f64::NAN);
            let v = every_other(&w);
            sw.probe(
                "stats::integrated_time(ビュー)",
                &name,
                || stats::integrated_time(v),
                |r| *r == stats::integrated_time(&x),
            );
            sw.probe(
                "stats::binning(ビュー)",
                &name,
                || stats::binning(v),
                |r| *r == stats::binning(&x),
            );
        }
    }
    // 上限の外の長さ: 確保せずに（刻み 0 のビューで）長さだけを大きくする
    let one = Array1::from_elem(1, 0.5);
    for len in [
        stats::MAX_SERIES_LEN + 1,
        MAX_SAMPLES + 1,
        isize::MAX as usize,
    ] {
        let v = one.broadcast(len).unwrap();
        stats_battery(&mut sw, "刻み 0 の長い系列", v);
    }
    sw.finish(5, 398);
}

// ---------------------------------------------------------------- 6. 交換モンテカルロ法

/// 逆温度の梯子と、`check_ladder` が返すべき誤り（位置の順に、有限でない・0 以下を調べ、次に増加を調べる）。
fn ladder_error(b: &[f64]) -> Option<&'static str> {
    if b.len() < 2 {
        return Some(INV);
    }
    if b.len() > MAX_REPLICAS {
        return Some(BIG);
    }
    for &v in b {
        if let Some(e) = beta_error(v) {
            return Some(e);
        }
    }
    b.windows(2).any(|w| w[0] >= w[1]).then_some(INV)
}

fn ladders() -> Vec<Vec<f64>> {
    let mut out = vec![
        vec![],
        vec![0.5],
        vec![0.5, 0.5],
        vec![1.0, 0.5],
        vec![0.1, f64::NAN],
        vec![f64::NAN, 0.1],
        vec![-1.0, f64::NAN],
        vec![0.0, 0.5],
        vec![-0.0, 0.5],
        vec![-1.0, 1.0],
        vec![0.1, f64::INFINITY],
        vec![1e-320, 1.0],
        vec![0.1, 0.2, 0.4],
        vec![0.1, 0.4, 0.2],
        vec![0.3, 1e6],
        vec![MIN_COUPLING, 1e308],
        vec![0.2, 0.2 + 1e-16, 0.3],
        vec![0.5, 1.0, 2.0, 4.0, 8.0],
    ];
    out.push((1..=MAX_REPLICAS).map(|i| i as f64 * 0.01).collect());
    out.push((1..=MAX_REPLICAS + 1).map(|i| i as f64 * 0.01).collect());
    out
}

fn exchange_fingerprint(e: &Exchange) -> (Vec<usize>, Vec<(u64, u64)>) {
    (e.replica_at().to_vec(), e.swap_counts())
}

fn is_permutation(p: &[usize]) -> bool {
    let mut q = p.to_vec();
    q.sort_unstable();
    q.iter().enumerate().all(|(i, &v)| i == v)
}

fn exchange_consistent(e: &Exchange) -> bool {
    let m = e.n_replicas();
    is_permutation(e.replica_at())
        && (0..m).all(|r| e.replica_at()[e.slot_of()[r]] == r)
        && (0..m).all(|s| e.energy(s).is_ok_and(f64::is_finite))
        && e.energy(m).is_err()
        && e.swap_counts().iter().all(|&(a, t)| a <= t)
        && e.acceptance_rates()
            .iter()
            .flatten()
            .all(|a| (0.0..=1.0).contains(a))
}

fn exchange_battery(sw: &mut Sweep, e: &Exchange, n: usize, rng: &mut ChaCha8Rng) {
    let m = e.n_replicas();
    let input = (e.betas().to_vec(), n);
    let mut t = e.clone();
    for _ in 0..2 {
        sw.probe(
            "Exchange::step",
            &input,
            || Ok((t.step(rng), t.clone())),
            |r| {
                matches!(r, Ok((pairs, u)) if exchange_consistent(u)
                    && pairs.iter().all(|&(p, _)| p + 1 < m)
                    && pairs.windows(2).all(|w| w[1].0 == w[0].0 + 2))
            },
        );
    }
    let max = usize::try_from(MAX_CHAIN_WORK / (m * n) as u64).unwrap_or(usize::MAX);
    for steps in [0, 2] {
        sw.probe(
            "Exchange::run",
            &(&input, steps),
            || t.run(rng, steps).map(|()| t.clone()),
            |r| matches!(r, Ok(u) if exchange_consistent(u)),
        );
    }
    for steps in [max + 1, usize::MAX] {
        let mut r2 = rng.clone();
        sw.probe(
            "Exchange::run",
            &(&input, steps),
            || guarded(&t, exchange_fingerprint, move |u| u.run(&mut r2, steps)),
            |r| too_large(r, "ステップ数", steps, max),
        );
    }
    let lists: [&[Observable]; 3] = [
        &[],
        &[Observable::Energy, Observable::Magnetization],
        &[Observable::Spin(n)],
    ];
    for obs in lists {
        for steps in [0, 3, MAX_SAMPLES + 1, usize::MAX] {
            let want = if steps == 0 || obs.is_empty() {
                Some(EMPTY)
            } else if !obs.iter().all(|&o| observable_ok(o, n)) {
                Some(INV)
            } else if steps > 3 {
                Some(BIG)
            } else {
                None
            };
            let owned = obs.to_vec();
            let mut r2 = rng.clone();
            sw.probe(
                "Exchange::record",
                &(&input, steps, obs),
                || {
                    guarded(&t, exchange_fingerprint, move |u| {
                        u.record(&mut r2, steps, &owned)
                    })
                },
                |r| {
                    expect(r, want, |tr| {
                        tr.len() == m
                            && tr.iter().all(|per| {
                                per.len() == obs.len()
                                    && per.iter().all(|s| {
                                        s.len() == steps && s.iter().all(|v| v.is_finite())
                                    })
                                    && per
                                        .get(1)
                                        .is_none_or(|m| m.iter().all(|v| v.abs() <= n as f64))
                            })
                    })
                },
            );
        }
    }
}

#[test]
fn sweep_exchange() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(1010);
    // 交換の確率: 4 つの引数に極端な値
    for &bi in &EXTREMES {
        for &ei in &EXTREMES {
            for &bj in &EXTREMES {
                for &ej in &EXTREMES {
                    let args = [bi, ei, bj, ej];
                    let bad = args.iter().position(|v| !v.is_finite());
                    sw.probe(
                        "exchange::swap_probability",
                        &args,
                        || swap_probability(bi, ei, bj, ej),
                        |r| match (r, bad) {
                            (Ok(p), None) => {
                                // 指数 (β_i − β_j)(E_i − E_j) の符号は比較で、大きさは指数を別に持つ数で正確に求める
                                let sign = |a: f64, b: f64| i32::from(a > b) - i32::from(a < b);
                                let mag = Big::new(bi)
                                    .sub(Big::new(bj))
                                    .mul(Big::new(ei).sub(Big::new(ej)));
                                let (db, de) = (bi - bj, ei - ej);
                                (0.0..=1.0).contains(p)
                                    && swap_probability(bj, ej, bi, ei) == Ok(*p)
                                    && if sign(bi, bj) * sign(ei, ej) >= 0 {
                                        *p == 1.0
                                    } else if mag.le(Big::new(1e-12)) {
                                        *p >= 1.0 - 2e-12
                                    } else if !mag.le(Big::new(800.0)) {
                                        *p <= 1e-300
                                    } else if (db * de).is_finite() {
                                        within(*p, (db * de).exp(), 1e-12)
                                    } else {
                                        *p > 0.0 && *p < 1.0
                                    }
                            }
                            (Err(Error::NonFinite { index, .. }), Some(i)) => *index == i,
                            _ => false,
                        },
                    );
                }
            }
        }
    }
    // 梯子の検査・等比の梯子・受理率をそろえた梯子
    let all = ladders();
    for b in &all {
        sw.probe(
            "exchange::check_ladder",
            &b.len(),
            || check_ladder(b),
            |r| {
                expect(r, ladder_error(b), |()| true)
                    && b.iter().position(|v| !v.is_finite()).is_none_or(|i| {
                        b[..i].iter().any(|&v| v <= 0.0)
                            || matches!(r, Err(Error::NonFinite { index, .. }) if *index == i)
                    })
            },
        );
    }
    let ends = [
        f64::NAN,
        -1.0,
        0.0,
        1e-320,
        MIN_COUPLING,
        1e-10,
        0.1,
        1.0,
        1e300,
        1e308,
        f64::INFINITY,
    ];
    let counts = [0, 1, 2, 3, 5, MAX_REPLICAS, MAX_REPLICAS + 1, usize::MAX];
    for &lo in &ends {
        for &hi in &ends {
            for &m in &counts {
                let want = ladder_error(&[lo, hi]).or(if m < 2 {
                    Some(INV)
                } else if m > MAX_REPLICAS {
                    Some(BIG)
                } else {
                    None
                });
                sw.probe(
                    "exchange::geometric_ladder",
                    &(lo, hi, m),
                    || geometric_ladder(lo, hi, m),
                    |r| match r {
                        Ok(b) => {
                            want.is_none()
                                && b.len() == m
                                && b[0] == lo
                                && b[m - 1] == hi
                                && check_ladder(b).is_ok()
                        }
                        // 丸めで隣が等しくなる（比が 1 に近すぎる）ときだけ、条件を満たす入力も断ってよい
                        Err(e) => {
                            Some(kind(e)) == want
                                || (want.is_none()
                                    && kind(e) == INV
                                    && (hi / lo).ln() < (m as f64) * 4.0 * f64::EPSILON)
                        }
                    },
                );
            }
        }
    }
    let g = ExactDensity::transfer_matrix(2).unwrap();
    let ends = [f64::NAN, -1.0, 1e-320, 0.1, 1.0, 1e308];
    for &lo in &ends {
        for &hi in &ends {
            for m in [0, 1, 2, 3, 4, MAX_REPLICAS + 1, usize::MAX] {
                let want = ladder_error(&[lo, hi]).or(if m < 2 {
                    Some(INV)
                } else if m > MAX_REPLICAS {
                    Some(BIG)
                } else {
                    None
                });
                let r = {
                    let g = g.clone();
                    bounded(2, move || acceptance_ladder(&g, lo, hi, m))
                };
                sw.probe(
                    "exchange::acceptance_ladder",
                    &(lo, hi, m),
                    || r.clone(),
                    |r| {
                        expect(r, want, |b| {
                            b.len() == m && b[0] == lo && b[m - 1] == hi && check_ladder(b).is_ok()
                        })
                    },
                );
            }
        }
    }
    // 交換モンテカルロ法: 極端なモデルと梯子
    let models = [
        Ising::zeros(1).unwrap(),
        Ising::new(array![0.3, -0.2], array![1.0]).unwrap(),
        Ising::new(array![0.0, 1e99, 0.0], array![0.0, -1e99, 1.0]).unwrap(),
        Ising::new(array![1e-320, 0.0, 0.0], array![0.5, 0.5, 0.5]).unwrap(),
    ];
    for model in &models {
        let n = model.n_spins();
        for b in &all {
            for (rule, scan) in [
                (Rule::Metropolis, Scan::Sequential),
                (Rule::HeatBath, Scan::Random),
            ] {
                let want = ladder_error(b);
                let l1m = l1(model);
                let r = Exchange::new(model, b, rule, scan, &mut rng);
                sw.probe(
                    "Exchange::new",
                    &(model.fields().to_vec(), b.len(), b.first(), b.last(), rule),
                    || r.clone().map(|e| e.betas().to_vec()),
                    |r| match (r, want) {
                        (Ok(betas), None) => betas == b,
                        // β 倍したモデルが Ising::new の条件（有限、Σ|θ| ≤ 1e100）を満たさない
                        (Err(e), None) => {
                            let top = b[b.len() - 1];
                            (kind(e) == NF && !(top * l1m).is_finite())
                                || (kind(e) == INV && top * l1m > 1e100 * (1.0 - 1e-12))
                        }
                        (Err(e), Some(w)) => kind(e) == w,
                        (Ok(_), Some(_)) => false,
                    },
                );
                if let Ok(e) = r {
                    if b.len() <= 5 {
                        exchange_battery(&mut sw, &e, n, &mut rng);
                    }
                }
            }
        }
    }
    // M N² が 2^28 を超える
    let big = Ising::zeros(513).unwrap();
    let b = &all[all.len() - 2];
    sw.probe(
        "Exchange::new",
        &(513, b.len()),
        || Exchange::new(&big, b, Rule::HeatBath, Scan::Random, &mut rng).map(|e| e.n_replicas()),
        |r| {
            too_large(
                r,
                "結合の行列の総数 M N²",
                513 * 513 * MAX_REPLICAS,
                genmodel::prec::MAX_STATES,
            )
        },
    );
    sw.finish(8, 30_646);
}
