//! 最適化（§2.6）。
//!
//! - [`surrogate`](mod@surrogate): 勾配法を代理関数（2 次の上界）の最小化として見る: 上界 (2.33)、減少量 (2.35)、
//!   学習率の上限 (2.36)・(2.44)、代理関数 (2.37)、1 歩 (2.32)・(2.37a)
//! - [`descent`]: 勾配法の反復 (2.30)/(2.32) と止める規則、学習ループ [`minimize`]
//!
//! 章の中で使う名前はここから短く呼べる（`genmodel::optim::{minimize, StepSize, StopRule}`）。

pub mod descent;
pub mod surrogate;

#[cfg(feature = "progress")]
pub use descent::progress_observer;
pub use descent::{Iterate, StopRule, Trace, minimize};
pub use surrogate::{
    StepSize, gradient_step, guaranteed_decrease, quadratic_upper_bound, step_from_curvature_bound,
    step_from_max_eigenvalue, surrogate,
};
