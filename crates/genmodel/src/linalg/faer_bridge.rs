//! ndarray と faer の間の唯一の変換点。
//!
//! 公開 API の行列は ndarray の `Array2<f64>` である。分解（Cholesky・対称固有値・LU・特異値）だけを
//! faer 0.24 に任せ、その出入口をこのファイルの 2 つの関数に限る。どちらも成分を 1 つずつ写すので、
//! 転置や切り出しで作った連続でないビューも添字どおりに読む（歩幅を仮定しない）。
//! 本で使う大きさ（`N ≤ 210`）では写しの費用は分解の費用より小さい（README の測定）。

use faer::{Mat, MatRef};
use ndarray::{Array2, ArrayView2};

/// ndarray の行列を faer の行列に写す。
pub(crate) fn to_faer(a: ArrayView2<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
}

/// faer の行列を ndarray の行列に写す。
pub(crate) fn from_faer(a: MatRef<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.nrows(), a.ncols()), |(i, j)| a[(i, j)])
}
