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
