//! §2.1 の図 2.1（接線の不等式 ln x ≤ x − 1）と図 2.2（Jensen の不等式）。ノートでは失われていた図を作り直す。
//!
//! 図の番号と説明は本文の `<figcaption>` に書き、SVG には入れない。文字の大きさと背景は [`super::style`] の約束に従う。

use super::Figure;
use super::style::{
    AXIS, BACKGROUND, FONT, PALETTE, SIZE, TEXT, draw_legend, grid, legend_line, render,
};
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

/// 図 2.1: y = x - 1 は y = ln x の上にあり、x = 1 でだけ接する（式 (2.4)）。
fn gibbs() -> String {
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..4.0, -3.0..3.0)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(BACKGROUND)
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
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, TEXT)?;
        Ok(())
    })
}

/// 図 2.2: 上に凸な f = ln では、弦（2 点の平均）が曲線（平均での値）の下にある（式 (2.6)）。
fn jensen() -> String {
    let (a, b) = (0.4_f64, 4.0_f64);
    let m = 0.5 * (a + b);
    render(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..4.5, -1.5..1.8)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .label_style((FONT, TEXT))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(BACKGROUND)
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
            Text::new("f((a+b)/2)", (m + 0.1, m.ln() + 0.05), (FONT, TEXT)),
            Text::new("(f(a)+f(b))/2", (m + 0.1, chord_mid - 0.1), (FONT, TEXT)),
            Text::new("(a, f(a))", (a + 0.08, a.ln() - 0.05), (FONT, TEXT)),
            Text::new("(b, f(b))", (b - 0.2, b.ln() - 0.12), (FONT, TEXT)),
        ])?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, TEXT)?;
        Ok(())
    })
}
