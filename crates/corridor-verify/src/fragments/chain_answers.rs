//! What the chain said during a run, shared by the status checks that ask it: each question
//! asked once, failures included, so that a network that failed for a question is not asked
//! it again for every document.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::providers::{ChainUnavailable, ContractAnswer, ContractQuery, ContractReader};
use crate::{Fragment, FragmentType, Status};

/// The chain's answers of a run, through its reader (none: no chain given).
pub struct ChainAnswers {
    reader: Option<Arc<dyn ContractReader>>,
    known: Mutex<HashMap<ContractQuery, Result<ContractAnswer, ChainUnavailable>>>,
}

impl ChainAnswers {
    pub fn new(reader: Option<Arc<dyn ContractReader>>) -> Self {
        ChainAnswers {
            reader,
            known: Mutex::default(),
        }
    }

    /// Whether there is a chain to ask.
    pub fn connected(&self) -> bool {
        self.reader.is_some()
    }

    /// The answers to `queries`, from those of the run or asked now, all at once. Without a
    /// chain, every answer is that it could not be asked.
    pub fn answers(
        &self,
        queries: &[ContractQuery],
    ) -> Vec<Result<ContractAnswer, ChainUnavailable>> {
        let Some(reader) = &self.reader else {
            let none = ChainUnavailable("no chain was given".into());
            return queries.iter().map(|_| Err(none.clone())).collect();
        };
        let missing: Vec<ContractQuery> = {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            let mut seen = HashSet::new();
            queries
                .iter()
                .filter(|q| !known.contains_key(*q) && seen.insert(*q))
                .cloned()
                .collect()
        };
        if !missing.is_empty() {
            let asked = reader.ask(&missing);
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            match asked {
                Ok(answers) => known.extend(missing.into_iter().zip(answers.into_iter().map(Ok))),
                Err(e) => known.extend(missing.into_iter().map(|q| (q, Err(e.clone())))),
            }
        }
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        queries.iter().map(|q| known[q].clone()).collect()
    }
}

/// The fragment for a chain that could not be asked: tt-verify's `SERVER_ERROR`, saying that
/// the status of `what` could not be determined (never a verdict on the document).
pub fn unavailable(name: &'static str, what: &str, e: &ChainUnavailable) -> Fragment {
    Fragment::with_reason(
        name,
        FragmentType::Status,
        Status::Unreachable,
        (500, "SERVER_ERROR"),
        format!(
            "Unable to connect to the Ethereum network, please try again later (the {what}'s status could not be determined: {e})"
        ),
    )
}
