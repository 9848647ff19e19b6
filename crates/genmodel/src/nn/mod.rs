//! 小さい多層パーセプトロン（第 8 章の準備）: 全結合層、活性化関数、手で導いた誤差逆伝播、Adam。
//!
//! 変分オートエンコーダ（第 8 章）のエンコーダとデコーダは、ここの多層パーセプトロン [`Mlp`] で作る。
//! 計算はすべて `f64` の ndarray で、自動微分は使わない。勾配は下の式を手で書いたもので、
//! テスト（`crates/genmodel/tests/nn.rs`）で損失の中心差分と比べて確かめる。本の式では第 8 章の (8.13)–(8.15) である（本は列ベクトルで `u = W h + b` と書き、ここは 1 行 1 標本で `Z = A W + b` と書く。本の `W_l` はここの `W_l` の転置）。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`dense`] | 全結合層 [`Dense`]: `y = x W + b` と、その勾配 [`DenseGradient`] |
//! | [`activation`] | 活性化関数 [`Activation`]（恒等・tanh・ReLU・softplus・σ）の値と導関数。あふれない書き方 |
//! | [`mlp`] | 多層パーセプトロン [`Mlp`]: 初期化（Glorot・He）、前向きの計算と途中の値 [`Forward`]、誤差逆伝播 |
//! | [`params`] | 勾配 [`Gradients`] と、パラメータ・勾配の 1 列の並び（勾配の検査や 2 次関数の最小化に使う） |
//! | [`adam`] | 最適化法 [`Adam`]: 偏りを補正した 1 次・2 次のモーメント |
//!
//! # 式
//!
//! ミニバッチ `X`（`B × n_0`、1 行 1 標本）を入力とする `L` 層のネットワークは、`A_0 = X` から順に
//!
//! - 前活性: `Z_l = A_{l−1} W_l + 𝟏 b_lᵀ`（`W_l` は `n_{l−1} × n_l`、`b_l` は長さ `n_l`）
//! - 活性: `A_l = f_l(Z_l)`（成分ごと。`l < L` は隠れ層の活性化、`l = L` は出力層の活性化）
//!
//! を求め、`A_L` を出力とする。スカラーの損失 `L(A_L)` の勾配は、出力側の `G_L = ∂L/∂A_L` から逆向きに
//!
//! - `Δ_l = G_l ⊙ f_l'(Z_l)`（`∂L/∂Z_l`）
//! - `∂L/∂W_l = A_{l−1}ᵀ Δ_l`、`∂L/∂b_l = Δ_l` の列ごとの和
//! - `G_{l−1} = Δ_l W_lᵀ`（`∂L/∂A_{l−1}`。`l = 1` では入力の勾配 `∂L/∂X`）
//!
//! と求まる（連鎖律を行列で書いたもの、誤差逆伝播法）。損失がミニバッチの平均なら `1/B` は `G_L` に含める。
//!
//! Adam（Kingma & Ba 2015）は、勾配 `g_t` の指数移動平均 `m_t = β₁ m_{t−1} + (1 − β₁) g_t` と
//! 2 乗の指数移動平均 `v_t = β₂ v_{t−1} + (1 − β₂) g_t²` を、0 から始めたことによる偏りで割って補正し
//! （`m̂_t = m_t / (1 − β₁^t)`、`v̂_t = v_t / (1 − β₂^t)`）、各パラメータを `θ ← θ − α m̂_t / (√v̂_t + ε)` と動かす。
//!
//! # 大きさの上限
//!
//! | 上限 | 値 | 超えたとき |
//! |---|---|---|
//! | パラメータの数 [`MAX_PARAMETERS`] | `2^24` | [`Error::TooLarge`] |
//! | 1 回の前向きの計算で持つ成分の数 [`MAX_ACTIVATIONS`] | `2^28` | [`Error::TooLarge`] |
//! | 1 回の前向きの計算の積和の数 [`MAX_WORK`] | `2^38` | [`Error::TooLarge`] |
//!
//! どれも計算を始める前に確かめ、確保を試みずに断る。
//!
//! # 速さ
//!
//! 行列の積は ndarray の `dot`（純 Rust の matrixmultiply、1 スレッド）である。64 → 256 → 256 → 64（隠れ層 tanh、
//! 出力は恒等）、ミニバッチ 128、平均 2 乗誤差の学習の 1 歩（前向き + 誤差逆伝播 + Adam）は、リリースビルドで
//! 約 3.4 ms だった（x86-64 の 2 コアの仮想機械、他の仕事のある中での最良値。中央値は 3.5–4.5 ms）。内訳は、
//! 9 回の行列の積（約 3800 万積和）が約 1.9 ms（40 GFLOP/s ほどで、1 コアの FMA の上限に近い）、tanh（libm）が
//! 0.5–0.8 ms、Adam が 0.3–0.4 ms、残り（写し・有限の検査・導関数）が 1 割ほどである。いちばん重いのは `dot` だが、
//! それだけで決まるわけではない。
//!
//! # Examples
//!
//! ```
//! use genmodel::nn::{Activation, Adam, Mlp};
//! use genmodel::ndarray::{Array2, array};
//! use rand::SeedableRng;
//!
//! // 1 → 8 → 1 のネットワークで y = x² を 4 点に合わせる（損失は平均 2 乗誤差）
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let mut net = Mlp::new(&[1, 8, 1], Activation::Tanh, Activation::Identity, &mut rng)?;
//! let x = array![[-1.0], [-0.5], [0.5], [1.0]];
//! let t = x.mapv(|v| v * v);
//! let loss = |y: &Array2<f64>| (y - &t).mapv(|d| d * d).mean().unwrap_or(0.0);
//! let first = loss(&net.predict(&x)?);
//! let mut adam = Adam::new(0.05, 0.9, 0.999, 1e-8)?;
//! for _ in 0..300 {
//!     let fwd = net.forward(&x)?;
//!     let g = (fwd.output() - &t) * (2.0 / t.len() as f64);
//!     let (grads, _) = net.backward(&fwd, &g)?;
//!     adam.step(&mut net, &grads)?;
//! }
//! assert!(loss(&net.predict(&x)?) < 1e-3 * first);
//! // 入力の幅が違えば誤り
//! assert!(net.forward(&Array2::zeros((4, 2))).is_err());
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod activation;
pub mod adam;
pub mod dense;
pub mod mlp;
pub mod params;

pub use activation::Activation;
pub use adam::Adam;
pub use dense::{Dense, DenseGradient};
pub use mlp::{Forward, Mlp};
pub use params::Gradients;

use crate::error::{Error, Result, ensure_len};
use ndarray::{ArrayView2, AsArray, Ix2};

/// ネットワークのパラメータの数の上限 `2^24`（約 1700 万）。
///
/// パラメータは `f64` で 128 MiB になる。学習では勾配と Adam の 2 つのモーメント、更新の作業場所も同じ大きさなので、
/// 上限ちょうどで 1 GiB 弱を使う。第 8 章の変分オートエンコーダ（`784 → 512 → …` で 100 万程度）には十分である。
/// これを超える大きさ（`usize` があふれる積を含む）は、確保を試みずに [`Error::TooLarge`] として断る。
///
/// # Examples
///
/// ```
/// use genmodel::nn::{Dense, MAX_PARAMETERS};
///
/// assert_eq!(MAX_PARAMETERS, 1 << 24);
/// // (4095 + 1) · 4096 = 2^24 はちょうど上限（確保すると 128 MiB）、4097 · 4096 は超える
/// assert!(Dense::zeros(4096, 4096).is_err());
/// assert!(Dense::zeros(4095, 4095).is_ok());
/// ```
pub const MAX_PARAMETERS: usize = 1 << 24;

/// 1 回の前向きの計算で持つ成分の数の上限 `2^28`（`f64` で 2 GiB）。
///
/// 多層パーセプトロンの前向きの計算は、入力の写し（`B · n_0`）と各層の前活性・活性（`2 B n_l`）を
/// 誤差逆伝播のために持つので、`B (n_0 + 2 Σ_{l≥1} n_l)` と数える（全結合層 1 つなら出力の `B · n_out`）。
/// 標本数の上限 [`crate::prec::MAX_SAMPLES`] と同じ大きさにそろえる。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::nn::MAX_ACTIVATIONS, 1 << 28);
/// ```
pub const MAX_ACTIVATIONS: usize = 1 << 28;

/// 1 回の前向きの計算の積和の数 `B Σ_l n_{l−1} n_l` の上限 `2^38`（約 `2.7e11`）。
///
/// 誤差逆伝播はこの 2 倍の積和を要する。行列の積はリリースビルドの 1 スレッドで 1 積和あたり 0.05 ns 程度
/// （40 GFLOP/s）なので、上限ちょうどの前向きの計算は 15 秒ほど、誤差逆伝播は 30 秒ほどかかる。[`crate::prec::MAX_CHAIN_WORK`] と同じ大きさで、
/// これを超える呼び出し（事実上終わらない計算）は、何も計算せずに [`Error::TooLarge`] として断る。
///
/// # Examples
///
/// ```
/// use genmodel::{nn::{Dense, MAX_WORK}, ndarray::Array2, Error};
///
/// assert_eq!(MAX_WORK, 1 << 38);
/// // 2^11 × 2^11 の層に 2^17 行（1 行を並べたビューで、確保しない）: 積和 2^39 は上限を超えるので、計算を始めない
/// let layer = Dense::zeros(2048, 2048)?;
/// let row = Array2::zeros((1, 2048));
/// let x = row.broadcast((1 << 17, 2048)).unwrap();
/// assert!(matches!(layer.forward(x), Err(Error::TooLarge { .. })));
/// # Ok::<(), Error>(())
/// ```
pub const MAX_WORK: u64 = 1 << 38;

/// 幅 `n_in → n_out` の層のパラメータの数 `(n_in + 1) n_out`。幅 0 は [`Error::InvalidParameter`]、
/// [`MAX_PARAMETERS`] を超えれば [`Error::TooLarge`]。
pub(crate) fn layer_params(n_in: usize, n_out: usize) -> Result<usize> {
    for (name, n) in [("層の入力の幅", n_in), ("層の出力の幅", n_out)] {
        if n == 0 {
            return Err(Error::InvalidParameter {
                name,
                value: 0.0,
                requirement: "1 以上",
            });
        }
    }
    let p = n_in
        .checked_add(1)
        .and_then(|a| a.checked_mul(n_out))
        .unwrap_or(usize::MAX);
    if p > MAX_PARAMETERS {
        return Err(Error::TooLarge {
            what: "層のパラメータの数",
            requested: p,
            max: MAX_PARAMETERS,
        });
    }
    Ok(p)
}

/// ミニバッチ `x` が空でなく、幅が `width` であることを確かめる（有限かどうかは `ensure_finite` で、
/// 大きさの検査 [`ensure_work`] の後に確かめる。巨大な入力を走査する前に断るため）。
pub(crate) fn check_shape<'a>(
    width: usize,
    x: impl AsArray<'a, f64, Ix2>,
) -> Result<ArrayView2<'a, f64>> {
    let x: ArrayView2<'a, f64> = x.into();
    if x.nrows() == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_len(width, x.ncols())?;
    Ok(x)
}

/// `B` 行の計算の積和（1 行あたり `macs_per_row`）と持つ成分の数（1 行あたり `values_per_row`）が
/// [`MAX_WORK`]・[`MAX_ACTIVATIONS`] 以下であることを、計算を始める前に確かめる。
pub(crate) fn ensure_work(batch: usize, macs_per_row: usize, values_per_row: usize) -> Result<()> {
    let as_u64 = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
    let work = as_u64(batch).saturating_mul(as_u64(macs_per_row));
    if work > MAX_WORK {
        return Err(Error::TooLarge {
            what: "積和の数（行の数 × 1 行の積和）",
            requested: usize::try_from(work).unwrap_or(usize::MAX),
            max: usize::try_from(MAX_WORK).unwrap_or(usize::MAX),
        });
    }
    let values = batch.saturating_mul(values_per_row);
    if values > MAX_ACTIVATIONS {
        return Err(Error::TooLarge {
            what: "前向きの計算で持つ成分の数",
            requested: values,
            max: MAX_ACTIVATIONS,
        });
    }
    Ok(())
}
