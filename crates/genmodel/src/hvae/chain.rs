//! 連鎖のパラメータ（モデルとエンコーダ）と、その密度 (9.1)・(9.2)。

use crate::error::{Error, Result, ensure_finite, ensure_len, finite_scalar};
use ndarray::{Array1, AsArray, Ix1};
use std::f64::consts::PI;

/// `ln N(x; m, v)`。`ln(2π v)` は `ln 2π + ln v` と分け、`(x − m)² / (2v)` は `((x − m)/√v)² / 2` と
/// 割ってから 2 乗するので、値が `f64` に収まるかぎり途中であふれない（`v = 1e308` でも有限）。
pub(crate) fn log_normal(x: f64, m: f64, v: f64) -> f64 {
    let d = x - m;
    let z = if d.is_finite() {
        d / v.sqrt()
    } else {
        // x − m があふれるときは半分ずつ引いて 2 倍する
        2.0 * ((0.5 * x - 0.5 * m) / v.sqrt())
    };
    -0.5 * ((2.0 * PI).ln() + v.ln()) - 0.5 * z * z
}

/// 3 つの列を読み、長さ（段の数 T）がそろい、有限で、分散が正であることを確かめる。
pub(crate) fn read_steps<'a>(
    names: [&'static str; 3],
    gain: impl AsArray<'a, f64, Ix1>,
    offset: impl AsArray<'a, f64, Ix1>,
    var: impl AsArray<'a, f64, Ix1>,
) -> Result<[Array1<f64>; 3]> {
    let (g, o, v) = (
        gain.into().to_owned(),
        offset.into().to_owned(),
        var.into().to_owned(),
    );
    if g.is_empty() {
        return Err(Error::EmptyInput);
    }
    ensure_len(g.len(), o.len())?;
    ensure_len(g.len(), v.len())?;
    ensure_finite(names[0], g.iter().copied())?;
    ensure_finite(names[1], o.iter().copied())?;
    ensure_finite(names[2], v.iter().copied())?;
    if let Some(&bad) = v.iter().find(|&&s| s <= 0.0) {
        return Err(Error::InvalidParameter {
            name: names[2],
            value: bad,
            requirement: "分散は正",
        });
    }
    Ok([g, o, v])
}

/// 段の番号 t が 1..=T にあることを確かめる。
pub(crate) fn check_step(t: usize, depth: usize) -> Result<()> {
    if t == 0 || t > depth {
        return Err(Error::InvalidParameter {
            name: "t",
            value: t as f64,
            requirement: "1 ≤ t ≤ T",
        });
    }
    Ok(())
}

/// 潜在変数の列 `z_1, …, z_T` を読む（長さ T、有限）。
pub(crate) fn read_latents<'a>(z: impl AsArray<'a, f64, Ix1>, depth: usize) -> Result<Array1<f64>> {
    let z = z.into().to_owned();
    ensure_len(depth, z.len())?;
    ensure_finite("z", z.iter().copied())?;
    Ok(z)
}

/// モデル（デコーダ）: `q(z_T) = N(0, 1)`、`q_θ(z_{t−1} | z_t) = N(w_t z_t + b_t, s_t)`（`z_0 = x`）。
/// 式 (9.1)、第 9 章。
#[derive(Debug, Clone, PartialEq)]
pub struct Decoder {
    pub(crate) w: Array1<f64>,
    pub(crate) b: Array1<f64>,
    pub(crate) s: Array1<f64>,
}

impl Decoder {
    /// 段ごとの係数 `w_t`、ずれ `b_t`、分散 `s_t`（t = 1..T の順）から作る。式 (9.1)、第 9 章。
    ///
    /// # Errors
    ///
    /// - T = 0: [`Error::EmptyInput`]
    /// - 長さが合わない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - 分散が正でない: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Decoder, Error};
    ///
    /// let dec = Decoder::new(&[0.5, 1.0], &[0.0, 0.2], &[0.3, 0.4])?;
    /// assert_eq!(dec.depth(), 2);
    /// assert_eq!(Decoder::new(&[], &[], &[]), Err(Error::EmptyInput));
    /// assert!(matches!(Decoder::new(&[1.0], &[0.0], &[0.0]), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<'a>(
        w: impl AsArray<'a, f64, Ix1>,
        b: impl AsArray<'a, f64, Ix1>,
        s: impl AsArray<'a, f64, Ix1>,
    ) -> Result<Self> {
        let [w, b, s] = read_steps(["w", "b", "s"], w, b, s)?;
        Ok(Decoder { w, b, s })
    }

    /// 段の数 T。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::hvae::Decoder;
    /// assert_eq!(Decoder::new(&[1.0; 3], &[0.0; 3], &[1.0; 3])?.depth(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn depth(&self) -> usize {
        self.w.len()
    }

    /// 段 t の遷移 `q_θ(z_{t−1} | z_t)` の係数・ずれ・分散 `(w_t, b_t, s_t)`。式 (9.1)、第 9 章。
    ///
    /// # Errors
    ///
    /// t が 1..=T の外: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Decoder, Error};
    /// let dec = Decoder::new(&[0.5, 1.0], &[0.0, 0.2], &[0.3, 0.4])?;
    /// assert_eq!(dec.step(2)?, (1.0, 0.2, 0.4));
    /// assert!(matches!(dec.step(0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn step(&self, t: usize) -> Result<(f64, f64, f64)> {
        check_step(t, self.depth())?;
        Ok((self.w[t - 1], self.b[t - 1], self.s[t - 1]))
    }

    /// 同時分布の対数 `ln q_θ(x, z_{1:T}) = ln q(z_T) + Σ_t ln q_θ(z_{t−1} | z_t)`。式 (9.1)、第 9 章。
    ///
    /// # Errors
    ///
    /// `z` の長さが T でない: [`Error::DimensionMismatch`]。NaN・±∞: [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Decoder, Error};
    /// let dec = Decoder::new(&[1.0], &[0.0], &[1.0])?;
    /// // ln N(0.5; 0, 1) + ln N(0; 0, 1)
    /// let want = -(2.0 * std::f64::consts::PI).ln() - 0.125;
    /// assert!((dec.log_joint(0.5, &[0.0])? - want).abs() < 1e-12);
    /// assert!(matches!(dec.log_joint(0.5, &[0.0, 1.0]), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log_joint<'a>(&self, x: f64, z: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let z = read_latents(z, self.depth())?;
        finite_scalar("x", x).map_err(|_| Error::NonFinite {
            what: "x",
            index: 0,
        })?;
        let t_max = self.depth();
        let mut total = log_normal(z[t_max - 1], 0.0, 1.0);
        for t in 1..=t_max {
            let prev = if t == 1 { x } else { z[t - 2] };
            total += log_normal(
                prev,
                self.w[t - 1] * z[t - 1] + self.b[t - 1],
                self.s[t - 1],
            );
        }
        finite_scalar("ln q_θ(x, z)", total)
    }
}

/// エンコーダ: `r_φ(z_t | z_{t−1}) = N(a_t z_{t−1} + c_t, v_t)`（`z_0 = x`）。式 (9.2)、第 9 章。
/// `c_t = 0` とすると、第 9 章後半の固定のエンコーダ `r(x_t | x_{t−1}) = N(a_t x_{t−1}, v_t)` になる。
#[derive(Debug, Clone, PartialEq)]
pub struct Encoder {
    pub(crate) a: Array1<f64>,
    pub(crate) c: Array1<f64>,
    pub(crate) v: Array1<f64>,
}

impl Encoder {
    /// 段ごとの係数 `a_t`、ずれ `c_t`、分散 `v_t`（t = 1..T の順）から作る。式 (9.2)、第 9 章。
    ///
    /// # Errors
    ///
    /// [`Decoder::new`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// let enc = Encoder::new(&[0.9, 0.8], &[0.1, 0.0], &[0.2, 0.3])?;
    /// assert_eq!(enc.depth(), 2);
    /// assert!(matches!(Encoder::new(&[1.0], &[0.0], &[-1.0]), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(Encoder::new(&[f64::NAN], &[0.0], &[1.0]), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<'a>(
        a: impl AsArray<'a, f64, Ix1>,
        c: impl AsArray<'a, f64, Ix1>,
        v: impl AsArray<'a, f64, Ix1>,
    ) -> Result<Self> {
        let [a, c, v] = read_steps(["a", "c", "v"], a, c, v)?;
        Ok(Encoder { a, c, v })
    }

    /// 固定のエンコーダ `r(x_t | x_{t−1}) = N(a_t x_{t−1}, v_t)`（`c_t = 0`）。式 (9.2)、第 9 章。
    ///
    /// # Errors
    ///
    /// [`Decoder::new`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64])?;
    /// assert_eq!(enc.step(1)?, (0.8, 0.0, 0.36));
    /// assert!(matches!(Encoder::fixed(&[0.8], &[0.36, 0.64]), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fixed<'a>(a: impl AsArray<'a, f64, Ix1>, v: impl AsArray<'a, f64, Ix1>) -> Result<Self> {
        let a: Array1<f64> = a.into().to_owned();
        let v: Array1<f64> = v.into().to_owned();
        let zeros = Array1::<f64>::zeros(a.len());
        Self::new(a.view(), zeros.view(), v.view())
    }

    /// 段の数 T。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::hvae::Encoder;
    /// assert_eq!(Encoder::fixed(&[1.0; 4], &[1.0; 4])?.depth(), 4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn depth(&self) -> usize {
        self.a.len()
    }

    /// 段 t の遷移 `r_φ(z_t | z_{t−1})` の `(a_t, c_t, v_t)`。式 (9.2)、第 9 章。
    ///
    /// # Errors
    ///
    /// t が 1..=T の外: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// let enc = Encoder::new(&[0.9, 0.8], &[0.1, 0.0], &[0.2, 0.3])?;
    /// assert_eq!(enc.step(1)?, (0.9, 0.1, 0.2));
    /// assert!(matches!(enc.step(3), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn step(&self, t: usize) -> Result<(f64, f64, f64)> {
        check_step(t, self.depth())?;
        Ok((self.a[t - 1], self.c[t - 1], self.v[t - 1]))
    }

    /// `ln r_φ(z_{1:T} | x) = Σ_t ln r_φ(z_t | z_{t−1})`。式 (9.2)、第 9 章。
    ///
    /// # Errors
    ///
    /// `z` の長さが T でない: [`Error::DimensionMismatch`]。NaN・±∞: [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{hvae::Encoder, Error};
    /// let enc = Encoder::new(&[1.0], &[0.0], &[1.0])?;
    /// let want = -0.5 * (2.0 * std::f64::consts::PI).ln() - 0.125;
    /// assert!((enc.log_density(0.5, &[1.0])? - want).abs() < 1e-12);
    /// assert!(matches!(enc.log_density(f64::INFINITY, &[1.0]), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn log_density<'a>(&self, x: f64, z: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
        let z = read_latents(z, self.depth())?;
        if !x.is_finite() {
            return Err(Error::NonFinite {
                what: "x",
                index: 0,
            });
        }
        let mut total = 0.0;
        for t in 1..=self.depth() {
            let prev = if t == 1 { x } else { z[t - 2] };
            total += log_normal(
                z[t - 1],
                self.a[t - 1] * prev + self.c[t - 1],
                self.v[t - 1],
            );
        }
        finite_scalar("ln r_φ(z | x)", total)
    }

    /// 雑音 `ε_1, …, ε_T` から連鎖 `z_t = a_t z_{t−1} + c_t + √v_t ε_t` を作る（再パラメータ化）。
    pub(crate) fn chain_from_noise(&self, x: f64, eps: &[f64]) -> Array1<f64> {
        let mut z = Array1::zeros(self.depth());
        let mut prev = x;
        for t in 0..self.depth() {
            prev = self.a[t] * prev + self.c[t] + self.v[t].sqrt() * eps[t];
            z[t] = prev;
        }
        z
    }
}
