//! 最適化法 Adam（Kingma & Ba 2015）: 偏りを補正した勾配の 1 次・2 次のモーメントで、パラメータごとに歩幅を決める。
//!
//! 歩 `t = 1, 2, …` で勾配 `g_t` を受け取り、パラメータごとに
//!
//! - `m_t = β₁ m_{t−1} + (1 − β₁) g_t`、`v_t = β₂ v_{t−1} + (1 − β₂) g_t²`（`m_0 = v_0 = 0`）
//! - `m̂_t = m_t / (1 − β₁^t)`、`v̂_t = v_t / (1 − β₂^t)`（0 から始めたことによる偏りの補正）
//! - `θ_t = θ_{t−1} − α m̂_t / (√v̂_t + ε)`
//!
//! とする。最初の歩では `m̂_1 = g_1`、`v̂_1 = g_1²` なので、`ε ≪ |g_1|` なら各パラメータは
//! ちょうど `α sign(g_1)` だけ動く（勾配の大きさによらない）。

use super::{Gradients, Mlp};
use crate::error::{Error, Result, ensure_finite, ensure_len};
use ndarray::{Array1, ArrayView1, AsArray, Ix1};

/// `ε` の下限 `1e-150`。
///
/// `|g| < 1.5e-154` では `g²` が `f64` の正規化数の下に落ち、`v̂` は 0 や精度の低い非正規化数になる。
/// `ε` がそれより小さいと、`√v̂ + ε` が `|m̂|` よりはるかに小さくなり、更新が `α` の何桁も上に跳ねる
/// （`ε = 1e-320`、`g = 1e-200` で `1e120 α`）。`ε ≥ 1e-150` なら、そのような `g` では比 `|m̂| / ε` が
/// `1.5e-154 / 1e-150 < 1e-3` 以下に収まり、更新は本来の大きさ `α` を超えない。ふつうの値 `1e-8` の 142 桁下である。
///
/// # Examples
///
/// ```
/// use genmodel::nn::{Adam, adam::MIN_EPSILON};
///
/// assert!(Adam::new(1e-3, 0.9, 0.999, MIN_EPSILON).is_ok());
/// assert!(Adam::new(1e-3, 0.9, 0.999, 1e-151).is_err());
/// ```
pub const MIN_EPSILON: f64 = 1e-150;

/// Adam の設定（学習率 `α`、`β₁`、`β₂`、`ε`）と状態（歩の数、モーメント `m`・`v`）。
///
/// 状態は最初の [`Adam::step`] でネットワークの形に合わせて作る。別の形のネットワークに使うときは
/// [`Adam::reset`] で状態を捨てる。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::{Activation, Adam, Dense, Gradients, Mlp}, ndarray::array};
///
/// // 最初の歩: どのパラメータも α sign(g) だけ動く
/// let mut net = Mlp::from_layers(vec![Dense::zeros(1, 1)?], Activation::Tanh, Activation::Identity)?;
/// let g = Gradients::from_flat(&net, &array![3.0, -0.001])?;
/// let mut adam = Adam::new(0.1, 0.5, 0.75, 1e-150)?;
/// adam.step(&mut net, &g)?;
/// assert_eq!(net.params_flat(), array![-0.1, 0.1]);
/// assert_eq!(adam.steps(), 1);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Adam {
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    steps: u64,
    /// `β₁^t`、`β₂^t`（掛け算で更新する）。
    beta1_power: f64,
    beta2_power: f64,
    /// 状態の持ち主のネットワークの層の幅（最初の歩の前は空）。
    sizes: Vec<usize>,
    m: Vec<f64>,
    v: Vec<f64>,
    /// 更新の作業場所（全部を確かめてから書き込むため）。
    next_m: Vec<f64>,
    next_v: Vec<f64>,
    next_theta: Vec<f64>,
}

/// 設定と状態（歩の数・モーメント）が同じなら等しい（作業場所は比べない）。
impl PartialEq for Adam {
    fn eq(&self, other: &Self) -> bool {
        self.learning_rate == other.learning_rate
            && self.beta1 == other.beta1
            && self.beta2 == other.beta2
            && self.epsilon == other.epsilon
            && self.steps == other.steps
            && self.beta1_power == other.beta1_power
            && self.beta2_power == other.beta2_power
            && self.sizes == other.sizes
            && self.m == other.m
            && self.v == other.v
    }
}

impl Default for Adam {
    /// Kingma & Ba の推奨値 `α = 10⁻³`、`β₁ = 0.9`、`β₂ = 0.999`、`ε = 10⁻⁸`。
    fn default() -> Self {
        Self::unchecked(1e-3, 0.9, 0.999, 1e-8)
    }
}

fn check_learning_rate(learning_rate: f64) -> Result<()> {
    if learning_rate > 0.0 && learning_rate.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "学習率 α",
            value: learning_rate,
            requirement: "正の有限の数",
        })
    }
}

impl Adam {
    fn unchecked(learning_rate: f64, beta1: f64, beta2: f64, epsilon: f64) -> Self {
        Self {
            learning_rate,
            beta1,
            beta2,
            epsilon,
            steps: 0,
            beta1_power: 1.0,
            beta2_power: 1.0,
            sizes: Vec::new(),
            m: Vec::new(),
            v: Vec::new(),
            next_m: Vec::new(),
            next_v: Vec::new(),
            next_theta: Vec::new(),
        }
    }

    /// 学習率 `α > 0`、`0 ≤ β₁ < 1`、`0 ≤ β₂ < 1`、`ε ≥` [`MIN_EPSILON`]（どれも有限）の Adam を作る。
    /// [`Default`] は推奨値 `(10⁻³, 0.9, 0.999, 10⁻⁸)`。
    ///
    /// # Errors
    ///
    /// 範囲の外（NaN・±∞ を含む）なら [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Adam, Error};
    ///
    /// let adam = Adam::new(0.01, 0.9, 0.999, 1e-8)?;
    /// assert_eq!(adam.learning_rate(), 0.01);
    /// assert_eq!(Adam::default().beta2(), 0.999);
    /// assert!(Adam::new(0.01, 0.0, 0.0, 1e-8).is_ok());
    /// for bad in [
    ///     Adam::new(0.0, 0.9, 0.999, 1e-8),
    ///     Adam::new(f64::INFINITY, 0.9, 0.999, 1e-8),
    ///     Adam::new(0.01, 1.0, 0.999, 1e-8),
    ///     Adam::new(0.01, 0.9, -0.1, 1e-8),
    ///     Adam::new(0.01, 0.9, 0.999, 0.0),
    ///     Adam::new(0.01, 0.9, 0.999, 1e-300),
    ///     Adam::new(0.01, f64::NAN, 0.999, 1e-8),
    /// ] {
    ///     assert!(matches!(bad, Err(Error::InvalidParameter { .. })));
    /// }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(learning_rate: f64, beta1: f64, beta2: f64, epsilon: f64) -> Result<Self> {
        check_learning_rate(learning_rate)?;
        for (name, beta) in [("β₁", beta1), ("β₂", beta2)] {
            if !(0.0..1.0).contains(&beta) {
                return Err(Error::InvalidParameter {
                    name,
                    value: beta,
                    requirement: "0 ≤ β < 1",
                });
            }
        }
        if !(epsilon >= MIN_EPSILON && epsilon.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "ε",
                value: epsilon,
                requirement: "1e-150 以上の有限の数",
            });
        }
        Ok(Self::unchecked(learning_rate, beta1, beta2, epsilon))
    }

    /// 学習率 `α`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Adam::default().learning_rate(), 1e-3);
    /// ```
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// 1 次のモーメントの減衰率 `β₁`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Adam::default().beta1(), 0.9);
    /// ```
    pub fn beta1(&self) -> f64 {
        self.beta1
    }

    /// 2 次のモーメントの減衰率 `β₂`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Adam::default().beta2(), 0.999);
    /// ```
    pub fn beta2(&self) -> f64 {
        self.beta2
    }

    /// 分母に足す `ε`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Adam::default().epsilon(), 1e-8);
    /// ```
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// これまでに進めた歩の数 `t`（失敗した [`Adam::step`] は数えない）。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::nn::Adam::default().steps(), 0);
    /// ```
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// 学習率を変える（学習率の予定表に使う）。モーメントと歩の数はそのまま。
    ///
    /// # Errors
    ///
    /// 正の有限の数でなければ [`Error::InvalidParameter`]（学習率は変えない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::nn::Adam;
    ///
    /// let mut adam = Adam::default();
    /// adam.set_learning_rate(0.5)?;
    /// assert_eq!(adam.learning_rate(), 0.5);
    /// assert!(adam.set_learning_rate(-1.0).is_err());
    /// assert_eq!(adam.learning_rate(), 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn set_learning_rate(&mut self, learning_rate: f64) -> Result<()> {
        check_learning_rate(learning_rate)?;
        self.learning_rate = learning_rate;
        Ok(())
    }

    /// 状態（歩の数とモーメント）を捨て、作ったときに戻す。設定はそのまま。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Adam, Dense, Gradients, Mlp}, ndarray::array};
    ///
    /// let mut net = Mlp::from_layers(vec![Dense::zeros(1, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let mut adam = Adam::default();
    /// let g = Gradients::from_flat(&net, &array![1.0, 1.0])?;
    /// adam.step(&mut net, &g)?;
    /// adam.reset();
    /// assert_eq!(adam, Adam::default());
    /// // 形の違うネットワークにも使える
    /// let mut other = Mlp::from_layers(vec![Dense::zeros(2, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let g_other = Gradients::from_flat(&other, &array![1.0, 1.0, 1.0])?;
    /// assert!(adam.step(&mut other, &g_other).is_ok());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn reset(&mut self) {
        *self = Self::unchecked(self.learning_rate, self.beta1, self.beta2, self.epsilon);
    }

    /// `offset` から始まるパラメータの組 `(θ, g)` の新しい `m`・`v`・`θ` を作業場所に書く。有限でなければ `false`。
    fn update<'a>(
        &mut self,
        offset: usize,
        pairs: impl Iterator<Item = (&'a f64, &'a f64)>,
        c1: f64,
        c2: f64,
    ) -> bool {
        let (b1, b2, lr, eps) = (self.beta1, self.beta2, self.learning_rate, self.epsilon);
        // 偏りの補正は逆数を掛ける（割り算を 1 要素 1 回にする）
        let (r1, r2) = (1.0 / c1, 1.0 / c2);
        let mut finite = true;
        let m_old = &self.m[offset..];
        let v_old = &self.v[offset..];
        let out = self.next_m[offset..]
            .iter_mut()
            .zip(&mut self.next_v[offset..])
            .zip(&mut self.next_theta[offset..]);
        for (((&theta, &g), (&m0, &v0)), ((nm, nv), nt)) in
            pairs.zip(m_old.iter().zip(v_old)).zip(out)
        {
            let m = b1 * m0 + (1.0 - b1) * g;
            let v = b2 * v0 + (1.0 - b2) * (g * g);
            // 比 m̂ / (√v̂ + ε) を先に求める（最初の歩で ±1 がちょうど出て、更新がちょうど ±α になる）
            let t = theta - lr * (m * r1 / ((v * r2).sqrt() + eps));
            finite &= m.is_finite() & v.is_finite() & t.is_finite();
            *nm = m;
            *nv = v;
            *nt = t;
        }
        finite
    }

    /// 1 歩進める: 勾配 `grads`（損失 `L` の `∂L/∂θ`。[`Mlp::backward`] の結果など）で `net` のパラメータを動かす。
    ///
    /// 新しいモーメントとパラメータをすべて求めて確かめてから書き込むので、誤りのときは `net` も状態も変えない。
    ///
    /// # Errors
    ///
    /// - `grads` の形が `net` と違う、または `net` の形が前の歩と違う（[`Adam::reset`] していない）:
    ///   [`Error::DimensionMismatch`]
    /// - 勾配に NaN・±∞: [`Error::NonFinite`]（`index` は [`Gradients::flat`] の並びの位置。[`Mlp::backward`] と
    ///   [`Gradients::from_flat`] は非有限の勾配を作らないので、念のための検査である）
    /// - `g²`・モーメント・新しいパラメータが `f64` の範囲を超える（`|g| > 1e154` など）: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::{Activation, Adam, Dense, Gradients, Mlp}, ndarray::array, Error};
    ///
    /// let mut net = Mlp::from_layers(vec![Dense::zeros(1, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8)?;
    /// // 勾配が一定なら m̂_t = g、v̂_t = g² なので、毎歩 α |g| / (|g| + ε) ≈ α ずつ動く
    /// let g = Gradients::from_flat(&net, &array![2.0, -5.0])?;
    /// for _ in 0..3 {
    ///     adam.step(&mut net, &g)?;
    /// }
    /// let p = net.params_flat();
    /// assert!((p[0] + 0.3).abs() < 1e-8 && (p[1] - 0.3).abs() < 1e-8);
    /// // 形の違う勾配・2 乗があふれる勾配は断り、何も変えない
    /// let other = Mlp::from_layers(vec![Dense::zeros(2, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let wrong = Gradients::from_flat(&other, &array![1.0, 1.0, 1.0])?;
    /// assert!(matches!(adam.step(&mut net, &wrong), Err(Error::DimensionMismatch { .. })));
    /// let huge = Gradients::from_flat(&net, &array![1e200, 0.0])?;
    /// assert!(matches!(adam.step(&mut net, &huge), Err(Error::Overflow { .. })));
    /// assert_eq!((net.params_flat(), adam.steps()), (p, 3));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn step(&mut self, net: &mut Mlp, grads: &Gradients) -> Result<()> {
        ensure_len(net.layers.len(), grads.layers.len())?;
        for (layer, g) in net.layers.iter().zip(&grads.layers) {
            ensure_len(layer.weights.nrows(), g.weights.nrows())?;
            ensure_len(layer.weights.ncols(), g.weights.ncols())?;
            ensure_len(layer.bias.len(), g.bias.len())?;
        }
        let sizes = net.sizes();
        if self.steps > 0 {
            ensure_len(self.sizes.len(), sizes.len())?;
            for (&a, &b) in self.sizes.iter().zip(&sizes) {
                ensure_len(a, b)?;
            }
        }
        let mut offset = 0;
        for g in &grads.layers {
            for part in [g.weights.view().into_dyn(), g.bias.view().into_dyn()] {
                ensure_finite("勾配", part.iter().copied()).map_err(|e| match e {
                    Error::NonFinite { what, index } => Error::NonFinite {
                        what,
                        index: offset + index,
                    },
                    e => e,
                })?;
                offset += part.len();
            }
        }
        let n = net.n_params();
        if self.steps == 0 {
            self.m = vec![0.0; n];
            self.v = vec![0.0; n];
        }
        for buf in [&mut self.next_m, &mut self.next_v, &mut self.next_theta] {
            buf.resize(n, 0.0);
        }
        let (p1, p2) = (self.beta1_power * self.beta1, self.beta2_power * self.beta2);
        let mut offset = 0;
        for (layer, g) in net.layers.iter().zip(&grads.layers) {
            for (theta, g) in [
                (layer.weights.view().into_dyn(), g.weights.view().into_dyn()),
                (layer.bias.view().into_dyn(), g.bias.view().into_dyn()),
            ] {
                let len = theta.len();
                // 重みと勾配はどちらも添字の順に回る（連続なら slice の速い道）
                let ok = match (theta.as_slice(), g.as_slice()) {
                    (Some(t), Some(g)) => self.update(offset, t.iter().zip(g), 1.0 - p1, 1.0 - p2),
                    _ => self.update(offset, theta.iter().zip(g.iter()), 1.0 - p1, 1.0 - p2),
                };
                if !ok {
                    // 最初の歩で作ったモーメントを捨て、作ったときの状態に戻す
                    if self.steps == 0 {
                        self.m.clear();
                        self.v.clear();
                    }
                    return Err(Error::Overflow {
                        what: "Adam のモーメントかパラメータ",
                    });
                }
                offset += len;
            }
        }
        std::mem::swap(&mut self.m, &mut self.next_m);
        std::mem::swap(&mut self.v, &mut self.next_v);
        let mut offset = 0;
        for layer in &mut net.layers {
            for mut theta in [
                layer.weights.view_mut().into_dyn(),
                layer.bias.view_mut().into_dyn(),
            ] {
                let src = &self.next_theta[offset..offset + theta.len()];
                offset += theta.len();
                match theta.as_slice_mut() {
                    Some(dst) => dst.copy_from_slice(src),
                    None => theta.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
                }
            }
        }
        self.steps += 1;
        self.beta1_power = p1;
        self.beta2_power = p2;
        self.sizes = sizes;
        Ok(())
    }

    /// 平坦なパラメータのベクトル `θ` を勾配 `g` で 1 歩動かす（[`Adam::step`] と同じ更新。ネットワークの形をとらない
    /// モデル、たとえば線形ガウスの VAE の閉じた形の勾配に使う）。状態の持ち主の形は `[θ の長さ]` として覚える。
    ///
    /// # Errors
    ///
    /// - `g` の長さが `θ` と違う、または前の歩と長さが違う（[`Adam::reset`] していない）: [`Error::DimensionMismatch`]
    /// - 勾配に NaN・±∞: [`Error::NonFinite`]
    /// - モーメントか新しいパラメータが `f64` の範囲を超える: [`Error::Overflow`]
    ///
    /// 誤りのときは `θ` も状態も変えない。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{nn::Adam, ndarray::array, Error};
    ///
    /// let mut theta = array![1.0, -2.0];
    /// let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8)?;
    /// adam.step_flat(&mut theta, &array![4.0, -0.5])?;
    /// // 最初の歩は α g/(|g| + ε) ≈ α sign(g)（ε = 1e-8 の分だけ短い: |g| = 0.5 で 2e-9）
    /// assert!((theta[0] - 0.9).abs() < 1e-8 && (theta[1] + 1.9).abs() < 1e-8);
    /// assert!(matches!(adam.step_flat(&mut theta, &array![1.0]), Err(Error::DimensionMismatch { .. })));
    /// assert!(matches!(adam.step_flat(&mut theta, &array![f64::NAN, 0.0]), Err(Error::NonFinite { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn step_flat<'a>(
        &mut self,
        params: &mut Array1<f64>,
        grads: impl AsArray<'a, f64, Ix1>,
    ) -> Result<()> {
        let grads: ArrayView1<'a, f64> = grads.into();
        let n = params.len();
        ensure_len(n, grads.len())?;
        if self.steps > 0 {
            ensure_len(self.sizes.len(), 1)?;
            ensure_len(self.sizes[0], n)?;
        }
        ensure_finite("勾配", grads.iter().copied())?;
        if self.steps == 0 {
            self.m = vec![0.0; n];
            self.v = vec![0.0; n];
        }
        for buf in [&mut self.next_m, &mut self.next_v, &mut self.next_theta] {
            buf.resize(n, 0.0);
        }
        let (p1, p2) = (self.beta1_power * self.beta1, self.beta2_power * self.beta2);
        if !self.update(0, params.iter().zip(grads.iter()), 1.0 - p1, 1.0 - p2) {
            // 最初の歩で作ったモーメントを捨て、作ったときの状態に戻す
            if self.steps == 0 {
                self.m.clear();
                self.v.clear();
            }
            return Err(Error::Overflow {
                what: "Adam のモーメントかパラメータ",
            });
        }
        std::mem::swap(&mut self.m, &mut self.next_m);
        std::mem::swap(&mut self.v, &mut self.next_v);
        params
            .iter_mut()
            .zip(&self.next_theta)
            .for_each(|(d, s)| *d = *s);
        self.steps += 1;
        self.beta1_power = p1;
        self.beta2_power = p2;
        self.sizes = vec![n];
        Ok(())
    }
}
