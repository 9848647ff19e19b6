//! 本 (src/**/*.md) のすべての `rust` コードブロックをコンパイルして実行する。
//! テスト本体は build.rs が skeptic で生成する。
//! 見出しが日本語だとテスト名が `…_sect__line_31` のようになるので、命名の lint を切る。
#![allow(non_snake_case)]
include!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));
