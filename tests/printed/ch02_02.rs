//! §2.2 ガウス分布の式（(2.8)–(2.13)）を印刷された形で実行する。
//!
//! 束縛は genmodel の実装（`Gaussian`）に結びつけるので、各 link は「ページの式 = クレートの値」を確かめる。
//! KL 情報量 (2.11) はクレートの `kl_up_to_const`、勾配 (2.12)・(2.13) はその中心差分とクレートの
//! `kl_gradient`、停留点はクレートの `sample_mean`・`sample_variance` と比べる。

use crate::harness::{
    assert_printed, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::gaussian::univariate::{sample_mean, sample_variance, KlGradient};
use genmodel::gaussian::Gaussian;
use std::f64::consts::PI;
use texeval::{check_equation, Env, Equation, EvalError, LinkResult, Rel, Tolerances, Value};

/// μ と σ（`\sigma^2` は σ の 2 乗として読まれる）と、クレートの密度 q_θ を束縛する。
fn gaussian_env(mu: f64, var: f64) -> Env {
    let mut e = env();
    e.scalar(r"\mu", mu).scalar(r"\sigma", var.sqrt());
    e.func("q_\\theta", move |args: &[Value]| {
        let x = args[0].as_scalar()?;
        Gaussian::new(mu, var)
            .and_then(|q| q.density(x))
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e
}

/// 母数 θ = (μ, σ²) の組（分散は小さいものから大きいものまで）。
const THETAS: [(f64, f64); 3] = [(0.7, 1.69), (-2.0, 0.3), (3.1, 6.5)];

fn check_2_8(eq: &Equation) -> Vec<LinkResult> {
    // θ を止めて x だけを動かし、クレートの密度と右辺の比が一定（= 1/Z_θ）であることを θ ごとに確かめる
    let mut out = Vec::new();
    for (mu, var) in THETAS {
        let envs: Vec<Env> = [-1.0, 0.7, 2.5, 4.0]
            .iter()
            .map(|&x| {
                let mut e = gaussian_env(mu, var);
                e.scalar("x", x);
                e
            })
            .collect();
        out.extend(check_equation(eq, &refs(&envs), &Tolerances::default()));
    }
    out
}

fn check_2_9(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 Z_θ をクレートの規格化定数に結ぶ: ページの積分 = クレート = ページの閉じた形
    let envs: Vec<Env> = THETAS
        .iter()
        .map(|&(mu, var)| {
            let mut e = gaussian_env(mu, var);
            let z = Gaussian::new(mu, var).expect("正の分散").normalizer();
            e.scalar(r"Z_\theta", z);
            e
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_2_9a(eq: &Equation) -> Vec<LinkResult> {
    // 純粋な数学の等式（束縛は要らない）。数値積分と √π を比べる
    check_equation(eq, &[&env()], &Tolerances::default())
}

fn check_2_10(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 q_θ(x) はクレートの密度。θ を 3 つ、x を 3 点で動かす
    let mut envs = Vec::new();
    for (mu, var) in THETAS {
        for x in [-1.0, 0.7, 2.5] {
            let mut e = gaussian_env(mu, var);
            e.scalar("x", x);
            envs.push(e);
        }
    }
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_2_11a(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの密度の対数。σ² = 1 を避ける（ln σ² = 0 だと ln の有無が見えない）
    let mut envs = Vec::new();
    for (mu, var) in THETAS {
        for x in [-1.3, 0.7, 5.0] {
            let mut e = gaussian_env(mu, var);
            e.scalar("x", x);
            envs.push(e);
        }
    }
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

/// 相異なるデータ点の組 2 つ。
const DATA: [&[f64]; 2] = [
    &[0.3, 1.9, -0.4, 2.2, 1.1],
    &[-2.5, 4.0, 0.6, 1.3, -0.9, 2.8, 3.3],
];

/// データ x_i・n と、経験分布 p0 を離散の測度として束縛する: `\int dx` はデータ点の上の数え上げ測度
/// （点 x_i に重み 1 の数値積分の規則）、p0(x) はその密度、つまり点の質量（x_i で 1/n、ほかで 0）。
///
/// p0 を texeval の測度（`Env::measure`）にしないのは、評価器が `p_0(x) \bigl( … \bigr)` を
/// 「p0(x) の値に括弧を適用する」形 `Apply(Apply(p_0, x), …)` に読み、積分の中の測度の因子として
/// 見つけられないからである（そのとき ℝ 上の数値積分になり、ほとんど至るところ 0 の被積分関数で 0 を返す）。
fn bind_data(e: &mut Env, xs: &'static [f64]) {
    let n = xs.len();
    e.data("x", xs).scalar("n", n as f64).quadrature(
        "x",
        xs.iter().map(|&x| Value::Scalar(x)).collect(),
        vec![1.0; n],
    );
    e.func("p_0", move |a: &[Value]| {
        let x = a[0].as_scalar()?;
        let count = xs.iter().filter(|&&xi| xi == x).count();
        Ok(Value::Scalar(count as f64 / n as f64))
    });
}

fn check_2_11(eq: &Equation) -> Vec<LinkResult> {
    // p0 は点 x_i に質量 1/n を置いた離散の測度。点の値 p0(x_i) はその質量 1/n なので、定義の積分
    // ∫ p0 (ln p0 - ln q_θ) は -ln n - (平均対数尤度) になる（ディラックのデルタで発散する
    // ∫ p0 ln p0 を、θ によらない有限の -ln n に置き換えたもの）。
    // 左辺はそれをクレートの kl_up_to_const で書いた値 kl_up_to_const + ½ ln 2π - ln n。
    // `\onlytheta` はデータを止めて θ だけを 4 通りに動かし、差が一定であることを見る
    let mut out = Vec::new();
    for xs in DATA {
        let fitted = Gaussian::fit(xs).expect("推定できる");
        let thetas = [
            (0.2, 0.8),
            (1.5, 2.3),
            (-0.5, 0.3),
            (fitted.mean(), fitted.variance()),
        ];
        let envs: Vec<Env> = thetas
            .iter()
            .map(|&(mu, var)| {
                let mut e = gaussian_env(mu, var);
                bind_data(&mut e, xs);
                let kl = Gaussian::new(mu, var)
                    .and_then(|q| q.kl_up_to_const(xs))
                    .expect("有限");
                let n = xs.len() as f64;
                e.scalar(r"\KL", kl + 0.5 * (2.0 * PI).ln() - n.ln());
                e.scalar(IMPL, kl);
                e
            })
            .collect();
        let r = refs(&envs);
        out.extend(check_equation(eq, &r, &Tolerances::default()));
        // 最後の閉じた形 = クレートの kl_up_to_const
        out.extend(impl_link(eq, 0, 3, &r, "kl_up_to_const"));
    }
    out
}

/// 勾配の式の束縛: データ、μ、σ²（名前 `\sigma^2` で束縛し、σ² で微分できるようにする）と、
/// KL = K(μ, σ²)（K はクレートの kl_up_to_const）。差分は μ・σ² の束縛を動かして K を呼び直す。
/// `\mathrm{impl}` には、クレートの勾配 `kl_gradient` の成分（`pick` で選ぶ）を置く。
fn gradient_env(xs: &'static [f64], mu: f64, var: f64, pick: fn(&KlGradient) -> f64) -> Env {
    let g = Gaussian::new(mu, var)
        .and_then(|q| q.kl_gradient(xs))
        .expect("有限");
    let mut e = env();
    e.scalar(IMPL, pick(&g));
    e.data("x", xs)
        .scalar("n", xs.len() as f64)
        .scalar(r"\mu", mu)
        .scalar(r"\sigma^2", var);
    e.func("K", move |a: &[Value]| {
        let [m, v] = a else {
            return Err(EvalError::Domain("K の引数は (μ, σ²)".into()));
        };
        Gaussian::new(m.as_scalar()?, v.as_scalar()?)
            .and_then(|q| q.kl_up_to_const(xs))
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.formula(r"\KL", r"K(\mu, \sigma^2)").expect("式を読める");
    e
}

/// 停留点の式（`\partial KL = 式 = 0 \iff 母数 = 推定値`）を確かめる。
///
/// - 1 つめの link（微分 = 式）と `\iff` は、停留点と、停留点でない点の両方で確かめる。
/// - 残りの link（`= 0` と、右の節の「母数 = 推定値」）は停留点でだけ成り立つ主張なので、停留点で確かめる。
/// - 印刷された勾配の式（項 1）は、クレートの `kl_gradient` と比べる（`\mathrm{impl}` に束縛しておく）。
fn check_stationary(eq: &Equation, at: &[Env], off: &[Env]) -> Vec<LinkResult> {
    let tol = Tolerances::default();
    let first = eq.chains().next().map_or(1, |c| c.first_link);
    let all: Vec<Env> = at.iter().chain(off).cloned().collect();
    let mut out: Vec<LinkResult> = check_equation(eq, &refs(&all), &tol)
        .into_iter()
        .filter(|r| r.link == first || r.rel == Rel::Iff)
        .collect();
    out.extend(
        check_equation(eq, &refs(at), &tol)
            .into_iter()
            .filter(|r| r.rel != Rel::Iff),
    );
    out.extend(impl_link(eq, 0, 1, &refs(&all), "kl_gradient"));
    out
}

fn check_2_12(eq: &Equation) -> Vec<LinkResult> {
    let mut at = Vec::new();
    let mut off = Vec::new();
    for xs in DATA {
        // 停留点: μ はクレートの標本平均（σ² はどれでもよい）
        let mean = sample_mean(xs).expect("有限");
        for var in [0.4, 1.7] {
            at.push(gradient_env(xs, mean, var, |g| g.mu));
            for mu in [mean - 1.3, mean + 0.4, -3.0] {
                off.push(gradient_env(xs, mu, var, |g| g.mu));
            }
        }
    }
    check_stationary(eq, &at, &off)
}

fn check_2_13(eq: &Equation) -> Vec<LinkResult> {
    let mut at = Vec::new();
    let mut off = Vec::new();
    for xs in DATA {
        // 停留点: μ = 標本平均なら σ² はクレートの標本分散。ほかの μ では (1/n) Σ (x_i - μ)²
        //   = 標本分散 + (標本平均 - μ)²
        let mean = sample_mean(xs).expect("有限");
        let var = sample_variance(xs).expect("有限");
        for mu in [mean, mean + 0.8, -1.0] {
            at.push(gradient_env(xs, mu, var + (mean - mu).powi(2), |g| g.var));
            for v in [0.3, 2.0 * var, 9.0] {
                off.push(gradient_env(xs, mu, v, |g| g.var));
            }
        }
    }
    check_stationary(eq, &at, &off)
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "2.8",
        check: check_2_8,
    },
    Bound {
        tag: "2.9",
        check: check_2_9,
    },
    Bound {
        tag: "2.9a",
        check: check_2_9a,
    },
    Bound {
        tag: "2.10",
        check: check_2_10,
    },
    Bound {
        tag: "2.11a",
        check: check_2_11a,
    },
    Bound {
        tag: "2.11",
        check: check_2_11,
    },
    Bound {
        tag: "2.12",
        check: check_2_12,
    },
    Bound {
        tag: "2.13",
        check: check_2_13,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[Survivor {
    tag: "2.9",
    mutant: "- → + (位置 76)",
    reason: "(x - μ)² → (x + μ)²: ℝ 全体の積分は平行移動 x → x - 2μ で変わらない",
}];

#[test]
fn eq_2_8_printed_form() {
    assert_printed("2.8", check_2_8);
}

#[test]
fn eq_2_9_printed_form() {
    assert_printed("2.9", check_2_9);
}

#[test]
fn eq_2_9a_printed_form() {
    assert_printed("2.9a", check_2_9a);
}

#[test]
fn eq_2_10_printed_form() {
    assert_printed("2.10", check_2_10);
}

#[test]
fn eq_2_11a_printed_form() {
    assert_printed("2.11a", check_2_11a);
}

#[test]
fn eq_2_11_printed_form() {
    assert_printed("2.11", check_2_11);
}

#[test]
fn eq_2_12_printed_form() {
    assert_printed("2.12", check_2_12);
}

#[test]
fn eq_2_13_printed_form() {
    assert_printed("2.13", check_2_13);
}
