/*
 * A SQLite VFS shim that writes a commit's frames to the write-ahead log in a few write calls, not two a frame.
 *
 * SQLite writes each frame of the log with two calls, its 24-byte header and then its page, and a cart's
 * units commit about ten frames a cart: on this kind of virtual machine a write call costs 3-7 µs, much of it
 * the kernel's entry and exit, whatever its size (docs/performance.md). This shim keeps the frames SQLite
 * appends to a log in a buffer and writes the buffer (128 KB a call) when the frame that commits the transaction
 * has been appended (its header says the database's size, which only a commit frame does), when the buffer is
 * full, and before anything else that reads or syncs the log. So a commit still reaches the file before
 * COMMIT returns, before other connections can see it (SQLite publishes the frames in the shared index only
 * after writing them), and a write error is still the commit's error.
 *
 * It also answers one pragma of its own, waymark_sync_file, which syncs the database file (see batchFileControl).
 *
 * Every other file, and every other call, goes straight to the VFS underneath.
 *
 * Built by scripts/build-native.mjs; loaded by src/store/sqlite/wal-batch.ts, which makes it the default VFS.
 */
#include <string.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

/* The buffer of one log: a commit of a unit of 200 carts is about 1,100 frames, 4.5 MB. */
#define BUFFER_BYTES (8 * 1024 * 1024)
#define FRAME_HEADER_BYTES 24

typedef struct BatchFile BatchFile;
struct BatchFile {
  sqlite3_file base;      /* our methods */
  sqlite3_file *real;     /* the file of the VFS underneath, allocated right after this struct */
  int isLog;              /* a write-ahead log: its appends are buffered */
  unsigned char *buffer;  /* frames appended but not written yet (logs only) */
  int used;               /* bytes in buffer */
  sqlite3_int64 start;    /* the offset in the file of buffer[0] */
  int commitFramePending; /* the last write was the header of a commit frame: its page completes the commit */
};

static sqlite3_vfs batchVfs;
static sqlite3_vfs *realVfs;

/*
 * The unix VFS writes at most 128 KB - 1 bytes a call (it masks the length to 17 bits, as no page is larger):
 * a longer write fails as a full disk. So the buffer goes down in pieces of that size, 31 frames each.
 */
#define WRITE_BYTES_MAX ((1 << 17) - 1)

static int flush(BatchFile *f) {
  int rc = SQLITE_OK;
  for (int done = 0; done < f->used && rc == SQLITE_OK; done += WRITE_BYTES_MAX) {
    int piece = f->used - done < WRITE_BYTES_MAX ? f->used - done : WRITE_BYTES_MAX;
    rc = f->real->pMethods->xWrite(f->real, f->buffer + done, piece, f->start + done);
  }
  f->used = 0;
  return rc;
}

static int batchClose(sqlite3_file *file) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  int closed = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  sqlite3_free(f->buffer);
  f->buffer = 0;
  return rc != SQLITE_OK ? rc : closed;
}

static int batchRead(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  if (rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

static int batchWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
  BatchFile *f = (BatchFile *)file;
  if (!f->isLog) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const unsigned char *bytes = (const unsigned char *)data;
  int completesCommit = f->commitFramePending && amount != FRAME_HEADER_BYTES;
  /* A frame's header holds, at bytes 4-7, the database's size in pages after a commit, and 0 in any other frame. */
  f->commitFramePending = amount == FRAME_HEADER_BYTES && (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
  if (f->buffer == 0 && (f->buffer = sqlite3_malloc(BUFFER_BYTES)) == 0) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  int appends = f->used > 0 && offset == f->start + f->used;
  if (!appends || f->used + amount > BUFFER_BYTES) {
    /* Not the next bytes of the log (the log's header, a frame rewritten in place), or no room: what is
       buffered goes first, so writes reach the file in the order SQLite made them. */
    int rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    if (amount > BUFFER_BYTES) return f->real->pMethods->xWrite(f->real, data, amount, offset);
    f->start = offset;
  }
  memcpy(f->buffer + f->used, data, amount);
  f->used += amount;
  return completesCommit ? flush(f) : SQLITE_OK;
}

static int batchTruncate(sqlite3_file *file, sqlite3_int64 size) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int batchSync(sqlite3_file *file, int flags) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int batchFileSize(sqlite3_file *file, sqlite3_int64 *size) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int batchLock(sqlite3_file *file, int level) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xLock(f->real, level);
}

static int batchUnlock(sqlite3_file *file, int level) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  int unlocked = f->real->pMethods->xUnlock(f->real, level);
  return rc != SQLITE_OK ? rc : unlocked;
}

static int batchCheckReservedLock(sqlite3_file *file, int *out) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

/*
 * PRAGMA waymark_sync_file: syncs the database file now, and answers 'synced'. A checkpoint syncs the file only
 * when it copied the log to its end: one that a commit overtook (the checkpoint thread's, under load) leaves
 * the pages it copied unsynced, and the checkpoint that reaches the end then syncs them all, in its writer's
 * commit. The checkpoint thread (src/store/sqlite/checkpoint-thread.ts) syncs them itself with this.
 */
#define SYNC_PRAGMA "waymark_sync_file"

static int batchFileControl(sqlite3_file *file, int op, void *arg) {
  BatchFile *f = (BatchFile *)file;
  int rc = flush(f);
  if (rc != SQLITE_OK) return rc;
  if (op == SQLITE_FCNTL_PRAGMA && sqlite3_stricmp(((char **)arg)[1], SYNC_PRAGMA) == 0) {
    rc = f->real->pMethods->xSync(f->real, SQLITE_SYNC_NORMAL);
    if (rc == SQLITE_OK) ((char **)arg)[0] = sqlite3_mprintf("synced");
    return rc;
  }
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int batchSectorSize(sqlite3_file *file) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xSectorSize(f->real);
}

static int batchDeviceCharacteristics(sqlite3_file *file) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int batchShmMap(sqlite3_file *file, int page, int pageSize, int extend, void volatile **out) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xShmMap(f->real, page, pageSize, extend, out);
}

static int batchShmLock(sqlite3_file *file, int offset, int n, int flags) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void batchShmBarrier(sqlite3_file *file) {
  BatchFile *f = (BatchFile *)file;
  f->real->pMethods->xShmBarrier(f->real);
}

static int batchShmUnmap(sqlite3_file *file, int deleteFlag) {
  BatchFile *f = (BatchFile *)file;
  return f->real->pMethods->xShmUnmap(f->real, deleteFlag);
}

static int batchFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
  BatchFile *f = (BatchFile *)file;
  if (f->real->pMethods->iVersion < 3) {
    *out = 0;
    return SQLITE_OK;
  }
  int rc = flush(f);
  if (rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int batchUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page) {
  BatchFile *f = (BatchFile *)file;
  if (f->real->pMethods->iVersion < 3) return SQLITE_OK;
  return f->real->pMethods->xUnfetch(f->real, offset, page);
}

static sqlite3_io_methods batchMethods = {
  3,
  batchClose,
  batchRead,
  batchWrite,
  batchTruncate,
  batchSync,
  batchFileSize,
  batchLock,
  batchUnlock,
  batchCheckReservedLock,
  batchFileControl,
  batchSectorSize,
  batchDeviceCharacteristics,
  batchShmMap,
  batchShmLock,
  batchShmBarrier,
  batchShmUnmap,
  batchFetch,
  batchUnfetch,
};

static int batchOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
  (void)vfs;
  BatchFile *f = (BatchFile *)file;
  memset(f, 0, sizeof(*f));
  f->real = (sqlite3_file *)&f[1];
  int rc = realVfs->xOpen(realVfs, name, f->real, flags, outFlags);
  if (rc != SQLITE_OK || f->real->pMethods == 0) {
    /* SQLite calls xClose only when pMethods is set: leave it unset, as the VFS underneath did. */
    f->base.pMethods = 0;
    return rc;
  }
  /* A log's buffer is allocated at its first write: a connection that only reads never has one. */
  f->isLog = (flags & SQLITE_OPEN_WAL) != 0;
  f->base.pMethods = &batchMethods;
  return SQLITE_OK;
}

static int registerShim(void) {
  sqlite3_vfs *underneath = sqlite3_vfs_find(0);
  if (underneath == 0) return SQLITE_ERROR;
  realVfs = underneath;
  /* The VFS underneath as it is (its methods, and the data they read through it), but for opening a file. */
  batchVfs = *underneath;
  batchVfs.pNext = 0;
  batchVfs.szOsFile = (int)sizeof(BatchFile) + underneath->szOsFile;
  batchVfs.zName = "waymark-wal-batch";
  batchVfs.xOpen = batchOpen;
  return sqlite3_vfs_register(&batchVfs, 1);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_walbatch_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)db;
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  /* Each thread that opens a file loads this; the first registers the shim, once, under SQLite's own mutex. */
  sqlite3_mutex *mutex = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
  sqlite3_mutex_enter(mutex);
  int rc = SQLITE_OK;
  if (realVfs == 0) rc = registerShim();
  sqlite3_mutex_leave(mutex);
  return rc == SQLITE_OK ? SQLITE_OK_LOAD_PERMANENTLY : rc;
}
