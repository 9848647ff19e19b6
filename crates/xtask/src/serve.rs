//! 組み上げた本 (book/) を localhost で配る、標準ライブラリだけの静的ファイルサーバ。
//!
//! `scripts/serve.sh` と、ブラウザでの検査 (`scripts/browser-check.sh`) が使う。
//! GET と HEAD だけを受け、`..` を含む道は拒む。

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

/// 拡張子から Content-Type を決める。
///
/// # Examples
///
/// ```
/// assert_eq!(xtask::serve::content_type("a/b.html"), "text/html; charset=utf-8");
/// assert_eq!(xtask::serve::content_type("f.woff2"), "font/woff2");
/// ```
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// 要求の道 (`/ch01.html?x#y`) を、`root` の中のファイルに直す。外に出る道は `None`。
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use xtask::serve::resolve;
/// let root = Path::new("/srv/book");
/// assert_eq!(resolve(root, "/a/b.html?q=1"), Some(root.join("a/b.html")));
/// assert_eq!(resolve(root, "/../etc/passwd"), None);
/// assert_eq!(resolve(root, "/%E7%AB%A0.html"), Some(root.join("章.html")));
/// ```
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn respond(mut stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut line)?;
    // 残りのヘッダは読み捨てる
    let mut h = String::new();
    while reader.read_line(&mut h)? > 2 {
        h.clear();
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    // 下位パス（GitHub Pages のプロジェクトサイト /repo/ など）で配るときは、その外は 404
    let file = strip_prefix(target, prefix)
        .and_then(|t| resolve(root, t))
        .map(|p| if p.is_dir() { p.join("index.html") } else { p });
    let (status, body, ctype) = match (method, file) {
        ("GET" | "HEAD", Some(f)) if f.is_file() => {
            let ct = content_type(&f.to_string_lossy());
            ("200 OK", std::fs::read(&f)?, ct)
        }
        ("GET" | "HEAD", _) => {
            let nf = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
            ("404 Not Found", nf, "text/html; charset=utf-8")
        }
        _ => ("405 Method Not Allowed", Vec::new(), "text/plain"),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// 要求の道から、配る場所の下位パス `prefix`（`/` または `/repo/` の形）を取り除く。外なら `None`。
///
/// # Examples
///
/// ```
/// use xtask::serve::strip_prefix;
/// assert_eq!(strip_prefix("/a.html", "/"), Some("/a.html"));
/// assert_eq!(strip_prefix("/repo/a.html", "/repo/"), Some("/a.html"));
/// assert_eq!(strip_prefix("/a.html", "/repo/"), None);
/// ```
pub fn strip_prefix<'a>(target: &'a str, prefix: &str) -> Option<&'a str> {
    let inner = prefix.trim_end_matches('/');
    if inner.is_empty() {
        return Some(target);
    }
    let rest = target.strip_prefix(inner)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(if rest.is_empty() { "/" } else { rest })
}

/// `root` を `addr`（例: `127.0.0.1:3000`）の下位パス `prefix`（ふつうは `/`）で配り続ける。
///
/// # Errors
///
/// 待ち受けができなければ入出力エラーを返す。
pub fn serve(root: &Path, addr: &str, prefix: &str) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    println!(
        "http://{}/ で {} を配っています（Ctrl-C で終了）",
        listener.local_addr()?,
        root.display()
    );
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.to_path_buf();
        let prefix = prefix.to_string();
        std::thread::spawn(move || {
            let _ = respond(stream, &root, &prefix);
        });
    }
    Ok(())
}
