//! What Trino releases from 369 to 483 removed, renamed or made defunct,
//! each row with the release whose notes say so (`docs/src/main/sphinx/
//! release/release-NNN.md` in trinodb/trino) and a one-line fix.
//!
//! Removed and defunct properties are blockers: Trino's configuration loader
//! refuses to start a server (or load a catalog) with a property it no longer
//! uses ("Configuration property '…' was not used") or one marked defunct
//! ("Defunct property '…' cannot be configured"). Renames are warnings where
//! Trino still reads the old name as a deprecated alias, blockers where the
//! notes mark the rename as breaking. Connector removals block a catalog
//! that uses the connector.

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// One property key (in `config.properties` or a catalog file).
    Property(&'static str),
    /// Every property key that starts with this text.
    PropertyPrefix(&'static str),
    /// A catalog's `connector.name`.
    Connector(&'static str),
    /// Something every cluster crossing the release meets (the web UI,
    /// metric names): always a warning.
    Everyone(&'static str),
}

/// How an upgrade across the release meets a cluster that has the subject.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Still starts; something to change (a renamed key still read, a
    /// dashboard's metric that goes away).
    Warning,
    /// The server or the catalog would refuse to start.
    Blocker,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub release: u32,
    pub subject: Subject,
    pub severity: Severity,
    /// What the release did, in a few words.
    pub what: &'static str,
    /// The one-line fix.
    pub fix: &'static str,
}

use Severity::{Blocker, Warning};
use Subject::{Connector, Everyone, Property, PropertyPrefix};

const fn c(
    release: u32,
    subject: Subject,
    severity: Severity,
    what: &'static str,
    fix: &'static str,
) -> Change {
    Change {
        release,
        subject,
        severity,
        what,
        fix,
    }
}

/// Oldest first. Java minimums are not here: they come from
/// [`crate::check::JAVA_REQUIREMENTS`], the same table the Java check uses.
pub const CHANGES: &[Change] = &[
    // 369: "Remove distinction between system and user memory … The
    // configuration property `query.max-total-memory-per-node` is removed."
    c(369, Property("query.max-total-memory-per-node"), Blocker, "removed (user and system memory merged)",
      "delete it; size query.max-memory-per-node instead"),
    // 369: "Remove unnecessary spilling configuration properties
    // `spill-order-by` and `spill-window-operator`."
    c(369, Property("spill-order-by"), Blocker, "removed", "delete it"),
    c(369, Property("spill-window-operator"), Blocker, "removed", "delete it"),
    // 390: "Remove support for the `cassandra.load-policy.use-token-aware`,
    // `cassandra.load-policy.shuffle-replicas` and
    // `cassandra.load-policy.allowed-addresses` configuration properties."
    c(390, Property("cassandra.load-policy.use-token-aware"), Blocker, "removed", "delete it from the Cassandra catalog"),
    c(390, Property("cassandra.load-policy.shuffle-replicas"), Blocker, "removed", "delete it from the Cassandra catalog"),
    c(390, Property("cassandra.load-policy.allowed-addresses"), Blocker, "removed", "delete it from the Cassandra catalog"),
    // 432: "Remove support for late materialization, including the
    // `experimental.late-materialization.enabled` and
    // `experimental.work-processor-pipelines` configuration properties."
    c(432, Property("experimental.late-materialization.enabled"), Blocker, "removed (late materialization)", "delete it"),
    c(432, Property("experimental.work-processor-pipelines"), Blocker, "removed (late materialization)", "delete it"),
    // 437: "Replace the `exchange.compression-enabled` configuration property
    // … with `exchange.compression-codec`" (still read as a legacy name).
    c(437, Property("exchange.compression-enabled"), Warning, "replaced by exchange.compression-codec (the old name is still read)",
      "use exchange.compression-codec=LZ4 (or NONE)"),
    // 437: "Replace the `spill-compression-enabled` configuration property
    // with `spill-compression-codec`" and "Remove the deprecated
    // `experimental.spill-compression-enabled` configuration property."
    c(437, Property("spill-compression-enabled"), Blocker, "replaced by spill-compression-codec", "use spill-compression-codec"),
    c(437, Property("experimental.spill-compression-enabled"), Blocker, "removed", "use spill-compression-codec"),
    // 444: "Remove support for split size configuration with the catalog
    // properties `delta.max-initial-splits` and `delta.max-initial-split-size`."
    c(444, Property("delta.max-initial-splits"), Blocker, "removed", "delete it from the Delta Lake catalog"),
    c(444, Property("delta.max-initial-split-size"), Blocker, "removed", "delete it from the Delta Lake catalog"),
    // 450: "… replace the `optimizer.mark-distinct-strategy` and
    // `optimizer.optimize-mixed-distinct-aggregations` configuration
    // properties with the new `optimizer.distinct-aggregations-strategy`."
    c(450, Property("optimizer.mark-distinct-strategy"), Blocker, "replaced by optimizer.distinct-aggregations-strategy",
      "use optimizer.distinct-aggregations-strategy"),
    c(450, Property("optimizer.optimize-mixed-distinct-aggregations"), Blocker, "replaced by optimizer.distinct-aggregations-strategy",
      "use optimizer.distinct-aggregations-strategy"),
    // 464: "Rename the
    // `fault-tolerant-execution-eager-speculative-tasks-node_memory-overcommit`
    // configuration property to
    // `fault-tolerant-execution-eager-speculative-tasks-node-memory-overcommit`."
    c(464, Property("fault-tolerant-execution-eager-speculative-tasks-node_memory-overcommit"), Warning, "renamed",
      "rename it to fault-tolerant-execution-eager-speculative-tasks-node-memory-overcommit"),
    // 464: "Rename `iceberg.expire_snapshots.min-retention` to
    // `iceberg.expire-snapshots.min-retention`" (and the orphan-files one).
    c(464, Property("iceberg.expire_snapshots.min-retention"), Warning, "renamed", "rename it to iceberg.expire-snapshots.min-retention"),
    c(464, Property("iceberg.remove_orphan_files.min-retention"), Warning, "renamed", "rename it to iceberg.remove-orphan-files.min-retention"),
    // 464: "Remove the Accumulo connector."
    c(464, Connector("accumulo"), Blocker, "connector removed", "drop the catalog or stay below 464"),
    // 466: "Rename `sqlserver.experimental.stored-procedure-table-function-enabled`
    // to `sqlserver.stored-procedure-table-function-enabled`."
    c(466, Property("sqlserver.experimental.stored-procedure-table-function-enabled"), Warning, "renamed",
      "rename it to sqlserver.stored-procedure-table-function-enabled"),
    // 470: "Remove support for the `optimize_hash_generation` session property
    // and the `optimizer.optimize-hash-generation` configuration option."
    c(470, Property("optimizer.optimize-hash-generation"), Blocker, "removed", "delete it"),
    // 470: "Remove the Kinesis connector."
    c(470, Connector("kinesis"), Blocker, "connector removed", "drop the catalog or stay below 470"),
    // 472: "Rename HTTP client property prefixes from `workerInfo` and
    // `memoryManager` to `worker-info` and `memory-manager`."
    c(472, PropertyPrefix("workerInfo."), Blocker, "prefix renamed to worker-info.", "rename the prefix to worker-info."),
    c(472, PropertyPrefix("memoryManager."), Blocker, "prefix renamed to memory-manager.", "rename the prefix to memory-manager."),
    // 476: "`kafka-event-listener.client-config-overrides` is removed …
    // set `kafka-event-listener.config.resources`."
    c(476, Property("kafka-event-listener.client-config-overrides"), Blocker, "removed",
      "move the overrides to a file named by kafka-event-listener.config.resources"),
    // 477: "Rename `s3.socket-read-timeout` config property to `s3.socket-timeout`."
    c(477, Property("s3.socket-read-timeout"), Warning, "renamed", "rename it to s3.socket-timeout"),
    // 477: the node manager's MBean moved from
    // `trino.metadata:name=DiscoveryNodeManager` to
    // `trino.node:name=CoordinatorNodeManager` (its node counts with it).
    c(477, Everyone("metrics"), Warning, "the node counts' MBean moved from DiscoveryNodeManager to CoordinatorNodeManager",
      "point dashboards and alerts that read DiscoveryNodeManager series at CoordinatorNodeManager"),
    // 479: "The configuration property `task.statistics-cpu-timer-enabled`
    // is now defunct and must be removed."
    c(479, Property("task.statistics-cpu-timer-enabled"), Blocker, "defunct", "delete it"),
    // 480: "Remove the `gcs.use-access-token` configuration property."
    c(480, Property("gcs.use-access-token"), Blocker, "removed", "use gcs.auth-type"),
    // 480: "Remove `enable-large-dynamic-filters` configuration property …"
    c(480, Property("enable-large-dynamic-filters"), Blocker, "removed", "delete it"),
    // 480: "Remove the `dynamic-filtering.small*` and
    // `dynamic-filtering.large-broadcast*` configuration properties."
    c(480, PropertyPrefix("dynamic-filtering.small"), Blocker, "removed", "delete it"),
    c(480, PropertyPrefix("dynamic-filtering.large-broadcast"), Blocker, "removed", "delete it"),
    // 480: "Remove `deprecated.http-server.authentication.oauth2.groups-field`
    // configuration property."
    c(480, Property("deprecated.http-server.authentication.oauth2.groups-field"), Blocker, "removed",
      "use http-server.authentication.oauth2.groups-field"),
    // 480: "Remove the `hive.write-validation-threads`,
    // `parquet.optimized-writer.validation-percentage`,
    // `hive.parquet.writer.block-size`, `hive.parquet.writer.page-size` …
    // configuration property, use `parquet.writer.validation-percentage` /
    // `parquet.writer.block-size` / `parquet.writer.page-size`, instead."
    c(480, Property("hive.write-validation-threads"), Blocker, "removed", "delete it"),
    c(480, Property("parquet.optimized-writer.validation-percentage"), Blocker, "removed", "use parquet.writer.validation-percentage"),
    c(480, Property("hive.parquet.writer.block-size"), Blocker, "removed", "use parquet.writer.block-size"),
    c(480, Property("hive.parquet.writer.page-size"), Blocker, "removed", "use parquet.writer.page-size"),
    c(480, Property("hive.fs.new-file-inherit-ownership"), Blocker, "removed", "delete it"),
    // 480: "Remove support for the `iceberg.extended-statistics.enabled`
    // configuration option and `extended_statistics_enabled` session property."
    c(480, Property("iceberg.extended-statistics.enabled"), Blocker, "removed", "delete it"),
    // 481: "Remove legacy object storage support for Azure Storage, Google
    // Cloud Storage, IBM Cloud Object Storage, S3, and S3-compatible systems."
    // (The legacy S3 file system was configured with `hive.s3.*`.)
    c(481, PropertyPrefix("hive.s3."), Blocker, "the legacy S3 file system was removed",
      "move to the native S3 file system: s3.* properties with fs.native-s3.enabled=true"),
    // 482: "Remove the `hive.max-initial-splits` and
    // `hive.max-initial-split-size` configuration properties."
    c(482, Property("hive.max-initial-splits"), Blocker, "removed", "delete it"),
    c(482, Property("hive.max-initial-split-size"), Blocker, "removed", "delete it"),
    // 483: "Remove the `s3.use-web-identity-token-credentials-provider`
    // configuration property. Use `s3.auth-type=WEB_IDENTITY` instead."
    c(483, Property("s3.use-web-identity-token-credentials-provider"), Blocker, "removed", "use s3.auth-type=WEB_IDENTITY"),
    // 483: "Make the redesigned Web UI, previously served at `/ui/preview`,
    // the default at `/ui`, and move the previous Web UI to `/ui/legacy`. The
    // previous Web UI is deactivated by default and can be restored by
    // setting `web-ui.legacy.enabled` to `true`."
    c(483, Everyone("web UI"), Warning, "the redesigned web UI is the default at /ui; the previous one moved to /ui/legacy and is off",
      "update bookmarks and UI logins (the new UI logs in at /ui/auth/login); set web-ui.legacy.enabled=true to keep the old UI"),
];
