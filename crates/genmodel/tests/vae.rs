//! 線形ガウスの VAE と確率的主成分分析（第 8 章の準備）の検証。
//!
//! 期待値は実装とは独立に求める: 周辺分布 `N(b, WWᵀ + σ²I)` の対数尤度は多変量ガウス分布の別の実装
//! （`gaussian::Mvn`、§2.4）で、ELBO は再パラメータ化した標本の平均（モンテカルロ）で、ELBO と対数尤度の差は
//! 厳密な事後分布 `N(M⁻¹Wᵀ(x − b), σ²M⁻¹)` との KL 情報量の閉じた形で、勾配は中心差分で確かめる。

use genmodel::gaussian::Mvn;
use genmodel::ndarray::{Array1, Array2, Axis};
use genmodel::vae::{LinearVae, Ppca};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod vae_support;
use vae_support::{gaussian_data as data, normal};

fn random_vae(rng: &mut ChaCha8Rng, dim: usize, latent: usize, scale: f64) -> LinearVae {
    LinearVae::new(
        Array2::from_shape_fn((dim, latent), |_| scale * normal(rng)),
        Array1::from_shape_fn(dim, |_| scale * normal(rng)),
        0.3 * normal(rng),
        Array2::from_shape_fn((latent, dim), |_| scale * normal(rng)),
        Array1::from_shape_fn(latent, |_| scale * normal(rng)),
        Array1::from_shape_fn(latent, |_| 0.3 * normal(rng)),
    )
    .unwrap()
}

/// 周辺分布 `N(b, WWᵀ + σ²I)` の平均対数尤度を、§2.4 の多変量ガウス分布で求める。
fn log_likelihood(m: &LinearVae, x: &Array2<f64>) -> f64 {
    let mut c = m.w.dot(&m.w.t());
    for i in 0..c.nrows() {
        c[[i, i]] += m.log_sigma2.exp();
    }
    Mvn::new(m.b.clone(), c)
        .unwrap()
        .mean_log_likelihood(x)
        .unwrap()
}

/// 対角ガウス `N(μ₁, diag s²)` から全共分散のガウス `N(μ₂, Σ₂)` への KL 情報量（§2.4 の式の多変量版）。
fn kl_diag_to_full(
    mu1: &Array1<f64>,
    s2: &Array1<f64>,
    mu2: &Array1<f64>,
    sigma2: &Array2<f64>,
) -> f64 {
    let q = Mvn::new(mu2.clone(), sigma2.clone()).unwrap();
    let prec = q.precision();
    let d = mu1.len() as f64;
    let tr: f64 = (0..mu1.len()).map(|j| prec[[j, j]] * s2[j]).sum();
    let diff = mu1 - mu2;
    let quad = diff.dot(&prec.dot(&diff));
    let ln_det2 = q.covariance().ln_det();
    let ln_det1: f64 = s2.mapv(f64::ln).sum();
    0.5 * (tr + quad - d + ln_det2 - ln_det1)
}

#[test]
fn eq_8_9_ppca_maximum_matches_closed_form_and_is_a_maximum() {
    let x = data(1);
    let p = Ppca::fit(&x, 2).unwrap();
    let lam = p.eigenvalues();
    let dim = 5.0;
    let closed = -0.5
        * (dim * (2.0 * std::f64::consts::PI).ln()
            + lam[0].ln()
            + lam[1].ln()
            + 3.0 * p.noise_variance().ln()
            + dim);
    // 別の実装（Mvn）で求めた対数尤度と閉じた形（丸め誤差 1e-12 程度）
    let vae = LinearVae::from_ppca(&p).unwrap();
    assert!((log_likelihood(&vae, &x) - closed).abs() < 1e-10);
    assert!((p.mean_log_likelihood(&x).unwrap() - closed).abs() < 1e-10);
    // W・σ² をずらすと必ず下がる（最大点）
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..20 {
        let mut m = vae.clone();
        m.w.mapv_inplace(|w| w + 0.05 * normal(&mut rng));
        m.log_sigma2 += 0.05 * normal(&mut rng);
        assert!(log_likelihood(&m, &x) < closed);
    }
}

#[test]
fn eq_8_4_elbo_equals_monte_carlo_average_of_the_reparameterised_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x = data(3).slice(genmodel::ndarray::s![..20, ..]).to_owned();
    let m = random_vae(&mut rng, 5, 2, 0.5);
    let sigma2 = m.log_sigma2.exp();
    let s = m.log_s2.mapv(|v| (0.5 * v).exp());
    // 1 点ずつ、z = μ_q + s ε の ln p(x|z) + ln p(z) − ln q(z|x) を平均する
    let samples = 20_000;
    let mut values = Vec::with_capacity(samples);
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    for _ in 0..samples {
        let mut total = 0.0;
        for row in x.rows() {
            let mu = m.v.dot(&row) + &m.c;
            let eps = Array1::from_shape_fn(2, |_| normal(&mut rng));
            let z = &mu + &(&s * &eps);
            let r = &row - &m.w.dot(&z) - &m.b;
            let ln_px = -0.5 * (5.0 * (ln2pi + sigma2.ln()) + r.dot(&r) / sigma2);
            let ln_pz = -0.5 * (2.0 * ln2pi + z.dot(&z));
            let ln_q = -0.5 * (2.0 * ln2pi + m.log_s2.sum() + eps.dot(&eps));
            total += ln_px + ln_pz - ln_q;
        }
        values.push(total / x.nrows() as f64);
    }
    let n = samples as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    let exact = m.elbo(&x).unwrap();
    // 独立な標本の平均: 4 標準誤差（両側で 6e-5 の確率でしか外れない）
    assert!(
        (mean - exact).abs() < 4.0 * se,
        "MC {mean} ± {se}, exact {exact}"
    );
}

#[test]
fn eq_8_3_gap_between_log_likelihood_and_elbo_is_kl_to_exact_posterior() {
    let x = data(4);
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..5 {
        let m = random_vae(&mut rng, 5, 2, 0.7);
        let sigma2 = m.log_sigma2.exp();
        let mut mm = m.w.t().dot(&m.w);
        for i in 0..2 {
            mm[[i, i]] += sigma2;
        }
        let minv = genmodel::linalg::inverse(&mm).unwrap();
        let post_cov = &minv * sigma2;
        let s2 = m.log_s2.mapv(f64::exp);
        let mut kl = 0.0;
        for row in x.rows() {
            let mu_q = m.v.dot(&row) + &m.c;
            let mu_post = minv.dot(&m.w.t().dot(&(&row - &m.b)));
            kl += kl_diag_to_full(&mu_q, &s2, &mu_post, &post_cov);
        }
        kl /= x.nrows() as f64;
        let gap = log_likelihood(&m, &x) - m.elbo(&x).unwrap();
        assert!(gap > 0.0);
        assert!((gap - kl).abs() < 1e-9 * (1.0 + kl), "gap {gap} vs KL {kl}");
    }
}

#[test]
fn eq_8_10_elbo_gradient_matches_central_differences() {
    let x = data(5).slice(genmodel::ndarray::s![..50, ..]).to_owned();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let m = random_vae(&mut rng, 5, 2, 0.6);
    let g = m.elbo_gradient(&x).unwrap();
    let h = 1e-6;
    // 中心差分の打ち切り誤差は h² |L'''| ≈ 1e-12、丸め誤差は ε|L|/h ≈ 1e-9: 許容誤差 1e-6（相対）
    let check = |perturb: &dyn Fn(&mut LinearVae, f64), analytic: f64| {
        let mut a = m.clone();
        perturb(&mut a, h);
        let mut b = m.clone();
        perturb(&mut b, -h);
        let fd = (a.elbo(&x).unwrap() - b.elbo(&x).unwrap()) / (2.0 * h);
        assert!(
            (fd - analytic).abs() < 1e-6 * (1.0 + analytic.abs()),
            "{fd} vs {analytic}"
        );
    };
    for i in 0..5 {
        for j in 0..2 {
            check(&|v: &mut LinearVae, d| v.w[[i, j]] += d, g.w[[i, j]]);
            check(&|v: &mut LinearVae, d| v.v[[j, i]] += d, g.v[[j, i]]);
        }
        check(&|v: &mut LinearVae, d| v.b[i] += d, g.b[i]);
    }
    for j in 0..2 {
        check(&|v: &mut LinearVae, d| v.c[j] += d, g.c[j]);
        check(&|v: &mut LinearVae, d| v.log_s2[j] += d, g.log_s2[j]);
    }
    check(&|v: &mut LinearVae, d| v.log_sigma2 += d, g.log_sigma2);
}

/// 平坦なパラメータの Adam（テストのための素朴な実装）で、ELBO の勾配を上る。
fn ascend(m: &mut LinearVae, x: &Array2<f64>, steps: usize, lr: f64, train_sigma: bool) {
    let flat = |v: &LinearVae| -> Vec<f64> {
        v.w.iter()
            .chain(&v.b)
            .chain(&v.v)
            .chain(&v.c)
            .chain(&v.log_s2)
            .copied()
            .chain(std::iter::once(v.log_sigma2))
            .collect()
    };
    let unflat = |v: &mut LinearVae, p: &[f64]| {
        let mut it = p.iter().copied();
        v.w.iter_mut()
            .chain(v.b.iter_mut())
            .chain(v.v.iter_mut())
            .chain(v.c.iter_mut())
            .chain(v.log_s2.iter_mut())
            .for_each(|e| *e = it.next().unwrap());
        v.log_sigma2 = it.next().unwrap();
    };
    let mut p = flat(m);
    let (mut m1, mut m2) = (vec![0.0; p.len()], vec![0.0; p.len()]);
    let (b1, b2) = (0.9f64, 0.999f64);
    for t in 1..=steps {
        unflat(m, &p);
        let mut g = flat(&m.elbo_gradient(x).unwrap());
        if !train_sigma {
            *g.last_mut().unwrap() = 0.0;
        }
        for k in 0..p.len() {
            m1[k] = b1 * m1[k] + (1.0 - b1) * g[k];
            m2[k] = b2 * m2[k] + (1.0 - b2) * g[k] * g[k];
            let mh = m1[k] / (1.0 - b1.powi(t as i32));
            let vh = m2[k] / (1.0 - b2.powi(t as i32));
            p[k] += lr * mh / (vh.sqrt() + 1e-12);
        }
    }
    unflat(m, &p);
}

#[test]
fn eq_8_9_trained_linear_vae_reaches_the_ppca_optimum() {
    let x = data(6);
    let p = Ppca::fit(&x, 2).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut m = random_vae(&mut rng, 5, 2, 0.1);
    // 学習率を 0.01・0.003・0.001 と段階的に下げる（各段で Adam のモーメントを始め直す）
    for lr in [0.01, 0.003, 0.001] {
        ascend(&mut m, &x, 5000, lr, true);
    }
    let ll = p.mean_log_likelihood(&x).unwrap();
    let elbo = m.elbo(&x).unwrap();
    // ELBO ≤ 対数尤度 ≤ 最大値。最大値との差は 1e-6 以内まで上る
    assert!(
        elbo <= ll + 1e-12 && ll - elbo < 1e-6,
        "ELBO {elbo} vs 最大 {ll}"
    );
    // W は回転を除いて決まる: WWᵀ と σ² を比べる
    let wwt = m.w.dot(&m.w.t());
    let want = p.weights().dot(&p.weights().t());
    let err = (&wwt - &want).mapv(f64::abs).fold(0.0f64, |a, &b| a.max(b));
    // 対数尤度の差 1e-8 程度は、C の相対誤差 1e-4 程度に当たる（差は相対誤差の 2 乗に比例する）。
    // 最大の固有値に対して 1e-3 を許す
    let lam1 = p.eigenvalues()[0];
    assert!(err < 1e-3 * lam1, "WWᵀ の誤差 {err}（λ₁ = {lam1}）");
    assert!((m.log_sigma2.exp() / p.noise_variance() - 1.0).abs() < 1e-3);
}

#[test]
fn eq_8_11_noise_above_an_eigenvalue_collapses_that_latent() {
    let x = data(7);
    let full = Ppca::fit(&x, 2).unwrap();
    let lam = full.eigenvalues().clone();
    // σ² を 2 番目と 1 番目の固有値の間に固定する: 2 番目の潜在変数は使われない
    let sigma2 = 0.5 * (lam[0] + lam[1]);
    let p = Ppca::with_noise_variance(&x, 2, sigma2).unwrap();
    assert!(p.weights().column(1).iter().all(|&w| w == 0.0));
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut m = random_vae(&mut rng, 5, 2, 0.1);
    m.log_sigma2 = sigma2.ln();
    for lr in [0.01, 0.003, 0.001] {
        ascend(&mut m, &x, 5000, lr, false);
    }
    // 崩壊した方向: W の列の長さは 0 に、q(z_j|x) は事前分布 N(0, 1) に近づく
    let norms: Vec<f64> = m.w.axis_iter(Axis(1)).map(|c| c.dot(&c).sqrt()).collect();
    let (big, small) = if norms[0] > norms[1] { (0, 1) } else { (1, 0) };
    assert!(norms[small] < 1e-2, "崩壊した列の長さ {}", norms[small]);
    assert!((norms[big].powi(2) - (lam[0] - sigma2)).abs() < 1e-2 * lam[0]);
    assert!(m.log_s2[small].abs() < 1e-2 && m.v.row(small).iter().all(|v| v.abs() < 1e-2));
    let vae_opt = LinearVae::from_ppca(&p).unwrap();
    assert!((m.elbo(&x).unwrap() - vae_opt.elbo(&x).unwrap()).abs() < 1e-6);
}

/// `f(z) = exp(a·z)` の期待値は `E = exp(a·μ + ½ Σ a_j² s_j²)`（ガウス分布の積率母関数）。勾配は
/// `∂E/∂μ_j = a_j E`、`∂E/∂ln s_j² = ½ a_j² s_j² E`。2 つの推定量を 400 回ずつ独立に走らせ、
/// 平均が厳密な値から 4 標準誤差以内にあること（不偏）と、再パラメータ化の分散がずっと小さいことを確かめる。
#[test]
fn eq_8_6_both_gradient_estimators_are_unbiased_and_reparameterisation_has_lower_variance() {
    use genmodel::vae::estimator::{reparameterised, score_function};
    let mu = Array1::from(vec![0.3, -0.2]);
    let lv = Array1::from(vec![-0.5, 0.2]);
    let a = Array1::from(vec![0.8, -0.5]);
    let s2 = lv.mapv(f64::exp);
    let e = (a.dot(&mu) + 0.5 * (&a * &a * &s2).sum()).exp();
    let exact_mu = &a * e;
    let exact_lv = 0.5 * &a * &a * &s2 * e;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (runs, m) = (400, 50);
    let mut rep = Vec::new();
    let mut sco = Vec::new();
    for _ in 0..runs {
        let a1 = a.clone();
        rep.push(reparameterised(&mu, &lv, m, &mut rng, |z| Ok(&a1 * a1.dot(&z).exp())).unwrap());
        let a2 = a.clone();
        sco.push(score_function(&mu, &lv, m, &mut rng, |z| Ok(a2.dot(&z).exp())).unwrap());
    }
    let stats = |xs: Vec<f64>| {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    };
    for j in 0..2 {
        for (est, name) in [(&rep, "再パラメータ化"), (&sco, "スコア関数")] {
            let (mean, var) = stats(est.iter().map(|g| g.mean[j]).collect());
            assert!(
                (mean - exact_mu[j]).abs() < 4.0 * (var / runs as f64).sqrt(),
                "{name} μ_{j}"
            );
            let (mean, var) = stats(est.iter().map(|g| g.log_variance[j]).collect());
            assert!(
                (mean - exact_lv[j]).abs() < 4.0 * (var / runs as f64).sqrt(),
                "{name} ln s²_{j}"
            );
        }
        let (_, vr) = stats(rep.iter().map(|g| g.mean[j]).collect());
        let (_, vs) = stats(sco.iter().map(|g| g.mean[j]).collect());
        // この f では分散の比は 10 倍を大きく超える（400 回の分散の推定の相対誤差は約 7 %）
        assert!(vs > 10.0 * vr, "分散: スコア関数 {vs}、再パラメータ化 {vr}");
    }
}

/// (8.1): 潜在変数 1 次元の確率的主成分分析の周辺分布を、`z` についての数値積分（台形則、`[−12, 12]` を 24 001 点）で
/// 求め、クレートの対数尤度（(8.8) の閉じた形）と比べる。被積分関数はテストの中で密度の式から書く。
#[test]
fn eq_8_1_marginal_is_the_integral_over_the_latent() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = Array2::from_shape_fn(
        (60, 2),
        |(_, j)| {
            if j == 0 { 1.5 * normal(&mut rng) } else { 0.0 }
        },
    );
    let x = Array2::from_shape_fn((60, 2), |(i, j)| {
        if j == 0 {
            x[[i, 0]] + 0.2
        } else {
            -0.6 * x[[i, 0]] + 0.4 * normal(&mut rng) - 1.0
        }
    });
    let p = Ppca::fit(&x, 1).unwrap();
    let (w, b, s2) = (p.weights(), p.mean(), p.noise_variance());
    let n = 24_001;
    let h = 24.0 / (n - 1) as f64;
    let mut total = 0.0;
    for row in x.rows() {
        let mut integral = 0.0;
        for k in 0..n {
            let z = -12.0 + h * k as f64;
            let prior = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
            let sq: f64 = (0..2)
                .map(|i| (row[i] - w[[i, 0]] * z - b[i]).powi(2))
                .sum();
            let lik = (-0.5 * sq / s2).exp() / (2.0 * std::f64::consts::PI * s2);
            let weight = if k == 0 || k == n - 1 { 0.5 } else { 1.0 };
            integral += weight * h * prior * lik;
        }
        total += integral.ln();
    }
    let quad = total / x.nrows() as f64;
    let closed = p.mean_log_likelihood(&x).unwrap();
    // 台形則はなめらかな被積分関数で指数的に収束する（刻み 0.001、事後分布の幅 > 0.05）: 1e-9 で十分
    assert!((quad - closed).abs() < 1e-9, "{quad} vs {closed}");
}

/// (8.2): どのエンコーダでも ELBO ≤ 対数尤度（乱数の線形ガウスの VAE 200 個）。等号は厳密な事後分布のときだけ。
#[test]
fn eq_8_2_elbo_never_exceeds_the_log_likelihood() {
    let x = data(2);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut smallest_gap = f64::INFINITY;
    for _ in 0..200 {
        let m = random_vae(&mut rng, 5, 2, 0.7);
        let gap = log_likelihood(&m, &x) - m.elbo(&x).unwrap();
        assert!(gap >= -1e-9, "ELBO が対数尤度を超えた: {gap}");
        smallest_gap = smallest_gap.min(gap);
    }
    assert!(
        smallest_gap > 1e-3,
        "乱数のエンコーダは事後分布ではない: {smallest_gap}"
    );
    let p = Ppca::fit(&x, 2).unwrap();
    let m = LinearVae::from_ppca(&p).unwrap();
    assert!((log_likelihood(&m, &x) - m.elbo(&x).unwrap()).abs() < 1e-10);
}

/// (8.7): スコア関数の推定量だけを、`f(z) = z₁² + 3 z₂` で確かめる。`E[f] = μ₁² + s₁² + 3 μ₂` なので
/// 勾配は `∂/∂μ = (2 μ₁, 3)`、`∂/∂ ln s² = (s₁², 0)`。400 回の独立な推定の平均が 4 標準誤差以内。
#[test]
fn eq_8_7_score_function_estimator_is_unbiased() {
    use genmodel::vae::estimator::score_function;
    let mu = Array1::from(vec![0.7, -0.4]);
    let lv: Array1<f64> = Array1::from(vec![0.3, -1.0]);
    let want_mu = [2.0 * mu[0], 3.0];
    let want_lv = [lv[0].exp(), 0.0];
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let runs = 400;
    let est: Vec<_> = (0..runs)
        .map(|_| score_function(&mu, &lv, 100, &mut rng, |z| Ok(z[0] * z[0] + 3.0 * z[1])).unwrap())
        .collect();
    for j in 0..2 {
        for (vals, want) in [
            (
                est.iter().map(|g| g.mean[j]).collect::<Vec<_>>(),
                want_mu[j],
            ),
            (
                est.iter().map(|g| g.log_variance[j]).collect::<Vec<_>>(),
                want_lv[j],
            ),
        ] {
            let n = vals.len() as f64;
            let mean = vals.iter().sum::<f64>() / n;
            let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            assert!(
                (mean - want).abs() < 4.0 * (var / n).sqrt(),
                "{j}: {mean} vs {want}"
            );
        }
    }
}

/// (8.8): 生成のモデル `z ~ N(0, I)`、`x = W z + b + σ₀ ε` から 20 万点を引き、標本の分散共分散行列が
/// クレートの `WWᵀ + σ₀² I`（`Ppca::covariance`）に標準誤差の 5 倍以内で一致することを確かめる。
#[test]
fn eq_8_8_generated_data_have_the_ppca_covariance() {
    let p = Ppca::fit(&data(8), 2).unwrap();
    let (w, b, s) = (p.weights(), p.mean(), p.noise_variance().sqrt());
    let mut rng = ChaCha8Rng::seed_from_u64(88);
    let n = 200_000;
    let mut xs = Array2::zeros((n, 5));
    for mut row in xs.rows_mut() {
        let z = [normal(&mut rng), normal(&mut rng)];
        for i in 0..5 {
            row[i] = w[[i, 0]] * z[0] + w[[i, 1]] * z[1] + b[i] + s * normal(&mut rng);
        }
    }
    let mean = xs.mean_axis(Axis(0)).unwrap();
    let c = xs.t().dot(&xs) / n as f64 - Array2::from_shape_fn((5, 5), |(i, j)| mean[i] * mean[j]);
    let want = p.covariance();
    for i in 0..5 {
        for j in 0..5 {
            // ガウス分布の標本共分散の分散は (C_ii C_jj + C_ij²)/n
            let se = ((want[[i, i]] * want[[j, j]] + want[[i, j]].powi(2)) / n as f64).sqrt();
            assert!(
                (c[[i, j]] - want[[i, j]]).abs() < 5.0 * se,
                "({i},{j}): {} vs {}",
                c[[i, j]],
                want[[i, j]]
            );
        }
    }
}
