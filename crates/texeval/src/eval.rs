//! 式の木の評価。束縛の引き方は `env.rs` の説明のとおり。
//! 大型演算子・積分・微分・期待値は `calc.rs` にある。

use crate::ast::{ArgSep, Expr, MulKind, PairKind, Symbol};
use crate::env::{Binding, Env};
use crate::error::{Error, EvalError};
use crate::parser::parse_expr;
use crate::value::{self, Value};

/// 数値計算の設定（差分の刻み・数値積分の許容誤差）。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Numerics {
    /// 1 階中心差分の相対刻み（誤差は O(h²) と丸め ε/h の釣り合いで 1e-5 前後が最良）。
    pub fd_step: f64,
    /// 2 階以上の差分の相対刻み。
    pub fd_step2: f64,
    /// 数値積分の絶対許容誤差。
    pub quad_abs: f64,
    /// 数値積分の相対許容誤差。
    pub quad_rel: f64,
    /// 数値積分の区間の最大分割数。
    pub max_panels: usize,
}

impl Default for Numerics {
    fn default() -> Self {
        Numerics {
            fd_step: 1e-5,
            fd_step2: 1e-4,
            quad_abs: 1e-11,
            quad_rel: 1e-10,
            max_panels: 512,
        }
    }
}

/// 評価の文脈。束縛と、和の添字・積分変数・差分で動かした母数の局所束縛を持つ。
pub struct Ctx<'e> {
    pub(crate) env: &'e Env,
    pub(crate) locals: Vec<(String, Value)>,
    pub(crate) num: Numerics,
    depth: usize,
}

/// 式を評価する。
pub fn eval(e: &Expr, env: &Env) -> Result<Value, EvalError> {
    Ctx::new(env).eval(e)
}

/// LaTeX（`env` のマクロで展開）を読んで評価する。
pub fn eval_latex(latex: &str, env: &Env) -> Result<Value, Error> {
    let e = parse_expr(latex, env.macros())?;
    Ok(eval(&e, env)?)
}

impl<'e> Ctx<'e> {
    /// 既定の数値設定の文脈。
    pub fn new(env: &'e Env) -> Self {
        Self::with_numerics(env, Numerics::default())
    }

    /// 数値設定つきの文脈。
    pub fn with_numerics(env: &'e Env, num: Numerics) -> Self {
        Ctx {
            env,
            locals: Vec::new(),
            num,
            depth: 0,
        }
    }

    /// 束縛。
    pub fn env(&self) -> &'e Env {
        self.env
    }

    /// LaTeX の名前の値（局所束縛を含む）。
    pub fn get(&mut self, name: &str) -> Result<Value, EvalError> {
        let e = parse_expr(name, self.env.macros())
            .map_err(|err| EvalError::Unbound(format!("{name} ({err})")))?;
        self.eval(&e)
    }

    /// LaTeX の名前のスカラー値。
    pub fn scalar(&mut self, name: &str) -> Result<f64, EvalError> {
        self.get(name)?.as_scalar()
    }

    /// 局所束縛 `key = v` の下で `f` を実行する。
    pub fn with_local<T>(
        &mut self,
        key: &str,
        v: Value,
        f: impl FnOnce(&mut Self) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        self.locals.push((key.to_string(), v));
        let r = f(self);
        self.locals.pop();
        r
    }

    /// キーの値。局所束縛、次に `Env` の値・式を見る。束縛がなければ `None`。
    pub(crate) fn resolve_key(&mut self, key: &str) -> Result<Option<Value>, EvalError> {
        if let Some((_, v)) = self.locals.iter().rev().find(|(k, _)| k == key) {
            return Ok(Some(v.clone()));
        }
        match self.env.vars.get(key) {
            None => Ok(None),
            Some(Binding::Value(v)) => Ok(Some(v.clone())),
            Some(Binding::Formula(e)) => {
                let e = e.clone();
                self.depth += 1;
                if self.depth > 64 {
                    self.depth -= 1;
                    return Err(EvalError::Unsupported(format!(
                        "`{key}` の式が自分を参照する"
                    )));
                }
                let r = self.eval(&e);
                self.depth -= 1;
                r.map(Some)
            }
            Some(_) => Err(EvalError::Unsupported(format!(
                "`{key}` は関数・測度なので値として使えない"
            ))),
        }
    }

    /// 式を評価する。
    pub fn eval(&mut self, e: &Expr) -> Result<Value, EvalError> {
        match e {
            Expr::Num(x) => Ok(Value::Scalar(*x)),
            Expr::Sym(s) => self.eval_sym(s),
            Expr::Neg(a) => Ok(self.eval(a)?.map(|x| -x)),
            Expr::Add(a, b) => value::add(&self.eval(a)?, &self.eval(b)?, 1.0),
            Expr::Sub(a, b) => value::add(&self.eval(a)?, &self.eval(b)?, -1.0),
            Expr::Mul(a, b, MulKind::Odot) => value::hadamard(&self.eval(a)?, &self.eval(b)?),
            Expr::Mul(a, b, k) => value::mul(&self.eval(a)?, &self.eval(b)?, *k == MulKind::Cdot),
            Expr::Div(a, b) => value::div(&self.eval(a)?, &self.eval(b)?),
            Expr::Pow(a, b) => {
                if matches!(**a, Expr::Sym(_)) {
                    if let Some(v) = self.resolve_key(&e.to_string())? {
                        return Ok(v);
                    }
                }
                value::pow(&self.eval(a)?, &self.eval(b)?)
            }
            Expr::Transpose(a) => Ok(self.eval(a)?.transpose()),
            Expr::DataIndex(a, i) => self.eval_data_index(a, i),
            Expr::Subscripted(a, s) => {
                let v = self.eval(a)?;
                self.index_value(&v, s)
            }
            Expr::Func(f, a) => self.eval_func(*f, a),
            Expr::Apply(h, args, sep) => self.eval_apply(e, h, args, *sep),
            Expr::Abs(a) => match self.eval(a)? {
                Value::Scalar(x) => Ok(Value::Scalar(x.abs())),
                Value::Vector(v) | Value::Row(v) => Ok(Value::Scalar(v.dot(&v).sqrt())),
                other => Err(EvalError::Shape {
                    op: "絶対値".into(),
                    left: other.shape(),
                    right: "-".into(),
                }),
            },
            Expr::Big { op, sub, sup, body } => {
                self.eval_big(*op, sub.as_deref(), sup.as_deref(), body)
            }
            Expr::Integral { lo, hi, var, body } => {
                self.eval_integral(lo.as_deref(), hi.as_deref(), var, body)
            }
            Expr::Deriv { f, vars } => self.eval_deriv(f, vars),
            Expr::Grad { hessian, target } => self.eval_grad(*hessian, target),
            Expr::Expect(body, sub) => self.eval_expect(e, body, sub.as_deref()),
            Expr::Tuple(items) => {
                let items = self.expand_ellipsis(items)?;
                let vals = items
                    .iter()
                    .map(|x| self.eval(x))
                    .collect::<Result<_, _>>()?;
                Ok(Value::Tuple(vals))
            }
            Expr::Matrix(rows) => self.eval_matrix(rows),
            Expr::DerivOp(_) | Expr::HessOp => {
                Err(EvalError::Unsupported("微分演算子の後に式がない".into()))
            }
            Expr::Set(_) => Err(EvalError::Unsupported("集合は値にならない".into())),
            Expr::Ellipsis => Err(EvalError::Unsupported("`\\dots` を展開できない".into())),
            Expr::Cond(c) => Err(EvalError::Unsupported(format!("式の中の関係 `{c}`"))),
            Expr::Pair(a, b, PairKind::Setminus) => {
                let from = self.eval(a)?;
                let drop = self.eval(b)?.components();
                let kept: Vec<f64> = elements(&from)?
                    .into_iter()
                    .filter(|x| !drop.contains(x))
                    .collect();
                Ok(Value::from(kept))
            }
            Expr::Pair(_, _, PairKind::To) => {
                Err(EvalError::Unsupported(format!("`{e}` は添字でだけ使える")))
            }
        }
    }

    /// 添字が対 `l \to k`・`l \setminus k` の記号: 両辺を値にした名前（`\hat{h}_{2 \to 3}`）の束縛。
    fn eval_pair_sym(
        &mut self,
        s: &Symbol,
        a: &Expr,
        b: &Expr,
        kind: PairKind,
    ) -> Result<Value, EvalError> {
        let (x, y) = (self.eval(a)?.as_scalar()?, self.eval(b)?.as_scalar()?);
        let pair = Expr::Pair(Box::new(Expr::Num(x)), Box::new(Expr::Num(y)), kind);
        let key = Symbol::new(s.name.clone(), Some(pair)).key;
        self.resolve_key(&key)?.ok_or(EvalError::Unbound(key))
    }

    fn eval_sym(&mut self, s: &Symbol) -> Result<Value, EvalError> {
        if let Some(v) = self.resolve_key(&s.key)? {
            return Ok(v);
        }
        if let Some(sub) = &s.sub {
            if let Expr::Pair(a, b, kind) = &**sub {
                return self.eval_pair_sym(s, a, b, *kind);
            }
            if let Some(fam) = self.env.families.get(&s.name) {
                let i = self.index1(sub, fam.len())?;
                return Ok(fam[i].clone());
            }
            // 関数に束縛した名前の添字は引数（`\gamma_{2r+1}` = γ(2r+1)。0 から始まる列に使う）
            if matches!(self.env.vars.get(&s.name), Some(Binding::Func(_))) {
                let k = self.eval(sub)?;
                if let Some(v) = self.call_key(&s.name, &[k])? {
                    return Ok(v);
                }
            }
            if let Some(v) = self.resolve_key(&s.name)? {
                return self.index_value(&v, sub);
            }
            if let Some(v) = self.resolve_vec_of_letter(&s.name)? {
                return self.index_value(&v, sub);
            }
            return Err(EvalError::Unbound(s.key.clone()));
        }
        match s.name.as_str() {
            "\\pi" => Ok(Value::Scalar(std::f64::consts::PI)),
            "e" => Ok(Value::Scalar(std::f64::consts::E)),
            "\\infty" => Ok(Value::Scalar(f64::INFINITY)),
            "I" => Ok(Value::Identity(1.0)),
            _ => Err(EvalError::Unbound(s.key.clone())),
        }
    }

    /// 1 文字の名前 `x` に対する `\vec{x}` の値。
    pub(crate) fn resolve_vec_of_letter(&mut self, name: &str) -> Result<Option<Value>, EvalError> {
        if name.chars().count() == 1 {
            self.resolve_key(&format!("\\vec{{{name}}}"))
        } else {
            Ok(None)
        }
    }

    /// 1 から数える添字を 0 から数える位置にする。
    pub(crate) fn index1(&mut self, sub: &Expr, len: usize) -> Result<usize, EvalError> {
        let x = self.eval(sub)?.as_scalar()?;
        if x.fract() != 0.0 || x < 1.0 || x > len as f64 {
            return Err(EvalError::Index(format!("`{sub}` = {x} は 1..={len} の外")));
        }
        Ok(x as usize - 1)
    }

    fn index2(&mut self, sub: &Expr, r: usize, c: usize) -> Result<(usize, usize), EvalError> {
        let parts: Vec<Expr> = match sub {
            Expr::Tuple(v) if v.len() == 2 => v.clone(),
            Expr::Mul(a, b, MulKind::Implicit) => vec![(**a).clone(), (**b).clone()],
            Expr::Num(x) if (10.0..100.0).contains(x) && x.fract() == 0.0 => {
                vec![
                    Expr::Num((*x as i64 / 10) as f64),
                    Expr::Num((*x as i64 % 10) as f64),
                ]
            }
            _ => return Err(EvalError::Index(format!("行列の添字 `{sub}` は 2 つ要る"))),
        };
        Ok((self.index1(&parts[0], r)?, self.index1(&parts[1], c)?))
    }

    /// 値に添字を当てる（ベクトル・組は 1 つ、行列は 2 つ）。
    pub(crate) fn index_value(&mut self, v: &Value, sub: &Expr) -> Result<Value, EvalError> {
        match v {
            Value::Vector(a) | Value::Row(a) => {
                let i = self.index1(sub, a.len())?;
                Ok(Value::Scalar(a[i]))
            }
            Value::Tuple(t) => {
                let i = self.index1(sub, t.len())?;
                Ok(t[i].clone())
            }
            Value::Matrix(m) => {
                let (i, j) = self.index2(sub, m.nrows(), m.ncols())?;
                Ok(Value::Scalar(m[[i, j]]))
            }
            other => Err(EvalError::Index(format!(
                "{} に添字 `{sub}`",
                other.shape()
            ))),
        }
    }

    fn eval_data_index(&mut self, a: &Expr, i: &Expr) -> Result<Value, EvalError> {
        let Expr::Sym(s) = a else {
            return Err(EvalError::Unsupported(format!("`{a}` にデータ番号")));
        };
        let names = [s.name.clone(), format!("\\vec{{{}}}", s.name)];
        let fam = names
            .iter()
            .find_map(|n| self.env.families.get(n))
            .ok_or_else(|| EvalError::Unbound(format!("データの族 `{}`", s.name)))?;
        let k = self.index1(i, fam.len())?;
        let item = fam[k].clone();
        match &s.sub {
            Some(sub) => self.index_value(&item, sub),
            None => Ok(item),
        }
    }

    /// 呼べる束縛（関数・LaTeX 関数・測度）なら呼ぶ。呼べなければ `None`。
    pub(crate) fn call_key(
        &mut self,
        key: &str,
        args: &[Value],
    ) -> Result<Option<Value>, EvalError> {
        match self.env.vars.get(key) {
            Some(Binding::Func(f)) => {
                let f = f.clone();
                f(self, args).map(Some)
            }
            Some(Binding::LatexFunc(params, body)) => {
                if params.len() != args.len() {
                    return Err(EvalError::Shape {
                        op: format!("`{key}` の引数"),
                        left: format!("{} 個", params.len()),
                        right: format!("{} 個", args.len()),
                    });
                }
                let (params, body) = (params.clone(), body.clone());
                let n = self.locals.len();
                for (p, a) in params.iter().zip(args) {
                    self.locals.push((p.clone(), a.clone()));
                }
                let r = self.eval(&body);
                self.locals.truncate(n);
                r.map(Some)
            }
            Some(Binding::Measure(points, weights)) => {
                let [x] = args else {
                    return Err(EvalError::Unsupported(format!(
                        "測度 `{key}` の引数は 1 つ"
                    )));
                };
                let m: f64 = points
                    .iter()
                    .zip(weights)
                    .filter(|(p, _)| same_point(p, x))
                    .map(|(_, w)| w)
                    .sum();
                Ok(Some(Value::Scalar(m)))
            }
            _ => Ok(None),
        }
    }

    fn eval_apply(
        &mut self,
        node: &Expr,
        head: &Expr,
        args: &[Expr],
        sep: ArgSep,
    ) -> Result<Value, EvalError> {
        if let Some(v) = self.resolve_key(&node.to_string())? {
            return Ok(v);
        }
        let head_key = match head {
            Expr::Sym(s) => s.key.clone(),
            other => other.to_string(),
        };
        let callable = matches!(
            self.env.vars.get(&head_key),
            Some(Binding::Func(_) | Binding::LatexFunc(..) | Binding::Measure(..))
        );
        if sep == ArgSep::Bracket && !callable {
            // `E_{r}[f(\vz)]`: 分布 r（`distribution` で宣言）についての期待値 `\langle f(\vz) \rangle_r`
            if let (Expr::Sym(s), [body]) = (head, args) {
                if let (true, Some(sub)) = (s.name == "E", &s.sub) {
                    if self.env.distributions.contains_key(&sub.to_string())
                        || self.tuple_of_distributions(sub).is_some()
                    {
                        return self.eval_expect(node, body, Some(sub));
                    }
                }
            }
            // `F[r]`: 汎関数の引数は名札。式全体の名前（`F[r]`）で束縛する（掛け算とは読まない）
            return Err(EvalError::Unbound(node.to_string()));
        }
        if let Expr::Deriv { f, vars } = head {
            if let Expr::Sym(fs) = &**f {
                if matches!(
                    self.env.vars.get(&fs.key),
                    Some(Binding::Func(_) | Binding::LatexFunc(..))
                ) {
                    return self.eval_partial_at(&fs.key, vars, args);
                }
            }
        }
        if sep == ArgSep::Parallel && !callable {
            // `\KL(p \parallel q)`: 引数は分布の名札。名前 `\KL` の値を使う
            return self
                .resolve_key(&head_key)?
                .ok_or_else(|| EvalError::Unbound(head_key.clone()));
        }
        if callable {
            // 引数の並びの `\dots`（`P(\vx_1, \dots, \vx_R)`）は値をもたないので渡さない
            let vals = args
                .iter()
                .filter(|a| !matches!(a, Expr::Ellipsis))
                .map(|a| self.eval(a))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(v) = self.call_key(&head_key, &vals)? {
                return Ok(v);
            }
        }
        // `\lambda_k(A)`: 関数 `\lambda` の値の k 成分
        if let Expr::Sym(Symbol {
            name,
            sub: Some(sub),
            ..
        }) = head
        {
            if matches!(
                self.env.vars.get(name),
                Some(Binding::Func(_) | Binding::LatexFunc(..))
            ) {
                let vals = args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(v) = self.call_key(name, &vals)? {
                    return self.index_value(&v, sub);
                }
            }
        }
        if matches!(head, Expr::Sym(s) if s.key == "\\delta") {
            return Err(EvalError::Unsupported(
                "δ 関数は点で評価できない（測度で積分する）".into(),
            ));
        }
        if let [arg] = args {
            // 関数でなければ掛け算: `N(N+1)`、`f'(\theta_0)(\theta-\theta_0)`
            let h = self.eval(head)?;
            let a = self.eval(arg)?;
            return value::mul(&h, &a, false);
        }
        Err(EvalError::Unbound(format!("関数 `{head_key}`")))
    }
}

impl Ctx<'_> {
    /// 関数の偏導関数の点での値 `\frac{\partial f}{\partial z_j}(\vec{a})`: f の引数を a に置いて z_j で微分する。
    ///
    /// 引数の名前は微分の変数から決める: `z_j`（1 文字の名前の成分）なら `\vec{z}`、`\mu_j`
    /// （添字つきの長い名前）なら `\mu`、添字のない `x` ならスカラーの `x`。すべての変数が同じ引数を
    /// 指さなければならない。引数の名前の局所束縛として a を置くので、束縛の外の同じ名前は見えない。
    fn eval_partial_at(
        &mut self,
        fkey: &str,
        vars: &[Expr],
        args: &[Expr],
    ) -> Result<Value, EvalError> {
        let [arg] = args else {
            return Err(EvalError::Unsupported(format!(
                "偏導関数 `{fkey}` の点は 1 つ（引数 {} 個）",
                args.len()
            )));
        };
        let mut names = vars.iter().map(|v| match v {
            Expr::Sym(s) if s.sub.is_none() => Ok(s.key.clone()),
            Expr::Sym(s) if s.name.chars().count() == 1 => Ok(format!("\\vec{{{}}}", s.name)),
            Expr::Sym(s) => Ok(s.name.clone()),
            other => Err(EvalError::Unsupported(format!(
                "偏導関数の変数 `{other}` は記号か、その成分"
            ))),
        });
        let key = names
            .next()
            .ok_or_else(|| EvalError::Unsupported("微分の変数がない".into()))??;
        for n in names {
            if n? != key {
                return Err(EvalError::Unsupported(format!(
                    "偏導関数 `{fkey}` の変数が 1 つの引数を指さない"
                )));
            }
        }
        let at = self.eval(arg)?;
        let call = Expr::Apply(
            Box::new(Expr::Sym(Symbol::new(fkey, None))),
            vec![Expr::Sym(Symbol::new(key.clone(), None))],
            ArgSep::Comma,
        );
        self.with_local(&key, at, |cx| cx.eval_deriv(&call, vars))
    }
}

/// 集合として使う値の要素（スカラーは 1 つ、ベクトルは成分、組は要素のスカラー）。
pub(crate) fn elements(v: &Value) -> Result<Vec<f64>, EvalError> {
    match v {
        Value::Scalar(x) => Ok(vec![*x]),
        Value::Vector(a) | Value::Row(a) => Ok(a.to_vec()),
        Value::Tuple(t) => t.iter().map(Value::as_scalar).collect(),
        other => Err(EvalError::Shape {
            op: "集合の要素".into(),
            left: other.shape(),
            right: "-".into(),
        }),
    }
}

/// 2 つの点が同じか（測度の点評価用）。
pub(crate) fn same_point(a: &Value, b: &Value) -> bool {
    let (x, y) = (a.components(), b.components());
    x.len() == y.len()
        && x.iter()
            .zip(&y)
            .all(|(p, q)| (p - q).abs() <= 1e-12 * (1.0 + p.abs()))
}
