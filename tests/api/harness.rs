//! The test harness itself: what a run without PostgreSQL says.

use std::process::Command;

#[test]
fn a_run_without_postgresql_ends_by_counting_the_skipped_halves() {
    let test = "operations::health_and_readiness_probes_answer::postgres";
    let out = Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--test-threads=1"])
        .env_remove("BYLINE_REQUIRE_POSTGRES")
        // Port 1 on the loopback address: nothing listens there, so the connection is refused.
        .env(
            "BYLINE_TEST_POSTGRES_URL",
            "postgres://postgres@127.0.0.1:1/postgres",
        )
        .output()
        .expect("run the test binary");
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
