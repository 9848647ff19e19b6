//! 敵対的な入力の掃引（分布・KL・ガウス・線形代数）。
//!
//! 公開関数のそれぞれに極端な値（±0、非正規化数、±1e308、f64::MAX、NaN、±∞）、空の配列、
//! 長さ 1 の配列、連続でないビュー、`usize::MAX` の大きさを与え、契約を確かめる:
//! `Ok` なら有限で、数学的な性質（確率の和が 1、KL ≥ 0、平均は最小と最大の間、A A⁻¹ = I など）を
//! 満たす値、そうでなければ型つきの `Err`。パニック・NaN・黙った誤りは許さない。
//!
//! 掃引の大きさ（関数 × 入力）は各テストの最後の `finish` が数え、下限を確かめる（`-- --nocapture` で表示）:
//! 分布と KL 8 関数 7 084 回、1 次元ガウス 13 関数 32 795 回、線形代数と行列の微分 25 関数 364 605 回、
//! 多変量ガウス 14 関数 8 659 回。合わせて **60 関数 × 入力 = 413 143 回**。

mod hostile_support;

use genmodel::Error;
use genmodel::distribution::{Boltzmann, Categorical, EmpiricalDistribution, expectation};
use genmodel::divergence::{kl_divergence, kl_gaussian_1d, kl_terms};
use genmodel::gaussian::{Gaussian, Mvn, multivariate, univariate};
use genmodel::linalg::{self, Spd, SymmetricMatrix, matcalc};
use genmodel::logspace::log_sum_exp;
use genmodel::ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use hostile_support::{EXTREMES, Sweep};
use rand::SeedableRng;

fn finite(v: f64) -> bool {
    v.is_finite()
}

fn all_finite<'a>(a: impl IntoIterator<Item = &'a f64>) -> bool {
    a.into_iter().all(|v| v.is_finite())
}

/// 極端な値の 2 つ組すべて（長さ 2 の入力）。
fn pairs() -> impl Iterator<Item = [f64; 2]> {
    EXTREMES
        .iter()
        .flat_map(|&a| EXTREMES.iter().map(move |&b| [a, b]))
}

/// 長さ 0・1・2・3 の極端なベクトルと、連続でないビュー（1 つおき）の元になる長さ 6 の配列。
fn vectors() -> Vec<Array1<f64>> {
    let mut out = vec![Array1::zeros(0)];
    out.extend(EXTREMES.iter().map(|&a| Array1::from(vec![a])));
    out.extend(pairs().map(|p| Array1::from(p.to_vec())));
    out.extend(EXTREMES.iter().map(|&a| Array1::from(vec![a, 1.0, -a])));
    out
}

/// 1 つおきに読むと `v` になる長さ `2n` の配列のビュー（歩幅 2 の連続でないビュー）。
fn strided(v: &Array1<f64>) -> Array1<f64> {
    let mut w = Array1::from_elem(2 * v.len(), 7.0);
    w.slice_mut(s![..;2]).assign(v);
    w
}

#[test]
fn named_cases_from_the_issue() {
    // E = -1e17 が 2 つ: 確率はそれぞれ 1/2（以前は 1.0 ずつ）
    let q = Boltzmann::new(Array1::from(vec![-1e17, -1e17])).unwrap();
    assert_eq!(q.probability(0), Some(0.5));
    assert_eq!(q.probability(1), Some(0.5));
    // 非正規化数の分散: ½ (320 ln 10 - 1) ≈ 367.9（以前は +∞）
    let d = kl_gaussian_1d(0.0, 1e-320, 0.0, 1.0).unwrap();
    assert!((d - 0.5 * (320.0 * 10f64.ln() - 1.0)).abs() < 1e-3, "{d}");
    // 和はあふれるが平均 1e308 は表せる（以前は Ok(∞)）
    assert_eq!(univariate::sample_mean(&[1e308, 1e308]), Ok(1e308));
    // 分散 1e400 は表せない: 入力ではなく結果の範囲外として報告する
    assert!(matches!(
        Gaussian::fit(&[1e200, -1e200]),
        Err(Error::Overflow { .. })
    ));
    // σ² = 1e-200 は受け入れ、勾配が表せなければ NaN ではなく誤り
    let g = Gaussian::new(0.0, 1e-200).unwrap();
    assert!(matches!(g.kl_gradient(&[1.0]), Err(Error::Overflow { .. })));
    // データが μ にあれば勾配は有限: ∂D/∂σ² = 1/(2σ²) = 5e199
    assert_eq!(g.kl_gradient(&[0.0]).unwrap().var, 0.5e200);
    // 状態数 usize::MAX は確保を試みずに断る（以前は容量あふれでパニック）
    assert!(matches!(
        EmpiricalDistribution::from_states(&[0], usize::MAX),
        Err(Error::TooLarge { .. })
    ));
    // 和が 1 - 1e-10 の確率ベクトルは受け入れ、KL は負にならない（以前は -1e-9 など）
    let p = Categorical::new(Array1::from(vec![0.5, 0.5 - 1e-10])).unwrap();
    let r = Categorical::new(Array1::from(vec![0.5 - 1e-10, 0.5])).unwrap();
    assert!(kl_divergence(&p, &r).unwrap() >= 0.0);
    assert_eq!(kl_divergence(&p, &p).unwrap(), 0.0);
}

#[test]
fn sweep_distributions_and_kl() {
    let mut sw = Sweep::default();
    for v in vectors() {
        let sum_is_one = |c: &Categorical| {
            let p = c.probabilities();
            all_finite(p.iter())
                && p.iter().all(|&x| (0.0..=1.0).contains(&x))
                && (p.sum() - 1.0).abs() < 1e-12
        };
        sw.probe_ok(
            "Categorical::new",
            &v,
            || Categorical::new(v.clone()),
            sum_is_one,
        );
        sw.probe_ok(
            "Categorical::from_weights",
            &v,
            || Categorical::from_weights(&v),
            sum_is_one,
        );
        let w = strided(&v);
        sw.probe_ok(
            "Categorical::from_weights(ビュー)",
            &v,
            || Categorical::from_weights(w.slice(s![..;2])),
            |c| Ok(c) == Categorical::from_weights(&v).as_ref(),
        );
        sw.probe_ok(
            "Boltzmann::new",
            &v,
            || Boltzmann::new(v.clone()),
            |q| {
                let d = q.distribution();
                let e = q.energies();
                // 確率の和は 1、エネルギーの低い状態ほど確率が高い（等しければ等しい）
                let ordered = (0..e.len()).all(|i| {
                    (0..e.len()).all(|j| {
                        e[i] > e[j] || q.probability(i).unwrap() >= q.probability(j).unwrap()
                    })
                });
                sum_is_one(&d) && finite(q.log_z()) && ordered
            },
        );
        sw.probe_ok(
            "log_sum_exp",
            &v,
            || log_sum_exp(&v),
            |&m| {
                let max = v.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                // max ≤ LSE ≤ max + ln n
                (m == max && m == f64::NEG_INFINITY)
                    || (m >= max && m <= max + (v.len() as f64).ln() + 1e-12 * max.abs())
            },
        );
    }
    // KL: 極端な確率ベクトルの組すべて
    let cats: Vec<Categorical> = vectors()
        .into_iter()
        .filter_map(|v| Categorical::from_weights(&v).ok())
        .collect();
    for p in &cats {
        for q in &cats {
            sw.probe_ok(
                "kl_divergence",
                &(p, q),
                || kl_divergence(p, q),
                |&d| d >= 0.0 && (d.is_finite() || d == f64::INFINITY) && (p != q || d == 0.0),
            );
            sw.probe_ok(
                "kl_terms",
                &(p, q),
                || kl_terms(p, q),
                |t| t.iter().all(|x| !x.is_nan()),
            );
        }
    }
    for [m1, v1] in pairs() {
        for [m2, v2] in [[0.0, 1.0], [m1, v1], [1e-300, 1e-300], [-1e300, 1e300]] {
            let input = [m1, v1, m2, v2];
            sw.probe_ok(
                "kl_gaussian_1d",
                &input,
                || kl_gaussian_1d(m1, v1, m2, v2),
                |&d| {
                    finite(d)
                        && d >= -1e-12 * d.abs().max(1.0)
                        && (input[..2] != input[2..] || d == 0.0)
                },
            );
        }
    }
    // 状態数と標本
    for n_states in [0, 1, 3, usize::MAX / 2, usize::MAX] {
        for states in [vec![], vec![0usize], vec![0, 2, 2], vec![usize::MAX]] {
            sw.probe_ok(
                "EmpiricalDistribution::from_states",
                &(&states, n_states),
                || EmpiricalDistribution::from_states(&states, n_states),
                |p| {
                    let n = states.len() as f64;
                    (0..n_states.min(8)).all(|x| {
                        let c = states.iter().filter(|&&s| s == x).count() as f64;
                        p.probabilities()[x] == c / n
                    })
                },
            );
        }
    }
    sw.finish_at_least("sweep_distributions_and_kl", 8, 7000);
}

/// 1 次元データの極端な組（空・長さ 1・2・3 と、歩幅 2 のビュー）。
fn data_1d() -> Vec<Array1<f64>> {
    vectors()
}

#[test]
fn sweep_univariate_gaussian() {
    let mut sw = Sweep::default();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for [mu, var] in pairs() {
        sw.probe_ok(
            "Gaussian::new",
            &(mu, var),
            || Gaussian::new(mu, var),
            |g| g.mean() == mu && g.variance() == var && var > 0.0 && finite(g.normalizer()),
        );
        let Ok(g) = Gaussian::new(mu, var) else {
            continue;
        };
        let peak = 1.0 / ((2.0 * std::f64::consts::PI).sqrt() * var.sqrt());
        for x in EXTREMES {
            sw.probe_ok(
                "Gaussian::density",
                &(mu, var, x),
                || g.density(x),
                |&d| (0.0..=peak * (1.0 + 1e-15)).contains(&d),
            );
            sw.probe_ok(
                "Gaussian::unnormalized_density",
                &(mu, var, x),
                || g.unnormalized_density(x),
                |&d| (0.0..=1.0).contains(&d),
            );
            sw.probe_ok(
                "Gaussian::ln_density",
                &(mu, var, x),
                || g.ln_density(x),
                |&l| {
                    finite(l)
                        && l <= -0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * var.ln() + 1e-12
                },
            );
        }
        for data in data_1d() {
            let lo = data.fold(f64::INFINITY, |a, &b| a.min(b));
            sw.probe_ok(
                "Gaussian::kl_up_to_const",
                &(mu, var, &data),
                || g.kl_up_to_const(&data),
                |&d| finite(d) && d >= 0.5 * var.ln() - 1e-12 * d.abs().max(1.0),
            );
            sw.probe_ok(
                "Gaussian::kl_gradient",
                &(mu, var, &data),
                || g.kl_gradient(&data),
                |k| {
                    // ∂D/∂μ の符号は μ とデータの位置関係で決まる: 全データが μ より上なら負
                    finite(k.mu) && finite(k.var) && (lo <= mu || k.mu <= 0.0)
                },
            );
            sw.probe_ok(
                "Gaussian::mean_log_likelihood",
                &(mu, var, &data),
                || g.mean_log_likelihood(&data),
                |&l| finite(l),
            );
        }
        sw.probe_ok(
            "Gaussian::sample",
            &(mu, var),
            || g.sample(&mut rng, 3),
            |xs| all_finite(xs.iter()) && xs.len() == 3,
        );
        sw.probe_ok(
            "Gaussian::sample(usize::MAX)",
            &(mu, var),
            || g.sample(&mut rng, usize::MAX),
            |_| false,
        );
    }
    for data in data_1d() {
        let (lo, hi) = data.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
        let w = strided(&data);
        let view = w.slice(s![..;2]);
        let in_range = |m: f64| finite(m) && lo <= m && m <= hi;
        // Popoviciu: 分散 ≤ (max - min)² / 4
        let var_ok =
            |v: f64| finite(v) && v >= 0.0 && v <= 0.25 * (hi - lo).powi(2) * (1.0 + 1e-12);
        sw.probe_ok(
            "sample_mean",
            &data,
            || univariate::sample_mean(&data),
            |&m| in_range(m),
        );
        sw.probe_ok(
            "sample_mean(ビュー)",
            &data,
            || univariate::sample_mean(view),
            |&m| Ok(m) == univariate::sample_mean(&data),
        );
        sw.probe_ok(
            "sample_variance",
            &data,
            || univariate::sample_variance(&data),
            |&v| var_ok(v),
        );
        sw.probe_ok(
            "unbiased_variance",
            &data,
            || univariate::unbiased_variance(&data),
            |&v| {
                let n = data.len() as f64;
                finite(v)
                    && v >= 0.0
                    && v <= 0.25 * (hi - lo).powi(2) * n / (n - 1.0) * (1.0 + 1e-12)
            },
        );
        sw.probe_ok(
            "Gaussian::fit",
            &data,
            || Gaussian::fit(&data),
            |g| in_range(g.mean()) && var_ok(g.variance()) && g.variance() > 0.0,
        );
        let as_rows = data.clone().insert_axis(genmodel::ndarray::Axis(1));
        sw.probe_ok(
            "expectation",
            &data,
            || expectation(&as_rows, |x| x[0]),
            |&m| in_range(m),
        );
    }
    sw.finish_at_least("sweep_univariate_gaussian", 13, 32000);
}

/// 2×2 の極端な行列（成分は EXTREMES から選ぶ。対称なものと一般のもの）と、その他の形。
fn matrices() -> Vec<Array2<f64>> {
    let mut out = vec![Array2::zeros((0, 0)), Array2::zeros((2, 3))];
    for [a, b] in pairs() {
        out.push(Array2::from_shape_vec((1, 1), vec![a]).unwrap());
        out.push(Array2::from_shape_vec((2, 2), vec![a, b, b, 1.0]).unwrap());
        out.push(Array2::from_shape_vec((2, 2), vec![1.0, a, b, 1.0]).unwrap());
    }
    out
}

/// `A B ≈ I`（相対誤差は条件数と成分の大きさで測る）。
fn is_inverse(a: ArrayView2<'_, f64>, inv: &Array2<f64>) -> bool {
    let n = a.nrows();
    let prod = a.dot(inv);
    let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
        * inv.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    all_finite(inv.iter())
        && (0..n).all(|i| {
            (0..n).all(|j| {
                let want = if i == j { 1.0 } else { 0.0 };
                (prod[[i, j]] - want).abs() <= 1e-6 * scale.max(1.0)
            })
        })
}

#[test]
fn sweep_linear_algebra() {
    let mut sw = Sweep::default();
    for a in matrices() {
        let at = a.t();
        // 1×1 の 0 でない有限な行列は、どんな大きさでも条件数 1 で、逆行列は 1/a（表せれば）
        if a.dim() == (1, 1) && a[[0, 0]].is_finite() && a[[0, 0]] != 0.0 {
            assert_eq!(linalg::condition_number(&a), Ok(1.0), "{a}");
            let want = 1.0 / a[[0, 0]];
            match linalg::inverse(&a) {
                Ok(inv) => assert_eq!(inv[[0, 0]], want, "{a}"),
                Err(e) => assert!(
                    !want.is_finite() && matches!(e, Error::Overflow { .. }),
                    "{a}: {e}"
                ),
            }
        }
        sw.probe_ok(
            "square_dim",
            &a,
            || linalg::square_dim(&a),
            |&n| n == a.nrows() && n == a.ncols(),
        );
        sw.probe_ok(
            "ensure_symmetric",
            &a,
            || linalg::ensure_symmetric(&a),
            |_| {
                a.nrows() == a.ncols()
                    && (0..a.nrows()).all(|i| {
                        (0..a.nrows()).all(|j| {
                            a[[i, j]] == a[[j, i]]
                                || (a[[i, j]] - a[[j, i]]).abs()
                                    <= 1e-10 * a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
                        })
                    })
            },
        );
        sw.probe_ok(
            "determinant",
            &a,
            || linalg::determinant(&a),
            |&d| {
                if a.nrows() == 1 {
                    d == a[[0, 0]]
                } else {
                    let (p, q) = (a[[0, 0]] * a[[1, 1]], a[[0, 1]] * a[[1, 0]]);
                    finite(d)
                        && (!finite(p - q)
                            || (d - (p - q)).abs()
                                <= 1e-12 * (p.abs() + q.abs()) + f64::MIN_POSITIVE)
                }
            },
        );
        sw.probe_ok(
            "determinant(転置ビュー)",
            &a,
            || linalg::determinant(at),
            |&d| {
                Ok(d) == linalg::determinant(&a)
                    || (d - linalg::determinant(&a).unwrap()).abs() <= 1e-12 * d.abs()
            },
        );
        sw.probe_ok(
            "condition_number",
            &a,
            || linalg::condition_number(&a),
            |&k| k >= 1.0 - 1e-12 || k.is_infinite(),
        );
        sw.probe_ok(
            "inverse",
            &a,
            || linalg::inverse(&a),
            |inv| is_inverse(a.view(), inv),
        );
        sw.probe_ok(
            "symmetric_eigen",
            &a,
            || linalg::symmetric_eigen(&a),
            |e| {
                // 固有値の和 = 跡、U は直交
                let tr: f64 = a.diag().sum();
                let u = &e.vectors;
                let utu = u.t().dot(u);
                all_finite(e.values.iter())
                    && (e.values.sum() - tr).abs()
                        <= 1e-12 * a.iter().fold(1.0_f64, |m, v| m.max(v.abs()))
                    && utu
                        .indexed_iter()
                        .all(|((i, j), v)| (v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12)
            },
        );
        sw.probe_ok(
            "SymmetricMatrix::new",
            &a,
            || SymmetricMatrix::new(a.clone()),
            |m| m.min_eigenvalue() <= m.max_eigenvalue(),
        );
        sw.probe_ok(
            "Spd::new",
            &a,
            || Spd::new(a.clone()),
            |m| {
                // L Lᵀ = A を、あふれないように最大成分 s で割った形 (L/√s)(L/√s)ᵀ = A/s で比べる
                let scale = a.iter().fold(0.0_f64, |x, v| x.max(v.abs()));
                let l = m.cholesky_lower().mapv(|v| v / scale.sqrt());
                let llt = l.dot(&l.t());
                m.eigenvalues().iter().all(|&v| v > 0.0)
                    && finite(m.ln_det())
                    && llt
                        .indexed_iter()
                        .all(|(ij, v)| (v - a[ij] / scale).abs() <= 1e-12)
            },
        );
        if let Ok(spd) = Spd::new(a.clone()) {
            sw.probe_ok(
                "Spd::inverse",
                &a,
                || spd.inverse(),
                |inv| is_inverse(a.view(), inv),
            );
            for v in vectors() {
                sw.probe_ok(
                    "Spd::inv_quad_form",
                    &(&a, &v),
                    || spd.inv_quad_form(&v),
                    |&q| finite(q) && q >= 0.0,
                );
                sw.probe_ok(
                    "Spd::cholesky_mul",
                    &(&a, &v),
                    || spd.cholesky_mul(&v),
                    |lv| all_finite(lv.iter()),
                );
                sw.probe_ok(
                    "SymmetricMatrix::quadratic_form",
                    &(&a, &v),
                    || SymmetricMatrix::new(a.clone())?.quadratic_form(&v),
                    |&q| finite(q) && q >= 0.0,
                );
            }
        }
        for v in vectors() {
            sw.probe_ok(
                "matcalc::quadratic_form",
                &(&a, &v),
                || matcalc::quadratic_form(&a, &v),
                |&q| finite(q),
            );
            sw.probe_ok(
                "matcalc::grad_quadratic_form",
                &(&a, &v),
                || matcalc::grad_quadratic_form(&a, &v),
                |g| all_finite(g.iter()),
            );
            sw.probe_ok(
                "matcalc::grad_quadratic_form_symmetric",
                &(&a, &v),
                || matcalc::grad_quadratic_form_symmetric(&a, &v),
                |g| all_finite(g.iter()),
            );
        }
        sw.probe_ok(
            "matcalc::grad_trace_product",
            &a,
            || matcalc::grad_trace_product(&a),
            |g| g == at,
        );
        sw.probe_ok(
            "matcalc::minor",
            &a,
            || matcalc::minor(&a, 0, 0),
            |&m| finite(m),
        );
        sw.probe_ok(
            "matcalc::cofactor_expansion",
            &a,
            || matcalc::cofactor_expansion(&a, 0),
            |&d| {
                Ok(d) == linalg::determinant(&a)
                    || (d - linalg::determinant(&a).unwrap_or(f64::NAN)).abs()
                        <= 1e-12 * d.abs().max(1e-300)
            },
        );
        sw.probe_ok(
            "matcalc::cofactor_matrix",
            &a,
            || matcalc::cofactor_matrix(&a),
            |c| all_finite(c.iter()),
        );
        sw.probe_ok(
            "matcalc::grad_det",
            &a,
            || matcalc::grad_det(&a),
            |c| all_finite(c.iter()),
        );
        sw.probe_ok(
            "matcalc::adjugate",
            &a,
            || matcalc::adjugate(&a),
            |c| all_finite(c.iter()),
        );
        sw.probe_ok(
            "matcalc::grad_ln_abs_det",
            &a,
            || matcalc::grad_ln_abs_det(&a),
            |g| is_inverse(at, g),
        );
        sw.probe_ok(
            "matcalc::grad_ln_det_cov_wrt_precision",
            &a,
            || matcalc::grad_ln_det_cov_wrt_precision(&a),
            |g| all_finite(g.iter()),
        );
        sw.probe_ok("matcalc::det", &a, || matcalc::det(&a), |&d| finite(d));
    }
    for v in vectors() {
        sw.probe_ok(
            "matcalc::grad_quadratic_form_wrt_matrix",
            &v,
            || matcalc::grad_quadratic_form_wrt_matrix(&v),
            |g| all_finite(g.iter()),
        );
    }
    sw.finish_at_least("sweep_linear_algebra", 25, 360000);
}

/// 2 次元データの極端な組（n × 2、空、0 列、連続でないビューの元）。
fn data_2d() -> Vec<Array2<f64>> {
    let mut out = vec![Array2::zeros((0, 2)), Array2::zeros((3, 0))];
    for [a, b] in pairs() {
        out.push(
            Array2::from_shape_vec((4, 2), vec![a, b, 1.0, 0.0, 0.0, 1.0, -1.0, -1.0]).unwrap(),
        );
    }
    out
}

#[test]
fn sweep_multivariate_gaussian() {
    let mut sw = Sweep::default();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let unit = Mvn::new(Array1::zeros(2), Array2::eye(2)).unwrap();
    for [m, c] in pairs() {
        let cov = Array2::from_shape_vec((2, 2), vec![1.0, 0.0, 0.0, c]).unwrap();
        sw.probe_ok(
            "Mvn::new",
            &(m, c),
            || Mvn::new(Array1::from(vec![m, 0.0]), cov.clone()),
            |q| finite(q.ln_normalizer()) && all_finite(q.precision().iter()),
        );
        let Ok(q) = Mvn::new(Array1::from(vec![m, 0.0]), cov) else {
            continue;
        };
        sw.probe_ok(
            "Mvn::sample",
            &(m, c),
            || q.sample(&mut rng, 3),
            |x| all_finite(x.iter()),
        );
        sw.probe_ok(
            "Mvn::sample(usize::MAX)",
            &(m, c),
            || q.sample(&mut rng, usize::MAX),
            |_| false,
        );
        for x in pairs() {
            sw.probe_ok(
                "Mvn::mahalanobis_sq",
                &x,
                || q.mahalanobis_sq(&x),
                |&d| finite(d) && d >= 0.0,
            );
            sw.probe_ok(
                "Mvn::density",
                &x,
                || q.density(&x),
                |&d| finite(d) && d >= 0.0 && d <= (-q.ln_normalizer()).exp() * (1.0 + 1e-12),
            );
            sw.probe_ok(
                "Mvn::ln_density",
                &x,
                || q.ln_density(&x),
                |&d| finite(d) && d <= -q.ln_normalizer() + 1e-12,
            );
            sw.probe_ok(
                "Mvn::unnormalized_density",
                &x,
                || q.unnormalized_density(&x),
                |&d| (0.0..=1.0).contains(&d),
            );
        }
    }
    for data in data_2d() {
        let view: ArrayView2<'_, f64> = data.view();
        let rev = data.slice(s![..;-1, ..]);
        let col_in_range = |m: ArrayView1<'_, f64>| {
            (0..m.len()).all(|k| {
                let col = data.column(k);
                let (lo, hi) = col.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
                finite(m[k]) && lo <= m[k] && m[k] <= hi
            })
        };
        sw.probe_ok(
            "multivariate::sample_mean",
            &data,
            || multivariate::sample_mean(view),
            |m| col_in_range(m.view()),
        );
        sw.probe_ok(
            "multivariate::sample_mean(逆順ビュー)",
            &data,
            || multivariate::sample_mean(rev),
            |m| {
                multivariate::sample_mean(view).is_ok_and(|w| {
                    (m - &w)
                        .iter()
                        .all(|d| d.abs() <= 1e-12 * w.iter().fold(1.0_f64, |a, v| a.max(v.abs())))
                })
            },
        );
        sw.probe_ok(
            "multivariate::scatter_matrix",
            &data,
            || multivariate::scatter_matrix(view, &multivariate::sample_mean(view)?),
            |s| all_finite(s.iter()) && s == s.t() && s.diag().iter().all(|&v| v >= 0.0),
        );
        sw.probe_ok(
            "multivariate::unbiased_covariance",
            &data,
            || multivariate::unbiased_covariance(view),
            |s| all_finite(s.iter()) && s == s.t(),
        );
        sw.probe_ok(
            "Mvn::fit",
            &data,
            || Mvn::fit(view),
            |q| col_in_range(q.mean()),
        );
        sw.probe_ok(
            "Mvn::kl_up_to_const",
            &data,
            || unit.kl_up_to_const(view),
            |&d| finite(d) && d >= 0.0,
        );
        sw.probe_ok(
            "Mvn::kl_grad_mean",
            &data,
            || unit.kl_grad_mean(view),
            |g| all_finite(g.iter()),
        );
        sw.probe_ok(
            "Mvn::kl_grad_precision",
            &data,
            || unit.kl_grad_precision(view),
            |g| all_finite(g.iter()),
        );
        sw.probe_ok(
            "Mvn::mean_log_likelihood",
            &data,
            || unit.mean_log_likelihood(view),
            |&l| finite(l),
        );
        sw.probe_ok(
            "Mvn::fit(転置ビュー)",
            &data,
            || Mvn::fit(data.t()),
            |q| all_finite(q.mean().iter()),
        );
    }
    sw.finish_at_least("sweep_multivariate_gaussian", 14, 8500);
}
