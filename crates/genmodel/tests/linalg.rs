//! 線形代数の包み（`genmodel::linalg`、§2.4・§2.6・付録 A）の入力検査と境界の検証。
//!
//! 期待値は手で求めた値（対角行列の固有値・条件数、行優先の位置）か、検査の定義
//! （`max |A_ij − A_ji| ≤ SYMMETRY_TOLERANCE · max |A_ij|`）から直接決める。

use genmodel::Error;
use genmodel::linalg::{
    Mat, Spd, SymmetricMatrix, condition_number, from_rows, inverse, square_dim,
};
use genmodel::prec::MAX_CONDITION_NUMBER;

/// 非有限の成分は、行優先で平らにした位置 `i·n + j` とともに報告する。
#[test]
fn square_dim_reports_the_row_major_index_of_a_non_finite_entry() {
    // 3×3 の (1, 2) に NaN: 位置は 1·3 + 2 = 5
    let a = Mat::from_fn(3, 3, |i, j| if (i, j) == (1, 2) { f64::NAN } else { 1.0 });
    assert_eq!(
        square_dim(&a),
        Err(Error::NonFinite {
            what: "行列",
            index: 5
        })
    );
}

/// 対称性の許容誤差は最大成分に対する相対誤差である: 成分が `1e6` の大きさなら、
/// 丸め程度の非対称 `1e-6`（相対 `1e-12`）は対称とみなして平均で消し、相対 `1e-8` の非対称は断る。
#[test]
fn symmetry_tolerance_is_relative_to_the_largest_entry() {
    let a = SymmetricMatrix::new(from_rows(&[[1e6, 1.0], [1.0 + 1e-6, 2e6]]).unwrap()).unwrap();
    assert_eq!(a.get(0, 1), a.get(1, 0));
    assert!((a.get(0, 1).unwrap() - (1.0 + 0.5e-6)).abs() < 1e-15);
    assert!(matches!(
        SymmetricMatrix::new(from_rows(&[[1e6, 1.0], [1.0 + 1e-2, 2e6]]).unwrap()),
        Err(Error::NotSymmetric { .. })
    ));
}

/// `get(i, j)` は `i, j < n` のときだけ値を持つ（どちらの添字が範囲外でも `None`）。
#[test]
fn symmetric_matrix_get_is_none_when_either_index_is_out_of_range() {
    let a = SymmetricMatrix::new(from_rows(&[[1.0, 2.0], [2.0, 3.0]]).unwrap()).unwrap();
    assert_eq!(a.get(1, 1), Some(3.0));
    assert_eq!(a.get(0, 2), None);
    assert_eq!(a.get(2, 0), None);
    assert_eq!(a.get(2, 2), None);
}

/// 対称正定値行列の条件数は `λ_max / λ_min`: `diag(4, 1/2)` なら `8`。
#[test]
fn spd_condition_number_is_ratio_of_extreme_eigenvalues() {
    let s = Spd::new(from_rows(&[[4.0, 0.0], [0.0, 0.5]]).unwrap()).unwrap();
    assert_eq!(s.condition_number(), 8.0);
}

/// 特異値の比 `σ_min / σ_max` が `ε` 以下なら特異とみなして `κ = ∞`（判定は `σ_max` に対する相対）。
/// `diag(2, 2ε)` の特異値は `2` と `2ε` で、比はちょうど `ε` なので `∞`。`diag(2, 4ε)` は `κ = 1/(2ε)`。
#[test]
fn condition_number_treats_relative_singular_value_epsilon_as_singular() {
    let e = f64::EPSILON;
    let a = from_rows(&[[2.0, 0.0], [0.0, 2.0 * e]]).unwrap();
    assert_eq!(condition_number(&a).unwrap(), f64::INFINITY);
    let b = from_rows(&[[2.0, 0.0], [0.0, 4.0 * e]]).unwrap();
    assert_eq!(condition_number(&b).unwrap(), 1.0 / (2.0 * e));
}

/// 逆行列は条件数が上限 `MAX_CONDITION_NUMBER` 以下なら求める（上限ちょうどを含む）。
/// `diag(1e10, 1)` は `κ = 1e10` ちょうどで、逆行列は `diag(1e-10, 1)`。
#[test]
fn inverse_accepts_a_condition_number_exactly_at_the_limit() {
    let a = from_rows(&[[MAX_CONDITION_NUMBER, 0.0], [0.0, 1.0]]).unwrap();
    assert_eq!(condition_number(&a).unwrap(), MAX_CONDITION_NUMBER);
    let inv = inverse(&a).unwrap();
    assert!((inv[(0, 0)] - 1.0 / MAX_CONDITION_NUMBER).abs() < 1e-25);
    assert!((inv[(1, 1)] - 1.0).abs() < 1e-15);
    assert_eq!((inv[(0, 1)], inv[(1, 0)]), (0.0, 0.0));
}
