//! 付録 A 行列の微分公式（(A.1)–(A.8)）を印刷された形で実行する。
//!
//! 微分は texeval の中心差分（行列は成分ごと）、行列は乱数（種を固定）で作る非対称な行列
//! （公式が対称性を要るときは対称正定値行列）である。式の中の名前を genmodel に結ぶ:
//! 小行列式 `m_{ij}` は `matcalc::minor`、余因子 `C` は `matcalc::cofactor_matrix`、
//! `A^{-1}`・`\Sigma^{-1}` は `linalg::inverse`・`Spd::inverse`。公式の右辺そのもの
//! （`matcalc::grad_quadratic_form` など）は式の中に名前がないので、`crate_link` で連鎖の各項と
//! 形まで比べる。

use crate::ch02_04::{crate_link, random_spd, random_vec};
use crate::harness::{assert_printed, env, model_error, refs, Bound, Declared, Survivor};
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::linalg::matcalc::{
    cofactor_expansion, cofactor_matrix, grad_det, grad_ln_abs_det, grad_ln_det_cov_wrt_precision,
    grad_quadratic_form, grad_quadratic_form_symmetric, grad_quadratic_form_wrt_matrix, minor,
};
use genmodel::linalg::{determinant, inverse, Spd};
use genmodel::ndarray::{Array1, Array2};
use rand::Rng;
use texeval::{
    check_equation, Env, Equation, EvalError, LinkResult, LinkStatus, Rel, Statement, Tolerances,
    Value,
};

/// 乱数（種 `seed`）で作る `n` 次の非対称な行列 `R + n I`（`R` の成分は [-1, 1)）。
///
/// 対角成分が行の他の成分の絶対値の和より大きい（狭義優対角）ので、固有値の実部は正で `det > 0`。
fn random_matrix(seed: u64, n: usize) -> Array2<f64> {
    let mut rng = seeded_rng(seed);
    let r = Array2::from_shape_fn((n, n), |_| rng.random_range(-1.0..1.0));
    r + Array2::<f64>::eye(n) * n as f64
}

/// 行列 `A`・ベクトル `\vx`・次数 `n` を束縛する。
fn matrix_env(a: &Array2<f64>, x: Array1<f64>) -> Env {
    let mut e = env();
    e.set("A", a.clone())
        .set(r"\vx", x)
        .scalar("n", a.nrows() as f64);
    e
}

/// 小行列式の行列を返す関数 `M(A)`（`matcalc::minor`）を束縛し、`m` を `M(A)` とする。
///
/// `m` は読むたびにその時点の `A` から計算し直すので、`A_{ij}` を差分で動かしても
/// 小行列式は「動かした A の小行列式」になる（(A.6) の「m_ik は A_ij によらない」を数値で確かめる）。
fn bind_minors(e: &mut Env) {
    e.func("M", |a: &[Value]| {
        let [Value::Matrix(a)] = a else {
            return Err(EvalError::Unsupported("M の引数は行列".into()));
        };
        let n = a.nrows();
        let mut m = Array2::<f64>::zeros((n, n));
        for i in 0..n {
            for j in 0..n {
                m[[i, j]] = minor(a, i, j).map_err(model_error)?;
            }
        }
        Ok(Value::Matrix(m))
    });
    e.formula("m", "M(A)").expect("M(A)");
}

/// 次数 2, 3, 4 の非対称な行列と点。
fn nonsymmetric_cases() -> Vec<(Array2<f64>, Array1<f64>)> {
    (2..=4)
        .map(|n| {
            let s = n as u64;
            (random_matrix(1000 + s, n), random_vec(2000 + s, n) * 2.0)
        })
        .collect()
}

fn check_a_1(eq: &Equation) -> Vec<LinkResult> {
    // \vec{e}_i は基本ベクトルの族。各項をクレートの grad_quadratic_form = (A + Aᵀ)x と比べる
    let cases = nonsymmetric_cases();
    let envs: Vec<Env> = cases
        .iter()
        .map(|(a, x)| {
            let n = a.nrows();
            let mut e = matrix_env(a, x.clone());
            let basis = (0..n)
                .map(|i| Value::from(Array1::from_shape_fn(n, |k| f64::from(u8::from(k == i)))))
                .collect();
            e.family(r"\vec{e}", basis);
            e
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    let want: Vec<Value> = cases
        .iter()
        .map(|(a, x)| Value::from(grad_quadratic_form(a, x).expect("勾配")))
        .collect();
    out.push(crate_link(
        eq,
        0,
        &[0, 1, 2, 3, 4],
        &r,
        &want,
        "grad_quadratic_form",
    ));
    out
}

fn check_a_2(eq: &Equation) -> Vec<LinkResult> {
    // Σ は乱数の対称正定値行列、Σ⁻¹ はクレートの Spd::inverse。
    // 右辺と左辺をクレートの grad_quadratic_form_symmetric = 2Σ⁻¹x と比べる
    let cases: Vec<(Array2<f64>, Array1<f64>)> = (2..=4)
        .map(|n| {
            let s = n as u64;
            (random_spd(3000 + s, n), random_vec(4000 + s, n) * 2.0)
        })
        .collect();
    let mut want = Vec::new();
    let envs: Vec<Env> = cases
        .iter()
        .map(|(sigma, x)| {
            let precision = Spd::new(sigma.clone())
                .and_then(|s| s.inverse())
                .expect("対称正定値");
            want.push(Value::from(
                grad_quadratic_form_symmetric(&precision, x).expect("勾配"),
            ));
            let mut e = env();
            e.set(r"\Sigma", sigma.clone())
                .set(r"\Sigma^{-1}", precision)
                .set(r"\vx", x.clone());
            e
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    out.push(crate_link(
        eq,
        0,
        &[0, 1],
        &r,
        &want,
        "grad_quadratic_form_symmetric",
    ));
    out
}

/// (i, j) を動かす束縛の組: 次数と、対角・非対角の成分。
const ENTRIES: &[(usize, usize, usize)] = &[(3, 1, 2), (3, 3, 1), (4, 2, 4), (4, 3, 3), (2, 2, 1)];

fn check_a_3(eq: &Equation) -> Vec<LinkResult> {
    // ∂(xᵀAx)/∂A_ij をクレートの grad_quadratic_form_wrt_matrix の (i, j) 成分 x_i x_j と比べる
    let mut want = Vec::new();
    let envs: Vec<Env> = ENTRIES
        .iter()
        .map(|&(n, i, j)| {
            let s = (10 * n + i + 100 * j) as u64;
            let (a, x) = (random_matrix(5000 + s, n), random_vec(6000 + s, n) * 2.0);
            let g = grad_quadratic_form_wrt_matrix(&x).expect("x xᵀ");
            want.push(Value::Scalar(g[[i - 1, j - 1]]));
            let mut e = matrix_env(&a, x);
            e.scalar("i", i as f64).scalar("j", j as f64);
            e
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    out.push(crate_link(
        eq,
        0,
        &[0, 1, 2, 3, 4],
        &r,
        &want,
        "grad_quadratic_form_wrt_matrix の (i, j) 成分",
    ));
    out
}

fn check_a_4(eq: &Equation) -> Vec<LinkResult> {
    // 行列の中心差分 = x xᵀ = クレートの grad_quadratic_form_wrt_matrix
    let cases = nonsymmetric_cases();
    let envs: Vec<Env> = cases
        .iter()
        .map(|(a, x)| matrix_env(a, x.clone()))
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    let want: Vec<Value> = cases
        .iter()
        .map(|(_, x)| Value::from(grad_quadratic_form_wrt_matrix(x).expect("x xᵀ")))
        .collect();
    out.push(crate_link(
        eq,
        0,
        &[0, 1],
        &r,
        &want,
        "grad_quadratic_form_wrt_matrix",
    ));
    out
}

/// (A.5) の 2 行目「i = 1, …, n のどれでも同じ」の印刷された形（texeval の読み）。
const ANY_ROW: &str = r"i=(1,\dots,n)";

fn check_a_5(eq: &Equation) -> Vec<LinkResult> {
    // 1 行目を、n = 2, …, 5 の非対称な行列で、i = 1, …, n のすべてについて確かめる。
    // 2 行目は量化子 (i = 1, …, n のどれでも) なので、束縛が各 n で i を 1..=n すべて動かすことで確かめる
    // （texeval は数の並び `(1, \dots, n)` を値にできないので、その link はここで判定する）
    let mut envs = Vec::new();
    let mut want = Vec::new();
    for n in 2..=5 {
        let a = random_matrix(7000 + n as u64, n);
        let det = determinant(&a).expect("行列式");
        for i in 1..=n {
            let mut e = matrix_env(&a, Array1::zeros(n));
            bind_minors(&mut e);
            e.scalar("i", i as f64);
            envs.push(e);
            want.push((det, cofactor_expansion(&a, i - 1).expect("余因子展開")));
        }
    }
    let r = refs(&envs);
    let first = Equation {
        tag: eq.tag.clone(),
        parts: eq.parts.iter().take(1).cloned().collect(),
    };
    let mut out = check_equation(&first, &r, &Tolerances::default());
    let dets: Vec<Value> = want.iter().map(|(d, _)| Value::Scalar(*d)).collect();
    let rows: Vec<Value> = want.iter().map(|(_, c)| Value::Scalar(*c)).collect();
    out.push(crate_link(eq, 0, &[0], &r, &dets, "determinant"));
    out.push(crate_link(
        eq,
        0,
        &[1],
        &r,
        &rows,
        "cofactor_expansion(A, i)",
    ));
    out.push(quantifier_link(eq.parts.get(1), eq));
    out
}

/// (A.5) の 2 行目の link: 印刷された形が `i = (1, \dots, n)` であること（束縛はこの量化子のとおりに作ってある）。
fn quantifier_link(part: Option<&Statement>, eq: &Equation) -> LinkResult {
    let chain = part.and_then(|p| p.clauses.first());
    let printed = chain.map(|c| c.to_string().replace(' ', ""));
    let ok = printed.as_deref() == Some(ANY_ROW) && eq.parts.len() == 2;
    LinkResult {
        tag: eq.tag.clone(),
        link: chain.map_or(0, |c| c.first_link),
        rel: Rel::Eq,
        lhs: None,
        rhs: None,
        env: 0,
        status: if ok {
            LinkStatus::Pass
        } else {
            LinkStatus::Fail
        },
        note: format!(
            "量化子 `{}`: 各 n で i = 1, …, n のすべての束縛で 1 行目を確かめた",
            printed.unwrap_or_default()
        ),
    }
}

fn check_a_6(eq: &Equation) -> Vec<LinkResult> {
    // C はクレートの cofactor_matrix、m は動かした A から読み直す小行列式。
    // 各項をクレートの grad_det の (i, j) 成分と比べる
    let mut want = Vec::new();
    let cases: &[(usize, usize, usize)] = &[(2, 1, 2), (3, 2, 2), (3, 1, 3), (4, 3, 1), (5, 2, 5)];
    let envs: Vec<Env> = cases
        .iter()
        .map(|&(n, i, j)| {
            let a = random_matrix(8000 + (10 * n + i + 100 * j) as u64, n);
            want.push(Value::Scalar(grad_det(&a).expect("余因子")[[i - 1, j - 1]]));
            let mut e = matrix_env(&a, Array1::zeros(n));
            bind_minors(&mut e);
            e.set("C", cofactor_matrix(&a).expect("余因子行列"))
                .scalar("i", i as f64)
                .scalar("j", j as f64);
            e
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    out.push(crate_link(
        eq,
        0,
        &[0, 1, 2, 3],
        &r,
        &want,
        "grad_det の (i, j) 成分",
    ));
    out
}

fn check_a_7(eq: &Equation) -> Vec<LinkResult> {
    // C はクレートの cofactor_matrix、A^{-1} はクレートの inverse。各項を grad_ln_abs_det と比べる
    let cases = nonsymmetric_cases();
    let envs: Vec<Env> = cases
        .iter()
        .map(|(a, _)| {
            let mut e = matrix_env(a, Array1::zeros(a.nrows()));
            e.set("C", cofactor_matrix(a).expect("余因子行列"))
                .set("A^{-1}", inverse(a).expect("正則"));
            e
        })
        .collect();
    let r = refs(&envs);
    let mut out = check_equation(eq, &r, &Tolerances::default());
    let want: Vec<Value> = cases
        .iter()
        .map(|(a, _)| Value::from(grad_ln_abs_det(a).expect("勾配")))
        .collect();
    out.push(crate_link(
        eq,
        0,
        &[0, 1, 2, 3, 4],
        &r,
        &want,
        "grad_ln_abs_det",
    ));
    out
}

fn check_a_8(eq: &Equation) -> Vec<LinkResult> {
    // Σ⁻¹ は束縛しない: d/dΣ⁻¹ は Σ⁻¹ の成分を動かし、Σ をその逆行列として読み直す。
    // 対称正定値な Σ ではすべての link、非対称な Σ（det > 0）では最初の 2 つの link
    // （-((Σ⁻¹)⁻¹)ᵀ = -Σᵀ までは対称性を使わない）を確かめる
    let tol = Tolerances::default();
    let sym: Vec<Array2<f64>> = (2..=3).map(|n| random_spd(9000 + n as u64, n)).collect();
    let non: Vec<Array2<f64>> = (2..=3).map(|n| random_matrix(9100 + n as u64, n)).collect();
    let make = |ms: &[Array2<f64>]| -> Vec<Env> {
        ms.iter()
            .map(|s| {
                let mut e = env();
                e.set(r"\Sigma", s.clone());
                e
            })
            .collect()
    };
    let want = |ms: &[Array2<f64>]| -> Vec<Value> {
        ms.iter()
            .map(|s| {
                let precision = inverse(s).expect("正則");
                Value::from(grad_ln_det_cov_wrt_precision(&precision).expect("勾配"))
            })
            .collect()
    };
    let (se, ne) = (make(&sym), make(&non));
    let mut out = check_equation(eq, &refs(&se), &tol);
    out.extend(
        check_equation(eq, &refs(&ne), &tol)
            .into_iter()
            .filter(|r| r.link <= 2),
    );
    out.push(crate_link(
        eq,
        0,
        &[0, 1, 2, 3],
        &refs(&se),
        &want(&sym),
        "grad_ln_det_cov_wrt_precision",
    ));
    out.push(crate_link(
        eq,
        0,
        &[0, 1, 2],
        &refs(&ne),
        &want(&non),
        "grad_ln_det_cov_wrt_precision（非対称な Σ）",
    ));
    out
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "A.1",
        check: check_a_1,
    },
    Bound {
        tag: "A.2",
        check: check_a_2,
    },
    Bound {
        tag: "A.3",
        check: check_a_3,
    },
    Bound {
        tag: "A.4",
        check: check_a_4,
    },
    Bound {
        tag: "A.5",
        check: check_a_5,
    },
    Bound {
        tag: "A.6",
        check: check_a_6,
    },
    Bound {
        tag: "A.7",
        check: check_a_7,
    },
    Bound {
        tag: "A.8",
        check: check_a_8,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[
    Survivor {
        tag: "A.1",
        mutant: r"添字 kl → lk (位置 159)",
        reason: "Σ_{k,l} A_{lk} x_l x_k は和の添字 k と l の名前を入れ替えただけの同じ和（同値）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"添字 ij → ji (位置 44)",
        reason: "x xᵀ は対称なので ∂(xᵀAx)/∂A_ji = x_j x_i = x_i x_j（同値）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"添字 ij → ji (位置 108)",
        reason: "x xᵀ は対称なので ∂/∂A_ji Σ A_kl (xxᵀ)_lk = (xxᵀ)_ij = (xxᵀ)_ji（同値）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"添字 kl → lk (位置 133)",
        reason: "x xᵀ は対称なので Σ A_lk (xxᵀ)_lk を ∂/∂A_ij すると (xxᵀ)_ij = (xxᵀ)_ji（同値）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"添字 lk → kl (位置 164)",
        reason: "x xᵀ は対称なので Σ A_kl (xxᵀ)_kl を ∂/∂A_ij すると (xxᵀ)_ij = (xxᵀ)_ji（同値）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"添字 ji → ij (位置 201)",
        reason: "x xᵀ は対称なので (xxᵀ)_ij = (xxᵀ)_ji（同値）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"^\T を消す (位置 240)",
        reason: "x xᵀ は対称なので (xxᵀ)ᵀ = xxᵀ（同値。本文も転置は結果に現れないと書く）",
    },
    Survivor {
        tag: "A.3",
        mutant: r"添字 ij → ji (位置 253)",
        reason: "x xᵀ は対称なので ((xxᵀ)ᵀ)_ji = ((xxᵀ)ᵀ)_ij（同値）",
    },
    Survivor {
        tag: "A.5",
        mutant: r"+ → - (位置 48)",
        reason: "整数 i, j では i + j と i - j の偶奇が同じなので (-1)^{i-j} = (-1)^{i+j}（同値）",
    },
    Survivor {
        tag: "A.6",
        mutant: r"+ → - (位置 114)",
        reason: "整数 i, k では i + k と i - k の偶奇が同じなので (-1)^{i-k} = (-1)^{i+k}（同値）",
    },
    Survivor {
        tag: "A.6",
        mutant: r"+ → - (位置 145)",
        reason: "整数 i, j では i + j と i - j の偶奇が同じなので (-1)^{i-j} = (-1)^{i+j}（同値）",
    },
];

#[test]
fn eq_a_1_printed_form() {
    assert_printed("A.1", check_a_1);
}

#[test]
fn eq_a_2_printed_form() {
    assert_printed("A.2", check_a_2);
}

#[test]
fn eq_a_3_printed_form() {
    assert_printed("A.3", check_a_3);
}

#[test]
fn eq_a_4_printed_form() {
    assert_printed("A.4", check_a_4);
}

#[test]
fn eq_a_5_printed_form() {
    assert_printed("A.5", check_a_5);
}

#[test]
fn eq_a_6_printed_form() {
    assert_printed("A.6", check_a_6);
}

#[test]
fn eq_a_7_printed_form() {
    assert_printed("A.7", check_a_7);
}

#[test]
fn eq_a_8_printed_form() {
    assert_printed("A.8", check_a_8);
}
