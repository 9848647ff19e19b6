//! 字句の下ごしらえ（マクロ展開・`\text` と空白命令の除去）と、命令の分類。

use crate::ast::Rel;
use crate::error::ParseError;
use crate::lexer::{is_ch, is_cmd, lex, Tok, Token};
use crate::macros::Macros;

pub(crate) const GREEK: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "Gamma",
    "delta",
    "Delta",
    "epsilon",
    "varepsilon",
    "zeta",
    "eta",
    "theta",
    "Theta",
    "vartheta",
    "iota",
    "kappa",
    "lambda",
    "Lambda",
    "mu",
    "nu",
    "xi",
    "Xi",
    "pi",
    "Pi",
    "rho",
    "sigma",
    "Sigma",
    "tau",
    "upsilon",
    "phi",
    "Phi",
    "varphi",
    "chi",
    "psi",
    "Psi",
    "omega",
    "Omega",
    "ell",
];
pub(crate) const ACCENTS: &[&str] = &[
    "vec",
    "hat",
    "tilde",
    "bar",
    "mathbf",
    "boldsymbol",
    "dot",
    "ddot",
    "overline",
    "widehat",
    "widetilde",
    "bm",
];
pub(crate) const SIZING: &[&str] = &[
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm",
];
pub(crate) const SPACING: &[&str] = &[
    ",",
    ";",
    "!",
    ":",
    " ",
    ">",
    "quad",
    "qquad",
    "displaystyle",
    "textstyle",
    "limits",
    "nolimits",
    "thinspace",
    "medspace",
    "enspace",
];
pub(crate) const STARTERS: &[&str] = &[
    "frac",
    "tfrac",
    "dfrac",
    "cfrac",
    "sqrt",
    "exp",
    "ln",
    "log",
    "cosh",
    "sinh",
    "tanh",
    "coth",
    "sin",
    "cos",
    "det",
    "sum",
    "prod",
    "max",
    "min",
    "arg",
    "int",
    "partial",
    "nabla",
    "langle",
    "infty",
    "dots",
    "ldots",
    "cdots",
    "ddots",
    "vdots",
    "{",
    "begin",
    "mathcal",
    "mathrm",
    "mathbb",
    "operatorname",
    "operatorname*",
    "mathop",
];

/// マクロを展開して字句に分け、`\text`・大きさ指定・空白命令を取り除く。
/// `\qquad` は `keep_qquad` のとき残す（式の区切りに使う）。
pub(crate) fn prepare(
    latex: &str,
    macros: &Macros,
    keep_qquad: bool,
) -> Result<(String, Vec<Token>), ParseError> {
    let src = macros.expand(latex)?;
    let raw = lex(&src)?;
    let mut out: Vec<Token> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let t = &raw[i];
        // `\overset{\text{… のみ}}{=}` は「θ によらない項を除いて等しい」
        if is_cmd(&t.tok, "overset") {
            let pat = raw.get(i + 1..i + 7).map(|w| {
                is_ch(&w[0].tok, '{')
                    && matches!(&w[1].tok, Tok::Text(s) if s.contains("のみ"))
                    && is_ch(&w[2].tok, '}')
                    && is_ch(&w[3].tok, '{')
                    && is_ch(&w[4].tok, '=')
                    && is_ch(&w[5].tok, '}')
            });
            if pat == Some(true) {
                out.push(Token {
                    tok: Tok::Cmd("onlytheta".into()),
                    pos: t.pos,
                    end: raw[i + 6].end,
                });
                i += 7;
                continue;
            }
            return Err(ParseError::at(
                &src,
                t.pos,
                "`\\overset` は `\\onlytheta` の形だけ読む",
            ));
        }
        match &t.tok {
            Tok::Text(_) => {}
            Tok::Cmd(c) if SIZING.contains(&c.as_str()) => {
                if matches!(raw.get(i + 1), Some(n) if is_ch(&n.tok, '.')) {
                    i += 1;
                }
            }
            Tok::Cmd(c) if c == "qquad" && keep_qquad => out.push(t.clone()),
            Tok::Cmd(c) if SPACING.contains(&c.as_str()) => {}
            Tok::Cmd(c) if c == "lvert" || c == "rvert" || c == "vert" => out.push(Token {
                tok: Tok::Ch('|'),
                ..t.clone()
            }),
            _ => out.push(t.clone()),
        }
        i += 1;
    }
    Ok((src, out))
}

/// 関係を表す字句なら、その関係。
pub(crate) fn rel_of(t: &Tok) -> Option<Rel> {
    Some(match t {
        Tok::Ch('=') => Rel::Eq,
        Tok::Ch('<') => Rel::Lt,
        Tok::Ch('>') => Rel::Gt,
        Tok::Cmd(c) => match c.as_str() {
            "le" | "leq" | "leqslant" => Rel::Le,
            "ge" | "geq" | "geqslant" => Rel::Ge,
            "approx" | "simeq" => Rel::Approx,
            "propto" => Rel::Propto,
            "ne" | "neq" => Rel::Ne,
            "ll" => Rel::Ll,
            "in" => Rel::In,
            "sim" => Rel::Sim,
            "onlytheta" => Rel::OnlyTheta,
            "iff" | "Leftrightarrow" | "Longleftrightarrow" => Rel::Iff,
            _ => return None,
        },
        _ => return None,
    })
}
