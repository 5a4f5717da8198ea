//! Typed errors of the Discord door. None of them can carry the token: it is never formatted.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "DISCORD_TOKEN is not set; put it in .env or the environment (see README, \"Discord\")"
    )]
    MissingToken,
    #[error("DISCORD_TOKEN is not a valid bot token (check for stray quotes or spaces)")]
    MalformedToken,
    #[error("Discord rejected DISCORD_TOKEN (401 Unauthorized); reset it in the developer portal")]
    TokenRejected,
    #[error("{name} is invalid: {message}")]
    BadSetting { name: &'static str, message: String },
    // Not marked as a source: serenity's message already includes its causes, and printing
    // the chain as well repeats them. Boxed because serenity's error is large.
    #[error("Discord API: {0}")]
    Discord(Box<serenity::Error>),
    #[error("answering: {0}")]
    Engine(#[from] newsbot_core::Error),
    #[error("feedback log {path}: {message}")]
    Feedback { path: PathBuf, message: String },
}

impl Error {
    /// Whether the operator can fix this (a token, a setting, or the engine's user errors);
    /// the binary exits 2 for these and 1 for internal failures.
    pub fn is_user(&self) -> bool {
        match self {
            Error::MissingToken
            | Error::MalformedToken
            | Error::TokenRejected
            | Error::BadSetting { .. } => true,
            Error::Engine(e) => e.is_user(),
            Error::Discord(_) | Error::Feedback { .. } => false,
        }
    }
}

impl From<serenity::Error> for Error {
    /// Every handler's REST failure passes through here (by `?`), so this is where they are
    /// counted.
    fn from(e: serenity::Error) -> Error {
        count_rest_error(&e);
        Error::Discord(Box::new(e))
    }
}

/// Counts `e` in the REST-error metric when it came from an HTTP call: by status, or as
/// `none` when the request never got a response.
pub(crate) fn count_rest_error(e: &serenity::Error) {
    use serenity::all::HttpError;
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            crate::metrics::discord_rest_error(Some(r.status_code.as_u16()))
        }
        serenity::Error::Http(_) => crate::metrics::discord_rest_error(None),
        _ => {}
    }
}
