//! §2.6 の学習の例: 既知の (h, J) の Ising モデル（式 (2.25)、8 スピン）から引いた標本だけを使い、
//! 勾配法 (2.30) で (h, J) を学習する。進み具合は indicatif の進捗バー（`optim::progress_observer`）で表示する。
//!
//! ```text
//! cargo run --example learn_ising -p genmodel
//! ```
//!
//! - 学習率は (2.44a) の上界 `M = N(N+1)/2` から `η = 1/M`（式 (2.36)・(2.44)）。どの θ からでも KL は単調に減る。
//! - `‖∇D‖_∞ = max |⟨φ⟩_θ − φ̄| ≤ 許容誤差`（モーメント一致 (2.28)–(2.29)）か、反復の上限で止まる。
//! - 最後に KL 情報量 (2.27)、反復回数、収束したか、真の値とのずれ `max |θ_学習 − θ_真|`、
//!   モーメントのずれ `max |⟨φ⟩_学習 − φ̄|` を表示する。
//!
//! 標本は有限なので、学習したモデルは経験分布に最も近いモデルであって、真のモデルそのものではない。
//! 真の値とのずれは標本のゆらぎ（標本数 `S` に対して `1/√S` 程度）で決まり、許容誤差では決まらない。

use genmodel::boltzmann::ising::{
    Ising, KlObjective, data_statistics, global_curvature_bound, n_params, pairs,
};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{ArrayView1, AsArray, Ix1};
use genmodel::optim::{StepSize, StopRule, progress_observer, step_from_curvature_bound};
use rand::Rng;

/// スピン数。`2^8 = 256` 状態なので、1 反復の厳密なモーメントは一瞬で求まる。
const N: usize = 8;
/// 真のモデルから引く標本の数。
const SAMPLES: usize = 20_000;
/// 乱数のシード（真のモデルと標本の両方を決める）。
const SEED: u64 = 2026;

fn max_abs_diff<'a, 'b>(a: impl AsArray<'a, f64, Ix1>, b: impl AsArray<'b, f64, Ix1>) -> f64 {
    let (a, b): (ArrayView1<f64>, ArrayView1<f64>) = (a.into(), b.into());
    a.iter()
        .zip(b.iter())
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

fn main() -> Result<(), genmodel::Error> {
    let mut rng = seeded_rng(SEED);
    // 真のモデル: h_k ∈ [−0.5, 0.5)、J_kl ∈ [−0.4, 0.4)
    let h = (0..N).map(|_| rng.random_range(-0.5..0.5)).collect();
    let j = pairs(N).map(|_| rng.random_range(-0.4..0.4)).collect();
    let truth = Ising::new(h, j)?;
    let data = truth.sample(&mut rng, SAMPLES)?;
    let kl = KlObjective::from_data(&data)?;

    // (2.44a): ヘッセ行列の最大固有値は θ によらず M = N(N+1)/2 以下。η = 1/M
    let m = global_curvature_bound(N);
    let eta = step_from_curvature_bound(m)?;
    let stop = StopRule {
        tolerance: 1e-6,
        max_iterations: 20_000,
    };
    println!(
        "N = {N}（パラメータ {} 個）、標本 {SAMPLES} 個、η = 1/M = 1/{m}、許容誤差 {:e}、反復の上限 {}",
        n_params(N)?,
        stop.tolerance,
        stop.max_iterations
    );

    let init = Ising::zeros(N)?;
    let mut observer = progress_observer(stop);
    let (learned, trace) = kl.learn(&init, &StepSize::Scalar(eta), stop, &mut observer)?;
    drop(observer);

    let model_stats = learned.exact()?.statistics();
    let moment_mismatch = max_abs_diff(&model_stats, &data_statistics(&data)?);
    let param_error = max_abs_diff(&learned.params(), &truth.params());
    let lambda = kl.hessian(&learned)?.max_eigenvalue();
    println!(
        "KL 情報量 (2.27): 初期値 θ = 0 で {:.6e}、学習後 {:.6e}（真のパラメータでは {:.6e}）",
        kl.value(&init)?,
        kl.value(&learned)?,
        kl.value(&truth)?
    );
    println!(
        "反復回数: {}、収束した: {}",
        trace.iterations(),
        trace.converged
    );
    println!(
        "max |θ_学習 − θ_真| = {param_error:.3e}（標本のゆらぎ。1/√S = {:.1e}）",
        1.0 / (SAMPLES as f64).sqrt()
    );
    println!("max |⟨φ⟩_学習 − φ̄| = {moment_mismatch:.3e}（モーメント一致 (2.28)–(2.29)）");
    println!("学習後のヘッセ行列の最大固有値 λ_max = {lambda:.4} ≤ M = {m}（式 (2.44a)）");
    Ok(())
}
