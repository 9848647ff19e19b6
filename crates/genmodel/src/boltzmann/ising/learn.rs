//! KL 情報量 (2.27) を `θ` の関数として持つ目的関数 [`KlObjective`] と、その勾配 (2.28)–(2.29)、
//! ヘッセ行列 (2.40a)、勾配法による学習 (2.30)、曲率の上界 (2.44a)（§2.5–2.6）。

use super::data::{check_spin_data, data_entropy, data_statistics};
use super::model::{Ising, n_params};
use crate::error::{Error, Result};
use crate::linalg::SymmetricMatrix;
use crate::optim::{self, Iterate, StepSize, StopRule, Trace};
use ndarray::{Array1, ArrayView1, AsArray, Ix2};

/// 式 (2.27) の KL 情報量 `D(p0 ‖ q_θ)` を、`θ` の関数として持つ目的関数。
///
/// `p0` はデータの経験分布（[`KlObjective::from_data`]）か、別の Ising モデル
/// （[`KlObjective::from_model`]、「真のパラメータを学習で取り戻す」検証に使う）。
/// `p0` について要るのは `φ̄ = Σ_x p0(x) φ(x)` とエントロピー `H(p0)` だけである。
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
        })
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

    /// 式 (2.27): `D(p0 ‖ q_θ) = −H(p0) − θ·φ̄ + ln Z_θ`。
    ///
    /// # Errors
    ///
    /// スピン数が違えば [`Error::DimensionMismatch`]。ほかは [`Ising::exact`] と同じ
    /// （スピンが多すぎれば [`Error::TooManySpins`]、`Σ|θ| > MAX_ENUMERATION_L1` なら [`Error::InvalidParameter`]）。
    /// 値は常に有限である（`|θ·φ̄| ≤ Σ|θ|`、`ln Z ≤ N ln 2 + Σ|θ|`）。
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

    /// 式 (2.28)–(2.29): `∂D/∂h_k = ⟨x_k⟩_θ − φ̄_k`、`∂D/∂J_kl = ⟨x_k x_l⟩_θ − φ̄_kl`。
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
        let value = -self.entropy - dot + m.log_z();
        let grad = m
            .statistics()
            .iter()
            .zip(self.target.iter())
            .map(|(model_mean, data_mean)| model_mean - data_mean)
            .collect();
        Ok((value, grad))
    }

    /// `θ` についてのヘッセ行列 `∇∇ᵀ D = Cov_θ(φ)`（式 (2.40a)）。
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
        model.statistics_covariance()
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

    /// 勾配法 (2.30) を [`optim::minimize`] で繰り返し、学習したモデルと履歴を返す。
    ///
    /// 学習率が [`global_curvature_bound`] から決まる `η ≤ 1/M` なら、KL は単調に減る（§2.6）。
    ///
    /// # Errors
    ///
    /// [`optim::minimize`] と [`KlObjective::value`] のエラー。
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
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn learn(
        &self,
        init: &Ising,
        step: &StepSize,
        stop: StopRule,
        observer: &mut dyn FnMut(&Iterate),
    ) -> Result<(Ising, Trace)> {
        self.check(init)?;
        let n = self.n;
        let trace = optim::minimize(
            |theta: ArrayView1<'_, f64>| self.value_and_gradient(&Ising::from_params(n, theta)?),
            &init.params(),
            step,
            stop,
            observer,
        )?;
        Ok((Ising::from_params(n, &trace.theta)?, trace))
    }
}

/// KL 情報量 (2.27) のヘッセ行列の最大固有値の、`θ` によらない上界 `M = N(N+1)/2`（式 (2.44a)）。
///
/// 任意の単位ベクトル `a` で `aᵀ Cov_θ(φ) a = Var(a·φ) ≤ ⟨(a·φ)²⟩ ≤ (Σ_i |a_i|)² ≤ M`
/// （`|φ_i| = 1` とコーシー・シュワルツの不等式）。したがって `η = 1/M` は、どの `θ` からの
/// 1 歩でも式 (2.44) の条件を満たす。
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
