//! 関係の検証。連鎖 `a = b \le c` は読む順に link ごとに確かめる。
//!
//! - `=`: 成分ごとに |a−b| ≤ abs + rel·max(|a|,|b|)。片方がスカラーなら他方の全成分と比べる。
//!   行ベクトルと列ベクトル（2 成分以上）は、成分が同じでも等しくない。
//! - `\approx`: 同じ形で、許容誤差は `approx_abs`・`approx_rel`。
//! - `<`・`>`・`\le`・`\ge`: スカラー。`\le` は a ≤ b + abs（丸めの分だけ緩める）。
//! - `\ll`: |a| ≤ `ll_ratio`·|b|。
//! - `\propto`: 2 つ以上の束縛で a/b が一定（相対 rel）。束縛が 1 つなら `Inconclusive`。
//! - `\onlytheta`: 2 つ以上の束縛（θ だけを変えたもの）で a−b が一定。
//! - `\in`: 左辺が未束縛の記号なら宣言（`Defined`）、束縛されていれば集合に属するか。
//! - `\sim`: 標本の分布の宣言（`\vz_s \sim r_\phi(\vz \mid \vx)`）。左辺の標本（記号か族）がすべての束縛にあり、
//!   右辺（標本の点での分布の密度。`\vz` を標本を並べた行列に束縛すれば密度の表）がすべて正で有限なら
//!   成り立つ（標本が分布の台にある）。標本がその分布から引かれたことそのものは確かめない。
//! - `\iff`（`check_equation`）: 各束縛で、左の節が全部成り立つことと右の節が全部成り立つことが一致。
//! - `\qquad` の後の部分 `m = …` で m が未束縛なら定義とみなし、先に評価して束縛に足す。

use crate::ast::{Chain, Expr, Rel};
use crate::env::Env;
use crate::equation::Equation;
use crate::error::EvalError;
use crate::eval::{Ctx, Numerics};
use crate::value::Value;
use std::fmt;

/// 許容誤差と数値設定。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// `=` の絶対誤差。
    pub abs: f64,
    /// `=` の相対誤差（中心差分の誤差 ~1e-9 と数値積分の 1e-10 より大きく取る）。
    pub rel: f64,
    /// `\approx` の絶対誤差。
    pub approx_abs: f64,
    /// `\approx` の相対誤差。
    pub approx_rel: f64,
    /// `\ll` の比。
    pub ll_ratio: f64,
    /// 差分・数値積分の設定。
    pub numerics: Numerics,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            abs: 1e-8,
            rel: 1e-6,
            approx_abs: 1e-2,
            approx_rel: 1e-2,
            ll_ratio: 0.1,
            numerics: Numerics::default(),
        }
    }
}

/// link の判定。
#[derive(Debug, Clone, PartialEq)]
pub enum LinkStatus {
    /// 成り立つ。
    Pass,
    /// 成り立たない。
    Fail,
    /// 評価できない。
    Error(EvalError),
    /// 判定に足りない（`\propto` に束縛が 1 つなど）。
    Inconclusive(String),
    /// 定義・宣言として束縛に足した。
    Defined,
}

/// link 1 つの結果。
#[derive(Debug, Clone, PartialEq)]
pub struct LinkResult {
    /// 式番号。
    pub tag: String,
    /// 式全体での link の通し番号（1 から）。
    pub link: usize,
    /// 関係。
    pub rel: Rel,
    /// 左辺の値（判定に使った束縛のもの）。
    pub lhs: Option<Value>,
    /// 右辺の値。
    pub rhs: Option<Value>,
    /// 判定に使った束縛の番号（失敗なら最初に失敗したもの）。
    pub env: usize,
    /// 判定。
    pub status: LinkStatus,
    /// 補足。
    pub note: String,
}

impl LinkResult {
    /// 成り立つ（または定義）か。
    pub fn ok(&self) -> bool {
        matches!(self.status, LinkStatus::Pass | LinkStatus::Defined)
    }
}

fn show(v: &Option<Value>) -> String {
    v.as_ref().map_or("?".into(), |v| v.to_string())
}

impl fmt::Display for LinkResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({}) link {} (`{}`): ",
            self.tag,
            self.link,
            self.rel.latex()
        )?;
        let (l, r) = (show(&self.lhs), show(&self.rhs));
        match &self.status {
            LinkStatus::Pass => write!(f, "ok: left {l}, right {r}")?,
            LinkStatus::Fail => write!(f, "left {l} ≠ right {r}")?,
            LinkStatus::Error(e) => write!(f, "評価できない: {e}")?,
            LinkStatus::Inconclusive(s) => write!(f, "判定できない: {s}")?,
            LinkStatus::Defined => write!(f, "定義: {r}")?,
        }
        if !self.note.is_empty() {
            write!(f, "（{}）", self.note)?;
        }
        if self.env > 0 {
            write!(f, " [env {}]", self.env)?;
        }
        Ok(())
    }
}

fn close(a: f64, b: f64, abs: f64, rel: f64) -> bool {
    // 片方だけが ±∞（や NaN）なら等しくない: 相対許容誤差 rel·max(|a|, |b|) が ∞ になって通ってしまうのを防ぐ
    if !(a.is_finite() && b.is_finite()) {
        return a == b;
    }
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

/// 点ごとの関係が成り立つか。
fn holds(rel: Rel, a: &Value, b: &Value, t: &Tolerances) -> Result<bool, EvalError> {
    let eq = |abs, relt| -> Result<bool, EvalError> {
        // 行ベクトルと列ベクトルは、成分が同じでも等しくない（転置の書き落としを見逃さない）
        if let (Value::Row(r), Value::Vector(c)) | (Value::Vector(c), Value::Row(r)) = (a, b) {
            if r.len() > 1 || c.len() > 1 {
                return Ok(false);
            }
        }
        let (x, y) = (a.components(), b.components());
        let pairs: Vec<(f64, f64)> = match (x.len(), y.len()) {
            (n, m) if n == m => x.into_iter().zip(y).collect(),
            (1, _) if matches!(a, Value::Scalar(_)) => y.iter().map(|q| (x[0], *q)).collect(),
            (_, 1) if matches!(b, Value::Scalar(_)) => x.iter().map(|p| (*p, y[0])).collect(),
            _ => return Ok(false),
        };
        Ok(pairs.iter().all(|(p, q)| close(*p, *q, abs, relt)))
    };
    let s = |v: &Value| v.as_scalar();
    Ok(match rel {
        Rel::Eq => eq(t.abs, t.rel)?,
        Rel::Approx => eq(t.approx_abs, t.approx_rel)?,
        Rel::Ne => !eq(t.abs, t.rel)?,
        Rel::Lt => s(a)? < s(b)?,
        Rel::Gt => s(a)? > s(b)?,
        Rel::Le => s(a)? <= s(b)? + t.abs,
        Rel::Ge => s(a)? + t.abs >= s(b)?,
        Rel::Ll => s(a)?.abs() <= t.ll_ratio * s(b)?.abs(),
        _ => {
            return Err(EvalError::Unsupported(format!(
                "点ごとの関係でない {}",
                rel.latex()
            )))
        }
    })
}

/// 連鎖を 1 つの束縛で確かめる。
pub fn check_chain(chain: &Chain, env: &Env, tol: &Tolerances) -> Vec<LinkResult> {
    check_chain_across(chain, &[env], tol)
}

/// 連鎖を複数の束縛で確かめる（`\propto`・`\onlytheta` は束縛の間で比べる）。
pub fn check_chain_across(chain: &Chain, envs: &[&Env], tol: &Tolerances) -> Vec<LinkResult> {
    let vals: Vec<Vec<Result<Value, EvalError>>> = envs
        .iter()
        .map(|e| {
            let mut cx = Ctx::with_numerics(e, tol.numerics);
            chain.terms.iter().map(|t| cx.eval(t)).collect()
        })
        .collect();
    let mut out = Vec::new();
    for (i, rel) in chain.rels.iter().enumerate() {
        let mut r = LinkResult {
            tag: chain.tag.clone(),
            link: chain.first_link + i,
            rel: *rel,
            lhs: None,
            rhs: None,
            env: 0,
            status: LinkStatus::Pass,
            note: String::new(),
        };
        if *rel == Rel::In {
            r.status = check_in(chain, i, envs, &vals);
            out.push(r);
            continue;
        }
        if *rel == Rel::Sim {
            (r.status, r.env, r.rhs) = check_sim(&chain.terms[i], envs, &vals, i + 1);
            r.note =
                "標本の分布の宣言: 標本は右辺の分布の台にある（標本の引き方は確かめない）".into();
            out.push(r);
            continue;
        }
        let mut diffs = Vec::new();
        for (k, v) in vals.iter().enumerate() {
            let (a, b) = match (&v[i], &v[i + 1]) {
                (Ok(a), Ok(b)) => (a.clone(), b.clone()),
                (Err(e), _) | (_, Err(e)) => {
                    r.status = LinkStatus::Error(e.clone());
                    r.env = k;
                    break;
                }
            };
            if k == 0 {
                (r.lhs, r.rhs) = (Some(a.clone()), Some(b.clone()));
            }
            match rel {
                Rel::Propto | Rel::OnlyTheta => {
                    let d = a.as_scalar().and_then(|x| Ok((x, b.as_scalar()?)));
                    match d {
                        Ok((x, y)) if *rel == Rel::Propto => diffs.push((x / y, k, a, b)),
                        Ok((x, y)) => diffs.push((x - y, k, a, b)),
                        Err(e) => {
                            r.status = LinkStatus::Error(e);
                            break;
                        }
                    }
                }
                _ => match holds(*rel, &a, &b, tol) {
                    Ok(true) => {}
                    Ok(false) => {
                        (r.status, r.env, r.lhs, r.rhs) = (LinkStatus::Fail, k, Some(a), Some(b));
                        break;
                    }
                    Err(e) => {
                        (r.status, r.env) = (LinkStatus::Error(e), k);
                        break;
                    }
                },
            }
        }
        if matches!(rel, Rel::Propto | Rel::OnlyTheta) && r.status == LinkStatus::Pass {
            let what = if *rel == Rel::Propto { "比" } else { "差" };
            if diffs.len() < 2 {
                r.status =
                    LinkStatus::Inconclusive(format!("{what}の一定を見るには束縛が 2 つ以上要る"));
            } else {
                let d0 = diffs[0].0;
                r.note = format!("{what} {d0:.6}");
                if let Some((d, k, a, b)) = diffs
                    .iter()
                    .find(|(d, ..)| !close(*d, d0, tol.abs, tol.rel))
                {
                    r.note = format!("{what}が一定でない: env 0 で {d0:.6}、env {k} で {d:.6}");
                    (r.status, r.env, r.lhs, r.rhs) =
                        (LinkStatus::Fail, *k, Some(a.clone()), Some(b.clone()));
                }
            }
        }
        out.push(r);
    }
    out
}

fn check_in(
    chain: &Chain,
    i: usize,
    envs: &[&Env],
    vals: &[Vec<Result<Value, EvalError>>],
) -> LinkStatus {
    if let Expr::Sym(s) = &chain.terms[i] {
        let bound =
            |e: &&Env| e.is_bound_key(&s.key) || (s.sub.is_some() && e.is_bound_key(&s.name));
        if !envs.iter().any(bound) {
            return LinkStatus::Defined;
        }
    }
    for (k, e) in envs.iter().enumerate() {
        let mut cx = Ctx::new(e);
        let c = Chain {
            terms: chain.terms[i..i + 2].to_vec(),
            rels: vec![Rel::In],
            ..chain.clone()
        };
        if let Err(e) = &vals[k][i] {
            return LinkStatus::Error(e.clone());
        }
        match cx.cond_holds(&c) {
            Err(e) => return LinkStatus::Error(e),
            Ok(false) => return LinkStatus::Fail,
            Ok(true) => {}
        }
    }
    LinkStatus::Pass
}

/// `\sim`: 左辺（標本）がすべての束縛に値か族として束縛され、右辺（項 `rhs` の値、分布の密度）が
/// すべての束縛で正で有限か。状態、判定に使った束縛の番号、成り立たなければ正で有限でない密度の値を返す。
fn check_sim(
    lhs: &Expr,
    envs: &[&Env],
    vals: &[Vec<Result<Value, EvalError>>],
    rhs: usize,
) -> (LinkStatus, usize, Option<Value>) {
    let Expr::Sym(s) = lhs else {
        let e = EvalError::Unsupported(format!("`\\sim` の左辺 `{lhs}` は標本の記号"));
        return (LinkStatus::Error(e), 0, None);
    };
    for (k, e) in envs.iter().enumerate() {
        let bound = e.is_bound_key(&s.key)
            || (s.sub.is_some()
                && (e.families.contains_key(&s.name) || e.vars.contains_key(&s.name)));
        if !bound {
            let err = EvalError::Unbound(format!("標本 `{}`", s.key));
            return (LinkStatus::Error(err), k, None);
        }
        match &vals[k][rhs] {
            Err(err) => return (LinkStatus::Error(err.clone()), k, None),
            Ok(v) => {
                let bad = v
                    .components()
                    .into_iter()
                    .find(|p| !(p.is_finite() && *p > 0.0));
                if let Some(p) = bad {
                    return (LinkStatus::Fail, k, Some(Value::Scalar(p)));
                }
            }
        }
    }
    (LinkStatus::Pass, 0, None)
}

/// 式全体を確かめる（定義の部分・`\iff` を含む）。
pub fn check_equation(eq: &Equation, envs: &[&Env], tol: &Tolerances) -> Vec<LinkResult> {
    let mut envs: Vec<Env> = envs.iter().map(|e| (*e).clone()).collect();
    let mut out = Vec::new();
    let mut defined = vec![false; eq.parts.len()];
    for (p, part) in eq.parts.iter().enumerate().skip(1) {
        let [c] = part.clauses.as_slice() else {
            continue;
        };
        let (Some(Expr::Sym(s)), [Rel::Eq]) = (c.terms.first(), c.rels.as_slice()) else {
            continue;
        };
        // 添字つきの記号（`J'_{kl}`）は、名前（`J'`）が行列や族に束縛されていれば確かめる側に回す。
        // 定義として読むのは、名前も添字つきのキーもどの束縛にもないときだけ
        if envs
            .iter()
            .any(|e| e.is_bound_key(&s.key) || (s.sub.is_some() && e.is_bound_key(&s.name)))
        {
            continue;
        }
        defined[p] = true;
        let mut r = LinkResult {
            tag: eq.tag.clone(),
            link: c.first_link,
            rel: Rel::Eq,
            lhs: None,
            rhs: None,
            env: 0,
            status: LinkStatus::Defined,
            note: format!("`{}` を定義", s.key),
        };
        for (k, e) in envs.iter_mut().enumerate() {
            match Ctx::with_numerics(e, tol.numerics).eval(&c.terms[1]) {
                Ok(v) => {
                    if k == 0 {
                        r.rhs = Some(v.clone());
                    }
                    e.vars.insert(s.key.clone(), crate::env::Binding::Value(v));
                }
                Err(err) => {
                    (r.status, r.env) = (LinkStatus::Error(err), k);
                    break;
                }
            }
        }
        out.push(r);
    }
    let refs: Vec<&Env> = envs.iter().collect();
    for (p, part) in eq.parts.iter().enumerate() {
        if defined[p] {
            continue;
        }
        for c in &part.clauses {
            out.extend(check_chain_across(c, &refs, tol));
        }
        for (k, link) in part.iff_links.iter().enumerate() {
            out.push(check_iff(
                eq,
                *link,
                &part.clauses[k],
                &part.clauses[k + 1],
                &refs,
                tol,
            ));
        }
    }
    out.sort_by_key(|r| r.link);
    out
}

fn check_iff(
    eq: &Equation,
    link: usize,
    l: &Chain,
    r: &Chain,
    envs: &[&Env],
    tol: &Tolerances,
) -> LinkResult {
    let truth = |c: &Chain, e: &Env| check_chain(c, e, tol).iter().all(|x| x.ok());
    let mut res = LinkResult {
        tag: eq.tag.clone(),
        link,
        rel: Rel::Iff,
        lhs: None,
        rhs: None,
        env: 0,
        status: LinkStatus::Pass,
        note: String::new(),
    };
    let mut both_true = 0;
    for (k, e) in envs.iter().enumerate() {
        let (a, b) = (truth(l, e), truth(r, e));
        let as_val = |x: bool| Some(Value::Scalar(if x { 1.0 } else { 0.0 }));
        if k == 0 || a != b {
            (res.lhs, res.rhs, res.env) = (as_val(a), as_val(b), k);
        }
        if a != b {
            res.status = LinkStatus::Fail;
            res.note = "左の節と右の節の真偽が違う（1 = 真）".into();
            return res;
        }
        both_true += usize::from(a);
    }
    res.note = format!(
        "{} 個の束縛で両方真、{} 個で両方偽",
        both_true,
        envs.len() - both_true
    );
    if both_true == 0 || both_true == envs.len() {
        res.status = LinkStatus::Inconclusive(format!("{}（真と偽の両方の束縛が要る）", res.note));
    }
    res
}

#[cfg(test)]
mod close_tests {
    use super::close;

    #[test]
    fn a_finite_number_is_not_close_to_infinity() {
        assert!(!close(1.0, f64::INFINITY, 1e-8, 1e-6));
        assert!(!close(f64::NEG_INFINITY, -1e300, 1e-8, 1e-6));
        assert!(close(f64::INFINITY, f64::INFINITY, 1e-8, 1e-6));
        assert!(!close(f64::NAN, f64::NAN, 1e-8, 1e-6));
        assert!(close(1.0, 1.0 + 1e-9, 1e-8, 1e-6));
    }
}
