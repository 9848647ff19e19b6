//! §2.4 多変量ガウス分布 (2.15)–(2.24) の検証。
//!
//! 期待値は実装（faer の Cholesky・固有値分解）と独立に求める: 2 次元の台形則、
//! 3 次元の重点サンプリング（標準誤差から決めた許容誤差）、テストの中で書いた
//! ガウス・ジョルダン法の逆行列とラプラス展開の行列式、中心差分。

// 添字のループは数式の Σ_i, Σ_j をそのまま写したもの
#![allow(clippy::needless_range_loop)]

use genmodel::Error;
use genmodel::gaussian::Mvn;
use genmodel::gaussian::multivariate::{sample_mean, scatter_matrix, unbiased_covariance};
use genmodel::linalg::{Spd, symmetric_eigen};
use genmodel::prec::{FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix1, Slice, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::PI;

// ------------------------------------------------ 独立な参照実装（テスト専用）

/// ラプラス展開（第 0 行）による行列式。小さな行列専用。
fn det_laplace(a: ArrayView2<'_, f64>) -> f64 {
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
            s * a[[0, j]] * det_laplace(sub.view())
        })
        .sum()
}

/// 部分ピボット選択つきガウス・ジョルダン法による逆行列。
fn inv_gauss_jordan(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let n = a.nrows();
    // [A | I] を作り、左半分を単位行列にする
    let mut m = Array2::from_shape_fn((n, 2 * n), |(i, j)| {
        if j < n {
            a[[i, j]]
        } else if j - n == i {
            1.0
        } else {
            0.0
        }
    });
    for c in 0..n {
        let p = (c..n)
            .max_by(|&x, &y| m[[x, c]].abs().total_cmp(&m[[y, c]].abs()))
            .unwrap();
        for j in 0..2 * n {
            m.swap([c, j], [p, j]);
        }
        let d = m[[c, c]];
        m.row_mut(c).mapv_inplace(|v| v / d);
        let row_c = m.row(c).to_owned();
        for r in 0..n {
            if r != c {
                let f = m[[r, c]];
                for (v, w) in m.row_mut(r).iter_mut().zip(&row_c) {
                    *v -= f * w;
                }
            }
        }
    }
    m.slice_axis(Axis(1), Slice::from(n..)).to_owned()
}

/// 式 (2.21) をテストの中で直接書いた対数密度（逆行列・行列式は上の参照実装）。
fn ln_density_ref(
    mu: ArrayView1<'_, f64>,
    cov: ArrayView2<'_, f64>,
    x: ArrayView1<'_, f64>,
) -> f64 {
    let n = mu.len();
    let prec = inv_gauss_jordan(cov);
    let d: Vec<f64> = x.iter().zip(mu).map(|(a, b)| a - b).collect();
    let q: f64 = (0..n)
        .map(|i| (0..n).map(|j| d[i] * prec[[i, j]] * d[j]).sum::<f64>())
        .sum();
    -0.5 * q - 0.5 * ((2.0 * PI).powi(n as i32) * det_laplace(cov)).ln()
}

/// 2 次元の台形則 `∫∫ f` を正方形 `[-r, r]²`（中心 c）で。
fn trapezoid_2d(f: impl Fn(f64, f64) -> f64, c: [f64; 2], r: f64, n: usize) -> f64 {
    let h = 2.0 * r / n as f64;
    let w = |i: usize| if i == 0 || i == n { 0.5 } else { 1.0 };
    let mut s = 0.0;
    for i in 0..=n {
        for j in 0..=n {
            s += w(i) * w(j) * f(c[0] - r + h * i as f64, c[1] - r + h * j as f64);
        }
    }
    s * h * h
}

/// 1 次元の台形則。
fn trapezoid(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    h * ((1..n).map(|i| f(a + h * i as f64)).sum::<f64>() + 0.5 * (f(a) + f(b)))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// 乱数で作る対称正定値行列 `B Bᵀ + δ I`（条件数が極端にならないよう δ を足す）。
fn random_spd(rng: &mut ChaCha8Rng, n: usize) -> Array2<f64> {
    let b = Array2::from_shape_fn((n, n), |_| rng.random_range(-1.0..1.0));
    Array2::from_shape_fn((n, n), |(i, j)| {
        (0..n).map(|k| b[[i, k]] * b[[j, k]]).sum::<f64>() + if i == j { 0.3 } else { 0.0 }
    })
}

/// 1 行 1 標本の `n × d` のデータ。
fn random_points(rng: &mut ChaCha8Rng, n: usize, d: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, d), |_| rng.random_range(-2.0..2.0))
}

fn random_vector(rng: &mut ChaCha8Rng, n: usize, r: f64) -> Array1<f64> {
    Array1::from_shape_fn(n, |_| rng.random_range(-r..r))
}

fn mvn<'a>(mu: impl AsArray<'a, f64, Ix1>, cov: &Array2<f64>) -> Mvn {
    let mu: ArrayView1<'a, f64> = mu.into();
    Mvn::new(mu.to_owned(), cov.clone()).unwrap()
}

/// 相関のある 2 次元の例（固有ベクトルが軸から傾いている）。
fn example_2d() -> (Array1<f64>, Array2<f64>) {
    (array![0.5, -1.0], array![[2.0, 1.2], [1.2, 1.5]])
}

// ---------------------------------------------------------------- (2.15), (2.16)

#[test]
fn eq_2_15_unnormalized_density_matches_explicit_2x2_inverse() {
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    // 2×2 の逆行列は [[d, -b], [-c, a]] / (ad - bc)
    let det = 2.0 * 1.5 - 1.2 * 1.2;
    let p = [[1.5 / det, -1.2 / det], [-1.2 / det, 2.0 / det]];
    for x in [[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5]] {
        let d = [x[0] - mu[0], x[1] - mu[1]];
        let quad =
            d[0] * (p[0][0] * d[0] + p[0][1] * d[1]) + d[1] * (p[1][0] * d[0] + p[1][1] * d[1]);
        assert!(close(
            q.unnormalized_density(&x).unwrap(),
            (-0.5 * quad).exp(),
            1e-14
        ));
    }
}

#[test]
fn eq_2_16_normalizer_matches_2d_quadrature() {
    // 正方形の半径は 12·√λ_max（裾は exp(-72) で無視できる）、600×600 の台形則。
    // 刻みは最小の標準偏差の 1/10 以下で、台形則の誤差は丸め誤差の程度。相対 1e-10 で比べる。
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let mut cases = vec![example_2d()];
    for _ in 0..3 {
        cases.push((random_vector(&mut rng, 2, 1.0), random_spd(&mut rng, 2)));
    }
    for (mu, cov) in cases {
        let q = mvn(&mu, &cov);
        let r = 12.0 * q.covariance().eigenvalues()[1].sqrt();
        let z = trapezoid_2d(
            |a, b| q.unnormalized_density(&[a, b]).unwrap(),
            [mu[0], mu[1]],
            r,
            600,
        );
        assert!(
            close(q.normalizer(), z, 1e-10),
            "Z = {} vs 積分 {z}",
            q.normalizer()
        );
    }
}

// ---------------------------------------------------------------- (2.17), (2.18)

#[test]
fn eq_2_17_orthogonal_p_diagonalizes_precision() {
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    let e = symmetric_eigen(q.precision()).unwrap();
    let u = &e.vectors;
    // Uᵀ U = I（直交）、したがって U⁻¹ = Uᵀ、|det U| = 1
    for i in 0..2 {
        for j in 0..2 {
            let g: f64 = (0..2).map(|k| u[[k, i]] * u[[k, j]]).sum();
            assert!((g - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
        }
    }
    assert!((det_laplace(u.view()).abs() - 1.0).abs() < 1e-14);
    // Uᵀ Σ⁻¹ U = Λ（対角）
    let p = q.precision();
    for i in 0..2 {
        for j in 0..2 {
            let v: f64 = (0..2)
                .map(|k| {
                    (0..2)
                        .map(|l| u[[k, i]] * p[[k, l]] * u[[l, j]])
                        .sum::<f64>()
                })
                .sum();
            let want = if i == j { e.values[i] } else { 0.0 };
            assert!((v - want).abs() < 1e-13);
        }
    }
    // y = Uᵀ (x - μ) とおくと、各点で (x-μ)ᵀ Σ⁻¹ (x-μ) = yᵀ Λ y
    for x in [[1.0, 1.0], [-2.0, 0.3], [0.5, -1.0]] {
        let d = [x[0] - mu[0], x[1] - mu[1]];
        let y: Vec<f64> = (0..2)
            .map(|k| u[[0, k]] * d[0] + u[[1, k]] * d[1])
            .collect();
        let ylam: f64 = (0..2).map(|k| e.values[k] * y[k] * y[k]).sum();
        assert!(close(q.mahalanobis_sq(&x).unwrap(), ylam, 1e-13));
    }
}

#[test]
fn eq_2_17_non_orthogonal_p_needs_jacobian() {
    // ノートの (2.17) は「ある正方行列 P で P⁻¹ Σ⁻¹ P = Λ」とだけ言う。
    // P = U D（D = diag(2, 1/3)）も P⁻¹ Σ⁻¹ P = D⁻¹ Λ D = Λ を満たすが、直交ではない。
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    let e = symmetric_eigen(q.precision()).unwrap();
    let dg = [2.0, 1.0 / 3.0];
    let pm = Array2::from_shape_fn((2, 2), |(i, k)| e.vectors[[i, k]] * dg[k]);
    let pinv = inv_gauss_jordan(pm.view());
    let prec = q.precision();
    // P⁻¹ Σ⁻¹ P は確かに Λ
    for i in 0..2 {
        for j in 0..2 {
            let v: f64 = (0..2)
                .map(|k| {
                    (0..2)
                        .map(|l| pinv[[i, k]] * prec[[k, l]] * pm[[l, j]])
                        .sum::<f64>()
                })
                .sum();
            assert!((v - if i == j { e.values[i] } else { 0.0 }).abs() < 1e-12);
        }
    }
    // しかし y = P⁻¹ (x - μ) では指数が yᵀ Λ y にならない（必要なのは Pᵀ Σ⁻¹ P = Λ）
    let x = [1.0, 1.0];
    let d = [x[0] - mu[0], x[1] - mu[1]];
    let y: Vec<f64> = (0..2)
        .map(|k| pinv[[k, 0]] * d[0] + pinv[[k, 1]] * d[1])
        .collect();
    let ylam: f64 = (0..2).map(|k| e.values[k] * y[k] * y[k]).sum();
    assert!((q.mahalanobis_sq(&x).unwrap() - ylam).abs() > 0.1);
    // 変数変換 x - μ = P y には dx = |det P| dy がつく。ヤコビアンなしの積分は Z の 1/|det P| 倍
    let det_p = det_laplace(pm.view()).abs();
    assert!((det_p - 2.0 / 3.0).abs() < 1e-14);
    let integrand = |a: f64, b: f64| {
        let x = [
            pm[[0, 0]] * a + pm[[0, 1]] * b + mu[0],
            pm[[1, 0]] * a + pm[[1, 1]] * b + mu[1],
        ];
        q.unnormalized_density(&x).unwrap()
    };
    let r = 12.0 * q.covariance().eigenvalues()[1].sqrt() / (2.0f64 / 3.0).min(1.0 / 3.0);
    let without_jacobian = trapezoid_2d(integrand, [0.0, 0.0], r, 1200);
    assert!(close(det_p * without_jacobian, q.normalizer(), 1e-9));
    assert!((without_jacobian - q.normalizer()).abs() > 0.5 * q.normalizer() * 0.5);
}

#[test]
fn eq_2_17_exponent_sees_only_the_symmetric_part() {
    // 非対称な A を指数に置くと xᵀ A x = xᵀ ((A + Aᵀ)/2) x なので、積分を決めるのは対称部分の固有値。
    // A = [[2, 1], [0, 2]] の固有値は 2, 2（(2.18) なら Z = 2π/2 = π）だが、
    // 対称部分 [[2, ½], [½, 2]] の固有値は 1.5, 2.5 で、Z = 2π/√3.75。
    let a = [[2.0, 1.0], [0.0, 2.0]];
    let z = trapezoid_2d(
        |x, y| (-0.5 * (a[0][0] * x * x + (a[0][1] + a[1][0]) * x * y + a[1][1] * y * y)).exp(),
        [0.0, 0.0],
        12.0,
        600,
    );
    assert!(close(z, 2.0 * PI / 3.75f64.sqrt(), 1e-10));
    assert!((z - PI).abs() > 0.1);
    // だから本では Σ⁻¹ を対称にとり、直交行列で対角化する。非対称な Σ は断る
    assert!(matches!(
        Mvn::new(array![0.0, 0.0], Array2::from(a.to_vec())),
        Err(Error::NotSymmetric { .. })
    ));
}

#[test]
fn eq_2_18_factorizes_into_one_dimensional_integrals() {
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    let e = symmetric_eigen(q.precision()).unwrap();
    // 各因子 ∫ dy_k exp(-½ λ_k y_k²) を 1 次元の台形則で求め、√(2π/λ_k) と比べる
    let mut prod = 1.0;
    for &lam in &e.values {
        let s = 12.0 / lam.sqrt();
        let f = trapezoid(|y| (-0.5 * lam * y * y).exp(), -s, s, 4000);
        assert!(close(f, (2.0 * PI / lam).sqrt(), 1e-12));
        prod *= f;
    }
    // その積が 2 次元の積分 (2.16) に等しい
    let r = 12.0 * q.covariance().eigenvalues()[1].sqrt();
    let z = trapezoid_2d(
        |a, b| q.unnormalized_density(&[a, b]).unwrap(),
        [mu[0], mu[1]],
        r,
        600,
    );
    assert!(close(prod, z, 1e-10));
}

#[test]
fn eq_2_18_requires_positive_eigenvalues() {
    // λ_k ≤ 0 の方向があると ∫ exp(-½ λ y²) dy は発散する: 区間を広げると積分が増え続ける
    let lam = -0.1;
    let f = |s: f64| trapezoid(|y| (-0.5 * lam * y * y).exp(), -s, s, 20_000);
    assert!(f(20.0) > 10.0 * f(10.0));
    // だから Σ（と Σ⁻¹）は正定値でなければならず、そうでない行列は断る
    let indefinite = array![[1.0, 2.0], [2.0, 1.0]];
    assert_eq!(
        Mvn::new(array![0.0, 0.0], indefinite).unwrap_err(),
        Error::NotPositiveDefinite
    );
}

// ---------------------------------------------------------------- (2.19), (2.20)

#[test]
fn eq_2_19_product_of_eigenvalues_is_inverse_determinant() {
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    for n in 1..=5 {
        let cov = random_spd(&mut rng, n);
        let q = mvn(&Array1::zeros(n), &cov);
        let e = symmetric_eigen(q.precision()).unwrap();
        let prod: f64 = e.values.iter().product();
        let det_sigma = det_laplace(cov.view());
        assert!(
            close(prod, 1.0 / det_sigma, 1e-10),
            "n = {n}: Πλ = {prod}, 1/det Σ = {}",
            1.0 / det_sigma
        );
        assert!(close(prod, det_laplace(q.precision()), 1e-10));
        assert!(close(q.covariance().det(), det_sigma, 1e-12));
    }
}

#[test]
fn eq_2_20_normalizer_matches_closed_form_and_quadrature() {
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    let det = 2.0 * 1.5 - 1.2 * 1.2;
    assert!(close(
        q.normalizer(),
        ((2.0 * PI).powi(2) * det).sqrt(),
        1e-14
    ));
    let r = 12.0 * q.covariance().eigenvalues()[1].sqrt();
    let z = trapezoid_2d(
        |a, b| q.unnormalized_density(&[a, b]).unwrap(),
        [mu[0], mu[1]],
        r,
        600,
    );
    assert!(close(q.normalizer(), z, 1e-10));
}

#[test]
fn eq_2_20_normalizer_matches_monte_carlo_in_3d() {
    // 重点サンプリング: g = N(μ, s² I)（s² = 2 λ_max(Σ) で、比 f/g は有界）から引いて
    // Z = E_g[f(x)/g(x)] を推定する。標本の標準偏差から標準誤差を求め、その 5 倍を許す。
    let mut rng = ChaCha8Rng::seed_from_u64(20);
    let cov = random_spd(&mut rng, 3);
    let mu = array![0.3, -0.2, 1.0];
    let q = mvn(&mu, &cov);
    let s2 = 2.0 * q.covariance().eigenvalues()[2];
    let g = mvn(&mu, &Array2::from_diag_elem(3, s2));
    let m = 200_000;
    let xs = g.sample(&mut rng, m).unwrap();
    let w: Vec<f64> = xs
        .rows()
        .into_iter()
        .map(|x| q.unnormalized_density(x).unwrap() / g.density(x).unwrap())
        .collect();
    let mean = w.iter().sum::<f64>() / m as f64;
    let sd = (w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m as f64 - 1.0)).sqrt();
    let se = sd / (m as f64).sqrt();
    let want = ((2.0 * PI).powi(3) * det_laplace(cov.view())).sqrt();
    assert!((mean - want).abs() < 5.0 * se, "MC {mean} ± {se} vs {want}");
    assert!(close(q.normalizer(), want, 1e-12));
    assert!(se < 0.02 * want, "標準誤差が大きすぎて判定にならない");
}

// ---------------------------------------------------------------- (2.21)

#[test]
fn eq_2_21_density_integrates_to_one_and_matches_reference() {
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    let r = 12.0 * q.covariance().eigenvalues()[1].sqrt();
    let total = trapezoid_2d(|a, b| q.density(&[a, b]).unwrap(), [mu[0], mu[1]], r, 600);
    assert!((total - 1.0).abs() < 1e-10);
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for n in 1..=4 {
        let cov = random_spd(&mut rng, n);
        let mu = random_vector(&mut rng, n, 1.0);
        let q = mvn(&mu, &cov);
        for _ in 0..5 {
            let x = random_vector(&mut rng, n, 2.0);
            assert!(close(
                q.ln_density(&x).unwrap(),
                ln_density_ref(mu.view(), cov.view(), x.view()),
                1e-11
            ));
        }
    }
}

#[test]
fn eq_2_21_sampling_reproduces_mean_and_covariance() {
    let (mu, cov) = example_2d();
    let q = mvn(&mu, &cov);
    let n = 40_000;
    let s = q.sample(&mut ChaCha8Rng::seed_from_u64(211), n).unwrap();
    let m = sample_mean(&s).unwrap();
    let c = scatter_matrix(&s, &m).unwrap();
    // 標準誤差: 平均 √(Σ_ii/n) ≤ 0.0071、共分散 √((Σ_ii Σ_jj + Σ_ij²)/n) ≤ 0.0142。5 倍を許す
    for i in 0..2 {
        assert!((m[i] - mu[i]).abs() < 0.036, "平均 {m:?}");
        for j in 0..2 {
            assert!((c[[i, j]] - cov[[i, j]]).abs() < 0.071, "共分散 {c:?}");
        }
    }
}

#[test]
fn eq_2_21_rejects_invalid_covariance() {
    assert!(matches!(
        Mvn::new(array![0.0, 0.0], array![[1.0, 0.5], [0.4, 1.0]]),
        Err(Error::NotSymmetric { .. })
    ));
    assert_eq!(
        Mvn::new(array![0.0, 0.0], array![[1.0, 0.0], [0.0, -1.0]]).unwrap_err(),
        Error::NotPositiveDefinite
    );
    // 特異（λ_min = 0）は正定値でない
    assert_eq!(
        Mvn::new(array![0.0, 0.0], array![[1.0, 1.0], [1.0, 1.0]]).unwrap_err(),
        Error::NotPositiveDefinite
    );
    // 正定値だが条件数 1e12 > 1e10（小さい固有値は絶対誤差 ε·λ_max ≈ 2e-16 で求まるので、
    // 報告される条件数の相対誤差は 1e-3 以内）
    assert!(matches!(
        Mvn::new(array![0.0, 0.0], array![[1.0, 0.0], [0.0, 1e-12]]),
        Err(Error::IllConditioned { condition, .. }) if (condition / 1e12 - 1.0).abs() < 1e-3
    ));
    assert_eq!(
        Mvn::new(array![0.0], Array2::eye(2)).unwrap_err(),
        Error::DimensionMismatch {
            expected: 2,
            actual: 1
        }
    );
    assert!(matches!(
        Mvn::new(array![f64::NAN, 0.0], Array2::eye(2)),
        Err(Error::NonFinite { .. })
    ));
    let q = Mvn::new(array![0.0, 0.0], Array2::eye(2)).unwrap();
    assert!(matches!(
        q.density(&[0.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        q.density(&[0.0, f64::INFINITY]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Spd::new(array![[1.0, 2.0, 3.0]]),
        Err(Error::DimensionMismatch { .. })
    ));
}

// ---------------------------------------------------------------- (2.22)

#[test]
fn eq_2_22_kl_difference_matches_definition() {
    // p0 はディラックのデルタの平均なので、定義 D = ∫ p0 (ln p0 - ln q) の θ による差は
    // D(θ1) - D(θ2) = (1/n) Σ_i (ln q2(x_i) - ln q1(x_i))（∫ δ(x - x_i) f(x) dx = f(x_i)）。
    // ln q はテストの中で書いた参照実装（ガウス・ジョルダン法・ラプラス展開）で求める。
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let mut note_failures = 0;
    let trials = 20;
    for t in 0..trials {
        let d = 1 + t % 4;
        let data = random_points(&mut rng, 6, d);
        let (c1, c2) = (random_spd(&mut rng, d), random_spd(&mut rng, d));
        let m1 = random_vector(&mut rng, d, 1.0);
        let m2 = random_vector(&mut rng, d, 1.0);
        let direct = data
            .rows()
            .into_iter()
            .map(|x| {
                ln_density_ref(m2.view(), c2.view(), x) - ln_density_ref(m1.view(), c1.view(), x)
            })
            .sum::<f64>()
            / data.nrows() as f64;
        let (q1, q2) = (mvn(&m1, &c1), mvn(&m2, &c2));
        let printed = q1.kl_up_to_const(&data).unwrap() - q2.kl_up_to_const(&data).unwrap();
        assert!(
            close(direct, printed, 1e-11),
            "定義 {direct} vs (2.22) {printed}"
        );
        // ノートの (2.22) 1 行目の被積分関数 ln p0 - q_θ（ln が抜けている）: 差は -(1/n) Σ (q1 - q2)
        let note = -data
            .rows()
            .into_iter()
            .map(|x| q1.density(x).unwrap() - q2.density(x).unwrap())
            .sum::<f64>()
            / data.nrows() as f64;
        if (note - direct).abs() > 1e-3 {
            note_failures += 1;
        }
    }
    assert_eq!(note_failures, trials, "ノートの形が偶然合った組がある");
}

// ---------------------------------------------------------------- (2.23), (2.24)

fn fd_grad(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|k| {
            let h = FINITE_DIFFERENCE_STEP * x[k].abs().max(1.0);
            let (mut a, mut b) = (x.to_vec(), x.to_vec());
            a[k] += h;
            b[k] -= h;
            (f(&a) - f(&b)) / (2.0 * h)
        })
        .collect()
}

#[test]
fn eq_2_23_gradient_mean_matches_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    for t in 0..20 {
        let d = 1 + t % 4;
        let data = random_points(&mut rng, 8, d);
        let cov = random_spd(&mut rng, d);
        let mu: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
        let g = mvn(&mu, &cov).kl_grad_mean(&data).unwrap();
        let fd = fd_grad(
            &|m: &[f64]| mvn(m, &cov).kl_up_to_const(&data).unwrap(),
            &mu,
        );
        for k in 0..d {
            assert!(
                close(g[k], fd[k], FINITE_DIFFERENCE_TOLERANCE),
                "{g:?} vs 差分 {fd:?}"
            );
        }
    }
}

#[test]
fn eq_2_23_mle_mean_is_sample_mean() {
    // 整数の点: 平均は手で (1, 2)
    let data = array![[0.0, 0.0], [3.0, 1.0], [1.0, 5.0], [0.0, 2.0]];
    let q = Mvn::fit(&data).unwrap();
    assert_eq!(q.mean(), array![1.0, 2.0]);
    let g = q.kl_grad_mean(&data).unwrap();
    assert!(g.iter().all(|v| v.abs() < 1e-15));
    // (2.23) の停留点は Σ によらない: 別の Σ でも μ = 標本平均で勾配 0
    let other = mvn(&[1.0, 2.0], &array![[3.0, -1.0], [-1.0, 0.7]]);
    assert!(
        other
            .kl_grad_mean(&data)
            .unwrap()
            .iter()
            .all(|v| v.abs() < 1e-14)
    );
}

/// `Λ`（対称とは限らない）を独立な変数とみなした D(Λ) = (1/2n) Σ dᵀ Λ d - ½ ln det Λ。
/// ln det Σ = -ln det Λ を使う。行列式はラプラス展開。
fn kl_of_precision(lam: &Array2<f64>, mu: &[f64], data: &Array2<f64>) -> f64 {
    let n = mu.len();
    let quad: f64 = data
        .rows()
        .into_iter()
        .map(|x| {
            (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| (x[i] - mu[i]) * lam[[i, j]] * (x[j] - mu[j]))
                        .sum::<f64>()
                })
                .sum::<f64>()
        })
        .sum();
    quad / (2.0 * data.nrows() as f64) - 0.5 * det_laplace(lam.view()).ln()
}

#[test]
fn eq_2_24_gradient_precision_matches_unconstrained_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(24);
    for t in 0..12 {
        let d = 1 + t % 3;
        let data = random_points(&mut rng, 8, d);
        let cov = random_spd(&mut rng, d);
        let mu: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
        let q = mvn(&mu, &cov);
        let g = q.kl_grad_precision(&data).unwrap();
        let lam = q.precision().to_owned();
        for i in 0..d {
            for j in 0..d {
                // Λ_ij だけを動かす（Λ_ji は動かさない: 非対称な摂動）
                let h = FINITE_DIFFERENCE_STEP;
                let (mut a, mut b) = (lam.clone(), lam.clone());
                a[[i, j]] += h;
                b[[i, j]] -= h;
                let fd =
                    (kl_of_precision(&a, &mu, &data) - kl_of_precision(&b, &mu, &data)) / (2.0 * h);
                assert!(
                    close(g[[i, j]], fd, FINITE_DIFFERENCE_TOLERANCE),
                    "({i},{j}): {} vs 差分 {fd}",
                    g[[i, j]]
                );
                if i != j {
                    // 対称性を保って Λ_ij と Λ_ji を一緒に動かすと、偏微分は 2 倍になる
                    let (mut a, mut b) = (lam.clone(), lam.clone());
                    a[[i, j]] += h;
                    a[[j, i]] += h;
                    b[[i, j]] -= h;
                    b[[j, i]] -= h;
                    let fd_sym = (kl_of_precision(&a, &mu, &data)
                        - kl_of_precision(&b, &mu, &data))
                        / (2.0 * h);
                    assert!(close(2.0 * g[[i, j]], fd_sym, FINITE_DIFFERENCE_TOLERANCE));
                }
            }
        }
    }
}

#[test]
fn eq_2_24_mle_covariance_divides_by_n() {
    let data = array![[0.0, 0.0], [3.0, 1.0], [1.0, 5.0], [0.0, 2.0]];
    let q = Mvn::fit(&data).unwrap();
    // 偏差 (-1,-2), (2,-1), (0,3), (-1,0): Σ (xx) = 6, Σ (xy) = 2 - 2 + 0 + 0 = 0, Σ (yy) = 14
    let want = [[6.0 / 4.0, 0.0], [0.0, 14.0 / 4.0]];
    let c = q.covariance().matrix();
    for i in 0..2 {
        for j in 0..2 {
            assert!((c[[i, j]] - want[i][j]).abs() < 1e-15);
        }
    }
    // 勾配 (2.24) は最尤推定で 0、不偏推定 (1/(n-1)) では 0 にならず D も大きい
    let g = q.kl_grad_precision(&data).unwrap();
    assert!((0..2).all(|i| (0..2).all(|j| g[[i, j]].abs() < 1e-15)));
    let unb = Mvn::new(array![1.0, 2.0], unbiased_covariance(&data).unwrap()).unwrap();
    assert!((unbiased_covariance(&data).unwrap()[[1, 1]] - 14.0 / 3.0).abs() < 1e-15);
    let gu = unb.kl_grad_precision(&data).unwrap();
    assert!(gu[[1, 1]].abs() > 0.1);
    assert!(unb.kl_up_to_const(&data).unwrap() > q.kl_up_to_const(&data).unwrap());
}

#[test]
fn eq_2_24_fit_rejects_too_few_or_degenerate_samples() {
    let two = array![[0.0, 0.0, 1.0], [1.0, 2.0, 0.0], [2.0, 1.0, 1.0]];
    assert_eq!(
        Mvn::fit(&two).unwrap_err(),
        Error::TooFewSamples {
            needed: 4,
            actual: 3
        }
    );
    // 4 点でも同じ平面の上にあれば散布行列は特異
    let plane = array![
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [1.0, 1.0, 0.0]
    ];
    assert_eq!(Mvn::fit(&plane).unwrap_err(), Error::NotPositiveDefinite);
    // ほぼ平面（厚み 1e-6）: 正定値だが条件数が大きすぎる
    let thin = array![
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [1.0, 1.0, 1e-6]
    ];
    assert!(matches!(Mvn::fit(&thin), Err(Error::IllConditioned { .. })));
}

#[test]
fn eq_2_14_mvn_mle_maximizes_log_likelihood_and_minimizes_kl() {
    // 最尤推定の点から、μ と Σ を（正定値を保つ範囲で）ランダムに動かすと、
    // 平均対数尤度は必ず下がり、KL (2.22) は必ず上がる。両者の和は定数 (N/2) ln 2π。
    let mut rng = ChaCha8Rng::seed_from_u64(140);
    let data = random_points(&mut rng, 30, 3);
    let fit = Mvn::fit(&data).unwrap();
    let (ll0, d0) = (
        fit.mean_log_likelihood(&data).unwrap(),
        fit.kl_up_to_const(&data).unwrap(),
    );
    let c = 1.5 * (2.0 * PI).ln();
    assert!(close(ll0 + d0 + c, 0.0, 1e-12));
    let base = fit.covariance().matrix().to_owned();
    for _ in 0..200 {
        let mu: Array1<f64> = fit
            .mean()
            .iter()
            .map(|m| m + rng.random_range(-0.2..0.2))
            .collect();
        let e = random_spd(&mut rng, 3);
        let s = rng.random_range(-0.1..0.1);
        let cov = &base + &(s * &e);
        let Ok(q) = Mvn::new(mu, cov) else {
            continue;
        };
        assert!(q.mean_log_likelihood(&data).unwrap() < ll0);
        assert!(q.kl_up_to_const(&data).unwrap() > d0);
    }
}

// ---------------------------------------------------------------- 実データ: iris

/// `tests/data/` のファイルを読む（リポジトリの根の tests/data。出典は同じ場所の README.md）。
fn read_data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} を読めない: {e}", path.display()))
}

#[test]
fn eq_2_24_iris_mle_matches_numpy() {
    // iris.csv: 1 行目は見出し、以降は 4 つの測定値と種の番号
    let csv = read_data("iris.csv");
    let values: Vec<f64> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| {
            l.split(',')
                .take(4)
                .map(|v| v.trim().parse::<f64>().unwrap())
        })
        .collect();
    assert_eq!(values.len(), 150 * 4);
    let data = Array2::from_shape_vec((150, 4), values).unwrap();
    // NumPy で一度だけ計算した参照値（iris_reference.py の出力）
    let reference = read_data("iris_reference.txt");
    // 見出し key の行を 1 行ずつ読み、行列にする
    let values = |key: &str| -> Array2<f64> {
        let rows: Vec<Vec<f64>> = reference
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(key))
            .map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .map(|v| v.parse().unwrap())
                    .collect()
            })
            .collect();
        let cols = rows[0].len();
        Array2::from_shape_vec((rows.len(), cols), rows.concat()).unwrap()
    };
    let (mean, cov_mle, cov_unb) = (values("mean"), values("cov_mle"), values("cov_unbiased"));
    assert_eq!(
        (mean.dim(), cov_mle.dim(), cov_unb.dim()),
        ((1, 4), (4, 4), (4, 4))
    );

    let q = Mvn::fit(&data).unwrap();
    // 和の順序の違いによる丸め誤差は 150 項で相対 1e-14 程度。相対 1e-12 で比べる
    for k in 0..4 {
        assert!(
            close(q.mean()[k], mean[[0, k]], 1e-12),
            "平均 {k}: {} vs NumPy {}",
            q.mean()[k],
            mean[[0, k]]
        );
    }
    let c = q.covariance().matrix();
    let cu = unbiased_covariance(&data).unwrap();
    for i in 0..4 {
        for j in 0..4 {
            assert!(
                close(c[[i, j]], cov_mle[[i, j]], 1e-12),
                "({i},{j}): {} vs NumPy {}",
                c[[i, j]],
                cov_mle[[i, j]]
            );
            assert!(close(cu[[i, j]], cov_unb[[i, j]], 1e-12));
            // 最尤推定 (1/n) と NumPy の既定 (1/(n-1)) は 150/149 倍ずれる
            assert!(close(
                cov_unb[[i, j]],
                cov_mle[[i, j]] * 150.0 / 149.0,
                1e-12
            ));
        }
    }
    assert!((cov_unb[[2, 2]] - cov_mle[[2, 2]]).abs() > 0.01);
    // そこで勾配 (2.23)・(2.24) が 0
    assert!(
        q.kl_grad_mean(&data)
            .unwrap()
            .iter()
            .all(|g| g.abs() < 1e-12)
    );
    let g = q.kl_grad_precision(&data).unwrap();
    assert!((0..4).all(|i| (0..4).all(|j| g[[i, j]].abs() < 1e-12)));
}

// ---------------------------------------------------------------- 連続でないビュー

/// 添字どおりに写した、行優先で連続な複製（比較の相手）。
fn contiguous(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let c = Array2::from_shape_fn(a.dim(), |(i, j)| a[[i, j]]);
    assert!(c.is_standard_layout());
    c
}

/// 1 行おきの切り出し、逆順、列の間引き、列優先の格納（転置のビュー）で渡したデータ集合でも、
/// 最尤推定 (2.23)・(2.24)、散布行列、KL 情報量 (2.22) とその勾配、平均対数尤度が
/// 連続な複製と同じになる。平均と散布行列は複製から手で（Σ x_i / n、Σ dᵀd / n）も求めて比べる。
#[test]
fn non_contiguous_data_views_give_the_same_result_as_a_contiguous_copy() {
    let mut rng = ChaCha8Rng::seed_from_u64(2_024);
    let data = random_points(&mut rng, 20, 3);
    // 3 × 20 の行優先の配列の転置: 20 × 3 だが列優先
    let by_column = contiguous(data.t());
    let views = [
        data.slice_axis(Axis(0), Slice::from(..).step_by(2)),
        data.slice_axis(Axis(0), Slice::from(..).step_by(-1)),
        data.slice_axis(Axis(1), Slice::from(..).step_by(2)),
        by_column.t(),
    ];
    for v in views {
        assert!(!v.is_standard_layout());
        let copy = contiguous(v);
        let (n, d) = copy.dim();
        // 手で求めた平均と散布行列
        let mean = Array1::from_shape_fn(d, |k| copy.column(k).iter().sum::<f64>() / n as f64);
        let scatter = Array2::from_shape_fn((d, d), |(i, j)| {
            copy.rows()
                .into_iter()
                .map(|x| (x[i] - mean[i]) * (x[j] - mean[j]))
                .sum::<f64>()
                / n as f64
        });
        let m = sample_mean(v).unwrap();
        assert!(
            m.iter().zip(&mean).all(|(a, b)| close(*a, *b, 1e-14)),
            "{m} vs {mean}"
        );
        let sv = scatter_matrix(v, &mean).unwrap();
        let sc = scatter_matrix(&copy, &mean).unwrap();
        let su = unbiased_covariance(v).unwrap();
        for i in 0..d {
            for j in 0..d {
                assert!(
                    close(sv[[i, j]], scatter[[i, j]], 1e-13),
                    "{sv} vs {scatter}"
                );
                assert!(close(sv[[i, j]], sc[[i, j]], 1e-15));
                assert!(close(
                    su[[i, j]],
                    scatter[[i, j]] * n as f64 / (n - 1) as f64,
                    1e-13
                ));
            }
        }
        // 平均ベクトルも連続でないビュー（行列の列）で渡せる
        let means = Array2::from_shape_fn((d, 2), |(k, c)| if c == 0 { mean[k] } else { 0.0 });
        let sm = scatter_matrix(v, means.column(0)).unwrap();
        assert!(sm.iter().zip(&sv).all(|(a, b)| close(*a, *b, 1e-15)));

        let (fv, fc) = (Mvn::fit(v).unwrap(), Mvn::fit(&copy).unwrap());
        assert!(
            fv.mean()
                .iter()
                .zip(fc.mean())
                .all(|(a, b)| close(*a, *b, 1e-15))
        );
        let (cv, cc) = (fv.covariance().matrix(), fc.covariance().matrix());
        assert!(cv.iter().zip(cc).all(|(a, b)| close(*a, *b, 1e-15)));

        let q = mvn(&random_vector(&mut rng, d, 1.0), &random_spd(&mut rng, d));
        assert!(close(
            q.kl_up_to_const(v).unwrap(),
            q.kl_up_to_const(&copy).unwrap(),
            1e-14
        ));
        assert!(close(
            q.mean_log_likelihood(v).unwrap(),
            q.mean_log_likelihood(&copy).unwrap(),
            1e-14
        ));
        let (gv, gc) = (q.kl_grad_mean(v).unwrap(), q.kl_grad_mean(&copy).unwrap());
        assert!(gv.iter().zip(&gc).all(|(a, b)| close(*a, *b, 1e-14)));
        let (hv, hc) = (
            q.kl_grad_precision(v).unwrap(),
            q.kl_grad_precision(&copy).unwrap(),
        );
        assert!(hv.iter().zip(&hc).all(|(a, b)| close(*a, *b, 1e-14)));
    }
}

/// 分散共分散行列を列優先（`.t().to_owned()`）や歩幅つき（`slice_axis_inplace` で間引いた所有配列）で
/// 渡しても、点を行列の列（連続でないビュー）で渡しても、密度は参照実装 (2.21) と一致する。
/// 間引いた配列の捨てた成分には非対称な大きな値を入れておく（読み違えれば対称性の検査で落ちる）。
#[test]
fn covariance_and_points_in_non_contiguous_storage_are_read_by_index() {
    let mut rng = ChaCha8Rng::seed_from_u64(2_025);
    let cov = random_spd(&mut rng, 3);
    let mu = random_vector(&mut rng, 3, 1.0);
    let column_major = cov.t().to_owned();
    assert!(!column_major.is_standard_layout());
    let mut strided = Array2::from_shape_fn((6, 6), |(i, j)| {
        if i % 2 == 0 && j % 2 == 0 {
            cov[[i / 2, j / 2]]
        } else {
            1e3 * (i as f64 - 2.0 * j as f64)
        }
    });
    strided.slice_axis_inplace(Axis(0), Slice::from(..).step_by(2));
    strided.slice_axis_inplace(Axis(1), Slice::from(..).step_by(2));
    assert_eq!(strided.dim(), (3, 3));
    assert!(!strided.is_standard_layout());
    let points = random_points(&mut rng, 3, 5);
    let reference = Mvn::new(mu.clone(), cov.clone()).unwrap();
    for stored in [column_major, strided] {
        let q = Mvn::new(mu.clone(), stored).unwrap();
        assert_eq!(q.covariance().matrix(), reference.covariance().matrix());
        for x in points.columns() {
            let want = ln_density_ref(mu.view(), cov.view(), x);
            assert!(close(q.ln_density(x).unwrap(), want, 1e-12));
            assert!(close(
                q.ln_density(x).unwrap(),
                q.ln_density(&x.to_vec()).unwrap(),
                1e-15
            ));
        }
    }
}
