//! §2.6 勾配法と代理関数の式（(2.30)–(2.44a)）を印刷された形で実行する。
//!
//! 束縛は genmodel に結びつける: 更新 (2.30) は `KlObjective::update`、1 変数の上界と学習率は
//! `optim::{quadratic_upper_bound, guaranteed_decrease, step_from_curvature_bound, gradient_step}`、
//! 代理関数は `optim::surrogate`、ヘッセ行列は `KlObjective::hessian`、その固有値は `symmetric_eigen`、
//! 曲率の上界 M は `global_curvature_bound`。
//!
//! 1 変数の f は 2 つ: 図 3 の `√(1 + θ²)`（閉じた形）と、1 スピンの Ising モデルの KL 情報量
//! （クレート）。どちらも `sup f'' = 1` である。多変数の f は 3 スピンの Ising モデルの KL 情報量
//! （θ はパラメータのベクトル、M = 6）。

use crate::ch02_05::{
    check_all, coupling_matrix, crate_link, data3, data4, data_env, ising, ising_env, models3,
    models4, spins,
};
use crate::harness::{assert_printed, column, env, model_error, Bound, Declared, Survivor};
use genmodel::boltzmann::ising::{
    global_curvature_bound, sufficient_statistics, Ising, KlObjective,
};
use genmodel::linalg::symmetric_eigen;
use genmodel::ndarray::{array, Array1, Array2};
use genmodel::optim::{
    gradient_step, guaranteed_decrease, quadratic_upper_bound, step_from_curvature_bound,
    step_from_max_eigenvalue, surrogate, StepSize,
};
use texeval::{Env, Equation, EvalError, LinkResult, Tolerances, Value};

// ---- (2.30): Ising モデルの勾配法 ----

/// (2.30) の束縛: モデル `model` から、場の学習率 `eta_h`・結合の学習率 `eta_j`（`pairs` の順）で
/// クレートの `KlObjective::update` が 1 歩進めた `h'`・`J'` を束縛する。添字は `k`・`l`。
fn update_env(
    model: &Ising,
    data: &Array2<i8>,
    eta_h: &[f64],
    eta_j: &[f64],
    k: usize,
    l: usize,
) -> Env {
    let n = model.n_spins();
    let kl = KlObjective::from_data(data).expect("データ");
    let rates: Array1<f64> = eta_h.iter().chain(eta_j).copied().collect();
    let next = kl
        .update(model, &StepSize::PerParameter(rates))
        .expect("1 歩");
    let mut e = data_env(model, data);
    let rate_matrix = coupling_matrix(&ising(&vec![0.0; n], eta_j));
    e.set("h'", next.fields().to_owned())
        .set("S", coupling_matrix(&next))
        .set("r", eta_h.to_vec())
        .set("R", rate_matrix)
        .scalar("k", k as f64)
        .scalar("l", l as f64);
    // 2 行目の左辺は名前 `J'_{kl}` で束縛する。結合は k < l の対についてだけ定義され、
    // k ≥ l の成分は NaN（未定義）なので、添字を入れ替えた式は成り立たない
    e.formula("J'_{kl}", "S_{kl}").expect("式");
    e.formula("J'_{lk}", "S_{lk}").expect("式");
    // η_k は場 k の学習率、η_kl は対 k < l の学習率
    e.formula(r"\eta_k", "r_k").expect("式");
    e.formula(r"\eta_{kl}", "R_{kl}").expect("式");
    e.formula(r"\eta_{lk}", "R_{lk}").expect("式");
    e
}

fn check_2_30(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 h'_k・J'_kl はクレートの KlObjective::update（本書で訂正した降下の向き）。
    // ⟨·⟩_{θ={h,J}} の重みは更新前のモデルの確率。パラメータごとに違う学習率で
    let d4 = data4();
    let (m3, m4) = (models3(), models4());
    let envs = vec![
        update_env(&m3[0], &data3(), &[0.1, 0.3, 0.2], &[0.05, 0.4, 0.25], 1, 2),
        update_env(&m3[0], &data3(), &[0.1, 0.3, 0.2], &[0.05, 0.4, 0.25], 2, 3),
        update_env(&m3[1], &data3(), &[0.5, 0.05, 0.15], &[0.2, 0.1, 0.6], 1, 3),
        update_env(
            &m4[0],
            &d4,
            &[0.2, 0.1, 0.3, 0.25],
            &[0.1, 0.2, 0.3, 0.15, 0.05, 0.35],
            2,
            4,
        ),
    ];
    check_all(eq, &envs, &Tolerances::default())
}

// ---- (2.31)–(2.36): 1 変数の上界 ----

/// 1 変数の目的関数。どちらも `sup f'' = 1`。
#[derive(Clone, Copy)]
enum Curve {
    /// 図 3 の `f(θ) = √(1 + θ²)`（`f'' = (1 + θ²)^{-3/2}`）。閉じた形。
    Hyperbola,
    /// 1 スピンの Ising モデルの KL 情報量（`θ = h`、`f'' = 1 − tanh² h ≤ M = 1`）。クレートの `KlObjective`。
    SpinKl,
}

const CURVES: [Curve; 2] = [Curve::Hyperbola, Curve::SpinKl];

/// 1 スピンのデータ（平均 0.6）の KL 情報量。
fn spin_kl() -> KlObjective {
    KlObjective::from_data(&array![[1], [1], [-1], [1], [1]]).expect("データ")
}

impl Curve {
    fn value(self, t: f64) -> Result<f64, EvalError> {
        match self {
            Curve::Hyperbola => Ok((1.0 + t * t).sqrt()),
            Curve::SpinKl => spin_kl().value(&ising(&[t], &[])).map_err(model_error),
        }
    }

    fn slope(self, t: f64) -> Result<f64, EvalError> {
        match self {
            Curve::Hyperbola => Ok(t / (1.0 + t * t).sqrt()),
            Curve::SpinKl => spin_kl()
                .gradient(&ising(&[t], &[]))
                .map(|g| g[0])
                .map_err(model_error),
        }
    }

    /// `sup f''`（Ising では `global_curvature_bound(1)`）。
    fn curvature_bound(self) -> f64 {
        match self {
            Curve::Hyperbola => 1.0,
            Curve::SpinKl => global_curvature_bound(1),
        }
    }
}

/// `f`・`f'` と `θ_0`・`θ`・`L` を束縛する。
fn curve_env(c: Curve, theta0: f64, theta: f64, l: f64) -> Env {
    let mut e = env();
    e.func("f", move |a: &[Value]| {
        c.value(a[0].as_scalar()?).map(Value::Scalar)
    });
    e.func("f'", move |a: &[Value]| {
        c.slope(a[0].as_scalar()?).map(Value::Scalar)
    });
    e.scalar(r"\theta_0", theta0)
        .scalar(r"\theta", theta)
        .scalar("L", l);
    e
}

/// クレートの 1 歩 `θ_0 − η f'(θ_0)`（`gradient_step`）。
fn step_1d(c: Curve, theta0: f64, eta: f64) -> f64 {
    let g = c.slope(theta0).expect("傾き");
    gradient_step(&[theta0], &[g], &StepSize::Scalar(eta)).expect("1 歩")[0]
}

/// 上界 (2.33) の `g(θ)`（クレートの `quadratic_upper_bound`）。
fn upper_bound(c: Curve, theta0: f64, l: f64, theta: f64) -> Result<f64, EvalError> {
    let (f0, df0) = (c.value(theta0)?, c.slope(theta0)?);
    quadratic_upper_bound(f0, df0, l, theta0, theta).map_err(model_error)
}

const THETA0S: [f64; 3] = [-2.0, 0.5, 2.0];
const THETAS: [f64; 8] = [-3.0, -1.5, -0.4, 0.0, 0.3, 1.0, 2.2, 4.0];

fn check_2_31(eq: &Equation) -> Vec<LinkResult> {
    // θ は η = 1/L（クレートの step_from_curvature_bound）の 1 歩。f'(θ_0) ≠ 0 なので等号にならない
    let mut envs = Vec::new();
    for c in CURVES {
        let eta = step_from_curvature_bound(c.curvature_bound()).expect("η");
        for t0 in [-2.0, 0.7, 3.0] {
            envs.push(curve_env(c, t0, step_1d(c, t0, eta), c.curvature_bound()));
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_32(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 θ はクレートの gradient_step。η は f'' ≤ 1 に比べて小さい値
    let mut envs = Vec::new();
    for c in CURVES {
        for (t0, eta) in [(-2.0, 0.05), (0.7, 0.02), (3.0, 0.08)] {
            let mut e = curve_env(c, t0, step_1d(c, t0, eta), c.curvature_bound());
            e.scalar(r"\eta", eta);
            envs.push(e);
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

/// (2.33)・(2.34) の束縛: θ_0 と θ の格子、L は sup f'' とそれより大きい値。
fn bound_envs(ls: &[f64]) -> (Vec<Env>, Vec<Value>) {
    let mut envs = Vec::new();
    let mut g = Vec::new();
    for c in CURVES {
        for &scale in ls {
            let l = scale * c.curvature_bound();
            for t0 in THETA0S {
                for t in THETAS {
                    let mut e = curve_env(c, t0, t, l);
                    e.func("g", move |a: &[Value]| {
                        upper_bound(c, t0, l, a[0].as_scalar()?).map(Value::Scalar)
                    });
                    envs.push(e);
                    g.push(Value::Scalar(upper_bound(c, t0, l, t).expect("g")));
                }
            }
        }
    }
    (envs, g)
}

fn check_2_33(eq: &Equation) -> Vec<LinkResult> {
    // g はクレートの quadratic_upper_bound。f ≤ g は θ ≠ θ_0 で等号にならない
    let (envs, _) = bound_envs(&[1.0, 1.5]);
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_34(eq: &Equation) -> Vec<LinkResult> {
    // 不等式に加えて、平方完成した右辺が (2.33) の g（クレートの quadratic_upper_bound）に等しいことを確かめる
    let (envs, g) = bound_envs(&[1.0, 1.5]);
    let mut out = check_all(eq, &envs, &Tolerances::default());
    out.push(crate_link(
        eq,
        0,
        1,
        &envs,
        &g,
        "quadratic_upper_bound（(2.33) の g）",
    ));
    out
}

fn check_2_35(eq: &Equation) -> Vec<LinkResult> {
    // θ は頂点 θ_0 − f'(θ_0)/L（クレートの gradient_step）。右辺の減少量はクレートの guaranteed_decrease
    let mut envs = Vec::new();
    let mut want = Vec::new();
    for c in CURVES {
        for scale in [1.0, 2.0] {
            let l = scale * c.curvature_bound();
            let eta = step_from_curvature_bound(l).expect("η");
            for t0 in [-2.0, 0.7, 3.0] {
                envs.push(curve_env(c, t0, step_1d(c, t0, eta), l));
                let drop = guaranteed_decrease(c.slope(t0).expect("傾き"), l).expect("減少量");
                want.push(Value::Scalar(c.value(t0).expect("f") - drop));
            }
        }
    }
    let mut out = check_all(eq, &envs, &Tolerances::default());
    out.push(crate_link(
        eq,
        0,
        1,
        &envs,
        &want,
        "f(θ_0) − guaranteed_decrease",
    ));
    out
}

fn check_2_36(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 η はクレートの step_from_curvature_bound
    let envs: Vec<Env> = [1.0, 4.0, 0.3]
        .iter()
        .map(|&l| {
            let mut e = env();
            e.scalar("L", l)
                .scalar(r"\eta", step_from_curvature_bound(l).expect("η"));
            e
        })
        .collect();
    check_all(eq, &envs, &Tolerances::default())
}

// ---- (2.37)–(2.44): 多変数の代理関数（3 スピンの KL 情報量） ----

/// 多変数の目的関数: 3 スピンのデータの KL 情報量。
fn objective() -> KlObjective {
    KlObjective::from_data(&data3()).expect("データ")
}

/// パラメータ θ のモデル。
fn model_at(theta: &Array1<f64>) -> Result<Ising, EvalError> {
    Ising::from_params(3, theta).map_err(model_error)
}

/// `f(θ)`（クレートの `KlObjective::value`）。
fn f_at(theta: &Array1<f64>) -> Result<f64, EvalError> {
    objective().value(&model_at(theta)?).map_err(model_error)
}

/// `∇f(θ)`（クレートの `KlObjective::gradient`）。
fn grad_at(theta: &Array1<f64>) -> Result<Array1<f64>, EvalError> {
    objective().gradient(&model_at(theta)?).map_err(model_error)
}

/// `H(f)(θ)`（クレートの `KlObjective::hessian`）。
fn hessian_at(theta: &Array1<f64>) -> Result<Array2<f64>, EvalError> {
    objective()
        .hessian(&model_at(theta)?)
        .map(|h| h.matrix().to_owned())
        .map_err(model_error)
}

/// 代理関数 `f_η(θ, θ_0)`（クレートの `optim::surrogate`）。
fn surrogate_at(eta: f64, theta: &Array1<f64>, theta0: &Array1<f64>) -> Result<f64, EvalError> {
    surrogate(f_at(theta0)?, &grad_at(theta0)?, eta, theta0, theta).map_err(model_error)
}

/// `d(θ) = f(θ) − f_η(θ, θ_0)`（(2.38) で定義される量。クレートの f と f_η から作る）。
fn d_at(eta: f64, theta: &Array1<f64>, theta0: &Array1<f64>) -> Result<f64, EvalError> {
    Ok(f_at(theta)? - surrogate_at(eta, theta, theta0)?)
}

/// η = 1/M（クレートの `global_curvature_bound` と `step_from_max_eigenvalue`）。
fn eta_m() -> f64 {
    step_from_max_eigenvalue(global_curvature_bound(3)).expect("η")
}

/// 多変数の束縛: `N`・`M`・`\vtheta`・`\vtheta_0`・`\eta`・`\Delta`、関数 `f`・`f_\eta`・`d`・`u`・`H(f)`。
fn vector_env(theta0: &Array1<f64>, theta: &Array1<f64>, eta: f64) -> Env {
    let mut e = env();
    let delta = theta - theta0;
    e.scalar("N", 3.0)
        .scalar("M", global_curvature_bound(3))
        .set(r"\vtheta", theta.clone())
        .set(r"\vtheta_0", theta0.clone())
        .scalar(r"\eta", eta)
        .set(r"\Delta", delta.clone());
    e.func("f", |a: &[Value]| f_at(&column(&a[0])?).map(Value::Scalar));
    e.func(r"f_\eta", move |a: &[Value]| {
        surrogate_at(eta, &column(&a[0])?, &column(&a[1])?).map(Value::Scalar)
    });
    let t0 = theta0.clone();
    e.func("d", move |a: &[Value]| {
        d_at(eta, &column(&a[0])?, &t0).map(Value::Scalar)
    });
    let t0 = theta0.clone();
    e.func("u", move |a: &[Value]| {
        let s = a[0].as_scalar()?;
        d_at(eta, &(&t0 + &(&delta * s)), &t0).map(Value::Scalar)
    });
    e.func("H(f)", |a: &[Value]| {
        hessian_at(&column(&a[0])?).map(Value::from)
    });
    e
}

/// θ_0 の候補: 3 スピンのモデル 2 つのパラメータと 0。
fn theta0s() -> Vec<Array1<f64>> {
    let m = models3();
    vec![m[0].params(), Array1::zeros(6), m[1].params()]
}

/// θ − θ_0 の候補: 小さい変位と、θ_0 から遠い変位。
fn deltas() -> Vec<Array1<f64>> {
    vec![
        array![0.2, -0.1, 0.3, 0.05, -0.2, 0.1],
        array![1.5, -2.0, 0.7, 2.5, -1.0, -3.0],
        array![-0.6, 0.9, -1.2, 0.4, 0.8, -0.3],
    ]
}

/// θ_0 × 変位 × η の束縛。
fn vector_envs(etas: &[f64]) -> Vec<Env> {
    let mut envs = Vec::new();
    for t0 in theta0s() {
        for d in deltas() {
            for &eta in etas {
                envs.push(vector_env(&t0, &(&t0 + &d), eta));
            }
        }
    }
    envs
}

fn check_2_37(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 f_η はクレートの surrogate、右辺の ∇f はクレートの KL 情報量の中心差分
    check_all(
        eq,
        &vector_envs(&[eta_m(), 0.5, 0.05]),
        &Tolerances::default(),
    )
}

fn check_2_37a(eq: &Equation) -> Vec<LinkResult> {
    // arg min・min は θ の候補の上で取る: 候補はクレートの gradient_step の点と、そこから
    // 各成分を ±0.05 ずらした点と、θ_0 そのもの
    let mut envs = Vec::new();
    for t0 in theta0s() {
        for eta in [eta_m(), 0.4] {
            let step = gradient_step(&t0, &grad_at(&t0).expect("勾配"), &StepSize::Scalar(eta))
                .expect("1 歩");
            let mut cands = vec![Value::from(t0.clone()), Value::from(step.clone())];
            for i in 0..6 {
                for s in [-0.05, 0.05] {
                    let mut p = step.clone();
                    p[i] += s;
                    cands.push(Value::from(p));
                }
            }
            let mut e = vector_env(&t0, &step, eta);
            e.domain(r"\vtheta", cands);
            envs.push(e);
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_38(eq: &Equation) -> Vec<LinkResult> {
    // η = 1/M なら、θ_0 から遠い点を含めて d ≤ 0（θ ≠ θ_0 では等号にならない）
    check_all(eq, &vector_envs(&[eta_m()]), &Tolerances::default())
}

fn check_2_39(eq: &Equation) -> Vec<LinkResult> {
    // ∇d・∇f はクレートの値の中心差分
    check_all(eq, &vector_envs(&[eta_m(), 0.5]), &Tolerances::default())
}

/// 2 階の中心差分（刻み 1e-4）の丸め誤差 ~1e-7 を見込んだ許容誤差。
fn hessian_tolerances() -> Tolerances {
    Tolerances {
        abs: 1e-6,
        ..Tolerances::default()
    }
}

fn check_2_40(eq: &Equation) -> Vec<LinkResult> {
    // (∇∇ᵀ) は中心差分、H(f) はクレートの KlObjective::hessian（共分散の厳密な列挙）
    // 2 階の差分は重いので、θ_0 ごとに遠い点（η = 1/M）と近い点（η = 0.5）の 2 つ
    let ds = deltas();
    let mut envs = Vec::new();
    for t0 in theta0s() {
        envs.push(vector_env(&t0, &(&t0 + &ds[1]), eta_m()));
        envs.push(vector_env(&t0, &(&t0 + &ds[0]), 0.5));
    }
    check_all(eq, &envs, &hessian_tolerances())
}

/// θ_0 と θ を結ぶ線分上の点 θ_0 + sΔ。
fn on_segment(t0: &Array1<f64>, d: &Array1<f64>, s: f64) -> Array1<f64> {
    t0 + &(d * s)
}

/// 行列の値としてのヘッセ行列・固有値・固有ベクトルの束縛（(2.41)–(2.43)）。
fn eigen_env(theta: &Array1<f64>, eta: f64) -> Env {
    let h = hessian_at(theta).expect("ヘッセ行列");
    let eig = symmetric_eigen(&h).expect("固有値分解");
    let mut e = env();
    e.set("H(f)", h)
        .set("P", eig.vectors.clone())
        .set(r"\lambda", eig.values.clone())
        .set(r"\Lambda", Array2::from_diag(&eig.values))
        .scalar("M", eig.values.len() as f64)
        .scalar(r"\eta", eta);
    e
}

/// 方向ベクトルの候補（長さ 6）。
fn directions() -> Vec<Array1<f64>> {
    vec![
        array![1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        array![0.3, -0.8, 0.5, 1.2, -0.4, 0.9],
        array![-2.0, 1.0, 0.5, -0.5, 1.5, 0.7],
    ]
}

fn check_2_41(eq: &Equation) -> Vec<LinkResult> {
    // H(f) は線分上の点でのクレートのヘッセ行列、η = 1/M。加えて η = 1/λ_max と最大固有値の
    // 固有ベクトルの束縛では等号（0）になる
    let mut envs = Vec::new();
    for t0 in theta0s() {
        for d in deltas() {
            for s in [0.0, 0.5, 1.0] {
                let p = on_segment(&t0, &d, s);
                for a in directions() {
                    let mut e = eigen_env(&p, eta_m());
                    e.set(r"\vec{a}", a);
                    envs.push(e);
                }
            }
        }
    }
    let p = theta0s()[0].clone();
    let eig = symmetric_eigen(&hessian_at(&p).expect("H")).expect("固有値");
    let top = eig.values.len() - 1;
    let mut e = eigen_env(&p, step_from_max_eigenvalue(eig.values[top]).expect("η"));
    e.set(r"\vec{a}", eig.vectors.column(top).to_owned());
    envs.push(e);
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_41a(eq: &Equation) -> Vec<LinkResult> {
    // d・u はクレートの f と f_η から、積分の中の H(f) はクレートのヘッセ行列（数値積分）
    let mut envs = Vec::new();
    for t0 in theta0s().iter().take(2) {
        for d in deltas() {
            envs.push(vector_env(t0, &(t0 + &d), eta_m()));
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_42(eq: &Equation) -> Vec<LinkResult> {
    // P・λ はクレートの symmetric_eigen、H(f) はクレートのヘッセ行列。b = Pᵀa は形（列ベクトル）まで比べる
    let mut envs = Vec::new();
    let mut bs = Vec::new();
    for (t0, a) in theta0s().iter().zip(directions()) {
        let mut e = eigen_env(t0, eta_m());
        let pm = symmetric_eigen(&hessian_at(t0).expect("H"))
            .expect("固有値")
            .vectors;
        let b = pm.t().dot(&a);
        e.set(r"\vec{a}", a).set(r"\vec{b}", b.clone());
        envs.push(e);
        bs.push(Value::from(b));
    }
    let mut out = check_all(eq, &envs, &Tolerances::default());
    out.push(crate_link(
        eq,
        1,
        2,
        &envs,
        &bs,
        "固有ベクトルの行列 P で作った Pᵀa",
    ));
    out
}

fn check_2_43(eq: &Equation) -> Vec<LinkResult> {
    // Λ・λ_k はクレートの固有値、η = 1/M（≤ 0 は等号にならない）。η = 1/λ_max と最大固有値の
    // 方向 b = e_M では等号になる
    let mut envs = Vec::new();
    for (t0, b) in theta0s().iter().zip(directions()) {
        let mut e = eigen_env(t0, eta_m());
        e.set(r"\vec{b}", b);
        envs.push(e);
    }
    let p = theta0s()[2].clone();
    let lmax = symmetric_eigen(&hessian_at(&p).expect("H"))
        .expect("固有値")
        .values[5];
    let mut e = eigen_env(&p, step_from_max_eigenvalue(lmax).expect("η"));
    e.set(r"\vec{b}", array![0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    envs.push(e);
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_44(eq: &Equation) -> Vec<LinkResult> {
    // λ_k(A) はクレートの symmetric_eigen、H(f)(θ') はクレートのヘッセ行列。θ' は θ_0 と
    // 1 歩後の点を結ぶ線分上。η = 1/M は不等号、η = 1/λ_max(θ') は等号
    let mut envs = Vec::new();
    for t0 in theta0s() {
        let step = gradient_step(
            &t0,
            &grad_at(&t0).expect("勾配"),
            &StepSize::Scalar(eta_m()),
        )
        .expect("1 歩");
        let d = &step - &t0;
        for s in [0.0, 0.3, 1.0] {
            let p = on_segment(&t0, &d, s);
            let lmax = symmetric_eigen(&hessian_at(&p).expect("H"))
                .expect("固有値")
                .values[5];
            for eta in [eta_m(), step_from_max_eigenvalue(lmax).expect("η")] {
                let mut e = vector_env(&t0, &step, eta);
                e.set(r"\vtheta'", p.clone()).index_range("k", 1, 6);
                e.func(r"\lambda", |a: &[Value]| {
                    let Value::Matrix(m) = &a[0] else {
                        return Err(EvalError::Domain(format!("行列が要る: {}", a[0].shape())));
                    };
                    symmetric_eigen(m)
                        .map(|e| Value::from(e.values))
                        .map_err(model_error)
                });
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

// ---- (2.40a)・(2.44a): Ising モデルのヘッセ行列 ----

/// 十分統計量 φ とヘッセ行列の束縛: `\theta`（パラメータのベクトル）、`Z_\theta`（θ を動かせる式）、
/// `\phi`（状態 `\vx` のクレートの `sufficient_statistics`）、`H(\KL)`（クレートの `KlObjective::hessian`）。
fn hessian_env(model: &Ising) -> Env {
    let n = model.n_spins();
    let mut e = ising_env(model);
    let kl = KlObjective::from_model(model).expect("目的関数");
    let h = kl.hessian(model).expect("ヘッセ行列").matrix().to_owned();
    e.set(r"\theta", model.params())
        .set(r"H(\KL)", h)
        .scalar("M", global_curvature_bound(n));
    e.func(r"\mathcal{Z}", move |a: &[Value]| {
        let m = Ising::from_params(n, &column(&a[0])?).map_err(model_error)?;
        m.log_z()
            .map(|z| Value::Scalar(z.exp()))
            .map_err(model_error)
    });
    e.formula(r"Z_\theta", r"\mathcal{Z}(\theta)").expect("式");
    e.func(r"\Phi", |a: &[Value]| {
        sufficient_statistics(&spins(&a[0])?)
            .map(Value::from)
            .map_err(model_error)
    });
    e.formula(r"\phi", r"\Phi(\vx)").expect("式");
    e
}

fn check_2_40a(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの KlObjective::hessian、∂² ln Z は Ising::log_z の中心差分、⟨·⟩_θ の重みは
    // クレートの確率。Cov_θ(φ_i, φ_j) はクレートの statistics_covariance の成分
    let mut envs = Vec::new();
    for model in [&models3()[0], &models3()[2], &models4()[1]] {
        let cov = model
            .statistics_covariance()
            .expect("共分散")
            .matrix()
            .to_owned();
        for (i, j) in [(1, 1), (2, 5), (6, 4), (3, 1)] {
            let mut e = hessian_env(model);
            e.scalar("i", i as f64)
                .scalar("j", j as f64)
                .set("C", cov.clone());
            e.formula(r"\operatorname{Cov}_\theta(\phi_i, \phi_j)", "C_{ij}")
                .expect("式");
            envs.push(e);
        }
    }
    check_all(eq, &envs, &hessian_tolerances())
}

/// (2.44a) の束縛: 単位ベクトル a、Var は定義 ⟨X²⟩ − ⟨X⟩²（重みはクレートの確率）、λ はクレートの固有値。
fn variance_env(model: &Ising, a: &[f64]) -> Env {
    let mut e = hessian_env(model);
    let a = Array1::from(a.to_vec());
    let unit = &a / a.dot(&a).sqrt();
    let kl = KlObjective::from_model(model).expect("目的関数");
    let lambda = kl
        .hessian(model)
        .expect("ヘッセ行列")
        .eigenvalues()
        .to_owned();
    e.set(r"\vec{a}", unit)
        .set(r"\lambda", lambda)
        .scalar("N", model.n_spins() as f64);
    e.formula(
        r"\operatorname{Var}_\theta(\vec{a} \cdot \phi)",
        r"\left\langle (\vec{a} \cdot \phi)^2 \right\rangle_\theta - \left( \langle \vec{a} \cdot \phi \rangle_\theta \right)^2",
    )
    .expect("式");
    e
}

fn check_2_44a(eq: &Equation) -> Vec<LinkResult> {
    // 不等号の束縛（θ ≠ 0、a は一般の向き）と、本文のとおり等号が成り立つ N = 1・h = 0 の束縛
    let envs = vec![
        variance_env(&models3()[0], &[0.3, -0.8, 0.5, 1.2, -0.4, 0.9]),
        variance_env(&models3()[1], &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        variance_env(
            &models4()[0],
            &[0.5, 0.2, -0.7, 0.1, 0.3, -0.4, 0.6, 0.25, -0.15, 0.8],
        ),
        variance_env(&ising(&[0.0], &[]), &[1.0]),
    ];
    check_all(eq, &envs, &Tolerances::default())
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "2.30",
        check: check_2_30,
    },
    Bound {
        tag: "2.31",
        check: check_2_31,
    },
    Bound {
        tag: "2.32",
        check: check_2_32,
    },
    Bound {
        tag: "2.33",
        check: check_2_33,
    },
    Bound {
        tag: "2.34",
        check: check_2_34,
    },
    Bound {
        tag: "2.35",
        check: check_2_35,
    },
    Bound {
        tag: "2.36",
        check: check_2_36,
    },
    Bound {
        tag: "2.37",
        check: check_2_37,
    },
    Bound {
        tag: "2.37a",
        check: check_2_37a,
    },
    Bound {
        tag: "2.38",
        check: check_2_38,
    },
    Bound {
        tag: "2.39",
        check: check_2_39,
    },
    Bound {
        tag: "2.40",
        check: check_2_40,
    },
    Bound {
        tag: "2.41",
        check: check_2_41,
    },
    Bound {
        tag: "2.41a",
        check: check_2_41a,
    },
    Bound {
        tag: "2.42",
        check: check_2_42,
    },
    Bound {
        tag: "2.43",
        check: check_2_43,
    },
    Bound {
        tag: "2.44",
        check: check_2_44,
    },
    Bound {
        tag: "2.40a",
        check: check_2_40a,
    },
    Bound {
        tag: "2.44a",
        check: check_2_44a,
    },
];

pub const DECLARED: &[Declared] = &[];

/// J'・J・η の対の添字は順不同（対称）、ヘッセ行列は対称、内積は a の向きによらない。
pub const SURVIVORS: &[Survivor] = &[
    Survivor {
        tag: "2.40a",
        mutant: "添字 ij → ji (位置 24)",
        reason: "ヘッセ行列（共分散行列）は対称なので H_{ji} = H_{ij}",
    },
    Survivor {
        tag: "2.44a",
        mutant: "^\\top を足す (位置 135)",
        reason: "a^⊤·φ も a·φ と同じ内積の値で、その 2 乗の期待値は変わらない",
    },
];

#[test]
fn eq_2_30_printed_form() {
    assert_printed("2.30", check_2_30);
}

#[test]
fn eq_2_31_printed_form() {
    assert_printed("2.31", check_2_31);
}

#[test]
fn eq_2_32_printed_form() {
    assert_printed("2.32", check_2_32);
}

#[test]
fn eq_2_33_printed_form() {
    assert_printed("2.33", check_2_33);
}

#[test]
fn eq_2_34_printed_form() {
    assert_printed("2.34", check_2_34);
}

#[test]
fn eq_2_35_printed_form() {
    assert_printed("2.35", check_2_35);
}

#[test]
fn eq_2_36_printed_form() {
    assert_printed("2.36", check_2_36);
}

#[test]
fn eq_2_37_printed_form() {
    assert_printed("2.37", check_2_37);
}

#[test]
fn eq_2_37a_printed_form() {
    assert_printed("2.37a", check_2_37a);
}

#[test]
fn eq_2_38_printed_form() {
    assert_printed("2.38", check_2_38);
}

#[test]
fn eq_2_39_printed_form() {
    assert_printed("2.39", check_2_39);
}

#[test]
fn eq_2_40_printed_form() {
    assert_printed("2.40", check_2_40);
}

#[test]
fn eq_2_41_printed_form() {
    assert_printed("2.41", check_2_41);
}

#[test]
fn eq_2_41a_printed_form() {
    assert_printed("2.41a", check_2_41a);
}

#[test]
fn eq_2_42_printed_form() {
    assert_printed("2.42", check_2_42);
}

#[test]
fn eq_2_43_printed_form() {
    assert_printed("2.43", check_2_43);
}

#[test]
fn eq_2_44_printed_form() {
    assert_printed("2.44", check_2_44);
}

#[test]
fn eq_2_40a_printed_form() {
    assert_printed("2.40a", check_2_40a);
}

#[test]
fn eq_2_44a_printed_form() {
    assert_printed("2.44a", check_2_44a);
}
