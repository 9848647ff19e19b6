//! 多層パーセプトロン（`genmodel::nn`、第 8 章の準備）のテスト。
//!
//! 独立な正しい値:
//! - 全結合層の勾配は、添字の 3 重ループで書いた `xᵀ G`・列の和・`G Wᵀ` と比べる（ndarray の `dot` を使わない）。
//! - 多層パーセプトロンの勾配（全パラメータと入力）は、損失の中心差分と比べる（シード・形・活性化の組をすべて）。
//! - 活性化関数の値は素朴な式（あふれない範囲）と、導関数は値の中心差分と閉じた形と比べる。
//! - Adam の最初の 2 歩は手で求めた数と、2 次関数の最小化は既知の最小点と比べる。
//! - 学習は、滑らかな関数 `sin(πx₁) cos(πx₂ / 2)` への当てはめの損失の大きさで確かめる。

use genmodel::Error;
use genmodel::ndarray::{Array1, Array2, ArrayView2, Axis, array, s};
use genmodel::nn::{Activation, Adam, Dense, Forward, Gradients, MAX_PARAMETERS, Mlp};
use genmodel::prec::{FINITE_DIFFERENCE_STEP, FINITE_DIFFERENCE_TOLERANCE};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn uniform(rng: &mut ChaCha8Rng, dim: (usize, usize), lo: f64, hi: f64) -> Array2<f64> {
    let mut a = Array2::zeros(dim);
    a.iter_mut().for_each(|v| *v = rng.random_range(lo..hi));
    a
}

// ---------------------------------------------------------------- 活性化関数

/// 値は、素朴な式が正確な範囲（`|z| ≤ 30`）で素朴な式と、導関数は値の中心差分と閉じた形と一致する。
#[test]
fn eq_8_14_activation_values_and_derivatives_match_naive_formulas() {
    let eps = f64::EPSILON;
    let mut rng = ChaCha8Rng::seed_from_u64(80);
    let mut zs: Vec<f64> = (0..2000).map(|_| rng.random_range(-30.0..30.0)).collect();
    zs.extend([0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5]);
    for &z in &zs {
        let naive = [
            z,
            (z.exp() - (-z).exp()) / (z.exp() + (-z).exp()),
            if z > 0.0 { z } else { 0.0 },
            z.exp().ln_1p(),
            1.0 / (1.0 + (-z).exp()),
        ];
        let sig = 1.0 / (1.0 + (-z).exp());
        let closed = [
            1.0,
            1.0 - z.tanh().powi(2),
            if z > 0.0 { 1.0 } else { 0.0 },
            sig,
            sig * (1.0 - sig),
        ];
        for (k, act) in Activation::ALL.into_iter().enumerate() {
            let (v, d) = (act.value(z), act.derivative(z));
            // 素朴な tanh は e^{±z} の引き算で 1e-15 ほどの絶対誤差を持つ
            assert!(
                (v - naive[k]).abs() <= 8.0 * eps * naive[k].abs().max(1e-300) + 2e-15,
                "{act:?}({z}) = {v} ≠ {}",
                naive[k]
            );
            // 閉じた形 1 − tanh² は |z| が大きいと打ち消しで絶対誤差 2ε を持つ
            assert!(
                (d - closed[k]).abs() <= 4.0 * eps * closed[k].abs() + 4.0 * eps,
                "{act:?}'({z}) = {d} ≠ {}",
                closed[k]
            );
            // 中心差分（ReLU は折れ目の前後 h を除く）: 誤差は h² f'''/6 + ε|f|/h ≲ 1e-9
            if act == Activation::Relu && z.abs() < 1e-4 {
                continue;
            }
            let h = FINITE_DIFFERENCE_STEP * z.abs().max(1.0);
            let fd = (act.value(z + h) - act.value(z - h)) / (2.0 * h);
            assert!(
                (d - fd).abs() <= FINITE_DIFFERENCE_TOLERANCE * d.abs().max(1.0),
                "{act:?}'({z}) = {d}, 中心差分 {fd}"
            );
        }
    }
}

/// 大きな入力でもあふれない: 値と導関数は有限で、極限の値に一致する。NaN は NaN のまま。
#[test]
fn activations_do_not_overflow() {
    for z in [710.0, -710.0, 1e300, -1e300, f64::MAX, -f64::MAX] {
        for act in Activation::ALL {
            let (v, d) = (act.value(z), act.derivative(z));
            assert!(v.is_finite() && d.is_finite(), "{act:?}({z}) = {v}, {d}");
            assert!((0.0..=1.0).contains(&d), "{act:?}'({z}) = {d}");
        }
        assert_eq!(Activation::Tanh.value(z), z.signum());
        // σ(−710) = e^{−710}/(1 + e^{−710}) ≈ 4.5e-309（非正規化数）、softplus(−710) も同じ
        let (sg, sp) = (Activation::Sigmoid.value(z), Activation::Softplus.value(z));
        assert!(if z > 0.0 { sg == 1.0 } else { sg <= z.exp() });
        assert!(if z > 0.0 { sp == z } else { sp <= z.exp() });
        assert_eq!(Activation::Tanh.derivative(z), 0.0);
        // σ'(±710) = e^{−710} ≈ 4.5e-309（非正規化数）
        assert!(Activation::Sigmoid.derivative(z) <= (-z.abs()).exp());
        let sp = Activation::Softplus.derivative(z);
        assert!(if z > 0.0 { sp == 1.0 } else { sp <= z.exp() });
    }
    // 小さな値の相対精度: softplus(z) ≈ σ(z) ≈ e^z（z → −∞）
    for z in [-40.0, -300.0, -700.0] {
        let e = f64::exp(z);
        assert!((Activation::Softplus.value(z) / e - 1.0).abs() < 1e-15);
        assert!((Activation::Sigmoid.value(z) / e - 1.0).abs() < 1e-15);
        assert!((Activation::Sigmoid.derivative(z) / e - 1.0).abs() < 1e-15);
    }
    for act in Activation::ALL {
        assert!(act.value(f64::NAN).is_nan() && act.derivative(f64::NAN).is_nan());
    }
}

// ---------------------------------------------------------------- 全結合層

/// `Dense::forward`・`Dense::backward` を、添字の 3 重ループで書いた定義と比べる。入力は連続でないビュー（転置、
/// 1 つおきの列）も渡す。積和の丸め誤差は `n · ε · Σ|項|` 以下なので、相対 `1e-13` で比べる。
#[test]
fn eq_8_13_dense_matches_index_loops() {
    let mut rng = ChaCha8Rng::seed_from_u64(81);
    for &(b, n_in, n_out) in &[(1, 1, 1), (3, 4, 2), (7, 1, 5), (16, 9, 9), (2, 30, 1)] {
        let w = uniform(&mut rng, (n_in, n_out), -1.0, 1.0);
        let bias = uniform(&mut rng, (1, n_out), -1.0, 1.0).remove_axis(Axis(0));
        let layer = Dense::new(&w, &bias).unwrap();
        let x = uniform(&mut rng, (b, n_in), -2.0, 2.0);
        let g = uniform(&mut rng, (b, n_out), -2.0, 2.0);
        let (mut y, mut dw, mut db, mut dx) = (
            Array2::<f64>::zeros((b, n_out)),
            Array2::<f64>::zeros((n_in, n_out)),
            Array1::<f64>::zeros(n_out),
            Array2::<f64>::zeros((b, n_in)),
        );
        for r in 0..b {
            for j in 0..n_out {
                y[[r, j]] = bias[j];
                db[j] += g[[r, j]];
                for i in 0..n_in {
                    y[[r, j]] += x[[r, i]] * w[[i, j]];
                    dw[[i, j]] += x[[r, i]] * g[[r, j]];
                    dx[[r, i]] += g[[r, j]] * w[[i, j]];
                }
            }
        }
        let close = |a: &Array2<f64>, e: &Array2<f64>| {
            a.dim() == e.dim()
                && a.iter()
                    .zip(e)
                    .all(|(p, q)| (p - q).abs() <= 1e-13 * (1.0 + q.abs()))
        };
        // 連続・転置した元の転置・1 つおきの列の 3 通りで同じ結果
        let xt = x.t().to_owned();
        let mut wide = Array2::zeros((b, 2 * n_in));
        wide.slice_mut(s![.., ..;2]).assign(&x);
        let views: [ArrayView2<f64>; 3] = [x.view(), xt.t(), wide.slice(s![.., ..;2])];
        for v in views {
            assert!(close(&layer.forward(v).unwrap(), &y));
            let (grad, gx) = layer.backward(v, &g).unwrap();
            assert!(close(grad.weights(), &dw), "({b}, {n_in}, {n_out})");
            assert!(close(
                &grad.bias().clone().insert_axis(Axis(0)),
                &db.clone().insert_axis(Axis(0))
            ));
            assert!(close(&gx, &dx));
        }
    }
}

// ---------------------------------------------------------------- 多層パーセプトロンの勾配

/// 勾配の検査に使う損失 `L(A) = Σ_ij (c_ij A_ij + ½ q_ij A_ij²)`。`∂L/∂A = c + q ⊙ A`。
/// 2 次の項で、出力層の活性化の 2 階微分も勾配に効かせる。
struct Loss {
    c: Array2<f64>,
    q: Array2<f64>,
}

impl Loss {
    fn value(&self, a: &Array2<f64>) -> f64 {
        (&self.c * a + &self.q * a * a * 0.5).sum()
    }
    fn grad(&self, a: &Array2<f64>) -> Array2<f64> {
        &self.c + &self.q * a
    }
}

/// ReLU の折れ目をまたぐか（ReLU の層の前活性の符号が `+h` と `−h` で変わる）。またぐ成分の中心差分は正しくない。
fn crosses_kink(net: &Mlp, a: &Forward, b: &Forward) -> bool {
    let last = net.layers().len() - 1;
    a.pre_activations()
        .iter()
        .zip(b.pre_activations())
        .enumerate()
        .filter(|(l, _)| {
            let act = if *l == last {
                net.output_activation()
            } else {
                net.hidden_activation()
            };
            act == Activation::Relu
        })
        .any(|(_, (p, q))| p.iter().zip(q).any(|(u, v)| (*u > 0.0) != (*v > 0.0)))
}

/// 解析的な勾配 `g` と中心差分 `fd` を比べ、`‖g‖²` を返す。
///
/// 許容誤差: 刻み `h = 6e-6`（`prec::FINITE_DIFFERENCE_STEP`）の中心差分の誤差は、打ち切り `h² |L'''| / 6` と
/// 丸め `ε |L| / h` の和である。ここのネットワーク（重み `|W| ≤ 1.3` 程度、入力 `|x| ≤ 2`、幅 ≤ 7、3 層まで）と損失では
/// `|L| ≲ 50`、`|L'''| ≲ 10³` なので、誤差は `6e-9 + 2e-9 ≈ 1e-8` 以下。比べるのは相対誤差（分母 `max(1, |g|)`）で、
/// 許容 `1e-6`（`prec::FINITE_DIFFERENCE_TOLERANCE`）はこの見積もりに 2 桁の余裕を持たせ、符号や因子 2、
/// 活性化の導関数の抜け（相対誤差 0.1 以上）は見分ける。小さい成分の誤りを見逃さないよう、勾配全体の
/// 2 ノルムでも `‖g − fd‖ ≤ 1e-7 ‖g‖ + 1e-8 √n` を求める（`n` は成分の数。`1e-8` は上の 1 成分の誤差の見積もり）。
fn assert_close(what: &str, g: &Array1<f64>, fd: &Array1<f64>, skip: &[bool]) -> (f64, f64) {
    let (mut diff2, mut norm2, mut worst) = (0.0, 0.0, 0.0f64);
    for k in 0..g.len() {
        if skip[k] {
            continue;
        }
        let d = (g[k] - fd[k]).abs();
        assert!(
            d <= FINITE_DIFFERENCE_TOLERANCE * g[k].abs().max(1.0),
            "{what}: 成分 {k}: 解析 {} ≠ 中心差分 {}",
            g[k],
            fd[k]
        );
        diff2 += d * d;
        norm2 += g[k] * g[k];
        worst = worst.max(d / g[k].abs().max(1.0));
    }
    let bound = 1e-7 * norm2.sqrt() + 1e-8 * (g.len() as f64).sqrt();
    assert!(
        diff2.sqrt() <= bound,
        "{what}: ‖g − fd‖ = {:e} > {bound:e}",
        diff2.sqrt()
    );
    (norm2, worst)
}

/// パラメータと入力の勾配を中心差分と比べ、（ReLU の折れ目で）飛ばした成分の数、パラメータの勾配の `‖g‖²`、
/// 最大の相対誤差を返す。
fn check_gradients(net: &Mlp, x: &Array2<f64>, loss: &Loss, what: &str) -> (usize, f64, f64) {
    let fwd = net.forward(x).unwrap();
    let (grads, gx) = net.backward(&fwd, &loss.grad(fwd.output())).unwrap();
    let g = grads.flat();
    assert_eq!(g.len(), net.n_params());
    let theta = net.params_flat();
    let mut work = net.clone();
    let mut skipped = 0;
    // パラメータ
    let mut fd = Array1::zeros(theta.len());
    let mut skip = vec![false; theta.len()];
    for k in 0..theta.len() {
        let h = FINITE_DIFFERENCE_STEP * theta[k].abs().max(1.0);
        let mut eval = |d: f64| {
            let mut t = theta.clone();
            t[k] += d;
            work.set_params_flat(&t).unwrap();
            work.forward(x).unwrap()
        };
        let (plus, minus) = (eval(h), eval(-h));
        skip[k] = crosses_kink(net, &plus, &minus);
        fd[k] = (loss.value(plus.output()) - loss.value(minus.output())) / (2.0 * h);
    }
    skipped += skip.iter().filter(|&&s| s).count();
    let (norm2, worst_theta) = assert_close(&format!("{what} ∂L/∂θ"), &g, &fd, &skip);
    // 入力
    let gx = Array1::from_iter(gx.iter().copied());
    let mut fd = Array1::zeros(gx.len());
    let mut skip = vec![false; gx.len()];
    for k in 0..gx.len() {
        let (r, c) = (k / x.ncols(), k % x.ncols());
        let h = FINITE_DIFFERENCE_STEP * x[[r, c]].abs().max(1.0);
        let eval = |d: f64| {
            let mut xx = x.clone();
            xx[[r, c]] += d;
            net.forward(&xx).unwrap()
        };
        let (plus, minus) = (eval(h), eval(-h));
        skip[k] = crosses_kink(net, &plus, &minus);
        fd[k] = (loss.value(plus.output()) - loss.value(minus.output())) / (2.0 * h);
    }
    skipped += skip.iter().filter(|&&s| s).count();
    let (_, worst_x) = assert_close(&format!("{what} ∂L/∂X"), &gx, &fd, &skip);
    (skipped, norm2, worst_theta.max(worst_x))
}

/// すべての勾配（全パラメータと入力）を、損失の中心差分と比べる。シード 3 通り × 形 5 通り × 隠れ層の活性化 5 通り ×
/// 出力層の活性化 5 通り。ReLU の折れ目をまたぐ成分は飛ばすが、その数は全体の 1 % 未満であることも確かめる。
/// 勾配がほとんど 0 では検査にならないので、9 割の組で `‖∂L/∂θ‖ ≥ 0.3` であることも確かめる
/// （残りは ReLU の死んだユニットや σ の飽和で、出力が入力によらなくなった組）。
#[test]
fn eq_8_15_mlp_gradients_match_central_differences() {
    let shapes: [&[usize]; 5] = [
        &[3, 2],
        &[2, 5, 3],
        &[1, 4, 4, 1],
        &[4, 3, 6, 2],
        &[3, 7, 1],
    ];
    let (mut checked, mut skipped, mut cases, mut strong, mut worst) = (0, 0, 0, 0, 0.0f64);
    for seed in 0..3u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
        for sizes in shapes {
            for hidden in Activation::ALL {
                for output in Activation::ALL {
                    let net = Mlp::new(sizes, hidden, output, &mut rng).unwrap();
                    // 0 のバイアスでは ReLU の折れ目に乗る入力が出やすいので、バイアスも乱数にする
                    let mut theta = net.params_flat();
                    theta
                        .iter_mut()
                        .for_each(|t| *t += rng.random_range(-0.3..0.3));
                    let mut net = net;
                    net.set_params_flat(&theta).unwrap();
                    let batch = 1 + (seed as usize) * 2;
                    let x = uniform(&mut rng, (batch, sizes[0]), -2.0, 2.0);
                    let n_out = sizes[sizes.len() - 1];
                    let loss = Loss {
                        c: uniform(&mut rng, (batch, n_out), 1.0, 3.0),
                        q: uniform(&mut rng, (batch, n_out), -1.0, 1.0),
                    };
                    let what = format!("シード {seed}、{sizes:?}、{hidden:?}/{output:?}");
                    let (s, norm2, w) = check_gradients(&net, &x, &loss, &what);
                    worst = worst.max(w);
                    skipped += s;
                    checked += net.n_params() + x.len();
                    cases += 1;
                    strong += usize::from(norm2 >= 0.09);
                }
            }
        }
    }
    eprintln!(
        "成分 {checked}、飛ばした成分 {skipped}、勾配が 0 に近くない組 {strong} / {cases}、最大の相対誤差 {worst:.1e}"
    );
    assert!(
        skipped * 100 < checked,
        "飛ばした成分 {skipped} / {checked}"
    );
    assert!(
        strong * 10 >= cases * 9,
        "勾配が 0 に近くない組 {strong} / {cases}"
    );
}

/// `backward` が返す入力の勾配は、次の層への `G` として使える: 2 つのネットワークをつないだ `g ∘ f` の勾配を、
/// `f` と `g` それぞれの誤差逆伝播をつないで求めたものは、2 つを 1 つにしたネットワークの勾配と一致する。
#[test]
fn backward_composes_across_networks() {
    let mut rng = ChaCha8Rng::seed_from_u64(82);
    let f = Mlp::new(&[3, 5, 4], Activation::Tanh, Activation::Tanh, &mut rng).unwrap();
    let g = Mlp::new(&[4, 6, 2], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
    let whole = Mlp::from_layers(
        f.layers().iter().chain(g.layers()).cloned().collect(),
        Activation::Tanh,
        Activation::Identity,
    )
    .unwrap();
    let x = uniform(&mut rng, (5, 3), -1.0, 1.0);
    let gy = uniform(&mut rng, (5, 2), -1.0, 1.0);
    let ff = f.forward(&x).unwrap();
    let gf = g.forward(ff.output()).unwrap();
    let (g_grads, g_in) = g.backward(&gf, &gy).unwrap();
    let (f_grads, f_in) = f.backward(&ff, &g_in).unwrap();
    let wf = whole.forward(&x).unwrap();
    assert!((wf.output() - gf.output()).iter().all(|d| d.abs() < 1e-15));
    let (w_grads, w_in) = whole.backward(&wf, &gy).unwrap();
    let joined: Vec<f64> = f_grads
        .flat()
        .iter()
        .chain(&g_grads.flat())
        .copied()
        .collect();
    assert!(
        w_grads
            .flat()
            .iter()
            .zip(&joined)
            .all(|(a, b)| (a - b).abs() < 1e-14)
    );
    assert!((&w_in - &f_in).iter().all(|d| d.abs() < 1e-14));
}

// ---------------------------------------------------------------- 初期化・パラメータの並び

/// 初期化: 同じシードなら同じ、重みは `(−a, a)` の一様分布（平均 0、分散 `a²/3`）、バイアスは 0。
/// `a` は ReLU・softplus の前は He の `√(6/n_in)`、ほかは Glorot の `√(6/(n_in + n_out))`。
/// 256 × 256 の `65 536` 個の標本の分散の相対的な標準誤差は `√(0.8 / 65536) ≈ 0.0035` なので、5 % で比べる。
#[test]
fn initialisation_is_seeded_glorot_or_he() {
    for (act, he) in [
        (Activation::Tanh, false),
        (Activation::Sigmoid, false),
        (Activation::Identity, false),
        (Activation::Relu, true),
        (Activation::Softplus, true),
    ] {
        let sizes = [100, 256, 256, 10];
        let mut r1 = ChaCha8Rng::seed_from_u64(83);
        let mut r2 = ChaCha8Rng::seed_from_u64(83);
        let net = Mlp::new(&sizes, act, Activation::Identity, &mut r1).unwrap();
        assert_eq!(
            net,
            Mlp::new(&sizes, act, Activation::Identity, &mut r2).unwrap()
        );
        for (l, layer) in net.layers().iter().enumerate() {
            let (n_in, n_out) = (sizes[l], sizes[l + 1]);
            let last = l + 1 == net.layers().len();
            let a = if he && !last {
                (6.0 / n_in as f64).sqrt()
            } else {
                (6.0 / (n_in + n_out) as f64).sqrt()
            };
            let w = layer.weights();
            assert!(w.iter().all(|v| v.abs() < a), "{act:?} 層 {l}");
            assert!(layer.bias().iter().all(|&b| b == 0.0));
            if n_out == 256 {
                let n = w.len() as f64;
                let mean = w.sum() / n;
                let var = w.iter().map(|v| v * v).sum::<f64>() / n - mean * mean;
                assert!(
                    mean.abs() < 5.0 * (a * a / 3.0 / n).sqrt(),
                    "{act:?} 層 {l}: 平均 {mean}"
                );
                assert!(
                    (var / (a * a / 3.0) - 1.0).abs() < 0.05,
                    "{act:?} 層 {l}: 分散 {var}"
                );
            }
        }
    }
}

#[test]
fn flat_parameters_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(84);
    let mut net = Mlp::new(&[3, 4, 2], Activation::Relu, Activation::Sigmoid, &mut rng).unwrap();
    let theta = net.params_flat();
    assert_eq!(theta.len(), 4 * 4 + 5 * 2);
    // 並び: 層 0 の W（行の順）、b、層 1 の W、b
    assert_eq!(theta[1], net.layers()[0].weights()[[0, 1]]);
    assert_eq!(theta[4], net.layers()[0].weights()[[1, 0]]);
    assert_eq!(theta[12], net.layers()[0].bias()[0]);
    assert_eq!(theta[16], net.layers()[1].weights()[[0, 0]]);
    let new = Array1::from_iter((0..theta.len()).map(|k| k as f64 * 0.1));
    net.set_params_flat(&new).unwrap();
    assert_eq!(net.params_flat(), new);
    let g = Gradients::from_flat(&net, &new).unwrap();
    assert_eq!(g.flat(), new);
    assert_eq!(g.layers()[1].bias(), &array![24.0 * 0.1, 25.0 * 0.1]);
    // 連続でないビュー（逆順）も添字どおりに読む
    let rev = new.slice(s![..;-1]);
    net.set_params_flat(rev).unwrap();
    assert_eq!(net.params_flat()[0], new[new.len() - 1]);
}

// ---------------------------------------------------------------- Adam

/// 最初の歩: `m_1 = (1 − β₁) g`、`v_1 = (1 − β₂) g²` なので、偏りの補正で `m̂_1 = g`、`v̂_1 = g²`、
/// 更新は `−α g / (|g| + ε)`。`ε ≪ |g|` なら `|g| + ε = |g|` と丸まり、ちょうど `−α sign(g)`。
/// `β₁ = 1/2`、`β₂ = 3/4` では `1 − β`、その逆数、`(1 − β) g` などの掛け算がどれも 2 の冪で正確で、
/// `√(g²) = |g|` も 2 進の浮動小数点数で正確なので、結果は `θ − α sign(g)` と 1 ビットも違わない
/// （`ε = 1e-150` は `|g| ≥ 1e-100` に足しても丸めで消える）。
/// 推奨値 `β₁ = 0.9`、`β₂ = 0.999` では `1 − β` の丸めが入り、相対 4ε で一致する。`g = 0` の成分は動かない。
#[test]
fn adam_first_step_moves_each_parameter_by_learning_rate_times_sign() {
    let mut rng = ChaCha8Rng::seed_from_u64(85);
    let g_flat = array![3.0, -1e-3, 1e-100, -7e100, 0.0, 0.5, -2.0, 1.0, 123.456];
    for (b1, b2, exact) in [(0.5, 0.75, true), (0.9, 0.999, false)] {
        let mut net = Mlp::new(&[2, 3], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
        let theta0 = net.params_flat();
        let grads = Gradients::from_flat(&net, &g_flat).unwrap();
        let lr = 0.01;
        let mut adam = Adam::new(lr, b1, b2, 1e-150).unwrap();
        adam.step(&mut net, &grads).unwrap();
        let theta1 = net.params_flat();
        for k in 0..g_flat.len() {
            let g = g_flat[k];
            let want = if g == 0.0 {
                theta0[k]
            } else {
                theta0[k] - lr * g.signum()
            };
            if exact {
                assert_eq!(theta1[k], want, "成分 {k}");
            } else {
                assert!(
                    (theta1[k] - want).abs() <= 4.0 * f64::EPSILON * lr,
                    "成分 {k}"
                );
            }
        }
    }
}

/// 2 歩目を手で求める（`β₁ = 1/2`、`β₂ = 3/4`、`ε` は無視できる大きさ、`α = 0.1`）。
///
/// - 成分 0: `g = (1, −1)`。`m_2 = ½·½ − ½ = −¼`、`v_2 = ¾·¼ + ¼·1 = 7/16`、`m̂_2 = −¼ / (1 − ¼) = −⅓`、
///   `v̂_2 = (7/16) / (1 − 9/16) = 1`。2 歩目の更新は `+α/3`。
/// - 成分 1: `g = (2, 2)`（一定）。`m̂ = 2`、`v̂ = 4` なので、2 歩目も `−α`。
/// - 成分 2: `g = (1, 3)`。`m_2 = ¼ + 3/2 = 7/4`、`v_2 = 3/16 + 9/4 = 39/16`、`m̂_2 = 7/3`、`v̂_2 = 39/7`。
///   更新は `−α (7/3) / √(39/7)`。
///
/// 成分 3（`g = (0, 0)`）は動かない。
#[test]
fn adam_second_step_matches_hand_computation() {
    let net0 = Mlp::from_layers(
        vec![Dense::zeros(1, 2).unwrap()],
        Activation::Tanh,
        Activation::Identity,
    )
    .unwrap();
    let mut net = net0.clone();
    let lr = 0.1;
    let mut adam = Adam::new(lr, 0.5, 0.75, 1e-150).unwrap();
    let g1 = Gradients::from_flat(&net, &array![1.0, 2.0, 1.0, 0.0]).unwrap();
    let g2 = Gradients::from_flat(&net, &array![-1.0, 2.0, 3.0, 0.0]).unwrap();
    adam.step(&mut net, &g1).unwrap();
    let after1 = net.params_flat();
    assert_eq!(after1, array![-lr, -lr, -lr, 0.0]);
    adam.step(&mut net, &g2).unwrap();
    let d = &net.params_flat() - &after1;
    let want = [
        lr / 3.0,
        -lr,
        -lr * (7.0 / 3.0) / (39.0f64 / 7.0).sqrt(),
        0.0,
    ];
    for k in 0..4 {
        assert!(
            (d[k] - want[k]).abs() <= 4.0 * f64::EPSILON * lr,
            "成分 {k}: {} ≠ {}",
            d[k],
            want[k]
        );
    }
    assert_eq!(adam.steps(), 2);
}

/// 勾配が一定なら、どの歩でも `m̂_t = g`、`v̂_t = g²`（`m_t = (1 − β₁^t) g` を偏りの補正が打ち消す）なので、
/// `t` 歩で各パラメータはちょうど `t α sign(g)` 動く。
#[test]
fn adam_with_constant_gradient_moves_linearly() {
    let mut net = Mlp::from_layers(
        vec![Dense::zeros(2, 2).unwrap()],
        Activation::Tanh,
        Activation::Identity,
    )
    .unwrap();
    let g = Gradients::from_flat(&net, &array![5.0, -0.25, 1e-3, -40.0, 0.0, 2.0]).unwrap();
    let mut adam = Adam::default();
    for _ in 0..100 {
        adam.step(&mut net, &g).unwrap();
    }
    let want = array![-0.1, 0.1, -0.1, 0.1, 0.0, -0.1];
    // 1 歩ごとに m̂ / √v̂ が 1 から数 ε ずれ、ε = 1e-8 が |g| = 1e-3 の相対 1e-5 の分だけ歩幅を縮める
    for (a, b) in net.params_flat().iter().zip(&want) {
        assert!((a - b).abs() <= 2e-6, "{a} ≠ {b}");
    }
}

/// 凸な 2 次関数 `L(θ) = ½ Σ_k c_k (θ_k − t_k)²`（`c_k ∈ [0.1, 10]`、曲率が 100 倍違う）の最小点は `θ = t`。
/// Adam（`α = 0.05`）で 3000 歩、その後 `α` を 10 歩ごとに 0.9 倍にして 2000 歩進めると、`|θ_k − t_k| ≤ 1e-12`
/// （実際は `t_k` の丸めの程度の `4e-16`）。学習率を一定にした Adam は最小点のまわりを `α` 程度で揺れうるので、
/// 学習率を減らして最小点に寄せる。
#[test]
fn adam_minimises_a_convex_quadratic() {
    let mut rng = ChaCha8Rng::seed_from_u64(86);
    let mut net = Mlp::new(&[3, 4, 2], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
    let n = net.n_params();
    let c = Array1::from_iter((0..n).map(|k| 10f64.powf(-1.0 + 2.0 * k as f64 / (n - 1) as f64)));
    let t = Array1::from_iter((0..n).map(|_| rng.random_range(-3.0..3.0)));
    let mut adam = Adam::new(0.05, 0.9, 0.999, 1e-8).unwrap();
    for step in 0..5000 {
        if step >= 3000 && step % 10 == 0 {
            adam.set_learning_rate(adam.learning_rate() * 0.9).unwrap();
        }
        let g = &c * &(&net.params_flat() - &t);
        let grads = Gradients::from_flat(&net, &g).unwrap();
        adam.step(&mut net, &grads).unwrap();
    }
    let err = (&net.params_flat() - &t)
        .iter()
        .fold(0.0f64, |m, d| m.max(d.abs()));
    eprintln!("2 次関数: max |θ − t| = {err:.1e}");
    assert!(err <= 1e-12, "max |θ − t| = {err:e}");
}

/// 誤りのときは何も変えない: 形の違う勾配、`g²` があふれる勾配、パラメータがあふれる更新。
#[test]
fn adam_errors_leave_everything_unchanged() {
    let mut net = Mlp::from_layers(
        vec![Dense::new(&array![[1e308]], &array![0.0]).unwrap()],
        Activation::Tanh,
        Activation::Identity,
    )
    .unwrap();
    let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8).unwrap();
    let ones = Gradients::from_flat(&net, &array![1.0, 1.0]).unwrap();
    adam.step(&mut net, &ones).unwrap();
    let (p, a) = (net.params_flat(), adam.clone());
    let other = Mlp::from_layers(
        vec![Dense::zeros(1, 2).unwrap()],
        Activation::Tanh,
        Activation::Identity,
    )
    .unwrap();
    let wrong = Gradients::from_flat(&other, &array![1.0, 1.0, 1.0, 1.0]).unwrap();
    assert!(matches!(
        adam.step(&mut net, &wrong),
        Err(Error::DimensionMismatch { .. })
    ));
    // |g| > 1.4e154 では g² が ∞
    let huge = Gradients::from_flat(&net, &array![0.0, 1e155]).unwrap();
    assert!(matches!(
        adam.step(&mut net, &huge),
        Err(Error::Overflow { .. })
    ));
    // 学習率 1e308 で 1e308 のパラメータを動かすと +∞
    let mut big = Adam::new(1e308, 0.9, 0.999, 1e-8).unwrap();
    let plus = Gradients::from_flat(&net, &array![-1.0, 0.0]).unwrap();
    assert!(matches!(
        big.step(&mut net, &plus),
        Err(Error::Overflow { .. })
    ));
    assert_eq!(big.steps(), 0);
    assert_eq!((net.params_flat(), adam), (p, a));
}

// ---------------------------------------------------------------- 学習

/// 平均 2 乗誤差 `(1/(B n)) Σ (y − t)²` とその `∂/∂y`。
fn mse(y: &Array2<f64>, t: &Array2<f64>) -> (f64, Array2<f64>) {
    let d = y - t;
    let n = d.len() as f64;
    (d.mapv(|v| v * v).sum() / n, d * (2.0 / n))
}

/// 2 → 32 → 32 → 1（tanh）で、滑らかな関数 `f(x) = sin(πx₁) cos(πx₂/2)` を `[−1, 1]²` の 16 × 16 の格子
/// （256 点、全点を 1 つのミニバッチ）に当てはめる。関数の分散は約 0.25（平均 2 乗誤差の出発点）。
/// Adam（`α = 0.01`）で 3000 歩の後、学習に使わない 400 点の乱数の点でも平均 2 乗誤差は `1e-3` 未満になる
/// （このシードでは学習 `2.8e-4`、検査 `2.2e-4`。上限 `1e-3` は 3 倍ほどの余裕で、学習が止まった・誤った勾配
/// （出発点の `0.23` からほとんど下がらない）とは 2 桁以上離れる）。
#[test]
fn mlp_fits_a_smooth_function() {
    let f = |x1: f64, x2: f64| {
        (std::f64::consts::PI * x1).sin() * (std::f64::consts::FRAC_PI_2 * x2).cos()
    };
    let grid = Array2::from_shape_fn((256, 2), |(r, c)| {
        -1.0 + 2.0 * (if c == 0 { r / 16 } else { r % 16 }) as f64 / 15.0
    });
    let target = Array2::from_shape_fn((256, 1), |(r, _)| f(grid[[r, 0]], grid[[r, 1]]));
    let mut rng = ChaCha8Rng::seed_from_u64(87);
    let mut net = Mlp::new(
        &[2, 32, 32, 1],
        Activation::Tanh,
        Activation::Identity,
        &mut rng,
    )
    .unwrap();
    let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let (first, _) = mse(&net.predict(&grid).unwrap(), &target);
    for _ in 0..3000 {
        let fwd = net.forward(&grid).unwrap();
        let (_, g) = mse(fwd.output(), &target);
        let (grads, _) = net.backward(&fwd, &g).unwrap();
        adam.step(&mut net, &grads).unwrap();
    }
    let (train, _) = mse(&net.predict(&grid).unwrap(), &target);
    let test_x = uniform(&mut rng, (400, 2), -1.0, 1.0);
    let test_t = Array2::from_shape_fn((400, 1), |(r, _)| f(test_x[[r, 0]], test_x[[r, 1]]));
    let (test, _) = mse(&net.predict(&test_x).unwrap(), &test_t);
    eprintln!("平均 2 乗誤差: 初め {first:.3e}、学習 {train:.3e}、検査 {test:.3e}");
    assert!(first > 0.1);
    assert!(train < 1e-3 && test < 1e-3, "学習 {train:e}、検査 {test:e}");
}

// ---------------------------------------------------------------- 誤りの場合

#[test]
fn error_cases() {
    let mut rng = ChaCha8Rng::seed_from_u64(88);
    let net = Mlp::new(&[3, 4, 2], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
    // 空のミニバッチ・幅違い・非有限
    assert_eq!(
        net.forward(&Array2::zeros((0, 3))).map(|_| ()),
        Err(Error::EmptyInput)
    );
    assert_eq!(
        net.predict(&Array2::zeros((0, 3))).map(|_| ()),
        Err(Error::EmptyInput)
    );
    assert_eq!(
        net.forward(&Array2::zeros((2, 4))).map(|_| ()),
        Err(Error::DimensionMismatch {
            expected: 3,
            actual: 4
        })
    );
    let mut x = Array2::zeros((2, 3));
    x[[1, 2]] = f64::NAN;
    assert!(matches!(
        net.forward(&x),
        Err(Error::NonFinite { index: 5, .. })
    ));
    x[[1, 2]] = f64::NEG_INFINITY;
    assert!(matches!(net.predict(&x), Err(Error::NonFinite { .. })));
    // 幅 0 の層・層の数・大きすぎる大きさ
    for sizes in [&[3, 0, 2][..], &[0, 2], &[2, 0], &[], &[5]] {
        assert!(
            matches!(
                Mlp::new(sizes, Activation::Tanh, Activation::Identity, &mut rng),
                Err(Error::InvalidParameter { .. })
            ),
            "{sizes:?}"
        );
    }
    assert!(matches!(
        Dense::zeros(0, 1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Dense::new(&Array2::zeros((2, 0)), &Array1::zeros(0)),
        Err(Error::InvalidParameter { .. })
    ));
    let big = [2, 4096, 4096];
    assert!(matches!(
        Mlp::new(&big, Activation::Tanh, Activation::Identity, &mut rng),
        Err(Error::TooLarge {
            max: MAX_PARAMETERS,
            ..
        })
    ));
    assert!(matches!(
        Mlp::new(
            &[usize::MAX, 2],
            Activation::Tanh,
            Activation::Identity,
            &mut rng
        ),
        Err(Error::TooLarge {
            requested: usize::MAX,
            ..
        })
    ));
    assert!(matches!(
        Mlp::from_layers(
            vec![
                Dense::zeros(4095, 4096).unwrap(),
                Dense::zeros(4096, 1).unwrap()
            ],
            Activation::Tanh,
            Activation::Identity
        ),
        Err(Error::TooLarge { .. })
    ));
    // 誤差逆伝播: 別の形のネットワークの Forward、形の違う・非有限の G
    let fwd = net.forward(&Array2::zeros((2, 3))).unwrap();
    let other = Mlp::new(&[3, 5, 2], Activation::Tanh, Activation::Identity, &mut rng).unwrap();
    assert!(matches!(
        other.backward(&fwd, &Array2::zeros((2, 2))),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(
        net.backward(&fwd, &Array2::zeros((3, 2))).map(|_| ()),
        Err(Error::DimensionMismatch {
            expected: 2,
            actual: 3
        })
    );
    assert!(matches!(
        net.backward(&fwd, &array![[0.0, f64::INFINITY], [0.0, 0.0]]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    // あふれ: 大きい重みで前活性が ∞
    let huge = Mlp::from_layers(
        vec![Dense::new(&array![[1e300], [1e300]], &array![0.0]).unwrap()],
        Activation::Relu,
        Activation::Identity,
    )
    .unwrap();
    assert!(matches!(
        huge.forward(&array![[1e10, 1e10]]),
        Err(Error::Overflow { .. })
    ));
    // Adam の設定
    for (lr, b1, b2, e) in [
        (0.0, 0.9, 0.999, 1e-8),
        (-1.0, 0.9, 0.999, 1e-8),
        (f64::NAN, 0.9, 0.999, 1e-8),
        (f64::INFINITY, 0.9, 0.999, 1e-8),
        (0.1, 1.0, 0.999, 1e-8),
        (0.1, -1e-300, 0.999, 1e-8),
        (0.1, 0.9, 1.0, 1e-8),
        (0.1, 0.9, f64::NAN, 1e-8),
        (0.1, 0.9, 0.999, 0.0),
        (0.1, 0.9, 0.999, -1e-8),
        (0.1, 0.9, 0.999, f64::INFINITY),
        (0.1, 0.9, 0.999, 1e-151),
    ] {
        assert!(
            matches!(
                Adam::new(lr, b1, b2, e),
                Err(Error::InvalidParameter { .. })
            ),
            "{lr} {b1} {b2} {e}"
        );
    }
    assert!(Adam::new(1e-3, 0.0, 0.0, 1e-150).is_ok());
}

/// `predict` は `forward` の出力と同じで、連続でない入力（転置・逆順の行）も添字どおりに読む。
#[test]
fn predict_equals_forward_on_any_view() {
    let mut rng = ChaCha8Rng::seed_from_u64(89);
    for hidden in Activation::ALL {
        let net = Mlp::new(&[4, 6, 3], hidden, Activation::Sigmoid, &mut rng).unwrap();
        let x = uniform(&mut rng, (5, 4), -1.0, 1.0);
        let y = net.forward(&x).unwrap().output().clone();
        assert_eq!(net.predict(&x).unwrap(), y);
        let xt = x.t().to_owned();
        assert_eq!(net.predict(xt.t()).unwrap(), y);
        let rev = x.slice(s![..;-1, ..]);
        let yr = net.predict(rev).unwrap();
        assert_eq!(yr, y.slice(s![..;-1, ..]));
    }
}
