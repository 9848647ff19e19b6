//! 「拡散モデルを理解するために」の数式を実装するクレート。
//!
//! 本の各式は、このクレートの関数と、それを数値で確かめるテストに対応する。
//! 各項目のドキュメントに、実装している式の番号と節を書く。
//!
//! # Examples
//!
//! 経験分布 (1.1) とボルツマン分布 (2.1) の KL 情報量 (2.3):
//!
//! ```
//! use genmodel::{boltzmann::Boltzmann, empirical::EmpiricalDistribution, kl::kl_divergence};
//!
//! // 3 状態のデータ 0, 0, 1, 2 から経験分布 p0 を作る
//! let p0 = EmpiricalDistribution::from_states(&[0, 0, 1, 2], 3)?;
//! // エネルギー E(x) = -ln p0(x) のボルツマン分布は p0 そのもの
//! let energies: Vec<f64> = p0.probabilities().iter().map(|p| -p.ln()).collect();
//! let q = Boltzmann::new(energies)?;
//! let d = kl_divergence(p0.as_categorical(), &q.distribution())?;
//! assert!(d.abs() < 1e-12);
//! # Ok::<(), genmodel::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod boltzmann;
pub mod categorical;
pub mod empirical;
pub mod error;
pub mod gaussian;
pub mod ising;
pub mod kl;
pub mod linalg;
pub mod logspace;
pub mod matcalc;
pub mod mvn;
pub mod prec;
pub mod surrogate;

pub use error::{Error, Result};
