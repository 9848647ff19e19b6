//! Ising モデル `q_θ`（式 (2.25)）からの厳密な標本（全状態の確率表による逆関数法）。

use super::model::Ising;
use crate::error::{Error, Result};
use ndarray::Array2;

/// [`Ising::sample`]（全状態の確率表による厳密なサンプリング）が扱うスピン数の上限（表は `2^N` 個の `f64`）。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::boltzmann::ising::MAX_SAMPLER_SPINS, 20);
/// ```
pub const MAX_SAMPLER_SPINS: usize = 20;

/// [`Ising::sample`] が 1 回に返すスピンの総数 `count · N` の上限 `2^28`（`i8` で 256 MiB）。
///
/// 引ける標本の数は `⌊2^28 / N⌋` 個まで（`N = 20` で約 1340 万個）。`usize::MAX` 個のような
/// 大きさは、確保を試みて中断する代わりに [`Error::TooLarge`] として断る。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, MAX_SAMPLE_SPINS}, Error};
/// use rand::SeedableRng;
///
/// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
/// let m = Ising::zeros(4)?;
/// assert_eq!(
///     m.sample(&mut rng, usize::MAX / 2 + 1),
///     Err(Error::TooLarge { what: "標本数", requested: usize::MAX / 2 + 1, max: MAX_SAMPLE_SPINS / 4 })
/// );
/// # Ok::<(), Error>(())
/// ```
pub const MAX_SAMPLE_SPINS: usize = 1 << 28;

impl Ising {
    /// モデル `q_θ`（式 (2.25)）から、全状態の確率表を使って `count` 個のスピン配置を独立に引く。
    ///
    /// 返す配列は `count × N`（1 行 1 配置、値は `±1`）。確率は指数の最大値を引いてから
    /// `exp` するので、`|θ·φ|` が `exp` の範囲（約 709）を超えても正しい。
    ///
    /// # Errors
    ///
    /// - `N > MAX_SAMPLER_SPINS`: [`Error::TooManySpins`]
    /// - `Σ|θ| > MAX_ENUMERATION_L1`（確率表の精度が保てない）: [`Error::InvalidParameter`]
    /// - `count == 0`: [`Error::EmptyInput`]
    /// - `count · N > MAX_SAMPLE_SPINS`: [`Error::TooLarge`]（`max` は引ける標本の数 `⌊2^28 / N⌋`）
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{data_statistics, Ising}, ndarray::array};
    /// use rand::SeedableRng;
    ///
    /// // 強い正の場 h = 5 では、ほぼすべて x = +1（確率 1 − 4.5e-5）
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    /// let data = Ising::new(array![5.0], array![])?.sample(&mut rng, 100)?;
    /// assert_eq!(data.dim(), (100, 1));
    /// assert!(data_statistics(&data)?[0] > 0.9);
    /// assert!(Ising::zeros(2)?.sample(&mut rng, 0).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn sample<R: rand::Rng>(&self, rng: &mut R, count: usize) -> Result<Array2<i8>> {
        self.ensure_enumerable(MAX_SAMPLER_SPINS)?;
        if count == 0 {
            return Err(Error::EmptyInput);
        }
        let max = MAX_SAMPLE_SPINS / self.n;
        if count > max {
            return Err(Error::TooLarge {
                what: "標本数",
                requested: count,
                max,
            });
        }
        let e = self.all_exponents();
        let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut cum = Vec::with_capacity(e.len());
        let mut acc = 0.0f64;
        for v in &e {
            acc += (v - mx).exp();
            cum.push(acc);
        }
        let mut spins = Array2::<i8>::zeros((count, self.n));
        for mut row in spins.rows_mut() {
            let t = rng.random::<f64>() * acc;
            let s = cum.partition_point(|&c| c <= t).min(cum.len() - 1);
            for (k, x) in row.iter_mut().enumerate() {
                *x = if (s >> k) & 1 == 1 { -1 } else { 1 };
            }
        }
        Ok(spins)
    }
}
