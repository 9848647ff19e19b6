//! §1 生成モデルの式（(1.1)–(1.3)）を印刷された形で実行する。
//!
//! 経験分布 p0 はクレートの `EmpiricalDistribution`（離散）と、点に質量 1/n を置いた離散の測度（連続）
//! として束縛する。デルタ関数は点の値をもたないので、離散のデータではページのとおりクロネッカーの
//! デルタとして、連続のデータでは p0 を測度にして試験関数の積分 (1.1a) として実行する。
//! 近似 (1.2)・(1.2a)・(1.3) は、クレートで引いた大きな標本で確かめる。

use crate::harness::{
    assert_printed, column, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::distribution::{expectation, Boltzmann, EmpiricalDistribution};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::gaussian::Mvn;
use genmodel::ndarray::{array, Array1, Array2};
use rand::Rng;
use std::sync::OnceLock;
use texeval::{
    check_equation, gauss_legendre, Env, Equation, EvalError, LinkResult, Tolerances, Value,
};

/// 離散の状態 {0,1,2}×{0,1}（2 次元の列ベクトル）。番号は 2a + b。
fn grid_states() -> Vec<Array1<f64>> {
    (0..6)
        .map(|s| array![(s / 2) as f64, (s % 2) as f64])
        .collect()
}

/// 状態の番号（格子の外なら誤り）。
fn state_index(x: &Array1<f64>) -> Result<usize, EvalError> {
    grid_states()
        .iter()
        .position(|s| s == x)
        .ok_or_else(|| EvalError::Domain(format!("格子の外の状態 {x}")))
}

/// 状態の番号の列を、状態ベクトルの族にする。
fn state_family(data: &[usize]) -> Vec<Value> {
    let states = grid_states();
    data.iter()
        .map(|&i| Value::from(states[i].clone()))
        .collect()
}

/// 確率ベクトルを、状態の関数 `p(\vx)` として束縛する。
fn bind_table(e: &mut Env, name: &str, probs: Array1<f64>) {
    e.func(name, move |a: &[Value]| {
        let i = state_index(&column(&a[0])?)?;
        Ok(Value::Scalar(probs[i]))
    });
}

/// 離散のデータの組（状態の番号）。出ない状態も、何度も出る状態もある。
const DISCRETE_DATA: [&[usize]; 2] = [&[0, 2, 2, 5, 3, 2, 0], &[1, 1, 4, 4, 4, 5, 0, 2, 3]];

fn check_1_1(eq: &Equation) -> Vec<LinkResult> {
    // 離散のデータ: δ はクロネッカーのデルタ（ページの定義）。左辺 p0 はクレートの経験分布
    let mut envs = Vec::new();
    for data in DISCRETE_DATA {
        let p0 = EmpiricalDistribution::from_states(data, 6).expect("状態は範囲内");
        for x in grid_states() {
            let mut e = env();
            e.family(r"\vx", state_family(data))
                .scalar("n", data.len() as f64)
                .set(r"\vx", x);
            bind_table(&mut e, "p_0", p0.probabilities().to_owned());
            e.func(r"\delta", |a: &[Value]| {
                let d = column(&a[0])?;
                Ok(Value::Scalar(if d.iter().all(|&c| c == 0.0) {
                    1.0
                } else {
                    0.0
                }))
            });
            envs.push(e);
        }
    }
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

/// 試験関数（非線形で、列ベクトルだけを受け取る）。
fn test_function(k: usize) -> impl Fn(&Array1<f64>) -> f64 + Clone + 'static {
    move |x: &Array1<f64>| match k {
        0 => x[0] * x[0] - 3.0 * x[1] + (x[0] * x[1]).sin(),
        1 => (0.7 * x[0]).cos() + x[0] * x[1],
        2 => (-(x[0] - 1.0).powi(2)).exp() + 0.5 * x[1].powi(3),
        // 定数: 規格化そのもの（どの n でも両辺が厳密に 2.5）
        _ => 2.5 + 0.0 * x[0],
    }
}

fn bind_test_function(e: &mut Env, k: usize) {
    let f = test_function(k);
    e.func("f", move |a: &[Value]| {
        Ok(Value::Scalar(f(&column(&a[0])?)))
    });
}

/// 連続のデータ（2 次元、1 行 1 標本）。
fn continuous_data() -> Array2<f64> {
    array![
        [0.3, -1.2],
        [1.7, 0.4],
        [-0.8, 2.1],
        [2.5, -0.3],
        [0.9, 0.9]
    ]
}

fn check_1_1a(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    // 離散: 測度 p0 の重みはクレートの経験分布（重なったデータは 1 つの点の重みになる）
    for (k, data) in DISCRETE_DATA.iter().enumerate() {
        let p0 = EmpiricalDistribution::from_states(*data, 6).expect("状態は範囲内");
        let mut e = env();
        e.measure(
            "p_0",
            grid_states().into_iter().map(Value::from).collect(),
            p0.probabilities().to_vec(),
        )
        .family(r"\vx", state_family(data))
        .scalar("n", data.len() as f64);
        bind_test_function(&mut e, k);
        let f = test_function(k);
        let rows = Array2::from_shape_fn((data.len(), 2), |(i, j)| grid_states()[data[i]][j]);
        e.scalar(
            IMPL,
            expectation(&rows, |x| f(&x.to_owned())).expect("有限"),
        );
        envs.push(e);
    }
    // 連続: 各データ点に質量 1/n を置いた測度（(1.1) のディラックのデルタの和）
    let xs = continuous_data();
    let n = xs.nrows();
    for k in 0..3 {
        let points: Vec<Value> = xs
            .rows()
            .into_iter()
            .map(|r| Value::from(r.to_owned()))
            .collect();
        let mut e = env();
        e.measure("p_0", points.clone(), vec![1.0 / n as f64; n])
            .family(r"\vx", points)
            .scalar("n", n as f64);
        bind_test_function(&mut e, k);
        let f = test_function(k);
        e.scalar(IMPL, expectation(&xs, |x| f(&x.to_owned())).expect("有限"));
        envs.push(e);
    }
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    // 右辺 (1/n) Σ f(x_i) はクレートの expectation と等しい
    out.extend(impl_link(eq, 0, 1, &r, "expectation"));
    out
}

/// (1.2)・(1.3) の真の離散分布（6 状態）。
fn true_discrete() -> Array1<f64> {
    array![0.05, 0.25, 0.1, 0.3, 0.2, 0.1]
}

/// 真の離散分布から引いた 20 万個の状態（クレートの乱数で逆関数法）。
fn discrete_draws() -> &'static [usize] {
    static DRAWS: OnceLock<Vec<usize>> = OnceLock::new();
    DRAWS.get_or_init(|| {
        let p = true_discrete();
        let mut rng = seeded_rng(11);
        (0..200_000)
            .map(|_| {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                p.iter()
                    .position(|&pi| {
                        acc += pi;
                        u < acc
                    })
                    .unwrap_or(p.len() - 1)
            })
            .collect()
    })
}

fn check_1_2(eq: &Equation) -> Vec<LinkResult> {
    // n = 20 万の経験分布（クレート）と真の分布は、各状態で 1e-2 以内（標準誤差は 1e-3 以下）
    let p0 = EmpiricalDistribution::from_states(discrete_draws(), 6).expect("状態は範囲内");
    let envs: Vec<Env> = grid_states()
        .into_iter()
        .map(|x| {
            let mut e = env();
            e.set(r"\vx", x);
            bind_table(&mut e, "p_0", p0.probabilities().to_owned());
            bind_table(&mut e, "p", true_discrete());
            e
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

/// (1.2a)・(1.3) の真の連続分布（2 次元ガウス分布）。
fn true_mvn() -> Mvn {
    Mvn::new(array![0.5, -1.0], array![[1.0, 0.3], [0.3, 0.5]]).expect("正定値")
}

/// 真の連続分布からクレートで引いた 5 万個の標本。
fn mvn_samples() -> &'static Array2<f64> {
    static SAMPLES: OnceLock<Array2<f64>> = OnceLock::new();
    SAMPLES.get_or_init(|| true_mvn().sample(&mut seeded_rng(5), 50_000).expect("標本"))
}

/// 箱 [-8, 8]² を平均のまわりに置いた 40×40 点の Gauss–Legendre 則（ℝ² の積分の代わり、裾は 1e-14 未満）。
fn box_quadrature(center: &Array1<f64>) -> (Vec<Value>, Vec<f64>) {
    let (t, w) = gauss_legendre(40);
    let half = 8.0;
    let (mut pts, mut ws) = (Vec::new(), Vec::new());
    for (ti, wi) in t.iter().zip(&w) {
        for (tj, wj) in t.iter().zip(&w) {
            pts.push(Value::from(array![
                center[0] + half * ti,
                center[1] + half * tj
            ]));
            ws.push(wi * wj * half * half);
        }
    }
    (pts, ws)
}

fn bind_mvn(e: &mut Env, name: &str, q: Mvn) {
    e.func(name, move |a: &[Value]| {
        q.density(&column(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
}

fn check_1_2a(eq: &Equation) -> Vec<LinkResult> {
    // 左辺: クレートの標本（n = 5 万）での平均。右辺: クレートの密度に対する数値積分
    let xs = mvn_samples();
    let p = true_mvn();
    let (pts, ws) = box_quadrature(&p.mean().to_owned());
    let family: Vec<Value> = xs
        .rows()
        .into_iter()
        .map(|r| Value::from(r.to_owned()))
        .collect();
    // 非線形な f は n = 5 万で、定数の f は n = 20 でも（規格化 ∫p = 1 により厳密に）成り立つ
    let envs: Vec<Env> = [(0, xs.nrows()), (1, xs.nrows()), (2, xs.nrows()), (3, 20)]
        .into_iter()
        .map(|(k, n)| {
            let mut e = env();
            e.family(r"\vx", family[..n].to_vec())
                .scalar("n", n as f64)
                .quadrature(r"\vx", pts.clone(), ws.clone());
            bind_mvn(&mut e, "p", p.clone());
            bind_test_function(&mut e, k);
            e
        })
        .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_1_3(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    // 離散: E(x) = -ln p(x) のボルツマン分布（クレート）は p そのもの
    let p = true_discrete();
    let q = Boltzmann::new(p.mapv(|pi| -pi.ln())).expect("有限のエネルギー");
    let q_table: Array1<f64> = (0..6).map(|i| q.probability(i).expect("範囲内")).collect();
    for x in grid_states() {
        let mut e = env();
        e.set(r"\vx", x);
        bind_table(&mut e, "p", p.clone());
        bind_table(&mut e, r"q_\theta", q_table.clone());
        envs.push(e);
    }
    // 連続: 標本から最尤推定したガウス分布（クレート）の密度は、真の密度に近い
    let fitted = Mvn::fit(mvn_samples()).expect("推定できる");
    for x in [
        array![0.5, -1.0],
        array![1.5, -0.2],
        array![-0.7, -1.8],
        array![2.0, 0.5],
    ] {
        let mut e = env();
        e.set(r"\vx", x);
        bind_mvn(&mut e, "p", true_mvn());
        bind_mvn(&mut e, r"q_\theta", fitted.clone());
        envs.push(e);
    }
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "1.1",
        check: check_1_1,
    },
    Bound {
        tag: "1.1a",
        check: check_1_1a,
    },
    Bound {
        tag: "1.2",
        check: check_1_2,
    },
    Bound {
        tag: "1.2a",
        check: check_1_2a,
    },
    Bound {
        tag: "1.3",
        check: check_1_3,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[];

#[test]
fn eq_1_1_printed_form() {
    assert_printed("1.1", check_1_1);
}

#[test]
fn eq_1_1a_printed_form() {
    assert_printed("1.1a", check_1_1a);
}

#[test]
fn eq_1_2_printed_form() {
    assert_printed("1.2", check_1_2);
}

#[test]
fn eq_1_2a_printed_form() {
    assert_printed("1.2a", check_1_2a);
}

#[test]
fn eq_1_3_printed_form() {
    assert_printed("1.3", check_1_3);
}
