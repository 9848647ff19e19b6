//! 64 × 20 の RBM の厳密な `ln Z` と、digits の平均対数尤度を genmodel で求め、時間を測る。
//!
//! `bench/rbm_loglik.sh` が NumPy 版（`bench/rbm_loglik.py`）と並べて走らせる。テストではない。
//!
//! パラメータは乱数ではなく閉じた式で作る（NumPy 版と同じ。`param_fnv1a` の行でビットまで同じことを確かめる）:
//!
//! - `W[i][j] = 0.05 · sin(1 + 7i + 13j)`（`i = 0..64` は可視、`j = 0..20` は隠れ）
//! - `b[i] = 0.1 · cos(3i)`
//! - `c[j] = 0.1 · sin(5j)`
//!
//! データは `tests/data/digits.csv` の全 1797 行を 2 値にしたもの（[`xtask::data::Digits::binarized`]）。
//! 時間 `seconds` は [`Rbm::mean_log_likelihood`]（`ln Z` の厳密な列挙を含む）だけを測り、読み込みは含めない。
//! 比べるための `ln Z` は、その前に [`Rbm::log_z`] を別に呼んで求める（その時間は `seconds_log_z`）。
//!
//! そのうえで、[`softplus`] 1 回の時間 `t_softplus` を `10^8` 回の呼び出しで測り、
//! 算術の下限 `2^20 · 64 · t_softplus`（`ln Z` の列挙に要る softplus の回数 × 1 回の時間）と、
//! 測った時間のその下限に対する比を出す。
//!
//! 出力は 1 行に「名前 値」の機械可読な形（`param_fnv1a`、`ln_z`、`mean_log_likelihood`、`seconds`、
//! `seconds_log_z`、`softplus_ns`、`lower_bound_seconds`、`ratio_to_lower_bound`）。
//!
//! ```text
//! cargo run --release -p xtask --example bench_rbm_loglik
//! ```

use genmodel::boltzmann::rbm::{Rbm, softplus};
use genmodel::ndarray::{Array1, Array2};
use std::hint::black_box;
use std::time::Instant;

const NV: usize = 64;
const NH: usize = 20;
/// softplus 1 回の時間を測る呼び出しの回数。
const SOFTPLUS_CALLS: u64 = 100_000_000;

/// NumPy 版と同じ閉じた式のパラメータ `(W, b, c)`。
fn parameters() -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let w = Array2::from_shape_fn((NV, NH), |(i, j)| {
        0.05 * ((1 + 7 * i + 13 * j) as f64).sin()
    });
    let b = Array1::from_shape_fn(NV, |i| 0.1 * ((3 * i) as f64).cos());
    let c = Array1::from_shape_fn(NH, |j| 0.1 * ((5 * j) as f64).sin());
    (w, b, c)
}

/// softplus 1 回あたりの時間（秒）。
///
/// 入力は `[−2, 2)` を細かく（周期 `2^10`）巡らせる。このモデルの活性 `b_i + (Wh)_i` は `|·| ≤ 1.1` に収まる。
/// 和は `ln Z` の列挙の内側（`Σ_i softplus(活性_i)`）と同じく 1 本の足し算の鎖にする。
fn softplus_seconds() -> f64 {
    let start = Instant::now();
    let mut acc = 0.0;
    for k in 0..SOFTPLUS_CALLS {
        let x = -2.0 + 4.0 * ((k & 1023) as f64) / 1024.0;
        acc += softplus(black_box(x));
    }
    let elapsed = start.elapsed().as_secs_f64();
    black_box(acc);
    elapsed / SOFTPLUS_CALLS as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let digits = xtask::data::digits(&xtask::workspace_root())?;
    let data = digits.binarized();
    let (w, b, c) = parameters();
    let param_bytes: Vec<u8> = w
        .iter()
        .chain(&b)
        .chain(&c)
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let rbm = Rbm::new(w, b, c)?;

    // 比べるための ln Z（時間は参考）
    let start = Instant::now();
    let lz = rbm.log_z()?;
    let seconds_log_z = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let ll = rbm.mean_log_likelihood(&data)?;
    let seconds = start.elapsed().as_secs_f64();

    let t_softplus = softplus_seconds();
    let lower_bound = (1u64 << NH) as f64 * NV as f64 * t_softplus;

    println!("param_fnv1a {:016x}", xtask::mutants::fnv1a(&param_bytes));
    println!("ln_z {lz:?}");
    println!("mean_log_likelihood {ll:?}");
    println!("seconds {seconds:?}");
    println!("seconds_log_z {seconds_log_z:?}");
    println!("softplus_ns {:?}", t_softplus * 1e9);
    println!("lower_bound_seconds {lower_bound:?}");
    println!("ratio_to_lower_bound {:?}", seconds / lower_bound);
    Ok(())
}
