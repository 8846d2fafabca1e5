//! Progress display on standard error: only on a terminal, never with `-q`, never under a
//! workflow engine (whose stderr is a file or a pipe), and off with `PROVAR_PROGRESS=0`.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner with a live count, cleared when dropped.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    counter: Arc<AtomicU64>,
    updater: Option<std::thread::JoinHandle<()>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

/// Whether progress should be drawn.
fn enabled(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("PROVAR_PROGRESS").is_none_or(|v| v != "0")
}

impl Progress {
    /// Starts a spinner `stage: N unit (rate, elapsed)`; the count is read from
    /// [`counter`](Self::counter), which the stage increments.
    pub(crate) fn start(quiet: bool, stage: &str, unit: &str) -> Progress {
        let counter = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        if !enabled(quiet) {
            return Progress {
                bar: None,
                counter,
                updater: None,
                stop,
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let template = format!("{{spinner}} provar: {stage}: {{msg}} ({{elapsed}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        let (b, c, s) = (bar.clone(), Arc::clone(&counter), Arc::clone(&stop));
        let unit = unit.to_owned();
        let started = std::time::Instant::now();
        let updater = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let n = c.load(Ordering::Relaxed);
                let seconds = started.elapsed().as_secs_f64().max(1e-3);
                b.set_message(format!(
                    "{} {unit}, {}/s",
                    thousands(n),
                    thousands((n as f64 / seconds) as u64)
                ));
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Progress {
            bar: Some(bar),
            counter,
            updater: Some(updater),
            stop,
        }
    }

    /// The count the stage increments.
    pub(crate) fn counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.counter)
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(updater) = self.updater.take() {
            let _ = updater.join();
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
