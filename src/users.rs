//! `balade user …`: staff accounts from the command line (the first admin is made here).

use balade_app::staff;
use balade_core::accounts::{Role, parse_territory, territory_to_text};
use balade_core::store::Store;
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is asked twice on the terminal, or read from
    /// the first line of standard input with --password-stdin.
    Add {
        email: String,
        /// admin (accounts and everything), editor (imports and edits within a
        /// territory) or moderator (public contributions).
        #[arg(long)]
        role: Role,
        /// INSEE commune and SIREN intercommunality codes, comma-separated (editors).
        #[arg(long, default_value = "")]
        territory: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; every session of the account ends.
    Passwd {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Disable an account: it can no longer log in, and its sessions end.
    Disable { email: String },
}

/// A password from standard input's first line, or asked twice on the terminal.
fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err("no terminal to ask the password on: give --password-stdin".into());
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let again = rpassword::prompt_password("Password again: ").map_err(|e| e.to_string())?;
    if first != again {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

pub async fn run(store: &dyn Store, command: UserCommand) -> Result<ExitCode, String> {
    let refused = |e: balade_app::AppError| -> Result<ExitCode, String> {
        match e {
            balade_app::AppError::Invalid(m) | balade_app::AppError::NotFound(m) => {
                eprintln!("refused: {m}");
                Ok(ExitCode::from(2))
            }
            other => Err(other.to_string()),
        }
    };
    match command {
        UserCommand::Add {
            email,
            role,
            territory,
            password_stdin,
        } => {
            let territory = match parse_territory(&territory) {
                Ok(t) => t,
                Err(e) => return refused(e.into()),
            };
            let password = read_password(password_stdin)?;
            match staff::add_user(store, &email, role, territory, &password).await {
                Ok(a) => {
                    println!(
                        "account {} added: {}",
                        a.email,
                        describe(a.role, &a.territory)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        UserCommand::Passwd {
            email,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            match staff::set_password(store, &email, &password).await {
                Ok(()) => {
                    println!("password of {} changed; its sessions ended", email.trim());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        UserCommand::List => {
            let accounts = staff::list(store).await.map_err(|e| e.to_string())?;
            if accounts.is_empty() {
                println!("no account yet: `balade user add EMAIL --role admin` makes the first");
            }
            for a in accounts {
                println!(
                    "{}\t{}\t{}\t{}",
                    a.email,
                    a.role,
                    territory_to_text(&a.territory),
                    if a.disabled { "disabled" } else { "active" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable { email } => match staff::disable(store, &email).await {
            Ok(()) => {
                println!("account {} disabled; its sessions ended", email.trim());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refused(e),
        },
    }
}

fn describe(role: Role, territory: &[balade_core::accounts::TerritoryCode]) -> String {
    if territory.is_empty() {
        role.to_string()
    } else {
        format!("{role} of {}", territory_to_text(territory))
    }
}
