//! 正方格子 `L × L` のトーラス上の Ising 強磁性体（`genmodel::boltzmann::lattice`、第 5 章の準備）の検証。
//!
//! 第 5 章はまだないので、テストの名前は `eq_*` ではなく `lattice_*` とする。基準は Kaufman の式の実装とは独立に求める:
//!
//! - 全 `2^{L²}` 状態の列挙（`DensityOfStates`、`L ≤ 4`）。状態の数は整数で厳密なので、丸め誤差しか入らない。
//! - このファイルの中で `f64` のまま素朴に書いた Kaufman の式（`Z` を直接作る。`L ≤ 4`、`K ≤ 2` ならあふれない）。
//!   `γ_0` の符号と前の因子 `½` の誤りが列挙とどれだけずれるかを示す。
//! - 高温展開・低温展開の最初の項、Onsager の無限の格子の値と、有限サイズの補正の既知の定数。
//! - `ln Z` の中心差分（微分が `ln Z` と整合していること）。
//!
//! 許容誤差（列挙との比較）: `ln Z` は相対 `1e-12`、`u` と `c` は絶対 `1e-10`。列挙の側は整数の状態数から
//! 高々 `4N + 1 = 65` 項の log-sum-exp で、誤差は相対 `ε` の数倍である。Kaufman の側は `2L` 項の対数の和と
//! 4 項の組み合わせで、実測の誤差は `ln Z` で相対 `7e-16`、`u` で `9e-16`、`c` で `2.3e-15` 以下である
//! （`u`、`c` の大きさは高々 2 と 1 の程度なので、絶対誤差で測る）。許容誤差はこれより 3–5 桁大きく、
//! 一方で式の誤り（`γ_0` の符号、因子 `½`、`(2 sinh 2K)^{N/2}` の指数）は `1e-2` 以上ずれる
//! （`lattice_naive_kaufman_sign_of_gamma0` で確かめる）。

use genmodel::Error;
use genmodel::boltzmann::lattice::{
    DensityOfStates, K_C, MAX_ENUMERATION_SIDE, MAX_SIDE, MIN_COUPLING, T_C, Thermodynamics,
    kaufman, onsager,
};
use std::f64::consts::{LN_2, PI, SQRT_2};
use std::sync::OnceLock;

/// 列挙との比較の許容誤差（根拠は冒頭のコメント）。
const LOG_Z_REL_TOL: f64 = 1e-12;
const DERIVATIVE_ABS_TOL: f64 = 1e-10;

/// `L = 1, …, 4` の状態密度（列挙は 1 回だけ）。
fn density(side: usize) -> &'static DensityOfStates {
    static CACHE: OnceLock<Vec<DensityOfStates>> = OnceLock::new();
    &CACHE.get_or_init(|| {
        (1..=MAX_ENUMERATION_SIDE)
            .map(|l| DensityOfStates::enumerate(l).unwrap())
            .collect()
    })[side - 1]
}

fn kauf(side: usize, coupling: f64) -> Thermodynamics {
    kaufman::thermodynamics(side, coupling).unwrap()
}

/// 比べる結合: 0.05 から 2 までの対数等間隔 60 点、臨界点とその両側、高温・低温の端。
fn couplings() -> Vec<f64> {
    let mut ks: Vec<f64> = (0..60)
        .map(|i| 0.05 * 40f64.powf(f64::from(i) / 59.0))
        .collect();
    ks.extend([
        K_C,
        K_C * (1.0 + 1e-9),
        K_C * (1.0 - 1e-9),
        K_C + 1e-15,
        K_C - 1e-15,
        0.44,
        0.441,
        MIN_COUPLING,
        1e-8,
        1e-3,
        3.0,
        5.0,
        10.0,
        20.0,
        50.0,
        1e3,
        1e6,
    ]);
    ks
}

#[test]
fn lattice_kaufman_matches_enumeration() {
    for side in 1..=MAX_ENUMERATION_SIDE {
        let g = density(side);
        for k in couplings() {
            let (a, b) = (kauf(side, k), g.thermodynamics(k).unwrap());
            let rel = (a.log_z() - b.log_z()).abs() / b.log_z();
            assert!(
                rel <= LOG_Z_REL_TOL,
                "L = {side}, K = {k}: ln Z の相対誤差 {rel:e}"
            );
            let du = (a.energy_per_spin() - b.energy_per_spin()).abs();
            assert!(
                du <= DERIVATIVE_ABS_TOL,
                "L = {side}, K = {k}: u の誤差 {du:e}"
            );
            let dc = (a.specific_heat_per_spin() - b.specific_heat_per_spin()).abs();
            assert!(
                dc <= DERIVATIVE_ABS_TOL,
                "L = {side}, K = {k}: c の誤差 {dc:e}"
            );
        }
    }
}

/// 素朴な Kaufman の式（`Z` を `f64` で直接作る）。`gamma0_sign = 1` が正しい `γ_0 = 2K + ln tanh K`、
/// `−1` はその符号を反転したもの（高温側で `|γ_0|` を使う誤りに当たる）、`half` は前の因子。
fn naive_kaufman(side: usize, k: f64, gamma0_sign: f64, half: f64) -> f64 {
    let l = side as f64;
    let gamma = |j: usize| {
        if j == 0 {
            gamma0_sign * (2.0 * k + k.tanh().ln())
        } else {
            ((2.0 * k).cosh() / (2.0 * k).tanh() - (PI * j as f64 / l).cos()).acosh()
        }
    };
    let (mut z1, mut z2, mut z3, mut z4) = (1.0, 1.0, 1.0, 1.0);
    for r in 0..side {
        let (odd, even) = (gamma(2 * r + 1), gamma(2 * r));
        z1 *= 2.0 * (l * odd / 2.0).cosh();
        z2 *= 2.0 * (l * odd / 2.0).sinh();
        z3 *= 2.0 * (l * even / 2.0).cosh();
        z4 *= 2.0 * (l * even / 2.0).sinh();
    }
    (half * (2.0 * (2.0 * k).sinh()).powf(l * l / 2.0) * (z1 + z2 + z3 + z4)).ln()
}

#[test]
fn lattice_naive_kaufman_sign_of_gamma0() {
    for side in 1..=MAX_ENUMERATION_SIDE {
        let g = density(side);
        for k in [0.05, 0.2, 0.3, 0.4, K_C, 0.5, 0.7, 1.0, 2.0] {
            let want = g.log_z(k).unwrap();
            // 正しい式は列挙と一致する（素朴な f64 の計算なので許容誤差は緩い）
            let right = naive_kaufman(side, k, 1.0, 0.5);
            assert!((right - want).abs() <= 1e-9 * want, "L = {side}, K = {k}");
            // 前の因子 ½ を落とすと ln 2 ずれる
            assert!((naive_kaufman(side, k, 1.0, 1.0) - want - LN_2).abs() < 1e-9 * want);
            // (2 sinh 2K)^{N/2} の指数を N にすると (N/2) ln(2 sinh 2K) ずれる（2 sinh 2K = 1 の K ≈ 0.24 の近く以外）
            let shift = (side * side) as f64 / 2.0 * (2.0 * (2.0 * k).sinh()).ln();
            assert!(shift.abs() > 1e-2, "K = {k}");
            assert!(((right + shift) - want).abs() > 1e-2);
            // γ_0 の符号を反転すると、臨界点より高温側（γ_0 < 0 を |γ_0| に）でも低温側でもずれる
            if (k - K_C).abs() > 0.05 {
                let wrong = naive_kaufman(side, k, -1.0, 0.5);
                assert!(
                    (wrong - want).abs() > 1e-2,
                    "L = {side}, K = {k}: {wrong} と {want}"
                );
            }
        }
    }
    // γ_0 = 2K + ln tanh K は高温側（K < K_c）で負、臨界点で 0、低温側で正
    let gamma0 = |k: f64| 2.0 * k + k.tanh().ln();
    assert!(gamma0(0.3) < 0.0 && gamma0(0.6) > 0.0 && gamma0(K_C).abs() < 1e-15);
}

#[test]
fn lattice_density_of_states() {
    for side in 1..=MAX_ENUMERATION_SIDE {
        let g = density(side);
        let n = side * side;
        let levels = g.levels();
        assert_eq!(levels.iter().map(|&(_, c)| c).sum::<u64>(), 1 << n);
        // 基底状態は全部そろった 2 状態で、E = −2N
        assert_eq!(levels[0], (-2 * n as i64, 2));
        // 全スピンの反転で g は偶数
        assert!(levels.iter().all(|&(_, c)| c % 2 == 0));
        for &(e, c) in &levels {
            assert_eq!(g.degeneracy(e), c);
        }
    }
    // L ≥ 3 では 1 スピンの反転（4 本の結合が切れる）が最初の励起: ΔE = 8 に 2N 状態
    for side in [3, 4] {
        let n = (side * side) as i64;
        assert_eq!(density(side).levels()[1], (-2 * n + 8, 2 * n as u64));
    }
    // 偶数の L は 2 部グラフなので、副格子のスピンを反転すると E → −E（g(E) = g(−E)）
    for side in [2, 4] {
        let g = density(side);
        assert!(g.levels().iter().all(|&(e, c)| g.degeneracy(-e) == c));
    }
}

#[test]
fn lattice_high_temperature_expansion() {
    // Z = 2^N cosh^{2N} K Σ_{閉じたグラフ} tanh^{結合の数} K。L ≥ 5 では最小の閉路は N 個の正方形（4 本）で、
    // ln Z = N ln 2 + 2N ln cosh K + N (t⁴ + 2t⁶ + …)、t = tanh K
    for side in [8, 16, 64] {
        let n = (side * side) as f64;
        for k in [1e-2f64, 3e-3] {
            let t = k.tanh();
            let base = n * LN_2 + 2.0 * n * k.cosh().ln();
            let lz = kaufman::log_z(side, k).unwrap();
            let ratio = (lz - base) / (n * t.powi(4));
            assert!(
                (ratio - 1.0 - 2.0 * t * t).abs() < 1e-5,
                "L = {side}, K = {k}: {ratio}"
            );
        }
        // 極限 K → 0 では ln Z → N ln 2
        let lz = kaufman::log_z(side, 1e-9).unwrap();
        assert!((lz - n * LN_2).abs() < 1e-12 * lz);
    }
    // L = 3 では長さ 3 の、トーラスを 1 周する閉路 2L = 6 本が正方形より先に効く: ln Z − base ≈ 6t³
    let k = 1e-3f64;
    let t = k.tanh();
    let base = 9.0 * LN_2 + 18.0 * k.cosh().ln();
    let ratio = (kaufman::log_z(3, k).unwrap() - base) / (6.0 * t.powi(3));
    assert!((ratio - 1.0).abs() < 3.0 * t, "{ratio}");
}

#[test]
fn lattice_low_temperature_expansion() {
    // ln Z = 2NK + ln 2 + N e^{−8K}(1 + 2e^{−4K} + …)（1 スピンの反転 ΔE = 8、隣り合う 2 スピン ΔE = 12）
    for side in [4, 8] {
        let n = (side * side) as f64;
        let k = 2.0f64;
        let lz = kaufman::log_z(side, k).unwrap();
        let ratio = (lz - 2.0 * n * k - LN_2) / (n * (-8.0 * k).exp());
        assert!(
            (ratio - 1.0 - 2.0 * (-4.0 * k).exp()).abs() < 1e-5,
            "L = {side}: {ratio}"
        );
    }
    // 十分に低温では基底状態の 2 状態だけ: ln Z = 2NK + ln 2、u = −2、c = 0
    for side in [1, 2, 3, 7, 64, 1000] {
        let n = (side * side) as f64;
        for k in [20.0, 50.0, 1e3, 1e6] {
            let t = kauf(side, k);
            let want = 2.0 * n * k + LN_2;
            assert!(
                (t.log_z() - want).abs() <= 1e-15 * want,
                "L = {side}, K = {k}"
            );
            assert_eq!(t.energy_per_spin(), -2.0);
            // c ≈ 64 K² e^{−8K} は 1e-60 より小さい。計算の丸め誤差は ε K² e^{−2K} の程度で、それも 1e-26 以下
            assert!(t.specific_heat_per_spin() < 1e-26);
        }
    }
}

/// 比熱の山の温度と高さ（黄金分割法で `T ∈ [1.8, 3.2]` の最大を探す）。
fn specific_heat_peak(side: usize) -> (f64, f64) {
    let c = |t: f64| kauf(side, 1.0 / t).specific_heat_per_spin();
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (1.8f64, 3.2f64);
    for _ in 0..60 {
        let (x1, x2) = (b - g * (b - a), a + g * (b - a));
        if c(x1) > c(x2) {
            b = x2;
        } else {
            a = x1;
        }
    }
    let t = (a + b) / 2.0;
    (t, c(t))
}

#[test]
fn lattice_specific_heat_peak_near_tc_grows_with_l() {
    // 無限の格子では c ≈ −(8/π) K_c² ln|1 − T/T_c| と対数的に発散する。有限の格子の山の高さは
    // ln L のように増え、L を倍にするごとの増分は (8/π) K_c² ln 2 ≈ 0.3428 に近づく。
    // 山の温度は T_c より上にあり、(T_peak/T_c − 1) L は 0.36 程度（Ferdinand–Fisher の 0.3603）に近づく。
    let increment = 8.0 / PI * K_C * K_C * LN_2;
    let peaks: Vec<(usize, f64, f64)> = [4, 8, 16, 32, 64]
        .into_iter()
        .map(|l| {
            let (t, c) = specific_heat_peak(l);
            (l, t, c)
        })
        .collect();
    for w in peaks.windows(2) {
        let ((l0, t0, c0), (l1, t1, c1)) = (w[0], w[1]);
        assert!(c1 > c0 && t1 < t0 && t1 > T_C, "L = {l0} → {l1}");
        if l0 >= 16 {
            assert!(
                ((c1 - c0) / increment - 1.0).abs() < 0.05,
                "L = {l0} → {l1}: 増分 {}",
                c1 - c0
            );
        }
    }
    for &(l, t, c) in &peaks {
        let shift = (t / T_C - 1.0) * l as f64;
        assert!(shift > 0.25 && shift < 0.3603, "L = {l}: {shift}");
        if l >= 16 {
            assert!((shift - 0.3603).abs() < 0.025, "L = {l}: {shift}");
        }
        // 山の高さは臨界点での値より少しだけ高い
        let at_tc = kauf(l, K_C).specific_heat_per_spin();
        assert!(c >= at_tc && c - at_tc < 0.1 * c, "L = {l}");
    }
}

#[test]
fn lattice_converges_to_onsager() {
    let f_inf = |k: f64| onsager::log_z_per_spin(k).unwrap();
    let u_inf = |k: f64| onsager::energy_per_spin(k).unwrap();
    // 臨界点から離れると差は L について指数関数的に小さい。低温側（T = 2）では、秩序のある 2 状態のぶん
    // ln Z に ln 2 が残る（1 スピンあたり ln 2 / N）
    for (k, offset) in [(0.5, LN_2), (1.0 / 3.0, 0.0)] {
        let t = kauf(64, k);
        let n = 4096.0;
        assert!((t.log_z() - n * f_inf(k) - offset).abs() < 1e-9, "K = {k}");
        assert!((t.energy_per_spin() - u_inf(k)).abs() < 1e-12, "K = {k}");
    }
    // 臨界点: u_L = −√2 + a/L + …（a ≈ −0.6224）、N(ln Z/N − f_∞) → ln[(θ_2 + θ_3 + θ_4)/(2η)]（τ = i）
    let scaled_u = |l: usize| l as f64 * (kauf(l, K_C).energy_per_spin() + SQRT_2);
    let scaled_f = |l: usize| {
        let t = kauf(l, K_C);
        t.log_z() - (l * l) as f64 * f_inf(K_C)
    };
    // K_C は真の K_c より 1.1e-17 大きく、u_∞ の傾きは臨界点で対数的に発散するので −√2 − 1.1e-15 になる（多倍長で確認）
    assert!((onsager::energy_per_spin(K_C).unwrap() + SQRT_2).abs() < 2e-15);
    assert!((scaled_u(256) - scaled_u(128)).abs() < 1e-4);
    assert!((scaled_u(256) + 0.6224).abs() < 1e-3);
    // 定数 0.6399119471916226 はテータ関数から多倍長で求めた
    let theta_constant = 0.639_911_947_191_622_6;
    assert!((scaled_f(64) - theta_constant).abs() < 1e-4);
    assert!((scaled_f(256) - theta_constant).abs() < 2e-6);
    // 無限の格子のエネルギーは温度とともに増え（比熱が正）、−2 と 0 の間にある
    let mut prev = -2.0;
    for i in 1..200 {
        let t = 0.05 * f64::from(i);
        let u = u_inf(1.0 / t);
        assert!(u >= prev && u <= 0.0, "T = {t}");
        prev = u;
    }
}

#[test]
fn lattice_finite_differences_agree_with_exact_derivatives() {
    // 中心差分の誤差は、打ち切り h² (ln Z)'''/6 と丸め ε |ln Z| / h の和。1 スピンあたり（N で割る）で
    // u は h = 1e-5 で打ち切り 5e-9（L = 64 の臨界点）と丸め 2e-11、c は h = 1e-4 で打ち切り 1.2e-5 と丸め 2e-8 の程度。
    // 許容誤差はその数倍で、解析的な微分（誤差 1e-15 の程度）の方が 7 桁ほど正確である。
    for side in [4, 16, 64] {
        let n = (side * side) as f64;
        let f = |k: f64| kaufman::log_z(side, k).unwrap();
        for k in [0.3, K_C, 0.5, 1.0] {
            let t = kauf(side, k);
            let h = 1e-5;
            let u = -(f(k + h) - f(k - h)) / (2.0 * h * n);
            assert!(
                (u - t.energy_per_spin()).abs() < 2e-8,
                "L = {side}, K = {k}"
            );
            let h = 1e-4;
            let c = k * k * (f(k + h) - 2.0 * f(k) + f(k - h)) / (h * h * n);
            assert!(
                (c - t.specific_heat_per_spin()).abs() < 5e-5,
                "L = {side}, K = {k}"
            );
        }
    }
}

#[test]
fn lattice_bounds_hold_over_all_temperatures() {
    // Z ≥ 2^N（Jensen）、Z ≥ 2e^{2NK}（基底状態）、−2 ≤ u ≤ 0、c ≥ 0、u は K について減る
    for side in [1, 2, 5, 7, 64, 513] {
        let n = (side * side) as f64;
        let mut prev_u = 0.0;
        for i in 0..=80 {
            let k = 10f64.powf(-100.0 + f64::from(i) * 400.0 / 80.0);
            if k > 1e300 {
                break;
            }
            let t = kauf(side, k);
            let lower = (n * LN_2).max(2.0 * n * k + LN_2);
            assert!(t.log_z() >= lower * (1.0 - 1e-15), "L = {side}, K = {k}");
            let u = t.energy_per_spin();
            assert!(
                (-2.0..=1e-15).contains(&u) && u <= prev_u + 1e-15,
                "L = {side}, K = {k}"
            );
            assert!(t.specific_heat_per_spin() >= 0.0, "L = {side}, K = {k}");
            prev_u = u;
        }
    }
    // 一辺の上限ちょうど（L² ≈ 4.3 × 10⁹ スピン）でも臨界点で有限
    let t = kauf(MAX_SIDE, K_C);
    assert!((t.energy_per_spin() + SQRT_2).abs() < 2e-5);
    assert!(t.specific_heat_per_spin() > 5.0 && t.specific_heat_per_spin() < 6.0);
}

#[test]
fn lattice_rejects_bad_input() {
    // 一辺
    assert!(matches!(
        kaufman::log_z(0, 0.3),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        DensityOfStates::enumerate(0),
        Err(Error::InvalidParameter { .. })
    ));
    assert_eq!(
        kaufman::log_z(MAX_SIDE + 1, 0.3),
        Err(Error::TooLarge {
            what: "Kaufman の式の一辺の長さ L",
            requested: MAX_SIDE + 1,
            max: MAX_SIDE
        })
    );
    assert!(matches!(
        kaufman::log_z(usize::MAX, 0.3),
        Err(Error::TooLarge { .. })
    ));
    assert_eq!(
        DensityOfStates::enumerate(5),
        Err(Error::TooManySpins { n: 25, max: 16 })
    );
    assert!(matches!(
        DensityOfStates::enumerate(usize::MAX),
        Err(Error::TooManySpins { .. })
    ));
    // 結合
    let g = density(2);
    for k in [0.0, -0.0, -0.5, MIN_COUPLING / 2.0, f64::MIN_POSITIVE] {
        assert!(
            matches!(kaufman::log_z(4, k), Err(Error::InvalidParameter { .. })),
            "{k}"
        );
        assert!(
            matches!(g.log_z(k), Err(Error::InvalidParameter { .. })),
            "{k}"
        );
        assert!(matches!(
            onsager::log_z_per_spin(k),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            onsager::energy_per_spin(k),
            Err(Error::InvalidParameter { .. })
        ));
    }
    for k in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(kaufman::log_z(4, k), Err(Error::NonFinite { .. })));
        assert!(matches!(g.thermodynamics(k), Err(Error::NonFinite { .. })));
        assert!(matches!(
            onsager::energy_per_spin(k),
            Err(Error::NonFinite { .. })
        ));
    }
    // ln Z ≈ 2NK が f64 を超える
    assert!(matches!(
        kaufman::log_z(1000, 1e303),
        Err(Error::Overflow { .. })
    ));
    assert!(matches!(
        kaufman::log_z(1, f64::MAX),
        Err(Error::Overflow { .. })
    ));
    assert!(matches!(g.log_z(1e308), Err(Error::Overflow { .. })));
    assert!(matches!(
        onsager::log_z_per_spin(f64::MAX),
        Err(Error::Overflow { .. })
    ));
    assert_eq!(onsager::energy_per_spin(f64::MAX), Ok(-2.0));
    // 下限ちょうどは受け付け、高温の極限の値になる
    let t = kauf(16, MIN_COUPLING);
    assert!((t.log_z() - 256.0 * LN_2).abs() < 1e-12 && t.energy_per_spin().abs() < 1e-15);
}
