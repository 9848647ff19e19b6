//! 性質テスト: 式を `aligned` の中で折り返しても、読んだ連鎖は変わらない。
//!
//! 本の式に出る形の項を `+`・`-` と関係でつないだ式を作り、深さ 0 の演算子や関係の前に
//! 行の区切り（`\\ &\quad {} ` など）を入れた形と、入れない形を比べる。

use proptest::prelude::*;
use texeval::*;

const TERMS: &[&str] = &[
    "x",
    r"x_k^{(i)}",
    r"\frac{1}{n} \sum_{i=1}^{n} x_i",
    r"\frac{1}{2} \ln \det \Sigma",
    r"f'(\theta_0)(\theta - \theta_0)",
    r"\frac{1}{2} L \left( \theta - \theta_0 \right)^2",
    r"\langle x_k x_l \rangle_\theta",
    r"\exp\left( -\frac{1}{2} \lambda_k y_k^2 \right)",
    r"\sum_{\vec{x}} x_k \frac{\exp(h_k x_k)}{Z_\theta}",
    r"\int dx \, p_0(x) \ln q_\theta(x)",
    r"\det(\Sigma^{-1})",
    r"(\vec{x}_i - \vec{\mu})^\top \Sigma^{-1} (\vec{x}_i - \vec{\mu})",
    r"a \cdot b",
    r"2 \times c",
    r"\Big( \sum_{i=1}^{M} |a_i| \Big)^2",
    r"\frac{(f'(\theta_0))^2}{2L}",
];

const RELS: &[&str] = &["=", r"\le", r"\ge", r"\approx", r"\iff"];

/// 項を `+`・`-` でつないだ式（先頭に負号がつくこともある）。
fn expr() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(
            (
                prop::sample::select(TERMS),
                prop::sample::select(&["+", "-"][..]),
            ),
            1..5,
        ),
    )
        .prop_map(|(neg, items)| {
            let mut s = String::from(if neg { "-" } else { "" });
            for (k, (t, op)) in items.iter().enumerate() {
                if k > 0 {
                    s.push_str(&format!(" {op} "));
                }
                s.push_str(t);
            }
            s
        })
}

/// 式を関係でつないだ連鎖（`\iff` も含む）。
fn formula() -> impl Strategy<Value = String> {
    (
        expr(),
        prop::collection::vec((prop::sample::select(RELS), expr()), 0..4),
    )
        .prop_map(|(first, rest)| {
            let mut s = first;
            for (r, e) in rest {
                s.push_str(&format!(" {r} {e}"));
            }
            s
        })
}

/// 深さ 0 の字（`+`・`-`・`=`・`\le` など）の位置。`pred` で選ぶ。先頭は除く。
fn top_level(s: &str, pred: impl Fn(&str) -> bool) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if depth == 0 && i > 0 && pred(&s[i..]) {
                    out.push(i);
                }
                i += 1;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                continue;
            }
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth -= 1,
            _ if depth == 0 && i > 0 && pred(&s[i..]) => out.push(i),
            _ => {}
        }
        i += 1;
    }
    out
}

/// `t` が命令 `\name` で始まるか（`\le` と `\left` を区別する）。
fn is_cmd_at(t: &str, name: &str) -> bool {
    t.strip_prefix('\\')
        .and_then(|r| r.strip_prefix(name))
        .is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// `at` の各位置の前に、`brk` の中から選んだ行の区切りを入れる。
fn insert_breaks(s: &str, at: &[usize], mask: &[bool], brk: &[&str]) -> String {
    let mut out = s.to_string();
    for (k, &p) in at.iter().enumerate().rev() {
        if mask.get(k).copied().unwrap_or(false) {
            out.insert_str(p, brk[k % brk.len()]);
        }
    }
    out
}

fn aligned(rows: &str) -> String {
    format!(r"\begin{{aligned}} {rows} \end{{aligned}} \tag{{9.9}}")
}

fn parse(latex: &str) -> Equation {
    parse_equation("p", latex, &Macros::new()).unwrap_or_else(|e| panic!("{latex}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20240611),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// 深さ 0 の `+` の前に `\\ &\quad {} ` を入れても同じ連鎖になる。
    #[test]
    fn break_before_top_level_plus_keeps_chain(
        f in formula(),
        mask in prop::collection::vec(any::<bool>(), 16),
    ) {
        let joined = parse(&f);
        let plus = top_level(&f, |t| t.starts_with('+'));
        let broken = aligned(&insert_breaks(&f, &plus, &mask, &[r"\\ &\quad {} "]));
        let b = parse(&broken);
        prop_assert_eq!(
            b.chains().collect::<Vec<_>>(),
            joined.chains().collect::<Vec<_>>(),
            "{}", broken
        );
        prop_assert_eq!(&b, &joined);
        prop_assert_eq!(parse(&aligned(&f)), joined);
    }

    /// 演算子・関係の前、行末の演算子の後、どの書き方で折り返しても同じ式になる。
    #[test]
    fn any_continuation_layout_keeps_equation(
        f in formula(),
        mask in prop::collection::vec(any::<bool>(), 24),
        trailing in any::<bool>(),
    ) {
        let joined = parse(&f);
        let ops = top_level(&f, |t| {
            t.starts_with('+') || t.starts_with('-') || t.starts_with('=')
                || ["le", "ge", "approx", "iff"].iter().any(|c| is_cmd_at(t, c))
        });
        let before = [r"\\ &\quad {} ", r"\\ &\qquad {} ", r"\\[1ex] & ", r"\\ \quad ", r"\\ &\; {}"];
        let rows = if trailing {
            // 演算子を行末に残して折り返す: `a + \\ &\quad b`
            let mut s = f.clone();
            for (k, &p) in ops.iter().enumerate().rev() {
                // 演算子の字句の直後が空白のときだけ（`-\frac` の単項の負号は除く）
                let len = s[p + 1..].find(|c: char| !c.is_ascii_alphabetic()).map_or(1, |n| n + 1);
                let len = if s[p..].starts_with('\\') { len } else { 1 };
                if mask.get(k).copied().unwrap_or(false) && s[p + len..].starts_with(' ') {
                    s.insert_str(p + len, r" \\ &\quad ");
                }
            }
            s
        } else {
            insert_breaks(&f, &ops, &mask, &before)
        };
        let broken = aligned(&rows);
        prop_assert_eq!(parse(&broken), joined, "{}", broken);
    }

    /// 行環境の断片をでたらめに並べても、パニックせず型つきの結果を返す。
    #[test]
    fn random_row_layouts_never_panic(parts in prop::collection::vec(prop::sample::select(vec![
        r"\begin{aligned}", r"\end{aligned}", r"\begin{gathered}", r"\end{gathered}",
        r"\begin{cases}", r"\end{cases}", r"\begin{pmatrix}", r"\end{pmatrix}", r"\begin{",
        r"\\", r"\\[2ex]", "&", r"\quad", r"\qquad", "{}", "{", "}", "(", ")", r"\left(",
        r"\right)", r"\left\{", r"\right.", "+", "-", r"\cdot", r"\times", "=", r"\le",
        r"\iff", ",", "a", "b_k", r"\frac{1}{2}", r"\text{よって}", r"\tag{1}",
    ]), 0..24)) {
        let s = parts.join(" ");
        let _ = parse_equation("t", &s, &Macros::new());
        let _ = extract(&format!("$$\n{s} \\tag{{1}} \\\\ {s} \\tag{{2}}\n$$\n"));
    }
}
