//! One EPCIS 2.0 event read from its JSON-LD binding into what traceability asks of it.

use std::collections::HashMap;
use std::fmt;

use corridor_gs1::{Gln, Identifier};
use serde_json::{Map, Value};

use crate::cbv::{Vocabulary, gs1_term};

/// The IRI of the extension naming the party that recorded an event: EPCIS 2.0 has no field
/// for it, and a credential's signer is checked against it.
pub const RECORDED_BY: &str = "https://ns.corridor.example/trace/recordedBy";

/// The namespace of Corridor's traceability extension.
const CORRIDOR_NS: &str = "https://ns.corridor.example/trace/";

/// Names `party` as the recorder of `event` ([`RECORDED_BY`], as its Digital Link), declaring
/// the extension's prefix in the event's `@context` when it is not. Leaves an event that names
/// a recorder already as it is.
///
/// ```
/// use corridor_epcis::{Event, Prefixes, name_recorder};
/// let mut event = serde_json::json!({
///   "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
///   "type": "ObjectEvent", "eventTime": "2025-03-02T22:21:40+08:00", "eventTimeZoneOffset": "+08:00",
///   "epcList": [], "action": "OBSERVE"});
/// name_recorder(&mut event, &"0614141000005".parse().unwrap());
/// let read = Event::read(&event, &Prefixes::default()).unwrap();
/// assert_eq!(read.recorded_by.as_deref(), Some("https://id.gs1.org/417/0614141000005"));
/// assert!(corridor_epcis::validate(&event).is_ok());
/// ```
pub fn name_recorder(event: &mut Value, party: &Gln) {
    let Some(fields) = event.as_object_mut() else {
        return;
    };
    let prefixes = Prefixes::default().with(fields.get("@context"));
    if fields.keys().any(|key| prefixes.expand(key) == RECORDED_BY) {
        return;
    }
    let declared = prefixes
        .0
        .iter()
        .filter(|(_, iri)| *iri == CORRIDOR_NS)
        .map(|(prefix, _)| prefix.clone())
        .min();
    let prefix = match declared {
        Some(prefix) => prefix,
        None => {
            let prefix = std::iter::once("corridor".to_owned())
                .chain((1..).map(|n| format!("corridor{n}")))
                .find(|p| prefixes.namespace(p).is_none())
                .expect("a free prefix");
            let declaration = serde_json::json!({ prefix.clone(): CORRIDOR_NS });
            let context = match fields.remove("@context") {
                Some(Value::Array(mut entries)) => {
                    entries.push(declaration);
                    Value::Array(entries)
                }
                Some(entry) => Value::Array(vec![entry, declaration]),
                None => Value::Array(vec![
                    Value::String(crate::EPCIS_CONTEXT_URL.to_owned()),
                    declaration,
                ]),
            };
            // The context first, as events carry it.
            let rest = std::mem::take(fields);
            fields.insert("@context".into(), context);
            fields.extend(rest);
            prefix
        }
    };
    fields.insert(
        format!("{prefix}:recordedBy"),
        Value::String(format!("https://id.gs1.org/417/{party}")),
    );
}

/// The five event types of EPCIS 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Object,
    Aggregation,
    Transformation,
    Transaction,
    Association,
}

impl EventType {
    /// Its name as events write it in `type`.
    pub fn name(self) -> &'static str {
        match self {
            EventType::Object => "ObjectEvent",
            EventType::Aggregation => "AggregationEvent",
            EventType::Transformation => "TransformationEvent",
            EventType::Transaction => "TransactionEvent",
            EventType::Association => "AssociationEvent",
        }
    }

    /// The type named `name`.
    pub fn from_name(name: &str) -> Option<EventType> {
        [
            EventType::Object,
            EventType::Aggregation,
            EventType::Transformation,
            EventType::Transaction,
            EventType::Association,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

/// What an event does to the objects it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Add,
    Observe,
    Delete,
}

/// An object, location or party an event names: a GS1 identifier, compared by what it names
/// whichever form it was written in, or any other URI, compared as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Epc {
    Gs1(Identifier),
    Other(String),
}

impl Epc {
    /// Reads `text`. A GS1 Digital Link or EPC URN of a kind Corridor reads must be a correct
    /// one (`Err` with the reason); any other URI is kept as written.
    ///
    /// ```
    /// use corridor_epcis::Epc;
    /// let a = Epc::read("urn:epc:id:sscc:6918790.1000000084").unwrap();
    /// let b = Epc::read("https://id.gs1.org/00/169187900000000845").unwrap();
    /// assert_eq!(a, b);
    /// assert!(Epc::read("https://id.gs1.org/00/169187900000000846").is_err());
    /// assert_eq!(Epc::read("urn:epc:id:grai:4012345.55555.1").unwrap().to_string(), "urn:epc:id:grai:4012345.55555.1");
    /// ```
    pub fn read(text: &str) -> Result<Epc, corridor_gs1::IdError> {
        match Identifier::parse(text) {
            Ok(identifier) => Ok(Epc::Gs1(identifier)),
            Err(error) if claims_gs1(text) => Err(error),
            Err(_) => Ok(Epc::Other(text.to_owned())),
        }
    }

    /// The GS1 identifier, if it is one.
    pub fn gs1(&self) -> Option<&Identifier> {
        match self {
            Epc::Gs1(identifier) => Some(identifier),
            Epc::Other(_) => None,
        }
    }

    /// The GLN of a location or party.
    pub fn gln(&self) -> Option<Gln> {
        self.gs1().and_then(Identifier::gln)
    }
}

/// Whether `text` is written as one of the GS1 identifiers Corridor reads, so that failing
/// to read it is an error rather than another scheme.
fn claims_gs1(text: &str) -> bool {
    const URNS: [&str; 6] = [
        "urn:epc:id:sgtin:",
        "urn:epc:class:lgtin:",
        "urn:epc:idpat:sgtin:",
        "urn:epc:id:sscc:",
        "urn:epc:id:sgln:",
        "urn:epc:id:pgln:",
    ];
    if URNS.iter().any(|urn| text.starts_with(urn)) {
        return true;
    }
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let path = rest.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .any(|segment| matches!(segment, "01" | "00" | "414" | "417" | "gtin" | "sscc"))
}

/// The canonical Digital Link of a GS1 identifier; any other URI as written.
impl fmt::Display for Epc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Epc::Gs1(identifier) => write!(f, "{identifier}"),
            Epc::Other(text) => f.write_str(text),
        }
    }
}

/// A class of objects with an amount of it: a quantity list's element.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub class: Epc,
    pub quantity: Option<f64>,
    pub uom: Option<String>,
}

/// A source or destination: its CBV type's word and the party or location.
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    pub kind: String,
    pub id: String,
}

/// One sensor report.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorReport {
    /// The GS1 Web Vocabulary term of what was measured (`Temperature`).
    pub kind: Option<String>,
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub uom: Option<String>,
}

impl SensorReport {
    /// The readings a range is checked against, in degrees Celsius when the report is a
    /// temperature in Celsius, Fahrenheit or kelvin: `value`, `minValue` and `maxValue`
    /// (a mean inside the range says nothing of the extremes).
    pub fn celsius_extremes(&self) -> Vec<f64> {
        if self.kind.as_deref() != Some("Temperature") {
            return Vec::new();
        }
        let to_celsius = |reading: f64| match self.uom.as_deref() {
            Some("FAH") => Some((reading - 32.0) * 5.0 / 9.0),
            Some("KEL") => Some(reading - 273.15),
            Some("CEL") | None => Some(reading),
            Some(_) => None,
        };
        [self.value, self.min, self.max]
            .into_iter()
            .flatten()
            .filter_map(to_celsius)
            .collect()
    }
}

/// An EPCIS 2.0 event, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventType,
    /// `eventID` as written.
    pub id: Option<String>,
    /// `eventTime` in milliseconds since 1970 UTC.
    pub time: i64,
    pub action: Option<Action>,
    /// The bizStep's CBV word (or its URI when it is not a CBV value).
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub read_point: Option<Epc>,
    pub biz_location: Option<Epc>,
    pub epcs: Vec<Epc>,
    pub quantities: Vec<Quantity>,
    pub parent: Option<Epc>,
    pub children: Vec<Epc>,
    pub child_quantities: Vec<Quantity>,
    pub inputs: Vec<Epc>,
    pub input_quantities: Vec<Quantity>,
    pub outputs: Vec<Epc>,
    pub output_quantities: Vec<Quantity>,
    pub sources: Vec<Party>,
    pub destinations: Vec<Party>,
    pub sensor_reports: Vec<SensorReport>,
    /// The certificates cited in `certificationInfo`.
    pub certifications: Vec<String>,
    /// The business transactions in `bizTransactionList` (a purchase order, a bill of
    /// lading): their URIs.
    pub biz_transactions: Vec<String>,
    /// The recording party ([`RECORDED_BY`]) as written.
    pub recorded_by: Option<String>,
    /// The earliest of the ILMD's best-before, sell-by and expiration dates (`YYYY-MM-DD`),
    /// for what the event made.
    pub best_before: Option<String>,
    /// The DID whose key signed the event's credential, where the event was read from a store
    /// that keeps it: not part of the event, never read from it.
    pub signed_by: Option<String>,
}

/// Why an event cannot be read: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct EventError {
    /// Where in the event, as a path (`quantityList[2].epcClass`).
    pub field: String,
    pub problem: String,
}

fn error(field: impl Into<String>, problem: impl Into<String>) -> EventError {
    EventError {
        field: field.into(),
        problem: problem.into(),
    }
}

/// The term prefixes an `@context` declares (`{"corridor": "https://ns…/trace/"}`), so that
/// extension fields are recognised by their IRI whatever prefix a system chose.
#[derive(Debug, Clone, Default)]
pub struct Prefixes(HashMap<String, String>);

impl Prefixes {
    /// The prefixes declared by the objects in `context` (an `@context` value), added to these.
    pub fn with(&self, context: Option<&Value>) -> Prefixes {
        let mut prefixes = self.clone();
        let entries = match context {
            Some(Value::Array(entries)) => entries.iter().collect(),
            Some(entry) => vec![entry],
            None => Vec::new(),
        };
        for terms in entries.into_iter().filter_map(Value::as_object) {
            for (term, definition) in terms {
                let iri = match definition {
                    Value::Object(definition) => definition.get("@id").and_then(Value::as_str),
                    iri => iri.as_str(),
                };
                if let Some(iri) = iri {
                    prefixes.0.insert(term.clone(), iri.to_owned());
                }
            }
        }
        prefixes
    }

    /// The IRI a declared prefix stands for.
    pub fn namespace(&self, prefix: &str) -> Option<&str> {
        self.0.get(prefix).map(String::as_str)
    }

    /// A field name as the event hash ID writes it: `{namespace}local` when its prefix is
    /// declared.
    pub(crate) fn expand_key(&self, key: &str) -> String {
        match key
            .split_once(':')
            .and_then(|(prefix, local)| Some((self.0.get(prefix)?, local)))
        {
            Some((iri, local)) => format!("{{{iri}}}{local}"),
            None => key.to_owned(),
        }
    }

    /// A value as the event hash ID writes it: a declared prefix expanded.
    pub(crate) fn expand_value(&self, value: &str) -> String {
        match value
            .split_once(':')
            .and_then(|(prefix, local)| Some((self.0.get(prefix)?, local)))
        {
            Some((iri, local)) => format!("{}{local}", iri.replace(['{', '}'], "")),
            None => value.to_owned(),
        }
    }

    /// `key` as an IRI: a compact IRI expanded with a declared prefix, else as written.
    pub fn expand<'k>(&self, key: &'k str) -> std::borrow::Cow<'k, str> {
        if let Some(iri) = self.0.get(key) {
            return iri.clone().into();
        }
        if let Some((prefix, local)) = key.split_once(':') {
            if !local.starts_with("//") {
                if let Some(iri) = self.0.get(prefix) {
                    return format!("{iri}{local}").into();
                }
            }
        }
        key.into()
    }
}

impl Event {
    /// Reads one event. `prefixes` are those of the document it came in (an event of an
    /// EPCISDocument inherits the document's `@context`); the event's own are added.
    ///
    /// ```
    /// use corridor_epcis::{Event, EventType, Prefixes};
    /// let event: serde_json::Value = serde_json::from_str(r#"{
    ///   "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    ///                {"corridor": "https://ns.corridor.example/trace/"}],
    ///   "type": "ObjectEvent", "eventTime": "2025-03-02T22:21:40+08:00", "eventTimeZoneOffset": "+08:00",
    ///   "epcList": ["urn:epc:id:sgtin:6918790.000001.TGRMXDB2"], "action": "OBSERVE",
    ///   "bizStep": "https://ref.gs1.org/cbv/BizStep-receiving",
    ///   "corridor:recordedBy": "urn:epc:id:pgln:6918790.00000"
    /// }"#).unwrap();
    /// let event = Event::read(&event, &Prefixes::default()).unwrap();
    /// assert_eq!(event.kind, EventType::Object);
    /// assert_eq!(event.time, 1740925300000);
    /// assert_eq!(event.biz_step.as_deref(), Some("receiving"));
    /// assert_eq!(event.epcs[0].to_string(), "https://id.gs1.org/01/06918790000015/21/TGRMXDB2");
    /// assert_eq!(event.recorded_by.as_deref(), Some("urn:epc:id:pgln:6918790.00000"));
    /// ```
    pub fn read(value: &Value, prefixes: &Prefixes) -> Result<Event, EventError> {
        let Value::Object(event) = value else {
            return Err(error("", "an event is a JSON object"));
        };
        let prefixes = prefixes.with(event.get("@context"));
        let kind_name = string(event, "type")?.ok_or_else(|| error("type", "missing"))?;
        let kind = EventType::from_name(kind_name).ok_or_else(|| {
            error(
                "type",
                format!("{kind_name:?} is not an EPCIS 2.0 event type"),
            )
        })?;
        let time_text = string(event, "eventTime")?.ok_or_else(|| error("eventTime", "missing"))?;
        let time = corridor_js::parse_date(time_text)
            .filter(|_| time_text.len() > 10)
            .ok_or_else(|| error("eventTime", format!("{time_text:?} is not a date-time")))?;
        let action = match string(event, "action")? {
            None => None,
            Some("ADD") => Some(Action::Add),
            Some("OBSERVE") => Some(Action::Observe),
            Some("DELETE") => Some(Action::Delete),
            Some(other) => {
                return Err(error(
                    "action",
                    format!("{other:?} is not ADD, OBSERVE or DELETE"),
                ));
            }
        };
        let word = |field: &str, vocabulary: Vocabulary| -> Result<Option<String>, EventError> {
            Ok(string(event, field)?.map(|value| vocabulary.word(value).to_owned()))
        };
        let recorded_by = event
            .iter()
            .find(|(key, _)| prefixes.expand(key) == RECORDED_BY)
            .map(|(key, value)| {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| error(key.as_str(), "the recording party is a URI"))
            })
            .transpose()?;
        Ok(Event {
            kind,
            id: string(event, "eventID")?.map(str::to_owned),
            time,
            action,
            biz_step: word("bizStep", Vocabulary::BizStep)?,
            disposition: word("disposition", Vocabulary::Disposition)?,
            read_point: location(event, "readPoint")?,
            biz_location: location(event, "bizLocation")?,
            epcs: epc_list(event, "epcList")?,
            quantities: quantity_list(event, "quantityList")?,
            parent: string(event, "parentID")?
                .map(|id| epc(id, "parentID"))
                .transpose()?,
            children: epc_list(event, "childEPCs")?,
            child_quantities: quantity_list(event, "childQuantityList")?,
            inputs: epc_list(event, "inputEPCList")?,
            input_quantities: quantity_list(event, "inputQuantityList")?,
            outputs: epc_list(event, "outputEPCList")?,
            output_quantities: quantity_list(event, "outputQuantityList")?,
            sources: parties(event, "sourceList", "source")?,
            destinations: parties(event, "destinationList", "destination")?,
            sensor_reports: sensor_reports(event)?,
            certifications: certifications(event)?,
            biz_transactions: biz_transactions(event)?,
            recorded_by,
            best_before: best_before(event),
            signed_by: None,
        })
    }

    /// Every object the event names: its EPCs and quantities' classes, parent and children,
    /// inputs and outputs.
    pub fn objects(&self) -> impl Iterator<Item = &Epc> {
        fn classes(list: &[Quantity]) -> impl Iterator<Item = &Epc> {
            list.iter().map(|q| &q.class)
        }
        self.epcs
            .iter()
            .chain(classes(&self.quantities))
            .chain(self.parent.iter())
            .chain(self.children.iter())
            .chain(classes(&self.child_quantities))
            .chain(self.inputs.iter())
            .chain(classes(&self.input_quantities))
            .chain(self.outputs.iter())
            .chain(classes(&self.output_quantities))
    }

    /// The objects in `epcList` and `quantityList`.
    pub fn listed(&self) -> impl Iterator<Item = &Epc> {
        self.epcs
            .iter()
            .chain(self.quantities.iter().map(|q| &q.class))
    }

    /// The children of an aggregation or association: `childEPCs` and `childQuantityList`.
    pub fn all_children(&self) -> impl Iterator<Item = &Epc> {
        self.children
            .iter()
            .chain(self.child_quantities.iter().map(|q| &q.class))
    }

    /// The inputs of a transformation.
    pub fn all_inputs(&self) -> impl Iterator<Item = &Epc> {
        self.inputs
            .iter()
            .chain(self.input_quantities.iter().map(|q| &q.class))
    }

    /// The outputs of a transformation.
    pub fn all_outputs(&self) -> impl Iterator<Item = &Epc> {
        self.outputs
            .iter()
            .chain(self.output_quantities.iter().map(|q| &q.class))
    }

    /// The site the event happened at: the GLN of its bizLocation, else of its readPoint.
    pub fn site(&self) -> Option<Gln> {
        self.biz_location
            .as_ref()
            .and_then(Epc::gln)
            .or_else(|| self.read_point.as_ref().and_then(Epc::gln))
    }
}

fn string<'v>(event: &'v Map<String, Value>, field: &str) -> Result<Option<&'v str>, EventError> {
    match event.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(error(field, "must be a string")),
    }
}

fn epc(text: &str, field: &str) -> Result<Epc, EventError> {
    Epc::read(text).map_err(|problem| error(field, format!("{text:?}: {problem}")))
}

fn array<'v>(event: &'v Map<String, Value>, field: &str) -> Result<&'v [Value], EventError> {
    match event.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(error(field, "must be a list")),
    }
}

fn epc_list(event: &Map<String, Value>, field: &str) -> Result<Vec<Epc>, EventError> {
    array(event, field)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{field}[{i}]");
            item.as_str()
                .ok_or_else(|| error(&at, "must be a URI"))
                .and_then(|text| epc(text, &at))
        })
        .collect()
}

fn quantity_list(event: &Map<String, Value>, field: &str) -> Result<Vec<Quantity>, EventError> {
    array(event, field)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{field}[{i}]");
            let item = item
                .as_object()
                .ok_or_else(|| error(&at, "must be an object"))?;
            let class = string(item, "epcClass")
                .map_err(|e| error(format!("{at}.epcClass"), e.problem))?
                .ok_or_else(|| error(format!("{at}.epcClass"), "missing"))?;
            Ok(Quantity {
                class: epc(class, &format!("{at}.epcClass"))?,
                quantity: item.get("quantity").and_then(Value::as_f64),
                uom: item.get("uom").and_then(Value::as_str).map(str::to_owned),
            })
        })
        .collect()
}

fn location(event: &Map<String, Value>, field: &str) -> Result<Option<Epc>, EventError> {
    match event.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(place)) => {
            let id = string(place, "id")
                .map_err(|e| error(format!("{field}.id"), e.problem))?
                .ok_or_else(|| error(format!("{field}.id"), "missing"))?;
            epc(id, &format!("{field}.id")).map(Some)
        }
        Some(_) => Err(error(field, "must be an object with an id")),
    }
}

fn parties(event: &Map<String, Value>, field: &str, name: &str) -> Result<Vec<Party>, EventError> {
    array(event, field)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{field}[{i}]");
            let item = item
                .as_object()
                .ok_or_else(|| error(&at, "must be an object"))?;
            let text = |key: &str| {
                string(item, key)
                    .map_err(|e| error(format!("{at}.{key}"), e.problem))?
                    .ok_or_else(|| error(format!("{at}.{key}"), "missing"))
            };
            Ok(Party {
                kind: Vocabulary::SourceDestType.word(text("type")?).to_owned(),
                id: text(name)?.to_owned(),
            })
        })
        .collect()
}

fn sensor_reports(event: &Map<String, Value>) -> Result<Vec<SensorReport>, EventError> {
    let mut reports = Vec::new();
    for (i, element) in array(event, "sensorElementList")?.iter().enumerate() {
        let at = format!("sensorElementList[{i}]");
        let element = element
            .as_object()
            .ok_or_else(|| error(&at, "must be an object"))?;
        let list = array(element, "sensorReport")
            .map_err(|e| error(format!("{at}.sensorReport"), e.problem))?;
        for (j, report) in list.iter().enumerate() {
            let at = format!("{at}.sensorReport[{j}]");
            let report = report
                .as_object()
                .ok_or_else(|| error(&at, "must be an object"))?;
            let number = |key: &str| match report.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => Ok(n.as_f64()),
                Some(_) => Err(error(format!("{at}.{key}"), "must be a number")),
            };
            reports.push(SensorReport {
                kind: report
                    .get("type")
                    .and_then(Value::as_str)
                    .map(|t| gs1_term(t).to_owned()),
                value: number("value")?,
                min: number("minValue")?,
                max: number("maxValue")?,
                mean: number("meanValue")?,
                uom: report.get("uom").and_then(Value::as_str).map(str::to_owned),
            });
        }
    }
    Ok(reports)
}

fn certifications(event: &Map<String, Value>) -> Result<Vec<String>, EventError> {
    let cited = |value: &Value, at: &str| {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| error(at, "a certificate is cited by its URI"))
    };
    match event.get("certificationInfo") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, value)| cited(value, &format!("certificationInfo[{i}]")))
            .collect(),
        Some(value) => cited(value, "certificationInfo").map(|uri| vec![uri]),
    }
}

fn biz_transactions(event: &Map<String, Value>) -> Result<Vec<String>, EventError> {
    match event.get("bizTransactionList") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                entry
                    .get("bizTransaction")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        error(
                            format!("bizTransactionList[{i}].bizTransaction"),
                            "a business transaction is named by its URI",
                        )
                    })
            })
            .collect(),
        Some(_) => Err(error("bizTransactionList", "not a list")),
    }
}

/// The earliest end-of-life date the ILMD gives, by the CBV master data attributes.
fn best_before(event: &Map<String, Value>) -> Option<String> {
    const DATES: [&str; 3] = ["bestBeforeDate", "sellByDate", "itemExpirationDate"];
    let ilmd = event.get("ilmd")?.as_object()?;
    ilmd.iter()
        .filter(|(key, _)| {
            let local = key
                .strip_prefix("cbvmda:")
                .or_else(|| key.strip_prefix("urn:epcglobal:cbv:mda:"));
            local.is_some_and(|l| DATES.contains(&l))
        })
        .filter_map(|(_, value)| value.as_str())
        .filter(|date| date.len() >= 10 && date.is_char_boundary(10))
        .map(|date| date[..10].to_owned())
        .min()
}
