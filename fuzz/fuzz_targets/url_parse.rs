//! `Config::from_url` on any UTF-8 string: it never panics, and the password never shows.
//!
//! The password check is differential, so it has no false positives: the URL's password
//! (found the way the parser finds it) is replaced by another one, and the Debug text of the
//! parsed config, or the text of the error, must not change. A password that leaked anywhere
//! (in the address, the user name, an error message...) would change it. A check for the
//! password's text in the output could not tell a leak from the same text appearing
//! legitimately elsewhere (`redis://host:host@host`).

#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;
use redis_core::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Config::from_url(url);
    let shown = match &parsed {
        Ok(config) => {
            // Every accessor and formatter must work on whatever parsed.
            let _ = (config.addr().to_string(), config.db(), config.protocol());
            let _ = config.response_timeout();
            format!("{config:?}")
        }
        Err(err) => format!("{err} / {err:?}"),
    };
    let Some((range, tcp)) = password_range(url) else {
        return;
    };
    let password = &url[range.clone()];
    if password.contains('#') {
        // The URL fails for its `#`, which the twin may not have.
        return;
    }
    // A password that does not percent-decode fails the URL; the twin's does not.
    let decodes = percent_decode_str(password).decode_utf8().is_ok();
    let other = if password == "x" { "y" } else { "x" };
    let twin = format!("{}{other}{}", &url[..range.start], &url[range.end..]);
    let twin_parsed = Config::from_url(&twin);
    if !tcp && (parsed.is_ok() || twin_parsed.is_ok() || url.contains('%')) {
        // A unix URL has no password: `unix://%2Fa:b@/c` is the path `/a:b@/c`, shown as such,
        // and its whole location is percent-decoded at once (a `%` escape may span the
        // "password"'s edge). Its errors still must not show what looks like one.
        return;
    }
    match (&parsed, &twin_parsed) {
        (Ok(_), Ok(config)) => assert_eq!(shown, format!("{config:?}"), "twin: {twin:?}"),
        (Err(_), Err(err)) if decodes => {
            assert_eq!(shown, format!("{err} / {err:?}"), "twin: {twin:?}");
        }
        (Err(_), Err(_)) => {}
        (Err(_), Ok(_)) => assert!(!decodes, "only the twin {twin:?} parses"),
        (Ok(_), Err(err)) => panic!("the URL parses, its twin {twin:?} does not: {err}"),
    }
});

/// Where the password is, as the parser splits a URL: after the scheme's `://`, the authority
/// ends at the first `/` or `?`; the user info is what precedes its last `@`; the password
/// follows the user info's first `:` or, without one, is the whole user info (the old
/// password-only form). `None` when there is no password, or it is empty. The flag says whether
/// the scheme is one with passwords (`redis`, `rediss`).
fn password_range(url: &str) -> Option<(Range<usize>, bool)> {
    let scheme_end = url.find("://")?;
    let tcp = matches!(
        url[..scheme_end].to_ascii_lowercase().as_str(),
        "redis" | "rediss"
    );
    let start = scheme_end + 3;
    let rest = &url[start..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let at = rest[..end].rfind('@')?;
    let userinfo = &rest[..at];
    let from = userinfo.find(':').map_or(0, |colon| colon + 1);
    (from < at).then(|| (start + from..start + at, tcp))
}
