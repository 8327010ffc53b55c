//! `shipshape runbook check`, `runbook import` and `runbook diff`.

use super::{config, CliError, Global};
use shipshape_backend::state::load_runbook;
use std::path::PathBuf;

/// `runbook check [FILE]`.
pub(super) fn check(global: &Global, file: Option<PathBuf>) -> Result<(), CliError> {
    let mut config = config(global, None)?;
    if file.is_some() {
        config.runbook = file;
    }
    let rb = load_runbook(&config).map_err(|e| CliError::Message(e.to_string()))?;
    let recurring = rb.items().filter(|(_, i)| i.is_recurring()).count();
    println!(
        "runbook {} ok: {} sections, {} items ({} checklist, {} recurring)",
        rb.id,
        rb.sections.len(),
        rb.item_count(),
        rb.item_count() - recurring,
        recurring
    );
    Ok(())
}

/// `runbook import FILE [-o FILE.toml] [--base OLD.toml]`.
pub(super) fn import(
    file: PathBuf,
    output: Option<PathBuf>,
    base: Option<PathBuf>,
) -> Result<(), CliError> {
    use shipshape_domain::runbook::markdown::{import_markdown, BaseFile};
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))
    };
    let name = file.display().to_string();
    let markdown = read(&file)?;
    let base = match &base {
        Some(path) => Some((path.display().to_string(), read(path)?)),
        None => None,
    };
    let base = base.as_ref().map(|(name, text)| BaseFile { name, text });
    let imported =
        import_markdown(&name, &markdown, base).map_err(|e| CliError::Message(e.to_string()))?;
    let Some(output) = output else {
        print!("{}", imported.toml);
        return Ok(());
    };
    std::fs::write(&output, &imported.toml)
        .map_err(|e| CliError::Message(format!("cannot write {}: {e}", output.display())))?;
    let rb = &imported.runbook;
    let day2 = rb.items().filter(|(_, i)| i.is_recurring()).count();
    println!(
        "imported {name} into {}: runbook {}, {} sections, {} items ({} checklist, {} day-2 tasks)",
        output.display(),
        rb.id,
        rb.sections.len(),
        rb.item_count(),
        rb.item_count() - day2,
        day2
    );
    Ok(())
}

/// `runbook diff OLD.toml NEW.toml`.
pub(super) fn diff(old: PathBuf, new: PathBuf) -> Result<(), CliError> {
    use shipshape_domain::runbook::{diff_runbooks, parse_runbook};
    let load = |path: &PathBuf| {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Message(format!("cannot read runbook {name}: {e}")))?;
        parse_runbook(&name, &text).map_err(|e| CliError::Message(e.to_string()))
    };
    let (old_rb, new_rb) = (load(&old)?, load(&new)?);
    let diff = diff_runbooks(&old_rb, &new_rb);
    print!("{diff}");
    if diff.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} and {} differ: {}",
            old.display(),
            new.display(),
            diff.summary()
        )))
    }
}
