//! Compile-fail tests: each file under `tests/ui/` is one mistake, and its
//! `.stderr` the one error the user reads. Regenerate with
//! `TRYBUILD=overwrite cargo test -p redis-derive --test ui`, then read them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
