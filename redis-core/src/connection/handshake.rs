//! Opening a connection: socket, then HELLO / AUTH / SETNAME / SELECT in one
//! round trip.

use super::conn::Connection;
use super::socket::Socket;
use crate::config::{Config, Protocol};
use crate::resp::Decoder;
use crate::{Cmd, Error, ErrorKind, Result, Value};

/// Connects to the server of `config` and runs the handshake, all within the
/// connect timeout.
pub(crate) async fn connect(config: &Config) -> Result<Connection> {
    let addr = config.addr.to_string();
    let attempt = async {
        let socket = Socket::open(config).await?;
        let mut conn = Connection::new(
            socket,
            Decoder::new(config.limits),
            config.protocol,
            addr.clone(),
        );
        let commands = handshake_commands(config);
        let replies = conn.request(&commands, None).await?;
        check_replies(&commands, replies, config)?;
        Ok(conn)
    };
    match tokio::time::timeout(config.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Error::timeout(format!(
            "could not connect to {addr} within {:?}",
            config.connect_timeout
        ))),
    }
}

/// The user and password to authenticate with, if any. A user name without a
/// password authenticates with an empty one (a `nopass` ACL user), so a
/// configured user is never silently replaced by `default`.
fn credentials(config: &Config) -> Option<(Option<&str>, &str)> {
    let password = config.password.as_ref().map(|p| p.expose());
    match (config.username.as_deref(), password) {
        (None, None) => None,
        (user, password) => Some((user, password.unwrap_or(""))),
    }
}

fn handshake_commands(config: &Config) -> Vec<Cmd> {
    let mut commands = Vec::new();
    match config.protocol {
        Protocol::Resp3 => {
            // HELLO authenticates and names the connection in the same command.
            let mut hello = Cmd::new("HELLO").arg("3");
            if let Some((user, password)) = credentials(config) {
                let user = user.unwrap_or("default");
                hello = hello.arg("AUTH").arg(user).arg(password);
            }
            if let Some(name) = &config.client_name {
                hello = hello.arg("SETNAME").arg(name.as_str());
            }
            commands.push(hello);
        }
        Protocol::Resp2 => {
            if let Some((user, password)) = credentials(config) {
                let auth = match user {
                    Some(user) => Cmd::new("AUTH").arg(user).arg(password),
                    None => Cmd::new("AUTH").arg(password),
                };
                commands.push(auth);
            }
            if let Some(name) = &config.client_name {
                commands.push(Cmd::new("CLIENT").arg("SETNAME").arg(name.as_str()));
            }
        }
    }
    if config.db != 0 {
        commands.push(Cmd::new("SELECT").arg(config.db));
    }
    commands
}

fn check_replies(commands: &[Cmd], replies: Vec<Value>, config: &Config) -> Result<()> {
    for (cmd, reply) in commands.iter().zip(replies) {
        if let Value::Error(server) = reply.without_attributes() {
            let err = Error::server(server).with_command(cmd.name());
            return Err(explain_handshake_error(err, cmd, config));
        }
    }
    Ok(())
}

/// Turns the server's terse handshake errors into ones that say what to change.
fn explain_handshake_error(err: Error, cmd: &Cmd, config: &Config) -> Error {
    let hint = match (err.code(), err.kind()) {
        (Some("NOPROTO"), _) => "the server does not speak RESP3; connect with protocol=2",
        (Some("ERR"), _) if cmd.is("HELLO") => {
            "the server does not know HELLO (Redis < 6); connect with protocol=2"
        }
        (_, ErrorKind::Auth) => "check the username and password",
        _ if cmd.is("SELECT") => "the database index is out of range for this server",
        _ => return err,
    };
    err.with_detail(format!("handshake with {} failed; {hint}", config.addr))
}
