//! 第 4 章の図: 学習曲線（厳密な対数尤度）、再構成誤差、学習した重み、ブロック Gibbs の標本と
//! 画素の平均、CD-k の偏り。数は `cargo run --release -p xtask -- runs` が書いた [`crate::runs::RUNS`] から読む。

use super::Figure;
use super::style::{PALETTE, SIZE, TEXT, draw_legend, legend_line, mesh, render, tick};
use crate::runs::Runs;
use plotters::prelude::*;

/// 勾配の差の丸め誤差の床（これより小さい値は 0 と区別できないので描かない）。
const ROUNDING_FLOOR: f64 = 1e-13;

/// 方法の名前と凡例の文字列。
const LABELS: [(&str, &str); 4] = [
    ("exact", "厳密な勾配"),
    ("cd1", "CD-1"),
    ("cd10", "CD-10"),
    ("pcd", "PCD"),
];

pub fn figures() -> Vec<Figure> {
    let runs = Runs::read(&crate::workspace_root()).expect("src/figures/data/rbm-digits.tsv");
    vec![
        Figure {
            file: "fig-rbm-curves.svg",
            svg: curves(&runs),
        },
        Figure {
            file: "fig-rbm-recon.svg",
            svg: recon(&runs),
        },
        Figure {
            file: "fig-rbm-filters.svg",
            svg: filters(&runs),
        },
        Figure {
            file: "fig-rbm-samples.svg",
            svg: samples(&runs),
        },
        Figure {
            file: "fig-rbm-pixel-means.svg",
            svg: pixel_means(&runs),
        },
        Figure {
            file: "fig-rbm-cd-bias.svg",
            svg: cd_bias(&runs),
        },
    ]
}

/// 図 4.1: 検証用データ（実線）と学習用データ（破線）の厳密な平均対数尤度。
fn curves(runs: &Runs) -> String {
    let t_max = crate::runs::STEPS as f64;
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(36)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..t_max, -23.0..-17.3)?;
        mesh(
            &mut chart,
            "歩",
            "平均対数尤度",
            &|x| format!("{x:.0}"),
            &tick,
        )
        .x_labels(4)
        .draw()?;
        for (i, (name, label)) in LABELS.iter().enumerate() {
            let Some(c) = runs.curve(name) else { continue };
            let color = PALETTE[i];
            chart
                .draw_series(LineSeries::new(
                    c.iter()
                        .filter(|p| p.held >= -23.0)
                        .map(|p| (p.t as f64, p.held)),
                    color.stroke_width(2),
                ))?
                .label(*label)
                .legend(legend_line(color, 2));
            chart.draw_series(DashedLineSeries::new(
                c.iter()
                    .filter(|p| p.train >= -23.0)
                    .map(|p| (p.t as f64, p.train)),
                6,
                4,
                color.stroke_width(1),
            ))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, TEXT)?;
        Ok(())
    })
}

/// 学習の最後の 1000 歩（`t ≥ STEPS − 1000`）の検証用の対数尤度の平均。1 時点の値は揺れが大きいので、
/// 方法の比較にはこれを使う。
pub fn late_mean(c: &[crate::runs::Point]) -> f64 {
    let late: Vec<f64> = c
        .iter()
        .filter(|p| p.t + 1000 >= crate::runs::STEPS)
        .map(|p| p.held)
        .collect();
    late.iter().sum::<f64>() / late.len() as f64
}

/// 図 4.2: 再構成誤差の推移（後半の 1000–3000 歩。凡例に最後の 1000 歩の検証用の対数尤度の平均）。
fn recon(runs: &Runs) -> String {
    let t_max = crate::runs::STEPS as f64;
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .margin_right(36)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(1000.0..t_max, 3.1..3.9)?;
        mesh(
            &mut chart,
            "歩",
            "再構成誤差",
            &|x| format!("{x:.0}"),
            &tick,
        )
        .x_labels(4)
        .draw()?;
        for (i, (name, label)) in LABELS.iter().enumerate() {
            let Some(c) = runs.curve(name) else { continue };
            let last = late_mean(c);
            let color = PALETTE[i];
            chart
                .draw_series(LineSeries::new(
                    c.iter()
                        .filter(|p| p.t >= 1000)
                        .map(|p| (p.t as f64, p.recon)),
                    color.stroke_width(2),
                ))?
                .label(format!("{label}（{:.2}）", last).replace('-', "−"))
                .legend(legend_line(color, 2));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, TEXT)?;
        Ok(())
    })
}

/// 8×8 の画像を並べて描く（`value(k, p)` は画像 k の画素 p の色）。
fn image_grid(count: usize, columns: usize, color: impl Fn(usize, usize) -> RGBColor) -> String {
    let rows = count.div_ceil(columns);
    let cell = 10i32;
    let gap = 8i32;
    let side = 8 * cell;
    let width = columns as i32 * (side + gap) + gap;
    let height = rows as i32 * (side + gap) + gap;
    render((width as u32, height as u32), |root| {
        for k in 0..count {
            let (r, c) = ((k / columns) as i32, (k % columns) as i32);
            let x0 = gap + c * (side + gap);
            let y0 = gap + r * (side + gap);
            for p in 0..64 {
                let (py, px) = ((p / 8) as i32, (p % 8) as i32);
                let (x, y) = (x0 + px * cell, y0 + py * cell);
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    color(k, p).filled(),
                ))?;
            }
        }
        Ok(())
    })
}

/// 図 4.3: 厳密な勾配で学習した 16 個の隠れ変数の重み（各列を 8×8 に並べる。赤が正、青が負）。
fn filters(runs: &Runs) -> String {
    let Some(model) = &runs.model else {
        return String::new();
    };
    let w = model.weights();
    let scale = w.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    image_grid(w.ncols(), 4, |k, p| {
        let v = (w[[p, k]] / scale).clamp(-1.0, 1.0);
        let mix = |a: u8, t: f64| (255.0 - (255.0 - f64::from(a)) * t).round() as u8;
        if v >= 0.0 {
            RGBColor(mix(180, v), mix(30, v), mix(40, v))
        } else {
            RGBColor(mix(30, -v), mix(80, -v), mix(170, -v))
        }
    })
}

/// 図 4.4: ブロック Gibbs の標本（1000 歩のあとの 12 本の鎖。黒が 1）。
fn samples(runs: &Runs) -> String {
    image_grid(runs.samples.len(), 6, |k, p| {
        if runs.samples[k][p] == 1 {
            RGBColor(20, 20, 20)
        } else {
            RGBColor(250, 250, 250)
        }
    })
}

/// 図 4.5: 画素ごとの平均: ブロック Gibbs の推定（95 % 区間）と厳密な値。
fn pixel_means(runs: &Runs) -> String {
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
        mesh(&mut chart, "厳密な ⟨vᵢ⟩", "Gibbs の推定", &tick, &tick).draw()?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                BLACK.stroke_width(1),
            ))?
            .label("推定 = 厳密な値")
            .legend(legend_line(BLACK, 1));
        chart.draw_series(runs.pixel_means.iter().map(|&(_, lo, hi, exact)| {
            PathElement::new([(exact, lo), (exact, hi)], PALETTE[0].stroke_width(2))
        }))?;
        chart
            .draw_series(
                runs.pixel_means
                    .iter()
                    .map(|&(m, _, _, exact)| Circle::new((exact, m), 3, PALETTE[0].filled())),
            )?
            .label("推定と 95 % 区間")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, PALETTE[0].filled()));
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, TEXT)?;
        Ok(())
    })
}

/// 図 4.6: CD-k の勾配の期待値と厳密な勾配の差 ‖E[CD-k] − ∇L‖（対数目盛り）と、第 2 固有値の冪 |λ₂|^k。
fn cd_bias(runs: &Runs) -> String {
    let scales: Vec<f64> = runs.lambda2.iter().map(|&(a, _)| a).collect();
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..30.0, (1e-14..10.0).log_scale())?;
        mesh(
            &mut chart,
            "k",
            "‖E[CD-k] − 厳密な勾配‖",
            &|x| format!("{x:.0}"),
            &|v: &f64| format!("1e{:.0}", v.log10()),
        )
        .draw()?;
        for (i, (&a, &(_, l2))) in scales.iter().zip(&runs.lambda2).enumerate() {
            let pts: Vec<(f64, f64)> = runs
                .bias
                .iter()
                .filter(|&&(s, k, d)| s == a && k <= 30 && d > ROUNDING_FLOOR)
                .map(|&(_, k, d)| (k as f64, d))
                .collect();
            let color = PALETTE[i];
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))?
                .label(format!("× {a}（|λ₂| = {l2:.3}）"))
                .legend(legend_line(color, 2));
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            // 傾きの目安: k = 1 の値から |λ₂|^(k−1) で減る線
            if let Some(&(_, d1)) = pts.first() {
                chart.draw_series(DashedLineSeries::new(
                    (1..=30)
                        .map(|k| (k as f64, d1 * l2.powi(k - 1)))
                        .filter(|&(_, d)| d > ROUNDING_FLOOR),
                    5,
                    4,
                    color.stroke_width(1),
                ))?;
            }
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, TEXT)?;
        Ok(())
    })
}
