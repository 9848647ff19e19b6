//! 後ろの部分 `x = …` を「定義」として読むのは、左辺がどこにも束縛されていないときだけ。
//! 添字つきの左辺（`J'_{kl}`）の名前が行列に束縛されていれば、定義ではなく確かめる。

use ndarray::array;
use texeval::*;

fn equation(latex: &str) -> Equation {
    parse_equation("9.9", latex, &Macros::default()).unwrap()
}

#[test]
fn subscripted_left_side_with_bound_base_is_checked_not_defined() {
    let eq = equation(r"a = 1, \qquad J'_{kl} = a + k");
    let mut env = Env::new();
    env.scalar("a", 1.0).scalar("k", 2.0).scalar("l", 1.0);
    // J'_{21}（添字は 1 から）は 5 で、右辺 a + k = 3 と合わない: 定義に逃げずに失敗する
    env.set("J'", Value::Matrix(array![[0.0, 0.0], [5.0, 0.0]]));
    let rs = check_equation(&eq, &[&env], &Tolerances::default());
    assert!(
        rs.iter().any(|r| r.status == LinkStatus::Fail),
        "{:?}",
        rs.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    // 成分が合っていれば通る
    env.set("J'", Value::Matrix(array![[0.0, 0.0], [3.0, 0.0]]));
    let rs = check_equation(&eq, &[&env], &Tolerances::default());
    assert!(rs.iter().all(LinkResult::ok));
}

#[test]
fn unbound_left_side_is_still_a_definition() {
    let eq = equation(r"a = 1, \qquad m = a + 1");
    let mut env = Env::new();
    env.scalar("a", 1.0);
    let rs = check_equation(&eq, &[&env], &Tolerances::default());
    assert!(rs.iter().any(|r| r.status == LinkStatus::Defined));
    assert!(rs.iter().all(LinkResult::ok));
}
