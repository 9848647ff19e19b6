//! §2.1 の図 1（Gibbs の不等式）と図 2（Jensen の不等式）。ノートでは失われていた図を作り直す。

use super::Figure;
use super::style::{FONT, PALETTE, draw_legend, grid, legend_line, render};
use plotters::prelude::*;

pub fn figures() -> Vec<Figure> {
    vec![
        Figure {
            file: "fig1-gibbs.svg",
            svg: gibbs(),
        },
        Figure {
            file: "fig2-jensen.svg",
            svg: jensen(),
        },
    ]
}

/// 図 1: y = x - 1 は y = ln x の上にあり、x = 1 でだけ接する（式 (2.4)）。
fn gibbs() -> String {
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("図 1: ln x ≤ x − 1（x = 1 でのみ等号）", (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0.0..4.0, -3.0..3.0)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .light_line_style(WHITE)
            .draw()?;
        let xs = grid(0.05, 4.0, 400);
        chart
            .draw_series(LineSeries::new(
                xs.iter().map(|&x| (x, x - 1.0)),
                PALETTE[1].stroke_width(2),
            ))?
            .label("y = x − 1")
            .legend(legend_line(PALETTE[1], 2));
        chart
            .draw_series(LineSeries::new(
                xs.iter().map(|&x| (x, x.ln())),
                PALETTE[0].stroke_width(2),
            ))?
            .label("y = ln x")
            .legend(legend_line(PALETTE[0], 2));
        chart.draw_series([Circle::new((1.0, 0.0), 4, BLACK.filled())])?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, 16)?;
        Ok(())
    })
}

/// 図 2: 上に凸な f = ln では、弦（2 点の平均）が曲線（平均での値）の下にある（式 (2.6)）。
fn jensen() -> String {
    let (a, b) = (0.4_f64, 4.0_f64);
    let m = 0.5 * (a + b);
    render(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption("図 2: 上に凸な f(x) = ln x と弦", (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0.0..4.5, -1.5..1.8)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .light_line_style(WHITE)
            .draw()?;
        let xs = grid(0.2, 4.5, 400);
        chart
            .draw_series(LineSeries::new(
                xs.iter().map(|&x| (x, x.ln())),
                PALETTE[0].stroke_width(2),
            ))?
            .label("y = ln x")
            .legend(legend_line(PALETTE[0], 2));
        chart
            .draw_series(LineSeries::new(
                [(a, a.ln()), (b, b.ln())],
                PALETTE[1].stroke_width(2),
            ))?
            .label("弦: (f(a) + f(b)) / 2 を通る")
            .legend(legend_line(PALETTE[1], 2));
        let chord_mid = 0.5 * (a.ln() + b.ln());
        chart.draw_series([
            Circle::new((m, m.ln()), 4, PALETTE[0].filled()),
            Circle::new((m, chord_mid), 4, PALETTE[1].filled()),
            Circle::new((a, a.ln()), 3, PALETTE[1].filled()),
            Circle::new((b, b.ln()), 3, PALETTE[1].filled()),
        ])?;
        chart.draw_series(LineSeries::new(
            [(m, chord_mid), (m, m.ln())],
            BLACK.stroke_width(1),
        ))?;
        chart.draw_series([
            Text::new("f((a+b)/2)", (m + 0.1, m.ln() + 0.05), (FONT, 15)),
            Text::new("(f(a)+f(b))/2", (m + 0.1, chord_mid - 0.1), (FONT, 15)),
            Text::new("(a, f(a))", (a + 0.08, a.ln() - 0.05), (FONT, 15)),
            Text::new("(b, f(b))", (b - 0.2, b.ln() - 0.12), (FONT, 15)),
        ])?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, 16)?;
        Ok(())
    })
}
