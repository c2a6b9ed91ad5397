//! Import jobs of the back-office: a file uploaded, planned in the background, then
//! committed by a person who has read (and trimmed) its plan. The job and its plan's
//! records live in the database, so that any server answers about them; the uploaded
//! file lives in the jobs folder of the server that received it.

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Planned,
    Committed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Planned => "planned",
            JobStatus::Committed => "committed",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Planned,
            JobStatus::Committed,
            JobStatus::Failed,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
    }
}

/// How many records of each status a plan holds (or a commit wrote).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobCounts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub delete: u64,
    pub rejected: u64,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    /// The `balade import` kind that reads the file (`gpx`, `ariane`…).
    pub kind: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Where the server that received it keeps it.
    pub path: String,
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    pub status: JobStatus,
    /// Records read so far.
    pub progress: u64,
    pub counts: JobCounts,
    /// Why it failed.
    pub error: Option<String>,
    /// Who committed it and when (Unix seconds).
    pub committed_by: Option<String>,
    pub committed_at: Option<i64>,
}

/// One record of a plan: a change, a vanished record or a rejection.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Its rank in the plan, from 0.
    pub n: i64,
    /// The key its source gives it (a rejection's: its file and line).
    pub key: String,
    /// `circuit`, `poi`… (empty for a rejection).
    pub kind: String,
    /// `create`, `update`, `unchanged`, `delete` or `rejected`.
    pub status: String,
    pub label: String,
    pub commune: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// `{"changes": [{field, before, after}], "kept": […]}` or
    /// `{"line", "column", "field", "reason"}`.
    pub detail: serde_json::Value,
}

/// Which records of a plan to list.
#[derive(Debug, Clone, Default)]
pub struct JobRecordFilter {
    pub status: Option<String>,
    /// `circuit`, `poi`…
    pub kind: Option<String>,
    /// Words found in the key or the label (case-insensitive).
    pub q: Option<String>,
    pub commune: Option<String>,
    pub limit: u32,
    pub offset: u32,
}
