//! 構文ごとの単体テスト（読みと評価）。

use ndarray::{array, Array1};
use texeval::*;

fn m() -> Macros {
    Macros::parse("\\vx:{\\vec{x}}\n\\vmu:{\\vec{\\mu}}\n\\T:{\\top}\n\\KL:{D_{\\mathrm{KL}}}\n\\onlytheta:{\\overset{\\text{θ のみ}}{=}}").unwrap()
}

fn env() -> Env {
    let mut e = Env::with_macros(m());
    e.scalar("a", 2.0)
        .scalar("b", 3.0)
        .scalar(r"\sigma", 0.5)
        .scalar("n", 4.0);
    e.set("A", array![[2.0, 1.0], [1.0, 3.0]])
        .set(r"\vx", vec![1.0, -2.0]);
    e.set("h", vec![0.5, -1.0, 2.0]).data("y", &[1.0, 2.0, 4.0]);
    e
}

fn s(latex: &str, e: &Env) -> f64 {
    eval_latex(latex, e)
        .unwrap_or_else(|err| panic!("{latex}: {err}"))
        .as_scalar()
        .unwrap()
}

fn near(x: f64, y: f64, tol: f64) {
    assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{x} vs {y}");
}

#[test]
fn numbers_implicit_mul_frac_pow() {
    let e = env();
    near(s(r"2a b", &e), 12.0, 1e-15);
    near(s(r"a \cdot b - \frac{1}{2}", &e), 5.5, 1e-15);
    near(s(r"\tfrac{a}{b} + \dfrac12", &e), 2.0 / 3.0 + 0.5, 1e-15);
    near(s(r"a^{b} + a^2 3", &e), 8.0 + 12.0, 1e-15);
    near(
        s(r"\sqrt{2\pi\sigma^2}", &e),
        (2.0 * std::f64::consts::PI * 0.25f64).sqrt(),
        1e-15,
    );
    near(s(r"-\frac{1}{2(\sigma^2)^2}", &e), -8.0, 1e-15);
}

#[test]
fn functions_take_paren_group_or_rest_of_term() {
    let e = env();
    near(s(r"\ln 2\pi", &e), (2.0 * std::f64::consts::PI).ln(), 1e-15);
    near(s(r"\ln(a) b", &e), 2f64.ln() * 3.0, 1e-15);
    near(
        s(r"\exp\bigl(-a\bigr) + \cosh a + \tanh b", &e),
        (-2f64).exp() + 2f64.cosh() + 3f64.tanh(),
        1e-15,
    );
    near(s(r"\log e^{a}", &e), 2.0, 1e-15);
    assert!(matches!(
        eval_latex(r"\ln(-a)", &e),
        Err(Error::Eval(EvalError::Domain(_)))
    ));
}

#[test]
fn sigma_squared_binding_rule() {
    let mut e = env();
    near(s(r"\sigma^2", &e), 0.25, 1e-15);
    e.scalar(r"\sigma^2", 9.0);
    near(s(r"\sigma^2", &e), 9.0, 1e-15);
    near(s(r"(\sigma^2)^2", &e), 81.0, 1e-15);
}

#[test]
fn subscripts_families_and_components() {
    let mut e = env();
    near(s(r"h_2 + y_3", &e), 3.0, 1e-15);
    near(s(r"A_{12} + A_{21} + A_{22}", &e), 5.0, 1e-15);
    e.scalar("k", 1.0).scalar("l", 2.0);
    near(s(r"A_{kl} + x_k x_l", &e), 1.0 - 2.0, 1e-15);
    e.family(
        r"\vx",
        vec![Value::from(vec![1.0, 5.0]), Value::from(vec![7.0, 9.0])],
    );
    near(s(r"x_2^{(1)} + x_1^{(2)}", &e), 12.0, 1e-15);
    assert_eq!(
        eval_latex(r"\vx_2", &e).unwrap(),
        Value::from(vec![7.0, 9.0])
    );
    assert!(matches!(
        eval_latex("h_4", &e),
        Err(Error::Eval(EvalError::Index(_)))
    ));
}

#[test]
fn transpose_inverse_det_trace() {
    let e = env();
    near(s(r"\vx^\T \vx", &e), 5.0, 1e-15);
    near(s(r"\vx^\T A \vx", &e), 2.0 - 4.0 + 12.0, 1e-15);
    near(s(r"\det A + \operatorname{tr}(A)", &e), 5.0 + 5.0, 1e-12);
    near(s(r"\operatorname{tr}(A^{-1} A)", &e), 2.0, 1e-12);
    near(s(r"\det(A^{-1}) - \frac{1}{\det A}", &e), 0.0, 1e-12);
    let outer = eval_latex(r"\vx \vx^\T", &e).unwrap();
    assert_eq!(outer, Value::Matrix(array![[1.0, -2.0], [-2.0, 4.0]]));
    let err = eval_latex(r"\vx \vx", &e).unwrap_err();
    assert!(matches!(err, Error::Eval(EvalError::Shape { .. })), "{err}");
    let mut sing = env();
    sing.set("S", array![[1.0, 2.0], [2.0, 4.0]]);
    assert!(matches!(
        eval_latex("S^{-1}", &sing),
        Err(Error::Eval(EvalError::Singular(_)))
    ));
    near(s(r"\vx^\T (A - \frac{1}{2} I) \vx", &e), 10.0 - 2.5, 1e-12);
}

#[test]
fn sums_products_max_argmin() {
    let mut e = env();
    near(s(r"\sum_{i=1}^{3} y_i", &e), 7.0, 1e-15);
    near(
        s(r"\frac{1}{n} \sum_{i=1}^{n-1} (y_i - 1)^2", &e),
        (0.0 + 1.0 + 9.0) / 4.0,
        1e-15,
    );
    near(s(r"\prod_{k=1}^{3} h_k", &e), -1.0, 1e-15);
    near(s(r"\sum_i h_i y_i", &e), 0.5 - 2.0 + 8.0, 1e-15);
    near(s(r"\sum_{k,l=1}^{2} A_{kl}", &e), 7.0, 1e-15);
    near(s(r"\sum_{k<l} A_{kl}", &e), 1.0, 1e-15);
    near(s(r"\sum_{k \neq l} A_{kl}", &e), 2.0, 1e-15);
    near(s(r"\max_k h_k", &e), 2.0, 1e-15);
    near(
        s(r"\sum_{\vx \in \{-1,1\}^2} (x_1 x_2 + 1)", &e),
        4.0,
        1e-15,
    );
    e.domain(
        r"\theta",
        (0..=20).map(|i| Value::Scalar(i as f64 * 0.1)).collect(),
    );
    near(
        s(r"\mathop{\mathrm{arg\,min}}_{\theta} (\theta - 1.3)^2", &e),
        1.3,
        1e-12,
    );
    near(
        s(
            r"\operatorname*{arg\,max}_{\theta} \left(-(\theta - 0.7)^2\right)",
            &e,
        ),
        0.7,
        1e-12,
    );
    e.domain(r"\vx", vec![Value::from(vec![0.0]), Value::from(vec![1.0])]);
    e.func("p", |a| Ok(Value::Scalar(a[0].components()[0])));
    near(s(r"\sum_{p(\vx) > 0} 1", &e), 1.0, 1e-15);
}

#[test]
fn integrals_dx_before_and_after() {
    let e = env();
    let pi = std::f64::consts::PI;
    near(
        s(r"\int_{-\infty}^{\infty} dt \, e^{-t^2}", &e),
        pi.sqrt(),
        1e-10,
    );
    near(s(r"\int_0^1 (1 - s)\, s \; ds", &e), 1.0 / 6.0, 1e-12);
    near(s(r"\int_0^{a} t^2 dt", &e), 8.0 / 3.0, 1e-12);
    near(
        s(r"\int dx \, \exp(-\frac{x^2}{2\sigma^2})", &e),
        (2.0 * pi).sqrt() * 0.5,
        1e-9,
    );
    // ℝ² の積分は変数の束縛から次元を取る
    near(
        s(r"\int d\vx \, \exp(-\frac{1}{2} \vx^\T A \vx)", &e),
        2.0 * pi / 5f64.sqrt(),
        1e-7,
    );
}

#[test]
fn integral_against_measure_and_delta() {
    let mut e = env();
    e.measure(
        "p_0",
        vec![Value::Scalar(1.0), Value::Scalar(3.0)],
        vec![0.5, 0.5],
    );
    near(s(r"\int dx \, p_0(x) (x - 1)^2", &e), 2.0, 1e-15);
    near(s(r"p_0(3)", &e), 0.5, 1e-15);
    let err = eval_latex(r"\delta(a - b)", &e).unwrap_err();
    assert!(
        matches!(err, Error::Eval(EvalError::Unsupported(_))),
        "{err}"
    );
}

#[test]
fn derivatives_scalar_vector_matrix() {
    let mut e = env();
    e.formula("F", r"a^3 b").unwrap();
    near(s(r"\frac{\partial F}{\partial a}", &e), 36.0, 1e-8);
    near(s(r"\partial F / \partial b", &e), 8.0, 1e-8);
    near(
        s(r"\frac{\partial^2 F}{\partial a \partial b}", &e),
        12.0,
        1e-6,
    );
    let g = eval_latex(r"\frac{d}{d\vx} \left( \vx^\T A \vx \right)", &e).unwrap();
    let want = eval_latex(r"(A + A^\T) \vx", &e).unwrap();
    assert!(g
        .components()
        .iter()
        .zip(want.components())
        .all(|(x, y)| (x - y).abs() < 1e-6));
    let dm = eval_latex(r"\frac{d}{dA} \ln \det A", &e).unwrap();
    let want = eval_latex(r"(A^{-1})^\T", &e).unwrap();
    assert!(dm
        .components()
        .iter()
        .zip(want.components())
        .all(|(x, y)| (x - y).abs() < 1e-6));
    e.scalar("i", 1.0).scalar("j", 2.0);
    near(
        s(
            r"\frac{\partial}{\partial A_{ij}} \left( \vx^\T A \vx \right)",
            &e,
        ),
        -2.0,
        1e-7,
    );
    // σ² で微分: σ² が束縛されていなければ σ を通して動かす
    near(
        s(r"\frac{\partial \ln \sigma^2}{\partial \sigma^2}", &e),
        4.0,
        1e-6,
    );
    // (A.8): Σ⁻¹ で微分すると −Σ（Σ⁻¹ が束縛されていなければ Σ を通して動かす）
    e.set(r"\Sigma", array![[2.0, 0.5], [0.5, 1.0]]);
    let d = eval_latex(r"\frac{d}{d\Sigma^{-1}} \ln \det \Sigma", &e)
        .unwrap()
        .components();
    let want = [-2.0, -0.5, -0.5, -1.0];
    assert!(
        d.iter().zip(want).all(|(x, y)| (x - y).abs() < 1e-6),
        "{d:?}"
    );
}

#[test]
fn nabla_and_hessian_of_bound_functions() {
    let mut e = env();
    e.func_latex("f", &[r"\vx"], r"\vx^\T A \vx").unwrap();
    let g = eval_latex(r"\nabla f(\vx)", &e).unwrap().components();
    assert!(
        (g[0] - 0.0).abs() < 1e-6 && (g[1] - (-10.0)).abs() < 1e-6,
        "{g:?}"
    );
    let h = eval_latex(r"(\nabla \nabla^\T) f(\vx)", &e)
        .unwrap()
        .components();
    let want = [4.0, 2.0, 2.0, 6.0];
    assert!(
        h.iter().zip(want).all(|(x, y)| (x - y).abs() < 1e-5),
        "{h:?}"
    );
    near(s(r"\left| \nabla f(\vx) \right|^2", &e), 100.0, 1e-6);
    near(s(r"\nabla f(\vx) \cdot \vx", &e), 20.0, 1e-6);
}

#[test]
fn expectations_and_functions() {
    let mut e = env();
    let states: Vec<Value> = [-1.0, 1.0].iter().map(|&x| Value::Scalar(x)).collect();
    e.distribution_latex(r"\theta", "x", states, r"\exp(a x)")
        .unwrap();
    near(s(r"\langle x \rangle_\theta", &e), 2f64.tanh(), 1e-12);
    near(s(r"\left\langle x^2 \right\rangle_\theta", &e), 1.0, 1e-12);
    e.func(r"q_\theta", |a| Ok(Value::Scalar(2.0 * a[0].as_scalar()?)));
    near(s(r"q_\theta(b) + b(a)", &e), 6.0 + 6.0, 1e-15);
    e.formula(r"\KL", "a + b").unwrap();
    near(s(r"\KL\bigl(p \parallel q\bigr)", &e), 5.0, 1e-15);
    e.scalar(r"H(f)", 7.0);
    near(s(r"H(f)", &e), 7.0, 1e-15);
    let t = eval_latex(r"\operatorname{diag}(h_1, \dots, h_3)", &e).unwrap();
    assert_eq!(
        t,
        Value::Matrix(
            Array1::from(vec![0.5, -1.0, 2.0])
                .diag()
                .into_owned()
                .into_diag_matrix()
        )
    );
}

trait Diag {
    fn into_diag_matrix(self) -> ndarray::Array2<f64>;
}
impl Diag for Array1<f64> {
    fn into_diag_matrix(self) -> ndarray::Array2<f64> {
        ndarray::Array2::from_diag(&self)
    }
}

#[test]
fn relations_and_parse_errors() {
    let mm = m();
    let c = parse_chain(r"a \le b < 4 \approx 4.001", &mm).unwrap();
    assert_eq!(c.rels, vec![Rel::Le, Rel::Lt, Rel::Approx]);
    let rs = check_chain(&c, &env(), &Tolerances::default());
    assert!(rs.iter().all(|r| r.ok()), "{rs:?}");
    for bad in [
        r"\frac{1}",
        r"a + ",
        r"\foo x",
        r"(a",
        r"\sum_{i=1}^{n",
        r"a = = b",
        "|a",
    ] {
        let err = parse_chain(bad, &mm).unwrap_err();
        assert!(err.pos <= bad.len() + 10, "{bad}: {err}");
    }
    let eq = parse_equation("x", r"a &= b \\ &\onlytheta c \tag{1}", &mm);
    assert!(eq.is_err(), "aligned でない `\\\\` は読まない");
    let eq = parse_equation(
        "x",
        r"\begin{aligned} a &= b \\ &\onlytheta c \end{aligned} \tag{1}",
        &mm,
    )
    .unwrap();
    assert_eq!(eq.parts[0].clauses[0].rels, vec![Rel::Eq, Rel::OnlyTheta]);
}

#[test]
fn propto_and_onlytheta_across_envs() {
    let mm = m();
    let mut e1 = env();
    let mut e2 = env();
    e1.scalar(r"\theta", 0.3);
    e2.scalar(r"\theta", 1.7);
    let c = parse_chain(
        r"3 e^{-\theta^2} \propto e^{-\theta^2} \onlytheta e^{-\theta^2} + a",
        &mm,
    )
    .unwrap();
    let rs = check_chain_across(&c, &[&e1, &e2], &Tolerances::default());
    assert!(rs.iter().all(|r| r.ok()), "{rs:?}");
    let rs1 = check_chain(&c, &e1, &Tolerances::default());
    assert!(matches!(rs1[0].status, LinkStatus::Inconclusive(_)));
    let bad = parse_chain(r"\theta e^{-\theta^2} \propto e^{-\theta^2}", &mm).unwrap();
    let rs = check_chain_across(&bad, &[&e1, &e2], &Tolerances::default());
    assert_eq!(rs[0].status, LinkStatus::Fail, "{}", rs[0]);
}

#[test]
fn star_is_part_of_a_symbol_name_not_a_power() {
    // `\theta^*`・`\theta^{*}`・`\theta^\ast` は同じ記号で、`\theta` とは別の束縛
    let mut e = env();
    e.scalar(r"\theta", 5.0).scalar(r"\theta^*", 2.0);
    near(s(r"\theta^* + \theta^{*} + \theta^\ast", &e), 6.0, 1e-15);
    near(s(r"\theta^* \theta", &e), 10.0, 1e-15);
    assert!(eval_latex(r"\theta_1^*", &e).is_err());
}

#[test]
fn min_and_max_of_listed_arguments() {
    let e = env();
    near(s(r"\min(1, e^{-a})", &e), (-2.0f64).exp(), 1e-15);
    near(s(r"\min\bigl(1, e^{a}\bigr)", &e), 1.0, 1e-15);
    near(s(r"\max(a, b, 1)", &e), 3.0, 1e-15);
    near(s(r"\max(a - b, 0) + 1", &e), 1.0, 1e-15);
}

#[test]
fn subscript_of_a_function_is_its_argument() {
    let mut e = env();
    e.func(r"\gamma", |a| Ok(Value::Scalar(10.0 * a[0].as_scalar()?)));
    e.scalar("r", 2.0);
    near(s(r"\gamma_0 + \gamma_{2r+1}", &e), 50.0, 1e-15);
    near(s(r"\prod_{r=0}^{1} \gamma_{2r+1}", &e), 10.0 * 30.0, 1e-15);
}

#[test]
fn hyperbolic_cotangent() {
    let e = env();
    near(s(r"\coth a", &e), 1.0 / 2.0f64.tanh(), 1e-15);
    // 括弧がなければ続く項が引数だが、次の関数の命令の前で止まる: \cosh 2a \coth 2a = cosh(2a)·coth(2a)
    near(
        s(r"\cosh(2a) \coth(2a)", &e),
        4.0f64.cosh() / 4.0f64.tanh(),
        1e-14,
    );
    near(
        s(r"\cosh 2a \coth 2a", &e),
        4.0f64.cosh() / 4.0f64.tanh(),
        1e-14,
    );
    // 関数の中に関数を入れるには、関数を最初の因子にするか括弧で囲む
    near(
        s(r"\cosh \coth 2a", &e),
        (1.0 / 4.0f64.tanh()).cosh(),
        1e-14,
    );
    near(
        s(r"\cosh(2a \coth 2a)", &e),
        (4.0 / 4.0f64.tanh()).cosh(),
        1e-14,
    );
}

#[test]
fn sums_to_infinity_stop_when_terms_vanish() {
    let mut e = env();
    e.scalar(r"\lambda", 0.9);
    near(s(r"\sum_{t=1}^{\infty} \lambda^t", &e), 9.0, 1e-13);
    near(s(r"\sum_{t=0}^{\infty} \frac{1}{2^t}", &e), 2.0, 1e-15);
    // 収束しない級数は打ち切らずに誤り
    assert!(eval_latex(r"\sum_{t=1}^{\infty} \frac{1}{t}", &e).is_err());
}

#[test]
fn second_derivative_in_one_variable() {
    let mut e = env();
    e.scalar("K", 0.7);
    e.formula("F", r"K^4").unwrap();
    // ∂²F/∂K² = 12 K²（K² についての 1 階微分 2K² とは違う）
    near(
        s(r"\frac{\partial^2 F}{\partial K^2}", &e),
        12.0 * 0.49,
        1e-6,
    );
    near(s(r"\frac{\partial F}{\partial K}", &e), 4.0 * 0.343, 1e-7);
}

#[test]
fn conditioned_sums_keep_bound_indices_fixed() {
    let mut e = env();
    e.scalar("k", 1.0);
    // A = [[2, 1], [1, 3]]: k = 1 を固定すると l ≠ 1 は l = 2 だけ
    near(s(r"\sum_{l \ne k} A_{kl}", &e), 1.0, 1e-15);
    e.unset("k");
    near(s(r"\sum_{l \ne k} A_{kl}", &e), 2.0, 1e-15);
}

#[test]
fn ellipsis_in_an_argument_list_is_skipped() {
    let mut e = env();
    e.func("P", |a| Ok(Value::Scalar(a.len() as f64)));
    e.family(r"\vx", vec![Value::from(vec![1.0]), Value::from(vec![2.0])]);
    e.scalar("R", 2.0);
    near(s(r"P(\vx_1, \dots, \vx_R)", &e), 2.0, 1e-15);
}

#[test]
fn artanh_is_the_inverse_of_tanh() {
    let e = env();
    near(s(r"\operatorname{artanh}(\tanh a)", &e), 2.0, 1e-14);
    near(
        s(r"\operatorname{artanh} \frac{1}{b}", &e),
        (1.0f64 / 3.0).atanh(),
        1e-15,
    );
    assert!(matches!(
        eval_latex(r"\operatorname{artanh} b", &e),
        Err(Error::Eval(EvalError::Domain(_)))
    ));
}

#[test]
fn function_argument_stops_at_the_next_function() {
    let e = env();
    // (7.10)・(7.15) の形: tanh K tanh 3h = tanh(K)·tanh(3h)
    near(s(r"\tanh a \tanh 3b", &e), 2f64.tanh() * 9f64.tanh(), 1e-15);
    near(
        s(
            r"\operatorname{artanh}\bigl( \tanh \sigma \tanh b \bigr)",
            &e,
        ),
        (0.5f64.tanh() * 3f64.tanh()).atanh(),
        1e-14,
    );
    near(
        s(r"\tanh a \operatorname{artanh} \frac{1}{b}", &e),
        2f64.tanh() * (1.0f64 / 3.0).atanh(),
        1e-15,
    );
    // 関数が最初の因子なら入れ子、関数でない因子は続く（\ln 2\pi）
    near(s(r"\ln \cosh a", &e), 2f64.cosh().ln(), 1e-15);
    near(
        s(r"\ln 2\pi a", &e),
        (4.0 * std::f64::consts::PI).ln(),
        1e-15,
    );
    // \cdot と大型演算子の本体はこの規則に関わらない
    near(
        s(r"\sum_{i=1}^{3} y_i \tanh y_i", &e),
        [1.0f64, 2.0, 4.0].iter().map(|y| y * y.tanh()).sum(),
        1e-14,
    );
}

#[test]
fn power_written_after_a_function_name() {
    let e = env();
    // (7.16) の形: \sinh^{-4} 2K = (sinh 2K)^{-4}
    near(s(r"\sinh^{-4} 2a", &e), 4f64.sinh().powi(-4), 1e-15);
    near(s(r"\cosh^2 a - \sinh^2 a", &e), 1.0, 1e-12);
    near(
        s(r"\bigl( 1 - \sinh^{-4} 2a \bigr)^{1/8}", &e),
        (1.0 - 4f64.sinh().powi(-4)).powf(0.125),
        1e-15,
    );
    let m = m();
    let err = parse_expr(r"\sinh^{-1} a", &m).unwrap_err();
    assert!(err.msg.contains("逆関数"), "{err}");
    // 印刷し直した形も同じに読める
    let e1 = parse_expr(r"\sinh^{-4} 2a", &m).unwrap();
    assert_eq!(parse_expr(&e1.to_string(), &m).unwrap(), e1);
}

#[test]
fn subscript_of_a_parenthesised_inverse() {
    let e = env();
    // A = [[2, 1], [1, 3]]、A^{-1} = [[3, −1], [−1, 2]]/5
    near(s(r"(A^{-1})_{12}", &e), -0.2, 1e-15);
    near(s(r"(A^{-1})_{22}", &e), 0.4, 1e-15);
    near(s(r"-2 (A^{-1})_{12}", &e), 0.4, 1e-15);
    // 括弧のない A_{12}^{-1} は成分の逆数
    near(s(r"A_{12}^{-1} + A^{-1}_{22}", &e), 1.0 + 1.0 / 3.0, 1e-15);
    let m = m();
    let x = parse_expr(r"(A^{-1})_{kl}", &m).unwrap();
    assert_eq!(x.to_string(), r"(A^{-1})_{k l}");
    assert_eq!(parse_expr(&x.to_string(), &m).unwrap(), x);
}

#[test]
fn bracket_argument_is_a_functional() {
    let mut e = env();
    let m = m();
    let f = parse_expr("F[r]", &m).unwrap();
    assert!(matches!(f, Expr::Apply(_, _, ArgSep::Bracket)));
    assert_eq!(f.to_string(), "F[r]");
    // 名前 F[r] の束縛を読む。束縛がなければ誤り（F·r とは読まない）
    e.scalar("F", 2.0).scalar("r", 5.0);
    assert!(matches!(
        eval_latex("F[r]", &e),
        Err(Error::Eval(EvalError::Unbound(_)))
    ));
    e.scalar("F[r]", -1.5);
    near(s(r"F[r] + 1", &e), -0.5, 1e-15);
    // 呼べる関数なら引数を評価して呼ぶ
    e.func("G", |a| Ok(Value::Scalar(a[0].as_scalar()? * 10.0)));
    near(s("G[a]", &e), 20.0, 1e-15);
    // 角括弧のグループは、記号の後でなければ括弧
    near(s("2[a + b]", &e), 10.0, 1e-15);
}

#[test]
fn pair_subscripts_and_neighbour_sets() {
    // 鎖 1 – 2 – 3: メッセージ \hat{h}_{l \to k} と空洞場 H_{l \setminus k} は対の名前で束縛する
    let mut e = Env::with_macros(m());
    let msgs = [((1, 2), 0.1), ((2, 1), 0.2), ((2, 3), 0.3), ((3, 2), 0.4)];
    for ((l, k), v) in msgs {
        e.scalar(&format!(r"\hat{{h}}_{{{l} \to {k}}}"), v);
    }
    e.scalar(r"H_{2 \setminus 3}", 7.0);
    e.func(r"\partial", |a| {
        Ok(Value::from(match a[0].as_scalar()? as i64 {
            1 => vec![2.0],
            2 => vec![1.0, 3.0],
            _ => vec![2.0],
        }))
    });
    e.scalar("l", 2.0).scalar("k", 3.0);
    near(s(r"\hat{h}_{l \to k} + \hat{h}_{k \to l}", &e), 0.7, 1e-15);
    near(s(r"H_{l \setminus k}", &e), 7.0, 1e-15);
    // 隣の集まりと、そこから 1 つを除いた集合の和
    near(
        s(r"\sum_{j \in \partial l} \hat{h}_{j \to l}", &e),
        0.1 + 0.4,
        1e-15,
    );
    near(
        s(r"\sum_{j \in \partial l \setminus k} \hat{h}_{j \to l}", &e),
        0.1,
        1e-15,
    );
    near(
        s(r"\sum_{j \in \partial k \setminus l} \hat{h}_{j \to k}", &e),
        0.0,
        1e-15,
    );
    // 束縛のない対は、値にした名前で誤りを報告する
    let err = eval_latex(r"\hat{h}_{k \to k}", &e).unwrap_err();
    assert!(err.to_string().contains(r"\hat{h}_{3\to 3}"), "{err}");
    assert!(eval_latex(r"l \to k", &e).is_err());
    let m = m();
    for src in [
        r"H_{l \setminus k}",
        r"\hat{h}_{j \to l}",
        r"\partial l \setminus k",
    ] {
        let x = parse_expr(src, &m).unwrap();
        assert_eq!(parse_expr(&x.to_string(), &m).unwrap(), x, "{src}");
    }
    // `\partial` の後に記号も `/` もなければ誤り
    assert!(parse_expr(r"\partial (a + b)", &m).is_err());
}

#[test]
fn comma_separated_conditions_all_hold() {
    let mut e = env();
    e.set(
        "B",
        array![[0.0, 1.0, 0.0], [1.0, 0.0, 2.0], [0.0, 2.0, 0.0]],
    );
    e.index_range("k", 1, 3).index_range("l", 1, 3);
    // (7.13) の形: 辺 (J_kl ≠ 0) だけを k < l で 1 度ずつ
    near(s(r"\sum_{k<l,\, B_{kl} \ne 0} 1", &e), 2.0, 1e-15);
    near(s(r"\sum_{k<l,\, B_{kl} \ne 0} B_{kl}", &e), 3.0, 1e-15);
    near(s(r"\sum_{k \ne l, B_{kl} = 0} 1", &e), 2.0, 1e-15);
    let x = parse_expr(r"\sum_{k<l,\, B_{kl} \ne 0} B_{kl}", &m()).unwrap();
    let Expr::Big { sub: Some(sub), .. } = &x else {
        panic!("{x}")
    };
    assert!(
        matches!(&**sub, Expr::Tuple(v) if v.len() == 2 && v.iter().all(|c| matches!(c, Expr::Cond(_))))
    );
    // 関係の後の組（関係の続かない並び）は従来どおり組
    let y = parse_expr(r"\sum_{(k,l) = (1, 2)} 1", &m());
    assert!(y.is_ok());
}

#[test]
fn parenthesised_range_condition_is_a_checked_link() {
    let m = m();
    // (7.16)・(7.17) の形: 括弧の中の不等式は適用範囲で、束縛がそれを満たすかを確かめる
    let eq = parse_equation("7.17", r"a = b - 1 \qquad (a \ne b)", &m).unwrap();
    assert_eq!(eq.link_count(), 2);
    let c: Vec<&Chain> = eq.chains().collect();
    assert_eq!(c[1].rels, vec![Rel::Ne]);
    let mut e = Env::with_macros(m.clone());
    e.scalar("a", 2.0).scalar("b", 3.0);
    assert!(check_equation(&eq, &[&e], &Tolerances::default())
        .iter()
        .all(LinkResult::ok));
    let eq = parse_equation("7.16", r"a = 2 \qquad (a > b)", &m).unwrap();
    let rs = check_equation(&eq, &[&e], &Tolerances::default());
    assert_eq!(rs.len(), 2);
    assert_eq!((rs[1].link, rs[1].status.clone()), (2, LinkStatus::Fail));
    // 添字の範囲の注記 `(i = 1, \dots, n)` は link にしない
    let eq = parse_equation("A.5", r"a = 2 \qquad (i = 1, \dots, n)", &m).unwrap();
    assert_eq!(eq.link_count(), 1);
}

#[test]
fn hadamard_product_with_odot() {
    let mut e = env();
    e.set(r"\vec{s}", vec![0.5, 3.0]);
    // (8.12) の形: 成分ごとの積
    let z = eval_latex(r"\vx + \vec{s} \odot \vx", &e).unwrap();
    assert_eq!(z, Value::from(vec![1.5, -8.0]));
    near(s(r"2 \odot a", &e), 4.0, 1e-15);
    assert!(matches!(
        eval_latex(r"\vx \odot h", &e),
        Err(Error::Eval(EvalError::Shape { .. }))
    ));
    let x = parse_expr(r"\vx \odot \vec{s}", &m()).unwrap();
    assert!(matches!(x, Expr::Mul(_, _, MulKind::Odot)));
    assert_eq!(parse_expr(&x.to_string(), &m()).unwrap(), x);
    // 行末の `\odot` で折り返した行は前の行の続き
    let eq = parse_equation(
        "x",
        r"\begin{aligned} a &= \vx \odot \\ &\quad \vec{s} \end{aligned}",
        &m(),
    )
    .unwrap();
    assert_eq!(eq.parts.len(), 1);
}

#[test]
fn prime_of_a_subscripted_function_name() {
    // (8.14) の形: f_l' は層 l の活性化関数の導関数（名前 f'、添字 l）
    let mm = m();
    let x = parse_expr(r"f_l'(a)", &mm).unwrap();
    let Expr::Apply(head, _, _) = &x else {
        panic!("{x}")
    };
    assert_eq!(head.to_string(), "f'_{l}");
    assert_eq!(parse_expr(r"f'_l(a)", &mm).unwrap(), x);
    assert_eq!(parse_expr(&x.to_string(), &mm).unwrap(), x);
    let mut e = env();
    e.scalar("l", 2.0);
    e.func_ctx("f_l'", |cx, a| {
        Ok(Value::Scalar(cx.scalar("l")? * a[0].as_scalar()?))
    });
    near(s(r"f_l'(a) + f_l'(b)", &e), 10.0, 1e-15);
    // 2 階の f'' も従来どおり読む
    assert!(parse_expr(r"f''(a)", &mm).is_ok());
}

#[test]
fn derivative_by_a_component_power_or_its_log() {
    // (8.19) の形: σ はベクトル。∂/∂σ_j² と ∂/∂ln σ_j² は成分 σ_j を逆関数を通して動かす
    let mut e = Env::with_macros(m());
    e.set(r"\sigma", vec![0.5, 2.0]).scalar("j", 2.0);
    e.formula("F", r"\sigma_1^2 \sigma_2^4 + \sigma_2").unwrap();
    // F = s₁ s₂² + s₂^{1/2}（s = σ²）: ∂F/∂s₂ = 2 s₁ s₂ + ½ s₂^{-1/2}
    let want = 2.0 * 0.25 * 4.0 + 0.5 / 2.0;
    near(s(r"\frac{\partial F}{\partial \sigma_j^2}", &e), want, 1e-7);
    // t = ln s₂: ∂F/∂t = s₂ ∂F/∂s₂
    near(
        s(r"\frac{\partial F}{\partial \ln \sigma_j^2}", &e),
        4.0 * want,
        1e-7,
    );
    near(
        s(r"\partial F / \partial \ln \sigma_j^2", &e),
        4.0 * want,
        1e-7,
    );
    let d = parse_expr(r"\frac{\partial F}{\partial \ln \sigma_j^2}", &m()).unwrap();
    assert_eq!(parse_expr(&d.to_string(), &m()).unwrap(), d);
    // 対数の中が正でなければ誤り
    e.set(r"\sigma", vec![0.5, 0.0]);
    assert!(eval_latex(r"\frac{\partial F}{\partial \ln \sigma_j^2}", &e).is_err());
}

#[test]
fn derivative_by_an_element_of_an_indexed_family() {
    // (8.15) の形: W_l は層 l の行列（関数 W の添字が引数）。O は W_l を読む式
    let mut e = env();
    e.func("W", |a| {
        let l = a[0].as_scalar()?;
        Ok(Value::from(array![[l, 1.0], [0.0, 2.0 * l]]))
    });
    e.data("c", &[1.0, 10.0]).scalar("l", 2.0);
    e.formula(r"\mathcal{O}", r"\vx^\T W_l \vx + c_l \det W_l")
        .unwrap();
    // ∂(xᵀ W x)/∂W = x xᵀ、∂ det W/∂W = det W · W^{-T}
    let g = eval_latex(r"\frac{\partial \mathcal{O}}{\partial W_l}", &e).unwrap();
    let want = eval_latex(r"\vx \vx^\T + c_l \det(W_l) (W_l^{-1})^\T", &e).unwrap();
    assert!(matches!(g, Value::Matrix(_)));
    assert!(
        g.components()
            .iter()
            .zip(want.components())
            .all(|(x, y)| (x - y).abs() < 1e-6),
        "{g} {want}"
    );
    // 族の要素も同じ: ∂(c_l)²/∂c_l = 2 c_l
    e.formula("P", r"c_l^2").unwrap();
    near(s(r"\frac{\partial P}{\partial c_l}", &e), 20.0, 1e-7);
}

#[test]
fn partial_derivative_of_a_function_at_a_point() {
    // (8.6) の形: ∂f/∂z_j を点 μ + s ⊙ ε で評価する（f の引数 \vec{z} をその点に置いて微分）
    let mut e = env();
    e.func("f", |a| {
        let z = a[0].components();
        Ok(Value::Scalar((0.5 * z[0] - z[1]).exp()))
    });
    e.set(r"\vec{w}", vec![0.2, -0.4]).scalar("j", 2.0);
    let at = (0.5f64 * 0.2 + 0.4).exp();
    near(
        s(r"\frac{\partial f}{\partial z_j}(\vec{w})", &e),
        -at,
        1e-8,
    );
    near(
        s(r"\frac{\partial f}{\partial z_1}(\vec{w})", &e),
        0.5 * at,
        1e-8,
    );
    // 束縛の \vec{z} は引数の局所束縛に隠れる
    e.set(r"\vec{z}", vec![9.0, 9.0]);
    near(
        s(r"\frac{\partial f}{\partial z_j}(\vec{w})", &e),
        -at,
        1e-8,
    );
    // 関数でない名前の微分の後の括弧は、従来どおり掛け算
    e.formula("F", r"a^2").unwrap();
    near(s(r"\frac{\partial F}{\partial a}(b)", &e), 12.0, 1e-7);
    let x = parse_expr(r"\frac{\partial f}{\partial z_j}(\vec{w})", &m()).unwrap();
    assert!(matches!(x, Expr::Apply(..)));
    assert_eq!(parse_expr(&x.to_string(), &m()).unwrap(), x);
}

#[test]
fn expectation_written_with_e_and_brackets() {
    // (8.7) の形: E_r[g] は分布 r（宣言したもの）についての期待値 \langle g \rangle_r
    let mut e = env();
    let states: Vec<Value> = [-1.0, 0.0, 2.0].iter().map(|&x| Value::Scalar(x)).collect();
    e.distribution_latex("r", "z", states, r"\exp(z)").unwrap();
    let w = [(-1f64).exp(), 1.0, 2f64.exp()];
    let total: f64 = w.iter().sum();
    let mean = (-w[0] + 2.0 * w[2]) / total;
    near(s(r"E_{r}[z]", &e), mean, 1e-14);
    near(
        s(r"E_r\Bigl[ z^2 \Bigr] + 1", &e),
        (w[0] + 4.0 * w[2]) / total + 1.0,
        1e-14,
    );
    // 宣言のない分布は、従来どおり名前 `E_{q}[z]` の束縛を探す
    assert!(matches!(
        eval_latex(r"E_{q}[z]", &e),
        Err(Error::Eval(EvalError::Unbound(_)))
    ));
    e.scalar(r"E_{q}[z]", 4.0);
    near(s(r"E_{q}[z]", &e), 4.0, 1e-15);
}

#[test]
fn fractional_power_of_a_diagonal_matrix() {
    // (8.9) の形: (Λ − σ² I)^{1/2} は対角成分の平方根
    let mut e = env();
    e.set(r"\Lambda", array![[4.0, 0.0], [0.0, 2.0]]);
    let r = eval_latex(r"(\Lambda - I)^{1/2}", &e).unwrap();
    assert_eq!(r, Value::from(array![[3f64.sqrt(), 0.0], [0.0, 1.0]]));
    assert!(matches!(
        eval_latex(r"(\Lambda - 3 I)^{1/2}", &e),
        Err(Error::Eval(EvalError::Domain(_)))
    ));
    // 対角でない行列の非整数の冪は読まない（整数の冪は従来どおり）
    assert!(eval_latex(r"A^{1/2}", &e).is_err());
    assert!(eval_latex(r"A^{2}", &e).is_ok());
}

#[test]
fn sampling_declaration_with_sim() {
    let mm = m();
    // (8.20) の形: `\qquad` の後の `\vz_s \sim r` は標本の宣言
    let eq = parse_equation("8.20", r"a \approx b \qquad \vec{z}_s \sim r(\vec{z})", &mm).unwrap();
    let c: Vec<&Chain> = eq.chains().collect();
    assert_eq!(c[1].rels, vec![Rel::Sim]);
    let mut e = Env::with_macros(mm.clone());
    e.scalar("a", 1.0).scalar("b", 1.001);
    // r は区間 [-1, 1] の一様分布の密度。\vec{z} は標本を並べた行列（r はその密度の表を返す）
    e.func("r", |a| {
        let dens = |z: f64| if z.abs() <= 1.0 { 0.5 } else { 0.0 };
        Ok(match &a[0] {
            Value::Matrix(m) => Value::from(m.column(0).mapv(dens)),
            v => Value::Scalar(dens(v.as_scalar()?)),
        })
    });
    // 標本の族がなければ誤り
    let rs = check_equation(&eq, &[&e], &Tolerances::default());
    assert!(matches!(rs[1].status, LinkStatus::Error(_)), "{}", rs[1]);
    e.family(
        r"\vec{z}",
        vec![Value::from(vec![0.1]), Value::from(vec![-0.3])],
    )
    .set(r"\vec{z}", array![[0.1], [-0.3]]);
    let rs = check_equation(&eq, &[&e], &Tolerances::default());
    assert_eq!(rs[1].status, LinkStatus::Pass, "{}", rs[1]);
    assert!(rs.iter().all(LinkResult::ok));
    // 分布の台の外の標本は成り立たない
    e.set(r"\vec{z}", array![[0.1], [1.7]]);
    let rs = check_equation(&eq, &[&e], &Tolerances::default());
    assert_eq!(rs[1].status, LinkStatus::Fail, "{}", rs[1]);
}

#[test]
fn expectation_over_a_tuple_of_declared_variables() {
    // (10.12) の形: E_{t, x}[g] は、t と x の分布についての入れ子の期待値
    let mut e = env();
    let ts: Vec<Value> = [1.0, 2.0].iter().map(|&x| Value::Scalar(x)).collect();
    let xs: Vec<Value> = [0.0, 3.0].iter().map(|&x| Value::Scalar(x)).collect();
    e.distribution("t", "t", ts, Weights::Fixed(vec![1.0, 3.0]))
        .distribution("x", "x", xs, Weights::Fixed(vec![2.0, 2.0]));
    // E[t x] = E[t] E[x] = (1/4 + 6/4)(3/2)、E[t + x^2] = 7/4 + 9/2
    near(s(r"E_{t, x}[t x]", &e), 1.75 * 1.5, 1e-14);
    near(s(r"E_{x, t}\bigl[ t + x^2 \bigr]", &e), 1.75 + 4.5, 1e-14);
    // 組の要素の 1 つでも宣言がなければ、名前の束縛を探す
    assert!(matches!(
        eval_latex(r"E_{t, y}[t]", &e),
        Err(Error::Eval(EvalError::Unbound(_)))
    ));
}

#[test]
fn gradient_of_the_log_of_a_function() {
    // (10.13) の形: \nabla \ln p(x) は ln p の勾配（スコア）
    let mut e = env();
    e.func_latex("p", &[r"\vec{x}"], r"\exp(-\vec{x}^\top \vec{x} + x_1)")
        .unwrap();
    e.set(r"\vec{y}", vec![0.5, -1.0]);
    let g = eval_latex(r"\nabla \ln p(\vec{y})", &e).unwrap();
    let Value::Vector(g) = g else {
        panic!("ベクトルでない: {g:?}")
    };
    near(g[0], -2.0 * 0.5 + 1.0, 1e-7);
    near(g[1], 2.0, 1e-7);
    // \ln の後が関数の適用でなければ読まない
    assert!(parse_expr(r"\nabla \ln y", &m()).is_err());
}
