//! §2.1 KL 情報量の式（(2.3)–(2.7)）を印刷された形で実行する。
//!
//! 左辺の KL 情報量はクレートの `kl_divergence`・`kl_gaussian_1d` に結びつけ、右辺の和・閉じた形は
//! ページの式のまま評価する。不等式 (2.4)–(2.7) は、等号に近い点と遠い点の両方で確かめる。

use crate::harness::{
    assert_printed, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::distribution::Categorical;
use genmodel::divergence::{kl_divergence, kl_gaussian_1d, kl_terms};
use genmodel::ndarray::{array, Array1, Array2};
use texeval::{check_equation, Env, Equation, EvalError, LinkResult, Rel, Tolerances, Value};

/// 状態 {0,1}²（2 次元の列ベクトル、4 個）。
fn states() -> Vec<Array1<f64>> {
    (0..4)
        .map(|s| array![(s / 2) as f64, (s % 2) as f64])
        .collect()
}

/// 全状態を 1 行に 1 つ並べた 4×2 行列。KL の引数 `p(\vx)` の自由な `\vx` はこれに束縛し、
/// `p(\vx)` を確率の表（全状態の値）として読む。
fn state_matrix() -> Array2<f64> {
    Array2::from_shape_fn((4, 2), |(i, j)| states()[i][j])
}

/// 状態ベクトルの番号。
fn index_of(x: &Array1<f64>) -> Result<usize, EvalError> {
    states()
        .iter()
        .position(|s| s == x)
        .ok_or_else(|| EvalError::Domain(format!("状態でない {x}")))
}

/// 確率ベクトルを状態の関数として束縛する。列ベクトルの状態ならその確率、
/// 全状態の行列なら確率の表（列ベクトル）を返す。行ベクトルや転置した行列は形の誤り。
fn bind_distribution(e: &mut Env, name: &str, c: &Categorical) {
    let probs = c.probabilities().to_owned();
    e.func(name, move |a: &[Value]| match &a[0] {
        Value::Vector(x) => Ok(Value::Scalar(probs[index_of(x)?])),
        Value::Matrix(m) => {
            let t: Result<Array1<f64>, EvalError> = m
                .rows()
                .into_iter()
                .map(|r| index_of(&r.to_owned()).map(|i| probs[i]))
                .collect();
            Ok(Value::from(t?))
        }
        other => Err(EvalError::Shape {
            op: "状態（列ベクトル）か全状態の行列が要る".into(),
            left: other.shape(),
            right: "-".into(),
        }),
    });
}

fn categorical(p: [f64; 4]) -> Categorical {
    Categorical::new(Array1::from(p.to_vec())).expect("確率ベクトル")
}

/// (2.3) の分布の組: 非対称な組、一様に近い組、等しい組（KL = 0）。どれも正。
fn positive_pairs() -> Vec<(Categorical, Categorical)> {
    [
        ([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]),
        ([0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]),
        ([0.05, 0.15, 0.5, 0.3], [0.05, 0.15, 0.5, 0.3]),
    ]
    .into_iter()
    .map(|(p, q)| (categorical(p), categorical(q)))
    .collect()
}

fn check_2_3(eq: &Equation) -> Vec<LinkResult> {
    // 左辺: KL は関数として束縛し、引数 p(\vx)・q(\vx) の確率の表からクレートの kl_divergence を計算する
    let envs: Vec<Env> = positive_pairs()
        .iter()
        .map(|(p, q)| {
            let mut e = env();
            bind_distribution(&mut e, "p", p);
            bind_distribution(&mut e, "q", q);
            e.func(r"\KL", |a: &[Value]| {
                let table = |v: &Value| match v {
                    Value::Vector(t) => Categorical::new(t.clone()).map_err(model_error),
                    other => Err(EvalError::Shape {
                        op: "KL の引数は確率の表".into(),
                        left: other.shape(),
                        right: "-".into(),
                    }),
                };
                let [p, q] = a else {
                    return Err(EvalError::Domain("KL の引数は 2 つ".into()));
                };
                kl_divergence(&table(p)?, &table(q)?)
                    .map(Value::Scalar)
                    .map_err(model_error)
            });
            e.set(r"\vx", state_matrix())
                .domain(r"\vx", states().into_iter().map(Value::from).collect());
            e.scalar(IMPL, kl_terms(p, q).expect("同じ長さ").sum());
            e
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    // 右辺の和 = クレートの kl_terms の和
    out.extend(impl_link(eq, 0, 1, &r, "kl_terms の和"));
    out
}

fn check_2_3a(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの閉じた形 kl_gaussian_1d。等しい分布（0）・平均だけ・分散だけ・両方がずれた組
    let envs: Vec<Env> = [
        (0.4, 1.7, 0.4, 1.7),
        (-1.0, 0.8, 2.5, 0.8),
        (0.3, 0.2, 0.3, 3.5),
        (1.2, 4.0, -0.7, 0.6),
    ]
    .into_iter()
    .map(|(m1, v1, m2, v2)| {
        let mut e = env();
        e.scalar(r"\mu_1", m1)
            .scalar(r"\mu_2", m2)
            .scalar(r"\sigma_1", f64::sqrt(v1))
            .scalar(r"\sigma_2", f64::sqrt(v2))
            .scalar(r"\KL", kl_gaussian_1d(m1, v1, m2, v2).expect("正の分散"));
        e
    })
    .collect();
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

/// x をひとつ束縛した環境。
fn x_env(x: f64) -> Env {
    let mut e = env();
    e.scalar("x", x);
    e
}

/// 式の不等号 `\ge`・`\le` をすべて `=` にした式（等号の成り立つ点で確かめる）。
fn as_equalities(eq: &Equation) -> Equation {
    let mut e = eq.clone();
    for part in &mut e.parts {
        for c in &mut part.clauses {
            for r in &mut c.rels {
                if matches!(r, Rel::Ge | Rel::Le) {
                    *r = Rel::Eq;
                }
            }
        }
    }
    e
}

fn check_2_4(eq: &Equation) -> Vec<LinkResult> {
    let default = Tolerances::default();
    // 1. 両側の不等式を x > 0 の 12 点で確かめる（等号の近くから遠くまで）。
    //    どちらの節も x > 0 で常に真なので、ここでの `\iff` は判定できず、2. で確かめる
    let grid = [
        0.01, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.2, 2.0, 5.0, 10.0, 100.0,
    ];
    let envs: Vec<Env> = grid.iter().map(|&x| x_env(x)).collect();
    let mut out: Vec<LinkResult> = check_equation(eq, &refs(&envs), &default)
        .into_iter()
        .filter(|r| r.rel != Rel::Iff)
        .collect();
    // 2. `\iff`: 余裕 0.05 を要求すると（a ≥ b + 0.05）、2 つの節の余裕はどちらも x − 1 − ln x なので、
    //    x = 0.9・1.2（余裕 0.005・0.018）では両方偽、x = 0.5・3（0.19・0.90）では両方真になる
    let margin = Tolerances {
        abs: -0.05,
        ..default
    };
    let envs: Vec<Env> = [0.5, 0.9, 1.2, 3.0].iter().map(|&x| x_env(x)).collect();
    out.extend(
        check_equation(eq, &refs(&envs), &margin)
            .into_iter()
            .filter(|r| r.rel == Rel::Iff),
    );
    // 3. 等号はページのとおり x = 1 で成り立つ
    out.extend(
        check_equation(&as_equalities(eq), &[&x_env(1.0)], &default)
            .into_iter()
            .filter(|r| r.rel != Rel::Iff),
    );
    out
}

/// (2.5)・(2.7) の分布の組。p は状態 4 で 0。
/// 1: q が p の台の外にも確率をもつ（最後の `\ge 0` も等号でない）、2: q = p（すべて等号）、
/// 3: p も q も正（最後は等号、途中は等号でない）。
fn support_pairs() -> Vec<(Categorical, Categorical)> {
    [
        ([0.5, 0.3, 0.2, 0.0], [0.2, 0.3, 0.1, 0.4]),
        ([0.5, 0.3, 0.2, 0.0], [0.5, 0.3, 0.2, 0.0]),
        ([0.1, 0.6, 0.2, 0.1], [0.3, 0.3, 0.3, 0.1]),
    ]
    .into_iter()
    .map(|(p, q)| (categorical(p), categorical(q)))
    .collect()
}

/// `\KL(p \parallel q)` をクレートの値にし、p・q と和の範囲を束縛した環境。
fn support_envs() -> Vec<Env> {
    support_pairs()
        .iter()
        .map(|(p, q)| {
            let mut e = env();
            bind_distribution(&mut e, "p", p);
            bind_distribution(&mut e, "q", q);
            e.scalar(r"\KL", kl_divergence(p, q).expect("同じ長さ"))
                .domain(r"\vx", states().into_iter().map(Value::from).collect());
            e
        })
        .collect()
}

fn check_2_5(eq: &Equation) -> Vec<LinkResult> {
    let envs = support_envs();
    let mut out = check_equation(eq, &refs(&envs), &Tolerances::default());
    // 等しい分布では、連鎖のすべての不等号が等号になる
    out.extend(check_equation(
        &as_equalities(eq),
        &[&envs[1]],
        &Tolerances::default(),
    ));
    out
}

fn check_2_7(eq: &Equation) -> Vec<LinkResult> {
    let envs = support_envs();
    let mut out = check_equation(eq, &refs(&envs), &Tolerances::default());
    out.extend(check_equation(
        &as_equalities(eq),
        &[&envs[1]],
        &Tolerances::default(),
    ));
    out
}

/// 上に凸な関数 f を束縛する（0: ln、1: √）。
fn bind_concave(e: &mut Env, k: usize) {
    e.func("f", move |a: &[Value]| {
        let x = a[0].as_scalar()?;
        if (k == 0 && x <= 0.0) || x < 0.0 {
            return Err(EvalError::Domain(format!("f の定義域の外 {x}")));
        }
        Ok(Value::Scalar(if k == 0 { x.ln() } else { x.sqrt() }))
    });
}

fn check_2_6(eq: &Equation) -> Vec<LinkResult> {
    // 純粋な数学の不等式（クレートに実装はない）。f = ln と √ で、離れた 2 点・近い 2 点・同じ点
    let mut envs = Vec::new();
    for k in 0..2 {
        for (a, b) in [
            (4.0, 0.01),
            (1.0, 100.0),
            (2.0, 3.0),
            (5.0, 5.0),
            (0.3, 0.7),
        ] {
            let mut e = env();
            e.scalar("a", a).scalar("b", b);
            bind_concave(&mut e, k);
            envs.push(e);
        }
    }
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

fn check_2_6a(eq: &Equation) -> Vec<LinkResult> {
    // 純粋な数学の不等式。重みはクレートの確率ベクトル、y は正の値。y が全部等しければ等号
    let cases: [(&[f64], &[f64]); 4] = [
        (&[0.2, 0.5, 0.3], &[0.5, 4.0, 10.0]),
        (&[0.7, 0.3], &[1.5, 1.5]),
        (&[0.1, 0.2, 0.3, 0.4], &[0.01, 2.0, 0.3, 7.0]),
        (&[0.5, 0.5], &[0.2, 5.0]),
    ];
    let mut envs = Vec::new();
    for k in 0..2 {
        for (w, y) in cases {
            let w = Categorical::new(Array1::from(w.to_vec())).expect("確率ベクトル");
            let mut e = env();
            e.data("w", w.probabilities().as_slice().expect("連続"))
                .data("y", y);
            bind_concave(&mut e, k);
            envs.push(e);
        }
    }
    check_equation(eq, &refs(&envs), &Tolerances::default())
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "2.3",
        check: check_2_3,
    },
    Bound {
        tag: "2.3a",
        check: check_2_3a,
    },
    Bound {
        tag: "2.4",
        check: check_2_4,
    },
    Bound {
        tag: "2.5",
        check: check_2_5,
    },
    Bound {
        tag: "2.6",
        check: check_2_6,
    },
    Bound {
        tag: "2.6a",
        check: check_2_6a,
    },
    Bound {
        tag: "2.7",
        check: check_2_7,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[];

#[test]
fn eq_2_3_printed_form() {
    assert_printed("2.3", check_2_3);
}

#[test]
fn eq_2_3a_printed_form() {
    assert_printed("2.3a", check_2_3a);
}

#[test]
fn eq_2_4_printed_form() {
    assert_printed("2.4", check_2_4);
}

#[test]
fn eq_2_5_printed_form() {
    assert_printed("2.5", check_2_5);
}

#[test]
fn eq_2_6_printed_form() {
    assert_printed("2.6", check_2_6);
}

#[test]
fn eq_2_6a_printed_form() {
    assert_printed("2.6a", check_2_6a);
}

#[test]
fn eq_2_7_printed_form() {
    assert_printed("2.7", check_2_7);
}
