//! 敵対的な入力の掃引: 多層パーセプトロン（第 8 章の準備、`nn`）。
//!
//! 公開関数のそれぞれに、極端な値（`EXTREMES` の ±0、`±1e-320`、`f64::MIN_POSITIVE`、±1、`±1e308`、`f64::MAX`、
//! NaN、±∞ に、`exp` の境 `±710`・`−745`、`√f64::MAX ≈ 1.34e154` の前後 `1e154`・`1e155`、`1e300` を足したもの）を
//! 入力・出力側の勾配・重み・パラメータ・勾配・学習率・`β`・`ε` の 1 つずつと全部に入れ、空（0 行）・幅違い・
//! 幅 0 の配列、連続でないビュー（転置・1 列おき・逆順の行）、1 行を並べた巨大なビュー（確保しない）、
//! `usize::MAX` や上限のちょうど前後の大きさ（`MAX_PARAMETERS`・`MAX_WORK`・`MAX_ACTIVATIONS`）を与え、契約を確かめる:
//! パニックしない。`Ok` なら有限で、安く確かめられる性質を満たす:
//! - 活性化関数は値域（tanh は `[−1, 1]`、σ は `[0, 1]`、softplus は `[max(z, 0), max(z, 0) + ln 2]`）と `0 ≤ f' ≤ 1`、
//!   ±∞ では極限、NaN は NaN
//! - 前向きの計算は、添字のループで書いた定義（テストで独立に書く）と、絶対値で求めた大きさの `1e-12` 倍の範囲で一致し、
//!   出力は出力層の活性化の値域にあり、`predict` は `forward` の出力と 1 ビットも違わず、連続でないビューは連続な
//!   複製と同じ結果。途中の大きさが `1e300` 以下なら必ず `Ok`
//! - 誤差逆伝播は、同じ前活性からループで書いた連鎖律と同じ範囲で一致し、途中の大きさが `1e300` 以下なら必ず `Ok`
//! - パラメータの 1 列の並びは往復で戻り、Adam の 1 歩は、各パラメータを `α √(Σ_i a_i² / b_i)`
//!   （`a_i`・`b_i` は `m̂_t`・`v̂_t` の中の `g_i`・`g_i²` の重み。コーシー・シュワルツの不等式による上界）より
//!   動かさない
//!
//! そうでなければ文書（`# Errors`）に書いた型つきの `Err` で、形・非有限・大きさの誤りは種類まで予言どおり
//! （数の範囲を超えたときだけ `Overflow`）。`Err` を返した `Adam::step`・`set_params_flat`・`set_learning_rate` は
//! ネットワークも Adam の状態も変えない。大きさの上限の外は確保も走査もせずに断る（1 秒以内に返る）。
//!
//! `Adam::step` の `NonFinite` は公開の API からは起こせない（`Mlp::backward` と `Gradients::from_flat` が
//! 非有限の勾配を作らない）ので、掃引では `from_flat` が NaN・±∞ を断ることを確かめる。
//!
//! 掃引の大きさ（各テストの最後の `finish` で数を確かめる）: **公開関数 46 個 × 入力 = 呼び出し 529 589 回**。
//! - `sweep_activations`: 2 関数（`Activation::value`、`Activation::derivative`）、6 320 回
//! - `sweep_dense`: 11 関数（`Dense` の構築 2 通り・5 つの読み出し・前向き・後ろ向き、`DenseGradient` の 2 つの読み出し）、
//!   37 569 回
//! - `sweep_mlp`: 22 関数（`Mlp` の構築 2 通り・6 つの読み出し・前向き・`predict`・誤差逆伝播・パラメータの読み書き、
//!   `Forward` の 4 つの読み出し、`Gradients` の 2 つの読み出し・1 列の並び・並びからの構築）、414 087 回
//! - `sweep_adam`: 10 関数（構築 2 通り、4 つの設定と歩の数の読み出し、学習率の変更、状態の破棄、1 歩）、70 719 回
//! - `sweep_sizes`: 大きさの上限の前後（上の関数のうち 6 つ）、25 回
//! - `sweep_adam_flat`: 1 関数（`Adam::step_flat`: 平坦なパラメータの 1 歩）、869 回
//!
//! 節 0 のテストは、掃引で見つけて直したライブラリの不具合の具体的な入力で、直した契約を確かめる:
//! 1. `tanh'`・σ' が `z ≈ 0` の丸めで上限（1・`1/4`）を 1 ulp 超えた（今は上限で抑える）
//! 2. 最初の `Adam::step` が `Overflow` で失敗すると、Adam の状態（モーメントの配列）が作ったときと違っていた
//! 3. `ε` が `1e-150` より小さいと、`g²` が 0 に落ちる小さな勾配で更新が `α` の何桁も上に跳ねた
//!    （今は `ε ≥ MIN_EPSILON = 1e-150` を求める）

mod hostile_support;

use genmodel::ndarray::{Array1, Array2, ArrayView2, s};
use genmodel::nn::adam::MIN_EPSILON;
use genmodel::nn::{
    Activation, Adam, Dense, Forward, Gradients, MAX_ACTIVATIONS, MAX_PARAMETERS, MAX_WORK, Mlp,
};
use genmodel::{Error, Result};
use hostile_support::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::time::Instant;

// ---------------------------------------------------------------- 共通の道具

/// 極端な値に足す値: `exp` の境、`√f64::MAX` の前後、大きいが有限の値。
const MORE: [f64; 8] = [710.0, -710.0, -745.0, 1e154, -1e155, 1e300, 0.5, -2.0];

fn values() -> Vec<f64> {
    EXTREMES.iter().chain(&MORE).copied().collect()
}

fn uniform(rng: &mut ChaCha8Rng, dim: (usize, usize), lo: f64, hi: f64) -> Array2<f64> {
    let mut a = Array2::zeros(dim);
    a.iter_mut().for_each(|v| *v = rng.random_range(lo..hi));
    a
}

fn all_finite<'a>(it: impl IntoIterator<Item = &'a f64>) -> bool {
    it.into_iter().all(|v| v.is_finite())
}

/// ミニバッチの形・値の誤り（`check_shape` → 大きさ → 非有限の順）。
fn batch_error(x: &ArrayView2<f64>, width: usize) -> Option<&'static str> {
    if x.nrows() == 0 {
        Some(EMPTY)
    } else if x.ncols() != width {
        Some(MISMATCH)
    } else if !all_finite(x.iter()) {
        Some(NF)
    } else {
        None
    }
}

/// `x` の行を逆順にしたビューの結果を、元の順に戻す（逆順のビューの結果を連続なものと比べるため）。
fn unreverse(label: &str, y: &Array2<f64>) -> Array2<f64> {
    if label == "逆順" {
        y.slice(s![..;-1, ..]).to_owned()
    } else {
        y.clone()
    }
}

fn activation_of(net: &Mlp, l: usize) -> Activation {
    if l + 1 == net.layers().len() {
        net.output_activation()
    } else {
        net.hidden_activation()
    }
}

/// 前向きの計算を添字のループで（定義どおり）求める: 出力、出力の大きさ `|b| + Σ |a||w|`（活性化は 1-リプシッツで
/// `|f(z)| ≤ |z| + 1` なので、次の層には `+1` して渡す）、途中の大きさの最大。
fn reference_forward(net: &Mlp, x: &ArrayView2<f64>) -> (Array2<f64>, Array2<f64>, f64) {
    let mut a = x.to_owned();
    let mut sc = x.mapv(f64::abs);
    let mut top = top_of(0.0, &sc);
    for (l, layer) in net.layers().iter().enumerate() {
        let (w, b) = (layer.weights(), layer.bias());
        let (rows, n_in, n_out) = (a.nrows(), w.nrows(), w.ncols());
        let mut z = Array2::zeros((rows, n_out));
        let mut s = Array2::zeros((rows, n_out));
        for r in 0..rows {
            for j in 0..n_out {
                let (mut zz, mut ss) = (b[j], b[j].abs());
                for i in 0..n_in {
                    zz += a[[r, i]] * w[[i, j]];
                    ss += sc[[r, i]] * w[[i, j]].abs();
                }
                z[[r, j]] = zz;
                s[[r, j]] = ss;
            }
        }
        top = top_of(top, &s);
        let act = activation_of(net, l);
        a = z.mapv(|v| act.value(v));
        sc = s.mapv(|v| v + 1.0);
    }
    (a, sc, top)
}

/// 誤差逆伝播を、`fwd` の前活性からループで（定義どおり）求める: パラメータの勾配（1 列）とその大きさ、
/// 入力の勾配とその大きさ、途中の大きさの最大。
fn reference_backward(
    net: &Mlp,
    fwd: &Forward,
    g: &ArrayView2<f64>,
) -> (Vec<f64>, Vec<f64>, Array2<f64>, Array2<f64>, f64) {
    let layers = net.layers();
    let mut grad = g.to_owned();
    let mut gs = g.mapv(f64::abs);
    let mut top = top_of(0.0, &gs);
    let (mut flat, mut flat_s): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (vec![], vec![]);
    for l in (0..layers.len()).rev() {
        let act = activation_of(net, l);
        let z = &fwd.pre_activations()[l];
        let delta = &grad * &z.mapv(|v| act.derivative(v));
        let ds = gs.clone();
        let a_prev = if l == 0 {
            fwd.input()
        } else {
            &fwd.activations()[l - 1]
        };
        let w = layers[l].weights();
        let (rows, n_in, n_out) = (delta.nrows(), w.nrows(), w.ncols());
        let (mut dw, mut dws) = (vec![0.0; n_in * n_out], vec![0.0; n_in * n_out]);
        let (mut db, mut dbs) = (vec![0.0; n_out], vec![0.0; n_out]);
        let (mut gp, mut gps) = (Array2::zeros((rows, n_in)), Array2::zeros((rows, n_in)));
        for r in 0..rows {
            for j in 0..n_out {
                db[j] += delta[[r, j]];
                dbs[j] += ds[[r, j]];
                for i in 0..n_in {
                    dw[i * n_out + j] += a_prev[[r, i]] * delta[[r, j]];
                    dws[i * n_out + j] += a_prev[[r, i]].abs() * ds[[r, j]];
                    gp[[r, i]] += delta[[r, j]] * w[[i, j]];
                    gps[[r, i]] += ds[[r, j]] * w[[i, j]].abs();
                }
            }
        }
        top = top_of(top, dws.iter().chain(&dbs).chain(gps.iter()));
        dw.extend(db);
        dws.extend(dbs);
        flat.push(dw);
        flat_s.push(dws);
        grad = gp;
        gs = gps;
    }
    flat.reverse();
    flat_s.reverse();
    (flat.concat(), flat_s.concat(), grad, gs, top)
}

/// `a` が `want` に、大きさ `scale` の `1e-12` 倍（と非正規化数の刻み）の範囲で一致するか。
/// 正しい値や大きさがあふれた（∞・NaN）ところでは、有限であることだけを確かめる。
fn near(a: f64, want: f64, scale: f64) -> bool {
    a.is_finite()
        && (!want.is_finite() || !scale.is_finite() || (a - want).abs() <= 1e-12 * scale + 1e-300)
}

/// 途中の大きさの最大（NaN は ∞ とみなす）。
fn top_of<'a>(top: f64, v: impl IntoIterator<Item = &'a f64>) -> f64 {
    v.into_iter().fold(
        top,
        |m, &x| if x.is_nan() { f64::INFINITY } else { m.max(x) },
    )
}

/// 列のすべてが [`near`] か（違えば最初の成分を書き出す）。
fn all_near<'a>(
    what: &str,
    a: impl IntoIterator<Item = &'a f64>,
    want: impl IntoIterator<Item = &'a f64>,
    scale: impl IntoIterator<Item = &'a f64>,
) -> bool {
    for (k, ((a, w), s)) in a.into_iter().zip(want).zip(scale).enumerate() {
        if !near(*a, *w, *s) {
            eprintln!("{what}: 成分 {k}: {a:e} ≠ {w:e}（大きさ {s:e}）");
            return false;
        }
    }
    true
}

/// 活性化の値域。
fn in_range(act: Activation, v: f64) -> bool {
    match act {
        Activation::Identity => v.is_finite(),
        Activation::Tanh => (-1.0..=1.0).contains(&v),
        Activation::Sigmoid => (0.0..=1.0).contains(&v),
        Activation::Relu | Activation::Softplus => v >= 0.0 && v.is_finite(),
    }
}

// ---------------------------------------------------------------- 0. 掃引で見つけた不具合（どれも直した。再発を防ぐために残す）

/// 不具合 1: `tanh'(z) = 4e / (1 + e)²`（`e = e^{−2|z|}`）は `z ≈ 0` で丸めにより 1 を 1 ulp 超えた
/// （`z = −9.93e-15` で `1.0000000000000002`）。σ' も同じ形なので `1/4` を超えうる。今は真の上限で抑える。
#[test]
fn activation_derivatives_stay_within_their_bounds_near_zero() {
    let mut z = -1e-13;
    while z < 1e-13 {
        assert!(Activation::Tanh.derivative(z) <= 1.0, "tanh'({z:e})");
        assert!(Activation::Sigmoid.derivative(z) <= 0.25, "σ'({z:e})");
        z += 1.37e-16;
    }
    assert_eq!(Activation::Tanh.derivative(-9.931_005_466_983_743e-15), 1.0);
}

/// 不具合 2: 最初の `Adam::step` が `Overflow`（`g²` があふれる `|g| = 1e308`）で失敗しても、モーメントの配列を
/// 0 で作ったまま返していた（ネットワークは変えないが、状態が作ったときと違う）。今は作ったときに戻す。
#[test]
fn failed_first_adam_step_leaves_a_fresh_state() {
    let mut net = Mlp::from_layers(
        vec![Dense::zeros(1, 1).unwrap()],
        Activation::Tanh,
        Activation::Identity,
    )
    .unwrap();
    let g = Gradients::from_flat(&net, &Array1::from(vec![1e308, 0.0])).unwrap();
    let mut adam = Adam::default();
    assert!(matches!(
        adam.step(&mut net, &g),
        Err(Error::Overflow { .. })
    ));
    assert_eq!(adam, Adam::default());
}

/// 不具合 3（掃引を書く間に見つけた）: `|g| < 1.5e-154` では `g²` が 0 や精度の低い非正規化数に落ちるので、
/// `ε` がそれより小さいと `√v̂ + ε ≪ |m̂|` になり、更新が `α` の何桁も上に跳ねた（`ε = 1e-320`、`g = 1e-200` で
/// `1e120 α`）。今は `ε ≥ MIN_EPSILON = 1e-150` を求めるので、更新は `α` を超えない。
#[test]
fn adam_update_does_not_explode_when_the_squared_gradient_underflows() {
    assert!(matches!(
        Adam::new(1e-3, 0.9, 0.999, 1e-320),
        Err(Error::InvalidParameter { .. })
    ));
    for g in [1e-200, 1e-160, 1.4e-154, 1e-320] {
        let mut net = Mlp::from_layers(
            vec![Dense::zeros(1, 1).unwrap()],
            Activation::Tanh,
            Activation::Identity,
        )
        .unwrap();
        let grads = Gradients::from_flat(&net, &Array1::from(vec![g, -g])).unwrap();
        let mut adam = Adam::new(0.1, 0.9, 0.999, MIN_EPSILON).unwrap();
        for _ in 0..3 {
            let before = net.params_flat();
            adam.step(&mut net, &grads).unwrap();
            let moved = (&net.params_flat() - &before).mapv(f64::abs);
            assert!(moved.iter().all(|&d| d <= 0.1), "g = {g:e}: {moved}");
        }
    }
}

// ---------------------------------------------------------------- 1. 活性化関数

#[test]
fn sweep_activations() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(8000);
    let mut zs = values();
    zs.extend([
        5e-324, -5e-324, 36.7, -36.7, 19.1, -19.1, 709.8, -708.0, -745.2, 1e16, -1e16,
    ]);
    // 符号つきの対数一様な乱数（`1e-320` から `1e308`）
    zs.extend((0..600).map(|_| {
        let z = 10f64.powf(rng.random_range(-320.0..308.0));
        if rng.random_bool(0.5) { z } else { -z }
    }));
    let ln2 = std::f64::consts::LN_2;
    for act in Activation::ALL {
        for &z in &zs {
            let input = (act, z);
            sw.probe(
                "Activation::value",
                &input,
                || Ok(act.value(z)),
                |r| {
                    let v = *r.as_ref().unwrap_or(&f64::NAN);
                    if z.is_nan() {
                        return v.is_nan();
                    }
                    let floor = z.max(0.0);
                    // ±∞ では極限
                    if z.is_infinite() {
                        return match act {
                            Activation::Tanh => v == z.signum(),
                            Activation::Sigmoid => v == if z > 0.0 { 1.0 } else { 0.0 },
                            Activation::Identity => v == z,
                            Activation::Relu | Activation::Softplus => v == floor,
                        };
                    }
                    // 有限なら有限で、値域と符号
                    v.is_finite()
                        && match act {
                            Activation::Identity => v == z,
                            Activation::Relu => v == floor,
                            Activation::Tanh => {
                                in_range(act, v) && (v.signum() == z.signum()) && v.abs() <= z.abs()
                            }
                            Activation::Sigmoid => {
                                in_range(act, v) && (z < 0.0 || v >= 0.5) && (z > 0.0 || v <= 0.5)
                            }
                            Activation::Softplus => v >= floor && v - floor <= ln2 * (1.0 + 1e-15),
                        }
                },
            );
            sw.probe(
                "Activation::derivative",
                &input,
                || Ok(act.derivative(z)),
                |r| {
                    let d = *r.as_ref().unwrap_or(&f64::NAN);
                    if z.is_nan() {
                        return d.is_nan();
                    }
                    // 0 ≤ f' ≤ 1、σ' ≤ 1/4、閉じた形（あふれない範囲）と一致
                    let closed = match act {
                        Activation::Identity => 1.0,
                        Activation::Relu => f64::from(u8::from(z > 0.0)),
                        Activation::Tanh => 1.0 - z.tanh().powi(2),
                        Activation::Softplus => {
                            let e = (-z.abs()).exp();
                            if z >= 0.0 {
                                1.0 / (1.0 + e)
                            } else {
                                e / (1.0 + e)
                            }
                        }
                        Activation::Sigmoid => {
                            let e = (-z.abs()).exp();
                            e / (1.0 + e) / (1.0 + e)
                        }
                    };
                    (0.0..=1.0).contains(&d)
                        && (act != Activation::Sigmoid || d <= 0.25)
                        && (d - closed).abs() <= 4.0 * f64::EPSILON
                },
            );
        }
    }
    sw.finish(2, 6_320);
}

// ---------------------------------------------------------------- 2. 全結合層

/// 掃引に使う入力（幅 `width`）: ふつうの乱数、極端な値を 1 つずつ・全部に、0 行、幅違い、幅 0。
fn inputs(rng: &mut ChaCha8Rng, width: usize) -> Vec<Array2<f64>> {
    let mut out = vec![uniform(rng, (3, width), -2.0, 2.0)];
    for v in values() {
        let mut x = uniform(rng, (2, width), -1.0, 1.0);
        x[[1, width - 1]] = v;
        out.push(x);
        out.push(Array2::from_elem((1, width), v));
    }
    out.push(Array2::zeros((0, width)));
    out.push(Array2::zeros((2, width + 1)));
    out.push(Array2::zeros((2, 0)));
    out
}

#[test]
fn sweep_dense() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(8001);
    // 構築: 形（幅 0・長さ違い）× 値
    let shapes = [
        (0, 2, 2),
        (2, 0, 0),
        (0, 0, 0),
        (1, 1, 1),
        (3, 2, 2),
        (3, 2, 1),
        (3, 2, 3),
        (2, 3, 0),
    ];
    for &(n_in, n_out, nb) in &shapes {
        for v in values() {
            let w = Array2::from_elem((n_in, n_out), v);
            let b = Array1::from_elem(nb, 0.5);
            let want = if n_in == 0 || n_out == 0 {
                Some(INV)
            } else if nb != n_out {
                Some(MISMATCH)
            } else if !v.is_finite() {
                Some(NF)
            } else {
                None
            };
            for wv in [w.view(), w.t().t()] {
                sw.probe(
                    "Dense::new",
                    &(n_in, n_out, nb, v),
                    || Dense::new(wv, &b),
                    |r| expect(r, want, |d| d.weights() == w && d.bias() == b),
                );
            }
            // バイアスだけ極端
            if n_in > 0 && n_out > 0 && nb == n_out {
                let w1 = Array2::<f64>::ones((n_in, n_out));
                let bb = Array1::from_elem(nb, v);
                let want = (!v.is_finite()).then_some(NF);
                sw.probe(
                    "Dense::new",
                    &(n_in, n_out, "b", v),
                    || Dense::new(&w1, &bb),
                    |r| expect(r, want, |d| d.bias() == bb),
                );
            }
        }
    }
    for (n_in, n_out) in [
        (0, 1),
        (1, 0),
        (1, 1),
        (7, 3),
        (usize::MAX, 1),
        (1, usize::MAX),
        (usize::MAX, usize::MAX),
        (4096, 4096),
        (1 << 23, 2),
    ] {
        let p = (n_in as u128 + 1) * n_out as u128;
        let want = if n_in == 0 || n_out == 0 {
            Some(INV)
        } else if p > MAX_PARAMETERS as u128 {
            Some(BIG)
        } else {
            None
        };
        sw.probe(
            "Dense::zeros",
            &(n_in, n_out),
            || Dense::zeros(n_in, n_out),
            |r| {
                expect(r, want, |d| {
                    d.n_params() as u128 == p && d.weights().iter().all(|&w| w == 0.0)
                })
            },
        );
    }
    // 前向き・後ろ向き: 層の重み（ふつう・極端）× 入力 × ビュー × 出力側の勾配
    let mut layers = vec![];
    for &(n_in, n_out) in &[(1, 1), (3, 2), (2, 5)] {
        layers.push(
            Dense::new(
                &uniform(&mut rng, (n_in, n_out), -1.0, 1.0),
                &Array1::from_elem(n_out, 0.1),
            )
            .unwrap(),
        );
        for v in [1e300, -1e308, f64::MAX, 1e-320, 1e154] {
            layers.push(
                Dense::new(
                    &Array2::from_elem((n_in, n_out), v),
                    &Array1::from_elem(n_out, -v),
                )
                .unwrap(),
            );
        }
    }
    for layer in &layers {
        let (n_in, n_out) = (layer.n_inputs(), layer.n_outputs());
        let net =
            Mlp::from_layers(vec![layer.clone()], Activation::Tanh, Activation::Identity).unwrap();
        sw.probe(
            "Dense::n_inputs",
            &n_in,
            || Ok(layer.n_inputs()),
            |r| matches!(r, Ok(v) if *v == layer.weights().nrows()),
        );
        sw.probe(
            "Dense::n_outputs",
            &n_out,
            || Ok(layer.n_outputs()),
            |r| matches!(r, Ok(v) if *v == layer.bias().len()),
        );
        sw.probe(
            "Dense::n_params",
            &n_out,
            || Ok(layer.n_params()),
            |r| matches!(r, Ok(v) if *v == (n_in + 1) * n_out),
        );
        sw.probe(
            "Dense::weights",
            &n_out,
            || Ok(layer.weights().clone()),
            |r| matches!(r, Ok(w) if w.dim() == (n_in, n_out)),
        );
        sw.probe(
            "Dense::bias",
            &n_out,
            || Ok(layer.bias().clone()),
            |r| matches!(r, Ok(b) if b.len() == n_out),
        );
        for x in inputs(&mut rng, n_in) {
            let base = layer.forward(&x).ok();
            with_views(&x, |label, xv| {
                let want = batch_error(&xv, n_in);
                let (reference, scale, top) = if want.is_none() {
                    reference_forward(&net, &xv)
                } else {
                    (Array2::zeros((0, 0)), Array2::zeros((0, 0)), 0.0)
                };
                let input = (n_in, n_out, label, &xv);
                sw.probe(
                    "Dense::forward",
                    &input,
                    || layer.forward(xv),
                    |r| match (r, want) {
                        (Ok(y), None) => {
                            y.dim() == (xv.nrows(), n_out)
                                && all_near("出力", y, &reference, &scale)
                                && base.as_ref().is_some_and(|b| unreverse(label, y) == *b)
                        }
                        (Err(e), None) => kind(e) == OVER && top > 1e300,
                        (r, w) => expect(r, w, |_| true),
                    },
                );
                // 出力側の勾配: ふつう・極端な値を 1 つ・形違い
                let rows = xv.nrows();
                let mut grads = vec![uniform(&mut rng, (rows, n_out), -1.0, 1.0)];
                for v in [f64::NAN, f64::INFINITY, 1e308, 1e-320] {
                    let mut g = Array2::from_elem((rows, n_out), 0.5);
                    if rows > 0 {
                        g[[rows - 1, n_out - 1]] = v;
                    }
                    grads.push(g);
                }
                grads.push(Array2::zeros((rows + 1, n_out)));
                grads.push(Array2::zeros((rows, n_out + 1)));
                for g in grads {
                    // 検査の順: x の形、G の形、x の値、G の値
                    let gw = if matches!(want, Some(EMPTY | MISMATCH)) {
                        want
                    } else if g.nrows() != rows || g.ncols() != n_out {
                        Some(MISMATCH)
                    } else if want.is_some() || !all_finite(g.iter()) {
                        Some(NF)
                    } else {
                        None
                    };
                    let r = probe_backward(&mut sw, layer, &xv, &g, gw);
                    if let Ok((grad, _)) = &r {
                        sw.probe("DenseGradient::weights", &n_in, || Ok(grad.weights().clone()), |r| {
                            matches!(r, Ok(w) if w.dim() == (n_in, n_out) && all_finite(w.iter()))
                        });
                        sw.probe(
                            "DenseGradient::bias",
                            &n_out,
                            || Ok(grad.bias().clone()),
                            |r| matches!(r, Ok(b) if b.len() == n_out && all_finite(b.iter())),
                        );
                    }
                }
            });
        }
    }
    sw.finish(11, 37_569);
}

/// `Dense::backward` を 1 回呼び、ループで書いた定義と比べる。
fn probe_backward(
    sw: &mut Sweep,
    layer: &Dense,
    x: &ArrayView2<f64>,
    g: &Array2<f64>,
    want: Option<&str>,
) -> Result<(genmodel::nn::DenseGradient, Array2<f64>)> {
    let mut kept = Err(Error::EmptyInput);
    let net = Mlp::from_layers(
        vec![layer.clone()],
        Activation::Identity,
        Activation::Identity,
    )
    .unwrap();
    // 恒等の 1 層のネットワークの前向きの計算を、後ろ向きの正しい値の出発点にする（前活性の値は使わない）
    let reference = if want.is_none() {
        net.forward(x)
            .ok()
            .map(|fwd| reference_backward(&net, &fwd, &g.view()))
    } else {
        None
    };
    let input = (layer.n_inputs(), layer.n_outputs(), x, g);
    sw.probe(
        "Dense::backward",
        &input,
        || {
            let r = layer.backward(x, g);
            kept = r.clone();
            r
        },
        |r| match (r, want, &reference) {
            (Ok((grad, gx)), None, Some((flat, flat_s, gref, gs, _))) => {
                let mine: Vec<f64> = grad.weights().iter().chain(grad.bias()).copied().collect();
                all_near("∂L/∂θ", &mine, flat, flat_s) && all_near("∂L/∂x", gx, gref, gs)
            }
            // 前向きがあふれる入力でも、後ろ向きは有限になりうる（前活性を使わない）
            (Ok((grad, gx)), None, None) => {
                all_finite(grad.weights().iter().chain(grad.bias()).chain(gx.iter()))
            }
            (Err(e), None, reference) => {
                kind(e) == OVER && reference.as_ref().is_none_or(|r| r.4 > 1e300)
            }
            (r, w, _) => expect(r, w, |_| true),
        },
    );
    kept
}

// ---------------------------------------------------------------- 3. 多層パーセプトロン

/// 掃引に使うネットワーク: 形 4 通り × 活性化の組 25 通り（ふつうの重み）と、極端な重みのもの。
fn networks(rng: &mut ChaCha8Rng) -> Vec<Mlp> {
    let mut out = vec![];
    for sizes in [&[1usize, 1][..], &[3, 2], &[2, 4, 3], &[3, 5, 5, 1]] {
        for hidden in Activation::ALL {
            for output in Activation::ALL {
                let mut net = Mlp::new(sizes, hidden, output, rng).unwrap();
                let mut theta = net.params_flat();
                theta
                    .iter_mut()
                    .for_each(|t| *t += rng.random_range(-0.2..0.2));
                net.set_params_flat(&theta).unwrap();
                out.push(net);
            }
        }
    }
    for v in [1e150, -1e300, f64::MAX, 1e-320, 1e154] {
        for (hidden, output) in [
            (Activation::Relu, Activation::Identity),
            (Activation::Tanh, Activation::Softplus),
        ] {
            let mut net = Mlp::new(&[2, 3, 2], hidden, output, rng).unwrap();
            let theta = net.params_flat().mapv(|t| t.signum() * v);
            net.set_params_flat(&theta).unwrap();
            out.push(net);
        }
    }
    out
}

#[test]
fn sweep_mlp() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(8002);
    // 構築
    let sizes_list: [&[usize]; 12] = [
        &[],
        &[3],
        &[0, 1],
        &[1, 0],
        &[2, 0, 1],
        &[1, 1],
        &[4, 3, 2],
        &[usize::MAX, 1],
        &[1, usize::MAX],
        &[2, 1 << 12, 1 << 12],
        &[1, 1, 1, 1, 1, 1, 1, 1],
        &[1 << 24, 1],
    ];
    for sizes in sizes_list {
        for hidden in Activation::ALL {
            let want = if sizes.len() < 2 || sizes.contains(&0) {
                Some(INV)
            } else if sizes
                .windows(2)
                .map(|w| (w[0] as u128 + 1) * w[1] as u128)
                .sum::<u128>()
                > MAX_PARAMETERS as u128
            {
                Some(BIG)
            } else {
                None
            };
            sw.probe(
                "Mlp::new",
                &(sizes, hidden),
                || Mlp::new(sizes, hidden, Activation::Sigmoid, &mut rng),
                |r| {
                    expect(r, want, |n| {
                        n.sizes() == sizes && n.params_flat().iter().all(|t| t.abs() < 2.5)
                    })
                },
            );
        }
    }
    let lay = |a, b| Dense::zeros(a, b).unwrap();
    for (layers, want) in [
        (vec![], Some(EMPTY)),
        (vec![lay(2, 3), lay(4, 1)], Some(MISMATCH)),
        (vec![lay(2, 3), lay(3, 1), lay(2, 1)], Some(MISMATCH)),
        (vec![lay(2, 3)], None),
        (vec![lay(2, 3), lay(3, 3), lay(3, 1)], None),
        // 2048 · 4096 + 4097 · 2048 = 2^24 + 2048
        (vec![lay(2047, 4096), lay(4096, 2048)], Some(BIG)),
    ] {
        let sizes: Vec<(usize, usize)> = layers
            .iter()
            .map(|l| (l.n_inputs(), l.n_outputs()))
            .collect();
        sw.probe(
            "Mlp::from_layers",
            &sizes,
            || Mlp::from_layers(layers, Activation::Relu, Activation::Tanh),
            |r| expect(r, want, |n| n.layers().len() == sizes.len()),
        );
    }
    for net in networks(&mut rng) {
        let sizes = net.sizes();
        let (n0, nl) = (sizes[0], sizes[sizes.len() - 1]);
        let p: usize = sizes.windows(2).map(|w| (w[0] + 1) * w[1]).sum();
        let id = (&sizes, net.hidden_activation(), net.output_activation());
        sw.probe(
            "Mlp::sizes",
            &id,
            || Ok(net.sizes()),
            |r| matches!(r, Ok(s) if s.len() == net.layers().len() + 1),
        );
        sw.probe(
            "Mlp::n_inputs",
            &id,
            || Ok(net.n_inputs()),
            |r| matches!(r, Ok(v) if *v == n0),
        );
        sw.probe(
            "Mlp::n_outputs",
            &id,
            || Ok(net.n_outputs()),
            |r| matches!(r, Ok(v) if *v == nl),
        );
        sw.probe(
            "Mlp::n_params",
            &id,
            || Ok(net.n_params()),
            |r| matches!(r, Ok(v) if *v == p),
        );
        sw.probe(
            "Mlp::layers",
            &id,
            || Ok(net.layers().len()),
            |r| matches!(r, Ok(v) if *v + 1 == sizes.len()),
        );
        sw.probe(
            "Mlp::hidden_activation",
            &id,
            || Ok(net.hidden_activation()),
            |r| r.is_ok(),
        );
        sw.probe(
            "Mlp::output_activation",
            &id,
            || Ok(net.output_activation()),
            |r| r.is_ok(),
        );
        // パラメータの並びの往復と、不正な並び
        let theta = net.params_flat();
        sw.probe(
            "Mlp::params_flat",
            &id,
            || Ok(net.params_flat()),
            |r| matches!(r, Ok(t) if t.len() == p && all_finite(t.iter())),
        );
        for v in values() {
            let mut t = theta.clone();
            t[p / 2] = v;
            for cand in [t.clone(), Array1::zeros(p + 1), Array1::zeros(0)] {
                let want = if cand.len() != p {
                    Some(MISMATCH)
                } else if !v.is_finite() {
                    Some(NF)
                } else {
                    None
                };
                let work = RefCell::new(net.clone());
                // 逆順の逆順（負の歩幅のビュー）で渡す
                let rev = cand.slice(s![..;-1]).to_owned();
                sw.probe(
                    "Mlp::set_params_flat",
                    &(&id, v, cand.len()),
                    || work.borrow_mut().set_params_flat(rev.slice(s![..;-1])),
                    |r| {
                        let w = work.borrow();
                        expect(r, want, |_| w.params_flat() == cand) && (r.is_ok() || *w == net)
                    },
                );
                sw.probe(
                    "Gradients::from_flat",
                    &(&id, v, cand.len()),
                    || Gradients::from_flat(&net, &cand),
                    |r| expect(r, want, |g| g.flat() == cand && g.n_params() == p),
                );
            }
        }
        // 前向き・predict・誤差逆伝播
        for x in inputs(&mut rng, n0) {
            let base = net.predict(&x).ok();
            with_views(&x, |label, xv| {
                let want = batch_error(&xv, n0);
                let (reference, scale, top) = if want.is_none() {
                    reference_forward(&net, &xv)
                } else {
                    (Array2::zeros((0, 0)), Array2::zeros((0, 0)), 0.0)
                };
                let input = (&id, label, &xv);
                let forward_ok = |y: &Array2<f64>| {
                    y.dim() == (xv.nrows(), nl)
                        && y.iter().all(|v| in_range(net.output_activation(), *v))
                        && all_near("出力", y, &reference, &scale)
                        && base.as_ref().is_some_and(|b| unreverse(label, y) == *b)
                };
                let contract = |r: &Result<Array2<f64>>| match (r, want) {
                    (Ok(y), None) => forward_ok(y),
                    (Err(e), None) => kind(e) == OVER && top > 1e300,
                    (r, w) => expect(r, w, |_| true),
                };
                sw.probe("Mlp::predict", &input, || net.predict(xv), contract);
                let mut kept = None;
                sw.probe(
                    "Mlp::forward",
                    &input,
                    || {
                        let r = net.forward(xv);
                        kept = r.as_ref().ok().cloned();
                        r.map(|f| f.output().clone())
                    },
                    contract,
                );
                let Some(fwd) = kept else { return };
                let batch = xv.nrows();
                sw.probe(
                    "Forward::input",
                    &input,
                    || Ok(fwd.input().clone()),
                    |r| matches!(r, Ok(a) if a.view() == xv),
                );
                sw.probe("Forward::pre_activations", &input, || Ok(fwd.pre_activations().to_vec()), |r| {
                    matches!(r, Ok(z) if z.len() + 1 == sizes.len()
                        && z.iter().zip(&sizes[1..]).all(|(z, &n)| z.dim() == (batch, n) && all_finite(z.iter())))
                });
                sw.probe("Forward::activations", &input, || Ok(fwd.activations().to_vec()), |r| {
                    matches!(r, Ok(a) if a.iter().zip(fwd.pre_activations()).enumerate().all(|(l, (a, z))| {
                        let act = activation_of(&net, l);
                        a.iter().zip(z).all(|(a, z)| a.to_bits() == act.value(*z).to_bits())
                    }))
                });
                sw.probe(
                    "Forward::output",
                    &input,
                    || Ok(fwd.output().clone()),
                    |r| matches!(r, Ok(y) if Some(y) == fwd.activations().last()),
                );
                let mut grads = vec![uniform(&mut rng, (batch, nl), -1.0, 1.0)];
                for v in [f64::NAN, f64::NEG_INFINITY, 1e308, -1e154, 1e-320] {
                    let mut g = Array2::from_elem((batch, nl), 0.5);
                    g[[batch - 1, nl - 1]] = v;
                    grads.push(g);
                }
                grads.push(Array2::zeros((batch + 1, nl)));
                grads.push(Array2::zeros((batch, nl + 1)));
                for g in grads {
                    let want = if g.dim() != (batch, nl) {
                        Some(MISMATCH)
                    } else if !all_finite(g.iter()) {
                        Some(NF)
                    } else {
                        None
                    };
                    let reference = want
                        .is_none()
                        .then(|| reference_backward(&net, &fwd, &g.view()));
                    let gt = g.t().to_owned();
                    let mut kept = None;
                    sw.probe(
                        "Mlp::backward",
                        &(&input, &g),
                        || {
                            let r = net.backward(&fwd, gt.t());
                            kept = r.as_ref().ok().cloned();
                            r
                        },
                        |r| match (r, want, &reference) {
                            (Ok((grads, gx)), None, Some((flat, flat_s, gref, gs, _))) => {
                                all_near("∂L/∂θ", &grads.flat(), flat, flat_s)
                                    && gx.dim() == (batch, n0)
                                    && all_near("∂L/∂X", gx, gref, gs)
                            }
                            (Err(e), None, Some(reference)) => {
                                kind(e) == OVER && reference.4 > 1e300
                            }
                            (r, w, _) => expect(r, w, |_| true),
                        },
                    );
                    if let Some((grads, _)) = kept {
                        sw.probe(
                            "Gradients::layers",
                            &input,
                            || Ok(grads.layers().len()),
                            |r| matches!(r, Ok(n) if *n + 1 == sizes.len()),
                        );
                        sw.probe(
                            "Gradients::n_params",
                            &input,
                            || Ok(grads.n_params()),
                            |r| matches!(r, Ok(n) if *n == p),
                        );
                        sw.probe("Gradients::flat", &input, || Ok(grads.flat()), |r| {
                            matches!(r, Ok(f) if Gradients::from_flat(&net, f).as_ref() == Ok(&grads))
                        });
                    }
                }
                // 別の形のネットワークの Forward
                let other = Mlp::new(
                    &[n0, 7, nl],
                    Activation::Tanh,
                    Activation::Identity,
                    &mut rng,
                )
                .unwrap();
                let g = Array2::zeros((batch, nl));
                sw.probe(
                    "Mlp::backward",
                    &(&input, "別の形"),
                    || other.backward(&fwd, &g),
                    |r| expect(r, Some(MISMATCH), |_| true),
                );
            });
        }
    }
    sw.finish(22, 414_087);
}

// ---------------------------------------------------------------- 4. Adam

/// `t` 歩目の更新の上界 `√(Σ_i a_i² / b_i)`: `m̂_t = Σ_i a_i g_i`、`v̂_t = Σ_i b_i g_i²`
/// （`a_i = (1 − β₁) β₁^{t−i} / (1 − β₁^t)`、`b_i = (1 − β₂) β₂^{t−i} / (1 − β₂^t)`）なので、コーシー・シュワルツの
/// 不等式で `|m̂_t| ≤ √(Σ a_i² / b_i) √v̂_t`。`b_i = 0` で `a_i ≠ 0` なら上界はない（∞）。
fn step_bound(b1: f64, b2: f64, t: i32) -> f64 {
    let mut s = 0.0;
    for i in 1..=t {
        let a = (1.0 - b1) * b1.powi(t - i) / (1.0 - b1.powi(t));
        let b = (1.0 - b2) * b2.powi(t - i) / (1.0 - b2.powi(t));
        if a != 0.0 {
            s += a * a / b;
        }
    }
    s.sqrt()
}

#[test]
fn sweep_adam() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(8003);
    const BELOW_ONE: f64 = 0.999_999_999_999_999_9;
    let mut lrs = EXTREMES.to_vec();
    lrs.extend([1e-3, 0.5]);
    let mut betas = EXTREMES.to_vec();
    betas.extend([0.5, 0.9, BELOW_ONE]);
    let mut epss = EXTREMES.to_vec();
    epss.extend([1e-8, MIN_EPSILON, 1e-151]);
    for &lr in &lrs {
        for &b1 in &betas {
            for &b2 in &betas {
                for &eps in &epss {
                    let ok = lr > 0.0
                        && lr.is_finite()
                        && (0.0..1.0).contains(&b1)
                        && (0.0..1.0).contains(&b2)
                        && eps >= MIN_EPSILON
                        && eps.is_finite();
                    let want = (!ok).then_some(INV);
                    let input = (lr, b1, b2, eps);
                    let mut kept = None;
                    sw.probe(
                        "Adam::new",
                        &input,
                        || {
                            let r = Adam::new(lr, b1, b2, eps);
                            kept = r.clone().ok();
                            r
                        },
                        |r| expect(r, want, |a| a.steps() == 0),
                    );
                    let Some(adam) = kept else { continue };
                    sw.probe(
                        "Adam::learning_rate",
                        &input,
                        || Ok(adam.learning_rate()),
                        |r| matches!(r, Ok(v) if *v == lr),
                    );
                    sw.probe(
                        "Adam::beta1",
                        &input,
                        || Ok(adam.beta1()),
                        |r| matches!(r, Ok(v) if v.to_bits() == b1.to_bits()),
                    );
                    sw.probe(
                        "Adam::beta2",
                        &input,
                        || Ok(adam.beta2()),
                        |r| matches!(r, Ok(v) if v.to_bits() == b2.to_bits()),
                    );
                    sw.probe(
                        "Adam::epsilon",
                        &input,
                        || Ok(adam.epsilon()),
                        |r| matches!(r, Ok(v) if *v == eps),
                    );
                }
            }
        }
    }
    sw.probe("Adam::default", &(), || Ok(Adam::default()), |r| {
        matches!(r, Ok(a) if (a.learning_rate(), a.beta1(), a.beta2(), a.epsilon(), a.steps()) == (1e-3, 0.9, 0.999, 1e-8, 0))
    });
    // 学習率の変更: 誤りなら変えない
    for &lr in &lrs {
        let adam = RefCell::new(Adam::default());
        let ok = lr > 0.0 && lr.is_finite();
        sw.probe(
            "Adam::set_learning_rate",
            &lr,
            || adam.borrow_mut().set_learning_rate(lr),
            |r| {
                expect(r, (!ok).then_some(INV), |_| true)
                    && adam.borrow().learning_rate() == if ok { lr } else { 1e-3 }
            },
        );
    }
    // 歩: 設定 × 勾配の値 × 3 歩
    let configs = [
        (1e-3, 0.9, 0.999, 1e-8),
        (0.5, 0.0, 0.0, 1e-8),
        (0.1, 0.5, 0.0, MIN_EPSILON),
        (0.1, 0.0, BELOW_ONE, 1e-8),
        (0.1, BELOW_ONE, BELOW_ONE, 1e308),
        (1e308, 0.9, 0.999, 1e-8),
        (1e-320, 0.9, 0.999, MIN_EPSILON),
        (0.1, 0.9, 0.5, MIN_EPSILON),
    ];
    let mut gvals = values();
    gvals.retain(|v| v.is_finite());
    gvals.extend([1.3e154, 1.35e154]);
    for &(lr, b1, b2, eps) in &configs {
        for &gv in &gvals {
            for start in [0.0, 1e308, -f64::MAX] {
                let mut net =
                    Mlp::new(&[2, 2], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
                let n = net.n_params();
                let mut theta = net.params_flat();
                theta[0] = start;
                net.set_params_flat(&theta).unwrap();
                let adam = RefCell::new(Adam::new(lr, b1, b2, eps).unwrap());
                let net = RefCell::new(net);
                for t in 1..=3 {
                    let g = Array1::from_iter(
                        (0..n).map(|k| if k % 2 == 0 { gv } else { -gv / (t + 1) as f64 }),
                    );
                    let grads = Gradients::from_flat(&net.borrow(), &g).unwrap();
                    let (before, state) = (net.borrow().params_flat(), adam.borrow().clone());
                    let bound = step_bound(b1, b2, state.steps() as i32 + 1);
                    // g² があふれるか、動いた先が f64 の外に出うるときだけ Overflow を許す
                    let may_overflow = g.iter().any(|v| v.abs() > 1.34e154)
                        || before.iter().any(|th| th.abs() + lr * bound > 1e307);
                    sw.probe(
                        "Adam::step",
                        &(lr, b1, b2, eps, gv, start, t),
                        || adam.borrow_mut().step(&mut net.borrow_mut(), &grads),
                        |r| {
                            let (after, now) = (net.borrow().params_flat(), adam.borrow());
                            match r {
                                // 上界の丸め: 1 − β^t の丸めが相対 1e-16 / (1 − β) ほど入るので 1e-9 の余裕
                                Ok(()) => {
                                    now.steps() == state.steps() + 1
                                        && all_finite(after.iter())
                                        && after.iter().zip(&before).all(|(a, b)| {
                                            (a - b).abs()
                                                <= lr * bound * (1.0 + 1e-9)
                                                    + 2.0 * f64::EPSILON * b.abs()
                                        })
                                }
                                Err(e) => {
                                    kind(e) == OVER
                                        && may_overflow
                                        && after == before
                                        && *now == state
                                }
                            }
                        },
                    );
                }
                let mut adam = adam.into_inner();
                // 状態を捨てると作ったときに戻り、別の形のネットワークにも使える
                sw.probe(
                    "Adam::reset",
                    &(lr, gv),
                    || {
                        adam.reset();
                        Ok(adam.clone())
                    },
                    |r| matches!(r, Ok(a) if *a == Adam::new(lr, b1, b2, eps).unwrap()),
                );
                sw.probe(
                    "Adam::steps",
                    &(lr, gv),
                    || Ok(adam.steps()),
                    |r| matches!(r, Ok(0)),
                );
            }
        }
    }
    // 形の違う勾配・形の変わったネットワーク: DimensionMismatch で、何も変えない
    let mut net = Mlp::new(&[2, 3, 1], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
    let other = Mlp::new(&[2, 1], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
    let mut adam = Adam::default();
    let g_other = Gradients::from_flat(&other, &Array1::ones(other.n_params())).unwrap();
    let g_net = Gradients::from_flat(&net, &Array1::ones(net.n_params())).unwrap();
    sw.probe(
        "Adam::step",
        &"形違い",
        || adam.step(&mut net, &g_other),
        |r| expect(r, Some(MISMATCH), |_| true),
    );
    sw.probe(
        "Adam::step",
        &"1 歩目",
        || adam.step(&mut net, &g_net),
        |r| r.is_ok(),
    );
    let before = (other.clone(), adam.clone());
    let cell = RefCell::new((other, adam));
    sw.probe(
        "Adam::step",
        &"reset なしの別のネットワーク",
        || {
            let (o, a) = &mut *cell.borrow_mut();
            a.step(o, &g_other)
        },
        |r| expect(r, Some(MISMATCH), |_| true) && *cell.borrow() == before,
    );
    sw.finish(10, 70_719);
}

// ---------------------------------------------------------------- 5. 大きさの上限

#[test]
fn sweep_sizes() {
    let mut sw = Sweep::default();
    let timed = |f: &mut dyn FnMut() -> bool| {
        let t = Instant::now();
        let ok = f();
        ok && t.elapsed().as_secs_f64() < 1.0
    };
    // パラメータの数の上限のちょうど前後（ちょうどの層は 128 MiB を確保する）
    for (n_in, n_out) in [((1 << 23) - 1, 2), (1 << 23, 2), (4095, 4096), (4096, 4096)] {
        let p = (n_in + 1) * n_out;
        let want = (p > MAX_PARAMETERS).then_some(BIG);
        if want.is_none() && n_out > 2 {
            continue;
        }
        sw.probe(
            "Dense::zeros",
            &(n_in, n_out),
            || Dense::zeros(n_in, n_out),
            |r| expect(r, want, |d| d.n_params() == p),
        );
    }
    // 仕事の上限: 2048 × 2048 の層に、1 行を並べた 2^17 行のビュー（積和 2^39）
    let layer = Dense::zeros(2048, 2048).unwrap();
    let net =
        Mlp::from_layers(vec![layer.clone()], Activation::Tanh, Activation::Identity).unwrap();
    let row = Array2::from_elem((1, 2048), f64::NAN);
    for rows in [1usize << 16, (1 << 16) + 1, 1 << 17, 1 << 40] {
        let x = row.broadcast((rows, 2048)).unwrap();
        let work = rows as u128 * 2048 * 2048;
        // 持つ成分: Dense の前向きは B n_out、後ろ向きは B (n_in + n_out)、Mlp は B (n_0 + 2 n_1)
        let big = |per_row: u128| {
            work > MAX_WORK as u128 || rows as u128 * per_row > MAX_ACTIVATIONS as u128
        };
        let (big_d, big_b, big_m) = (big(2048), big(4096), big(3 * 2048));
        // 上限の内側なら、大きさの次に NaN の入力を断る（計算はしない）
        let want = |big: bool| Some(if big { BIG } else { NF });
        sw.probe(
            "Dense::forward",
            &rows,
            || {
                Ok(timed(&mut || {
                    expect(&layer.forward(x), want(big_d), |_| true)
                }))
            },
            |r| matches!(r, Ok(true)),
        );
        let g = Array2::from_elem((1, 2048), 0.0);
        let gb = g.broadcast((rows, 2048)).unwrap();
        sw.probe(
            "Dense::backward",
            &rows,
            || {
                Ok(timed(&mut || {
                    expect(&layer.backward(x, gb), want(big_b), |_| true)
                }))
            },
            |r| matches!(r, Ok(true)),
        );
        sw.probe(
            "Mlp::forward",
            &rows,
            || {
                Ok(timed(&mut || {
                    expect(&net.forward(x), want(big_m), |_| true)
                }))
            },
            |r| matches!(r, Ok(true)),
        );
        sw.probe(
            "Mlp::predict",
            &rows,
            || {
                Ok(timed(&mut || {
                    expect(&net.predict(x), want(big_m), |_| true)
                }))
            },
            |r| matches!(r, Ok(true)),
        );
    }
    // 成分の数の上限: 幅 1 → 1 の層に、1 行を並べた B 行（B (1 + 2) > 2^28 なら断る）
    let tiny = Mlp::from_layers(
        vec![Dense::zeros(1, 1).unwrap()],
        Activation::Relu,
        Activation::Relu,
    )
    .unwrap();
    let one = Array2::from_elem((1, 1), f64::INFINITY);
    for rows in [MAX_ACTIVATIONS / 3, MAX_ACTIVATIONS / 3 + 1, 1 << 62] {
        let x = one.broadcast((rows, 1)).unwrap();
        let big = rows as u128 * 3 > MAX_ACTIVATIONS as u128;
        sw.probe(
            "Mlp::forward",
            &rows,
            || {
                Ok(timed(&mut || {
                    expect(&tiny.forward(x), Some(if big { BIG } else { NF }), |_| true)
                }))
            },
            |r| matches!(r, Ok(true)),
        );
    }
    // 巨大な幅のネットワーク
    for sizes in [
        [usize::MAX, usize::MAX],
        [1 << 32, 1 << 32],
        [MAX_PARAMETERS, 1],
    ] {
        let mut rng = ChaCha8Rng::seed_from_u64(8004);
        sw.probe(
            "Mlp::new",
            &sizes,
            || Mlp::new(&sizes, Activation::Tanh, Activation::Tanh, &mut rng),
            |r| expect(r, Some(BIG), |_| true),
        );
    }
    sw.finish(6, 25);
}

/// `Adam::step_flat`: 平坦なパラメータと勾配に極端な値を入れる。`Ok` なら新しいパラメータは有限で、最初の歩の
/// 動きは各成分で `α` 以下（`|m̂/(√v̂ + ε)| = |g|/(|g| + ε) ≤ 1`）。`Err` ならパラメータも状態も変えない。
#[test]
fn sweep_adam_flat() {
    let mut sw = Sweep::default();
    let mut values = EXTREMES.to_vec();
    values.extend([1e-3, -2.5, 1e154, 1e155]);
    for &theta0 in &values {
        for &g in &values {
            for len in [0usize, 1, 3] {
                let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8).unwrap();
                let start = Array1::from_elem(len, theta0);
                let grads = Array1::from_elem(len, g);
                let mut theta = start.clone();
                let before = adam.clone();
                let input = (theta0, g, len);
                sw.probe(
                    "Adam::step_flat",
                    &input,
                    || adam.step_flat(&mut theta, &grads),
                    |r| match r {
                        Ok(()) => true,
                        Err(Error::NonFinite { .. }) => !g.is_finite(),
                        Err(Error::Overflow { .. }) => {
                            !theta0.is_finite() || g.abs() > 1e150 || theta0.abs() > 1e300
                        }
                        Err(_) => false,
                    },
                );
                if adam.steps() == 1 {
                    // 成功: 有限で、各成分の動きは α 以下（大きい θ では丸めの分を許す）
                    assert!(
                        theta.iter().zip(&start).all(|(a, b)| a.is_finite()
                            && ((a - b).abs() <= 0.1 * (1.0 + 1e-12) || b.abs() > 1e15)),
                        "step_flat{input:?} = {theta}"
                    );
                }
                if adam.steps() == 0 {
                    assert_eq!(adam, before, "失敗した step_flat{input:?} が状態を変えた");
                    assert!(
                        theta
                            .iter()
                            .zip(&start)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "失敗した step_flat{input:?} がパラメータを変えた"
                    );
                }
            }
        }
    }
    // 長さの違う勾配、2 歩目で長さが変わる、Mlp の状態を持つ Adam に平坦な歩
    let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8).unwrap();
    let mut theta = Array1::from(vec![1.0, 2.0]);
    sw.probe(
        "Adam::step_flat",
        &"長さ違い",
        || adam.step_flat(&mut theta, &Array1::from(vec![1.0])),
        |r| matches!(r, Err(Error::DimensionMismatch { .. })),
    );
    adam.step_flat(&mut theta, &Array1::from(vec![1.0, 1.0]))
        .unwrap();
    let mut longer = Array1::from(vec![1.0, 2.0, 3.0]);
    sw.probe(
        "Adam::step_flat",
        &"2 歩目で長さが変わる",
        || adam.step_flat(&mut longer, &Array1::from(vec![1.0, 1.0, 1.0])),
        |r| matches!(r, Err(Error::DimensionMismatch { .. })),
    );
    sw.finish(1, 17 * 17 * 3 + 2);
}
