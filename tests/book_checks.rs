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
    // 逆向き: コードが作らない SVG（手描き・消し忘れ）が置かれていない。data/ は長い計算の結果
    // （xtask::runs が書き、chapter_4_runs_match_their_inputs が確かめる）
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name == "data" {
            continue;
        }
        assert!(
            figs.iter().any(|f| f.file == name),
            "コードが作らない図: src/figures/{name}"
        );
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// KaTeX は `\tilde` を文字 `~` で描く。mdbook-katex はビルド時に数式を HTML にしてから Markdown を読ませるので、
/// 段落に `~` が 2 つ並ぶと打ち消し線になり、タグが壊れる（`mdbook build` の警告）。`\widetilde`（SVG で描く）を使う。
#[test]
fn no_tilde_accents_in_math() {
    let bad: Vec<String> = markdown_files(&root().join("src"))
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("\\tilde"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        bad.is_empty(),
        "\\tilde を使っているページ（\\widetilde にする）: {bad:?}"
    );
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

/// 原ノートの番号つきの式の一覧（1.1–1.3, 2.1–2.44, 10.1–10.8）。ノートそのものはリポジトリの外にあるので、
/// 番号の一覧をここに写してある。
fn note_equations() -> Vec<String> {
    [("1", 1..=3), ("2", 1..=44), ("10", 1..=8)]
        .into_iter()
        .flat_map(|(ch, r)| r.map(move |k| format!("{ch}.{k}")))
        .collect()
}

/// ノートの式番号に対応する本の式番号。ノートの §10（Appendix）の (10.k) は本の付録 A の (A.k) で、
/// 本の (10.k) は第 10 章の式である。それ以外は同じ番号。
fn book_tag_of_note(note: &str) -> String {
    match note.split_once('.') {
        Some(("10", k)) => format!("A.{k}"),
        _ => note.to_string(),
    }
}

/// 原ノートの番号つきの式（1.1–1.3, 2.1–2.44, 10.1–10.8）は、すべて本に載っている。番号は同じだが、
/// ノートの付録の (10.1)–(10.8) は本の付録 A の (A.1)–(A.8) である（本の (10.k) は第 10 章の式）。
/// 第 1・2 章と付録で本が足した式は文字つきの番号をもつ。ノートに式のない第 3–10 章は数字だけの番号でよい。
#[test]
fn every_equation_of_the_note_is_in_the_book() {
    let tags: Vec<String> = index::equations(&root())
        .into_iter()
        .map(|e| e.tag)
        .collect();
    let missing: Vec<String> = note_equations()
        .iter()
        .map(|t| book_tag_of_note(t))
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
            // ノートの §10（Appendix）の式は本の付録 A にある
            "A" => (1..=8).contains(&digits.parse::<u32>().unwrap()),
            // ノートの §3–9 は見出しだけで式がなく、本の第 10 章（拡散モデル）にあたるノートの式もない:
            // 本が書いた章は (3.1), (3.2), … と番号をつける
            "3" | "4" | "5" | "6" | "7" | "8" | "9" | "10" => true,
            _ => false,
        };
        assert!(
            in_note,
            "ノートにない番号 ({t}) は、ノートの式の番号に文字をつけて作る"
        );
    }
}

/// 付録 D（ノートとの対照表）は、ノートの番号つきの式（1.1–1.3, 2.1–2.44, 10.1–10.8）ごとにちょうど 1 行をもつ。
/// 式の欄は、本の番号がノートと同じなら `[(2.11)](…#eq-2-11)`、違えば（ノートの付録）
/// `(10.1) → [(A.1)](…#eq-a-1)` の形で、リンクは本の式を指す。
/// 対照の欄は、付録 B の項目のうちその式を扱うもの（見出しの式番号から読む。本文の式の下の目印と同じ
/// 対応 `xtask::marks::errata`）と一致する: 誤りの項目があれば「訂正」、補いの項目だけなら「補足」、
/// 項目がなければ「同じ」か「記法のみ」で、欄のリンクはその項目のすべてである。付録 B の項目はどれも、
/// いずれかの行からリンクされる。ただし番号つきの式に結びつかない本文だけの訂正は、下の `PROSE_ONLY` に
/// 名前を挙げて除く。
#[test]
fn note_concordance_covers_every_note_equation() {
    use xtask::marks::ErratumKind;
    /// 付録 B の項目のうち、どの式の行にも属さない本文の訂正（第 1 章冒頭の「p(x) = 『20 代のアイドル』」）。
    const PROSE_ONLY: [&str; 1] = ["erratum-1-0"];
    let r = root();
    let table = std::fs::read_to_string(r.join("src/appendix/note-concordance.md")).unwrap();
    let entries = xtask::marks::errata(&r);
    assert!(!entries.is_empty(), "付録 B に項目が見つからない");
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();

    // 1 つの表のセルから、付録 B の項目へのリンク（errata.md#erratum-…）を取り出す
    let links = |cell: &str| -> Vec<String> {
        cell.split("errata.md#")
            .skip(1)
            .map(|s| s.chars().take_while(|c| *c != ')').collect())
            .collect()
    };

    let mut seen: Vec<String> = Vec::new();
    let mut referenced: Vec<String> = Vec::new();
    let mut counts = [0usize; 4]; // 同じ・記法のみ・補足・訂正
    for line in table
        .lines()
        .filter(|l| l.starts_with("| [(") || l.starts_with("| ("))
    {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 4, "列が 4 つでない行: {line}");
        // 式の欄: 「[(本の番号)](リンク)」か「(ノートの番号) → [(本の番号)](リンク)」
        let (note_tag, linked) = match cells[0].split_once(" → ") {
            Some((note, linked)) => (
                note.strip_prefix('(')
                    .and_then(|s| s.strip_suffix(')'))
                    .map(str::to_string),
                linked,
            ),
            None => (None, cells[0]),
        };
        let book_tag = linked
            .strip_prefix("[(")
            .and_then(|s| s.split_once(")]"))
            .map(|(t, _)| t.to_string())
            .unwrap_or_else(|| panic!("式番号が読めない行: {line}"));
        let tag = note_tag.unwrap_or_else(|| book_tag.clone());
        assert_eq!(
            book_tag,
            book_tag_of_note(&tag),
            "ノートの ({tag}) の本の番号が違う（番号が違うときだけ「→」で並べる）: {line}"
        );
        assert_eq!(
            cells[0].contains(" → "),
            tag != book_tag,
            "ノートと本の番号が違うときだけ「(ノート) → (本)」と書く: {line}"
        );
        // 式へのリンクは、本文の目印 <a id="eq-…"></a> を実際にもつページを指す
        let (page, anchor) = linked
            .split_once("](../")
            .and_then(|(_, s)| s.strip_suffix(')'))
            .and_then(|s| s.split_once('#'))
            .unwrap_or_else(|| panic!("({tag}) のリンクが読めない: {line}"));
        assert_eq!(anchor, index::anchor_id(&book_tag), "({tag})");
        let target = std::fs::read_to_string(r.join("src").join(page))
            .unwrap_or_else(|_| panic!("({tag}) のリンク先 {page} がない"));
        assert!(
            target.contains(&format!("<a id=\"{anchor}\"></a>")),
            "({tag}) のリンク先 {page} に目印 {anchor} がない"
        );

        // 付録 B のうち、この式を扱う項目（項目の式は本の番号）
        let about: Vec<&xtask::marks::Erratum> = entries
            .iter()
            .filter(|e| e.tags.contains(&book_tag))
            .collect();
        let has = |k: ErratumKind| about.iter().any(|e| e.kind == Some(k));
        let kind = cells[2];
        let want = if has(ErratumKind::Error) {
            "訂正"
        } else if has(ErratumKind::Clarification) {
            "補足"
        } else if kind == "記法のみ" {
            "記法のみ"
        } else {
            "同じ"
        };
        assert!(
            kind == want || kind.starts_with(&format!("{want}（")),
            "({tag}) の対照は「{want}」のはず（付録 B の項目: {:?}）: {kind}",
            about.iter().map(|e| &e.id).collect::<Vec<_>>()
        );
        counts[["同じ", "記法のみ", "補足", "訂正"]
            .iter()
            .position(|w| *w == want)
            .unwrap()] += 1;
        let mut linked = links(kind);
        linked.sort();
        let mut expected: Vec<String> = about.iter().map(|e| e.id.clone()).collect();
        expected.sort();
        assert_eq!(
            linked, expected,
            "({tag}) の対照の欄のリンクが、付録 B でこの式を扱う項目と違う"
        );
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
    let note = note_equations();
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
    for e in &entries {
        if PROSE_ONLY.contains(&e.id.as_str()) {
            assert!(
                !e.title.starts_with("式") && e.tags.is_empty(),
                "{} は式についての項目なので、本文だけの訂正の一覧から外して表の行からリンクする",
                e.id
            );
        } else {
            assert!(
                referenced.contains(&e.id),
                "付録 B の項目 {}（{}）にリンクする行がない",
                e.id,
                e.title
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
        "同じ {} 式、記法のみ {} 式、補足 {} 式、訂正 {} 式",
        counts[0], counts[1], counts[2], counts[3]
    );
    assert!(
        table.contains(&summary),
        "付録 D の内訳の文が表と合わない（表では「{summary}」）"
    );
}

/// 番号つきの式はどれも、本のビルドで検証の目印（`cargo xtask verify-marks`、book.toml の
/// `[preprocessor.verify]`）を得る。目印は式の閉じの行より後ろ、次の番号つきの式より前にあり、
/// 検証索引のその式の行と、正誤表の実在する項目にリンクする。ビルドと同じ関数を、本の各ページに
/// その場で走らせて確かめる。
#[test]
fn every_numbered_equation_gets_a_verification_mark() {
    use xtask::marks;
    let r = root();
    let all = marks::marks(&r);
    let eqs = index::equations(&r);
    assert_eq!(all.len(), eqs.len(), "同じ式番号が 2 回ある");
    let errata_ids: Vec<String> = marks::errata(&r).into_iter().map(|e| e.id).collect();
    let index_page = std::fs::read_to_string(r.join(index::INDEX_PATH)).unwrap();
    let mut placed = 0;
    for p in markdown_files(&r.join("src")) {
        let path = p
            .strip_prefix(r.join("src"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&p).unwrap();
        let (out, n) = marks::add_marks(&text, &path, &all);
        let here: Vec<&index::Equation> = eqs.iter().filter(|e| e.file == path).collect();
        assert_eq!(n, here.len(), "{path}: 目印の数が番号つきの式の数と違う");
        let lines: Vec<&str> = out.lines().collect();
        let to_root = "../".repeat(path.matches('/').count());
        for e in here {
            let href = format!(
                "href=\"{to_root}appendix/verification-index.html#{}\"",
                marks::check_id(&e.tag)
            );
            let at: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains(&href))
                .collect();
            assert_eq!(at.len(), 1, "({}) の目印が {} 個ある", e.tag, at.len());
            let tex = format!("\\tag{{{}}}", e.tag);
            let tagged = lines
                .iter()
                .position(|l| l.contains(&tex))
                .unwrap_or_else(|| panic!("({}) の \\tag が {path} にない", e.tag));
            assert!(
                at[0] > tagged
                    && !lines[tagged + 1..at[0]]
                        .iter()
                        .any(|l| l.contains("\\tag{")),
                "({}) の目印が式の直後にない（{path} の {} 行目）",
                e.tag,
                at[0] + 1
            );
            assert!(
                index_page.contains(&format!("<a id=\"{}\"></a>", marks::check_id(&e.tag))),
                "検証索引に ({}) の行の目印がない: `cargo xtask index`",
                e.tag
            );
            for piece in lines[at[0]].split("errata.html#").skip(1) {
                let id: String = piece.chars().take_while(|c| *c != '"').collect();
                assert!(
                    errata_ids.contains(&id),
                    "({}) の目印が付録 B にない {id} を指す",
                    e.tag
                );
            }
            placed += 1;
        }
    }
    assert_eq!(placed, eqs.len());
}

/// 付録 B の項目は、どれも「誤り」か「記法と説明の補い」のどちらかの節にある。
#[test]
fn every_erratum_is_an_error_or_a_clarification() {
    let stray: Vec<String> = xtask::marks::errata(&root())
        .into_iter()
        .filter(|e| e.kind.is_none())
        .map(|e| e.id)
        .collect();
    assert!(
        stray.is_empty(),
        "付録 B の 2 つの節の外にある項目: {stray:?}"
    );
}

// ---------------------------------------------------------------------------
// 付録 B の項目のうち、ノートの言い回しや書かれていない前提についての項目の判定テスト。
// どれも実装を呼ばずに数学の事実を確かめる（検証索引の種類「数学」）。

/// 離散分布の KL 情報量 (2.3)（p > 0 の状態について和をとる）。
fn kl_discrete(p: &[f64], q: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .filter(|(a, _)| **a > 0.0)
        .map(|(a, b)| a * (a / b).ln())
        .sum()
}

// 検証の種類: 数学
/// ノート §2.1 は KL 情報量を「距離」と呼ぶ。距離なら対称で三角不等式を満たすが、KL 情報量は
/// どちらも満たさない。p = (1/2, 1/2)、q = (1/4, 3/4)、r = (1/10, 9/10) で
/// KL(p‖r) ≈ 0.511 は KL(p‖q) + KL(q‖r) ≈ 0.236 の 2 倍を超える。
#[test]
fn eq_2_3_kl_is_not_a_distance_triangle_inequality_fails() {
    let (p, q, r) = ([0.5, 0.5], [0.25, 0.75], [0.1, 0.9]);
    let direct = kl_discrete(&p, &r);
    let via_q = kl_discrete(&p, &q) + kl_discrete(&q, &r);
    // 手計算: KL(p‖r) = ½ ln(0.5/0.1) + ½ ln(0.5/0.9) = ½ ln(25/9)
    assert!((direct - 0.5 * (25.0f64 / 9.0).ln()).abs() < 1e-15);
    assert!(
        direct > 2.0 * via_q,
        "三角不等式が破れる: {direct} > {via_q}"
    );
    // 対称性も破れる
    assert!((kl_discrete(&p, &r) - kl_discrete(&r, &p)).abs() > 0.1);
}

/// [a, b] の f の積分（シンプソン則、区間の数 m は偶数）。
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, m: usize) -> f64 {
    let h = (b - a) / m as f64;
    let inner: f64 = (1..m)
        .map(|k| f(a + h * k as f64) * if k % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + inner + f(b)) * h / 3.0
}

// 検証の種類: 数学
/// 連続のデータの経験分布 p₀（デルタ関数の和）に対する KL(p₀‖q_θ) は +∞ である。デルタ関数を
/// 幅 h のガウス分布にならした p_h で KL(p_h‖q_θ) を定義どおりに数値積分すると、h を 1/10 にする
/// たびに ln 10 ずつ増え（∫ p_h ln p_h ≈ −ln n − ½ ln(2πe h²)）、h → 0 で限りなく大きくなる。
/// 一方、2 つの θ の差は h によらずほぼ一定で、(2.11) の差に近づく（学習に使うのは差だけである）。
#[test]
fn eq_2_11_kl_of_continuous_empirical_distribution_is_infinite() {
    let xs = [-4.0, -1.0, 1.5, 4.0];
    let n = xs.len() as f64;
    let ln_q = |x: f64, mu: f64, var: f64| {
        -(x - mu).powi(2) / (2.0 * var) - 0.5 * (2.0 * std::f64::consts::PI * var).ln()
    };
    let kl = |h: f64, mu: f64, var: f64| {
        let p = |x: f64| {
            xs.iter()
                .map(|xi| (-(x - xi).powi(2) / (2.0 * h * h)).exp())
                .sum::<f64>()
                / (n * (2.0 * std::f64::consts::PI).sqrt() * h)
        };
        // p_h は各データ点の ±12h の外では e^{-72} 未満なので、その窓の和で積分する（窓は重ならない）
        xs.iter()
            .map(|xi| {
                simpson(
                    |x| {
                        let v = p(x);
                        if v > 0.0 {
                            v * (v.ln() - ln_q(x, mu, var))
                        } else {
                            0.0
                        }
                    },
                    xi - 12.0 * h,
                    xi + 12.0 * h,
                    4000,
                )
            })
            .sum::<f64>()
    };
    let (mu1, var1, mu2, var2) = (0.3, 2.0, -0.5, 5.0);
    // (2.11) の θ による差: (1/2σ²)(1/n)Σ(x_i − μ)² + ½ ln σ² の差
    let d211 = |mu: f64, var: f64| {
        xs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (2.0 * var * n) + 0.5 * var.ln()
    };
    let want = d211(mu1, var1) - d211(mu2, var2);
    let hs = [1e-1, 1e-2, 1e-3, 1e-4];
    let values: Vec<f64> = hs.iter().map(|&h| kl(h, mu1, var1)).collect();
    for (w, h) in values.windows(2).zip(hs.windows(2)) {
        // 増分 = ln 10（∫ p_h ln p_h の分）− (h₀² − h₁²)/(2σ²)（−∫ p_h ln q の分）
        let step = 10f64.ln() - (h[0] * h[0] - h[1] * h[1]) / (2.0 * var1);
        assert!(
            (w[1] - w[0] - step).abs() < 1e-6,
            "h = {}: 増分 {} は ln 10 でない",
            h[1],
            w[1] - w[0]
        );
    }
    assert!(values[3] > 8.0, "h = 1e-4 で KL = {}", values[3]);
    for &h in &hs {
        let diff = kl(h, mu1, var1) - kl(h, mu2, var2);
        // ならしたことによるずれは h²(1/σ₁² − 1/σ₂²)/2 程度
        assert!(
            (diff - want).abs() < h * h + 1e-9,
            "h = {h}: {diff} vs {want}"
        );
    }
}

/// 行ベクトルの数値的な階数（修正グラム・シュミット法。相対の大きさ tol 未満の残りは 0 とみなす）。
fn numerical_rank(rows: &[Vec<f64>], tol: f64) -> usize {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for r in rows {
        let norm0 = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut v = r.clone();
        for b in &basis {
            let d: f64 = v.iter().zip(b).map(|(a, c)| a * c).sum();
            v.iter_mut().zip(b).for_each(|(a, c)| *a -= d * c);
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > tol * norm0.max(1.0) {
            basis.push(v.iter().map(|x| x / norm).collect());
        }
    }
    basis.len()
}

// 検証の種類: 数学
/// エネルギーが θ について線形でなくても、指数型分布族になることはある。(μ, σ²) でパラメータづけた
/// ガウス分布 (2.10) のエネルギー (x − μ)²/(2σ²) は (μ, σ²) について線形でないが、
/// −(μ/σ²) x + (1/(2σ²)) x² + (θ だけの項) と書けるので、対数比 ln q_θ − ln q_θ₀ は 1, x, x² で張れる:
/// 12 個の θ の対数比を並べた行列の階数は 3（2 次元の指数型分布族）である。
#[test]
fn eq_2_1_gaussian_in_mean_and_variance_is_an_exponential_family() {
    use rand::{Rng, SeedableRng};
    let xs: Vec<f64> = (0..=1200).map(|i| -6.0 + 0.01 * f64::from(i)).collect();
    let ln_q = |x: f64, t: [f64; 2]| {
        -(x - t[0]).powi(2) / (2.0 * t[1]) - 0.5 * (2.0 * std::f64::consts::PI * t[1]).ln()
    };
    let t0 = [0.0, 1.0];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2101);
    let rows: Vec<Vec<f64>> = (0..12)
        .map(|_| {
            let t = [rng.random_range(-2.0..2.0), rng.random_range(0.3..4.0)];
            xs.iter().map(|&x| ln_q(x, t) - ln_q(x, t0)).collect()
        })
        .collect();
    assert_eq!(numerical_rank(&rows, 1e-9), 3);
    // エネルギーそのものは (μ, σ²) について線形でない: 中点での値が両端の平均と違う
    let e = |x: f64, t: [f64; 2]| (x - t[0]).powi(2) / (2.0 * t[1]);
    let (a, b) = ([0.0, 1.0], [2.0, 3.0]);
    let mid = [1.0, 2.0];
    assert!((e(0.5, mid) - 0.5 * (e(0.5, a) + e(0.5, b))).abs() > 0.1);
}

/// 記号表の用語の表（検索の重みと別名の元、`xtask::terms`）の用語は、どれも定義の箇所として挙げた
/// ページの本文に、そのままの綴りで現れる。章を書き直して用語が消えたり綴りが変わったりしたら、
/// 記号表の表か章のどちらかを直す（本書の用語の統一: ヘッセ行列・ギブスの不等式・Ising モデルなど）。
#[test]
fn every_glossary_term_is_found_on_its_page() {
    let r = root();
    let terms = xtask::terms::terms(&r);
    assert!(
        terms.len() >= 10,
        "記号表の用語の表が読めない: {} 語",
        terms.len()
    );
    let mut missing = Vec::new();
    for t in &terms {
        let text = std::fs::read_to_string(r.join("src").join(&t.page))
            .unwrap_or_else(|_| panic!("用語「{}」の定義のページ {} がない", t.term, t.page));
        if let Some(a) = &t.anchor {
            assert!(
                text.contains(&format!("id=\"{a}\"")),
                "用語「{}」のリンク先 {}#{a} がない",
                t.term,
                t.page
            );
        }
        match xtask::terms::weight_term(&text, t) {
            Some(out) => assert!(out.contains("data-pagefind-weight")),
            None => missing.push(format!("{}（{}）", t.term, t.page)),
        }
    }
    assert!(
        missing.is_empty(),
        "定義のページの本文に見つからない用語: {missing:?}"
    );
}

/// 実装の変異テストの記録は、今のコードについてのものである: 記録したあとで変わったファイルがあれば、
/// その検出率は古いコードのものなので、走らせ直すまで落ちる。
#[test]
fn mutants_records_match_the_code() {
    let stale =
        xtask::mutants::stale_records(&root()).expect("tests/mutants/summary.md が読めない");
    let msg: Vec<String> = stale
        .iter()
        .map(|r| {
            format!(
                "{} は変異テストの実行（{}、コミット {}）のあとで変わった: `bash scripts/mutants.sh -f {}` で走らせ直す",
                r.file, r.date, r.commit, r.file
            )
        })
        .collect();
    assert!(msg.is_empty(), "{}", msg.join("\n"));
}

/// 変異テストの要約は、記録と理由の一覧から作り直したものと一致する。
#[test]
fn mutants_summary_is_current() {
    let root = root();
    let committed = std::fs::read_to_string(root.join(xtask::mutants::SUMMARY)).unwrap();
    assert!(
        committed == xtask::mutants::rendered(&root).unwrap(),
        "tests/mutants/summary.md が古い: `cargo xtask mutants rewrite` で作り直す"
    );
}

/// 等価・実行後の検出の一覧の各行は、記録にある見逃しを指す（行番号が古い理由を残さない）。
#[test]
fn mutant_explanations_name_recorded_misses() {
    let root = root();
    let missed: Vec<String> = xtask::mutants::read_records(&root)
        .unwrap()
        .into_iter()
        .flat_map(|r| r.missed)
        .collect();
    for list in [xtask::mutants::EQUIVALENT, xtask::mutants::KILLED] {
        for m in xtask::mutants::explained(&root, list).unwrap() {
            assert!(
                missed.contains(&m),
                "{list} の `{m}` は記録の見逃しにない（走らせ直して行番号が変わったか、もう検出される）"
            );
        }
    }
}

/// 第 4 章の長い計算の結果（src/figures/data/rbm-digits.tsv）は、今のコードとデータで計算したものである:
/// 計算に使ったファイルの指紋が一致する（違えば `cargo run --release -p xtask -- runs` で計算し直す）。
#[test]
fn chapter_4_runs_match_their_inputs() {
    let root = root();
    let runs = xtask::runs::Runs::read(&root).expect("src/figures/data/rbm-digits.tsv");
    assert_eq!(
        runs.fingerprint,
        xtask::runs::fingerprint(&root).unwrap(),
        "第 4 章の計算に使うコードかデータが変わった: `cargo run --release -p xtask -- runs` で計算し直す"
    );
}

/// 第 4 章の本文が引く数は、計算の結果の丸めである（手で写した数が古くならないように）。
#[test]
fn chapter_4_quotes_the_computed_numbers() {
    let root = root();
    let runs = xtask::runs::Runs::read(&root).unwrap();
    let page = std::fs::read_to_string(root.join("src/ch04-00-rbm.md")).unwrap();
    let first = runs.curve("exact").unwrap()[0].clone();
    // 図の説明は組版の負号（U+2212）で書く
    let mut want = vec![
        format!("{:.2}（学習用）", first.train).replace('-', "−"),
        format!("{:.2}（検証用）", first.held).replace('-', "−"),
    ];
    use xtask::figures::rbm::late_mean;
    for (m, label) in [
        ("exact", "厳密な勾配で"),
        ("cd10", "CD-10 で"),
        ("cd1", "CD-1 で"),
        ("pcd", "PCD で"),
    ] {
        want.push(format!(
            "{label} ${:.2}$",
            late_mean(runs.curve(m).unwrap())
        ));
    }
    // 1000 歩以降の評価のうち、再構成誤差が CD-1 で最小の回数と、CD-1 の対数尤度が CD-10 より悪い回数
    let (cd1, cd10) = (runs.curve("cd1").unwrap(), runs.curve("cd10").unwrap());
    let late: Vec<usize> = (0..cd1.len()).filter(|&i| cd1[i].t >= 1000).collect();
    let recon_best = late
        .iter()
        .filter(|&&i| runs.curves.iter().all(|(_, c)| c[i].recon >= cd1[i].recon))
        .count();
    let worse = late.iter().filter(|&&i| cd1[i].held < cd10[i].held).count();
    assert_eq!(
        recon_best,
        late.len(),
        "CD-1 の再構成誤差がつねに最小、という本文の記述"
    );
    want.push(format!("{} 回の評価のすべて", late.len()));
    want.push(format!("{} 回のうち {worse} 回", late.len()));
    want.push(format!(
        "平均でも {:.2} 悪い",
        late_mean(cd10) - late_mean(cd1)
    ));
    // 3000 歩での CD-1 の再構成誤差（図 4.2 の説明）
    want.push(format!("3000 歩で約 {:.2}", cd1.last().unwrap().recon));
    let covered = runs
        .pixel_means
        .iter()
        .filter(|&&(_, lo, hi, exact)| lo <= exact && exact <= hi)
        .count();
    want.push(format!("64 画素のうち {covered} 画素"));
    for (scale, l2) in &runs.lambda2 {
        if *scale == 0.25 {
            want.push(format!("0.25 倍で {l2:.3}"));
        }
        if *scale == 1.0 {
            want.push(format!("$|\\lambda_2| = {l2:.3}$"));
        }
    }
    let missing: Vec<&String> = want.iter().filter(|w| !page.contains(w.as_str())).collect();
    assert!(
        missing.is_empty(),
        "第 4 章の本文に計算の結果の数がない: {missing:?}"
    );
}

/// 第 3 章の本文が引く数（図 3.1 の 12 個の初期値の行き先と、2 つの極小の値）は、図を作る計算の結果である。
#[test]
fn chapter_3_quotes_the_computed_numbers() {
    use xtask::figures::hidden::{parity4, run, RIDGE};
    let data = parity4();
    let mut lower = Vec::new();
    let mut upper = Vec::new();
    for seed in 0..12 {
        let (values, fit) = run(seed);
        let obj = *values.last().unwrap();
        let kl = fit.kl(&data).unwrap();
        // 収束している（勾配の最大成分が 1e-9 以下で止まった）: 反復の上限より前に止まる
        assert!(
            values.len() < xtask::figures::hidden::ITERATIONS + 1,
            "シード {seed} が収束しない"
        );
        let penalty = 0.5 * RIDGE * fit.model().params().dot(&fit.model().params());
        assert!((obj - kl - penalty).abs() < 1e-12);
        if obj < 0.5 {
            lower.push((obj, kl))
        } else {
            upper.push((obj, kl))
        }
    }
    assert_eq!((lower.len(), upper.len()), (10, 2));
    let page = std::fs::read_to_string(root().join("src/ch03-00-hidden-variables.md")).unwrap();
    for (obj, kl) in [lower[0], upper[0]] {
        for x in [format!("${obj:.4}$"), format!("{kl:.4}")] {
            assert!(page.contains(&x), "第 3 章の本文に {x} がない");
        }
    }
    assert!(page.contains("10 個は") && page.contains("2 個は"));
}

/// 第 5 章の計算の結果のファイルが、今のコードで計算したものである。
#[test]
fn chapter_5_runs_match_their_inputs() {
    let root = root();
    let runs = xtask::runs_mcmc::McmcRuns::read(&root).expect("src/figures/data/mcmc-ising.tsv");
    assert_eq!(
        runs.fingerprint,
        xtask::runs_mcmc::fingerprint(&root).unwrap(),
        "第 5 章の計算に使うコードが変わった: `cargo run --release -p xtask -- runs ch5` で計算し直す"
    );
}

/// 第 5 章の本文が引く数（表 5.1・5.2、被覆率、自己相関時間と傾き）は、計算の結果の丸めである。
#[test]
fn chapter_5_quotes_the_computed_numbers() {
    use xtask::runs_mcmc::McmcRuns;
    let root = root();
    let runs = McmcRuns::read(&root).unwrap();
    let page = std::fs::read_to_string(root.join("src/ch05-00-mcmc.md")).unwrap();
    let t_c = genmodel::boltzmann::lattice::T_C;
    let label = |t: f64| {
        if t == t_c {
            r"$T_{\mathrm{c}}$".to_string()
        } else {
            format!("{t:.1}")
        }
    };
    let mut want = Vec::new();
    let mut outside = 0;
    for c in &runs.compare {
        want.push(format!(
            "| {} | {} | ${:.5} \\pm {:.5}$ | ${:.5}$ |",
            c.side,
            label(c.temperature),
            c.u.mean,
            c.u.error,
            c.u.exact
        ));
        want.push(format!(
            "| {} | {} | ${:.4} \\pm {:.4}$ | ${:.4}$ |",
            c.side,
            label(c.temperature),
            c.c.mean,
            c.c.error,
            c.c.exact
        ));
        for e in [c.u, c.c] {
            outside += usize::from((e.mean - e.exact).abs() > 2.0 * e.error);
        }
    }
    want.push(format!("2 標準誤差を超えたのは {outside} 個"));
    let tau = |side: usize, t: f64| {
        runs.compare
            .iter()
            .find(|c| c.side == side && c.temperature == t)
            .unwrap()
            .tau
    };
    want.push(format!("約 {:.1} 掃引なので", tau(8, t_c)));
    want.push(format!(
        "{:.1}、{:.1}、{:.1} 掃引と伸びる",
        tau(8, t_c),
        tau(16, t_c),
        tau(32, t_c)
    ));
    let cov = |len: usize, m: &str| {
        let c = runs
            .coverage
            .iter()
            .find(|c| c.length == len && c.method == m)
            .unwrap();
        (c.covered, c.total)
    };
    let naive: Vec<f64> = runs
        .coverage
        .iter()
        .filter(|c| c.method == "naive")
        .map(|c| 100.0 * c.covered as f64 / c.total as f64)
        .collect();
    let (lo, hi) = naive
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    want.push(format!("{:.0}〜{:.0} % しか", lo.round(), hi.round()));
    let (c, t) = cov(16_384, "tau");
    want.push(format!("16384 掃引で {t} 本のうち {c} 本"));
    let (c, t) = cov(256, "tau");
    want.push(format!("256 掃引では {:.0} %", 100.0 * c as f64 / t as f64));
    for len in [4096, 16_384] {
        let (c, t) = cov(len, "binning");
        want.push(format!("以上で {:.0} %", 100.0 * c as f64 / t as f64));
        assert_eq!(t, 1000, "ビン分けは {len} 掃引ですべての鎖で区間を作れる");
    }
    let slope = |a: usize, b: usize| {
        let get = |s: usize| {
            runs.slowing
                .iter()
                .find(|x| x.side == s && x.temperature == t_c)
                .unwrap()
                .tau_magnetization
                .0
        };
        (get(b) / get(a)).ln() / 2f64.ln()
    };
    want.push(format!(
        "$L = 8 \\to 16$ で {:.2}、$16 \\to 32$ で {:.2}、$32 \\to 64$ で {:.2}",
        slope(8, 16),
        slope(16, 32),
        slope(32, 64)
    ));
    // 最後の節: 結合の学習（表 5.3 と本文の数）
    let d = runs.learn_data;
    let limit = 2.0 / d.lambda;
    want.push(format!(
        "$\\bar{{u}} = {:.5}$、$\\hat{{K}} = {:.5}$",
        d.mean_energy, d.k_hat
    ));
    want.push(format!(
        "$c = {:.4}$ で、$\\lambda = {:.3}$、上限は $2/\\lambda = {:.4}$",
        d.c, d.lambda, limit
    ));
    want.push(format!("$\\sigma_{{\\hat{{u}}}} = {:.5}$", d.sigma_u.0));
    want.push(format!("相対誤差 {:.1} %", 100.0 * d.sigma_u.1));
    want.push(format!("相関は {:.3}", d.block_correlation));
    let rel: Vec<f64> = runs
        .learn
        .iter()
        .map(|l| l.std.0 / l.predicted_std - 1.0)
        .collect();
    for l in &runs.learn {
        want.push(format!(
            "| {:.2} | ${:.4}$ | ${:.6} \\pm {:.6}$ | ${:.6}$ |",
            l.eta / limit,
            l.eta,
            l.std.0,
            l.std.1,
            l.predicted_std
        ));
    }
    want.push(format!(
        "予測より {:.1} % と {:.1} % 大きい",
        100.0 * rel[0],
        100.0 * rel[1]
    ));
    want.push(format!(
        "0.8 倍では予測より {:.0} % 小さく、0.95 倍では {:.0} % 小さい",
        -100.0 * rel[2],
        -100.0 * rel[3]
    ));
    let last = runs.learn.last().unwrap();
    want.push(format!("（$\\pm {:.3}$）", last.std.0));
    want.push(format!(
        "標準誤差の {:.0} 倍ずれる",
        (last.mean.0 - d.k_hat).abs() / last.mean.1
    ));
    want.push(format!(
        "標準誤差の約 {:.0} 倍",
        (runs.learn[1].std.0 - runs.learn[1].predicted_std) / runs.learn[1].std.1
    ));
    let missing: Vec<&String> = want.iter().filter(|w| !page.contains(w.as_str())).collect();
    assert!(
        missing.is_empty(),
        "第 5 章の本文に計算の結果の数がない: {missing:?}"
    );
}

/// 第 6 章の計算の結果のファイルが、今のコードで計算したものである。
#[test]
fn chapter_6_runs_match_their_inputs() {
    let root = root();
    let runs =
        xtask::runs_exchange::ExchangeRuns::read(&root).expect("src/figures/data/exchange.tsv");
    assert_eq!(
        runs.fingerprint,
        xtask::runs_exchange::fingerprint(&root).unwrap(),
        "第 6 章の計算に使うコードが変わった: `cargo run --release -p xtask -- runs ch6` で計算し直す"
    );
}

/// 第 6 章の本文が引く数（表 6.1、受理率、往復の回数、自己相関時間、基底状態）は、計算の結果の丸めである。
#[test]
fn chapter_6_quotes_the_computed_numbers() {
    use genmodel::boltzmann::lattice::glass::SpinGlass;
    use rand::SeedableRng;
    use xtask::runs_exchange::{ExchangeRuns, GLASS, GLASS_LADDER};
    let root = root();
    let runs = ExchangeRuns::read(&root).unwrap();
    let page = std::fs::read_to_string(root.join("src/ch06-00-exchange-mc.md")).unwrap();
    let mut want = Vec::new();
    let mut outside = 0;
    for g in &runs.glass {
        want.push(format!(
            "| {:.3} | ${:.4}$ | ${:.4} \\pm {:.4}$ | ${:.4} \\pm {:.4}$ |",
            g.coupling,
            g.exchange_q2.0,
            g.exchange_q2.1,
            g.exchange_q2.2,
            g.metropolis_q2.0,
            g.metropolis_q2.1
        ));
        for (est, err) in [
            (g.exchange_q2.1, g.exchange_q2.2),
            (g.metropolis_q2.0, g.metropolis_q2.1),
        ] {
            outside += usize::from((est - g.exchange_q2.0).abs() > 2.0 * err);
        }
        let (exact, est, err) = g.energy;
        assert!(
            (est - exact).abs() <= 2.0 * err,
            "本文: エネルギーの平均は 8 温度すべてで 2 標準誤差以内"
        );
    }
    assert_eq!(outside, 0, "本文: 16 個の推定はどれも 2 標準誤差以内");
    // 受理率: 等比の梯子の最小と、そろえた梯子の値、測った値がすべて 2 標準誤差以内
    let geo_min = runs
        .accept
        .iter()
        .filter(|a| a.ladder == "geometric")
        .map(|a| a.exact)
        .fold(f64::INFINITY, f64::min);
    want.push(format!("受理率が {geo_min:.2} まで下がる"));
    let constant: Vec<f64> = runs
        .accept
        .iter()
        .filter(|a| a.ladder == "constant")
        .map(|a| a.exact)
        .collect();
    want.push(format!("すべての対で {:.3} になる", constant[0]));
    assert!(constant.iter().all(|a| (a - constant[0]).abs() < 1e-9));
    assert!(
        runs.accept
            .iter()
            .all(|a| (a.measured.0 - a.exact).abs() <= 2.0 * a.measured.1),
        "本文: 14 個の対のすべてで 2 標準誤差以内"
    );
    want.push(format!("{} 個の対のすべて", runs.accept.len()));
    let trips = |n: &str| runs.round_trips.iter().find(|(m, _)| m == n).unwrap().1;
    want.push(format!(
        "等比の梯子で {} 回、受理率をそろえた梯子で {} 回",
        trips("geometric"),
        trips("constant")
    ));
    want.push(format!(
        "往復は {:.0} % 増える",
        100.0 * (trips("constant") as f64 / trips("geometric") as f64 - 1.0)
    ));
    // 最も低い温度の自己相関時間と誤差棒の比
    let cold = runs.glass.last().unwrap();
    let m = GLASS_LADDER.2 as f64;
    want.push(format!(
        "$K = 2.5$ では {:.0} 掃引になる",
        cold.metropolis_q2.2
    ));
    want.push(format!(
        "最も低い温度でも {:.2} ステップ",
        cold.exchange_q2.3
    ));
    want.push(format!("換算しても {:.1} 掃引", m * cold.exchange_q2.3));
    want.push(format!(
        "約 {:.0} 分の 1",
        (cold.metropolis_q2.2 / (m * cold.exchange_q2.3) / 10.0).round() * 10.0
    ));
    want.push(format!(
        "交換モンテカルロ法の約 {:.0} 倍",
        cold.metropolis_q2.1 / cold.exchange_q2.2
    ));
    // 基底状態のエネルギーと縮退（列挙）
    let (lx, ly, seed) = GLASS;
    let g = SpinGlass::random(lx, ly, &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed)).unwrap();
    let exact = g.enumerate().unwrap();
    let e0 = exact.density().ground_energy();
    want.push(format!(
        "$E = {e0}$ の {} 通り",
        exact.density().degeneracy(e0)
    ));
    let missing: Vec<&String> = want.iter().filter(|w| !page.contains(w.as_str())).collect();
    assert!(
        missing.is_empty(),
        "第 6 章の本文に計算の結果の数がない: {missing:?}"
    );
}

/// 有効数字 2 桁（本文の表 7.1 の書き方。負号は `-`、指数表記にしない）。
fn sig2(v: f64) -> String {
    // 指数は丸めた後の値で決める（9.97e-5 は 1.0e-4 なので 0.00010）
    let sci = format!("{v:.1e}");
    let exp: i32 = sci.split('e').nth(1).unwrap().parse().unwrap();
    let digits = (1 - exp).max(0) as usize;
    format!("{v:.digits$}")
}

#[test]
fn chapter_7_quotes_the_computed_numbers() {
    use xtask::figures::variational::{sweep, Row};
    let page = std::fs::read_to_string(root().join("src/ch07-00-mean-field.md")).unwrap();
    // β の格子（0.1 刻み、図 7.1–7.4 と同じ）の全体を 1 度だけ計算し、本文が引く β の行はそこから取る
    let rows = sweep();
    let at = |beta: f64| -> &Row {
        rows.iter()
            .find(|r| (r.beta - beta).abs() < 1e-9)
            .unwrap_or_else(|| panic!("β = {beta} は格子にない"))
    };
    let cell = |m: Option<f64>, z: Option<f64>| match (m, z) {
        (Some(m), Some(z)) => format!("${}$ / ${}$", sig2(m), sig2(z)),
        _ => "—".to_string(),
    };
    let mut want = Vec::new();
    for beta in [0.2, 0.5, 1.0, 1.5] {
        let r = at(beta);
        want.push(format!(
            "| {beta:.1} | {} | {} | {} |",
            cell(r.m_err[0], r.log_z_err[0]),
            cell(r.m_err[1], r.log_z_err[1]),
            cell(r.m_err[2], r.log_z_err[2])
        ));
        // 本文: −F_MF はどの β でも ln Z を超えない（上界 (7.2)）
        assert!(r.log_z_err[0].unwrap() < 0.0);
    }
    want.push(format!(
        "$J_0 = 0.7$ で {}、$J_0 = 0.8$ で {} と急に大きくなる",
        sig2(at(0.7).m_err[0].unwrap()),
        sig2(at(0.8).m_err[0].unwrap())
    ));
    let r1 = at(1.0);
    want.push(format!(
        "$J_0 = 1$ で {:.0} %",
        100.0 * r1.j_err[0].unwrap().max(r1.j_err[1].unwrap())
    ));
    // 収束しなくなる β（TAP は 1.2、確率伝搬法は 1.4 から）
    let first_fail = |i: usize| rows.iter().find(|r| r.m_err[i].is_none()).unwrap().beta;
    want.push(format!(
        "TAP 方程式は $J_0 = {:.1}$ から、確率伝搬法は $J_0 = {:.1}$ から",
        first_fail(1),
        first_fail(2)
    ));
    for w in &want {
        assert!(page.contains(w.as_str()), "本文に次の行がない: {w}");
    }
}

/// 第 8 章の長い計算の結果（src/figures/data/vae-digits.tsv）は、今のコードとデータで計算したものである。
#[test]
fn chapter_8_runs_match_their_inputs() {
    let root = root();
    let runs = xtask::runs_vae::VaeRuns::read(&root).expect("src/figures/data/vae-digits.tsv");
    assert_eq!(
        runs.fingerprint,
        xtask::runs_vae::fingerprint(&root).unwrap(),
        "第 8 章の計算に使うコードかデータが変わった: `cargo run --release -p xtask -- runs ch8` で計算し直す"
    );
    // 動かせる図（図 8.7）が使うデコーダのファイルも同じ計算が書く
    let decoder = xtask::runs_vae_decoder::DecoderRuns::read(&root)
        .expect("src/figures/data/vae-decoder-d2.tsv");
    assert_eq!(decoder.fingerprint, runs.fingerprint);
    assert_eq!(decoder.latent, runs.latent);
}

/// 第 8 章の本文と表 8.1 が引く数は、計算の結果（`runs ch8` と図 8.1 の計算）の丸めである。
#[test]
fn chapter_10_runs_match_their_inputs() {
    let root = root();
    let runs = xtask::runs_diffusion::DiffusionRuns::read(&root)
        .expect("src/figures/data/diffusion-mixture.tsv");
    assert_eq!(
        runs.fingerprint,
        xtask::runs_diffusion::fingerprint(&root).unwrap(),
        "第 10 章の計算に使うコードかデータが変わった: `cargo run --release -p xtask -- runs ch10` で計算し直す"
    );
}

#[test]
fn chapter_10_quotes_the_computed_numbers() {
    use xtask::figures::diffusion as fig;
    let root = root();
    let runs = xtask::runs_diffusion::DiffusionRuns::read(&root).unwrap();
    let page = std::fs::read_to_string(root.join("src/ch10-00-diffusion.md")).unwrap();
    let mut want: Vec<String> = fig::gaussian_table()
        .iter()
        .map(fig::gaussian_table_row)
        .collect();
    want.extend(fig::fractions_table(&runs));
    want.extend(fig::gaussian_run_table(&runs));
    want.extend(fig::quoted_numbers(&runs));
    for w in &want {
        assert!(page.contains(w.as_str()), "本文に次の行がない: {w}");
    }
    // 本文の主張: 表 10.1 の KL 情報量は T = 1000 で 1e-4 より小さく、T が小さいほど大きい
    let table = fig::gaussian_table();
    assert!(table
        .iter()
        .filter(|r| r.steps == 1000)
        .all(|r| r.kl < 1e-4));
    assert!(table
        .iter()
        .all(|r| r.beta_variance == (r.output.1 > xtask::figures::diffusion::GAUSSIAN_DATA.1)));
    // 本文の主張: 下限の推定と最後の検証用の損失は誤差棒の中で重なり、超過は正で 1 回目より小さい
    let held: Vec<_> = runs.curve.iter().filter(|p| p.held.0.is_finite()).collect();
    let (first, last) = (held[0], held[held.len() - 1]);
    assert!((last.held.0 - runs.floor.0).abs() < 2.0 * (last.held.1 + runs.floor.1));
    assert!(last.excess.0 > 2.0 * last.excess.1 && last.excess.0 < first.excess.0 / 10.0);
    // 本文の主張: ガウス分布のデータのネットワークの標本は、厳密な値と標準誤差の 2 倍以内
    // 厳密な予測の標本も同じ程度（2.5 標準誤差以内）に揺れ、いちばん離れたネットワークの値は座標 2 の平均の 1.7 倍
    for (who, _, v) in &runs.gaussian {
        let bound = if who == "net" { 2.0 } else { 2.5 };
        assert!((v[0] - v[4]).abs() < bound * v[1] && (v[2] - v[5]).abs() < bound * v[3]);
    }
    let worst = runs
        .gaussian
        .iter()
        .filter(|g| g.0 == "net")
        .flat_map(|(_, j, v)| {
            [
                (*j, 0, (v[0] - v[4]).abs() / v[1]),
                (*j, 1, (v[2] - v[5]).abs() / v[3]),
            ]
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .unwrap();
    assert_eq!(
        (worst.0, worst.1),
        (1, 0),
        "いちばん離れたのは座標 2 の平均"
    );
    assert!(page.contains(&format!("標準誤差の {:.1} 倍）", worst.2)));
}

#[test]
fn chapter_8_quotes_the_computed_numbers() {
    let root = root();
    let runs = xtask::runs_vae::VaeRuns::read(&root).unwrap();
    let page = std::fs::read_to_string(root.join("src/ch08-00-vae.md")).unwrap();
    let mut want = Vec::new();
    // 線形ガウスの VAE: 最後の厳密な対数尤度と最大値の差、学習した σ₀²
    let (best, s2_best, s2_learned) = runs.ppca;
    let (steps, ll, _) = *runs.linear.last().unwrap();
    let gap = best - ll;
    assert!(gap > 0.0);
    let mantissa = gap / 10f64.powi(gap.log10().floor() as i32);
    want.push(format!(
        "{steps} 歩で差は ${mantissa:.1} \\times 10^{{{}}}$",
        gap.log10().floor() as i32
    ));
    want.push(format!(
        "学習した $\\sigma_0^2$ は ${s2_learned:.4}$ で、(8.9) の ${s2_best:.4}$ と {:.0} % の差",
        100.0 * (s2_learned / s2_best - 1.0)
    ));
    // 重点サンプリングを厳密な値と比べる（線形ガウス）
    want.push(format!("厳密な対数尤度は ${ll:.5}$ である"));
    let is = |k: usize| *runs.linear_is.iter().find(|r| r.0 == k).unwrap();
    let (_, m2, s2) = is(2);
    let (_, m1000, s1000) = is(1000);
    want.push(format!("$S = 2$ の推定は ${m2:.4} \\pm {s2:.4}$"));
    want.push(format!("$S = 1000$ の推定は ${m1000:.5} \\pm {s1000:.5}$"));
    assert!(
        (m1000 - ll).abs() < 2.0 * s1000,
        "本文: S = 1000 は誤差棒の中で一致"
    );
    assert!(m2 < ll - s2, "本文: S = 2 は下にずれる");
    // 表 8.1
    let fin = |d: usize| runs.finals.iter().find(|f| f.latent == d).unwrap();
    let (f2, f10) = (fin(2), fin(10));
    want.push(format!(
        "| ELBO（1 枚 100 標本） | ${:.3} \\pm {:.3}$ | ${:.3} \\pm {:.3}$ |",
        f2.held_elbo.0, f2.held_elbo.1, f10.held_elbo.0, f10.held_elbo.1
    ));
    for (i, k) in xtask::runs_vae::IS_SAMPLES.iter().enumerate() {
        let (a, b) = (f2.is_k[i], f10.is_k[i]);
        assert_eq!((a.0, b.0), (*k, *k));
        want.push(format!(
            "| (8.20)、$S = {k}$ | ${:.3} \\pm {:.3}$ | ${:.3} \\pm {:.3}$ |",
            a.1, a.2, b.1, b.2
        ));
    }
    // 本文: S = 100 → 1000 の上がり幅、ELBO との差、学習用の ELBO、d = 2 の値
    want.push(format!(
        "$d = 10$ は ${:.2}$、$d = 2$ は ${:.2}$ 上がる",
        f10.is_k[3].1 - f10.is_k[2].1,
        f2.is_k[3].1 - f2.is_k[2].1
    ));
    want.push(format!(
        "$d = 10$ で ${:.1}$ ほど",
        f10.is_k[3].1 - f10.held_elbo.0
    ));
    want.push(format!("（$d = 10$ で ${:.2}$）", f10.train_elbo.0));
    want.push(format!("$d = 2$ の ${:.2}$ は", f2.is_k[3].1));
    want.push(
        format!(
            "d = 10 は {:.1}、d = 2 は {:.1}",
            f10.is_k[3].1, f2.is_k[3].1
        )
        .replace('-', "−"),
    );
    // 第 4 章の RBM の最もよい値（最後の 1000 歩の平均、図 4.2 の凡例と同じ）
    let rbm = xtask::runs::Runs::read(&root).unwrap();
    let best_rbm = ["exact", "cd1", "cd10", "pcd"]
        .iter()
        .map(|m| xtask::figures::rbm::late_mean(rbm.curve(m).unwrap()))
        .fold(f64::NEG_INFINITY, f64::max);
    want.push(format!("最もよい CD-10 の ${best_rbm:.2}$"));
    assert!(f10.is_k[3].1 > best_rbm && f2.is_k[3].1 < best_rbm);
    // 図 8.1: スコア関数の標準偏差は再パラメータ化のおよそ 3 倍（2.5–4 倍）
    let (rep, sco) = xtask::figures::vae::estimator_sweep();
    for (r, s) in rep.iter().zip(&sco) {
        let ratio = s.spread / r.spread;
        assert!((2.5..4.0).contains(&ratio), "M = {}: 比 {ratio}", r.samples);
        assert!(
            (r.mean - xtask::figures::vae::exact_gradient()).abs() < 4.0 * r.spread / 200f64.sqrt()
        );
    }
    for w in &want {
        assert!(page.contains(w.as_str()), "本文に次の行がない: {w}");
    }
}

#[test]
fn chapter_9_quotes_the_computed_numbers() {
    use xtask::hvae_numbers as h;
    let page = std::fs::read_to_string(root().join("src/ch09-00-hierarchical-vae.md")).unwrap();
    let mut want = Vec::new();
    // 事後分布の例: ln q_θ(x)、事後分布のエンコーダの ELBO（差は丸めの程度）、別のエンコーダの ELBO と差
    let (ll, post_elbo, other) = h::posterior_example();
    assert!((ll - post_elbo).abs() < 1e-12, "本文: 差は丸めの誤差の程度");
    want.push(format!("$\\ln q_\\theta(x) = {ll:.6}$ である"));
    want.push(format!("ELBO も ${post_elbo:.6}$ で"));
    want.push(format!("ELBO は ${other:.6}$ に下がる"));
    want.push(format!("差 ${:.6}$ が (9.4)", ll - other));
    // 表 9.1
    let table = h::table();
    want.push(format!(
        "厳密な ELBO はそれぞれ ${:.4}$ と ${:.4}$ である",
        table[0][0].exact_mean, table[1][0].exact_mean
    ));
    for (k, name) in ["遠い", "最適"].iter().enumerate() {
        for (f, form) in ["(9.6)", "(9.8)"].iter().enumerate() {
            let r = table[k][f];
            // 2 つの形の厳密な ELBO は同じ値（同じ下界の 2 つの書き方）
            assert!((r.exact_mean - table[k][0].exact_mean).abs() < 1e-12);
            want.push(format!(
                "| {name} | {form} | ${:.3} \\pm {:.3}$ | ${:.4}$ | ${:.3} \\pm {:.3}$ |",
                r.mean, r.mean_error, r.exact_sd, r.sd, r.sd_error
            ));
            // 本文: 平均は厳密な ELBO と標準誤差の 3 倍以内、標準偏差も誤差棒の 3 倍以内
            assert!((r.mean - r.exact_mean).abs() < 3.0 * r.mean_error);
            assert!((r.sd - r.exact_sd).abs() < 3.0 * r.sd_error);
        }
    }
    // 本文: 遠いデコーダでは (9.8) の形の標準偏差が (9.6) の 3 分の 1 ほど、最適なデコーダでは逆
    let ratio = table[0][1].exact_sd / table[0][0].exact_sd;
    assert!((0.25..0.4).contains(&ratio), "比 {ratio}");
    assert!(table[1][0].exact_sd < table[1][1].exact_sd);
    // (9.12) の例
    let (best, bound, far) = h::bound_example();
    assert!((best - bound).abs() < 1e-12);
    want.push(format!(
        "$E_p[\\operatorname{{ELBO}}]$ は ${best:.6}$ で、右辺の $-\\mathcal{{H}}(p) - \\KL = {bound:.6}$ と"
    ));
    want.push(format!("最適から遠いデコーダでは ${far:.6}$ である"));
    // 演習 9.1・9.3
    let (abar, vbar, mu, v) = h::exercise_9_1();
    want.push(format!("$\\bar{{a}}_2 = {abar:.2}$"));
    want.push(format!(
        "\\bar{{v}}_2 = 0.36 \\cdot 0.36 + 0.64 = {vbar:.4}$"
    ));
    want.push(format!("平均 ${abar:.2}$、分散 ${vbar:.4}$ である"));
    want.push(format!("\\approx {mu:.6}$"));
    want.push(format!("\\approx {v:.6}$ である"));
    let (neg_h, bound3) = h::exercise_9_3();
    assert!((neg_h - bound3).abs() < 1e-15);
    want.push(format!("\\approx {neg_h:.6}$ である"));
    for w in &want {
        assert!(page.contains(w.as_str()), "本文に次の行がない: {w}");
    }
}
