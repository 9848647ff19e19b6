//! §2.4（多変量ガウス分布）の演習の答え。
//!
//! 期待値は手計算の閉じた形と 2 次元の台形則で求め、クレートの `Mvn`（(2.20)–(2.24)）と
//! `symmetric_eigen` と比べる。アヤメのデータはリポジトリの `tests/data/iris.csv` を読む。

use genmodel::gaussian::multivariate::unbiased_covariance;
use genmodel::gaussian::Mvn;
use genmodel::linalg::symmetric_eigen;
use genmodel::ndarray::{array, Array1, Array2};
use std::f64::consts::PI;

/// 本文に小数第 `digits` 位までで書いた値 `printed` が、`x` を丸めたものに等しいか。
fn rounds_to(x: f64, digits: i32, printed: f64) -> bool {
    let s = 10f64.powi(digits);
    ((x * s).round() - printed * s).abs() < 1e-6
}

/// ∫∫ exp(−½ xᵀ A x) dx を [−L, L]² の台形則で（A は対称でなくてよい）。
fn gaussian_integral_2d(a: &Array2<f64>, half_width: f64, steps: usize) -> f64 {
    let h = 2.0 * half_width / steps as f64;
    let mut s = 0.0;
    for i in 0..=steps {
        let x = -half_width + h * i as f64;
        let wx = if i == 0 || i == steps { 0.5 } else { 1.0 };
        for j in 0..=steps {
            let y = -half_width + h * j as f64;
            let wy = if j == 0 || j == steps { 0.5 } else { 1.0 };
            let q = a[[0, 0]] * x * x + (a[[0, 1]] + a[[1, 0]]) * x * y + a[[1, 1]] * y * y;
            s += wx * wy * (-0.5 * q).exp();
        }
    }
    s * h * h
}

#[test]
fn ex_2_4_1_normalizer_of_2d_example() {
    let sigma = array![[2.0, 1.2], [1.2, 1.5]];
    let det = 2.0 * 1.5 - 1.2 * 1.2;
    assert!((det - 1.56f64).abs() < 1e-15);
    let q = Mvn::new(array![0.5, -1.0], sigma).unwrap();
    // Σ⁻¹ の固有値 (3.5 ∓ √6.01)/3.12
    let mut lam = symmetric_eigen(q.precision()).unwrap().values.to_vec();
    lam.sort_by(f64::total_cmp);
    let want = [(3.5 - 6.01f64.sqrt()) / 3.12, (3.5 + 6.01f64.sqrt()) / 3.12];
    for (l, w) in lam.iter().zip(want) {
        assert!((l - w).abs() < 1e-12, "{l} vs {w}");
    }
    assert!(rounds_to(want[0], 3, 0.336) && rounds_to(want[1], 3, 1.908));
    // Σ の固有値 (3.5 ± √6.01)/2
    assert!(rounds_to((3.5 + 6.01f64.sqrt()) / 2.0, 3, 2.976));
    assert!(rounds_to((3.5 - 6.01f64.sqrt()) / 2.0, 3, 0.524));
    // (2.18) と (2.20) と数値積分
    let z18: f64 = lam.iter().map(|l| (2.0 * PI / l).sqrt()).product();
    let z20 = 2.0 * PI * det.sqrt();
    assert!((z18 - z20).abs() < 1e-12);
    assert!((q.normalizer() - z20).abs() < 1e-12);
    let prec = q.precision().to_owned();
    let quad = gaussian_integral_2d(&prec, 12.0, 600);
    assert!((quad - z20).abs() < 1e-9 * z20, "数値積分 {quad}");
    assert!(rounds_to(z20, 3, 7.848));
}

#[test]
// 本文に印刷した丸めた値（−0.6931 = ln 0.5、3.1416 = π）と比べるので、定数への置き換えを勧める lint を外す
#[allow(clippy::approx_constant)]
fn ex_2_4_2_nonsymmetric_exponent() {
    let a = array![[2.0, 1.0], [0.0, 2.0]];
    let quad = gaussian_integral_2d(&a, 10.0, 500);
    // 対称部分 ((2, 0.5), (0.5, 2)) の固有値 1.5, 2.5
    let sym = array![[2.0, 0.5], [0.5, 2.0]];
    let mut ev = symmetric_eigen(&sym).unwrap().values.to_vec();
    ev.sort_by(f64::total_cmp);
    assert!((ev[0] - 1.5).abs() < 1e-12 && (ev[1] - 2.5).abs() < 1e-12);
    let want = 2.0 * PI / 3.75f64.sqrt();
    assert!((quad - want).abs() < 1e-9, "数値積分 {quad} vs {want}");
    assert!(rounds_to(want, 4, 3.2446));
    // A 自身の固有値 2, 2 を入れた π は違う
    assert!((quad - PI).abs() > 0.1);
    assert!(rounds_to(PI, 4, 3.1416));
}

#[test]
fn ex_2_4_3_singular_scatter_unbounded_kl() {
    let data = array![[0.0, 0.0], [1.0, 1.0]];
    // S = ((0.25, 0.25), (0.25, 0.25)) は特異で、最尤推定はない
    assert!(Mvn::fit(&data).is_err());
    let xbar = array![0.5, 0.5];
    let v = array![1.0, -1.0] / 2f64.sqrt();
    let mut previous = f64::INFINITY;
    for c in [0.0, 1.0, 10.0, 1e3, 1e6] {
        // Ω = I + c v vᵀ、Σ = Ω⁻¹ = I − (c/(1+c)) v vᵀ（Sherman–Morrison）
        let vv: Array2<f64> = Array2::from_shape_fn((2, 2), |(i, j)| v[i] * v[j]);
        let sigma = Array2::<f64>::eye(2) - vv * (c / (1.0 + c));
        let q = Mvn::new(xbar.clone(), sigma).unwrap();
        let d = q.kl_up_to_const(&data).unwrap();
        let want = 0.25 - 0.5 * (1.0 + c).ln();
        assert!((d - want).abs() < 1e-9, "c = {c}: {d} vs {want}");
        // (2.22) を定義どおりに: (1/(2n)) Σ (x_i − μ)ᵀ Ω (x_i − μ) + ½ ln det Σ
        let omega = Array2::<f64>::eye(2) + Array2::from_shape_fn((2, 2), |(i, j)| c * v[i] * v[j]);
        let quad: f64 = data
            .rows()
            .into_iter()
            .map(|x| {
                let r: Array1<f64> = &x - &xbar;
                r.dot(&omega.dot(&r))
            })
            .sum::<f64>()
            / 4.0;
        assert!((quad + 0.5 * (1.0 / (1.0 + c)).ln() - want).abs() < 1e-12);
        assert!(d < previous);
        previous = d;
    }
}

/// tests/data/iris.csv（1 行目は見出し、以降は 4 つの測定値と種の番号）を 150 × 4 の行列にする。
fn iris() -> Array2<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let values: Vec<f64> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| {
            l.split(',')
                .take(4)
                .map(|v| v.trim().parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    Array2::from_shape_vec((150, 4), values).unwrap()
}

#[test]
fn ex_2_4_4_iris_petal_correlation() {
    let data = iris();
    let q = Mvn::fit(&data).unwrap();
    let s = q.covariance().matrix().to_owned();
    // 本文に小数第 3 位まで書いた平均ベクトルと分散共分散行列
    let mean = [5.843, 3.057, 3.758, 1.199];
    let printed = [
        [0.681, -0.042, 1.266, 0.513],
        [-0.042, 0.189, -0.327, -0.121],
        [1.266, -0.327, 3.096, 1.287],
        [0.513, -0.121, 1.287, 0.577],
    ];
    for k in 0..4 {
        assert!(
            rounds_to(q.mean()[k], 3, mean[k]),
            "平均 {k}: {}",
            q.mean()[k]
        );
        for l in 0..4 {
            assert!(
                rounds_to(s[[k, l]], 3, printed[k][l]),
                "Σ̂[{k}][{l}] = {}",
                s[[k, l]]
            );
        }
    }
    // 相関係数 ρ = Σ̂34 / √(Σ̂33 Σ̂44) ≈ 0.963
    let rho = s[[2, 3]] / (s[[2, 2]] * s[[3, 3]]).sqrt();
    assert!(rounds_to(rho, 3, 0.963), "ρ = {rho}");
    // 丸めた本文の値から計算しても 0.963
    let rho_printed = 1.287 / (3.096f64 * 0.577).sqrt();
    assert!(rounds_to(rho_printed, 3, 0.963));
    // 不偏推定は全成分が 150/149 倍で、ρ は変わらない
    let u = unbiased_covariance(&data).unwrap();
    for k in 0..4 {
        for l in 0..4 {
            assert!((u[[k, l]] - s[[k, l]] * 150.0 / 149.0).abs() < 1e-12);
        }
    }
    let rho_u = u[[2, 3]] / (u[[2, 2]] * u[[3, 3]]).sqrt();
    assert!((rho_u - rho).abs() < 1e-14);
    assert!(rounds_to(150.0 / 149.0, 4, 1.0067));
}
