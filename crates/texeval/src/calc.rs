//! 大型演算子（Σ・Π・max・min・arg min）、積分、微分（中心差分）、勾配、期待値。

use crate::ast::{visit_symbols, BigOp, Chain, Expr, MulKind, Rel};
use crate::env::{Binding, Distribution, Weights};
use crate::error::EvalError;
use crate::eval::{same_point, Ctx};
use crate::quad::integrate;
use crate::value::{self, Value};

type Assign = Vec<(String, Value)>;

/// `\sum_{t=a}^{\infty}` を打ち切る規則: 項の絶対値が [`SERIES_TAIL`] 回続けて和の `ε` 倍を下回ったら止める。
/// 上限 [`SERIES_MAX_TERMS`] 項で止まらなければ誤り（収束の遅い級数を黙って打ち切らない）。
const SERIES_TAIL: usize = 16;
/// 無限和の項の数の上限。
const SERIES_MAX_TERMS: usize = 1_000_000;

fn int_range(lo: f64, hi: f64) -> Result<Vec<Value>, EvalError> {
    if lo.fract() != 0.0 || hi.fract() != 0.0 {
        return Err(EvalError::Index(format!("範囲 {lo}..{hi} が整数でない")));
    }
    if hi - lo > 1e6 {
        return Err(EvalError::Index("範囲が大きすぎる".into()));
    }
    let mut v = Vec::new();
    let mut i = lo;
    while i <= hi {
        v.push(Value::Scalar(i));
        i += 1.0;
    }
    Ok(v)
}

fn sym_keys(e: &Expr) -> Result<Vec<String>, EvalError> {
    match e {
        Expr::Sym(s) => Ok(vec![s.key.clone()]),
        Expr::Tuple(v) => v
            .iter()
            .map(sym_keys)
            .map(|r| r.map(|mut k| k.remove(0)))
            .collect(),
        _ => Err(EvalError::Unsupported(format!(
            "束縛変数 `{e}` が記号でない"
        ))),
    }
}

fn product(vars: &[(String, Vec<Value>)]) -> Vec<Assign> {
    let mut out: Vec<Assign> = vec![Vec::new()];
    for (k, dom) in vars {
        let mut next = Vec::with_capacity(out.len() * dom.len());
        for a in &out {
            for v in dom {
                let mut b = a.clone();
                b.push((k.clone(), v.clone()));
                next.push(b);
            }
        }
        out = next;
    }
    out
}

impl Ctx<'_> {
    fn with_assign<T>(
        &mut self,
        a: &Assign,
        f: impl FnOnce(&mut Self) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        let n = self.locals.len();
        self.locals.extend(a.iter().cloned());
        let r = f(self);
        self.locals.truncate(n);
        r
    }

    /// 束縛変数の動く範囲: 宣言されたもの、なければ本体の添字 `w_i`・`J_{kl}` から推す。
    fn domain_of(&mut self, key: &str, body: &Expr) -> Result<Option<Vec<Value>>, EvalError> {
        if let Some(d) = self.env.domains.get(key) {
            return Ok(Some(d.clone()));
        }
        let mut syms = Vec::new();
        visit_symbols(body, &mut syms);
        for s in syms {
            let Some(sub) = &s.sub else { continue };
            let is_var = |e: &Expr| matches!(e, Expr::Sym(v) if v.key == key);
            let direct = is_var(sub);
            let pair = match &**sub {
                Expr::Mul(a, b, MulKind::Implicit) => is_var(a) || is_var(b),
                Expr::Tuple(v) => v.iter().any(is_var),
                _ => false,
            };
            if !direct && !pair {
                continue;
            }
            let len = if let Some(f) = self.env.families.get(&s.name) {
                Some(f.len())
            } else {
                let v = match self.resolve_key(&s.name)? {
                    Some(v) => Some(v),
                    None => self.resolve_vec_of_letter(&s.name)?,
                };
                match v {
                    Some(Value::Vector(a) | Value::Row(a)) if direct => Some(a.len()),
                    Some(Value::Matrix(m)) if pair => Some(m.nrows()),
                    Some(Value::Tuple(t)) if direct => Some(t.len()),
                    _ => None,
                }
            };
            if let Some(n) = len {
                return int_range(1.0, n as f64).map(Some);
            }
        }
        Ok(None)
    }

    /// 集合の値（`\{-1, 1\}^N` は N 次元ベクトルの全体）。
    fn eval_set(&mut self, e: &Expr) -> Result<Vec<Value>, EvalError> {
        match e {
            Expr::Set(items) => items.iter().map(|x| self.eval(x)).collect(),
            Expr::Pow(s, n) if matches!(**s, Expr::Set(_)) => {
                let base = self.eval_set(s)?;
                let n = self.eval(n)?.as_scalar()?;
                if n.fract() != 0.0 || !(0.0..=20.0).contains(&n) {
                    return Err(EvalError::Domain(format!("集合の冪 {n}")));
                }
                let mut out = vec![Vec::new()];
                for _ in 0..n as usize {
                    out = out
                        .into_iter()
                        .flat_map(|p: Vec<f64>| {
                            base.iter().map(move |b| {
                                let mut q = p.clone();
                                q.extend(b.components());
                                q
                            })
                        })
                        .collect();
                }
                Ok(out.into_iter().map(Value::from).collect())
            }
            Expr::Sym(s) => self
                .env
                .domains
                .get(&s.key)
                .cloned()
                .ok_or_else(|| EvalError::Unbound(format!("集合 `{}`", s.key))),
            // `\partial l \setminus k` など: 値（添字の並び）の要素
            Expr::Apply(..) | Expr::Pair(..) => Ok(crate::eval::elements(&self.eval(e)?)?
                .into_iter()
                .map(Value::Scalar)
                .collect()),
            _ => Err(EvalError::Unsupported(format!("集合 `{e}`"))),
        }
    }

    /// 条件（`k<l`・`p(\vx) > 0`・`\vx \in S`）が成り立つか。比較は厳密。
    pub(crate) fn cond_holds(&mut self, c: &Chain) -> Result<bool, EvalError> {
        for (i, r) in c.rels.iter().enumerate() {
            if *r == Rel::In {
                let x = self.eval(&c.terms[i])?;
                let set = self.eval_set(&c.terms[i + 1])?;
                if !set.iter().any(|s| same_point(s, &x)) {
                    return Ok(false);
                }
                continue;
            }
            let a = self.eval(&c.terms[i])?.as_scalar()?;
            let b = self.eval(&c.terms[i + 1])?.as_scalar()?;
            let ok = match r {
                Rel::Eq => a == b,
                Rel::Ne => a != b,
                Rel::Lt => a < b,
                Rel::Gt => a > b,
                Rel::Le => a <= b,
                Rel::Ge => a >= b,
                _ => return Err(EvalError::Unsupported(format!("条件の関係 {}", r.latex()))),
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn assignments(
        &mut self,
        sub: Option<&Expr>,
        sup: Option<&Expr>,
        body: &Expr,
    ) -> Result<Vec<Assign>, EvalError> {
        let sub = sub.ok_or_else(|| EvalError::Unsupported("範囲のない大型演算子".into()))?;
        // 条件の組 `k<l,\, J_{kl} \ne 0`: すべての条件の記号を動かし、すべてで絞る
        if let Expr::Tuple(items) = sub {
            let conds: Vec<&Chain> = items
                .iter()
                .filter_map(|x| match x {
                    Expr::Cond(c) => Some(&**c),
                    _ => None,
                })
                .collect();
            if !conds.is_empty() && conds.len() == items.len() {
                return self.filtered(&conds, body);
            }
        }
        if let Expr::Cond(c) = sub {
            if c.rels == [Rel::Eq] {
                let hi = sup.ok_or_else(|| EvalError::Unsupported("上端がない".into()))?;
                let lo = self.eval(&c.terms[1])?.as_scalar()?;
                let hi = self.eval(hi)?.as_scalar()?;
                let dom = int_range(lo, hi)?;
                let vars: Vec<_> = sym_keys(&c.terms[0])?
                    .into_iter()
                    .map(|k| (k, dom.clone()))
                    .collect();
                return Ok(product(&vars));
            }
            if c.rels == [Rel::In] {
                let key = sym_keys(&c.terms[0])?.remove(0);
                let set = self.eval_set(&c.terms[1])?;
                return Ok(set.into_iter().map(|v| vec![(key.clone(), v)]).collect());
            }
            // `k<l`・`p(\vx) > 0`: 範囲の分かる記号を動かし、条件で絞る
            return self.filtered(&[&**c], body);
        }
        let mut vars = Vec::new();
        for k in sym_keys(sub)? {
            let d = self.domain_of(&k, body)?.ok_or_else(|| {
                EvalError::Unbound(format!("`{k}` の動く範囲（domain で宣言する）"))
            })?;
            vars.push((k, d));
        }
        Ok(product(&vars))
    }

    /// 条件の記号のうち範囲の分かるものを動かし、すべての条件が成り立つ組だけを返す。
    fn filtered(&mut self, conds: &[&Chain], body: &Expr) -> Result<Vec<Assign>, EvalError> {
        let mut syms = Vec::new();
        for c in conds {
            c.terms.iter().for_each(|t| visit_symbols(t, &mut syms));
        }
        let mut vars: Vec<(String, Vec<Value>)> = Vec::new();
        for s in syms {
            if vars.iter().any(|(k, _)| *k == s.key) {
                continue;
            }
            // 範囲を宣言せず値に束縛された記号（`\sum_{l \ne k}` の k）は固定し、動かさない
            if !self.env.domains.contains_key(&s.key) && self.resolve_key(&s.key)?.is_some() {
                continue;
            }
            if let Some(d) = self.domain_of(&s.key, body)? {
                vars.push((s.key.clone(), d));
            }
        }
        if vars.is_empty() {
            let names: Vec<String> = conds.iter().map(|c| c.to_string()).collect();
            return Err(EvalError::Unbound(format!(
                "条件 `{}` の動く変数の範囲",
                names.join(", ")
            )));
        }
        let mut out = Vec::new();
        for a in product(&vars) {
            let mut all = true;
            for c in conds {
                if !self.with_assign(&a, |cx| cx.cond_holds(c))? {
                    all = false;
                    break;
                }
            }
            if all {
                out.push(a);
            }
        }
        Ok(out)
    }

    pub(crate) fn eval_big(
        &mut self,
        op: BigOp,
        sub: Option<&Expr>,
        sup: Option<&Expr>,
        body: &Expr,
    ) -> Result<Value, EvalError> {
        if let (None, None, BigOp::Max | BigOp::Min, Expr::Tuple(items)) = (sub, sup, op, body) {
            // `\min(a, b)`・`\max(a, b, …)`: 範囲のない 2 つ以上の引数の最小・最大
            let mut best: Option<f64> = None;
            for e in items {
                let x = self.eval(e)?.as_scalar()?;
                best = Some(match (op, best) {
                    (_, None) => x,
                    (BigOp::Max, Some(b)) => b.max(x),
                    (_, Some(b)) => b.min(x),
                });
            }
            return best
                .map(Value::Scalar)
                .ok_or_else(|| EvalError::Domain("空の max/min".into()));
        }
        if let (BigOp::Sum, Some(Expr::Cond(c)), Some(hi)) = (op, sub, sup) {
            if c.rels == [Rel::Eq]
                && matches!(self.eval(hi)?, Value::Scalar(x) if x == f64::INFINITY)
            {
                let lo = self.eval(&c.terms[1])?.as_scalar()?;
                let key = sym_keys(&c.terms[0])?.remove(0);
                return self.sum_to_infinity(&key, lo, body);
            }
        }
        let assigns = self.assignments(sub, sup, body)?;
        let mut acc: Option<Value> = None;
        let mut best: Option<(f64, &Assign)> = None;
        for a in &assigns {
            let v = self.with_assign(a, |cx| cx.eval(body))?;
            match op {
                BigOp::Sum => {
                    acc = Some(match acc {
                        None => v,
                        Some(s) => value::add(&s, &v, 1.0)?,
                    })
                }
                BigOp::Prod => {
                    acc = Some(match acc {
                        None => v,
                        Some(s) => value::mul(&s, &v, false)?,
                    })
                }
                _ => {
                    let x = v.as_scalar()?;
                    let better = match (op, best) {
                        (_, None) => true,
                        (BigOp::Max | BigOp::ArgMax, Some((b, _))) => x > b,
                        (_, Some((b, _))) => x < b,
                    };
                    if better {
                        best = Some((x, a));
                    }
                }
            }
        }
        match op {
            BigOp::Sum => Ok(acc.unwrap_or(Value::Scalar(0.0))),
            BigOp::Prod => Ok(acc.unwrap_or(Value::Scalar(1.0))),
            _ => {
                let (x, a) = best.ok_or_else(|| EvalError::Domain("空の範囲の max/min".into()))?;
                match op {
                    BigOp::Max | BigOp::Min => Ok(Value::Scalar(x)),
                    _ if a.len() == 1 => Ok(a[0].1.clone()),
                    _ => Ok(Value::Tuple(a.iter().map(|(_, v)| v.clone()).collect())),
                }
            }
        }
    }

    /// 上端が `\infty` の和: 項が十分小さくなるまで足す（幾何級数的に減る級数を想定）。
    fn sum_to_infinity(&mut self, key: &str, lo: f64, body: &Expr) -> Result<Value, EvalError> {
        if lo.fract() != 0.0 {
            return Err(EvalError::Index(format!("和の下端 {lo} が整数でない")));
        }
        let (mut acc, mut small) = (0.0f64, 0usize);
        for i in 0..SERIES_MAX_TERMS {
            let a = vec![(key.to_string(), Value::Scalar(lo + i as f64))];
            let x = self.with_assign(&a, |cx| cx.eval(body))?.as_scalar()?;
            acc += x;
            small = if x.abs() <= f64::EPSILON * acc.abs() {
                small + 1
            } else {
                0
            };
            if small >= SERIES_TAIL {
                return Ok(Value::Scalar(acc));
            }
        }
        Err(EvalError::Domain(format!(
            "無限和が {SERIES_MAX_TERMS} 項で収束しない"
        )))
    }

    /// 積に並んだ因子のうち、`p(x)`（p は測度、x は積分変数）を探し、残りの積とともに返す。
    fn split_measure(&self, body: &Expr, var: &str) -> Option<(Vec<Value>, Vec<f64>, Expr)> {
        let mut factors = Vec::new();
        flatten_mul(body, &mut factors);
        let pos = factors.iter().position(|f| match f {
            Expr::Apply(h, args, _) => {
                matches!(&**h, Expr::Sym(s) if matches!(self.env.vars.get(&s.key), Some(Binding::Measure(..))))
                    && matches!(args.as_slice(), [Expr::Sym(v)] if v.key == var)
            }
            _ => false,
        })?;
        let Expr::Apply(h, _, _) = factors[pos] else {
            return None;
        };
        let Expr::Sym(s) = &**h else { return None };
        let Some(Binding::Measure(p, w)) = self.env.vars.get(&s.key) else {
            return None;
        };
        let rest = factors
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != pos)
            .map(|(_, f)| (*f).clone())
            .reduce(|a, b| Expr::Mul(Box::new(a), Box::new(b), MulKind::Implicit))
            .unwrap_or(Expr::Num(1.0));
        Some((p.clone(), w.clone(), rest))
    }

    pub(crate) fn eval_integral(
        &mut self,
        lo: Option<&Expr>,
        hi: Option<&Expr>,
        var: &Expr,
        body: &Expr,
    ) -> Result<Value, EvalError> {
        let Expr::Sym(v) = var else {
            return Err(EvalError::Unsupported(format!("積分変数 `{var}`")));
        };
        let key = v.key.clone();
        if lo.is_none() && hi.is_none() {
            let rule = self.split_measure(body, &key).or_else(|| {
                let q = self.env.quadratures.get(&key)?;
                Some((q.points.clone(), q.weights.clone(), body.clone()))
            });
            if let Some((points, weights, rest)) = rule {
                let mut acc: Option<Value> = None;
                for (p, w) in points.into_iter().zip(weights) {
                    let y = self
                        .with_local(&key, p, |cx| cx.eval(&rest))?
                        .map(|x| x * w);
                    acc = Some(match acc {
                        None => y,
                        Some(s) => value::add(&s, &y, 1.0)?,
                    });
                }
                return Ok(acc.unwrap_or(Value::Scalar(0.0)));
            }
        }
        let a = match lo {
            Some(e) => self.eval(e)?.as_scalar()?,
            None => f64::NEG_INFINITY,
        };
        let b = match hi {
            Some(e) => self.eval(e)?.as_scalar()?,
            None => f64::INFINITY,
        };
        let dim = match self.resolve_key(&key)? {
            Some(Value::Vector(x)) => x.len(),
            Some(_) => 0,
            None if key.starts_with("\\vec{") => {
                return Err(EvalError::Unsupported(format!(
                    "ベクトル変数 `{key}` の積分: quadrature を宣言するか、次元の分かる値を束縛する"
                )));
            }
            None => 0,
        };
        if dim > 2 {
            return Err(EvalError::Unsupported(format!(
                "{dim} 次元の積分は quadrature を宣言する"
            )));
        }
        let num = self.num;
        let mut point = vec![0.0; dim.max(1)];
        let r = self.integrate_dims(&key, body, dim, 0, &mut point, a, b, &num)?;
        Ok(Value::Scalar(r))
    }

    #[allow(clippy::too_many_arguments)]
    fn integrate_dims(
        &mut self,
        key: &str,
        body: &Expr,
        dim: usize,
        d: usize,
        point: &mut [f64],
        a: f64,
        b: f64,
        num: &crate::eval::Numerics,
    ) -> Result<f64, EvalError> {
        let mut f = |x: f64| -> Result<f64, EvalError> {
            point[d] = x;
            if d + 1 < dim {
                let mut p = point.to_vec();
                return self.integrate_dims(key, body, dim, d + 1, &mut p, a, b, num);
            }
            let val = if dim == 0 {
                Value::Scalar(x)
            } else {
                Value::from(point.to_vec())
            };
            let y = self.with_local(key, val, |cx| cx.eval(body))?.as_scalar()?;
            if y.is_nan() {
                return Err(EvalError::Domain(format!(
                    "被積分関数が NaN（{key} = {x}）"
                )));
            }
            Ok(y)
        };
        integrate(&mut f, a, b, num)
    }

    pub(crate) fn eval_expect(
        &mut self,
        node: &Expr,
        body: &Expr,
        sub: Option<&Expr>,
    ) -> Result<Value, EvalError> {
        if let Some(v) = self.resolve_key(&node.to_string())? {
            return Ok(v);
        }
        if let Some(items) = sub.and_then(|s| self.tuple_of_distributions(s)) {
            return self.eval_expect_nested(body, &items);
        }
        let k = sub.map(|s| s.to_string()).unwrap_or_default();
        let dist = self
            .env
            .distributions
            .get(&k)
            .or_else(|| self.env.distributions.get(""))
            .cloned()
            .ok_or_else(|| EvalError::Unbound(format!("期待値の分布 `{k}`")))?;
        self.expect_over(&dist, |cx| cx.eval(body))
    }
}

impl Ctx<'_> {
    /// 添字が `E_{t, \vx_0, \vec{\varepsilon}}` のような組で、組としては宣言がなく、各要素に分布が
    /// 宣言されていれば、その要素のキーの並び（期待値は要素ごとの分布についての入れ子の期待値）。
    pub(crate) fn tuple_of_distributions(&self, sub: &Expr) -> Option<Vec<String>> {
        let Expr::Tuple(items) = sub else {
            return None;
        };
        if self.env.distributions.contains_key(&sub.to_string()) {
            return None;
        }
        let keys: Vec<String> = items.iter().map(ToString::to_string).collect();
        keys.iter()
            .all(|k| self.env.distributions.contains_key(k))
            .then_some(keys)
    }

    /// 組の添字の期待値: 先頭の要素の分布について、残りの要素の期待値の期待値をとる。
    fn eval_expect_nested(&mut self, body: &Expr, keys: &[String]) -> Result<Value, EvalError> {
        let Some((first, rest)) = keys.split_first() else {
            return self.eval(body);
        };
        let dist = self.env.distributions[first].clone();
        self.expect_over(&dist, |cx| cx.eval_expect_nested(body, rest))
    }

    /// 分布 `dist` についての `f`（状態を局所に束縛して評価する）の期待値。重みは正規化する。
    fn expect_over(
        &mut self,
        dist: &Distribution,
        mut f: impl FnMut(&mut Self) -> Result<Value, EvalError>,
    ) -> Result<Value, EvalError> {
        let w = match &dist.weights {
            Weights::Fixed(w) => w.clone(),
            Weights::Formula(e) => dist
                .states
                .iter()
                .map(|s| self.with_local(&dist.var, s.clone(), |cx| cx.eval(e)?.as_scalar()))
                .collect::<Result<Vec<_>, _>>()?,
        };
        let total: f64 = w.iter().sum();
        if total.is_nan() || total <= 0.0 || w.len() != dist.states.len() {
            return Err(EvalError::Domain(
                "分布の重みが正でない、または数が合わない".into(),
            ));
        }
        let mut acc: Option<Value> = None;
        for (s, wi) in dist.states.iter().zip(&w) {
            let y = self
                .with_local(&dist.var, s.clone(), &mut f)?
                .map(|x| x * wi / total);
            acc = Some(match acc {
                None => y,
                Some(a) => value::add(&a, &y, 1.0)?,
            });
        }
        Ok(acc.unwrap_or(Value::Scalar(0.0)))
    }
}

fn flatten_mul<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Mul(a, b, MulKind::Implicit) => {
            flatten_mul(a, out);
            flatten_mul(b, out);
        }
        other => out.push(other),
    }
}
