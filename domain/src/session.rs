//! When a login session still counts: within its absolute lifetime from
//! the login (whatever the activity; the idle timeout is the cookie
//! store's), and not older than the user's "sign out everywhere" (or a
//! password change) moment.

/// A session's whole life at most, by default: a week.
pub const DEFAULT_MAX_DAYS: i64 = 7;

const DAY_MS: i64 = 86_400_000;

/// `login_at` and `now` in unix milliseconds; `valid_after` the user's
/// newest "sign out everywhere", in unix milliseconds.
pub fn session_counts(login_at: i64, now: i64, max_days: i64, valid_after: Option<i64>) -> bool {
    let young = now >= login_at && now - login_at <= max_days.max(1) * DAY_MS;
    let not_revoked = valid_after.is_none_or(|v| login_at > v);
    young && not_revoked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_after_its_lifetime_or_a_sign_out_everywhere() {
        let day = DAY_MS;
        assert!(session_counts(1000, 1000 + 7 * day, 7, None));
        assert!(
            !session_counts(1000, 1000 + 7 * day + 1, 7, None),
            "a week, not a second more"
        );
        assert!(
            !session_counts(1000, 999, 7, None),
            "a login from the future does not count"
        );
        // Signed out everywhere at 2000: sessions from before (or at) end;
        // a later login counts.
        assert!(!session_counts(1500, 3000, 7, Some(2000)));
        assert!(!session_counts(2000, 3000, 7, Some(2000)));
        assert!(session_counts(2001, 3000, 7, Some(2000)));
        // A lifetime below a day is taken as a day.
        assert!(session_counts(0, day, 0, None));
    }
}
