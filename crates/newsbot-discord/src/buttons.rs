//! Button state, carried entirely in the component `custom_id` so buttons keep working after
//! a restart: nothing is remembered between a reply and the click.
//!
//! Layouts (fields separated by `:`; the query is last so it may contain `:`):
//! - `m:<page>:<command>:<query>`: show page `page` of the answer to `/<command> <query>`.
//!   The query is cut to fit 100 characters; a very long question is re-asked cut, which can
//!   rank differently from the first page.
//! - `a:<article id>:<page>:<tag>`: show page `page` of a whole article. `tag` only keeps ids
//!   unique when two passages on one page come from the same article.
//! - `v:<u|d>:<article id>:<rank>:<command>:<query>`: a 👍/👎 vote on the passage at `rank`.

use newsbot_core::command::is_valid_name;

use crate::limits::{clip, CUSTOM_ID};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    More {
        page: usize,
        command: String,
        query: String,
    },
    Article {
        id: String,
        page: usize,
        tag: usize,
    },
    Vote(Vote),
}

/// A 👍/👎 on the passage at `rank` of the answer to `/<command> <query>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub up: bool,
    pub article_id: String,
    pub rank: usize,
    pub command: String,
    pub query: String,
}

/// Appends the query, cut so the whole id fits Discord's limit.
fn with_query(head: String, query: &str) -> String {
    let room = CUSTOM_ID.saturating_sub(head.chars().count());
    head + &clip(query, room)
}

impl Action {
    pub fn encode(&self) -> String {
        match self {
            Action::More {
                page,
                command,
                query,
            } => with_query(format!("m:{page}:{command}:"), query),
            Action::Article { id, page, tag } => clip(&format!("a:{id}:{page}:{tag}"), CUSTOM_ID),
            Action::Vote(v) => with_query(
                format!(
                    "v:{}:{}:{}:{}:",
                    if v.up { 'u' } else { 'd' },
                    v.article_id,
                    v.rank,
                    v.command
                ),
                &v.query,
            ),
        }
    }

    /// Reads a custom id; anything malformed (an old layout, a forged id) is `None`.
    pub fn decode(id: &str) -> Option<Action> {
        let (kind, rest) = id.split_once(':')?;
        let num = |s: &str| s.parse::<usize>().ok().filter(|n| (1..=1000).contains(n));
        // Commands and article ids follow the command-name rule.
        let command_ok = |c: &str| is_valid_name(c);
        match kind {
            "m" => {
                let mut f = rest.splitn(3, ':');
                let page = num(f.next()?)?;
                let command = f.next().filter(|c| command_ok(c))?.to_string();
                let query = f.next()?.to_string();
                Some(Action::More {
                    page,
                    command,
                    query,
                })
            }
            "a" => {
                let mut f = rest.splitn(3, ':');
                let id = f.next().filter(|c| command_ok(c))?.to_string();
                let page = num(f.next()?)?;
                let tag = f.next()?.parse().ok()?;
                Some(Action::Article { id, page, tag })
            }
            "v" => {
                let mut f = rest.splitn(5, ':');
                let up = match f.next()? {
                    "u" => true,
                    "d" => false,
                    _ => return None,
                };
                let article_id = f.next().filter(|c| command_ok(c))?.to_string();
                let rank = num(f.next()?)?;
                let command = f.next().filter(|c| command_ok(c))?.to_string();
                let query = f.next()?.to_string();
                Some(Action::Vote(Vote {
                    up,
                    article_id,
                    rank,
                    command,
                    query,
                }))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits() {
        let long = "é".repeat(300);
        for a in [
            Action::More {
                page: 2,
                command: "ask".into(),
                query: "who: was fined?".into(),
            },
            Action::Article {
                id: "0123456789".into(),
                page: 1,
                tag: 3,
            },
            Action::Vote(Vote {
                up: false,
                article_id: "0123456789".into(),
                rank: 4,
                command: "fines".into(),
                query: String::new(),
            }),
        ] {
            assert_eq!(Action::decode(&a.encode()), Some(a));
        }
        let id = Action::More {
            page: 2,
            command: "ask".into(),
            query: long,
        }
        .encode();
        assert_eq!(id.chars().count(), CUSTOM_ID);
        assert!(Action::decode(&id).is_some());
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "x", "m:0:ask:q", "m:2:a b:q", "v:x:1:1:ask:q", "a:id:1"] {
            assert_eq!(Action::decode(bad), None, "{bad}");
        }
    }
}
