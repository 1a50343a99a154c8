//! Every route of the service, in one table: the API under `/api/v1`, health, metrics, the
//! OpenAPI document and Swagger UI.

use actix_web::web;
use utoipa_swagger_ui::SwaggerUi;

use crate::api_keys::handlers as api_keys;
use crate::articles::child_handlers::{highlights, key_takeaways, quotes, risk_notes};
use crate::articles::handlers as articles;
use crate::articles::list::handlers as lists;
use crate::articles::preview::handlers as previews;
use crate::articles::revisions::handlers as revisions;
use crate::audit::handlers as audit;
use crate::auth::handlers as auth;
use crate::authors::handlers as authors;
use crate::distribution::handlers as distribution;
use crate::events::handlers as events;
use crate::media::{handlers as media, serve as media_files};
use crate::users::handlers as user_admin;
use crate::webhooks::handlers as webhooks;
use crate::{health, metrics, openapi};

/// Every route of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(web::resource("/auth/login").route(web::post().to(auth::login)))
            .service(web::resource("/auth/refresh").route(web::post().to(auth::refresh)))
            .service(web::resource("/auth/logout").route(web::post().to(auth::logout)))
            .service(web::resource("/auth/token").route(web::post().to(auth::issue_token)))
            .service(web::resource("/auth/me").route(web::get().to(auth::get_me)))
            .service(web::resource("/auth/me/password").route(web::put().to(auth::change_password)))
            .service(
                web::resource("/users")
                    .route(web::get().to(user_admin::list_users))
                    .route(web::post().to(user_admin::create_user)),
            )
            .service(
                web::resource("/users/{id}")
                    .route(web::get().to(user_admin::get_user))
                    .route(web::patch().to(user_admin::update_user))
                    .route(web::delete().to(user_admin::delete_user)),
            )
            .service(
                web::resource("/api-keys")
                    .route(web::get().to(api_keys::list_api_keys))
                    .route(web::post().to(api_keys::create_api_key)),
            )
            .service(
                web::resource("/api-keys/{id}")
                    .route(web::get().to(api_keys::get_api_key))
                    .route(web::delete().to(api_keys::delete_api_key)),
            )
            .service(web::resource("/audit").route(web::get().to(audit::list_audit)))
            .service(web::resource("/changes").route(web::get().to(events::list_changes)))
            .service(
                web::resource("/webhooks")
                    .route(web::get().to(webhooks::list_webhooks))
                    .route(web::post().to(webhooks::create_webhook)),
            )
            .service(
                web::resource("/webhooks/{id}")
                    .route(web::get().to(webhooks::get_webhook))
                    .route(web::patch().to(webhooks::update_webhook))
                    .route(web::delete().to(webhooks::delete_webhook)),
            )
            .service(
                web::resource("/webhooks/{id}/ping").route(web::post().to(webhooks::ping_webhook)),
            )
            .service(
                web::resource("/webhooks/{id}/deliveries")
                    .route(web::get().to(webhooks::list_deliveries)),
            )
            .service(
                web::resource("/articles")
                    .route(web::get().to(lists::list_articles))
                    .route(web::head().to(lists::head_articles))
                    .route(web::post().to(articles::create_article)),
            )
            .service(web::resource("/tags").route(web::get().to(lists::list_tags)))
            .service(
                web::resource("/authors")
                    .route(web::get().to(authors::list_authors))
                    .route(web::post().to(authors::create_author)),
            )
            .service(
                web::resource("/authors/{id}")
                    .route(web::get().to(authors::get_author))
                    .route(web::patch().to(authors::update_author))
                    .route(web::delete().to(authors::delete_author)),
            )
            .service(
                web::resource("/articles/{id}")
                    .route(web::get().to(articles::get_article))
                    .route(web::head().to(articles::head_article))
                    .route(web::put().to(articles::replace_article))
                    .route(web::patch().to(articles::update_article))
                    .route(web::delete().to(articles::delete_article)),
            )
            .service(
                web::resource("/articles/{id}/publish")
                    .route(web::post().to(articles::publish_article)),
            )
            .service(
                web::resource("/articles/{id}/unpublish")
                    .route(web::post().to(articles::unpublish_article)),
            )
            .service(
                web::resource("/articles/{id}/schedule")
                    .route(web::post().to(articles::schedule_article)),
            )
            .service(
                web::resource("/articles/{id}/archive")
                    .route(web::post().to(articles::archive_article)),
            )
            .service(
                web::resource("/articles/{id}/revisions")
                    .route(web::get().to(revisions::list_revisions)),
            )
            .service(
                web::resource("/articles/{id}/revisions/{version}")
                    .route(web::get().to(revisions::get_revision)),
            )
            .service(
                web::resource("/articles/{id}/revisions/{version}/restore")
                    .route(web::post().to(revisions::restore_revision)),
            )
            .service(
                web::resource("/articles/{id}/preview-links")
                    .route(web::post().to(previews::create_preview_link))
                    .route(web::delete().to(previews::revoke_preview_links)),
            )
            .service(web::resource("/preview/{token}").route(web::get().to(previews::get_preview)))
            .service(
                web::resource("/media")
                    .route(web::get().to(media::list_media))
                    .route(web::post().to(media::create_medium)),
            )
            .service(
                web::resource("/media/{id}")
                    .route(web::get().to(media::get_medium))
                    .route(web::patch().to(media::update_medium))
                    .route(web::delete().to(media::delete_medium)),
            )
            .configure(key_takeaways::routes)
            .configure(quotes::routes)
            .configure(highlights::routes)
            .configure(risk_notes::routes),
    )
    .service(web::resource("/feeds/rss.xml").route(web::get().to(distribution::get_rss_feed)))
    .service(web::resource("/feeds/atom.xml").route(web::get().to(distribution::get_atom_feed)))
    .service(
        web::resource("/sitemaps/news.xml").route(web::get().to(distribution::get_news_sitemap)),
    )
    .service(
        web::resource("/sitemaps/articles.xml")
            .route(web::get().to(distribution::get_articles_sitemap)),
    )
    .service(
        web::resource("/sitemaps/articles-{n}.xml")
            .route(web::get().to(distribution::get_articles_sitemap_page)),
    )
    .service(
        web::resource("/media/{file}")
            .route(web::get().to(media_files::serve_media_file))
            .route(web::head().to(media_files::head_media_file)),
    )
    .service(web::resource("/healthz").route(web::get().to(health::healthz)))
    .service(web::resource("/readyz").route(web::get().to(health::readyz)))
    .service(web::resource("/metrics").route(web::get().to(metrics::serve_metrics)))
    .service(
        web::resource(["/", "/swagger-ui"])
            .route(web::get().to(openapi::redirect_to_swagger_ui))
            .route(web::head().to(openapi::redirect_to_swagger_ui)),
    )
    // Registered before Swagger UI, which would serve the same document at the same path.
    .service(web::resource("/api-docs/openapi.json").route(web::get().to(openapi::serve_openapi)))
    .service(
        SwaggerUi::new("/swagger-ui/{_:.*}")
            .url("/api-docs/openapi.json", openapi::api_doc())
            .config(utoipa_swagger_ui::Config::default().persist_authorization(true)),
    );
}
