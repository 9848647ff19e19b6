//! 制限ボルツマンマシン（`genmodel::boltzmann::rbm`、第 4 章の準備）の検証。
//!
//! 第 4 章はまだないので、テストの名前は `eq_*` ではなく `rbm_*` とする。
//! 期待値は実装とは独立に、エネルギー `E(v, h) = −bᵀv − cᵀh − vᵀWh` を定義どおりに 3 重ループで計算し、
//! 全 `(v, h)` を列挙した和（log-sum-exp）から求める。小さい方の層だけの和・softplus・Gray 符号・
//! 活性の差分更新はどれも使わない。
//!
//! 許容誤差は相対 `1e-10`（分母は `max(1, |期待値|)`）とする。両辺とも `N_v + N_h ≤ 12`、すなわち
//! 高々 `2^12` 項の和で、各項の指数は `|E| ≲ 30` の程度なので、丸め誤差は和の項数ぶん溜まっても
//! `2^12 · ε · 30 ≈ 3e-11` 以下（実際には `1e-14` 程度）である。`1e-10` はそれより大きく、一方で
//! 式の誤り（符号、softplus の代わりに ln(1 + x)、層の取り違え、項の落ち）が生む `1e-3` 以上のずれは確実に見分ける。

use genmodel::Error;
use genmodel::boltzmann::rbm::{MAX_ENUMERATION_L1, MAX_RBM_SUMMED_UNITS, Rbm, sigmoid, softplus};
use genmodel::logspace::log_sum_exp;
use genmodel::ndarray::{Array1, Array2, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 相対誤差の許容（根拠は冒頭のコメント）。
const TOL: f64 = 1e-10;

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}

fn random_rbm(rng: &mut ChaCha8Rng, nv: usize, nh: usize, scale: f64) -> Rbm {
    let w = Array2::from_shape_fn((nv, nh), |_| rng.random_range(-scale..scale));
    let b = Array1::from_shape_fn(nv, |_| rng.random_range(-1.0..1.0));
    let c = Array1::from_shape_fn(nh, |_| rng.random_range(-1.0..1.0));
    Rbm::new(w, b, c).unwrap()
}

/// 状態の番号 `s` の第 `k` ビットをユニット `k` の値とする。
fn bits(s: usize, n: usize) -> Vec<u8> {
    (0..n).map(|k| ((s >> k) & 1) as u8).collect()
}

/// 定義どおりのエネルギー `E(v, h) = −Σ b_i v_i − Σ c_j h_j − Σ_ij v_i W_ij h_j`。
fn energy(rbm: &Rbm, v: &[u8], h: &[u8]) -> f64 {
    let (w, b, c) = (rbm.weights(), rbm.visible_bias(), rbm.hidden_bias());
    let mut e = 0.0;
    for (i, &vi) in v.iter().enumerate() {
        e -= b[i] * f64::from(vi);
        for (j, &hj) in h.iter().enumerate() {
            e -= f64::from(vi) * w[[i, j]] * f64::from(hj);
        }
    }
    for (j, &hj) in h.iter().enumerate() {
        e -= c[j] * f64::from(hj);
    }
    e
}

/// 全 `(v, h)` の `−E` を並べる（`v` ごとに `h` の全状態）。
fn all_exponents(rbm: &Rbm) -> Vec<Vec<f64>> {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    (0..1usize << nv)
        .map(|sv| {
            let v = bits(sv, nv);
            (0..1usize << nh)
                .map(|sh| -energy(rbm, &v, &bits(sh, nh)))
                .collect()
        })
        .collect()
}

fn brute_log_z(rbm: &Rbm) -> f64 {
    let all: Vec<f64> = all_exponents(rbm).into_iter().flatten().collect();
    log_sum_exp(&all).unwrap()
}

/// `F(v) = −ln Σ_h exp(−E(v, h))` を定義どおりに。
fn brute_free_energy(rbm: &Rbm, v: &[u8]) -> f64 {
    let nh = rbm.n_hidden();
    let e: Vec<f64> = (0..1usize << nh)
        .map(|sh| -energy(rbm, v, &bits(sh, nh)))
        .collect();
    -log_sum_exp(&e).unwrap()
}

/// (N_v, N_h): N_h ≤ N_v と N_h > N_v の両方、N_v + N_h ≤ 12。
const SIZES: [(usize, usize); 12] = [
    (1, 1),
    (2, 1),
    (1, 2),
    (5, 3),
    (3, 5),
    (1, 6),
    (6, 1),
    (6, 6),
    (4, 8),
    (8, 4),
    (2, 10),
    (7, 5),
];

#[test]
fn eq_4_1_rbm_energy_matches_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.5);
        for sv in 0..1usize << nv {
            for sh in 0..1usize << nh {
                let (v, h) = (bits(sv, nv), bits(sh, nh));
                let got = rbm.energy(&v, &h).unwrap();
                assert!(close(got, energy(&rbm, &v, &h), TOL), "{nv}×{nh}");
            }
        }
    }
}

#[test]
fn eq_4_6_log_z_matches_brute_force_in_both_branches() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let (mut hidden_branch, mut visible_branch) = (0, 0);
    for &(nv, nh) in &SIZES {
        for scale in [0.1, 1.5, 4.0] {
            let rbm = random_rbm(&mut rng, nv, nh, scale);
            let (got, want) = (rbm.log_z().unwrap(), brute_log_z(&rbm));
            assert!(close(got, want, TOL), "{nv}×{nh}: {got} vs {want}");
        }
        if nh <= nv {
            hidden_branch += 1;
        } else {
            visible_branch += 1;
        }
    }
    assert!(hidden_branch >= 3 && visible_branch >= 3);
}

#[test]
fn eq_4_5_free_energy_matches_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        for sv in 0..1usize << nv {
            let v = bits(sv, nv);
            let (got, want) = (rbm.free_energy(&v).unwrap(), brute_free_energy(&rbm, &v));
            assert!(close(got, want, TOL), "{nv}×{nh} v = {v:?}");
        }
    }
}

#[test]
fn rbm_marginal_sums_to_one() {
    // Σ_v exp(−F(v) − ln Z) = 1: 自由エネルギーと ln Z が同じ分布を表す
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        let lz = rbm.log_z().unwrap();
        let total: f64 = (0..1usize << nv)
            .map(|sv| (-rbm.free_energy(bits(sv, nv).as_slice()).unwrap() - lz).exp())
            .sum();
        assert!(close(total, 1.0, TOL), "{nv}×{nh}: {total}");
    }
}

#[test]
fn eq_4_2_posterior_is_the_product_of_unit_conditionals() {
    // q(h | v) の素朴な値 e^{−E(v,h)} / Σ_h e^{−E} と、クレートの q(h_j = 1 | v) の積 Π p_j^{h_j} (1 − p_j)^{1−h_j}
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        let ex = all_exponents(&rbm);
        for (sv, row) in ex.iter().enumerate() {
            let p = rbm.p_h_given_v(bits(sv, nv).as_slice()).unwrap();
            let norm = log_sum_exp(row).unwrap();
            for (sh, &e) in row.iter().enumerate() {
                let product: f64 = (0..nh)
                    .map(|j| if (sh >> j) & 1 == 1 { p[j] } else { 1.0 - p[j] })
                    .product();
                assert!(close(product, (e - norm).exp(), TOL), "{nv}×{nh} q(h|v)");
            }
        }
    }
}

#[test]
fn eq_4_3_hidden_conditional_matches_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        let ex = all_exponents(&rbm);
        // q(h_j = 1 | v) = Σ_{h: h_j = 1} e^{−E} / Σ_h e^{−E}
        for (sv, row) in ex.iter().enumerate() {
            let p = rbm.p_h_given_v(bits(sv, nv).as_slice()).unwrap();
            let norm = log_sum_exp(row).unwrap();
            for (j, &pj) in p.iter().enumerate() {
                let on: Vec<f64> = (0..1usize << nh)
                    .filter(|sh| (sh >> j) & 1 == 1)
                    .map(|sh| row[sh])
                    .collect();
                let want = (log_sum_exp(&on).unwrap() - norm).exp();
                assert!(close(pj, want, TOL), "{nv}×{nh} p(h_{j}|v)");
            }
        }
    }
}

#[test]
fn eq_4_4_visible_conditional_matches_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        let ex = all_exponents(&rbm);
        // q(v_i = 1 | h) = Σ_{v: v_i = 1} e^{−E} / Σ_v e^{−E}
        for sh in 0..1usize << nh {
            let p = rbm.p_v_given_h(bits(sh, nh).as_slice()).unwrap();
            let col: Vec<f64> = ex.iter().map(|row| row[sh]).collect();
            let norm = log_sum_exp(&col).unwrap();
            for (i, &pi) in p.iter().enumerate() {
                let on: Vec<f64> = (0..1usize << nv)
                    .filter(|sv| (sv >> i) & 1 == 1)
                    .map(|sv| col[sv])
                    .collect();
                let want = (log_sum_exp(&on).unwrap() - norm).exp();
                assert!(close(pi, want, TOL), "{nv}×{nh} p(v_{i}|h)");
            }
        }
    }
}

#[test]
fn rbm_mean_log_likelihood_matches_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        let data = Array2::from_shape_fn((9, nv), |_| u8::from(rng.random_bool(0.4)));
        let lz = brute_log_z(&rbm);
        let want = data
            .rows()
            .into_iter()
            .map(|v| -brute_free_energy(&rbm, v.to_vec().as_slice()) - lz)
            .sum::<f64>()
            / 9.0;
        let got = rbm.mean_log_likelihood(&data).unwrap();
        assert!(close(got, want, TOL), "{nv}×{nh}: {got} vs {want}");
        // 連続でないビュー（転置の転置、1 行おきの切り出し）も添字どおりに読む
        let t = data.t().to_owned();
        assert_eq!(rbm.mean_log_likelihood(t.t()).unwrap(), got);
        let every_other = data.slice(s![..;2, ..]);
        let want2 = every_other
            .rows()
            .into_iter()
            .map(|v| -brute_free_energy(&rbm, v.to_vec().as_slice()) - lz)
            .sum::<f64>()
            / every_other.nrows() as f64;
        let got2 = rbm.mean_log_likelihood(every_other).unwrap();
        assert!(close(got2, want2, TOL));
    }
}

/// 活性を状態ごとに定義から計算し直す和: `ln Σ_s exp(aᵀs + Σ_i softplus(d_i + Σ_k s_k u_k[i]))`。
fn direct_sum(u: &Array2<f64>, a: &Array1<f64>, d: &Array1<f64>) -> f64 {
    // u は (反対側の層) × (和をとる層)
    let m = a.len();
    let terms: Vec<f64> = (0..1usize << m)
        .map(|s| {
            let st = bits(s, m);
            let lin: f64 = (0..m).map(|k| a[k] * f64::from(st[k])).sum();
            let sp: f64 = (0..d.len())
                .map(|i| softplus(d[i] + (0..m).map(|k| u[[i, k]] * f64::from(st[k])).sum::<f64>()))
                .sum();
            lin + sp
        })
        .collect();
    log_sum_exp(&terms).unwrap()
}

#[test]
fn rbm_gray_code_path_matches_direct_sum_at_16_units() {
    // Gray 符号の差分更新（2^16 歩）は、状態ごとの計算し直しと 1e-9 で一致する。
    // 差分更新の誤差は RESYNC = 256 歩ぶんの足し引き（256 · ε · Σ|W 列| ≈ 1e-12）に抑えられる
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // N_h = 16 ≤ N_v = 20: 隠れ層の和
    let rbm = random_rbm(&mut rng, 20, 16, 1.0);
    let want = direct_sum(
        &rbm.weights().to_owned(),
        &rbm.hidden_bias().to_owned(),
        &rbm.visible_bias().to_owned(),
    );
    let got = rbm.log_z().unwrap();
    assert!(close(got, want, 1e-9), "{got} vs {want}");
    // N_v = 16 < N_h = 20: 可視層の和
    let rbm = random_rbm(&mut rng, 16, 20, 1.0);
    let want = direct_sum(
        &rbm.weights().t().to_owned(),
        &rbm.visible_bias().to_owned(),
        &rbm.hidden_bias().to_owned(),
    );
    let got = rbm.log_z().unwrap();
    assert!(close(got, want, 1e-9), "{got} vs {want}");
}

#[test]
fn rbm_huge_weights_give_finite_log_z() {
    // |W| = 1e3: Z = e^{数千} は f64 であふれるが、ln Z は有限で、全 (v, h) の log-sum-exp と一致する
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    for &(nv, nh) in &[(6, 5), (4, 7), (8, 4)] {
        let w = Array2::from_shape_fn((nv, nh), |_| if rng.random_bool(0.5) { 1e3 } else { -1e3 });
        let b = Array1::from_shape_fn(nv, |_| rng.random_range(-1.0..1.0));
        let c = Array1::from_shape_fn(nh, |_| rng.random_range(-1.0..1.0));
        let rbm = Rbm::new(w, b, c).unwrap();
        let got = rbm.log_z().unwrap();
        let want = brute_log_z(&rbm);
        assert!(got.is_finite() && want > 700.0, "{nv}×{nh}: ln Z = {want}");
        assert!(close(got, want, TOL), "{nv}×{nh}: {got} vs {want}");
        for sv in 0..1usize << nv {
            let v = bits(sv, nv);
            let f = rbm.free_energy(&v).unwrap();
            assert!(close(f, brute_free_energy(&rbm, &v), TOL));
            assert!(
                rbm.p_h_given_v(&v)
                    .unwrap()
                    .iter()
                    .all(|p| (0.0..=1.0).contains(p))
            );
        }
    }
}

#[test]
fn rbm_mean_log_likelihood_refuses_parameters_beyond_enumeration_precision() {
    // W = 0, b = 0 なら可視ユニットは c によらず一様で、どのデータでも平均対数尤度は −ln 2。
    // c = 1e99 では −F と ln Z（どちらも ≈ 1e99）の差 −ln 2 が丸めに埋もれ、以前は −1.2e83 を返していた
    let data = Array2::from_elem((3, 1), 1u8);
    for c in [1e99, 1e17, MAX_ENUMERATION_L1 + 1.0] {
        let rbm = Rbm::new(
            Array2::zeros((1, 1)),
            Array1::zeros(1),
            Array1::from_elem(1, c),
        )
        .unwrap();
        assert!(matches!(
            rbm.mean_log_likelihood(&data),
            Err(Error::InvalidParameter { name: "Σ|θ|", .. })
        ));
        // 対数の領域の値は相対精度で求まる: ln Z = ln 2 + softplus(c) ≈ c、F(1) = −softplus(c) ≈ −c
        assert!(close(rbm.log_z().unwrap(), c + std::f64::consts::LN_2, TOL));
        assert!(close(rbm.free_energy(&[1u8]).unwrap(), -c, TOL));
        assert!(close(rbm.mean_free_energy(&data).unwrap(), -c, TOL));
    }
    // 上限ちょうどまでは求め、正しい
    let rbm = Rbm::new(
        Array2::zeros((1, 1)),
        Array1::zeros(1),
        Array1::from_elem(1, MAX_ENUMERATION_L1),
    )
    .unwrap();
    let ll = rbm.mean_log_likelihood(&data).unwrap();
    assert!((ll + std::f64::consts::LN_2).abs() < 1e-9, "{ll}");
    // データの誤りは精度の検査より先に返す
    let huge = Rbm::new(
        Array2::zeros((1, 1)),
        Array1::zeros(1),
        Array1::from_elem(1, 1e99),
    )
    .unwrap();
    assert_eq!(
        huge.mean_log_likelihood(&Array2::<u8>::zeros((0, 1))),
        Err(Error::EmptyInput)
    );
}

#[test]
fn rbm_softplus_and_sigmoid_are_stable() {
    for x in [-800.0, -40.0, -1.0, 0.0, 1e-3, 1.0, 40.0, 800.0, 1e100] {
        let sp = softplus(x);
        assert!(sp.is_finite() && sp >= 0.0);
        // softplus'(x) = σ(x)、softplus(x) − softplus(−x) = x
        assert!(close(sp - softplus(-x), x, 1e-15));
        let sg = sigmoid(x);
        assert!((0.0..=1.0).contains(&sg));
        assert!(close(sg + sigmoid(-x), 1.0, 1e-15));
    }
}

fn mismatch<T>(expected: usize, actual: usize) -> Result<T, Error> {
    Err(Error::DimensionMismatch { expected, actual })
}

fn non_binary<T>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::InvalidParameter { .. }))
}

#[test]
fn rbm_hostile_inputs_give_typed_errors() {
    let z = |r, c| Array2::<f64>::zeros((r, c));
    let v = |n| Array1::<f64>::zeros(n);
    // 空、形の不一致
    assert_eq!(Rbm::new(z(0, 3), v(0), v(3)), Err(Error::EmptyInput));
    assert_eq!(Rbm::new(z(3, 0), v(3), v(0)), Err(Error::EmptyInput));
    assert_eq!(Rbm::new(z(3, 2), v(2), v(2)), mismatch(3, 2));
    assert_eq!(Rbm::new(z(3, 2), v(3), v(3)), mismatch(2, 3));
    // NaN・±∞・大きすぎるパラメータ
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut w = z(2, 2);
        w[[1, 0]] = bad;
        assert!(matches!(
            Rbm::new(w, v(2), v(2)),
            Err(Error::NonFinite { .. })
        ));
        let mut b = v(2);
        b[1] = bad;
        assert!(matches!(
            Rbm::new(z(2, 2), b, v(2)),
            Err(Error::NonFinite { .. })
        ));
        let mut c = v(2);
        c[0] = bad;
        assert!(matches!(
            Rbm::new(z(2, 2), v(2), c),
            Err(Error::NonFinite { .. })
        ));
    }
    let huge = Array2::from_elem((2, 2), 1e308);
    assert!(matches!(
        Rbm::new(huge, v(2), v(2)),
        Err(Error::InvalidParameter { .. })
    ));

    let rbm = Rbm::new(z(3, 2), v(3), v(2)).unwrap();
    // 長さの違うユニット、0・1 以外の値
    assert_eq!(rbm.free_energy(&[0u8, 1]), mismatch(3, 2));
    assert_eq!(rbm.free_energy(&[] as &[u8]), mismatch(3, 0));
    assert_eq!(rbm.p_h_given_v(&[0u8, 1, 1, 0]), mismatch(3, 4));
    assert_eq!(rbm.p_v_given_h(&[0u8, 1, 1]), mismatch(2, 3));
    assert_eq!(rbm.energy(&[0u8, 1, 1], &[1u8]), mismatch(2, 1));
    assert!(non_binary(rbm.free_energy(&[0u8, 2, 1])));
    assert!(non_binary(rbm.p_h_given_v(&[255u8, 0, 1])));
    assert!(non_binary(rbm.p_v_given_h(&[1u8, 7])));
    assert!(non_binary(rbm.energy(&[1u8, 0, 0], &[1u8, 2])));
    // データ: 標本 0 個、列の数の不一致、0・1 以外の値
    assert_eq!(
        rbm.mean_log_likelihood(&Array2::<u8>::zeros((0, 3))),
        Err(Error::EmptyInput)
    );
    assert_eq!(
        rbm.mean_log_likelihood(&Array2::<u8>::zeros((4, 2))),
        mismatch(3, 2)
    );
    assert_eq!(
        rbm.mean_free_energy(&Array2::<u8>::zeros((4, 0))),
        mismatch(3, 0)
    );
    let mut data = Array2::<u8>::zeros((4, 3));
    data[[3, 2]] = 2;
    assert!(non_binary(rbm.mean_log_likelihood(&data)));
    // 列挙できない大きさ: 小さい方の層が上限を超える（両方の向き）
    let max = MAX_RBM_SUMMED_UNITS;
    let n = max + 1;
    let wide = Rbm::new(z(n, n + 5), v(n), v(n + 5)).unwrap();
    assert_eq!(wide.log_z(), Err(Error::TooManySpins { n, max }));
    let tall = Rbm::new(z(n + 40, n), v(n + 40), v(n)).unwrap();
    assert_eq!(tall.log_z(), Err(Error::TooManySpins { n, max }));
    let ok_data = Array2::<u8>::zeros((1, n + 40));
    assert_eq!(
        tall.mean_log_likelihood(&ok_data),
        Err(Error::TooManySpins { n, max })
    );
    // 片方の層が大きくても、小さい方の層が小さければ列挙できる: W = 0 なら ln Z = (N_v + N_h) ln 2
    let lopsided = Rbm::new(z(200, 2), v(200), v(2)).unwrap();
    assert!(close(lopsided.log_z().unwrap(), 202.0 * 2f64.ln(), TOL));
}
