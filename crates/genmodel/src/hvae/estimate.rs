//! ELBO の 2 つの書き方のモンテカルロ推定と、その厳密な平均・分散。
//!
//! - [`Form::Chain`]: エンコーダから連鎖 `z_{1:T}` を 1 本引き、(9.6) の各項をその点で評価する
//!   （和は `ln q_θ(x, z) − ln r_φ(z | x)`）。
//! - [`Form::FixedEncoder`]: 同じ連鎖の `z_t` で、(9.8) の KL 情報量の項を閉じた形で評価する
//!   （`KL(r(x_T | x_0) ‖ q(x_T))` は標本によらない）。
//!
//! どちらも 1 標本の値は連鎖の雑音 `ε` の 2 次式なので、その平均と分散は雑音の各成分について
//! 3 点の Gauss–Hermite 則（5 次までの多項式で厳密）で厳密に求まる（[`exact_moments`]）。

use super::chain::{Decoder, Encoder, log_normal, read_latents};
use crate::divergence::kl_gaussian_1d;
use crate::error::{Error, Result, ensure_len, finite_scalar};
use crate::prec::{MAX_CHAIN_WORK, MAX_SAMPLES};
use crate::vae::evaluate::standard_normal;
use ndarray::{AsArray, Ix1};
use rand::Rng;

/// ELBO の書き方。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// 連鎖の各項を標本で評価する形 (9.6)。
    Chain,
    /// 各段の KL 情報量を閉じた形で評価する形 (9.8)。
    FixedEncoder,
}

/// 1 標本の推定を `samples` 回くり返した結果。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElboEstimate {
    /// 平均（ELBO の推定）。
    pub mean: f64,
    /// 平均の標準誤差。
    pub standard_error: f64,
    /// 1 標本の値の分散の推定（不偏分散）。
    pub variance: f64,
    /// 分散の推定の標準誤差（4 次の積率から、`√((m₄ − m₂²)/n)`）。
    pub variance_error: f64,
}

/// 厳密な Gauss–Hermite 則で扱う段の数の上限（3^T 点）。
pub const MAX_EXACT_DEPTH: usize = 12;

/// 連鎖 `z_{1:T}`（`z_0 = x`）での 1 標本の値。式 (9.6)・(9.8)、第 9 章。
///
/// # Errors
///
/// 段の数が違う・`z` の長さが T でない: [`Error::DimensionMismatch`]。NaN・±∞: [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{hvae::{estimate::{single_sample, Form}, Decoder, Encoder}, Error};
/// let dec = Decoder::new(&[0.7, 0.9], &[0.1, 0.0], &[0.3, 0.5])?;
/// let enc = Encoder::fixed(&[0.9, 0.8], &[0.2, 0.4])?;
/// let z = [0.4, -0.2];
/// // (9.6) の形は ln q_θ(x, z) − ln r(z | x)
/// let want = dec.log_joint(1.0, &z)? - enc.log_density(1.0, &z)?;
/// assert!((single_sample(&dec, &enc, 1.0, &z, Form::Chain)? - want).abs() < 1e-12);
/// assert!(matches!(single_sample(&dec, &enc, 1.0, &[0.4], Form::Chain), Err(Error::DimensionMismatch { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn single_sample<'a>(
    dec: &Decoder,
    enc: &Encoder,
    x: f64,
    z: impl AsArray<'a, f64, Ix1>,
    form: Form,
) -> Result<f64> {
    ensure_len(dec.depth(), enc.depth())?;
    let z = read_latents(z, dec.depth())?;
    if !x.is_finite() {
        return Err(Error::NonFinite {
            what: "x",
            index: 0,
        });
    }
    let value = match form {
        Form::Chain => dec.log_joint(x, &z)? - enc.log_density(x, &z)?,
        Form::FixedEncoder => {
            let depth = dec.depth();
            let (w, b, s) = dec.step(1)?;
            let mut total = log_normal(x, w * z[0] + b, s);
            let (m_t, p_t) = enc.marginal_given_x0(depth, x)?;
            total -= kl_gaussian_1d(m_t, p_t, 0.0, 1.0)?;
            // r(x_{t−1} | x_t, x_0) を、x_0 を与えた周辺分布を 1 度だけたどって求める（`reverse_given_x0` と同じ式。
            // 段ごとに呼ぶと T² の仕事になる）
            let (a1, c1, v1) = enc.step(1)?;
            let (mut m_prev, mut p_prev) = (a1 * x + c1, v1);
            for t in 2..=depth {
                let xt = z[t - 1];
                let (a, c, v) = enc.step(t)?;
                let (m_now, p_now) = (a * m_prev + c, a * a * p_prev + v);
                let mean = finite_scalar("平均", m_prev + a * p_prev / p_now * (xt - m_now))?;
                let var = finite_scalar("分散", p_prev * v / p_now)?;
                let (w, b, s) = dec.step(t)?;
                total -= kl_gaussian_1d(mean, var, w * xt + b, s)?;
                (m_prev, p_prev) = (m_now, p_now);
            }
            total
        }
    };
    finite_scalar("1 標本の ELBO", value)
}

/// 1 標本の値の厳密な平均と分散。雑音 `ε_1, …, ε_T` の各成分に 3 点の Gauss–Hermite 則
/// （点 0, ±√3、重み 2/3, 1/6, 1/6）を置いたテンソル積で、2 次式の平均と分散を厳密に求める。
/// 式 (9.6)・(9.8)、第 9 章。
///
/// # Errors
///
/// T > [`MAX_EXACT_DEPTH`]: [`Error::TooLarge`]。連鎖・平均・分散が `f64` の範囲を超える: [`Error::Overflow`]。
/// ほかは [`single_sample`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{hvae::{estimate::{exact_moments, Form}, Decoder}, Error};
/// let dec = Decoder::new(&[0.7, 0.9], &[0.1, 0.0], &[0.3, 0.5])?;
/// let post = dec.posterior()?;
/// // 事後分布のエンコーダでは、1 標本の値が ln q_θ(x) そのもので分散は 0
/// let (mean, var) = exact_moments(&dec, &post, 1.0, Form::Chain)?;
/// assert!((mean - dec.log_marginal(1.0)?).abs() < 1e-12 && var < 1e-20);
/// let deep = Decoder::new(&[1.0; 13], &[0.0; 13], &[1.0; 13])?;
/// assert!(matches!(exact_moments(&deep, &deep.posterior()?, 1.0, Form::Chain), Err(Error::TooLarge { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn exact_moments(dec: &Decoder, enc: &Encoder, x: f64, form: Form) -> Result<(f64, f64)> {
    ensure_len(dec.depth(), enc.depth())?;
    finite_x(x)?;
    let depth = dec.depth();
    if depth > MAX_EXACT_DEPTH {
        return Err(Error::TooLarge {
            what: "厳密な積率の段の数",
            requested: depth,
            max: MAX_EXACT_DEPTH,
        });
    }
    let nodes = [0.0, 3f64.sqrt(), -(3f64.sqrt())];
    let weights = [2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0];
    let mut values = Vec::with_capacity(3usize.pow(depth as u32));
    let mut eps = vec![0.0; depth];
    for code in 0..3usize.pow(depth as u32) {
        let (mut k, mut w) = (code, 1.0);
        for e in eps.iter_mut() {
            *e = nodes[k % 3];
            w *= weights[k % 3];
            k /= 3;
        }
        let z = chain(enc, x, &eps)?;
        values.push((w, single_sample(dec, enc, x, &z, form)?));
    }
    // 平均を先に求め、分散は平均からのずれを最大のずれで割ってから 2 乗する（f² のあふれ・桁落ちを避ける）
    let mean = finite_scalar("厳密な平均", values.iter().map(|(w, f)| w * f).sum())?;
    let scale = values
        .iter()
        .map(|(_, f)| (f - mean).abs())
        .fold(0.0, f64::max);
    if scale == 0.0 {
        return Ok((mean, 0.0));
    }
    let scaled: f64 = values
        .iter()
        .map(|(w, f)| w * ((f - mean) / scale).powi(2))
        .sum();
    Ok((mean, finite_scalar("厳密な分散", scale * scale * scaled)?))
}

/// 点 x の NaN・±∞ は、連鎖を作る前に入力の誤りとして断る（連鎖のあふれと取り違えない）。
fn finite_x(x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFinite {
            what: "x",
            index: 0,
        })
    }
}

/// 雑音 `ε` から連鎖を作り、あふれを確かめる（入力が有限でも `a_t` が大きいと途中が ±∞ になりうる）。
fn chain(enc: &Encoder, x: f64, eps: &[f64]) -> Result<ndarray::Array1<f64>> {
    let z = enc.chain_from_noise(x, eps);
    if z.iter().all(|v| v.is_finite()) {
        Ok(z)
    } else {
        Err(Error::Overflow {
            what: "エンコーダの連鎖",
        })
    }
}

/// 1 標本の推定を `samples` 回（独立な連鎖）くり返す。式 (9.6)・(9.8)、第 9 章。
///
/// # Errors
///
/// `samples < 2`: [`Error::TooFewSamples`]。`samples` が [`crate::prec::MAX_SAMPLES`] を超える、または
/// `samples × T` が [`crate::prec::MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]（確保も計算もせずに断る）。
/// 連鎖・平均・分散が `f64` の範囲を超える: [`Error::Overflow`]。ほかは [`single_sample`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{gaussian::univariate::seeded_rng, hvae::{estimate::{estimate, exact_moments, Form}, Decoder, Encoder}, Error};
/// let dec = Decoder::new(&[0.7, 0.9], &[0.1, 0.0], &[0.3, 0.5])?;
/// let enc = Encoder::fixed(&[0.9, 0.8], &[0.2, 0.4])?;
/// let e = estimate(&dec, &enc, 1.0, Form::FixedEncoder, 4000, &mut seeded_rng(1))?;
/// let (mean, _) = exact_moments(&dec, &enc, 1.0, Form::FixedEncoder)?;
/// assert!((e.mean - mean).abs() < 5.0 * e.standard_error);
/// assert!(matches!(estimate(&dec, &enc, 1.0, Form::Chain, 1, &mut seeded_rng(1)), Err(Error::TooFewSamples { .. })));
/// assert!(matches!(estimate(&dec, &enc, 1.0, Form::Chain, usize::MAX, &mut seeded_rng(1)), Err(Error::TooLarge { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn estimate<R: Rng + ?Sized>(
    dec: &Decoder,
    enc: &Encoder,
    x: f64,
    form: Form,
    samples: usize,
    rng: &mut R,
) -> Result<ElboEstimate> {
    ensure_len(dec.depth(), enc.depth())?;
    finite_x(x)?;
    if samples < 2 {
        return Err(Error::TooFewSamples {
            needed: 2,
            actual: samples,
        });
    }
    let work = (samples as u64).saturating_mul(dec.depth() as u64);
    if samples > MAX_SAMPLES || work > MAX_CHAIN_WORK {
        return Err(Error::TooLarge {
            what: "推定の標本の数（と 標本の数 × 段の数）",
            requested: samples,
            max: MAX_SAMPLES.min((MAX_CHAIN_WORK / dec.depth() as u64) as usize),
        });
    }
    let mut values = Vec::with_capacity(samples);
    let mut eps = vec![0.0; dec.depth()];
    for _ in 0..samples {
        for e in eps.iter_mut() {
            *e = standard_normal(rng);
        }
        let z = chain(enc, x, &eps)?;
        values.push(single_sample(dec, enc, x, &z, form)?);
    }
    let n = samples as f64;
    // 和があふれないよう 1/n を先に掛け、積率は最大のずれで割ってから冪をとる
    let mean = finite_scalar("推定の平均", values.iter().map(|v| v / n).sum::<f64>())?;
    let scale = values.iter().map(|v| (v - mean).abs()).fold(0.0, f64::max);
    let (m2, m4) = if scale == 0.0 {
        (0.0, 0.0)
    } else {
        let d = |v: &f64| (v - mean) / scale;
        (
            values.iter().map(|v| d(v).powi(2)).sum::<f64>() / n,
            values.iter().map(|v| d(v).powi(4)).sum::<f64>() / n,
        )
    };
    let variance = finite_scalar("推定の分散", scale * scale * (m2 * n / (n - 1.0)))?;
    Ok(ElboEstimate {
        mean,
        standard_error: finite_scalar("標準誤差", (variance / n).sqrt())?,
        variance,
        variance_error: finite_scalar(
            "分散の標準誤差",
            scale * scale * ((m4 - m2 * m2).max(0.0) / n).sqrt(),
        )?,
    })
}
