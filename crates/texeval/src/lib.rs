#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! texeval: 本の番号つき数式の LaTeX を式の木に読み、束縛の下で数値として評価・検証する。
//!
//! 流れ: [`fn@extract`] で Markdown から `\tag` つきの式を取り出し、[`parse_equation`] で
//! 連鎖（`a = b \le c`）の並びに読み、[`Env`] に値・データ・関数・範囲を束縛して
//! [`check_equation`] で link ごとに確かめる。[`mutants`] は印刷された式の変異を作る。
//!
//! ```
//! use texeval::*;
//! let m = Macros::parse(r"\KL:{D_{\mathrm{KL}}}").unwrap();
//! let eq = parse_equation("2.9", r"Z_\theta = \int_{-\infty}^{\infty} dx \, \exp\left( -\frac{1}{2\sigma^2} (x - \mu)^2 \right) = \sqrt{2\pi\sigma^2}", &m).unwrap();
//! let mut env = Env::with_macros(m);
//! env.scalar(r"\mu", 0.7).scalar(r"\sigma", 1.3);
//! env.formula(r"Z_\theta", r"\sqrt{2\pi}\,\sigma").unwrap();
//! let rs = check_equation(&eq, &[&env], &Tolerances::default());
//! assert!(rs.iter().all(|r| r.ok()), "{}", rs[0]);
//! ```
//!
//! ## mathlex を使わない理由
//! crates.io の `mathlex`（0.4.2）を調べた。LaTeX と平文の数式を言語に依らない AST に読む
//! 汎用の構文解析器で、評価はしない。約 3.2 万行あり、`crate-type` に staticlib・cdylib を含み、
//! 省略できないビルド依存 `swift-bridge-build` を引き込む（機能 `ffi` を切っても build.rs の
//! ために取得・ビルドされる）。本が使う `\bigl(`・`\langle … \rangle_\theta`・
//! `\overset{\text{θ のみ}}{=}`・`\mathop{\mathrm{arg\,min}}_\theta`・`dx` を前に置く積分・
//! `\sum_{p(\vx) > 0}`・`x_k^{(i)}`・`aligned` の行と `\tag` の対応は、どれも AST の外か
//! 我々の約束と違う読み方になり、結局その AST を本の記法に合わせて読み直す層が要る。
//! そこで、本のすべての番号つき式（68 個）に現れる構文だけを読む小さな再帰下降の文法を
//! 自前で持つことにした（字句 150 行・構文 800 行ほど、依存は ndarray と thiserror だけ）。
//! 読めない構文は位置つきの [`ParseError`] で返し、パニックしない（性質テストで確かめる）。
//!
//! ## 読み方の約束（抜粋）
//! - `\ln`・`\exp`・`\det`・`\sum` などの引数（本体）は、括弧で始まればその括弧、
//!   そうでなければ続く項全体（`\ln 2\pi` = ln 2π、`\sum_i w_i y_i` = Σ w_i y_i）。
//!   ただし `\tanh` などの関数の括弧のない引数は、次の関数の命令の前で止まる
//!   （`\tanh K \tanh 3\hat{h}` = tanh K · tanh 3ĥ、`\ln \cosh x` = ln(cosh x)）。
//!   関数名の直後の冪は値の冪（`\sinh^{-4} 2K` = (sinh 2K)⁻⁴。逆関数と紛らわしい `^{-1}` は読まない）。
//! - `(\chi^{-1})_{kl}` の添字は括弧の値（逆行列）の成分。`F[r]` は汎関数の適用（引数は名札）。
//! - 添字の `l \to k`・`l \setminus k` は対で、両辺を値にした名前（`\hat{h}_{2 \to 3}`）の束縛を引く。
//!   式の中の `\partial k` は関数 `\partial`（隣の集まり）の値、`A \setminus k` は集合の差。
//!   `\sum_{k<l,\, J_{kl} \ne 0}` のように `,` で並べた条件は、すべてを満たす組をとる。
//! - `f(x)` は f が関数に束縛されていれば適用、そうでなければ掛け算（`N(N+1)`）。
//!   `f(x)^2` の形は常に掛け算と冪（`L(\theta-\theta_0)^2`）。
//! - `\log` は自然対数。`x^{(i)}` はデータ番号、`^\top` は転置、行列の `^{-1}` は逆行列。
//! - 行環境（`aligned`・`gathered` など、入れ子も可）は行をつないで読む。関係
//!   （`&=`・`&\le`・`&\iff`）か二項演算子（`&\quad {} +`・`-`・`\cdot`・`\times`）で始まる行と、
//!   演算子か関係で終わる行の次の行は前の行の続きで、行の区切りと `&` を消した式と同じ連鎖・
//!   同じ link 番号になる。どちらでもない行は新しい部分（`\qquad` で区切ったのと同じ）。
//!   行頭と `&` の直後の空白と空の組 `{}` は飾りとして捨てる。詳しくは `rows` を見よ。
//! - `\odot` は成分ごとの積。`f_l'` は名前 `f'` に添字 `l`（層 l の活性化関数の導関数）。
//! - `E_{r}[g]` は、分布 `r` が宣言されていれば期待値 `\langle g \rangle_r`（なければ名前 `E_{r}[g]` の束縛）。
//! - `\frac{\partial f}{\partial z_j}(\vec{a})` は、f が関数に束縛されていれば偏導関数の点 a での値
//!   （f の引数 `\vec{z}` を a に置いて z_j で微分する）。そうでなければ従来どおり掛け算。
//! - 微分の変数には `\ln \sigma_j^2`・成分の冪 `\sigma_j^2`、族や関数の要素 `W_l` も書ける（`deriv` を見よ）。
//! - 対角行列の非整数の冪は対角成分の冪（`(\Lambda_d - \sigma_0^2 I)^{1/2}`）。
//! - `\vz_s \sim r(\vz)` は標本の宣言で、標本が分布の台にあることだけを確かめる（[`check`]）。
//! - 束縛の名前と `\sigma^2` の扱いは [`mod@env`]、微分の動かし方は `deriv`、関係の判定は [`check`]。

pub mod ast;
mod calc;
pub mod check;
mod deriv;
mod display;
pub mod env;
pub mod equation;
pub mod error;
pub mod eval;
mod eval_funcs;
pub mod extract;
pub mod lexer;
pub mod macros;
pub mod mutate;
mod parser;
mod parser_cmds;
mod prep;
mod quad;
mod rows;
pub mod value;

pub use ast::{ArgSep, BigOp, Chain, Expr, Func, MulKind, PairKind, Rel, Symbol};
pub use check::{
    check_chain, check_chain_across, check_equation, LinkResult, LinkStatus, Tolerances,
};
pub use env::{Binding, Distribution, Env, NativeFn, Quadrature, Weights};
pub use equation::{parse_equation, Equation, Statement};
pub use error::{Error, EvalError, ParseError};
pub use eval::{eval, eval_latex, Ctx, Numerics};
pub use extract::{extract, extract_book, TaggedEq};
pub use macros::Macros;
pub use mutate::{mutants, Mutant, MutationKind};
pub use parser::{parse_chain, parse_expr};
pub use quad::gauss_legendre;
pub use value::Value;
