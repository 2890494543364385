//! Generated cold supply chains (farms → packer → cold-chain carrier → importer → stores) in
//! GS1 EPCIS 2.0, with faults injected on chosen lots, and the breaks each fault must produce:
//! the tests' own corpus, made fresh from a seed, of a shape of its own; and, lot by lot, the
//! benchmarks' million events.
//!
//! Identifiers are written as EPC URNs or Digital Links and times in UTC or local time at
//! random, as the systems of different parties write them.

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use serde_json::{Value, json};

/// The EPCIS 2.0 context every event names.
pub const EPCIS: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// One party of the chain.
#[derive(Debug, Clone)]
pub struct Party {
    pub code: &'static str,
    pub prefix: String,
    pub steps: &'static [&'static str],
    /// Its locations' GLNs (the first its main site).
    pub sites: Vec<String>,
}

impl Party {
    /// Its party GLN: the prefix, zeros, a check digit.
    pub fn gln(&self) -> String {
        key(&format!("{:0<12}", self.prefix))
    }

    fn site(&self) -> &str {
        &self.sites[0]
    }
}

/// The GS1 check digit appended.
pub fn key(body: &str) -> String {
    let check = corridor_gs1::check_digit(body.as_bytes()).expect("a key's digits");
    format!("{body}{check}")
}

/// A case: its EPC URN, its Digital Link, and its items (EPC URN, Digital Link).
type Case = (String, String, Vec<(String, String)>);

/// A fault injected, and what it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    MissingHop,
    WrongSigner,
    TemperatureExcursion,
    RevokedCertificate,
    RecalledUpstream,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::MissingHop,
        Fault::WrongSigner,
        Fault::TemperatureExcursion,
        Fault::RevokedCertificate,
        Fault::RecalledUpstream,
    ];

    /// The kind of break it produces.
    pub fn kind(self) -> &'static str {
        match self {
            Fault::MissingHop => "missing-hop",
            Fault::WrongSigner => "wrong-signer",
            Fault::TemperatureExcursion => "temperature-excursion",
            Fault::RevokedCertificate => "certificate-problem",
            Fault::RecalledUpstream => "recalled-upstream",
        }
    }
}

/// A generated chain: its events, reference data, and the breaks each object must show.
pub struct Chain {
    pub parties: Vec<Party>,
    pub events: Vec<Value>,
    pub reference: Value,
    /// Every item, lot and logistic unit (canonical Digital Links), with the kinds of break
    /// its provenance must report (none: clean).
    pub expected: BTreeMap<String, BTreeSet<&'static str>>,
    /// The lot of every item and case, and every lot's own, for origins.
    pub lot_of: BTreeMap<String, String>,
    /// Each lot's farm site GLN.
    pub farm_site: BTreeMap<String, String>,
    /// For the missing hop: the two events (by index) whose move no shipment links.
    pub unlinked: Option<(usize, usize)>,
}

impl Chain {
    /// Adds the part of the chain made from later lots ([`generate_lots`]).
    pub fn extend(&mut self, later: Chain) {
        self.events.extend(later.events);
        self.expected.extend(later.expected);
        self.lot_of.extend(later.lot_of);
        self.farm_site.extend(later.farm_site);
        let certificates = self.reference["certificates"]
            .as_array_mut()
            .expect("a list");
        for certificate in later.reference["certificates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if !certificates.iter().any(|c| c["id"] == certificate["id"]) {
                certificates.push(certificate.clone());
            }
        }
    }
}

struct Writer<'r, R: Rng> {
    rng: &'r mut R,
    clock: i64,
    events: Vec<Value>,
}

impl<R: Rng> Writer<'_, R> {
    /// A time, a minute after the last, written as a local time with an offset or in UTC.
    fn time(&mut self) -> String {
        self.clock += 60 + self.rng.random_range(0..30);
        let ms = (1_740_787_200 + self.clock) * 1000; // from 2025-03-01T00:00:00Z
        if self.rng.random_bool(0.5) {
            corridor_js::to_iso_string(ms)
        } else {
            let local = corridor_js::to_iso_string(ms + 8 * 3_600_000);
            format!("{}+08:00", local.trim_end_matches('Z'))
        }
    }

    fn push(&mut self, mut event: Value, recorder: &Party) -> usize {
        let time = self.time();
        let fields = event.as_object_mut().unwrap();
        fields.insert("eventTime".into(), json!(time));
        fields.insert("eventTimeZoneOffset".into(), json!("+08:00"));
        let recorded_by = if self.rng.random_bool(0.5) {
            format!(
                "urn:epc:id:pgln:{}.{}",
                recorder.prefix,
                &recorder.gln()[recorder.prefix.len()..12]
            )
        } else {
            format!("https://id.gs1.org/417/{}", recorder.gln())
        };
        fields.insert("corridor:recordedBy".into(), json!(recorded_by));
        let mut ordered = serde_json::Map::new();
        ordered.insert(
            "@context".into(),
            json!([EPCIS, {"corridor": "https://ns.corridor.example/trace/"}]),
        );
        ordered.extend(std::mem::take(fields));
        self.events.push(Value::Object(ordered));
        self.events.len() - 1
    }

    /// A location, with an extension or not, in either form.
    fn location(&mut self, party: &Party, site: &str, extension: Option<&str>) -> String {
        if self.rng.random_bool(0.5) {
            let reference = &site[party.prefix.len()..12];
            format!(
                "urn:epc:id:sgln:{}.{reference}.{}",
                party.prefix,
                extension.unwrap_or("0")
            )
        } else {
            match extension {
                Some(ext) => format!("https://id.gs1.org/414/{site}/254/{ext}"),
                None => format!("https://id.gs1.org/414/{site}"),
            }
        }
    }
}

/// A GS1 identifier in the form a random system writes it.
fn written(rng: &mut impl Rng, urn: String, dl: String) -> String {
    if rng.random_bool(0.5) { urn } else { dl }
}

/// A chain of `lots` lots of `items_per_lot` items (a multiple of 10, packed 10 a case), the
/// faults injected on lots 1 to 5 (one each), lot 0 and the rest clean.
pub fn generate(rng: &mut impl Rng, lots: usize, items_per_lot: usize) -> Chain {
    generate_lots(rng, 0..lots, items_per_lot)
}

/// The part of a chain made from the lots numbered `lots` (of `items_per_lot` items each):
/// consecutive ranges make one chain, each range's events after the last's.
pub fn generate_lots(
    rng: &mut impl Rng,
    lots: std::ops::Range<usize>,
    items_per_lot: usize,
) -> Chain {
    let party = |code, prefix: &str, steps, sites: usize| Party {
        code,
        prefix: prefix.to_owned(),
        steps,
        sites: (1..=sites)
            .map(|i| {
                key(&format!(
                    "{prefix}{:0>width$}",
                    i,
                    width = 12 - prefix.len()
                ))
            })
            .collect(),
    };
    let farms = [
        party(
            "FA",
            "6941001",
            &["commissioning", "shipping", "holding"],
            1,
        ),
        party(
            "FB",
            "69410022",
            &["commissioning", "shipping", "holding"],
            1,
        ),
        party(
            "FC",
            "694100333",
            &["commissioning", "shipping", "holding"],
            1,
        ),
    ];
    let packer = party(
        "PK",
        "6951234",
        &["receiving", "commissioning", "packing", "shipping"],
        1,
    );
    let carrier = party("CR", "8860001", &["sensor_reporting"], 1);
    let importer = party("IM", "88712345", &["receiving", "storing", "shipping"], 1);
    let stores = party(
        "ST",
        "8880007",
        &["receiving", "unpacking", "stocking", "retail_selling"],
        3,
    );
    let mut parties: Vec<Party> = farms.to_vec();
    parties.extend([
        packer.clone(),
        carrier.clone(),
        importer.clone(),
        stores.clone(),
    ]);

    let lot_gtin = |farm: &Party| {
        key(&format!(
            "0{}{:0>width$}",
            farm.prefix,
            1,
            width = 12 - farm.prefix.len()
        ))
    };
    let item_gtin = |farm_index: usize| {
        key(&format!(
            "0{}{:0>width$}",
            packer.prefix,
            farm_index + 1,
            width = 12 - packer.prefix.len()
        ))
    };
    let mut w = Writer {
        rng,
        clock: 0,
        events: Vec::new(),
    };
    let mut expected: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut lot_of = BTreeMap::new();
    let mut farm_site = BTreeMap::new();
    let mut certificates = Vec::new();
    let mut unlinked = None;
    let cases_per_lot = items_per_lot.div_ceil(10) as u64;

    for lot_index in lots {
        let fault = match lot_index {
            1..=5 => Some(Fault::ALL[lot_index - 1]),
            _ => None,
        };
        let farm_index = lot_index % farms.len();
        let farm = &farms[farm_index];
        let gtin = lot_gtin(farm);
        let lot = format!("L{lot_index:03}X");
        let mut item_serial = (lot_index * items_per_lot) as u64;
        let mut case_serial = lot_index as u64 * cases_per_lot;
        let lot_dl = format!("https://id.gs1.org/01/{gtin}/10/{lot}");
        let lot_urn = format!(
            "urn:epc:class:lgtin:{}.{}{}.{lot}",
            farm.prefix,
            &gtin[0..1],
            &gtin[1 + farm.prefix.len()..13]
        );
        farm_site.insert(lot_dl.clone(), farm.site().to_owned());
        lot_of.insert(lot_dl.clone(), lot_dl.clone());

        // The farm's certificate: its own for the lot that breaks it, revoked.
        let gap = format!("https://certs.example/gap/{}-{lot_index}", farm.code);
        certificates.push(
            json!({"id": gap, "kind": "gap", "holder": farm.gln(), "covers": [lot_dl],
            "validFrom": "2024-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z",
            "revoked": fault == Some(Fault::RevokedCertificate)}),
        );

        let lot_ref = |w: &mut Writer<_>| written(w.rng, lot_urn.clone(), lot_dl.clone());
        let quantity =
            |w: &mut Writer<_>| json!([{"epcClass": lot_ref(w), "quantity": 40, "uom": "KGM"}]);
        let q = quantity(&mut w);
        let (rp, bl) = (
            w.location(farm, farm.site(), Some("F1")),
            w.location(farm, farm.site(), None),
        );
        w.push(json!({"type": "ObjectEvent", "action": "ADD", "quantityList": q, "bizStep": "commissioning",
            "disposition": "active", "readPoint": {"id": rp}, "bizLocation": {"id": bl}, "certificationInfo": gap}), farm);
        let q = quantity(&mut w);
        let (rp, dest) = (
            w.location(farm, farm.site(), Some("DOCK")),
            w.location(&packer, packer.site(), None),
        );
        w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "quantityList": q, "bizStep": "shipping",
            "disposition": "in_transit", "readPoint": {"id": rp},
            "destinationList": [{"type": "location", "destination": dest}]}), farm);
        // The packer receives the lot; with the wrong-signer fault, the farm records it.
        let q = quantity(&mut w);
        let (rp, bl) = (
            w.location(&packer, packer.site(), Some("DOCK")),
            w.location(&packer, packer.site(), None),
        );
        let receiver = if fault == Some(Fault::WrongSigner) {
            farm
        } else {
            &packer
        };
        w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "quantityList": q, "bizStep": "receiving",
            "disposition": "in_progress", "readPoint": {"id": rp}, "bizLocation": {"id": bl},
            "sensorElementList": [{"sensorReport": [{"type": "gs1:Temperature", "value": 4, "uom": "CEL"}]}]}), receiver);

        // Packed into items, ten to a case.
        let item_gtin = item_gtin(farm_index);
        let items: Vec<(String, String)> = (0..items_per_lot)
            .map(|_| {
                item_serial += 1;
                let serial = format!("S{item_serial:06}");
                let dl = format!("https://id.gs1.org/01/{item_gtin}/21/{serial}");
                let urn = format!(
                    "urn:epc:id:sgtin:{}.{}{}.{serial}",
                    packer.prefix,
                    &item_gtin[0..1],
                    &item_gtin[1 + packer.prefix.len()..13]
                );
                (urn, dl)
            })
            .collect();
        let item_ref = |w: &mut Writer<_>, item: &(String, String)| {
            written(w.rng, item.0.clone(), item.1.clone())
        };
        let outputs: Vec<String> = items.iter().map(|i| item_ref(&mut w, i)).collect();
        let q = quantity(&mut w);
        let (rp, bl) = (
            w.location(&packer, packer.site(), Some("LINE1")),
            w.location(&packer, packer.site(), None),
        );
        let haccp = "https://certs.example/haccp/PK";
        w.push(json!({"type": "TransformationEvent", "inputQuantityList": q, "outputEPCList": outputs,
            "bizStep": "commissioning", "disposition": "active", "readPoint": {"id": rp}, "bizLocation": {"id": bl},
            "certificationInfo": haccp}), &packer);
        let cases: Vec<Case> = items
            .chunks(10)
            .map(|chunk| {
                case_serial += 1;
                let body = format!(
                    "1{}{:0>width$}",
                    packer.prefix,
                    case_serial,
                    width = 16 - packer.prefix.len()
                );
                let sscc = key(&body);
                let urn = format!(
                    "urn:epc:id:sscc:{}.1{}",
                    packer.prefix,
                    &body[1 + packer.prefix.len()..]
                );
                (urn, format!("https://id.gs1.org/00/{sscc}"), chunk.to_vec())
            })
            .collect();
        for (urn, dl, contents) in &cases {
            let parent = written(w.rng, urn.clone(), dl.clone());
            let children: Vec<String> = contents.iter().map(|i| item_ref(&mut w, i)).collect();
            let (rp, bl) = (
                w.location(&packer, packer.site(), Some("LINE1")),
                w.location(&packer, packer.site(), None),
            );
            w.push(json!({"type": "AggregationEvent", "action": "ADD", "parentID": parent, "childEPCs": children,
                "bizStep": "packing", "disposition": "in_progress", "readPoint": {"id": rp}, "bizLocation": {"id": bl}}), &packer);
        }
        // Exported under a certificate naming the cases.
        let export = format!("https://certs.example/export/{lot_index}");
        certificates.push(json!({"id": export, "kind": "export-health", "holder": packer.gln(),
            "covers": cases.iter().map(|c| c.1.clone()).collect::<Vec<_>>(),
            "validFrom": "2024-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z", "revoked": false}));
        let case_refs: Vec<String> = cases
            .iter()
            .map(|c| written(w.rng, c.0.clone(), c.1.clone()))
            .collect();
        let (rp, dest) = (
            w.location(&packer, packer.site(), Some("DOCK")),
            w.location(&importer, importer.site(), None),
        );
        w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": case_refs, "bizStep": "shipping",
            "disposition": "in_transit", "readPoint": {"id": rp}, "certificationInfo": [export],
            "destinationList": [{"type": "location", "destination": dest}, {"type": "owning_party", "destination": format!("https://id.gs1.org/417/{}", importer.gln())}]}), &packer);
        let case_refs: Vec<String> = cases
            .iter()
            .map(|c| written(w.rng, c.0.clone(), c.1.clone()))
            .collect();
        let rp = w.location(&carrier, carrier.site(), None);
        w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": case_refs, "bizStep": "sensor_reporting",
            "readPoint": {"id": rp},
            "sensorElementList": [{"sensorMetadata": {"startTime": "2025-03-01T00:00:00Z", "endTime": "2025-03-02T00:00:00Z"},
                "sensorReport": [{"type": "gs1:Temperature", "minValue": 1.5, "maxValue": 6.5, "meanValue": 3.2, "uom": "CEL"}]}]}), &carrier);
        for (case_index, (urn, dl, contents)) in cases.iter().enumerate() {
            let store_site = stores.sites[(lot_index + case_index) % stores.sites.len()].clone();
            let case_ref = written(w.rng, urn.clone(), dl.clone());
            let (rp, bl) = (
                w.location(&importer, importer.site(), Some("DOCK")),
                w.location(&importer, importer.site(), None),
            );
            w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": [case_ref], "bizStep": "receiving",
                "disposition": "in_progress", "readPoint": {"id": rp}, "bizLocation": {"id": bl},
                "sensorElementList": [{"sensorReport": [{"type": "gs1:Temperature", "value": 3.5, "uom": "CEL"}]}]}), &importer);
            // The temperature fault: one case kept too warm at the importer.
            let warm = fault == Some(Fault::TemperatureExcursion) && case_index == 0;
            let case_ref = written(w.rng, urn.clone(), dl.clone());
            let (rp, bl) = (
                w.location(&importer, importer.site(), Some("CR1")),
                w.location(&importer, importer.site(), None),
            );
            let storing = w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": [case_ref], "bizStep": "storing",
                "disposition": "sellable_not_accessible", "readPoint": {"id": rp}, "bizLocation": {"id": bl},
                "sensorElementList": [{"sensorReport": [
                    {"type": "gs1:Temperature", "value": 2, "uom": "CEL"},
                    {"type": "gs1:Temperature", "value": if warm { 11.5 } else { 5.0 }, "uom": "CEL"}]}]}), &importer);
            // The missing hop: the importer's shipping to the store of one case is lost.
            let lost = fault == Some(Fault::MissingHop) && case_index == 0;
            if !lost {
                let case_ref = written(w.rng, urn.clone(), dl.clone());
                let (rp, dest) = (
                    w.location(&importer, importer.site(), Some("DOCK")),
                    w.location(&stores, &store_site, None),
                );
                w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": [case_ref], "bizStep": "shipping",
                    "disposition": "in_transit", "readPoint": {"id": rp},
                    "destinationList": [{"type": "location", "destination": dest}]}), &importer);
            }
            let case_ref = written(w.rng, urn.clone(), dl.clone());
            let (rp, bl) = (
                w.location(&stores, &store_site, Some("DOOR")),
                w.location(&stores, &store_site, None),
            );
            let received = w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": [case_ref], "bizStep": "receiving",
                "disposition": "in_progress", "readPoint": {"id": rp}, "bizLocation": {"id": bl}}), &stores);
            if lost {
                unlinked = Some((storing, received));
            }
            let parent = written(w.rng, urn.clone(), dl.clone());
            let children: Vec<String> = contents.iter().map(|i| item_ref(&mut w, i)).collect();
            let (rp, bl) = (
                w.location(&stores, &store_site, Some("BACK")),
                w.location(&stores, &store_site, None),
            );
            w.push(json!({"type": "AggregationEvent", "action": "DELETE", "parentID": parent, "childEPCs": children,
                "bizStep": "unpacking", "disposition": "in_progress", "readPoint": {"id": rp}, "bizLocation": {"id": bl}}), &stores);
            let stocked: Vec<String> = contents.iter().map(|i| item_ref(&mut w, i)).collect();
            let (rp, bl) = (
                w.location(&stores, &store_site, Some("FRIDGE")),
                w.location(&stores, &store_site, None),
            );
            w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": stocked, "bizStep": "stocking",
                "disposition": "sellable_accessible", "readPoint": {"id": rp}, "bizLocation": {"id": bl}}), &stores);
            let sold: Vec<&(String, String)> =
                contents.iter().filter(|_| w.rng.random_bool(0.6)).collect();
            for item in sold {
                let sold = item_ref(&mut w, item);
                let (rp, bl) = (
                    w.location(&stores, &store_site, Some("CHECKOUT")),
                    w.location(&stores, &store_site, None),
                );
                w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": [sold], "bizStep": "retail_selling",
                    "disposition": "retail_sold", "readPoint": {"id": rp}, "bizLocation": {"id": bl}}), &stores);
            }
        }
        if fault == Some(Fault::RecalledUpstream) {
            let q = quantity(&mut w);
            let rp = w.location(farm, farm.site(), None);
            w.push(json!({"type": "ObjectEvent", "action": "OBSERVE", "quantityList": q, "bizStep": "holding",
                "disposition": "recalled", "readPoint": {"id": rp}}), farm);
        }

        // What each object must show: a fault on the lot reaches everything made from it; one
        // on a case, that case and what it holds.
        let lot_wide = matches!(
            fault,
            Some(Fault::WrongSigner | Fault::RevokedCertificate | Fault::RecalledUpstream)
        );
        let kinds = |hit: bool| -> BTreeSet<&'static str> {
            fault.filter(|_| hit).map(Fault::kind).into_iter().collect()
        };
        expected.insert(lot_dl.clone(), kinds(lot_wide));
        for (case_index, (_, dl, contents)) in cases.iter().enumerate() {
            let hit = lot_wide || case_index == 0;
            expected.insert(dl.clone(), kinds(hit));
            lot_of.insert(dl.clone(), lot_dl.clone());
            for item in contents {
                expected.insert(item.1.clone(), kinds(hit));
                lot_of.insert(item.1.clone(), lot_dl.clone());
            }
        }
    }
    certificates.push(json!({"id": "https://certs.example/haccp/PK", "kind": "haccp", "holder": packer.gln(),
        "covers": (0..farms.len()).map(|i| format!("https://id.gs1.org/01/{}", item_gtin(i))).collect::<Vec<_>>(),
        "validFrom": "2024-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z", "revoked": false}));
    let products: Vec<Value> = farms
        .iter()
        .enumerate()
        .flat_map(|(i, farm)| {
            [
                json!({"gtin": lot_gtin(farm), "name": format!("{} produce, bulk", farm.code), "gcp": farm.prefix,
                    "temperatureRange": {"minCelsius": 0, "maxCelsius": 8}}),
                json!({"gtin": item_gtin(i), "name": format!("{} produce, packed", farm.code), "gcp": packer.prefix,
                    "temperatureRange": {"minCelsius": 0, "maxCelsius": 8}}),
            ]
        })
        .collect();
    let reference = json!({
        "parties": parties.iter().map(|p| json!({
            "gln": p.gln(), "name": p.code, "gcp": p.prefix, "authorisedBizSteps": p.steps,
            "locations": p.sites.iter().map(|s| json!({"gln": s})).collect::<Vec<_>>()
        })).collect::<Vec<_>>(),
        "products": products,
        "certificates": certificates,
    });
    let events = std::mem::take(&mut w.events);
    Chain {
        parties,
        events,
        reference,
        expected,
        lot_of,
        farm_site,
        unlinked,
    }
}

/// Whether two JSON values are the same, numbers compared by value (`5` and `5.0` alike), as
/// answers are compared with a corpus written by another language's JSON.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
