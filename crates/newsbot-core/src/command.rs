//! The commands a user can give, and the one rule for their names.
//!
//! Built-in commands are listed once, in [`Command::BUILT_IN`]: the topic-file check reserves
//! their names and the Discord door registers a slash command for each. Every other name is
//! a topic (or unknown, if no topic file defines it).

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A question.
    Ask,
    /// The help text.
    Help,
    /// A whole article, by id or headline words.
    Article,
    /// A topic command such as `/fines`, or a name no topic file defines.
    Topic(String),
}

/// Longest command name, Discord's limit.
pub const MAX_NAME_CHARS: usize = 32;

impl Command {
    /// The built-in commands, in the order Discord lists them.
    pub const BUILT_IN: &'static [Command] = &[Command::Ask, Command::Help, Command::Article];

    /// The command a (lowercased) name stands for.
    pub fn from_name(name: &str) -> Command {
        match name {
            "ask" => Command::Ask,
            "help" => Command::Help,
            "article" => Command::Article,
            other => Command::Topic(other.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Command::Ask => "ask",
            Command::Help => "help",
            Command::Article => "article",
            Command::Topic(name) => name,
        }
    }

    /// The commands the doors handle themselves (following topics), whose names no topic
    /// may take either.
    pub const DOOR_COMMANDS: &'static [&'static str] = &["follow", "unfollow", "following"];

    /// Whether `name` belongs to a built-in command (and so cannot name a topic).
    pub fn is_built_in(name: &str) -> bool {
        Command::BUILT_IN.iter().any(|c| c.name() == name) || Command::DOOR_COMMANDS.contains(&name)
    }
}

/// Discord's rule for command names: 1-32 letters, digits, `-` or `_`. Typed names are
/// lowercased after this check; topic files must already be lowercase.
pub fn is_valid_name(name: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Command::BUILT_IN {
            assert_eq!(&Command::from_name(c.name()), c);
            assert!(Command::is_built_in(c.name()));
        }
        assert_eq!(Command::from_name("fines"), Command::Topic("fines".into()));
        assert!(!Command::is_built_in("fines"));
    }

    #[test]
    fn name_rule() {
        assert!(is_valid_name("fines"));
        assert!(is_valid_name("data-breaches_2"));
        assert!(is_valid_name(&"é".repeat(32)));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name(&"x".repeat(33)));
    }
}
