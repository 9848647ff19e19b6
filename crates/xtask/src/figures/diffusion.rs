//! 第 10 章の図: 厳密に分かる量（ここで計算する）。

use super::Figure;
use super::style::{Key, PALETTE, frame, grid, legend, mesh, pow10, render, tick};
use crate::runs_diffusion::DiffusionRuns;
use genmodel::diffusion::{GaussianMixture, Schedule};
use genmodel::ndarray::{Array2, array};
use plotters::prelude::*;

/// 第 10 章の図。
pub fn figures() -> Vec<Figure> {
    let root = crate::workspace_root();
    let runs = DiffusionRuns::read(&root).unwrap_or_default();
    vec![
        Figure {
            file: "fig-diffusion-marginals.svg",
            svg: marginals(),
        },
        Figure {
            file: "fig-diffusion-training.svg",
            svg: training(&runs),
        },
        Figure {
            file: "fig-diffusion-per-time.svg",
            svg: per_time(&runs),
        },
        Figure {
            file: "fig-diffusion-score.svg",
            svg: score_slice(&runs),
        },
        Figure {
            file: "fig-diffusion-samples.svg",
            svg: samples(&runs),
        },
        Figure {
            file: "fig-diffusion-digits.svg",
            svg: digits(&root),
        },
    ]
}

/// 本文の予定（T = 1000、β を 10⁻⁴ から 0.02 まで等間隔）。
pub fn book_schedule() -> Schedule {
    Schedule::linear(1000, 1e-4, 0.02).expect("本文の予定")
}

/// 本文の 1 次元の例: 0.3 N(−2, 0.3²) + 0.7 N(1.5, 0.5²)。
pub fn example_1d() -> GaussianMixture {
    GaussianMixture::new(
        array![0.3, 0.7],
        array![[-2.0], [1.5]],
        array![[0.09], [0.25]],
    )
    .expect("1 次元の例")
}

/// 図 10.1 の時刻。
const TIMES: [usize; 5] = [0, 50, 150, 400, 1000];

/// 時刻 t の周辺分布の密度と、最適な雑音の予測 ε*（t = 0 は予測なし）を格子の上で。
fn curves(t: usize, xs: &[f64]) -> (Vec<f64>, Option<Vec<f64>>) {
    let s = book_schedule();
    let m = example_1d();
    let grid = Array2::from_shape_fn((xs.len(), 1), |(i, _)| xs[i]);
    let pt = m.noised(&s, t).expect("p_t");
    let dens = pt
        .ln_density(&grid)
        .expect("密度")
        .iter()
        .map(|l| l.exp())
        .collect();
    let eps = (t > 0).then(|| {
        m.optimal_epsilon(&s, t, &grid)
            .expect("ε*")
            .column(0)
            .to_vec()
    });
    (dens, eps)
}

/// 図 10.1: 1 次元のガウス混合の周辺分布 p_t（上）と最適な雑音の予測 ε*（下）。
fn marginals() -> String {
    let xs = grid(-4.0, 4.0, 400);
    render((640, 720), |root| {
        let (top, body) = root.split_vertically(92);
        let items: Vec<(Key, String)> = TIMES
            .iter()
            .enumerate()
            .map(|(i, t)| (Key::Line(PALETTE[i], 3), format!("t = {t}")))
            .collect();
        legend(&top, (60, 24), 3, 190, &items)?;
        let (upper, lower) = body.split_vertically(314);
        let mut chart = frame(&upper, 70).build_cartesian_2d(-4.0..4.0, 0.0..1.0)?;
        mesh(&mut chart, "", "密度 pₜ(x)", &tick, &tick)
            .x_labels(9)
            .y_labels(5)
            .draw()?;
        for (i, &t) in TIMES.iter().enumerate() {
            let (d, _) = curves(t, &xs);
            chart.draw_series(LineSeries::new(
                xs.iter().copied().zip(d),
                PALETTE[i].stroke_width(3),
            ))?;
        }
        let mut chart = frame(&lower, 70).build_cartesian_2d(-4.0..4.0, -2.5..2.5)?;
        mesh(&mut chart, "x", "ε*(x, t)", &tick, &tick)
            .x_labels(9)
            .y_labels(5)
            .draw()?;
        for (i, &t) in TIMES.iter().enumerate() {
            if let (_, Some(e)) = curves(t, &xs) {
                chart.draw_series(LineSeries::new(
                    xs.iter().copied().zip(e).filter(|(_, y)| y.abs() <= 2.5),
                    PALETTE[i].stroke_width(3),
                ))?;
            }
        }
        Ok(())
    })
}

/// 本文のガウス分布のデータの例 N(μ, s²) の (μ, s²)。
pub const GAUSSIAN_DATA: (f64, f64) = (1.5, 0.25);

/// 表 10.1 の 1 行: 予定（段の数 T、最初と最後の β）、分散の選び方、生成される分布 N(m₀, v₀)、
/// データの分布との KL 情報量 KL(N(m₀, v₀) ‖ N(μ, s²))。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianRow {
    /// 段の数。
    pub steps: usize,
    /// 最初と最後の β。
    pub betas: (f64, f64),
    /// σ_t² = β_t なら真、β̃_t なら偽。
    pub beta_variance: bool,
    /// 生成される分布の平均と分散。
    pub output: (f64, f64),
    /// データの分布との KL 情報量。
    pub kl: f64,
}

/// 表 10.1: 最適な予測の祖先サンプリングが生む分布（漸化式 (10.21) を T から 0 までたどる）。
pub fn gaussian_table() -> Vec<GaussianRow> {
    use genmodel::diffusion::sampler::{Variance, gaussian_output};
    use genmodel::divergence::kl_gaussian_1d;
    let (mu, s2) = GAUSSIAN_DATA;
    let mut rows = Vec::new();
    for (steps, first, last) in [(1000, 1e-4, 0.02), (100, 1e-3, 0.2), (10, 0.05, 0.9)] {
        let s = Schedule::linear(steps, first, last).expect("予定");
        for (beta_variance, var) in [(true, Variance::Beta), (false, Variance::BetaTilde)] {
            let output = gaussian_output(&s, mu, s2, var).expect("漸化式");
            let kl = kl_gaussian_1d(output.0, output.1, mu, s2).expect("KL");
            rows.push(GaussianRow {
                steps,
                betas: (first, last),
                beta_variance,
                output,
                kl,
            });
        }
    }
    rows
}

/// 数を `1.2 \times 10^{-3}` の形（有効数字 2 桁）で書く。
fn scientific(x: f64) -> String {
    let k = x.abs().log10().floor() as i32;
    let mantissa = x / 10f64.powi(k);
    if (-2..=0).contains(&k) {
        format!("{x:.*}", (1 - k) as usize)
    } else {
        format!("{mantissa:.1} \\times 10^{{{k}}}")
    }
}

/// 表 10.1 の Markdown の行（本文の表と、数を確かめるテストが使う）。
pub fn gaussian_table_row(r: &GaussianRow) -> String {
    let sigma = if r.beta_variance {
        r"\beta_t"
    } else {
        r"\widetilde{\beta}_t"
    };
    format!(
        "| ${}$ | ${sigma}$ | ${:.5}$ | ${:.5}$ | ${}$ |",
        r.steps,
        r.output.0,
        r.output.1,
        scientific(r.kl)
    )
}

/// 誤差棒（縦の線分）。
fn bar(x: f64, lo: f64, hi: f64, color: RGBColor) -> PathElement<(f64, f64)> {
    PathElement::new([(x, lo), (x, hi)], color.stroke_width(2))
}

/// 図 10.3: 学習曲線。上: 各回のミニバッチの損失、検証用の損失（±2 標準誤差）、同じ点での厳密な ε* の損失、
/// 下限 (10.16) の推定。下: 厳密な ε* からの超過（対にした推定、±2 標準誤差、対数目盛り）。
fn training(runs: &DiffusionRuns) -> String {
    let last = runs.curve.last().map_or(1.0, |p| p.epoch as f64);
    render((640, 720), |root| {
        let (top, body) = root.split_vertically(92);
        legend(
            &top,
            (40, 24),
            2,
            300,
            &[
                (Key::Line(PALETTE[0], 3), "学習用の損失".into()),
                (Key::Ring(PALETTE[1]), "検証用の損失".into()),
                (Key::Dashed(BLACK, 2), "厳密な ε* の損失".into()),
                (Key::Line(PALETTE[2], 3), "超過".into()),
            ],
        )?;
        let (upper, lower) = body.split_vertically(330);
        let mut chart = frame(&upper, 70).build_cartesian_2d(0.0..last, 0.4..0.8)?;
        mesh(&mut chart, "", "1 点あたりの損失", &tick, &tick)
            .x_labels(7)
            .y_labels(5)
            .draw()?;
        chart.draw_series(LineSeries::new(
            runs.curve
                .iter()
                .map(|p| (p.epoch as f64, p.train.min(0.8))),
            PALETTE[0].stroke_width(3),
        ))?;
        let held: Vec<_> = runs.curve.iter().filter(|p| p.held.0.is_finite()).collect();
        chart.draw_series(held.iter().map(|p| {
            bar(
                p.epoch as f64,
                p.held.0 - 2.0 * p.held.1,
                p.held.0 + 2.0 * p.held.1,
                PALETTE[1],
            )
        }))?;
        chart.draw_series(
            held.iter()
                .map(|p| Circle::new((p.epoch as f64, p.held.0), 4, PALETTE[1].stroke_width(2))),
        )?;
        chart.draw_series(DashedLineSeries::new(
            held.iter().map(|p| (p.epoch as f64, p.exact)),
            8,
            5,
            BLACK.stroke_width(2),
        ))?;
        let mut chart = frame(&lower, 70).build_cartesian_2d(0.0..last, (1e-3..0.5).log_scale())?;
        mesh(&mut chart, "回（エポック）", "超過", &tick, &pow10)
            .x_labels(7)
            .draw()?;
        chart.draw_series(held.iter().filter(|p| p.excess.0 > 0.0).map(|p| {
            let lo = (p.excess.0 - 2.0 * p.excess.1).max(1e-3);
            bar(
                p.epoch as f64,
                lo,
                p.excess.0 + 2.0 * p.excess.1,
                PALETTE[2],
            )
        }))?;
        chart.draw_series(LineSeries::new(
            held.iter()
                .filter(|p| p.excess.0 > 0.0)
                .map(|p| (p.epoch as f64, p.excess.0)),
            PALETTE[2].stroke_width(3),
        ))?;
        Ok(())
    })
}

/// 図 10.4: 時刻ごとの損失と下限（上、±2 標準誤差）と、p_t の上の予測の 2 乗誤差 E|ε̂ − ε*|²（下、対数目盛り）。
fn per_time(runs: &DiffusionRuns) -> String {
    render((640, 720), |root| {
        let (top, body) = root.split_vertically(60);
        legend(
            &top,
            (40, 28),
            2,
            300,
            &[
                (Key::Ring(PALETTE[0]), "ネットワークの損失".into()),
                (Key::Triangle(PALETTE[1]), "下限 (10.16)".into()),
            ],
        )?;
        let (upper, lower) = body.split_vertically(330);
        let mut chart =
            frame(&upper, 70).build_cartesian_2d((0.7..1500.0).log_scale(), -0.1..2.2)?;
        mesh(&mut chart, "", "時刻 t の損失", &pow10, &tick)
            .y_labels(5)
            .draw()?;
        for r in &runs.tloss {
            let shift = 1.08;
            chart.draw_series([
                bar(
                    r[0] / shift,
                    r[1] - 2.0 * r[2],
                    r[1] + 2.0 * r[2],
                    PALETTE[0],
                ),
                bar(
                    r[0] * shift,
                    r[3] - 2.0 * r[4],
                    r[3] + 2.0 * r[4],
                    PALETTE[1],
                ),
            ])?;
        }
        chart.draw_series(
            runs.tloss
                .iter()
                .map(|r| Circle::new((r[0] / 1.08, r[1]), 5, PALETTE[0].stroke_width(2))),
        )?;
        chart.draw_series(
            runs.tloss
                .iter()
                .map(|r| TriangleMarker::new((r[0] * 1.08, r[3]), 7, PALETTE[1].filled())),
        )?;
        let mut chart = frame(&lower, 70)
            .build_cartesian_2d((0.7..1500.0).log_scale(), (3e-4..0.2).log_scale())?;
        mesh(&mut chart, "時刻 t", "E|ε̂ − ε*|²", &pow10, &pow10).draw()?;
        chart.draw_series(runs.tloss.iter().map(|r| {
            bar(
                r[0],
                (r[5] - 2.0 * r[6]).max(3e-4),
                r[5] + 2.0 * r[6],
                PALETTE[2],
            )
        }))?;
        chart.draw_series(LineSeries::new(
            runs.tloss.iter().map(|r| (r[0], r[5])),
            PALETTE[2].stroke_width(3),
        ))?;
        chart.draw_series(
            runs.tloss
                .iter()
                .map(|r| Circle::new((r[0], r[5]), 5, PALETTE[2].filled())),
        )?;
        Ok(())
    })
}

/// 図 10.5 の切り口 x₂ = 1 の上の、スコアの第 1 成分（厳密な値と、ネットワークの −ε̂/√(1 − ᾱ)）。
pub const SLICE: f64 = 1.0;

/// 図 10.5: 4 つの時刻のスコアの第 1 成分 ∂ ln p_t/∂x₁ を、切り口 x₂ = 1 の上で。
fn score_slice(runs: &DiffusionRuns) -> String {
    let times: Vec<f64> = {
        let mut v: Vec<f64> = runs.score.iter().map(|r| r[0]).collect();
        v.dedup();
        v
    };
    render((640, 700), |root| {
        let (top, body) = root.split_vertically(60);
        legend(
            &top,
            (40, 28),
            2,
            300,
            &[
                (Key::Line(BLACK, 2), "厳密なスコア".into()),
                (Key::Ring(PALETTE[0]), "ネットワーク".into()),
            ],
        )?;
        let panels = body.split_evenly((2, 2));
        for (panel, t) in panels.iter().zip(&times) {
            let rows: Vec<&[f64; 7]> = runs
                .score
                .iter()
                .filter(|r| r[0] == *t && (r[2] - SLICE).abs() < 1e-9)
                .collect();
            let span = rows
                .iter()
                .map(|r| r[3].abs())
                .fold(1.0_f64, f64::max)
                .min(40.0);
            let mut chart = ChartBuilder::on(panel)
                .margin(6)
                .margin_right(16)
                .caption(format!("t = {t}"), (super::style::FONT, super::style::TEXT))
                .x_label_area_size(44)
                .y_label_area_size(56)
                .build_cartesian_2d(-3.5..3.5, -span * 1.1..span * 1.1)?;
            mesh(&mut chart, "x₁", "", &tick, &tick)
                .x_labels(5)
                .y_labels(5)
                .draw()?;
            chart.draw_series(LineSeries::new(
                rows.iter().map(|r| (r[1], r[3])),
                BLACK.stroke_width(2),
            ))?;
            chart.draw_series(
                rows.iter()
                    .filter(|r| r[5].abs() <= span * 1.1)
                    .map(|r| Circle::new((r[1], r[5]), 4, PALETTE[0].stroke_width(2))),
            )?;
        }
        Ok(())
    })
}

/// 図 10.6: 生成した標本（左: 厳密なスコア、右: ネットワーク）。十字は混合の成分の平均。
fn samples(runs: &DiffusionRuns) -> String {
    let means = crate::runs_diffusion::mixture()
        .map(|m| m.means().to_owned())
        .unwrap_or_else(|_| Array2::zeros((0, 2)));
    render((640, 360), |root| {
        let panels = root.split_evenly((1, 2));
        for (panel, (which, title)) in panels
            .iter()
            .zip([("exact", "厳密なスコア"), ("net", "ネットワーク")])
        {
            let mut chart = ChartBuilder::on(panel)
                .margin(6)
                .margin_right(14)
                .caption(title, (super::style::FONT, super::style::TEXT))
                .x_label_area_size(40)
                .y_label_area_size(44)
                .build_cartesian_2d(-3.0..3.0, -3.0..3.0)?;
            mesh(&mut chart, "", "", &tick, &tick)
                .x_labels(4)
                .y_labels(4)
                .draw()?;
            chart.draw_series(
                runs.samples
                    .iter()
                    .filter(|s| s.0 == which)
                    .map(|s| Circle::new((s.1, s.2), 2, PALETTE[0].mix(0.5).filled())),
            )?;
            chart.draw_series(
                means
                    .rows()
                    .into_iter()
                    .map(|m| Cross::new((m[0], m[1]), 7, BLACK.stroke_width(3))),
            )?;
        }
        Ok(())
    })
}

/// 図 10.7: 8×8 の数字。1 行目はデータ、2・3 行目は学習したネットワークからの標本。
fn digits(root: &std::path::Path) -> String {
    let text = std::fs::read_to_string(root.join("src/figures/data/diffusion-digits.tsv"))
        .unwrap_or_default();
    let mut data: Vec<Vec<f64>> = Vec::new();
    let mut sample: Vec<Vec<f64>> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() == 67 && f[0] == "image" {
            let px: Vec<f64> = f[3..].iter().filter_map(|v| v.parse().ok()).collect();
            if f[1] == "data" {
                data.push(px);
            } else {
                sample.push(px);
            }
        }
    }
    fn row(v: &[Vec<f64>], skip: usize) -> Vec<&[f64]> {
        v.iter().skip(skip).take(8).map(Vec::as_slice).collect()
    }
    super::vae::image_rows(&[row(&data, 0), row(&sample, 0), row(&sample, 8)])
}

/// 表 10.2 の Markdown の行（見出しを含む）: 成分ごとの、データ・厳密なスコア・ネットワークの標本の割合。
pub fn fractions_table(runs: &DiffusionRuns) -> Vec<String> {
    let weights = [0.25, 0.2, 0.15, 0.15, 0.15, 0.1];
    let mut rows = vec![
        "| 成分 | 重み $\\pi_k$ | データ | 厳密なスコア | ネットワーク |".to_string(),
        "|---:|---:|---:|---:|---:|".to_string(),
    ];
    let get = |who: &str, k: usize| {
        runs.fractions
            .iter()
            .find(|f| f.0 == who && f.1 == k)
            .map_or(f64::NAN, |f| f.2)
    };
    for (k, w) in weights.iter().enumerate() {
        rows.push(format!(
            "| ${}$ | ${w}$ | ${:.4}$ | ${:.4}$ | ${:.4}$ |",
            k + 1,
            get("data", k),
            get("exact", k),
            get("net", k)
        ));
    }
    rows
}

/// 表 10.3 の Markdown の行（見出しを含む）: ガウス分布のデータでネットワークが生成した標本の平均・分散と、
/// 最適な予測のときの厳密な値（漸化式 (10.21)）。
pub fn gaussian_run_table(runs: &DiffusionRuns) -> Vec<String> {
    let mut rows = vec![
        "| 量 | ネットワーク | 厳密な値 |".to_string(),
        "|---|---:|---:|".to_string(),
    ];
    for (w, j, v) in runs.gaussian.iter() {
        if w == "net" {
            rows.push(format!(
                "| 座標 {} の平均 | ${:.4} \\pm {:.4}$ | ${:.4}$ |",
                j + 1,
                v[0],
                v[1],
                v[4]
            ));
            rows.push(format!(
                "| 座標 {} の分散 | ${:.4} \\pm {:.4}$ | ${:.4}$ |",
                j + 1,
                v[2],
                v[3],
                v[5]
            ));
        }
    }
    rows
}

/// 本文が引く数（学習曲線と時刻ごとの評価）。書式は本文と同じ。
pub fn quoted_numbers(runs: &DiffusionRuns) -> Vec<String> {
    let mut out = vec![format!(
        "下限の推定は ${:.4} \\pm {:.4}$",
        runs.floor.0, runs.floor.1
    )];
    let held: Vec<_> = runs.curve.iter().filter(|p| p.held.0.is_finite()).collect();
    if let (Some(first), Some(last)) = (held.first(), held.last()) {
        out.push(format!(
            "最後の検証用の損失 ${:.4} \\pm {:.4}$",
            last.held.0, last.held.1
        ));
        out.push(format!(
            "1 回目の後の ${:.3}$ から、最後には ${:.4} \\pm {:.4}$",
            first.excess.0, last.excess.0, last.excess.1
        ));
    }
    let at = |t: f64| {
        runs.tloss
            .iter()
            .find(|r| r[0] == t)
            .map_or(f64::NAN, |r| r[5])
    };
    out.push(format!("$t = 1$ で ${:.3}$", at(1.0)));
    out.push(format!("$t = 1000$ で ${:.4}$", at(1000.0)));
    out
}
