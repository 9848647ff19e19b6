//! 隠れ変数のあるボルツマンマシンの学習（§3.2–3.3）: KL 情報量、勾配、ヘッセ行列、勾配法、
//! 隠れ変数の入れ替えと反転の対称性。

use super::{HiddenIsing, fill_phi, lse};
use crate::boltzmann::ising::{Ising, pair_index};
use crate::error::{Error, Result, ensure_output, finite_scalar};
use crate::optim::{StepSize, StopRule, Trace, minimize};
use ndarray::{Array1, Array2, AsArray, Ix2};

/// ヘッセ行列 [`HiddenIsing::hessian`] が扱うスピン数の上限（`M = 78` 個のパラメータ、`2^12` 状態）。
///
/// # Examples
///
/// ```
/// assert_eq!(genmodel::boltzmann::hidden::learn::MAX_HESSIAN_UNITS, 12);
/// ```
pub const MAX_HESSIAN_UNITS: usize = 12;

/// 1 回の列挙で求めるモーメント。
struct Moments {
    kl: f64,
    free: Array1<f64>,
    clamped: Array1<f64>,
    hessian: Option<Array2<f64>>,
}

impl HiddenIsing {
    /// 列挙 1 回で KL 情報量、自由な期待値 `⟨φ⟩_θ`、データで留めた期待値、（求めれば）ヘッセ行列を求める。
    fn moments(&self, p0: &[f64], with_hessian: bool) -> Result<Moments> {
        let t = self.table();
        let n = self.model.n_spins();
        let m = crate::boltzmann::ising::n_params(n)?;
        let log_z = lse(t.exponent.iter().copied());
        finite_scalar("ln Z", log_z)?;
        let log_row: Vec<f64> = (0..p0.len()).map(|sv| lse(t.row(sv))).collect();
        let mut free = Array1::<f64>::zeros(m);
        let mut clamped = Array1::<f64>::zeros(m);
        let mut hess = with_hessian.then(|| Array2::<f64>::zeros((m, m)));
        let mut per_v = vec![Array1::<f64>::zeros(m); if with_hessian { p0.len() } else { 0 }];
        let mut phi = vec![0.0; m];
        let mask = (1usize << self.n_visible) - 1;
        for (s, &e) in t.exponent.iter().enumerate() {
            fill_phi(s, n, &mut phi);
            let q = (e - log_z).exp();
            let sv = s & mask;
            let r = if p0[sv] > 0.0 {
                p0[sv] * (e - log_row[sv]).exp()
            } else {
                0.0
            };
            for (a, &f) in phi.iter().enumerate() {
                free[a] += q * f;
                clamped[a] += r * f;
            }
            if let Some(h) = hess.as_mut() {
                // Cov_θ − Σ_v p_0(v) Cov_{θ|v}: 2 次の項をここで、平均の積はあとで引く
                for (a, &fa) in phi.iter().enumerate() {
                    for (b, &fb) in phi.iter().enumerate() {
                        h[[a, b]] += (q - r) * fa * fb;
                    }
                }
                if r > 0.0 {
                    for (acc, &f) in per_v[sv].iter_mut().zip(&phi) {
                        *acc += r / p0[sv] * f;
                    }
                }
            }
        }
        if let Some(h) = hess.as_mut() {
            for a in 0..m {
                for b in 0..m {
                    let clamped_means: f64 =
                        per_v.iter().zip(p0).map(|(mv, &p)| p * mv[a] * mv[b]).sum();
                    h[[a, b]] += clamped_means - free[a] * free[b];
                }
            }
        }
        let entropy_term: f64 = p0.iter().filter(|&&p| p > 0.0).map(|&p| p * p.ln()).sum();
        let cross: f64 = p0
            .iter()
            .zip(&log_row)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, l)| p * (l - log_z))
            .sum();
        Ok(Moments {
            kl: finite_scalar("KL 情報量", (entropy_term - cross).max(0.0))?,
            free: ensure_output("自由な期待値", free)?,
            clamped: ensure_output("データで留めた期待値", clamped)?,
            hessian: hess,
        })
    }

    /// 見える変数のデータの経験分布 `p_0` から見た KL 情報量 `D_KL(p_0 ‖ q_θ)`（式 (3.8)、見える変数の分布どうし）。
    ///
    /// # Errors
    ///
    /// データが空・列の数が `N_v` でない・`±1` 以外: [`Error::EmptyInput`]・[`Error::DimensionMismatch`]・
    /// [`Error::InvalidParameter`]。値が `f64` で表せない: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // すべて 0 のパラメータの q(v) は一様: 2 状態に半分ずつのデータなら KL = 0、1 状態だけなら ln 2
    /// let m = HiddenIsing::new(Ising::zeros(2)?, 1)?;
    /// assert!(m.kl(&array![[1], [-1]])?.abs() < 1e-15);
    /// assert!((m.kl(&array![[1], [1]])? - 2f64.ln()).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn kl<'a>(&self, data: impl AsArray<'a, i8, Ix2>) -> Result<f64> {
        let p0 = self.empirical(data)?;
        Ok(self.moments(&p0, false)?.kl)
    }

    /// 自由な期待値 `⟨φ⟩_θ`（同時分布 `q_θ(v, h)` での十分統計量の平均、式 (3.10)）。
    ///
    /// # Errors
    ///
    /// 値が `f64` で表せない: [`Error::Overflow`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // Ising モデルとしての厳密なモーメントと同じ
    /// let ising = Ising::new(array![0.1, -0.2, 0.3], array![0.4, 0.5, -0.6])?;
    /// let m = HiddenIsing::new(ising.clone(), 1)?;
    /// let d = &m.free_statistics()? - &ising.exact()?.statistics();
    /// assert!(d.iter().all(|x| x.abs() < 1e-14));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn free_statistics(&self) -> Result<Array1<f64>> {
        Ok(self.moments(&vec![0.0; 1 << self.n_visible], false)?.free)
    }

    /// データで留めた期待値 `Σ_v p_0(v) Σ_h q_θ(h | v) φ(v, h)`（式 (3.11) の第 2 項）。見える変数はデータに留め、
    /// 隠れ変数だけを事後分布で平均する。
    ///
    /// # Errors
    ///
    /// [`HiddenIsing::kl`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // 見える変数の成分 ⟨v⟩ はデータの平均そのもの（事後分布によらない）
    /// let m = HiddenIsing::new(Ising::new(array![0.1, 0.7], array![-0.5])?, 1)?;
    /// let s = m.clamped_statistics(&array![[1], [1], [-1]])?;
    /// assert!((s[0] - 1.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn clamped_statistics<'a>(&self, data: impl AsArray<'a, i8, Ix2>) -> Result<Array1<f64>> {
        let p0 = self.empirical(data)?;
        Ok(self.moments(&p0, false)?.clamped)
    }

    /// KL 情報量の勾配 `∂D/∂θ = ⟨φ⟩_θ − Σ_v p_0(v) ⟨φ⟩_{θ|v}`（式 (3.11)、自由な期待値 − 留めた期待値）。
    ///
    /// # Errors
    ///
    /// [`HiddenIsing::kl`] と同じ。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // 中心差分と比べる（θ の 1 成分目 = 見える変数の場）
    /// let data = array![[1, 1], [1, -1], [-1, -1]];
    /// let theta = array![0.2, -0.3, 0.5, 0.4, -0.6, 0.1];
    /// let kl = |t: &genmodel::ndarray::Array1<f64>| -> Result<f64, genmodel::Error> {
    ///     HiddenIsing::new(Ising::from_params(3, t)?, 2)?.kl(&data)
    /// };
    /// let g = HiddenIsing::new(Ising::from_params(3, &theta)?, 2)?.gradient(&data)?;
    /// let eps = 1e-6;
    /// let (mut up, mut down) = (theta.clone(), theta.clone());
    /// up[0] += eps;
    /// down[0] -= eps;
    /// assert!((g[0] - (kl(&up)? - kl(&down)?) / (2.0 * eps)).abs() < 1e-8);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn gradient<'a>(&self, data: impl AsArray<'a, i8, Ix2>) -> Result<Array1<f64>> {
        let p0 = self.empirical(data)?;
        let m = self.moments(&p0, false)?;
        Ok(m.free - m.clamped)
    }

    /// KL 情報量のヘッセ行列 `Cov_θ[φ] − Σ_v p_0(v) Cov_{θ|v}[φ]`（式 (3.12)）。
    ///
    /// 2 つの半正定値行列の差なので、正定値とは限らない（隠れ変数がなければ第 2 項は 0 で、
    /// 第 2 章の半正定値のヘッセ行列 (2.40a) に戻る）。
    ///
    /// # Errors
    ///
    /// - `N > MAX_HESSIAN_UNITS`: [`Error::TooManySpins`]
    /// - ほかは [`HiddenIsing::kl`] と同じ
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// // すべて 0 のパラメータで隠れ変数がなければ、ヘッセ行列は単位行列（φ の成分は無相関で分散 1）
    /// let m = HiddenIsing::new(Ising::zeros(2)?, 2)?;
    /// let h = m.hessian(&array![[1, 1], [-1, 1]])?;
    /// assert!((&h - &genmodel::ndarray::Array2::<f64>::eye(3)).iter().all(|x| x.abs() < 1e-15));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn hessian<'a>(&self, data: impl AsArray<'a, i8, Ix2>) -> Result<Array2<f64>> {
        let n = self.model.n_spins();
        if n > MAX_HESSIAN_UNITS {
            return Err(Error::TooManySpins {
                n,
                max: MAX_HESSIAN_UNITS,
            });
        }
        let p0 = self.empirical(data)?;
        let h = self.moments(&p0, true)?.hessian.unwrap_or_default();
        ensure_output("ヘッセ行列", h)
    }

    /// 正則化つきの目的関数 `D_KL(p_0 ‖ q_θ) + (λ/2)‖θ‖²` を、学習率 `eta` の勾配法で最小化する。
    ///
    /// 初期値はこのモデルのパラメータである。`λ > 0` なら目的関数は無限遠で大きくなるので、
    /// 最小点は有限のところにある。隠れ変数があると目的関数は凸でないので、どの停留点に着くかは初期値による。
    ///
    /// # Errors
    ///
    /// - `λ` が負か有限でない: [`Error::InvalidParameter`]
    /// - 学習率・止め方が不正、発散: [`crate::optim::minimize`] と同じ。パラメータが列挙の精度の範囲
    ///   `Σ|θ| ≤ MAX_ENUMERATION_L1 = 1e4`（[`HiddenIsing::new`]）を出たときも、目的関数を `∞` として
    ///   [`Error::Diverged`] を返す
    /// - ほかは [`HiddenIsing::kl`] と同じ
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array, optim::StopRule};
    ///
    /// let data = array![[1, 1], [1, 1], [-1, -1], [1, -1]];
    /// let m = HiddenIsing::new(Ising::zeros(3)?, 2)?;
    /// let stop = StopRule { tolerance: 1e-8, max_iterations: 20_000 };
    /// let (fit, trace) = m.fit(&data, 0.01, 0.5, stop)?;
    /// assert!(trace.converged);
    /// assert!(fit.kl(&data)? < m.kl(&data)?);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn fit<'a>(
        &self,
        data: impl AsArray<'a, i8, Ix2>,
        ridge: f64,
        eta: f64,
        stop: StopRule,
    ) -> Result<(HiddenIsing, Trace)> {
        if !ridge.is_finite() || ridge < 0.0 {
            return Err(Error::InvalidParameter {
                name: "正則化の係数 λ",
                value: ridge,
                requirement: "0 以上の有限の値",
            });
        }
        let p0 = self.empirical(data)?;
        let (n, nv) = (self.model.n_spins(), self.n_visible);
        let objective = |theta: ndarray::ArrayView1<'_, f64>| {
            let moments = Ising::from_params(n, theta)
                .and_then(|ising| HiddenIsing::new(ising, nv))
                .and_then(|model| model.moments(&p0, false));
            match moments {
                Ok(m) => {
                    let value = m.kl + 0.5 * ridge * theta.dot(&theta);
                    Ok((value, m.free - m.clamped + &theta.mapv(|t| ridge * t)))
                }
                // 学習率が大きすぎてパラメータがあふれたか、列挙の精度の範囲 Σ|θ| ≤ 1e4 を出た:
                // 目的関数を ∞ として minimize に発散を報告させる
                Err(Error::Overflow { .. } | Error::InvalidParameter { .. }) => {
                    Ok((f64::INFINITY, Array1::zeros(theta.len())))
                }
                Err(e) => Err(e),
            }
        };
        let trace = minimize(
            objective,
            &self.model.params(),
            &StepSize::Scalar(eta),
            stop,
            &mut |_| {},
        )?;
        let fitted = HiddenIsing::new(Ising::from_params(n, &trace.theta)?, nv)?;
        Ok((fitted, trace))
    }

    /// 隠れ変数の番号を入れ替えたモデル（新しい隠れ変数 `j` は元の隠れ変数 `perm[j]`）。
    /// 見える変数の分布 `q_θ(v)` は変わらない（式 (3.13)）。
    ///
    /// # Errors
    ///
    /// `perm` が `0..N_h` の並べ替えでない: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// let m = HiddenIsing::new(Ising::new(array![0.1, 0.5, -0.3], array![0.9, -0.2, 0.4])?, 1)?;
    /// let p = m.permute_hidden(&[1, 0])?;
    /// assert_ne!(p.model().params(), m.model().params());
    /// let d = &p.log_marginal()? - &m.log_marginal()?;
    /// assert!(d.iter().all(|x| x.abs() < 1e-14));
    /// assert!(m.permute_hidden(&[0, 0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn permute_hidden(&self, perm: &[usize]) -> Result<HiddenIsing> {
        let nh = self.n_hidden();
        let mut seen = vec![false; nh];
        let valid = perm.len() == nh
            && perm
                .iter()
                .all(|&p| p < nh && !std::mem::replace(&mut seen[p], true));
        if !valid {
            return Err(Error::InvalidParameter {
                name: "隠れ変数の並べ替え",
                value: perm.len() as f64,
                requirement: "0..N_h の各番号をちょうど 1 回ずつ含む",
            });
        }
        let nv = self.n_visible;
        let sigma = |k: usize| if k < nv { k } else { nv + perm[k - nv] };
        self.relabel(sigma, |_| 1.0)
    }

    /// 隠れ変数 `j` の符号を反転したモデル（`h_j → −h_j`。その場と、`j` につながる結合の符号が変わる）。
    /// 見える変数の分布 `q_θ(v)` は変わらない（式 (3.13)）。
    ///
    /// # Errors
    ///
    /// `j ≥ N_h`: [`Error::InvalidParameter`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{boltzmann::{hidden::HiddenIsing, Ising}, ndarray::array};
    ///
    /// let m = HiddenIsing::new(Ising::new(array![0.1, 0.5], array![0.9])?, 1)?;
    /// let f = m.flip_hidden(0)?;
    /// assert_eq!(f.model().params(), array![0.1, -0.5, -0.9]);
    /// let d = &f.log_marginal()? - &m.log_marginal()?;
    /// assert!(d.iter().all(|x| x.abs() < 1e-15));
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn flip_hidden(&self, j: usize) -> Result<HiddenIsing> {
        if j >= self.n_hidden() {
            return Err(Error::InvalidParameter {
                name: "隠れ変数の番号",
                value: j as f64,
                requirement: "N_h 未満",
            });
        }
        let flipped = self.n_visible + j;
        self.relabel(|k| k, |k| if k == flipped { -1.0 } else { 1.0 })
    }

    /// スピンの番号を `sigma` で付け替え、スピン `k` に符号 `sign(k)` を掛けたモデル。
    fn relabel(
        &self,
        sigma: impl Fn(usize) -> usize,
        sign: impl Fn(usize) -> f64,
    ) -> Result<HiddenIsing> {
        let n = self.model.n_spins();
        let old = &self.model;
        let h: Array1<f64> = (0..n)
            .map(|k| sign(sigma(k)) * old.fields()[sigma(k)])
            .collect();
        let j: Array1<f64> = crate::boltzmann::ising::pairs(n)
            .map(|(k, l)| {
                let (a, b) = (sigma(k), sigma(l));
                let idx = pair_index(n, a.min(b), a.max(b)).unwrap_or(0);
                sign(a) * sign(b) * old.couplings()[idx]
            })
            .collect();
        HiddenIsing::new(Ising::new(h, j)?, self.n_visible)
    }
}
