//! Telling a walker that their trail report was handled, at the address they left: the
//! message is written here and given to the installation's mail command on its
//! standard input (`sendmail -t` reads the recipient from the `To:` header), so that
//! Balade needs no mail server of its own.

use balade_core::contributions::{Contribution, Status, rfc3339};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long the mail command may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The French label of a report's category.
fn category_label(category: &str) -> &'static str {
    match category {
        "fallen_tree" => "arbre tombé",
        "signage" => "balisage absent ou erroné",
        "path_damage" => "chemin érodé ou abîmé",
        "flooding" => "inondation",
        "danger" => "danger",
        "litter" => "déchets",
        _ => "autre problème",
    }
}

/// The message telling the author of `report` that it moved to its status, or `None`
/// when there is nobody to tell or nothing final to say.
pub fn message(report: &Contribution, circuit_name: Option<&str>) -> Option<String> {
    let to = report.email.as_deref()?;
    let outcome = match report.status {
        Status::Resolved => "a été traité : le problème est résolu",
        Status::Rejected => "a été examiné et n’a pas été retenu",
        _ => return None,
    };
    let date = rfc3339(report.created_at);
    let place = circuit_name
        .map(|n| format!(" sur le circuit « {n} »"))
        .unwrap_or_default();
    Some(format!(
        "To: {to}\r\nSubject: Votre signalement sur Balade\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Bonjour,\r\n\r\nLe problème que vous avez signalé le {day}{place} ({category}) {outcome}.\r\n\r\n\
         Merci de votre aide.\r\n",
        day = &date[..10],
        category = category_label(report.category.as_deref().unwrap_or_default()),
    ))
}

/// Runs `command` (through `sh -c`) with `message` on its standard input; the error
/// says why it failed.
pub async fn send(command: &str, message: &str) -> Result<(), String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run the mail command: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("the mail command has no input")?;
    let run = async {
        stdin
            .write_all(message.as_bytes())
            .await
            .map_err(|e| format!("writing to the mail command: {e}"))?;
        drop(stdin);
        child
            .wait_with_output()
            .await
            .map_err(|e| format!("the mail command: {e}"))
    };
    let out = tokio::time::timeout(TIMEOUT, run)
        .await
        .map_err(|_| format!("the mail command took over {} s", TIMEOUT.as_secs()))??;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the mail command failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::contributions::Kind;

    #[test]
    fn a_message_only_for_a_final_status_and_an_address() {
        let mut r = Contribution::new("p1".into(), Kind::Report, 1_796_432_645);
        r.category = Some("fallen_tree".into());
        r.status = Status::Resolved;
        assert_eq!(message(&r, None), None, "no address");
        r.email = Some("marche@exemple.fr".into());
        let m = message(&r, Some("Boucle")).expect("message");
        assert!(m.starts_with("To: marche@exemple.fr\r\n"), "{m}");
        assert!(
            m.contains("le 2026-12-05 sur le circuit « Boucle » (arbre tombé) a été traité"),
            "{m}"
        );
        r.status = Status::InProgress;
        assert_eq!(message(&r, None), None, "not handled yet");
    }
}
