//! 実対称行列とその固有値分解（式 (2.17)・(2.42)）。

use super::faer_bridge::{from_faer, to_faer};
use super::{ensure_symmetric, ill_conditioned, pow2_scale};
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1, Ix2};

/// 実対称行列の固有値分解 `A = U Λ Uᵀ`（式 (2.17)、§2.4）。
///
/// `values` は昇順の固有値 `λ_1 ≤ … ≤ λ_N`、`vectors` の第 `k` 列が `λ_k` の単位固有ベクトル。
/// `U` は直交行列（`Uᵀ U = I`）なので `U⁻¹ = Uᵀ`、`|det U| = 1` である。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::symmetric_eigen, ndarray::array};
///
/// let e = symmetric_eigen(&array![[3.0, 0.0], [0.0, 1.0]])?;
/// assert_eq!(e.values, array![1.0, 3.0]);
/// // 第 0 列（固有値 1）は ±(0, 1)
/// assert_eq!(e.vectors[[0, 0]], 0.0);
/// assert_eq!(e.vectors[[1, 0]].abs(), 1.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    /// 昇順の固有値。
    pub values: Array1<f64>,
    /// 列が正規直交な固有ベクトルの行列 `U`。
    pub vectors: Array2<f64>,
}

/// 実対称行列の固有値分解（faer の `self_adjoint_eigen`）。
///
/// # Errors
///
/// [`ensure_symmetric`] の誤り。反復が収束しなければ [`crate::Error::IllConditioned`]（`κ = ∞`）。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::symmetric_eigen, ndarray::array, Error};
///
/// let e = symmetric_eigen(&array![[2.0, 1.0], [1.0, 2.0]])?;
/// assert!((e.values[0] - 1.0).abs() < 1e-14 && (e.values[1] - 3.0).abs() < 1e-14);
/// // 固有ベクトルは (1, 1)/√2 の向き
/// assert!((e.vectors[[0, 1]].abs() - 0.5f64.sqrt()).abs() < 1e-14);
/// assert!(matches!(symmetric_eigen(&array![[2.0, 1.0], [0.0, 2.0]]), Err(Error::NotSymmetric { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn symmetric_eigen<'a>(a: impl AsArray<'a, f64, Ix2>) -> Result<SymmetricEigen> {
    let a: ArrayView2<'a, f64> = a.into();
    ensure_symmetric(a)?;
    // 成分が極端な大きさなら 2 の冪 c で割ってから分解し、固有値を c 倍して戻す（1e308 でも途中であふれない）
    let c = pow2_scale(a);
    let evd = to_faer(a.mapv(|v| v / c).view())
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|_| ill_conditioned(f64::INFINITY))?;
    let values: Array1<f64> = evd.S().column_vector().iter().map(|v| v * c).collect();
    Ok(SymmetricEigen {
        values: crate::error::ensure_output("固有値", values)?,
        vectors: from_faer(evd.U()),
    })
}

/// 検査済みの実対称行列と、その固有値分解 `Pᵀ A P = Λ`（式 (2.42)、§2.6）。
///
/// §2.6 では Ising の KL 情報量のヘッセ行列をこの型で持ち、最大固有値 `max_k λ_k` から
/// 学習率の上限を決める（式 (2.44)）。構築時に固有値分解しておくので、以後の固有値の問い合わせは
/// 誤りを返さない。
///
/// # Examples
///
/// ```
/// use genmodel::{linalg::SymmetricMatrix, ndarray::array, Error};
///
/// // [[2, 1], [1, 2]] の固有値は 1 と 3
/// let a = SymmetricMatrix::new(array![[2.0, 1.0], [1.0, 2.0]])?;
/// let ev = a.eigenvalues();
/// assert!((ev[0] - 1.0).abs() < 1e-14 && (ev[1] - 3.0).abs() < 1e-14);
/// assert!(matches!(SymmetricMatrix::new(array![[2.0, 1.0], [0.0, 2.0]]), Err(Error::NotSymmetric { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SymmetricMatrix {
    a: Array2<f64>,
    eigen: SymmetricEigen,
}

impl SymmetricMatrix {
    /// 対称行列を検査し、固有値分解して包む。
    ///
    /// 許容誤差以内の（丸めによる）非対称は `(A + Aᵀ)/2` で消す。
    ///
    /// # Errors
    ///
    /// - 空・正方でない・非有限: [`super::square_dim`] と同じ
    /// - 対称でない: [`crate::Error::NotSymmetric`]
    /// - 固有値の反復が収束しない: [`crate::Error::IllConditioned`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array, Error};
    ///
    /// assert!(SymmetricMatrix::new(array![[5.0]]).is_ok());
    /// assert!(matches!(
    ///     SymmetricMatrix::new(array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 3 })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(a: Array2<f64>) -> Result<Self> {
        ensure_symmetric(&a)?;
        // 成分が大きいと A + Aᵀ があふれるので、半分ずつ足す
        let a = Array2::from_shape_fn(a.dim(), |(i, j)| 0.5 * a[[i, j]] + 0.5 * a[[j, i]]);
        let eigen = symmetric_eigen(&a)?;
        Ok(Self { a, eigen })
    }

    /// 行列の次数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// assert_eq!(SymmetricMatrix::new(array![[0.0]])?.dim(), 1);
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
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// let a = SymmetricMatrix::new(array![[1.0, 2.0], [2.0, 3.0]])?;
    /// assert_eq!(a.get(1, 0), Some(2.0));
    /// assert_eq!(a.get(2, 0), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        self.a.get([i, j]).copied()
    }

    /// 行列 `A`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// let a = SymmetricMatrix::new(array![[1.0, 2.0], [2.0, 3.0]])?;
    /// assert_eq!(a.matrix(), array![[1.0, 2.0], [2.0, 3.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn matrix(&self) -> ArrayView2<'_, f64> {
        self.a.view()
    }

    /// 2 次形式 `vᵀ A v`（式 (2.41)・(2.43) の左辺の形）。
    ///
    /// # Errors
    ///
    /// `v` の長さが `n` でなければ [`crate::Error::DimensionMismatch`]、非有限なら [`crate::Error::NonFinite`]、
    /// 値が `f64` の範囲を超えれば [`crate::Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// let a = SymmetricMatrix::new(array![[2.0, 1.0], [1.0, 2.0]])?;
    /// assert_eq!(a.quadratic_form(&[1.0, -1.0])?, 2.0);
    /// assert!(a.quadratic_form(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn quadratic_form<'a>(&self, v: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let v: ArrayView1<'a, f64> = v.into();
        crate::error::ensure_len(self.dim(), v.len())?;
        crate::error::ensure_finite("ベクトル", v.iter().copied())?;
        crate::error::finite_scalar("2 次形式", v.dot(&self.a.dot(&v)))
    }

    /// 固有値分解 `Pᵀ A P = Λ`（式 (2.42)）。`values` は昇順、`vectors` の第 `k` 列が `λ_k` の単位固有ベクトル。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// let a = SymmetricMatrix::new(array![[2.0, 1.0], [1.0, 2.0]])?;
    /// let e = a.eigen();
    /// // A p = λ p（λ = 3、p は第 1 列）
    /// let p = e.vectors.column(1);
    /// let ap = a.matrix().dot(&p);
    /// assert!((&ap - &(3.0 * &p)).iter().all(|d| d.abs() < 1e-14));
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
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// let a = SymmetricMatrix::new(array![[1.0, 0.0, 0.0], [0.0, -2.0, 0.0], [0.0, 0.0, 5.0]])?;
    /// assert_eq!(a.eigenvalues(), array![-2.0, 1.0, 5.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> ArrayView1<'_, f64> {
        self.eigen.values.view()
    }

    /// 最大固有値 `max_k λ_k`（式 (2.44) の分母）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::Array2};
    ///
    /// // 全成分 1 の 3×3 行列の固有値は 0, 0, 3
    /// let a = SymmetricMatrix::new(Array2::ones((3, 3)))?;
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
    /// use genmodel::{linalg::SymmetricMatrix, ndarray::array};
    ///
    /// let a = SymmetricMatrix::new(array![[1.0, 2.0], [2.0, 1.0]])?;
    /// assert!((a.min_eigenvalue() + 1.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn min_eigenvalue(&self) -> f64 {
        self.eigen.values[0]
    }
}
