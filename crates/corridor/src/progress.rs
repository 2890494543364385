//! Progress bars for long work, drawn on standard error only when it is a terminal.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over a number of bytes.
pub fn bytes(total: u64, what: &'static str) -> ProgressBar {
    styled(
        total,
        what,
        "{msg:>20} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
}

/// A bar over a number of documents.
pub fn count(total: u64, what: &'static str) -> ProgressBar {
    styled(
        total,
        what,
        "{msg:>20} [{bar:40}] {human_pos}/{human_len} documents ({per_sec}, {eta})",
    )
}

fn styled(total: u64, what: &'static str, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(total).with_message(what);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Says each transaction's hash as it is sent, and shows a spinner while it waits to be
/// mined and confirmed (on a terminal; elsewhere, the lines alone).
pub fn transactions() -> corridor_chain::TxWatcher {
    use corridor_chain::TxEvent;
    let waiting: std::sync::Mutex<Option<ProgressBar>> = std::sync::Mutex::default();
    std::sync::Arc::new(move |event: TxEvent<'_>| {
        let mut waiting = waiting.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            TxEvent::Sent { what, hash } => {
                eprintln!("sent {what}: transaction {hash}");
                let spinner = ProgressBar::new_spinner()
                    .with_message(format!("waiting for {hash} to be mined"));
                spinner.enable_steady_tick(std::time::Duration::from_millis(120));
                *waiting = Some(spinner);
            }
            TxEvent::Mined {
                hash,
                block,
                confirmations,
                needed,
            } => {
                if let Some(spinner) = waiting.as_ref() {
                    spinner.set_message(format!(
                        "{hash} mined in block {block}: {confirmations} of {needed} confirmations"
                    ));
                }
            }
            TxEvent::Confirmed { hash, block } => {
                if let Some(spinner) = waiting.take() {
                    spinner.finish_and_clear();
                }
                eprintln!("confirmed {hash} in block {block}");
            }
        }
    })
}
