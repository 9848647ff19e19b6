//! 第 10 章 拡散モデルの式（(10.1)–(10.23)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `diffusion` に結びつける。
//!
//! - ノイズの予定は 2 つ: 短い予定 β = (0.1, 0.25, 0.4) と、本文の予定（T = 1000、β を 10⁻⁴ から 0.02 まで
//!   等間隔）。`\beta_t`・`\bar{\alpha}_t`・`\widetilde{\beta}_t` などはクレートの `Schedule` の値。
//! - 前向きの過程の密度 `r` は、式ごとに独立な作り方で束縛する: (10.1) は 1 歩だけの予定の閉じた形、
//!   (10.2) は 1 歩の密度の畳み込みを格子の上で数値積分したもの（短い予定）と、1 歩ずつの平均と分散の
//!   漸化式（長い予定）、(10.4) はベイズの定理 r(x_t | x_{t−1}) r(x_{t−1} | x_0) / r(x_t | x_0)。
//! - (10.5)・(10.6) の左辺は、事後分布の平均と分散を 1 次元の数値積分で求めたもの。クレートの
//!   `Schedule::posterior` とも比べる。
//! - 雑音の予測 `\vec{\varepsilon}_\theta` には、ガウス混合のデータのクレートの厳密な予測
//!   `GaussianMixture::optimal_epsilon` を束縛する。(10.13)・(10.14) の左辺の条件つき期待値は、`\vx_0` に
//!   ついての数値積分（ベイズの定理）で、スコアとは独立に求める。`\nabla \ln p_t` は、クレートの密度の
//!   対数の中心差分（評価器）。
//! - KL 情報量（(10.8)）は、クレートの 1 次元のガウス分布の KL 情報量 `kl_gaussian_1d` の成分の和。

use crate::harness::{
    assert_printed, column, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::diffusion::evaluate::{loss_floor_quadrature, mean_loss_floor_quadrature};
use genmodel::diffusion::network::TimeEmbedding;
use genmodel::diffusion::predictor::{predicted_x0, ExactEpsilon};
use genmodel::diffusion::sampler::{ddim, sample_from, step_coefficients, Variance};
use genmodel::diffusion::{GaussianMixture, Schedule};
use genmodel::divergence::kl_gaussian_1d;
use genmodel::gaussian::univariate::{seeded_rng, standard_normal};
use genmodel::gaussian::Mvn;
use genmodel::ndarray::{array, Array1, Array2, Axis};
use std::rc::Rc;
use texeval::{
    check_equation, Ctx, Env, Equation, EvalError, LinkResult, Tolerances, Value, Weights,
};

fn check_all(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    check_equation(eq, &refs(envs), &Tolerances::default())
}

fn arity_error(name: &str, n: usize) -> EvalError {
    EvalError::Unsupported(format!("`{name}` の引数の数が合わない（{n} 個）"))
}

fn shape_error(what: &str, v: &Value) -> EvalError {
    EvalError::Shape {
        op: what.into(),
        left: v.shape(),
        right: "-".into(),
    }
}

// ---- ノイズの予定と時刻 ----

/// 短い予定と本文の予定。
fn schedules() -> Vec<Rc<Schedule>> {
    vec![
        Rc::new(Schedule::new(vec![0.1, 0.25, 0.4]).expect("短い予定")),
        Rc::new(Schedule::linear(1000, 1e-4, 0.02).expect("本文の予定")),
    ]
}

/// 予定と時刻の組（`t ≥ 2` のものは事後分布の分散が正）。
fn cases(min_t: usize) -> Vec<(Rc<Schedule>, usize)> {
    let mut out = Vec::new();
    for s in schedules() {
        let ts: Vec<usize> = if s.steps() == 3 {
            vec![1, 2, 3]
        } else {
            vec![1, 2, 500, 1000]
        };
        for t in ts.into_iter().filter(|&t| t >= min_t) {
            out.push((s.clone(), t));
        }
    }
    out
}

/// 時刻 `t` の予定の量を束縛する（クレートの値）。
fn bind_schedule(e: &mut Env, s: &Schedule, t: usize) {
    let beta = s.beta(t).expect("β_t");
    e.scalar("t", t as f64)
        .scalar("T", s.steps() as f64)
        .scalar(r"\beta_t", beta)
        .scalar(r"\alpha_t", 1.0 - beta)
        .scalar(r"\bar{\alpha}_t", s.alpha_bar(t).expect("ᾱ_t"))
        .scalar(r"\bar{\alpha}_{t-1}", s.alpha_bar(t - 1).expect("ᾱ_{t−1}"))
        .scalar(r"\widetilde{\beta}_t", s.posterior(t).expect("β̃_t").2);
}

/// 次元 `d` の束縛の土台: 予定、`D`、単位行列 `I`、零ベクトル。
fn base(s: &Schedule, t: usize, d: usize) -> Env {
    let mut e = env();
    bind_schedule(&mut e, s, t);
    e.scalar("D", d as f64)
        .set("I", Array2::<f64>::eye(d))
        .set(r"\vec{0}", Array1::<f64>::zeros(d));
    e
}

/// 標準正規分布の `d` 次元の標本。
fn normal_vec(rng: &mut impl rand::Rng, d: usize) -> Array1<f64> {
    (0..d).map(|_| standard_normal(rng)).collect()
}

/// 分散共分散行列 `cov` のガウス分布の `x` での密度（クレートの `Mvn`）。
fn density(x: &Array1<f64>, mean: Array1<f64>, cov: Array2<f64>) -> Result<f64, EvalError> {
    Mvn::new(mean, cov)
        .and_then(|n| n.density(x))
        .map_err(model_error)
}

/// `\mathcal{N}(平均, 分散共分散行列)` を、束縛の変数 `var` の点での密度として束縛する。
fn bind_normal_at(e: &mut Env, var: &'static str) {
    e.func_ctx(r"\mathcal{N}", move |cx: &mut Ctx<'_>, a: &[Value]| {
        let [mean, cov] = a else {
            return Err(arity_error(r"\mathcal{N}", a.len()));
        };
        let Value::Matrix(cov) = cov else {
            return Err(shape_error("分散共分散行列", cov));
        };
        let x = column(&cx.get(var)?)?;
        density(&x, column(mean)?, cov.clone()).map(Value::Scalar)
    });
}

/// 1 歩の前向きの過程の密度 r(a | b): 1 歩だけの予定のクレートの閉じた形（平均の倍率と分散）。
fn one_step_density(beta: f64, a: &Array1<f64>, b: &Array1<f64>) -> Result<f64, EvalError> {
    let (scale, var) = Schedule::new(vec![beta])
        .and_then(|s| s.marginal(1))
        .map_err(model_error)?;
    density(a, b * scale, Array2::eye(a.len()) * var)
}

// ---- (10.1)–(10.3): 前向きの過程 ----

fn check_10_1(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(101);
    for (s, t) in cases(1) {
        for d in [1, 2] {
            let mut e = base(&s, t, d);
            let beta = s.beta(t).expect("β_t");
            let prev = normal_vec(&mut rng, d) * 1.5;
            let now = &prev * 0.9 + normal_vec(&mut rng, d) * 0.4;
            e.set(r"\vx_{t-1}", prev).set(r"\vx_t", now);
            e.func("r", move |a: &[Value]| match a {
                [x, y] => one_step_density(beta, &column(x)?, &column(y)?).map(Value::Scalar),
                _ => Err(arity_error("r", a.len())),
            });
            bind_normal_at(&mut e, r"\vx_t");
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

/// 1 次元の格子（間隔 `h`、[−L, L]）。
fn grid_1d() -> (Vec<f64>, f64) {
    let (half, h): (f64, f64) = (14.0, 0.01);
    let n = (2.0 * half / h).round() as usize;
    ((0..=n).map(|i| -half + h * i as f64).collect(), h)
}

/// 1 次元で r(x_t | x_0) を、1 歩の密度を格子の上で t 回畳み込んで求める（台形則）。
fn convolved_density(
    s: &Schedule,
    t: usize,
    x0: f64,
) -> Result<Box<dyn Fn(f64) -> f64>, EvalError> {
    let (xs, h) = grid_1d();
    let step = |beta: f64, a: f64, b: f64| -> f64 {
        let m = (1.0 - beta).sqrt() * b;
        (-(a - m).powi(2) / (2.0 * beta)).exp() / (2.0 * std::f64::consts::PI * beta).sqrt()
    };
    let b1 = s.beta(1).map_err(model_error)?;
    let mut f: Vec<f64> = xs.iter().map(|&x| step(b1, x, x0)).collect();
    for u in 2..t {
        let b = s.beta(u).map_err(model_error)?;
        f = xs
            .iter()
            .map(|&y| {
                let inner: f64 = xs.iter().zip(&f).map(|(&x, &fx)| fx * step(b, y, x)).sum();
                inner * h
            })
            .collect();
    }
    if t == 1 {
        return Ok(Box::new(move |y| step(b1, y, x0)));
    }
    let bt = s.beta(t).map_err(model_error)?;
    Ok(Box::new(move |y| {
        xs.iter()
            .zip(&f)
            .map(|(&x, &fx)| fx * step(bt, y, x))
            .sum::<f64>()
            * h
    }))
}

/// 1 歩ずつの平均の倍率と分散の漸化式 m_s = √α_s m_{s−1}、v_s = α_s v_{s−1} + β_s（v_0 = 0）。
fn stepped_moments(s: &Schedule, t: usize) -> Result<(f64, f64), EvalError> {
    let (mut scale, mut var) = (1.0, 0.0);
    for u in 1..=t {
        let b = s.beta(u).map_err(model_error)?;
        scale *= (1.0 - b).sqrt();
        var = (1.0 - b) * var + b;
    }
    Ok((scale, var))
}

fn check_10_2(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(102);
    for (s, t) in cases(1) {
        let d = if s.steps() == 3 { 1 } else { 2 };
        let mut e = base(&s, t, d);
        let x0 = normal_vec(&mut rng, d);
        let xt = normal_vec(&mut rng, d);
        let (scale, var) = s.marginal(t).expect("閉じた形");
        e.set(r"\vx_0", x0.clone())
            .set(r"\vx_t", xt.clone())
            .scalar(
                IMPL,
                density(&xt, &x0 * scale, Array2::eye(d) * var).expect("クレート"),
            );
        if s.steps() == 3 {
            let s = s.clone();
            e.func("r", move |a: &[Value]| match a {
                [x, y] => {
                    let (x, y) = (column(x)?, column(y)?);
                    let f = convolved_density(&s, t, y[0])?;
                    Ok(Value::Scalar(f(x[0])))
                }
                _ => Err(arity_error("r", a.len())),
            });
        } else {
            let (m, v) = stepped_moments(&s, t).expect("漸化式");
            e.func("r", move |a: &[Value]| match a {
                [x, y] => {
                    let (x, y) = (column(x)?, column(y)?);
                    density(&x, &y * m, Array2::eye(x.len()) * v).map(Value::Scalar)
                }
                _ => Err(arity_error("r", a.len())),
            });
        }
        bind_normal_at(&mut e, r"\vx_t");
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "閉じた形の密度"));
    rs
}

/// t 歩の雑音 ε_1, …, ε_t で鎖をたどった x_t と、まとめた雑音 Σ c_s ε_s / √(Σ c_s²)。
fn simulated(s: &Schedule, t: usize, x0: &Array1<f64>, seed: u64) -> (Array1<f64>, Array1<f64>) {
    let mut rng = seeded_rng(seed);
    let d = x0.len();
    let mut x = x0.clone();
    let mut noise = Array1::<f64>::zeros(d);
    let mut sum_c2 = 0.0;
    for u in 1..=t {
        let b = s.beta(u).expect("β");
        let z = normal_vec(&mut rng, d);
        x = x * (1.0 - b).sqrt() + &z * b.sqrt();
        // それまでの雑音の係数も √α_u 倍になる
        noise = noise * (1.0 - b).sqrt() + &z * b.sqrt();
        sum_c2 = (1.0 - b) * sum_c2 + b;
    }
    (x, noise / sum_c2.sqrt())
}

fn check_10_3(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (i, (s, t)) in cases(1).into_iter().enumerate() {
        let d = 2;
        let mut e = base(&s, t, d);
        let x0 = array![0.7, -1.3];
        let (xt, eps) = simulated(&s, t, &x0, 300 + i as u64);
        e.set(r"\vx_0", x0)
            .set(r"\vx_t", xt)
            .set(r"\vec{\varepsilon}", eps);
        bind_normal_at(&mut e, r"\vec{\varepsilon}");
        envs.push(e);
    }
    check_all(eq, &envs)
}

// ---- (10.4)–(10.6): 事後分布 ----

/// 事後分布 r(x_{t−1} | x_t, x_0) をベイズの定理で束縛する（1 歩の密度とクレートの閉じた形 (10.2)）。
fn bind_bayes_posterior(e: &mut Env, s: &Rc<Schedule>, t: usize) {
    let s = s.clone();
    e.func("r", move |a: &[Value]| match a {
        [prev, now, x0] => {
            let (prev, now, x0) = (column(prev)?, column(now)?, column(x0)?);
            let d = prev.len();
            let beta = s.beta(t).map_err(model_error)?;
            let (sp, vp) = s.marginal(t - 1).map_err(model_error)?;
            let (sn, vn) = s.marginal(t).map_err(model_error)?;
            let forward = one_step_density(beta, &now, &prev)?;
            let before = density(&prev, &x0 * sp, Array2::eye(d) * vp)?;
            let after = density(&now, &x0 * sn, Array2::eye(d) * vn)?;
            Ok(Value::Scalar(forward * before / after))
        }
        _ => Err(arity_error("r", a.len())),
    });
}

/// クレートの事後分布の平均 a x_0 + b x_t。
fn crate_posterior_mean(s: &Schedule, t: usize, x0: &Array1<f64>, xt: &Array1<f64>) -> Array1<f64> {
    let (a, b, _) = s.posterior(t).expect("事後分布");
    x0 * a + xt * b
}

/// 事後分布の平均と分散を、1 次元の格子の上のベイズの定理の数値積分で求める（重みは対数で持つ）。
/// 格子は尤度 r(x_t | x_{t−1}) の山 x_t/√α_t を中心に、その標準偏差の ±40 倍を 40 001 点で覆う。
fn posterior_by_quadrature(s: &Schedule, t: usize, x0: f64, xt: f64) -> (f64, f64) {
    let beta = s.beta(t).expect("β");
    let (sp, vp) = s.marginal(t - 1).expect("r(x_{t−1} | x_0)");
    let root = (1.0 - beta).sqrt();
    let (centre, half) = (xt / root, 40.0 * beta.sqrt() / root);
    let n = 40_000;
    let h = 2.0 * half / n as f64;
    let xs: Vec<f64> = (0..=n).map(|i| centre - half + h * i as f64).collect();
    let lw: Vec<f64> = xs
        .iter()
        .map(|&x| -(xt - root * x).powi(2) / (2.0 * beta) - (x - sp * x0).powi(2) / (2.0 * vp))
        .collect();
    let top = lw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = lw.iter().map(|l| (l - top).exp()).collect();
    let z: f64 = w.iter().sum();
    let m = xs.iter().zip(&w).map(|(x, w)| x * w).sum::<f64>() / z;
    let v = xs
        .iter()
        .zip(&w)
        .map(|(x, w)| (x - m).powi(2) * w)
        .sum::<f64>()
        / z;
    (m, v)
}

/// x_0 と、それに続く x_{t−1}、x_t を前向きの過程から引く（互いに起こりうる点にする）。
fn forward_triple(
    s: &Schedule,
    t: usize,
    d: usize,
    rng: &mut impl rand::Rng,
) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
    let x0 = normal_vec(rng, d) * 1.5;
    let (sp, vp) = s.marginal(t - 1).expect("r(x_{t−1} | x_0)");
    let prev = &x0 * sp + normal_vec(rng, d) * vp.sqrt();
    let beta = s.beta(t).expect("β");
    let now = &prev * (1.0 - beta).sqrt() + normal_vec(rng, d) * beta.sqrt();
    (x0, prev, now)
}

fn check_10_4(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(104);
    for (s, t) in cases(2) {
        let d = 2;
        let mut e = base(&s, t, d);
        let (x0, _, xt) = forward_triple(&s, t, d, &mut rng);
        // x_{t−1} は事後分布の平均の近く（標準偏差の 1.5 倍ほど離す）
        let spread = s.posterior(t).expect("β̃").2.sqrt() * 1.5;
        let prev = crate_posterior_mean(&s, t, &x0, &xt) + normal_vec(&mut rng, d) * spread;
        e.set(r"\vx_0", x0.clone())
            .set(r"\vx_t", xt.clone())
            .set(r"\vx_{t-1}", prev)
            .set(r"\widetilde{\vmu}_t", crate_posterior_mean(&s, t, &x0, &xt));
        bind_bayes_posterior(&mut e, &s, t);
        bind_normal_at(&mut e, r"\vx_{t-1}");
        envs.push(e);
    }
    check_all(eq, &envs)
}

fn posterior_envs(mean: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(105);
    for (s, t) in cases(2) {
        let d = 1;
        let mut e = base(&s, t, d);
        let (x0, _, xt) = forward_triple(&s, t, d, &mut rng);
        let (x0, xt) = (x0[0], xt[0]);
        let (m, v) = posterior_by_quadrature(&s, t, x0, xt);
        e.set(r"\vx_0", array![x0]).set(r"\vx_t", array![xt]);
        if mean {
            e.set(r"\widetilde{\vmu}_t", array![m])
                .set(IMPL, crate_posterior_mean(&s, t, &array![x0], &array![xt]));
        } else {
            e.scalar(r"\widetilde{\beta}_t", v)
                .scalar(IMPL, s.posterior(t).expect("β̃").2);
        }
        envs.push(e);
    }
    envs
}

fn check_10_5(eq: &Equation) -> Vec<LinkResult> {
    let envs = posterior_envs(true);
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "事後分布の平均"));
    rs
}

fn check_10_6(eq: &Equation) -> Vec<LinkResult> {
    let envs = posterior_envs(false);
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "事後分布の分散"));
    rs
}

// ---- (10.7)–(10.11): モデルの 1 歩と ELBO の項 ----

/// 本文の例に近い 2 次元のガウス混合（成分ごとに等方）: 重み、平均、分散 s_k²。
fn mixture_parts(d: usize) -> (Vec<f64>, Vec<Array1<f64>>, Vec<f64>) {
    if d == 1 {
        (
            vec![0.3, 0.7],
            vec![array![-1.5], array![1.0]],
            vec![0.2, 0.35],
        )
    } else {
        (
            vec![0.2, 0.5, 0.3],
            vec![array![-1.5, 0.5], array![1.0, 1.0], array![0.5, -1.5]],
            vec![0.15, 0.3, 0.2],
        )
    }
}

/// クレートのガウス混合（等方の分散を対角に並べる）。
fn crate_mixture(d: usize) -> GaussianMixture {
    let (w, m, v) = mixture_parts(d);
    let k = w.len();
    let means = Array2::from_shape_fn((k, d), |(i, j)| m[i][j]);
    let vars = Array2::from_shape_fn((k, d), |(i, _)| v[i]);
    GaussianMixture::new(Array1::from(w), means, vars).expect("混合")
}

/// クレートの最適な雑音の予測 ε*(x, t)（1 点）。
fn crate_epsilon(
    m: &GaussianMixture,
    s: &Schedule,
    t: usize,
    x: &Array1<f64>,
) -> Result<Array1<f64>, EvalError> {
    m.optimal_epsilon(s, t, &x.clone().insert_axis(Axis(0)))
        .map(|e| e.row(0).to_owned())
        .map_err(model_error)
}

/// 時刻の引数（整数）を受け取る。
fn time_arg(v: &Value, steps: usize) -> Result<usize, EvalError> {
    let x = v.as_scalar()?;
    if x.fract() != 0.0 || x < 1.0 || x > steps as f64 {
        return Err(EvalError::Index(format!("時刻 {x} は 1..={steps} の外")));
    }
    Ok(x as usize)
}

/// `\vec{\varepsilon}_\theta(\vx, t)` をクレートの厳密な予測に束縛する。
fn bind_epsilon(e: &mut Env, m: &Rc<GaussianMixture>, s: &Rc<Schedule>) {
    let (m, s) = (m.clone(), s.clone());
    e.func(r"\vec{\varepsilon}_\theta", move |a: &[Value]| match a {
        [x, t] => crate_epsilon(&m, &s, time_arg(t, s.steps())?, &column(x)?).map(Value::from),
        _ => Err(arity_error("ε_θ", a.len())),
    });
}

/// クレートの逆向きの 1 歩の平均 (x − k ε̂)/√α_t と標準偏差 σ_t（`step_coefficients`）。
fn crate_reverse_mean(
    m: &GaussianMixture,
    s: &Schedule,
    t: usize,
    x: &Array1<f64>,
) -> Result<Array1<f64>, EvalError> {
    let (inv, k, _) = step_coefficients(s, t, Variance::Beta).map_err(model_error)?;
    Ok((x - &(crate_epsilon(m, s, t, x)? * k)) * inv)
}

/// `\vmu_\theta(\vx, t)` をクレートの逆向きの 1 歩の平均（厳密な予測）に束縛する。
fn bind_mu_theta(e: &mut Env, m: &Rc<GaussianMixture>, s: &Rc<Schedule>) {
    let (m, s) = (m.clone(), s.clone());
    e.func(r"\vmu_\theta", move |a: &[Value]| match a {
        [x, t] => crate_reverse_mean(&m, &s, time_arg(t, s.steps())?, &column(x)?).map(Value::from),
        _ => Err(arity_error("μ_θ", a.len())),
    });
}

fn check_10_7(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(107);
    for (s, t) in cases(2) {
        for var in [Variance::Beta, Variance::BetaTilde] {
            let d = 2;
            let mut e = base(&s, t, d);
            let m = Rc::new(crate_mixture(d));
            let xt = normal_vec(&mut rng, d);
            let sigma = step_coefficients(&s, t, var).expect("係数").2;
            let mean = crate_reverse_mean(&m, &s, t, &xt).expect("平均");
            let prev = &mean + &(normal_vec(&mut rng, d) * sigma);
            e.set(r"\vx_t", xt)
                .set(r"\vx_{t-1}", prev)
                .scalar(r"\sigma_t", sigma);
            bind_mu_theta(&mut e, &m, &s);
            let (mq, sq) = (m.clone(), s.clone());
            e.func(r"q_\theta", move |a: &[Value]| match a {
                [x, y] => {
                    let (x, y) = (column(x)?, column(y)?);
                    let mean = crate_reverse_mean(&mq, &sq, t, &y)?;
                    density(&x, mean, Array2::eye(x.len()) * sigma * sigma).map(Value::Scalar)
                }
                _ => Err(arity_error("q_θ", a.len())),
            });
            bind_normal_at(&mut e, r"\vx_{t-1}");
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

fn check_10_8(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(108);
    for (s, t) in cases(2) {
        for d in [1, 3] {
            let beta = s.beta(t).expect("β");
            let tilde = s.posterior(t).expect("β̃").2;
            for sigma2 in [beta, tilde, 0.3] {
                let mut e = base(&s, t, d);
                let (x0, _, xt) = forward_triple(&s, t, d, &mut rng);
                let mu = crate_posterior_mean(&s, t, &x0, &xt);
                e.set(r"\widetilde{\vmu}_t", mu.clone())
                    .set(r"\vmu_\theta", &mu + &(normal_vec(&mut rng, d) * 0.2))
                    .scalar(r"\sigma_t", sigma2.sqrt());
                // N(平均, 分散共分散行列) は (平均, 対角) の組、KL は成分ごとの (2.3a) の和（クレート）
                e.func(r"\mathcal{N}", |a: &[Value]| match a {
                    [m, c] => {
                        let Value::Matrix(c) = c else {
                            return Err(shape_error("分散共分散行列", c));
                        };
                        let mut v = column(m)?.to_vec();
                        v.extend(c.diag().iter());
                        Ok(Value::from(Array1::from(v)))
                    }
                    _ => Err(arity_error(r"\mathcal{N}", a.len())),
                });
                e.func(r"\KL", |a: &[Value]| match a {
                    [p, q] => {
                        let (p, q) = (column(p)?, column(q)?);
                        let d = p.len() / 2;
                        let mut sum = 0.0;
                        for j in 0..d {
                            sum += kl_gaussian_1d(p[j], p[d + j], q[j], q[d + j])
                                .map_err(model_error)?;
                        }
                        Ok(Value::Scalar(sum))
                    }
                    _ => Err(arity_error(r"\KL", a.len())),
                });
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

/// (10.9)–(10.11) の束縛: x_0 と ε から鎖をたどった x_t、クレートの事後分布の平均と逆向きの平均。
fn noise_envs(seed: u64, mean_as_function: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(seed);
    for (i, (s, t)) in cases(2).into_iter().enumerate() {
        let d = 2;
        let mut e = base(&s, t, d);
        let m = Rc::new(crate_mixture(d));
        let x0 = normal_vec(&mut rng, d);
        let (xt, eps) = simulated(&s, t, &x0, seed + i as u64);
        let mu_theta = crate_reverse_mean(&m, &s, t, &xt).expect("平均");
        e.set(r"\vx_0", x0.clone())
            .set(r"\vx_t", xt.clone())
            .set(r"\vec{\varepsilon}", eps)
            .set(r"\widetilde{\vmu}_t", crate_posterior_mean(&s, t, &x0, &xt))
            .set(r"\vmu_\theta", mu_theta)
            .scalar(r"\sigma_t", (0.5 + 0.1 * i as f64).sqrt());
        bind_epsilon(&mut e, &m, &s);
        if mean_as_function {
            bind_mu_theta(&mut e, &m, &s);
        }
        envs.push(e);
    }
    envs
}

fn check_10_9(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &noise_envs(109, false))
}

fn check_10_10(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &noise_envs(110, true))
}

fn check_10_11(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &noise_envs(111, false))
}

// ---- (10.13)–(10.18): スコア・Tweedie の公式・ガウス混合 ----

/// 数値積分で確かめる予定と時刻（1 − ᾱ_t ≥ 0.1 で、x_0 の事後分布が格子で解ける幅をもつ）。
fn wide_cases() -> Vec<(Rc<Schedule>, usize)> {
    let mut out = Vec::new();
    for s in schedules() {
        let ts: Vec<usize> = if s.steps() == 3 {
            vec![1, 3]
        } else {
            vec![100, 500, 1000]
        };
        out.extend(ts.into_iter().map(|t| (s.clone(), t)));
    }
    out
}

/// x_0 の格子（各次元 [−6, 6]、間隔 0.03）の点。
fn x0_grid(d: usize) -> Vec<Array1<f64>> {
    let n = 400;
    let h = 12.0 / n as f64;
    let axis: Vec<f64> = (0..=n).map(|i| -6.0 + h * i as f64).collect();
    if d == 1 {
        axis.iter().map(|&x| array![x]).collect()
    } else {
        let mut pts = Vec::with_capacity(axis.len() * axis.len());
        for &a in &axis {
            for &b in &axis {
                pts.push(array![a, b]);
            }
        }
        pts
    }
}

/// 等方のガウス分布の密度の対数（テストの側で書く）。
fn ln_iso(x: &Array1<f64>, mean: &Array1<f64>, var: f64) -> f64 {
    let d = x.len() as f64;
    let r2 = (x - mean).mapv(|v| v * v).sum();
    -0.5 * r2 / var - 0.5 * d * (2.0 * std::f64::consts::PI * var).ln()
}

/// ベイズの定理の数値積分: 格子の上の x_0 の重み p(x_0) r(x_t | x_0)（対数）と、その最大値。
fn x0_log_weights(
    d: usize,
    s: &Schedule,
    t: usize,
    xt: &Array1<f64>,
) -> (Vec<Array1<f64>>, Vec<f64>) {
    let (w, m, v) = mixture_parts(d);
    let (scale, var) = s.marginal(t).expect("r(x_t | x_0)");
    let pts = x0_grid(d);
    let lw = pts
        .iter()
        .map(|x0| {
            let prior: f64 = (0..w.len())
                .map(|k| w[k] * ln_iso(x0, &m[k], v[k]).exp())
                .sum();
            prior.ln() + ln_iso(xt, &(x0 * scale), var)
        })
        .collect();
    (pts, lw)
}

/// E[x_0 | x_t]（数値積分）。
fn posterior_x0_mean(d: usize, s: &Schedule, t: usize, xt: &Array1<f64>) -> Array1<f64> {
    let (pts, lw) = x0_log_weights(d, s, t, xt);
    let top = lw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut num = Array1::<f64>::zeros(d);
    let mut z = 0.0;
    for (x, l) in pts.iter().zip(&lw) {
        let w = (l - top).exp();
        num = num + x * w;
        z += w;
    }
    num / z
}

/// p_t(x_t) = ∫ p(x_0) r(x_t | x_0) dx_0（数値積分）。
fn marginal_by_quadrature(d: usize, s: &Schedule, t: usize, xt: &Array1<f64>) -> f64 {
    let (pts, lw) = x0_log_weights(d, s, t, xt);
    let h: f64 = 12.0 / 400.0;
    debug_assert_eq!(pts.len(), lw.len());
    lw.iter().map(|l| l.exp()).sum::<f64>() * h.powi(d as i32)
}

/// 確かめる x_t（データの近くと遠く）。
fn score_points(d: usize) -> Vec<Array1<f64>> {
    if d == 1 {
        vec![array![-1.2], array![0.4], array![2.5]]
    } else {
        vec![array![-1.0, 0.3], array![0.8, -1.9]]
    }
}

/// `p_t` をクレートのノイズを加えた混合の密度に束縛する。
fn bind_crate_marginal(e: &mut Env, m: &Rc<GaussianMixture>, s: &Rc<Schedule>, t: usize) {
    let pt = Rc::new(m.noised(s, t).expect("p_t"));
    e.func("p_t", move |a: &[Value]| match a {
        [x] => {
            let x = column(x)?.insert_axis(Axis(0));
            pt.ln_density(&x)
                .map(|l| Value::Scalar(l[0].exp()))
                .map_err(model_error)
        }
        _ => Err(arity_error("p_t", a.len())),
    });
}

/// クレートのスコア（1 点）。
fn crate_score(m: &GaussianMixture, s: &Schedule, t: usize, x: &Array1<f64>) -> Array1<f64> {
    m.noised(s, t)
        .and_then(|p| p.score(&x.clone().insert_axis(Axis(0))))
        .expect("スコア")
        .row(0)
        .to_owned()
}

/// (10.13)–(10.15) の束縛: x_t、クレートの p_t、条件つき期待値（数値積分）。
fn tweedie_envs() -> Vec<(Env, Array1<f64>)> {
    let mut out = Vec::new();
    for (s, t) in wide_cases() {
        for d in [1, 2] {
            let m = Rc::new(crate_mixture(d));
            for xt in score_points(d) {
                let mut e = base(&s, t, d);
                let x0_mean = posterior_x0_mean(d, &s, t, &xt);
                e.set(r"\vx_t", xt.clone()).set(r"\vx_0", x0_mean.clone());
                bind_crate_marginal(&mut e, &m, &s, t);
                bind_epsilon(&mut e, &m, &s);
                // E[a | x_t]: 条件つき期待値。a が x_0 なら数値積分の値（a の値は使わない）
                // 引数は列ベクトルの x_0 と x_t（転置した行ベクトルは形の誤り）
                let mean = x0_mean.clone();
                let at = xt.clone();
                e.func("E", move |a: &[Value]| match a {
                    [x0, x] => {
                        column(x0)?;
                        if column(x)? != at {
                            return Err(shape_error("条件の x_t", x));
                        }
                        Ok(Value::from(mean.clone()))
                    }
                    _ => Err(arity_error("E", a.len())),
                });
                // ε*(x_t, t) = E[ε | x_t] = (x_t − √ᾱ_t E[x_0 | x_t]) / √(1 − ᾱ_t)（(10.3) の条件つき期待値）
                let (scale, var) = s.marginal(t).expect("係数");
                let eps_star = (&xt - &(&x0_mean * scale)) / var.sqrt();
                let at = xt.clone();
                e.func(r"\vec{\varepsilon}^*", move |a: &[Value]| match a {
                    [x, _] if column(x)? == at => Ok(Value::from(eps_star.clone())),
                    [x, _] => Err(shape_error("ε* の x_t", x)),
                    _ => Err(arity_error("ε*", a.len())),
                });
                let (mean, at) = (x0_mean.clone(), xt.clone());
                e.func(r"\hat{\vx}_0", move |a: &[Value]| match a {
                    [x, _] if column(x)? == at => Ok(Value::from(mean.clone())),
                    [x, _] => Err(shape_error("x̂_0 の x_t", x)),
                    _ => Err(arity_error("x̂_0", a.len())),
                });
                e.set(IMPL, crate_score(&m, &s, t, &xt));
                out.push((e, xt));
            }
        }
    }
    out
}

fn check_10_13(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = tweedie_envs().into_iter().map(|(e, _)| e).collect();
    check_all(eq, &envs)
}

fn check_10_14(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = tweedie_envs().into_iter().map(|(e, _)| e).collect();
    check_all(eq, &envs)
}

fn check_10_15(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = tweedie_envs().into_iter().map(|(e, _)| e).collect();
    check_all(eq, &envs)
}

/// (10.17)・(10.18) の束縛: 混合の重み・平均・分散の族、p_t（数値積分）、負担率。
fn mixture_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for (s, t) in wide_cases() {
        for d in [1, 2] {
            let (w, m, v) = mixture_parts(d);
            let cm = Rc::new(crate_mixture(d));
            for xt in score_points(d) {
                let mut e = base(&s, t, d);
                e.set(r"\vx_t", xt.clone())
                    .scalar("K", w.len() as f64)
                    .data(r"\pi", &w)
                    .family(r"\vmu", m.iter().cloned().map(Value::from).collect())
                    .data("s", &v.iter().map(|x| x.sqrt()).collect::<Vec<_>>());
                let sq = s.clone();
                e.func("p_t", move |a: &[Value]| match a {
                    [x] => Ok(Value::Scalar(marginal_by_quadrature(
                        d,
                        &sq,
                        t,
                        &column(x)?,
                    ))),
                    _ => Err(arity_error("p_t", a.len())),
                });
                // γ(x): 負担率を並べたベクトル（γ_k(x) はその第 k 成分）。(10.17) の各項をテストの側で書く
                let (scale, var) = s.marginal(t).expect("係数");
                let (wq, mq, vq) = (w.clone(), m.clone(), v.clone());
                e.func(r"\gamma", move |a: &[Value]| match a {
                    [x] => {
                        let x = column(x)?;
                        let terms: Array1<f64> = (0..wq.len())
                            .map(|j| {
                                let var_j = scale * scale * vq[j] + var;
                                wq[j] * ln_iso(&x, &(&mq[j] * scale), var_j).exp()
                            })
                            .collect();
                        let total = terms.sum();
                        Ok(Value::from(terms / total))
                    }
                    _ => Err(arity_error("γ", a.len())),
                });
                bind_normal_at(&mut e, r"\vx_t");
                let pt = cm.noised(&s, t).expect("p_t");
                let ln = pt
                    .ln_density(&xt.clone().insert_axis(Axis(0)))
                    .expect("密度")[0];
                e.scalar(r"\mathrm{impl}_p", ln.exp())
                    .set(r"\mathrm{impl}_s", crate_score(&cm, &s, t, &xt));
                envs.push(e);
            }
        }
    }
    envs
}

fn check_10_17(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = mixture_envs();
    for e in &mut envs {
        let v = e.value(r"\mathrm{impl}_p").cloned().expect("クレート");
        e.set(IMPL, v);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "ノイズを加えた混合の密度",
    ));
    rs
}

fn check_10_18(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = mixture_envs();
    for e in &mut envs {
        let v = e.value(r"\mathrm{impl}_s").cloned().expect("クレート");
        e.set(IMPL, v);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "スコア"));
    rs
}

// ---- (10.20)・(10.21): ガウス分布のデータ ----

/// 1 次元のガウス分布のデータ N(μ, s²) の (μ, s²)。
fn gaussian_data() -> Vec<(f64, f64)> {
    vec![(0.5, 0.25), (-1.0, 2.0)]
}

/// 1 成分のクレートの混合（ガウス分布のデータ）。
fn gaussian_mixture(mu: f64, s2: f64) -> GaussianMixture {
    GaussianMixture::new(array![1.0], array![[mu]], array![[s2]]).expect("1 成分")
}

fn check_10_20(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (s, t) in cases(1) {
        for (mu, s2) in gaussian_data() {
            for x in [-0.7, 1.9] {
                let mut e = base(&s, t, 1);
                let m = Rc::new(gaussian_mixture(mu, s2));
                e.scalar(r"\mu", mu).scalar("s", s2.sqrt()).scalar("x_t", x);
                let sq = s.clone();
                e.func(r"\varepsilon^*", move |a: &[Value]| match a {
                    [x, t] => {
                        crate_epsilon(&m, &sq, time_arg(t, sq.steps())?, &array![x.as_scalar()?])
                            .map(|v| Value::Scalar(v[0]))
                    }
                    _ => Err(arity_error("ε*", a.len())),
                });
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

/// N(m, v) の x に、クレートの逆向きの 1 歩（厳密な予測）を施した分布の平均と分散（格子の数値積分）。
fn stepped_gaussian(
    g: &GaussianMixture,
    s: &Schedule,
    t: usize,
    var: Variance,
    m: f64,
    v: f64,
) -> (f64, f64) {
    let (inv, k, sigma) = step_coefficients(s, t, var).expect("係数");
    let n = 20_000;
    let half = 12.0 * v.sqrt();
    let h = 2.0 * half / n as f64;
    let xs: Array2<f64> = Array2::from_shape_fn((n + 1, 1), |(i, _)| m - half + h * i as f64);
    let eps = g.optimal_epsilon(s, t, &xs).expect("ε*");
    let (mut z, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for (x, e) in xs.column(0).iter().zip(eps.column(0)) {
        let w = (-(x - m).powi(2) / (2.0 * v)).exp();
        let y = inv * (x - k * e);
        z += w;
        s1 += w * y;
        s2 += w * y * y;
    }
    let mean = s1 / z;
    (mean, s2 / z - mean * mean + sigma * sigma)
}

fn check_10_21(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (s, t) in cases(2) {
        for (mu, s2) in gaussian_data() {
            for var in [Variance::Beta, Variance::BetaTilde] {
                let g = gaussian_mixture(mu, s2);
                let mut e = base(&s, t, 1);
                let (m, v) = (0.3, 0.8);
                let beta = s.beta(t).expect("β");
                let ab = s.alpha_bar(t).expect("ᾱ");
                let vt = ab * s2 + 1.0 - ab;
                // 本文の係数: A_t = (1 − β_t / v_t)/√α_t、B_t = β_t √ᾱ_t μ / (√α_t v_t)
                let root = (1.0 - beta).sqrt();
                let a = (1.0 - beta / vt) / root;
                let b = beta * ab.sqrt() * mu / (root * vt);
                let (m1, v1) = stepped_gaussian(&g, &s, t, var, m, v);
                let sigma = step_coefficients(&s, t, var).expect("σ").2;
                e.scalar("A_t", a)
                    .scalar("B_t", b)
                    .scalar("m_t", m)
                    .scalar("V_t", v)
                    .scalar("m_{t-1}", m1)
                    .scalar("V_{t-1}", v1)
                    // 1 歩前（時刻 t + 1）の値は別の数（添字の取り違えを見破る）
                    .scalar("m_{t+1}", m + 0.7)
                    .scalar("V_{t+1}", v + 1.3)
                    .scalar(r"\sigma_t", sigma);
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

// ---- (10.12)・(10.16): 学習の目的関数とその下限（1 次元、数値積分の分布） ----

/// 1 次元の混合の x_0 の格子の分布（台形則の重み p(x_0) h）と、ε の格子の分布（N(0, 1)）。
fn bind_x0_and_noise(e: &mut Env) {
    let (w, m, v) = mixture_parts(1);
    let n = 200;
    let h = 10.0 / n as f64;
    let xs: Vec<f64> = (0..=n).map(|i| -5.0 + h * i as f64).collect();
    let px: Vec<f64> = xs
        .iter()
        .map(|&x| {
            (0..w.len())
                .map(|k| w[k] * ln_iso(&array![x], &m[k], v[k]).exp())
                .sum::<f64>()
        })
        .collect();
    let es: Vec<f64> = (0..=160).map(|i| -8.0 + 0.1 * i as f64).collect();
    let pe: Vec<f64> = es.iter().map(|&x| (-0.5 * x * x).exp()).collect();
    e.distribution(
        r"\vx_0",
        r"\vx_0",
        xs.iter().map(|&x| Value::from(array![x])).collect(),
        Weights::Fixed(px),
    )
    .distribution(
        r"\vec{\varepsilon}",
        r"\vec{\varepsilon}",
        es.iter().map(|&x| Value::from(array![x])).collect(),
        Weights::Fixed(pe),
    );
}

fn check_10_12(eq: &Equation) -> Vec<LinkResult> {
    let s = Rc::new(Schedule::new(vec![0.1, 0.25, 0.4]).expect("短い予定"));
    let m = Rc::new(crate_mixture(1));
    let mut e = env();
    e.scalar(r"\theta", 0.0);
    // t は 1, …, T の一様分布。時刻の量は t に応じて読む
    e.distribution(
        "t",
        "t",
        (1..=3).map(|t| Value::Scalar(t as f64)).collect(),
        Weights::Fixed(vec![1.0; 3]),
    );
    // ᾱ_t は族 ᾱ の t 番目（t は期待値の中で動く）
    e.family(
        r"\bar{\alpha}",
        (1..=3)
            .map(|t| Value::Scalar(s.alpha_bar(t).expect("ᾱ")))
            .collect(),
    );
    bind_x0_and_noise(&mut e);
    bind_epsilon(&mut e, &m, &s);
    let floor = mean_loss_floor_quadrature(&m, &s).expect("下限");
    e.func("L", move |a: &[Value]| match a {
        [_] => Ok(Value::Scalar(floor)),
        _ => Err(arity_error("L", a.len())),
    });
    check_all(eq, &[e])
}

fn check_10_16(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let m = Rc::new(crate_mixture(1));
    // t = 1000 は下限が 7e-5 と小さく、1 との差の数値積分の誤差（1e-8 ほど）が相対で効くので除く
    for (s, t) in wide_cases().into_iter().filter(|(_, t)| *t < 1000) {
        let mut e = base(&s, t, 1);
        bind_x0_and_noise(&mut e);
        e.formula(
            r"\vx_t",
            r"\sqrt{\bar{\alpha}_t}\, \vx_0 + \sqrt{1 - \bar{\alpha}_t}\, \vec{\varepsilon}",
        )
        .expect("(10.3)");
        // θ = 0 は厳密な予測、1 と 2 はずらした予測（最小は θ = 0 でとる）
        e.domain(r"\theta", (0..3).map(|i| Value::Scalar(i as f64)).collect());
        let (mq, sq) = (m.clone(), s.clone());
        e.func_ctx(
            r"\vec{\varepsilon}_\theta",
            move |cx: &mut Ctx<'_>, a: &[Value]| {
                let [x, t] = a else {
                    return Err(arity_error("ε_θ", a.len()));
                };
                let exact = crate_epsilon(&mq, &sq, time_arg(t, sq.steps())?, &column(x)?)?;
                let shifted = match cx.get(r"\theta")?.as_scalar()? as i64 {
                    0 => exact,
                    1 => exact * 1.1,
                    _ => exact + 0.1,
                };
                Ok(Value::from(shifted))
            },
        );
        let (mq, sq) = (m.clone(), s.clone());
        e.func(r"\vec{\varepsilon}^*", move |a: &[Value]| match a {
            [x, t] => {
                crate_epsilon(&mq, &sq, time_arg(t, sq.steps())?, &column(x)?).map(Value::from)
            }
            _ => Err(arity_error("ε*", a.len())),
        });
        // p_t: クレートのノイズを加えた混合の密度を重みにした格子の分布
        let pt = m.noised(&s, t).expect("p_t");
        let xs: Vec<f64> = (0..=600).map(|i| -6.0 + 0.02 * i as f64).collect();
        let grid = Array2::from_shape_fn((xs.len(), 1), |(i, _)| xs[i]);
        let w: Vec<f64> = pt
            .ln_density(&grid)
            .expect("密度")
            .iter()
            .map(|l| l.exp())
            .collect();
        e.distribution(
            "p_t",
            r"\vx_t",
            xs.iter().map(|&x| Value::from(array![x])).collect(),
            Weights::Fixed(w),
        );
        e.scalar(IMPL, loss_floor_quadrature(&m, &s, t).expect("下限"));
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "損失の下限"));
    rs
}

// ---- (10.19)・(10.22)・(10.23): 生成の 1 歩と時刻の特徴 ----

/// クレートの x_0 の予測 (10.15)（1 点）。
fn crate_x0(
    s: &Schedule,
    t: usize,
    x: &Array1<f64>,
    eps: &Array1<f64>,
) -> Result<Array1<f64>, EvalError> {
    predicted_x0(
        s,
        t,
        &x.clone().insert_axis(Axis(0)),
        &eps.clone().insert_axis(Axis(0)),
    )
    .map(|v| v.row(0).to_owned())
    .map_err(model_error)
}

fn check_10_19(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(119);
    for (s, t) in cases(1) {
        for var in [Variance::Beta, Variance::BetaTilde] {
            let d = 2;
            let mut e = base(&s, t, d);
            let m = Rc::new(crate_mixture(d));
            let xt = normal_vec(&mut rng, d);
            let xi = normal_vec(&mut rng, d);
            let sigma = step_coefficients(&s, t, var).expect("σ_t").2;
            let prev = if t == 1 {
                // t = 1 は雑音を加えない: クレートの祖先サンプリングを 1 歩だけの予定で走らせた出力
                let p = ExactEpsilon::new(crate_mixture(d), (*s).clone()).expect("予測");
                let one = Schedule::new(vec![s.beta(1).expect("β_1")]).expect("1 歩");
                sample_from(
                    &p,
                    &one,
                    var,
                    &xt.clone().insert_axis(Axis(0)),
                    &mut seeded_rng(0),
                )
                .expect("1 歩")
                .row(0)
                .to_owned()
            } else {
                crate_reverse_mean(&m, &s, t, &xt).expect("平均") + &xi * sigma
            };
            e.set(r"\vx_t", xt)
                .set(r"\vx_{t-1}", prev)
                .set(r"\vec{\xi}", xi)
                .scalar(r"\sigma_t", sigma);
            bind_mu_theta(&mut e, &m, &s);
            bind_normal_at(&mut e, r"\vec{\xi}");
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

fn check_10_22(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (steps, nf) in [(1000, 8), (10, 3)] {
        let emb = Rc::new(TimeEmbedding::new(steps, nf).expect("埋め込み"));
        for t in [1, steps / 3, steps] {
            for k in 1..=nf {
                let mut e = env();
                e.scalar("t", t as f64)
                    .scalar("k", k as f64)
                    .scalar("T", steps as f64)
                    .scalar(r"n_{\mathrm{f}}", nf as f64);
                let em = emb.clone();
                e.func("e", move |a: &[Value]| match a {
                    [t] => em
                        .features(time_arg(t, em.steps())?)
                        .map(Value::from)
                        .map_err(model_error),
                    _ => Err(arity_error("e", a.len())),
                });
                e.family(
                    r"\omega",
                    (1..=nf)
                        .map(|j| Value::Scalar(emb.omega(j).expect("ω")))
                        .collect(),
                );
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

fn check_10_23(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut rng = seeded_rng(123);
    for (s, t) in cases(1) {
        let d = 2;
        let mut e = base(&s, t, d);
        let m = Rc::new(crate_mixture(d));
        let xt = normal_vec(&mut rng, d);
        let eps = crate_epsilon(&m, &s, t, &xt).expect("ε");
        let x0 = crate_x0(&s, t, &xt, &eps).expect("x̂_0");
        let (prev_scale, prev_var) = s.marginal(t - 1).expect("ᾱ_{t−1}");
        let prev = if t == 1 {
            // t = 1: クレートの DDIM を 1 歩だけの予定で走らせた出力
            let p = ExactEpsilon::new(crate_mixture(d), (*s).clone()).expect("予測");
            let one = Schedule::new(vec![s.beta(1).expect("β_1")]).expect("1 歩");
            ddim(&p, &one, &xt.clone().insert_axis(Axis(0)))
                .expect("DDIM")
                .row(0)
                .to_owned()
        } else {
            &x0 * prev_scale + &eps * prev_var.sqrt()
        };
        e.set(r"\vx_t", xt).set(r"\vx_{t-1}", prev);
        bind_epsilon(&mut e, &m, &s);
        let (mq, sq) = (m.clone(), s.clone());
        e.func(r"\hat{\vx}_0", move |a: &[Value]| match a {
            [x, t] => {
                let t = time_arg(t, sq.steps())?;
                let x = column(x)?;
                let eps = crate_epsilon(&mq, &sq, t, &x)?;
                crate_x0(&sq, t, &x, &eps).map(Value::from)
            }
            _ => Err(arity_error("x̂_0", a.len())),
        });
        envs.push(e);
    }
    check_all(eq, &envs)
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "10.1",
        check: check_10_1,
    },
    Bound {
        tag: "10.2",
        check: check_10_2,
    },
    Bound {
        tag: "10.3",
        check: check_10_3,
    },
    Bound {
        tag: "10.4",
        check: check_10_4,
    },
    Bound {
        tag: "10.5",
        check: check_10_5,
    },
    Bound {
        tag: "10.6",
        check: check_10_6,
    },
    Bound {
        tag: "10.7",
        check: check_10_7,
    },
    Bound {
        tag: "10.8",
        check: check_10_8,
    },
    Bound {
        tag: "10.9",
        check: check_10_9,
    },
    Bound {
        tag: "10.10",
        check: check_10_10,
    },
    Bound {
        tag: "10.11",
        check: check_10_11,
    },
    Bound {
        tag: "10.13",
        check: check_10_13,
    },
    Bound {
        tag: "10.14",
        check: check_10_14,
    },
    Bound {
        tag: "10.15",
        check: check_10_15,
    },
    Bound {
        tag: "10.17",
        check: check_10_17,
    },
    Bound {
        tag: "10.18",
        check: check_10_18,
    },
    Bound {
        tag: "10.20",
        check: check_10_20,
    },
    Bound {
        tag: "10.21",
        check: check_10_21,
    },
    Bound {
        tag: "10.12",
        check: check_10_12,
    },
    Bound {
        tag: "10.16",
        check: check_10_16,
    },
    Bound {
        tag: "10.19",
        check: check_10_19,
    },
    Bound {
        tag: "10.22",
        check: check_10_22,
    },
    Bound {
        tag: "10.23",
        check: check_10_23,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[];

#[test]
fn eq_10_1_printed_form() {
    assert_printed("10.1", check_10_1);
}

#[test]
fn eq_10_2_printed_form() {
    assert_printed("10.2", check_10_2);
}

#[test]
fn eq_10_3_printed_form() {
    assert_printed("10.3", check_10_3);
}

#[test]
fn eq_10_4_printed_form() {
    assert_printed("10.4", check_10_4);
}

#[test]
fn eq_10_5_printed_form() {
    assert_printed("10.5", check_10_5);
}

#[test]
fn eq_10_6_printed_form() {
    assert_printed("10.6", check_10_6);
}

#[test]
fn eq_10_7_printed_form() {
    assert_printed("10.7", check_10_7);
}

#[test]
fn eq_10_8_printed_form() {
    assert_printed("10.8", check_10_8);
}

#[test]
fn eq_10_9_printed_form() {
    assert_printed("10.9", check_10_9);
}

#[test]
fn eq_10_10_printed_form() {
    assert_printed("10.10", check_10_10);
}

#[test]
fn eq_10_11_printed_form() {
    assert_printed("10.11", check_10_11);
}

#[test]
fn eq_10_13_printed_form() {
    assert_printed("10.13", check_10_13);
}

#[test]
fn eq_10_14_printed_form() {
    assert_printed("10.14", check_10_14);
}

#[test]
fn eq_10_15_printed_form() {
    assert_printed("10.15", check_10_15);
}

#[test]
fn eq_10_17_printed_form() {
    assert_printed("10.17", check_10_17);
}

#[test]
fn eq_10_18_printed_form() {
    assert_printed("10.18", check_10_18);
}

#[test]
fn eq_10_20_printed_form() {
    assert_printed("10.20", check_10_20);
}

#[test]
fn eq_10_21_printed_form() {
    assert_printed("10.21", check_10_21);
}

#[test]
fn eq_10_12_printed_form() {
    assert_printed("10.12", check_10_12);
}

#[test]
fn eq_10_16_printed_form() {
    assert_printed("10.16", check_10_16);
}

#[test]
fn eq_10_19_printed_form() {
    assert_printed("10.19", check_10_19);
}

#[test]
fn eq_10_22_printed_form() {
    assert_printed("10.22", check_10_22);
}

#[test]
fn eq_10_23_printed_form() {
    assert_printed("10.23", check_10_23);
}
