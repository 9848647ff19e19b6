//! 一次式と命令ごとの構文解析。

use crate::ast::{ArgSep, BigOp, Expr, Func, Symbol};
use crate::error::ParseError;
use crate::lexer::{is_ch, is_cmd, Tok};
use crate::parser::{Parser, ACCENTS, GREEK};

fn func_of(name: &str) -> Option<Func> {
    Some(match name {
        "ln" | "log" => Func::Ln,
        "exp" => Func::Exp,
        "cosh" => Func::Cosh,
        "sinh" => Func::Sinh,
        "coth" => Func::Coth,
        "tanh" => Func::Tanh,
        "artanh" => Func::Artanh,
        "sin" => Func::Sin,
        "cos" => Func::Cos,
        "det" => Func::Det,
        "tr" => Func::Tr,
        "diag" => Func::Diag,
        "adj" => Func::Adj,
        _ => return None,
    })
}

impl Parser<'_> {
    /// 一次式。
    pub(crate) fn parse_primary(&mut self) -> Result<Expr, ParseError> {
        if let Some(op) = self.try_bigop()? {
            return self.parse_bigop(op);
        }
        let Some(tok) = self.peek().cloned() else {
            return Err(self.err("式が途中で終わっている"));
        };
        match tok {
            Tok::Num(n) => {
                self.i += 1;
                n.parse::<f64>()
                    .map(Expr::Num)
                    .map_err(|_| self.err("数として読めない"))
            }
            Tok::Letter(c) => {
                self.i += 1;
                Ok(Expr::Sym(Symbol::new(c.to_string(), None)))
            }
            Tok::Ch('(') => self.parse_group('(', ')'),
            Tok::Ch('[') => self.parse_group('[', ']'),
            Tok::Ch('{') => self.parse_group('{', '}'),
            Tok::Ch('|') => {
                self.i += 1;
                self.abs_depth += 1;
                let inner = self.parse_expr();
                self.abs_depth -= 1;
                let inner = inner?;
                self.expect_ch('|')?;
                Ok(Expr::Abs(Box::new(inner)))
            }
            Tok::Cmd(c) => {
                self.i += 1;
                self.parse_command(&c)
            }
            _ => Err(self.err("ここに式は始まらない")),
        }
    }

    fn parse_group(&mut self, open: char, close: char) -> Result<Expr, ParseError> {
        self.expect_ch(open)?;
        let saved = (self.abs_depth, self.stop_d);
        self.abs_depth = 0;
        self.stop_d = 0;
        let e = self.parse_list(close);
        (self.abs_depth, self.stop_d) = saved;
        let e = e?;
        self.expect_ch(close)?;
        Ok(e)
    }

    fn parse_command(&mut self, c: &str) -> Result<Expr, ParseError> {
        if GREEK.contains(&c) {
            return Ok(Expr::Sym(Symbol::new(format!("\\{c}"), None)));
        }
        if ACCENTS.contains(&c) {
            let inner = self.parse_single()?;
            return Ok(Expr::Sym(Symbol::new(format!("\\{c}{{{inner}}}"), None)));
        }
        if let Some(f) = func_of(c) {
            return self.parse_func(f);
        }
        match c {
            "mathcal" | "mathbb" | "mathrm" | "mathsf" | "mathit" => {
                let name = self.read_name_group()?;
                Ok(Expr::Sym(Symbol::new(format!("\\{c}{{{name}}}"), None)))
            }
            "operatorname" | "operatorname*" => {
                let name = self.read_name_group()?;
                match func_of(&name) {
                    Some(f) => self.parse_func(f),
                    None => Ok(Expr::Sym(Symbol::new(
                        format!("\\operatorname{{{name}}}"),
                        None,
                    ))),
                }
            }
            "frac" | "tfrac" | "dfrac" | "cfrac" => self.parse_frac(),
            "sqrt" => {
                let index = if self.at_ch('[') {
                    self.i += 1;
                    let n = self.parse_expr()?;
                    self.expect_ch(']')?;
                    Some(n)
                } else {
                    None
                };
                let arg = self.parse_single()?;
                Ok(match index {
                    None => Expr::Func(Func::Sqrt, Box::new(arg)),
                    Some(n) => Expr::Pow(
                        Box::new(arg),
                        Box::new(Expr::Div(Box::new(Expr::Num(1.0)), Box::new(n))),
                    ),
                })
            }
            "int" => self.parse_integral(),
            "partial" => self.parse_inline_partial(),
            "nabla" => {
                if self.at_cmd("nabla")
                    && matches!(self.peek_at(1), Some(t) if is_ch(t, '^'))
                    && matches!(self.peek_at(2), Some(t) if is_cmd(t, "top"))
                {
                    self.i += 3;
                    return Ok(Expr::HessOp);
                }
                let target = self.parse_postfix(true)?;
                let log_of_apply =
                    matches!(&target, Expr::Func(Func::Ln, a) if matches!(**a, Expr::Apply(..)));
                if !matches!(target, Expr::Apply(..)) && !log_of_apply {
                    return Err(self.err("`\\nabla` の後には `f(x)` の形が要る"));
                }
                Ok(Expr::Grad {
                    hessian: false,
                    target: Box::new(target),
                })
            }
            "langle" => {
                let saved = self.abs_depth;
                self.abs_depth = 0;
                let inner = self.parse_expr();
                self.abs_depth = saved;
                let inner = inner?;
                self.expect_cmd("rangle")?;
                let sub = if self.at_ch('_') {
                    self.i += 1;
                    Some(Box::new(self.parse_script()?))
                } else {
                    None
                };
                Ok(Expr::Expect(Box::new(inner), sub))
            }
            "infty" => Ok(Expr::Sym(Symbol::new("\\infty", None))),
            "dots" | "ldots" | "cdots" | "ddots" | "vdots" => Ok(Expr::Ellipsis),
            "{" => {
                let mut items = Vec::new();
                while !self.at_cmd("}") {
                    items.push(self.parse_expr()?);
                    if self.at_ch(',') {
                        self.i += 1;
                    } else if !self.at_cmd("}") {
                        return Err(self.err("集合の `\\}` がない"));
                    }
                }
                self.i += 1;
                Ok(Expr::Set(items))
            }
            "begin" => {
                let env = self.read_name_group()?;
                if matches!(env.as_str(), "pmatrix" | "bmatrix" | "matrix") {
                    self.parse_matrix(&env)
                } else {
                    Err(self.err(format!("式の途中の環境 `{env}` は読まない")))
                }
            }
            _ => {
                self.i -= 1;
                Err(self.err(format!("読まない命令 `\\{c}`")))
            }
        }
    }

    /// `{…}` の中の英字を空白命令を飛ばしてつなげる（`\mathrm{arg\,min}` → `argmin`）。
    pub(crate) fn read_name_group(&mut self) -> Result<String, ParseError> {
        if !self.at_ch('{') {
            if let Some(Tok::Letter(c)) = self.peek().cloned() {
                self.i += 1;
                return Ok(c.to_string());
            }
            return Err(self.err("`{` がない"));
        }
        self.i += 1;
        let mut name = String::new();
        loop {
            match self.bump() {
                Some(Tok::Letter(c)) => name.push(c),
                Some(Tok::Num(n)) => name.push_str(&n),
                Some(Tok::Ch('*')) => name.push('*'),
                Some(Tok::Ch('}')) => return Ok(name),
                _ => {
                    self.i -= 1;
                    return Err(self.err("名前の `{…}` に英字以外がある"));
                }
            }
        }
    }

    /// 大型演算子の始まりなら読み進めて種類を返す。
    fn try_bigop(&mut self) -> Result<Option<BigOp>, ParseError> {
        let Some(Tok::Cmd(c)) = self.peek().cloned() else {
            return Ok(None);
        };
        let save = self.i;
        let named = |n: &str| match n {
            "argmin" => Some(BigOp::ArgMin),
            "argmax" => Some(BigOp::ArgMax),
            _ => None,
        };
        self.i += 1;
        let op = match c.as_str() {
            "sum" => Some(BigOp::Sum),
            "prod" => Some(BigOp::Prod),
            "max" => Some(BigOp::Max),
            "min" => Some(BigOp::Min),
            "arg" if self.at_cmd("min") || self.at_cmd("max") => {
                let m = self.bump();
                Some(if m == Some(Tok::Cmd("min".into())) {
                    BigOp::ArgMin
                } else {
                    BigOp::ArgMax
                })
            }
            "operatorname*" | "operatorname" | "mathrm" => named(&self.read_name_group()?),
            "mathop" => {
                self.expect_ch('{')?;
                let op = match self.bump() {
                    Some(Tok::Cmd(m)) if m == "mathrm" || m == "operatorname" => {
                        named(&self.read_name_group()?)
                    }
                    _ => None,
                };
                self.expect_ch('}')?;
                if op.is_none() {
                    self.i = save;
                    return Err(self.err("`\\mathop` は arg min / arg max だけ読む"));
                }
                op
            }
            _ => None,
        };
        if op.is_none() {
            self.i = save;
        }
        Ok(op)
    }

    fn parse_bigop(&mut self, op: BigOp) -> Result<Expr, ParseError> {
        let (mut sub, mut sup) = (None, None);
        loop {
            if self.at_ch('_') && sub.is_none() {
                self.i += 1;
                sub = Some(Box::new(self.parse_script()?));
            } else if self.at_ch('^') && sup.is_none() {
                self.i += 1;
                sup = Some(Box::new(self.parse_script()?));
            } else {
                break;
            }
        }
        let body = Box::new(self.parse_term()?);
        Ok(Expr::Big { op, sub, sup, body })
    }

    /// 組み込み関数: 括弧で始まればその括弧だけ、そうでなければ続く項が引数。括弧のない引数は、
    /// 次の関数の命令の前で止まる（`\tanh K \tanh 3h` = tanh(K)·tanh(3h)、`\ln \cosh x` = ln(cosh x)）。
    /// 関数名の直後の冪は関数の値の冪（`\sinh^{-4} 2K` = (sinh 2K)^{−4}）。ただし `^{-1}` は
    /// 逆関数と紛らわしいので読まない。
    fn parse_func(&mut self, f: Func) -> Result<Expr, ParseError> {
        let power = if self.at_ch('^') {
            self.i += 1;
            let p = self.parse_script()?;
            if matches!(&p, Expr::Neg(x) if matches!(**x, Expr::Num(n) if n == 1.0)) {
                return Err(self.err(format!(
                    "`{}^{{-1}}` は逆関数と紛らわしいので読まない",
                    f.latex()
                )));
            }
            Some(p)
        } else {
            None
        };
        let arg = if self.at_ch('(') {
            self.parse_group('(', ')')?
        } else if self.at_ch('{') {
            self.parse_group('{', '}')?
        } else {
            self.parse_term_opts(true)?
        };
        let e = Expr::Func(f, Box::new(arg));
        Ok(match power {
            Some(p) => Expr::Pow(Box::new(e), Box::new(p)),
            None => e,
        })
    }

    /// 次の字句が組み込み関数の命令（`\tanh`・`\operatorname{artanh}` など）か。
    pub(crate) fn at_func_cmd(&self) -> bool {
        match self.peek() {
            Some(Tok::Cmd(c)) if func_of(c).is_some() => true,
            Some(Tok::Cmd(c)) if c == "operatorname" || c == "operatorname*" => {
                let mut name = String::new();
                if matches!(self.peek_at(1), Some(t) if is_ch(t, '{')) {
                    let mut k = 2;
                    while let Some(Tok::Letter(ch)) = self.peek_at(k) {
                        name.push(*ch);
                        k += 1;
                    }
                }
                func_of(&name).is_some()
            }
            _ => false,
        }
    }

    /// 関数適用の引数。開き括弧は読み済みで、`close` で閉じる。
    pub(crate) fn parse_args(&mut self, close: char) -> Result<(Vec<Expr>, ArgSep), ParseError> {
        let saved = (self.abs_depth, self.stop_d);
        (self.abs_depth, self.stop_d) = (0, 0);
        let r = self.parse_args_inner(close);
        (self.abs_depth, self.stop_d) = saved;
        r
    }

    fn parse_args_inner(&mut self, close: char) -> Result<(Vec<Expr>, ArgSep), ParseError> {
        let mut args = vec![self.parse_expr()?];
        let mut sep = ArgSep::Comma;
        loop {
            if self.at_ch(',') {
                self.i += 1;
            } else if self.at_cmd("parallel") || self.at_cmd("|") || self.at_cmd("mid") {
                self.i += 1;
                sep = ArgSep::Parallel;
            } else {
                break;
            }
            args.push(self.parse_expr()?);
        }
        self.expect_ch(close)?;
        Ok((args, sep))
    }

    /// 微分の分母・積分の `dx` の変数（添字・冪つきの記号、関数適用なし）。
    fn parse_var(&mut self) -> Result<Expr, ParseError> {
        let v = self.parse_postfix(false)?;
        let ok = |e: &Expr| matches!(e, Expr::Sym(_));
        match &v {
            Expr::Sym(_) => Ok(v),
            Expr::Pow(b, _) if ok(b) => Ok(v),
            _ => Err(self.err("微分・積分の変数は記号（冪つき可）")),
        }
    }

    /// 微分の分母の変数。記号（冪つき可）のほか、その対数 `\ln \sigma_j^2` も読む
    /// （`\partial / \partial \ln \sigma_j^2` は ln σ_j² を 1 つの変数として動かす。評価は `deriv` を見よ）。
    fn parse_deriv_var(&mut self) -> Result<Expr, ParseError> {
        if self.at_cmd("ln") || self.at_cmd("log") {
            self.i += 1;
            let inner = self.parse_var()?;
            return Ok(Expr::Func(Func::Ln, Box::new(inner)));
        }
        self.parse_var()
    }

    fn parse_frac(&mut self) -> Result<Expr, ParseError> {
        let deriv_like = self.at_ch('{')
            && match self.peek_at(1) {
                Some(t) if is_cmd(t, "partial") => true,
                Some(Tok::Letter('d')) => {
                    matches!(self.peek_at(2), Some(Tok::Ch('}' | '^')))
                }
                _ => false,
            };
        if deriv_like {
            let save = self.i;
            match self.parse_deriv_frac() {
                Ok(e) => return Ok(e),
                Err(e) if is_cmd_at(self, save + 1, "partial") => return Err(e),
                Err(_) => self.i = save,
            }
        }
        let num = self.parse_single_or_group()?;
        let den = self.parse_single_or_group()?;
        Ok(Expr::Div(Box::new(num), Box::new(den)))
    }

    fn parse_single_or_group(&mut self) -> Result<Expr, ParseError> {
        if self.at_ch('{') {
            self.parse_group('{', '}')
        } else {
            self.parse_single()
        }
    }

    /// `\frac{\partial^n f}{\partial x \partial y}` と `\frac{d}{dA}`。
    fn parse_deriv_frac(&mut self) -> Result<Expr, ParseError> {
        self.expect_ch('{')?;
        self.i += 1; // `\partial` か `d`
        let mut order = None;
        if self.at_ch('^') {
            self.i += 1;
            if let Expr::Num(n) = self.parse_script()? {
                order = Some(n);
            }
        }
        let f = if self.at_ch('}') {
            None
        } else {
            Some(self.parse_expr()?)
        };
        self.expect_ch('}')?;
        self.expect_ch('{')?;
        let mut vars = Vec::new();
        while !self.at_ch('}') {
            if self.at_cmd("partial") || matches!(self.peek(), Some(Tok::Letter('d'))) {
                self.i += 1;
            } else {
                return Err(self.err("分母は `\\partial x` か `dx` の並び"));
            }
            vars.push(self.parse_deriv_var()?);
        }
        self.i += 1;
        if vars.is_empty() {
            return Err(self.err("微分の変数がない"));
        }
        // `\frac{\partial^2 f}{\partial K^2}`: 分子の階数が変数の数より多ければ、冪を同じ変数の繰り返しと読む
        if let Some(n) = order {
            if (vars.len() as f64) < n {
                vars = expand_repeated(vars);
                if vars.len() as f64 != n {
                    return Err(self.err("微分の階数と分母の変数の数が合わない"));
                }
            }
        }
        Ok(match f {
            Some(f) => Expr::Deriv {
                f: Box::new(f),
                vars,
            },
            None => Expr::DerivOp(vars),
        })
    }

    /// `\partial f / \partial x`。`/` が続かない `\partial k`（記号 1 つ）は、グラフでスピン k に
    /// 隣り合うものの集まり（関数 `\partial` の k での値）と読む。
    fn parse_inline_partial(&mut self) -> Result<Expr, ParseError> {
        let f = self.parse_postfix(true)?;
        if !self.at_ch('/') {
            if !matches!(f, Expr::Sym(_)) {
                return Err(
                    self.err("`\\partial` の後は `f / \\partial x` か隣の集まり `\\partial k`")
                );
            }
            let head = Expr::Sym(Symbol::new("\\partial", None));
            return Ok(Expr::Apply(Box::new(head), vec![f], ArgSep::Comma));
        }
        self.expect_ch('/')?;
        let mut vars = Vec::new();
        while self.at_cmd("partial") {
            self.i += 1;
            vars.push(self.parse_deriv_var()?);
        }
        if vars.is_empty() {
            return Err(self.err("`/` の後に `\\partial x` がない"));
        }
        Ok(Expr::Deriv {
            f: Box::new(f),
            vars,
        })
    }

    /// `\int_a^b dx\, f` と `\int_a^b f\, dx`。
    fn parse_integral(&mut self) -> Result<Expr, ParseError> {
        let (mut lo, mut hi) = (None, None);
        loop {
            if self.at_ch('_') && lo.is_none() {
                self.i += 1;
                lo = Some(Box::new(self.parse_script()?));
            } else if self.at_ch('^') && hi.is_none() {
                self.i += 1;
                hi = Some(Box::new(self.parse_script()?));
            } else {
                break;
            }
        }
        if self.differential_ahead() {
            self.i += 1;
            let var = Box::new(self.parse_var()?);
            let body = Box::new(self.parse_term()?);
            return Ok(Expr::Integral { lo, hi, var, body });
        }
        self.stop_d += 1;
        let body = self.parse_expr();
        self.stop_d -= 1;
        let body = Box::new(body?);
        if !self.differential_ahead() {
            return Err(self.err("積分の `dx` がない"));
        }
        self.i += 1;
        let var = Box::new(self.parse_var()?);
        Ok(Expr::Integral { lo, hi, var, body })
    }

    fn parse_matrix(&mut self, env: &str) -> Result<Expr, ParseError> {
        let mut rows = vec![Vec::new()];
        loop {
            let cell = if self.at_ch('&') || self.at_cmd("\\") || self.at_cmd("end") {
                None
            } else {
                Some(self.parse_expr()?)
            };
            if let Some(r) = rows.last_mut() {
                r.push(cell);
            }
            if self.at_ch('&') {
                self.i += 1;
            } else if self.at_cmd("\\") {
                self.i += 1;
                rows.push(Vec::new());
            } else if self.at_cmd("end") {
                self.i += 1;
                let name = self.read_name_group()?;
                if name != env {
                    return Err(self.err(format!("`\\end{{{name}}}` は `{env}` と合わない")));
                }
                return Ok(Expr::Matrix(rows));
            } else {
                return Err(self.err("行列の欄の後に `&`・`\\\\`・`\\end` がない"));
            }
        }
    }
}

fn is_cmd_at(p: &Parser<'_>, i: usize, name: &str) -> bool {
    matches!(p.toks.get(i), Some(t) if is_cmd(&t.tok, name))
}

/// 分母の `\partial K^2` を `\partial K \partial K` にする（指数が正の整数の冪だけ）。
fn expand_repeated(vars: Vec<Expr>) -> Vec<Expr> {
    let mut out = Vec::new();
    for v in vars {
        match &v {
            Expr::Pow(b, p) => match **p {
                Expr::Num(p) if p >= 1.0 && p.fract() == 0.0 && p <= 4.0 => {
                    (0..p as usize).for_each(|_| out.push((**b).clone()));
                }
                _ => out.push(v),
            },
            _ => out.push(v),
        }
    }
    out
}
