//! ユニットの値を `±1` にした RBM [`SpinRbm`] と、`{0, 1}` の RBM [`Rbm`] との書き換え。
//!
//! `v = (s + 𝟏)/2`、`h = (t + 𝟏)/2`（`s ∈ {±1}^{N_v}`、`t ∈ {±1}^{N_h}`）を `E₀₁(v, h) = −bᵀv − cᵀh − vᵀWh` に入れると
//!
//! - `bᵀv = bᵀs/2 + Σ_i b_i/2`、`cᵀh = cᵀt/2 + Σ_j c_j/2`
//! - `vᵀWh = (sᵀWt + sᵀW𝟏 + 𝟏ᵀWt + 𝟏ᵀW𝟏)/4`
//!
//! なので、`E₀₁(v, h) = E_±(s, t) + K`、
//!
//! - `E_±(s, t) = −b'ᵀs − c'ᵀt − sᵀW't`
//! - `W' = W/4`、`b' = b/2 + W𝟏/4`、`c' = c/2 + Wᵀ𝟏/4`
//! - `K = −(Σ_i b_i/2 + Σ_j c_j/2 + Σ_ij W_ij/4) = Σ_ij W'_ij − Σ_i b'_i − Σ_j c'_j`（[`SpinRbm::offset`]）
//!
//! である。`K` は状態によらないので、同時分布・周辺分布・条件つき分布は変わらず、
//! 自由エネルギーも同じ定数だけずれる: `F₀₁(v) = F_±(s) + K`。規格化定数は
//! `Z₀₁ = Σ exp(−E_± − K) = e^{−K} Z_±`、すなわち `ln Z_± = ln Z₀₁ + K` である。
//! 逆向きは `W = 4W'`、`b = 2b' − 2W'𝟏`、`c = 2c' − 2W'ᵀ𝟏`。

use super::model::Rbm;
use crate::error::{Error, Result, ensure_finite, ensure_len};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Ix1};

/// `Σ|θ|` の上限（[`Rbm::new`] と同じ）。活性 `c'_j + (W'ᵀs)_j` は `|·| ≤ Σ|θ|` なので、これ以下ならあふれない。
const MAX_PARAM_L1: f64 = 1e100;

/// `±1` のユニットの制限ボルツマンマシン: `E_±(s, t) = −b'ᵀs − c'ᵀt − sᵀW't`。
///
/// `{0, 1}` の [`Rbm`] とは [`SpinRbm::from_binary`]・[`SpinRbm::to_binary`] で行き来でき、
/// エネルギーは状態によらない定数 [`SpinRbm::offset`] だけずれる（[モジュールの説明](self)）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::rbm::{Rbm, SpinRbm}, ndarray::array};
///
/// let rbm = Rbm::new(array![[0.8, -0.4]], array![0.2], array![0.1, -0.3])?;
/// let spin = SpinRbm::from_binary(&rbm)?;
/// // v = (1), h = (0, 1) は s = (1), t = (−1, 1)
/// let e01 = rbm.energy(&[1u8], &[0u8, 1])?;
/// let epm = spin.energy(&[1i8], &[-1i8, 1])?;
/// assert!((e01 - epm - spin.offset()).abs() < 1e-15);
/// assert!((spin.log_z()? - rbm.log_z()? - spin.offset()).abs() < 1e-14);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SpinRbm {
    w: Array2<f64>,
    b: Array1<f64>,
    c: Array1<f64>,
}

impl SpinRbm {
    /// 重み `W'`（`N_v × N_h`）、可視バイアス `b'`（長さ `N_v`）、隠れバイアス `c'`（長さ `N_h`）から作る。
    ///
    /// # Errors
    ///
    /// [`Rbm::new`] と同じ（空、長さの不一致、NaN・±∞、`Σ|θ| > 1e100`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::{array, Array2}, Error};
    ///
    /// let spin = SpinRbm::new(array![[0.5]], array![0.0], array![0.0])?;
    /// assert_eq!(spin.energy(&[1i8], &[-1i8])?, 0.5);
    /// assert_eq!(
    ///     SpinRbm::new(Array2::zeros((2, 1)), array![0.0], array![0.0]),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(w: Array2<f64>, b: Array1<f64>, c: Array1<f64>) -> Result<Self> {
        let (nv, nh) = w.dim();
        if nv == 0 || nh == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(nv, b.len())?;
        ensure_len(nh, c.len())?;
        ensure_finite("重み W'", w.iter().copied())?;
        ensure_finite("可視バイアス b'", b.iter().copied())?;
        ensure_finite("隠れバイアス c'", c.iter().copied())?;
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

    /// `{0, 1}` の RBM を `±1` のユニットに書き換える: `W' = W/4`、`b' = b/2 + W𝟏/4`、`c' = c/2 + Wᵀ𝟏/4`。
    ///
    /// # Errors
    ///
    /// 書き換えたパラメータの `Σ|θ'|` は元の `Σ|θ|` 以下なので、有効な [`Rbm`] からは失敗しない
    /// （[`SpinRbm::new`] の検査を通す）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{Rbm, SpinRbm}, ndarray::array};
    ///
    /// let spin = SpinRbm::from_binary(&Rbm::new(array![[2.0]], array![1.0], array![-1.0])?)?;
    /// // W' = 0.5、b' = 0.5 + 0.5 = 1、c' = −0.5 + 0.5 = 0
    /// assert_eq!(spin.weights(), array![[0.5]]);
    /// assert_eq!(spin.visible_bias(), array![1.0]);
    /// assert_eq!(spin.hidden_bias(), array![0.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_binary(rbm: &Rbm) -> Result<Self> {
        let w = &rbm.w / 4.0;
        let b = &rbm.b / 2.0 + &(w.sum_axis(ndarray::Axis(1)));
        let c = &rbm.c / 2.0 + &(w.sum_axis(ndarray::Axis(0)));
        Self::new(w, b, c)
    }

    /// `{0, 1}` の RBM に戻す: `W = 4W'`、`b = 2b' − 2W'𝟏`、`c = 2c' − 2W'ᵀ𝟏`（[`SpinRbm::from_binary`] の逆）。
    ///
    /// # Errors
    ///
    /// 戻したパラメータの `Σ|θ|` が `1e100` を超えれば [`Error::InvalidParameter`]（[`Rbm::new`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{Rbm, SpinRbm}, ndarray::array};
    ///
    /// let rbm = Rbm::new(array![[2.0]], array![1.0], array![-1.0])?;
    /// assert_eq!(SpinRbm::from_binary(&rbm)?.to_binary()?, rbm);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn to_binary(&self) -> Result<Rbm> {
        let w = &self.w * 4.0;
        let b = &self.b * 2.0 - &(self.w.sum_axis(ndarray::Axis(1)) * 2.0);
        let c = &self.c * 2.0 - &(self.w.sum_axis(ndarray::Axis(0)) * 2.0);
        Rbm::new(w, b, c)
    }

    /// 可視ユニットの数 `N_v`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::{array, Array2}};
    ///
    /// let spin = SpinRbm::new(Array2::zeros((3, 2)), array![0.0, 0.0, 0.0], array![0.0, 0.0])?;
    /// assert_eq!((spin.n_visible(), spin.n_hidden()), (3, 2));
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
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// assert_eq!(SpinRbm::new(array![[0.0, 1.0]], array![0.0], array![0.0, 0.0])?.n_hidden(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_hidden(&self) -> usize {
        self.c.len()
    }

    /// 重み `W'`（`N_v × N_h`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// assert_eq!(SpinRbm::new(array![[2.0]], array![0.0], array![0.0])?.weights(), array![[2.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.w.view()
    }

    /// 可視バイアス `b'`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// assert_eq!(SpinRbm::new(array![[0.0]], array![0.5], array![0.0])?.visible_bias(), array![0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn visible_bias(&self) -> ArrayView1<'_, f64> {
        self.b.view()
    }

    /// 隠れバイアス `c'`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// assert_eq!(SpinRbm::new(array![[0.0]], array![0.0], array![-1.5])?.hidden_bias(), array![-1.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn hidden_bias(&self) -> ArrayView1<'_, f64> {
        self.c.view()
    }

    /// エネルギーのずれ `K = E₀₁(v, h) − E_±(s, t) = Σ_ij W'_ij − Σ_i b'_i − Σ_j c'_j`
    /// （`{0, 1}` のパラメータでは `−(Σ_i b_i/2 + Σ_j c_j/2 + Σ_ij W_ij/4)`）。
    ///
    /// `K` は `s = −𝟏, t = −𝟏`（`v = 0, h = 0`、`E₀₁ = 0`）での `−E_±` に等しい。自由エネルギーも同じだけずれ
    /// （`F₀₁(v) = F_±(s) + K`）、規格化定数は `ln Z_± = ln Z₀₁ + K` である。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::{Rbm, SpinRbm}, ndarray::array};
    ///
    /// // W = 4, b = 2, c = −2: K = −(1 − 1 + 1) = −1
    /// let spin = SpinRbm::from_binary(&Rbm::new(array![[4.0]], array![2.0], array![-2.0])?)?;
    /// assert_eq!(spin.offset(), -1.0);
    /// // v = 0, h = 0 では E₀₁ = 0 なので E_±(−1, −1) = −K
    /// assert_eq!(spin.energy(&[-1i8], &[-1i8])?, 1.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn offset(&self) -> f64 {
        self.w.sum() - self.b.sum() - self.c.sum()
    }

    /// エネルギー `E_±(s, t) = −b'ᵀs − c'ᵀt − sᵀW't`（`s`・`t` の値は `±1`）。
    ///
    /// # Errors
    ///
    /// 長さが `N_v`・`N_h` でなければ [`Error::DimensionMismatch`]、`±1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// let spin = SpinRbm::new(array![[1.0, 2.0]], array![0.5], array![0.25, -1.0])?;
    /// // s = (1), t = (−1, 1): −0.5 − (−0.25 − 1) − (−1 + 2) = −0.25
    /// assert_eq!(spin.energy(&[1i8], &[-1i8, 1])?, -0.25);
    /// assert!(spin.energy(&[1i8], &[0i8, 1]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn energy<'a, 'b>(
        &self,
        s: impl AsArray<'a, i8, Ix1>,
        t: impl AsArray<'b, i8, Ix1>,
    ) -> Result<f64> {
        let s = check_spins(self.n_visible(), s)?;
        let t = check_spins(self.n_hidden(), t)?;
        let act = self.hidden_field(s);
        let bs: f64 = self.b.iter().zip(s).map(|(bi, &x)| bi * f64::from(x)).sum();
        let ct: f64 = act.iter().zip(t).map(|(a, &x)| a * f64::from(x)).sum();
        Ok(-bs - ct)
    }

    /// 自由エネルギー `F_±(s) = −ln Σ_t exp(−E_±(s, t)) = −b'ᵀs − Σ_j ln(2 cosh(c'_j + (W'ᵀs)_j))`。
    ///
    /// `t_j = ±1` の和 `e^{x} + e^{−x} = 2 cosh x` は、あふれないように `ln(2 cosh x) = |x| + ln1p(e^{−2|x|})` で求める。
    ///
    /// # Errors
    ///
    /// 長さが `N_v` でなければ [`Error::DimensionMismatch`]、`±1` 以外の値は [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// // 可視 1・隠れ 1: F(1) = −b' − ln(2 cosh(c' + W'))
    /// let spin = SpinRbm::new(array![[0.7]], array![0.2], array![-0.3])?;
    /// let want = -0.2 - (2.0 * 0.4f64.cosh()).ln();
    /// assert!((spin.free_energy(&[1i8])? - want).abs() < 1e-15);
    /// // 大きな場でも有限: ln(2 cosh 1e3) = 1e3
    /// let big = SpinRbm::new(array![[1e3]], array![0.0], array![0.0])?;
    /// assert_eq!(big.free_energy(&[-1i8])?, -1e3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_energy<'a>(&self, s: impl AsArray<'a, i8, Ix1>) -> Result<f64> {
        let s = check_spins(self.n_visible(), s)?;
        let bs: f64 = self.b.iter().zip(s).map(|(bi, &x)| bi * f64::from(x)).sum();
        let lc: f64 = self.hidden_field(s).iter().map(|&x| ln_2cosh(x)).sum();
        Ok(-bs - lc)
    }

    /// 規格化定数の対数 `ln Z_± = ln Σ_{s,t} exp(−E_±(s, t)) = ln Z₀₁ + K`。
    ///
    /// `{0, 1}` の RBM に戻して（[`SpinRbm::to_binary`]）小さい方の層の列挙で `ln Z₀₁`（[`Rbm::log_z`]）を求め、
    /// [`SpinRbm::offset`] の `K` を足す。
    ///
    /// 精度: `ln Z₀₁` と `K` はどちらも大きさ `Σ|θ|` 程度の対数の領域の値で、和の絶対誤差は `ε Σ|θ|` の程度
    /// （値の大きさに比べて相対精度）である。[`Rbm::log_z`] と同じく、精度の上限 [`super::MAX_ENUMERATION_L1`] は
    /// 求めない（モジュールの説明の「精度の上限」）。
    ///
    /// # Errors
    ///
    /// [`SpinRbm::to_binary`] と [`Rbm::log_z`] と同じ（`min(N_v, N_h) > 24` なら [`Error::TooManySpins`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::rbm::SpinRbm, ndarray::array};
    ///
    /// // 可視 1・隠れ 1: Z = Σ_{s,t} e^{b's + c't + W'st} = 2 e^{W'} cosh(b' + c') + 2 e^{−W'} cosh(b' − c')
    /// let spin = SpinRbm::new(array![[0.3]], array![0.2], array![-0.5])?;
    /// let want = (2.0 * 0.3f64.exp() * (-0.3f64).cosh() + 2.0 * (-0.3f64).exp() * 0.7f64.cosh()).ln();
    /// assert!((spin.log_z()? - want).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> Result<f64> {
        Ok(self.to_binary()?.log_z()? + self.offset())
    }

    /// 検査済みの `s` から隠れ層の場 `c' + W'ᵀs` を求める。
    fn hidden_field(&self, s: ArrayView1<'_, i8>) -> Array1<f64> {
        let mut a = self.c.clone();
        for (row, &x) in self.w.rows().into_iter().zip(s) {
            if x == 1 {
                a += &row;
            } else {
                a -= &row;
            }
        }
        a
    }
}

/// `ln(2 cosh x) = |x| + ln1p(e^{−2|x|})`（`e^{−2|x|} ≤ 1` なのであふれない）。
fn ln_2cosh(x: f64) -> f64 {
    x.abs() + (-2.0 * x.abs()).exp().ln_1p()
}

/// 長さ `len` の `±1` のベクトルを検査する。
fn check_spins<'a>(len: usize, s: impl AsArray<'a, i8, Ix1>) -> Result<ArrayView1<'a, i8>> {
    let s: ArrayView1<'a, i8> = s.into();
    ensure_len(len, s.len())?;
    match s.iter().find(|&&x| x != 1 && x != -1) {
        Some(&x) => Err(Error::InvalidParameter {
            name: "スピン",
            value: f64::from(x),
            requirement: "−1 か 1",
        }),
        None => Ok(s),
    }
}
