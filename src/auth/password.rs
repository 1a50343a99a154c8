//! Argon2id password hashing, and the bounded pool that runs it for requests.
//!
//! One Argon2id call takes about 19 MiB and tens of milliseconds of one core, on purpose.
//! Requests therefore never hash on an async worker, nor on the open-ended blocking pool:
//! [`PasswordPool`] runs them on a fixed set of threads behind a bounded queue, and refuses a
//! call at once (503 with `Retry-After`) when the queue is full. A login takes its place in
//! the pool before it looks the user up, so a flood of refused logins costs no database work.
//!
//! Each pool thread also keeps Argon2's working memory from one call to the next. Allocating
//! and freeing 19 MiB per call lets glibc's malloc raise its mmap threshold and then keep the
//! freed blocks in its heaps: a login flood on two threads left the process at 400 MB. Kept
//! memory is exactly one buffer per thread, allocated once.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    self, Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier,
    Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::error::AppError;

/// Seconds a client is told to wait when every password slot is taken: one Argon2 call takes
/// well under a second, so the queue drains quickly.
const BUSY_RETRY_AFTER: u64 = 1;

/// The nice value of the password threads: request threads win the CPU when both want it, so
/// reads stay fast during a login flood, while hashing still gets about a tenth of a busy core.
#[cfg(target_os = "linux")]
const PASSWORD_THREAD_NICE: libc::c_int = 10;

/// Hashes a password with Argon2id and a random salt, in PHC string format.
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    KeptMemoryArgon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored hash. A malformed hash never matches.
pub fn verify(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            KeptMemoryArgon2
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

thread_local! {
    /// Argon2's working memory between calls; `Some` on the password threads only, so that
    /// start-up and command-line hashing do not keep 19 MiB for the life of the process.
    static KEPT_MEMORY: RefCell<Option<Vec<Block>>> = const { RefCell::new(None) };
}

/// Runs `f` with `count` Argon2 blocks: the thread's kept ones when it keeps them, fresh ones
/// otherwise. Argon2 writes every block before it reads it, so reused memory needs no zeroing.
fn with_memory<T>(count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    KEPT_MEMORY.with(|kept| match kept.borrow_mut().as_mut() {
        Some(blocks) => {
            if blocks.len() != count {
                blocks.clear();
                blocks.resize(count, Block::default());
            }
            f(blocks)
        }
        None => f(&mut vec![Block::default(); count]),
    })
}

/// Argon2 exactly as `argon2::Argon2` computes it (same defaults, same PHC strings, verifies
/// the same hashes), but with its working memory from [`with_memory`].
struct KeptMemoryArgon2;

impl PasswordHasher for KeptMemoryArgon2 {
    type Params = Params;

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm
            .map(Algorithm::try_from)
            .transpose()?
            .unwrap_or_default();
        let version = version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let argon2 = Argon2::new(algorithm, version, params);
        let salt = salt.into();
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf)?;
        let params = argon2.params();
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = Output::init_with(output_len, |out| {
            with_memory(params.block_count(), |blocks| {
                argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks)
            })
            .map_err(password_hash::Error::from)
        })?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }
}

/// Spends the same time as a real verification, for logins with an unknown email, so that
/// response times do not reveal which emails have accounts.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("byline-dummy-password").unwrap_or_default());
    let _ = verify(stored, password);
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed number of password threads, and a bound on the calls running or waiting for them.
pub struct PasswordPool {
    jobs: mpsc::Sender<Job>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// A place in the pool, taken before anything else is spent on a call (the login's user
/// lookup, for one) and given back when the call has run, or when it is dropped unused.
pub struct PasswordSlot<'a> {
    pool: &'a PasswordPool,
    admission: Admission,
}

/// Counts one admitted call until dropped.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PasswordPool {
    /// Starts `threads` hashing threads (at least one) with room for `queue` waiting calls.
    pub fn new(threads: usize, queue: usize) -> Result<Self, String> {
        let threads = threads.max(1);
        let (jobs, inbox) = mpsc::channel::<Job>();
        let inbox = Arc::new(Mutex::new(inbox));
        for i in 0..threads {
            let inbox = Arc::clone(&inbox);
            std::thread::Builder::new()
                .name(format!("byline-password-{i}"))
                .spawn(move || {
                    lower_priority();
                    KEPT_MEMORY.with(|kept| *kept.borrow_mut() = Some(Vec::new()));
                    loop {
                        // The lock is held only while waiting for a job, not while running it.
                        let next = inbox.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(job) = next else { break };
                        // A panicking job must not take its thread, and so a slot, with it.
                        let _ = catch_unwind(AssertUnwindSafe(job));
                    }
                })
                .map_err(|e| format!("cannot start the password threads: {e}"))?;
        }
        Ok(Self {
            jobs,
            admitted: Arc::default(),
            capacity: threads + queue,
        })
    }

    /// Takes a place for one call; a 503 at once when every thread is busy and the queue is
    /// full.
    pub fn admit(&self) -> Result<PasswordSlot<'_>, AppError> {
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .map_err(|_| AppError::Overloaded {
                detail: "too many password checks are in progress; retry in a moment".into(),
                retry_after: BUSY_RETRY_AFTER,
            })?;
        Ok(PasswordSlot {
            pool: self,
            admission: Admission(Arc::clone(&self.admitted)),
        })
    }

    /// Runs `f` on a password thread and waits for its result; a 503 at once when every
    /// thread is busy and the queue is full.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.admit()?.run(f).await
    }
}

/// Lowers the calling thread's scheduling priority to [`PASSWORD_THREAD_NICE`]. Linux keeps a
/// nice value per thread; elsewhere it would apply to the whole process, so it is Linux only.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: setpriority only reads its arguments. On Linux, PRIO_PROCESS with who = 0 names
    // the calling thread. Failing leaves the thread at its priority, which is harmless.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, PASSWORD_THREAD_NICE) };
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

impl PasswordSlot<'_> {
    /// Runs `f` on a password thread and waits for its result.
    pub async fn run<T, F>(self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        // The place is given back when the call has run, not when its request goes away, so
        // clients that disconnect cannot get more calls running than the pool has places.
        let admission = self.admission;
        let job: Job = Box::new(move || {
            // The client gave up while the call waited: do not spend a thread on it.
            if reply.is_closed() {
                return;
            }
            let out = f();
            // Given back before the answer, so that the caller's next call finds it free.
            drop(admission);
            let _ = reply.send(out);
        });
        self.pool
            .jobs
            .send(job)
            .map_err(|_| AppError::internal("the password threads have stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("a password check was dropped"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_those_of_the_argon2_crate() {
        let ours = hash("correct horse battery").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("PHC string");
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .expect("hash")
            .to_string();
        assert!(verify(&theirs, "correct horse battery"));
        assert!(!verify(&theirs, "correct horse battery!"));
    }

    #[test]
    fn kept_memory_gives_the_same_hash_as_fresh_memory() {
        let salt = SaltString::generate(&mut OsRng);
        let fresh = KeptMemoryArgon2
            .hash_password(b"pw-one", &salt)
            .expect("hash")
            .to_string();
        let kept = std::thread::spawn(move || {
            KEPT_MEMORY.with(|k| *k.borrow_mut() = Some(Vec::new()));
            // A first call with another password leaves its state in the kept blocks.
            let _ = KeptMemoryArgon2.hash_password(b"pw-two", &salt);
            KeptMemoryArgon2
                .hash_password(b"pw-one", &salt)
                .expect("hash")
                .to_string()
        })
        .join()
        .expect("thread");
        assert_eq!(fresh, kept);
    }

    #[test]
    fn hashes_verify_only_their_own_password() {
        let h = hash("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse battery"));
        assert!(!verify(&h, "correct horse battery!"));
        assert!(!verify("not a hash", "anything"));
    }

    #[actix_web::test]
    async fn the_pool_runs_calls_and_returns_their_results() {
        let pool = PasswordPool::new(2, 4).expect("pool");
        let h = pool.run(|| hash("correct horse battery")).await;
        let h = h.expect("ran").expect("hashed");
        assert!(pool
            .run(move || verify(&h, "correct horse battery"))
            .await
            .expect("ran"));
    }

    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn password_threads_yield_the_cpu_to_request_threads() {
        let pool = PasswordPool::new(1, 0).expect("pool");
        // SAFETY: getpriority only reads its arguments; who = 0 is the calling thread.
        let nice = pool
            .run(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) })
            .await
            .expect("ran");
        assert!(nice >= PASSWORD_THREAD_NICE, "nice {nice}");
    }

    #[actix_web::test]
    async fn a_place_taken_and_dropped_unused_is_given_back() {
        let pool = PasswordPool::new(1, 0).expect("pool");
        let slot = pool.admit().expect("a free place");
        assert!(pool.admit().is_err(), "one thread, no queue: one place");
        drop(slot);
        assert!(pool.admit().is_ok());
    }

    #[actix_web::test]
    async fn a_full_queue_is_refused_at_once_with_retry_after() {
        use std::time::Duration;
        let pool = std::rc::Rc::new(PasswordPool::new(1, 0).expect("pool"));
        let (started, has_started) = std::sync::mpsc::channel::<()>();
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        let holder = std::rc::Rc::clone(&pool);
        let busy = actix_web::rt::spawn(async move {
            holder
                .run(move || {
                    let _ = started.send(());
                    let _ = blocked.recv();
                })
                .await
        });
        for _ in 0..400 {
            if has_started.try_recv().is_ok() {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
        let refused = pool.run(|| ()).await;
        assert!(matches!(
            refused,
            Err(AppError::Overloaded { retry_after: 1, .. })
        ));
        let _ = release.send(());
        assert!(busy.await.expect("joined").is_ok());
        assert!(pool.run(|| ()).await.is_ok(), "the place is free again");
    }
}
