//! 敵対的な入力の掃引: 拡散モデル（第 10 章、`diffusion` のすべての公開関数）。
//!
//! 極端な値（`EXTREMES` の ±0、`±1e-320`、`f64::MIN_POSITIVE`、±1、`±1e308`、`f64::MAX`、NaN、±∞ に、`exp` の境
//! `±700`・`±745`、`1e154`、`5e-324`、`0.5`、`−2` を足したもの）を、予定の `β_t`・線形の予定の端・混合の重み・平均・
//! 分散・点 `x`・雑音 `ε`・`x_0`・ネットワークのパラメータ（1 つずつ）・ガウス分布のデータの `μ`・`s²` に入れ、時刻
//! `t = 0, 1, T, T + 1, usize::MAX`、標本の数 `0, 1, 2, usize::MAX`、空（0 行）・幅違いの配列、連続でないビュー（転置）、
//! 行の数 `B = 1, 63, 64, 65`（64 は 2 つのスレッドに分ける境）を与えて、契約を確かめる:
//! パニックしない、返る。`Ok` なら値は有限（`Ok(±∞)`・NaN はない）で形が合う。`Err` なら型つきの誤りで、NaN・±∞ の入力は
//! `NonFinite`（予定と混合の作成では `InvalidParameter` も文書どおり）、空は `EmptyInput`、幅違いは `DimensionMismatch`、
//! 範囲外の `t`・標本の数 0 は `InvalidParameter`、大きすぎる数は `TooLarge`。
//!
//! 節 0 のテストは、掃引で見つけて直した不具合の最小の入力（回帰テスト）:
//! 1. `GaussianMixture::ln_density`・`score`・`optimal_epsilon`・`sample` が、分散 `1e-320` や平均 `1e308` で
//!    `Ok` の中に `−∞`・`±∞`・NaN を返した（今は `Overflow`）
//! 2. `gaussian_output` が `μ = 1e308` で `Ok` の中に `∞` を返した（今は `Overflow`）
//! 3. `loss_floor_quadrature` が平均 `±1e308` の混合で格子の点の数を `usize` にするときにあふれてパニックした
//!    （今は `TooLarge`）

mod hostile_support;

use genmodel::diffusion::evaluate::{
    epsilon_loss, loss_floor, loss_floor_quadrature, mean_loss_floor, mean_loss_floor_quadrature,
};
use genmodel::diffusion::predictor::{predicted_x0, score_from_epsilon};
use genmodel::diffusion::sampler::{
    Variance, ddim, gaussian_output, sample, sample_between, sample_from, step_coefficients,
};
use genmodel::diffusion::{
    EpsilonNet, EpsilonPredictor, Estimate, ExactEpsilon, GaussianMixture, Schedule, TimeEmbedding,
    Training,
};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, array};
use genmodel::nn::{Activation, Adam, Dense, Mlp};
use genmodel::{Error, Result};
use hostile_support::*;

const MORE: [f64; 9] = [700.0, -700.0, 745.0, -745.0, 1e154, 5e-324, 0.5, -2.0, 3.0];

fn values() -> Vec<f64> {
    EXTREMES.iter().chain(&MORE).copied().collect()
}

fn finite(a: &Array2<f64>) -> bool {
    a.iter().all(|v| v.is_finite())
}

fn estimate_ok(e: &Estimate) -> bool {
    e.mean.is_finite() && e.standard_error.is_finite() && e.standard_error >= 0.0
}

/// 型つきの誤り（見張りや「その他」でない）。
fn typed<T>(r: &Result<T>) -> bool {
    match r {
        Ok(_) => true,
        Err(e) => !matches!(kind(e), "その他" | "（見張り）"),
    }
}

/// `Ok` なら `ok`、`Err` なら型つき。加えて `want` が `Some(k)` なら誤りの種類が `k`。
fn check<T>(r: &Result<T>, want: Option<&str>, ok: impl FnOnce(&T) -> bool) -> bool {
    match (r, want) {
        (Ok(v), None) => ok(v),
        (Ok(_), Some(_)) => false,
        (Err(e), Some(w)) => kind(e) == w,
        (Err(_), None) => typed(r),
    }
}

fn schedule() -> Schedule {
    Schedule::linear(10, 0.01, 0.3).unwrap()
}

fn mixture2() -> GaussianMixture {
    GaussianMixture::new(
        array![0.4, 0.6],
        array![[-1.0, 0.5], [1.0, -0.5]],
        array![[0.2, 0.3], [0.5, 0.1]],
    )
    .unwrap()
}

fn net2() -> EpsilonNet {
    EpsilonNet::new(
        2,
        &[4],
        Activation::Relu,
        TimeEmbedding::new(10, 2).unwrap(),
        &mut seeded_rng(0),
    )
    .unwrap()
}

fn times() -> [usize; 5] {
    [0, 1, 10, 11, usize::MAX]
}

fn t_error(t: usize) -> Option<&'static str> {
    if (1..=10).contains(&t) {
        None
    } else {
        Some(INV)
    }
}

/// 2 行の点: 1 つの成分を `v` にしたもの。
fn points(v: f64) -> Vec<Array2<f64>> {
    vec![array![[v, 0.5], [0.1, -0.2]], array![[0.3, 0.2], [-1.0, v]]]
}

fn nf_or(v: f64) -> Option<&'static str> {
    if v.is_finite() { None } else { Some(NF) }
}

// ---------------------------------------------------------------- 節 0: 直した不具合

#[test]
fn fixed_mixture_overflow_is_typed() {
    let tiny = GaussianMixture::new(array![1.0], array![[0.0]], array![[1e-320]]).unwrap();
    assert!(matches!(
        tiny.ln_density(&array![[1.0]]),
        Err(Error::Overflow { .. })
    ));
    assert!(matches!(
        tiny.score(&array![[1.0]]),
        Err(Error::Overflow { .. })
    ));
    let huge = GaussianMixture::new(array![1.0], array![[1e308]], array![[1e308]]).unwrap();
    let r = huge.sample(&mut seeded_rng(0), 50);
    assert!(r.as_ref().map_or(true, |(x, _)| finite(x)), "{r:?}");
    assert!(
        matches!(
            gaussian_output(&Schedule::new(vec![0.5]).unwrap(), 1e308, 1e308, Variance::Beta),
            Ok((m, v)) if m.is_finite() && v.is_finite()
        ) || matches!(
            gaussian_output(
                &Schedule::new(vec![0.5]).unwrap(),
                1e308,
                1e308,
                Variance::Beta
            ),
            Err(Error::Overflow { .. })
        )
    );
    let wide = GaussianMixture::new(
        array![0.5, 0.5],
        array![[-1e308], [1e308]],
        array![[1.0], [1.0]],
    )
    .unwrap();
    assert!(matches!(
        loss_floor_quadrature(&wide, &Schedule::new(vec![0.5]).unwrap(), 1),
        Err(Error::TooLarge { .. })
    ));
}

// ---------------------------------------------------------------- 予定・混合・1 歩の係数

#[test]
fn sweep_schedule_and_mixture() {
    let mut sw = Sweep::default();
    for v in values() {
        let want = if v > 0.0 && v < 1.0 { None } else { Some(INV) };
        sw.probe(
            "Schedule::new",
            &v,
            || Schedule::new(vec![0.1, v]),
            |r| check(r, want, |s| s.steps() == 2),
        );
        sw.probe(
            "Schedule::linear",
            &v,
            || Schedule::linear(5, v, 0.2),
            |r| {
                check(r, want, |s| {
                    (1..=5).all(|t| s.alpha_bar(t).is_ok_and(f64::is_finite))
                })
            },
        );
        let s = Schedule::new(vec![0.1, 0.2]).unwrap();
        for t in [0, 1, 2, 3, usize::MAX] {
            let in_range = (1..=2).contains(&t);
            sw.probe(
                "Schedule::beta",
                &t,
                || s.beta(t),
                |r| check(r, (!in_range).then_some(INV), |b| *b > 0.0 && *b < 1.0),
            );
            let with_zero = t <= 2;
            sw.probe(
                "Schedule::alpha_bar",
                &t,
                || s.alpha_bar(t),
                |r| check(r, (!with_zero).then_some(INV), |a| a.is_finite()),
            );
            sw.probe(
                "Schedule::one_minus_alpha_bar",
                &t,
                || s.one_minus_alpha_bar(t),
                |r| check(r, (!with_zero).then_some(INV), |a| a.is_finite()),
            );
            sw.probe(
                "Schedule::marginal",
                &t,
                || s.marginal(t),
                |r| {
                    check(r, (!with_zero).then_some(INV), |(a, b)| {
                        a.is_finite() && b.is_finite()
                    })
                },
            );
            sw.probe(
                "Schedule::posterior",
                &t,
                || s.posterior(t),
                |r| {
                    check(r, (!in_range).then_some(INV), |(a, b, c)| {
                        a.is_finite() && b.is_finite() && c.is_finite()
                    })
                },
            );
            for variance in [Variance::Beta, Variance::BetaTilde] {
                sw.probe(
                    "step_coefficients",
                    &(t, variance),
                    || step_coefficients(&s, t, variance),
                    |r| {
                        check(r, (!in_range).then_some(INV), |(a, b, c)| {
                            a.is_finite() && b.is_finite() && c.is_finite()
                        })
                    },
                );
            }
        }
        sw.probe(
            "Schedule::steps",
            &v,
            || Ok(s.steps()),
            |r| matches!(r, Ok(2)),
        );
        // 極端な β の予定の係数
        if let Ok(sv) = Schedule::new(vec![v]) {
            sw.probe(
                "Schedule::posterior",
                &v,
                || sv.posterior(1),
                |r| {
                    check(r, None, |(a, b, c)| {
                        a.is_finite() && b.is_finite() && c.is_finite()
                    })
                },
            );
        }
        // ガウス分布の漸化式
        for (mu, s2) in [(v, 0.5), (0.5, v)] {
            let want = if !(mu.is_finite() && s2.is_finite()) {
                Some(NF)
            } else if s2 <= 0.0 {
                Some(INV)
            } else {
                None
            };
            sw.probe(
                "gaussian_output",
                &(mu, s2),
                || gaussian_output(&s, mu, s2, Variance::Beta),
                |r| match (r, want) {
                    (Err(e), None) => kind(e) == OVER,
                    _ => check(r, want, |(m, v)| {
                        m.is_finite() && v.is_finite() && *v >= 0.0
                    }),
                },
            );
        }
        // 混合の作成: 重み・平均・分散
        let ws = GaussianMixture::new(
            array![v, 1.0 - v],
            array![[0.0], [1.0]],
            array![[1.0], [1.0]],
        );
        sw.probe("GaussianMixture::new", &v, || ws.clone(), typed);
        let ms = GaussianMixture::new(array![0.5, 0.5], array![[v], [1.0]], array![[1.0], [1.0]]);
        sw.probe(
            "GaussianMixture::new",
            &v,
            || ms.clone(),
            |r| check(r, nf_or(v), |_| true),
        );
        let vs = GaussianMixture::new(array![0.5, 0.5], array![[0.0], [1.0]], array![[v], [1.0]]);
        sw.probe(
            "GaussianMixture::new",
            &v,
            || vs.clone(),
            |r| {
                check(
                    r,
                    if !v.is_finite() {
                        Some(NF)
                    } else if v <= 0.0 {
                        Some(INV)
                    } else {
                        None
                    },
                    |_| true,
                )
            },
        );
        for m in [ms, vs].into_iter().flatten() {
            sw.probe(
                "GaussianMixture::components",
                &v,
                || Ok(m.components()),
                |r| matches!(r, Ok(2)),
            );
            sw.probe(
                "GaussianMixture::dim",
                &v,
                || Ok(m.dim()),
                |r| matches!(r, Ok(1)),
            );
            for x in [0.0, 1.0, -3.0, 1e300] {
                let p = array![[x]];
                sw.probe_ok(
                    "GaussianMixture::ln_density",
                    &(v, x),
                    || m.ln_density(&p),
                    |a| a.iter().all(|l| l.is_finite()),
                );
                sw.probe_ok("GaussianMixture::score", &(v, x), || m.score(&p), finite);
                for t in times() {
                    sw.probe(
                        "GaussianMixture::noised",
                        &(v, t),
                        || m.noised(&s, t),
                        |r| check(r, (t > 2).then_some(INV), |_| true),
                    );
                    sw.probe(
                        "GaussianMixture::optimal_epsilon",
                        &(v, t),
                        || m.optimal_epsilon(&s, t, &p),
                        |r| {
                            check(r, (t == 0 || t > 2).then_some(INV), finite)
                                .then_some(())
                                .is_some()
                                || matches!(r, Err(Error::Overflow { .. }))
                        },
                    );
                }
            }
            for n in [0, 1, 2, usize::MAX] {
                sw.probe(
                    "GaussianMixture::sample",
                    &(v, n),
                    || m.sample(&mut seeded_rng(1), n),
                    |r| {
                        let want = match n {
                            0 => Some(INV),
                            usize::MAX => Some(BIG),
                            _ => None,
                        };
                        check(r, want, |(x, c)| finite(x) && c.len() == n)
                            || matches!((r, want), (Err(Error::Overflow { .. }), None))
                    },
                );
            }
        }
    }
    sw.finish_at_least("sweep_schedule_and_mixture", 18, 2000);
}

// ---------------------------------------------------------------- ネットワーク・損失・学習

#[test]
fn sweep_network_and_loss() {
    let mut sw = Sweep::default();
    let s = schedule();
    let net = net2();
    for (steps, k) in [(0, 2), (10, 0), (10, 65), (1 << 20, 16), (1, 1), (10, 64)] {
        sw.probe(
            "TimeEmbedding::new",
            &(steps, k),
            || TimeEmbedding::new(steps, k),
            |r| {
                check(r, None, |e| {
                    e.steps() == steps
                        && e.frequencies() == k
                        && e.width() == 2 * k
                        && (1..=steps)
                            .all(|t| e.features(t).is_ok_and(|f| f.iter().all(|v| v.is_finite())))
                })
            },
        );
    }
    let e = TimeEmbedding::new(10, 2).unwrap();
    for k in [0, 1, 2, 3, usize::MAX] {
        sw.probe(
            "TimeEmbedding::omega",
            &k,
            || e.omega(k),
            |r| check(r, (!(1..=2).contains(&k)).then_some(INV), |w| w.is_finite()),
        );
    }
    for t in times() {
        sw.probe(
            "TimeEmbedding::features",
            &t,
            || e.features(t),
            |r| check(r, t_error(t), |f| f.len() == 4),
        );
        sw.probe(
            "TimeEmbedding::steps",
            &t,
            || Ok(e.steps()),
            |r| matches!(r, Ok(10)),
        );
        sw.probe(
            "TimeEmbedding::frequencies",
            &t,
            || Ok(e.frequencies()),
            |r| matches!(r, Ok(2)),
        );
        sw.probe(
            "TimeEmbedding::width",
            &t,
            || Ok(e.width()),
            |r| matches!(r, Ok(4)),
        );
    }
    for d in [0, 1, 3] {
        sw.probe(
            "EpsilonNet::new",
            &d,
            || EpsilonNet::new(d, &[3], Activation::Tanh, e.clone(), &mut seeded_rng(2)),
            |r| {
                check(r, (d == 0).then_some(INV), |n| {
                    n.dim() == d && n.network().n_inputs() == d + 4
                })
            },
        );
    }
    for (n_in, n_out) in [(6, 2), (5, 2), (4, 1)] {
        let mlp = Mlp::from_layers(
            vec![Dense::zeros(n_in, n_out).unwrap()],
            Activation::Tanh,
            Activation::Identity,
        )
        .unwrap();
        sw.probe(
            "EpsilonNet::from_parts",
            &(n_in, n_out),
            || EpsilonNet::from_parts(mlp.clone(), e.clone()),
            |r| {
                check(r, (n_in != n_out + 4).then_some(MISMATCH), |n| {
                    n.dim() == n_out
                })
            },
        );
    }
    sw.probe(
        "EpsilonNet::dim",
        &0,
        || Ok(net.dim()),
        |r| matches!(r, Ok(2)),
    );
    sw.probe(
        "EpsilonNet::embedding",
        &0,
        || Ok(net.embedding().steps()),
        |r| matches!(r, Ok(10)),
    );
    sw.probe(
        "EpsilonNet::network",
        &0,
        || Ok(net.network().n_outputs()),
        |r| matches!(r, Ok(2)),
    );
    let p0 = net.params_flat();
    sw.probe(
        "EpsilonNet::params_flat",
        &0,
        || Ok(net.params_flat()),
        |r| matches!(r, Ok(p) if p.len() == p0.len()),
    );
    let x3 = array![[0.1, 0.2], [0.3, -0.4], [1.0, 2.0]];
    let eps3 = array![[0.5, -0.5], [1.0, 0.0], [-1.0, 2.0]];
    for v in values() {
        // パラメータを 1 つずつ
        for k in [0, p0.len() / 2, p0.len() - 1] {
            let mut n = net.clone();
            let mut p = p0.clone();
            p[k] = v;
            sw.probe(
                "EpsilonNet::set_params_flat",
                &(k, v),
                || n.set_params_flat(&p),
                |r| check(r, nf_or(v), |_| true),
            );
            if v.is_finite() {
                sw.probe_ok(
                    "EpsilonNet::predict",
                    &(k, v),
                    || n.predict(&x3, &[1, 5, 10]),
                    finite,
                );
                sw.probe_ok(
                    "EpsilonNet::loss_gradient",
                    &(k, v),
                    || n.loss_gradient(&s, &x3, &[1, 5, 10], &eps3),
                    |(l, g)| l.is_finite() && *l >= 0.0 && g.flat().iter().all(|v| v.is_finite()),
                );
            }
        }
        for x in points(v) {
            for t in [1, 10, 0, 11] {
                let tt = [t, t];
                let want = t_error(t).or(nf_or(v));
                sw.probe(
                    "EpsilonNet::input",
                    &(v, t),
                    || net.input(&x, &tt),
                    |r| check(r, want, |u| finite(u) && u.dim() == (2, 6)),
                );
                sw.probe(
                    "EpsilonNet::predict",
                    &(v, t),
                    || net.predict(&x, &tt),
                    |r| {
                        check(r, want, finite)
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "EpsilonNet::loss",
                    &(v, t),
                    || net.loss(&s, &x, &tt, &x),
                    |r| {
                        check(r, want, |l| l.is_finite())
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "EpsilonNet::loss_gradient",
                    &(v, t),
                    || net.loss_gradient(&s, &x, &tt, &x),
                    |r| {
                        check(r, want, |(l, g)| {
                            l.is_finite() && g.flat().iter().all(|v| v.is_finite())
                        }) || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe_ok(
                    "EpsilonNet::epsilon",
                    &(v, t),
                    || net.epsilon(x.view(), t),
                    finite,
                );
                sw.probe_ok(
                    "EpsilonPredictor::dim",
                    &(v, t),
                    || Ok(EpsilonPredictor::dim(&net)),
                    |d| *d == 2,
                );
            }
            // 学習の 1 歩: 失敗したら何も変えない
            let mut n = net.clone();
            let mut adam = Adam::default();
            let r = n.train_step(&mut adam, &s, &x, &mut seeded_rng(3));
            let unchanged = n == net;
            sw.probe(
                "EpsilonNet::train_step",
                &v,
                || r.clone(),
                |r| {
                    check(r, nf_or(v), |l| l.is_finite()) && (r.is_ok() || unchanged)
                        || (v.is_finite() && matches!(r, Err(Error::Overflow { .. })) && unchanged)
                },
            );
        }
    }
    // 形: 空・幅違い・連続でないビュー・行の数（分ける境）
    let empty = Array2::<f64>::zeros((0, 2));
    sw.probe(
        "EpsilonNet::predict",
        &"空",
        || net.predict(&empty, &[]),
        |r| check(r, Some(EMPTY), |_| true),
    );
    sw.probe(
        "EpsilonNet::predict",
        &"幅違い",
        || net.predict(&Array2::zeros((2, 3)), &[1, 1]),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    sw.probe(
        "EpsilonNet::loss_gradient",
        &"雑音の幅違い",
        || net.loss_gradient(&s, &x3, &[1, 1, 1], &Array2::zeros((3, 1))),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    sw.probe(
        "EpsilonNet::loss",
        &"予定の段の数",
        || net.loss(&Schedule::new(vec![0.1]).unwrap(), &x3, &[1, 1, 1], &eps3),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    let wide = array![[0.1, 0.3, 1.0], [0.2, -0.4, 2.0]];
    let a = net.predict(wide.t(), &[1, 2, 3]);
    let b = net.predict(&wide.t().to_owned(), &[1, 2, 3]);
    sw.probe(
        "EpsilonNet::predict(ビュー)",
        &"転置",
        || a.clone(),
        |r| matches!((r, &b), (Ok(x), Ok(y)) if x == y),
    );
    for rows in [1, 63, 64, 65] {
        let x = Array2::from_shape_fn((rows, 2), |(i, j)| (i as f64 * 0.1 - j as f64).sin());
        let t: Vec<usize> = (0..rows).map(|i| 1 + i % 10).collect();
        let r1 = net.loss_gradient(&s, &x, &t, &x);
        let r2 = net.loss_gradient(&s, &x, &t, &x);
        sw.probe("EpsilonNet::loss_gradient", &rows, || r1.clone(), |r| {
            matches!((r, &r2), (Ok((l, g)), Ok((l2, g2))) if l == l2 && g == g2 && l.is_finite())
        });
        sw.probe_ok(
            "EpsilonNet::predict",
            &rows,
            || net.predict(&x, &t),
            |p| p.nrows() == rows && finite(p),
        );
    }
    // fit: 設定・形・NaN
    let data = Array2::from_shape_fn((10, 2), |(i, j)| (i + j) as f64 * 0.1);
    for (bs, ep) in [(0, 1), (3, 0), (3, 2), (100, 1), (3, usize::MAX)] {
        let mut n = net.clone();
        let mut adam = Adam::default();
        let t = Training {
            batch_size: bs,
            epochs: ep,
            seed: 1,
        };
        let want = if bs == 0 || ep == 0 {
            Some(INV)
        } else if ep == usize::MAX {
            Some(BIG)
        } else {
            None
        };
        sw.probe(
            "EpsilonNet::fit",
            &(bs, ep),
            || n.fit(&data, &s, &t, &mut adam, |_, _| {}),
            |r| check(r, want, |_| true),
        );
    }
    for (what, x, want) in [
        ("空", Array2::zeros((0, 2)), EMPTY),
        ("幅違い", Array2::zeros((3, 1)), MISMATCH),
        (
            "NaN",
            array![[0.0, 0.0], [f64::NAN, 1.0]],
            "TrainingStopped",
        ),
    ] {
        let mut n = net.clone();
        let mut adam = Adam::default();
        let t = Training {
            batch_size: 1,
            epochs: 1,
            seed: 1,
        };
        sw.probe(
            "EpsilonNet::fit",
            &what,
            || n.fit(&x, &s, &t, &mut adam, |_, _| {}),
            |r| match r {
                Err(Error::TrainingStopped { cause, .. }) => {
                    want == "TrainingStopped" && kind(cause) == NF
                }
                Err(e) => kind(e) == want,
                Ok(_) => false,
            },
        );
    }
    sw.finish_at_least("sweep_network_and_loss", 20, 1300);
}

// ---------------------------------------------------------------- 予測器・標本抽出・評価

#[test]
fn sweep_predictors_samplers_and_evaluation() {
    let mut sw = Sweep::default();
    let s = schedule();
    let net = net2();
    let exact = ExactEpsilon::new(mixture2(), s.clone()).unwrap();
    sw.probe(
        "ExactEpsilon::new",
        &0,
        || ExactEpsilon::new(mixture2(), s.clone()),
        |r| r.is_ok(),
    );
    sw.probe(
        "ExactEpsilon::mixture",
        &0,
        || Ok(exact.mixture().dim()),
        |r| matches!(r, Ok(2)),
    );
    sw.probe(
        "ExactEpsilon::schedule",
        &0,
        || Ok(exact.schedule().steps()),
        |r| matches!(r, Ok(10)),
    );
    for v in values() {
        for x in points(v) {
            for t in times() {
                let want = t_error(t).or(nf_or(v));
                sw.probe(
                    "ExactEpsilon::epsilon",
                    &(v, t),
                    || exact.epsilon(x.view(), t),
                    |r| {
                        check(r, want, finite)
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "predicted_x0",
                    &(v, t),
                    || predicted_x0(&s, t, &x, &array![[0.1, 0.2], [0.3, 0.4]]),
                    |r| {
                        check(r, want, finite)
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "predicted_x0",
                    &(v, t, "ε"),
                    || predicted_x0(&s, t, &array![[0.1, 0.2], [0.3, 0.4]], &x),
                    |r| {
                        check(r, want, finite)
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "score_from_epsilon",
                    &(v, t),
                    || score_from_epsilon(&s, t, &x),
                    |r| {
                        check(r, want, finite)
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
            }
            let want = nf_or(v);
            let p: [&dyn EpsilonPredictor; 2] = [&net, &exact];
            for (i, pr) in p.into_iter().enumerate() {
                sw.probe(
                    "sample_from",
                    &(v, i),
                    || sample_from(pr, &s, Variance::BetaTilde, &x, &mut seeded_rng(4)),
                    |r| {
                        check(r, want, |y| finite(y) && y.dim() == (2, 2))
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "sample_between",
                    &(v, i),
                    || {
                        let mut steps = 0;
                        sample_between(
                            pr,
                            &s,
                            Variance::Beta,
                            &x,
                            (s.steps(), 3),
                            &mut seeded_rng(4),
                            &mut |_, _| steps += 1,
                        )
                        .map(|y| (y, steps))
                    },
                    |r| {
                        check(r, want, |(y, steps)| {
                            finite(y) && y.dim() == (2, 2) && *steps == s.steps() - 3
                        }) || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "ddim",
                    &(v, i),
                    || ddim(pr, &s, &x),
                    |r| {
                        check(r, want, |y| finite(y) && y.dim() == (2, 2))
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
                sw.probe(
                    "epsilon_loss",
                    &(v, i),
                    || epsilon_loss(pr, &s, &x, 5, &mut seeded_rng(5)),
                    |r| {
                        check(r, want, estimate_ok)
                            || (want.is_none() && matches!(r, Err(Error::Overflow { .. })))
                    },
                );
            }
        }
        // 極端な混合の評価と標本抽出
        for m in [
            GaussianMixture::new(array![0.5, 0.5], array![[v], [1.0]], array![[1.0], [1.0]]),
            GaussianMixture::new(array![0.5, 0.5], array![[0.0], [1.0]], array![[v], [1.0]]),
        ]
        .into_iter()
        .flatten()
        {
            for t in times() {
                sw.probe(
                    "loss_floor_quadrature",
                    &(v, t),
                    || loss_floor_quadrature(&m, &s, t),
                    |r| {
                        check(r, t_error(t), |f| f.is_finite())
                            || matches!(r, Err(Error::Overflow { .. } | Error::TooLarge { .. }))
                    },
                );
                sw.probe(
                    "loss_floor",
                    &(v, t),
                    || loss_floor(&m, &s, t, 50, &mut seeded_rng(6)),
                    |r| {
                        check(r, t_error(t), estimate_ok)
                            || matches!(r, Err(Error::Overflow { .. }))
                    },
                );
            }
            sw.probe(
                "mean_loss_floor_quadrature",
                &v,
                || mean_loss_floor_quadrature(&m, &s),
                |r| {
                    check(r, None, |f| f.is_finite())
                        || matches!(r, Err(Error::Overflow { .. } | Error::TooLarge { .. }))
                },
            );
            sw.probe(
                "mean_loss_floor",
                &v,
                || mean_loss_floor(&m, &s, 20, &mut seeded_rng(7)),
                |r| check(r, None, estimate_ok) || matches!(r, Err(Error::Overflow { .. })),
            );
            let ex = ExactEpsilon::new(m.clone(), s.clone()).unwrap();
            sw.probe(
                "sample",
                &v,
                || sample(&ex, &s, Variance::Beta, 5, &mut seeded_rng(8)),
                |r| check(r, None, finite) || matches!(r, Err(Error::Overflow { .. })),
            );
        }
    }
    for n in [0, 1, 2, usize::MAX] {
        let want = match n {
            0 => Some(INV),
            usize::MAX => Some(BIG),
            _ => None,
        };
        sw.probe(
            "sample",
            &n,
            || sample(&net, &s, Variance::Beta, n, &mut seeded_rng(9)),
            |r| check(r, want, |y| finite(y) && y.nrows() == n),
        );
        let want_mc = match n {
            0 | 1 => Some(INV),
            usize::MAX => Some(BIG),
            _ => None,
        };
        sw.probe(
            "loss_floor",
            &n,
            || loss_floor(&mixture2(), &s, 3, n, &mut seeded_rng(9)),
            |r| check(r, want_mc, estimate_ok),
        );
        sw.probe(
            "mean_loss_floor",
            &n,
            || mean_loss_floor(&mixture2(), &s, n, &mut seeded_rng(9)),
            |r| check(r, want_mc, estimate_ok),
        );
        let rows = n.min(3);
        let x0 = Array2::from_elem((rows, 2), 0.5);
        let want_rows = if rows < 2 { Some(INV) } else { None };
        sw.probe(
            "epsilon_loss",
            &n,
            || epsilon_loss(&exact, &s, &x0, 3, &mut seeded_rng(9)),
            |r| check(r, want_rows, estimate_ok),
        );
    }
    // 形: 空・幅違い・予定より長い予測・2 次元の数値積分
    let empty = Array2::<f64>::zeros((0, 2));
    sw.probe(
        "sample_from",
        &"空",
        || sample_from(&net, &s, Variance::Beta, &empty, &mut seeded_rng(0)),
        |r| check(r, Some(EMPTY), |_| true),
    );
    // 時刻の区間: to < from ≤ T でなければ InvalidParameter
    for (from, to) in [(0, 0), (3, 3), (3, 5), (s.steps() + 1, 0), (usize::MAX, 0)] {
        sw.probe(
            "sample_between",
            &(from, to),
            || {
                sample_between(
                    &net,
                    &s,
                    Variance::Beta,
                    &array![[0.1, 0.2]],
                    (from, to),
                    &mut seeded_rng(0),
                    &mut |_, _| {},
                )
            },
            |r| check(r, Some(INV), |_| true),
        );
    }
    sw.probe(
        "ddim",
        &"幅違い",
        || ddim(&net, &s, &Array2::zeros((2, 3))),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    sw.probe(
        "ddim",
        &"長い予定",
        || {
            ddim(
                &net,
                &Schedule::linear(11, 0.01, 0.2).unwrap(),
                &Array2::zeros((2, 2)),
            )
        },
        |r| check(r, Some(INV), |_| true),
    );
    sw.probe(
        "predicted_x0",
        &"形",
        || predicted_x0(&s, 1, &Array2::zeros((2, 2)), &Array2::zeros((2, 1))),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    sw.probe(
        "score_from_epsilon",
        &"空",
        || score_from_epsilon(&s, 1, &empty),
        |r| check(r, Some(EMPTY), |_| true),
    );
    sw.probe(
        "loss_floor_quadrature",
        &"2 次元",
        || loss_floor_quadrature(&mixture2(), &s, 1),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    sw.probe(
        "epsilon_loss",
        &"幅違い",
        || epsilon_loss(&exact, &s, &Array2::zeros((3, 1)), 1, &mut seeded_rng(0)),
        |r| check(r, Some(MISMATCH), |_| true),
    );
    sw.finish_at_least("sweep_predictors_samplers_and_evaluation", 14, 1500);
}
