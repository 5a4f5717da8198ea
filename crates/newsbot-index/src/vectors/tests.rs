use super::*;

fn unit(seed: u64, dims: usize) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let v: Vec<f32> = (0..dims)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 2001) as f32 / 1000.0 - 1.0
        })
        .collect();
    let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
    v.into_iter().map(|a| a / n).collect()
}

#[test]
fn quantised_dot_is_close_to_cosine() {
    let (a, b) = (unit(1, 384), unit(2, 384));
    let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    let q = QVec::quantise(&a).dot(&QVec::quantise(&b));
    assert!((exact - q).abs() < 0.02, "{exact} vs {q}");
    assert!((QVec::quantise(&a).dot(&QVec::quantise(&a)) - 1.0).abs() < 0.02);
}

#[test]
fn reopen_keeps_vectors_and_drops_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = VectorStore::open(dir.path(), "m", 8).unwrap();
    s.append(&[(1, unit(1, 8)), (2, unit(2, 8))]).unwrap();
    s.append(&[(2, unit(2, 8)), (3, unit(3, 8))]).unwrap();
    assert_eq!(s.len(), 3);
    // A crash mid-batch leaves half a record.
    let path = dir.path().join("m.vec");
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&[7u8; 9]).unwrap();
    drop(f);
    let mut again = VectorStore::open(dir.path(), "m", 8).unwrap();
    assert_eq!(again.len(), 3);
    assert_eq!(again.get(3), s.get(3));
    // The next append cuts the torn tail, so it lands on a record boundary.
    again.append(&[(4, unit(4, 8))]).unwrap();
    assert_eq!(VectorStore::open(dir.path(), "m", 8).unwrap().len(), 4);
}

#[test]
fn refresh_picks_up_another_writers_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut reader = VectorStore::open(dir.path(), "m", 8).unwrap();
    let mut writer = VectorStore::open(dir.path(), "m", 8).unwrap();
    writer.append(&[(1, unit(1, 8)), (2, unit(2, 8))]).unwrap();
    assert_eq!(reader.refresh().unwrap(), 2);
    assert_eq!(reader.get(2), writer.get(2));
    // Records already read are not decoded again; only the new one arrives.
    writer.append(&[(3, unit(3, 8))]).unwrap();
    assert_eq!(reader.refresh().unwrap(), 1);
    assert_eq!(reader.refresh().unwrap(), 0);
    assert_eq!(reader.len(), 3);
    // The reader's own append is re-read by its refresh but not counted twice.
    reader.append(&[(4, unit(4, 8))]).unwrap();
    assert_eq!(reader.refresh().unwrap(), 0);
    assert_eq!(reader.len(), 4);
    assert!(VectorStore::in_memory("m", 8)
        .embedding_lock()
        .unwrap()
        .is_none());
    assert!(reader.embedding_lock().unwrap().is_some());
}

#[test]
fn another_model_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    VectorStore::open(dir.path(), "m", 8).unwrap();
    let err = VectorStore::open(dir.path(), "m", 16)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("m.vec") && err.contains("another model"),
        "{err}"
    );
}

#[test]
fn the_dispatched_kernel_matches_the_portable_one() {
    for n in [0, 1, 31, 37, 384] {
        let a: Vec<i8> = (0..n).map(|i| (i * 37 % 255 - 127) as i8).collect();
        let b: Vec<i8> = (0..n).map(|i| (i * 91 % 255 - 127) as i8).collect();
        assert_eq!(dot_kernel()(&a, &b), dot_i8(&a, &b), "length {n}");
    }
    let extreme = vec![-128i8; 384];
    assert_eq!(dot_kernel()(&extreme, &extreme), 384 * 128 * 128);
}

#[test]
fn nearest_ranks_by_similarity_and_skips_dead_keys() {
    let mut s = VectorStore::in_memory("m", 16);
    let batch: Vec<(u64, Vec<f32>)> = (0..50).map(|i| (i, unit(i, 16))).collect();
    s.append(&batch).unwrap();
    let q = QVec::quantise(&unit(7, 16));
    let top = s.nearest(&q, 3, |_| true);
    assert_eq!(top[0].0, 7);
    assert!(top.windows(2).all(|w| w[0].1 >= w[1].1));
    let top = s.nearest(&q, 3, |k| k != 7);
    assert!(top.iter().all(|(k, _)| *k != 7));
    assert!(s.nearest(&q, 0, |_| true).is_empty());
}

#[test]
fn text_key_is_stable() {
    // Pinned: a change here would orphan every stored vector.
    assert_eq!(text_key(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(text_key("a"), 0xaf63_dc4c_8601_ec8c);
}
