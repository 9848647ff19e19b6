//! 制限ボルツマンマシン（RBM、第 4 章の準備）: 可視層 `v ∈ {0, 1}^{N_v}` と隠れ層 `h ∈ {0, 1}^{N_h}` を
//! 層の間だけで結んだボルツマンマシン。
//!
//! パラメータは重み `W`（`N_v × N_h`）、可視バイアス `b`（長さ `N_v`）、隠れバイアス `c`（長さ `N_h`）で、
//!
//! - エネルギー: `E(v, h) = −bᵀv − cᵀh − vᵀWh`
//! - 同時分布: `q(v, h) = exp(−E(v, h)) / Z`、`Z = Σ_{v,h} exp(−E(v, h))`
//! - 自由エネルギー: `F(v) = −ln Σ_h exp(−E(v, h)) = −bᵀv − Σ_j softplus(c_j + (Wᵀv)_j)`、`q(v) = exp(−F(v)) / Z`
//! - 条件つき分布は層の中で独立: `q(h_j = 1 | v) = σ(c_j + (Wᵀv)_j)`、`q(v_i = 1 | h) = σ(b_i + (Wh)_i)`
//! - 規格化定数は小さい方の層だけの和: `Z = Σ_h exp(cᵀh) Π_i (1 + exp(b_i + (Wh)_i))`（`v` についても対称）
//!
//! 章の式番号は第 4 章を書くときに付ける。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`model`] | モデル [`Rbm`]、エネルギー、自由エネルギー、条件つき分布 |
//! | [`exact`] | 小さい方の層の Gray 符号順の列挙による厳密な `ln Z` と、データの平均対数尤度 |
//! | [`gradient`] | 平均対数尤度の厳密な勾配 = データで固定したモーメント − モデルのモーメント（[`RbmMoments`]、[`RbmGradient`]） |
//! | [`spin`] | `±1` のユニットへの書き換え [`SpinRbm`]（エネルギーは定数 [`SpinRbm::offset`] だけずれる） |
//! | [`sample`] | 層ごとのブロック Gibbs サンプリング |
//! | [`learn`] | CD-k・PCD の勾配の推定、CD-k の期待値の厳密な計算、学習のループ [`Rbm::train`]、再構成誤差 |
//!
//! ユニットの値は `u8` の `0` か `1` で受け渡す。データは 1 行 1 標本の `u8` の 2 次元配列である。
//!
//! # 大きさと精度の上限
//!
//! | 上限 | 値 | 超えたとき |
//! |---|---|---|
//! | パラメータの `Σ\|θ\|`（活性があふれない） | `1e100` | [`Error::InvalidParameter`] |
//! | `ln Z` で和をとる小さい方の層のユニット数 [`MAX_RBM_SUMMED_UNITS`] | 24 | [`Error::TooManySpins`] |
//! | 厳密な勾配・モデルのモーメントで和をとる層のユニット数 | 24（同じ上限） | [`Error::TooManySpins`] |
//! | CD-k の厳密な期待値・Gibbs の遷移行列の可視ユニット数 [`MAX_KERNEL_VISIBLE`] | 12 | [`Error::TooManySpins`] |
//! | 同じく `N_v + N_h`（遷移の表 `2^{N_v + N_h}` 個） [`MAX_KERNEL_UNITS`] | 20 | [`Error::TooManySpins`] |
//! | CD-k の厳密な期待値の仕事 `k · 2^{N_v + N_h}` | `2^34` | [`Error::TooLarge`] |
//!
//! # Examples
//!
//! ```
//! use genmodel::{boltzmann::rbm::Rbm, ndarray::array};
//!
//! // 可視 1・隠れ 1、すべて 0: Z = 4、どの v でも q(v) = 1/2
//! let rbm = Rbm::new(array![[0.0]], array![0.0], array![0.0])?;
//! assert!((rbm.log_z()? - 4f64.ln()).abs() < 1e-15);
//! assert!((rbm.mean_log_likelihood(&array![[0u8], [1]])? + 2f64.ln()).abs() < 1e-15);
//! assert!(rbm.free_energy(&[2u8]).is_err());
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod exact;
pub mod gradient;
pub mod learn;
pub mod model;
pub mod sample;
pub mod spin;

pub use crate::prec::MAX_RBM_SUMMED_UNITS;
pub use gradient::{RbmGradient, RbmMoments};
pub use learn::{MAX_KERNEL_UNITS, MAX_KERNEL_VISIBLE, Method, Pcd, TrainConfig};
pub use model::Rbm;
pub use spin::SpinRbm;

use crate::error::{Error, Result, ensure_len};
use ndarray::{ArrayView1, ArrayView2, AsArray, Ix1, Ix2};

/// `softplus(x) = ln(1 + eˣ)` を桁あふれなしに `max(x, 0) + ln1p(e^{−|x|})` で求める。
///
/// `e^{−|x|} ≤ 1` なので指数はあふれず、`x → −∞` では `ln1p` が `eˣ` を丸め誤差なしに返す。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::rbm::softplus;
///
/// assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-16);
/// // 素朴な ln(1 + e^1000) は ∞、ln(1 + e^−40) は 0 になる
/// assert_eq!(softplus(1000.0), 1000.0);
/// assert_eq!(softplus(-40.0), (-40f64).exp());
/// assert!(softplus(f64::NAN).is_nan());
/// ```
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// ロジスティック関数 `σ(x) = 1 / (1 + e^{−x})`。`x < 0` では `eˣ / (1 + eˣ)` として、小さな値も相対精度を保つ。
///
/// # Examples
///
/// ```
/// use genmodel::boltzmann::rbm::sigmoid;
///
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(1000.0), 1.0);
/// assert_eq!(sigmoid(-800.0), 0.0);
/// assert!((sigmoid(-40.0) / (-40f64).exp() - 1.0).abs() < 1e-15);
/// assert!(sigmoid(f64::NAN).is_nan());
/// ```
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// ユニットの値が `0` か `1` であることを確かめる（`x` は走査順）。
fn ensure_binary<'a>(x: impl IntoIterator<Item = &'a u8>) -> Result<()> {
    match x.into_iter().find(|&&v| v > 1) {
        Some(&v) => Err(Error::InvalidParameter {
            name: "ユニットの値",
            value: f64::from(v),
            requirement: "0 か 1",
        }),
        None => Ok(()),
    }
}

/// 長さ `len` の `{0, 1}` のベクトルを検査する。
fn check_vector<'a>(len: usize, x: impl AsArray<'a, u8, Ix1>) -> Result<ArrayView1<'a, u8>> {
    let x: ArrayView1<'a, u8> = x.into();
    ensure_len(len, x.len())?;
    ensure_binary(x.iter())?;
    Ok(x)
}

/// データ（1 行 1 標本、列の数 `n_visible`、値は `0`・`1`）を検査する。標本 0 個は [`Error::EmptyInput`]。
fn check_rows<'a>(n_visible: usize, data: impl AsArray<'a, u8, Ix2>) -> Result<ArrayView2<'a, u8>> {
    let data: ArrayView2<'a, u8> = data.into();
    if data.nrows() == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_len(n_visible, data.ncols())?;
    ensure_binary(data.iter())?;
    Ok(data)
}
