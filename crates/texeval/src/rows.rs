//! 行環境（`aligned`・`gathered` など）を、行の区切りのない 1 本の字句列に平らにする。
//!
//! 本の長い式は、画面の幅に収まるよう行環境の中で折り返してある。折り返しは式の意味を
//! 変えないので、行をつなぎ直してから読む。行のつなぎ方の規則:
//!
//! 1. 環境の中身をグループ（`{…}`・`\begin…\end`）の深さ 0 の `\\`（`\\[2ex]` も）で行に分ける。
//!    `pmatrix` などの中の `\\` では分けない。丸括弧はグループでないので、`\Bigl( … \\ … \Bigr)` と
//!    括弧の中で折り返した行も分ける（その続きの行は規則 3 の続きでなければならない）。
//!    行は深さ 0 の `&`（揃えの印）を捨てて読む。
//! 2. 行頭と `&` の直後にある空白（`\quad`・`\;` などに加えて `\qquad` も）と空の組 `{}` は
//!    飾りとして捨てる（`&\qquad {} + …` の `{}` は `+` を二項演算にするための TeX の書き方）。
//! 3. 捨てた後の行が次のどれかなら、その行は**前の行の続き**であり、前の行の最後の項に
//!    そのままつなぐ（行の区切りと `&` を消した式と同じになる）:
//!    - 関係（`=`・`\le`・`\onlytheta`・`\iff` など）で始まる（連鎖が続く）。
//!    - 二項演算子 `+`・`-`・`\cdot`・`\times` で始まる（和や積の途中で折り返した）。KL 情報量の引数の
//!      区切り `\parallel` で始まる（長い引数の間で折り返した）。
//!    - 前の行が二項演算子か関係で終わる（演算子を行末に置いて折り返した）。
//! 4. どれでもない行は**新しい部分**（別の主張）であり、前の行との間に部分の区切り
//!    （深さ 0 の `\qquad` と同じもの）を入れる。`gathered` の 2 行目の `m = …` や、
//!    `\left\{ \begin{aligned} … \end{aligned} \right.` の各行がこれにあたる。
//! 5. 行環境は式のどこに現れてもよい（`gathered` の中の `aligned`、`\iff` の節の中など）。
//!    内側の環境も同じ規則で平らにしてから、外側の行として扱う。
//!    括弧の中（深さが 0 でない位置）の環境と、前の行で開いた丸括弧が閉じていない行では部分を
//!    分けられないので、規則 4 にあたる行があれば [`ParseError`] とする。`cases` は深さ 0 にあるときだけ行に分ける。
//!
//! 続きの行は新しい link を作らない（つないだ後の連鎖の関係だけが link になる）。
//! 行頭の `-`・`+` は、`&` も `{}` もなければ TeX では単項の符号として組まれるが、この規則では
//! どちらも前の行の続きとして読む（前の行が `,` で終わっていても同じ）。負号で始まる別の主張
//! （`-c = d`）を新しい行に置くことはできないので、`\qquad` で区切って同じ行に書く。

use crate::error::ParseError;
use crate::lexer::{is_ch, is_cmd, Tok, Token};
use crate::prep::{rel_of, SPACING};

/// 行に分ける環境。
const ROW_ENVS: &[&str] = &[
    "aligned", "align", "align*", "cases", "gathered", "split", "gather", "gather*",
];

/// 部分の区切りに使う命令（`\qquad`）。
pub(crate) const PART_SEP: &str = "qquad";

/// 深さの変化（`{`・`(`・`\begin` で +1）。
pub(crate) fn depth_delta(t: &Tok) -> i32 {
    match t {
        Tok::Ch('{' | '(' | '[') => 1,
        Tok::Ch('}' | ')' | ']') => -1,
        Tok::Cmd(c) if c == "begin" || c == "{" || c == "langle" => 1,
        Tok::Cmd(c) if c == "end" || c == "}" || c == "rangle" => -1,
        _ => 0,
    }
}

/// 深さ 0 の `is_sep` で分ける（区切りの字句は捨てる）。
pub(crate) fn split_depth0(toks: Vec<Token>, is_sep: impl Fn(&Tok) -> bool) -> Vec<Vec<Token>> {
    let mut out = vec![Vec::new()];
    let mut depth = 0;
    for t in toks {
        if depth == 0 && is_sep(&t.tok) {
            out.push(Vec::new());
            continue;
        }
        depth += depth_delta(&t.tok);
        if let Some(last) = out.last_mut() {
            last.push(t);
        }
    }
    out
}

/// 式全体の字句列を平らにする。行環境の外の `&` も捨てる。
pub(crate) fn flatten(src: &str, toks: &[Token]) -> Result<Vec<Token>, ParseError> {
    let out = clean_row(flatten_seq(src, toks, 0)?);
    if let Some(first) = out.first() {
        if rel_of(&first.tok).is_some() {
            return Err(ParseError::at(src, first.pos, "最初の行が関係で始まる"));
        }
    }
    Ok(out)
}

/// 字句列の中の行環境を、行をつないだ字句に置き換える。`base` は列の外側の深さ。
fn flatten_seq(src: &str, toks: &[Token], base: i32) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::with_capacity(toks.len());
    let mut depth = base;
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        if let Some((name, body)) = env_name_at(toks, i) {
            let splits = ROW_ENVS.contains(&name.as_str()) && (depth == 0 || name != "cases");
            if splits {
                let (end_at, after) = find_end(src, toks, body, &name)?;
                let rows = split_rows(toks.get(body..end_at).unwrap_or_default().to_vec());
                out.extend(join_rows(src, rows, depth)?);
                i = after;
                continue;
            }
        }
        depth += depth_delta(&t.tok);
        out.push(t.clone());
        i += 1;
    }
    Ok(out)
}

/// `i` が `\begin{name}` なら、その名前と中身の始まりの位置。
fn env_name_at(toks: &[Token], i: usize) -> Option<(String, usize)> {
    if !is_cmd(&toks.get(i)?.tok, "begin") {
        return None;
    }
    read_env_name(toks, i + 1)
}

/// `k` から `{name}` を読み、名前と `}` の次の位置を返す。
fn read_env_name(toks: &[Token], k: usize) -> Option<(String, usize)> {
    if !is_ch(&toks.get(k)?.tok, '{') {
        return None;
    }
    let mut name = String::new();
    let mut k = k + 1;
    loop {
        match &toks.get(k)?.tok {
            Tok::Letter(c) => name.push(*c),
            Tok::Ch('*') => name.push('*'),
            Tok::Ch('}') => return Some((name, k + 1)),
            _ => return None,
        }
        k += 1;
    }
}

/// `body` から対応する `\end{name}` を探し、（`\end` の位置, `\end{name}` の次の位置）を返す。
fn find_end(
    src: &str,
    toks: &[Token],
    body: usize,
    name: &str,
) -> Result<(usize, usize), ParseError> {
    let begin_pos = toks.get(body.saturating_sub(1)).map_or(0, |t| t.pos);
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(body) {
        if is_cmd(&t.tok, "begin") {
            depth += 1;
        } else if is_cmd(&t.tok, "end") {
            if depth > 0 {
                depth -= 1;
                continue;
            }
            return match read_env_name(toks, k + 1) {
                Some((n, after)) if n == name => Ok((k, after)),
                _ => Err(ParseError::at(
                    src,
                    t.pos,
                    format!("`\\begin{{{name}}}` に合う `\\end{{{name}}}` がない"),
                )),
            };
        }
    }
    Err(ParseError::at(src, begin_pos, "`\\end` がない"))
}

/// TeX のグループの深さの変化（`{`・`\begin` で +1）。丸括弧や `\Bigl(` はグループでないので数えない。
fn group_delta(t: &Tok) -> i32 {
    match t {
        Tok::Ch('{') => 1,
        Tok::Ch('}') => -1,
        Tok::Cmd(c) if c == "begin" => 1,
        Tok::Cmd(c) if c == "end" => -1,
        _ => 0,
    }
}

/// 中身をグループの深さ 0 の `\\` で行に分け、`\\[2ex]` の `[…]` を捨てる。
/// `\Bigl( … \\ … \Bigr)` のように丸括弧をまたいで折り返した行も分ける（TeX と同じ）。
fn split_rows(body: Vec<Token>) -> Vec<Vec<Token>> {
    let mut rows = vec![Vec::new()];
    let mut depth = 0;
    for t in body {
        if depth == 0 && is_cmd(&t.tok, "\\") {
            rows.push(Vec::new());
            continue;
        }
        depth += group_delta(&t.tok);
        if let Some(last) = rows.last_mut() {
            last.push(t);
        }
    }
    for r in rows.iter_mut().skip(1) {
        if matches!(r.first(), Some(t) if is_ch(&t.tok, '[')) {
            if let Some(p) = r.iter().position(|t| is_ch(&t.tok, ']')) {
                r.drain(..=p);
            }
        }
    }
    rows
}

/// 行をつなぐ（規則 3・4）。`depth` は環境の置かれた深さ。
fn join_rows(src: &str, rows: Vec<Vec<Token>>, depth: i32) -> Result<Vec<Token>, ParseError> {
    let mut out: Vec<Token> = Vec::new();
    for row in rows {
        let row = clean_row(flatten_seq(src, &row, depth)?);
        let Some(first) = row.first() else {
            continue;
        };
        let Some(last) = out.last() else {
            out = row;
            continue;
        };
        // 前の行までに開いたままの丸括弧（`\Bigl(` で折り返した行）
        let open: i32 = out.iter().map(|t| depth_delta(&t.tok)).sum();
        if !(is_joiner(&first.tok) || is_joiner(&last.tok)) {
            if depth != 0 || open > 0 {
                return Err(ParseError::at(
                    src,
                    first.pos,
                    "括弧の中の環境の行は前の行の続き（関係か演算子で始まる行）でなければならない",
                ));
            }
            out.push(Token {
                tok: Tok::Cmd(PART_SEP.into()),
                pos: first.pos,
                end: first.pos,
            });
        }
        out.extend(row);
    }
    Ok(out)
}

/// 行をつなぐ字句（関係か二項演算子 `+`・`-`・`\cdot`・`\times`・`\odot`、KL 情報量の引数の区切り `\parallel`）か。
/// 行がこれで始まるか、前の行がこれで終われば、行は前の行の続きである。
pub(crate) fn is_joiner(t: &Tok) -> bool {
    rel_of(t).is_some()
        || is_cmd(t, "parallel")
        || is_ch(t, '+')
        || is_ch(t, '-')
        || is_cmd(t, "cdot")
        || is_cmd(t, "times")
        || is_cmd(t, "odot")
}

/// 飾りの字句（行頭・`&` の直後に置かれる空白と `\qquad`）か。
pub(crate) fn is_spacing(t: &Tok) -> bool {
    matches!(t, Tok::Cmd(c) if c == PART_SEP || SPACING.contains(&c.as_str()))
}

/// グループの深さ 0 の `&` を捨て、行頭と `&` の直後の空白・空の組 `{}` を捨てる（規則 1・2）。
/// 丸括弧の中の `&`（`\tanh\Bigl( & h_k + …` と括弧の中で揃えた行）も揃えの印として捨てる。
/// 行末の `\qquad` も捨てる。
pub(crate) fn clean_row(row: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(row.len());
    let mut depth = 0;
    let mut lead = true;
    let mut k = 0;
    while let Some(t) = row.get(k) {
        if depth == 0 {
            if is_ch(&t.tok, '&') {
                lead = true;
                k += 1;
                continue;
            }
            if lead && is_spacing(&t.tok) {
                k += 1;
                continue;
            }
            if lead && is_ch(&t.tok, '{') && matches!(row.get(k + 1), Some(n) if is_ch(&n.tok, '}'))
            {
                k += 2;
                continue;
            }
        }
        lead = false;
        depth += group_delta(&t.tok);
        out.push(t.clone());
        k += 1;
    }
    while matches!(out.last(), Some(t) if is_cmd(&t.tok, PART_SEP)) {
        out.pop();
    }
    out
}
