//! Bytes to text: a seed file in any common text encoding is read, and only a binary file is
//! refused.
//!
//! Order matters: a byte-order mark wins (UTF-16 text is full of NUL bytes, so the binary
//! check must come after it), then valid UTF-8, then a guess by chardetng, which is what
//! Firefox uses for unlabelled legacy pages. encoding_rs does the decoding.

use encoding_rs::Encoding;

/// A file's text and, when it was not plain UTF-8, the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// `None` for UTF-8 without a BOM; otherwise the WHATWG name, e.g. `windows-1252`,
    /// `UTF-16LE`, or `UTF-8 with a BOM`.
    pub encoding: Option<String>,
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    Binary,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, NotText> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        if looks_binary_text(&text) {
            return Err(NotText::Binary);
        }
        let name = if enc == encoding_rs::UTF_8 {
            "UTF-8 with a BOM".to_string()
        } else {
            enc.name().to_string()
        };
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: Some(name),
        });
    }
    if looks_binary(bytes) {
        return Err(NotText::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: None,
        });
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    // Not valid UTF-8, so UTF-8 is not a candidate; no top-level domain to hint with.
    let enc = detector.guess(None, false);
    let (text, _) = enc.decode_without_bom_handling(bytes);
    if looks_binary_text(&text) {
        return Err(NotText::Binary);
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: Some(enc.name().to_string()),
    })
}

/// NUL bytes, or more than one control byte in ten, in the first 8 KiB: not text in any
/// single-byte or UTF-8 encoding. (Chosen so a stray form feed or escape in real text
/// passes while an image or archive never does.)
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 10 > head.len()
}

/// The same test on decoded text, for the encodings (UTF-16) whose bytes cannot be judged
/// directly.
fn looks_binary_text(text: &str) -> bool {
    let head: Vec<char> = text.chars().take(8192).collect();
    let control = head
        .iter()
        .filter(|&&c| {
            (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || c == '\u{FFFD}'
        })
        .count();
    control * 10 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_read_as_is() {
        let d = decode("Café €5.".as_bytes()).unwrap();
        assert_eq!(d.text, "Café €5.");
        assert_eq!(d.encoding, None);
    }

    #[test]
    fn windows_1252_is_detected() {
        // “Café” costs €5 – in Windows-1252.
        let bytes = b"\x93Caf\xe9\x94 costs \x805 \x96 the price rose again this year.";
        let d = decode(bytes).unwrap();
        assert_eq!(d.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(d.text, "“Café” costs €5 – the price rose again this year.");
    }

    #[test]
    fn boms_are_honoured() {
        let d = decode(b"\xef\xbb\xbfHello.").unwrap();
        assert_eq!(d.text, "Hello.");
        assert_eq!(d.encoding.as_deref(), Some("UTF-8 with a BOM"));

        let mut le = vec![0xff, 0xfe];
        le.extend("Café €5.".encode_utf16().flat_map(|u| u.to_le_bytes()));
        let d = decode(&le).unwrap();
        assert_eq!(d.text, "Café €5.");
        assert_eq!(d.encoding.as_deref(), Some("UTF-16LE"));

        let mut be = vec![0xfe, 0xff];
        be.extend("Café.".encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be).unwrap().text, "Café.");
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(decode(b"\x00\x01\x02abc"), Err(NotText::Binary));
        assert_eq!(decode(&[0u8, 159, 146, 150, 0, 1, 2]), Err(NotText::Binary));
        assert_eq!(
            decode(b"\xff\xfe\x00\xd8\x01\x00\x02\x00"),
            Err(NotText::Binary)
        );
    }
}
