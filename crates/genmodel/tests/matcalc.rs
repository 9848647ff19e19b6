//! 付録 A（ノート §10）行列の微分公式 (A.1)–(A.8)（ノートの (10.1)–(10.8)）の検証。
//!
//! 公式の右辺を、乱数で作った**非対称**な行列（公式が対称性や正定値性を要るときはそれ）での
//! 中心差分と成分ごとに比べる。行列式の参照値は、テストの中で書いたラプラス展開（再帰）と
//! faer の LU 分解の 2 通り。

// 添字のループは数式の Σ_i, Σ_j をそのまま写したもの
#![allow(clippy::needless_range_loop)]

use genmodel::linalg::matcalc::{
    adjugate, cofactor_expansion, cofactor_matrix, grad_det, grad_ln_abs_det,
    grad_ln_det_cov_wrt_precision, grad_quadratic_form, grad_quadratic_form_symmetric,
    grad_quadratic_form_wrt_matrix, grad_trace_product, minor, quadratic_form,
};
use genmodel::linalg::{determinant, inverse};
use genmodel::prec::{FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use ndarray::{Array2, ArrayView2, Axis, Slice, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 成分が [-1, 1) の乱数の `n × n` 行列。乱数は列ごとに（列優先の順に）引く。
fn random_matrix(rng: &mut ChaCha8Rng, n: usize) -> Array2<f64> {
    let mut a = Array2::zeros((n, n));
    for j in 0..n {
        for i in 0..n {
            a[[i, j]] = rng.random_range(-1.0..1.0);
        }
    }
    a
}

fn random_vec(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// よく条件づけられた非対称行列 `R + 2I`（`R` の成分は [-1, 1)）。
fn well_conditioned(rng: &mut ChaCha8Rng, n: usize) -> Array2<f64> {
    let r = random_matrix(rng, n);
    Array2::from_shape_fn((n, n), |(i, j)| r[[i, j]] + if i == j { 2.0 } else { 0.0 })
}

fn is_far_from_symmetric(a: &Array2<f64>) -> bool {
    let n = a.nrows();
    (0..n).any(|i| (0..n).any(|j| (a[[i, j]] - a[[j, i]]).abs() > 0.1))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// スカラー関数 `f(A)` の成分ごとの中心差分 `∂f/∂A_ij`（他の成分は固定）。
fn fd_matrix(f: &dyn Fn(&Array2<f64>) -> f64, a: &Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    Array2::from_shape_fn((n, n), |(i, j)| {
        let h = FINITE_DIFFERENCE_STEP * a[[i, j]].abs().max(1.0);
        let (mut p, mut m) = (a.clone(), a.clone());
        p[[i, j]] += h;
        m[[i, j]] -= h;
        (f(&p) - f(&m)) / (2.0 * h)
    })
}

fn fd_vector(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|k| {
            let h = FINITE_DIFFERENCE_STEP * x[k].abs().max(1.0);
            let (mut p, mut m) = (x.to_vec(), x.to_vec());
            p[k] += h;
            m[k] -= h;
            (f(&p) - f(&m)) / (2.0 * h)
        })
        .collect()
}

fn assert_mat_close(a: &Array2<f64>, b: &Array2<f64>, rel: f64) {
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            assert!(
                close(a[[i, j]], b[[i, j]], rel),
                "({i},{j}): {} vs {}",
                a[[i, j]],
                b[[i, j]]
            );
        }
    }
}

fn mats_differ(a: &Array2<f64>, b: &Array2<f64>, by: f64) -> bool {
    (0..a.nrows()).any(|i| (0..a.ncols()).any(|j| (a[[i, j]] - b[[i, j]]).abs() > by))
}

/// テスト専用の行列式: 第 0 行に沿ったラプラス展開の再帰（LU 分解とは独立）。
fn det_laplace(a: &Array2<f64>) -> f64 {
    let n = a.nrows();
    if n == 1 {
        return a[[0, 0]];
    }
    (0..n)
        .map(|j| {
            let sub = Array2::from_shape_fn((n - 1, n - 1), |(r, c)| {
                a[[r + 1, if c < j { c } else { c + 1 }]]
            });
            let s = if j % 2 == 0 { 1.0 } else { -1.0 };
            s * a[[0, j]] * det_laplace(&sub)
        })
        .sum()
}

// ---------------------------------------------------------------- (A.1), (A.2)

#[test]
fn eq_a_1_grad_quadratic_form_is_a_plus_a_transpose_x() {
    let mut rng = ChaCha8Rng::seed_from_u64(101);
    for n in 1..=6 {
        let a = random_matrix(&mut rng, n);
        let x = random_vec(&mut rng, n);
        let g = grad_quadratic_form(&a, &x).unwrap();
        let fd = fd_vector(&|v: &[f64]| quadratic_form(&a, v).unwrap(), &x);
        for k in 0..n {
            assert!(
                close(g[k], fd[k], FINITE_DIFFERENCE_TOLERANCE),
                "n = {n}: {g:?} vs 差分 {fd:?}"
            );
        }
    }
}

#[test]
fn eq_a_2_symmetric_case_is_two_sigma_inverse_x() {
    let mut rng = ChaCha8Rng::seed_from_u64(102);
    let a = random_matrix(&mut rng, 4);
    let s = Array2::from_shape_fn((4, 4), |(i, j)| a[[i, j]] + a[[j, i]]);
    let x = random_vec(&mut rng, 4);
    let g = grad_quadratic_form_symmetric(&s, &x).unwrap();
    let fd = fd_vector(&|v: &[f64]| quadratic_form(&s, v).unwrap(), &x);
    for k in 0..4 {
        assert!(close(g[k], fd[k], FINITE_DIFFERENCE_TOLERANCE));
    }
    // 対称でない A に 2Ax を使うと差分と合わない（(A.2) は対称性を要る）
    assert!(is_far_from_symmetric(&a));
    let two_ax: Vec<f64> = (0..4)
        .map(|i| 2.0 * (0..4).map(|j| a[[i, j]] * x[j]).sum::<f64>())
        .collect();
    let fd_a = fd_vector(&|v: &[f64]| quadratic_form(&a, v).unwrap(), &x);
    assert!((0..4).any(|k| (two_ax[k] - fd_a[k]).abs() > 1e-3));
    assert!(grad_quadratic_form_symmetric(&a, &x).is_err());
}

// ---------------------------------------------------------------- (A.3), (A.4)

#[test]
fn eq_a_3_trace_derivative_is_transpose() {
    // d/dA tr(AB) = Bᵀ: 和の添字を k, l として ∂/∂A_ij Σ_{k,l} A_kl B_lk = B_ji
    let mut rng = ChaCha8Rng::seed_from_u64(103);
    let a = random_matrix(&mut rng, 4);
    let b = random_matrix(&mut rng, 4);
    assert!(is_far_from_symmetric(&b));
    let tr_ab = |m: &Array2<f64>| {
        (0..4)
            .map(|k| (0..4).map(|l| m[[k, l]] * b[[l, k]]).sum::<f64>())
            .sum::<f64>()
    };
    let fd = fd_matrix(&tr_ab, &a);
    assert_mat_close(
        &grad_trace_product(&b).unwrap(),
        &fd,
        FINITE_DIFFERENCE_TOLERANCE,
    );
    // 転置を落とした B では合わない
    assert!(mats_differ(&b, &fd, 1e-3));
    // B = x xᵀ なら x_j x_i = x_i x_j。ノートの (10.3) のように和の添字にも i, j を使い、
    // 各項をその項の成分で微分して足す読み方をすると、どの (i, j) でも Σ_{k,l} x_l x_k = (Σ x)² になって合わない
    let x = random_vec(&mut rng, 4);
    let fd_q = fd_matrix(&|m: &Array2<f64>| quadratic_form(m, &x).unwrap(), &a);
    let literal = x.iter().sum::<f64>().powi(2);
    assert!((0..4).any(|i| (0..4).any(|j| (fd_q[[i, j]] - literal).abs() > 1e-3)));
    for i in 0..4 {
        for j in 0..4 {
            assert!(close(
                fd_q[[i, j]],
                x[i] * x[j],
                FINITE_DIFFERENCE_TOLERANCE
            ));
        }
    }
}

#[test]
fn eq_a_4_grad_wrt_matrix_is_outer_product() {
    let mut rng = ChaCha8Rng::seed_from_u64(104);
    for n in 1..=5 {
        let a = random_matrix(&mut rng, n);
        let x = random_vec(&mut rng, n);
        let fd = fd_matrix(&|m: &Array2<f64>| quadratic_form(m, &x).unwrap(), &a);
        assert_mat_close(
            &grad_quadratic_form_wrt_matrix(&x).unwrap(),
            &fd,
            FINITE_DIFFERENCE_TOLERANCE,
        );
    }
}

// ---------------------------------------------------------------- (A.5), (A.6)

#[test]
fn eq_a_5_cofactor_expansion_along_any_fixed_row() {
    let mut rng = ChaCha8Rng::seed_from_u64(105);
    for n in 1..=6 {
        let a = random_matrix(&mut rng, n);
        let reference = det_laplace(&a);
        assert!(close(determinant(&a).unwrap(), reference, 1e-12));
        // どの行 i で展開しても（i を固定して j について和をとる）同じ det A
        for i in 0..n {
            assert!(
                close(cofactor_expansion(&a, i).unwrap(), reference, 1e-12),
                "n = {n}, 行 {i}"
            );
        }
        // 列に沿った展開 Σ_i (-1)^{i+j} A_ij m_ij も同じ（det A = det Aᵀ）
        for j in 0..n {
            let col: f64 = (0..n)
                .map(|i| if (i + j) % 2 == 0 { 1.0 } else { -1.0 } * a[[i, j]] * minor(&a, i, j).unwrap())
                .sum();
            assert!(close(col, reference, 1e-12));
        }
    }
    // 手で計算できる例: det [[1, 2, 3], [4, 5, 6], [7, 8, 10]] = -3
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]];
    for i in 0..3 {
        assert!((cofactor_expansion(&a, i).unwrap() + 3.0).abs() < 1e-12);
    }
}

#[test]
fn eq_a_6_grad_det_is_cofactor_matrix_entry_by_entry() {
    let mut rng = ChaCha8Rng::seed_from_u64(106);
    for n in 1..=5 {
        let a = random_matrix(&mut rng, n);
        let fd = fd_matrix(&|m: &Array2<f64>| det_laplace(m), &a);
        let c = grad_det(&a).unwrap();
        assert_mat_close(&c, &fd, FINITE_DIFFERENCE_TOLERANCE);
        for i in 0..n {
            for j in 0..n {
                // C_ij = (-1)^{i+j} m_ij、小行列式は参照実装で
                let sub = Array2::from_shape_fn((n - 1, n - 1), |(r, s)| {
                    a[[if r < i { r } else { r + 1 }, if s < j { s } else { s + 1 }]]
                });
                let m_ij = if n == 1 { 1.0 } else { det_laplace(&sub) };
                let s = if (i + j) % 2 == 0 { 1.0 } else { -1.0 };
                assert!(close(c[[i, j]], s * m_ij, 1e-12));
            }
        }
    }
}

#[test]
fn eq_a_6_minors_of_row_i_do_not_depend_on_row_i() {
    // (A.6) の要点: 第 i 行の小行列式 m_ik は第 i 行を除いて作るので A_ij によらない。
    // だから ∂/∂A_ij Σ_k (-1)^{i+k} A_ik m_ik = (-1)^{i+j} m_ij。
    let mut rng = ChaCha8Rng::seed_from_u64(1061);
    let a = random_matrix(&mut rng, 4);
    let mut b = a.clone();
    for j in 0..4 {
        b[[2, j]] = rng.random_range(-5.0..5.0);
    }
    for k in 0..4 {
        assert_eq!(minor(&a, 2, k).unwrap(), minor(&b, 2, k).unwrap());
    }
    // ノートの (10.6) のように和の添字にも j を使い、和の各項をその項の A_ij で微分して足す読み方では
    // (i, j) によらず Σ_k C_ik になる。これは C_ij と合わない
    let c = cofactor_matrix(&a).unwrap();
    let fd = fd_matrix(&|m: &Array2<f64>| det_laplace(m), &a);
    let literal = Array2::from_shape_fn((4, 4), |(i, _)| (0..4).map(|k| c[[i, k]]).sum::<f64>());
    assert!(mats_differ(&literal, &fd, 1e-3));
}

// ---------------------------------------------------------------- (A.7), (A.8)

#[test]
fn eq_a_7_adjugate_identity_entry_by_entry() {
    let mut rng = ChaCha8Rng::seed_from_u64(107);
    for n in 1..=5 {
        let a = random_matrix(&mut rng, n);
        let det = det_laplace(&a);
        let adj = adjugate(&a).unwrap();
        let c = cofactor_matrix(&a).unwrap();
        // adj A = Cᵀ
        for i in 0..n {
            for j in 0..n {
                assert_eq!(adj[[i, j]], c[[j, i]]);
            }
        }
        // A adj(A) = adj(A) A = det(A) I（スカラー det(A) ではなく、単位行列の det(A) 倍）
        for i in 0..n {
            for j in 0..n {
                let left: f64 = (0..n).map(|k| a[[i, k]] * adj[[k, j]]).sum();
                let right: f64 = (0..n).map(|k| adj[[i, k]] * a[[k, j]]).sum();
                let want = if i == j { det } else { 0.0 };
                assert!(
                    (left - want).abs() < 1e-12 && (right - want).abs() < 1e-12,
                    "n = {n} ({i},{j})"
                );
            }
        }
        if n >= 2 && is_far_from_symmetric(&a) {
            // 転置を忘れて余因子行列 C そのものを掛けると det(A) I にならない
            let ac = Array2::from_shape_fn((n, n), |(i, j)| {
                (0..n).map(|k| a[[i, k]] * c[[k, j]]).sum::<f64>()
            });
            let want = Array2::from_shape_fn((n, n), |(i, j)| if i == j { det } else { 0.0 });
            assert!(mats_differ(&ac, &want, 1e-6));
        }
    }
}

#[test]
fn eq_a_7_grad_log_det_is_inverse_transpose() {
    let mut rng = ChaCha8Rng::seed_from_u64(1071);
    for n in 1..=5 {
        let a = well_conditioned(&mut rng, n);
        let fd = fd_matrix(&|m: &Array2<f64>| det_laplace(m).abs().ln(), &a);
        let g = grad_ln_abs_det(&a).unwrap();
        assert_mat_close(&g, &fd, FINITE_DIFFERENCE_TOLERANCE);
        // C / det A と同じ
        let c = cofactor_matrix(&a).unwrap();
        let det = det_laplace(&a);
        assert_mat_close(
            &g,
            &Array2::from_shape_fn((n, n), |(i, j)| c[[i, j]] / det),
            1e-12,
        );
        // 転置のない A⁻¹ では（非対称な A で）合わない
        if n >= 2 {
            assert!(is_far_from_symmetric(&a));
            assert!(mats_differ(&inverse(&a).unwrap(), &fd, 1e-4));
        }
    }
    // det A < 0 でも ln |det A| の勾配は同じ式
    let a = array![[0.0, 1.0], [1.0, 0.5]];
    let fd = fd_matrix(&|m: &Array2<f64>| det_laplace(m).abs().ln(), &a);
    assert_mat_close(
        &grad_ln_abs_det(&a).unwrap(),
        &fd,
        FINITE_DIFFERENCE_TOLERANCE,
    );
}

#[test]
fn eq_a_8_grad_log_det_cov_wrt_precision_is_minus_cov() {
    let mut rng = ChaCha8Rng::seed_from_u64(108);
    for n in 1..=4 {
        // 非対称な Λ: f(Λ) = ln det(Λ⁻¹) の勾配は -(Λ⁻¹)ᵀ = -Σᵀ
        let lam = well_conditioned(&mut rng, n);
        let f = |m: &Array2<f64>| det_laplace(&inverse(m).unwrap()).abs().ln();
        let fd = fd_matrix(&f, &lam);
        let g = grad_ln_det_cov_wrt_precision(&lam).unwrap();
        assert_mat_close(&g, &fd, FINITE_DIFFERENCE_TOLERANCE);
        let sigma = inverse(&lam).unwrap();
        assert_mat_close(
            &g,
            &Array2::from_shape_fn((n, n), |(i, j)| -sigma[[j, i]]),
            1e-12,
        );
        // 対称正定値な Λ なら -Σᵀ = -Σ
        let b = random_matrix(&mut rng, n);
        let spd = Array2::from_shape_fn((n, n), |(i, j)| {
            (0..n).map(|k| b[[i, k]] * b[[j, k]]).sum::<f64>() + if i == j { 0.5 } else { 0.0 }
        });
        let sigma = inverse(&spd).unwrap();
        let g = grad_ln_det_cov_wrt_precision(&spd).unwrap();
        assert_mat_close(
            &g,
            &Array2::from_shape_fn((n, n), |(i, j)| -sigma[[i, j]]),
            1e-12,
        );
        assert_mat_close(&g, &fd_matrix(&f, &spd), FINITE_DIFFERENCE_TOLERANCE);
    }
}

// ---------------------------------------------------------------- 連続でないビュー

/// 添字どおりに写した、行優先で連続な複製（比較の相手）。
fn contiguous(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let c = Array2::from_shape_fn(a.dim(), |(i, j)| a[[i, j]]);
    assert!(c.is_standard_layout());
    c
}

fn assert_all_close<'a>(
    a: impl IntoIterator<Item = &'a f64>,
    b: impl IntoIterator<Item = &'a f64>,
) {
    for (x, y) in a.into_iter().zip(b) {
        assert!(close(*x, *y, 1e-14), "{x} vs {y}");
    }
}

/// 転置のビュー `a.t()`、1 つおきの行と列を切り出したビュー、逆順のベクトルを渡しても、
/// 付録 A の公式の関数は連続な複製を渡したときと同じ値を返す。転置には独立な恒等式
/// （`tr(A B)` の勾配 `(Bᵀ)ᵀ = B`、`det Aᵀ = det A`、`adj(Aᵀ) = adj(A)ᵀ`）でも確かめる。
#[test]
fn non_contiguous_views_give_the_same_result_as_a_contiguous_copy() {
    let mut rng = ChaCha8Rng::seed_from_u64(1_010);
    let a = well_conditioned(&mut rng, 4);
    assert!(is_far_from_symmetric(&a));
    // 偶数番目の行・奇数番目の列が a になる 8 × 8 の行列。残りの成分は a と無関係な大きな値
    let mut big = Array2::from_shape_fn((8, 8), |(i, j)| 100.0 + (i * 8 + j) as f64);
    for i in 0..4 {
        for j in 0..4 {
            big[[2 * i, 2 * j + 1]] = a[[i, j]];
        }
    }
    let sliced = big
        .slice_axis(Axis(0), Slice::from(..).step_by(2))
        .slice_axis_move(Axis(1), Slice::from(1..).step_by(2));
    let xs = Array2::from_shape_fn((4, 3), |_| rng.random_range(-1.0..1.0));
    let x = xs.column(1);
    let xc = x.to_vec();
    let sym = &a + &a.t();
    for v in [a.t(), sliced] {
        assert!(!v.is_standard_layout());
        let c = contiguous(v);
        assert!(close(
            quadratic_form(v, x).unwrap(),
            quadratic_form(&c, &xc).unwrap(),
            1e-14
        ));
        assert_all_close(
            &grad_quadratic_form(v, x).unwrap(),
            &grad_quadratic_form(&c, &xc).unwrap(),
        );
        assert_all_close(
            &grad_trace_product(v).unwrap(),
            &grad_trace_product(&c).unwrap(),
        );
        assert!(close(determinant(v).unwrap(), det_laplace(&c), 1e-12));
        assert_all_close(&inverse(v).unwrap(), &inverse(&c).unwrap());
        for i in 0..4 {
            assert!(close(
                cofactor_expansion(v, i).unwrap(),
                cofactor_expansion(&c, i).unwrap(),
                1e-14
            ));
            for j in 0..4 {
                assert!(close(
                    minor(v, i, j).unwrap(),
                    minor(&c, i, j).unwrap(),
                    1e-14
                ));
            }
        }
        assert_all_close(&cofactor_matrix(v).unwrap(), &cofactor_matrix(&c).unwrap());
        assert_all_close(&grad_det(v).unwrap(), &grad_det(&c).unwrap());
        assert_all_close(&adjugate(v).unwrap(), &adjugate(&c).unwrap());
        assert_all_close(&grad_ln_abs_det(v).unwrap(), &grad_ln_abs_det(&c).unwrap());
        assert_all_close(
            &grad_ln_det_cov_wrt_precision(v).unwrap(),
            &grad_ln_det_cov_wrt_precision(&c).unwrap(),
        );
    }
    // 転置のビューについての独立な恒等式
    assert_eq!(grad_trace_product(a.t()).unwrap(), a);
    assert!(close(determinant(a.t()).unwrap(), det_laplace(&a), 1e-12));
    assert_all_close(
        &adjugate(a.t()).unwrap(),
        &adjugate(&a).unwrap().t().to_owned(),
    );
    // 対称行列の転置のビュー、逆順のベクトル
    let rev = xs
        .column(2)
        .slice_axis_move(Axis(0), Slice::from(..).step_by(-1));
    let revc = rev.to_vec();
    assert_all_close(
        &grad_quadratic_form_symmetric(sym.t(), rev).unwrap(),
        &grad_quadratic_form_symmetric(&sym, &revc).unwrap(),
    );
    assert_all_close(
        &grad_quadratic_form_wrt_matrix(rev).unwrap(),
        &grad_quadratic_form_wrt_matrix(&revc).unwrap(),
    );
    let outer = grad_quadratic_form_wrt_matrix(rev).unwrap();
    assert!((0..4).all(|i| (0..4).all(|j| outer[[i, j]] == revc[i] * revc[j])));
}
