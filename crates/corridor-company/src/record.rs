//! A company record read for import: its identifiers and the identity numbers of its people
//! checked on the way in, every problem named by its field; its profile in the one field
//! order; and the keys it is found by (identifiers, name keys).

use serde_json::Value;

use crate::identifier::{Date, IdKind, check};
use crate::names::name_key;
use crate::profile::profile_of;

/// A field of a record and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldProblem {
    /// The field's path (`officers[2].person.id.number`), or `(record)` for the whole.
    pub field: String,
    pub problem: String,
}

fn problem(field: impl Into<String>, problem: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        problem: problem.into(),
    }
}

/// A company record, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub id: String,
    /// `SG`, or `CN-` and the province (`CN-CQ`).
    pub jurisdiction: String,
    /// Its profile (see [`profile_of`]).
    pub profile: Value,
    /// The day its source vouches for it as of (`source.as_of`).
    pub as_of: Date,
    /// When the record last changed at its source (`updated_at`; `as_of` when not given).
    pub updated_at: String,
    /// What it is found by: `("uen" | "uscc" | "lei", identifier)` and `("name", key)` for its
    /// legal, English and former names.
    pub keys: Vec<(&'static str, String)>,
}

impl Company {
    /// The identifier a company is one company by: its UEN in Singapore, its unified social
    /// credit code in China.
    pub fn primary_identifier(&self) -> Option<&str> {
        self.keys
            .iter()
            .find(|(kind, _)| matches!(*kind, "uen" | "uscc"))
            .map(|(_, id)| id.as_str())
    }
}

/// A record from a table's row: each column named by a field path (`identifiers.uen`,
/// `name.legal`), each cell that field's value. A cell holding a JSON number, array, object,
/// string in quotes, `true`, `false` or `null` is that value (lists such as `officers` are
/// JSON); any other cell is text; an empty cell leaves its field out. A text that reads as a
/// number (a block `123`) is written as a JSON string (`"123"`) to stay text.
///
/// ```
/// let record = corridor_company::record::from_columns(
///     &["id", "identifiers.uen", "capital.issued_shares", "officers"],
///     &["SG-1", "201912345K", "1000", "[]"],
/// ).unwrap();
/// assert_eq!(record, serde_json::json!({"id": "SG-1", "identifiers": {"uen": "201912345K"},
///     "capital": {"issued_shares": 1000}, "officers": []}));
/// ```
pub fn from_columns(columns: &[&str], cells: &[&str]) -> Result<Value, Vec<FieldProblem>> {
    let mut record = Value::Object(serde_json::Map::new());
    let mut problems = Vec::new();
    for (column, cell) in columns.iter().zip(cells) {
        if cell.is_empty() {
            continue;
        }
        let value = match cell_value(cell) {
            Ok(value) => value,
            Err(e) => {
                problems.push(problem(*column, format!("not valid JSON: {e}")));
                continue;
            }
        };
        if let Err(why) = set_path(&mut record, column, value) {
            problems.push(problem(*column, why));
        }
    }
    if cells.len() != columns.len() {
        problems.push(problem(
            "(record)",
            format!("{} cells under {} columns", cells.len(), columns.len()),
        ));
    }
    if problems.is_empty() {
        Ok(record)
    } else {
        Err(problems)
    }
}

fn cell_value(cell: &str) -> Result<Value, serde_json::Error> {
    let json_like = cell.starts_with(['[', '{', '"'])
        || matches!(cell, "true" | "false" | "null")
        || serde_json::from_str::<Value>(cell).is_ok_and(|v| v.is_number());
    if json_like {
        serde_json::from_str(cell)
    } else {
        Ok(Value::String(cell.to_owned()))
    }
}

/// Puts `value` at the dotted `path` of `record`, making the objects on the way.
fn set_path(record: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut at = record;
    let mut names = path.split('.').peekable();
    while let Some(name) = names.next() {
        if name.is_empty() {
            return Err("a column names a field path with an empty part".into());
        }
        let Value::Object(fields) = at else {
            return Err("a column before it gives a value where this one needs an object".into());
        };
        if names.peek().is_none() {
            if fields.contains_key(name) {
                return Err("another column gives this field already".into());
            }
            fields.insert(name.to_owned(), value);
            return Ok(());
        }
        at = fields
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    Ok(())
}

/// Reads a company `record` (one line of `companies.jsonl`'s shape), checking every
/// identifier against `today`: the company, or every problem found, each naming its field.
pub fn read_company(record: &Value, today: Date) -> Result<Company, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let Some(fields) = record.as_object() else {
        return Err(vec![problem(
            "(record)",
            "a company record is a JSON object",
        )]);
    };
    let text = |name: &str, problems: &mut Vec<FieldProblem>| -> String {
        match fields.get(name) {
            Some(Value::String(text)) if !text.trim().is_empty() => text.clone(),
            Some(_) => {
                problems.push(problem(name, "is not text"));
                String::new()
            }
            None => {
                problems.push(problem(name, "is missing"));
                String::new()
            }
        }
    };
    let id = text("id", &mut problems);
    let jurisdiction = text("jurisdiction", &mut problems);
    let primary = match jurisdiction.as_str() {
        "SG" => Some(IdKind::Uen),
        j if j.starts_with("CN-") || j == "CN" => Some(IdKind::Uscc),
        "" => None,
        other => {
            problems.push(problem(
                "jurisdiction",
                format!("{other:?} is not SG or CN-<province> (CN-CQ)"),
            ));
            None
        }
    };
    let mut keys = Vec::new();
    match fields.get("identifiers").and_then(Value::as_object) {
        None => problems.push(problem("identifiers", "is missing or not an object")),
        Some(identifiers) => {
            if let Some(primary) = primary
                && !identifiers.contains_key(primary.name())
            {
                problems.push(problem(
                    format!("identifiers.{}", primary.name()),
                    format!(
                        "is missing: a company of {jurisdiction} is known by its {}",
                        primary.name()
                    ),
                ));
            }
            for (name, value) in identifiers {
                let field = format!("identifiers.{name}");
                let kind = match name.as_str() {
                    "uen" => IdKind::Uen,
                    "uscc" => IdKind::Uscc,
                    "lei" => IdKind::Lei,
                    _ => {
                        problems.push(problem(
                            field,
                            "is not an identifier Corridor knows (uen, uscc, lei)",
                        ));
                        continue;
                    }
                };
                match value.as_str() {
                    None => problems.push(problem(field, "is not text")),
                    Some(id) => match check(kind, id, today) {
                        Ok(()) => keys.push((kind.name(), id.to_owned())),
                        Err(p) => problems
                            .push(problem(field, format!("not a valid {}: {p}", kind.name()))),
                    },
                }
            }
        }
    }
    let names = fields.get("name");
    match names.and_then(|n| n.get("legal")).and_then(Value::as_str) {
        Some(legal) if !legal.trim().is_empty() => {}
        _ => problems.push(problem("name.legal", "is missing or empty")),
    }
    let former = fields
        .get("former_names")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let mut name_keys: Vec<String> = [
        names.and_then(|n| n.get("legal")),
        names.and_then(|n| n.get("english")),
    ]
    .into_iter()
    .flatten()
    .chain(former)
    .filter_map(Value::as_str)
    .map(name_key)
    .filter(|key| !key.is_empty())
    .collect();
    name_keys.sort();
    name_keys.dedup();
    keys.extend(name_keys.into_iter().map(|key| ("name", key)));
    let as_of = fields
        .get("source")
        .and_then(|s| s.get("as_of"))
        .and_then(Value::as_str);
    let as_of = match as_of.map(|d| (d, Date::parse(d))) {
        Some((_, Some(day))) => Some(day),
        Some((text, None)) => {
            problems.push(problem(
                "source.as_of",
                format!("{text:?} is not a day (YYYY-MM-DD)"),
            ));
            None
        }
        None => {
            problems.push(problem(
                "source.as_of",
                "is missing: a profile says as of when",
            ));
            None
        }
    };
    people(fields, today, &mut problems);
    let profile = profile_of(record);
    for (field, why) in crate::credential::problems(&profile) {
        problems.push(problem(field, why));
    }
    let updated_at = match fields.get("updated_at") {
        Some(Value::String(text)) => text.clone(),
        Some(_) => {
            problems.push(problem("updated_at", "is not text"));
            String::new()
        }
        None => as_of.map(|d| d.to_string()).unwrap_or_default(),
    };
    match as_of {
        Some(as_of) if problems.is_empty() => Ok(Company {
            id,
            jurisdiction,
            profile,
            as_of,
            updated_at,
            keys,
        }),
        _ => Err(problems),
    }
}

/// Checks the identity numbers of the people a record names: its legal representative, its
/// officers and its shareholders.
fn people(fields: &serde_json::Map<String, Value>, today: Date, problems: &mut Vec<FieldProblem>) {
    let mut found: Vec<(String, &Value)> = Vec::new();
    if let Some(person) = fields
        .get("legal_representative")
        .and_then(|r| r.get("person"))
    {
        found.push(("legal_representative.person".into(), person));
    }
    for list in ["officers", "shareholders"] {
        for (i, entry) in fields
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(person) = entry.get("person") {
                found.push((format!("{list}[{i}].person"), person));
            }
        }
    }
    for (path, person) in found {
        let Some(id) = person.get("id") else { continue };
        let kind = match id.get("type").and_then(Value::as_str) {
            Some("SG-NRIC" | "SG-FIN") => IdKind::Nric,
            Some("CN-RIC") => IdKind::CnRic,
            Some(_) => continue,
            None => {
                problems.push(problem(format!("{path}.id.type"), "is missing"));
                continue;
            }
        };
        let field = format!("{path}.id.number");
        match id.get("number").and_then(Value::as_str) {
            None => problems.push(problem(field, "is missing or not text")),
            Some(number) => {
                if let Err(p) = check(kind, number, today) {
                    problems.push(problem(field, format!("not a valid {}: {p}", kind.name())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> Date {
        Date::new(2026, 11, 27).unwrap()
    }

    fn record() -> Value {
        json!({
            "id": "CQ-1", "jurisdiction": "CN-CQ",
            "identifiers": {"uscc": "91500000747150346A"},
            "name": {"legal": "重庆某某科技有限公司", "english": "Chongqing Moumou Technology Co., Ltd."},
            "legal_representative": {"person": {"name": "王某", "id": {"type": "CN-RIC", "number": "11010519491231002X"}}},
            "source": {"provider": "Chongqing credit data", "as_of": "2026-10-31"},
            "updated_at": "2026-10-31T00:00:00Z"
        })
    }

    #[test]
    fn a_record_is_read_with_the_keys_it_is_found_by() {
        // A credit code of Chongqing: both its check characters found by trying each.
        let set: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
        let uscc = set
            .iter()
            .flat_map(|a| set.iter().map(move |b| format!("9150000074715034{a}{b}")))
            .find(|u| check(IdKind::Uscc, u, today()).is_ok());
        let Some(uscc) = uscc else {
            panic!("no check character passes")
        };
        let mut record = record();
        record["identifiers"]["uscc"] = uscc.clone().into();
        let company = read_company(&record, today()).unwrap();
        assert_eq!(company.primary_identifier(), Some(uscc.as_str()));
        assert!(company.keys.contains(&("name", "某某科技".into())));
        assert!(company.keys.contains(&("name", "moumoutechnology".into())));
        assert_eq!(company.as_of, Date::new(2026, 10, 31).unwrap());
        assert!(company.profile.get("id").is_none());
    }

    #[test]
    fn a_table_row_reads_as_the_record_it_names() {
        let columns = [
            "id",
            "name.legal",
            "name.english",
            "registered_address.block",
            "status",
        ];
        let record = from_columns(
            &columns,
            &["SG-1", "A Pte. Ltd.", "", "\"123\"", "{\"code\":\"live\"}"],
        )
        .unwrap();
        assert_eq!(
            record,
            json!({"id": "SG-1", "name": {"legal": "A Pte. Ltd."},
                "registered_address": {"block": "123"}, "status": {"code": "live"}})
        );
        let fields = |cells: &[&str], columns: &[&str]| -> Vec<String> {
            from_columns(columns, cells)
                .unwrap_err()
                .into_iter()
                .map(|p| p.field)
                .collect()
        };
        assert_eq!(fields(&["[1,", "x"], &["officers", "id"]), ["officers"]);
        assert_eq!(fields(&["x", "y"], &["name", "name.legal"]), ["name.legal"]);
        assert_eq!(fields(&["x"], &["id", "jurisdiction"]), ["(record)"]);
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut record = record();
        record["identifiers"]["uscc"] = "91500000747150346".into();
        record["legal_representative"]["person"]["id"]["number"] = "110105194912310021".into();
        record["source"]["as_of"] = "31/10/2026".into();
        let problems = read_company(&record, today()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "identifiers.uscc",
                "source.as_of",
                "legal_representative.person.id.number"
            ]
        );
        assert!(problems[0].problem.contains("length"), "{}", problems[0]);
        assert_eq!(
            read_company(&json!([1]), today()).unwrap_err()[0].field,
            "(record)"
        );
    }
}
