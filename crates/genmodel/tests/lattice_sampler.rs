//! 格子のメトロポリス法（`LatticeMetropolis`、多スピン符号化の `MultiSpinMetropolis`）の検証。
//!
//! 基準はどれもサンプラーとは独立に求める:
//!
//! - `L = 4`: 全状態の列挙（`DensityOfStates`）による `u` と `c`。
//! - `L = 8, 16`: Kaufman の厳密解（`kaufman::thermodynamics`）。
//! - `L = 3`: このファイルで 512 状態を列挙して作るボルツマン分布そのもの。
//!
//! 順番の走査のメトロポリス法は既約でない（`metropolis` のモジュールの説明）。すべて `+1` の配置から行ける
//! 配置の類 `C` の外に、決定的に巡回する閉じた類がある。このファイルは `C` を全状態の幅優先探索で求め
//! （`L = 3` で 504/512、`L = 4` で 65 472/65 536 状態）、連鎖が近づくのは `C` に制限したボルツマン分布
//! `π(· | C)` であることを確かめる。`L = 4` の `u`・`c` は、`π(· | C)` と `π` の差（列挙で求める、
//! 高々 `2 × 10⁻⁴`）を許容誤差に足して `DensityOfStates` と比べる。連鎖はすべて `+1` の配置（`C` の中）から始める。
//!
//! 誤差棒: `u` の平均の標準誤差は積分自己相関時間 `τ_int` から（`mcmc::stats::mean_estimate`）、
//! 比熱 `c = K² N Var(u)` の標準誤差は 64 ブロックのジャックナイフから求める（ブロックの長さが `20 τ_int` 以上あることを確かめる）。
//! 判定は `|推定 − 厳密| < 4.5 σ`（正規分布なら外れる確率 `6.8 × 10⁻⁶`。1 つのテストで数十回比べても `10⁻⁴` の程度）。
//! 誤差棒が大きすぎて何でも通る、ということがないように、`σ` 自体にも上限を置く。
//! 乱数はすべてシードを固定した `SmallRng`（Xoshiro256++）である。

use genmodel::Error;
use genmodel::boltzmann::ising::{Ising, pairs};
use genmodel::boltzmann::lattice::{
    BernoulliMask, DensityOfStates, K_C, LatticeMetropolis, MAX_METROPOLIS_SIDE,
    MAX_MULTISPIN_SIDE, MultiSpinMetropolis, REPLICAS, Start, T_C, kaufman,
};
use genmodel::mcmc::stats::{integrated_time, mean_estimate};
use genmodel::mcmc::{Rule, Scan, kernel};
use genmodel::ndarray::{Array1, Array2};
use rand::{SeedableRng, rngs::SmallRng};

type TestResult = Result<(), Error>;

/// 判定の幅（標準誤差の何倍まで許すか）。
const Z: f64 = 4.5;

/// 比べる温度: 低温側、臨界点、高温側。
const TEMPERATURES: [f64; 3] = [2.0, T_C, 3.0];

/// ジャックナイフのブロックの数。
const BLOCKS: usize = 64;

/// 系列 `u`（1 スピンあたりのエネルギー）から、比熱 `c = K² N (⟨u²⟩ − ⟨u⟩²)` とそのジャックナイフの標準誤差。
fn specific_heat(u: &[f64], coupling: f64, n_spins: usize) -> (f64, f64) {
    let len = u.len() / BLOCKS;
    let scale = coupling * coupling * n_spins as f64;
    let sums: Vec<(f64, f64)> = u
        .chunks_exact(len)
        .map(|b| (b.iter().sum(), b.iter().map(|x| x * x).sum()))
        .collect();
    let (s1, s2) = sums
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    let total = (BLOCKS * len) as f64;
    let c_of = |s1: f64, s2: f64, n: f64| scale * (s2 / n - (s1 / n) * (s1 / n));
    let full = c_of(s1, s2, total);
    let leave_out: Vec<f64> = sums
        .iter()
        .map(|&(x, y)| c_of(s1 - x, s2 - y, total - len as f64))
        .collect();
    let mean = leave_out.iter().sum::<f64>() / BLOCKS as f64;
    let var = leave_out.iter().map(|c| (c - mean).powi(2)).sum::<f64>() * (BLOCKS - 1) as f64
        / BLOCKS as f64;
    (full, var.sqrt())
}

/// 厳密な `u` と `c`（と、比べるときに許容誤差へ足す系統的なずれ `slack_u`・`slack_c`）。
struct Reference {
    coupling: f64,
    n_spins: usize,
    u: f64,
    c: f64,
    slack_u: f64,
    slack_c: f64,
}

/// 系列 `u` の平均と比熱を厳密値と比べる。`u` の標準誤差の上限 `max_se_u` と、`c` の相対標準誤差の上限 `max_rel_se_c` も確かめる。
fn check_against(
    what: &str,
    u: &Array1<f64>,
    exact: &Reference,
    max_se_u: f64,
    max_rel_se_c: f64,
) -> TestResult {
    let est = mean_estimate(u)?;
    let tau = integrated_time(u)?.tau();
    let u = u.as_slice().expect("連続な配列");
    assert!(
        (u.len() / BLOCKS) as f64 >= 20.0 * tau,
        "{what}: ブロックが τ_int = {tau:.1} に比べて短い"
    );
    let (c, c_se) = specific_heat(u, exact.coupling, exact.n_spins);
    println!(
        "{what}: u = {:.5} ± {:.5}（厳密 {:.5}、τ_int = {tau:.1}）、c = {c:.4} ± {c_se:.4}（厳密 {:.4}）",
        est.mean(),
        est.std_error(),
        exact.u,
        exact.c
    );
    assert!(est.std_error() < max_se_u, "{what}: u の誤差棒が広すぎる");
    assert!(
        c_se < max_rel_se_c * exact.c,
        "{what}: c の誤差棒が広すぎる"
    );
    assert!(
        (est.mean() - exact.u).abs() < Z * est.std_error() + exact.slack_u,
        "{what}: u = {} ± {}, 厳密 {}",
        est.mean(),
        est.std_error(),
        exact.u
    );
    assert!(
        (c - exact.c).abs() < Z * c_se + exact.slack_c,
        "{what}: c = {c} ± {c_se}, 厳密 {}",
        exact.c
    );
    Ok(())
}

/// すべて `+1` から始め、焼きなまし `burn_in` 掃引のあと `sweeps` 掃引ぶんの `u` の系列。
fn plain_series(
    side: usize,
    k: f64,
    seed: u64,
    burn_in: usize,
    sweeps: usize,
) -> Result<Array1<f64>, Error> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut s = LatticeMetropolis::new(side, k, Start::Cold, &mut rng)?;
    s.run(&mut rng, burn_in)?;
    Ok(s.record(&mut rng, sweeps)?.energy_per_spin().clone())
}

// ---- L ≤ 4 の全状態: 結合の和と、順番の走査で行ける配置

/// `L × L` トーラスの状態 `state`（第 `iL + j` ビットが 1 ⇔ スピン `(i, j)` が `−1`）の結合の和 `B = Σ s_i s_j`（右と下への `2L²` 本）。
fn bond_sum(side: usize, state: usize) -> i64 {
    let spin = |i: usize, j: usize| 1 - 2 * ((state >> ((i % side) * side + j % side)) & 1) as i64;
    (0..side)
        .flat_map(|i| (0..side).map(move |j| (i, j)))
        .map(|(i, j)| spin(i, j) * (spin(i, j + 1) + spin(i + 1, j)))
        .sum()
}

/// 順番の走査の掃引で、すべて `+1` の配置（状態 0）から行ける配置（掃引の区切りで見たもの）。
///
/// `(走査の位置 k, 状態)` を頂点とする幅優先探索。位置 `k` のスピンは、4 本の結合のうち反対向きが 2 本以上
/// （`ΔE ≤ 0`）なら必ず反転し、1 本以下なら反転も留まりもありうる。
fn reachable_from_all_up(side: usize) -> Vec<bool> {
    let n = side * side;
    let states = 1usize << n;
    let broken = |state: usize, k: usize| {
        let (i, j) = (k / side, k % side);
        let x = (state >> k) & 1;
        [
            i * side + (j + 1) % side,
            i * side + (j + side - 1) % side,
            ((i + 1) % side) * side + j,
            ((i + side - 1) % side) * side + j,
        ]
        .iter()
        .filter(|&&m| (state >> m) & 1 != x)
        .count()
    };
    let mut reach = vec![false; n * states];
    reach[0] = true;
    let mut changed = true;
    while changed {
        changed = false;
        for k in 0..n {
            let next = (k + 1) % n;
            for state in 0..states {
                if !reach[k * states + state] {
                    continue;
                }
                let stay = (broken(state, k) <= 1).then_some(state);
                for t in std::iter::once(state ^ (1 << k)).chain(stay) {
                    if !reach[next * states + t] {
                        reach[next * states + t] = true;
                        changed = true;
                    }
                }
            }
        }
    }
    reach.truncate(states);
    reach
}

/// `L = 4`: `u` と `c` が全状態の列挙（`DensityOfStates`）に一致する。
#[test]
fn sampler_l4_matches_enumeration() -> TestResult {
    let dos = DensityOfStates::enumerate(4)?;
    let main = reachable_from_all_up(4);
    assert_eq!(main.iter().filter(|&&r| r).count(), 65_472);
    let bonds: Vec<i64> = (0..1 << 16).map(|s| bond_sum(4, s)).collect();
    for (i, t) in TEMPERATURES.into_iter().enumerate() {
        let k = 1.0 / t;
        let exact = dos.thermodynamics(k)?;
        // π と π(· | C) の u・c を列挙で求める。前者は DensityOfStates と一致するはず
        let moments = |in_class: bool| {
            let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
            for (s, &b) in bonds.iter().enumerate() {
                if in_class && !main[s] {
                    continue;
                }
                let (w, e) = ((k * (b - 32) as f64).exp(), -(b as f64) / 16.0);
                (z, m1, m2) = (z + w, m1 + w * e, m2 + w * e * e);
            }
            let u = m1 / z;
            (u, k * k * 16.0 * (m2 / z - u * u))
        };
        let ((u_all, c_all), (u_main, c_main)) = (moments(false), moments(true));
        assert!((u_all - exact.energy_per_spin()).abs() < 1e-12);
        assert!((c_all - exact.specific_heat_per_spin()).abs() < 1e-10);
        let reference = Reference {
            coupling: k,
            n_spins: 16,
            u: exact.energy_per_spin(),
            c: exact.specific_heat_per_spin(),
            slack_u: (u_main - u_all).abs(),
            slack_c: (c_main - c_all).abs(),
        };
        assert!(reference.slack_u < 2e-4 && reference.slack_c < 2e-4);
        let u = plain_series(4, k, 40 + i as u64, 1000, 200_000)?;
        check_against(&format!("L = 4, T = {t:.3}"), &u, &reference, 2e-3, 0.05)?;
    }
    Ok(())
}

/// Kaufman の厳密解（系統的なずれなし）。
fn kaufman_reference(side: usize, k: f64) -> Result<Reference, Error> {
    let t = kaufman::thermodynamics(side, k)?;
    Ok(Reference {
        coupling: k,
        n_spins: side * side,
        u: t.energy_per_spin(),
        c: t.specific_heat_per_spin(),
        slack_u: 0.0,
        slack_c: 0.0,
    })
}

/// `L = 8`: `u` と `c` が Kaufman の厳密解に一致する。
#[test]
fn sampler_l8_matches_kaufman() -> TestResult {
    for (i, t) in TEMPERATURES.into_iter().enumerate() {
        let u = plain_series(8, 1.0 / t, 80 + i as u64, 2000, 150_000)?;
        check_against(
            &format!("L = 8, T = {t:.3}"),
            &u,
            &kaufman_reference(8, 1.0 / t)?,
            2e-3,
            0.05,
        )?;
    }
    Ok(())
}

/// `L = 16`: `u` と `c` が Kaufman の厳密解に一致する。
#[test]
fn sampler_l16_matches_kaufman() -> TestResult {
    for (i, t) in TEMPERATURES.into_iter().enumerate() {
        let u = plain_series(16, 1.0 / t, 160 + i as u64, 2000, 200_000)?;
        check_against(
            &format!("L = 16, T = {t:.3}"),
            &u,
            &kaufman_reference(16, 1.0 / t)?,
            2e-3,
            0.05,
        )?;
    }
    Ok(())
}

// ---- L = 3 のボルツマン分布そのもの

/// `3 × 3` トーラスの 512 状態のうち、すべて `+1` から行ける類 `C` と、`C` に制限したボルツマン分布 `π(· | C)`（`C` の外は 0）。
fn exact_l3(k: f64) -> (Vec<bool>, Vec<f64>) {
    let main = reachable_from_all_up(3);
    assert_eq!(main.iter().filter(|&&r| r).count(), 504);
    let weights: Vec<f64> = (0..512)
        .map(|s| {
            if main[s] {
                (k * bond_sum(3, s) as f64).exp()
            } else {
                0.0
            }
        })
        .collect();
    let z: f64 = weights.iter().sum();
    (main, weights.iter().map(|w| w / z).collect())
}

/// 間引きの間隔 `m` と `d_m = max_{a,b ∈ C} |P^m(a, b)/π_b − 1|`（`P` は順番の走査の掃引の厳密な遷移行列を `C` に制限したもの）。
///
/// `3 × 3` のトーラスでは同じ行・同じ列のどの 2 点も隣どうし（結合は 1 本ずつ）なので、密な結合の Ising モデルとして
/// `mcmc::kernel::sweep_kernel` で遷移行列が作れる。`C` は閉じているので制限しても確率行列である。
/// `d` は劣乗法的（`d_{km} ≤ d_m^k`）で、`|tr(P^{km}) − 1| ≤ d_m^k` だから、`m` 掃引ごとに間引いた標本の
/// χ² の期待値は `(|C| − 1) + 2 d_m / (1 − d_m)` 以下である。`d_m ≤ 1/2` となる最小の `m` を選ぶ（増分は 2 以下）。
fn thinning(k: f64, main: &[bool], pi: &[f64]) -> Result<(usize, f64), Error> {
    let j: Array1<f64> = pairs(9)
        .map(|(a, b)| {
            if a / 3 == b / 3 || a % 3 == b % 3 {
                k
            } else {
                0.0
            }
        })
        .collect();
    let full = kernel::sweep_kernel(
        &Ising::new(Array1::zeros(9), j)?,
        Rule::Metropolis,
        Scan::Sequential,
    )?;
    let class: Vec<usize> = (0..512).filter(|&s| main[s]).collect();
    let p = Array2::from_shape_fn((class.len(), class.len()), |(a, b)| {
        full[[class[a], class[b]]]
    });
    // C は閉じている: C の中から外へ出る確率は 0
    assert!(
        p.rows()
            .into_iter()
            .all(|row| (row.sum() - 1.0).abs() < 1e-12)
    );
    let mut q = p.clone();
    for m in 1..=40 {
        let d = q
            .indexed_iter()
            .map(|((_, b), &x)| (x / pi[class[b]] - 1.0).abs())
            .fold(0.0, f64::max);
        if d <= 0.5 {
            return Ok((m, d));
        }
        q = q.dot(&p);
    }
    panic!("40 掃引でも d_m ≤ 1/2 にならない");
}

/// 観測した状態の数 `counts` と `π(· | C)` の χ²（`C` の状態だけで、自由度 `|C| − 1`）を、χ² 分布の両側 `Z` σ 相当の範囲と比べる。
/// `C` の外の状態は 1 回も現れないことも確かめる。
fn check_chi_square(what: &str, counts: &[u64], main: &[bool], pi: &[f64], d: f64) {
    let n = counts.iter().sum::<u64>() as f64;
    let outside: u64 = (0..512).filter(|&s| !main[s]).map(|s| counts[s]).sum();
    assert_eq!(outside, 0, "{what}: 閉じた類の外の状態が現れた");
    let in_class = || (0..512).filter(|&s| main[s]);
    let min_expected = in_class().map(|s| n * pi[s]).fold(f64::INFINITY, f64::min);
    assert!(
        min_expected >= 5.0,
        "{what}: 期待度数 {min_expected} が小さすぎる"
    );
    let chi2: f64 = in_class()
        .map(|s| (counts[s] as f64 - n * pi[s]).powi(2) / (n * pi[s]))
        .sum();
    // Wilson–Hilferty: (χ²/k)^{1/3} ≈ N(1 − 2/(9k), 2/(9k))。上側には間引きの残りの相関の分 2d/(1 − d) を足す
    let dof = (in_class().count() - 1) as f64;
    let quantile =
        |z: f64| dof * (1.0 - 2.0 / (9.0 * dof) + z * (2.0 / (9.0 * dof)).sqrt()).powi(3);
    let (lo, hi) = (quantile(-Z), quantile(Z) + 2.0 * d / (1.0 - d));
    println!(
        "{what}: χ² = {chi2:.1}（自由度 {dof}、許す範囲 {lo:.1} … {hi:.1}）、最小の期待度数 {min_expected:.1}"
    );
    assert!(lo < chi2 && chi2 < hi, "{what}: χ² = {chi2}");
}

/// `L = 3`、`T = 3`: 訪れた状態のヒストグラムが `π(· | C)` に一致する（χ²、20 万標本）。
#[test]
fn sampler_l3_visits_states_with_boltzmann_probabilities() -> TestResult {
    let k = 1.0 / 3.0;
    let (main, pi) = exact_l3(k);
    let (m, d) = thinning(k, &main, &pi)?;
    let mut rng = SmallRng::seed_from_u64(3);
    let mut s = LatticeMetropolis::new(3, k, Start::Cold, &mut rng)?;
    s.run(&mut rng, 100)?;
    let mut counts = vec![0u64; 512];
    for _ in 0..200_000 {
        s.run(&mut rng, m)?;
        let state = s
            .spins()
            .iter()
            .enumerate()
            .fold(0usize, |acc, (site, &x)| acc | usize::from(x < 0) << site);
        counts[state] += 1;
    }
    check_chi_square(
        &format!("L = 3, T = 3, {m} 掃引ごと"),
        &counts,
        &main,
        &pi,
        d,
    );
    Ok(())
}

/// 多スピン符号化、`L = 3`、`T = T_c`: 64 レプリカを合わせた状態のヒストグラムが `π(· | C)` に一致する（約 100 万標本）。
#[test]
fn multispin_l3_replicas_visit_states_with_boltzmann_probabilities() -> TestResult {
    let (main, pi) = exact_l3(K_C);
    let (m, d) = thinning(K_C, &main, &pi)?;
    let mut rng = SmallRng::seed_from_u64(33);
    let mut s = MultiSpinMetropolis::new(3, K_C, Start::Cold, &mut rng)?;
    s.run(&mut rng, 200)?;
    let mut counts = vec![0u64; 512];
    for _ in 0..16_000 {
        s.run(&mut rng, m)?;
        let words = s.packed();
        for r in 0..REPLICAS {
            let state = words.iter().enumerate().fold(0usize, |acc, (site, &w)| {
                acc | (((w >> r) & 1) as usize) << site
            });
            counts[state] += 1;
        }
    }
    check_chi_square(
        &format!("多スピン L = 3, T = T_c, {m} 掃引ごと"),
        &counts,
        &main,
        &pi,
        d,
    );
    Ok(())
}

/// 順番の走査は既約でない: 階段状の配置（`j ≤ i` で `+1`）では、どのスピンも自分の番で `ΔE ≤ 0` なので
/// 掃引がすべてのスピンを決定的に反転し、2 掃引で元に戻る。温度によらずいつまでも抜け出さない。
#[test]
fn sampler_staircase_is_a_closed_cycle() -> TestResult {
    for (side, k) in [(2, 0.5), (3, 0.3), (4, K_C), (8, 1.0), (17, 0.2)] {
        let stair = Array2::from_shape_fn((side, side), |(i, j)| if j <= i { 1i8 } else { -1 });
        let mut s = LatticeMetropolis::from_spins(k, &stair)?;
        let mut rng = SmallRng::seed_from_u64(side as u64);
        s.run(&mut rng, 1000)?;
        assert_eq!(s.accepted(), s.attempted(), "L = {side}");
        assert_eq!(s.spins(), stair, "L = {side}");
        assert_eq!(s.energy(), -2 * (side as i64 - 2).pow(2), "L = {side}");
    }
    // L = 3 では、この配置は幅優先探索で求めた類 C の外にある
    let stair3: usize = (0..9).filter(|&k| k % 3 > k / 3).map(|k| 1 << k).sum();
    assert!(!reachable_from_all_up(3)[stair3]);
    Ok(())
}

// ---- 多スピン符号化: レプリカごとの平均と独立性

/// 多スピン符号化、`L = 8`、`T = T_c`: 各レプリカの `u` の平均が Kaufman の値に一致し、64 レプリカを合わせた `u` と `c` も一致する。
/// 隣り合う番号のレプリカのエネルギーの系列は無相関である。
#[test]
fn multispin_l8_replicas_match_kaufman_and_are_uncorrelated() -> TestResult {
    let exact = kaufman::thermodynamics(8, K_C)?;
    let mut rng = SmallRng::seed_from_u64(8);
    let mut s = MultiSpinMetropolis::new(8, K_C, Start::Hot, &mut rng)?;
    s.run(&mut rng, 2000)?;
    let trace = s.record(&mut rng, 20_000)?;
    let u = trace.energy_per_spin();
    let n = u.nrows() as f64;
    let (mut sum, mut var_sum, mut c_values) = (0.0, 0.0, Vec::new());
    let mut taus = Vec::new();
    for r in 0..REPLICAS {
        let series = u.column(r).to_owned();
        let est = mean_estimate(&series)?;
        let tau = integrated_time(&series)?.tau();
        assert!(
            (est.mean() - exact.energy_per_spin()).abs() < Z * est.std_error(),
            "レプリカ {r}: u = {} ± {}",
            est.mean(),
            est.std_error()
        );
        sum += est.mean();
        var_sum += est.std_error().powi(2);
        c_values.push(specific_heat(series.as_slice().expect("連続"), K_C, 64).0);
        taus.push(tau);
    }
    // 64 レプリカの平均（独立なので分散は和を 64² で割る）
    let (mean, se) = (sum / 64.0, var_sum.sqrt() / 64.0);
    assert!(se < 1e-3);
    assert!(
        (mean - exact.energy_per_spin()).abs() < Z * se,
        "u = {mean} ± {se}"
    );
    // 比熱はレプリカごとの推定値のばらつきから誤差棒を作る（レプリカは独立）
    let c_mean = c_values.iter().sum::<f64>() / 64.0;
    let c_se = (c_values.iter().map(|c| (c - c_mean).powi(2)).sum::<f64>() / 63.0 / 64.0).sqrt();
    println!(
        "多スピン L = 8: u = {mean:.5} ± {se:.5}（厳密 {:.5}）、c = {c_mean:.4} ± {c_se:.4}（厳密 {:.4}）",
        exact.energy_per_spin(),
        exact.specific_heat_per_spin()
    );
    assert!(c_se < 0.03 * exact.specific_heat_per_spin());
    assert!((c_mean - exact.specific_heat_per_spin()).abs() < Z * c_se);
    // 独立な系列の標本相関の分散は (1/n) Σ_t ρ_a(t) ρ_b(t) ≤ 2 max(τ_a, τ_b) / n（ρ ≥ 0 のとき）
    for r in 0..REPLICAS - 1 {
        let (a, b) = (u.column(r), u.column(r + 1));
        let (ma, mb) = (a.mean().unwrap(), b.mean().unwrap());
        let cov = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>();
        let norm = (a.iter().map(|x| (x - ma).powi(2)).sum::<f64>()
            * b.iter().map(|y| (y - mb).powi(2)).sum::<f64>())
        .sqrt();
        let rho = cov / norm;
        let sigma = (2.0 * taus[r].max(taus[r + 1]) / n).sqrt();
        assert!(
            rho.abs() < Z * sigma,
            "レプリカ {r} と {}: 相関 {rho}（σ = {sigma}）",
            r + 1
        );
    }
    Ok(())
}

/// 多スピン符号化: 全レプリカを同じ配置（すべて `+1`）から始めても、レプリカごとに別の乱数を使うので離れていく。
/// 1 個の乱数を共有する実装なら、同じ配置から始めたレプリカはいつまでも一致する。
#[test]
fn multispin_replicas_started_equal_become_distinct() -> TestResult {
    let mut rng = SmallRng::seed_from_u64(16);
    let mut s = MultiSpinMetropolis::new(16, 1.0 / 3.0, Start::Cold, &mut rng)?;
    s.run(&mut rng, 200)?;
    let replicas: Vec<Array2<i8>> = (0..REPLICAS)
        .map(|r| s.replica(r))
        .collect::<Result<_, _>>()?;
    // T = 3 の 16 × 16 では、独立な 2 つの配置のハミング距離は平均 128、標準偏差は 20 程度。32 は 5 σ より下
    for a in 0..REPLICAS {
        for b in a + 1..REPLICAS {
            let distance = replicas[a]
                .iter()
                .zip(&replicas[b])
                .filter(|(x, y)| x != y)
                .count();
            assert!(distance > 32, "レプリカ {a} と {b} の距離 {distance}");
        }
    }
    Ok(())
}

// ---- 64 レーンの Bernoulli 乱数

/// `p` の Bernoulli マスクを `words` 個引いて 1 のビットを数える。
fn count_ones(p: f64, words: usize, seed: u64) -> Result<u64, Error> {
    let mask = BernoulliMask::new(p)?;
    let mut rng = SmallRng::seed_from_u64(seed);
    Ok((0..words)
        .map(|_| u64::from(mask.sample(&mut rng).count_ones()))
        .sum())
}

/// 1 のビットの割合が二項分布の `Z` σ に収まる（`p = 0.3, 0.5, 1e-3, 1e-6`）。とても小さい `p` と端の `p = 0, 1` も。
#[test]
fn bernoulli_mask_frequencies_are_binomial() -> TestResult {
    for (i, (p, words)) in [
        (0.3, 200_000),
        (0.5, 200_000),
        (1e-3, 200_000),
        (1e-6, 2_000_000),
    ]
    .into_iter()
    .enumerate()
    {
        let n = (64 * words) as f64;
        let ones = count_ones(p, words, i as u64)? as f64;
        let sigma = (n * p * (1.0 - p)).sqrt();
        assert!(
            (ones - n * p).abs() < Z * sigma,
            "p = {p}: {ones} 個（期待 {}）",
            n * p
        );
    }
    // p = 1e-9、1.28 億ビット: 期待値 0.128 個。Poisson(0.128) で 5 個以上は 2.6e-7
    assert!(count_ones(1e-9, 2_000_000, 9)? <= 4);
    // 最小の非正規化数（2^{−1074}）と 1 − 2^{−53}（0 のビットが 1 − p の割合）
    assert_eq!(count_ones(f64::from_bits(1), 100_000, 10)?, 0);
    let almost_one = 1.0 - f64::EPSILON / 2.0;
    assert!(64 * 100_000 - count_ones(almost_one, 100_000, 11)? <= 4);
    // 端: ちょうど 0 と 1
    assert_eq!(count_ones(0.0, 1000, 12)?, 0);
    assert_eq!(count_ones(1.0, 1000, 13)?, 64_000);
    Ok(())
}

/// `p = 0.3`: 64 レーンのそれぞれで 1 の割合が `p`、隣り合うレーンが同時に 1 の割合が `p²`（レーンどうしが独立）。
#[test]
fn bernoulli_mask_lanes_are_independent() -> TestResult {
    let (p, words) = (0.3, 100_000);
    let mask = BernoulliMask::new(p)?;
    let mut rng = SmallRng::seed_from_u64(77);
    let mut lane = [0u64; 64];
    let mut both = [0u64; 63];
    for _ in 0..words {
        let w = mask.sample(&mut rng);
        for (r, count) in lane.iter_mut().enumerate() {
            *count += (w >> r) & 1;
        }
        for (r, count) in both.iter_mut().enumerate() {
            *count += (w >> r) & (w >> (r + 1)) & 1;
        }
    }
    let n = words as f64;
    for (q, counts) in [(p, &lane[..]), (p * p, &both[..])] {
        let sigma = (n * q * (1.0 - q)).sqrt();
        for (r, &c) in counts.iter().enumerate() {
            assert!(
                (c as f64 - n * q).abs() < Z * sigma,
                "レーン {r}: {c}（期待 {}）",
                n * q
            );
        }
    }
    Ok(())
}

// ---- エネルギーの帳簿と、2 つの実装の突き合わせ

/// 反転ごとに足したエネルギーが、定義どおりに計算し直した値と、何千回の掃引のあとでも一致する（`L = 2, 3, 17`、いろいろな温度）。
#[test]
fn sampler_incremental_energy_equals_recomputed() -> TestResult {
    for (side, k) in [(2, 0.3), (3, K_C), (17, 0.2), (17, K_C), (17, 1.0)] {
        let mut rng = SmallRng::seed_from_u64(side as u64);
        // 高温の初期配置は閉じた巡回に落ちうる（L = 2 では 16 状態のうち 4）ので、すべて +1 から始める
        let mut s = LatticeMetropolis::new(side, k, Start::Cold, &mut rng)?;
        for _ in 0..3000 {
            s.sweep(&mut rng);
            assert_eq!(s.energy(), s.recompute_energy(), "L = {side}, K = {k}");
        }
        let spins = s.spins();
        assert_eq!(
            s.magnetization(),
            spins.iter().map(|&x| i64::from(x)).sum::<i64>()
        );
        assert_eq!(
            LatticeMetropolis::from_spins(k, &spins)?.energy(),
            s.energy()
        );
        assert!(s.accepted() > 0 && s.accepted() < s.attempted());
    }
    Ok(())
}

/// 多スピン符号化のレプリカごとのエネルギーと磁化（ビットスライスの計数器）が、取り出した配置の定義どおりの値に一致する。
#[test]
fn multispin_energies_equal_replica_energies() -> TestResult {
    for (side, k) in [(2, 0.3), (5, K_C), (12, 0.6)] {
        let mut rng = SmallRng::seed_from_u64(100 + side as u64);
        let mut s = MultiSpinMetropolis::new(side, k, Start::Hot, &mut rng)?;
        s.run(&mut rng, 50)?;
        let (energies, magnetizations) = (s.energies(), s.magnetizations());
        for r in 0..REPLICAS {
            let one = LatticeMetropolis::from_spins(k, &s.replica(r)?)?;
            assert_eq!(
                energies[r],
                one.recompute_energy(),
                "L = {side}, レプリカ {r}"
            );
            assert_eq!(
                magnetizations[r],
                one.magnetization(),
                "L = {side}, レプリカ {r}"
            );
        }
    }
    Ok(())
}

// ---- 不正な入力

/// 一辺 0・1・上限超え、NaN・±∞・0 以下・`MIN_COUPLING` 未満の `K`、範囲外のレプリカ・確率・記録の長さは、それぞれ型つきの誤り。
#[test]
fn sampler_bad_input_is_a_typed_error() {
    let mut rng = SmallRng::seed_from_u64(0);
    let plain =
        |side, k, rng: &mut SmallRng| LatticeMetropolis::new(side, k, Start::Hot, rng).err();
    let multi =
        |side, k, rng: &mut SmallRng| MultiSpinMetropolis::new(side, k, Start::Hot, rng).err();
    for side in [0, 1] {
        assert!(matches!(
            plain(side, 0.4, &mut rng),
            Some(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            multi(side, 0.4, &mut rng),
            Some(Error::InvalidParameter { .. })
        ));
    }
    for side in [MAX_METROPOLIS_SIDE + 1, usize::MAX] {
        assert!(matches!(
            plain(side, 0.4, &mut rng),
            Some(Error::TooLarge { .. })
        ));
    }
    for side in [MAX_MULTISPIN_SIDE + 1, usize::MAX] {
        assert!(matches!(
            multi(side, 0.4, &mut rng),
            Some(Error::TooLarge { .. })
        ));
    }
    for k in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            plain(4, k, &mut rng),
            Some(Error::NonFinite { .. })
        ));
        assert!(matches!(
            multi(4, k, &mut rng),
            Some(Error::NonFinite { .. })
        ));
    }
    for k in [0.0, -0.0, -0.4, 1e-101] {
        assert!(matches!(
            plain(4, k, &mut rng),
            Some(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            multi(4, k, &mut rng),
            Some(Error::InvalidParameter { .. })
        ));
    }
    // 大きい K（p_8 = e^{−8K} が 0 にアンダーフローする）は正しい入力
    assert!(plain(4, 1e3, &mut rng).is_none() && multi(4, 1e3, &mut rng).is_none());
    assert!(matches!(
        LatticeMetropolis::from_spins(0.4, &Array2::<i8>::from_elem((3, 3), 2)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        LatticeMetropolis::from_spins(0.4, &Array2::<i8>::ones((1, 1))),
        Err(Error::InvalidParameter { .. })
    ));
    let mut s = MultiSpinMetropolis::new(4, 0.4, Start::Cold, &mut rng).unwrap();
    assert!(matches!(
        s.replica(REPLICAS),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        s.record(&mut rng, usize::MAX),
        Err(Error::TooLarge { .. })
    ));
    let mut p = LatticeMetropolis::new(4, 0.4, Start::Cold, &mut rng).unwrap();
    assert!(matches!(
        p.record(&mut rng, usize::MAX),
        Err(Error::TooLarge { .. })
    ));
    for bad in [-1e-300, 1.0 + f64::EPSILON, 2.0] {
        assert!(matches!(
            BernoulliMask::new(bad),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        BernoulliMask::new(f64::NAN),
        Err(Error::NonFinite { .. })
    ));
}
