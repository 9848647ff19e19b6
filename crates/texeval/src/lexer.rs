//! LaTeX の字句解析。英字は TeX と同じく 1 文字ずつ、数字は続く限り 1 つの字句にする。

use crate::error::ParseError;

/// 字句の種類。
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// 数字の列（小数点を含んでよい）。
    Num(String),
    /// 1 文字の英字（またはその他の文字の字）。
    Letter(char),
    /// `\name`、または `\,` `\{` `\\` のような 1 文字の命令（`\` なしで持つ）。
    Cmd(String),
    /// `\text{...}` などの中身。
    Text(String),
    /// 記号 1 文字: `+ - = < > ( ) [ ] { } ^ _ & , . | ' / * ! : ;`。
    Ch(char),
}

/// 位置つきの字句。`pos..end` は入力のバイト範囲。
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// 字句。
    pub tok: Tok,
    /// 開始バイト位置。
    pub pos: usize,
    /// 終了バイト位置。
    pub end: usize,
}

const TEXT_CMDS: &[&str] = &["text", "textrm", "mbox", "textbf", "textit"];

/// 字句に分ける。`%` から行末まではコメントとして捨てる。
pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'%' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if c == b'\\' {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            if j == i + 1 {
                let ch = src[j..]
                    .chars()
                    .next()
                    .ok_or_else(|| ParseError::at(src, i, "`\\` で終わっている"))?;
                let end = j + ch.len_utf8();
                out.push(Token {
                    tok: Tok::Cmd(ch.to_string()),
                    pos: start,
                    end,
                });
                i = end;
                continue;
            }
            let mut name = src[i + 1..j].to_string();
            // `\operatorname*` の `*` は命令名の一部として扱う
            if name == "operatorname" && j < b.len() && b[j] == b'*' {
                name.push('*');
                j += 1;
            }
            if TEXT_CMDS.contains(&name.as_str()) {
                let (text, end) = read_braced_raw(src, j)?;
                out.push(Token {
                    tok: Tok::Text(text),
                    pos: start,
                    end,
                });
                i = end;
                continue;
            }
            out.push(Token {
                tok: Tok::Cmd(name),
                pos: start,
                end: j,
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit()) {
            let mut j = i;
            let mut dot = false;
            while j < b.len() {
                if b[j].is_ascii_digit() {
                    j += 1;
                } else if b[j] == b'.' && !dot && j + 1 < b.len() && b[j + 1].is_ascii_digit() {
                    dot = true;
                    j += 1;
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Num(src[i..j].to_string()),
                pos: start,
                end: j,
            });
            i = j;
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or(' ');
        let end = i + ch.len_utf8();
        let tok = if "+-=<>()[]{}^_&,.|'/*!:;".contains(ch) {
            Tok::Ch(ch)
        } else if ch.is_alphabetic() {
            Tok::Letter(ch)
        } else {
            return Err(ParseError::at(src, i, format!("読めない文字 `{ch}`")));
        };
        out.push(Token {
            tok,
            pos: start,
            end,
        });
        i = end;
    }
    Ok(out)
}

/// `pos` から空白を飛ばして `{...}` を読み、中身（そのままの文字列）と終わりの位置を返す。
fn read_braced_raw(src: &str, mut pos: usize) -> Result<(String, usize), ParseError> {
    let b = src.as_bytes();
    while pos < b.len() && b[pos].is_ascii_whitespace() {
        pos += 1;
    }
    if pos >= b.len() || b[pos] != b'{' {
        return Err(ParseError::at(src, pos, "`\\text` の後に `{` がない"));
    }
    let mut depth = 0usize;
    let mut i = pos;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((src[pos + 1..i].to_string(), i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(ParseError::at(src, pos, "`{` が閉じていない"))
}

/// 字句が命令 `name` か。
pub fn is_cmd(t: &Tok, name: &str) -> bool {
    matches!(t, Tok::Cmd(n) if n == name)
}

/// 字句が記号 `c` か。
pub fn is_ch(t: &Tok, c: char) -> bool {
    matches!(t, Tok::Ch(x) if *x == c)
}
