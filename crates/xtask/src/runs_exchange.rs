//! 第 6 章の長い計算: 交換モンテカルロ法を厳密な値と比べる。
//!
//! 2 つの計算をし、結果を [`RUNS`] に書く（仕組みは [`crate::runs`] と同じ: 指紋、`--check` で一致を確かめる）。
//!
//! - `accept`: 8×8 の強磁性体（`K = 0.3 … 0.6` の 8 温度）で、等比の梯子と受理率をそろえた梯子の
//!   隣どうしの交換の受理率を測り、状態密度 `g(E)` から求めた厳密な受理率と並べる。往復の回数も数える。
//! - `glass`: 5×4 の ±J スピングラス（20 スピン、全状態を列挙できる）で、`K = 0.3 … 2.5` の 8 温度の
//!   交換モンテカルロ法と、各温度で単独に走らせたメトロポリス法の、エネルギーと重なり `q²` の推定と
//!   積分自己相関時間を、列挙による厳密な値と並べる。梯子の間の 5 温度でもメトロポリス法だけを走らせる。
//!
//! # Examples
//!
//! ```
//! let runs = xtask::runs_exchange::ExchangeRuns::read(&xtask::workspace_root()).unwrap();
//! assert_eq!(runs.glass.len(), 8);
//! assert!(runs.accept.iter().all(|a| (0.0..=1.0).contains(&a.exact)));
//! ```

use crate::runs_io::{self, bad};
use genmodel::boltzmann::lattice::density::ExactDensity;
use genmodel::boltzmann::lattice::glass::SpinGlass;
use genmodel::mcmc::exchange::{Exchange, acceptance_ladder, geometric_ladder};
use genmodel::mcmc::{Chain, Rule, Scan, stats};
use genmodel::ndarray::Array1;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// 結果のファイル（根からの相対）。
pub const RUNS: &str = "src/figures/data/exchange.tsv";

/// 指紋に入れるファイル（根からの相対）。
pub const INPUTS: &[&str] = &[
    "crates/xtask/src/runs_exchange.rs",
    "crates/genmodel/src/mcmc/exchange.rs",
    "crates/genmodel/src/mcmc/exchange/ladder.rs",
    "crates/genmodel/src/mcmc/chain.rs",
    "crates/genmodel/src/mcmc/stats.rs",
    "crates/genmodel/src/boltzmann/lattice/density.rs",
    "crates/genmodel/src/boltzmann/lattice/glass.rs",
    "crates/genmodel/src/boltzmann/ising/model.rs",
];

/// 強磁性体の梯子の端と温度の数。
pub const FERRO_LADDER: (f64, f64, usize) = (0.3, 0.6, 8);
/// 強磁性体の交換の、捨てるステップと測るステップ。
pub const FERRO_STEPS: (usize, usize) = (1000, 20_000);
/// スピングラスの大きさと、結合を引くシード。
pub const GLASS: (usize, usize, u64) = (5, 4, 1);
/// スピングラスの梯子の端と温度の数。
pub const GLASS_LADDER: (f64, f64, usize) = (0.3, 2.5, 8);
/// スピングラスの交換の、捨てるステップと測るステップ。
pub const GLASS_STEPS: (usize, usize) = (10_000, 100_000);
/// 梯子にない温度で、単独のメトロポリス法だけを走らせる結合（τ_int の増え方を見る）。
pub const METROPOLIS_ONLY: [f64; 5] = [1.25, 1.5, 1.75, 2.0, 2.25];
/// スピングラスの単独のメトロポリス法の、捨てる掃引と測る掃引。
pub const GLASS_SWEEPS: (usize, usize) = (10_000, 1_000_000);

/// `accept` の 1 行。
#[derive(Debug, Clone, PartialEq)]
pub struct Accept {
    /// 梯子の名前（`geometric`・`constant`）。
    pub ladder: String,
    /// 対の番号（0 から）。
    pub pair: usize,
    /// 対の 2 つの結合 `K_m < K_{m+1}`。
    pub couplings: (f64, f64),
    /// 厳密な受理率。
    pub exact: f64,
    /// 測った受理率とその標準誤差。
    pub measured: (f64, f64),
}

/// `glass` の 1 行（温度 1 つ）。
#[derive(Debug, Clone, PartialEq)]
pub struct Glass {
    /// 結合 `K = 1/T`。
    pub coupling: f64,
    /// エネルギーの厳密な平均と、交換の推定 ± 標準誤差。
    pub energy: (f64, f64, f64),
    /// `⟨q²⟩` の厳密な値、交換の推定 ± 標準誤差、交換の `q²` の `τ_int`（ステップ）。
    pub exchange_q2: (f64, f64, f64, f64),
    /// 単独のメトロポリス法の `⟨q²⟩` の推定 ± 標準誤差と、`q²` の `τ_int`（掃引）。測れなければ NaN。
    pub metropolis_q2: (f64, f64, f64),
}

/// 結果のファイルの中身。
#[derive(Debug, Clone, Default)]
pub struct ExchangeRuns {
    /// 指紋。
    pub fingerprint: String,
    /// 交換の受理率。
    pub accept: Vec<Accept>,
    /// 梯子ごとの往復の回数。
    pub round_trips: Vec<(String, u64)>,
    /// スピングラス。
    pub glass: Vec<Glass>,
    /// 梯子にない温度の単独のメトロポリス法: (結合, `⟨q²⟩` の厳密な値, 推定, 標準誤差, τ_int)。
    pub metropolis: Vec<(f64, f64, f64, f64, f64)>,
}

impl ExchangeRuns {
    /// ファイルを読む。
    ///
    /// # Errors
    ///
    /// 読めないか形が崩れていればエラーを返す。
    pub fn read(root: &Path) -> io::Result<ExchangeRuns> {
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

fn parse(text: &str) -> io::Result<ExchangeRuns> {
    let mut r = ExchangeRuns::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.split('\t');
        match f.next() {
            Some("fingerprint") => r.fingerprint = num(f.next())?,
            Some("accept") => r.accept.push(Accept {
                ladder: num(f.next())?,
                pair: num(f.next())?,
                couplings: (num(f.next())?, num(f.next())?),
                exact: num(f.next())?,
                measured: (num(f.next())?, num(f.next())?),
            }),
            Some("round_trips") => r.round_trips.push((num(f.next())?, num(f.next())?)),
            Some("glass") => r.glass.push(Glass {
                coupling: num(f.next())?,
                energy: (num(f.next())?, num(f.next())?, num(f.next())?),
                exchange_q2: (
                    num(f.next())?,
                    num(f.next())?,
                    num(f.next())?,
                    num(f.next())?,
                ),
                metropolis_q2: (num(f.next())?, num(f.next())?, num(f.next())?),
            }),
            Some("metropolis") => r.metropolis.push((
                num(f.next())?,
                num(f.next())?,
                num(f.next())?,
                num(f.next())?,
                num(f.next())?,
            )),
            other => return Err(bad(format!("{RUNS}: 知らない行 {other:?}"))),
        }
    }
    Ok(r)
}

/// 8×8 の強磁性体: 2 つの梯子の受理率と往復の回数。
fn accept(out: &mut String) -> io::Result<()> {
    let (lo, hi, m) = FERRO_LADDER;
    let density = ExactDensity::transfer_matrix(8).map_err(model_err)?;
    let model = SpinGlass::ferromagnet(8, 8)
        .and_then(|g| g.ising(1.0))
        .map_err(model_err)?;
    let ladders = [
        ("geometric", geometric_ladder(lo, hi, m).map_err(model_err)?),
        (
            "constant",
            acceptance_ladder(&density, lo, hi, m).map_err(model_err)?,
        ),
    ];
    for (li, (name, ladder)) in ladders.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + li as u64);
        let mut ex = Exchange::new(&model, ladder, Rule::Metropolis, Scan::Sequential, &mut rng)
            .map_err(model_err)?;
        ex.run(&mut rng, FERRO_STEPS.0).map_err(model_err)?;
        let trips_before = ex.round_trips();
        // 対ごとの受理の 0/1 の系列（試みた回だけ）
        let mut series: Vec<Vec<f64>> = vec![Vec::new(); m - 1];
        for _ in 0..FERRO_STEPS.1 {
            for (pair, ok) in ex.step(&mut rng) {
                series[pair].push(f64::from(u8::from(ok)));
            }
        }
        for (pair, s) in series.iter().enumerate() {
            let (a, b) = (ladder[pair], ladder[pair + 1]);
            let exact = density.swap_acceptance(a, b).map_err(model_err)?;
            let est = stats::mean_estimate(s).map_err(model_err)?;
            writeln!(
                out,
                "accept\t{name}\t{pair}\t{a}\t{b}\t{exact}\t{}\t{}",
                est.mean(),
                est.std_error()
            )
            .map_err(|e| bad(e.to_string()))?;
        }
        writeln!(
            out,
            "round_trips\t{name}\t{}",
            ex.round_trips() - trips_before
        )
        .map_err(|e| bad(e.to_string()))?;
    }
    Ok(())
}

/// 2 つの配置の重なり `q = (1/N) x·y`。
fn overlap(x: &[i8], y: &[i8]) -> f64 {
    let s: i32 = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| i32::from(a) * i32::from(b))
        .sum();
    f64::from(s) / x.len() as f64
}

/// 推定 ± 標準誤差と τ_int（測れなければ NaN）。
fn summarize(x: &[f64]) -> (f64, f64, f64) {
    match stats::integrated_time(x) {
        Ok(it) => {
            let e = it.estimate();
            (e.mean(), e.std_error(), it.tau())
        }
        Err(_) => (x.iter().sum::<f64>() / x.len() as f64, f64::NAN, f64::NAN),
    }
}

/// 5×4 の ±J スピングラス: 交換と単独のメトロポリス法。
fn glass(out: &mut String) -> io::Result<()> {
    let (lx, ly, seed) = GLASS;
    let g = SpinGlass::random(lx, ly, &mut ChaCha8Rng::seed_from_u64(seed)).map_err(model_err)?;
    let exact = g.enumerate().map_err(model_err)?;
    let (lo, hi, m) = GLASS_LADDER;
    let ladder = acceptance_ladder(exact.density(), lo, hi, m).map_err(model_err)?;
    let model = g.ising(1.0).map_err(model_err)?;
    // 交換: 独立な 2 つの実行の、同じ温度の配置の重なり
    let mut runs: Vec<Exchange> = (0..2)
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(200 + r);
            Exchange::new(
                &model,
                &ladder,
                Rule::Metropolis,
                Scan::Sequential,
                &mut rng,
            )
        })
        .collect::<Result<_, _>>()
        .map_err(model_err)?;
    let mut rngs: Vec<ChaCha8Rng> = (0..2).map(|r| ChaCha8Rng::seed_from_u64(300 + r)).collect();
    for (ex, rng) in runs.iter_mut().zip(&mut rngs) {
        ex.run(rng, GLASS_STEPS.0).map_err(model_err)?;
    }
    let (mut q2, mut energy) = (vec![Vec::new(); m], vec![Vec::new(); m]);
    for _ in 0..GLASS_STEPS.1 {
        for (ex, rng) in runs.iter_mut().zip(&mut rngs) {
            ex.step(rng);
        }
        for slot in 0..m {
            let x = runs[0].state(slot).map_err(model_err)?.to_vec();
            let y = runs[1].state(slot).map_err(model_err)?.to_vec();
            q2[slot].push(overlap(&x, &y).powi(2));
            energy[slot].push(runs[0].energy(slot).map_err(model_err)?);
        }
    }
    for (slot, &k) in ladder.iter().enumerate() {
        let (e_exact, _) = exact.density().energy_moments(k).map_err(model_err)?;
        let q_exact = exact.overlap_second_moment(k).map_err(model_err)?;
        let e = stats::mean_estimate(&energy[slot]).map_err(model_err)?;
        let (qm, qe, qt) = summarize(&q2[slot]);
        let (mm, me, mt) = metropolis_q2(&g, k, slot as u64)?;
        writeln!(
            out,
            "glass\t{k}\t{e_exact}\t{}\t{}\t{q_exact}\t{qm}\t{qe}\t{qt}\t{mm}\t{me}\t{mt}",
            e.mean(),
            e.std_error()
        )
        .map_err(|e| bad(e.to_string()))?;
    }
    for (i, &k) in METROPOLIS_ONLY.iter().enumerate() {
        let q_exact = exact.overlap_second_moment(k).map_err(model_err)?;
        let (mm, me, mt) = metropolis_q2(&g, k, (m + i) as u64)?;
        writeln!(out, "metropolis\t{k}\t{q_exact}\t{mm}\t{me}\t{mt}")
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(())
}

/// 結合 `K` で単独に走らせた 2 本のメトロポリス法の鎖の `q²` の推定と τ_int（掃引）。
fn metropolis_q2(g: &SpinGlass, k: f64, slot: u64) -> io::Result<(f64, f64, f64)> {
    let model = g.ising(k).map_err(model_err)?;
    let n = g.n_spins();
    let mut chains = Vec::new();
    let mut rngs = Vec::new();
    for r in 0..2u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(400 + 10 * slot + r);
        let x: Array1<i8> = (0..n)
            .map(|i| if (i as u64 + r) % 2 == 0 { 1 } else { -1 })
            .collect();
        let mut c =
            Chain::new(&model, Rule::Metropolis, Scan::Sequential, &x).map_err(model_err)?;
        c.run(&mut rng, GLASS_SWEEPS.0).map_err(model_err)?;
        chains.push(c);
        rngs.push(rng);
    }
    let mut q2 = Vec::with_capacity(GLASS_SWEEPS.1);
    for _ in 0..GLASS_SWEEPS.1 {
        for (c, rng) in chains.iter_mut().zip(&mut rngs) {
            c.sweep(rng);
        }
        let x = chains[0].state().to_vec();
        let y = chains[1].state().to_vec();
        q2.push(overlap(&x, &y).powi(2));
    }
    Ok(summarize(&q2))
}

/// すべて計算して、ファイルの中身を返す。
///
/// # Errors
///
/// 計算に失敗すればエラーを返す。
pub fn compute(root: &Path) -> io::Result<String> {
    let mut out = String::new();
    out.push_str("# 第 6 章の長い計算（cargo run --release -p xtask -- runs）。手で直さない\n");
    writeln!(out, "fingerprint\t{}", fingerprint(root)?).map_err(|e| bad(e.to_string()))?;
    accept(&mut out)?;
    glass(&mut out)?;
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
