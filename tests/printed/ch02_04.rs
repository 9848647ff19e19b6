//! §2.4 多変量ガウス分布の式（(2.15)–(2.24)）を印刷された形で実行する。
//!
//! 束縛は genmodel の実装に結ぶ: `q_\theta` は `Mvn::density`、`Z_\theta` は `Mvn::normalizer`、
//! `\Sigma^{-1}` は `Mvn::precision`、`P`・`\Lambda` は `symmetric_eigen`、KL 情報量は
//! `Mvn::kl_up_to_const`、最尤推定の点は `multivariate::{sample_mean, scatter_matrix}`。
//! したがって各 link は「ページの式 = クレートの値」を確かめる。式の中に名前のないクレートの量
//! （勾配 `kl_grad_mean` など）は、[`crate_link`] で印刷された項と形まで比べる。

use crate::harness::{assert_printed, column, env, model_error, refs, Bound, Declared, Survivor};
use genmodel::gaussian::multivariate::{sample_mean, scatter_matrix};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::gaussian::Mvn;
use genmodel::linalg::matcalc::quadratic_form;
use genmodel::linalg::{determinant, inverse, symmetric_eigen};
use genmodel::ndarray::{array, Array1, Array2};
use rand::Rng;
use std::f64::consts::PI;
use texeval::{
    check_equation, Ctx, Env, Equation, EvalError, LinkResult, LinkStatus, Rel, Tolerances, Value,
};

/// 2 つの値が同じ形（スカラー・列・行・行列の別と大きさ）か。
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Scalar(_), Value::Scalar(_)) => true,
        (Value::Vector(x), Value::Vector(y)) | (Value::Row(x), Value::Row(y)) => x.len() == y.len(),
        (Value::Matrix(x), Value::Matrix(y)) => x.dim() == y.dim(),
        _ => false,
    }
}

/// 印刷された項をクレートの値と比べる link（link 番号 0、注に比べた相手を書く）。
///
/// 連鎖 `chain` の項 `terms`（0 始まり）を束縛 k ごとに評価し、`want[k]` と形（列・行・行列の別）まで
/// 含めて `=` の許容誤差で比べる。texeval の `=` は成分だけを比べるので、転置の付け外しで
/// 列が行になる誤りはここで見つかる。
pub(crate) fn crate_link(
    eq: &Equation,
    chain: usize,
    terms: &[usize],
    envs: &[&Env],
    want: &[Value],
    what: &str,
) -> LinkResult {
    let tol = Tolerances::default();
    let mut r = LinkResult {
        tag: eq.tag.clone(),
        link: 0,
        rel: Rel::Eq,
        lhs: None,
        rhs: None,
        env: 0,
        status: LinkStatus::Pass,
        note: format!("印刷された項 {terms:?} = クレートの {what}（形も比べる）"),
    };
    if want.len() != envs.len() {
        r.status = LinkStatus::Error(EvalError::Unsupported(format!(
            "束縛 {} 個に対しクレートの値が {} 個",
            envs.len(),
            want.len()
        )));
        return r;
    }
    let Some(c) = eq.chains().nth(chain) else {
        r.status = LinkStatus::Error(EvalError::Unsupported(format!("連鎖 {chain} がない")));
        return r;
    };
    for (k, (e, w)) in envs.iter().zip(want).enumerate() {
        for &t in terms {
            let Some(term) = c.terms.get(t) else {
                r.status = LinkStatus::Error(EvalError::Unsupported(format!("項 {t} がない")));
                return r;
            };
            let v = match Ctx::with_numerics(e, tol.numerics).eval(term) {
                Ok(v) => v,
                Err(err) => {
                    (r.status, r.env) = (LinkStatus::Error(err), k);
                    return r;
                }
            };
            let close = same_shape(&v, w)
                && v.components()
                    .iter()
                    .zip(w.components())
                    .all(|(a, b)| (a - b).abs() <= tol.abs + tol.rel * a.abs().max(b.abs()));
            if k == 0 || !close {
                (r.lhs, r.rhs, r.env) = (Some(v), Some(w.clone()), k);
            }
            if !close {
                r.status = LinkStatus::Fail;
                r.note = format!("項 {t} がクレートの {what} と違う（形も比べる）");
                return r;
            }
        }
    }
    r
}

/// 停留条件の式（`∂KL/∂θ = 式 = 0 \iff θ = …`）を確かめる。
///
/// `identities` の link（微分 = 式）はすべての束縛で、`= 0` と右の節（θ の条件）は停留点の束縛で、
/// `\iff` はすべての束縛（停留点とそうでない点）で確かめる。
fn check_stationary(
    eq: &Equation,
    identities: &[usize],
    stationary: &[&Env],
    others: &[&Env],
) -> Vec<LinkResult> {
    let tol = Tolerances::default();
    let all: Vec<&Env> = stationary.iter().chain(others).copied().collect();
    let is_identity = |r: &LinkResult| identities.contains(&r.link) || r.rel == Rel::Iff;
    let mut out: Vec<LinkResult> = check_equation(eq, &all, &tol)
        .into_iter()
        .filter(is_identity)
        .collect();
    out.extend(
        check_equation(eq, stationary, &tol)
            .into_iter()
            .filter(|r| !is_identity(r)),
    );
    out
}

/// 平均 `mu`、分散共分散行列 `sigma` のモデル（検査済み）。
fn mvn(mu: Array1<f64>, sigma: Array2<f64>) -> Mvn {
    Mvn::new(mu, sigma).expect("対称正定値の Σ")
}

/// 2 次元の母数 3 組（相関の正・負・弱い）。
fn thetas_2d() -> Vec<Mvn> {
    vec![
        mvn(array![0.5, -1.0], array![[2.0, 1.2], [1.2, 1.5]]),
        mvn(array![-0.3, 0.8], array![[0.7, -0.25], [-0.25, 1.1]]),
        mvn(array![1.2, 0.4], array![[0.45, 0.05], [0.05, 0.3]]),
    ]
}

/// 3 次元の母数 2 組（固有ベクトルの行列が対称にならない一般の向き）。
fn thetas_3d() -> Vec<Mvn> {
    vec![
        mvn(
            array![0.2, -0.4, 1.0],
            array![[1.5, 0.3, -0.2], [0.3, 0.9, 0.1], [-0.2, 0.1, 0.6]],
        ),
        mvn(
            array![-1.1, 0.6, 0.3],
            array![[0.8, -0.35, 0.25], [-0.35, 1.7, 0.4], [0.25, 0.4, 1.2]],
        ),
    ]
}

/// 乱数（種 `seed`）で作る `n` 次の対称正定値行列 `B Bᵀ / n + ½ I`。
pub(crate) fn random_spd(seed: u64, n: usize) -> Array2<f64> {
    let mut rng = seeded_rng(seed);
    let b = Array2::from_shape_fn((n, n), |_| rng.random_range(-1.0..1.0));
    b.dot(&b.t()) / n as f64 + Array2::<f64>::eye(n) * 0.5
}

/// 乱数（種 `seed`）で作る長さ `n` のベクトル（成分は [-1, 1)）。
pub(crate) fn random_vec(seed: u64, n: usize) -> Array1<f64> {
    let mut rng = seeded_rng(seed);
    Array1::from_shape_fn(n, |_| rng.random_range(-1.0..1.0))
}

/// モデル `q` の母数と、クレートの量（`q_\theta`・`Z_\theta`・`\Sigma^{-1}`）を束縛する。
///
/// `q_\theta` は列ベクトルの引数だけを受け取る（`q_\theta(\vx^\T)` は形の誤り）。
fn theta_env(q: &Mvn) -> Env {
    let mut e = env();
    e.set(r"\vmu", q.mean().to_owned())
        .set(r"\Sigma", q.covariance().matrix().to_owned())
        .set(r"\Sigma^{-1}", q.precision().to_owned())
        .scalar("N", q.dim() as f64)
        .scalar(r"Z_\theta", q.normalizer());
    let model = q.clone();
    e.func(r"q_\theta", move |a: &[Value]| {
        let [x] = a else {
            return Err(EvalError::Unsupported("q_θ の引数は 1 つ".into()));
        };
        model
            .density(&column(x)?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e
}

/// 母数 `q` の束縛に、点 `x` を足したもの。
fn point_env(q: &Mvn, x: Array1<f64>) -> Env {
    let mut e = theta_env(q);
    e.set(r"\vx", x);
    e
}

/// 各母数について、4 点の `\vx` で式を確かめる（`\propto` は母数ごとに点の間で比べる）。
fn check_over_points(eq: &Equation) -> Vec<LinkResult> {
    let mut out = Vec::new();
    for (k, q) in thetas_2d().iter().chain(&thetas_3d()).enumerate() {
        let n = q.dim();
        let envs: Vec<Env> = (0..4)
            .map(|p| point_env(q, random_vec(100 * k as u64 + p, n) * 2.0))
            .collect();
        out.extend(check_equation(eq, &refs(&envs), &Tolerances::default()));
    }
    out
}

fn check_2_15(eq: &Equation) -> Vec<LinkResult> {
    // q_θ（クレートの密度）と印刷された指数の比が、点 x によらず一定
    check_over_points(eq)
}

/// 平面 [-L, L]² の積分規則: 幅 1 の区間ごとの `m` 点 Gauss–Legendre のテンソル積（母数によらない）。
///
/// ここで使う密度の標準偏差（Σ の固有値の平方根）は 1.73 以下、平均の大きさは 1.3 以下なので、
/// L = 12 の外の質量は e^{-(12-1.3)²/(2·1.73²)} ≈ 5e-9 以下で、`=` の許容誤差（相対 1e-6）より十分小さい
/// （`thetas_2d` の 3 組で、L = 12、m = 6 の相対誤差は μ・-μ 中心とも 3e-9 以下だった）。箱は原点について対称なので、
/// 中心が μ でも -μ でも同じ精度で積分できる（数値の打ち切りで変異を見破ったことにはならない）。
fn plane_rule(half_width: i32, m: usize) -> (Vec<Value>, Vec<f64>) {
    let (t, w) = texeval::gauss_legendre(m);
    let line: Vec<(f64, f64)> = (-half_width..half_width)
        .flat_map(|p| {
            let mid = f64::from(p) + 0.5;
            t.iter()
                .zip(&w)
                .map(move |(ti, wi)| (mid + 0.5 * ti, 0.5 * wi))
        })
        .collect();
    let mut points = Vec::with_capacity(line.len() * line.len());
    let mut weights = Vec::with_capacity(line.len() * line.len());
    for (x, wx) in &line {
        for (y, wy) in &line {
            points.push(Value::from(vec![*x, *y]));
            weights.push(wx * wy);
        }
    }
    (points, weights)
}

fn check_2_16(eq: &Equation) -> Vec<LinkResult> {
    // ℝ² の積分（平面の積分規則）= クレートの規格化定数
    let (points, weights) = plane_rule(12, 6);
    let envs: Vec<Env> = thetas_2d()
        .iter()
        .map(|q| {
            let mut e = theta_env(q);
            e.quadrature(r"\vx", points.clone(), weights.clone());
            e
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

/// 3 次元の母数と点に、対角化の量を束縛する（(2.17)・(2.19) 用）。
///
/// - `P`・`\Lambda`: クレートの `symmetric_eigen(Σ⁻¹)`（Σ⁻¹ は `Mvn::precision`）。
/// - `\lambda`: Σ の固有値（`Spd::eigenvalues`、昇順）の逆数を逆順に並べたもの。`\Lambda` とは別の計算。
/// - `\vec{y}`: `\vx - \vmu = P\vec{y}` を `linalg::inverse(P)` で解いたもの（転置を使わない）。
/// - `I`: 単位行列。
fn eigen_env(q: &Mvn, x: Array1<f64>) -> Env {
    let eig = symmetric_eigen(q.precision()).expect("対称な Σ⁻¹");
    let lambda: Array1<f64> = q
        .covariance()
        .eigenvalues()
        .iter()
        .rev()
        .map(|s| 1.0 / s)
        .collect();
    let p = eig.vectors.clone();
    let y = inverse(&p).expect("正則な P").dot(&(&x - &q.mean()));
    let mut e = point_env(q, x);
    e.set("P", p)
        .set(r"\Lambda", Array2::from_diag(&eig.values))
        .set(r"\lambda", lambda)
        .set("I", Array2::<f64>::eye(q.dim()))
        .set(r"\vec{y}", y);
    e
}

fn check_2_17(eq: &Equation) -> Vec<LinkResult> {
    // 3 次元の 2 組の母数、それぞれ 2 点の x。P が対称にならない一般の向きを選んである
    let envs: Vec<Env> = thetas_3d()
        .iter()
        .enumerate()
        .flat_map(|(k, q)| {
            (0..2).map(move |p| eigen_env(q, random_vec(300 + 10 * k as u64 + p, 3) * 2.0))
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    // 3 行目の \vec{y} は列ベクトル（クレートの逆行列で解いた y と形まで比べる）
    let want: Vec<Value> = envs
        .iter()
        .map(|e| e.value(r"\vec{y}").cloned().expect("y"))
        .collect();
    out.push(crate_link(eq, 2, &[0, 1], &r, &want, "inverse(P)(x - μ)"));
    out
}

/// `\infty` に束縛する有限の端。
///
/// texeval は `\int_{+\infty}^{\infty}` を ℝ 全体の積分として評価する（本来は 0）。端を有限の L にすれば
/// `\int_{-L}^{L}` と `\int_{L}^{L} = 0` を正しく区別できる。(2.18) の 1 次元の因子
/// exp(-λ_k y²/2) は λ_k ≥ 0.3 なので |y| > 40 の質量は e^{-240} 未満で、打ち切りの誤差は見えない。
const INFINITY_CUTOFF: f64 = 40.0;

fn check_2_18(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの規格化定数、Λ と λ_k は Σ⁻¹ の固有値（N = 2 なので ℝ² の積分規則を使う）
    let (points, weights) = plane_rule(12, 6);
    let envs: Vec<Env> = thetas_2d()
        .iter()
        .take(2)
        .map(|q| {
            let lam = symmetric_eigen(q.precision()).expect("対称な Σ⁻¹").values;
            let mut e = theta_env(q);
            e.set(r"\Lambda", Array2::from_diag(&lam))
                .set(r"\lambda", lam)
                .scalar(r"\infty", INFINITY_CUTOFF)
                .quadrature(r"\vec{y}", points.clone(), weights.clone());
            e
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_2_19(eq: &Equation) -> Vec<LinkResult> {
    // 固有値の積（Spd の固有値から）= det Λ（symmetric_eigen から）= … = 1/det Σ
    let envs: Vec<Env> = thetas_3d()
        .iter()
        .chain(&thetas_2d())
        .map(|q| eigen_env(q, Array1::zeros(q.dim())))
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_2_20(eq: &Equation) -> Vec<LinkResult> {
    // N = 1, …, 4 の乱数の Σ で、クレートの規格化定数 = 印刷された閉じた形
    let envs: Vec<Env> = (1..=4)
        .map(|n| {
            theta_env(&mvn(
                random_vec(40 + n as u64, n),
                random_spd(20 + n as u64, n),
            ))
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_2_21(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの密度 Mvn::density。母数 5 組 × 4 点
    check_over_points(eq)
}

/// 2 次元のデータ 6 点（平均は原点から離れている: `\vx_i - \vmu` の符号の誤りが見える）。
fn data() -> Array2<f64> {
    array![
        [1.2, 0.3],
        [2.5, -0.4],
        [0.8, 1.1],
        [1.9, 0.9],
        [3.0, 0.2],
        [1.4, -1.0]
    ]
}

/// データ `x` を族 `\vx_i` と個数 `n` に束縛する。
fn data_env(mut e: Env, x: &Array2<f64>) -> Env {
    let rows: Vec<Value> = x
        .rows()
        .into_iter()
        .map(|r| Value::from(r.to_owned()))
        .collect();
    e.family(r"\vx", rows).scalar("n", x.nrows() as f64);
    e
}

/// データの経験分布 `p_0(\vx)` = （\vx に一致するデータ点の数）/ n。列ベクトルの引数だけを受け取る。
fn empirical_env(mut e: Env, x: &Array2<f64>) -> Env {
    let data = x.clone();
    e.func("p_0", move |a: &[Value]| {
        let [v] = a else {
            return Err(EvalError::Unsupported("p_0 の引数は 1 つ".into()));
        };
        let v = column(v)?;
        let hits = data.rows().into_iter().filter(|r| *r == v).count();
        Ok(Value::Scalar(hits as f64 / data.nrows() as f64))
    });
    // ∫ d\vx は p_0 の台（データ点）の上の数え上げ測度: ∫ d\vx p_0(\vx) f(\vx) = Σ_x p_0(x) f(x)
    let points: Vec<Value> = x
        .rows()
        .into_iter()
        .map(|r| Value::from(r.to_owned()))
        .collect();
    e.quadrature(r"\vx", points, vec![1.0; x.nrows()]);
    e
}

fn check_2_22(eq: &Equation) -> Vec<LinkResult> {
    // p_0 はデータの経験分布、q_θ はクレートの密度。
    // 左辺 D_KL はクレートの kl_up_to_const に、本文が「除いた」と書く 2 つの定数
    // ∫ p_0 ln p_0 = -ln n と (N/2) ln 2π を足し戻したもの。
    // \onlytheta は、同じデータで母数 θ = (μ, Σ) だけを変えた 3 組で差が一定かを見る
    let x = data();
    let n = x.nrows() as f64;
    let envs: Vec<Env> = thetas_2d()
        .iter()
        .map(|q| {
            let kl =
                q.kl_up_to_const(&x).expect("KL") + 0.5 * q.dim() as f64 * (2.0 * PI).ln() - n.ln();
            let mut e = empirical_env(data_env(theta_env(q), &x), &x);
            e.scalar(r"\KL", kl);
            e
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

/// (2.23) の束縛: Σ を固定し、KL を μ の関数 `K(\vmu)`（クレートの `kl_up_to_const`）として持つ。
fn mean_env(sigma: &Array2<f64>, mu: Array1<f64>, x: &Array2<f64>) -> Env {
    let q = mvn(mu, sigma.clone());
    let mut e = data_env(theta_env(&q), x);
    let (sigma, data) = (sigma.clone(), x.clone());
    e.func("K", move |a: &[Value]| {
        let [mu] = a else {
            return Err(EvalError::Unsupported("K の引数は μ".into()));
        };
        Mvn::new(column(mu)?, sigma.clone())
            .and_then(|q| q.kl_up_to_const(&data))
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.formula(r"\KL", r"K(\vmu)").expect("K(μ)");
    e
}

fn check_2_23(eq: &Equation) -> Vec<LinkResult> {
    // 停留点は μ = 標本平均（クレートの sample_mean）。Σ を 2 通り、それぞれ μ をずらした点も置く
    let x = data();
    let mean = sample_mean(&x).expect("標本平均");
    let sigmas: Vec<Array2<f64>> = thetas_2d()
        .iter()
        .take(2)
        .map(|q| q.covariance().matrix().to_owned())
        .collect();
    let stationary: Vec<(Array2<f64>, Array1<f64>)> =
        sigmas.iter().map(|s| (s.clone(), mean.clone())).collect();
    let others: Vec<(Array2<f64>, Array1<f64>)> = sigmas
        .iter()
        .zip([array![0.3, -0.2], array![-0.5, 0.4]])
        .map(|(s, d)| (s.clone(), &mean + &d))
        .collect();
    let make = |cases: &[(Array2<f64>, Array1<f64>)]| -> Vec<Env> {
        cases
            .iter()
            .map(|(s, m)| mean_env(s, m.clone(), &x))
            .collect()
    };
    let (st, ot) = (make(&stationary), make(&others));
    let mut out = check_stationary(eq, &[1], &refs(&st), &refs(&ot));
    // ∂KL/∂μ の印刷された式 = クレートの kl_grad_mean
    let all: Vec<&Env> = st.iter().chain(&ot).collect();
    let want: Vec<Value> = stationary
        .iter()
        .chain(&others)
        .map(|(s, m)| Value::from(mvn(m.clone(), s.clone()).kl_grad_mean(&x).expect("勾配")))
        .collect();
    out.push(crate_link(eq, 0, &[0, 1], &all, &want, "kl_grad_mean"));
    // 右の節の両辺は、停留点でクレートの標本平均（列ベクトル）
    let means = vec![Value::from(mean); st.len()];
    out.push(crate_link(
        eq,
        1,
        &[0, 1],
        &refs(&st),
        &means,
        "sample_mean",
    ));
    out
}

/// Σ を Σ⁻¹ の成分を独立に動かした（非対称な）点でも評価できる KL。
///
/// Σ が対称ならクレートの `Mvn::kl_up_to_const`、そうでなければ同じ式
/// `(1/2n) Σ_i (x_i - μ)ᵀ Σ⁻¹ (x_i - μ) + ½ ln det Σ` をクレートの `quadratic_form`・`inverse`・`determinant` で計算する
/// （§2.4 が (2.22) を Λ = Σ⁻¹ の N² 個の独立な成分の関数とみる約束）。
fn kl_any_sigma(mu: &Array1<f64>, sigma: &Array2<f64>, x: &Array2<f64>) -> genmodel::Result<f64> {
    if genmodel::linalg::ensure_symmetric(sigma).is_ok() {
        return Mvn::new(mu.clone(), sigma.clone())?.kl_up_to_const(x);
    }
    let precision = inverse(sigma)?;
    let mut quad = 0.0;
    for r in x.rows() {
        quad += quadratic_form(&precision, &(&r - mu))?;
    }
    Ok(quad / (2.0 * x.nrows() as f64) + 0.5 * determinant(sigma)?.ln())
}

/// (2.24) の束縛: μ を固定し、KL を Σ の関数 `K(\vmu, \Sigma)` として持つ。`\Sigma^{-1}` は束縛しない
/// （`\partial/\partial \Sigma^{-1}` は Σ⁻¹ の成分を動かし、Σ をその逆行列として読み直す）。
fn cov_env(mu: Array1<f64>, sigma: Array2<f64>, x: &Array2<f64>) -> Env {
    let mut e = data_env(env(), x);
    e.set(r"\vmu", mu).set(r"\Sigma", sigma);
    let data = x.clone();
    e.func("K", move |a: &[Value]| {
        let [mu, sigma] = a else {
            return Err(EvalError::Unsupported("K の引数は (μ, Σ)".into()));
        };
        let Value::Matrix(s) = sigma else {
            return Err(EvalError::Unsupported("Σ は行列".into()));
        };
        kl_any_sigma(&column(mu)?, s, &data)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.formula(r"\KL", r"K(\vmu, \Sigma)").expect("K(μ, Σ)");
    e
}

fn check_2_24(eq: &Equation) -> Vec<LinkResult> {
    // 停留点は Σ = (1/n) Σ (x_i - μ)(x_i - μ)ᵀ（クレートの scatter_matrix）。μ は標本平均とそうでない点。
    // 停留点でない束縛は、同じ μ で別の Σ
    let x = data();
    let mean = sample_mean(&x).expect("標本平均");
    let mus = [mean.clone(), &mean + &array![0.4, -0.3]];
    let at_mle: Vec<(Array1<f64>, Array2<f64>)> = mus
        .iter()
        .map(|m| (m.clone(), scatter_matrix(&x, m).expect("散布行列")))
        .collect();
    let off: Vec<(Array1<f64>, Array2<f64>)> = mus
        .iter()
        .zip(thetas_2d())
        .map(|(m, q)| (m.clone(), q.covariance().matrix().to_owned()))
        .collect();
    let make = |v: &[(Array1<f64>, Array2<f64>)]| -> Vec<Env> {
        v.iter()
            .map(|(m, s)| cov_env(m.clone(), s.clone(), &x))
            .collect()
    };
    let (st, ot) = (make(&at_mle), make(&off));
    let mut out = check_stationary(eq, &[1], &refs(&st), &refs(&ot));
    // ∂KL/∂Σ⁻¹ の印刷された式 = クレートの kl_grad_precision
    let all: Vec<&Env> = st.iter().chain(&ot).collect();
    let want: Vec<Value> = at_mle
        .iter()
        .chain(&off)
        .map(|(m, s)| {
            Value::from(
                mvn(m.clone(), s.clone())
                    .kl_grad_precision(&x)
                    .expect("勾配"),
            )
        })
        .collect();
    out.push(crate_link(eq, 0, &[0, 1], &all, &want, "kl_grad_precision"));
    // 右の節の両辺は、停留点でクレートの散布行列
    let scatters: Vec<Value> = at_mle.iter().map(|(_, s)| Value::from(s.clone())).collect();
    out.push(crate_link(
        eq,
        1,
        &[0, 1],
        &refs(&st),
        &scatters,
        "scatter_matrix",
    ));
    out
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "2.15",
        check: check_2_15,
    },
    Bound {
        tag: "2.16",
        check: check_2_16,
    },
    Bound {
        tag: "2.17",
        check: check_2_17,
    },
    Bound {
        tag: "2.18",
        check: check_2_18,
    },
    Bound {
        tag: "2.19",
        check: check_2_19,
    },
    Bound {
        tag: "2.20",
        check: check_2_20,
    },
    Bound {
        tag: "2.21",
        check: check_2_21,
    },
    Bound {
        tag: "2.22",
        check: check_2_22,
    },
    Bound {
        tag: "2.23",
        check: check_2_23,
    },
    Bound {
        tag: "2.24",
        check: check_2_24,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[Survivor {
    tag: "2.19",
    mutant: r"^\T を消す (位置 66)",
    reason: "det(P Σ⁻¹ P) = (det P)² det Σ⁻¹ = det Σ⁻¹: 直交行列 P では転置の有無で行列式が変わらない（同値）",
}];

#[test]
fn eq_2_15_printed_form() {
    assert_printed("2.15", check_2_15);
}

#[test]
fn eq_2_16_printed_form() {
    assert_printed("2.16", check_2_16);
}

#[test]
fn eq_2_17_printed_form() {
    assert_printed("2.17", check_2_17);
}

#[test]
fn eq_2_18_printed_form() {
    assert_printed("2.18", check_2_18);
}

#[test]
fn eq_2_19_printed_form() {
    assert_printed("2.19", check_2_19);
}

#[test]
fn eq_2_20_printed_form() {
    assert_printed("2.20", check_2_20);
}

#[test]
fn eq_2_21_printed_form() {
    assert_printed("2.21", check_2_21);
}

#[test]
fn eq_2_22_printed_form() {
    assert_printed("2.22", check_2_22);
}

#[test]
fn eq_2_23_printed_form() {
    assert_printed("2.23", check_2_23);
}

#[test]
fn eq_2_24_printed_form() {
    assert_printed("2.24", check_2_24);
}
