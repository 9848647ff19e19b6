//! 使い方の例: 本の式 (2.9)・(2.12) の LaTeX を**写した定数**を読み、評価する。
//!
//! ページの式そのものを確かめるテストではない（ページが変わってもここは変わらない）。
//! 検証索引は `eq_<章>_<番号>_…` という名前のテストを式の検証とみなすので、ここのテストは
//! `example_…` と名づける。

use texeval::*;

fn macros() -> Macros {
    Macros::parse(
        r"\KL:{D_{\mathrm{KL}}}
\vx:{\vec{x}}
\vmu:{\vec{\mu}}
\vtheta:{\vec{\theta}}
\T:{\top}
\onlytheta:{\overset{\text{θ のみ}}{=}}",
    )
    .unwrap()
}

fn all_ok(rs: &[LinkResult]) {
    for r in rs {
        eprintln!("{r}");
    }
    assert!(rs.iter().all(|r| r.ok()), "失敗した link がある");
}

const EQ_2_9: &str = r"Z_\theta = \int_{-\infty}^{\infty} dx \, \exp\left( -\frac{1}{2\sigma^2} (x - \mu)^2 \right) = \sqrt{2\pi\sigma^2}";

#[test]
fn example_2_9_gaussian_normaliser() {
    let m = macros();
    let eq = parse_equation("2.9", EQ_2_9, &m).unwrap();
    let mut env = Env::with_macros(m);
    env.scalar(r"\mu", 0.7).scalar(r"\sigma", 1.3);
    env.formula(r"Z_\theta", r"\sqrt{2\pi}\,\sigma").unwrap();
    let rs = check_equation(&eq, &[&env], &Tolerances::default());
    all_ok(&rs);
    assert_eq!(rs.len(), 2);
}

const EQ_2_12: &str = r"\frac{\partial \KL}{\partial \mu} = -\frac{1}{\sigma^2} \frac{1}{n} \sum_{i=1}^{n} (x_i - \mu) = 0 \iff \mu = \frac{1}{n} \sum_{i=1}^{n} x_i \quad \text{（データの平均）}";
const EQ_2_11_RHS: &str =
    r"\frac{1}{2\sigma^2} \frac{1}{n} \sum_{i=1}^{n} (x_i - \mu)^2 + \frac{1}{2} \ln \sigma^2";

fn env_2_12(mu: f64) -> Env {
    let mut env = Env::with_macros(macros());
    let xs = [0.3, 1.9, -0.4, 2.2];
    env.data("x", &xs).scalar("n", xs.len() as f64);
    env.scalar(r"\mu", mu).scalar(r"\sigma^2", 0.8);
    env.formula(r"\KL", EQ_2_11_RHS).unwrap();
    env
}

#[test]
fn example_2_12_mle_mean() {
    let eq = parse_equation("2.12", EQ_2_12, &macros()).unwrap();
    let (at_mean, off) = (env_2_12(1.0), env_2_12(0.2));
    let rs = check_equation(&eq, &[&at_mean, &off], &Tolerances::default());
    for r in &rs {
        eprintln!("{r}");
    }
    // link 1（∂KL/∂μ = 式）は両方で成り立つ。link 2（= 0）は平均でだけ成り立つ。
    assert!(rs[0].ok());
    assert_eq!(rs[1].status, LinkStatus::Fail);
    assert_eq!(rs[1].env, 1);
    assert_eq!(rs[2].status, LinkStatus::Pass, "iff: {}", rs[2]);
    // 平均の束縛だけなら全部成り立つ（iff は真の束縛しかないので判定できない）
    let rs = check_equation(&eq, &[&at_mean], &Tolerances::default());
    assert!(rs.iter().filter(|r| r.rel != Rel::Iff).all(|r| r.ok()));
}

#[test]
fn example_2_12_sign_mutant_fails_with_message() {
    let bad = EQ_2_12.replacen(r"= -\frac{1}{\sigma^2}", r"= \frac{1}{\sigma^2}", 1);
    let eq = parse_equation("2.12", &bad, &macros()).unwrap();
    let rs = check_equation(&eq, &[&env_2_12(0.2)], &Tolerances::default());
    let msg = rs[0].to_string();
    eprintln!("{msg}");
    assert_eq!(rs[0].status, LinkStatus::Fail);
    assert!(msg.starts_with("(2.12) link 1 (`=`): left "), "{msg}");
}
