//! §2.6 勾配法と代理関数（式 (2.31)–(2.44)）の検証。
//!
//! 試す関数:
//! - `ph(θ) = √(1 + θ²)`（擬 Huber 関数）。`f'' = (1 + θ²)^{−3/2}` は `θ = 0` で最大 1、遠くでは小さい。
//!   「曲率を θ₀ だけで測る」ことの危うさを見せる。
//! - 2 次関数 `½ θᵀ A θ`（ヘッセ行列が定数）。
//! - §2.5 の Ising モデルの KL 情報量（ヘッセ行列は十分統計量の共分散、上界 `M = N(N+1)/2`）。

use genmodel::Error;
use genmodel::boltzmann::ising::{Ising, KlObjective, global_curvature_bound};
use genmodel::linalg::SymmetricMatrix;
use genmodel::ndarray::{Array1, Array2, ArrayView1, array};
use genmodel::optim::{
    StepSize, StopRule, Trace, gradient_step, guaranteed_decrease, minimize, quadratic_upper_bound,
    step_from_curvature_bound, step_from_max_eigenvalue, surrogate,
};
use genmodel::prec::{FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn ph(t: f64) -> f64 {
    (1.0 + t * t).sqrt()
}
fn ph_d1(t: f64) -> f64 {
    t / (1.0 + t * t).sqrt()
}
fn ph_d2(t: f64) -> f64 {
    (1.0 + t * t).powf(-1.5)
}

/// 2 変数の擬 Huber の和 `f(θ) = ph(θ_1) + ph(θ_2) + ½ c (θ_1 − θ_2)²`。ヘッセ行列の最大固有値は `≤ 1 + 2c`。
fn f2(t: &[f64], c: f64) -> f64 {
    ph(t[0]) + ph(t[1]) + 0.5 * c * (t[0] - t[1]).powi(2)
}
fn f2_grad(t: &[f64], c: f64) -> Vec<f64> {
    vec![
        ph_d1(t[0]) + c * (t[0] - t[1]),
        ph_d1(t[1]) - c * (t[0] - t[1]),
    ]
}
fn f2_hess(t: &[f64], c: f64) -> [f64; 4] {
    [ph_d2(t[0]) + c, -c, -c, ph_d2(t[1]) + c]
}

fn spin_kl(seed: u64, n: usize) -> (KlObjective, ChaCha8Rng) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data = Array2::from_shape_fn((30, n), |_| if rng.random_bool(0.7) { 1 } else { -1 });
    (KlObjective::from_data(&data).unwrap(), rng)
}

fn kl_at(kl: &KlObjective, n: usize, theta: &[f64]) -> (f64, Vec<f64>) {
    let (v, g) = kl
        .value_and_gradient(&Ising::from_params(n, theta).unwrap())
        .unwrap();
    (v, g.to_vec())
}

// ---------------------------------------------------------------- (2.31), (2.32)

// 検証の種類: 数学の事実（実装を呼ばない）。印刷された式は tests/printed/ で実行する
/// 式 (2.31)–(2.32): 勾配の逆向きに十分小さく動けば値は下がる。
#[test]
fn eq_2_31_small_gradient_step_satisfies_descent_condition() {
    for &t0 in &[-4.0, -1.0, -0.1, 0.3, 2.0, 10.0] {
        let t = t0 - 1e-3 * ph_d1(t0);
        assert!(ph(t) < ph(t0), "θ₀ = {t0}");
    }
}

/// 式 (2.32) の「η ≪ 1」は曲率との比で測らないと意味がない: `f = 50θ²`（f'' = 100）では
/// η = 0.05 でも 1 歩で値が 16 倍になる。η < 2/f'' = 0.02 なら下がる。
#[test]
fn eq_2_32_small_eta_must_be_small_relative_to_curvature() {
    let f = |t: f64| 50.0 * t * t;
    let df = |t: f64| 100.0 * t;
    let t0 = 1.0;
    let up = t0 - 0.05 * df(t0);
    assert!((f(up) / f(t0) - 16.0).abs() < 1e-12);
    let down = t0 - 0.019 * df(t0);
    assert!(f(down) < f(t0));
    let step = gradient_step(&[t0], &[df(t0)], &StepSize::Scalar(0.05)).unwrap();
    assert_eq!(step, array![up]);
}

// ---------------------------------------------------------------- (2.33)–(2.36)

/// 式 (2.33): `L ≥ sup f''` なら 2 次関数は θ₀ によらず上界。`L < sup f''` では破れる θ₀, θ がある。
#[test]
fn eq_2_33_quadratic_bound_holds_iff_l_bounds_curvature() {
    let grid: Vec<f64> = (0..=160).map(|i| -8.0 + 0.1 * i as f64).collect();
    for &t0 in &grid {
        for &t in &grid {
            let g = quadratic_upper_bound(ph(t0), ph_d1(t0), 1.0, t0, t).unwrap();
            assert!(ph(t) <= g + 1e-12, "θ₀ = {t0}, θ = {t}");
        }
    }
    // L = 0.5 < f''(0) = 1: θ₀ = 0, θ = 0.5 で f = 1.118… > 1 + 0.5·0.5·0.25 = 1.0625
    assert!(ph(0.5) > quadratic_upper_bound(ph(0.0), ph_d1(0.0), 0.5, 0.0, 0.5).unwrap());
}

/// 式 (2.34): 平方完成は恒等式。
#[test]
fn eq_2_34_completed_square_is_an_identity() {
    let mut rng = ChaCha8Rng::seed_from_u64(234);
    for _ in 0..100 {
        let (f0, df0, l, t0, t) = (
            rng.random_range(-5.0..5.0),
            rng.random_range(-5.0..5.0),
            rng.random_range(0.1..10.0),
            rng.random_range(-5.0..5.0),
            rng.random_range(-5.0..5.0),
        );
        let lhs = quadratic_upper_bound(f0, df0, l, t0, t).unwrap();
        let rhs = f0 + 0.5 * l * (t - t0 + df0 / l).powi(2) - df0 * df0 / (2.0 * l);
        assert!((lhs - rhs).abs() < 1e-12 * lhs.abs().max(1.0));
    }
}

/// 式 (2.35): 頂点 θ = θ₀ − f'(θ₀)/L で、f は少なくとも f'(θ₀)²/(2L) 下がる（L = sup f'' = 1）。
#[test]
fn eq_2_35_vertex_decreases_f_by_at_least_the_bound() {
    for i in 0..=200 {
        let t0 = -10.0 + 0.1 * i as f64;
        let t = t0 - ph_d1(t0) / 1.0;
        let dec = guaranteed_decrease(ph_d1(t0), 1.0).unwrap();
        assert!(ph(t) <= ph(t0) - dec + 1e-15, "θ₀ = {t0}");
    }
    assert!(guaranteed_decrease(1.0, -1.0).is_err());
}

/// 式 (2.36): η = 1/L の勾配法は単調に下がって最小点に着く。
#[test]
fn eq_2_36_eta_one_over_l_descends_monotonically() {
    let eta = step_from_curvature_bound(1.0).unwrap();
    let stop = StopRule {
        tolerance: 1e-10,
        max_iterations: 10_000,
    };
    let t = minimize(
        |x: ArrayView1<f64>| Ok((ph(x[0]), array![ph_d1(x[0])])),
        &[6.0],
        &StepSize::Scalar(eta),
        stop,
        &mut |_| {},
    )
    .unwrap();
    assert!(t.converged);
    assert!(t.theta[0].abs() < 1e-9);
    assert!(t.values.windows(2).into_iter().all(|w| w[1] <= w[0]));
    assert!(step_from_curvature_bound(0.0).is_err());
}

// ---------------------------------------------------------------- (2.37), (2.37a), (2.38)

/// 式 (2.37): 代理関数は θ₀ で f と値・勾配が一致し、ヘッセ行列は I/η。
#[test]
fn eq_2_37_surrogate_touches_f_at_theta0() {
    let (c, eta) = (0.3, 0.4);
    let t0 = [0.7, -1.2];
    let (f0, g0) = (f2(&t0, c), f2_grad(&t0, c));
    let s = |t: &[f64]| surrogate(f0, &g0, eta, &t0, t).unwrap();
    assert_eq!(s(&t0), f0);
    let h = FINITE_DIFFERENCE_STEP;
    for i in 0..2 {
        let mut p = t0;
        p[i] += h;
        let mut m = t0;
        m[i] -= h;
        let fd = (s(&p) - s(&m)) / (2.0 * h);
        assert!((fd - g0[i]).abs() < FINITE_DIFFERENCE_TOLERANCE);
        let second = (s(&p) - 2.0 * s(&t0) + s(&m)) / (h * h);
        assert!((second - 1.0 / eta).abs() < 1e-3 / eta);
    }
    assert!(surrogate(f0, &g0, 0.0, &t0, &t0).is_err());
}

/// 式 (2.37a): 代理関数の最小点は勾配法の 1 歩 θ₀ − η∇f(θ₀) で、最小値は f(θ₀) − (η/2)|∇f(θ₀)|²。
#[test]
fn eq_2_37a_surrogate_minimizer_is_the_gradient_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(237);
    let (c, eta) = (0.5, 0.3);
    for _ in 0..20 {
        let t0 = [rng.random_range(-3.0..3.0), rng.random_range(-3.0..3.0)];
        let (f0, g0) = (f2(&t0, c), f2_grad(&t0, c));
        let star = gradient_step(&t0, &g0, &StepSize::Scalar(eta)).unwrap();
        let vstar = surrogate(f0, &g0, eta, &t0, &star).unwrap();
        let g2: f64 = g0.iter().map(|g| g * g).sum();
        assert!((vstar - (f0 - 0.5 * eta * g2)).abs() < 1e-12);
        for _ in 0..20 {
            let q = [
                star[0] + rng.random_range(-0.5..0.5),
                star[1] + rng.random_range(-0.5..0.5),
            ];
            assert!(surrogate(f0, &g0, eta, &t0, &q).unwrap() >= vstar);
        }
    }
}

/// 式 (2.38): d = f − f_η ≤ 0 が成り立つ η（Ising の KL で η = 1/M）なら、代理関数を下げた点で f も下がる。
/// どの θ でも d ≤ 0 であることを、θ₀ の周りの乱数の点（遠い点も含む）で確かめる。
#[test]
fn eq_2_38_d_nonpositive_everywhere_for_eta_one_over_m() {
    let n = 3;
    let (kl, mut rng) = spin_kl(238, n);
    let eta = 1.0 / global_curvature_bound(n);
    for _ in 0..10 {
        let t0: Vec<f64> = (0..6).map(|_| rng.random_range(-1.0..1.0)).collect();
        let (f0, g0) = kl_at(&kl, n, &t0);
        for &radius in &[0.1, 1.0, 5.0] {
            let t: Vec<f64> = t0
                .iter()
                .map(|v| v + rng.random_range(-radius..radius))
                .collect();
            let d = kl_at(&kl, n, &t).0 - surrogate(f0, &g0, eta, &t0, &t).unwrap();
            assert!(d <= 1e-12, "d = {d}");
        }
        // 代理関数の最小点では f が f(θ₀) − (η/2)|∇f|² 以下
        let star = gradient_step(&t0, &g0, &StepSize::Scalar(eta))
            .unwrap()
            .to_vec();
        let g2: f64 = g0.iter().map(|g| g * g).sum();
        assert!(kl_at(&kl, n, &star).0 <= f0 - 0.5 * eta * g2 + 1e-12);
    }
}

// ---------------------------------------------------------------- (2.39)–(2.41)

/// 式 (2.39): ∇d(θ) = ∇f(θ) − ∇f(θ₀) − (θ − θ₀)/η を d の中心差分と比べる。∇d(θ₀) = 0。
#[test]
fn eq_2_39_gradient_of_d_matches_finite_difference() {
    let (c, eta) = (0.2, 0.5);
    let t0 = [1.0, -0.5];
    let (f0, g0) = (f2(&t0, c), f2_grad(&t0, c));
    let d = |t: &[f64]| f2(t, c) - surrogate(f0, &g0, eta, &t0, t).unwrap();
    let grad_d = |t: &[f64]| -> Vec<f64> {
        let g = f2_grad(t, c);
        (0..2)
            .map(|i| g[i] - g0[i] - (t[i] - t0[i]) / eta)
            .collect()
    };
    assert!(grad_d(&t0).iter().all(|v| v.abs() < 1e-15));
    for t in [[0.0, 0.0], [2.0, 1.0], [-3.0, 0.7]] {
        let gd = grad_d(&t);
        for i in 0..2 {
            let h = FINITE_DIFFERENCE_STEP;
            let mut p = t;
            p[i] += h;
            let mut m = t;
            m[i] -= h;
            let fd = (d(&p) - d(&m)) / (2.0 * h);
            assert!((fd - gd[i]).abs() <= FINITE_DIFFERENCE_TOLERANCE * fd.abs().max(1.0));
        }
    }
}

/// 式 (2.40): d のヘッセ行列は H(f) − I/η。Ising の KL（H(f) = Cov_θ φ）で、∇d の差分と比べる。
#[test]
fn eq_2_40_hessian_of_d_is_hessian_of_f_minus_identity_over_eta() {
    let n = 3;
    let (kl, _) = spin_kl(240, n);
    let eta = 0.2;
    let t0 = vec![0.1, -0.3, 0.2, 0.5, -0.1, 0.05];
    let g0 = kl_at(&kl, n, &t0).1;
    let t = vec![0.4, 0.1, -0.2, 0.3, 0.2, -0.4];
    let grad_d = |x: &[f64]| -> Vec<f64> {
        let g = kl_at(&kl, n, x).1;
        (0..6)
            .map(|i| g[i] - g0[i] - (x[i] - t0[i]) / eta)
            .collect()
    };
    let hf = kl.hessian(&Ising::from_params(n, &t).unwrap()).unwrap();
    for j in 0..6 {
        let h = FINITE_DIFFERENCE_STEP;
        let mut p = t.clone();
        p[j] += h;
        let mut m = t.clone();
        m[j] -= h;
        let (gp, gm) = (grad_d(&p), grad_d(&m));
        for i in 0..6 {
            let fd = (gp[i] - gm[i]) / (2.0 * h);
            let want = hf.get(i, j).unwrap() - if i == j { 1.0 / eta } else { 0.0 };
            assert!(
                (fd - want).abs() <= FINITE_DIFFERENCE_TOLERANCE * want.abs().max(1.0),
                "({i},{j})"
            );
        }
    }
}

/// ノートの (2.38)–(2.41) の推論「d(θ₀) = 0 なので、全成分で ∇d ≤ 0 が常に成り立てばよい」
/// 「(2.41) なら全成分で ∇d ≤ 0」は成り立たない。反例: f = f2（c = 0.2、H(f) ⪯ 1.4 I）、η = 0.5。
/// (2.41) の負定値性はどこでも成り立つが、θ = θ₀ − (1, 1) では ∇d の成分が正になる。
/// それでも d ≤ 0 は成り立つ: 正しい理由は、d(θ₀) = 0、∇d(θ₀) = 0 と、積分型の剰余項
/// `d(θ) = ∫₀¹ (1 − t) Δᵀ (H(f)(θ₀ + tΔ) − I/η) Δ dt ≤ 0`（式 (2.41a)）である。
#[test]
fn eq_2_41_componentwise_gradient_claim_fails_but_d_is_nonpositive() {
    let (c, eta) = (0.2, 0.5);
    let t0 = [1.0, -0.5];
    let (f0, g0) = (f2(&t0, c), f2_grad(&t0, c));
    let d = |t: &[f64]| f2(t, c) - surrogate(f0, &g0, eta, &t0, t).unwrap();
    let grad_d = |t: &[f64]| -> Vec<f64> {
        let g = f2_grad(t, c);
        (0..2)
            .map(|i| g[i] - g0[i] - (t[i] - t0[i]) / eta)
            .collect()
    };
    let t = [t0[0] - 1.0, t0[1] - 1.0];
    // (2.41) は θ₀ と θ を結ぶ線分上のすべての点で成り立つ
    for k in 0..=100 {
        let s = k as f64 / 100.0;
        let p = [t0[0] + s * (t[0] - t0[0]), t0[1] + s * (t[1] - t0[1])];
        let hm = f2_hess(&p, c);
        let m = SymmetricMatrix::new(array![
            [hm[0] - 1.0 / eta, hm[1]],
            [hm[2], hm[3] - 1.0 / eta]
        ])
        .unwrap();
        assert!(m.max_eigenvalue() < 0.0);
        // 固有値分解によらない確認: 2×2 の対称行列が負定値 ⇔ 対角成分 < 0 かつ行列式 > 0
        let (a11, a12, a22) = (hm[0] - 1.0 / eta, hm[1], hm[3] - 1.0 / eta);
        assert!(a11 < 0.0 && a11 * a22 - a12 * a12 > 0.0);
    }
    // ノートの主張「全成分で ∇d ≤ 0」は成り立たない
    assert!(grad_d(&t).iter().all(|&v| v > 0.1), "{:?}", grad_d(&t));
    // それでも d ≤ 0（正しい結論）
    assert!(d(&t) < 0.0);
    // ノートの条件「全成分で ∇d(θ) ≤ 0 が常に成り立つ」は、上限 (2.44) 以下のどの η でも満たされない
    // （θ₀ から逆向きに動くと ∂d/∂θ_i > 0）。十分条件として使えない。
    for &e in &[0.01, 0.1, 0.5, 1.0 / 1.4] {
        let gd = {
            let p = [t0[0] - 0.1, t0[1]];
            let g = f2_grad(&p, c);
            g[0] - g0[0] - (p[0] - t0[0]) / e
        };
        assert!(gd > 0.0, "η = {e}");
    }
}

/// 式 (2.41a): 積分型の剰余項 `d(θ) = ∫₀¹ (1 − s) Δᵀ (H(f)(θ₀ + sΔ) − I/η) Δ ds`（Δ = θ − θ₀）を
/// シンプソン則で数値積分し、d(θ) そのものと比べる。被積分関数は (2.41) が線分上で成り立てば ≤ 0。
#[test]
fn eq_2_41a_integral_remainder_equals_d() {
    let (c, eta) = (0.2, 0.5);
    let t0 = [1.0, -0.5];
    let (f0, g0) = (f2(&t0, c), f2_grad(&t0, c));
    let d = |t: &[f64]| f2(t, c) - surrogate(f0, &g0, eta, &t0, t).unwrap();
    for t in [[0.0, -1.5], [3.0, 2.0], [-4.0, 1.0]] {
        // 積分型の剰余項（シンプソン則、2000 分割）が d(θ) に一致する
        let delta = [t[0] - t0[0], t[1] - t0[1]];
        let integrand = |s: f64| {
            let p = [t0[0] + s * delta[0], t0[1] + s * delta[1]];
            let hm = f2_hess(&p, c);
            let q = delta[0] * delta[0] * (hm[0] - 1.0 / eta)
                + 2.0 * delta[0] * delta[1] * hm[1]
                + delta[1] * delta[1] * (hm[3] - 1.0 / eta);
            (1.0 - s) * q
        };
        let m = 2000;
        let h = 1.0 / m as f64;
        let mut integral = integrand(0.0) + integrand(1.0);
        for k in 1..m {
            integral += integrand(k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        integral *= h / 3.0;
        assert!((integral - d(&t)).abs() < 1e-10, "{integral} vs {}", d(&t));
        assert!(integral <= 0.0);
    }
}

// ---------------------------------------------------------------- (2.42)–(2.44)

/// 式 (2.42): 対称行列は直交行列 P で対角化できる。
///
/// ライブラリ（[`SymmetricMatrix`]、faer の対称固有値分解）の結果を、実装と独立な閉じた形と比べる:
/// 三重対角 (2, −1) 行列の固有値 `2 − 2 cos(kπ/(n+1))`、2×2 の固有値 `(a+c)/2 ± √(((a−c)/2)² + b²)`、
/// そして 2×2 を 1 回で対角化する Jacobi 回転 `P = [[cos φ, −sin φ], [sin φ, cos φ]]`（`tan 2φ = 2b/(a−c)`）。
#[test]
fn eq_2_42_jacobi_diagonalises_with_an_orthogonal_matrix() {
    // 三重対角 (2, −1) の n 次行列の固有値は 2 − 2 cos(kπ/(n+1))
    let n: usize = 9;
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| match i.abs_diff(j) {
                    0 => 2.0,
                    1 => -1.0,
                    _ => 0.0,
                })
                .collect()
        })
        .collect();
    let m = SymmetricMatrix::new(Array2::from_shape_fn((n, n), |(i, j)| rows[i][j])).unwrap();
    let e = m.eigen();
    let mut want: Vec<f64> = (1..=n)
        .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n as f64 + 1.0)).cos())
        .collect();
    want.sort_by(f64::total_cmp);
    for (g, w) in e.values.iter().zip(&want) {
        assert!((g - w).abs() < 1e-13);
    }
    // Pᵀ P = I、Pᵀ A P = Λ
    let p = &e.vectors;
    for i in 0..n {
        for j in 0..n {
            let ptp: f64 = (0..n).map(|k| p[[k, i]] * p[[k, j]]).sum();
            assert!((ptp - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13);
            let ptap: f64 = (0..n)
                .map(|k| p[[k, i]] * (0..n).map(|l| rows[k][l] * p[[l, j]]).sum::<f64>())
                .sum();
            assert!((ptap - if i == j { e.values[i] } else { 0.0 }).abs() < 1e-13);
        }
    }
    // 2×2 の閉じた形: (a+c)/2 ± √(((a−c)/2)² + b²)
    let (aa, b, cc) = (0.3, -1.7, 2.2);
    let m2 = SymmetricMatrix::new(array![[aa, b], [b, cc]]).unwrap();
    let ev = m2.eigenvalues();
    let r = (((aa - cc) / 2.0f64).powi(2) + b * b).sqrt();
    assert!(
        (ev[0] - ((aa + cc) / 2.0 - r)).abs() < 1e-14
            && (ev[1] - ((aa + cc) / 2.0 + r)).abs() < 1e-14
    );
    // Jacobi 回転: 直交な P で Pᵀ A P の非対角成分が 0 になり、対角成分が同じ固有値になる
    let phi = 0.5 * (2.0 * b).atan2(aa - cc);
    let (c, s) = (phi.cos(), phi.sin());
    let pj = [[c, -s], [s, c]];
    let a2 = [[aa, b], [b, cc]];
    let ptap = |i: usize, j: usize| -> f64 {
        (0..2)
            .map(|k| pj[k][i] * (0..2).map(|l| a2[k][l] * pj[l][j]).sum::<f64>())
            .sum()
    };
    assert!(ptap(0, 1).abs() < 1e-14 && ptap(1, 0).abs() < 1e-14);
    let mut diag = [ptap(0, 0), ptap(1, 1)];
    diag.sort_by(f64::total_cmp);
    assert!((diag[0] - ev[0]).abs() < 1e-14 && (diag[1] - ev[1]).abs() < 1e-14);
    // 対称でない行列は型の段階で拒む
    assert!(matches!(
        SymmetricMatrix::new(array![[1.0, 2.0], [3.0, 4.0]]),
        Err(Error::NotSymmetric { .. })
    ));
}

/// 式 (2.43): b = Pᵀa とおくと aᵀ(H − I/η)a = Σ_{k=1}^{M} (λ_k − 1/η) b_k²。
/// ノートの添字 `Σ_{i=k}^{n}` を文字どおり（k = 1 を固定して i を 1..n で数える）読むと n (λ_1 − 1/η) b_1² になり、一致しない。
#[test]
fn eq_2_43_quadratic_form_in_the_eigenbasis() {
    let n = 3;
    let (kl, mut rng) = spin_kl(243, n);
    let model = Ising::new(array![0.2, -0.4, 0.1], array![0.5, -0.3, 0.8]).unwrap();
    let h = kl.hessian(&model).unwrap();
    let e = h.eigen();
    let m = h.dim();
    let eta = 0.7;
    for _ in 0..10 {
        let a: Vec<f64> = (0..m).map(|_| rng.random_range(-1.0..1.0)).collect();
        let lhs = h.quadratic_form(&a).unwrap() - a.iter().map(|v| v * v).sum::<f64>() / eta;
        let b: Vec<f64> = (0..m)
            .map(|k| (0..m).map(|i| e.vectors[[i, k]] * a[i]).sum())
            .collect();
        let rhs: f64 = (0..m)
            .map(|k| (e.values[k] - 1.0 / eta) * b[k] * b[k])
            .sum();
        assert!((lhs - rhs).abs() < 1e-12);
        let note_literal = m as f64 * (e.values[0] - 1.0 / eta) * b[0] * b[0];
        assert!((note_literal - lhs).abs() > 1e-3);
    }
}

/// 式 (2.44) の λ は「θ₀ でのヘッセ行列」では足りない。ph で θ₀ = 3 なら f''(θ₀) = 10^{−3/2} ≈ 0.032、
/// η = 1/f''(θ₀) ≈ 31.6 の 1 歩は θ ≈ −27 まで飛び、f は 3.16 から 27 に増える。
/// 線分上（ここでは全域）の最大 sup f'' = 1 を使う η = 1 なら必ず下がる。
#[test]
fn eq_2_44_eigenvalue_bound_must_hold_along_the_segment_not_only_at_theta0() {
    let t0 = 3.0;
    let eta_local = step_from_max_eigenvalue(ph_d2(t0)).unwrap();
    let t_bad = t0 - eta_local * ph_d1(t0);
    assert!(ph(t_bad) > 8.0 * ph(t0));
    // 線分 [t_bad, t0] は θ = 0 を通り、そこで f'' = 1 > 1/η_local
    assert!(t_bad < 0.0 && ph_d2(0.0) > 1.0 / eta_local);
    let eta_global = step_from_max_eigenvalue(1.0).unwrap();
    let t_good = t0 - eta_global * ph_d1(t0);
    assert!(ph(t_good) <= ph(t0) - 0.5 * eta_global * ph_d1(t0).powi(2));
}

/// 上限を超える学習率は失敗する: 2 次関数 ½θᵀAθ、A = diag(1, 10)（λ_max = 10）。
/// η = 0.25 > 2/λ_max では θ_2 が毎回 −1.5 倍になって発散し、[`minimize`] は `Error::Diverged` を返す。
/// η = 1/λ_max = 0.1 なら各歩で f(θ') ≤ f(θ) − (η/2)|∇f(θ)|²（式 (2.35) の多変数版）が成り立つ。
#[test]
fn eq_2_44_step_above_the_bound_diverges_and_below_it_decreases() {
    let f = |x: ArrayView1<f64>| {
        Ok((
            0.5 * (x[0] * x[0] + 10.0 * x[1] * x[1]),
            array![x[0], 10.0 * x[1]],
        ))
    };
    let stop = StopRule {
        tolerance: 1e-12,
        max_iterations: 100_000,
    };
    let r = minimize(f, &[1.0, 1.0], &StepSize::Scalar(0.25), stop, &mut |_| {});
    assert!(matches!(r, Err(Error::Diverged { .. })), "{r:?}");
    // 最初の数歩で、値は増えている
    let short = StopRule {
        tolerance: 0.0,
        max_iterations: 5,
    };
    let t = minimize(f, &[1.0, 1.0], &StepSize::Scalar(0.25), short, &mut |_| {}).unwrap();
    assert!(t.values.windows(2).into_iter().all(|w| w[1] > w[0]));
    // η = 1/λ_max
    let eta = step_from_max_eigenvalue(10.0).unwrap();
    let mut grads = Vec::new();
    let t = minimize(
        |x: ArrayView1<f64>| {
            let r = f(x)?;
            grads.push(r.1.clone());
            Ok(r)
        },
        &[1.0, 1.0],
        &StepSize::Scalar(eta),
        stop,
        &mut |_| {},
    )
    .unwrap();
    assert!(t.converged);
    for (k, w) in t.values.windows(2).into_iter().enumerate() {
        let g2: f64 = grads[k].iter().map(|g| g * g).sum();
        assert!(w[1] <= w[0] - 0.5 * eta * g2 + 1e-15);
    }
}

/// 止める規則: 反復の上限で止まったら `converged = false`、許容誤差で止まったら `true`。観測者は毎回呼ばれる。
#[test]
fn eq_2_44_stop_rule_and_observer() {
    let f = |x: ArrayView1<f64>| Ok((ph(x[0]), array![ph_d1(x[0])]));
    let mut seen = Vec::new();
    let t = minimize(
        f,
        &[5.0],
        &StepSize::Scalar(1.0),
        StopRule {
            tolerance: 0.0,
            max_iterations: 7,
        },
        &mut |it| seen.push(it.iteration),
    )
    .unwrap();
    assert!(!t.converged);
    assert_eq!(t.iterations(), 7);
    assert_eq!(seen, (0..=7).collect::<Vec<_>>());
    assert!(
        minimize(
            f,
            &Array1::zeros(0),
            &StepSize::Scalar(1.0),
            StopRule {
                tolerance: 0.0,
                max_iterations: 1
            },
            &mut |_| {}
        )
        .is_err()
    );
    assert!(
        minimize(
            f,
            &[f64::NAN],
            &StepSize::Scalar(1.0),
            StopRule {
                tolerance: 0.0,
                max_iterations: 1
            },
            &mut |_| {}
        )
        .is_err()
    );
    assert!(step_from_max_eigenvalue(f64::INFINITY).is_err());
    assert_eq!(step_from_max_eigenvalue(-2.0).unwrap(), f64::INFINITY);
}

/// 値 `value` と勾配 `grad` が一定の関数を、`θ = 0` から学習率 `eta` で最小化する。
fn minimize_constant(value: f64, grad: f64, eta: f64) -> genmodel::Result<Trace> {
    let stop = StopRule {
        tolerance: 1e-12,
        max_iterations: 10,
    };
    minimize(
        move |_: ArrayView1<f64>| Ok((value, array![grad])),
        &[0.0],
        &StepSize::Scalar(eta),
        stop,
        &mut |_| {},
    )
}

/// 発散の検出: 値が有限でも勾配が `±∞` なら、その反復で
/// `Error::Diverged`（反復の番号と、その時点の値）として止める。
#[test]
fn minimize_reports_infinite_gradient_as_divergence_at_that_iteration() {
    let r = minimize_constant(1.0, f64::INFINITY, 0.5);
    assert_eq!(
        r,
        Err(Error::Diverged {
            iteration: 0,
            value: 1.0
        })
    );
}

/// 値も勾配も有限でも、1 歩 `θ − η∇f` が `f64` からあふれたら、その更新（1 回目）で発散として止める。
/// `θ = 0`、`∇f = 1e308`、`η = 10` なら `θ' = −1e309 = −∞`。
#[test]
fn minimize_reports_parameter_overflow_as_divergence_of_the_next_iterate() {
    let r = minimize_constant(0.0, 1e308, 10.0);
    assert_eq!(
        r,
        Err(Error::Diverged {
            iteration: 1,
            value: f64::INFINITY
        })
    );
}

/// NaN の勾配は収束ではなく発散として止める（`f64::max` は NaN を無視するので、最大値だけ見ると 0 になる）。
#[test]
fn minimize_reports_nan_gradient_as_divergence() {
    let r = minimize_constant(1.0, f64::NAN, 0.5);
    assert_eq!(
        r,
        Err(Error::Diverged {
            iteration: 0,
            value: 1.0
        })
    );
}
