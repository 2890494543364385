//! What provenance checks events against: the parties of a chain (their locations and the
//! steps they may record), the products (their declared temperature range) and the
//! certificates events cite.

use std::collections::{HashMap, HashSet};

use corridor_epcis::Epc;
use corridor_gs1::{Gln, Gtin};
use serde::Deserialize;

/// Why reference data cannot be read: the file's part and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{what}: {source}")]
    Json {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("{what} {entry:?}: {problem}")]
    Entry {
        what: &'static str,
        entry: String,
        problem: String,
    },
}

/// A party of the chain.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// Its party GLN (PGLN).
    pub gln: String,
    pub name: String,
    /// Its GS1 company prefix.
    #[serde(default)]
    pub gcp: Option<String>,
    #[serde(default)]
    pub authorised_biz_steps: Vec<String>,
    #[serde(default)]
    pub locations: Vec<Location>,
    /// The DIDs whose signatures vouch for its events (its own key's, and a repository's that
    /// captures for it). Empty: not checked.
    #[serde(default)]
    pub signers: Vec<String>,
}

/// A site of a party.
#[derive(Debug, Clone, Deserialize)]
pub struct Location {
    pub gln: String,
    #[serde(default)]
    pub name: String,
}

/// A product and the range it must be kept in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub gtin: String,
    pub name: String,
    #[serde(default)]
    pub gcp: Option<String>,
    #[serde(default)]
    pub temperature_range: Option<TemperatureRange>,
}

/// Inclusive limits, in degrees Celsius.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemperatureRange {
    pub min_celsius: serde_json::Number,
    pub max_celsius: serde_json::Number,
}

/// A certificate events may cite in `certificationInfo`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub id: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    /// The lots, logistic units and GTINs it covers, as Digital Links or EPC URNs.
    #[serde(default)]
    pub covers: Vec<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    #[serde(default)]
    pub revoked: bool,
}

#[derive(Deserialize)]
struct Parties {
    parties: Vec<Party>,
}
#[derive(Deserialize)]
struct Products {
    products: Vec<Product>,
}
#[derive(Deserialize)]
struct Certificates {
    certificates: Vec<Certificate>,
}

/// A certificate as checked: its validity as instants and what it covers as identifiers.
#[derive(Debug, Clone)]
pub(crate) struct CheckedCertificate {
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub revoked: bool,
    pub covers: HashSet<Epc>,
}

/// The reference data of a chain, indexed.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    parties: Vec<Party>,
    by_gln: HashMap<Gln, usize>,
    site_owner: HashMap<Gln, usize>,
    products: HashMap<Gtin, Product>,
    certificates: HashMap<String, CheckedCertificate>,
    /// Company prefixes, longest first.
    prefixes: Vec<String>,
}

fn gln(text: &str, what: &'static str) -> Result<Gln, RegistryError> {
    text.parse()
        .map_err(|problem: corridor_gs1::KeyError| RegistryError::Entry {
            what,
            entry: text.to_owned(),
            problem: problem.to_string(),
        })
}

impl Registry {
    /// Reads the three files of a chain's reference data (`{"parties": […]}`,
    /// `{"products": […]}`, `{"certificates": […]}`); any may be empty text.
    pub fn from_json(
        parties: &str,
        products: &str,
        certificates: &str,
    ) -> Result<Registry, RegistryError> {
        fn read<T: for<'de> Deserialize<'de> + Default>(
            text: &str,
            what: &'static str,
        ) -> Result<T, RegistryError> {
            if text.trim().is_empty() {
                return Ok(T::default());
            }
            serde_json::from_str(text).map_err(|source| RegistryError::Json { what, source })
        }
        let parties: Option<Parties> = read::<Option<Parties>>(parties, "parties")?;
        let products: Option<Products> = read::<Option<Products>>(products, "products")?;
        let certificates: Option<Certificates> =
            read::<Option<Certificates>>(certificates, "certificates")?;
        Registry::new(
            parties.map_or_else(Vec::new, |p| p.parties),
            products.map_or_else(Vec::new, |p| p.products),
            certificates.map_or_else(Vec::new, |c| c.certificates),
        )
    }

    /// Indexes the reference data, refusing keys with wrong check digits and certificates
    /// whose dates or covered identifiers cannot be read.
    pub fn new(
        parties: Vec<Party>,
        products: Vec<Product>,
        certificates: Vec<Certificate>,
    ) -> Result<Registry, RegistryError> {
        let mut registry = Registry::default();
        for (index, party) in parties.iter().enumerate() {
            registry.by_gln.insert(gln(&party.gln, "party GLN")?, index);
            for location in &party.locations {
                registry
                    .site_owner
                    .insert(gln(&location.gln, "location GLN")?, index);
            }
        }
        let mut prefixes: Vec<String> = parties
            .iter()
            .filter_map(|p| p.gcp.clone())
            .chain(products.iter().filter_map(|p| p.gcp.clone()))
            .collect();
        prefixes.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        prefixes.dedup();
        registry.prefixes = prefixes;
        for product in products {
            let gtin: Gtin = product
                .gtin
                .parse()
                .map_err(|problem: corridor_gs1::KeyError| RegistryError::Entry {
                    what: "product GTIN",
                    entry: product.gtin.clone(),
                    problem: problem.to_string(),
                })?;
            registry.products.insert(gtin, product);
        }
        for certificate in certificates {
            let problem = |problem: String| RegistryError::Entry {
                what: "certificate",
                entry: certificate.id.clone(),
                problem,
            };
            let instant = |field: &str, text: &Option<String>| {
                text.as_deref()
                    .map(|text| {
                        corridor_js::parse_date(text)
                            .ok_or_else(|| problem(format!("{field} {text:?} is not a date")))
                    })
                    .transpose()
            };
            let checked = CheckedCertificate {
                valid_from: instant("validFrom", &certificate.valid_from)?,
                valid_until: instant("validUntil", &certificate.valid_until)?,
                revoked: certificate.revoked,
                covers: certificate
                    .covers
                    .iter()
                    .map(|text| {
                        Epc::read(text).map_err(|e| problem(format!("covers {text:?}: {e}")))
                    })
                    .collect::<Result<_, _>>()?,
            };
            registry
                .certificates
                .insert(certificate.id.clone(), checked);
        }
        registry.parties = parties;
        Ok(registry)
    }

    /// The party whose party GLN is `gln`.
    pub fn party(&self, gln: &Gln) -> Option<&Party> {
        self.by_gln.get(gln).map(|&i| &self.parties[i])
    }

    /// The party a site belongs to.
    pub fn owner_of(&self, site: &Gln) -> Option<&Party> {
        self.site_owner.get(site).map(|&i| &self.parties[i])
    }

    /// Whether `site` is one of `party`'s locations.
    pub fn owns(&self, party: &Party, site: &Gln) -> bool {
        self.owner_of(site)
            .is_some_and(|owner| std::ptr::eq(owner, party))
    }

    /// The product with this GTIN.
    pub fn product(&self, gtin: &Gtin) -> Option<&Product> {
        self.products.get(gtin)
    }

    pub(crate) fn certificate(&self, id: &str) -> Option<&CheckedCertificate> {
        self.certificates.get(id)
    }

    /// The length of the company prefix a key's digits (after a GTIN's or SSCC's indicator,
    /// or from a GLN's first) begin with, among the prefixes the parties and products name.
    pub fn prefix_length(&self, digits: &str) -> Option<usize> {
        self.prefixes
            .iter()
            .find(|prefix| digits.starts_with(prefix.as_str()))
            .map(String::len)
    }
}
