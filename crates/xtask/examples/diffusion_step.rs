//! 2 次元のガウス混合の ε を予測するネットワークの学習の 1 歩を genmodel で測る（`bench/diffusion-step.sh` が
//! PyTorch 版 `bench/diffusion_step.py` と並べる）。
//!
//! モデルは PyTorch 版と同じ: 入力 `[x, e(t)]`（2 + 2K = 18 列、`e_k(t) = sin(ω_k t)`、`e_{K+k}(t) = cos(ω_k t)`、
//! `ω_k = π 2^{k−1} / T`、K = 8、T = 1000）→ H → H → 2（隠れ層 ReLU、出力は恒等）、損失
//! `(1/B) Σ_b ‖ε_b − ε_θ(x_t, t_b)‖²`、Adam（学習率 1e-3、β = (0.9, 0.999)、ε = 1e-8）、f64。データは第 10 章の
//! 混合（`xtask::runs_diffusion::mixture`）の 20000 点で、回ごとに並べ替えたミニバッチを順に使う。
//!
//! ```text
//! cargo run --release -p xtask --example diffusion_step -- [--hidden 128] [--batch 256] [--steps 500] [--warmup 50]
//! ```
//!
//! 出力: `diffusion_step_ns <中央値>`。標準エラーに最後の 50 歩の平均の損失。

use genmodel::diffusion::{EpsilonNet, Schedule, TimeEmbedding};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, Axis};
use genmodel::nn::{Activation, Adam};
use rand::seq::SliceRandom;
use std::time::Instant;
use xtask::runs_diffusion as rd;

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("整数"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let hidden = arg(&args, "--hidden", rd::HIDDEN[0]);
    let batch = arg(&args, "--batch", rd::BATCH);
    let steps = arg(&args, "--steps", 500);
    let warmup = arg(&args, "--warmup", 50);
    let schedule = Schedule::linear(rd::T, rd::BETA.0, rd::BETA.1)?;
    let (train, _) = rd::mixture()?.sample(&mut seeded_rng(1), rd::DATA)?;
    let mut rng = seeded_rng(0);
    let mut net = EpsilonNet::new(
        2,
        &[hidden, hidden],
        Activation::Relu,
        TimeEmbedding::new(rd::T, rd::FREQUENCIES)?,
        &mut rng,
    )?;
    let mut adam = Adam::new(1e-3, 0.9, 0.999, 1e-8)?;
    let mut order: Vec<usize> = (0..train.nrows()).collect();
    let mut batches = Vec::new();
    let mut next_batch = |rng: &mut rand_chacha::ChaCha8Rng| -> Array2<f64> {
        if batches.is_empty() {
            order.shuffle(rng);
            batches = order
                .chunks_exact(batch)
                .rev()
                .map(<[usize]>::to_vec)
                .collect();
        }
        train.select(Axis(0), &batches.pop().expect("ミニバッチ"))
    };
    let mut losses = Vec::new();
    let mut times = Vec::new();
    for k in 0..warmup + steps {
        let x = next_batch(&mut rng);
        let start = Instant::now();
        losses.push(net.train_step(&mut adam, &schedule, &x, &mut rng)?);
        if k >= warmup {
            times.push(start.elapsed().as_nanos());
        }
    }
    times.sort_unstable();
    println!("diffusion_step_ns {}", times[times.len() / 2]);
    println!("hidden {hidden}");
    println!("batch {batch}");
    println!("params {}", net.params_flat().len());
    let tail = &losses[losses.len().saturating_sub(50)..];
    eprintln!(
        "loss (last {}) {:.4}",
        tail.len(),
        tail.iter().sum::<f64>() / tail.len() as f64
    );
    Ok(())
}
