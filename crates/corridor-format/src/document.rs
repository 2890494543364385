//! Wrapped OpenAttestation v2 documents: making them from raw data, and reading them back.

use std::sync::Arc;

use rand::Rng;
use serde_json::{Map, Value};

use corridor_keccak::HashStream;

use crate::digest::paths_may_collide;
use crate::digest::{digest_leaves, write_digest_text};
use crate::js::kind_of;
use crate::merkle::NodeMemo;
use crate::read::HEAD_KEYS;
use crate::salt::unsalt_value;
use crate::salt::write_salted;
use crate::schema::{SchemaMode, SchemaViolation, validate_data, validate_fields};
use crate::{FormatError, Hash32, MerkleTree, digest, leaf_hashes};

/// The `version` every wrapped v2 document carries.
pub const SCHEMA_V2: &str = "https://schema.openattestation.com/2.0/schema.json";

/// The `signature.type` of a v2 document.
pub const MERKLE_PROOF_TYPE: &str = "SHA3MerkleProof";

/// The secret a document's salts are drawn from, in place of a fresh salt per field: the same
/// seed salts the same data the same way, so a store that keeps the data can keep 32 bytes
/// and make the salted document again, where it would keep a salt for every field. The salts
/// come from ChaCha20, whose output for a seed never changes.
///
/// ```
/// use corridor_format::{SaltSeed, salt_document_into};
/// let raw = serde_json::json!({
///     "issuers": [{"name": "Farm", "certificateStore": "0x0000000000000000000000000000000000000001"}],
///     "lot": "L1",
/// });
/// let seed = SaltSeed::random();
/// let (mut first, mut again) = (Vec::new(), Vec::new());
/// let target = salt_document_into(&raw, &mut seed.salts(), &mut first).unwrap();
/// assert_eq!(salt_document_into(&raw, &mut seed.salts(), &mut again).unwrap(), target);
/// assert_eq!(first, again);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SaltSeed(pub [u8; 32]);

impl SaltSeed {
    /// A seed from the operating system's generator.
    pub fn random() -> SaltSeed {
        SaltSeed(rand::random())
    }

    /// The salts it makes, from the first.
    pub fn salts(&self) -> impl Rng + use<> {
        <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_seed(self.0)
    }
}

impl std::fmt::Debug for SaltSeed {
    // As secret as the salts it makes: they keep an obfuscated field from being guessed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SaltSeed(..)")
    }
}

/// Raw data salted and digested: a document that waits for its batch's merkle root.
#[derive(Debug, Clone)]
pub struct SaltedDocument {
    /// The salted data, as it goes into the document's `data`.
    pub data: Value,
    /// The digest of that data: the document's leaf in the batch.
    pub target_hash: Hash32,
}

/// Checks raw data against the OpenAttestation 2.0 schema, salts it and computes its target
/// hash: everything of wrapping that does not need the rest of the batch.
///
/// A top-level key `__proto__` is refused: the reference hashes everything but that key, so the
/// field would travel unprotected.
pub fn salt_document(raw: &Value, rng: &mut impl Rng) -> Result<SaltedDocument, FormatError> {
    let mut text = Vec::new();
    let target_hash = salt_document_into(raw, rng, &mut text)?;
    let data = serde_json::from_slice(&text).map_err(|e| FormatError::Shape {
        field: "data".into(),
        problem: format!("salted into unreadable JSON: {e}"),
    })?;
    Ok(SaltedDocument { data, target_hash })
}

/// [`salt_document`] that appends the salted data to `out` as compact JSON instead of
/// returning it as a value: what a streaming wrap writes. Returns the target hash. (For many
/// documents, [`SaltBatch`] is faster.)
pub fn salt_document_into(
    raw: &Value,
    rng: &mut impl Rng,
    out: &mut Vec<u8>,
) -> Result<Hash32, FormatError> {
    Ok(match salt_once(raw, rng, out)? {
        Salted::Leaves(leaves) => digest_leaves(&leaves, &[] as &[&str]),
        Salted::Digested(digest) => digest,
    })
}

/// Documents salted one after another and digested together, their digest texts hashed side
/// by side: [`salt_document_into`] for many documents, faster.
///
/// ```
/// use corridor_format::{SaltBatch, salt_document_into, SaltSeed};
/// let raws: Vec<_> = (0..5).map(|i| serde_json::json!({"issuers": [{"name": "A",
///     "certificateStore": "0x0000000000000000000000000000000000000001"}], "lot": i})).collect();
/// let seed = SaltSeed::random();
/// let (mut batch, mut salts) = (SaltBatch::default(), seed.salts());
/// let mut texts = vec![Vec::new(); raws.len()];
/// for (raw, text) in raws.iter().zip(&mut texts) {
///     batch.salt(raw, &mut salts, text).unwrap();
/// }
/// let (digests, mut salts) = (batch.digests(), seed.salts());
/// for (raw, digest) in raws.iter().zip(digests) {
///     assert_eq!(salt_document_into(raw, &mut salts, &mut Vec::new()).unwrap(), digest);
/// }
/// ```
#[derive(Default)]
pub struct SaltBatch {
    salted: Vec<Salted>,
}

/// What salting one document leaves to do: digest its leaves, unless it is digested already.
enum Salted {
    Leaves(Vec<Hash32>),
    Digested(Hash32),
}

impl SaltBatch {
    /// Checks `raw` against the schema and appends it salted to `out` as compact JSON, as
    /// [`salt_document_into`]; its digest comes, in order, from [`SaltBatch::digests`]. A
    /// document refused adds nothing to the batch.
    pub fn salt(
        &mut self,
        raw: &Value,
        rng: &mut impl Rng,
        out: &mut Vec<u8>,
    ) -> Result<(), FormatError> {
        self.salted.push(salt_once(raw, rng, out)?);
        Ok(())
    }

    /// The target hash of every document salted, in order.
    pub fn digests(self) -> Vec<Hash32> {
        // One text for each, empty for those digested already, so that the hashes pair with
        // the documents one to one.
        let mut texts = HashStream::default();
        for salted in &self.salted {
            texts.push_with(|out| {
                if let Salted::Leaves(leaves) = salted {
                    write_digest_text(leaves, &[] as &[&str], out)
                }
            });
        }
        self.salted
            .into_iter()
            .zip(texts.finish())
            .map(|(salted, hashed)| match salted {
                Salted::Leaves(_) => hashed,
                Salted::Digested(digest) => digest,
            })
            .collect()
    }
}

/// Checks `raw` and appends it salted to `out`: what [`salt_document_into`] does but for the
/// last hash.
fn salt_once(raw: &Value, rng: &mut impl Rng, out: &mut Vec<u8>) -> Result<Salted, FormatError> {
    validate_data(raw, false, SchemaMode::Strict).map_err(FormatError::Schema)?;
    if raw.get("__proto__").is_some() {
        return Err(FormatError::Shape {
            field: "data.__proto__".into(),
            problem: "is a key the reference leaves out of the hash; rename it".into(),
        });
    }
    let start = out.len();
    let leaves = write_salted(raw, rng, out)?;
    if !paths_may_collide("", raw) {
        return Ok(Salted::Leaves(leaves));
    }
    // Repeated paths keep their last leaf in the reference's order: digest the tree.
    let salted: Value = serde_json::from_slice(&out[start..]).map_err(|e| FormatError::Shape {
        field: "data".into(),
        problem: format!("salted into unreadable JSON: {e}"),
    })?;
    Ok(Salted::Digested(digest(&salted, &[])?))
}

/// The `signature` block of a wrapped document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleSignature {
    /// The document's own digest.
    pub target_hash: Hash32,
    /// Siblings from the leaf up to the root.
    pub proof: Vec<Hash32>,
    /// The root of the batch.
    pub merkle_root: Hash32,
}

impl MerkleSignature {
    /// Appends the block as JSON: `{"type":"SHA3MerkleProof","targetHash":…,"proof":[…],"merkleRoot":…}`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":\"SHA3MerkleProof\",\"targetHash\":\"");
        self.target_hash.write_hex(out);
        out.extend_from_slice(b"\",\"proof\":");
        write_hex_list(&self.proof, out);
        out.extend_from_slice(b",\"merkleRoot\":\"");
        self.merkle_root.write_hex(out);
        out.extend_from_slice(b"\"}");
    }

    fn to_value(&self) -> Value {
        let mut out = Vec::with_capacity(200 + 67 * self.proof.len());
        self.write_json(&mut out);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }
}

/// Assembles a wrapped document: `{"version", "data", "signature"}` in that order.
pub fn wrapped_document(data: Value, signature: &MerkleSignature) -> Value {
    let mut doc = Map::with_capacity(3);
    doc.insert("version".into(), Value::String(SCHEMA_V2.into()));
    doc.insert("data".into(), data);
    doc.insert("signature".into(), signature.to_value());
    Value::Object(doc)
}

/// Wraps raw documents as one batch, in memory: what the reference's `wrapDocuments` does.
/// For batches too large for memory, use [`salt_document`] and [`MerkleTree`] as the command
/// line does.
///
/// ```
/// let raws = vec![serde_json::json!({"issuers": [{"name": "A", "certificateStore": "0x0000000000000000000000000000000000000001"}]}); 3];
/// let docs = corridor_format::wrap_documents(&raws, &mut rand::rng()).unwrap();
/// let root = &docs[0]["signature"]["merkleRoot"];
/// assert!(docs.iter().all(|d| &d["signature"]["merkleRoot"] == root));
/// ```
pub fn wrap_documents(raws: &[Value], rng: &mut impl Rng) -> Result<Vec<Value>, FormatError> {
    let salted = raws
        .iter()
        .map(|r| salt_document(r, rng))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(tree) = MerkleTree::new(salted.iter().map(|s| s.target_hash).collect()) else {
        return Ok(Vec::new());
    };
    let root = tree.root();
    Ok(salted
        .into_iter()
        .map(|s| {
            let proof = tree.proof_of(&s.target_hash).unwrap_or_default();
            wrapped_document(
                s.data,
                &MerkleSignature {
                    target_hash: s.target_hash,
                    proof,
                    merkle_root: root,
                },
            )
        })
        .collect())
}

/// A wrapped document as read from a file, checked for the shape the reference requires of a
/// wrapped v2 document (its `isWrappedV2Document`, non-strict) but not yet for integrity.
///
/// The data itself is not kept: only its digest, and the few top-level fields the schema and
/// the status and identity checks read ([`WrappedDocument::check_schema`]). The hash texts are
/// kept as written: the reference compares some of them as text, so their spelling is part of
/// the verdict.
#[derive(Debug, Clone)]
pub struct WrappedDocument {
    head: Result<Arc<Head>, FormatError>,
    /// What the data and the obfuscated hashes add up to, computed as the document is read;
    /// or why the data cannot be hashed.
    digest: Result<Hash32, FormatError>,
    /// `signature.targetHash` as written.
    pub target_hash: String,
    /// `signature.proof` as written.
    pub proof: Vec<String>,
    /// `signature.merkleRoot` as written.
    pub merkle_root: String,
    /// `privacy.obfuscatedData` as written; not to be changed, as the digest is made of it.
    obfuscated: Vec<String>,
    /// The top-level `proof` (DID signatures), if any.
    pub did_proof: Option<Value>,
}

/// A wrapped document read but not yet digested, so that the digests of documents read
/// together are hashed together, side by side.
pub(crate) struct Undigested {
    pub(crate) data: DataRead,
    pub(crate) target_hash: String,
    pub(crate) proof: Vec<String>,
    pub(crate) merkle_root: String,
    pub(crate) obfuscated: Vec<String>,
    pub(crate) did_proof: Option<Value>,
}

impl Undigested {
    /// The document, digested by itself.
    pub(crate) fn digested(self) -> WrappedDocument {
        let digest = (self.data.leaves.as_ref())
            .map(|leaves| digest_leaves(leaves, &self.obfuscated))
            .map_err(Clone::clone);
        self.with_digest(digest)
    }

    fn with_digest(self, digest: Result<Hash32, FormatError>) -> WrappedDocument {
        WrappedDocument {
            head: self.data.head,
            digest,
            target_hash: self.target_hash,
            proof: self.proof,
            merkle_root: self.merkle_root,
            obfuscated: self.obfuscated,
            did_proof: self.did_proof,
        }
    }
}

/// Digests documents read together: their digest texts are written into one buffer and
/// hashed side by side. Each gets the digest [`Undigested::digested`] would give it.
pub(crate) fn digest_together<E>(
    read: Vec<Result<Undigested, E>>,
) -> Vec<Result<WrappedDocument, E>> {
    // One text for each, empty for those that cannot be digested, so that the hashes pair
    // with the documents one to one.
    let mut texts = HashStream::default();
    for document in &read {
        texts.push_with(|out| {
            if let Ok(Undigested {
                data: DataRead {
                    leaves: Ok(leaves), ..
                },
                obfuscated,
                ..
            }) = document
            {
                write_digest_text(leaves, obfuscated, out)
            }
        });
    }
    read.into_iter()
        .zip(texts.finish())
        .map(|(document, digest)| {
            let document = document?;
            let digest = document
                .data
                .leaves
                .as_ref()
                .map(|_| digest)
                .map_err(Clone::clone);
            Ok(document.with_digest(digest))
        })
        .collect()
}

/// What is kept of a document's data.
#[derive(Debug, Clone)]
pub(crate) struct DataRead {
    /// The hashes of every distinct leaf path, or why the data cannot be hashed.
    pub(crate) leaves: Result<Vec<Hash32>, FormatError>,
    /// The top-level fields in `HEAD_KEYS` unsalted and checked, shared by the documents of a
    /// batch; or why they cannot be read (the data is not an object, a salted value has an
    /// unknown type tag).
    pub(crate) head: Result<Arc<Head>, FormatError>,
}

/// The top-level fields the schema and the status and identity checks read, unsalted, in the
/// data's order, with the schema's verdict on them.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) fields: Map<String, Value>,
    pub(crate) schema: Result<(), Vec<SchemaViolation>>,
}

impl Head {
    pub(crate) fn checked(fields: Map<String, Value>) -> Head {
        let schema = validate_fields(&fields, false, SchemaMode::Loose);
        Head { fields, schema }
    }
}

impl DataRead {
    fn from_value(data: &Value) -> DataRead {
        let head = match data {
            Value::Object(map) => plain_head(map).map(|fields| Arc::new(Head::checked(fields))),
            other => Err(not_an_object(kind_of(other))),
        };
        DataRead {
            leaves: leaf_hashes(data),
            head,
        }
    }
}

fn plain_head(data: &Map<String, Value>) -> Result<Map<String, Value>, FormatError> {
    let mut plain = Map::new();
    for (key, value) in data.iter().filter(|(k, _)| HEAD_KEYS.contains(&k.as_str())) {
        if let Some(value) = unsalt_value(value)? {
            plain.insert(key.clone(), value);
        }
    }
    Ok(plain)
}

/// The schema's complaint about data that is not an object.
pub(crate) fn not_an_object(kind: &str) -> FormatError {
    FormatError::Schema(vec![SchemaViolation {
        field: String::new(),
        problem: format!("must be an object, found {kind}"),
    }])
}

/// The result of recomputing a document's hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// The data hashes to the target hash, and the proof leads to the merkle root.
    Intact,
    /// What does not add up.
    Tampered(Tampering),
}

/// Which of the integrity checks failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tampering {
    /// The data no longer hashes to the target hash.
    #[error("the data hashes to {computed}, not to the target hash {claimed}")]
    TargetHash { computed: Hash32, claimed: String },
    /// A proof element is not a 32-byte hash.
    #[error("merkle proof element {index} is not a 32-byte hash: {text:?}")]
    ProofElement { index: usize, text: String },
    /// The merkle root is not a 32-byte hash.
    #[error("the merkle root is not a 32-byte hash: {0:?}")]
    MerkleRootText(String),
    /// A v3 document has more or fewer fields than salts: one was added or removed.
    #[error("the document has {leaves} fields but {salts} salts: a field was added or removed")]
    SaltCount { salts: usize, leaves: usize },
    /// The proof leads to another root.
    #[error("the proof leads to the merkle root {computed}, not to {claimed}")]
    MerkleRoot { computed: Hash32, claimed: Hash32 },
}

impl WrappedDocument {
    /// Reads the wrapped-document shape from a parsed JSON value. Fails with the field at fault
    /// when the value is not a wrapped v2 document at all. (To read a file's bytes, use
    /// [`crate::read_wrapped`], which does not build the data as a tree.)
    pub fn from_value(value: Value) -> Result<Self, FormatError> {
        Ok(WrappedDocument::undigested(value)?.digested())
    }

    /// [`WrappedDocument::from_value`] but for the digest.
    pub(crate) fn undigested(value: Value) -> Result<Undigested, FormatError> {
        let Value::Object(mut root) = value else {
            return Err(shape(
                "document",
                format!("must be a JSON object, found {}", kind_of(&value)),
            ));
        };
        let data = root.get("data").map(DataRead::from_value);
        WrappedDocument::assemble(
            root.remove("signature"),
            root.remove("privacy"),
            root.remove("proof"),
            data,
        )
    }

    /// Checks the parts of a document and puts them together.
    pub(crate) fn assemble(
        signature: Option<Value>,
        privacy: Option<Value>,
        did_proof: Option<Value>,
        data: Option<DataRead>,
    ) -> Result<Undigested, FormatError> {
        let signature = match signature {
            Some(Value::Object(s)) => s,
            Some(other) => {
                return Err(shape(
                    "signature",
                    format!("must be an object, found {}", kind_of(&other)),
                ));
            }
            None => {
                return Err(shape(
                    "signature",
                    "is missing: the document is not wrapped".into(),
                ));
            }
        };
        match signature.get("type") {
            Some(Value::String(t)) if t == MERKLE_PROOF_TYPE => {}
            other => {
                return Err(shape(
                    "signature.type",
                    format!("must be {MERKLE_PROOF_TYPE:?}, found {}", show(other)),
                ));
            }
        }
        let text = |key: &str| match signature.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            other => Err(shape(
                &format!("signature.{key}"),
                format!("must be a string, found {}", show(other)),
            )),
        };
        let target_hash = text("targetHash")?;
        let merkle_root = text("merkleRoot")?;
        let proof = strings(signature.get("proof"), "signature.proof")?;
        let obfuscated = match privacy.as_ref().and_then(|p| p.get("obfuscatedData")) {
            None => Vec::new(),
            some => strings(some, "privacy.obfuscatedData")?,
        };
        let data = data.ok_or_else(|| shape("data", "is missing".into()))?;
        Ok(Undigested {
            data,
            target_hash,
            proof,
            merkle_root,
            obfuscated,
            did_proof,
        })
    }

    /// The top-level fields of the data that the schema and the status and identity checks
    /// read (`issuers`, `$template`, `id`, `documentUrl`, `recipient`, `network`,
    /// `attachments`), unsalted, but not checked: see [`WrappedDocument::check_schema`].
    /// `None` when the data is not an object or a salted value there cannot be read.
    pub fn head(&self) -> Option<&Map<String, Value>> {
        self.head.as_ref().ok().map(|h| &h.fields)
    }

    /// Checks the unsalted data against the schema, loosely, as the reference does before it
    /// treats a file as a wrapped v2 document. Returns [`WrappedDocument::head`].
    pub fn check_schema(&self) -> Result<&Map<String, Value>, FormatError> {
        let head = self.head.as_ref().map_err(Clone::clone)?;
        head.schema.clone().map_err(FormatError::Schema)?;
        Ok(&head.fields)
    }

    /// The target hash the data and the obfuscated hashes add up to.
    pub fn digest(&self) -> Result<Hash32, FormatError> {
        self.digest.clone()
    }

    /// `privacy.obfuscatedData` as written.
    pub fn obfuscated(&self) -> &[String] {
        &self.obfuscated
    }

    /// Recomputes the target hash and the merkle root, as the reference's `verifySignature`.
    pub fn check_integrity(&self) -> Result<Integrity, FormatError> {
        self.check_integrity_with(&mut NodeMemo::default())
    }

    /// [`WrappedDocument::check_integrity`], with parent nodes remembered from the documents
    /// checked before (those of one batch share the upper part of the tree).
    pub fn check_integrity_with(&self, memo: &mut NodeMemo) -> Result<Integrity, FormatError> {
        let computed = self.digest()?;
        // The reference compares the target hash as text: another spelling is tampering.
        if computed.to_hex() != self.target_hash {
            return Ok(Integrity::Tampered(Tampering::TargetHash {
                computed,
                claimed: self.target_hash.clone(),
            }));
        }
        Ok(check_merkle(computed, &self.proof, &self.merkle_root, memo))
    }
}

/// Appends `hashes` as a JSON array of hex strings.
pub(crate) fn write_hex_list(hashes: &[Hash32], out: &mut Vec<u8>) {
    out.push(b'[');
    for (i, h) in hashes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        h.write_hex(out);
        out.push(b'"');
    }
    out.push(b']');
}

/// Walks `proof` (hash texts as written) up from `target` and compares the root it reaches with
/// `merkle_root`, reading both leniently as Node's `Buffer.from(text, "hex")`, as the
/// reference's `checkProof` does.
pub(crate) fn check_merkle(
    target: Hash32,
    proof: &[String],
    merkle_root: &str,
    memo: &mut NodeMemo,
) -> Integrity {
    let mut path = Vec::with_capacity(proof.len());
    for (index, text) in proof.iter().enumerate() {
        match Hash32::from_node_hex(text) {
            Some(h) => path.push(h),
            None => {
                return Integrity::Tampered(Tampering::ProofElement {
                    index,
                    text: clip(text),
                });
            }
        }
    }
    let Some(claimed) = Hash32::from_node_hex(merkle_root) else {
        return Integrity::Tampered(Tampering::MerkleRootText(clip(merkle_root)));
    };
    let root = memo.root(&target, &path);
    if root == claimed {
        Integrity::Intact
    } else {
        Integrity::Tampered(Tampering::MerkleRoot {
            computed: root,
            claimed,
        })
    }
}

fn strings(v: Option<&Value>, field: &str) -> Result<Vec<String>, FormatError> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(shape(
                    &format!("{field}[{i}]"),
                    format!("must be a string, found {}", kind_of(other)),
                )),
            })
            .collect(),
        other => Err(shape(
            field,
            format!("must be an array, found {}", show(other)),
        )),
    }
}

fn shape(field: &str, problem: String) -> FormatError {
    FormatError::Shape {
        field: field.to_string(),
        problem,
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(Value::String(s)) => format!("{:?}", clip(s)),
        Some(other) => kind_of(other).into(),
    }
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(name: &str) -> Value {
        json!({"issuers": [{"name": name, "certificateStore": "0x0000000000000000000000000000000000000001"}],
               "shipper": {"address": {"street": "1 Quay", "zip": 12345}}, "empty": [], "flags": [true, null]})
    }

    /// A store rebuilds the documents it recorded from their seeds: the salts a seed makes must
    /// never change, whatever version of the generator's crates is built.
    #[test]
    fn a_seed_makes_the_same_salts_in_every_version() {
        let mut text = Vec::new();
        let target = salt_document_into(
            &json!({"issuers": [{"name": "Farm", "certificateStore": "0x0000000000000000000000000000000000000001"}], "kg": 2.5}),
            &mut SaltSeed([7; 32]).salts(),
            &mut text,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#"{"issuers":[{"name":"f4009278-57aa-4641-94f5-61baacb37970:string:Farm","certificateStore":"8c79a1dc-1476-4b57-b216-a4020764bde5:string:0x0000000000000000000000000000000000000001"}],"kg":"45c143db-b960-4c22-ab85-5d60925a9976:number:2.5"}"#
        );
        assert_eq!(
            target.to_string(),
            "db8113f2598080f70c29c92709eb9e866fd8e0aa7ba6191f2dfa2c6478cd1c34"
        );
    }

    #[test]
    fn a_wrapped_batch_verifies() {
        let docs = wrap_documents(&[raw("A"), raw("B"), raw("C")], &mut rand::rng()).unwrap();
        for d in docs {
            let w = WrappedDocument::from_value(d).unwrap();
            w.check_schema().unwrap();
            assert_eq!(w.check_integrity().unwrap(), Integrity::Intact);
        }
    }

    #[test]
    fn tampering_is_named() {
        let doc = wrap_documents(&[raw("A"), raw("B")], &mut rand::rng())
            .unwrap()
            .remove(0);
        let mut changed = doc.clone();
        changed["data"]["shipper"]["address"]["zip"] = json!("x");
        let w = WrappedDocument::from_value(changed).unwrap();
        assert!(matches!(
            w.check_integrity().unwrap(),
            Integrity::Tampered(Tampering::TargetHash { .. })
        ));

        let mut bad_root = doc.clone();
        bad_root["signature"]["merkleRoot"] = json!("00".repeat(32));
        let w = WrappedDocument::from_value(bad_root).unwrap();
        assert!(matches!(
            w.check_integrity().unwrap(),
            Integrity::Tampered(Tampering::MerkleRoot { .. })
        ));

        let mut short = doc;
        short["signature"]["proof"][0] = json!("abcd");
        let w = WrappedDocument::from_value(short).unwrap();
        assert!(matches!(
            w.check_integrity().unwrap(),
            Integrity::Tampered(Tampering::ProofElement { index: 0, .. })
        ));
    }

    #[test]
    fn shape_errors_name_the_field() {
        let err = WrappedDocument::from_value(json!({"data": {}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "signature is missing: the document is not wrapped"
        );
        let err = WrappedDocument::from_value(json!({"data": {}, "signature": {"type": "SHA3MerkleProof", "targetHash": "", "merkleRoot": "", "proof": "abc"}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "signature.proof must be an array, found \"abc\""
        );
        let err = WrappedDocument::from_value(json!([1])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "document must be a JSON object, found an array"
        );
    }

    #[test]
    fn wrapping_refuses_what_the_schema_refuses() {
        let err = salt_document(&json!({"issuers": []}), &mut rand::rng()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data.issuers must hold at least one issuer"
        );
        let mut dotted = raw("A");
        dotted["a.b"] = json!(1);
        let err = salt_document(&dotted, &mut rand::rng()).unwrap_err();
        assert!(err.to_string().contains("\"a.b\""), "{err}");
    }
}
