//! Discord's size limits and markdown escaping, in one place.
//!
//! Every string that reaches Discord passes through here. Text is first split into *pieces*
//! (one escaped character, or a bold marker) so truncation can only cut between pieces: an
//! escape such as `\*` or a `**` pair is never split, and an open bold span is closed before
//! the truncation mark.

/// Embed title.
pub const TITLE: usize = 256;
/// Embed description.
pub const DESCRIPTION: usize = 4096;
/// Embed footer text.
pub const FOOTER: usize = 2048;
/// Sum of titles, descriptions and footers of all embeds in one message.
pub const MESSAGE_TOTAL: usize = 6000;
/// Message content.
pub const CONTENT: usize = 2000;
/// Component custom id.
pub const CUSTOM_ID: usize = 100;
/// Button label.
pub const BUTTON_LABEL: usize = 80;
/// Autocomplete choice name and value.
pub const CHOICE: usize = 100;
/// Autocomplete choices per response.
pub const CHOICES: usize = 25;
/// Embed title link. Discord does not document a limit; longer links are not shown.
pub const URL: usize = 2048;
/// Shown wherever text was cut.
pub const MARK: char = '…';

const BOLD: &str = "**";
const ZWSP: char = '\u{200B}';

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Open,
    Close,
}

impl Piece {
    fn len(&self) -> usize {
        match self {
            Piece::Text(s) => s.chars().count(),
            Piece::Open | Piece::Close => BOLD.len(),
        }
    }
}

/// Escapes one character. `at_line_start` is true when only spaces precede it on its line,
/// where `#`, `-` and `>` start headings, lists and quotes.
fn escape_char(c: char, at_line_start: bool, next: Option<char>, rest: &str) -> String {
    match c {
        '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '<' => format!("\\{c}"),
        '#' | '-' | '>' | '+' if at_line_start => format!("\\{c}"),
        // A zero-width space after `@` keeps `@everyone`/`@here` from even looking like a
        // mention; allowed mentions are empty anyway, so nobody is pinged either way.
        '@' if next.is_some_and(|n| n.is_alphanumeric())
            && (rest.starts_with("everyone") || rest.starts_with("here")) =>
        {
            format!("@{ZWSP}")
        }
        c => c.to_string(),
    }
}

fn escape_pieces(text: &str, out: &mut Vec<Piece>, mut at_line_start: bool) -> bool {
    for (i, c) in text.char_indices() {
        let rest = &text[i + c.len_utf8()..];
        out.push(Piece::Text(escape_char(
            c,
            at_line_start,
            rest.chars().next(),
            rest,
        )));
        at_line_start = c == '\n' || (at_line_start && c == ' ');
    }
    at_line_start
}

/// Joins pieces, cutting so the result is at most `max` characters including the mark.
fn fit(pieces: &[Piece], max: usize) -> String {
    let total: usize = pieces.iter().map(Piece::len).sum();
    if total <= max {
        return pieces
            .iter()
            .map(|p| match p {
                Piece::Text(s) => s.as_str(),
                Piece::Open | Piece::Close => BOLD,
            })
            .collect();
    }
    let budget = max.saturating_sub(1);
    let mut kept: Vec<&Piece> = Vec::new();
    let mut used = 0;
    let mut bold = false;
    for p in pieces {
        let after_bold = match p {
            Piece::Open => true,
            Piece::Close => false,
            Piece::Text(_) => bold,
        };
        let closing = if after_bold { BOLD.len() } else { 0 };
        if used + p.len() + closing > budget {
            break;
        }
        used += p.len();
        bold = after_bold;
        kept.push(p);
    }
    // An opening marker with nothing after it would leave a stray `****`.
    if matches!(kept.last(), Some(Piece::Open)) {
        kept.pop();
        bold = false;
    }
    let mut out: String = kept
        .iter()
        .map(|p| match p {
            Piece::Text(s) => s.as_str(),
            Piece::Open | Piece::Close => BOLD,
        })
        .collect();
    // Trailing spaces before `**` would stop Discord from closing the bold span.
    out.truncate(out.trim_end().len());
    if bold {
        out.push_str(BOLD);
    }
    if max > 0 {
        out.push(MARK);
    }
    out
}

/// Escapes Discord markdown and mentions in `text`.
pub fn escape(text: &str) -> String {
    escaped(text, usize::MAX)
}

/// Escapes `text` and cuts it to at most `max` characters, with a mark when cut.
pub fn escaped(text: &str, max: usize) -> String {
    let mut pieces = Vec::new();
    escape_pieces(text, &mut pieces, true);
    fit(&pieces, max)
}

/// Escapes `text`, puts the `[start, end)` character ranges in `highlights` in bold, and cuts
/// the result to at most `max` characters. Bad or overlapping ranges are ignored, not trusted.
pub fn highlighted(text: &str, highlights: &[[usize; 2]], max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0;
    let mut line_start = true;
    for &[s, e] in highlights {
        if s < at || e <= s || e > chars.len() {
            continue;
        }
        let before: String = chars[at..s].iter().collect();
        line_start = escape_pieces(&before, &mut pieces, line_start);
        let inner: String = chars[s..e].iter().collect();
        // Discord ignores `**` next to spaces inside the span, so keep spaces outside it.
        let lead = inner.len() - inner.trim_start().len();
        let trail = inner.trim_end().len();
        line_start = escape_pieces(&inner[..lead], &mut pieces, line_start);
        if lead < trail {
            pieces.push(Piece::Open);
            line_start = escape_pieces(&inner[lead..trail], &mut pieces, false);
            pieces.push(Piece::Close);
        }
        line_start = escape_pieces(&inner[trail.max(lead)..], &mut pieces, line_start);
        at = e;
    }
    let rest: String = chars[at.min(chars.len())..].iter().collect();
    escape_pieces(&rest, &mut pieces, line_start);
    fit(&pieces, max)
}

/// A link Discord may put on an embed title: absolute http(s), no whitespace, at most
/// [`URL`] characters. Anything else is not linked at all.
pub fn link(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && url.chars().count() <= URL
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| url.to_string())
}

/// Cuts text that Discord shows without markdown (button labels, choice names, custom ids).
pub fn plain(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    if max > 0 {
        out.push(MARK);
    }
    out
}

/// Cuts text to `max` characters with no mark, for machine-read strings like custom ids.
pub fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Shares `budget` characters among texts that want `wants` characters each: short texts get
/// all they want, long ones split what is left evenly.
pub fn share(budget: usize, wants: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..wants.len()).collect();
    order.sort_by_key(|&i| wants[i]);
    let mut left = budget;
    let mut out = vec![0; wants.len()];
    for (n, &i) in order.iter().enumerate() {
        let fair = left / (wants.len() - n);
        out[i] = wants[i].min(fair);
        left -= out[i];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_mentions() {
        assert_eq!(escape("a*b_c"), "a\\*b\\_c");
        assert_eq!(escape("# x\n- y"), "\\# x\n\\- y");
        assert_eq!(escape("x - y"), "x - y");
        assert_eq!(escape("@everyone @here"), "@\u{200B}everyone @\u{200B}here");
        assert_eq!(escape("<@123> <@&4>"), "\\<@123> \\<@&4>");
        assert_eq!(escape("a@b.com"), "a@b.com");
    }

    #[test]
    fn truncation_keeps_escapes_and_bold_whole() {
        let s = escaped("****************", 6);
        assert_eq!(s, "\\*\\*…");
        let h = highlighted("one two three four", &[[4, 13]], 12);
        assert!(h.chars().count() <= 12, "{h}");
        assert_eq!(h.matches("**").count() % 2, 0, "{h}");
        assert!(h.ends_with('…'), "{h}");
        for max in 0..40 {
            let h = highlighted("a *b* [c] two three", &[[2, 9], [14, 19]], max);
            assert!(h.chars().count() <= max.max(1), "{max}: {h}");
            assert!(!h.ends_with("\\…"), "{max}: {h}");
        }
    }

    #[test]
    fn highlight_ignores_bad_ranges() {
        assert_eq!(highlighted("abc", &[[2, 1], [0, 9]], 100), "abc");
        assert_eq!(highlighted("a b", &[[0, 3]], 100), "**a b**");
        assert_eq!(highlighted("a b", &[[1, 3]], 100), "a **b**");
    }

    #[test]
    fn share_gives_short_texts_all() {
        assert_eq!(share(100, &[10, 200, 200]), vec![10, 45, 45]);
        assert_eq!(share(100, &[10, 20]), vec![10, 20]);
    }

    #[test]
    fn only_web_links_are_linked() {
        assert!(link("https://example.com/a?b=c").is_some());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "ftp://x",
            "https://a b",
            &format!("https://{}", "a".repeat(URL)),
        ] {
            assert_eq!(link(bad), None, "{bad}");
        }
    }

    #[test]
    fn plain_marks_cuts() {
        assert_eq!(plain("abcdef", 4), "abc…");
        assert_eq!(plain("abc", 4), "abc");
    }
}
