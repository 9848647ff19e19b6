//! 演習の答えのテスト: 各章の演習（`<details>` に畳んだ答え）のうち、数や式で答えるものを確かめる。
//!
//! テスト名は `ex_<章>_<節>_<番号>_<内容>`（例: `ex_2_1_1_kl_of_coin`）。期待値は実装と独立に求める。

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
