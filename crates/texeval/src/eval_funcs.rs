//! 組み込み関数・行列の式・`\dots` の展開の評価。

use crate::ast::{Expr, Func, Symbol};
use crate::error::EvalError;
use crate::eval::Ctx;
use crate::value::{self, Value};
use ndarray::Array2;

impl Ctx<'_> {
    pub(crate) fn eval_func(&mut self, f: Func, a: &Expr) -> Result<Value, EvalError> {
        let v = self.eval(a)?;
        let shape_err = |v: &Value| EvalError::Shape {
            op: f.latex().into(),
            left: v.shape(),
            right: "-".into(),
        };
        let scalar = |g: fn(f64) -> f64| -> Result<Value, EvalError> {
            Ok(Value::Scalar(g(v
                .as_scalar()
                .map_err(|_| shape_err(&v))?)))
        };
        match f {
            Func::Ln => {
                let x = v.as_scalar().map_err(|_| shape_err(&v))?;
                if x <= 0.0 {
                    return Err(EvalError::Domain(format!("\\ln {x}")));
                }
                Ok(Value::Scalar(x.ln()))
            }
            Func::Sqrt => {
                let x = v.as_scalar().map_err(|_| shape_err(&v))?;
                if x < 0.0 {
                    return Err(EvalError::Domain(format!("\\sqrt{{{x}}}")));
                }
                Ok(Value::Scalar(x.sqrt()))
            }
            Func::Exp => scalar(f64::exp),
            Func::Cosh => scalar(f64::cosh),
            Func::Sinh => scalar(f64::sinh),
            Func::Coth => scalar(|x: f64| 1.0 / x.tanh()),
            Func::Tanh => scalar(f64::tanh),
            Func::Artanh => {
                let x = v.as_scalar().map_err(|_| shape_err(&v))?;
                if x.abs() > 1.0 {
                    return Err(EvalError::Domain(format!("\\operatorname{{artanh}} {x}")));
                }
                Ok(Value::Scalar(x.atanh()))
            }
            Func::Sin => scalar(f64::sin),
            Func::Cos => scalar(f64::cos),
            Func::Det => match &v {
                Value::Matrix(m) => Ok(Value::Scalar(value::det(m)?)),
                Value::Scalar(_) => Ok(v.clone()),
                _ => Err(shape_err(&v)),
            },
            Func::Tr => match &v {
                Value::Matrix(m) if m.is_square() => Ok(Value::Scalar(m.diag().sum())),
                Value::Scalar(_) => Ok(v.clone()),
                _ => Err(shape_err(&v)),
            },
            Func::Diag => {
                let c = match &v {
                    Value::Tuple(_) | Value::Vector(_) | Value::Row(_) => v.components(),
                    _ => return Err(shape_err(&v)),
                };
                Ok(Value::Matrix(Array2::from_diag(&ndarray::Array1::from(c))))
            }
            Func::Adj => match &v {
                Value::Matrix(m) => {
                    let d = value::det(m)?;
                    Ok(Value::Matrix(value::inverse(m)? * d))
                }
                _ => Err(shape_err(&v)),
            },
        }
    }

    pub(crate) fn eval_matrix(&mut self, rows: &[Vec<Option<Expr>>]) -> Result<Value, EvalError> {
        let has_dots = rows
            .iter()
            .flatten()
            .flatten()
            .any(|c| *c == Expr::Ellipsis);
        if has_dots {
            // `\begin{pmatrix} \lambda_1 & & \\ & \ddots & \\ & & \lambda_N \end{pmatrix}` は対角
            let diag: Vec<Expr> = rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.get(i).cloned().flatten())
                .collect();
            let items = self.expand_ellipsis(&diag)?;
            let d = items
                .iter()
                .map(|x| self.eval(x)?.as_scalar())
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Value::Matrix(Array2::from_diag(&ndarray::Array1::from(d))));
        }
        let n = rows.len();
        let m = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut out = Array2::zeros((n, m));
        for (i, r) in rows.iter().enumerate() {
            for (j, c) in r.iter().enumerate() {
                if let Some(c) = c {
                    out[[i, j]] = self.eval(c)?.as_scalar()?;
                }
            }
        }
        Ok(Value::Matrix(out))
    }

    /// `a_1, \dots, a_N` の `\dots` を `a_2, …, a_{N-1}` に展開する。
    pub(crate) fn expand_ellipsis(&mut self, items: &[Expr]) -> Result<Vec<Expr>, EvalError> {
        let mut out = Vec::new();
        for (k, it) in items.iter().enumerate() {
            if *it != Expr::Ellipsis {
                out.push(it.clone());
                continue;
            }
            let sym_of = |e: Option<&Expr>| match e {
                Some(Expr::Sym(s)) if s.sub.is_some() => Some(s.clone()),
                _ => None,
            };
            let (Some(a), Some(b)) = (sym_of(out.last()), sym_of(items.get(k + 1))) else {
                return Err(EvalError::Unsupported(
                    "`\\dots` の前後が添字つきの記号でない".into(),
                ));
            };
            if a.name != b.name {
                return Err(EvalError::Unsupported("`\\dots` の前後の名前が違う".into()));
            }
            let lo = self
                .eval(a.sub.as_deref().unwrap_or(&Expr::Num(0.0)))?
                .as_scalar()?;
            let hi = self
                .eval(b.sub.as_deref().unwrap_or(&Expr::Num(0.0)))?
                .as_scalar()?;
            let mut j = lo + 1.0;
            while j < hi {
                out.push(Expr::Sym(Symbol::new(a.name.clone(), Some(Expr::Num(j)))));
                j += 1.0;
            }
        }
        Ok(out)
    }
}
