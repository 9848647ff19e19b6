//! 拡散モデル（第 10 章の準備）: ノイズの予定、前向きの過程の閉じた形、事後分布、厳密なスコアが分かるデータ。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`schedule`] | ノイズの予定 `β_1, …, β_T` と `α_t = 1 − β_t`、`ᾱ_t = Π α_s`。前向きの過程 `q(x_t | x_0)` と事後分布 `q(x_{t−1} | x_t, x_0)` の平均と分散 |
//! | [`sampler`] | 逆向きの過程（祖先サンプリング）の 1 歩の係数と、ガウス分布のデータで生成される分布の厳密な漸化式 |
//! | [`mixture`] | 対角共分散のガウス混合のデータ。ノイズを加えた周辺分布も混合で、そのスコア `∇ ln p_t` と最適な ε の予測が閉じた形で分かる |

pub mod mixture;
pub mod sampler;
pub mod schedule;

pub use mixture::GaussianMixture;
pub use schedule::Schedule;
