//! 第 9 章の本文が引く数（事後分布の例・表 9.1・(9.12) の値・演習の答え）を、クレートで計算する。
//!
//! 本文の数はここの関数の値を丸めたもので、ルートのテスト `chapter_9_quotes_the_computed_numbers` が
//! 本文と突き合わせる。表 9.1 の推定は図 9.1 と同じ乱数の種（[`crate::figures::hvae::sweep`] の T = 5）を使う。

use crate::figures::hvae::{MEAN, SAMPLES, VAR, X0, decoders};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::hvae::estimate::{Form, estimate, exact_moments};
use genmodel::hvae::{Decoder, Encoder, elbo_bound, expected_elbo, gaussian_entropy};

/// 本文の例のモデル（T = 3）: w = (0.8, −0.6, 1.1)、b = (0.2, 0.1, −0.3)、s = (0.3, 0.5, 0.4)。
pub fn example_decoder() -> Decoder {
    Decoder::new(&[0.8, -0.6, 1.1], &[0.2, 0.1, -0.3], &[0.3, 0.5, 0.4]).expect("本文のモデル")
}

/// 本文の例の点 x。
pub const EXAMPLE_X: f64 = 0.7;

/// 本文の例の事後分布の数: `(ln q_θ(x), 事後分布のエンコーダの ELBO, a = (0.5, −0.4, 0.6)・c = 0・v = 0.3 の
/// エンコーダの ELBO)`。
pub fn posterior_example() -> (f64, f64, f64) {
    let dec = example_decoder();
    let post = dec.posterior().expect("事後分布");
    let other = Encoder::new(&[0.5, -0.4, 0.6], &[0.0; 3], &[0.3; 3]).expect("エンコーダ");
    (
        dec.log_marginal(EXAMPLE_X).expect("ln q_θ(x)"),
        dec.elbo(&post, EXAMPLE_X).expect("ELBO"),
        dec.elbo(&other, EXAMPLE_X).expect("ELBO"),
    )
}

/// 表 9.1 の段の数。
pub const TABLE_DEPTH: usize = 5;

/// 表 9.1 の 1 行: 厳密な ELBO、推定の平均とその標準誤差、厳密な標準偏差、推定の標準偏差とその標準誤差。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableRow {
    /// 厳密な ELBO（1 標本の値の平均）。
    pub exact_mean: f64,
    /// 推定の平均。
    pub mean: f64,
    /// 推定の平均の標準誤差。
    pub mean_error: f64,
    /// 1 標本の値の厳密な標準偏差。
    pub exact_sd: f64,
    /// 推定の標準偏差。
    pub sd: f64,
    /// 推定の標準偏差の標準誤差（分散の標準誤差 / (2 sd)）。
    pub sd_error: f64,
}

/// 表 9.1: `[デコーダ（遠い、最適）][形（(9.6)、(9.8)）]`。乱数の種は図 9.1 と同じ。
pub fn table() -> [[TableRow; 2]; 2] {
    let (enc, decs) = decoders(TABLE_DEPTH);
    let row = |k: usize, f: usize, form: Form| {
        let dec = &decs[k];
        let (exact_mean, var) = exact_moments(dec, &enc, X0, form).expect("厳密な積率");
        let seed = 9000 + 100 * k as u64 + 10 * f as u64 + TABLE_DEPTH as u64;
        let e = estimate(dec, &enc, X0, form, SAMPLES, &mut seeded_rng(seed)).expect("推定");
        let sd = e.variance.sqrt();
        TableRow {
            exact_mean,
            mean: e.mean,
            mean_error: e.standard_error,
            exact_sd: var.sqrt(),
            sd,
            sd_error: e.variance_error / (2.0 * sd),
        }
    };
    [
        [row(0, 0, Form::Chain), row(0, 1, Form::FixedEncoder)],
        [row(1, 0, Form::Chain), row(1, 1, Form::FixedEncoder)],
    ]
}

/// (9.12) の本文の数: `(最適なデコーダの E_p[ELBO], 右辺 −H(p) − KL, 遠いデコーダの E_p[ELBO])`
/// （p = N(1, 0.25)、a_t = 0.9、v_t = 0.19、T = 5）。
pub fn bound_example() -> (f64, f64, f64) {
    let (enc, [far, best]) = decoders(TABLE_DEPTH);
    (
        expected_elbo(&best, &enc, MEAN, VAR).expect("E_p[ELBO]"),
        elbo_bound(&enc, MEAN, VAR).expect("上限"),
        expected_elbo(&far, &enc, MEAN, VAR).expect("E_p[ELBO]"),
    )
}

/// 演習 9.1 の答え: `(ā_2, v̄_2, μ̃_2, ṽ_2)`（a = (0.8, 0.6)、v = (0.36, 0.64)、x_0 = 1、x_2 = 0.5）。
pub fn exercise_9_1() -> (f64, f64, f64, f64) {
    let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64]).expect("演習 9.1");
    let (abar, vbar) = enc.marginal_given_x0(2, 1.0).expect("(9.9)");
    let (mu, v) = enc.reverse_given_x0(2, 0.5, 1.0).expect("(9.10)");
    (abar, vbar, mu, v)
}

/// 演習 9.3 の答え: `−H(N(0, 1))`（a_t² + v_t = 1 のエンコーダでの (9.12) の右辺。a = (0.8, 0.6) で確かめる）。
pub fn exercise_9_3() -> (f64, f64) {
    let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64]).expect("演習 9.3");
    (
        -gaussian_entropy(1.0).expect("H"),
        elbo_bound(&enc, 0.0, 1.0).expect("上限"),
    )
}
