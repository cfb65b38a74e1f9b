//! `cargo xtask …`: see `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer commands for the GitHub Packages binding"
)]
struct Cli {
    /// Workspace to work on (defaults to the one this xtask belongs to).
    #[arg(long, global = true, hide = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate generated/ from spec/.
    Codegen {
        /// Write nothing; fail with a diff when generated/ is stale.
        #[arg(long)]
        check: bool,
    },
    /// Manage the vendored description in spec/.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Cut the packages fragment out of GitHub's full description into spec/.
    Import {
        /// GitHub's full description, e.g. a checkout's
        /// descriptions/api.github.com/api.github.com.2022-11-28.json.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
}

fn main() -> ExitCode {
    // Errors are reported as one line below; a library panic must not add a
    // backtrace to that (codegen already turns progenitor's panics into errors).
    std::panic::set_hook(Box::new(|_| {}));

    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(xtask::workspace_root);
    let result = match cli.command {
        Command::Codegen { check } => xtask::codegen(&root, check),
        Command::Spec {
            command: SpecCommand::Import { from },
        } => xtask::import_spec(&root, &from),
    };
    match result {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            print!("{}", failure.details);
            eprintln!("error: {}", failure.message);
            ExitCode::FAILURE
        }
    }
}
