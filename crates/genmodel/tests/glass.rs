//! 2 次元 `±J` スピングラス（`genmodel::boltzmann::lattice::glass`、第 6 章の準備）の検証。
//!
//! 基準はどれも `glass` の実装（グレイ符号の列挙、ウォルシュ–アダマール変換）とは独立に求める:
//!
//! - 結合 `βJ` の [`Ising`] の一般の列挙（`Ising::exact`、全 `2^N` 状態・全対の和）による `ln Z` と `⟨x_k x_l⟩`。
//! - 強磁性体（すべて `J = +1`）の、転送行列（`ExactDensity::transfer_matrix`）と全状態の列挙（`DensityOfStates`）。
//! - `⟨q²⟩` は、このファイルの中で 2 つのレプリカの組 `(x, y)` を `2^N × 2^N` 個すべて足して定義どおりに求める。
//!
//! 許容誤差: `ln Z` は相対 `1e-12`、相関は絶対 `1e-12`（変換の丸め誤差は `N ε ≈ 4e-15` の程度）、
//! `⟨q²⟩` は絶対 `1e-13`（組の和は `2^{2N}` 項の補正つきの和で、相対誤差は `1e-15` の程度）。

use genmodel::Error;
use genmodel::boltzmann::ising::Ising;
use genmodel::boltzmann::lattice::density::ExactDensity;
use genmodel::boltzmann::lattice::glass::{MAX_GLASS_SPINS, SpinGlass};
use genmodel::boltzmann::lattice::{DensityOfStates, kaufman};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn glass(lx: usize, ly: usize, seed: u64) -> SpinGlass {
    SpinGlass::random(lx, ly, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap()
}

/// 状態の番号 `s`（第 `k` ビットが 1 ⇔ `x_k = −1`）の配置。
fn spins(s: usize, n: usize) -> Vec<i8> {
    (0..n)
        .map(|k| if (s >> k) & 1 == 1 { -1 } else { 1 })
        .collect()
}

#[test]
fn glass_matches_general_ising_enumeration() {
    // 4 × 4（N = 16）の 3 つの結合の組、高温・中間・低温
    for seed in [1, 2, 3] {
        let g = glass(4, 4, seed);
        let exact = g.enumerate().unwrap();
        for beta in [0.2, 1.0, 2.5] {
            let m = g.ising(beta).unwrap().exact().unwrap();
            let lz = exact.density().log_z(beta).unwrap();
            assert!(
                (lz - m.log_z()).abs() <= 1e-12 * m.log_z().abs(),
                "seed {seed}, β = {beta}: ln Z {lz} vs {}",
                m.log_z()
            );
            let c = exact.correlations(beta).unwrap();
            let mut worst = 0.0f64;
            for k in 0..16 {
                for l in 0..16 {
                    let want = if k == l {
                        1.0
                    } else {
                        m.correlation(k, l).unwrap()
                    };
                    worst = worst.max((c[[k, l]] - want).abs());
                }
            }
            assert!(
                worst < 1e-12,
                "seed {seed}, β = {beta}: 相関の誤差 {worst:e}"
            );
        }
    }
}

#[test]
fn glass_overlap_identity_by_pair_enumeration() {
    // ⟨q²⟩ を 2 つのレプリカの組 (x, y) の全 2^{2N} 個の和で定義どおりに求め、(1/N²) Σ ⟨x_k x_l⟩² と比べる
    for (lx, ly, seed) in [(2, 3, 4), (3, 3, 5), (3, 3, 6)] {
        let g = glass(lx, ly, seed);
        let n = g.n_spins();
        let states: Vec<Vec<i8>> = (0..1usize << n).map(|s| spins(s, n)).collect();
        let energies: Vec<f64> = states.iter().map(|x| g.energy(x).unwrap() as f64).collect();
        let exact = g.enumerate().unwrap();
        for beta in [0.3, 1.0, 3.0] {
            let e0 = energies.iter().copied().fold(f64::INFINITY, f64::min);
            let w: Vec<f64> = energies.iter().map(|e| (-beta * (e - e0)).exp()).collect();
            let z: f64 = w.iter().sum();
            // 2^{2N} = 2^18 個の正の項: 素朴な和の誤差（最悪 2^18 ε ≈ 6e-11）を避けて補正つきの和にする
            let (mut q2, mut comp) = (0.0f64, 0.0f64);
            for (x, wx) in states.iter().zip(&w) {
                for (y, wy) in states.iter().zip(&w) {
                    let q: i32 = x.iter().zip(y).map(|(&a, &b)| i32::from(a * b)).sum();
                    let v = wx * wy * f64::from(q * q);
                    let t = q2 + v;
                    comp += if q2.abs() >= v.abs() {
                        (q2 - t) + v
                    } else {
                        (v - t) + q2
                    };
                    q2 = t;
                }
            }
            let q2 = (q2 + comp) / (z * z * (n * n) as f64);
            let got = exact.overlap_second_moment(beta).unwrap();
            assert!(
                (got - q2).abs() < 1e-13,
                "{lx}×{ly}, β = {beta}: {got} vs {q2}"
            );
        }
    }
}

#[test]
fn glass_density_counts_and_ferromagnet() {
    // Σ g = 2^N、二部グラフ（Lx, Ly が偶数）では副格子の反転で g(E) = g(−E)
    for seed in 0..4 {
        let d = glass(4, 4, seed).enumerate().unwrap();
        let d = d.density();
        assert_eq!(d.n_states(), 1 << 16);
        for &(e, c) in d.levels() {
            assert_eq!(d.degeneracy(-e), c, "seed {seed}, E = {e}");
        }
        // h = 0 なので全反転の対: 状態数はすべて偶数
        assert!(d.levels().iter().all(|&(_, c)| c % 2 == 0));
    }
    // 強磁性体: 転送行列・全状態の列挙（別の 2 つの実装）と一致する
    for side in 2..=4 {
        let f = SpinGlass::ferromagnet(side, side)
            .unwrap()
            .enumerate()
            .unwrap();
        assert_eq!(f.density(), &ExactDensity::transfer_matrix(side).unwrap());
        assert_eq!(
            f.density(),
            &ExactDensity::from(&DensityOfStates::enumerate(side).unwrap())
        );
    }
    // 長方形の強磁性体も ln Z を一般の列挙と比べる（転送行列は正方形だけ）
    let f = SpinGlass::ferromagnet(5, 4).unwrap();
    let lz = f.enumerate().unwrap().density().log_z(0.4).unwrap();
    let want = f.ising(0.4).unwrap().exact().unwrap().log_z();
    assert!((lz - want).abs() < 1e-12 * want);
    let sq = SpinGlass::ferromagnet(4, 4).unwrap().enumerate().unwrap();
    let k = kaufman::log_z(4, 0.4).unwrap();
    assert!((sq.density().log_z(0.4).unwrap() - k).abs() < 1e-12 * k);
}

#[test]
fn glass_energy_moments_match_derivatives_of_log_z() {
    // ⟨E⟩ = −d ln Z/dβ、Var E = d² ln Z/dβ²（中心差分、h = 1e-4。打ち切り誤差 h² ≈ 1e-8 の程度）
    let d = glass(5, 4, 1).enumerate().unwrap();
    let d = d.density();
    let h = 1e-4;
    for beta in [0.3, 1.0, 2.0] {
        let lz = |b: f64| d.log_z(b).unwrap();
        let (mean, var) = d.energy_moments(beta).unwrap();
        let d1 = (lz(beta + h) - lz(beta - h)) / (2.0 * h);
        let d2 = (lz(beta + h) - 2.0 * lz(beta) + lz(beta - h)) / (h * h);
        assert!((mean + d1).abs() < 1e-6, "β = {beta}: {mean} vs {}", -d1);
        assert!(
            (var - d2).abs() < 1e-3 * var.max(1.0),
            "β = {beta}: {var} vs {d2}"
        );
        let c = d.specific_heat(beta).unwrap();
        assert!((c - beta * beta * var).abs() < 1e-12 * c);
    }
}

#[test]
fn glass_couplings_are_fair_coins() {
    // 64 × 64 の 8192 本の結合: +1 の割合は 1/2 ± 4σ（σ = 0.5/√8192 = 0.0055）
    let g = glass(64, 64, 9);
    let plus = g.bonds().iter().filter(|&&(_, _, j)| j == 1).count() as f64;
    let frac = plus / g.bonds().len() as f64;
    assert!((frac - 0.5).abs() < 4.0 * 0.5 / 8192f64.sqrt(), "{frac}");
    // 結合の組み立て: 各スピンから右と下へ 1 本ずつ、端は周期境界で巻きつく
    let small = SpinGlass::ferromagnet(3, 2).unwrap();
    let ends: Vec<(usize, usize)> = small.bonds().iter().map(|&(k, l, _)| (k, l)).collect();
    assert_eq!(
        ends,
        vec![
            (0, 1),
            (0, 3),
            (1, 2),
            (1, 4),
            (2, 0),
            (2, 5),
            (3, 4),
            (3, 0),
            (4, 5),
            (4, 1),
            (5, 3),
            (5, 2)
        ]
    );
    // Ising モデルの結合: 2 × 2 の向きは同じ対を 2 本で結ぶので足し合わせる
    let m: Ising = SpinGlass::ferromagnet(3, 2).unwrap().ising(0.5).unwrap();
    assert_eq!(m.coupling(0, 3), Some(1.0));
    assert_eq!(m.coupling(0, 1), Some(0.5));
    assert_eq!(m.coupling(0, 4), Some(0.0));
}

#[test]
fn glass_rejects_bad_input() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    assert!(matches!(
        SpinGlass::random(1, 4, &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        SpinGlass::ferromagnet(4, 0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        SpinGlass::ferromagnet(65, 64),
        Err(Error::TooManySpins { n: 4160, .. })
    ));
    assert!(matches!(
        SpinGlass::ferromagnet(usize::MAX, 2),
        Err(Error::TooManySpins { .. })
    ));
    assert_eq!(
        SpinGlass::ferromagnet(5, 5).unwrap().enumerate().err(),
        Some(Error::TooManySpins {
            n: 25,
            max: MAX_GLASS_SPINS
        })
    );
    let g = glass(3, 3, 1);
    assert!(matches!(g.ising(0.0), Err(Error::InvalidParameter { .. })));
    assert!(matches!(g.ising(-1.0), Err(Error::InvalidParameter { .. })));
    assert!(matches!(g.ising(f64::NAN), Err(Error::NonFinite { .. })));
    assert!(matches!(
        g.ising(1e300),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        g.energy(&[1i8; 8]),
        Err(Error::DimensionMismatch {
            expected: 9,
            actual: 8
        })
    ));
    assert!(matches!(
        g.energy(&[1, 1, 1, 1, 0, 1, 1, 1, 1]),
        Err(Error::InvalidParameter { .. })
    ));
    let e = g.enumerate().unwrap();
    assert!(matches!(
        e.correlations(0.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        e.overlap_second_moment(f64::INFINITY),
        Err(Error::NonFinite { .. })
    ));
    // 非常に低い温度でも NaN を出さない（基底状態で割ってから指数をとる）
    let q2 = e.overlap_second_moment(1e300).unwrap();
    assert!(q2.is_finite() && q2 > 0.0 && q2 <= 1.0);
}
