//! KL 情報量 (2.27) を `θ` の関数として持つ目的関数 [`KlObjective`] と、その勾配 (2.28)–(2.29)、
//! ヘッセ行列 (2.40a)、勾配法による学習 (2.30)、曲率の上界 (2.44a)（§2.5–2.6）。
//! 最適点を有限にする罰則 `λ|θ|²/2` と、学習の結末の判定（[`super::outcome`]）も扱う。

use super::data::{check_spin_data, data_entropy, data_statistics};
use super::model::{Ising, n_params};
use super::outcome::{Fit, Outcome};
use crate::error::{Error, Result, ensure_finite};
use crate::linalg::SymmetricMatrix;
use crate::optim::{self, Iterate, StepSize, StopRule, Trace};
use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix2};

/// 罰則の係数 `λ` の上限。`Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4` なので `λ|θ|²/2 ≤ 1e208` は `f64` に収まる。
const MAX_RIDGE: f64 = 1e200;

/// 式 (2.27) の KL 情報量 `D(p0 ‖ q_θ)` を、`θ` の関数として持つ目的関数。
///
/// `p0` はデータの経験分布（[`KlObjective::from_data`]）か、別の Ising モデル
/// （[`KlObjective::from_model`]、「真のパラメータを学習で取り戻す」検証に使う）。
/// `p0` について要るのは `φ̄ = Σ_x p0(x) φ(x)` とエントロピー `H(p0)` だけである。
/// [`KlObjective::with_ridge`] で罰則 `λ|θ|²/2` を足した目的関数にもできる（既定は `λ = 0`）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
///
/// let data = array![[1, 1], [1, 1], [-1, -1], [1, -1]];
/// let kl = KlObjective::from_data(&data)?;
/// assert!(kl.value(&Ising::zeros(2)?)? > 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KlObjective {
    n: usize,
    target: Array1<f64>,
    entropy: f64,
    ridge: f64,
}

impl KlObjective {
    /// スピンのデータ（1 行 1 配置、値は `±1`）の経験分布 `p0`（式 (1.1)）から作る。
    ///
    /// 連続でないビュー（`data.t()`、`data.slice(s![..;2, ..])`）も添字どおりに読む。
    ///
    /// # Errors
    ///
    /// [`check_spin_data`] と同じ（空、`N > MAX_MODEL_SPINS`、`±1` 以外の値）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::KlObjective, ndarray::{array, Array2}, Error};
    ///
    /// let kl = KlObjective::from_data(&array![[1, -1]])?;
    /// assert_eq!(kl.target(), array![1.0, -1.0, -1.0]);
    /// assert_eq!(KlObjective::from_data(&Array2::<i8>::zeros((0, 3))), Err(Error::EmptyInput));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_data<'a>(data: impl AsArray<'a, i8, Ix2>) -> Result<Self> {
        let data = check_spin_data(data)?;
        Ok(Self {
            n: data.ncols(),
            target: data_statistics(data)?,
            entropy: data_entropy(data)?,
            ridge: 0.0,
        })
    }

    /// `p0` を Ising モデル `q_θ*` そのものにする（`φ̄ = ⟨φ⟩_θ*`、`H = ln Z_θ* − θ*·⟨φ⟩_θ*`）。
    ///
    /// # Errors
    ///
    /// [`Ising::exact`] と同じ（`N > MAX_SPINS` なら [`Error::TooManySpins`]、
    /// `Σ|θ| > MAX_ENUMERATION_L1` なら [`Error::InvalidParameter`]）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// let truth = Ising::new(array![0.1, 0.2], array![-0.3])?;
    /// let kl = KlObjective::from_model(&truth)?;
    /// assert!(kl.value(&truth)?.abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn from_model(model: &Ising) -> Result<Self> {
        let m = model.exact()?;
        let target = m.statistics();
        let dot: f64 = model
            .params()
            .iter()
            .zip(target.iter())
            .map(|(a, b)| a * b)
            .sum();
        Ok(Self {
            n: model.n,
            target,
            entropy: m.log_z() - dot,
            ridge: 0.0,
        })
    }

    /// 罰則 `λ|θ|²/2`（リッジ項。平均 0・分散 `1/λ` の正規分布を事前分布とする MAP 推定）を足した目的関数
    /// `D(p0 ‖ q_θ) + λ|θ|²/2` にする。
    ///
    /// `λ > 0` なら目的関数は強凸（ヘッセ行列 `Cov_θ(φ) + λI ⪰ λI`）で、`|θ|` が大きいと `λ|θ|²/2` が支配するので、
    /// データの平均 `φ̄` が周辺多面体の境界にあっても、最小点が有限の `θ` にただ 1 つある。
    /// 最小点では `⟨φ⟩_θ − φ̄ + λθ = 0` で、モーメントは `λθ` だけずれる。値・勾配・ヘッセ行列・学習は
    /// すべてこの目的関数について計算する。`λ = 0` は罰則なしに戻す。
    ///
    /// # Errors
    ///
    /// NaN・±∞ なら [`Error::NonFinite`]、負か `1e200` を超えれば [`Error::InvalidParameter`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// // ⟨x_1 x_2⟩ = 1 のデータ。罰則 λ = 0.1 の目的関数は θ = 0 で λ|θ|²/2 = 0 だけ増え、勾配は λθ だけ増える
    /// let kl = KlObjective::from_data(&array![[1, 1], [-1, -1]])?;
    /// let ridge = kl.clone().with_ridge(0.1)?;
    /// let q = Ising::new(array![0.0, 0.0], array![2.0])?;
    /// assert!((ridge.value(&q)? - kl.value(&q)? - 0.05 * 4.0).abs() < 1e-15);
    /// assert!((ridge.gradient(&q)?[2] - kl.gradient(&q)?[2] - 0.2).abs() < 1e-15);
    /// assert!(kl.clone().with_ridge(-1.0).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn with_ridge(mut self, lambda: f64) -> Result<Self> {
        ensure_finite("罰則の係数", [lambda])?;
        if !(0.0..=MAX_RIDGE).contains(&lambda) {
            return Err(Error::InvalidParameter {
                name: "罰則の係数",
                value: lambda,
                requirement: "0 以上 1e200 以下の有限値",
            });
        }
        self.ridge = lambda;
        Ok(self)
    }

    /// 罰則の係数 `λ`（[`KlObjective::with_ridge`]、既定は 0）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::KlObjective, ndarray::array};
    ///
    /// let kl = KlObjective::from_data(&array![[1]])?;
    /// assert_eq!(kl.ridge(), 0.0);
    /// assert_eq!(kl.with_ridge(0.5)?.ridge(), 0.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn ridge(&self) -> f64 {
        self.ridge
    }

    /// 目的関数のヘッセ行列の最大固有値の、`θ` によらない上界 `M + λ`（式 (2.44a) に罰則の分を足したもの）。
    ///
    /// 学習率を `η = 1/(M + λ)` とすれば、どの `θ` からの 1 歩でも式 (2.44) の条件を満たす。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::KlObjective, ndarray::array};
    ///
    /// let kl = KlObjective::from_data(&array![[1, 1, 1]])?;
    /// assert_eq!(kl.curvature_bound(), 6.0);
    /// assert_eq!(kl.with_ridge(0.5)?.curvature_bound(), 6.5);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn curvature_bound(&self) -> f64 {
        global_curvature_bound(self.n) + self.ridge
    }

    /// `φ̄`（データ側の平均）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::KlObjective, ndarray::array};
    ///
    /// let kl = KlObjective::from_data(&array![[1], [1], [-1], [1]])?;
    /// assert_eq!(kl.target(), array![0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn target(&self) -> ArrayView1<'_, f64> {
        self.target.view()
    }

    /// データ側のエントロピー `H(p0)`（式 (2.27) の `θ` によらない項の符号を変えたもの）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::KlObjective, ndarray::array};
    ///
    /// // 2 種類の配置が半々: H = ln 2
    /// let kl = KlObjective::from_data(&array![[1, 1], [-1, 1]])?;
    /// assert!((kl.entropy() - 2f64.ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn entropy(&self) -> f64 {
        self.entropy
    }

    /// スピン数 `N`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::KlObjective, ndarray::array};
    ///
    /// assert_eq!(KlObjective::from_data(&array![[1, 1]])?.n_spins(), 2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn n_spins(&self) -> usize {
        self.n
    }

    fn check(&self, model: &Ising) -> Result<()> {
        if model.n == self.n {
            Ok(())
        } else {
            Err(Error::DimensionMismatch {
                expected: self.n,
                actual: model.n,
            })
        }
    }

    /// 式 (2.27): `D(p0 ‖ q_θ) = −H(p0) − θ·φ̄ + ln Z_θ`（罰則があれば `λ|θ|²/2` を足す）。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]。ほかは [`Ising::exact`] と同じ
    /// （スピンが多すぎれば [`Error::TooManySpins`]、`Σ|θ| > MAX_ENUMERATION_L1` なら [`Error::InvalidParameter`]）。
    /// 値は常に有限である（`|θ·φ̄| ≤ Σ|θ|`、`ln Z ≤ N ln 2 + Σ|θ|`、`λ|θ|²/2 ≤ 1e208`）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// // データ 1 個 (+1): p0 = δ、一様な q なら D = ln 2
    /// let kl = KlObjective::from_data(&array![[1]])?;
    /// assert!((kl.value(&Ising::zeros(1)?)? - 2f64.ln()).abs() < 1e-15);
    /// assert!(kl.value(&Ising::zeros(2)?).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn value(&self, model: &Ising) -> Result<f64> {
        Ok(self.value_and_gradient(model)?.0)
    }

    /// 式 (2.28)–(2.29): `∂D/∂h_k = ⟨x_k⟩_θ − φ̄_k`、`∂D/∂J_kl = ⟨x_k x_l⟩_θ − φ̄_kl`（罰則があれば `λθ` を足す）。
    ///
    /// # Errors
    ///
    /// [`KlObjective::value`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// // 一様な q では ⟨x⟩ = 0 なので、勾配はデータの平均の符号を変えたもの
    /// let kl = KlObjective::from_data(&array![[1], [1], [-1], [1]])?;
    /// assert_eq!(kl.gradient(&Ising::zeros(1)?)?, array![-0.5]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn gradient(&self, model: &Ising) -> Result<Array1<f64>> {
        Ok(self.value_and_gradient(model)?.1)
    }

    /// `(D, ∇D)` を 1 回の列挙で求める。
    ///
    /// # Errors
    ///
    /// [`KlObjective::value`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// let kl = KlObjective::from_data(&array![[1, -1]])?;
    /// let (d, g) = kl.value_and_gradient(&Ising::zeros(2)?)?;
    /// assert!((d - 4f64.ln()).abs() < 1e-15);
    /// assert_eq!(g, array![-1.0, 1.0, 1.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn value_and_gradient(&self, model: &Ising) -> Result<(f64, Array1<f64>)> {
        self.check(model)?;
        let m = model.exact()?;
        let theta = model.params();
        let dot: f64 = theta
            .iter()
            .zip(self.target.iter())
            .map(|(a, b)| a * b)
            .sum();
        let mut value = -self.entropy - dot + m.log_z();
        let mut grad: Array1<f64> = m
            .statistics()
            .iter()
            .zip(self.target.iter())
            .map(|(model_mean, data_mean)| model_mean - data_mean)
            .collect();
        if self.ridge > 0.0 {
            value += 0.5 * self.ridge * theta.iter().map(|t| t * t).sum::<f64>();
            grad.zip_mut_with(&theta, |g, t| *g += self.ridge * t);
        }
        Ok((value, grad))
    }

    /// `θ` についてのヘッセ行列 `∇∇ᵀ D = Cov_θ(φ)`（式 (2.40a)。罰則があれば `λI` を足す）。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]。ほかは [`Ising::statistics_covariance`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array};
    ///
    /// // θ = 0 では φ の成分は互いに無相関で分散 1: ヘッセ行列は単位行列
    /// let kl = KlObjective::from_data(&array![[1, 1]])?;
    /// let h = kl.hessian(&Ising::zeros(2)?)?;
    /// assert!((h.max_eigenvalue() - 1.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn hessian(&self, model: &Ising) -> Result<SymmetricMatrix> {
        self.check(model)?;
        let cov = model.statistics_covariance()?;
        if self.ridge > 0.0 {
            let a = cov.matrix();
            SymmetricMatrix::new(Array2::from_shape_fn(a.dim(), |(i, j)| {
                a[[i, j]] + if i == j { self.ridge } else { 0.0 }
            }))
        } else {
            Ok(cov)
        }
    }

    /// 勾配法の 1 歩（式 (2.30) を本書で訂正した形）:
    /// `h'_k = h_k + η_k (φ̄_k − ⟨x_k⟩_θ)`、`J'_kl = J_kl + η_kl (φ̄_kl − ⟨x_k x_l⟩_θ)`。
    ///
    /// # Errors
    ///
    /// 学習率が不正なら [`Error::InvalidParameter`] か [`Error::DimensionMismatch`]。ほかは [`KlObjective::value`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array, optim::StepSize};
    ///
    /// let kl = KlObjective::from_data(&array![[1], [1], [-1], [1]])?;
    /// let q0 = Ising::zeros(1)?;
    /// let q1 = kl.update(&q0, &StepSize::Scalar(0.5))?;
    /// // h' = 0 + 0.5·(0.5 − 0) = 0.25 で、KL は減る
    /// assert_eq!(q1.fields(), array![0.25]);
    /// assert!(kl.value(&q1)? < kl.value(&q0)?);
    /// assert!(kl.update(&q0, &StepSize::Scalar(-1.0)).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn update(&self, model: &Ising, step: &StepSize) -> Result<Ising> {
        let grad = self.gradient(model)?;
        let theta = optim::gradient_step(&model.params(), &grad, step)?;
        Ising::from_params(self.n, &theta)
    }

    /// 勾配法 (2.30) を [`optim::minimize`] で繰り返し、学習したモデル・履歴・結末（[`Outcome`]）を返す。
    ///
    /// 学習率が [`KlObjective::curvature_bound`] から決まる `η ≤ 1/(M + λ)` なら、目的関数は単調に減る（§2.6）。
    /// 勾配の最大成分が許容誤差以下になっても、それだけでは最適点に着いたとは言えない。データの平均 `φ̄` が
    /// 周辺多面体の境界にあると、勾配は 0 に近づくのにパラメータは増え続けるからである。そこで止まった点で
    /// 有限の最適点があることを確かめ（罰則 `λ > 0` か、[`KlObjective::interior_margin`] が正）、確かめられたときだけ
    /// [`Outcome::Converged`] とし、確かめられなければ [`Outcome::OnBoundary`] とする。
    ///
    /// # Errors
    ///
    /// [`optim::minimize`] と [`KlObjective::value`] のエラー。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective, Outcome}, ndarray::array, optim::{StepSize, StopRule}};
    ///
    /// // すべての標本で x_1 = x_2 のデータは境界。罰則 λ = 0.01 をつけると最適点は有限になる
    /// let data = array![[1, 1, 1], [1, 1, -1], [-1, -1, -1], [1, 1, 1]];
    /// let kl = KlObjective::from_data(&data)?.with_ridge(0.01)?;
    /// let eta = StepSize::Scalar(1.0 / kl.curvature_bound());
    /// let stop = StopRule { tolerance: 1e-10, max_iterations: 20_000 };
    /// let fit = kl.fit(&Ising::zeros(3)?, &eta, stop, &mut |_| {})?;
    /// assert_eq!(fit.outcome, Outcome::Converged);
    /// assert!((fit.model.coupling(0, 1).unwrap() - 2.02).abs() < 0.01);
    /// assert!(kl.fit(&Ising::zeros(2)?, &eta, stop, &mut |_| {}).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn fit(
        &self,
        init: &Ising,
        step: &StepSize,
        stop: StopRule,
        observer: &mut dyn FnMut(&Iterate),
    ) -> Result<Fit> {
        self.check(init)?;
        let n = self.n;
        let trace = optim::minimize(
            |theta: ArrayView1<'_, f64>| self.value_and_gradient(&Ising::from_params(n, theta)?),
            &init.params(),
            step,
            stop,
            observer,
        )?;
        let model = Ising::from_params(n, &trace.theta)?;
        let finite_optimum = self.ridge > 0.0 || self.certifies_interior(&model)?;
        let outcome = match (trace.converged, finite_optimum) {
            (true, true) => Outcome::Converged,
            (true, false) => Outcome::OnBoundary,
            (false, finite_optimum) => Outcome::IterationLimit { finite_optimum },
        };
        Ok(Fit {
            model,
            trace,
            outcome,
        })
    }

    /// [`KlObjective::fit`] の結果を、学習したモデルと履歴の組で返す。
    ///
    /// 履歴の `converged` は、結末が [`Outcome::Converged`]（勾配が許容誤差以下で、有限の最適点があることも
    /// 確かめた）のときだけ真にする。勾配が許容誤差を下回っても、データの平均が周辺多面体の境界にあれば偽である。
    ///
    /// # Errors
    ///
    /// [`KlObjective::fit`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::ising::{Ising, KlObjective}, ndarray::array, optim::{StepSize, StopRule}};
    ///
    /// let truth = Ising::new(array![0.3, -0.2], array![0.5])?;
    /// let kl = KlObjective::from_model(&truth)?;
    /// let stop = StopRule { tolerance: 1e-10, max_iterations: 5000 };
    /// // η = 1/M = 1/3（式 (2.44a)）
    /// let (learned, trace) = kl.learn(&Ising::zeros(2)?, &StepSize::Scalar(1.0 / 3.0), stop, &mut |_| {})?;
    /// assert!(trace.converged);
    /// assert!((learned.coupling(0, 1).unwrap() - 0.5).abs() < 1e-8);
    /// // (−1, −1) が現れないデータ: 勾配は小さくなるが、最適点は有限の θ にないので収束ではない
    /// let kl = KlObjective::from_data(&array![[1, 1], [1, -1], [-1, 1]])?;
    /// let loose = StopRule { tolerance: 1e-2, max_iterations: 5000 };
    /// let (_, trace) = kl.learn(&Ising::zeros(2)?, &StepSize::Scalar(1.0 / 3.0), loose, &mut |_| {})?;
    /// assert!(!trace.converged && *trace.grad_norms.last().unwrap() <= 1e-2);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn learn(
        &self,
        init: &Ising,
        step: &StepSize,
        stop: StopRule,
        observer: &mut dyn FnMut(&Iterate),
    ) -> Result<(Ising, Trace)> {
        let Fit {
            model,
            mut trace,
            outcome,
        } = self.fit(init, step, stop, observer)?;
        trace.converged = outcome == Outcome::Converged;
        Ok((model, trace))
    }
}

/// KL 情報量 (2.27) のヘッセ行列の最大固有値の、`θ` によらない上界 `M = N(N+1)/2`（式 (2.44a)）。
///
/// 任意の単位ベクトル `a` で `aᵀ Cov_θ(φ) a = Var(a·φ) ≤ ⟨(a·φ)²⟩ ≤ (Σ_i |a_i|)² ≤ M`
/// （`|φ_i| = 1` とコーシー・シュワルツの不等式）。したがって `η = 1/M` は、どの `θ` からの
/// 1 歩でも式 (2.44) の条件を満たす。`N ≥ 2` ではこの上界は緩く、最良の上界は
/// [`sharp_curvature_bound`] の `⌊(N+1)²/4⌋` である（`N = 1` では両者は等しい）。
///
/// どの `n` でも有限の値を返す: `M` が `usize` に収まれば `M` を `f64` に丸めた値、
/// 収まらなければ（`n > 6 × 10⁹` 程度）`f64` で計算した `n(n+1)/2`（相対誤差 `2ε` 以内、最大でも約 `1.7e38`）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{global_curvature_bound, Ising}, ndarray::array};
///
/// assert_eq!(global_curvature_bound(3), 6.0);
/// let lmax = Ising::new(array![0.5, -0.3, 0.1], array![1.0, -0.7, 0.4])?.statistics_covariance()?.max_eigenvalue();
/// assert!(lmax <= global_curvature_bound(3));
/// assert_eq!(global_curvature_bound(1 << 40), 2f64.powi(79) + 2f64.powi(39));
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn global_curvature_bound(n: usize) -> f64 {
    match n_params(n) {
        Ok(m) => m as f64,
        Err(_) => {
            let x = n as f64;
            0.5 * x * (x + 1.0)
        }
    }
}

/// KL 情報量 (2.27) のヘッセ行列の最大固有値の、`θ` によらない**最良の**上界 `⌊(N+1)²/4⌋`（§2.6）。
///
/// 単位ベクトル `a` について、値域の幅が `w` の量の分散は `w²/4` 以下（Popoviciu の不等式）で、
/// `a·φ(x)` の幅は `max_{x,y} a·(φ(x) − φ(y)) ≤ max_{x,y} |φ(x) − φ(y)|` である。`x` と `y` が `d` 個のスピンで
/// 違うと、`φ` の成分のうち場の `d` 個と結合の `d(N − d)` 個が `±2` だけ違うので
/// `|φ(x) − φ(y)|² = 4d(N + 1 − d)`。したがって `λ_max ≤ max_d d(N + 1 − d) = ⌊(N+1)²/4⌋` である。
/// `N ≥ 2` ではこれは [`global_curvature_bound`] の `M = N(N+1)/2` より小さい。`θ` を
/// `d = ⌊(N+1)/2⌋` 個のスピンで違う 2 つの配置に確率を半分ずつ集める向きに大きくすると `λ_max` はこの値に近づくので、
/// `θ` によらない上界としてはこれ以上よくならない（`N = 1` では `h = 0` で等号）。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::ising::{global_curvature_bound, sharp_curvature_bound, Ising}, ndarray::array};
///
/// assert_eq!(sharp_curvature_bound(1), 1.0);
/// assert_eq!(sharp_curvature_bound(3), 4.0);
/// assert!(sharp_curvature_bound(3) < global_curvature_bound(3));
/// let lmax = Ising::new(array![0.5, -0.3, 0.1], array![1.0, -0.7, 0.4])?.statistics_covariance()?.max_eigenvalue();
/// assert!(lmax <= sharp_curvature_bound(3));
/// assert_eq!(sharp_curvature_bound(0), 0.0);
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn sharp_curvature_bound(n: usize) -> f64 {
    match u64::try_from(n) {
        Ok(k) if k < 1 << 32 => ((u128::from(k) + 1).pow(2) / 4) as f64,
        _ => {
            let x = n as f64 + 1.0;
            0.25 * x * x
        }
    }
}
