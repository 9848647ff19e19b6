//! 第 4 章 制限ボルツマンマシンの式（(4.1)–(4.12)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `boltzmann::rbm` に結びつける: エネルギー `E_\theta` は `Rbm::energy`、自由エネルギーは
//! `free_energy`、`Z_\theta` は `log_z`、`\sigma` は `rbm::sigmoid`、平均対数尤度 `\bar{\ell}` は `mean_log_likelihood`、
//! 遷移行列 `T` は `gibbs_kernel`、CD-k の期待値 `\bar{g}_{ij}(k)` は `cd_expected_gradient`、
//! ±1 の側のパラメータは `SpinRbm`。条件つき分布 `q_\theta(\cdot \mid \cdot)` は、クレートの
//! エネルギーから素朴に規格化して作る（層の独立性 (4.2) を仮定しない）。
//!
//! パラメータ `W`・`b`・`c` は今の値を読むので、`\partial \bar{\ell}/\partial W_{ij}` はその成分を動かして評価し直す。
//! 2 引数の `q_\theta` は長さで読み分けるので、束縛のモデルは `N_v ≠ N_h` にとる
//! （(4.7)・(4.8) の `\vec{1}` は両方の層に同じ長さで使うので、そこだけ `N_v = N_h`）。

use crate::harness::{assert_printed, column, env, model_error, Bound, Declared, Survivor};
use genmodel::boltzmann::rbm::{sigmoid, Rbm, SpinRbm};
use genmodel::ndarray::{array, Array1, Array2};
use texeval::{check_equation, Ctx, Env, Equation, EvalError, LinkResult, Tolerances, Value};

/// `\{0,1\}^n` の全状態（列ベクトル、第 i ビットが v_i。クレートの `gibbs_kernel` と同じ順）。
fn states(n: usize) -> Vec<Value> {
    (0..1usize << n)
        .map(|s| {
            Value::from(
                (0..n)
                    .map(|i| ((s >> i) & 1) as f64)
                    .collect::<Array1<f64>>(),
            )
        })
        .collect()
}

/// 0/1 の列ベクトルをユニットの値にする。
fn units(v: &Value) -> Result<Array1<u8>, EvalError> {
    column(v)?
        .iter()
        .map(|&x| match x {
            0.0 => Ok(0),
            1.0 => Ok(1),
            _ => Err(EvalError::Domain(format!("ユニットの値 {x}"))),
        })
        .collect()
}

/// 状態の番号（第 i ビットが v_i）。
fn index_of(v: &Array1<u8>) -> usize {
    v.iter()
        .enumerate()
        .map(|(i, &x)| usize::from(x) << i)
        .sum()
}

/// 束縛の今の `W`・`b`・`c` から作ったモデル。
fn model_at(cx: &mut Ctx<'_>) -> Result<Rbm, EvalError> {
    let Value::Matrix(w) = cx.get("W")? else {
        return Err(EvalError::Domain("W は行列".into()));
    };
    let b = column(&cx.get("b")?)?;
    let c = column(&cx.get("c")?)?;
    Rbm::new(w, b, c).map_err(model_error)
}

/// `q(v|h)`: クレートのエネルギーを v について規格化したもの。
fn visible_given_hidden(m: &Rbm, v: &Array1<u8>, h: &Array1<u8>) -> Result<f64, EvalError> {
    let num = (-m.energy(v, h).map_err(model_error)?).exp();
    let mut den = 0.0;
    for s in states(m.n_visible()) {
        den += (-m.energy(&units(&s)?, h).map_err(model_error)?).exp();
    }
    Ok(num / den)
}

/// `q(h|v) = exp(−E(v, h) + F(v))`（クレートのエネルギーと自由エネルギー）。
fn hidden_given_visible(m: &Rbm, h: &Array1<u8>, v: &Array1<u8>) -> Result<f64, EvalError> {
    let e = m.energy(v, h).map_err(model_error)?;
    let f = m.free_energy(v).map_err(model_error)?;
    Ok((-e + f).exp())
}

/// モデルとデータの束縛。
fn rbm_env(m: &Rbm, data: &Array2<u8>) -> Env {
    let (nv, nh) = (m.n_visible(), m.n_hidden());
    let mut e = env();
    e.scalar("N_v", nv as f64)
        .scalar("N_h", nh as f64)
        .set("W", m.weights().to_owned())
        .set("b", m.visible_bias().to_owned())
        .set("c", m.hidden_bias().to_owned())
        .set(r"\vec{b}", m.visible_bias().to_owned())
        .set(r"\vec{c}", m.hidden_bias().to_owned())
        .domain(r"\vv", states(nv))
        .domain(r"\vz", states(nh));
    let rows: Vec<Value> = data
        .rows()
        .into_iter()
        .map(|r| Value::from(r.mapv(f64::from)))
        .collect();
    e.scalar("n", data.nrows() as f64).family(r"\vv", rows);
    e.func(r"\sigma", |a: &[Value]| {
        Ok(Value::Scalar(sigmoid(a[0].as_scalar()?)))
    });
    e.func_ctx(r"E_\theta", |cx: &mut Ctx<'_>, a: &[Value]| {
        let m = model_at(cx)?;
        m.energy(&units(&a[0])?, &units(&a[1])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.func_ctx(r"F_\theta", |cx: &mut Ctx<'_>, a: &[Value]| {
        model_at(cx)?
            .free_energy(&units(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.func_ctx(r"\mathcal{Z}", |cx: &mut Ctx<'_>, _: &[Value]| {
        model_at(cx)?
            .log_z()
            .map(|z| Value::Scalar(z.exp()))
            .map_err(model_error)
    });
    e.formula(r"Z_\theta", r"\mathcal{Z}(W)").expect("式");
    e.func_ctx(r"q_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| {
        let m = model_at(cx)?;
        let [x, y] = a else {
            return Err(EvalError::Domain("q_θ は条件つき分布（2 引数）".into()));
        };
        let (x, y) = (units(x)?, units(y)?);
        let p = if x.len() == nh && y.len() == nv {
            hidden_given_visible(&m, &x, &y)?
        } else if x.len() == nv && y.len() == nh {
            visible_given_hidden(&m, &x, &y)?
        } else {
            return Err(EvalError::Domain("q_θ の引数の長さ".into()));
        };
        Ok(Value::Scalar(p))
    });
    let d = data.clone();
    e.func_ctx(r"\mathcal{L}", move |cx: &mut Ctx<'_>, _: &[Value]| {
        model_at(cx)?
            .mean_log_likelihood(&d)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.formula(r"\bar{\ell}", r"\mathcal{L}(W)").expect("式");
    // モデルの期待値は、同時分布の定義どおりの和（重みはクレートのエネルギーと Z）
    for (key, body) in [
        (r"\langle v_i z_j \rangle_\theta", "v_i z_j"),
        (r"\langle v_i \rangle_\theta", "v_i"),
        (r"\langle z_j \rangle_\theta", "z_j"),
    ] {
        e.formula(
            key,
            &format!(
                r"\sum_{{\vv}} \sum_{{\vz}} {body} \frac{{e^{{-E_\theta(\vv, \vz)}}}}{{Z_\theta}}"
            ),
        )
        .expect("式");
    }
    e
}

fn rbm32(scale: f64) -> Rbm {
    Rbm::new(
        array![[0.5, -1.0], [2.0, 0.3], [-0.7, 1.2]] * scale,
        array![0.1, -0.4, 0.6],
        array![-0.2, 0.8],
    )
    .expect("モデル")
}

fn rbm23(scale: f64) -> Rbm {
    Rbm::new(
        array![[0.9, -0.6, 0.4], [-1.3, 0.2, 1.1]] * scale,
        array![-0.3, 0.5],
        array![0.2, -0.7, 0.1],
    )
    .expect("モデル")
}

fn rbm33() -> Rbm {
    Rbm::new(
        array![[0.9, -0.6, 0.4], [-1.3, 0.2, 1.1], [0.7, 1.5, -0.8]],
        array![-0.3, 0.5, 0.2],
        array![0.2, -0.7, 0.1],
    )
    .expect("モデル")
}

fn data3() -> Array2<u8> {
    array![[1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1]]
}

fn data2() -> Array2<u8> {
    array![[1, 0], [1, 1], [0, 1], [1, 1]]
}

fn data_for(m: &Rbm) -> Array2<u8> {
    if m.n_visible() == 3 {
        data3()
    } else {
        data2()
    }
}

fn check_all(eq: &Equation, envs: &[Env], tol: &Tolerances) -> Vec<LinkResult> {
    let refs: Vec<&Env> = envs.iter().collect();
    check_equation(eq, &refs, tol)
}

/// 配置 `\vv`・`\vz` と添字 i, j を束縛した環境。
fn at(m: &Rbm, sv: usize, sh: usize, i: usize, j: usize) -> Env {
    let mut e = rbm_env(m, &data_for(m));
    let (nv, nh) = (m.n_visible(), m.n_hidden());
    let v: Array1<f64> = (0..nv).map(|k| ((sv >> k) & 1) as f64).collect();
    let h: Array1<f64> = (0..nh).map(|k| ((sh >> k) & 1) as f64).collect();
    e.set(r"\vv", v)
        .set(r"\vz", h)
        .scalar("i", i as f64)
        .scalar("j", j as f64);
    e
}

fn config_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for m in [rbm32(1.0), rbm23(1.0), rbm32(-0.6)] {
        for (sv, sh, i, j) in [(0, 0, 1, 1), (1, 3, 2, 2), (3, 1, 1, 2), (2, 2, 2, 1)] {
            envs.push(at(&m, sv, sh, i, j));
        }
    }
    envs
}

fn check_default(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &config_envs(), &Tolerances::default())
}

/// (4.7)・(4.8): N_v = N_h のモデル、`\vec{1}`、±1 の側のパラメータはクレートの `SpinRbm`。
fn spin_envs() -> Vec<Env> {
    let m = rbm33();
    let spin = SpinRbm::from_binary(&m).expect("変換");
    let mut envs = Vec::new();
    for (sv, sh) in [(0usize, 0usize), (5, 2), (7, 7), (3, 4)] {
        let mut e = at(&m, sv, sh, 1, 1);
        let v = units(e.value(r"\vv").expect("v")).expect("v");
        let h = units(e.value(r"\vz").expect("h")).expect("h");
        e.set(r"\vec{1}", Array1::from_elem(3, 1.0))
            .set("W'", spin.weights().to_owned())
            .set(r"\vec{b}'", spin.visible_bias().to_owned())
            .set(r"\vec{c}'", spin.hidden_bias().to_owned())
            .set(r"\vec{s}", v.mapv(|x| 2.0 * f64::from(x) - 1.0))
            .set(r"\vec{t}", h.mapv(|x| 2.0 * f64::from(x) - 1.0))
            .scalar(r"\kappa", spin.offset());
        envs.push(e);
    }
    envs
}

fn check_spin(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &spin_envs(), &Tolerances::default())
}

fn check_gradient(eq: &Equation) -> Vec<LinkResult> {
    // ∂L/∂W_ij はクレートの mean_log_likelihood の中心差分
    check_all(eq, &config_envs(), &Tolerances::default())
}

/// (4.11)・(4.12): `T` はクレートの `gibbs_kernel`、`p_k` はデータの経験分布をその行列で k 回進めたもの、
/// `\bar{g}_{ij}(k)` はクレートの `cd_expected_gradient`。
fn chain_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for m in [rbm32(1.0), rbm23(0.5)] {
        let data = data_for(&m);
        let nv = m.n_visible();
        let t = m.gibbs_kernel().expect("遷移行列");
        let mut p0 = vec![0.0; 1 << nv];
        for r in data.rows() {
            p0[index_of(&r.to_owned())] += 1.0 / data.nrows() as f64;
        }
        for (k, sv, sv2, i, j) in [
            (1usize, 0usize, 1usize, 1usize, 1usize),
            (2, 3, 2, 2, 2),
            (5, 1, 3, 1, 2),
        ] {
            let mut e = at(&m, sv, 0, i, j);
            let v2: Array1<f64> = (0..nv).map(|q| ((sv2 >> q) & 1) as f64).collect();
            e.set(r"\vv'", v2).scalar("k", k as f64);
            let kernel = t.clone();
            e.func("T", move |a: &[Value]| {
                let (to, from) = (index_of(&units(&a[0])?), index_of(&units(&a[1])?));
                Ok(Value::Scalar(kernel[[from, to]]))
            });
            let (kernel, start) = (t.clone(), p0.clone());
            e.func_ctx("p_k", move |cx: &mut Ctx<'_>, a: &[Value]| {
                let steps = cx.get("k")?.as_scalar()? as usize;
                let mut p = Array1::from(start.clone());
                for _ in 0..steps {
                    p = kernel.t().dot(&p);
                }
                Ok(Value::Scalar(p[index_of(&units(&a[0])?)]))
            });
            let (model, d) = (m.clone(), data.clone());
            e.func(r"\bar{g}_{ij}", move |a: &[Value]| {
                let k = a[0].as_scalar()? as usize;
                let g = model.cd_expected_gradient(&d, k).map_err(model_error)?;
                Ok(Value::Scalar(g.w[[i - 1, j - 1]]))
            });
            envs.push(e);
        }
    }
    envs
}

fn check_chain(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &chain_envs(), &Tolerances::default())
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "4.1",
        check: check_default,
    },
    Bound {
        tag: "4.2",
        check: check_default,
    },
    Bound {
        tag: "4.3",
        check: check_default,
    },
    Bound {
        tag: "4.4",
        check: check_default,
    },
    Bound {
        tag: "4.5",
        check: check_default,
    },
    Bound {
        tag: "4.6",
        check: check_default,
    },
    Bound {
        tag: "4.7",
        check: check_spin,
    },
    Bound {
        tag: "4.8",
        check: check_spin,
    },
    Bound {
        tag: "4.9",
        check: check_gradient,
    },
    Bound {
        tag: "4.10",
        check: check_gradient,
    },
    Bound {
        tag: "4.11",
        check: check_chain,
    },
    Bound {
        tag: "4.12",
        check: check_chain,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[];

#[test]
fn eq_4_1_printed_form() {
    assert_printed("4.1", check_default);
}

#[test]
fn eq_4_2_printed_form() {
    assert_printed("4.2", check_default);
}

#[test]
fn eq_4_3_printed_form() {
    assert_printed("4.3", check_default);
}

#[test]
fn eq_4_4_printed_form() {
    assert_printed("4.4", check_default);
}

#[test]
fn eq_4_5_printed_form() {
    assert_printed("4.5", check_default);
}

#[test]
fn eq_4_6_printed_form() {
    assert_printed("4.6", check_default);
}

#[test]
fn eq_4_7_printed_form() {
    assert_printed("4.7", check_spin);
}

#[test]
fn eq_4_8_printed_form() {
    assert_printed("4.8", check_spin);
}

#[test]
fn eq_4_9_printed_form() {
    assert_printed("4.9", check_gradient);
}

#[test]
fn eq_4_10_printed_form() {
    assert_printed("4.10", check_gradient);
}

#[test]
fn eq_4_11_printed_form() {
    assert_printed("4.11", check_chain);
}

#[test]
fn eq_4_12_printed_form() {
    assert_printed("4.12", check_chain);
}
