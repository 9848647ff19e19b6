//! マルコフ連鎖モンテカルロ法（MCMC）の核（第 5 章の準備）: Ising モデルの 1 スピン更新、
//! 小さいモデルの厳密な遷移行列、相関のある標本の誤差棒。
//!
//! ボルツマン分布 `q(x) ∝ exp(Σ_{k<l} J_kl x_k x_l + Σ_k h_k x_k)`（式 (2.25)）からの標本を、
//! 全状態の列挙なしに、`q` を不変に保つマルコフ連鎖で作る。連鎖の標本は互いに相関するので、
//! 平均の誤差棒は積分自己相関時間 `τ_int` の分だけ広げなければならない。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`chain`] | 連鎖 [`Chain`]: メトロポリス法・熱浴法（[`Rule`]）、順番・ランダムな走査（[`Scan`]）、局所場の `O(N)` 更新、掃引ごとの記録（[`Observable`]） |
//! | [`exchange`] | 交換モンテカルロ法（レプリカ交換法）[`exchange::Exchange`]: 逆温度の梯子の各温度の連鎖、隣どうしの偶奇交互の交換、受理率・往復の数、等比の梯子と厳密な受理率をそろえた梯子 |
//! | [`kernel`] | `N ≤ 12` の厳密な遷移行列、定常分布（GTH 法）、定常性・詳細つり合いの残差、可逆な行列のスペクトル [`Spectrum`]（ギャップ、`τ_exp`、厳密な `τ_int`） |
//! | [`stats`] | 自動窓の積分自己相関時間、有効標本数、ビニング、95 % 信頼区間 |
//!
//! 確かめられる事実（`crates/genmodel/tests/mcmc.rs`）:
//!
//! - どの遷移行列も定常分布が `q` に一致する（`1e-12`）。
//! - ランダムな走査の更新は全成分で詳細つり合いを満たすが、順番の走査の掃引は満たさない（それでも定常）。
//! - 連鎖の系列から推定した `τ_int` は、遷移行列から求めた厳密な `τ_int` に統計誤差の範囲で一致する。
//! - `τ_int` を使った 95 % 信頼区間は、独立な多数の連鎖で約 95 % の割合で正しい値を含み、
//!   相関を無視した区間は強く結合したモデルで大きく下回る。
//!
//! # Examples
//!
//! ```
//! use genmodel::{boltzmann::ising::Ising, mcmc::{self, Chain, Observable, Rule, Scan}, ndarray::array};
//! use rand::SeedableRng;
//!
//! // 3 スピンの鎖。厳密な ⟨x_0 x_1⟩ と、連鎖による推定の 95 % 信頼区間
//! let model = Ising::new(array![0.1, 0.0, -0.1], array![0.4, 0.0, 0.3])?;
//! let exact = model.exact()?.correlation(0, 1).unwrap();
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
//! let mut chain = Chain::new(&model, Rule::Metropolis, Scan::Random, &[1, 1, 1])?;
//! chain.run(&mut rng, 100)?;
//! let trace = chain.record(&mut rng, 4000, &[Observable::Product(0, 1)])?;
//! let est = mcmc::stats::mean_estimate(&trace[0])?;
//! assert!((est.mean() - exact).abs() < 5.0 * est.std_error());
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod chain;
pub mod exchange;
pub mod kernel;
pub mod stats;

pub use chain::{Chain, Observable, Rule, Scan};
pub use kernel::{KERNEL_TOLERANCE, MAX_KERNEL_SPINS, Spectrum};
pub use stats::{Binning, IntegratedTime, MeanEstimate};
