//! 単純化した損失 `L_simple` と、手で導いたその勾配（第 10 章）。
//!
//! 固定したエンコーダ `r(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I)` からの `x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε` について、
//! ミニバッチ `B` 行の損失は
//!
//! `L_simple(θ) = (1/B) Σ_b ‖ε_b − ε_θ(√ᾱ_{t_b} x_{0,b} + √(1 − ᾱ_{t_b}) ε_b, t_b)‖²`（式 (10.12)、第 10 章）
//!
//! で、出力側の勾配は `∂L/∂ε_θ = −2 (ε − ε_θ) / B` である。これを [`crate::nn::Mlp::backward`] で逆伝播して
//! パラメータの勾配を得る。[`SPLIT_ROWS`] 行以上のミニバッチは、前半と後半を 2 つのスレッドで求めて足す
//! （分け方は行の数だけで決まるので、結果はコアの数によらない）。

use super::Schedule;
use super::network::{EpsilonNet, SPLIT_ROWS};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::nn::Gradients;
use ndarray::{Array2, ArrayView2, AsArray, Axis, Ix2, Slice, Zip};

/// 確かめた `x_0`、雑音、行ごとの係数 `(√ᾱ_t, √(1 − ᾱ_t))`。
type LossInputs<'a, 'b> = (ArrayView2<'a, f64>, ArrayView2<'b, f64>, Vec<(f64, f64)>);

impl EpsilonNet {
    /// 与えた `x_0`（`B × D`）・時刻 `t_b`・雑音 `ε`（`B × D`）での損失 `L_simple`（式 (10.12)、第 10 章）。
    ///
    /// # Errors
    ///
    /// [`EpsilonNet::loss_gradient`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{Schedule, network::{EpsilonNet, TimeEmbedding}}, ndarray::array, nn::{Activation, Dense, Mlp}};
    /// // ε_θ ≡ 0 なら L = (1/B) Σ ‖ε_b‖²
    /// let mlp = Mlp::from_layers(vec![Dense::zeros(3, 1)?], Activation::Identity, Activation::Identity)?;
    /// let net = EpsilonNet::from_parts(mlp, TimeEmbedding::new(2, 1)?)?;
    /// let s = Schedule::new(vec![0.1, 0.2])?;
    /// let l = net.loss(&s, &array![[1.0], [2.0]], &[1, 2], &array![[0.5], [-1.5]])?;
    /// assert!((l - (0.25 + 2.25) / 2.0).abs() < 1e-15);
    /// assert!(net.loss(&s, &array![[1.0]], &[3], &array![[0.5]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn loss<'a, 'b>(
        &self,
        schedule: &Schedule,
        x0: impl AsArray<'a, f64, Ix2>,
        t: &[usize],
        noise: impl AsArray<'b, f64, Ix2>,
    ) -> Result<f64> {
        let (x0, eps, coef) = self.check_loss_inputs(schedule, x0, t, noise)?;
        let xt = noised(x0, eps, &coef)?;
        let pred = self.predict(&xt, t)?;
        let mut sum = 0.0;
        for (&p, &e) in pred.iter().zip(eps.iter()) {
            let r = e - p;
            sum += r * r;
        }
        crate::error::finite_scalar("損失 L_simple", sum / x0.nrows() as f64)
    }

    fn check_loss_inputs<'a, 'b>(
        &self,
        schedule: &Schedule,
        x0: impl AsArray<'a, f64, Ix2>,
        t: &[usize],
        noise: impl AsArray<'b, f64, Ix2>,
    ) -> Result<LossInputs<'a, 'b>> {
        ensure_len(self.embedding().steps(), schedule.steps())?;
        let x0 = self.check(x0, t)?;
        let eps: ArrayView2<'b, f64> = noise.into();
        ensure_len(x0.nrows(), eps.nrows())?;
        ensure_len(self.dim(), eps.ncols())?;
        ensure_finite("雑音 ε", eps.iter().copied())?;
        let coef = t
            .iter()
            .map(|&s| schedule.marginal(s).map(|(a, v)| (a, v.sqrt())))
            .collect::<Result<Vec<_>>>()?;
        Ok((x0, eps, coef))
    }

    /// 与えた `x_0`・時刻・雑音での損失 `L_simple` と、そのパラメータについての勾配（並びは [`EpsilonNet::params_flat`]）。
    ///
    /// 出力側の勾配 `∂L/∂ε_θ = −2 (ε − ε_θ) / B` を [`crate::nn::Mlp::backward`] で逆伝播する。[`SPLIT_ROWS`] 行以上の
    /// ミニバッチは前半と後半を 2 つのスレッドで求めて足す。
    ///
    /// # Errors
    ///
    /// - `x_0` の誤り（空・幅・非有限・大きさ）、時刻の数が行の数でない・範囲の外: [`EpsilonNet::input`] と同じ
    /// - 予定の段の数が埋め込みの `T` と違う、雑音の形が `B × D` でない: [`Error::DimensionMismatch`]
    /// - 雑音に NaN・±∞: [`Error::NonFinite`]
    /// - 途中の値（`x_t`、残差、損失、勾配）が `f64` の範囲を超える: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::{Schedule, network::{EpsilonNet, TimeEmbedding}}, ndarray::array, nn::{Activation, Dense, Mlp}, Error};
    /// // 1 層の恒等写像 ε_θ = w x + b（埋め込みの重み 0）、T = 1、β = 0.36: x_1 = 0.8 x_0 + 0.6 ε
    /// let mlp = Mlp::from_layers(vec![Dense::new(&array![[0.5], [0.0], [0.0]], &array![0.1])?], Activation::Identity, Activation::Identity)?;
    /// let net = EpsilonNet::from_parts(mlp, TimeEmbedding::new(1, 1)?)?;
    /// let s = Schedule::new(vec![0.36])?;
    /// let (l, g) = net.loss_gradient(&s, &array![[1.0]], &[1], &array![[2.0]])?;
    /// // x_1 = 2.0、ε_θ = 1.1、残差 ε − ε_θ = 0.9: L = 0.81、∂L/∂w = −2 · 0.9 · x_1 = −3.6、∂L/∂b = −1.8
    /// assert!((l - 0.81).abs() < 1e-15);
    /// let f = g.flat();
    /// assert!((f[0] + 3.6).abs() < 1e-14 && (f[3] + 1.8).abs() < 1e-15);
    /// assert!(matches!(net.loss_gradient(&s, &array![[1.0]], &[1], &array![[f64::NAN]]), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn loss_gradient<'a, 'b>(
        &self,
        schedule: &Schedule,
        x0: impl AsArray<'a, f64, Ix2>,
        t: &[usize],
        noise: impl AsArray<'b, f64, Ix2>,
    ) -> Result<(f64, Gradients)> {
        let (x0, eps, coef) = self.check_loss_inputs(schedule, x0, t, noise)?;
        let n = x0.nrows();
        if n < SPLIT_ROWS {
            return self.partial_gradient(x0, eps, t, &coef, n);
        }
        let half = n / 2;
        let (first, second) = rayon::join(
            || {
                self.partial_gradient(
                    x0.slice_axis(Axis(0), Slice::from(..half)),
                    eps.slice_axis(Axis(0), Slice::from(..half)),
                    &t[..half],
                    &coef[..half],
                    n,
                )
            },
            || {
                self.partial_gradient(
                    x0.slice_axis(Axis(0), Slice::from(half..)),
                    eps.slice_axis(Axis(0), Slice::from(half..)),
                    &t[half..],
                    &coef[half..],
                    n,
                )
            },
        );
        let (l1, mut g) = first?;
        let (l2, g2) = second?;
        g.add_assign(&g2);
        let loss = l1 + l2;
        if !(loss.is_finite() && g.flat().iter().all(|v| v.is_finite())) {
            return Err(Error::Overflow {
                what: "ミニバッチの前半と後半の勾配の和",
            });
        }
        Ok((loss, g))
    }

    /// 行の一部についての損失の和と勾配の和を、それぞれ全体の行の数 `total` で割ったもの。
    fn partial_gradient(
        &self,
        x0: ArrayView2<'_, f64>,
        eps: ArrayView2<'_, f64>,
        t: &[usize],
        coef: &[(f64, f64)],
        total: usize,
    ) -> Result<(f64, Gradients)> {
        let xt = noised(x0, eps, coef)?;
        let fwd = self.net.forward(&self.input_unchecked(xt.view(), t))?;
        let batch = total as f64;
        // 残差 ε_θ − ε と、その 2 乗の和
        let resid = Zip::from(fwd.output())
            .and(&eps)
            .map_collect(|&p, &e| p - e);
        let sum: f64 = resid.iter().map(|r| r * r).sum();
        let loss = sum / batch;
        if !(loss.is_finite() && resid.iter().all(|r| r.is_finite())) {
            return Err(Error::Overflow {
                what: "損失 L_simple",
            });
        }
        // ∂L/∂ε_θ = −2 (ε − ε_θ) / B = 2 (ε_θ − ε) / B
        let g = resid.mapv(|r| 2.0 * r / batch);
        let (grads, _) = self.net.backward(&fwd, &g)?;
        Ok((loss, grads))
    }
}

/// `x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε`（行ごとの係数 `(√ᾱ_t, √(1 − ᾱ_t))`）。あふれれば [`Error::Overflow`]。
fn noised(
    x0: ArrayView2<'_, f64>,
    eps: ArrayView2<'_, f64>,
    coef: &[(f64, f64)],
) -> Result<Array2<f64>> {
    let mut xt = Array2::zeros(x0.raw_dim());
    for (((mut row, x), e), &(a, s)) in xt
        .rows_mut()
        .into_iter()
        .zip(x0.rows())
        .zip(eps.rows())
        .zip(coef)
    {
        Zip::from(&mut row)
            .and(&x)
            .and(&e)
            .for_each(|o, &x, &e| *o = a * x + s * e);
    }
    crate::error::ensure_output("x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε", xt)
}
