//! 取り出しとマクロ展開。

use texeval::*;

#[test]
fn extracts_single_aligned_and_skips_code() {
    let md = "前文\n\n$$\na = b \\tag{1.1}\n$$\n\n```\n$$ x \\tag{9.9} $$\n```\n\n$$\n\\begin{aligned}\nA &= B \\\\\n&= C\n\\end{aligned} \\tag{1.2}\n$$\n\n$$ c = d $$\n";
    let eqs = extract(md);
    assert_eq!(eqs.len(), 2);
    assert_eq!((eqs[0].tag.as_str(), eqs[0].line), ("1.1", 4));
    assert_eq!(eqs[0].latex, "a = b");
    assert_eq!((eqs[1].tag.as_str(), eqs[1].line), ("1.2", 12));
    assert!(!eqs[1].latex.contains("\\tag"));
}

/// 付録の式番号（`A.1`、`A.3a`）も数字の番号と同じに扱う。番号は文字列のまま運び、数として読まない。
#[test]
fn appendix_tags_with_letters_are_kept_verbatim() {
    let md = "$$\na = b \\tag{A.1}\n$$\n\n$$\n\\begin{align}\nc &= d \\tag{A.3} \\\\\n&= e \\tag{A.3a}\n\\end{align}\n$$\n";
    let eqs = extract(md);
    let tags: Vec<&str> = eqs.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags, ["A.1", "A.3", "A.3a"]);
    assert_eq!(eqs[0].latex, "a = b");
    let m = Macros::new();
    // \tag{A.1} を残した LaTeX でも、番号は式の一部として読まれない
    let eq = parse_equation("A.1", "a = b \\tag{A.1}", &m).unwrap();
    assert_eq!(eq.tag, "A.1");
    assert_eq!(eq.chains().next().unwrap().to_string(), "a=b");
    let c = parse_equation(&eqs[2].tag, &eqs[2].latex, &m).unwrap();
    assert_eq!(c.chains().next().unwrap().to_string(), "c=d=e");
}

#[test]
fn align_rows_are_split_by_tag_and_continuation() {
    let md = "$$\n\\begin{align}\na &= b \\tag{3.1} \\\\\n&= c \\tag{3.2} \\\\\nd &= e \\\\\n&\\le f \\tag{3.3}\n\\end{align}\n$$\n";
    let eqs = extract(md);
    let tags: Vec<&str> = eqs.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags, ["3.1", "3.2", "3.3"]);
    let m = Macros::new();
    let c = |k: usize| parse_equation(&eqs[k].tag, &eqs[k].latex, &m).unwrap();
    assert_eq!(c(0).chains().next().unwrap().to_string(), "a=b");
    // 3.2 は 3.1 の行を左辺として含む
    assert_eq!(c(1).chains().next().unwrap().to_string(), "a=b=c");
    assert_eq!(c(2).chains().next().unwrap().to_string(), "d=e\\lef");
    assert_eq!((eqs[0].line, eqs[1].line, eqs[2].line), (3, 3, 5));
}

#[test]
fn macros_expand_without_args() {
    let m = Macros::parse("\\vx:{\\vec{x}}\n\\T:{\\top}\n\\KL:{D_{\\mathrm{KL}}}").unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(
        m.expand(r"\vx^\T \vx_i \KL").unwrap(),
        r"\vec{x}^\top \vec{x}_i D_{\mathrm{KL}}"
    );
    assert_eq!(m.expand(r"\vxx").unwrap(), r"\vxx");
    assert!(Macros::parse("\\f:{#1}").is_err());
    let mut r = Macros::new();
    r.insert("a", "\\a");
    assert!(r.expand("\\a").is_err());
}

#[test]
fn env_names_are_normalised() {
    let m = Macros::parse("\\vx:{\\vec{x}}\n\\KL:{D_{\\mathrm{KL}}}").unwrap();
    let e = Env::with_macros(m);
    assert_eq!(e.canon(r"q_\theta"), e.canon(r"q_{\theta}"));
    assert_eq!(e.canon(r"\vx"), r"\vec{x}");
    assert_eq!(e.canon(r"\sigma^2"), r"\sigma^{2}");
    assert_eq!(e.canon(r"\KL"), r"D_{\mathrm{KL}}");
    assert_eq!(e.canon(r"\theta = \{h, J\}"), r"\theta=\{h,J\}");
}
