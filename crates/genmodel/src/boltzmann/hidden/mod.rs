//! 隠れ変数のあるボルツマンマシン（第 3 章）: Ising モデル (2.25) のスピンを、見える変数
//! `v ∈ {−1, 1}^{N_v}`（先頭の `N_v` 個）と隠れ変数 `h ∈ {−1, 1}^{N_h}`（残り）に分けたもの。
//!
//! - 見える変数の分布: `q_θ(v) = Σ_h q_θ(v, h) = exp(−F_θ(v)) / Z_θ`（式 (3.4)–(3.6)）
//! - 自由エネルギー: `F_θ(v) = −ln Σ_h exp(θ·φ(v, h))`
//! - 事後分布: `q_θ(h | v) = exp(θ·φ(v, h) + F_θ(v))`（式 (3.7)）
//! - KL 情報量の勾配 = 自由な期待値 − データで留めた期待値（式 (3.11)）
//!
//! すべて `2^{N_v + N_h}` 状態の列挙による厳密な値で、`N_v + N_h ≤ 20`（[`MAX_HIDDEN_MODEL_UNITS`]）
//! に限る。列挙の丸め誤差を小さく保つため、パラメータも Ising モデルの列挙と同じ `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4`
//! に限る（[`HiddenIsing::new`] が断る）。状態の番号は [`crate::boltzmann::ising::spins_of_state`] と同じで、見える変数が下位のビット
//! （番号 `s = s_v + 2^{N_v} s_h`）である。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`mod@self`] | モデル [`HiddenIsing`]、列挙、自由エネルギー、事後分布、周辺分布 |
//! | [`learn`] | KL 情報量、勾配、ヘッセ行列、学習、隠れ変数の入れ替えと反転の対称性 |
//!
//! # Examples
//!
//! ```
//! use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
//!
//! // 見える 1・隠れ 1、結合 J だけ: q(v) = 2cosh J / (4 cosh J) = 1/2
//! let m = HiddenIsing::new(Ising::new(array![0.0, 0.0], array![0.7])?, 1)?;
//! let q = m.log_marginal()?.mapv(f64::exp);
//! assert!((q[0] - 0.5).abs() < 1e-15 && (q[1] - 0.5).abs() < 1e-15);
//! // F(v) = −ln(2 cosh J)
//! assert!((m.free_energy(&[1])? + (2.0 * 0.7f64.cosh()).ln()).abs() < 1e-15);
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod learn;

use crate::boltzmann::ising::{Ising, MAX_ENUMERATION_L1, check_spin_data, pairs};
use crate::error::{Error, Result, ensure_len};
use ndarray::{Array1, ArrayView1, AsArray, Ix1, Ix2};

/// 全状態を列挙して扱える見える変数と隠れ変数の数の和の上限（`2^20` 状態）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::{hidden::{HiddenIsing, MAX_HIDDEN_MODEL_UNITS}, Ising}, Error};
///
/// assert_eq!(MAX_HIDDEN_MODEL_UNITS, 20);
/// assert_eq!(
///     HiddenIsing::new(Ising::zeros(21)?, 3),
///     Err(Error::TooManySpins { n: 21, max: 20 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub const MAX_HIDDEN_MODEL_UNITS: usize = 20;

/// 隠れ変数のあるボルツマンマシン（Ising モデルのスピンの先頭 `N_v` 個が見える変数）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, Error};
///
/// let m = HiddenIsing::new(Ising::zeros(5)?, 3)?;
/// assert_eq!((m.n_visible(), m.n_hidden()), (3, 2));
/// // 見える変数は 1 個以上、全体の数以下
/// assert!(matches!(HiddenIsing::new(Ising::zeros(5)?, 0), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(HiddenIsing::new(Ising::zeros(5)?, 6), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenIsing {
    model: Ising,
    n_visible: usize,
}

/// 全状態の指数 `θ·φ(x)` と、その大きさ。
pub(crate) struct Table {
    /// 状態ごとの指数（番号は `s_v + 2^{N_v} s_h`）。
    pub(crate) exponent: Vec<f64>,
    pub(crate) n_visible: usize,
    pub(crate) n_hidden: usize,
}

impl Table {
    /// 見える状態 `sv` の、隠れ状態ごとの指数。
    pub(crate) fn row(&self, sv: usize) -> impl Iterator<Item = f64> + Clone + '_ {
        (0..1usize << self.n_hidden).map(move |sh| self.exponent[sv + (sh << self.n_visible)])
    }
}

/// 指数の列の log-sum-exp（最大値をくくり出す。空でない有限の列に使う）。
pub(crate) fn lse(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = values.clone().fold(f64::NEG_INFINITY, f64::max);
    m + values.map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// 状態の番号 `s` の第 `k` スピン（第 `k` ビットが 1 ⇔ `−1`）。
pub(crate) fn spin(s: usize, k: usize) -> f64 {
    if (s >> k) & 1 == 1 { -1.0 } else { 1.0 }
}

/// 状態の番号 `s` の十分統計量 `φ(x)` を `out` に書く（[`pairs`] の順）。
pub(crate) fn fill_phi(s: usize, n: usize, out: &mut [f64]) {
    for (k, o) in out.iter_mut().take(n).enumerate() {
        *o = spin(s, k);
    }
    for (o, (k, l)) in out[n..].iter_mut().zip(pairs(n)) {
        *o = spin(s, k) * spin(s, l);
    }
}

impl HiddenIsing {
    /// Ising モデル `model`（`N` スピン）の先頭 `n_visible` 個を見える変数とする。
    ///
    /// このモデルの関数はどれも全状態の列挙で値を求めるので、パラメータは Ising モデルの列挙
    /// （[`Ising::log_z`]・[`Ising::exact`]）と同じ `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` に限る。指数 `θ·φ(x)` の
    /// 丸め誤差は `ε Σ|θ|` の程度で、確率（周辺分布・事後分布）・期待値・KL 情報量は指数の差の `exp` なので、
    /// `Σ|θ|` が大きいと黙って壊れる（`h = (1, 0)`、`J = 1e99` では周辺分布の和が 2 になる）。
    /// `Σ|θ| = 1e4` でも誤差は `1e-10` 程度で、[`crate::prec::ENUMERATION_TOLERANCE`] に収まる。
    ///
    /// # Errors
    ///
    /// - `N > MAX_HIDDEN_MODEL_UNITS`: [`Error::TooManySpins`]
    /// - `n_visible` が `1..=N` の外: [`Error::InvalidParameter`]
    /// - `Σ|θ| > MAX_ENUMERATION_L1 = 1e4`（列挙の精度が保てない）: [`Error::InvalidParameter`]（`name` は `"Σ|θ|"`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, ising::MAX_ENUMERATION_L1, Ising}, ndarray::array, Error};
    ///
    /// // 隠れ変数のない場合（N_v = N）も許す: 第 2 章のモデルそのもの
    /// assert_eq!(HiddenIsing::new(Ising::zeros(3)?, 3)?.n_hidden(), 0);
    /// // J = 1e99 と h = 1: 指数の差 2 が 1e99 の丸めに埋もれるので断る。上限ちょうどまでは作れる
    /// let huge = Ising::new(array![1.0, 0.0], array![1e99])?;
    /// assert!(matches!(HiddenIsing::new(huge, 1), Err(Error::InvalidParameter { name: "Σ|θ|", .. })));
    /// let edge = HiddenIsing::new(Ising::new(array![1.0, 0.0], array![MAX_ENUMERATION_L1 - 1.0])?, 1)?;
    /// let q = edge.log_marginal()?.mapv(f64::exp);
    /// assert!((q.sum() - 1.0).abs() < 1e-12);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(model: Ising, n_visible: usize) -> Result<Self> {
        let n = model.n_spins();
        if n > MAX_HIDDEN_MODEL_UNITS {
            return Err(Error::TooManySpins {
                n,
                max: MAX_HIDDEN_MODEL_UNITS,
            });
        }
        if n_visible == 0 || n_visible > n {
            return Err(Error::InvalidParameter {
                name: "見える変数の数",
                value: n_visible as f64,
                requirement: "1 以上、スピンの数以下",
            });
        }
        let l1: f64 = model
            .fields()
            .iter()
            .chain(model.couplings().iter())
            .map(|v| v.abs())
            .sum();
        if l1 > MAX_ENUMERATION_L1 {
            return Err(Error::InvalidParameter {
                name: "Σ|θ|",
                value: l1,
                requirement: "隠れ変数のあるモデルの列挙では MAX_ENUMERATION_L1 = 1e4 以下（丸め誤差を 1e-9 程度に保つ）",
            });
        }
        Ok(Self { model, n_visible })
    }

    /// 全体の Ising モデル（見える変数と隠れ変数の同時分布 `q_θ(v, h)`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::{hidden::HiddenIsing, Ising};
    ///
    /// assert_eq!(HiddenIsing::new(Ising::zeros(4)?, 2)?.model().n_spins(), 4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn model(&self) -> &Ising {
        &self.model
    }

    /// 見える変数の数 `N_v`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::{hidden::HiddenIsing, Ising};
    ///
    /// assert_eq!(HiddenIsing::new(Ising::zeros(4)?, 3)?.n_visible(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_visible(&self) -> usize {
        self.n_visible
    }

    /// 隠れ変数の数 `N_h`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::boltzmann::{hidden::HiddenIsing, Ising};
    ///
    /// assert_eq!(HiddenIsing::new(Ising::zeros(4)?, 3)?.n_hidden(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_hidden(&self) -> usize {
        self.model.n_spins() - self.n_visible
    }

    /// 全状態の指数 `θ·φ(x)` の表。
    pub(crate) fn table(&self) -> Table {
        let n = self.model.n_spins();
        let theta = self.model.params();
        let mut phi = vec![0.0; theta.len()];
        let exponent = (0..1usize << n)
            .map(|s| {
                fill_phi(s, n, &mut phi);
                phi.iter().zip(theta.iter()).map(|(p, t)| p * t).sum()
            })
            .collect();
        Table {
            exponent,
            n_visible: self.n_visible,
            n_hidden: self.n_hidden(),
        }
    }

    /// 見える配置 `v` を検査し、その状態の番号にする。
    pub(crate) fn visible_state<'a>(&self, v: impl AsArray<'a, i8, Ix1>) -> Result<usize> {
        let v: ArrayView1<'a, i8> = v.into();
        ensure_len(self.n_visible, v.len())?;
        v.iter().enumerate().try_fold(0usize, |s, (k, &x)| match x {
            1 => Ok(s),
            -1 => Ok(s | (1 << k)),
            _ => Err(Error::InvalidParameter {
                name: "スピン",
                value: f64::from(x),
                requirement: "−1 か 1",
            }),
        })
    }

    /// 見える変数のデータ（1 行 1 配置）を、見える状態ごとの相対頻度 `p_0(v)` にする。
    pub(crate) fn empirical<'a>(&self, data: impl AsArray<'a, i8, Ix2>) -> Result<Vec<f64>> {
        let data = check_spin_data(data)?;
        ensure_len(self.n_visible, data.ncols())?;
        let mut counts = vec![0usize; 1 << self.n_visible];
        for r in data.rows() {
            counts[self.visible_state(r)?] += 1;
        }
        let n = data.nrows() as f64;
        Ok(counts.into_iter().map(|c| c as f64 / n).collect())
    }

    /// 規格化定数の対数 `ln Z_θ`（式 (3.4)・(3.6)、同時分布の全状態の和）。
    ///
    /// # Errors
    ///
    /// 指数が `f64` で表せない大きさ（パラメータが大きすぎる）: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // 同時分布の ln Z は Ising モデルの ln Z と同じ
    /// let ising = Ising::new(array![0.1, -0.2, 0.3], array![0.4, 0.5, -0.6])?;
    /// let m = HiddenIsing::new(ising.clone(), 2)?;
    /// assert!((m.log_z()? - ising.log_z()?).abs() < 1e-13);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> Result<f64> {
        let t = self.table();
        crate::error::finite_scalar("ln Z", lse(t.exponent.iter().copied()))
    }

    /// 自由エネルギー `F_θ(v) = −ln Σ_h exp(θ·φ(v, h))`（式 (3.5)）。
    ///
    /// # Errors
    ///
    /// 長さが `N_v` でない: [`Error::DimensionMismatch`]、`±1` 以外の値: [`Error::InvalidParameter`]、
    /// 値が `f64` で表せない: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // 隠れ変数 1 つが見える変数 1 つと結合 J: F(v) = −h v − ln(2 cosh(c + J v))
    /// let (h, c, j) = (0.3, -0.4, 0.9);
    /// let m = HiddenIsing::new(Ising::new(array![h, c], array![j])?, 1)?;
    /// let f = -h - (2.0 * (c + j).cosh()).ln();
    /// assert!((m.free_energy(&[1])? - f).abs() < 1e-14);
    /// assert!(m.free_energy(&[0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_energy<'a>(&self, v: impl AsArray<'a, i8, Ix1>) -> Result<f64> {
        let sv = self.visible_state(v)?;
        let t = self.table();
        crate::error::finite_scalar("自由エネルギー", -lse(t.row(sv)))
    }

    /// 見える変数の周辺分布の対数 `ln q_θ(v)`（式 (3.4)）を、見える状態の番号の順に `2^{N_v}` 個。
    ///
    /// # Errors
    ///
    /// 値が `f64` で表せない: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// let m = HiddenIsing::new(Ising::new(array![0.2, -0.1, 0.5], array![0.3, -0.8, 0.6])?, 2)?;
    /// let q = m.log_marginal()?.mapv(f64::exp);
    /// assert!((q.sum() - 1.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_marginal(&self) -> Result<Array1<f64>> {
        let t = self.table();
        let log_z = lse(t.exponent.iter().copied());
        let out: Array1<f64> = (0..1usize << self.n_visible)
            .map(|sv| lse(t.row(sv)) - log_z)
            .collect();
        crate::error::ensure_output("周辺分布", out)
    }

    /// 事後分布 `q_θ(h | v)`（式 (3.7)）を、隠れ状態の番号の順に `2^{N_h}` 個。
    ///
    /// 隠れ変数がない（`N_h = 0`）ときは、確率 1 の状態 1 つを返す。
    ///
    /// # Errors
    ///
    /// [`HiddenIsing::free_energy`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // 隠れ変数 1 つ: q(h = +1 | v) = e^{c + J v} / (2 cosh(c + J v))
    /// let (c, j) = (-0.4, 0.9);
    /// let m = HiddenIsing::new(Ising::new(array![0.3, c], array![j])?, 1)?;
    /// let p = m.posterior(&[-1])?;
    /// let a: f64 = c - j;
    /// assert!((p[0] - a.exp() / (2.0 * a.cosh())).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn posterior<'a>(&self, v: impl AsArray<'a, i8, Ix1>) -> Result<Array1<f64>> {
        let sv = self.visible_state(v)?;
        let t = self.table();
        let f = lse(t.row(sv));
        let out: Array1<f64> = t.row(sv).map(|e| (e - f).exp()).collect();
        crate::error::ensure_output("事後分布", out)
    }
}
