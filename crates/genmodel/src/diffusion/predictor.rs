//! ε の予測器 [`EpsilonPredictor`]: 学習したネットワーク [`EpsilonNet`] と、ガウス混合のデータの厳密な予測
//! [`ExactEpsilon`]。逆向きの過程の標本抽出（[`super::sampler`]）と損失の評価（[`super::evaluate`]）はこの形だけを使う。
//!
//! 予測 `ε̂(x_t, t)` から、`x_0` の予測 `x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t` と、スコアの推定
//! `∇ ln p_t(x_t) ≈ −ε̂ / √(1 − ᾱ_t)` が決まる（[`predicted_x0`]・[`score_from_epsilon`]、式 (10.14)・(10.15)、第 10 章）。

use super::network::EpsilonNet;
use super::{GaussianMixture, Schedule};
use crate::error::{Error, Result, ensure_finite, ensure_len, ensure_output};
use ndarray::{Array2, ArrayView2, AsArray, Ix2, Zip};

/// 時刻 `t` の点 `x_t`（`B × D`、全行で同じ `t`）から ε を予測するもの。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::{EpsilonPredictor, ExactEpsilon}}, ndarray::array};
/// let p = ExactEpsilon::new(
///     GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?,
///     Schedule::new(vec![0.5])?,
/// )?;
/// // データ N(0, 1) なら x_t ~ N(0, 1) で、ε* = √(1 − ᾱ_t) x_t
/// let e = p.epsilon(array![[2.0]].view(), 1)?;
/// assert!((e[[0, 0]] - 0.5f64.sqrt() * 2.0).abs() < 1e-15);
/// assert_eq!(p.dim(), 1);
/// assert!(p.epsilon(array![[2.0]].view(), 2).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub trait EpsilonPredictor {
    /// データの次元 `D`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{predictor::EpsilonPredictor, network::{EpsilonNet, TimeEmbedding}}, gaussian::univariate::seeded_rng, nn::Activation};
    /// let net = EpsilonNet::new(2, &[4], Activation::Relu, TimeEmbedding::new(5, 1)?, &mut seeded_rng(0))?;
    /// assert_eq!(EpsilonPredictor::dim(&net), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    fn dim(&self) -> usize;

    /// `ε̂(x_t, t)`（`B × D`）。
    ///
    /// # Errors
    ///
    /// 点が空・幅が `D` でない・有限でない、`t ∉ {1, …, T}`: 型つきの [`Error`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{predictor::EpsilonPredictor, network::{EpsilonNet, TimeEmbedding}}, gaussian::univariate::seeded_rng, ndarray::array, nn::Activation};
    /// let net = EpsilonNet::new(1, &[4], Activation::Relu, TimeEmbedding::new(5, 1)?, &mut seeded_rng(0))?;
    /// let x = array![[0.3], [-0.2]];
    /// assert_eq!(net.epsilon(x.view(), 3)?, net.predict(&x, &[3, 3])?);
    /// assert!(net.epsilon(x.view(), 0).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    fn epsilon(&self, x: ArrayView2<'_, f64>, t: usize) -> Result<Array2<f64>>;
}

impl EpsilonPredictor for EpsilonNet {
    fn dim(&self) -> usize {
        EpsilonNet::dim(self)
    }

    fn epsilon(&self, x: ArrayView2<'_, f64>, t: usize) -> Result<Array2<f64>> {
        self.predict(x, &vec![t; x.nrows()])
    }
}

/// ガウス混合のデータ `p(x_0)` の厳密な予測 `ε*(x_t, t) = E[ε | x_t] = −√(1 − ᾱ_t) ∇ ln p_t(x_t)`
/// （Tweedie の式、式 (10.14)、第 10 章）。予定は予測器が持つ（標本抽出に別の予定を渡すと、誤った予定で
/// 学習したモデルになる）。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon}, ndarray::array};
/// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[0.0, 1.0]], array![[1.0, 1.0]])?, Schedule::new(vec![0.1])?)?;
/// assert_eq!(p.mixture().dim(), 2);
/// assert_eq!(p.schedule().steps(), 1);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExactEpsilon {
    mixture: GaussianMixture,
    schedule: Schedule,
}

impl ExactEpsilon {
    /// データの混合と予定から作る。
    ///
    /// # Errors
    ///
    /// いまは失敗しない（混合と予定は作るときに確かめてある）。将来の検査のために `Result` を返す。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon}, ndarray::array};
    /// let m = GaussianMixture::new(array![0.5, 0.5], array![[-1.0], [1.0]], array![[0.1], [0.1]])?;
    /// assert!(ExactEpsilon::new(m, Schedule::linear(10, 0.01, 0.2)?).is_ok());
    /// assert!(Schedule::linear(0, 0.01, 0.2).is_err()); // 不正な予定はここに来る前に断る
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn new(mixture: GaussianMixture, schedule: Schedule) -> Result<Self> {
        Ok(Self { mixture, schedule })
    }

    /// データの混合 `p(x_0)`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon}, ndarray::array};
    /// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?, Schedule::new(vec![0.1])?)?;
    /// assert_eq!(p.mixture().components(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mixture(&self) -> &GaussianMixture {
        &self.mixture
    }

    /// 予測に使う予定。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{GaussianMixture, Schedule, predictor::ExactEpsilon}, ndarray::array};
    /// let p = ExactEpsilon::new(GaussianMixture::new(array![1.0], array![[0.0]], array![[1.0]])?, Schedule::new(vec![0.1, 0.2])?)?;
    /// assert_eq!(p.schedule().beta(2)?, 0.2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }
}

impl EpsilonPredictor for ExactEpsilon {
    fn dim(&self) -> usize {
        self.mixture.dim()
    }

    fn epsilon(&self, x: ArrayView2<'_, f64>, t: usize) -> Result<Array2<f64>> {
        let e = self.mixture.optimal_epsilon(&self.schedule, t, x)?;
        ensure_output("厳密な ε の予測 ε*", e)
    }
}

fn check_pair<'a, 'b>(
    x: impl AsArray<'a, f64, Ix2>,
    eps: impl AsArray<'b, f64, Ix2>,
) -> Result<(ArrayView2<'a, f64>, ArrayView2<'b, f64>)> {
    let x: ArrayView2<'a, f64> = x.into();
    let eps: ArrayView2<'b, f64> = eps.into();
    if x.is_empty() {
        return Err(Error::EmptyInput);
    }
    ensure_len(x.nrows(), eps.nrows())?;
    ensure_len(x.ncols(), eps.ncols())?;
    crate::vae::model::ensure_elements("点の成分の数", x.nrows(), x.ncols())?;
    ensure_finite("点 x_t", x.iter().copied())?;
    ensure_finite("ε の予測", eps.iter().copied())?;
    Ok((x, eps))
}

/// `x_0` の予測 `x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t`（式 (10.15)、第 10 章）。
///
/// # Errors
///
/// - `t ∉ {1, …, T}`: [`Error::InvalidParameter`]
/// - 空: [`Error::EmptyInput`]、形が違う: [`Error::DimensionMismatch`]、NaN・±∞: [`Error::NonFinite`]
/// - 結果が `f64` の範囲を超える（`ᾱ_t` がごく小さいときなど）: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{Schedule, predictor::predicted_x0}, ndarray::array};
/// let s = Schedule::new(vec![0.36])?;
/// // x_1 = 0.8 x_0 + 0.6 ε を逆に解く: x_0 = (x_1 − 0.6 ε) / 0.8
/// let x0 = predicted_x0(&s, 1, &array![[1.4]], &array![[1.0]])?;
/// assert!((x0[[0, 0]] - 1.0).abs() < 1e-15);
/// assert!(predicted_x0(&s, 2, &array![[1.4]], &array![[1.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn predicted_x0<'a, 'b>(
    schedule: &Schedule,
    t: usize,
    x: impl AsArray<'a, f64, Ix2>,
    eps: impl AsArray<'b, f64, Ix2>,
) -> Result<Array2<f64>> {
    schedule.beta(t)?;
    let (x, eps) = check_pair(x, eps)?;
    let (scale, var) = schedule.marginal(t)?;
    let sd = var.sqrt();
    let out = Zip::from(&x)
        .and(&eps)
        .map_collect(|&x, &e| (x - sd * e) / scale);
    ensure_output("x_0 の予測 x̂_0", out)
}

/// ε の予測から、スコアの推定 `∇ ln p_t(x_t) ≈ −ε̂ / √(1 − ᾱ_t)`（式 (10.14)、第 10 章）。
///
/// # Errors
///
/// - `t ∉ {1, …, T}`: [`Error::InvalidParameter`]
/// - 空: [`Error::EmptyInput`]、NaN・±∞: [`Error::NonFinite`]
/// - 結果が `f64` の範囲を超える: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::{Schedule, predictor::score_from_epsilon}, ndarray::array, Error};
/// let s = Schedule::new(vec![0.36])?;
/// let sc = score_from_epsilon(&s, 1, &array![[1.2, -0.6]])?;
/// assert!((sc[[0, 0]] + 2.0).abs() < 1e-15 && (sc[[0, 1]] - 1.0).abs() < 1e-15);
/// assert!(matches!(score_from_epsilon(&s, 1, &array![[f64::NAN]]), Err(Error::NonFinite { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn score_from_epsilon<'a>(
    schedule: &Schedule,
    t: usize,
    eps: impl AsArray<'a, f64, Ix2>,
) -> Result<Array2<f64>> {
    schedule.beta(t)?;
    let eps: ArrayView2<'a, f64> = eps.into();
    if eps.is_empty() {
        return Err(Error::EmptyInput);
    }
    crate::vae::model::ensure_elements("ε の予測の成分の数", eps.nrows(), eps.ncols())?;
    ensure_finite("ε の予測", eps.iter().copied())?;
    let sd = schedule.one_minus_alpha_bar(t)?.sqrt();
    ensure_output("スコアの推定 −ε̂/√(1 − ᾱ_t)", eps.mapv(|e| -e / sd))
}
