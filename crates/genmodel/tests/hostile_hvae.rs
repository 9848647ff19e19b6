//! 敵対的な入力の掃引: 階層 VAE（第 9 章、`hvae`）。
//!
//! 公開関数のすべて（`Decoder::{new, depth, step, log_joint, marginal, log_marginal, posterior, elbo,
//! optimal_for_gaussian}`、`Encoder::{new, fixed, depth, step, log_density, marginal_given_x0, marginal_of_data,
//! reverse_given_x0}`、`gaussian_entropy`・`expected_elbo`・`elbo_bound`、`estimate::{single_sample,
//! exact_moments, estimate}`）に、極端な値（`EXTREMES` の ±0、`±1e-320`、`f64::MIN_POSITIVE`、±1、`±1e308`、
//! `f64::MAX`、NaN、±∞ に `1e154`・`−1e155`・`5e-324`・`0.5`・`-2.0` を足したもの）を、係数・ずれ・分散
//! （1 つの段ずつ）・点 `x`・潜在変数・データの平均と分散に入れ、T = 0・長さの違う列・段の番号 0・T + 1・
//! `usize::MAX`、標本の数 0・1・2・17・上限のすぐ上・`usize::MAX`、深い連鎖（T = 200 000）を与えて、契約を確かめる:
//! パニックしない、時間のうちに返る。`Ok` なら値は有限（NaN・±∞ を `Ok` で返さない）で、分散は正、標準誤差は
//! `≥ 0`。`Err` は型つきで、入力の NaN・±∞ は `NonFinite`、分散が正でない・段の番号の外は `InvalidParameter`、
//! 空は `EmptyInput`、長さ違いは `DimensionMismatch`、大きすぎる仕事は `TooLarge`、入力が有限なのに途中が
//! あふれるときは `Overflow`。
//!
//! 節 0 は、掃引で見つけて**直した**ライブラリの不具合の最小の入力（回帰テスト）である:
//! 1. `gaussian_entropy(1e308)` が `½ ln(2πe·var)` の `2πe·var` のあふれで `Ok(+∞)` を返す
//!    （`log_normal`・`elbo` のエントロピーも同じで、有限の値を `Overflow` と誤る）
//! 2. `exact_moments` の分散 `E[f²] − E[f]²` が `f² ≈ ∞` で `∞ − ∞ = NaN` → `max(0)` になり、`Ok` の中に
//!    分散 0 を返す（黙った誤答。真の分散は 1e300 ほど）
//! 3. `estimate` の 4 次の積率 `(f − f̄)⁴` があふれ、`Ok` の中に分散の標準誤差 `+∞` を返す
//! 4. `estimate(…, usize::MAX, …)` が `Vec::with_capacity` でパニックする（標本の数の上限がない）
//! 5. `posterior`・`optimal_for_gaussian`・(9.8) の形の `single_sample` が段ごとに周辺分布を最初から
//!    たどり直すので、仕事が T² になり、T = 200 000 で時間のうちに返らない
//! 6. `expected_elbo` の点 `mean ± √(3 var)` が `3 var` のあふれで `±∞` になり、有限の入力に
//!    `NonFinite { what: "x" }` を返す

mod hostile_support;

use genmodel::gaussian::univariate::seeded_rng;
use genmodel::hvae::estimate::{
    ElboEstimate, Form, MAX_EXACT_DEPTH, estimate, exact_moments, single_sample,
};
use genmodel::hvae::{Decoder, Encoder, elbo_bound, expected_elbo, gaussian_entropy};
use genmodel::prec::MAX_SAMPLES;
use genmodel::{Error, Result};
use hostile_support::*;

/// 極端な値に足す値。
const MORE: [f64; 5] = [1e154, -1e155, 5e-324, 0.5, -2.0];

fn values() -> Vec<f64> {
    EXTREMES.iter().chain(&MORE).copied().collect()
}

/// `Ok` なら有限、`Err` なら型つき（「その他」でない）。
fn finite_or_typed(r: &Result<f64>) -> bool {
    match r {
        Ok(v) => v.is_finite(),
        Err(e) => kind(e) != "その他",
    }
}

fn pair_ok(r: &Result<(f64, f64)>) -> bool {
    match r {
        Ok((m, v)) => m.is_finite() && v.is_finite() && *v >= 0.0,
        Err(e) => kind(e) != "その他",
    }
}

fn estimate_ok(r: &Result<ElboEstimate>) -> bool {
    match r {
        Ok(e) => {
            [e.mean, e.standard_error, e.variance, e.variance_error]
                .iter()
                .all(|v| v.is_finite())
                && e.standard_error >= 0.0
                && e.variance >= 0.0
                && e.variance_error >= 0.0
        }
        Err(e) => kind(e) != "その他",
    }
}

/// 入力に NaN・±∞ があれば `NonFinite`、そうでなければ `f` の契約。
fn typed_for(inputs: &[f64], r: &Result<f64>) -> bool {
    if inputs.iter().any(|v| !v.is_finite()) {
        matches!(r, Err(Error::NonFinite { .. }))
    } else {
        finite_or_typed(r)
    }
}

fn base_decoder() -> Decoder {
    Decoder::new(&[0.8, -0.6, 1.1], &[0.2, 0.1, -0.3], &[0.3, 0.5, 0.4]).unwrap()
}

fn base_encoder() -> Encoder {
    Encoder::new(&[0.5, -0.4, 0.6], &[0.1, 0.0, -0.2], &[0.3, 0.25, 0.35]).unwrap()
}

/// 基本の 3 段の (係数, ずれ, 分散) の 1 つの成分を `v` に置き換えた列。
fn perturbed(which: usize, pos: usize, v: f64) -> [Vec<f64>; 3] {
    let mut p = [
        vec![0.8, -0.6, 1.1],
        vec![0.2, 0.1, -0.3],
        vec![0.3, 0.5, 0.4],
    ];
    p[which][pos] = v;
    p
}

// ---------------------------------------------------------------- 0. 直した不具合

#[test]
fn bug1_entropy_of_huge_variance_is_finite() {
    let h = gaussian_entropy(1e308).unwrap();
    assert!(h.is_finite());
    assert!(
        (h - (0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln() + 0.5 * 1e308f64.ln()))
            .abs()
            < 1e-12
    );
    // log_normal・elbo も: 分散 1e308 の段の対数尤度・ELBO は有限
    let dec = Decoder::new(&[1.0], &[0.0], &[1e308]).unwrap();
    let ll = dec.log_marginal(0.0).unwrap();
    assert!((ll + 0.5 * (2.0 * std::f64::consts::PI).ln() + 0.5 * 1e308f64.ln()).abs() < 1e-9);
    let enc = Encoder::new(&[0.0], &[0.0], &[1e308]).unwrap();
    assert!(dec.elbo(&enc, 0.0).unwrap().is_finite());
}

/// f = ln N(x; z, s) with z ~ N(0, 1)、s = 2e-140、x = 2e10: f ≈ −1e160（f² はあふれる）、
/// Var f = (x² + ½)/s² ≈ 1e300（標準偏差 1e150 は f の丸めの幅 1e144 より十分大きい）。
fn big_value_pair() -> (Decoder, Encoder) {
    (
        Decoder::new(&[1.0], &[0.0], &[2e-140]).unwrap(),
        Encoder::new(&[0.0], &[0.0], &[1.0]).unwrap(),
    )
}

const BIG_X: f64 = 2e10;

fn big_variance() -> f64 {
    (BIG_X * BIG_X + 0.5) / (2e-140f64 * 2e-140)
}

#[test]
fn bug2_exact_variance_of_huge_values_is_not_zero() {
    let (dec, enc) = big_value_pair();
    let (mean, var) = exact_moments(&dec, &enc, BIG_X, Form::Chain).unwrap();
    assert!(mean < -1e159 && mean.is_finite());
    assert!((var / big_variance() - 1.0).abs() < 1e-4, "分散 {var}");
}

#[test]
fn bug3_estimate_of_huge_values_is_finite() {
    let (dec, enc) = big_value_pair();
    let e = estimate(&dec, &enc, BIG_X, Form::Chain, 500, &mut seeded_rng(3)).unwrap();
    assert!(estimate_ok(&Ok(e)), "{e:?}");
    assert!((e.variance / big_variance() - 1.0).abs() < 0.2, "{e:?}");
}

#[test]
fn bug4_huge_sample_counts_are_too_large() {
    for n in [usize::MAX, MAX_SAMPLES + 1] {
        let r = bounded(5, move || {
            let (dec, enc) = (base_decoder(), base_encoder());
            estimate(&dec, &enc, 0.5, Form::Chain, n, &mut seeded_rng(1))
        });
        assert!(matches!(r, Err(Error::TooLarge { .. })), "{n}: {r:?}");
    }
}

#[test]
fn bug5_deep_chains_are_linear_time() {
    const DEEP: usize = 200_000;
    let r = bounded(20, || {
        let dec = Decoder::new(
            vec![0.9; DEEP].as_slice(),
            vec![0.0; DEEP].as_slice(),
            vec![0.19; DEEP].as_slice(),
        )?;
        let enc = Encoder::fixed(vec![0.9; DEEP].as_slice(), vec![0.19; DEEP].as_slice())?;
        let post = dec.posterior()?;
        let best = Decoder::optimal_for_gaussian(&enc, 1.0, 0.25)?;
        let z: Vec<f64> = (0..DEEP).map(|k| 0.5 * (k as f64 * 0.1).sin()).collect();
        let s = single_sample(&best, &enc, 1.5, z.as_slice(), Form::FixedEncoder)?;
        Ok((post.depth(), s))
    });
    let (d, s) = r.unwrap();
    assert_eq!(d, DEEP);
    assert!(s.is_finite());
}

#[test]
fn bug6_expected_elbo_of_huge_variance_is_not_non_finite() {
    let enc = Encoder::fixed(&[0.9], &[0.19]).unwrap();
    let dec = Decoder::new(&[0.5], &[0.0], &[0.5]).unwrap();
    let r = expected_elbo(&dec, &enc, 0.0, 1e308);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    // √(3 var) は有限だが mean + √(3 var) があふれる
    let r = expected_elbo(&dec, &enc, 1.7e308, 1e200);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
}

// ---------------------------------------------------------------- 1. 作る・読み出す

#[test]
fn sweep_construction() {
    let mut sw = Sweep::default();
    for which in 0..3 {
        for pos in 0..3 {
            for v in values() {
                let [g, o, s] = perturbed(which, pos, v);
                let want = if !v.is_finite() {
                    Some(NF)
                } else if which == 2 && v <= 0.0 {
                    Some(INV)
                } else {
                    None
                };
                let input = (which, pos, v);
                let d = probe_keep(
                    &mut sw,
                    "Decoder::new",
                    &input,
                    || Decoder::new(g.as_slice(), o.as_slice(), s.as_slice()),
                    |r| expect(r, want, |d| d.depth() == 3),
                );
                let e = probe_keep(
                    &mut sw,
                    "Encoder::new",
                    &input,
                    || Encoder::new(g.as_slice(), o.as_slice(), s.as_slice()),
                    |r| expect(r, want, |e| e.depth() == 3),
                );
                if which != 1 {
                    let want_fixed = want;
                    sw.probe(
                        "Encoder::fixed",
                        &input,
                        || Encoder::fixed(g.as_slice(), s.as_slice()),
                        |r| expect(r, want_fixed, |e| e.depth() == 3),
                    );
                }
                for t in [0, 1, 3, 4, usize::MAX] {
                    let inside = (1..=3).contains(&t);
                    sw.probe(
                        "Decoder::depth",
                        &input,
                        || read(&d, |d| d.depth()),
                        |r| read_contract(&d, r, |_, n| *n == 3),
                    );
                    sw.probe(
                        "Encoder::depth",
                        &input,
                        || read(&e, |e| e.depth()),
                        |r| read_contract(&e, r, |_, n| *n == 3),
                    );
                    sw.probe(
                        "Decoder::step",
                        &(input, t),
                        || d.clone().and_then(|d| d.step(t)),
                        |r| match (&d, r) {
                            (Err(_), Err(_)) => true,
                            (Ok(_), Ok(s)) => inside && s.2 > 0.0,
                            (Ok(_), Err(x)) => !inside && kind(x) == INV,
                            _ => false,
                        },
                    );
                    sw.probe(
                        "Encoder::step",
                        &(input, t),
                        || e.clone().and_then(|e| e.step(t)),
                        |r| match (&e, r) {
                            (Err(_), Err(_)) => true,
                            (Ok(_), Ok(s)) => inside && s.2 > 0.0,
                            (Ok(_), Err(x)) => !inside && kind(x) == INV,
                            _ => false,
                        },
                    );
                }
            }
        }
    }
    // 空・長さ違い
    for (g, o, s, want) in [
        (vec![], vec![], vec![], EMPTY),
        (vec![1.0], vec![0.0, 0.0], vec![1.0], MISMATCH),
        (vec![1.0, 1.0], vec![0.0, 0.0], vec![1.0], MISMATCH),
    ] {
        let input = (g.len(), o.len(), s.len());
        sw.probe(
            "Decoder::new",
            &input,
            || Decoder::new(g.as_slice(), o.as_slice(), s.as_slice()),
            |r| expect(r, Some(want), |_| false),
        );
        sw.probe(
            "Encoder::new",
            &input,
            || Encoder::new(g.as_slice(), o.as_slice(), s.as_slice()),
            |r| expect(r, Some(want), |_| false),
        );
    }
    sw.probe(
        "Encoder::fixed",
        &"長さ違い",
        || Encoder::fixed(&[1.0, 2.0], &[1.0]),
        |r| expect(r, Some(MISMATCH), |_| false),
    );
    sw.finish_at_least("sweep_construction", 7, 3_000);
}

// ---------------------------------------------------------------- 2. 密度・閉じた形

/// 係数の 1 成分を極端にしたモデルとエンコーダの組（作れたものだけ）。
fn hostile_models() -> Vec<(String, Decoder, Encoder)> {
    let mut out = vec![("基本".to_string(), base_decoder(), base_encoder())];
    for which in 0..3 {
        for pos in 0..3 {
            for v in values() {
                let [g, o, s] = perturbed(which, pos, v);
                if let Ok(d) = Decoder::new(g.as_slice(), o.as_slice(), s.as_slice()) {
                    out.push((format!("dec {which} {pos} {v:e}"), d, base_encoder()));
                }
                if let Ok(e) = Encoder::new(g.as_slice(), o.as_slice(), s.as_slice()) {
                    out.push((format!("enc {which} {pos} {v:e}"), base_decoder(), e));
                }
            }
        }
    }
    out
}

#[test]
fn sweep_closed_forms() {
    let mut sw = Sweep::default();
    for (name, dec, enc) in hostile_models() {
        let name = name.as_str();
        for x in values() {
            let input = (name, x);
            sw.probe(
                "Decoder::log_marginal",
                &input,
                || dec.log_marginal(x),
                |r| typed_for(&[x], r),
            );
            sw.probe(
                "Decoder::elbo",
                &input,
                || dec.elbo(&enc, x),
                |r| typed_for(&[x], r),
            );
            for z in [[x, 0.1, -0.2], [0.3, x, x]] {
                sw.probe(
                    "Decoder::log_joint",
                    &(name, x, z),
                    || dec.log_joint(0.4, &z),
                    |r| typed_for(&[x], r),
                );
                sw.probe(
                    "Encoder::log_density",
                    &(name, x, z),
                    || enc.log_density(0.4, &z),
                    |r| typed_for(&[x], r),
                );
                sw.probe(
                    "Decoder::log_joint",
                    &(name, x, z),
                    || dec.log_joint(x, &z),
                    |r| typed_for(&z, r),
                );
            }
            for t in [0, 1, 2, 3, 4, usize::MAX] {
                sw.probe(
                    "Encoder::marginal_given_x0",
                    &(input, t),
                    || enc.marginal_given_x0(t, x),
                    |r| {
                        if !x.is_finite() {
                            matches!(r, Err(Error::NonFinite { .. }))
                        } else if t > 3 {
                            matches!(r, Err(Error::InvalidParameter { .. }))
                        } else {
                            pair_ok(r)
                        }
                    },
                );
                sw.probe(
                    "Encoder::reverse_given_x0",
                    &(input, t),
                    || enc.reverse_given_x0(t, x, 0.3),
                    |r| {
                        if !(2..=3).contains(&t) {
                            matches!(r, Err(Error::InvalidParameter { .. }))
                        } else if !x.is_finite() {
                            matches!(r, Err(Error::NonFinite { .. }))
                        } else {
                            pair_ok(r)
                        }
                    },
                );
                sw.probe(
                    "Encoder::reverse_given_x0",
                    &(input, t),
                    || enc.reverse_given_x0(t, 0.3, x),
                    |r| {
                        if !(2..=3).contains(&t) {
                            matches!(r, Err(Error::InvalidParameter { .. }))
                        } else if !x.is_finite() {
                            matches!(r, Err(Error::NonFinite { .. }))
                        } else {
                            pair_ok(r)
                        }
                    },
                );
                for var in values() {
                    sw.probe(
                        "Encoder::marginal_of_data",
                        &(input, t, var),
                        || enc.marginal_of_data(t, x, var),
                        |r| {
                            // 入力の検査（平均・分散）が段の番号の検査より先
                            if !x.is_finite() || !var.is_finite() {
                                is_non_finite_err(r)
                            } else if var <= 0.0 || t > 3 {
                                is_invalid(r)
                            } else {
                                pair_ok(r)
                            }
                        },
                    );
                }
                sw.probe(
                    "Decoder::marginal",
                    &(name, t),
                    || dec.marginal(t),
                    |r| if t > 3 { is_invalid(r) } else { pair_ok(r) },
                );
            }
        }
        sw.probe(
            "Decoder::posterior",
            &name,
            || dec.posterior(),
            |r| match r {
                Ok(p) => {
                    p.depth() == 3
                        && (1..=3).all(|t| {
                            p.step(t)
                                .is_ok_and(|s| s.2 > 0.0 && s.0.is_finite() && s.1.is_finite())
                        })
                }
                Err(e) => kind(e) == OVER,
            },
        );
        for mean in values() {
            for var in values() {
                let input = (name, mean, var);
                let bad_in = !mean.is_finite() || !var.is_finite();
                let check = |r: &Result<f64>| {
                    if bad_in {
                        is_non_finite_err(r)
                    } else if var <= 0.0 {
                        is_invalid(r)
                    } else {
                        finite_or_typed(r)
                    }
                };
                sw.probe("elbo_bound", &input, || elbo_bound(&enc, mean, var), check);
                sw.probe(
                    "expected_elbo",
                    &input,
                    || expected_elbo(&dec, &enc, mean, var),
                    check,
                );
                sw.probe(
                    "Decoder::optimal_for_gaussian",
                    &input,
                    || Decoder::optimal_for_gaussian(&enc, mean, var),
                    |r| match r {
                        Ok(d) => !bad_in && var > 0.0 && d.depth() == 3,
                        Err(e) => {
                            if bad_in {
                                kind(e) == NF
                            } else if var <= 0.0 {
                                kind(e) == INV
                            } else {
                                kind(e) == OVER
                            }
                        }
                    },
                );
            }
        }
    }
    for var in values() {
        sw.probe(
            "gaussian_entropy",
            &var,
            || gaussian_entropy(var),
            |r| {
                if !var.is_finite() {
                    is_non_finite_err(r)
                } else if var <= 0.0 {
                    is_invalid(r)
                } else {
                    matches!(r, Ok(h) if h.is_finite())
                }
            },
        );
    }
    // 段の数が違う・長さ違いの z
    let short = Encoder::fixed(&[0.9], &[0.19]).unwrap();
    sw.probe(
        "Decoder::elbo",
        &"段の数違い",
        || base_decoder().elbo(&short, 0.1),
        |r| expect(r, Some(MISMATCH), |_| false),
    );
    sw.probe(
        "expected_elbo",
        &"段の数違い",
        || expected_elbo(&base_decoder(), &short, 0.1, 1.0),
        |r| expect(r, Some(MISMATCH), |_| false),
    );
    sw.probe(
        "Decoder::log_joint",
        &"z の長さ",
        || base_decoder().log_joint(0.1, &[0.0; 2]),
        |r| expect(r, Some(MISMATCH), |_| false),
    );
    sw.probe(
        "Encoder::log_density",
        &"z の長さ",
        || base_encoder().log_density(0.1, &[0.0; 4]),
        |r| expect(r, Some(MISMATCH), |_| false),
    );
    sw.finish_at_least("sweep_closed_forms", 13, 700_000);
}

// ---------------------------------------------------------------- 3. 推定

#[test]
fn sweep_estimates() {
    let mut sw = Sweep::default();
    for (name, dec, enc) in hostile_models() {
        let name = name.as_str();
        for form in [Form::Chain, Form::FixedEncoder] {
            for x in values() {
                let input = (name, x, form);
                sw.probe(
                    "single_sample",
                    &input,
                    || single_sample(&dec, &enc, x, &[0.1, -0.3, 0.2], form),
                    |r| typed_for(&[x], r),
                );
                sw.probe(
                    "single_sample",
                    &input,
                    || single_sample(&dec, &enc, 0.4, &[x, -0.3, x], form),
                    |r| typed_for(&[x], r),
                );
                sw.probe(
                    "exact_moments",
                    &input,
                    || exact_moments(&dec, &enc, x, form),
                    |r| {
                        if x.is_finite() {
                            pair_ok(r)
                        } else {
                            matches!(r, Err(Error::NonFinite { .. }))
                        }
                    },
                );
            }
            for x in [0.5, 1e154, -1e155, 1e308] {
                for n in [0, 1, 2, 17] {
                    let r = estimate(&dec, &enc, x, form, n, &mut seeded_rng(n as u64));
                    sw.probe(
                        "estimate",
                        &(name, x, n, form),
                        || r.clone(),
                        |r| {
                            if n < 2 {
                                matches!(r, Err(Error::TooFewSamples { .. }))
                            } else {
                                estimate_ok(r)
                            }
                        },
                    );
                }
            }
        }
    }
    let (dec, enc) = (base_decoder(), base_encoder());
    sw.probe(
        "single_sample",
        &"z の長さ",
        || single_sample(&dec, &enc, 0.1, &[0.0; 2], Form::Chain),
        |r| expect(r, Some(MISMATCH), |_| false),
    );
    let deep = Decoder::new(
        vec![1.0; MAX_EXACT_DEPTH + 1].as_slice(),
        vec![0.0; MAX_EXACT_DEPTH + 1].as_slice(),
        vec![1.0; MAX_EXACT_DEPTH + 1].as_slice(),
    )
    .unwrap();
    sw.probe(
        "exact_moments",
        &"T > MAX_EXACT_DEPTH",
        || exact_moments(&deep, &deep.posterior()?, 0.1, Form::Chain),
        |r| expect(r, Some(BIG), |_| false),
    );
    for n in [MAX_SAMPLES + 1, usize::MAX] {
        let (d, e) = (dec.clone(), enc.clone());
        sw.probe(
            "estimate",
            &n,
            || {
                bounded(5, move || {
                    estimate(&d, &e, 0.5, Form::Chain, n, &mut seeded_rng(1))
                })
            },
            |r| expect(r, Some(BIG), |_| false),
        );
    }
    sw.finish_at_least("sweep_estimates", 3, 30_000);
}
