/*
 * dax-agent: the guest side of the `linux` target.
 *
 * Speaks the dax-conformance process protocol (docs/protocol.md) over one character device
 * (default /dev/vport0p1, a virtio-serial port; any tty such as /dev/ttyS1 also works, it is
 * put in raw mode) and performs real system calls for the black-box operations of
 * targets/contract.ts.  Built with `gcc -static` by scripts/linux-image.sh.
 *
 *   agent [DEVICE]        serve the protocol on DEVICE (or stdin/stdout when DEVICE is "-")
 *
 * One request per line, answered in order.  A request that cannot be parsed or names an
 * unknown op is answered with an error; the agent never exits except on `close`.
 * A SIGBUS or SIGSEGV while copying into or out of a mapping (store/load) is caught with
 * sigsetjmp and answered as errno "SIGBUS" / "SIGSEGV".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/blkpg.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

#define AGENT_VERSION "0.1.0"
#define MAX_LINE (1024 * 1024 + 4096)
#define MAX_IO (480 * 1024) /* bytes per read/load answer: its hex must fit one 1 MiB line */
#define MAX_MAPS 256
#define MAX_DEPTH 32
#define PMD_SIZE (2UL * 1024 * 1024)

/* ------------------------------------------------------------------ trace markers
 * A multi-byte nop with a magic displacement (nopl 0x4441584d(%rax,%rax,1)): a no-op on any CPU,
 * and the instruction the tracing QEMU plugin (linux/plugin/pmem-trace.c) watches for.  It reads
 * rdi (what), rsi, rdx and r8 (arguments) when one executes, so requests bracket their events. */
enum { MARK_BEGIN = 1, MARK_END = 2, MARK_RANGE = 3, MARK_REGION = 4, MARK_ARM = 5, MARK_KICK = 6 };
static void trace_mark(uint64_t what, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t r8 __asm__("r8") = a3;
  __asm__ volatile(".byte 0x0f,0x1f,0x84,0x00; .long 0x4441584d" : : "D"(what), "S"(a1), "d"(a2), "r"(r8) : "memory");
}

static int traced; /* dax.trace=1 on the kernel command line: a tracing QEMU plugin is loaded */
static void read_cmdline(void) {
  char b[4096];
  int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
  if (fd >= 0) close(fd);
  if (n <= 0) return;
  b[n] = 0;
  traced = strstr(b, "dax.trace=1") != NULL;
}

static int read_sys_u64(const char *path, uint64_t *out) {
  char b[64];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return -1;
  b[n] = 0;
  *out = strtoull(b, NULL, 0);
  return 0;
}

/* A /dev/pmemN on virtio-pmem: the device's notify area in guest physical memory, from the
 * virtio-pci capability list in its PCI config space (VIRTIO_PCI_CAP_NOTIFY_CFG: BAR, offset,
 * length).  A store there kicks the request queue, whose requests are flushes (virtio_pmem_flush).
 * `real` is the pmem device's sysfs path; the PCI function is the ancestor with vendor 0x1af4 and
 * device 0x105b (0x1040 + VIRTIO_ID_PMEM 27).  0 when pmemN is not on virtio-pmem. */
static int virtio_pmem_notify(const char *real, uint64_t *start, uint64_t *size) {
  char dir[PATH_MAX], p[PATH_MAX + 32];
  snprintf(dir, sizeof dir, "%s", real);
  for (char *slash = strrchr(dir, '/'); slash && slash != dir; slash = strrchr(dir, '/')) {
    *slash = 0;
    uint64_t vendor, device;
    snprintf(p, sizeof p, "%s/vendor", dir);
    if (read_sys_u64(p, &vendor)) continue;
    snprintf(p, sizeof p, "%s/device", dir);
    if (read_sys_u64(p, &device) || vendor != 0x1af4 || device != 0x105b) continue;
    unsigned char cfg[256];
    snprintf(p, sizeof p, "%s/config", dir);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, cfg, sizeof cfg) : -1;
    if (fd >= 0) close(fd);
    if (n < 64 || !(cfg[6] & 0x10)) return 0; /* no capability list */
    for (unsigned at = cfg[0x34] & 0xfc, hops = 0; at >= 0x40 && at + 16 <= (unsigned)n && hops < 48; at = cfg[at + 1] & 0xfc, hops++) {
      if (cfg[at] != 0x09 || cfg[at + 3] != 2) continue; /* vendor-specific, VIRTIO_PCI_CAP_NOTIFY_CFG */
      unsigned bar = cfg[at + 4];
      uint32_t off, len;
      memcpy(&off, cfg + at + 8, 4);
      memcpy(&len, cfg + at + 12, 4);
      /* /sys/.../resource: one line per BAR, "start end flags" */
      snprintf(p, sizeof p, "%s/resource", dir);
      FILE *f = fopen(p, "re");
      if (!f) return 0;
      unsigned long long s = 0, e = 0, fl = 0;
      for (unsigned i = 0; i <= bar; i++)
        if (fscanf(f, "%llx %llx %llx", &s, &e, &fl) != 3) s = 0;
      fclose(f);
      if (!s) return 0;
      *start = s + off;
      *size = len;
      return 1;
    }
    return 0;
  }
  return 0;
}

/* Tell the plugin where each /dev/pmemN's data lies in guest physical memory (the fsdax pfn
 * device's resource: past the info block and the struct-page reservation), where its NVDIMM
 * region starts (the backing file's offset 0) and, on virtio-pmem, where its flush requests are
 * kicked, then arm the store callbacks. */
static void trace_announce(void) {
  for (int n = 0; n < 8; n++) {
    char p[128], real[PATH_MAX];
    uint64_t start, size, region;
    snprintf(p, sizeof p, "/sys/block/pmem%d/device", n);
    if (!realpath(p, real)) continue;
    char rp[PATH_MAX + 32];
    snprintf(rp, sizeof rp, "%s/resource", real);
    if (read_sys_u64(rp, &start)) continue;
    snprintf(rp, sizeof rp, "%s/size", real);
    if (read_sys_u64(rp, &size)) continue;
    snprintf(rp, sizeof rp, "%s/../resource", real);
    if (read_sys_u64(rp, &region)) continue;
    trace_mark(MARK_RANGE, (uint64_t)n, start, size);
    trace_mark(MARK_REGION, (uint64_t)n, region, 0);
    uint64_t kick, kick_len;
    if (virtio_pmem_notify(real, &kick, &kick_len)) trace_mark(MARK_KICK, (uint64_t)n, kick, kick_len);
  }
  trace_mark(MARK_ARM, 0, 0, 0);
}

/* ------------------------------------------------------------------ growable string */

typedef struct {
  char *p;
  size_t len, cap;
} sbuf;

static void sb_reserve(sbuf *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    static const char oom[] = "{\"id\":null,\"ok\":false,\"errno\":\"ENOMEM\",\"message\":\"agent out of memory\"}\n";
    (void)!write(2, oom, sizeof oom - 1);
    _exit(3);
  }
  b->p = p;
  b->cap = cap;
}
static void sb_putn(sbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}
static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_printf(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  sb_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}
/* JSON string literal; invalid UTF-8 bytes are replaced by U+FFFD so the line stays valid JSON */
static void sb_jstr(sbuf *b, const char *s, size_t n) {
  sb_putn(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"') sb_puts(b, "\\\"");
    else if (c == '\\') sb_puts(b, "\\\\");
    else if (c == '\n') sb_puts(b, "\\n");
    else if (c == '\r') sb_puts(b, "\\r");
    else if (c == '\t') sb_puts(b, "\\t");
    else if (c < 0x20 || c == 0x7f) sb_printf(b, "\\u%04x", c);
    else if (c < 0x80) sb_putn(b, (const char *)&c, 1);
    else {
      size_t k = c >= 0xf0 && c < 0xf5 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : 0;
      if (c >= 0xf5) k = 0;
      int ok = k > 0 && i + k < n;
      for (size_t j = 1; ok && j <= k; j++)
        if (((unsigned char)s[i + j] & 0xc0) != 0x80) ok = 0;
      if (ok) {
        sb_putn(b, s + i, k + 1);
        i += k;
      } else
        sb_puts(b, "\\ufffd");
    }
  }
  sb_putn(b, "\"", 1);
}
static void sb_jcstr(sbuf *b, const char *s) { sb_jstr(b, s, strlen(s)); }
static void sb_hex(sbuf *b, const unsigned char *d, size_t n) {
  static const char hx[] = "0123456789abcdef";
  sb_reserve(b, 2 * n + 2);
  b->p[b->len++] = '"';
  for (size_t i = 0; i < n; i++) {
    b->p[b->len++] = hx[d[i] >> 4];
    b->p[b->len++] = hx[d[i] & 15];
  }
  b->p[b->len++] = '"';
  b->p[b->len] = 0;
}

/* ------------------------------------------------------------------ JSON values */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jv {
  jtype t;
  int b;
  double n;
  char *s; /* J_STR: NUL-terminated, slen bytes (may contain NUL) */
  size_t slen;
  struct jv **items; /* J_ARR / J_OBJ values */
  char **keys;       /* J_OBJ keys */
  size_t len;
} jv;

static void jfree(jv *v) {
  if (!v) return;
  for (size_t i = 0; i < v->len; i++) {
    jfree(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->s);
  free(v);
}

typedef struct {
  const char *p, *end;
  const char *err;
} jparser;

static void jws(jparser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}
static jv *jnew(jtype t) {
  jv *v = calloc(1, sizeof *v);
  if (!v) abort();
  v->t = t;
  return v;
}
static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
static int jhex4(jparser *ps, unsigned *out) {
  if (ps->end - ps->p < 4) return -1;
  unsigned u = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval((unsigned char)ps->p[i]);
    if (h < 0) return -1;
    u = u * 16 + (unsigned)h;
  }
  ps->p += 4;
  *out = u;
  return 0;
}
static void put_utf8(sbuf *b, unsigned cp) {
  char o[4];
  size_t n;
  if (cp < 0x80) o[0] = (char)cp, n = 1;
  else if (cp < 0x800) o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 63)), n = 2;
  else if (cp < 0x10000)
    o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | ((cp >> 6) & 63)), o[2] = (char)(0x80 | (cp & 63)), n = 3;
  else
    o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | ((cp >> 12) & 63)), o[2] = (char)(0x80 | ((cp >> 6) & 63)),
    o[3] = (char)(0x80 | (cp & 63)), n = 4;
  sb_putn(b, o, n);
}
static char *jstring(jparser *ps, size_t *lenp) {
  if (ps->p >= ps->end || *ps->p != '"') return ps->err = "expected a string", NULL;
  ps->p++;
  sbuf b = {0};
  sb_reserve(&b, 16);
  while (1) {
    if (ps->p >= ps->end) {
      free(b.p);
      return ps->err = "unterminated string", NULL;
    }
    unsigned char c = (unsigned char)*ps->p++;
    if (c == '"') break;
    if (c < 0x20) {
      free(b.p);
      return ps->err = "control character in string", NULL;
    }
    if (c != '\\') {
      sb_putn(&b, (const char *)&c, 1);
      continue;
    }
    if (ps->p >= ps->end) {
      free(b.p);
      return ps->err = "bad escape", NULL;
    }
    char e = *ps->p++;
    unsigned cp;
    switch (e) {
    case '"': sb_puts(&b, "\""); break;
    case '\\': sb_puts(&b, "\\"); break;
    case '/': sb_puts(&b, "/"); break;
    case 'b': sb_puts(&b, "\b"); break;
    case 'f': sb_puts(&b, "\f"); break;
    case 'n': sb_puts(&b, "\n"); break;
    case 'r': sb_puts(&b, "\r"); break;
    case 't': sb_puts(&b, "\t"); break;
    case 'u':
      if (jhex4(ps, &cp)) {
        free(b.p);
        return ps->err = "bad \\u escape", NULL;
      }
      if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
        unsigned lo;
        const char *save = ps->p;
        ps->p += 2;
        if (!jhex4(ps, &lo) && lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        else ps->p = save;
      }
      put_utf8(&b, cp);
      break;
    default: free(b.p); return ps->err = "bad escape", NULL;
    }
  }
  *lenp = b.len;
  return b.p;
}
static jv *jvalue(jparser *ps, int depth);
static jv *jcontainer(jparser *ps, int depth, int obj) {
  jv *v = jnew(obj ? J_OBJ : J_ARR);
  size_t cap = 0;
  ps->p++;
  jws(ps);
  if (ps->p < ps->end && *ps->p == (obj ? '}' : ']')) {
    ps->p++;
    return v;
  }
  while (1) {
    char *key = NULL;
    size_t klen;
    jws(ps);
    if (obj) {
      if (!(key = jstring(ps, &klen))) goto fail;
      jws(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        free(key);
        ps->err = "expected ':'";
        goto fail;
      }
      ps->p++;
    }
    jv *item = jvalue(ps, depth + 1);
    if (!item) {
      free(key);
      goto fail;
    }
    if (v->len == cap) {
      cap = cap ? cap * 2 : 8;
      v->items = realloc(v->items, cap * sizeof *v->items);
      if (obj) v->keys = realloc(v->keys, cap * sizeof *v->keys);
      if (!v->items || (obj && !v->keys)) abort();
    }
    v->items[v->len] = item;
    if (obj) v->keys[v->len] = key;
    v->len++;
    jws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == (obj ? '}' : ']')) {
      ps->p++;
      return v;
    }
    ps->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
    goto fail;
  }
fail:
  jfree(v);
  return NULL;
}
static jv *jvalue(jparser *ps, int depth) {
  if (depth > MAX_DEPTH) return ps->err = "nested too deeply", NULL;
  jws(ps);
  if (ps->p >= ps->end) return ps->err = "unexpected end of input", NULL;
  char c = *ps->p;
  if (c == '{' || c == '[') return jcontainer(ps, depth, c == '{');
  if (c == '"') {
    size_t n;
    char *s = jstring(ps, &n);
    if (!s) return NULL;
    jv *v = jnew(J_STR);
    v->s = s;
    v->slen = n;
    return v;
  }
  static const struct {
    const char *w;
    jtype t;
    int b;
  } lits[] = {{"true", J_BOOL, 1}, {"false", J_BOOL, 0}, {"null", J_NULL, 0}};
  for (size_t i = 0; i < 3; i++) {
    size_t n = strlen(lits[i].w);
    if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, lits[i].w, n)) {
      ps->p += n;
      jv *v = jnew(lits[i].t);
      v->b = lits[i].b;
      return v;
    }
  }
  if (c == '-' || isdigit((unsigned char)c)) {
    const char *q = ps->p;
    if (*q == '-') q++;
    if (q >= ps->end || !isdigit((unsigned char)*q)) return ps->err = "bad number", NULL;
    while (q < ps->end && (isdigit((unsigned char)*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-')) q++;
    char tmp[64];
    size_t n = (size_t)(q - ps->p);
    if (n >= sizeof tmp) return ps->err = "number too long", NULL;
    memcpy(tmp, ps->p, n);
    tmp[n] = 0;
    char *endp;
    double d = strtod(tmp, &endp);
    if (*endp) return ps->err = "bad number", NULL;
    ps->p = q;
    jv *v = jnew(J_NUM);
    v->n = d;
    return v;
  }
  return ps->err = "unexpected character", NULL;
}
static jv *jget(const jv *o, const char *key) {
  if (!o || o->t != J_OBJ) return NULL;
  for (size_t i = 0; i < o->len; i++)
    if (!strcmp(o->keys[i], key)) return o->items[i];
  return NULL;
}

/* ------------------------------------------------------------------ request context */

typedef struct {
  const jv *args;
  sbuf *res;        /* the result JSON when ok */
  char errno_name[32];
  char message[512];
  int failed;
} req;

static int fail(req *r, const char *errname, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  snprintf(r->errno_name, sizeof r->errno_name, "%s", errname);
  vsnprintf(r->message, sizeof r->message, fmt, ap);
  va_end(ap);
  r->failed = 1;
  return -1;
}
static const char *errname(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "EIO";
}
/* fail with the current errno: "<what>: <strerror>" */
static int fail_errno(req *r, const char *what) {
  int e = errno;
  return fail(r, errname(e), "%s: %s", what, strerror(e));
}

static int arg_str(req *r, const char *key, const char **out, int required) {
  jv *v = jget(r->args, key);
  *out = NULL;
  if (!v || v->t == J_NULL) {
    if (required) return fail(r, "EINVAL", "missing string argument '%s'", key);
    *out = NULL;
    return 0;
  }
  if (v->t != J_STR || strlen(v->s) != v->slen) return fail(r, "EINVAL", "argument '%s' must be a string", key);
  *out = v->s;
  return 0;
}
static int arg_u64(req *r, const char *key, uint64_t *out, int required, uint64_t dflt) {
  jv *v = jget(r->args, key);
  *out = dflt;
  if (!v || v->t == J_NULL) {
    if (required) return fail(r, "EINVAL", "missing number argument '%s'", key);
    *out = dflt;
    return 0;
  }
  if (v->t != J_NUM || v->n < 0 || v->n > 9007199254740992.0 || v->n != (double)(uint64_t)v->n)
    return fail(r, "EINVAL", "argument '%s' must be a non-negative integer", key);
  *out = (uint64_t)v->n;
  return 0;
}
static int arg_bool(req *r, const char *key, int *out, int dflt) {
  jv *v = jget(r->args, key);
  *out = dflt;
  if (!v || v->t == J_NULL) {
    *out = dflt;
    return 0;
  }
  if (v->t != J_BOOL) return fail(r, "EINVAL", "argument '%s' must be a boolean", key);
  *out = v->b;
  return 0;
}
/* hex argument -> malloc'ed bytes */
static int arg_hex(req *r, const char *key, unsigned char **out, size_t *len) {
  const char *s;
  if (arg_str(r, key, &s, 1)) return -1;
  size_t n = strlen(s);
  if (n % 2) return fail(r, "EINVAL", "argument '%s' must be hex with an even number of digits", key);
  unsigned char *d = malloc(n / 2 + 1);
  if (!d) return fail(r, "ENOMEM", "out of memory");
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      free(d);
      return fail(r, "EINVAL", "argument '%s' is not hex", key);
    }
    d[i] = (unsigned char)(hi * 16 + lo);
  }
  *out = d;
  *len = n / 2;
  return 0;
}
/* "pmem0" or "/dev/pmem0" -> "/dev/pmem0" */
static int dev_path(req *r, const char *key, char *out, size_t outlen) {
  const char *d;
  if (arg_str(r, key, &d, 1)) return -1;
  if (!*d || strstr(d, "..")) return fail(r, "EINVAL", "bad device name '%s'", d);
  if (d[0] == '/') snprintf(out, outlen, "%s", d);
  else snprintf(out, outlen, "/dev/%s", d);
  return 0;
}

/* ------------------------------------------------------------------ helpers */

/* Run argv (searching PATH), capture stdout+stderr (at most 64 KiB). Returns exit status, or -1 */
static int run_cmd(char *const argv[], sbuf *out) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC)) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(pfd[1], 1);
    dup2(pfd[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvp(argv[0], argv);
    dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(pfd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pfd[0], buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (out && out->len < 65536) sb_putn(out, buf, (size_t)n);
  }
  close(pfd[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + WTERMSIG(st);
}

/* mkdir -p */
static int mkdirs(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
  return 0;
}

static int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* last lines of a command's output, for an error message */
static const char *tail_text(sbuf *out, size_t max) {
  if (!out->p) return "";
  while (out->len && (out->p[out->len - 1] == '\n' || out->p[out->len - 1] == ' ')) out->p[--out->len] = 0;
  return out->len > max ? out->p + out->len - max : out->p;
}

/* ------------------------------------------------------------------ mappings and faults */

typedef struct {
  int used;
  unsigned char *addr; /* the mapping */
  size_t len;          /* requested length */
  void *resv;          /* the whole reservation (for PMD alignment), to munmap */
  size_t resvlen;
  uint64_t offset; /* file offset */
} mapping;
static mapping maps[MAX_MAPS + 1]; /* ids 1..MAX_MAPS */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_copy, fault_sig;
static void on_fault(int sig, siginfo_t *si, void *uc) {
  (void)si;
  (void)uc;
  if (in_copy) {
    fault_sig = sig;
    in_copy = 0;
    siglongjmp(fault_jmp, 1);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/* copy with faults turned into an error answer; returns 0 or -1 (r failed) */
static int guarded_copy(req *r, void *dst, const void *src, size_t n) {
  if (sigsetjmp(fault_jmp, 1)) {
    int s = fault_sig;
    return fail(r, s == SIGBUS ? "SIGBUS" : "SIGSEGV", "%s while accessing the mapping", s == SIGBUS ? "SIGBUS" : "SIGSEGV");
  }
  fault_sig = 0;
  in_copy = 1;
  volatile unsigned char *d = dst;
  const volatile unsigned char *s = src;
  /* byte-by-byte up to 8-byte alignment, then 8-byte words: every store is a real store */
  size_t i = 0;
  while (i < n && (((uintptr_t)(d + i)) & 7)) d[i] = s[i], i++;
  if ((((uintptr_t)(s + i)) & 7) == 0)
    for (; i + 8 <= n; i += 8) *(volatile uint64_t *)(d + i) = *(const volatile uint64_t *)(s + i);
  for (; i < n; i++) d[i] = s[i];
  in_copy = 0;
  return 0;
}

/* write the lines of [p, p+n) back (clwb, else clflushopt, else clflush) and fence: libpmem's pmem_persist */
static int has_clwb = -1, has_clflushopt;
static void persist_range(void *p, size_t n) {
  if (has_clwb < 0) {
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    has_clwb = (b >> 24) & 1;
    has_clflushopt = (b >> 23) & 1;
  }
  uintptr_t line = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + n;
  for (; line < end; line += 64) {
    if (has_clwb) __asm__ volatile("clwb %0" : "+m"(*(volatile char *)line));
    else if (has_clflushopt) __asm__ volatile("clflushopt %0" : "+m"(*(volatile char *)line));
    else __asm__ volatile("clflush %0" : "+m"(*(volatile char *)line));
  }
  __asm__ volatile("sfence" ::: "memory");
}

static mapping *get_map(req *r) {
  uint64_t id;
  if (arg_u64(r, "map", &id, 1, 0)) return NULL;
  if (id < 1 || id > MAX_MAPS || !maps[id].used) {
    fail(r, "EINVAL", "no mapping with id %llu", (unsigned long long)id);
    return NULL;
  }
  return &maps[id];
}

static void unmap_all(void) {
  for (int i = 1; i <= MAX_MAPS; i++)
    if (maps[i].used) {
      munmap(maps[i].resv, maps[i].resvlen);
      maps[i].used = 0;
    }
}

/* ------------------------------------------------------------------ operations */

static int op_hello(req *r);

static int op_reset(req *r) {
  /* a light reset: drop mappings and unmount pmem filesystems; a fresh machine is the host's job */
  unmap_all();
  for (int pass = 0; pass < 4; pass++) {
    FILE *f = fopen("/proc/mounts", "r");
    if (!f) break;
    char line[1024], mnts[64][256];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
      char dev[256], dir[256];
      if (sscanf(line, "%255s %255s", dev, dir) == 2 && !strncmp(dev, "/dev/pmem", 9)) snprintf(mnts[n++], 256, "%s", dir);
    }
    fclose(f);
    if (!n) break;
    for (int i = n - 1; i >= 0; i--) {
      int fd = open(mnts[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* a frozen filesystem is thawed first */
      if (fd >= 0) {
        ioctl(fd, FITHAW, 0);
        close(fd);
      }
      umount2(mnts[i], 0);
    }
  }
  sb_puts(r->res, "null");
  return 0;
}

static long long dev_size(const char *dev) {
  int fd = open(dev, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  uint64_t sz = 0;
  int rc = ioctl(fd, BLKGETSIZE64, &sz);
  close(fd);
  return rc ? -1 : (long long)sz;
}

/* ------------------------------------------------------------------ namespaces of a chosen size */

#define SZ_2M (2ull << 20)
#define SZ_8K 8192ull

/* The fsdax namespace whose pfn device leaves `usable` bytes: the data starts past the 8 KiB info
 * area and 64 bytes of struct page per 4 KiB page of the namespace, rounded up to the 2 MiB
 * alignment (nd_pfn_init, PFN_MODE_PMEM), so the raw size is `usable` plus that offset. */
static uint64_t fsdax_raw_size(uint64_t usable) {
  for (uint64_t off = SZ_2M;; off += SZ_2M) {
    uint64_t raw = usable + off;
    uint64_t need = (SZ_8K + 64 * ((raw - SZ_8K) / 4096) + SZ_2M - 1) / SZ_2M * SZ_2M;
    if (need <= off) return raw;
  }
}

/* the /dev/pmemN block device whose pfn device (or raw namespace) is namespace `ns`, or "" */
static void disk_of_namespace(const char *ns, char *out, size_t len) {
  out[0] = 0;
  DIR *d = opendir("/sys/block");
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, "pmem", 4)) continue;
    char p[PATH_MAX], real[PATH_MAX], b[128] = "";
    snprintf(p, sizeof p, "/sys/block/%s/device/namespace", e->d_name);
    FILE *f = fopen(p, "re");
    if (f) {
      if (!fgets(b, sizeof b, f)) b[0] = 0;
      fclose(f);
      b[strcspn(b, "\n")] = 0;
    } else {
      snprintf(p, sizeof p, "/sys/block/%s/device", e->d_name);
      if (realpath(p, real)) snprintf(b, sizeof b, "%s", strrchr(real, '/') + 1);
    }
    if (!strcmp(b, ns)) {
      snprintf(out, len, "%s", e->d_name);
      break;
    }
  }
  closedir(d);
}

/* where a disk's data lies: its first byte's physical address and its size (0 when there is no disk) */
static void disk_layout(const char *disk, uint64_t *start, uint64_t *size) {
  char p[PATH_MAX];
  *start = *size = 0;
  if (!*disk) return;
  snprintf(p, sizeof p, "/sys/block/%s/device/resource", disk);
  if (read_sys_u64(p, start)) *start = 0;
  snprintf(p, sizeof p, "/sys/block/%s/size", disk);
  if (read_sys_u64(p, size)) *size = 0;
  *size *= 512;
}

/* zero [from, to) of /dev/<disk> through the block layer (BLKZEROOUT), made durable */
static int zero_disk_range(const char *disk, uint64_t from, uint64_t to, sbuf *err) {
  if (from >= to) return 0;
  char dev[300];
  snprintf(dev, sizeof dev, "/dev/%s", disk);
  int fd = open(dev, O_RDWR | O_CLOEXEC);
  uint64_t range[2] = {from, to - from};
  if (fd < 0 || ioctl(fd, BLKZEROOUT, range) || fsync(fd)) {
    sb_printf(err, "zeroing %s at %llu length %llu: %s", dev, (unsigned long long)from, (unsigned long long)(to - from), strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

/*
 * Make namespace `ns` an fsdax namespace whose disk holds exactly `usable` bytes: ndctl
 * create-namespace -e (it destroys the namespace and makes it again on the same labels, with a
 * new pfn device), on a labelled NVDIMM.  The disk's bytes that were the old namespace's info
 * block and struct pages are zeroed, so the new disk reads as fresh media does in this suite.
 * Writes the disk's name to `disk`; on failure a sentence in `err`.
 */
static int carve_namespace(const char *ns, uint64_t usable, char *disk, size_t disklen, sbuf *err) {
  char p[PATH_MAX];
  uint64_t old_start, old_size;
  char old_disk[64];
  disk_of_namespace(ns, old_disk, sizeof old_disk);
  disk_layout(old_disk, &old_start, &old_size);
  uint64_t raw = fsdax_raw_size(usable);
  /* a region's namespaces are multiples of its align (16 MiB by default); 2 MiB is the least Linux takes */
  char region[PATH_MAX], real[PATH_MAX];
  snprintf(p, sizeof p, "/sys/bus/nd/devices/%s/..", ns);
  if (!realpath(p, real)) return sb_printf(err, "%s: no region: %s", ns, strerror(errno)), -1;
  snprintf(region, sizeof region, "%s/align", real);
  uint64_t align = 0;
  if (!read_sys_u64(region, &align) && align > SZ_2M && raw % align) {
    int fd = open(region, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0x200000\n", 9) != 9) {
      sb_printf(err, "setting %s to 2 MiB: %s", region, strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    close(fd);
  }
  char size_arg[32];
  snprintf(size_arg, sizeof size_arg, "%llu", (unsigned long long)raw);
  char *argv[] = {"ndctl", "create-namespace", "-f", "-e", (char *)ns, "-m", "fsdax", "-M", "dev", "-a", "2M", "-s", size_arg, NULL};
  sbuf out = {0};
  int st = run_cmd(argv, &out);
  if (st != 0) {
    sb_printf(err, "ndctl create-namespace -e %s -s %s answered %d: %s", ns, size_arg, st, out.p ? out.p : "");
    free(out.p);
    return -1;
  }
  free(out.p);
  disk_of_namespace(ns, disk, disklen);
  uint64_t new_start, new_size;
  disk_layout(disk, &new_start, &new_size);
  if (!*disk || new_size != usable) {
    sb_printf(err, "%s of raw size %llu gave %s of %llu bytes, not %llu", ns, (unsigned long long)raw, *disk ? disk : "no disk",
              (unsigned long long)new_size, (unsigned long long)usable);
    return -1;
  }
  /* what was below the old disk's first byte (its info block, its struct pages) is stale now */
  if (old_size && old_start > new_start && zero_disk_range(disk, 0, old_start - new_start < usable ? old_start - new_start : usable, err)) return -1;
  return 0;
}

static int op_createNamespace(req *r) {
  const char *name;
  uint64_t size;
  if (arg_str(r, "name", &name, 1) || arg_u64(r, "size", &size, 1, 0)) return -1;
  char dev[300];
  if (dev_path(r, "name", dev, sizeof dev)) return -1;
  long long have = dev_size(dev);
  if (have < 0) return fail_errno(r, dev);
  if ((uint64_t)have == size) {
    sb_puts(r->res, "null");
    return 0;
  }
  /* another size: the namespace is made again on the NVDIMM's labels, in what its region holds */
  char p[PATH_MAX], ns[128] = "";
  snprintf(p, sizeof p, "/sys/block/%s/device/namespace", name);
  FILE *f = fopen(p, "re");
  if (f) {
    if (!fgets(ns, sizeof ns, f)) ns[0] = 0;
    fclose(f);
    ns[strcspn(ns, "\n")] = 0;
  }
  uint64_t region_size = 0, labels = 0;
  if (ns[0]) {
    snprintf(p, sizeof p, "/sys/bus/nd/devices/%s/../size", ns);
    if (read_sys_u64(p, &region_size)) region_size = 0;
    snprintf(p, sizeof p, "/sys/bus/nd/devices/%s/uuid", ns);
    labels = !access(p, F_OK); /* a label-less namespace has no uuid: its size is the region's */
  }
  if (!labels) {
    /* a label-less device (virtio-pmem) is what the host made it: a larger one stands in, as before labels */
    if ((uint64_t)have < size)
      return fail(r, "ENOSPC", "%s holds %lld bytes, %llu were asked for (the device is sized by the host)", dev, have, (unsigned long long)size);
    sb_puts(r->res, "null");
    return 0;
  }
  /* ndctl makes no fsdax namespace under 16 MiB: a smaller one is asked only by scenarios that do not
   * need namespace-size (they fill nothing), so the larger namespace stands in, as before labels */
  if (fsdax_raw_size(size) < (16ull << 20) && (uint64_t)have >= size) {
    sb_puts(r->res, "null");
    return 0;
  }
  if (size % 4096 || size < SZ_2M)
    return fail(r, "EINVAL", "a namespace of %llu bytes: the size must be a multiple of 4096 and at least 2 MiB", (unsigned long long)size);
  if (fsdax_raw_size(size) > region_size)
    return fail(r, "ENOSPC", "a namespace of %llu bytes needs %llu of its region, which holds %llu", (unsigned long long)size,
                (unsigned long long)fsdax_raw_size(size), (unsigned long long)region_size);
  char disk[64];
  sbuf err = {0};
  if (carve_namespace(ns, size, disk, sizeof disk, &err)) {
    fail(r, "EIO", "%s", err.p ? err.p : "carving the namespace failed");
    free(err.p);
    return -1;
  }
  if (strcmp(disk, name)) return fail(r, "EIO", "the namespace of %s came back as %s", name, disk);
  if (traced) trace_announce();
  sb_printf(r->res, "{\"carved\":\"%s\"}", name);
  return 0;
}

/* O_DIRECT access to the block device, so reads see the media and writes reach it at once */
static int dev_io(req *r, int writing) {
  char dev[300];
  uint64_t off, len = 0;
  unsigned char *data = NULL;
  if (dev_path(r, "dev", dev, sizeof dev) || arg_u64(r, "offset", &off, 1, 0)) return -1;
  if (writing) {
    if (arg_hex(r, "data", &data, &len)) return -1;
  } else if (arg_u64(r, "length", &len, 1, 0))
    return -1;
  if (!writing && len > MAX_IO) return fail(r, "EINVAL", "length %llu exceeds %d bytes per request", (unsigned long long)len, MAX_IO);
  int rc = -1;
  int fd = open(dev, (writing ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);
  if (fd < 0) {
    free(data);
    return fail_errno(r, dev);
  }
  const uint64_t blk = 4096;
  uint64_t start = off / blk * blk, end = (off + len + blk - 1) / blk * blk;
  size_t span = (size_t)(end - start);
  void *buf = NULL;
  if (len == 0) {
    rc = 0;
    goto done;
  }
  if (posix_memalign(&buf, blk, span)) {
    fail(r, "ENOMEM", "out of memory");
    goto done;
  }
  ssize_t got = pread(fd, buf, span, (off_t)start);
  if (got < 0) {
    fail_errno(r, "pread");
    goto done;
  }
  if ((uint64_t)got < off - start + len) {
    if (!writing || (uint64_t)got < span) {
      fail(r, "EINVAL", "range %llu+%llu is beyond the end of %s", (unsigned long long)off, (unsigned long long)len, dev);
      goto done;
    }
  }
  if (writing) {
    memcpy((char *)buf + (off - start), data, len);
    ssize_t w = pwrite(fd, buf, span, (off_t)start);
    if (w < 0) {
      fail_errno(r, "pwrite");
      goto done;
    }
    if ((size_t)w < span) {
      fail(r, "EIO", "short write to %s", dev);
      goto done;
    }
    if (fdatasync(fd)) {
      fail_errno(r, "fdatasync");
      goto done;
    }
  }
  rc = 0;
done:
  if (rc == 0) {
    if (writing) sb_puts(r->res, "null");
    else sb_hex(r->res, (unsigned char *)buf + (off - start), len);
  }
  free(buf);
  free(data);
  close(fd);
  return rc;
}
static int op_readDevice(req *r) { return dev_io(r, 0); }
static int op_writeDevice(req *r) { return dev_io(r, 1); }

/* ------------------------------------------------------------------ partitions, resize, freeze
 * A partition table is an MBR in the disk's first sector, as fdisk writes it, re-read with
 * BLKRRPART: it is on the media, so a boot after a power failure (or a crash state's recovery
 * machine) finds the same partitions.  A resize is the kernel's BLKPG_RESIZE_PARTITION, then the
 * table's entry (what parted's resizepart does); a whole disk's size is its namespace's. */

#define MBR_ENTRIES 4

/* /sys/class/block/NAME: its partition number (0: a whole disk), first sector and parent disk */
static int part_info(const char *name, unsigned *partno, uint64_t *start, char *parent, size_t plen) {
  char p[PATH_MAX + 32], real[PATH_MAX];
  uint64_t v;
  snprintf(p, sizeof p, "/sys/class/block/%s", name);
  if (!realpath(p, real)) return -1;
  snprintf(p, sizeof p, "%s/partition", real);
  if (read_sys_u64(p, &v)) {
    *partno = 0;
    *start = 0;
    snprintf(parent, plen, "%s", name);
    return 0;
  }
  *partno = (unsigned)v;
  snprintf(p, sizeof p, "%s/start", real);
  if (read_sys_u64(p, start)) return -1;
  char *slash = strrchr(real, '/');
  if (!slash) return -1;
  *slash = 0;
  const char *pn = strrchr(real, '/');
  pn = pn ? pn + 1 : real;
  if (strlen(pn) >= plen) return -1;
  memcpy(parent, pn, strlen(pn) + 1);
  return 0;
}

/* read or write the disk's first 4 KiB (O_DIRECT, so the media, as dev_io) */
static int mbr_io(req *r, const char *disk, unsigned char *page, int writing) {
  int fd = open(disk, (writing ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, disk);
  ssize_t n = writing ? pwrite(fd, page, 4096, 0) : pread(fd, page, 4096, 0);
  if (n != 4096 || (writing && fdatasync(fd))) {
    int e = n < 0 ? errno : EIO;
    close(fd);
    errno = e;
    return fail_errno(r, writing ? "writing the partition table" : "reading the partition table");
  }
  close(fd);
  return 0;
}

/* entry i of an MBR: no CHS (all ones, LBA only), type 0x83, first sector and sector count */
static void mbr_entry(unsigned char *mbr, int i, uint32_t lba, uint32_t sectors) {
  unsigned char *e = mbr + 446 + 16 * i;
  memset(e, 0, 16);
  if (!sectors) return;
  e[1] = 0xfe, e[2] = 0xff, e[3] = 0xff;
  e[4] = 0x83;
  e[5] = 0xfe, e[6] = 0xff, e[7] = 0xff;
  for (int k = 0; k < 4; k++) e[8 + k] = (unsigned char)(lba >> (8 * k)), e[12 + k] = (unsigned char)(sectors >> (8 * k));
}

static int op_createPartitions(req *r) {
  char disk[300], parent[128];
  const char *dname;
  unsigned partno;
  uint64_t start;
  if (dev_path(r, "disk", disk, sizeof disk) || arg_str(r, "disk", &dname, 1)) return -1;
  const char *base = strrchr(disk, '/') + 1;
  if (part_info(base, &partno, &start, parent, sizeof parent)) return fail_errno(r, disk);
  if (partno) return fail(r, "EINVAL", "%s is a partition; partitions go on a whole disk", disk);
  jv *parts = jget(r->args, "partitions");
  if (!parts || parts->t != J_ARR || parts->len == 0) return fail(r, "EINVAL", "partitions must be a non-empty array of {start, size}");
  if (parts->len > MBR_ENTRIES) return fail(r, "EINVAL", "%zu partitions: an MBR holds at most %d", parts->len, MBR_ENTRIES);
  unsigned char *page;
  if (posix_memalign((void **)&page, 4096, 4096)) return fail(r, "ENOMEM", "out of memory");
  if (mbr_io(r, disk, page, 0)) goto out;
  memset(page + 440, 0, 72);
  uint64_t want[MBR_ENTRIES][2];
  for (size_t i = 0; i < parts->len; i++) {
    const jv *p = parts->items[i];
    const jv *s = p->t == J_OBJ ? jget(p, "start") : NULL, *z = p->t == J_OBJ ? jget(p, "size") : NULL;
    if (!s || !z || s->t != J_NUM || z->t != J_NUM || s->n < 512 || z->n <= 0 || s->n > 4e15 || z->n > 4e15 ||
        s->n != (double)(uint64_t)s->n || z->n != (double)(uint64_t)z->n || (uint64_t)s->n % 512 || (uint64_t)z->n % 512 ||
        (uint64_t)s->n / 512 + (uint64_t)z->n / 512 > 0xffffffffULL) {
      fail(r, "EINVAL", "partition %zu: start and size must be whole sectors, start at least sector 1, within 2^32 sectors", i + 1);
      goto out;
    }
    want[i][0] = (uint64_t)s->n / 512, want[i][1] = (uint64_t)z->n / 512;
    mbr_entry(page, (int)i, (uint32_t)want[i][0], (uint32_t)want[i][1]);
  }
  page[510] = 0x55, page[511] = 0xaa;
  if (mbr_io(r, disk, page, 1)) goto out;
  int fd = open(disk, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ioctl(fd, BLKRRPART)) {
    fail_errno(r, "BLKRRPART");
    if (fd >= 0) close(fd);
    goto out;
  }
  close(fd);
  /* what the kernel made of the table: each partition where it was asked for, or say what it read */
  sb_puts(r->res, "[");
  for (size_t i = 0; i < parts->len; i++) {
    char name[320], p[PATH_MAX + 360];
    uint64_t got_start = 0, got_size = 0;
    snprintf(name, sizeof name, "%s%s%zu", base, isdigit((unsigned char)base[strlen(base) - 1]) ? "p" : "", i + 1);
    snprintf(p, sizeof p, "/sys/class/block/%s/start", name);
    int missing = read_sys_u64(p, &got_start);
    snprintf(p, sizeof p, "/sys/class/block/%s/size", name);
    missing = missing || read_sys_u64(p, &got_size);
    if (missing || got_start != want[i][0] || got_size != want[i][1]) {
      r->res->len = 0;
      if (missing) fail(r, "EINVAL", "the kernel made no %s of the table (sector %llu, %llu sectors): beyond the end of %s?", name,
                        (unsigned long long)want[i][0], (unsigned long long)want[i][1], disk);
      else fail(r, "EINVAL", "the kernel read %s as sector %llu, %llu sectors, not sector %llu, %llu sectors", name, (unsigned long long)got_start,
                (unsigned long long)got_size, (unsigned long long)want[i][0], (unsigned long long)want[i][1]);
      goto out;
    }
    sb_printf(r->res, "%s", i ? "," : "");
    sb_jcstr(r->res, name);
  }
  sb_puts(r->res, "]");
out:
  free(page);
  return r->failed ? -1 : 0;
}

/* a whole disk's size is its namespace's: libnvdimm's namespace size attribute, written as ndctl does */
static int resize_namespace(req *r, const char *name, uint64_t size) {
  char p[PATH_MAX], ns[128] = "";
  snprintf(p, sizeof p, "/sys/block/%s/device/namespace", name); /* fsdax: the pfn device names its namespace */
  FILE *f = fopen(p, "re");
  if (f) {
    if (!fgets(ns, sizeof ns, f)) ns[0] = 0;
    fclose(f);
    ns[strcspn(ns, "\n")] = 0;
  }
  if (!ns[0]) {
    char real[PATH_MAX];
    snprintf(p, sizeof p, "/sys/block/%s/device", name);
    if (!realpath(p, real)) return fail_errno(r, p);
    snprintf(ns, sizeof ns, "%s", strrchr(real, '/') + 1);
  }
  snprintf(p, sizeof p, "/sys/bus/nd/devices/%s/size", ns);
  int fd = open(p, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, p);
  char v[32];
  int n = snprintf(v, sizeof v, "%llu\n", (unsigned long long)size);
  if (write(fd, v, (size_t)n) != n) {
    int e = errno;
    close(fd);
    errno = e;
    return fail_errno(r, p);
  }
  close(fd);
  sb_puts(r->res, "null");
  return 0;
}

static int op_resizeDevice(req *r) {
  char dev[300], parent[128], disk[160];
  uint64_t size, start;
  unsigned partno;
  if (dev_path(r, "dev", dev, sizeof dev) || arg_u64(r, "size", &size, 1, 0)) return -1;
  const char *base = strrchr(dev, '/') + 1;
  if (part_info(base, &partno, &start, parent, sizeof parent)) return fail_errno(r, dev);
  if (!partno) return resize_namespace(r, base, size);
  snprintf(disk, sizeof disk, "/dev/%s", parent);
  int fd = open(disk, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, disk);
  struct blkpg_partition bp = {.start = (long long)(start * 512), .length = (long long)size, .pno = (int)partno};
  struct blkpg_ioctl_arg a = {.op = BLKPG_RESIZE_PARTITION, .datalen = sizeof bp, .data = &bp};
  if (ioctl(fd, BLKPG, &a)) {
    int e = errno;
    close(fd);
    return fail(r, errname(e), "BLKPG_RESIZE_PARTITION of %s to %llu bytes: %s", dev, (unsigned long long)size, strerror(e));
  }
  close(fd);
  /* the table says what the kernel now says, so the size survives a boot */
  uint64_t sectors;
  char p[PATH_MAX];
  snprintf(p, sizeof p, "/sys/class/block/%s/size", base);
  if (read_sys_u64(p, &sectors)) return fail_errno(r, p);
  unsigned char *page;
  if (posix_memalign((void **)&page, 4096, 4096)) return fail(r, "ENOMEM", "out of memory");
  int rc = mbr_io(r, disk, page, 0);
  if (!rc && partno <= MBR_ENTRIES) {
    mbr_entry(page, (int)partno - 1, (uint32_t)start, (uint32_t)sectors);
    rc = mbr_io(r, disk, page, 1);
  }
  free(page);
  if (rc) return -1;
  sb_puts(r->res, "null");
  return 0;
}

static int freeze_ioctl(req *r, unsigned long cmd, const char *what) {
  const char *dir;
  if (arg_str(r, "dir", &dir, 1)) return -1;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, dir);
  if (ioctl(fd, cmd, 0)) {
    int e = errno;
    close(fd);
    return fail(r, errname(e), "%s of %s: %s", what, dir, strerror(e));
  }
  close(fd);
  sb_puts(r->res, "null");
  return 0;
}
static int op_freeze(req *r) { return freeze_ioctl(r, FIFREEZE, "FIFREEZE"); }
static int op_thaw(req *r) { return freeze_ioctl(r, FITHAW, "FITHAW"); }

static int check_fs(req *r, const char **fs) {
  if (arg_str(r, "fs", fs, 1)) return -1;
  if (strcmp(*fs, "ext2") && strcmp(*fs, "ext4") && strcmp(*fs, "xfs")) return fail(r, "EINVAL", "unknown filesystem '%s'", *fs);
  return 0;
}

static int op_mkfs(req *r) {
  const char *fs, *rt;
  char dev[300], rtdev[300], rtopt[320];
  if (check_fs(r, &fs) || dev_path(r, "dev", dev, sizeof dev) || arg_str(r, "rtdev", &rt, 0)) return -1;
  char *argv[12];
  int a = 0;
  if (!strcmp(fs, "xfs")) {
    /* xfsprogs 5.19+ refuses filesystems under 300 MB as an unsupported configuration (the kernel mounts
     * them); fstests' variables lift that, as for the small filesystems fstests makes */
    setenv("TEST_DIR", "/mnt", 1), setenv("TEST_DEV", dev, 1), setenv("QA_CHECK_FS", "1", 1);
    argv[a++] = "mkfs.xfs";
    argv[a++] = "-f";
    argv[a++] = "-q";
    /* since 5.19 xfs refuses a DAX mount of a reflink filesystem on a partition ("xfs: fail dax mount if
     * reflink is enabled on a partition": no failure notification through a partition), so none is made */
    char parent[128];
    unsigned partno = 0;
    uint64_t pstart;
    if (!part_info(strrchr(dev, '/') + 1, &partno, &pstart, parent, sizeof parent) && partno) {
      argv[a++] = "-m";
      argv[a++] = "reflink=0";
    }
    if (rt) {
      if (dev_path(r, "rtdev", rtdev, sizeof rtdev)) return -1;
      snprintf(rtopt, sizeof rtopt, "rtdev=%s", rtdev);
      argv[a++] = "-r";
      argv[a++] = rtopt;
    }
  } else {
    if (rt) return fail(r, "EINVAL", "a realtime device is an xfs feature");
    argv[a++] = !strcmp(fs, "ext2") ? "mkfs.ext2" : "mkfs.ext4";
    argv[a++] = "-F";
    argv[a++] = "-q";
    argv[a++] = "-b";
    argv[a++] = "4096";
  }
  argv[a++] = dev;
  argv[a] = NULL;
  sbuf out = {0};
  int st = run_cmd(argv, &out);
  if (st != 0) {
    fail(r, st == 127 ? "ENOENT" : "EIO", "%s exited with %d: %s", argv[0], st, tail_text(&out, 300));
    free(out.p);
    return -1;
  }
  free(out.p);
  sb_puts(r->res, "null");
  return 0;
}

/* Filesystem modules are loaded on the first mount (an xfs insmod costs seconds under TCG):
 * /etc/dax-modules.<ext4|xfs> lists them in dependency order, relative to /lib/modules. */
static int ensure_fs(req *r, const char *fs) {
  char line[256], want[64];
  snprintf(want, sizeof want, "\t%s\n", fs);
  FILE *f = fopen("/proc/filesystems", "r");
  if (f) {
    int found = 0;
    char all[8192];
    size_t n = fread(all, 1, sizeof all - 1, f);
    all[n] = 0;
    fclose(f);
    found = strstr(all, want) != NULL;
    if (found) return 0;
  }
  char list[128];
  snprintf(list, sizeof list, "/etc/dax-modules.%s", !strcmp(fs, "xfs") ? "xfs" : "ext4");
  f = fopen(list, "r");
  if (!f) return 0; /* built in, or let mount(2) say ENODEV */
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!*line) continue;
    char path[400];
    snprintf(path, sizeof path, "/lib/modules/%s", line);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fclose(f);
      return fail_errno(r, path);
    }
    long rc = syscall(SYS_finit_module, fd, "", 0);
    int e = errno;
    close(fd);
    if (rc && e != EEXIST) {
      fclose(f);
      errno = e;
      return fail_errno(r, path);
    }
  }
  fclose(f);
  return 0;
}

static int op_mount(req *r) {
  const char *fs, *dir, *dax, *rt;
  char dev[300], rtdev[300];
  int ro, barrier = 1;
  if (check_fs(r, &fs) || dev_path(r, "dev", dev, sizeof dev) || arg_str(r, "dir", &dir, 1) || arg_str(r, "dax", &dax, 0) ||
      arg_str(r, "rtdev", &rt, 0) || arg_bool(r, "ro", &ro, 0))
    return -1;
  if (arg_bool(r, "barrier", &barrier, 1)) return -1;
  /* barrier=0 is ext4's (xfs dropped nobarrier in 4.19; the contract keeps it to ext4) */
  if (!barrier && strcmp(fs, "ext4")) return fail(r, "EINVAL", "barrier=0 is an ext4 mount option");
  if (!dax) dax = "never";
  if (strcmp(dax, "always") && strcmp(dax, "never") && strcmp(dax, "inode")) return fail(r, "EINVAL", "dax must be always, never or inode");
  char data[400];
  /* ext2 is mounted by the ext4 driver (CONFIG_EXT4_USE_FOR_EXT2), which takes only the legacy
   * "dax" option for ext2 ("dax=..." is ext4-only there): always -> "dax", never -> no option;
   * inode is passed on so the kernel answers for itself (EINVAL) */
  int n;
  if (!strcmp(fs, "ext2") && strcmp(dax, "inode")) n = snprintf(data, sizeof data, "%s", strcmp(dax, "always") ? "" : "dax");
  else n = snprintf(data, sizeof data, "dax=%s", dax);
  if (rt) {
    if (strcmp(fs, "xfs")) return fail(r, "EINVAL", "a realtime device is an xfs feature");
    if (dev_path(r, "rtdev", rtdev, sizeof rtdev)) return -1;
    snprintf(data + n, sizeof data - (size_t)n, ",rtdev=%s", rtdev);
  }
  if (!barrier) snprintf(data + strlen(data), sizeof data - strlen(data), "%sbarrier=0", *data ? "," : "");
  if (ensure_fs(r, fs)) return -1;
  /* traced (dax.trace=1): the plugin slows the guest 2-4x, which would move timer-driven
   * journal commits and log flushes between requests at random; push them out of reach, so
   * only the requests themselves commit (fsync, sync, umount) */
  if (traced && !strcmp(fs, "ext4")) snprintf(data + strlen(data), sizeof data - strlen(data), "%scommit=86400", *data ? "," : "");
  if (traced && !strcmp(fs, "xfs")) {
    int fd = open("/proc/sys/fs/xfs/xfssyncd_centisecs", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (write_all(fd, "720000\n", 7)) { /* best effort */
      }
      close(fd);
    }
  }
  if (mkdirs(dir)) return fail_errno(r, dir);
  if (mount(dev, dir, fs, ro ? MS_RDONLY : 0, data)) {
    int e = errno;
    return fail(r, errname(e), "mount -t %s -o %s %s %s: %s", fs, data, dev, dir, strerror(e));
  }
  sb_puts(r->res, "null");
  return 0;
}

static int op_umount(req *r) {
  const char *dir;
  if (arg_str(r, "dir", &dir, 1)) return -1;
  if (umount2(dir, 0)) return fail_errno(r, dir);
  sb_puts(r->res, "null");
  return 0;
}

static int op_create(req *r) {
  const char *path;
  int rt;
  if (arg_str(r, "path", &path, 1) || arg_bool(r, "realtime", &rt, 0)) return -1;
  int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return fail_errno(r, path);
  if (rt) {
    struct fsxattr fa;
    if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) || (fa.fsx_xflags |= FS_XFLAG_REALTIME, ioctl(fd, FS_IOC_FSSETXATTR, &fa))) {
      fail_errno(r, "FS_IOC_FSSETXATTR realtime");
      close(fd);
      return -1;
    }
  }
  close(fd);
  sb_puts(r->res, "null");
  return 0;
}

static int op_mkdir(req *r) {
  const char *path;
  if (arg_str(r, "path", &path, 1)) return -1;
  if (mkdir(path, 0755)) return fail_errno(r, path);
  sb_puts(r->res, "null");
  return 0;
}

static int op_rename(req *r) {
  const char *from, *to;
  if (arg_str(r, "from", &from, 1) || arg_str(r, "to", &to, 1)) return -1;
  if (rename(from, to)) return fail_errno(r, "rename");
  sb_puts(r->res, "null");
  return 0;
}

static int op_unlink(req *r) {
  const char *path;
  if (arg_str(r, "path", &path, 1)) return -1;
  if (unlink(path)) return fail_errno(r, path);
  sb_puts(r->res, "null");
  return 0;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int op_readdir(req *r) {
  const char *path;
  if (arg_str(r, "path", &path, 1)) return -1;
  DIR *d = opendir(path);
  if (!d) return fail_errno(r, path);
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      names = realloc(names, cap * sizeof *names);
      if (!names) abort();
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmpstr);
  sb_puts(r->res, "[");
  for (size_t i = 0; i < n; i++) {
    if (i) sb_puts(r->res, ",");
    sb_jcstr(r->res, names[i]);
    free(names[i]);
  }
  sb_puts(r->res, "]");
  free(names);
  return 0;
}

static int op_write(req *r) {
  const char *path;
  uint64_t off;
  unsigned char *data;
  size_t len;
  if (arg_str(r, "path", &path, 1) || arg_u64(r, "offset", &off, 1, 0) || arg_hex(r, "data", &data, &len)) return -1;
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    free(data);
    return fail_errno(r, path);
  }
  size_t done = 0;
  while (done < len) {
    ssize_t w = pwrite(fd, data + done, len - done, (off_t)(off + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_errno(r, "pwrite");
      break;
    }
    done += (size_t)w;
  }
  free(data);
  close(fd);
  if (r->failed) return -1;
  sb_puts(r->res, "null");
  return 0;
}

static int op_read(req *r) {
  const char *path;
  uint64_t off, len;
  if (arg_str(r, "path", &path, 1) || arg_u64(r, "offset", &off, 1, 0) || arg_u64(r, "length", &len, 1, 0)) return -1;
  if (len > MAX_IO) return fail(r, "EINVAL", "length %llu exceeds %d bytes per request", (unsigned long long)len, MAX_IO);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, path);
  unsigned char *buf = malloc(len + 1);
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(r, "pread");
      break;
    }
    if (n == 0) break; /* end of file: a short answer */
    got += (size_t)n;
  }
  close(fd);
  if (!r->failed) sb_hex(r->res, buf, got);
  free(buf);
  return r->failed ? -1 : 0;
}

static int op_truncate(req *r) {
  const char *path;
  uint64_t size;
  if (arg_str(r, "path", &path, 1) || arg_u64(r, "size", &size, 1, 0)) return -1;
  if (truncate(path, (off_t)size)) return fail_errno(r, path);
  sb_puts(r->res, "null");
  return 0;
}

/* setxattr(2): an ext4 xattr block lives in the inode's page cache even on a dax mount (SY-2) */
static int op_setxattr(req *r) {
  const char *path, *name;
  unsigned char *value;
  size_t len;
  if (arg_str(r, "path", &path, 1) || arg_str(r, "name", &name, 1) || arg_hex(r, "value", &value, &len)) return -1;
  int rc = setxattr(path, name, value, len, 0);
  free(value);
  if (rc) return fail_errno(r, path);
  sb_puts(r->res, "null");
  return 0;
}

/* getxattr(2): the value as hex; ENODATA when the file has no attribute of that name */
#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000
#endif

/* per-file DAX: read the fsxattr, set or clear FS_XFLAG_DAX, write it back (xfs_io -c 'chattr +x') */
static int op_set_dax_flag(req *r) {
  const char *path;
  int on;
  jv *v = jget(r->args, "on");
  if (arg_str(r, "path", &path, 1)) return -1;
  if (!v || v->t == J_NULL) return fail(r, "EINVAL", "missing argument \"on\"");
  if (arg_bool(r, "on", &on, 0)) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, path);
  struct fsxattr fa;
  int rc = ioctl(fd, FS_IOC_FSGETXATTR, &fa);
  if (!rc) {
    fa.fsx_xflags = on ? fa.fsx_xflags | FS_XFLAG_DAX : fa.fsx_xflags & ~(unsigned)FS_XFLAG_DAX;
    rc = ioctl(fd, FS_IOC_FSSETXATTR, &fa);
  }
  int e = errno;
  close(fd);
  if (rc) return fail(r, errname(e), "FS_IOC_FSSETXATTR %s FS_XFLAG_DAX on %s: %s", on ? "setting" : "clearing", path, strerror(e));
  sb_puts(r->res, "null");
  return 0;
}

/* reflink: ioctl(to, FICLONE, from) (cp --reflink=always) */
static int op_clone(req *r) {
  const char *from, *to;
  if (arg_str(r, "from", &from, 1) || arg_str(r, "to", &to, 1)) return -1;
  int s = open(from, O_RDONLY | O_CLOEXEC);
  if (s < 0) return fail_errno(r, from);
  int d = open(to, O_WRONLY | O_CLOEXEC);
  if (d < 0) {
    int e = errno;
    close(s);
    return fail(r, errname(e), "%s: %s", to, strerror(e));
  }
  int rc = ioctl(d, FICLONE, s);
  int e = errno;
  close(d);
  close(s);
  if (rc) return fail(r, errname(e), "FICLONE %s onto %s: %s", from, to, strerror(e));
  sb_puts(r->res, "null");
  return 0;
}

static int op_getxattr(req *r) {
  const char *path, *name;
  if (arg_str(r, "path", &path, 1) || arg_str(r, "name", &name, 1)) return -1;
  unsigned char buf[65536];
  ssize_t n = getxattr(path, name, buf, sizeof buf);
  if (n < 0) return fail_errno(r, path);
  sb_hex(r->res, buf, (size_t)n);
  return 0;
}

static int op_fallocate(req *r) {
  const char *path, *mode;
  uint64_t off, len;
  if (arg_str(r, "path", &path, 1) || arg_u64(r, "offset", &off, 1, 0) || arg_u64(r, "length", &len, 1, 0) ||
      arg_str(r, "mode", &mode, 0))
    return -1;
  int m;
  if (!mode || !strcmp(mode, "allocate")) m = 0;
  else if (!strcmp(mode, "punch-hole")) m = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  else return fail(r, "EINVAL", "mode must be allocate or punch-hole");
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, path);
  int rc = fallocate(fd, m, (off_t)off, (off_t)len);
  if (rc) fail_errno(r, "fallocate");
  close(fd);
  if (rc) return -1;
  sb_puts(r->res, "null");
  return 0;
}

static int op_fsync(req *r) {
  const char *path;
  int datasync;
  if (arg_str(r, "path", &path, 1) || arg_bool(r, "datasync", &datasync, 0)) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, path);
  int rc = datasync ? fdatasync(fd) : fsync(fd);
  if (rc) fail_errno(r, datasync ? "fdatasync" : "fsync");
  close(fd);
  if (rc) return -1;
  sb_puts(r->res, "null");
  return 0;
}

static int op_sync(req *r) {
  sync();
  sb_puts(r->res, "null");
  return 0;
}

static int op_statx(req *r) {
  const char *path;
  if (arg_str(r, "path", &path, 1)) return -1;
  struct statx st;
  if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &st)) return fail_errno(r, path);
  int dax = (st.stx_attributes_mask & STATX_ATTR_DAX) && (st.stx_attributes & STATX_ATTR_DAX);
  sb_printf(r->res, "{\"size\":%llu,\"blocks\":%llu,\"isDir\":%s,\"attrDax\":%s}", (unsigned long long)st.stx_size,
            (unsigned long long)st.stx_blocks, S_ISDIR(st.stx_mode) ? "true" : "false", dax ? "true" : "false");
  return 0;
}

static int op_mmap(req *r) {
  const char *path, *size;
  uint64_t off, len;
  int shared, sync_;
  if (arg_str(r, "path", &path, 1) || arg_u64(r, "offset", &off, 1, 0) || arg_u64(r, "length", &len, 1, 0) ||
      arg_bool(r, "shared", &shared, 1) || arg_bool(r, "sync", &sync_, 0) || arg_str(r, "size", &size, 0))
    return -1;
  int pmd = size && !strcmp(size, "pmd");
  if (size && !pmd && strcmp(size, "pte")) return fail(r, "EINVAL", "size must be pte or pmd");
  if (len == 0) return fail(r, "EINVAL", "length must be positive");
  long pg = sysconf(_SC_PAGESIZE);
  if (off % (uint64_t)pg) return fail(r, "EINVAL", "offset must be a multiple of the page size");
  if (sync_ && !shared) return fail(r, "EINVAL", "MAP_SYNC needs a shared mapping");
  /* a PMD mapping is asked for explicitly: refuse one that cannot be (Linux itself would fall
   * back to PTEs silently) */
  if (pmd && off % PMD_SIZE) return fail(r, "EINVAL", "a PMD mapping needs a 2 MiB-aligned file offset");
  int id = 0;
  for (int i = 1; i <= MAX_MAPS; i++)
    if (!maps[i].used) {
      id = i;
      break;
    }
  if (!id) return fail(r, "ENOMEM", "too many mappings");
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EISDIR) && !shared) fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, path);
  size_t maplen = (size_t)((len + (uint64_t)pg - 1) / (uint64_t)pg * (uint64_t)pg);
  /* reserve maplen plus guard pages (and 2 MiB of slack for PMD alignment), PROT_NONE */
  size_t resvlen = maplen + (size_t)pg * 2 + (pmd ? PMD_SIZE : 0);
  void *resv = mmap(NULL, resvlen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (resv == MAP_FAILED) {
    close(fd);
    return fail_errno(r, "mmap reservation");
  }
  uintptr_t at = (uintptr_t)resv + (uintptr_t)pg;
  if (pmd) at = (at + PMD_SIZE - 1) / PMD_SIZE * PMD_SIZE;
  int flags = (sync_ ? MAP_SHARED_VALIDATE | MAP_SYNC : shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED;
  void *p = mmap((void *)at, maplen, PROT_READ | PROT_WRITE, flags, fd, (off_t)off);
  if (p == MAP_FAILED) {
    fail_errno(r, sync_ ? "mmap MAP_SHARED_VALIDATE|MAP_SYNC" : "mmap");
    munmap(resv, resvlen);
    close(fd);
    return -1;
  }
  close(fd); /* the mapping keeps the file */
  maps[id] = (mapping){1, p, (size_t)len, resv, resvlen, off};
  sb_printf(r->res, "{\"map\":%d}", id);
  return 0;
}

static int map_range(req *r, mapping *m, uint64_t off, uint64_t len) {
  if (off > m->len || len > m->len - off)
    return fail(r, "SIGSEGV", "range %llu+%llu is outside the %zu-byte mapping", (unsigned long long)off, (unsigned long long)len, m->len);
  return 0;
}

static int op_store(req *r) {
  mapping *m = get_map(r);
  uint64_t off;
  unsigned char *data;
  size_t len;
  if (!m || arg_u64(r, "offset", &off, 1, 0) || arg_hex(r, "data", &data, &len)) return -1;
  int persist;
  if (arg_bool(r, "persist", &persist, 0)) {
    free(data);
    return -1;
  }
  int rc = map_range(r, m, off, len);
  if (!rc) rc = guarded_copy(r, m->addr + off, data, len);
  if (!rc && persist && len) persist_range(m->addr + off, len);
  free(data);
  if (!rc) sb_puts(r->res, "null");
  return rc;
}

static int op_load(req *r) {
  mapping *m = get_map(r);
  uint64_t off, len;
  if (!m || arg_u64(r, "offset", &off, 1, 0) || arg_u64(r, "length", &len, 1, 0)) return -1;
  if (len > MAX_IO) return fail(r, "EINVAL", "length %llu exceeds %d bytes per request", (unsigned long long)len, MAX_IO);
  if (map_range(r, m, off, len)) return -1;
  unsigned char *buf = malloc(len + 1);
  if (guarded_copy(r, buf, m->addr + off, len)) {
    free(buf);
    return -1;
  }
  sb_hex(r->res, buf, len);
  free(buf);
  return 0;
}

static int op_msync(req *r) {
  mapping *m = get_map(r);
  uint64_t off, len;
  int sync_;
  if (!m || arg_u64(r, "offset", &off, 1, 0) || arg_bool(r, "sync", &sync_, 1)) return -1;
  /* the length is msync(2)'s size_t: a negative one wraps, as it would in any C caller */
  jv *lv = jget(r->args, "length");
  if (!lv || lv->t != J_NUM || lv->n != (double)(int64_t)lv->n || lv->n > 9007199254740992.0 || lv->n < -9007199254740992.0)
    return fail(r, "EINVAL", "argument 'length' must be an integer");
  len = (uint64_t)(int64_t)lv->n;
  /* as msync(2): an unaligned address is EINVAL (the kernel says so), a range past the
   * mapping is ENOMEM (our guard pages are mapped PROT_NONE, so say it here); a length that
   * rounds up to 0 pages (it wraps past 2^64) is left to the kernel, which does nothing */
  uint64_t pgsz = (uint64_t)sysconf(_SC_PAGESIZE);
  if (((len + pgsz - 1) & ~(pgsz - 1)) != 0 && (off > m->len || len > m->len - off)) {
    uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
    if (off % pg) return fail(r, "EINVAL", "msync: the address is not page-aligned");
    uint64_t maplen = (m->len + pg - 1) / pg * pg;
    if (off + len > maplen) return fail(r, "ENOMEM", "msync: the range %llu+%llu is not mapped", (unsigned long long)off, (unsigned long long)len);
  }
  if (msync(m->addr + off, (size_t)len, sync_ ? MS_SYNC : MS_ASYNC)) return fail_errno(r, "msync");
  sb_puts(r->res, "null");
  return 0;
}

static int op_munmap(req *r) {
  mapping *m = get_map(r);
  if (!m) return -1;
  if (munmap(m->resv, m->resvlen)) return fail_errno(r, "munmap");
  m->used = 0;
  sb_puts(r->res, "null");
  return 0;
}

static int op_fsck(req *r) {
  char dev[300];
  if (dev_path(r, "dev", dev, sizeof dev)) return -1;
  /* which filesystem: xfs magic "XFSB" at 0, ext2/3/4 magic 0xEF53 at 1080 */
  int fd = open(dev, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, dev);
  unsigned char sb[2048];
  ssize_t n = pread(fd, sb, sizeof sb, 0);
  close(fd);
  if (n < (ssize_t)sizeof sb) return fail(r, "EIO", "cannot read the superblock of %s", dev);
  int xfs = !memcmp(sb, "XFSB", 4), ext = sb[1080] == 0x53 && sb[1081] == 0xef;
  char *argv[6], rt[300];
  const char *rtname = NULL;
  if (arg_str(r, "rtdev", &rtname, 0)) return -1;
  if (rtname && (!*rtname || strstr(rtname, ".."))) return fail(r, "EINVAL", "bad realtime device name '%s'", rtname);
  if (rtname) snprintf(rt, sizeof rt, rtname[0] == '/' ? "%s" : "/dev/%s", rtname);
  /* a realtime xfs needs its realtime device named, or xfs_repair gives up */
  if (xfs && rtname) argv[0] = "xfs_repair", argv[1] = "-n", argv[2] = "-r", argv[3] = rt, argv[4] = dev, argv[5] = NULL;
  else if (xfs) argv[0] = "xfs_repair", argv[1] = "-n", argv[2] = dev, argv[3] = NULL;
  else if (ext) argv[0] = "e2fsck", argv[1] = "-fn", argv[2] = dev, argv[3] = NULL;
  else {
    sb_printf(r->res, "{\"clean\":false,\"messages\":[\"no ext2/ext4/xfs superblock found on %s\"]}", dev);
    return 0;
  }
  sbuf out = {0};
  int st = run_cmd(argv, &out);
  if (st < 0 || st == 127) {
    free(out.p);
    return fail(r, "ENOENT", "cannot run %s", argv[0]);
  }
  sb_printf(r->res, "{\"clean\":%s,\"exitCode\":%d,\"messages\":[", st == 0 ? "true" : "false", st);
  int first = 1;
  for (char *line = out.p, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\r' || line[l - 1] == ' ')) line[--l] = 0;
    if (!l) continue;
    if (!first) sb_puts(r->res, ",");
    sb_jstr(r->res, line, l);
    first = 0;
  }
  sb_puts(r->res, "]}");
  free(out.p);
  return 0;
}

/* ------------------------------------------------------------------ cache-model: CPU access to a device
 * cpuStore, cpuFlush and cpuFence reach /dev/pmemN's memory through /dev/mem at the namespace's
 * physical range (the kernel runs with iomem=relaxed, so the driver's claim does not hide it):
 * ordinary or non-temporal stores, clwb / clflushopt / clflush of lines, sfence, as a program
 * with a DAX mapping would issue them. */
static struct {
  unsigned char *p;
  uint64_t size;
} devmaps[8];

static unsigned char *dev_mem(req *r, const char *dev, uint64_t off, uint64_t len) {
  int n = -1;
  if (sscanf(dev, "/dev/pmem%d", &n) != 1 || n < 0 || n >= 8) return fail(r, "ENODEV", "%s: CPU access is to /dev/pmemN only", dev), NULL;
  if (!devmaps[n].p) {
    char p[128], real[PATH_MAX], rp[PATH_MAX + 32];
    uint64_t start, size;
    snprintf(p, sizeof p, "/sys/block/pmem%d/device", n);
    if (!realpath(p, real)) return fail_errno(r, p), NULL;
    snprintf(rp, sizeof rp, "%s/resource", real);
    if (read_sys_u64(rp, &start)) return fail_errno(r, rp), NULL;
    snprintf(rp, sizeof rp, "%s/size", real);
    if (read_sys_u64(rp, &size)) return fail_errno(r, rp), NULL;
    int fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail_errno(r, "/dev/mem"), NULL;
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED) return errno = e, fail_errno(r, "mmap of /dev/mem"), NULL;
    devmaps[n].p = m;
    devmaps[n].size = size;
  }
  if (off > devmaps[n].size || len > devmaps[n].size - off) return fail(r, "ENOSPC", "%s: offset %llu + %llu is past its end", dev, (unsigned long long)off, (unsigned long long)len), NULL;
  return devmaps[n].p + off;
}

static int op_cpuStore(req *r) {
  char dev[300];
  uint64_t off;
  unsigned char *data;
  size_t len;
  int nt;
  if (dev_path(r, "dev", dev, sizeof dev) || arg_u64(r, "offset", &off, 1, 0) || arg_bool(r, "nt", &nt, 0) || arg_hex(r, "data", &data, &len)) return -1;
  unsigned char *d = dev_mem(r, dev, off, len);
  if (!d) return free(data), -1;
  size_t i = 0;
  if (!nt) {
    /* as few store instructions as x86 allows without AVX-512: one 16-byte movdqu per part of a
     * line, over a 16-byte window inside the line whose other bytes are written as they are */
    while (i < len) {
      uintptr_t a = (uintptr_t)(d + i), line_end = (a | 63) + 1, w = a;
      size_t n = len - i < 16 ? len - i : 16;
      if (n > line_end - a) n = line_end - a;
      if (w + 16 > line_end) w = line_end - 16;
      unsigned char v[16];
      memcpy(v, (const void *)w, 16);
      memcpy(v + (a - w), data + i, n);
      __asm__ volatile("movdqu (%1), %%xmm0\n\tmovdqu %%xmm0, (%0)" : : "r"(w), "r"(v) : "xmm0", "memory");
      i += n;
    }
  } else {
    /* movnti has 4- and 8-byte forms: a part of a 4-byte word goes with the word's other bytes as they are */
    while (i < len) {
      uintptr_t a = (uintptr_t)(d + i);
      if (!(a & 7) && i + 8 <= len) {
        uint64_t v;
        memcpy(&v, data + i, 8);
        __asm__ volatile("movnti %1, %0" : "=m"(*(uint64_t *)a) : "r"(v));
        i += 8;
        continue;
      }
      uintptr_t w = a & ~(uintptr_t)3;
      uint32_t v = *(volatile uint32_t *)w;
      size_t k = a - w;
      for (; k < 4 && i < len; k++, i++) ((unsigned char *)&v)[k] = data[i];
      __asm__ volatile("movnti %1, %0" : "=m"(*(uint32_t *)w) : "r"(v));
    }
  }
  free(data);
  return 0;
}

static int op_cpuFlush(req *r) {
  char dev[300];
  uint64_t off, len;
  const char *insn;
  if (dev_path(r, "dev", dev, sizeof dev) || arg_u64(r, "offset", &off, 1, 0) || arg_u64(r, "length", &len, 1, 0) || arg_str(r, "insn", &insn, 1)) return -1;
  if (strcmp(insn, "clwb") && strcmp(insn, "clflushopt") && strcmp(insn, "clflush")) return fail(r, "EINVAL", "insn must be clwb, clflushopt or clflush");
  unsigned char *d = dev_mem(r, dev, off, len);
  if (!d || !len) return d ? 0 : -1;
  uintptr_t line = (uintptr_t)d & ~(uintptr_t)63, end = (uintptr_t)d + len;
  for (; line < end; line += 64) {
    if (!strcmp(insn, "clwb")) __asm__ volatile("clwb %0" : "+m"(*(volatile char *)line));
    else if (!strcmp(insn, "clflushopt")) __asm__ volatile("clflushopt %0" : "+m"(*(volatile char *)line));
    else __asm__ volatile("clflush %0" : "+m"(*(volatile char *)line));
  }
  return 0;
}

static int op_cpuFence(req *r) {
  (void)r;
  __asm__ volatile("sfence" ::: "memory");
  return 0;
}

static int op_dropCaches(req *r) {
  /* not part of the contract: lets the host make sure reads come from the media */
  sync();
  int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, "drop_caches");
  int rc = write_all(fd, "3\n", 2);
  close(fd);
  if (rc) return fail_errno(r, "drop_caches");
  sb_puts(r->res, "null");
  return 0;
}

static int op_exec(req *r) {
  /* not part of the contract: a diagnostic shell command for the host ({"argv":["dmesg"]}) */
  jv *a = jget(r->args, "argv");
  if (!a || a->t != J_ARR || a->len == 0 || a->len > 32) return fail(r, "EINVAL", "argv must be a non-empty array of strings");
  char *argv[33];
  for (size_t i = 0; i < a->len; i++) {
    if (a->items[i]->t != J_STR) return fail(r, "EINVAL", "argv must be a non-empty array of strings");
    argv[i] = a->items[i]->s;
  }
  argv[a->len] = NULL;
  sbuf out = {0};
  int st = run_cmd(argv, &out);
  sb_printf(r->res, "{\"status\":%d,\"output\":", st);
  sb_jstr(r->res, out.p ? out.p : "", out.len);
  sb_puts(r->res, "}");
  free(out.p);
  return 0;
}

/* where a file's bytes live: FIEMAP, with no FIEMAP_FLAG_SYNC (a sync would change what is traced) */
static int op_extents(req *r) {
  const char *path;
  if (arg_str(r, "path", &path, 1)) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(r, path);
  struct stat st;
  if (fstat(fd, &st)) {
    close(fd);
    return fail_errno(r, path);
  }
  char link[128], target[PATH_MAX], parent[128];
  unsigned partno;
  uint64_t pstart;
  if (S_ISBLK(st.st_mode)) {
    /* a block device is one extent: where it starts on its whole disk (a partition's first sector) */
    uint64_t bytes = 0;
    int rc = ioctl(fd, BLKGETSIZE64, &bytes);
    close(fd);
    if (rc) return fail_errno(r, path);
    snprintf(link, sizeof link, "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
    ssize_t bl = readlink(link, target, sizeof target - 1);
    if (bl < 0) return fail_errno(r, link);
    target[bl] = 0;
    if (part_info(strrchr(target, '/') + 1, &partno, &pstart, parent, sizeof parent)) return fail_errno(r, link);
    sb_printf(r->res, "[{\"offset\":0,\"length\":%llu,\"dev\":\"%s\",\"devOffset\":%llu,\"unwritten\":false}]", (unsigned long long)bytes,
              parent, (unsigned long long)(pstart * 512));
    return 0;
  }
  snprintf(link, sizeof link, "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
  ssize_t tl = readlink(link, target, sizeof target - 1);
  if (tl < 0) {
    close(fd);
    return fail_errno(r, link);
  }
  target[tl] = 0;
  const char *dev = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
  /* an xfs realtime file's extents are on the realtime device: FIEMAP's physical offsets are
   * on the mount's rtdev, which /proc/mounts lists among the options of the data device's mount */
  char rtname[128] = "";
  struct fsxattr fx;
  if (!ioctl(fd, FS_IOC_FSGETXATTR, &fx) && (fx.fsx_xflags & FS_XFLAG_REALTIME)) {
    FILE *mf = fopen("/proc/self/mounts", "re");
    char mline[1024], want[PATH_MAX + 8];
    snprintf(want, sizeof want, "/dev/%s ", dev);
    while (mf && fgets(mline, sizeof mline, mf)) {
      const char *o = strncmp(mline, want, strlen(want)) ? NULL : strstr(mline, "rtdev=/dev/");
      if (!o) continue;
      o += strlen("rtdev=/dev/");
      size_t k = strcspn(o, ", \n");
      if (k >= sizeof rtname) k = sizeof rtname - 1;
      memcpy(rtname, o, k);
      rtname[k] = 0;
      break;
    }
    if (mf) fclose(mf);
    if (rtname[0]) dev = rtname;
  }
  /* on a partition, FIEMAP's physical offsets are the partition's: the answer names the whole disk */
  if (part_info(dev, &partno, &pstart, parent, sizeof parent)) {
    close(fd);
    return fail_errno(r, dev);
  }
  dev = parent;
  pstart *= 512;
  enum { N = 256 };
  struct fiemap *fm = calloc(1, sizeof *fm + N * sizeof(struct fiemap_extent));
  uint64_t start = 0;
  int first = 1, last = 0;
  sb_puts(r->res, "[");
  while (!last) {
    memset(fm, 0, sizeof *fm);
    fm->fm_start = start;
    fm->fm_length = ~0ULL - start;
    fm->fm_extent_count = N;
    if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
      free(fm);
      close(fd);
      r->res->len = 0;
      return fail_errno(r, "FIEMAP");
    }
    if (fm->fm_mapped_extents == 0) break;
    for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
      struct fiemap_extent *e = &fm->fm_extents[i];
      sb_printf(r->res, "%s{\"offset\":%llu,\"length\":%llu,\"dev\":\"%s\",\"devOffset\":%llu,\"unwritten\":%s}", first ? "" : ",",
                (unsigned long long)e->fe_logical, (unsigned long long)e->fe_length, dev, (unsigned long long)(pstart + e->fe_physical),
                (e->fe_flags & FIEMAP_EXTENT_UNWRITTEN) ? "true" : "false");
      first = 0;
      start = e->fe_logical + e->fe_length;
      if (e->fe_flags & FIEMAP_EXTENT_LAST) last = 1;
    }
  }
  sb_puts(r->res, "]");
  free(fm);
  close(fd);
  return 0;
}

/* No real injection path under QEMU: its NFIT answers no ARS, error-injection or Clear Uncorrectable Error
   DSM, so `ndctl inject-error` fails and a recovery write cannot clear poison. Writing sectors to
   /sys/block/pmemN/badblocks would only fake the driver's list (no machine check, gone after reboot). */
static int op_inject_poison(req *r) {
  return fail(r, "ENOSYS", "no media error injection on this platform: QEMU's NFIT has no ARS, error-injection or clear-error DSM");
}
static int op_host_side(req *r) { return fail(r, "ENOSYS", "power failure, crash checks and remount are done by the host (linux/qemu.ts)"); }

static const char *kernel_release(void) {
  static char rel[128];
  int fd = open("/proc/sys/kernel/osrelease", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, rel, sizeof rel - 1) : -1;
  if (fd >= 0) close(fd);
  if (n <= 0) return "unknown";
  rel[n] = 0;
  rel[strcspn(rel, "\n")] = 0;
  return rel;
}

/* pmem0's namespace has a uuid: its NVDIMM has labels, so createNamespace can make it any size its region holds */
static int labelled(void) {
  char ns[128] = "", p[PATH_MAX];
  FILE *f = fopen("/sys/block/pmem0/device/namespace", "re");
  if (!f) return 0;
  if (!fgets(ns, sizeof ns, f)) ns[0] = 0;
  fclose(f);
  ns[strcspn(ns, "\n")] = 0;
  snprintf(p, sizeof p, "/sys/bus/nd/devices/%s/uuid", ns);
  return ns[0] && !access(p, F_OK);
}

static void hello_json(sbuf *b) {
  sb_puts(b, "{\"protocol\":1,\"name\":\"linux\",\"version\":\"" AGENT_VERSION "\",");
  sb_puts(b, "\"capabilities\":[\"ext2\",\"ext4\",\"xfs\",\"xfs-realtime\",\"map-sync\",\"per-file-dax\",\"reflink\",\"partitions\",\"resize\",\"freeze\"");
  if (labelled()) sb_puts(b, ",\"namespace-size\"");
  sb_puts(b, "],\"description\":");
  char d[256];
  snprintf(d, sizeof d, "Linux %s in QEMU on an emulated NVDIMM (dax-agent %s)", kernel_release(), AGENT_VERSION);
  sb_jcstr(b, d);
  sb_puts(b, ",\"kernel\":");
  sb_jcstr(b, kernel_release());
  sb_puts(b, "}");
}
static int op_hello(req *r) {
  hello_json(r->res);
  return 0;
}

static int close_requested;
static int op_close(req *r) {
  unmap_all();
  close_requested = 1;
  sb_puts(r->res, "null");
  return 0;
}

static const struct {
  const char *name;
  int (*fn)(req *);
} ops[] = {
    {"hello", op_hello},
    {"reset", op_reset},
    {"close", op_close},
    {"createNamespace", op_createNamespace},
    {"createPartitions", op_createPartitions},
    {"resizeDevice", op_resizeDevice},
    {"freeze", op_freeze},
    {"thaw", op_thaw},
    {"readDevice", op_readDevice},
    {"writeDevice", op_writeDevice},
    {"mkfs", op_mkfs},
    {"mount", op_mount},
    {"umount", op_umount},
    {"fsck", op_fsck},
    {"create", op_create},
    {"mkdir", op_mkdir},
    {"rename", op_rename},
    {"unlink", op_unlink},
    {"readdir", op_readdir},
    {"write", op_write},
    {"read", op_read},
    {"truncate", op_truncate},
    {"fallocate", op_fallocate},
    {"setxattr", op_setxattr},
    {"getxattr", op_getxattr},
    {"fsync", op_fsync},
    {"sync", op_sync},
    {"statx", op_statx},
    {"mmap", op_mmap},
    {"store", op_store},
    {"load", op_load},
    {"msync", op_msync},
    {"munmap", op_munmap},
    {"dropCaches", op_dropCaches},
    {"cpuStore", op_cpuStore},
    {"cpuFlush", op_cpuFlush},
    {"cpuFence", op_cpuFence},
    {"exec", op_exec},
    {"extents", op_extents},
    {"injectPoison", op_inject_poison},
    {"setDaxFlag", op_set_dax_flag},
    {"clone", op_clone},
    {"powerFail", op_host_side},
    {"checkCrash", op_host_side},
    {"remount", op_host_side},
};

/* ------------------------------------------------------------------ the loop */

static int out_fd = 1;

static void send_line(sbuf *b) {
  sb_putn(b, "\n", 1);
  if (write_all(out_fd, b->p, b->len)) {
    /* the host went away; nothing to answer to */
  }
}

static void handle_line(char *line, size_t len) {
  sbuf out = {0};
  jparser ps = {line, line + len, NULL};
  jv *msg = jvalue(&ps, 0);
  if (msg) {
    jws(&ps);
    if (ps.p != ps.end) {
      jfree(msg);
      msg = NULL;
      ps.err = "trailing characters after the request";
    }
  }
  char idbuf[32] = "null";
  jv *id = msg ? jget(msg, "id") : NULL;
  if (id && id->t == J_NUM && id->n == (double)(long long)id->n) snprintf(idbuf, sizeof idbuf, "%lld", (long long)id->n);
  if (!msg || msg->t != J_OBJ) {
    sb_printf(&out, "{\"id\":%s,\"ok\":false,\"errno\":\"EINVAL\",\"message\":", idbuf);
    sb_jcstr(&out, ps.err ? ps.err : "the request must be a JSON object");
    sb_puts(&out, "}");
    send_line(&out);
    free(out.p);
    jfree(msg);
    return;
  }
  jv *op = jget(msg, "op"), *args = jget(msg, "args");
  sbuf res = {0};
  req r = {args && args->t == J_OBJ ? args : NULL, &res, "", "", 0};
  static const jv empty = {J_OBJ, 0, 0, NULL, 0, NULL, NULL, 0};
  if (!r.args) r.args = &empty;
  /* every request with an id is bracketed, refused ones too: the traced host waits for the end */
  int marked = id && id->t == J_NUM;
  if (marked) trace_mark(MARK_BEGIN, (uint64_t)id->n, 0, 0);
  if (!id || id->t != J_NUM) fail(&r, "EINVAL", "the request has no numeric id");
  else if (args && args->t != J_OBJ && args->t != J_NULL) fail(&r, "EINVAL", "args must be an object");
  else if (!op || op->t != J_STR) fail(&r, "EINVAL", "the request has no op");
  else {
    size_t i;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
      if (!strcmp(ops[i].name, op->s)) break;
    if (i == sizeof ops / sizeof ops[0]) fail(&r, "ENOSYS", "unknown op '%s'", op->s);
    else if (ops[i].fn(&r) && !r.failed) fail(&r, "EIO", "operation failed");
  }
  if (marked) trace_mark(MARK_END, (uint64_t)id->n, 0, 0);
  if (r.failed) {
    sb_printf(&out, "{\"id\":%s,\"ok\":false,\"errno\":", idbuf);
    sb_jcstr(&out, r.errno_name);
    sb_puts(&out, ",\"message\":");
    sb_jcstr(&out, r.message);
    sb_puts(&out, "}");
  } else {
    sb_printf(&out, "{\"id\":%s,\"ok\":true,\"result\":", idbuf);
    sb_putn(&out, res.p ? res.p : "null", res.p ? res.len : 4);
    sb_puts(&out, "}");
  }
  send_line(&out);
  free(out.p);
  free(res.p);
  jfree(msg);
}

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "--carve")) { /* /init's first boot of a labelled NVDIMM */
    char disk[64];
    sbuf err = {0};
    if (carve_namespace(argv[2], strtoull(argv[3], NULL, 0), disk, sizeof disk, &err)) {
      fprintf(stderr, "dax-agent: %s\n", err.p ? err.p : "carving failed");
      return 1;
    }
    printf("%s: /dev/%s\n", argv[2], disk);
    return 0;
  }
  const char *devpath = argc > 1 ? argv[1] : "/dev/vport0p1";
  int in_fd = 0;
  if (strcmp(devpath, "-")) {
    int fd = -1;
    for (int tries = 0; tries < 200 && fd < 0; tries++) {
      fd = open(devpath, O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) usleep(50000);
    }
    if (fd < 0) {
      fprintf(stderr, "dax-agent: cannot open %s: %s\n", devpath, strerror(errno));
      return 1;
    }
    struct termios t;
    if (isatty(fd) && tcgetattr(fd, &t) == 0) {
      cfmakeraw(&t);
      cfsetispeed(&t, B115200);
      cfsetospeed(&t, B115200);
      tcsetattr(fd, TCSANOW, &t);
    }
    in_fd = out_fd = fd;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);

  read_cmdline();
  trace_announce();
  sbuf hello = {0};
  sb_puts(&hello, "{\"hello\":");
  hello_json(&hello);
  sb_puts(&hello, "}");
  send_line(&hello);
  free(hello.p);

  char *buf = malloc(MAX_LINE + 1);
  size_t have = 0;
  int discarding = 0; /* inside an over-long line */
  int heard = 0;       /* the host has sent something */
  int connected = 0; /* virtio-serial: the host end has been seen open */
  while (!close_requested) {
    if (in_fd != 0) {
      /* A virtio-serial port polls POLLHUP (with POLLIN, and read() then returns 0) while the
       * host end is closed.  A quiet poll, or one without POLLHUP, means the host is there. */
      struct pollfd pfd = {in_fd, POLLIN, 0};
      int pr = poll(&pfd, 1, 200);
      if (pr < 0) {
        if (errno != EINTR) usleep(20000);
        continue;
      }
      if (pr == 0) {
        connected = 1;
        continue;
      }
      if (!(pfd.revents & POLLHUP)) connected = 1;
    }
    ssize_t n = read(in_fd, buf + have, MAX_LINE - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      usleep(20000);
      continue;
    }
    if (n == 0) { /* end of input, or (virtio-serial) the host end is closed */
      if (in_fd == 0) break;
      /* the host went away after it had been there: nobody will ask again, so exit and let
       * /init power the machine off (QEMU exits) rather than leave an orphan running */
      if (connected || heard) break;
      usleep(20000);
      continue;
    }
    heard = 1;
    have += (size_t)n;
    size_t start = 0;
    for (size_t i = have - (size_t)n; i < have && !close_requested; i++) {
      if (buf[i] != '\n') continue;
      if (discarding) discarding = 0;
      else {
        size_t l = i - start;
        if (l && buf[start + l - 1] == '\r') l--;
        int blank = 1;
        for (size_t k = 0; k < l; k++)
          if (!isspace((unsigned char)buf[start + k])) blank = 0;
        if (!blank) handle_line(buf + start, l);
      }
      start = i + 1;
    }
    memmove(buf, buf + start, have - start);
    have -= start;
    if (have == MAX_LINE) {
      sbuf out = {0};
      sb_puts(&out, "{\"id\":null,\"ok\":false,\"errno\":\"E2BIG\",\"message\":\"request line longer than 1 MiB\"}");
      send_line(&out);
      free(out.p);
      have = 0;
      discarding = 1;
    }
  }
  return 0;
}
