//! 検索で用語を定義したページを先頭に出す（mdBook の前処理 `cargo xtask search-terms`、book.toml の
//! `[preprocessor.terms]`）。
//!
//! 用語とその別名・定義の箇所は、記号表のページ（`src/appendix/notation.md`）の用語の表から読む。
//! ビルドのとき、用語を定義したページの中で、その用語が本文に最初に現れるところ（表のリンクが式の目印
//! `#eq-…` を指すなら、その式の近く）を `<span data-pagefind-weight="10">…</span>` で包み、別名
//! （カタカナ・ラテン文字の綴り、英語の名前）を見えない `<span hidden>` として段落の終わりに添える。検索（Pagefind）は
//! 重みのついた語を 100 倍ほど重く数えるので、定義したページがその語の検索の先頭に来て、結果のリンクは
//! その節を開く。別名でも同じページが引ける（「ギブス」でも「Gibbs」でも）。ページの見た目は変わらない。
//!
//! # Examples
//!
//! ```
//! use xtask::terms::{weight_term, Term};
//! let t = Term {
//!     term: "学習率".into(),
//!     aliases: vec!["learning rate".into()],
//!     page: "ch02-06-gradient-surrogate.md".into(),
//!     anchor: None,
//! };
//! let md = "# 勾配法\n\n`学習率` ではなく、$\\eta$ を学習率と呼ぶ。\n";
//! let out = weight_term(md, &t).unwrap();
//! assert!(out.contains(
//!     "`学習率` ではなく、$\\eta$ を<span data-pagefind-weight=\"10\">学習率</span>と呼ぶ。\
//!      <span hidden data-pagefind-weight=\"1\">learning rate</span>\n"
//! ));
//! ```

use std::collections::BTreeMap;
use std::path::Path;

/// 記号表のページ（`src/` からの相対）。
pub const NOTATION_PATH: &str = "appendix/notation.md";

/// 記号表の中の用語の表の見出しの id。この見出しの後ろの最初の表を読む。
pub const TERMS_HEADING_ID: &str = "terms";

/// 定義した箇所の語に与える検索の重み（Pagefind の上限）。
pub const WEIGHT: &str = "10";

/// 用語の表の 1 行。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// 用語（本文に現れるとおりの綴り）。
    pub term: String,
    /// 別名（検索でも引けるようにする綴り）。
    pub aliases: Vec<String>,
    /// 定義したページ（`src/` からの相対）。
    pub page: String,
    /// 定義の近くの式の目印（`eq-2-30` など）。
    pub anchor: Option<String>,
}

/// 記号表の Markdown から用語の表を読む（見出し `{#terms}` の後ろの最初の表。列は用語・別名・定義の箇所）。
/// 別名は「、」で区切る。定義の箇所の列の最初のリンク `(../ページ.md#目印)` がページと目印になる。
pub fn parse_terms(notation: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut in_section = false;
    let mut in_table = false;
    for line in notation.lines() {
        if line.starts_with('#') {
            if in_table {
                break;
            }
            in_section = line.contains(&format!("{{#{TERMS_HEADING_ID}}}"));
            continue;
        }
        if !in_section {
            continue;
        }
        if !line.starts_with('|') {
            if in_table {
                break;
            }
            continue;
        }
        in_table = true;
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() < 3 || cells[0].starts_with("---") || cells[0] == "用語" {
            continue;
        }
        let Some(target) = cells[2]
            .split_once("](")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(t, _)| t)
        else {
            continue;
        };
        // リンクは記号表（appendix/）からの相対パス: `../ch…` は本の根、`matrix-calculus.md` は appendix/ の中
        let target = match target.strip_prefix("../") {
            Some(t) => t.to_string(),
            None => format!("appendix/{target}"),
        };
        let (page, anchor) = match target.split_once('#') {
            Some((p, a)) => (p.to_string(), Some(a.to_string())),
            None => (target.to_string(), None),
        };
        out.push(Term {
            term: cells[0].to_string(),
            aliases: cells[1]
                .split('、')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect(),
            page,
            anchor,
        });
    }
    out
}

/// 記号表から用語の表を読む。
pub fn terms(root: &Path) -> Vec<Term> {
    let text = std::fs::read_to_string(root.join("src").join(NOTATION_PATH)).unwrap_or_default();
    parse_terms(&text)
}

/// 行の中で、数式 `$…$`・コード `` `…` ``・HTML のタグ `<…>`・リンク先 `](…)` に当たるバイト位置。
fn protected(line: &str) -> Vec<bool> {
    let b = line.as_bytes();
    let mut p = vec![false; b.len()];
    let mut i = 0;
    while i < b.len() {
        let (open, close): (&[u8], &[u8]) = match b[i] {
            b'$' if i == 0 || b[i - 1] != b'\\' => (b"$", b"$"),
            b'`' => (b"`", b"`"),
            b'<' => (b"<", b">"),
            b']' if b.get(i + 1) == Some(&b'(') => (b"](", b")"),
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i;
        let mut j = i + open.len();
        while j < b.len() && !(b[j..].starts_with(close) && (close != b"$" || b[j - 1] != b'\\')) {
            j += 1;
        }
        let end = (j + close.len()).min(b.len());
        p[start..end].iter_mut().for_each(|x| *x = true);
        i = end;
    }
    p
}

/// 用語を探してよい本文の行か（見出し・HTML の行・表の区切り・画像・数式やコードの囲みの中は除く）。
fn prose_lines(content: &str) -> Vec<bool> {
    let mut out = Vec::new();
    let (mut fence, mut math) = (false, false);
    for line in content.lines() {
        let t = line.trim_start();
        let toggles_fence = t.starts_with("```") || t.starts_with("~~~");
        let toggles_math = t.starts_with("$$") && !(t.len() > 2 && t.trim_end().ends_with("$$"));
        let ok = !fence
            && !math
            && !toggles_fence
            && !t.starts_with("$$")
            && !t.starts_with('#')
            && !t.starts_with('<')
            && !t.starts_with("![")
            && !t.starts_with("|---")
            && !t.is_empty();
        out.push(ok);
        if toggles_fence {
            fence = !fence;
        }
        if toggles_math && !fence {
            math = !math;
        }
    }
    out
}

/// `content` の中で `t.term` を定義しているところを重みつきの `<span>` で包み、別名を添える。
/// 定義の箇所は次の順に探す: (1) 太字 `**用語**` の最初のもの（本書は定義する語を太字にする）、
/// (2) 目印 `t.anchor` があれば、その行の 2 行前より後ろで最初のもの（「… (2.30) … を学習率と呼ぶ」）、
/// (3) ページで最初のもの。引用（`>` で始まる行）は、ほかになければ使う。見つからなければ `None`。
pub fn weight_term(content: &str, t: &Term) -> Option<String> {
    let lines: Vec<&str> = content.lines().collect();
    let ok = prose_lines(content);
    // 本文の行の中の、保護されていない出現 (行, 位置, 太字か, 引用か)
    let mut hits: Vec<(usize, usize, bool, bool)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !ok[i] {
            continue;
        }
        let prot = protected(line);
        let quote = line.trim_start().starts_with('>');
        let mut from = 0;
        while let Some(k) = line[from..].find(&t.term) {
            let at = from + k;
            let end = at + t.term.len();
            if !prot[at..end].iter().any(|&x| x) {
                let bold = line[..at].ends_with("**") && line[end..].starts_with("**");
                hits.push((i, at, bold, quote));
            }
            from = end;
        }
    }
    let anchor_line = t.anchor.as_ref().and_then(|a| {
        let needle = format!("<a id=\"{a}\"></a>");
        lines.iter().position(|l| l.contains(&needle))
    });
    let pick = |quote: bool| -> Option<(usize, usize)> {
        let mine: Vec<&(usize, usize, bool, bool)> = hits.iter().filter(|h| h.3 == quote).collect();
        mine.iter()
            .find(|h| h.2)
            .or_else(|| anchor_line.and_then(|a| mine.iter().find(|h| h.0 + 2 >= a)))
            .or_else(|| mine.first())
            .map(|h| (h.0, h.1))
    };
    let (i, at) = pick(false).or_else(|| pick(true))?;
    let line = lines[i];
    let (mut s, mut e) = (at, at + t.term.len());
    // **用語** は強調の記号ごと包む（記号の内側にタグを置くと強調が切れることがある）
    if line[..s].ends_with("**") && line[e..].starts_with("**") {
        s -= 2;
        e += 2;
    }
    // 別名は段落の終わりに置く（1 段落 = 1 行）。用語の隣に置くと、用語の検索の結果の抜粋に別名の
    // 羅列が混じる。重みは 1（ふつうの語）: 別名の一部（「正規分布」の「分布」など）が、ほかの語の
    // 検索でこのページを押し上げないように。別名は本のほかのページには現れないので、重み 1 で先頭に来る
    let hidden = if t.aliases.is_empty() {
        String::new()
    } else {
        format!(
            "<span hidden data-pagefind-weight=\"1\">{}</span>",
            t.aliases.join(" ")
        )
    };
    let rest = &line[e..];
    // 表の行なら最後の `|` の前に入れる
    let (body, tail) = match rest.trim_end().strip_suffix('|') {
        Some(b) if line.trim_start().starts_with('|') => (b, &rest[b.len()..]),
        _ => (rest.trim_end(), &rest[rest.trim_end().len()..]),
    };
    let new_line = format!(
        "{}<span data-pagefind-weight=\"{WEIGHT}\">{}</span>{body}{hidden}{tail}",
        &line[..s],
        &line[s..e],
    );
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    out[i] = new_line;
    let mut joined = out.join("\n");
    if content.ends_with('\n') {
        joined.push('\n');
    }
    Some(joined)
}

/// 章の Markdown に、そのページで定義した用語の重みと別名を入れる。戻り値は書き換えた Markdown と、
/// 見つからなかった用語。
pub fn add_terms(content: &str, path: &str, terms: &[Term]) -> (String, Vec<String>) {
    let mut out = content.to_string();
    let mut missing = Vec::new();
    for t in terms.iter().filter(|t| t.page == path) {
        match weight_term(&out, t) {
            Some(new) => out = new,
            None => missing.push(t.term.clone()),
        }
    }
    (out, missing)
}

fn rewrite_items(
    items: &mut serde_json::Value,
    terms: &[Term],
    missing: &mut BTreeMap<String, Vec<String>>,
) {
    let Some(items) = items.as_array_mut() else {
        return;
    };
    for item in items {
        let Some(ch) = item.get_mut("Chapter") else {
            continue;
        };
        let path = ch
            .get("path")
            .and_then(|p| p.as_str())
            .map(|p| p.replace('\\', "/"));
        if let (Some(path), Some(content)) = (path, ch.get("content").and_then(|c| c.as_str())) {
            let (new, miss) = add_terms(content, &path, terms);
            if !miss.is_empty() {
                missing.insert(path, miss);
            }
            ch["content"] = serde_json::Value::String(new);
        }
        if let Some(sub) = ch.get_mut("sub_items") {
            rewrite_items(sub, terms, missing);
        }
    }
}

/// mdBook の前処理として走る: `input` の `[context, book]` を読み、用語の重みと別名を入れた `book` を
/// `output` に書く。定義のページに見つからない用語は標準エラーに書く（ビルドは止めない。
/// ルートのテスト `every_glossary_term_is_found_on_its_page` が失敗させる）。
///
/// # Errors
///
/// 入力が mdBook の前処理の JSON でなければ、または書き出せなければ、その理由を返す。
pub fn run_preprocessor(
    input: impl std::io::Read,
    output: impl std::io::Write,
) -> std::io::Result<()> {
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
    let v: serde_json::Value =
        serde_json::from_reader(input).map_err(|e| bad(format!("前処理の入力が読めない: {e}")))?;
    let Some([ctx, book]) = v
        .as_array()
        .and_then(|a| <&[serde_json::Value; 2]>::try_from(a.as_slice()).ok())
    else {
        return Err(bad("前処理の入力が [context, book] でない".into()));
    };
    let root = ctx
        .get("root")
        .and_then(|r| r.as_str())
        .map_or_else(crate::workspace_root, std::path::PathBuf::from);
    let terms = terms(&root);
    let mut book = book.clone();
    let items = book
        .get_mut("items")
        .ok_or_else(|| bad("本の JSON に items がない（mdBook 0.5 の形でない）".into()))?;
    let mut missing = BTreeMap::new();
    rewrite_items(items, &terms, &mut missing);
    eprintln!(
        "search-terms: 用語 {} 語の定義の箇所に検索の重みと別名を入れた",
        terms.len()
    );
    for (page, miss) in &missing {
        eprintln!("search-terms: {page} に見つからない用語（記号表の用語の表を直す）: {miss:?}");
    }
    serde_json::to_writer(output, &book).map_err(|e| bad(format!("本の JSON を書けない: {e}")))
}
