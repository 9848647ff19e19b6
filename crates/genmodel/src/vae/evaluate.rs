//! 学習した VAE の評価: ELBO のモンテカルロ推定と、重点サンプリングによる対数尤度の推定 (8.20)。
//!
//! どちらも、データ集合の 1 点あたりの平均と、その**モンテカルロの**標準誤差（同じデータで乱数だけを変えたときの揺れ）を返す。
//! データの選び方による揺れは含まない。

use super::model::Vae;
use crate::error::{Error, Result};
use crate::logspace::log_sum_exp;
use crate::prec::MAX_CHAIN_WORK;
use ndarray::{Array2, AsArray, Ix2};
use rand::Rng;

/// 1 点あたりの平均の推定値と、そのモンテカルロの標準誤差。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// データの点についての平均。
    pub mean: f64,
    /// 平均のモンテカルロの標準誤差。
    pub standard_error: f64,
}

/// 標準正規分布の乱数（Box–Muller、`u ∈ (0, 1]` なので `ln u` は有限）。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::univariate::seeded_rng, vae::evaluate::standard_normal};
///
/// let mut rng = seeded_rng(0);
/// let xs: Vec<f64> = (0..20_000).map(|_| standard_normal(&mut rng)).collect();
/// let mean = xs.iter().sum::<f64>() / 2e4;
/// let var = xs.iter().map(|x| x * x).sum::<f64>() / 2e4 - mean * mean;
/// // 平均の標準誤差は 1/√20000 ≈ 0.007、分散の標準誤差は √(2/20000) = 0.01
/// assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.04);
/// ```
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// `B × d` の標準正規分布の乱数（行の順に引く）。
pub(crate) fn noise<R: Rng + ?Sized>(rng: &mut R, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || standard_normal(rng))
}

/// 標本の数の検査（`2 ≤ samples`、点の数 × 標本の数 × 次元が仕事の上限以下）。
fn check_samples(vae: &Vae, points: usize, samples: usize) -> Result<()> {
    if samples < 2 {
        return Err(Error::InvalidParameter {
            name: "標本の数",
            value: samples as f64,
            requirement: "2 以上（標準誤差を求めるため）",
        });
    }
    let width = (vae.data_dim() + vae.latent_dim()) as u64;
    let work = (points as u64)
        .saturating_mul(samples as u64)
        .saturating_mul(width);
    if work > MAX_CHAIN_WORK {
        return Err(Error::TooLarge {
            what: "評価の仕事（点の数 × 標本の数 × (D + d)）",
            requested: usize::try_from(work).unwrap_or(usize::MAX),
            max: MAX_CHAIN_WORK as usize,
        });
    }
    Ok(())
}

/// [`log_weights`] の結果: エンコーダの出力と、重みの対数 `ln w = ln q_θ(x | z) + ln q(z) − ln r_φ(z | x)` の 2 つの項。
struct Draws {
    /// エンコーダの出力の平均 `μ`（点 × `d`）。
    mu: Array2<f64>,
    /// エンコーダの出力の対数分散 `ln σ²`（点 × `d`）。
    log_var: Array2<f64>,
    /// 再構成の対数尤度 `ln q_θ(x | z)`（点 × 標本）。
    recon: Array2<f64>,
    /// `ln q(z) − ln r_φ(z | x)`（点 × 標本）。ELBO の推定は値を使わないが、これがあふれたら
    /// [`Error::Overflow`] とする検査は ELBO と対数尤度の推定で共通である。
    ratio: Array2<f64>,
}

/// エンコーダを 1 度だけ走らせ、1 点ごとに `samples` 個の `z ~ r_φ(z | x)` を引いて、[`Draws`] を返す。
fn log_weights<R: Rng + ?Sized>(
    vae: &Vae,
    x: ndarray::ArrayView2<'_, f64>,
    samples: usize,
    rng: &mut R,
) -> Result<Draws> {
    let (mu, log_var) = vae.encode(x)?;
    let d = vae.latent_dim();
    let mut recon_all = Array2::zeros((x.nrows(), samples));
    let mut ratio_all = Array2::zeros((x.nrows(), samples));
    for (b, xr) in x.rows().into_iter().enumerate() {
        let eps = noise(rng, samples, d);
        let mut z = Array2::zeros((samples, d));
        let mut log_ratio = vec![0.0; samples];
        for k in 0..samples {
            for j in 0..d {
                let (m, l, e) = (mu[[b, j]], log_var[[b, j]], eps[[k, j]]);
                let zj = m + (0.5 * l).exp() * e;
                if !zj.is_finite() {
                    return Err(Error::Overflow {
                        what: "z = μ + σ ⊙ ε",
                    });
                }
                z[[k, j]] = zj;
                // ln q(z) − ln r(z | x) = −½ z² + ½ ε² + ½ ln σ²（2π は打ち消し合う）
                log_ratio[k] += 0.5 * (e * e - zj * zj + l);
            }
        }
        let y = vae.decoder().predict(&z)?;
        let xs = xr
            .broadcast((samples, xr.len()))
            .expect("行を標本の数だけ並べる");
        let recon = vae.reconstruction_rows(xs, &y);
        for k in 0..samples {
            recon_all[[b, k]] = recon[k];
            ratio_all[[b, k]] = log_ratio[k];
        }
    }
    if recon_all.iter().chain(&ratio_all).all(|v| v.is_finite()) {
        Ok(Draws {
            mu,
            log_var,
            recon: recon_all,
            ratio: ratio_all,
        })
    } else {
        Err(Error::Overflow {
            what: "重みの対数 ln w",
        })
    }
}

impl Vae {
    /// 1 点あたりの ELBO (8.4) のモンテカルロ推定（1 点に `samples` 個の `z`）と、その標準誤差。
    ///
    /// # Errors
    ///
    /// データの誤り（[`Vae::encode`] と同じ）、`samples < 2`: [`Error::InvalidParameter`]、
    /// 仕事が多すぎる: [`Error::TooLarge`]、あふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, nn::Activation, vae::{Likelihood, Vae}};
    ///
    /// let vae = Vae::new(2, 1, &[3], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let x = array![[1.0, 0.0], [0.0, 1.0]];
    /// let e = vae.elbo(&x, 100, &mut seeded_rng(1))?;
    /// let ll = vae.log_likelihood(&x, 100, &mut seeded_rng(1))?;
    /// assert!(e.mean < ll.mean + 4.0 * (e.standard_error + ll.standard_error)); // ELBO ≤ 対数尤度
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn elbo<'a, R: Rng + ?Sized>(
        &self,
        data: impl AsArray<'a, f64, Ix2>,
        samples: usize,
        rng: &mut R,
    ) -> Result<Estimate> {
        let x = self.check_data(data)?;
        check_samples(self, x.nrows(), samples)?;
        // 再構成の項は標本の平均、KL の項 (8.5) は閉じた形
        let Draws {
            mu, log_var, recon, ..
        } = log_weights(self, x, samples, rng)?;
        let n = x.nrows() as f64;
        let mut mean = 0.0;
        let mut errors = Vec::with_capacity(x.nrows());
        for (b, row) in recon.rows().into_iter().enumerate() {
            let (m, se) = mean_and_error(row);
            let kl: f64 = mu
                .row(b)
                .iter()
                .zip(log_var.row(b))
                .map(|(&m, &l)| 0.5 * (m * m + l.exp() - l - 1.0))
                .sum();
            // 1/n を先に掛けて足す（点ごとの値が大きくても和があふれない）
            mean += (m - kl) / n;
            errors.push(se);
        }
        finite_estimate(mean, scaled_norm(&errors) / n, "ELBO の推定")
    }

    /// 重点サンプリングによる 1 点あたりの対数尤度の推定 (8.20)（Burda ほか 2016）と、そのモンテカルロの標準誤差。
    ///
    /// 提案分布はエンコーダ `r_φ(z | x)` で、1 点に `samples` 個の `z` を使う。重みの平均の対数は期待値で
    /// 対数尤度以下（Jensen）で、`samples` を増やすと対数尤度に近づく。標準誤差は、重みの平均の相対的な揺れを
    /// デルタ法で対数に写したもの（1 点ごとの分散 `Var(w)/(K w̄²)` の和の平方根を点の数で割る）。
    ///
    /// # Errors
    ///
    /// [`Vae::elbo`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{gaussian::univariate::seeded_rng, ndarray::array, nn::Activation, vae::{Likelihood, Vae}, Error};
    ///
    /// let vae = Vae::new(2, 1, &[3], Activation::Tanh, Likelihood::Bernoulli, &mut seeded_rng(0))?;
    /// let x = array![[1.0, 0.0]];
    /// let ll = vae.log_likelihood(&x, 1000, &mut seeded_rng(2))?;
    /// // 2 画素のベルヌーイ分布なので ln 4 ほど（確率 1/4 の近く）
    /// assert!(ll.mean < 0.0 && ll.mean > -5.0);
    /// assert!(matches!(vae.log_likelihood(&x, 1, &mut seeded_rng(2)), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log_likelihood<'a, R: Rng + ?Sized>(
        &self,
        data: impl AsArray<'a, f64, Ix2>,
        samples: usize,
        rng: &mut R,
    ) -> Result<Estimate> {
        let x = self.check_data(data)?;
        check_samples(self, x.nrows(), samples)?;
        let Draws { recon, ratio, .. } = log_weights(self, x, samples, rng)?;
        let lw = recon + ratio;
        if !lw.iter().all(|v| v.is_finite()) {
            return Err(Error::Overflow {
                what: "重みの対数 ln w",
            });
        }
        let n = x.nrows() as f64;
        let k = samples as f64;
        let mut mean = 0.0;
        let mut var = 0.0;
        for row in lw.rows() {
            let lse = log_sum_exp(row)?;
            mean += (lse - k.ln()) / n;
            // 最大の重みで割った w̃ = exp(ln w − max) で、Var(w)/w̄² を求める
            let top = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let w = row.mapv(|v| (v - top).exp());
            let wbar = w.sum() / k;
            let v = w.iter().map(|x| (x - wbar) * (x - wbar)).sum::<f64>() / (k - 1.0);
            var += v / (k * wbar * wbar);
        }
        finite_estimate(mean, var.sqrt() / n, "対数尤度の推定")
    }
}

/// 標本の平均と、その標準誤差（値が大きくてもあふれないように、平均は `1/k` を先に掛け、偏差は最大の偏差で
/// 割ってから 2 乗する）。
fn mean_and_error(row: ndarray::ArrayView1<'_, f64>) -> (f64, f64) {
    let k = row.len() as f64;
    let m: f64 = row.iter().map(|w| w / k).sum();
    let scale = row.iter().fold(0.0f64, |a, w| a.max((w - m).abs()));
    if scale == 0.0 || !scale.is_finite() {
        return (m, if scale == 0.0 { 0.0 } else { f64::INFINITY });
    }
    let ss: f64 = row.iter().map(|w| ((w - m) / scale).powi(2)).sum();
    (m, scale * (ss / ((k - 1.0) * k)).sqrt())
}

/// `√(Σ v_i²)` を、最大の値で割ってから 2 乗して求める（あふれない）。
fn scaled_norm(values: &[f64]) -> f64 {
    let top = values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if top == 0.0 || !top.is_finite() {
        return top;
    }
    top * values.iter().map(|v| (v / top).powi(2)).sum::<f64>().sqrt()
}

/// 平均と標準誤差がどちらも有限なら推定を返し、そうでなければ [`Error::Overflow`]。
fn finite_estimate(mean: f64, standard_error: f64, what: &'static str) -> Result<Estimate> {
    if mean.is_finite() && standard_error.is_finite() {
        Ok(Estimate {
            mean,
            standard_error,
        })
    } else {
        Err(Error::Overflow { what })
    }
}
