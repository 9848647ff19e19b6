//! 第 5 章の長い計算: 2 次元 Ising 模型のメトロポリス法を Kaufman の厳密解と比べる。
//!
//! 3 つの計算をし、結果を [`RUNS`] に書く（仕組みは [`crate::runs`] と同じ: 指紋、`--check` で一致を確かめる）。
//!
//! - `compare`: `L = 8, 16, 32` と `T = 2.0, T_c, 3.0` で、1 スピンあたりのエネルギー `u` と比熱 `c` の推定
//!   （誤差棒つき）と厳密な値。`u` の誤差は積分自己相関時間から、`c` の誤差はブロックのジャックナイフから。
//! - `slowing`: `T_c` と `T = 3.0` での、`L = 4 … 64` の積分自己相関時間（エネルギーと `|m|`）。
//! - `learn`: `L = 32` の格子のデータから結合 `K` を学ぶ。厳密な最尤推定値（Kaufman の解）と、メトロポリス法で
//!   推定した勾配による勾配法の `K` の平均と揺れ、その予測。
//! - `coverage`: `L = 8`、`T_c` で独立な 1000 本の鎖を走らせ、長さ `n` ごとに 95 % 区間が厳密な `u` を
//!   含んだ割合を、3 つの誤差棒（相関を無視、`τ_int`、ビン分け）について数える。
//!
//! 乱数は `SmallRng`（Xoshiro256++）を、計算ごとに決めたシードで作る。
//!
//! # Examples
//!
//! ```
//! let runs = xtask::runs_mcmc::McmcRuns::read(&xtask::workspace_root()).unwrap();
//! assert_eq!(runs.compare.len(), 9);
//! assert!(runs.compare.iter().all(|c| c.u.exact < 0.0));
//! ```

use crate::runs_io::{self, bad};
use genmodel::boltzmann::lattice::{LatticeMetropolis, Start, T_C, kaufman};
use genmodel::mcmc::stats;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// 結果のファイル（根からの相対）。
pub const RUNS: &str = "src/figures/data/mcmc-ising.tsv";

/// 指紋に入れるファイル（根からの相対）。
pub const INPUTS: &[&str] = &[
    "crates/xtask/src/runs_mcmc.rs",
    "crates/genmodel/src/boltzmann/lattice/metropolis.rs",
    "crates/genmodel/src/boltzmann/lattice/kaufman.rs",
    "crates/genmodel/src/boltzmann/lattice/jet.rs",
    "crates/genmodel/src/boltzmann/lattice/onsager.rs",
    "crates/genmodel/src/mcmc/stats.rs",
    "crates/genmodel/src/boltzmann/lattice/learn.rs",
];

/// 比べる一辺。
pub const COMPARE_SIDES: [usize; 3] = [8, 16, 32];
/// 比べる温度（`T_c` は [`T_C`]）。
pub const COMPARE_TEMPERATURES: [f64; 3] = [2.0, T_C, 3.0];
/// 比べる計算の、捨てる掃引と記録する掃引。
pub const COMPARE_SWEEPS: (usize, usize) = (10_000, 1 << 20);
/// 比熱のジャックナイフのブロックの数。
pub const JACKKNIFE_BLOCKS: usize = 64;
/// 臨界減速を測る一辺。
pub const SLOWING_SIDES: [usize; 5] = [4, 8, 16, 32, 64];
/// 被覆率の鎖の数。
pub const COVERAGE_CHAINS: usize = 1000;
/// 被覆率の鎖の長さ（掃引）。
pub const COVERAGE_LENGTHS: [usize; 5] = [64, 256, 1024, 4096, 16_384];
/// 被覆率の一辺。
pub const COVERAGE_SIDE: usize = 8;

/// 学習の一辺。
pub const LEARN_SIDE: usize = 32;
/// データを作る真の結合（`T ≈ 2.86`、臨界点より高温）。
pub const LEARN_TRUE_COUPLING: f64 = 0.35;
/// データの配置の数と、配置の間の掃引の数。
pub const LEARN_DATA: (usize, usize) = (1000, 10);
/// 1 歩の掃引の数 `S`。
pub const LEARN_SWEEPS: usize = 50;
/// 学習率を安定の限界 `2/λ` の何倍にとるか。
pub const LEARN_RATE_FRACTIONS: [f64; 4] = [0.1, 0.4, 0.8, 0.95];
/// 学習の、捨てる歩と測る歩。
pub const LEARN_STEPS: (usize, usize) = (2000, 20_000);

/// 推定値と誤差棒（標準誤差）と厳密な値。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// 推定値。
    pub mean: f64,
    /// 標準誤差。
    pub error: f64,
    /// 厳密な値。
    pub exact: f64,
}

/// `compare` の 1 行。
#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    /// 一辺。
    pub side: usize,
    /// 温度。
    pub temperature: f64,
    /// 1 スピンあたりのエネルギー。
    pub u: Estimate,
    /// 1 スピンあたりの比熱。
    pub c: Estimate,
    /// エネルギーの積分自己相関時間（掃引）。
    pub tau: f64,
}

/// `slowing` の 1 行: 積分自己相関時間とその誤差（Sokal の近似 `τ √(2(2W+1)/n)`）。
#[derive(Debug, Clone, PartialEq)]
pub struct Slowing {
    /// 一辺。
    pub side: usize,
    /// 温度。
    pub temperature: f64,
    /// エネルギーの `τ_int` と誤差。
    pub tau_energy: (f64, f64),
    /// `|m|` の `τ_int` と誤差。
    pub tau_magnetization: (f64, f64),
}

/// `coverage` の 1 行: 誤差棒の方法ごとに、区間が厳密な値を含んだ鎖の数と、区間を作れた鎖の数。
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// 鎖の長さ（掃引）。
    pub length: usize,
    /// 方法の名前（`naive`・`tau`・`binning`）。
    pub method: String,
    /// 含んだ数。
    pub covered: usize,
    /// 区間を作れた数。
    pub total: usize,
}

/// 学習のデータと、厳密な最尤推定値のまわりの量。
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LearnData {
    /// データの 1 スピンあたりの平均エネルギー `ū`。
    pub mean_energy: f64,
    /// 厳密な最尤推定値 `K̂`（Kaufman の解で `u(K̂) = ū` を解いたもの）。
    pub k_hat: f64,
    /// `K̂` での比熱 `c` と曲率 `λ = c/K̂²`（厳密）。
    pub c: f64,
    /// 曲率 `λ = c/K̂²`。
    pub lambda: f64,
    /// `K̂` で固定した鎖の `S` 回の掃引の平均 `û` の標準偏差と、その相対誤差。
    pub sigma_u: (f64, f64),
    /// 隣り合う 2 つの `û` の相関係数（`K̂` で固定した鎖）。
    pub block_correlation: f64,
}

/// 学習率 1 つの結果。
#[derive(Debug, Clone, PartialEq)]
pub struct Learn {
    /// 学習率 `η`。
    pub eta: f64,
    /// 測る歩の `K` の平均と標準誤差。
    pub mean: (f64, f64),
    /// 測る歩の `K` の標準偏差とその標準誤差。
    pub std: (f64, f64),
    /// 線形化した解析による標準偏差の予測。
    pub predicted_std: f64,
}

/// 結果のファイルの中身。
#[derive(Debug, Clone, Default)]
pub struct McmcRuns {
    /// 指紋。
    pub fingerprint: String,
    /// 厳密解との比較。
    pub compare: Vec<Compare>,
    /// 臨界減速。
    pub slowing: Vec<Slowing>,
    /// 被覆率。
    pub coverage: Vec<Coverage>,
    /// 学習のデータ。
    pub learn_data: LearnData,
    /// 学習率ごとの学習。
    pub learn: Vec<Learn>,
}

impl McmcRuns {
    /// ファイルを読む。
    ///
    /// # Errors
    ///
    /// 読めないか形が崩れていればエラーを返す。
    pub fn read(root: &Path) -> io::Result<McmcRuns> {
        parse(&std::fs::read_to_string(root.join(RUNS))?)
    }
}

/// 計算に使うコードの指紋（[`INPUTS`] の中身の FNV-1a）。
///
/// # Errors
///
/// ファイルが読めなければエラーを返す。
pub fn fingerprint(root: &Path) -> io::Result<String> {
    runs_io::fingerprint(root, INPUTS)
}

fn model_err(e: genmodel::Error) -> io::Error {
    bad(e.to_string())
}

fn num<T: std::str::FromStr>(s: Option<&str>) -> io::Result<T> {
    runs_io::num(s, RUNS)
}

fn parse(text: &str) -> io::Result<McmcRuns> {
    let mut r = McmcRuns::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.split('\t');
        match f.next() {
            Some("fingerprint") => r.fingerprint = num(f.next())?,
            Some("compare") => {
                let (side, temperature) = (num(f.next())?, num(f.next())?);
                let u = Estimate {
                    mean: num(f.next())?,
                    error: num(f.next())?,
                    exact: num(f.next())?,
                };
                let c = Estimate {
                    mean: num(f.next())?,
                    error: num(f.next())?,
                    exact: num(f.next())?,
                };
                r.compare.push(Compare {
                    side,
                    temperature,
                    u,
                    c,
                    tau: num(f.next())?,
                });
            }
            Some("slowing") => r.slowing.push(Slowing {
                side: num(f.next())?,
                temperature: num(f.next())?,
                tau_energy: (num(f.next())?, num(f.next())?),
                tau_magnetization: (num(f.next())?, num(f.next())?),
            }),
            Some("coverage") => r.coverage.push(Coverage {
                length: num(f.next())?,
                method: num(f.next())?,
                covered: num(f.next())?,
                total: num(f.next())?,
            }),
            Some("learn_data") => {
                r.learn_data = LearnData {
                    mean_energy: num(f.next())?,
                    k_hat: num(f.next())?,
                    c: num(f.next())?,
                    lambda: num(f.next())?,
                    sigma_u: (num(f.next())?, num(f.next())?),
                    block_correlation: num(f.next())?,
                }
            }
            Some("learn") => r.learn.push(Learn {
                eta: num(f.next())?,
                mean: (num(f.next())?, num(f.next())?),
                std: (num(f.next())?, num(f.next())?),
                predicted_std: num(f.next())?,
            }),
            other => return Err(bad(format!("{RUNS}: 知らない行 {other:?}"))),
        }
    }
    Ok(r)
}

/// 計算ごとのシード（一辺・温度の番号・鎖の番号から決める）。
fn seed(side: usize, temperature_index: usize, chain: usize) -> u64 {
    (side as u64) << 40 | (temperature_index as u64) << 32 | chain as u64
}

/// 比熱 `c = K² N Var(u)` と、ブロックのジャックナイフによる標準誤差。
fn specific_heat(u: &[f64], coupling: f64, n: usize) -> (f64, f64) {
    let c_of = |sum: f64, sum2: f64, len: f64| {
        let mean = sum / len;
        coupling * coupling * n as f64 * (sum2 / len - mean * mean)
    };
    let (s, s2) = u.iter().fold((0.0, 0.0), |(a, b), &x| (a + x, b + x * x));
    let len = u.len() as f64;
    let full = c_of(s, s2, len);
    let block = u.len() / JACKKNIFE_BLOCKS;
    let mut jack = Vec::with_capacity(JACKKNIFE_BLOCKS);
    for b in 0..JACKKNIFE_BLOCKS {
        let part = &u[b * block..(b + 1) * block];
        let (bs, bs2) = part
            .iter()
            .fold((0.0, 0.0), |(a, c), &x| (a + x, c + x * x));
        jack.push(c_of(s - bs, s2 - bs2, len - block as f64));
    }
    let m = JACKKNIFE_BLOCKS as f64;
    let mean = jack.iter().sum::<f64>() / m;
    let var = jack.iter().map(|c| (c - mean) * (c - mean)).sum::<f64>() * (m - 1.0) / m;
    (full, var.sqrt())
}

/// 積分自己相関時間と Sokal の近似の誤差。
fn tau_with_error(x: &[f64]) -> io::Result<(f64, f64)> {
    let it = stats::integrated_time(x).map_err(model_err)?;
    let n = x.len() as f64;
    let err = it.tau() * (2.0 * (2.0 * it.window() as f64 + 1.0) / n).sqrt();
    Ok((it.tau(), err))
}

fn compare(out: &mut String) -> io::Result<()> {
    let (burn, sweeps) = COMPARE_SWEEPS;
    for &side in &COMPARE_SIDES {
        for (ti, &t) in COMPARE_TEMPERATURES.iter().enumerate() {
            let k = 1.0 / t;
            let exact = kaufman::thermodynamics(side, k).map_err(model_err)?;
            let mut rng = SmallRng::seed_from_u64(seed(side, ti, 0));
            let mut s =
                LatticeMetropolis::new(side, k, Start::Cold, &mut rng).map_err(model_err)?;
            s.run(&mut rng, burn).map_err(model_err)?;
            let trace = s.record(&mut rng, sweeps).map_err(model_err)?;
            let u = trace.energy_per_spin().to_vec();
            let est = stats::mean_estimate(&u).map_err(model_err)?;
            let tau = stats::integrated_time(&u).map_err(model_err)?.tau();
            let (c, c_err) = specific_heat(&u, k, side * side);
            writeln!(
                out,
                "compare\t{side}\t{t}\t{}\t{}\t{}\t{c}\t{c_err}\t{}\t{tau}",
                est.mean(),
                est.std_error(),
                exact.energy_per_spin(),
                exact.specific_heat_per_spin()
            )
            .map_err(|e| bad(e.to_string()))?;
        }
    }
    Ok(())
}

fn slowing(out: &mut String) -> io::Result<()> {
    for (ti, t) in [(1usize, T_C), (2, 3.0)] {
        for &side in &SLOWING_SIDES {
            let sweeps = if side >= 64 { 1 << 19 } else { 1 << 20 };
            let mut rng = SmallRng::seed_from_u64(seed(side, ti, 1));
            let mut s =
                LatticeMetropolis::new(side, 1.0 / t, Start::Cold, &mut rng).map_err(model_err)?;
            s.run(&mut rng, 10_000).map_err(model_err)?;
            let trace = s.record(&mut rng, sweeps).map_err(model_err)?;
            let (te, tee) = tau_with_error(trace.energy_per_spin().as_slice().unwrap_or(&[]))?;
            let (tm, tme) = tau_with_error(trace.abs_magnetization().as_slice().unwrap_or(&[]))?;
            writeln!(out, "slowing\t{side}\t{t}\t{te}\t{tee}\t{tm}\t{tme}")
                .map_err(|e| bad(e.to_string()))?;
        }
    }
    Ok(())
}

fn coverage(out: &mut String) -> io::Result<()> {
    let k = 1.0 / T_C;
    let exact = kaufman::thermodynamics(COVERAGE_SIDE, k)
        .map_err(model_err)?
        .energy_per_spin();
    let longest = COVERAGE_LENGTHS[COVERAGE_LENGTHS.len() - 1];
    // 方法ごと・長さごとの (含んだ数, 作れた数)
    let mut counts = vec![[(0usize, 0usize); 3]; COVERAGE_LENGTHS.len()];
    for chain in 0..COVERAGE_CHAINS {
        let mut rng = SmallRng::seed_from_u64(seed(COVERAGE_SIDE, 9, chain));
        let mut s =
            LatticeMetropolis::new(COVERAGE_SIDE, k, Start::Cold, &mut rng).map_err(model_err)?;
        s.run(&mut rng, 1000).map_err(model_err)?;
        let trace = s.record(&mut rng, longest).map_err(model_err)?;
        let u = trace.energy_per_spin();
        for (li, &len) in COVERAGE_LENGTHS.iter().enumerate() {
            let x = &u.as_slice().unwrap_or(&[])[..len];
            let estimates = [
                stats::naive_mean_estimate(x).ok(),
                stats::mean_estimate(x).ok(),
                stats::binning(x).ok().map(|b| b.estimate()),
            ];
            for (mi, e) in estimates.iter().enumerate() {
                if let Some(e) = e {
                    counts[li][mi].1 += 1;
                    counts[li][mi].0 += usize::from(e.covers(exact));
                }
            }
        }
    }
    for (li, &len) in COVERAGE_LENGTHS.iter().enumerate() {
        for (mi, name) in ["naive", "tau", "binning"].iter().enumerate() {
            let (c, t) = counts[li][mi];
            writeln!(out, "coverage\t{len}\t{name}\t{c}\t{t}").map_err(|e| bad(e.to_string()))?;
        }
    }
    Ok(())
}

/// 第 5 章の最後の節: データから結合 `K` を学ぶ。厳密な最尤推定値と、メトロポリス法の勾配による勾配法。
fn learn(out: &mut String) -> io::Result<()> {
    use genmodel::boltzmann::lattice::learn::{CouplingSgd, exact_mle};
    let side = LEARN_SIDE;

    // データ: 真の結合の鎖から、掃引の間隔をあけて配置をとり、平均エネルギーだけを使う
    let mut rng = SmallRng::seed_from_u64(seed(side, 20, 0));
    let mut s = LatticeMetropolis::new(side, LEARN_TRUE_COUPLING, Start::Cold, &mut rng)
        .map_err(model_err)?;
    s.run(&mut rng, 10_000).map_err(model_err)?;
    let (count, gap) = LEARN_DATA;
    let mut total = 0.0;
    for _ in 0..count {
        s.run(&mut rng, gap).map_err(model_err)?;
        total += s.energy_per_spin();
    }
    let u_bar = total / count as f64;
    let k_hat = exact_mle(side, u_bar).map_err(model_err)?;
    let c = kaufman::thermodynamics(side, k_hat)
        .map_err(model_err)?
        .specific_heat_per_spin();
    let lambda = c / (k_hat * k_hat);
    // K̂ で固定した鎖の、S 回の掃引の平均の分散と、隣どうしの相関
    let mut rng = SmallRng::seed_from_u64(seed(side, 21, 0));
    let mut s = LatticeMetropolis::new(side, k_hat, Start::Cold, &mut rng).map_err(model_err)?;
    s.run(&mut rng, 10_000).map_err(model_err)?;
    let blocks: Vec<f64> = (0..LEARN_STEPS.1)
        .map(|_| {
            let mut sum = 0.0;
            for _ in 0..LEARN_SWEEPS {
                s.sweep(&mut rng);
                sum += s.energy_per_spin();
            }
            sum / LEARN_SWEEPS as f64
        })
        .collect();
    let mean_b = blocks.iter().sum::<f64>() / blocks.len() as f64;
    let dev: Vec<f64> = blocks.iter().map(|b| (b - mean_b) * (b - mean_b)).collect();
    let var = stats::mean_estimate(&dev).map_err(model_err)?;
    let sigma_u = var.mean().sqrt();
    let sigma_rel = 0.5 * var.std_error() / var.mean();
    let rho1 = stats::autocorrelation(&blocks, 1).map_err(model_err)?[1];
    writeln!(
        out,
        "learn_data\t{u_bar}\t{k_hat}\t{c}\t{lambda}\t{sigma_u}\t{sigma_rel}\t{rho1}"
    )
    .map_err(|e| bad(e.to_string()))?;
    for (i, frac) in LEARN_RATE_FRACTIONS.iter().enumerate() {
        let eta = frac * 2.0 / lambda;
        let mut rng = SmallRng::seed_from_u64(seed(side, 22, i));
        let mut sgd = CouplingSgd::new(
            side,
            u_bar,
            LEARN_TRUE_COUPLING * 0.8,
            eta,
            LEARN_SWEEPS,
            &mut rng,
        )
        .map_err(model_err)?;
        sgd.run(&mut rng, LEARN_STEPS.0).map_err(model_err)?;
        let path = sgd.run(&mut rng, LEARN_STEPS.1).map_err(model_err)?;
        // η が 2/λ に近いと K は振動し（自己相関が負）、窓つきの τ̂ は使えないので、誤差はビン分けで求める
        let est = stats::binning(&path).map_err(model_err)?.estimate();
        let m = est.mean();
        let sq: Vec<f64> = path.iter().map(|k| (k - m) * (k - m)).collect();
        let v = stats::binning(&sq).map_err(model_err)?.estimate();
        let std = v.mean().sqrt();
        let std_err = 0.5 * v.std_error() / std;
        let predicted = (eta * sigma_u * sigma_u / (lambda * (2.0 - eta * lambda))).sqrt();
        writeln!(
            out,
            "learn\t{eta}\t{m}\t{}\t{std}\t{std_err}\t{predicted}",
            est.std_error()
        )
        .map_err(|e| bad(e.to_string()))?;
    }
    Ok(())
}

/// すべて計算して、ファイルの中身を返す。
///
/// # Errors
///
/// 計算に失敗すればエラーを返す。
pub fn compute(root: &Path) -> io::Result<String> {
    let mut out = String::new();
    out.push_str("# 第 5 章の長い計算（cargo run --release -p xtask -- runs）。手で直さない\n");
    writeln!(out, "fingerprint\t{}", fingerprint(root)?).map_err(|e| bad(e.to_string()))?;
    compare(&mut out)?;
    slowing(&mut out)?;
    coverage(&mut out)?;
    learn(&mut out)?;
    Ok(out)
}

/// 計算してファイルに書く（`check` なら書かずに、コミット済みのファイルと同じかを確かめる）。
///
/// # Errors
///
/// 計算か入出力に失敗するか、`check` でファイルと違えばエラーを返す。
pub fn run(root: &Path, check: bool) -> io::Result<()> {
    runs_io::write_or_check(root, RUNS, &compute(root)?, check)
}
