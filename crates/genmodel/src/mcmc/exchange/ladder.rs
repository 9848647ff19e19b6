//! 逆温度の梯子: 検査（[`check_ladder`]）、等比の梯子、厳密な交換の受理率を隣どうしでそろえた梯子。

use crate::boltzmann::lattice::density::{ExactDensity, check_beta};
use crate::error::{Error, Result};

/// レプリカ（温度）の数の上限 1024。
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::exchange::{geometric_ladder, MAX_REPLICAS}, Error};
///
/// assert!(geometric_ladder(0.1, 1.0, MAX_REPLICAS).is_ok());
/// assert!(matches!(geometric_ladder(0.1, 1.0, MAX_REPLICAS + 1), Err(Error::TooLarge { .. })));
/// ```
pub const MAX_REPLICAS: usize = 1024;

/// 逆温度の梯子が、長さ `2 ≤ M ≤ MAX_REPLICAS` で、有限・正・狭義の増加であることを確かめる。
///
/// # Errors
///
/// `M < 2` なら [`Error::InvalidParameter`]、`M > MAX_REPLICAS` なら [`Error::TooLarge`]、
/// 有限でなければ [`Error::NonFinite`]（`index` は位置）、`β ≤ 0` か増加でなければ [`Error::InvalidParameter`]。
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::exchange::check_ladder, Error};
///
/// assert!(check_ladder(&[0.2, 0.5, 1.0]).is_ok());
/// assert!(matches!(check_ladder(&[0.5]), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(check_ladder(&[0.5, 0.5]), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(check_ladder(&[1.0, 0.5]), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(check_ladder(&[0.0, 0.5]), Err(Error::InvalidParameter { .. })));
/// assert_eq!(check_ladder(&[0.1, f64::INFINITY]), Err(Error::NonFinite { what: "逆温度 β", index: 1 }));
/// ```
pub fn check_ladder(betas: &[f64]) -> Result<()> {
    if betas.len() < 2 {
        return Err(Error::InvalidParameter {
            name: "レプリカの数 M",
            value: betas.len() as f64,
            requirement: "2 以上",
        });
    }
    check_replicas(betas.len())?;
    for (index, &b) in betas.iter().enumerate() {
        if !b.is_finite() {
            return Err(Error::NonFinite {
                what: "逆温度 β",
                index,
            });
        }
        check_beta(b)?;
    }
    if let Some(w) = betas.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Error::InvalidParameter {
            name: "逆温度の梯子の β",
            value: w[1],
            requirement: "狭義の増加 β_1 < β_2 < … < β_M",
        });
    }
    Ok(())
}

fn check_replicas(n: usize) -> Result<()> {
    if n > MAX_REPLICAS {
        return Err(Error::TooLarge {
            what: "レプリカの数 M",
            requested: n,
            max: MAX_REPLICAS,
        });
    }
    if n < 2 {
        return Err(Error::InvalidParameter {
            name: "レプリカの数 M",
            value: n as f64,
            requirement: "2 以上",
        });
    }
    Ok(())
}

/// 等比の梯子 `β_m = β_min (β_max/β_min)^{(m−1)/(M−1)}`（両端はちょうど `β_min`、`β_max`）。
///
/// 比熱が一定の系では隣どうしの受理率がそろう（受理率は `Δβ/β ·√C` で決まる）。
///
/// # Errors
///
/// `M < 2` や `β_min ≥ β_max`、`β ≤ 0` なら [`Error::InvalidParameter`]、`M > MAX_REPLICAS` なら [`Error::TooLarge`]、
/// 有限でなければ [`Error::NonFinite`]。丸めで隣が等しくなる（`β_max/β_min` が 1 に近すぎる）ときも [`Error::InvalidParameter`]。
/// 比 `β_max/β_min` が `f64` であふれる端（`1e-320` と `1e-10` など）でも、対数の等間隔として梯子を作る。
///
/// # Examples
///
/// ```
/// use genmodel::{mcmc::exchange::geometric_ladder, Error};
///
/// let b = geometric_ladder(0.25, 1.0, 3)?;
/// assert_eq!(b, vec![0.25, 0.5, 1.0]);
/// assert!(matches!(geometric_ladder(1.0, 0.25, 3), Err(Error::InvalidParameter { .. })));
/// assert!(matches!(geometric_ladder(0.25, 1.0, 1), Err(Error::InvalidParameter { .. })));
/// # Ok::<(), Error>(())
/// ```
pub fn geometric_ladder(beta_min: f64, beta_max: f64, n: usize) -> Result<Vec<f64>> {
    check_ladder(&[beta_min, beta_max])?;
    check_replicas(n)?;
    let ratio = beta_max / beta_min;
    let last = (n - 1) as f64;
    let (ln_min, ln_max) = (beta_min.ln(), beta_max.ln());
    let mut betas: Vec<f64> = (0..n)
        .map(|m| {
            let t = m as f64 / last;
            if ratio.is_finite() {
                beta_min * ratio.powf(t)
            } else {
                (ln_min + t * (ln_max - ln_min)).exp()
            }
        })
        .collect();
    betas[0] = beta_min;
    betas[n - 1] = beta_max;
    check_ladder(&betas)?;
    Ok(betas)
}

/// 厳密な交換の受理率 [`ExactDensity::swap_acceptance`] が隣どうしでほぼ等しい梯子（両端は `β_min`、`β_max`、`M` 個）。
///
/// 共通の受理率 `a` を二分法で求める: `β_1 = β_min` から `A(β_m, β_{m+1}) = a` となる `β_{m+1}` を二分法で
/// 次々に求め（`A` は `β_{m+1}` について単調に減る）、`M − 1` 歩で `β_max` に届く最大の `a` をとる。
/// これは隣どうしの受理率の最小値を最大にする梯子で、最後の対の受理率だけは `a` より大きくなりうる。
/// 離散的なエネルギーでは `β_b → ∞` で `A(β_a, β_b) → p_a(E_0)`（熱い側が基底状態にいる確率）と 0 にならないので、
/// 低温側の最後の間隔は広くなることがある（5 × 4 の `±J` スピングラスでは `β = 1.04` の次が `β_max = 2.5`）。
///
/// # Errors
///
/// [`geometric_ladder`] と同じ。
///
/// # Examples
///
/// ```
/// use genmodel::{boltzmann::lattice::density::ExactDensity, mcmc::exchange::acceptance_ladder};
///
/// let g = ExactDensity::transfer_matrix(6)?;
/// let b = acceptance_ladder(&g, 0.2, 0.8, 6)?;
/// assert_eq!((b.len(), b[0], b[5]), (6, 0.2, 0.8));
/// let a: Vec<f64> = b.windows(2).map(|w| g.swap_acceptance(w[0], w[1])).collect::<Result<_, _>>()?;
/// assert!(a.iter().all(|&x| (x - a[0]).abs() < 1e-9));
/// # Ok::<(), genmodel::Error>(())
/// ```
pub fn acceptance_ladder(
    density: &ExactDensity,
    beta_min: f64,
    beta_max: f64,
    n: usize,
) -> Result<Vec<f64>> {
    check_ladder(&[beta_min, beta_max])?;
    check_replicas(n)?;
    let reaches = |ladder: &[f64]| ladder.last() == Some(&beta_max);
    let (mut lo, mut hi) = (density.swap_acceptance(beta_min, beta_max)?, 1.0);
    for _ in 0..100 {
        if hi - lo <= 1e-13 {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if reaches(&walk(density, beta_min, beta_max, n, mid)?) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mut ladder = walk(density, beta_min, beta_max, n, lo)?;
    // 退化して早く届いたときは、比の最も大きい間を等比に分けて M 個にする
    while ladder.len() < n {
        let i = (0..ladder.len() - 1)
            .max_by(|&i, &j| (ladder[i + 1] / ladder[i]).total_cmp(&(ladder[j + 1] / ladder[j])))
            .unwrap_or(0);
        // a b があふれる・正規化数の範囲から落ちるときは √a · √b（√(a b) が ∞ や 0 になり、有限の端の梯子を断ってしまう）
        let (a, b) = (ladder[i], ladder[i + 1]);
        let mid = if (a * b).is_normal() {
            (a * b).sqrt()
        } else {
            a.sqrt() * b.sqrt()
        };
        ladder.insert(i + 1, mid);
    }
    check_ladder(&ladder)?;
    Ok(ladder)
}

/// 受理率 `a` で `β_min` から高々 `n` 個の梯子を作る（`β_max` に届けば止める）。
fn walk(
    density: &ExactDensity,
    beta_min: f64,
    beta_max: f64,
    n: usize,
    a: f64,
) -> Result<Vec<f64>> {
    let mut ladder = vec![beta_min];
    while ladder.len() < n {
        let b = ladder[ladder.len() - 1];
        if density.swap_acceptance(b, beta_max)? >= a {
            ladder.push(beta_max);
            break;
        }
        let (mut lo, mut hi) = (b, beta_max);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if density.swap_acceptance(b, mid)? >= a {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if lo <= b {
            break; // 1 歩も進めない: a が 1 に近すぎる
        }
        ladder.push(lo);
    }
    Ok(ladder)
}
