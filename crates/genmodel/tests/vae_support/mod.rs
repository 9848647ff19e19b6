//! 第 8 章のテスト（`vae.rs`・`vae_mlp.rs`）が共有する乱数とデータ。
#![allow(dead_code)]

use genmodel::ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 標準正規分布の乱数（Box–Muller、テストの側の実装）。
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// 5 次元のデータ 400 点: 2 次元の潜在変数 + 異方的な雑音（固有値がはっきり分かれる）。
pub fn gaussian_data(seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a = Array2::from_shape_fn((5, 2), |_| normal(&mut rng));
    let scale = [3.0, 1.5];
    let z = Array2::from_shape_fn((400, 2), |(_, j)| scale[j] * normal(&mut rng));
    let noise = Array2::from_shape_fn((400, 5), |_| 0.3 * normal(&mut rng));
    z.dot(&a.t()) + noise + Array1::from(vec![1.0, -2.0, 0.5, 0.0, 3.0])
}
