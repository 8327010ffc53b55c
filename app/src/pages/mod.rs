//! One module per route.

pub mod cluster;
pub mod cluster_config;
pub mod cluster_form;
pub mod day2;
pub mod export;
pub mod home;
pub mod login;
pub mod not_found;
pub mod report;
pub mod setup;
pub mod tokens;
pub mod users;
pub mod waivers;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The numeric `:id` of the current route (0, which matches nothing, when absent or not a number).
pub(crate) fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    }
}
