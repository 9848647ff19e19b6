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
//! | 確率・モーメント・対数尤度・勾配を列挙で求める関数の `Σ\|θ\|` [`MAX_ENUMERATION_L1`]（丸め誤差を `1e-9` 程度に保つ） | `1e4` | [`Error::InvalidParameter`] |
//! | `ln Z` で和をとる小さい方の層のユニット数 [`MAX_RBM_SUMMED_UNITS`] | 24 | [`Error::TooManySpins`] |
//! | 厳密な勾配・モデルのモーメントで和をとる層のユニット数 | 24（同じ上限） | [`Error::TooManySpins`] |
//! | CD-k の厳密な期待値・Gibbs の遷移行列の可視ユニット数 [`MAX_KERNEL_VISIBLE`] | 12 | [`Error::TooManySpins`] |
//! | 同じく `N_v + N_h`（遷移の表 `2^{N_v + N_h}` 個） [`MAX_KERNEL_UNITS`] | 20 | [`Error::TooManySpins`] |
//! | CD-k の厳密な期待値の仕事 `k · 2^{N_v + N_h}` | `2^34` | [`Error::TooLarge`] |
//! | 鎖と学習の仕事（往復の回数 × 鎖の数 × `(N_v N_h + N_v + N_h)`） [`MAX_CHAIN_WORK`] | `2^38` | [`Error::TooLarge`] |
//!
//! ## 精度の上限 `Σ|θ| ≤ 1e4` を求める関数と求めない関数
//!
//! 状態の重みの対数（`−E(v, h)`、`−F(v)`、`cᵀh + Σ_i softplus(b_i + (Wh)_i)`）と `ln Z` は、大きさが高々 `Σ|θ|` の
//! 数の和なので、丸め誤差は絶対値で `ε Σ|θ|`（`ε ≈ 2.2e-16`）の程度である（Gray 符号の差分更新は 256 歩ごとに
//! 計算し直すので、最悪でも `256 ε Σ|θ|`）。
//!
//! - 対数の領域の値 [`Rbm::energy`]・[`Rbm::free_energy`]・[`Rbm::mean_free_energy`]・[`Rbm::log_z`]・
//!   [`SpinRbm::log_z`] は、この誤差が値の大きさ `Σ|θ|` に比べて小さい（相対精度が保たれる）ので、`Σ|θ| ≤ 1e100` の
//!   どこでも求める。
//! - 確率・モーメント・対数尤度・勾配をモデル全体の列挙で求める [`Rbm::mean_log_likelihood`]（`−F − ln Z`）、
//!   [`Rbm::model_moments`]・[`Rbm::exact_gradient`]（重みの対数の差の `exp`）、[`Rbm::gibbs_kernel`]・
//!   [`Rbm::cd_expected_gradient`]（全状態の遷移確率の表）は、大きさ 1 の値に絶対誤差 `ε Σ|θ|` がそのまま入る。
//!   `W = 0, b = 0, c = 1e99` の平均対数尤度（正しくは `−ln 2`）が `−1.2e83` になるように、`Σ|θ|` が大きいと
//!   値が黙って壊れるので、Ising モデルの列挙と同じ上限 [`MAX_ENUMERATION_L1`] `= 1e4` を超えるモデルは
//!   [`Error::InvalidParameter`] として断る。`Σ|θ| = 1e4` での誤差は `ε Σ|θ| ≈ 2e-12`（最悪の `256` 倍でも
//!   `6e-10`）で、[`crate::prec::ENUMERATION_TOLERANCE`]（`1e-9`）に収まる。
//! - 条件つき確率 [`Rbm::p_h_given_v`]・[`Rbm::p_v_given_h`] と、それだけから作る [`Rbm::data_moments`]・
//!   [`Rbm::cd_gradient`]・[`Pcd::gradient`]・[`Rbm::reconstruction_error`]・標本は上限を求めない。
//!   `σ(a)` の誤差は活性 `a = c_j + (Wᵀv)_j` の丸め誤差（`N_v ε (|c_j| + Σ_i |W_ij|)` 以下）の `1/4` 以下で、
//!   1 つの活性に入るパラメータだけで決まるからである（大きな活性 `σ(1e99) = 1` は正しい）。モデル全体の
//!   `Σ|θ|` で断ると、`784 × 500` のような大きなモデル（各活性は小さくても `Σ|θ|` は `1e4` を超える）の学習まで
//!   断ってしまう。活性そのものがパラメータの大きな打ち消し合い（`1e17 + 1 − 1e17`）でできているときだけ、
//!   これらの確率は `O(1)` ずれうる。
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

pub use crate::boltzmann::ising::MAX_ENUMERATION_L1;
pub use crate::prec::{MAX_CHAIN_WORK, MAX_RBM_SUMMED_UNITS};
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

/// 鎖 1 本を 1 往復進める仕事 `N_v N_h + N_v + N_h`（[`MAX_CHAIN_WORK`] の単位）。
fn sweep_work(n_visible: usize, n_hidden: usize) -> u64 {
    let (nv, nh) = (as_u64(n_visible), as_u64(n_hidden));
    nv.saturating_mul(nh).saturating_add(nv).saturating_add(nh)
}

/// `usize` を `u64` にする（`usize` は 64 ビット以下なので失われない）。
fn as_u64(x: usize) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// 回数 `count`（往復の回数・歩数）と 1 回あたりの仕事 `per` の積が [`MAX_CHAIN_WORK`] 以下であることを、
/// 何も計算する前に確かめる。超えれば [`Error::TooLarge`]（`what` は回数の名前、`requested` は `count`、
/// `max` は回数の上限 `⌊MAX_CHAIN_WORK / per⌋`。`usize` に収まらなければ `usize::MAX`）。
fn ensure_chain_work(what: &'static str, count: usize, per: u64) -> Result<()> {
    let max = MAX_CHAIN_WORK / per.max(1);
    if as_u64(count) > max {
        return Err(Error::TooLarge {
            what,
            requested: count,
            max: usize::try_from(max).unwrap_or(usize::MAX),
        });
    }
    Ok(())
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
