//! 制限ボルツマンマシンの学習の核（`genmodel::boltzmann::rbm` の gradient・spin・sample・learn）の検証。
//!
//! 期待値は実装とは独立に求める。エネルギー `E(v, h) = −bᵀv − cᵀh − vᵀWh` を定義どおりに 2 重ループで計算し、
//! 全 `(v, h)` の組を列挙して（指数の最大値を引いてから `exp`）同時分布・条件つき分布・遷移確率を作る。
//! 小さい方の層だけの和・softplus・Gray 符号・活性の差分更新・遷移の因子分解は、どれも使わない。
//! モデルは `N_v + N_h ≤ 10`（全列挙で高々 `2^10` 組）に保ち、デバッグビルドでもファイル全体が数秒で終わるようにする。
//!
//! 決定的な量の許容誤差は絶対 `1e-12`（モーメント・勾配は `[−1, 1]` に入る量で、`2^10` 項の和の丸め誤差は
//! `2^10 · ε ≈ 2e-13` 以下）とする。符号・層の取り違え・項の落ちは `1e-3` 以上ずれるので確実に見分ける。
//! 乱数を使う検定はすべてシードを固定し、許容幅は二項分布や標本標準偏差から求めた `4`–`4.5σ` とする（各テストに書く）。

// 添字のループは数式の Σ_i, Σ_j をそのまま写したもの
#![allow(clippy::needless_range_loop)]

use genmodel::Error;
use genmodel::boltzmann::rbm::{
    MAX_CHAIN_WORK, MAX_ENUMERATION_L1, MAX_KERNEL_UNITS, MAX_KERNEL_VISIBLE, MAX_RBM_SUMMED_UNITS,
    Method, Pcd, Rbm, RbmGradient, RbmMoments, SpinRbm, TrainConfig,
};
use genmodel::ndarray::{Array1, Array2, array};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 決定的な量の絶対誤差の許容（根拠は冒頭のコメント）。
const TOL: f64 = 1e-12;

fn random_rbm(rng: &mut ChaCha8Rng, nv: usize, nh: usize, scale: f64) -> Rbm {
    let w = Array2::from_shape_fn((nv, nh), |_| rng.random_range(-scale..scale));
    let b = Array1::from_shape_fn(nv, |_| rng.random_range(-1.0..1.0));
    let c = Array1::from_shape_fn(nh, |_| rng.random_range(-1.0..1.0));
    Rbm::new(w, b, c).unwrap()
}

fn random_data(rng: &mut ChaCha8Rng, n: usize, nv: usize) -> Array2<u8> {
    Array2::from_shape_fn((n, nv), |_| u8::from(rng.random_bool(0.4)))
}

/// 状態の番号 `s` の第 `k` ビットをユニット `k` の値とする。
fn bits(s: usize, n: usize) -> Vec<u8> {
    (0..n).map(|k| ((s >> k) & 1) as u8).collect()
}

fn index_of(v: &[u8]) -> usize {
    v.iter()
        .enumerate()
        .map(|(i, &x)| usize::from(x) << i)
        .sum()
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

/// 指数 `x` の並びを最大値を引いてから `exp` し、和 1 に規格化する。
fn normalize(x: &[f64]) -> Vec<f64> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

/// 同時分布 `q[sv][sh] = exp(−E(v, h)) / Z`（全組の列挙）。
fn joint(rbm: &Rbm) -> Vec<Vec<f64>> {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut flat = Vec::new();
    for sv in 0..1usize << nv {
        let v = bits(sv, nv);
        for sh in 0..1usize << nh {
            flat.push(-energy(rbm, &v, &bits(sh, nh)));
        }
    }
    let q = normalize(&flat);
    q.chunks(1 << nh).map(|c| c.to_vec()).collect()
}

/// 周辺分布 `q(v)`。
fn marginal_v(rbm: &Rbm) -> Vec<f64> {
    joint(rbm).iter().map(|row| row.iter().sum()).collect()
}

/// 条件つき分布 `q(h | v)`（`v` を固定して `h` の全状態で規格化）。
fn h_given_v(rbm: &Rbm, v: &[u8]) -> Vec<f64> {
    let nh = rbm.n_hidden();
    let x: Vec<f64> = (0..1usize << nh)
        .map(|sh| -energy(rbm, v, &bits(sh, nh)))
        .collect();
    normalize(&x)
}

/// 条件つき分布 `q(v | h)`。
fn v_given_h(rbm: &Rbm, h: &[u8]) -> Vec<f64> {
    let nv = rbm.n_visible();
    let x: Vec<f64> = (0..1usize << nv)
        .map(|sv| -energy(rbm, &bits(sv, nv), h))
        .collect();
    normalize(&x)
}

/// `E[h | v]`（`q(h | v)` での `h` の平均）。
fn mean_h_given_v(rbm: &Rbm, v: &[u8]) -> Vec<f64> {
    let nh = rbm.n_hidden();
    let p = h_given_v(rbm, v);
    (0..nh)
        .map(|j| {
            p.iter()
                .enumerate()
                .map(|(sh, q)| q * f64::from(bits(sh, nh)[j]))
                .sum()
        })
        .collect()
}

/// 可視層の分布 `p(v)` で `v` を固定したモーメント `Σ_v p(v) [v, E[h|v], v E[h|v]ᵀ]`（すべて全列挙）。
fn clamped_brute(rbm: &Rbm, p: &[f64]) -> RbmMoments {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut m = RbmMoments {
        v: Array1::zeros(nv),
        h: Array1::zeros(nh),
        vh: Array2::zeros((nv, nh)),
    };
    for (sv, &ps) in p.iter().enumerate() {
        if ps == 0.0 {
            continue;
        }
        let v = bits(sv, nv);
        let eh = mean_h_given_v(rbm, &v);
        for i in 0..nv {
            m.v[i] += ps * f64::from(v[i]);
            for j in 0..nh {
                m.vh[[i, j]] += ps * f64::from(v[i]) * eh[j];
            }
        }
        for j in 0..nh {
            m.h[j] += ps * eh[j];
        }
    }
    m
}

/// データの経験分布（長さ `2^{N_v}`）。
fn empirical(data: &Array2<u8>) -> Vec<f64> {
    let nv = data.ncols();
    let mut p = vec![0.0; 1 << nv];
    for row in data.rows() {
        p[index_of(&row.to_vec())] += 1.0 / data.nrows() as f64;
    }
    p
}

/// モデルのモーメント `Σ_{v,h} q(v, h) [v, h, v hᵀ]`（全組の列挙）。
fn model_brute(rbm: &Rbm) -> RbmMoments {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let q = joint(rbm);
    let mut m = RbmMoments {
        v: Array1::zeros(nv),
        h: Array1::zeros(nh),
        vh: Array2::zeros((nv, nh)),
    };
    for (sv, row) in q.iter().enumerate() {
        let v = bits(sv, nv);
        for (sh, &p) in row.iter().enumerate() {
            let h = bits(sh, nh);
            for i in 0..nv {
                m.v[i] += p * f64::from(v[i]);
                for j in 0..nh {
                    m.vh[[i, j]] += p * f64::from(v[i]) * f64::from(h[j]);
                }
            }
            for j in 0..nh {
                m.h[j] += p * f64::from(h[j]);
            }
        }
    }
    m
}

/// 勾配 = 正の項 − 負の項（成分ごとの引き算を test の中で書く）。
fn difference(pos: &RbmMoments, neg: &RbmMoments) -> RbmGradient {
    RbmGradient {
        w: &pos.vh - &neg.vh,
        b: &pos.v - &neg.v,
        c: &pos.h - &neg.h,
    }
}

fn flat(g: &RbmGradient) -> Vec<f64> {
    g.w.iter().chain(&g.b).chain(&g.c).copied().collect()
}

fn flat_moments(m: &RbmMoments) -> Vec<f64> {
    m.vh.iter().chain(&m.v).chain(&m.h).copied().collect()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// 遷移確率 `T[v][v'] = Σ_h q(h | v) q(v' | h)`（全列挙）。
fn kernel_brute(rbm: &Rbm) -> Vec<Vec<f64>> {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let pvh: Vec<Vec<f64>> = (0..1usize << nh)
        .map(|sh| v_given_h(rbm, &bits(sh, nh)))
        .collect();
    (0..1usize << nv)
        .map(|sv| {
            let phv = h_given_v(rbm, &bits(sv, nv));
            (0..1usize << nv)
                .map(|tv| (0..1usize << nh).map(|sh| phv[sh] * pvh[sh][tv]).sum())
                .collect()
        })
        .collect()
}

/// 分布 `p` を遷移 `t` で `k` 歩進める。
fn propagate(p: &[f64], t: &[Vec<f64>], k: usize) -> Vec<f64> {
    let mut p = p.to_vec();
    for _ in 0..k {
        p = (0..p.len())
            .map(|to| p.iter().enumerate().map(|(from, x)| x * t[from][to]).sum())
            .collect();
    }
    p
}

/// (N_v, N_h): `N_h ≤ N_v`（隠れ層の和）と `N_h > N_v`（可視層の和）の両方、`N_v + N_h ≤ 10`。
const SIZES: [(usize, usize); 8] = [
    (1, 1),
    (3, 1),
    (1, 3),
    (4, 3),
    (3, 4),
    (5, 5),
    (2, 7),
    (7, 2),
];

#[test]
fn eq_4_9_exact_gradient_matches_central_differences_in_both_branches() {
    // 中心差分の刻み h = 1e-5: 打ち切り誤差 h² |L'''| / 6 ≈ 2e-11（|L'''| ≲ 1、勾配の成分は確率の差で、
    // 3 階微分も同じ程度の有界な量）、丸め誤差 ε |L| / h ≈ 2.2e-16 · 5 / 1e-5 ≈ 1e-10。
    // 許容 1e-6（分母 max(1, |g|)）は両者の和より 4 桁大きく、符号や因子 2 の誤り（相対 1 以上）は確実に見分ける。
    let h = 1e-5;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut hidden_branch, mut visible_branch) = (0, 0);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.0);
        let data = random_data(&mut rng, 7, nv);
        let g = rbm.exact_gradient(&data).unwrap();
        let (w, b, c) = (
            rbm.weights().to_owned(),
            rbm.visible_bias().to_owned(),
            rbm.hidden_bias().to_owned(),
        );
        let ll = |w: &Array2<f64>, b: &Array1<f64>, c: &Array1<f64>| {
            Rbm::new(w.clone(), b.clone(), c.clone())
                .unwrap()
                .mean_log_likelihood(&data)
                .unwrap()
        };
        let check = |fd: f64, got: f64, what: &str| {
            assert!(
                (fd - got).abs() <= 1e-6 * got.abs().max(1.0),
                "{nv}×{nh} {what}: {fd} vs {got}"
            );
        };
        for i in 0..nv {
            for j in 0..nh {
                let (mut wp, mut wm) = (w.clone(), w.clone());
                wp[[i, j]] += h;
                wm[[i, j]] -= h;
                check(
                    (ll(&wp, &b, &c) - ll(&wm, &b, &c)) / (2.0 * h),
                    g.w[[i, j]],
                    "W",
                );
            }
            let (mut bp, mut bm) = (b.clone(), b.clone());
            bp[i] += h;
            bm[i] -= h;
            check((ll(&w, &bp, &c) - ll(&w, &bm, &c)) / (2.0 * h), g.b[i], "b");
        }
        for j in 0..nh {
            let (mut cp, mut cm) = (c.clone(), c.clone());
            cp[j] += h;
            cm[j] -= h;
            check((ll(&w, &b, &cp) - ll(&w, &b, &cm)) / (2.0 * h), g.c[j], "c");
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
fn eq_4_10_exact_gradient_matches_brute_force_over_all_pairs() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for &(nv, nh) in &SIZES {
        for scale in [0.3, 2.0] {
            let rbm = random_rbm(&mut rng, nv, nh, scale);
            let data = random_data(&mut rng, 9, nv);
            let want = difference(&clamped_brute(&rbm, &empirical(&data)), &model_brute(&rbm));
            let got = rbm.exact_gradient(&data).unwrap();
            let err = max_abs_diff(&flat(&got), &flat(&want));
            assert!(err < TOL, "{nv}×{nh} scale {scale}: {err:e}");
            // データで固定したモーメントも単独で一致する
            let pos = rbm.data_moments(&data).unwrap();
            let err = max_abs_diff(
                &flat_moments(&pos),
                &flat_moments(&clamped_brute(&rbm, &empirical(&data))),
            );
            assert!(err < TOL, "{nv}×{nh}: data moments {err:e}");
        }
    }
}

/// パラメータの絶対値の和 `Σ|θ|`。
fn l1(rbm: &Rbm) -> f64 {
    rbm.weights()
        .iter()
        .chain(&rbm.visible_bias())
        .chain(&rbm.hidden_bias())
        .map(|x| x.abs())
        .sum()
}

#[test]
fn model_moments_match_brute_force_including_huge_weights() {
    // |W| = 50, 1000 では Z ≈ e^{数百}–e^{数千}: 重みの基準を 300 ずつ上げ直す経路を通っても、
    // 全組の列挙（最大値を引く）と一致する。Σ|θ| が精度の上限 MAX_ENUMERATION_L1 = 1e4 を超えるモデル
    // （|W| = 1e3 の 4×3 以上）は断り、重みを縮めて Σ|θ| を上限ちょうどにしたモデルで比べる
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mut refused = 0;
    for &(nv, nh) in &SIZES {
        for scale in [0.5, 3.0, 50.0, 1e3] {
            let mut rbm = random_rbm(&mut rng, nv, nh, scale);
            if l1(&rbm) > MAX_ENUMERATION_L1 {
                assert!(matches!(
                    rbm.model_moments(),
                    Err(Error::InvalidParameter { name: "Σ|θ|", .. })
                ));
                refused += 1;
                let biases = l1(&rbm) - rbm.weights().iter().map(|x| x.abs()).sum::<f64>();
                let shrink = (MAX_ENUMERATION_L1 - biases) / (l1(&rbm) - biases);
                rbm = Rbm::new(
                    rbm.weights().mapv(|w| w * shrink),
                    rbm.visible_bias().to_owned(),
                    rbm.hidden_bias().to_owned(),
                )
                .unwrap();
                assert!(l1(&rbm) <= MAX_ENUMERATION_L1);
            }
            let got = rbm.model_moments().unwrap();
            let want = model_brute(&rbm);
            let err = max_abs_diff(&flat_moments(&got), &flat_moments(&want));
            assert!(err < TOL, "{nv}×{nh} scale {scale}: {err:e}");
            assert!(flat_moments(&got).iter().all(|x| (0.0..=1.0).contains(x)));
        }
    }
    // 4×3, 3×4, 5×5, 2×7, 7×2 の |W| = 1e3（Σ|W| の期待値 6000–12 500）の一部
    assert!(refused >= 1, "{refused}");
}

/// 小さい方の層 `s`（`m` ユニット）ごとに定義から重みと反対側の条件つき確率を計算し直すモーメント
/// （Gray 符号・差分更新なし）。`u` は (反対側) × (和をとる層)。`(⟨s⟩, ⟨o⟩, ⟨o sᵀ⟩)` を返す。
fn direct_layer_moments(
    u: &Array2<f64>,
    a: &Array1<f64>,
    d: &Array1<f64>,
) -> (Vec<f64>, Vec<f64>, Array2<f64>) {
    let (n, m) = u.dim();
    let mut logw = Vec::new();
    let mut sig = Vec::new();
    for s in 0..1usize << m {
        let st = bits(s, m);
        let mut l: f64 = (0..m).map(|k| a[k] * f64::from(st[k])).sum();
        let mut sg = Vec::new();
        for i in 0..n {
            let x = d[i] + (0..m).map(|k| u[[i, k]] * f64::from(st[k])).sum::<f64>();
            l += (1.0 + x.exp()).ln();
            sg.push(1.0 / (1.0 + (-x).exp()));
        }
        logw.push(l);
        sig.push(sg);
    }
    let q = normalize(&logw);
    let mut ms = vec![0.0; m];
    let mut mo = vec![0.0; n];
    let mut cross = Array2::zeros((n, m));
    for s in 0..1usize << m {
        let st = bits(s, m);
        for k in 0..m {
            ms[k] += q[s] * f64::from(st[k]);
        }
        for i in 0..n {
            mo[i] += q[s] * sig[s][i];
            for k in 0..m {
                cross[[i, k]] += q[s] * sig[s][i] * f64::from(st[k]);
            }
        }
    }
    (ms, mo, cross)
}

#[test]
fn model_moments_survive_gray_code_resync_at_ten_units() {
    // 2^10 = 1024 歩: 活性を 256 歩ごとに計算し直す経路を通る。状態ごとの計算し直しと 1e-12 で一致する
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    // N_h = 10 ≤ N_v = 12: 隠れ層の和
    let rbm = random_rbm(&mut rng, 12, 10, 0.5);
    let (mh, mv, cross) = direct_layer_moments(
        &rbm.weights().to_owned(),
        &rbm.hidden_bias().to_owned(),
        &rbm.visible_bias().to_owned(),
    );
    let got = rbm.model_moments().unwrap();
    assert!(max_abs_diff(got.h.as_slice().unwrap(), &mh) < TOL);
    assert!(max_abs_diff(got.v.as_slice().unwrap(), &mv) < TOL);
    let err = max_abs_diff(
        &got.vh.iter().copied().collect::<Vec<_>>(),
        &cross.iter().copied().collect::<Vec<_>>(),
    );
    assert!(err < TOL, "{err:e}");
    // N_v = 10 < N_h = 11: 可視層の和
    let rbm = random_rbm(&mut rng, 10, 11, 0.5);
    let (mv, mh, cross) = direct_layer_moments(
        &rbm.weights().t().to_owned(),
        &rbm.visible_bias().to_owned(),
        &rbm.hidden_bias().to_owned(),
    );
    let got = rbm.model_moments().unwrap();
    assert!(max_abs_diff(got.h.as_slice().unwrap(), &mh) < TOL);
    assert!(max_abs_diff(got.v.as_slice().unwrap(), &mv) < TOL);
    let err = max_abs_diff(
        &got.vh.t().iter().copied().collect::<Vec<_>>(),
        &cross.iter().copied().collect::<Vec<_>>(),
    );
    assert!(err < TOL, "{err:e}");
}

/// `v = (s + 1)/2` の逆: `s = 2v − 1`。
fn to_spins(v: &[u8]) -> Vec<i8> {
    v.iter().map(|&x| 2 * x as i8 - 1).collect()
}

/// 書き換えの定数 `K = E₀₁ − E_± = −(Σb/2 + Σc/2 + ΣW/4)`（{0, 1} のパラメータから直接）。
fn offset_from_binary(rbm: &Rbm) -> f64 {
    -(rbm.visible_bias().sum() / 2.0 + rbm.hidden_bias().sum() / 2.0 + rbm.weights().sum() / 4.0)
}

/// `±1` のエネルギー `E_±(s, t) = −b'ᵀs − c'ᵀt − sᵀW't` を、test の中で作った `W'`, `b'`, `c'` から定義どおりに。
fn spin_energy_from_definition(rbm: &Rbm, s: &[i8], t: &[i8]) -> f64 {
    let (w, b, c) = (rbm.weights(), rbm.visible_bias(), rbm.hidden_bias());
    let (nv, nh) = w.dim();
    let wp = |i: usize, j: usize| w[[i, j]] / 4.0;
    let bp = |i: usize| b[i] / 2.0 + (0..nh).map(|j| w[[i, j]]).sum::<f64>() / 4.0;
    let cp = |j: usize| c[j] / 2.0 + (0..nv).map(|i| w[[i, j]]).sum::<f64>() / 4.0;
    let mut e = 0.0;
    for i in 0..nv {
        e -= bp(i) * f64::from(s[i]);
        for j in 0..nh {
            e -= f64::from(s[i]) * wp(i, j) * f64::from(t[j]);
        }
    }
    for j in 0..nh {
        e -= cp(j) * f64::from(t[j]);
    }
    e
}

#[test]
fn eq_4_8_spin_energies_differ_by_the_offset_for_every_state() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.5);
        let spin = SpinRbm::from_binary(&rbm).unwrap();
        let k = offset_from_binary(&rbm);
        assert!((spin.offset() - k).abs() < TOL, "{nv}×{nh}");
        for sv in 0..1usize << nv {
            for sh in 0..1usize << nh {
                let (v, h) = (bits(sv, nv), bits(sh, nh));
                let (s, t) = (to_spins(&v), to_spins(&h));
                let e01 = energy(&rbm, &v, &h);
                let epm = spin.energy(&s, &t).unwrap();
                assert!((epm - spin_energy_from_definition(&rbm, &s, &t)).abs() < TOL);
                assert!((e01 - epm - k).abs() < TOL, "{nv}×{nh} {v:?} {h:?}");
            }
        }
    }
}

#[test]
fn spin_free_energy_log_z_and_marginal_match_binary_model() {
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.5);
        let spin = SpinRbm::from_binary(&rbm).unwrap();
        let k = offset_from_binary(&rbm);
        // ln Z_± を ±1 の全組の列挙で: ln Σ exp(−E_±)
        let mut ex = Vec::new();
        for sv in 0..1usize << nv {
            for sh in 0..1usize << nh {
                let (s, t) = (to_spins(&bits(sv, nv)), to_spins(&bits(sh, nh)));
                ex.push(-spin_energy_from_definition(&rbm, &s, &t));
            }
        }
        let m = ex.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let log_z_pm = m + ex.iter().map(|x| (x - m).exp()).sum::<f64>().ln();
        let log_z01 = rbm.log_z().unwrap();
        assert!(
            (spin.log_z().unwrap() - log_z_pm).abs() < 1e-11,
            "{nv}×{nh}"
        );
        // ln Z_± = ln Z₀₁ + K
        assert!((log_z_pm - log_z01 - k).abs() < 1e-11, "{nv}×{nh}");
        for sv in 0..1usize << nv {
            let v = bits(sv, nv);
            let s = to_spins(&v);
            let f01 = rbm.free_energy(&v).unwrap();
            let fpm = spin.free_energy(&s).unwrap();
            assert!((f01 - fpm - k).abs() < 1e-11, "{nv}×{nh} F");
            // 周辺分布は同じ: exp(−F₀₁ − ln Z₀₁) = exp(−F_± − ln Z_±)
            let q01 = (-f01 - log_z01).exp();
            let qpm = (-fpm - spin.log_z().unwrap()).exp();
            assert!((q01 - qpm).abs() < 1e-12, "{nv}×{nh} q(v)");
        }
    }
}

#[test]
fn eq_4_7_spin_round_trip_recovers_binary_parameters() {
    // to_binary(from_binary(r)): b = 2(b/2 + S/4) − 2(S/4)（S は W の行和）で、丸めは |b| + |S| の数 ulp。
    // 許容 1e-15 · (1 + |b| + |S|) はその程度の大きさ（|θ| ≲ 5 で ≤ 6e-15）
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 2.0);
        let spin = SpinRbm::from_binary(&rbm).unwrap();
        let back = spin.to_binary().unwrap();
        let w = rbm.weights();
        let row = w.sum_axis(genmodel::ndarray::Axis(1));
        let col = w.sum_axis(genmodel::ndarray::Axis(0));
        // (4.7): W' = W/4、b' = b/2 + W1/4、c' = c/2 + Wᵀ1/4
        assert_eq!(spin.weights(), w.mapv(|x| x / 4.0));
        for i in 0..nv {
            let want = rbm.visible_bias()[i] / 2.0 + row[i] / 4.0;
            assert!((spin.visible_bias()[i] - want).abs() <= 1e-15 * (1.0 + want.abs()));
        }
        for j in 0..nh {
            let want = rbm.hidden_bias()[j] / 2.0 + col[j] / 4.0;
            assert!((spin.hidden_bias()[j] - want).abs() <= 1e-15 * (1.0 + want.abs()));
        }
        // W は 4 で割って 4 を掛けるだけなので厳密に戻る
        assert_eq!(back.weights(), w);
        for i in 0..nv {
            let tol = 1e-15 * (1.0 + rbm.visible_bias()[i].abs() + row[i].abs());
            assert!((back.visible_bias()[i] - rbm.visible_bias()[i]).abs() <= tol);
        }
        for j in 0..nh {
            let tol = 1e-15 * (1.0 + rbm.hidden_bias()[j].abs() + col[j].abs());
            assert!((back.hidden_bias()[j] - rbm.hidden_bias()[j]).abs() <= tol);
        }
    }
}

#[test]
fn gibbs_chain_distribution_matches_marginal() {
    // N_v = 3, N_h = 2。2000 本の独立な鎖を v = 0 から 12 往復進めた状態のヒストグラムを q(v) と比べる。
    // 鎖の 12 歩後の厳密な分布 P_12（全列挙の遷移行列で v = 0 から進めたもの）と q の差は 1e-4 未満と確かめるので、
    // 標本の誤差は二項分布の標準偏差 √(q(1 − q) / 2000) ≤ 0.012 が支配する。許容は状態ごとに 4.5σ
    // （8 状態で偽陽性の確率は 1e-4 未満、シード固定なので結果は決定的）。
    let rbm = Rbm::new(
        array![[0.8, -0.6], [-0.4, 0.7], [0.5, 0.3]],
        array![0.2, -0.3, 0.1],
        array![-0.2, 0.4],
    )
    .unwrap();
    let q = marginal_v(&rbm);
    let mut start = vec![0.0; 8];
    start[0] = 1.0;
    let p12 = propagate(&start, &kernel_brute(&rbm), 12);
    assert!(max_abs_diff(&p12, &q) < 1e-4);
    let n = 2000;
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let out = rbm
        .gibbs(&Array2::<u8>::zeros((n, 3)), 12, &mut rng)
        .unwrap();
    let mut hist = [0.0; 8];
    for row in out.rows() {
        hist[index_of(&row.to_vec())] += 1.0 / n as f64;
    }
    for s in 0..8 {
        let sigma = (q[s] * (1.0 - q[s]) / n as f64).sqrt();
        assert!(
            (hist[s] - q[s]).abs() < 4.5 * sigma,
            "state {s}: {} vs {}",
            hist[s],
            q[s]
        );
    }
    // steps = 0 は入力をそのまま返す
    let v0 = array![[1u8, 0, 1], [0, 1, 1]];
    assert_eq!(rbm.gibbs(&v0, 0, &mut rng).unwrap(), v0);
}

#[test]
fn layer_samples_match_conditionals() {
    // v = (1, 0, 1) を固定して h を 4000 回、h = (1, 0) を固定して v を 4000 回引く。
    // ユニットごとの頻度の許容は 4.5σ（σ = √(p(1 − p)/4000) ≤ 0.0079）
    let rbm = Rbm::new(
        array![[0.8, -0.6], [-0.4, 0.7], [0.5, 0.3]],
        array![0.2, -0.3, 0.1],
        array![-0.2, 0.4],
    )
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    let n = 4000;
    let v = [1u8, 0, 1];
    let want = mean_h_given_v(&rbm, &v);
    let mut freq = [0.0; 2];
    for _ in 0..n {
        let h = rbm.sample_hidden(&v, &mut rng).unwrap();
        for j in 0..2 {
            freq[j] += f64::from(h[j]) / n as f64;
        }
    }
    for j in 0..2 {
        let sigma = (want[j] * (1.0 - want[j]) / n as f64).sqrt();
        assert!((freq[j] - want[j]).abs() < 4.5 * sigma);
    }
    let h = [1u8, 0];
    let pv = v_given_h(&rbm, &h);
    let mut freq = [0.0; 3];
    for _ in 0..n {
        let x = rbm.sample_visible(&h, &mut rng).unwrap();
        for i in 0..3 {
            freq[i] += f64::from(x[i]) / n as f64;
        }
    }
    for i in 0..3 {
        let want: f64 = (0..8).filter(|s| (s >> i) & 1 == 1).map(|s| pv[s]).sum();
        let sigma = (want * (1.0 - want) / n as f64).sqrt();
        assert!((freq[i] - want).abs() < 4.5 * sigma);
    }
}

#[test]
fn eq_4_11_gibbs_kernel_matches_brute_force_and_satisfies_detailed_balance() {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.5);
        let t = rbm.gibbs_kernel().unwrap();
        let want = kernel_brute(&rbm);
        let q = marginal_v(&rbm);
        for a in 0..1usize << nv {
            assert!((t.row(a).sum() - 1.0).abs() < TOL);
            for b in 0..1usize << nv {
                assert!((t[[a, b]] - want[a][b]).abs() < TOL, "{nv}×{nh}");
                assert!(t[[a, b]] > 0.0);
                // q(v) T(v'|v) = q(v') T(v|v')
                assert!((q[a] * t[[a, b]] - q[b] * t[[b, a]]).abs() < TOL);
            }
        }
    }
}

#[test]
fn eq_4_12_cd_expected_gradient_matches_brute_force_chain_distribution() {
    // k = 1: 負の項 Σ_μ Σ_h Σ_v' (1/n) q(h | v_μ) q(v' | h) v' E[h | v']ᵀ を全列挙で。k = 3 も全列挙の遷移で
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.5);
        let data = random_data(&mut rng, 6, nv);
        let pos = clamped_brute(&rbm, &empirical(&data));
        // k = 1 を和の形のまま
        let mut p1 = vec![0.0; 1 << nv];
        for row in data.rows() {
            let phv = h_given_v(&rbm, &row.to_vec());
            for (sh, &ph) in phv.iter().enumerate() {
                let pv = v_given_h(&rbm, &bits(sh, nh));
                for (sv, &x) in pv.iter().enumerate() {
                    p1[sv] += ph * x / data.nrows() as f64;
                }
            }
        }
        let want1 = difference(&pos, &clamped_brute(&rbm, &p1));
        let got1 = rbm.cd_expected_gradient(&data, 1).unwrap();
        assert!(max_abs_diff(&flat(&got1), &flat(&want1)) < TOL, "{nv}×{nh}");
        let p3 = propagate(&empirical(&data), &kernel_brute(&rbm), 3);
        let want3 = difference(&pos, &clamped_brute(&rbm, &p3));
        let got3 = rbm.cd_expected_gradient(&data, 3).unwrap();
        assert!(max_abs_diff(&flat(&got3), &flat(&want3)) < TOL, "{nv}×{nh}");
    }
}

#[test]
fn eq_4_12_cd_expected_gradient_converges_to_exact_gradient_as_k_grows() {
    // 弱く結合したモデル（|W| < 0.5）では Gibbs の鎖の混合が速く、距離は k について幾何級数的に減る
    let mut rng = ChaCha8Rng::seed_from_u64(43);
    for &(nv, nh) in &[(4, 3), (3, 5)] {
        let rbm = random_rbm(&mut rng, nv, nh, 0.5);
        let data = random_data(&mut rng, 5, nv);
        let exact = flat(&rbm.exact_gradient(&data).unwrap());
        let dist: Vec<f64> = [1, 2, 5, 20, 100]
            .iter()
            .map(|&k| max_abs_diff(&flat(&rbm.cd_expected_gradient(&data, k).unwrap()), &exact))
            .collect();
        assert!(dist[0] > 1e-3, "{dist:?}");
        // 単調に減る（丸め誤差の床 1e-14 に達した後は除く）
        assert!(
            dist.windows(2).all(|w| w[1] < w[0] || w[0] < 1e-14),
            "{dist:?}"
        );
        assert!(dist[4] < 1e-6, "{dist:?}");
    }
}

/// 標本の平均と、平均の標準誤差（標本標準偏差 / √S）。
fn mean_and_se(samples: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let s = samples.len() as f64;
    let d = samples[0].len();
    let mean: Vec<f64> = (0..d)
        .map(|k| samples.iter().map(|x| x[k]).sum::<f64>() / s)
        .collect();
    let se: Vec<f64> = (0..d)
        .map(|k| {
            let var = samples
                .iter()
                .map(|x| (x[k] - mean[k]).powi(2))
                .sum::<f64>()
                / (s - 1.0);
            (var / s).sqrt()
        })
        .collect();
    (mean, se)
}

#[test]
fn sampled_cd_gradient_averages_to_its_exact_expectation() {
    // シード 0..1000 の生成器で CD-k の推定を 1000 回くり返し、平均を cd_expected_gradient と比べる。
    // 各推定は独立なので、平均の誤差は標準誤差 se = （標本標準偏差）/ √1000 の正規分布に近い。
    // 許容は成分ごとに 4 se（+ 丸めの 1e-12）。11 成分 × 2 通りの k で偽陽性の確率は 2e-3 未満（シード固定で決定的）。
    let rbm = Rbm::new(
        array![[0.8, -0.6], [-0.4, 0.7], [0.5, 0.3]],
        array![0.2, -0.3, 0.1],
        array![-0.2, 0.4],
    )
    .unwrap();
    let data = array![[1u8, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1], [0, 1, 0]];
    for k in [1, 2] {
        let samples: Vec<Vec<f64>> = (0..1000u64)
            .map(|seed| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                flat(&rbm.cd_gradient(&data, k, &mut rng).unwrap())
            })
            .collect();
        let (mean, se) = mean_and_se(&samples);
        let want = flat(&rbm.cd_expected_gradient(&data, k).unwrap());
        for c in 0..want.len() {
            assert!(
                (mean[c] - want[c]).abs() <= 4.0 * se[c] + 1e-12,
                "k = {k}, component {c}: {} vs {} (se {})",
                mean[c],
                want[c],
                se[c]
            );
        }
    }
}

#[test]
fn pcd_long_run_average_matches_exact_gradient() {
    // モデルを固定して PCD の推定を 420 回（鎖 25 本、k = 1）。最初の 20 回は捨てる（鎖の混合は数歩で済む）。
    // 続く推定は鎖を共有するので相関があるため、20 回ずつの 20 ブロックの平均（ブロック平均法）から標準誤差を求め、
    // 成分ごとに 4.5 se（+ 1e-12）を許す。
    let rbm = Rbm::new(
        array![[0.8, -0.6], [-0.4, 0.7], [0.5, 0.3]],
        array![0.2, -0.3, 0.1],
        array![-0.2, 0.4],
    )
    .unwrap();
    let data = array![[1u8, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]];
    let exact = flat(&rbm.exact_gradient(&data).unwrap());
    let mut pcd = Pcd::new(25, 3, 5).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(51);
    let all: Vec<Vec<f64>> = (0..420)
        .map(|_| flat(&pcd.gradient(&rbm, &data, 1, &mut rng).unwrap()))
        .collect();
    let blocks: Vec<Vec<f64>> = all[20..].chunks(20).map(|b| mean_and_se(b).0).collect();
    let (mean, se) = mean_and_se(&blocks);
    for c in 0..exact.len() {
        assert!(
            (mean[c] - exact[c]).abs() <= 4.5 * se[c] + 1e-12,
            "component {c}: {} vs {} (se {})",
            mean[c],
            exact[c],
            se[c]
        );
    }
    // 正の項はデータだけで決まるので、平均の誤差はすべて負の項から来る。誤差は 0.05 より十分小さい
    assert!(max_abs_diff(&mean, &exact) < 0.05);
}

#[test]
fn exact_training_increases_log_likelihood_monotonically() {
    // L の ヘッセ行列は −Cov_q(φ) + ⟨Cov(φ | v)⟩_data（φ = (v hᵀ, v, h) ∈ [0, 1]^d, d = 11）で、
    // 各項の固有値は trace ≤ d/4 以下なので |∇²L| ≤ d/2 = 5.5。η = 0.1 < 2/5.5 なら全バッチの勾配上昇で L は単調に増える
    let data = array![[1u8, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 1]];
    let mut rng = ChaCha8Rng::seed_from_u64(61);
    let init = random_rbm(&mut rng, 3, 2, 0.1);
    let config = TrainConfig {
        learning_rate: 0.1,
        steps: 300,
        batch_size: 5,
        seed: 1,
    };
    let mut ll = Vec::new();
    let mut steps = Vec::new();
    let trained = init
        .train(&data, Method::Exact, &config, |t, m| {
            steps.push(t);
            ll.push(m.mean_log_likelihood(&data)?);
            Ok(())
        })
        .unwrap();
    assert_eq!(steps, (0..=300).collect::<Vec<_>>());
    assert!(ll.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{ll:?}");
    assert!(ll[300] > ll[0] + 0.1);
    assert_eq!(trained.mean_log_likelihood(&data).unwrap(), ll[300]);
    // 勾配上昇を test の中で書いた 1 歩と比べる（全バッチなので並べ替えの影響は丸めだけ）
    let one = init
        .train(
            &data,
            Method::Exact,
            &TrainConfig { steps: 1, ..config },
            |_, _| Ok(()),
        )
        .unwrap();
    let g = difference(
        &clamped_brute(&init, &empirical(&data)),
        &model_brute(&init),
    );
    let want_w = &init.weights() + &(&g.w * 0.1);
    assert!(
        max_abs_diff(
            &one.weights().iter().copied().collect::<Vec<_>>(),
            &want_w.iter().copied().collect::<Vec<_>>()
        ) < TOL
    );
}

#[test]
fn exact_training_approaches_the_empirical_entropy_bound() {
    // データ (1, 0), (0, 1) の経験分布のエントロピーは ln 2 なので、どのモデルでも L ≤ −ln 2。
    // 隠れ 3 ユニットなら q(01) = q(10) = 1/2 にいくらでも近づける（重みを大きくして q(00), q(11) → 0）
    let data = array![[1u8, 0], [0, 1]];
    let bound = -(2f64.ln());
    let mut rng = ChaCha8Rng::seed_from_u64(62);
    let init = random_rbm(&mut rng, 2, 3, 0.5);
    let config = TrainConfig {
        learning_rate: 0.3,
        steps: 3000,
        batch_size: 2,
        seed: 0,
    };
    let mut last = f64::NEG_INFINITY;
    init.train(&data, Method::Exact, &config, |_, m| {
        last = m.mean_log_likelihood(&data)?;
        assert!(last <= bound + 1e-12);
        Ok(())
    })
    .unwrap();
    // 3000 歩で差は 0.004 程度になる
    assert!(last > bound - 0.01, "{last} vs {bound}");
}

#[test]
fn cd_and_pcd_training_increase_log_likelihood_and_are_reproducible() {
    let data = array![
        [1u8, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 1, 1],
        [0, 0, 1, 1],
        [1, 1, 1, 1],
        [0, 0, 0, 0]
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(63);
    let init = random_rbm(&mut rng, 4, 3, 0.1);
    let ll0 = init.mean_log_likelihood(&data).unwrap();
    let config = TrainConfig {
        learning_rate: 0.1,
        steps: 300,
        batch_size: 3,
        seed: 9,
    };
    for method in [Method::Cd { k: 1 }, Method::Pcd { k: 1, chains: 10 }] {
        let a = init.train(&data, method, &config, |_, _| Ok(())).unwrap();
        let b = init.train(&data, method, &config, |_, _| Ok(())).unwrap();
        assert_eq!(a, b, "{method:?}: 同じシードなら同じ結果");
        let ll = a.mean_log_likelihood(&data).unwrap();
        assert!(ll > ll0 + 0.3, "{method:?}: {ll0} → {ll}");
        let c = init
            .train(
                &data,
                method,
                &TrainConfig { seed: 10, ..config },
                |_, _| Ok(()),
            )
            .unwrap();
        assert_ne!(a, c, "{method:?}: シードが違えば違う");
    }
    // steps = 0 なら初期値のまま（observe は t = 0 の 1 回だけ）
    let mut calls = 0;
    let same = init
        .train(
            &data,
            Method::Cd { k: 1 },
            &TrainConfig { steps: 0, ..config },
            |t, _| {
                assert_eq!(t, 0);
                calls += 1;
                Ok(())
            },
        )
        .unwrap();
    assert_eq!((same, calls), (init, 1));
}

#[test]
fn reconstruction_error_matches_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(71);
    for &(nv, nh) in &SIZES {
        let rbm = random_rbm(&mut rng, nv, nh, 1.5);
        let data = random_data(&mut rng, 5, nv);
        let (w, b) = (rbm.weights(), rbm.visible_bias());
        let mut want = 0.0;
        for row in data.rows() {
            let v = row.to_vec();
            let p = mean_h_given_v(&rbm, &v);
            for i in 0..nv {
                let a = b[i] + (0..nh).map(|j| w[[i, j]] * p[j]).sum::<f64>();
                let r = 1.0 / (1.0 + (-a).exp());
                want += (f64::from(v[i]) - r).powi(2) / 5.0;
            }
        }
        let got = rbm.reconstruction_error(&data).unwrap();
        assert!((got - want).abs() < TOL, "{nv}×{nh}");
    }
}

fn mismatch<T>(expected: usize, actual: usize) -> Result<T, Error> {
    Err(Error::DimensionMismatch { expected, actual })
}

fn invalid<T>(r: Result<T, Error>, want: &str) -> bool {
    matches!(r, Err(Error::InvalidParameter { name, .. }) if name == want)
}

#[test]
fn hostile_inputs_give_typed_errors() {
    let rbm = Rbm::new(Array2::zeros((3, 2)), Array1::zeros(3), Array1::zeros(2)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(81);
    let empty = Array2::<u8>::zeros((0, 3));
    let narrow = Array2::<u8>::zeros((2, 2));
    let mut bad = Array2::<u8>::zeros((2, 3));
    bad[[1, 2]] = 2;
    let ok = array![[1u8, 0, 1]];

    // データ: 空、列の数の不一致、0・1 以外の値（どの関数でも同じ）
    assert_eq!(rbm.exact_gradient(&empty), Err(Error::EmptyInput));
    assert_eq!(rbm.exact_gradient(&narrow), mismatch(3, 2));
    assert!(invalid(rbm.exact_gradient(&bad), "ユニットの値"));
    assert_eq!(rbm.data_moments(&empty), Err(Error::EmptyInput));
    assert_eq!(rbm.cd_gradient(&narrow, 1, &mut rng), mismatch(3, 2));
    assert!(invalid(rbm.cd_expected_gradient(&bad, 1), "ユニットの値"));
    assert_eq!(rbm.reconstruction_error(&empty), Err(Error::EmptyInput));
    assert_eq!(rbm.gibbs(&empty, 1, &mut rng), Err(Error::EmptyInput));
    assert_eq!(rbm.gibbs(&narrow, 1, &mut rng), mismatch(3, 2));
    assert!(invalid(rbm.gibbs(&bad, 1, &mut rng), "ユニットの値"));
    // ベクトル
    assert_eq!(rbm.sample_hidden(&[1u8, 0], &mut rng), mismatch(3, 2));
    assert_eq!(rbm.sample_visible(&[1u8, 0, 0], &mut rng), mismatch(2, 3));
    assert!(invalid(
        rbm.sample_visible(&[1u8, 9], &mut rng),
        "ユニットの値"
    ));
    // k = 0
    assert!(invalid(rbm.cd_gradient(&ok, 0, &mut rng), "k"));
    assert!(invalid(rbm.cd_expected_gradient(&ok, 0), "k"));

    // 列挙できない大きさ
    let n = MAX_RBM_SUMMED_UNITS + 1;
    let big = Rbm::new(Array2::zeros((n, n)), Array1::zeros(n), Array1::zeros(n)).unwrap();
    let big_data = Array2::<u8>::zeros((1, n));
    let too_many = Some(Error::TooManySpins {
        n,
        max: MAX_RBM_SUMMED_UNITS,
    });
    assert_eq!(big.model_moments().err(), too_many);
    assert_eq!(big.exact_gradient(&big_data).err(), too_many);
    let nv = MAX_KERNEL_VISIBLE + 1;
    let wide = Rbm::new(Array2::zeros((nv, 1)), Array1::zeros(nv), Array1::zeros(1)).unwrap();
    let kernel_err = Some(Error::TooManySpins {
        n: nv,
        max: MAX_KERNEL_VISIBLE,
    });
    assert_eq!(wide.gibbs_kernel().err(), kernel_err);
    assert_eq!(
        wide.cd_expected_gradient(&Array2::<u8>::zeros((1, nv)), 1)
            .err(),
        kernel_err
    );
    let deep = Rbm::new(
        Array2::zeros((10, 11)),
        Array1::zeros(10),
        Array1::zeros(11),
    )
    .unwrap();
    assert_eq!(
        deep.gibbs_kernel(),
        Err(Error::TooManySpins {
            n: 21,
            max: MAX_KERNEL_UNITS
        })
    );
    assert_eq!(
        rbm.cd_expected_gradient(&ok, usize::MAX).err(),
        Some(Error::TooLarge {
            what: "k",
            requested: usize::MAX,
            max: 1 << (34 - 5)
        })
    );

    // PCD
    assert_eq!(Pcd::new(0, 3, 0), Err(Error::EmptyInput));
    assert_eq!(Pcd::new(3, 0, 0), Err(Error::EmptyInput));
    assert!(matches!(
        Pcd::new(usize::MAX, 2, 0),
        Err(Error::TooLarge { .. })
    ));
    assert_eq!(
        Pcd::from_states(&Array2::<u8>::zeros((0, 3))),
        Err(Error::EmptyInput)
    );
    assert_eq!(
        Pcd::from_states(&Array2::<u8>::zeros((2, 0))),
        Err(Error::EmptyInput)
    );
    let mut pcd = Pcd::new(4, 2, 0).unwrap();
    let before = pcd.clone();
    assert_eq!(pcd.gradient(&rbm, &ok, 1, &mut rng), mismatch(3, 2));
    let mut pcd3 = Pcd::new(4, 3, 0).unwrap();
    assert!(invalid(pcd3.gradient(&rbm, &ok, 0, &mut rng), "k"));
    assert_eq!(
        pcd3.gradient(&rbm, &empty, 1, &mut rng),
        Err(Error::EmptyInput)
    );
    assert_eq!(pcd, before);

    // 学習の設定
    let data = array![[1u8, 0, 1], [0, 1, 1]];
    let config = TrainConfig {
        learning_rate: 0.1,
        steps: 5,
        batch_size: 2,
        seed: 0,
    };
    let train = |method, config: TrainConfig| rbm.train(&data, method, &config, |_, _| Ok(()));
    for lr in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            train(
                Method::Exact,
                TrainConfig {
                    learning_rate: lr,
                    ..config
                }
            ),
            Err(Error::NonFinite { .. })
        ));
    }
    for lr in [0.0, -0.1] {
        assert!(invalid(
            train(
                Method::Exact,
                TrainConfig {
                    learning_rate: lr,
                    ..config
                }
            ),
            "learning_rate"
        ));
    }
    for bs in [0, 3] {
        assert!(invalid(
            train(
                Method::Exact,
                TrainConfig {
                    batch_size: bs,
                    ..config
                }
            ),
            "batch_size"
        ));
    }
    assert!(invalid(train(Method::Cd { k: 0 }, config), "k"));
    assert!(invalid(train(Method::Pcd { k: 0, chains: 3 }, config), "k"));
    assert!(invalid(
        train(Method::Pcd { k: 1, chains: 0 }, config),
        "chains"
    ));
    assert_eq!(
        big.train(
            &big_data,
            Method::Exact,
            &TrainConfig {
                batch_size: 1,
                ..config
            },
            |_, _| Ok(())
        )
        .err(),
        too_many
    );
    // 学習率が大きすぎて Σ|θ| が 1e100 を超える: 1 歩目で発散
    let huge = train(
        Method::Exact,
        TrainConfig {
            learning_rate: 1e300,
            ..config
        },
    );
    assert!(
        matches!(huge, Err(Error::Diverged { iteration: 1, .. })),
        "{huge:?}"
    );
    // observe のエラーはそのまま返る
    let mut seen = 0;
    let stopped = rbm.train(&data, Method::Cd { k: 1 }, &config, |t, _| {
        seen = t;
        if t == 2 {
            Err(Error::EmptyInput)
        } else {
            Ok(())
        }
    });
    assert_eq!((stopped, seen), (Err(Error::EmptyInput), 2));

    // ±1 のモデル
    let spin = SpinRbm::from_binary(&rbm).unwrap();
    assert_eq!(spin.energy(&[1i8, 1], &[1i8, 1]), mismatch(3, 2));
    assert!(invalid(spin.energy(&[1i8, 0, 1], &[1i8, 1]), "スピン"));
    assert!(invalid(spin.free_energy(&[1i8, -1, 2]), "スピン"));
    assert!(matches!(
        SpinRbm::new(array![[f64::NAN]], array![0.0], array![0.0]),
        Err(Error::NonFinite { .. })
    ));
    assert_eq!(
        SpinRbm::new(Array2::zeros((0, 1)), array![], array![0.0]),
        Err(Error::EmptyInput)
    );
    // W' が大きいと {0, 1} に戻した Σ|θ| が 1e100 を超える
    let wide_spin = SpinRbm::new(array![[4e99]], array![0.0], array![0.0]).unwrap();
    assert!(matches!(
        wide_spin.to_binary(),
        Err(Error::InvalidParameter { .. })
    ));

    // モーメントの形の不一致
    let m = rbm.model_moments().unwrap();
    let other = Rbm::new(Array2::zeros((2, 2)), Array1::zeros(2), Array1::zeros(2))
        .unwrap()
        .model_moments()
        .unwrap();
    assert_eq!(RbmGradient::from_moments(&m, &other), mismatch(3, 2));
}

#[test]
fn functions_of_probabilities_refuse_parameters_beyond_enumeration_precision() {
    // W = −s, b = c = s: 状態 (1,0)・(0,1)・(1,1) の指数はどれも s で、正しくは q(v = 1) = ⟨h⟩ = 2/3。
    // s = 1e17 では重みの対数の差 ln 2 が s の丸めに埋もれ、列挙は ⟨h⟩ = 1/2 を返していた
    let data = array![[0u8], [1]];
    for s in [1e17, 1e99] {
        let rbm = Rbm::new(array![[-s]], array![s], array![s]).unwrap();
        let refused =
            |r: Result<(), Error>| matches!(r, Err(Error::InvalidParameter { name: "Σ|θ|", .. }));
        assert!(refused(rbm.model_moments().map(drop)));
        assert!(refused(rbm.exact_gradient(&data).map(drop)));
        assert!(refused(rbm.mean_log_likelihood(&data).map(drop)));
        assert!(refused(rbm.gibbs_kernel().map(drop)));
        assert!(refused(rbm.cd_expected_gradient(&data, 1).map(drop)));
        // 対数の領域の値と条件つき確率・標本は求まる（精度はモジュールの説明のとおり）
        assert!(rbm.log_z().unwrap().is_finite());
        assert_eq!(rbm.free_energy(&[1u8]).unwrap(), -s);
        assert_eq!(rbm.p_h_given_v(&[0u8]).unwrap()[0], 1.0);
        assert!(rbm.data_moments(&data).is_ok());
        assert!(rbm.reconstruction_error(&data).is_ok());
        let mut rng = ChaCha8Rng::seed_from_u64(90);
        assert!(rbm.cd_gradient(&data, 1, &mut rng).is_ok());
        // 厳密な勾配の学習は、学習を始める前に断る
        let config = TrainConfig {
            learning_rate: 0.1,
            steps: 1,
            batch_size: 2,
            seed: 0,
        };
        let mut called = false;
        let r = rbm.train(&data, Method::Exact, &config, |_, _| {
            called = true;
            Ok(())
        });
        assert!(refused(r.map(drop)) && !called);
        assert!(
            rbm.train(&data, Method::Cd { k: 1 }, &config, |_, _| Ok(()))
                .is_ok()
        );
    }
    // 上限ちょうど（Σ|θ| = 1e4）は受け付け、正しい値を返す: s = 1e4 / 3 の同じ形、⟨h⟩ = 2/3
    let s = MAX_ENUMERATION_L1 / 3.0;
    let rbm = Rbm::new(array![[-s]], array![s], array![s]).unwrap();
    assert!(l1(&rbm) <= MAX_ENUMERATION_L1);
    let m = rbm.model_moments().unwrap();
    assert!((m.h[0] - 2.0 / 3.0).abs() < TOL && (m.v[0] - 2.0 / 3.0).abs() < TOL);
    let want_ll = ((1.0f64 / 3.0).ln() + (2.0f64 / 3.0).ln()) / 2.0;
    assert!((rbm.mean_log_likelihood(&data).unwrap() - want_ll).abs() < 1e-9);
    let g = rbm.exact_gradient(&data).unwrap();
    assert!((g.c[0] - (rbm.data_moments(&data).unwrap().h[0] - 2.0 / 3.0)).abs() < TOL);
}

#[test]
fn exact_training_that_leaves_the_precision_range_diverges() {
    // 学習率 1e5: 1 歩で Σ|θ| が 1e4 を超える。1e100 より前に、厳密な勾配が求まらなくなる歩で発散を報告する
    let rbm = Rbm::new(array![[0.1], [-0.2]], array![0.0, 0.3], array![0.1]).unwrap();
    let data = array![[1u8, 0], [1, 1], [1, 0]];
    let config = TrainConfig {
        learning_rate: 1e5,
        steps: 5,
        batch_size: 3,
        seed: 0,
    };
    let mut seen = Vec::new();
    let r = rbm.train(&data, Method::Exact, &config, |t, m| {
        seen.push(t);
        m.mean_log_likelihood(&data).map(drop)
    });
    assert!(
        matches!(r, Err(Error::Diverged { iteration: 1, value }) if value > MAX_ENUMERATION_L1 && value < 1e100),
        "{r:?}"
    );
    assert_eq!(seen, [0]);
    // CD では 1e100 までは学習を続ける（勾配は条件つき確率だけで求まる）
    assert!(
        rbm.train(&data, Method::Cd { k: 1 }, &config, |_, _| Ok(()))
            .is_ok()
    );
}

fn too_large<T>(what: &'static str, requested: usize, max: usize) -> Result<T, Error> {
    Err(Error::TooLarge {
        what,
        requested,
        max,
    })
}

#[test]
fn chain_lengths_are_limited_by_the_total_work() {
    // 2 × 3 の RBM: 1 往復 2·3 + 2 + 3 = 11 単位
    let rbm = Rbm::new(
        Array2::from_elem((2, 3), 0.1),
        array![0.0, 0.1],
        array![0.2, 0.0, -0.1],
    )
    .unwrap();
    let unit = 11u64;
    let data = array![[1u8, 0], [0, 1], [1, 1]];
    let mut rng = ChaCha8Rng::seed_from_u64(91);
    let max_of = |per: u64| usize::try_from(MAX_CHAIN_WORK / per).unwrap();

    // gibbs: steps · 行数 · 11
    let max_steps = max_of(3 * unit);
    assert_eq!(
        rbm.gibbs(&data, usize::MAX, &mut rng),
        too_large("steps", usize::MAX, max_steps)
    );
    assert_eq!(
        rbm.gibbs(&data, max_steps + 1, &mut rng),
        too_large("steps", max_steps + 1, max_steps)
    );
    assert_eq!(rbm.gibbs(&data, 0, &mut rng).unwrap(), data);
    assert!(rbm.gibbs(&data, 3, &mut rng).is_ok());
    // cd_gradient: k · 行数 · 11（データと k = 0 の検査が先）
    assert_eq!(
        rbm.cd_gradient(&data, usize::MAX, &mut rng),
        too_large("k", usize::MAX, max_steps)
    );
    assert!(invalid(rbm.cd_gradient(&data, 0, &mut rng), "k"));
    assert_eq!(
        rbm.cd_gradient(&Array2::<u8>::zeros((0, 2)), usize::MAX, &mut rng),
        Err(Error::EmptyInput)
    );
    // Pcd::gradient: k · 鎖の数 · 11。断っても鎖は進めない
    let mut pcd = Pcd::new(7, 2, 1).unwrap();
    let before = pcd.clone();
    assert_eq!(
        pcd.gradient(&rbm, &data, usize::MAX, &mut rng),
        too_large("k", usize::MAX, max_of(7 * unit))
    );
    assert_eq!(pcd, before);
    // train: steps · 1 歩の仕事。1 歩だけで超えるなら k を、そうでなければ steps を挙げる
    let config = TrainConfig {
        learning_rate: 0.1,
        steps: 2,
        batch_size: 2,
        seed: 0,
    };
    let called = std::cell::Cell::new(0);
    let train = |method, config: TrainConfig| {
        rbm.train(&data, method, &config, |_, _| {
            called.set(called.get() + 1);
            Ok(())
        })
    };
    assert_eq!(
        train(Method::Cd { k: usize::MAX }, config),
        too_large("k", usize::MAX, max_of(2 * unit))
    );
    assert_eq!(
        train(
            Method::Pcd {
                k: usize::MAX,
                chains: 5
            },
            config
        ),
        too_large("k", usize::MAX, max_of(5 * unit))
    );
    let forever = TrainConfig {
        steps: usize::MAX,
        ..config
    };
    assert_eq!(
        train(Method::Cd { k: 3 }, forever),
        too_large("steps", usize::MAX, max_of(6 * unit))
    );
    assert_eq!(
        train(Method::Pcd { k: 2, chains: 5 }, forever),
        too_large("steps", usize::MAX, max_of(10 * unit))
    );
    // 厳密な勾配: 1 歩 (2^{min(N_v, N_h)} + batch_size) · 11
    assert_eq!(
        train(Method::Exact, forever),
        too_large("steps", usize::MAX, max_of((4 + 2) * unit))
    );
    assert_eq!(called.get(), 0);
    // 歩数 0 なら仕事は 0 なので、k が大きくても受け付ける（observe(0) だけ）
    let idle = TrainConfig { steps: 0, ..config };
    assert_eq!(train(Method::Cd { k: usize::MAX }, idle).unwrap(), rbm);
    assert_eq!(called.get(), 1);
}

#[test]
fn gradient_norm_is_scaled_against_overflow_and_underflow() {
    let g = |w: f64, c: f64| RbmGradient {
        w: array![[w]],
        b: array![0.0],
        c: array![c],
    };
    assert_eq!(g(1e200, 0.0).norm(), 1e200);
    assert_eq!(g(1e-200, 0.0).norm(), 1e-200);
    assert!((g(3e-200, 4e-200).norm() / 5e-200 - 1.0).abs() < 1e-15);
    assert!((g(-3e300, 4e300).norm() / 5e300 - 1.0).abs() < 1e-15);
    assert_eq!(g(f64::MAX, f64::MAX).norm(), f64::INFINITY);
    assert_eq!(g(f64::INFINITY, 1.0).norm(), f64::INFINITY);
    assert!(g(f64::NAN, 1e200).norm().is_nan());
    assert!(g(f64::NAN, 0.0).norm().is_nan());
    assert_eq!(g(0.0, -0.0).norm(), 0.0);
    // ふつうの大きさでは 2 乗の和の平方根そのもの（ビット単位で同じ）
    assert_eq!(g(0.3, -0.7).norm(), (0.3f64 * 0.3 + 0.7 * 0.7).sqrt());
}
