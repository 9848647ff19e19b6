//! §2 ボルツマンマシンの式（(2.1)–(2.2a)）を印刷された形で実行する。
//!
//! エネルギー E_θ はクレートの Ising 模型（3 スピン）の `energy` に定数を足したもの、q_θ と Z_θ はその全状態の
//! エネルギーの表から作ったクレートの `Boltzmann`（`probability`・`log_z`）に結びつける。
//! したがって各 link は「ページの式 = クレートの値」を確かめる。

use crate::harness::{assert_printed, env, model_error, Bound, Declared, Survivor};
use genmodel::boltzmann::ising::spins_of_state;
use genmodel::boltzmann::Ising;
use genmodel::distribution::Boltzmann;
use genmodel::ndarray::{array, Array1};
use texeval::{
    check_equation, Env, Equation, EvalError, LinkResult, LinkStatus, Rel, Tolerances, Value,
};

/// スピンの数。
const SPINS: usize = 3;

/// 全状態 {-1, 1}³ を実数の列ベクトルとして並べる（番号はクレートの `spins_of_state`）。
fn states() -> Vec<Array1<f64>> {
    (0..1 << SPINS)
        .map(|s| {
            spins_of_state(s, SPINS)
                .expect("状態は範囲内")
                .mapv(f64::from)
        })
        .collect()
}

/// 列ベクトルのスピン配置を受け取り、状態の番号を返す（行ベクトル・±1 でない値は誤り）。
fn state_of(v: &Value) -> Result<usize, EvalError> {
    let Value::Vector(x) = v else {
        return Err(EvalError::Shape {
            op: "列ベクトルの状態が要る".into(),
            left: v.shape(),
            right: "-".into(),
        });
    };
    states()
        .iter()
        .position(|s| s == x)
        .ok_or_else(|| EvalError::Domain(format!("スピン配置でない {x}")))
}

/// エネルギー E_θ(x) = (クレートの Ising のエネルギー) + c の模型。
#[derive(Clone)]
struct Model {
    ising: Ising,
    /// エネルギーに足す定数 c（分布は変わらず、Z が e^{-c} 倍になる）。
    offset: f64,
}

impl Model {
    /// 状態 `s` のエネルギー。
    fn energy(&self, s: usize) -> Result<f64, genmodel::Error> {
        Ok(self.ising.energy(&spins_of_state(s, SPINS)?)? + self.offset)
    }
}

/// 母数 θ = (h, J, c) の模型 3 つ。最後のものはすべての -E が 423 から 673 の間にあり、
/// 素朴な Z は e^{673} 程度（f64 の上限 e^{709.8} に近い）。
fn models() -> Vec<Model> {
    [
        (array![0.3, -0.8, 0.5], array![0.7, -0.4, 1.1], 0.0),
        (array![-1.5, 0.2, 2.0], array![-0.9, 0.6, 0.3], 1.3),
        (array![60.0, 40.0, 25.0], array![10.0, -6.0, 4.0], -540.0),
    ]
    .into_iter()
    .map(|(h, j, offset)| Model {
        ising: Ising::new(h, j).expect("母数は有限"),
        offset,
    })
    .collect()
}

/// 全状態のエネルギーの表から作ったクレートのボルツマン分布。
fn boltzmann(model: &Model) -> Boltzmann {
    let e: Array1<f64> = (0..1 << SPINS)
        .map(|s| model.energy(s).expect("3 スピン"))
        .collect();
    Boltzmann::new(e).expect("有限のエネルギー")
}

/// E_θ（クレートの Ising のエネルギー）・q_θ（クレートの確率）・和の範囲 \vx を束縛する。
fn model_env(model: &Model) -> Env {
    let mut e = env();
    let m = model.clone();
    e.func(r"E_\theta", move |a: &[Value]| {
        m.energy(state_of(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    let q = boltzmann(model);
    e.func(r"q_\theta", move |a: &[Value]| {
        let p = q
            .probability(state_of(&a[0])?)
            .ok_or_else(|| EvalError::Domain("状態が範囲外".into()))?;
        Ok(Value::Scalar(p))
    });
    e.domain(r"\vx", states().into_iter().map(Value::from).collect());
    e
}

/// 値に ±∞ か NaN があるか。
fn non_finite(v: &Option<Value>) -> bool {
    v.as_ref()
        .is_some_and(|v| v.components().iter().any(|x| !x.is_finite()))
}

/// 束縛ごとに別々に確かめ、`=` の片方だけが有限でない link を失敗にする。
///
/// texeval の `=` は |a − b| ≤ abs + rel·max(|a|, |b|) で比べるので、b = +∞ なら右辺も +∞ になり、
/// 有限の a と ∞ を「等しい」とみなしてしまう（評価器の不具合）。束縛ごとに確かめれば
/// 各 link の両辺の値が結果に残るので、ここで見分ける。
fn check_each_finite(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    let mut out = Vec::new();
    for (k, e) in envs.iter().enumerate() {
        for mut r in check_equation(eq, &[e], &Tolerances::default()) {
            r.env = k;
            if r.rel == Rel::Eq && r.ok() && non_finite(&r.lhs) != non_finite(&r.rhs) {
                r.status = LinkStatus::Fail;
                r.note = "片方の辺だけが有限でない".into();
            }
            out.push(r);
        }
    }
    out
}

fn check_2_1(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 q_θ(x) はクレートの確率、Z_θ はクレートの ln Z の指数。全状態 × 3 つの θ で確かめる
    let mut envs = Vec::new();
    for model in &models() {
        for x in states() {
            let mut e = model_env(model);
            e.scalar(r"Z_\theta", boltzmann(model).log_z().exp())
                .set(r"\vx", x);
            envs.push(e);
        }
    }
    check_each_finite(eq, &envs)
}

fn check_2_2(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 Z_θ はクレートの log-sum-exp の指数（e^{673} 程度なので f64 で表せる）
    let envs: Vec<Env> = models()
        .iter()
        .map(|model| {
            let mut e = model_env(model);
            e.scalar(r"Z_\theta", boltzmann(model).log_z().exp());
            e
        })
        .collect();
    check_each_finite(eq, &envs)
}

fn check_2_2a(eq: &Equation) -> Vec<LinkResult> {
    // m は式の 2 行目で定義される。1 行目は数学としてはどの m でも成り立つが、-E が 423〜673 の θ では
    // m を最大値以外（たとえば max E = -423）にすると exp があふれて（∞）成り立たない。
    // これがページの「和はあふれない」の主張である
    let envs: Vec<Env> = models()
        .iter()
        .map(|model| {
            let mut e = model_env(model);
            e.scalar(r"Z_\theta", boltzmann(model).log_z().exp());
            e
        })
        .collect();
    check_each_finite(eq, &envs)
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "2.1",
        check: check_2_1,
    },
    Bound {
        tag: "2.2",
        check: check_2_2,
    },
    Bound {
        tag: "2.2a",
        check: check_2_2a,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[];

#[test]
fn eq_2_1_printed_form() {
    assert_printed("2.1", check_2_1);
}

#[test]
fn eq_2_2_printed_form() {
    assert_printed("2.2", check_2_2);
}

#[test]
fn eq_2_2a_printed_form() {
    assert_printed("2.2a", check_2_2a);
}
