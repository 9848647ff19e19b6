//! 敵対的な入力の掃引: 多層パーセプトロンの VAE（第 8 章、`vae::{model, evaluate, train}`）。
//!
//! 公開関数のそれぞれに、極端な値（`EXTREMES` の ±0、`±1e-320`、`f64::MIN_POSITIVE`、±1、`±1e308`、`f64::MAX`、
//! NaN、±∞ に、`exp` の境 `±700`・`±745`、`√f64::MAX` の前後 `1e154`・`−1e155`、`5e-324`、`1.5` を足したもの）を
//! データ・雑音・潜在変数 `z`・パラメータ（1 つずつ）・`ln σ₀²`・学習率に入れ、空（0 行）・幅違いの配列、連続でない
//! ビュー（転置・1 列おき・逆順の行）、ミニバッチの行の数 `B = 1, 2, 63, 64, 65`（64 は 2 つのスレッドに分ける
//! 境 `SPLIT_ROWS`）、`D = 1`・`d = 1` のモデル、次元 0・奇数の幅のエンコーダ・幅の合わない部品、標本の数
//! `0, 1, 2, 17`・仕事の上限のすぐ上・`usize::MAX`、ミニバッチの大きさ・回数 0 と仕事の上限を超える回数を与え、
//! 契約を確かめる: パニックしない、返る（止まらない）。`Ok` なら値は有限で、安く確かめられる性質を満たす:
//! - `encode` の `μ`・`ln σ²` は `B × d`、`decode` は `B × D` で、ベルヌーイ分布なら `[0, 1]`
//! - `elbo_gradient` の ELBO は有限（ベルヌーイ分布なら `≤ 0`）、勾配の 1 列 `VaeGradient::flat` は `params_flat` と
//!   同じ長さで有限
//! - `elbo`・`log_likelihood` の平均と標準誤差は有限で、標準誤差は `≥ 0`
//! - `train_step` の後のパラメータは有限で、Adam の歩の数が 1 増える
//! - 同じ入力（と同じシード）の 2 回の呼び出しは 1 ビットも違わない（`B ≥ 64` の分けた計算も）。連続でない
//!   ビューは連続な複製と `Ok`・`Err` の種類が同じ
//!
//! そうでなければ文書（`# Errors`）に書いた型つきの `Err` で、種類まで予言どおり: 空 → `EmptyInput`、幅違い →
//! `DimensionMismatch`、データ・雑音・パラメータの NaN・±∞ → `NonFinite`、ベルヌーイ分布のデータが `[0, 1]` の外・
//! 次元 0・奇数の幅・標本の数 `< 2`・ミニバッチの大きさや回数 0 → `InvalidParameter`、仕事が多すぎる → `TooLarge`
//! （1 秒以内に返る）、入力が有限なのに途中があふれる → `Overflow`。`Err` を返した `set_params_flat`・
//! `train_step` はモデルも Adam の状態も変えず、`fit` の失敗は `TrainingStopped { step, cause }` で、モデルと Adam は
//! その前の歩の後の状態（同じシードで `train_step` を手で並べて再現した状態）と 1 ビットも違わない（Adam は
//! `PartialEq` がないので、設定・歩の数と、複製を決まった勾配で続けて 2 歩進めた結果で比べる）。
//!
//! 掃引の大きさ（各テストの最後の `finish` で数を確かめる）: **公開関数 20 個 × 入力 = 呼び出し 66 665 回**。
//! - `sweep_construction`: 11 関数（`Vae::new`・`from_parts`・`from_linear`・6 つの読み出し・`params_flat`・`set_params_flat` の往復）、2 769 回
//! - `sweep_params`: 2 関数（`params_flat`・`set_params_flat`）、9 046 回
//! - `sweep_forward`: 4 関数（`encode`・`decode`・`elbo_gradient`・`VaeGradient::flat`）、24 439 回
//! - `sweep_evaluate`: 3 関数（`elbo`・`log_likelihood`・`standard_normal`）、17 016 回
//! - `sweep_train`: 2 関数（`train_step`・`fit`）、13 395 回
//!
//! 節 0 のテストは、掃引で見つけて**直した**ライブラリの不具合の最小の入力（戻ってこないための回帰テスト）である。
//! 掃引の中の「不具合 N」の印は、その不具合の振る舞いを見つけた場所で、今は許さない（現れたら失敗する）:
//! 1. 再パラメータ化 `z = μ + σ ⊙ ε` のあふれ（`ε = 1e308`、`σ ≥ 2` など。入力は有限）を確かめずにデコーダに渡すので、
//!    `elbo_gradient`・`elbo`・`log_likelihood` が `Overflow` でなく `NonFinite` を返す
//! 2. `elbo_gradient` の `∂/∂ln σ² = ½ σ ε ∂/∂z` のあふれを確かめずにエンコーダの誤差逆伝播に渡すので、
//!    `NonFinite` を返す（入力は有限、文書は `Overflow`）
//! 3. `log_likelihood` は点ごとの推定の和 `Σ_b` の有限性を確かめないので、和があふれると `Ok` の中に平均 `−∞` を返す
//! 4. `elbo` の標準誤差は `Σ (w − w̄)²` を尺度をそろえずに求めるので、`Ok` の中に標準誤差 `+∞` を返す
//! 5. `train_step` は雑音 `B × d` を、ミニバッチの形（空・幅）と大きさを確かめる前に確保するので、行の多い
//!    ビュー（1 行を `2^62` 行に並べたもの）でパニックする（`TooLarge` でなく）。`elbo_gradient` も同じビューと
//!    雑音の NaN の検査を仕事の上限より先に全部走査するので、1 秒のうちに返らない（読むかぎり `encode`・`elbo`・
//!    `log_likelihood` のデータの検査も同じ。走査するスレッドが CPU を使い続けるので、掃引には入れず節 0 だけで確かめる）
//! 6. `B ≥ SPLIT_ROWS` で前半と後半の勾配を足した後の有限性を確かめないので、半分ずつは有限で和があふれると
//!    `elbo_gradient` が `Ok` の中に `±∞` の勾配を返す（同じ入力で `B = 63` なら `Overflow`）

mod hostile_support;

use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array1, Array2, ArrayView2};
use genmodel::nn::{Activation, Adam, Dense, Mlp};
use genmodel::vae::evaluate::standard_normal;
use genmodel::vae::model::SPLIT_ROWS;
use genmodel::vae::{Likelihood, LinearVae, Training, Vae, VaeGradient};
use genmodel::{Error, Result};
use hostile_support::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- 共通の道具

const CALLS_CONSTRUCTION: usize = 2_769;
const CALLS_PARAMS: usize = 9_046;
const CALLS_FORWARD: usize = 24_439;
const CALLS_EVALUATE: usize = 17_016;
const CALLS_TRAIN: usize = 13_395;

/// 極端な値に足す値: `exp` の境、`√f64::MAX` の前後、最小の非正規化数、ベルヌーイ分布の外の `1.5`。
const MORE: [f64; 10] = [
    700.0, -700.0, 745.0, -745.0, 1e154, -1e155, 5e-324, 1.5, 0.5, -2.0,
];

fn values() -> Vec<f64> {
    EXTREMES.iter().chain(&MORE).copied().collect()
}

fn finite_values() -> Vec<f64> {
    values().into_iter().filter(|v| v.is_finite()).collect()
}

fn all_finite<'a>(it: impl IntoIterator<Item = &'a f64>) -> bool {
    it.into_iter().all(|v| v.is_finite())
}

fn bits(a: impl IntoIterator<Item = f64>) -> Vec<u64> {
    a.into_iter().map(f64::to_bits).collect()
}

/// 許した不具合の回数（不具合の番号と誤りの文ごと。テストの終わりに書き出す）。
#[derive(Default)]
struct Known(RefCell<BTreeMap<(usize, String), usize>>);

impl Known {
    /// 直した不具合 `n` の振る舞いが現れたことを数え、許さない（`false` を返し、その呼び出しは失敗する）。
    fn allow(&self, n: usize) -> bool {
        self.note(n, String::new())
    }
    fn note(&self, n: usize, what: String) -> bool {
        *self.0.borrow_mut().entry((n, what)).or_default() += 1;
        false
    }
    fn report(&self, name: &str) {
        eprintln!("{name}: 現れた直した不具合 {:?}", self.0.borrow());
    }
}

/// `want` が `None` なら `Ok` で `ok` を満たすか `Overflow`、`Some(k)` なら種類 `k` の誤り。
/// それ以外は `bug` が許すか（不具合の印）を問う。
fn verdict<T>(
    r: &Result<T>,
    want: Option<&str>,
    ok: impl FnOnce(&T) -> bool,
    bug: impl FnOnce(&Result<T>) -> bool,
) -> bool {
    let fine = match (r, want) {
        (Ok(v), None) => ok(v),
        (Err(e), None) => kind(e) == OVER,
        (Err(e), Some(w)) => kind(e) == w,
        (Ok(_), Some(_)) => false,
    };
    fine || bug(r)
}

fn same_kind<T, U>(a: &Result<T>, b: &Result<U>) -> bool {
    match (a, b) {
        (Ok(_), Ok(_)) => true,
        (Err(x), Err(y)) => kind(x) == kind(y),
        _ => false,
    }
}

fn gaussian_array(rng: &mut ChaCha8Rng, dim: (usize, usize)) -> Array2<f64> {
    Array2::from_shape_simple_fn(dim, || standard_normal(rng))
}

fn bernoulli_array(rng: &mut ChaCha8Rng, dim: (usize, usize)) -> Array2<f64> {
    Array2::from_shape_simple_fn(dim, || if rng.random::<bool>() { 1.0 } else { 0.0 })
}

fn data_for(vae: &Vae, rng: &mut ChaCha8Rng, rows: usize) -> Array2<f64> {
    match vae.likelihood() {
        Likelihood::Bernoulli => bernoulli_array(rng, (rows, vae.data_dim())),
        Likelihood::Gaussian => gaussian_array(rng, (rows, vae.data_dim())),
    }
}

/// 掃引のモデル: `(D, d, 隠れ層, 活性化, 分布)`。`D = 1`・`d = 1` を含む。
fn models() -> Vec<Vae> {
    let specs: [(usize, usize, &[usize], Activation, Likelihood); 5] = [
        (3, 2, &[4], Activation::Tanh, Likelihood::Bernoulli),
        (3, 2, &[4], Activation::Relu, Likelihood::Gaussian),
        (1, 1, &[], Activation::Tanh, Likelihood::Gaussian),
        (1, 1, &[2], Activation::Sigmoid, Likelihood::Bernoulli),
        (2, 1, &[3, 2], Activation::Softplus, Likelihood::Gaussian),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, &(dd, ld, h, a, l))| {
            Vae::new(dd, ld, h, a, l, &mut seeded_rng(i as u64)).expect("掃引のモデル")
        })
        .collect()
}

/// 1 層の恒等写像の VAE: エンコーダ `D → 2d`（重み `enc_w`、バイアス `enc_b`）、デコーダ `d → D`。
fn linear(
    enc_w: Array2<f64>,
    enc_b: Array1<f64>,
    dec_w: Array2<f64>,
    dec_b: Array1<f64>,
    likelihood: Likelihood,
    log_noise: f64,
) -> Vae {
    let id = Activation::Identity;
    let enc = Mlp::from_layers(vec![Dense::new(&enc_w, &enc_b).unwrap()], id, id).unwrap();
    let dec = Mlp::from_layers(vec![Dense::new(&dec_w, &dec_b).unwrap()], id, id).unwrap();
    Vae::from_parts(enc, dec, likelihood, log_noise).unwrap()
}

/// データの誤りの予言（`check_data` の順: 空 → 幅 → 非有限 → ベルヌーイ分布の範囲）。
fn data_error(vae: &Vae, x: &ArrayView2<f64>) -> Option<&'static str> {
    if x.nrows() == 0 {
        Some(EMPTY)
    } else if x.ncols() != vae.data_dim() {
        Some(MISMATCH)
    } else if !all_finite(x.iter()) {
        Some(NF)
    } else if vae.likelihood() == Likelihood::Bernoulli
        && x.iter().any(|v| !(0.0..=1.0).contains(v))
    {
        Some(INV)
    } else {
        None
    }
}

/// 潜在変数・雑音の形と値の誤りの予言（行の数 `rows` は `Some` なら合わせる）。
fn latent_error(vae: &Vae, z: &ArrayView2<f64>, rows: Option<usize>) -> Option<&'static str> {
    if rows.is_none() && z.nrows() == 0 {
        Some(EMPTY)
    } else if rows.is_some_and(|r| r != z.nrows()) || z.ncols() != vae.latent_dim() {
        Some(MISMATCH)
    } else if !all_finite(z.iter()) {
        Some(NF)
    } else {
        None
    }
}

fn adam() -> Adam {
    Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap()
}

/// Adam の観測できる状態の指紋: 4 つの設定と歩の数、複製に決まった勾配で 2 歩進めた結果（モーメントと
/// `β^t` が違えば変わる）。`PartialEq` がなく、`Debug` は途中の作業用の配列まで書くので、振る舞いで比べる。
fn state(a: &Adam, n: usize) -> (Vec<u64>, u64, Vec<Option<Vec<u64>>>) {
    let mut c = a.clone();
    let mut theta = Array1::from_shape_fn(n, |i| 0.25 * i as f64);
    let g = Array1::from_shape_fn(n, |i| if i % 2 == 0 { 0.5 } else { -1.5 } * (i + 1) as f64);
    let after = (0..2)
        .map(|_| {
            c.step_flat(&mut theta, &g)
                .ok()
                .map(|()| bits(theta.iter().copied()))
        })
        .collect();
    (
        bits([a.learning_rate(), a.beta1(), a.beta2(), a.epsilon()]),
        a.steps(),
        after,
    )
}

// ---------------------------------------------------------------- 節 0: 未修正の不具合

/// 不具合 1: `ε = 1e308`（有限）と `σ = e` で `z = μ + σ ε` があふれ、デコーダが `NonFinite` を返す。
#[test]
fn reparameterisation_overflow_is_overflow() {
    let vae = linear(
        Array2::zeros((1, 2)),
        Array1::from(vec![0.0, 2.0]),
        Array2::ones((1, 1)),
        Array1::zeros(1),
        Likelihood::Gaussian,
        0.0,
    );
    let x = Array2::zeros((1, 1));
    let r = vae.elbo_gradient(&x, &Array2::from_elem((1, 1), 1e308));
    assert!(is_overflow(&r), "{r:?}");
    // ln σ² = 1500: σ = exp(750) が評価の中であふれる
    let vae = linear(
        Array2::zeros((1, 2)),
        Array1::from(vec![0.0, 1500.0]),
        Array2::ones((1, 1)),
        Array1::zeros(1),
        Likelihood::Gaussian,
        0.0,
    );
    let r = vae.elbo(&x, 2, &mut seeded_rng(0));
    assert!(is_overflow(&r), "{r:?}");
    let r = vae.log_likelihood(&x, 2, &mut seeded_rng(0));
    assert!(is_overflow(&r), "{r:?}");
}

/// 不具合 2 の VAE: `σ = 1e150`、デコーダの重み `1e158` とバイアス `−1e308`（`y = W z + b` は打ち消し合って小さい）、
/// `D = 8`。`x = 0.5` で `∂/∂z = Σ_i W_i (x_i − σ(y_i)) ≈ ±4e158`、`½ σ ε ∂/∂z ≈ ±2e308` があふれる。
fn bug2() -> Vae {
    linear(
        Array2::zeros((8, 2)),
        Array1::from(vec![0.0, 2.0 * 1e150f64.ln()]),
        Array2::from_elem((1, 8), 1e158),
        Array1::from_elem(8, -1e308),
        Likelihood::Bernoulli,
        0.0,
    )
}

/// 不具合 2: `∂/∂ln σ² = ½ σ ε ∂/∂z` が `D` 個の出力の和であふれる（入力はどれも有限）。
#[test]
fn log_variance_gradient_overflow_is_overflow() {
    let r = bug2().elbo_gradient(&Array2::from_elem((1, 8), 0.5), &Array2::ones((1, 1)));
    assert!(is_overflow(&r), "{r:?}");
}

/// 不具合 3: 点ごとの推定 `≈ −8.45e307` の 3 点の和があふれ、`log_likelihood` が `Ok(−∞)` を返す。
#[test]
fn log_likelihood_mean_is_finite() {
    let vae = linear(
        Array2::zeros((1, 2)),
        Array1::zeros(2),
        Array2::zeros((1, 1)),
        Array1::zeros(1),
        Likelihood::Gaussian,
        0.0,
    );
    let x = Array2::from_elem((3, 1), 1.3e154);
    let r = vae.log_likelihood(&x, 2, &mut seeded_rng(0));
    assert!(
        matches!(&r, Ok(e) if e.mean.is_finite() && e.standard_error.is_finite())
            || is_overflow(&r),
        "{r:?}"
    );
}

/// 不具合 4: `ln σ₀² = −700`（`1/σ₀² ≈ 1e304`）で再構成の対数尤度が標本ごとに `1e304` の桁で揺れ、
/// `elbo` の標準誤差が `+∞` になる。
#[test]
fn elbo_standard_error_is_finite() {
    let vae = linear(
        Array2::zeros((1, 2)),
        Array1::zeros(2),
        Array2::ones((1, 1)),
        Array1::zeros(1),
        Likelihood::Gaussian,
        -700.0,
    );
    let x = Array2::zeros((1, 1));
    let r = vae.elbo(&x, 17, &mut seeded_rng(0));
    assert!(
        matches!(&r, Ok(e) if e.mean.is_finite() && e.standard_error.is_finite())
            || is_overflow(&r),
        "{r:?}"
    );
}

/// 不具合 5: 1 行を `2^62` 行に並べたビュー（確保しない）で、`train_step` は雑音を先に確保してパニックし、
/// `elbo_gradient` は NaN の検査で全部を走査して返らない。どちらも `TooLarge` であるべき。
#[test]
fn huge_batches_are_refused() {
    let vae = Vae::new(
        1,
        1,
        &[],
        Activation::Tanh,
        Likelihood::Gaussian,
        &mut seeded_rng(0),
    )
    .unwrap();
    let r = bounded(1, move || {
        let one = Array2::<f64>::zeros((1, 1));
        let x = one.broadcast((1usize << 62, 1)).unwrap();
        vae.elbo_gradient(x, x).map(|(e, _)| e)
    });
    let mut vae = Vae::new(
        1,
        1,
        &[],
        Activation::Tanh,
        Likelihood::Gaussian,
        &mut seeded_rng(0),
    )
    .unwrap();
    let r2 = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let one = Array2::<f64>::zeros((1, 1));
        let x = one.broadcast((1usize << 62, 1)).unwrap();
        vae.train_step(&mut adam(), x, &mut seeded_rng(0))
    }));
    // 両方を求めてから確かめる（片方の失敗でもう片方を隠さない）
    assert!(
        r.as_ref().is_err_and(|e| kind(e) == BIG) && matches!(&r2, Ok(Err(e)) if kind(e) == BIG),
        "elbo_gradient: {r:?}、train_step: {:?}（Err(_) はパニック）",
        r2.as_ref().map(|r| r.as_ref().map_err(kind))
    );
}

/// 不具合 6 の VAE と入力: `μ = 0`、`σ = 1`、`ε = 2e155`（KL に入らない）で `z = 2e155`、デコーダ `y = z − 2e155 − 1e153`
/// で `x − y = 1e153`（再構成の対数尤度 `−5e305` は有限）。デコーダの重みの勾配は `Σ_b z_b (x_b − y_b)/B`
/// `= 2e308` で、半分ずつなら `1e308`。
fn bug6(rows: usize) -> (Vae, Array2<f64>, Array2<f64>) {
    let vae = linear(
        Array2::zeros((1, 2)),
        Array1::zeros(2),
        Array2::ones((1, 1)),
        Array1::from_elem(1, -(2e155 + 1e153)),
        Likelihood::Gaussian,
        0.0,
    );
    (
        vae,
        Array2::zeros((rows, 1)),
        Array2::from_elem((rows, 1), 2e155),
    )
}

/// 不具合 6: 分けた計算の勾配の和のあふれ（`B = 64` で `Ok(+∞)`、`B = 63` では `Overflow`）。
#[test]
fn split_gradient_sum_is_checked() {
    for rows in [SPLIT_ROWS - 1, SPLIT_ROWS] {
        let (vae, x, eps) = bug6(rows);
        let r = vae.elbo_gradient(&x, &eps);
        let flat = r.as_ref().ok().map(|(_, g)| g.flat(Likelihood::Gaussian));
        assert!(
            is_overflow(&r) || flat.as_ref().is_some_and(|f| all_finite(f.iter())),
            "B = {rows}: {:?}",
            r.map(|(e, _)| (e, flat))
        );
    }
}

// ---------------------------------------------------------------- 構築と読み出し

#[test]
fn sweep_construction() {
    let mut sw = Sweep::default();
    let acts = [Activation::Tanh, Activation::Relu, Activation::Identity];
    let liks = [Likelihood::Bernoulli, Likelihood::Gaussian];
    let dims = [0usize, 1, 3];
    let hiddens: [&[usize]; 5] = [&[], &[0], &[4], &[2, 0], &[1 << 13, 1 << 13]];
    for &dd in &dims {
        for &ld in &dims {
            for h in hiddens {
                for &a in &acts {
                    for &l in &liks {
                        let input = (dd, ld, h, a, l);
                        let want = if dd == 0 || ld == 0 || h.contains(&0) {
                            Some(INV)
                        } else if h.len() == 2 && h[0] == 1 << 13 {
                            Some(BIG)
                        } else {
                            None
                        };
                        let r = Vae::new(dd, ld, h, a, l, &mut seeded_rng(5));
                        let r2 = Vae::new(dd, ld, h, a, l, &mut seeded_rng(5));
                        sw.probe(
                            "Vae::new",
                            &input,
                            || r.clone(),
                            |r| {
                                expect(r, want, |v| {
                                    v.data_dim() == dd
                                        && v.latent_dim() == ld
                                        && v.likelihood() == l
                                        && v.log_noise() == 0.0
                                        && v.encoder().n_outputs() == 2 * ld
                                        && v.decoder().n_outputs() == dd
                                        && all_finite(v.params_flat().iter())
                                        && Some(v) == r2.as_ref().ok()
                                })
                            },
                        );
                        if let Ok(v) = &r {
                            read_all(&mut sw, v);
                        }
                    }
                }
            }
        }
    }
    // 潜在変数の次元の 2 倍があふれる・巨大（確保しない、1 秒のうちに返る）
    for ld in [usize::MAX, usize::MAX / 2 + 1, usize::MAX / 2, 1 << 40] {
        let r = bounded(1, move || {
            Vae::new(
                2,
                ld,
                &[],
                Activation::Tanh,
                Likelihood::Gaussian,
                &mut seeded_rng(0),
            )
        });
        sw.probe(
            "Vae::new(巨大)",
            &ld,
            || r,
            |r| expect(r, Some(BIG), |_| false),
        );
    }
    // from_parts: 奇数の幅、幅違い、ln σ₀² の極端な値
    let id = Activation::Identity;
    let net =
        |i: usize, o: usize| Mlp::from_layers(vec![Dense::zeros(i, o).unwrap()], id, id).unwrap();
    for (ei, eo, di, dout) in [
        (2, 2, 1, 2),
        (2, 3, 1, 2),
        (2, 1, 1, 2),
        (2, 4, 1, 2),
        (2, 2, 1, 3),
        (3, 2, 1, 2),
        (1, 2, 1, 1),
        (2, 2, 2, 2),
    ] {
        for ln in values() {
            for &l in &liks {
                let want = if eo % 2 != 0 {
                    Some(INV)
                } else if eo / 2 != di || ei != dout {
                    Some(MISMATCH)
                } else if !ln.is_finite() {
                    Some(NF)
                } else {
                    None
                };
                let r = Vae::from_parts(net(ei, eo), net(di, dout), l, ln);
                sw.probe(
                    "Vae::from_parts",
                    &(ei, eo, di, dout, ln, l),
                    || r.clone(),
                    |r| {
                        expect(r, want, |v| {
                            v.log_noise().to_bits() == ln.to_bits()
                                && v.likelihood() == l
                                && v.data_dim() == ei
                                && v.latent_dim() == di
                        })
                    },
                );
                if let Ok(v) = &r {
                    read_all(&mut sw, v);
                }
            }
        }
    }
    // from_linear: 正しい形の極端な値（フィールドを直接書き換える）と、形の違い
    let base = LinearVae::new(
        Array2::from_elem((2, 1), 0.5),
        Array1::zeros(2),
        0.0,
        Array2::from_elem((1, 2), 0.25),
        Array1::zeros(1),
        Array1::zeros(1),
    )
    .unwrap();
    type Edit = fn(&mut LinearVae, f64);
    let edits: [(&str, Edit); 6] = [
        ("w", |m, v| m.w[[1, 0]] = v),
        ("b", |m, v| m.b[0] = v),
        ("ln σ²", |m, v| m.log_sigma2 = v),
        ("v", |m, v| m.v[[0, 1]] = v),
        ("c", |m, v| m.c[0] = v),
        ("ln s²", |m, v| m.log_s2[0] = v),
    ];
    for (name, edit) in edits {
        for v in values() {
            let mut m = base.clone();
            edit(&mut m, v);
            let want = if v.is_finite() { None } else { Some(NF) };
            let r = Vae::from_linear(&m);
            sw.probe(
                "Vae::from_linear",
                &(name, v),
                || r.clone(),
                |r| {
                    expect(r, want, |vae| {
                        vae.likelihood() == Likelihood::Gaussian
                            && vae.log_noise().to_bits() == m.log_sigma2.to_bits()
                            && vae.data_dim() == 2
                            && vae.latent_dim() == 1
                    })
                },
            );
            if let Ok(vae) = &r {
                read_all(&mut sw, vae);
            }
        }
    }
    type Shape = fn(&mut LinearVae);
    let shapes: [(&str, Shape); 5] = [
        ("b が長い", |m| m.b = Array1::zeros(3)),
        ("c が長い", |m| m.c = Array1::zeros(2)),
        ("ln s² が短い", |m| m.log_s2 = Array1::zeros(0)),
        ("v の行が多い", |m| m.v = Array2::zeros((2, 2))),
        ("v の列が少ない", |m| m.v = Array2::zeros((1, 1))),
    ];
    for (name, edit) in shapes {
        let mut m = base.clone();
        edit(&mut m);
        sw.probe(
            "Vae::from_linear",
            &name,
            || Vae::from_linear(&m),
            |r| expect(r, Some(MISMATCH), |_| false),
        );
    }
    sw.finish(11, CALLS_CONSTRUCTION);
}

/// 8 つの読み出しを呼ぶ（`Ok` に包んで数える）。
fn read_all(sw: &mut Sweep, v: &Vae) {
    let n = v.params_flat().len();
    sw.probe(
        "Vae::encoder",
        &v.data_dim(),
        || Ok(v.encoder().n_inputs()),
        |r| matches!(r, Ok(k) if *k == v.data_dim()),
    );
    sw.probe(
        "Vae::decoder",
        &v.latent_dim(),
        || Ok(v.decoder().n_inputs()),
        |r| matches!(r, Ok(k) if *k == v.latent_dim()),
    );
    sw.probe("Vae::likelihood", &(), || Ok(v.likelihood()), |r| r.is_ok());
    sw.probe(
        "Vae::log_noise",
        &(),
        || Ok(v.log_noise()),
        |r| matches!(r, Ok(k) if k.is_finite()),
    );
    sw.probe(
        "Vae::data_dim",
        &(),
        || Ok(v.data_dim()),
        |r| matches!(r, Ok(k) if *k == v.encoder().n_inputs() && *k == v.decoder().n_outputs()),
    );
    sw.probe(
        "Vae::latent_dim",
        &(),
        || Ok(v.latent_dim()),
        |r| matches!(r, Ok(k) if 2 * *k == v.encoder().n_outputs()),
    );
    let extra = usize::from(v.likelihood() == Likelihood::Gaussian);
    sw.probe(
        "Vae::params_flat",
        &(),
        || Ok(v.params_flat()),
        |r| {
            matches!(r, Ok(p) if p.len() == n
            && p.len() == v.encoder().n_params() + v.decoder().n_params() + extra
            && all_finite(p.iter()))
        },
    );
    sw.probe(
        "Vae::set_params_flat(往復)",
        &(),
        || {
            let mut w = v.clone();
            w.set_params_flat(&v.params_flat())?;
            Ok(w)
        },
        |r| matches!(r, Ok(w) if w == v),
    );
}

// ---------------------------------------------------------------- パラメータの読み書き

#[test]
fn sweep_params() {
    let mut sw = Sweep::default();
    for vae in models() {
        let p0 = vae.params_flat();
        let n = p0.len();
        for i in 0..n {
            for v in values() {
                let mut p = p0.clone();
                p[i] = v;
                let mut w = vae.clone();
                let r = w.set_params_flat(&p);
                let want = if v.is_finite() { None } else { Some(NF) };
                sw.probe(
                    "Vae::set_params_flat",
                    &(i, v),
                    || r,
                    |r| {
                        expect(r, want, |_| {
                            bits(w.params_flat()) == bits(p.iter().copied())
                        }) && (r.is_ok() || w == vae)
                    },
                );
                sw.probe(
                    "Vae::params_flat",
                    &(i, v),
                    || Ok(w.params_flat()),
                    |r| matches!(r, Ok(q) if q.len() == n && all_finite(q.iter())),
                );
            }
        }
        // 長さ違い・空・連続でないビュー
        for len in [0, 1, n - 1, n + 1, 2 * n] {
            let mut w = vae.clone();
            let r = w.set_params_flat(&Array1::zeros(len));
            sw.probe(
                "Vae::set_params_flat",
                &len,
                || r,
                |r| expect(r, Some(MISMATCH), |_| false) && w == vae,
            );
        }
        let wide = spread(&p0.mapv(|v| -v), f64::NAN);
        let mut w = vae.clone();
        let r = w.set_params_flat(every_other(&wide));
        sw.probe(
            "Vae::set_params_flat(1 つおき)",
            &(),
            || r,
            |r| {
                expect(r, None, |_| {
                    bits(w.params_flat()) == bits(p0.iter().map(|v| -v))
                })
            },
        );
    }
    sw.finish(2, CALLS_PARAMS);
}

// ---------------------------------------------------------------- 前向き・勾配

/// `elbo_gradient` の `Ok` の契約: ELBO が有限（ベルヌーイ分布なら `≤ 0`）、勾配の 1 列が有限で長さが合う。
fn gradient_ok(vae: &Vae, (e, g): &(f64, VaeGradient)) -> bool {
    let flat = g.flat(vae.likelihood());
    e.is_finite()
        && (vae.likelihood() == Likelihood::Gaussian || *e <= 0.0)
        && flat.len() == vae.params_flat().len()
        && all_finite(flat.iter())
        && (vae.likelihood() == Likelihood::Gaussian || g.log_noise == 0.0)
}

/// 不具合 1・2: 入力が有限なのに、途中のあふれが `NonFinite` になる（勾配の検査なら 2、それ以外は 1）。
fn nonfinite_from_overflow<T>(known: &Known, r: &Result<T>, inputs_finite: bool) -> bool {
    match r {
        Err(e @ Error::NonFinite { what, .. }) if inputs_finite => {
            known.note(if what.contains("勾配") { 2 } else { 1 }, e.to_string())
        }
        _ => false,
    }
}

/// 1 つのモデル・データ・雑音で、`encode`・`decode`・`elbo_gradient`（2 回）・`VaeGradient::flat` を呼ぶ。
fn probe_forward(
    sw: &mut Sweep,
    known: &Known,
    vae: &Vae,
    x: ArrayView2<f64>,
    eps: ArrayView2<f64>,
    label: &str,
) {
    let input = (label, x.dim(), eps.dim());
    let de = data_error(vae, &x);
    let (b, dd, ld) = (x.nrows(), vae.data_dim(), vae.latent_dim());
    sw.probe(
        "Vae::encode",
        &input,
        || vae.encode(x),
        |r| {
            verdict(
                r,
                de,
                |(m, l)| m.dim() == (b, ld) && l.dim() == (b, ld) && all_finite(m.iter().chain(l)),
                |_| false,
            )
        },
    );
    let ze = latent_error(vae, &eps, None);
    sw.probe(
        "Vae::decode",
        &input,
        || vae.decode(eps),
        |r| {
            verdict(
                r,
                ze,
                |y| {
                    y.dim() == (eps.nrows(), dd)
                        && all_finite(y.iter())
                        && (vae.likelihood() == Likelihood::Gaussian
                            || y.iter().all(|v| (0.0..=1.0).contains(v)))
                },
                |_| false,
            )
        },
    );
    let ge = de.or_else(|| latent_error(vae, &eps, Some(b)));
    let r = vae.elbo_gradient(x, eps);
    let finite_in = ge.is_none();
    sw.probe(
        "Vae::elbo_gradient",
        &input,
        || r.clone(),
        |r| {
            verdict(
                r,
                ge,
                |v| gradient_ok(vae, v),
                |r| nonfinite_from_overflow(known, r, finite_in),
            )
        },
    );
    // 決定的: 同じ入力の 2 回目は 1 ビットも違わない（B ≥ SPLIT_ROWS の分けた計算も）
    sw.probe(
        "Vae::elbo_gradient(再)",
        &input,
        || vae.elbo_gradient(x, eps),
        |r2| match (&r, r2) {
            (Ok((e1, g1)), Ok((e2, g2))) => {
                e1.to_bits() == e2.to_bits()
                    && bits(g1.flat(vae.likelihood())) == bits(g2.flat(vae.likelihood()))
            }
            (Err(a), Err(b)) => a == b,
            _ => false,
        },
    );
    if let Ok((_, g)) = &r {
        sw.probe(
            "VaeGradient::flat",
            &input,
            || Ok(g.flat(vae.likelihood())),
            |f| {
                matches!(f, Ok(f) if f.len() == vae.params_flat().len()
                && bits(f.iter().copied())
                    == bits(g.encoder.flat().iter().chain(g.decoder.flat().iter()).copied()
                        .chain((vae.likelihood() == Likelihood::Gaussian).then_some(g.log_noise))))
            },
        );
    }
}

#[test]
fn sweep_forward() {
    let mut sw = Sweep::default();
    let known = Known::default();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for vae in models() {
        let (dd, ld) = (vae.data_dim(), vae.latent_dim());
        // 行の数: 1、2、分ける境の前後
        for b in [1, 2, SPLIT_ROWS - 1, SPLIT_ROWS, SPLIT_ROWS + 1] {
            let x = data_for(&vae, &mut rng, b);
            let eps = gaussian_array(&mut rng, (b, ld));
            probe_forward(&mut sw, &known, &vae, x.view(), eps.view(), "そのまま");
            // 連続でないビュー: Ok・Err の種類と値（丸めの範囲）が連続な複製と同じ
            let want = vae.elbo_gradient(&x, &eps);
            with_views(&x, |name, xv| {
                with_views(&eps, |ename, ev| {
                    let r = vae.elbo_gradient(xv, ev);
                    let rev = (name == "逆順") != (ename == "逆順");
                    sw.probe(
                        "Vae::elbo_gradient(ビュー)",
                        &(name, ename, b),
                        || r,
                        |r| {
                            same_kind(r, &want)
                                && match (r, &want) {
                                    (Ok((e, g)), Ok((e0, g0))) => {
                                        let (f, f0) =
                                            (g.flat(vae.likelihood()), g0.flat(vae.likelihood()));
                                        // 逆順の片方は別のミニバッチ（行の対応が変わる）なので有限性だけ
                                        rev || ((e - e0).abs() <= 1e-9 * (1.0 + e0.abs())
                                            && f.iter().zip(&f0).all(|(a, b)| {
                                                (a - b).abs() <= 1e-9 * (1.0 + b.abs())
                                            }))
                                    }
                                    _ => true,
                                }
                        },
                    );
                });
            });
        }
        // 空・幅違い・雑音の形違い
        let x2 = data_for(&vae, &mut rng, 2);
        let e2 = gaussian_array(&mut rng, (2, ld));
        let shapes = [
            (Array2::zeros((0, dd)), Array2::zeros((0, ld)), "空"),
            (Array2::zeros((2, dd + 1)), e2.clone(), "データの幅 +1"),
            (Array2::zeros((2, 0)), e2.clone(), "データの幅 0"),
            (x2.clone(), Array2::zeros((3, ld)), "雑音の行 +1"),
            (x2.clone(), Array2::zeros((1, ld)), "雑音の行 −1"),
            (x2.clone(), Array2::zeros((2, ld + 1)), "雑音の幅 +1"),
            (x2.clone(), Array2::zeros((2, 0)), "雑音の幅 0"),
        ];
        for (x, e, label) in &shapes {
            probe_forward(&mut sw, &known, &vae, x.view(), e.view(), label);
        }
        // データ・雑音の 1 成分に極端な値
        for v in values() {
            for i in 0..2 * dd {
                let mut x = x2.clone();
                x[[i / dd, i % dd]] = v;
                probe_forward(&mut sw, &known, &vae, x.view(), e2.view(), "データ");
            }
            for i in 0..2 * ld {
                let mut e = e2.clone();
                e[[i / ld, i % ld]] = v;
                probe_forward(&mut sw, &known, &vae, x2.view(), e.view(), "雑音");
            }
            // 全部
            let xa = Array2::from_elem((2, dd), v);
            let ea = Array2::from_elem((2, ld), v);
            probe_forward(&mut sw, &known, &vae, xa.view(), e2.view(), "データ全部");
            probe_forward(&mut sw, &known, &vae, x2.view(), ea.view(), "雑音全部");
        }
        // パラメータの 1 つに極端な（有限の）値
        let p0 = vae.params_flat();
        for i in 0..p0.len() {
            for v in finite_values() {
                let mut p = p0.clone();
                p[i] = v;
                let mut w = vae.clone();
                w.set_params_flat(&p).unwrap();
                probe_forward(&mut sw, &known, &w, x2.view(), e2.view(), "パラメータ");
            }
        }
    }
    // 不具合 1・2 の入力（節 0 と同じ）
    let bug1 = linear(
        Array2::zeros((1, 2)),
        Array1::from(vec![0.0, 2.0]),
        Array2::ones((1, 1)),
        Array1::zeros(1),
        Likelihood::Gaussian,
        0.0,
    );
    probe_forward(
        &mut sw,
        &known,
        &bug1,
        Array2::zeros((1, 1)).view(),
        Array2::from_elem((1, 1), 1e308).view(),
        "不具合 1",
    );
    probe_forward(
        &mut sw,
        &known,
        &bug2(),
        Array2::from_elem((1, 8), 0.5).view(),
        Array2::ones((1, 1)).view(),
        "不具合 2",
    );
    for rows in [SPLIT_ROWS - 1, SPLIT_ROWS, SPLIT_ROWS + 1] {
        let (vae, x, eps) = bug6(rows);
        let r = vae.elbo_gradient(&x, &eps);
        sw.probe(
            "Vae::elbo_gradient(不具合 6)",
            &rows,
            || r,
            |r| {
                verdict(
                    r,
                    None,
                    |v| gradient_ok(&vae, v),
                    |r| {
                        // 不具合 6: 分けた計算の和があふれて Ok(±∞)
                        rows >= SPLIT_ROWS
                            && matches!(r, Ok((e, g)) if e.is_finite()
                        && !all_finite(g.flat(Likelihood::Gaussian).iter()))
                            && known.allow(6)
                    },
                )
            },
        );
    }
    known.report("sweep_forward");
    sw.finish(4, CALLS_FORWARD);
}

// ---------------------------------------------------------------- 評価

fn estimate_ok(e: &genmodel::vae::Estimate) -> bool {
    e.mean.is_finite() && e.standard_error.is_finite() && e.standard_error >= 0.0
}

fn probe_evaluate(
    sw: &mut Sweep,
    known: &Known,
    vae: &Vae,
    x: ArrayView2<f64>,
    k: usize,
    label: &str,
) {
    let input = (label, x.dim(), k);
    let width = (vae.data_dim() + vae.latent_dim()) as u128;
    let want = data_error(vae, &x).or(if k < 2 {
        Some(INV)
    } else if x.nrows() as u128 * k as u128 * width > 1u128 << 38 {
        Some(BIG)
    } else {
        None
    });
    let finite_in = want.is_none();
    for (name, which) in [("Vae::elbo", 0), ("Vae::log_likelihood", 1)] {
        let call = |seed: u64| {
            let mut rng = seeded_rng(seed);
            if which == 0 {
                vae.elbo(x, k, &mut rng)
            } else {
                vae.log_likelihood(x, k, &mut rng)
            }
        };
        let r = call(3);
        sw.probe(name, &input, || r, |r| {
            verdict(r, want, estimate_ok, |r| {
                nonfinite_from_overflow(known, r, finite_in)
                    || (which == 1 && matches!(r, Ok(e) if e.mean == f64::NEG_INFINITY) && known.allow(3))
                    || (which == 0
                        && matches!(r, Ok(e) if e.mean.is_finite() && e.standard_error == f64::INFINITY)
                        && known.allow(4))
            })
        });
        let r2 = call(3);
        sw.probe(
            name,
            &input,
            || call(3),
            |r3| match (&r2, r3) {
                (Ok(a), Ok(b)) => {
                    a.mean.to_bits() == b.mean.to_bits()
                        && a.standard_error.to_bits() == b.standard_error.to_bits()
                }
                (Err(a), Err(b)) => a == b,
                _ => false,
            },
        );
    }
}

#[test]
fn sweep_evaluate() {
    let mut sw = Sweep::default();
    let known = Known::default();
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    // standard_normal: 有限、同じシードなら同じ列
    for seed in 0..64u64 {
        let mut a = seeded_rng(seed);
        let mut b = seeded_rng(seed);
        sw.probe(
            "standard_normal",
            &seed,
            || {
                Ok((0..1000)
                    .map(|_| standard_normal(&mut a))
                    .collect::<Vec<_>>())
            },
            |r| {
                matches!(r, Ok(v) if all_finite(v.iter())
                && v.iter().all(|x| x.abs() < 40.0)
                && bits(v.iter().copied()) == bits((0..1000).map(|_| standard_normal(&mut b))))
            },
        );
    }
    for vae in models() {
        let dd = vae.data_dim();
        let x2 = data_for(&vae, &mut rng, 2);
        for k in [0, 1, 2, 17] {
            probe_evaluate(&mut sw, &known, &vae, x2.view(), k, "そのまま");
            probe_evaluate(
                &mut sw,
                &known,
                &vae,
                Array2::zeros((0, dd)).view(),
                k,
                "空",
            );
            probe_evaluate(
                &mut sw,
                &known,
                &vae,
                Array2::zeros((2, dd + 1)).view(),
                k,
                "幅 +1",
            );
        }
        // 仕事の上限のすぐ上と usize::MAX（確保しない、1 秒のうちに返る）
        let width = dd + vae.latent_dim();
        for k in [(1usize << 38) / (2 * width) + 1, usize::MAX] {
            let (v2, xx) = (vae.clone(), x2.clone());
            let r = bounded(1, move || v2.elbo(&xx, k, &mut seeded_rng(0)));
            sw.probe(
                "Vae::elbo(巨大)",
                &k,
                || r,
                |r| expect(r, Some(BIG), |_| false),
            );
            let (v2, xx) = (vae.clone(), x2.clone());
            let r = bounded(1, move || v2.log_likelihood(&xx, k, &mut seeded_rng(0)));
            sw.probe(
                "Vae::log_likelihood(巨大)",
                &k,
                || r,
                |r| expect(r, Some(BIG), |_| false),
            );
        }
        with_views(&x2, |name, xv| {
            probe_evaluate(&mut sw, &known, &vae, xv, 5, name)
        });
        for v in values() {
            let mut x = x2.clone();
            x[[1, dd - 1]] = v;
            probe_evaluate(&mut sw, &known, &vae, x.view(), 5, "データ");
            let xa = Array2::from_elem((3, dd), v);
            probe_evaluate(&mut sw, &known, &vae, xa.view(), 2, "データ全部");
        }
        let p0 = vae.params_flat();
        for i in 0..p0.len() {
            for v in finite_values() {
                let mut p = p0.clone();
                p[i] = v;
                let mut w = vae.clone();
                w.set_params_flat(&p).unwrap();
                probe_evaluate(&mut sw, &known, &w, x2.view(), 3, "パラメータ");
            }
        }
    }
    // 不具合 1・3・4 の入力（節 0 と同じ）
    for (lv, ln, xv, rows) in [
        (1500.0, 0.0, 0.0, 1),
        (0.0, 0.0, 1.3e154, 3),
        (0.0, -700.0, 0.0, 1),
    ] {
        let vae = linear(
            Array2::zeros((1, 2)),
            Array1::from(vec![0.0, lv]),
            Array2::from_elem((1, 1), if xv == 0.0 { 1.0 } else { 0.0 }),
            Array1::zeros(1),
            Likelihood::Gaussian,
            ln,
        );
        let x = Array2::from_elem((rows, 1), xv);
        probe_evaluate(&mut sw, &known, &vae, x.view(), 17, "不具合の入力");
    }
    known.report("sweep_evaluate");
    sw.finish(3, CALLS_EVALUATE);
}

// ---------------------------------------------------------------- 学習

/// `train_step` を 1 回呼び、失敗ならモデルも Adam も変わらないこと、成功なら有限で歩の数が 1 増えることを確かめる。
fn probe_step(
    sw: &mut Sweep,
    known: &Known,
    vae: &Vae,
    opt: &Adam,
    x: ArrayView2<f64>,
    label: &str,
) {
    let mut w = vae.clone();
    let mut a = opt.clone();
    let de = data_error(vae, &x);
    let finite_in = de.is_none();
    let r = w.train_step(&mut a, x, &mut seeded_rng(4));
    sw.probe(
        "Vae::train_step",
        &(label, x.dim()),
        || r,
        |r| {
            let n = vae.params_flat().len();
            let unchanged = &w == vae && state(&a, n) == state(opt, n);
            match r {
                Ok(e) => {
                    de.is_none()
                        && e.is_finite()
                        && all_finite(w.params_flat().iter())
                        && a.steps() == opt.steps() + 1
                }
                Err(e) => {
                    unchanged
                        && (de.map_or(kind(e) == OVER, |k| kind(e) == k)
                            || nonfinite_from_overflow(known, r, finite_in))
                }
            }
        },
    );
}

#[test]
fn sweep_train() {
    let mut sw = Sweep::default();
    let known = Known::default();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for vae in models() {
        let dd = vae.data_dim();
        // 1 歩進めた Adam（状態が空でない）と、作ったばかりの Adam、巨大な学習率の Adam
        let x2 = data_for(&vae, &mut rng, 2);
        let mut warm_vae = vae.clone();
        let mut warm = adam();
        warm_vae
            .train_step(&mut warm, &x2, &mut seeded_rng(1))
            .unwrap();
        let adams = [
            ("新しい", vae.clone(), adam()),
            ("1 歩後", warm_vae, warm),
            (
                "学習率 1e308",
                vae.clone(),
                Adam::new(1e308, 0.9, 0.999, 1e-8).unwrap(),
            ),
        ];
        for (label, v0, a0) in &adams {
            for b in [1, SPLIT_ROWS - 1, SPLIT_ROWS, SPLIT_ROWS + 1] {
                let x = data_for(v0, &mut rng, b);
                probe_step(&mut sw, &known, v0, a0, x.view(), label);
                with_views(&x, |name, xv| probe_step(&mut sw, &known, v0, a0, xv, name));
            }
            probe_step(&mut sw, &known, v0, a0, Array2::zeros((0, dd)).view(), "空");
            probe_step(
                &mut sw,
                &known,
                v0,
                a0,
                Array2::zeros((2, dd + 1)).view(),
                "幅 +1",
            );
            for v in values() {
                let mut x = x2.clone();
                x[[0, 0]] = v;
                probe_step(&mut sw, &known, v0, a0, x.view(), "データ");
            }
            let p0 = v0.params_flat();
            for i in 0..p0.len() {
                for v in finite_values() {
                    let mut p = p0.clone();
                    p[i] = v;
                    let mut w = v0.clone();
                    w.set_params_flat(&p).unwrap();
                    probe_step(&mut sw, &known, &w, a0, x2.view(), "パラメータ");
                }
            }
        }
        // fit: 設定の誤り・空・幅違い・仕事の上限（学習を始めない）
        let x8 = data_for(&vae, &mut rng, 8);
        let cases: [(Training, Array2<f64>, &str); 6] = [
            (
                Training {
                    batch_size: 0,
                    epochs: 1,
                    seed: 0,
                },
                x8.clone(),
                INV,
            ),
            (
                Training {
                    batch_size: 2,
                    epochs: 0,
                    seed: 0,
                },
                x8.clone(),
                INV,
            ),
            (
                Training {
                    batch_size: 2,
                    epochs: 1,
                    seed: 0,
                },
                Array2::zeros((0, dd)),
                EMPTY,
            ),
            (
                Training {
                    batch_size: 2,
                    epochs: 1,
                    seed: 0,
                },
                Array2::zeros((3, dd + 1)),
                MISMATCH,
            ),
            (
                Training {
                    batch_size: 2,
                    epochs: usize::MAX,
                    seed: 0,
                },
                x8.clone(),
                BIG,
            ),
            (
                Training {
                    batch_size: 1,
                    epochs: 1 << 40,
                    seed: 0,
                },
                x8.clone(),
                BIG,
            ),
        ];
        for (t, x, want) in cases {
            let (mut w, mut a) = (vae.clone(), adam());
            let r = w.fit(&x, &t, &mut a, |_, _| panic!("学習を始めた"));
            sw.probe(
                "Vae::fit",
                &(t, x.dim()),
                || r,
                |r| expect(r, Some(want), |_| false) && w == vae && a.steps() == 0,
            );
        }
        // fit の成功と失敗: 同じシードで train_step を手で並べた再現と 1 ビットも違わない
        for bs in [1, 3, 8, 65] {
            for v in values() {
                for row in [0, 5] {
                    let mut x = data_for(&vae, &mut rng, 8);
                    x[[row, dd - 1]] = v;
                    probe_fit(
                        &mut sw,
                        &vae,
                        &x,
                        Training {
                            batch_size: bs,
                            epochs: 2,
                            seed: 9,
                        },
                    );
                }
            }
        }
        let x = data_for(&vae, &mut rng, 130);
        probe_fit(
            &mut sw,
            &vae,
            &x,
            Training {
                batch_size: 65,
                epochs: 2,
                seed: 9,
            },
        );
        // 2 歩目で失敗する学習率（1 歩目で 1e308 動き、2 歩目であふれる）
        let x = data_for(&vae, &mut rng, 4);
        probe_fit_with(
            &mut sw,
            &vae,
            Adam::new(1e308, 0.9, 0.999, 1e-8).unwrap(),
            &x,
            Training {
                batch_size: 2,
                epochs: 3,
                seed: 2,
            },
        );
    }
    known.report("sweep_train");
    sw.finish(2, CALLS_TRAIN);
}

fn probe_fit(sw: &mut Sweep, vae: &Vae, x: &Array2<f64>, t: Training) {
    probe_fit_with(sw, vae, adam(), x, t);
}

/// `fit` を呼び、同じシードで `train_step` を手で並べた再現と比べる: 観測した ELBO の列、成功ならその後の状態、
/// 失敗なら `TrainingStopped { step, cause }` の歩の番号・原因と、その前の歩の後の状態（1 ビットも違わない）。
fn probe_fit_with(sw: &mut Sweep, vae: &Vae, opt: Adam, x: &Array2<f64>, t: Training) {
    use rand::seq::SliceRandom;
    // 再現
    let mut rv = vae.clone();
    let mut ra = opt.clone();
    let mut rng = seeded_rng(t.seed);
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    let mut seen = Vec::new();
    let mut failure = None;
    'outer: for _ in 0..t.epochs {
        order.shuffle(&mut rng);
        for chunk in order.chunks(t.batch_size) {
            let batch = x.select(genmodel::ndarray::Axis(0), chunk);
            // 失敗した歩の前の状態（train_step が失敗で状態を変えても、比べるのはこちら）
            let (bv, ba) = (rv.clone(), ra.clone());
            match rv.train_step(&mut ra, &batch, &mut rng) {
                Ok(e) => seen.push(e),
                Err(e) => {
                    failure = Some((seen.len(), e));
                    (rv, ra) = (bv, ba);
                    break 'outer;
                }
            }
        }
    }
    let mut w = vae.clone();
    let mut a = opt.clone();
    let mut got = Vec::new();
    let r = w.fit(x, &t, &mut a, |i, e| got.push((i, e)));
    sw.probe(
        "Vae::fit",
        &(t, x.dim()),
        || r,
        |r| {
            let observed = got.len() == seen.len()
                && got.iter().enumerate().all(|(i, &(s, e))| {
                    s == i && e.to_bits() == seen[i].to_bits() && e.is_finite()
                });
            let n = vae.params_flat().len();
            let same_state =
                w == rv && state(&a, n) == state(&ra, n) && all_finite(w.params_flat().iter());
            observed
                && same_state
                && match (r, &failure) {
                    (Ok(()), None) => true,
                    (Err(Error::TrainingStopped { step, cause }), Some((s, c))) => {
                        step == s && **cause == *c
                    }
                    _ => false,
                }
        },
    );
}
