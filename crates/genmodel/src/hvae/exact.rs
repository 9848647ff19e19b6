//! 閉じた形の量: 対数尤度、ELBO、事後分布、固定のエンコーダの条件つき分布、最適なデコーダ。

use super::chain::{Decoder, Encoder, check_step, log_normal};
use crate::divergence::kl_gaussian_1d;
use crate::error::{Error, Result, finite_scalar};
use std::f64::consts::PI;

fn finite_input(what: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Error::NonFinite { what, index: 0 })
    }
}

fn positive_variance(name: &'static str, v: f64) -> Result<f64> {
    finite_input(name, v)?;
    if v <= 0.0 {
        return Err(Error::InvalidParameter {
            name,
            value: v,
            requirement: "分散は正",
        });
    }
    Ok(v)
}

/// 分散 `var` の 1 次元ガウス分布のエントロピー `½ ln(2πe var)`。式 (9.11)、第 9 章。
///
/// # Errors
///
/// 分散が正でない: [`Error::InvalidParameter`]。NaN・±∞: [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{hvae::gaussian_entropy, Error};
/// let h = gaussian_entropy(1.0)?;
/// assert!((h - 1.4189385332046727).abs() < 1e-15);
/// // 2πe·var があふれる分散でも、値は有限（½ ln 2πe + ½ ln var）
/// assert!((gaussian_entropy(1e308)? - (1.4189385332046727 + 0.5 * 1e308f64.ln())).abs() < 1e-12);
/// assert!(matches!(gaussian_entropy(0.0), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn gaussian_entropy(var: f64) -> Result<f64> {
    let v = positive_variance("var", var)?;
    Ok(half_ln_2pi_e(v))
}

/// `½ ln(2πe v)` を `½ (ln 2πe + ln v)` と分けて求める（`v = 1e308` でも `2πe v` があふれない）。
fn half_ln_2pi_e(v: f64) -> f64 {
    0.5 * ((2.0 * PI * std::f64::consts::E).ln() + v.ln())
}

impl Decoder {
    /// モデルでの `z_t` の周辺分布の平均と分散（t = 0 はデータ x）。`z_T` から
    /// `m_{t−1} = w_t m_t + b_t`、`V_{t−1} = w_t² V_t + s_t` とたどる。式 (9.1)、第 9 章。
    ///
    /// # Errors
    ///
    /// t > T: [`Error::InvalidParameter`]。あふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Decoder, Error};
    /// let dec = Decoder::new(&[2.0], &[1.0], &[0.5])?;
    /// assert_eq!(dec.marginal(0)?, (1.0, 4.5));
    /// assert_eq!(dec.marginal(1)?, (0.0, 1.0));
    /// assert!(matches!(dec.marginal(2), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn marginal(&self, t: usize) -> Result<(f64, f64)> {
        let depth = self.depth();
        if t > depth {
            check_step(t, depth)?;
        }
        let (mut m, mut v) = (0.0, 1.0);
        for k in (t + 1..=depth).rev() {
            let w = self.w[k - 1];
            m = w * m + self.b[k - 1];
            v = w * w * v + self.s[k - 1];
        }
        finite_scalar("周辺分布の平均", m)?;
        finite_scalar("周辺分布の分散", v)?;
        Ok((m, v))
    }

    /// 厳密な対数尤度 `ln q_θ(x)`（`x` の周辺分布はガウス分布）。式 (9.3)、第 9 章。
    ///
    /// # Errors
    ///
    /// NaN・±∞: [`Error::NonFinite`]。あふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Decoder, Error};
    /// // x = z_1 + 雑音: x ~ N(0, 1 + 1)
    /// let dec = Decoder::new(&[1.0], &[0.0], &[1.0])?;
    /// let want = -0.5 * (4.0 * std::f64::consts::PI).ln();
    /// assert!((dec.log_marginal(0.0)? - want).abs() < 1e-15);
    /// assert!(matches!(dec.log_marginal(f64::NAN), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log_marginal(&self, x: f64) -> Result<f64> {
        let x = finite_input("x", x)?;
        let (m, v) = self.marginal(0)?;
        finite_scalar("ln q_θ(x)", log_normal(x, m, v))
    }

    /// 厳密な事後分布 `q_θ(z_{1:T} | x)` を、マルコフのエンコーダとして返す。段 t は
    /// `q_θ(z_t | z_{t−1})`（`z_0 = x`）で、係数 `w_t V_t / V_{t−1}`、分散 `V_t − w_t² V_t² / V_{t−1}`。
    /// 式 (9.5)、第 9 章。
    ///
    /// # Errors
    ///
    /// あふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::hvae::Decoder;
    /// // x = z_1 + 雑音（分散 1）: 事後分布は N(x/2, 1/2)
    /// let post = Decoder::new(&[1.0], &[0.0], &[1.0])?.posterior()?;
    /// assert_eq!(post.step(1)?, (0.5, 0.0, 0.5));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn posterior(&self) -> Result<Encoder> {
        let depth = self.depth();
        // 周辺分布を z_T から 1 度だけ下ってすべて求める（段ごとに marginal を呼ぶと T² の仕事になる）
        let mut marginals = vec![(0.0, 1.0); depth + 1];
        for k in (1..=depth).rev() {
            let (m, v) = marginals[k];
            let w = self.w[k - 1];
            marginals[k - 1] = (
                finite_scalar("周辺分布の平均", w * m + self.b[k - 1])?,
                finite_scalar("周辺分布の分散", w * w * v + self.s[k - 1])?,
            );
        }
        let (mut a, mut c, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for t in 1..=depth {
            let (m_prev, v_prev) = marginals[t - 1];
            let (m_t, v_t) = marginals[t];
            let w = self.w[t - 1];
            let gain = w * v_t / v_prev;
            a.push(gain);
            c.push(m_t - gain * m_prev);
            // V_t − gain w V_t = V_t s_t / V_{t−1}（引き算の桁落ちを避ける形）
            v.push(v_t * self.s[t - 1] / v_prev);
        }
        let enc = Encoder::new(&a, &c, &v).map_err(|_| Error::Overflow {
            what: "事後分布の係数",
        })?;
        Ok(enc)
    }

    /// ELBO の閉じた形。エンコーダの下で `z_t` の平均 `μ_t` と分散 `P_t` は `μ_t = a_t μ_{t−1} + c_t`、
    /// `P_t = a_t² P_{t−1} + v_t`（`μ_0 = x`、`P_0 = 0`）で、隣の共分散は `a_t P_{t−1}`。これで (9.6) の各項の
    /// 期待値が 2 次の積率から求まる。式 (9.3)・(9.6)、第 9 章。
    ///
    /// # Errors
    ///
    /// 段の数が違う: [`Error::DimensionMismatch`]。NaN・±∞: [`Error::NonFinite`]。あふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::{Decoder, Encoder}, Error};
    /// let dec = Decoder::new(&[1.0], &[0.0], &[1.0])?;
    /// // エンコーダが事後分布 N(x/2, 1/2) なら ELBO = ln q_θ(x)
    /// let enc = Encoder::new(&[0.5], &[0.0], &[0.5])?;
    /// assert!((dec.elbo(&enc, 0.3)? - dec.log_marginal(0.3)?).abs() < 1e-12);
    /// // 事後分布と違えば真に小さい
    /// let other = Encoder::new(&[0.2], &[0.0], &[0.5])?;
    /// assert!(dec.elbo(&other, 0.3)? < dec.log_marginal(0.3)?);
    /// let deep = Encoder::new(&[0.5, 0.5], &[0.0, 0.0], &[0.5, 0.5])?;
    /// assert!(matches!(dec.elbo(&deep, 0.3), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn elbo(&self, enc: &Encoder, x: f64) -> Result<f64> {
        crate::error::ensure_len(self.depth(), enc.depth())?;
        let x = finite_input("x", x)?;
        let depth = self.depth();
        let (mut mu_prev, mut p_prev) = (x, 0.0);
        let mut total = 0.0;
        for t in 1..=depth {
            let (a, c, v) = enc.step(t)?;
            let mu = a * mu_prev + c;
            let p = a * a * p_prev + v;
            let (w, b, s) = self.step(t)?;
            // E[(z_{t−1} − w z_t − b)²]
            let r = mu_prev - w * mu - b;
            let sq = r * r + p_prev + w * w * p - 2.0 * w * a * p_prev;
            total += -0.5 * ((2.0 * PI).ln() + s.ln()) - sq / (2.0 * s);
            // エントロピー −E[ln r_φ(z_t | z_{t−1})]
            total += half_ln_2pi_e(v);
            mu_prev = mu;
            p_prev = p;
        }
        total += -0.5 * (2.0 * PI).ln() - 0.5 * (mu_prev * mu_prev + p_prev);
        finite_scalar("ELBO", total)
    }

    /// データ `p = N(mean, var)` と固定のエンコーダに対する最適なデコーダ: 段 t を、`p(x_0)` と
    /// エンコーダの同時分布の逆向きの条件つき分布 `r(x_{t−1} | x_t)` にする。式 (9.12)、第 9 章。
    ///
    /// # Errors
    ///
    /// 分散が正でない: [`Error::InvalidParameter`]。NaN・±∞: [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::{Decoder, Encoder}, Error};
    /// // x_1 = x_0 + 雑音（分散 1）、x_0 ~ N(0, 1): r(x_0 | x_1) = N(x_1/2, 1/2)
    /// let enc = Encoder::fixed(&[1.0], &[1.0])?;
    /// let dec = Decoder::optimal_for_gaussian(&enc, 0.0, 1.0)?;
    /// assert_eq!(dec.step(1)?, (0.5, 0.0, 0.5));
    /// assert!(matches!(Decoder::optimal_for_gaussian(&enc, 0.0, -1.0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn optimal_for_gaussian(enc: &Encoder, mean: f64, var: f64) -> Result<Decoder> {
        let (mut w, mut b, mut s) = (Vec::new(), Vec::new(), Vec::new());
        // データの周辺分布を x_0 から 1 度だけたどる（段ごとに marginal_of_data を呼ぶと T² の仕事になる）
        let (mut m_t, mut q_t) = enc.marginal_of_data(0, mean, var)?;
        for t in 1..=enc.depth() {
            let (m_prev, q_prev) = (m_t, q_t);
            let (a, c, v) = enc.step(t)?;
            m_t = finite_scalar("平均", a * m_prev + c)?;
            q_t = finite_scalar("分散", a * a * q_prev + v)?;
            let gain = a * q_prev / q_t;
            w.push(gain);
            b.push(m_prev - gain * m_t);
            s.push(q_prev * v / q_t);
        }
        Decoder::new(&w, &b, &s).map_err(|_| Error::Overflow {
            what: "最適なデコーダの係数",
        })
    }
}

impl Encoder {
    /// `x_0` を与えたときの `x_t` の分布 `r(x_t | x_0) = N(μ_t, P_t)` の平均と分散
    /// （`μ_t = a_t μ_{t−1} + c_t`、`P_t = a_t² P_{t−1} + v_t`、`μ_0 = x_0`、`P_0 = 0`）。t = 0 は `(x_0, 0)`。
    /// 式 (9.9)、第 9 章。
    ///
    /// # Errors
    ///
    /// t > T: [`Error::InvalidParameter`]。NaN・±∞: [`Error::NonFinite`]。あふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64])?;
    /// let (m, p) = enc.marginal_given_x0(2, 1.0)?;
    /// assert!((m - 0.48).abs() < 1e-15 && (p - 0.7696).abs() < 1e-15);
    /// assert!(matches!(enc.marginal_given_x0(3, 1.0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn marginal_given_x0(&self, t: usize, x0: f64) -> Result<(f64, f64)> {
        let x0 = finite_input("x_0", x0)?;
        self.propagate(t, x0, 0.0)
    }

    /// データ `p(x_0) = N(mean, var)` とエンコーダの同時分布での `x_t` の周辺分布 `r(x_t)` の平均と分散。
    /// 式 (9.11)、第 9 章。
    ///
    /// # Errors
    ///
    /// 分散が正でない: [`Error::InvalidParameter`]。t > T: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// // a_t² + v_t = 1 なら N(0, 1) は保たれる
    /// let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64])?;
    /// let (m, q) = enc.marginal_of_data(2, 0.0, 1.0)?;
    /// assert!(m.abs() < 1e-15 && (q - 1.0).abs() < 1e-15);
    /// assert!(matches!(enc.marginal_of_data(1, 0.0, 0.0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn marginal_of_data(&self, t: usize, mean: f64, var: f64) -> Result<(f64, f64)> {
        let mean = finite_input("mean", mean)?;
        let var = positive_variance("var", var)?;
        self.propagate(t, mean, var)
    }

    fn propagate(&self, t: usize, mut m: f64, mut p: f64) -> Result<(f64, f64)> {
        if t > self.depth() {
            check_step(t, self.depth())?;
        }
        for k in 0..t {
            m = self.a[k] * m + self.c[k];
            p = self.a[k] * self.a[k] * p + self.v[k];
        }
        finite_scalar("平均", m)?;
        finite_scalar("分散", p)?;
        Ok((m, p))
    }

    /// `x_t` と `x_0` を与えたときの `x_{t−1}` の分布 `r(x_{t−1} | x_t, x_0)` の平均と分散。
    /// `(x_{t−1}, x_t)` の `x_0` を与えた同時分布（共分散 `a_t P_{t−1}`）をガウス分布の条件づけ（§2.4）で
    /// 条件づける: 平均 `μ_{t−1} + a_t P_{t−1}/P_t (x_t − μ_t)`、分散 `P_{t−1} v_t / P_t`。式 (9.10)、第 9 章。
    ///
    /// # Errors
    ///
    /// t が 2..=T の外（t = 1 では `x_0` が決まっていて分布は点）: [`Error::InvalidParameter`]。
    /// NaN・±∞: [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64])?;
    /// let (m, v) = enc.reverse_given_x0(2, 0.5, 1.0)?;
    /// // 平均 0.8 + 0.6·0.36/0.7696·(0.5 − 0.48)、分散 0.36·0.64/0.7696
    /// assert!((m - (0.8 + 0.216 / 0.7696 * 0.02)).abs() < 1e-15);
    /// assert!((v - 0.2304 / 0.7696).abs() < 1e-15);
    /// assert!(matches!(enc.reverse_given_x0(1, 0.5, 1.0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn reverse_given_x0(&self, t: usize, xt: f64, x0: f64) -> Result<(f64, f64)> {
        if t < 2 || t > self.depth() {
            return Err(Error::InvalidParameter {
                name: "t",
                value: t as f64,
                requirement: "2 ≤ t ≤ T",
            });
        }
        let xt = finite_input("x_t", xt)?;
        let (m_prev, p_prev) = self.marginal_given_x0(t - 1, x0)?;
        let (m_t, p_t) = self.marginal_given_x0(t, x0)?;
        let (a, _, v) = self.step(t)?;
        let mean = m_prev + a * p_prev / p_t * (xt - m_t);
        Ok((
            finite_scalar("平均", mean)?,
            finite_scalar("分散", p_prev * v / p_t)?,
        ))
    }
}

/// データ `p = N(mean, var)` での ELBO の期待値 `E_p[ELBO(x_0)]`。ELBO は `x_0` の 2 次式なので、
/// 3 点の Gauss–Hermite 則で厳密に求まる。式 (9.11)、第 9 章。
///
/// # Errors
///
/// 段の数が違う: [`Error::DimensionMismatch`]。分散が正でない: [`Error::InvalidParameter`]。
/// 点 `mean ± √(3 var)` や ELBO があふれる: [`Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::{hvae::{elbo_bound, expected_elbo, Decoder, Encoder}, Error};
/// let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64])?;
/// let best = Decoder::optimal_for_gaussian(&enc, 0.3, 0.5)?;
/// let bound = elbo_bound(&enc, 0.3, 0.5)?;
/// assert!((expected_elbo(&best, &enc, 0.3, 0.5)? - bound).abs() < 1e-12);
/// assert!(matches!(expected_elbo(&best, &enc, 0.3, -0.5), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn expected_elbo(dec: &Decoder, enc: &Encoder, mean: f64, var: f64) -> Result<f64> {
    let mean = finite_input("mean", mean)?;
    let var = positive_variance("var", var)?;
    let h = 3f64.sqrt() * var.sqrt();
    let (hi, lo) = (mean + h, mean - h);
    if !(hi.is_finite() && lo.is_finite()) {
        return Err(Error::Overflow {
            what: "Gauss–Hermite 則の点 mean ± √(3 var)",
        });
    }
    let total = (2.0 / 3.0) * dec.elbo(enc, mean)?
        + (1.0 / 6.0) * (dec.elbo(enc, hi)? + dec.elbo(enc, lo)?);
    finite_scalar("E_p[ELBO]", total)
}

/// 固定のエンコーダでの `E_p[ELBO]` の最大値 `−H(p) − KL(r(x_T) ‖ q(x_T))`（`p = N(mean, var)`）。
/// 式 (9.12)、第 9 章。
///
/// # Errors
///
/// 分散が正でない: [`Error::InvalidParameter`]。NaN・±∞: [`Error::NonFinite`]。
///
/// # Examples
///
/// ```
/// use genmodel::{hvae::{elbo_bound, Encoder}, Error};
/// // a_t² + v_t = 1、p = N(0, 1) なら r(x_T) = q(x_T) で、上限は −H(p) = −½ ln(2πe)
/// let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64])?;
/// assert!((elbo_bound(&enc, 0.0, 1.0)? + 1.4189385332046727).abs() < 1e-15);
/// assert!(matches!(elbo_bound(&enc, f64::NAN, 1.0), Err(Error::NonFinite { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn elbo_bound(enc: &Encoder, mean: f64, var: f64) -> Result<f64> {
    let (m_t, q_t) = enc.marginal_of_data(enc.depth(), mean, var)?;
    let kl = kl_gaussian_1d(m_t, q_t, 0.0, 1.0)?;
    finite_scalar("上限", -gaussian_entropy(var)? - kl)
}
