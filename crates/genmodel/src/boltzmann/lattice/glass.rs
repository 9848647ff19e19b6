//! 2 次元 `±J` スピングラス: `Lx × Ly` のトーラスの最近接の結合 `J_ij = ±1`（等確率、シードつき）と、
//! `N ≤ 24` の全状態の列挙による厳密な状態密度・相関・重なりの 2 次モーメント。
//!
//! エネルギーは `E(x) = −Σ_{⟨ij⟩} J_ij x_i x_j`（`2N` 本の結合、磁場なし）で、逆温度 `β` のボルツマン分布は
//! `q_β(x) ∝ exp(−βE(x))`、すなわち結合 `β J_ij` の [`Ising`]（`h = 0`）である（[`SpinGlass::ising`]）。
//! すべての `J_ij = +1` にすると強磁性体になる（[`SpinGlass::ferromagnet`]）。
//!
//! # 重なり
//!
//! 同じ結合で独立な 2 つのレプリカ `x^{(1)}, x^{(2)} ∼ q_β` の重なり `q = (1/N) Σ_k x_k^{(1)} x_k^{(2)}` の 2 次モーメントは、
//! 2 つのレプリカが独立なので
//!
//! ```text
//! ⟨q²⟩ = (1/N²) Σ_{k,l} ⟨x_k^{(1)} x_l^{(1)} x_k^{(2)} x_l^{(2)}⟩ = (1/N²) Σ_{k,l} ⟨x_k x_l⟩²
//! ```
//!
//! である（`k = l` の `N` 項は 1）。相関 `⟨x_k x_l⟩` はボルツマンの重み `w(s)` のウォルシュ–アダマール変換
//! `Ŵ(m) = Σ_s w(s) Π_{k ∈ m} x_k` の `|m| = 2` の成分なので、`2^{N−1}` 状態（`h = 0` の全反転の対称で `x_{N−1} = +1` に固定）の
//! 高速変換 `O(N 2^N)` で一度に求まる。
//!
//! # 大きさ
//!
//! | 上限 | 値 | 超えたとき |
//! |---|---|---|
//! | 一辺 `Lx`, `Ly` の下限 | 2（`L = 2` では同じ対を 2 本の結合で結ぶ） | [`Error::InvalidParameter`] |
//! | スピン数 `N = Lx·Ly`（モデルを作る） | [`MAX_MODEL_SPINS`] = 4096 | [`Error::TooManySpins`] |
//! | 列挙のスピン数 [`MAX_GLASS_SPINS`] | 24（`2^23` 状態、相関の変換に 64 MiB） | [`Error::TooManySpins`] |

use super::density::{ExactDensity, check_beta};
use crate::boltzmann::ising::{Ising, MAX_MODEL_SPINS, pair_index};
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix1};
use rand::Rng;

/// 全状態を列挙するスピン数の上限 24（`x_{N−1} = +1` に固定した `2^{23}` 状態）。
///
/// 相関の変換は `2^{N−1}` 個の `f64`（`N = 24` で 64 MiB）を使う。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::glass::{SpinGlass, MAX_GLASS_SPINS}, Error};
///
/// assert_eq!(MAX_GLASS_SPINS, 24);
/// let big = SpinGlass::ferromagnet(5, 5)?;
/// assert_eq!(big.enumerate().err(), Some(Error::TooManySpins { n: 25, max: 24 }));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_GLASS_SPINS: usize = 24;

/// `Lx × Ly` のトーラスの `±J` 結合。スピン `(i, j)`（行 `i < Ly`、列 `j < Lx`）の番号は `i·Lx + j`。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::glass::SpinGlass;
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let glass = SpinGlass::random(4, 3, &mut rng)?;
/// assert_eq!((glass.n_spins(), glass.bonds().len()), (12, 24));
/// // 全部そろった配置のエネルギーは −Σ J
/// let sum_j: i64 = glass.bonds().iter().map(|&(_, _, j)| i64::from(j)).sum();
/// assert_eq!(glass.energy(&[1; 12])?, -sum_j);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinGlass {
    lx: usize,
    ly: usize,
    /// `(k, l, J_kl)`: 各スピンから右、下への順に `2N` 本。
    bonds: Vec<(usize, usize, i8)>,
}

impl SpinGlass {
    /// 結合 `J = ±1` を等確率で引く（右の結合、下の結合の順にスピンごとに 1 回ずつ `rng` を使う）。
    ///
    /// # Errors
    ///
    /// `Lx < 2` か `Ly < 2` なら [`Error::InvalidParameter`]、`Lx·Ly > MAX_MODEL_SPINS` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::lattice::glass::SpinGlass, Error};
    /// use rand::SeedableRng;
    ///
    /// let seeded = |s| SpinGlass::random(5, 4, &mut rand_chacha::ChaCha8Rng::seed_from_u64(s));
    /// assert_eq!(seeded(7)?, seeded(7)?); // 同じシードなら同じ結合
    /// assert_ne!(seeded(7)?, seeded(8)?);
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// assert!(matches!(SpinGlass::random(1, 4, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(SpinGlass::random(100, 100, &mut rng), Err(Error::TooManySpins { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn random<R: Rng + ?Sized>(lx: usize, ly: usize, rng: &mut R) -> Result<Self> {
        Self::build(lx, ly, |_| if rng.random::<bool>() { 1 } else { -1 })
    }

    /// すべての結合が `J = +1` の強磁性体（`Lx = Ly = L` なら [`super::kaufman`] のトーラス）。
    ///
    /// # Errors
    ///
    /// [`SpinGlass::random`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::{glass::SpinGlass, kaufman};
    ///
    /// // 4 × 4 の強磁性体: 列挙の ln Z は Kaufman の式に一致する
    /// let exact = SpinGlass::ferromagnet(4, 4)?.enumerate()?;
    /// let (a, b) = (exact.density().log_z(0.4)?, kaufman::log_z(4, 0.4)?);
    /// assert!((a - b).abs() < 1e-13 * b);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ferromagnet(lx: usize, ly: usize) -> Result<Self> {
        Self::build(lx, ly, |_| 1)
    }

    /// 結合ごとに `coupling(番号)` を呼んで作る（番号は [`SpinGlass::bonds`] の順）。
    fn build(lx: usize, ly: usize, mut coupling: impl FnMut(usize) -> i8) -> Result<Self> {
        for (name, side) in [("列の数 Lx", lx), ("行の数 Ly", ly)] {
            if side < 2 {
                return Err(Error::InvalidParameter {
                    name,
                    value: side as f64,
                    requirement: "2 以上",
                });
            }
        }
        let n = lx.saturating_mul(ly);
        if n > MAX_MODEL_SPINS {
            return Err(Error::TooManySpins {
                n,
                max: MAX_MODEL_SPINS,
            });
        }
        let mut bonds = Vec::with_capacity(2 * n);
        for i in 0..ly {
            for j in 0..lx {
                let k = i * lx + j;
                for l in [i * lx + (j + 1) % lx, ((i + 1) % ly) * lx + j] {
                    let id = bonds.len();
                    bonds.push((k, l, coupling(id)));
                }
            }
        }
        Ok(Self { lx, ly, bonds })
    }

    /// 列の数 `Lx`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::glass::SpinGlass::ferromagnet(5, 4)?.lx(), 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn lx(&self) -> usize {
        self.lx
    }

    /// 行の数 `Ly`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::glass::SpinGlass::ferromagnet(5, 4)?.ly(), 4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ly(&self) -> usize {
        self.ly
    }

    /// スピン数 `N = Lx·Ly`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::boltzmann::lattice::glass::SpinGlass::ferromagnet(5, 4)?.n_spins(), 20);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.lx * self.ly
    }

    /// 結合 `(k, l, J_kl)` の並び（スピン `k` ごとに右、下の順、`2N` 本）。
    ///
    /// # Examples
    ///
    /// ```
    /// let g = genmodel::boltzmann::lattice::glass::SpinGlass::ferromagnet(3, 2)?;
    /// assert_eq!(&g.bonds()[..2], &[(0, 1, 1), (0, 3, 1)]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn bonds(&self) -> &[(usize, usize, i8)] {
        &self.bonds
    }

    /// エネルギー `E(x) = −Σ_{⟨ij⟩} J_ij x_i x_j`（整数）。
    ///
    /// # Errors
    ///
    /// 長さが `N` でなければ [`Error::DimensionMismatch`]、`±1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    ///
    /// let g = SpinGlass::ferromagnet(3, 3)?;
    /// let mut x = [1i8; 9];
    /// assert_eq!(g.energy(&x)?, -18);
    /// x[4] = -1; // 1 スピンの反転で 4 本の結合が切れる
    /// assert_eq!(g.energy(&x)?, -10);
    /// assert!(g.energy(&x[..8]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy<'a>(&self, x: impl AsArray<'a, i8, Ix1>) -> Result<i64> {
        let x: ArrayView1<'a, i8> = x.into();
        let n = self.n_spins();
        if x.len() != n {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: x.len(),
            });
        }
        if let Some(&v) = x.iter().find(|&&v| v != 1 && v != -1) {
            return Err(Error::InvalidParameter {
                name: "スピン",
                value: f64::from(v),
                requirement: "−1 か 1",
            });
        }
        Ok(-self
            .bonds
            .iter()
            .map(|&(k, l, j)| i64::from(j * x[k] * x[l]))
            .sum::<i64>())
    }

    /// 逆温度 `β` のボルツマン分布 `q_β ∝ exp(−βE)` を、結合 `β J_kl` の [`Ising`]（`h = 0`）として作る。
    ///
    /// `L = 2` の向きで同じ対を結ぶ 2 本の結合は足し合わせる。
    ///
    /// # Errors
    ///
    /// `β` が有限でなければ [`Error::NonFinite`]、`β ≤ 0` なら [`Error::InvalidParameter`]、
    /// [`Ising::new`] の条件（`Σ|θ| ≤ 1e100`）を満たさなければその誤り。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    /// use rand::SeedableRng;
    ///
    /// let glass = SpinGlass::random(3, 3, &mut rand_chacha::ChaCha8Rng::seed_from_u64(2))?;
    /// let model = glass.ising(0.7)?;
    /// let x = [1i8, -1, 1, 1, 1, -1, -1, 1, 1];
    /// assert!((model.energy(&x)? - 0.7 * glass.energy(&x)? as f64).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ising(&self, beta: f64) -> Result<Ising> {
        check_beta(beta)?;
        let n = self.n_spins();
        let mut j = Array1::zeros(n * (n - 1) / 2);
        for &(k, l, c) in &self.bonds {
            if let Some(p) = pair_index(n, k, l) {
                j[p] += beta * f64::from(c);
            }
        }
        Ising::new(Array1::zeros(n), j)
    }

    /// 全状態を列挙する（グレイ符号で 1 スピンずつ反転し、整数の局所場でエネルギーを `O(1)` で更新する）。
    ///
    /// # Errors
    ///
    /// `N > MAX_GLASS_SPINS` なら [`Error::TooManySpins`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    /// use rand::SeedableRng;
    ///
    /// let glass = SpinGlass::random(4, 4, &mut rand_chacha::ChaCha8Rng::seed_from_u64(3))?;
    /// let exact = glass.enumerate()?;
    /// assert_eq!(exact.density().n_states(), 1 << 16);
    /// // 相関は結合 βJ の Ising モデルの列挙（別の実装）と一致する
    /// let (c, m) = (exact.correlations(0.5)?, glass.ising(0.5)?.exact()?);
    /// assert!((c[[0, 5]] - m.correlation(0, 5).unwrap()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn enumerate(&self) -> Result<GlassEnumeration> {
        let n = self.n_spins();
        if n > MAX_GLASS_SPINS {
            return Err(Error::TooManySpins {
                n,
                max: MAX_GLASS_SPINS,
            });
        }
        let mut neighbors: Vec<Vec<(usize, i32)>> = vec![Vec::new(); n];
        for &(k, l, j) in &self.bonds {
            neighbors[k].push((l, i32::from(j)));
            neighbors[l].push((k, i32::from(j)));
        }
        // 状態 s の第 k ビットが 1 ⇔ x_k = −1。x_{N−1} = +1 の半分だけ（h = 0 なので全反転で同じ重み）
        let half = 1usize << (n - 1);
        let mut x = vec![1i32; n];
        let mut field: Vec<i32> = neighbors
            .iter()
            .map(|nb| nb.iter().map(|&(_, j)| j).sum())
            .collect();
        let mut e: i32 = -(self
            .bonds
            .iter()
            .map(|&(_, _, j)| i32::from(j))
            .sum::<i32>());
        let mut energies = vec![0i8; half];
        let mut state = 0usize;
        for t in 0..half {
            if t > 0 {
                let k = t.trailing_zeros() as usize;
                e += 2 * x[k] * field[k];
                for &(l, j) in &neighbors[k] {
                    field[l] -= 2 * j * x[k];
                }
                x[k] = -x[k];
                state ^= 1 << k;
            }
            // |E| ≤ 2N ≤ 48 なので i8 に収まる
            energies[state] = e as i8;
        }
        let e_min = i64::from(*energies.iter().min().unwrap_or(&0));
        let e_max = i64::from(*energies.iter().max().unwrap_or(&0));
        let mut counts = vec![0u128; (e_max - e_min + 1) as usize];
        for &v in &energies {
            counts[(i64::from(v) - e_min) as usize] += 2;
        }
        let levels = counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(i, &c)| (e_min + i as i64, c))
            .collect();
        Ok(GlassEnumeration {
            n,
            energies,
            density: ExactDensity::from_levels(levels)?,
        })
    }
}

/// `N ≤ 24` のスピングラスの全状態の列挙: 状態密度と、逆温度ごとの相関・重なりの 2 次モーメント。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::lattice::glass::SpinGlass;
///
/// // 3 × 3 の強磁性体: 低温では ⟨q²⟩ → 1（2 つのレプリカはともに全部そろい、q = ±1）
/// let exact = SpinGlass::ferromagnet(3, 3)?.enumerate()?;
/// assert!((exact.overlap_second_moment(20.0)? - 1.0).abs() < 1e-12);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GlassEnumeration {
    n: usize,
    /// `x_{N−1} = +1` の状態 `s < 2^{N−1}` のエネルギー。
    energies: Vec<i8>,
    density: ExactDensity,
}

impl GlassEnumeration {
    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    /// assert_eq!(SpinGlass::ferromagnet(2, 3)?.enumerate()?.n_spins(), 6);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.n
    }

    /// 状態密度 `g(E)`（`⟨E⟩`・比熱 `β² Var(E)`・交換の受理率はここから求める）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    /// use rand::SeedableRng;
    ///
    /// let glass = SpinGlass::random(4, 3, &mut rand_chacha::ChaCha8Rng::seed_from_u64(5))?;
    /// let g = glass.enumerate()?;
    /// let (mean, var) = g.density().energy_moments(1.0)?;
    /// assert!(mean < 0.0 && var > 0.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn density(&self) -> &ExactDensity {
        &self.density
    }

    /// 相関 `⟨x_k x_l⟩_β` の `N × N` 行列（対角は 1。モジュールの説明の高速ウォルシュ–アダマール変換）。
    ///
    /// 重みは `exp(−β(E − E_0)) ≤ 1`（`E_0` は基底状態）で、変換の和と差の丸め誤差は `⟨x_k x_l⟩` で
    /// 絶対 `N ε` の程度である。
    ///
    /// # Errors
    ///
    /// `β` が有限でなければ [`Error::NonFinite`]、`β ≤ 0` なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    ///
    /// // 2 × 2 の強磁性体（隣どうしを 2 本ずつ）の ⟨x_0 x_1⟩ を Z = 2e^{8β} + 12 + 2e^{−8β} で書く
    /// let c = SpinGlass::ferromagnet(2, 2)?.enumerate()?.correlations(0.2)?;
    /// let (a, b) = ((8.0f64 * 0.2).exp(), (-8.0f64 * 0.2).exp());
    /// assert!((c[[0, 1]] - (2.0 * a - 2.0 * b) / (2.0 * a + 12.0 + 2.0 * b)).abs() < 1e-15);
    /// assert_eq!(c[[2, 2]], 1.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn correlations(&self, beta: f64) -> Result<Array2<f64>> {
        check_beta(beta)?;
        let n = self.n;
        let e0 = self.density.ground_energy();
        let e1 = self.density.levels().last().map_or(e0, |&(e, _)| e);
        let table: Vec<f64> = (e0..=e1).map(|e| (-beta * (e - e0) as f64).exp()).collect();
        let mut w: Vec<f64> = self
            .energies
            .iter()
            .map(|&e| table[(i64::from(e) - e0) as usize])
            .collect();
        walsh_hadamard(&mut w);
        let z = w[0];
        let mut c = Array2::from_elem((n, n), 1.0);
        for k in 0..n {
            for l in k + 1..n {
                // x_{N−1} = +1 に固定したので、l = N−1 の積は x_k だけのパリティ
                let mask = if l == n - 1 {
                    1 << k
                } else {
                    (1 << k) | (1 << l)
                };
                let v = w[mask] / z;
                c[[k, l]] = v;
                c[[l, k]] = v;
            }
        }
        Ok(c)
    }

    /// 独立な 2 つのレプリカの重なり `q = (1/N) Σ_k x_k^{(1)} x_k^{(2)}` の 2 次モーメント
    /// `⟨q²⟩_β = (1/N²) Σ_{k,l} ⟨x_k x_l⟩_β²`。
    ///
    /// # Errors
    ///
    /// [`GlassEnumeration::correlations`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::lattice::glass::SpinGlass;
    ///
    /// // 高温ではスピンがほぼ独立で ⟨q²⟩ → 1/N
    /// let exact = SpinGlass::ferromagnet(4, 4)?.enumerate()?;
    /// assert!((exact.overlap_second_moment(1e-9)? - 1.0 / 16.0).abs() < 1e-8);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn overlap_second_moment(&self, beta: f64) -> Result<f64> {
        let c = self.correlations(beta)?;
        let n = self.n as f64;
        Ok(c.iter().map(|v| v * v).sum::<f64>() / (n * n))
    }
}

/// その場での高速ウォルシュ–アダマール変換 `Ŵ(m) = Σ_s w(s) (−1)^{popcount(s ∧ m)}`（長さは 2 の冪）。
fn walsh_hadamard(w: &mut [f64]) {
    let len = w.len();
    let mut h = 1;
    while h < len {
        for block in w.chunks_exact_mut(2 * h) {
            let (a, b) = block.split_at_mut(h);
            for (x, y) in a.iter_mut().zip(b.iter_mut()) {
                let (u, v) = (*x, *y);
                *x = u + v;
                *y = u - v;
            }
        }
        h *= 2;
    }
}
