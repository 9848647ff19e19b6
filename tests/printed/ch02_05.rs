//! §2.5 Ising モデルの式（(2.25)–(2.29)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `boltzmann::ising` に結びつける: 規格化定数 `Z_θ` は `Ising::log_z`（厳密な列挙）、
//! 確率 `q_θ` とエネルギー `E_θ` は `Ising::energy` と `Ising::log_z`、期待値 `⟨·⟩_θ` の重みは
//! その確率、KL 情報量は `KlObjective::value`。各 link は「ページの式 = クレートの値」を確かめる。
//!
//! `J_{kl}` は対 {k, l} の結合なので、対称な N×N 行列（対角 0）として束縛する（クレートの
//! `Ising::coupling` も順不同）。パラメータとしての `J_{kl}` は k < l の成分である（θ の並び）。
//! §2.6 の束縛もここの関数を使う。

use crate::harness::{assert_printed, env, model_error, Bound, Declared, Survivor};
use genmodel::boltzmann::ising::{pair_index, pairs, spins_of_state, Ising, KlObjective};
use genmodel::linalg::inverse;
use genmodel::ndarray::{Array1, Array2};
use texeval::{
    check_equation, Ctx, Env, Equation, EvalError, LinkResult, LinkStatus, Rel, Tolerances, Value,
    Weights,
};

/// 場と結合（`pairs` の順）からモデルを作る。
pub(crate) fn ising(h: &[f64], j: &[f64]) -> Ising {
    Ising::new(Array1::from(h.to_vec()), Array1::from(j.to_vec())).expect("正しいモデル")
}

/// `\{-1,1\}^N` の全状態（列ベクトル）。順はクレートの `spins_of_state`。
pub(crate) fn all_states(n: usize) -> Vec<Value> {
    (0..1usize << n)
        .map(|s| {
            let x = spins_of_state(s, n).expect("状態の番号");
            Value::from(x.mapv(f64::from))
        })
        .collect()
}

/// 評価した値（±1 の列ベクトル）をクレートのスピン配置にする。
pub(crate) fn spins(v: &Value) -> Result<Array1<i8>, EvalError> {
    let Value::Vector(a) = v else {
        return Err(EvalError::Domain(format!(
            "スピン配置は列ベクトル: {}",
            v.shape()
        )));
    };
    a.iter()
        .map(|&s| match s {
            1.0 => Ok(1),
            -1.0 => Ok(-1),
            _ => Err(EvalError::Domain(format!("スピンの値 {s}"))),
        })
        .collect()
}

/// クレートの確率 `q_θ(x) = exp(−E_θ(x) − ln Z_θ)`。
pub(crate) fn probability(model: &Ising, x: &Array1<i8>) -> Result<f64, EvalError> {
    let e = model.energy(x).map_err(model_error)?;
    let log_z = model.log_z().map_err(model_error)?;
    Ok((-e - log_z).exp())
}

/// 結合を N×N 行列に並べる（k < l の成分だけ）。
///
/// 本は結合を k < l の対についてだけ定義する（θ = (…, J_12, J_13, …)）。k ≥ l の成分は
/// 定義されていないので NaN にしておき、`J_{lk}` や `\sum_{k>l}` と書いた式は評価が NaN になって失敗する。
pub(crate) fn coupling_matrix(model: &Ising) -> Array2<f64> {
    let n = model.n_spins();
    Array2::from_shape_fn((n, n), |(k, l)| {
        if k < l {
            model.coupling(k, l).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        }
    })
}

/// 束縛の `h`（ベクトル）と `J`（行列、k < l の成分を読む）からモデルを作る。
pub(crate) fn model_from(h: &Value, j: &Value) -> Result<Ising, EvalError> {
    let (Value::Vector(h), Value::Matrix(j)) = (h, j) else {
        return Err(EvalError::Domain(format!(
            "h は列ベクトル、J は行列: {}, {}",
            h.shape(),
            j.shape()
        )));
    };
    let couplings: Array1<f64> = pairs(h.len()).map(|(k, l)| j[[k, l]]).collect();
    Ising::new(h.clone(), couplings).map_err(model_error)
}

/// モデル 1 つの束縛: `N`・`h`・`J`・`Z_\theta`・`q_\theta`・`E_\theta`、`\vx` の範囲 {-1,1}^N、
/// 期待値 `\langle\cdot\rangle_\theta`（添字なしも）の重みはクレートの確率。
pub(crate) fn ising_env(model: &Ising) -> Env {
    let n = model.n_spins();
    let states = all_states(n);
    let probs: Vec<f64> = states
        .iter()
        .map(|s| probability(model, &spins(s)?))
        .collect::<Result<_, _>>()
        .expect("確率");
    let mut e = env();
    e.scalar("N", n as f64)
        .set("h", model.fields().to_owned())
        .set("J", coupling_matrix(model))
        .scalar(r"Z_\theta", model.log_z().expect("ln Z").exp())
        .domain(r"\vx", states.clone());
    for sub in [r"\theta", ""] {
        e.distribution(sub, r"\vx", states.clone(), Weights::Fixed(probs.clone()));
    }
    let q = model.clone();
    e.func(r"q_\theta", move |a: &[Value]| {
        probability(&q, &spins(&a[0])?).map(Value::Scalar)
    });
    let m = model.clone();
    e.func(r"E_\theta", move |a: &[Value]| {
        m.energy(&spins(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e
}

/// データ（1 行 1 配置）と KL 情報量の束縛を足す: `n`、データの族 `\vx^{(i)}`、経験分布 `p_0`、`\KL` = クレートの `KlObjective::value`（その時点の `h`・`J` で評価するので
/// `\partial/\partial h_k` で動かせる）。
pub(crate) fn data_env(model: &Ising, data: &Array2<i8>) -> Env {
    let mut e = ising_env(model);
    let n = data.nrows();
    let rows: Vec<Value> = data
        .rows()
        .into_iter()
        .map(|r| Value::from(r.mapv(f64::from)))
        .collect();
    e.scalar("n", n as f64).family(r"\vx", rows);
    // p_0(x) は配置 x の相対頻度（(2.27) では点ごとの値だけを使う）。引数は列ベクトルの配置
    let counts = data.clone();
    e.func("p_0", move |a: &[Value]| {
        let x = spins(&a[0])?;
        let hits = counts.rows().into_iter().filter(|r| *r == x).count();
        Ok(Value::Scalar(hits as f64 / n as f64))
    });
    let kl = KlObjective::from_data(data).expect("データ");
    e.func(r"\mathcal{D}", move |a: &[Value]| {
        kl.value(&model_from(&a[0], &a[1])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.formula(r"\KL", r"\mathcal{D}(h, J)").expect("式");
    e
}

/// 3 スピンのデータ: 8 状態すべてを含み、頻度は偏っている（p_0 > 0 なので ln p_0 が有限）。
pub(crate) fn data3() -> Array2<i8> {
    let mut rows: Vec<[i8; 3]> = (0..8)
        .map(|s| {
            let x = spins_of_state(s, 3).expect("状態");
            [x[0], x[1], x[2]]
        })
        .collect();
    rows.extend([[1, 1, 1], [1, 1, 1], [1, 1, -1], [-1, -1, 1], [1, -1, 1]]);
    Array2::from_shape_fn((rows.len(), 3), |(i, k)| rows[i][k])
}

/// 4 スピンのデータ: 16 状態すべてと、偏りを作る追加の配置。
pub(crate) fn data4() -> Array2<i8> {
    let mut rows: Vec<[i8; 4]> = (0..16)
        .map(|s| {
            let x = spins_of_state(s, 4).expect("状態");
            [x[0], x[1], x[2], x[3]]
        })
        .collect();
    rows.extend([[1, 1, 1, 1], [1, 1, -1, -1], [1, 1, 1, -1], [-1, 1, 1, 1]]);
    Array2::from_shape_fn((rows.len(), 4), |(i, k)| rows[i][k])
}

/// 3 スピンのモデルいくつか（場と結合の符号・大きさを変える）。
pub(crate) fn models3() -> Vec<Ising> {
    vec![
        ising(&[0.3, -0.5, 0.2], &[0.4, -0.7, 0.25]),
        ising(&[-0.8, 0.1, 0.6], &[-0.3, 0.9, 0.5]),
        ising(&[0.05, 0.4, -0.35], &[1.1, 0.2, -0.6]),
    ]
}

/// 4 スピンのモデルいくつか。
pub(crate) fn models4() -> Vec<Ising> {
    vec![
        ising(&[0.2, -0.4, 0.7, -0.1], &[0.3, -0.2, 0.5, 0.8, -0.6, 0.15]),
        ising(
            &[-0.6, 0.3, 0.0, 0.45],
            &[-0.5, 0.35, 0.1, -0.25, 0.7, -0.9],
        ),
    ]
}

/// KL 情報量の最小点（勾配 0）を、クレートの勾配とヘッセ行列によるニュートン法で求める。
pub(crate) fn kl_optimum(data: &Array2<i8>) -> Ising {
    let kl = KlObjective::from_data(data).expect("データ");
    let n = data.ncols();
    let mut model = Ising::zeros(n).expect("モデル");
    for _ in 0..50 {
        let g = kl.gradient(&model).expect("勾配");
        if g.iter().all(|v| v.abs() < 1e-14) {
            break;
        }
        let h = kl.hessian(&model).expect("ヘッセ行列");
        let step = inverse(h.matrix()).expect("正則").dot(&g);
        model = Ising::from_params(n, &(model.params() - step)).expect("モデル");
    }
    model
}

/// すべての束縛で確かめる。
pub(crate) fn check_all(eq: &Equation, envs: &[Env], tol: &Tolerances) -> Vec<LinkResult> {
    let refs: Vec<&Env> = envs.iter().collect();
    check_equation(eq, &refs, tol)
}

/// `P \iff Q` の形の式を確かめる。`\iff` の link はすべての束縛（両方真の束縛と両方偽の束縛）で、
/// 節の中の link は、`identities` に挙げた恒等式ならすべての束縛で、それ以外（節の条件）は
/// 節が成り立つはずの束縛 `when_true` で確かめる。
pub(crate) fn check_iff_equation(
    eq: &Equation,
    all: &[Env],
    when_true: &[Env],
    identities: &[usize],
) -> Vec<LinkResult> {
    let tol = Tolerances::default();
    let everywhere = check_all(eq, all, &tol);
    let at_true = check_all(eq, when_true, &tol);
    let mut out: Vec<LinkResult> = everywhere
        .into_iter()
        .filter(|r| r.rel == Rel::Iff || identities.contains(&r.link))
        .collect();
    out.extend(
        at_true
            .into_iter()
            .filter(|r| r.rel != Rel::Iff && !identities.contains(&r.link)),
    );
    out.sort_by_key(|r| r.link);
    out
}

/// 2 つの値が同じ形（スカラー・列・行・行列の別と大きさ）か。
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Scalar(_), Value::Scalar(_)) => true,
        (Value::Vector(x), Value::Vector(y)) | (Value::Row(x), Value::Row(y)) => x.len() == y.len(),
        (Value::Matrix(x), Value::Matrix(y)) => x.dim() == y.dim(),
        _ => false,
    }
}

/// 印刷された項をクレートの値と比べる link（link 番号は比べた項の関係のもの、注に相手を書く）。
///
/// 連鎖 `chain`（0 始まり）の項 `term` を束縛 k ごとに評価し、`want[k]` と形（列・行・行列の別）まで
/// 含めて `=` の許容誤差で比べる。不等式の辺や定義の右辺のように、連鎖の link だけでは値が
/// 縛られない項を、クレートの実装に結ぶのに使う。
pub(crate) fn crate_link(
    eq: &Equation,
    chain: usize,
    term: usize,
    envs: &[Env],
    want: &[Value],
    what: &str,
) -> LinkResult {
    let tol = Tolerances::default();
    let c = eq.chains().nth(chain);
    let mut r = LinkResult {
        tag: eq.tag.clone(),
        link: c.map_or(0, |c| c.first_link + term.saturating_sub(1)),
        rel: Rel::Eq,
        lhs: None,
        rhs: None,
        env: 0,
        status: LinkStatus::Pass,
        note: format!("印刷された項 {term} = クレートの {what}（形も比べる）"),
    };
    let Some(expr) = c.and_then(|c| c.terms.get(term)) else {
        r.status = LinkStatus::Error(EvalError::Unsupported(format!(
            "連鎖 {chain} の項 {term} がない"
        )));
        return r;
    };
    for (k, (e, w)) in envs.iter().zip(want).enumerate() {
        let v = match Ctx::with_numerics(e, tol.numerics).eval(expr) {
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
            r.note = format!("印刷された項 {term} がクレートの {what} と違う（形も比べる）");
            return r;
        }
    }
    r
}

fn check_2_25(eq: &Equation) -> Vec<LinkResult> {
    // q_θ(x) はクレートの確率、Z_θ はクレートの列挙。状態とモデルを変えて 4 つの束縛で
    let mut envs = Vec::new();
    for (model, states) in [
        (
            &models3()[0],
            vec![vec![1.0, -1.0, 1.0], vec![-1.0, -1.0, 1.0]],
        ),
        (
            &models4()[1],
            vec![vec![1.0, 1.0, -1.0, 1.0], vec![-1.0, 1.0, 1.0, -1.0]],
        ),
    ] {
        for x in states {
            let mut e = ising_env(model);
            e.set(r"\vx", x);
            envs.push(e);
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_26(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 Z_θ はクレートの厳密な列挙（Gray 符号とブロックの和）、右辺はページの素朴な和
    let envs: Vec<Env> = models3()
        .iter()
        .chain(models4().iter())
        .map(ising_env)
        .collect();
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_25a(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 E_θ はクレートの Ising::energy
    let mut envs = Vec::new();
    for model in models3().iter().chain(models4().iter()) {
        for s in [0usize, 5, 6] {
            let mut e = ising_env(model);
            let x = spins_of_state(s, model.n_spins()).expect("状態");
            e.set(r"\vx", x.mapv(f64::from));
            envs.push(e);
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

/// h = 0 の開いた鎖 x_1 − x_2 − … − x_N（隣どうしを J_k で結ぶ）。`J` は鎖の結合のベクトルとして束縛し直す。
fn chain_env(chain: &[f64], a: usize, b: usize) -> Env {
    let n = chain.len() + 1;
    let mut j = vec![0.0; n * (n - 1) / 2];
    for (k, &c) in chain.iter().enumerate() {
        j[pair_index(n, k, k + 1).expect("隣の対")] = c;
    }
    let model = ising(&vec![0.0; n], &j);
    let mut e = ising_env(&model);
    e.set("J", chain.to_vec());
    // 左辺 Z はクレートの列挙
    e.scalar("Z", model.log_z().expect("ln Z").exp());
    e.scalar("a", a as f64).scalar("b", b as f64);
    e
}

fn check_2_26a(eq: &Equation) -> Vec<LinkResult> {
    // ⟨x_a x_b⟩ の重みはクレートの確率。鎖と (a, b) を変える
    let envs = vec![
        chain_env(&[0.5, -1.0, 0.8], 1, 4),
        chain_env(&[0.5, -1.0, 0.8], 2, 3),
        chain_env(&[0.5, -1.0, 0.8], 1, 2),
        chain_env(&[-0.3, 1.2, 0.4, -0.7], 2, 5),
        chain_env(&[-0.3, 1.2, 0.4, -0.7], 1, 3),
    ];
    check_all(eq, &envs, &Tolerances::default())
}

fn check_2_27(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの KlObjective::value（落とした項 −H(p_0) を含む）。`\onlytheta` は同じデータで
    // θ だけを変えた束縛の間で差が一定かを見るので、データごとに確かめる
    let tol = Tolerances::default();
    let mut out = Vec::new();
    for (models, data) in [(models3(), data3()), (models4(), data4())] {
        let envs: Vec<Env> = models.iter().map(|m| data_env(m, &data)).collect();
        out.extend(check_all(eq, &envs, &tol));
    }
    out
}

/// (2.28)・(2.29) の束縛: 最適点（勾配 0、両方の節が真）と、最適点でないモデル（両方偽）。
/// `indices` は添字 `k`（と `l`）の値の組。
fn gradient_envs(indices: &[&[usize]]) -> (Vec<Env>, Vec<Env>) {
    let mut when_true = Vec::new();
    let mut all = Vec::new();
    for (data, others) in [(data3(), models3()), (data4(), models4())] {
        let opt = kl_optimum(&data);
        for idx in indices {
            let bind = |model: &Ising| {
                let mut e = data_env(model, &data);
                for (name, &v) in ["k", "l"].iter().zip(idx.iter()) {
                    e.scalar(name, v as f64);
                }
                e
            };
            all.extend(others.iter().take(2).map(bind));
            all.push(bind(&opt));
            when_true.push(bind(&opt));
        }
    }
    (all, when_true)
}

fn check_2_28(eq: &Equation) -> Vec<LinkResult> {
    // link 1（∂KL/∂h_k = 式）は恒等式: ∂ は KlObjective::value の中心差分。
    // link 2（= 0）と link 4（モーメント一致）は最適点で成り立ち、link 3 の \iff は全部の束縛で
    let (all, when_true) = gradient_envs(&[&[1], &[3]]);
    check_iff_equation(eq, &all, &when_true, &[1])
}

fn check_2_29(eq: &Equation) -> Vec<LinkResult> {
    // (2.28) と同じ。∂/∂J_kl はパラメータ J_kl（k < l）を動かす
    let (all, when_true) = gradient_envs(&[&[1, 2], &[2, 3], &[1, 3]]);
    check_iff_equation(eq, &all, &when_true, &[1])
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "2.25",
        check: check_2_25,
    },
    Bound {
        tag: "2.26",
        check: check_2_26,
    },
    Bound {
        tag: "2.25a",
        check: check_2_25a,
    },
    Bound {
        tag: "2.26a",
        check: check_2_26a,
    },
    Bound {
        tag: "2.27",
        check: check_2_27,
    },
    Bound {
        tag: "2.28",
        check: check_2_28,
    },
    Bound {
        tag: "2.29",
        check: check_2_29,
    },
];

pub const DECLARED: &[Declared] = &[];

/// 生き残る変異はどれも同じ値の式: J は対称で Σ_{k<l} と Σ_{k>l} は同じ対を数え、
/// Z_θ と偶数個のスピンの積の期待値は全スピンの反転（h → −h）で変わらない。
pub const SURVIVORS: &[Survivor] = &[
    Survivor {
        tag: "2.25",
        mutant: "^\\top を足す (位置 131)",
        reason: "{-1,1}^N は ±1 の N 個の組の集合で、行と列の別を持たない",
    },
    Survivor {
        tag: "2.26",
        mutant: "+ → - (位置 76)",
        reason: "全スピンの反転 x → −x で和が h → −h に移るので Z_θ は h の符号によらない",
    },
    Survivor {
        tag: "2.29",
        mutant: "+ → - (位置 178)",
        reason: "x_k x_l は全スピンの反転で変わらないので、h → −h でもこの期待値は同じ",
    },
];

#[test]
fn eq_2_25_printed_form() {
    assert_printed("2.25", check_2_25);
}

#[test]
fn eq_2_26_printed_form() {
    assert_printed("2.26", check_2_26);
}

#[test]
fn eq_2_25a_printed_form() {
    assert_printed("2.25a", check_2_25a);
}

#[test]
fn eq_2_26a_printed_form() {
    assert_printed("2.26a", check_2_26a);
}

#[test]
fn eq_2_27_printed_form() {
    assert_printed("2.27", check_2_27);
}

#[test]
fn eq_2_28_printed_form() {
    assert_printed("2.28", check_2_28);
}

#[test]
fn eq_2_29_printed_form() {
    assert_printed("2.29", check_2_29);
}

#[test]
fn optimum_has_zero_gradient() {
    // 束縛の準備の確認: ニュートン法の最適点で勾配が 0
    let kl = KlObjective::from_data(&data3()).expect("データ");
    let g = kl.gradient(&kl_optimum(&data3())).expect("勾配");
    assert!(g.iter().all(|v| v.abs() < 1e-13), "{g}");
}
