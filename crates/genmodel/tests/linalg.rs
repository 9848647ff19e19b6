//! 線形代数の包み（`genmodel::linalg`、§2.4・§2.6・付録 A）の入力検査と境界の検証。
//!
//! 期待値は手で求めた値（対角行列の固有値・条件数、行優先の位置）か、検査の定義
//! （`max |A_ij − A_ji| ≤ SYMMETRY_TOLERANCE · max |A_ij|`）から直接決める。

use genmodel::Error;
use genmodel::linalg::{
    Spd, SymmetricMatrix, condition_number, determinant, ensure_symmetric, inverse, square_dim,
    symmetric_eigen,
};
use genmodel::prec::MAX_CONDITION_NUMBER;
use ndarray::{Array2, ArrayView2, Axis, Slice, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 非有限の成分は、行優先で平らにした位置 `i·n + j` とともに報告する。
#[test]
fn square_dim_reports_the_row_major_index_of_a_non_finite_entry() {
    // 3×3 の (1, 2) に NaN: 位置は 1·3 + 2 = 5
    let a = Array2::from_shape_fn(
        (3, 3),
        |(i, j)| if (i, j) == (1, 2) { f64::NAN } else { 1.0 },
    );
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
    let a = SymmetricMatrix::new(array![[1e6, 1.0], [1.0 + 1e-6, 2e6]]).unwrap();
    assert_eq!(a.get(0, 1), a.get(1, 0));
    assert!((a.get(0, 1).unwrap() - (1.0 + 0.5e-6)).abs() < 1e-15);
    assert!(matches!(
        SymmetricMatrix::new(array![[1e6, 1.0], [1.0 + 1e-2, 2e6]]),
        Err(Error::NotSymmetric { .. })
    ));
}

/// `get(i, j)` は `i, j < n` のときだけ値を持つ（どちらの添字が範囲外でも `None`）。
#[test]
fn symmetric_matrix_get_is_none_when_either_index_is_out_of_range() {
    let a = SymmetricMatrix::new(array![[1.0, 2.0], [2.0, 3.0]]).unwrap();
    assert_eq!(a.get(1, 1), Some(3.0));
    assert_eq!(a.get(0, 2), None);
    assert_eq!(a.get(2, 0), None);
    assert_eq!(a.get(2, 2), None);
}

/// 対称正定値行列の条件数は `λ_max / λ_min`: `diag(4, 1/2)` なら `8`。
#[test]
fn spd_condition_number_is_ratio_of_extreme_eigenvalues() {
    let s = Spd::new(array![[4.0, 0.0], [0.0, 0.5]]).unwrap();
    assert_eq!(s.condition_number(), 8.0);
}

/// 特異値の比 `σ_min / σ_max` が `ε` 以下なら特異とみなして `κ = ∞`（判定は `σ_max` に対する相対）。
/// `diag(2, 2ε)` の特異値は `2` と `2ε` で、比はちょうど `ε` なので `∞`。`diag(2, 4ε)` は `κ = 1/(2ε)`。
#[test]
fn condition_number_treats_relative_singular_value_epsilon_as_singular() {
    let e = f64::EPSILON;
    let a = array![[2.0, 0.0], [0.0, 2.0 * e]];
    assert_eq!(condition_number(&a).unwrap(), f64::INFINITY);
    let b = array![[2.0, 0.0], [0.0, 4.0 * e]];
    assert_eq!(condition_number(&b).unwrap(), 1.0 / (2.0 * e));
}

/// 逆行列は条件数が上限 `MAX_CONDITION_NUMBER` 以下なら求める（上限ちょうどを含む）。
/// `diag(1e10, 1)` は `κ = 1e10` ちょうどで、逆行列は `diag(1e-10, 1)`。
#[test]
fn inverse_accepts_a_condition_number_exactly_at_the_limit() {
    let a = array![[MAX_CONDITION_NUMBER, 0.0], [0.0, 1.0]];
    assert_eq!(condition_number(&a).unwrap(), MAX_CONDITION_NUMBER);
    let inv = inverse(&a).unwrap();
    assert!((inv[[0, 0]] - 1.0 / MAX_CONDITION_NUMBER).abs() < 1e-25);
    assert!((inv[[1, 1]] - 1.0).abs() < 1e-15);
    assert_eq!((inv[[0, 1]], inv[[1, 0]]), (0.0, 0.0));
}

// ---------------------------------------------------------------- 連続でないビュー

/// 添字どおりに写した、行優先で連続な複製（比較の相手）。
fn contiguous(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let c = Array2::from_shape_fn(a.dim(), |(i, j)| a[[i, j]]);
    assert!(c.is_standard_layout());
    c
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

fn all_close(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>, rel: f64) -> bool {
    a.dim() == b.dim() && a.iter().zip(b).all(|(x, y)| close(*x, *y, rel))
}

/// 乱数の対称正定値行列 `B Bᵀ + I`（成分ごとに同じ順で足すので厳密に対称）。
fn random_spd(rng: &mut ChaCha8Rng, n: usize) -> Array2<f64> {
    let b = Array2::from_shape_fn((n, n), |_| rng.random_range(-1.0..1.0));
    Array2::from_shape_fn((n, n), |(i, j)| {
        (0..n).map(|k| b[[i, k]] * b[[j, k]]).sum::<f64>() + if i == j { 1.0 } else { 0.0 }
    })
}

/// 非有限の成分の位置は、メモリ上の順ではなく添字の行優先の位置で報告する:
/// 転置のビューの (1, 2) に NaN があれば、格納の順によらず 1·3 + 2 = 5。
#[test]
fn square_dim_reports_the_logical_index_in_a_transposed_view() {
    // 格納は (2, 1) に NaN。その転置のビューでは (1, 2)
    let stored = Array2::from_shape_fn(
        (3, 3),
        |(i, j)| if (i, j) == (2, 1) { f64::NAN } else { 1.0 },
    );
    let view = stored.t();
    assert!(!view.is_standard_layout());
    assert_eq!(
        square_dim(view),
        Err(Error::NonFinite {
            what: "行列",
            index: 5
        })
    );
    // 正方でないことも、見かけの形（転置後）で判定する: 格納 2 × 3 の転置は 3 × 2
    let wide = Array2::<f64>::zeros((2, 3));
    assert_eq!(
        square_dim(wide.t()),
        Err(Error::DimensionMismatch {
            expected: 3,
            actual: 2
        })
    );
}

/// 非対称な行列の転置のビュー・切り出したビューでも、対称性の検査は添字どおりの成分で行い、
/// 行列式・逆行列・条件数は連続な複製と同じ値になる（`det Aᵀ = det A`、`(Aᵀ)⁻¹ = (A⁻¹)ᵀ` でも確かめる）。
#[test]
fn general_matrix_functions_read_non_contiguous_views_by_index() {
    let a = array![[4.0, 1.0, 0.5], [-2.0, 3.0, 1.0], [0.0, 2.5, 5.0]];
    // a を偶数番目の行・列に置き、残りは無関係な値
    let mut big = Array2::from_shape_fn((6, 6), |(i, j)| -7.0 + (i * 6 + j) as f64);
    for i in 0..3 {
        for j in 0..3 {
            big[[2 * i, 2 * j]] = a[[i, j]];
        }
    }
    let sliced = big
        .slice_axis(Axis(0), Slice::from(..).step_by(2))
        .slice_axis_move(Axis(1), Slice::from(..).step_by(2));
    assert_eq!(sliced, a);
    // 2×2 の行列式の展開で求めた det a = 4(15 - 2.5) - 1(-10 - 0) + 0.5(-5 - 0) = 57.5
    let det_a = 57.5;
    for v in [a.t(), sliced] {
        assert!(!v.is_standard_layout());
        let c = contiguous(v);
        assert!(
            matches!(ensure_symmetric(v), Err(Error::NotSymmetric { max_asymmetry }) if max_asymmetry == 3.0)
        );
        assert!(close(determinant(v).unwrap(), det_a, 1e-14));
        assert!(close(
            determinant(v).unwrap(),
            determinant(&c).unwrap(),
            1e-15
        ));
        assert!(close(
            condition_number(v).unwrap(),
            condition_number(&c).unwrap(),
            1e-14
        ));
        let inv = inverse(v).unwrap();
        assert!(all_close(inv.view(), inverse(&c).unwrap().view(), 1e-14));
        // v · v⁻¹ = I
        assert!(all_close(v.dot(&inv).view(), Array2::eye(3).view(), 1e-14));
    }
    let inv_t = inverse(a.t()).unwrap();
    assert!(all_close(inv_t.view(), inverse(&a).unwrap().t(), 1e-14));
}

/// 対称行列の固有値分解・[`SymmetricMatrix`]・[`Spd`] は、列優先の所有配列（`.t().to_owned()`）、
/// 歩幅つきの所有配列（`slice_axis_inplace` で間引いたもの）、転置や切り出しのビューで渡しても、
/// 連続な複製と同じ固有値・固有ベクトル（符号を除く）・Cholesky 因子・逆行列になる。
/// 間引いた配列の捨てた成分は非対称な大きな値にしておく（読み違えれば検査で落ちるか値が変わる）。
#[test]
fn symmetric_and_spd_matrices_accept_column_major_and_strided_storage() {
    let mut rng = ChaCha8Rng::seed_from_u64(2_017);
    for n in 1..=5 {
        let a = random_spd(&mut rng, n);
        let column_major = a.t().to_owned();
        let mut strided = Array2::from_shape_fn((2 * n, 3 * n), |(i, j)| {
            if i % 2 == 0 && j % 3 == 1 {
                a[[i / 2, j / 3]]
            } else {
                1e6 * (i as f64 + 10.0 * j as f64)
            }
        });
        strided.slice_axis_inplace(Axis(0), Slice::from(..).step_by(2));
        strided.slice_axis_inplace(Axis(1), Slice::from(1..).step_by(3));
        assert_eq!(strided, a);
        if n > 1 {
            assert!(!column_major.is_standard_layout() && !strided.is_standard_layout());
        }

        let want = symmetric_eigen(&a).unwrap();
        // 固有値の和は跡 tr A、積は det A（独立な確かめ）
        let trace: f64 = (0..n).map(|i| a[[i, i]]).sum();
        assert!(close(want.values.sum(), trace, 1e-13));
        assert!(close(
            want.values.product(),
            determinant(&a).unwrap(),
            1e-12
        ));
        let mut big =
            Array2::from_shape_fn((n + 1, n + 2), |(i, j)| 5.0 * i as f64 - 3.0 * j as f64);
        big.slice_axis_mut(Axis(0), Slice::from(1..))
            .slice_axis_move(Axis(1), Slice::from(2..))
            .assign(&a);
        let block = big
            .slice_axis(Axis(0), Slice::from(1..))
            .slice_axis_move(Axis(1), Slice::from(2..));
        let views = [a.t(), block, column_major.view(), strided.view()];
        for v in views {
            let e = symmetric_eigen(v).unwrap();
            assert!(
                e.values
                    .iter()
                    .zip(&want.values)
                    .all(|(x, y)| close(*x, *y, 1e-14))
            );
            for k in 0..n {
                let (p, q) = (e.vectors.column(k), want.vectors.column(k));
                let sign = if p.dot(&q) < 0.0 { -1.0 } else { 1.0 };
                assert!(p.iter().zip(q).all(|(x, y)| (sign * x - y).abs() < 1e-13));
            }
        }

        let reference = Spd::new(a.clone()).unwrap();
        for stored in [column_major.clone(), strided.clone()] {
            let sm = SymmetricMatrix::new(stored.clone()).unwrap();
            assert_eq!(sm.matrix(), a);
            let spd = Spd::new(stored).unwrap();
            assert_eq!(spd.matrix(), a);
            assert!(all_close(
                spd.cholesky_lower(),
                reference.cholesky_lower(),
                1e-14
            ));
            assert!(close(spd.ln_det(), reference.ln_det(), 1e-14));
            let inv = spd.inverse().unwrap();
            assert!(all_close(
                inv.view(),
                reference.inverse().unwrap().view(),
                1e-13
            ));
            // A A⁻¹ = I
            assert!(all_close(a.dot(&inv).view(), Array2::eye(n).view(), 1e-12));
        }
    }
}

/// 分解の途中であふれても、行列式そのものが表せれば正しい値を返す（誤り・0・∞ にしない）。
#[test]
fn determinant_survives_overflow_inside_the_factorization() {
    // 対角の積: 1e300 · 1e300 が途中であふれるが、det = 1e300
    let diag = array![[1e300, 0.0, 0.0], [0.0, 1e300, 0.0], [0.0, 0.0, 1e-300]];
    let d = determinant(&diag).unwrap();
    assert!((d / 1e300 - 1.0).abs() < 1e-12, "{d}");
    // 行の入れ替えの符号も合う: 2 行目と 3 行目を入れ替えると det = -1e300
    let swapped = array![[1e300, 0.0, 0.0], [0.0, 0.0, 1e-300], [0.0, 1e300, 0.0]];
    let d = determinant(&swapped).unwrap();
    assert!((d / -1e300 - 1.0).abs() < 1e-12, "{d}");
    // 消去の途中 u22 = -1e308 - 1e308 があふれる: det = 0.25·(-1e308) - 1e308·0.25 = -5e307
    let elim = array![[0.25, 1e308], [0.25, -1e308]];
    let d = determinant(&elim).unwrap();
    assert!((d / -5e307 - 1.0).abs() < 1e-12, "{d}");
    // 本当に範囲を超える行列式は、∞ ではなく型つきの誤り
    assert!(matches!(
        determinant(&array![[1e200, 0.0], [0.0, 1e200]]),
        Err(genmodel::Error::Overflow { .. })
    ));
}
