//! 第 8 章の動かせる図「潜在空間をたどる」（`vae-latent`）の検査。
//!
//! 期待値はこのテストの中で別に求める: デコーダの前向きの計算はファイルの数から素朴なループで書き、
//! 最も近い点は `vae-digits.tsv` の点の総当たり、事前分布の対数密度は閉じた形で。

use xtask::figures::live::{self, LiveError, vae_latent};
use xtask::runs_vae::{DECODER, GRID, VaeRuns};
use xtask::runs_vae_decoder::DecoderRuns;

/// デコーダのファイルの層: (重み `W[i][j]`（入力 i・出力 j）, バイアス)。`DecoderRuns` を使わずに読む。
fn layers_by_hand() -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
    let text = std::fs::read_to_string(xtask::workspace_root().join(DECODER)).unwrap();
    let mut layers: Vec<(Vec<Vec<f64>>, Vec<f64>)> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let nums =
            |from: usize| -> Vec<f64> { f[from..].iter().map(|s| s.parse().unwrap()).collect() };
        match f[0] {
            "W" => {
                let k: usize = f[1].parse().unwrap();
                if k == layers.len() {
                    layers.push((Vec::new(), Vec::new()));
                }
                layers[k].0.push(nums(3));
            }
            "b" => layers[f[1].parse::<usize>().unwrap()].1 = nums(2),
            _ => {}
        }
    }
    layers
}

/// 前向きの計算: 隠れ層は tanh、出力はロジットをシグモイドで確率に。
fn forward(layers: &[(Vec<Vec<f64>>, Vec<f64>)], z: [f64; 2]) -> Vec<f64> {
    let mut a = z.to_vec();
    for (k, (w, b)) in layers.iter().enumerate() {
        assert_eq!(w.len(), a.len());
        let y: Vec<f64> = (0..b.len())
            .map(|j| b[j] + (0..a.len()).map(|i| a[i] * w[i][j]).sum::<f64>())
            .collect();
        a = if k + 1 < layers.len() {
            y.iter().map(|v| v.tanh()).collect()
        } else {
            y.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect()
        };
    }
    a
}

fn defaults() -> Vec<f64> {
    live::defaults(live::spec("vae-latent").unwrap())
}

fn readout(fig: &live::LiveFigure, label: &str) -> f64 {
    fig.readouts
        .iter()
        .find(|r| r.label.starts_with(label))
        .unwrap_or_else(|| panic!("読み出し {label} がない"))
        .value
}

/// 復号した画像の 64 個の四角（1 辺 25 ピクセル）の塗りの色を、SVG に現れる順に。
fn image_fills(svg: &str) -> Vec<String> {
    svg.split("<rect")
        .skip(1)
        .filter(|r| r.contains(r#"width="25""#) && r.contains(r#"height="25""#))
        .map(|r| {
            let start = r.find(r##"fill="#"##).expect("塗りの色") + 6;
            r[start..start + 7].to_uppercase()
        })
        .collect()
}

#[test]
fn the_stored_decoder_has_the_trained_shape_and_the_run_s_fingerprint() {
    let layers = layers_by_hand();
    let sizes: Vec<(usize, usize)> = layers.iter().map(|(w, b)| (w.len(), b.len())).collect();
    assert_eq!(sizes, vec![(2, 128), (128, 128), (128, 64)]);
    assert!(
        layers
            .iter()
            .all(|(w, b)| w.iter().all(|r| r.len() == b.len()))
    );
    let root = xtask::workspace_root();
    let runs = VaeRuns::read(&root).unwrap();
    let dec = DecoderRuns::read(&root).unwrap();
    assert_eq!(dec.fingerprint, runs.fingerprint);
    assert_eq!(dec.latent, runs.latent);
    assert_eq!(dec.vae.decoder().sizes(), vec![2, 128, 128, 64]);
}

#[test]
fn decoding_is_the_forward_pass_of_the_stored_weights() {
    let layers = layers_by_hand();
    for z in [[0.0, 0.0], [-1.35, 1.2], [2.75, -2.75], [-3.0, 3.0]] {
        let want = forward(&layers, z);
        let got = vae_latent::decode(z).unwrap();
        assert_eq!(got.len(), 64);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-12, "z = {z:?}: {g} と {w}");
        }
    }
}

#[test]
fn the_stored_decoder_reproduces_the_run_s_latent_grid_images() {
    // runs ch8 が学習直後のモデルで復号した格子 z ∈ [−2, 2]²（行は上から z₂ = 2 → −2、列は左から z₁ = −2 → 2）
    let runs = VaeRuns::read(&xtask::workspace_root()).unwrap();
    let grid = runs.images("grid");
    assert_eq!(grid.len(), GRID * GRID);
    let at = |t: usize| -2.0 + 4.0 * t as f64 / (GRID - 1) as f64;
    for (k, img) in grid.iter().enumerate() {
        let z = [at(k % GRID), at(GRID - 1 - k / GRID)];
        let got = vae_latent::decode(z).unwrap();
        for (g, w) in got.iter().zip(img.iter()) {
            assert!((g - w).abs() < 1e-12, "格子 {k}: {g} と {w}");
        }
    }
}

#[test]
fn the_picture_shows_the_decoded_image_and_the_readouts_are_right() {
    let layers = layers_by_hand();
    let runs = VaeRuns::read(&xtask::workspace_root()).unwrap();
    let spec = live::spec("vae-latent").unwrap();
    let mut sets = vec![defaults()];
    sets.extend(spec.cases.iter().map(|c| c.to_vec()));
    for v in sets {
        let fig = live::render("vae-latent", &v).unwrap();
        let z = [v[0], v[1]];
        let p = forward(&layers, z);
        // 画像の 64 画素の灰色
        let want: Vec<String> = p
            .iter()
            .map(|&q| {
                let g = (250.0 - 230.0 * q).round() as u8;
                format!("#{g:02X}{g:02X}{g:02X}")
            })
            .collect();
        assert_eq!(image_fills(&fig.svg), want, "z = {z:?}");
        // 読み出し
        assert_eq!(readout(&fig, "z₁"), z[0]);
        assert_eq!(readout(&fig, "z₂"), z[1]);
        let prior = -(2.0 * std::f64::consts::PI).ln() - (z[0].powi(2) + z[1].powi(2)) / 2.0;
        assert!((readout(&fig, "事前分布の対数密度") - prior).abs() < 1e-12);
        let (label, dist) = runs
            .latent
            .iter()
            .map(|&(l, a, b)| (l, ((a - z[0]).powi(2) + (b - z[1]).powi(2)).sqrt()))
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .unwrap();
        assert_eq!(readout(&fig, "最も近い検証用の点の数字"), f64::from(label));
        assert!((readout(&fig, "その点までの距離") - dist).abs() < 1e-12);
        let mean = p.iter().sum::<f64>() / 64.0;
        assert!((readout(&fig, "画素が 1 になる確率の平均") - mean).abs() < 1e-12);
        assert_eq!(fig.readouts.len(), 6);
        for r in &fig.readouts {
            assert!(!r.text.contains('-'), "負号はマイナス記号: {}", r.text);
        }
    }
}

#[test]
fn the_default_lands_on_a_four_and_the_corner_is_far_from_the_data() {
    let fig = live::render("vae-latent", &defaults()).unwrap();
    assert_eq!(readout(&fig, "最も近い検証用の点の数字"), 4.0);
    assert!(readout(&fig, "その点までの距離") < 0.2);
    let corner = live::render("vae-latent", &[2.75, -2.75]).unwrap();
    assert!(readout(&corner, "その点までの距離") > 1.0);
    // 原点から離れるほど事前分布の密度は下がる
    assert!(readout(&corner, "事前分布の対数密度") < readout(&fig, "事前分布の対数密度"));
}

#[test]
fn rendering_is_deterministic_and_each_slider_changes_the_picture() {
    let d = defaults();
    let a = live::render("vae-latent", &d).unwrap();
    assert_eq!(a, live::render("vae-latent", &d).unwrap());
    for k in 0..2 {
        let mut v = d.clone();
        v[k] += 0.05;
        let b = live::render("vae-latent", &v).unwrap();
        assert_ne!(a.svg, b.svg, "スライダー {k} を 1 刻み動かすと図が変わる");
        assert_ne!(image_fills(&a.svg), image_fills(&b.svg), "画像も変わる");
    }
}

#[test]
fn values_off_the_sliders_are_refused() {
    for v in [
        vec![3.05, 0.0],
        vec![0.0, -3.05],
        vec![0.0, 0.03],
        vec![f64::NAN, 0.0],
        vec![0.0, f64::INFINITY],
    ] {
        assert!(
            matches!(
                live::render("vae-latent", &v),
                Err(LiveError::OutOfRange { .. })
            ),
            "{v:?}"
        );
    }
    assert!(matches!(
        live::render("vae-latent", &[0.0]),
        Err(LiveError::WrongCount { .. })
    ));
}

#[test]
fn the_sliders_cover_the_data_and_the_cases_are_on_the_grid() {
    let spec = live::spec("vae-latent").unwrap();
    let runs = VaeRuns::read(&xtask::workspace_root()).unwrap();
    for (k, s) in spec.sliders.iter().enumerate() {
        let coord = |p: &(u8, f64, f64)| if k == 0 { p.1 } else { p.2 };
        assert!(
            runs.latent
                .iter()
                .all(|p| (s.min..=s.max).contains(&coord(p)))
        );
    }
    assert!(spec.cases.len() >= 2);
    for c in spec.cases {
        live::check(spec, c).unwrap();
    }
}

#[test]
fn the_static_figure_is_the_default_rendering() {
    let path = xtask::workspace_root().join("src/figures/fig-vae-explore.svg");
    let svg = std::fs::read_to_string(path).unwrap();
    assert!(
        svg == live::render("vae-latent", &defaults()).unwrap().svg,
        "静的な図が既定値の描画と違う: `cargo run -p xtask -- figures` で作り直す"
    );
}
