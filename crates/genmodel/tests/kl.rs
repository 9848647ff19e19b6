//! §2.1 Kullback-Leibler 情報量: 式 (2.3)–(2.7) の検証。

use approx::assert_relative_eq;
use genmodel::Error;
use genmodel::distribution::Categorical;
use genmodel::divergence::{kl_divergence, kl_gaussian_1d, kl_terms};
use genmodel::ndarray::Array1;
use proptest::prelude::*;

fn cat(p: &[f64]) -> Categorical {
    Categorical::new(Array1::from(p.to_vec())).unwrap()
}

/// 正の重みから確率ベクトルを作る proptest の戦略（状態数 1〜8）。
fn distribution(k: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.01f64..10.0, k).prop_map(|w| {
        let s: f64 = w.iter().sum();
        w.into_iter().map(|v| v / s).collect()
    })
}

/// 同じ状態数の 2 つの分布。
fn pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1usize..8).prop_flat_map(|k| (distribution(k..k + 1), distribution(k..k + 1)))
}

#[test]
fn eq_2_3_matches_hand_computed_value() {
    // p = (1/2, 1/4, 1/4), q = (1/4, 1/4, 1/2): D = 1/2 ln 2 + 0 + 1/4 ln(1/2) = 1/4 ln 2
    let d = kl_divergence(&cat(&[0.5, 0.25, 0.25]), &cat(&[0.25, 0.25, 0.5])).unwrap();
    assert_relative_eq!(d, 0.25 * 2f64.ln(), max_relative = 1e-15);
}

#[test]
fn eq_2_3_zero_probability_edges() {
    // p(x) = 0 の項は 0（0 ln 0 = 0）、p(x) > 0 で q(x) = 0 なら +∞（NaN ではない）
    let p = cat(&[0.5, 0.5, 0.0]);
    let q = cat(&[0.25, 0.25, 0.5]);
    assert_relative_eq!(
        kl_divergence(&p, &q).unwrap(),
        2f64.ln(),
        max_relative = 1e-15
    );
    let d = kl_divergence(&q, &p).unwrap();
    assert_eq!(d, f64::INFINITY);
    assert_eq!(kl_terms(&q, &p).unwrap()[2], f64::INFINITY);
    // 両方 0 の状態は何も寄与しない
    assert_eq!(
        kl_divergence(&cat(&[1.0, 0.0]), &cat(&[1.0, 0.0])).unwrap(),
        0.0
    );
}

#[test]
fn eq_2_3_bad_input_is_a_typed_error() {
    assert!(matches!(
        kl_divergence(&cat(&[1.0]), &cat(&[0.5, 0.5])),
        Err(Error::DimensionMismatch {
            expected: 1,
            actual: 2
        })
    ));
    assert!(matches!(
        Categorical::new(Array1::from(vec![0.7, 0.7])),
        Err(Error::NotNormalized { .. })
    ));
    assert!(matches!(
        Categorical::new(Array1::from(vec![1.5, -0.5])),
        Err(Error::NegativeProbability { index: 1, .. })
    ));
    assert!(matches!(
        Categorical::new(Array1::from(vec![f64::NAN, 1.0])),
        Err(Error::NonFinite { index: 0, .. })
    ));
    assert!(matches!(
        Categorical::new(Array1::from(vec![f64::INFINITY])),
        Err(Error::NonFinite { .. })
    ));
    assert_eq!(Categorical::new(Array1::zeros(0)), Err(Error::EmptyInput));
    // 許容誤差 1e-9 の内側は受け入れ、外側は弾く
    assert!(Categorical::new(Array1::from(vec![0.5, 0.5 + 1e-12])).is_ok());
    assert!(Categorical::new(Array1::from(vec![0.5, 0.5 + 1e-6])).is_err());
}

#[test]
fn eq_2_3_property_b_asymmetry() {
    // 性質 B: 一般には D(p‖q) ≠ D(q‖p)。
    let (p, q) = (cat(&[0.9, 0.1]), cat(&[0.5, 0.5]));
    let (pq, qp) = (
        kl_divergence(&p, &q).unwrap(),
        kl_divergence(&q, &p).unwrap(),
    );
    // 手計算: 0.9 ln 1.8 + 0.1 ln 0.2 と 0.5 ln(5/9) + 0.5 ln 5
    assert_relative_eq!(
        pq,
        0.9 * 1.8f64.ln() + 0.1 * 0.2f64.ln(),
        max_relative = 1e-14
    );
    assert_relative_eq!(
        qp,
        0.5 * (5.0f64 / 9.0).ln() + 0.5 * 5f64.ln(),
        max_relative = 1e-14
    );
    assert!((pq - qp).abs() > 0.1);
}

#[test]
fn eq_2_3_property_b_can_be_equal_for_p_ne_q() {
    // ノートは「D(p‖q) ≠ D(q‖p)」と書くが、これは「常に等しいとは限らない」の意味でしか正しくない。
    // p ≠ q でも、成分を入れ替えた組では D(p‖q) = D(q‖p) = 0.6 ln 4 になる。
    let (p, q) = (cat(&[0.2, 0.8]), cat(&[0.8, 0.2]));
    let (pq, qp) = (
        kl_divergence(&p, &q).unwrap(),
        kl_divergence(&q, &p).unwrap(),
    );
    assert_relative_eq!(pq, 0.6 * 4f64.ln(), max_relative = 1e-14);
    assert_relative_eq!(pq, qp, max_relative = 1e-14);
    assert!(p != q);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(20230920), ..ProptestConfig::default() })]

    /// 性質 A: D(p‖q) ≥ 0。
    #[test]
    fn eq_2_3_property_a_nonnegative((p, q) in pair()) {
        let d = kl_divergence(&cat(&p), &cat(&q)).unwrap();
        // 和の丸め誤差は 1 項あたり ~1e-16。8 項で 1e-14 を許す。
        prop_assert!(d >= -1e-14, "D = {}", d);
    }

    /// 性質 A の等号: D(p‖p) = 0、p ≠ q なら D > 0。
    #[test]
    fn eq_2_3_property_a_zero_iff_equal((p, q) in pair()) {
        prop_assert_eq!(kl_divergence(&cat(&p), &cat(&p)).unwrap(), 0.0);
        let tv: f64 = p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum::<f64>() / 2.0;
        let d = kl_divergence(&cat(&p), &cat(&q)).unwrap();
        // Pinsker の不等式 D ≥ 2 TV² は、p ≠ q のとき D が 0 から離れることを量で示す。
        prop_assert!(d >= 2.0 * tv * tv - 1e-14, "D = {}, TV = {}", d, tv);
    }

    /// 式 (2.5) を項ごとに: ln(p/q) ≥ 1 - q/p、すなわち p ln(p/q) ≥ p - q。
    #[test]
    fn eq_2_5_termwise_gibbs_bound((p, q) in pair()) {
        let terms = kl_terms(&cat(&p), &cat(&q)).unwrap();
        for ((t, a), b) in terms.iter().zip(&p).zip(&q) {
            prop_assert!(*t >= a - b - 1e-15, "項 {} < p - q = {}", t, a - b);
        }
    }

    // 検証の種類: 数学の事実（実装を呼ばない）。印刷された式は tests/printed/ で実行する
    /// 式 (2.6a): 上に凸な ln について、重みつきの Jensen Σ w ln y ≤ ln Σ w y。
    #[test]
    fn eq_2_6a_weighted_jensen_for_log((w, y) in (2usize..8).prop_flat_map(|k| (distribution(k..k + 1), prop::collection::vec(0.01f64..100.0, k)))) {
        let lhs: f64 = w.iter().zip(&y).map(|(wi, yi)| wi * yi.ln()).sum();
        let rhs = w.iter().zip(&y).map(|(wi, yi)| wi * yi).sum::<f64>().ln();
        prop_assert!(lhs <= rhs + 1e-12);
    }

    /// 式 (2.7): D = -Σ p ln(q/p) ≥ -ln Σ_{p>0} q ≥ 0。
    #[test]
    fn eq_2_7_jensen_lower_bound((p, q) in pair()) {
        let d = kl_divergence(&cat(&p), &cat(&q)).unwrap();
        let inner: f64 = p.iter().zip(&q).filter(|(a, _)| **a > 0.0).map(|(a, b)| a * (b / a)).sum();
        prop_assert!(d >= -inner.ln() - 1e-14);
        prop_assert!(-inner.ln() >= -1e-15);
    }
}

// 検証の種類: 数学の事実（実装を呼ばない）。印刷された式は tests/printed/ で実行する
#[test]
fn eq_2_4_gibbs_inequality_on_a_grid() {
    // x - 1 ≥ ln x（x > 0）、等号は x = 1 のときだけ。⇔ ln(1/x) ≥ 1 - x。
    for i in 1..=100_000 {
        let x = i as f64 * 1e-4; // (0, 10]
        assert!(x - 1.0 >= x.ln(), "x = {x}");
        assert!((1.0 / x).ln() >= 1.0 - x - 1e-15, "x = {x}");
        if (x - 1.0).abs() > 1e-3 {
            // 等号から離れた点では差が正（x - 1 - ln x ≈ (x-1)²/2 > 4e-7）
            assert!(x - 1.0 - x.ln() > 4e-7, "x = {x}");
        }
    }
    assert_eq!(1.0f64 - 1.0, 1.0f64.ln());
}

#[test]
fn eq_2_5_note_final_equality_fails_when_supports_differ() {
    // ノートの (2.5) の最後「Σ p - Σ q = 0」は、和を p > 0 の状態に限ると
    // Σ_{p>0} (p - q) = 1 - q(supp p) になり、q が p の台の外にも質量をもつと 0 ではない。
    // 正しくは「≥ 0」。下界は保たれるので D ≥ 0 の結論は変わらない。
    let p = cat(&[0.5, 0.5, 0.0]);
    let q = cat(&[0.2, 0.3, 0.5]);
    let support_sum: f64 = p
        .probabilities()
        .iter()
        .zip(q.probabilities())
        .filter(|(a, _)| **a > 0.0)
        .map(|(a, b)| a - b)
        .sum();
    assert_relative_eq!(support_sum, 0.5, max_relative = 1e-15); // ノートの形（= 0）は偽
    let d = kl_divergence(&p, &q).unwrap();
    assert!(
        d >= support_sum,
        "D = {d} ≥ Σ_(p>0) (p - q) = {support_sum}（訂正した形）"
    );
    assert!(support_sum >= 0.0);
}

// 検証の種類: 数学の事実（実装を呼ばない）。印刷された式は tests/printed/ で実行する
#[test]
fn eq_2_6_midpoint_jensen_for_concave_functions() {
    // f((a+b)/2) ≥ (f(a)+f(b))/2 を ln と √ について格子上で確かめる。
    // 凸関数 x² では逆向きになる（式の向きが凹凸で決まることの確認）。
    for i in 1..=60 {
        for j in 1..=60 {
            let (a, b) = (i as f64 * 0.25, j as f64 * 0.25);
            let m = 0.5 * (a + b);
            assert!(m.ln() >= 0.5 * (a.ln() + b.ln()) - 1e-15);
            assert!(m.sqrt() >= 0.5 * (a.sqrt() + b.sqrt()) - 1e-15);
            assert!(m * m <= 0.5 * (a * a + b * b) + 1e-12);
        }
    }
}

#[test]
fn eq_2_7_note_final_equality_fails_when_supports_differ() {
    // ノートの (2.7) の最後「-ln Σ p (q/p) = 0」も、台が違えば -ln q(supp p) > 0。
    let p = cat(&[0.5, 0.5, 0.0]);
    let q = cat(&[0.2, 0.3, 0.5]);
    let inner: f64 = p
        .probabilities()
        .iter()
        .zip(q.probabilities())
        .filter(|(a, _)| **a > 0.0)
        .map(|(a, b)| a * (b / a))
        .sum();
    assert_relative_eq!(-inner.ln(), 2f64.ln(), max_relative = 1e-15); // ノートの形（= 0）は偽
    assert!(kl_divergence(&p, &q).unwrap() >= -inner.ln());
}

#[test]
fn eq_2_3a_gaussian_kl_matches_quadrature() {
    // 閉じた形を、定義 ∫ p ln(p/q) dx の台形則による数値積分と比べる。
    // [-40, 40] を 80 万等分: 被積分関数は滑らかで裾は exp(-x²/8) 程度なので、
    // 打ち切り誤差は 1e-30 以下、台形則の誤差は h² ~ 1e-8 の係数倍より小さい。
    let pdf = |x: f64, m: f64, v: f64| {
        (-(x - m) * (x - m) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
    };
    for &(m1, v1, m2, v2) in &[
        (0.0, 1.0, 1.0, 2.0),
        (0.5, 0.3, -1.0, 4.0),
        (2.0, 3.0, 2.0, 1.5),
    ] {
        let (a, b, n) = (-40.0, 40.0, 800_000);
        let h = (b - a) / n as f64;
        let mut integral = 0.0;
        for i in 0..=n {
            let x = a + i as f64 * h;
            let (p, q) = (pdf(x, m1, v1), pdf(x, m2, v2));
            let f = if p > 0.0 { p * (p / q).ln() } else { 0.0 };
            integral += if i == 0 || i == n { 0.5 * f } else { f };
        }
        integral *= h;
        let closed = kl_gaussian_1d(m1, v1, m2, v2).unwrap();
        assert_relative_eq!(closed, integral, max_relative = 1e-8);
    }
    assert!(matches!(
        kl_gaussian_1d(0.0, -1.0, 0.0, 1.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        kl_gaussian_1d(f64::NAN, 1.0, 0.0, 1.0),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn from_weights_normalises_and_rejects_bad_weights() {
    // 0 の重みは許し、負の重み・和が 0・和があふれる重みは断る
    let p = Categorical::from_weights(&[0.0, 1.0, 3.0]).unwrap();
    assert_eq!(p.probabilities().to_vec(), vec![0.0, 0.25, 0.75]);
    assert!(matches!(
        Categorical::from_weights(&[2.0, -1.0]),
        Err(Error::NegativeProbability { index: 1, .. })
    ));
    assert!(matches!(
        Categorical::from_weights(&[0.0, 0.0]),
        Err(Error::NotNormalized { .. })
    ));
    // 各重みは有限でも和は +∞: 最大の重みで割ってから足すので、正しく (1/2, 1/2) になる
    assert_eq!(
        Categorical::from_weights(&[1e308, 1e308])
            .unwrap()
            .probabilities()
            .to_vec(),
        vec![0.5, 0.5]
    );
}
