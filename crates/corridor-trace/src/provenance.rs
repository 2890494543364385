//! Provenance by the rules of Corridor's traceability corpus (version 1): containment through
//! aggregations, each object's path, the graph of what a target was made from back to its
//! origins, and the breaks found on the way.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use corridor_epcis::{Action, Epc, Event, EventType};
use corridor_gs1::{Gln, Identifier};
use serde::Serialize;

use crate::registry::Registry;

/// Later than every event: the horizon of what the target is now.
const ALWAYS: i64 = i64::MAX;

/// Events indexed for walking: by the objects they name, by the children they aggregate and by
/// the outputs they produce.
pub struct Trace {
    events: Vec<Event>,
    names: Vec<String>,
    naming: HashMap<Epc, Vec<usize>>,
    /// Aggregation events that add a child to, or take it from, a parent (OBSERVE changes
    /// nothing), by child.
    aggregated: HashMap<Epc, Vec<usize>>,
    /// Everything ever added to a parent, by parent.
    added_to: HashMap<Epc, Vec<Epc>>,
    /// Transformations, by output.
    produced: HashMap<Epc, Vec<usize>>,
    /// Transformations, by input.
    consumed: HashMap<Epc, Vec<usize>>,
    recalls: Vec<usize>,
    /// Events whose credential its signer revoked, by name, with the revocation's note.
    withdrawn: HashMap<String, String>,
    /// Documents events link to, as verified, by the URIs they are linked by.
    linked: HashMap<String, crate::Linked>,
}

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetType {
    Item,
    Lot,
    LogisticUnit,
}

/// Clean or broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Clean,
    Broken,
}

/// Where a thing in a target's provenance began.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    /// Its canonical Digital Link.
    pub id: String,
    pub urn: Option<String>,
    /// The GLN of the site of the event that created it.
    pub site: Option<String>,
    /// The party GLN of that site's owner.
    pub party: Option<String>,
    /// The event that created it.
    pub event: Option<String>,
}

/// Something the chain of custody does not vouch for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Break {
    /// A move between sites that no shipping links, or a first event that does not create
    /// the object.
    MissingHop {
        events: Vec<String>,
        from: Option<String>,
        to: Option<String>,
    },
    /// An event recorded by a party that may not record it.
    WrongSigner {
        events: Vec<String>,
        recorder: Option<String>,
        site: Option<String>,
        #[serde(rename = "bizStep")]
        biz_step: Option<String>,
        reasons: Vec<&'static str>,
    },
    /// Readings outside the product's declared range.
    TemperatureExcursion {
        events: Vec<String>,
        gtin: String,
        min: serde_json::Number,
        max: serde_json::Number,
        values: Vec<serde_json::Number>,
    },
    /// A certificate an event cites that does not hold for it.
    CertificateProblem {
        events: Vec<String>,
        certificate: String,
        reason: &'static str,
        /// What failed, when the certificate is a document that does not verify.
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A document an event names as a business transaction (a bill of lading) that does not
    /// verify, or is no longer valid.
    DocumentProblem {
        events: Vec<String>,
        document: String,
        reason: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// An event whose credential its signer revoked: the step is no longer vouched for.
    EventRevoked { events: Vec<String>, note: String },
    /// A recall of something the target came from, or of the target itself.
    RecalledUpstream {
        events: Vec<String>,
        recalled: String,
    },
}

/// The provenance of one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// The canonical Digital Link.
    pub dl: String,
    pub urn: Option<String>,
    #[serde(rename = "type")]
    pub target_type: TargetType,
    /// `item`, `lot`, `case` (a logistic unit holding no other) or `pallet`.
    pub unit: &'static str,
    pub gtin: Option<String>,
    pub verdict: Verdict,
    /// Sorted by id.
    pub origins: Vec<Origin>,
    /// Sorted by their JSON text.
    pub breaks: Vec<Break>,
}

/// What does not hold of a linked document for `event`: it does not verify, or it expired
/// before the event.
fn linked_problems(linked: &crate::Linked, event: &Event) -> Vec<(&'static str, Option<String>)> {
    let mut problems = Vec::new();
    if let Err(failed) = &linked.verified {
        problems.push(("not-verified", Some(failed.clone())));
    }
    if linked.valid_until.is_some_and(|until| event.time > until) {
        problems.push(("expired", None));
    }
    problems
}

/// Whether two DIDs (or DID URLs: a key's fragment aside) name the same DID; an Ethereum
/// address in a DID is compared in any case, as its checksum case is only a check.
fn same_did(a: &str, b: &str) -> bool {
    let bare = |did: &str| did.split('#').next().unwrap_or(did).to_owned();
    let (a, b) = (bare(a), bare(b));
    a == b || (a.starts_with("did:ethr:") && a.eq_ignore_ascii_case(&b))
}

/// The nodes of a target's provenance graph, each with its horizon.
type Graph = BTreeMap<Epc, i64>;

impl Trace {
    /// Indexes `events`; each is named by its `eventID` (events without one by their place).
    pub fn new(events: Vec<Event>) -> Trace {
        let mut trace = Trace {
            events: Vec::new(),
            names: Vec::new(),
            naming: HashMap::new(),
            aggregated: HashMap::new(),
            added_to: HashMap::new(),
            produced: HashMap::new(),
            consumed: HashMap::new(),
            recalls: Vec::new(),
            withdrawn: HashMap::new(),
            linked: HashMap::new(),
        };
        trace.extend(events);
        trace
    }

    /// Adds `events`: indexed as they come when none is earlier than those already held (as
    /// events are usually recorded), else everything indexed again in time order.
    pub fn extend(&mut self, mut events: Vec<Event>) {
        events.sort_by_key(|event| event.time);
        let last = self.events.last().map(|event| event.time);
        if let (Some(last), Some(first)) = (last, events.first())
            && first.time < last
        {
            let mut all = std::mem::take(&mut self.events);
            all.extend(events);
            let withdrawn = std::mem::take(&mut self.withdrawn);
            let linked = std::mem::take(&mut self.linked);
            *self = Trace::new(all);
            self.withdrawn = withdrawn;
            self.linked = linked;
            return;
        }
        for event in events {
            let index = self.events.len();
            self.names
                .push(event.id.clone().unwrap_or_else(|| format!("#{index}")));
            self.index(index, &event);
            self.events.push(event);
        }
    }

    fn index(&mut self, index: usize, event: &Event) {
        let mut named = HashSet::new();
        for object in event.objects() {
            if named.insert(object) {
                self.naming.entry(object.clone()).or_default().push(index);
            }
        }
        if event.kind == EventType::Aggregation
            && let Some(parent) = &event.parent
            && event.action != Some(Action::Observe)
        {
            for child in event.all_children() {
                self.aggregated
                    .entry(child.clone())
                    .or_default()
                    .push(index);
                if event.action == Some(Action::Add) {
                    let added = self.added_to.entry(parent.clone()).or_default();
                    if !added.contains(child) {
                        added.push(child.clone());
                    }
                }
            }
        }
        if event.kind == EventType::Transformation {
            for output in event.all_outputs() {
                self.produced.entry(output.clone()).or_default().push(index);
            }
            for input in event.all_inputs() {
                self.consumed.entry(input.clone()).or_default().push(index);
            }
        }
        if event.disposition.as_deref() == Some("recalled") {
            self.recalls.push(index);
        }
    }

    /// Marks the events named in `withdrawn` (by eventID) as revoked by their signer, with
    /// each revocation's note; replaces those marked before.
    pub fn set_withdrawn(&mut self, withdrawn: HashMap<String, String>) {
        self.withdrawn = withdrawn;
    }

    /// The documents events link to, as verified, by the URIs they are linked by.
    pub fn linked(&self) -> &HashMap<String, crate::Linked> {
        &self.linked
    }

    /// The documents events link to, as verified ([`crate::linked_documents`]); replaces
    /// those set before.
    pub fn set_linked(&mut self, linked: HashMap<String, crate::Linked>) {
        self.linked = linked;
    }

    /// The events, in time order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Whether any event names `object`.
    pub fn knows(&self, object: &Epc) -> bool {
        self.naming.contains_key(object)
    }

    fn name(&self, index: usize) -> String {
        self.names[index].clone()
    }

    /// Whether `child` is directly inside `parent` at `time`: the latest ADD or DELETE of it
    /// there, at or before `time`, is an ADD.
    fn inside(&self, child: &Epc, parent: &Epc, time: i64) -> bool {
        self.aggregated
            .get(child)
            .into_iter()
            .flatten()
            .map(|&i| &self.events[i])
            .rev()
            .find(|e| e.time <= time && e.parent.as_ref() == Some(parent))
            .is_some_and(|e| e.action == Some(Action::Add))
    }

    /// The parents `child` was ever added to.
    fn parents(&self, child: &Epc) -> Vec<&Epc> {
        let mut parents: Vec<&Epc> = Vec::new();
        for &i in self.aggregated.get(child).into_iter().flatten() {
            let event = &self.events[i];
            if event.action == Some(Action::Add)
                && let Some(parent) = &event.parent
                && !parents.contains(&parent)
            {
                parents.push(parent);
            }
        }
        parents
    }

    /// The events of `object`'s path, in time order: those naming it and those of any
    /// container's path while it was inside.
    fn path(
        &self,
        object: &Epc,
        memo: &mut HashMap<Epc, Vec<usize>>,
        open: &mut Vec<Epc>,
    ) -> Vec<usize> {
        if let Some(path) = memo.get(object) {
            return path.clone();
        }
        let mut path: Vec<usize> = self.naming.get(object).cloned().unwrap_or_default();
        open.push(object.clone());
        for parent in self.parents(object) {
            if open.contains(parent) {
                continue; // A cycle of containers says nothing more.
            }
            let outer = self.path(parent, memo, open);
            path.extend(
                outer
                    .into_iter()
                    .filter(|&i| self.inside(object, parent, self.events[i].time)),
            );
        }
        open.pop();
        path.sort_unstable();
        path.dedup();
        memo.insert(object.clone(), path.clone());
        path
    }

    /// The target, everything added to it if it is a logistic unit, and the inputs of every
    /// transformation that made any of them, each with the horizon it is walked to.
    fn graph(&self, target: &Epc) -> Graph {
        let mut nodes = Graph::new();
        let mut pending = vec![(target.clone(), ALWAYS)];
        if is_logistic_unit(target) {
            let mut stack = vec![target.clone()];
            let mut seen = HashSet::from([target.clone()]);
            while let Some(parent) = stack.pop() {
                for child in self.added_to.get(&parent).into_iter().flatten() {
                    if seen.insert(child.clone()) {
                        pending.push((child.clone(), ALWAYS));
                        stack.push(child.clone());
                    }
                }
            }
        }
        while let Some((node, horizon)) = pending.pop() {
            match nodes.get(&node) {
                Some(&known) if known >= horizon => continue,
                _ => {
                    nodes.insert(node.clone(), horizon);
                }
            }
            for &i in self.produced.get(&node).into_iter().flatten() {
                let made = &self.events[i];
                if made.time <= horizon {
                    pending.extend(made.all_inputs().map(|input| (input.clone(), made.time)));
                }
            }
        }
        nodes
    }

    /// What `target` came from: the nodes of its provenance graph (everything packed into it,
    /// and the inputs of the transformations that made them, back to the origins) but itself.
    pub fn upstream(&self, target: &Epc) -> Vec<Epc> {
        self.graph(target)
            .into_keys()
            .filter(|node| node != target)
            .collect()
    }

    /// The provenance of `target` by the rules, or `None` when no event names it.
    pub fn provenance(&self, target: &Epc, registry: &Registry) -> Option<Provenance> {
        if !self.knows(target) {
            return None;
        }
        let graph = self.graph(target);
        let mut memo = HashMap::new();
        let mut origins = Vec::new();
        let mut breaks: BTreeMap<String, Break> = BTreeMap::new();
        for (node, &horizon) in &graph {
            let walk: Vec<usize> = self
                .path(node, &mut memo, &mut Vec::new())
                .into_iter()
                .filter(|&i| self.events[i].time <= horizon)
                .collect();
            if !is_logistic_unit(node) && !self.produced_within(node, horizon) {
                origins.push(self.origin(node, &walk, registry));
            }
            for found in self.breaks_on(node, &walk, registry) {
                let text = serde_json::to_string(&found).expect("a break is JSON");
                breaks.insert(text, found);
            }
        }
        for &i in &self.recalls {
            for recalled in self.events[i]
                .listed()
                .filter(|object| graph.contains_key(*object))
            {
                let found = Break::RecalledUpstream {
                    events: vec![self.name(i)],
                    recalled: recalled.to_string(),
                };
                breaks.insert(serde_json::to_string(&found).expect("JSON"), found);
            }
        }
        origins.sort_by(|a, b| a.id.cmp(&b.id));
        let breaks: Vec<Break> = breaks.into_values().collect();
        let (target_type, unit) = match target.gs1() {
            Some(Identifier::Sscc(_)) if self.holds_logistic_units(target) => {
                (TargetType::LogisticUnit, "pallet")
            }
            Some(Identifier::Sscc(_)) => (TargetType::LogisticUnit, "case"),
            Some(Identifier::Sgtin { .. }) => (TargetType::Item, "item"),
            _ => (TargetType::Lot, "lot"),
        };
        Some(Provenance {
            dl: target.to_string(),
            urn: urn(target, registry),
            target_type,
            unit,
            gtin: target
                .gs1()
                .and_then(Identifier::gtin)
                .map(|g| g.to_string()),
            verdict: if breaks.is_empty() {
                Verdict::Clean
            } else {
                Verdict::Broken
            },
            origins,
            breaks,
        })
    }

    fn holds_logistic_units(&self, parent: &Epc) -> bool {
        self.added_to
            .get(parent)
            .is_some_and(|children| children.iter().any(is_logistic_unit))
    }

    fn produced_within(&self, node: &Epc, horizon: i64) -> bool {
        self.produced
            .get(node)
            .into_iter()
            .flatten()
            .any(|&i| self.events[i].time <= horizon)
    }

    fn origin(&self, node: &Epc, walk: &[usize], registry: &Registry) -> Origin {
        let created = walk.iter().copied().find(|&i| {
            let event = &self.events[i];
            event.kind == EventType::Object
                && event.action == Some(Action::Add)
                && event.listed().any(|object| object == node)
        });
        let site = created.and_then(|i| self.events[i].site());
        Origin {
            id: node.to_string(),
            urn: urn(node, registry),
            site: site.map(|gln| gln.to_string()),
            party: site
                .and_then(|gln| registry.owner_of(&gln))
                .map(|party| party.gln.clone()),
            event: created.map(|i| self.name(i)),
        }
    }

    /// The breaks on one node's walk.
    fn breaks_on(&self, node: &Epc, walk: &[usize], registry: &Registry) -> Vec<Break> {
        let mut found = Vec::new();
        for &i in walk {
            if let Some(note) = self.withdrawn.get(&self.names[i]) {
                found.push(Break::EventRevoked {
                    events: vec![self.name(i)],
                    note: note.clone(),
                });
            }
        }
        let site_text = |i: usize| self.events[i].site().map(|gln| gln.to_string());
        if let Some(&first) = walk.first()
            && !self.creates(&self.events[first], node)
        {
            found.push(Break::MissingHop {
                events: vec![self.name(first)],
                from: None,
                to: site_text(first),
            });
        }
        let located: Vec<(usize, Gln)> = walk
            .iter()
            .filter_map(|&i| {
                let event = &self.events[i];
                event
                    .biz_location
                    .as_ref()
                    .and_then(Epc::gln)
                    .map(|gln| (i, gln))
            })
            .collect();
        for pair in located.windows(2) {
            let ((a, from), (b, to)) = (pair[0], pair[1]);
            if from != to && !self.shipped(walk, a, from, b, to) {
                found.push(Break::MissingHop {
                    events: vec![self.name(a), self.name(b)],
                    from: Some(from.to_string()),
                    to: Some(to.to_string()),
                });
            }
        }
        let range = node
            .gs1()
            .and_then(Identifier::gtin)
            .and_then(|gtin| registry.product(&gtin).map(|p| (gtin, p)))
            .and_then(|(gtin, product)| product.temperature_range.as_ref().map(|r| (gtin, r)));
        for &i in walk {
            let event = &self.events[i];
            if let Some(signer) = self.wrong_signer(i, registry) {
                found.push(signer);
            }
            if let Some((gtin, range)) = range {
                let (min, max) = (number(&range.min_celsius), number(&range.max_celsius));
                let mut outside: Vec<f64> = event
                    .sensor_reports
                    .iter()
                    .flat_map(|report| report.celsius_extremes())
                    .filter(|&reading| reading < min || reading > max)
                    .collect();
                outside.sort_by(f64::total_cmp);
                outside.dedup();
                if !outside.is_empty() {
                    found.push(Break::TemperatureExcursion {
                        events: vec![self.name(i)],
                        gtin: gtin.to_string(),
                        min: range.min_celsius.clone(),
                        max: range.max_celsius.clone(),
                        values: outside.into_iter().map(json_number).collect(),
                    });
                }
            }
            for certificate in &event.certifications {
                for (reason, detail) in self.certificate_problems(event, certificate, registry) {
                    found.push(Break::CertificateProblem {
                        events: vec![self.name(i)],
                        certificate: certificate.clone(),
                        reason,
                        detail,
                    });
                }
            }
            for document in &event.biz_transactions {
                if let Some(linked) = self.linked.get(document) {
                    for (reason, detail) in linked_problems(linked, event) {
                        found.push(Break::DocumentProblem {
                            events: vec![self.name(i)],
                            document: document.clone(),
                            reason,
                            detail,
                        });
                    }
                }
            }
        }
        found
    }

    /// Whether `event` brings `node` into being.
    fn creates(&self, event: &Event, node: &Epc) -> bool {
        match event.kind {
            EventType::Object => {
                event.action == Some(Action::Add) && event.listed().any(|o| o == node)
            }
            EventType::Transformation => event.all_outputs().any(|o| o == node),
            EventType::Aggregation => {
                event.action == Some(Action::Add) && event.parent.as_ref() == Some(node)
            }
            _ => false,
        }
    }

    /// Whether the move from `a` (at `from`) to `b` (at `to`) is a receipt of a shipment
    /// from `from` addressed to `to`, on the same walk.
    fn shipped(&self, walk: &[usize], a: usize, from: Gln, b: usize, to: Gln) -> bool {
        let (sent_after, received) = (self.events[a].time, &self.events[b]);
        received.biz_step.as_deref() == Some("receiving")
            && walk.iter().any(|&s| {
                let shipping = &self.events[s];
                shipping.biz_step.as_deref() == Some("shipping")
                    && sent_after < shipping.time
                    && shipping.time < received.time
                    && shipping.site() == Some(from)
                    && shipping
                        .destinations
                        .iter()
                        .filter(|d| d.kind == "location")
                        .any(|d| Epc::read(&d.id).ok().and_then(|e| e.gln()) == Some(to))
            })
    }

    fn wrong_signer(&self, index: usize, registry: &Registry) -> Option<Break> {
        let event = &self.events[index];
        let recorder = event.recorded_by.as_deref();
        let recorder_gln = recorder
            .and_then(|r| Epc::read(r).ok())
            .and_then(|e| e.gln());
        let site = event.site();
        let mut reasons = Vec::new();
        match (recorder, recorder_gln.and_then(|gln| registry.party(&gln))) {
            (None, _) => reasons.push("no-recorder"),
            (Some(_), None) => reasons.push("unknown-party"),
            (Some(_), Some(party)) => {
                let step = event.biz_step.as_deref().unwrap_or("");
                if !party.authorised_biz_steps.iter().any(|s| s == step) {
                    reasons.push("bizstep-not-authorised");
                }
                if !site.is_some_and(|site| registry.owns(party, &site)) {
                    reasons.push("not-site-owner");
                }
                if let Some(signer) = &event.signed_by
                    && !party.signers.is_empty()
                    && !party.signers.iter().any(|did| same_did(did, signer))
                {
                    reasons.push("not-signed-by-recorder");
                }
            }
        }
        (!reasons.is_empty()).then(|| Break::WrongSigner {
            events: vec![self.name(index)],
            recorder: recorder_gln
                .map(|gln| gln.to_string())
                .or_else(|| recorder.map(str::to_owned)),
            site: site.map(|gln| gln.to_string()),
            biz_step: event.biz_step.clone(),
            reasons,
        })
    }

    fn certificate_problems(
        &self,
        event: &Event,
        id: &str,
        registry: &Registry,
    ) -> Vec<(&'static str, Option<String>)> {
        let linked = self.linked.get(id);
        let Some(certificate) = registry.certificate(id) else {
            return match linked {
                Some(linked) => linked_problems(linked, event),
                None => vec![("unknown", None)],
            };
        };
        let mut problems = Vec::new();
        if certificate.valid_from.is_some_and(|from| event.time < from) {
            problems.push("not-yet-valid");
        }
        if certificate
            .valid_until
            .is_some_and(|until| event.time > until)
        {
            problems.push("expired");
        }
        if certificate.revoked {
            problems.push("revoked");
        }
        let covered = |object: &Epc| {
            certificate.covers.contains(object)
                || matches!(object.gs1(), Some(Identifier::Sgtin { gtin, .. } | Identifier::Lgtin { gtin, .. })
                    if certificate.covers.contains(&Epc::Gs1(Identifier::Gtin(*gtin))))
        };
        if !event.listed().chain(event.all_outputs()).all(covered) {
            problems.push("not-covering");
        }
        let mut problems: Vec<(&'static str, Option<String>)> =
            problems.into_iter().map(|p| (p, None)).collect();
        for found in linked
            .map(|l| linked_problems(l, event))
            .unwrap_or_default()
        {
            if !problems.iter().any(|(reason, _)| *reason == found.0) {
                problems.push(found);
            }
        }
        problems
    }

    /// Everything `target`'s provenance holds (`target` among them): what a recall of any
    /// of them reaches it.
    pub fn provenance_objects(&self, target: &Epc) -> Vec<Epc> {
        let mut objects: Vec<Epc> = self.graph(target).into_keys().collect();
        if !objects.contains(target) {
            objects.push(target.clone());
        }
        objects
    }

    /// The recalls recorded: every event with disposition `recalled`.
    pub fn recall_events(&self) -> impl Iterator<Item = &Event> {
        self.recalls.iter().map(|&i| &self.events[i])
    }

    /// Everything whose provenance contains `recalled`: found forward through the
    /// transformations that consumed it and the units it went into, each then confirmed by its
    /// own provenance graph.
    pub fn affected_by(&self, recalled: &Epc) -> BTreeSet<Epc> {
        let mut candidates = BTreeSet::from([recalled.clone()]);
        let mut stack = vec![recalled.clone()];
        while let Some(object) = stack.pop() {
            let made = self
                .consumed
                .get(&object)
                .into_iter()
                .flatten()
                .flat_map(|&i| self.events[i].all_outputs());
            let containers = self.parents(&object).into_iter();
            for next in made.chain(containers) {
                if candidates.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        candidates
            .into_iter()
            .filter(|candidate| self.graph(candidate).contains_key(recalled))
            .collect()
    }

    /// Whether an item was sold: some event of its path sold it.
    pub fn sold(&self, item: &Epc) -> bool {
        self.path(item, &mut HashMap::new(), &mut Vec::new())
            .into_iter()
            .any(|i| {
                let event = &self.events[i];
                event.disposition.as_deref() == Some("retail_sold")
            })
    }

    /// The indexes of the events of `object`'s path, in time order.
    pub(crate) fn path_of(&self, object: &Epc) -> Vec<usize> {
        self.path(object, &mut HashMap::new(), &mut Vec::new())
    }

    /// The site of the last event with a bizLocation on `object`'s path: where it is now.
    pub fn last_site(&self, object: &Epc) -> Option<Gln> {
        self.path(object, &mut HashMap::new(), &mut Vec::new())
            .into_iter()
            .rev()
            .find_map(|i| self.events[i].biz_location.as_ref().and_then(Epc::gln))
    }

    /// The name ([`Event::id`]) of the event at `index` of [`Trace::events`].
    pub fn event_name(&self, index: usize) -> &str {
        &self.names[index]
    }
}

/// The EPC URN of `object`, with the company prefix the registry knows for it.
pub fn urn(object: &Epc, registry: &Registry) -> Option<String> {
    let identifier = object.gs1()?;
    let digits = match identifier {
        Identifier::Gtin(gtin)
        | Identifier::Sgtin { gtin, .. }
        | Identifier::Lgtin { gtin, .. } => gtin.as_str()[1..].to_owned(),
        Identifier::Sscc(sscc) => sscc.as_str()[1..].to_owned(),
        Identifier::Sgln { gln, .. } | Identifier::Pgln(gln) => gln.as_str().to_owned(),
    };
    let length = registry.prefix_length(&digits)?;
    identifier.epc_urn(length).ok()
}

fn is_logistic_unit(object: &Epc) -> bool {
    matches!(object.gs1(), Some(Identifier::Sscc(_)))
}

fn number(limit: &serde_json::Number) -> f64 {
    limit.as_f64().unwrap_or(f64::NAN)
}

/// A reading as JSON writes it: whole numbers without a fraction.
fn json_number(value: f64) -> serde_json::Number {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        serde_json::Number::from(value as i64)
    } else {
        serde_json::Number::from_f64(value).unwrap_or_else(|| serde_json::Number::from(0))
    }
}
