//! 本のすべての番号つき式を取り出し、いくつ読めるかを報告する。

use std::path::PathBuf;
use texeval::{extract_book, parse_equation, Macros};

fn book_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../src")
}

#[test]
fn every_tagged_equation_parses() {
    let src = book_src();
    assert!(src.is_dir(), "{} がない", src.display());
    let macros_path = src.parent().map(|p| p.join("macros.txt"));
    let macros = macros_path
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| Macros::parse(&t).expect("macros.txt"))
        .unwrap_or_default();
    let eqs = extract_book(&src).expect("読めない");
    let mut failures = Vec::new();
    for e in &eqs {
        match parse_equation(&e.tag, &e.latex, &macros) {
            Ok(eq) => {
                if std::env::var("TEXEVAL_SHOW").is_ok() {
                    for c in eq.chains() {
                        eprintln!("({}) {c}", e.tag);
                    }
                }
            }
            Err(err) => failures.push(format!("({}) {}:{}: {err}", e.tag, e.file, e.line)),
        }
    }
    eprintln!(
        "{} / {} の番号つき式を読めた",
        eqs.len() - failures.len(),
        eqs.len()
    );
    for f in &failures {
        eprintln!("  読めない: {f}");
    }
    assert!(eqs.len() >= 60, "式が少なすぎる: {}", eqs.len());
    assert!(failures.is_empty(), "{} 個の式を読めない", failures.len());
}
