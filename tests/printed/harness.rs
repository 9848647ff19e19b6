//! 印刷された式を実行する仕組み。
//!
//! 本のページ（`src/**/*.md`）から番号つきの式を読み、その LaTeX を texeval で式の木にし、
//! 各章のモジュールが用意する束縛（数値・データ・genmodel の関数）の下で、連鎖の関係を 1 つずつ確かめる。
//! ページの式を読むので、ページの誤植（符号の反転など）はそのままテストの失敗になる。
//!
//! 環境変数 `PRINTED_SRC` を与えると、`src/` の代わりにその場所のページを読む（変異テスト用）。

use genmodel::ndarray::Array1;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use texeval::{
    check_chain_across, extract_book, parse_equation, parse_expr, Chain, Env, Equation, EvalError,
    LinkResult, Macros, Rel, TaggedEq, Tolerances, Value,
};

/// 束縛して確かめる関数: ページの式を受け取り、link ごとの結果を返す。
pub type Check = fn(&Equation) -> Vec<LinkResult>;

/// 印刷された形を実行する式 1 つ。
pub struct Bound {
    /// 式番号。
    pub tag: &'static str,
    /// 束縛して確かめる関数。
    pub check: Check,
}

/// 実行しない式と、その理由。
pub struct Declared {
    /// 式番号。
    pub tag: &'static str,
    /// 実行できない理由（検証索引に載る）。
    pub reason: &'static str,
}

/// 見破れなくてよい（数学的に同じ意味になる）変異と、その理由。
pub struct Survivor {
    /// 式番号。
    pub tag: &'static str,
    /// 変異の説明（texeval の `Mutant::description` そのまま）。
    pub mutant: &'static str,
    /// 見破れなくてよい理由。
    pub reason: &'static str,
}

/// 本のページ: 番号つきの式と、マクロ。
pub struct Page {
    /// 式番号 → 式。
    pub equations: BTreeMap<String, TaggedEq>,
    /// `macros.txt` のマクロ。
    pub macros: Macros,
}

/// リポジトリの根。
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// 読むページの場所（既定は `src/`）。
pub fn src_dir() -> PathBuf {
    std::env::var_os("PRINTED_SRC").map_or_else(|| root().join("src"), PathBuf::from)
}

/// 本のページを 1 度だけ読む。
pub fn page() -> &'static Page {
    static PAGE: OnceLock<Page> = OnceLock::new();
    PAGE.get_or_init(|| {
        let macros_text = std::fs::read_to_string(root().join("macros.txt")).expect("macros.txt");
        let macros = Macros::parse(&macros_text).expect("macros.txt を読めない");
        let equations = extract_book(&src_dir())
            .expect("src/ を読めない")
            .into_iter()
            .map(|e| (e.tag.clone(), e))
            .collect();
        Page { equations, macros }
    })
}

/// ページの式 `tag` の LaTeX。
pub fn latex(tag: &str) -> &'static str {
    &page()
        .equations
        .get(tag)
        .unwrap_or_else(|| panic!("本に式 ({tag}) がない"))
        .latex
}

/// LaTeX を式として読む。
pub fn parse(tag: &str, latex: &str) -> Result<Equation, texeval::ParseError> {
    parse_equation(tag, latex, &page().macros)
}

/// ページの式 `tag` を読み、`check` のすべての link が成り立つことを確かめる。
///
/// 失敗の文は、式の番号と壊れた link（番号・関係・両辺の値）を名指しする。
pub fn assert_printed(tag: &str, check: Check) {
    let eq =
        parse(tag, latex(tag)).unwrap_or_else(|e| panic!("ページの式 ({tag}) を読めない: {e}"));
    let results = check(&eq);
    assert!(!results.is_empty(), "式 ({tag}) に確かめる link がない");
    let broken: Vec<String> = results
        .iter()
        .filter(|r| !r.ok())
        .map(ToString::to_string)
        .collect();
    assert!(
        broken.is_empty(),
        "印刷された式 ({tag}) が成り立たない:\n{}",
        broken.join("\n")
    );
}

/// `check` がページの式で成り立つか（変異テストで使う。パニックは「成り立たない」とみなす）。
pub fn holds(eq: &Equation, check: Check) -> bool {
    std::panic::catch_unwind(|| {
        let rs = check(eq);
        !rs.is_empty() && rs.iter().all(LinkResult::ok)
    })
    .unwrap_or(false)
}

// ---- 各章の束縛で共通に使う道具 ----

/// 束縛の土台: マクロだけを持つ環境。
pub fn env() -> Env {
    Env::with_macros(page().macros.clone())
}

/// genmodel の誤りを評価の誤りにする。
pub fn model_error(e: genmodel::Error) -> EvalError {
    EvalError::Domain(e.to_string())
}

/// 列ベクトルの引数だけを受け取る（行ベクトル `\vx^\top` やスカラーは形の誤り）。
pub fn column(v: &Value) -> Result<Array1<f64>, EvalError> {
    match v {
        Value::Vector(a) => Ok(a.clone()),
        other => Err(EvalError::Shape {
            op: "列ベクトルの状態が要る".into(),
            left: other.shape(),
            right: "-".into(),
        }),
    }
}

/// 束縛の参照の並び。
pub fn refs(envs: &[Env]) -> Vec<&Env> {
    envs.iter().collect()
}

/// クレートの値を置く名前。
pub const IMPL: &str = r"\mathrm{impl}";

/// ページの式の連鎖 `chain` の項 `term` を、各束縛の `\mathrm{impl}`（クレートの計算）と比べる。
pub fn impl_link(
    eq: &Equation,
    chain: usize,
    term: usize,
    envs: &[&Env],
    what: &str,
) -> Vec<LinkResult> {
    let c = eq.chains().nth(chain).expect("連鎖がある");
    let lhs = parse_expr(IMPL, &page().macros).expect("名前を読める");
    let link = Chain {
        terms: vec![lhs, c.terms[term].clone()],
        rels: vec![Rel::Eq],
        tag: c.tag.clone(),
        first_link: c.first_link + term.saturating_sub(1),
    };
    let mut rs = check_chain_across(&link, envs, &Tolerances::default());
    for r in &mut rs {
        r.note = format!("クレートの {what} = 印刷された項 {term}");
    }
    rs
}
