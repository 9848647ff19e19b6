//! 相関のある系列（MCMC の出力）の平均の誤差棒: 積分自己相関時間、有効標本数、ビニング、95 % 信頼区間。
//!
//! 定常な系列 `x_1, …, x_n` の平均 `x̄` の分散は、独立な標本の `σ²/n` ではなく
//!
//! `Var(x̄) ≈ 2 τ_int σ² / n`、`τ_int = ½ + Σ_{t≥1} ρ(t)`
//!
//! である（`ρ(t)` は自己相関、`τ_int` は積分自己相関時間）。つまり系列は `n_eff = n / (2τ_int)` 個の独立な標本に相当する
//! （有効標本数）。このモジュールは `τ_int` を 2 通りに推定する。
//!
//! 1. **自動窓の自己相関の和**（[`integrated_time`]、Madras–Sokal 1988）: 標本の自己相関 `ρ̂(t)` を
//!    `τ̂(M) = ½ + Σ_{t=1}^{M} ρ̂(t)` と窓 `M` まで足す。`ρ̂(t)` の雑音は大きな `t` でも減らないので、
//!    全部を足すと分散が `n` によらず残る。そこで `M ≥ c τ̂(M)` となる最小の `M` で打ち切る（自己無撞着な窓）。
//!    窓の定数は `c = 6`（[`WINDOW_FACTOR`]）とする。`ρ(t) ≈ e^{−t/τ}` なら打ち切りの偏りは
//!    `Σ_{t>M} ρ(t) ≈ τ e^{−c} ≈ 0.25 % · τ` で、`τ̂` の統計誤差 `√(2(2M+1)/n) τ ≈ √(4cτ/n) τ`（Sokal）が
//!    `n = 10⁴ τ` でも 5 % あるのに比べて十分小さい。`c = 5`（emcee の既定）では偏りが 0.7 %、
//!    `c = 10` では統計誤差が 1.3 倍になる。ただし、重みの小さい遅いモードがあって `τ_exp ≫ τ_int` のとき
//!    （強く結合したモデルのエネルギーなど）は、窓の外に残る裾が大きくなり、`τ̂` は数 % 小さめに出る
//!    （`crates/genmodel/tests/mcmc.rs` の例では `τ_exp ≈ 10 τ_int` で 4.5 %）。
//! 2. **ビニング（バッチ平均）**（[`binning`]）: 隣り合う 2 つを平均して長さを半分にすることをくり返し、
//!    ビンの大きさ `B = 1, 2, 4, …` ごとにビン平均の標準誤差 `SE(B) = √(s_B² / n_B)` を求める。
//!    `B ≫ τ_int` でビン平均がほぼ独立になると `SE(B)` は真の標準誤差に近づき、頭打ちになる。
//!    `B` は Lee ら（2011）・Wolff（2004）の基準 `B³ > 2n (SE(B)/SE(1))⁴` を満たす最小の `B` とする
//!    （偏り `∝ τ/B` と統計誤差 `∝ √(B/n)` のつり合い。`(SE(B)/SE(1))² ≈ 2τ_int` なので `B ≈ (8nτ²)^{1/3}`）。
//!
//! 信頼区間は正規近似 `x̄ ± 1.96 · SE`（[`Z_95`]）。系列が `50 τ_int` より短い、ビンが 32 個より少ない、
//! といった推定が信用できない場合は値を返さず [`Error::TooFewSamples`] を返す。
//!
//! # 大きさと精度の上限
//!
//! | 上限 | 値 | 超えたとき |
//! |---|---|---|
//! | 系列の長さの下限 [`MIN_SERIES_LEN`]、かつ `n ≥ 50 τ̂_int`（[`MIN_LENGTH_IN_TAU`]） | 25 | [`Error::TooFewSamples`] |
//! | ビンの数の下限 [`MIN_BINS`] | 32 | [`Error::TooFewSamples`] |
//! | 自己相関を求める系列の長さ [`MAX_SERIES_LEN`]（FFT の作業領域） | `2^22` | [`Error::TooLarge`] |
//! | ビニング・素朴な推定の系列の長さ [`MAX_SAMPLES`] | `2^28` | [`Error::TooLarge`] |
//! | 非有限の値 | — | [`Error::NonFinite`] |
//! | 定数の系列（分散 0） | — | [`Error::InvalidParameter`] |

use crate::error::{Error, Result};
use crate::prec::MAX_SAMPLES;
use ndarray::{Array1, ArrayView1, AsArray, Ix1};

/// Sokal の自己無撞着な窓 `M ≥ c τ̂_int(M)` の定数 `c`。
///
/// `ρ(t) ≈ e^{−t/τ}` のとき、打ち切りの偏りは相対 `e^{−c}`（`c = 6` で 0.25 %）、
/// `τ̂_int` の統計誤差は相対 `√(2(2M+1)/n) ≈ √(4c τ/n)` である。`c = 6` は、Sokal が
/// 指数的に減衰する自己相関に勧める `4–6` の上端で、偏りを統計誤差より十分小さくする。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::mcmc::stats::WINDOW_FACTOR, 6.0);
/// ```
pub const WINDOW_FACTOR: f64 = 6.0;

/// `τ_int` を信用するのに求める系列の長さ `n ≥ 50 τ̂_int`（emcee と同じ基準）。
///
/// `n = 50 τ` では `τ̂` の相対誤差が `√(4c/50) ≈ 0.7`（標準誤差では約 0.35）にもなるので、
/// これは「これより短ければ推定が意味を持たない」という最低限の条件である。
/// 実際の相対誤差は [`IntegratedTime::relative_error`] で報告する。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::mcmc::stats::MIN_LENGTH_IN_TAU, 50.0);
/// ```
pub const MIN_LENGTH_IN_TAU: f64 = 50.0;

/// 自己相関時間を推定する系列の長さの下限 `25 = 50 × ½`（独立な系列 `τ_int = ½` に [`MIN_LENGTH_IN_TAU`] を当てたもの）。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::{MIN_LENGTH_IN_TAU, MIN_SERIES_LEN};
/// assert_eq!(MIN_SERIES_LEN as f64, MIN_LENGTH_IN_TAU * 0.5);
/// ```
pub const MIN_SERIES_LEN: usize = 25;

/// ビニングで使うビンの数の下限。
///
/// ビン平均の標準誤差の相対誤差は `1/√(2(n_B − 1))` で、`n_B = 32` なら約 13 %。
/// 正規近似の `1.96` と自由度 31 の t 分布の `2.04` の違い（4 %）もこの程度に収まる。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::mcmc::stats::MIN_BINS, 32);
/// ```
pub const MIN_BINS: usize = 32;

/// 自己相関（FFT）を求める系列の長さの上限 `2^22`。
///
/// 長さ `n` の系列は `2n` 以上の 2 の冪 `L` に 0 を詰めて FFT するので、作業領域は
/// 複素数 `L` 個と回転因子 `L/2` 個（`n = 2^22` で `L = 2^23`、192 MiB）である。
/// これより長い系列は、[`binning`] で隣り合う値を平均してから（単位をビンにして）渡す。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::mcmc::stats::MAX_SERIES_LEN, 1 << 22);
/// ```
pub const MAX_SERIES_LEN: usize = 1 << 22;

/// 標準正規分布の 97.5 % 点 `Φ^{−1}(0.975)`。95 % 信頼区間は `平均 ± Z_95 · 標準誤差`。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::Z_95;
/// assert!((Z_95 - 1.96).abs() < 1e-3);
/// ```
pub const Z_95: f64 = 1.959_963_984_540_054;

/// 検査済みの系列: 平均と、中心化して `[−1, 1]` に縮めた値 `y_i = (x_i − x̄) / scale`。
///
/// 縮めておくと、`1e200` のような大きな値でも 2 乗和があふれない。
struct Centered {
    mean: f64,
    scale: f64,
    y: Vec<f64>,
}

fn zero_variance() -> Error {
    Error::InvalidParameter {
        name: "系列の分散",
        value: 0.0,
        requirement: "正（定数の系列には自己相関も誤差棒も定義できない）",
    }
}

fn center(x: ArrayView1<'_, f64>, min_len: usize, max_len: usize) -> Result<Centered> {
    let n = x.len();
    if n < min_len {
        return Err(Error::TooFewSamples {
            needed: min_len,
            actual: n,
        });
    }
    if n > max_len {
        return Err(Error::TooLarge {
            what: "系列の長さ",
            requested: n,
            max: max_len,
        });
    }
    if let Some(index) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "系列",
            index,
        });
    }
    let first = x[0];
    if x.iter().all(|&v| v == first) {
        return Err(zero_variance());
    }
    // 和があふれる（1e308 に近い値）ときだけ、各項を先に n で割って足す
    let nf = n as f64;
    let sum: f64 = x.iter().sum();
    let mean = if sum.is_finite() {
        sum / nf
    } else {
        x.iter().map(|v| v / nf).sum()
    };
    let scale = x.iter().map(|v| (v - mean).abs()).fold(0.0, f64::max);
    if !scale.is_finite() {
        return Err(Error::Overflow {
            what: "系列の平均からのずれ",
        });
    }
    if scale == 0.0 {
        return Err(zero_variance());
    }
    Ok(Centered {
        mean,
        scale,
        y: x.iter().map(|v| (v - mean) / scale).collect(),
    })
}

/// その場の基数 2 の FFT（`re.len()` は 2 以上の 2 の冪）。回転因子は `e^{−2πik/L}` を表にして使う。
fn fft(re: &mut [f64], im: &mut [f64]) {
    let l = re.len();
    let bits = l.trailing_zeros();
    for i in 0..l {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let (cos, sin): (Vec<f64>, Vec<f64>) = (0..l / 2)
        .map(|k| {
            let a = -2.0 * std::f64::consts::PI * k as f64 / l as f64;
            (a.cos(), a.sin())
        })
        .unzip();
    let mut len = 2;
    while len <= l {
        let half = len / 2;
        let step = l / len;
        for start in (0..l).step_by(len) {
            for k in 0..half {
                let (wr, wi) = (cos[k * step], sin[k * step]);
                let (a, b) = (start + k, start + k + half);
                let xr = re[b] * wr - im[b] * wi;
                let xi = re[b] * wi + im[b] * wr;
                re[b] = re[a] - xr;
                im[b] = im[a] - xi;
                re[a] += xr;
                im[a] += xi;
            }
        }
        len *= 2;
    }
}

/// 中心化した系列 `y` の自己共分散 `Ĉ(t) = (1/n) Σ_{i=0}^{n−1−t} y_i y_{i+t}`（`t = 0, …, n−1`）を FFT で求める。
///
/// `2n` 以上に 0 を詰めると巡回相関が線形の相関に一致する（`O(n log n)`）。`|Y|²` は実で偶なので、
/// 逆変換は順変換を `L` で割ったものに等しい。
fn autocovariance(y: &[f64]) -> Vec<f64> {
    let n = y.len();
    let l = (2 * n).next_power_of_two().max(2);
    let mut re = vec![0.0; l];
    let mut im = vec![0.0; l];
    re[..n].copy_from_slice(y);
    fft(&mut re, &mut im);
    for (r, i) in re.iter_mut().zip(im.iter_mut()) {
        *r = *r * *r + *i * *i;
        *i = 0.0;
    }
    fft(&mut re, &mut im);
    let norm = (l * n) as f64;
    re.truncate(n);
    re.iter_mut().for_each(|v| *v /= norm);
    re
}

/// 自己共分散を定義どおりの和で求めるずれの上限。これより先は FFT で全部のずれをまとめて求める。
///
/// 定義どおりの和はずれ 1 つあたり `n` 回の積和、FFT は全部のずれで `2n–4n` 個の点の変換 2 回
/// （`n log₂ n` の数十倍の演算）なので、`τ_int` が数掃引の普通の場合（窓 `M ≈ 6τ` が数十）は
/// 定義どおりの和の方が安い。窓が 64 を超えたときだけ FFT に切り替える（無駄は高々 `64 n` 回の積和）。
const DIRECT_MAX_LAG: usize = 64;

/// 中心化した系列の自己共分散 `Ĉ(t)` を、必要なずれの分だけ求める（[`DIRECT_MAX_LAG`] までは定義どおり、その先は FFT）。
struct AutoCovariance<'a> {
    y: &'a [f64],
    fft: Option<Vec<f64>>,
}

impl<'a> AutoCovariance<'a> {
    fn new(y: &'a [f64]) -> Self {
        Self { y, fft: None }
    }

    fn get(&mut self, t: usize) -> f64 {
        let y = self.y;
        let n = y.len();
        if t <= DIRECT_MAX_LAG {
            // 添字の素朴なループ（デバッグビルドでも速い）
            let (a, b) = (&y[..n - t], &y[t..]);
            let mut sum = 0.0;
            for i in 0..a.len() {
                sum += a[i] * b[i];
            }
            sum / n as f64
        } else {
            self.fft.get_or_insert_with(|| autocovariance(y))[t]
        }
    }
}

/// 標本の自己相関 `ρ̂(t) = Ĉ(t) / Ĉ(0)`（`t = 0, …, max_lag`、`Ĉ(t) = (1/n) Σ_{i} (x_i − x̄)(x_{i+t} − x̄)`）。
///
/// 分母を `n − t` でなく `n` にする（正定値で、大きな `t` での雑音が小さい）標準的な推定量である。
/// ずれ 64 までは定義どおりの和、その先は FFT で求める（全部で `O(n log n)`）。
///
/// # Errors
///
/// - `n < 2` または `max_lag ≥ n`: [`Error::TooFewSamples`]
/// - `n > MAX_SERIES_LEN`: [`Error::TooLarge`]
/// - 非有限の値: [`Error::NonFinite`]、定数の系列: [`Error::InvalidParameter`]
/// - 平均からのずれが `f64` の範囲を超える（`±f64::MAX` が混じる系列など）: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::autocorrelation;
///
/// // 交互の系列は ρ̂(1) ≈ −1
/// let x: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
/// let rho = autocorrelation(&x, 2)?;
/// assert_eq!(rho[0], 1.0);
/// assert!((rho[1] + 0.99).abs() < 1e-12);
/// assert!(autocorrelation(&x, 100).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn autocorrelation<'a>(x: impl AsArray<'a, f64, Ix1>, max_lag: usize) -> Result<Array1<f64>> {
    let x: ArrayView1<'a, f64> = x.into();
    let c = center(x, 2, MAX_SERIES_LEN)?;
    if max_lag >= x.len() {
        return Err(Error::TooFewSamples {
            needed: max_lag.saturating_add(1),
            actual: x.len(),
        });
    }
    let mut acov = AutoCovariance::new(&c.y);
    let c0 = acov.get(0);
    Ok((0..=max_lag)
        .map(|t| if t == 0 { 1.0 } else { acov.get(t) / c0 })
        .collect())
}

/// 平均の推定値と標準誤差。95 % 信頼区間 `mean ± Z_95 · std_error` を返す。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::naive_mean_estimate;
///
/// let e = naive_mean_estimate(&[1.0, 2.0, 3.0, 4.0])?;
/// assert_eq!(e.mean(), 2.5);
/// let (lo, hi) = e.confidence_interval_95();
/// assert!(lo < 2.5 && 2.5 < hi);
/// assert!(e.covers(2.5) && !e.covers(100.0));
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanEstimate {
    mean: f64,
    std_error: f64,
}

impl MeanEstimate {
    /// 標本平均 `x̄`。
    ///
    /// # Examples
    ///
    /// ```
    /// let e = genmodel::mcmc::stats::naive_mean_estimate(&[0.0, 1.0])?;
    /// assert_eq!(e.mean(), 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// 平均の標準誤差（`√Var(x̄)` の推定値）。
    ///
    /// # Examples
    ///
    /// ```
    /// // 独立とみなす推定: s / √n、s² = Σ(x − x̄)²/(n − 1) = 0.5
    /// let e = genmodel::mcmc::stats::naive_mean_estimate(&[0.0, 1.0])?;
    /// assert!((e.std_error() - 0.5).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn std_error(&self) -> f64 {
        self.std_error
    }

    /// 95 % 信頼区間 `(x̄ − Z_95 SE, x̄ + Z_95 SE)`（正規近似）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::mcmc::stats::{naive_mean_estimate, Z_95};
    ///
    /// let e = naive_mean_estimate(&[0.0, 1.0])?;
    /// let (lo, hi) = e.confidence_interval_95();
    /// assert!((hi - lo - 2.0 * Z_95 * e.std_error()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn confidence_interval_95(&self) -> (f64, f64) {
        let half = Z_95 * self.std_error;
        (self.mean - half, self.mean + half)
    }

    /// `value` が 95 % 信頼区間に入るか（端を含む）。
    ///
    /// # Examples
    ///
    /// ```
    /// let e = genmodel::mcmc::stats::naive_mean_estimate(&[0.0, 1.0])?;
    /// assert!(e.covers(0.0) && !e.covers(2.0));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn covers(&self, value: f64) -> bool {
        let (lo, hi) = self.confidence_interval_95();
        lo <= value && value <= hi
    }
}

/// 自動窓で推定した積分自己相関時間 [`integrated_time`] の結果。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::integrated_time;
/// use rand::{Rng, SeedableRng};
///
/// // 独立な一様乱数: τ_int ≈ 1/2、有効標本数 ≈ n
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let x: Vec<f64> = (0..10_000).map(|_| rng.random::<f64>()).collect();
/// let t = integrated_time(&x)?;
/// assert!((t.tau() - 0.5).abs() < 4.0 * t.relative_error() * 0.5);
/// assert!((t.effective_sample_size() / 10_000.0 - 1.0).abs() < 0.2);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntegratedTime {
    tau: f64,
    window: usize,
    len: usize,
    mean: f64,
    variance: f64,
    /// 平均からのずれの最大 `scale` と、縮めた系列の分散 `Ĉ(0) / scale²`（標準誤差を `Ĉ(0)` を経ずに求める）。
    scale: f64,
    unit_variance: f64,
}

impl IntegratedTime {
    /// 積分自己相関時間の推定値 `τ̂_int = ½ + Σ_{t=1}^{M} ρ̂(t)`（単位は系列の 1 歩。MCMC では掃引）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::mcmc::stats::integrated_time;
    ///
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let t = integrated_time(&x)?;
    /// assert!((t.tau() - 2.0).abs() < 4.0 * t.relative_error() * 2.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn tau(&self) -> f64 {
        self.tau
    }

    /// 自己無撞着な窓 `M`（`M ≥ c τ̂(M)` を満たす最小の `M`、`c` = [`WINDOW_FACTOR`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::mcmc::stats::{integrated_time, WINDOW_FACTOR};
    ///
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let t = integrated_time(&x)?;
    /// assert!(t.window() as f64 >= WINDOW_FACTOR * t.tau());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn window(&self) -> usize {
        self.window
    }

    /// 系列の長さ `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// assert_eq!(genmodel::mcmc::stats::integrated_time(&x)?.len(), 4000);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// 常に `false`（空の系列からは推定できないので、この型の値は空でない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// assert!(!genmodel::mcmc::stats::integrated_time(&x)?.is_empty());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// 標本平均 `x̄`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let t = genmodel::mcmc::stats::integrated_time(&x)?;
    /// assert!((t.mean() - x.iter().sum::<f64>() / 4000.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// 標本分散 `Ĉ(0) = (1/n) Σ (x_i − x̄)²`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// // 一様分布の分散は 1/12
    /// assert!((genmodel::mcmc::stats::integrated_time(&x)?.variance() - 1.0 / 12.0).abs() < 0.01);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// 有効標本数 `n_eff = n / (2 τ̂_int)`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let t = genmodel::mcmc::stats::integrated_time(&x)?;
    /// assert!((t.effective_sample_size() - 4000.0 / (2.0 * t.tau())).abs() < 1e-9);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn effective_sample_size(&self) -> f64 {
        self.len as f64 / (2.0 * self.tau)
    }

    /// `τ̂_int` の相対的な統計誤差の目安 `√(2(2M + 1)/n)`（Sokal の漸近式）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let t = genmodel::mcmc::stats::integrated_time(&x)?;
    /// let want = (2.0 * (2.0 * t.window() as f64 + 1.0) / 4000.0).sqrt();
    /// assert!((t.relative_error() - want).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn relative_error(&self) -> f64 {
        (2.0 * (2.0 * self.window as f64 + 1.0) / self.len as f64).sqrt()
    }

    /// 平均の標準誤差 `√(2 τ̂_int Ĉ(0) / n)` と 95 % 信頼区間。
    ///
    /// `2 τ̂_int Ĉ(0) / n` が正規化数の範囲から落ちる系列（値の揺れが `1e-154` 程度より小さい）では、縮めた系列の分散から
    /// `scale · √(2 τ̂_int (Ĉ(0)/scale²) / n)` として求めるので、`Ĉ(0)` が 0 に落ちても標準誤差は 0 にならない。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let t = genmodel::mcmc::stats::integrated_time(&x)?;
    /// let e = t.estimate();
    /// assert!((e.std_error() - (2.0 * t.tau() * t.variance() / 4000.0).sqrt()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn estimate(&self) -> MeanEstimate {
        let q = 2.0 * self.tau * self.variance / self.len as f64;
        MeanEstimate {
            mean: self.mean,
            std_error: if q.is_normal() {
                q.sqrt()
            } else {
                self.scale * (2.0 * self.tau * self.unit_variance / self.len as f64).sqrt()
            },
        }
    }
}

/// 自動窓（Madras–Sokal、`c` = [`WINDOW_FACTOR`]）で積分自己相関時間 `τ_int` を推定する。
///
/// 1. 標本の自己相関 `ρ̂(t)` を求める（[`autocorrelation`]。ずれ 64 までは定義どおりの和、その先は FFT）。
/// 2. `τ̂(M) = ½ + Σ_{t=1}^{M} ρ̂(t)` を `M = 1, 2, …` と伸ばし、`M ≥ c τ̂(M)` となった最初の `M` で止める。
/// 3. `n ≥ 50 τ̂`（[`MIN_LENGTH_IN_TAU`]）を確かめる。短ければ推定が信用できないので値を返さない。
///
/// # Errors
///
/// - `n < MIN_SERIES_LEN`、窓が系列の中に見つからない、`n < 50 τ̂`: [`Error::TooFewSamples`]
///   （`needed` はその推定値から見積もった必要な長さ）
/// - `n > MAX_SERIES_LEN`: [`Error::TooLarge`]
/// - 非有限の値: [`Error::NonFinite`]
/// - 定数の系列（分散 0）、`τ̂ ≤ 0`（周期的に振動する系列）: [`Error::InvalidParameter`]
/// - 分散が `f64` の範囲を超える: [`Error::Overflow`]
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::stats::integrated_time, Error};
/// use rand::{Rng, SeedableRng};
///
/// // AR(1) 過程 x_t = a x_{t−1} + ε_t: τ_int = (1 + a)/(2(1 − a)) = 4.5（a = 0.8）
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut x = vec![0.0f64; 100_000];
/// for t in 1..x.len() {
///     x[t] = 0.8 * x[t - 1] + (rng.random::<f64>() - 0.5);
/// }
/// let t = integrated_time(&x)?;
/// assert!((t.tau() - 4.5).abs() < 4.0 * t.relative_error() * 4.5);
/// // 短すぎる系列・定数の系列・NaN は誤り
/// assert!(matches!(integrated_time(&x[..10]), Err(Error::TooFewSamples { .. })));
/// assert!(matches!(integrated_time(&[1.0; 100]), Err(Error::InvalidParameter { .. })));
/// let mut y = x[..100].to_vec();
/// y[3] = f64::NAN;
/// assert_eq!(integrated_time(&y), Err(Error::NonFinite { what: "系列", index: 3 }));
/// # Ok::<(), Error>(())
/// ```
pub fn integrated_time<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<IntegratedTime> {
    let x: ArrayView1<'a, f64> = x.into();
    let c = center(x, MIN_SERIES_LEN, MAX_SERIES_LEN)?;
    let n = c.y.len();
    let mut acov = AutoCovariance::new(&c.y);
    let c0 = acov.get(0);
    let mut tau = 0.5;
    let mut window = None;
    for m in 1..n {
        tau += acov.get(m) / c0;
        if m as f64 >= WINDOW_FACTOR * tau {
            window = Some(m);
            break;
        }
    }
    let Some(window) = window else {
        // 窓がない: τ̂(M) > M/c が M = n − 1 まで続いた。τ > (n − 1)/c なので 50τ 以上の長さが要る
        return Err(Error::TooFewSamples {
            needed: needed_len(MIN_LENGTH_IN_TAU * (n - 1) as f64 / WINDOW_FACTOR, n),
            actual: n,
        });
    };
    if tau <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "τ_int の推定値",
            value: tau,
            requirement: "正（周期的に振動する系列では平均の分散が推定できない）",
        });
    }
    let need = MIN_LENGTH_IN_TAU * tau.max(0.5);
    if (n as f64) < need {
        return Err(Error::TooFewSamples {
            needed: needed_len(need, n),
            actual: n,
        });
    }
    let variance = c0 * c.scale * c.scale;
    if !variance.is_finite() {
        return Err(Error::Overflow {
            what: "系列の分散"
        });
    }
    Ok(IntegratedTime {
        tau,
        window,
        len: n,
        mean: c.mean,
        variance,
        scale: c.scale,
        unit_variance: c0,
    })
}

/// 見積もった必要な長さ `need` を、今の長さ `n` より大きい整数に丸める。
fn needed_len(need: f64, n: usize) -> usize {
    let up = need.ceil();
    let as_usize = if up >= usize::MAX as f64 {
        usize::MAX
    } else {
        up as usize
    };
    as_usize.max(n.saturating_add(1))
}

/// 有効標本数 `n / (2 τ̂_int)`（[`integrated_time`] の [`IntegratedTime::effective_sample_size`]）。
///
/// # Errors
///
/// [`integrated_time`] と同じ。
///
/// # Examples
///
/// ```
/// use rand::{Rng, SeedableRng};
/// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
/// let n_eff = genmodel::mcmc::stats::effective_sample_size(&x)?;
/// assert!(n_eff < 0.5 * 4000.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn effective_sample_size<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<f64> {
    Ok(integrated_time(x)?.effective_sample_size())
}

/// 積分自己相関時間を考えた平均の推定 `x̄ ± Z_95 √(2 τ̂_int Ĉ(0) / n)`（[`integrated_time`] による）。
///
/// # Errors
///
/// [`integrated_time`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::{mean_estimate, naive_mean_estimate};
///
/// // 正の相関がある系列では、独立とみなす誤差棒は小さすぎる
/// use rand::{Rng, SeedableRng};
/// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let x: Vec<f64> = (0..1000).flat_map(|_| [rng.random::<f64>(); 4]).collect();
/// // 比は √(2τ_int) = 2 の程度
/// assert!(mean_estimate(&x)?.std_error() > 1.5 * naive_mean_estimate(&x)?.std_error());
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn mean_estimate<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<MeanEstimate> {
    Ok(integrated_time(x)?.estimate())
}

/// 値を独立とみなした（相関を無視した）平均の推定 `x̄ ± Z_95 s/√n`、`s² = Σ(x_i − x̄)²/(n − 1)`。
///
/// MCMC の出力に使うと、正の自己相関があるとき誤差棒を `√(2τ_int)` 倍だけ小さく見積もる。比べるためにだけ置く。
///
/// # Errors
///
/// `n < 2`: [`Error::TooFewSamples`]、`n > MAX_SAMPLES`: [`Error::TooLarge`]、
/// 非有限: [`Error::NonFinite`]、定数の系列: [`Error::InvalidParameter`]、
/// 平均からのずれか標準誤差が `f64` の範囲を超える: [`Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::stats::naive_mean_estimate, Error};
///
/// assert!((naive_mean_estimate(&[1.0, 3.0])?.std_error() - 1.0).abs() < 1e-15);
/// assert_eq!(naive_mean_estimate(&[1.0]), Err(Error::TooFewSamples { needed: 2, actual: 1 }));
/// # Ok::<(), Error>(())
/// ```
pub fn naive_mean_estimate<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<MeanEstimate> {
    let x: ArrayView1<'a, f64> = x.into();
    let c = center(x, 2, MAX_SAMPLES)?;
    let n = c.y.len() as f64;
    let s2 = c.y.iter().map(|v| v * v).sum::<f64>() / (n - 1.0);
    let std_error = c.scale * (s2 / n).sqrt();
    if !std_error.is_finite() {
        return Err(Error::Overflow {
            what: "平均の標準誤差",
        });
    }
    Ok(MeanEstimate {
        mean: c.mean,
        std_error,
    })
}

/// ビニングの 1 段: ビンの大きさ `B`、ビンの数 `n_B = ⌊n / B⌋`、ビン平均の標準誤差 `SE(B) = √(s_B² / n_B)`。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::binning_levels;
///
/// let x: Vec<f64> = (0..256).map(|i| (i % 3) as f64).collect();
/// let levels = binning_levels(&x)?;
/// assert_eq!(levels[0].bin_size(), 1);
/// assert_eq!(levels[1].n_bins(), 128);
/// assert!(levels[0].std_error() > 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinLevel {
    bin_size: usize,
    n_bins: usize,
    std_error: f64,
}

impl BinLevel {
    /// ビンの大きさ `B`（2 の冪）。
    ///
    /// # Examples
    ///
    /// ```
    /// let x: Vec<f64> = (0..64).map(|i| (i % 3) as f64).collect();
    /// assert_eq!(genmodel::mcmc::stats::binning_levels(&x)?[1].bin_size(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn bin_size(&self) -> usize {
        self.bin_size
    }

    /// ビンの数 `n_B`（余りの値は捨てる）。
    ///
    /// # Examples
    ///
    /// ```
    /// let x: Vec<f64> = (0..65).map(|i| (i % 3) as f64).collect();
    /// assert_eq!(genmodel::mcmc::stats::binning_levels(&x)?[1].n_bins(), 32);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// ビン平均の標準誤差 `SE(B) = √(s_B² / n_B)`、`s_B² = Σ_b (m_b − m̄)² / (n_B − 1)`。
    ///
    /// # Examples
    ///
    /// ```
    /// let x: Vec<f64> = (0..64).map(|i| (i % 2) as f64).collect();
    /// let levels = genmodel::mcmc::stats::binning_levels(&x)?;
    /// // 交互の 0, 1 を 2 つずつ平均すると全部 0.5 になる
    /// assert_eq!(levels[1].std_error(), 0.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn std_error(&self) -> f64 {
        self.std_error
    }
}

/// ビンの大きさを倍々にしたビニングの全段（ビンの数が [`MIN_BINS`] 以上の段だけ）。
///
/// 第 0 段は元の系列（`B = 1`）、第 `j + 1` 段は第 `j` 段の隣り合う 2 つの平均（奇数個なら最後の 1 つを捨てる）。
///
/// # Errors
///
/// `n < MIN_BINS`: [`Error::TooFewSamples`]、`n > MAX_SAMPLES`: [`Error::TooLarge`]、
/// 非有限: [`Error::NonFinite`]、定数の系列: [`Error::InvalidParameter`]、標準誤差があふれる: [`Error::Overflow`]。
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::stats::binning_levels, Error};
///
/// let x: Vec<f64> = (0..1000).map(|i| (i % 7) as f64).collect();
/// let levels = binning_levels(&x)?;
/// // 1000 → 500 → 250 → 125 → 62 → 31（< 32 なので含めない）
/// assert_eq!(levels.len(), 5);
/// assert!(matches!(binning_levels(&x[..10]), Err(Error::TooFewSamples { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn binning_levels<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<Vec<BinLevel>> {
    let x: ArrayView1<'a, f64> = x.into();
    Ok(binning_levels_centered(&center(x, MIN_BINS, MAX_SAMPLES)?)?.0)
}

fn binning_levels_centered(c: &Centered) -> Result<(Vec<BinLevel>, f64)> {
    let mut levels = Vec::new();
    let mut cur = c.y.clone();
    let mut bin_size = 1usize;
    while cur.len() >= MIN_BINS {
        let nb = cur.len() as f64;
        let m = cur.iter().sum::<f64>() / nb;
        let s2 = cur.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (nb - 1.0);
        let std_error = c.scale * (s2 / nb).sqrt();
        if !std_error.is_finite() {
            return Err(Error::Overflow {
                what: "ビン平均の標準誤差",
            });
        }
        levels.push(BinLevel {
            bin_size,
            n_bins: cur.len(),
            std_error,
        });
        cur = cur.chunks_exact(2).map(|p| 0.5 * (p[0] + p[1])).collect();
        bin_size *= 2;
    }
    Ok((levels, c.mean))
}

/// ビニング（バッチ平均）による平均の標準誤差 [`binning`] の結果。
///
/// # Examples
///
/// ```
/// use genmodel::mcmc::stats::binning;
/// use rand::{Rng, SeedableRng};
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
/// let x: Vec<f64> = (0..4096).map(|_| rng.random::<f64>()).collect();
/// let b = binning(&x)?;
/// // 独立な系列では SE(B) は B によらず σ/√n ≈ 0.289/64
/// assert!((b.std_error() / (0.2887 / 64.0) - 1.0).abs() < 0.5);
/// assert!(b.chosen().n_bins() >= 32);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Binning {
    mean: f64,
    len: usize,
    levels: Vec<BinLevel>,
    chosen: usize,
}

impl Binning {
    /// 全段（[`binning_levels`] と同じ）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let b = genmodel::mcmc::stats::binning(&x)?;
    /// assert_eq!(b.levels()[0].bin_size(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn levels(&self) -> &[BinLevel] {
        &self.levels
    }

    /// 選んだ段: `B³ > 2n (SE(B)/SE(1))⁴` を満たす最小の `B`（Lee ら 2011、Wolff 2004）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let b = genmodel::mcmc::stats::binning(&x)?;
    /// let l = b.chosen();
    /// let r = l.std_error() / b.levels()[0].std_error();
    /// assert!((l.bin_size() as f64).powi(3) > 2.0 * 4096.0 * r.powi(4));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn chosen(&self) -> &BinLevel {
        &self.levels[self.chosen]
    }

    /// 標本平均 `x̄`（系列全体の平均。ビニングで捨てた余りも含む）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let b = genmodel::mcmc::stats::binning(&x)?;
    /// assert!((b.mean() - x.iter().sum::<f64>() / 4096.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// 選んだ段の標準誤差 `SE(B)`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let b = genmodel::mcmc::stats::binning(&x)?;
    /// assert_eq!(b.std_error(), b.chosen().std_error());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn std_error(&self) -> f64 {
        self.chosen().std_error
    }

    /// ビニングから読んだ積分自己相関時間 `τ_int ≈ ½ (SE(B)/SE(1))²`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let b = genmodel::mcmc::stats::binning(&x)?;
    /// assert!(b.integrated_time() > 1.0 && b.integrated_time() < 3.0);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn integrated_time(&self) -> f64 {
        let r = self.std_error() / self.levels[0].std_error;
        0.5 * r * r
    }

    /// 平均と選んだ段の標準誤差（95 % 信頼区間は正規近似）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// let b = genmodel::mcmc::stats::binning(&x)?;
    /// assert!(b.estimate().covers(0.5));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn estimate(&self) -> MeanEstimate {
        MeanEstimate {
            mean: self.mean,
            std_error: self.std_error(),
        }
    }

    /// 系列の長さ `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// assert_eq!(genmodel::mcmc::stats::binning(&x)?.len(), 4096);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// 常に `false`（空の系列からは作れない）。
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::{Rng, SeedableRng};
    /// // 独立な一様乱数を 4 回ずつくり返した系列（τ_int = 4/2 = 2）
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let x: Vec<f64> = (0..1024).flat_map(|_| [rng.random::<f64>(); 4]).collect();
    /// assert!(!genmodel::mcmc::stats::binning(&x)?.is_empty());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// ビニング（バッチ平均）による平均の標準誤差。ビンの大きさを倍々にし（[`binning_levels`]）、
/// `B³ > 2n (SE(B)/SE(1))⁴` を満たす最小の段を選ぶ（Lee, Conduit, Nemec, López Ríos, Drummond 2011; Wolff 2004）。
///
/// 基準の意味: ビン平均の相関が残す偏りは相対 `≈ τ/B`、`SE(B)` の統計誤差は相対 `≈ √(B/(2n))` で、
/// 両者の 2 乗が釣り合うのが `B³ ≈ 2n τ²·(定数)` である。`(SE(B)/SE(1))² ≈ 2τ_int` を代入した形が上の不等式。
///
/// # Errors
///
/// - [`binning_levels`] の誤り
/// - どの段も基準を満たさない（ビンが [`MIN_BINS`] 個以上の段が足りない）: [`Error::TooFewSamples`]。
///   `needed` は最後の段の `r = (SE(B)/SE(1))²` から見積もった `4 · MIN_BINS^{3/2} · r`（今の長さより大きい値）
/// - 選んだ段の標準誤差が 0（周期がビンの大きさを割り切る周期的な系列など）: [`Error::InvalidParameter`]
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::stats::{binning, integrated_time}, Error};
/// use rand::{Rng, SeedableRng};
///
/// // AR(1) 過程（a = 0.8、τ_int = 4.5）: ビニングの τ と自動窓の τ はおおむね一致する
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
/// let mut x = vec![0.0f64; 100_000];
/// for t in 1..x.len() {
///     x[t] = 0.8 * x[t - 1] + (rng.random::<f64>() - 0.5);
/// }
/// let b = binning(&x)?;
/// assert!((b.integrated_time() / 4.5 - 1.0).abs() < 0.25);
/// assert!((b.std_error() / integrated_time(&x)?.estimate().std_error() - 1.0).abs() < 0.25);
/// // 短い系列では基準を満たす段がない
/// assert!(matches!(binning(&x[..100]), Err(Error::TooFewSamples { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn binning<'a>(x: impl AsArray<'a, f64, Ix1>) -> Result<Binning> {
    let x: ArrayView1<'a, f64> = x.into();
    let c = center(x, MIN_BINS, MAX_SAMPLES)?;
    let n = c.y.len();
    let (levels, mean) = binning_levels_centered(&c)?;
    let se1 = levels[0].std_error;
    let nf = n as f64;
    let chosen = levels.iter().position(|l| {
        let r = l.std_error / se1;
        (l.bin_size as f64).powi(3) > 2.0 * nf * r.powi(4)
    });
    let Some(chosen) = chosen else {
        let last = levels[levels.len() - 1].std_error / se1;
        let r = last * last;
        return Err(Error::TooFewSamples {
            needed: needed_len(4.0 * (MIN_BINS as f64).powf(1.5) * r, n),
            actual: n,
        });
    };
    if levels[chosen].std_error <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "ビン平均の標準誤差",
            value: levels[chosen].std_error,
            requirement: "正（ビン平均がすべて等しい周期的な系列では誤差棒が推定できない）",
        });
    }
    Ok(Binning {
        mean,
        len: n,
        levels,
        chosen,
    })
}
