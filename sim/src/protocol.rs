//! The JSON documents of Trino's client protocol (`QueryResults`), built the
//! way a real coordinator builds them: `id`, `infoUri` and `stats` on every
//! page, `columns` with type signatures before or with the first data, and
//! `error` with `errorType` on failure.

use crate::scenario::{ColumnSpec, ErrorSpec};
use serde_json::{json, Value};

pub fn stats(state: &str, rows: usize) -> Value {
    json!({
        "state": state,
        "queued": state == "QUEUED",
        "scheduled": state != "QUEUED",
        "nodes": 1,
        "totalSplits": 1,
        "queuedSplits": 0,
        "runningSplits": 0,
        "completedSplits": if state == "FINISHED" { 1 } else { 0 },
        "cpuTimeMillis": 1,
        "wallTimeMillis": 1,
        "queuedTimeMillis": 0,
        "elapsedTimeMillis": 2,
        "processedRows": rows,
        "processedBytes": 0,
        "physicalInputBytes": 0,
        "peakMemoryBytes": 0,
        "spilledBytes": 0
    })
}

/// One page of results. `next` is the next page's URI, if any.
pub fn page(
    id: &str,
    base: &str,
    state: &str,
    next: Option<String>,
    columns: Option<&[ColumnSpec]>,
    data: Option<Vec<Value>>,
    rows_so_far: usize,
) -> Value {
    let mut v = json!({
        "id": id,
        "infoUri": format!("{base}/ui/query.html?{id}"),
        "stats": stats(state, rows_so_far),
        "warnings": [],
    });
    if let Some(next) = next {
        v["nextUri"] = Value::String(next);
    }
    if let Some(cols) = columns {
        v["columns"] = Value::Array(cols.iter().map(column).collect());
    }
    if let Some(data) = data {
        v["data"] = Value::Array(data);
    }
    v
}

pub fn failed(id: &str, base: &str, e: &ErrorSpec) -> Value {
    let failure_type = if e.name == "PERMISSION_DENIED" {
        "io.trino.spi.security.AccessDeniedException"
    } else {
        "io.trino.spi.TrinoException"
    };
    let mut v = page(id, base, "FAILED", None, None, None, 0);
    v["error"] = json!({
        "message": e.message,
        "errorCode": e.code,
        "errorName": e.name,
        "errorType": e.error_type,
        "failureInfo": { "type": failure_type, "message": e.message, "suppressed": [], "stack": [] }
    });
    v
}

fn column(c: &ColumnSpec) -> Value {
    let arguments = match c.type_name.as_str() {
        "varchar" => json!([{ "kind": "LONG", "value": 2147483647i64 }]),
        _ => json!([]),
    };
    json!({
        "name": c.name,
        "type": c.type_name,
        "typeSignature": { "rawType": c.type_name, "arguments": arguments }
    })
}

pub fn to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// OpenMetrics text, as Trino's `/metrics` serves it.
pub fn metrics_text(metrics: &std::collections::BTreeMap<String, f64>) -> String {
    let mut out = String::new();
    for (name, value) in metrics {
        out.push_str(&format!("# TYPE {name} gauge\n{name} {value:?}\n"));
    }
    out.push_str("# EOF\n");
    out
}

/// `user:password` from the base64 part of a basic `Authorization` header.
pub fn decode_basic(encoded: &str) -> Option<(String, String)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}
