//! 確率伝搬法（Bethe 近似、式 (7.10)–(7.13)、第 7 章）。
//!
//! 結合 `J_kl ≠ 0` の対を辺とするグラフの上で、辺の向きごとのメッセージ（有効場）`u_{l→k}` を反復する。
//!
//! - 式 (7.10): `u_{l→k} = artanh(tanh J_kl · tanh H_{l∖k})`、空洞場 `H_{l∖k} = h_l + Σ_{j∈∂l∖k} u_{j→l}`
//! - 式 (7.11): `m_k = tanh H_k`、`H_k = h_k + Σ_{l∈∂k} u_{l→k}`
//! - 式 (7.12): 辺の相関 `⟨x_k x_l⟩ = (t + t_k t_l)/(1 + t t_k t_l)`、`t = tanh J_kl`、`t_k = tanh H_{k∖l}`
//! - 式 (7.13): Bethe の `ln Z`
//!
//! グラフが木（閉路のない森）なら、反復は直径の回数で厳密な値に収束する。閉路があると近似で、
//! 結合が強いと収束しないことがある（[`Error::NotConverged`]）。
//!
//! `artanh(tanh J tanh H)` は、`tanh` が 1 に丸められても有限になるよう `½ ln(cosh(J + H)/cosh(J − H))` で求める。

use super::{FixedPoint, coupling_matrix, ln_cosh};
use crate::boltzmann::ising::Ising;
use crate::error::{Error, Result, ensure_len, finite_scalar};
use ndarray::{Array1, ArrayView1, AsArray, Ix1};

/// 辺 `(a, b)`（`a < b`）の番号 `e` に対し、メッセージの番号は `2e`（`a → b`）と `2e + 1`（`b → a`）。
#[derive(Debug, Clone, PartialEq)]
pub struct BeliefPropagation {
    n: usize,
    h: Array1<f64>,
    /// 辺 `(a, b, J_ab)`。
    edges: Vec<(usize, usize, f64)>,
    /// スピン `k` に入るメッセージの番号。
    incoming: Vec<Vec<usize>>,
}

/// 確率伝搬法の不動点。
#[derive(Debug, Clone, PartialEq)]
pub struct Bethe {
    messages: Array1<f64>,
    m: Array1<f64>,
    edge_correlations: Array1<f64>,
    log_z: f64,
    iterations: usize,
}

impl Bethe {
    /// メッセージ `u`（番号は [`BeliefPropagation`] の約束）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}};
    ///
    /// // 2 スピン: u_{1→0} = artanh(tanh J tanh h_1)
    /// let bp = BeliefPropagation::new(&Ising::new(array![0.0, 0.5], array![0.3])?);
    /// let b = bp.run(0.0, &FixedPoint::default())?;
    /// assert!((b.messages()[1] - (0.3f64.tanh() * 0.5f64.tanh()).atanh()).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn messages(&self) -> &Array1<f64> {
        &self.messages
    }

    /// 磁化 `m_k = tanh H_k`（式 (7.11)）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}};
    ///
    /// let model = Ising::new(array![0.2, -0.4, 0.1], array![0.5, 0.0, -0.7])?; // 鎖 0–1–2
    /// let b = BeliefPropagation::new(&model).run(0.0, &FixedPoint::default())?;
    /// let exact = model.exact()?;
    /// for (a, e) in b.magnetisations().iter().zip(exact.means()) {
    ///     assert!((a - e).abs() < 1e-12);
    /// }
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn magnetisations(&self) -> &Array1<f64> {
        &self.m
    }

    /// 辺ごとの相関 `⟨x_a x_b⟩`（式 (7.12)、辺の順は [`BeliefPropagation::edges`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}};
    ///
    /// let model = Ising::new(array![0.0, 0.0], array![0.8])?;
    /// let b = BeliefPropagation::new(&model).run(0.0, &FixedPoint::default())?;
    /// assert!((b.edge_correlations()[0] - 0.8f64.tanh()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn edge_correlations(&self) -> &Array1<f64> {
        &self.edge_correlations
    }

    /// Bethe 近似の `ln Z`（式 (7.13)）。木では厳密。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}};
    ///
    /// let model = Ising::new(array![0.3, -0.2, 0.1], array![0.4, 0.9, 0.0])?; // 星 1–0–2
    /// let b = BeliefPropagation::new(&model).run(0.0, &FixedPoint::default())?;
    /// assert!((b.log_z() - model.log_z()?).abs() < 1e-12);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn log_z(&self) -> f64 {
        self.log_z
    }

    /// 収束までの反復の回数。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}};
    ///
    /// let b = BeliefPropagation::new(&Ising::new(array![0.3, 0.1], array![0.4])?).run(0.0, &FixedPoint::default())?;
    /// assert!(b.iterations() >= 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn iterations(&self) -> usize {
        self.iterations
    }
}

/// `artanh(tanh J · tanh c) = ½[ln cosh(J + c) − ln cosh(J − c)]` を、`|J| ≫ |c|` でも `c` を失わずに求める。
/// `ln cosh x = |x| + ln(1 + e^{−2|x|}) − ln 2` と書くと、`½(|J + c| − |J − c|) = sign(J) sign(c) min(|J|, |c|)` は厳密に求まる。
fn cavity_bias(j: f64, c: f64) -> f64 {
    let l = |x: f64| (-2.0 * x.abs()).exp().ln_1p();
    j.signum() * c.signum() * j.abs().min(c.abs()) + 0.5 * (l(j + c) - l(j - c))
}

impl BeliefPropagation {
    /// モデルの `J_kl ≠ 0` の対を辺とするグラフを作る。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::bp::BeliefPropagation};
    ///
    /// let bp = BeliefPropagation::new(&Ising::new(array![0.0, 0.0, 0.0], array![0.5, 0.0, 0.2])?);
    /// assert_eq!(bp.edges(), vec![(0, 1), (1, 2)]);
    /// assert!(bp.is_tree());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn new(model: &Ising) -> Self {
        let n = model.n_spins();
        let j = coupling_matrix(model);
        let mut edges = Vec::new();
        let mut incoming = vec![Vec::new(); n];
        for a in 0..n {
            for b in a + 1..n {
                if j[[a, b]] != 0.0 {
                    let e = edges.len();
                    edges.push((a, b, j[[a, b]]));
                    incoming[b].push(2 * e);
                    incoming[a].push(2 * e + 1);
                }
            }
        }
        Self {
            n,
            h: model.fields().to_owned(),
            edges,
            incoming,
        }
    }

    /// 辺 `(a, b)`（`a < b`、`J_ab ≠ 0`）の一覧。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, variational::bp::BeliefPropagation};
    ///
    /// assert_eq!(BeliefPropagation::new(&Ising::zeros(3)?).edges(), vec![]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn edges(&self) -> Vec<(usize, usize)> {
        self.edges.iter().map(|&(a, b, _)| (a, b)).collect()
    }

    /// グラフに閉路がないか（森か）。辺の数 = スピン数 − 連結成分の数 のとき、かつそのときに限り森である。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::bp::BeliefPropagation};
    ///
    /// let triangle = Ising::new(array![0.0, 0.0, 0.0], array![0.5, 0.5, 0.5])?;
    /// assert!(!BeliefPropagation::new(&triangle).is_tree());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn is_tree(&self) -> bool {
        let mut parent: Vec<usize> = (0..self.n).collect();
        fn root(p: &mut [usize], mut k: usize) -> usize {
            while p[k] != k {
                p[k] = p[p[k]];
                k = p[k];
            }
            k
        }
        for &(a, b, _) in &self.edges {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra == rb {
                return false;
            }
            parent[ra] = rb;
        }
        true
    }

    /// すべてのメッセージを `u0` から始めて、減衰つきの同時更新で (7.10) を解く。
    /// 場のない強磁性体では `u0 = 0` が常に解なので、対称性の破れた解を探すには `u0 > 0` から始める。
    ///
    /// # Errors
    ///
    /// - `u0` が非有限: [`Error::NonFinite`]
    /// - 回数の上限 ×（メッセージの数 + スピン数）が [`crate::prec::MAX_CHAIN_WORK`] を超える: [`Error::TooLarge`]
    /// - 収束しない: [`Error::NotConverged`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}, Error};
    ///
    /// // 強い結合の三角形（閉路）: 近似であり、ln Z は厳密な値と違う
    /// let model = Ising::new(array![0.1, 0.0, 0.0], array![1.0, 1.0, 1.0])?;
    /// let b = BeliefPropagation::new(&model).run(0.1, &FixedPoint::default())?;
    /// assert!((b.log_z() - model.log_z()?).abs() > 1e-3);
    /// assert!(matches!(BeliefPropagation::new(&model).run(f64::NAN, &FixedPoint::default()), Err(Error::NonFinite { .. })));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn run(&self, u0: f64, fp: &FixedPoint) -> Result<Bethe> {
        if !u0.is_finite() {
            return Err(Error::NonFinite {
                what: "メッセージの初期値 u0",
                index: 0,
            });
        }
        self.run_from(&Array1::from_elem(2 * self.edges.len(), u0), fp)
    }

    /// メッセージの初期値 `u`（長さ = 辺の数の 2 倍）から (7.10) を解く。
    ///
    /// # Errors
    ///
    /// 長さが合わない・非有限: [`Error::DimensionMismatch`]・[`Error::NonFinite`]。仕事が大きすぎる: [`Error::TooLarge`]（[`BeliefPropagation::run`] と同じ）。
    /// 収束しない: [`Error::NotConverged`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::Ising, ndarray::array, variational::{FixedPoint, bp::BeliefPropagation}};
    ///
    /// let bp = BeliefPropagation::new(&Ising::new(array![0.0, 0.0], array![0.8])?);
    /// assert!(bp.run_from(&array![0.1], &FixedPoint::default()).is_err());
    /// assert!(bp.run_from(&array![0.1, -0.1], &FixedPoint::default()).is_ok());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn run_from<'a>(&self, u: impl AsArray<'a, f64, Ix1>, fp: &FixedPoint) -> Result<Bethe> {
        let u: ArrayView1<'a, f64> = u.into();
        ensure_len(2 * self.edges.len(), u.len())?;
        crate::error::ensure_finite("メッセージ u", u.iter().copied())?;
        // どの不動点も |u| ≤ |J| を満たす（artanh(tanh J · tanh H) の大きさは |J| 以下）ので、初期値をその範囲に切る。
        // 大きすぎる初期値から場の和があふれて NaN になるのを防ぐ
        let u = Array1::from_shape_fn(u.len(), |i| {
            let j = self.edges[i / 2].2.abs();
            u[i].clamp(-j, j)
        });
        let work = (u.len() + self.n) as u64;
        let (u, iterations, _) = fp.iterate(u.to_owned(), work, |u| self.update(u))?;
        self.fixed_point(u, iterations)
    }

    /// 全スピンの場 `H_k = h_k + Σ_{l∈∂k} u_{l→k}`。
    fn total_fields(&self, u: &Array1<f64>) -> Array1<f64> {
        Array1::from_shape_fn(self.n, |k| {
            self.h[k] + self.incoming[k].iter().map(|&i| u[i]).sum::<f64>()
        })
    }

    /// メッセージ `i` の送り手の空洞場 `H_{送り手∖受け手} = H_送り手 − u_{受け手→送り手}`。
    fn cavity(&self, fields: &Array1<f64>, u: &Array1<f64>, i: usize) -> f64 {
        let (a, b, _) = self.edges[i / 2];
        let sender = if i % 2 == 0 { a } else { b };
        fields[sender] - u[i ^ 1]
    }

    /// (7.10) の右辺。
    fn update(&self, u: &Array1<f64>) -> Array1<f64> {
        let fields = self.total_fields(u);
        Array1::from_shape_fn(u.len(), |i| {
            cavity_bias(self.edges[i / 2].2, self.cavity(&fields, u, i))
        })
    }

    fn fixed_point(&self, u: Array1<f64>, iterations: usize) -> Result<Bethe> {
        let fields = self.total_fields(&u);
        let m = fields.mapv(f64::tanh);
        let mut corr = Array1::zeros(self.edges.len());
        let mut log_z = 0.0;
        for (e, &(_, _, j)) in self.edges.iter().enumerate() {
            let (ca, cb) = (
                self.cavity(&fields, &u, 2 * e),
                self.cavity(&fields, &u, 2 * e + 1),
            );
            // 辺の 2 スピンの 4 状態の重み w = J x_a x_b + c_a x_a + c_b x_b の log-sum-exp で求める。
            // Σ e^w = 4 cosh J cosh c_a cosh c_b (1 + t t_a t_b) なので、(7.12) と (7.13) の辺の項
            // ln cosh J + ln(1 + t t_a t_b) + ln cosh c_a + ln cosh c_b = LSE(w) − ln 4。
            // t t_a t_b が −1 に近い（強くフラストレートした辺）ときの 1 + t t_a t_b の打ち消しを避ける。
            let w = [j + ca + cb, -j + ca - cb, -j - ca + cb, j - ca - cb];
            let top = w.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let p = w.map(|v| (v - top).exp());
            let total: f64 = p.iter().sum();
            corr[e] = (p[0] - p[1] - p[2] + p[3]) / total;
            log_z += top + total.ln() - 2.0 * std::f64::consts::LN_2;
        }
        for k in 0..self.n {
            let d = self.incoming[k].len() as f64;
            log_z += std::f64::consts::LN_2 + ln_cosh(fields[k]) - d * ln_cosh(fields[k]);
        }
        let log_z = finite_scalar("Bethe の ln Z", log_z)?;
        if m.iter().chain(corr.iter()).any(|v| !v.is_finite()) {
            return Err(Error::Overflow {
                what: "確率伝搬法の磁化",
            });
        }
        Ok(Bethe {
            messages: u,
            m,
            edge_correlations: corr,
            log_z,
            iterations,
        })
    }
}
