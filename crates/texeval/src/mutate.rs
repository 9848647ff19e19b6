//! 印刷された式の変異（mutation）を作る。変異した式がテストで落ちれば、その式は
//! 数値で確かめられている（「印刷された式の変異スコア」）。元の LaTeX（マクロ展開前）を書き換える。

use crate::lexer::{lex, Tok, Token};

/// 変異の種類。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MutationKind {
    /// `+` ↔ `-`。
    FlipSign,
    /// `\frac{1}{2}`・`\frac{1}{n}` を消す。
    DropFactor,
    /// `\frac{1}{n}` → `\frac{1}{n-1}`。
    BesselN,
    /// `\ln` を消す。
    DropLn,
    /// `^\T` を消す。
    DropTranspose,
    /// ベクトルに `^\T` を足す。
    AddTranspose,
    /// 2 文字の添字を入れ替える（`_{kl}` → `_{lk}`）。
    SwapIndices,
    /// `\le` ↔ `\ge`、`<` ↔ `>`。
    FlipInequality,
}

/// 変異 1 つ。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// 種類。
    pub kind: MutationKind,
    /// 短い説明（例: `+ → - (位置 12)`）。
    pub description: String,
    /// 変異した LaTeX。
    pub latex: String,
}

const FRAC: &[&str] = &["frac", "tfrac", "dfrac"];
const VECTOR_MACROS: &[&str] = &["vx", "vmu", "vtheta"];

fn replace(src: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{}{}", &src[..start], with, &src[end..])
}

/// 変異をすべて作る。同じ結果になる変異は 1 つにまとめる。字句に分けられなければ空。
pub fn mutants(latex: &str) -> Vec<Mutant> {
    let Ok(toks) = lex(latex) else {
        return Vec::new();
    };
    let mut out: Vec<Mutant> = Vec::new();
    let mut push = |kind, description: String, latex: String| {
        if !out.iter().any(|m: &Mutant| m.latex == latex) {
            out.push(Mutant {
                kind,
                description,
                latex,
            });
        }
    };
    for (k, t) in toks.iter().enumerate() {
        let at = t.pos;
        match &t.tok {
            Tok::Ch('+') => push(
                MutationKind::FlipSign,
                format!("+ → - (位置 {at})"),
                replace(latex, at, t.end, "-"),
            ),
            Tok::Ch('-') => push(
                MutationKind::FlipSign,
                format!("- → + (位置 {at})"),
                replace(latex, at, t.end, "+"),
            ),
            Tok::Ch('<') => push(
                MutationKind::FlipInequality,
                format!("< → > (位置 {at})"),
                replace(latex, at, t.end, ">"),
            ),
            Tok::Ch('>') => push(
                MutationKind::FlipInequality,
                format!("> → < (位置 {at})"),
                replace(latex, at, t.end, "<"),
            ),
            Tok::Cmd(c) => {
                let flip = match c.as_str() {
                    "le" => Some("\\ge"),
                    "ge" => Some("\\le"),
                    "leq" => Some("\\geq"),
                    "geq" => Some("\\leq"),
                    _ => None,
                };
                if let Some(f) = flip {
                    push(
                        MutationKind::FlipInequality,
                        format!("\\{c} → {f} (位置 {at})"),
                        replace(latex, at, t.end, f),
                    );
                }
                if c == "ln" {
                    push(
                        MutationKind::DropLn,
                        format!("\\ln を消す (位置 {at})"),
                        replace(latex, at, t.end, ""),
                    );
                }
                if c == "top" || c == "T" {
                    if let Some(hat) = toks[..k].last().filter(|p| p.tok == Tok::Ch('^')) {
                        push(
                            MutationKind::DropTranspose,
                            format!("^\\{c} を消す (位置 {})", hat.pos),
                            replace(latex, hat.pos, t.end, ""),
                        );
                    }
                }
                if VECTOR_MACROS.contains(&c.as_str()) || c == "vec" {
                    add_transpose(latex, &toks, k, &mut push);
                }
                if FRAC.contains(&c.as_str()) {
                    frac_mutants(latex, &toks, k, &mut push);
                }
            }
            Tok::Ch('_') => swap_indices(latex, &toks, k, &mut push),
            _ => {}
        }
    }
    out
}

/// `\vx`・`\vec{a}` の後（添字があればその後）に `^\T` を足す。すでに `^` が続くなら足さない。
fn add_transpose(
    latex: &str,
    toks: &[Token],
    k: usize,
    push: &mut impl FnMut(MutationKind, String, String),
) {
    let mut j = k + 1;
    if matches!(toks[k].tok, Tok::Cmd(ref c) if c == "vec") {
        j = skip_arg(toks, j);
    }
    if matches!(toks.get(j), Some(t) if t.tok == Tok::Ch('_')) {
        j = skip_arg(toks, j + 1);
    }
    if matches!(toks.get(j), Some(t) if t.tok == Tok::Ch('^')) {
        return;
    }
    let at = toks.get(j.saturating_sub(1)).map_or(latex.len(), |t| t.end);
    push(
        MutationKind::AddTranspose,
        format!("^\\top を足す (位置 {at})"),
        replace(latex, at, at, "^\\top"),
    );
}

/// 引数 1 つ（`{…}` か 1 字句）を飛ばした位置。
fn skip_arg(toks: &[Token], j: usize) -> usize {
    if !matches!(toks.get(j), Some(t) if t.tok == Tok::Ch('{')) {
        return j + 1;
    }
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(j) {
        match t.tok {
            Tok::Ch('{') => depth += 1,
            Tok::Ch('}') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// `\frac{1}{2}`・`\frac{1}{n}` を消す、`\frac{1}{n}` → `\frac{1}{n-1}`。
fn frac_mutants(
    latex: &str,
    toks: &[Token],
    k: usize,
    push: &mut impl FnMut(MutationKind, String, String),
) {
    let w: Vec<&Tok> = toks[k + 1..].iter().take(6).map(|t| &t.tok).collect();
    let one = matches!(w.as_slice(), [Tok::Ch('{'), Tok::Num(n), Tok::Ch('}'), Tok::Ch('{'), _, Tok::Ch('}')] if n == "1");
    if !one {
        return;
    }
    let (start, end) = (toks[k].pos, toks[k + 6].end);
    let den = &latex[toks[k + 5].pos..toks[k + 5].end];
    if den == "2" || den == "n" {
        push(
            MutationKind::DropFactor,
            format!("\\frac{{1}}{{{den}}} を消す (位置 {start})"),
            replace(latex, start, end, ""),
        );
    }
    if den == "n" {
        let with = format!("{}{{1}}{{n-1}}", &latex[start..toks[k].end]);
        push(
            MutationKind::BesselN,
            format!("\\frac{{1}}{{n}} → \\frac{{1}}{{n-1}} (位置 {start})"),
            replace(latex, start, end, &with),
        );
    }
}

/// `_{kl}`・`_{k,l}`（2 つの英字）の入れ替え。
fn swap_indices(
    latex: &str,
    toks: &[Token],
    k: usize,
    push: &mut impl FnMut(MutationKind, String, String),
) {
    let w: Vec<&Token> = toks[k + 1..].iter().take(5).collect();
    fn letters<'t>(a: &'t Token, b: &'t Token) -> Option<(&'t Token, &'t Token)> {
        match (&a.tok, &b.tok) {
            (Tok::Letter(x), Tok::Letter(y)) if x != y => Some((a, b)),
            _ => None,
        }
    }
    let pair = match w.as_slice() {
        [o, a, b, c, ..] if o.tok == Tok::Ch('{') && c.tok == Tok::Ch('}') => letters(a, b),
        [o, a, m, b, c]
            if o.tok == Tok::Ch('{') && m.tok == Tok::Ch(',') && c.tok == Tok::Ch('}') =>
        {
            letters(a, b)
        }
        _ => None,
    };
    if let Some((a, b)) = pair {
        let (x, y) = (&latex[a.pos..a.end], &latex[b.pos..b.end]);
        let mut s = latex.to_string();
        s.replace_range(b.pos..b.end, x);
        s.replace_range(a.pos..a.end, y);
        push(
            MutationKind::SwapIndices,
            format!("添字 {x}{y} → {y}{x} (位置 {})", a.pos),
            s,
        );
    }
}
