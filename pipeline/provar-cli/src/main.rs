//! The `provar` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 a check failed, 2 usage or input error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A write past a file-size limit (`ulimit -f`, a quota) then fails with EFBIG, which is
    // reported like any other I/O error (exit 2, temporary files removed), instead of the
    // default SIGXFSZ that kills the process on the spot.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = provar_cli::Cli::parse();
    match provar_cli::run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            provar_cli::report(&error);
            provar_cli::ExitStatus::from_error(&error).into()
        }
    }
}
