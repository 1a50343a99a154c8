//! Creating users and setting their passwords from the command line (`byline user create`,
//! `byline user set-password`), without the HTTP API.

use rand::distributions::{Alphanumeric, DistString};

use super::domain::{check_password, parse_new_account, Role};
use super::dto::User;
use super::repo::{self, UserUpdate};
use crate::audit::Origin;
use crate::auth::password;
use crate::db::{run_migrations, DatabaseUrl, Db};
use crate::error::{AppError, FieldErrors};

/// A random 20-character password for accounts created without one.
pub fn random_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}

/// Migrates the database and creates a person account in it, recorded in the audit log with no
/// actor and no IP. Errors are one line each, naming the command-line option at fault.
pub fn create_user(
    url: &DatabaseUrl,
    email: &str,
    name: Option<&str>,
    role: &str,
    password: String,
) -> Result<User, String> {
    let role = Role::parse(role).ok_or("--role must be admin, editor or author")?;
    let account = parse_new_account(email, name, role, password).map_err(describe)?;
    let hash = password::hash(&account.password).map_err(|e| e.to_string())?;
    let db = Db::connect(url, 1)?;
    let mut conn = db
        .get()
        .map_err(|_| format!("cannot connect to the {} database", url.backend_name()))?;
    run_migrations(&mut conn)?;
    let row = repo::create(
        &mut conn,
        &account.email,
        &account.name,
        account.role,
        &hash,
        &Origin::default(),
    )
    .map_err(describe)?;
    Ok(User::from(row))
}

/// Sets the password of the person account with this email, as an admin's reset through
/// `PATCH /users/{id}` does: every session of theirs ends, and `user.update` is recorded with no
/// actor. Migrates the database first.
pub fn set_password(url: &DatabaseUrl, email: &str, password: String) -> Result<User, String> {
    let mut errs = FieldErrors::default();
    check_password(&mut errs, "/password", &password);
    errs.finish(()).map_err(describe)?;
    let hash = password::hash(&password).map_err(|e| e.to_string())?;
    let db = Db::connect(url, 1)?;
    let mut conn = db
        .get()
        .map_err(|_| format!("cannot connect to the {} database", url.backend_name()))?;
    run_migrations(&mut conn)?;
    let user = repo::find_by_email(&mut conn, email)
        .map_err(describe)?
        .ok_or_else(|| {
            let email = email.trim();
            format!("no user has the email {email}; create the account with: byline user create --email {email} --role admin|editor|author")
        })?;
    let change = UserUpdate {
        password_hash: Some(hash),
        ..UserUpdate::default()
    };
    let row = repo::update(&mut conn, &user.id, change, &Origin::default()).map_err(describe)?;
    Ok(User::from(row))
}

fn describe(err: AppError) -> String {
    match err {
        AppError::Validation(errors) => errors
            .iter()
            .map(|e| {
                let option = match e.pointer.as_str() {
                    "/password" => "the password",
                    "/name" => "--name",
                    _ => "--email",
                };
                format!("{option} {}", e.detail)
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_option() {
        let url = DatabaseUrl::Sqlite(":memory:".into());
        let err =
            create_user(&url, "not-an-email", None, "editor", "short".into()).expect_err("invalid");
        assert!(err.contains("--email must be an email address"), "{err}");
        assert!(
            err.contains("the password must be 12 to 1000 characters"),
            "{err}"
        );
        let err = create_user(&url, "a@b.c", None, "owner", "long-enough-password".into())
            .expect_err("bad role");
        assert!(err.contains("--role"), "{err}");
    }
}
