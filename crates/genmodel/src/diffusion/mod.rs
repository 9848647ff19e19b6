//! 拡散モデル（第 10 章）: ノイズの予定、固定したエンコーダ（前向きの過程）の閉じた形、厳密なスコアが分かるデータ、
//! ε を予測するネットワークとその学習、逆向きの過程の標本抽出、損失の厳密な下限。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`schedule`] | ノイズの予定 `β_1, …, β_T` と `α_t = 1 − β_t`、`ᾱ_t = Π α_s`。前向きの過程 `r(x_t | x_0)` と事後分布 `r(x_{t−1} | x_t, x_0)` の平均と分散 |
//! | [`sampler`] | モデル `q_θ(x_{t−1} | x_t)` の祖先サンプリング（DDPM）と決定的な DDIM、1 歩の係数、ガウス分布のデータで生成される分布の厳密な漸化式 |
//! | [`mixture`] | 対角共分散のガウス混合のデータ。ノイズを加えた周辺分布も混合で、そのスコア `∇ ln p_t` と最適な ε の予測が閉じた形で分かる |
//! | [`network`] | 時刻の正弦波の埋め込み `e(t)` と ε を予測する多層パーセプトロン `ε_θ(x_t, t)` |
//! | [`loss`] | 単純化した損失 `L_simple` と、手で導いたその勾配 |
//! | [`predictor`] | ε の予測器（ネットワークと、ガウス混合の厳密な予測 `ε*`）、`x̂_0` とスコアへの換算 |
//! | [`train`] | ミニバッチと Adam による学習（`t` は一様、`ε ~ N(0, I)`）。失敗した歩を番号で報告し、その前のパラメータを残す |
//! | [`evaluate`] | 時刻ごとの損失のモンテカルロ推定と、その厳密な下限 `D − E‖ε*‖²`（モンテカルロと 1 次元の数値積分） |

pub mod evaluate;
pub mod loss;
pub mod mixture;
pub mod network;
pub mod predictor;
pub mod sampler;
pub mod schedule;
pub mod train;

pub use crate::vae::{Estimate, Training};
pub use mixture::GaussianMixture;
pub use network::{EpsilonNet, TimeEmbedding};
pub use predictor::{EpsilonPredictor, ExactEpsilon};
pub use schedule::Schedule;
