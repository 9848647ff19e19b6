//! 変分オートエンコーダ（第 8 章）: 厳密な最適点が分かる線形ガウスの VAE と、多層パーセプトロンの VAE。
//!
//! | ファイル | 中身 |
//! |---|---|
//! | [`ppca`] | 確率的主成分分析（Tipping と Bishop 1999）: 最尤点の閉じた形、`σ²` を固定したときの最尤点（事後分布の崩壊）、対数尤度 |
//! | [`estimator`] | 期待値の勾配の 2 つの推定量: 再パラメータ化とスコア関数（REINFORCE） |
//! | [`linear`] | 線形ガウスの VAE: ELBO と、手で微分したその勾配の閉じた形。確率的主成分分析の最尤点では ELBO が対数尤度に一致する |
//! | [`model`] | 多層パーセプトロンのエンコーダとデコーダの VAE [`Vae`]: 再パラメータ化した 1 標本の ELBO と、手で導いたその勾配 |
//! | [`evaluate`] | ELBO のモンテカルロ推定と、重点サンプリングによる対数尤度の推定（標準誤差つき） |
//! | [`train`] | ミニバッチと Adam による学習。失敗した歩を番号で報告し、その前のパラメータを残す |
//!
//! # Examples
//!
//! ```
//! use genmodel::{ndarray::array, vae::{LinearVae, Ppca}};
//!
//! let x = array![[2.0, 0.1, 0.3], [-1.0, 0.2, -0.3], [0.5, -0.4, 0.1], [-1.5, 0.1, -0.1]];
//! let p = Ppca::fit(&x, 1)?;
//! // 最尤点の ELBO は対数尤度に等しく、推論のモデルを崩すと下がる（ELBO ≤ 対数尤度）
//! let mut vae = LinearVae::from_ppca(&p)?;
//! let ll = p.mean_log_likelihood(&x)?;
//! assert!((vae.elbo(&x)? - ll).abs() < 1e-12);
//! vae.c[0] += 0.3;
//! assert!(vae.elbo(&x)? < ll);
//! # Ok::<(), genmodel::Error>(())
//! ```

pub mod estimator;
pub mod evaluate;
pub mod linear;
pub mod model;
pub mod ppca;
pub mod train;

pub use evaluate::Estimate;
pub use linear::LinearVae;
pub use model::{Likelihood, Vae, VaeGradient};
pub use ppca::Ppca;
pub use train::Training;
