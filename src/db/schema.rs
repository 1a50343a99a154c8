//! Table definitions, written by hand in types both backends share.
//!
//! The SQL in `migrations/sqlite` and `migrations/postgres` must agree with this file; a test
//! loads every table on both backends so that they cannot drift apart.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        active -> Bool,
        password_hash -> Text,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        kind -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    articles (id) {
        id -> Text,
        slug -> Text,
        title -> Text,
        dek -> Nullable<Text>,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        summary -> Nullable<Text>,
        body -> Nullable<Text>,
        analysis -> Nullable<Text>,
        kicker -> Nullable<Text>,
        source -> Nullable<Text>,
        language -> Text,
        status -> Text,
        publish_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        author_id -> Text,
        listed_at -> Timestamp,
    }
}

diesel::table! {
    article_tags (article_id, tag) {
        article_id -> Text,
        tag -> Text,
        position -> Integer,
    }
}

diesel::table! {
    article_children (id) {
        id -> Text,
        article_id -> Text,
        kind -> Text,
        position -> Integer,
        text -> Nullable<Text>,
        speaker -> Nullable<Text>,
        context -> Nullable<Text>,
        source_url -> Nullable<Text>,
        title -> Nullable<Text>,
        body -> Nullable<Text>,
        severity -> Nullable<Text>,
        category -> Nullable<Text>,
    }
}

diesel::table! {
    article_related (article_id, related_id) {
        article_id -> Text,
        related_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    article_revisions (article_id, version) {
        article_id -> Text,
        version -> BigInt,
        action -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        at -> Timestamp,
        changed -> Text,
        document -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(api_keys -> users (id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_children -> articles (article_id));
diesel::joinable!(article_revisions -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    api_keys,
    articles,
    article_tags,
    article_children,
    article_related,
    article_revisions,
);

// Never joined with the tables above: entries name users and articles without foreign keys.
diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        detail -> Text,
    }
}

// The outbox and the webhooks it feeds. Events name articles without foreign keys: the event
// of a deletion outlives the article.
diesel::table! {
    events (seq) {
        seq -> BigInt,
        txid -> BigInt,
        id -> Text,
        event_type -> Text,
        occurred_at -> Timestamp,
        article_id -> Text,
        slug -> Text,
        version -> BigInt,
        status -> Text,
        public -> Bool,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        secret -> Text,
        events -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        payload -> Text,
        created_at -> Timestamp,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        attempt -> Integer,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(webhooks, webhook_deliveries, webhook_attempts);

diesel::table! {
    login_failures (id) {
        id -> Text,
        email_key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    article_documents (article_id) {
        article_id -> Text,
        format -> Integer,
        staff -> Text,
        public -> Nullable<Text>,
        html -> Text,
        plaintext -> Text,
    }
}

diesel::joinable!(article_documents -> articles (article_id));
diesel::allow_tables_to_appear_in_same_query!(article_documents, articles);
// Authors, bylines, old slugs and preview links (SPEC §8).
diesel::table! {
    authors (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        bio -> Nullable<Text>,
        user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> Text,
        author_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    article_slug_history (slug) {
        slug -> Text,
        article_id -> Text,
        retired_at -> Timestamp,
    }
}

diesel::table! {
    preview_links (id) {
        id -> Text,
        article_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_slug_history -> articles (article_id));
diesel::joinable!(preview_links -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    authors,
    article_authors,
    articles,
    article_slug_history,
    preview_links,
);

// Uploaded images; the bytes are in the media store under `sha256`.
diesel::table! {
    media (id) {
        id -> Text,
        sha256 -> Text,
        mime -> Text,
        bytes -> BigInt,
        width -> Integer,
        height -> Integer,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
