//! 第 3 章 隠れ変数のあるボルツマンマシンの式（(3.1)–(3.14)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `boltzmann::hidden` に結びつける: 周辺分布 `q_\theta(\vv)` は
//! `HiddenIsing::log_marginal`、事後分布 `q_\theta(\vz \mid \vv)` は `posterior`、自由エネルギーは
//! `free_energy`、`Z_\theta` は `log_z`、KL 情報量は `kl`。パラメータ `\theta` はベクトルとして束縛し、
//! `\partial/\partial\theta_\alpha` はその成分を動かして関数を評価し直す。
//!
//! 関数の引数の区切り（`,` と `\mid`）は評価器から見えないので、`q_\theta` の 2 引数は長さで
//! 読み分ける（同時分布 `(\vv, \vz)` と事後分布 `(\vz \mid \vv)`）。そのため束縛のモデルは
//! `N_v ≠ N_h` にとる。

use crate::harness::{assert_printed, column, env, model_error, Bound, Declared, Survivor};
use genmodel::boltzmann::hidden::HiddenIsing;
use genmodel::boltzmann::ising::{spins_of_state, sufficient_statistics};
use genmodel::boltzmann::Ising;
use genmodel::ndarray::{array, Array1, Array2};
use texeval::{
    check_equation, Ctx, Env, Equation, EvalError, LinkResult, Tolerances, Value, Weights,
};

/// `\{-1,1\}^n` の全状態（列ベクトル、順はクレートの `spins_of_state`）。
fn states(n: usize) -> Vec<Value> {
    (0..1usize << n)
        .map(|s| Value::from(spins_of_state(s, n).expect("状態").mapv(f64::from)))
        .collect()
}

/// ±1 の列ベクトルをスピン配置にする。
fn spins(v: &Value) -> Result<Array1<i8>, EvalError> {
    column(v)?
        .iter()
        .map(|&s| match s {
            1.0 => Ok(1),
            -1.0 => Ok(-1),
            _ => Err(EvalError::Domain(format!("スピンの値 {s}"))),
        })
        .collect()
}

/// 見える配置と隠れ配置をつないだ全体の配置。
fn joint(v: &Value, h: &Value) -> Result<Array1<i8>, EvalError> {
    Ok(spins(v)?.iter().chain(spins(h)?.iter()).copied().collect())
}

/// 束縛の `\theta`（今の値）から作ったモデル。
fn model_at(cx: &mut Ctx<'_>, nv: usize) -> Result<HiddenIsing, EvalError> {
    let theta = cx.get(r"\theta")?.components();
    // M = N(N+1)/2 から N を戻す
    let n = (((8 * theta.len() + 1) as f64).sqrt() as usize - 1) / 2;
    HiddenIsing::new(
        Ising::from_params(n, &Array1::from(theta)).map_err(model_error)?,
        nv,
    )
    .map_err(model_error)
}

/// 見える状態の番号（`spins_of_state` の逆）。
fn index_of(v: &Array1<i8>) -> usize {
    v.iter()
        .enumerate()
        .filter(|(_, &x)| x == -1)
        .map(|(k, _)| 1 << k)
        .sum()
}

/// 事後分布 `q_θ(h|v)` での φ_α φ_β の共分散（α, β は 1 始まり）。事後分布はクレート、φ はクレートの十分統計量。
fn posterior_cov(m: &HiddenIsing, v: &Array1<i8>, a: usize, b: usize) -> Result<f64, EvalError> {
    let post = m.posterior(v).map_err(model_error)?;
    let (mut ea, mut eb, mut eab) = (0.0, 0.0, 0.0);
    for (h, p) in states(m.n_hidden()).iter().zip(post.iter()) {
        let x: Array1<i8> = v.iter().chain(spins(h)?.iter()).copied().collect();
        let phi = sufficient_statistics(&x).map_err(model_error)?;
        ea += p * phi[a - 1];
        eb += p * phi[b - 1];
        eab += p * phi[a - 1] * phi[b - 1];
    }
    Ok(eab - ea * eb)
}

/// モデル 1 つの束縛: `N_v`・`N_h`・`\theta`・`Z_\theta`・`q_\theta`・`E_\theta`・`F_\theta`・`\phi`、
/// 和の範囲 `\vv`・`\vz`、期待値 `\langle\cdot\rangle_\theta`（全体の配置 `\vx` の上、重みはクレートの確率）。
fn model_env(m: &HiddenIsing) -> Env {
    let (nv, nh) = (m.n_visible(), m.n_hidden());
    let n = nv + nh;
    let mut e = env();
    e.scalar("N_v", nv as f64)
        .scalar("N_h", nh as f64)
        .set(r"\theta", m.model().params())
        .domain(r"\vv", states(nv))
        .domain(r"\vz", states(nh));
    let log_z = m.log_z().expect("ln Z");
    let probs: Vec<f64> = states(n)
        .iter()
        .map(|x| {
            let e = m
                .model()
                .energy(&spins(x).expect("配置"))
                .expect("エネルギー");
            (-e - log_z).exp()
        })
        .collect();
    e.distribution(r"\theta", r"\vx", states(n), Weights::Fixed(probs));
    e.func_ctx(r"q_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| {
        let m = model_at(cx, nv)?;
        match a {
            [v] => {
                let lq = m.log_marginal().map_err(model_error)?;
                Ok(Value::Scalar(lq[index_of(&spins(v)?)].exp()))
            }
            [v, h] if column(v)?.len() == nv && column(h)?.len() == nh => {
                let x = joint(v, h)?;
                let e = m.model().energy(&x).map_err(model_error)?;
                Ok(Value::Scalar((-e - m.log_z().map_err(model_error)?).exp()))
            }
            [h, v] if column(h)?.len() == nh && column(v)?.len() == nv => {
                let post = m.posterior(&spins(v)?).map_err(model_error)?;
                Ok(Value::Scalar(post[index_of(&spins(h)?)]))
            }
            _ => Err(EvalError::Domain("q_θ の引数の形".into())),
        }
    });
    e.func_ctx(r"E_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| {
        let m = model_at(cx, nv)?;
        m.model()
            .energy(&joint(&a[0], &a[1])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.func_ctx(r"F_\theta", move |cx: &mut Ctx<'_>, a: &[Value]| {
        let m = model_at(cx, nv)?;
        m.free_energy(&spins(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.func_ctx(r"\mathcal{Z}", move |cx: &mut Ctx<'_>, _: &[Value]| {
        let m = model_at(cx, nv)?;
        m.log_z()
            .map(|z| Value::Scalar(z.exp()))
            .map_err(model_error)
    });
    e.formula(r"Z_\theta", r"\mathcal{Z}(\theta)").expect("式");
    // φ(v, h) は関数、裸の φ_α は期待値の変数（全体の配置 \vx）での値
    e.func(r"\phi", |a: &[Value]| {
        let x = match a {
            [v, h] => joint(v, h)?,
            [x] => spins(x)?,
            _ => return Err(EvalError::Domain("φ の引数の形".into())),
        };
        sufficient_statistics(&x)
            .map(Value::from)
            .map_err(model_error)
    });
    e.func(r"\Phi", |a: &[Value]| {
        sufficient_statistics(&spins(&a[0])?)
            .map(Value::from)
            .map_err(model_error)
    });
    e.formula(r"\phi_\alpha", r"\Phi_\alpha(\vx)").expect("式");
    e
}

/// データの束縛を足す: `p_0`（見える配置の相対頻度）、`\KL` = クレートの `HiddenIsing::kl`（今の `\theta` で）。
fn data_env(m: &HiddenIsing, data: &Array2<i8>) -> Env {
    let mut e = model_env(m);
    let nv = m.n_visible();
    let rows = data.clone();
    e.func("p_0", move |a: &[Value]| {
        let v = spins(&a[0])?;
        let hits = rows.rows().into_iter().filter(|r| *r == v).count();
        Ok(Value::Scalar(hits as f64 / rows.nrows() as f64))
    });
    let d = data.clone();
    e.func_ctx(r"\mathcal{D}", move |cx: &mut Ctx<'_>, _: &[Value]| {
        model_at(cx, nv)?
            .kl(&d)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    e.formula(r"\KL", r"\mathcal{D}(\theta)").expect("式");
    e
}

/// 見える 3・隠れ 2 のモデル（結合はすべての対）。
fn model32(shift: f64) -> HiddenIsing {
    let theta =
        array![0.3, -0.2, 0.1, 0.5, -0.4, 0.6, -0.3, 0.2, 0.8, -0.5, 0.4, -0.7, 0.1, 0.9, -0.6]
            + shift;
    HiddenIsing::new(Ising::from_params(5, &theta).expect("モデル"), 3).expect("モデル")
}

/// 見える 2・隠れ 1 のモデル。
fn model21(shift: f64) -> HiddenIsing {
    let theta = array![0.2, -0.3, 0.4, 0.5, -0.6, 0.7] * (1.0 + shift);
    HiddenIsing::new(Ising::from_params(3, &theta).expect("モデル"), 2).expect("モデル")
}

/// 見える 3 変数のデータ: 8 状態すべてと偏りを作る追加の配置（p_0 > 0 なので ln p_0 が有限）。
fn data3() -> Array2<i8> {
    let mut rows: Vec<[i8; 3]> = (0..8)
        .map(|s| {
            let x = spins_of_state(s, 3).expect("状態");
            [x[0], x[1], x[2]]
        })
        .collect();
    rows.extend([[1, 1, 1], [1, 1, -1], [-1, 1, -1], [1, 1, 1]]);
    Array2::from_shape_fn((rows.len(), 3), |(i, k)| rows[i][k])
}

/// 見える 2 変数のデータ: 4 状態すべてと追加の配置。
fn data2() -> Array2<i8> {
    array![[1, 1], [1, -1], [-1, 1], [-1, -1], [1, 1], [1, 1], [-1, -1]]
}

/// 4 ビットのパリティ（8 行）。
fn parity4() -> Array2<i8> {
    xtask::figures::hidden::parity4()
}

fn check_all(eq: &Equation, envs: &[Env], tol: &Tolerances) -> Vec<LinkResult> {
    let refs: Vec<&Env> = envs.iter().collect();
    check_equation(eq, &refs, tol)
}

/// (3.1)–(3.3) の束縛: 4 スピンの配置 `\vx`、パリティの `p_0`、KL 情報量はクレートの値。
fn parity_env() -> Env {
    let data = parity4();
    let mut e = env();
    e.domain(r"\vx", states(4));
    let rows = data.clone();
    e.func("p_0", move |a: &[Value]| {
        let v = spins(&a[0])?;
        let hits = rows.rows().into_iter().filter(|r| *r == v).count();
        Ok(Value::Scalar(hits as f64 / rows.nrows() as f64))
    });
    let uniform = HiddenIsing::new(Ising::zeros(4).expect("モデル"), 4).expect("モデル");
    e.scalar(r"\KL", uniform.kl(&data).expect("KL"));
    e
}

fn check_3_1(eq: &Equation) -> Vec<LinkResult> {
    // p_0 はデータの相対頻度（積が +1 の 8 行）。16 状態のうちいくつかで
    let envs: Vec<Env> = [0usize, 1, 3, 6, 7, 12, 15]
        .iter()
        .map(|&s| {
            let mut e = parity_env();
            e.set(r"\vx", spins_of_state(s, 4).expect("状態").mapv(f64::from));
            e
        })
        .collect();
    check_all(eq, &envs, &Tolerances::default())
}

fn check_3_2(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (k, l) in [(1, 2), (1, 4), (2, 3), (3, 4)] {
        let mut e = parity_env();
        e.scalar("k", k as f64).scalar("l", l as f64);
        envs.push(e);
    }
    check_all(eq, &envs, &Tolerances::default())
}

fn check_3_3(eq: &Equation) -> Vec<LinkResult> {
    // 和は p_0 > 0 の配置（0 ln 0 = 0）。左辺はクレートの KL（一様分布のモデル）
    let mut e = parity_env();
    let support: Vec<Value> = (0..16)
        .map(|s| spins_of_state(s, 4).expect("状態"))
        .filter(|x| x.iter().map(|&v| i32::from(v)).product::<i32>() == 1)
        .map(|x| Value::from(x.mapv(f64::from)))
        .collect();
    e.domain(r"\vx", support);
    check_all(eq, &[e], &Tolerances::default())
}

/// 配置を束縛した環境（見える `\vv`、隠れ `\vz`）。
fn at(m: &HiddenIsing, sv: usize, sh: usize) -> Env {
    let data = if m.n_visible() == 3 { data3() } else { data2() };
    let mut e = data_env(m, &data);
    e.set(
        r"\vv",
        spins_of_state(sv, m.n_visible())
            .expect("状態")
            .mapv(f64::from),
    )
    .set(
        r"\vz",
        spins_of_state(sh, m.n_hidden())
            .expect("状態")
            .mapv(f64::from),
    );
    e
}

/// 2 つのモデルの、いくつかの配置での束縛。
fn config_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for m in [model32(0.0), model21(0.0), model32(-0.25)] {
        for (sv, sh) in [(0usize, 0usize), (1, 1), (2, 0), (3, 1)] {
            envs.push(at(&m, sv, sh));
        }
    }
    envs
}

fn check_3_4(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 q_θ(v) はクレートの周辺分布、q_θ(v, h) はクレートのエネルギーと ln Z
    check_all(eq, &config_envs(), &Tolerances::default())
}

fn check_3_5(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 F_θ(v) はクレートの自由エネルギー、右辺の E_θ はクレートの Ising::energy
    check_all(eq, &config_envs(), &Tolerances::default())
}

fn check_3_6(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &config_envs(), &Tolerances::default())
}

fn check_3_7(eq: &Equation) -> Vec<LinkResult> {
    // 左辺 q_θ(h | v) はクレートの事後分布
    check_all(eq, &config_envs(), &Tolerances::default())
}

fn check_3_8(eq: &Equation) -> Vec<LinkResult> {
    // \onlytheta: 同じデータで θ だけを変えた束縛の間で差が一定
    let mut out = Vec::new();
    for models in [
        vec![model32(0.0), model32(0.2), model32(-0.3)],
        vec![model21(0.0), model21(0.5), model21(-0.4)],
    ] {
        let envs: Vec<Env> = models.iter().map(|m| at(m, 0, 0)).collect();
        out.extend(check_all(eq, &envs, &Tolerances::default()));
    }
    out
}

/// 成分 α（と β）を束縛した環境。
fn with_index(mut e: Env, a: usize, b: usize) -> Env {
    e.scalar(r"\alpha", a as f64).scalar(r"\beta", b as f64);
    e
}

fn derivative_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for (m, idx) in [
        (model32(0.0), [1usize, 4, 7, 15]),
        (model21(0.0), [1, 3, 5, 6]),
    ] {
        for (i, &a) in idx.iter().enumerate() {
            envs.push(with_index(at(&m, i, i % 2), a, 1));
        }
    }
    envs
}

fn check_3_9(eq: &Equation) -> Vec<LinkResult> {
    // ∂F/∂θ_α はクレートの自由エネルギーの中心差分、右辺の事後分布はクレート
    check_all(eq, &derivative_envs(), &Tolerances::default())
}

fn check_3_10(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &derivative_envs(), &Tolerances::default())
}

fn check_3_11(eq: &Equation) -> Vec<LinkResult> {
    // ∂KL/∂θ_α はクレートの KL 情報量の中心差分
    check_all(eq, &derivative_envs(), &Tolerances::default())
}

fn check_3_12(eq: &Equation) -> Vec<LinkResult> {
    // 左辺はクレートの KL の 2 階中心差分、Cov_θ はクレートの Ising::statistics_covariance、
    // Cov_{θ|v} はクレートの事後分布での共分散
    let mut envs = Vec::new();
    for m in [model32(0.0), model21(0.0)] {
        let cov = m
            .model()
            .statistics_covariance()
            .expect("共分散")
            .matrix()
            .to_owned();
        let nv = m.n_visible();
        for (a, b) in [(1usize, 1usize), (2, 5), (4, 6), (6, 3)] {
            let mut e = with_index(at(&m, 0, 0), a, b);
            e.set("C", cov.clone());
            e.formula(
                r"\operatorname{Cov}_\theta(\phi_\alpha, \phi_\beta)",
                r"C_{\alpha\beta}",
            )
            .expect("式");
            let model = m.clone();
            e.func(r"\mathcal{C}", move |args: &[Value]| {
                let v = spins(&args[0])?;
                debug_assert_eq!(v.len(), nv);
                posterior_cov(&model, &v, a, b).map(Value::Scalar)
            });
            e.formula(
                r"\operatorname{Cov}_\theta(\phi_\alpha, \phi_\beta \mid \vv)",
                r"\mathcal{C}(\vv)",
            )
            .expect("式");
            envs.push(e);
        }
    }
    let tol = Tolerances {
        abs: 1e-6,
        ..Tolerances::default()
    };
    check_all(eq, &envs, &tol)
}

fn check_3_13(eq: &Equation) -> Vec<LinkResult> {
    // q_{θ'} はクレートの permute_hidden・flip_hidden で作ったモデルの周辺分布
    let mut envs = Vec::new();
    let m = model32(0.0);
    for t in [
        m.permute_hidden(&[1, 0]).expect("入れ替え"),
        m.flip_hidden(0).expect("反転"),
        m.flip_hidden(1).expect("反転"),
    ] {
        for sv in [0usize, 3, 5] {
            let mut e = at(&m, sv, 0);
            let lq = t.log_marginal().expect("周辺分布");
            e.func(r"q_{\theta'}", move |a: &[Value]| {
                Ok(Value::Scalar(lq[index_of(&spins(&a[0])?)].exp()))
            });
            envs.push(e);
        }
    }
    check_all(eq, &envs, &Tolerances::default())
}

fn check_3_14(eq: &Equation) -> Vec<LinkResult> {
    // θ* は図 3.1 の下の極小（シード 0）、θ' はその隠れ変数の反転。D はクレートの KL
    let (_, fit) = xtask::figures::hidden::run(0);
    let flipped = fit.flip_hidden(0).expect("反転");
    let mut e = env();
    e.set(r"\vtheta^*", fit.model().params())
        .set(r"\vtheta'", flipped.model().params());
    let data = parity4();
    e.func("D", move |a: &[Value]| {
        let theta = column(&a[0])?;
        HiddenIsing::new(Ising::from_params(5, &theta).map_err(model_error)?, 4)
            .and_then(|m| m.kl(&data))
            .map(Value::Scalar)
            .map_err(model_error)
    });
    let mut out = check_all(eq, std::slice::from_ref(&e), &Tolerances::default());
    // 両辺の値もクレートに結ぶ（不等式の余裕が大きく、辺を壊しても成り立ってしまうので）。
    // 中点は、隠れ変数（番号 4）の場とそれにつながる結合を 0 にしたモデルとして別の道で作る
    let n = 5;
    let theta = fit.model().params();
    let mid_theta: Array1<f64> = theta
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let touches_hidden = if i < n {
                i == 4
            } else {
                let (k, l) = genmodel::boltzmann::ising::pairs(n).nth(i - n).expect("対");
                k == 4 || l == 4
            };
            if touches_hidden {
                0.0
            } else {
                t
            }
        })
        .collect();
    let mid =
        HiddenIsing::new(Ising::from_params(n, &mid_theta).expect("モデル"), 4).expect("モデル");
    let data = parity4();
    let want_mid = Value::Scalar(mid.kl(&data).expect("KL"));
    let want_ends = Value::Scalar(fit.kl(&data).expect("KL"));
    out.push(crate::ch02_05::crate_link(
        eq,
        0,
        0,
        std::slice::from_ref(&e),
        &[want_mid],
        "隠れ変数を切り離したモデルの KL",
    ));
    out.push(crate::ch02_05::crate_link(
        eq,
        0,
        1,
        &[e],
        &[want_ends],
        "最適点の KL（反転しても同じ）",
    ));
    out
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "3.1",
        check: check_3_1,
    },
    Bound {
        tag: "3.2",
        check: check_3_2,
    },
    Bound {
        tag: "3.3",
        check: check_3_3,
    },
    Bound {
        tag: "3.4",
        check: check_3_4,
    },
    Bound {
        tag: "3.5",
        check: check_3_5,
    },
    Bound {
        tag: "3.6",
        check: check_3_6,
    },
    Bound {
        tag: "3.7",
        check: check_3_7,
    },
    Bound {
        tag: "3.8",
        check: check_3_8,
    },
    Bound {
        tag: "3.9",
        check: check_3_9,
    },
    Bound {
        tag: "3.10",
        check: check_3_10,
    },
    Bound {
        tag: "3.11",
        check: check_3_11,
    },
    Bound {
        tag: "3.12",
        check: check_3_12,
    },
    Bound {
        tag: "3.13",
        check: check_3_13,
    },
    Bound {
        tag: "3.14",
        check: check_3_14,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[
    Survivor {
        tag: "3.1",
        mutant: "^\\top を足す (位置 53)",
        reason: "{-1,1}^4 は ±1 の 4 個の組の集合で、行と列の別を持たない",
    },
    Survivor {
        tag: "3.3",
        mutant: "^\\top を足す (位置 28)",
        reason: "D_KL(p ∥ q) の引数は分布の名札で、q_{0} の添字 0 ベクトルの向きは分布を変えない",
    },
];

#[test]
fn eq_3_1_printed_form() {
    assert_printed("3.1", check_3_1);
}

#[test]
fn eq_3_2_printed_form() {
    assert_printed("3.2", check_3_2);
}

#[test]
fn eq_3_3_printed_form() {
    assert_printed("3.3", check_3_3);
}

#[test]
fn eq_3_4_printed_form() {
    assert_printed("3.4", check_3_4);
}

#[test]
fn eq_3_5_printed_form() {
    assert_printed("3.5", check_3_5);
}

#[test]
fn eq_3_6_printed_form() {
    assert_printed("3.6", check_3_6);
}

#[test]
fn eq_3_7_printed_form() {
    assert_printed("3.7", check_3_7);
}

#[test]
fn eq_3_8_printed_form() {
    assert_printed("3.8", check_3_8);
}

#[test]
fn eq_3_9_printed_form() {
    assert_printed("3.9", check_3_9);
}

#[test]
fn eq_3_10_printed_form() {
    assert_printed("3.10", check_3_10);
}

#[test]
fn eq_3_11_printed_form() {
    assert_printed("3.11", check_3_11);
}

#[test]
fn eq_3_12_printed_form() {
    assert_printed("3.12", check_3_12);
}

#[test]
fn eq_3_13_printed_form() {
    assert_printed("3.13", check_3_13);
}

#[test]
fn eq_3_14_printed_form() {
    assert_printed("3.14", check_3_14);
}
