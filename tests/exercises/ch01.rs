//! 第 1 章（経験分布、ボルツマン分布での表現）の演習の答え。
//!
//! 期待値は手計算と二項分布の全列挙で求め、クレートの経験分布・期待値・ボルツマン分布とも比べる。

use genmodel::distribution::{expectation, Boltzmann, EmpiricalDistribution};
use genmodel::ndarray::{array, Array1};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn ex_1_0_1_empirical_distribution_of_states() {
    // 答え: p0 = (1/3, 1/6, 1/2)
    let data = [0usize, 2, 2, 1, 2, 0];
    let want = [1.0 / 3.0, 1.0 / 6.0, 1.0 / 2.0];
    for (k, w) in want.iter().enumerate() {
        let count = data.iter().filter(|&&x| x == k).count();
        assert!(close(count as f64 / data.len() as f64, *w, 1e-15));
    }
    let p0 = EmpiricalDistribution::from_states(&data, 3).unwrap();
    for (k, w) in want.iter().enumerate() {
        assert!(close(p0.probabilities()[k], *w, 1e-15));
    }
}

#[test]
fn ex_1_0_2_expectations_under_continuous_empirical() {
    // 答え: 3、41/3、14/3
    let xs = array![[1.0], [2.0], [6.0]];
    let m1 = expectation(&xs, |x| x[0]).unwrap();
    let m2 = expectation(&xs, |x| x[0] * x[0]).unwrap();
    let v = expectation(&xs, |x| (x[0] - 3.0).powi(2)).unwrap();
    assert!(close(m1, 3.0, 1e-15));
    assert!(close(m2, 41.0 / 3.0, 1e-14));
    assert!(close(v, 14.0 / 3.0, 1e-14));
    assert!(close(m2 - m1 * m1, v, 1e-14));
}

#[test]
fn ex_1_0_3_empirical_frequency_mean_and_variance() {
    // n p0(x) ~ Binomial(n, p) を全列挙して、平均 p、分散 p(1 − p)/n を確かめる
    let binomial = |n: u64, p: f64| -> Vec<f64> {
        // pmf を漸化式 P(k+1) = P(k) (n − k)/(k + 1) · p/(1 − p) で作る
        let mut pmf = vec![(1.0 - p).powi(n as i32)];
        for k in 0..n {
            let last = pmf[k as usize];
            pmf.push(last * (n - k) as f64 / (k + 1) as f64 * p / (1.0 - p));
        }
        pmf
    };
    for (n, p) in [(100u64, 0.3), (10, 0.5), (37, 0.05)] {
        let pmf = binomial(n, p);
        assert!(close(pmf.iter().sum::<f64>(), 1.0, 1e-12));
        let freq = |k: usize| k as f64 / n as f64;
        let mean: f64 = pmf.iter().enumerate().map(|(k, w)| w * freq(k)).sum();
        let var: f64 = pmf
            .iter()
            .enumerate()
            .map(|(k, w)| w * (freq(k) - mean).powi(2))
            .sum();
        assert!(close(mean, p, 1e-12), "n = {n}, p = {p}");
        assert!(
            close(var, p * (1.0 - p) / n as f64, 1e-12),
            "n = {n}, p = {p}"
        );
        // 標準偏差は 0.5/√n 以下（p = 0.5 で等号）
        assert!(var.sqrt() <= 0.5 / (n as f64).sqrt() + 1e-12);
    }
    // 答え: p = 0.3、n = 100 で √0.0021 ≈ 0.0458
    let sd = (0.3f64 * 0.7 / 100.0).sqrt();
    assert!(close(sd * sd, 0.0021, 1e-15) && close(sd, 0.0458, 5e-5));
}

#[test]
fn ex_1_0_4_boltzmann_with_energy_minus_log_p_is_p() {
    let p = [0.1, 0.2, 0.3, 0.4];
    // Z = Σ p = 1、e^{−E}/Z = p
    let e: Array1<f64> = p.iter().map(|x: &f64| -x.ln()).collect();
    let z: f64 = e.iter().map(|x| (-x).exp()).sum();
    assert!(close(z, 1.0, 1e-15));
    let q = Boltzmann::new(e).unwrap();
    assert!(close(q.log_z(), 0.0, 1e-15));
    for (k, pk) in p.iter().enumerate() {
        assert!(close(q.probability(k).unwrap(), *pk, 1e-15));
    }
    // 有限のエネルギーでは確率は正: E を大きくすると 0 に近づくが 0 にはならない
    for big in [10.0_f64, 100.0, 700.0] {
        let q = Boltzmann::new(array![0.0, big]).unwrap();
        let p1 = q.probability(1).unwrap();
        // 相対誤差で比べる（p1 は 700 で約 1e-304）
        assert!(
            p1 > 0.0 && close(p1 * (1.0 + big.exp()), 1.0, 1e-12),
            "E = {big}"
        );
    }
}
