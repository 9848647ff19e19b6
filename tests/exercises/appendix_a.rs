//! 付録 A（行列の微分公式、ノート §10）の演習の答え。
//!
//! 期待値は手計算の閉じた形（2 次の行列式 ad − bc、多項式の偏微分）と、テストの中で書いた
//! 関数の中心差分で求め、クレートの `linalg::matcalc`（(A.1)–(A.8) の右辺）と比べる。

use genmodel::linalg::matcalc::{
    det, grad_det, grad_ln_abs_det, grad_quadratic_form, grad_quadratic_form_symmetric,
    grad_quadratic_form_wrt_matrix, grad_trace_product, quadratic_form,
};
use genmodel::ndarray::{array, Array1, Array2};
use genmodel::Error;

/// 中心差分の刻み。関数は 2 次以下の多項式か滑らかな ln det なので、誤差は h² 程度。
const H: f64 = 1e-5;
/// 中心差分と閉じた形の比較の許容誤差（丸め誤差 ~1e-16/H と打ち切り誤差 ~H² の和より大きく）。
const FD_TOL: f64 = 1e-8;

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

fn close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) -> bool {
    a.shape() == b.shape() && a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() < tol)
}

/// 行列の関数 `f` の、成分ごとの中心差分による勾配 (∂f/∂A_ij)。
fn fd_grad_matrix(f: impl Fn(&Array2<f64>) -> f64, a: &Array2<f64>) -> Array2<f64> {
    let mut g = Array2::zeros(a.raw_dim());
    for ((i, j), gij) in g.indexed_iter_mut() {
        let (mut ap, mut am) = (a.clone(), a.clone());
        ap[[i, j]] += H;
        am[[i, j]] -= H;
        *gij = (f(&ap) - f(&am)) / (2.0 * H);
    }
    g
}

/// 2 次の行列式を ad − bc で（LU 分解とは独立に）。
fn det2(a: &Array2<f64>) -> f64 {
    a[[0, 0]] * a[[1, 1]] - a[[0, 1]] * a[[1, 0]]
}

#[test]
fn ex_10_0_1_grad_quadratic_form_2x2() {
    let a = array![[2.0, 3.0], [-1.0, 1.0]];
    let x = array![1.0, 2.0];
    // 多項式 2x₁² + 2x₁x₂ + x₂² を定義どおりに
    let f = |v: &Array1<f64>| 2.0 * v[0] * v[0] + 2.0 * v[0] * v[1] + v[1] * v[1];
    let quad = |v: &Array1<f64>| v.dot(&a.dot(v));
    assert_eq!(a.dot(&x), array![8.0, 1.0]);
    assert_eq!(quad(&x), 10.0);
    assert_eq!(f(&x), 10.0);
    assert_eq!(quadratic_form(&a, &x).unwrap(), 10.0);
    // 多項式と xᵀAx が同じ関数であること（いくつかの点で）
    for v in [array![0.3, -1.7], array![-2.0, 0.5], array![4.0, 1.0]] {
        assert!((f(&v) - quad(&v)).abs() < 1e-12);
    }

    // 勾配: 手計算の偏微分 (4x₁ + 2x₂, 2x₁ + 2x₂) = (8, 6)
    let expected = array![8.0, 6.0];
    assert_eq!(
        array![4.0 * x[0] + 2.0 * x[1], 2.0 * x[0] + 2.0 * x[1]],
        expected
    );
    assert_eq!((&a + &a.t()).dot(&x), expected);
    assert_eq!(grad_quadratic_form(&a, &x).unwrap(), expected);
    // 中心差分
    for k in 0..2 {
        let (mut xp, mut xm) = (x.clone(), x.clone());
        xp[k] += H;
        xm[k] -= H;
        let fd = (quad(&xp) - quad(&xm)) / (2.0 * H);
        assert!((fd - expected[k]).abs() < FD_TOL);
    }
    // 2Ax = (16, 2) は勾配ではない。対称でない A には (A.2) の形は使えない
    let two_ax = 2.0 * a.dot(&x);
    assert_eq!(two_ax, array![16.0, 2.0]);
    assert!((two_ax[0] - expected[0]).abs() > 1.0 && (two_ax[1] - expected[1]).abs() > 1.0);
    assert!(matches!(
        grad_quadratic_form_symmetric(&a, &x),
        Err(Error::NotSymmetric { .. })
    ));

    // d/dA (xᵀAx) = x xᵀ = [[1, 2], [2, 4]]
    let outer = array![[1.0, 2.0], [2.0, 4.0]];
    assert_eq!(grad_quadratic_form_wrt_matrix(&x).unwrap(), outer);
    let g = fd_grad_matrix(|m| x.dot(&m.dot(&x)), &a);
    assert!(close(&g, &outer, FD_TOL));
}

#[test]
fn ex_10_0_2_grad_log_det_2x2() {
    let a = array![[3.0, 1.0], [2.0, 4.0]];
    assert_eq!(det2(&a), 10.0);
    assert!((det(&a).unwrap() - 10.0).abs() < 1e-13);

    // 余因子: ad − bc を各成分で偏微分 → [[d, −c], [−b, a]]
    let c = array![[4.0, -2.0], [-1.0, 3.0]];
    assert!(close(&grad_det(&a).unwrap(), &c, 1e-13));
    assert!(close(&fd_grad_matrix(det2, &a), &c, FD_TOL));

    // d ln det A / dA = C / det A = (A⁻¹)ᵀ
    let g = array![[0.4, -0.2], [-0.1, 0.3]];
    assert!(close(&(&c / 10.0), &g, 1e-15));
    assert!(close(&grad_ln_abs_det(&a).unwrap(), &g, 1e-13));
    assert!(close(&fd_grad_matrix(|m| det2(m).ln(), &a), &g, FD_TOL));
    // A⁻¹（転置なし）は [[0.4, −0.1], [−0.2, 0.3]]: A A⁻¹ = I だが勾配ではない
    let inv = array![[0.4, -0.1], [-0.2, 0.3]];
    assert!(close(&a.dot(&inv), &Array2::eye(2), 1e-14));
    assert!(close(&inv.t().to_owned(), &g, 1e-15));
    assert!(!close(&inv, &g, 0.05));

    // A₁₂ を 1 → 1.01: 勾配による見積もり −0.2 × 0.01 = −0.002、正確には ln 0.998
    let estimate = g[[0, 1]] * 0.01;
    assert!((estimate - (-0.002)).abs() < 1e-15);
    let mut b = a.clone();
    b[[0, 1]] = 1.01;
    assert!((det2(&b) - 9.98).abs() < 1e-13);
    let exact = det2(&b).ln() - det2(&a).ln();
    assert!((exact - 0.998f64.ln()).abs() < 1e-13);
    assert!(rounds_to(exact, 7, -0.0020020));
    // 見積もりとの差は 2 次の小ささ（0.01² 程度）
    assert!((exact - estimate).abs() < 1e-5);
}

#[test]
fn ex_10_0_3_trace_derivative_is_transpose() {
    let b = array![[1.0, 2.0], [3.0, 4.0]];
    let bt = array![[1.0, 3.0], [2.0, 4.0]];
    assert_eq!(grad_trace_product(&b).unwrap(), bt);
    // tr(AB) = Σ_{k,l} A_kl B_lk は A について 1 次式なので、どの A でも勾配は同じ
    let tr_ab = |m: &Array2<f64>| m.dot(&b).diag().sum();
    for a in [
        array![[0.0, 0.0], [0.0, 0.0]],
        array![[1.5, -2.0], [0.25, 3.0]],
    ] {
        let g = fd_grad_matrix(tr_ab, &a);
        assert!(close(&g, &bt, FD_TOL));
        assert!(!close(&g, &b, 0.5));
    }

    // d/dA (xᵀ A y) = x yᵀ（3 次、x ≠ y）。tr(A y xᵀ) の勾配 (y xᵀ)ᵀ としても求まる
    let x = array![1.0, -2.0, 3.0];
    let y = array![2.0, 0.0, -1.0];
    let a = array![[0.5, 1.0, -1.0], [2.0, -0.5, 0.0], [1.0, 3.0, 2.0]];
    let x_yt = Array2::from_shape_fn((3, 3), |(i, j)| x[i] * y[j]);
    let y_xt = Array2::from_shape_fn((3, 3), |(i, j)| y[i] * x[j]);
    let g = fd_grad_matrix(|m| x.dot(&m.dot(&y)), &a);
    assert!(close(&g, &x_yt, FD_TOL));
    assert!(close(&grad_trace_product(&y_xt).unwrap(), &x_yt, 1e-15));
    // xᵀAy = tr(A y xᵀ)（巡回性）
    assert!((x.dot(&a.dot(&y)) - a.dot(&y_xt).diag().sum()).abs() < 1e-13);
    // y = x なら (A.4) の x xᵀ
    let x_xt = Array2::from_shape_fn((3, 3), |(i, j)| x[i] * x[j]);
    assert!(close(
        &grad_trace_product(&x_xt).unwrap(),
        &grad_quadratic_form_wrt_matrix(&x).unwrap(),
        1e-15
    ));
}

/// 対称性を保つ向き H = e_i e_jᵀ + e_j e_iᵀ（i = j なら e_i e_iᵀ）の変化率を中心差分で。
fn fd_symmetric(f: impl Fn(&Array2<f64>) -> f64, s: &Array2<f64>, i: usize, j: usize) -> f64 {
    let mut hm = Array2::<f64>::zeros(s.raw_dim());
    hm[[i, j]] = 1.0;
    hm[[j, i]] = 1.0;
    (f(&(s + &(H * &hm))) - f(&(s - &(H * &hm)))) / (2.0 * H)
}

#[test]
fn ex_10_0_4_symmetric_derivative_doubles_off_diagonal() {
    let s = array![[2.0, 1.0], [1.0, 2.0]];
    let ln_det = |m: &Array2<f64>| det2(m).ln();
    // G = S⁻¹ = (1/3) [[2, −1], [−1, 2]]
    let g = array![[2.0, -1.0], [-1.0, 2.0]] / 3.0;
    assert!(close(&s.dot(&g), &Array2::eye(2), 1e-15));
    assert!(close(&grad_ln_abs_det(&s).unwrap(), &g, 1e-13));
    assert!(close(&fd_grad_matrix(ln_det, &s), &g, FD_TOL));

    // D₁₂ = G₁₂ + G₂₁ = 2 G₁₂ = −2/3。直接: d/dt ln(4 − (1 + t)²) at 0 = −2/3
    let d12 = fd_symmetric(ln_det, &s, 0, 1);
    assert!((d12 - (-2.0 / 3.0)).abs() < FD_TOL);
    assert!((d12 - 2.0 * g[[0, 1]]).abs() < FD_TOL);
    let direct = |t: f64| (4.0 - (1.0 + t) * (1.0 + t)).ln();
    assert!(((direct(H) - direct(-H)) / (2.0 * H) - (-2.0 / 3.0)).abs() < FD_TOL);
    // 対角成分は 1 つだけ動かすので D_ii = G_ii（2 倍にならない）
    for i in 0..2 {
        assert!((fd_symmetric(ln_det, &s, i, i) - g[[i, i]]).abs() < FD_TOL);
    }

    // 3 次の対称正定値行列でも、非対角成分はすべて 2 倍
    let s3 = array![[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.5, -1.0, 2.0]];
    let g3 = grad_ln_abs_det(&s3).unwrap();
    let ln_det3 = |m: &Array2<f64>| det(m).unwrap().ln();
    for i in 0..3 {
        for j in 0..3 {
            let d = fd_symmetric(ln_det3, &s3, i, j);
            let factor = if i == j { 1.0 } else { 2.0 };
            assert!((d - factor * g3[[i, j]]).abs() < 1e-7);
        }
    }
    // xᵀ A x の勾配 x xᵀ も対称なので同じ。(A.4) の非対角成分の 2 倍
    let x = array![1.0, -2.0];
    let q = |m: &Array2<f64>| x.dot(&m.dot(&x));
    let gq = grad_quadratic_form_wrt_matrix(&x).unwrap();
    assert!((fd_symmetric(q, &s, 0, 1) - 2.0 * gq[[0, 1]]).abs() < FD_TOL);

    // 勾配が対称でない関数（x ≠ y の xᵀ A y）では D_ij = G_ij + G_ji で、2 G_ij ではない
    let y = array![3.0, 1.0];
    let f = |m: &Array2<f64>| x.dot(&m.dot(&y));
    let gf = Array2::from_shape_fn((2, 2), |(i, j)| x[i] * y[j]);
    let d = fd_symmetric(f, &s, 0, 1);
    assert!((d - (gf[[0, 1]] + gf[[1, 0]])).abs() < FD_TOL);
    assert!((d - 2.0 * gf[[0, 1]]).abs() > 1.0);
}
