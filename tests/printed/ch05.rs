//! 第 5 章 マルコフ連鎖モンテカルロ法の式（(5.1)–(5.19)）を印刷された形で実行する。
//!
//! 束縛は genmodel に結びつける: 遷移確率 `T` は `mcmc::kernel` の厳密な遷移行列（ランダムな選び方の
//! 1 回の更新と、順番の掃引）、`q_\theta` は列挙による確率、`\Delta E_k` は `Ising::energy` の差、
//! `\rho_f(t)` は遷移行列の冪で直接求めた自己相関、`w_i`・`\lambda_i` は対称化した遷移行列の固有値分解
//! （テストの側で行う）、`\tau_{\mathrm{int}}` はクレートの `Spectrum::integrated_time`、`\hat{\rho}`・`\hat{\tau}`・
//! `s_{\bar{f}}` はクレートの `mcmc::stats`、`Z`・`u`・`c` はクレートの `lattice::kaufman`、
//! `K_{\mathrm{c}}`・`T_{\mathrm{c}}` は `lattice::onsager` の定数。
//! Kaufman の式の `Z_1`…`Z_4` と `\gamma_j` は、論文の式からテストの側で素朴に（対数空間を使わずに）計算する。

use crate::ch02_05::{all_states, ising, probability, spins};
use crate::harness::{
    assert_printed, column, env, impl_link, model_error, refs, Bound, Declared, Survivor,
};
use genmodel::boltzmann::ising::{spins_of_state, Ising};
use genmodel::boltzmann::lattice::{kaufman, K_C, T_C};
use genmodel::linalg::symmetric_eigen;
use genmodel::mcmc::{kernel, stats, Chain, Observable, Rule, Scan};
use genmodel::ndarray::{Array1, Array2};
use rand::SeedableRng;
use texeval::{check_equation, Ctx, Env, Equation, LinkResult, Tolerances, Value, Weights};

/// 束縛に使う 2 つのモデル（N = 3 と N = 4、場と結合は手で選んだ値）。
fn models() -> Vec<Ising> {
    vec![
        ising(&[0.3, -0.2, 0.1], &[0.5, -0.4, 0.8]),
        ising(&[0.0, 0.4, -0.3, 0.2], &[0.6, 0.0, -0.5, 0.3, 0.7, -0.2]),
    ]
}

/// 状態の番号（クレートの `spins_of_state` の逆）。
fn index_of(x: &Array1<i8>) -> usize {
    x.iter()
        .enumerate()
        .map(|(k, &s)| usize::from(s == -1) << k)
        .sum()
}

/// 対称な N×N の結合行列（対角 0）。
fn symmetric_couplings(m: &Ising) -> Array2<f64> {
    let n = m.n_spins();
    Array2::from_shape_fn((n, n), |(k, l)| m.coupling(k, l).unwrap_or(0.0))
}

/// スピン k を反転した状態。
fn flipped(x: &Array1<i8>, k: usize) -> Array1<i8> {
    let mut y = x.clone();
    y[k] = -y[k];
    y
}

/// モデルと遷移行列 `p`（行 = 今、列 = 次）の束縛: `N`・`h`・`J`・`q_\theta`・`T`・`\vx` の範囲。
fn kernel_env(m: &Ising, p: &Array2<f64>) -> Env {
    let n = m.n_spins();
    let mut e = env();
    e.scalar("N", n as f64)
        .set("h", m.fields().to_owned())
        .set("J", symmetric_couplings(m))
        .domain(r"\vx", all_states(n))
        .index_range("l", 1, n as i64);
    let q = m.clone();
    e.func(r"q_\theta", move |a: &[Value]| {
        probability(&q, &spins(&a[0])?).map(Value::Scalar)
    });
    let kernel = p.clone();
    e.func("T", move |a: &[Value]| {
        let (to, from) = (index_of(&spins(&a[0])?), index_of(&spins(&a[1])?));
        Ok(Value::Scalar(kernel[[from, to]]))
    });
    e
}

fn check_all(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    check_equation(eq, &refs(envs), &Tolerances::default())
}

/// (5.1)–(5.3): 更新の行列（両規則）、ランダムな選び方の掃引、順番の掃引（(5.2) だけ）。
fn stationary_envs(reversible_only: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    for m in models() {
        let n = m.n_spins();
        let mut kernels = vec![
            kernel::update_kernel(&m, Rule::Metropolis).expect("行列"),
            kernel::update_kernel(&m, Rule::HeatBath).expect("行列"),
            kernel::sweep_kernel(&m, Rule::Metropolis, Scan::Random).expect("行列"),
        ];
        if !reversible_only {
            kernels.push(kernel::sweep_kernel(&m, Rule::HeatBath, Scan::Sequential).expect("行列"));
        }
        for (i, p) in kernels.iter().enumerate() {
            for s2 in [0usize, 1 + i % ((1 << n) - 1), (1 << n) - 1] {
                let mut e = kernel_env(&m, p);
                let x2 = spins_of_state(s2, n).expect("状態");
                e.set(r"\vx'", x2.mapv(f64::from));
                if reversible_only {
                    // (5.3) は x も自由: 反転 1 つで移れる状態と、移れない状態（両辺 0）をとる
                    let x = if s2 == 0 {
                        flipped(&x2, n - 1)
                    } else {
                        spins_of_state(0, n).expect("状態")
                    };
                    e.set(r"\vx", x.mapv(f64::from));
                }
                // (5.1): 出発の分布 p_t（番号ごとに違う重み）と、それを 1 歩進めた p_{t+1}
                let size = 1usize << n;
                let start: Array1<f64> = (0..size).map(|s| (1 + (s * 7 + i) % 5) as f64).collect();
                let start = &start / start.sum();
                let next = p.t().dot(&start);
                e.func("p_t", move |a: &[Value]| {
                    Ok(Value::Scalar(start[index_of(&spins(&a[0])?)]))
                });
                e.func("p_{t+1}", move |a: &[Value]| {
                    Ok(Value::Scalar(next[index_of(&spins(&a[0])?)]))
                });
                envs.push(e);
            }
        }
    }
    envs
}

fn check_stationary(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &stationary_envs(false))
}

fn check_balance(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &stationary_envs(true))
}

/// (5.4)–(5.7): 状態 x とスピン k、x' は k を反転した状態。`\Delta E_k` はクレートのエネルギーの差。
fn flip_envs(rule: Option<Rule>) -> Vec<Env> {
    let mut envs = Vec::new();
    for m in models() {
        let n = m.n_spins();
        let rules = match rule {
            Some(r) => vec![r],
            None => vec![Rule::Metropolis, Rule::HeatBath],
        };
        for r in rules {
            let p = kernel::update_kernel(&m, r).expect("行列");
            for (s, k) in [(0usize, 0usize), (3, 1), (5, 2), ((1 << n) - 2, n - 1)] {
                let x = spins_of_state(s, n).expect("状態");
                let x2 = flipped(&x, k);
                let de = m.energy(&x2).expect("E") - m.energy(&x).expect("E");
                let mut e = kernel_env(&m, &p);
                e.set(r"\vx", x.mapv(f64::from))
                    .set(r"\vx'", x2.mapv(f64::from))
                    .scalar("k", (k + 1) as f64)
                    // `\Delta E_k` は記号 Δ と E_k の積として読まれるので、Δ = 1 と E_k = ΔE の組で束縛する
                    .scalar(r"\Delta", 1.0)
                    .scalar("E_k", de);
                envs.push(e);
            }
        }
    }
    envs
}

fn check_flip(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &flip_envs(None))
}

fn check_metropolis(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &flip_envs(Some(Rule::Metropolis)))
}

fn check_heat_bath(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &flip_envs(Some(Rule::HeatBath)))
}

/// 可逆な遷移行列のスペクトル（テストの側の分解）: 降順の固有値と、f の重み w_i（i = 1 は固有値 1）。
fn spectral_weights(p: &Array2<f64>, q: &Array1<f64>, f: &Array1<f64>) -> (Vec<f64>, Vec<f64>) {
    let sq = q.mapv(f64::sqrt);
    let s = Array2::from_shape_fn(p.dim(), |(a, b)| sq[a] / sq[b] * p[[a, b]]);
    let s = (&s + &s.t()) * 0.5;
    let eig = symmetric_eigen(&s).expect("固有値分解");
    let mean = q.dot(f);
    let g = (f - mean) * &sq;
    let var = g.dot(&g);
    let mut pairs: Vec<(f64, f64)> = (0..q.len())
        .map(|i| {
            let c = eig.vectors.column(i).dot(&g);
            (eig.values[i], c * c / var)
        })
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    pairs.into_iter().unzip()
}

/// 定常な連鎖での f の自己相関を遷移行列の冪で直接求める（t = 0..len）。
fn direct_autocorrelation(
    p: &Array2<f64>,
    q: &Array1<f64>,
    f: &Array1<f64>,
    len: usize,
) -> Vec<f64> {
    let mean = q.dot(f);
    let c = f - mean;
    let var = q.dot(&(&c * &c));
    let mut pf = c.clone();
    let mut out = Vec::with_capacity(len + 1);
    for _ in 0..=len {
        out.push(q.dot(&(&c * &pf)) / var);
        pf = p.dot(&pf);
    }
    out
}

/// (5.8)–(5.11) の束縛: 遷移行列と量 f、その厳密な統計。
struct SpectralCase {
    env: Env,
    crate_rho: Vec<f64>,
    crate_tau: f64,
}

/// 量 f の候補: 磁化、スピン 1 と 2 の積、エネルギー、固有ベクトル 2 そのもの（(5.10) の等号）。
fn spectral_cases() -> Vec<SpectralCase> {
    let mut cases = Vec::new();
    for m in models() {
        let n = m.n_spins();
        let q = kernel::boltzmann_probabilities(&m).expect("確率");
        let states: Vec<Array1<i8>> = (0..1usize << n)
            .map(|s| spins_of_state(s, n).expect("状態"))
            .collect();
        let fs: Vec<Array1<f64>> = vec![
            states
                .iter()
                .map(|x| x.iter().map(|&s| f64::from(s)).sum())
                .collect(),
            states.iter().map(|x| f64::from(x[0] * x[1])).collect(),
            states.iter().map(|x| m.energy(x).expect("E")).collect(),
        ];
        for rule in [Rule::Metropolis, Rule::HeatBath] {
            let p = kernel::update_kernel(&m, rule).expect("行列");
            let spec = kernel::update_spectrum(&m, rule).expect("スペクトル");
            let (lambda, _) = spectral_weights(&p, &q, &fs[0]);
            for f in &fs {
                let (lambda_f, w) = spectral_weights(&p, &q, f);
                let rho = direct_autocorrelation(&p, &q, f, 20_000);
                let sigma2 = q.dot(&f.mapv(|v| v * v)) - q.dot(f).powi(2);
                let mut e = env();
                e.scalar("N", n as f64)
                    .set("w", Array1::from(w.clone()))
                    .set(r"\lambda", Array1::from(lambda_f.clone()))
                    .scalar(r"\sigma_f", sigma2.sqrt());
                let r = rho.clone();
                e.func(r"\rho_f", move |a: &[Value]| {
                    let t = a[0].as_scalar()?;
                    r.get(t as usize)
                        .copied()
                        .map(Value::Scalar)
                        .ok_or_else(|| texeval::EvalError::Index(format!("t = {t}")))
                });
                let tau = spec.integrated_time(f).expect("τ_int");
                e.scalar(r"\tau_{\mathrm{int}}", tau);
                // (5.11): 長さ n の平均の厳密な分散（固有値ごとの閉じた形、(5.11) の和とは別の導き方）
                let len = 20_000.0;
                let var_mean = sigma2 / (len * len)
                    * w.iter()
                        .zip(&lambda_f)
                        .skip(1)
                        .map(|(wi, &l)| {
                            wi * (len * (1.0 + l) / (1.0 - l)
                                - 2.0 * l * (1.0 - l.powf(len)) / (1.0 - l).powi(2))
                        })
                        .sum::<f64>();
                e.scalar("n", len)
                    .scalar(r"\sigma_{\bar{f}}", var_mean.sqrt());
                let crate_rho = (0..6)
                    .map(|t| spec.autocorrelation(f, t).expect("ρ"))
                    .collect();
                debug_assert_eq!(lambda.len(), lambda_f.len());
                cases.push(SpectralCase {
                    env: e,
                    crate_rho,
                    crate_tau: tau,
                });
            }
        }
    }
    cases
}

fn check_spectral(eq: &Equation) -> Vec<LinkResult> {
    let cases = spectral_cases();
    let mut rs = Vec::new();
    for (t, _) in [(0usize, ()), (1, ()), (3, ()), (5, ())] {
        let envs: Vec<Env> = cases
            .iter()
            .map(|c| {
                let mut e = c.env.clone();
                e.scalar("t", t as f64)
                    .scalar(texeval_impl(), c.crate_rho[t]);
                e
            })
            .collect();
        rs.extend(check_all(eq, &envs));
        rs.extend(impl_link(
            eq,
            0,
            0,
            &refs(&envs),
            "Spectrum::autocorrelation",
        ));
    }
    rs
}

fn texeval_impl() -> &'static str {
    crate::harness::IMPL
}

fn check_tau(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = spectral_cases().into_iter().map(|c| c.env).collect();
    check_all(eq, &envs)
}

fn check_tau_crate(eq: &Equation) -> Vec<LinkResult> {
    let cases = spectral_cases();
    let envs: Vec<Env> = cases
        .iter()
        .map(|c| {
            let mut e = c.env.clone();
            e.scalar(texeval_impl(), c.crate_tau);
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        0,
        &refs(&envs),
        "Spectrum::integrated_time",
    ));
    rs
}

/// (5.12)・(5.13): N = 3 のモデルのメトロポリス法の系列（シード固定）と、クレートの推定。
fn series_env() -> Vec<Env> {
    let mut envs = Vec::new();
    for (seed, m) in [(11u64, &models()[0]), (12, &models()[1])] {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let start = vec![1i8; m.n_spins()];
        let mut chain = Chain::new(m, Rule::Metropolis, Scan::Random, &start).expect("連鎖");
        chain.run(&mut rng, 100).expect("慣らし");
        let trace = chain
            .record(&mut rng, 4096, &[Observable::Product(0, 1)])
            .expect("記録");
        let x = trace[0].clone();
        let it = stats::integrated_time(&x).expect("τ̂");
        let w = it.window();
        let rho = stats::autocorrelation(&x, w).expect("ρ̂");
        let bins = stats::binning(&x).expect("ビン分け");
        let level = bins.chosen();
        let (size, m_bins) = (level.bin_size(), level.n_bins());
        let means: Vec<Value> = (0..m_bins)
            .map(|b| Value::Scalar(x[b * size..(b + 1) * size].iter().sum::<f64>() / size as f64))
            .collect();
        let grand = means
            .iter()
            .map(|v| v.as_scalar().expect("数"))
            .sum::<f64>()
            / m_bins as f64;
        let mut e = env();
        e.scalar(r"t_{\mathrm{w}}", w as f64)
            .func(r"\hat{\rho}", move |a: &[Value]| {
                let t = a[0].as_scalar()?;
                rho.get(t as usize)
                    .copied()
                    .map(Value::Scalar)
                    .ok_or_else(|| texeval::EvalError::Index(format!("t = {t}")))
            })
            .scalar(r"n_{\mathrm{b}}", m_bins as f64)
            .scalar(r"\bar{f}", grand)
            .scalar(r"s_{\bar{f}}", level.std_error());
        e.family(r"\bar{f}", means);
        let tau = it.tau();
        e.func(r"\hat{\tau}", move |a: &[Value]| {
            let arg = a[0].as_scalar()?;
            if arg == w as f64 {
                Ok(Value::Scalar(tau))
            } else {
                Err(texeval::EvalError::Domain(format!(
                    "窓 {arg} の τ̂ はクレートが選んだ窓 {w} でだけ束縛する"
                )))
            }
        });
        envs.push(e);
    }
    envs
}

fn check_series(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &series_env())
}

/// 一辺 L の格子の束縛（L ≤ 3 は全状態の範囲も）。
fn lattice_env(side: usize, coupling: f64) -> Env {
    let n = side * side;
    let mut e = env();
    e.scalar("L", side as f64)
        .scalar("N", n as f64)
        .scalar("K", coupling);
    let right = move |k: usize| (k / side) * side + (k % side + 1) % side;
    let down = move |k: usize| (k + side) % n;
    e.func(r"\mathrm{r}", move |a: &[Value]| {
        Ok(Value::Scalar(
            (right(a[0].as_scalar()? as usize - 1) + 1) as f64,
        ))
    });
    e.func(r"\mathrm{d}", move |a: &[Value]| {
        Ok(Value::Scalar(
            (down(a[0].as_scalar()? as usize - 1) + 1) as f64,
        ))
    });
    e.func_ctx(r"\mathcal{Z}", move |cx: &mut Ctx<'_>, _: &[Value]| {
        let k = cx.get("K")?.as_scalar()?;
        kaufman::log_z(side, k)
            .map(|z| Value::Scalar(z.exp()))
            .map_err(model_error)
    });
    e.formula("Z", r"\mathcal{Z}(K)").expect("式");
    // γ_j: j ≥ 1 は cosh γ_j の正の根、γ_0 は 2K + ln tanh K（論文の定義をテストの側で）
    e.func_ctx(r"\gamma", move |cx: &mut Ctx<'_>, a: &[Value]| {
        let k = cx.get("K")?.as_scalar()?;
        let j = a[0].as_scalar()?;
        Ok(Value::Scalar(gamma(side, k, j)))
    });
    if n <= 9 {
        let states: Vec<Value> = (0..1usize << n)
            .map(|s| Value::from(spins_of_state(s, n).expect("状態").mapv(f64::from)))
            .collect();
        let energy = move |x: &Array1<f64>| -> f64 {
            -(0..n)
                .map(|k| x[k] * (x[right(k)] + x[down(k)]))
                .sum::<f64>()
        };
        let weights: Vec<f64> = states
            .iter()
            .map(|s| (-coupling * energy(&column(s).expect("列"))).exp())
            .collect();
        e.domain(r"\vx", states.clone());
        e.distribution("", r"\vx", states, Weights::Fixed(weights));
        e.func(r"\mathcal{E}", move |a: &[Value]| {
            Ok(Value::Scalar(energy(&column(&a[0])?)))
        });
        // 期待値の中の E は状態 x のエネルギー（分布が x を動かす）
        e.formula("E", r"\mathcal{E}(\vx)").expect("式");
    }
    e
}

fn gamma(side: usize, k: f64, j: f64) -> f64 {
    if j == 0.0 {
        2.0 * k + k.tanh().ln()
    } else {
        let c =
            (2.0 * k).cosh() / (2.0 * k).tanh() - (std::f64::consts::PI * j / side as f64).cos();
        c.acosh()
    }
}

/// Kaufman の 4 項（論文の式をそのまま、素朴に）。
fn kaufman_terms(side: usize, k: f64) -> [f64; 4] {
    let l = side as f64;
    let prod = |odd: bool, f: fn(f64) -> f64| -> f64 {
        (0..side)
            .map(|r| {
                let j = (2 * r + usize::from(odd)) as f64;
                2.0 * f(l * gamma(side, k, j) / 2.0)
            })
            .product()
    };
    [
        prod(true, f64::cosh),
        prod(true, f64::sinh),
        prod(false, f64::cosh),
        prod(false, f64::sinh),
    ]
}

/// (5.14)–(5.17): L = 2, 3（列挙も）と 4、5、K は高温・臨界点・低温。
fn kaufman_envs(enumerable_only: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    let sides: &[usize] = if enumerable_only {
        &[2, 3]
    } else {
        &[2, 3, 4, 5]
    };
    for &side in sides {
        for k in [0.25, K_C, 0.6] {
            let mut e = lattice_env(side, k);
            let z = kaufman_terms(side, k);
            for (i, zi) in z.iter().enumerate() {
                e.scalar(&format!("Z_{}", i + 1), *zi);
            }
            for j in [0.0, 1.0, 2.0, (2 * side - 1) as f64] {
                let mut e2 = e.clone();
                e2.scalar("j", j);
                envs.push(e2);
            }
        }
    }
    envs
}

fn check_partition(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &kaufman_envs(true))
}

fn check_kaufman(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &kaufman_envs(false))
}

/// (5.18): u・c はクレートの Kaufman の式（双対数による厳密な微分）、期待値は L = 2, 3 の列挙。
fn check_thermo(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for side in [2usize, 3] {
        for k in [0.3, K_C, 0.55] {
            let t = kaufman::thermodynamics(side, k).expect("厳密解");
            let mut e = lattice_env(side, k);
            e.scalar("u", t.energy_per_spin())
                .scalar("c", t.specific_heat_per_spin());
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

fn check_critical(eq: &Equation) -> Vec<LinkResult> {
    let mut e = env();
    e.scalar(r"T_{\mathrm{c}}", T_C)
        .scalar(r"K_{\mathrm{c}}", K_C);
    check_all(eq, &[e])
}

/// (5.20): 平均の負の対数尤度の勾配。`\ln Z` はクレートの Kaufman の解（K を動かして差分）、`u` もクレート。
fn check_learn_gradient(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    // Z は e^{ln Z} として束縛するので、ln Z < 709 の大きさ（L ≤ 16）にとる
    for (side, k, u_bar) in [(4usize, 0.3, -1.2), (8, 0.5, -0.5), (16, 0.35, -0.88)] {
        let mut e = lattice_env(side, k);
        let u = kaufman::thermodynamics(side, k)
            .expect("厳密解")
            .energy_per_spin();
        e.scalar("u", u).scalar(r"\bar{u}", u_bar);
        envs.push(e);
    }
    check_all(eq, &envs)
}

/// (5.21): σ_K は線形の漸化式 e ← (1 − ηλ) e − η ξ の定常分散を級数で足したもの、λ は −du/dK の中心差分
/// （どちらもテストの側）、c と u はクレートの Kaufman の解。
fn check_learn_variance(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (side, k) in [(8usize, 0.3), (32, 0.34947637248080765)] {
        let u = |x: f64| {
            kaufman::thermodynamics(side, x)
                .expect("厳密解")
                .energy_per_spin()
        };
        let h = 1e-5;
        let lambda = -(u(k + h) - u(k - h)) / (2.0 * h);
        let c = kaufman::thermodynamics(side, k)
            .expect("厳密解")
            .specific_heat_per_spin();
        for (frac, sigma_u) in [(0.1, 0.0147), (0.6, 0.02), (0.95, 0.01)] {
            let eta = frac * 2.0 / lambda;
            let r = (1.0 - eta * lambda).powi(2);
            let (mut var, mut term) = (0.0, eta * eta * sigma_u * sigma_u);
            while term > 1e-30 {
                var += term;
                term *= r;
            }
            let mut e = env();
            e.scalar(r"\eta", eta)
                .scalar(r"\lambda", lambda)
                .scalar(r"\sigma_{\hat{u}}", sigma_u)
                .scalar(r"\sigma_K", var.sqrt())
                .scalar("c", c)
                .scalar("K", k);
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "5.1",
        check: check_stationary,
    },
    Bound {
        tag: "5.2",
        check: check_stationary,
    },
    Bound {
        tag: "5.3",
        check: check_balance,
    },
    Bound {
        tag: "5.4",
        check: check_flip,
    },
    Bound {
        tag: "5.5",
        check: check_metropolis,
    },
    Bound {
        tag: "5.6",
        check: check_heat_bath,
    },
    Bound {
        tag: "5.7",
        check: check_flip,
    },
    Bound {
        tag: "5.8",
        check: check_spectral,
    },
    Bound {
        tag: "5.9",
        check: check_tau_crate,
    },
    Bound {
        tag: "5.10",
        check: check_tau,
    },
    Bound {
        tag: "5.11",
        check: check_tau,
    },
    Bound {
        tag: "5.12",
        check: check_series,
    },
    Bound {
        tag: "5.13",
        check: check_series,
    },
    Bound {
        tag: "5.14",
        check: check_partition,
    },
    Bound {
        tag: "5.15",
        check: check_kaufman,
    },
    Bound {
        tag: "5.16",
        check: check_kaufman,
    },
    Bound {
        tag: "5.17",
        check: check_kaufman,
    },
    Bound {
        tag: "5.18",
        check: check_thermo,
    },
    Bound {
        tag: "5.19",
        check: check_critical,
    },
    Bound {
        tag: "5.20",
        check: check_learn_gradient,
    },
    Bound {
        tag: "5.21",
        check: check_learn_variance,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[
    Survivor {
        tag: "5.4",
        mutant: "添字 kl → lk (位置 49)",
        reason: "本文は J を対称にとる（J_kl = J_lk）",
    },
    Survivor {
        tag: "5.10",
        mutant: "\\frac{1}{2} を消す (位置 24)",
        reason: "右辺が 2 倍になり不等式が弱まるだけで、正しい束縛ではつねに成り立つ（不等号は上界の緩みを見分けない）",
    },
    Survivor {
        tag: "5.16",
        mutant: "+ → - (位置 66)",
        reason: "cos(πj/L) は j → −j と j → 2L − j で変わらないので γ_{−1} = γ_1 = γ_{2L−1}。γ_{2r−1}（r = 0…L−1）と γ_{2r+1} は同じ値の組で、積は等しい",
    },
    Survivor {
        tag: "5.16",
        mutant: "+ → - (位置 127)",
        reason: "Z_2 の添字も同じ: γ_{2r−1} と γ_{2r+1}（r = 0…L−1）は同じ値の組",
    },
];

#[test]
fn eq_5_1_printed_form() {
    assert_printed("5.1", check_stationary);
}

#[test]
fn eq_5_2_printed_form() {
    assert_printed("5.2", check_stationary);
}

#[test]
fn eq_5_3_printed_form() {
    assert_printed("5.3", check_balance);
}

/// 順番の掃引は定常だが詳細つり合いを満たさない: (5.3) はその束縛で成り立たない。
#[test]
fn eq_5_3_fails_for_the_sequential_sweep() {
    let eq = crate::harness::parse("5.3", crate::harness::latex("5.3")).expect("式");
    let m = &models()[1];
    let p = kernel::sweep_kernel(m, Rule::HeatBath, Scan::Sequential).expect("行列");
    let mut broken = 0;
    for s2 in 0..1usize << m.n_spins() {
        let mut e = kernel_env(m, &p);
        e.set(
            r"\vx'",
            spins_of_state(s2, m.n_spins())
                .expect("状態")
                .mapv(f64::from),
        );
        // (5.3) は x も x' も自由: x を 1 つに固定して link ごとに見る
        for s in 0..1usize << m.n_spins() {
            let mut e2 = e.clone();
            e2.set(
                r"\vx",
                spins_of_state(s, m.n_spins())
                    .expect("状態")
                    .mapv(f64::from),
            );
            let rs = check_all(&eq, &[e2]);
            broken += rs.iter().filter(|r| !r.ok()).count();
        }
    }
    assert!(
        broken > 0,
        "順番の掃引で詳細つり合いが破れる対が見つからない"
    );
}

#[test]
fn eq_5_4_printed_form() {
    assert_printed("5.4", check_flip);
}

#[test]
fn eq_5_5_printed_form() {
    assert_printed("5.5", check_metropolis);
}

#[test]
fn eq_5_6_printed_form() {
    assert_printed("5.6", check_heat_bath);
}

#[test]
fn eq_5_7_printed_form() {
    assert_printed("5.7", check_flip);
}

#[test]
fn eq_5_8_printed_form() {
    assert_printed("5.8", check_spectral);
}

#[test]
fn eq_5_9_printed_form() {
    assert_printed("5.9", check_tau_crate);
}

#[test]
fn eq_5_10_printed_form() {
    assert_printed("5.10", check_tau);
}

#[test]
fn eq_5_11_printed_form() {
    assert_printed("5.11", check_tau);
}

#[test]
fn eq_5_12_printed_form() {
    assert_printed("5.12", check_series);
}

#[test]
fn eq_5_13_printed_form() {
    assert_printed("5.13", check_series);
}

#[test]
fn eq_5_14_printed_form() {
    assert_printed("5.14", check_partition);
}

#[test]
fn eq_5_15_printed_form() {
    assert_printed("5.15", check_kaufman);
}

#[test]
fn eq_5_16_printed_form() {
    assert_printed("5.16", check_kaufman);
}

#[test]
fn eq_5_17_printed_form() {
    assert_printed("5.17", check_kaufman);
}

#[test]
fn eq_5_18_printed_form() {
    assert_printed("5.18", check_thermo);
}

#[test]
fn eq_5_19_printed_form() {
    assert_printed("5.19", check_critical);
}

#[test]
fn eq_5_20_printed_form() {
    assert_printed("5.20", check_learn_gradient);
}

#[test]
fn eq_5_21_printed_form() {
    assert_printed("5.21", check_learn_variance);
}
