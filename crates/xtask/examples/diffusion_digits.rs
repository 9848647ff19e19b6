//! 第 10 章の 8×8 の数字の拡散モデル: 学習用の 1438 行（画素 0..16 を `x = p/8 − 1` で `[−1, 1]` にした 64 次元）で
//! ε を予測するネットワーク（`[x, e(t)]` 64 + 16 列 → 256 → 256 → 64、ReLU、T = 1000、β は 1e-4 から 0.02 まで等間隔）
//! を学習し、DDPM（`σ_t² = β_t`）で 16 枚を引いて `src/figures/data/diffusion-digits.tsv` に書く。
//!
//! ```text
//! cargo run --release -p xtask --example diffusion_digits [-- --check]
//! ```
//!
//! 行: `fingerprint`（このファイルと拡散モデルのコードとデータの指紋）、`curve\t回\tミニバッチの損失の平均`、
//! `image\tsample\t番号\t64 画素`（値は `(x + 1)/2` を `[0, 1]` に切ったもの）、`image\tdata\t番号\t64 画素`
//! （比べるための学習用の最初の 16 枚）。`--check` は書かずに、計算し直した結果がファイルと 1 バイトも違わないことを確かめる。

use genmodel::diffusion::sampler::{Variance, sample};
use genmodel::diffusion::{EpsilonNet, Schedule, TimeEmbedding, Training};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, Axis};
use genmodel::nn::{Activation, Adam};
use std::fmt::Write as _;
use xtask::runs_io;

/// 結果のファイル。
const RUNS: &str = "src/figures/data/diffusion-digits.tsv";
/// 指紋に入れるファイル。
const INPUTS: &[&str] = &[
    "tests/data/digits.csv",
    "crates/xtask/src/data.rs",
    "crates/xtask/examples/diffusion_digits.rs",
    "crates/genmodel/src/diffusion/loss.rs",
    "crates/genmodel/src/diffusion/network.rs",
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
const HIDDEN: [usize; 2] = [256, 256];
const STAGES: [(usize, f64); 3] = [(400, 1e-3), (200, 3e-4), (100, 1e-4)];
const BATCH: usize = 128;
const IMAGES: usize = 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let check = std::env::args().any(|a| a == "--check");
    let root = xtask::workspace_root();
    let digits = xtask::data::digits(&root)?;
    let train: Vec<usize> = (0..digits.pixels.nrows())
        .filter(|&i| !xtask::data::is_held_out(i))
        .collect();
    let x: Array2<f64> = digits
        .pixels
        .select(Axis(0), &train)
        .mapv(|p| f64::from(p) / 8.0 - 1.0);
    let schedule = Schedule::linear(1000, 1e-4, 0.02)?;
    let mut net = EpsilonNet::new(
        64,
        &HIDDEN,
        Activation::Relu,
        TimeEmbedding::new(1000, 8)?,
        &mut seeded_rng(0),
    )?;
    let mut adam = Adam::new(STAGES[0].1, 0.9, 0.999, 1e-8)?;
    let mut out = String::new();
    writeln!(
        out,
        "# 第 10 章の 8×8 の数字の拡散モデル。`cargo run --release -p xtask --example diffusion_digits` が書く。手で直さない"
    )?;
    writeln!(
        out,
        "# 隠れ層 {HIDDEN:?}・ReLU・K = 8・T = 1000・ミニバッチ {BATCH}・段 {STAGES:?}"
    )?;
    writeln!(out, "fingerprint\t{}", runs_io::fingerprint(&root, INPUTS)?)?;
    let start = std::time::Instant::now();
    let mut epoch = 0usize;
    for (epochs, lr) in STAGES {
        adam.set_learning_rate(lr)?;
        for _ in 0..epochs {
            epoch += 1;
            let (mut sum, mut count) = (0.0, 0usize);
            let t = Training {
                batch_size: BATCH,
                epochs: 1,
                seed: epoch as u64,
            };
            net.fit(&x, &schedule, &t, &mut adam, |_, l| {
                sum += l;
                count += 1;
            })?;
            if epoch % 10 == 0 {
                writeln!(out, "curve\t{epoch}\t{}", sum / count as f64)?;
            }
        }
    }
    println!("学習 {:.1} 秒", start.elapsed().as_secs_f64());
    let s = sample(&net, &schedule, Variance::Beta, IMAGES, &mut seeded_rng(1))?;
    let px = |v: f64| ((v + 1.0) / 2.0).clamp(0.0, 1.0);
    for (name, img) in [("sample", &s), ("data", &x)] {
        for k in 0..IMAGES {
            let row: Vec<String> = img.row(k).iter().map(|&v| format!("{}", px(v))).collect();
            writeln!(out, "image\t{name}\t{k}\t{}", row.join("\t"))?;
        }
    }
    println!("全体 {:.1} 秒", start.elapsed().as_secs_f64());
    runs_io::write_or_check(&root, RUNS, &out, check)?;
    Ok(())
}
