//! 再帰下降の構文解析（式・項・因子）。命令ごとの処理は `parser_cmds.rs` にある。
//!
//! 文法（優先順位の低い順）:
//! - 連鎖: 式 (関係 式)*
//! - 式: [±] 項 (± 項)*
//! - 項: 因子 (`\cdot` | `\times` | `/` | 並置) 因子 …
//! - 因子: 一次式 に `_`・`^`・`'`・関数適用 `(…)` が続いたもの
//!
//! `\ln`・`\sum`・`\frac{d}{dx}` などの引数（本体）は、括弧で始まらなければ続く項全体とする
//! （`\ln 2\pi` = ln(2π)、`\sum_i w_i y_i` = Σ(w_i y_i)）。

use crate::ast::{ArgSep, Chain, Expr, MulKind, PairKind, Rel, Symbol};
use crate::error::ParseError;
use crate::lexer::{is_ch, is_cmd, Tok, Token};
use crate::macros::Macros;

pub(crate) use crate::prep::{prepare, rel_of, ACCENTS, GREEK, STARTERS};

/// 構文解析器。
pub(crate) struct Parser<'s> {
    pub(crate) toks: Vec<Token>,
    pub(crate) i: usize,
    pub(crate) src: &'s str,
    pub(crate) abs_depth: usize,
    pub(crate) stop_d: usize,
}

impl<'s> Parser<'s> {
    pub(crate) fn new(src: &'s str, toks: Vec<Token>) -> Self {
        Parser {
            toks,
            i: 0,
            src,
            abs_depth: 0,
            stop_d: 0,
        }
    }

    pub(crate) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    pub(crate) fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.i + k).map(|t| &t.tok)
    }

    pub(crate) fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.i).map(|t| t.tok.clone());
        self.i += 1;
        t
    }

    pub(crate) fn at_ch(&self, c: char) -> bool {
        matches!(self.peek(), Some(t) if is_ch(t, c))
    }

    pub(crate) fn at_cmd(&self, name: &str) -> bool {
        matches!(self.peek(), Some(t) if is_cmd(t, name))
    }

    pub(crate) fn err(&self, msg: impl Into<String>) -> ParseError {
        let pos = self
            .toks
            .get(self.i)
            .map(|t| t.pos)
            .unwrap_or(self.src.len());
        ParseError::at(self.src, pos, msg)
    }

    pub(crate) fn expect_ch(&mut self, c: char) -> Result<(), ParseError> {
        if self.at_ch(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(format!("`{c}` がない")))
        }
    }

    pub(crate) fn expect_cmd(&mut self, name: &str) -> Result<(), ParseError> {
        if self.at_cmd(name) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(format!("`\\{name}` がない")))
        }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }

    /// 連鎖 `a = b \le c`。`\iff` は受け付けない（式の水準で先に分ける）。
    pub(crate) fn parse_chain(&mut self) -> Result<Chain, ParseError> {
        let mut terms = vec![self.parse_expr()?];
        let mut rels = Vec::new();
        while let Some(r) = self.peek().and_then(rel_of) {
            if r == Rel::Iff {
                return Err(self.err("`\\iff` は式の水準でだけ使える"));
            }
            self.i += 1;
            rels.push(r);
            terms.push(self.parse_expr()?);
        }
        Ok(Chain {
            terms,
            rels,
            tag: String::new(),
            first_link: 1,
        })
    }

    /// 式: 項の和と差。
    pub(crate) fn parse_expr(&mut self) -> Result<Expr, ParseError> {
        let mut acc = if self.at_ch('+') {
            self.i += 1;
            self.parse_term()?
        } else if self.at_ch('-') {
            self.i += 1;
            Expr::Neg(Box::new(self.parse_term()?))
        } else {
            self.parse_term()?
        };
        loop {
            if self.at_ch('+') {
                self.i += 1;
                acc = Expr::Add(Box::new(acc), Box::new(self.parse_term()?));
            } else if self.at_ch('-') {
                self.i += 1;
                acc = Expr::Sub(Box::new(acc), Box::new(self.parse_term()?));
            } else {
                return Ok(acc);
            }
        }
    }

    /// 項: 因子の積と商。
    pub(crate) fn parse_term(&mut self) -> Result<Expr, ParseError> {
        self.parse_term_opts(false)
    }

    /// 項。`stop_at_func` なら、2 つ目以降の因子が関数の命令（`\tanh`・`\ln` など）で始まる位置で止まる
    /// （括弧のない関数の本体: `\tanh K \tanh 3h` = tanh(K)·tanh(3h)）。
    pub(crate) fn parse_term_opts(&mut self, stop_at_func: bool) -> Result<Expr, ParseError> {
        if !self.can_start_factor() {
            return Err(self.err("式が来るはずの位置"));
        }
        let mut acc = self.parse_factor()?;
        loop {
            if let Some(kind) = self.pair_op() {
                // `l \to k`・`l \setminus k`・`\partial l \setminus k`: 左の項全体と次の因子の対
                self.i += 1;
                let f = self.parse_factor()?;
                acc = Expr::Pair(Box::new(acc), Box::new(f), kind);
                continue;
            }
            let kind = if self.at_cmd("cdot") {
                Some(MulKind::Cdot)
            } else if self.at_cmd("times") {
                Some(MulKind::Times)
            } else if self.at_cmd("odot") {
                Some(MulKind::Odot)
            } else {
                None
            };
            if let Some(k) = kind {
                self.i += 1;
                let f = self.parse_factor()?;
                acc = Expr::Mul(Box::new(acc), Box::new(f), k);
            } else if self.at_ch('/') {
                self.i += 1;
                let f = self.parse_factor()?;
                acc = Expr::Div(Box::new(acc), Box::new(f));
            } else if self.can_start_factor() {
                if stop_at_func && self.at_func_cmd() {
                    return Ok(acc);
                }
                let f = self.parse_factor()?;
                acc = Expr::Mul(Box::new(acc), Box::new(f), MulKind::Implicit);
            } else {
                return Ok(acc);
            }
        }
    }

    /// 次の字句が `\to`・`\setminus` なら、その種類。
    fn pair_op(&self) -> Option<PairKind> {
        if self.at_cmd("to") {
            Some(PairKind::To)
        } else if self.at_cmd("setminus") {
            Some(PairKind::Setminus)
        } else {
            None
        }
    }

    /// 因子。微分演算子 `\frac{d}{dx}` と `(\nabla\nabla^\T)` は続く項全体に掛かる。
    pub(crate) fn parse_factor(&mut self) -> Result<Expr, ParseError> {
        let f = self.parse_postfix(true)?;
        if matches!(f, Expr::DerivOp(_) | Expr::HessOp) && !self.can_start_factor() {
            // `(\nabla\nabla^\T)` の括弧の中など。外側の因子で続く項に掛ける
            return Ok(f);
        }
        match f {
            Expr::DerivOp(vars) => {
                let body = self.parse_term()?;
                Ok(Expr::Deriv {
                    f: Box::new(body),
                    vars,
                })
            }
            Expr::HessOp => {
                let target = self.parse_term()?;
                if !matches!(target, Expr::Apply(..)) {
                    return Err(self.err("`(\\nabla\\nabla^\\T)` の後には `f(x)` の形が要る"));
                }
                Ok(Expr::Grad {
                    hessian: true,
                    target: Box::new(target),
                })
            }
            f => Ok(f),
        }
    }

    /// 次の字句が因子を始められるか。
    pub(crate) fn can_start_factor(&self) -> bool {
        match self.peek() {
            Some(Tok::Num(_)) => true,
            Some(Tok::Letter('d')) if self.stop_d > 0 => !self.differential_ahead(),
            Some(Tok::Letter(_)) => true,
            Some(Tok::Ch('(' | '[' | '{')) => true,
            Some(Tok::Ch('|')) => self.abs_depth == 0,
            Some(Tok::Cmd(c)) => {
                GREEK.contains(&c.as_str())
                    || ACCENTS.contains(&c.as_str())
                    || STARTERS.contains(&c.as_str())
            }
            _ => false,
        }
    }

    /// 現在位置が `d` + 変数（積分の `dx`）か。
    pub(crate) fn differential_ahead(&self) -> bool {
        matches!(self.peek(), Some(Tok::Letter('d')))
            && match self.peek_at(1) {
                Some(Tok::Letter(_)) => true,
                Some(Tok::Cmd(c)) => GREEK.contains(&c.as_str()) || ACCENTS.contains(&c.as_str()),
                _ => false,
            }
    }

    /// 一次式に添字・冪・プライム・関数適用を付ける。
    pub(crate) fn parse_postfix(&mut self, allow_apply: bool) -> Result<Expr, ParseError> {
        // `(\chi^{-1})_{kl}`: 丸括弧で囲んだ式の添字は、中の記号ではなく括弧の値に付ける
        let paren = self.at_ch('(');
        let mut e = self.parse_primary()?;
        if paren && self.at_ch('_') {
            self.i += 1;
            let s = self.parse_script()?;
            e = Expr::Subscripted(Box::new(e), Box::new(s));
        }
        loop {
            if self.at_ch('_') {
                self.i += 1;
                let s = self.parse_script()?;
                e = self.attach_sub(e, s)?;
            } else if allow_apply && self.at_ch('[') && matches!(e, Expr::Sym(_)) {
                // `F[r]`: 汎関数の適用（引数は名札）
                self.i += 1;
                let (args, _) = self.parse_args(']')?;
                e = Expr::Apply(Box::new(e), args, ArgSep::Bracket);
            } else if self.at_ch('^') {
                self.i += 1;
                e = self.parse_sup(e)?;
            } else if self.at_ch('\'') {
                self.i += 1;
                // `f'`・`f_l'`（層 l の活性化関数の導関数）: プライムは名前に付け、添字はそのまま残す
                match e {
                    Expr::Sym(s) => {
                        e = Expr::Sym(Symbol::new(format!("{}'", s.name), s.sub.map(|b| *b)))
                    }
                    _ => return Err(self.err("`'` は記号にだけ付ける")),
                }
            } else if allow_apply
                && self.at_ch('(')
                && (matches!(e, Expr::Sym(_) | Expr::Apply(..)) || is_partial_of_name(&e))
                && !self.group_followed_by_pow()
            {
                self.i += 1;
                let (args, sep) = self.parse_args(')')?;
                e = Expr::Apply(Box::new(e), args, sep);
            } else {
                return Ok(e);
            }
        }
    }

    /// `(` から対応する `)` の次が `^` か（`L(\theta-\theta_0)^2` は適用でなく積）。
    fn group_followed_by_pow(&self) -> bool {
        let mut depth = 0i32;
        for (k, t) in self.toks[self.i..].iter().enumerate() {
            match &t.tok {
                Tok::Ch('(') => depth += 1,
                Tok::Ch(')') => {
                    depth -= 1;
                    if depth == 0 {
                        return matches!(self.peek_at(k + 1), Some(Tok::Ch('^')));
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// `^` の後: `\top` なら転置、`{(i)}` ならデータ番号、ほかは冪。
    fn parse_sup(&mut self, base: Expr) -> Result<Expr, ParseError> {
        let top =
            |t: Option<&Tok>| matches!(t, Some(t) if is_cmd(t, "top") || is_cmd(t, "intercal"));
        if top(self.peek()) {
            self.i += 1;
            return Ok(Expr::Transpose(Box::new(base)));
        }
        if self.at_ch('{') && top(self.peek_at(1)) && matches!(self.peek_at(2), Some(Tok::Ch('}')))
        {
            self.i += 3;
            return Ok(Expr::Transpose(Box::new(base)));
        }
        // `\theta^*`・`\theta^{*}`・`\theta^\ast`: 最適点などの名前（冪ではなく記号の一部）
        let star = |t: Option<&Tok>| {
            matches!(t, Some(Tok::Ch('*'))) || matches!(t, Some(t) if is_cmd(t, "ast"))
        };
        let width = if star(self.peek()) {
            1
        } else if self.at_ch('{')
            && star(self.peek_at(1))
            && matches!(self.peek_at(2), Some(Tok::Ch('}')))
        {
            3
        } else {
            0
        };
        if width > 0 {
            return match base {
                Expr::Sym(s) if s.sub.is_none() => {
                    self.i += width;
                    Ok(Expr::Sym(Symbol::new(format!("{}^*", s.name), None)))
                }
                _ => Err(self.err("`^*` は添字のない記号にだけ付ける")),
            };
        }
        if self.at_ch('{') && matches!(self.peek_at(1), Some(Tok::Ch('('))) {
            let save = self.i;
            self.i += 2;
            if let Ok(inner) = self.parse_expr() {
                if self.at_ch(')') && matches!(self.peek_at(1), Some(Tok::Ch('}'))) {
                    self.i += 2;
                    return Ok(Expr::DataIndex(Box::new(base), Box::new(inner)));
                }
            }
            self.i = save;
        }
        let s = self.parse_script()?;
        Ok(Expr::Pow(Box::new(base), Box::new(s)))
    }

    /// 下付き添字を付ける。冪・転置の中の添字なしの記号にも付けられる（`x^2_k`）。
    pub(crate) fn attach_sub(&self, e: Expr, s: Expr) -> Result<Expr, ParseError> {
        match e {
            Expr::Sym(sym) if sym.sub.is_none() => Ok(Expr::Sym(Symbol::new(sym.name, Some(s)))),
            Expr::Pow(b, x) if matches!(&*b, Expr::Sym(y) if y.sub.is_none()) => {
                Ok(Expr::Pow(Box::new(self.attach_sub(*b, s)?), x))
            }
            Expr::Sym(_) => Err(self.err("添字が 2 つある")),
            other => Ok(Expr::Subscripted(Box::new(other), Box::new(s))),
        }
    }

    /// 添字・冪の中身: `{…}` か 1 字句。数字の列は最初の 1 桁だけ取る（TeX と同じ）。
    pub(crate) fn parse_script(&mut self) -> Result<Expr, ParseError> {
        if self.at_ch('{') {
            self.i += 1;
            let e = self.parse_list('}')?;
            self.expect_ch('}')?;
            return Ok(e);
        }
        self.parse_single()
    }

    /// 引数 1 つ（`{…}` でなければ 1 字句）。
    pub(crate) fn parse_single(&mut self) -> Result<Expr, ParseError> {
        if let Some(Tok::Num(n)) = self.peek().cloned() {
            if n.len() > 1 {
                let (first, rest) = n.split_at(1);
                self.toks[self.i].tok = Tok::Num(rest.to_string());
                return Ok(Expr::Num(first.parse().unwrap_or(0.0)));
            }
        }
        if self.at_ch('-') {
            return Err(self.err("添字の `-` は `{}` で囲む"));
        }
        self.parse_primary()
    }

    /// `,` 区切りの並び（1 つなら式そのもの、2 つ以上なら組）。関係が続けば条件にする。
    pub(crate) fn parse_list(&mut self, close: char) -> Result<Expr, ParseError> {
        let first = self.parse_comma_items()?;
        let Some(r) = self.peek().and_then(rel_of) else {
            return Ok(first);
        };
        let mut chain = Chain {
            terms: vec![first],
            rels: Vec::new(),
            tag: String::new(),
            first_link: 1,
        };
        let mut r = Some(r);
        while let Some(rel) = r {
            self.i += 1;
            chain.rels.push(rel);
            let rhs = self.parse_expr()?;
            // `k<l,\, J_{kl} \ne 0`: `,` の後に関係を含む並びが続けば、次の条件（条件の組）
            if self.at_ch(',') {
                let save = self.i;
                self.i += 1;
                if let Ok(rest) = self.parse_list(close) {
                    let more: Vec<Expr> = match rest {
                        Expr::Cond(_) => vec![rest],
                        Expr::Tuple(v) if v.iter().all(|x| matches!(x, Expr::Cond(_))) => v,
                        _ => Vec::new(),
                    };
                    if !more.is_empty() {
                        chain.terms.push(rhs);
                        let mut all = vec![Expr::Cond(Box::new(chain))];
                        all.extend(more);
                        return Ok(Expr::Tuple(all));
                    }
                }
                self.i = save;
            }
            let mut items = vec![rhs];
            while self.at_ch(',') {
                self.i += 1;
                items.push(self.parse_expr()?);
            }
            chain.terms.push(if items.len() == 1 {
                items.pop().unwrap_or(Expr::Ellipsis)
            } else {
                Expr::Tuple(items)
            });
            r = self.peek().and_then(rel_of);
        }
        let closed = self.at_ch(close)
            || (close == '}' && self.at_cmd("}"))
            || (close == '\0' && self.at_end());
        if !closed {
            return Err(self.err(format!("`{close}` が来るはずの位置")));
        }
        Ok(Expr::Cond(Box::new(chain)))
    }

    fn parse_comma_items(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.parse_expr()?];
        while self.at_ch(',') {
            self.i += 1;
            items.push(self.parse_expr()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Ellipsis)
        } else {
            Expr::Tuple(items)
        })
    }
}

/// 名前の偏導関数 `\frac{\partial f}{\partial z_j}` か（続く `(\vec{a})` は点 a での値: 評価は `eval` を見よ）。
fn is_partial_of_name(e: &Expr) -> bool {
    matches!(e, Expr::Deriv { f, .. } if matches!(**f, Expr::Sym(_)))
}

/// 式 1 つ（関係を含めば条件、`,` を含めば組）を読む。
pub fn parse_expr(latex: &str, macros: &Macros) -> Result<Expr, ParseError> {
    let (src, toks) = prepare(latex, macros, false)?;
    let mut p = Parser::new(&src, toks);
    let e = p.parse_list('\0')?;
    if !p.at_end() {
        return Err(p.err("式の後に読めない字句が残っている"));
    }
    Ok(e)
}

/// 関係の連鎖 1 つを読む。
pub fn parse_chain(latex: &str, macros: &Macros) -> Result<Chain, ParseError> {
    let (src, toks) = prepare(latex, macros, false)?;
    let mut p = Parser::new(&src, toks);
    let c = p.parse_chain()?;
    if !p.at_end() {
        return Err(p.err("連鎖の後に読めない字句が残っている"));
    }
    Ok(c)
}
