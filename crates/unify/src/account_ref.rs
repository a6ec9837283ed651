//! A contact's source account reference (`account_ref`, e.g. the CRM
//! contact's "Account Id") joined to the account record it names, so that
//! matching knows the contact's employer even when the contact row carries
//! no company name and a free-mail address.
//!
//! A reference is looked up among the `source_id`s of all account records.
//! When several account sources hold that id, the one with the smallest
//! priority wins (ties: the first record read); a reference that names no
//! account is counted as unresolved and adds nothing.

use std::collections::HashMap;

use firmlink_model::{Column, StrColumn, Table};
use serde::Serialize;

/// Columns added to the contacts table, in order.
pub const COLUMNS: [&str; 5] = [
    "account_source",
    "account_name",
    "account_domain",
    "account_name_key",
    "account_acronym",
];

/// How many references were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountRefStats {
    /// Contacts with an `account_ref`.
    pub with_ref: usize,
    /// Of those, references that name an account record.
    pub resolved: usize,
}

/// Add the [`COLUMNS`] to `contacts` from the account records their
/// `account_ref` names. A contacts table without `account_ref`, or an
/// accounts table without `source_id`, gets empty columns.
pub fn attach(
    contacts: &mut Table,
    accounts: &Table,
    priority: &HashMap<String, i64>,
) -> AccountRefStats {
    let n = contacts.rows();
    let a = |name: &str| accounts.str(name);
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    if let (Some(source), Some(id)) = (a("source"), a("source_id")) {
        let prio = |i: usize| {
            source
                .get(i)
                .and_then(|s| priority.get(s))
                .copied()
                .unwrap_or(i64::MAX)
        };
        for i in 0..accounts.rows() {
            let Some(key) = id.get(i) else { continue };
            by_id
                .entry(key)
                .and_modify(|best| {
                    if prio(i) < prio(*best) {
                        *best = i;
                    }
                })
                .or_insert(i);
        }
    }
    let free = match accounts.get("domain_is_free_mail") {
        Some(Column::Bool(v)) => Some(v),
        _ => None,
    };
    let sources = [
        a("source"),
        a("name"),
        a("domain"),
        a("name_key"),
        a("name_acronym"),
    ];
    let mut out: Vec<StrColumn> = (0..COLUMNS.len())
        .map(|_| StrColumn::with_capacity(n))
        .collect();
    let mut stats = AccountRefStats::default();
    let domain_col = COLUMNS
        .iter()
        .position(|c| *c == "account_domain")
        .expect("listed");
    let refs = contacts.str("account_ref");
    for i in 0..n {
        let r = refs.and_then(|c| c.get(i));
        stats.with_ref += usize::from(r.is_some());
        let row = r.and_then(|r| by_id.get(r)).copied();
        stats.resolved += usize::from(row.is_some());
        // A free-mail "website" says nothing about the employer.
        let free_mail = row.is_some_and(|j| free.and_then(|f| f[j]).unwrap_or(false));
        for (k, col) in out.iter_mut().enumerate() {
            let v = row.and_then(|j| sources[k].and_then(|c| c.get(j)));
            col.push(v.filter(|_| !(k == domain_col && free_mail)));
        }
    }
    for (name, col) in COLUMNS.iter().zip(out) {
        if contacts.get(name).is_none() {
            contacts.push(*name, Column::Str(col));
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_by_source_priority() {
        let mut accounts = Table::new(3);
        accounts.push(
            "source",
            Column::from_strs([Some("erp"), Some("crm"), Some("crm")]),
        );
        accounts.push(
            "source_id",
            Column::from_strs([Some("7"), Some("7"), Some("8")]),
        );
        accounts.push(
            "name",
            Column::from_strs([Some("Wrong Co"), Some("Acme Inc."), Some("Mail Co")]),
        );
        accounts.push(
            "domain",
            Column::from_strs([Some("wrong.com"), Some("acme.com"), Some("gmail.com")]),
        );
        accounts.push(
            "domain_is_free_mail",
            Column::Bool(vec![Some(false), Some(false), Some(true)]),
        );
        let mut contacts = Table::new(4);
        contacts.push(
            "account_ref",
            Column::from_strs([Some("7"), None, Some("9"), Some("8")]),
        );
        let priority: HashMap<String, i64> =
            [("crm".to_string(), 1), ("erp".to_string(), 3)].into();
        let stats = attach(&mut contacts, &accounts, &priority);
        assert_eq!(
            stats,
            AccountRefStats {
                with_ref: 3,
                resolved: 2
            }
        );
        let col = |name: &str| contacts.str(name).unwrap().iter().collect::<Vec<_>>();
        assert_eq!(
            col("account_source"),
            [Some("crm"), None, None, Some("crm")]
        );
        assert_eq!(
            col("account_name"),
            [Some("Acme Inc."), None, None, Some("Mail Co")]
        );
        assert_eq!(col("account_domain"), [Some("acme.com"), None, None, None]);
        // Columns the accounts lack stay empty.
        assert_eq!(col("account_acronym"), [None, None, None, None]);
    }
}
