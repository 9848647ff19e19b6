//! ε を予測するネットワーク（第 10 章）: 時刻の埋め込み [`TimeEmbedding`] と多層パーセプトロンの [`EpsilonNet`]、
//! 単純化した損失 `L_simple` と、手で導いたその勾配。
//!
//! 時刻 `t ∈ {1, …, T}` の埋め込みは `2K` 個の正弦波の特徴
//!
//! `e_k(t) = sin(ω_k t)`、`e_{K+k}(t) = cos(ω_k t)`、`ω_k = π 2^{k−1} / T`（`k = 1, …, K`）
//!
//! である（式 (10.22)、第 10 章）。いちばん遅い `ω_1` は `t = 1, …, T` で半周期（`cos(ω_1 t)` は単調）なので、
//! 組 `(sin, cos)` は時刻を一意に表し、周波数を倍々に上げた特徴が細かな時刻の違いを表す。
//!
//! ネットワークは、入力を `[x, e(t)]`（`D + 2K` 個）、出力を `D` 個とする多層パーセプトロン `ε_θ(x_t, t)` である。
//! 損失 `L_simple` とその勾配は [`super::loss`] にある。[`SPLIT_ROWS`] 行以上の予測は、前半と後半を 2 つのスレッドで
//! 求める（分け方は行の数だけで決まるので、結果はコアの数によらない）。

use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::nn::{Activation, Mlp};
use ndarray::{Array1, Array2, ArrayView2, AsArray, Axis, Ix1, Ix2, Slice, concatenate};
use rand::Rng;

pub use crate::vae::model::SPLIT_ROWS;

/// 埋め込みの表 `T × 2K` の成分の数の上限 `2^24`（`f64` で 128 MiB）。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::network::{TimeEmbedding, MAX_TABLE}, Error};
/// assert_eq!(MAX_TABLE, 1 << 24);
/// // T = 2^20、K = 16 の表 2^25 成分は断る
/// assert!(matches!(TimeEmbedding::new(1 << 20, 16), Err(Error::TooLarge { .. })));
/// ```
pub const MAX_TABLE: usize = 1 << 24;

/// 周波数の数 `K` の上限 `64`（`2^{K−1}` が `f64` で正確に表せる範囲）。
///
/// # Examples
///
/// ```
/// use genmodel::diffusion::network::{TimeEmbedding, MAX_FREQUENCIES};
/// assert!(TimeEmbedding::new(2, MAX_FREQUENCIES).is_ok());
/// assert!(TimeEmbedding::new(2, MAX_FREQUENCIES + 1).is_err());
/// ```
pub const MAX_FREQUENCIES: usize = 64;

/// 時刻の正弦波の埋め込み `e(t) = (sin ω_1 t, …, sin ω_K t, cos ω_1 t, …, cos ω_K t)`、`ω_k = π 2^{k−1} / T`
/// （式 (10.22)、第 10 章）。`t = 1, …, T` の値を表にして持つ。
///
/// # Examples
///
/// ```
/// use genmodel::diffusion::network::TimeEmbedding;
/// use std::f64::consts::PI;
///
/// let e = TimeEmbedding::new(1000, 3)?;
/// let f = e.features(250)?;
/// // ω_1 · 250 = π/4、ω_2 · 250 = π/2、ω_3 · 250 = π
/// assert!((f[0] - (PI / 4.0).sin()).abs() < 1e-15 && (f[1] - 1.0).abs() < 1e-15 && f[2].abs() < 1e-15);
/// assert!((f[3] - (PI / 4.0).cos()).abs() < 1e-15 && f[4].abs() < 1e-15 && (f[5] + 1.0).abs() < 1e-15);
/// assert!(e.features(0).is_err() && e.features(1001).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEmbedding {
    steps: usize,
    frequencies: usize,
    /// `t = 1, …, T` の行（`T × 2K`）。
    table: Array2<f64>,
}

impl TimeEmbedding {
    /// `T = steps`、`K = frequencies` の埋め込みを作る。
    ///
    /// # Errors
    ///
    /// - `T = 0`、`K = 0`、`K >` [`MAX_FREQUENCIES`]: [`Error::InvalidParameter`]
    /// - 表の成分の数 `2KT` が [`MAX_TABLE`] を超える: [`Error::TooLarge`]（確保しない）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::TimeEmbedding, Error};
    /// let e = TimeEmbedding::new(100, 4)?;
    /// assert_eq!((e.steps(), e.frequencies(), e.width()), (100, 4, 8));
    /// assert!(matches!(TimeEmbedding::new(0, 4), Err(Error::InvalidParameter { .. })));
    /// assert!(matches!(TimeEmbedding::new(100, 0), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(steps: usize, frequencies: usize) -> Result<Self> {
        if steps == 0 {
            return Err(Error::InvalidParameter {
                name: "段の数 T",
                value: 0.0,
                requirement: "1 以上",
            });
        }
        if frequencies == 0 || frequencies > MAX_FREQUENCIES {
            return Err(Error::InvalidParameter {
                name: "周波数の数 K",
                value: frequencies as f64,
                requirement: "1 ≤ K ≤ 64",
            });
        }
        let size = steps.saturating_mul(2 * frequencies);
        if size > MAX_TABLE {
            return Err(Error::TooLarge {
                what: "時刻の埋め込みの表 T × 2K",
                requested: size,
                max: MAX_TABLE,
            });
        }
        let omegas: Vec<f64> = (0..frequencies).map(|k| omega(steps, k)).collect();
        let table = Array2::from_shape_fn((steps, 2 * frequencies), |(i, j)| {
            let t = (i + 1) as f64;
            if j < frequencies {
                (omegas[j] * t).sin()
            } else {
                (omegas[j - frequencies] * t).cos()
            }
        });
        Ok(Self {
            steps,
            frequencies,
            table,
        })
    }

    /// 段の数 `T`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::diffusion::network::TimeEmbedding::new(7, 2)?.steps(), 7);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// 周波数の数 `K`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::diffusion::network::TimeEmbedding::new(7, 2)?.frequencies(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn frequencies(&self) -> usize {
        self.frequencies
    }

    /// 特徴の数 `2K`。
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(genmodel::diffusion::network::TimeEmbedding::new(7, 2)?.width(), 4);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn width(&self) -> usize {
        2 * self.frequencies
    }

    /// 角周波数 `ω_k = π 2^{k−1} / T`（`k = 1, …, K`）。
    ///
    /// # Errors
    ///
    /// `k` が範囲の外: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use std::f64::consts::PI;
    /// let e = genmodel::diffusion::network::TimeEmbedding::new(1000, 8)?;
    /// assert_eq!(e.omega(1)?, PI / 1000.0);
    /// assert_eq!(e.omega(8)?, PI * 128.0 / 1000.0);
    /// assert!(e.omega(0).is_err() && e.omega(9).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn omega(&self, k: usize) -> Result<f64> {
        if k == 0 || k > self.frequencies {
            return Err(Error::InvalidParameter {
                name: "周波数の番号 k",
                value: k as f64,
                requirement: "1 ≤ k ≤ K",
            });
        }
        Ok(omega(self.steps, k - 1))
    }

    /// 時刻 `t` の特徴 `e(t)`（長さ `2K`）。
    ///
    /// # Errors
    ///
    /// `t ∉ {1, …, T}`: [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// let e = genmodel::diffusion::network::TimeEmbedding::new(10, 1)?;
    /// let f = e.features(10)?;
    /// // ω_1 T = π: (sin π, cos π) = (0, −1)
    /// assert!(f[0].abs() < 1e-15 && f[1] == -1.0);
    /// assert!(e.features(11).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn features(&self, t: usize) -> Result<Array1<f64>> {
        self.check_t(t)?;
        Ok(self.table.row(t - 1).to_owned())
    }

    pub(crate) fn check_t(&self, t: usize) -> Result<()> {
        if t == 0 || t > self.steps {
            return Err(Error::InvalidParameter {
                name: "時刻 t",
                value: t as f64,
                requirement: "1 ≤ t ≤ T",
            });
        }
        Ok(())
    }
}

/// `ω_{k+1} = π 2^k / T`（`k` は 0 から）。
fn omega(steps: usize, k: usize) -> f64 {
    std::f64::consts::PI * 2f64.powi(k as i32) / steps as f64
}

/// ε を予測するネットワーク `ε_θ(x, t)`: 入力 `[x, e(t)]`（`D + 2K` 個）、出力 `D` 個の多層パーセプトロン
/// （式 (10.22)、第 10 章）。
///
/// # Examples
///
/// ```
/// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, ndarray::array, nn::Activation};
///
/// let net = EpsilonNet::new(2, &[16, 16], Activation::Relu, TimeEmbedding::new(100, 4)?, &mut seeded_rng(0))?;
/// assert_eq!(net.network().sizes(), vec![2 + 8, 16, 16, 2]);
/// let e = net.predict(&array![[0.5, -1.0], [0.0, 2.0]], &[1, 100])?;
/// assert_eq!(e.dim(), (2, 2));
/// assert!(net.predict(&array![[0.5, -1.0]], &[101]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EpsilonNet {
    pub(super) net: Mlp,
    embedding: TimeEmbedding,
}

impl EpsilonNet {
    /// データの次元 `D`、隠れ層の幅 `hidden`、隠れ層の活性化 `activation` のネットワーク
    /// `D + 2K → hidden… → D`（出力は恒等）を、乱数で初期化して作る（初期化は [`Mlp::new`]）。
    ///
    /// # Errors
    ///
    /// `D = 0`、幅 0 の隠れ層: [`Error::InvalidParameter`]。パラメータが多すぎる: [`Error::TooLarge`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, nn::Activation, Error};
    ///
    /// let e = TimeEmbedding::new(50, 2)?;
    /// let a = EpsilonNet::new(1, &[8], Activation::Tanh, e.clone(), &mut seeded_rng(3))?;
    /// let b = EpsilonNet::new(1, &[8], Activation::Tanh, e.clone(), &mut seeded_rng(3))?;
    /// assert_eq!(a, b);
    /// assert_eq!(a.network().n_params(), (5 + 1) * 8 + (8 + 1) * 1);
    /// assert!(matches!(EpsilonNet::new(0, &[8], Activation::Tanh, e, &mut seeded_rng(3)), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new<R: Rng + ?Sized>(
        dim: usize,
        hidden: &[usize],
        activation: Activation,
        embedding: TimeEmbedding,
        rng: &mut R,
    ) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParameter {
                name: "データの次元 D",
                value: 0.0,
                requirement: "1 以上",
            });
        }
        let mut sizes = vec![dim.saturating_add(embedding.width())];
        sizes.extend_from_slice(hidden);
        sizes.push(dim);
        let net = Mlp::new(&sizes, activation, Activation::Identity, rng)?;
        Ok(Self { net, embedding })
    }

    /// 多層パーセプトロン（入力 `D + 2K`、出力 `D`）と埋め込みから作る。
    ///
    /// # Errors
    ///
    /// 入力の幅が「出力の幅 + `2K`」でない: [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, nn::{Activation, Dense, Mlp}, Error};
    ///
    /// let mlp = Mlp::from_layers(vec![Dense::zeros(3, 1)?], Activation::Tanh, Activation::Identity)?;
    /// let net = EpsilonNet::from_parts(mlp.clone(), TimeEmbedding::new(10, 1)?)?;
    /// assert_eq!(net.dim(), 1);
    /// assert_eq!(EpsilonNet::from_parts(mlp, TimeEmbedding::new(10, 2)?), Err(Error::DimensionMismatch { expected: 5, actual: 3 }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_parts(net: Mlp, embedding: TimeEmbedding) -> Result<Self> {
        ensure_len(
            net.n_outputs().saturating_add(embedding.width()),
            net.n_inputs(),
        )?;
        Ok(Self { net, embedding })
    }

    /// データの次元 `D`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, nn::Activation};
    /// let net = EpsilonNet::new(3, &[4], Activation::Relu, TimeEmbedding::new(10, 2)?, &mut seeded_rng(0))?;
    /// assert_eq!(net.dim(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.net.n_outputs()
    }

    /// 時刻の埋め込み。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, nn::Activation};
    /// let net = EpsilonNet::new(3, &[4], Activation::Relu, TimeEmbedding::new(10, 2)?, &mut seeded_rng(0))?;
    /// assert_eq!(net.embedding().steps(), 10);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn embedding(&self) -> &TimeEmbedding {
        &self.embedding
    }

    /// 多層パーセプトロン。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, nn::Activation};
    /// let net = EpsilonNet::new(3, &[4], Activation::Relu, TimeEmbedding::new(10, 2)?, &mut seeded_rng(0))?;
    /// assert_eq!(net.network().hidden_activation(), Activation::Relu);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// パラメータを 1 列に並べたもの（[`Mlp::params_flat`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, nn::Activation};
    /// let net = EpsilonNet::new(1, &[4], Activation::Relu, TimeEmbedding::new(10, 1)?, &mut seeded_rng(0))?;
    /// assert_eq!(net.params_flat().len(), 4 * 4 + 5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn params_flat(&self) -> Array1<f64> {
        self.net.params_flat()
    }

    /// パラメータを [`EpsilonNet::params_flat`] の並びから置き換える。失敗したときは何も変えない。
    ///
    /// # Errors
    ///
    /// 長さが違う: [`Error::DimensionMismatch`]。有限でない値: [`Error::NonFinite`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, ndarray::Array1, nn::Activation, Error};
    /// let mut net = EpsilonNet::new(1, &[2], Activation::Relu, TimeEmbedding::new(10, 1)?, &mut seeded_rng(0))?;
    /// net.set_params_flat(&Array1::zeros(11))?;
    /// assert!(net.params_flat().iter().all(|&p| p == 0.0));
    /// assert!(matches!(net.set_params_flat(&Array1::zeros(3)), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_params_flat<'a>(&mut self, params: impl AsArray<'a, f64, Ix1>) -> Result<()> {
        self.net.set_params_flat(params)
    }

    /// 点 `x`（`B × D`）と時刻（1 行に 1 つ）を確かめる。
    pub(super) fn check<'a>(
        &self,
        x: impl AsArray<'a, f64, Ix2>,
        t: &[usize],
    ) -> Result<ArrayView2<'a, f64>> {
        let x: ArrayView2<'a, f64> = x.into();
        self.check_shape(x)?;
        ensure_len(x.nrows(), t.len())?;
        for &s in t {
            self.embedding.check_t(s)?;
        }
        ensure_finite("点 x", x.iter().copied())?;
        Ok(x)
    }

    /// 空でない、幅 `D`、入力 `[x, e(t)]` が大きすぎない。
    fn check_shape(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        if x.nrows() == 0 {
            return Err(Error::EmptyInput);
        }
        ensure_len(self.dim(), x.ncols())?;
        crate::vae::model::ensure_elements(
            "ネットワークの入力 [x, e(t)] の成分の数",
            x.nrows(),
            self.net.n_inputs(),
        )
    }

    /// 形と大きさ（[`Self::check_shape`]）と有限性（時刻は見ない）。
    pub(crate) fn check_points(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        self.check_shape(x)?;
        ensure_finite("点 x", x.iter().copied())
    }

    /// ネットワークの入力 `[x, e(t)]`（`B × (D + 2K)`、1 行に 1 つの時刻）。
    ///
    /// # Errors
    ///
    /// - 行がない: [`Error::EmptyInput`]
    /// - 列の数が `D` でない、時刻の数が行の数でない: [`Error::DimensionMismatch`]
    /// - 時刻が `1..=T` の外: [`Error::InvalidParameter`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - 大きすぎる: [`Error::TooLarge`]（確保しない）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, gaussian::univariate::seeded_rng, ndarray::array, nn::Activation, Error};
    /// let net = EpsilonNet::new(1, &[2], Activation::Relu, TimeEmbedding::new(4, 1)?, &mut seeded_rng(0))?;
    /// let u = net.input(&array![[0.5], [-2.0]], &[2, 4])?;
    /// // ω_1 = π/4: e(2) = (sin π/2, cos π/2)、e(4) = (sin π, cos π)
    /// assert_eq!(u[[0, 0]], 0.5);
    /// assert!((u[[0, 1]] - 1.0).abs() < 1e-15 && u[[0, 2]].abs() < 1e-15);
    /// assert!(u[[1, 1]].abs() < 1e-15 && u[[1, 2]] == -1.0);
    /// assert!(matches!(net.input(&array![[0.5]], &[1, 2]), Err(Error::DimensionMismatch { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn input<'a>(&self, x: impl AsArray<'a, f64, Ix2>, t: &[usize]) -> Result<Array2<f64>> {
        let x = self.check(x, t)?;
        Ok(self.input_unchecked(x, t))
    }

    pub(super) fn input_unchecked(&self, x: ArrayView2<'_, f64>, t: &[usize]) -> Array2<f64> {
        let d = self.dim();
        let mut u = Array2::zeros((x.nrows(), self.net.n_inputs()));
        for ((mut row, xr), &s) in u.rows_mut().into_iter().zip(x.rows()).zip(t) {
            row.slice_axis_mut(Axis(0), Slice::from(..d)).assign(&xr);
            row.slice_axis_mut(Axis(0), Slice::from(d..))
                .assign(&self.embedding.table.row(s - 1));
        }
        u
    }

    /// 予測 `ε_θ(x_b, t_b)`（`B × D`、1 行に 1 つの時刻 `t_b`）。[`SPLIT_ROWS`] 行以上は 2 つのスレッドで求める。
    ///
    /// # Errors
    ///
    /// 入力の誤りは [`EpsilonNet::input`] と同じ。途中のあふれ: [`Error::Overflow`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{diffusion::network::{EpsilonNet, TimeEmbedding}, ndarray::array, nn::{Activation, Dense, Mlp}};
    /// // 1 層の恒等写像 ε_θ = x + 2 e_1(t): 重み (1, 2, 0)、バイアス 0
    /// let mlp = Mlp::from_layers(vec![Dense::new(&array![[1.0], [2.0], [0.0]], &array![0.0])?], Activation::Identity, Activation::Identity)?;
    /// let net = EpsilonNet::from_parts(mlp, genmodel::diffusion::network::TimeEmbedding::new(2, 1)?)?;
    /// let e = net.predict(&array![[0.25]], &[1])?;
    /// // e_1(1) = sin(π/2) = 1
    /// assert!((e[[0, 0]] - 2.25).abs() < 1e-15);
    /// assert!(net.predict(&array![[f64::NAN]], &[1]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn predict<'a>(&self, x: impl AsArray<'a, f64, Ix2>, t: &[usize]) -> Result<Array2<f64>> {
        let x = self.check(x, t)?;
        let n = x.nrows();
        if n < SPLIT_ROWS {
            return self.net.predict(&self.input_unchecked(x, t));
        }
        let half = n / 2;
        let (a, b) = rayon::join(
            || {
                self.net.predict(
                    &self.input_unchecked(x.slice_axis(Axis(0), Slice::from(..half)), &t[..half]),
                )
            },
            || {
                self.net.predict(
                    &self.input_unchecked(x.slice_axis(Axis(0), Slice::from(half..)), &t[half..]),
                )
            },
        );
        let (a, b) = (a?, b?);
        Ok(concatenate![Axis(0), a, b])
    }
}
