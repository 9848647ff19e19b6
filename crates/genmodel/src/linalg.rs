//! 線形代数の薄い包み（§2.4、付録 A）。
//!
//! 計算そのものは純 Rust の線形代数ライブラリ [faer](https://docs.rs/faer) 0.24 に任せ、
//! ここでは入力の検査と、本で使う形（対称固有値分解・Cholesky 分解・対数行列式・逆行列）への
//! 包みだけを書く。行列の型は faer の [`Mat<f64>`] をそのまま使う（[`from_rows`] で作れる）。
//! 検査済みの対称行列は [`SymmetricMatrix`]（§2.6 のヘッセ行列、式 (2.42)–(2.44)）、
//! 対称正定値行列は [`Spd`]（§2.4 の分散共分散行列）で持つ。どちらの固有値も [`symmetric_eigen`] で求める。
//!
//! 不正な入力の判定基準:
//!
//! - **対称でない**: `max |A_ij - A_ji| > SYMMETRY_TOLERANCE · max |A_ij|`
//!   → [`Error::NotSymmetric`]（[`SYMMETRY_TOLERANCE`]）。
//! - **正定値でない**: 対称固有値分解の最小固有値が `0` 以下 → [`Error::NotPositiveDefinite`]。
//! - **特異・条件が悪い**: 条件数 `κ = σ_max / σ_min`（特異値の比。対称正定値なら
//!   `λ_max / λ_min`）が [`MAX_CONDITION_NUMBER`] を超える → [`Error::IllConditioned`]。
//!   特異な行列は `σ_min = 0` なので `κ = ∞` として報告する。

pub use faer::Mat;

use crate::error::{Error, Result, ensure_finite};
use crate::prec::{MAX_CONDITION_NUMBER, SYMMETRY_TOLERANCE};
use faer::Side;
use faer::linalg::solvers::DenseSolveCore;

/// 行の並びから行列を作る。
///
/// # Errors
///
/// - 行が 0 本、または 0 列: [`Error::EmptyInput`]
/// - 行の長さがそろわない: [`Error::DimensionMismatch`]
/// - NaN・±∞: [`Error::NonFinite`]（`index` は行優先で平らにした位置）
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, Error};
///
/// let a = from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
/// assert_eq!((a.nrows(), a.ncols(), a[(1, 0)]), (2, 2, 3.0));
/// assert!(matches!(from_rows(&[vec![1.0, 2.0], vec![3.0]]), Err(Error::DimensionMismatch { .. })));
/// assert!(matches!(from_rows(&[[f64::NAN]]), Err(Error::NonFinite { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Mat<f64>> {
    let ncols = rows
        .first()
        .map(|r| r.as_ref().len())
        .ok_or(Error::EmptyInput)?;
    if ncols == 0 {
        return Err(Error::EmptyInput);
    }
    let mut flat = Vec::with_capacity(rows.len() * ncols);
    for r in rows {
        let r = r.as_ref();
        if r.len() != ncols {
            return Err(Error::DimensionMismatch {
                expected: ncols,
                actual: r.len(),
            });
        }
        flat.extend_from_slice(r);
    }
    ensure_finite("行列", &flat)?;
    Ok(Mat::from_fn(rows.len(), ncols, |i, j| flat[i * ncols + j]))
}

/// 行列を行の並びに戻す。
///
/// # Examples
///
/// ```
/// use genmodel::linalg::{from_rows, to_rows};
///
/// let rows = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
/// assert_eq!(to_rows(&from_rows(&rows)?), rows);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn to_rows(a: &Mat<f64>) -> Vec<Vec<f64>> {
    (0..a.nrows())
        .map(|i| (0..a.ncols()).map(|j| a[(i, j)]).collect())
        .collect()
}

/// 正方行列であることを確かめ、次数 `n` を返す。成分が有限であることも確かめる。
///
/// # Errors
///
/// 0 次なら [`Error::EmptyInput`]、正方でなければ [`Error::DimensionMismatch`]
/// （期待 = 行数、実際 = 列数）、非有限の成分は [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{from_rows, square_dim}, Error};
///
/// assert_eq!(square_dim(&from_rows(&[[1.0, 0.0], [0.0, 1.0]])?)?, 2);
/// assert_eq!(
///     square_dim(&from_rows(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])?),
///     Err(Error::DimensionMismatch { expected: 2, actual: 3 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn square_dim(a: &Mat<f64>) -> Result<usize> {
    let n = a.nrows();
    if n == 0 {
        return Err(Error::EmptyInput);
    }
    if a.ncols() != n {
        return Err(Error::DimensionMismatch {
            expected: n,
            actual: a.ncols(),
        });
    }
    for i in 0..n {
        for j in 0..n {
            if !a[(i, j)].is_finite() {
                return Err(Error::NonFinite {
                    what: "行列",
                    index: i * n + j,
                });
            }
        }
    }
    Ok(n)
}

/// 対称行列であることを確かめる（判定基準は [`SYMMETRY_TOLERANCE`]）。
///
/// # Errors
///
/// [`square_dim`] の誤りに加えて、対称でなければ [`Error::NotSymmetric`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{ensure_symmetric, from_rows}, Error};
///
/// assert!(ensure_symmetric(&from_rows(&[[2.0, 1.0], [1.0, 3.0]])?).is_ok());
/// assert_eq!(
///     ensure_symmetric(&from_rows(&[[2.0, 1.0], [0.5, 3.0]])?),
///     Err(Error::NotSymmetric { max_asymmetry: 0.5 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub fn ensure_symmetric(a: &Mat<f64>) -> Result<()> {
    let n = square_dim(a)?;
    let mut max_abs = 0.0_f64;
    let mut max_asymmetry = 0.0_f64;
    for i in 0..n {
        for j in 0..n {
            max_abs = max_abs.max(a[(i, j)].abs());
            max_asymmetry = max_asymmetry.max((a[(i, j)] - a[(j, i)]).abs());
        }
    }
    if max_asymmetry > SYMMETRY_TOLERANCE * max_abs {
        return Err(Error::NotSymmetric { max_asymmetry });
    }
    Ok(())
}

/// 行列とベクトルの積 `A x`。
///
/// # Errors
///
/// `x` の長さが列数と違えば [`Error::DimensionMismatch`]。
///
/// # Examples
///
/// ```
/// use genmodel::linalg::{from_rows, mat_vec};
///
/// let a = from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
/// assert_eq!(mat_vec(&a, &[1.0, 1.0])?, vec![3.0, 7.0]);
/// assert!(mat_vec(&a, &[1.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn mat_vec(a: &Mat<f64>, x: &[f64]) -> Result<Vec<f64>> {
    if x.len() != a.ncols() {
        return Err(Error::DimensionMismatch {
            expected: a.ncols(),
            actual: x.len(),
        });
    }
    Ok((0..a.nrows())
        .map(|i| (0..a.ncols()).map(|j| a[(i, j)] * x[j]).sum())
        .collect())
}

/// 行列式 `det A`（LU 分解による。faer の `determinant`）。
///
/// 特異な行列でも誤りにはせず `0` に近い値を返す（行列式そのものは特異でも定義される）。
///
/// # Errors
///
/// [`square_dim`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::linalg::{determinant, from_rows};
///
/// let a = from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
/// assert!((determinant(&a)? - (-2.0)).abs() < 1e-14);
/// assert!(determinant(&from_rows(&[[1.0, 2.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn determinant(a: &Mat<f64>) -> Result<f64> {
    square_dim(a)?;
    Ok(a.determinant())
}

/// 条件数 `κ = σ_max / σ_min`（2 ノルムの条件数。特異なら `∞`）。
///
/// # Errors
///
/// [`square_dim`] の誤り。特異値分解が収束しなければ [`Error::IllConditioned`]（`κ = ∞`）。
///
/// # Examples
///
/// ```
/// use genmodel::linalg::{condition_number, from_rows};
///
/// assert!((condition_number(&from_rows(&[[4.0, 0.0], [0.0, 0.5]])?)? - 8.0).abs() < 1e-12);
/// assert_eq!(condition_number(&from_rows(&[[1.0, 2.0], [2.0, 4.0]])?)?, f64::INFINITY);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn condition_number(a: &Mat<f64>) -> Result<f64> {
    square_dim(a)?;
    let s = a.singular_values().map_err(|_| Error::IllConditioned {
        condition: f64::INFINITY,
        limit: MAX_CONDITION_NUMBER,
    })?;
    let (max, min) = (s[0], s[s.len() - 1]);
    // 特異値の計算は相対 ε 程度の誤差を持つので、σ_min ≤ ε σ_max は 0 とみなす
    if min <= f64::EPSILON * max {
        return Ok(f64::INFINITY);
    }
    Ok(max / min)
}

/// 一般の正方行列の逆行列 `A⁻¹`（付録 A の式 (10.7)）。
///
/// # Errors
///
/// [`square_dim`] の誤りに加えて、条件数が [`MAX_CONDITION_NUMBER`] を超える
/// （特異を含む）と [`Error::IllConditioned`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{from_rows, inverse}, Error};
///
/// let inv = inverse(&from_rows(&[[2.0, 1.0], [0.0, 4.0]])?)?;
/// assert!((inv[(0, 1)] - (-0.125)).abs() < 1e-15);
/// assert!(matches!(
///     inverse(&from_rows(&[[1.0, 2.0], [2.0, 4.0]])?),
///     Err(Error::IllConditioned { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
pub fn inverse(a: &Mat<f64>) -> Result<Mat<f64>> {
    let condition = condition_number(a)?;
    if condition > MAX_CONDITION_NUMBER {
        return Err(Error::IllConditioned {
            condition,
            limit: MAX_CONDITION_NUMBER,
        });
    }
    Ok(a.partial_piv_lu().inverse())
}

/// 実対称行列の固有値分解 `A = U Λ Uᵀ`（式 (2.17)、§2.4）。
///
/// `values` は昇順の固有値 `λ_1 ≤ … ≤ λ_N`、`vectors` の第 `k` 列が `λ_k` の単位固有ベクトル。
/// `U` は直交行列（`Uᵀ U = I`）なので `U⁻¹ = Uᵀ`、`|det U| = 1` である。
///
/// # Examples
///
/// ```
/// use genmodel::linalg::{from_rows, symmetric_eigen};
///
/// let e = symmetric_eigen(&from_rows(&[[3.0, 0.0], [0.0, 1.0]])?)?;
/// assert_eq!(e.values, vec![1.0, 3.0]);
/// // 第 0 列（固有値 1）は ±(0, 1)
/// assert_eq!(e.vectors[(0, 0)], 0.0);
/// assert_eq!(e.vectors[(1, 0)].abs(), 1.0);
/// assert!(symmetric_eigen(&from_rows(&[[1.0, 2.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    /// 昇順の固有値。
    pub values: Vec<f64>,
    /// 列が正規直交な固有ベクトルの行列 `U`。
    pub vectors: Mat<f64>,
}

/// 実対称行列の固有値分解（faer の `self_adjoint_eigen`）。
///
/// # Errors
///
/// [`ensure_symmetric`] の誤り。反復が収束しなければ [`Error::IllConditioned`]（`κ = ∞`）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{from_rows, symmetric_eigen}, Error};
///
/// let e = symmetric_eigen(&from_rows(&[[2.0, 1.0], [1.0, 2.0]])?)?;
/// assert!((e.values[0] - 1.0).abs() < 1e-14 && (e.values[1] - 3.0).abs() < 1e-14);
/// // 固有ベクトルは (1, 1)/√2 の向き
/// assert!((e.vectors[(0, 1)].abs() - 0.5f64.sqrt()).abs() < 1e-14);
/// assert!(matches!(
///     symmetric_eigen(&from_rows(&[[2.0, 1.0], [0.0, 2.0]])?),
///     Err(Error::NotSymmetric { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
pub fn symmetric_eigen(a: &Mat<f64>) -> Result<SymmetricEigen> {
    ensure_symmetric(a)?;
    let evd = a
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| Error::IllConditioned {
            condition: f64::INFINITY,
            limit: MAX_CONDITION_NUMBER,
        })?;
    let values: Vec<f64> = evd.S().column_vector().iter().copied().collect();
    Ok(SymmetricEigen {
        values,
        vectors: evd.U().to_owned(),
    })
}

/// 検査済みの実対称行列と、その固有値分解 `Pᵀ A P = Λ`（式 (2.42)、§2.6）。
///
/// §2.6 では Ising の KL 情報量のヘッセ行列（[`crate::ising::KlObjective::hessian`]）をこの型で持ち、
/// 最大固有値 `max_k λ_k` から学習率の上限を決める（式 (2.44)）。構築時に [`symmetric_eigen`]（faer）で
/// 固有値分解しておくので、以後の固有値の問い合わせは誤りを返さない。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{from_rows, SymmetricMatrix}, Error};
///
/// // [[2, 1], [1, 2]] の固有値は 1 と 3
/// let a = SymmetricMatrix::new(from_rows(&[[2.0, 1.0], [1.0, 2.0]])?)?;
/// let ev = a.eigenvalues();
/// assert!((ev[0] - 1.0).abs() < 1e-14 && (ev[1] - 3.0).abs() < 1e-14);
/// assert!(matches!(
///     SymmetricMatrix::new(from_rows(&[[2.0, 1.0], [0.0, 2.0]])?),
///     Err(Error::NotSymmetric { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SymmetricMatrix {
    a: Mat<f64>,
    eigen: SymmetricEigen,
}

impl SymmetricMatrix {
    /// 対称行列を検査し、固有値分解して包む。
    ///
    /// 許容誤差 [`SYMMETRY_TOLERANCE`] 以内の（丸めによる）非対称は `(A + Aᵀ)/2` で消す。
    ///
    /// # Errors
    ///
    /// - 空・正方でない・非有限: [`square_dim`] と同じ
    /// - 対称でない: [`Error::NotSymmetric`]
    /// - 固有値の反復が収束しない: [`Error::IllConditioned`]（[`symmetric_eigen`]）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::{from_rows, SymmetricMatrix}, Error};
    ///
    /// assert!(SymmetricMatrix::new(from_rows(&[[5.0]])?).is_ok());
    /// assert!(matches!(
    ///     SymmetricMatrix::new(from_rows(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])?),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 3 })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(a: Mat<f64>) -> Result<Self> {
        ensure_symmetric(&a)?;
        let n = a.nrows();
        let a = Mat::from_fn(n, n, |i, j| 0.5 * (a[(i, j)] + a[(j, i)]));
        let eigen = symmetric_eigen(&a)?;
        Ok(Self { a, eigen })
    }

    /// 行列の次数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// assert_eq!(SymmetricMatrix::new(from_rows(&[[0.0]])?)?.dim(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.a.nrows()
    }

    /// 成分 `A_ij`。範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// let a = SymmetricMatrix::new(from_rows(&[[1.0, 2.0], [2.0, 3.0]])?)?;
    /// assert_eq!(a.get(1, 0), Some(2.0));
    /// assert_eq!(a.get(2, 0), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.dim() && j < self.dim()).then(|| self.a[(i, j)])
    }

    /// 行列 `A`（faer の [`Mat<f64>`]。[`to_rows`] で行の並びに戻せる）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, to_rows, SymmetricMatrix};
    ///
    /// let a = SymmetricMatrix::new(from_rows(&[[1.0, 2.0], [2.0, 3.0]])?)?;
    /// assert_eq!(to_rows(a.matrix()), vec![vec![1.0, 2.0], vec![2.0, 3.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn matrix(&self) -> &Mat<f64> {
        &self.a
    }

    /// 2 次形式 `aᵀ A a`（式 (2.41)・(2.43) の左辺の形）。
    ///
    /// # Errors
    ///
    /// `a` の長さが `n` でなければ [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// let a = SymmetricMatrix::new(from_rows(&[[2.0, 1.0], [1.0, 2.0]])?)?;
    /// assert_eq!(a.quadratic_form(&[1.0, -1.0])?, 2.0);
    /// assert!(a.quadratic_form(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn quadratic_form(&self, v: &[f64]) -> Result<f64> {
        Ok(mat_vec(&self.a, v)?
            .iter()
            .zip(v)
            .map(|(av, x)| av * x)
            .sum())
    }

    /// 固有値分解 `Pᵀ A P = Λ`（式 (2.42)）。`values` は昇順、`vectors` の第 `k` 列が `λ_k` の単位固有ベクトル。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// let a = SymmetricMatrix::new(from_rows(&[[2.0, 1.0], [1.0, 2.0]])?)?;
    /// let e = a.eigen();
    /// // A p = λ p（λ = 3、p は第 1 列）
    /// let p = [e.vectors[(0, 1)], e.vectors[(1, 1)]];
    /// let ap = [2.0 * p[0] + p[1], p[0] + 2.0 * p[1]];
    /// assert!((ap[0] - 3.0 * p[0]).abs() < 1e-14 && (ap[1] - 3.0 * p[1]).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigen(&self) -> &SymmetricEigen {
        &self.eigen
    }

    /// 固有値 `λ_1 ≤ … ≤ λ_n`（昇順）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// let a = SymmetricMatrix::new(from_rows(&[[1.0, 0.0, 0.0], [0.0, -2.0, 0.0], [0.0, 0.0, 5.0]])?)?;
    /// assert_eq!(a.eigenvalues(), &[-2.0, 1.0, 5.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> &[f64] {
        &self.eigen.values
    }

    /// 最大固有値 `max_k λ_k`（式 (2.44) の分母）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// // 全成分 1 の 3×3 行列の固有値は 0, 0, 3
    /// let a = SymmetricMatrix::new(from_rows(&[[1.0; 3]; 3])?)?;
    /// assert!((a.max_eigenvalue() - 3.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn max_eigenvalue(&self) -> f64 {
        self.eigen.values[self.eigen.values.len() - 1]
    }

    /// 最小固有値 `min_k λ_k`（半正定値・正定値の判定に使う）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, SymmetricMatrix};
    ///
    /// let a = SymmetricMatrix::new(from_rows(&[[1.0, 2.0], [2.0, 1.0]])?)?;
    /// assert!((a.min_eigenvalue() + 1.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn min_eigenvalue(&self) -> f64 {
        self.eigen.values[0]
    }
}

/// 検査済みの対称正定値行列と、その Cholesky 分解 `A = L Lᵀ`。
///
/// 分散共分散行列 `Σ`（§2.4）はこの型で持つ。構築時に対称性・正定値性・条件数を確かめるので、
/// 以後の `ln det`・逆行列・2 次形式は誤りを返さない。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{from_rows, Spd}, Error};
///
/// let s = Spd::new(from_rows(&[[4.0, 2.0], [2.0, 3.0]])?)?;
/// assert!((s.det() - 8.0).abs() < 1e-12);
/// assert!(matches!(Spd::new(from_rows(&[[1.0, 2.0], [2.0, 1.0]])?), Err(Error::NotPositiveDefinite)));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Spd {
    a: SymmetricMatrix,
    l: Mat<f64>,
}

impl Spd {
    /// 対称正定値行列を検査して包む。
    ///
    /// # Errors
    ///
    /// - 正方でない・空・非有限: [`square_dim`] と同じ
    /// - 対称でない: [`Error::NotSymmetric`]
    /// - 最小固有値が 0 以下: [`Error::NotPositiveDefinite`]
    /// - `λ_max / λ_min >` [`MAX_CONDITION_NUMBER`]: [`Error::IllConditioned`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::{from_rows, Spd}, Error};
    ///
    /// assert!(Spd::new(from_rows(&[[1.0, 0.0], [0.0, 1e-3]])?).is_ok());
    /// assert!(matches!(
    ///     Spd::new(from_rows(&[[1.0, 0.0], [0.0, 1e-12]])?),
    ///     Err(Error::IllConditioned { .. })
    /// ));
    /// assert!(matches!(
    ///     Spd::new(from_rows(&[[1.0, 0.0], [0.0, 0.0]])?),
    ///     Err(Error::NotPositiveDefinite)
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(a: Mat<f64>) -> Result<Self> {
        let a = SymmetricMatrix::new(a)?;
        let (min, max) = (a.min_eigenvalue(), a.max_eigenvalue());
        if min <= 0.0 {
            return Err(Error::NotPositiveDefinite);
        }
        let condition = max / min;
        if condition > MAX_CONDITION_NUMBER {
            return Err(Error::IllConditioned {
                condition,
                limit: MAX_CONDITION_NUMBER,
            });
        }
        let llt = a
            .matrix()
            .llt(Side::Lower)
            .map_err(|_| Error::NotPositiveDefinite)?;
        let l = llt.L().to_owned();
        Ok(Self { a, l })
    }

    /// 次数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// assert_eq!(Spd::new(from_rows(&[[2.0]])?)?.dim(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.a.dim()
    }

    /// 元の行列 `A`（丸めによる僅かな非対称は [`SymmetricMatrix::new`] のとおり平均で消してある）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// assert_eq!(Spd::new(from_rows(&[[2.0]])?)?.matrix()[(0, 0)], 2.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn matrix(&self) -> &Mat<f64> {
        self.a.matrix()
    }

    /// Cholesky 因子 `L`（下三角、対角は正、`A = L Lᵀ`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let s = Spd::new(from_rows(&[[4.0, 2.0], [2.0, 5.0]])?)?;
    /// let l = s.cholesky_lower();
    /// assert_eq!((l[(0, 0)], l[(1, 0)], l[(0, 1)]), (2.0, 1.0, 0.0));
    /// assert!((l[(1, 1)] - 2.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn cholesky_lower(&self) -> &Mat<f64> {
        &self.l
    }

    /// 昇順の固有値 `λ_1 ≤ … ≤ λ_N`（すべて正）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let s = Spd::new(from_rows(&[[3.0, 0.0], [0.0, 1.0]])?)?;
    /// assert_eq!(s.eigenvalues(), &[1.0, 3.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> &[f64] {
        self.a.eigenvalues()
    }

    /// 条件数 `λ_max / λ_min`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let s = Spd::new(from_rows(&[[3.0, 0.0], [0.0, 1.0]])?)?;
    /// assert_eq!(s.condition_number(), 3.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn condition_number(&self) -> f64 {
        self.a.max_eigenvalue() / self.a.min_eigenvalue()
    }

    /// `ln det A = 2 Σ_k ln L_kk`（式 (2.20)・(2.22) の `ln det Σ`）。
    ///
    /// 行列式そのものを作らないので、次元が大きくても桁あふれしない。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let s = Spd::new(from_rows(&[[4.0, 2.0], [2.0, 3.0]])?)?;
    /// assert!((s.ln_det() - 8f64.ln()).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_det(&self) -> f64 {
        2.0 * (0..self.dim()).map(|k| self.l[(k, k)].ln()).sum::<f64>()
    }

    /// `det A`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// assert!((Spd::new(from_rows(&[[2.0, 0.0], [0.0, 3.0]])?)?.det() - 6.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn det(&self) -> f64 {
        self.ln_det().exp()
    }

    /// 逆行列 `A⁻¹`（Cholesky 分解から。対称にそろえてある）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let inv = Spd::new(from_rows(&[[4.0, 2.0], [2.0, 3.0]])?)?.inverse();
    /// // [[3, -2], [-2, 4]] / 8
    /// assert!((inv[(0, 1)] + 0.25).abs() < 1e-15 && (inv[(1, 1)] - 0.5).abs() < 1e-15);
    /// assert_eq!(inv[(0, 1)], inv[(1, 0)]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn inverse(&self) -> Mat<f64> {
        let n = self.dim();
        // L⁻¹ を前進代入で求め、A⁻¹ = L⁻ᵀ L⁻¹ とする
        let mut linv = Mat::<f64>::zeros(n, n);
        for c in 0..n {
            let mut e = vec![0.0; n];
            e[c] = 1.0;
            let z = self.forward_substitute(&e);
            for r in 0..n {
                linv[(r, c)] = z[r];
            }
        }
        let mut out = Mat::<f64>::zeros(n, n);
        for i in 0..n {
            for j in 0..=i {
                let v: f64 = (0..n).map(|k| linv[(k, i)] * linv[(k, j)]).sum();
                out[(i, j)] = v;
                out[(j, i)] = v;
            }
        }
        out
    }

    /// `L z = v` を解いた `z = L⁻¹ v`。
    fn forward_substitute(&self, v: &[f64]) -> Vec<f64> {
        let n = self.dim();
        let mut z = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..i).map(|k| self.l[(i, k)] * z[k]).sum();
            z[i] = (v[i] - s) / self.l[(i, i)];
        }
        z
    }

    /// 2 次形式 `vᵀ A⁻¹ v`（式 (2.15) の指数の `(x - μ)ᵀ Σ⁻¹ (x - μ)`）。
    ///
    /// `z = L⁻¹ v` とおけば `vᵀ A⁻¹ v = |z|²` なので、逆行列を作らずに求める。
    ///
    /// # Errors
    ///
    /// `v` の長さが次数と違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let s = Spd::new(from_rows(&[[4.0, 0.0], [0.0, 9.0]])?)?;
    /// assert!((s.inv_quad_form(&[2.0, 3.0])? - 2.0).abs() < 1e-15);
    /// assert!(s.inv_quad_form(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn inv_quad_form(&self, v: &[f64]) -> Result<f64> {
        if v.len() != self.dim() {
            return Err(Error::DimensionMismatch {
                expected: self.dim(),
                actual: v.len(),
            });
        }
        Ok(self.forward_substitute(v).iter().map(|z| z * z).sum())
    }

    /// `L v`（標準正規の乱数 `v` から共分散 `A` の乱数を作るのに使う）。
    ///
    /// # Errors
    ///
    /// `v` の長さが次数と違えば [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::linalg::{from_rows, Spd};
    ///
    /// let s = Spd::new(from_rows(&[[4.0, 2.0], [2.0, 5.0]])?)?;
    /// let lv = s.cholesky_mul(&[1.0, 1.0])?;
    /// assert!((lv[0] - 2.0).abs() < 1e-15 && (lv[1] - 3.0).abs() < 1e-15);
    /// assert!(s.cholesky_mul(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn cholesky_mul(&self, v: &[f64]) -> Result<Vec<f64>> {
        mat_vec(&self.l, v)
    }
}
