//! 束縛（`Env`）。名前は LaTeX で書き、マクロ展開と正規化をしてキーにする
//! （`q_\theta` と `q_{\theta}` は同じ、`\vx` は `\vec{x}`）。
//!
//! 名前の決まり:
//! - `\sigma^2` は、`\sigma^2` という名前が束縛されていればその値、なければ (σ)² である。
//!   σ² を母数として扱う節では `env.scalar(r"\sigma^2", v)` と書けば、
//!   `\partial/\partial \sigma^2` もその束縛を動かす。
//! - `x_i` は順に: 名前 `x_{i}` の束縛 → 族 `x` の i 番目 → 値 `x` の成分 →
//!   値 `\vec{x}` の成分（本の「x_k は \vx の成分」の約束）。添字は 1 から数える。
//! - 添字つきの式（`H(f)`、`\langle x_k \rangle_\theta` など）も、その正規形の名前で束縛できる。

use crate::ast::Expr;
use crate::error::{EvalError, ParseError};
use crate::eval::Ctx;
use crate::macros::Macros;
use crate::parser::parse_expr;
use crate::value::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// Rust の関数として束縛する関数。`Ctx` から他の束縛を読める。
pub type NativeFn = Rc<dyn Fn(&mut Ctx<'_>, &[Value]) -> Result<Value, EvalError>>;

/// 束縛 1 つ。
#[derive(Clone)]
pub enum Binding {
    /// 値。
    Value(Value),
    /// Rust の関数。
    Func(NativeFn),
    /// LaTeX で書いた関数（引数名と本体）。本体は呼んだ時点の束縛で評価する。
    LatexFunc(Vec<String>, Rc<Expr>),
    /// LaTeX で書いた式。読むたびに、その時点の束縛で評価する（微分で母数を動かせる）。
    Formula(Rc<Expr>),
    /// 離散の測度（点と重み）。`\int dx\, p_0(x) g(x)` を Σ wⱼ g(xⱼ) にし、
    /// `p_0(x)` の点評価は x に一致する点の重みの和（確率質量）を返す。
    Measure(Vec<Value>, Vec<f64>),
}

/// 期待値 `\langle f \rangle_{sub}` の分布の重み。
#[derive(Clone)]
pub enum Weights {
    /// 決まった確率（和が 1 でなくても正規化する）。
    Fixed(Vec<f64>),
    /// 状態ごとに評価する非正規化密度（例: `\exp(-E_\theta(\vx))`）。
    Formula(Rc<Expr>),
}

/// 有限の状態の上の分布。
#[derive(Clone)]
pub struct Distribution {
    /// 状態を束縛する変数のキー（例: `\vec{x}`）。
    pub var: String,
    /// 状態。
    pub states: Vec<Value>,
    /// 重み。
    pub weights: Weights,
}

/// 数値積分の規則（点と重み）。
#[derive(Clone, Debug)]
pub struct Quadrature {
    /// 点。
    pub points: Vec<Value>,
    /// 重み。
    pub weights: Vec<f64>,
}

/// 束縛の集まり。
#[derive(Clone, Default)]
pub struct Env {
    pub(crate) macros: Macros,
    pub(crate) vars: HashMap<String, Binding>,
    pub(crate) families: HashMap<String, Vec<Value>>,
    pub(crate) domains: HashMap<String, Vec<Value>>,
    pub(crate) quadratures: HashMap<String, Quadrature>,
    pub(crate) distributions: HashMap<String, Distribution>,
}

impl Env {
    /// マクロなしの空の束縛。
    pub fn new() -> Self {
        Self::default()
    }

    /// 名前の展開に使うマクロつきの空の束縛。
    pub fn with_macros(macros: Macros) -> Self {
        Env {
            macros,
            ..Self::default()
        }
    }

    /// マクロ。
    pub fn macros(&self) -> &Macros {
        &self.macros
    }

    /// LaTeX の名前を正規形のキーにする。読めない名前はそのまま使う。
    pub fn canon(&self, name: &str) -> String {
        self.try_canon(name).unwrap_or_else(|_| name.to_string())
    }

    /// LaTeX の名前を正規形のキーにする。
    pub fn try_canon(&self, name: &str) -> Result<String, ParseError> {
        Ok(parse_expr(name, &self.macros)?.to_string())
    }

    /// 値を束縛する（スカラー・`Vec<f64>`・`Array1`・`Array2`）。
    pub fn set(&mut self, name: &str, v: impl Into<Value>) -> &mut Self {
        let k = self.canon(name);
        self.vars.insert(k, Binding::Value(v.into()));
        self
    }

    /// スカラーを束縛する。
    pub fn scalar(&mut self, name: &str, x: f64) -> &mut Self {
        self.set(name, x)
    }

    /// 添字で引く族（データ `x_i`、`\vx_i`、`x_k^{(i)}`）を束縛する。1 から数える。
    pub fn family(&mut self, name: &str, items: Vec<Value>) -> &mut Self {
        let k = self.canon(name);
        self.families.insert(k, items);
        self
    }

    /// スカラーのデータ列を族として束縛する。
    pub fn data(&mut self, name: &str, xs: &[f64]) -> &mut Self {
        self.family(name, xs.iter().map(|&x| Value::Scalar(x)).collect())
    }

    /// Rust の関数を束縛する。
    pub fn func(
        &mut self,
        name: &str,
        f: impl Fn(&[Value]) -> Result<Value, EvalError> + 'static,
    ) -> &mut Self {
        let k = self.canon(name);
        self.vars.insert(
            k,
            Binding::Func(Rc::new(move |_: &mut Ctx<'_>, a: &[Value]| f(a))),
        );
        self
    }

    /// 他の束縛を読む Rust の関数を束縛する（母数を微分で動かすときに使う）。
    pub fn func_ctx(
        &mut self,
        name: &str,
        f: impl Fn(&mut Ctx<'_>, &[Value]) -> Result<Value, EvalError> + 'static,
    ) -> &mut Self {
        let k = self.canon(name);
        self.vars.insert(k, Binding::Func(Rc::new(f)));
        self
    }

    /// LaTeX で書いた関数を束縛する（例: `q_\theta`、引数 `x`、本体 `\frac{1}{…}\exp(…)`）。
    pub fn func_latex(
        &mut self,
        name: &str,
        params: &[&str],
        body: &str,
    ) -> Result<&mut Self, ParseError> {
        let body = Rc::new(parse_expr(body, &self.macros)?);
        let params = params
            .iter()
            .map(|p| self.try_canon(p))
            .collect::<Result<Vec<_>, _>>()?;
        let k = self.try_canon(name)?;
        self.vars.insert(k, Binding::LatexFunc(params, body));
        Ok(self)
    }

    /// LaTeX の式を名前に束縛する（読むたびに評価する）。
    pub fn formula(&mut self, name: &str, latex: &str) -> Result<&mut Self, ParseError> {
        let e = Rc::new(parse_expr(latex, &self.macros)?);
        let k = self.try_canon(name)?;
        self.vars.insert(k, Binding::Formula(e));
        Ok(self)
    }

    /// 式の木を名前に束縛する。
    pub fn formula_expr(&mut self, name: &str, e: Expr) -> &mut Self {
        let k = self.canon(name);
        self.vars.insert(k, Binding::Formula(Rc::new(e)));
        self
    }

    /// 離散の測度を束縛する（経験分布 `p_0` など）。
    pub fn measure(&mut self, name: &str, points: Vec<Value>, weights: Vec<f64>) -> &mut Self {
        let k = self.canon(name);
        self.vars.insert(k, Binding::Measure(points, weights));
        self
    }

    /// `\sum_{\vx}`・`\max_k`・`\mathrm{arg\,min}_\theta` の動く範囲を宣言する。
    pub fn domain(&mut self, name: &str, values: Vec<Value>) -> &mut Self {
        let k = self.canon(name);
        self.domains.insert(k, values);
        self
    }

    /// 整数の範囲 `lo..=hi` を動く添字を宣言する。
    pub fn index_range(&mut self, name: &str, lo: i64, hi: i64) -> &mut Self {
        self.domain(name, (lo..=hi).map(|i| Value::Scalar(i as f64)).collect())
    }

    /// 積分変数の数値積分の規則を宣言する（ℝⁿ のベクトル変数の積分に要る）。
    pub fn quadrature(&mut self, var: &str, points: Vec<Value>, weights: Vec<f64>) -> &mut Self {
        let k = self.canon(var);
        self.quadratures.insert(k, Quadrature { points, weights });
        self
    }

    /// 期待値 `\langle f \rangle_{sub}` の分布を宣言する。`sub` は添字（例: `\theta`、なしは `""`）。
    pub fn distribution(
        &mut self,
        sub: &str,
        var: &str,
        states: Vec<Value>,
        weights: Weights,
    ) -> &mut Self {
        let k = if sub.is_empty() {
            String::new()
        } else {
            self.canon(sub)
        };
        let var = self.canon(var);
        self.distributions.insert(
            k,
            Distribution {
                var,
                states,
                weights,
            },
        );
        self
    }

    /// 非正規化密度を LaTeX で与える分布。
    pub fn distribution_latex(
        &mut self,
        sub: &str,
        var: &str,
        states: Vec<Value>,
        density: &str,
    ) -> Result<&mut Self, ParseError> {
        let e = Rc::new(parse_expr(density, &self.macros)?);
        Ok(self.distribution(sub, var, states, Weights::Formula(e)))
    }

    /// 名前の束縛を外す。
    pub fn unset(&mut self, name: &str) -> &mut Self {
        let k = self.canon(name);
        self.vars.remove(&k);
        self
    }

    /// 名前（正規形）に値が束縛されていれば、その値。
    pub fn value(&self, name: &str) -> Option<&Value> {
        match self.vars.get(&self.canon(name)) {
            Some(Binding::Value(v)) => Some(v),
            _ => None,
        }
    }

    /// 名前（正規形のキー）が何かに束縛されているか。
    pub fn is_bound_key(&self, key: &str) -> bool {
        self.vars.contains_key(key) || self.families.contains_key(key)
    }
}
