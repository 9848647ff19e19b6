//! 第 8 章 変分オートエンコーダの式（(8.1)–(8.20)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `vae`・`nn`・`gaussian` に結びつける。
//!
//! - 線形ガウスの VAE（(8.1)–(8.4)・(8.8)・(8.10)）: パラメータはクレートの `LinearVae`（手で選んだ値と、
//!   確率的主成分分析の最尤点 `LinearVae::from_ppca`）。密度はクレートの `Mvn`、`\operatorname{ELBO}(\vx)` は
//!   `LinearVae::elbo`、最尤点の `q_\theta(\vx)` は `Ppca::mean_log_likelihood`。ℝ^d の積分は、事後分布と
//!   エンコーダの分布を覆う箱の上の Gauss–Legendre 則で実行する。事後分布 `q_\theta(\vz \mid \vx)` は閉じた形
//!   N(M⁻¹Wᵀ(x − b), σ₀² M⁻¹)、M = WᵀW + σ₀² I（逆行列はクレートの `linalg::inverse`）。
//! - KL 情報量 `\KL(p \parallel q)`（(8.3)–(8.5)）は、`\vz` を積分規則の点を並べた行列に束縛して引数の分布を
//!   密度の表として評価し（引数も実行する）、その数値積分 Σ w p ln(p/q)（定義 (2.3) の連続版）とする。
//!   (8.4)・(8.5) ではクレートの `divergence::kl_gaussian_1d` の成分の和とも比べる。
//! - (8.6)・(8.7) は f(z) = exp(a·z) の期待値を格子の上の分布（重みは密度）として束縛し、印刷された両辺を
//!   格子の期待値と中心差分で評価する。クレートの `estimator::{reparameterised, score_function}` の推定とは、
//!   その標準誤差の 5 倍以内で一致することを確かめる。
//! - (8.9)・(8.11) の固有値・`σ₀²`・`W` はクレートの `Ppca::fit`・`Ppca::with_noise_variance`。
//! - (8.12)・(8.16)–(8.19) はクレートの多層パーセプトロンの VAE `Vae`。`\vz` は `estimator::reparameterised`
//!   が作った標本、勾配の右辺は `Vae::elbo_gradient` のエンコーダ・デコーダの出力層のバイアスの勾配
//!   （出力層は恒等写像でバッチは 1 点なので、出力そのものについての勾配に等しい）と比べる。
//! - (8.13)–(8.15) はクレートの `Mlp`。クレートは重みを n_in × n_out で持ち行で `Z = A W + b` と計算するので、
//!   本の `W_l`（n_out × n_in、列ベクトルに左から掛ける）には転置して束縛する。`\vec{g}_l` は層 l より上の
//!   部分ネットワークの誤差逆伝播の入力の勾配、`\vec{\delta}_l` は層 l のバイアスの勾配（どちらもクレート）。
//! - (8.20) は線形ガウスの VAE をクレートの `Vae`（1 層の恒等写像のネットワーク）にしたもの。標本 `\vz_s` は
//!   `Vae::log_likelihood` と同じ乱数の列から作るので、印刷された右辺はクレートの推定とちょうど一致し、
//!   左辺の厳密な対数尤度とは `\approx` で一致する（標本を引く分布 `r_\phi` は式の外の本文で述べる）。

use crate::ch02_04::crate_link;
use crate::harness::{
    assert_printed, column, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::divergence::kl_gaussian_1d;
use genmodel::gaussian::multivariate::scatter_matrix;
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::gaussian::Mvn;
use genmodel::linalg::{inverse, symmetric_eigen};
use genmodel::ndarray::{array, s, Array1, Array2, Axis};
use genmodel::nn::{Activation, Mlp};
use genmodel::vae::evaluate::standard_normal;
use genmodel::vae::{estimator, Likelihood, LinearVae, Ppca, Vae};
use std::rc::Rc;
use std::sync::OnceLock;
use texeval::{
    check_equation, gauss_legendre, Ctx, Env, Equation, EvalError, LinkResult, LinkStatus, Rel,
    Tolerances, Value, Weights,
};

fn check_all(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    check_equation(eq, &refs(envs), &Tolerances::default())
}

/// 形の誤り。
fn shape_error(what: &str, v: &Value) -> EvalError {
    EvalError::Shape {
        op: what.into(),
        left: v.shape(),
        right: "-".into(),
    }
}

/// 引数の数の誤り。
fn arity_error(name: &str, n: usize) -> EvalError {
    EvalError::Unsupported(format!("`{name}` の引数の数が合わない（{n} 個）"))
}

/// スカラーの層・成分の番号（整数）を受け取る。
fn index_arg(v: &Value, lo: usize, hi: usize) -> Result<usize, EvalError> {
    let x = v.as_scalar()?;
    if x.fract() != 0.0 || x < lo as f64 || x > hi as f64 {
        return Err(EvalError::Index(format!("番号 {x} は {lo}..={hi} の外")));
    }
    Ok(x as usize)
}

/// 1 点を 1 行の行列にする（クレートはデータを 1 行 1 点で受け取る）。
fn row(x: &Array1<f64>) -> Array2<f64> {
    x.clone().insert_axis(Axis(0))
}

// ---- 線形ガウスの VAE ----

/// 線形ガウスの VAE と、その分布（クレートの `Mvn`）。
///
/// 密度は平均 0 の `Mvn` を 1 度だけ作り、点を平均だけずらして評価する（積分の点ごとに作り直さない）。
struct Linear {
    vae: LinearVae,
    /// 確率的主成分分析の最尤点から作ったとき、そのモデル（周辺分布の対数尤度をクレートで求める）。
    ppca: Option<Ppca>,
    /// 事前分布 N(0, I_d)。
    prior: Mvn,
    /// 雑音 N(0, σ₀² I_D)。
    noise: Mvn,
    /// エンコーダの揺れ N(0, diag σ_j²)。
    spread: Mvn,
    /// 事後分布の揺れ N(0, σ₀² M⁻¹)。
    posterior: Mvn,
    /// 事後分布の平均の係数 M⁻¹ Wᵀ（d × D）。
    gain: Array2<f64>,
    /// 周辺分布 N(b, W Wᵀ + σ₀² I)。
    marginal: Mvn,
}

/// 対称にそろえる（丸めの非対称を消す）。
fn symmetrised(a: &Array2<f64>) -> Array2<f64> {
    (a + &a.t()) * 0.5
}

impl Linear {
    fn new(vae: LinearVae, ppca: Option<Ppca>) -> Self {
        let (dim, latent) = vae.w.dim();
        let s2 = vae.log_sigma2.exp();
        let m = vae.w.t().dot(&vae.w) + Array2::<f64>::eye(latent) * s2;
        let m_inv = inverse(&m).expect("M は正則");
        let gain = m_inv.dot(&vae.w.t());
        let cov = vae.w.dot(&vae.w.t()) + Array2::<f64>::eye(dim) * s2;
        let spread = Array2::from_diag(&vae.log_s2.mapv(f64::exp));
        Self {
            prior: Mvn::new(Array1::zeros(latent), Array2::eye(latent)).expect("N(0, I)"),
            noise: Mvn::new(Array1::zeros(dim), Array2::<f64>::eye(dim) * s2).expect("雑音"),
            spread: Mvn::new(Array1::zeros(latent), spread).expect("エンコーダ"),
            posterior: Mvn::new(Array1::zeros(latent), symmetrised(&(m_inv * s2)))
                .expect("事後分布"),
            marginal: Mvn::new(vae.b.clone(), symmetrised(&cov)).expect("周辺分布"),
            gain,
            vae,
            ppca,
        }
    }

    fn dim(&self) -> usize {
        self.vae.w.nrows()
    }

    fn latent(&self) -> usize {
        self.vae.w.ncols()
    }

    fn encoder_mean(&self, x: &Array1<f64>) -> Array1<f64> {
        self.vae.v.dot(x) + &self.vae.c
    }

    fn posterior_mean(&self, x: &Array1<f64>) -> Array1<f64> {
        self.gain.dot(&(x - &self.vae.b))
    }

    /// q_θ(x | z) = N(x; W z + b, σ₀² I)。
    fn likelihood(&self, x: &Array1<f64>, z: &Array1<f64>) -> genmodel::Result<f64> {
        self.noise.density(&(x - &self.vae.w.dot(z) - &self.vae.b))
    }

    /// r_φ(z | x) = N(z; V x + c, diag σ_j²)。
    fn encoder(&self, z: &Array1<f64>, x: &Array1<f64>) -> genmodel::Result<f64> {
        self.spread.density(&(z - &self.encoder_mean(x)))
    }

    /// q_θ(z | x) = N(z; M⁻¹Wᵀ(x − b), σ₀² M⁻¹)。
    fn posterior_density(&self, z: &Array1<f64>, x: &Array1<f64>) -> genmodel::Result<f64> {
        self.posterior.density(&(z - &self.posterior_mean(x)))
    }

    /// q_θ(x): 最尤点ならクレートの `Ppca::mean_log_likelihood`、そうでなければ `Mvn` の周辺分布。
    fn marginal_density(&self, x: &Array1<f64>) -> genmodel::Result<f64> {
        match &self.ppca {
            Some(p) => p.mean_log_likelihood(&row(x)).map(f64::exp),
            None => self.marginal.density(x),
        }
    }

    /// クレートの ELBO（1 点）。
    fn elbo(&self, x: &Array1<f64>) -> genmodel::Result<f64> {
        self.vae.elbo(&row(x))
    }

    /// KL(r_φ(z | x) ‖ N(0, I)): クレートの `kl_gaussian_1d` の成分の和。
    fn kl_to_prior(&self, x: &Array1<f64>) -> f64 {
        let mu = self.encoder_mean(x);
        mu.iter()
            .zip(&self.vae.log_s2)
            .map(|(&m, &l)| kl_gaussian_1d(m, l.exp(), 0.0, 1.0).expect("KL"))
            .sum()
    }

    /// 点 x での積分の箱: 事後分布の平均を中心に、事後分布とエンコーダの標準偏差の 8 倍
    /// （と 2 つの平均のずれ）を半幅にとり、最小の標準偏差の幅の区間ごとに 6 点の Gauss–Legendre 則を置く。
    /// 8σ の外の質量は e^{-32} ≈ 1e-14 で、`=` の許容誤差（相対 1e-6）より十分小さい。
    fn box_for(&self, x: &Array1<f64>) -> (Vec<Value>, Vec<f64>) {
        let post_sd = self.posterior.covariance().matrix().diag().mapv(f64::sqrt);
        let enc_sd = self.vae.log_s2.mapv(|l| (0.5 * l).exp());
        let sds: Vec<f64> = post_sd.iter().chain(&enc_sd).copied().collect();
        let max_sd = sds.iter().copied().fold(0.0, f64::max);
        let min_sd = sds.iter().copied().fold(f64::INFINITY, f64::min);
        let centre = self.posterior_mean(x);
        let shift = (&self.encoder_mean(x) - &centre)
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let d = centre.len();
        box_rule(
            &centre,
            &Array1::from_elem(d, 8.0 * max_sd + shift),
            &Array1::from_elem(d, min_sd),
            6,
        )
    }
}

/// ℝ^d の箱 ∏_k [c_k − h_k, c_k + h_k] の積分規則: 軸 k では幅 `panel_k` 以下の区間ごとの m 点
/// Gauss–Legendre 則、そのテンソル積。
fn box_rule(
    centre: &Array1<f64>,
    half: &Array1<f64>,
    panel: &Array1<f64>,
    m: usize,
) -> (Vec<Value>, Vec<f64>) {
    let (t, w) = gauss_legendre(m);
    let mut rule: Vec<(Vec<f64>, f64)> = vec![(Vec::new(), 1.0)];
    for ((c, h), p) in centre.iter().zip(half).zip(panel) {
        let panels = (2.0 * h / p).ceil().max(1.0) as usize;
        let width = 2.0 * h / panels as f64;
        let line: Vec<(f64, f64)> = (0..panels)
            .flat_map(|k| {
                let mid = c - h + (k as f64 + 0.5) * width;
                t.iter()
                    .zip(&w)
                    .map(|(ti, wi)| (mid + 0.5 * width * ti, 0.5 * width * wi))
                    .collect::<Vec<_>>()
            })
            .collect();
        rule = rule
            .into_iter()
            .flat_map(|(p, wp)| {
                line.iter().map(move |(x, wx)| {
                    let mut q = p.clone();
                    q.push(*x);
                    (q, wp * wx)
                })
            })
            .collect();
    }
    rule.into_iter().map(|(p, w)| (Value::from(p), w)).unzip()
}

/// 積分規則の点を 1 行に 1 つ並べた行列（`\vz` に束縛すると、密度の関数は全点の値の表を返す）。
fn point_matrix(points: &[Value]) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = points.iter().map(Value::components).collect();
    let d = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}

/// 密度 `f` を z に当てる: 列ベクトル（長さ n）なら値、行列（n 列）なら行ごとの値の表（列ベクトル）。
fn table(
    z: &Value,
    n: usize,
    f: impl Fn(&Array1<f64>) -> genmodel::Result<f64>,
) -> Result<Value, EvalError> {
    match z {
        Value::Vector(v) if v.len() == n => f(v).map(Value::Scalar).map_err(model_error),
        Value::Matrix(m) if m.ncols() == n => m
            .rows()
            .into_iter()
            .map(|r| f(&r.to_owned()))
            .collect::<genmodel::Result<Array1<f64>>>()
            .map(Value::from)
            .map_err(model_error),
        other => Err(shape_error(
            "潜在変数（列ベクトルか、点を行に並べた行列）",
            other,
        )),
    }
}

/// `\KL(p \parallel q)` を、積分規則の点での密度の表 p・q から数値積分 Σ_i w_i p_i ln(p_i/q_i) で求める関数
/// （定義 (2.3) の連続版）。引数は積分変数を積分規則の点の行列に束縛したときの密度の表でなければならない（第 9 章も使う）。
pub fn kl_by_quadrature(weights: Vec<f64>) -> impl Fn(&[Value]) -> Result<Value, EvalError> {
    move |a: &[Value]| {
        let [Value::Vector(p), Value::Vector(q)] = a else {
            return Err(EvalError::Unsupported(
                "KL の引数は積分規則の点での密度の表".into(),
            ));
        };
        if p.len() != weights.len() || q.len() != weights.len() {
            return Err(shape_error("KL の引数の表の長さ", &a[0]));
        }
        let mut kl = 0.0;
        for ((pi, qi), wi) in p.iter().zip(q).zip(&weights) {
            if *pi > 0.0 {
                if *qi <= 0.0 {
                    return Err(EvalError::Domain("q = 0 の点に p の質量がある".into()));
                }
                kl += wi * pi * (pi / qi).ln();
            }
        }
        Ok(Value::Scalar(kl))
    }
}

/// 3 次元のデータ 200 点（2 次元の潜在変数と雑音から作る）。
fn data_3d() -> &'static Array2<f64> {
    static DATA: OnceLock<Array2<f64>> = OnceLock::new();
    DATA.get_or_init(|| {
        let a = array![[1.2, 0.2], [-0.5, 0.9], [0.4, -0.7]];
        let b = array![0.5, -0.3, 0.2];
        let mut rng = seeded_rng(801);
        Array2::from_shape_fn((200, 5), |_| standard_normal(&mut rng))
            .rows()
            .into_iter()
            .flat_map(|r| {
                let z = array![r[0], r[1]];
                let e = array![r[2], r[3], r[4]];
                (a.dot(&z) + &b + e * 0.6).to_vec()
            })
            .collect::<Array1<f64>>()
            .into_shape_with_order((200, 3))
            .expect("200 × 3")
    })
}

/// 5 次元のデータ 400 点（本文の図 8.2 と同じく、2 次元の潜在変数と雑音から作る）。
fn data_5d() -> &'static Array2<f64> {
    static DATA: OnceLock<Array2<f64>> = OnceLock::new();
    DATA.get_or_init(|| {
        let a = array![
            [1.0, 0.3],
            [-0.6, 0.8],
            [0.4, -0.5],
            [0.2, 0.7],
            [-0.3, -0.2]
        ];
        let b = array![0.3, -0.2, 0.1, 0.5, -0.4];
        let mut rng = seeded_rng(802);
        Array2::from_shape_fn((400, 7), |_| standard_normal(&mut rng))
            .rows()
            .into_iter()
            .flat_map(|r| {
                let z = array![r[0], r[1]];
                let e = Array1::from_iter(r.iter().skip(2).copied());
                (a.dot(&z) + &b + e * 0.3).to_vec()
            })
            .collect::<Array1<f64>>()
            .into_shape_with_order((400, 5))
            .expect("400 × 5")
    })
}

/// 演習 8.2 のデータ: 分散共分散行列が diag(4, 2, 1, 1)（n で割る）になる 8 点 ±2√λ_i e_i。
fn exercise_data() -> Array2<f64> {
    let lam = [4.0f64, 2.0, 1.0, 1.0];
    Array2::from_shape_fn((8, 4), |(r, c)| {
        if r / 2 == c {
            let v = 2.0 * lam[c].sqrt();
            if r % 2 == 0 {
                v
            } else {
                -v
            }
        } else {
            0.0
        }
    })
}

/// 線形ガウスの VAE の組: 手で選んだ 2 つ（D = 3, d = 2 と D = 2, d = 1。エンコーダは事後分布と違う）と、
/// 3 次元のデータの確率的主成分分析の最尤点（エンコーダは厳密な事後分布）。
fn linear_models() -> Vec<Rc<Linear>> {
    let hand = |w: Array2<f64>,
                b: Array1<f64>,
                s2: f64,
                v: Array2<f64>,
                c: Array1<f64>,
                ls: Array1<f64>| {
        let vae = LinearVae::new(w, b, s2.ln(), v, c, ls.mapv(f64::ln)).expect("パラメータ");
        Rc::new(Linear::new(vae, None))
    };
    let p = Ppca::fit(data_3d(), 2).expect("確率的主成分分析");
    let fitted = LinearVae::from_ppca(&p).expect("最尤点の VAE");
    vec![
        hand(
            array![[1.0, 0.3], [-0.4, 0.8], [0.5, -0.6]],
            array![0.2, -0.1, 0.4],
            0.5,
            array![[0.4, -0.2, 0.3], [0.1, 0.5, -0.3]],
            array![0.1, -0.2],
            array![0.3, 0.4],
        ),
        hand(
            array![[1.2], [-0.7]],
            array![0.3, 0.1],
            0.4,
            array![[0.5, -0.3]],
            array![0.05],
            array![0.35],
        ),
        Rc::new(Linear::new(fitted, Some(p))),
    ]
}

/// モデルごとの点 x（平均の近くと離れた点）。
fn linear_points(m: &Linear) -> Vec<Array1<f64>> {
    if m.dim() == 3 {
        vec![array![0.7, -0.4, 1.1], array![-1.5, 0.9, 0.2]]
    } else {
        vec![array![0.8, -0.6], array![-1.2, 1.4]]
    }
}

/// 線形ガウスの VAE の関数を束縛する: `q`（事前分布）、`q_\theta`（引数 1 つなら周辺分布、2 つなら
/// 条件の次元で見分けて q_θ(x | z) か事後分布 q_θ(z | x)）、`r_\phi`（エンコーダ）、
/// `\operatorname{ELBO}`（クレート）。z の分布の密度は、z が点を並べた行列なら表を返す。
fn bind_linear(e: &mut Env, m: &Rc<Linear>) {
    let (dim, latent) = (m.dim(), m.latent());
    let q = m.clone();
    e.func("q", move |a: &[Value]| match a {
        [z] => table(z, latent, |z| q.prior.density(z)),
        _ => Err(arity_error("q", a.len())),
    });
    let q = m.clone();
    e.func(r"q_\theta", move |a: &[Value]| match a {
        [x] => q
            .marginal_density(&column(x)?)
            .map(Value::Scalar)
            .map_err(model_error),
        [u, v] => {
            let v = column(v)?;
            if v.len() == latent {
                let x = column(u)?;
                if x.len() != dim {
                    return Err(shape_error("q_θ(x | z) の x", u));
                }
                q.likelihood(&x, &v).map(Value::Scalar).map_err(model_error)
            } else if v.len() == dim {
                table(u, latent, |z| q.posterior_density(z, &v))
            } else {
                Err(shape_error("q_θ の条件（z か x）", &a[1]))
            }
        }
        _ => Err(arity_error(r"q_\theta", a.len())),
    });
    let q = m.clone();
    e.func(r"r_\phi", move |a: &[Value]| match a {
        [z, x] => {
            let x = column(x)?;
            if x.len() != dim {
                return Err(shape_error("r_φ(z | x) の x", &a[1]));
            }
            table(z, latent, |z| q.encoder(z, &x))
        }
        _ => Err(arity_error(r"r_\phi", a.len())),
    });
    let q = m.clone();
    e.func(r"\operatorname{ELBO}", move |a: &[Value]| match a {
        [x] => q.elbo(&column(x)?).map(Value::Scalar).map_err(model_error),
        _ => Err(arity_error("ELBO", a.len())),
    });
}

/// 線形ガウスの VAE の束縛: モデルと点ごとに、`\vx`・関数・`\vz` の積分規則（点ごとの箱）。
/// `\vz` の値には積分規則の点を並べた行列を置き、`\KL` はその点での密度の表からの数値積分とする
/// （KL の引数 `r_\phi(\vz \mid \vx)` なども評価して確かめる。積分の中の `\vz` は積分変数）。
fn linear_envs() -> Vec<(Rc<Linear>, Array1<f64>, Env)> {
    let mut out = Vec::new();
    for m in linear_models() {
        for x in linear_points(&m) {
            let mut e = env();
            let (pts, ws) = m.box_for(&x);
            e.set(r"\vx", x.clone())
                .set(r"\vz", point_matrix(&pts))
                .func(r"\KL", kl_by_quadrature(ws.clone()))
                .quadrature(r"\vz", pts, ws);
            bind_linear(&mut e, &m);
            out.push((m.clone(), x, e));
        }
    }
    out
}

fn only_envs(v: Vec<(Rc<Linear>, Array1<f64>, Env)>) -> Vec<Env> {
    v.into_iter().map(|(_, _, e)| e).collect()
}

// ---- (8.1)–(8.4): 下界 ----

/// (8.1): 左辺はクレートの周辺分布（最尤点では `Ppca::mean_log_likelihood`）、右辺は ℝ^d の数値積分。
fn check_8_1(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &only_envs(linear_envs()))
}

/// (8.2): 等号は数値積分、不等号の右辺（ELBO の積分）はクレートの `LinearVae::elbo`（閉じた形 (8.10)）とも比べる。
/// 最尤点のモデルではエンコーダが事後分布なので、不等号は等号で成り立つ。
fn check_8_2(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (m, x, mut e) in linear_envs() {
        e.scalar(IMPL, m.elbo(&x).expect("ELBO"));
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 2, &refs(&envs), "LinearVae::elbo"));
    rs
}

/// (8.3): 左辺はクレートの値、右辺の KL 情報量は r_φ と事後分布 q_θ(z | x)（閉じた形）の密度の表からの数値積分。
/// 最尤点のモデルではエンコーダが事後分布なので、両辺が 0。
fn check_8_3(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &only_envs(linear_envs()))
}

/// (8.4): 左辺はクレートの `LinearVae::elbo`、第 2 項の KL は密度の表からの数値積分。
/// 第 2 項はクレートの `kl_gaussian_1d` の和とも比べる。
fn check_8_4(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = linear_envs()
        .into_iter()
        .map(|(m, x, mut e)| {
            e.scalar(IMPL, m.kl_to_prior(&x));
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(kl_term_link(eq, &envs));
    rs
}

/// (8.4) の右辺の最後の項 `\KL(…)` を、クレートの `kl_gaussian_1d` の和（`\mathrm{impl}`）と比べる。
fn kl_term_link(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    let c = eq.chains().next().expect("連鎖がある");
    let Some(texeval::Expr::Sub(_, kl)) = c.terms.get(1) else {
        return vec![LinkResult {
            tag: eq.tag.clone(),
            link: 0,
            rel: Rel::Eq,
            lhs: None,
            rhs: None,
            env: 0,
            status: LinkStatus::Error(EvalError::Unsupported("右辺が `… - KL` の形でない".into())),
            note: String::new(),
        }];
    };
    let lhs = texeval::parse_expr(IMPL, env().macros()).expect("名前");
    let link = texeval::Chain {
        terms: vec![lhs, (**kl).clone()],
        rels: vec![Rel::Eq],
        tag: c.tag.clone(),
        first_link: c.first_link,
    };
    let mut rs = texeval::check_chain_across(&link, &refs(envs), &Tolerances::default());
    for r in &mut rs {
        r.note = "クレートの kl_gaussian_1d の和 = 印刷された KL の項".into();
    }
    rs
}

// ---- (8.5)–(8.7): KL 項と期待値の勾配 ----

/// (8.5) のエンコーダ: 点 x からエンコーダの出力 μ(x)・σ²(x) を求める。
enum Encoder {
    /// 線形ガウスの VAE のエンコーダ N(V x + c, diag σ²)。
    Linear(Rc<Linear>),
    /// 多層パーセプトロンの VAE のエンコーダ（クレートの `Vae::encode`）。
    Network(Rc<Vae>),
    /// x によらない出力（演習 8.1 など）。
    Fixed(Array1<f64>, Array1<f64>),
}

impl Encoder {
    fn outputs(&self, x: &Array1<f64>) -> genmodel::Result<(Array1<f64>, Array1<f64>)> {
        match self {
            Encoder::Linear(m) => Ok((m.encoder_mean(x), m.vae.log_s2.mapv(f64::exp))),
            Encoder::Network(v) => {
                let (mu, lv) = v.encode(&row(x))?;
                Ok((mu.row(0).to_owned(), lv.row(0).mapv(f64::exp)))
            }
            Encoder::Fixed(mu, s2) => Ok((mu.clone(), s2.clone())),
        }
    }
}

/// (8.5): 左辺の KL 情報量は、`\vz` を積分規則の点の行列に束縛して評価した r_φ(z | x) と q(z) の密度の表からの
/// 数値積分。μ_j・σ_j はエンコーダの出力。左辺はクレートの `kl_gaussian_1d` の和とも比べる。
/// 演習 8.1（d = 1、μ = 1、σ² = 0.5）、事前分布そのもの（KL = 0）、線形ガウスの VAE のエンコーダ、
/// 多層パーセプトロンの VAE のエンコーダ（クレートの `Vae::encode`）。
fn check_8_5(eq: &Equation) -> Vec<LinkResult> {
    let mut cases: Vec<(Encoder, Array1<f64>)> = vec![
        (Encoder::Fixed(array![1.0], array![0.5]), array![0.3, -0.2]),
        (
            Encoder::Fixed(array![0.0, 0.0], array![1.0, 1.0]),
            array![1.0, 2.0],
        ),
        (
            Encoder::Fixed(array![0.7, -1.3], array![0.25, 2.5]),
            array![-0.5, 0.4],
        ),
    ];
    for m in linear_models() {
        for x in linear_points(&m) {
            cases.push((Encoder::Linear(m.clone()), x));
        }
    }
    let vae = Rc::new(mlp_vae(Likelihood::Bernoulli));
    for x in binary_points().rows() {
        cases.push((Encoder::Network(vae.clone()), x.to_owned()));
    }
    let envs: Vec<Env> = cases
        .into_iter()
        .map(|(enc, x)| {
            let (mu, s2) = enc.outputs(&x).expect("エンコーダ");
            let sd = s2.mapv(f64::sqrt);
            let kl: f64 = mu
                .iter()
                .zip(&s2)
                .map(|(&m, &v)| kl_gaussian_1d(m, v, 0.0, 1.0).expect("KL"))
                .sum();
            // r の平均のまわりに各軸で標準偏差の 8 倍の箱（外の質量は e^{-32} ほど）
            let half = &sd * 8.0;
            let (pts, ws) = box_rule(&mu, &half, &sd.mapv(|s| s.min(1.0)), 6);
            let d = mu.len();
            let mut e = env();
            e.scalar("d", d as f64)
                .set(r"\vx", x)
                .set(r"\vz", point_matrix(&pts))
                .set(r"\mu", mu)
                .set(r"\sigma", sd)
                .scalar(IMPL, kl)
                .func(r"\KL", kl_by_quadrature(ws));
            let prior = Mvn::new(Array1::zeros(d), Array2::eye(d)).expect("N(0, I)");
            e.func("q", move |a: &[Value]| match a {
                [z] => table(z, d, |z| prior.density(z)),
                _ => Err(arity_error("q", a.len())),
            });
            e.func(r"r_\phi", move |a: &[Value]| {
                let [z, x] = a else {
                    return Err(arity_error(r"r_\phi", a.len()));
                };
                let (mu, s2) = enc.outputs(&column(x)?).map_err(model_error)?;
                let r = Mvn::new(mu, Array2::from_diag(&s2)).map_err(model_error)?;
                table(z, d, |z| r.density(z))
            });
            e
        })
        .collect();
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 0, &refs(&envs), "kl_gaussian_1d の和"));
    rs
}

/// (8.6)・(8.7) の場合: f(z) = exp(a·z)、r = N(μ, diag σ²)。
struct ExpCase {
    a: Array1<f64>,
    mu: Array1<f64>,
    sigma: Array1<f64>,
}

fn exp_cases() -> Vec<ExpCase> {
    vec![
        ExpCase {
            a: array![0.6, -0.4],
            mu: array![0.3, -0.5],
            sigma: array![0.7, 0.5],
        },
        ExpCase {
            a: array![-0.8],
            mu: array![0.4],
            sigma: array![0.6],
        },
    ]
}

/// 一様な格子（中心 c、半幅 h、間隔 δ）の点。格子の台形則は、ガウス分布の重みの滑らかな関数の期待値を
/// 誤差 exp(−2π²σ²/δ²) で求める（δ = σ/2 なら e^{-79}）。
fn grid(centre: &Array1<f64>, half: &Array1<f64>, step: f64) -> Vec<Array1<f64>> {
    let mut pts: Vec<Vec<f64>> = vec![Vec::new()];
    for (c, h) in centre.iter().zip(half) {
        let n = (h / step).ceil() as i64;
        pts = pts
            .into_iter()
            .flat_map(|p| {
                (-n..=n).map(move |k| {
                    let mut q = p.clone();
                    q.push(c + k as f64 * step);
                    q
                })
            })
            .collect();
    }
    pts.into_iter().map(Array1::from).collect()
}

/// (8.6)・(8.7) の束縛: `f`、`\mu`・`\sigma`（と `\vmu`・`\vec{\sigma}`）、分布 `r`（格子の上、重みは
/// 束縛の μ・σ を読む密度 `r(\vz)` なので、∂/∂μ_j で動く）と分布 `\vec{\varepsilon}`（標準正規分布）、添字 j。
fn expectation_envs(case: &ExpCase) -> Vec<Env> {
    let d = case.mu.len();
    let min_sd = case.sigma.iter().copied().fold(f64::INFINITY, f64::min);
    let z_grid = grid(&case.mu, &(&case.sigma * 10.0), 0.5 * min_sd);
    let eps_grid = grid(&Array1::zeros(d), &Array1::from_elem(d, 10.0), 0.25);
    let phi = Mvn::new(Array1::zeros(d), Array2::eye(d)).expect("N(0, I)");
    let eps_w: Vec<f64> = eps_grid
        .iter()
        .map(|e| phi.density(e).expect("密度"))
        .collect();
    let mut out = Vec::new();
    for j in 1..=d {
        let mut e = env();
        e.set(r"\mu", case.mu.clone())
            .set(r"\sigma", case.sigma.clone())
            .scalar("j", j as f64);
        e.formula(r"\vmu", r"\mu").expect("μ");
        e.formula(r"\vec{\sigma}", r"\sigma").expect("σ");
        let a = case.a.clone();
        e.func("f", move |v: &[Value]| match v {
            [z] => Ok(Value::Scalar(a.dot(&column(z)?).exp())),
            _ => Err(arity_error("f", v.len())),
        });
        e.func_ctx("r", |cx: &mut Ctx<'_>, v: &[Value]| {
            let [z] = v else {
                return Err(arity_error("r", v.len()));
            };
            let (mu, sigma) = (column(&cx.get(r"\mu")?)?, column(&cx.get(r"\sigma")?)?);
            let r = Mvn::new(mu, Array2::from_diag(&sigma.mapv(|s| s * s))).map_err(model_error)?;
            r.density(&column(z)?)
                .map(Value::Scalar)
                .map_err(model_error)
        });
        e.distribution_latex(
            "r",
            r"\vz",
            z_grid.iter().cloned().map(Value::from).collect(),
            r"r(\vz)",
        )
        .expect("分布 r");
        e.distribution(
            r"\vec{\varepsilon}",
            r"\vec{\varepsilon}",
            eps_grid.iter().cloned().map(Value::from).collect(),
            Weights::Fixed(eps_w.clone()),
        );
        out.push(e);
    }
    out
}

/// 印刷された項を、クレートのモンテカルロ推定（平均と標準誤差）と比べる link: 差が標準誤差の 5 倍以内。
fn estimate_link(
    eq: &Equation,
    term: usize,
    envs: &[&Env],
    estimates: &[(f64, f64)],
    what: &str,
) -> LinkResult {
    let c = eq.chains().next().expect("連鎖がある");
    let mut r = LinkResult {
        tag: eq.tag.clone(),
        link: 0,
        rel: Rel::Approx,
        lhs: None,
        rhs: None,
        env: 0,
        status: LinkStatus::Pass,
        note: format!("印刷された項 {term} = クレートの {what}（標準誤差の 5 倍以内）"),
    };
    for (k, (e, (mean, se))) in envs.iter().zip(estimates).enumerate() {
        let v = Ctx::with_numerics(e, Tolerances::default().numerics)
            .eval(&c.terms[term])
            .and_then(|v| v.as_scalar());
        let v = match v {
            Ok(v) => v,
            Err(err) => {
                (r.status, r.env) = (LinkStatus::Error(err), k);
                return r;
            }
        };
        if k == 0 || (v - mean).abs() > 5.0 * se {
            (r.lhs, r.rhs, r.env) = (Some(Value::Scalar(v)), Some(Value::Scalar(*mean)), k);
        }
        if (v - mean).abs() > 5.0 * se {
            r.status = LinkStatus::Fail;
            r.note = format!("{}（標準誤差 {se:.2e} の 5 倍を超える）", r.note);
            return r;
        }
    }
    r
}

/// クレートの推定量を独立に 40 回（各 M = 4000 標本）走らせ、μ_j についての勾配の平均と標準誤差を返す。
fn crate_estimates(case: &ExpCase, score: bool) -> Vec<(f64, f64)> {
    let d = case.mu.len();
    let lv = case.sigma.mapv(|s| (s * s).ln());
    let batches: Vec<Array1<f64>> = (0..40)
        .map(|b| {
            let mut rng = seeded_rng(900 + b);
            let a = case.a.clone();
            let g = if score {
                estimator::score_function(&case.mu, &lv, 4000, &mut rng, |z| Ok(a.dot(&z).exp()))
            } else {
                estimator::reparameterised(&case.mu, &lv, 4000, &mut rng, |z| {
                    Ok(&a * a.dot(&z).exp())
                })
            };
            g.expect("推定").mean
        })
        .collect();
    let n = batches.len() as f64;
    (0..d)
        .map(|j| {
            let m = batches.iter().map(|g| g[j]).sum::<f64>() / n;
            let v = batches.iter().map(|g| (g[j] - m).powi(2)).sum::<f64>() / (n - 1.0);
            (m, (v / n).sqrt())
        })
        .collect()
}

/// (8.6)・(8.7) を、格子の期待値で印刷された形のまま確かめ、右辺をクレートの推定量と比べる。
fn check_expectation_gradient(eq: &Equation, score: bool) -> Vec<LinkResult> {
    let mut rs = Vec::new();
    for case in exp_cases() {
        let envs = expectation_envs(&case);
        rs.extend(check_all(eq, &envs));
        let what = if score {
            "estimator::score_function"
        } else {
            "estimator::reparameterised"
        };
        rs.push(estimate_link(
            eq,
            1,
            &refs(&envs),
            &crate_estimates(&case, score),
            what,
        ));
    }
    rs
}

fn check_8_6(eq: &Equation) -> Vec<LinkResult> {
    check_expectation_gradient(eq, false)
}

fn check_8_7(eq: &Equation) -> Vec<LinkResult> {
    check_expectation_gradient(eq, true)
}

// ---- (8.8)–(8.11): 確率的主成分分析と線形の VAE ----

/// (8.8): 左辺は (8.1) の積分（数値積分）、右辺の `\mathcal{N}(m, C)` は束縛の `\vx` でのクレートの密度。
/// 右辺はクレートの周辺分布（最尤点では `Ppca::mean_log_likelihood`）とも比べる。
fn check_8_8(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (m, x, mut e) in linear_envs() {
        e.set("W", m.vae.w.clone())
            .set(r"\vec{b}", m.vae.b.clone())
            .scalar(r"\sigma_0^2", m.vae.log_sigma2.exp())
            .scalar(IMPL, m.marginal_density(&x).expect("周辺分布"));
        e.formula(
            r"q_\theta(\vx)",
            r"\int q(\vz)\, q_\theta(\vx \mid \vz)\, d\vz",
        )
        .expect("(8.1)");
        e.func_ctx(r"\mathcal{N}", |cx: &mut Ctx<'_>, a: &[Value]| {
            let [mean, cov] = a else {
                return Err(arity_error(r"\mathcal{N}", a.len()));
            };
            let Value::Matrix(cov) = cov else {
                return Err(shape_error("分散共分散行列", cov));
            };
            let x = column(&cx.get(r"\vx")?)?;
            Mvn::new(column(mean)?, cov.clone())
                .and_then(|n| n.density(&x))
                .map(Value::Scalar)
                .map_err(model_error)
        });
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "周辺分布の密度"));
    rs
}

/// 確率的主成分分析の場合: データと潜在変数の次元。
fn ppca_cases() -> Vec<(Array2<f64>, usize)> {
    vec![
        (exercise_data(), 1),
        (exercise_data(), 2),
        (data_5d().clone(), 2),
        (data_3d().clone(), 1),
    ]
}

/// データの分散共分散行列（n で割る。クレートの `scatter_matrix`）の固有ベクトルの最初の d 列 `U_d`。
/// 固有ベクトルの符号は任意なので、`W` の列と同じ向きにそろえる（W の列の反転は (8.9) の直交行列の自由度）。
fn leading_directions(x: &Array2<f64>, d: usize, w: &Array2<f64>) -> Array2<f64> {
    let mean = x.mean_axis(Axis(0)).expect("平均");
    let eig = symmetric_eigen(&scatter_matrix(x, &mean).expect("散布行列")).expect("固有値");
    let n = eig.values.len();
    let mut u = Array2::zeros((n, d));
    for j in 0..d {
        let col = eig.vectors.column(n - 1 - j);
        let sign = if col.dot(&w.column(j)) < 0.0 {
            -1.0
        } else {
            1.0
        };
        u.column_mut(j).assign(&(&col * sign));
    }
    u
}

/// (8.9): 左辺の σ₀²・W はクレートの `Ppca::fit`、λ_i もクレートの固有値。`U_d` はクレートの
/// `symmetric_eigen` で別に求めた固有ベクトル。演習 8.2（λ = (4, 2, 1, 1)）を含む。
fn check_8_9(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = ppca_cases()
        .into_iter()
        .map(|(x, d)| {
            let p = Ppca::fit(&x, d).expect("確率的主成分分析");
            let lam = p.eigenvalues().clone();
            let mut e = env();
            e.scalar("D", x.ncols() as f64)
                .scalar("d", d as f64)
                .set(r"\lambda", lam.clone())
                .scalar(r"\sigma_0^2", p.noise_variance())
                .set("W", p.weights().clone())
                .set("U_d", leading_directions(&x, d, p.weights()))
                .set(
                    r"\Lambda_d",
                    Array2::from_diag(&lam.slice(s![..d]).to_owned()),
                );
            e
        })
        .collect();
    check_all(eq, &envs)
}

/// (8.10): 左辺はクレートの `LinearVae::elbo`。`\vmu` は本文の定義 μ = V x + c。
fn check_8_10(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = linear_envs()
        .into_iter()
        .map(|(m, _, mut e)| {
            e.scalar("D", m.dim() as f64)
                .scalar("d", m.latent() as f64)
                .set("W", m.vae.w.clone())
                .set(r"\vec{b}", m.vae.b.clone())
                .set("V", m.vae.v.clone())
                .set(r"\vec{c}", m.vae.c.clone())
                .scalar(r"\sigma_0^2", m.vae.log_sigma2.exp())
                .set(r"\sigma", m.vae.log_s2.mapv(|l| (0.5 * l).exp()));
            e.formula(r"\vmu", r"V \vx + \vec{c}").expect("μ");
            e.formula(r"\mu", r"\vmu").expect("μ");
            e
        })
        .collect();
    check_all(eq, &envs)
}

/// (8.11): W はクレートの `Ppca::with_noise_variance`（σ₀² を固定した最尤点）。σ₀² は固有値の下、
/// 固有値の間（崩壊する列がある）、すべての固有値の上、と最尤推定の値。
fn check_8_11(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (x, d) in ppca_cases() {
        let fitted = Ppca::fit(&x, d).expect("確率的主成分分析");
        let lam = fitted.eigenvalues().clone();
        let between = 0.5 * (lam[0] + lam[d - 1]);
        let mut noises = vec![fitted.noise_variance(), 0.5 * lam[d - 1], 1.5 * lam[0]];
        if lam[0] > lam[d - 1] {
            noises.push(between);
        }
        for s2 in noises {
            let p = Ppca::with_noise_variance(&x, d, s2).expect("σ₀² を固定した最尤点");
            for j in 1..=d {
                let mut e = env();
                e.set("W", p.weights().clone())
                    .set(r"\lambda", lam.clone())
                    .scalar(r"\sigma_0^2", s2)
                    .scalar("j", j as f64);
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

// ---- (8.12)–(8.19): ネットワークの VAE ----

/// 多層パーセプトロンの VAE（D = 6、d = 2、隠れ層 5、tanh）。
fn mlp_vae(likelihood: Likelihood) -> Vae {
    let seed = if likelihood == Likelihood::Bernoulli {
        811
    } else {
        812
    };
    let mut vae = Vae::new(
        6,
        2,
        &[5],
        Activation::Tanh,
        likelihood,
        &mut seeded_rng(seed),
    )
    .expect("VAE");
    if likelihood == Likelihood::Gaussian {
        // ln σ₀² を 0 から動かしておく（σ₀² の誤りが見えるように）
        let mut p = vae.params_flat();
        if let Some(last) = p.last_mut() {
            *last = -0.7;
        }
        vae.set_params_flat(&p).expect("パラメータ");
    }
    vae
}

/// 0 か 1 の画素のデータ 2 点。
fn binary_points() -> Array2<f64> {
    array![
        [1.0, 0.0, 1.0, 1.0, 0.0, 0.0],
        [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    ]
}

/// エンコーダの出力と、雑音 ε から作る 1 点の再パラメータ化の量。
struct Sampled {
    x: Array1<f64>,
    mu: Array1<f64>,
    log_var: Array1<f64>,
    eps: Array1<f64>,
}

impl Sampled {
    fn sigma(&self) -> Array1<f64> {
        self.log_var.mapv(|l| (0.5 * l).exp())
    }

    /// z = μ + σ ⊙ ε（クレートの `Vae::elbo_gradient` と同じ演算の順）。
    fn z(&self) -> Array1<f64> {
        &self.mu + &(&self.sigma() * &self.eps)
    }
}

/// データの点ごとに、エンコーダの出力と雑音（種 `seed` の標準正規分布）をとる。
fn sampled(vae: &Vae, x: &Array2<f64>, seed: u64) -> Vec<Sampled> {
    let (mu, lv) = vae.encode(x).expect("エンコーダ");
    let mut rng = seeded_rng(seed);
    (0..x.nrows())
        .map(|b| Sampled {
            x: x.row(b).to_owned(),
            mu: mu.row(b).to_owned(),
            log_var: lv.row(b).to_owned(),
            eps: Array1::from_shape_simple_fn(vae.latent_dim(), || standard_normal(&mut rng)),
        })
        .collect()
}

/// 連続のデータ 2 点（ガウス分布のデコーダ用）。
fn real_points() -> Array2<f64> {
    array![
        [0.3, -1.2, 0.8, 0.1, 0.5, -0.4],
        [-0.7, 0.4, 0.0, 1.1, -0.2, 0.9]
    ]
}

/// (8.12): `\vz` はクレートの `estimator::reparameterised` が作った標本（関数の引数として受け取る）。
/// `\vec{\varepsilon}` は同じ種の乱数から同じ方法（`evaluate::standard_normal`）で引いた雑音、
/// `\vmu`・`\sigma` はクレートのエンコーダの出力 μ と exp(½ ln σ²)。
fn check_8_12(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (vae, x) in [
        (mlp_vae(Likelihood::Bernoulli), binary_points()),
        (mlp_vae(Likelihood::Gaussian), real_points()),
    ] {
        let (mu, lv) = vae.encode(&x).expect("エンコーダ");
        let d = vae.latent_dim();
        for b in 0..x.nrows() {
            let seed = 820 + b as u64;
            let mut draw = seeded_rng(seed);
            let eps = Array1::from_shape_simple_fn(d, || standard_normal(&mut draw));
            let mut z = None;
            estimator::reparameterised(mu.row(b), lv.row(b), 1, &mut seeded_rng(seed), |s| {
                z = Some(s.to_owned());
                Ok(Array1::zeros(s.len()))
            })
            .expect("再パラメータ化");
            let z = z.expect("標本");
            for j in 1..=d {
                let mut e = env();
                e.set(r"\vz", z.clone())
                    .set(r"\mu", mu.row(b).to_owned())
                    .set(r"\sigma", lv.row(b).mapv(|l| (0.5 * l).exp()))
                    .set(r"\vec{\varepsilon}", eps.clone())
                    .scalar("j", j as f64);
                e.formula(r"\vmu", r"\mu").expect("μ");
                e.formula(r"\vec{\sigma}", r"\sigma").expect("σ");
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

/// (8.13)–(8.15) のネットワークと、その入力・目的関数 𝒪 = ½|h_L − t|² の目標 t。
struct Net {
    mlp: Mlp,
    x: Array1<f64>,
    t: Array1<f64>,
}

impl Net {
    fn depth(&self) -> usize {
        self.mlp.layers().len()
    }

    /// 層 l（1 から）の活性化関数: 隠れ層は tanh、出力層は恒等写像（クレートの設定）。
    fn activation(&self, l: usize) -> Activation {
        if l == self.depth() {
            self.mlp.output_activation()
        } else {
            self.mlp.hidden_activation()
        }
    }

    fn forward(&self) -> genmodel::nn::Forward {
        self.mlp.forward(&row(&self.x)).expect("前向きの計算")
    }

    /// `\vec{h}_l`（l = 0 は入力）。クレートの前向きの計算の活性。
    fn h(&self, l: usize) -> Array1<f64> {
        if l == 0 {
            self.x.clone()
        } else {
            self.forward().activations()[l - 1].row(0).to_owned()
        }
    }

    /// `\vec{u}_l`: クレートの前活性。
    fn u(&self, l: usize) -> Array1<f64> {
        self.forward().pre_activations()[l - 1].row(0).to_owned()
    }

    /// 本の `W_l`（n_out × n_in）: クレートの重み（n_in × n_out）の転置。
    fn w(&self, l: usize) -> Array2<f64> {
        self.mlp.layers()[l - 1].weights().t().to_owned()
    }

    fn b(&self, l: usize) -> Array1<f64> {
        self.mlp.layers()[l - 1].bias().clone()
    }

    /// 層 l より上（l + 1, …, L）の部分ネットワーク（クレートの層をそのまま使う）。
    fn above(&self, l: usize) -> Option<Mlp> {
        (l < self.depth()).then(|| {
            Mlp::from_layers(
                self.mlp.layers()[l..].to_vec(),
                self.mlp.hidden_activation(),
                self.mlp.output_activation(),
            )
            .expect("部分ネットワーク")
        })
    }

    /// 層 l の出力 h から、クレートの部分ネットワークで出力を求めた目的関数 𝒪 = ½|h_L − t|²。
    fn objective_from(&self, l: usize, h: &Array1<f64>) -> genmodel::Result<f64> {
        let out = match self.above(l) {
            Some(net) => net.predict(&row(h))?.row(0).to_owned(),
            None => h.clone(),
        };
        Ok(0.5 * (&out - &self.t).mapv(|v| v * v).sum())
    }

    /// 出力の勾配 ∂𝒪/∂h_L = h_L − t。
    fn output_gradient(&self) -> Array2<f64> {
        row(&(self.h(self.depth()) - &self.t))
    }

    /// `\vec{g}_l = ∂𝒪/∂h_l`: 層 l より上の部分ネットワークのクレートの誤差逆伝播の入力の勾配
    /// （l = 0 はネットワーク全体の入力の勾配、l = L は出力の勾配）。
    fn g(&self, l: usize) -> Array1<f64> {
        let net = if l == 0 {
            Some(self.mlp.clone())
        } else {
            self.above(l)
        };
        match net {
            Some(net) => {
                let fwd = net.forward(&row(&self.h(l))).expect("前向きの計算");
                let (_, gx) = net
                    .backward(&fwd, &self.output_gradient())
                    .expect("誤差逆伝播");
                gx.row(0).to_owned()
            }
            None => self.output_gradient().row(0).to_owned(),
        }
    }

    /// クレートの誤差逆伝播の層 l の勾配（本の形に転置した ∂𝒪/∂W_l と、∂𝒪/∂b_l）。
    fn gradients(&self, l: usize) -> (Array2<f64>, Array1<f64>) {
        let (grads, _) = self
            .mlp
            .backward(&self.forward(), &self.output_gradient())
            .expect("誤差逆伝播");
        let layer = &grads.layers()[l - 1];
        (layer.weights().t().to_owned(), layer.bias().clone())
    }
}

/// 幅 `sizes` のネットワーク（隠れ層は tanh、出力層は恒等写像）。クレートの初期化はバイアスを 0 にするので、
/// すべてのパラメータに乱数を足して、バイアスも 0 でない値にする。
fn random_mlp(sizes: &[usize], seed: u64) -> Mlp {
    let mut rng = seeded_rng(seed);
    let mut net =
        Mlp::new(sizes, Activation::Tanh, Activation::Identity, &mut rng).expect("ネットワーク");
    let p = net
        .params_flat()
        .mapv(|v| v + 0.3 * standard_normal(&mut rng));
    net.set_params_flat(&p).expect("パラメータ");
    net
}

/// 3 → 4 → 4 → 2 と 2 → 3 → 1 のネットワーク。
fn nets() -> Vec<Rc<Net>> {
    vec![
        Rc::new(Net {
            mlp: random_mlp(&[3, 4, 4, 2], 831),
            x: array![0.4, -1.1, 0.7],
            t: array![0.3, -0.8],
        }),
        Rc::new(Net {
            mlp: random_mlp(&[2, 3, 1], 832),
            x: array![-0.9, 0.5],
            t: array![1.2],
        }),
    ]
}

/// ネットワークの量を層の番号の関数として束縛する（添字が引数: `W_l` = W(l)、`\vec{h}_{l-1}` = h(l − 1)）。
/// `f_l`・`f_l'` は束縛の l を読み、層 l の活性化関数とその導関数（クレートの `Activation`）を成分ごとに当てる。
fn bind_net(e: &mut Env, net: &Rc<Net>) {
    let depth = net.depth();
    let n = net.clone();
    e.func("W", move |a: &[Value]| {
        Ok(Value::from(n.w(index_arg(&a[0], 1, depth)?)))
    });
    let n = net.clone();
    e.func(r"\vec{b}", move |a: &[Value]| {
        Ok(Value::from(n.b(index_arg(&a[0], 1, depth)?)))
    });
    let n = net.clone();
    e.func(r"\vec{h}", move |a: &[Value]| {
        Ok(Value::from(n.h(index_arg(&a[0], 0, depth)?)))
    });
    for (name, deriv) in [("f_l", false), ("f_l'", true)] {
        let n = net.clone();
        e.func_ctx(name, move |cx: &mut Ctx<'_>, a: &[Value]| {
            let l = index_arg(&cx.get("l")?, 1, depth)?;
            let act = n.activation(l);
            let [u] = a else {
                return Err(arity_error("f_l", a.len()));
            };
            Ok(Value::from(column(u)?.mapv(|v| {
                if deriv {
                    act.derivative(v)
                } else {
                    act.value(v)
                }
            })))
        });
    }
}

/// (8.13): `\vec{u}_l`・`\vec{h}_l` はクレートの前向きの計算の前活性と活性、W_l・b_l はクレートの層。
/// texeval の `=` は成分だけを比べるので、両辺が列ベクトルであることもクレートの値と形まで比べて確かめる。
fn check_8_13(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let (mut us, mut hs) = (Vec::new(), Vec::new());
    for net in nets() {
        for l in 1..=net.depth() {
            let mut e = env();
            bind_net(&mut e, &net);
            let n = net.clone();
            let depth = net.depth();
            e.func(r"\vec{u}", move |a: &[Value]| {
                Ok(Value::from(n.u(index_arg(&a[0], 1, depth)?)))
            });
            e.scalar("l", l as f64);
            envs.push(e);
            us.push(Value::from(net.u(l)));
            hs.push(Value::from(net.h(l)));
        }
    }
    let r = refs(&envs);
    let mut rs = check_all(eq, &envs);
    rs.push(crate_link(eq, 0, &[0, 1], &r, &us, "前活性"));
    rs.push(crate_link(eq, 1, &[0, 1], &r, &hs, "活性"));
    rs
}

/// (8.14)・(8.15) の束縛: 𝒪 は層 l の前活性 `\vec{u}_l = W_l \vec{h}_{l-1} + \vec{b}_l`（(8.13) の定義）から
/// クレートの部分ネットワークで求めた値（W_l・b_l・u_l のどれを動かしても変わる）。
/// `\vec{g}`・`\vec{\delta}` はクレートの誤差逆伝播、`\mathrm{impl}` はクレートの ∂𝒪/∂W_l（転置）。
fn backprop_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for net in nets() {
        let depth = net.depth();
        for l in 1..=depth {
            let mut e = env();
            bind_net(&mut e, &net);
            e.scalar("l", l as f64)
                .formula(r"\vec{u}_l", r"W_l \vec{h}_{l-1} + \vec{b}_l")
                .expect("u_l");
            let n = net.clone();
            e.func_ctx(r"\mathcal{R}_l", move |cx: &mut Ctx<'_>, a: &[Value]| {
                let l = index_arg(&cx.get("l")?, 1, depth)?;
                let [h] = a else {
                    return Err(arity_error(r"\mathcal{R}_l", a.len()));
                };
                n.objective_from(l, &column(h)?)
                    .map(Value::Scalar)
                    .map_err(model_error)
            });
            e.formula(r"\mathcal{O}", r"\mathcal{R}_l(f_l(\vec{u}_l))")
                .expect("𝒪");
            let n = net.clone();
            e.func(r"\vec{g}", move |a: &[Value]| {
                Ok(Value::from(n.g(index_arg(&a[0], 0, depth)?)))
            });
            let n = net.clone();
            e.func(r"\vec{\delta}", move |a: &[Value]| {
                Ok(Value::from(n.gradients(index_arg(&a[0], 1, depth)?).1))
            });
            e.set(IMPL, net.gradients(l).0);
            envs.push(e);
        }
    }
    envs
}

/// 層ごとのクレートの値（`backprop_envs` と同じ順）。
fn per_layer(f: impl Fn(&Net, usize) -> Value) -> Vec<Value> {
    nets()
        .iter()
        .flat_map(|n| (1..=n.depth()).map(|l| f(n, l)).collect::<Vec<_>>())
        .collect()
}

/// (8.14): 3 つの項はクレートの δ_l（層 l のバイアスの勾配）と、形（列ベクトル）まで比べる。
fn check_8_14(eq: &Equation) -> Vec<LinkResult> {
    let envs = backprop_envs();
    let mut rs = check_all(eq, &envs);
    let deltas = per_layer(|n, l| Value::from(n.gradients(l).1));
    rs.push(crate_link(eq, 0, &[0, 1, 2], &refs(&envs), &deltas, "δ_l"));
    rs
}

/// (8.15): 最初の連鎖の右辺 δ_l h_{l−1}ᵀ はクレートの ∂𝒪/∂W_l（転置）とも比べる。
/// 2 つ目・3 つ目の連鎖の両辺は、クレートの δ_l・g_{l−1} と形（列ベクトル）まで比べる。
fn check_8_15(eq: &Equation) -> Vec<LinkResult> {
    let envs = backprop_envs();
    let r = refs(&envs);
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &r, "誤差逆伝播の ∂𝒪/∂W_l"));
    let deltas = per_layer(|n, l| Value::from(n.gradients(l).1));
    let gs = per_layer(|n, l| Value::from(n.g(l - 1)));
    rs.push(crate_link(eq, 1, &[0, 1], &r, &deltas, "δ_l"));
    rs.push(crate_link(eq, 2, &[0, 1], &r, &gs, "g_{l−1}"));
    rs
}

/// デコーダの分布 q_θ(x | z) の密度（y はデコーダの出力）。
fn decoder_density(vae: &Vae, x: &Array1<f64>, y: &Array1<f64>) -> genmodel::Result<f64> {
    match vae.likelihood() {
        Likelihood::Bernoulli => Ok(x
            .iter()
            .zip(y)
            .map(|(&xi, &yi)| {
                let p = Activation::Sigmoid.value(yi);
                p.powf(xi) * (1.0 - p).powf(1.0 - xi)
            })
            .product()),
        Likelihood::Gaussian => {
            let s2 = vae.log_noise().exp();
            Mvn::new(y.clone(), Array2::<f64>::eye(x.len()) * s2)?.density(x)
        }
    }
}

/// デコーダの出力 y = dec(z)（ロジットか平均。クレートの `Vae::decoder`）。
fn decoder_output(vae: &Vae, z: &Array1<f64>) -> genmodel::Result<Array1<f64>> {
    Ok(vae.decoder().predict(&row(z))?.row(0).to_owned())
}

/// `q_\theta(\vx \mid \vz)` を、クレートのデコーダの出力から求める密度として束縛する。
fn bind_decoder(e: &mut Env, vae: &Rc<Vae>) {
    let v = vae.clone();
    e.func(r"q_\theta", move |a: &[Value]| {
        let [x, z] = a else {
            return Err(arity_error(r"q_\theta", a.len()));
        };
        let y = decoder_output(&v, &column(z)?).map_err(model_error)?;
        decoder_density(&v, &column(x)?, &y)
            .map(Value::Scalar)
            .map_err(model_error)
    });
}

/// クレートの 1 標本の ELBO と勾配（1 点、雑音 ε）。
fn crate_elbo(vae: &Vae, s: &Sampled) -> (f64, genmodel::vae::VaeGradient) {
    vae.elbo_gradient(&row(&s.x), &row(&s.eps))
        .expect("ELBO の勾配")
}

/// KL(N(μ, diag σ²) ‖ N(0, I)): クレートの `kl_gaussian_1d` の和。
fn kl_sum(mu: &Array1<f64>, sigma: &Array1<f64>) -> genmodel::Result<f64> {
    mu.iter()
        .zip(sigma)
        .map(|(&m, &s)| kl_gaussian_1d(m, s * s, 0.0, 1.0))
        .sum()
}

/// (8.16): 左辺はクレートのデコーダの出力 p = σ(y) から求めたベルヌーイ分布の確率 ∏ p^x (1 − p)^{1−x}、
/// 右辺の y もクレートのデコーダの出力。右辺はクレートの 1 標本の ELBO に KL を足し戻した再構成の項とも比べる。
fn check_8_16(eq: &Equation) -> Vec<LinkResult> {
    let vae = Rc::new(mlp_vae(Likelihood::Bernoulli));
    let mut envs = Vec::new();
    for s in sampled(&vae, &binary_points(), 840) {
        let z = s.z();
        let (elbo, _) = crate_elbo(&vae, &s);
        let mut e = env();
        e.set(r"\vx", s.x.clone())
            .set(r"\vz", z.clone())
            .set(r"\vy", decoder_output(&vae, &z).expect("デコーダ"))
            .scalar("D", s.x.len() as f64)
            .scalar(IMPL, elbo + kl_sum(&s.mu, &s.sigma()).expect("KL"));
        bind_decoder(&mut e, &vae);
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 1, &refs(&envs), "ELBO + KL（再構成の項）"));
    rs
}

/// (8.17): 微分 ∂/∂y_i は束縛の `\vy` を動かすので、`q_\theta(\vx \mid \vz)` は束縛の y（= クレートの
/// デコーダの出力 dec(z)）を読むベルヌーイ分布の確率として束縛する。`\sigma` はクレートのシグモイド関数。
/// 右辺はクレートの `Vae::elbo_gradient` のデコーダの出力層のバイアスの勾配（= ∂ ln q_θ/∂y_i）と比べる。
fn check_8_17(eq: &Equation) -> Vec<LinkResult> {
    let vae = Rc::new(mlp_vae(Likelihood::Bernoulli));
    let mut envs = Vec::new();
    for s in sampled(&vae, &binary_points(), 850) {
        let z = s.z();
        let (_, grad) = crate_elbo(&vae, &s);
        let bias = grad.decoder.layers().last().expect("出力層").bias().clone();
        for i in 1..=s.x.len() {
            let mut e = env();
            e.set(r"\vx", s.x.clone())
                .set(r"\vz", z.clone())
                .set(r"\vy", decoder_output(&vae, &z).expect("デコーダ"))
                .scalar("i", i as f64)
                .scalar(IMPL, bias[i - 1]);
            e.func(r"\sigma", |a: &[Value]| match a {
                [y] => Ok(Value::Scalar(Activation::Sigmoid.value(y.as_scalar()?))),
                _ => Err(arity_error(r"\sigma", a.len())),
            });
            let v = vae.clone();
            e.func_ctx(r"q_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| {
                let [x, _z] = a else {
                    return Err(arity_error(r"q_\theta", a.len()));
                };
                let y = column(&cx.get(r"\vy")?)?;
                decoder_density(&v, &column(x)?, &y)
                    .map(Value::Scalar)
                    .map_err(model_error)
            });
            envs.push(e);
        }
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "デコーダの出力層のバイアスの勾配",
    ));
    rs
}

/// (8.18)・(8.19) の束縛: μ・ln σ² はクレートのエンコーダの出力、ε は固定した雑音、
/// `\vz` = μ + σ ⊙ ε（(8.12)）、ELBO は 1 標本の推定 ln q_θ(x | z) − KL（KL はクレートの `kl_gaussian_1d`）。
/// μ_j や ln σ_j² を動かすと z と KL が動く。`\mathrm{impl}` はクレートのエンコーダの出力層のバイアスの勾配
/// （前の d 成分が ∂ELBO/∂μ、後の d 成分が ∂ELBO/∂ln σ²）。
fn encoder_gradient_envs(log_variance: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    for (likelihood, x, seed) in [
        (Likelihood::Bernoulli, binary_points(), 860),
        (Likelihood::Gaussian, real_points(), 870),
    ] {
        let vae = Rc::new(mlp_vae(likelihood));
        let d = vae.latent_dim();
        for s in sampled(&vae, &x, seed) {
            let (_, grad) = crate_elbo(&vae, &s);
            let bias = grad.encoder.layers().last().expect("出力層").bias().clone();
            for j in 1..=d {
                let mut e = env();
                e.set(r"\vx", s.x.clone())
                    .set(r"\mu", s.mu.clone())
                    .set(r"\sigma", s.sigma())
                    .set(r"\varepsilon", s.eps.clone())
                    .scalar("j", j as f64)
                    .scalar(IMPL, bias[if log_variance { d + j - 1 } else { j - 1 }]);
                e.formula(r"\vmu", r"\mu").expect("μ");
                e.formula(r"\vec{\sigma}", r"\sigma").expect("σ");
                e.formula(r"\vec{\varepsilon}", r"\varepsilon").expect("ε");
                e.formula(r"\vz", r"\vmu + \vec{\sigma} \odot \vec{\varepsilon}")
                    .expect("z");
                e.func(r"\mathcal{K}", |a: &[Value]| match a {
                    [mu, sigma] => kl_sum(&column(mu)?, &column(sigma)?)
                        .map(Value::Scalar)
                        .map_err(model_error),
                    _ => Err(arity_error("KL", a.len())),
                });
                e.formula(
                    r"\operatorname{ELBO}",
                    r"\ln q_\theta(\vx \mid \vz) - \mathcal{K}(\mu, \sigma)",
                )
                .expect("ELBO");
                bind_decoder(&mut e, &vae);
                envs.push(e);
            }
        }
    }
    envs
}

fn check_8_18(eq: &Equation) -> Vec<LinkResult> {
    let envs = encoder_gradient_envs(false);
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "Vae::elbo_gradient の ∂/∂μ",
    ));
    rs
}

fn check_8_19(eq: &Equation) -> Vec<LinkResult> {
    let envs = encoder_gradient_envs(true);
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "Vae::elbo_gradient の ∂/∂ln σ²",
    ));
    rs
}

// ---- (8.20): 重点サンプリング ----

/// 線形ガウスの VAE を、1 層の恒等写像のネットワークのクレートの `Vae` にする（`Vae::from_linear`）。
fn linear_as_vae(lin: &LinearVae) -> Vae {
    Vae::from_linear(lin).expect("VAE")
}

/// (8.20) の束縛 1 つ: 標本 `\vz_s` は `Vae::log_likelihood` と同じ乱数の列（種 `seed`）から作る。
/// `\vz` の値は標本を並べた行列で、`r_\phi(\vz \mid \vx)` は標本での密度の表になる。
/// `\mathrm{impl}` はクレートの `Vae::log_likelihood` の推定（同じ標本なので右辺とちょうど一致する）。
fn importance_env(vae: &Rc<Vae>, p: &Ppca, x: &Array1<f64>, samples: usize, seed: u64) -> Env {
    let (mu, lv) = vae.encode(&row(x)).expect("エンコーダ");
    let (mu, lv) = (mu.row(0).to_owned(), lv.row(0).to_owned());
    let d = mu.len();
    let mut rng = seeded_rng(seed);
    let eps = Array2::from_shape_simple_fn((samples, d), || standard_normal(&mut rng));
    let zs: Vec<Value> = eps
        .rows()
        .into_iter()
        .map(|e| {
            Value::from(Array1::from_shape_fn(d, |j| {
                mu[j] + (0.5 * lv[j]).exp() * e[j]
            }))
        })
        .collect();
    let estimate = vae
        .log_likelihood(&row(x), samples, &mut seeded_rng(seed))
        .expect("重点サンプリング");
    let mut e = env();
    e.set(r"\vx", x.clone())
        .set(r"\vz", point_matrix(&zs))
        .family(r"\vz", zs)
        .scalar("S", samples as f64)
        .scalar(IMPL, estimate.mean);
    let prior = Mvn::new(Array1::zeros(d), Array2::eye(d)).expect("N(0, I)");
    e.func("q", move |a: &[Value]| match a {
        [z] => prior
            .density(&column(z)?)
            .map(Value::Scalar)
            .map_err(model_error),
        _ => Err(arity_error("q", a.len())),
    });
    let (v, ppca) = (vae.clone(), p.clone());
    e.func(r"q_\theta", move |a: &[Value]| match a {
        [x] => ppca
            .mean_log_likelihood(&row(&column(x)?))
            .map(|l| Value::Scalar(l.exp()))
            .map_err(model_error),
        [x, z] => {
            let y = v.decode(&row(&column(z)?)).map_err(model_error)?;
            decoder_density(&v, &column(x)?, &y.row(0).to_owned())
                .map(Value::Scalar)
                .map_err(model_error)
        }
        _ => Err(arity_error(r"q_\theta", a.len())),
    });
    let v = vae.clone();
    e.func(r"r_\phi", move |a: &[Value]| {
        let [z, x] = a else {
            return Err(arity_error(r"r_\phi", a.len()));
        };
        let (mu, lv) = v.encode(&row(&column(x)?)).map_err(model_error)?;
        let r = Mvn::new(
            mu.row(0).to_owned(),
            Array2::from_diag(&lv.row(0).mapv(f64::exp)),
        )
        .map_err(model_error)?;
        table(z, d, |z| r.density(z))
    });
    e
}

/// (8.20): 5 次元のデータの確率的主成分分析の最尤点のデコーダと、エンコーダ 2 つ（厳密な事後分布と、
/// 平均をずらしたもの）。左辺はクレートの `Ppca::mean_log_likelihood`。`\approx`（許容誤差は絶対 0.01 +
/// 相対 0.01、ここでは 0.03 ほど）は S = 4000・20000 で確かめる（ずらしたエンコーダの推定の標準誤差は
/// S = 4000 で 0.009 ほど）。クレートの推定との一致は S = 2 も含めて確かめる。
fn check_8_20(eq: &Equation) -> Vec<LinkResult> {
    let p = Ppca::fit(data_5d(), 2).expect("確率的主成分分析");
    let exact = LinearVae::from_ppca(&p).expect("最尤点の VAE");
    // 平均を事後分布の標準偏差（0.23 ほど）の半分ほどずらし、分散を e^{0.2} 倍に広げたエンコーダ
    let mut shifted = exact.clone();
    shifted.c += &array![0.1, -0.1];
    shifted.log_s2 += 0.2;
    let points = [data_5d().row(0).to_owned(), data_5d().row(7).to_owned()];
    let (mut large, mut all) = (Vec::new(), Vec::new());
    for (k, lin) in [exact, shifted].iter().enumerate() {
        let vae = Rc::new(linear_as_vae(lin));
        for (i, x) in points.iter().enumerate() {
            for samples in [2usize, 4000, 20000] {
                let seed = 880 + (10 * k + i) as u64;
                let e = importance_env(&vae, &p, x, samples, seed + samples as u64);
                if samples >= 4000 {
                    large.push(e.clone());
                }
                all.push(e);
            }
        }
    }
    let mut rs = check_all(eq, &large);
    rs.extend(impl_link(eq, 0, 1, &refs(&all), "Vae::log_likelihood"));
    rs
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "8.1",
        check: check_8_1,
    },
    Bound {
        tag: "8.2",
        check: check_8_2,
    },
    Bound {
        tag: "8.3",
        check: check_8_3,
    },
    Bound {
        tag: "8.4",
        check: check_8_4,
    },
    Bound {
        tag: "8.5",
        check: check_8_5,
    },
    Bound {
        tag: "8.6",
        check: check_8_6,
    },
    Bound {
        tag: "8.7",
        check: check_8_7,
    },
    Bound {
        tag: "8.8",
        check: check_8_8,
    },
    Bound {
        tag: "8.9",
        check: check_8_9,
    },
    Bound {
        tag: "8.10",
        check: check_8_10,
    },
    Bound {
        tag: "8.11",
        check: check_8_11,
    },
    Bound {
        tag: "8.12",
        check: check_8_12,
    },
    Bound {
        tag: "8.13",
        check: check_8_13,
    },
    Bound {
        tag: "8.14",
        check: check_8_14,
    },
    Bound {
        tag: "8.15",
        check: check_8_15,
    },
    Bound {
        tag: "8.16",
        check: check_8_16,
    },
    Bound {
        tag: "8.17",
        check: check_8_17,
    },
    Bound {
        tag: "8.18",
        check: check_8_18,
    },
    Bound {
        tag: "8.19",
        check: check_8_19,
    },
    Bound {
        tag: "8.20",
        check: check_8_20,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[Survivor {
    tag: "8.6",
    mutant: "+ → - (位置 113)",
    reason: "標準正規分布は原点について対称（ε と −ε は同じ分布）なので E_ε[g(μ − σ⊙ε)] = E_ε[g(μ + σ⊙ε)]（同値）",
}];

#[test]
fn eq_8_1_printed_form() {
    assert_printed("8.1", check_8_1);
}

#[test]
fn eq_8_2_printed_form() {
    assert_printed("8.2", check_8_2);
}

#[test]
fn eq_8_3_printed_form() {
    assert_printed("8.3", check_8_3);
}

#[test]
fn eq_8_4_printed_form() {
    assert_printed("8.4", check_8_4);
}

#[test]
fn eq_8_5_printed_form() {
    assert_printed("8.5", check_8_5);
}

#[test]
fn eq_8_6_printed_form() {
    assert_printed("8.6", check_8_6);
}

#[test]
fn eq_8_7_printed_form() {
    assert_printed("8.7", check_8_7);
}

#[test]
fn eq_8_8_printed_form() {
    assert_printed("8.8", check_8_8);
}

#[test]
fn eq_8_9_printed_form() {
    assert_printed("8.9", check_8_9);
}

#[test]
fn eq_8_10_printed_form() {
    assert_printed("8.10", check_8_10);
}

#[test]
fn eq_8_11_printed_form() {
    assert_printed("8.11", check_8_11);
}

#[test]
fn eq_8_12_printed_form() {
    assert_printed("8.12", check_8_12);
}

#[test]
fn eq_8_13_printed_form() {
    assert_printed("8.13", check_8_13);
}

#[test]
fn eq_8_14_printed_form() {
    assert_printed("8.14", check_8_14);
}

#[test]
fn eq_8_15_printed_form() {
    assert_printed("8.15", check_8_15);
}

#[test]
fn eq_8_16_printed_form() {
    assert_printed("8.16", check_8_16);
}

#[test]
fn eq_8_17_printed_form() {
    assert_printed("8.17", check_8_17);
}

#[test]
fn eq_8_18_printed_form() {
    assert_printed("8.18", check_8_18);
}

#[test]
fn eq_8_19_printed_form() {
    assert_printed("8.19", check_8_19);
}

#[test]
fn eq_8_20_printed_form() {
    assert_printed("8.20", check_8_20);
}
