//! 対称正定値行列と Cholesky 分解（§2.4 の分散共分散行列）。

use super::faer_bridge::{from_faer, to_faer};
use super::{SymmetricMatrix, ill_conditioned};
use crate::error::{Error, Result, ensure_finite, ensure_len, ensure_output, finite_scalar};
use crate::prec::MAX_CONDITION_NUMBER;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1};

/// 検査済みの対称正定値行列と、その Cholesky 分解 `A = L Lᵀ`。
///
/// 分散共分散行列 `Σ`（§2.4）はこの型で持つ。構築時に対称性・正定値性・条件数を確かめるので、
/// 以後の `ln det`・2 次形式は誤りを返さない。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::Spd, ndarray::array, Error};
///
/// let s = Spd::new(array![[4.0, 2.0], [2.0, 3.0]])?;
/// assert!((s.det() - 8.0).abs() < 1e-12);
/// assert!(matches!(Spd::new(array![[1.0, 2.0], [2.0, 1.0]]), Err(Error::NotPositiveDefinite)));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Spd {
    a: SymmetricMatrix,
    l: Array2<f64>,
}

impl Spd {
    /// 対称正定値行列を検査して包む。
    ///
    /// # Errors
    ///
    /// - 正方でない・空・非有限: [`super::square_dim`] と同じ
    /// - 対称でない: [`Error::NotSymmetric`]
    /// - 最小固有値が 0 以下: [`Error::NotPositiveDefinite`]
    /// - `λ_max / λ_min >` [`MAX_CONDITION_NUMBER`]: [`Error::IllConditioned`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array, Error};
    ///
    /// assert!(Spd::new(array![[1.0, 0.0], [0.0, 1e-3]]).is_ok());
    /// assert!(matches!(Spd::new(array![[1.0, 0.0], [0.0, 1e-12]]), Err(Error::IllConditioned { .. })));
    /// assert!(matches!(Spd::new(array![[1.0, 0.0], [0.0, 0.0]]), Err(Error::NotPositiveDefinite)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(a: Array2<f64>) -> Result<Self> {
        let a = SymmetricMatrix::new(a)?;
        let (min, max) = (a.min_eigenvalue(), a.max_eigenvalue());
        if min <= 0.0 {
            return Err(Error::NotPositiveDefinite);
        }
        let condition = max / min;
        if condition > MAX_CONDITION_NUMBER {
            return Err(ill_conditioned(condition));
        }
        let llt = to_faer(a.matrix())
            .llt(faer::Side::Lower)
            .map_err(|_| Error::NotPositiveDefinite)?;
        let l = from_faer(llt.L());
        Ok(Self { a, l })
    }

    /// 次数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// assert_eq!(Spd::new(array![[2.0]])?.dim(), 1);
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
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// assert_eq!(Spd::new(array![[2.0]])?.matrix()[[0, 0]], 2.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn matrix(&self) -> ArrayView2<'_, f64> {
        self.a.matrix()
    }

    /// Cholesky 因子 `L`（下三角、対角は正、`A = L Lᵀ`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// let s = Spd::new(array![[4.0, 2.0], [2.0, 5.0]])?;
    /// let l = s.cholesky_lower();
    /// assert_eq!((l[[0, 0]], l[[1, 0]], l[[0, 1]]), (2.0, 1.0, 0.0));
    /// assert!((l[[1, 1]] - 2.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn cholesky_lower(&self) -> ArrayView2<'_, f64> {
        self.l.view()
    }

    /// 昇順の固有値 `λ_1 ≤ … ≤ λ_N`（すべて正）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// let s = Spd::new(array![[3.0, 0.0], [0.0, 1.0]])?;
    /// assert_eq!(s.eigenvalues(), array![1.0, 3.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> ArrayView1<'_, f64> {
        self.a.eigenvalues()
    }

    /// 条件数 `λ_max / λ_min`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// let s = Spd::new(array![[3.0, 0.0], [0.0, 1.0]])?;
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
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// let s = Spd::new(array![[4.0, 2.0], [2.0, 3.0]])?;
    /// assert!((s.ln_det() - 8f64.ln()).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ln_det(&self) -> f64 {
        2.0 * self.l.diag().iter().map(|d| d.ln()).sum::<f64>()
    }

    /// `det A = exp(ln det A)`。
    ///
    /// `det A` が `f64` の範囲を超えれば `+∞`、下回れば `0` を返す（そのときは [`Spd::ln_det`] を使う）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::{array, Array2}};
    ///
    /// assert!((Spd::new(array![[2.0, 0.0], [0.0, 3.0]])?.det() - 6.0).abs() < 1e-14);
    /// // 1e200 · 1e200 は f64 の範囲の外: det は +∞、ln det は有限
    /// let big = Spd::new(Array2::from_diag(&array![1e200, 1e200]))?;
    /// assert_eq!(big.det(), f64::INFINITY);
    /// assert!((big.ln_det() - 400.0 * 10f64.ln()).abs() < 1e-10);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn det(&self) -> f64 {
        self.ln_det().exp()
    }

    /// 逆行列 `A⁻¹ = L⁻ᵀ L⁻¹`（対称にそろえてある）。
    ///
    /// # Errors
    ///
    /// 成分が `f64` の範囲を超えれば [`Error::Overflow`]（`A = 1e-300 I` など）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array, Error};
    ///
    /// let inv = Spd::new(array![[4.0, 2.0], [2.0, 3.0]])?.inverse()?;
    /// // [[3, -2], [-2, 4]] / 8
    /// assert!((inv[[0, 1]] + 0.25).abs() < 1e-15 && (inv[[1, 1]] - 0.5).abs() < 1e-15);
    /// assert_eq!(inv[[0, 1]], inv[[1, 0]]);
    /// assert!(matches!(Spd::new(array![[1e-320]])?.inverse(), Err(Error::Overflow { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn inverse(&self) -> Result<Array2<f64>> {
        let n = self.dim();
        // L⁻¹ の列を前進代入で求め、A⁻¹ = L⁻ᵀ L⁻¹ とする
        let mut linv = Array2::<f64>::zeros((n, n));
        for c in 0..n {
            let e = Array1::from_shape_fn(n, |i| f64::from(u8::from(i == c)));
            linv.column_mut(c)
                .assign(&self.forward_substitute(e.view()));
        }
        // (A⁻¹)_ij = Σ_k (L⁻¹)_ki (L⁻¹)_kj の下三角を求めて上三角に写す（厳密に対称）
        let mut inv = Array2::<f64>::zeros((n, n));
        for i in 0..n {
            for j in 0..=i {
                let v: f64 = (0..n).map(|k| linv[[k, i]] * linv[[k, j]]).sum();
                inv[[i, j]] = v;
                inv[[j, i]] = v;
            }
        }
        ensure_output("逆行列", inv)
    }

    /// `L z = v` を解いた `z = L⁻¹ v`。
    fn forward_substitute(&self, v: ArrayView1<'_, f64>) -> Array1<f64> {
        let n = self.dim();
        let mut z = Array1::<f64>::zeros(n);
        for i in 0..n {
            let s: f64 = (0..i).map(|k| self.l[[i, k]] * z[k]).sum();
            z[i] = (v[i] - s) / self.l[[i, i]];
        }
        z
    }

    /// 2 次形式 `vᵀ A⁻¹ v`（式 (2.15) の指数の `(x - μ)ᵀ Σ⁻¹ (x - μ)`）。
    ///
    /// `z = L⁻¹ v` とおけば `vᵀ A⁻¹ v = |z|²` なので、逆行列を作らずに求める。
    ///
    /// # Errors
    ///
    /// `v` の長さが次数と違えば [`Error::DimensionMismatch`]、非有限なら [`Error::NonFinite`]、
    /// 値が `f64` の範囲を超えれば [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// let s = Spd::new(array![[4.0, 0.0], [0.0, 9.0]])?;
    /// assert!((s.inv_quad_form(&[2.0, 3.0])? - 2.0).abs() < 1e-15);
    /// assert!(s.inv_quad_form(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn inv_quad_form<'a>(&self, v: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let v: ArrayView1<'a, f64> = v.into();
        ensure_len(self.dim(), v.len())?;
        ensure_finite("ベクトル", v.iter().copied())?;
        finite_scalar(
            "2 次形式",
            self.forward_substitute(v).iter().map(|z| z * z).sum(),
        )
    }

    /// `L v`（標準正規の乱数 `v` から共分散 `A` の乱数を作るのに使う）。
    ///
    /// # Errors
    ///
    /// `v` の長さが次数と違えば [`Error::DimensionMismatch`]、非有限なら [`Error::NonFinite`]、
    /// 成分が `f64` の範囲を超えれば [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::Spd, ndarray::array};
    ///
    /// let s = Spd::new(array![[4.0, 2.0], [2.0, 5.0]])?;
    /// let lv = s.cholesky_mul(&[1.0, 1.0])?;
    /// assert!((lv[0] - 2.0).abs() < 1e-15 && (lv[1] - 3.0).abs() < 1e-15);
    /// assert!(s.cholesky_mul(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn cholesky_mul<'a>(&self, v: impl AsArray<'a, f64, Ix1>) -> Result<Array1<f64>> {
        let v: ArrayView1<'a, f64> = v.into();
        ensure_len(self.dim(), v.len())?;
        ensure_finite("ベクトル", v.iter().copied())?;
        ensure_output("L v", self.l.dot(&v))
    }
}
