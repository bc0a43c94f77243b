//! `GET /api/catalog`: topics, levels, kinds and question counts, for the page's pickers.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::AppState;
use crate::bank::{Kind, Level, Topic};
use crate::interview::MAX_COUNT;

#[derive(Serialize, utoipa::ToSchema)]
struct TopicInfo {
    id: Topic,
    title: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Cell {
    topic: Topic,
    level: Level,
    count: usize,
}

/// Topics, levels, kinds and how many questions each (topic, level) holds.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Catalog {
    topics: Vec<TopicInfo>,
    levels: &'static [Level],
    kinds: &'static [Kind],
    counts: Vec<Cell>,
    max_count: usize,
    default_count: usize,
}

/// What the question bank offers, for the chat page's pickers (public).
#[utoipa::path(get, path = "/api/catalog", tag = "catalog", responses((status = 200, description = "The catalog", body = Catalog)))]
pub async fn catalog(app: web::Data<AppState>) -> HttpResponse {
    let bank = &app.interviews.bank;
    let counts = Topic::ALL
        .iter()
        .flat_map(|&topic| Level::ALL.iter().map(move |&level| (topic, level)))
        .map(|(topic, level)| Cell {
            topic,
            level,
            count: bank.count(topic, level),
        })
        .collect();
    HttpResponse::Ok().json(Catalog {
        topics: Topic::ALL
            .iter()
            .map(|&id| TopicInfo {
                id,
                title: id.title(),
            })
            .collect(),
        levels: Level::ALL,
        kinds: Kind::ALL,
        counts,
        max_count: MAX_COUNT,
        default_count: crate::ws::protocol::DEFAULT_COUNT,
    })
}
