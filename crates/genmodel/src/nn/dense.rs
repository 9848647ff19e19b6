//! 全結合層（アフィン層）`y = x W + b` と、その誤差逆伝播。
//!
//! ミニバッチ `x`（`B × n_in`、1 行 1 標本）に対して、重み `W`（`n_in × n_out`）とバイアス `b`（長さ `n_out`）で
//! `y = x W + 𝟏 bᵀ`（`B × n_out`）を返す。スカラーの損失 `L` の `y` についての勾配 `G = ∂L/∂y`（`B × n_out`）が
//! 与えられれば、連鎖律から
//!
//! - `∂L/∂W = xᵀ G`（`n_in × n_out`。`∂L/∂W_ij = Σ_b x_bi G_bj`）
//! - `∂L/∂b = Gᵀ 𝟏`（`G` の列ごとの和。`∂L/∂b_j = Σ_b G_bj`）
//! - `∂L/∂x = G Wᵀ`（`B × n_in`。`∂L/∂x_bi = Σ_j G_bj W_ij`）
//!
//! である。損失がミニバッチの平均なら、`1/B` は `G` に含めて渡す。

use super::{check_shape, ensure_work};
use crate::error::{Error, Result, ensure_finite, ensure_len, ensure_output};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Ix2};

/// 全結合層 `y = x W + b`。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::Dense, ndarray::array};
///
/// // 入力 2・出力 1: y = 1·x_0 − 2·x_1 + 0.5
/// let layer = Dense::new(&array![[1.0], [-2.0]], &array![0.5])?;
/// assert_eq!(layer.forward(&array![[3.0, 1.0], [0.0, 0.0]])?, array![[1.5], [0.5]]);
/// // 入力の幅が違えば誤り
/// assert!(layer.forward(&array![[1.0, 2.0, 3.0]]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub(super) weights: Array2<f64>,
    pub(super) bias: Array1<f64>,
}

/// 1 つの全結合層のパラメータについての勾配 `(∂L/∂W, ∂L/∂b)`。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::Dense, ndarray::array};
///
/// let layer = Dense::new(&array![[1.0], [-2.0]], &array![0.5])?;
/// let (grad, _) = layer.backward(&array![[3.0, 1.0]], &array![[2.0]])?;
/// assert_eq!(grad.weights(), &array![[6.0], [2.0]]);
/// assert_eq!(grad.bias(), &array![2.0]);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DenseGradient {
    pub(super) weights: Array2<f64>,
    pub(super) bias: Array1<f64>,
}

impl DenseGradient {
    /// `∂L/∂W`（`n_in × n_out`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::array};
    ///
    /// // ∂L/∂W = xᵀ G: x = (1, 2)、G = (1, −1) の外積
    /// let layer = Dense::zeros(2, 2)?;
    /// let (grad, _) = layer.backward(&array![[1.0, 2.0]], &array![[1.0, -1.0]])?;
    /// assert_eq!(grad.weights(), &array![[1.0, -1.0], [2.0, -2.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }

    /// `∂L/∂b`（長さ `n_out`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::array};
    ///
    /// // ∂L/∂b は G の列ごとの和
    /// let layer = Dense::zeros(1, 2)?;
    /// let (grad, _) = layer.backward(&array![[1.0], [5.0]], &array![[1.0, 2.0], [3.0, 4.0]])?;
    /// assert_eq!(grad.bias(), &array![4.0, 6.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn bias(&self) -> &Array1<f64> {
        &self.bias
    }
}

impl Dense {
    /// 重み `W`（`n_in × n_out`）とバイアス `b`（長さ `n_out`）から層を作る。
    ///
    /// # Errors
    ///
    /// - `n_in == 0` か `n_out == 0`: [`Error::InvalidParameter`]
    /// - `b` の長さが `n_out` でない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - パラメータの数 `(n_in + 1) n_out` が [`super::MAX_PARAMETERS`] を超える: [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::{array, Array1, Array2}, Error};
    ///
    /// let layer = Dense::new(&Array2::zeros((3, 2)), &array![1.0, 2.0])?;
    /// assert_eq!((layer.n_inputs(), layer.n_outputs()), (3, 2));
    /// assert_eq!(
    ///     Dense::new(&Array2::zeros((3, 2)), &array![1.0]),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// );
    /// assert!(matches!(Dense::new(&array![[f64::NAN]], &array![0.0]), Err(Error::NonFinite { .. })));
    /// assert!(matches!(
    ///     Dense::new(&Array2::zeros((0, 2)), &Array1::zeros(2)),
    ///     Err(Error::InvalidParameter { .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<'a, 'b>(
        weights: impl AsArray<'a, f64, Ix2>,
        bias: impl AsArray<'b, f64, Ix1>,
    ) -> Result<Self> {
        let w: ArrayView2<'a, f64> = weights.into();
        let b: ArrayView1<'b, f64> = bias.into();
        let (n_in, n_out) = w.dim();
        super::layer_params(n_in, n_out)?;
        ensure_len(n_out, b.len())?;
        ensure_finite("全結合層の重み W", w.iter().copied())?;
        ensure_finite("全結合層のバイアス b", b.iter().copied())?;
        Ok(Self {
            weights: w.to_owned(),
            bias: b.to_owned(),
        })
    }

    /// 重みもバイアスも 0 の層。
    ///
    /// # Errors
    ///
    /// [`Dense::new`] と同じ大きさの検査（幅 0 は [`Error::InvalidParameter`]、大きすぎれば [`Error::TooLarge`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::array, Error};
    ///
    /// let layer = Dense::zeros(2, 3)?;
    /// assert_eq!(layer.forward(&array![[1.0, -1.0]])?, array![[0.0, 0.0, 0.0]]);
    /// assert!(matches!(Dense::zeros(2, 0), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(Dense::zeros(1 << 20, 1 << 20), Err(Error::TooLarge { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn zeros(n_inputs: usize, n_outputs: usize) -> Result<Self> {
        super::layer_params(n_inputs, n_outputs)?;
        Ok(Self {
            weights: Array2::zeros((n_inputs, n_outputs)),
            bias: Array1::zeros(n_outputs),
        })
    }

    /// 入力の幅 `n_in`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Dense::zeros(4, 3)?.n_inputs(), 4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_inputs(&self) -> usize {
        self.weights.nrows()
    }

    /// 出力の幅 `n_out`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Dense::zeros(4, 3)?.n_outputs(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_outputs(&self) -> usize {
        self.weights.ncols()
    }

    /// パラメータの数 `(n_in + 1) n_out`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Dense::zeros(4, 3)?.n_params(), 15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_params(&self) -> usize {
        self.weights.len() + self.bias.len()
    }

    /// 重み `W`（`n_in × n_out`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::array};
    ///
    /// let layer = Dense::new(&array![[1.0, 2.0]], &array![0.0, 0.0])?;
    /// assert_eq!(layer.weights(), &array![[1.0, 2.0]]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }

    /// バイアス `b`（長さ `n_out`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::array};
    ///
    /// let layer = Dense::new(&array![[1.0, 2.0]], &array![0.5, -0.5])?;
    /// assert_eq!(layer.bias(), &array![0.5, -0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn bias(&self) -> &Array1<f64> {
        &self.bias
    }

    /// 前向きの計算 `y = x W + b`（`x` は `B × n_in`、`y` は `B × n_out`）。
    ///
    /// # Errors
    ///
    /// - 行がない（`B = 0`）: [`Error::EmptyInput`]
    /// - 列の数が `n_in` でない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - 積和の数 `B · n_in · n_out` が [`super::MAX_WORK`]、出力の成分の数が [`super::MAX_ACTIVATIONS`] を超える:
    ///   [`Error::TooLarge`]（計算を始めない）
    /// - 結果が `f64` の範囲を超える: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::{array, Array2}, Error};
    ///
    /// let layer = Dense::new(&array![[2.0], [1.0]], &array![1.0])?;
    /// // 転置したビュー（連続でない）もそのまま渡せる: x = [[1, 3]]
    /// let xt = array![[1.0], [3.0]];
    /// assert_eq!(layer.forward(xt.t())?, array![[6.0]]);
    /// assert_eq!(layer.forward(&Array2::zeros((0, 2))), Err(Error::EmptyInput));
    /// assert!(matches!(layer.forward(&array![[1e308, 1e308]]), Err(Error::Overflow { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn forward<'a>(&self, x: impl AsArray<'a, f64, Ix2>) -> Result<Array2<f64>> {
        let x = check_shape(self.n_inputs(), x)?;
        ensure_work(x.nrows(), self.weights.len(), self.n_outputs())?;
        ensure_finite("全結合層の入力 x", x.iter().copied())?;
        ensure_output("全結合層の出力 y", self.forward_unchecked(&x))
    }

    /// 後ろ向きの計算: 入力 `x`（`B × n_in`）と `G = ∂L/∂y`（`B × n_out`）から、
    /// パラメータの勾配 `(∂L/∂W, ∂L/∂b) = (xᵀ G, Gᵀ 𝟏)` と入力の勾配 `∂L/∂x = G Wᵀ` を返す。
    ///
    /// # Errors
    ///
    /// - `x` が [`Dense::forward`] と同じ誤り（空・幅・非有限・大きさ）
    /// - `G` の形が `B × n_out` でない: [`Error::DimensionMismatch`]（行の数が違えば期待は `B`）
    /// - `G` に NaN・±∞: [`Error::NonFinite`]
    /// - 結果が `f64` の範囲を超える: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Dense, ndarray::array, Error};
    ///
    /// // y = x W + b、L = Σ G ⊙ y とすると ∂L/∂W = xᵀ G、∂L/∂b = Σ_b G、∂L/∂x = G Wᵀ
    /// let layer = Dense::new(&array![[1.0, 0.0], [2.0, -1.0]], &array![0.0, 0.0])?;
    /// let x = array![[1.0, 2.0], [3.0, 4.0]];
    /// let g = array![[1.0, 0.0], [0.0, 1.0]];
    /// let (grad, gx) = layer.backward(&x, &g)?;
    /// assert_eq!(grad.weights(), &array![[1.0, 3.0], [2.0, 4.0]]);
    /// assert_eq!(grad.bias(), &array![1.0, 1.0]);
    /// assert_eq!(gx, array![[1.0, 2.0], [0.0, -1.0]]);
    /// // G の行の数が x と違う
    /// assert_eq!(
    ///     layer.backward(&x, &array![[1.0, 0.0]]).map(|_| ()),
    ///     Err(Error::DimensionMismatch { expected: 2, actual: 1 })
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn backward<'a, 'b>(
        &self,
        x: impl AsArray<'a, f64, Ix2>,
        grad_output: impl AsArray<'b, f64, Ix2>,
    ) -> Result<(DenseGradient, Array2<f64>)> {
        let x = check_shape(self.n_inputs(), x)?;
        let g: ArrayView2<'b, f64> = grad_output.into();
        check_grad_shape(x.nrows(), self.n_outputs(), &g)?;
        ensure_work(
            x.nrows(),
            self.weights.len(),
            self.n_inputs() + self.n_outputs(),
        )?;
        ensure_finite("全結合層の入力 x", x.iter().copied())?;
        ensure_finite("出力の勾配 ∂L/∂y", g.iter().copied())?;
        let (grad, gx) = self.backward_unchecked(&x, &g);
        Ok((
            DenseGradient {
                weights: ensure_output("∂L/∂W", grad.weights)?,
                bias: ensure_output("∂L/∂b", grad.bias)?,
            },
            ensure_output("∂L/∂x", gx)?,
        ))
    }

    /// 検査なしの `x W + b`。
    pub(super) fn forward_unchecked(&self, x: &ArrayView2<'_, f64>) -> Array2<f64> {
        let mut y = x.dot(&self.weights);
        y += &self.bias;
        y
    }

    /// 検査なしの後ろ向きの計算。
    pub(super) fn backward_unchecked(
        &self,
        x: &ArrayView2<'_, f64>,
        g: &ArrayView2<'_, f64>,
    ) -> (DenseGradient, Array2<f64>) {
        let grad = DenseGradient {
            weights: x.t().dot(g),
            bias: g.sum_axis(Axis(0)),
        };
        (grad, g.dot(&self.weights.t()))
    }
}

/// 出力側の勾配 `G` の形が `rows × cols` であることを確かめる。
pub(super) fn check_grad_shape(rows: usize, cols: usize, g: &ArrayView2<'_, f64>) -> Result<()> {
    if g.nrows() != rows {
        return Err(Error::DimensionMismatch {
            expected: rows,
            actual: g.nrows(),
        });
    }
    ensure_len(cols, g.ncols())
}
