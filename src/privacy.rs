//! `balade privacy …`: a person's data erased on request, and the retention purge that
//! `balade serve` also runs every hour.

use balade_app::contributions;
use balade_core::accounts::normalise_email;
use balade_core::store::Store;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum PrivacyCommand {
    /// Erase a person's data: the e-mail address they left with trail reports. Says
    /// what it erased.
    Erase { email: String },
    /// Erase the e-mail addresses of contributions older than the retention period.
    Purge {
        #[arg(long, default_value_t = 365)]
        retention_days: u32,
    },
}

pub async fn run(store: &dyn Store, command: PrivacyCommand) -> Result<ExitCode, String> {
    match command {
        PrivacyCommand::Erase { email } => {
            let email = normalise_email(&email)
                .map_err(|_| format!("`{email}` is not an e-mail address"))?;
            let erased = contributions::erase_email(store, &email)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{email}: erased from {erased} contribution(s) (trail reports' contact address)"
            );
            if store
                .account_by_email(&email)
                .await
                .map_err(|e| e.to_string())?
                .is_some()
            {
                println!(
                    "{email} is also a staff account, kept: `balade user disable {email}` closes it \
                     (the audit log keeps the address as the author of its changes)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        PrivacyCommand::Purge { retention_days } => {
            let (emails, keys) = contributions::purge(store, retention_days)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "erased {emails} e-mail address(es) older than {retention_days} days; \
                 forgot {keys} old request key(s)"
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
