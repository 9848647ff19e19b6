//! 有限個の状態の確率分布（第 1 章、第 2 章冒頭）。
//!
//! - 検査済みの確率ベクトル: [`Categorical`]
//! - データから作る経験分布 (1.1): [`EmpiricalDistribution`]。データ集合での期待値 (1.3): [`expectation`]
//! - エネルギーから作るボルツマン分布 (2.1): [`Boltzmann`]

pub mod categorical;
pub mod empirical;
pub mod energy;

pub use categorical::Categorical;
pub use empirical::{EmpiricalDistribution, expectation};
pub use energy::Boltzmann;
