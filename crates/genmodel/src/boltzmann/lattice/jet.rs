//! 2 階までの前進型自動微分（2 階の双対数）。[`super::kaufman`] の中だけで使う。
//!
//! [`Jet`] は、結合 `K` の関数 `f` の値と 1・2 階微分の組 `(f, f', f'')` である。和・積・商と
//! 初等関数を連鎖律で組の上に広げておくと、`ln Z(K)` を値として計算する式をそのまま書くだけで、
//! `d ln Z/dK` と `d² ln Z/dK²` が丸め誤差の範囲で厳密に求まる（差分の打ち切り誤差はない）。

use std::ops::{Add, Mul, Neg, Sub};

/// 関数の値と 1・2 階微分の組 `(f, f', f'')`。
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Jet {
    /// 値 `f`。
    pub(super) v: f64,
    /// 1 階微分 `f'`。
    pub(super) d1: f64,
    /// 2 階微分 `f''`。
    pub(super) d2: f64,
}

impl Jet {
    /// 定数（微分は 0）。
    pub(super) const fn constant(v: f64) -> Self {
        Self {
            v,
            d1: 0.0,
            d2: 0.0,
        }
    }

    /// 微分する変数そのもの `x`（`x' = 1`、`x'' = 0`）。
    pub(super) const fn variable(x: f64) -> Self {
        Self {
            v: x,
            d1: 1.0,
            d2: 0.0,
        }
    }

    /// 値 `g(f)` と `g'(f)`、`g''(f)` から合成関数 `g ∘ f` の組を作る（連鎖律）。
    fn chain(self, g: f64, g1: f64, g2: f64) -> Self {
        Self {
            v: g,
            d1: g1 * self.d1,
            d2: g1 * self.d2 + g2 * self.d1 * self.d1,
        }
    }

    /// `exp f`。値が 0 にアンダーフローしたら微分も 0 とする
    /// （微分は `exp f` × 多項式なので、`exp f = 0` と `∞` の積で NaN を作らないため）。
    pub(super) fn exp(self) -> Self {
        let e = self.v.exp();
        if e == 0.0 {
            return Self::constant(0.0);
        }
        self.chain(e, e, e)
    }

    /// `exp f − 1`（`f` が 0 に近くても桁落ちしない）。`exp f` がアンダーフローしたら微分は 0。
    pub(super) fn exp_m1(self) -> Self {
        let e = self.v.exp();
        if e == 0.0 {
            return Self::constant(self.v.exp_m1());
        }
        self.chain(self.v.exp_m1(), e, e)
    }

    /// `ln f`（`f > 0`）。
    pub(super) fn ln(self) -> Self {
        let r = 1.0 / self.v;
        self.chain(self.v.ln(), r, -r * r)
    }

    /// `ln(1 + f)`（`f > −1`。`f` が 0 に近くても桁落ちしない）。
    pub(super) fn ln_1p(self) -> Self {
        let r = 1.0 / (1.0 + self.v);
        self.chain(self.v.ln_1p(), r, -r * r)
    }

    /// `√f`（`f > 0`）。
    pub(super) fn sqrt(self) -> Self {
        let q = self.v.sqrt();
        let g1 = 0.5 / q;
        self.chain(q, g1, -0.5 * g1 / self.v)
    }

    /// `1/f`（`f ≠ 0`）。
    pub(super) fn recip(self) -> Self {
        let r = 1.0 / self.v;
        self.chain(r, -r * r, 2.0 * r * r * r)
    }

    /// `sinh f`。
    pub(super) fn sinh(self) -> Self {
        let (s, c) = (self.v.sinh(), self.v.cosh());
        self.chain(s, c, s)
    }

    /// `cosh f`。
    pub(super) fn cosh(self) -> Self {
        let (s, c) = (self.v.sinh(), self.v.cosh());
        self.chain(c, s, c)
    }

    /// `f²`。
    pub(super) fn square(self) -> Self {
        self * self
    }

    /// `f^n`（`n ≥ 1`）。`exp(n ln f)` を経ないので、`f` が 0 に近くても `1/f` の大きさの中間量が現れない:
    /// `(f^n)' = n f^{n−1} f'`、`(f^n)'' = n f^{n−1} f'' + n(n−1) f^{n−2} f'²`。
    pub(super) fn powi(self, n: i32) -> Self {
        debug_assert!(n >= 1);
        if n == 1 {
            return self;
        }
        let p2 = self.v.powi(n - 2);
        let p1 = p2 * self.v;
        let nf = f64::from(n);
        self.chain(p1 * self.v, nf * p1, nf * (nf - 1.0) * p2)
    }
}

impl Add for Jet {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self {
            v: self.v + o.v,
            d1: self.d1 + o.d1,
            d2: self.d2 + o.d2,
        }
    }
}

impl Sub for Jet {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Self {
            v: self.v - o.v,
            d1: self.d1 - o.d1,
            d2: self.d2 - o.d2,
        }
    }
}

impl Neg for Jet {
    type Output = Self;
    fn neg(self) -> Self {
        Self {
            v: -self.v,
            d1: -self.d1,
            d2: -self.d2,
        }
    }
}

/// 積の微分（ライプニッツ則）: `(fg)'' = f''g + 2f'g' + fg''`。
impl Mul for Jet {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Self {
            v: self.v * o.v,
            d1: self.d1 * o.v + self.v * o.d1,
            d2: self.d2 * o.v + 2.0 * self.d1 * o.d1 + self.v * o.d2,
        }
    }
}

/// 定数倍。
impl Mul<f64> for Jet {
    type Output = Self;
    fn mul(self, c: f64) -> Self {
        Self {
            v: self.v * c,
            d1: self.d1 * c,
            d2: self.d2 * c,
        }
    }
}

/// 定数を足す。
impl Add<f64> for Jet {
    type Output = Self;
    fn add(self, c: f64) -> Self {
        Self {
            v: self.v + c,
            ..self
        }
    }
}

/// 誤差を補う和（Neumaier の方法）を `Jet` の 3 成分それぞれにとる。
///
/// `ln Z` は `2L` 個の項の和で、項の大きさは `L` の程度、和は `L²` の程度になる。素朴な和の丸め誤差は
/// 項の数に比例して溜まるが、この和では項の数によらず `ε · Σ|項|` の数倍に収まる。
#[derive(Debug, Clone, Copy)]
pub(super) struct JetSum {
    sum: [f64; 3],
    comp: [f64; 3],
}

impl JetSum {
    /// 空の和。
    pub(super) const fn new() -> Self {
        Self {
            sum: [0.0; 3],
            comp: [0.0; 3],
        }
    }

    /// `x` を足す。
    pub(super) fn push(&mut self, x: Jet) {
        for (i, xi) in [x.v, x.d1, x.d2].into_iter().enumerate() {
            let t = self.sum[i] + xi;
            self.comp[i] += if self.sum[i].abs() >= xi.abs() {
                (self.sum[i] - t) + xi
            } else {
                (xi - t) + self.sum[i]
            };
            self.sum[i] = t;
        }
    }

    /// 和。
    pub(super) fn total(&self) -> Jet {
        Jet {
            v: self.sum[0] + self.comp[0],
            d1: self.sum[1] + self.comp[1],
            d2: self.sum[2] + self.comp[2],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 閉じた形の微分と比べる: f(K) = ln(1 + sinh(2K)²)·exp(−K)/√K。
    #[test]
    fn chain_rule_matches_closed_form() {
        let k = 0.7;
        let x = Jet::variable(k);
        let f = ((x * 2.0).sinh().square()).ln_1p() * (-x).exp() * x.sqrt().recip();
        let h = 1e-4;
        let g = |k: f64| (1.0 + (2.0 * k).sinh().powi(2)).ln() * (-k).exp() / k.sqrt();
        let d1 = (g(k + h) - g(k - h)) / (2.0 * h);
        let d2 = (g(k + h) - 2.0 * g(k) + g(k - h)) / (h * h);
        assert!((f.v - g(k)).abs() < 1e-15);
        assert!((f.d1 - d1).abs() < 1e-8);
        assert!((f.d2 - d2).abs() < 1e-5);
    }

    #[test]
    fn exp_underflow_gives_zero_derivatives() {
        let x = Jet {
            v: -1e4,
            d1: 1e200,
            d2: 1e300,
        };
        assert_eq!(x.exp(), Jet::constant(0.0));
        assert_eq!(x.exp_m1(), Jet::constant(-1.0));
        let c = Jet::variable(2.0).cosh();
        assert!((c.d1 - 2f64.sinh()).abs() < 1e-15 && (c.d2 - 2f64.cosh()).abs() < 1e-15);
    }
}
