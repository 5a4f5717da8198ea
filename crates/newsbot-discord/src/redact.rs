//! Secrets kept out of the logs. The bot token never reaches a log line (it lives in
//! [`Token`](crate::Token), whose `Debug` is redacted), but interaction tokens do: serenity
//! logs each request's route at DEBUG and TRACE, and an interaction's route carries its
//! token (`/interactions/{id}/{token}/callback`, `/webhooks/{app}/{token}/…`), as does the
//! interaction's own `Debug`. They are short-lived, but they let anyone answer as the bot
//! for 15 minutes, so every log line is passed through [`redact`] on its way out.

use std::borrow::Cow;
use std::io::Write;
use std::sync::LazyLock;

use regex::Regex;

/// What a secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Route segments and fields that hold a token. Interaction tokens are base64url of
/// `interaction:…` (so they start `aW50ZXJhY3Rpb24`); the routes are matched too, whatever
/// the token looks like.
static SECRETS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        Regex::new(r"(/(?:interactions|webhooks)/\d+/)[^/\s?#\x22']+").expect("route regex"),
        Regex::new(r#"((?i:token)\x22?\s*[:=]\s*\x22?)[A-Za-z0-9_.\-]{16,}"#).expect("field regex"),
        Regex::new(r"()aW50ZXJhY3Rpb24[A-Za-z0-9_\-]*").expect("token regex"),
    ]
});

/// `text` with every interaction or webhook token replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for re in SECRETS.iter() {
        if re.is_match(&out) {
            out = Cow::Owned(
                re.replace_all(&out, format!("${{1}}{REDACTED}"))
                    .into_owned(),
            );
        }
    }
    out
}

/// A log writer that redacts each write before passing it on. tracing-subscriber's fmt
/// layer formats an event whole and writes it once, so a token is never split across two
/// writes.
pub struct Redacting<W>(pub W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Wraps a `MakeWriter` (stderr, a file, a test buffer) so everything logged is redacted.
#[derive(Clone)]
pub struct RedactingWriter<M>(pub M);

impl<'a, M: tracing_subscriber::fmt::MakeWriter<'a>> tracing_subscriber::fmt::MakeWriter<'a>
    for RedactingWriter<M>
{
    type Writer = Redacting<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        Redacting(self.0.make_writer())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fields_and_bare_tokens_are_redacted() {
        let line = "POST https://discord.com/api/v10/interactions/1500000000000000001/aW50ZXJhY3Rpb24tdG9rZW4/callback";
        assert_eq!(
            redact(line),
            "POST https://discord.com/api/v10/interactions/1500000000000000001/<redacted>/callback"
        );
        assert_eq!(
            redact("PATCH /api/v10/webhooks/42/abcdefghijklmnopqrstuvwxyz0123/messages/@original"),
            "PATCH /api/v10/webhooks/42/<redacted>/messages/@original"
        );
        assert_eq!(
            redact(r#"Interaction { id: 1, token: "abcdefghijklmnopqrstuvwxyz", kind: 2 }"#),
            r#"Interaction { id: 1, token: "<redacted>", kind: 2 }"#
        );
        assert_eq!(
            redact(r#"{"token":"abcdefghijklmnopqrstuvwxyz"}"#),
            r#"{"token":"<redacted>"}"#
        );
        assert_eq!(redact("tok aW50ZXJhY3Rpb246MTIz end"), "tok <redacted> end");
    }

    #[test]
    fn ordinary_lines_pass_unchanged() {
        for line in [
            "registered 12 commands (Global)",
            "answered in 12 ms: who was fined?",
            "token bucket refilled",
        ] {
            assert!(matches!(redact(line), Cow::Borrowed(_)), "{line}");
        }
    }

    #[test]
    fn the_writer_redacts_what_passes_through() {
        let mut out = Redacting(Vec::new());
        write!(out, "GET /interactions/1/aW50ZXJhY3Rpb24tdG9rZW4/callback").unwrap();
        assert_eq!(
            String::from_utf8(out.0).unwrap(),
            "GET /interactions/1/<redacted>/callback"
        );
    }
}
