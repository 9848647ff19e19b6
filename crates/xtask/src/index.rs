//! 検証索引: 本の `\tag{}` とリポジトリのテスト名 `eq_N_M_…` を突き合わせる。
//!
//! 式番号が結合キーである。式 (2.11) は、名前が `eq_2_11_` で始まるテストで確かめる。
//! 付録の式は章の数字の代わりに付録の文字を使う。式 (A.3) は `eq_a_3_` で始まるテストで確かめ、
//! 目印は `eq-a-3` である（HTML の id とテスト名は小文字、式番号は大文字）。
//! 付録「検証索引」(src/appendix/verification-index.md) はここから生成する。

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// 生成する索引のパス（根からの相対）。
pub const INDEX_PATH: &str = "src/appendix/verification-index.md";

/// 変異テストの要約（根からの相対）。`scripts/mutants.sh` が書き、索引に載せる。
pub const MUTANTS_SUMMARY: &str = "tests/mutants/summary.md";

/// 印刷された式の変異テストの要約（根からの相対）。`scripts/printed-mutants.sh` が書く。
pub const PRINTED_MUTANTS_SUMMARY: &str = "tests/printed/mutants.md";

/// 本に現れる番号つきの式 1 つ。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    /// 式番号（例: `2.11`、本が足した式は `2.11a`）。
    pub tag: String,
    /// 式のある章ファイル（`src/` からの相対）。
    pub file: String,
    /// 章の見出し。
    pub chapter: String,
    /// 式の直前に `<a id="eq-2-11"></a>` の目印があるか。
    pub has_anchor: bool,
}

/// テストの種類（検証索引に載せる）。
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TestKind {
    /// 本のページの式を、その LaTeX のまま実行する（`tests/printed/`）。
    Printed,
    /// クレートの実装を呼んで確かめる。
    Implementation,
    /// 数学の事実を確かめる（実装を呼ばない。目印 `検証の種類: 数学` のあるテスト）。
    Math,
    /// 式を引用する公開項目のドキュメントの例（doctest）。
    Doc,
}

impl TestKind {
    /// 索引に書く短い名前。
    pub fn label(self) -> &'static str {
        match self {
            Self::Printed => "印刷",
            Self::Implementation => "実装",
            Self::Math => "数学",
            Self::Doc => "doc",
        }
    }
}

/// 式を確かめるテスト 1 つ。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EqTest {
    /// 確かめる式の番号。
    pub tag: String,
    /// テスト関数の名前（doctest なら項目のパス）。
    pub name: String,
    /// テストのあるファイル（根からの相対）。
    pub file: String,
    /// 種類。
    pub kind: TestKind,
}

/// 印刷された式の扱い（`tests/printed/` の `Bound` と `Declared` から読む）。
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    /// ページの LaTeX を実行する。
    Executed,
    /// 実行しない（理由）。
    Declared(String),
}

/// 目印: この行がテストの直前にあれば、そのテストは数学の事実を確かめる（実装を呼ばない）。
pub const MATH_MARKER: &str = "検証の種類: 数学";

/// 式番号から HTML の id を作る（`2.11` → `eq-2-11`、`A.3a` → `eq-a-3a`）。
///
/// 付録の文字は小文字にする。
///
/// # Examples
///
/// ```
/// assert_eq!(xtask::index::anchor_id("2.11a"), "eq-2-11a");
/// assert_eq!(xtask::index::anchor_id("A.1"), "eq-a-1");
/// ```
pub fn anchor_id(tag: &str) -> String {
    format!("eq-{}", id_tail(tag))
}

/// id の中の式番号の部分（`2.11a` → `2-11a`、`A.3a` → `a-3a`）。
pub(crate) fn id_tail(tag: &str) -> String {
    tag.replace('.', "-").to_ascii_lowercase()
}

/// 式番号の前半（章の数字か付録の文字）と後半（数字と、本が足した式の 1 文字）から式番号を作る。
///
/// 前半は数字だけか、英字 1 文字（付録。大文字にする）。後半は数字の後に小文字 1 文字までを許す。
/// 形が合わなければ `None`。
///
/// # Examples
///
/// ```
/// use xtask::index::tag_from_parts;
/// assert_eq!(tag_from_parts("2", "11a").as_deref(), Some("2.11a"));
/// assert_eq!(tag_from_parts("a", "3a").as_deref(), Some("A.3a"));
/// assert_eq!(tag_from_parts("A", "1").as_deref(), Some("A.1"));
/// assert_eq!(tag_from_parts("ab", "1"), None);
/// assert_eq!(tag_from_parts("2", "x"), None);
/// assert_eq!(tag_from_parts("2", "11ab"), None);
/// ```
pub fn tag_from_parts(major: &str, minor: &str) -> Option<String> {
    let major = if !major.is_empty() && major.chars().all(|c| c.is_ascii_digit()) {
        major.to_string()
    } else if major.len() == 1 && major.chars().all(|c| c.is_ascii_alphabetic()) {
        major.to_ascii_uppercase()
    } else {
        return None;
    };
    let digits = minor.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || minor.len() - digits.len() > 1
    {
        return None;
    }
    Some(format!("{major}.{minor}"))
}

fn files_with_ext(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                files_with_ext(&p, ext, out);
            }
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// `src/` の全章から `\tag{…}` を集める（索引そのものは除く）。
pub fn equations(root: &Path) -> Vec<Equation> {
    let mut files = Vec::new();
    files_with_ext(&root.join("src"), "md", &mut files);
    let mut eqs = Vec::new();
    for f in files {
        let r = rel(&root.join("src"), &f);
        if r == "appendix/verification-index.md" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let chapter = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap_or(&r)
            .trim()
            .to_string();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("\\tag{") {
            let after = &rest[i + 5..];
            let Some(j) = after.find('}') else { break };
            let tag = after[..j].trim().to_string();
            let has_anchor = text.contains(&format!("id=\"{}\"", anchor_id(&tag)));
            eqs.push(Equation {
                tag,
                file: r.clone(),
                chapter: chapter.clone(),
                has_anchor,
            });
            rest = &after[j..];
        }
    }
    eqs
}

/// `crates/` と `tests/` の Rust ファイルから `fn eq_N_M…` の名前を集める。
pub fn tests(root: &Path) -> Vec<EqTest> {
    let mut files = Vec::new();
    files_with_ext(&root.join("crates"), "rs", &mut files);
    files_with_ext(&root.join("tests"), "rs", &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let file = rel(root, &f);
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(pos) = line.find("fn eq_") else {
                continue;
            };
            let name: String = line[pos + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let Some(tag) = tag_of_test(&name) else {
                continue;
            };
            // 直前の属性・コメントの並びに目印があれば数学の事実のテスト
            let marked = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    let t = l.trim_start();
                    t.starts_with("#[") || t.starts_with("//")
                })
                .any(|l| l.contains(MATH_MARKER));
            let kind = if file.starts_with("tests/printed/") {
                TestKind::Printed
            } else if marked {
                TestKind::Math
            } else {
                TestKind::Implementation
            };
            out.push(EqTest {
                tag,
                name,
                file: file.clone(),
                kind,
            });
        }
    }
    out.extend(doctests(root));
    out
}

/// `crates/genmodel/src` の公開項目のうち、ドキュメントが式番号を引用し、例（doctest）をもつもの。
///
/// 引用とみなすのは本に実在する式番号だけである（`(0.5, 0.5)` のような値の組は数えない）。
pub fn doctests(root: &Path) -> Vec<EqTest> {
    let book: std::collections::BTreeSet<String> =
        equations(root).into_iter().map(|e| e.tag).collect();
    let src = root.join("crates/genmodel/src");
    let mut files = Vec::new();
    files_with_ext(&src, "rs", &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let module = module_path(&rel(&src, &f));
        let mut doc: Vec<&str> = Vec::new();
        let mut impl_type: Option<String> = None;
        for line in text.lines() {
            let t = line.trim_start();
            if let Some(d) = t.strip_prefix("///") {
                doc.push(d);
                continue;
            }
            if t.starts_with("#[") {
                continue;
            }
            if let Some(ty) = impl_target(t) {
                impl_type = Some(ty);
            }
            if !line.starts_with(' ') && !t.starts_with("impl") && !t.is_empty() && t != "}" {
                impl_type = None;
            }
            if !doc.is_empty() && doc.iter().any(|d| d.trim_start().starts_with("```")) {
                if let Some(item) = public_item(t) {
                    let path = match (&impl_type, line.starts_with(' ')) {
                        (Some(ty), true) => format!("{module}::{ty}::{item}"),
                        _ => format!("{module}::{item}"),
                    };
                    let mut tags: Vec<String> = doc
                        .iter()
                        .flat_map(|d| cited_tags(d))
                        .filter(|t| book.contains(t))
                        .collect();
                    tags.sort();
                    tags.dedup();
                    for tag in tags {
                        out.push(EqTest {
                            tag,
                            name: path.clone(),
                            file: rel(root, &f),
                            kind: TestKind::Doc,
                        });
                    }
                }
            }
            doc.clear();
        }
    }
    out
}

/// `gaussian/univariate.rs` → `genmodel::gaussian::univariate`（`mod.rs`・`lib.rs` は親）。
fn module_path(rel_file: &str) -> String {
    let trimmed = rel_file.trim_end_matches(".rs");
    let parts: Vec<&str> = trimmed
        .split('/')
        .filter(|p| *p != "mod" && *p != "lib")
        .collect();
    std::iter::once("genmodel")
        .chain(parts)
        .collect::<Vec<_>>()
        .join("::")
}

/// `impl Foo {`・`impl<T> Foo<T> {` の `Foo`（トレイトの実装は除く）。
fn impl_target(line: &str) -> Option<String> {
    let rest = line.strip_prefix("impl")?;
    if line.contains(" for ") || !line.ends_with('{') {
        return None;
    }
    let rest = rest.trim_start();
    let rest = if rest.starts_with('<') {
        rest.split_once('>')?.1.trim_start()
    } else {
        rest
    };
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `pub fn name`・`pub struct Name` などの名前。
fn public_item(line: &str) -> Option<String> {
    let rest = line.strip_prefix("pub ")?;
    let rest = ["fn ", "struct ", "enum ", "const ", "type "]
        .iter()
        .find_map(|k| rest.strip_prefix(k))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// 文中の式番号 `(2.28)`・`(10.3a)`・`(A.3a)` を集める。
///
/// 付録の式は前半が大文字 1 文字である（`(a.1)` や `(AB.1)` は式番号とみなさない）。
///
/// # Examples
///
/// ```
/// assert_eq!(xtask::index::cited_tags("式 (2.28)・(2.29a)、§2.5"), vec!["2.28", "2.29a"]);
/// assert_eq!(xtask::index::cited_tags("付録 A の (A.1)–(A.3a)"), vec!["A.1", "A.3a"]);
/// assert!(xtask::index::cited_tags("(x, y)").is_empty());
/// assert!(xtask::index::cited_tags("(a.1)・(AB.1)").is_empty());
/// ```
pub fn cited_tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('(') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find(')') else { break };
        let inner = &rest[..j];
        if let Some((a, b)) = inner.split_once('.') {
            let major_ok = a.chars().all(|c| c.is_ascii_digit())
                || (a.len() == 1 && a.chars().all(|c| c.is_ascii_uppercase()));
            if major_ok && tag_from_parts(a, b).as_deref() == Some(inner) {
                out.push(inner.to_string());
            }
        }
    }
    out
}

/// `tests/printed/*.rs` から、印刷された式を実行する式と、実行しない式（理由つき）を読む。
pub fn printed(root: &Path) -> BTreeMap<String, Printed> {
    let mut files = Vec::new();
    files_with_ext(&root.join("tests/printed"), "rs", &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (marker, executed) in [("Bound {", true), ("Declared {", false)] {
            let mut rest = text.as_str();
            while let Some(i) = rest.find(marker) {
                rest = &rest[i + marker.len()..];
                let Some(tag) = quoted_after(rest, "tag:") else {
                    continue;
                };
                let status = if executed {
                    Printed::Executed
                } else {
                    Printed::Declared(quoted_after(rest, "reason:").unwrap_or_default())
                };
                out.insert(tag, status);
            }
        }
    }
    out
}

/// `key: "…"` の文字列（`rest` の中で最初に現れるもの。次の `}` より前に限る）。
fn quoted_after(rest: &str, key: &str) -> Option<String> {
    let end = rest.find('}').unwrap_or(rest.len());
    let body = &rest[..end];
    let i = body.find(key)?;
    let after = body[i + key.len()..].trim_start().strip_prefix('"')?;
    Some(after[..after.find('"')?].to_string())
}

/// テスト名から式番号を読む（`eq_2_11a_foo` → `2.11a`、付録の式は `eq_a_3a_foo` → `A.3a`）。
///
/// 付録の文字はテスト名では小文字（Rust の関数名の慣習）、式番号では大文字である。
///
/// # Examples
///
/// ```
/// use xtask::index::tag_of_test;
/// assert_eq!(tag_of_test("eq_2_11_kl_difference").as_deref(), Some("2.11"));
/// assert_eq!(tag_of_test("eq_10_3a_x").as_deref(), Some("10.3a"));
/// assert_eq!(tag_of_test("eq_a_1_printed_form").as_deref(), Some("A.1"));
/// assert_eq!(tag_of_test("eq_a_3a_foo").as_deref(), Some("A.3a"));
/// assert_eq!(tag_of_test("eq_ab_1_foo"), None);
/// assert_eq!(tag_of_test("eq_a_x"), None);
/// assert_eq!(tag_of_test("helper"), None);
/// ```
pub fn tag_of_test(name: &str) -> Option<String> {
    let mut parts = name.strip_prefix("eq_")?.split('_');
    let major = parts.next()?;
    let minor = parts.next()?;
    tag_from_parts(major, minor)
}

/// 章の数字がない式番号（付録の `A.1` など）の前半に与える順位の起点。付録は全章の後ろに並ぶ。
const APPENDIX_RANK: u32 = 1000;

/// 式番号を数として並べるためのキー（`2.9` < `2.10` < `2.10a` < `2.11` < `10.1` < `A.1` < `A.3a`）。
///
/// 付録の式（前半が英字）は、どの章の式よりも後ろに、文字の順に並ぶ。
///
/// # Examples
///
/// ```
/// use xtask::index::sort_key;
/// let mut tags = ["A.3a", "10.1", "A.1", "2.10a", "2.9", "A.3"];
/// tags.sort_by_key(|t| sort_key(t));
/// assert_eq!(tags, ["2.9", "2.10a", "10.1", "A.1", "A.3", "A.3a"]);
/// ```
pub fn sort_key(tag: &str) -> (u32, u32, String) {
    let (a, b) = tag.split_once('.').unwrap_or((tag, "0"));
    let major = match a.parse() {
        Ok(n) => n,
        Err(_) => match a.chars().next() {
            Some(c) if a.len() == 1 && c.is_ascii_alphabetic() => {
                APPENDIX_RANK + u32::from(c.to_ascii_uppercase() as u8 - b'A')
            }
            _ => 0,
        },
    };
    let digits: String = b.chars().take_while(char::is_ascii_digit).collect();
    let suffix: String = b.chars().skip_while(char::is_ascii_digit).collect();
    (major, digits.parse().unwrap_or(0), suffix)
}

/// 検証索引の Markdown を作る。
pub fn render(root: &Path) -> String {
    let eqs = equations(root);
    let printed = printed(root);
    let mut by_tag: BTreeMap<(u32, u32, String), (&Equation, Vec<EqTest>)> = BTreeMap::new();
    for e in &eqs {
        by_tag.entry(sort_key(&e.tag)).or_insert((e, Vec::new()));
    }
    for t in tests(root) {
        if let Some(entry) = by_tag.get_mut(&sort_key(&t.tag)) {
            entry.1.push(t);
        }
    }
    for (_, ts) in by_tag.values_mut() {
        ts.sort_by_key(|t| t.kind);
    }
    let executed = by_tag
        .values()
        .filter(|(e, _)| printed.get(&e.tag) == Some(&Printed::Executed))
        .count();
    let mut s = String::new();
    s.push_str("# 付録 C: 検証索引\n\n");
    s.push_str("<!-- このページは `cargo xtask index` が生成する。手で編集しない。 -->\n\n");
    s.push_str("本に現れる番号つきの式と、それを数値で確かめるテストの一覧である。式番号をクリックすると本文の式に移る。テストには 4 種類ある。**印刷**はページに印刷された式の LaTeX をそのまま読んで実行し、各等号・不等号をクレートの実装と突き合わせる（ページの誤植もテストの失敗になる）。**実装**はクレートの関数を、閉じた形・差分近似・全列挙など実装と独立に求めた値と比べる。**数学**は実装を呼ばずに数学の事実を確かめる。**doc** は式を引用する公開項目のドキュメントの例である。テスト名は `eq_<章>_<番号>_<確かめる内容>` の形（付録 A の式は `eq_a_<番号>_…`）で、`cargo test <テスト名>` でそのテストだけを走らせられる。\n\n");
    let _ = writeln!(
        s,
        "式の数: {}、印刷された形を実行する式: {}（{:.0} %）、テストの数: {}\n",
        by_tag.len(),
        executed,
        100.0 * executed as f64 / by_tag.len().max(1) as f64,
        by_tag.values().map(|v| v.1.len()).sum::<usize>()
    );
    // 表はテスト名とファイル名の一覧なので、検索の索引から外す（結果の抜粋にテスト名を出さない）
    s.push_str("<div data-pagefind-ignore>\n\n");
    s.push_str("| 式 | 印刷された式 | テスト | ファイル |\n|---|---|---|---|\n");
    for (e, ts) in by_tag.values() {
        // 行の目印 check-N-M（付録は check-a-M）: 本文の式の下の検証の目印（crate::marks）がここへリンクする
        let link = format!(
            "<a id=\"{}\"></a>[({})](../{}#{})",
            crate::marks::check_id(&e.tag),
            e.tag,
            e.file,
            anchor_id(&e.tag)
        );
        let status = match printed.get(&e.tag) {
            Some(Printed::Executed) => "✓ 実行".to_string(),
            Some(Printed::Declared(reason)) => format!("実行しない: {reason}"),
            None => "**未登録**".to_string(),
        };
        if ts.is_empty() {
            let _ = writeln!(s, "| {link} | {status} | **なし** | |");
        }
        for (k, t) in ts.iter().enumerate() {
            let (l, st) = if k == 0 {
                (link.as_str(), status.as_str())
            } else {
                ("", "")
            };
            let _ = writeln!(
                s,
                "| {l} | {st} | {}: `{}` | `{}` |",
                t.kind.label(),
                t.name,
                t.file
            );
        }
    }
    s.push_str("\n</div>\n");
    // 変異テストの節は式や用語に触れるが、それを定義する場所ではないので、検索で本文より上に来ないよう
    // 重みを下げる
    s.push_str("\n<div data-pagefind-weight=\"0.1\">\n");
    if let Ok(summary) = std::fs::read_to_string(root.join(PRINTED_MUTANTS_SUMMARY)) {
        s.push_str("\n## 印刷された式の変異テスト\n\n");
        s.push_str("印刷された式のテストが、ページの誤植に本当に気づけるかを確かめている。実行する式ごとに、LaTeX を 1 か所ずつ壊し（符号の反転、½ や 1/n の脱落、1/n と 1/(n−1) の入れ替え、ln の脱落、転置の有無、添字の入れ替え、≤ と ≥ の入れ替え）、テストが落ちるかを見る。生き残った変異には、数学的に同じ式になる理由を添える。\n\n");
        s.push_str(
            summary
                .split_once('\n')
                .map_or("", |(_, rest)| rest)
                .trim_start(),
        );
    }
    // 変異テストの結果（scripts/mutants.sh が書く）: テストが誤った実装に気づけることの証拠
    if let Ok(summary) = crate::mutants::index_section(root) {
        s.push_str("\n## 実装の変異テスト\n\n");
        s.push_str("テストが「誤った実装」に本当に気づけるかを、変異テスト（cargo-mutants）で確かめている。`genmodel` のコードに誤り（演算子や定数の入れ替え、戻り値の差し替えなど）を 1 つずつ入れ、テストが落ちるかを見る。\n\n");
        s.push_str(&summary);
    }
    s.push_str("\n</div>\n");
    s
}

/// 検証索引を書き出す。
///
/// # Errors
///
/// ファイルを書けなければ入出力エラーを返す。
pub fn write(root: &Path) -> std::io::Result<()> {
    std::fs::write(root.join(INDEX_PATH), render(root))?;
    println!("書き出し: {INDEX_PATH}");
    Ok(())
}
