//! Server functions: the UI's calls into the services. Each is thin: find the
//! user and the state, call one service, map the result.

pub mod checklist;
pub mod clusters;
pub mod day2;
pub mod ledger;
pub mod report;
pub mod session;
pub mod tokens;
pub mod users;
pub mod waivers;
