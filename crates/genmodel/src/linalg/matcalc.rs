//! 行列の微分公式（付録 A の式 (A.1)–(A.8)。ノート §10 の (10.1)–(10.8)）。
//!
//! 微分の約束: スカラー `f(A)` の行列 `A` による微分 `df/dA` は、`A` の `n²` 個の成分を
//! **互いに独立な変数**とみなした偏微分を並べた行列 `(df/dA)_ij = ∂f/∂A_ij` である。
//! 対称行列に制限した微分（`A_ij` と `A_ji` を一緒に動かす）とは非対角成分が 2 倍違う。
//!
//! ここの関数は公式の右辺（閉じた形）を計算する。テストはそれを中心差分と比べる。

use crate::error::{Error, Result, ensure_finite, ensure_len, ensure_output, finite_scalar};
use crate::linalg::{determinant, ensure_symmetric, inverse, square_dim};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};

fn check_vec<'a>(n: usize, x: impl AsArray<'a, f64, Ix1>) -> Result<ArrayView1<'a, f64>> {
    let x: ArrayView1<'a, f64> = x.into();
    ensure_len(n, x.len())?;
    ensure_finite("ベクトル x", x.iter().copied())?;
    Ok(x)
}

fn check_square<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<(ArrayView2<'a, f64>, usize)> {
    let a: ArrayView2<'a, f64> = a.into();
    let n = square_dim(a)?;
    Ok((a, n))
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
/// use genmodel::{linalg::matcalc::quadratic_form, ndarray::array};
///
/// let a = array![[1.0, 2.0], [0.0, 3.0]];
/// assert_eq!(quadratic_form(&a, &[1.0, 1.0])?, 6.0);
/// assert!(quadratic_form(&a, &[1.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn quadratic_form<'a, 'b>(
    a: impl AsArray<'a, f64, Ix2>,
    x: impl AsArray<'b, f64, Ix1>,
) -> Result<f64> {
    let (a, n) = check_square(a)?;
    let x = check_vec(n, x)?;
    finite_scalar("2 次形式", x.dot(&a.dot(&x)))
}

/// `d/dx (xᵀ A x) = (A + Aᵀ) x`（式 (A.1)）。`A` は対称でなくてよい。
///
/// # Errors
///
/// [`quadratic_form`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::grad_quadratic_form, ndarray::array};
///
/// let a = array![[1.0, 2.0], [0.0, 3.0]];
/// // (A + Aᵀ) = [[2, 2], [2, 6]]
/// assert_eq!(grad_quadratic_form(&a, &[1.0, 1.0])?, array![4.0, 8.0]);
/// assert!(grad_quadratic_form(&a, &[1.0, 2.0, 3.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_quadratic_form<'a, 'b>(
    a: impl AsArray<'a, f64, Ix2>,
    x: impl AsArray<'b, f64, Ix1>,
) -> Result<Array1<f64>> {
    let (a, n) = check_square(a)?;
    let x = check_vec(n, x)?;
    ensure_output("勾配", a.dot(&x) + a.t().dot(&x))
}

/// 対称行列 `S` について `d/dx (xᵀ S x) = 2 S x`（式 (A.2)。`S = Σ⁻¹` のとき）。
///
/// # Errors
///
/// `S` が対称でなければ [`Error::NotSymmetric`]（非対称なら (A.1) を使う）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::grad_quadratic_form_symmetric, Error, ndarray::array};
///
/// let s = array![[2.0, 1.0], [1.0, 3.0]];
/// assert_eq!(grad_quadratic_form_symmetric(&s, &[1.0, 0.0])?, array![4.0, 2.0]);
/// let a = array![[1.0, 2.0], [0.0, 3.0]];
/// assert!(matches!(grad_quadratic_form_symmetric(&a, &[1.0, 1.0]), Err(Error::NotSymmetric { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn grad_quadratic_form_symmetric<'a, 'b>(
    s: impl AsArray<'a, f64, Ix2>,
    x: impl AsArray<'b, f64, Ix1>,
) -> Result<Array1<f64>> {
    let s: ArrayView2<'a, f64> = s.into();
    ensure_symmetric(s)?;
    let x = check_vec(s.nrows(), x)?;
    ensure_output("勾配", 2.0 * s.dot(&x))
}

/// `d/dA (xᵀ A x) = x xᵀ`、すなわち `∂(xᵀ A x)/∂A_ij = x_i x_j`（式 (A.3)・(A.4)）。
///
/// # Errors
///
/// `x` が空なら [`Error::EmptyInput`]、非有限なら [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::linalg::matcalc::grad_quadratic_form_wrt_matrix;
///
/// let g = grad_quadratic_form_wrt_matrix(&[1.0, 2.0])?;
/// assert_eq!((g[[0, 1]], g[[1, 1]]), (2.0, 4.0));
/// assert!(grad_quadratic_form_wrt_matrix(&[]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_quadratic_form_wrt_matrix<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<Array2<f64>> {
    let x: ArrayView1<'a, f64> = x.into();
    if x.is_empty() {
        return Err(Error::EmptyInput);
    }
    let x = check_vec(x.len(), x)?;
    ensure_output(
        "x xᵀ",
        Array2::from_shape_fn((x.len(), x.len()), |(i, j)| x[i] * x[j]),
    )
}

/// `d/dA tr(A B) = Bᵀ`、すなわち `∂ tr(AB)/∂A_ij = B_ji`（式 (A.3) の途中の一般形）。
///
/// `B = x xᵀ` は対称なので (A.4) では転置が見えないが、`B` が非対称なら転置が要る。
///
/// # Errors
///
/// `B` が正方でない・非有限なら誤り。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::grad_trace_product, ndarray::array};
///
/// let b = array![[1.0, 2.0], [3.0, 4.0]];
/// let g = grad_trace_product(&b)?;
/// assert_eq!((g[[0, 1]], g[[1, 0]]), (3.0, 2.0));
/// assert!(grad_trace_product(&array![[1.0, 2.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_trace_product<'a>(b: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    let (b, _) = check_square(b)?;
    Ok(b.t().to_owned())
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
/// use genmodel::{linalg::matcalc::minor, ndarray::array};
///
/// let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]];
/// // 第 0 行と第 1 列を除くと [[4, 6], [7, 10]]、行列式 40 - 42 = -2
/// assert!((minor(&a, 0, 1)? - (-2.0)).abs() < 1e-13);
/// assert!(minor(&a, 3, 0).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn minor<'a>(a: impl AsArray<'a, f64, Ix2>, i: usize, j: usize) -> Result<f64> {
    let (a, n) = check_square(a)?;
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
    let sub = Array2::from_shape_fn((n - 1, n - 1), |(r, c)| {
        a[[if r < i { r } else { r + 1 }, if c < j { c } else { c + 1 }]]
    });
    determinant(&sub)
}

fn sign(i: usize, j: usize) -> f64 {
    if (i + j) % 2 == 0 { 1.0 } else { -1.0 }
}

/// 第 `i` 行に沿った余因子展開 `det A = Σ_j (-1)^{i+j} A_ij m_ij`（式 (A.5)。`i` は固定）。
///
/// # Errors
///
/// [`minor`] と同じ（`i` が範囲外なら [`Error::DimensionMismatch`]）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::{determinant, matcalc::cofactor_expansion}, ndarray::array};
///
/// let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]];
/// for i in 0..3 {
///     assert!((cofactor_expansion(&a, i)? - determinant(&a)?).abs() < 1e-12);
/// }
/// assert!(cofactor_expansion(&a, 5).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn cofactor_expansion<'a>(a: impl AsArray<'a, f64, Ix2>, i: usize) -> Result<f64> {
    let (a, n) = check_square(a)?;
    if i >= n {
        return Err(Error::DimensionMismatch {
            expected: n,
            actual: i,
        });
    }
    let mut s = 0.0;
    for j in 0..n {
        s += sign(i, j) * a[[i, j]] * minor(a, i, j)?;
    }
    finite_scalar("余因子展開", s)
}

/// 余因子行列 `C_ij = (-1)^{i+j} m_ij`。`d/dA det A = C`（式 (A.6)）。
///
/// # Errors
///
/// `A` が正方でない・非有限なら誤り。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::cofactor_matrix, ndarray::array};
///
/// let c = cofactor_matrix(&array![[1.0, 2.0], [3.0, 4.0]])?;
/// assert_eq!((c[[0, 0]], c[[0, 1]], c[[1, 0]], c[[1, 1]]), (4.0, -3.0, -2.0, 1.0));
/// assert!(cofactor_matrix(&array![[1.0, 2.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn cofactor_matrix<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    let (a, n) = check_square(a)?;
    let mut c = Array2::<f64>::zeros((n, n));
    for ((i, j), cij) in c.indexed_iter_mut() {
        *cij = sign(i, j) * minor(a, i, j)?;
    }
    Ok(c)
}

/// 行列式の勾配 `d/dA det A = C`（余因子行列。式 (A.6)）。
///
/// # Errors
///
/// [`cofactor_matrix`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::grad_det, ndarray::array};
///
/// // det [[a, b], [c, d]] = ad - bc。∂/∂b = -c
/// let g = grad_det(&array![[1.0, 2.0], [3.0, 4.0]])?;
/// assert_eq!(g[[0, 1]], -3.0);
/// // 非有限の成分は誤り
/// let bad = array![[f64::NAN]];
/// assert!(grad_det(&bad).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_det<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    cofactor_matrix(a)
}

/// 余因子行列の転置（古典的随伴行列）`adj A = Cᵀ`。`A adj(A) = adj(A) A = det(A) I`（式 (A.7)）。
///
/// # Errors
///
/// [`cofactor_matrix`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::adjugate, ndarray::array};
///
/// let adj = adjugate(&array![[1.0, 2.0], [3.0, 4.0]])?;
/// // adj [[a, b], [c, d]] = [[d, -b], [-c, a]]
/// assert_eq!((adj[[0, 0]], adj[[0, 1]], adj[[1, 0]], adj[[1, 1]]), (4.0, -2.0, -3.0, 1.0));
/// assert!(adjugate(&array![[1.0, 2.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn adjugate<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    Ok(cofactor_matrix(a)?.reversed_axes())
}

/// `d/dA ln |det A| = C / det A = (A⁻¹)ᵀ`（式 (A.7)）。
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
/// use genmodel::{linalg::matcalc::grad_ln_abs_det, Error, ndarray::array};
///
/// // A = [[2, 1], [0, 4]]、A⁻¹ = [[1/2, -1/8], [0, 1/4]]
/// let g = grad_ln_abs_det(&array![[2.0, 1.0], [0.0, 4.0]])?;
/// assert!((g[[1, 0]] - (-0.125)).abs() < 1e-15 && g[[0, 1]].abs() < 1e-15);
/// assert!(matches!(
///     grad_ln_abs_det(&array![[1.0, 2.0], [2.0, 4.0]]),
///     Err(Error::IllConditioned { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
pub fn grad_ln_abs_det<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
    Ok(inverse(a)?.reversed_axes())
}

/// `Λ = Σ⁻¹` の関数としての `d/dΛ ln det Σ = d/dΛ (-ln det Λ) = -Λ⁻ᵀ = -Σᵀ`（式 (A.8)）。
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
/// use genmodel::{linalg::matcalc::grad_ln_det_cov_wrt_precision, ndarray::array};
///
/// // Λ = diag(2, 4) なら Σ = diag(1/2, 1/4)
/// let g = grad_ln_det_cov_wrt_precision(&array![[2.0, 0.0], [0.0, 4.0]])?;
/// assert!((g[[0, 0]] + 0.5).abs() < 1e-15 && (g[[1, 1]] + 0.25).abs() < 1e-15);
/// assert!(grad_ln_det_cov_wrt_precision(&array![[0.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn grad_ln_det_cov_wrt_precision<'a>(
    precision: impl AsArray<'a, f64, Ix2>,
) -> Result<Array2<f64>> {
    Ok(-grad_ln_abs_det(precision)?)
}

/// 行列式を LU 分解で求める（[`crate::linalg::determinant`] の再輸出。テストの比較相手）。
///
/// # Errors
///
/// [`crate::linalg::determinant`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::matcalc::det, ndarray::array};
///
/// assert!((det(&array![[2.0, 1.0], [1.0, 2.0]])? - 3.0).abs() < 1e-14);
/// assert!(det(&array![[1.0, 2.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn det<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
    determinant(a)
}
