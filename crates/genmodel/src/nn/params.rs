//! 勾配 [`Gradients`] と、パラメータ・勾配の 1 列の並び。
//!
//! 並びは層の順に、各層の重み `W_l` を行の順（`W_l[0, 0], W_l[0, 1], …`）、続けてバイアス `b_l` である。
//! [`Mlp::params_flat`] と [`Gradients::flat`] は同じ並びなので、`θ ← θ − η ∇L` を 1 列の配列で書ける。
//! 勾配の検査（各成分を `±h` ずらした損失の中心差分）や、パラメータの 2 次関数の最小化に使う。

use super::{DenseGradient, Mlp};
use crate::error::{Result, ensure_finite, ensure_len};
use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix1};

/// すべての層のパラメータについての勾配（層の順）。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
///
/// let net = Mlp::from_layers(vec![Dense::zeros(2, 3)?, Dense::zeros(3, 1)?], Activation::Tanh, Activation::Identity)?;
/// let fwd = net.forward(&array![[1.0, 2.0]])?;
/// let (grads, gx) = net.backward(&fwd, &array![[1.0]])?;
/// assert_eq!(grads.layers().len(), 2);
/// assert_eq!(grads.n_params(), net.n_params());
/// assert_eq!(gx.dim(), (1, 2));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    pub(super) layers: Vec<DenseGradient>,
}

impl Gradients {
    /// 層ごとの勾配 `(∂L/∂W_l, ∂L/∂b_l)`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// // 1 層・恒等: ∂L/∂W = xᵀ G、∂L/∂b = Σ G
    /// let net = Mlp::from_layers(vec![Dense::zeros(1, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let fwd = net.forward(&array![[2.0], [3.0]])?;
    /// let (grads, _) = net.backward(&fwd, &array![[1.0], [1.0]])?;
    /// assert_eq!(grads.layers()[0].weights(), &array![[5.0]]);
    /// assert_eq!(grads.layers()[0].bias(), &array![2.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn layers(&self) -> &[DenseGradient] {
        &self.layers
    }

    /// 成分の数（ネットワークのパラメータの数と同じ）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(3, 2)?], Activation::Tanh, Activation::Identity)?;
    /// let (grads, _) = net.backward(&net.forward(&array![[0.0, 0.0, 0.0]])?, &array![[1.0, 1.0]])?;
    /// assert_eq!(grads.n_params(), 8);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_params(&self) -> usize {
        self.layers
            .iter()
            .map(|g| g.weights.len() + g.bias.len())
            .sum()
    }
}

impl Mlp {
    /// パラメータを 1 列に並べたもの（長さ [`Mlp::n_params`]、並びは [`crate::nn::params`] の冒頭）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(
    ///     vec![Dense::new(&array![[1.0, 2.0]], &array![3.0, 4.0])?, Dense::new(&array![[5.0], [6.0]], &array![7.0])?],
    ///     Activation::Tanh,
    ///     Activation::Identity,
    /// )?;
    /// assert_eq!(net.params_flat(), array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn params_flat(&self) -> Array1<f64> {
        let mut out = Vec::with_capacity(self.n_params());
        for layer in &self.layers {
            push_all(&mut out, &layer.weights);
            push_all(&mut out, &layer.bias);
        }
        Array1::from(out)
    }

    /// パラメータを 1 列の並び（[`Mlp::params_flat`] と同じ並び）から書き換える。
    ///
    /// # Errors
    ///
    /// 長さが [`Mlp::n_params`] でなければ [`crate::Error::DimensionMismatch`]、NaN・±∞ があれば
    /// [`crate::Error::NonFinite`]。どちらのときもネットワークは変えない。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array, Error};
    ///
    /// let mut net = Mlp::from_layers(vec![Dense::zeros(1, 2)?], Activation::Tanh, Activation::Identity)?;
    /// net.set_params_flat(&array![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(net.layers()[0].weights(), &array![[1.0, 2.0]]);
    /// assert_eq!(net.layers()[0].bias(), &array![3.0, 4.0]);
    /// assert_eq!(net.set_params_flat(&array![1.0]), Err(Error::DimensionMismatch { expected: 4, actual: 1 }));
    /// assert!(matches!(net.set_params_flat(&array![0.0, f64::NAN, 0.0, 0.0]), Err(Error::NonFinite { index: 1, .. })));
    /// assert_eq!(net.params_flat(), array![1.0, 2.0, 3.0, 4.0]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_params_flat<'a>(&mut self, params: impl AsArray<'a, f64, Ix1>) -> Result<()> {
        let p: ArrayView1<'a, f64> = params.into();
        ensure_len(self.n_params(), p.len())?;
        ensure_finite("ネットワークのパラメータ", p.iter().copied())?;
        let mut start = 0;
        for layer in &mut self.layers {
            start = copy_from(&mut layer.weights, &p, start);
            start = copy_from(&mut layer.bias, &p, start);
        }
        Ok(())
    }
}

impl Gradients {
    /// 勾配を 1 列に並べたもの（[`Mlp::params_flat`] と同じ並び）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// // 1 層・恒等、x = (2)、G = (1, −1): ∂L/∂W = (2, −2)、∂L/∂b = (1, −1)
    /// let net = Mlp::from_layers(vec![Dense::zeros(1, 2)?], Activation::Tanh, Activation::Identity)?;
    /// let (grads, _) = net.backward(&net.forward(&array![[2.0]])?, &array![[1.0, -1.0]])?;
    /// assert_eq!(grads.flat(), array![2.0, -2.0, 1.0, -1.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn flat(&self) -> Array1<f64> {
        let mut out = Vec::with_capacity(self.n_params());
        for g in &self.layers {
            push_all(&mut out, &g.weights);
            push_all(&mut out, &g.bias);
        }
        Array1::from(out)
    }

    /// 1 列の並びの勾配（[`Mlp::params_flat`] と同じ並び）を、ネットワーク `net` の層の形に分ける。
    /// 損失を自分で微分したとき（パラメータの 2 次関数など）に、[`crate::nn::Adam::step`] へ渡すために使う。
    ///
    /// # Errors
    ///
    /// 長さが `net.n_params()` でなければ [`crate::Error::DimensionMismatch`]、NaN・±∞ があれば [`crate::Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Gradients, Mlp}, ndarray::array, Error};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(1, 2)?], Activation::Tanh, Activation::Identity)?;
    /// let g = Gradients::from_flat(&net, &array![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(g.layers()[0].weights(), &array![[1.0, 2.0]]);
    /// assert_eq!(g.flat(), array![1.0, 2.0, 3.0, 4.0]);
    /// assert!(matches!(Gradients::from_flat(&net, &array![1.0]), Err(Error::DimensionMismatch { .. })));
    /// assert!(matches!(Gradients::from_flat(&net, &array![f64::INFINITY, 0.0, 0.0, 0.0]), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_flat<'a>(net: &Mlp, grad: impl AsArray<'a, f64, Ix1>) -> Result<Self> {
        let g: ArrayView1<'a, f64> = grad.into();
        ensure_len(net.n_params(), g.len())?;
        ensure_finite("勾配", g.iter().copied())?;
        let mut it = g.iter().copied();
        let layers = net
            .layers
            .iter()
            .map(|layer| {
                let mut weights = Array2::zeros(layer.weights.dim());
                let mut bias = Array1::zeros(layer.bias.len());
                // iter_mut は添字の順（行の順）に回る
                for (dst, src) in weights.iter_mut().chain(bias.iter_mut()).zip(&mut it) {
                    *dst = src;
                }
                DenseGradient { weights, bias }
            })
            .collect();
        Ok(Self { layers })
    }
}

impl Gradients {
    /// 同じネットワークの勾配 `other` を足す（ミニバッチを分けて求めた勾配をまとめる）。形は呼ぶ側が保証する。
    pub(crate) fn add_assign(&mut self, other: &Gradients) {
        for (a, b) in self.layers.iter_mut().zip(&other.layers) {
            a.weights += &b.weights;
            a.bias += &b.bias;
        }
    }
}

/// 配列の成分を添字の順（行の順）に `out` の後ろに足す（連続なら 1 回の写し）。
fn push_all<D: ndarray::Dimension>(out: &mut Vec<f64>, a: &ndarray::Array<f64, D>) {
    match a.as_slice() {
        Some(s) => out.extend_from_slice(s),
        None => out.extend(a.iter()),
    }
}

/// `p[start..]` から配列の成分の数だけを、添字の順に `a` へ写し、次の位置を返す。
fn copy_from<D: ndarray::Dimension>(
    a: &mut ndarray::Array<f64, D>,
    p: &ArrayView1<'_, f64>,
    start: usize,
) -> usize {
    let end = start + a.len();
    let src = p.slice_axis(ndarray::Axis(0), ndarray::Slice::from(start..end));
    match (a.as_slice_mut(), src.as_slice()) {
        (Some(d), Some(s)) => d.copy_from_slice(s),
        _ => a.iter_mut().zip(src.iter()).for_each(|(d, s)| *d = *s),
    }
    end
}
