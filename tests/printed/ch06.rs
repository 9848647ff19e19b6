//! 第 6 章 交換モンテカルロ法の式（(6.1)–(6.6)）を印刷された形で実行する。
//!
//! 束縛は genmodel に結びつける: エネルギー `E` は `SpinGlass::energy`、`Z(K)` は列挙による状態密度
//! `ExactDensity::log_z`、同時分布 `P` は温度ごとの Ising モデル（結合を K 倍）の列挙による確率の積、
//! 交換の受理確率 `A` は `mcmc::exchange::swap_probability`、`p_K(E)` は `ExactDensity::log_probabilities`、
//! `g(E)` は `ExactDensity::degeneracy`、`\bar{A}` は `ExactDensity::swap_acceptance`。
//! `\langle q^2 \rangle` はテストの側で 2 つのレプリカの全状態の対を数えて求め、`\langle x_k x_l \rangle` の重みは列挙の確率。

use crate::ch02_05::{all_states, probability, spins};
use crate::harness::{
    assert_printed, env, impl_link, model_error, refs, Bound, Declared, Survivor,
};
use genmodel::boltzmann::ising::spins_of_state;
use genmodel::boltzmann::lattice::density::ExactDensity;
use genmodel::boltzmann::lattice::glass::SpinGlass;
use genmodel::mcmc::exchange::swap_probability;
use genmodel::ndarray::Array1;
use rand::SeedableRng;
use texeval::{check_equation, Env, Equation, EvalError, LinkResult, Tolerances, Value, Weights};

/// 束縛に使う小さいスピングラス（2×3、6 スピン）。
fn glass(seed: u64) -> SpinGlass {
    SpinGlass::random(2, 3, &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed))
        .expect("スピングラス")
}

fn energy_of(g: &SpinGlass, v: &Value) -> Result<f64, EvalError> {
    g.energy(&spins(v)?).map(|e| e as f64).map_err(model_error)
}

/// 梯子 `K`、エネルギー `E`、`Z(K)` の束縛。
fn ladder_env(g: &SpinGlass, ladder: &[f64]) -> Env {
    let density = g.enumerate().expect("列挙").density().clone();
    let mut e = env();
    e.set("K", Array1::from(ladder.to_vec()))
        .scalar("R", ladder.len() as f64)
        .scalar("N", g.n_spins() as f64);
    let gg = g.clone();
    e.func("E", move |a: &[Value]| {
        energy_of(&gg, &a[0]).map(Value::Scalar)
    });
    e.func("Z", move |a: &[Value]| {
        density
            .log_z(a[0].as_scalar()?)
            .map(|z| Value::Scalar(z.exp()))
            .map_err(model_error)
    });
    e
}

fn check_all(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    check_equation(eq, &refs(envs), &Tolerances::default())
}

/// (6.1): 3 温度の同時分布。左辺はクレートの Ising モデル（結合を K_m 倍）の確率の積。
fn check_joint(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (seed, ladder) in [(1u64, [0.3, 0.7, 1.2]), (2, [0.5, 0.6, 2.0])] {
        let g = glass(seed);
        let n = g.n_spins();
        for states in [[0usize, 5, 63], [17, 17, 40]] {
            let xs: Vec<Value> = states
                .iter()
                .map(|&s| Value::from(spins_of_state(s, n).expect("状態").mapv(f64::from)))
                .collect();
            let mut p = 1.0;
            for (x, &k) in xs.iter().zip(&ladder) {
                let model = g.ising(k).expect("モデル");
                p *= probability(&model, &spins(x).expect("スピン")).expect("確率");
            }
            let mut e = ladder_env(&g, &ladder);
            e.family(r"\vx", xs.clone());
            // 左辺の P(…) はクレートの確率の積（引数の並びは束縛した族 \vx_1…\vx_R を指す）
            let (first, last) = (xs[0].clone(), xs[xs.len() - 1].clone());
            e.func("P", move |a: &[Value]| {
                // 引数は配置の列ベクトル \vx_1 … \vx_R（`\dots` は渡されない）
                if a.len() != 2 || a[0] != first || a[1] != last {
                    return Err(EvalError::Domain("P の引数は \\vx_1 と \\vx_R".into()));
                }
                Ok(Value::Scalar(p))
            });
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

/// (6.2)・(6.3): 対 (m, m+1) と 2 つの配置。`A` はクレートの `swap_probability`。
fn swap_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for (seed, ladder) in [(1u64, [0.3, 0.7, 1.2]), (3, [0.4, 0.45, 2.5])] {
        let g = glass(seed);
        let n = g.n_spins();
        for (m, sx, sy) in [
            (1usize, 0usize, 9usize),
            (2, 33, 1),
            (1, 12, 12),
            (2, 60, 3),
        ] {
            let mut e = ladder_env(&g, &ladder);
            let x = spins_of_state(sx, n).expect("状態").mapv(f64::from);
            let y = spins_of_state(sy, n).expect("状態").mapv(f64::from);
            e.set(r"\vx", x).set(r"\vy", y).scalar("r", m as f64);
            let (gg, lad) = (g.clone(), ladder);
            e.func("A", move |a: &[Value]| {
                let (ex, ey) = (energy_of(&gg, &a[0])?, energy_of(&gg, &a[1])?);
                swap_probability(lad[m - 1], ex, lad[m], ey)
                    .map(Value::Scalar)
                    .map_err(model_error)
            });
            envs.push(e);
        }
    }
    envs
}

fn check_swap(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &swap_envs())
}

/// 状態密度 `g` の束縛: `g(E)`、`p_K(E)`・`p_{K'}(E)`、準位の範囲 `E`・`E'`。
fn density_env(density: &ExactDensity, k: f64, k2: f64) -> Env {
    let levels: Vec<Value> = density
        .levels()
        .iter()
        .map(|&(e, _)| Value::Scalar(e as f64))
        .collect();
    let mut e = env();
    e.scalar("K", k).scalar("K'", k2);
    e.domain("E", levels.clone()).domain("E'", levels);
    let d = density.clone();
    e.func("g", move |a: &[Value]| {
        Ok(Value::Scalar(d.degeneracy(a[0].as_scalar()? as i64) as f64))
    });
    for (name, coupling) in [("p_K", k), ("p_{K'}", k2)] {
        let d = density.clone();
        let logp = d.log_probabilities(coupling).expect("確率");
        e.func(name, move |a: &[Value]| {
            let en = a[0].as_scalar()? as i64;
            let i = d
                .levels()
                .iter()
                .position(|&(x, _)| x == en)
                .ok_or_else(|| EvalError::Domain(format!("準位 {en} がない")))?;
            Ok(Value::Scalar(logp[i].exp()))
        });
    }
    let d = density.clone();
    e.func(r"\bar{A}", move |a: &[Value]| {
        d.swap_acceptance(a[0].as_scalar()?, a[1].as_scalar()?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e
}

fn density_envs() -> Vec<Env> {
    let ferro = ExactDensity::transfer_matrix(4).expect("状態密度");
    let g = glass(5).enumerate().expect("列挙").density().clone();
    // E ↔ −E の対称をもたない状態密度（対称だと e^{−KE} と e^{KE} の和が等しく、符号の誤りが見えない）
    let skew = ExactDensity::from_levels(vec![(-3, 1), (-1, 3), (2, 5), (4, 1)]).expect("状態密度");
    let mut envs = Vec::new();
    for (d, pairs) in [
        (&ferro, [(0.3, 0.5), (0.42, 0.46)]),
        (&g, [(0.5, 1.5), (1.0, 1.1)]),
        (&skew, [(0.2, 0.9), (0.7, 0.75)]),
    ] {
        for (k, k2) in pairs {
            for en in [
                d.levels()[0].0,
                d.levels()[1].0,
                d.levels()[d.levels().len() / 2].0,
            ] {
                let mut e = density_env(d, k, k2);
                e.scalar("E", en as f64);
                envs.push(e);
            }
        }
    }
    envs
}

fn check_density(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &density_envs())
}

fn check_acceptance(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &density_envs())
}

/// (6.6): 2×3 のスピングラスで、2 つのレプリカの全状態の対（2^12 通り）を数えた ⟨q²⟩。
fn check_overlap(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (seed, k) in [(1u64, 0.4), (4, 1.3), (6, 2.5)] {
        let g = glass(seed);
        let n = g.n_spins();
        let model = g.ising(k).expect("モデル");
        let states = all_states(n);
        let probs: Vec<f64> = states
            .iter()
            .map(|s| probability(&model, &spins(s).expect("スピン")).expect("確率"))
            .collect();
        let mut q2 = 0.0;
        for (x, px) in states.iter().zip(&probs) {
            for (y, py) in states.iter().zip(&probs) {
                let q: f64 = x
                    .components()
                    .iter()
                    .zip(y.components())
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    / n as f64;
                q2 += px * py * q * q;
            }
        }
        let mut e = env();
        e.scalar("N", n as f64)
            .index_range("k", 1, n as i64)
            .index_range("l", 1, n as i64)
            .scalar(r"\langle q^2 \rangle", q2)
            .scalar(
                crate::harness::IMPL,
                g.enumerate()
                    .expect("列挙")
                    .overlap_second_moment(k)
                    .expect("⟨q²⟩"),
            );
        e.distribution("", r"\vx", states.clone(), Weights::Fixed(probs));
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        0,
        &refs(&envs),
        "GlassEnumeration::overlap_second_moment",
    ));
    rs
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "6.1",
        check: check_joint,
    },
    Bound {
        tag: "6.2",
        check: check_swap,
    },
    Bound {
        tag: "6.3",
        check: check_swap,
    },
    Bound {
        tag: "6.4",
        check: check_density,
    },
    Bound {
        tag: "6.5",
        check: check_acceptance,
    },
    Bound {
        tag: "6.6",
        check: check_overlap,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[Survivor {
    tag: "6.6",
    mutant: "添字 kl → lk (位置 42)",
    reason: "x_k x_l = x_l x_k",
}];

#[test]
fn eq_6_1_printed_form() {
    assert_printed("6.1", check_joint);
}

#[test]
fn eq_6_2_printed_form() {
    assert_printed("6.2", check_swap);
}

#[test]
fn eq_6_3_printed_form() {
    assert_printed("6.3", check_swap);
}

#[test]
fn eq_6_4_printed_form() {
    assert_printed("6.4", check_density);
}

#[test]
fn eq_6_5_printed_form() {
    assert_printed("6.5", check_acceptance);
}

#[test]
fn eq_6_6_printed_form() {
    assert_printed("6.6", check_overlap);
}
