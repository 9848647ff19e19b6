//! 第 9 章 階層変分オートエンコーダの式（(9.1)–(9.12)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `hvae` に結びつける。
//!
//! - 前半（(9.1)–(9.6)、エンコーダ r_φ）: モデル `q_\theta`・エンコーダ `r_\phi` の遷移はクレートの
//!   `Decoder::step`・`Encoder::step`（と事後分布 `Decoder::posterior`）。密度の引数は値だけを受け取るので、
//!   スカラー 2 つの遷移 `q_\theta(a \mid b)` の段は、`\prod_{t=2}^{T}`・`\sum_{t=2}^{T}` の中ではその添字 t、
//!   外（`q_\theta(x \mid z_1)`・`r_\phi(z_1 \mid x)`）では 1 とする。ベクトル `\vz` を引数にとる同時分布・
//!   事後分布・周辺分布 `q_\theta(x)` は、テストの側で (x, z_1, …, z_T) の同時分布を線形ガウスの連鎖として組み
//!   （クレートの `Mvn`）、ガウス分布の条件づけで求める（クレートとは独立）。
//! - (9.3)・(9.4) の ℝ^T の積分は、事後分布とエンコーダの分布を覆うガウス分布を土台にした Gauss–Hermite 則の
//!   テンソル積（重みを土台の密度で割る）。KL 情報量は、`\vz` を積分規則の点を並べた行列に束縛して引数の
//!   密度の表を作り、Σ w p ln(p/q) とする。クレートの `log_marginal`・`elbo` と閉じた形の KL とも比べる。
//! - (9.6) の期待値は、エンコーダの下の z_1・z_T の周辺分布の Gauss–Hermite 則と、連鎖全体 `\vz` の
//!   Gauss–Hermite 則（被積分関数は 2 次式なので厳密）。隣の 2 層の期待値は連鎖全体の期待値に等しい。
//! - 後半（(9.7)–(9.12)、固定のエンコーダ r）: (9.7) の変数は時刻の印つきの値 (k, x_k) に束縛し、`r` は印から
//!   遷移・周辺分布・事後分布を選ぶ（クレートの `step`・`marginal_given_x0`・`reverse_given_x0`）。
//!   (9.8)・(9.11)・(9.12) の KL 情報量の中の動く変数（`x_{t-1}`・`x_T`）は時刻だけの印 (k) に束縛し、
//!   密度の関数はその分布の（平均, 分散）を返す。`\KL` はクレートの `kl_gaussian_1d`（(2.3a)）。
//!   `E_{r(x_t \mid x_0)}`・`E_{r(x_t)}` は格子の上の分布で、重みはページの密度 `r(x_t \mid x_0)`・`r(x_t)`
//!   そのもの（添字 t に応じて評価する）。
//! - (9.9)・(9.10) の左辺はテストの側の閉じた形（積の公式と、(x_{t−1}, x_t) の 2 次元ガウス分布の条件づけ）、
//!   右辺の量はクレートの値。クレートの `marginal_given_x0`・`reverse_given_x0` とも比べる。

use crate::ch08::kl_by_quadrature;
use crate::harness::{
    assert_printed, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::divergence::kl_gaussian_1d;
use genmodel::gaussian::Mvn;
use genmodel::hvae::estimate::{exact_moments, Form};
use genmodel::hvae::{elbo_bound, expected_elbo, Decoder, Encoder};
use genmodel::linalg::{inverse, symmetric_eigen, Spd};
use genmodel::ndarray::{Array1, Array2};
use std::f64::consts::PI;
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

/// 1 次元の正規分布の密度（テストの側で書く）。
fn normal(x: f64, m: f64, v: f64) -> f64 {
    (-(x - m) * (x - m) / (2.0 * v)).exp() / (2.0 * PI * v).sqrt()
}

/// スカラーの引数。
fn scalar(v: &Value) -> Result<f64, EvalError> {
    match v {
        Value::Scalar(x) => Ok(*x),
        other => Err(shape_error("スカラーの変数", other)),
    }
}

/// 密度の段: 積・和の添字 t の中ならその値、外なら 1。
fn layer(cx: &mut Ctx<'_>, depth: usize) -> Result<usize, EvalError> {
    let t = match cx.get("t") {
        Ok(v) => v.as_scalar()?,
        Err(EvalError::Unbound(_)) => 1.0,
        Err(e) => return Err(e),
    };
    if t.fract() != 0.0 || t < 1.0 || t > depth as f64 {
        return Err(EvalError::Index(format!("段 {t} は 1..={depth} の外")));
    }
    Ok(t as usize)
}

/// 確率論者の Gauss–Hermite 則（重み関数 N(0, 1)、n 点）: Jacobi 行列の固有値分解（Golub–Welsch）。
fn gauss_hermite(n: usize) -> (Vec<f64>, Vec<f64>) {
    let j = Array2::from_shape_fn((n, n), |(i, k)| {
        if i + 1 == k || k + 1 == i {
            (i.max(k) as f64).sqrt()
        } else {
            0.0
        }
    });
    let e = symmetric_eigen(&j).expect("Jacobi 行列");
    let w: Vec<f64> = (0..n).map(|i| e.vectors[[0, i]].powi(2)).collect();
    (e.values.to_vec(), w)
}

/// テンソル積の規則: 標準正規の点 ξ ∈ ℝ^d と重みの組。
fn tensor_rule(n: usize, d: usize) -> Vec<(Vec<f64>, f64)> {
    let (x, w) = gauss_hermite(n);
    let mut rule: Vec<(Vec<f64>, f64)> = vec![(Vec::new(), 1.0)];
    for _ in 0..d {
        rule = rule
            .into_iter()
            .flat_map(|(p, wp)| {
                x.iter().zip(&w).map(move |(xi, wi)| {
                    let mut q = p.clone();
                    q.push(*xi);
                    (q, wp * wi)
                })
            })
            .collect();
    }
    rule
}

// ---- 前半: エンコーダ r_φ の階層 VAE ----

/// 線形ガウスのモデルとエンコーダ、点 x、連鎖 z。
struct Phi {
    dec: Decoder,
    enc: Encoder,
    x: f64,
    z: Array1<f64>,
    /// (x, z_1, …, z_T) の同時分布の平均と分散共分散行列（テストの側で組む）。
    joint: (Array1<f64>, Array2<f64>),
    /// 同じ同時分布の `Mvn`（密度を点ごとに作り直さない）。
    joint_mvn: Mvn,
    /// x を与えた (z_1, …, z_T) の事後分布（ガウス分布の条件づけ）。
    posterior: Mvn,
    /// エンコーダの (z_1, …, z_T) の分布（x を与えたもの）。
    encoded: Mvn,
}

/// 線形の連鎖 y_k = g_k y_{k−1} + o_k + √u_k ε_k（k = 1..n、y_0 = start は定数）の (y_1, …, y_n) の平均と
/// 分散共分散行列。
fn linear_chain(g: &[f64], o: &[f64], u: &[f64], start: f64) -> (Array1<f64>, Array2<f64>) {
    let n = g.len();
    let mut l = Array2::<f64>::zeros((n, n));
    let mut m = Array1::<f64>::zeros(n);
    let (mut prev_m, mut prev_row) = (start, Array1::<f64>::zeros(n));
    for k in 0..n {
        let mut row = &prev_row * g[k];
        row[k] += u[k].sqrt();
        m[k] = g[k] * prev_m + o[k];
        l.row_mut(k).assign(&row);
        prev_m = m[k];
        prev_row = row;
    }
    (m, l.dot(&l.t()))
}

fn symmetrised(a: &Array2<f64>) -> Array2<f64> {
    (a + &a.t()) * 0.5
}

impl Phi {
    fn new(dec: Decoder, enc: Encoder, x: f64, z: &[f64]) -> Self {
        let t = dec.depth();
        // モデルは z_T から下る: (z_T, z_{T−1}, …, z_1, x) = 連鎖（z_T ~ N(0, 1) を 1 段目とする）
        let mut g = vec![0.0];
        let mut o = vec![0.0];
        let mut u = vec![1.0];
        for k in (1..=t).rev() {
            let (w, b, s) = dec.step(k).expect("段");
            g.push(w);
            o.push(b);
            u.push(s);
        }
        let (m_down, c_down) = linear_chain(&g, &o, &u, 0.0);
        // 並びを (x, z_1, …, z_T) に直す
        let idx = |i: usize| t - i; // 新しい i（0 = x）→ 古い位置
        let m = Array1::from_shape_fn(t + 1, |i| m_down[idx(i)]);
        let c = Array2::from_shape_fn((t + 1, t + 1), |(i, j)| c_down[[idx(i), idx(j)]]);
        // x で条件づける
        let cxx = c[[0, 0]];
        let czx = Array1::from_shape_fn(t, |i| c[[i + 1, 0]]);
        let pm = Array1::from_shape_fn(t, |i| m[i + 1] + czx[i] / cxx * (x - m[0]));
        let pc = Array2::from_shape_fn((t, t), |(i, j)| c[[i + 1, j + 1]] - czx[i] * czx[j] / cxx);
        let posterior = Mvn::new(pm, symmetrised(&pc)).expect("事後分布");
        let (a, cc, v): (Vec<f64>, Vec<f64>, Vec<f64>) = (1..=t)
            .map(|k| enc.step(k).expect("段"))
            .fold((vec![], vec![], vec![]), |(mut a, mut c, mut v), s| {
                a.push(s.0);
                c.push(s.1);
                v.push(s.2);
                (a, c, v)
            });
        let (em, ec) = linear_chain(&a, &cc, &v, x);
        let encoded = Mvn::new(em, symmetrised(&ec)).expect("エンコーダ");
        let joint_mvn = Mvn::new(m.clone(), symmetrised(&c)).expect("同時分布");
        Phi {
            dec,
            enc,
            x,
            z: Array1::from(z.to_vec()),
            joint: (m, c),
            joint_mvn,
            posterior,
            encoded,
        }
    }

    fn depth(&self) -> usize {
        self.dec.depth()
    }

    /// q_θ(x, z): (x, z) の同時分布の密度。
    fn joint_density(&self, x: f64, z: &Array1<f64>) -> Result<f64, EvalError> {
        let mut p = vec![x];
        p.extend(z.iter());
        self.joint_mvn
            .density(&Array1::from(p))
            .map_err(model_error)
    }

    /// q_θ(x): 同時分布の x の周辺分布。
    fn marginal_density(&self, x: f64) -> f64 {
        normal(x, self.joint.0[0], self.joint.1[[0, 0]])
    }

    /// 積分の土台: 事後分布とエンコーダの分布の平均の中点と、2 つの分散共分散行列と平均の差の外積の和。
    fn base(&self) -> (Array1<f64>, Array2<f64>) {
        let (mp, me) = (self.posterior.mean(), self.encoded.mean());
        let d = &mp - &me;
        let dd = Array2::from_shape_fn((d.len(), d.len()), |(i, j)| d[i] * d[j]);
        let c = &self.posterior.covariance().matrix() + &self.encoded.covariance().matrix() + dd;
        ((&mp + &me) * 0.5, c)
    }

    /// ℝ^T の積分規則（点と重み）: 土台 N(m_b, C_b) の Gauss–Hermite 則の点 m_b + L ξ、重み w_GH / φ_b。
    fn rule(&self, n: usize) -> (Vec<Value>, Vec<f64>) {
        let (mb, cb) = self.base();
        let spd = Spd::new(cb.clone()).expect("土台");
        let l = spd.cholesky_lower().to_owned();
        let phi = Mvn::new(mb.clone(), cb).expect("土台");
        tensor_rule(n, self.depth())
            .into_iter()
            .map(|(xi, w)| {
                let p = &mb + &l.dot(&Array1::from(xi));
                let d = phi.density(&p).expect("土台の密度");
                (Value::from(p), w / d)
            })
            .unzip()
    }

    /// エンコーダの分布と事後分布の KL 情報量の閉じた形（テストの側）。
    fn kl_closed_form(&self) -> f64 {
        // KL(N(μr, Σr) ‖ N(μq, Σq)) = ½[tr(Σq⁻¹Σr) + (μq−μr)ᵀΣq⁻¹(μq−μr) − T + ln det Σq − ln det Σr]
        let (r, q) = (&self.encoded, &self.posterior);
        let qi = inverse(q.covariance().matrix()).expect("逆行列");
        let d = &q.mean() - &r.mean();
        let tr = (qi.dot(&r.covariance().matrix())).diag().sum();
        let quad = d.dot(&qi.dot(&d));
        0.5 * (tr + quad - self.depth() as f64 + q.covariance().ln_det() - r.covariance().ln_det())
    }
}

/// 2 つのスカラーの遷移 `q_\theta(a \mid b)` の読み方（式ごとに違う）。
#[derive(Clone, Copy, PartialEq)]
enum Transition {
    /// モデルの下る遷移 q_θ(z_{t−1} | z_t) = N(w_t z_t + b_t, s_t)（(9.1)・(9.6)）。
    Down,
    /// 事後分布の上る遷移 q_θ(z_t | z_{t−1})（クレートの `Decoder::posterior`、(9.5)）。
    Up,
}

/// 点の表: z が列ベクトルなら値、行列（行が点）なら行ごとの値の列ベクトル。
fn table(
    z: &Value,
    n: usize,
    f: impl Fn(&Array1<f64>) -> Result<f64, EvalError>,
) -> Result<Value, EvalError> {
    match z {
        Value::Vector(v) if v.len() == n => f(v).map(Value::Scalar),
        Value::Matrix(m) if m.ncols() == n => m
            .rows()
            .into_iter()
            .map(|r| f(&r.to_owned()))
            .collect::<Result<Array1<f64>, _>>()
            .map(Value::from),
        other => Err(shape_error(
            "潜在変数（列ベクトルか、点を行に並べた行列）",
            other,
        )),
    }
}

/// 前半の関数を束縛する。
fn bind_phi(e: &mut Env, ph: &Rc<Phi>, transition: Transition) {
    let depth = ph.depth();
    e.scalar("x", ph.x).scalar("T", depth as f64);
    e.func("q", |a: &[Value]| match a {
        [z] => Ok(Value::Scalar(normal(scalar(z)?, 0.0, 1.0))),
        _ => Err(arity_error("q", a.len())),
    });
    let p = ph.clone();
    let post = Rc::new(p.dec.posterior().expect("事後分布"));
    e.func_ctx(r"q_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| match a {
        [x] => Ok(Value::Scalar(p.marginal_density(scalar(x)?))),
        [Value::Scalar(x), z @ Value::Vector(_)] => {
            let z = z.clone();
            table(&z, depth, |z| p.joint_density(*x, z))
        }
        [z, Value::Scalar(x)] if !matches!(z, Value::Scalar(_)) => {
            if *x != p.x {
                return Err(EvalError::Domain(
                    "事後分布は束縛の x でだけ求めてある".into(),
                ));
            }
            table(z, depth, |z| p.posterior.density(z).map_err(model_error))
        }
        [u, v] => {
            let (u, v) = (scalar(u)?, scalar(v)?);
            let k = layer(cx, depth)?;
            match transition {
                Transition::Down => {
                    let (w, b, s) = p.dec.step(k).map_err(model_error)?;
                    Ok(Value::Scalar(normal(u, w * v + b, s)))
                }
                Transition::Up => {
                    let (g, o, s) = post.step(k).map_err(model_error)?;
                    Ok(Value::Scalar(normal(u, g * v + o, s)))
                }
            }
        }
        _ => Err(arity_error(r"q_\theta", a.len())),
    });
    let p = ph.clone();
    e.func_ctx(r"r_\phi", move |cx: &mut Ctx<'_>, a: &[Value]| match a {
        [z, Value::Scalar(x)] if !matches!(z, Value::Scalar(_)) => {
            if *x != p.x {
                return Err(EvalError::Domain(
                    "エンコーダの分布は束縛の x でだけ求めてある".into(),
                ));
            }
            table(z, depth, |z| p.encoded.density(z).map_err(model_error))
        }
        [u, v] => {
            let (u, v) = (scalar(u)?, scalar(v)?);
            let k = layer(cx, depth)?;
            let (g, o, s) = p.enc.step(k).map_err(model_error)?;
            Ok(Value::Scalar(normal(u, g * v + o, s)))
        }
        _ => Err(arity_error(r"r_\phi", a.len())),
    });
    let p = ph.clone();
    e.func(r"\operatorname{ELBO}", move |a: &[Value]| match a {
        [x] => p
            .dec
            .elbo(&p.enc, scalar(x)?)
            .map(Value::Scalar)
            .map_err(model_error),
        _ => Err(arity_error("ELBO", a.len())),
    });
}

/// 事後分布のエンコーダを少しずらしたもの（係数 0.8 倍、ずれ +0.15、分散 1.3 倍）: ELBO は対数尤度より
/// はっきり小さいが、積分規則が 2 つの分布をともに解ける近さにある。
fn nudged(post: &Encoder) -> Encoder {
    let steps: Vec<(f64, f64, f64)> = (1..=post.depth())
        .map(|k| post.step(k).expect("段"))
        .collect();
    let a: Vec<f64> = steps.iter().map(|s| 0.8 * s.0).collect();
    let c: Vec<f64> = steps.iter().map(|s| s.1 + 0.15).collect();
    let v: Vec<f64> = steps.iter().map(|s| 1.3 * s.2).collect();
    Encoder::new(a.as_slice(), c.as_slice(), v.as_slice()).expect("エンコーダ")
}

/// 本文の例のモデル（T = 3）。
fn page_decoder() -> Decoder {
    Decoder::new(&[0.8, -0.6, 1.1], &[0.2, 0.1, -0.3], &[0.3, 0.5, 0.4]).expect("モデル")
}

/// 前半の束縛の組: モデル・エンコーダ・点・連鎖。T = 1, 2, 3 と、事後分布に一致するエンコーダを含む。
fn phi_cases() -> Vec<Rc<Phi>> {
    let page = page_decoder();
    let post = page.posterior().expect("事後分布");
    let two = Decoder::new(&[0.9, -0.5], &[-0.4, 0.5], &[0.6, 0.7]).expect("モデル");
    let one = Decoder::new(&[0.9], &[0.3], &[0.7]).expect("モデル");
    vec![
        // 本文の例: エンコーダ a = (0.5, −0.4, 0.6)、c = 0、v = 0.3
        Rc::new(Phi::new(
            page.clone(),
            Encoder::new(&[0.5, -0.4, 0.6], &[0.0; 3], &[0.3; 3]).expect("エンコーダ"),
            0.7,
            &[0.4, -0.3, 0.9],
        )),
        // エンコーダ = 事後分布（ELBO = 対数尤度）
        Rc::new(Phi::new(page, post, -1.1, &[-0.2, 0.6, -1.3])),
        Rc::new(Phi::new(
            two.clone(),
            nudged(&two.posterior().expect("事後分布")),
            1.6,
            &[1.1, 0.2],
        )),
        Rc::new(Phi::new(
            one.clone(),
            nudged(&one.posterior().expect("事後分布")),
            -0.8,
            &[0.5],
        )),
    ]
}

// ---- (9.1)・(9.2)・(9.5): 連鎖の密度の分解 ----

fn point_envs(transition: Transition) -> Vec<(Rc<Phi>, Env)> {
    phi_cases()
        .into_iter()
        .map(|ph| {
            let mut e = env();
            bind_phi(&mut e, &ph, transition);
            e.set(r"\vz", ph.z.clone());
            (ph, e)
        })
        .collect()
}

/// (9.1): 左辺はテストの側の同時分布（連鎖の Mvn）、右辺はクレートの遷移。クレートの `log_joint` とも比べる。
fn check_9_1(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = point_envs(Transition::Down)
        .into_iter()
        .map(|(ph, mut e)| {
            e.scalar(
                IMPL,
                ph.dec.log_joint(ph.x, &ph.z).expect("ln q_θ(x, z)").exp(),
            );
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        0,
        &refs(&envs),
        "Decoder::log_joint の exp",
    ));
    rs
}

/// (9.2): 左辺はテストの側のエンコーダの連鎖の Mvn、右辺はクレートの遷移。クレートの `log_density` とも比べる。
fn check_9_2(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = point_envs(Transition::Down)
        .into_iter()
        .map(|(ph, mut e)| {
            e.scalar(IMPL, ph.enc.log_density(ph.x, &ph.z).expect("ln r_φ").exp());
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        0,
        &refs(&envs),
        "Encoder::log_density の exp",
    ));
    rs
}

/// (9.5): 左辺は同時分布の x での条件づけ（テストの側）、右辺はクレートの事後分布の遷移
/// `Decoder::posterior`。その `log_density` とも比べる。
fn check_9_5(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = point_envs(Transition::Up)
        .into_iter()
        .map(|(ph, mut e)| {
            let post = ph.dec.posterior().expect("事後分布");
            e.scalar(
                IMPL,
                post.log_density(ph.x, &ph.z).expect("ln q_θ(z | x)").exp(),
            );
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        0,
        &refs(&envs),
        "Decoder::posterior の密度",
    ));
    rs
}

// ---- (9.3)・(9.4): 下界とその差 ----

/// 積分の点の数（1 次元あたり）: T ≥ 2 は 30 点、T = 1 は 40 点（さらに増やすと、土台の裾の点で密度が 0 に落ちる）。
fn nodes(depth: usize) -> usize {
    if depth >= 2 {
        30
    } else {
        40
    }
}

fn bound_envs() -> Vec<(Rc<Phi>, Env)> {
    phi_cases()
        .into_iter()
        .map(|ph| {
            let mut e = env();
            bind_phi(&mut e, &ph, Transition::Down);
            let (pts, ws) = ph.rule(nodes(ph.depth()));
            let rows: Vec<Vec<f64>> = pts.iter().map(Value::components).collect();
            let m = Array2::from_shape_fn((rows.len(), ph.depth()), |(i, j)| rows[i][j]);
            e.set(r"\vz", m)
                .func(r"\KL", kl_by_quadrature(ws.clone()))
                .quadrature(r"\vz", pts, ws);
            (ph, e)
        })
        .collect()
}

/// (9.3): 左辺は同時分布の周辺分布（テストの側）、積分は ℝ^T の Gauss–Hermite 則。等号の右辺と不等号の右辺を
/// クレートの `log_marginal` の exp の対数・`elbo` と比べる。事後分布のエンコーダでは不等号が等号で成り立ち、
/// 本文の例（a = (0.5, −0.4, 0.6)）では 0.37 離れる。
fn check_9_3(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut elbo_envs = Vec::new();
    for (ph, mut e) in bound_envs() {
        let mut f = e.clone();
        e.scalar(IMPL, ph.dec.log_marginal(ph.x).expect("ln q_θ(x)"));
        f.scalar(IMPL, ph.dec.elbo(&ph.enc, ph.x).expect("ELBO"));
        envs.push(e);
        elbo_envs.push(f);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "Decoder::log_marginal"));
    rs.extend(impl_link(eq, 0, 2, &refs(&elbo_envs), "Decoder::elbo"));
    rs
}

/// (9.4): 左辺はテストの側の周辺分布とクレートの `elbo`、右辺の KL は密度の表の数値積分。2 つのガウス分布の
/// KL 情報量の閉じた形（テストの側）とも比べる。
fn check_9_4(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = bound_envs()
        .into_iter()
        .map(|(ph, mut e)| {
            e.scalar(IMPL, ph.kl_closed_form());
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "ガウス分布の KL の閉じた形",
    ));
    rs
}

// ---- (9.6): 層ごとの項 ----

/// (9.6): 左辺はクレートの `elbo`（閉じた形）。右辺の期待値は z_1・z_T の周辺分布と連鎖全体の Gauss–Hermite 則。
/// クレートの (9.6) の形の 1 標本の値の厳密な平均 `exact_moments(…, Form::Chain)` とも比べる。
fn check_9_6(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for ph in phi_cases() {
        let mut e = env();
        bind_phi(&mut e, &ph, Transition::Down);
        let depth = ph.depth();
        let (gx, gw) = gauss_hermite(7);
        let (m, c) = (ph.encoded.mean(), ph.encoded.covariance().matrix());
        for (name, k) in [("z_1", 0), ("z_T", depth - 1)] {
            let sub = format!(r"r_\phi({name} \mid x)");
            let states = gx
                .iter()
                .map(|x| Value::Scalar(m[k] + c[[k, k]].sqrt() * x))
                .collect();
            e.distribution(&sub, name, states, Weights::Fixed(gw.clone()));
        }
        // 連鎖全体: z_k = a_k z_{k−1} + c_k + √v_k ε_k（テストの側でたどる）
        let (states, w): (Vec<Value>, Vec<f64>) = tensor_rule(4, depth)
            .into_iter()
            .map(|(eps, w)| {
                let mut prev = ph.x;
                let z: Vec<f64> = (1..=depth)
                    .map(|k| {
                        let (a, c, v) = ph.enc.step(k).expect("段");
                        prev = a * prev + c + v.sqrt() * eps[k - 1];
                        prev
                    })
                    .collect();
                (Value::from(z), w)
            })
            .unzip();
        e.distribution(
            r"r_\phi(z_{t-1}, z_t \mid x)",
            r"\vz",
            states,
            Weights::Fixed(w),
        );
        e.scalar(
            IMPL,
            exact_moments(&ph.dec, &ph.enc, ph.x, Form::Chain)
                .expect("厳密な平均")
                .0,
        );
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "exact_moments(Form::Chain) の平均",
    ));
    rs
}

// ---- 後半: 固定のエンコーダ ----

/// 固定のエンコーダの例: 演習 9.1（T = 2）、本文（a = 0.9、v = 0.19、T = 5）、段ごとに違う T = 4。
fn fixed_encoders() -> Vec<Rc<Encoder>> {
    vec![
        Rc::new(Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64]).expect("演習 9.1")),
        Rc::new(Encoder::fixed(&[0.9; 5], &[0.19; 5]).expect("本文")),
        Rc::new(Encoder::fixed(&[1.2, -0.7, 0.5, 0.95], &[0.3, 0.15, 0.6, 0.2]).expect("T = 4")),
    ]
}

/// 時刻の印つきの値 (k, x) と、時刻だけの印 (k)。
fn tagged(k: usize, x: f64) -> Value {
    Value::Tuple(vec![Value::Scalar(k as f64), Value::Scalar(x)])
}

fn free_var(k: usize) -> Value {
    Value::Tuple(vec![Value::Scalar(k as f64)])
}

/// 印 (k, x) を読む。
fn read_tagged(v: &Value) -> Result<(usize, f64), EvalError> {
    match v {
        Value::Tuple(t) if t.len() == 2 => Ok((t[0].as_scalar()? as usize, t[1].as_scalar()?)),
        other => Err(shape_error("時刻の印つきの値 (k, x)", other)),
    }
}

/// 印 (k) を読む（値のない、分布の変数）。
fn read_free(v: &Value) -> Option<usize> {
    match v {
        Value::Tuple(t) if t.len() == 1 => t[0].as_scalar().ok().map(|k| k as usize),
        _ => None,
    }
}

/// (平均, 分散) の組（分布の変数を引数にとった密度の値）。
fn moments(m: f64, v: f64) -> Value {
    Value::from(vec![m, v])
}

fn read_moments(v: &Value) -> Result<(f64, f64), EvalError> {
    match v {
        Value::Vector(a) if a.len() == 2 => Ok((a[0], a[1])),
        other => Err(shape_error("分布の (平均, 分散)", other)),
    }
}

/// `\KL`: 2 つの (平均, 分散) のガウス分布の KL 情報量（クレートの `kl_gaussian_1d`、(2.3a)）。
fn bind_kl(e: &mut Env) {
    e.func(r"\KL", |a: &[Value]| match a {
        [p, q] => {
            let ((m1, v1), (m2, v2)) = (read_moments(p)?, read_moments(q)?);
            kl_gaussian_1d(m1, v1, m2, v2)
                .map(Value::Scalar)
                .map_err(model_error)
        }
        _ => Err(arity_error(r"\KL", a.len())),
    });
}

/// 時刻 k の変数の印を返す関数 `\mathrm{free}`（`x_{t-1}` の束縛の式に使う）。
fn bind_free(e: &mut Env) {
    e.func(r"\mathrm{free}", |a: &[Value]| match a {
        [k] => {
            let k = k.as_scalar()?;
            if k.fract() != 0.0 || k < 0.0 {
                return Err(EvalError::Index(format!("時刻 {k}")));
            }
            Ok(free_var(k as usize))
        }
        _ => Err(arity_error("free", a.len())),
    });
}

/// 1 次元の格子（[lo, hi]、n + 1 点）。
fn line(lo: f64, hi: f64, n: usize) -> Vec<Value> {
    (0..=n)
        .map(|i| Value::Scalar(lo + (hi - lo) * i as f64 / n as f64))
        .collect()
}

// ---- (9.7) ----

/// (9.7): 変数は時刻の印つきの値。`r` は印から遷移（クレートの `step`）・`x_0` を与えた周辺分布
/// （`marginal_given_x0`）・事後分布（`reverse_given_x0`）を選ぶ。左辺の遷移の密度はテストの側で書く。
fn check_9_7(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let points = [(1.0, 0.5, 0.3), (-0.6, 0.9, -1.4), (2.1, -0.3, 0.8)];
    for (i, enc) in fixed_encoders().into_iter().enumerate() {
        for t in 2..=enc.depth() {
            let (x0, prev, now) = points[(i + t) % points.len()];
            let mut e = env();
            e.scalar("t", t as f64)
                .set("x_0", tagged(0, x0))
                .set("x_{t-1}", tagged(t - 1, prev))
                .set("x_t", tagged(t, now));
            let q = enc.clone();
            e.func("r", move |a: &[Value]| {
                let density = |(m, v): (f64, f64), x: f64| Value::Scalar(normal(x, m, v));
                match a {
                    [u, w] => {
                        let ((ku, xu), (kw, xw)) = (read_tagged(u)?, read_tagged(w)?);
                        if kw == 0 {
                            let mv = q.marginal_given_x0(ku, xw).map_err(model_error)?;
                            Ok(density(mv, xu))
                        } else if ku == kw + 1 {
                            let (g, o, s) = q.step(ku).map_err(model_error)?;
                            Ok(density((g * xw + o, s), xu))
                        } else {
                            Err(EvalError::Unsupported(format!("r(x_{ku} | x_{kw})")))
                        }
                    }
                    [u, w, y] => {
                        let ((ku, xu), (kw, xw), (ky, xy)) =
                            (read_tagged(u)?, read_tagged(w)?, read_tagged(y)?);
                        if ky != 0 || kw != ku + 1 {
                            return Err(EvalError::Unsupported(format!(
                                "r(x_{ku} | x_{kw}, x_{ky})"
                            )));
                        }
                        let mv = q.reverse_given_x0(kw, xw, xy).map_err(model_error)?;
                        Ok(density(mv, xu))
                    }
                    _ => Err(arity_error("r", a.len())),
                }
            });
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

// ---- (9.8) ----

/// (9.8) のデコーダ: 最適から遠いもの、データ N(1, 0.25) に最適なもの、段ごとに違うもの。
fn decoders_for(enc: &Encoder) -> Vec<Decoder> {
    let t = enc.depth();
    let spread: Vec<f64> = (0..t).map(|k| 0.3 + 0.1 * k as f64).collect();
    let gain: Vec<f64> = (0..t).map(|k| 1.1 - 0.15 * k as f64).collect();
    let off: Vec<f64> = (0..t).map(|k| 0.2 * (k as f64) - 0.3).collect();
    vec![
        Decoder::new(
            vec![0.5; t].as_slice(),
            vec![0.0; t].as_slice(),
            vec![0.5; t].as_slice(),
        )
        .expect("遠い"),
        Decoder::optimal_for_gaussian(enc, 1.0, 0.25).expect("最適"),
        Decoder::new(gain.as_slice(), off.as_slice(), spread.as_slice()).expect("段ごと"),
    ]
}

/// (9.8): 左辺はクレートの `elbo`（(9.6) の積率の閉じた形）、右辺の分布はクレートの `marginal_given_x0`・
/// `reverse_given_x0`・`step`、KL は `kl_gaussian_1d`。期待値は格子の上で、重みはページの密度
/// `r(x_t \mid x_0)`。クレートの (9.8) の形の厳密な平均 `exact_moments(…, Form::FixedEncoder)` とも比べる。
fn check_9_8(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (i, enc) in fixed_encoders().into_iter().enumerate() {
        for (j, dec) in decoders_for(&enc).into_iter().enumerate() {
            let x0 = [1.5, -0.7, 0.4][(i + j) % 3];
            let depth = enc.depth();
            let dec = Rc::new(dec);
            let mut e = env();
            e.scalar("x_0", x0)
                .scalar("T", depth as f64)
                .set("x_T", free_var(depth))
                .formula("x_{t-1}", r"\mathrm{free}(t-1)")
                .expect("式");
            bind_free(&mut e);
            bind_kl(&mut e);
            e.func("q", |a: &[Value]| match a {
                [z] if read_free(z).is_some() => Ok(moments(0.0, 1.0)),
                _ => Err(arity_error("q", a.len())),
            });
            let q = enc.clone();
            e.func_ctx("r", move |cx: &mut Ctx<'_>, a: &[Value]| match a {
                [u, w] => {
                    let x0 = scalar(w)?;
                    if let Some(k) = read_free(u) {
                        let (m, v) = q.marginal_given_x0(k, x0).map_err(model_error)?;
                        return Ok(moments(m, v));
                    }
                    let k = layer(cx, q.depth())?;
                    let (m, v) = q.marginal_given_x0(k, x0).map_err(model_error)?;
                    Ok(Value::Scalar(normal(scalar(u)?, m, v)))
                }
                [u, w, y] => {
                    let k = read_free(u).ok_or_else(|| shape_error("r(· | x_t, x_0) の変数", u))?;
                    let (m, v) = q
                        .reverse_given_x0(k + 1, scalar(w)?, scalar(y)?)
                        .map_err(model_error)?;
                    Ok(moments(m, v))
                }
                _ => Err(arity_error("r", a.len())),
            });
            let p = dec.clone();
            e.func_ctx(r"q_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| match a {
                [u, w] => {
                    let xw = scalar(w)?;
                    if let Some(k) = read_free(u) {
                        let (g, o, s) = p.step(k + 1).map_err(model_error)?;
                        return Ok(moments(g * xw + o, s));
                    }
                    let k = layer(cx, p.depth())?;
                    let (g, o, s) = p.step(k).map_err(model_error)?;
                    Ok(Value::Scalar(normal(scalar(u)?, g * xw + o, s)))
                }
                _ => Err(arity_error(r"q_\theta", a.len())),
            });
            let (p, q) = (dec.clone(), enc.clone());
            e.func(r"\operatorname{ELBO}", move |a: &[Value]| match a {
                [x] => p
                    .elbo(&q, scalar(x)?)
                    .map(Value::Scalar)
                    .map_err(model_error),
                _ => Err(arity_error("ELBO", a.len())),
            });
            // 格子の上の x_1・x_t の分布（重みはページの密度）
            let grid = line(x0 - 14.0, x0 + 14.0, 1400);
            e.distribution_latex(r"r(x_1 \mid x_0)", "x_1", grid.clone(), r"r(x_1 \mid x_0)")
                .expect("分布")
                .distribution_latex(r"r(x_t \mid x_0)", "x_t", grid, r"r(x_t \mid x_0)")
                .expect("分布");
            e.scalar(
                IMPL,
                exact_moments(&dec, &enc, x0, Form::FixedEncoder)
                    .expect("厳密な平均")
                    .0,
            );
            envs.push(e);
        }
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "exact_moments(Form::FixedEncoder) の平均",
    ));
    rs
}

// ---- (9.9)・(9.10) ----

/// テストの側の閉じた形: ā_t = ∏_{s ≤ t} a_s、v̄_t = Σ_{s ≤ t} v_s ∏_{s < u ≤ t} a_u²。
fn products(enc: &Encoder, t: usize) -> (f64, f64) {
    let step = |k: usize| enc.step(k).expect("段");
    let abar: f64 = (1..=t).map(|k| step(k).0).product();
    let vbar: f64 = (1..=t)
        .map(|s| step(s).2 * (s + 1..=t).map(|u| step(u).0.powi(2)).product::<f64>())
        .sum();
    (abar, vbar)
}

/// 時刻 t の量をクレートの値で束縛する: a_t、v_t、ā_{t−1}、v̄_{t−1}（x_0 = 1 の平均と分散）、ā_t、v̄_t。
fn bind_bars(e: &mut Env, enc: &Encoder, t: usize) {
    let (a, _, v) = enc.step(t).expect("段");
    let (ab_prev, vb_prev) = enc.marginal_given_x0(t - 1, 1.0).expect("(9.9)");
    let (ab, vb) = enc.marginal_given_x0(t, 1.0).expect("(9.9)");
    e.scalar("t", t as f64)
        .scalar("a_t", a)
        .scalar("v_t", v)
        .scalar(r"\bar{a}_{t-1}", ab_prev)
        .scalar(r"\bar{v}_{t-1}", vb_prev)
        .scalar(r"\bar{a}_t", ab)
        .scalar(r"\bar{v}_t", vb);
}

/// 連鎖 `chain` の左辺を `\mathrm{impl}` と比べる。
fn impl_term(eq: &Equation, envs: &[Env], chain: usize, what: &str) -> Vec<LinkResult> {
    impl_link(eq, chain, 0, &refs(envs), what)
}

/// (9.9): 左辺はテストの側の積の公式、右辺の ā_{t−1}・v̄_{t−1} と a_t・v_t はクレート。
/// 左辺をクレートの `marginal_given_x0` とも比べる。
fn check_9_9(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut crate_a = Vec::new();
    let mut crate_v = Vec::new();
    for enc in fixed_encoders() {
        for t in 1..=enc.depth() {
            let mut e = env();
            bind_bars(&mut e, &enc, t);
            let (ab, vb) = products(&enc, t);
            e.scalar(r"\bar{a}_t", ab).scalar(r"\bar{v}_t", vb);
            let (cm, cv) = enc.marginal_given_x0(t, 1.0).expect("(9.9)");
            let mut f = e.clone();
            f.scalar(IMPL, cm);
            crate_a.push(f);
            let mut g = e.clone();
            g.scalar(IMPL, cv);
            crate_v.push(g);
            envs.push(e);
        }
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_term(
        eq,
        &crate_a,
        0,
        "marginal_given_x0 の平均（x_0 = 1）",
    ));
    rs.extend(impl_term(eq, &crate_v, 1, "marginal_given_x0 の分散"));
    rs
}

/// (x_{t−1}, x_t) の x_0 を与えた 2 次元のガウス分布をテストの側の連鎖から組み、x_t で条件づける。
fn reverse_by_conditioning(enc: &Encoder, t: usize, xt: f64, x0: f64) -> (f64, f64) {
    let (a, c, v): (Vec<f64>, Vec<f64>, Vec<f64>) = (1..=t).map(|k| enc.step(k).expect("段")).fold(
        (vec![], vec![], vec![]),
        |(mut a, mut c, mut v), s| {
            a.push(s.0);
            c.push(s.1);
            v.push(s.2);
            (a, c, v)
        },
    );
    let (m, cov) = linear_chain(&a, &c, &v, x0);
    let (i, j) = (t - 1, t);
    // t = 1 では x_{t−1} = x_0（定数）。ここでは t ≥ 2
    let (mp, mt) = (m[i - 1], m[j - 1]);
    let (cpp, cpt, ctt) = (
        cov[[i - 1, i - 1]],
        cov[[i - 1, j - 1]],
        cov[[j - 1, j - 1]],
    );
    (mp + cpt / ctt * (xt - mt), cpp - cpt * cpt / ctt)
}

/// (9.10): 左辺は (x_{t−1}, x_t) の条件づけ（テストの側）、右辺の量はクレート。
/// 左辺をクレートの `reverse_given_x0` とも比べる。
fn check_9_10(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mut crate_m = Vec::new();
    let mut crate_v = Vec::new();
    let points = [(1.0, 0.5), (-1.3, 0.4), (0.6, -2.2), (2.5, 1.9)];
    for (i, enc) in fixed_encoders().into_iter().enumerate() {
        for t in 2..=enc.depth() {
            let (x0, xt) = points[(i + t) % points.len()];
            let mut e = env();
            bind_bars(&mut e, &enc, t);
            let (m, v) = reverse_by_conditioning(&enc, t, xt, x0);
            e.scalar("x_0", x0)
                .scalar("x_t", xt)
                .scalar(r"\widetilde{\mu}_t", m)
                .scalar(r"\widetilde{v}_t", v);
            let (cm, cv) = enc.reverse_given_x0(t, xt, x0).expect("(9.10)");
            let mut f = e.clone();
            f.scalar(IMPL, cm);
            crate_m.push(f);
            let mut g = e.clone();
            g.scalar(IMPL, cv);
            crate_v.push(g);
            envs.push(e);
        }
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_term(eq, &crate_m, 0, "reverse_given_x0 の平均"));
    rs.extend(impl_term(eq, &crate_v, 1, "reverse_given_x0 の分散"));
    rs
}

// ---- (9.11)・(9.12): データについて平均した ELBO ----

/// データの分布 N(mean, var)、固定のエンコーダ、デコーダ。
struct Averaged {
    mean: f64,
    var: f64,
    enc: Encoder,
    dec: Decoder,
}

/// 本文の例（N(1, 0.25)、a = 0.9、v = 0.19、T = 5 の最適なデコーダと遠いデコーダ）、エントロピーが負になる
/// 狭いデータ（分散 0.03）の最適なデコーダ、段ごとに違うエンコーダと任意のデコーダ。
fn averaged_cases() -> Vec<Rc<Averaged>> {
    let page = Encoder::fixed(&[0.9; 5], &[0.19; 5]).expect("本文");
    let odd = Encoder::fixed(&[1.2, -0.7, 0.5], &[0.3, 0.15, 0.6]).expect("T = 3");
    let far = Decoder::new(&[0.5; 5], &[0.0; 5], &[0.5; 5]).expect("遠い");
    let mut out = vec![
        Averaged {
            mean: 1.0,
            var: 0.25,
            dec: Decoder::optimal_for_gaussian(&page, 1.0, 0.25).expect("最適"),
            enc: page.clone(),
        },
        Averaged {
            mean: 1.0,
            var: 0.25,
            dec: far,
            enc: page.clone(),
        },
        Averaged {
            mean: -0.4,
            var: 0.03,
            dec: Decoder::optimal_for_gaussian(&odd, -0.4, 0.03).expect("最適"),
            enc: odd.clone(),
        },
    ];
    out.push(Averaged {
        mean: 0.3,
        var: 1.7,
        dec: Decoder::new(&[0.4, -1.1, 0.8], &[0.2, -0.1, 0.5], &[0.35, 0.9, 0.25]).expect("任意"),
        enc: odd,
    });
    out.into_iter().map(Rc::new).collect()
}

/// (9.11)・(9.12) の束縛: E_p の格子の分布、`p` = (平均, 分散)、`\mathcal{H}`、`r(x_k)`・
/// `r(x_{k} \mid x_{k+1})`（データとエンコーダの同時分布。クレートの `marginal_of_data` と最適なデコーダの段）、
/// `q_\theta` の段、`q(x_T)`、`\KL`。
fn averaged_env(c: &Rc<Averaged>) -> Env {
    let depth = c.enc.depth();
    let mut e = env();
    e.scalar("T", depth as f64)
        .set("p", moments(c.mean, c.var))
        .set("x_T", free_var(depth))
        .formula("x_{t-1}", r"\mathrm{free}(t-1)")
        .expect("式");
    bind_free(&mut e);
    bind_kl(&mut e);
    // エントロピー ½ ln(2πe s²)（テストの側）
    e.func(r"\mathcal{H}", |a: &[Value]| match a {
        [p] => {
            let (_, v) = read_moments(p)?;
            Ok(Value::Scalar(
                0.5 * (2.0 * PI * std::f64::consts::E * v).ln(),
            ))
        }
        _ => Err(arity_error("H", a.len())),
    });
    e.func("q", |a: &[Value]| match a {
        [z] if read_free(z).is_some() => Ok(moments(0.0, 1.0)),
        _ => Err(arity_error("q", a.len())),
    });
    let reverse = Rc::new(Decoder::optimal_for_gaussian(&c.enc, c.mean, c.var).expect("逆向き"));
    let q = c.clone();
    e.func_ctx("r", move |cx: &mut Ctx<'_>, a: &[Value]| match a {
        [u] => {
            if let Some(k) = read_free(u) {
                let (m, v) = q
                    .enc
                    .marginal_of_data(k, q.mean, q.var)
                    .map_err(model_error)?;
                return Ok(moments(m, v));
            }
            let k = layer(cx, depth)?;
            let (m, v) = q
                .enc
                .marginal_of_data(k, q.mean, q.var)
                .map_err(model_error)?;
            Ok(Value::Scalar(normal(scalar(u)?, m, v)))
        }
        [u, w] => {
            let k = read_free(u).ok_or_else(|| shape_error("r(· | x_t) の変数", u))?;
            let (g, o, s) = reverse.step(k + 1).map_err(model_error)?;
            Ok(moments(g * scalar(w)? + o, s))
        }
        _ => Err(arity_error("r", a.len())),
    });
    let p = c.clone();
    e.func(r"q_\theta", move |a: &[Value]| match a {
        [u, w] => {
            let k = read_free(u).ok_or_else(|| shape_error("q_θ(· | x_t) の変数", u))?;
            let (g, o, s) = p.dec.step(k + 1).map_err(model_error)?;
            Ok(moments(g * scalar(w)? + o, s))
        }
        _ => Err(arity_error(r"q_\theta", a.len())),
    });
    let p = c.clone();
    e.func(r"\operatorname{ELBO}", move |a: &[Value]| match a {
        [x] => p
            .dec
            .elbo(&p.enc, scalar(x)?)
            .map(Value::Scalar)
            .map_err(model_error),
        _ => Err(arity_error("ELBO", a.len())),
    });
    // E_p: 格子の上の N(mean, var)（重みはテストの側の密度）、E_{r(x_t)}: 格子の上でページの密度 r(x_t)
    let sd = c.var.sqrt();
    let grid = line(c.mean - 12.0 * sd, c.mean + 12.0 * sd, 1200);
    let w: Vec<f64> = grid
        .iter()
        .map(|x| normal(x.as_scalar().expect("点"), c.mean, c.var))
        .collect();
    e.distribution("p", "x_0", grid, Weights::Fixed(w));
    let wide = line(-16.0, 16.0, 1600);
    e.distribution_latex("r(x_t)", "x_t", wide, "r(x_t)")
        .expect("分布");
    e
}

/// (9.11): 左辺はクレートの `elbo` の、格子の上の E_p。右辺はデータとエンコーダの同時分布の周辺分布・
/// 逆向きの条件つき分布（クレート）と KL。クレートの `expected_elbo` とも比べる。
fn check_9_11(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = averaged_cases()
        .iter()
        .map(|c| {
            let mut e = averaged_env(c);
            e.scalar(
                IMPL,
                expected_elbo(&c.dec, &c.enc, c.mean, c.var).expect("E_p[ELBO]"),
            );
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 0, &refs(&envs), "expected_elbo"));
    rs
}

/// (9.12): (9.11) と同じ束縛。最適なデコーダでは等号、遠いデコーダでは 2.5 ほど離れる。
/// 左辺をクレートの `expected_elbo`、右辺を `elbo_bound` と比べる。
fn check_9_12(eq: &Equation) -> Vec<LinkResult> {
    let mut lhs = Vec::new();
    let mut rhs = Vec::new();
    for c in averaged_cases() {
        let mut e = averaged_env(&c);
        let mut f = e.clone();
        e.scalar(
            IMPL,
            expected_elbo(&c.dec, &c.enc, c.mean, c.var).expect("E_p[ELBO]"),
        );
        f.scalar(IMPL, elbo_bound(&c.enc, c.mean, c.var).expect("上限"));
        lhs.push(e);
        rhs.push(f);
    }
    let mut rs = check_all(eq, &lhs);
    rs.extend(impl_link(eq, 0, 0, &refs(&lhs), "expected_elbo"));
    rs.extend(impl_link(eq, 0, 1, &refs(&rhs), "elbo_bound"));
    rs
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "9.1",
        check: check_9_1,
    },
    Bound {
        tag: "9.2",
        check: check_9_2,
    },
    Bound {
        tag: "9.3",
        check: check_9_3,
    },
    Bound {
        tag: "9.4",
        check: check_9_4,
    },
    Bound {
        tag: "9.5",
        check: check_9_5,
    },
    Bound {
        tag: "9.6",
        check: check_9_6,
    },
    Bound {
        tag: "9.7",
        check: check_9_7,
    },
    Bound {
        tag: "9.8",
        check: check_9_8,
    },
    Bound {
        tag: "9.9",
        check: check_9_9,
    },
    Bound {
        tag: "9.10",
        check: check_9_10,
    },
    Bound {
        tag: "9.11",
        check: check_9_11,
    },
    Bound {
        tag: "9.12",
        check: check_9_12,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[];

#[test]
fn eq_9_1_printed_form() {
    assert_printed("9.1", check_9_1);
}

#[test]
fn eq_9_2_printed_form() {
    assert_printed("9.2", check_9_2);
}

#[test]
fn eq_9_3_printed_form() {
    assert_printed("9.3", check_9_3);
}

#[test]
fn eq_9_4_printed_form() {
    assert_printed("9.4", check_9_4);
}

#[test]
fn eq_9_5_printed_form() {
    assert_printed("9.5", check_9_5);
}

#[test]
fn eq_9_6_printed_form() {
    assert_printed("9.6", check_9_6);
}

#[test]
fn eq_9_7_printed_form() {
    assert_printed("9.7", check_9_7);
}

#[test]
fn eq_9_8_printed_form() {
    assert_printed("9.8", check_9_8);
}

#[test]
fn eq_9_9_printed_form() {
    assert_printed("9.9", check_9_9);
}

#[test]
fn eq_9_10_printed_form() {
    assert_printed("9.10", check_9_10);
}

#[test]
fn eq_9_11_printed_form() {
    assert_printed("9.11", check_9_11);
}

#[test]
fn eq_9_12_printed_form() {
    assert_printed("9.12", check_9_12);
}
