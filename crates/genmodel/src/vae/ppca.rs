//! 確率的主成分分析（Tipping と Bishop 1999）: 線形ガウスの VAE の厳密な最適点（第 8 章の準備）。
//!
//! 潜在変数 `z ∈ ℝ^d` と観測 `x ∈ ℝ^D`（`d < D`）のモデル
//! `p(z) = N(0, I)`、`p(x | z) = N(W z + μ, σ² I)` の周辺分布は `p(x) = N(μ, C)`、`C = W Wᵀ + σ² I` である。
//! データの分散共分散行列 `S`（`n` で割る）の固有値を大きい順に `λ_1 ≥ … ≥ λ_D`、固有ベクトルを `u_i` とすると、
//! 対数尤度を最大にするのは
//!
//! - `μ = x̄`、`σ² = (1/(D − d)) Σ_{i>d} λ_i`、`W = U_d (Λ_d − σ² I)^{1/2} R`（`R` は任意の直交行列。ここでは `R = I`）
//! - 最大値（1 点あたり）`−½ [D ln 2π + Σ_{i≤d} ln λ_i + (D − d) ln σ² + D]`
//!
//! である。`σ²` を固定して `W` だけを最大にすると、`λ_i ≤ σ²` の方向の列は 0 になる（その潜在変数は使われない:
//! 事後分布の崩壊）。事後分布は `p(z | x) = N(M⁻¹ Wᵀ (x − μ), σ² M⁻¹)`、`M = WᵀW + σ² I`。

use crate::error::{Error, Result, ensure_finite, finite_scalar};
use crate::linalg::symmetric_eigen;
use crate::prec::MAX_CONDITION_NUMBER;
use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix2};
use std::f64::consts::PI;

/// 確率的主成分分析のモデル `p(x) = N(μ, W Wᵀ + σ² I)`。
#[derive(Debug, Clone, PartialEq)]
pub struct Ppca {
    mean: Array1<f64>,
    w: Array2<f64>,
    sigma2: f64,
    eigenvalues: Array1<f64>,
    /// `W` の列の向き `U_d`（正規直交。`W = U_d diag(√max(λ_j − σ², 0))`）。
    directions: Array2<f64>,
}

/// データの次元 `D` の上限（`2^12`。分散共分散行列は `D²` 個の `f64` で 128 MiB）。
pub const MAX_PPCA_DIM: usize = 1 << 12;

/// データ（1 行 1 標本）を検査し、平均と分散共分散行列（`n` で割る）を返す。
///
/// 平均は最初の行からのずれの平均 `x₀ + Σ(x_i − x₀)/n` で求め（定数の列はちょうど 0 の分散になる）、
/// 分散共分散行列は中心化したデータを絶対値の最大 `a` で割ってから `a² (c/a)ᵀ(c/a)/n` とする（途中であふれない）。
pub(crate) fn moments<'a>(data: impl AsArray<'a, f64, Ix2>) -> Result<(Array1<f64>, Array2<f64>)> {
    let data: ArrayView2<'a, f64> = data.into();
    let (n, dim) = data.dim();
    if n == 0 || dim == 0 {
        return Err(Error::EmptyInput);
    }
    if dim > MAX_PPCA_DIM {
        return Err(Error::TooLarge {
            what: "データの次元 D",
            requested: dim,
            max: MAX_PPCA_DIM,
        });
    }
    ensure_finite("データ", data.iter().copied())?;
    let first = data.row(0).to_owned();
    let shift = (&data - &first).sum_axis(Axis(0)) / n as f64;
    if shift.iter().any(|v| !v.is_finite()) {
        return Err(Error::Overflow {
            what: "データの平均",
        });
    }
    let mean = &first + &shift;
    let centred = &data - &mean;
    if centred.iter().any(|v| !v.is_finite()) {
        return Err(Error::Overflow {
            what: "中心化したデータ",
        });
    }
    let a = centred.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let cov = if a == 0.0 {
        Array2::zeros((dim, dim))
    } else {
        let unit = centred / a;
        unit.t().dot(&unit) * (a / n as f64) * a
    };
    if cov.iter().any(|v| !v.is_finite()) {
        return Err(Error::Overflow {
            what: "データの分散共分散行列",
        });
    }
    Ok((mean, cov))
}

fn check_latent(latent: usize, dim: usize) -> Result<()> {
    if latent == 0 || latent >= dim {
        return Err(Error::InvalidParameter {
            name: "潜在変数の次元 d",
            value: latent as f64,
            requirement: "1 ≤ d < D（データの次元）",
        });
    }
    Ok(())
}

impl Ppca {
    /// 最尤推定（閉じた形）。`σ²` は捨てた `D − d` 方向の固有値の平均。
    ///
    /// # Errors
    ///
    /// - データが空・非有限: [`Error::EmptyInput`]・[`Error::NonFinite`]
    /// - `D >` [`MAX_PPCA_DIM`]: [`Error::TooLarge`]
    /// - `d = 0` や `d ≥ D`: [`Error::InvalidParameter`]
    /// - 捨てた方向の分散が 0（`σ² = 0`、データが `d` 次元の部分空間にある。定数のデータを含む）: [`Error::InvalidParameter`]
    /// - 平均・分散共分散行列・`σ²` が `f64` の範囲を超える: [`Error::Overflow`]
    /// - 最大の固有値が 0 より大きく [`MIN_PPCA_VARIANCE`] より小さい: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca, Error};
    ///
    /// // 6 点のデータ。分散共分散行列は diag(8/3, 2/3, 2/3)（n で割る）
    /// let x = array![[2.0, 1.0, 0.0], [-2.0, -1.0, 0.0], [2.0, -1.0, 0.0], [-2.0, 1.0, 0.0],
    ///                [0.0, 0.0, 2.0], [0.0, 0.0, -2.0]];
    /// let p = Ppca::fit(&x, 1)?;
    /// assert!((p.eigenvalues()[0] - 8.0 / 3.0).abs() < 1e-12);
    /// // σ² = 捨てた 2 方向の固有値の平均 = 2/3、W の列の長さの 2 乗 = λ_1 − σ² = 2
    /// let lam = p.eigenvalues();
    /// assert!((p.noise_variance() - 0.5 * (lam[1] + lam[2])).abs() < 1e-12);
    /// assert!((p.weights().column(0).mapv(|v| v * v).sum() - (lam[0] - p.noise_variance())).abs() < 1e-12);
    /// assert!(matches!(Ppca::fit(&x, 3), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn fit<'a>(data: impl AsArray<'a, f64, Ix2>, latent: usize) -> Result<Self> {
        let (mean, cov) = moments(data)?;
        let dim = mean.len();
        check_latent(latent, dim)?;
        let (values, vectors) = sorted_eigen(&cov)?;
        check_scale(&values)?;
        // 足す前に割る（足し算があふれない）
        let sigma2 = values
            .iter()
            .skip(latent)
            .map(|v| v / (dim - latent) as f64)
            .sum::<f64>();
        if !sigma2.is_finite() {
            return Err(Error::Overflow {
                what: "雑音の分散 σ²",
            });
        }
        if sigma2.is_nan() || sigma2 <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "雑音の分散 σ²",
                value: sigma2,
                requirement: "正（データが d 次元の部分空間に収まっていない）",
            });
        }
        Ok(Self::assemble(mean, values, vectors, latent, sigma2))
    }

    /// `σ²` を固定したときの `W` の最尤推定 `W = U_d (Λ_d − σ² I)_+^{1/2}`。`λ_i ≤ σ²` の列は 0（事後分布の崩壊）。
    ///
    /// # Errors
    ///
    /// [`Ppca::fit`] と同じ（`σ²` の 0 の判定を除く）。`σ² ≤ 0` や非有限なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let x = array![[3.0, 0.5], [-3.0, -0.5], [3.0, -0.5], [-3.0, 0.5]];
    /// // λ = (9, 0.25): σ² = 10 は両方の固有値より大きく、W は 0 になる
    /// let p = Ppca::with_noise_variance(&x, 1, 10.0)?;
    /// assert!(p.weights().iter().all(|&w| w == 0.0));
    /// let q = Ppca::with_noise_variance(&x, 1, 1.0)?;
    /// assert!((q.weights()[[0, 0]].abs() - 8f64.sqrt()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn with_noise_variance<'a>(
        data: impl AsArray<'a, f64, Ix2>,
        latent: usize,
        sigma2: f64,
    ) -> Result<Self> {
        if !(sigma2 > 0.0 && sigma2.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "雑音の分散 σ²",
                value: sigma2,
                requirement: "正の有限の数",
            });
        }
        let (mean, cov) = moments(data)?;
        let dim = mean.len();
        check_latent(latent, dim)?;
        let (values, vectors) = sorted_eigen(&cov)?;
        check_scale(&values)?;
        Ok(Self::assemble(mean, values, vectors, latent, sigma2))
    }

    fn assemble(
        mean: Array1<f64>,
        values: Array1<f64>,
        vectors: Array2<f64>,
        latent: usize,
        sigma2: f64,
    ) -> Self {
        let dim = mean.len();
        let w = Array2::from_shape_fn((dim, latent), |(i, j)| {
            vectors[[i, j]] * (values[j] - sigma2).max(0.0).sqrt()
        });
        let directions = Array2::from_shape_fn((dim, latent), |(i, j)| vectors[[i, j]]);
        Self {
            mean,
            w,
            sigma2,
            eigenvalues: values,
            directions,
        }
    }

    /// 平均 `μ`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let p = Ppca::fit(&array![[1.0, 0.0], [3.0, 1.0], [2.0, 5.0]], 1)?;
    /// assert_eq!(p.mean(), &array![2.0, 2.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// 重み `W`（`D × d`、列は直交し、`j` 列の長さの 2 乗は `λ_j − σ²`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let p = Ppca::fit(&array![[1.0, 0.0], [3.0, 1.0], [2.0, 5.0]], 1)?;
    /// assert_eq!(p.weights().dim(), (2, 1));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn weights(&self) -> &Array2<f64> {
        &self.w
    }

    /// 雑音の分散 `σ²`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let p = Ppca::fit(&array![[1.0, 0.0], [3.0, 1.0], [2.0, 5.0]], 1)?;
    /// assert!((p.noise_variance() - p.eigenvalues()[1]).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn noise_variance(&self) -> f64 {
        self.sigma2
    }

    /// データの分散共分散行列の固有値（大きい順、長さ `D`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let p = Ppca::fit(&array![[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [0.0, -0.5]], 1)?;
    /// assert!((p.eigenvalues()[0] - 0.5).abs() < 1e-15 && (p.eigenvalues()[1] - 0.125).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> &Array1<f64> {
        &self.eigenvalues
    }

    /// `W` の列の向き `U_d`（`D × d`、正規直交）。
    pub(crate) fn directions(&self) -> &Array2<f64> {
        &self.directions
    }

    /// 周辺分布の分散共分散行列 `C = W Wᵀ + σ² I`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let p = Ppca::fit(&array![[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [0.0, -0.5]], 1)?;
    /// // 最尤点では、C の固有値は残した方向で λ_1、捨てた方向で σ²
    /// let c = p.covariance();
    /// assert!((c[[0, 0]] - 0.5).abs() < 1e-15 && (c[[1, 1]] - 0.125).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn covariance(&self) -> Array2<f64> {
        let mut c = self.w.dot(&self.w.t());
        for i in 0..c.nrows() {
            c[[i, i]] += self.sigma2;
        }
        c
    }

    /// 1 点あたりの平均対数尤度 `(1/n) Σ_i ln N(x_i; μ, C)`。
    ///
    /// # Errors
    ///
    /// データが空・非有限・列の数が `D` でない: [`Error::EmptyInput`]・[`Error::NonFinite`]・[`Error::DimensionMismatch`]。
    /// 値が `f64` の範囲を超えれば [`Error::Overflow`]。`C` の条件数 `max(λ_1, σ²)/σ²` が
    /// [`MAX_CONDITION_NUMBER`] を超えれば（`σ²` がデータの丸めの程度しかない）[`Error::IllConditioned`]。
    ///
    /// `W` の列が直交することを使い、`C` の逆行列と行列式を固有値 `max(λ_j, σ²)` と `σ²` から求める（`C` が特異に近くても求まる）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::Ppca};
    ///
    /// let x = array![[1.0, 0.2, 0.0], [-1.0, 0.0, 0.3], [0.5, -0.2, -0.3], [-0.5, 0.0, 0.0]];
    /// let p = Ppca::fit(&x, 1)?;
    /// // 最尤点の値は閉じた形 −½[D ln 2π + ln λ_1 + (D − 1) ln σ² + D]
    /// let lam = p.eigenvalues();
    /// let want = -0.5 * (3.0 * (2.0 * std::f64::consts::PI).ln() + lam[0].ln()
    ///     + 2.0 * p.noise_variance().ln() + 3.0);
    /// assert!((p.mean_log_likelihood(&x)? - want).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean_log_likelihood<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
        let data: ArrayView2<'a, f64> = data.into();
        if data.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        crate::error::ensure_len(self.mean.len(), data.ncols())?;
        ensure_finite("データ", data.iter().copied())?;
        // C = W Wᵀ + σ² I の固有値は、向き u_j で m_j = max(λ_j, σ²)（= ‖W_j‖² + σ²）、その直交補空間で σ²。
        // 2 次形式は Σ_j (u_jᵀ e)²/m_j + ‖e − U_d U_dᵀ e‖²/σ²（打ち消しのない形）、ln det C = Σ_j ln m_j + (D − d) ln σ²
        let dim = self.mean.len();
        let latent = self.w.ncols();
        // C の条件数 max(λ_1, σ²)/σ² が大きすぎると、打ち消しのない形でもデータの丸め（相対 ε）が σ² の方向を埋める
        let condition = self.eigenvalues[0].max(self.sigma2) / self.sigma2;
        if condition.is_nan() || condition > MAX_CONDITION_NUMBER {
            return Err(Error::IllConditioned {
                condition,
                limit: MAX_CONDITION_NUMBER,
            });
        }
        let m: Array1<f64> = (0..latent)
            .map(|j| self.eigenvalues[j].max(self.sigma2))
            .collect();
        let centred = &data - &self.mean;
        let proj = centred.dot(&self.directions);
        let rest = &centred - &proj.dot(&self.directions.t());
        let n = data.nrows() as f64;
        let along: f64 = proj
            .rows()
            .into_iter()
            .map(|p| p.iter().zip(&m).map(|(v, mj)| v * v / mj).sum::<f64>())
            .sum::<f64>()
            / n;
        let sigma = self.sigma2.sqrt();
        let across = rest.mapv(|v| (v / sigma).powi(2)).sum() / n;
        let ln_det = m.mapv(f64::ln).sum() + (dim - latent) as f64 * self.sigma2.ln();
        finite_scalar(
            "対数尤度",
            -0.5 * (dim as f64 * (2.0 * PI).ln() + ln_det + along + across),
        )
    }
}

/// 分散の最小の尺度 `1e-280`: 最大の固有値がこれより小さいと、`W` の 2 乗や `WᵀW` が非正規化数になり、相対精度が失われる。
pub const MIN_PPCA_VARIANCE: f64 = 1e-280;

/// 最大の固有値（データの分散の尺度）が [`MIN_PPCA_VARIANCE`] 以上であることを確かめる（0 の分散は別に `σ² = 0` で断る）。
fn check_scale(values: &Array1<f64>) -> Result<()> {
    let top = values[0];
    if top > 0.0 && top < MIN_PPCA_VARIANCE {
        return Err(Error::InvalidParameter {
            name: "データの分散の尺度（最大の固有値）",
            value: top,
            requirement: "1e-280 以上（非正規化数の範囲では相対精度が保てない）",
        });
    }
    Ok(())
}

/// 大きい順の固有値と、それに並べた固有ベクトル（列）。丸めで負になった固有値は 0 にする。
fn sorted_eigen(cov: &Array2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let e = symmetric_eigen(cov)?;
    let dim = e.values.len();
    let values = Array1::from_shape_fn(dim, |i| e.values[dim - 1 - i].max(0.0));
    let vectors = Array2::from_shape_fn((dim, dim), |(r, i)| e.vectors[[r, dim - 1 - i]]);
    Ok((values, vectors))
}
