//! Capture jobs: what each capture through EPCIS 2.0's interface came to, for its client to ask
//! after (`GET /capture/{id}`). They are the server's working notes, not the ledger's record:
//! the events they recorded are audited with their batches, the jobs are not, and a job is
//! forgotten after [`KEPT_FOR_MS`].

use corridor_db::{OptionalExtension, params};

use crate::Store;
use crate::store::{StoreError, now_ms};

/// How long a job is kept: thirty days.
pub const KEPT_FOR_MS: i64 = 30 * 24 * 3600 * 1000;

/// One capture job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureJob {
    /// Its ID, as its URL names it.
    pub id: String,
    /// The API token that made it (its name): only it, or a token for every party, sees it.
    pub token: String,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    pub finished: Option<i64>,
    /// Whether it was asked to roll back on an error (else to proceed).
    pub rollback: bool,
    pub success: bool,
    /// What it did and the errors it met, as JSON: the server's to write and read.
    pub report: String,
}

/// A job's row, as [`COLUMNS`] selects it: its place and the job.
fn job(r: &corridor_db::Row) -> corridor_db::Result<(i64, CaptureJob)> {
    Ok((
        r.get(0)?,
        CaptureJob {
            id: r.get(1)?,
            token: r.get(2)?,
            created: r.get(3)?,
            finished: r.get(4)?,
            rollback: r.get(5)?,
            success: r.get(6)?,
            report: r.get(7)?,
        },
    ))
}

const COLUMNS: &str = "seq, id, token, created, finished, rollback, success, report";

impl Store {
    /// Keeps `job`, forgetting those older than [`KEPT_FOR_MS`].
    pub fn keep_capture_job(&mut self, job: &CaptureJob) -> Result<(), StoreError> {
        self.write(|tx, db| {
            tx.execute(
                "DELETE FROM capture_jobs WHERE created < ?1",
                [now_ms() - KEPT_FOR_MS],
            )
            .and_then(|_| {
                tx.execute(
                    "INSERT INTO capture_jobs (id, token, created, finished, rollback, success, report)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        job.id,
                        job.token,
                        job.created,
                        job.finished,
                        job.rollback,
                        job.success,
                        job.report
                    ],
                )
            })
            .map(drop)
            .map_err(db)
        })
    }

    /// The job `id`, if kept.
    pub fn capture_job(&self, id: &str) -> Result<Option<CaptureJob>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM capture_jobs WHERE id = ?1"),
                [id],
                job,
            )
            .optional()
            .map(|row| row.map(|(_, job)| job))
            .map_err(|e| self.sqlite(e))
    }

    /// Up to `limit` jobs made after the one at `after` (its place, as this returns it), in
    /// the order they were made; those of `token` only, if given.
    pub fn capture_jobs(
        &self,
        token: Option<&str>,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, CaptureJob)>, StoreError> {
        self.conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM capture_jobs
                 WHERE seq > ?1 AND (CAST(?2 AS TEXT) IS NULL OR token = ?2) ORDER BY seq LIMIT ?3"
            ))
            .and_then(|mut q| {
                q.query_map(params![after, token, limit as i64], job)?
                    .collect()
            })
            .map_err(|e| self.sqlite(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestPlace, on_both_backends};

    on_both_backends!(jobs_are_kept_listed_by_token_and_forgotten_after_thirty_days);

    fn made(id: &str, token: &str, created: i64) -> CaptureJob {
        CaptureJob {
            id: id.into(),
            token: token.into(),
            created,
            finished: Some(created + 5),
            rollback: true,
            success: true,
            report: "{}".into(),
        }
    }

    fn jobs_are_kept_listed_by_token_and_forgotten_after_thirty_days(place: TestPlace) {
        let mut store = place.open();
        let now = now_ms();
        store
            .keep_capture_job(&made("old", "a", now - KEPT_FOR_MS - 1))
            .unwrap();
        store.keep_capture_job(&made("j1", "a", now)).unwrap();
        store.keep_capture_job(&made("j2", "b", now)).unwrap();
        store.keep_capture_job(&made("j3", "a", now)).unwrap();
        assert!(store.capture_job("old").unwrap().is_none(), "forgotten");
        assert_eq!(store.capture_job("j2").unwrap(), Some(made("j2", "b", now)));
        let a: Vec<String> = store
            .capture_jobs(Some("a"), 0, 10)
            .unwrap()
            .into_iter()
            .map(|(_, j)| j.id)
            .collect();
        assert_eq!(a, ["j1", "j3"]);
        let first = store.capture_jobs(None, 0, 1).unwrap();
        assert_eq!(first[0].1.id, "j1");
        let rest: Vec<String> = store
            .capture_jobs(None, first[0].0, 10)
            .unwrap()
            .into_iter()
            .map(|(_, j)| j.id)
            .collect();
        assert_eq!(rest, ["j2", "j3"]);
        assert!(matches!(
            store.keep_capture_job(&made("j1", "a", now)),
            Err(StoreError::Db { .. })
        ));
    }
}
