//! Slash commands, buttons and autocomplete.
//!
//! Anything that searches is deferred first (ephemeral or not, as Discord requires that be
//! decided then) and the answer edits the deferred response, so the 3-second deadline never
//! depends on the engine.

use newsbot_core::prompts::Messages;
use newsbot_core::{Request, PAGE_SIZE};
use serenity::all::{
    AutocompleteChoice, CommandDataOptionValue, CommandInteraction, ComponentInteraction,
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage, Http,
    Interaction, MessageFlags,
};

use crate::buttons::{Action, Vote};
use crate::feedback::{Entry, Kind, Verdict};
use crate::limits;
use crate::ratelimit::Verdict as Rate;
use crate::render::{self, Page};
use crate::{Bot, Error};

/// Handles one interaction. Failures are logged; the user sees the prompts' `error` text
/// wherever a response is still possible. Never panics on bad input.
pub async fn handle_interaction(http: &Http, bot: &Bot, interaction: &Interaction) {
    let result = match interaction {
        Interaction::Command(c) => command(http, bot, c).await,
        Interaction::Component(c) => component(http, bot, c).await,
        Interaction::Autocomplete(a) => autocomplete(http, bot, a).await,
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::error!("interaction {}: {e}", interaction.id());
    }
}

/// The request a slash command stands for, and whether the answer is private.
pub fn request_of(cmd: &CommandInteraction) -> (Request, bool) {
    let mut text = String::new();
    let mut private = false;
    for o in &cmd.data.options {
        match (&o.value, o.name.as_str()) {
            (CommandDataOptionValue::Boolean(b), "private") => private = *b,
            (CommandDataOptionValue::String(s), _) => text = s.clone(),
            _ => {}
        }
    }
    (Request::new(cmd.data.name.as_str(), text), private)
}

fn notice(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(Page::text(text).to_response(true))
}

fn defer(ephemeral: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(ephemeral))
}

/// The page to show for a request, or the `error` text when the engine failed.
fn answer_page(bot: &Bot, req: &Request, page: usize, user: u64, log: bool) -> Page {
    let result = if log {
        bot.answer(req, user, "slash")
    } else {
        bot.engine().answer(req).map_err(Error::from)
    };
    match result {
        Ok(reply) => render::page(&reply, page, &bot.engine().messages()),
        Err(e) => {
            tracing::error!("answering {req:?}: {e}");
            Page::text(&bot.engine().messages().error)
        }
    }
}

/// Interactions must always be acknowledged, so a limited user gets the notice each time,
/// privately; it only reaches them.
fn limited(bot: &Bot, user: u64) -> Option<CreateInteractionResponse> {
    match bot.limiter().check(user) {
        Rate::Allow => None,
        Rate::Notify | Rate::Drop => Some(notice(&bot.engine().messages().rate_limited)),
    }
}

async fn command(http: &Http, bot: &Bot, cmd: &CommandInteraction) -> Result<(), Error> {
    let user = cmd.user.id.get();
    if let Some(r) = limited(bot, user) {
        newsbot_core::telemetry::question(
            "slash",
            newsbot_core::telemetry::Outcome::RateLimited,
            None,
        );
        return Ok(cmd.create_response(http, r).await?);
    }
    let (req, private) = request_of(cmd);
    if let Some(f) = newsbot_alerts::FollowCommand::parse(&req.command, &req.text) {
        // A quick database write: answered at once, privately.
        let text = crate::alerts::answer(bot, cmd, &f);
        return Ok(cmd.create_response(http, notice(&text)).await?);
    }
    cmd.create_response(http, defer(private)).await?;
    let page = answer_page(bot, &req, 1, user, true);
    cmd.edit_response(http, page.to_edit()).await?;
    Ok(())
}

async fn component(http: &Http, bot: &Bot, c: &ComponentInteraction) -> Result<(), Error> {
    let user = c.user.id.get();
    let Some(action) = Action::decode(&c.data.custom_id) else {
        tracing::warn!("unknown button id {:?}", c.data.custom_id);
        return Ok(c
            .create_response(http, notice(&bot.engine().messages().error))
            .await?);
    };
    // Follow-ups of a private answer stay private.
    let ephemeral = c
        .message
        .flags
        .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL));
    match action {
        Action::Vote(v) => {
            bot.record(vote_entry(bot, c, v), user);
            c.create_response(http, notice(&bot.engine().messages().thanks))
                .await?;
        }
        Action::More {
            page,
            command,
            query,
        } => {
            if let Some(r) = limited(bot, user) {
                return Ok(c.create_response(http, r).await?);
            }
            c.create_response(http, defer(ephemeral)).await?;
            let p = answer_page(bot, &Request::new(command, query), page, user, false);
            c.edit_response(http, p.to_edit()).await?;
        }
        Action::Article { id, page, .. } => {
            if let Some(r) = limited(bot, user) {
                return Ok(c.create_response(http, r).await?);
            }
            c.create_response(http, defer(ephemeral)).await?;
            let p = match bot.engine().article(&id) {
                Ok(Some(reply)) => render::page(&reply, page, &bot.engine().messages()),
                Ok(None) => Page::text(&Messages::render(
                    &bot.engine().messages().not_found,
                    &[("query", &id)],
                )),
                Err(e) => {
                    tracing::error!("article {id}: {e}");
                    Page::text(&bot.engine().messages().error)
                }
            };
            c.edit_response(http, p.to_edit()).await?;
        }
    }
    Ok(())
}

/// The feedback entry for a vote, with the passage as it was shown.
fn vote_entry(bot: &Bot, c: &ComponentInteraction, v: Vote) -> Entry {
    let mut e = Entry::now(Kind::Vote, &v.command, &v.query);
    e.verdict = Some(if v.up { Verdict::Up } else { Verdict::Down });
    e.headline = bot
        .engine()
        .index()
        .current()
        .article_meta(&v.article_id)
        .map(|a| a.headline.clone());
    e.article_id = Some(v.article_id);
    e.rank = Some(v.rank);
    // The passage as shown: embeds sit in rank order on their page.
    e.passage = c
        .message
        .embeds
        .get((v.rank.max(1) - 1) % PAGE_SIZE)
        .and_then(|em| em.description.clone());
    e
}

async fn autocomplete(http: &Http, bot: &Bot, a: &CommandInteraction) -> Result<(), Error> {
    let typed = a.data.autocomplete().map(|o| o.value).unwrap_or("");
    let choices = bot
        .engine()
        .complete_headline(typed, limits::CHOICES)
        .into_iter()
        .map(|m| AutocompleteChoice::new(limits::plain(&m.headline, limits::CHOICE), m.id))
        .collect();
    a.create_response(
        http,
        CreateInteractionResponse::Autocomplete(
            CreateAutocompleteResponse::new().set_choices(choices),
        ),
    )
    .await?;
    Ok(())
}
