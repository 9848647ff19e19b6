//! 第 8 章の動かせる図: `d = 2` の VAE の潜在空間をたどる。
//!
//! スライダーで潜在変数 `z = (z₁, z₂)` を選ぶと、左に検証用の 359 枚のエンコーダの平均（図 8.5 と同じ点）と
//! `z` の位置の十字、右に学習したデコーダで `z` を復号した 8×8 の画像（画素が 1 になる確率の濃さ）を描く。
//! デコーダのパラメータと点は `runs ch8` が書いたファイル [`crate::runs_vae::DECODER`] を
//! `include_str!` で埋め込んだもの（ブラウザの中でもファイルを読まない）で、最初の描画のときに 1 度だけ読む。

use super::{LiveError, LiveFigure, LiveSpec, Readout, Slider};
use crate::figures::style::{AXIS, FONT, TEXT, mesh, render as draw, text_style, tick};
use crate::figures::vae::DIGIT_COLORS;
use crate::runs_vae_decoder::DecoderRuns;
use genmodel::ndarray::arr2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// 動かせる図の定義。
pub const SPEC: LiveSpec = LiveSpec {
    name: "vae-latent",
    file: "fig-vae-explore.svg",
    sliders: &[
        Slider {
            key: "z1",
            label: "z₁",
            min: -3.0,
            max: 3.0,
            step: 0.05,
            default: -1.35,
        },
        Slider {
            key: "z2",
            label: "z₂",
            min: -3.0,
            max: 3.0,
            step: 0.05,
            default: 1.2,
        },
    ],
    render,
    // 9 のまとまり、6 のまとまり、データの写らない右下の隅
    cases: &[&[1.35, 0.6], &[-1.25, -1.4], &[2.75, -2.75]],
};

/// `ln 2π`。
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// 図の左の散布図の範囲（両軸とも。スライダーの範囲と同じ）。
pub const RANGE: (f64, f64) = (-3.0, 3.0);

/// 十字と印の色（赤）。
const MARK: RGBColor = RGBColor(200, 0, 0);

/// 埋め込んだデコーダと点（最初に呼んだときに 1 度だけ読む）。
///
/// # Errors
///
/// 埋め込んだファイルが読めなければ [`LiveError::Compute`]（ファイルが壊れているときだけ）。
pub fn data() -> Result<&'static DecoderRuns, LiveError> {
    static DATA: OnceLock<Result<DecoderRuns, String>> = OnceLock::new();
    DATA.get_or_init(|| {
        DecoderRuns::parse(include_str!(
            "../../../../../src/figures/data/vae-decoder-d2.tsv"
        ))
        .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| LiveError::Compute(e.clone()))
}

/// `z` を復号した 64 画素の、画素が 1 になる確率（行優先、上の行から）。
///
/// # Errors
///
/// [`data`] の誤りか、`z` が有限でなければ [`LiveError::Compute`]。
pub fn decode(z: [f64; 2]) -> Result<Vec<f64>, LiveError> {
    let p = data()?.vae.decode(&arr2(&[z]))?;
    Ok(p.iter().copied().collect())
}

/// 事前分布の対数密度 `ln N(z; 0, I) = −ln 2π − |z|²/2`。
pub fn log_prior(z: [f64; 2]) -> f64 {
    -LN_2PI - 0.5 * (z[0] * z[0] + z[1] * z[1])
}

/// `z` に最も近い検証用の点（ユークリッド距離）: (番号, ラベル, 距離)。同じ距離なら番号の小さいほう。
///
/// # Errors
///
/// [`data`] の誤り、点がなければ [`LiveError::Compute`]。
pub fn nearest(z: [f64; 2]) -> Result<(usize, u8, f64), LiveError> {
    let mut best: Option<(usize, u8, f64)> = None;
    for (i, &(l, m1, m2)) in data()?.latent.iter().enumerate() {
        let d2 = (m1 - z[0]).powi(2) + (m2 - z[1]).powi(2);
        if best.is_none_or(|b| d2 < b.2) {
            best = Some((i, l, d2));
        }
    }
    let (i, l, d2) = best.ok_or_else(|| LiveError::Compute("検証用の点がない".into()))?;
    Ok((i, l, d2.sqrt()))
}

/// 復号した画像の 1 画素の灰色（図 8.4・8.6 と同じ: 確率 0 で 250、1 で 20）。
pub fn gray(p: f64) -> u8 {
    (250.0 - 230.0 * p.clamp(0.0, 1.0)).round() as u8
}

/// 図の大きさ。
const SIZE: (u32, u32) = (640, 430);
/// 左の散布図の欄の幅。
const LEFT: u32 = 420;
/// 復号した画像の 1 画素の辺（ピクセル）。
const CELL: i32 = 25;

fn render(values: &[f64]) -> Result<LiveFigure, LiveError> {
    let z = [values[0], values[1]];
    let data = data()?;
    let image = decode(z)?;
    let (index, label, dist) = nearest(z)?;
    let (_, n1, n2) = data.latent[index];
    let mean = image.iter().sum::<f64>() / image.len() as f64;
    let svg = draw(SIZE, |root| {
        let (left, right) = root.split_horizontally(LEFT);
        let mut chart = ChartBuilder::on(&left)
            .margin(8)
            .margin_top(18)
            .margin_right(12)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(RANGE.0..RANGE.1, RANGE.0..RANGE.1)?;
        mesh(&mut chart, "z₁", "z₂", &tick, &tick)
            .x_labels(7)
            .y_labels(7)
            .draw()?;
        let center = Pos::new(HPos::Center, VPos::Center);
        chart.draw_series(data.latent.iter().map(|&(l, x, y)| {
            let color = DIGIT_COLORS[usize::from(l) % 10];
            Text::new(
                l.to_string(),
                (x, y),
                (FONT, 17).into_font().color(&color.mix(0.75)).pos(center),
            )
        }))?;
        // 十字: z を通る縦と横の破線、z から最も近い点への線、z の輪
        let dashed = |a: (f64, f64), b: (f64, f64)| {
            DashedLineSeries::new([a, b], 6, 5, MARK.mix(0.8).stroke_width(2))
        };
        chart.draw_series(dashed((z[0], RANGE.0), (z[0], RANGE.1)))?;
        chart.draw_series(dashed((RANGE.0, z[1]), (RANGE.1, z[1])))?;
        chart.draw_series([PathElement::new(
            [(z[0], z[1]), (n1, n2)],
            MARK.stroke_width(2),
        )])?;
        chart.draw_series([Circle::new((n1, n2), 9, MARK.stroke_width(2))])?;
        chart.draw_series([Circle::new((z[0], z[1]), 11, WHITE.stroke_width(6))])?;
        chart.draw_series([Circle::new((z[0], z[1]), 11, MARK.stroke_width(3))])?;
        // 右: 復号した画像
        let side = 8 * CELL;
        let x0 = (SIZE.0 - LEFT) as i32 / 2 - side / 2;
        let y0 = 64;
        right.draw(&Text::new(
            "z の復号",
            (x0 + side / 2, 30),
            text_style(AXIS, HPos::Center, VPos::Center),
        ))?;
        right.draw(&Rectangle::new(
            [(x0 - 2, y0 - 2), (x0 + side + 2, y0 + side + 2)],
            BLACK.stroke_width(2),
        ))?;
        for (p, &v) in image.iter().enumerate() {
            let (py, px) = ((p / 8) as i32, (p % 8) as i32);
            let g = gray(v);
            let (x, y) = (x0 + px * CELL, y0 + py * CELL);
            right.draw(&Rectangle::new(
                [(x, y), (x + CELL, y + CELL)],
                RGBColor(g, g, g).filled(),
            ))?;
        }
        let below = y0 + side + 36;
        for (k, s) in [
            format!("z = ({}, {})", tick(&z[0]), tick(&z[1])),
            format!("最も近い点: {label}"),
        ]
        .into_iter()
        .enumerate()
        {
            right.draw(&Text::new(
                s,
                (x0 + side / 2, below + 34 * k as i32),
                text_style(TEXT, HPos::Center, VPos::Center),
            ))?;
        }
        Ok(())
    });
    Ok(LiveFigure {
        svg,
        readouts: vec![
            Readout::fixed("z₁", z[0], 2),
            Readout::fixed("z₂", z[1], 2),
            Readout::fixed("事前分布の対数密度 ln N(z; 0, I)", log_prior(z), 3),
            Readout::fixed("最も近い検証用の点の数字", f64::from(label), 0),
            Readout::fixed("その点までの距離", dist, 3),
            Readout::fixed("画素が 1 になる確率の平均", mean, 3),
        ],
    })
}
