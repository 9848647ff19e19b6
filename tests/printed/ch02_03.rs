//! §2.3 最尤法の式 (2.14) を印刷された形で実行する。
//!
//! θ = (μ, σ²) は最尤推定値（クレートの `Gaussian::fit`）を含む格子の上を動かし、
//! arg min・arg max をその格子で評価する。3 つの最適点がどれもクレートの最尤推定値に一致することを確かめる。

use crate::harness::{
    assert_printed, env, impl_link, model_error, Bound, Declared, Survivor, IMPL,
};
use genmodel::gaussian::Gaussian;
use genmodel::ndarray::{array, Array1, Array2};
use texeval::{check_equation, Ctx, Env, Equation, EvalError, LinkResult, Tolerances, Value};

fn shape_error(what: &str, v: &Value) -> EvalError {
    EvalError::Shape {
        op: what.into(),
        left: v.shape(),
        right: "-".into(),
    }
}

/// 1 次元のデータ点（長さ 1 の列ベクトル）の値。
fn point(v: &Value) -> Result<f64, EvalError> {
    match v {
        Value::Vector(a) if a.len() == 1 => Ok(a[0]),
        other => Err(shape_error("1 次元の状態（列ベクトル）が要る", other)),
    }
}

/// `f` を状態 1 つ、または全データ点の行列（n×1）に当てる。行列なら値の表（列ベクトル）を返す。
fn pointwise(
    v: &Value,
    mut f: impl FnMut(f64) -> Result<f64, EvalError>,
) -> Result<Value, EvalError> {
    match v {
        Value::Matrix(m) if m.ncols() == 1 => {
            let t: Result<Array1<f64>, EvalError> = m.column(0).iter().map(|&x| f(x)).collect();
            Ok(Value::from(t?))
        }
        other => f(point(other)?).map(Value::Scalar),
    }
}

/// データ・経験分布・モデル・θ の格子を束縛する。
///
/// - `\int d\vx` はデータ点の上の数え上げ測度（点 x_i に重み 1 の規則）、p0(x) はその密度（点の質量 1/n）。
/// - 自由な `\vx`（KL の引数の中）は全データ点の行列に束縛し、`p_0(\vx)`・`q_\theta(\vx)` を値の表として読む。
///   KL はその表から (2.3) の和 Σ p0 ln(p0/q_θ) で求める（データが相異なれば -ln n - 平均対数尤度）。
/// - q_θ はクレートの密度。θ = (μ, σ²) は評価の時点の束縛（arg min の動かす値）から読む。
fn ml_env(xs: &'static [f64], grid: Vec<Value>) -> Env {
    let n = xs.len();
    let points: Vec<Value> = xs.iter().map(|&x| Value::from(array![x])).collect();
    let mut e = env();
    e.family(r"\vx", points.clone())
        .scalar("n", n as f64)
        .quadrature(r"\vx", points, vec![1.0; n])
        .set(r"\vx", Array2::from_shape_fn((n, 1), |(i, _)| xs[i]))
        .domain(r"\theta", grid);
    e.func("p_0", move |a: &[Value]| {
        pointwise(&a[0], |x| {
            Ok(xs.iter().filter(|&&xi| xi == x).count() as f64 / n as f64)
        })
    });
    e.func_ctx(r"q_\theta", |cx: &mut Ctx<'_>, a: &[Value]| {
        let th = cx.get(r"\theta")?.components();
        let q = Gaussian::new(th[0], th[1]).map_err(model_error)?;
        pointwise(&a[0], |x| q.density(x).map_err(model_error))
    });
    e.func(r"\KL", |a: &[Value]| {
        let [Value::Vector(p), Value::Vector(q)] = a else {
            return Err(EvalError::Domain("KL の引数は 2 つの値の表".into()));
        };
        Ok(Value::Scalar(
            p.iter()
                .zip(q)
                .filter(|(pi, _)| **pi > 0.0)
                .map(|(pi, qi)| pi * (pi / qi).ln())
                .sum(),
        ))
    });
    e
}

/// 中心 (μ, σ²) のまわりの 5×5 の格子（中心を含む）。
fn grid_around(mu: f64, var: f64, dmu: f64) -> Vec<Value> {
    let mut g = Vec::new();
    for k in [-2.0, -1.0, 0.0, 1.0, 2.0] {
        for r in [0.7, 0.85, 1.0, 1.2, 1.4] {
            g.push(Value::from(array![mu + k * dmu, var * r]));
        }
    }
    g
}

/// 相異なるデータ点の組 2 つ。
const DATA: [&[f64]; 2] = [
    &[0.3, 1.9, 2.4, 3.0, 4.2, -0.6],
    &[-2.1, 0.4, 0.9, 1.6, -0.3, 2.7, 0.05, 1.2],
];

fn check_2_14(eq: &Equation) -> Vec<LinkResult> {
    let tol = Tolerances::default();
    // 格子は最尤推定値（クレートの fit）を中心にとる。3 つの最適点がどれもそれに一致する
    let envs: Vec<Env> = DATA
        .iter()
        .map(|&xs| {
            let q = Gaussian::fit(xs).expect("推定できる");
            let mut e = ml_env(xs, grid_around(q.mean(), q.variance(), 0.15));
            e.set(IMPL, array![q.mean(), q.variance()]);
            e
        })
        .collect();
    let r: Vec<&Env> = envs.iter().collect();
    let mut out = check_equation(eq, &r, &tol);
    out.extend(impl_link(eq, 0, 0, &r, "Gaussian::fit"));
    // データ 1 点: KL の最小点は μ = x_1 と格子の最小の σ²（最尤推定は格子の端）。式は n = 1 でも成り立つ
    let one = ml_env(&[0.8], grid_around(0.8, 1.0, 0.3));
    out.extend(check_equation(eq, &[&one], &tol));
    out
}

pub const BOUND: &[Bound] = &[Bound {
    tag: "2.14",
    check: check_2_14,
}];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[Survivor {
    tag: "2.14",
    mutant: r"\frac{1}{n} を消す (位置 243)",
    reason:
        "正の定数 1/n を掛けても掛けなくても arg max は同じ（最適点だけを主張する式なので同じ意味）",
}];

#[test]
fn eq_2_14_printed_form() {
    assert_printed("2.14", check_2_14);
}
