//! ndarray ↔ faer の変換（`linalg` の唯一の変換点）にかかる時間を、分解そのものと比べる。
//!
//! `cargo run --release --example bench_faer_bridge -p genmodel`
//!
//! 本で使う大きさ: 多変量ガウス（§2.4）は N = 2〜4、Ising のヘッセ行列（§2.6）は
//! N(N+1)/2 = 105（N = 14）まで。変換は成分を 1 つずつ写す（連続でないビューも添字どおりに読む）ので、
//! その費用を対称固有値分解と並べて、1 回の分解に対する割合で示す。

use faer::Mat;
use genmodel::linalg::symmetric_eigen;
use genmodel::ndarray::Array2;
use std::hint::black_box;
use std::time::Instant;

/// `f` を `reps` 回走らせた 1 回あたりの秒数（3 回測った中央値）。
fn time_per_call(reps: u32, mut f: impl FnMut()) -> f64 {
    let mut runs: Vec<f64> = (0..3)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..reps {
                f();
            }
            t0.elapsed().as_secs_f64() / f64::from(reps)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[1]
}

fn main() -> Result<(), genmodel::Error> {
    println!("| N | ndarray→faer→ndarray [µs] | 対称固有値分解（変換込み）[µs] | 変換の割合 |");
    println!("|---|---|---|---|");
    for n in [2usize, 4, 16, 55, 105, 210] {
        // 対角優位な対称行列
        let a = Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                n as f64
            } else {
                1.0 / (1.0 + (i + j) as f64)
            }
        });
        let reps = (200_000 / (n * n)).max(5) as u32;
        let copy = time_per_call(reps, || {
            let m = Mat::from_fn(n, n, |i, j| a[[i, j]]);
            let back = Array2::from_shape_fn((n, n), |(i, j)| m[(i, j)]);
            black_box(back);
        });
        let eig = time_per_call(reps.div_ceil(10).max(3), || {
            black_box(symmetric_eigen(&a).unwrap());
        });
        println!(
            "| {n} | {:.2} | {:.2} | {:.1} % |",
            copy * 1e6,
            eig * 1e6,
            100.0 * copy / eig
        );
    }
    Ok(())
}
