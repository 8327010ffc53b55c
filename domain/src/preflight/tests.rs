use super::*;

fn at(file: &str, line: usize) -> Place {
    Place {
        file: file.into(),
        line,
    }
}

fn cluster(release: u32, java: u32, properties: &[(&str, usize)]) -> ClusterSide {
    ClusterSide {
        release: Some(release),
        java: Some(java),
        properties: properties
            .iter()
            .map(|(k, line)| (k.to_string(), at("etc/config.properties", *line)))
            .collect(),
        connectors: Vec::new(),
        has_config: true,
    }
}

#[test]
fn a_removed_property_blocks_with_its_file_line_release_and_fix() {
    let c = cluster(
        368,
        25,
        &[
            ("query.max-total-memory-per-node", 7),
            ("query.max-memory", 6),
        ],
    );
    let p = preflight(&c, 483).unwrap();
    assert!(!p.ready());
    let b: Vec<_> = p.blockers().collect();
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(b[0].release, 369);
    assert_eq!(b[0].subject, "query.max-total-memory-per-node");
    assert_eq!(b[0].at, Some(at("etc/config.properties", 7)));
    assert!(b[0].fix.contains("query.max-memory-per-node"));
}

#[test]
fn only_the_releases_crossed_count() {
    // Removed in 369: a cluster on 400 cannot have it running, and going
    // from 400 to 470 does not cross 369.
    let c = cluster(400, 25, &[("query.max-total-memory-per-node", 1)]);
    assert!(preflight(&c, 470).unwrap().ready());
    // Removed in 480: crossed going to 480, not going to 479.
    let c = cluster(470, 25, &[("enable-large-dynamic-filters", 3)]);
    assert!(preflight(&c, 479).unwrap().ready());
    let p = preflight(&c, 480).unwrap();
    assert_eq!(p.blockers().count(), 1);
}

#[test]
fn prefixes_and_connectors_match_every_key_they_cover() {
    let mut c = cluster(
        470,
        25,
        &[
            ("hive.s3.aws-access-key", 4),
            ("hive.s3.endpoint", 5),
            ("s3.region", 6),
        ],
    );
    c.connectors = vec![("Kinesis".into(), at("etc/catalog/stream.properties", 1))];
    let p = preflight(&c, 481).unwrap();
    let subjects: Vec<&str> = p.blockers().map(|f| f.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["hive.s3.aws-access-key", "hive.s3.endpoint"],
        "Kinesis went in 470, which a cluster on 470 has already crossed"
    );
    let mut older = c.clone();
    older.release = Some(469);
    let p = preflight(&older, 481).unwrap();
    assert!(p
        .blockers()
        .any(|f| f.subject == "connector Kinesis" && f.release == 470));
}

#[test]
fn renamed_keys_that_still_work_are_warnings() {
    let c = cluster(460, 25, &[("exchange.compression-enabled", 2)]);
    // 437 is behind a cluster on 460; 464's rename is ahead.
    let c2 = cluster(
        436,
        25,
        &[
            ("exchange.compression-enabled", 2),
            ("iceberg.expire_snapshots.min-retention", 9),
        ],
    );
    assert!(preflight(&c, 470)
        .unwrap()
        .findings
        .iter()
        .all(|f| f.subject != "exchange.compression-enabled"));
    let p = preflight(&c2, 470).unwrap();
    assert!(p.ready(), "{:?}", p.findings);
    let w: Vec<&str> = p.warnings().map(|f| f.subject.as_str()).collect();
    assert!(w.contains(&"exchange.compression-enabled"));
    assert!(w.contains(&"iceberg.expire_snapshots.min-retention"));
}

#[test]
fn java_too_old_for_the_target_blocks_and_unknown_java_is_said() {
    let c = cluster(476, 24, &[]);
    let p = preflight(&c, 483).unwrap();
    let java: Vec<_> = p.blockers().filter(|f| f.subject == "Java").collect();
    assert_eq!(java.len(), 1);
    assert_eq!(java[0].release, 479);
    assert!(java[0].what.contains("Java 25"), "{}", java[0].what);
    assert!(
        preflight(&c, 478).unwrap().ready(),
        "478 still runs on Java 24"
    );
    let unknown = ClusterSide { java: None, ..c };
    let p = preflight(&unknown, 483).unwrap();
    assert!(p.unknowns.iter().any(|u| u.contains("Java 25")));
}

#[test]
fn what_every_cluster_meets_is_a_warning_and_needs_no_configuration() {
    let c = ClusterSide {
        release: Some(482),
        java: Some(25),
        ..ClusterSide::default()
    };
    let p = preflight(&c, 483).unwrap();
    assert!(p.ready());
    assert_eq!(p.warnings().count(), 1);
    assert_eq!(p.findings[0].subject, "web UI");
    assert!(p.unknowns.iter().any(|u| u.contains("no configuration")));
}

#[test]
fn unknown_or_older_targets_are_refused_with_a_reason() {
    let c = cluster(480, 25, &[]);
    assert_eq!(
        preflight(&c, 484),
        Err(PreflightError::Unknown {
            to: 484,
            newest: NEWEST_COVERED
        })
    );
    assert_eq!(
        preflight(&c, 480),
        Err(PreflightError::NotNewer { from: 480, to: 480 })
    );
    let unknown_release = ClusterSide { release: None, ..c };
    let p = preflight(&unknown_release, 483).unwrap();
    assert!(p.unknowns[0].contains("every change up to Trino 483"));
}

#[test]
fn the_table_is_oldest_first_within_what_it_covers_with_a_fix_on_every_row() {
    let mut last = 0;
    for change in CHANGES {
        assert!(change.release >= last, "{change:?} out of order");
        assert!(
            (369..=NEWEST_COVERED).contains(&change.release),
            "{change:?}"
        );
        assert!(
            !change.fix.is_empty() && !change.what.is_empty(),
            "{change:?}"
        );
        last = change.release;
    }
}
