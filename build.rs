//! 本 (src/**/*.md) の Rust コードブロックを skeptic のテストにする。
//!
//! skeptic は mdBook の `{{#include}}` を知らないので、ここで展開した写しを
//! `$OUT_DIR/book-src/` に書き、それを skeptic に渡す。
//! こうして読者が見るのと同じコードがコンパイル・実行される。

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=crates/genmodel/src");
    println!("cargo:rerun-if-changed=crates/genmodel/examples");

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("book-src");
    let mut expanded = Vec::new();
    for md in markdown_files(Path::new("src")) {
        let text = fs::read_to_string(&md).unwrap();
        let text = expand_includes(&text, md.parent().unwrap(), &md);
        let dst = out.join(md.strip_prefix("src").unwrap());
        fs::create_dir_all(dst.parent().unwrap()).unwrap();
        // 変化のないファイルは書き直さない（skeptic の再ビルドを避ける）
        if fs::read_to_string(&dst).ok().as_deref() != Some(text.as_str()) {
            fs::write(&dst, &text).unwrap();
        }
        expanded.push(dst);
    }
    skeptic::generate_doc_tests(&expanded);
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "md") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// `{{#include path}}`・`{{#include path:anchor}}`・`{{#rustdoc_include path:anchor}}` を
/// mdBook と同じ意味で展開する。知らない形はビルドを止める（黙って残さない）。
fn expand_includes(text: &str, base: &Path, md: &Path) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{#") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find("}}").expect("閉じていない {{#");
        let directive = rest[start + 3..end].trim();
        let (kind, arg) = directive.split_once(' ').unwrap_or((directive, ""));
        let (path, anchor) = match arg.trim().split_once(':') {
            Some((p, a)) => (p, Some(a)),
            None => (arg.trim(), None),
        };
        let file = base.join(path);
        let body = fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{}: {} を読めません: {e}", md.display(), file.display()));
        let piece = match (kind, anchor) {
            ("include", None) => body,
            ("include", Some(a)) => anchored(&body, a, false, md),
            ("rustdoc_include", Some(a)) => anchored(&body, a, true, md),
            ("rustdoc_include", None) => body,
            _ => panic!("{}: 展開できない指示 {{{{#{directive}}}}}", md.display()),
        };
        out.push_str(piece.trim_end_matches('\n'));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `ANCHOR: name` と `ANCHOR_END: name` の間の行。`hide_rest` なら外側の行を `# ` で隠して残す。
fn anchored(body: &str, name: &str, hide_rest: bool, md: &Path) -> String {
    let (open, close) = (format!("ANCHOR: {name}"), format!("ANCHOR_END: {name}"));
    let mut inside = false;
    let mut found = false;
    let mut out = String::new();
    for line in body.lines() {
        if line.contains(&open) && line.trim_end().ends_with(&open) {
            inside = true;
            found = true;
            continue;
        }
        if line.contains(&close) && line.trim_end().ends_with(&close) {
            inside = false;
            continue;
        }
        if line.contains("ANCHOR:") || line.contains("ANCHOR_END:") {
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        } else if hide_rest {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(found, "{}: アンカー {name} が見つかりません", md.display());
    out
}
