//! EPCIS 2.0's SimpleEventQuery, as its REST binding writes it in a URL's query string:
//! parameters named by the standard (`eventType`, `GE_eventTime`, `EQ_bizStep`, `MATCH_epc`,
//! `orderBy`…), lists separated by `|`, each read once and checked before any event is looked
//! at; an unknown parameter, one given twice or a value that cannot be what its name says is an
//! error naming it. Identifiers match whatever form either side wrote them in (EPC URN, Digital
//! Link), and EPC patterns (`urn:epc:idpat:sgtin:0614141.107346.*`, `…:0614141.*.*`) match
//! every identifier they cover.

use std::collections::HashSet;

use corridor_epcis::{Action, Epc, Event, Vocabulary};
use corridor_gs1::Identifier;

/// Why a query cannot be answered as asked: EPCIS's `QueryParameterException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query parameter {name}: {problem}")]
pub struct QueryParameterError {
    pub name: String,
    pub problem: String,
}

/// What the results are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderBy {
    /// The order the events were recorded in (no `orderBy`).
    #[default]
    Recorded,
    EventTime,
    RecordTime,
}

/// A query's filters and order; paging (`perPage`, `nextPageToken`) is the caller's.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    filters: Vec<Filter>,
    pub order_by: OrderBy,
    /// Whether the order is descending (`orderDirection=DESC`, the standard's default once
    /// `orderBy` is given).
    pub descending: bool,
    /// At most this many events (`eventCountLimit`).
    pub event_count_limit: Option<usize>,
    /// More events than this is an error (`maxEventCount`), not a truncation.
    pub max_event_count: Option<usize>,
}

/// An identifier as a query names it: one identifier, or a pattern over them.
#[derive(Debug, Clone, PartialEq)]
enum Pattern {
    /// One identifier; a bare GTIN (`urn:epc:idpat:sgtin:CP.IR.*`) covers its every
    /// instance and lot.
    Exact(Epc),
    /// Keys of a kind whose digits after the first (the indicator or extension digit) begin
    /// with a company prefix: `urn:epc:idpat:sgtin:CP.*.*`, `…:sscc:CP.*`, `…:sgln:CP.*.*`.
    Company { kind: KeyKind, prefix: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Gtin,
    Sscc,
    Gln,
}

impl Pattern {
    fn read(text: &str) -> Result<Pattern, String> {
        if let Some(rest) = text.strip_prefix("urn:epc:idpat:") {
            let (scheme, fields) = rest
                .split_once(':')
                .ok_or_else(|| format!("{text:?} is not an EPC pattern"))?;
            let parts: Vec<&str> = fields.split('.').collect();
            let kind = match scheme {
                "sgtin" => KeyKind::Gtin,
                "sscc" => KeyKind::Sscc,
                "sgln" => KeyKind::Gln,
                other => {
                    return Err(format!(
                        "EPC patterns of the {other:?} scheme are not answered (sgtin, sscc and sgln are)"
                    ));
                }
            };
            let arity = if kind == KeyKind::Sscc { 2 } else { 3 };
            let prefix = parts[0];
            let wild = |from: usize| parts[from..].iter().all(|p| *p == "*");
            if parts.len() == arity
                && (6..=12).contains(&prefix.len())
                && prefix.bytes().all(|b| b.is_ascii_digit())
                && wild(1)
            {
                return Ok(Pattern::Company {
                    kind,
                    prefix: prefix.to_owned(),
                });
            }
        }
        Epc::read(text)
            .map(Pattern::Exact)
            .map_err(|e| format!("{text:?} is not an identifier or EPC pattern: {e}"))
    }

    fn covers(&self, object: &Epc) -> bool {
        match self {
            Pattern::Exact(epc) if epc == object => true,
            Pattern::Exact(Epc::Gs1(Identifier::Gtin(gtin))) => matches!(
                object.gs1(),
                Some(Identifier::Sgtin { gtin: g, .. } | Identifier::Lgtin { gtin: g, .. }) if g == gtin
            ),
            Pattern::Exact(_) => false,
            Pattern::Company { kind, prefix } => {
                let digits = match (kind, object.gs1()) {
                    (
                        KeyKind::Gtin,
                        Some(
                            Identifier::Gtin(g)
                            | Identifier::Sgtin { gtin: g, .. }
                            | Identifier::Lgtin { gtin: g, .. },
                        ),
                    ) => g.as_str(),
                    (KeyKind::Sscc, Some(Identifier::Sscc(s))) => s.as_str(),
                    // A GLN has no extension digit: the prefix is its beginning.
                    (KeyKind::Gln, Some(Identifier::Sgln { gln, .. })) => {
                        return gln.as_str().starts_with(prefix.as_str());
                    }
                    _ => return false,
                };
                digits
                    .get(1..)
                    .is_some_and(|d| d.starts_with(prefix.as_str()))
            }
        }
    }
}

/// Which of an event's objects a `MATCH_` parameter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Epc,
    ParentId,
    InputEpc,
    OutputEpc,
    AnyEpc,
    EpcClass,
    InputEpcClass,
    OutputEpcClass,
    AnyEpcClass,
}

impl Field {
    fn named(name: &str) -> Option<Field> {
        Some(match name {
            "epc" => Field::Epc,
            "parentID" => Field::ParentId,
            "inputEPC" => Field::InputEpc,
            "outputEPC" => Field::OutputEpc,
            "anyEPC" => Field::AnyEpc,
            "epcClass" => Field::EpcClass,
            "inputEPCClass" => Field::InputEpcClass,
            "outputEPCClass" => Field::OutputEpcClass,
            "anyEPCClass" => Field::AnyEpcClass,
            _ => return None,
        })
    }

    fn objects<'e>(self, event: &'e Event) -> Box<dyn Iterator<Item = &'e Epc> + 'e> {
        let classes = |list: &'e [corridor_epcis::Quantity]| list.iter().map(|q| &q.class);
        match self {
            Field::Epc => Box::new(event.epcs.iter().chain(&event.children)),
            Field::ParentId => Box::new(event.parent.iter()),
            Field::InputEpc => Box::new(event.inputs.iter()),
            Field::OutputEpc => Box::new(event.outputs.iter()),
            Field::AnyEpc => Box::new(
                event
                    .epcs
                    .iter()
                    .chain(&event.children)
                    .chain(&event.inputs)
                    .chain(&event.outputs)
                    .chain(event.parent.iter()),
            ),
            Field::EpcClass => {
                Box::new(classes(&event.quantities).chain(classes(&event.child_quantities)))
            }
            Field::InputEpcClass => Box::new(classes(&event.input_quantities)),
            Field::OutputEpcClass => Box::new(classes(&event.output_quantities)),
            Field::AnyEpcClass => Box::new(
                classes(&event.quantities)
                    .chain(classes(&event.child_quantities))
                    .chain(classes(&event.input_quantities))
                    .chain(classes(&event.output_quantities)),
            ),
        }
    }
}

/// Which location an `EQ_`/`WD_` parameter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    ReadPoint,
    BizLocation,
}

#[derive(Debug, Clone)]
enum Filter {
    EventType(Vec<String>),
    EventTime {
        at_least: Option<i64>,
        before: Option<i64>,
    },
    RecordTime {
        at_least: Option<i64>,
        before: Option<i64>,
    },
    Action(Vec<Action>),
    BizStep(Vec<String>),
    Disposition(Vec<String>),
    Location {
        place: Place,
        within: bool,
        ids: Vec<Epc>,
    },
    Match {
        field: Field,
        patterns: Vec<Pattern>,
    },
    EventId(HashSet<String>),
    Party {
        source: bool,
        kind: String,
        ids: Vec<Epc>,
    },
}

/// Parameters the caller reads itself (paging); the query takes no notice of them.
const PAGING: [&str; 2] = ["perPage", "nextPageToken"];

impl EventQuery {
    /// The query the parameters `params` (as the query string gives them, decoded) ask.
    ///
    /// ```
    /// use corridor_trace::EventQuery;
    /// let params = [("EQ_bizStep", "shipping|receiving"), ("MATCH_epc", "urn:epc:idpat:sgtin:6918790.000001.*")];
    /// let query = EventQuery::parse(params.iter().map(|(n, v)| (n.to_string(), v.to_string()))).unwrap();
    /// let unknown = EventQuery::parse([("EQ_colour".to_string(), "red".to_string())]).unwrap_err();
    /// assert_eq!(unknown.name, "EQ_colour");
    /// ```
    pub fn parse(
        params: impl IntoIterator<Item = (String, String)>,
    ) -> Result<EventQuery, QueryParameterError> {
        let mut query = EventQuery::default();
        let mut seen = HashSet::new();
        let mut event_time = (None, None);
        let mut record_time = (None, None);
        let mut direction = None;
        for (name, value) in params {
            let problem = |problem: String| QueryParameterError {
                name: name.clone(),
                problem,
            };
            if !seen.insert(name.clone()) {
                return Err(problem("given more than once".into()));
            }
            if PAGING.contains(&name.as_str()) {
                continue;
            }
            let list = || -> Result<Vec<&str>, QueryParameterError> {
                let items: Vec<&str> = value.split('|').collect();
                if items.iter().any(|item| item.is_empty()) {
                    return Err(problem("an empty value in its list".into()));
                }
                Ok(items)
            };
            let time = || {
                corridor_js::parse_date(&value)
                    .filter(|_| value.len() > 10)
                    .ok_or_else(|| {
                        problem(format!(
                            "{value:?} is not a date-time (RFC 3339, with its offset)"
                        ))
                    })
            };
            let count = || {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| problem(format!("{value:?} is not a positive whole number")))
            };
            let ids = || -> Result<Vec<Epc>, QueryParameterError> {
                list()?
                    .into_iter()
                    .map(|item| {
                        Epc::read(item)
                            .map_err(|e| problem(format!("{item:?} is not an identifier: {e}")))
                    })
                    .collect()
            };
            match name.as_str() {
                "eventType" => {
                    let kinds: Vec<String> = list()?.into_iter().map(str::to_owned).collect();
                    query.filters.push(Filter::EventType(kinds));
                }
                "GE_eventTime" => event_time.0 = Some(time()?),
                "LT_eventTime" => event_time.1 = Some(time()?),
                "GE_recordTime" => record_time.0 = Some(time()?),
                "LT_recordTime" => record_time.1 = Some(time()?),
                "EQ_action" => {
                    let actions = list()?
                        .into_iter()
                        .map(|a| match a {
                            "ADD" => Ok(Action::Add),
                            "OBSERVE" => Ok(Action::Observe),
                            "DELETE" => Ok(Action::Delete),
                            other => {
                                Err(problem(format!("{other:?} is not ADD, OBSERVE or DELETE")))
                            }
                        })
                        .collect::<Result<_, _>>()?;
                    query.filters.push(Filter::Action(actions));
                }
                "EQ_bizStep" => query
                    .filters
                    .push(Filter::BizStep(words(Vocabulary::BizStep, list()?))),
                "EQ_disposition" => query
                    .filters
                    .push(Filter::Disposition(words(Vocabulary::Disposition, list()?))),
                "EQ_readPoint" | "WD_readPoint" | "EQ_bizLocation" | "WD_bizLocation" => {
                    let place = if name.ends_with("readPoint") {
                        Place::ReadPoint
                    } else {
                        Place::BizLocation
                    };
                    query.filters.push(Filter::Location {
                        place,
                        within: name.starts_with("WD_"),
                        ids: ids()?,
                    });
                }
                "EQ_eventID" => query.filters.push(Filter::EventId(
                    list()?.into_iter().map(str::to_owned).collect(),
                )),
                "orderBy" => {
                    query.order_by = match value.as_str() {
                        "eventTime" => OrderBy::EventTime,
                        "recordTime" => OrderBy::RecordTime,
                        other => {
                            return Err(problem(format!(
                                "{other:?} is not answered: order by eventTime or recordTime"
                            )));
                        }
                    }
                }
                "orderDirection" => {
                    direction = Some(match value.as_str() {
                        "ASC" => false,
                        "DESC" => true,
                        other => return Err(problem(format!("{other:?} is not ASC or DESC"))),
                    })
                }
                "eventCountLimit" => query.event_count_limit = Some(count()?),
                "maxEventCount" => query.max_event_count = Some(count()?),
                _ => {
                    if let Some(field) = name.strip_prefix("MATCH_").and_then(Field::named) {
                        let patterns = list()?
                            .into_iter()
                            .map(Pattern::read)
                            .collect::<Result<_, _>>()
                            .map_err(problem)?;
                        query.filters.push(Filter::Match { field, patterns });
                    } else if let Some((source, kind)) = name
                        .strip_prefix("EQ_source_")
                        .map(|k| (true, k))
                        .or_else(|| name.strip_prefix("EQ_destination_").map(|k| (false, k)))
                        .filter(|(_, kind)| !kind.is_empty())
                    {
                        query.filters.push(Filter::Party {
                            source,
                            kind: Vocabulary::SourceDestType.word(kind).to_owned(),
                            ids: ids()?,
                        });
                    } else {
                        return Err(problem(
                            "not a query parameter this repository answers (see the EPCIS 2.0 query parameters in /openapi.json)".into(),
                        ));
                    }
                }
            }
        }
        if event_time != (None, None) {
            query.filters.push(Filter::EventTime {
                at_least: event_time.0,
                before: event_time.1,
            });
        }
        if record_time != (None, None) {
            query.filters.push(Filter::RecordTime {
                at_least: record_time.0,
                before: record_time.1,
            });
        }
        if query.event_count_limit.is_some() && query.max_event_count.is_some() {
            return Err(QueryParameterError {
                name: "eventCountLimit".into(),
                problem: "cannot be given with maxEventCount".into(),
            });
        }
        if direction.is_some() && query.order_by == OrderBy::Recorded {
            return Err(QueryParameterError {
                name: "orderDirection".into(),
                problem: "needs orderBy".into(),
            });
        }
        query.descending = direction.unwrap_or(query.order_by != OrderBy::Recorded);
        Ok(query)
    }

    /// Whether `event`, recorded at `recorded` (milliseconds since 1970), is a result.
    pub fn matches(&self, event: &Event, recorded: i64) -> bool {
        self.filters.iter().all(|filter| match filter {
            Filter::EventType(kinds) => kinds.iter().any(|k| k == event.kind.name()),
            Filter::EventTime { at_least, before } => within(event.time, *at_least, *before),
            Filter::RecordTime { at_least, before } => within(recorded, *at_least, *before),
            Filter::Action(actions) => event.action.is_some_and(|a| actions.contains(&a)),
            Filter::BizStep(steps) => event.biz_step.as_ref().is_some_and(|s| steps.contains(s)),
            Filter::Disposition(dispositions) => event
                .disposition
                .as_ref()
                .is_some_and(|d| dispositions.contains(d)),
            Filter::Location { place, within, ids } => {
                let location = match place {
                    Place::ReadPoint => event.read_point.as_ref(),
                    Place::BizLocation => event.biz_location.as_ref(),
                };
                location
                    .is_some_and(|at| ids.iter().any(|id| id == at || (*within && inside(at, id))))
            }
            Filter::Match { field, patterns } => field
                .objects(event)
                .any(|object| patterns.iter().any(|p| p.covers(object))),
            Filter::EventId(ids) => event.id.as_ref().is_some_and(|id| ids.contains(id)),
            Filter::Party { source, kind, ids } => {
                let parties = if *source {
                    &event.sources
                } else {
                    &event.destinations
                };
                parties.iter().any(|party| {
                    party.kind == *kind && Epc::read(&party.id).is_ok_and(|epc| ids.contains(&epc))
                })
            }
        })
    }
}

fn words(vocabulary: Vocabulary, values: Vec<&str>) -> Vec<String> {
    values
        .into_iter()
        .map(|value| vocabulary.word(value).to_owned())
        .collect()
}

fn within(time: i64, at_least: Option<i64>, before: Option<i64>) -> bool {
    at_least.is_none_or(|t| time >= t) && before.is_none_or(|t| time < t)
}

/// Whether the location `at` is within `site`: a sub-location (a GLN extension) of it. The
/// hierarchy GS1 keys themselves give; master data would give more.
fn inside(at: &Epc, site: &Epc) -> bool {
    matches!(
        (at.gs1(), site.gs1()),
        (Some(Identifier::Sgln { gln: a, .. }), Some(Identifier::Sgln { gln: s, extension: None })) if a == s
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(params: &[(&str, &str)]) -> Result<EventQuery, QueryParameterError> {
        EventQuery::parse(params.iter().map(|(n, v)| (n.to_string(), v.to_string())))
    }

    fn event() -> Event {
        let value = json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "ObjectEvent", "eventTime": "2025-03-02T22:21:40+08:00", "eventTimeZoneOffset": "+08:00",
            "eventID": "ni:///sha-256;ab?ver=CBV2.0",
            "epcList": ["urn:epc:id:sgtin:6918790.000001.TGRMXDB2"], "action": "OBSERVE",
            "quantityList": [{"epcClass": "https://id.gs1.org/01/06918790000015/10/L7", "quantity": 2}],
            "bizStep": "https://ref.gs1.org/cbv/BizStep-receiving", "disposition": "in_progress",
            "readPoint": {"id": "urn:epc:id:sgln:6918790.00000.DOCK"},
            "bizLocation": {"id": "urn:epc:id:sgln:6918790.00000.0"},
            "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6918790.00000"}]
        });
        Event::read(&value, &corridor_epcis::Prefixes::default()).unwrap()
    }

    #[test]
    fn each_parameter_matches_what_it_names_in_any_form() {
        let event = event();
        let yes = |params: &[(&str, &str)]| {
            assert!(query(params).unwrap().matches(&event, 5), "{params:?}")
        };
        let no = |params: &[(&str, &str)]| {
            assert!(!query(params).unwrap().matches(&event, 5), "{params:?}")
        };
        yes(&[("eventType", "AggregationEvent|ObjectEvent")]);
        no(&[("eventType", "AggregationEvent")]);
        yes(&[
            ("GE_eventTime", "2025-03-02T14:21:40Z"),
            ("LT_eventTime", "2025-03-02T14:21:41Z"),
        ]);
        no(&[("LT_eventTime", "2025-03-02T22:21:40+08:00")]);
        yes(&[("GE_recordTime", "1970-01-01T00:00:00.005Z")]);
        no(&[("GE_recordTime", "1970-01-01T00:00:00.006Z")]);
        yes(&[("EQ_action", "OBSERVE")]);
        no(&[("EQ_action", "ADD|DELETE")]);
        yes(&[("EQ_bizStep", "shipping|urn:epcglobal:cbv:bizstep:receiving")]);
        yes(&[("EQ_disposition", "in_progress")]);
        yes(&[(
            "EQ_readPoint",
            "https://id.gs1.org/414/6918790000008/254/DOCK",
        )]);
        no(&[("EQ_readPoint", "urn:epc:id:sgln:6918790.00000.0")]);
        yes(&[("WD_readPoint", "urn:epc:id:sgln:6918790.00000.0")]);
        yes(&[("EQ_bizLocation", "https://id.gs1.org/414/6918790000008")]);
        yes(&[(
            "MATCH_epc",
            "https://id.gs1.org/01/06918790000015/21/TGRMXDB2",
        )]);
        yes(&[("MATCH_epc", "urn:epc:idpat:sgtin:6918790.000001.*")]);
        yes(&[("MATCH_anyEPC", "urn:epc:idpat:sgtin:6918790.*.*")]);
        no(&[("MATCH_epc", "urn:epc:idpat:sgtin:6918791.*.*")]);
        no(&[("MATCH_parentID", "urn:epc:idpat:sscc:6918790.*")]);
        yes(&[("MATCH_epcClass", "urn:epc:class:lgtin:6918790.000001.L7")]);
        yes(&[("MATCH_anyEPCClass", "urn:epc:idpat:sgtin:6918790.000001.*")]);
        no(&[(
            "MATCH_outputEPCClass",
            "urn:epc:idpat:sgtin:6918790.000001.*",
        )]);
        yes(&[("EQ_eventID", "x|ni:///sha-256;ab?ver=CBV2.0")]);
        yes(&[(
            "EQ_source_owning_party",
            "https://id.gs1.org/417/6918790000008",
        )]);
        no(&[(
            "EQ_destination_owning_party",
            "https://id.gs1.org/417/6918790000008",
        )]);
        yes(&[("perPage", "2"), ("nextPageToken", "anything")]);
    }

    #[test]
    fn a_parameter_that_cannot_be_answered_is_named() {
        let refused = |params: &[(&str, &str)], name: &str, says: &str| {
            let e = query(params).unwrap_err();
            assert_eq!(e.name, name, "{params:?}");
            assert!(e.problem.contains(says), "{e}");
        };
        refused(
            &[("EQ_colour", "red")],
            "EQ_colour",
            "not a query parameter",
        );
        refused(
            &[("EQ_bizStep", "a"), ("EQ_bizStep", "b")],
            "EQ_bizStep",
            "more than once",
        );
        refused(
            &[("GE_eventTime", "yesterday")],
            "GE_eventTime",
            "not a date-time",
        );
        refused(&[("EQ_action", "MOVE")], "EQ_action", "not ADD");
        refused(&[("EQ_bizStep", "a||b")], "EQ_bizStep", "empty value");
        refused(
            &[("MATCH_epc", "urn:epc:id:sgtin:6918790.000001")],
            "MATCH_epc",
            "not an identifier",
        );
        refused(
            &[("MATCH_epc", "urn:epc:idpat:grai:6918790.*.*")],
            "MATCH_epc",
            "not answered",
        );
        refused(&[("orderBy", "colour")], "orderBy", "not answered");
        refused(
            &[("orderDirection", "ASC")],
            "orderDirection",
            "needs orderBy",
        );
        refused(&[("eventCountLimit", "0")], "eventCountLimit", "positive");
        refused(
            &[("eventCountLimit", "2"), ("maxEventCount", "3")],
            "eventCountLimit",
            "maxEventCount",
        );
    }

    #[test]
    fn the_order_descends_once_asked_for_by_default() {
        assert!(!query(&[]).unwrap().descending);
        assert!(query(&[("orderBy", "eventTime")]).unwrap().descending);
        let ascending = query(&[("orderBy", "recordTime"), ("orderDirection", "ASC")]).unwrap();
        assert_eq!(
            (ascending.order_by, ascending.descending),
            (OrderBy::RecordTime, false)
        );
    }
}
