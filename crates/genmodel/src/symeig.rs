//! 小さな実対称行列の固有値分解（巡回 Jacobi 法）。
//!
//! §2.6 の式 (2.40)–(2.44) で、ヘッセ行列 `H(f)` を直交行列 `P` で対角化し
//! （式 (2.42)）、最大固有値 `max_k λ_k` から学習率の上限を決める（式 (2.44)）のに使う。
//! Ising モデルのヘッセ行列は十分統計量の共分散で、大きさは高々 100 程度なので、
//! 単純で検証しやすい Jacobi 法で足りる。

use crate::error::{Error, Result, ensure_finite};
use crate::prec::SYMMETRY_TOLERANCE;

/// 1 回の掃引で全ての非対角成分を 1 度ずつ消す。Jacobi 法は 2 次収束するので、
/// 倍精度では 10 回前後で収束する。止まらない入力でも必ず終わるための上限。
const MAX_SWEEPS: usize = 64;

/// 検査済みの実対称行列（行優先で全成分を持つ）。
///
/// # Examples
///
/// ```
/// use genmodel::symeig::SymmetricMatrix;
///
/// // [[2, 1], [1, 2]] の固有値は 1 と 3
/// let a = SymmetricMatrix::new(2, vec![2.0, 1.0, 1.0, 2.0])?;
/// let ev = a.eigenvalues();
/// assert!((ev[0] - 1.0).abs() < 1e-14 && (ev[1] - 3.0).abs() < 1e-14);
/// assert!(SymmetricMatrix::new(2, vec![2.0, 1.0, 0.0, 2.0]).is_err());
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricMatrix {
    n: usize,
    a: Vec<f64>,
}

/// 固有値分解 `Pᵀ A P = Λ`（式 (2.42)）の結果。
///
/// # Examples
///
/// ```
/// use genmodel::symeig::SymmetricMatrix;
///
/// let e = SymmetricMatrix::new(2, vec![0.0, 1.0, 1.0, 0.0])?.eigen();
/// assert!((e.values[0] + 1.0).abs() < 1e-14 && (e.values[1] - 1.0).abs() < 1e-14);
/// // 列 1 は固有値 1 の固有ベクトル (1, 1)/√2（符号は問わない）
/// assert!((e.vector(1)[0].abs() - 0.5f64.sqrt()).abs() < 1e-14);
/// # Ok::<(), genmodel::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Eigen {
    /// 固有値 `λ_1 ≤ … ≤ λ_n`（昇順）。
    pub values: Vec<f64>,
    /// 直交行列 `P`（行優先）。`k` 列目が `λ_k` の単位固有ベクトル。
    pub vectors: Vec<f64>,
}

impl Eigen {
    /// `k` 番目（0 始まり、昇順）の固有ベクトル、すなわち `P` の `k` 列目。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// let e = SymmetricMatrix::new(2, vec![3.0, 0.0, 0.0, 1.0])?.eigen();
    /// assert_eq!(e.values, vec![1.0, 3.0]);
    /// assert_eq!(e.vector(0), vec![0.0, 1.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn vector(&self, k: usize) -> Vec<f64> {
        let n = self.values.len();
        (0..n).map(|i| self.vectors[i * n + k]).collect()
    }
}

impl SymmetricMatrix {
    /// `n × n` の行列（行優先）を検査して包む。
    ///
    /// # Errors
    ///
    /// - `n == 0`: [`Error::EmptyInput`]
    /// - 長さが `n²` でない: [`Error::DimensionMismatch`]
    /// - NaN・±∞: [`Error::NonFinite`]
    /// - `|A_ij − A_ji|` が成分の最大絶対値の `1e-10` 倍を超える: [`Error::NotSymmetric`]
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::{symeig::SymmetricMatrix, Error};
    ///
    /// assert!(SymmetricMatrix::new(1, vec![5.0]).is_ok());
    /// assert_eq!(
    ///     SymmetricMatrix::new(2, vec![1.0; 3]),
    ///     Err(Error::DimensionMismatch { expected: 4, actual: 3 })
    /// );
    /// ```
    pub fn new(n: usize, a: Vec<f64>) -> Result<Self> {
        if n == 0 {
            return Err(Error::EmptyInput);
        }
        if a.len() != n * n {
            return Err(Error::DimensionMismatch {
                expected: n * n,
                actual: a.len(),
            });
        }
        ensure_finite("行列", &a)?;
        let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let mut max_asymmetry = 0.0f64;
        for i in 0..n {
            for j in i + 1..n {
                max_asymmetry = max_asymmetry.max((a[i * n + j] - a[j * n + i]).abs());
            }
        }
        if max_asymmetry > SYMMETRY_TOLERANCE * scale {
            return Err(Error::NotSymmetric { max_asymmetry });
        }
        // 丸めによる僅かな非対称は平均で消す
        let mut a = a;
        for i in 0..n {
            for j in i + 1..n {
                let m = 0.5 * (a[i * n + j] + a[j * n + i]);
                a[i * n + j] = m;
                a[j * n + i] = m;
            }
        }
        Ok(Self { n, a })
    }

    /// 行列の次数 `n`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// assert_eq!(SymmetricMatrix::new(1, vec![0.0])?.dim(), 1);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.n
    }

    /// 成分 `A_ij`。範囲外なら `None`。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// let a = SymmetricMatrix::new(2, vec![1.0, 2.0, 2.0, 3.0])?;
    /// assert_eq!(a.get(1, 0), Some(2.0));
    /// assert_eq!(a.get(2, 0), None);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.n && j < self.n).then(|| self.a[i * self.n + j])
    }

    /// 行優先の全成分。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// assert_eq!(SymmetricMatrix::new(1, vec![4.0])?.as_slice(), &[4.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn as_slice(&self) -> &[f64] {
        &self.a
    }

    /// 2 次形式 `aᵀ A a`（式 (2.41) の左辺の形）。
    ///
    /// # Errors
    ///
    /// `a` の長さが `n` でなければ [`Error::DimensionMismatch`]。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// let a = SymmetricMatrix::new(2, vec![2.0, 1.0, 1.0, 2.0])?;
    /// assert_eq!(a.quadratic_form(&[1.0, -1.0])?, 2.0);
    /// assert!(a.quadratic_form(&[1.0]).is_err());
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn quadratic_form(&self, v: &[f64]) -> Result<f64> {
        if v.len() != self.n {
            return Err(Error::DimensionMismatch {
                expected: self.n,
                actual: v.len(),
            });
        }
        let n = self.n;
        Ok((0..n)
            .map(|i| v[i] * (0..n).map(|j| self.a[i * n + j] * v[j]).sum::<f64>())
            .sum())
    }

    /// 固有値と直交行列 `P`（式 (2.42)）を巡回 Jacobi 法で求める。
    ///
    /// 各回転 `A ← Jᵀ A J` は `(p, q)` 成分をちょうど 0 にする直交変換で、
    /// 非対角成分の 2 乗和を単調に減らす。掃引は高々 64 回で必ず終わる。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// let a = SymmetricMatrix::new(2, vec![2.0, 1.0, 1.0, 2.0])?;
    /// let e = a.eigen();
    /// // A p = λ p
    /// let p = e.vector(1);
    /// let ap = [2.0 * p[0] + p[1], p[0] + 2.0 * p[1]];
    /// assert!((ap[0] - 3.0 * p[0]).abs() < 1e-14 && (ap[1] - 3.0 * p[1]).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigen(&self) -> Eigen {
        let n = self.n;
        let mut a = self.a.clone();
        let mut v = vec![0.0; n * n];
        for i in 0..n {
            v[i * n + i] = 1.0;
        }
        let fro2: f64 = a.iter().map(|x| x * x).sum();
        for _ in 0..MAX_SWEEPS {
            let off2: f64 = (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .map(|(i, j)| a[i * n + j] * a[i * n + j])
                .sum();
            if off2 <= (f64::EPSILON * f64::EPSILON * 1e-4) * fro2 || off2 == 0.0 {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    let apq = a[p * n + q];
                    if apq == 0.0 {
                        continue;
                    }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                    let t = if theta.abs() > 1e150 {
                        0.5 / theta
                    } else {
                        theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                    };
                    let c = 1.0 / (t * t + 1.0).sqrt();
                    let s = t * c;
                    for k in 0..n {
                        if k != p && k != q {
                            let akp = a[k * n + p];
                            let akq = a[k * n + q];
                            let np = c * akp - s * akq;
                            let nq = s * akp + c * akq;
                            a[k * n + p] = np;
                            a[p * n + k] = np;
                            a[k * n + q] = nq;
                            a[q * n + k] = nq;
                        }
                    }
                    a[p * n + p] -= t * apq;
                    a[q * n + q] += t * apq;
                    a[p * n + q] = 0.0;
                    a[q * n + p] = 0.0;
                    for k in 0..n {
                        let vkp = v[k * n + p];
                        let vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| a[i * n + i].total_cmp(&a[j * n + j]));
        let values = order.iter().map(|&i| a[i * n + i]).collect();
        let mut vectors = vec![0.0; n * n];
        for (new, &old) in order.iter().enumerate() {
            for k in 0..n {
                vectors[k * n + new] = v[k * n + old];
            }
        }
        Eigen { values, vectors }
    }

    /// 固有値 `λ_1 ≤ … ≤ λ_n`（昇順）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// let ev = SymmetricMatrix::new(3, vec![1.0, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, 5.0])?.eigenvalues();
    /// assert_eq!(ev, vec![-2.0, 1.0, 5.0]);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn eigenvalues(&self) -> Vec<f64> {
        self.eigen().values
    }

    /// 最大固有値 `max_k λ_k`（式 (2.44) の分母）。
    ///
    /// # Examples
    ///
    /// ```
    /// use genmodel::symeig::SymmetricMatrix;
    ///
    /// // 全成分 1 の 3×3 行列の固有値は 0, 0, 3
    /// let a = SymmetricMatrix::new(3, vec![1.0; 9])?;
    /// assert!((a.max_eigenvalue() - 3.0).abs() < 1e-14);
    /// # Ok::<(), genmodel::Error>(())
    /// ```
    pub fn max_eigenvalue(&self) -> f64 {
        *self.eigen().values.last().expect("n ≥ 1")
    }
}
