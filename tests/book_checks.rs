//! 本そのものの検査: 式とテストの対応、生成物（図・検証索引）の鮮度、散文の体裁、正誤表。

use std::path::{Path, PathBuf};
use xtask::index;

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(markdown_files(&p));
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_tagged_equation_has_a_test() {
    let r = root();
    let tests = index::tests(&r);
    let eqs = index::equations(&r);
    assert!(!eqs.is_empty(), "src/ に番号つきの式が 1 つもない");
    let missing: Vec<String> = eqs
        .iter()
        .filter(|e| !tests.iter().any(|t| t.tag == e.tag))
        .map(|e| format!("({}) in {}", e.tag, e.file))
        .collect();
    assert!(missing.is_empty(), "テストのない式: {missing:?}");
}

#[test]
fn every_tagged_equation_has_an_anchor_and_appears_once() {
    let eqs = index::equations(&root());
    let no_anchor: Vec<&str> = eqs
        .iter()
        .filter(|e| !e.has_anchor)
        .map(|e| e.tag.as_str())
        .collect();
    assert!(
        no_anchor.is_empty(),
        "目印 <a id=\"eq-…\"> のない式: {no_anchor:?}"
    );
    let mut tags: Vec<&str> = eqs.iter().map(|e| e.tag.as_str()).collect();
    tags.sort_unstable();
    let before = tags.len();
    tags.dedup();
    assert_eq!(before, tags.len(), "同じ式番号が 2 回 \\tag されている");
}

#[test]
fn every_equation_test_names_an_equation_in_the_book() {
    let r = root();
    let eqs = index::equations(&r);
    let orphans: Vec<String> = index::tests(&r)
        .into_iter()
        .filter(|t| !eqs.iter().any(|e| e.tag == t.tag))
        .map(|t| format!("{} ({})", t.name, t.file))
        .collect();
    assert!(
        orphans.is_empty(),
        "本にない式番号を名乗るテスト: {orphans:?}"
    );
}

#[test]
fn verification_index_is_fresh() {
    let r = root();
    let committed = std::fs::read_to_string(r.join(index::INDEX_PATH)).unwrap_or_default();
    assert!(
        committed == index::render(&r),
        "{} が古い: `cargo xtask index` で作り直す",
        index::INDEX_PATH
    );
}

#[test]
fn figures_are_fresh() {
    let dir = root().join("src/figures");
    let figs = xtask::figures::all();
    assert!(!figs.is_empty());
    for f in &figs {
        let committed = std::fs::read_to_string(dir.join(f.file)).unwrap_or_default();
        assert!(
            committed == f.svg,
            "src/figures/{} が古い: `cargo xtask figures` で作り直す",
            f.file
        );
    }
    // 逆向き: コードが作らない SVG（手描き・消し忘れ）が置かれていない
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            figs.iter().any(|f| f.file == name),
            "コードが作らない図: src/figures/{name}"
        );
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// 日本語の段落の途中の改行は、ブラウザで余計な空白になる。
#[test]
fn no_soft_breaks_in_japanese_prose() {
    let mut bad = Vec::new();
    for p in markdown_files(&root().join("src")) {
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (mut fence, mut math) = (false, false);
        for (i, w) in lines.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            if a.trim_start().starts_with("```") {
                fence = !fence;
            }
            if a.trim() == "$$"
                || (a.trim().starts_with("$$") && !(a.trim().len() > 2 && a.trim().ends_with("$$")))
            {
                math = !math;
            }
            if fence || math || a.trim().is_empty() || b.trim().is_empty() {
                continue;
            }
            let first_b = b.trim_start().chars().next().unwrap();
            if "#|-*>$`<0123456789".contains(first_b)
                || "#|><".contains(a.trim_start().chars().next().unwrap())
            {
                continue;
            }
            if is_cjk(a.trim_end().chars().last().unwrap()) && is_cjk(first_b) {
                bad.push(format!("{}:{}", p.display(), i + 1));
            }
        }
    }
    assert!(bad.is_empty(), "日本語の段落の途中に改行がある: {bad:?}");
}

/// 正誤表が名指しする判定テストは、リポジトリに実在する。
#[test]
fn errata_name_existing_tests() {
    let r = root();
    let errata = std::fs::read_to_string(r.join("src/appendix/errata.md")).unwrap();
    let names: Vec<String> = index::tests(&r).into_iter().map(|t| t.name).collect();
    let mut cited = 0;
    for piece in errata.split('`').skip(1).step_by(2) {
        if piece.starts_with("eq_") {
            cited += 1;
            assert!(
                names.iter().any(|n| n == piece),
                "正誤表が挙げるテスト {piece} が見つからない"
            );
        }
    }
    assert!(cited > 0, "正誤表が判定テストを 1 つも挙げていない");
}

/// 原ノートの番号つきの式（1.1–1.3, 2.1–2.44, 10.1–10.8）は、すべて同じ番号で本に載っている。
/// ノートそのものはリポジトリの外にあるので、番号の一覧をここに写してある。
#[test]
fn every_equation_of_the_note_is_in_the_book() {
    let ranges = [(1, 1..=3), (2, 1..=44), (10, 1..=8)];
    let tags: Vec<String> = index::equations(&root())
        .into_iter()
        .map(|e| e.tag)
        .collect();
    let missing: Vec<String> = ranges
        .into_iter()
        .flat_map(|(ch, r)| r.map(move |k| format!("{ch}.{k}")))
        .filter(|t| !tags.contains(t))
        .collect();
    assert!(missing.is_empty(), "本にないノートの式: {missing:?}");
    // 本が足した式は、必ず文字つきの番号（2.11a など）で、ノートの番号と衝突しない
    for t in &tags {
        let (ch, k) = t.split_once('.').unwrap();
        let digits: String = k.chars().take_while(char::is_ascii_digit).collect();
        let in_note = match ch {
            "1" => (1..=3).contains(&digits.parse::<u32>().unwrap()),
            "2" => (1..=44).contains(&digits.parse::<u32>().unwrap()),
            "10" => (1..=8).contains(&digits.parse::<u32>().unwrap()),
            _ => false,
        };
        assert!(
            in_note,
            "ノートにない番号 ({t}) は、ノートの式の番号に文字をつけて作る"
        );
    }
}
