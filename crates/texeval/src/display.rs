//! 式の木の正規化した LaTeX（束縛のキーにも使う）。

use crate::ast::{ArgSep, BigOp, Chain, Expr, MulKind};
use std::fmt;

fn needs_parens(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Add(..)
            | Expr::Sub(..)
            | Expr::Neg(..)
            | Expr::Cond(..)
            | Expr::Big { .. }
            | Expr::Pair(..)
    )
}

fn atomic(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Sym(_) | Expr::Apply(..) | Expr::Tuple(_) | Expr::Set(_) | Expr::Abs(_)
    ) || matches!(e, Expr::Num(x) if *x >= 0.0)
}

struct P<'a>(&'a Expr, bool);

impl fmt::Display for P<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1 {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

fn wrap(e: &Expr) -> P<'_> {
    P(e, needs_parens(e))
}

fn wrap_atom(e: &Expr) -> P<'_> {
    P(e, !atomic(e))
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                write!(f, "{}", self.rels[i - 1].latex())?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

fn join(f: &mut fmt::Formatter<'_>, items: &[Expr], sep: &str) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            write!(f, "{sep}")?;
        }
        write!(f, "{x}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(x) => write!(f, "{x}"),
            Expr::Sym(s) => write!(f, "{}", s.key),
            Expr::Neg(a) => write!(f, "-{}", wrap(a)),
            Expr::Add(a, b) => write!(f, "{a}+{}", P(b, matches!(**b, Expr::Neg(_)))),
            Expr::Sub(a, b) => write!(f, "{a}-{}", wrap(b)),
            Expr::Mul(a, b, k) => {
                let op = match k {
                    MulKind::Implicit => " ",
                    MulKind::Cdot => "\\cdot ",
                    MulKind::Times => "\\times ",
                    MulKind::Odot => "\\odot ",
                };
                write!(f, "{}{op}{}", wrap(a), wrap(b))
            }
            Expr::Div(a, b) => write!(f, "\\frac{{{a}}}{{{b}}}"),
            Expr::Pow(a, b) => write!(f, "{}^{{{b}}}", wrap_atom(a)),
            Expr::Transpose(a) => write!(f, "{}^{{\\top}}", wrap_atom(a)),
            Expr::DataIndex(a, i) => write!(f, "{}^{{({i})}}", wrap_atom(a)),
            Expr::Subscripted(a, i) => write!(f, "{}_{{{i}}}", wrap_atom(a)),
            Expr::Func(func, a) => write!(f, "{}({a})", func.latex()),
            Expr::Apply(h, args, sep) => {
                let (open, sep_s, close) = match sep {
                    ArgSep::Comma => ("(", ",", ")"),
                    ArgSep::Parallel => ("(", "\\parallel ", ")"),
                    ArgSep::Bracket => ("[", ",", "]"),
                };
                write!(f, "{h}{open}")?;
                join(f, args, sep_s)?;
                write!(f, "{close}")
            }
            Expr::Abs(a) => write!(f, "|{a}|"),
            Expr::Big { op, sub, sup, body } => {
                let name = match op {
                    BigOp::Sum => "\\sum",
                    BigOp::Prod => "\\prod",
                    BigOp::Max => "\\max",
                    BigOp::Min => "\\min",
                    BigOp::ArgMin => "\\mathrm{arg\\,min}",
                    BigOp::ArgMax => "\\mathrm{arg\\,max}",
                };
                write!(f, "{name}")?;
                if let Some(s) = sub {
                    write!(f, "_{{{s}}}")?;
                }
                if let Some(s) = sup {
                    write!(f, "^{{{s}}}")?;
                }
                write!(f, " {}", wrap(body))
            }
            Expr::Integral { lo, hi, var, body } => {
                write!(f, "\\int")?;
                if let Some(l) = lo {
                    write!(f, "_{{{l}}}")?;
                }
                if let Some(h) = hi {
                    write!(f, "^{{{h}}}")?;
                }
                write!(f, " d{var}\\, {}", wrap(body))
            }
            Expr::Deriv { f: g, vars } => {
                write!(f, "\\frac{{\\partial")?;
                if vars.len() > 1 {
                    write!(f, "^{{{}}}", vars.len())?;
                }
                write!(f, " {g}}}{{")?;
                for v in vars {
                    write!(f, "\\partial {v}")?;
                }
                write!(f, "}}")
            }
            Expr::DerivOp(vars) => {
                write!(f, "\\frac{{\\partial}}{{")?;
                for v in vars {
                    write!(f, "\\partial {v}")?;
                }
                write!(f, "}}")
            }
            Expr::Grad { hessian, target } => {
                let op = if *hessian {
                    "(\\nabla \\nabla^{\\top}) "
                } else {
                    "\\nabla "
                };
                write!(f, "{op}{target}")
            }
            Expr::HessOp => write!(f, "(\\nabla \\nabla^{{\\top}})"),
            Expr::Expect(a, sub) => {
                write!(f, "\\langle {a}\\rangle")?;
                if let Some(s) = sub {
                    write!(f, "_{{{s}}}")?;
                }
                Ok(())
            }
            Expr::Tuple(items) => {
                write!(f, "(")?;
                join(f, items, ",")?;
                write!(f, ")")
            }
            Expr::Set(items) => {
                write!(f, "\\{{")?;
                join(f, items, ",")?;
                write!(f, "\\}}")
            }
            Expr::Ellipsis => write!(f, "\\dots"),
            Expr::Matrix(rows) => {
                write!(f, "\\begin{{pmatrix}}")?;
                for (i, r) in rows.iter().enumerate() {
                    if i > 0 {
                        write!(f, "\\\\")?;
                    }
                    for (j, c) in r.iter().enumerate() {
                        if j > 0 {
                            write!(f, "&")?;
                        }
                        if let Some(c) = c {
                            write!(f, "{c}")?;
                        }
                    }
                }
                write!(f, "\\end{{pmatrix}}")
            }
            Expr::Cond(c) => write!(f, "{c}"),
            Expr::Pair(a, b, kind) => write!(f, "{}{} {}", wrap(a), kind.latex(), wrap(b)),
        }
    }
}
