//! 敵対的な入力の掃引: 隠れ変数のあるボルツマンマシン（第 3 章、`boltzmann::hidden`）と
//! 制限ボルツマンマシン（第 4 章、`boltzmann::rbm`）。
//!
//! 公開関数のそれぞれに、極端な値（`EXTREMES` の ±0、`±1e-320`、`f64::MIN_POSITIVE`、±1、`±1e308`、`f64::MAX`、
//! NaN、±∞ に、`Σ|θ|` の上限 `1e100` の内側の大きな値と `exp` の境 `710`・`−745` の前後を足したもの）を
//! パラメータの 1 つずつと全部に入れたモデル、空・長さ 1 の配列、形の違う配列、`0`・`1` 以外のユニット
//! （`2`・`255`）、`±1` 以外のスピン（`0`・`2`・`i8::MIN`）、連続でないビュー（転置・1 行おき・1 つおき、
//! パラメータの列優先・負の歩幅の配列）、`usize::MAX` の大きさ（鎖の数・`k`・ミニバッチ・歩数・反復の上限・
//! 見える変数の数・添字）、学習率 0・負・NaN・±∞・`1e308`・`1e-320` を与え、契約を確かめる:
//! パニックしない。`Ok` なら有限で、安く確かめられる数学的な性質を満たす（確率は `[0, 1]` で和が 1、
//! KL 情報量 ≥ 0、`ln q(v) ≤ 0`、`Σ_v e^{−F(v)} = Z`、勾配は有限で値域の中、`±1` との変換は往復で戻る、
//! 連続でないビューは連続な複製と同じ結果）。そうでなければ文書に書いた型つきの `Err`。
//!
//! 正しい値は、全状態 `(v, h)`（高々 `2^6`）を定義どおりに足して求める（実装の softplus・Gray 符号・表は使わない）。
//! 許容は、対数の領域（エネルギー・自由エネルギー・`ln Z`）では丸めの大きさ `1e-13 · max(1, Σ|θ|)`、
//! 確率の領域（条件つき確率・モーメント・KL 情報量・勾配）では `1e-9` とし、後者は Ising モデルの列挙と同じ
//! 精度の上限 `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` の内側だけで確かめる。その外では:
//! - 列挙で確率・モーメント・対数尤度・勾配を求める関数（`HiddenIsing::new`、`Rbm` の `mean_log_likelihood`・
//!   `model_moments`・`exact_gradient`・`gibbs_kernel`・`cd_expected_gradient`、厳密な勾配の学習）は
//!   `InvalidParameter`（`name` は `"Σ|θ|"`）で断らなければならない
//! - 対数の領域の値（`Rbm`・`SpinRbm` の `log_z`、エネルギー、自由エネルギー）は丸めの範囲で正しく求め、
//!   1 つの活性の σ だけを使う関数（条件つき確率、データのモーメント、CD-k・PCD、再構成誤差、標本）は値域だけを確かめる
//!
//! 鎖を使う関数（`gibbs`、`cd_gradient`、`Pcd::gradient`、`train`）の歩数・往復の回数は、仕事の上限
//! `MAX_CHAIN_WORK = 2^38` のちょうど 1 つ先と `usize::MAX` を与え、鎖を進める前の `TooLarge` を確かめる
//! （`train` は上限ちょうども与え、観測者が 2 歩で止める）。
//!
//! 掃引の大きさ（各テストの最後の `finish` で数を確かめる）: **公開関数 60 個 × 入力 = 呼び出し 142 124 回**。
//! - `sweep_activation_functions`: 2 関数（`softplus`、`sigmoid`）、4 066 回
//! - `sweep_rbm_model_and_exact`: 20 関数（構築と読み出し、エネルギー、自由エネルギー、条件つき確率、`ln Z`、
//!   平均自由エネルギー・平均対数尤度、モーメント、厳密な勾配とそのノルム、Gibbs の遷移行列、CD-k の期待値、
//!   再構成誤差）、58 204 回
//! - `sweep_rbm_sampling_and_training`: 10 関数（層の標本、ブロック Gibbs、CD-k、PCD の鎖と勾配、学習の設定と
//!   学習のループ）、37 917 回
//! - `sweep_spin_rbm`: 12 関数（`±1` の RBM の構築と読み出し、`{0, 1}` との変換、エネルギー、自由エネルギー、
//!   `ln Z`、エネルギーのずれ）、22 505 回
//! - `sweep_hidden_ising`: 15 関数（構築と読み出し、`ln Z`、自由エネルギー、周辺分布、事後分布、KL 情報量、
//!   自由な期待値・留めた期待値、勾配、ヘッセ行列、隠れ変数の入れ替えと反転）、17 700 回
//! - `sweep_hidden_fit`: 1 関数（正則化つきの学習）、1 732 回
//!
//! 節 0 のテストは、掃引で見つけて直したライブラリの不具合の具体的な入力で、直した契約を確かめる:
//! 1. `HiddenIsing` は列挙の精度の上限 `Σ|θ| ≤ 1e4` を確かめず、周辺分布・事後分布の和が 2、`⟨x_k x_l⟩ = 2` になっていた
//!    （今は `HiddenIsing::new` が断る）
//! 2. `Rbm` の `ln Z` との差をとる関数も同じで、平均対数尤度がギブスの不等式を破り、モーメントがずれていた
//!    （今は列挙で確率・モーメント・対数尤度・勾配を求める関数が断る）
//! 3. 標本を使う関数（`gibbs`、`cd_gradient`、`Pcd::gradient`、`train`）の鎖の長さ `usize::MAX` は断られず、
//!    事実上終わらなかった（今は仕事の上限 `MAX_CHAIN_WORK` で `TooLarge` を返す）
//! 4. （軽い）`RbmGradient::norm` の 2 乗の和が途中であふれる・0 に落ちていた（今は必要なときだけくくり出す）

mod hostile_support;

use genmodel::boltzmann::Ising;
use genmodel::boltzmann::hidden::learn::MAX_HESSIAN_UNITS;
use genmodel::boltzmann::hidden::{HiddenIsing, MAX_HIDDEN_MODEL_UNITS};
use genmodel::boltzmann::ising::{MAX_ENUMERATION_L1, MAX_MODEL_SPINS, pairs};
use genmodel::boltzmann::rbm::{
    Method, Pcd, Rbm, RbmGradient, RbmMoments, SpinRbm, TrainConfig, sigmoid, softplus,
};
use genmodel::ndarray::{Array1, Array2, ArrayView2, Axis, Slice, array};
use genmodel::optim::StopRule;
use genmodel::prec::{MAX_CHAIN_WORK, MAX_SAMPLES};
use genmodel::{Error, Result};
use hostile_support::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::fmt::Debug;
use std::mem::discriminant;

// ---------------------------------------------------------------- 共通の道具

/// 極端な値に足す、`Σ|θ| ≤ 1e100` の内側の値: ふつうの大きさ、`exp` があふれる・0 に落ちる境の前後、
/// 列挙の精度の上限 `1e4`、丸めが `O(1)` になる `1e15`、上限の近く。
const INNER: [f64; 9] = [0.3, -2.5, 40.0, -745.0, 710.0, 1e4, -1e15, 1e99, -1e100];

/// パラメータに入れる値（`EXTREMES` と `INNER`、22 個）。
fn params() -> Vec<f64> {
    EXTREMES.iter().chain(&INNER).copied().collect()
}

/// 確率の領域の許容（Ising モデルの列挙の許容 `ENUMERATION_TOLERANCE` と同じ）。
const PROB_TOL: f64 = 1e-9;

/// 対数の領域の許容: `Σ|θ|` に比例する丸めの大きさ。
fn log_tol(l1: f64) -> f64 {
    1e-13 * l1.max(1.0)
}

/// 確率の値まで確かめる精度の範囲か（Ising モデルの列挙の上限と同じ `Σ|θ| ≤ 1e4`）。
fn precise(l1: f64) -> bool {
    l1 <= MAX_ENUMERATION_L1
}

/// RBM の形 `(N_v, N_h)`: 両方の枝（`N_h ≤ N_v` と `N_h > N_v`）、ユニットは合わせて 5 以下。
const SHAPES: [(usize, usize); 5] = [(1, 1), (1, 2), (2, 1), (2, 3), (3, 2)];

/// 項を大きさの順に補償つきで足す（定義どおりの指数を、実装と独立に正確に求める）。
fn ksum(mut terms: Vec<f64>) -> f64 {
    terms.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for t in terms {
        let y = t - c;
        let s = sum + y;
        c = (s - sum) - y;
        sum = s;
    }
    sum
}

/// `ln Σ e^{x}`（最大値をくくり出す）。
fn lse(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

fn within(a: f64, b: f64, tol: f64) -> bool {
    a.is_finite() && (a - b).abs() <= tol
}

fn unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// 状態の番号 `s` の第 `k` ビットをユニット `k` の値とする。
fn bits(s: usize, n: usize) -> Vec<u8> {
    (0..n).map(|k| ((s >> k) & 1) as u8).collect()
}

/// `{0, 1}` の行の状態の番号。
fn state_of<'a>(row: impl IntoIterator<Item = &'a u8>) -> usize {
    row.into_iter()
        .enumerate()
        .map(|(i, &x)| usize::from(x) << i)
        .sum()
}

/// 誤りの種類が同じか（長さの不一致は期待と実際の長さまで比べる）。
fn same_kind(got: &Error, want: &Error) -> bool {
    match want {
        Error::DimensionMismatch { .. } | Error::TooManySpins { .. } | Error::EmptyInput => {
            got == want
        }
        _ => discriminant(got) == discriminant(want),
    }
}

fn err_like<T>(r: &Result<T>, want: &Error) -> bool {
    matches!(r, Err(e) if same_kind(e, want))
}

fn too_many<T>(r: &Result<T>, n: usize, max: usize) -> bool {
    matches!(r, Err(Error::TooManySpins { n: a, max: b }) if (*a, *b) == (n, max))
}

fn invalid_named<T>(r: &Result<T>, want: &str) -> bool {
    matches!(r, Err(Error::InvalidParameter { name, .. }) if *name == want)
}

/// 精度の上限 `Σ|θ| ≤ MAX_ENUMERATION_L1` の外のモデルを断った誤り。
fn precision_refused<T>(r: &Result<T>) -> bool {
    invalid_named(r, "Σ|θ|")
}

/// 種類だけを比べる「定義域の外」の誤り。
const INVALID: Error = Error::InvalidParameter {
    name: "",
    value: 0.0,
    requirement: "",
};

const NON_FINITE: Error = Error::NonFinite { what: "", index: 0 };

fn mismatch(expected: usize, actual: usize) -> Error {
    Error::DimensionMismatch { expected, actual }
}

/// 2 次元の配列と同じ値を読む、連続でないビューの元（転置・1 行おき）。1 行おきの間の行は `fill`（読んではいけない値）。
fn views_of<T: Copy>(d: &Array2<T>, fill: T) -> [(&'static str, Array2<T>); 2] {
    let (r, c) = d.dim();
    [
        ("転置", Array2::from_shape_fn((c, r), |(k, i)| d[[i, k]])),
        (
            "1 行おき",
            Array2::from_shape_fn(
                (2 * r, c),
                |(i, k)| {
                    if i % 2 == 0 { d[[i / 2, k]] } else { fill }
                },
            ),
        ),
    ]
}

fn view_of<'a, T>(kind: &str, stored: &'a Array2<T>) -> ArrayView2<'a, T> {
    match kind {
        "転置" => stored.t(),
        _ => stored.slice_axis(Axis(0), Slice::from(..).step_by(2)),
    }
}

/// 長さ `n` の `{0, 1}` のベクトルの誤り 4 通り（空、長すぎる、`2`、`255`）と期待する誤り。
fn bad_units(n: usize) -> Vec<(Vec<u8>, Error)> {
    let mut two = vec![0u8; n];
    two[0] = 2;
    let mut max = vec![1u8; n];
    max[n - 1] = 255;
    vec![
        (vec![], mismatch(n, 0)),
        (vec![0; n + 1], mismatch(n, n + 1)),
        (two, INVALID),
        (max, INVALID),
    ]
}

/// 長さ `n` の `±1` のベクトルの誤り 5 通り（空、長すぎる、`0`、`2`、`i8::MIN`）と期待する誤り。
fn bad_spins(n: usize) -> Vec<(Vec<i8>, Error)> {
    let mut out = vec![
        (vec![], mismatch(n, 0)),
        (vec![1; n + 1], mismatch(n, n + 1)),
    ];
    for bad in [0, 2, i8::MIN] {
        let mut x = vec![1i8; n];
        x[n - 1] = bad;
        out.push((x, INVALID));
    }
    out
}

/// データの組: 正しいものと、誤りのあるもの（期待する誤りつき）。
type Datasets<T> = (Vec<Array2<T>>, Vec<(Array2<T>, Error)>);

/// `{0, 1}` のデータ: 正しいもの 3 つ（全状態を 1 回ずつ、1 だけの 1 行、乱数の 5 行）と、誤りのあるもの 6 つ。
fn unit_datasets(nv: usize, rng: &mut ChaCha8Rng) -> Datasets<u8> {
    let all = Array2::from_shape_fn((1 << nv, nv), |(s, i)| ((s >> i) & 1) as u8);
    let random = Array2::from_shape_fn((5, nv), |_| u8::from(rng.random_bool(0.5)));
    let mut two = Array2::<u8>::ones((2, nv));
    two[[1, 0]] = 2;
    let mut max = Array2::<u8>::zeros((2, nv));
    max[[0, nv - 1]] = 255;
    let bad = vec![
        (Array2::zeros((0, nv)), Error::EmptyInput),
        (Array2::zeros((0, 0)), Error::EmptyInput),
        (Array2::zeros((2, 0)), mismatch(nv, 0)),
        (Array2::zeros((2, nv + 1)), mismatch(nv, nv + 1)),
        (two, INVALID),
        (max, INVALID),
    ];
    (vec![all, Array2::ones((1, nv)), random], bad)
}

/// `{0, 1}` のデータの経験分布のエントロピー `H(p_0)`（平均対数尤度の上限 `−H(p_0)`、ギブスの不等式）。
fn unit_entropy(d: &Array2<u8>) -> f64 {
    let mut counts = vec![0usize; 1 << d.ncols()];
    for row in d.rows() {
        counts[state_of(row)] += 1;
    }
    let n = d.nrows() as f64;
    -counts
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| k as f64 / n * (k as f64 / n).ln())
        .sum::<f64>()
}

/// 列優先に並べた同じ値の行列（連続でない配置のパラメータ）。
fn column_major(w: &Array2<f64>) -> Array2<f64> {
    let mut t = Array2::zeros((w.ncols(), w.nrows()));
    t.assign(&w.t());
    t.reversed_axes()
}

/// 負の歩幅で同じ値を読む所有配列。
fn negative_stride(b: &Array1<f64>) -> Array1<f64> {
    let mut r: Array1<f64> = b.iter().rev().copied().collect();
    r.invert_axis(Axis(0));
    r
}

// ---------------------------------------------------------------- RBM の正しい値（全状態の定義どおりの和）

/// モーメント `(⟨v⟩, ⟨h⟩, ⟨v hᵀ⟩)`。
struct Moments3 {
    v: Vec<f64>,
    h: Vec<f64>,
    vh: Vec<Vec<f64>>,
}

impl Moments3 {
    fn zeros(nv: usize, nh: usize) -> Self {
        Self {
            v: vec![0.0; nv],
            h: vec![0.0; nh],
            vh: vec![vec![0.0; nh]; nv],
        }
    }

    fn scaled(mut self, s: f64) -> Self {
        self.v.iter_mut().for_each(|x| *x *= s);
        self.h.iter_mut().for_each(|x| *x *= s);
        self.vh.iter_mut().flatten().for_each(|x| *x *= s);
        self
    }

    fn close_to(&self, m: &RbmMoments, tol: f64) -> bool {
        m.v.len() == self.v.len()
            && m.h.len() == self.h.len()
            && m.vh.dim() == (self.v.len(), self.h.len())
            && m.v.iter().zip(&self.v).all(|(a, b)| within(*a, *b, tol))
            && m.h.iter().zip(&self.h).all(|(a, b)| within(*a, *b, tol))
            && m.vh
                .indexed_iter()
                .all(|((i, j), a)| within(*a, self.vh[i][j], tol))
    }
}

/// 確率のモーメントの値域: どれも `[0, 1]`、`max(0, ⟨v⟩ + ⟨h⟩ − 1) ≤ ⟨v h⟩ ≤ min(⟨v⟩, ⟨h⟩)`（フレシェの上下界）。
fn moments_in_range(m: &RbmMoments) -> bool {
    let slack = 1e-12;
    m.v.iter().chain(&m.h).chain(&m.vh).all(|&x| unit(x))
        && m.vh.indexed_iter().all(|((i, j), &x)| {
            x <= m.v[i].min(m.h[j]) + slack && x >= m.v[i] + m.h[j] - 1.0 - slack
        })
}

fn gradient_in_range(g: &RbmGradient, nv: usize, nh: usize) -> bool {
    g.w.dim() == (nv, nh)
        && g.b.len() == nv
        && g.c.len() == nh
        && g.w.iter().chain(&g.b).chain(&g.c).all(|x| x.abs() <= 1.0)
}

struct RbmOracle {
    nv: usize,
    nh: usize,
    l1: f64,
    /// `ne[s_v][s_h] = −E(v, h)`
    ne: Vec<Vec<f64>>,
    log_z: f64,
    /// `F(v)`
    free: Vec<f64>,
    w: Array2<f64>,
    b: Array1<f64>,
    c: Array1<f64>,
}

impl RbmOracle {
    fn new(w: &Array2<f64>, b: &Array1<f64>, c: &Array1<f64>) -> Self {
        let (nv, nh) = w.dim();
        let l1 = w.iter().chain(b).chain(c).map(|x| x.abs()).sum();
        let ne: Vec<Vec<f64>> = (0..1usize << nv)
            .map(|sv| {
                let v = bits(sv, nv);
                (0..1usize << nh)
                    .map(|sh| {
                        let h = bits(sh, nh);
                        let mut terms = Vec::new();
                        for i in (0..nv).filter(|&i| v[i] == 1) {
                            terms.push(b[i]);
                            terms.extend((0..nh).filter(|&j| h[j] == 1).map(|j| w[[i, j]]));
                        }
                        terms.extend((0..nh).filter(|&j| h[j] == 1).map(|j| c[j]));
                        ksum(terms)
                    })
                    .collect()
            })
            .collect();
        let all: Vec<f64> = ne.iter().flatten().copied().collect();
        let free = ne.iter().map(|row| -lse(row)).collect();
        Self {
            nv,
            nh,
            l1,
            log_z: lse(&all),
            free,
            ne,
            w: w.clone(),
            b: b.clone(),
            c: c.clone(),
        }
    }

    fn of(rbm: &Rbm) -> Self {
        Self::new(
            &rbm.weights().to_owned(),
            &rbm.visible_bias().to_owned(),
            &rbm.hidden_bias().to_owned(),
        )
    }

    fn precise(&self) -> bool {
        precise(self.l1)
    }

    fn tol(&self) -> f64 {
        log_tol(self.l1)
    }

    /// `q(h_j = 1 | v)` を `h` の和で。
    fn p_h(&self, sv: usize) -> Vec<f64> {
        let f = lse(&self.ne[sv]);
        (0..self.nh)
            .map(|j| {
                (0..1usize << self.nh)
                    .filter(|sh| (sh >> j) & 1 == 1)
                    .map(|sh| (self.ne[sv][sh] - f).exp())
                    .sum()
            })
            .collect()
    }

    /// `q(v_i = 1 | h)` を `v` の和で。
    fn p_v(&self, sh: usize) -> Vec<f64> {
        let col: Vec<f64> = self.ne.iter().map(|row| row[sh]).collect();
        let f = lse(&col);
        (0..self.nv)
            .map(|i| {
                (0..1usize << self.nv)
                    .filter(|sv| (sv >> i) & 1 == 1)
                    .map(|sv| (col[sv] - f).exp())
                    .sum()
            })
            .collect()
    }

    /// 同時分布 `q(v, h)` でのモーメント。
    fn model_moments(&self) -> Moments3 {
        let mut m = Moments3::zeros(self.nv, self.nh);
        for (sv, row) in self.ne.iter().enumerate() {
            for (sh, &e) in row.iter().enumerate() {
                let q = (e - self.log_z).exp();
                for i in (0..self.nv).filter(|i| (sv >> i) & 1 == 1) {
                    m.v[i] += q;
                    for j in (0..self.nh).filter(|j| (sh >> j) & 1 == 1) {
                        m.vh[i][j] += q;
                    }
                }
                for j in (0..self.nh).filter(|j| (sh >> j) & 1 == 1) {
                    m.h[j] += q;
                }
            }
        }
        m
    }

    /// データで可視層を固定したモーメント（隠れ層は条件つき確率で平均）。
    fn data_moments(&self, d: &Array2<u8>) -> Moments3 {
        let mut m = Moments3::zeros(self.nv, self.nh);
        for row in d.rows() {
            let p = self.p_h(state_of(row));
            for (hj, pj) in m.h.iter_mut().zip(&p) {
                *hj += pj;
            }
            for i in (0..self.nv).filter(|&i| row[i] == 1) {
                m.v[i] += 1.0;
                for (x, pj) in m.vh[i].iter_mut().zip(&p) {
                    *x += pj;
                }
            }
        }
        m.scaled(1.0 / d.nrows() as f64)
    }

    /// データの行の自由エネルギーの平均。
    fn mean_free(&self, d: &Array2<u8>) -> f64 {
        d.rows()
            .into_iter()
            .map(|r| self.free[state_of(r)])
            .sum::<f64>()
            / d.nrows() as f64
    }

    /// 平均場の再構成誤差を定義どおりに。
    fn reconstruction(&self, d: &Array2<u8>) -> f64 {
        let s = |x: f64| 1.0 / (1.0 + (-x).exp());
        let mut sum = 0.0;
        for row in d.rows() {
            let p: Vec<f64> = (0..self.nh)
                .map(|j| {
                    s(self.c[j]
                        + (0..self.nv)
                            .map(|i| self.w[[i, j]] * f64::from(row[i]))
                            .sum::<f64>())
                })
                .collect();
            for i in 0..self.nv {
                let r = s(self.b[i] + (0..self.nh).map(|j| self.w[[i, j]] * p[j]).sum::<f64>());
                sum += (f64::from(row[i]) - r).powi(2);
            }
        }
        sum / d.nrows() as f64
    }
}

/// `Rbm::new`・`SpinRbm::new` が返すべき誤り（受け入れるなら `None`）。
fn expected_new_error(w: &Array2<f64>, b: &Array1<f64>, c: &Array1<f64>) -> Option<Error> {
    let (nv, nh) = w.dim();
    if nv == 0 || nh == 0 {
        return Some(Error::EmptyInput);
    }
    if b.len() != nv {
        return Some(mismatch(nv, b.len()));
    }
    if c.len() != nh {
        return Some(mismatch(nh, c.len()));
    }
    if w.iter().chain(b).chain(c).any(|x| !x.is_finite()) {
        return Some(NON_FINITE);
    }
    let l1: f64 = w.iter().chain(b).chain(c).map(|x| x.abs()).sum();
    (l1 > 1e100).then_some(INVALID)
}

type Params = (Array2<f64>, Array1<f64>, Array1<f64>);

fn new_contract<T>(p: &Params, r: &Result<T>, parts: impl Fn(&T) -> Params) -> bool {
    match expected_new_error(&p.0, &p.1, &p.2) {
        Some(e) => err_like(r, &e),
        None => matches!(r, Ok(m) if parts(m) == *p),
    }
}

fn rbm_parts(m: &Rbm) -> Params {
    (
        m.weights().to_owned(),
        m.visible_bias().to_owned(),
        m.hidden_bias().to_owned(),
    )
}

fn spin_parts(m: &SpinRbm) -> Params {
    (
        m.weights().to_owned(),
        m.visible_bias().to_owned(),
        m.hidden_bias().to_owned(),
    )
}

/// 形の誤り 8 通りと期待する誤り。
fn bad_shapes() -> Vec<(Params, Error)> {
    let z2 = |r, c| Array2::<f64>::zeros((r, c));
    let z1 = |n| Array1::<f64>::zeros(n);
    vec![
        ((z2(0, 1), z1(0), z1(1)), Error::EmptyInput),
        ((z2(1, 0), z1(1), z1(0)), Error::EmptyInput),
        ((z2(0, 0), z1(0), z1(0)), Error::EmptyInput),
        ((z2(2, 1), z1(1), z1(1)), mismatch(2, 1)),
        ((z2(2, 1), z1(3), z1(1)), mismatch(2, 3)),
        ((z2(1, 2), z1(1), z1(1)), mismatch(2, 1)),
        ((z2(1, 2), z1(1), z1(3)), mismatch(2, 3)),
        ((z2(1, 1), z1(0), z1(0)), mismatch(1, 0)),
    ]
}

/// 極端なパラメータの候補: 形ごとに、1 つずつ（ほかは `[−1, 1]` の乱数。パラメータが 5 個以下の形ではすべての位置、
/// 11 個の形では `W`・`b`・`c` それぞれの最初と最後の位置）、全部同じ値、乱数で選んだ値の組み合わせ。
fn rbm_candidates(rng: &mut ChaCha8Rng) -> Vec<Params> {
    let ps = params();
    let mut out = Vec::new();
    for &(nv, nh) in &SHAPES {
        let m = nv * nh + nv + nh;
        let split = |t: &[f64]| -> Params {
            (
                Array2::from_shape_vec((nv, nh), t[..nv * nh].to_vec()).unwrap(),
                Array1::from(t[nv * nh..nv * nh + nv].to_vec()),
                Array1::from(t[nv * nh + nv..].to_vec()),
            )
        };
        // EXTREMES は選んだ位置すべてに、INNER は W_00・b_0・c_0 の 3 つの位置に
        let ends = [
            0,
            nv * nh - 1,
            nv * nh,
            nv * nh + nv - 1,
            nv * nh + nv,
            m - 1,
        ];
        for pos in (0..m).filter(|p| m <= 5 || ends.contains(p)) {
            let inner = pos == 0 || pos == nv * nh || pos == nv * nh + nv;
            for &x in ps
                .iter()
                .take(if inner { ps.len() } else { EXTREMES.len() })
            {
                let mut t: Vec<f64> = (0..m).map(|_| rng.random_range(-1.0..1.0)).collect();
                t[pos] = x;
                out.push(split(&t));
            }
        }
        for &x in &ps {
            out.push(split(&vec![x; m]));
        }
        for _ in 0..6 {
            let t: Vec<f64> = (0..m).map(|_| ps[rng.random_range(0..ps.len())]).collect();
            out.push(split(&t));
        }
    }
    out
}

// ---------------------------------------------------------------- 0. 掃引で見つけて直した不具合

/// 直した不具合 1: `HiddenIsing` は Ising モデルの列挙の精度の上限 `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` を確かめなかった。
///
/// `h = (1, 0)`、`J = 1e99`、見える変数 1 つ: `(+,+)` と `(−,−)` の指数 `1e99 ± 1` は `f64` では同じ `1e99` に丸まり、
/// 行ごとの log-sum-exp も全体の `ln Z` も `1e99` になる。結果は `ln q(±1) = 0`（`q` の和が 2）、`⟨x_0 x_1⟩ = 2`、
/// `D_KL(δ_{+1} ‖ q) = 0`（正しくは `q(+1) = e/(e + e^{−1}) ≈ 0.881`、`⟨x_0 x_1⟩ = 1`、`KL = −ln 0.881 ≈ 0.127`）だった。
/// 隠れ変数が 2 つなら事後分布の和も 2 になった。今は同じ `Ising` の `log_z`・`exact` と同じく、`HiddenIsing::new` が
/// `InvalidParameter` で断る。上限ちょうどのモデルは作れて、確率の値が正しい。
#[test]
fn hidden_ising_probabilities_beyond_enumeration_precision() {
    let refused =
        |r: Result<HiddenIsing>| matches!(r, Err(Error::InvalidParameter { name: "Σ|θ|", .. }));
    let two = Ising::new(array![1.0, 0.0], array![1e99]).unwrap();
    assert!(is_invalid(&two.log_z()));
    assert!(refused(HiddenIsing::new(two, 1)));
    let three = Ising::new(array![0.0, 0.0, 0.0], array![1e99, 0.0, 0.0]).unwrap();
    assert!(refused(HiddenIsing::new(three, 1)));
    // 上限のすぐ外は断る
    let over = Ising::new(array![1.0, 0.0], array![MAX_ENUMERATION_L1]).unwrap();
    assert!(refused(HiddenIsing::new(over, 1)));
    // 上限ちょうど（Σ|θ| = 1e4）: 周辺分布・期待値・KL 情報量・事後分布が正しい
    let m = HiddenIsing::new(
        Ising::new(array![1.0, 0.0], array![MAX_ENUMERATION_L1 - 1.0]).unwrap(),
        1,
    )
    .unwrap();
    let q_plus = 1f64.exp() / (1f64.exp() + (-1f64).exp());
    let lm = m.log_marginal().unwrap();
    assert!(
        within(lm[0].exp(), q_plus, PROB_TOL) && within(lm.mapv(f64::exp).sum(), 1.0, PROB_TOL)
    );
    let s = m.free_statistics().unwrap();
    assert!(s.iter().all(|x| x.abs() <= 1.0 + PROB_TOL) && within(s[2], 1.0, PROB_TOL));
    assert!(within(
        m.kl(&array![[1i8]]).unwrap(),
        -q_plus.ln(),
        PROB_TOL
    ));
    let post = m.posterior(&[1i8]).unwrap();
    assert!(within(post.sum(), 1.0, PROB_TOL) && within(post[0], 1.0, PROB_TOL));
}

/// 直した不具合 2: `Rbm` は `Σ|θ| ≤ 1e100` までを受け入れ、`ln Z` との差をとる関数の精度の上限を確かめなかった。
///
/// - `W = 0`、`b = 0`、`c = 1e99`（可視 1・隠れ 1）: `W = 0` なので可視ユニットは `c` によらず一様で、どのデータでも
///   平均対数尤度は `−ln 2`。実装は `ln Z = ln 2 + softplus(c)` の `ln 2` を丸めで失い、データ `(1), (1), (1)` では
///   `−1.2e83`（自由エネルギーの平均の丸め）、`c = 1e17` のデータ `(0), (1)` では `0` を返していた。
/// - `W = −1e99`、`b = c = 1e99`: 状態 `(1,0)`・`(0,1)`・`(1,1)` の指数はどれも `1e99` で、`q(v = 1) = 2/3`、
///   `⟨h⟩ = 2/3`。データ `(0), (1)` の平均対数尤度は `0` を返していたが、ギブスの不等式から `−H(p_0) = −ln 2` 以下
///   でなければならない（正しくは `(ln(1/3) + ln(2/3))/2 ≈ −0.752`）。モデルのモーメントも `⟨h⟩ = 0.5` だった。
///   `Σ|θ| = 3e17` でも同じ。
///
/// 今は確率・モーメント・対数尤度・勾配を列挙で求める関数（`mean_log_likelihood`、`model_moments`、`exact_gradient`、
/// `gibbs_kernel`、`cd_expected_gradient`）が Ising モデルと同じ `Σ|θ| ≤ 1e4` を求め、超えれば `InvalidParameter` で断る。
/// 対数の領域の値（`log_z`、`free_energy`、`SpinRbm::log_z`）は相対精度で求まるので、これまでどおり返す。
/// 上限ちょうどでは値が正しい。
#[test]
fn rbm_probabilities_beyond_enumeration_precision() {
    let refused = |r: Result<()>| matches!(r, Err(Error::InvalidParameter { name: "Σ|θ|", .. }));
    for (c, data) in [(1e99, array![[1u8], [1], [1]]), (1e17, array![[0u8], [1]])] {
        let rbm = Rbm::new(array![[0.0]], array![0.0], array![c]).unwrap();
        assert!(
            refused(rbm.mean_log_likelihood(&data).map(drop)),
            "c = {c:e}"
        );
        assert!(within(rbm.log_z().unwrap(), c, log_tol(c)));
    }
    let data = array![[0u8], [1]];
    for scale in [1e99, 1e17] {
        let rbm = Rbm::new(array![[-scale]], array![scale], array![scale]).unwrap();
        assert!(refused(rbm.mean_log_likelihood(&data).map(drop)));
        assert!(refused(rbm.model_moments().map(drop)));
        assert!(refused(rbm.exact_gradient(&data).map(drop)));
        assert!(refused(rbm.gibbs_kernel().map(drop)));
        assert!(refused(rbm.cd_expected_gradient(&data, 1).map(drop)));
        assert!(within(rbm.log_z().unwrap(), scale, log_tol(3.0 * scale)));
        let spin = SpinRbm::from_binary(&rbm).unwrap();
        assert!(spin.log_z().unwrap().is_finite());
    }
    // 上限ちょうど（Σ|θ| = 1e4）: 同じ形で ⟨h⟩ = q(v = 1) = 2/3、平均対数尤度は (ln(1/3) + ln(2/3))/2
    let s = MAX_ENUMERATION_L1 / 3.0;
    let rbm = Rbm::new(array![[-s]], array![s], array![s]).unwrap();
    let want_ll = ((1.0f64 / 3.0).ln() + (2.0f64 / 3.0).ln()) / 2.0;
    assert!(within(
        rbm.mean_log_likelihood(&data).unwrap(),
        want_ll,
        PROB_TOL
    ));
    let m = rbm.model_moments().unwrap();
    assert!(within(m.h[0], 2.0 / 3.0, PROB_TOL) && within(m.v[0], 2.0 / 3.0, PROB_TOL));
    let c = Rbm::new(array![[0.0]], array![0.0], array![MAX_ENUMERATION_L1]).unwrap();
    assert!(within(
        c.mean_log_likelihood(&array![[1u8], [1], [1]]).unwrap(),
        -std::f64::consts::LN_2,
        PROB_TOL
    ));
}

/// 直した不具合 3: 鎖の長さ `usize::MAX` は断られず、事実上終わらない計算になっていた。
///
/// `Rbm::cd_expected_gradient` は仕事 `k · 2^{N_v + N_h} > 2^34` を `TooLarge` で断っていたが、標本を使う
/// `Rbm::gibbs`（`steps`）、`Rbm::cd_gradient`（`k`）、`Pcd::gradient`（`k`）、`Rbm::train`（`Method::Cd { k }`・
/// `Method::Pcd { k, .. }`・`steps`）は上限を持たず、`usize::MAX` 往復を回し続けた。今はどれも、仕事
/// （往復の回数 × 鎖の数 × `(N_v N_h + N_v + N_h)`）が `MAX_CHAIN_WORK = 2^38` を超えれば、鎖を進める前に `TooLarge` を返す。
/// 直し方が戻っても掃引が止まらないよう、別のスレッドで呼んで 2 秒以内に返ることも確かめる
/// （返らないスレッドはテストのプロセスの終わりに消える）。
#[test]
fn unbounded_chain_lengths_are_refused() {
    // 1 × 1 の RBM の 1 往復は 3 単位
    let rbm = Rbm::new(array![[0.5]], array![0.1], array![-0.2]).unwrap();
    let data = array![[1u8]];
    let max = |per: u64| usize::try_from(MAX_CHAIN_WORK / per).unwrap();
    let too_large = |what: &'static str, requested: usize, m: usize| Error::TooLarge {
        what,
        requested,
        max: m,
    };
    let mut failures = Vec::new();
    let (r, d) = (rbm.clone(), data.clone());
    let got = deadline(2, move || {
        r.gibbs(&d, usize::MAX, &mut ChaCha8Rng::seed_from_u64(0))
            .err()
    });
    if got != Some(Some(too_large("steps", usize::MAX, max(3)))) {
        failures.push(format!("gibbs(steps = usize::MAX) = {got:?}"));
    }
    let (r, d) = (rbm.clone(), data.clone());
    let got = deadline(2, move || {
        r.cd_gradient(&d, usize::MAX, &mut ChaCha8Rng::seed_from_u64(0))
            .err()
    });
    if got != Some(Some(too_large("k", usize::MAX, max(3)))) {
        failures.push(format!("cd_gradient(k = usize::MAX) = {got:?}"));
    }
    let (r, d) = (rbm.clone(), data.clone());
    let got = deadline(2, move || {
        let mut pcd = Pcd::from_states(&d).unwrap();
        let before = pcd.clone();
        let e = pcd
            .gradient(&r, &d, usize::MAX, &mut ChaCha8Rng::seed_from_u64(0))
            .err();
        (e, pcd == before)
    });
    if got != Some((Some(too_large("k", usize::MAX, max(3))), true)) {
        failures.push(format!("Pcd::gradient(k = usize::MAX) = {got:?}"));
    }
    let config = TrainConfig {
        learning_rate: 0.1,
        steps: 1,
        batch_size: 1,
        seed: 0,
    };
    let forever = TrainConfig {
        steps: usize::MAX,
        ..config
    };
    for (method, config, want) in [
        (
            Method::Cd { k: usize::MAX },
            config,
            too_large("k", usize::MAX, max(3)),
        ),
        (
            Method::Pcd {
                k: usize::MAX,
                chains: 4,
            },
            config,
            too_large("k", usize::MAX, max(12)),
        ),
        (
            Method::Cd { k: 1 },
            forever,
            too_large("steps", usize::MAX, max(3)),
        ),
        (
            Method::Pcd { k: 1, chains: 4 },
            forever,
            too_large("steps", usize::MAX, max(12)),
        ),
        // 厳密な勾配の 1 歩: (2^1 + 1) · 3 単位
        (
            Method::Exact,
            forever,
            too_large("steps", usize::MAX, max(9)),
        ),
    ] {
        let (r, d) = (rbm.clone(), data.clone());
        let got = deadline(2, move || {
            let mut seen = 0;
            let e = r
                .train(&d, method, &config, |_, _| {
                    seen += 1;
                    Ok(())
                })
                .err();
            (e, seen)
        });
        if got != Some((Some(want), 0)) {
            failures.push(format!(
                "train({method:?}, steps = {}) = {got:?}",
                config.steps
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// 直した不具合 4（軽い）: `RbmGradient::norm` は 2 乗の和を素朴にとっていたので、途中の値があふれる・0 に落ちた。
///
/// 公開の欄から組み立てた `w = [[1e200]]` のノルムは `∞`（正しくは `1e200`）、`w = [[1e-200]]` では `0`
/// （正しくは `1e-200`）だった。ライブラリが返す勾配は成分が `[−1, 1]` なので、前者は起きない。後者は成分がすべて
/// `1e-154` 未満のときに起きた。今は 2 乗の和が正規化数に収まらないときだけ、最大の絶対値でくくってから 2 乗する。
#[test]
fn gradient_norm_does_not_overflow_in_the_middle() {
    let g = |x: f64| RbmGradient {
        w: array![[x]],
        b: array![0.0],
        c: array![0.0],
    };
    assert_eq!((g(1e200).norm(), g(1e-200).norm()), (1e200, 1e-200));
    assert_eq!((g(-1e300).norm(), g(-1e-300).norm()), (1e300, 1e-300));
    assert_eq!(g(f64::MAX).norm(), f64::MAX);
    assert_eq!(g(1e-320).norm(), 1e-320);
}

// ---------------------------------------------------------------- 1. softplus と σ

#[test]
fn sweep_activation_functions() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(4000);
    let mut xs: Vec<f64> = EXTREMES.to_vec();
    xs.extend([
        5e-324, -5e-324, 1e-300, 0.5, -0.5, 36.7, -36.7, 40.0, -40.0, 709.0, 709.8, 710.0, -708.0,
        -745.0, -745.2, -746.0, 1e16, -1e16, 1e300, -1e300,
    ]);
    // 符号つきの対数一様な乱数（`1e-320` から `1e308`）
    xs.extend((0..2000).map(|_| {
        let x = 10f64.powf(rng.random_range(-320.0..308.0));
        if rng.random_bool(0.5) { x } else { -x }
    }));
    let eps = f64::EPSILON;
    for &x in &xs {
        sw.probe(
            "softplus",
            &x,
            || Ok(softplus(x)),
            |r| {
                let y = *r.as_ref().unwrap();
                if x.is_nan() {
                    return y.is_nan();
                }
                if x.is_infinite() {
                    return y == x.max(0.0);
                }
                let floor = x.max(0.0);
                // max(x, 0) ≤ softplus(x) ≤ max(x, 0) + ln 2、x ≤ 0 なら ≤ eˣ、素朴な式が正確な範囲では一致
                y.is_finite()
                    && y >= floor
                    && y - floor <= std::f64::consts::LN_2 * (1.0 + eps)
                    && (x > 0.0 || y <= x.exp() * (1.0 + 2.0 * eps))
                    && (x.abs() > 30.0 || (y - x.exp().ln_1p()).abs() <= 4.0 * eps * y.max(1e-300))
            },
        );
        sw.probe(
            "sigmoid",
            &x,
            || Ok(sigmoid(x)),
            |r| {
                let y = *r.as_ref().unwrap();
                if x.is_nan() {
                    return y.is_nan();
                }
                if x.is_infinite() {
                    return y == if x > 0.0 { 1.0 } else { 0.0 };
                }
                // [0, 1]、σ(x) + σ(−x) = 1（丸め 2 回ぶん）、符号に合う側、x ≤ 0 なら ≤ eˣ、σ = exp(x − softplus(x))
                unit(y)
                    && (y + sigmoid(-x) - 1.0).abs() <= 2.0 * eps
                    && (x < 0.0 || y >= 0.5)
                    && (x > 0.0 || y <= 0.5)
                    && (x > 0.0 || y <= x.exp())
                    && (x < -700.0 || (y - (x - softplus(x)).exp()).abs() <= 1e-14 * y)
            },
        );
    }
    sw.finish(2, 4_066);
}

// ---------------------------------------------------------------- 2. RBM のモデルと厳密な計算

/// 1 つの RBM に、エネルギーから再構成誤差までの厳密な関数を、正しい入力・誤った入力・ビューで呼ぶ。
fn rbm_exact_battery(sw: &mut Sweep, rbm: &Rbm, rng: &mut ChaCha8Rng) {
    let o = RbmOracle::of(rbm);
    let (nv, nh, tol, exact) = (o.nv, o.nh, o.tol(), o.precise());
    let input = (&o.w, &o.b, &o.c);
    sw.probe(
        "Rbm::n_visible",
        &input,
        || Ok(rbm.n_visible()),
        |r| *r == Ok(nv),
    );
    sw.probe(
        "Rbm::n_hidden",
        &input,
        || Ok(rbm.n_hidden()),
        |r| *r == Ok(nh),
    );
    sw.probe(
        "Rbm::weights",
        &input,
        || Ok(rbm.weights().to_owned()),
        |r| r.as_ref() == Ok(&o.w),
    );
    sw.probe(
        "Rbm::visible_bias",
        &input,
        || Ok(rbm.visible_bias().to_owned()),
        |r| r.as_ref() == Ok(&o.b),
    );
    sw.probe(
        "Rbm::hidden_bias",
        &input,
        || Ok(rbm.hidden_bias().to_owned()),
        |r| r.as_ref() == Ok(&o.c),
    );
    // エネルギー: 全 (v, h)、誤った v・h、1 つおきのビュー
    for sv in 0..1usize << nv {
        for sh in 0..1usize << nh {
            let (v, h) = (bits(sv, nv), bits(sh, nh));
            let want = -o.ne[sv][sh];
            let check = |r: &Result<f64>| matches!(r, Ok(e) if within(*e, want, tol));
            sw.probe(
                "Rbm::energy",
                &(&input, &v, &h),
                || rbm.energy(&v[..], &h[..]),
                check,
            );
            if (sv, sh) == (0, 0) || (sv + 1, sh + 1) == (1 << nv, 1 << nh) {
                let (sv_, sh_) = (
                    spread(&Array1::from(v.clone()), 255),
                    spread(&Array1::from(h.clone()), 255),
                );
                sw.probe(
                    "Rbm::energy(ビュー)",
                    &(&input, &v, &h),
                    || rbm.energy(every_other(&sv_), every_other(&sh_)),
                    check,
                );
            }
        }
    }
    for (v, e) in bad_units(nv) {
        sw.probe(
            "Rbm::energy",
            &(&input, &v),
            || rbm.energy(&v[..], &vec![0u8; nh][..]),
            |r| err_like(r, &e),
        );
    }
    for (h, e) in bad_units(nh) {
        sw.probe(
            "Rbm::energy",
            &(&input, &h),
            || rbm.energy(&vec![1u8; nv][..], &h[..]),
            |r| err_like(r, &e),
        );
    }
    // 自由エネルギーと隠れ層の条件つき確率: 全 v、ビュー、誤った v
    for sv in 0..1usize << nv {
        let v = bits(sv, nv);
        let stored = spread(&Array1::from(v.clone()), 255);
        let min_e = -o.ne[sv].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let check_f = |r: &Result<f64>| {
            // F(v) = −ln Σ_h e^{−E(v, h)} ≤ min_h E(v, h)
            matches!(r, Ok(f) if within(*f, o.free[sv], tol) && *f <= min_e + tol)
        };
        sw.probe(
            "Rbm::free_energy",
            &(&input, &v),
            || rbm.free_energy(&v[..]),
            check_f,
        );
        sw.probe(
            "Rbm::free_energy(ビュー)",
            &(&input, &v),
            || rbm.free_energy(every_other(&stored)),
            check_f,
        );
        let want = o.p_h(sv);
        let check_p = |r: &Result<Array1<f64>>| {
            matches!(r, Ok(p) if p.len() == nh && p.iter().all(|&x| unit(x))
                && (!exact || p.iter().zip(&want).all(|(a, b)| within(*a, *b, PROB_TOL))))
        };
        sw.probe(
            "Rbm::p_h_given_v",
            &(&input, &v),
            || rbm.p_h_given_v(&v[..]),
            check_p,
        );
        sw.probe(
            "Rbm::p_h_given_v(ビュー)",
            &(&input, &v),
            || rbm.p_h_given_v(every_other(&stored)),
            check_p,
        );
    }
    for (v, e) in bad_units(nv) {
        sw.probe(
            "Rbm::free_energy",
            &(&input, &v),
            || rbm.free_energy(&v[..]),
            |r| err_like(r, &e),
        );
        sw.probe(
            "Rbm::p_h_given_v",
            &(&input, &v),
            || rbm.p_h_given_v(&v[..]),
            |r| err_like(r, &e),
        );
    }
    for sh in 0..1usize << nh {
        let h = bits(sh, nh);
        let stored = spread(&Array1::from(h.clone()), 255);
        let want = o.p_v(sh);
        let check_p = |r: &Result<Array1<f64>>| {
            matches!(r, Ok(p) if p.len() == nv && p.iter().all(|&x| unit(x))
                && (!exact || p.iter().zip(&want).all(|(a, b)| within(*a, *b, PROB_TOL))))
        };
        sw.probe(
            "Rbm::p_v_given_h",
            &(&input, &h),
            || rbm.p_v_given_h(&h[..]),
            check_p,
        );
        sw.probe(
            "Rbm::p_v_given_h(ビュー)",
            &(&input, &h),
            || rbm.p_v_given_h(every_other(&stored)),
            check_p,
        );
    }
    for (h, e) in bad_units(nh) {
        sw.probe(
            "Rbm::p_v_given_h",
            &(&input, &h),
            || rbm.p_v_given_h(&h[..]),
            |r| err_like(r, &e),
        );
    }
    // ln Z: 定義どおりの和と、Σ_v e^{−F(v)} = Z（実装の F で）
    let lib_free: Vec<f64> = (0..1usize << nv)
        .map(|sv| -rbm.free_energy(&bits(sv, nv)[..]).unwrap())
        .collect();
    sw.probe(
        "Rbm::log_z",
        &input,
        || rbm.log_z(),
        // 対数の領域の値なので、精度の上限の外でも丸めの範囲で正しく求める
        |r| matches!(r, Ok(lz) if within(*lz, o.log_z, tol) && within(lse(&lib_free), *lz, tol)),
    );
    // モデルのモーメントと遷移行列
    let mm = o.model_moments();
    sw.probe(
        "Rbm::model_moments",
        &input,
        || rbm.model_moments(),
        |r| match r {
            Ok(m) => exact && moments_in_range(m) && mm.close_to(m, PROB_TOL),
            Err(_) => !exact && precision_refused(r),
        },
    );
    let q: Vec<f64> = o.free.iter().map(|f| (-f - o.log_z).exp()).collect();
    // 遷移行列は CD-k の期待値の確かめとビューの比較にも使うので、呼んだ結果を取っておく
    let kernel = RefCell::new(None);
    let store = || {
        let r = rbm.gibbs_kernel();
        *kernel.borrow_mut() = Some(r.clone());
        r
    };
    sw.probe("Rbm::gibbs_kernel", &input, store, |r| match r {
        // 成分は行列の積なので、1 を丸め 1 回ぶん超えうる
        Ok(t) => exact && t.dim() == (1 << nv, 1 << nv)
            && t.iter().all(|&x| (0.0..=1.0 + 4.0 * f64::EPSILON).contains(&x))
            && t.rows().into_iter().all(|row| within(row.sum(), 1.0, 1e-12))
            // q は不変分布: q T = q
            && (0..1usize << nv).all(|b| within((0..1usize << nv).map(|a| q[a] * t[[a, b]]).sum::<f64>(), q[b], PROB_TOL)),
        Err(_) => !exact && precision_refused(r),
    });
    let kernel_result = kernel.into_inner().unwrap();
    // 精度の上限の外では遷移行列がないので、CD-k の期待値は断られることだけを確かめる
    let kernel = kernel_result.clone().ok();
    // データに依る関数: 正しいデータ、ビュー、誤ったデータ
    let (valid, bad) = unit_datasets(nv, rng);
    for (idx, d) in valid.iter().enumerate() {
        let dm = o.data_moments(d);
        let counts: Vec<f64> = (0..nv)
            .map(|i| d.column(i).iter().filter(|&&x| x == 1).count() as f64 / d.nrows() as f64)
            .collect();
        let input_d = (&input, d);
        sw.probe(
            "Rbm::mean_free_energy",
            &input_d,
            || rbm.mean_free_energy(d),
            |r| matches!(r, Ok(f) if within(*f, o.mean_free(d), tol)),
        );
        let bound = -unit_entropy(d);
        sw.probe(
            "Rbm::mean_log_likelihood",
            &input_d,
            || rbm.mean_log_likelihood(d),
            |r| match r {
                // ln q(v) ≤ 0、ギブスの不等式 (1/n) Σ ln q(v) ≤ −H(p_0)
                Ok(ll) => {
                    exact
                        && within(*ll, -o.mean_free(d) - o.log_z, 2.0 * tol)
                        && *ll <= tol
                        && *ll <= bound + PROB_TOL
                }
                Err(_) => !exact && precision_refused(r),
            },
        );
        sw.probe(
            "Rbm::data_moments",
            &input_d,
            || rbm.data_moments(d),
            |r| {
                matches!(r, Ok(m) if moments_in_range(m) && m.v.to_vec() == counts
                && (!exact || dm.close_to(m, PROB_TOL)))
            },
        );
        sw.probe(
            "Rbm::exact_gradient",
            &input_d,
            || rbm.exact_gradient(d),
            |r| match r {
                Ok(g) => {
                    gradient_in_range(g, nv, nh)
                        && (exact
                            && (g
                                .b
                                .iter()
                                .enumerate()
                                .all(|(i, x)| within(*x, dm.v[i] - mm.v[i], PROB_TOL))
                                && g.c
                                    .iter()
                                    .enumerate()
                                    .all(|(j, x)| within(*x, dm.h[j] - mm.h[j], PROB_TOL))
                                && g.w.indexed_iter().all(|((i, j), x)| {
                                    within(*x, dm.vh[i][j] - mm.vh[i][j], PROB_TOL)
                                })))
                }
                Err(_) => !exact && precision_refused(r),
            },
        );
        if idx == 0 {
            if let Ok(g) = rbm.exact_gradient(d) {
                let want =
                    g.w.iter()
                        .chain(&g.b)
                        .chain(&g.c)
                        .map(|x| x * x)
                        .sum::<f64>()
                        .sqrt();
                sw.probe("RbmGradient::norm", &g, || Ok(g.norm()), |r| {
                    matches!(r, Ok(n) if n.is_finite() && within(*n, want, 1e-15) && *n <= ((nv * nh + nv + nh) as f64).sqrt())
                });
            }
        }
        // CD-k の期待値: 遷移行列で P_k = P_0 T^k を進めた負の項と比べる
        // 1 行のデータ（idx = 1）では、ほかの関数と同じく値域と誤りだけを見る
        for k in [vec![1usize, 3], vec![], vec![1]][idx].clone() {
            let Some(kernel) = &kernel else {
                sw.probe(
                    "Rbm::cd_expected_gradient",
                    &(&input_d, k),
                    || rbm.cd_expected_gradient(d, k),
                    precision_refused,
                );
                continue;
            };
            let mut p = vec![0.0f64; 1 << nv];
            for row in d.rows() {
                p[state_of(row)] += 1.0 / d.nrows() as f64;
            }
            for _ in 0..k {
                p = (0..1usize << nv)
                    .map(|b| (0..1usize << nv).map(|a| p[a] * kernel[[a, b]]).sum())
                    .collect();
            }
            let neg_v: Vec<f64> = (0..nv)
                .map(|i| {
                    (0..1usize << nv)
                        .filter(|s| (s >> i) & 1 == 1)
                        .map(|s| p[s])
                        .sum()
                })
                .collect();
            sw.probe(
                "Rbm::cd_expected_gradient",
                &(&input_d, k),
                || rbm.cd_expected_gradient(d, k),
                |r| {
                    matches!(r, Ok(g) if gradient_in_range(g, nv, nh)
                    && g.b.iter().enumerate().all(|(i, x)| within(*x, counts[i] - neg_v[i], 1e-12)))
                },
            );
        }
        // 引数の検査（k = 0、仕事の上限）は精度の検査より先
        if idx == 0 {
            let max_k = ((1u64 << 34) >> (nv + nh)) as usize;
            for k in [0usize, max_k + 1, usize::MAX] {
                sw.probe("Rbm::cd_expected_gradient", &(&input_d, k), || rbm.cd_expected_gradient(d, k), |r| {
                    if k == 0 {
                        invalid_named(r, "k")
                    } else {
                        matches!(r, Err(Error::TooLarge { requested, max, .. }) if *requested == k && *max == max_k)
                    }
                });
            }
        }
        sw.probe("Rbm::reconstruction_error", &input_d, || rbm.reconstruction_error(d), |r| {
            matches!(r, Ok(e) if (0.0..=nv as f64).contains(e) && (!exact || within(*e, o.reconstruction(d), PROB_TOL)))
        });
        // 連続でないビューは連続な複製と同じ結果（全状態のデータで）
        if idx > 0 {
            continue;
        }
        for (kind, stored) in views_of(d, 255) {
            let v = view_of(kind, &stored);
            assert_eq!(v, d);
            let w1 = rbm.mean_free_energy(d);
            sw.probe(
                "Rbm::mean_free_energy(ビュー)",
                &(kind, &input_d),
                || rbm.mean_free_energy(v),
                |r| *r == w1,
            );
            let w2 = rbm.mean_log_likelihood(d);
            sw.probe(
                "Rbm::mean_log_likelihood(ビュー)",
                &(kind, &input_d),
                || rbm.mean_log_likelihood(v),
                |r| *r == w2,
            );
            let w3 = rbm.data_moments(d);
            sw.probe(
                "Rbm::data_moments(ビュー)",
                &(kind, &input_d),
                || rbm.data_moments(v),
                |r| *r == w3,
            );
            let w4 = rbm.exact_gradient(d);
            sw.probe(
                "Rbm::exact_gradient(ビュー)",
                &(kind, &input_d),
                || rbm.exact_gradient(v),
                |r| *r == w4,
            );
            let w5 = rbm.cd_expected_gradient(d, 2);
            sw.probe(
                "Rbm::cd_expected_gradient(ビュー)",
                &(kind, &input_d),
                || rbm.cd_expected_gradient(v, 2),
                |r| *r == w5,
            );
            let w6 = rbm.reconstruction_error(d);
            sw.probe(
                "Rbm::reconstruction_error(ビュー)",
                &(kind, &input_d),
                || rbm.reconstruction_error(v),
                |r| *r == w6,
            );
        }
    }
    for (d, e) in &bad {
        let input_d = (&input, d);
        sw.probe(
            "Rbm::mean_free_energy",
            &input_d,
            || rbm.mean_free_energy(d),
            |r| err_like(r, e),
        );
        sw.probe(
            "Rbm::mean_log_likelihood",
            &input_d,
            || rbm.mean_log_likelihood(d),
            |r| err_like(r, e),
        );
        sw.probe(
            "Rbm::data_moments",
            &input_d,
            || rbm.data_moments(d),
            |r| err_like(r, e),
        );
        sw.probe(
            "Rbm::exact_gradient",
            &input_d,
            || rbm.exact_gradient(d),
            |r| err_like(r, e),
        );
        // データの検査は k の検査より先
        sw.probe(
            "Rbm::cd_expected_gradient",
            &input_d,
            || rbm.cd_expected_gradient(d, 0),
            |r| err_like(r, e),
        );
        sw.probe(
            "Rbm::reconstruction_error",
            &input_d,
            || rbm.reconstruction_error(d),
            |r| err_like(r, e),
        );
    }
    // 列優先の W と負の歩幅の b・c から作ったモデルは、同じモデルで同じ結果
    let (wf, bn, cn) = (
        column_major(&o.w),
        negative_stride(&o.b),
        negative_stride(&o.c),
    );
    sw.probe(
        "Rbm::new(ビュー)",
        &input,
        || Rbm::new(wf.clone(), bn.clone(), cn.clone()),
        |r| r.as_ref() == Ok(rbm),
    );
    let other = Rbm::new(wf, bn, cn).unwrap();
    let all = &valid[0];
    let w1 = rbm.log_z();
    sw.probe("Rbm::log_z(ビュー)", &input, || other.log_z(), |r| *r == w1);
    let w2 = rbm.model_moments();
    sw.probe(
        "Rbm::model_moments(ビュー)",
        &input,
        || other.model_moments(),
        |r| *r == w2,
    );
    let w3 = kernel_result;
    sw.probe(
        "Rbm::gibbs_kernel(ビュー)",
        &input,
        || other.gibbs_kernel(),
        |r| *r == w3,
    );
    let w4 = rbm.mean_free_energy(all);
    sw.probe(
        "Rbm::mean_free_energy(ビュー)",
        &input,
        || other.mean_free_energy(all),
        |r| *r == w4,
    );
    let w5 = rbm.exact_gradient(all);
    sw.probe(
        "Rbm::exact_gradient(ビュー)",
        &input,
        || other.exact_gradient(all),
        |r| *r == w5,
    );
    let w6 = rbm.reconstruction_error(all);
    sw.probe(
        "Rbm::reconstruction_error(ビュー)",
        &input,
        || other.reconstruction_error(all),
        |r| matches!((r, &w6), (Ok(a), Ok(b)) if within(*a, *b, 1e-15 * b.max(1.0))),
    );
}

#[test]
fn sweep_rbm_model_and_exact() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(4001);
    for (p, e) in bad_shapes() {
        sw.probe(
            "Rbm::new",
            &p,
            || Rbm::new(p.0.clone(), p.1.clone(), p.2.clone()),
            |r| err_like(r, &e),
        );
    }
    // 大きさの上限: 和をとる層 24、遷移行列の可視ユニット 12・全体 20（列挙を始める前に断る）
    let big = Rbm::new(
        Array2::zeros((25, 25)),
        Array1::zeros(25),
        Array1::zeros(25),
    )
    .unwrap();
    let ones = Array2::<u8>::ones((1, 25));
    sw.probe(
        "Rbm::log_z",
        &(25, 25),
        || big.log_z(),
        |r| too_many(r, 25, 24),
    );
    sw.probe(
        "Rbm::model_moments",
        &(25, 25),
        || big.model_moments(),
        |r| too_many(r, 25, 24),
    );
    sw.probe(
        "Rbm::exact_gradient",
        &(25, 25),
        || big.exact_gradient(&ones),
        |r| too_many(r, 25, 24),
    );
    sw.probe(
        "Rbm::mean_log_likelihood",
        &(25, 25),
        || big.mean_log_likelihood(&ones),
        |r| too_many(r, 25, 24),
    );
    // ln Z の要らない自由エネルギーの平均は、どの大きさでも求まる: F(𝟏) = −25 ln 2
    sw.probe(
        "Rbm::mean_free_energy",
        &(25, 25),
        || big.mean_free_energy(&ones),
        |r| matches!(r, Ok(f) if within(*f, -25.0 * std::f64::consts::LN_2, 1e-12)),
    );
    sw.probe(
        "Rbm::gibbs_kernel",
        &(25, 25),
        || big.gibbs_kernel(),
        |r| too_many(r, 25, 12),
    );
    for (nv, nh, n, max) in [(13usize, 1usize, 13, 12), (12, 9, 21, 20)] {
        let m = Rbm::new(
            Array2::zeros((nv, nh)),
            Array1::zeros(nv),
            Array1::zeros(nh),
        )
        .unwrap();
        let d = Array2::<u8>::ones((1, nv));
        sw.probe(
            "Rbm::gibbs_kernel",
            &(nv, nh),
            || m.gibbs_kernel(),
            |r| too_many(r, n, max),
        );
        sw.probe(
            "Rbm::cd_expected_gradient",
            &(nv, nh),
            || m.cd_expected_gradient(&d, 1),
            |r| too_many(r, n, max),
        );
    }
    for p in rbm_candidates(&mut rng) {
        sw.probe(
            "Rbm::new",
            &p,
            || Rbm::new(p.0.clone(), p.1.clone(), p.2.clone()),
            |r| new_contract(&p, r, rbm_parts),
        );
        if let Ok(rbm) = Rbm::new(p.0.clone(), p.1.clone(), p.2.clone()) {
            rbm_exact_battery(&mut sw, &rbm, &mut rng);
        }
    }
    sw.finish(20, 58_204);
}

// ---------------------------------------------------------------- 3. RBM の標本と学習

/// 観測者が学習を止めるときに返す誤り（歩数 `usize::MAX` が確保なしに進むことを確かめる）。
fn stop_signal(t: usize) -> Error {
    Error::TooLarge {
        what: "観測者が止めた歩",
        requested: t,
        max: 2,
    }
}

/// 1 つの RBM に、層の標本・ブロック Gibbs・CD-k・PCD の勾配を、正しい入力・誤った入力・ビューで呼ぶ。
fn rbm_sampling_battery(sw: &mut Sweep, rbm: &Rbm, rng: &mut ChaCha8Rng) {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let input = rbm_parts(rbm);
    let binary = |x: &u8| *x <= 1;
    // 層の標本: 確率が 0 か 1 ちょうどのユニットは乱数によらない
    for sv in 0..1usize << nv {
        let v = bits(sv, nv);
        let p = rbm.p_h_given_v(&v[..]).unwrap();
        let check = |r: &Result<Array1<u8>>| {
            matches!(r, Ok(h) if h.len() == nh && h.iter().all(binary)
                && h.iter().zip(&p).all(|(&x, &pj)| (pj != 1.0 || x == 1) && (pj != 0.0 || x == 0)))
        };
        sw.probe(
            "Rbm::sample_hidden",
            &(&input, &v),
            || rbm.sample_hidden(&v[..], rng),
            check,
        );
        let seed = rng.random::<u64>();
        let want = rbm.sample_hidden(&v[..], &mut ChaCha8Rng::seed_from_u64(seed));
        let stored = spread(&Array1::from(v.clone()), 255);
        sw.probe(
            "Rbm::sample_hidden(ビュー)",
            &(&input, &v),
            || rbm.sample_hidden(every_other(&stored), &mut ChaCha8Rng::seed_from_u64(seed)),
            |r| *r == want,
        );
    }
    for (v, e) in bad_units(nv) {
        sw.probe(
            "Rbm::sample_hidden",
            &(&input, &v),
            || rbm.sample_hidden(&v[..], rng),
            |r| err_like(r, &e),
        );
    }
    for sh in 0..1usize << nh {
        let h = bits(sh, nh);
        let p = rbm.p_v_given_h(&h[..]).unwrap();
        let check = |r: &Result<Array1<u8>>| {
            matches!(r, Ok(v) if v.len() == nv && v.iter().all(binary)
                && v.iter().zip(&p).all(|(&x, &pi)| (pi != 1.0 || x == 1) && (pi != 0.0 || x == 0)))
        };
        sw.probe(
            "Rbm::sample_visible",
            &(&input, &h),
            || rbm.sample_visible(&h[..], rng),
            check,
        );
        let seed = rng.random::<u64>();
        let want = rbm.sample_visible(&h[..], &mut ChaCha8Rng::seed_from_u64(seed));
        let stored = spread(&Array1::from(h.clone()), 255);
        sw.probe(
            "Rbm::sample_visible(ビュー)",
            &(&input, &h),
            || rbm.sample_visible(every_other(&stored), &mut ChaCha8Rng::seed_from_u64(seed)),
            |r| *r == want,
        );
    }
    for (h, e) in bad_units(nh) {
        sw.probe(
            "Rbm::sample_visible",
            &(&input, &h),
            || rbm.sample_visible(&h[..], rng),
            |r| err_like(r, &e),
        );
    }
    // ブロック Gibbs と CD-k
    let (valid, bad) = unit_datasets(nv, rng);
    for (idx, d) in valid.iter().enumerate() {
        let n = d.nrows() as f64;
        for steps in [0usize, 2] {
            sw.probe("Rbm::gibbs", &(&input, d, steps), || rbm.gibbs(d, steps, rng), |r| {
                matches!(r, Ok(out) if out.dim() == d.dim() && out.iter().all(binary) && (steps > 0 || out == d))
            });
        }
        // 仕事の上限: 歩数・往復の回数が上限を 1 つ超える・usize::MAX なら、鎖を進める前に断る
        let max_count_d = max_count((d.nrows() as u64).saturating_mul(sweep_units(rbm)));
        for count in [max_count_d + 1, usize::MAX] {
            sw.probe(
                "Rbm::gibbs",
                &(&input, d, count),
                || rbm.gibbs(d, count, rng),
                |r| {
                    matches!(r, Err(Error::TooLarge { what: "steps", requested, max })
                        if *requested == count && *max == max_count_d)
                },
            );
            sw.probe(
                "Rbm::cd_gradient",
                &(&input, d, count),
                || rbm.cd_gradient(d, count, rng),
                |r| {
                    matches!(r, Err(Error::TooLarge { what: "k", requested, max })
                        if *requested == count && *max == max_count_d)
                },
            );
        }
        for k in [0usize, 1] {
            sw.probe(
                "Rbm::cd_gradient",
                &(&input, d, k),
                || rbm.cd_gradient(d, k, rng),
                |r| {
                    if k == 0 {
                        return invalid_named(r, "k");
                    }
                    // ∂/∂b は「データの平均 − 鎖の平均」なので、n 倍すると整数
                    matches!(r, Ok(g) if gradient_in_range(g, nv, nh)
                    && g.b.iter().all(|x| ((x * n) - (x * n).round()).abs() <= 1e-9))
                },
            );
        }
        if idx > 0 {
            continue;
        }
        for (kind, stored) in views_of(d, 255) {
            let v = view_of(kind, &stored);
            let seed = rng.random::<u64>();
            let want = rbm.gibbs(d, 2, &mut ChaCha8Rng::seed_from_u64(seed));
            sw.probe(
                "Rbm::gibbs(ビュー)",
                &(kind, &input, d),
                || rbm.gibbs(v, 2, &mut ChaCha8Rng::seed_from_u64(seed)),
                |r| *r == want,
            );
            let want = rbm.cd_gradient(d, 1, &mut ChaCha8Rng::seed_from_u64(seed));
            sw.probe(
                "Rbm::cd_gradient(ビュー)",
                &(kind, &input, d),
                || rbm.cd_gradient(v, 1, &mut ChaCha8Rng::seed_from_u64(seed)),
                |r| *r == want,
            );
        }
    }
    for (d, e) in &bad {
        sw.probe(
            "Rbm::gibbs",
            &(&input, d),
            || rbm.gibbs(d, 1, rng),
            |r| err_like(r, e),
        );
        sw.probe(
            "Rbm::cd_gradient",
            &(&input, d),
            || rbm.cd_gradient(d, 1, rng),
            |r| err_like(r, e),
        );
    }
    // PCD の勾配: どの誤りでも鎖は進めない
    let start = Array2::from_shape_fn((4, nv), |_| u8::from(rng.random_bool(0.5)));
    let mut pcd = Pcd::from_states(&start).unwrap();
    for d in valid.iter().chain(bad.iter().map(|(d, _)| d)) {
        let want_err = bad.iter().find(|(b, _)| b == d).map(|(_, e)| e.clone());
        for k in if want_err.is_some() {
            vec![1usize]
        } else {
            vec![0, 1, usize::MAX]
        } {
            let before = pcd.chains().to_owned();
            let after = RefCell::new(None);
            sw.probe(
                "Pcd::gradient",
                &(&input, d, k),
                || {
                    let r = pcd.gradient(rbm, d, k, rng);
                    *after.borrow_mut() = Some(pcd.chains().to_owned());
                    r
                },
                |r| {
                    let after = after.borrow().clone().unwrap();
                    match (&want_err, r) {
                        (Some(e), _) => err_like(r, e) && after == before,
                        (None, _) if k == 0 => invalid_named(r, "k") && after == before,
                        // 4 本の鎖の仕事 k · 4 · (N_v N_h + N_v + N_h) が上限を超える
                        (None, _) if k == usize::MAX => {
                            matches!(r, Err(Error::TooLarge { what: "k", requested, max })
                                if *requested == k && *max == max_count(4 * sweep_units(rbm)))
                                && after == before
                        }
                        (None, Ok(g)) => {
                            gradient_in_range(g, nv, nh)
                                && after.dim() == before.dim()
                                && after.iter().all(binary)
                        }
                        (None, Err(_)) => false,
                    }
                },
            );
        }
    }
    // 鎖の幅が N_v と違う
    let mut wide = Pcd::from_states(&Array2::<u8>::zeros((2, nv + 1))).unwrap();
    let before = wide.chains().to_owned();
    let d = &valid[0];
    sw.probe(
        "Pcd::gradient",
        &(&input, nv + 1),
        || wide.gradient(rbm, d, 1, rng),
        |r| *r == Err(mismatch(nv, nv + 1)),
    );
    sw.probe(
        "Pcd::chains",
        &(&input, nv + 1),
        || Ok(wide.chains().to_owned()),
        |r| r.as_ref() == Ok(&before),
    );
}

/// 1 往復の仕事 `N_v N_h + N_v + N_h`（`MAX_CHAIN_WORK` の単位）。
fn sweep_units(rbm: &Rbm) -> u64 {
    let (nv, nh) = (rbm.n_visible() as u64, rbm.n_hidden() as u64);
    nv * nh + nv + nh
}

/// `Rbm::train` の 1 歩の仕事と、CD・PCD では `(k, 回数 k あたりの仕事)`（文書のとおり）。
fn train_step_work(rbm: &Rbm, method: Method, batch_size: usize) -> (u64, Option<(usize, u64)>) {
    let sweep = sweep_units(rbm);
    let per_k = |chains: usize| (chains as u64).saturating_mul(sweep);
    match method {
        Method::Exact => {
            let states = 1u64 << rbm.n_visible().min(rbm.n_hidden());
            (
                states
                    .saturating_add(batch_size as u64)
                    .saturating_mul(sweep),
                None,
            )
        }
        Method::Cd { k } => (
            per_k(batch_size).saturating_mul(k as u64),
            Some((k, per_k(batch_size))),
        ),
        Method::Pcd { k, chains } => (
            per_k(chains).saturating_mul(k as u64),
            Some((k, per_k(chains))),
        ),
    }
}

/// 仕事の上限から求めた回数の上限（`usize` に収まらなければ `usize::MAX`）。
fn max_count(per: u64) -> usize {
    usize::try_from(MAX_CHAIN_WORK / per.max(1)).unwrap_or(usize::MAX)
}

/// 受け付ける最大の歩数（これより 1 多い歩数は断る）。
fn max_train_steps(rbm: &Rbm, method: Method, batch_size: usize) -> usize {
    max_count(train_step_work(rbm, method, batch_size).0)
}

/// `Rbm::train` の契約（設定の検査の順は文書のとおり: データ、設定、学習法、精度、仕事）。
/// 観測者は `steps > 2` のとき 2 歩目で止める。
#[allow(clippy::too_many_arguments)]
fn train_contract(
    rbm: &Rbm,
    n: usize,
    method: Method,
    config: &TrainConfig,
    seen: &[usize],
    r: &Result<Rbm>,
) -> bool {
    let nv = rbm.n_visible();
    let lr = config.learning_rate;
    let l1: f64 = rbm
        .weights()
        .iter()
        .chain(&rbm.visible_bias())
        .chain(&rbm.hidden_bias())
        .map(|x| x.abs())
        .sum();
    if !lr.is_finite() {
        return is_non_finite_err(r) && seen.is_empty();
    }
    if lr <= 0.0 {
        return invalid_named(r, "learning_rate") && seen.is_empty();
    }
    if config.batch_size == 0 || config.batch_size > n {
        return invalid_named(r, "batch_size") && seen.is_empty();
    }
    match method {
        Method::Cd { k: 0 } | Method::Pcd { k: 0, .. } => return invalid_named(r, "k"),
        Method::Pcd { chains: 0, .. } => return invalid_named(r, "chains"),
        Method::Pcd { chains, .. } if chains.saturating_mul(nv) > MAX_SAMPLES => {
            return matches!(r, Err(Error::TooLarge { requested, max, .. })
                if *requested == chains.saturating_mul(nv) && *max == MAX_SAMPLES)
                && seen.is_empty();
        }
        _ => {}
    }
    // 厳密な勾配は精度の上限 Σ|θ| ≤ 1e4 の中でしか求めないので、学習を始める前に断る
    if method == Method::Exact && !precise(l1) {
        return precision_refused(r) && seen.is_empty();
    }
    // 仕事の上限: 1 歩だけで超えれば k を、そうでなければ steps を挙げる（学習を始める前に）
    let steps = config.steps;
    let (per_step, per_k) = train_step_work(rbm, method, config.batch_size);
    if let Some((k, per_k)) = per_k {
        if steps > 0 && (k as u64).saturating_mul(per_k) > MAX_CHAIN_WORK {
            return matches!(r, Err(Error::TooLarge { what: "k", requested, max })
                if *requested == k && *max == max_count(per_k))
                && seen.is_empty();
        }
    }
    if (steps as u64).saturating_mul(per_step) > MAX_CHAIN_WORK {
        return matches!(r, Err(Error::TooLarge { what: "steps", requested, max })
            if *requested == steps && *max == max_count(per_step))
            && seen.is_empty();
    }
    match r {
        Ok(m) => {
            steps <= 2
                && m.weights().dim() == rbm.weights().dim()
                && seen == (0..=steps).collect::<Vec<_>>()
                && (steps > 0 || m == rbm)
        }
        // 学習率が大きいか、パラメータが上限 1e100 の近くなら発散してよい
        // （厳密な勾配では精度の上限 1e4 を超えた歩で発散とする）
        Err(Error::Diverged { iteration, value }) => {
            (lr >= 1.0 || l1 >= 1e99)
                && *iteration >= 1
                && (method != Method::Exact || *value > MAX_ENUMERATION_L1)
                && seen == (0..*iteration).collect::<Vec<_>>()
        }
        Err(e) => steps > 2 && *e == stop_signal(2) && seen == [0, 1, 2],
    }
}

#[test]
fn sweep_rbm_sampling_and_training() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(4002);
    let models: Vec<Rbm> = rbm_candidates(&mut rng)
        .into_iter()
        .filter_map(|p| Rbm::new(p.0, p.1, p.2).ok())
        .collect();
    for rbm in &models {
        rbm_sampling_battery(&mut sw, rbm, &mut rng);
    }
    // PCD の鎖の数: 0、上限 MAX_SAMPLES の前後、usize::MAX（確保を試みずに断る）
    for (chains, nv) in [
        (0usize, 1usize),
        (1, 0),
        (0, 0),
        (1, 1),
        (3, 2),
        (MAX_SAMPLES + 1, 1),
        (MAX_SAMPLES / 2 + 1, 2),
        (usize::MAX, 1),
        (1, usize::MAX),
        (usize::MAX, usize::MAX),
        (1 << 32, 1 << 32),
    ] {
        for seed in [0u64, u64::MAX] {
            sw.probe("Pcd::new", &(chains, nv, seed), || Pcd::new(chains, nv, seed), |r| {
                let size = chains.saturating_mul(nv);
                if chains == 0 || nv == 0 {
                    *r == Err(Error::EmptyInput)
                } else if size > MAX_SAMPLES {
                    matches!(r, Err(Error::TooLarge { requested, max, .. }) if *requested == size && *max == MAX_SAMPLES)
                } else {
                    matches!(r, Ok(p) if p.chains().dim() == (chains, nv) && p.chains().iter().all(|&x| x <= 1))
                }
            });
        }
    }
    // 与えた状態から: 空、0・1 以外、ビュー
    let mut states = vec![
        Array2::<u8>::zeros((2, 2)),
        Array2::ones((1, 1)),
        Array2::from_shape_fn((4, 3), |_| u8::from(rng.random_bool(0.5))),
    ];
    let valid_states = states.len();
    states.extend([
        Array2::zeros((0, 2)),
        Array2::zeros((2, 0)),
        Array2::zeros((0, 0)),
        array![[0u8, 2]],
        array![[255u8], [1]],
    ]);
    for (idx, s) in states.iter().enumerate() {
        sw.probe(
            "Pcd::from_states",
            s,
            || Pcd::from_states(s),
            |r| {
                if idx < valid_states {
                    matches!(r, Ok(p) if p.chains() == s)
                } else if s.is_empty() {
                    *r == Err(Error::EmptyInput)
                } else {
                    is_invalid(r)
                }
            },
        );
        if let Ok(p) = Pcd::from_states(s) {
            sw.probe(
                "Pcd::chains",
                s,
                || Ok(p.chains().to_owned()),
                |r| r.as_ref() == Ok(s),
            );
            for (kind, stored) in views_of(s, 2) {
                let want = Pcd::from_states(s);
                sw.probe(
                    "Pcd::from_states(ビュー)",
                    &(kind, s),
                    || Pcd::from_states(view_of(kind, &stored)),
                    |r| *r == want,
                );
            }
        }
    }
    // 学習の設定の検査
    const RATES: [f64; 10] = [
        0.1,
        0.0,
        -0.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e308,
        1e-320,
        f64::MIN_POSITIVE,
    ];
    for lr in RATES {
        for batch_size in [0usize, 1, 5, usize::MAX] {
            for n in [0usize, 1, 5, usize::MAX] {
                let config = TrainConfig {
                    learning_rate: lr,
                    steps: usize::MAX,
                    batch_size,
                    seed: 0,
                };
                sw.probe(
                    "TrainConfig::validate",
                    &(config, n),
                    || config.validate(n),
                    |r| {
                        if !lr.is_finite() {
                            is_non_finite_err(r)
                        } else if lr <= 0.0 {
                            invalid_named(r, "learning_rate")
                        } else if batch_size == 0 || batch_size > n {
                            invalid_named(r, "batch_size")
                        } else {
                            *r == Ok(())
                        }
                    },
                );
            }
        }
    }
    // 学習のループ: 学習法 × 学習率 × ミニバッチ × 歩数。歩数は 0、2、仕事の上限ちょうど（観測者が 2 歩で止める）、
    // その 1 つ先と usize::MAX（学習を始める前に断る）
    let trained = [
        Rbm::new(array![[0.3], [-0.2]], array![0.1, 0.0], array![-0.1]).unwrap(),
        Rbm::new(
            array![[0.3, 1e-320]],
            array![f64::MIN_POSITIVE],
            array![-0.1, 710.0],
        )
        .unwrap(),
        Rbm::new(array![[-1e99]], array![1e99], array![1e99]).unwrap(),
    ];
    for rbm in &trained {
        let nv = rbm.n_visible();
        let data = Array2::from_shape_fn((5, nv), |(i, k)| u8::from((i + k) % 3 == 0));
        let n = data.nrows();
        let methods = [
            Method::Exact,
            Method::Cd { k: 0 },
            Method::Cd { k: 1 },
            Method::Pcd { k: 0, chains: 2 },
            Method::Pcd { k: 1, chains: 0 },
            Method::Pcd { k: 1, chains: 3 },
            Method::Pcd {
                k: 1,
                chains: usize::MAX,
            },
            Method::Pcd {
                k: 2,
                chains: MAX_SAMPLES / nv + 1,
            },
        ];
        for method in methods {
            for lr in RATES {
                for batch_size in [1usize, n, 0, n + 1, usize::MAX] {
                    let max_steps = max_train_steps(rbm, method, batch_size);
                    for steps in [
                        0usize,
                        2,
                        max_steps,
                        max_steps.saturating_add(1),
                        usize::MAX,
                    ] {
                        let config = TrainConfig {
                            learning_rate: lr,
                            steps,
                            batch_size,
                            seed: 7,
                        };
                        let seen = RefCell::new(Vec::new());
                        let observe = |t: usize, m: &Rbm| {
                            // 観測したモデルのパラメータが有限でなければ、記録を壊して契約で落とす
                            let finite = rbm_parts(m).0.iter().all(|x| x.is_finite());
                            seen.borrow_mut().push(if finite { t } else { usize::MAX });
                            if steps > 2 && t == 2 {
                                Err(stop_signal(t))
                            } else {
                                Ok(())
                            }
                        };
                        sw.probe(
                            "Rbm::train",
                            &(rbm, method, config),
                            || rbm.train(&data, method, &config, observe),
                            |r| train_contract(rbm, n, method, &config, &seen.borrow(), r),
                        );
                    }
                }
            }
        }
        // 誤ったデータは設定より先に断る。ビューは連続な複製と同じ結果
        let config = TrainConfig {
            learning_rate: f64::NAN,
            steps: 1,
            batch_size: 0,
            seed: 0,
        };
        let (_, bad) = unit_datasets(nv, &mut rng);
        for (d, e) in &bad {
            sw.probe(
                "Rbm::train",
                &(rbm, d),
                || rbm.train(d, Method::Exact, &config, |_, _| Ok(())),
                |r| err_like(r, e),
            );
        }
        for method in [
            Method::Exact,
            Method::Cd { k: 1 },
            Method::Pcd { k: 1, chains: 2 },
        ] {
            let config = TrainConfig {
                learning_rate: 0.05,
                steps: 3,
                batch_size: 2,
                seed: 11,
            };
            let want = rbm.train(&data, method, &config, |_, _| Ok(()));
            for (kind, stored) in views_of(&data, 255) {
                sw.probe(
                    "Rbm::train(ビュー)",
                    &(kind, rbm, method),
                    || rbm.train(view_of(kind, &stored), method, &config, |_, _| Ok(())),
                    |r| *r == want,
                );
            }
        }
    }
    // 厳密な勾配の学習は、和をとる層が 24 ユニットを超えれば学習を始める前に断る
    let big = Rbm::new(
        Array2::zeros((25, 25)),
        Array1::zeros(25),
        Array1::zeros(25),
    )
    .unwrap();
    let config = TrainConfig {
        learning_rate: 0.1,
        steps: usize::MAX,
        batch_size: 1,
        seed: 0,
    };
    let ones = Array2::<u8>::ones((1, 25));
    sw.probe(
        "Rbm::train",
        &(25, 25),
        || big.train(&ones, Method::Exact, &config, |_, _| Ok(())),
        |r| *r == Err(Error::TooManySpins { n: 25, max: 24 }),
    );
    sw.finish(10, 37_917);
}

// ---------------------------------------------------------------- 4. ±1 の RBM

/// `±1` の RBM の定義どおりの指数 `−E_±(s, t)`（`s_i = 2 v_i − 1`、状態の番号は `{0, 1}` と同じ）。
fn spin_exponents(w: &Array2<f64>, b: &Array1<f64>, c: &Array1<f64>) -> Vec<Vec<f64>> {
    let (nv, nh) = w.dim();
    let sgn = |s: usize, k: usize| if (s >> k) & 1 == 1 { 1.0 } else { -1.0 };
    (0..1usize << nv)
        .map(|sv| {
            (0..1usize << nh)
                .map(|sh| {
                    let mut terms: Vec<f64> = (0..nv).map(|i| b[i] * sgn(sv, i)).collect();
                    terms.extend((0..nh).map(|j| c[j] * sgn(sh, j)));
                    for i in 0..nv {
                        terms.extend((0..nh).map(|j| w[[i, j]] * sgn(sv, i) * sgn(sh, j)));
                    }
                    ksum(terms)
                })
                .collect()
        })
        .collect()
}

fn spins_of(s: usize, n: usize) -> Vec<i8> {
    (0..n)
        .map(|k| if (s >> k) & 1 == 1 { 1 } else { -1 })
        .collect()
}

/// `{0, 1}` に戻したパラメータ `W = 4W'`、`b = 2b' − 2W'𝟏`、`c = 2c' − 2W'ᵀ𝟏` の `Σ|θ|`（`to_binary` が断るかの判定）。
fn back_l1(spin: &SpinRbm) -> f64 {
    let w = spin.weights();
    let b = &spin.visible_bias() * 2.0 - &(w.sum_axis(Axis(1)) * 2.0);
    let c = &spin.hidden_bias() * 2.0 - &(w.sum_axis(Axis(0)) * 2.0);
    (&w * 4.0).iter().chain(&b).chain(&c).map(|x| x.abs()).sum()
}

/// `SpinRbm` の読み出し・エネルギー・自由エネルギー・`ln Z`・ずれを、全 `(s, t)` の定義どおりの `±1` の和と比べる。
fn spin_battery(sw: &mut Sweep, spin: &SpinRbm, name_input: &dyn Debug) {
    let p = spin_parts(spin);
    let (nv, nh) = p.0.dim();
    let l1: f64 = p.0.iter().chain(&p.1).chain(&p.2).map(|x| x.abs()).sum();
    let tol = 4.0 * log_tol(l1);
    let ne = spin_exponents(&p.0, &p.1, &p.2);
    sw.probe(
        "SpinRbm::n_visible",
        name_input,
        || Ok(spin.n_visible()),
        |r| *r == Ok(nv),
    );
    sw.probe(
        "SpinRbm::n_hidden",
        name_input,
        || Ok(spin.n_hidden()),
        |r| *r == Ok(nh),
    );
    sw.probe(
        "SpinRbm::weights",
        name_input,
        || Ok(spin.weights().to_owned()),
        |r| r.as_ref() == Ok(&p.0),
    );
    sw.probe(
        "SpinRbm::visible_bias",
        name_input,
        || Ok(spin.visible_bias().to_owned()),
        |r| r.as_ref() == Ok(&p.1),
    );
    sw.probe(
        "SpinRbm::hidden_bias",
        name_input,
        || Ok(spin.hidden_bias().to_owned()),
        |r| r.as_ref() == Ok(&p.2),
    );
    for (sv, ne_v) in ne.iter().enumerate() {
        let s = spins_of(sv, nv);
        for (sh, &e) in ne_v.iter().enumerate() {
            let t = spins_of(sh, nh);
            let want = -e;
            let check = |r: &Result<f64>| matches!(r, Ok(e) if within(*e, want, tol));
            sw.probe(
                "SpinRbm::energy",
                &(name_input, &s, &t),
                || spin.energy(&s[..], &t[..]),
                check,
            );
            if sh == 0 {
                let (ss, ts) = (
                    spread(&Array1::from(s.clone()), 0),
                    spread(&Array1::from(t.clone()), 0),
                );
                sw.probe(
                    "SpinRbm::energy(ビュー)",
                    &(name_input, &s, &t),
                    || spin.energy(every_other(&ss), every_other(&ts)),
                    check,
                );
            }
        }
        let want = -lse(&ne[sv]);
        let check = |r: &Result<f64>| matches!(r, Ok(f) if within(*f, want, tol));
        sw.probe(
            "SpinRbm::free_energy",
            &(name_input, &s),
            || spin.free_energy(&s[..]),
            check,
        );
        let ss = spread(&Array1::from(s.clone()), 0);
        sw.probe(
            "SpinRbm::free_energy(ビュー)",
            &(name_input, &s),
            || spin.free_energy(every_other(&ss)),
            check,
        );
    }
    for (s, e) in bad_spins(nv) {
        sw.probe(
            "SpinRbm::energy",
            &(name_input, &s),
            || spin.energy(&s[..], &vec![1i8; nh][..]),
            |r| err_like(r, &e),
        );
        sw.probe(
            "SpinRbm::free_energy",
            &(name_input, &s),
            || spin.free_energy(&s[..]),
            |r| err_like(r, &e),
        );
    }
    for (t, e) in bad_spins(nh) {
        sw.probe(
            "SpinRbm::energy",
            &(name_input, &t),
            || spin.energy(&vec![-1i8; nv][..], &t[..]),
            |r| err_like(r, &e),
        );
    }
    // K = −E_±(−𝟏, −𝟏)
    sw.probe(
        "SpinRbm::offset",
        name_input,
        || Ok(spin.offset()),
        |r| matches!(r, Ok(k) if within(*k, ne[0][0], tol)),
    );
    let all: Vec<f64> = ne.iter().flatten().copied().collect();
    let want = lse(&all);
    let refused = back_l1(spin) > 1e100;
    sw.probe(
        "SpinRbm::log_z",
        name_input,
        || spin.log_z(),
        |r| match r {
            // 戻した {0, 1} のパラメータは Σ|θ| が最大 8 倍になり、1e100 を超えれば断る（文書のとおり）。
            // ln Z は対数の領域の値なので、精度の上限 1e4 の外でも（丸めの範囲で正しく）求める
            Ok(lz) => !refused && within(*lz, want, tol),
            Err(_) => refused && is_invalid(r),
        },
    );
}

#[test]
fn sweep_spin_rbm() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(4003);
    for (p, e) in bad_shapes() {
        sw.probe(
            "SpinRbm::new",
            &p,
            || SpinRbm::new(p.0.clone(), p.1.clone(), p.2.clone()),
            |r| err_like(r, &e),
        );
    }
    for p in rbm_candidates(&mut rng) {
        // ±1 のパラメータとして
        sw.probe(
            "SpinRbm::new",
            &p,
            || SpinRbm::new(p.0.clone(), p.1.clone(), p.2.clone()),
            |r| new_contract(&p, r, spin_parts),
        );
        if let Ok(spin) = SpinRbm::new(p.0.clone(), p.1.clone(), p.2.clone()) {
            spin_battery(&mut sw, &spin, &("±1", &p));
            // {0, 1} に戻して ±1 にすると、丸めの範囲で元に戻る
            let refused = back_l1(&spin) > 1e100;
            sw.probe("SpinRbm::to_binary", &p, || spin.to_binary(), |r| match r {
                Ok(rbm) => {
                    !refused
                        && matches!(SpinRbm::from_binary(rbm), Ok(back) if close_params(&spin_parts(&back), &p))
                }
                Err(_) => refused && is_invalid(r),
            });
        }
        // {0, 1} のパラメータとして: 書き換えは失敗せず、E₀₁ = E_± + K、F₀₁ = F_± + K、ln Z_± = ln Z₀₁ + K
        let Ok(rbm) = Rbm::new(p.0.clone(), p.1.clone(), p.2.clone()) else {
            continue;
        };
        let o = RbmOracle::of(&rbm);
        let tol = 4.0 * o.tol();
        sw.probe("SpinRbm::from_binary", &p, || SpinRbm::from_binary(&rbm), |r| {
            matches!(r, Ok(spin) if {
                let k = spin.offset();
                (0..1usize << o.nv).all(|sv| {
                    let s = spins_of(sv, o.nv);
                    matches!(spin.free_energy(&s[..]), Ok(f) if within(f + k, o.free[sv], tol))
                        && (0..1usize << o.nh).all(|sh| {
                            matches!(spin.energy(&s[..], &spins_of(sh, o.nh)[..]), Ok(e) if within(e + k, -o.ne[sv][sh], tol))
                        })
                })
            })
        });
        let spin = SpinRbm::from_binary(&rbm).unwrap();
        sw.probe(
            "SpinRbm::to_binary",
            &p,
            || spin.to_binary(),
            |r| match r {
                Ok(back) => close_params(&rbm_parts(back), &p),
                Err(_) => back_l1(&spin) > 1e100 && is_invalid(r),
            },
        );
        sw.probe(
            "SpinRbm::log_z",
            &p,
            || spin.log_z(),
            |r| match r {
                Ok(lz) => within(*lz, o.log_z + spin.offset(), tol),
                Err(_) => back_l1(&spin) > 1e100 && is_invalid(r),
            },
        );
    }
    // ln Z_± は {0, 1} の RBM の列挙を使うので、同じ大きさの上限で断る
    let big = SpinRbm::new(
        Array2::zeros((25, 25)),
        Array1::zeros(25),
        Array1::zeros(25),
    )
    .unwrap();
    sw.probe(
        "SpinRbm::log_z",
        &(25, 25),
        || big.log_z(),
        |r| *r == Err(Error::TooManySpins { n: 25, max: 24 }),
    );
    sw.finish(12, 22_505);
}

/// 往復の変換が丸めの範囲で元に戻ったか（`Σ|θ|` に比例する丸めと、非正規化数の刻み）。
fn close_params(got: &Params, want: &Params) -> bool {
    let l1: f64 = want
        .0
        .iter()
        .chain(&want.1)
        .chain(&want.2)
        .map(|x| x.abs())
        .sum();
    let tol = 8.0 * f64::EPSILON * l1 + 1e-321;
    got.0.dim() == want.0.dim()
        && got.1.len() == want.1.len()
        && got.2.len() == want.2.len()
        && got
            .0
            .iter()
            .chain(&got.1)
            .chain(&got.2)
            .zip(want.0.iter().chain(&want.1).chain(&want.2))
            .all(|(a, b)| within(*a, *b, tol))
}

// ---------------------------------------------------------------- 5. 隠れ変数のあるボルツマンマシン

/// 状態の番号 `s` の第 `k` スピン（第 `k` ビットが 1 ⇔ `−1`、`spins_of_state` と同じ）。
fn spin_at(s: usize, k: usize) -> f64 {
    if (s >> k) & 1 == 1 { -1.0 } else { 1.0 }
}

/// 十分統計量 `φ(x)`（場、`pairs` の順の対）。
fn phi(s: usize, n: usize) -> Vec<f64> {
    let mut out: Vec<f64> = (0..n).map(|k| spin_at(s, k)).collect();
    out.extend(pairs(n).map(|(k, l)| spin_at(s, k) * spin_at(s, l)));
    out
}

/// 全 `2^N` 状態の定義どおりの和（見える状態 `s_v` は下位のビット、`s = s_v + 2^{N_v} s_h`）。
struct HiddenOracle {
    n: usize,
    nv: usize,
    nh: usize,
    l1: f64,
    ex: Vec<f64>,
    log_z: f64,
    /// 見える状態ごとの `ln Σ_h exp(θ·φ(v, h)) = −F(v)`
    row: Vec<f64>,
}

impl HiddenOracle {
    fn new(theta: &[f64], n: usize, nv: usize) -> Self {
        let ex: Vec<f64> = (0..1usize << n)
            .map(|s| ksum(phi(s, n).iter().zip(theta).map(|(f, t)| f * t).collect()))
            .collect();
        let nh = n - nv;
        let row = (0..1usize << nv)
            .map(|sv| {
                let r: Vec<f64> = (0..1usize << nh).map(|sh| ex[sv + (sh << nv)]).collect();
                lse(&r)
            })
            .collect();
        Self {
            n,
            nv,
            nh,
            l1: theta.iter().map(|x| x.abs()).sum(),
            log_z: lse(&ex),
            ex,
            row,
        }
    }

    fn posterior(&self, sv: usize) -> Vec<f64> {
        (0..1usize << self.nh)
            .map(|sh| (self.ex[sv + (sh << self.nv)] - self.row[sv]).exp())
            .collect()
    }

    /// データの経験分布 `p_0(v)`（行はすでに検査済み）。
    fn empirical(&self, d: &Array2<i8>) -> Vec<f64> {
        let mut p = vec![0.0; 1 << self.nv];
        for r in d.rows() {
            let sv: usize = r
                .iter()
                .enumerate()
                .map(|(k, &x)| usize::from(x == -1) << k)
                .sum();
            p[sv] += 1.0 / d.nrows() as f64;
        }
        p
    }

    fn free_stats(&self) -> Vec<f64> {
        let m = self.n * (self.n + 1) / 2;
        let mut out = vec![0.0; m];
        for (s, &e) in self.ex.iter().enumerate() {
            let q = (e - self.log_z).exp();
            for (o, f) in out.iter_mut().zip(phi(s, self.n)) {
                *o += q * f;
            }
        }
        out
    }

    fn clamped_stats(&self, p0: &[f64]) -> Vec<f64> {
        let m = self.n * (self.n + 1) / 2;
        let mut out = vec![0.0; m];
        for (sv, &p) in p0.iter().enumerate().filter(|(_, p)| **p > 0.0) {
            for (sh, post) in self.posterior(sv).into_iter().enumerate() {
                for (o, f) in out.iter_mut().zip(phi(sv + (sh << self.nv), self.n)) {
                    *o += p * post * f;
                }
            }
        }
        out
    }

    fn kl(&self, p0: &[f64]) -> f64 {
        p0.iter()
            .zip(&self.row)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, r)| p * (p.ln() - (r - self.log_z)))
            .sum()
    }

    /// `Cov_θ[φ] − Σ_v p_0(v) Cov_{θ|v}[φ]`。
    fn hessian(&self, p0: &[f64]) -> Vec<Vec<f64>> {
        let n = self.n;
        let m = n * (n + 1) / 2;
        let cov = |weights: Vec<(usize, f64)>| -> Vec<Vec<f64>> {
            let mut mean = vec![0.0; m];
            let mut second = vec![vec![0.0; m]; m];
            for &(s, w) in &weights {
                let f = phi(s, n);
                for a in 0..m {
                    mean[a] += w * f[a];
                    for b in 0..m {
                        second[a][b] += w * f[a] * f[b];
                    }
                }
            }
            (0..m)
                .map(|a| (0..m).map(|b| second[a][b] - mean[a] * mean[b]).collect())
                .collect()
        };
        let mut h = cov(self
            .ex
            .iter()
            .enumerate()
            .map(|(s, &e)| (s, (e - self.log_z).exp()))
            .collect());
        for (sv, &p) in p0.iter().enumerate().filter(|(_, p)| **p > 0.0) {
            let post = self.posterior(sv);
            let c = cov((0..1usize << self.nh)
                .map(|sh| (sv + (sh << self.nv), post[sh]))
                .collect());
            for a in 0..m {
                for b in 0..m {
                    h[a][b] -= p * c[a][b];
                }
            }
        }
        h
    }
}

/// `±1` のデータ: 正しいもの 3 つ（全状態を 1 回ずつ、`+1` だけの 1 行、乱数の 5 行）と、誤りのあるもの 8 つ。
fn spin_datasets(nv: usize, rng: &mut ChaCha8Rng) -> Datasets<i8> {
    let all = Array2::from_shape_fn((1 << nv, nv), |(s, k)| spin_at(s, k) as i8);
    let random = Array2::from_shape_fn((5, nv), |_| if rng.random_bool(0.5) { 1 } else { -1 });
    let mut bad = vec![
        (Array2::zeros((0, nv)), Error::EmptyInput),
        (Array2::zeros((2, 0)), Error::EmptyInput),
        (Array2::zeros((0, 0)), Error::EmptyInput),
        (Array2::ones((2, nv + 1)), mismatch(nv, nv + 1)),
        (
            Array2::ones((1, MAX_MODEL_SPINS + 1)),
            Error::TooManySpins {
                n: MAX_MODEL_SPINS + 1,
                max: MAX_MODEL_SPINS,
            },
        ),
    ];
    for v in [0i8, 2, i8::MIN] {
        let mut d = Array2::<i8>::ones((2, nv));
        d[[1, nv - 1]] = v;
        bad.push((d, INVALID));
    }
    (vec![all, Array2::ones((1, nv)), random], bad)
}

/// `HiddenIsing` の候補 `(N, θ, 見える変数の数の並び)`: N = 1–3 でパラメータを 1 つずつ（ほかは `[−1, 1]` の乱数。
/// EXTREMES はすべての位置に、INNER は最初の場と最初の結合に。見える変数の数は 1..=N を順に回す）、
/// N = 1–4 で全部同じ値（見える変数の数は、N ≤ 3 ではすべて、N = 4 では順に回す）、N = 4 で乱数で選んだ値の組み合わせ。
fn hidden_candidates(rng: &mut ChaCha8Rng) -> Vec<(usize, Vec<f64>, Vec<usize>)> {
    let ps = params();
    let mut out = Vec::new();
    let mut turn = 0usize;
    for n in 1..=3usize {
        let m = n * (n + 1) / 2;
        for pos in 0..m {
            let inner = pos == 0 || pos == n;
            for &x in ps
                .iter()
                .take(if inner { ps.len() } else { EXTREMES.len() })
            {
                let mut t: Vec<f64> = (0..m).map(|_| rng.random_range(-1.0..1.0)).collect();
                t[pos] = x;
                turn += 1;
                out.push((n, t, vec![turn % n + 1]));
            }
        }
    }
    for n in 1..=4usize {
        for (i, &x) in ps.iter().enumerate() {
            let nvs = if n < 4 {
                (1..=n).collect()
            } else {
                vec![i % 4 + 1]
            };
            out.push((n, vec![x; n * (n + 1) / 2], nvs));
        }
    }
    for k in 0..12 {
        let t = (0..10).map(|_| ps[rng.random_range(0..ps.len())]).collect();
        out.push((4, t, vec![k % 4 + 1]));
    }
    out
}

/// 1 つの `HiddenIsing` に、列挙による関数を正しい入力・誤った入力・ビューで呼ぶ。
fn hidden_battery(sw: &mut Sweep, m: &HiddenIsing, theta: &[f64], rng: &mut ChaCha8Rng) {
    let (n, nv) = (m.model().n_spins(), m.n_visible());
    let o = HiddenOracle::new(theta, n, nv);
    let nh = o.nh;
    let (tol, exact) = (log_tol(o.l1), precise(o.l1));
    let np = n * (n + 1) / 2;
    let input = (theta, nv);
    // モデルは精度の上限 Σ|θ| ≤ 1e4 の中だけ（外は HiddenIsing::new が断る）なので、確率の値まで確かめ、
    // どの関数も誤りを返してはいけない
    assert!(exact, "{theta:?}");
    let refused = |_: &dyn Fn() -> bool| false;
    sw.probe(
        "HiddenIsing::model",
        &input,
        || Ok(m.model().params().to_vec()),
        |r| r.as_ref().map(|p| p.as_slice()) == Ok(theta),
    );
    sw.probe(
        "HiddenIsing::n_visible",
        &input,
        || Ok(m.n_visible()),
        |r| *r == Ok(nv),
    );
    sw.probe(
        "HiddenIsing::n_hidden",
        &input,
        || Ok(m.n_hidden()),
        |r| *r == Ok(nh),
    );
    sw.probe(
        "HiddenIsing::log_z",
        &input,
        || m.log_z(),
        |r| match r {
            Ok(lz) => within(*lz, o.log_z, tol),
            Err(_) => refused(&|| is_invalid(r)),
        },
    );
    sw.probe(
        "HiddenIsing::log_marginal",
        &input,
        || m.log_marginal(),
        |r| match r {
            Ok(lm) => {
                lm.len() == 1 << nv
                    && lm
                        .iter()
                        .enumerate()
                        .all(|(sv, &x)| within(x, o.row[sv] - o.log_z, tol) && x <= tol)
                    && (!exact || within(lm.mapv(f64::exp).sum(), 1.0, PROB_TOL))
            }
            Err(_) => refused(&|| is_invalid(r)),
        },
    );
    for sv in 0..1usize << nv {
        let v: Vec<i8> = (0..nv).map(|k| spin_at(sv, k) as i8).collect();
        let stored = spread(&Array1::from(v.clone()), 0);
        let check_f = |r: &Result<f64>| match r {
            Ok(f) => within(*f, -o.row[sv], tol),
            Err(_) => refused(&|| is_invalid(r)),
        };
        sw.probe(
            "HiddenIsing::free_energy",
            &(&input, &v),
            || m.free_energy(&v[..]),
            check_f,
        );
        sw.probe(
            "HiddenIsing::free_energy(ビュー)",
            &(&input, &v),
            || m.free_energy(every_other(&stored)),
            check_f,
        );
        let want = o.posterior(sv);
        let check_p = |r: &Result<Array1<f64>>| match r {
            Ok(p) => {
                p.len() == 1 << nh
                    && p.iter().all(|&x| unit(x))
                    && (!exact
                        || (within(p.sum(), 1.0, PROB_TOL)
                            && p.iter().zip(&want).all(|(a, b)| within(*a, *b, PROB_TOL))))
            }
            Err(_) => refused(&|| is_invalid(r)),
        };
        sw.probe(
            "HiddenIsing::posterior",
            &(&input, &v),
            || m.posterior(&v[..]),
            check_p,
        );
        sw.probe(
            "HiddenIsing::posterior(ビュー)",
            &(&input, &v),
            || m.posterior(every_other(&stored)),
            check_p,
        );
    }
    for (v, e) in bad_spins(nv) {
        sw.probe(
            "HiddenIsing::free_energy",
            &(&input, &v),
            || m.free_energy(&v[..]),
            |r| err_like(r, &e),
        );
        sw.probe(
            "HiddenIsing::posterior",
            &(&input, &v),
            || m.posterior(&v[..]),
            |r| err_like(r, &e),
        );
    }
    let free = o.free_stats();
    sw.probe(
        "HiddenIsing::free_statistics",
        &input,
        || m.free_statistics(),
        |r| match r {
            Ok(s) => {
                s.len() == np
                    && s.iter().all(|x| x.is_finite())
                    && (!exact
                        || s.iter()
                            .zip(&free)
                            .all(|(a, b)| within(*a, *b, PROB_TOL) && a.abs() <= 1.0 + PROB_TOL))
            }
            Err(_) => refused(&|| is_invalid(r)),
        },
    );
    // データに依る関数
    let (valid, bad) = spin_datasets(nv, rng);
    for (idx, d) in valid.iter().enumerate() {
        let p0 = o.empirical(d);
        let clamped = o.clamped_stats(&p0);
        let input_d = (&input, d);
        sw.probe(
            "HiddenIsing::kl",
            &input_d,
            || m.kl(d),
            |r| match r {
                Ok(k) => {
                    *k >= 0.0
                        && k.is_finite()
                        && (!exact || within(*k, o.kl(&p0).max(0.0), PROB_TOL))
                }
                Err(_) => refused(&|| is_invalid(r)),
            },
        );
        // 見える変数の場の成分はデータの平均そのもの
        let means: Vec<f64> = (0..nv)
            .map(|k| d.column(k).iter().map(|&x| f64::from(x)).sum::<f64>() / d.nrows() as f64)
            .collect();
        sw.probe(
            "HiddenIsing::clamped_statistics",
            &input_d,
            || m.clamped_statistics(d),
            |r| match r {
                Ok(s) => {
                    s.len() == np
                        && s.iter().all(|x| x.is_finite())
                        && (!exact
                            || (s.iter().zip(&clamped).all(|(a, b)| {
                                within(*a, *b, PROB_TOL) && a.abs() <= 1.0 + PROB_TOL
                            }) && means.iter().zip(s).all(|(a, b)| within(*a, *b, PROB_TOL))))
                }
                Err(_) => refused(&|| is_invalid(r)),
            },
        );
        sw.probe(
            "HiddenIsing::gradient",
            &input_d,
            || m.gradient(d),
            |r| match r {
                Ok(g) => {
                    g.len() == np
                        && g.iter().all(|x| x.is_finite())
                        && (!exact
                            || g.iter().enumerate().all(|(a, x)| {
                                within(*x, free[a] - clamped[a], PROB_TOL)
                                    && x.abs() <= 2.0 + PROB_TOL
                            }))
                }
                Err(_) => refused(&|| is_invalid(r)),
            },
        );
        let hess = o.hessian(&p0);
        sw.probe(
            "HiddenIsing::hessian",
            &input_d,
            || m.hessian(d),
            |r| match r {
                Ok(h) => {
                    h.dim() == (np, np)
                        && h.iter().all(|x| x.is_finite())
                        && h.indexed_iter()
                            .all(|((a, b), x)| (x - h[[b, a]]).abs() <= 1e-12 * x.abs().max(1.0))
                        && (!exact
                            || h.indexed_iter().all(|((a, b), x)| {
                                within(*x, hess[a][b], PROB_TOL) && x.abs() <= 2.0 + PROB_TOL
                            }))
                }
                Err(_) => refused(&|| is_invalid(r)),
            },
        );
        if idx > 0 {
            continue;
        }
        for (kind, stored) in views_of(d, 0) {
            let v = view_of(kind, &stored);
            let w1 = m.kl(d);
            sw.probe(
                "HiddenIsing::kl(ビュー)",
                &(kind, &input_d),
                || m.kl(v),
                |r| *r == w1,
            );
            let w2 = m.clamped_statistics(d);
            sw.probe(
                "HiddenIsing::clamped_statistics(ビュー)",
                &(kind, &input_d),
                || m.clamped_statistics(v),
                |r| *r == w2,
            );
            let w3 = m.gradient(d);
            sw.probe(
                "HiddenIsing::gradient(ビュー)",
                &(kind, &input_d),
                || m.gradient(v),
                |r| *r == w3,
            );
            let w4 = m.hessian(d);
            sw.probe(
                "HiddenIsing::hessian(ビュー)",
                &(kind, &input_d),
                || m.hessian(v),
                |r| *r == w4,
            );
        }
    }
    for (d, e) in &bad {
        let input_d = (&input, d.dim());
        sw.probe("HiddenIsing::kl", &input_d, || m.kl(d), |r| err_like(r, e));
        sw.probe(
            "HiddenIsing::clamped_statistics",
            &input_d,
            || m.clamped_statistics(d),
            |r| err_like(r, e),
        );
        sw.probe(
            "HiddenIsing::gradient",
            &input_d,
            || m.gradient(d),
            |r| err_like(r, e),
        );
        sw.probe(
            "HiddenIsing::hessian",
            &input_d,
            || m.hessian(d),
            |r| err_like(r, e),
        );
    }
    // 対称性: 隠れ変数の入れ替えと反転は q(v) を変えず、逆の操作で元に戻る
    let base = m.log_marginal();
    let same_marginal = |p: &HiddenIsing| -> bool {
        match (p.log_marginal(), &base) {
            (Ok(a), Ok(b)) => !exact || a.iter().zip(b).all(|(x, y)| within(*x, *y, tol)),
            (Err(_), Err(_)) => true,
            _ => false,
        }
    };
    let mut perms: Vec<Vec<usize>> = vec![
        vec![],
        vec![0],
        vec![1, 0],
        vec![0, 0],
        vec![usize::MAX],
        vec![0, usize::MAX],
        (0..nh).rev().collect(),
        (0..=nh).collect(),
    ];
    if nh >= 3 {
        perms.push(vec![2, 0, 1]);
    }
    for perm in &perms {
        let mut sorted = perm.clone();
        sorted.sort_unstable();
        let valid = sorted == (0..nh).collect::<Vec<_>>();
        sw.probe(
            "HiddenIsing::permute_hidden",
            &(&input, perm),
            || m.permute_hidden(perm),
            |r| match r {
                Ok(p) => {
                    let mut inverse = vec![0; nh];
                    for (j, &k) in perm.iter().enumerate() {
                        inverse[k] = j;
                    }
                    valid
                        && p.n_visible() == nv
                        && p.permute_hidden(&inverse).as_ref() == Ok(m)
                        && same_marginal(p)
                }
                Err(_) => !valid && is_invalid(r),
            },
        );
    }
    for j in [0usize, 1, 2, nh, usize::MAX] {
        sw.probe(
            "HiddenIsing::flip_hidden",
            &(&input, j),
            || m.flip_hidden(j),
            |r| match r {
                Ok(f) => {
                    j < nh
                        && f.model().fields()[nv + j] == -theta[nv + j]
                        && f.flip_hidden(j).as_ref() == Ok(m)
                        && same_marginal(f)
                }
                Err(_) => j >= nh && is_invalid(r),
            },
        );
    }
}

#[test]
fn sweep_hidden_ising() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(4004);
    // 大きさ: 見える変数の数の範囲、スピン数の上限 20 の前後
    let max = MAX_HIDDEN_MODEL_UNITS;
    for (n, nv) in [
        (1usize, 0usize),
        (1, 1),
        (1, 2),
        (3, 0),
        (3, 3),
        (3, 4),
        (3, usize::MAX),
        (max, 1),
        (max, max),
        (max + 1, 1),
        (max + 1, 0),
        (max + 1, usize::MAX),
    ] {
        let ising = Ising::zeros(n).unwrap();
        sw.probe("HiddenIsing::new", &(n, nv), || HiddenIsing::new(ising.clone(), nv), |r| {
            if n > max {
                *r == Err(Error::TooManySpins { n, max })
            } else if nv == 0 || nv > n {
                is_invalid(r)
            } else {
                matches!(r, Ok(m) if m.n_visible() == nv && m.n_hidden() == n - nv && *m.model() == ising)
            }
        });
    }
    // ヘッセ行列のスピン数の上限 12 を 1 つ超える（データを読む前に断る）
    let big = HiddenIsing::new(Ising::zeros(MAX_HESSIAN_UNITS + 1).unwrap(), 1).unwrap();
    for d in [array![[1i8]], Array2::zeros((0, 1)), array![[0i8]]] {
        sw.probe(
            "HiddenIsing::hessian",
            &d,
            || big.hessian(&d),
            |r| {
                *r == Err(Error::TooManySpins {
                    n: MAX_HESSIAN_UNITS + 1,
                    max: MAX_HESSIAN_UNITS,
                })
            },
        );
    }
    // 精度の上限 Σ|θ| ≤ MAX_ENUMERATION_L1 の外のモデルは作らない（Ising モデルとしては 1e100 まで作れる）
    for (n, theta, nvs) in hidden_candidates(&mut rng) {
        let Ok(ising) = Ising::from_params(n, &theta) else {
            continue;
        };
        let l1: f64 = theta.iter().map(|x| x.abs()).sum();
        for nv in nvs {
            sw.probe(
                "HiddenIsing::new",
                &(&theta, nv),
                || HiddenIsing::new(ising.clone(), nv),
                |r| match r {
                    Ok(m) => precise(l1) && m.n_visible() == nv && *m.model() == ising,
                    Err(_) => !precise(l1) && precision_refused(r),
                },
            );
            if let Ok(m) = HiddenIsing::new(ising.clone(), nv) {
                hidden_battery(&mut sw, &m, &theta, &mut rng);
            }
        }
    }
    sw.finish(15, 17_700);
}

// ---------------------------------------------------------------- 6. 隠れ変数のあるモデルの学習

#[test]
fn sweep_hidden_fit() {
    let mut sw = Sweep::default();
    let mut rng = ChaCha8Rng::seed_from_u64(4005);
    let models = [
        (2usize, vec![0.1, -0.2, 0.3], 1usize),
        (3, vec![0.2, -0.1, 0.05, 0.3, -0.2, 0.1], 2),
        (2, vec![1e-320, -0.0, f64::MIN_POSITIVE], 2),
        // 精度の上限 Σ|θ| = 1e4 ちょうど: 外へ押し出す 1 歩は発散として報告する
        (2, vec![1.0, 0.0, MAX_ENUMERATION_L1 - 1.0], 1),
    ];
    const RIDGES: [f64; 9] = [
        0.0,
        -0.0,
        0.5,
        1e-320,
        1e308,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    const ETAS: [f64; 9] = [
        0.1,
        0.0,
        -0.0,
        -1.0,
        1e-320,
        1e308,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    // 反復の上限 usize::MAX は、勾配が |∂D/∂θ| ≤ 2 < 10 の許容誤差で最初に止まる（λ = 0 のときだけ使う）
    let stops = [
        (1e-6, 3usize),
        (f64::NAN, 3),
        (-1.0, 3),
        (f64::INFINITY, 3),
        (1e-6, 0),
        (10.0, usize::MAX),
    ];
    for (n, theta, nv) in &models {
        let (n, nv) = (*n, *nv);
        let m = HiddenIsing::new(Ising::from_params(n, theta.as_slice()).unwrap(), nv).unwrap();
        let o = HiddenOracle::new(theta, n, nv);
        let l1 = o.l1;
        let data = Array2::from_shape_fn((6, nv), |_| if rng.random_bool(0.5) { 1i8 } else { -1 });
        let p0 = o.empirical(&data);
        for ridge in RIDGES {
            for eta in ETAS {
                for &(tolerance, max_iterations) in &stops {
                    if max_iterations == usize::MAX && ridge != 0.0 {
                        continue;
                    }
                    let stop = StopRule {
                        tolerance,
                        max_iterations,
                    };
                    sw.probe(
                        "HiddenIsing::fit",
                        &(theta, nv, ridge, eta, stop),
                        || m.fit(&data, ridge, eta, stop),
                        |r| {
                            if !ridge.is_finite() || ridge < 0.0 {
                                return invalid_named(r, "正則化の係数 λ");
                            }
                            // 学習率を先に、許容誤差をあとに検査する（minimize の順）
                            if !eta.is_finite() {
                                return is_non_finite_err(r);
                            }
                            if eta <= 0.0 {
                                return is_invalid(r);
                            }
                            if !tolerance.is_finite() {
                                return is_non_finite_err(r);
                            }
                            if tolerance < 0.0 {
                                return is_invalid(r);
                            }
                            match r {
                                Ok((fit, trace)) => {
                                    fit.n_visible() == nv
                                        && fit.model().params() == trace.theta
                                        && trace.theta.iter().all(|x| x.is_finite())
                                        && trace.iterations() <= max_iterations
                                        && trace.values.iter().all(|v| v.is_finite() && *v >= 0.0)
                                        && (!precise(l1)
                                            || ridge != 0.0
                                            || within(
                                                trace.values[0],
                                                o.kl(&p0).max(0.0),
                                                PROB_TOL,
                                            ))
                                }
                                Err(Error::Diverged { .. }) => {
                                    eta >= 1.0 || ridge >= 1.0 || l1 >= MAX_ENUMERATION_L1
                                }
                                Err(_) => false,
                            }
                        },
                    );
                }
            }
        }
        // 誤ったデータは学習率より先に断る。ビューは連続な複製と同じ結果
        let (_, bad) = spin_datasets(nv, &mut rng);
        let stop = StopRule {
            tolerance: 1e-6,
            max_iterations: 3,
        };
        for (d, e) in &bad {
            sw.probe(
                "HiddenIsing::fit",
                &(theta, d.dim()),
                || m.fit(d, 0.0, f64::NAN, stop),
                |r| err_like(r, e),
            );
        }
        let want = m.fit(&data, 0.5, 0.1, stop);
        for (kind, stored) in views_of(&data, 0) {
            sw.probe(
                "HiddenIsing::fit(ビュー)",
                &(kind, theta),
                || m.fit(view_of(kind, &stored), 0.5, 0.1, stop),
                |r| *r == want,
            );
        }
    }
    sw.finish(1, 1_732);
}
