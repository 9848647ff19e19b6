//! 多層パーセプトロンの VAE（第 8 章 (8.12)–(8.17)）の検証。
//!
//! 期待値は実装とは独立に求める: 勾配は 1 標本の ELBO の中心差分、対数尤度は線形ガウスのモデルの周辺分布
//! `N(b, WᵀW + σ₀² I)` を §2.4 の多変量ガウス分布で、最適点は確率的主成分分析の閉じた形 (8.9) で。

use genmodel::Error;
use genmodel::gaussian::Mvn;
use genmodel::gaussian::univariate::seeded_rng;
use genmodel::ndarray::{Array1, Array2, Axis};
use genmodel::nn::{Activation, Adam, Dense, Mlp};
use genmodel::vae::{Likelihood, LinearVae, Ppca, Training, Vae};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod vae_support;
use vae_support::{gaussian_data, normal};

/// 0/1 のデータ（画素 6 個、2 つの型のまわりに 10% の反転）。
fn binary_data(seed: u64, n: usize) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let types = [
        [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
    ];
    Array2::from_shape_fn((n, 6), |(i, j)| {
        let v = types[i % 2][j];
        if rng.random::<f64>() < 0.1 {
            1.0 - v
        } else {
            v
        }
    })
}

/// 例に使う小さいモデル: 隠れ層 1 つ（幅 5、tanh）、ベルヌーイ分布のデコーダ。
fn tanh_bernoulli(dim: usize, latent: usize, rng: &mut ChaCha8Rng) -> genmodel::Result<Vae> {
    Vae::new(
        dim,
        latent,
        &[5],
        Activation::Tanh,
        Likelihood::Bernoulli,
        rng,
    )
}

/// 線形ガウスの VAE の周辺分布 `N(b, WᵀW + σ₀² I)`（デコーダは `x = z W + b`、`W` は `d × D`）の平均対数尤度。
fn exact_log_likelihood(vae: &Vae, x: &Array2<f64>) -> f64 {
    let layer = &vae.decoder().layers()[0];
    let w = layer.weights();
    let mut c = w.t().dot(w);
    for i in 0..c.nrows() {
        c[[i, i]] += vae.log_noise().exp();
    }
    Mvn::new(layer.bias().clone(), c)
        .unwrap()
        .mean_log_likelihood(x)
        .unwrap()
}

/// 線形のエンコーダ（`μ = x Vᵀ + c`、`ln σ² = log_s2` で一定）とデコーダで、[`LinearVae`] と同じモデルを作る。
fn from_linear(m: &LinearVae) -> Vae {
    Vae::from_linear(m).unwrap()
}

/// 1 標本の ELBO の勾配を中心差分と比べる（雑音を固定すると ELBO はパラメータの滑らかな関数）。
fn check_gradient(vae: &Vae, x: &Array2<f64>, eps: &Array2<f64>) -> f64 {
    let (_, g) = vae.elbo_gradient(x, eps).unwrap();
    let g = g.flat(vae.likelihood());
    let p0 = vae.params_flat();
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for k in 0..p0.len() {
        let mut m = vae.clone();
        let mut p = p0.clone();
        p[k] += h;
        m.set_params_flat(&p).unwrap();
        let up = m.elbo_gradient(x, eps).unwrap().0;
        p[k] -= 2.0 * h;
        m.set_params_flat(&p).unwrap();
        let down = m.elbo_gradient(x, eps).unwrap().0;
        let fd = (up - down) / (2.0 * h);
        worst = worst.max((fd - g[k]).abs() / (1.0 + fd.abs()));
    }
    worst
}

#[test]
fn eq_8_15_vae_elbo_gradient_matches_central_differences() {
    // 中心差分の打ち切り誤差は h² |f'''| ~ 1e-12、丸めは ε |f| / h ~ 1e-10: 相対 1e-6 で十分に厳しい
    for seed in 0..3 {
        let mut rng = seeded_rng(seed);
        for (likelihood, x) in [
            (Likelihood::Bernoulli, binary_data(seed, 5)),
            (Likelihood::Gaussian, binary_data(seed, 5) * 2.0 - 0.7),
        ] {
            for act in [Activation::Tanh, Activation::Softplus, Activation::Sigmoid] {
                let mut vae = Vae::new(6, 2, &[4, 3], act, likelihood, &mut rng).unwrap();
                if likelihood == Likelihood::Gaussian {
                    let mut p = vae.params_flat();
                    *p.last_mut().unwrap() = -0.4;
                    vae.set_params_flat(&p).unwrap();
                }
                let eps = Array2::from_shape_fn((5, 2), |_| normal(&mut rng));
                let worst = check_gradient(&vae, &x, &eps);
                assert!(worst < 1e-6, "{likelihood:?} {act:?}: {worst:e}");
            }
        }
    }
}

#[test]
fn eq_8_20_importance_sampling_is_exact_with_the_exact_posterior_as_proposal() {
    // 確率的主成分分析の最尤点では、エンコーダが厳密な事後分布になる。重み q(x, z)/r(z | x) = q(x) は z によらず、
    // 重点サンプリングの推定は標本の数によらず対数尤度そのもの（揺れ 0）。ELBO の推定も対数尤度に一致する
    let x = gaussian_data(5);
    let p = Ppca::fit(&x, 2).unwrap();
    let vae = from_linear(&LinearVae::from_ppca(&p).unwrap());
    let ll = p.mean_log_likelihood(&x).unwrap();
    let exact = exact_log_likelihood(&vae, &x);
    assert!((exact - ll).abs() < 1e-10);
    let is = vae.log_likelihood(&x, 10, &mut seeded_rng(1)).unwrap();
    // 丸め: ln w の成分は 10 ほど、400 点の平均で 1e-12 を十分に下回る
    assert!((is.mean - ll).abs() < 1e-10, "{} vs {ll}", is.mean);
    assert!(is.standard_error < 1e-10);
    let e = vae.elbo(&x, 10, &mut seeded_rng(2)).unwrap();
    // 再構成の項は標本で揺れる（4 標準誤差まで）
    assert!((e.mean - ll).abs() < 4.0 * e.standard_error + 1e-10);
}

#[test]
fn eq_8_20_importance_sampling_approaches_the_exact_log_likelihood_from_below() {
    // 事後分布からずらしたエンコーダ: ELBO < 対数尤度。重点サンプリングの推定は K とともに対数尤度に近づき、
    // 標準誤差の 4 倍以内に入る（K = 1000）。K = 1 の期待値は ELBO（下界）なので、K = 2 の推定は明らかに下にある
    let x = gaussian_data(6);
    let p = Ppca::fit(&x, 2).unwrap();
    let mut m = LinearVae::from_ppca(&p).unwrap();
    m.c[0] += 0.01;
    m.log_s2[1] += 1.0;
    let vae = from_linear(&m);
    let ll = exact_log_likelihood(&vae, &x);
    let elbo = m.elbo(&x).unwrap();
    assert!(elbo < ll - 0.05);
    let k2 = vae.log_likelihood(&x, 2, &mut seeded_rng(3)).unwrap();
    let k1000 = vae.log_likelihood(&x, 1000, &mut seeded_rng(4)).unwrap();
    assert!(k2.mean < ll - 4.0 * k2.standard_error, "{k2:?} vs {ll}");
    assert!(
        (k1000.mean - ll).abs() < 4.0 * k1000.standard_error + 1e-3,
        "{k1000:?} vs {ll}"
    );
    assert!(k1000.mean > k2.mean);
    // ELBO の推定は閉じた形 (8.10) と 4 標準誤差以内で一致する
    let e = vae.elbo(&x, 200, &mut seeded_rng(5)).unwrap();
    assert!(
        (e.mean - elbo).abs() < 4.0 * e.standard_error,
        "{e:?} vs {elbo}"
    );
}

#[test]
fn eq_8_9_linear_vae_trained_with_the_general_machinery_reaches_the_ppca_optimum() {
    // 多層パーセプトロンの VAE を 1 層の恒等写像にして、ミニバッチの 1 標本の ELBO の勾配と Adam で学習する。
    // 学習したデコーダの周辺分布の対数尤度（閉じた形）は、(8.9) の最大値に下から近づく
    let x = gaussian_data(7);
    let p = Ppca::fit(&x, 2).unwrap();
    let best = p.mean_log_likelihood(&x).unwrap();
    let mut rng = seeded_rng(8);
    let mut vae = Vae::new(
        5,
        2,
        &[],
        Activation::Identity,
        Likelihood::Gaussian,
        &mut rng,
    )
    .unwrap();
    let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    for (epochs, lr, seed) in [
        (2000, 0.01, 1),
        (2000, 0.003, 2),
        (2000, 0.001, 3),
        (2000, 3e-4, 4),
    ] {
        adam.set_learning_rate(lr).unwrap();
        let t = Training {
            batch_size: 400,
            epochs,
            seed,
        };
        vae.fit(&x, &t, &mut adam, |_, _| {}).unwrap();
    }
    let ll = exact_log_likelihood(&vae, &x);
    println!("学習後 {ll}、最大 {best}、差 {:e}", best - ll);
    // 最大値より上には行けない（丸めの分だけ許す）。1 点 1 標本の勾配の揺れの中の Adam で、差は 4e-4 ほど残る
    // （閉じた形の勾配で上れば 1e-6 未満: tests/vae.rs）。許す差は 1e-3
    assert!(ll <= best + 1e-9);
    assert!(best - ll < 1e-3, "差 {:e}", best - ll);
    // σ₀² と W Wᵀ（回転を除いて決まる）も (8.9) に近い（σ₀² は 1.1% ずれる: 許すのは 2%）
    let s2 = vae.log_noise().exp();
    assert!(
        (s2 / p.noise_variance() - 1.0).abs() < 0.02,
        "{s2} vs {}",
        p.noise_variance()
    );
    let w = vae.decoder().layers()[0].weights();
    let wwt = w.t().dot(w);
    let want = p.weights().dot(&p.weights().t());
    let err = (&wwt - &want)
        .mapv(f64::abs)
        .iter()
        .fold(0.0f64, |a, &b| a.max(b));
    assert!(
        err < 0.05 * want.iter().fold(0.0f64, |a, &b| a.max(b.abs())),
        "{err}"
    );
}

#[test]
fn training_is_reproducible_from_the_seed() {
    let x = binary_data(1, 40);
    let run = |seed| {
        let mut vae = tanh_bernoulli(6, 2, &mut seeded_rng(0)).unwrap();
        let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
        let mut curve = Vec::new();
        vae.fit(
            &x,
            &Training {
                batch_size: 8,
                epochs: 5,
                seed,
            },
            &mut adam,
            |_, e| curve.push(e),
        )
        .unwrap();
        (vae, curve)
    };
    let (a, ca) = run(3);
    let (b, cb) = run(3);
    let (c, _) = run(4);
    assert_eq!(a, b);
    assert_eq!(ca, cb);
    assert_eq!(ca.len(), 25);
    assert_ne!(a, c);
    // 学習で ELBO は上がる（最初の 5 歩と最後の 5 歩の平均）
    let head: f64 = ca[..5].iter().sum::<f64>() / 5.0;
    let tail: f64 = ca[20..].iter().sum::<f64>() / 5.0;
    assert!(tail > head, "{head} → {tail}");
}

#[test]
fn nan_in_a_minibatch_stops_with_the_step_and_keeps_the_last_good_parameters() {
    // 4 行目（0 から 3）に NaN。ミニバッチ 2、並べ替えの順で NaN の行を含む最初の歩で止まる
    let mut x = binary_data(2, 8);
    x[[3, 1]] = f64::NAN;
    let t = Training {
        batch_size: 2,
        epochs: 2,
        seed: 11,
    };
    let start = tanh_bernoulli(6, 2, &mut seeded_rng(0)).unwrap();
    let mut vae = start.clone();
    let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let mut seen = Vec::new();
    let err = vae.fit(&x, &t, &mut adam, |s, _| seen.push(s)).unwrap_err();
    let Error::TrainingStopped { step, cause } = err else {
        panic!("{err:?}")
    };
    assert!(matches!(*cause, Error::NonFinite { .. }), "{cause:?}");
    // 報告された歩の前までは観察され、その歩は観察されていない
    assert_eq!(seen, (0..step).collect::<Vec<_>>());
    assert!(step < 4, "最初の回のうちに止まる: {step}");
    assert_eq!(adam.steps(), step as u64);
    // 止まったときのパラメータは、同じ設定で NaN のない歩だけを踏んだときと同じ
    let mut clean = x.clone();
    clean[[3, 1]] = 0.0;
    let mut replay = start.clone();
    let mut adam2 = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let mut count = 0;
    let _ = replay.fit(&clean, &t, &mut adam2, |_, _| count += 1);
    // 先頭 step 歩だけを踏み直す
    let mut replay = start;
    let mut adam3 = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let mut rng = seeded_rng(11);
    let mut order: Vec<usize> = (0..8).collect();
    use rand::seq::SliceRandom;
    order.shuffle(&mut rng);
    for chunk in order.chunks(2).take(step) {
        replay
            .train_step(&mut adam3, &clean.select(Axis(0), chunk), &mut rng)
            .unwrap();
    }
    assert_eq!(replay, vae);
    assert_eq!(count, 8);
}

#[test]
fn a_diverging_learning_rate_stops_with_a_typed_error_and_finite_parameters() {
    // ガウス分布のデコーダで学習率 1e3: ln σ₀² が大きく振れ、exp(−ln σ₀²) か σ² があふれる
    let x = gaussian_data(9);
    let mut vae = Vae::new(
        5,
        2,
        &[8],
        Activation::Relu,
        Likelihood::Gaussian,
        &mut seeded_rng(1),
    )
    .unwrap();
    let mut adam = Adam::new(1e3, 0.9, 0.999, 1e-8).unwrap();
    let t = Training {
        batch_size: 20,
        epochs: 50,
        seed: 2,
    };
    let err = vae.fit(&x, &t, &mut adam, |_, _| {}).unwrap_err();
    let Error::TrainingStopped { step, cause } = err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(*cause, Error::Overflow { .. }),
        "{step}: {cause:?}"
    );
    assert!(vae.params_flat().iter().all(|v| v.is_finite()));
    // 同じ学習率 1e-3 なら最後まで進む
    let mut ok = Vae::new(
        5,
        2,
        &[8],
        Activation::Relu,
        Likelihood::Gaussian,
        &mut seeded_rng(1),
    )
    .unwrap();
    let mut adam = Adam::new(1e-3, 0.9, 0.999, 1e-8).unwrap();
    ok.fit(
        &x,
        &Training {
            batch_size: 20,
            epochs: 2,
            seed: 2,
        },
        &mut adam,
        |_, _| {},
    )
    .unwrap();
}

#[test]
fn bad_shapes_and_settings_are_typed_errors() {
    let mut rng = seeded_rng(0);
    assert!(matches!(
        tanh_bernoulli(6, 0, &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        tanh_bernoulli(0, 2, &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    let mut vae = tanh_bernoulli(6, 2, &mut rng).unwrap();
    let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let t = Training {
        batch_size: 4,
        epochs: 1,
        seed: 0,
    };
    let wide = Array2::zeros((4, 7));
    assert_eq!(
        vae.fit(&wide, &t, &mut adam, |_, _| {}),
        Err(Error::DimensionMismatch {
            expected: 6,
            actual: 7
        })
    );
    assert_eq!(
        vae.fit(&Array2::zeros((0, 6)), &t, &mut adam, |_, _| {}),
        Err(Error::EmptyInput)
    );
    for bad in [Training { batch_size: 0, ..t }, Training { epochs: 0, ..t }] {
        assert!(matches!(
            vae.fit(&Array2::zeros((4, 6)), &bad, &mut adam, |_, _| {}),
            Err(Error::InvalidParameter { .. })
        ));
    }
    // ベルヌーイ分布のデータは [0, 1]
    assert!(matches!(
        vae.encode(&Array2::from_elem((1, 6), 1.5)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        vae.elbo(&Array2::zeros((2, 6)), 1, &mut rng),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        vae.decode(&Array2::zeros((1, 3))),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(adam.steps(), 0);
}

/// エンコーダを 1 層の恒等写像で重み 0 にすると、`μ` と `ln σ²` はバイアスそのもの（データによらない）。
fn constant_encoder_vae(
    mu: &[f64],
    log_var: &[f64],
    likelihood: Likelihood,
    rng: &mut ChaCha8Rng,
) -> Vae {
    let d = mu.len();
    let bias: Vec<f64> = mu.iter().chain(log_var).copied().collect();
    let enc = Mlp::from_layers(
        vec![Dense::new(&Array2::zeros((6, 2 * d)), &Array1::from(bias)).unwrap()],
        Activation::Identity,
        Activation::Identity,
    )
    .unwrap();
    let dec = Mlp::new(&[d, 5, 6], Activation::Tanh, Activation::Identity, rng).unwrap();
    Vae::from_parts(enc, dec, likelihood, -0.3).unwrap()
}

/// テストの側で書いた 1 点の再構成の対数尤度 `ln q_θ(x | z)`（(8.16) とガウス分布の密度）。
fn recon_by_hand(vae: &Vae, x: &[f64], z: &[f64]) -> f64 {
    let y = vae
        .decoder()
        .predict(&Array2::from_shape_vec((1, z.len()), z.to_vec()).unwrap())
        .unwrap();
    match vae.likelihood() {
        Likelihood::Bernoulli => x
            .iter()
            .zip(y.iter())
            .map(|(&xi, &yi)| {
                if xi == 1.0 {
                    -(1.0 + (-yi).exp()).ln()
                } else {
                    -(1.0 + yi.exp()).ln()
                }
            })
            .sum(),
        Likelihood::Gaussian => {
            let s2 = vae.log_noise().exp();
            x.iter()
                .zip(y.iter())
                .map(|(&xi, &yi)| {
                    -0.5 * (2.0 * std::f64::consts::PI * s2).ln() - (xi - yi).powi(2) / (2.0 * s2)
                })
                .sum()
        }
    }
}

/// 1 点のデータ `x` と雑音 `eps` での 1 標本の ELBO（クレート）と、テストの側で再パラメータ化した点
/// `z = μ + exp(ln σ²/2) ε`（`μ`・`ln σ²` は [`constant_encoder_vae`] のバイアス）。
fn one_sample_elbo(
    vae: &Vae,
    x: &Array2<f64>,
    mu: &[f64],
    log_var: &[f64],
    eps: &[f64],
) -> (f64, Vec<f64>) {
    let z = (0..eps.len())
        .map(|j| mu[j] + (0.5 * log_var[j]).exp() * eps[j])
        .collect();
    let (elbo, _) = vae
        .elbo_gradient(
            x,
            &Array2::from_shape_vec((1, eps.len()), eps.to_vec()).unwrap(),
        )
        .unwrap();
    (elbo, z)
}

/// (8.5): 1 標本の ELBO から、テストの側で求めた再構成の項を引くと、§2 の 1 次元ガウス分布の KL (2.3a) の和の符号を変えたものになる。
#[test]
fn eq_8_5_kl_term_is_the_sum_of_one_dimensional_gaussian_kls() {
    let mut rng = seeded_rng(5);
    let (mu, lv) = ([0.4, -1.3], [-0.7, 0.5]);
    let vae = constant_encoder_vae(&mu, &lv, Likelihood::Bernoulli, &mut rng);
    let x = binary_data(5, 1);
    let (elbo, z) = one_sample_elbo(&vae, &x, &mu, &lv, &[0.3, -0.8]);
    let recon = recon_by_hand(&vae, x.row(0).as_slice().unwrap(), &z);
    let kl: f64 = (0..2)
        .map(|j| genmodel::divergence::kl_gaussian_1d(mu[j], lv[j].exp(), 0.0, 1.0).unwrap())
        .sum();
    assert!(
        (elbo - (recon - kl)).abs() < 1e-12,
        "{elbo} vs {}",
        recon - kl
    );
}

/// (8.12): 1 標本の ELBO は、再パラメータ化した `z = μ + σ ⊙ ε` での値である: 雑音 ε を与えた ELBO が、テストの側で
/// その z から求めた再構成の項に一致する（KL の項を除く）。雑音の符号を変えると z は μ について対称に動く。
#[test]
fn eq_8_12_one_sample_elbo_is_evaluated_at_the_reparameterised_point() {
    let mut rng = seeded_rng(12);
    let (mu, lv) = ([1.1, -0.2], [0.4, -1.5]);
    let vae = constant_encoder_vae(&mu, &lv, Likelihood::Gaussian, &mut rng);
    let x = binary_data(12, 1) * 1.3 - 0.2;
    let kl: f64 = (0..2)
        .map(|j| 0.5 * (mu[j] * mu[j] + lv[j].exp() - lv[j] - 1.0))
        .sum();
    for eps in [[0.0, 0.0], [1.0, -2.0], [-1.0, 2.0]] {
        let (elbo, z) = one_sample_elbo(&vae, &x, &mu, &lv, &eps);
        let want = recon_by_hand(&vae, x.row(0).as_slice().unwrap(), &z) - kl;
        assert!((elbo - want).abs() < 1e-12, "ε = {eps:?}: {elbo} vs {want}");
    }
}

/// (8.16)・(8.17) の設定: `σ² = e^{−30}` で z はほぼ μ、デコーダの出力 `y` と、1 標本の ELBO・勾配。
fn bernoulli_setup() -> (Vae, Array2<f64>, [f64; 2], f64, genmodel::vae::VaeGradient) {
    let mut rng = seeded_rng(16);
    let vae = constant_encoder_vae(
        &[0.2, -0.5],
        &[-30.0, -30.0],
        Likelihood::Bernoulli,
        &mut rng,
    );
    let x = binary_data(16, 1);
    let (elbo, g) = vae.elbo_gradient(&x, &Array2::zeros((1, 2))).unwrap();
    (vae, x, [0.2, -0.5], elbo, g)
}

/// (8.16): ベルヌーイ分布の対数尤度は、テストの側で書いた `ln σ(y)`・`ln(1 − σ(y))` の和に一致する
/// （KL の項は z によらないので、閉じた形で足し戻す）。
#[test]
fn eq_8_16_bernoulli_log_likelihood_is_the_sum_of_log_probabilities() {
    let (vae, x, z, elbo, _) = bernoulli_setup();
    let kl: f64 = 0.5 * (0.04 + 0.25)
        + (0..2)
            .map(|_| 0.5 * ((-30f64).exp() + 30.0 - 1.0))
            .sum::<f64>();
    let recon = recon_by_hand(&vae, x.row(0).as_slice().unwrap(), &z);
    assert!(
        (elbo + kl - recon).abs() < 1e-10,
        "{} vs {recon}",
        elbo + kl
    );
}

/// (8.17): ロジットについての勾配は `x − σ(y)`。デコーダの最後の層のバイアス（ロジットに 1 対 1 で足される）
/// についてのクレートの勾配と比べる。
#[test]
fn eq_8_17_bernoulli_logit_gradient_is_data_minus_probability() {
    let (vae, x, z, _, g) = bernoulli_setup();
    let y = vae
        .decoder()
        .predict(&Array2::from_shape_vec((1, 2), z.to_vec()).unwrap())
        .unwrap();
    let last = g.decoder.layers().last().unwrap().bias().clone();
    for i in 0..6 {
        let want = x[[0, i]] - 1.0 / (1.0 + (-y[[0, i]]).exp());
        assert!(
            (last[i] - want).abs() < 1e-12,
            "画素 {i}: {} vs {want}",
            last[i]
        );
    }
}

/// `∂ ln q_θ(x | z)/∂z_j` を中心差分で（テストの側の再構成の式から）。
fn grad_z_by_differences(vae: &Vae, x: &[f64], z: &[f64]) -> Vec<f64> {
    let h = 1e-5;
    (0..z.len())
        .map(|j| {
            let (mut up, mut down) = (z.to_vec(), z.to_vec());
            up[j] += h;
            down[j] -= h;
            (recon_by_hand(vae, x, &up) - recon_by_hand(vae, x, &down)) / (2.0 * h)
        })
        .collect()
}

/// (8.18)・(8.19) の比較: エンコーダの出力 `μ`、`ln σ²` がバイアスそのもののとき、バイアスについてのクレートの
/// 勾配と、印刷された式にテストの側で中心差分で求めた `∂ ln q_θ/∂z` を入れた値の組を返す。
fn encoder_output_gradients() -> Vec<(f64, f64, f64, f64)> {
    let mut out = Vec::new();
    for (seed, likelihood) in [(18, Likelihood::Bernoulli), (19, Likelihood::Gaussian)] {
        let mut rng = seeded_rng(seed);
        let (mu, lv) = ([0.6, -0.9], [-0.4, 0.3]);
        let vae = constant_encoder_vae(&mu, &lv, likelihood, &mut rng);
        let x = binary_data(seed, 1);
        let eps = [0.7, -1.2];
        let sigma: Vec<f64> = lv.iter().map(|l| (0.5 * l).exp()).collect();
        let z: Vec<f64> = (0..2).map(|j| mu[j] + sigma[j] * eps[j]).collect();
        let gz = grad_z_by_differences(&vae, x.row(0).as_slice().unwrap(), &z);
        let (_, g) = vae
            .elbo_gradient(&x, &Array2::from_shape_vec((1, 2), eps.to_vec()).unwrap())
            .unwrap();
        let bias = g.encoder.layers()[0].bias();
        for j in 0..2 {
            let want_mu = gz[j] - mu[j];
            let want_lv = 0.5 * sigma[j] * eps[j] * gz[j] - 0.5 * (sigma[j] * sigma[j] - 1.0);
            out.push((bias[j], want_mu, bias[2 + j], want_lv));
        }
    }
    out
}

/// (8.18): `∂ELBO/∂μ_j = ∂ ln q_θ/∂z_j − μ_j`（中心差分の誤差は h² |f'''| ~ 1e-10、丸めは ε/h ~ 1e-11: 1e-7 で比べる）。
#[test]
fn eq_8_18_mean_gradient_is_latent_gradient_minus_mean() {
    for (got, want, _, _) in encoder_output_gradients() {
        assert!((got - want).abs() < 1e-7, "{got} vs {want}");
    }
}

/// (8.19): `∂ELBO/∂ ln σ_j² = ½ σ_j ε_j ∂ ln q_θ/∂z_j − ½ (σ_j² − 1)`。
#[test]
fn eq_8_19_log_variance_gradient() {
    for (_, _, got, want) in encoder_output_gradients() {
        assert!((got - want).abs() < 1e-7, "{got} vs {want}");
    }
}

/// 大きなミニバッチは前半と後半を別のスレッドで求めて足す。行を 1 つずつ求めた値の平均と、丸めの程度で一致する。
#[test]
fn split_minibatch_gradient_equals_the_mean_of_per_row_gradients() {
    let n = genmodel::vae::model::SPLIT_ROWS + 7;
    let mut rng = seeded_rng(40);
    let vae = tanh_bernoulli(6, 2, &mut rng).unwrap();
    let x = binary_data(40, n);
    let eps = Array2::from_shape_fn((n, 2), |_| normal(&mut rng));
    let (elbo, g) = vae.elbo_gradient(&x, &eps).unwrap();
    let g = g.flat(Likelihood::Bernoulli);
    let mut sum_e = 0.0;
    let mut sum_g: Array1<f64> = Array1::zeros(g.len());
    for i in 0..n {
        let xi = x.select(Axis(0), &[i]);
        let ei = eps.select(Axis(0), &[i]);
        let (e, gi) = vae.elbo_gradient(&xi, &ei).unwrap();
        sum_e += e;
        sum_g = sum_g + gi.flat(Likelihood::Bernoulli);
    }
    // 足す順が違うだけ: 成分の大きさ 10 ほど、71 項の和の丸めは 1e-13 を下回る
    assert!((elbo - sum_e / n as f64).abs() < 1e-12);
    let err = (&g - &(sum_g / n as f64))
        .mapv(f64::abs)
        .fold(0.0f64, |a, &b| a.max(b));
    assert!(err < 1e-12, "{err:e}");
}
