//! Stopping like a Trino worker. On the first `SIGTERM` (or `SIGINT`):
//!
//! 1. `/readyz` answers 503 at once and the server keeps serving for
//!    `shutdown_drain_secs`, so load balancers notice and stop sending;
//! 2. then it stops accepting connections and lets in-flight requests finish
//!    and answer, while the scheduled jobs stop at a safe point; once they
//!    have, the leader lock is given up (another replica takes over at its
//!    next try); then the database pool closes;
//! 3. all of that within `shutdown_grace_secs`, or the process exits anyway.
//!
//! A second `SIGTERM` or `SIGINT`, at any point, exits at once.

use shipshape_backend::AppState;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What runs until the shutdown: the HTTP server, the scheduled jobs and
/// the leader campaign.
pub struct Running {
    pub server: JoinHandle<std::io::Result<()>>,
    /// Cancelled to make the HTTP server stop accepting and finish.
    pub stop_accepting: CancellationToken,
    pub jobs: Vec<JoinHandle<()>>,
    pub campaign: JoinHandle<()>,
}

/// `SIGTERM` and `SIGINT`, as one stream of requests to stop.
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Listens from now on (the default action, ending the process, no
    /// longer applies).
    pub fn listen() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next signal's name.
    pub async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => "SIGTERM",
                _ = self.int.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

/// Serves until a signal, then drains and stops as the module says.
pub async fn run(app: &AppState, mut signals: Signals, running: Running) -> std::io::Result<()> {
    let Running {
        mut server,
        stop_accepting,
        jobs,
        campaign,
    } = running;
    let drain = Duration::from_secs(app.config.shutdown_drain_secs);
    let grace = Duration::from_secs(app.config.shutdown_grace_secs);

    let signal = tokio::select! {
        s = signals.next() => s,
        served = &mut server => return joined(served),
    };
    app.lifecycle.begin_draining();
    tracing::info!(
        signal,
        drain_secs = drain.as_secs(),
        grace_secs = grace.as_secs(),
        "draining: /readyz answers 503 while the server keeps serving; a second signal exits at once"
    );
    tokio::select! {
        _ = tokio::time::sleep(drain) => {}
        s = signals.next() => exit_now(s),
        served = &mut server => return joined(served),
    }

    tracing::info!(
        "no longer accepting connections: finishing in-flight requests and stopping scheduled work"
    );
    stop_accepting.cancel();
    app.lifecycle.stop_jobs();
    let jobs_then_leader = async {
        for job in jobs {
            let _ = job.await;
        }
        app.lifecycle.release_leader();
        let _ = campaign.await;
    };
    let finish = async {
        let (served, ()) = tokio::join!(server, jobs_then_leader);
        app.db.close().await;
        joined(served)
    };
    tokio::select! {
        done = finish => {
            tracing::info!("stopped");
            done
        }
        _ = tokio::time::sleep(grace) => {
            tracing::error!(
                grace_secs = grace.as_secs(),
                "requests or scheduled work still running after shutdown_grace_secs: exiting anyway"
            );
            std::process::exit(1)
        }
        s = signals.next() => exit_now(s),
    }
}

/// The HTTP server task's result.
fn joined(r: Result<std::io::Result<()>, tokio::task::JoinError>) -> std::io::Result<()> {
    r.map_err(std::io::Error::other)?
}

/// A second signal: no more waiting.
fn exit_now(signal: &str) -> ! {
    tracing::warn!(signal, "second signal: exiting at once");
    std::process::exit(if signal == "SIGINT" { 130 } else { 143 })
}
