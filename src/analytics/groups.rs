//! Seed 000's four value groups and seed 001's four grades (DOMAIN §2).

use crate::rules::{ChurnRule, Rules};
use serde::Serialize;

/// 价值 / 潜力 / 稳定 / 流失: every member who ever bought is in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueGroup {
    /// 价值用户: not churned, frequent and high spend.
    Value,
    /// 潜力用户: not churned, new or infrequent.
    Potential,
    /// 稳定用户: not churned, regular.
    Stable,
    /// 流失用户: stopped coming.
    Churned,
}

impl ValueGroup {
    /// All groups, in the order a report lists them.
    pub const ALL: [ValueGroup; 4] =
        [ValueGroup::Value, ValueGroup::Potential, ValueGroup::Stable, ValueGroup::Churned];

    /// (key, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ValueGroup::Value => ("value", "价值用户", "Value"),
            ValueGroup::Potential => ("potential", "潜力用户", "Potential"),
            ValueGroup::Stable => ("stable", "稳定用户", "Stable"),
            ValueGroup::Churned => ("churned", "流失用户", "Churned"),
        }
    }

    /// Stable key.
    pub fn key(self) -> &'static str {
        self.labels().0
    }

    /// Parse a key.
    pub fn parse(key: &str) -> Option<ValueGroup> {
        ValueGroup::ALL.into_iter().find(|g| g.key() == key)
    }

    /// The group of a buyer: `days_since_last` purchase ever, and the
    /// window's `scores` (`None` when no purchase falls in the window).
    pub fn of(days_since_last: u32, scores: Option<[u8; 3]>, rules: &Rules) -> ValueGroup {
        let v = &rules.value_groups;
        let Some([r, f, m]) = scores else {
            return ValueGroup::Churned;
        };
        let churned = match v.churn_rule {
            ChurnRule::Absolute => days_since_last > v.churn_days,
            ChurnRule::RScore => r <= v.churn_max_r_score,
        };
        if churned {
            ValueGroup::Churned
        } else if f >= v.value_min_f_score && m >= v.value_min_m_score {
            ValueGroup::Value
        } else if f >= v.stable_min_f_score {
            ValueGroup::Stable
        } else {
            ValueGroup::Potential
        }
    }
}

/// 核心 / 重要 / 潜在 / 普通: four words a clerk understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 核心: not churned, top F and M scores.
    Core,
    /// 重要: value or stable, not core.
    Important,
    /// 潜在: the potential group plus registered prospects.
    Potential,
    /// 普通: churned.
    Ordinary,
}

impl Grade {
    /// All grades, highest first.
    pub const ALL: [Grade; 4] = [Grade::Core, Grade::Important, Grade::Potential, Grade::Ordinary];

    /// (key, 中文, English).
    pub fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Grade::Core => ("core", "核心会员", "Core"),
            Grade::Important => ("important", "重要会员", "Important"),
            Grade::Potential => ("potential", "潜在会员", "Potential"),
            Grade::Ordinary => ("ordinary", "普通会员", "Ordinary"),
        }
    }

    /// Stable key.
    pub fn key(self) -> &'static str {
        self.labels().0
    }

    /// Parse a key.
    pub fn parse(key: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.key() == key)
    }

    /// The grade of a member (`group` is `None` for prospects).
    pub fn of(group: Option<ValueGroup>, scores: Option<[u8; 3]>, rules: &Rules) -> Grade {
        let g = &rules.grades;
        match (group, scores) {
            (None, _) | (Some(ValueGroup::Potential), _) => Grade::Potential,
            (Some(ValueGroup::Churned), _) => Grade::Ordinary,
            (Some(_), Some([_, f, m])) if f >= g.core_min_f_score && m >= g.core_min_m_score => Grade::Core,
            (Some(_), _) => Grade::Important,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_groups_by_default_rules() {
        let rules = Rules::default();
        assert_eq!(ValueGroup::of(90, Some([1, 5, 5]), &rules), ValueGroup::Value); // exactly 90 days: not churned
        assert_eq!(ValueGroup::of(91, Some([5, 5, 5]), &rules), ValueGroup::Churned);
        assert_eq!(ValueGroup::of(400, None, &rules), ValueGroup::Churned); // bought before the window
        assert_eq!(ValueGroup::of(3, Some([5, 4, 3]), &rules), ValueGroup::Stable);
        assert_eq!(ValueGroup::of(3, Some([5, 2, 5]), &rules), ValueGroup::Potential);
    }

    #[test]
    fn relative_churn_rule() {
        let mut rules = Rules::default();
        rules.value_groups.churn_rule = ChurnRule::RScore;
        assert_eq!(ValueGroup::of(200, Some([3, 1, 1]), &rules), ValueGroup::Potential);
        assert_eq!(ValueGroup::of(5, Some([2, 5, 5]), &rules), ValueGroup::Churned);
    }

    #[test]
    fn grades() {
        let rules = Rules::default();
        assert_eq!(Grade::of(Some(ValueGroup::Value), Some([5, 5, 5]), &rules), Grade::Core);
        assert_eq!(Grade::of(Some(ValueGroup::Value), Some([5, 5, 4]), &rules), Grade::Important);
        assert_eq!(Grade::of(Some(ValueGroup::Stable), Some([5, 3, 1]), &rules), Grade::Important);
        assert_eq!(Grade::of(Some(ValueGroup::Potential), Some([5, 1, 5]), &rules), Grade::Potential);
        assert_eq!(Grade::of(None, None, &rules), Grade::Potential);
        assert_eq!(Grade::of(Some(ValueGroup::Churned), Some([1, 5, 5]), &rules), Grade::Ordinary);
    }
}
