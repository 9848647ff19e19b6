//! 素朴な平均場近似（式 (7.3)–(7.7)、第 7 章）。
//!
//! 積の分布 `r(x) = Π_k (1 + m_k x_k)/2` の中で変分自由エネルギーを最小にする。
//!
//! - 式 (7.4): `F_MF(m) = −Σ_k h_k m_k − Σ_{k<l} J_kl m_k m_l + Σ_k Σ_{x_k} r_k ln r_k ≥ −ln Z`
//! - 式 (7.5): 停留点の条件 `m_k = tanh(h_k + Σ_l J_kl m_l)`
//! - 式 (7.6): 減衰つきの反復 `m ← (1 − γ) m + γ tanh(h + J m)`
//! - 式 (7.7): 線形応答 `(χ⁻¹)_kl = δ_kl/(1 − m_k²) − J_kl`（`χ_kl = ∂m_k/∂h_l`）
//!
//! `max_k Σ_l |J_kl| < 1` なら写像 `m ↦ tanh(h + J m)` は最大値ノルムで縮小写像なので、解は 1 つで、
//! どこから始めても反復はそこへ収束する。そうでないとき解はいくつもありうる（強磁性体の `±m`）。
//! [`solve`] は与えた初期値から行き着いた解を返し、[`MeanField::unique`] が一意性を保証できるかを、
//! [`MeanField::stable`] がその解が `F_MF` の極小か（ヘッセ行列 `χ⁻¹` が正定値か）を報告する。
//! [`solutions`] は複数の初期値からの解を重複なく `F_MF` の小さい順に返す。

use super::{FixedPoint, check_magnetisations, coupling_matrix, negative_spin_entropy};
use crate::boltzmann::ising::Ising;
use crate::error::{Error, Result, ensure_finite, ensure_len, finite_scalar};
use crate::linalg::{SymmetricMatrix, inverse};
use ndarray::{Array1, Array2, ArrayView2, AsArray, Ix1, Ix2};

/// 2 つの解を同じとみなす磁化の差の上限（[`solutions`] の重複の判定）。反復の残差 `1e-12` より十分大きく、
/// 別の解の間の差（強磁性体の `±m` など）より十分小さい。
pub const SAME_SOLUTION: f64 = 1e-6;

/// 平均場近似の解。
#[derive(Debug, Clone, PartialEq)]
pub struct MeanField {
    m: Array1<f64>,
    free_energy: f64,
    iterations: usize,
    residual: f64,
    unique: bool,
    stable: bool,
}

impl MeanField {
    /// 磁化 `m_k`（式 (7.5) の解）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
    ///
    /// // 結合のないスピンは独立で、m = tanh h は厳密
    /// let mf = mean_field::solve(&Ising::new(array![0.5, -1.0], array![0.0])?, &[0.0, 0.0], &FixedPoint::default())?;
    /// assert!((mf.magnetisations()[1] + 1f64.tanh()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn magnetisations(&self) -> &Array1<f64> {
        &self.m
    }

    /// 解での `F_MF(m)`（式 (7.4)）。`−ln Z` の上界。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
    ///
    /// let mf = mean_field::solve(&Ising::new(array![0.5], array![])?, &[0.0], &FixedPoint::default())?;
    /// assert!((mf.free_energy() + (2.0 * 0.5f64.cosh()).ln()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_energy(&self) -> f64 {
        self.free_energy
    }

    /// 収束までの反復の回数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
    ///
    /// let mf = mean_field::solve(&Ising::new(array![0.5], array![])?, &[0.0], &FixedPoint::default())?;
    /// assert!(mf.iterations() >= 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// 最後の反復の残差 `max_k |tanh(h_k + Σ_l J_kl m_l) − m_k|`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
    ///
    /// let mf = mean_field::solve(&Ising::new(array![0.5], array![])?, &[0.0], &FixedPoint::default())?;
    /// assert!(mf.residual() <= 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn residual(&self) -> f64 {
        self.residual
    }

    /// 解が 1 つしかないと保証できるか（`max_k Σ_l |J_kl| < 1`、縮小写像）。
    /// `false` は「解が複数ある」ではなく「保証できない」の意味である。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
    ///
    /// let weak = mean_field::solve(&Ising::new(array![0.0, 0.0], array![0.5])?, &[0.3, 0.3], &FixedPoint::default())?;
    /// assert!(weak.unique());
    /// let strong = mean_field::solve(&Ising::new(array![0.0, 0.0], array![2.0])?, &[0.3, 0.3], &FixedPoint::default())?;
    /// assert!(!strong.unique());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn unique(&self) -> bool {
        self.unique
    }

    /// 解が `F_MF` の極小か（ヘッセ行列 `δ_kl/(1 − m_k²) − J_kl` が正定値か）。`false` なら鞍点。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
    ///
    /// // 強い強磁性の対: m = 0 は不安定な解（鞍点）、m = ±0.957… は安定
    /// let model = Ising::new(array![0.0, 0.0], array![2.0])?;
    /// let zero = mean_field::solve(&model, &[0.0, 0.0], &FixedPoint::default())?;
    /// assert_eq!(zero.magnetisations()[0], 0.0);
    /// assert!(!zero.stable());
    /// let up = mean_field::solve(&model, &[0.1, 0.1], &FixedPoint::default())?;
    /// assert!(up.stable() && up.free_energy() < zero.free_energy());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn stable(&self) -> bool {
        self.stable
    }
}

/// 平均場の自由エネルギー `F_MF(m)`（式 (7.4)）。任意の `|m_k| ≤ 1` で `−ln Z` 以上（式 (7.2)）。
///
/// # Errors
///
/// `m` の長さが `N` でない・非有限・`|m_k| > 1`: [`Error::DimensionMismatch`]・[`Error::NonFinite`]・[`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::mean_field};
///
/// let model = Ising::new(array![0.2, 0.1], array![0.7])?;
/// // m = 0: F = −2 ln 2（エネルギーの平均 0、一様分布のエントロピー）
/// assert!((mean_field::free_energy(&model, &[0.0, 0.0])? + 2.0 * 2f64.ln()).abs() < 1e-15);
/// // m = (1, 1): エントロピー 0、F = E(1, 1) = −1.0
/// assert!((mean_field::free_energy(&model, &[1.0, 1.0])? + 1.0).abs() < 1e-15);
/// assert!(mean_field::free_energy(&model, &[1.5, 0.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn free_energy<'a>(model: &Ising, m: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    let m = check_magnetisations(model.n_spins(), m)?;
    let j = coupling_matrix(model);
    let field: f64 = model.fields().dot(&m);
    let pair = 0.5 * m.dot(&j.dot(&m));
    let entropy: f64 = m.iter().map(|&v| negative_spin_entropy(v)).sum();
    finite_scalar("F_MF", -field - pair + entropy)
}

/// 縮小写像の定数 `max_k Σ_l |J_kl|`。1 未満なら平均場の解は 1 つ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::mean_field};
///
/// let model = Ising::new(array![0.0, 0.0, 0.0], array![0.5, -0.2, 0.1])?;
/// // 行和: 0.7, 0.6, 0.3
/// assert!((mean_field::contraction_constant(&model) - 0.7).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn contraction_constant(model: &Ising) -> f64 {
    coupling_matrix(model)
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// 初期値 `start` から減衰つきの反復 (7.6) で自己無撞着方程式 (7.5) を解く。
///
/// # Errors
///
/// - `start` が不正（長さ・非有限・`|m_k| > 1`）: [`free_energy`] と同じ
/// - 回数の上限 × `N²` が [`crate::prec::MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]
/// - 決めた回数で残差が上限を下回らない: [`Error::NotConverged`]（減衰のない `γ = 1` の反復は、
///   反強磁性の結合で 2 周期の振動になり収束しないことがある）
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}, Error};
///
/// // 強い反強磁性の対: 減衰なしの同時更新は (a, a) ↔ (−a, −a) の振動を続ける
/// let model = Ising::new(array![0.0, 0.0], array![-2.0])?;
/// let plain = FixedPoint::new(1.0, 1e-12, 1000)?;
/// assert!(matches!(mean_field::solve(&model, &[0.5, 0.5], &plain), Err(Error::NotConverged { .. })));
/// // 減衰させると m = 0 へ収束する（この対では (a, −a) の解もある）
/// let damped = mean_field::solve(&model, &[0.5, 0.5], &FixedPoint::default())?;
/// assert!(damped.magnetisations().iter().all(|m| m.abs() < 1e-12));
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn solve<'a>(
    model: &Ising,
    start: impl AsArray<'a, f64, Ix1>,
    fp: &FixedPoint,
) -> Result<MeanField> {
    let start = check_magnetisations(model.n_spins(), start)?;
    let j = coupling_matrix(model);
    let h = model.fields().to_owned();
    let work = (model.n_spins() as u64).pow(2);
    let (m, iterations, residual) =
        fp.iterate(start.to_owned(), work, |m| (&h + &j.dot(m)).mapv(f64::tanh))?;
    let free_energy = free_energy(model, &m)?;
    let stable = is_minimum(&m, &j)?;
    Ok(MeanField {
        m,
        free_energy,
        iterations,
        residual,
        unique: contraction_constant(model) < 1.0,
        stable,
    })
}

/// 初期値の行 `starts`（`S × N`）のそれぞれから解き、違う解（差が [`SAME_SOLUTION`] 以上）を
/// `F_MF` の小さい順に返す。最初の要素が、見つかった中で `−ln Z` の最も良い上界を与える解である。
///
/// # Errors
///
/// `starts` が空・列の数が `N` でない: [`Error::EmptyInput`]・[`Error::DimensionMismatch`]。
/// 初期値の行に NaN・±∞ や `|m_k| > 1` があれば [`Error::NonFinite`]・[`Error::InvalidParameter`]（[`solve`] と同じ）。
/// どれかの初期値で収束しなければ、その [`Error::NotConverged`]（仕事の上限は [`solve`] と同じ）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, mean_field}};
///
/// // 強磁性の対: 解は m = 0（鞍点）と ±m* の 3 つ。±m* は F_MF が等しい
/// let model = Ising::new(array![0.0, 0.0], array![2.0])?;
/// let starts = array![[0.5, 0.5], [-0.5, -0.5], [0.0, 0.0], [0.9, 0.8]];
/// let found = mean_field::solutions(&model, &starts, &FixedPoint::default())?;
/// assert_eq!(found.len(), 3);
/// assert!(found[0].stable() && found[1].stable() && !found[2].stable());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn solutions<'a>(
    model: &Ising,
    starts: impl AsArray<'a, f64, Ix2>,
    fp: &FixedPoint,
) -> Result<Vec<MeanField>> {
    let starts: ArrayView2<'a, f64> = starts.into();
    if starts.nrows() == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_len(model.n_spins(), starts.ncols())?;
    let mut found: Vec<MeanField> = Vec::new();
    for s in starts.rows() {
        let mf = solve(model, s, fp)?;
        let same = |o: &MeanField| {
            o.m.iter()
                .zip(&mf.m)
                .all(|(a, b)| (a - b).abs() < SAME_SOLUTION)
        };
        if !found.iter().any(same) {
            found.push(mf);
        }
    }
    found.sort_by(|a, b| a.free_energy.total_cmp(&b.free_energy));
    Ok(found)
}

/// 線形応答による相関の推定 `χ = (diag(1/(1 − m_k²)) − J)⁻¹`（式 (7.7)）。
/// 対角は `1 − m_k²`（平均場の分散）に近く、非対角は結合のつながった相関 `⟨x_k x_l⟩ − m_k m_l` の推定である。
///
/// # Errors
///
/// - `m` が不正: [`free_energy`] と同じ。`|m_k| = 1` なら `1/(1 − m_k²)` が無限大なので [`Error::InvalidParameter`]
/// - 行列が特異に近い: [`Error::IllConditioned`]
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::mean_field};
///
/// // 2 スピン、m = 0: χ = [[1, −J], [−J, 1]]⁻¹ = [[1, J], [J, 1]] / (1 − J²)
/// let chi = mean_field::linear_response(&Ising::new(array![0.0, 0.0], array![0.2])?, &[0.0, 0.0])?;
/// assert!((chi[[0, 1]] - 0.2 / 0.96).abs() < 1e-15);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn linear_response<'a>(model: &Ising, m: impl AsArray<'a, f64, Ix1>) -> Result<Array2<f64>> {
    let m = check_magnetisations(model.n_spins(), m)?;
    if let Some(&v) = m.iter().find(|v| v.abs() >= 1.0) {
        return Err(Error::InvalidParameter {
            name: "磁化 m_k",
            value: v,
            requirement: "線形応答では |m_k| < 1",
        });
    }
    let a = hessian(&m.to_owned(), &coupling_matrix(model));
    ensure_finite("χ⁻¹", a.iter().copied())?;
    inverse(&a)
}

/// `F_MF` のヘッセ行列 `δ_kl/(1 − m_k²) − J_kl`。
fn hessian(m: &Array1<f64>, j: &Array2<f64>) -> Array2<f64> {
    let mut a = -j.clone();
    for (k, &v) in m.iter().enumerate() {
        a[[k, k]] += 1.0 / (1.0 - v * v);
    }
    a
}

/// 解が極小か。`|m_k| = 1`（`f64` で飽和）なら対角が無限大で、その方向は安定なので除いて判定する。
fn is_minimum(m: &Array1<f64>, j: &Array2<f64>) -> Result<bool> {
    let free: Vec<usize> = (0..m.len()).filter(|&k| m[k].abs() < 1.0).collect();
    if free.is_empty() {
        return Ok(true);
    }
    let full = hessian(m, j);
    let sub = Array2::from_shape_fn((free.len(), free.len()), |(a, b)| full[[free[a], free[b]]]);
    if sub.iter().any(|v| !v.is_finite()) {
        return Ok(true);
    }
    Ok(SymmetricMatrix::new(sub)?.min_eigenvalue() > 0.0)
}
