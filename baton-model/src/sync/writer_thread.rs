//! The c1z writer on its own thread, so that a sync never blocks the async executor it runs on
//! (SQLite writes, grant expansion, zstd and fsync all happen there; in service mode the same
//! runtime sends heartbeats).
//!
//! The sync engine talks to it through a bounded channel: writes are queued in batches and not
//! waited for (the channel bound is the backpressure, and memory stays bounded by it); reads
//! and the final expansion and finish are jobs whose answer comes back through a oneshot
//! channel that the engine awaits. The first failed write is kept and returned by the next
//! awaited job, and every job after it is skipped. Dropping the handle before `finish` (a
//! failed or cancelled sync) interrupts the running SQL statement, skips the queued jobs and
//! waits for the thread to drop the writer, which removes its temp files, releases the output
//! lock and leaves the output file untouched. Waiting matters: a process that exits right
//! after a cancelled sync (SIGTERM in service mode) would otherwise leave the temp files
//! behind, since a detached thread dies with the process.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use super::encoded::GrantRowKeys;
use super::progress::Counts;
use super::SyncError;
use crate::c1z::{C1zWriter, Upsert, WriteSummary, WriterOptions};
use crate::proto::{Entitlement, Grant, Resource, ResourceId, ResourceType};

/// Jobs queued at most; each holds at most [`BATCH`] writes or one read.
const QUEUE: usize = 1;

/// Writes sent to the thread as one job.
const BATCH: usize = 1_024;

/// One queued write.
#[derive(Debug)]
// Writes travel in batches of `BATCH` through a short queue; boxing the large variants would
// add an allocation per object for no memory that matters.
#[allow(clippy::large_enum_variant)]
pub(super) enum Write {
    /// A resource type (the engine deduplicates them).
    ResourceType(ResourceType),
    /// A listed resource, validated and encoded, whose id the engine has not listed before in
    /// this sync (stored unless present; counted when stored). Encoded by the engine so that
    /// a queued resource is one allocation, not a decoded message's dozen.
    EncodedResource {
        /// The encoded `Resource`.
        data: Vec<u8>,
        /// Its `id`.
        id: Option<ResourceId>,
        /// Its `parent_resource_id`.
        parent: Option<ResourceId>,
    },
    /// An entitlement (counted when its id is new).
    Entitlement(Entitlement),
    /// An entitlement already encoded, with its id and resource id (counted when its id is
    /// new).
    EncodedEntitlement {
        /// The encoded `Entitlement`.
        data: Vec<u8>,
        /// Its `id`.
        id: String,
        /// Its `resource.id`.
        resource: ResourceId,
    },
    /// A grant (counted when its id is new).
    Grant(Grant),
    /// A grant already encoded, without `GrantExpandable`, with its keys (counted when its id
    /// is new).
    EncodedGrant {
        /// The encoded `Grant`.
        data: Vec<u8>,
        /// Its keys.
        keys: GrantRowKeys,
    },
    /// A grant's entitlement resource under `InsertResourceGrants`: stored unless present;
    /// the validation outcome counts only when it is new.
    GrantResource(Resource, Result<(), SyncError>),
}

/// Objects stored so far, updated by the thread, read for progress reports.
#[derive(Debug, Default)]
pub(super) struct SharedCounts {
    resource_types: AtomicU64,
    resources: AtomicU64,
    entitlements: AtomicU64,
    grants: AtomicU64,
    expanded_grants: AtomicU64,
}

impl SharedCounts {
    pub(super) fn snapshot(&self) -> Counts {
        Counts {
            resource_types: self.resource_types.load(Ordering::Relaxed),
            resources: self.resources.load(Ordering::Relaxed),
            entitlements: self.entitlements.load(Ordering::Relaxed),
            grants: self.grants.load(Ordering::Relaxed),
            expanded_grants: self.expanded_grants.load(Ordering::Relaxed),
        }
    }

    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// What the thread owns.
struct Store {
    writer: Option<C1zWriter>,
    failed: Option<SyncError>,
    counts: Arc<SharedCounts>,
}

impl Store {
    fn writer(&mut self) -> Result<&mut C1zWriter, SyncError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.writer
            .as_mut()
            .ok_or(SyncError::C1z(crate::c1z::C1zError::Closed))
    }

    fn apply(&mut self, writes: Vec<Write>) -> Result<(), SyncError> {
        let counts = self.counts.clone();
        let w = self.writer()?;
        for write in writes {
            match write {
                Write::ResourceType(rt) => {
                    w.put_resource_type(&rt)?;
                    SharedCounts::add(&counts.resource_types, 1);
                }
                Write::EncodedResource { data, id, parent } => {
                    if w.put_resource_encoded_if_new(&data, id.as_ref(), parent.as_ref())? {
                        SharedCounts::add(&counts.resources, 1);
                    }
                }
                Write::Entitlement(e) => {
                    if w.put_entitlement(&e)? == Upsert::Inserted {
                        SharedCounts::add(&counts.entitlements, 1);
                    }
                }
                Write::EncodedEntitlement { data, id, resource } => {
                    if w.put_entitlement_encoded(&data, &id, &resource)? == Upsert::Inserted {
                        SharedCounts::add(&counts.entitlements, 1);
                    }
                }
                Write::EncodedGrant { data, keys } => {
                    let stored = w.put_grant_encoded(
                        &data,
                        &keys.id,
                        keys.entitlement.as_deref(),
                        keys.entitlement_resource.as_ref(),
                        keys.principal.as_ref(),
                    )?;
                    if stored == Upsert::Inserted {
                        SharedCounts::add(&counts.grants, 1);
                    }
                }
                Write::Grant(g) => {
                    if w.put_grant(&g)? == Upsert::Inserted {
                        SharedCounts::add(&counts.grants, 1);
                    }
                }
                Write::GrantResource(r, valid) => {
                    let Some(id) = r.id.as_ref() else { continue };
                    match valid {
                        Ok(()) => {
                            if w.put_resource_if_new(&r)? {
                                SharedCounts::add(&counts.resources, 1);
                            }
                        }
                        // Invalid only matters for a resource not stored yet.
                        Err(e) if !w.has_resource(id)? => return Err(e),
                        Err(_) => {}
                    }
                }
            }
        }
        Ok(())
    }
}

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// A grant expansion run on the writer: returns the number of grants it created.
pub(super) type ExpandFn = fn(&mut C1zWriter) -> Result<u64, SyncError>;

/// Handle of the writer thread; see the module docs.
pub(super) struct WriterThread {
    tx: mpsc::Sender<Job>,
    pending: Vec<Write>,
    counts: Arc<SharedCounts>,
    thread: Option<JoinHandle<()>>,
    /// Set when the handle is dropped before `finish`: the thread skips what is still queued.
    abandoned: Arc<AtomicBool>,
    interrupt: Arc<Mutex<Option<rusqlite::InterruptHandle>>>,
    finished: bool,
}

impl WriterThread {
    /// Starts the thread and creates the writer for `out` on it.
    pub(super) async fn start(out: PathBuf, options: WriterOptions) -> Result<Self, SyncError> {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let counts = Arc::new(SharedCounts::default());
        let mut store = Store {
            writer: None,
            failed: None,
            counts: counts.clone(),
        };
        let abandoned = Arc::new(AtomicBool::new(false));
        let skip = abandoned.clone();
        let thread = std::thread::Builder::new()
            .name("c1z-writer".into())
            .spawn(move || {
                while let Some(job) = rx.blocking_recv() {
                    if !skip.load(Ordering::Acquire) {
                        job(&mut store);
                    }
                }
            })
            .map_err(|source| {
                SyncError::C1z(crate::c1z::C1zError::Io {
                    op: "start the c1z writer thread",
                    path: out.clone(),
                    source,
                })
            })?;
        let interrupt = Arc::new(Mutex::new(None));
        let handle = Self {
            tx,
            pending: Vec::new(),
            counts,
            thread: Some(thread),
            abandoned,
            interrupt: interrupt.clone(),
            finished: false,
        };
        handle
            .job(move |store| {
                let writer = C1zWriter::create_with(&out, options)?;
                *interrupt.lock().unwrap_or_else(PoisonError::into_inner) =
                    writer.interrupt_handle();
                store.writer = Some(writer);
                Ok(())
            })
            .await?;
        Ok(handle)
    }

    /// Counts so far (writes still queued are not in them yet).
    pub(super) fn counts(&self) -> Counts {
        self.counts.snapshot()
    }

    /// The live counts, readable after [`Self::finish`] consumed the handle.
    pub(super) fn counts_handle(&self) -> Arc<SharedCounts> {
        self.counts.clone()
    }

    /// Queues a write; sends the queue as one job once it is full.
    pub(super) async fn write(&mut self, write: Write) -> Result<(), SyncError> {
        self.pending.push(write);
        if self.pending.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Sends the queued writes.
    pub(super) async fn flush(&mut self) -> Result<(), SyncError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let writes = std::mem::take(&mut self.pending);
        let job: Job = Box::new(move |store: &mut Store| {
            if store.failed.is_some() {
                return;
            }
            if let Err(e) = store.apply(writes) {
                store.failed = Some(e);
            }
        });
        self.tx
            .send(job)
            .await
            .map_err(|_| SyncError::WriterStopped)
    }

    /// Runs `f` on the writer after every queued write and returns its result.
    pub(super) async fn call<R, F>(&mut self, f: F) -> Result<R, SyncError>
    where
        R: Send + 'static,
        F: FnOnce(&mut C1zWriter) -> Result<R, SyncError> + Send + 'static,
    {
        self.flush().await?;
        self.job(move |store| f(store.writer()?)).await
    }

    async fn job<R, F>(&self, f: F) -> Result<R, SyncError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R, SyncError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |store: &mut Store| {
            // The engine may have given up waiting (a cancelled sync): nothing to tell.
            let _ = reply.send(f(store));
        });
        self.tx
            .send(job)
            .await
            .map_err(|_| SyncError::WriterStopped)?;
        answer.await.map_err(|_| SyncError::WriterStopped)?
    }

    /// Runs grant expansion on every stored grant.
    pub(super) async fn expand(&mut self, expand: ExpandFn) -> Result<u64, SyncError> {
        let counts = self.counts.clone();
        self.call(move |w| {
            let created = expand(w)?;
            SharedCounts::add(&counts.expanded_grants, created);
            Ok(created)
        })
        .await
    }

    /// Finishes the file (indexes, `ended_at`, compression, atomic rename).
    pub(super) async fn finish(mut self) -> Result<WriteSummary, SyncError> {
        self.flush().await?;
        let result = self
            .job(|store| {
                if let Some(e) = store.failed.take() {
                    return Err(e);
                }
                let writer = store
                    .writer
                    .take()
                    .ok_or(SyncError::C1z(crate::c1z::C1zError::Closed))?;
                Ok(writer.finish()?)
            })
            .await;
        self.finished = true;
        result
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        if !self.finished {
            self.abandoned.store(true, Ordering::Release);
            if let Some(handle) = self
                .interrupt
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            {
                handle.interrupt();
            }
        }
        // Close the channel (a sender whose receiver is gone replaces ours) so the thread's
        // loop ends once the job in hand returns.
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.tx, closed));
        if let Some(thread) = self.thread.take() {
            // Blocks for at most the job in hand, whose SQL was just interrupted. A panic on
            // the writer thread was already reported as WriterStopped to the engine.
            let _ = thread.join();
        }
    }
}
