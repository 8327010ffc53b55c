//! Pieces shared by the pages.

pub mod check;
pub mod field;
pub mod nav;
pub mod progress;
pub mod rich_text;
pub mod session;
pub mod status;
pub mod trend_chart;
