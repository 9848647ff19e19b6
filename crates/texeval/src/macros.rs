//! KaTeX マクロ（`macros.txt`）の読み込みと展開。
//!
//! 本のマクロはすべて引数なしである（`\KL:{D_{\mathrm{KL}}}` など）。
//! 引数つき（`#1` を含む）マクロは読み込み時にエラーにする。

use crate::error::ParseError;

/// 引数なしマクロの表。
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Macros {
    defs: Vec<(String, String)>,
}

impl Macros {
    /// 空の表。
    pub fn new() -> Self {
        Self::default()
    }

    /// `\name:{expansion}` を 1 行に 1 つ書いた文字列を読む。空行と `#`・`%` で始まる行は飛ばす。
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut m = Macros::new();
        let mut offset = 0;
        for line in text.lines() {
            let l = line.trim();
            let here = offset;
            offset += line.len() + 1;
            if l.is_empty() || l.starts_with('#') || l.starts_with('%') {
                continue;
            }
            let (name, rest) = l
                .split_once(':')
                .ok_or_else(|| ParseError::at(text, here, "マクロ行に `:` がない"))?;
            let body = rest
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .unwrap_or(rest);
            if !name.starts_with('\\') || name.len() < 2 {
                return Err(ParseError::at(text, here, "マクロ名は `\\` で始める"));
            }
            if body.contains('#') {
                return Err(ParseError::at(text, here, "引数つきマクロは扱わない"));
            }
            m.insert(&name[1..], body);
        }
        Ok(m)
    }

    /// マクロを 1 つ足す（`name` は `\` なし）。
    pub fn insert(&mut self, name: &str, expansion: &str) {
        self.defs.retain(|(n, _)| n != name);
        self.defs.push((name.to_string(), expansion.to_string()));
    }

    /// 定義されたマクロの数。
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// 表が空か。
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// 展開する。展開結果に現れたマクロも展開し、16 段を超えたら再帰とみなしてエラーにする。
    pub fn expand(&self, src: &str) -> Result<String, ParseError> {
        let mut cur = src.to_string();
        for _ in 0..16 {
            let (next, changed) = self.expand_once(&cur);
            if !changed {
                return Ok(next);
            }
            cur = next;
        }
        Err(ParseError::at(src, 0, "マクロの展開が終わらない（再帰）"))
    }

    fn expand_once(&self, src: &str) -> (String, bool) {
        let b = src.as_bytes();
        let mut out = String::with_capacity(src.len());
        let mut i = 0;
        let mut changed = false;
        while i < b.len() {
            if b[i] == b'\\' {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if j == i + 1 {
                    // `\\` や `\,` は 2 文字で 1 つの命令
                    let end = (i + 2).min(b.len());
                    let end = if src.is_char_boundary(end) {
                        end
                    } else {
                        i + 1
                    };
                    out.push_str(&src[i..end]);
                    i = end;
                    continue;
                }
                let name = &src[i + 1..j];
                if let Some((_, exp)) = self.defs.iter().find(|(n, _)| n == name) {
                    out.push_str(exp);
                    // 展開結果が命令名で終わり、直後が英字なら区切りの空白を入れる
                    if j < b.len() && b[j].is_ascii_alphabetic() && ends_with_cmd(exp) {
                        out.push(' ');
                    }
                    changed = true;
                } else {
                    out.push_str(&src[i..j]);
                }
                i = j;
            } else {
                let ch = src[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
        (out, changed)
    }
}

fn ends_with_cmd(s: &str) -> bool {
    let t = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    t.len() < s.len() && t.ends_with('\\')
}
