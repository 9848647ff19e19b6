//! 時間計測用のバイナリ: `L × L` トーラスの Ising 強磁性体のメトロポリス法の、反転の試み 1 回あたりの時間（臨界温度 `T_c`）。
//!
//! `bench/metropolis.sh` が NumPy 版（`bench/metropolis_numpy.py`）と並べて走らせる。テストではない。1 スレッド。
//!
//! ```text
//! cargo run --release -p genmodel --example bench_metropolis -- 64 128 256 512 1024
//! ```
//!
//! 各 `L` で、[`LatticeMetropolis`]（1 掃引 `L²` 回の試み）と [`MultiSpinMetropolis`]（64 レプリカ、1 掃引 `64 L²` 回）を
//! 高温の配置から 0.2 秒以上焼きなまし、その後 0.5 秒以上になるまで掃引した時間を測る。出力は 1 行に
//!
//! `L 単純[ns/試み] 多スピン[ns/試み] 単純のu 多スピンのu 単純の受理率 多スピンの受理率 単純の掃引数 多スピンの掃引数`
//!
//! （空白区切り）。`u` は測った最後の配置の 1 スピンあたりのエネルギー（多スピンは 64 レプリカの平均）、
//! 受理率は測った区間の受け入れた反転の割合である。

use genmodel::boltzmann::lattice::{LatticeMetropolis, MultiSpinMetropolis, Start, T_C};
use rand::{SeedableRng, rngs::SmallRng};
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_millis(200);
const MEASURE: Duration = Duration::from_millis(500);

/// 2 つの標本抽出器に共通の操作。
trait Sweeper {
    fn sweep_once(&mut self, rng: &mut SmallRng);
    /// `(受け入れた数, 試みた数)`。
    fn counts(&self) -> (u64, u64);
}

impl Sweeper for LatticeMetropolis {
    fn sweep_once(&mut self, rng: &mut SmallRng) {
        self.sweep(rng);
    }
    fn counts(&self) -> (u64, u64) {
        (self.accepted(), self.attempted())
    }
}

impl Sweeper for MultiSpinMetropolis {
    fn sweep_once(&mut self, rng: &mut SmallRng) {
        self.sweep(rng);
    }
    fn counts(&self) -> (u64, u64) {
        (self.accepted(), self.attempted())
    }
}

/// `WARM_UP` 以上焼きなまし、そのあと `MEASURE` 以上になるまで掃引する。
/// `(試み 1 回あたりの ns, 測った区間の受理率, 掃引の数)` を返す。
fn measure(s: &mut impl Sweeper, rng: &mut SmallRng) -> (f64, f64, u64) {
    let t = Instant::now();
    while t.elapsed() < WARM_UP {
        s.sweep_once(rng);
    }
    let (acc0, att0) = s.counts();
    let t = Instant::now();
    let mut sweeps = 0u64;
    while t.elapsed() < MEASURE {
        s.sweep_once(rng);
        sweeps += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    let (acc, att) = s.counts();
    let attempts = (att - att0) as f64;
    (
        secs * 1e9 / attempts,
        (acc - acc0) as f64 / attempts,
        sweeps,
    )
}

fn main() -> Result<(), genmodel::Error> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![64, 128, 256, 512, 1024]
    } else {
        sizes
    };
    let coupling = 1.0 / T_C;
    for side in sizes {
        let mut rng = SmallRng::seed_from_u64(side as u64);
        let mut plain = LatticeMetropolis::new(side, coupling, Start::Hot, &mut rng)?;
        let (plain_ns, plain_acc, plain_sweeps) = measure(&mut plain, &mut rng);
        let mut multi = MultiSpinMetropolis::new(side, coupling, Start::Hot, &mut rng)?;
        let (multi_ns, multi_acc, multi_sweeps) = measure(&mut multi, &mut rng);
        let multi_u = multi.energies().iter().sum::<i64>() as f64 / (64 * side * side) as f64;
        println!(
            "{side} {plain_ns:.4} {multi_ns:.4} {:.5} {multi_u:.5} {plain_acc:.5} {multi_acc:.5} {plain_sweeps} {multi_sweeps}",
            plain.energy_per_spin()
        );
    }
    Ok(())
}
