//! Starts the `trino-sim` binary on a random port with a scenario.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Sim {
    child: Child,
    pub base: String,
    /// The test CA's PEM file, for an HTTPS simulator.
    pub ca: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Over plain HTTP without passwords.
pub fn start(scenario: &Path) -> Sim {
    start_inner(scenario, tempfile::tempdir().unwrap(), true)
}

/// As the scenario says: HTTPS with a test CA and passwords.
pub fn start_secure(scenario: &Path) -> Sim {
    start_inner(scenario, tempfile::tempdir().unwrap(), false)
}

/// The healthy scenario with extra top-level lines prepended (e.g. a
/// fault), over plain HTTP without passwords.
pub fn start_with(prefix: &str) -> Sim {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    let base = std::fs::read_to_string(scenario_path("healthy.toml")).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "{prefix}\n{base}").unwrap();
    start_inner(&path, dir, true)
}

fn start_inner(scenario: &Path, dir: tempfile::TempDir, plain: bool) -> Sim {
    let ca = dir.path().join("ca.pem");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trino-sim"));
    cmd.arg("--scenario").arg(scenario).arg("--ca-out").arg(&ca);
    if plain {
        cmd.arg("--plain");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start trino-sim");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = match lines.next() {
        Some(Ok(l)) => l
            .strip_prefix("trino-sim listening on ")
            .expect("listening line")
            .to_string(),
        other => panic!("trino-sim did not start: {other:?}"),
    };
    std::thread::spawn(move || for _ in lines {});
    Sim {
        child,
        base,
        ca: ca.exists().then_some(ca),
        _dir: dir,
    }
}
