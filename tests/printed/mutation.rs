//! 印刷された式の変異テスト。
//!
//! 実行する式ごとに、ページの LaTeX を texeval の変異（符号の反転、½ や 1/n の脱落、
//! 1/n ↔ 1/(n-1)、`\ln` の脱落、転置の有無、添字の入れ替え、`\le` ↔ `\ge`）で壊し、
//! その式の束縛で確かめる。成り立たなくなれば「見破った」、読めない変異は数えない。
//! 生き残った変異は、その章のモジュールの `SURVIVORS` に理由を書く。
//!
//! 走らせ方: `bash scripts/printed-mutants.sh`（`cargo test -p book --test printed -- --ignored printed_mutation_score`）。
//! 結果は `tests/printed/mutants.md` に書き、検証索引に載る。`printed_mutation_summary_is_current` は、
//! 書いたときから式が変わっていれば失敗する（式の LaTeX のハッシュを記録している）。

use crate::harness::{holds, latex, parse, root};
use crate::{all_bound, all_survivors};
use std::fmt::Write as _;

/// 要約のパス（根からの相対）。
const SUMMARY: &str = "tests/printed/mutants.md";

/// 実行するすべての式の番号と LaTeX から作る指紋。
fn fingerprint() -> u64 {
    let mut all = String::new();
    for b in all_bound() {
        let _ = write!(all, "{}\u{1}{}\u{2}", b.tag, latex(b.tag));
    }
    xtask::mutants::fnv1a(all.as_bytes())
}

struct Outcome {
    tag: &'static str,
    viable: usize,
    killed: usize,
    survivors: Vec<String>,
}

fn run_all() -> Vec<Outcome> {
    all_bound()
        .into_iter()
        .map(|b| {
            let mut o = Outcome {
                tag: b.tag,
                viable: 0,
                killed: 0,
                survivors: Vec::new(),
            };
            for m in texeval::mutants(latex(b.tag)) {
                let Ok(eq) = parse(b.tag, &m.latex) else {
                    continue;
                };
                o.viable += 1;
                if holds(&eq, b.check) {
                    o.survivors.push(m.description);
                } else {
                    o.killed += 1;
                }
            }
            o
        })
        .collect()
}

fn reason(tag: &str, description: &str) -> Option<&'static str> {
    all_survivors()
        .into_iter()
        .find(|s| s.tag == tag && s.mutant == description)
        .map(|s| s.reason)
}

fn render(outcomes: &[Outcome], date: &str) -> String {
    let viable: usize = outcomes.iter().map(|o| o.viable).sum();
    let killed: usize = outcomes.iter().map(|o| o.killed).sum();
    let score = 100.0 * killed as f64 / viable.max(1) as f64;
    let mut s = String::new();
    let _ = writeln!(s, "# 印刷された式の変異テスト\n");
    let _ = writeln!(s, "- 日付: {date}");
    let _ = writeln!(s, "- コマンド: `bash scripts/printed-mutants.sh`");
    let _ = writeln!(s, "- 式の指紋: {:016x}", fingerprint());
    let _ = writeln!(
        s,
        "- 結果: 変異 {viable} 個のうち {killed} 個を見破った（{score:.1} %）、式 {} 個\n",
        outcomes.len()
    );
    let _ = writeln!(s, "| 式 | 変異 | 見破った | 生き残り（理由） |");
    let _ = writeln!(s, "|---|---|---|---|");
    for o in outcomes {
        let surv: Vec<String> = o
            .survivors
            .iter()
            .map(|d| format!("{d}: {}", reason(o.tag, d).unwrap_or("**理由なし**")))
            .collect();
        let _ = writeln!(
            s,
            "| ({}) | {} | {} | {} |",
            o.tag,
            o.viable,
            o.killed,
            surv.join("<br>")
        );
    }
    s
}

#[test]
#[ignore = "数分かかる: bash scripts/printed-mutants.sh で走らせる"]
fn printed_mutation_score() {
    let outcomes = run_all();
    let date = std::env::var("PRINTED_MUTANTS_DATE").unwrap_or_else(|_| "（日付なし）".into());
    std::fs::write(root().join(SUMMARY), render(&outcomes, &date)).expect("書けない");
    let unexplained: Vec<String> = outcomes
        .iter()
        .flat_map(|o| {
            o.survivors
                .iter()
                .filter(|d| reason(o.tag, d).is_none())
                .map(move |d| format!("({}) {d}", o.tag))
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "理由のない生き残り: {unexplained:#?}"
    );
    // 理由だけが残って、実際には見破られるようになった変異（古い記録）も許さない
    let stale: Vec<String> = all_survivors()
        .into_iter()
        .filter(|s| {
            !outcomes
                .iter()
                .any(|o| o.tag == s.tag && o.survivors.iter().any(|d| d == s.mutant))
        })
        .map(|s| format!("({}) {}", s.tag, s.mutant))
        .collect();
    assert!(stale.is_empty(), "もう生き残らない変異の理由: {stale:#?}");
}

#[test]
fn printed_mutation_summary_is_current() {
    let text = std::fs::read_to_string(root().join(SUMMARY)).unwrap_or_default();
    let want = format!("- 式の指紋: {:016x}", fingerprint());
    assert!(
        text.contains(&want),
        "{SUMMARY} は今の式で測ったものではない: `bash scripts/printed-mutants.sh` で測り直す"
    );
}

/// 束縛を書くときの道具: すべての変異と、その link ごとの結果を表示する
/// （`cargo test -p book --test printed -- --ignored --exact mutation::debug_mutants --nocapture`）。
#[test]
#[ignore = "束縛を書くときに変異ごとの結果を見る道具"]
fn debug_mutants() {
    for b in all_bound() {
        for m in texeval::mutants(latex(b.tag)) {
            if let Ok(eq) = parse(b.tag, &m.latex) {
                let rs = (b.check)(&eq);
                eprintln!("({}) {} :: {}", b.tag, m.description, m.latex);
                for r in rs {
                    eprintln!("   {r}");
                }
            }
        }
    }
}

/// 束縛を書くときの道具: 式番号が `PRINTED_TAGS`（例 `10.`）で始まる式だけの変異を数え、生き残りを表示する
/// （`PRINTED_TAGS=10. cargo test -p book --test printed -- --ignored --exact mutation::chapter_mutants --nocapture`）。
#[test]
#[ignore = "束縛を書くときに章の変異だけを数える道具"]
fn chapter_mutants() {
    let prefix = std::env::var("PRINTED_TAGS").unwrap_or_default();
    for b in all_bound()
        .into_iter()
        .filter(|b| b.tag.starts_with(&prefix))
    {
        let (mut killed, mut viable) = (0, 0);
        for m in texeval::mutants(latex(b.tag)) {
            let Ok(eq) = parse(b.tag, &m.latex) else {
                continue;
            };
            viable += 1;
            if holds(&eq, b.check) {
                eprintln!("({}) 生き残り: {} :: {}", b.tag, m.description, m.latex);
            } else {
                killed += 1;
            }
        }
        eprintln!("({}) {killed}/{viable}", b.tag);
    }
}
