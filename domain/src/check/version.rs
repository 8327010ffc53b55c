//! The Trino release table and the verdict on how far behind a cluster is.
//!
//! The table shipped here goes stale the day a release ships, so the newest
//! known release is the newest of three sources: the shipped table, releases
//! added in the server's config file, and the newest version seen running on
//! any registered cluster (dated by the day Shipshape first saw it, when no
//! table knows its date). A cluster far behind its siblings is lagging
//! whatever the table says. Every verdict names where its newest release
//! came from.

use super::*;
use chrono::NaiveDate;

/// Trino releases and their dates (from trino-facts.md); ages are computed
/// from dates because the release pace varies.
pub const TRINO_RELEASES: &[(u32, &str)] = &[
    (436, "2024-01-11"),
    (451, "2024-06-27"),
    (460, "2024-10-03"),
    (468, "2024-12-17"),
    (470, "2025-02-05"),
    (476, "2025-06-05"),
    (477, "2025-09-24"),
    (478, "2025-10-29"),
    (479, "2025-12-14"),
    // Release 480's notes (release-480.md) were still a draft where 481-483's
    // were read; its date is the one its published page carries.
    (480, "2026-03-24"),
    (481, "2026-05-11"),
    (482, "2026-06-25"),
    (483, "2026-07-17"),
];

/// Where a known release's date comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReleaseSource {
    /// The table shipped with Shipshape.
    Shipped,
    /// A `[[trino_release]]` entry in the server's config file.
    Config,
    /// Seen running on a registered cluster; dated by the day Shipshape
    /// first saw it.
    Fleet { cluster: String },
}

impl ReleaseSource {
    pub fn describe(&self) -> String {
        match self {
            ReleaseSource::Shipped => "the shipped release table".into(),
            ReleaseSource::Config => "the config file's release table".into(),
            ReleaseSource::Fleet { cluster } => format!("running on cluster '{cluster}'"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownRelease {
    pub version: u32,
    pub date: NaiveDate,
    pub source: ReleaseSource,
}

/// The known releases, oldest first, one entry per version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Releases {
    list: Vec<KnownRelease>,
}

/// `479`, `479-e.1`, `479.2` → 479.
pub fn trino_release_number(version: &str) -> Option<u32> {
    version.trim().split(['-', '.']).next()?.parse().ok()
}

impl Releases {
    /// The shipped table alone.
    pub fn shipped() -> Self {
        let list = TRINO_RELEASES
            .iter()
            .filter_map(|(v, d)| {
                Some(KnownRelease {
                    version: *v,
                    date: NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
                    source: ReleaseSource::Shipped,
                })
            })
            .collect();
        Releases { list }
    }

    /// Adds releases from the config file; they win over the shipped table
    /// for the same version (a corrected date).
    pub fn with_config(mut self, extra: &[(u32, NaiveDate)]) -> Self {
        for (version, date) in extra {
            self.list.retain(|r| r.version != *version);
            self.list.push(KnownRelease {
                version: *version,
                date: *date,
                source: ReleaseSource::Config,
            });
        }
        self.list.sort_by_key(|r| r.version);
        self
    }

    /// Adds the newest version seen running in the fleet, if no table knows
    /// it and it is newer than every known release.
    pub fn with_fleet(mut self, version: u32, first_seen: NaiveDate, cluster: &str) -> Self {
        if self.newest().is_none_or(|n| version > n.version) {
            self.list.push(KnownRelease {
                version,
                date: first_seen,
                source: ReleaseSource::Fleet {
                    cluster: cluster.to_string(),
                },
            });
        }
        self
    }

    pub fn newest(&self) -> Option<&KnownRelease> {
        self.list.last()
    }

    pub fn get(&self, version: u32) -> Option<&KnownRelease> {
        self.list.iter().find(|r| r.version == version)
    }

    /// The newest known release at or before `version`.
    fn at_or_before(&self, version: u32) -> Option<&KnownRelease> {
        self.list.iter().rev().find(|r| r.version <= version)
    }
}

/// The running version's release date against the newest known release:
/// fail when more than `max_age_days` older; warn when the version is not in
/// the table (its age is then estimated from the nearest older release).
pub fn judge_version(version: &str, max_age_days: i64, releases: &Releases) -> Verdict {
    let Some(n) = trino_release_number(version) else {
        return Verdict::new(
            CheckStatus::Error,
            format!("cannot read the version '{version}'"),
            version,
        );
    };
    let Some(newest) = releases.newest() else {
        return Verdict::error("no release table");
    };
    let from = format!(
        "newest known release {} ({}, {})",
        newest.version,
        newest.date,
        newest.source.describe()
    );
    let known = releases.get(n);
    let Some(base) = known.or_else(|| releases.at_or_before(n)) else {
        let oldest = releases.list.first().map(|r| r.version).unwrap_or(0);
        return Verdict::new(
            CheckStatus::Fail,
            format!("Trino {n} is older than every release in the table (oldest {oldest}); {from}"),
            version,
        );
    };
    let age = (newest.date - base.date).num_days().max(0);
    let observed = format!("Trino {n}, released {}", base.date);
    if n > newest.version {
        return Verdict::new(
            CheckStatus::Pass,
            format!("newer than the {from}"),
            observed,
        );
    }
    if n == newest.version {
        return Verdict::new(CheckStatus::Pass, format!("runs the {from}"), observed);
    }
    if age > max_age_days {
        return Verdict::new(
            CheckStatus::Fail,
            format!("{age} days older than the {from}; limit {max_age_days}"),
            observed,
        );
    }
    if known.is_none() {
        return Verdict::new(
            CheckStatus::Warn,
            format!("not in the release table; about {age} days behind the {from}"),
            observed,
        );
    }
    Verdict::new(
        CheckStatus::Pass,
        format!("{age} days behind the {from}"),
        observed,
    )
}
