//! ガウス分布（§2.2–2.4）。
//!
//! - [`univariate`]: 1 次元のガウス分布 [`Gaussian`]、KL 情報量とその勾配、最尤推定（§2.2–2.3）
//! - [`multivariate`]: 多変量ガウス分布 [`Mvn`]、最尤推定（§2.4）

pub mod multivariate;
pub mod univariate;

pub use multivariate::Mvn;
pub use univariate::Gaussian;
