//! 第 8 章の長い計算: 8×8 の数字（2 値）の VAE の学習と評価。
//!
//! 潜在変数の次元 `d = 2` と `d = 10` の 2 つのモデルを、学習用の 1438 行で学習する。結果は [`RUNS`] に書く
//! （仕組みは [`crate::runs`] と同じ: 指紋、`--check` で一致を確かめる）。
//!
//! - `curve`: 回（エポック）ごとの学習用のミニバッチの ELBO の平均と、10 回ごとの検証用の ELBO の推定 ± 標準誤差
//! - `final`: 学習後の検証用・学習用の ELBO（1 点 100 標本）と、重点サンプリングの対数尤度（K = 2 … 1000）
//! - `image`: 検証用の最初の 8 点の入力と再構成（`d = 10`）、事前分布からの 8 標本（`d = 10`）、
//!   潜在空間の格子 `z ∈ [−2, 2]²` の復号（`d = 2`）。値は画素が 1 の確率
//! - `latent`: 検証用の 359 点のエンコーダの平均 `μ`（`d = 2`）とラベル
//! - `linear`: 5 次元のガウス分布のデータ（[`linear_data`]）で、線形ガウスの VAE を同じ学習の仕組み
//!   （1 標本の ELBO の勾配と Adam、全点のミニバッチ）で学習した曲線: 歩、デコーダの周辺分布の厳密な対数尤度、
//!   その歩の ELBO の推定。`ppca` の行は確率的主成分分析の最大の対数尤度 (8.9)
//!
//! もう 1 つのファイル [`DECODER`] には、学習した `d = 2` のモデルのデコーダのパラメータを丸めずに
//! （f64 を読み戻せば同じ値になる最短の 10 進で）書き、`latent` の行も写す（本のページの動かせる図が
//! 潜在空間の点を復号するのに使う。読むのは [`crate::runs_vae_decoder::DecoderRuns`]）。指紋は同じで、`--check` は両方を確かめる。
//!
//! # Examples
//!
//! ```
//! let runs = xtask::runs_vae::VaeRuns::read(&xtask::workspace_root()).unwrap();
//! assert_eq!(runs.latent.len(), 359);
//! // 重点サンプリングの推定は K とともに上がり、ELBO より上にある
//! let d10: Vec<_> = runs.finals.iter().filter(|f| f.latent == 10).collect();
//! assert!(d10.iter().all(|f| f.is_k.last().unwrap().1 > f.held_elbo.0));
//! ```

use crate::runs_io::{self, bad};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, Axis};
use genmodel::nn::{Activation, Adam};
use genmodel::vae::{Likelihood, Training, Vae};
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// 結果のファイル（根からの相対）。
pub const RUNS: &str = "src/figures/data/vae-digits.tsv";

/// 学習した `d = 2` のデコーダのファイル（根からの相対）。
pub const DECODER: &str = "src/figures/data/vae-decoder-d2.tsv";

/// 指紋に入れるファイル（根からの相対）。
pub const INPUTS: &[&str] = &[
    "tests/data/digits.csv",
    "crates/xtask/src/data.rs",
    "crates/xtask/src/runs_vae.rs",
    "crates/genmodel/src/vae/model.rs",
    "crates/genmodel/src/vae/evaluate.rs",
    "crates/genmodel/src/vae/train.rs",
    "crates/genmodel/src/nn/activation.rs",
    "crates/genmodel/src/nn/dense.rs",
    "crates/genmodel/src/nn/mlp.rs",
    "crates/genmodel/src/nn/params.rs",
    "crates/genmodel/src/nn/adam.rs",
    "crates/genmodel/src/gaussian/univariate.rs",
];

/// 潜在変数の次元（図 8.3 の潜在空間は 2、再構成と標本は 10）。
pub const LATENTS: [usize; 2] = [2, 10];
/// 隠れ層の幅（エンコーダ 64 → 128 → 128 → 2d、デコーダは逆順）。
pub const HIDDEN: [usize; 2] = [128, 128];
/// ミニバッチの大きさ。
pub const BATCH: usize = 128;
/// 学習の回数（エポック）。
pub const EPOCHS: usize = 200;
/// 学習率（Adam、β = (0.9, 0.999)、ε = 1e-8）。
pub const LEARNING_RATE: f64 = 1e-3;
/// 検証用の ELBO を記録する間隔（回）と、そのときの 1 点あたりの標本の数。
pub const EVERY: (usize, usize) = (10, 10);
/// 学習後の ELBO の 1 点あたりの標本の数。
pub const FINAL_SAMPLES: usize = 100;
/// 重点サンプリングの標本の数。
pub const IS_SAMPLES: [usize; 4] = [2, 10, 100, 1000];
/// 潜在空間の格子の 1 辺の点の数（`z_j ∈ [−2, 2]`）。
pub const GRID: usize = 7;

/// 学習曲線の 1 点。
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// 潜在変数の次元。
    pub latent: usize,
    /// 回（1 から）。
    pub epoch: usize,
    /// その回のミニバッチの ELBO の平均（学習用）。
    pub train: f64,
    /// 検証用の ELBO の推定と標準誤差（記録しない回は NaN）。
    pub held: (f64, f64),
}

/// 学習後の評価。
#[derive(Debug, Clone, PartialEq)]
pub struct Final {
    /// 潜在変数の次元。
    pub latent: usize,
    /// 学習用の ELBO と標準誤差。
    pub train_elbo: (f64, f64),
    /// 検証用の ELBO と標準誤差。
    pub held_elbo: (f64, f64),
    /// 検証用の重点サンプリングの対数尤度: (K, 推定, 標準誤差)。
    pub is_k: Vec<(usize, f64, f64)>,
    /// 学習の秒数（この計算機での参考）。書き出すファイルには入れない（バイトの一致を保つため）。
    pub seconds: f64,
}

/// 結果のファイルの中身。
#[derive(Debug, Clone, Default)]
pub struct VaeRuns {
    /// 指紋。
    pub fingerprint: String,
    /// 学習曲線。
    pub curve: Vec<Point>,
    /// 学習後の評価。
    pub finals: Vec<Final>,
    /// 画像: (名前, 番号, 64 画素の確率)。名前は `input`・`recon`・`sample`・`grid`。
    pub images: Vec<(String, usize, Vec<f64>)>,
    /// 検証用の点の潜在変数の平均 `(ラベル, μ₁, μ₂)`（`d = 2`）。
    pub latent: Vec<(u8, f64, f64)>,
    /// 線形ガウスの VAE の学習曲線: (歩, 厳密な対数尤度, ELBO の推定)。
    pub linear: Vec<(usize, f64, f64)>,
    /// 確率的主成分分析の最大の対数尤度と σ₀²、学習後の σ₀²。
    pub ppca: (f64, f64, f64),
    /// 学習後の線形ガウスの VAE の、重点サンプリングの対数尤度: (K, 推定, 標準誤差)。厳密な値は `linear` の最後の行。
    pub linear_is: Vec<(usize, f64, f64)>,
}

impl VaeRuns {
    /// ファイルを読む。
    ///
    /// # Errors
    ///
    /// 読めないか形が崩れていればエラーを返す。
    pub fn read(root: &Path) -> io::Result<VaeRuns> {
        parse(&std::fs::read_to_string(root.join(RUNS))?)
    }

    /// ファイルの中身 `text` を読む（[`VaeRuns::read`] のファイルを読まない版）。
    ///
    /// # Errors
    ///
    /// 形が崩れていればエラーを返す。
    pub fn parse(text: &str) -> io::Result<VaeRuns> {
        parse(text)
    }

    /// 名前 `name` の画像を番号の順に。
    pub fn images(&self, name: &str) -> Vec<&[f64]> {
        self.images
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, _, v)| v.as_slice())
            .collect()
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

fn parse(text: &str) -> io::Result<VaeRuns> {
    let mut r = VaeRuns::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.split('\t');
        match f.next() {
            Some("fingerprint") => r.fingerprint = num(f.next())?,
            Some("curve") => r.curve.push(Point {
                latent: num(f.next())?,
                epoch: num(f.next())?,
                train: num(f.next())?,
                held: (num(f.next())?, num(f.next())?),
            }),
            Some("final") => r.finals.push(Final {
                latent: num(f.next())?,
                train_elbo: (num(f.next())?, num(f.next())?),
                held_elbo: (num(f.next())?, num(f.next())?),
                is_k: Vec::new(),
                seconds: f64::NAN,
            }),
            Some("is") => {
                let latent: usize = num(f.next())?;
                let row = (num(f.next())?, num(f.next())?, num(f.next())?);
                r.finals
                    .iter_mut()
                    .find(|x| x.latent == latent)
                    .ok_or_else(|| bad(format!("{RUNS}: is の前に final がない")))?
                    .is_k
                    .push(row);
            }
            Some("image") => {
                let name: String = num(f.next())?;
                let k: usize = num(f.next())?;
                let v: Vec<f64> = f.map(|s| num(Some(s))).collect::<io::Result<_>>()?;
                if v.len() != 64 {
                    return Err(bad(format!("{RUNS}: 画像の画素が {} 個", v.len())));
                }
                r.images.push((name, k, v));
            }
            Some("latent") => r
                .latent
                .push((num(f.next())?, num(f.next())?, num(f.next())?)),
            Some("linear") => r
                .linear
                .push((num(f.next())?, num(f.next())?, num(f.next())?)),
            Some("ppca") => r.ppca = (num(f.next())?, num(f.next())?, num(f.next())?),
            Some("linear_is") => {
                r.linear_is
                    .push((num(f.next())?, num(f.next())?, num(f.next())?));
            }
            other => return Err(bad(format!("{RUNS}: 知らない行 {other:?}"))),
        }
    }
    Ok(r)
}

/// [`DECODER`] の中身を書く: デコーダの層ごとに重み `W`（`y = x W + b`）の行とバイアス、`latent` の行。
fn decoder_text(
    fingerprint: &str,
    vae: &Vae,
    latent_rows: &[(u8, f64, f64)],
) -> io::Result<String> {
    let mut out = String::new();
    line(
        &mut out,
        format_args!(
            "# 第 8 章の d = 2 の VAE の学習したデコーダ（隠れ層 tanh、出力は画素のロジット）と、検証用の点の潜在変数の平均"
        ),
    )?;
    line(
        &mut out,
        format_args!(
            "# `cargo run --release -p xtask -- runs ch8` が書く。手で直さない。値は f64 を読み戻せば同じになる最短の 10 進"
        ),
    )?;
    line(
        &mut out,
        format_args!(
            "# 行: `W 層 i` に続く重みの第 i 行（y = x W + b）、`b 層` に続くバイアス、`latent ラベル μ₁ μ₂`（{RUNS} と同じ）"
        ),
    )?;
    line(&mut out, format_args!("fingerprint\t{fingerprint}"))?;
    for (k, layer) in vae.decoder().layers().iter().enumerate() {
        for (i, row) in layer.weights().axis_iter(Axis(0)).enumerate() {
            let v: Vec<String> = row.iter().map(|w| format!("{w:?}")).collect();
            line(&mut out, format_args!("W\t{k}\t{i}\t{}", v.join("\t")))?;
        }
        let v: Vec<String> = layer.bias().iter().map(|w| format!("{w:?}")).collect();
        line(&mut out, format_args!("b\t{k}\t{}", v.join("\t")))?;
    }
    for (l, m1, m2) in latent_rows {
        line(&mut out, format_args!("latent\t{l}\t{m1}\t{m2}"))?;
    }
    Ok(out)
}

pub(crate) fn model_err(e: genmodel::Error) -> io::Error {
    bad(e.to_string())
}

fn line(out: &mut String, args: std::fmt::Arguments<'_>) -> io::Result<()> {
    out.write_fmt(args).map_err(|e| bad(e.to_string()))?;
    out.push('\n');
    Ok(())
}

fn image(out: &mut String, name: &str, k: usize, v: impl Iterator<Item = f64>) -> io::Result<()> {
    let px: Vec<String> = v.map(|p| format!("{p}")).collect();
    line(out, format_args!("image\t{name}\t{k}\t{}", px.join("\t")))
}

/// 1 つのモデルを学習し、評価を書く。学習したモデルを返す。
fn train_one(
    out: &mut String,
    latent: usize,
    train: &Array2<f64>,
    held: &Array2<f64>,
) -> io::Result<(Vae, Final)> {
    let mut vae = Vae::new(
        64,
        latent,
        &HIDDEN,
        Activation::Tanh,
        Likelihood::Bernoulli,
        &mut seeded_rng(latent as u64),
    )
    .map_err(model_err)?;
    let mut adam = Adam::new(LEARNING_RATE, 0.9, 0.999, 1e-8).map_err(model_err)?;
    let mut eval_rng = seeded_rng(1000 + latent as u64);
    let start = std::time::Instant::now();
    for epoch in 1..=EPOCHS {
        let mut sum = 0.0;
        let mut count = 0usize;
        let t = Training {
            batch_size: BATCH,
            epochs: 1,
            seed: (latent * 100_000 + epoch) as u64,
        };
        vae.fit(train, &t, &mut adam, |_, e| {
            sum += e;
            count += 1;
        })
        .map_err(model_err)?;
        let held_elbo = if epoch % EVERY.0 == 0 {
            let e = vae.elbo(held, EVERY.1, &mut eval_rng).map_err(model_err)?;
            (e.mean, e.standard_error)
        } else {
            (f64::NAN, f64::NAN)
        };
        line(
            out,
            format_args!(
                "curve\t{latent}\t{epoch}\t{}\t{}\t{}",
                sum / count as f64,
                held_elbo.0,
                held_elbo.1
            ),
        )?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let tr = vae
        .elbo(train, FINAL_SAMPLES, &mut eval_rng)
        .map_err(model_err)?;
    let he = vae
        .elbo(held, FINAL_SAMPLES, &mut eval_rng)
        .map_err(model_err)?;
    line(
        out,
        format_args!(
            "final\t{latent}\t{}\t{}\t{}\t{}",
            tr.mean, tr.standard_error, he.mean, he.standard_error
        ),
    )?;
    let mut is_k = Vec::new();
    for k in IS_SAMPLES {
        let e = vae
            .log_likelihood(held, k, &mut eval_rng)
            .map_err(model_err)?;
        line(
            out,
            format_args!("is\t{latent}\t{k}\t{}\t{}", e.mean, e.standard_error),
        )?;
        is_k.push((k, e.mean, e.standard_error));
    }
    let fin = Final {
        latent,
        train_elbo: (tr.mean, tr.standard_error),
        held_elbo: (he.mean, he.standard_error),
        is_k,
        seconds,
    };
    Ok((vae, fin))
}

/// 線形ガウスの VAE の学習の段: (歩の数, 学習率)。
pub const LINEAR_SCHEDULE: [(usize, f64); 4] =
    [(2000, 0.01), (2000, 0.003), (2000, 0.001), (2000, 3e-4)];

/// 5 次元のデータ 400 点: 2 次元の潜在変数（標準偏差 3 と 1.5）を乱数の 5 × 2 行列で写し、
/// 標準偏差 0.3 の雑音と平均 `(1, −2, 0.5, 0, 3)` を足したもの（シード 7）。
pub fn linear_data() -> Array2<f64> {
    use genmodel::vae::evaluate::standard_normal as n;
    let mut rng = seeded_rng(7);
    let a = Array2::from_shape_simple_fn((5, 2), || n(&mut rng));
    let scale = [3.0, 1.5];
    let z = Array2::from_shape_fn((400, 2), |(_, j)| scale[j] * n(&mut rng));
    let noise = Array2::from_shape_simple_fn((400, 5), || 0.3 * n(&mut rng));
    z.dot(&a.t()) + noise + genmodel::ndarray::arr1(&[1.0, -2.0, 0.5, 0.0, 3.0])
}

/// 線形ガウスの VAE のデコーダの周辺分布 `N(b, WᵀW + σ₀² I)` の平均対数尤度（§2.4 の多変量ガウス分布）。
pub fn linear_log_likelihood(vae: &Vae, x: &Array2<f64>) -> io::Result<f64> {
    let layer = &vae.decoder().layers()[0];
    let w = layer.weights();
    let mut c = w.t().dot(w);
    for i in 0..c.nrows() {
        c[[i, i]] += vae.log_noise().exp();
    }
    genmodel::gaussian::Mvn::new(layer.bias().clone(), c)
        .and_then(|m| m.mean_log_likelihood(x))
        .map_err(model_err)
}

fn linear(out: &mut String) -> io::Result<()> {
    let x = linear_data();
    let p = genmodel::vae::Ppca::fit(&x, 2).map_err(model_err)?;
    let best = p.mean_log_likelihood(&x).map_err(model_err)?;
    let mut vae = Vae::new(
        5,
        2,
        &[],
        Activation::Identity,
        Likelihood::Gaussian,
        &mut seeded_rng(8),
    )
    .map_err(model_err)?;
    let mut adam = Adam::new(LINEAR_SCHEDULE[0].1, 0.9, 0.999, 1e-8).map_err(model_err)?;
    let mut rng = seeded_rng(9);
    let mut step = 0usize;
    let mut next_record = 1usize;
    for (steps, lr) in LINEAR_SCHEDULE {
        adam.set_learning_rate(lr).map_err(model_err)?;
        for _ in 0..steps {
            let elbo = vae.train_step(&mut adam, &x, &mut rng).map_err(model_err)?;
            step += 1;
            if step == next_record {
                let ll = linear_log_likelihood(&vae, &x)?;
                line(out, format_args!("linear\t{step}\t{ll}\t{elbo}"))?;
                // 対数目盛りで 1 桁に 20 点
                next_record =
                    ((next_record as f64 * 10f64.powf(0.05)).ceil() as usize).max(step + 1);
            }
        }
    }
    let ll = linear_log_likelihood(&vae, &x)?;
    line(out, format_args!("linear\t{step}\t{ll}\tNaN"))?;
    for k in IS_SAMPLES {
        let e = vae.log_likelihood(&x, k, &mut rng).map_err(model_err)?;
        line(
            out,
            format_args!("linear_is\t{k}\t{}\t{}", e.mean, e.standard_error),
        )?;
    }
    line(
        out,
        format_args!(
            "ppca\t{best}\t{}\t{}",
            p.noise_variance(),
            vae.log_noise().exp()
        ),
    )
}

/// [`compute`] の結果。
#[derive(Debug, Clone)]
pub struct Computed {
    /// [`RUNS`] の中身。
    pub runs: String,
    /// [`DECODER`] の中身。
    pub decoder: String,
    /// 潜在変数の次元ごとの学習の秒数（[`LATENTS`] の順）。
    pub seconds: Vec<f64>,
}

/// すべてを計算して、2 つのファイルの中身と学習の秒数を返す。
///
/// # Errors
///
/// データが読めないか、学習が失敗すればエラーを返す。
pub fn compute(root: &Path) -> io::Result<Computed> {
    let digits = crate::data::digits(root)?;
    let (train, held) = digits.split();
    let (train, held) = (train.mapv(f64::from), held.mapv(f64::from));
    let labels: Vec<u8> = (0..digits.labels.len())
        .filter(|&i| crate::data::is_held_out(i))
        .map(|i| digits.labels[i])
        .collect();
    let mut out = String::new();
    line(
        &mut out,
        format_args!(
            "# 第 8 章の計算の結果。`cargo run --release -p xtask -- runs ch8` が書く。手で直さない"
        ),
    )?;
    line(
        &mut out,
        format_args!(
            "# 隠れ層 {HIDDEN:?}・tanh・ミニバッチ {BATCH}・{EPOCHS} 回・Adam の学習率 {LEARNING_RATE}・潜在変数の次元 {LATENTS:?}"
        ),
    )?;
    let print = fingerprint(root)?;
    line(&mut out, format_args!("fingerprint\t{print}"))?;
    linear(&mut out)?;
    let mut seconds = Vec::new();
    let mut decoder = String::new();
    for latent in LATENTS {
        let (vae, fin) = train_one(&mut out, latent, &train, &held)?;
        seconds.push(fin.seconds);
        if latent == 2 {
            let (mu, _) = vae.encode(&held).map_err(model_err)?;
            let rows: Vec<(u8, f64, f64)> = labels
                .iter()
                .zip(mu.axis_iter(Axis(0)))
                .map(|(&l, m)| (l, m[0], m[1]))
                .collect();
            for (l, m1, m2) in &rows {
                line(&mut out, format_args!("latent\t{l}\t{m1}\t{m2}"))?;
            }
            decoder = decoder_text(&print, &vae, &rows)?;
            let g = GRID;
            let z = Array2::from_shape_fn((g * g, 2), |(k, j)| {
                let (r, c) = (k / g, k % g);
                // 行は上から z₂ = 2 → −2、列は左から z₁ = −2 → 2
                let t = if j == 0 { c } else { g - 1 - r };
                -2.0 + 4.0 * t as f64 / (g - 1) as f64
            });
            let p = vae.decode(&z).map_err(model_err)?;
            for (k, row) in p.axis_iter(Axis(0)).enumerate() {
                image(&mut out, "grid", k, row.iter().copied())?;
            }
        } else {
            let first = held.select(Axis(0), &(0..8).collect::<Vec<_>>());
            let (mu, _) = vae.encode(&first).map_err(model_err)?;
            let recon = vae.decode(&mu).map_err(model_err)?;
            for k in 0..8 {
                image(&mut out, "input", k, first.row(k).iter().copied())?;
                image(&mut out, "recon", k, recon.row(k).iter().copied())?;
            }
            let mut rng = seeded_rng(77);
            let z = Array2::from_shape_simple_fn((8, latent), || {
                genmodel::vae::evaluate::standard_normal(&mut rng)
            });
            let s = vae.decode(&z).map_err(model_err)?;
            for (k, row) in s.axis_iter(Axis(0)).enumerate() {
                image(&mut out, "sample", k, row.iter().copied())?;
            }
        }
    }
    Ok(Computed {
        runs: out,
        decoder,
        seconds,
    })
}

/// 計算して 2 つのファイル（[`RUNS`]・[`DECODER`]）に書く（`check` なら一致を確かめる）。
///
/// # Errors
///
/// 計算か入出力に失敗すれば、または `check` で一致しなければエラーを返す。
pub fn run(root: &Path, check: bool) -> io::Result<()> {
    let c = compute(root)?;
    for (latent, s) in LATENTS.iter().zip(&c.seconds) {
        println!("第 8 章: d = {latent} の学習 {s:.1} 秒");
    }
    runs_io::write_or_check(root, RUNS, &c.runs, check)?;
    runs_io::write_or_check(root, DECODER, &c.decoder, check)
}
