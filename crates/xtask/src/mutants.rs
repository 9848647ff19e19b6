//! 実装の変異テスト（cargo-mutants）の記録。
//!
//! `scripts/mutants.sh` がファイルごとに変異を走らせ、その結果をここで `tests/mutants/summary.md` の
//! 表に書き足す。表の各行は、変異させたファイルのハッシュ（実行を始めたときの内容）を持つので、
//! そのあとでファイルが変わると [`stale_records`] が見つけ、`book_checks` のテストが落ちる。
//! 見逃した変異は、`tests/mutants/equivalent.md`（等価である理由）か `tests/mutants/killed.md`
//! （実行後に足したテスト）に載っていれば、そのように数える。
//!
//! # Examples
//!
//! ```
//! let root = xtask::workspace_root();
//! // 記録のあとで変わったファイルはない（変わっていれば走らせ直すまで book_checks が落ちる）
//! assert!(xtask::mutants::stale_records(&root).unwrap().is_empty());
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// 記録の表（根からの相対）。
pub const SUMMARY: &str = "tests/mutants/summary.md";
/// 等価な変異とその理由。
pub const EQUIVALENT: &str = "tests/mutants/equivalent.md";
/// 実行後に足したテストで捕まえた変異。
pub const KILLED: &str = "tests/mutants/killed.md";
/// 変異させるクレートのソース。
pub const SOURCE_DIR: &str = "crates/genmodel/src";
/// まだ走らせていないファイルの行の印。
const PENDING: &str = "未実行";

/// 64 ビットの FNV-1a（内容が変わったかを見分けるだけなので暗号学的でなくてよい）。
///
/// # Examples
///
/// ```
/// // 空の入力はオフセット基底そのもの
/// assert_eq!(xtask::mutants::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
/// assert_ne!(xtask::mutants::fnv1a(b"a"), xtask::mutants::fnv1a(b"b"));
/// ```
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// 1 つのファイルの変異テストの記録。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 根からの相対パス。
    pub file: String,
    /// 実行を始めたときのファイルの FNV-1a（16 進 16 桁）。
    pub hash: String,
    /// 実行日。
    pub date: String,
    /// 実行したコミット。
    pub commit: String,
    /// 変異の数（`cargo mutants --list` の数）。
    pub mutants: usize,
    /// テストが落ちた（検出した）数。`genmodel` のテストと、それが見逃したものを本全体のテストで
    /// 走らせ直して捕まえたものの和。
    pub caught: usize,
    /// 時間切れ（無限ループなど。検出に数える）。
    pub timeout: usize,
    /// コンパイルできなかった数（試せない変異）。
    pub unviable: usize,
    /// 見逃した変異の名前。
    pub missed: Vec<String>,
}

impl Record {
    fn row(&self) -> String {
        format!(
            "| `{}` | `{}` | {} | {} | {} | {} | {} | {} | {} |",
            self.file,
            self.hash,
            self.date,
            self.commit,
            self.mutants,
            self.caught,
            self.timeout,
            self.missed.len(),
            self.unviable
        )
    }
}

fn read(path: &Path) -> io::Result<String> {
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        r => r,
    }
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// `summary.md` の表と見逃しの一覧を読む。
///
/// # Errors
///
/// 読めないか、表の行の形が崩れていればエラーを返す。
pub fn read_records(root: &Path) -> io::Result<Vec<Record>> {
    let text = read(&root.join(SUMMARY))?;
    let mut records: Vec<Record> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("| `crates/") {
            if rest.contains(PENDING) {
                continue;
            }
            let cells: Vec<&str> = rest.split('|').map(str::trim).collect();
            if cells.len() < 9 {
                return Err(bad(format!("{SUMMARY}: 表の行の列が足りない: {line}")));
            }
            let num = |i: usize| -> io::Result<usize> {
                cells[i]
                    .parse()
                    .map_err(|_| bad(format!("{SUMMARY}: 数でない: {line}")))
            };
            records.push(Record {
                file: format!("crates/{}", cells[0].trim_end_matches('`')),
                hash: cells[1].trim_matches('`').to_string(),
                date: cells[2].to_string(),
                commit: cells[3].to_string(),
                mutants: num(4)?,
                caught: num(5)?,
                timeout: num(6)?,
                unviable: num(8)?,
                missed: Vec::new(),
            });
        } else if let Some(name) = line
            .strip_prefix("- `")
            .and_then(|l| l.split_once('`'))
            .map(|(n, _)| n)
            && let Some(r) = records
                .iter_mut()
                .find(|r| name.starts_with(&format!("{}:", r.file)))
        {
            r.missed.push(name.to_string());
        }
    }
    for r in &records {
        let declared: usize = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{}`", r.file)))
            .and_then(|l| l.split('|').nth(8))
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0);
        if declared != r.missed.len() {
            return Err(bad(format!(
                "{SUMMARY}: {} の見逃しは表では {declared} 個、一覧では {} 個",
                r.file,
                r.missed.len()
            )));
        }
    }
    Ok(records)
}

/// まだ走らせていないファイルとその変異の数（表の「未実行」の行）。
fn read_pending(root: &Path) -> io::Result<Vec<(String, usize)>> {
    Ok(read(&root.join(SUMMARY))?
        .lines()
        .filter(|l| l.starts_with("| `crates/") && l.contains(PENDING))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            Some((
                cells[1].trim_matches('`').to_string(),
                cells[5].parse().ok()?,
            ))
        })
        .collect())
}

/// 記録のあとで内容が変わった（または消えた）ファイルと、その記録。
///
/// # Errors
///
/// 記録が読めなければエラーを返す。
pub fn stale_records(root: &Path) -> io::Result<Vec<Record>> {
    Ok(read_records(root)?
        .into_iter()
        .filter(|r| {
            std::fs::read(root.join(&r.file))
                .map(|b| format!("{:016x}", fnv1a(&b)))
                .ok()
                .as_deref()
                != Some(r.hash.as_str())
        })
        .collect())
}

/// 理由の一覧（`equivalent.md` / `killed.md`）に載っている変異の名前。
///
/// # Errors
///
/// 読めなければエラーを返す。
pub fn explained(root: &Path, list: &str) -> io::Result<Vec<String>> {
    Ok(read(&root.join(list))?
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split_once('`').map(|(n, _)| n.to_string()))
        .collect())
}

/// 変異テストのソースファイル（根からの相対、並べ替え済み）。
fn source_files(root: &Path) -> io::Result<Vec<String>> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) -> io::Result<()> {
        for e in std::fs::read_dir(dir)? {
            let p = e?.path();
            if p.is_dir() {
                walk(&p, root, out)?;
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).map_err(|e| bad(e.to_string()))?;
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(&root.join(SOURCE_DIR), root, &mut out)?;
    out.sort();
    Ok(out)
}

/// 実行を始める前に、変異させる各ファイルのハッシュを `DIR/hashes.tsv` に書く。
///
/// # Errors
///
/// 読み書きできなければエラーを返す。
pub fn snapshot(root: &Path, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut s = String::new();
    for f in source_files(root)? {
        let _ = writeln!(s, "{f}\t{:016x}", fnv1a(&std::fs::read(root.join(&f))?));
    }
    std::fs::write(dir.join("hashes.tsv"), s)
}

fn names_in(path: &Path) -> io::Result<Vec<String>> {
    Ok(read(path)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

fn file_of(name: &str) -> &str {
    name.split_once(".rs:")
        .map_or(name, |(f, _)| &name[..f.len() + 3])
}

/// 実行の結果（`DIR/list.txt` と `DIR/mutants.out/`、本全体で走らせ直した `DIR/book/mutants.out/`）を
/// 記録の表に書き足す。すべての変異を試し終えたファイルだけを記録し、同じファイルの古い行を置き換える。
///
/// # Errors
///
/// 読み書きできないか、実行の記録が欠けていればエラーを返す。
pub fn record(root: &Path, dir: &Path, date: &str, commit: &str) -> io::Result<()> {
    let hashes: BTreeMap<String, String> = read(&dir.join("hashes.tsv"))?
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, h)| (f.to_string(), h.to_string()))
        .collect();
    if hashes.is_empty() {
        return Err(bad(format!("{}/hashes.tsv がない", dir.display())));
    }
    let listed = names_in(&dir.join("list.txt"))?;
    let first = dir.join("mutants.out");
    let book = dir.join("book/mutants.out");
    let caught_by_book = names_in(&book.join("caught.txt"))?;
    let timeout_by_book = names_in(&book.join("timeout.txt"))?;
    let outcome = |kind: &str| names_in(&first.join(format!("{kind}.txt")));
    let (caught, timeout, unviable, missed) = (
        outcome("caught")?,
        outcome("timeout")?,
        outcome("unviable")?,
        outcome("missed")?,
    );
    let mut records = read_records(root)?;
    let mut files: Vec<&str> = listed.iter().map(|n| file_of(n)).collect();
    files.dedup();
    for file in files {
        let of = |v: &[String]| v.iter().filter(|n| file_of(n) == file).count();
        let tried = of(&caught) + of(&timeout) + of(&unviable) + of(&missed);
        let total = of(&listed);
        if tried < total {
            eprintln!("{file}: {total} 個のうち {tried} 個しか試していないので記録しない");
            continue;
        }
        let Some(hash) = hashes.get(file) else {
            return Err(bad(format!("{file} のハッシュがない")));
        };
        let still_missed: Vec<String> = missed
            .iter()
            .filter(|n| file_of(n) == file)
            .filter(|n| !caught_by_book.contains(n) && !timeout_by_book.contains(n))
            .cloned()
            .collect();
        let by_book = of(&missed) - still_missed.len();
        let rec = Record {
            file: file.to_string(),
            hash: hash.clone(),
            date: date.to_string(),
            commit: commit.to_string(),
            mutants: total,
            caught: of(&caught) + by_book,
            timeout: of(&timeout),
            unviable: of(&unviable),
            missed: still_missed,
        };
        records.retain(|r| r.file != rec.file);
        records.push(rec);
        println!("記録: {file}");
    }
    records.sort_by(|a, b| a.file.cmp(&b.file));
    // 変異の生じるすべてのファイル（`cargo mutants --list` をファイルを選ばずに走らせた結果）のうち、
    // 記録のないものを「未実行」として載せる
    let all = names_in(&dir.join("all.txt"))?;
    let mut pending: Vec<(String, usize)> = Vec::new();
    for name in &all {
        let f = file_of(name);
        if records.iter().any(|r| r.file == f) {
            continue;
        }
        match pending.iter_mut().find(|(p, _)| p == f) {
            Some((_, n)) => *n += 1,
            None => pending.push((f.to_string(), 1)),
        }
    }
    if all.is_empty() {
        pending = read_pending(root)?;
        pending.retain(|(f, _)| !records.iter().any(|r| &r.file == f));
    }
    pending.sort();
    std::fs::write(
        root.join(SUMMARY),
        render_summary(root, &records, &pending)?,
    )
}

/// 記録の合計と、見逃しの分類。
struct Totals {
    mutants: usize,
    caught: usize,
    timeout: usize,
    unviable: usize,
    missed: usize,
    equivalent: usize,
    killed_later: usize,
    unexplained: Vec<String>,
}

fn totals(root: &Path, records: &[Record]) -> io::Result<Totals> {
    let equivalent = explained(root, EQUIVALENT)?;
    let killed = explained(root, KILLED)?;
    let mut t = Totals {
        mutants: 0,
        caught: 0,
        timeout: 0,
        unviable: 0,
        missed: 0,
        equivalent: 0,
        killed_later: 0,
        unexplained: Vec::new(),
    };
    for r in records {
        t.mutants += r.mutants;
        t.caught += r.caught;
        t.timeout += r.timeout;
        t.unviable += r.unviable;
        t.missed += r.missed.len();
        for m in &r.missed {
            if killed.contains(m) {
                t.killed_later += 1;
            } else if equivalent.contains(m) {
                t.equivalent += 1;
            } else {
                t.unexplained.push(m.clone());
            }
        }
    }
    Ok(t)
}

/// 記録の表（`summary.md`）の本文を作る。
fn render_summary(
    root: &Path,
    records: &[Record],
    pending: &[(String, usize)],
) -> io::Result<String> {
    let t = totals(root, records)?;
    let waiting: usize = pending.iter().map(|(_, n)| n).sum();
    let viable = t.caught + t.timeout + t.missed;
    let denominator = viable - t.equivalent;
    let score = if denominator > 0 {
        format!(
            "{:.1} %",
            100.0 * (t.caught + t.timeout + t.killed_later) as f64 / denominator as f64
        )
    } else {
        "—".to_string()
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<!-- scripts/mutants.sh（cargo xtask mutants record）が書く。手で直さない -->\n"
    );
    let _ = writeln!(
        s,
        "- 走らせ方: `bash scripts/mutants.sh -f <ファイル>`（cargo-mutants。まず `genmodel` のテストで走らせ、見逃した変異だけを本全体のテスト（印刷された式、演習、本の検査を含む）で走らせ直す）"
    );
    let _ = writeln!(
        s,
        "- 記録したファイル: 変異の生じる {} ファイルのうち {}（変異 {} 個のうち {} 個）。未実行のファイルは表に「{PENDING}」と書く",
        records.len() + pending.len(),
        records.len(),
        t.mutants + waiting,
        t.mutants,
    );
    let _ = writeln!(
        s,
        "- 変異の数: 検出 {}、時間切れ {}、見逃し {}（うち等価 {}、実行後に足したテストで検出 {}）、コンパイル不能 {}",
        t.caught, t.timeout, t.missed, t.equivalent, t.killed_later, t.unviable
    );
    let _ = writeln!(
        s,
        "- **検出率: {score}**（(検出 + 実行後の検出 + 時間切れ) / (試せた変異 − 等価な変異) = {} / {denominator}）。表示だけを変える変異も、テストが見ていなければ見逃しに数える",
        t.caught + t.timeout + t.killed_later
    );
    let _ = writeln!(
        s,
        "- 各行のハッシュは実行を始めたときのファイルの内容の FNV-1a である。そのあとでファイルが変わると、走らせ直すまで `cargo test` が落ちる（記録が古いコードの検出率を名乗らないように）\n"
    );
    s.push_str("| ファイル | FNV-1a | 実行日 | コミット | 変異 | 検出 | 時間切れ | 見逃し | コンパイル不能 |\n");
    s.push_str("|---|---|---|---|---:|---:|---:|---:|---:|\n");
    let mut rows: Vec<(String, String)> =
        records.iter().map(|r| (r.file.clone(), r.row())).collect();
    for (f, n) in pending {
        rows.push((
            f.clone(),
            format!("| `{f}` | — | {PENDING} | — | {n} | | | | |"),
        ));
    }
    rows.sort();
    for (_, row) in rows {
        s.push_str(&row);
        s.push('\n');
    }
    s.push('\n');
    let missed: Vec<&String> = records.iter().flat_map(|r| &r.missed).collect();
    if !missed.is_empty() {
        s.push_str("見逃した変異（理由は `tests/mutants/equivalent.md`、あとで足したテストは `tests/mutants/killed.md`）:\n\n");
        for m in missed {
            let kind = if t.unexplained.contains(m) {
                "説明のない見逃し"
            } else if explained(root, KILLED)?.contains(m) {
                "実行後に足したテストで検出"
            } else {
                "等価"
            };
            let _ = writeln!(s, "- `{m}` — {kind}");
        }
        s.push('\n');
    }
    Ok(s)
}

/// 記録を読み直して `summary.md` を作り直す（理由の一覧を書き足したあとなど）。
///
/// # Errors
///
/// 読み書きできなければエラーを返す。
pub fn rewrite(root: &Path) -> io::Result<()> {
    let records = read_records(root)?;
    let pending = read_pending(root)?;
    std::fs::write(
        root.join(SUMMARY),
        render_summary(root, &records, &pending)?,
    )
}

/// 今の記録から作った `summary.md` の本文（鮮度の検査用）。
///
/// # Errors
///
/// 読めなければエラーを返す。
pub fn rendered(root: &Path) -> io::Result<String> {
    render_summary(root, &read_records(root)?, &read_pending(root)?)
}

/// 検証索引に載せる要約: `summary.md` の箇条書きと見逃しの一覧はそのまま、表だけを 390 px の画面に
/// 収まる 4 列（ファイル、変異、検出、見逃し）にしたもの。ハッシュ・実行日・コミットは `summary.md` にある。
///
/// # Errors
///
/// 記録が読めなければエラーを返す。
pub fn index_section(root: &Path) -> io::Result<String> {
    let full = rendered(root)?;
    let records = read_records(root)?;
    let pending = read_pending(root)?;
    let short = |f: &str| f.trim_start_matches("crates/genmodel/src/").to_string();
    let mut rows: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            (
                r.file.clone(),
                format!(
                    "| `{}` | {} | {} | {} |",
                    short(&r.file),
                    r.mutants,
                    r.caught + r.timeout,
                    r.missed.len()
                ),
            )
        })
        .collect();
    for (f, n) in &pending {
        rows.push((f.clone(), format!("| `{}` | {n} | 未実行 | |", short(f))));
    }
    rows.sort();
    let mut table = String::from(
        "ファイルは `crates/genmodel/src/` からの相対。ハッシュ・実行日・コミットは `tests/mutants/summary.md` にある。\n\n| ファイル | 変異 | 検出 | 見逃し |\n|---|---:|---:|---:|\n",
    );
    for (_, r) in rows {
        table.push_str(&r);
        table.push('\n');
    }
    // 元の表（見出しの行から空行まで）を差し替える
    let mut out = String::new();
    let mut in_table = false;
    let mut replaced = false;
    for line in full.lines() {
        if line.starts_with("| ファイル | FNV-1a") {
            in_table = true;
            continue;
        }
        if in_table {
            if line.starts_with('|') {
                continue;
            }
            in_table = false;
            if !replaced {
                out.push_str(&table);
                replaced = true;
            }
        }
        if !line.starts_with("<!--") {
            out.push_str(line);
            out.push('\n');
        }
    }
    if in_table && !replaced {
        out.push_str(&table);
    }
    Ok(out)
}
