/*
 * pmem-trace: a QEMU TCG plugin that streams a guest's persistent-memory traffic.
 *
 *   qemu-system-x86_64 -smp 1 -plugin .cache/linux/build/pmem-trace.so,sock=<unix socket> ...
 *   (restored with -incoming: add arm=on and range=<dev>:<start>:<size> per NVDIMM, see below,
 *   and kick=<dev>:<start>:<size> per virtio-pmem device;
 *   reads=on also streams which lines were loaded from)
 *
 * Built by scripts/linux-image.sh against QEMU 10.0's plugin API (version 4).  Debian ships no
 * qemu-plugin.h, so the few declarations used are written out below from QEMU's
 * include/qemu/qemu-plugin.h of that version.
 *
 * What it streams, in execution order, as binary records (struct rec below) on a Unix socket:
 *   ST    a cached store to an NVDIMM's data area, with its bytes
 *   NT    a non-temporal store there (movnti, movntdq, movntps/pd, movntq, maskmov*, vmovnt*)
 *   FL    clwb / clflushopt / clflush of a line, with the address translated to the NVDIMM
 *   FE    sfence / mfence / a LOCK-prefixed instruction or XCHG with memory; only the first
 *         after an ST/NT/FL is sent (back-to-back fences order nothing more)
 *   RD    (reads=on only) a load from a line of an NVDIMM's data area, each line once: what a
 *         recovery machine's mount and checks read of a crash state
 *   HF    (virtio-pmem) the guest's store to the device's virtio-pci notify area: the kick of a
 *         flush request (virtio_pmem_flush), after which QEMU's worker fsyncs the backing file
 *   MARK  the guest agent's markers (a magic nop, see linux/agent/agent.c): request begin/end,
 *         the NVDIMMs' data ranges, the virtio-pmem notify areas, arming
 * Until the agent arms it, the plugin instruments only the marker, so the boot runs at nearly
 * full TCG speed; arming resets the plugin (QEMU drops every translated block) and from then on
 * every store is checked against the data ranges.  Everything below a namespace's data offset
 * (the info block and the struct-page reservation, written millions of times at boot) is
 * outside the ranges.
 *
 * -smp 1 is assumed: one vCPU, so callbacks arrive in execution order and need no lock.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ---------------------------------------------------------------- QEMU 10.0 plugin API (v4) */
typedef uint64_t qemu_plugin_id_t;
typedef struct {
  const char *target_name;
  struct {
    int min, cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus, max_vcpus;
    } system;
  };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_hwaddr;
struct qemu_plugin_register;
typedef uint32_t qemu_plugin_meminfo_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_mem_value_type { MV_U8, MV_U16, MV_U32, MV_U64, MV_U128 };
typedef struct {
  enum qemu_plugin_mem_value_type type;
  union {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    struct {
      uint64_t low, high;
    } u128;
  } data;
} qemu_plugin_mem_value;
typedef struct {
  struct qemu_plugin_register *handle;
  const char *name;
  const char *feature;
} qemu_plugin_reg_descriptor;
/* glib's GArray and GByteArray, as QEMU hands them over */
typedef struct {
  char *data;
  unsigned int len;
} GArray;
typedef struct {
  uint8_t *data;
  unsigned int len;
} GByteArray;
extern GByteArray *g_byte_array_new(void);
extern GByteArray *g_byte_array_set_size(GByteArray *array, unsigned int length);

typedef void (*qemu_plugin_simple_cb_t)(qemu_plugin_id_t id);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_simple_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr, void *userdata);

void qemu_plugin_reset(qemu_plugin_id_t id, qemu_plugin_simple_cb_t cb);
void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_simple_cb_t cb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
size_t qemu_plugin_insn_data(const struct qemu_plugin_insn *insn, void *dest, size_t len);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
qemu_plugin_mem_value qemu_plugin_mem_get_value(qemu_plugin_meminfo_t info);
struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info, uint64_t vaddr);
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr);
uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr);
GArray *qemu_plugin_get_registers(void);
int qemu_plugin_read_register(struct qemu_plugin_register *handle, GByteArray *buf);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 4;

/* ---------------------------------------------------------------- the stream */
enum { K_ST = 1, K_NT = 2, K_FL = 3, K_FE = 4, K_MARK = 5, K_STAT = 6, K_RD = 7, K_HF = 8 };
enum { FL_CLWB = 0, FL_CLFLUSHOPT = 1, FL_CLFLUSH = 2 };
enum { FE_SFENCE = 0, FE_MFENCE = 1, FE_LOCKED = 2 };
enum { MARK_BEGIN = 1, MARK_END = 2, MARK_RANGE = 3, MARK_REGION = 4, MARK_ARM = 5, MARK_KICK = 6 };

struct rec { /* little-endian, 24 bytes, then len bytes of data */
  uint8_t kind, sub;
  uint16_t len;
  uint32_t dev; /* pmem index; 0xffffffff: a flush whose address is not on an NVDIMM's data */
  uint64_t off; /* byte offset into /dev/pmem<dev>; for MARK the first argument */
  uint64_t arg; /* MARK: the second argument; FL: the guest virtual address */
};

static int out_fd = -1;
static uint8_t buf[1 << 20];
static size_t used;
static bool pending; /* an ST/NT/FL since the last FE sent */

static void flush_out(void) {
  size_t done = 0;
  while (done < used && out_fd >= 0) {
    ssize_t n = write(out_fd, buf + done, used - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      out_fd = -1; /* the host went away: nothing to stream to */
      break;
    }
    done += (size_t)n;
  }
  used = 0;
}

static void emit(uint8_t kind, uint8_t sub, uint32_t dev, uint64_t off, uint64_t arg, const void *data, uint16_t len) {
  if (used + sizeof(struct rec) + len > sizeof buf) flush_out();
  struct rec r = {kind, sub, len, dev, off, arg};
  memcpy(buf + used, &r, sizeof r);
  used += sizeof r;
  if (len) memcpy(buf + used, data, len);
  used += len;
}

/* ---------------------------------------------------------------- the NVDIMMs' data ranges */
#define MAX_DEV 8
static struct {
  uint64_t start, size;
  bool set;
} ranges[MAX_DEV];
static int nranges;

/* guest physical address -> (dev, offset into its data); false when on no NVDIMM's data */
static inline bool locate(uint64_t phys, uint32_t *dev, uint64_t *off) {
  for (int i = 0; i < nranges; i++) {
    if (ranges[i].set && phys - ranges[i].start < ranges[i].size) {
      *dev = (uint32_t)i;
      *off = phys - ranges[i].start;
      return true;
    }
  }
  return false;
}

/* each virtio-pmem device's notify area (guest physical, in its virtio-pci BAR): a store there
 * kicks its request queue, whose only request is the flush */
static struct {
  uint64_t start, size;
  bool set;
} kicks[MAX_DEV];

static void set_range(bool kick, uint64_t n, uint64_t start, uint64_t size) {
  if (n >= MAX_DEV) return;
  if (kick) {
    kicks[n].start = start, kicks[n].size = size, kicks[n].set = true;
    return;
  }
  ranges[n].start = start, ranges[n].size = size, ranges[n].set = true;
  if ((int)n + 1 > nranges) nranges = (int)n + 1;
}

/* virtual page -> physical page, learnt from the stores that reached an NVDIMM: a clwb names a
 * virtual address and QEMU 10.0 has no translation call, so the flush of a line takes the
 * translation of the last store through the same page.  Kernel direct-map addresses also have
 * the fixed direct-map offset (the guest boots with nokaslr and 4-level paging). */
#define TLB_SIZE 4096
static struct {
  uint64_t vpage, ppage;
} tlb[TLB_SIZE];
#define DIRECT_MAP 0xffff888000000000ULL
#define DIRECT_MAP_END 0xffffc88000000000ULL

static inline void learn(uint64_t vaddr, uint64_t phys) {
  uint64_t vp = vaddr >> 12;
  unsigned h = (unsigned)((vp ^ (vp >> 12)) & (TLB_SIZE - 1));
  tlb[h].vpage = vp + 1;
  tlb[h].ppage = phys >> 12;
}

static bool translate(uint64_t vaddr, uint64_t *phys) {
  uint64_t vp = vaddr >> 12;
  unsigned h = (unsigned)((vp ^ (vp >> 12)) & (TLB_SIZE - 1));
  if (tlb[h].vpage == vp + 1) {
    *phys = (tlb[h].ppage << 12) | (vaddr & 0xfff);
    return true;
  }
  if (vaddr >= DIRECT_MAP && vaddr < DIRECT_MAP_END) {
    *phys = vaddr - DIRECT_MAP;
    return true;
  }
  return false;
}

/* ---------------------------------------------------------------- registers */
static struct qemu_plugin_register *gpr[16]; /* x86 encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
static GByteArray *regbuf;

static uint64_t reg(int n) {
  if (!gpr[n]) return 0;
  g_byte_array_set_size(regbuf, 0);
  if (qemu_plugin_read_register(gpr[n], regbuf) < 8) return 0;
  uint64_t v;
  memcpy(&v, regbuf->data, 8);
  return v;
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu) {
  (void)id;
  (void)vcpu;
  static const char *names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                  "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  GArray *regs = qemu_plugin_get_registers();
  qemu_plugin_reg_descriptor *d = (qemu_plugin_reg_descriptor *)regs->data;
  for (unsigned i = 0; i < regs->len; i++)
    for (int n = 0; n < 16; n++)
      if (!strcmp(d[i].name, names[n])) gpr[n] = d[i].handle;
  if (!regbuf) regbuf = g_byte_array_new();
}

/* ---------------------------------------------------------------- decoding */
enum { C_NONE, C_STORE, C_NT, C_FLUSH, C_FENCE, C_MARK };

struct operand { /* a ModRM memory operand: base + index*scale + disp (rip-relative resolved) */
  int8_t base, index; /* -1: none */
  uint8_t scale, sub;
  int64_t disp;
};

static const uint8_t MARK_BYTES[8] = {0x0f, 0x1f, 0x84, 0x00, 0x4d, 0x58, 0x41, 0x44};

/* What one x86-64 instruction is to the trace; fills *op for a flush, *sub for flush/fence. */
static int classify(const uint8_t *b, size_t n, uint64_t pc, struct operand *op, uint8_t *sub) {
  if (n == 8 && !memcmp(b, MARK_BYTES, 8)) return C_MARK;
  size_t i = 0;
  bool lock = false, p66 = false, pf3 = false, pf2 = false;
  uint8_t rex = 0;
  for (; i < n; i++) {
    uint8_t c = b[i];
    if (c == 0xf0) lock = true;
    else if (c == 0x66) p66 = true;
    else if (c == 0xf3) pf3 = true;
    else if (c == 0xf2) pf2 = true;
    else if (c == 0x2e || c == 0x36 || c == 0x3e || c == 0x26 || c == 0x64 || c == 0x65 || c == 0x67) continue;
    else break;
  }
  if (i < n && (b[i] & 0xf0) == 0x40) rex = b[i++];
  if (i >= n) return C_STORE;
  if (lock) {
    *sub = FE_LOCKED;
    return C_FENCE;
  }
  uint8_t o = b[i];
  if ((o == 0x86 || o == 0x87) && i + 1 < n && (b[i + 1] >> 6) != 3) {
    *sub = FE_LOCKED;
    return C_FENCE;
  }
  if (o == 0xc5 || o == 0xc4) { /* VEX: vmovntdq / vmovntps / vmovntpd / vmaskmovdqu */
    size_t at = i + (o == 0xc5 ? 2 : 3);
    unsigned map = o == 0xc5 ? 1 : (i + 1 < n ? (b[i + 1] & 0x1f) : 0);
    if (at < n && map == 1 && (b[at] == 0x2b || b[at] == 0xe7 || b[at] == 0xf7)) return C_NT;
    return C_STORE;
  }
  if (o != 0x0f || i + 1 >= n) return C_STORE;
  uint8_t o2 = b[i + 1];
  if (o2 == 0xc3 || o2 == 0x2b || o2 == 0xe7 || o2 == 0xf7) return C_NT;
  if (o2 != 0xae || i + 2 >= n) return C_STORE;
  uint8_t modrm = b[i + 2];
  unsigned mod = modrm >> 6, r = (modrm >> 3) & 7, rm = modrm & 7;
  if (mod == 3) {
    if (p66 || pf3 || pf2) return C_STORE;
    if (r == 7) return *sub = FE_SFENCE, C_FENCE;
    if (r == 6) return *sub = FE_MFENCE, C_FENCE;
    return C_STORE;
  }
  if (pf3 || pf2) return C_STORE;
  if (r == 6 && p66) *sub = FL_CLWB;
  else if (r == 7 && p66) *sub = FL_CLFLUSHOPT;
  else if (r == 7) *sub = FL_CLFLUSH;
  else return C_STORE; /* fxsave, xsave, ... */
  size_t at = i + 3;
  op->base = -1;
  op->index = -1;
  op->scale = 1;
  op->disp = 0;
  op->sub = *sub;
  if (rm == 4) { /* SIB */
    if (at >= n) return C_STORE;
    uint8_t sib = b[at++];
    unsigned ss = sib >> 6, idx = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0), base = (sib & 7) | ((rex & 1) ? 8 : 0);
    if (idx != 4) op->index = (int8_t)idx, op->scale = (uint8_t)(1u << ss);
    if ((sib & 7) == 5 && mod == 0) {
      int32_t d;
      memcpy(&d, b + at, 4);
      op->disp = d;
      return C_FLUSH;
    }
    op->base = (int8_t)base;
  } else if (rm == 5 && mod == 0) { /* rip-relative */
    int32_t d;
    memcpy(&d, b + at, 4);
    op->disp = (int64_t)(pc + n) + d;
    return C_FLUSH;
  } else {
    op->base = (int8_t)(rm | ((rex & 1) ? 8 : 0));
  }
  if (mod == 1) op->disp = (int8_t)b[at];
  else if (mod == 2) {
    int32_t d;
    memcpy(&d, b + at, 4);
    op->disp = d;
  }
  return C_FLUSH;
}

/* ---------------------------------------------------------------- callbacks */
static qemu_plugin_id_t self;
static bool armed;
static uint64_t n_st, n_nt, n_fl, n_fl_lost, n_fe, n_hf;

static bool watch_reads; /* reads=on */
/* lines already reported as read (a direct-mapped set: a line may be reported again, never missed) */
#define READ_SEEN 65536
static uint64_t read_seen[READ_SEEN];

static void on_read(uint64_t phys, unsigned size) {
  uint32_t dev;
  uint64_t off;
  for (uint64_t line = phys & ~63ULL; line < phys + size; line += 64) {
    if (!locate(line, &dev, &off)) continue;
    unsigned h = (unsigned)((line >> 6) & (READ_SEEN - 1));
    if (read_seen[h] == line + 1) continue;
    read_seen[h] = line + 1;
    emit(K_RD, 0, dev, off, 0, NULL, 0);
  }
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata) {
  (void)vcpu;
  bool store = qemu_plugin_mem_is_store(info);
  if (!store && !watch_reads) return;
  struct qemu_plugin_hwaddr *h = qemu_plugin_get_hwaddr(info, vaddr);
  if (!h) return;
  uint64_t phys = qemu_plugin_hwaddr_phys_addr(h);
  if (qemu_plugin_hwaddr_is_io(h)) {
    /* MMIO: a kick of a virtio-pmem request queue; QEMU serves the request (fsync of the
     * backing file) only after it, so the fsync covers every store before this one */
    if (!store) return;
    for (uint32_t i = 0; i < MAX_DEV; i++) {
      if (kicks[i].set && phys - kicks[i].start < kicks[i].size) {
        emit(K_HF, 0, i, 0, vaddr, NULL, 0);
        n_hf++;
      }
    }
    return;
  }
  if (!store) {
    on_read(phys, 1u << qemu_plugin_mem_size_shift(info));
    return;
  }
  uint32_t dev;
  uint64_t off;
  if (!locate(phys, &dev, &off)) return;
  learn(vaddr, phys);
  qemu_plugin_mem_value v = qemu_plugin_mem_get_value(info);
  uint16_t len = (uint16_t)(1u << qemu_plugin_mem_size_shift(info));
  uint8_t data[16];
  switch (v.type) {
    case MV_U8: data[0] = v.data.u8; break;
    case MV_U16: memcpy(data, &v.data.u16, 2); break;
    case MV_U32: memcpy(data, &v.data.u32, 4); break;
    case MV_U64: memcpy(data, &v.data.u64, 8); break;
    default: memcpy(data, &v.data.u128.low, 8), memcpy(data + 8, &v.data.u128.high, 8); break;
  }
  if (len > 16) len = 16;
  bool nt = udata != NULL;
  emit(nt ? K_NT : K_ST, 0, dev, off, vaddr, data, len);
  if (nt) n_nt++;
  else n_st++;
  pending = true;
}

static void on_flush(unsigned int vcpu, void *udata) {
  (void)vcpu;
  const struct operand *op = udata;
  uint64_t va = (uint64_t)op->disp;
  if (op->base >= 0) va += reg(op->base);
  if (op->index >= 0) va += reg(op->index) * op->scale;
  uint64_t phys;
  uint32_t dev;
  uint64_t off;
  if (!translate(va, &phys) || !locate(phys, &dev, &off)) {
    /* a flush of ordinary RAM, or of a page no traced store went through: only counted */
    if (va >= 0x800000000000ULL && !(va >= DIRECT_MAP && va < DIRECT_MAP_END)) n_fl_lost++;
    return;
  }
  emit(K_FL, op->sub, dev, off & ~63ULL, va, NULL, 0);
  n_fl++;
  pending = true;
}

static void on_fence(unsigned int vcpu, void *udata) {
  (void)vcpu;
  if (!pending) return; /* nothing to order since the last fence */
  emit(K_FE, (uint8_t)(uintptr_t)udata, 0, 0, 0, NULL, 0);
  n_fe++;
  pending = false;
}

static void full_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
static void on_exit_(qemu_plugin_id_t id, void *p);

static void rearm(qemu_plugin_id_t id) {
  armed = true;
  qemu_plugin_register_vcpu_tb_trans_cb(id, full_trans);
  qemu_plugin_register_atexit_cb(id, on_exit_, NULL);
}

static void on_mark(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  uint64_t what = reg(7), a1 = reg(6), a2 = reg(2), a3 = reg(8);
  switch (what) {
    case MARK_RANGE:
    case MARK_KICK:
      set_range(what == MARK_KICK, a1, a2, a3);
      break;
    case MARK_ARM:
      if (!armed) qemu_plugin_reset(self, rearm); /* drops every translated block */
      break;
    default:
      break;
  }
  uint64_t args[2] = {a2, a3};
  emit(K_MARK, (uint8_t)what, 0, a1, 0, args, sizeof args);
  if (what == MARK_END || what == MARK_ARM || what == MARK_REGION) {
    uint64_t stats[6] = {n_st, n_nt, n_fl, n_fe, n_fl_lost, n_hf};
    emit(K_STAT, 0, 0, 0, 0, stats, sizeof stats);
    flush_out(); /* the host waits for the end marker of each request */
  }
}

/* before arming: only the marker */
static void boot_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint8_t b[16];
    size_t len = qemu_plugin_insn_data(insn, b, sizeof b);
    if (len == 8 && !memcmp(b, MARK_BYTES, 8)) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_R_REGS, NULL);
  }
}

static void full_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  enum qemu_plugin_mem_rw rw = watch_reads ? QEMU_PLUGIN_MEM_RW : QEMU_PLUGIN_MEM_W;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint8_t b[16];
    size_t len = qemu_plugin_insn_data(insn, b, sizeof b);
    struct operand op;
    uint8_t sub = 0;
    switch (classify(b, len, qemu_plugin_insn_vaddr(insn), &op, &sub)) {
      case C_MARK:
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_R_REGS, NULL);
        break;
      case C_FLUSH: {
        struct operand *p = malloc(sizeof *p); /* lives as long as the translated block may */
        *p = op;
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_flush, QEMU_PLUGIN_CB_R_REGS, p);
        break;
      }
      case C_FENCE:
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_fence, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)sub);
        /* a locked instruction may also store */
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, rw, NULL);
        break;
      case C_NT:
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, rw, (void *)1);
        break;
      default:
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, rw, NULL);
        break;
    }
  }
}

static void on_exit_(qemu_plugin_id_t id, void *p) {
  (void)id;
  (void)p;
  uint64_t stats[6] = {n_st, n_nt, n_fl, n_fe, n_fl_lost, n_hf};
  emit(K_STAT, 1, 0, 0, 0, stats, sizeof stats);
  flush_out();
  if (out_fd >= 0) close(out_fd);
  out_fd = -1;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  const char *sock = NULL;
  bool arm = false;
  for (int i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "sock=", 5)) sock = argv[i] + 5;
    else if (!strcmp(argv[i], "arm=on")) arm = true;
    else if (!strcmp(argv[i], "reads=on")) watch_reads = true;
    else if (!strncmp(argv[i], "range=", 6) || !strncmp(argv[i], "kick=", 5)) {
      /* a machine restored from a saved one (-incoming): its agent announced the ranges (and the
       * virtio-pmem notify areas) before the save, so they come as arguments,
       * range=<dev>:<start>:<size> and kick=<dev>:<start>:<size> (hex or decimal) */
      bool kick = argv[i][0] == 'k';
      char *end;
      unsigned long long n = strtoull(argv[i] + (kick ? 5 : 6), &end, 0);
      unsigned long long start = *end == ':' ? strtoull(end + 1, &end, 0) : 0;
      unsigned long long size = *end == ':' ? strtoull(end + 1, &end, 0) : 0;
      if (*end || n >= MAX_DEV || !size) {
        qemu_plugin_outs("pmem-trace: range= and kick= want <dev>:<start>:<size>\n");
        return -1;
      }
      set_range(kick, n, start, size);
    }
  }
  if (!info->system_emulation || strcmp(info->target_name, "x86_64")) {
    qemu_plugin_outs("pmem-trace: needs qemu-system-x86_64\n");
    return -1;
  }
  if (info->system.max_vcpus != 1) {
    qemu_plugin_outs("pmem-trace: needs -smp 1 (callbacks must arrive in execution order)\n");
    return -1;
  }
  if (!sock) {
    qemu_plugin_outs("pmem-trace: needs sock=<unix socket path> (the host's listener)\n");
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
    char m[512];
    snprintf(m, sizeof m, "pmem-trace: cannot connect to %s: %s\n", sock, strerror(errno));
    qemu_plugin_outs(m);
    return -1;
  }
  out_fd = fd;
  self = id;
  qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
  /* arm=on: the guest armed the plugin before its machine was saved, so start armed */
  armed = arm;
  qemu_plugin_register_vcpu_tb_trans_cb(id, arm ? full_trans : boot_trans);
  qemu_plugin_register_atexit_cb(id, on_exit_, NULL);
  return 0;
}
