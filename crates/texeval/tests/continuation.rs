//! 行環境の中で折り返した式（続きの行）は、1 行に書いた式と同じ連鎖・同じ link に読む。
//!
//! どのテストも「折り返した形」と「つないだ形」を両方読み、[`Equation`] 全体（部分・節・
//! 連鎖の項と関係・link の番号）が等しいことを確かめる。

use texeval::*;

fn macros() -> Macros {
    Macros::parse(
        r"\KL:{D_{\mathrm{KL}}}
\vx:{\vec{x}}
\vmu:{\vec{\mu}}
\vtheta:{\vec{\theta}}
\T:{\top}
\onlytheta:{\overset{\text{θ のみ}}{=}}",
    )
    .unwrap()
}

fn parse(latex: &str) -> Equation {
    parse_equation("t", latex, &macros()).unwrap_or_else(|e| panic!("{latex}: {e}"))
}

/// 折り返した形とつないだ形が同じ式に読めることを確かめ、読んだ式を返す。
fn same(broken: &str, joined: &str) -> Equation {
    let (b, j) = (parse(broken), parse(joined));
    let chains = |e: &Equation| e.chains().cloned().collect::<Vec<Chain>>();
    assert_eq!(chains(&b), chains(&j), "連鎖が違う:\n{broken}\n{joined}");
    assert_eq!(b, j, "部分か link が違う:\n{broken}\n{joined}");
    assert_eq!(b.link_count(), j.link_count());
    b
}

fn aligned(rows: &str) -> String {
    format!(r"\begin{{aligned}} {rows} \end{{aligned}} \tag{{9.9}}")
}

#[test]
fn row_starting_with_quad_empty_group_plus() {
    // (2.33) の形
    let eq = same(
        &aligned(
            r"f(\theta) \le g(\theta) &= f(\theta_0) + f'(\theta_0)(\theta - \theta_0) \\
              &\quad {} + \frac{1}{2} L (\theta - \theta_0)^2 .",
        ),
        r"f(\theta) \le g(\theta) = f(\theta_0) + f'(\theta_0)(\theta - \theta_0) + \frac{1}{2} L (\theta - \theta_0)^2 . \tag{2.33}",
    );
    let c: Vec<&Chain> = eq.chains().collect();
    assert_eq!((c.len(), c[0].terms.len()), (1, 3));
    assert_eq!(c[0].rels, vec![Rel::Le, Rel::Eq]);
}

#[test]
fn row_starting_with_qquad_empty_group_plus_after_onlytheta() {
    // (2.22) の形。行頭の `\qquad` は部分の区切りでなく空白
    same(
        &aligned(
            r"\KL(p_0 \parallel q_\theta) &= \int d\vx \, p_0(\vx) \bigl( \ln p_0(\vx) - \ln q_\theta(\vx) \bigr) \\
              &\onlytheta \frac{1}{2n} \sum_{i=1}^{n} (\vx_i - \vmu)^\T \Sigma^{-1} (\vx_i - \vmu) \\
              &\qquad {} + \frac{1}{2} \ln \det \Sigma",
        ),
        &aligned(
            r"\KL(p_0 \parallel q_\theta) &= \int d\vx \, p_0(\vx) \bigl( \ln p_0(\vx) - \ln q_\theta(\vx) \bigr) \\
              &\onlytheta \frac{1}{2n} \sum_{i=1}^{n} (\vx_i - \vmu)^\T \Sigma^{-1} (\vx_i - \vmu) + \frac{1}{2} \ln \det \Sigma",
        ),
    );
}

#[test]
fn row_starting_with_minus_cdot_times() {
    // (2.34) の形
    same(
        &aligned(
            r"f(\theta) &\le f(\theta_0) + \frac{1}{2} L \left( \theta - \theta_0 + \frac{1}{L} f'(\theta_0) \right)^2 \\
              &\quad {} - \frac{(f'(\theta_0))^2}{2L}",
        ),
        r"f(\theta) \le f(\theta_0) + \frac{1}{2} L \left( \theta - \theta_0 + \frac{1}{L} f'(\theta_0) \right)^2 - \frac{(f'(\theta_0))^2}{2L}",
    );
    same(
        &aligned(r"a &= b \\ &\quad {} \cdot c \\ &\quad {} \times d"),
        r"a = b \cdot c \times d",
    );
}

#[test]
fn spacing_and_empty_group_are_optional() {
    let joined = r"a = b + c - d";
    for broken in [
        r"a &= b \\ &\; {} + c \\ &\qquad - d",
        r"a &= b \\ &+ c \\ & {} - d",
        r"a &= b \\ + c \\ \quad - d",
        r"&a = b \\ &\quad \; {} + c - d",
    ] {
        same(&aligned(broken), joined);
    }
    // gathered（`&` なし）
    same(
        r"\begin{gathered} a = b \\ {} + c \\ {} - d \end{gathered}",
        joined,
    );
}

#[test]
fn row_after_trailing_operator_or_relation_continues() {
    same(&aligned(r"a &= b + \\ &\quad c"), r"a = b + c");
    same(
        &aligned(r"a &= b \cdot \\ &\quad c \\ &= d"),
        r"a = b \cdot c = d",
    );
    same(&aligned(r"a &= b - \\ c"), r"a = b - c");
    same(
        &aligned(r"&\KL(p \parallel q) = \\ &\quad x"),
        r"\KL(p \parallel q) = x",
    );
}

#[test]
fn rows_starting_with_a_relation_continue_the_chain() {
    // (2.5)・(2.3a)・(2.11) の形
    same(
        &aligned(r"a &= b \\ &\ge c \\ &= d \le e \\ &\onlytheta f"),
        r"a = b \ge c = d \le e \onlytheta f",
    );
    same(
        &aligned(r"&\KL\bigl(p \parallel q\bigr) \\ &\quad = \frac{1}{2} \left( a - 1 \right)"),
        r"\KL\bigl(p \parallel q\bigr) = \frac{1}{2} \left( a - 1 \right)",
    );
    same(
        &aligned(r"a &= b \\ &\onlytheta + \int dx \, p_0(x) c"),
        r"a = b \onlytheta + \int dx \, p_0(x) c",
    );
}

#[test]
fn iff_row_and_plus_row_keep_link_numbers() {
    // (2.28) の形: 続きの行は link を作らない。link 1・2 が連鎖、3 が iff、4 が右の節
    let eq = same(
        &aligned(
            r"&\frac{\partial \KL}{\partial h_k} = -\frac{1}{n} \sum_{i=1}^n x_k^{(i)} \\
              &\quad {} + \sum_{\vx} x_k \frac{\exp\left(\sum_{i<j} J_{ij} x_i x_j + \sum_{i} h_i x_i\right)}{Z_\theta} = 0 \\
              &\quad \iff \langle x_k \rangle_\theta = \frac{1}{n} \sum_{i=1}^n x_k^{(i)}",
        ),
        r"\frac{\partial \KL}{\partial h_k} = -\frac{1}{n} \sum_{i=1}^n x_k^{(i)} + \sum_{\vx} x_k \frac{\exp\left(\sum_{i<j} J_{ij} x_i x_j + \sum_{i} h_i x_i\right)}{Z_\theta} = 0 \iff \langle x_k \rangle_\theta = \frac{1}{n} \sum_{i=1}^n x_k^{(i)} \tag{2.28}",
    );
    assert_eq!(eq.parts.len(), 1);
    let p = &eq.parts[0];
    assert_eq!(p.iff_links, vec![3]);
    let firsts: Vec<usize> = p.clauses.iter().map(|c| c.first_link).collect();
    assert_eq!(firsts, vec![1, 4]);
    assert_eq!(eq.link_count(), 4);
    // (2.12) の形: `\iff` の行と後ろの `\quad \text{…}`
    same(
        &aligned(
            r"&\frac{\partial \KL}{\partial \mu} = -\frac{1}{\sigma^2} \frac{1}{n} \sum_{i=1}^{n} (x_i - \mu) = 0 \\
              &\quad \iff \mu = \frac{1}{n} \sum_{i=1}^{n} x_i \quad \text{（データの平均）}",
        ),
        r"\frac{\partial \KL}{\partial \mu} = -\frac{1}{\sigma^2} \frac{1}{n} \sum_{i=1}^{n} (x_i - \mu) = 0 \iff \mu = \frac{1}{n} \sum_{i=1}^{n} x_i \quad \text{（データの平均）}",
    );
}

#[test]
fn nested_aligned_in_gathered_then_new_statement() {
    // (2.44a) の形: 内側の aligned は 1 つの連鎖、外側の 2 行目は新しい部分
    let eq = same(
        r"\begin{gathered}
          \begin{aligned}
          \vec{a}^\T H(\KL)\, \vec{a} &= \operatorname{Var}_\theta(\vec{a} \cdot \phi) \le \left\langle (\vec{a} \cdot \phi)^2 \right\rangle_\theta \\
          &\le \Big( \sum_{i=1}^{M} |a_i| \Big)^2 \le M,
          \end{aligned} \\
          \text{よって} \quad \max_k \lambda_k \le M = \frac{N(N+1)}{2}
          \end{gathered} \tag{2.44a}",
        r"\vec{a}^\T H(\KL)\, \vec{a} = \operatorname{Var}_\theta(\vec{a} \cdot \phi) \le \left\langle (\vec{a} \cdot \phi)^2 \right\rangle_\theta \le \Big( \sum_{i=1}^{M} |a_i| \Big)^2 \le M, \qquad \text{よって} \quad \max_k \lambda_k \le M = \frac{N(N+1)}{2} \tag{2.44a}",
    );
    assert_eq!(eq.parts.len(), 2);
    assert_eq!(eq.parts[1].clauses[0].first_link, 5);
    // 内側の aligned に続きの行があっても同じ
    same(
        r"\begin{gathered} \begin{aligned} a &= b \\ &\quad {} + c, \end{aligned} \\ d = e \end{gathered}",
        r"a = b + c, \qquad d = e",
    );
}

#[test]
fn aligned_inside_an_iff_clause_or_parentheses() {
    same(
        r"a = b \iff \begin{aligned} c &= d \\ &\quad {} + e \\ &\le f \end{aligned}",
        r"a = b \iff c = d + e \le f",
    );
    same(
        r"\begin{aligned} c &= d \\ &\quad {} + e \end{aligned} \iff a = b",
        r"c = d + e \iff a = b",
    );
    same(
        r"x = \left( \begin{aligned} &a + b \\ &\quad {} + c \end{aligned} \right)^2",
        r"x = \left( a + b + c \right)^2",
    );
    // 括弧の中では部分を分けられない
    let err = parse_equation(
        "t",
        r"x = \left( \begin{aligned} a \\ b \end{aligned} \right)",
        &macros(),
    )
    .unwrap_err();
    assert!(err.msg.contains("括弧の中"), "{err}");
}

#[test]
fn rows_broken_inside_bigl_parentheses_continue() {
    // (7.4) の形: `\Bigl(` は TeX のグループでないので、その中の `\\` でも行に分かれる
    same(
        &aligned(
            r"F &= -\sum_{k} h_k m_k \\
              &\quad {} + \sum_{k} \Bigl( \frac{1 + m_k}{2} \ln \frac{1 + m_k}{2} \\
              &\qquad {} + \frac{1 - m_k}{2} \ln \frac{1 - m_k}{2} \Bigr)",
        ),
        r"F = -\sum_{k} h_k m_k + \sum_{k} \Bigl( \frac{1 + m_k}{2} \ln \frac{1 + m_k}{2} + \frac{1 - m_k}{2} \ln \frac{1 - m_k}{2} \Bigr)",
    );
    // (7.8) の形: 揃えの印 `&` を丸括弧の中に置いてもよい
    same(
        &aligned(
            r"m_k = \tanh\Bigl( & h_k + \sum_{l} J_{kl} m_l \\
              & {} - m_k \sum_{l} J_{kl}^2 (1 - m_l^2) \Bigr)",
        ),
        r"m_k = \tanh\Bigl( h_k + \sum_{l} J_{kl} m_l - m_k \sum_{l} J_{kl}^2 (1 - m_l^2) \Bigr)",
    );
    // 開いた丸括弧の中では部分を分けられない
    let err = parse_equation("t", &aligned(r"a &= \Bigl( b \\ c \Bigr)"), &macros()).unwrap_err();
    assert!(err.msg.contains("括弧の中"), "{err}");
    // pmatrix の `\\` は行の区切りでない
    same(
        &aligned(r"A &= \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} \\ &\quad {} + B"),
        r"A = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} + B",
    );
}

#[test]
fn rows_that_do_not_continue_are_new_statements() {
    // (2.17) の形: `\left\{ \begin{aligned} … \end{aligned} \right.` の各行は別の主張
    let eq = same(
        r"\left\{ \begin{aligned} P^\T \Sigma^{-1} P &= \Lambda, \\ P^\T P &= I, \\ \vec{y} &= P^\T (\vx - \vmu) \end{aligned} \right. \tag{2.17}",
        r"P^\T \Sigma^{-1} P = \Lambda, \qquad P^\T P = I, \qquad \vec{y} = P^\T (\vx - \vmu)",
    );
    assert_eq!(eq.parts.len(), 3);
    // (2.2a)・(A.5) の形の gathered
    same(
        r"\begin{gathered} \ln Z_\theta = m + \ln \sum_{\vx} \exp\bigl(-E_\theta(\vx) - m\bigr), \\ m = \max_{\vx} \bigl(-E_\theta(\vx)\bigr) \end{gathered}",
        r"\ln Z_\theta = m + \ln \sum_{\vx} \exp\bigl(-E_\theta(\vx) - m\bigr), \qquad m = \max_{\vx} \bigl(-E_\theta(\vx)\bigr)",
    );
    same(
        r"\begin{gathered} \det A = \sum_{j=1}^{n} (-1)^{i+j} A_{ij} m_{ij} \\ (i = 1, \dots, n \text{ のどれでも同じ}) \end{gathered}",
        r"\det A = \sum_{j=1}^{n} (-1)^{i+j} A_{ij} m_{ij} \qquad (i = 1, \dots, n \text{ のどれでも同じ})",
    );
    // 文だけの行は捨てる（(2.44) の形）
    same(
        r"\begin{gathered} \eta \le \frac{1}{L} \\ \text{（線分上のすべての点で）} \end{gathered}",
        r"\eta \le \frac{1}{L} \quad \text{（線分上のすべての点で）}",
    );
}

#[test]
fn malformed_rows_are_typed_errors() {
    let m = macros();
    for bad in [
        r"\begin{aligned} &= a \\ &= b \end{aligned}",
        r"\begin{aligned} a &= b \\ &\quad {} + \end{aligned}",
        r"\begin{aligned} a &= b \\ &\quad {} + c",
        r"\begin{aligned} a &= b \end{gathered}",
        r"\begin{gathered} \begin{aligned} a &= b \end{gathered} \end{aligned}",
        r"\begin{aligned} \\ \\ \end{aligned}",
        r"\begin{aligned} a &= b \\[2ex",
        r"\begin{",
        r"a \\ {} + b",
    ] {
        assert!(parse_equation("t", bad, &m).is_err(), "{bad}");
    }
    let err = parse_equation("t", r"\begin{aligned} &= a \end{aligned}", &m).unwrap_err();
    assert!(err.msg.contains("最初の行"), "{err}");
}

#[test]
fn extract_joins_continuation_rows_of_multi_tag_blocks() {
    let md = "$$\n\\begin{align}\na &= b \\tag{3.1} \\\\\n&\\quad {} + c \\\\\n&= d \\tag{3.2} \\\\\ne &= f \\cdot \\\\\ng \\tag{3.3}\n\\end{align}\n$$\n";
    let eqs = extract(md);
    let tags: Vec<&str> = eqs.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags, ["3.1", "3.2", "3.3"]);
    let m = Macros::new();
    let c = |k: usize| {
        let e = parse_equation(&eqs[k].tag, &eqs[k].latex, &m).unwrap();
        let s = e.chains().next().unwrap().to_string();
        s
    };
    assert_eq!(c(1), parse_chain("a = b + c = d", &m).unwrap().to_string());
    assert_eq!(c(2), parse_chain(r"e = f \cdot g", &m).unwrap().to_string());
}

#[test]
fn row_starting_with_parallel_continues_the_kl_arguments() {
    // (9.8) の形: KL 情報量の長い引数の間で折り返し、次の行を `\parallel` で始める
    let eq = same(
        &aligned(
            r"E &= - \KL\bigl(r(x_{t-1} \mid x_t, x_0) \\
              &\qquad \parallel q_\theta(x_{t-1} \mid x_t)\bigr)",
        ),
        r"E = - \KL\bigl(r(x_{t-1} \mid x_t, x_0) \parallel q_\theta(x_{t-1} \mid x_t)\bigr) \tag{9.8}",
    );
    assert_eq!(eq.chains().count(), 1);
}
