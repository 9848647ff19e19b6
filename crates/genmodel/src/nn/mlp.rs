//! 多層パーセプトロン [`Mlp`]: 全結合層と活性化関数を交互に重ねたネットワーク、その前向きの計算と誤差逆伝播。
//!
//! 式は [`crate::nn`] の冒頭にまとめた。前向きの計算 [`Mlp::forward`] は、誤差逆伝播に要る途中の値
//! （各層の前活性 `Z_l` と活性 `A_l`）を [`Forward`] に残す。[`Mlp::backward`] はそれと出力側の勾配
//! `∂L/∂A_L` から、全パラメータの勾配 [`Gradients`] と入力の勾配 `∂L/∂X` を返す。

use super::dense::check_grad_shape;
use super::{Activation, Dense, Gradients, MAX_PARAMETERS, check_shape, ensure_work};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use ndarray::{Array2, ArrayView2, AsArray, Ix2};
use rand::Rng;

/// 多層パーセプトロン: `L` 個の全結合層 `Z_l = A_{l−1} W_l + b_l` と活性化 `A_l = f_l(Z_l)`
/// （`l < L` は隠れ層の活性化、`l = L` は出力層の活性化）。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
///
/// // 1 → 2 → 1: 隠れ層 ReLU、出力は恒等。y = relu(x) + relu(−x) = |x|
/// let net = Mlp::from_layers(
///     vec![Dense::new(&array![[1.0, -1.0]], &array![0.0, 0.0])?, Dense::new(&array![[1.0], [1.0]], &array![0.0])?],
///     Activation::Relu,
///     Activation::Identity,
/// )?;
/// assert_eq!(net.predict(&array![[-3.0], [2.0]])?, array![[3.0], [2.0]]);
/// assert!(net.predict(&array![[f64::NAN]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub(super) layers: Vec<Dense>,
    hidden: Activation,
    output: Activation,
}

/// 前向きの計算の結果と、誤差逆伝播に要る途中の値: 入力 `X = A_0`、各層の前活性 `Z_l` と活性 `A_l`（`l = 1, …, L`）。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
///
/// let net = Mlp::from_layers(vec![Dense::new(&array![[2.0]], &array![-1.0])?], Activation::Relu, Activation::Relu)?;
/// let fwd = net.forward(&array![[0.0], [1.0]])?;
/// assert_eq!(fwd.pre_activations()[0], array![[-1.0], [1.0]]);
/// assert_eq!(fwd.output(), &array![[0.0], [1.0]]);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    input: Array2<f64>,
    pre: Vec<Array2<f64>>,
    post: Vec<Array2<f64>>,
}

impl Forward {
    /// 入力 `X`（`B × n_0`、渡した配列の写し）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(2, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let x = array![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(net.forward(x.t())?.input(), &array![[1.0, 3.0], [2.0, 4.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn input(&self) -> &Array2<f64> {
        &self.input
    }

    /// 各層の前活性 `Z_1, …, Z_L`（`Z_l` は `B × n_l`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(
    ///     vec![Dense::new(&array![[1.0]], &array![1.0])?, Dense::new(&array![[3.0]], &array![0.0])?],
    ///     Activation::Tanh,
    ///     Activation::Identity,
    /// )?;
    /// let fwd = net.forward(&array![[0.0]])?;
    /// assert_eq!(fwd.pre_activations().len(), 2);
    /// assert_eq!(fwd.pre_activations()[0], array![[1.0]]);
    /// assert_eq!(fwd.pre_activations()[1], array![[3.0 * 1f64.tanh()]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn pre_activations(&self) -> &[Array2<f64>] {
        &self.pre
    }

    /// 各層の活性 `A_1, …, A_L`（`A_L` が出力）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(
    ///     vec![Dense::new(&array![[1.0]], &array![0.0])?, Dense::new(&array![[1.0]], &array![0.0])?],
    ///     Activation::Sigmoid,
    ///     Activation::Identity,
    /// )?;
    /// let fwd = net.forward(&array![[0.0]])?;
    /// assert_eq!(fwd.activations()[0], array![[0.5]]);
    /// assert_eq!(fwd.activations()[1], array![[0.5]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn activations(&self) -> &[Array2<f64>] {
        &self.post
    }

    /// 出力 `A_L`（`B × n_L`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(vec![Dense::new(&array![[1.0]], &array![0.0])?], Activation::Tanh, Activation::Softplus)?;
    /// assert_eq!(net.forward(&array![[0.0]])?.output(), &array![[2f64.ln()]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn output(&self) -> &Array2<f64> {
        // 層は 1 つ以上あるので、最後の活性がある
        self.post.last().unwrap_or(&self.input)
    }
}

impl Mlp {
    /// 層の幅 `sizes = [n_0, n_1, …, n_L]`（`L ≥ 1`）のネットワークを、乱数で初期化して作る。
    ///
    /// 重みは層ごとに一様分布 `U(−a, a)` から引き、バイアスは 0 にする。`a` は、その層の後の活性化が
    /// ReLU か softplus なら He の初期化 `a = √(6 / n_{l−1})`（分散 `2 / n_{l−1}`）、ほか（恒等・tanh・σ）なら
    /// Glorot（Xavier）の初期化 `a = √(6 / (n_{l−1} + n_l))`（分散 `2 / (n_{l−1} + n_l)`）である。
    /// 乱数の列は `rng` だけで決まる（シードを固定すれば同じネットワークになる）。
    ///
    /// # Errors
    ///
    /// - `sizes` の長さが 2 未満、幅 0 の層: [`Error::InvalidParameter`]
    /// - パラメータの数 `Σ_l (n_{l−1} + 1) n_l` が [`MAX_PARAMETERS`] を超える: [`Error::TooLarge`]（確保しない）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Mlp}, Error};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let net = Mlp::new(&[4, 8, 2], Activation::Tanh, Activation::Identity, &mut rng)?;
    /// assert_eq!(net.sizes(), vec![4, 8, 2]);
    /// assert_eq!(net.n_params(), 5 * 8 + 9 * 2);
    /// // Glorot: |W| < √(6 / 12)
    /// assert!(net.layers()[0].weights().iter().all(|w| w.abs() < 0.5f64.sqrt()));
    /// assert!(net.layers()[0].bias().iter().all(|&b| b == 0.0));
    /// // 同じシードなら同じネットワーク
    /// let mut rng2 = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// assert_eq!(Mlp::new(&[4, 8, 2], Activation::Tanh, Activation::Identity, &mut rng2)?, net);
    /// assert!(matches!(Mlp::new(&[4, 0, 2], Activation::Tanh, Activation::Identity, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(Mlp::new(&[4], Activation::Tanh, Activation::Identity, &mut rng), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(Mlp::new(&[1 << 20, 1 << 20], Activation::Tanh, Activation::Identity, &mut rng), Err(Error::TooLarge { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        rng: &mut R,
    ) -> Result<Self> {
        if sizes.len() < 2 {
            return Err(Error::InvalidParameter {
                name: "層の幅の数",
                value: sizes.len() as f64,
                requirement: "2 以上（入力と出力）",
            });
        }
        let mut total = 0usize;
        for w in sizes.windows(2) {
            total = total.saturating_add(super::layer_params(w[0], w[1])?);
        }
        ensure_params(total)?;
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let (n_in, n_out) = (w[0], w[1]);
                let act = if l == last { output } else { hidden };
                // 分散 a²/3 を He では 2/n_in、Glorot では 2/(n_in + n_out) にする
                let a = match act {
                    Activation::Relu | Activation::Softplus => (6.0 / n_in as f64).sqrt(),
                    _ => (6.0 / (n_in as f64 + n_out as f64)).sqrt(),
                };
                let mut weights = Array2::zeros((n_in, n_out));
                // iter_mut は添字の順（行の順）に回るので、乱数の並びが決まる
                for w in weights.iter_mut() {
                    *w = rng.random_range(-a..a);
                }
                Dense {
                    weights,
                    bias: ndarray::Array1::zeros(n_out),
                }
            })
            .collect();
        Ok(Self {
            layers,
            hidden,
            output,
        })
    }

    /// 全結合層の列から作る（層 `l` の出力の幅と層 `l + 1` の入力の幅がそろっていること）。
    ///
    /// # Errors
    ///
    /// - 層が 1 つもない: [`Error::EmptyInput`]
    /// - 隣の層の幅が合わない: [`Error::DimensionMismatch`]
    /// - パラメータの数の合計が [`MAX_PARAMETERS`] を超える: [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, Error};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(3, 4)?, Dense::zeros(4, 1)?], Activation::Relu, Activation::Sigmoid)?;
    /// assert_eq!(net.sizes(), vec![3, 4, 1]);
    /// assert_eq!(
    ///     Mlp::from_layers(vec![Dense::zeros(3, 4)?, Dense::zeros(5, 1)?], Activation::Relu, Activation::Sigmoid),
    ///     Err(Error::DimensionMismatch { expected: 4, actual: 5 })
    /// );
    /// assert_eq!(Mlp::from_layers(vec![], Activation::Relu, Activation::Sigmoid), Err(Error::EmptyInput));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_layers(layers: Vec<Dense>, hidden: Activation, output: Activation) -> Result<Self> {
        if layers.is_empty() {
            return Err(Error::EmptyInput);
        }
        for pair in layers.windows(2) {
            ensure_len(pair[0].n_outputs(), pair[1].n_inputs())?;
        }
        ensure_params(
            layers
                .iter()
                .fold(0usize, |s, l| s.saturating_add(l.n_params())),
        )?;
        Ok(Self {
            layers,
            hidden,
            output,
        })
    }

    /// 層の幅 `[n_0, n_1, …, n_L]`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Dense, Mlp};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(5, 3)?], Activation::Tanh, Activation::Identity)?;
    /// assert_eq!(net.sizes(), vec![5, 3]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sizes(&self) -> Vec<usize> {
        std::iter::once(self.n_inputs())
            .chain(self.layers.iter().map(Dense::n_outputs))
            .collect()
    }

    /// 入力の幅 `n_0`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Dense, Mlp};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(5, 3)?], Activation::Tanh, Activation::Identity)?;
    /// assert_eq!(net.n_inputs(), 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_inputs(&self) -> usize {
        self.layers.first().map_or(0, Dense::n_inputs)
    }

    /// 出力の幅 `n_L`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Dense, Mlp};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(5, 3)?], Activation::Tanh, Activation::Identity)?;
    /// assert_eq!(net.n_outputs(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_outputs(&self) -> usize {
        self.layers.last().map_or(0, Dense::n_outputs)
    }

    /// パラメータの数 `Σ_l (n_{l−1} + 1) n_l`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Mlp};
    /// use rand::SeedableRng;
    ///
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let net = Mlp::new(&[64, 256, 256, 64], Activation::Tanh, Activation::Identity, &mut rng)?;
    /// assert_eq!(net.n_params(), 65 * 256 + 257 * 256 + 257 * 64);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(Dense::n_params).sum()
    }

    /// 全結合層（入力側から順に）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Dense, Mlp};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(2, 3)?, Dense::zeros(3, 1)?], Activation::Tanh, Activation::Identity)?;
    /// assert_eq!(net.layers().len(), 2);
    /// assert_eq!(net.layers()[1].n_inputs(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// 隠れ層の活性化関数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Dense, Mlp};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(2, 1)?], Activation::Relu, Activation::Sigmoid)?;
    /// assert_eq!(net.hidden_activation(), Activation::Relu);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn hidden_activation(&self) -> Activation {
        self.hidden
    }

    /// 出力層の活性化関数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::{Activation, Dense, Mlp};
    ///
    /// let net = Mlp::from_layers(vec![Dense::zeros(2, 1)?], Activation::Relu, Activation::Sigmoid)?;
    /// assert_eq!(net.output_activation(), Activation::Sigmoid);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn output_activation(&self) -> Activation {
        self.output
    }

    fn activation_of(&self, l: usize) -> Activation {
        if l + 1 == self.layers.len() {
            self.output
        } else {
            self.hidden
        }
    }

    /// 1 行あたりの積和の数 `Σ n_{l−1} n_l` と持つ成分の数 `n_0 + 2 Σ n_l`。
    fn per_row(&self) -> (usize, usize) {
        self.layers
            .iter()
            .fold((0usize, self.n_inputs()), |(m, v), l| {
                (
                    m.saturating_add(l.weights.len()),
                    v.saturating_add(l.n_outputs().saturating_mul(2)),
                )
            })
    }

    fn check_input<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<ArrayView2<'a, f64>> {
        let x = check_shape(self.n_inputs(), x)?;
        let (macs, values) = self.per_row();
        ensure_work(x.nrows(), macs, values)?;
        ensure_finite("ネットワークの入力 X", x.iter().copied())?;
        Ok(x)
    }

    /// 前向きの計算: 出力 `A_L` と、誤差逆伝播に要る途中の値（[`Forward`]）を返す。
    ///
    /// # Errors
    ///
    /// - 行がない（`B = 0`）: [`Error::EmptyInput`]
    /// - 列の数が `n_0` でない: [`Error::DimensionMismatch`]
    /// - 積和の数 `B Σ n_{l−1} n_l` が [`super::MAX_WORK`]、持つ成分の数 `B (n_0 + 2 Σ n_l)` が
    ///   [`super::MAX_ACTIVATIONS`] を超える: [`Error::TooLarge`]（計算を始めない）
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - 途中の前活性が `f64` の範囲を超える: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::{array, Array2}, Error};
    ///
    /// let net = Mlp::from_layers(vec![Dense::new(&array![[1e300]], &array![0.0])?], Activation::Tanh, Activation::Tanh)?;
    /// assert_eq!(net.forward(&array![[0.5]])?.output(), &array![[1.0]]);
    /// assert!(matches!(net.forward(&array![[1e10]]), Err(Error::Overflow { .. })));
    /// assert_eq!(net.forward(&Array2::zeros((0, 1))).map(|_| ()), Err(Error::EmptyInput));
    /// assert!(matches!(net.forward(&array![[f64::INFINITY]]), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn forward<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<Forward> {
        let x = self.check_input(x)?;
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut post: Vec<Array2<f64>> = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate() {
            let z = {
                let a = post.last().map_or(x.view(), |a| a.view());
                layer_pre(layer, &a)?
            };
            post.push(self.activation_of(l).apply(&z.view()));
            pre.push(z);
        }
        Ok(Forward {
            input: x.to_owned(),
            pre,
            post,
        })
    }

    /// 出力 `A_L` だけを求める（途中の値を残さない [`Mlp::forward`]）。
    ///
    /// # Errors
    ///
    /// [`Mlp::forward`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array};
    ///
    /// let net = Mlp::from_layers(vec![Dense::new(&array![[1.0], [1.0]], &array![0.0])?], Activation::Tanh, Activation::Sigmoid)?;
    /// assert_eq!(net.predict(&array![[1.0, -1.0]])?, array![[0.5]]);
    /// assert!(net.predict(&array![[1.0]]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn predict<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        let x = self.check_input(x)?;
        let mut a: Option<Array2<f64>> = None;
        for (l, layer) in self.layers.iter().enumerate() {
            let z = layer_pre(layer, &a.as_ref().map_or(x.view(), |a| a.view()))?;
            let act = self.activation_of(l);
            a = Some(if act == Activation::Identity {
                z
            } else {
                z.mapv_into(|v| act.value(v))
            });
        }
        Ok(a.unwrap_or_else(|| x.to_owned()))
    }

    /// 誤差逆伝播: 前向きの計算の結果 `forward` と出力側の勾配 `G_L = ∂L/∂A_L`（`B × n_L`）から、
    /// 全パラメータの勾配と入力の勾配 `∂L/∂X`（`B × n_0`）を返す。
    ///
    /// 重みは今のネットワークのものを使う。`forward` は同じネットワーク（パラメータを変える前）で求めたものを渡す。
    ///
    /// # Errors
    ///
    /// - `forward` の層の数・幅がこのネットワークと違う: [`Error::DimensionMismatch`]
    /// - `G_L` の形が `B × n_L` でない: [`Error::DimensionMismatch`]
    /// - `G_L` に NaN・±∞: [`Error::NonFinite`]
    /// - 勾配が `f64` の範囲を超える: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Dense, Mlp}, ndarray::array, Error};
    ///
    /// // y = tanh(w x + b) の 1 層: ∂y/∂w = (1 − y²) x、∂y/∂b = 1 − y²、∂y/∂x = (1 − y²) w
    /// let net = Mlp::from_layers(vec![Dense::new(&array![[0.5]], &array![0.1])?], Activation::Tanh, Activation::Tanh)?;
    /// let x = array![[2.0]];
    /// let fwd = net.forward(&x)?;
    /// let (grads, gx) = net.backward(&fwd, &array![[1.0]])?;
    /// let d = 1.0 - 1.1f64.tanh().powi(2);
    /// assert!((grads.layers()[0].weights()[[0, 0]] - 2.0 * d).abs() < 1e-15);
    /// assert!((grads.layers()[0].bias()[0] - d).abs() < 1e-15);
    /// assert!((gx[[0, 0]] - 0.5 * d).abs() < 1e-15);
    /// assert!(matches!(net.backward(&fwd, &array![[f64::NAN]]), Err(Error::NonFinite { .. })));
    /// assert!(matches!(net.backward(&fwd, &array![[1.0, 1.0]]), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn backward<'a>(
        &self,
        forward: &Forward,
        grad_output: impl AsArray<'a, f64, Ix2>,
    ) -> Result<(Gradients, Array2<f64>)> {
        ensure_len(self.layers.len(), forward.pre.len())?;
        ensure_len(self.n_inputs(), forward.input.ncols())?;
        for (layer, z) in self.layers.iter().zip(&forward.pre) {
            ensure_len(layer.n_outputs(), z.ncols())?;
        }
        let batch = forward.input.nrows();
        let g: ArrayView2<'a, f64> = grad_output.into();
        check_grad_shape(batch, self.n_outputs(), &g)?;
        ensure_finite("出力の勾配 ∂L/∂A_L", g.iter().copied())?;
        let mut g = g.to_owned();
        let mut grads = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate().rev() {
            self.activation_of(l).backprop_in_place(
                &mut g,
                &forward.pre[l].view(),
                &forward.post[l].view(),
            );
            let a_prev = if l == 0 {
                forward.input.view()
            } else {
                forward.post[l - 1].view()
            };
            let (grad, g_prev) = layer.backward_unchecked(&a_prev, &g.view());
            grads.push(grad);
            g = g_prev;
        }
        grads.reverse();
        let finite = grads
            .iter()
            .all(|d| d.weights.iter().chain(&d.bias).all(|v| v.is_finite()))
            && g.iter().all(|v| v.is_finite());
        if !finite {
            return Err(Error::Overflow {
                what: "誤差逆伝播の勾配",
            });
        }
        Ok((Gradients { layers: grads }, g))
    }
}

/// 層の前活性 `Z = A W + b` を求め、`f64` の範囲を超えれば [`Error::Overflow`]。
fn layer_pre(layer: &Dense, a: &ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let z = layer.forward_unchecked(a);
    if z.iter().all(|v| v.is_finite()) {
        Ok(z)
    } else {
        Err(Error::Overflow {
            what: "ネットワークの前活性",
        })
    }
}

/// パラメータの数が [`MAX_PARAMETERS`] 以下であることを確かめる。
fn ensure_params(total: usize) -> Result<()> {
    if total > MAX_PARAMETERS {
        return Err(Error::TooLarge {
            what: "ネットワークのパラメータの数",
            requested: total,
            max: MAX_PARAMETERS,
        });
    }
    Ok(())
}
