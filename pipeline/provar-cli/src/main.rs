//! The `provar` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 a check failed, 2 usage or input error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = provar_cli::Cli::parse();
    match provar_cli::run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            provar_cli::report(&error);
            provar_cli::ExitStatus::from_error(&error).into()
        }
    }
}
