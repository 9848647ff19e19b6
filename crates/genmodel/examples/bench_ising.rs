//! 時間計測用のバイナリ: Ising モデルの厳密な `ln Z` と 1 次・2 次のモーメント（§2.5）を全列挙で求める時間。
//!
//! `bench/run.sh` が NumPy 版（`bench/ising_numpy.py`）と並べて走らせる。テストではない。
//!
//! ```text
//! cargo run --release -p genmodel --example bench_ising -- 16 20 24
//! ```
//!
//! 出力は 1 行に `N 秒 ln_Z Σ⟨x_k⟩ Σ⟨x_k x_l⟩`（空白区切り）。パラメータは NumPy 版と同じ式で決める:
//! `h_k = 0.3 sin(k + 1)`、`J_kl = 0.8 cos(7k + 3l + 1) / √N`（`k < l`、0 始まり）。

use genmodel::boltzmann::ising::{Ising, pairs};
use std::time::Instant;

fn model(n: usize) -> Result<Ising, genmodel::Error> {
    let h = (0..n).map(|k| 0.3 * ((k + 1) as f64).sin()).collect();
    let j = pairs(n)
        .map(|(k, l)| 0.8 * ((7 * k + 3 * l + 1) as f64).cos() / (n as f64).sqrt())
        .collect();
    Ising::new(h, j)
}

fn main() -> Result<(), genmodel::Error> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![16, 20, 24]
    } else {
        sizes
    };
    for n in sizes {
        let m = model(n)?;
        // 小さい N は何回か回して最良の時間をとる（NumPy 版と同じ回数）
        let repeats = if n <= 16 {
            5
        } else if n <= 20 {
            3
        } else {
            1
        };
        let mut best = f64::INFINITY;
        let mut result = None;
        for _ in 0..repeats {
            let t = Instant::now();
            let r = m.exact()?;
            best = best.min(t.elapsed().as_secs_f64());
            result = Some(r);
        }
        let r = result.expect("repeats ≥ 1");
        println!(
            "{n} {best:.6} {:.12} {:.12} {:.12}",
            r.log_z(),
            r.means().iter().sum::<f64>(),
            r.correlations().iter().sum::<f64>()
        );
    }
    Ok(())
}
