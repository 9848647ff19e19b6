//! 検証の目印: 番号つきの式ごとに、それを確かめるテストの数と正誤表の項目へのリンクを、
//! 式のすぐ下に置く（mdBook の前処理 `cargo xtask verify-marks`、book.toml の `[preprocessor.verify]`）。
//!
//! 目印の中身は、付録 C（検証索引）と同じ走査 [`crate::index::equations`]・[`crate::index::tests`]・
//! [`crate::index::printed`] と、付録 B（正誤表）の見出しから作る。テストを足したり消したりすれば、
//! 次のビルドで目印も変わるので、目印が古くなることはない。
//!
//! 目印は HTML の 1 行 `<div class="eq-verify" data-pagefind-ignore>…</div>` で、目印
//! `<a id="eq-N-M"></a>` の直後の別行数式 `$$ … $$` の閉じの行の次に入れる（KaTeX の前処理より前に
//! 走るので、数式はまだ TeX のままである）。式の組版には触れない。見た目は `theme/verify-marks.css`。
//!
//! # mdBook の前処理の約束
//!
//! - `verify-marks supports <renderer>`: 終了コード 0（どの出力にも対応する）。
//! - `verify-marks`: 標準入力の JSON `[context, book]` を読み、書き換えた `book` を標準出力に書く。
//!
//! # Examples
//!
//! ```
//! use xtask::marks::{add_marks, Mark};
//! use std::collections::BTreeMap;
//!
//! let mut marks = BTreeMap::new();
//! marks.insert("2.11".to_string(), Mark { tests: 3, ..Mark::default() });
//! let md = "<a id=\"eq-2-11\"></a>\n\n$$\nx \\tag{2.11}\n$$\n\nとなる。\n";
//! let (out, n) = add_marks(md, "ch02-02-gaussian.md", &marks);
//! assert_eq!(n, 1);
//! // 目印は数式の閉じの行の後ろに、空行で挟んで入る
//! let lines: Vec<&str> = out.lines().collect();
//! assert_eq!(lines[4], "$$");
//! assert!(lines[6].starts_with("<div class=\"eq-verify\""));
//! assert!(lines[6].contains("appendix/verification-index.html#check-2-11"));
//! ```

use crate::index::{self, Printed, TestKind};
use std::collections::BTreeMap;
use std::path::Path;

/// 付録 B（正誤表）のページ（`src/` からの相対）。
pub const ERRATA_PATH: &str = "appendix/errata.md";

/// 付録 B の節のうち、ノートの数学的な誤りを集めた節の id。
pub const ERRORS_SECTION: &str = "errata-errors";

/// 付録 B の節のうち、記法の不備・説明の補いを集めた節の id。
pub const CLARIFICATIONS_SECTION: &str = "errata-clarifications";

/// 正誤表の項目の種類。
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErratumKind {
    /// ノートの式や主張が、ノート自身の約束のもとでも成り立たない（訂正）。
    Error,
    /// ノートの約束や暗黙の仮定のもとでは正しいが、不正確・説明不足（補足）。
    Clarification,
}

/// 付録 B の項目 1 つ（見出し `### 題 {#erratum-…}`）。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erratum {
    /// 見出しの id（`erratum-2-11` など）。
    pub id: String,
    /// 見出しの題。
    pub title: String,
    /// 属する節から決まる種類。節の外（または知らない節）の項目は `None`。
    pub kind: Option<ErratumKind>,
    /// 項目が扱う本の式の番号。
    pub tags: Vec<String>,
}

/// 番号つきの式 1 つの目印の中身。
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mark {
    /// 式を確かめるテストの数（検証索引の行数と同じ）。
    pub tests: usize,
    /// うち、ページの式をそのまま実行するテストの数。
    pub printed: usize,
    /// 印刷された式を実行するか（`tests/printed/` の `Bound`）。
    pub executed: bool,
    /// 式についての正誤表の項目（訂正が先、補足が後）。
    pub errata: Vec<(String, ErratumKind)>,
}

/// 式番号から検証索引の行の id を作る（`2.11` → `check-2-11`、`A.3a` → `check-a-3a`）。
///
/// # Examples
///
/// ```
/// assert_eq!(xtask::marks::check_id("2.11a"), "check-2-11a");
/// assert_eq!(xtask::marks::check_id("A.1"), "check-a-1");
/// ```
pub fn check_id(tag: &str) -> String {
    format!("check-{}", index::id_tail(tag))
}

/// 題の中で、ノートの番号を引くことを示す前置き。付録 A の式は本書では (A.1)–(A.8) だが、ノートでは
/// (10.1)–(10.8) なので、正誤表の題は「式 (A.3)（ノートの (10.3)）」のように両方を書く。前置きの
/// 付いた番号は本の式番号ではないので、項目の式に数えない（本の第 10 章の式と取り違えない）。
pub const NOTE_NUMBER_PREFIX: &str = "ノートの";

/// 見出しの題から式番号を読む。`(2.25)–(2.29)` のような範囲は、本にある式のうちその間にある
/// ノートの番号の式（文字のつかない番号）に広げる。正誤表はノートの式についての表なので、本が足した
/// 式（`2.25a` など）は、題が名指ししたときだけ含める。`book` は本の式番号の一覧。
/// [`NOTE_NUMBER_PREFIX`]（「ノートの」）の直後の番号はノートの番号なので読まない。
///
/// # Examples
///
/// ```
/// let book: Vec<String> = ["2.24", "2.25", "2.25a", "2.26", "2.30", "10.3", "A.3"]
///     .map(String::from)
///     .to_vec();
/// let tags = xtask::marks::tags_in_title("式 (2.25)–(2.26): 対の和", &book);
/// assert_eq!(tags, vec!["2.25", "2.26"]);
/// assert_eq!(xtask::marks::tags_in_title("式 (2.25a)", &book), vec!["2.25a"]);
/// assert_eq!(xtask::marks::tags_in_title("式 (2.24)・(2.30)", &book), vec!["2.24", "2.30"]);
/// // ノートの (10.3) は本の (A.3) で、本の (10.3) ではない
/// assert_eq!(xtask::marks::tags_in_title("式 (A.3)（ノートの (10.3)）: 和の添字", &book), vec!["A.3"]);
/// ```
pub fn tags_in_title(title: &str, book: &[String]) -> Vec<String> {
    // 引用の位置（開き括弧と閉じ括弧のバイト位置）と番号
    let mut cites: Vec<(usize, usize, String)> = Vec::new();
    let mut from = 0;
    while let Some(i) = title[from..].find('(') {
        let open = from + i;
        let Some(j) = title[open..].find(')') else {
            break;
        };
        let close = open + j;
        let note_number = title[..open].trim_end().ends_with(NOTE_NUMBER_PREFIX);
        if let Some(tag) = index::cited_tags(&title[open..=close]).into_iter().next() {
            if !note_number {
                cites.push((open, close, tag));
            }
        }
        from = open + 1;
    }
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < cites.len() {
        let between = cites
            .get(k + 1)
            .map(|next| title[cites[k].1 + 1..next.0].trim());
        if matches!(between, Some("–" | "-" | "—" | "〜" | "～")) {
            let (lo, hi) = (
                index::sort_key(&cites[k].2),
                index::sort_key(&cites[k + 1].2),
            );
            out.extend(
                book.iter()
                    .filter(|t| {
                        let key = index::sort_key(t);
                        let lettered = t.ends_with(|c: char| c.is_ascii_lowercase());
                        lo <= key
                            && key <= hi
                            && (!lettered || **t == cites[k].2 || **t == cites[k + 1].2)
                    })
                    .cloned(),
            );
            k += 2;
        } else {
            if book.contains(&cites[k].2) {
                out.push(cites[k].2.clone());
            }
            k += 1;
        }
    }
    out.sort_by_key(|t| index::sort_key(t));
    out.dedup();
    out
}

/// 付録 B の Markdown から項目を読む。項目の式は、見出しの題が引く式番号、題が式番号を引かなければ
/// id の番号（`erratum-2-3-distance` → (2.3)、`erratum-a-3` → (A.3)）で、どちらも本にある式に限る。
pub fn parse_errata(text: &str, book: &[String]) -> Vec<Erratum> {
    let mut section: Option<ErratumKind> = None;
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(h2) = line.strip_prefix("## ") {
            section = if h2.contains(&format!("{{#{ERRORS_SECTION}}}")) {
                Some(ErratumKind::Error)
            } else if h2.contains(&format!("{{#{CLARIFICATIONS_SECTION}}}")) {
                Some(ErratumKind::Clarification)
            } else {
                None
            };
            continue;
        }
        let Some(h3) = line.strip_prefix("### ") else {
            continue;
        };
        let Some((title, rest)) = h3.split_once("{#erratum-") else {
            continue;
        };
        let Some(id_tail) = rest.trim_end().strip_suffix('}') else {
            continue;
        };
        let title = title.trim().to_string();
        let mut tags = tags_in_title(&title, book);
        if tags.is_empty() {
            let mut parts = id_tail.split('-');
            if let Some(tag) = parts
                .next()
                .zip(parts.next())
                .and_then(|(a, b)| index::tag_from_parts(a, b))
            {
                if book.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        out.push(Erratum {
            id: format!("erratum-{id_tail}"),
            title,
            kind: section,
            tags,
        });
    }
    out
}

/// 付録 B の項目（`src/appendix/errata.md` から読む）。
pub fn errata(root: &Path) -> Vec<Erratum> {
    let book: Vec<String> = index::equations(root).into_iter().map(|e| e.tag).collect();
    let text = std::fs::read_to_string(root.join("src").join(ERRATA_PATH)).unwrap_or_default();
    parse_errata(&text, &book)
}

/// 本のすべての番号つきの式の目印（式番号 → 中身）。
pub fn marks(root: &Path) -> BTreeMap<String, Mark> {
    let printed = index::printed(root);
    let mut out: BTreeMap<String, Mark> = index::equations(root)
        .into_iter()
        .map(|e| {
            let executed = printed.get(&e.tag) == Some(&Printed::Executed);
            (
                e.tag,
                Mark {
                    executed,
                    ..Mark::default()
                },
            )
        })
        .collect();
    for t in index::tests(root) {
        if let Some(m) = out.get_mut(&t.tag) {
            m.tests += 1;
            if t.kind == TestKind::Printed {
                m.printed += 1;
            }
        }
    }
    for e in errata(root) {
        let Some(kind) = e.kind else { continue };
        for tag in &e.tags {
            if let Some(m) = out.get_mut(tag) {
                m.errata.push((e.id.clone(), kind));
            }
        }
    }
    for m in out.values_mut() {
        m.errata.sort_by_key(|(_, k)| *k);
    }
    out
}

/// 目印の HTML（1 行）。`to_root` はページから本の根への相対パス（`""` や `"../"`）。
pub fn mark_html(tag: &str, mark: &Mark, to_root: &str) -> String {
    let mut s = String::from("<div class=\"eq-verify\" data-pagefind-ignore>");
    let index_href = format!(
        "{to_root}appendix/verification-index.html#{}",
        check_id(tag)
    );
    if mark.tests == 0 {
        s.push_str(&format!(
            "<a class=\"eq-verify-none\" href=\"{index_href}\" aria-label=\"式 ({tag}) を確かめるテストはまだない\">検証なし</a>"
        ));
    } else {
        let how = if mark.executed {
            "ページの式そのものの実行を含む"
        } else {
            "ページの式そのものは実行しない"
        };
        s.push_str(&format!(
            "<a class=\"eq-verify-checks\" href=\"{index_href}\" title=\"式 ({tag}) を確かめるテスト {n} 件（{how}）。付録 C の一覧へ\" aria-label=\"式 ({tag}) の検証: テスト {n} 件（{how}）\">✓ 検証 {n}</a>",
            n = mark.tests
        ));
    }
    let mut seen = Vec::new();
    for (id, kind) in &mark.errata {
        if seen.contains(kind) {
            continue; // 種類ごとに最初の項目だけ（同じ式の項目は付録 B で隣り合う）
        }
        seen.push(*kind);
        let (label, what) = match kind {
            ErratumKind::Error => ("訂正", "ノートの誤りの訂正"),
            ErratumKind::Clarification => ("補足", "ノートの記法・説明の補足"),
        };
        s.push_str(&format!(
            "<a class=\"eq-verify-erratum\" href=\"{to_root}appendix/errata.html#{id}\" title=\"付録 B（正誤表）: 式 ({tag}) についての{what}\" aria-label=\"正誤表: 式 ({tag}) についての{what}\">{label}</a>"
        ));
    }
    s.push_str("</div>");
    s
}

/// 行が目印 `<a id="eq-…"></a>` だけからなるなら、その id。
fn anchor_on_line(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("<a id=\"")?;
    let (id, tail) = rest.split_once('"')?;
    (tail == "></a>" && id.starts_with("eq-")).then_some(id)
}

/// 章の Markdown に目印を入れる。`path` は章の `src/` からの相対パス（リンクの相対パスを決める）。
/// 戻り値は書き換えた Markdown と、入れた目印の数。
///
/// 目印 `<a id="eq-N-M"></a>` の後ろの空行を飛ばして `$$` で始まる行があれば、その数式の閉じの行
/// （`$$` で終わる行）の後ろに、なければ目印の行の後ろに、空行で挟んで目印の HTML を入れる。
/// `marks` にない id（番号つきの式でない目印）には何もしない。
pub fn add_marks(content: &str, path: &str, marks: &BTreeMap<String, Mark>) -> (String, usize) {
    let to_root = "../".repeat(path.matches('/').count());
    let by_id: BTreeMap<String, (&String, &Mark)> = marks
        .iter()
        .map(|(tag, m)| (index::anchor_id(tag), (tag, m)))
        .collect();
    let lines: Vec<&str> = content.lines().collect();
    // 行番号 → その行の後ろに入れる目印
    let mut after: BTreeMap<usize, String> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(id) = anchor_on_line(line) else {
            continue;
        };
        let Some((tag, mark)) = by_id.get(id) else {
            continue;
        };
        let mut at = i;
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        if j < lines.len() && lines[j].trim_start().starts_with("$$") {
            let first = lines[j].trim();
            // 1 行で閉じる `$$ … $$` か、閉じの行を探す
            at = if first.len() > 2 && first.ends_with("$$") {
                j
            } else {
                (j + 1..lines.len())
                    .find(|&k| lines[k].trim_end().ends_with("$$"))
                    .unwrap_or(j)
            };
        }
        after.insert(at, mark_html(tag, mark, &to_root));
    }
    let mut out = String::with_capacity(content.len() + after.len() * 400);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        if let Some(html) = after.get(&i) {
            out.push('\n');
            out.push_str(html);
            out.push('\n');
            // 続く行が空でなければ、目印の HTML ブロックを閉じる空行を足す
            if lines.get(i + 1).is_some_and(|l| !l.trim().is_empty()) {
                out.push('\n');
            }
        }
    }
    if !content.ends_with('\n') {
        out.pop();
    }
    (out, after.len())
}

/// 本の JSON（mdBook の `Book`）の章を、入れ子もたどってすべて書き換える。戻り値は入れた目印の数。
fn rewrite_items(items: &mut serde_json::Value, marks: &BTreeMap<String, Mark>) -> usize {
    let mut n = 0;
    let Some(items) = items.as_array_mut() else {
        return 0;
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
            let (new, k) = add_marks(content, &path, marks);
            n += k;
            ch["content"] = serde_json::Value::String(new);
        }
        if let Some(sub) = ch.get_mut("sub_items") {
            n += rewrite_items(sub, marks);
        }
    }
    n
}

/// mdBook の前処理として走る: `input` の `[context, book]` を読み、目印を入れた `book` を `output` に書く。
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
    let [ctx, mut book] = <[serde_json::Value; 2]>::try_from(
        v.as_array()
            .cloned()
            .ok_or_else(|| bad("前処理の入力が [context, book] でない".into()))?,
    )
    .map_err(|_| bad("前処理の入力が [context, book] でない".into()))?;
    let root = ctx
        .get("root")
        .and_then(|r| r.as_str())
        .map_or_else(crate::workspace_root, std::path::PathBuf::from);
    let marks = marks(&root);
    let items = book
        .get_mut("items")
        .ok_or_else(|| bad("本の JSON に items がない（mdBook 0.5 の形でない）".into()))?;
    let n = rewrite_items(items, &marks);
    eprintln!(
        "verify-marks: {n} 個の式に検証の目印を入れた（番号つきの式 {} 個）",
        marks.len()
    );
    serde_json::to_writer(output, &book).map_err(|e| bad(format!("本の JSON を書けない: {e}")))
}
