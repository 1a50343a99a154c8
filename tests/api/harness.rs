//! The test harness itself: what a run without PostgreSQL says, and `BYLINE_TEST_BACKENDS`.

use std::process::{Command, Output};

/// A PostgreSQL URL where nothing listens: port 1 on the loopback address refuses connections.
const NOWHERE: &str = "postgres://postgres@127.0.0.1:1/postgres";

/// Runs one test of this binary alone, in a process of its own, with `env` on top of the
/// caller's environment less the variables that choose and require backends.
fn run_alone(test: &str, env: &[(&str, &str)]) -> Output {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--test-threads=1"])
        .env_remove("BYLINE_REQUIRE_POSTGRES")
        .env_remove("BYLINE_TEST_BACKENDS")
        .envs(env.iter().copied())
        .output()
        .expect("run the test binary")
}

/// The last line of standard error that is not blank, and the whole of it.
fn last_line(out: &Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let last = stderr
        .trim_end()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    (last, stderr)
}

#[test]
fn a_run_without_postgresql_ends_by_counting_the_skipped_halves() {
    let test = "operations::health_and_readiness_probes_answer::postgres";
    let out = run_alone(test, &[("BYLINE_TEST_POSTGRES_URL", NOWHERE)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    let last = stderr.trim_end().lines().rev().nth(1).unwrap_or_default();
    assert!(
        last.starts_with("!!! Skipped 1 PostgreSQL test run, counted as passed above"),
        "the count is the last word: {stderr}"
    );
}

#[test]
fn byline_test_backends_skips_the_other_half_without_connecting_to_it() {
    let test = "operations::health_and_readiness_probes_answer::postgres";
    let env = [
        ("BYLINE_TEST_BACKENDS", "sqlite"),
        ("BYLINE_TEST_POSTGRES_URL", NOWHERE),
    ];
    let out = run_alone(test, &env);
    let (last, stderr) = last_line(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        last,
        "!!! Skipped 1 PostgreSQL test run, counted as passed above: BYLINE_TEST_BACKENDS=sqlite."
    );
    assert!(!stderr.contains("unreachable"), "{stderr}");
}

#[test]
fn byline_test_backends_takes_a_comma_separated_list_and_runs_what_it_names() {
    let test = "operations::health_and_readiness_probes_answer::sqlite";
    let out = run_alone(test, &[("BYLINE_TEST_BACKENDS", "postgres, sqlite")]);
    let (_, stderr) = last_line(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("!!! Skipped"), "{stderr}");
}

#[test]
fn an_unknown_name_in_byline_test_backends_fails_the_test_saying_so() {
    let test = "operations::health_and_readiness_probes_answer::sqlite";
    let out = run_alone(test, &[("BYLINE_TEST_BACKENDS", "sqlite,mysql")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("BYLINE_TEST_BACKENDS=sqlite,mysql: unknown backend \"mysql\""),
        "{stdout}"
    );
}

// The form with the test written inside the macro, which some files still use.
crate::both_backends! {
    async fn both_backends_still_takes_a_test_written_inside_it(app, [("BYLINE_DEMO", "1")]) {
        let list = app.get("/api/v1/articles", None).await.expect(200).json();
        assert_eq!(list["data"].as_array().map(Vec::len), Some(1), "the demo article");
    }
}
