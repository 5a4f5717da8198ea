//! Exit codes: 2 for what the user can fix (a flag, a folder, a prompts or feeds file, a
//! held writer lock, a token), with what to do in the message; 1 for internal failures.
//! The typed errors of the library crates say which they are; the binary's own checks use
//! [`UserError`].

/// A mistake in how newsbot was started, found by the binary itself.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// `Err(UserError)` with a formatted message, as `anyhow::bail!` does.
macro_rules! user_bail {
    ($($arg:tt)*) => {
        return Err(anyhow::Error::new($crate::error::UserError(format!($($arg)*))))
    };
}
pub(crate) use user_bail;

/// The exit code for `e`: 2 when any error in its chain is the user's to fix.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    let user = e.chain().any(|cause| {
        cause.is::<UserError>()
            || cause
                .downcast_ref::<newsbot_core::Error>()
                .is_some_and(|e| e.is_user())
            || cause
                .downcast_ref::<newsbot_discord::Error>()
                .is_some_and(|e| e.is_user())
            || cause
                .downcast_ref::<newsbot_service::Error>()
                .is_some_and(|e| e.is_user())
            || cause.is::<clap::Error>()
            || cause
                .downcast_ref::<newsbot_feeds::FeedError>()
                .is_some_and(|e| e.is_user())
    });
    if user {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_exit_2_wherever_they_are_in_the_chain() {
        let held = newsbot_core::Error::WriterHeld {
            path: "data/writer.lock".into(),
            pid: "7".into(),
        };
        assert_eq!(exit_code(&anyhow::Error::new(held).context("opening")), 2);
        let io =
            newsbot_core::error::io_error("data/index".as_ref())(std::io::Error::other("fire"));
        assert_eq!(
            exit_code(&anyhow::Error::new(newsbot_core::Error::from(io))),
            1
        );
        assert_eq!(exit_code(&anyhow::anyhow!("internal")), 1);
        let user = anyhow::Error::new(UserError("bad flag".into()));
        assert_eq!(exit_code(&user.context("starting")), 2);
    }
}
