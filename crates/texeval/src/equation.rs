//! 番号つきの式 1 つ（`aligned`・`gathered`・`cases`・`\qquad` 区切り・`\iff` を含む）を読む。
//!
//! 規則:
//! - `\tag{…}`・`\notag` は取り除く。全体が `\left\{ … \right.` なら外す。
//! - 行環境（`aligned`・`align`・`gathered`・`split`・`cases` など）は `rows` の規則で
//!   1 本の字句列に平らにする。関係か二項演算子（`+`・`-`・`\cdot`・`\times`）で始まる行と、
//!   二項演算子か関係で終わる行の次の行は前の行の続き（そのままつなぐ）、そうでない行は
//!   新しい部分（`\qquad` で区切ったのと同じ）である。行頭と `&` の直後の空白と `{}` は捨てる。
//!   内側の行環境（`gathered` の中の `aligned` など）も同じ規則で平らにする。
//! - 平らにした列を深さ 0 の `\qquad` で部分に分ける（直前の `,` も区切りとみなす）。
//! - 部分は深さ 0 の `\iff` で節に分け、節はそれぞれ関係の連鎖として読む。
//! - 括弧で囲んだ不等式だけの部分（`\qquad (K > K_{\mathrm{c}})`・`(k \ne l)`、式の適用範囲）は、
//!   括弧を外した連鎖として読む（束縛がその範囲にあることを link として確かめる）。
//! - 関係の通し番号（link）は式全体で 1 から数え、`\iff` も 1 つの link とする。
//!   続きの行は link を増やさないので、折り返しても link の番号は 1 行に書いた式と同じである。

use crate::ast::{Chain, Expr, Rel};
use crate::error::ParseError;
use crate::lexer::{is_ch, is_cmd, Token};
use crate::macros::Macros;
use crate::parser::{prepare, rel_of, Parser};
use crate::rows::{flatten, split_depth0, PART_SEP};

/// 部分（`\qquad` で区切られた 1 つの主張）。
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `\iff` で区切られた節。
    pub clauses: Vec<Chain>,
    /// 節 k と k+1 の間の `\iff` の通し番号。
    pub iff_links: Vec<usize>,
}

/// 番号つきの式。
#[derive(Debug, Clone, PartialEq)]
pub struct Equation {
    /// 式番号（例: `2.11a`）。
    pub tag: String,
    /// 部分。
    pub parts: Vec<Statement>,
}

impl Equation {
    /// すべての連鎖を順に。
    pub fn chains(&self) -> impl Iterator<Item = &Chain> {
        self.parts.iter().flat_map(|p| p.clauses.iter())
    }

    /// link の総数。
    pub fn link_count(&self) -> usize {
        self.parts
            .iter()
            .map(|p| p.iff_links.len() + p.clauses.iter().map(|c| c.rels.len()).sum::<usize>())
            .sum()
    }
}

/// 番号つきの式を読む。`tag` は報告用の式番号。
pub fn parse_equation(tag: &str, latex: &str, macros: &Macros) -> Result<Equation, ParseError> {
    let (src, toks) = prepare(latex, macros, true)?;
    let toks = strip_tags(&src, toks)?;
    let toks = strip_system_brace(toks);
    let toks = flatten(&src, &toks)?;
    let mut link = 1;
    let mut parts = Vec::new();
    for mut p in split_at_qquad(toks) {
        p.retain(|t| !is_cmd(&t.tok, PART_SEP));
        trim_punct(&mut p);
        if p.is_empty() {
            continue;
        }
        let mut clauses = Vec::new();
        let mut iff_links = Vec::new();
        for (k, clause) in split_depth0(p, |t| rel_of(t) == Some(Rel::Iff))
            .into_iter()
            .enumerate()
        {
            if k > 0 {
                iff_links.push(link);
                link += 1;
            }
            let mut parser = Parser::new(&src, clause);
            let mut chain = side_condition(parser.parse_chain()?);
            if !parser.at_end() {
                return Err(parser.err("式の後に読めない字句が残っている"));
            }
            chain.tag = tag.to_string();
            chain.first_link = link;
            link += chain.rels.len();
            clauses.push(chain);
        }
        parts.push(Statement { clauses, iff_links });
    }
    if parts.is_empty() {
        return Err(ParseError::at(&src, 0, "空の式"));
    }
    Ok(Equation {
        tag: tag.to_string(),
        parts,
    })
}

/// 括弧で囲んだ適用範囲の条件だけの部分（`\qquad (K > K_{\mathrm{c}})`・`(k \ne l)`）は、その中の
/// 連鎖にする（束縛がその条件を満たすかを link として確かめる）。関係が `<`・`>`・`\le`・`\ge`・`\ne`
/// のときだけで、`(i = 1, \dots, n)` のような添字の範囲の注記は link にしない。
fn side_condition(chain: Chain) -> Chain {
    let order = |r: &Rel| matches!(r, Rel::Lt | Rel::Gt | Rel::Le | Rel::Ge | Rel::Ne);
    match chain.terms.as_slice() {
        [Expr::Cond(inner)] if chain.rels.is_empty() && inner.rels.iter().all(order) => {
            (**inner).clone()
        }
        _ => chain,
    }
}

fn strip_tags(src: &str, toks: Vec<Token>) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if is_cmd(&toks[i].tok, "tag") || is_cmd(&toks[i].tok, "tag*") {
            i += 1;
            if !matches!(toks.get(i), Some(t) if is_ch(&t.tok, '{')) {
                return Err(ParseError::at(
                    src,
                    toks[i - 1].pos,
                    "`\\tag` の後に `{` がない",
                ));
            }
            while i < toks.len() && !is_ch(&toks[i].tok, '}') {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !is_cmd(&toks[i].tok, "notag") && !is_cmd(&toks[i].tok, "nonumber") {
            out.push(toks[i].clone());
        }
        i += 1;
    }
    Ok(out)
}

/// `\left\{ … \right.` は prepare で `\{ …` になっている。先頭の `\{` に対応する `\}` がなければ外す。
fn strip_system_brace(toks: Vec<Token>) -> Vec<Token> {
    if !matches!(toks.first(), Some(t) if is_cmd(&t.tok, "{")) {
        return toks;
    }
    let opens = toks.iter().filter(|t| is_cmd(&t.tok, "{")).count();
    let closes = toks.iter().filter(|t| is_cmd(&t.tok, "}")).count();
    if opens == closes + 1 {
        toks[1..].to_vec()
    } else {
        toks
    }
}

fn split_at_qquad(row: Vec<Token>) -> Vec<Vec<Token>> {
    let mut parts = split_depth0(row, |t| is_cmd(t, PART_SEP));
    for p in parts.iter_mut() {
        trim_punct(p);
    }
    parts.retain(|p| !p.is_empty());
    parts
}

fn trim_punct(p: &mut Vec<Token>) {
    while matches!(p.last(), Some(t) if is_ch(&t.tok, ',') || is_ch(&t.tok, '.') || is_cmd(&t.tok, "qquad"))
    {
        p.pop();
    }
}
