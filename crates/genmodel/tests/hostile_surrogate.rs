//! 敵対的な入力の掃引: 代理関数と勾配法（§2.6、`optim`）。
//!
//! 公開関数のそれぞれに極端な値（±0、非正規化数 `±1e-320`・`5e-324`、`f64::MIN_POSITIVE`、`±1e308`、
//! `f64::MAX`、NaN、±∞）、空・長さ 1–3 の配列、連続でないビュー（1 つおき）、`usize::MAX` の大きさを与え、
//! 契約を確かめる: `Ok` なら有限で**正しい**値（指数を別に持つ数 `Big` で求めた値と丸め誤差の範囲で一致）、
//! そうでなければ文書に書いた型つきの `Err`（入力の NaN・±∞ は `NonFinite`、範囲を超える結果は `Overflow`）。
//!
//! 掃引の大きさ（各テストの最後の `finish` で数を確かめる）: **公開関数 12 個 × 入力 = 呼び出し 603 404 回**。
//! - `sweep_scalar_surrogate_helpers`: 4 関数（式 (2.33)・(2.35)・(2.36)・(2.44)）、371 509 回
//! - `sweep_vector_surrogate_helpers`: 5 関数（式 (2.37)・(2.32)、学習率と止める規則の検査）、225 770 回
//! - `sweep_minimize`: 3 関数（`minimize`、`Trace::iterations`、`progress_observer`）、6 125 回
//!
//! `hostile_ising.rs`（Ising モデルの 38 関数、19 378 回）と合わせて **50 関数 × 入力 = 622 782 回**。

mod hostile_support;

use genmodel::ndarray::{Array1, ArrayView1, array};
use genmodel::optim::{
    Iterate, StepSize, StopRule, Trace, gradient_step, guaranteed_decrease, minimize,
    progress_observer, quadratic_upper_bound, step_from_curvature_bound, step_from_max_eigenvalue,
    surrogate,
};
use genmodel::{Error, Result};
use hostile_support::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

// ---------------------------------------------------------------- 0. 報告された入力（以前は NaN・∞ を通すか、誤った値）

/// 代理関数の道具は、以前は NaN・∞ をそのまま通した（`quadratic_upper_bound` は `f64` を返し、
/// `guaranteed_decrease(NaN, 1)` は `Ok(NaN)`、`gradient_step` は `Ok([NaN])`）。今は入力の非有限を `NonFinite` で断る。
#[test]
fn surrogate_helpers_reject_non_finite_input() {
    assert!(matches!(
        quadratic_upper_bound(1.0, f64::NAN, 1.0, 0.0, 1.0),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        quadratic_upper_bound(1.0, 0.0, 1.0, 0.0, f64::INFINITY),
        Err(Error::NonFinite { index: 4, .. })
    ));
    assert!(is_non_finite_err(&guaranteed_decrease(f64::NAN, 1.0)));
    assert!(is_non_finite_err(&guaranteed_decrease(1.0, f64::INFINITY)));
    assert!(is_non_finite_err(&gradient_step(
        &[f64::NAN],
        &[1.0],
        &StepSize::Scalar(1.0)
    )));
    assert!(is_non_finite_err(&gradient_step(
        &[1.0],
        &[f64::NEG_INFINITY],
        &StepSize::Scalar(1.0)
    )));
    assert!(is_non_finite_err(&surrogate(
        f64::NAN,
        &[1.0],
        1.0,
        &[0.0],
        &[1.0]
    )));
    assert!(is_non_finite_err(&surrogate(
        0.0,
        &[1.0],
        1.0,
        &[0.0],
        &[f64::INFINITY]
    )));
    assert!(is_non_finite_err(&step_from_max_eigenvalue(f64::NAN)));
}

/// 数学的には有限でも `f64` に収まらない結果は `Overflow`（以前は `step_from_max_eigenvalue(1e-320)` が
/// `Ok(∞)`、`gradient_step` が `Ok([−∞])`）。
#[test]
fn results_beyond_f64_range_are_overflow_errors() {
    assert!(is_overflow(&step_from_max_eigenvalue(1e-320)));
    assert!(is_overflow(&step_from_curvature_bound(1e-320)));
    assert!(is_overflow(&guaranteed_decrease(1.0, 1e-320)));
    assert!(is_overflow(&gradient_step(
        &[0.0],
        &[1e308],
        &StepSize::Scalar(10.0)
    )));
    assert!(is_overflow(&quadratic_upper_bound(
        0.0, 0.0, 1.0, 0.0, 1e200
    )));
    // 範囲の内側なら値を返す: 1/5.6e-309 ≈ 1.79e308
    assert!(step_from_max_eigenvalue(5.6e-309).unwrap().is_finite());
}

/// 途中の値だけがあふれる・0 に落ちる入力でも、結果が `f64` に収まれば正しい値を返す
/// （以前は順に NaN、−∞、0、0）。
#[test]
fn intermediate_overflow_or_underflow_does_not_change_the_result() {
    // θ − θ₀ = 2e308 はあふれるが g = 1 + 1e-304 · 2e308 = 20001
    assert_eq!(
        quadratic_upper_bound(1.0, 1e-304, 0.0, -1e308, 1e308).unwrap(),
        20001.0
    );
    // η g = 2e308 はあふれるが θ' = 1.5e308 − 2e308 = −5e307
    assert_eq!(
        gradient_step(&[1.5e308], &[1e308], &StepSize::Scalar(2.0)).unwrap(),
        array![-5e307]
    );
    // 2η = 2 f64::MAX はあふれるが |θ − θ₀|²/(2η) = 1e308 / (2 f64::MAX) ≈ 0.278
    let v = surrogate(0.0, &[0.0], f64::MAX, &[0.0], &[1e154]).unwrap();
    assert!((v - 1e308 / f64::MAX / 2.0).abs() < 1e-15, "{v}");
    // f'² = 1e-400 は 0 に落ちるが f'²/(2L) = 1e-400 / 2e-320 = 5e-81
    let v = guaranteed_decrease(1e-200, 1e-320).unwrap();
    assert!((v / 5e-81 - 1.0).abs() < 1e-3, "{v}");
}

// ---------------------------------------------------------------- 1. 実数の代理関数の道具

#[test]
fn sweep_scalar_surrogate_helpers() {
    let mut sw = Sweep::default();
    let e = &EXTREMES;
    let all_finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
    // 式 (2.33): 5 つの引数のすべての組（13^5 = 371 293）
    for &f0 in e {
        for &df0 in e {
            for &l in e {
                for &t0 in e {
                    for &t in e {
                        let args = [f0, df0, l, t0, t];
                        sw.probe(
                            "quadratic_upper_bound",
                            &args,
                            || quadratic_upper_bound(f0, df0, l, t0, t),
                            |r| {
                                if !all_finite(&args) {
                                    let first = args.iter().position(|x| !x.is_finite());
                                    return matches!(r, Err(Error::NonFinite { index, .. }) if Some(*index) == first);
                                }
                                let d = Big::new(t).sub(Big::new(t0));
                                let a = Big::new(df0).mul(d);
                                let b = Big::new(l).mul(d).mul(d).mul(Big::new(0.5));
                                let want = Big::new(f0).add(a).add(b);
                                let scale = Big::new(f0).max_abs(a).max_abs(b);
                                // 文書どおり、途中の積 L·(θ − θ₀) があふれるときも Overflow でよい
                                let ld = Big::new(l).mul(d);
                                match r {
                                    Ok(v) => !beyond_max(want, -1e-12) && close(*v, want, scale, 1e-14),
                                    Err(Error::Overflow { .. }) => {
                                        beyond_max(want, 1e-12) || beyond_max(ld, 0.0)
                                    }
                                    Err(_) => false,
                                }
                            },
                        );
                    }
                }
            }
        }
    }
    // 式 (2.35): f'(θ₀)² / (2L)。極端な値の組と、a/L があふれる・a² が 0 に落ちる組
    let mut pairs2: Vec<[f64; 2]> = e
        .iter()
        .flat_map(|&a| e.iter().map(move |&b| [a, b]))
        .collect();
    pairs2.extend([
        [1e-10, 1e-320],
        [1e-200, 1e-320],
        [1e200, 1e200],
        [1e308, 1e308],
        [1e-160, 1e-300],
        [f64::MAX, 0.5],
        [3e-5, 7e-315],
        [1e-160, 5e-324],
        [0.5, 5e-324],
    ]);
    for &[df0, l] in &pairs2 {
        sw.probe(
            "guaranteed_decrease",
            &[df0, l],
            || guaranteed_decrease(df0, l),
            |r| {
                if !all_finite(&[df0, l]) {
                    return is_non_finite_err(r);
                }
                if l <= 0.0 {
                    return is_invalid(r);
                }
                let a = Big::new(df0);
                let want = a.mul(a).mul(Big::new(l).mul(Big::new(2.0)).recip());
                match r {
                    Ok(v) => !beyond_max(want, -1e-12) && close(*v, want, want, 1e-15),
                    Err(Error::Overflow { .. }) => beyond_max(want, 1e-12),
                    Err(_) => false,
                }
            },
        );
    }
    // 式 (2.36)、(2.44): 1/L と 1/λ_max
    let mut singles: Vec<f64> = e.to_vec();
    singles.extend([5.6e-309, 5.5e-309, 1e-300, 0.25, -1e-320, 5e-324]);
    for &x in &singles {
        let reciprocal_ok = |r: &Result<f64>| {
            let want = Big::new(x).recip();
            match r {
                Ok(v) => !beyond_max(want, -1e-12) && close(*v, want, want, 1e-15),
                Err(Error::Overflow { .. }) => beyond_max(want, 1e-12),
                Err(_) => false,
            }
        };
        sw.probe(
            "step_from_curvature_bound",
            &x,
            || step_from_curvature_bound(x),
            |r| {
                if !x.is_finite() {
                    is_non_finite_err(r)
                } else if x <= 0.0 {
                    is_invalid(r)
                } else {
                    reciprocal_ok(r)
                }
            },
        );
        sw.probe(
            "step_from_max_eigenvalue",
            &x,
            || step_from_max_eigenvalue(x),
            |r| {
                if !x.is_finite() {
                    is_non_finite_err(r)
                } else if x <= 0.0 {
                    // 上限なし（文書どおり +∞）
                    *r == Ok(f64::INFINITY)
                } else {
                    reciprocal_ok(r)
                }
            },
        );
    }
    sw.finish(4, 371_509);
}

// ---------------------------------------------------------------- 2. ベクトルの代理関数の道具

/// 式 (2.37) の正しい値と、文書で Overflow を許す途中の値（`g·d/2`、`d²/(4η)`、その部分和）の最大。
fn surrogate_oracle(f0: f64, g: &[f64], eta: f64, a: &[f64], b: &[f64]) -> (Big, Big, Big) {
    let inv = Big::new(eta).recip();
    let mut want = Big::new(f0);
    let mut scale = Big::new(f0);
    let mut half = Big::new(0.5 * f0);
    let mut inter = Big::ZERO;
    for i in 0..g.len() {
        let d = Big::new(b[i]).sub(Big::new(a[i]));
        let t1 = Big::new(g[i]).mul(d);
        let t2 = d.mul(d).mul(inv).mul(Big::new(0.5));
        want = want.add(t1).add(t2);
        scale = scale.max_abs(t1).max_abs(t2);
        let e = d.mul(Big::new(0.5));
        let (h1, h2) = (Big::new(g[i]).mul(e), e.mul(e).mul(inv));
        half = half.add(h1).add(h2);
        inter = inter.max_abs(h1).max_abs(h2).max_abs(half);
    }
    (want, scale, inter)
}

fn surrogate_contract(f0: f64, g: &[f64], eta: f64, a: &[f64], b: &[f64], r: &Result<f64>) -> bool {
    if g.len() != a.len() || g.len() != b.len() {
        return matches!(r, Err(Error::DimensionMismatch { .. }));
    }
    let inputs = std::iter::once(&f0).chain(g).chain(a).chain(b);
    if inputs.clone().any(|x| !x.is_finite()) || !eta.is_finite() {
        return is_non_finite_err(r);
    }
    if eta <= 0.0 {
        return is_invalid(r);
    }
    let (want, scale, inter) = surrogate_oracle(f0, g, eta, a, b);
    match r {
        Ok(v) => !beyond_max(want, -1e-12) && close(*v, want, scale, 1e-14 * (g.len() + 2) as f64),
        Err(Error::Overflow { .. }) => beyond_max(want, 1e-12) || beyond_max(inter, 1e-12),
        Err(_) => false,
    }
}

fn step_contract(theta: &[f64], grad: &[f64], step: &StepSize, r: &Result<Array1<f64>>) -> bool {
    if theta.len() != grad.len() {
        return matches!(r, Err(Error::DimensionMismatch { .. }));
    }
    if theta.iter().chain(grad).any(|x| !x.is_finite()) {
        return is_non_finite_err(r);
    }
    let etas: Vec<f64> = match step {
        StepSize::Scalar(e) => vec![*e; theta.len()],
        StepSize::PerParameter(v) if v.len() != theta.len() => {
            return matches!(r, Err(Error::DimensionMismatch { .. }));
        }
        StepSize::PerParameter(v) => v.to_vec(),
    };
    let eta_probe: Vec<f64> = match step {
        StepSize::Scalar(e) => vec![*e],
        StepSize::PerParameter(v) => v.to_vec(),
    };
    if eta_probe.iter().any(|e| !e.is_finite()) {
        return is_non_finite_err(r);
    }
    if eta_probe.iter().any(|&e| e <= 0.0) {
        return is_invalid(r);
    }
    let want: Vec<(Big, Big)> = (0..theta.len())
        .map(|i| {
            let p = Big::new(etas[i]).mul(Big::new(grad[i]));
            (Big::new(theta[i]).sub(p), Big::new(theta[i]).max_abs(p))
        })
        .collect();
    let over = want.iter().any(|(w, _)| beyond_max(*w, 1e-12));
    match r {
        Ok(v) => {
            !want.iter().any(|(w, _)| beyond_max(*w, -1e-12))
                && v.len() == theta.len()
                && v.iter()
                    .zip(&want)
                    .all(|(x, (w, s))| close(*x, *w, *s, 1e-15))
        }
        Err(Error::Overflow { .. }) => over,
        Err(_) => false,
    }
}

/// 極端な値と、ふつうの値をまぜた長さ `len` のベクトル（乱数で選ぶ）。
fn pick(rng: &mut ChaCha8Rng, len: usize) -> Vec<f64> {
    const MORE: [f64; 4] = [0.5, 3.0, -2.0, 1e154];
    (0..len)
        .map(|_| {
            let k = rng.random_range(0..EXTREMES.len() + MORE.len());
            if k < EXTREMES.len() {
                EXTREMES[k]
            } else {
                MORE[k - EXTREMES.len()]
            }
        })
        .collect()
}

fn step_sizes(rng: &mut ChaCha8Rng, len: usize) -> Vec<StepSize> {
    let mut out: Vec<StepSize> = EXTREMES.iter().map(|&e| StepSize::Scalar(e)).collect();
    out.push(StepSize::Scalar(0.25));
    out.push(StepSize::PerParameter(Array1::from(pick(rng, len))));
    out.push(StepSize::PerParameter(Array1::from_elem(len, 0.5)));
    out.push(StepSize::PerParameter(Array1::from_elem(len + 1, 0.5)));
    out
}

#[test]
fn sweep_vector_surrogate_helpers() {
    let mut sw = Sweep::default();
    let e = &EXTREMES;
    // 長さ 1: f(θ₀) の 4 通り × ∇f, η, θ₀, θ の極端な値すべて（4 · 13^4 = 114 244）
    for f0 in [0.0, 1.0, -1e308, f64::NAN] {
        for &g in e {
            for &eta in e {
                for &a in e {
                    for &b in e {
                        sw.probe(
                            "surrogate",
                            &[f0, g, eta, a, b],
                            || surrogate(f0, &[g], eta, &[a], &[b]),
                            |r| surrogate_contract(f0, &[g], eta, &[a], &[b], r),
                        );
                    }
                }
            }
        }
    }
    // 長さ 0（値は f(θ₀)）と、長さの合わない組
    for &f0 in e {
        for &eta in e {
            sw.probe(
                "surrogate",
                &[f0, eta],
                || {
                    surrogate(
                        f0,
                        &Array1::zeros(0),
                        eta,
                        &Array1::zeros(0),
                        &Array1::zeros(0),
                    )
                },
                |r| surrogate_contract(f0, &[], eta, &[], &[], r),
            );
        }
    }
    // 長さ 2・3: 乱数で選んだ極端な値。連続でないビューでも連続な配列と同じ結果
    let mut rng = ChaCha8Rng::seed_from_u64(2037);
    for case in 0..3000 {
        let len = 2 + case % 2;
        let (g, a, b) = (
            pick(&mut rng, len),
            pick(&mut rng, len),
            pick(&mut rng, len),
        );
        let (f0, eta) = (pick(&mut rng, 1)[0], pick(&mut rng, 1)[0].abs());
        let want = surrogate(f0, &g, eta, &a, &b);
        sw.probe(
            "surrogate",
            &(f0, &g, eta, &a, &b),
            || surrogate(f0, &g, eta, &a, &b),
            |r| surrogate_contract(f0, &g, eta, &a, &b, r),
        );
        let (gs, as_, bs) = (
            spread(&Array1::from(g.clone()), f64::NAN),
            spread(&Array1::from(a.clone()), f64::NAN),
            spread(&Array1::from(b.clone()), f64::NAN),
        );
        sw.probe(
            "surrogate(ビュー)",
            &(f0, &g, eta, &a, &b),
            || {
                surrogate(
                    f0,
                    every_other(&gs),
                    eta,
                    every_other(&as_),
                    every_other(&bs),
                )
            },
            |r| *r == want,
        );
        for step in step_sizes(&mut rng, len) {
            let want = gradient_step(&a, &g, &step);
            sw.probe(
                "gradient_step",
                &(&a, &g, &step),
                || gradient_step(&a, &g, &step),
                |r| step_contract(&a, &g, &step, r),
            );
            sw.probe(
                "gradient_step(ビュー)",
                &(&a, &g, &step),
                || gradient_step(every_other(&as_), every_other(&gs), &step),
                |r| *r == want,
            );
        }
    }
    for (g, a, b) in [
        (vec![1.0], vec![1.0, 2.0], vec![1.0]),
        (vec![1.0, 2.0], vec![1.0, 2.0], vec![1.0]),
        (vec![], vec![1.0], vec![]),
    ] {
        sw.probe(
            "surrogate",
            &(&g, &a, &b),
            || surrogate(0.0, &g, 0.5, &a, &b),
            |r| surrogate_contract(0.0, &g, 0.5, &a, &b, r),
        );
    }
    // 1 歩 (2.32): 長さ 1 の θ, ∇f のすべての組 × 学習率、長さ 0、長さの合わない組
    for &t in e {
        for &g in e {
            for step in step_sizes(&mut rng, 1) {
                sw.probe(
                    "gradient_step",
                    &(t, g, &step),
                    || gradient_step(&[t], &[g], &step),
                    |r| step_contract(&[t], &[g], &step, r),
                );
            }
        }
    }
    for step in step_sizes(&mut rng, 0) {
        sw.probe(
            "gradient_step",
            &step,
            || gradient_step(&Array1::zeros(0), &Array1::zeros(0), &step),
            |r| step_contract(&[], &[], &step, r),
        );
        sw.probe(
            "gradient_step",
            &step,
            || gradient_step(&[1.0], &[1.0, 2.0], &step),
            |r| step_contract(&[1.0], &[1.0, 2.0], &step, r),
        );
    }
    // 学習率と止める規則の検査、学習率の読み出し
    for len in [0usize, 1, 3] {
        for step in step_sizes(&mut rng, len) {
            for dim in [0, 1, 3, usize::MAX] {
                sw.probe(
                    "StepSize::validate",
                    &(&step, dim),
                    || step.validate(dim),
                    |r| {
                        let etas: Vec<f64> = match &step {
                            StepSize::Scalar(e) => vec![*e],
                            StepSize::PerParameter(v) if v.len() != dim => {
                                return matches!(r, Err(Error::DimensionMismatch { .. }));
                            }
                            StepSize::PerParameter(v) => v.to_vec(),
                        };
                        if etas.iter().any(|e| !e.is_finite()) {
                            is_non_finite_err(r)
                        } else if etas.iter().any(|&e| e <= 0.0) {
                            is_invalid(r)
                        } else {
                            r.is_ok()
                        }
                    },
                );
                sw.probe(
                    "StepSize::eta",
                    &(&step, dim),
                    || Ok(step.eta(dim)),
                    |r| {
                        let want = match &step {
                            StepSize::Scalar(e) => Some(*e),
                            StepSize::PerParameter(v) => v.get(dim).copied(),
                        };
                        // 入れた値そのもの（NaN も含めてビットまで同じ）か、範囲外なら None
                        matches!(r, Ok(got) if got.map(f64::to_bits) == want.map(f64::to_bits))
                    },
                );
            }
        }
    }
    for &tolerance in e {
        for max_iterations in [0, 1, usize::MAX] {
            let stop = StopRule {
                tolerance,
                max_iterations,
            };
            sw.probe(
                "StopRule::validate",
                &stop,
                || stop.validate(),
                |r| {
                    if !tolerance.is_finite() {
                        is_non_finite_err(r)
                    } else if tolerance < 0.0 {
                        is_invalid(r)
                    } else {
                        r.is_ok()
                    }
                },
            );
        }
    }
    sw.finish(5, 225_770);
}

// ---------------------------------------------------------------- 3. 勾配法の反復

/// `minimize` の結果が、止める規則と目的関数に対して筋が通っているか（`f` は `objective` で計算し直す）。
fn trace_contract(
    t: &Trace,
    stop: StopRule,
    objective: &dyn Fn(f64) -> (f64, f64),
    theta0: f64,
) -> bool {
    let n = t.values.len();
    let last = *t.values.last().unwrap_or(&f64::NAN);
    let (fv, gv) = objective(t.theta[0]);
    n >= 1
        && n == t.grad_norms.len()
        && t.iterations() == n - 1
        && t.iterations() <= stop.max_iterations
        && t.values
            .iter()
            .chain(t.grad_norms.iter())
            .all(|v| v.is_finite())
        && t.theta.len() == 1
        && t.theta[0].is_finite()
        && last == fv
        && t.grad_norms[n - 1] == gv.abs()
        && (t.converged == (gv.abs() <= stop.tolerance))
        && (t.iterations() > 0 || t.theta[0] == theta0)
}

#[test]
fn sweep_minimize() {
    let mut sw = Sweep::default();
    let stops: Vec<StopRule> = [0.0, 1e-12, f64::NAN, -1.0, f64::INFINITY]
        .iter()
        .flat_map(|&tolerance| {
            [0, 1, 7].map(|max_iterations| StopRule {
                tolerance,
                max_iterations,
            })
        })
        .collect();
    // f = c θ²/2（c は極端な値も）、η も θ₀ も極端な値
    for &c in &[1.0, 4.0, 1e300, 1e-320, -1.0, 0.0] {
        let objective = move |x: f64| (0.5 * c * x * x, c * x);
        for &theta0 in &EXTREMES {
            for &eta in &[0.25, 1.0, f64::NAN, -1.0, 1e308] {
                for &stop in &stops {
                    let step = StepSize::Scalar(eta);
                    sw.probe(
                        "minimize",
                        &(c, theta0, eta, stop),
                        || {
                            minimize(
                                |x: ArrayView1<f64>| {
                                    let (v, g) = objective(x[0]);
                                    Ok((v, array![g]))
                                },
                                &[theta0],
                                &step,
                                stop,
                                &mut |_| {},
                            )
                        },
                        |r| match r {
                            Ok(t) => {
                                theta0.is_finite()
                                    && stop.validate().is_ok()
                                    && trace_contract(t, stop, &objective, theta0)
                            }
                            Err(Error::NonFinite { .. }) => {
                                !theta0.is_finite()
                                    || !eta.is_finite()
                                    || !stop.tolerance.is_finite()
                            }
                            Err(Error::InvalidParameter { .. }) => {
                                eta <= 0.0 || stop.tolerance < 0.0
                            }
                            // 値・勾配が有限でなくなった、または θ' があふれた
                            Err(Error::Diverged { .. }) => true,
                            Err(_) => false,
                        },
                    );
                }
            }
        }
    }
    // 目的関数が壊れた値・長さ・誤りを返す、θ₀ が空・連続でない、反復の上限が usize::MAX
    type Objective = fn(ArrayView1<f64>) -> Result<(f64, Array1<f64>)>;
    let broken: [(&str, Objective); 5] = [
        ("NaN の値", |_| Ok((f64::NAN, array![1.0]))),
        ("∞ の勾配", |_| Ok((1.0, array![f64::INFINITY]))),
        ("NaN の勾配", |_| Ok((1.0, array![f64::NAN]))),
        ("長さの違う勾配", |_| Ok((1.0, array![1.0, 2.0]))),
        ("誤り", |_| Err(Error::EmptyInput)),
    ];
    for (what, f) in broken {
        for stop in &stops {
            sw.probe(
                "minimize",
                &(what, stop),
                || minimize(f, &[1.0], &StepSize::Scalar(0.5), *stop, &mut |_| {}),
                |r| match r {
                    Err(Error::Diverged { iteration: 0, .. }) => {
                        what.contains("NaN") || what.contains('∞')
                    }
                    Err(Error::DimensionMismatch { .. }) => what == "長さの違う勾配",
                    Err(Error::EmptyInput) => what == "誤り",
                    Err(Error::NonFinite { .. } | Error::InvalidParameter { .. }) => {
                        stop.validate().is_err()
                    }
                    _ => false,
                },
            );
        }
    }
    let quad = |x: ArrayView1<f64>| Ok((x.dot(&x), 2.0 * &x));
    let stop = StopRule {
        tolerance: 0.0,
        max_iterations: usize::MAX,
    };
    let stored = array![[4.0, 9.0], [-2.0, 9.0]];
    sw.probe(
        "minimize(ビュー)",
        &stored,
        || {
            minimize(
                quad,
                stored.column(0),
                &StepSize::Scalar(0.5),
                stop,
                &mut |_| {},
            )
        },
        // f = |θ|², η = 1/2 は 1 歩で θ = 0 に着き、勾配 0 で止まる（上限 usize::MAX でも回り続けない）
        |r| matches!(r, Ok(t) if t.converged && t.iterations() == 1 && t.theta == array![0.0, 0.0]),
    );
    sw.probe(
        "minimize",
        &"空",
        || {
            minimize(
                quad,
                &Array1::zeros(0),
                &StepSize::Scalar(0.5),
                stop,
                &mut |_| {},
            )
        },
        |r| matches!(r, Err(Error::EmptyInput)),
    );
    // 履歴の長さと、進捗の表示（極端な値でもパニックしない）
    for len in [0usize, 1, 5] {
        let t = Trace {
            theta: Array1::zeros(0),
            values: Array1::zeros(len),
            grad_norms: Array1::zeros(0),
            converged: false,
        };
        sw.probe(
            "Trace::iterations",
            &len,
            || Ok(t.iterations()),
            |r| *r == Ok(len.saturating_sub(1)),
        );
    }
    for &stop in &stops {
        for &value in &EXTREMES {
            sw.probe(
                "progress_observer",
                &(stop, value),
                || {
                    let mut observe = progress_observer(stop);
                    for iteration in [0, 1, usize::MAX] {
                        observe(&Iterate {
                            iteration,
                            value,
                            grad_norm: value.abs(),
                        });
                    }
                    Ok(())
                },
                |r| r.is_ok(),
            );
        }
    }
    sw.finish(3, 6_125);
}
