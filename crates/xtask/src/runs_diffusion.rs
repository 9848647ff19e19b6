//! 第 10 章の長い計算: 2 次元のガウス混合のデータで ε を予測するネットワークを学習し、厳密な予測と比べる。
//!
//! 結果は [`RUNS`] に書く（仕組みは [`crate::runs`] と同じ: 先頭に入力の指紋、`--check` で 1 バイトも違わないことを
//! 確かめる）。行の種類:
//!
//! - `mixture`: データの混合の成分（番号、重み、平均 2 つ、分散 2 つ）
//! - `floor`: 一様な `t` についての損失の下限 `(1/T) Σ_t (D − E‖ε*‖²)` の層別モンテカルロ推定と標準誤差
//! - `curve`: 回（エポック）、その回のミニバッチの損失の平均、検証用の損失（新しく引いた [`HELD`] 点、`t` は一様）の
//!   推定と標準誤差、同じ点・同じ `t`・同じ `ε` での厳密な `ε*` の損失、差（超過）の推定と標準誤差（対にした差）
//! - `tloss`: 時刻 `t`、その `t` のネットワークの損失の推定と標準誤差、下限の推定と標準誤差、`E‖ε̂ − ε*‖²` と標準誤差
//! - `score`: 時刻 `t`、格子の点 `(x₁, x₂)`、厳密なスコア `∇ ln p_t`（2 つ）、ネットワークのスコア `−ε̂/√(1 − ᾱ_t)`（2 つ）
//! - `sample`: `net`（学習したネットワーク）か `exact`（厳密な `ε*`）、DDPM（`σ_t² = β_t`）の標本 `(x₁, x₂)`。
//!   2 つは同じ乱数（同じ `x_T` と `z`）から引く
//! - `fraction`: `net`・`exact`・`data`、成分の番号、いちばん近い平均に割り当てた標本の割合
//! - `gaussian`: ガウス分布のデータ（[`GAUSSIAN_MEAN`]・[`GAUSSIAN_VAR`]）で学習したネットワーク（`net`）と厳密な `ε*`
//!   （`exact`）の DDPM の標本の、座標ごとの平均・標準誤差・分散・標準誤差と、厳密な漸化式
//!   （`genmodel::diffusion::sampler::gaussian_output`）の平均・分散
//!
//! # Examples
//!
//! ```
//! let runs = xtask::runs_diffusion::DiffusionRuns::read(&xtask::workspace_root()).unwrap();
//! // 学習の後の損失は下限より上にあり、近い
//! let last = runs.curve.last().unwrap();
//! assert!(last.held.0 > runs.floor.0 && last.held.0 < runs.floor.0 + 0.05);
//! ```

use crate::runs_io::{self, bad};
use genmodel::diffusion::sampler::{Variance, gaussian_output, sample};
use genmodel::diffusion::{
    EpsilonNet, EpsilonPredictor, ExactEpsilon, GaussianMixture, Schedule, TimeEmbedding, Training,
    evaluate,
};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array1, Array2, array};
use genmodel::nn::{Activation, Adam};
use genmodel::vae::evaluate::standard_normal;
use rand::Rng;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// 結果のファイル（根からの相対）。
pub const RUNS: &str = "src/figures/data/diffusion-mixture.tsv";

/// 指紋に入れるファイル（根からの相対）。
pub const INPUTS: &[&str] = &[
    "crates/xtask/src/runs_diffusion.rs",
    "crates/genmodel/src/diffusion/evaluate.rs",
    "crates/genmodel/src/diffusion/loss.rs",
    "crates/genmodel/src/diffusion/mixture.rs",
    "crates/genmodel/src/diffusion/network.rs",
    "crates/genmodel/src/diffusion/predictor.rs",
    "crates/genmodel/src/diffusion/sampler.rs",
    "crates/genmodel/src/diffusion/schedule.rs",
    "crates/genmodel/src/diffusion/train.rs",
    "crates/genmodel/src/nn/activation.rs",
    "crates/genmodel/src/nn/dense.rs",
    "crates/genmodel/src/nn/mlp.rs",
    "crates/genmodel/src/nn/params.rs",
    "crates/genmodel/src/nn/adam.rs",
    "crates/genmodel/src/vae/evaluate.rs",
    "crates/genmodel/src/vae/model.rs",
    "crates/genmodel/src/gaussian/univariate.rs",
];

/// 段の数 `T`。
pub const T: usize = 1000;
/// 線形の予定の `(β_1, β_T)`。
pub const BETA: (f64, f64) = (1e-4, 0.02);
/// 時刻の埋め込みの周波数の数 `K`（特徴は `2K` 個）。
pub const FREQUENCIES: usize = 8;
/// 隠れ層の幅（`2 + 2K → 128 → 128 → 2`、隠れ層 ReLU）。
pub const HIDDEN: [usize; 2] = [128, 128];
/// ミニバッチの大きさ。
pub const BATCH: usize = 256;
/// 学習用のデータの点の数。
pub const DATA: usize = 20_000;
/// 学習の段: (回の数, Adam の学習率)。
pub const STAGES: [(usize, f64); 3] = [(60, 2e-3), (30, 1e-3), (30, 3e-4)];
/// 検証用の点の数と、検証用の損失を記録する間隔（回）。
pub const HELD: usize = 10_000;
/// 検証用の損失を記録する間隔（回）。
pub const EVERY: usize = 5;
/// 時刻ごとの損失を測る `t`。
pub const TIMES: [usize; 9] = [1, 5, 20, 50, 100, 200, 400, 700, 1000];
/// スコアの格子の `t`。
pub const SCORE_TIMES: [usize; 4] = [5, 50, 200, 600];
/// スコアの格子の 1 辺の点の数（`x_j ∈ [−3.5, 3.5]`）。
pub const GRID: usize = 29;
/// 標本の数。
pub const SAMPLES: usize = 2000;
/// ガウス分布のデータの平均と分散（座標ごと、独立）。
pub const GAUSSIAN_MEAN: [f64; 2] = [1.0, -0.5];
/// ガウス分布のデータの分散。
pub const GAUSSIAN_VAR: [f64; 2] = [0.3, 1.5];
/// ガウス分布のデータの学習の段。
pub const GAUSSIAN_STAGES: [(usize, f64); 3] = [(30, 2e-3), (15, 1e-3), (15, 3e-4)];
/// ガウス分布のデータの標本の数。
pub const GAUSSIAN_SAMPLES: usize = 5000;

/// データの混合: 半径 2 の円の上の 6 つの成分（角度 90° + 60° k）。重みは 0.25, 0.2, 0.15, 0.15, 0.15, 0.1、
/// 分散は成分ごとに `(0.04, 0.04)` と `(0.09, 0.02)` を交互に。
///
/// # Errors
///
/// 混合が作れなければ（起こらない）エラーを返す。
pub fn mixture() -> genmodel::Result<GaussianMixture> {
    let k = 6;
    let means = Array2::from_shape_fn((k, 2), |(i, j)| {
        let a = std::f64::consts::FRAC_PI_2 + std::f64::consts::PI / 3.0 * i as f64;
        2.0 * if j == 0 { a.cos() } else { a.sin() }
    });
    let vars = Array2::from_shape_fn((k, 2), |(i, j)| match (i % 2, j) {
        (0, _) => 0.04,
        (_, 0) => 0.09,
        _ => 0.02,
    });
    GaussianMixture::new(array![0.25, 0.2, 0.15, 0.15, 0.15, 0.1], means, vars)
}

/// 学習曲線の 1 点。
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// 回（1 から）。
    pub epoch: usize,
    /// その回のミニバッチの損失の平均。
    pub train: f64,
    /// 検証用の損失の推定と標準誤差（記録しない回は NaN）。
    pub held: (f64, f64),
    /// 同じ検証用の点での厳密な `ε*` の損失。
    pub exact: f64,
    /// 超過 `L(θ) − L(ε*)` の対にした推定と標準誤差。
    pub excess: (f64, f64),
}

/// 結果のファイルの中身。
#[derive(Debug, Clone, Default)]
pub struct DiffusionRuns {
    /// 指紋。
    pub fingerprint: String,
    /// 一様な `t` についての損失の下限の推定と標準誤差。
    pub floor: (f64, f64),
    /// 学習曲線。
    pub curve: Vec<Point>,
    /// 時刻ごと: (t, ネットワークの損失, 標準誤差, 下限, 標準誤差, `E‖ε̂ − ε*‖²`, 標準誤差)。
    pub tloss: Vec<[f64; 7]>,
    /// スコアの格子: (t, x₁, x₂, 厳密 2 つ, ネットワーク 2 つ)。
    pub score: Vec<[f64; 7]>,
    /// 標本: (`net` か `exact`, x₁, x₂)。
    pub samples: Vec<(String, f64, f64)>,
    /// 成分の割合: (`net`・`exact`・`data`, 成分, 割合)。
    pub fractions: Vec<(String, usize, f64)>,
    /// ガウス分布のデータ: (`net` か `exact`, 座標, 平均, 標準誤差, 分散, 標準誤差, 厳密な平均, 厳密な分散)。
    pub gaussian: Vec<(String, usize, [f64; 6])>,
}

impl DiffusionRuns {
    /// ファイルを読む。
    ///
    /// # Errors
    ///
    /// 読めないか形が崩れていればエラーを返す。
    pub fn read(root: &Path) -> io::Result<DiffusionRuns> {
        parse(&std::fs::read_to_string(root.join(RUNS))?)
    }
}

/// 計算に使うコードとデータの指紋。
///
/// # Errors
///
/// ファイルが読めなければエラーを返す。
pub fn fingerprint(root: &Path) -> io::Result<String> {
    runs_io::fingerprint(root, INPUTS)
}

fn num<T: std::str::FromStr>(s: Option<&str>) -> io::Result<T> {
    runs_io::num(s, RUNS)
}

fn nums<const N: usize>(f: &mut std::str::Split<'_, char>) -> io::Result<[f64; N]> {
    let mut a = [0.0; N];
    for v in &mut a {
        *v = num(f.next())?;
    }
    Ok(a)
}

fn parse(text: &str) -> io::Result<DiffusionRuns> {
    let mut r = DiffusionRuns::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.split('\t');
        match f.next() {
            Some("fingerprint") => r.fingerprint = num(f.next())?,
            Some("mixture") => {}
            Some("floor") => r.floor = (num(f.next())?, num(f.next())?),
            Some("curve") => {
                let epoch = num(f.next())?;
                let [train, h, hs, exact, e, es] = nums::<6>(&mut f)?;
                r.curve.push(Point {
                    epoch,
                    train,
                    held: (h, hs),
                    exact,
                    excess: (e, es),
                });
            }
            Some("tloss") => r.tloss.push(nums::<7>(&mut f)?),
            Some("score") => r.score.push(nums::<7>(&mut f)?),
            Some("sample") => {
                r.samples
                    .push((num(f.next())?, num(f.next())?, num(f.next())?));
            }
            Some("fraction") => {
                r.fractions
                    .push((num(f.next())?, num(f.next())?, num(f.next())?));
            }
            Some("gaussian") => {
                let name = num(f.next())?;
                let coord = num(f.next())?;
                r.gaussian.push((name, coord, nums::<6>(&mut f)?));
            }
            other => return Err(bad(format!("{RUNS}: 知らない行 {other:?}"))),
        }
    }
    Ok(r)
}

fn model_err(e: genmodel::Error) -> io::Error {
    bad(e.to_string())
}

fn line(out: &mut String, args: std::fmt::Arguments<'_>) -> io::Result<()> {
    out.write_fmt(args).map_err(|e| bad(e.to_string()))?;
    out.push('\n');
    Ok(())
}

/// 平均と標準誤差。
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// 検証用の点: `x_0`、一様な `t`、`ε` と `x_t`。
struct Held {
    t: Vec<usize>,
    eps: Array2<f64>,
    xt: Array2<f64>,
}

fn held_out(data: &Array2<f64>, schedule: &Schedule, seed: u64) -> io::Result<Held> {
    let mut rng = seeded_rng(seed);
    let t: Vec<usize> = (0..data.nrows())
        .map(|_| rng.random_range(1..=schedule.steps()))
        .collect();
    let eps = Array2::from_shape_simple_fn(data.raw_dim(), || standard_normal(&mut rng));
    let mut xt = Array2::zeros(data.raw_dim());
    for (i, &s) in t.iter().enumerate() {
        let (a, v) = schedule.marginal(s).map_err(model_err)?;
        for j in 0..data.ncols() {
            xt[[i, j]] = a * data[[i, j]] + v.sqrt() * eps[[i, j]];
        }
    }
    Ok(Held { t, eps, xt })
}

/// 行ごとの `‖ε − ε̂‖²`。
fn row_losses(eps: &Array2<f64>, pred: &Array2<f64>) -> Vec<f64> {
    eps.rows()
        .into_iter()
        .zip(pred.rows())
        .map(|(e, p)| e.iter().zip(p).map(|(a, b)| (a - b) * (a - b)).sum())
        .collect()
}

/// 厳密な `ε*` を行ごとの `t` で。
fn exact_rows(exact: &ExactEpsilon, held: &Held) -> io::Result<Array2<f64>> {
    let mut out = Array2::zeros(held.xt.raw_dim());
    for (i, &s) in held.t.iter().enumerate() {
        let row = held.xt.slice_axis(
            genmodel::ndarray::Axis(0),
            genmodel::ndarray::Slice::from(i..i + 1),
        );
        let e = exact.epsilon(row, s).map_err(model_err)?;
        out.row_mut(i).assign(&e.row(0));
    }
    Ok(out)
}

/// 学習する。`curve` なら学習曲線を書く。
fn train(
    out: &mut String,
    data: &Array2<f64>,
    schedule: &Schedule,
    stages: &[(usize, f64)],
    seed: u64,
    curve: Option<(&ExactEpsilon, &Held)>,
) -> io::Result<EpsilonNet> {
    let mut net = EpsilonNet::new(
        2,
        &HIDDEN,
        Activation::Relu,
        TimeEmbedding::new(T, FREQUENCIES).map_err(model_err)?,
        &mut seeded_rng(seed),
    )
    .map_err(model_err)?;
    let exact_losses = match curve {
        Some((exact, held)) => Some(row_losses(&held.eps, &exact_rows(exact, held)?)),
        None => None,
    };
    let mut adam = Adam::new(stages[0].1, 0.9, 0.999, 1e-8).map_err(model_err)?;
    let mut epoch = 0usize;
    for &(epochs, lr) in stages {
        adam.set_learning_rate(lr).map_err(model_err)?;
        for _ in 0..epochs {
            epoch += 1;
            let (mut sum, mut count) = (0.0, 0usize);
            let t = Training {
                batch_size: BATCH,
                epochs: 1,
                seed: seed * 100_000 + epoch as u64,
            };
            net.fit(data, schedule, &t, &mut adam, |_, l| {
                sum += l;
                count += 1;
            })
            .map_err(model_err)?;
            if let (Some((_, held)), Some(ex)) = (curve, &exact_losses) {
                let (h, e) = if epoch % EVERY == 0 || epoch == 1 {
                    let pred = net.predict(&held.xt, &held.t).map_err(model_err)?;
                    let l = row_losses(&held.eps, &pred);
                    let d: Vec<f64> = l.iter().zip(ex).map(|(a, b)| a - b).collect();
                    (mean_se(&l), mean_se(&d))
                } else {
                    ((f64::NAN, f64::NAN), (f64::NAN, f64::NAN))
                };
                line(
                    out,
                    format_args!(
                        "curve\t{epoch}\t{}\t{}\t{}\t{}\t{}\t{}",
                        sum / count as f64,
                        h.0,
                        h.1,
                        mean_se(ex).0,
                        e.0,
                        e.1
                    ),
                )?;
            }
        }
    }
    Ok(net)
}

/// いちばん近い平均の成分の番号。
fn nearest(means: &[(f64, f64)], x: f64, y: f64) -> usize {
    let d = |&(a, b): &(f64, f64)| (x - a).powi(2) + (y - b).powi(2);
    (0..means.len())
        .min_by(|&i, &j| d(&means[i]).total_cmp(&d(&means[j])))
        .unwrap_or(0)
}

fn fractions(out: &mut String, name: &str, x: &Array2<f64>) -> io::Result<()> {
    let means: Vec<(f64, f64)> = (0..6)
        .map(|i| {
            let a = std::f64::consts::FRAC_PI_2 + std::f64::consts::PI / 3.0 * i as f64;
            (2.0 * a.cos(), 2.0 * a.sin())
        })
        .collect();
    let mut count = [0usize; 6];
    for r in x.rows() {
        count[nearest(&means, r[0], r[1])] += 1;
    }
    for (k, c) in count.iter().enumerate() {
        line(
            out,
            format_args!("fraction\t{name}\t{k}\t{}", *c as f64 / x.nrows() as f64),
        )?;
    }
    Ok(())
}

fn mixture_part(out: &mut String, schedule: &Schedule) -> io::Result<()> {
    let m = mixture().map_err(model_err)?;
    let w = [0.25, 0.2, 0.15, 0.15, 0.15, 0.1];
    for (k, wk) in w.iter().enumerate() {
        let a = std::f64::consts::FRAC_PI_2 + std::f64::consts::PI / 3.0 * k as f64;
        let v = if k % 2 == 0 {
            (0.04, 0.04)
        } else {
            (0.09, 0.02)
        };
        line(
            out,
            format_args!(
                "mixture\t{k}\t{wk}\t{}\t{}\t{}\t{}",
                2.0 * a.cos(),
                2.0 * a.sin(),
                v.0,
                v.1
            ),
        )?;
    }
    let floor =
        evaluate::mean_loss_floor(&m, schedule, 200, &mut seeded_rng(11)).map_err(model_err)?;
    line(
        out,
        format_args!("floor\t{}\t{}", floor.mean, floor.standard_error),
    )?;
    let (data, _) = m.sample(&mut seeded_rng(1), DATA).map_err(model_err)?;
    let (held_x0, _) = m.sample(&mut seeded_rng(2), HELD).map_err(model_err)?;
    let held = held_out(&held_x0, schedule, 3)?;
    let exact = ExactEpsilon::new(m.clone(), schedule.clone()).map_err(model_err)?;
    let clock = std::time::Instant::now();
    let net = train(out, &data, schedule, &STAGES, 4, Some((&exact, &held)))?;
    println!(
        "第 10 章: 混合の学習 {:.1} 秒",
        clock.elapsed().as_secs_f64()
    );
    // 時刻ごとの損失・下限・ε の誤差（同じ x_t で）
    for (i, &t) in TIMES.iter().enumerate() {
        let seed = 20 + i as u64;
        let ln = evaluate::epsilon_loss(&net, schedule, &held_x0, t, &mut seeded_rng(seed))
            .map_err(model_err)?;
        let lf = evaluate::loss_floor(&m, schedule, t, HELD, &mut seeded_rng(seed + 100))
            .map_err(model_err)?;
        let pt = m.noised(schedule, t).map_err(model_err)?;
        let (xt, _) = pt
            .sample(&mut seeded_rng(seed + 200), HELD)
            .map_err(model_err)?;
        let d = row_losses(
            &exact.epsilon(xt.view(), t).map_err(model_err)?,
            &net.epsilon(xt.view(), t).map_err(model_err)?,
        );
        let de = mean_se(&d);
        line(
            out,
            format_args!(
                "tloss\t{t}\t{}\t{}\t{}\t{}\t{}\t{}",
                ln.mean, ln.standard_error, lf.mean, lf.standard_error, de.0, de.1
            ),
        )?;
    }
    // スコアの格子
    let g = GRID;
    let grid = Array2::from_shape_fn((g * g, 2), |(k, j)| {
        let i = if j == 0 { k % g } else { k / g };
        -3.5 + 7.0 * i as f64 / (g - 1) as f64
    });
    for t in SCORE_TIMES {
        let exact_score = m
            .noised(schedule, t)
            .and_then(|p| p.score(&grid))
            .map_err(model_err)?;
        let net_score = genmodel::diffusion::predictor::score_from_epsilon(
            schedule,
            t,
            &net.epsilon(grid.view(), t).map_err(model_err)?,
        )
        .map_err(model_err)?;
        for k in 0..g * g {
            line(
                out,
                format_args!(
                    "score\t{t}\t{}\t{}\t{}\t{}\t{}\t{}",
                    grid[[k, 0]],
                    grid[[k, 1]],
                    exact_score[[k, 0]],
                    exact_score[[k, 1]],
                    net_score[[k, 0]],
                    net_score[[k, 1]]
                ),
            )?;
        }
    }
    println!(
        "第 10 章: 学習の後の評価まで {:.1} 秒",
        clock.elapsed().as_secs_f64()
    );
    // 標本（同じ乱数から）
    let xn =
        sample(&net, schedule, Variance::Beta, SAMPLES, &mut seeded_rng(5)).map_err(model_err)?;
    let xe = sample(
        &exact,
        schedule,
        Variance::Beta,
        SAMPLES,
        &mut seeded_rng(5),
    )
    .map_err(model_err)?;
    for (name, x) in [("net", &xn), ("exact", &xe)] {
        for r in x.rows() {
            line(out, format_args!("sample\t{name}\t{}\t{}", r[0], r[1]))?;
        }
    }
    fractions(out, "net", &xn)?;
    fractions(out, "exact", &xe)?;
    fractions(out, "data", &data)?;
    Ok(())
}

fn var_se(v: &[f64]) -> (f64, f64, f64, f64) {
    let (m, se) = mean_se(v);
    let n = v.len() as f64;
    let dev: Vec<f64> = v.iter().map(|x| (x - m) * (x - m)).collect();
    let var = dev.iter().sum::<f64>() / (n - 1.0);
    // 分散の標準誤差は (x − m)² の平均の標準誤差
    let (_, se_var) = mean_se(&dev);
    (m, se, var, se_var)
}

fn gaussian_part(out: &mut String, schedule: &Schedule) -> io::Result<()> {
    let g = GaussianMixture::new(
        array![1.0],
        Array2::from_shape_vec((1, 2), GAUSSIAN_MEAN.to_vec()).map_err(|e| bad(e.to_string()))?,
        Array2::from_shape_vec((1, 2), GAUSSIAN_VAR.to_vec()).map_err(|e| bad(e.to_string()))?,
    )
    .map_err(model_err)?;
    let (data, _) = g.sample(&mut seeded_rng(31), DATA).map_err(model_err)?;
    let clock = std::time::Instant::now();
    let net = train(out, &data, schedule, &GAUSSIAN_STAGES, 32, None)?;
    println!(
        "第 10 章: ガウス分布の学習 {:.1} 秒",
        clock.elapsed().as_secs_f64()
    );
    let exact = ExactEpsilon::new(g, schedule.clone()).map_err(model_err)?;
    let xn = sample(
        &net,
        schedule,
        Variance::Beta,
        GAUSSIAN_SAMPLES,
        &mut seeded_rng(33),
    )
    .map_err(model_err)?;
    let xe = sample(
        &exact,
        schedule,
        Variance::Beta,
        GAUSSIAN_SAMPLES,
        &mut seeded_rng(34),
    )
    .map_err(model_err)?;
    for (name, x) in [("net", &xn), ("exact", &xe)] {
        for j in 0..2 {
            let col: Array1<f64> = x.column(j).to_owned();
            let (m, se, v, se_v) = var_se(col.as_slice().unwrap_or(&[]));
            let (em, ev) =
                gaussian_output(schedule, GAUSSIAN_MEAN[j], GAUSSIAN_VAR[j], Variance::Beta)
                    .map_err(model_err)?;
            line(
                out,
                format_args!("gaussian\t{name}\t{j}\t{m}\t{se}\t{v}\t{se_v}\t{em}\t{ev}"),
            )?;
        }
    }
    Ok(())
}

/// すべてを計算して、ファイルの中身と秒数を返す。
///
/// # Errors
///
/// 学習か標本抽出が失敗すればエラーを返す。
pub fn compute(root: &Path) -> io::Result<(String, f64)> {
    let start = std::time::Instant::now();
    let schedule = Schedule::linear(T, BETA.0, BETA.1).map_err(model_err)?;
    let mut out = String::new();
    line(
        &mut out,
        format_args!(
            "# 第 10 章の計算の結果。`cargo run --release -p xtask -- runs ch10` が書く。手で直さない"
        ),
    )?;
    line(
        &mut out,
        format_args!(
            "# T = {T}・β = {BETA:?}・K = {FREQUENCIES}・隠れ層 {HIDDEN:?}・ReLU・ミニバッチ {BATCH}・データ {DATA} 点・段 {STAGES:?}"
        ),
    )?;
    line(
        &mut out,
        format_args!("fingerprint\t{}", fingerprint(root)?),
    )?;
    mixture_part(&mut out, &schedule)?;
    println!("第 10 章: 混合の部 {:.1} 秒", start.elapsed().as_secs_f64());
    gaussian_part(&mut out, &schedule)?;
    Ok((out, start.elapsed().as_secs_f64()))
}

/// 計算してファイルに書く（`check` なら一致を確かめる）。
///
/// # Errors
///
/// 計算か入出力に失敗すれば、または `check` で一致しなければエラーを返す。
pub fn run(root: &Path, check: bool) -> io::Result<()> {
    let (text, seconds) = compute(root)?;
    println!("第 10 章: {seconds:.1} 秒");
    runs_io::write_or_check(root, RUNS, &text, check)
}
