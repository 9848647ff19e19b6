//! 「拡散モデルを理解するために」の数式を実装するクレート。
//!
//! 本の各式は、このクレートの関数と、それを数値で確かめるテストに対応する。
//! 各項目のドキュメントに、実装している式の番号と節を書く。
//!
//! # モジュールと本の章
//!
//! | モジュール | 中身 | 本の章 |
//! |---|---|---|
//! | [`distribution`] | 有限個の状態の確率分布: 確率ベクトル、経験分布、ボルツマン分布 | 第 1 章、第 2 章冒頭 |
//! | [`divergence`] | KL 情報量（離散・1 次元ガウス） | §2.1 |
//! | [`gaussian`] | 1 次元・多変量のガウス分布、最尤推定 | §2.2–2.4 |
//! | [`boltzmann`] | ボルツマンマシン: Ising モデル（厳密な列挙・標本・学習） | §2.5、§2.6 |
//! | [`boltzmann::rbm`] | 制限ボルツマンマシン: 自由エネルギー、条件つき分布、小さい方の層の列挙による厳密な `ln Z`・対数尤度 | 第 4 章（準備） |
//! | [`optim`] | 勾配法と代理関数（上界の最小化） | §2.6 |
//! | [`mcmc`] | マルコフ連鎖モンテカルロ法: Ising モデルの 1 スピン更新（メトロポリス法・熱浴法）、`N ≤ 12` の厳密な遷移行列とスペクトル、積分自己相関時間・ビニングによる誤差棒 | 第 5 章（準備） |
//! | [`variational`] | MCMC を使わない近似: 変分自由エネルギー、平均場近似、TAP 方程式、確率伝搬法、平均場・TAP の逆問題、擬似尤度 | 第 7 章 |
//! | [`vae`] | 変分オートエンコーダ: 確率的主成分分析、線形ガウスの VAE、多層パーセプトロンの VAE（ELBO と手で導いた勾配、学習、重点サンプリングの対数尤度）、勾配の 2 つの推定量 | 第 8 章 |
//! | [`nn`] | 小さい多層パーセプトロン: 全結合層・活性化関数・手で導いた誤差逆伝播・Adam | 第 8 章 |
//! | [`hvae`] | 階層変分オートエンコーダ: 1 次元の線形ガウスのマルコフ連鎖の階層 VAE（厳密な対数尤度・ELBO・事後分布、固定のエンコーダの条件つき分布、ELBO の 2 つの書き方の推定と厳密な分散、最適なデコーダ） | 第 9 章 |
//! | [`linalg`] | 行列（対称・対称正定値）と faer への唯一の変換点、行列の微分 | §2.4、付録 A |
//! | [`logspace`], [`prec`], [`error`] | 対数空間の和、許容誤差、エラー型 | 全体 |
//!
//! 第 3 章以降（隠れ変数、制限ボルツマンマシン、MCMC、変分法、VAE、拡散モデル）は、
//! [`boltzmann`] の下の新しいモデル、標本抽出（`sampling`）、変分法（`variational`）、
//! ネットワーク（`nn`）、拡散モデル（`diffusion`）として加わる。
//!
//! # 配列
//!
//! 公開 API の配列は [ndarray](https://docs.rs/ndarray) 0.17 である（NumPy に当たる）。
//! データ集合は 1 行 1 標本の 2 次元配列（実数は `f64`、スピンは `i8`）、ベクトルは 1 次元配列、
//! 行列は 2 次元配列。関数は [`ndarray::AsArray`] で借りる（`&Array`、`ArrayView`、
//! 1 次元ならスライスや `&Vec` も渡せる）ので、転置や切り出しで作った連続でないビューもそのまま渡せる。
//! 返す配列は所有する `Array1`・`Array2` である。
//!
//! # Examples
//!
//! 経験分布 (1.1) とボルツマン分布 (2.1) の KL 情報量 (2.3):
//!
//! ```
//! use genmodel::distribution::{Boltzmann, EmpiricalDistribution};
//! use genmodel::divergence::kl_divergence;
//!
//! // 3 状態のデータ 0, 0, 1, 2 から経験分布 p0 を作る
//! let p0 = EmpiricalDistribution::from_states(&[0, 0, 1, 2], 3)?;
//! // エネルギー E(x) = -ln p0(x) のボルツマン分布は p0 そのもの
//! let q = Boltzmann::new(p0.probabilities().mapv(|p| -p.ln()))?;
//! let d = kl_divergence(p0.as_categorical(), &q.distribution())?;
//! assert!(d.abs() < 1e-12);
//! # Ok::<(), genmodel::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod boltzmann;
pub mod diffusion;
pub mod distribution;
pub mod divergence;
pub mod error;
pub mod gaussian;
pub mod hvae;
pub mod linalg;
pub mod logspace;
pub mod mcmc;
pub mod nn;
pub mod optim;
pub mod prec;
pub mod vae;
pub mod variational;

pub use error::{Error, Result};
pub use ndarray;
