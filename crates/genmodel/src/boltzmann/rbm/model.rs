//! 制限ボルツマンマシン [`Rbm`] のエネルギー、自由エネルギー、層ごとの条件つき分布。

use super::{MAX_ENUMERATION_L1, ensure_binary, sigmoid, softplus};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1};

/// `Σ|θ|` の上限。活性 `c_j + (Wᵀv)_j` などは `|·| ≤ Σ|θ|` なので、これ以下なら途中の値があふれない。
const MAX_PARAM_L1: f64 = 1e100;

/// `{0, 1}` のユニットの制限ボルツマンマシン: `E(v, h) = −bᵀv − cᵀh − vᵀWh`。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
///
/// // 可視 2・隠れ 1: E(v = (1, 1), h = (1)) = −(b_0 + b_1) − c_0 − (W_00 + W_10) = −0.3 − 0.3 + 0.5
/// let rbm = Rbm::new(array![[0.5], [-1.0]], array![0.1, 0.2], array![0.3])?;
/// assert!((rbm.energy(&[1u8, 1], &[1u8])? + 0.1).abs() < 1e-15);
/// assert!(rbm.energy(&[1u8], &[1u8]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rbm {
    pub(super) w: Array2<f64>,
    pub(super) b: Array1<f64>,
    pub(super) c: Array1<f64>,
}

impl Rbm {
    /// 重み `W`（`N_v × N_h`、行が可視ユニット・列が隠れユニット）、可視バイアス `b`（長さ `N_v`）、
    /// 隠れバイアス `c`（長さ `N_h`）からモデルを作る。
    ///
    /// # Errors
    ///
    /// - `N_v == 0` か `N_h == 0`: [`Error::EmptyInput`]
    /// - `b` の長さが `N_v` でない、`c` の長さが `N_h` でない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - `Σ|W_ij| + Σ|b_i| + Σ|c_j| > 1e100`（活性があふれうる）: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::{array, Array2}, Error};
    ///
    /// assert!(Rbm::new(Array2::zeros((3, 2)), array![0.0, 0.0, 0.0], array![0.0, 0.0]).is_ok());
    /// assert_eq!(
    ///     Rbm::new(Array2::zeros((3, 2)), array![0.0, 0.0], array![0.0, 0.0]),
    ///     Err(Error::DimensionMismatch { expected: 3, actual: 2 })
    /// );
    /// assert!(matches!(
    ///     Rbm::new(array![[f64::NAN]], array![0.0], array![0.0]),
    ///     Err(Error::NonFinite { .. })
    /// ));
    /// assert!(matches!(
    ///     Rbm::new(array![[1e300]], array![0.0], array![0.0]),
    ///     Err(Error::InvalidParameter { .. })
    /// ));
    /// assert_eq!(Rbm::new(Array2::zeros((0, 2)), array![], array![0.0, 0.0]), Err(Error::EmptyInput));
    /// ```
    pub fn new(w: Array2<f64>, b: Array1<f64>, c: Array1<f64>) -> Result<Self> {
        let (nv, nh) = w.dim();
        if nv == 0 || nh == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(nv, b.len())?;
        ensure_len(nh, c.len())?;
        ensure_finite("重み W", w.iter().copied())?;
        ensure_finite("可視バイアス b", b.iter().copied())?;
        ensure_finite("隠れバイアス c", c.iter().copied())?;
        let l1: f64 = w
            .iter()
            .chain(b.iter())
            .chain(c.iter())
            .map(|v| v.abs())
            .sum();
        if l1.is_nan() || l1 > MAX_PARAM_L1 {
            return Err(Error::InvalidParameter {
                name: "Σ|θ|",
                value: l1,
                requirement: "1e100 以下",
            });
        }
        Ok(Self { w, b, c })
    }

    /// 可視ユニットの数 `N_v`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::{array, Array2}};
    ///
    /// let rbm = Rbm::new(Array2::zeros((3, 2)), array![0.0, 0.0, 0.0], array![0.0, 0.0])?;
    /// assert_eq!((rbm.n_visible(), rbm.n_hidden()), (3, 2));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_visible(&self) -> usize {
        self.b.len()
    }

    /// 隠れユニットの数 `N_h`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// assert_eq!(Rbm::new(array![[0.0, 1.0]], array![0.0], array![0.0, 0.0])?.n_hidden(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_hidden(&self) -> usize {
        self.c.len()
    }

    /// 重み `W`（`N_v × N_h`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// assert_eq!(Rbm::new(array![[2.0]], array![0.0], array![0.0])?.weights(), array![[2.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.w.view()
    }

    /// 可視バイアス `b`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// assert_eq!(Rbm::new(array![[0.0]], array![0.5], array![0.0])?.visible_bias(), array![0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn visible_bias(&self) -> ArrayView1<'_, f64> {
        self.b.view()
    }

    /// 隠れバイアス `c`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// assert_eq!(Rbm::new(array![[0.0]], array![0.0], array![-1.5])?.hidden_bias(), array![-1.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn hidden_bias(&self) -> ArrayView1<'_, f64> {
        self.c.view()
    }

    /// パラメータの絶対値の和 `Σ|W_ij| + Σ|b_i| + Σ|c_j|`。
    fn param_l1(&self) -> f64 {
        self.w
            .iter()
            .chain(self.b.iter())
            .chain(self.c.iter())
            .map(|v| v.abs())
            .sum()
    }

    /// 確率・モーメント・対数尤度・勾配を列挙で求められる精度 `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` であることを確かめる
    /// （理由はモジュールの説明の「精度の上限」）。超えれば [`Error::InvalidParameter`]（`name` は `"Σ|θ|"`）。
    pub(super) fn ensure_precise(&self) -> Result<()> {
        let l1 = self.param_l1();
        if l1 > MAX_ENUMERATION_L1 {
            return Err(Error::InvalidParameter {
                name: "Σ|θ|",
                value: l1,
                requirement: "確率・モーメント・対数尤度・勾配の列挙では MAX_ENUMERATION_L1 = 1e4 以下（丸め誤差を 1e-9 程度に保つ）",
            });
        }
        Ok(())
    }

    /// 長さ `len` の `{0, 1}` のベクトルを検査する。
    fn check_units<'a>(len: usize, x: impl AsArray<'a, u8, Ix1>) -> Result<ArrayView1<'a, u8>> {
        let x: ArrayView1<'a, u8> = x.into();
        ensure_len(len, x.len())?;
        ensure_binary(x.iter())?;
        Ok(x)
    }

    /// 検査済みの `v` から隠れ層の活性 `c + Wᵀv` を求める（`v_i = 1` の行だけを足す）。
    pub(super) fn hidden_activation(&self, v: ArrayView1<'_, u8>) -> Array1<f64> {
        let mut a = self.c.clone();
        for (row, _) in self.w.rows().into_iter().zip(v).filter(|(_, x)| **x == 1) {
            a += &row;
        }
        a
    }

    /// 検査済みの `h` から可視層の活性 `b + Wh` を求める（`h_j = 1` の列だけを足す）。
    fn visible_activation(&self, h: ArrayView1<'_, u8>) -> Array1<f64> {
        let mut a = self.b.clone();
        for (col, _) in self
            .w
            .columns()
            .into_iter()
            .zip(h)
            .filter(|(_, x)| **x == 1)
        {
            a += &col;
        }
        a
    }

    /// 検査済みの `v` の自由エネルギー `F(v)`（[`Rbm::free_energy`]）。
    pub(super) fn free_energy_unchecked(&self, v: ArrayView1<'_, u8>) -> f64 {
        let bv: f64 = self
            .b
            .iter()
            .zip(v)
            .filter(|(_, x)| **x == 1)
            .map(|(bi, _)| bi)
            .sum();
        -bv - self
            .hidden_activation(v)
            .iter()
            .map(|&a| softplus(a))
            .sum::<f64>()
    }

    /// エネルギー `E(v, h) = −bᵀv − cᵀh − vᵀWh`。
    ///
    /// # Errors
    ///
    /// 長さが `N_v`・`N_h` でなければ [`Error::DimensionMismatch`]、`0`・`1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// let rbm = Rbm::new(array![[1.0, 2.0]], array![0.5], array![0.25, -1.0])?;
    /// // v = (1), h = (0, 1): −0.5 − (−1) − 2 = −1.5
    /// assert_eq!(rbm.energy(&[1u8], &[0u8, 1])?, -1.5);
    /// assert!(rbm.energy(&[1u8], &[0u8, 3]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy<'a, 'b>(
        &self,
        v: impl AsArray<'a, u8, Ix1>,
        h: impl AsArray<'b, u8, Ix1>,
    ) -> Result<f64> {
        let v = Self::check_units(self.n_visible(), v)?;
        let h = Self::check_units(self.n_hidden(), h)?;
        let act = self.hidden_activation(v);
        let bv: f64 = self.b.iter().zip(v).map(|(bi, &x)| bi * f64::from(x)).sum();
        let ch: f64 = act.iter().zip(h).map(|(a, &x)| a * f64::from(x)).sum();
        Ok(-bv - ch)
    }

    /// 自由エネルギー `F(v) = −ln Σ_h exp(−E(v, h)) = −bᵀv − Σ_j softplus(c_j + (Wᵀv)_j)`。
    ///
    /// 隠れユニットは `v` を与えると独立なので、`h` の和は `Π_j (1 + exp(c_j + (Wᵀv)_j))` に分かれる。
    /// softplus は [`super::softplus`] で桁あふれなしに求める。
    ///
    /// # Errors
    ///
    /// 長さが `N_v` でなければ [`Error::DimensionMismatch`]、`0`・`1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// // 可視 1・隠れ 1: F(1) = −b − ln(1 + e^{c + W})
    /// let rbm = Rbm::new(array![[0.7]], array![0.2], array![-0.3])?;
    /// let want = -0.2 - (1.0 + 0.4f64.exp()).ln();
    /// assert!((rbm.free_energy(&[1u8])? - want).abs() < 1e-15);
    /// // 重みが大きくても有限: F(1) = −(1e3 + 1e3)
    /// let big = Rbm::new(array![[1e3]], array![1e3], array![0.0])?;
    /// assert_eq!(big.free_energy(&[1u8])?, -2e3);
    /// assert!(rbm.free_energy(&[1u8, 0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_energy<'a>(&self, v: impl AsArray<'a, u8, Ix1>) -> Result<f64> {
        let v = Self::check_units(self.n_visible(), v)?;
        Ok(self.free_energy_unchecked(v))
    }

    /// 隠れユニットの条件つき確率 `q(h_j = 1 | v) = σ(c_j + (Wᵀv)_j)`（長さ `N_h`）。
    ///
    /// 精度: 誤差は活性 `c_j + (Wᵀv)_j` の丸め誤差（`N_v ε (|c_j| + Σ_i |W_ij|)` 以下）の `1/4` 以下である（`σ' ≤ 1/4`）。
    /// 1 つの活性に入るパラメータだけで決まるので、`Σ|θ|` の精度の上限 [`MAX_ENUMERATION_L1`] は求めない
    /// （モジュールの説明の「精度の上限」）。大きな活性は `σ` が `0`・`1` に丸めるだけで、正しい。
    ///
    /// # Errors
    ///
    /// 長さが `N_v` でなければ [`Error::DimensionMismatch`]、`0`・`1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
    ///
    /// let rbm = Rbm::new(array![[1.0, -2.0]], array![0.0], array![0.0, 2.0])?;
    /// // v = (1): 活性は (1, 0)
    /// let p = rbm.p_h_given_v(&[1u8])?;
    /// assert!((p[0] - 1.0 / (1.0 + (-1f64).exp())).abs() < 1e-15);
    /// assert_eq!(p[1], 0.5);
    /// assert!(rbm.p_h_given_v(&[2u8]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn p_h_given_v<'a>(&self, v: impl AsArray<'a, u8, Ix1>) -> Result<Array1<f64>> {
        let v = Self::check_units(self.n_visible(), v)?;
        Ok(self.hidden_activation(v).mapv(sigmoid))
    }

    /// 可視ユニットの条件つき確率 `q(v_i = 1 | h) = σ(b_i + (Wh)_i)`（長さ `N_v`）。
    ///
    /// 精度は [`Rbm::p_h_given_v`] と同じ（誤差は活性 `b_i + (Wh)_i` の丸め誤差の `1/4` 以下）。
    ///
    /// # Errors
    ///
    /// 長さが `N_h` でなければ [`Error::DimensionMismatch`]、`0`・`1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::Rbm, ndarray::array, Error};
    ///
    /// let rbm = Rbm::new(array![[1.0, -2.0]], array![0.5], array![0.0, 0.0])?;
    /// // h = (1, 1): 活性は 0.5 + 1 − 2 = −0.5
    /// let p = rbm.p_v_given_h(&[1u8, 1])?;
    /// assert!((p[0] - 1.0 / (1.0 + 0.5f64.exp())).abs() < 1e-15);
    /// assert_eq!(rbm.p_v_given_h(&[1u8]), Err(Error::DimensionMismatch { expected: 2, actual: 1 }));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn p_v_given_h<'a>(&self, h: impl AsArray<'a, u8, Ix1>) -> Result<Array1<f64>> {
        let h = Self::check_units(self.n_hidden(), h)?;
        Ok(self.visible_activation(h).mapv(sigmoid))
    }
}
