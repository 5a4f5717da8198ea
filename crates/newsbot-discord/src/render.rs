//! Reply → what Discord shows. A [`Page`] is a plain description of one message (content,
//! embeds, button rows); it turns into whichever serenity builder the caller needs, and every
//! builder gets empty allowed mentions.

use newsbot_core::dates;
use newsbot_core::prompts::Messages;
use newsbot_core::{Passage, Reply, ReplyKind};
use serde::Serialize;
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse,
    ReactionType,
};

use crate::buttons::{Action, Vote};
use crate::limits;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Embed {
    pub title: String,
    pub description: String,
    pub footer: String,
    /// The article's link, on the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Style {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Button {
    pub custom_id: String,
    pub label: Option<String>,
    pub emoji: Option<String>,
    pub style: Style,
}

/// One Discord message, before it becomes a serenity builder.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    pub rows: Vec<Vec<Button>>,
}

impl Page {
    /// A message with text only, escaped and cut to Discord's content limit.
    pub fn text(text: &str) -> Page {
        Page {
            content: Some(limits::escaped(text, limits::CONTENT)),
            ..Page::default()
        }
    }

    fn embeds(&self) -> Vec<CreateEmbed> {
        self.embeds
            .iter()
            .map(|e| {
                let embed = CreateEmbed::new()
                    .title(&e.title)
                    .description(&e.description)
                    .footer(CreateEmbedFooter::new(&e.footer));
                match &e.url {
                    Some(u) => embed.url(u),
                    None => embed,
                }
            })
            .collect()
    }

    fn components(&self) -> Vec<CreateActionRow> {
        self.rows
            .iter()
            .map(|row| {
                CreateActionRow::Buttons(
                    row.iter()
                        .map(|b| {
                            let mut c = CreateButton::new(&b.custom_id).style(match b.style {
                                Style::Primary => ButtonStyle::Primary,
                                Style::Secondary => ButtonStyle::Secondary,
                            });
                            if let Some(l) = &b.label {
                                c = c.label(l);
                            }
                            if let Some(e) = &b.emoji {
                                c = c.emoji(ReactionType::Unicode(e.clone()));
                            }
                            c
                        })
                        .collect(),
                )
            })
            .collect()
    }

    /// The body of an edit to a deferred interaction response.
    pub fn to_edit(&self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.embeds())
            .components(self.components())
            .allowed_mentions(no_mentions())
    }

    /// The body of an immediate interaction response.
    pub fn to_response(&self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let mut m = CreateInteractionResponseMessage::new()
            .embeds(self.embeds())
            .components(self.components())
            .ephemeral(ephemeral)
            .allowed_mentions(no_mentions());
        if let Some(c) = &self.content {
            m = m.content(c);
        }
        m
    }

    /// The body of a new channel message (a DM answer or a reply to a mention).
    pub fn to_message(&self) -> CreateMessage {
        let mut m = CreateMessage::new()
            .embeds(self.embeds())
            .components(self.components())
            .allowed_mentions(no_mentions());
        if let Some(c) = &self.content {
            m = m.content(c);
        }
        m
    }
}

/// Nobody is ever pinged: not users, roles, @everyone, nor the author of a replied-to message.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new().replied_user(false)
}

/// Page `page` (1-based) of a reply: the passages of [`Reply::page`], or a slice of an
/// article. Every word not from an article comes from `m`.
pub fn page(reply: &Reply, page: usize, m: &Messages) -> Page {
    let page = page.max(1);
    if reply.kind == ReplyKind::Article {
        return article_page(reply, page, m);
    }
    let view = reply.page(page);
    let mut content = reply.message.clone();
    // Discord rejects an empty message; an empty reply should not happen, but say so.
    if view.past_end || (content.is_none() && view.passages.is_empty()) {
        content = Some(m.no_more.clone());
    }
    let shown: Vec<&Passage> = view.passages.iter().collect();
    let embeds = passage_embeds(&shown, m);
    let mut rows: Vec<Vec<Button>> = shown.iter().map(|p| passage_row(reply, p, m)).collect();
    if view.remaining > 0 {
        rows.push(vec![more_button(
            Action::More {
                page: page + 1,
                command: reply.command.clone(),
                query: reply.query.clone(),
            },
            m,
        )]);
    }
    Page {
        content: content.map(|c| limits::escaped(&c, limits::CONTENT)),
        embeds,
        rows,
    }
}

fn more_button(action: Action, m: &Messages) -> Button {
    Button {
        custom_id: action.encode(),
        label: Some(m.more_button.clone()),
        emoji: None,
        style: Style::Primary,
    }
}

fn sources(p: &Passage, m: &Messages) -> String {
    Messages::render(&m.sources, &[("sources", &p.sources.join(", "))])
}

fn footer(p: &Passage, m: &Messages) -> String {
    let mut f = String::new();
    if let Some(s) = &p.section {
        f.push_str(s);
        f.push_str(" · ");
    }
    f.push_str(&sources(p, m));
    if let Some(d) = &p.date {
        f.push_str(" · ");
        f.push_str(&dates::shown(d));
    }
    f.push_str(&format!(" · #{}", p.rank));
    limits::plain(&f, limits::FOOTER)
}

/// One embed per passage; descriptions share what the titles and footers leave of the
/// per-message total, so one long paragraph cannot push the others out.
fn passage_embeds(shown: &[&Passage], m: &Messages) -> Vec<Embed> {
    let heads: Vec<(String, String)> = shown
        .iter()
        .map(|p| (limits::escaped(&p.headline, limits::TITLE), footer(p, m)))
        .collect();
    let fixed: usize = heads
        .iter()
        .map(|(t, f)| t.chars().count() + f.chars().count())
        .sum();
    let wants: Vec<usize> = shown
        .iter()
        .map(|p| {
            limits::highlighted(&p.paragraph, &p.highlights, usize::MAX)
                .chars()
                .count()
                .min(limits::DESCRIPTION)
        })
        .collect();
    let allowed = limits::share(limits::MESSAGE_TOTAL.saturating_sub(fixed), &wants);
    shown
        .iter()
        .zip(heads)
        .zip(allowed)
        .map(|((p, (title, footer)), max)| Embed {
            title,
            description: limits::highlighted(&p.paragraph, &p.highlights, max),
            footer,
            url: p.url.as_deref().and_then(limits::link),
        })
        .collect()
}

fn passage_row(reply: &Reply, p: &Passage, m: &Messages) -> Vec<Button> {
    let rank = p.rank.to_string();
    let mut row = vec![Button {
        custom_id: Action::Article {
            id: p.article_id.clone(),
            page: 1,
            tag: p.rank,
        }
        .encode(),
        label: Some(Messages::render(&m.article_button, &[("rank", &rank)])),
        emoji: None,
        style: Style::Secondary,
    }];
    for (up, emoji) in [(true, "👍"), (false, "👎")] {
        row.push(Button {
            custom_id: Action::Vote(Vote {
                up,
                article_id: p.article_id.clone(),
                rank: p.rank,
                command: reply.command.clone(),
                query: reply.query.clone(),
            })
            .encode(),
            label: None,
            emoji: Some(emoji.into()),
            style: Style::Secondary,
        });
    }
    row
}

/// Splits a whole article into description-sized chunks, paragraph by paragraph, with each
/// section title in bold where it starts.
fn article_chunks(reply: &Reply) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut section: Option<&str> = None;
    for p in &reply.passages {
        let mut block = String::new();
        if p.section.as_deref() != section {
            section = p.section.as_deref();
            if let Some(s) = section {
                block.push_str(&format!("**{}**\n", limits::escaped(s, limits::TITLE)));
            }
        }
        let room = limits::DESCRIPTION - block.chars().count();
        block.push_str(&limits::escaped(&p.paragraph, room));
        let joined = current.chars().count() + 2 + block.chars().count();
        if !current.is_empty() && joined > limits::DESCRIPTION {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&block);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

fn article_page(reply: &Reply, page: usize, m: &Messages) -> Page {
    let chunks = article_chunks(reply);
    let (Some(first), Some(chunk)) = (reply.passages.first(), chunks.get(page - 1)) else {
        return Page::text(&m.no_more);
    };
    let mut footer = sources(first, m);
    if let Some(d) = &first.date {
        footer.push_str(" · ");
        footer.push_str(&dates::shown(d));
    }
    if chunks.len() > 1 {
        let (page, parts) = (page.to_string(), chunks.len().to_string());
        footer.push_str(" · ");
        footer.push_str(&Messages::render(
            &m.article_part,
            &[("page", &page), ("parts", &parts)],
        ));
    }
    let mut rows = Vec::new();
    if page < chunks.len() {
        rows.push(vec![more_button(
            Action::Article {
                id: first.article_id.clone(),
                page: page + 1,
                tag: 0,
            },
            m,
        )]);
    }
    Page {
        content: None,
        embeds: vec![Embed {
            title: limits::escaped(&first.headline, limits::TITLE),
            description: chunk.clone(),
            footer: limits::plain(&footer, limits::FOOTER),
            url: first.url.as_deref().and_then(limits::link),
        }],
        rows,
    }
}
