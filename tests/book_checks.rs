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

/// 付録 D（ノートとの対照表）は、ノートの番号つきの式（1.1–1.3, 2.1–2.44, 10.1–10.8）ごとにちょうど 1 行をもつ。
/// 「訂正」の行は付録 B に実在する項目（`#erratum-…`）にリンクし、付録 B の項目はどれも、いずれかの行から
/// リンクされる。ただし番号つきの式に結びつかない本文だけの訂正は、下の `PROSE_ONLY` に名前を挙げて除く。
#[test]
fn note_concordance_covers_every_note_equation() {
    /// 付録 B の項目のうち、どの式の行にも属さない本文の訂正（第 1 章冒頭の「p(x) = 『20 代のアイドル』」）。
    const PROSE_ONLY: [&str; 1] = ["erratum-1-0"];
    let r = root();
    let table = std::fs::read_to_string(r.join("src/appendix/note-concordance.md")).unwrap();
    let errata = std::fs::read_to_string(r.join("src/appendix/errata.md")).unwrap();

    // 付録 B の項目: 見出し「### … {#erratum-…}」
    let entries: Vec<(String, String)> = errata
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("### ")?;
            let (title, rest) = l.split_once("{#erratum-")?;
            let id = format!("erratum-{}", rest.strip_suffix('}')?);
            Some((id, title.trim().to_string()))
        })
        .collect();
    assert!(!entries.is_empty(), "付録 B に項目が見つからない");
    let ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();

    // 1 つの表のセルから、付録 B の項目へのリンク（errata.md#erratum-…）を取り出す
    let links = |cell: &str| -> Vec<String> {
        cell.split("errata.md#")
            .skip(1)
            .map(|s| s.chars().take_while(|c| *c != ')').collect())
            .collect()
    };

    let mut seen: Vec<String> = Vec::new();
    let mut referenced: Vec<String> = Vec::new();
    let mut counts = [0usize; 3]; // 同じ・記法のみ・訂正
    for line in table.lines().filter(|l| l.starts_with("| [(")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 4, "列が 4 つでない行: {line}");
        let tag = cells[0]
            .strip_prefix("[(")
            .and_then(|s| s.split_once(")]"))
            .map(|(t, _)| t.to_string())
            .unwrap_or_else(|| panic!("式番号が読めない行: {line}"));
        // 式へのリンクは、本文の目印 <a id="eq-…"></a> を実際にもつページを指す
        let (page, anchor) = cells[0]
            .split_once("](../")
            .and_then(|(_, s)| s.strip_suffix(')'))
            .and_then(|s| s.split_once('#'))
            .unwrap_or_else(|| panic!("({tag}) のリンクが読めない: {line}"));
        assert_eq!(anchor, format!("eq-{}", tag.replace('.', "-")), "({tag})");
        let target = std::fs::read_to_string(r.join("src").join(page))
            .unwrap_or_else(|_| panic!("({tag}) のリンク先 {page} がない"));
        assert!(
            target.contains(&format!("<a id=\"{anchor}\"></a>")),
            "({tag}) のリンク先 {page} に目印 {anchor} がない"
        );

        let kind = cells[2];
        if kind == "同じ" {
            counts[0] += 1;
        } else if kind == "記法のみ" {
            counts[1] += 1;
        } else if kind.starts_with("訂正") {
            counts[2] += 1;
            assert!(
                !links(kind).is_empty(),
                "({tag}) は訂正なのに付録 B へのリンクがない"
            );
        } else {
            panic!("({tag}) の対照が「同じ」「記法のみ」「訂正…」のどれでもない: {kind}");
        }
        for cell in &cells[1..] {
            for id in links(cell) {
                assert!(
                    ids.contains(&id.as_str()),
                    "({tag}) が付録 B にない項目 {id} にリンクしている"
                );
                referenced.push(id);
            }
        }
        seen.push(tag);
    }

    // ノートの式ごとにちょうど 1 行
    let note: Vec<String> = [(1, 1..=3), (2, 1..=44), (10, 1..=8)]
        .into_iter()
        .flat_map(|(ch, r)| r.map(move |k| format!("{ch}.{k}")))
        .collect();
    for t in &note {
        let n = seen.iter().filter(|s| *s == t).count();
        assert_eq!(n, 1, "({t}) の行が {n} 個ある（ちょうど 1 個のはず）");
    }
    let extra: Vec<&String> = seen.iter().filter(|s| !note.contains(s)).collect();
    assert!(
        extra.is_empty(),
        "ノートにない式の行（本書が足した式は付録 C に載せる）: {extra:?}"
    );

    // 付録 B の項目は、本文だけの訂正として名前を挙げたものを除き、どれかの行からリンクされる
    for (id, title) in &entries {
        if PROSE_ONLY.contains(&id.as_str()) {
            assert!(
                !title.starts_with("式"),
                "{id} は式についての項目なので、本文だけの訂正の一覧から外して表の行からリンクする"
            );
        } else {
            assert!(
                referenced.contains(id),
                "付録 B の項目 {id}（{title}）にリンクする行がない"
            );
        }
    }
    for id in PROSE_ONLY {
        assert!(
            ids.contains(&id),
            "本文だけの訂正として挙げた {id} が付録 B にない"
        );
    }

    // 導入の段落が述べる内訳は表と一致する
    let summary = format!(
        "同じ {} 式、記法のみ {} 式、訂正 {} 式",
        counts[0], counts[1], counts[2]
    );
    assert!(
        table.contains(&summary),
        "付録 D の内訳の文が表と合わない（表では「{summary}」）"
    );
}
