//! Markdown から番号つきの別行立て数式（`$$ … \tag{…} $$`）を取り出す。
//!
//! - コードの囲み（```` ``` ````・`~~~`）の中は読まない。
//! - `\tag` が 1 つの `$$` ブロックは、ブロック全体が 1 つの式である（`aligned` は番号 1 つ）。
//! - `\tag` が 2 つ以上のブロックは `align` 系の環境とみなし、深さ 0 の `\\` で行に分ける。
//!   前の行の続きの行（関係か二項演算子で始まる行、二項演算子か関係で終わる行の次の行。
//!   `&\quad {} + …` も含む）は前の行につなぎ、続きの行を合わせて 1 つの連鎖とする。
//!   連鎖に番号が 1 つなら連鎖全体がその式、複数なら番号 k の式は
//!   「番号 k−1 の行（左辺として）から番号 k の行まで」とする。番号のない連鎖は捨てる。
//! - 行番号は式の最初の行（1 から数える）。

use std::path::Path;

use crate::lexer::{lex, Tok};
use crate::rows::{clean_row, is_joiner, is_spacing};

/// 取り出した式。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedEq {
    /// 式番号（例: `2.11a`）。
    pub tag: String,
    /// `\tag` を除いた LaTeX。
    pub latex: String,
    /// 式の最初の行（1 から）。
    pub line: usize,
    /// 本の `src` からの相対パス（`extract_book` のときだけ）。
    pub file: String,
}

/// Markdown 文字列から番号つきの式を順に取り出す。
pub fn extract(markdown: &str) -> Vec<TaggedEq> {
    let mut out = Vec::new();
    for (body, offset) in display_blocks(markdown) {
        let base_line = markdown[..offset].matches('\n').count() + 1;
        let tags = find_tags(&body);
        match tags.len() {
            0 => {}
            1 => out.push(TaggedEq {
                tag: tags[0].1.clone(),
                latex: remove_tags(&body).trim().to_string(),
                line: base_line + leading_lines(&body),
                file: String::new(),
            }),
            _ => out.extend(split_align(&body, base_line)),
        }
    }
    out
}

/// 本の `src` ディレクトリの `*.md` をすべて読み、ファイル名の順に取り出す。
pub fn extract_book(dir: &Path) -> std::io::Result<Vec<TaggedEq>> {
    let mut files = Vec::new();
    collect_md(dir, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        let rel = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
        for mut e in extract(&text) {
            e.file = rel.clone();
            out.push(e);
        }
    }
    Ok(out)
}

fn collect_md(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_md(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "md") {
            out.push(p);
        }
    }
    Ok(())
}

/// `$$ … $$` の中身と、その開始バイト位置。
fn display_blocks(md: &str) -> Vec<(String, usize)> {
    let mut blocks = Vec::new();
    let mut in_code = false;
    let mut open: Option<usize> = None;
    let mut offset = 0;
    for line in md.split_inclusive('\n') {
        let t = line.trim_start();
        if open.is_none() && (t.starts_with("```") || t.starts_with("~~~")) {
            in_code = !in_code;
        } else if !in_code {
            let mut search = 0;
            while let Some(p) = line[search..].find("$$") {
                let at = offset + search + p;
                match open.take() {
                    None => open = Some(at + 2),
                    Some(s) => blocks.push((md[s..at].to_string(), s)),
                }
                search += p + 2;
            }
        }
        offset += line.len();
    }
    blocks
}

fn leading_lines(body: &str) -> usize {
    let trimmed = body.trim_start();
    body[..body.len() - trimmed.len()].matches('\n').count()
}

/// `\tag{…}` の（位置, 中身）。
fn find_tags(s: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = s[from..].find("\\tag{") {
        let start = from + p + 5;
        let Some(len) = s[start..].find('}') else {
            break;
        };
        out.push((from + p, s[start..start + len].trim().to_string()));
        from = start + len;
    }
    out
}

fn remove_tags(s: &str) -> String {
    let mut out = s.to_string();
    while let Some(p) = out.find("\\tag{") {
        let Some(len) = out[p..].find('}') else { break };
        out.replace_range(p..p + len + 1, "");
    }
    out.replace("\\notag", "").replace("\\nonumber", "")
}

/// 行（中身, 開始位置）に分ける。`\begin{…}`・`{…}` の中の `\\` では分けない。
fn rows(body: &str) -> Vec<(String, usize)> {
    let inner_start = body
        .find("\\begin{")
        .and_then(|p| body[p..].find('}').map(|q| p + q + 1));
    let (start, end) = match inner_start {
        Some(s) => (s, body.rfind("\\end{").unwrap_or(body.len()).max(s)),
        None => (0, body.len()),
    };
    let b = body.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut env, mut row_start, mut i) = (0i32, 0i32, start, start);
    while i < end {
        if b[i..].starts_with(b"\\begin{") {
            env += 1;
        } else if b[i..].starts_with(b"\\end{") {
            env -= 1;
        }
        match b[i] {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b'\\' if i + 1 < end && b[i + 1] == b'\\' && depth == 0 && env == 0 => {
                out.push((body[row_start..i].to_string(), row_start));
                i += 2;
                row_start = i;
                continue;
            }
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    out.push((body[row_start..end].to_string(), row_start));
    out
}

/// 行 `row` が前の行 `prev` の続きか。判定は式を読むときの行の規則（`rows`）と同じで、
/// 関係か二項演算子で始まる行と、二項演算子か関係で終わる行の次の行が続きである。
/// 行頭と `&` の直後の空白・`{}` は飛ばす。マクロは展開しない（`\onlytheta` は関係として扱う）。
fn continues(prev: &str, row: &str) -> bool {
    let toks = |s: &str| {
        lex(&remove_tags(s))
            .map(clean_row)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.tok)
            .filter(|t| !matches!(t, Tok::Text(_)) && !is_spacing(t))
            .collect::<Vec<Tok>>()
    };
    toks(row).first().is_some_and(is_joiner) || toks(prev).last().is_some_and(is_joiner)
}

fn split_align(body: &str, base_line: usize) -> Vec<TaggedEq> {
    let rs = rows(body);
    // 連鎖 = 続きでない行 + その続きの行
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for (k, (r, _)) in rs.iter().enumerate() {
        let prev = k
            .checked_sub(1)
            .and_then(|p| rs.get(p))
            .map(|p| p.0.as_str());
        match (chains.last_mut(), prev) {
            (Some(c), Some(prev)) if continues(prev, r) => c.push(k),
            _ => chains.push(vec![k]),
        }
    }
    let mut out = Vec::new();
    for c in chains {
        let tagged: Vec<(usize, String)> = c
            .iter()
            .filter_map(|&k| find_tags(&rs[k].0).first().map(|t| (k, t.1.clone())))
            .collect();
        let mut from = c[0];
        for (j, (k, tag)) in tagged.iter().enumerate() {
            let rows_here: Vec<usize> = if tagged.len() == 1 {
                c.clone()
            } else {
                c.iter()
                    .copied()
                    .filter(|&r| r >= from && r <= *k)
                    .collect()
            };
            let latex = rows_here
                .iter()
                .map(|&r| remove_tags(&rs[r].0).trim().to_string())
                .collect::<Vec<_>>()
                .join(" \\\\ ");
            let first = rows_here[0];
            let line =
                base_line + body[..rs[first].1].matches('\n').count() + leading_lines(&rs[first].0);
            out.push(TaggedEq {
                tag: tag.clone(),
                latex: format!("\\begin{{aligned}} {latex} \\end{{aligned}}"),
                line,
                file: String::new(),
            });
            if j + 1 < tagged.len() {
                from = *k;
            }
        }
    }
    out
}
