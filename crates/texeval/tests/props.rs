//! 性質テスト: 算術の法則、関係の判定、構文解析がパニックしないこと、変異の検出。

use ndarray::Array2;
use proptest::prelude::*;
use texeval::*;

fn env3(a: f64, b: f64, c: f64) -> Env {
    let mut e = Env::new();
    e.scalar("a", a).scalar("b", b).scalar("c", c);
    e
}

fn ev(latex: &str, e: &Env) -> f64 {
    eval_latex(latex, e).unwrap().as_scalar().unwrap()
}

fn mat() -> impl Strategy<Value = Array2<f64>> {
    prop::collection::vec(-3.0f64..3.0, 4).prop_map(|v| Array2::from_shape_vec((2, 2), v).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20230920),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn field_laws(a in -10.0f64..10.0, b in -10.0f64..10.0, c in -10.0f64..10.0) {
        let e = env3(a, b, c);
        prop_assert!((ev("a(b + c)", &e) - ev("ab + ac", &e)).abs() <= 1e-9 * (1.0 + (a * (b + c)).abs()));
        prop_assert_eq!(ev("a + b", &e), ev("b + a", &e));
        prop_assert_eq!(ev("a - b", &e), -ev("b - a", &e));
        let half = ev(r"\frac{a}{2} \cdot 2", &e);
        prop_assert!((half - a).abs() <= 1e-12 * (1.0 + a.abs()));
    }

    #[test]
    fn matrix_laws(a in mat(), b in mat()) {
        let mut e = Env::new();
        e.set("A", a.clone()).set("B", b.clone());
        let d = |s: &str| eval_latex(s, &e).unwrap();
        let da = ev(r"\det A", &e);
        prop_assert!((ev(r"\det(A B)", &e) - da * ev(r"\det B", &e)).abs() < 1e-9);
        prop_assert_eq!(d(r"(A B)^\top"), d(r"B^\top A^\top"));
        let (t1, t2) = (ev(r"\operatorname{tr}(A B)", &e), ev(r"\operatorname{tr}(B A)", &e));
        prop_assert!((t1 - t2).abs() < 1e-9);
        if da.abs() > 1e-3 {
            let back = d("(A^{-1})^{-1}").components();
            prop_assert!(back.iter().zip(a.iter()).all(|(x, y)| (x - y).abs() < 1e-6 * (1.0 + y.abs())));
        }
    }

    #[test]
    fn quadratic_form_is_trace(a in mat(), x0 in -2.0f64..2.0, x1 in -2.0f64..2.0) {
        let mut e = Env::new();
        e.set("A", a).set(r"\vec{x}", vec![x0, x1]);
        let q = ev(r"\vec{x}^\top A \vec{x}", &e);
        let t = ev(r"\operatorname{tr}(A \vec{x} \vec{x}^\top)", &e);
        prop_assert!((q - t).abs() < 1e-9);
    }

    #[test]
    fn inequalities_hold_and_flipped_fail(a in -5.0f64..5.0, b in 0.01f64..5.0) {
        let e = env3(a, b, 0.0);
        let m = Macros::new();
        let c = parse_chain(r"a \le a + |b| \ge a", &m).unwrap();
        prop_assert!(check_chain(&c, &e, &Tolerances::default()).iter().all(|r| r.ok()));
        let c = parse_chain(r"a \ge a + |b|", &m).unwrap();
        prop_assert_eq!(&check_chain(&c, &e, &Tolerances::default())[0].status, &LinkStatus::Fail);
        // x - 1 ≥ ln x（式 2.4 の左）
        let c = parse_chain(r"b - 1 \ge \ln b", &m).unwrap();
        prop_assert!(check_chain(&c, &e, &Tolerances::default())[0].ok());
    }

    #[test]
    fn parser_never_panics(s in r"[-+=()_^{}\\a-z0-9 |&,.]{0,40}") {
        let _ = parse_expr(&s, &Macros::new());
        let _ = parse_equation("t", &s, &Macros::new());
        let _ = mutants(&s);
    }

    #[test]
    fn parser_never_panics_on_book_tokens(parts in prop::collection::vec(prop::sample::select(vec![
        r"\frac", r"\sum_{i=1}^{n}", "{", "}", "(", ")", r"\left(", r"\right)", "x_i", r"\int", "dx",
        r"\partial", r"\ln", "^", "_", r"\langle", r"\rangle", "|", "=", r"\le", r"\iff", r"\qquad",
        r"\begin{aligned}", r"\end{aligned}", r"\\", "&", r"\vec{x}", r"^\top", r"\nabla", r"\det",
        r"\operatorname{tr}", ",", r"\dots", r"\{", r"\}", r"\sqrt", "2", r"\mathop{\mathrm{arg\,min}}_{\theta}",
        "{}", "+", r"\cdot", r"\quad", r"\begin{gathered}", r"\end{gathered}", r"\\[1ex]", r"\left\{", r"\right.",
    ]), 0..16)) {
        let s = parts.join(" ");
        let _ = parse_equation("t", &s, &Macros::new());
    }
}

#[test]
fn identity_mutants_are_detected() {
    // (2.11a) の形: 真の恒等式の変異は（同値な変異を除き）落ちる
    let latex = r"-\ln q = \frac{1}{2s} (x - \mu)^2 + \frac{1}{2} \ln s + \frac{1}{2} \ln 2\pi";
    let mut env = Env::new();
    env.scalar("s", 0.7).scalar("x", 1.3).scalar(r"\mu", -0.4);
    let q = (-(1.3f64 + 0.4).powi(2) / 1.4).exp() / (2.0 * std::f64::consts::PI * 0.7).sqrt();
    env.scalar("q", q);
    let m = Macros::new();
    let tol = Tolerances::default();
    let c = parse_chain(latex, &m).unwrap();
    assert!(check_chain(&c, &env, &tol).iter().all(|r| r.ok()));
    let ms = mutants(latex);
    assert!(ms.len() >= 8, "{ms:?}");
    let killed = ms
        .iter()
        .filter(|mu| match parse_chain(&mu.latex, &m) {
            Err(_) => true,
            Ok(c) => !check_chain(&c, &env, &tol).iter().all(|r| r.ok()),
        })
        .count();
    assert_eq!(killed, ms.len(), "{killed}/{}", ms.len());
}

#[test]
fn mutant_kinds() {
    let ms = mutants(r"\frac{1}{n} \sum_i (\vx_i - \vmu)^\T J_{kl} + a \le b");
    let kinds: Vec<MutationKind> = ms.iter().map(|m| m.kind).collect();
    for k in [
        MutationKind::FlipSign,
        MutationKind::DropFactor,
        MutationKind::BesselN,
        MutationKind::DropTranspose,
        MutationKind::AddTranspose,
        MutationKind::SwapIndices,
        MutationKind::FlipInequality,
    ] {
        assert!(kinds.contains(&k), "{k:?} がない: {ms:#?}");
    }
    let bessel = ms.iter().find(|m| m.kind == MutationKind::BesselN).unwrap();
    assert!(bessel.latex.starts_with(r"\frac{1}{n-1}"));
    let swap = ms
        .iter()
        .find(|m| m.kind == MutationKind::SwapIndices)
        .unwrap();
    assert!(swap.latex.contains("J_{lk}"), "{}", swap.latex);
}
