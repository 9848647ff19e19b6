//! §2.1 の図 2.3: 2 つの山をもつ分布 p に 1 つのガウス分布 q を、KL 情報量の 2 つの向きで当てはめる。
//!
//! - 順方向 `D(p ‖ q)` の最小はモーメント一致: `μ = E_p[x] = 0`、`σ² = Var_p[x] = a² + s²`（閉じた形）。
//! - 逆方向 `D(q ‖ p)` の最小は閉じた形をもたないので、数値積分（Simpson 則）と
//!   座標ごとの黄金分割探索で求める。
//!
//! 本文の数値と、この図が描く最適点は、`tests/exercises/ch02_01.rs` が別の方法
//! （格子探索と台形則）で求め直して確かめる。
//!
//! 書式は §2.2 の図（`gaussian.rs`）にそろえる: 図の番号と説明は本文の `<figcaption>` に書き、
//! SVG には入れない。幅 640 の SVG が電話の画面で幅 350 px ほどに縮んでも文字が約 10 px を
//! 下回らないよう、文字の指定は 24 以上（plotters は指定の 1/1.24 を `font-size` に書く）。
//! 凡例はデータに重ねず図の上の欄に置き、背景は暗いテーマで光らない少し暗い灰色にする。

use super::Figure;
use super::style::{AXIS, BACKGROUND, FONT, PALETTE, SIZE, TEXT, grid, render, tick};
use genmodel::gaussian::Gaussian;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// 目標の分布 p = ½ N(−a, s²) + ½ N(a, s²) の山の位置 a。
pub const PEAK: f64 = 2.0;
/// 目標の分布の各山の標準偏差 s。
pub const PEAK_SD: f64 = 0.5;

/// 当てはめたガウス分布 N(μ, σ²) のパラメータ。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// 平均 μ。
    pub mean: f64,
    /// 分散 σ²。
    pub var: f64,
}

/// 2 つの向きの最適点。
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fits {
    /// 順方向 `D(p ‖ q)` を最小にする q（モーメント一致）。
    pub forward: Fit,
    /// 逆方向 `D(q ‖ p)` を最小にする q のうち、μ > 0 の側（μ < 0 の側は鏡像）。
    pub reverse: Fit,
}

/// この話題の図（図 2.3）。
pub fn figures() -> Vec<Figure> {
    vec![Figure {
        file: "fig-kl-direction.svg",
        svg: draw(),
    }]
}

/// 1 次元ガウス分布の密度。
fn normal(x: f64, mean: f64, var: f64) -> f64 {
    (-(x - mean).powi(2) / (2.0 * var)).exp() / (2.0 * std::f64::consts::PI * var).sqrt()
}

/// 目標の分布 p(x) = ½ N(x; −a, s²) + ½ N(x; a, s²)（a = [`PEAK`]、s = [`PEAK_SD`]）の密度。
pub fn target(x: f64) -> f64 {
    let v = PEAK_SD * PEAK_SD;
    0.5 * (normal(x, -PEAK, v) + normal(x, PEAK, v))
}

/// 逆方向の KL 情報量 `D(N(μ, σ²) ‖ p) = ∫ q ln(q/p) dx` を Simpson 則で求める。
///
/// 積分は q の質量がほぼすべてある μ ± 12σ の範囲でとる（外の質量は 1e-32 未満）。
pub fn reverse_kl(mean: f64, var: f64) -> f64 {
    let sd = var.sqrt();
    let (lo, hi, n) = (mean - 12.0 * sd, mean + 12.0 * sd, 2400_usize);
    let h = (hi - lo) / n as f64;
    let f = |x: f64| {
        let q = normal(x, mean, var);
        if q == 0.0 {
            0.0
        } else {
            // ln q は密度を経由せず直接書く（裾で q が 0 に丸められても有限）
            let ln_q =
                -(x - mean).powi(2) / (2.0 * var) - 0.5 * (2.0 * std::f64::consts::PI * var).ln();
            q * (ln_q - target(x).max(f64::MIN_POSITIVE).ln())
        }
    };
    let mut sum = f(lo) + f(hi);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(lo + h * i as f64);
    }
    sum * h / 3.0
}

/// 区間 [lo, hi] で 1 変数関数の最小点を黄金分割探索で求める。
fn golden(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (hi - r * (hi - lo), lo + r * (hi - lo));
    let (mut fc, mut fd) = (f(c), f(d));
    while hi - lo > 1e-10 {
        if fc < fd {
            hi = d;
            (d, fd) = (c, fc);
            c = hi - r * (hi - lo);
            fc = f(c);
        } else {
            lo = c;
            (c, fc) = (d, fd);
            d = lo + r * (hi - lo);
            fd = f(d);
        }
    }
    0.5 * (lo + hi)
}

/// 2 つの向きの最適点を求める。
///
/// 逆方向は、右の山 (μ, σ²) = (a, s²) から始め、μ と ln σ² について交互に黄金分割探索をする。
pub fn fits() -> Fits {
    let forward = Fit {
        mean: 0.0,
        var: PEAK * PEAK + PEAK_SD * PEAK_SD,
    };
    let (mut mean, mut ln_var) = (PEAK, (PEAK_SD * PEAK_SD).ln());
    for _ in 0..20 {
        let (m0, l0) = (mean, ln_var);
        mean = golden(|m| reverse_kl(m, ln_var.exp()), mean - 0.5, mean + 0.5);
        ln_var = golden(|l| reverse_kl(mean, l.exp()), ln_var - 0.5, ln_var + 0.5);
        if (mean - m0).abs() < 1e-9 && (ln_var - l0).abs() < 1e-9 {
            break;
        }
    }
    Fits {
        forward,
        reverse: Fit {
            mean,
            var: ln_var.exp(),
        },
    }
}

/// 図 2.3: 目標 p（黒）と、順方向の最適 q（橙）、逆方向の最適 q（青。破線は μ < 0 の側の鏡像）。
fn draw() -> String {
    let Fits { forward, reverse } = fits();
    let q_f = Gaussian::new(forward.mean, forward.var).expect("正しいパラメータ");
    let q_r = Gaussian::new(reverse.mean, reverse.var).expect("正しいパラメータ");
    let q_m = Gaussian::new(-reverse.mean, reverse.var).expect("正しいパラメータ");
    let xs = grid(-5.0, 5.0, 800);
    let curve = |q: &Gaussian| -> Vec<(f64, f64)> {
        xs.iter()
            .map(|&x| (x, q.density(x).expect("有限の x")))
            .collect()
    };
    let row = 32;
    render((SIZE.0, 440), |root| {
        let (legend, plot) = root.split_vertically(3 * row + 14);
        let rows: [(RGBColor, bool, String); 4] = [
            (BLACK, false, "目標 p（2 つの山）".to_string()),
            (
                PALETTE[1],
                false,
                format!(
                    "順方向 D(p‖q) の最小 N({}, {})",
                    tick(&forward.mean),
                    tick(&forward.var)
                ),
            ),
            (
                PALETTE[0],
                false,
                format!(
                    "逆方向 D(q‖p) の最小 N({:.2}, {:.3})",
                    reverse.mean, reverse.var
                ),
            ),
            (PALETTE[0], true, "その鏡像".to_string()),
        ];
        for (k, (color, dashed, label)) in rows.iter().enumerate() {
            // 4 行目（鏡像）は 3 行目の右に並べる
            let (x, cy) = if k == 3 {
                (470, 16 + row * 2)
            } else {
                (16, 16 + row * k as i32)
            };
            if *dashed {
                for s in 0..3 {
                    let x0 = x + 16 * s;
                    legend.draw(&PathElement::new(
                        [(x0, cy), (x0 + 9, cy)],
                        color.stroke_width(3),
                    ))?;
                }
            } else {
                legend.draw(&PathElement::new(
                    [(x, cy), (x + 40, cy)],
                    color.stroke_width(3),
                ))?;
            }
            legend.draw(&Text::new(
                label.clone(),
                (x + 52, cy),
                TextStyle::from((FONT, TEXT).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_top(6)
            .x_label_area_size(58)
            .y_label_area_size(72)
            .build_cartesian_2d(-5.0..5.0, 0.0..0.85)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("密度")
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(BACKGROUND)
            .draw()?;
        chart.draw_series(LineSeries::new(curve(&q_f), PALETTE[1].stroke_width(3)))?;
        chart.draw_series(DashedLineSeries::new(
            curve(&q_m),
            9,
            7,
            PALETTE[0].stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(curve(&q_r), PALETTE[0].stroke_width(3)))?;
        chart.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, target(x))),
            BLACK.stroke_width(2),
        ))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_kl_of_a_single_peak_is_about_ln_2() {
        // q が右の山そのものなら p ≈ q/2 なので D(q‖p) ≈ ln 2。左の山の裾が原点付近で p を
        // 押し上げる分だけ小さい: E_q[ln(1 + e^{-16x})] ≈ 1e-4（原点は q の中心から 4σ）
        let d = reverse_kl(PEAK, PEAK_SD * PEAK_SD);
        assert!(d < 2f64.ln() && 2f64.ln() - d < 2e-4, "{d}");
    }
}
