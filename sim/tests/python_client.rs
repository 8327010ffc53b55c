//! The official Python client (`trino` from PyPI, in the venv that
//! `scripts/setup.sh --test` creates) against the simulator: real rows over
//! several pages over HTTPS with basic auth (trusting the simulator's test CA),
//! PERMISSION_DENIED as a TrinoUserError, and 401 for a wrong password. This proves the
//! simulator speaks Trino's protocol, not only our client's idea of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use std::path::PathBuf;
use std::process::Command;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SHIPSHAPE_TEST_PYTHON") {
        return p.into();
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        p.exists(),
        "no Python venv at {}: run scripts/setup.sh --test (or set SHIPSHAPE_TEST_PYTHON)",
        p.display()
    );
    p
}

const SCRIPT: &str = r#"
import sys, trino
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
conn = trino.dbapi.connect(
    host=u.hostname, port=u.port, user="shipshape", http_scheme="https",
    auth=trino.auth.BasicAuthentication("shipshape", "shipshape-sim-password"),
    verify=sys.argv[2],
)
cur = conn.cursor()
cur.execute("SELECT node_id, http_uri, node_version, coordinator, state FROM system.runtime.nodes")
rows = cur.fetchall()
assert len(rows) == 4, rows
assert rows[0] == ["coordinator-1", sys.argv[1], "483", True, "active"], (rows[0], sys.argv[1])
assert [d[0] for d in cur.description] == ["node_id", "http_uri", "node_version", "coordinator", "state"]
cur.execute("SELECT count(*) FROM system.runtime.nodes WHERE NOT coordinator AND state = 'active'")
assert cur.fetchall() == [[3]]
try:
    cur.execute("SELECT * FROM hr.salaries")
    cur.fetchall()
    raise SystemExit("expected PERMISSION_DENIED")
except trino.exceptions.TrinoUserError as e:
    assert e.error_name == "PERMISSION_DENIED", e.error_name
    assert e.message.startswith("Access Denied: "), e.message
# A wrong password is refused.
bad = trino.dbapi.connect(
    host=u.hostname, port=u.port, user="shipshape", http_scheme="https",
    auth=trino.auth.BasicAuthentication("shipshape", "wrong"), verify=sys.argv[2],
)
try:
    bad.cursor().execute("SELECT 1")
    raise SystemExit("expected a refusal")
except trino.exceptions.HttpError as e:
    assert "401" in str(e), e
print("python client ok:", trino.__version__ if hasattr(trino, "__version__") else "")
"#;

#[test]
fn the_official_python_client_reads_rows_and_permission_denied_over_https() {
    let sim = support::start_secure(&support::scenario_path("healthy.toml"));
    assert!(sim.base.starts_with("https://"), "{}", sim.base);
    let out = Command::new(python())
        .arg("-c")
        .arg(SCRIPT)
        .arg(&sim.base)
        .arg(sim.ca.as_ref().expect("the test CA"))
        // requests lets these override a session's `verify` (a known quirk).
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("python client ok"), "{stdout}");
}

#[test]
fn the_python_client_refuses_a_relative_next_uri() {
    // Real Trino sends absolute URLs; the official client fails on a relative
    // one, so the simulator's fault is a real protocol violation.
    let sim = support::start_with("fault = \"relative_next_uri\"");
    let script = "import sys, trino\nfrom urllib.parse import urlparse\nu = urlparse(sys.argv[1])\ncur = trino.dbapi.connect(host=u.hostname, port=u.port, user='alice').cursor()\ncur.execute(\"SHOW SESSION LIKE 'spill_enabled'\")\ncur.fetchall()\n";
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&sim.base)
        .output()
        .expect("run python");
    assert!(
        !out.status.success(),
        "a relative nextUri must fail the official client"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError") && !stderr.contains("SyntaxError"),
        "failed for another reason:\n{stderr}"
    );
}

const NEW_SCENARIOS_SCRIPT: &str = r#"
import sys, trino
from urllib.parse import urlparse
which, url, ca = sys.argv[1], sys.argv[2], sys.argv[3]
u = urlparse(url)
cur = trino.dbapi.connect(
    host=u.hostname, port=u.port, user="shipshape", http_scheme="https",
    auth=trino.auth.BasicAuthentication("shipshape", "shipshape-sim-password"),
    verify=ca,
).cursor()
if which == "draining":
    # The nodes table says draining / drained in lowercase.
    cur.execute("SELECT node_id, http_uri, node_version, coordinator, state FROM system.runtime.nodes")
    states = {r[0]: r[4] for r in cur.fetchall()}
    assert states == {"coordinator-1": "active", "worker-1": "active", "worker-2": "draining", "worker-3": "drained"}, states
    cur.execute("SHOW CATALOGS")
    assert [r[0] for r in cur.fetchall()] == ["hive", "iceberg", "jmx", "system"]
elif which == "java-lag":
    cur.execute('SELECT node, specversion FROM jmx.current."java.lang:type=runtime"')
    assert {r[1] for r in cur.fetchall()} == {"24"}
    cur.execute("SHOW CATALOGS")
    assert [r[0] for r in cur.fetchall()] == ["hive", "jmx", "system"]
else:
    # Statements still answer from the base scenario.
    cur.execute("SHOW SESSION LIKE 'spill_enabled'")
    assert cur.fetchall()[0][1] == "true"
print("python client ok on", which)
"#;

#[test]
fn the_python_client_reads_the_draining_java_lag_and_renamed_metrics_scenarios() {
    for which in ["draining", "java-lag", "renamed-metrics"] {
        let sim = support::start_secure(&support::scenario_path(&format!("{which}.toml")));
        let out = Command::new(python())
            .arg("-c")
            .arg(NEW_SCENARIOS_SCRIPT)
            .arg(which)
            .arg(&sim.base)
            .arg(sim.ca.as_ref().expect("the test CA"))
            .env_remove("REQUESTS_CA_BUNDLE")
            .env_remove("CURL_CA_BUNDLE")
            .output()
            .expect("run python");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stdout.contains(&format!("python client ok on {which}")),
            "{which}:\n{stdout}\n{stderr}"
        );
    }
}
