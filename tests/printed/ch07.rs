//! 第 7 章 MCMC を用いないボルツマンマシンの式（(7.1)–(7.21)）を印刷された形で実行する。
//!
//! 束縛は genmodel の `variational` に結びつける: `F[r]` は `gibbs::free_energy`、KL 情報量は
//! `divergence::kl_divergence`、積の分布 `r` は `gibbs::product_table`、`F_{\mathrm{MF}}` は
//! `mean_field::free_energy`、平均場の解 `m_k` は `mean_field::solve`（(7.6) の反復の 1 歩は、残差の上限を
//! 大きくとって 1 回で止めた `mean_field::solve`）、`\chi` は `mean_field::linear_response`、TAP の解と
//! `F_{\mathrm{TAP}}` は `tap`、メッセージ `\hat{h}_{l \to k}`・磁化・辺の相関・`\ln Z_{\mathrm{Bethe}}` は
//! `bp::Bethe`、一様な強磁性体の磁化は `ferromagnet` と 4×4 のトーラスの上の `mean_field::solve`・
//! `BeliefPropagation`、厳密な自発磁化は `onsager::spontaneous_magnetisation`、逆問題の `J_{kl}`・`h_k` は
//! `inverse::naive_mean_field`・`inverse::tap`、`\Sigma` と `m_k` は `inverse::connected_correlations`、
//! `\ell_{\mathrm{PL}}` とその勾配は `pseudo::PseudoLikelihood`。
//!
//! 本はこの章で `J_{lk} = J_{kl}`、`J_{kk} = 0` とおくので、`J` は対称な N×N 行列として束縛する
//! （`variational::coupling_matrix`）。パラメータとしての `J_{kl}`（(7.21) の微分）は k < l の成分である。
//! 空洞場 `H_{l \setminus k}` は、クレートのメッセージから定義どおり `H_l − \hat{h}_{k \to l}` として求める。

use crate::ch02_05::{all_states, ising, spins};
use crate::harness::{
    assert_printed, column, env, impl_link, model_error, refs, Bound, Declared, Survivor, IMPL,
};
use genmodel::boltzmann::ising::{pairs, Ising};
use genmodel::boltzmann::lattice::{onsager, K_C};
use genmodel::distribution::Categorical;
use genmodel::divergence::kl_divergence;
use genmodel::ndarray::{Array1, Array2};
use genmodel::variational::bp::{BeliefPropagation, Bethe};
use genmodel::variational::pseudo::PseudoLikelihood;
use genmodel::variational::{
    coupling_matrix, ferromagnet, gibbs, inverse, mean_field, tap, FixedPoint,
};
use rand::SeedableRng;
use texeval::{
    check_equation, Ctx, Env, Equation, EvalError, LinkResult, Tolerances, Value, Weights,
};

fn check_all(eq: &Equation, envs: &[Env]) -> Vec<LinkResult> {
    check_equation(eq, &refs(envs), &Tolerances::default())
}

/// 束縛に使うモデル: 3 スピンと 4 スピン（場と結合は手で選んだ値。結合は `pairs` の順）。
fn models() -> Vec<Ising> {
    vec![
        ising(&[0.3, -0.2, 0.1], &[0.5, -0.4, 0.8]),
        ising(&[0.2, -0.3, 0.1, 0.4], &[0.6, 0.0, -0.5, 0.3, 0.7, -0.2]),
    ]
}

/// 状態の番号（クレートの `spins_of_state` の逆: x_k = −1 のビット k が立つ）。
fn index_of(x: &Array1<i8>) -> usize {
    x.iter()
        .enumerate()
        .map(|(k, &s)| usize::from(s == -1) << k)
        .sum()
}

/// 全状態の確率の表を、配置の関数として引く。
fn table_fn(table: Array1<f64>) -> impl Fn(&[Value]) -> Result<Value, EvalError> {
    move |a: &[Value]| {
        let x = spins(&a[0])?;
        table
            .get(index_of(&x))
            .map(|&p| Value::Scalar(p))
            .ok_or_else(|| EvalError::Domain(format!("状態 {x} は表の外")))
    }
}

/// 対称な `J` 行列（k < l の成分を読む）と `h` からモデルを作る。
fn model_from_symmetric(h: &Value, j: &Value) -> Result<Ising, EvalError> {
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

/// モデルの束縛: `N`・`h`・`J`（対称）、添字 `k`・`l` の範囲 1..N。
fn model_env(model: &Ising) -> Env {
    let n = model.n_spins();
    let mut e = env();
    e.scalar("N", n as f64)
        .set("h", model.fields().to_owned())
        .set("J", coupling_matrix(model))
        .index_range("k", 1, n as i64)
        .index_range("l", 1, n as i64);
    e
}

/// 添字 `k`（と `l`）を値に固定した束縛。和の添字（`\sum_l` の l）は宣言した範囲を動く。
fn fix(e: &Env, k: usize, l: Option<usize>) -> Env {
    let mut e = e.clone();
    e.scalar("k", k as f64);
    if let Some(l) = l {
        e.scalar("l", l as f64);
    }
    e
}

// ---- (7.1)–(7.3): 変分自由エネルギー ----

/// 正の確率の表（決まった擬似乱数）。
fn positive_table(n: usize, seed: usize) -> Array1<f64> {
    let size = 1usize << n;
    let t: Array1<f64> = (0..size)
        .map(|s| 1.0 + ((s * 7 + seed * 3) % 11) as f64)
        .collect();
    &t / t.sum()
}

/// (7.1)・(7.2): 分布 r は正の乱数の表、積の分布、平均場の解の積の分布、q そのもの（等号）。
fn free_energy_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for (i, model) in models().iter().enumerate() {
        let n = model.n_spins();
        let q = gibbs::boltzmann_table(model).expect("q の表");
        let mf = mean_field::solve(model, &Array1::zeros(n), &FixedPoint::default()).expect("解");
        let ms = [
            Array1::from_shape_fn(n, |k| [0.3, -0.5, 0.7, 0.1][k]),
            mf.magnetisations().clone(),
        ];
        let mut tables = vec![positive_table(n, i), positive_table(n, i + 5), q.clone()];
        for m in &ms {
            tables.push(gibbs::product_table(m).expect("積の分布"));
        }
        for r in tables {
            let mut e = model_env(model);
            e.domain(r"\vx", all_states(n))
                .scalar(r"Z_\theta", model.log_z().expect("ln Z").exp())
                .scalar("F[r]", gibbs::free_energy(model, &r).expect("F[r]"))
                .scalar(
                    r"\KL",
                    kl_divergence(
                        &Categorical::new(r.clone()).expect("r"),
                        &Categorical::new(q.clone()).expect("q"),
                    )
                    .expect("KL"),
                );
            e.func("r", table_fn(r));
            let m = model.clone();
            e.func(r"E_\theta", move |a: &[Value]| {
                m.energy(&spins(&a[0])?)
                    .map(Value::Scalar)
                    .map_err(model_error)
            });
            envs.push(e);
        }
    }
    envs
}

fn check_7_1(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &free_energy_envs())
}

fn check_7_2(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &free_energy_envs())
}

/// (7.3): 左辺の r はクレートの `gibbs::product_table`。磁化と状態を変える。
fn check_7_3(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let mvs: [&[f64]; 4] = [
        &[0.3, -0.5, 0.7],
        &[0.9, 0.2, -0.8],
        &[-0.1, 0.4, 0.6, -0.75],
        &[1.0, -0.3, 0.5, 0.2],
    ];
    for m in mvs {
        let n = m.len();
        let m = Array1::from(m.to_vec());
        let r = gibbs::product_table(&m).expect("積の分布");
        for s in [0usize, 3, (1 << n) - 2] {
            let mut e = env();
            e.scalar("N", n as f64)
                .set(r"\vec{m}", m.clone())
                .set(r"\vx", all_states(n)[s].clone());
            e.func("r", table_fn(r.clone()));
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

// ---- (7.4)–(7.9): 平均場近似と TAP ----

/// 磁化の候補: 手で選んだ内点と、平均場の解。
fn magnetisation_points(model: &Ising) -> Vec<Array1<f64>> {
    let n = model.n_spins();
    let mf = mean_field::solve(model, &Array1::zeros(n), &FixedPoint::default()).expect("解");
    vec![
        Array1::from_shape_fn(n, |k| [0.3, -0.5, 0.7, 0.1][k]),
        Array1::from_shape_fn(n, |k| [-0.9, 0.2, 0.45, -0.6][k]),
        mf.magnetisations().clone(),
    ]
}

/// `F_{\mathrm{MF}}`・`F_{\mathrm{TAP}}` をクレートの関数として束縛する（引数は列ベクトルの磁化）。
fn free_energy_funcs(e: &mut Env, model: &Ising) {
    let m = model.clone();
    e.func(r"F_{\mathrm{MF}}", move |a: &[Value]| {
        mean_field::free_energy(&m, &column(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
    let m = model.clone();
    e.func(r"F_{\mathrm{TAP}}", move |a: &[Value]| {
        tap::free_energy(&m, &column(&a[0])?)
            .map(Value::Scalar)
            .map_err(model_error)
    });
}

fn free_energy_mf_envs() -> Vec<Env> {
    let mut envs = Vec::new();
    for model in models() {
        for m in magnetisation_points(&model) {
            let mut e = model_env(&model);
            e.set(r"\vec{m}", m);
            free_energy_funcs(&mut e, &model);
            envs.push(e);
        }
    }
    envs
}

fn check_7_4(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &free_energy_mf_envs())
}

fn check_7_9(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &free_energy_mf_envs())
}

/// 平均場の方程式の解を添字 k ごとに束縛する。`solver` は `m` を返すクレートの関数。
fn fixed_point_envs(models: &[Ising], solver: impl Fn(&Ising) -> Vec<Array1<f64>>) -> Vec<Env> {
    let mut envs = Vec::new();
    for model in models {
        for m in solver(model) {
            let base = model_env(model);
            for k in 1..=model.n_spins() {
                let mut e = fix(&base, k, None);
                e.set(r"\vec{m}", m.clone());
                envs.push(e);
            }
        }
    }
    envs
}

/// (7.5): 弱い結合のモデル（解は 1 つ）と、場のない強磁性の対（解は 0 と ±0.9575 の 3 つ）。
fn check_7_5(eq: &Equation) -> Vec<LinkResult> {
    let mut ms = models();
    ms.push(ising(&[0.0, 0.0], &[2.0]));
    ms.push(ising(&[0.4, -0.2], &[-1.5]));
    let envs = fixed_point_envs(&ms, |model| {
        let n = model.n_spins();
        let starts = Array2::from_shape_fn((3, n), |(s, k)| {
            [0.5, -0.5, 0.05][s] * (k + 1) as f64 / n as f64
        });
        mean_field::solutions(model, &starts, &FixedPoint::default())
            .expect("解")
            .iter()
            .map(|s| s.magnetisations().clone())
            .collect()
    });
    check_all(eq, &envs)
}

/// 減衰つきの反復の 1 歩: 残差の上限を大きくとったクレートの反復は、1 回更新して止まる。
fn one_step(model: &Ising, m: &Array1<f64>, gamma: f64) -> Array1<f64> {
    let fp = FixedPoint::new(gamma, 1e300, 1).expect("設定");
    mean_field::solve(model, m, &fp)
        .expect("1 歩")
        .magnetisations()
        .clone()
}

/// (7.6): 反復の列 m^{(1)}, m^{(2)}, … をクレートの 1 歩で作り、族 `\vec{m}` に束縛する（族の i 番目が m^{(i)}）。
fn check_7_6(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    let cases = [
        (ising(&[0.0, 0.0], &[-2.0]), vec![0.5, 0.5], 0.5),
        (ising(&[0.0, 0.0], &[-2.0]), vec![0.5, 0.5], 1.0),
        (models()[1].clone(), vec![0.1, 0.2, -0.3, 0.4], 0.3),
        (models()[0].clone(), vec![0.9, -0.9, 0.0], 0.7),
    ];
    for (model, start, gamma) in cases {
        let mut iterates = Vec::new();
        let mut m = one_step(&model, &Array1::from(start), gamma);
        for _ in 0..6 {
            iterates.push(Value::from(m.clone()));
            m = one_step(&model, &m, gamma);
        }
        let base = model_env(&model);
        for t in [1usize, 2, 5] {
            for k in 1..=model.n_spins() {
                let mut e = fix(&base, k, None);
                e.scalar("t", t as f64)
                    .scalar(r"\gamma", gamma)
                    .family(r"\vec{m}", iterates.clone());
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

/// (7.7): 左辺の χ はクレートの線形応答 `mean_field::linear_response`。対 (k, l) は対角と非対角。
fn check_7_7(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for model in models() {
        let n = model.n_spins();
        for m in magnetisation_points(&model) {
            let chi = mean_field::linear_response(&model, &m).expect("χ");
            let base = model_env(&model);
            for (k, l) in [(1, 1), (1, 2), (2, 3), (3, 1), (n, n)] {
                let mut e = fix(&base, k, Some(l));
                e.set(r"\chi", chi.clone())
                    .set(r"\delta", Array2::<f64>::eye(n))
                    .set(r"\vec{m}", m.clone());
                envs.push(e);
            }
        }
    }
    check_all(eq, &envs)
}

/// (7.8): 磁化はクレートの TAP 方程式の解 `tap::solve`。
fn check_7_8(eq: &Equation) -> Vec<LinkResult> {
    let mut ms = models();
    ms.push(ising(&[0.5, -0.3], &[0.9]));
    let envs = fixed_point_envs(&ms, |model| {
        let n = model.n_spins();
        vec![tap::solve(model, &Array1::zeros(n), &FixedPoint::default())
            .expect("TAP の解")
            .magnetisations()
            .clone()]
    });
    check_all(eq, &envs)
}

// ---- (7.10)–(7.13): 確率伝搬法 ----

/// 確率伝搬法の束縛 1 つ分: モデル、クレートの不動点、辺。
struct BpCase {
    model: Ising,
    bethe: Bethe,
    edges: Vec<(usize, usize)>,
    tree: bool,
}

fn bp_models() -> Vec<Ising> {
    // 鎖 1–2–3–4、星（中心 1）、三角形（本文の例）、閉路 1–2–3–4–1
    let chain = ising(&[0.2, -0.4, 0.1, 0.3], &[0.5, 0.0, 0.0, -0.7, 0.0, 0.9]);
    let mut star_j = vec![0.8, -0.6, 1.2, 0.4];
    star_j.extend([0.0; 6]);
    let star = ising(&[0.1, 0.3, -0.2, 0.5, -0.1], &star_j);
    let triangle = ising(&[0.1, 0.0, 0.0], &[1.0, 1.0, 1.0]);
    let ring = ising(&[0.2, 0.1, -0.3, 0.05], &[0.3, 0.0, 0.2, -0.4, 0.0, 0.5]);
    vec![chain, star, triangle, ring]
}

fn bp_cases() -> Vec<BpCase> {
    bp_models()
        .into_iter()
        .map(|model| {
            let bp = BeliefPropagation::new(&model);
            let bethe = bp.run(0.1, &FixedPoint::default()).expect("確率伝搬法");
            BpCase {
                edges: bp.edges(),
                tree: bp.is_tree(),
                model,
                bethe,
            }
        })
        .collect()
}

impl BpCase {
    /// メッセージ u_{a→b}（0 から数える添字）。
    fn message(&self, a: usize, b: usize) -> f64 {
        let u = self.bethe.messages();
        self.edges
            .iter()
            .position(|&e| e == (a.min(b), a.max(b)))
            .map(|e| if a < b { u[2 * e] } else { u[2 * e + 1] })
            .expect("辺")
    }

    fn neighbours(&self, k: usize) -> Vec<usize> {
        self.edges
            .iter()
            .filter_map(|&(a, b)| {
                if a == k {
                    Some(b)
                } else if b == k {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }

    /// 全スピンの場 H_k = h_k + Σ_{l∈∂k} u_{l→k}。
    fn fields(&self) -> Array1<f64> {
        let h = self.model.fields();
        Array1::from_shape_fn(h.len(), |k| {
            h[k] + self
                .neighbours(k)
                .iter()
                .map(|&l| self.message(l, k))
                .sum::<f64>()
        })
    }

    /// 空洞場 H_{a∖b} = H_a − u_{b→a}。
    fn cavity(&self, a: usize, b: usize) -> f64 {
        self.fields()[a] - self.message(b, a)
    }

    /// 辺の相関（クレート）。
    fn edge_correlation(&self, a: usize, b: usize) -> f64 {
        let e = self
            .edges
            .iter()
            .position(|&e| e == (a.min(b), a.max(b)))
            .expect("辺");
        self.bethe.edge_correlations()[e]
    }

    /// 共通の束縛: `h`・`J`・`t`・`H`（全体の場）・`d`・`\partial`、メッセージ・空洞場の対の名前、
    /// 期待値の分布（厳密な確率）。
    fn env(&self) -> Env {
        let n = self.model.n_spins();
        let mut e = model_env(&self.model);
        let j = coupling_matrix(&self.model);
        let degrees: Array1<f64> = (0..n).map(|k| self.neighbours(k).len() as f64).collect();
        e.set("t", j.mapv(f64::tanh))
            .set("H", self.fields())
            .set("d", degrees);
        for &(a, b) in &self.edges {
            for (x, y) in [(a, b), (b, a)] {
                let (xs, ys) = (x + 1, y + 1);
                e.scalar(&format!(r"\hat{{h}}_{{{xs} \to {ys}}}"), self.message(x, y))
                    .scalar(&format!(r"H_{{{xs} \setminus {ys}}}"), self.cavity(x, y))
                    .scalar(
                        &format!(r"t_{{{xs} \setminus {ys}}}"),
                        self.cavity(x, y).tanh(),
                    );
            }
        }
        let nb: Vec<Vec<f64>> = (0..n)
            .map(|k| self.neighbours(k).iter().map(|&l| (l + 1) as f64).collect())
            .collect();
        e.func(r"\partial", move |a: &[Value]| {
            let k = a[0].as_scalar()?;
            nb.get((k as usize).wrapping_sub(1))
                .map(|v| Value::from(v.clone()))
                .ok_or_else(|| EvalError::Index(format!("スピン {k} がない")))
        });
        let probs = gibbs::boltzmann_table(&self.model).expect("確率").to_vec();
        e.distribution("", r"\vx", all_states(n), Weights::Fixed(probs));
        e
    }
}

/// (7.10)・(7.12): 向きのある辺 l → k ごと（k, l を固定）。
fn directed_edge_envs(correlations: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    for case in bp_cases() {
        let base = case.env();
        for &(a, b) in &case.edges {
            for (l, k) in [(a, b), (b, a)] {
                let mut e = fix(&base, k + 1, Some(l + 1));
                if correlations {
                    let c = case.edge_correlation(a, b);
                    e.scalar(IMPL, c);
                    if !case.tree {
                        // 閉路があれば Bethe の相関は近似: 左辺はクレートの値
                        e.scalar(r"\langle x_k x_l \rangle", c);
                    }
                }
                envs.push(e);
            }
        }
    }
    envs
}

fn check_7_10(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &directed_edge_envs(false))
}

/// (7.11): 木では左辺は厳密な磁化（列挙）で、クレートの磁化とも比べる。閉路ではクレートの磁化。
fn check_7_11(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for case in bp_cases() {
        let base = case.env();
        let exact = case.model.exact().expect("列挙");
        for k in 1..=case.model.n_spins() {
            let mut e = fix(&base, k, None);
            let crate_m = case.bethe.magnetisations().clone();
            let m = if case.tree {
                exact.means().to_owned()
            } else {
                crate_m.clone()
            };
            e.set(r"\vec{m}", m).scalar(IMPL, crate_m[k - 1]);
            envs.push(e);
        }
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 0, &refs(&envs), "Bethe::magnetisations"));
    rs
}

/// (7.12): 木では左辺は列挙による厳密な相関、閉路ではクレートの辺の相関。どちらもクレートと比べる。
fn check_7_12(eq: &Equation) -> Vec<LinkResult> {
    let envs = directed_edge_envs(true);
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        0,
        &refs(&envs),
        "Bethe::edge_correlations",
    ));
    rs
}

/// (7.13): 木では `Z_{\mathrm{Bethe}}` を厳密な Z とし（木では厳密）、クレートの `Bethe::log_z` と比べる。
fn check_7_13(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for case in bp_cases() {
        let mut e = case.env();
        let ln_z = if case.tree {
            case.model.log_z().expect("ln Z")
        } else {
            case.bethe.log_z()
        };
        e.scalar(r"Z_{\mathrm{Bethe}}", ln_z.exp())
            .scalar(IMPL, case.bethe.log_z());
        envs.push(e);
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(eq, 0, 0, &refs(&envs), "Bethe::log_z"));
    rs
}

// ---- (7.14)–(7.16): 2 次元の強磁性体 ----

/// 一辺 L の正方格子のトーラス（場なし、最近接の結合 K）。
fn torus(side: usize, k: f64) -> Ising {
    let n = side * side;
    let right = |s: usize| (s / side) * side + (s % side + 1) % side;
    let down = |s: usize| (s + side) % n;
    let mut j = Array2::<f64>::zeros((n, n));
    for s in 0..n {
        for t in [right(s), down(s)] {
            j[[s.min(t), s.max(t)]] = k;
        }
    }
    let couplings: Array1<f64> = pairs(n).map(|(a, b)| j[[a, b]]).collect();
    Ising::new(Array1::zeros(n), couplings).expect("トーラス")
}

/// すべて同じ値の列の値（一様な解であることを確かめて返す）。
fn uniform(v: &Array1<f64>) -> f64 {
    let x = v[0];
    assert!(
        v.iter().all(|y| (y - x).abs() < 1e-9),
        "一様な解でない: {v}"
    );
    x
}

/// (7.14): m はクレートの `ferromagnet::mean_field_magnetisation` と、4×4 のトーラスでの平均場の解。
fn check_7_14(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for k in [0.2, 0.3, 0.5, 0.8] {
        let lattice = mean_field::solve(
            &torus(4, k),
            &Array1::from_elem(16, 0.9),
            &FixedPoint::default(),
        )
        .expect("トーラスの平均場");
        for m in [
            ferromagnet::mean_field_magnetisation(4, k).expect("m"),
            uniform(lattice.magnetisations()),
        ] {
            let mut e = env();
            e.scalar("K", k).scalar("m", m);
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

/// (7.15): `\hat{h}` は 4×4 のトーラスの確率伝搬法のメッセージ（一様）、m は `ferromagnet::bethe_magnetisation`
/// とトーラスの磁化。
fn check_7_15(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for k in [0.3, 0.4, 0.5, 0.8] {
        let b = BeliefPropagation::new(&torus(4, k))
            .run(0.5, &FixedPoint::default())
            .expect("トーラスの確率伝搬法");
        let u = uniform(b.messages());
        for m in [
            ferromagnet::bethe_magnetisation(4, k).expect("m"),
            uniform(b.magnetisations()),
        ] {
            let mut e = env();
            e.scalar("K", k).scalar(r"\hat{h}", u).scalar("m", m);
            envs.push(e);
        }
    }
    check_all(eq, &envs)
}

/// (7.16): m はクレートの `onsager::spontaneous_magnetisation`、`K_{\mathrm{c}}` は Onsager の臨界点。
fn check_7_16(eq: &Equation) -> Vec<LinkResult> {
    let envs: Vec<Env> = [0.45, 0.5, 0.7, 1.2]
        .into_iter()
        .map(|k| {
            let mut e = env();
            e.scalar("K", k)
                .scalar(r"K_{\mathrm{c}}", K_C)
                .scalar("m", onsager::spontaneous_magnetisation(k).expect("m"));
            e
        })
        .collect();
    check_all(eq, &envs)
}

// ---- (7.17)–(7.21): 標本を使わない学習 ----

/// 統計量の出どころ: 2 つのモデルの厳密な統計量と、4 スピンのモデルの標本（シード固定）。
fn statistics_sources() -> Vec<(usize, Array1<f64>)> {
    let ms = models();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let data = ms[1].sample(&mut rng, 2000).expect("標本");
    vec![
        (3, ms[0].exact().expect("列挙").statistics()),
        (4, ms[1].exact().expect("列挙").statistics()),
        (
            4,
            genmodel::boltzmann::ising::data_statistics(&data).expect("統計量"),
        ),
    ]
}

/// 逆問題の束縛: `\Sigma`・`\vec{m}` は `inverse::connected_correlations`、`J`・`h` は `fit` の出力。
fn inverse_envs(fit: fn(usize, &Array1<f64>) -> genmodel::Result<Ising>, fix_l: bool) -> Vec<Env> {
    let mut envs = Vec::new();
    for (n, stats) in statistics_sources() {
        let (m, sigma) = inverse::connected_correlations(n, &stats).expect("相関");
        let model = fit(n, &stats).expect("逆問題");
        let base = model_env(&model);
        let idx: Vec<(usize, Option<usize>)> = if fix_l {
            vec![(1, Some(2)), (2, Some(3)), (3, Some(1)), (1, Some(n))]
        } else {
            (1..=n).map(|k| (k, None)).collect()
        };
        for (k, l) in idx {
            let mut e = fix(&base, k, l);
            e.set(r"\Sigma", sigma.clone()).set(r"\vec{m}", m.clone());
            envs.push(e);
        }
    }
    envs
}

fn naive(n: usize, stats: &Array1<f64>) -> genmodel::Result<Ising> {
    inverse::naive_mean_field(n, stats)
}

fn tap_fit(n: usize, stats: &Array1<f64>) -> genmodel::Result<Ising> {
    inverse::tap(n, stats)
}

/// (7.17): 左辺の J_kl はクレートの `inverse::naive_mean_field` の結合。
fn check_7_17(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &inverse_envs(naive, true))
}

/// (7.18): 左辺の J_kl はクレートの `inverse::tap` の結合。
fn check_7_18(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &inverse_envs(tap_fit, true))
}

/// (7.19): 左辺の h_k と右辺の J_kl はクレートの `inverse::naive_mean_field` の場と結合。
fn check_7_19(eq: &Equation) -> Vec<LinkResult> {
    check_all(eq, &inverse_envs(naive, false))
}

/// 擬似尤度の束縛: データの族 `\vx`、`n`、局所場 `H(\vx) = h + J\vx`（その時点の h・J を読む）。
fn pseudo_env(model: &Ising, data: &Array2<i8>) -> Env {
    let mut e = model_env(model);
    let rows: Vec<Value> = data
        .rows()
        .into_iter()
        .map(|r| Value::from(r.mapv(f64::from)))
        .collect();
    e.scalar("n", data.nrows() as f64)
        .family(r"\vx", rows)
        .set(r"\theta", model.params());
    e.func_ctx("H", |cx: &mut Ctx<'_>, a: &[Value]| {
        let (h, j) = (column(&cx.get("h")?)?, cx.get("J")?);
        let Value::Matrix(j) = j else {
            return Err(EvalError::Domain("J は行列".into()));
        };
        Ok(Value::from(h + j.dot(&column(&a[0])?)))
    });
    e
}

/// 擬似尤度の束縛に使うモデルとデータ: 標本（シード固定）と手で選んだ配置。
fn pseudo_cases() -> Vec<(Ising, Array2<i8>)> {
    let ms = models();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let sampled = ms[1].sample(&mut rng, 40).expect("標本");
    let hand =
        genmodel::ndarray::array![[1, -1, 1], [1, 1, 1], [-1, -1, 1], [1, -1, -1], [1, 1, -1]];
    vec![
        (ms[1].clone(), sampled.clone()),
        (
            ising(&[-0.1, 0.5, 0.0, 0.2], &[0.3, -0.2, 0.1, 0.9, 0.0, -0.6]),
            sampled,
        ),
        (ms[0].clone(), hand.clone()),
        (ising(&[0.0, 0.0, 0.0], &[0.0, 0.0, 0.0]), hand),
    ]
}

/// (7.20): 左辺の `\ell_{\mathrm{PL}}(\theta)` はクレートの `PseudoLikelihood::value`（その時点の h・J のモデル）。
fn check_7_20(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (model, data) in pseudo_cases() {
        let mut e = pseudo_env(&model, &data);
        let pl = PseudoLikelihood::from_data(&data).expect("擬似尤度");
        e.func_ctx(
            r"\ell_{\mathrm{PL}}",
            move |cx: &mut Ctx<'_>, a: &[Value]| {
                let model = model_from_symmetric(&cx.get("h")?, &cx.get("J")?)?;
                if column(&a[0])? != model.params() {
                    return Err(EvalError::Domain("引数 θ が束縛の h・J と違う".into()));
                }
                pl.value(&model).map(Value::Scalar).map_err(model_error)
            },
        );
        envs.push(e);
    }
    check_all(eq, &envs)
}

/// (7.21): 左辺の微分は、クレートの `PseudoLikelihood::value` を J_kl（k < l の成分）について中心差分したもの。
/// 右辺はクレートの `PseudoLikelihood::gradient` とも比べる。
fn check_7_21(eq: &Equation) -> Vec<LinkResult> {
    let mut envs = Vec::new();
    for (model, data) in pseudo_cases() {
        let n = model.n_spins();
        let pl = PseudoLikelihood::from_data(&data).expect("擬似尤度");
        let grad = pl.gradient(&model).expect("勾配");
        let base = pseudo_env(&model, &data);
        for (k, l) in [(1usize, 2usize), (2, 3), (1, n)] {
            let mut e = fix(&base, k, Some(l));
            let p = pairs(n).position(|pq| pq == (k - 1, l - 1)).expect("対");
            e.scalar(IMPL, grad[n + p]);
            let value = pl.clone();
            e.func(r"\mathcal{P}", move |a: &[Value]| {
                value
                    .value(&model_from_symmetric(&a[0], &a[1])?)
                    .map(Value::Scalar)
                    .map_err(model_error)
            });
            e.formula(r"\ell_{\mathrm{PL}}", r"\mathcal{P}(h, J)")
                .expect("式");
            envs.push(e);
        }
    }
    let mut rs = check_all(eq, &envs);
    rs.extend(impl_link(
        eq,
        0,
        1,
        &refs(&envs),
        "PseudoLikelihood::gradient",
    ));
    rs
}

pub const BOUND: &[Bound] = &[
    Bound {
        tag: "7.1",
        check: check_7_1,
    },
    Bound {
        tag: "7.2",
        check: check_7_2,
    },
    Bound {
        tag: "7.3",
        check: check_7_3,
    },
    Bound {
        tag: "7.4",
        check: check_7_4,
    },
    Bound {
        tag: "7.5",
        check: check_7_5,
    },
    Bound {
        tag: "7.6",
        check: check_7_6,
    },
    Bound {
        tag: "7.7",
        check: check_7_7,
    },
    Bound {
        tag: "7.8",
        check: check_7_8,
    },
    Bound {
        tag: "7.9",
        check: check_7_9,
    },
    Bound {
        tag: "7.10",
        check: check_7_10,
    },
    Bound {
        tag: "7.11",
        check: check_7_11,
    },
    Bound {
        tag: "7.12",
        check: check_7_12,
    },
    Bound {
        tag: "7.13",
        check: check_7_13,
    },
    Bound {
        tag: "7.14",
        check: check_7_14,
    },
    Bound {
        tag: "7.15",
        check: check_7_15,
    },
    Bound {
        tag: "7.16",
        check: check_7_16,
    },
    Bound {
        tag: "7.17",
        check: check_7_17,
    },
    Bound {
        tag: "7.18",
        check: check_7_18,
    },
    Bound {
        tag: "7.19",
        check: check_7_19,
    },
    Bound {
        tag: "7.20",
        check: check_7_20,
    },
    Bound {
        tag: "7.21",
        check: check_7_21,
    },
];

pub const DECLARED: &[Declared] = &[];

pub const SURVIVORS: &[Survivor] = &[
    Survivor {
        tag: "7.2",
        mutant: "\\ln を消す (位置 54)",
        reason: "Z_θ > ln Z_θ なので −Z_θ < −ln Z_θ ≤ F[r]: 弱めた不等式はどの r でも成り立つ",
    },
    Survivor {
        tag: "7.4",
        mutant: "< → > (位置 71)",
        reason: "J_{kl} m_k m_l は k と l の入れ替えで変わらない（J_{lk} = J_{kl}）ので、k > l の和は k < l の和と等しい",
    },
    Survivor {
        tag: "7.4",
        mutant: "添字 kl → lk (位置 78)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.5",
        mutant: "添字 kl → lk (位置 36)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.6",
        mutant: "添字 kl → lk (位置 108)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.7",
        mutant: "添字 kl → lk (位置 13)",
        reason: "χ^{-1} は F_MF のヘッセ行列で対称（右辺も k と l について対称）",
    },
    Survivor {
        tag: "7.7",
        mutant: "添字 kl → lk (位置 33)",
        reason: "δ_{kl} = δ_{lk}",
    },
    Survivor {
        tag: "7.7",
        mutant: "添字 kl → lk (位置 54)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.8",
        mutant: "添字 kl → lk (位置 54)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.8",
        mutant: "添字 kl → lk (位置 88)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.9",
        mutant: "< → > (位置 104)",
        reason: "J_{kl}^2 (1 − m_k^2)(1 − m_l^2) は k と l の入れ替えで変わらないので、k > l の和は k < l の和と等しい",
    },
    Survivor {
        tag: "7.9",
        mutant: "添字 kl → lk (位置 111)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.10",
        mutant: "添字 kl → lk (位置 74)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.12",
        mutant: "添字 kl → lk (位置 35)",
        reason: "t_{kl} = tanh J_{kl} で、J_{lk} = J_{kl}",
    },
    Survivor {
        tag: "7.12",
        mutant: "添字 kl → lk (位置 87)",
        reason: "t_{kl} = tanh J_{kl} で、J_{lk} = J_{kl}",
    },
    Survivor {
        tag: "7.13",
        mutant: "< → > (位置 49)",
        reason: "辺の項（J_{kl}、t_{kl}、2 つの空洞場の対）は k と l の入れ替えで変わらないので、k > l でとった辺の和は k < l の和と等しい",
    },
    Survivor {
        tag: "7.13",
        mutant: "添字 kl → lk (位置 58)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.13",
        mutant: "添字 kl → lk (位置 89)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
    Survivor {
        tag: "7.13",
        mutant: "添字 kl → lk (位置 125)",
        reason: "t_{kl} = tanh J_{kl} で、J_{lk} = J_{kl}",
    },
    Survivor {
        tag: "7.17",
        mutant: "添字 kl → lk (位置 3)",
        reason: "推定した結合も対称（J_{lk} = J_{kl}）",
    },
    Survivor {
        tag: "7.17",
        mutant: "添字 kl → lk (位置 25)",
        reason: "Σ（分散共分散行列）は対称なので Σ^{-1} も対称",
    },
    Survivor {
        tag: "7.18",
        mutant: "添字 kl → lk (位置 3)",
        reason: "推定した結合も対称（J_{lk} = J_{kl}）",
    },
    Survivor {
        tag: "7.18",
        mutant: "添字 kl → lk (位置 33)",
        reason: "Σ（分散共分散行列）は対称なので Σ^{-1} も対称",
    },
    Survivor {
        tag: "7.18",
        mutant: "添字 kl → lk (位置 77)",
        reason: "Σ（分散共分散行列）は対称なので Σ^{-1} も対称",
    },
    Survivor {
        tag: "7.19",
        mutant: "添字 kl → lk (位置 46)",
        reason: "本文は J_{lk} = J_{kl} とおく（結合は対称）",
    },
];

#[test]
fn eq_7_1_printed_form() {
    assert_printed("7.1", check_7_1);
}

#[test]
fn eq_7_2_printed_form() {
    assert_printed("7.2", check_7_2);
}

#[test]
fn eq_7_3_printed_form() {
    assert_printed("7.3", check_7_3);
}

#[test]
fn eq_7_4_printed_form() {
    assert_printed("7.4", check_7_4);
}

#[test]
fn eq_7_5_printed_form() {
    assert_printed("7.5", check_7_5);
}

#[test]
fn eq_7_6_printed_form() {
    assert_printed("7.6", check_7_6);
}

#[test]
fn eq_7_7_printed_form() {
    assert_printed("7.7", check_7_7);
}

#[test]
fn eq_7_8_printed_form() {
    assert_printed("7.8", check_7_8);
}

#[test]
fn eq_7_9_printed_form() {
    assert_printed("7.9", check_7_9);
}

#[test]
fn eq_7_10_printed_form() {
    assert_printed("7.10", check_7_10);
}

#[test]
fn eq_7_11_printed_form() {
    assert_printed("7.11", check_7_11);
}

#[test]
fn eq_7_12_printed_form() {
    assert_printed("7.12", check_7_12);
}

#[test]
fn eq_7_13_printed_form() {
    assert_printed("7.13", check_7_13);
}

#[test]
fn eq_7_14_printed_form() {
    assert_printed("7.14", check_7_14);
}

#[test]
fn eq_7_15_printed_form() {
    assert_printed("7.15", check_7_15);
}

#[test]
fn eq_7_16_printed_form() {
    assert_printed("7.16", check_7_16);
}

#[test]
fn eq_7_17_printed_form() {
    assert_printed("7.17", check_7_17);
}

#[test]
fn eq_7_18_printed_form() {
    assert_printed("7.18", check_7_18);
}

#[test]
fn eq_7_19_printed_form() {
    assert_printed("7.19", check_7_19);
}

#[test]
fn eq_7_20_printed_form() {
    assert_printed("7.20", check_7_20);
}

#[test]
fn eq_7_21_printed_form() {
    assert_printed("7.21", check_7_21);
}
