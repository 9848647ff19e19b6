//! 図の共通の見た目と、折れ線を描くための小さな道具。

use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error;

/// 図の大きさ（ピクセル）。
pub const SIZE: (u32, u32) = (640, 400);
/// 文字の書体。閲覧者のブラウザが日本語の書体を選ぶ。
pub const FONT: &str = "sans-serif";

/// 色の並び（色覚の違いに配慮した Okabe–Ito の配色）。
pub const PALETTE: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
];

/// `[a, b]` を `n` 等分した `n + 1` 点。
pub fn grid(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..=n).map(|i| a + (b - a) * i as f64 / n as f64).collect()
}

/// SVG を文字列に描く。描画の失敗は図の作り方の誤りなので、ここで止める。
pub fn render(
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Box<dyn Error>>,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).expect("背景を塗れない");
        draw(&root).expect("図を描けない");
        root.present().expect("SVG を書き出せない");
    }
    svg
}

/// 凡例に描く短い線（幅 20 ピクセル）。
pub fn legend_line(color: RGBColor, width: u32) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(width))
}

/// 凡例を、黒い枠と白い背景で `position` に描く。
pub fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    font_size: u32,
) -> Result<(), Box<dyn Error>>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .border_style(BLACK)
        .background_style(WHITE)
        .label_font((FONT, font_size))
        .draw()?;
    Ok(())
}
