//! `tests/data/digits.csv` とその読み込み（`xtask::data`）の検査。
//!
//! ファイルの中身は、`tests/data/README.md` に記録したハッシュ（SHA-256 と FNV-1a）で確かめる。
//! SHA-256 は依存を増やさないようにこのテストの中で FIPS 180-4 のとおりに書き、公表されたテストベクタで確かめてから使う。
//! 数字ごとの枚数は、データの作者が UCI に置いた `optdigits.names` の「Class Distribution」の
//! 検証用集合（testing set、1797 枚）の表と比べる（scikit-learn の digits はこの検証用集合の写しである）。

use genmodel::ndarray::Axis;
use xtask::data::{Digits, digits, is_held_out};

/// `tests/data/README.md` に記録した digits.csv の SHA-256。
const DIGITS_SHA256: &str = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8";
/// `tests/data/README.md` に記録した digits.csv の 64 ビット FNV-1a（16 進 16 桁）。
const DIGITS_FNV1A: &str = "0b6db7d4442bbc5d";
/// UCI の `optdigits.names` の検証用集合の数字 0..=9 ごとの枚数。
const UCI_TEST_COUNTS: [usize; 10] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

// ------------------------------------------------ SHA-256（テスト専用、FIPS 180-4）

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256 の 16 進 64 桁。
fn sha256_hex(msg: &[u8]) -> String {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    // 詰め物: 0x80、0 を 64 バイトの倍数 − 8 まで、ビット長（ビッグエンディアン 64 ビット）
    let mut data = msg.to_vec();
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&((msg.len() as u64) * 8).to_be_bytes());
    for block in data.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (t, word) in block.chunks_exact(4).enumerate() {
            w[t] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for t in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[test]
fn sha256_matches_published_test_vectors() {
    // FIPS 180-2 付録 B と NIST の例
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
        sha256_hex(&[b'a'; 1_000_000]),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
}

// ------------------------------------------------ ファイルの同一性

fn root() -> std::path::PathBuf {
    xtask::workspace_root()
}

/// `tests/data/README.md` の「## digits.csv」の節。
fn readme_section() -> String {
    let readme = std::fs::read_to_string(root().join("tests/data/README.md")).unwrap();
    let start = readme
        .find("## digits.csv")
        .expect("README に digits.csv の節がない");
    let rest = &readme[start..];
    let end = rest[1..].find("\n## ").map_or(rest.len(), |e| e + 1);
    rest[..end].to_string()
}

#[test]
fn file_hashes_match_readme() {
    let bytes = std::fs::read(root().join(xtask::data::DIGITS_FILE)).unwrap();
    assert_eq!(bytes.len(), 264_712);
    assert_eq!(sha256_hex(&bytes), DIGITS_SHA256);
    assert_eq!(
        format!("{:016x}", xtask::mutants::fnv1a(&bytes)),
        DIGITS_FNV1A
    );
    let section = readme_section();
    assert!(
        section.contains(&format!("digits.csv の sha256: `{DIGITS_SHA256}`")),
        "README の sha256 が違う"
    );
    assert!(
        section.contains(&format!("`{DIGITS_FNV1A}`")),
        "README の FNV-1a が違う"
    );
}

// ------------------------------------------------ 中身

fn load() -> Digits {
    digits(&root()).unwrap()
}

#[test]
fn shape_and_value_range() {
    let d = load();
    assert_eq!(d.pixels.dim(), (1797, 64));
    assert_eq!(d.labels.len(), 1797);
    assert_eq!(d.pixels.iter().min(), Some(&0));
    assert_eq!(d.pixels.iter().max(), Some(&16));
    assert!(d.labels.iter().all(|&l| l <= 9));
    // 先頭の画像（数字 0）の先頭 16 画素: ファイルの 1 行目そのもの
    let row0: Vec<u8> = d.pixels.row(0).iter().take(16).copied().collect();
    assert_eq!(row0, [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]);
    assert_eq!(d.labels[0], 0);
    assert_eq!(d.labels[1796], 8);
}

#[test]
fn loader_agrees_with_a_plain_parse() {
    // 読み込みとは別に、行と列を素朴に数え直す
    let text = std::fs::read_to_string(root().join(xtask::data::DIGITS_FILE)).unwrap();
    let rows: Vec<Vec<u8>> = text
        .lines()
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    let d = load();
    assert_eq!(rows.len(), d.pixels.nrows());
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), 65);
        assert_eq!(&r[..64], d.pixels.row(i).as_slice().unwrap());
        assert_eq!(r[64], d.labels[i]);
    }
}

#[test]
fn label_counts_match_uci_optdigits_names() {
    let d = load();
    let mut counts = [0usize; 10];
    for &l in &d.labels {
        counts[usize::from(l)] += 1;
    }
    assert_eq!(counts, UCI_TEST_COUNTS);
    assert_eq!(counts.iter().sum::<usize>(), 1797);
}

#[test]
fn binarization_threshold_is_eight() {
    let d = load();
    let bin = d.binarized();
    assert_eq!(bin.dim(), d.pixels.dim());
    for (&p, &b) in d.pixels.iter().zip(&bin) {
        assert_eq!(b, if p >= 8 { 1 } else { 0 }, "画素 {p}");
    }
    // 7 と 8 の両方が現れるので、閾値の境目が実際に効いている
    assert!(d.pixels.iter().any(|&p| p == 7));
    assert!(d.pixels.iter().any(|&p| p == 8));
}

#[test]
fn split_sizes_and_rows() {
    let d = load();
    let bin = d.binarized();
    let (train, held_out) = d.split();
    // 0..1797 のうち i % 5 == 4 は 4, 9, ..., 1794 の 359 個
    assert_eq!(held_out.dim(), (359, 64));
    assert_eq!(train.dim(), (1438, 64));
    for (k, row) in held_out.axis_iter(Axis(0)).enumerate() {
        assert_eq!(row, bin.row(5 * k + 4));
    }
    let train_rows: Vec<usize> = (0..1797).filter(|&i| !is_held_out(i)).collect();
    assert_eq!(train_rows.len(), train.nrows());
    for (row, &i) in train.axis_iter(Axis(0)).zip(&train_rows) {
        assert_eq!(row, bin.row(i));
        assert_ne!(i % 5, 4);
    }
}

#[test]
fn malformed_files_are_rejected() {
    let dir = std::env::temp_dir().join(format!("xtask-digits-test-{}", std::process::id()));
    let data_dir = dir.join("tests/data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let good: String = (0..64).map(|i| format!("{},", i % 17)).collect::<String>() + "3\n";
    let cases = [
        ("", "データの行がない"),
        ("1,2,3\n", "列が 3 個"),
        (&*good.replace("3\n", "10\n"), "ラベル 10"),
        (&*good.replacen("0,", "17,", 1), "画素 17"),
        (&*good.replacen("0,", "x,", 1), "整数でない"),
    ];
    for (text, want) in cases {
        std::fs::write(data_dir.join("digits.csv"), text).unwrap();
        let err = digits(&dir).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains(want), "{err} に {want:?} がない");
    }
    std::fs::write(data_dir.join("digits.csv"), format!("{good}{good}")).unwrap();
    let d = digits(&dir).unwrap();
    assert_eq!(d.pixels.dim(), (2, 64));
    assert_eq!(d.labels.to_vec(), [3, 3]);
    std::fs::remove_dir_all(&dir).unwrap();
}
