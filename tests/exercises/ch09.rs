//! 第 9 章の演習の答え。

use genmodel::hvae::{elbo_bound, Encoder};

#[test]
fn ex_9_1_marginal_and_reverse() {
    let enc = Encoder::fixed(&[0.8, 0.6], &[0.36, 0.64]).unwrap();
    let (m, p) = enc.marginal_given_x0(2, 1.0).unwrap();
    assert!((m - 0.48).abs() < 1e-12 && (p - 0.7696).abs() < 1e-12);
    let (mu, v) = enc.reverse_given_x0(2, 0.5, 1.0).unwrap();
    assert!((mu - 0.805613).abs() < 5e-7 && (v - 0.299376).abs() < 5e-7);
}

#[test]
fn ex_9_3_variance_preserving_bound() {
    let enc = Encoder::fixed(&[0.8, 0.6, 0.3], &[0.36, 0.64, 0.91]).unwrap();
    let b = elbo_bound(&enc, 0.0, 1.0).unwrap();
    assert!((b + 1.418939).abs() < 5e-7);
    assert!((b + 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln()).abs() < 1e-12);
}
