//! DDPM の祖先サンプリング（T = 1000、σ_t² = β_t）で 10⁴ 点を引く時間を測る。ネットワークは第 10 章と同じ形
//! （`[x, e(t)]` 18 列 → 128 → 128 → 2、ReLU。重みは初期値のまま: 時間は重みによらない）と、厳密な `ε*`
//! （第 10 章の 6 成分の混合）の 2 つ。
//!
//! ```text
//! cargo run --release -p xtask --example diffusion_sample -- [--n 10000] [--hidden 128]
//! ```
//!
//! 出力: `diffusion_sample_net_s <秒>`、`diffusion_sample_exact_s <秒>`（1 回の測定）。

use genmodel::diffusion::sampler::{Variance, sample};
use genmodel::diffusion::{EpsilonNet, ExactEpsilon, Schedule, TimeEmbedding};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::nn::Activation;
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
    let n = arg(&args, "--n", 10_000);
    let hidden = arg(&args, "--hidden", rd::HIDDEN[0]);
    let schedule = Schedule::linear(rd::T, rd::BETA.0, rd::BETA.1)?;
    let net = EpsilonNet::new(
        2,
        &[hidden, hidden],
        Activation::Relu,
        TimeEmbedding::new(rd::T, rd::FREQUENCIES)?,
        &mut seeded_rng(0),
    )?;
    let start = Instant::now();
    let x = sample(&net, &schedule, Variance::Beta, n, &mut seeded_rng(1))?;
    println!(
        "diffusion_sample_net_s {:.3}",
        start.elapsed().as_secs_f64()
    );
    let exact = ExactEpsilon::new(rd::mixture()?, schedule.clone())?;
    let start = Instant::now();
    let y = sample(&exact, &schedule, Variance::Beta, n, &mut seeded_rng(1))?;
    println!(
        "diffusion_sample_exact_s {:.3}",
        start.elapsed().as_secs_f64()
    );
    println!("n {n}");
    eprintln!(
        "標本の平均: 学習していない（初期値の）ネットワーク ({:.3}, {:.3})、厳密な ε* ({:.3}, {:.3})",
        x.column(0).mean().unwrap_or(0.0),
        x.column(1).mean().unwrap_or(0.0),
        y.column(0).mean().unwrap_or(0.0),
        y.column(1).mean().unwrap_or(0.0)
    );
    Ok(())
}
