//! ノイズの予定（DDPM、Ho ほか 2020）。
//!
//! 前向きの過程（固定したエンコーダ）は `r(x_t | x_{t−1}) = N(√α_t x_{t−1}, β_t I)`（`α_t = 1 − β_t`、`t = 1, …, T`、
//! 式 (10.1)）。閉じた形 `r(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I)`（`ᾱ_t = Π_{s ≤ t} α_s`、`ᾱ_0 = 1`、式 (10.2)）と、
//! 事後分布 `r(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t I)`（式 (10.4)–(10.6)）。本書は拡散モデルの文献の `q`（前向き）と
//! `p_θ`（モデル）を、第 8・9 章と同じく `r` と `q_θ` と書く:
//!
//! - `μ̃_t = (√ᾱ_{t−1} β_t / (1 − ᾱ_t)) x_0 + (√α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)) x_t`
//! - `β̃_t = (1 − ᾱ_{t−1}) β_t / (1 − ᾱ_t)`
//!
//! `ᾱ_t` は対数の和 `Σ ln(1 − β_s)` から求め（`ln_1p`）、`1 − ᾱ_t` は `−expm1(Σ ln(1 − β_s))` で求める（小さな `t` で打ち消さない）。

use crate::error::{Error, Result};

/// `T` の上限（`2^20`）。
pub const MAX_STEPS: usize = 1 << 20;

/// ノイズの予定 `β_1, …, β_T`。
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    beta: Vec<f64>,
    /// `ln ᾱ_t`（`t = 0, …, T`、`ln ᾱ_0 = 0`）。
    log_alpha_bar: Vec<f64>,
}

impl Schedule {
    /// `β_1, …, β_T` から作る。
    ///
    /// # Errors
    ///
    /// - 空（`T = 0`）: [`Error::EmptyInput`]
    /// - `T` が [`MAX_STEPS`] を超える: [`Error::TooLarge`]
    /// - `β_t ∉ (0, 1)`（NaN を含む）: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::Schedule, Error};
    ///
    /// let s = Schedule::new(vec![0.1, 0.2])?;
    /// assert_eq!(s.steps(), 2);
    /// assert!((s.alpha_bar(2)? - 0.9 * 0.8).abs() < 1e-15);
    /// assert!(matches!(Schedule::new(vec![0.1, 1.0]), Err(Error::InvalidParameter { .. })));
    /// assert_eq!(Schedule::new(vec![]), Err(Error::EmptyInput));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(beta: Vec<f64>) -> Result<Self> {
        if beta.is_empty() {
            return Err(Error::EmptyInput);
        }
        if beta.len() > MAX_STEPS {
            return Err(Error::TooLarge {
                what: "ノイズの予定の段の数 T",
                requested: beta.len(),
                max: MAX_STEPS,
            });
        }
        if let Some(&b) = beta.iter().find(|b| !(**b > 0.0 && **b < 1.0)) {
            return Err(Error::InvalidParameter {
                name: "β_t",
                value: b,
                requirement: "0 < β_t < 1",
            });
        }
        let mut log_alpha_bar = Vec::with_capacity(beta.len() + 1);
        log_alpha_bar.push(0.0);
        let mut acc = 0.0;
        for &b in &beta {
            acc += (-b).ln_1p();
            log_alpha_bar.push(acc);
        }
        Ok(Self {
            beta,
            log_alpha_bar,
        })
    }

    /// Ho ほか (2020) の線形の予定: `β_t` を `β_1 = first` から `β_T = last` まで等間隔に。
    ///
    /// # Errors
    ///
    /// `T = 0`、`β ∉ (0, 1)`: [`Schedule::new`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::diffusion::Schedule;
    ///
    /// let s = Schedule::linear(1000, 1e-4, 0.02)?;
    /// assert_eq!(s.beta(1)?, 1e-4);
    /// assert!((s.beta(1000)? - 0.02).abs() < 1e-15);
    /// // T = 1000 の終わりでは、データの成分はほぼ残らない（ᾱ_T ≈ 4e-5）
    /// assert!(s.alpha_bar(1000)? < 1e-4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn linear(steps: usize, first: f64, last: f64) -> Result<Self> {
        if steps == 0 {
            return Err(Error::EmptyInput);
        }
        if steps > MAX_STEPS {
            return Err(Error::TooLarge {
                what: "ノイズの予定の段の数 T",
                requested: steps,
                max: MAX_STEPS,
            });
        }
        let beta = (0..steps)
            .map(|i| {
                if steps == 1 {
                    first
                } else {
                    first + (last - first) * i as f64 / (steps - 1) as f64
                }
            })
            .collect();
        Self::new(beta)
    }

    /// 段の数 `T`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::diffusion::Schedule::new(vec![0.5])?.steps(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn steps(&self) -> usize {
        self.beta.len()
    }

    fn check_t(&self, t: usize, from: usize) -> Result<()> {
        if t < from || t > self.steps() {
            return Err(Error::InvalidParameter {
                name: "時刻 t",
                value: t as f64,
                requirement: if from == 0 {
                    "0 ≤ t ≤ T"
                } else {
                    "1 ≤ t ≤ T"
                },
            });
        }
        Ok(())
    }

    /// `β_t`（`1 ≤ t ≤ T`）。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let s = genmodel::diffusion::Schedule::new(vec![0.1, 0.2])?;
    /// assert_eq!(s.beta(2)?, 0.2);
    /// assert!(s.beta(0).is_err() && s.beta(3).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn beta(&self, t: usize) -> Result<f64> {
        self.check_t(t, 1)?;
        Ok(self.beta[t - 1])
    }

    /// `ᾱ_t = Π_{s ≤ t} (1 − β_s)`（`0 ≤ t ≤ T`、`ᾱ_0 = 1`）。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let s = genmodel::diffusion::Schedule::new(vec![0.5, 0.5])?;
    /// assert_eq!(s.alpha_bar(0)?, 1.0);
    /// assert!((s.alpha_bar(2)? - 0.25).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn alpha_bar(&self, t: usize) -> Result<f64> {
        self.check_t(t, 0)?;
        Ok(self.log_alpha_bar[t].exp())
    }

    /// `1 − ᾱ_t`（打ち消しのない形 `−expm1(ln ᾱ_t)`）。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let s = genmodel::diffusion::Schedule::new(vec![1e-12])?;
    /// // 1 − (1 − 1e-12) を直接引くと丸めで 1e-12 の 1e-4 ほど狂う
    /// assert!((s.one_minus_alpha_bar(1)? / 1e-12 - 1.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn one_minus_alpha_bar(&self, t: usize) -> Result<f64> {
        self.check_t(t, 0)?;
        Ok(-self.log_alpha_bar[t].exp_m1())
    }

    /// 前向きの過程の閉じた形 `r(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I)`（式 (10.2)、第 10 章）の係数 `(√ᾱ_t, 1 − ᾱ_t)`。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let s = genmodel::diffusion::Schedule::new(vec![0.19])?;
    /// let (scale, var) = s.marginal(1)?;
    /// assert!((scale - 0.9).abs() < 1e-15 && (var - 0.19).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn marginal(&self, t: usize) -> Result<(f64, f64)> {
        self.check_t(t, 0)?;
        Ok((
            (0.5 * self.log_alpha_bar[t]).exp(),
            self.one_minus_alpha_bar(t)?,
        ))
    }

    /// 事後分布 `r(x_{t−1} | x_t, x_0) = N(a x_0 + b x_t, β̃_t I)`（式 (10.4)–(10.6)、第 10 章）の係数 `(a, b, β̃_t)`（`1 ≤ t ≤ T`）。
    ///
    /// # Errors
    ///
    /// `t` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let s = genmodel::diffusion::Schedule::new(vec![0.1, 0.2])?;
    /// // t = 1 では x_0 が決まっているので、平均は x_0 そのもの、分散は 0
    /// assert_eq!(s.posterior(1)?, (1.0, 0.0, 0.0));
    /// let (a, b, v) = s.posterior(2)?;
    /// assert!((v - 0.1 * 0.2 / (1.0 - 0.9 * 0.8)).abs() < 1e-15);
    /// assert!((a - 0.9f64.sqrt() * 0.2 / 0.28).abs() < 1e-15 && (b - 0.8f64.sqrt() * 0.1 / 0.28).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn posterior(&self, t: usize) -> Result<(f64, f64, f64)> {
        self.check_t(t, 1)?;
        let beta = self.beta[t - 1];
        let prev = self.one_minus_alpha_bar(t - 1)?;
        let now = self.one_minus_alpha_bar(t)?;
        let a = (0.5 * self.log_alpha_bar[t - 1]).exp() * beta / now;
        let b = (0.5 * (-beta).ln_1p()).exp() * prev / now;
        Ok((a, b, prev * beta / now))
    }
}
