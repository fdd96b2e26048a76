//! The Redis handshake on a fresh transport, on both protocols: HELLO
//! (protocol, credentials, name), SELECT, and a second bare HELLO that
//! proves the replies line up, sent together (one round trip); a second
//! round trip only against a server without HELLO (Redis < 6).

use super::conn::Connection;
use crate::config::{Config, Protocol};
use crate::credentials::Credentials;
use crate::{Cmd, Error, ErrorKind, Result, Value};

/// Runs the handshake on `conn`. Every reply is checked for its shape, and
/// the last command is a second `HELLO`, whose reply no other command's
/// looks like: a server that sent a reply before it was asked (or a proxy a
/// reply behind) is caught here, instead of handing that reply to the first
/// caller and every later reply to the caller before. HELLO, unlike PING,
/// is allowed to every ACL user, however limited.
///
/// Over RESP2 against a server without HELLO (Redis < 6: no ACLs either),
/// a second round trip of AUTH, CLIENT SETNAME, SELECT and a PING with a
/// fresh token, which must come back.
pub(crate) async fn handshake(
    conn: &mut Connection,
    config: &Config,
    credentials: Option<Credentials>,
) -> Result<()> {
    let credentials = credentials.as_ref();
    let commands = hello_commands(config, credentials);
    let replies = conn.request(&commands, None).await?;
    let checked = check_replies(&commands, replies, config, credentials, "");
    let checked = match checked {
        Err(err) if config.protocol == Protocol::Resp2 && is_unknown_hello(&err) => {
            let token = format!("{:016x}", fastrand::u64(..));
            let commands = legacy_commands(config, credentials, &token);
            let replies = conn.request(&commands, None).await?;
            check_replies(&commands, replies, config, credentials, &token)
        }
        checked => checked,
    };
    conn.user = credentials.map(|c| c.username.as_deref().unwrap_or("default").to_owned());
    checked.map_err(|e| e.at_node(&conn.addr))
}

/// Says who lacked a permission: the server's NOPERM does not name the
/// user (Redis 7.0), and the caller may not know which user a rotating
/// provider handed out.
pub(crate) fn explain_noperm(err: Error, user: Option<&str>) -> Error {
    if err.code() != Some("NOPERM") {
        return err;
    }
    let user = user.unwrap_or("default");
    err.with_detail(format!("the connection is authenticated as user {user:?}"))
}

fn protover(config: &Config) -> &'static str {
    match config.protocol {
        Protocol::Resp3 => "3",
        Protocol::Resp2 => "2",
    }
}

/// HELLO authenticates and names the connection in the same command.
fn hello_commands(config: &Config, credentials: Option<&Credentials>) -> Vec<Cmd> {
    let mut hello = Cmd::new("HELLO").arg(protover(config));
    if let Some(credentials) = credentials {
        let user = credentials.username.as_deref().unwrap_or("default");
        hello = hello
            .arg("AUTH")
            .arg(user)
            .arg(credentials.password.expose());
    }
    if let Some(name) = &config.client_name {
        hello = hello.arg("SETNAME").arg(name.as_str());
    }
    let mut commands = vec![hello];
    if config.db != 0 {
        commands.push(Cmd::new("SELECT").arg(config.db));
    }
    commands.push(Cmd::new("HELLO").arg(protover(config)));
    commands
}

/// The handshake of servers before HELLO (Redis < 6).
fn legacy_commands(config: &Config, credentials: Option<&Credentials>, token: &str) -> Vec<Cmd> {
    let mut commands = Vec::new();
    if let Some(credentials) = credentials {
        let password = credentials.password.expose();
        commands.push(match &credentials.username {
            Some(user) => Cmd::new("AUTH").arg(user.as_str()).arg(password),
            None => Cmd::new("AUTH").arg(password),
        });
    }
    if let Some(name) = &config.client_name {
        commands.push(Cmd::new("CLIENT").arg("SETNAME").arg(name.as_str()));
    }
    if config.db != 0 {
        commands.push(Cmd::new("SELECT").arg(config.db));
    }
    commands.push(Cmd::new("PING").arg(token));
    commands
}

fn is_unknown_hello(err: &Error) -> bool {
    err.command()
        .is_some_and(|c| c.eq_ignore_ascii_case("HELLO"))
        && err.code() == Some("ERR")
        && err
            .server_error()
            .is_some_and(|e| e.message().to_ascii_lowercase().contains("unknown command"))
}

/// A HELLO reply: a map over RESP3, over RESP2 the same as a flat array,
/// `server` first.
fn is_hello_reply(reply: &Value) -> bool {
    match reply {
        Value::Map(_) => true,
        Value::Array(items) => {
            matches!(items.first(), Some(Value::BulkString(key)) if key.as_ref() == b"server")
        }
        _ => false,
    }
}

fn check_replies(
    commands: &[Cmd],
    replies: Vec<Value>,
    config: &Config,
    credentials: Option<&Credentials>,
    token: &str,
) -> Result<()> {
    for (cmd, reply) in commands.iter().zip(replies) {
        let reply = reply.without_attributes();
        if let Value::Error(server) = reply {
            let err = Error::server(server).with_command(cmd.name());
            if is_unknown_hello(&err) && config.protocol == Protocol::Resp2 {
                // Not an error yet: the legacy handshake follows.
                return Err(err);
            }
            return Err(explain_handshake_error(err, cmd, config, credentials));
        }
        let in_step = if cmd.is("HELLO") {
            is_hello_reply(&reply)
        } else if cmd.is("PING") {
            matches!(&reply, Value::BulkString(echo) if echo.as_ref() == token.as_bytes())
        } else {
            matches!(&reply, Value::SimpleString(ok) if ok.as_ref() == b"OK")
        };
        if !in_step {
            return Err(Error::protocol(format!(
                "the handshake with {} went out of step: {} was answered with {}, \
                 so the server sent a reply nobody asked for (or a proxy in between \
                 is a reply behind); the connection was dropped",
                config.addr,
                cmd.name(),
                reply.type_name(),
            )));
        }
    }
    Ok(())
}

/// Turns the server's terse handshake errors into ones that say what to
/// change. The user is named; the password never is.
fn explain_handshake_error(
    err: Error,
    cmd: &Cmd,
    config: &Config,
    credentials: Option<&Credentials>,
) -> Error {
    let user = match credentials {
        Some(Credentials {
            username: Some(user),
            ..
        }) => format!("user {user:?}"),
        Some(_) => "user \"default\"".to_owned(),
        None => "no credentials (none were configured)".to_owned(),
    };
    let hint = match (err.code(), err.kind()) {
        (Some("NOPROTO"), _) => {
            "the server does not speak RESP3; connect with protocol=2".to_owned()
        }
        (Some("ERR"), _) if cmd.is("HELLO") => {
            "the server does not know HELLO (Redis < 6); connect with protocol=2".to_owned()
        }
        (Some("NOAUTH"), _) => format!(
            "the server requires authentication and the connection used {user}; \
             give a username and password"
        ),
        (_, ErrorKind::Auth) => {
            format!("authenticating as {user} failed; check the username and password")
        }
        _ if cmd.is("SELECT") => "the database index is out of range for this server".to_owned(),
        _ => return err,
    };
    err.with_detail(format!("handshake with {} failed; {hint}", config.addr))
}
