//! 線形ガウスの VAE（第 8 章の準備）: ELBO とその勾配を閉じた形で求める。
//!
//! 本の記号では（第 8 章）
//!
//! - 生成: `q(z) = N(0, I_d)`、`q_θ(x | z) = N(W z + b, σ₀² I_D)`
//! - 推論（エンコーダ）: `r_φ(z | x) = N(V x + c, diag(σ²))`（分散 `σ_j²` は `x` によらない）
//!
//! 1 点の ELBO は、`μ = V x + c`、残差 `x − W μ − b` として
//!
//! `ELBO(x) = −(D/2) ln(2πσ₀²) − (‖x − W μ − b‖² + Σ_j σ_j² (WᵀW)_jj)/(2σ₀²) − ½ Σ_j (μ_j² + σ_j² − ln σ_j² − 1)`
//!
//! である（最初の部分が再構成の対数尤度の期待値、最後が `KL(r_φ ‖ q(z))`）。勾配はこれを手で微分した式で、
//! `ln σ₀²` と `ln σ_j²` について求める（正の値を保つため）。フィールド `log_sigma2` が `ln σ₀²`、`log_s2` が `ln σ_j²`。確率的主成分分析 [`super::Ppca`] の最尤点に、
//! その事後分布を推論のモデルとして置くと（[`LinearVae::from_ppca`]）、ELBO は対数尤度に一致する。

use super::Ppca;
use crate::error::{Error, Result, ensure_finite, ensure_len, finite_scalar};
use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix2};
use std::f64::consts::PI;

/// 線形ガウスの VAE のパラメータ。
#[derive(Debug, Clone, PartialEq)]
pub struct LinearVae {
    /// 生成の重み `W`（`D × d`）。
    pub w: Array2<f64>,
    /// 生成のバイアス `b`（`D`）。
    pub b: Array1<f64>,
    /// 生成の雑音の分散の対数 `ln σ₀²`。
    pub log_sigma2: f64,
    /// 推論の重み `V`（`d × D`）。
    pub v: Array2<f64>,
    /// 推論のバイアス `c`（`d`）。
    pub c: Array1<f64>,
    /// 推論（エンコーダ）の分散の対数 `ln σ_j²`（`d`）。
    pub log_s2: Array1<f64>,
}

impl LinearVae {
    /// パラメータを検査して作る。
    ///
    /// # Errors
    ///
    /// - `d = 0`・`D = 0`: [`Error::InvalidParameter`]
    /// - 形が合わない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::{array, Array2}, vae::LinearVae, Error};
    ///
    /// let m = LinearVae::new(array![[1.0], [0.0]], array![0.0, 0.0], 0.0, array![[0.5, 0.0]], array![0.0], array![0.0])?;
    /// assert_eq!(m.latent_dim(), 1);
    /// let bad = LinearVae::new(array![[1.0], [0.0]], array![0.0], 0.0, array![[0.5, 0.0]], array![0.0], array![0.0]);
    /// assert!(matches!(bad, Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(
        w: Array2<f64>,
        b: Array1<f64>,
        log_sigma2: f64,
        v: Array2<f64>,
        c: Array1<f64>,
        log_s2: Array1<f64>,
    ) -> Result<Self> {
        let (dim, latent) = w.dim();
        if dim == 0 || latent == 0 {
            return Err(Error::InvalidParameter {
                name: "次元 D・潜在変数の次元 d",
                value: dim.min(latent) as f64,
                requirement: "どちらも 1 以上",
            });
        }
        ensure_len(dim, b.len())?;
        ensure_len(latent, v.nrows())?;
        ensure_len(dim, v.ncols())?;
        ensure_len(latent, c.len())?;
        ensure_len(latent, log_s2.len())?;
        for (what, it) in [
            ("W", w.iter().copied().collect::<Vec<_>>()),
            ("b", b.to_vec()),
            ("ln σ²", vec![log_sigma2]),
            ("V", v.iter().copied().collect()),
            ("c", c.to_vec()),
            ("ln σ_j²", log_s2.to_vec()),
        ] {
            ensure_finite(what, it)?;
        }
        Ok(Self {
            w,
            b,
            log_sigma2,
            v,
            c,
            log_s2,
        })
    }

    /// 確率的主成分分析の最尤点と、その厳密な事後分布 `N(M⁻¹Wᵀ(x − μ), σ₀² M⁻¹)` の対角を推論のモデルにした VAE。
    /// `W` の列が直交するので `M = WᵀW + σ₀² I` は対角で、事後分布はエンコーダの族に入る。
    ///
    /// # Errors
    ///
    /// `M` の逆行列が求まらなければ [`Error::NotPositiveDefinite`] など。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::{LinearVae, Ppca}};
    ///
    /// let x = array![[1.0, 0.2, 0.0], [-1.0, 0.0, 0.3], [0.5, -0.2, -0.3], [-0.5, 0.0, 0.0]];
    /// let p = Ppca::fit(&x, 1)?;
    /// let vae = LinearVae::from_ppca(&p)?;
    /// // ELBO = 対数尤度（Lucas ほか 2019）
    /// assert!((vae.elbo(&x)? - p.mean_log_likelihood(&x)?).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_ppca(p: &Ppca) -> Result<Self> {
        // M = WᵀW + σ² I は対角で M_jj = ‖W_j‖² + σ² = max(λ_j, σ²)。W_j = u_j √max(λ_j − σ², 0) なので
        // V の j 行 = W_jᵀ/M_jj = u_jᵀ √max(λ_j − σ², 0)/M_jj、ln σ_j² = ln σ² − ln M_jj（小さい値でも下にあふれない）
        let w = p.weights().clone();
        let sigma2 = p.noise_variance();
        let u = p.directions();
        let latent = w.ncols();
        let m: Array1<f64> = (0..latent)
            .map(|j| p.eigenvalues()[j].max(sigma2))
            .collect();
        let v = Array2::from_shape_fn((latent, w.nrows()), |(j, i)| {
            u[[i, j]] * ((p.eigenvalues()[j] - sigma2).max(0.0).sqrt() / m[j])
        });
        let c = -v.dot(p.mean());
        let log_s2 = m.mapv(|mj| sigma2.ln() - mj.ln());
        Self::new(w, p.mean().clone(), sigma2.ln(), v, c, log_s2)
    }

    /// 観測の次元 `D`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::LinearVae};
    ///
    /// let m = LinearVae::new(array![[1.0], [0.0]], array![0.0, 0.0], 0.0, array![[0.5, 0.0]], array![0.0], array![0.0])?;
    /// assert_eq!(m.data_dim(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn data_dim(&self) -> usize {
        self.w.nrows()
    }

    /// 潜在変数の次元 `d`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::LinearVae};
    ///
    /// let m = LinearVae::new(array![[1.0], [0.0]], array![0.0, 0.0], 0.0, array![[0.5, 0.0]], array![0.0], array![0.0])?;
    /// assert_eq!(m.latent_dim(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn latent_dim(&self) -> usize {
        self.w.ncols()
    }

    fn check<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<ArrayView2<'a, f64>> {
        let data: ArrayView2<'a, f64> = data.into();
        if data.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(self.data_dim(), data.ncols())?;
        ensure_finite("データ", data.iter().copied())?;
        Ok(data)
    }

    /// 推論の平均 `μ = V x + c`（1 行 1 点）と残差 `x − W μ − b`。
    fn forward(&self, data: ArrayView2<'_, f64>) -> (Array2<f64>, Array2<f64>) {
        let mu = data.dot(&self.v.t()) + &self.c;
        let r = &data - &mu.dot(&self.w.t()) - &self.b;
        (mu, r)
    }

    /// `Σ_j σ_j² (WᵀW)_jj / σ₀²`（`σ_j²/σ₀²` を対数の差で求め、どちらかが極端でもあふれない）。
    fn spread_over_noise(&self) -> f64 {
        self.w
            .axis_iter(Axis(1))
            .zip(&self.log_s2)
            .map(|(col, &ls)| (ls - self.log_sigma2).exp() * col.dot(&col))
            .sum()
    }

    /// `‖x − W μ − b‖²/σ₀²` のデータでの平均（残差を `σ₀` で割ってから 2 乗する）。
    fn residual_over_noise(&self, r: &Array2<f64>) -> f64 {
        let sigma = (0.5 * self.log_sigma2).exp();
        r.mapv(|v| (v / sigma).powi(2)).sum() / r.nrows() as f64
    }

    /// 1 点あたりの平均 ELBO（閉じた形）。
    ///
    /// # Errors
    ///
    /// データが空・列の数が違う・非有限: [`Error::EmptyInput`]・[`Error::DimensionMismatch`]・[`Error::NonFinite`]。
    /// 値があふれれば [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::LinearVae};
    ///
    /// // D = d = 1、W = 1、b = 0、σ₀² = 1、V = 0.5、c = 0、σ₁² = 0.5、x = 2:
    /// // μ = 1、残差 1、再構成 = −½ ln 2π − (1 + 0.5)/2、KL = ½(1 + 0.5 − ln 0.5 − 1)
    /// let m = LinearVae::new(array![[1.0]], array![0.0], 0.0, array![[0.5]], array![0.0], array![0.5f64.ln()])?;
    /// let want = -0.5 * (2.0 * std::f64::consts::PI).ln() - 0.75 - 0.5 * (0.5 - 0.5f64.ln());
    /// assert!((m.elbo(&array![[2.0]])? - want).abs() < 1e-15);
    /// assert!(m.elbo(&array![[f64::NAN]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn elbo<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<f64> {
        let data = self.check(data)?;
        let n = data.nrows() as f64;
        let dim = self.data_dim() as f64;
        let (mu, r) = self.forward(data);
        let recon = -0.5 * dim * ((2.0 * PI).ln() + self.log_sigma2)
            - 0.5 * (self.residual_over_noise(&r) + self.spread_over_noise());
        let s2 = self.log_s2.mapv(f64::exp);
        let kl = 0.5
            * ((mu.mapv(|v| v * v).sum() / n) + s2.sum()
                - self.log_s2.sum()
                - self.latent_dim() as f64);
        finite_scalar("ELBO", recon - kl)
    }

    /// 平均 ELBO の勾配（各パラメータと同じ形。`ln σ₀²`・`ln σ_j²` についての微分）。
    ///
    /// 残差 `e = x − W μ − b`、`g = Wᵀ e/σ₀² − μ` として（データで平均する）
    ///
    /// - `∂L/∂b = e/σ₀²`、`∂L/∂W = (e μᵀ − W diag(σ²))/σ₀²`
    /// - `∂L/∂V = g xᵀ`、`∂L/∂c = g`
    /// - `∂L/∂ln σ_j² = ½ − σ_j²/2 − σ_j² (WᵀW)_jj/(2σ₀²)`
    /// - `∂L/∂ln σ₀² = −D/2 + (‖e‖² + Σ_j σ_j² (WᵀW)_jj)/(2σ₀²)`
    ///
    /// # Errors
    ///
    /// [`LinearVae::elbo`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{ndarray::array, vae::{LinearVae, Ppca}};
    ///
    /// // 確率的主成分分析の最尤点では、勾配は 0
    /// let x = array![[1.0, 0.2, 0.0], [-1.0, 0.0, 0.3], [0.5, -0.2, -0.3], [-0.5, 0.0, 0.0]];
    /// let vae = LinearVae::from_ppca(&Ppca::fit(&x, 1)?)?;
    /// let g = vae.elbo_gradient(&x)?;
    /// assert!(g.w.iter().chain(&g.b).chain(&g.v).chain(&g.c).chain(&g.log_s2).all(|v| v.abs() < 1e-12));
    /// assert!(g.log_sigma2.abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn elbo_gradient<'a>(&self, data: impl AsArray<'a, f64, Ix2>) -> Result<LinearVae> {
        let data = self.check(data)?;
        let n = data.nrows() as f64;
        // 1/σ₀² と σ_j²/σ₀² は対数の差から求める（σ₀² が極端でも片方だけがあふれない）
        let inv_noise = (-self.log_sigma2).exp();
        let ratio = self.log_s2.mapv(|ls| (ls - self.log_sigma2).exp());
        let s2 = self.log_s2.mapv(f64::exp);
        let (mu, r) = self.forward(data);
        let gb = r.sum_axis(Axis(0)) * (inv_noise / n);
        let mut gw = r.t().dot(&mu) * (inv_noise / n);
        for (mut col, (wcol, &q)) in gw
            .axis_iter_mut(Axis(1))
            .zip(self.w.axis_iter(Axis(1)).zip(&ratio))
        {
            col.scaled_add(-q, &wcol);
        }
        let g = r.dot(&self.w) * inv_noise - &mu;
        let gv = g.t().dot(&data) / n;
        let gc = g.sum_axis(Axis(0)) / n;
        let gls = Array1::from_shape_fn(self.latent_dim(), |j| {
            let col = self.w.column(j);
            0.5 - 0.5 * s2[j] - 0.5 * ratio[j] * col.dot(&col)
        });
        let gsig = -0.5 * self.data_dim() as f64
            + 0.5 * (self.residual_over_noise(&r) + self.spread_over_noise());
        let out = LinearVae {
            w: gw,
            b: gb,
            log_sigma2: gsig,
            v: gv,
            c: gc,
            log_s2: gls,
        };
        if out
            .w
            .iter()
            .chain(&out.b)
            .chain(&out.v)
            .chain(&out.c)
            .chain(&out.log_s2)
            .chain(std::iter::once(&out.log_sigma2))
            .any(|v| !v.is_finite())
        {
            return Err(Error::Overflow {
                what: "ELBO の勾配",
            });
        }
        Ok(out)
    }
}
