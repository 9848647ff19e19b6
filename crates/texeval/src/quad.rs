//! 数値積分: 区間を等分した Gauss–Legendre（10 点）の複合則。分割を倍にして差が
//! 許容誤差 max(abs, rel·|I|) 以下になるまで続ける。無限区間は変数変換
//! x = t/(1−t²)（ℝ）、x = a + t/(1−t)（[a, ∞)）で有限区間にする。

use crate::error::EvalError;
use crate::eval::Numerics;
use std::sync::OnceLock;

fn nodes() -> &'static (Vec<f64>, Vec<f64>) {
    static N: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    N.get_or_init(|| gauss_legendre(10))
}

/// n 点 Gauss–Legendre の点と重み（[-1, 1]）。Newton 法で Legendre 多項式の零点を求める。
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut x, mut w) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut pp = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                p1 = ((2 * j + 1) as f64 * z * p2 - j as f64 * p3) / (j + 1) as f64;
            }
            pp = n as f64 * (z * p1 - p2) / (z * z - 1.0);
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() < 1e-15 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * pp * pp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

type F<'a> = dyn FnMut(f64) -> Result<f64, EvalError> + 'a;

fn composite(f: &mut F<'_>, a: f64, b: f64, panels: usize) -> Result<f64, EvalError> {
    let (x, w) = nodes();
    let h = (b - a) / panels as f64;
    let mut s = 0.0;
    for p in 0..panels {
        let mid = a + (p as f64 + 0.5) * h;
        for (xi, wi) in x.iter().zip(w) {
            s += wi * f(mid + 0.5 * h * xi)?;
        }
    }
    Ok(s * 0.5 * h)
}

/// ∫ₐᵇ f(x) dx。a, b は ±∞ でもよい。
pub fn integrate(f: &mut F<'_>, a: f64, b: f64, num: &Numerics) -> Result<f64, EvalError> {
    if a.is_nan() || b.is_nan() {
        return Err(EvalError::Domain("積分の端が NaN".into()));
    }
    // 同じ端（∫_{+∞}^{+∞} も）なら 0。以下の場合分けは a < b を仮定する
    if a == b {
        return Ok(0.0);
    }
    if a > b {
        return Ok(-integrate(f, b, a, num)?);
    }
    let mut g: Box<F<'_>> = match (a.is_finite(), b.is_finite()) {
        (true, true) => Box::new(&mut *f),
        (false, false) => Box::new(|t: f64| {
            let d = 1.0 - t * t;
            Ok(f(t / d)? * (1.0 + t * t) / (d * d))
        }),
        (true, false) => Box::new(|t: f64| Ok(f(a + t / (1.0 - t))? / ((1.0 - t) * (1.0 - t)))),
        (false, true) => Box::new(|t: f64| Ok(f(b - t / (1.0 - t))? / ((1.0 - t) * (1.0 - t)))),
    };
    let (lo, hi) = match (a.is_finite(), b.is_finite()) {
        (true, true) => (a, b),
        (false, false) => (-1.0, 1.0),
        _ => (0.0, 1.0),
    };
    let mut n = 4;
    let mut prev = composite(&mut *g, lo, hi, n)?;
    loop {
        n *= 2;
        let cur = composite(&mut *g, lo, hi, n)?;
        if !cur.is_finite() {
            return Err(EvalError::Quadrature(format!("値が有限でない: {cur}")));
        }
        let err = (cur - prev).abs();
        if err <= num.quad_abs.max(num.quad_rel * cur.abs()) {
            return Ok(cur);
        }
        if n >= num.max_panels {
            return Err(EvalError::Quadrature(format!(
                "分割 {n} で推定誤差 {err:.3e}（値 {cur}）"
            )));
        }
        prev = cur;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_infinite_bounds_give_zero_not_the_whole_line() {
        let num = Numerics::default();
        let mut f = |x: f64| Ok((-x * x).exp());
        assert_eq!(
            integrate(&mut f, f64::INFINITY, f64::INFINITY, &num).unwrap(),
            0.0
        );
        assert_eq!(
            integrate(&mut f, f64::NEG_INFINITY, f64::NEG_INFINITY, &num).unwrap(),
            0.0
        );
        let whole = integrate(&mut f, f64::NEG_INFINITY, f64::INFINITY, &num).unwrap();
        assert!((whole - std::f64::consts::PI.sqrt()).abs() < 1e-10);
        let reversed = integrate(&mut f, f64::INFINITY, f64::NEG_INFINITY, &num).unwrap();
        assert!((reversed + whole).abs() < 1e-12);
    }
}
