//! 印刷された式のテスト: 本のページにある番号つきの式を、その LaTeX のまま実行して確かめる。
//!
//! 各章のモジュールが、式ごとの束縛（`Bound`）と、実行できない式の理由（`Declared`）を持つ。
//! 実行できる式は `eq_N_M_printed_form` という名前のテストで確かめる（検証索引に「印刷された式を実行」として載る）。
//! 変異テスト（`printed_mutation_score`、既定では走らない）は、印刷された LaTeX を壊して
//! どれだけ見破れるかを数え、`tests/printed/mutants.md` に書く。

mod harness;
mod mutation;

mod appendix_a;
mod ch01;
mod ch02_00;
mod ch02_01;
mod ch02_02;
mod ch02_03;
mod ch02_04;
mod ch02_05;
mod ch02_06;
mod ch03;
mod ch04;
mod ch05;
mod ch06;
mod ch07;
mod ch08;
mod ch09;
mod ch10;

use harness::{page, Bound, Declared, Survivor};
use std::collections::BTreeSet;

/// 印刷された形を実行するすべての式。
pub fn all_bound() -> Vec<&'static Bound> {
    [
        ch01::BOUND,
        ch02_00::BOUND,
        ch02_01::BOUND,
        ch02_02::BOUND,
        ch02_03::BOUND,
        ch02_04::BOUND,
        ch02_05::BOUND,
        ch02_06::BOUND,
        ch03::BOUND,
        ch04::BOUND,
        ch05::BOUND,
        ch06::BOUND,
        ch07::BOUND,
        ch08::BOUND,
        ch09::BOUND,
        ch10::BOUND,
        appendix_a::BOUND,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// 実行しない式（理由つき）のすべて。
pub fn all_declared() -> Vec<&'static Declared> {
    [
        ch01::DECLARED,
        ch02_00::DECLARED,
        ch02_01::DECLARED,
        ch02_02::DECLARED,
        ch02_03::DECLARED,
        ch02_04::DECLARED,
        ch02_05::DECLARED,
        ch02_06::DECLARED,
        ch03::DECLARED,
        ch04::DECLARED,
        ch05::DECLARED,
        ch06::DECLARED,
        ch07::DECLARED,
        ch08::DECLARED,
        ch09::DECLARED,
        ch10::DECLARED,
        appendix_a::DECLARED,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// 理由つきで生き残ってよい変異のすべて。
pub fn all_survivors() -> Vec<&'static Survivor> {
    [
        ch01::SURVIVORS,
        ch02_00::SURVIVORS,
        ch02_01::SURVIVORS,
        ch02_02::SURVIVORS,
        ch02_03::SURVIVORS,
        ch02_04::SURVIVORS,
        ch02_05::SURVIVORS,
        ch02_06::SURVIVORS,
        ch03::SURVIVORS,
        ch04::SURVIVORS,
        ch05::SURVIVORS,
        ch06::SURVIVORS,
        ch07::SURVIVORS,
        ch08::SURVIVORS,
        ch09::SURVIVORS,
        ch10::SURVIVORS,
        appendix_a::SURVIVORS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// 実行する式の割合の下限（issue の完了条件）。
const MIN_EXECUTED_FRACTION: f64 = 0.85;

#[test]
fn every_equation_is_executed_or_declared_once() {
    let book: BTreeSet<&str> = page().equations.keys().map(String::as_str).collect();
    let bound: Vec<&str> = all_bound().iter().map(|b| b.tag).collect();
    let declared: Vec<&str> = all_declared().iter().map(|d| d.tag).collect();
    let mut seen = BTreeSet::new();
    for t in bound.iter().chain(&declared) {
        assert!(seen.insert(*t), "式 ({t}) が 2 回登録されている");
        assert!(book.contains(t), "本にない式 ({t}) が登録されている");
    }
    let missing: Vec<&&str> = book.iter().filter(|t| !seen.contains(**t)).collect();
    assert!(
        missing.is_empty(),
        "実行も宣言もされていない式: {missing:?}"
    );
    for d in all_declared() {
        assert!(
            d.reason.chars().count() >= 10,
            "({}) の理由が短すぎる",
            d.tag
        );
    }
    let fraction = bound.len() as f64 / book.len() as f64;
    assert!(
        fraction >= MIN_EXECUTED_FRACTION,
        "印刷された形を実行する式は {} / {} = {:.0} %（下限 {:.0} %）",
        bound.len(),
        book.len(),
        100.0 * fraction,
        100.0 * MIN_EXECUTED_FRACTION
    );
}
