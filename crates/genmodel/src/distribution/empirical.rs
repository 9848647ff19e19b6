//! 経験分布 `p0(x) = (1/n) Σ_i δ(x - x_i)`（式 (1.1)、§1）。
//!
//! - 離散のデータ: δ はクロネッカーのデルタで、`p0(x)` は「x が出た回数 / n」。
//!   → [`EmpiricalDistribution`]
//! - 連続のデータ: δ はディラックのデルタで、`p0` は標本そのもの。
//!   `∫ dx p0(x) f(x) = (1/n) Σ_i f(x_i)` だけが意味を持つ。データ集合は 1 行 1 標本の
//!   2 次元配列 `ArrayView2<f64>` で持ち、期待値は [`expectation`] で求める。

use super::Categorical;
use crate::error::{Error, Result, ensure_finite};
use crate::prec::MAX_STATES;
use ndarray::{Array1, ArrayView1, ArrayView2, AsArray, Ix2};

/// 有限個の状態 `0..n_states` の上の経験分布（式 (1.1) の離散版）。
///
/// # Examples
///
/// ```
/// use genmodel::{distribution::EmpiricalDistribution, ndarray::array};
///
/// let p0 = EmpiricalDistribution::from_states(&[2, 0, 2, 2], 3)?;
/// assert_eq!(p0.probabilities(), array![0.25, 0.0, 0.75]);
/// assert_eq!(p0.n_samples(), 4);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EmpiricalDistribution {
    counts: Array1<usize>,
    n: usize,
    p: Categorical,
}

impl EmpiricalDistribution {
    /// 状態の列 `x_1, …, x_n` から `p0(x) = #{i : x_i = x} / n` を作る。
    ///
    /// # Errors
    ///
    /// - データが空、または `n_states == 0`: [`Error::EmptyInput`]
    /// - `n_states` 以上の状態: [`Error::StateOutOfRange`]
    /// - `n_states` が [`MAX_STATES`] を超える: [`Error::TooLarge`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::EmpiricalDistribution, Error};
    ///
    /// assert_eq!(EmpiricalDistribution::from_states(&[], 2), Err(Error::EmptyInput));
    /// assert_eq!(
    ///     EmpiricalDistribution::from_states(&[0, 5], 2),
    ///     Err(Error::StateOutOfRange { state: 5, n_states: 2 })
    /// );
    /// assert!(matches!(EmpiricalDistribution::from_states(&[0], usize::MAX), Err(Error::TooLarge { .. })));
    /// ```
    pub fn from_states<'a>(states: impl AsArray<'a, usize>, n_states: usize) -> Result<Self> {
        let states: ArrayView1<'a, usize> = states.into();
        if states.is_empty() || n_states == 0 {
            return Err(Error::EmptyInput);
        }
        check_n_states(n_states)?;
        let mut counts = Array1::<usize>::zeros(n_states);
        for &s in states.iter() {
            *counts
                .get_mut(s)
                .ok_or(Error::StateOutOfRange { state: s, n_states })? += 1;
        }
        let n = states.len();
        let p = Categorical::new(counts.mapv(|c| c as f64 / n as f64))?;
        Ok(Self { counts, n, p })
    }

    /// 各状態の出現回数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::EmpiricalDistribution, ndarray::array};
    ///
    /// let p0 = EmpiricalDistribution::from_states(&[1, 1, 0], 2)?;
    /// assert_eq!(p0.counts(), genmodel::ndarray::array![1, 2]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn counts(&self) -> ArrayView1<'_, usize> {
        self.counts.view()
    }

    /// 標本数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::EmpiricalDistribution, ndarray::array};
    ///
    /// assert_eq!(EmpiricalDistribution::from_states(&[0, 1, 1], 2)?.n_samples(), 3);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_samples(&self) -> usize {
        self.n
    }

    /// `p0(x)` の値の並び。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::EmpiricalDistribution, ndarray::array};
    ///
    /// let p0 = EmpiricalDistribution::from_states(&[0, 1, 1, 1], 2)?;
    /// assert_eq!(p0.probabilities(), genmodel::ndarray::array![0.25, 0.75]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn probabilities(&self) -> ArrayView1<'_, f64> {
        self.p.probabilities()
    }

    /// KL 情報量などに渡すための確率ベクトル。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{distribution::EmpiricalDistribution, ndarray::array};
    ///
    /// let p0 = EmpiricalDistribution::from_states(&[0, 1], 2)?;
    /// assert_eq!(p0.as_categorical().len(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn as_categorical(&self) -> &Categorical {
        &self.p
    }
}

/// 経験分布による期待値 `∫ dx p0(x) f(x) = (1/n) Σ_i f(x_i)`（式 (1.1)・(1.3)）。
///
/// `data` は 1 行 1 標本の `n × d` 配列（連続でないビューも可）、`f` は 1 標本 `x_i`（長さ `d`）を受け取る。
/// 和が `f64` の範囲を超える（`f(x_i) = 1e308` が 2 つ、など）ときは `f(x_i)/n` を足し直すので、
/// 平均が範囲内なら正しい値を返す。
///
/// # Errors
///
/// - 標本が 0 個、または 0 次元: [`Error::EmptyInput`]
/// - データに NaN・±∞: [`Error::NonFinite`]（`index` は行優先の位置）
/// - `f(x_i)` が有限でない: [`Error::NonFinite`]（`index` は標本の番号）
///
/// # Examples
///
/// ```
/// use genmodel::{distribution::expectation, ndarray::array};
///
/// // 標本平均と、2 乗の平均
/// let data = array![[-1.0], [1.0], [3.0]];
/// assert_eq!(expectation(&data, |x| x[0])?, 1.0);
/// assert_eq!(expectation(&data, |x| x[0] * x[0])?, 11.0 / 3.0);
/// assert!(expectation(&array![[1e308], [1e308]], |x| x[0])? == 1e308);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn expectation<'a>(
    data: impl AsArray<'a, f64, Ix2>,
    f: impl Fn(ArrayView1<'_, f64>) -> f64,
) -> Result<f64> {
    let data = check_data(data)?;
    let values: Array1<f64> = data.rows().into_iter().map(f).collect();
    ensure_finite("f(x_i)", values.iter().copied())?;
    Ok(stable_mean(values.view()))
}

/// データ集合（1 行 1 標本）が空でなく有限であることを確かめ、ビューとして返す。
///
/// # Errors
///
/// 標本が 0 個か 0 次元なら [`Error::EmptyInput`]、NaN・±∞ は [`Error::NonFinite`]（行優先の位置）。
///
/// # Examples
///
/// ```
/// use genmodel::{distribution::empirical::check_data, ndarray::{array, Array2}, Error};
///
/// assert_eq!(check_data(&array![[1.0, 2.0]])?.dim(), (1, 2));
/// assert_eq!(check_data(&Array2::<f64>::zeros((0, 2))), Err(Error::EmptyInput));
/// assert!(matches!(check_data(&array![[1.0, f64::NAN]]), Err(Error::NonFinite { index: 1, .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn check_data<'a>(data: impl AsArray<'a, f64, Ix2>) -> Result<ArrayView2<'a, f64>> {
    let data: ArrayView2<'a, f64> = data.into();
    if data.nrows() == 0 || data.ncols() == 0 {
        return Err(Error::EmptyInput);
    }
    ensure_finite("標本", data.iter().copied())?;
    Ok(data)
}

/// 有限の値の平均 `(1/n) Σ v_i`（先頭から順に足す）。和があふれるときは `Σ (v_i / n)` で足し直す。
pub(crate) fn stable_mean(values: ArrayView1<'_, f64>) -> f64 {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    if m.is_finite() {
        m
    } else {
        values.iter().map(|v| v / n).sum()
    }
}

/// 状態数が [`MAX_STATES`] 以下であること（上限ちょうどは許す）。確保の前に断る。
fn check_n_states(n_states: usize) -> Result<()> {
    if n_states > MAX_STATES {
        return Err(Error::TooLarge {
            what: "状態数",
            requested: n_states,
            max: MAX_STATES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_count_limit_is_inclusive() {
        // 上限ちょうどの 2^28 状態は許す（確保すると 4 GiB になるので、判定だけを確かめる）
        assert_eq!(check_n_states(MAX_STATES), Ok(()));
        assert!(matches!(
            check_n_states(MAX_STATES + 1),
            Err(Error::TooLarge { requested, max: MAX_STATES, .. }) if requested == MAX_STATES + 1
        ));
    }
}
