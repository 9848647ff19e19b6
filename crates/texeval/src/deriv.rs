//! 微分（中心差分）。`\partial f/\partial v` は v の束縛を ±h 動かして f を評価し直す。
//!
//! 動かす相手:
//! - v の名前（`\mu`、`\vec{\mu}`、`\sigma^2` など）が束縛されていれば、その束縛
//!   （ベクトル・行列なら成分ごとに動かし、勾配を同じ形で返す）。
//! - `h_k`・`J_{kl}` で、名前そのものの束縛がなければ、`h`・`J` の成分。
//! - `\sigma^2`・`\Sigma^{-1}` で名前の束縛がなければ、`\sigma`・`\Sigma` を通して動かす
//!   （σ = s^{1/2}、Σ = (S)^{-1}）。
//! - 成分の冪 `\sigma_j^2` と対数 `\ln \sigma_j^2` は、中の変数（`\sigma` の成分 j）を逆関数を通して動かす
//!   （σ_j = s^{1/2}、σ_j² = e^{t}）。
//! - `W_l`・`\vec{u}_l` で、名前 `W` が族か関数（添字が引数: 層 l の量）に束縛されていれば、その要素の値を
//!   記号のキー（`W_{l}`）の局所束縛として動かす。式の中で同じ書き方（`W_l`）で読む所だけが動く。

use crate::ast::{Expr, Func};
use crate::env::Binding;
use crate::error::EvalError;
use crate::eval::Ctx;
use crate::value::{self, Value};

enum Target {
    Whole(String, Value),
    Element(String, Value, usize),
    Root(String, f64, Value),
    /// 中の変数 `inner` を成分ごとの写像 y = g(x) で読み替えたもの（y を動かすと x = g⁻¹(y) が動く）。
    Mapped(Box<Target>, Map),
}

/// 成分ごとの写像 g。
#[derive(Clone, Copy)]
enum Map {
    /// g(x) = x^p。
    Pow(f64),
    /// g(x) = ln x。
    Ln,
}

impl Map {
    fn forward(self, x: f64) -> f64 {
        match self {
            Map::Pow(p) => x.powf(p),
            Map::Ln => x.ln(),
        }
    }

    fn inverse(self, y: f64) -> f64 {
        match self {
            Map::Pow(p) => y.powf(1.0 / p),
            Map::Ln => y.exp(),
        }
    }
}

impl Target {
    fn current(&self) -> Value {
        match self {
            Target::Whole(_, v) | Target::Root(_, _, v) => v.clone(),
            Target::Element(_, v, i) => Value::Scalar(v.components()[*i]),
            Target::Mapped(inner, g) => inner.current().map(|x| g.forward(x)),
        }
    }

    /// 変数の成分 j を x にしたときの、局所束縛（キー, 値）。
    fn set(&self, j: usize, x: f64) -> Result<(String, Value), EvalError> {
        match self {
            Target::Mapped(inner, g) => {
                let y = g.inverse(x);
                if !y.is_finite() {
                    return Err(EvalError::Domain(format!(
                        "微分の変数を戻せない（{x} から {y}）"
                    )));
                }
                inner.set(j, y)
            }
            Target::Whole(k, v) => {
                let mut c = v.components();
                c[j] = x;
                Ok((k.clone(), v.with_components(&c)))
            }
            Target::Element(k, v, i) => {
                let mut c = v.components();
                c[*i] = x;
                Ok((k.clone(), v.with_components(&c)))
            }
            Target::Root(k, p, cur) => {
                let mut c = cur.components();
                c[j] = x;
                let w = cur.with_components(&c);
                let base = match (&w, *p) {
                    (Value::Scalar(s), p) if *s >= 0.0 || p.fract() == 0.0 => {
                        Value::Scalar(s.powf(1.0 / p))
                    }
                    (Value::Matrix(m), -1.0) => Value::Matrix(value::inverse(m)?),
                    _ => return Err(EvalError::Unsupported(format!("`{k}` の {p} 乗根で動かす"))),
                };
                Ok((k.clone(), base))
            }
        }
    }
}

impl Ctx<'_> {
    fn target(&mut self, var: &Expr) -> Result<Target, EvalError> {
        if let Some(v) = self.resolve_key(&var.to_string())? {
            return Ok(Target::Whole(var.to_string(), v));
        }
        match var {
            Expr::Sym(s) => {
                let Some(sub) = &s.sub else {
                    return Err(EvalError::Unbound(s.key.clone()));
                };
                // 族や、添字を引数にとる関数（層 l の `W_l`）の要素: 記号のキーの局所束縛で動かす
                let indexed = self.env.families.contains_key(&s.name)
                    || matches!(
                        self.env.vars.get(&s.name),
                        Some(Binding::Func(_) | Binding::LatexFunc(..))
                    );
                if indexed {
                    let v = self.eval(var)?;
                    return Ok(Target::Whole(s.key.clone(), v));
                }
                let (key, base) = match self.resolve_key(&s.name)? {
                    Some(b) => (s.name.clone(), b),
                    None => {
                        let k = format!("\\vec{{{}}}", s.name);
                        match self.resolve_vec_of_letter(&s.name)? {
                            Some(b) => (k, b),
                            None => return Err(EvalError::Unbound(s.key.clone())),
                        }
                    }
                };
                let idx = match &base {
                    Value::Vector(a) | Value::Row(a) => self.index1(sub, a.len())?,
                    Value::Matrix(m) => {
                        let (r, c) = self.index_pair(sub, m.nrows(), m.ncols())?;
                        r * m.ncols() + c
                    }
                    other => {
                        return Err(EvalError::Index(format!("{} の成分で微分", other.shape())));
                    }
                };
                Ok(Target::Element(key, base, idx))
            }
            Expr::Pow(b, e) => {
                let Expr::Sym(s) = &**b else {
                    return Err(EvalError::Unsupported(format!("`{var}` で微分")));
                };
                let p = self.eval(e)?.as_scalar()?;
                let Some(base) = self.resolve_key(&s.key)? else {
                    // `\sigma_j^2`: 成分 σ_j を s^{1/p} として動かす
                    if s.sub.is_some() && p != 0.0 {
                        let inner = self.target(b)?;
                        return Ok(Target::Mapped(Box::new(inner), Map::Pow(p)));
                    }
                    return Err(EvalError::Unbound(s.key.clone()));
                };
                let cur = value::pow(&base, &Value::Scalar(p))?;
                Ok(Target::Root(s.key.clone(), p, cur))
            }
            // `\ln \sigma_j^2`: 中の変数を e^{t} として動かす
            Expr::Func(Func::Ln, inner) => {
                let t = self.target(inner)?;
                if t.current().components().iter().any(|x| *x <= 0.0) {
                    return Err(EvalError::Domain(format!("`{var}` の中が正でない")));
                }
                Ok(Target::Mapped(Box::new(t), Map::Ln))
            }
            _ => Err(EvalError::Unsupported(format!("`{var}` で微分"))),
        }
    }

    /// 行列の添字 `kl` の位置（番号を成分に持つ行列を引いて求める）。
    fn index_pair(&mut self, sub: &Expr, r: usize, c: usize) -> Result<(usize, usize), EvalError> {
        let probe = Value::Matrix(ndarray::Array2::from_shape_fn((r, c), |(i, j)| {
            (i * c + j) as f64
        }));
        let x = self.index_value(&probe, sub)?.as_scalar()? as usize;
        Ok((x / c, x % c))
    }

    pub(crate) fn eval_deriv(&mut self, f: &Expr, vars: &[Expr]) -> Result<Value, EvalError> {
        let step = if vars.len() > 1 {
            self.num.fd_step2
        } else {
            self.num.fd_step
        };
        self.deriv_rec(f, vars, step)
    }

    fn deriv_rec(&mut self, f: &Expr, vars: &[Expr], step: f64) -> Result<Value, EvalError> {
        let Some((last, rest)) = vars.split_last() else {
            return self.eval(f);
        };
        let t = self.target(last)?;
        let cur = t.current();
        let comps = cur.components();
        let mut ds = Vec::with_capacity(comps.len());
        for (j, &x) in comps.iter().enumerate() {
            let h = step * x.abs().max(1.0);
            let (k, up) = t.set(j, x + h)?;
            let fp = self.with_local(&k, up, |cx| cx.deriv_rec(f, rest, step))?;
            let (k, down) = t.set(j, x - h)?;
            let fm = self.with_local(&k, down, |cx| cx.deriv_rec(f, rest, step))?;
            ds.push(value::add(&fp, &fm, -1.0)?.map(|y| y / (2.0 * h)));
        }
        if comps.len() == 1 && matches!(cur, Value::Scalar(_)) {
            return Ok(ds.remove(0));
        }
        let c = ds
            .iter()
            .map(|d| d.as_scalar())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(cur.with_components(&c))
    }

    /// `\nabla f(x)` と `(\nabla\nabla^\T) f(x)`: 関数 f の第 1 引数についての勾配・ヘッセ行列。
    pub(crate) fn eval_grad(&mut self, hessian: bool, target: &Expr) -> Result<Value, EvalError> {
        // `\nabla \ln f(x)` は ln f の勾配（スコア）。
        let (log, inner) = match target {
            Expr::Func(Func::Ln, a) => (true, &**a),
            other => (false, other),
        };
        let Expr::Apply(head, args, _) = inner else {
            return Err(EvalError::Unsupported(format!("`\\nabla {target}`")));
        };
        let key = match &**head {
            Expr::Sym(s) => s.key.clone(),
            other => other.to_string(),
        };
        let mut vals = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>, _>>()?;
        let x0 = vals
            .first()
            .cloned()
            .ok_or_else(|| EvalError::Unsupported("引数がない".into()))?;
        let c0 = x0.components();
        let n = c0.len();
        let mut call = |cx: &mut Self, c: &[f64]| -> Result<f64, EvalError> {
            vals[0] = x0.with_components(c);
            let v = cx
                .call_key(&key, &vals)?
                .ok_or_else(|| EvalError::Unbound(format!("関数 `{key}`")))?
                .as_scalar()?;
            Ok(if log { v.ln() } else { v })
        };
        if !hessian {
            let mut g = vec![0.0; n];
            for (j, gj) in g.iter_mut().enumerate() {
                let h = self.num.fd_step * c0[j].abs().max(1.0);
                let mut c = c0.clone();
                c[j] = c0[j] + h;
                let fp = call(self, &c)?;
                c[j] = c0[j] - h;
                let fm = call(self, &c)?;
                *gj = (fp - fm) / (2.0 * h);
            }
            return Ok(Value::from(g));
        }
        let mut hm = ndarray::Array2::zeros((n, n));
        for i in 0..n {
            for j in 0..n {
                let hi = self.num.fd_step2 * c0[i].abs().max(1.0);
                let hj = self.num.fd_step2 * c0[j].abs().max(1.0);
                let mut s = 0.0;
                for (si, sj, w) in [
                    (1.0, 1.0, 1.0),
                    (1.0, -1.0, -1.0),
                    (-1.0, 1.0, -1.0),
                    (-1.0, -1.0, 1.0),
                ] {
                    let mut c = c0.clone();
                    c[i] += si * hi;
                    c[j] += sj * hj;
                    s += w * call(self, &c)?;
                }
                hm[[i, j]] = s / (4.0 * hi * hj);
            }
        }
        Ok(Value::Matrix(hm))
    }
}
