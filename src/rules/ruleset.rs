//! The rule set as data (SPEC.md 4.5): the embedded default, a rules file
//! laid over it key by key, and the TOML that `ceu rules` prints back.

use std::collections::BTreeMap;

use foldhash::HashSet;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::model::Hundredths;
use crate::normalize::header::{fold, with_folded, Field};

/// The embedded default rule set.
pub const DEFAULT_RULES: &str = include_str!("default.toml");

/// Every number and list the rules use.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSet {
    pub credit_hour_ceus: Hundredths,
    pub clock_hour_ceus: Hundredths,
    pub clock_minimum_hours: Hundredths,
    pub annual_cap_ceus: Hundredths,
    pub program_areas: Vec<String>,
    pub non_passing_grades: Vec<String>,
    pub contact_hour_ceus: Hundredths,
    pub credential_cap_ceus: Hundredths,
    pub delivery_words: Vec<String>,
    pub core_credentials: Vec<String>,
    pub requirement_credentials: Vec<String>,
    pub ceus_by_credential_count: Vec<Hundredths>,
    pub sheet_rows: u64,
    pub sheet_columns: u64,
    pub part_bytes: u64,
    /// Extra header names, as written, and the field each names.
    pub columns: BTreeMap<String, Field>,
    /// The lists above in the form rows are compared in, built once.
    lookups: Lookups,
}

/// The rule lists folded, upper-cased or reduced to credential keys, so a
/// row's check is one hash lookup.
#[derive(Clone, Debug, Default, PartialEq)]
struct Lookups {
    program_areas: HashSet<String>,
    non_passing_grades: HashSet<String>,
    delivery_words: HashSet<String>,
    core_credentials: HashSet<String>,
    requirement_credentials: HashSet<String>,
}

impl Lookups {
    fn of(rules: &RuleSet) -> Lookups {
        Lookups {
            program_areas: rules.program_areas.iter().map(|a| fold(a)).collect(),
            non_passing_grades: rules
                .non_passing_grades
                .iter()
                .map(|g| g.trim().to_uppercase())
                .collect(),
            delivery_words: rules.delivery_words.iter().map(|w| fold(w)).collect(),
            core_credentials: rules
                .core_credentials
                .iter()
                .map(|c| credential_key(c))
                .collect(),
            requirement_credentials: rules
                .requirement_credentials
                .iter()
                .map(|c| credential_key(c))
                .collect(),
        }
    }
}

/// A TOML integer or a decimal of at most two places.
#[derive(Clone, Copy, Debug)]
struct Number(Hundredths);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
        }
        let value = match Raw::deserialize(d)? {
            Raw::Int(i) => i
                .checked_mul(100)
                .ok_or_else(|| serde::de::Error::custom("number too large"))?,
            Raw::Float(f) => {
                let scaled = f * 100.0;
                let rounded = scaled.round();
                if !scaled.is_finite() || (scaled - rounded).abs() > 1e-6 || rounded.abs() > 1e15 {
                    return Err(serde::de::Error::custom(format!(
                        "{f} is not a number of at most two decimal places"
                    )));
                }
                rounded as i64
            }
        };
        if value < 0 {
            return Err(serde::de::Error::custom("a negative number is not allowed"));
        }
        Ok(Number(Hundredths(value)))
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileRules {
    transcript: Option<TranscriptKeys>,
    instructor: Option<InstructorKeys>,
    requirements: Option<RequirementKeys>,
    limits: Option<LimitKeys>,
    columns: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TranscriptKeys {
    credit_hour_ceus: Option<Number>,
    clock_hour_ceus: Option<Number>,
    clock_minimum_hours: Option<Number>,
    annual_cap_ceus: Option<Number>,
    program_areas: Option<Vec<String>>,
    non_passing_grades: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct InstructorKeys {
    contact_hour_ceus: Option<Number>,
    credential_cap_ceus: Option<Number>,
    delivery_words: Option<Vec<String>>,
    core_credentials: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RequirementKeys {
    credentials: Option<Vec<String>>,
    ceus_by_credential_count: Option<Vec<Number>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LimitKeys {
    sheet_rows: Option<u64>,
    sheet_columns: Option<u64>,
    part_bytes: Option<u64>,
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        let empty = RuleSet {
            credit_hour_ceus: Hundredths::ZERO,
            clock_hour_ceus: Hundredths::ZERO,
            clock_minimum_hours: Hundredths::ZERO,
            annual_cap_ceus: Hundredths::ZERO,
            program_areas: vec![],
            non_passing_grades: vec![],
            contact_hour_ceus: Hundredths::ZERO,
            credential_cap_ceus: Hundredths::ZERO,
            delivery_words: vec![],
            core_credentials: vec![],
            requirement_credentials: vec![],
            ceus_by_credential_count: vec![],
            sheet_rows: 0,
            sheet_columns: 0,
            part_bytes: 0,
            columns: BTreeMap::new(),
            lookups: Lookups::default(),
        };
        empty
            .overlay(DEFAULT_RULES)
            .expect("the embedded rule set is valid")
    }
}

impl RuleSet {
    /// The default rule set with a rules file's keys laid over it.
    pub fn from_file_text(text: &str) -> Result<RuleSet> {
        RuleSet::default().overlay(text)
    }

    fn overlay(mut self, text: &str) -> Result<RuleSet> {
        let file: FileRules =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        let set = |slot: &mut Hundredths, v: Option<Number>| {
            if let Some(Number(h)) = v {
                *slot = h;
            }
        };
        if let Some(t) = file.transcript {
            set(&mut self.credit_hour_ceus, t.credit_hour_ceus);
            set(&mut self.clock_hour_ceus, t.clock_hour_ceus);
            set(&mut self.clock_minimum_hours, t.clock_minimum_hours);
            set(&mut self.annual_cap_ceus, t.annual_cap_ceus);
            self.program_areas = t.program_areas.unwrap_or(self.program_areas);
            self.non_passing_grades = t.non_passing_grades.unwrap_or(self.non_passing_grades);
        }
        if let Some(i) = file.instructor {
            set(&mut self.contact_hour_ceus, i.contact_hour_ceus);
            set(&mut self.credential_cap_ceus, i.credential_cap_ceus);
            self.delivery_words = i.delivery_words.unwrap_or(self.delivery_words);
            self.core_credentials = i.core_credentials.unwrap_or(self.core_credentials);
        }
        if let Some(r) = file.requirements {
            self.requirement_credentials = r.credentials.unwrap_or(self.requirement_credentials);
            if let Some(table) = r.ceus_by_credential_count {
                self.ceus_by_credential_count = table.into_iter().map(|n| n.0).collect();
            }
        }
        if let Some(l) = file.limits {
            self.sheet_rows = l.sheet_rows.unwrap_or(self.sheet_rows);
            self.sheet_columns = l.sheet_columns.unwrap_or(self.sheet_columns);
            self.part_bytes = l.part_bytes.unwrap_or(self.part_bytes);
        }
        if let Some(columns) = file.columns {
            self.columns.clear();
            for (header, field) in columns {
                self.map_column(&header, &field)
                    .map_err(|e| anyhow::anyhow!("[columns] {e}"))?;
            }
        }
        self.lookups = Lookups::of(&self);
        Ok(self)
    }

    /// Reads the column `header` as `field` (a rules file's `[columns]`, `--map`).
    pub fn map_column(&mut self, header: &str, field: &str) -> Result<()> {
        let Some(f) = Field::from_name(field) else {
            bail!("\"{header}\" = \"{field}\": {field} is not a field name (see docs/formats.md)");
        };
        self.columns.insert(header.to_string(), f);
        Ok(())
    }

    /// Reads a rules file, or says what to do when it cannot.
    pub fn from_path(path: &std::path::Path) -> Result<RuleSet> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("cannot read rules file {}: check the path", path.display())
        })?;
        RuleSet::from_file_text(&text).with_context(|| {
            format!(
                "rules file {} is not valid; fix it or run `ceu rules` to see the accepted keys",
                path.display()
            )
        })
    }

    /// Whether a program area, folded, is one the rules accept.
    pub fn accepts_program_area(&self, area: &str) -> bool {
        with_folded(area, |folded| self.lookups.program_areas.contains(folded))
    }

    pub fn is_non_passing(&self, grade: &str) -> bool {
        let grade = grade.trim();
        let grades = &self.lookups.non_passing_grades;
        if grade
            .bytes()
            .any(|b| b.is_ascii_lowercase() || !b.is_ascii())
        {
            grades.contains(&grade.to_uppercase())
        } else {
            !grade.is_empty() && grades.contains(grade)
        }
    }

    pub fn accepts_delivery(&self, delivery: &str) -> bool {
        with_folded(delivery, |folded| {
            self.lookups.delivery_words.contains(folded)
        })
    }

    /// Whether a credential key (see [`credential_key`]) is a core credential.
    pub fn is_core_credential(&self, credential: &str) -> bool {
        self.lookups.core_credentials.contains(credential)
    }

    /// Whether a credential key counts toward the requirement (4.3).
    pub fn is_counted_credential(&self, credential: &str) -> bool {
        self.lookups.requirement_credentials.contains(credential)
    }

    /// CEUs required for a number of counted credentials (SPEC.md 4.3).
    pub fn requirement_for(&self, count: usize) -> Option<Hundredths> {
        if count == 0 {
            return None;
        }
        let table = &self.ceus_by_credential_count;
        table.get(count - 1).or(table.last()).copied()
    }

    /// The rule set as TOML that `--rules` accepts back.
    pub fn to_toml(&self) -> String {
        fn list(items: &[String]) -> String {
            let quoted: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
            format!("[{}]", quoted.join(", "))
        }
        let table: Vec<String> = self
            .ceus_by_credential_count
            .iter()
            .map(|h| h.to_plain())
            .collect();
        let mut out = String::new();
        out.push_str("[transcript]\n");
        out.push_str(&format!(
            "credit_hour_ceus = {}\n",
            self.credit_hour_ceus.to_plain()
        ));
        out.push_str(&format!(
            "clock_hour_ceus = {}\n",
            self.clock_hour_ceus.to_plain()
        ));
        out.push_str(&format!(
            "clock_minimum_hours = {}\n",
            self.clock_minimum_hours.to_plain()
        ));
        out.push_str(&format!(
            "annual_cap_ceus = {}\n",
            self.annual_cap_ceus.to_plain()
        ));
        out.push_str(&format!("program_areas = {}\n", list(&self.program_areas)));
        out.push_str(&format!(
            "non_passing_grades = {}\n",
            list(&self.non_passing_grades)
        ));
        out.push_str("\n[instructor]\n");
        out.push_str(&format!(
            "contact_hour_ceus = {} # the project's reading: the seed gives no rate\n",
            self.contact_hour_ceus.to_plain()
        ));
        out.push_str(&format!(
            "credential_cap_ceus = {}\n",
            self.credential_cap_ceus.to_plain()
        ));
        out.push_str(&format!(
            "delivery_words = {}\n",
            list(&self.delivery_words)
        ));
        out.push_str(&format!(
            "core_credentials = {}\n",
            list(&self.core_credentials)
        ));
        out.push_str("\n[requirements]\n");
        out.push_str(&format!(
            "credentials = {}\n",
            list(&self.requirement_credentials)
        ));
        out.push_str(&format!(
            "ceus_by_credential_count = [{}]\n",
            table.join(", ")
        ));
        out.push_str("\n[limits]\n");
        out.push_str(&format!("sheet_rows = {}\n", self.sheet_rows));
        out.push_str(&format!("sheet_columns = {}\n", self.sheet_columns));
        out.push_str(&format!("part_bytes = {}\n", self.part_bytes));
        out.push_str("\n[columns]\n");
        for (header, field) in &self.columns {
            out.push_str(&format!(
                "{} = {}\n",
                toml_string(header),
                toml_string(field.name())
            ));
        }
        out
    }
}

/// A credential as rules compare it: upper-cased, without an apprentice `-A`.
pub fn credential_key(credential: &str) -> String {
    let upper = credential.trim().to_uppercase();
    match upper.strip_suffix("-A") {
        Some(base) if !base.is_empty() => base.to_string(),
        _ => upper,
    }
}

fn toml_string(s: &str) -> String {
    // A TOML basic string is a JSON string for every character we can meet.
    serde_json::to_string(s).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_hold_the_spec_numbers() {
        let r = RuleSet::default();
        assert_eq!(r.credit_hour_ceus, Hundredths(1000));
        assert_eq!(r.clock_hour_ceus, Hundredths(100));
        assert_eq!(r.clock_minimum_hours, Hundredths(8000));
        assert_eq!(r.annual_cap_ceus, Hundredths(4000));
        assert_eq!(r.credential_cap_ceus, Hundredths(1600));
        assert_eq!(r.non_passing_grades.len(), 29);
        assert_eq!(r.requirement_credentials.len(), 29);
        assert_eq!(r.core_credentials.len(), 10);
        assert_eq!(r.sheet_rows, 1_048_576);
    }

    #[test]
    fn printed_rules_read_back_the_same() {
        let mut r = RuleSet::from_file_text(
            "[transcript]\ncredit_hour_ceus = 7.5\n[columns]\n\"Student No\" = \"member_id\"\n",
        )
        .unwrap();
        assert_eq!(r.credit_hour_ceus, Hundredths(750));
        assert_eq!(RuleSet::from_file_text(&r.to_toml()).unwrap(), r);
        r = RuleSet::default();
        assert_eq!(RuleSet::from_file_text(&r.to_toml()).unwrap(), r);
    }

    #[test]
    fn a_key_given_replaces_its_default_whole() {
        let r =
            RuleSet::from_file_text("[transcript]\nnon_passing_grades = [\"F\", \"D\"]\n").unwrap();
        assert_eq!(r.non_passing_grades, vec!["F", "D"]);
        assert_eq!(r.annual_cap_ceus, Hundredths(4000));
        let graded: Vec<bool> = ["F", " d ", "f", "A", "", "Fail"]
            .iter()
            .map(|g| r.is_non_passing(g))
            .collect();
        assert_eq!(graded, [true, true, true, false, false, false]);
    }

    #[test]
    fn unknown_keys_and_three_decimals_are_refused() {
        let err = RuleSet::from_file_text("[transcript]\nannual_cap = 40\n").unwrap_err();
        assert!(format!("{err:#}").contains("annual_cap"), "{err:#}");
        assert!(RuleSet::from_file_text("[bogus]\n").is_err());
        assert!(RuleSet::from_file_text("[transcript]\nannual_cap_ceus = 1.125\n").is_err());
        assert!(RuleSet::from_file_text("[columns]\n\"x\" = \"nonsense\"\n").is_err());
    }

    #[test]
    fn requirement_table_covers_counts_beyond_its_end() {
        let r = RuleSet::default();
        assert_eq!(r.requirement_for(0), None);
        assert_eq!(r.requirement_for(1), Some(Hundredths(3600)));
        assert_eq!(r.requirement_for(5), Some(Hundredths(5200)));
        assert_eq!(r.requirement_for(9), Some(Hundredths(5200)));
    }

    #[test]
    fn credential_key_drops_the_apprentice_suffix() {
        assert_eq!(credential_key(" cpc-a "), "CPC");
        assert_eq!(credential_key("CRC"), "CRC");
        assert_eq!(credential_key("-A"), "-A");
    }
}
