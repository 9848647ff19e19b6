//! 8×8 の数字の VAE の学習の 1 歩を genmodel で測る（`bench/vae-step.sh` が PyTorch 版 `bench/vae_step.py` と並べる）。
//!
//! モデルは PyTorch 版と同じ: エンコーダ 64 → H → H → 2d、デコーダ d → H → H → 64（隠れ層 tanh、出力は恒等、
//! デコーダの出力はベルヌーイ分布のロジット）、Adam（学習率 1e-3、β = (0.9, 0.999)、ε = 1e-8）、f64。
//! データは 2 値にした digits の学習用の 1438 行で、回ごとに並べ替えたミニバッチを順に使う。
//!
//! ```text
//! cargo run --release -p xtask --example vae_step -- [--hidden 128] [--latent 2] [--batch 128] [--steps 300] [--warmup 30] [--epochs N]
//! ```
//!
//! 出力: `vae_step_ns <中央値>`（`--epochs` なら `vae_train_s <秒>`）。標準エラーに最後の 50 歩の平均の損失（−ELBO）。

use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array2, Axis};
use genmodel::nn::{Activation, Adam};
use genmodel::vae::{Likelihood, Vae};
use rand::seq::SliceRandom;
use std::time::Instant;

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("整数"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let hidden = arg(&args, "--hidden", 128);
    let latent = arg(&args, "--latent", 2);
    let batch = arg(&args, "--batch", 128);
    let steps = arg(&args, "--steps", 300);
    let warmup = arg(&args, "--warmup", 30);
    let epochs = arg(&args, "--epochs", 0);
    let root = xtask::workspace_root();
    let (train, held) = xtask::data::digits(&root)?.split();
    let train = train.mapv(f64::from);
    let held = held.mapv(f64::from);
    let mut rng = seeded_rng(0);
    let mut vae = Vae::new(
        64,
        latent,
        &[hidden, hidden],
        Activation::Tanh,
        Likelihood::Bernoulli,
        &mut rng,
    )?;
    let mut adam = Adam::new(1e-3, 0.9, 0.999, 1e-8)?;
    let mut order: Vec<usize> = (0..train.nrows()).collect();
    let mut batches = Vec::new();
    let mut next_batch = |rng: &mut rand_chacha::ChaCha8Rng| -> Array2<f64> {
        if batches.is_empty() {
            order.shuffle(rng);
            // PyTorch 版と同じく、端数（1438 = 11 × 128 + 30）は捨てて同じ大きさのミニバッチだけを使う
            batches = order
                .chunks_exact(batch)
                .rev()
                .map(<[usize]>::to_vec)
                .collect();
        }
        train.select(Axis(0), &batches.pop().expect("ミニバッチ"))
    };
    let mut losses = Vec::new();
    if epochs > 0 {
        let per_epoch = train.nrows().div_ceil(batch);
        let start = Instant::now();
        for _ in 0..epochs * per_epoch {
            let x = next_batch(&mut rng);
            losses.push(-vae.train_step(&mut adam, &x, &mut rng)?);
        }
        println!("vae_train_s {:.3}", start.elapsed().as_secs_f64());
        let e = vae.elbo(&held, 2, &mut rng)?;
        eprintln!("held-out ELBO {:.3} ± {:.3}", e.mean, e.standard_error);
    } else {
        let mut times = Vec::new();
        for k in 0..warmup + steps {
            let x = next_batch(&mut rng);
            let start = Instant::now();
            losses.push(-vae.train_step(&mut adam, &x, &mut rng)?);
            if k >= warmup {
                times.push(start.elapsed().as_nanos());
            }
        }
        times.sort_unstable();
        println!("vae_step_ns {}", times[times.len() / 2]);
    }
    let tail = &losses[losses.len().saturating_sub(50)..];
    eprintln!(
        "loss (last {}) {:.3}",
        tail.len(),
        tail.iter().sum::<f64>() / tail.len() as f64
    );
    Ok(())
}
