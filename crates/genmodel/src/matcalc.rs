//! 行列の微分公式（付録 A、ノート §10 の式 (10.1)–(10.8)）。
//!
//! 微分の約束: スカラー `f(A)` の行列 `A` による微分 `df/dA` は、`A` の `n²` 個の成分を
//! **互いに独立な変数**とみなした偏微分を並べた行列 `(df/dA)_ij = ∂f/∂A_ij` である。
//! 対称行列に制限した微分（`A_ij` と `A_ji` を一緒に動かす）とは非対角成分が 2 倍違う。
//!
//! ここの関数は公式の右辺（閉じた形）を計算する。テストはそれを中心差分と比べる。

use crate::error::{Error, Result};
use crate::linalg::{self, Mat, determinant, ensure_symmetric, inverse, square_dim};

fn check_vec(n: usize, x: &[f64]) -> Result<()> {
    if x.len() != n {
        return Err(Error::DimensionMismatch {
            expected: n,
            actual: x.len(),
        });
    }
    crate::error::ensure_finite("ベクトル x", x)
}

/// 2 次形式 `xᵀ A x = Σ_{k,l} A_kl x_k x_l`。
///
/// # Errors
///
/// `A` が正方でない・非有限、`x` の長さが違う・非有限なら誤り。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::quadratic_form};
///
/// let a = from_rows(&[[1.0, 2.0], [0.0, 3.0]])?;
/// assert_eq!(quadratic_form(&a, &[1.0, 1.0])?, 6.0);
/// assert!(quadratic_form(&a, &[1.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn quadratic_form(a: &Mat<f64>, x: &[f64]) -> Result<f64> {
    let n = square_dim(a)?;
    check_vec(n, x)?;
    Ok((0..n)
        .map(|k| (0..n).map(|l| a[(k, l)] * x[k] * x[l]).sum::<f64>())
        .sum())
}

/// `d/dx (xᵀ A x) = (A + Aᵀ) x`（式 (10.1)）。`A` は対称でなくてよい。
///
/// # Errors
///
/// [`quadratic_form`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::grad_quadratic_form};
///
/// let a = from_rows(&[[1.0, 2.0], [0.0, 3.0]])?;
/// // (A + Aᵀ) = [[2, 2], [2, 6]]
/// assert_eq!(grad_quadratic_form(&a, &[1.0, 1.0])?, vec![4.0, 8.0]);
/// assert!(grad_quadratic_form(&a, &[1.0, 2.0, 3.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_quadratic_form(a: &Mat<f64>, x: &[f64]) -> Result<Vec<f64>> {
    let n = square_dim(a)?;
    check_vec(n, x)?;
    Ok((0..n)
        .map(|i| (0..n).map(|k| (a[(i, k)] + a[(k, i)]) * x[k]).sum())
        .collect())
}

/// 対称行列 `S` について `d/dx (xᵀ S x) = 2 S x`（式 (10.2)。`S = Σ⁻¹` のとき）。
///
/// # Errors
///
/// `S` が対称でなければ [`Error::NotSymmetric`]（非対称なら (10.1) を使う）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::grad_quadratic_form_symmetric, Error};
///
/// let s = from_rows(&[[2.0, 1.0], [1.0, 3.0]])?;
/// assert_eq!(grad_quadratic_form_symmetric(&s, &[1.0, 0.0])?, vec![4.0, 2.0]);
/// let a = from_rows(&[[1.0, 2.0], [0.0, 3.0]])?;
/// assert!(matches!(grad_quadratic_form_symmetric(&a, &[1.0, 1.0]), Err(Error::NotSymmetric { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn grad_quadratic_form_symmetric(s: &Mat<f64>, x: &[f64]) -> Result<Vec<f64>> {
    ensure_symmetric(s)?;
    check_vec(s.nrows(), x)?;
    Ok(linalg::mat_vec(s, x)?
        .into_iter()
        .map(|v| 2.0 * v)
        .collect())
}

/// `d/dA (xᵀ A x) = x xᵀ`、すなわち `∂(xᵀ A x)/∂A_ij = x_i x_j`（式 (10.3)・(10.4)）。
///
/// # Errors
///
/// `x` が空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::matcalc::grad_quadratic_form_wrt_matrix;
///
/// let g = grad_quadratic_form_wrt_matrix(&[1.0, 2.0])?;
/// assert_eq!((g[(0, 1)], g[(1, 1)]), (2.0, 4.0));
/// assert!(grad_quadratic_form_wrt_matrix(&[]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_quadratic_form_wrt_matrix(x: &[f64]) -> Result<Mat<f64>> {
    if x.is_empty() {
        return Err(Error::EmptyInput);
    }
    crate::error::ensure_finite("ベクトル x", x)?;
    Ok(Mat::from_fn(x.len(), x.len(), |i, j| x[i] * x[j]))
}

/// `d/dA tr(A B) = Bᵀ`、すなわち `∂ tr(AB)/∂A_ij = B_ji`（式 (10.3) の途中の一般形）。
///
/// `B = x xᵀ` は対称なので (10.4) では転置が見えないが、`B` が非対称なら転置が要る。
///
/// # Errors
///
/// `B` が正方でない・非有限なら誤り。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::grad_trace_product};
///
/// let b = from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
/// let g = grad_trace_product(&b)?;
/// assert_eq!((g[(0, 1)], g[(1, 0)]), (3.0, 2.0));
/// assert!(grad_trace_product(&from_rows(&[[1.0, 2.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_trace_product(b: &Mat<f64>) -> Result<Mat<f64>> {
    let n = square_dim(b)?;
    Ok(Mat::from_fn(n, n, |i, j| b[(j, i)]))
}

/// 小行列式 `m_ij`: `A` から第 `i` 行と第 `j` 列を除いた `(n-1)` 次の行列式（0 始まりの番号）。
///
/// `n = 1` では空の行列の行列式 `1` を返す。
///
/// # Errors
///
/// `A` が正方でない・非有限、または `i`, `j` が範囲外なら [`Error::DimensionMismatch`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::minor};
///
/// let a = from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]])?;
/// // 第 0 行と第 1 列を除くと [[4, 6], [7, 10]]、行列式 40 - 42 = -2
/// assert!((minor(&a, 0, 1)? - (-2.0)).abs() < 1e-13);
/// assert!(minor(&a, 3, 0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn minor(a: &Mat<f64>, i: usize, j: usize) -> Result<f64> {
    let n = square_dim(a)?;
    for idx in [i, j] {
        if idx >= n {
            return Err(Error::DimensionMismatch {
                expected: n,
                actual: idx,
            });
        }
    }
    if n == 1 {
        return Ok(1.0);
    }
    let sub = Mat::from_fn(n - 1, n - 1, |r, c| {
        a[(if r < i { r } else { r + 1 }, if c < j { c } else { c + 1 })]
    });
    Ok(sub.determinant())
}

fn sign(i: usize, j: usize) -> f64 {
    if (i + j) % 2 == 0 { 1.0 } else { -1.0 }
}

/// 第 `i` 行に沿った余因子展開 `det A = Σ_j (-1)^{i+j} A_ij m_ij`（式 (10.5)。`i` は固定）。
///
/// # Errors
///
/// [`minor`] と同じ（`i` が範囲外なら [`Error::DimensionMismatch`]）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{determinant, from_rows}, matcalc::cofactor_expansion};
///
/// let a = from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]])?;
/// for i in 0..3 {
///     assert!((cofactor_expansion(&a, i)? - determinant(&a)?).abs() < 1e-12);
/// }
/// assert!(cofactor_expansion(&a, 5).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn cofactor_expansion(a: &Mat<f64>, i: usize) -> Result<f64> {
    let n = square_dim(a)?;
    if i >= n {
        return Err(Error::DimensionMismatch {
            expected: n,
            actual: i,
        });
    }
    let mut s = 0.0;
    for j in 0..n {
        s += sign(i, j) * a[(i, j)] * minor(a, i, j)?;
    }
    Ok(s)
}

/// 余因子行列 `C_ij = (-1)^{i+j} m_ij`。`d/dA det A = C`（式 (10.6)）。
///
/// # Errors
///
/// `A` が正方でない・非有限なら誤り。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::cofactor_matrix};
///
/// let c = cofactor_matrix(&from_rows(&[[1.0, 2.0], [3.0, 4.0]])?)?;
/// assert_eq!((c[(0, 0)], c[(0, 1)], c[(1, 0)], c[(1, 1)]), (4.0, -3.0, -2.0, 1.0));
/// assert!(cofactor_matrix(&from_rows(&[[1.0, 2.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn cofactor_matrix(a: &Mat<f64>) -> Result<Mat<f64>> {
    let n = square_dim(a)?;
    let mut c = Mat::<f64>::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            c[(i, j)] = sign(i, j) * minor(a, i, j)?;
        }
    }
    Ok(c)
}

/// 行列式の勾配 `d/dA det A = C`（余因子行列。式 (10.6)）。
///
/// # Errors
///
/// [`cofactor_matrix`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::grad_det};
///
/// // det [[a, b], [c, d]] = ad - bc。∂/∂b = -c
/// let g = grad_det(&from_rows(&[[1.0, 2.0], [3.0, 4.0]])?)?;
/// assert_eq!(g[(0, 1)], -3.0);
/// // 非有限の成分は誤り（from_rows は NaN を断るので Mat::from_fn で作る）
/// let bad = genmodel::linalg::Mat::from_fn(1, 1, |_, _| f64::NAN);
/// assert!(grad_det(&bad).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_det(a: &Mat<f64>) -> Result<Mat<f64>> {
    cofactor_matrix(a)
}

/// 余因子行列の転置（古典的随伴行列）`adj A = Cᵀ`。`A adj(A) = adj(A) A = det(A) I`（式 (10.7)）。
///
/// # Errors
///
/// [`cofactor_matrix`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::adjugate};
///
/// let adj = adjugate(&from_rows(&[[1.0, 2.0], [3.0, 4.0]])?)?;
/// // adj [[a, b], [c, d]] = [[d, -b], [-c, a]]
/// assert_eq!((adj[(0, 0)], adj[(0, 1)], adj[(1, 0)], adj[(1, 1)]), (4.0, -2.0, -3.0, 1.0));
/// assert!(adjugate(&from_rows(&[[1.0, 2.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn adjugate(a: &Mat<f64>) -> Result<Mat<f64>> {
    let c = cofactor_matrix(a)?;
    Ok(Mat::from_fn(c.nrows(), c.ncols(), |i, j| c[(j, i)]))
}

/// `d/dA ln |det A| = C / det A = (A⁻¹)ᵀ`（式 (10.7)）。
///
/// ノートは `ln det A` と書くが、`det A < 0` でも `ln |det A|` の勾配は同じ式になる。
///
/// # Errors
///
/// 特異・条件が悪い（[`crate::prec::MAX_CONDITION_NUMBER`]）なら [`Error::IllConditioned`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::grad_ln_abs_det, Error};
///
/// // A = [[2, 1], [0, 4]]、A⁻¹ = [[1/2, -1/8], [0, 1/4]]
/// let g = grad_ln_abs_det(&from_rows(&[[2.0, 1.0], [0.0, 4.0]])?)?;
/// assert!((g[(1, 0)] - (-0.125)).abs() < 1e-15 && g[(0, 1)].abs() < 1e-15);
/// assert!(matches!(
///     grad_ln_abs_det(&from_rows(&[[1.0, 2.0], [2.0, 4.0]])?),
///     Err(Error::IllConditioned { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
pub fn grad_ln_abs_det(a: &Mat<f64>) -> Result<Mat<f64>> {
    let inv = inverse(a)?;
    Ok(Mat::from_fn(inv.nrows(), inv.ncols(), |i, j| inv[(j, i)]))
}

/// `Λ = Σ⁻¹` の関数としての `d/dΛ ln det Σ = d/dΛ (-ln det Λ) = -Λ⁻ᵀ = -Σᵀ`（式 (10.8)）。
///
/// `Σ` が対称なら `-Σ` に等しい。ここでは `Λ` を受け取り、`-(Λ⁻¹)ᵀ` を返す。
///
/// # Errors
///
/// `Λ` が特異・条件が悪いなら [`Error::IllConditioned`]。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::grad_ln_det_cov_wrt_precision};
///
/// // Λ = diag(2, 4) なら Σ = diag(1/2, 1/4)
/// let g = grad_ln_det_cov_wrt_precision(&from_rows(&[[2.0, 0.0], [0.0, 4.0]])?)?;
/// assert!((g[(0, 0)] + 0.5).abs() < 1e-15 && (g[(1, 1)] + 0.25).abs() < 1e-15);
/// assert!(grad_ln_det_cov_wrt_precision(&from_rows(&[[0.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_ln_det_cov_wrt_precision(precision: &Mat<f64>) -> Result<Mat<f64>> {
    let g = grad_ln_abs_det(precision)?;
    Ok(Mat::from_fn(g.nrows(), g.ncols(), |i, j| -g[(i, j)]))
}

/// 行列式を LU 分解で求める（[`linalg::determinant`] の再輸出。テストの比較相手）。
///
/// # Errors
///
/// [`linalg::determinant`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::from_rows, matcalc::det};
///
/// assert!((det(&from_rows(&[[2.0, 1.0], [1.0, 2.0]])?)? - 3.0).abs() < 1e-14);
/// assert!(det(&from_rows(&[[1.0, 2.0]])?).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn det(a: &Mat<f64>) -> Result<f64> {
    determinant(a)
}
