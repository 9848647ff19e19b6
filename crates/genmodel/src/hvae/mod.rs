//! 階層変分オートエンコーダ（第 9 章）: 1 次元の線形ガウスのマルコフ連鎖の階層 VAE。
//!
//! 本の記号では（第 9 章）、データ `x = z_0` と潜在変数 `z_1, …, z_T` はどれもスカラーで、
//!
//! - モデル（デコーダ）: `q(z_T) = N(0, 1)`、`q_θ(z_{t−1} | z_t) = N(w_t z_t + b_t, s_t)`（[`Decoder`]）
//! - エンコーダ: `r_φ(z_t | z_{t−1}) = N(a_t z_{t−1} + c_t, v_t)`（[`Encoder`]。`c_t = 0` で φ をもたない
//!   固定のエンコーダ `r(x_t | x_{t−1}) = N(a_t x_{t−1}, v_t)` になる）
//!
//! である（`s_t`・`v_t` は分散）。すべてがガウス分布なので、`ln q_θ(x)`・ELBO・事後分布・
//! 固定のエンコーダの条件つき分布は閉じた形で求まる（[`Decoder::log_marginal`]、[`Decoder::elbo`]、
//! [`Decoder::posterior`]、[`Encoder::marginal_given_x0`]、[`Encoder::reverse_given_x0`]）。
//! ELBO の 2 つの書き方 (9.6)・(9.8) のモンテカルロ推定と、その厳密な平均・分散は [`estimate`] にある。
//!
//! # Examples
//!
//! エンコーダを事後分布 (9.5) にすると、ELBO は対数尤度に一致する:
//!
//! ```
//! use genmodel::hvae::Decoder;
//!
//! let dec = Decoder::new(&[0.8, -0.5], &[0.1, 0.3], &[0.4, 0.6])?;
//! let post = dec.posterior()?;
//! let x = 0.7;
//! assert!((dec.elbo(&post, x)? - dec.log_marginal(x)?).abs() < 1e-12);
//! # Ok::<(), genmodel::Error>(())
//! ```

mod chain;
pub mod estimate;
mod exact;

pub use chain::{Decoder, Encoder};
pub use exact::{elbo_bound, expected_elbo, gaussian_entropy};
