//! Ising 型のボルツマンマシン（式 (2.25)–(2.29)、§2.5）と、その KL 情報量の勾配・ヘッセ行列（§2.6）。
//!
//! 状態は `x ∈ {−1, 1}^N`、パラメータは
//! `θ = (h_1, …, h_N, J_12, J_13, …, J_1N, J_23, …, J_{N−1,N})`（対 `k < l` を 1 回ずつ、辞書順）。
//! 十分統計量を `φ(x) = (x_1, …, x_N, x_1x_2, x_1x_3, …, x_{N−1}x_N)` とおくと
//!
//! - 式 (2.25): `q_θ(x) = exp(θ·φ(x)) / Z_θ`、すなわちエネルギーは `E_θ(x) = −θ·φ(x)`（式 (2.25a)）
//! - 式 (2.26): `Z_θ = Σ_x exp(θ·φ(x))`
//! - 式 (2.27): `D(p0 ‖ q_θ) = −H(p0) − θ·φ̄ + ln Z_θ`（`φ̄` はデータでの平均）
//! - 式 (2.28)–(2.29): `∇_θ D = ⟨φ⟩_θ − φ̄`
//! - 式 (2.40a): `∇∇ᵀ D = Cov_θ(φ)`
//!
//! 状態の番号 `s ∈ [0, 2^N)` は「`s` の第 `k` ビットが 1 ⇔ `x_k = −1`」で決める。
//!
//! | ファイル | 中身 | 本の式 |
//! |---|---|---|
//! | [`model`] | モデル [`Ising`]、パラメータの並び、エネルギー、十分統計量 | (2.25)、(2.25a) |
//! | [`exact`] | 全 `2^N` 状態の列挙: `ln Z` とモーメント [`Moments`] | (2.26)、(2.28)–(2.29) |
//! | [`covariance`] | 十分統計量の共分散 = KL 情報量のヘッセ行列 | (2.40a) |
//! | [`sample`] | 全状態の確率表による厳密な標本 | (2.25) |
//! | [`data`] | スピンのデータ（1 行 1 配置の `i8` の 2 次元配列）の平均とエントロピー | (1.1)、(2.27)–(2.29) |
//! | [`learn`] | KL 情報量 [`KlObjective`] とその勾配法、罰則 `λ\|θ\|²/2`、曲率の上界 | (2.27)–(2.30)、(2.44a) |
//! | [`outcome`] | 学習の結末 [`Outcome`]: 最適点が有限か（データの平均が周辺多面体の内部にあるか） | (2.28)–(2.29) |
//!
//! スピンのデータは `ndarray` の `i8` の 2 次元配列（1 行 1 配置、値は `±1`）で受け渡す。
//! 転置や切り出しで作った連続でないビューも添字どおりに読む。
//!
//! # 大きさと精度の上限
//!
//! 上限を超える入力は、パニックや黙った誤りではなく型つきの誤りになる（上限ちょうどは受け付ける）。
//!
//! | 上限 | 値 | 超えたとき |
//! |---|---|---|
//! | モデルのスピン数 [`MAX_MODEL_SPINS`] | 4096 | [`Error::TooManySpins`] |
//! | モデルの `Σ\|θ\|`（指数があふれない） | `1e100` | [`Error::InvalidParameter`] |
//! | 列挙の `Σ\|θ\|` [`MAX_ENUMERATION_L1`]（丸め誤差を `1e-9` 程度に保つ） | `1e4` | [`Error::InvalidParameter`] |
//! | `ln Z`・モーメントのスピン数 [`MAX_SPINS`] | 28 | [`Error::TooManySpins`] |
//! | 共分散（ヘッセ行列）のスピン数 [`MAX_COVARIANCE_SPINS`] | 14 | [`Error::TooManySpins`] |
//! | 標本のスピン数 [`MAX_SAMPLER_SPINS`] | 20 | [`Error::TooManySpins`] |
//! | 1 回の標本のスピンの総数 `count · N` [`MAX_SAMPLE_SPINS`] | `2^28` | [`Error::TooLarge`] |
//! | 状態の番号 [`spins_of_state`] | `s < 2^N`、`N ≤ usize::BITS` | [`Error::StateOutOfRange`]、[`Error::TooManySpins`] |
//!
//! # Examples
//!
//! ```
//! use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
//!
//! // データ 4 個から KL 情報量 (2.27) を作り、一様なモデルから勾配法 (2.30) で 1 歩進める
//! let data = array![[1, 1], [1, 1], [-1, -1], [1, -1]];
//! let kl = KlObjective::from_data(&data)?;
//! let q0 = Ising::zeros(2)?;
//! let q1 = kl.update(&q0, &genmodel::optim::surrogate::StepSize::Scalar(1.0 / 3.0))?;
//! assert!(kl.value(&q1)? < kl.value(&q0)?);
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod covariance;
pub mod data;
pub mod exact;
pub mod learn;
pub mod model;
pub mod outcome;
pub mod sample;

pub use covariance::MAX_COVARIANCE_SPINS;
pub use data::{check_spin_data, data_entropy, data_statistics};
pub use exact::{MAX_ENUMERATION_L1, MAX_SPINS, Moments};
pub use learn::{KlObjective, global_curvature_bound, sharp_curvature_bound};
pub use model::{
    Ising, MAX_MODEL_SPINS, n_params, pair_index, pairs, spins_of_state, sufficient_statistics,
};
pub use outcome::{Fit, MAX_CERTIFICATE_SPINS, Outcome};
pub use sample::{MAX_SAMPLE_SPINS, MAX_SAMPLER_SPINS};

use crate::error::{Error, Result};

/// スピン数 `n` が上限 `max` 以下であることを確かめる（上限ちょうどは許す）。
/// 列挙・標本・モデルの大きさの上限は、すべてここで同じ向きに判定する。
fn ensure_spins(n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::TooManySpins { n, max });
    }
    Ok(())
}

/// スピンの値が `±1` であることを確かめる（`x` は走査順）。
fn ensure_spin_values<'a>(x: impl IntoIterator<Item = &'a i8>) -> Result<()> {
    match x.into_iter().find(|&&v| v != 1 && v != -1) {
        Some(&v) => Err(Error::InvalidParameter {
            name: "スピン",
            value: f64::from(v),
            requirement: "−1 か 1",
        }),
        None => Ok(()),
    }
}
