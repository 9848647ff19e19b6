//! 検証索引: 本の `\tag{}` とリポジトリのテスト名 `eq_N_M_…` を突き合わせる。
//!
//! 式番号が結合キーである。式 (2.11) は、名前が `eq_2_11_` で始まるテストで確かめる。
//! 付録「検証索引」(src/appendix/verification-index.md) はここから生成する。

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// 生成する索引のパス（根からの相対）。
pub const INDEX_PATH: &str = "src/appendix/verification-index.md";

/// 変異テストの要約（根からの相対）。`scripts/mutants.sh` が書き、索引に載せる。
pub const MUTANTS_SUMMARY: &str = "tests/mutants/summary.md";

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

/// 式を確かめるテスト 1 つ。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EqTest {
    /// 確かめる式の番号。
    pub tag: String,
    /// テスト関数の名前。
    pub name: String,
    /// テストのあるファイル（根からの相対）。
    pub file: String,
}

/// 式番号から HTML の id を作る（`2.11` → `eq-2-11`）。
///
/// # Examples
///
/// ```
/// assert_eq!(xtask::index::anchor_id("2.11a"), "eq-2-11a");
/// ```
pub fn anchor_id(tag: &str) -> String {
    format!("eq-{}", tag.replace('.', "-"))
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
        for line in text.lines() {
            let Some(pos) = line.find("fn eq_") else {
                continue;
            };
            let name: String = line[pos + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if let Some(tag) = tag_of_test(&name) {
                out.push(EqTest {
                    tag,
                    name,
                    file: rel(root, &f),
                });
            }
        }
    }
    out
}

/// テスト名から式番号を読む（`eq_2_11a_foo` → `2.11a`）。
///
/// # Examples
///
/// ```
/// use xtask::index::tag_of_test;
/// assert_eq!(tag_of_test("eq_2_11_kl_difference").as_deref(), Some("2.11"));
/// assert_eq!(tag_of_test("eq_10_3a_x").as_deref(), Some("10.3a"));
/// assert_eq!(tag_of_test("helper"), None);
/// ```
pub fn tag_of_test(name: &str) -> Option<String> {
    let mut parts = name.strip_prefix("eq_")?.split('_');
    let major = parts
        .next()
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))?;
    let minor = parts.next()?;
    let digits = minor.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || minor.len() - digits.len() > 1
    {
        return None;
    }
    Some(format!("{major}.{minor}"))
}

/// 式番号を数として並べるためのキー。
fn sort_key(tag: &str) -> (u32, u32, String) {
    let (a, b) = tag.split_once('.').unwrap_or((tag, "0"));
    let digits: String = b.chars().take_while(char::is_ascii_digit).collect();
    let suffix: String = b.chars().skip_while(char::is_ascii_digit).collect();
    (a.parse().unwrap_or(0), digits.parse().unwrap_or(0), suffix)
}

/// 検証索引の Markdown を作る。
pub fn render(root: &Path) -> String {
    let eqs = equations(root);
    let mut by_tag: BTreeMap<(u32, u32, String), (&Equation, Vec<EqTest>)> = BTreeMap::new();
    for e in &eqs {
        by_tag.entry(sort_key(&e.tag)).or_insert((e, Vec::new()));
    }
    for t in tests(root) {
        if let Some(entry) = by_tag.get_mut(&sort_key(&t.tag)) {
            entry.1.push(t);
        }
    }
    let mut s = String::new();
    s.push_str("# 付録 C: 検証索引\n\n");
    s.push_str("<!-- このページは `cargo xtask index` が生成する。手で編集しない。 -->\n\n");
    s.push_str("本に現れる番号つきの式と、それを数値で確かめるテストの一覧である。式番号をクリックすると本文の式に移る。テスト名は `eq_<章>_<番号>_<確かめる内容>` の形で、リポジトリの中で `cargo test <テスト名>` と打てばそのテストだけを走らせられる。テストのない式があると、ルートのテスト `every_tagged_equation_has_a_test` が失敗する。\n\n");
    let _ = writeln!(
        s,
        "式の数: {}、テストの数: {}\n",
        by_tag.len(),
        by_tag.values().map(|v| v.1.len()).sum::<usize>()
    );
    // 表は章の題を何度も繰り返すので、検索で本文の章より上に来ないよう重みを下げる
    s.push_str("<div data-pagefind-weight=\"0.1\">\n\n");
    s.push_str("| 式 | 章 | テスト | ファイル |\n|---|---|---|---|\n");
    for (e, ts) in by_tag.values() {
        let link = format!("[({})](../{}#{})", e.tag, e.file, anchor_id(&e.tag));
        if ts.is_empty() {
            let _ = writeln!(s, "| {link} | {} | **なし** | |", e.chapter);
        }
        for (k, t) in ts.iter().enumerate() {
            let (l, c) = if k == 0 {
                (link.as_str(), e.chapter.as_str())
            } else {
                ("", "")
            };
            let _ = writeln!(s, "| {l} | {c} | `{}` | `{}` |", t.name, t.file);
        }
    }
    s.push_str("\n</div>\n");
    // 変異テストの結果（scripts/mutants.sh が書く）: テストが誤った式に気づけることの証拠
    if let Ok(summary) = std::fs::read_to_string(root.join(MUTANTS_SUMMARY)) {
        s.push_str("\n## 変異テスト\n\n");
        s.push_str("テストが「誤った式」に本当に気づけるかを、変異テスト（cargo-mutants）で確かめている。`genmodel` のコードに誤り（演算子や定数の入れ替え、戻り値の差し替えなど）を 1 つずつ入れ、テストが落ちるかを見る。\n\n");
        s.push_str(&summary);
    }
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
