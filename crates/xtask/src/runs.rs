//! 第 4 章の長い計算（8×8 の数字の RBM の学習、CD-k の偏り、ブロック Gibbs の標本）。
//!
//! リリースビルドで数分かかるので、図を作るたびには走らせない。`cargo run --release -p xtask -- runs` が
//! 結果を [`RUNS`] に書き、図（[`crate::figures`]）はそのファイルから描く。ファイルの先頭には、
//! 計算に使ったコードとデータの指紋 [`fingerprint`] を書く。コードかデータが変わると指紋が変わり、
//! `book_checks` のテストが「走らせ直せ」と落ちる。CI は走らせ直して、ファイルと 1 バイトも違わないことを
//! 確かめる（`runs --check`）。
//!
//! # Examples
//!
//! ```
//! let root = xtask::workspace_root();
//! let runs = xtask::runs::Runs::read(&root).unwrap();
//! // 学習曲線は 4 つの方法について、学習前（t = 0）から記録してある
//! assert_eq!(runs.methods().len(), 4);
//! assert!(runs.curve("exact").unwrap()[0].t == 0);
//! ```

use crate::runs_io::{self, bad};
use genmodel::boltzmann::rbm::{Method, Rbm, TrainConfig};
use genmodel::ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// 結果のファイル（根からの相対）。
pub const RUNS: &str = "src/figures/data/rbm-digits.tsv";

/// 指紋に入れるファイル（根からの相対）。計算に使うコードとデータのすべて。
pub const INPUTS: &[&str] = &[
    "tests/data/digits.csv",
    "crates/xtask/src/data.rs",
    "crates/xtask/src/runs.rs",
    "crates/genmodel/src/boltzmann/rbm/mod.rs",
    "crates/genmodel/src/boltzmann/rbm/model.rs",
    "crates/genmodel/src/boltzmann/rbm/exact.rs",
    "crates/genmodel/src/boltzmann/rbm/gradient.rs",
    "crates/genmodel/src/boltzmann/rbm/learn.rs",
    "crates/genmodel/src/boltzmann/rbm/sample.rs",
    "crates/genmodel/src/gaussian/univariate.rs",
];

/// 隠れ変数の数。
pub const HIDDEN: usize = 16;
/// 学習率。
pub const LEARNING_RATE: f64 = 0.2;
/// 学習の歩数。
pub const STEPS: usize = 3000;
/// ミニバッチの大きさ。
pub const BATCH: usize = 100;
/// 厳密な対数尤度を記録する間隔（歩）。
pub const EVERY: usize = 50;

/// 学習の方法の名前と設定（図の凡例の順）。
pub fn methods() -> Vec<(&'static str, Method)> {
    vec![
        ("exact", Method::Exact),
        ("cd1", Method::Cd { k: 1 }),
        ("cd10", Method::Cd { k: 10 }),
        ("pcd", Method::Pcd { k: 1, chains: 100 }),
    ]
}

/// 計算に使うコードとデータの指紋（[`INPUTS`] の中身をつないだものの FNV-1a）。
///
/// # Errors
///
/// ファイルが読めなければエラーを返す。
pub fn fingerprint(root: &Path) -> io::Result<String> {
    runs_io::fingerprint(root, INPUTS)
}

/// 学習曲線の 1 点。
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// 歩の番号。
    pub t: usize,
    /// 学習用データの平均対数尤度（厳密）。
    pub train: f64,
    /// 検証用データの平均対数尤度（厳密）。
    pub held: f64,
    /// 学習用データの再構成誤差。
    pub recon: f64,
}

/// 結果のファイルの中身。
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// 指紋。
    pub fingerprint: String,
    /// 方法ごとの学習曲線。
    pub curves: Vec<(String, Vec<Point>)>,
    /// 厳密な勾配で学習したモデル。
    pub model: Option<Rbm>,
    /// そのモデルからのブロック Gibbs の標本（1 行 64 画素）。
    pub samples: Vec<Vec<u8>>,
    /// 画素ごとの平均: (Gibbs の推定, 95 % 区間の下端, 上端, 厳密な値)。
    pub pixel_means: Vec<(f64, f64, f64, f64)>,
    /// CD-k の偏り: (重みの倍率, k, ‖E[CD-k] − ∇L‖)。
    pub bias: Vec<(f64, usize, f64)>,
    /// 重みの倍率ごとの Gibbs の遷移行列の第 2 固有値の絶対値。
    pub lambda2: Vec<(f64, f64)>,
}

impl Runs {
    /// 学習曲線の方法の名前。
    pub fn methods(&self) -> Vec<&str> {
        self.curves.iter().map(|(m, _)| m.as_str()).collect()
    }

    /// 方法 `name` の学習曲線。
    pub fn curve(&self, name: &str) -> Option<&[Point]> {
        self.curves
            .iter()
            .find(|(m, _)| m == name)
            .map(|(_, c)| c.as_slice())
    }

    /// ファイルを読む。
    ///
    /// # Errors
    ///
    /// 読めないか形が崩れていればエラーを返す。
    pub fn read(root: &Path) -> io::Result<Runs> {
        parse(&std::fs::read_to_string(root.join(RUNS))?)
    }
}

fn num<T: std::str::FromStr>(s: Option<&str>) -> io::Result<T> {
    runs_io::num(s, RUNS)
}

/// ファイルの中身を読む。
fn parse(text: &str) -> io::Result<Runs> {
    let mut r = Runs::default();
    let (mut w, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.split('\t');
        match f.next() {
            Some("fingerprint") => r.fingerprint = num(f.next())?,
            Some("curve") => {
                let name: String = num(f.next())?;
                let p = Point {
                    t: num(f.next())?,
                    train: num(f.next())?,
                    held: num(f.next())?,
                    recon: num(f.next())?,
                };
                match r.curves.iter_mut().find(|(m, _)| *m == name) {
                    Some((_, c)) => c.push(p),
                    None => r.curves.push((name, vec![p])),
                }
            }
            Some("W") => w.push(num::<f64>(f.next())?),
            Some("b") => b.push(num::<f64>(f.next())?),
            Some("c") => c.push(num::<f64>(f.next())?),
            Some("sample") => {
                let bits: String = num(f.next())?;
                r.samples.push(bits.bytes().map(|x| x - b'0').collect());
            }
            Some("pixel") => {
                r.pixel_means.push((
                    num(f.next())?,
                    num(f.next())?,
                    num(f.next())?,
                    num(f.next())?,
                ));
            }
            Some("bias") => r
                .bias
                .push((num(f.next())?, num(f.next())?, num(f.next())?)),
            Some("lambda2") => r.lambda2.push((num(f.next())?, num(f.next())?)),
            other => return Err(bad(format!("{RUNS}: 知らない行: {other:?}"))),
        }
    }
    if !w.is_empty() {
        let nv = b.len();
        let w = Array2::from_shape_vec((nv, c.len()), w).map_err(|e| bad(e.to_string()))?;
        r.model =
            Some(Rbm::new(w, Array1::from(b), Array1::from(c)).map_err(|e| bad(e.to_string()))?);
    }
    Ok(r)
}

/// 重みの初期値（標準正規乱数 × 0.01、シード 1）と、可視バイアスの初期値（画素の平均の対数オッズ、Hinton 2010）。
pub fn initial_model(train: &Array2<u8>, hidden: usize) -> Rbm {
    let nv = train.ncols();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let w = Array2::from_shape_fn((nv, hidden), |_| {
        0.01 * genmodel::gaussian::univariate::standard_normal(&mut rng)
    });
    let mean = train
        .mapv(f64::from)
        .mean_axis(Axis(0))
        .expect("データがある");
    let b = mean.mapv(|p| {
        let p = p.clamp(0.01, 0.99);
        (p / (1.0 - p)).ln()
    });
    Rbm::new(w, b, Array1::zeros(hidden)).expect("モデル")
}

/// 3×3 の縞（bars and stripes）: 縦縞 8 通りと横縞 8 通りから、全部 0 と全部 1 の重複を除いた 14 パターン。
pub fn bars_and_stripes() -> Array2<u8> {
    let mut rows: Vec<[u8; 9]> = Vec::new();
    for m in 0..8u8 {
        let vertical: [u8; 9] = std::array::from_fn(|p| (m >> (p % 3)) & 1);
        let horizontal: [u8; 9] = std::array::from_fn(|p| (m >> (p / 3)) & 1);
        for r in [vertical, horizontal] {
            if !rows.contains(&r) {
                rows.push(r);
            }
        }
    }
    Array2::from_shape_fn((rows.len(), 9), |(i, k)| rows[i][k])
}

/// 成功 `k` 回・試行 `n` 回の二項分布の割合と、その 95 % の Wilson 区間（Wilson 1927）。
///
/// 割合が 0 や 1 に近くても幅が 0 にならない（正規近似の `√(p(1−p)/n)` は `p̂ = 0` で 0 になり、
/// 真の値が小さな正の数のとき区間が外れる）。
pub fn wilson(k: usize, n: usize) -> (f64, f64, f64) {
    let z = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let center = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (p, center - half, center + half)
}

/// 可逆な遷移行列 T（`q` について詳細つり合い）の第 2 固有値の絶対値。
/// `D^{1/2} T D^{−1/2}`（D = diag q）は対称なので、対称行列の固有値分解で求める。
fn second_eigenvalue(rbm: &Rbm) -> f64 {
    let t = rbm.gibbs_kernel().expect("遷移行列");
    let n = t.nrows();
    // 定常分布 q(v) は T の左固有ベクトル: べき乗法で求める（T > 0 なので速く収束する）
    let mut q = Array1::from_elem(n, 1.0 / n as f64);
    for _ in 0..10_000 {
        q = t.t().dot(&q);
    }
    let s = Array2::from_shape_fn((n, n), |(i, j)| {
        let a = q[i].sqrt() * t[[i, j]] / q[j].sqrt();
        let b = q[j].sqrt() * t[[j, i]] / q[i].sqrt();
        0.5 * (a + b)
    });
    let e = genmodel::linalg::symmetric_eigen(&s).expect("固有値");
    let mut v: Vec<f64> = e.values.iter().map(|x| x.abs()).collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v[1]
}

/// すべての計算をして、ファイルの中身を作る。
pub fn compute(root: &Path) -> io::Result<String> {
    let digits = crate::data::digits(root)?;
    let (train, held) = digits.split();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# 第 4 章の計算の結果。`cargo run --release -p xtask -- runs` が書く。手で直さない"
    );
    let _ = writeln!(
        s,
        "# 隠れ {HIDDEN}・学習率 {LEARNING_RATE}・{STEPS} 歩・ミニバッチ {BATCH}・{EVERY} 歩ごとに厳密な対数尤度"
    );
    let _ = writeln!(s, "fingerprint\t{}", fingerprint(root)?);
    let init = initial_model(&train, HIDDEN);
    let mut exact_model = None;
    for (name, method) in methods() {
        let start = std::time::Instant::now();
        let config = TrainConfig {
            learning_rate: LEARNING_RATE,
            steps: STEPS,
            batch_size: BATCH,
            seed: 7,
        };
        let mut rows = String::new();
        let model = init
            .train(&train, method, &config, |t, m| {
                if t % EVERY == 0 {
                    let _ = writeln!(
                        rows,
                        "curve\t{name}\t{t}\t{:?}\t{:?}\t{:?}",
                        m.mean_log_likelihood(&train)?,
                        m.mean_log_likelihood(&held)?,
                        m.reconstruction_error(&train)?
                    );
                }
                Ok(())
            })
            .map_err(|e| bad(e.to_string()))?;
        s.push_str(&rows);
        eprintln!("{name}: {:.1} 秒", start.elapsed().as_secs_f64());
        if name == "exact" {
            exact_model = Some(model);
        }
    }
    let model = exact_model.ok_or_else(|| bad("厳密な勾配の学習がない"))?;
    // 行優先（可視 i ごとに隠れ j の順）
    for v in model.weights().iter() {
        let _ = writeln!(s, "W\t{v:?}");
    }
    for v in model.visible_bias() {
        let _ = writeln!(s, "b\t{v:?}");
    }
    for v in model.hidden_bias() {
        let _ = writeln!(s, "c\t{v:?}");
    }
    // ブロック Gibbs: 1000 本の鎖を一様乱数から 1000 歩。画素の平均を厳密な ⟨v⟩ と比べる
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let chains = 1000;
    let start = Array2::from_shape_fn((chains, 64), |_| {
        u8::from(rand::Rng::random::<bool>(&mut rng))
    });
    let samples = model
        .gibbs(&start, 1000, &mut rng)
        .map_err(|e| bad(e.to_string()))?;
    for row in samples.rows().into_iter().take(12) {
        let bits: String = row.iter().map(|&b| char::from(b'0' + b)).collect();
        let _ = writeln!(s, "sample\t{bits}");
    }
    let exact = model.model_moments().map_err(|e| bad(e.to_string()))?.v;
    for i in 0..64 {
        let hits = samples.column(i).iter().filter(|&&b| b == 1).count();
        let (m, lo, hi) = wilson(hits, chains);
        let _ = writeln!(s, "pixel\t{m:?}\t{lo:?}\t{hi:?}\t{:?}", exact[i]);
    }
    // CD-k の偏り: 3×3 の縞を厳密な勾配で学習したモデルの重みを倍率 a で変え、k ごとに ‖E[CD-k] − ∇L‖
    let bas = bars_and_stripes();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let w = Array2::from_shape_fn((9, 6), |_| {
        0.1 * genmodel::gaussian::univariate::standard_normal(&mut rng)
    });
    let small = Rbm::new(w, Array1::zeros(9), Array1::zeros(6)).map_err(|e| bad(e.to_string()))?;
    let config = TrainConfig {
        learning_rate: 0.5,
        steps: 2000,
        batch_size: bas.nrows(),
        seed: 5,
    };
    let trained = small
        .train(&bas, Method::Exact, &config, |_, _| Ok(()))
        .map_err(|e| bad(e.to_string()))?;
    for scale in [0.25, 0.5, 1.0] {
        let m = Rbm::new(
            trained.weights().mapv(|w| w * scale),
            trained.visible_bias().to_owned(),
            trained.hidden_bias().to_owned(),
        )
        .map_err(|e| bad(e.to_string()))?;
        let g = m.exact_gradient(&bas).map_err(|e| bad(e.to_string()))?;
        for k in [1usize, 2, 3, 5, 7, 10, 15, 20, 30, 50] {
            let gk = m
                .cd_expected_gradient(&bas, k)
                .map_err(|e| bad(e.to_string()))?;
            let d = (&gk.w - &g.w)
                .iter()
                .chain((&gk.b - &g.b).iter())
                .chain((&gk.c - &g.c).iter())
                .map(|x| x * x)
                .sum::<f64>()
                .sqrt();
            let _ = writeln!(s, "bias\t{scale:?}\t{k}\t{d:?}");
        }
        let _ = writeln!(s, "lambda2\t{scale:?}\t{:?}", second_eigenvalue(&m));
    }
    Ok(s)
}

/// 計算してファイルに書く（`check` なら書かずに、コミット済みのファイルと同じかを確かめる）。
///
/// # Errors
///
/// 計算か入出力に失敗するか、`check` でファイルと違えばエラーを返す。
pub fn run(root: &Path, check: bool) -> io::Result<()> {
    runs_io::write_or_check(root, RUNS, &compute(root)?, check)
}
