//! Reading a Day-2 cadence from how a team names it in a heading:
//! `### Weekly Health Check`, `### Every week (Mondays)`, `### Once a month`.

use super::Cadence;

/// The spellings a heading may start with, in the order error messages list them.
const SPELLINGS: &[(&str, Cadence)] = &[
    ("weekly", Cadence::Weekly),
    ("every week", Cadence::Weekly),
    ("each week", Cadence::Weekly),
    ("once a week", Cadence::Weekly),
    ("week", Cadence::Weekly),
    ("monthly", Cadence::Monthly),
    ("every month", Cadence::Monthly),
    ("each month", Cadence::Monthly),
    ("once a month", Cadence::Monthly),
    ("quarterly", Cadence::Quarterly),
    ("every quarter", Cadence::Quarterly),
    ("each quarter", Cadence::Quarterly),
    ("every three months", Cadence::Quarterly),
    ("every 3 months", Cadence::Quarterly),
];

impl Cadence {
    /// The cadence a heading's text starts with, in any case, whatever words
    /// follow: `Weekly`, `Every week (Mondays)`, `once a month`, `Every 3
    /// months`, … (see [`Cadence::heading_spellings`]). Punctuation and
    /// emphasis between the words do not count (`**Weekly:**`).
    pub fn from_heading(text: &str) -> Option<Cadence> {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        SPELLINGS
            .iter()
            .find(|(spelling, _)| {
                let wanted: Vec<&str> = spelling.split(' ').collect();
                words.len() >= wanted.len() && words.iter().zip(&wanted).all(|(w, s)| w == s)
            })
            .map(|(_, cadence)| *cadence)
    }

    /// The accepted spellings, for a message: `weekly, every week, …; monthly, …`.
    pub fn heading_spellings() -> String {
        let mut groups: Vec<(Cadence, Vec<&str>)> = Vec::new();
        for (spelling, cadence) in SPELLINGS {
            match groups.last_mut() {
                Some((c, words)) if c == cadence => words.push(spelling),
                _ => groups.push((*cadence, vec![spelling])),
            }
        }
        groups
            .iter()
            .map(|(_, words)| words.join(", "))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test per spelling: as written, in other cases, with words after it.
    macro_rules! spelling {
        ($($name:ident: $spelling:literal => $cadence:ident;)*) => {$(
            #[test]
            fn $name() {
                let upper = $spelling.to_uppercase();
                let title = format!("{} (Mondays) health check", $spelling);
                for heading in [$spelling, upper.as_str(), title.as_str()] {
                    assert_eq!(Cadence::from_heading(heading), Some(Cadence::$cadence), "{heading}");
                }
            }
        )*};
    }

    spelling! {
        weekly: "Weekly" => Weekly;
        every_week: "Every week" => Weekly;
        each_week: "Each week" => Weekly;
        once_a_week: "Once a week" => Weekly;
        week: "Week" => Weekly;
        monthly: "Monthly" => Monthly;
        every_month: "Every month" => Monthly;
        each_month: "Each month" => Monthly;
        once_a_month: "Once a month" => Monthly;
        quarterly: "Quarterly" => Quarterly;
        every_quarter: "Every quarter" => Quarterly;
        each_quarter: "Each quarter" => Quarterly;
        every_three_months: "Every three months" => Quarterly;
        every_3_months: "Every 3 months" => Quarterly;
    }

    #[test]
    fn every_spelling_in_the_list_has_a_test_above() {
        assert_eq!(SPELLINGS.len(), 14);
        for (spelling, cadence) in SPELLINGS {
            assert_eq!(Cadence::from_heading(spelling), Some(*cadence));
        }
    }

    #[test]
    fn emphasis_and_punctuation_around_the_words_do_not_count() {
        for heading in [
            "**Weekly:** checks",
            "Every week: Mondays",
            "_Once a month_",
            "Every week (Mondays)",
        ] {
            assert!(Cadence::from_heading(heading).is_some(), "{heading}");
        }
        assert_eq!(
            Cadence::from_heading("Weekly Health Check"),
            Some(Cadence::Weekly)
        );
    }

    #[test]
    fn other_headings_are_no_cadence() {
        for heading in [
            "Daily checks",
            "Weekend work",
            "Every weekday",
            "Month end",
            "Quarter close",
            "Every two weeks",
            "Every",
            "",
        ] {
            assert_eq!(Cadence::from_heading(heading), None, "{heading}");
        }
    }

    #[test]
    fn the_spellings_are_listed_by_cadence() {
        assert_eq!(
            Cadence::heading_spellings(),
            "weekly, every week, each week, once a week, week; \
             monthly, every month, each month, once a month; \
             quarterly, every quarter, each quarter, every three months, every 3 months"
        );
    }
}
