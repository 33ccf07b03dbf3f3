// The emulator's scheduler. A launch hands blocks to a few worker threads (the caller is one of them); a worker runs
// one block at a time, each CUDA thread of the block a fiber. Threads switch only where CUDA threads must wait for
// each other: block barriers and warp collectives. The worker runs the block warp by warp, each warp as far as it
// can go before the next (see schedule()); when every thread waits at the block barrier it opens it and starts
// over. When nothing can move, the block is deadlocked, and the launch fails with a report naming the kernel, the
// block and where each thread waits.
//
// Because threads only switch where they must, a thread runs as far ahead as it possibly can: a missing barrier
// between a write and another thread's read shows up in one schedule or the other, and the same schedule always
// gives the same result (no OS thread timing is involved inside a block; blocks are independent).
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pthread.h>

#include <atomic>

#if !defined(__x86_64__)
#error "the CUDA emulator's context switch is written for x86-64"
#endif

namespace sv_emu {

thread_local const ThreadPosition* current_position = nullptr;

// ------------------------------------------------------------------------------------------------
// Registry

static std::vector<KernelInfo>& registry() {
    static std::vector<KernelInfo>* all = new std::vector<KernelInfo>();
    return *all;
}

int register_kernel(const char* name, AnyKernel fn, Invoker invoke, const ParamInfo* params, int count) {
    registry().push_back(KernelInfo{name, fn, invoke, std::vector<ParamInfo>(params, params + count)});
    return (int)registry().size();
}

const std::vector<KernelInfo>& kernels() { return registry(); }

}  // namespace sv_emu

// ------------------------------------------------------------------------------------------------
// Context switch (System V x86-64): pushes the callee-saved registers, stores the stack pointer in *save, and
// continues on `load` (a stack saved the same way, or a fresh one prepared by freshFrame, which "returns" into
// sv_emu_fiber_start, which calls r13(r12)). MXCSR and the x87 control word are not switched: every fiber of a
// worker runs on the same OS thread, and neither the kernels nor libm change them.
extern "C" void sv_emu_switch(void** save, void* load);
extern "C" void sv_emu_fiber_start();

asm(R"(
    .text
    .p2align 4
    .globl sv_emu_switch
    .hidden sv_emu_switch
    .type sv_emu_switch, @function
sv_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size sv_emu_switch, .-sv_emu_switch

    .p2align 4
    .globl sv_emu_fiber_start
    .hidden sv_emu_fiber_start
    .type sv_emu_fiber_start, @function
sv_emu_fiber_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size sv_emu_fiber_start, .-sv_emu_fiber_start
)");

namespace sv_emu {
namespace {

constexpr int MAX_THREADS = 1024;
// one per thread that waits, one for the scheduler
constexpr int STACKS = MAX_THREADS + 1;
constexpr size_t STACK_BYTES = 64 * 1024;

enum class State : uint8_t { NotStarted, Runnable, AtBarrier, AtCollective, Exited };

struct Fiber {
    void* sp;
    ThreadPosition pos;
    unsigned linear;  // thread index within the block
    State state;
    int stack;        // the stack this thread owns since it first waited; -1 before
    // block barrier
    int reduceOp;
    int predicate;
    int barrierResult;
    // warp collective
    int kind;
    unsigned mask;
    uint64_t value;
    int arg;
    int width;
    const char* what;
    uint64_t result;
};

// A worker runs one block at a time. The scheduler itself runs on one of the fiber stacks and starts every thread
// with a plain call on that stack; a thread that never waits (most threads of most kernels) just returns, with no
// context switch at all. A thread that waits keeps the stack it runs on, and the scheduler carries on, from the
// state kept here, on a fresh stack.
struct Worker {
    Fiber fibers[MAX_THREADS];
    char* stacks = nullptr;  // STACKS stacks, each above a guard page
    size_t page = 0;
    std::vector<int> freeStacks;
    int schedulerStack = -1;        // the stack the scheduler runs on now
    void* schedulerSp = nullptr;    // the scheduler, suspended while it resumes a thread
    void* osSp = nullptr;           // the worker's own stack, suspended while a block runs
    Fiber* running = nullptr;
    const LaunchRequest* request = nullptr;
    uint64_t blockLinear = 0;
    uint3 blockIndex{0, 0, 0};
    unsigned n = 0;                 // threads in the block
    unsigned warps = 0;
    unsigned exited = 0;
    // where the scheduler is: the round (between block barriers), the warp of the round, the lane of that warp's
    // current pass (a warp is passed over again after each of its collectives completes)
    uint64_t round = 0;
    uint64_t pass = 0;
    unsigned warpPos = 0;
    unsigned lanePos = 0;
    std::vector<unsigned> warpOrder;
    unsigned laneOrder[32];
    std::string error;              // set when the block failed
};

thread_local Worker* tlsWorker = nullptr;

std::string blockText(const Worker& w) {
    char b[96];
    snprintf(b, sizeof b, "block (%u,%u,%u)", w.blockIndex.x, w.blockIndex.y, w.blockIndex.z);
    return b;
}

void fail(Worker& w, const std::string& why) {
    if (w.error.empty()) w.error = blockText(w) + ": " + why;
}

char* stackTop(Worker& w, int i) { return w.stacks + (size_t)(i + 1) * (STACK_BYTES + w.page); }

void ensureStacks(Worker& w) {
    if (w.stacks != nullptr) return;
    w.page = (size_t)sysconf(_SC_PAGESIZE);
    size_t slot = STACK_BYTES + w.page;
    void* region = mmap(nullptr, slot * STACKS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                        -1, 0);
    if (region == MAP_FAILED) {
        fprintf(stderr, "cuda emulator: cannot map fiber stacks\n");
        abort();
    }
    w.stacks = static_cast<char*>(region);
    for (int i = 0; i < STACKS; i++) {
        // a guard page below each stack: an overflow faults instead of corrupting the next thread's stack
        mprotect(w.stacks + (size_t)i * slot, w.page, PROT_NONE);
    }
}

// A frame on stack `stack` that sv_emu_switch pops into sv_emu_fiber_start, which calls entry(arg).
void* freshFrame(Worker& w, int stack, void (*entry)(void*), void* arg) {
    // 7 slots: after the 6 pops and the ret the stack pointer is the (16-byte aligned) top, as a call site needs
    void** sp = reinterpret_cast<void**>(stackTop(w, stack)) - 7;
    sp[0] = nullptr;                                        // r15
    sp[1] = nullptr;                                        // r14
    sp[2] = reinterpret_cast<void*>(entry);                 // r13
    sp[3] = arg;                                            // r12
    sp[4] = nullptr;                                        // rbx
    sp[5] = nullptr;                                        // rbp
    sp[6] = reinterpret_cast<void*>(&sv_emu_fiber_start);  // return address
    return sp;
}

void schedulerEntry(void* worker);

[[noreturn]] void finishBlock(Worker& w) {
    void* abandoned;
    sv_emu_switch(&abandoned, w.osSp);
    __builtin_unreachable();
}

// A thread's first run: a plain call on the scheduler's stack. Returns when the thread exits without having waited.
// A thread that waited took this stack along (suspend); when it exits later it lands here again, hands the stack
// back and switches to the scheduler.
void runDirect(Worker& w, Fiber& f) {
    int mine = w.schedulerStack;
    const LaunchRequest& r = *w.request;
    unsigned i = f.linear;
    f.stack = -1;
    f.pos.thread = uint3{i % r.block.x, i / r.block.x % r.block.y, i / (r.block.x * r.block.y)};
    f.pos.block = w.blockIndex;
    f.pos.blockSize = r.block;
    f.pos.gridSize = r.grid;
    w.running = &f;
    current_position = &f.pos;
    r.kernel->invoke(r.kernel->fn, r.params);
    f.state = State::Exited;
    w.running = nullptr;
    current_position = nullptr;
    if (w.schedulerStack == mine) return;
    w.freeStacks.push_back(mine);
    void* abandoned;
    sv_emu_switch(&abandoned, w.schedulerSp);
    __builtin_unreachable();
}

// From the scheduler: continues a thread that waited, until it waits again or exits.
void resume(Worker& w, Fiber& f) {
    w.running = &f;
    current_position = &f.pos;
    sv_emu_switch(&w.schedulerSp, f.sp);
    w.running = nullptr;
    current_position = nullptr;
}

// From a thread: back to the scheduler until released (or for good, when the block failed).
void suspend(Worker& w, Fiber& f) {
    if (f.stack >= 0) {
        sv_emu_switch(&f.sp, w.schedulerSp);
        return;
    }
    // First wait: the stack this thread runs on, the scheduler's until now, becomes the thread's; the scheduler
    // continues on a fresh one.
    f.stack = w.schedulerStack;
    if (w.freeStacks.empty()) {
        fprintf(stderr, "cuda emulator: out of fiber stacks\n");
        abort();
    }
    w.schedulerStack = w.freeStacks.back();
    w.freeStacks.pop_back();
    void* frame = freshFrame(w, w.schedulerStack, &schedulerEntry, &w);
    sv_emu_switch(&f.sp, frame);
}

Fiber& runningFiber(const char* what) {
    Worker* w = tlsWorker;
    if (w == nullptr || w->running == nullptr) {
        fprintf(stderr, "cuda emulator: %s called outside a kernel\n", what);
        abort();
    }
    return *w->running;
}

uint64_t mix(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// A permutation of 0..n-1 in the schedule's order (`salt` varies the shuffle).
void order(Worker& w, unsigned* out, unsigned n, uint64_t salt) {
    for (unsigned i = 0; i < n; i++) out[i] = w.request->schedule == REVERSED ? n - 1 - i : i;
    if (w.request->schedule != SHUFFLED) return;
    uint64_t s = mix(w.request->seed ^ mix(w.blockLinear) ^ mix(salt));
    for (unsigned i = n - 1; i > 0; i--) {
        s = mix(s);
        unsigned j = (unsigned)(s % (i + 1));
        unsigned t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

unsigned lanesOf(const Worker& w, unsigned warp) { return w.n - warp * 32 < 32 ? w.n - warp * 32 : 32; }

void startPass(Worker& w, unsigned warp) {
    w.pass++;
    w.lanePos = 0;
    order(w, w.laneOrder, lanesOf(w, warp), w.pass * 2 + 1);
}

void startRound(Worker& w) {
    w.round++;
    w.warpPos = 0;
    w.warpOrder.resize(w.warps);
    order(w, w.warpOrder.data(), w.warps, w.round * 2);
    startPass(w, w.warpOrder[0]);
}

const char* barrierName(int op) {
    switch (op) {
        case 1: return "__syncthreads_count";
        case 2: return "__syncthreads_and";
        case 3: return "__syncthreads_or";
        default: return "__syncthreads";
    }
}

std::string hex(unsigned v) {
    char b[16];
    snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

// "threads 0-15 wait at X, threads 16-255 wait at Y; 0 of 256 exited"
std::string whereThreadsWait(Worker& w, unsigned n) {
    std::string out;
    unsigned exited = 0;
    unsigned i = 0;
    while (i < n) {
        Fiber& f = w.fibers[i];
        if (f.state == State::Exited) {
            exited++;
            i++;
            continue;
        }
        std::string at = f.state == State::AtBarrier ? barrierName(f.reduceOp)
                         : f.state == State::AtCollective ? std::string(f.what) + " (mask " + hex(f.mask) + ")"
                                                          : std::string("no barrier (runnable)");
        unsigned j = i + 1;
        while (j < n && w.fibers[j].state == f.state &&
               (f.state == State::AtBarrier ? w.fibers[j].reduceOp == f.reduceOp
                                            : w.fibers[j].what == f.what && w.fibers[j].mask == f.mask)) {
            j++;
        }
        if (!out.empty()) out += ", ";
        out += j - i == 1 ? "thread " + std::to_string(i) : "threads " + std::to_string(i) + "-" + std::to_string(j - 1);
        out += " wait at " + at;
        i = j;
    }
    return out + "; " + std::to_string(exited) + " of " + std::to_string(n) + " exited";
}

// Resolves one group of lanes of warp `base / 32` that wait at collectives with the same mask.
void completeCollective(Worker& w, unsigned base, unsigned group, unsigned gone) {
    Fiber* lanes = &w.fibers[base];
    unsigned first = (unsigned)__builtin_ctz(group);
    Fiber& lead = lanes[first];
    for (unsigned l = 0; l < 32; l++) {
        if (!(group >> l & 1u)) continue;
        Fiber& f = lanes[l];
        if (f.kind != lead.kind || f.width != lead.width) {
            fail(w, "divergent warp collectives: thread " + std::to_string(base + first) + " is at " + lead.what +
                        ", thread " + std::to_string(base + l) + " at " + f.what + " with the same mask " +
                        hex(lead.mask));
            return;
        }
    }
    uint64_t all = 1, any = 0, ballot = 0;
    for (unsigned l = 0; l < 32; l++) {
        if (!(group >> l & 1u)) continue;
        bool p = lanes[l].value != 0;
        all &= p ? 1u : 0u;
        any |= p ? 1u : 0u;
        ballot |= p ? (1ull << l) : 0ull;
    }
    for (unsigned l = 0; l < 32; l++) {
        if (!(group >> l & 1u)) continue;
        Fiber& f = lanes[l];
        switch (f.kind) {
            case SHFL_IDX:
            case SHFL_UP:
            case SHFL_DOWN:
            case SHFL_XOR: {
                // shfl.sync with CUDA's clamp operand: c = ((32 - width) << 8) | (up ? 0 : 31)
                int segmask = (32 - f.width) & 31;
                int cval = f.kind == SHFL_UP ? 0 : 31;
                int lane = (int)l;
                int maxLane = (lane & segmask) | (cval & ~segmask);
                int minLane = lane & segmask;
                int b = f.arg & 31;  // shfl.sync reads only the low 5 bits of the lane operand
                int j;
                bool inRange;
                switch (f.kind) {
                    case SHFL_UP: j = lane - b; inRange = j >= maxLane; break;
                    case SHFL_DOWN: j = lane + b; inRange = j <= maxLane; break;
                    case SHFL_XOR: j = lane ^ b; inRange = j <= maxLane; break;
                    default: j = minLane | (b & ~segmask); inRange = j <= maxLane; break;
                }
                if (!inRange) j = lane;
                if (!(group >> j & 1u)) {
                    std::string why = (gone >> j & 1u) ? "which has exited" : "which the mask " + hex(f.mask) + " does not name";
                    fail(w, "thread " + std::to_string(base + l) + " reads lane " + std::to_string(j) + " in " + f.what +
                                ", " + why);
                    return;
                }
                f.result = lanes[j].value;
                break;
            }
            case VOTE_ALL: f.result = all; break;
            case VOTE_ANY: f.result = any; break;
            case VOTE_BALLOT: f.result = ballot; break;
            case UNIFORM:
                if (f.value != lead.value) {
                    fail(w, std::string(f.what) + ": threads " + std::to_string(base + first) + " and " +
                                std::to_string(base + l) + " pass different arguments (every lane must pass the same)");
                    return;
                }
                f.result = 0;
                break;
            default: f.result = 0; break;
        }
    }
    for (unsigned l = 0; l < 32; l++) {
        if (group >> l & 1u) lanes[l].state = State::Runnable;
    }
}

// Releases every collective of warp `warp` whose named lanes have all arrived; returns whether any was.
bool releaseWarp(Worker& w, unsigned warp) {
    bool released = false;
    unsigned base = warp * 32;
    unsigned lanesHere = lanesOf(w, warp);
    unsigned waiting = 0, gone = lanesHere == 32 ? 0u : ~0u << lanesHere;
    for (unsigned l = 0; l < lanesHere; l++) {
        State s = w.fibers[base + l].state;
        if (s == State::AtCollective) waiting |= 1u << l;
        if (s == State::Exited) gone |= 1u << l;
    }
    unsigned seen = 0;
    for (unsigned l = 0; l < 32 && w.error.empty(); l++) {
        if (!(waiting >> l & 1u) || (seen >> l & 1u)) continue;
        unsigned mask = w.fibers[base + l].mask;
        unsigned group = 0;
        for (unsigned k = 0; k < 32; k++) {
            if ((waiting >> k & 1u) && w.fibers[base + k].mask == mask) group |= 1u << k;
        }
        seen |= group;
        // complete when every lane the mask names has arrived here or exited
        if ((mask & ~(group | gone)) != 0) continue;
        completeCollective(w, base, group, gone);
        released = true;
    }
    return released;
}

// Releases the block barrier when every thread that has not exited waits at it.
bool releaseBarrier(Worker& w, unsigned n) {
    int op = -1;
    int count = 0, all = 1, any = 0;
    for (unsigned i = 0; i < n; i++) {
        Fiber& f = w.fibers[i];
        if (f.state == State::Exited) continue;
        if (f.state != State::AtBarrier) return false;
        if (op < 0) op = f.reduceOp;
        if (f.reduceOp != op) {
            fail(w, std::string("threads wait at different barriers: ") + barrierName(op) + " and " +
                        barrierName(f.reduceOp));
            return false;
        }
        count += f.predicate;
        all &= f.predicate;
        any |= f.predicate;
    }
    if (op < 0) return false;
    int result = op == 1 ? count : op == 2 ? all : op == 3 ? any : 0;
    for (unsigned i = 0; i < n; i++) {
        Fiber& f = w.fibers[i];
        if (f.state == State::AtBarrier) {
            f.barrierResult = result;
            f.state = State::Runnable;
        }
    }
    return true;
}

// Runs the block warp by warp, in the schedule's order: each warp as far as it can go (its lanes in the schedule's
// order, again after each of its collectives completes) before the next one starts, so one warp gets ahead of the
// others as far as CUDA allows: the order that exposes a shared-memory race between warps. When every warp waits
// at the block barrier (or has exited), the barrier opens and a new round starts; when none can move, the block is
// deadlocked. The position is kept in the worker, so a fresh scheduler stack carries on where the last one was.
[[noreturn]] void schedule(Worker& w) {
    for (;;) {
        if (!w.error.empty()) finishBlock(w);
        if (w.warpPos < w.warps) {
            unsigned warp = w.warpOrder[w.warpPos];
            if (w.lanePos < lanesOf(w, warp)) {
                Fiber& f = w.fibers[warp * 32 + w.laneOrder[w.lanePos++]];
                if (f.state == State::NotStarted) {
                    f.state = State::Runnable;
                    runDirect(w, f);
                } else if (f.state == State::Runnable) {
                    resume(w, f);
                } else {
                    continue;
                }
                if (f.state == State::Exited) w.exited++;
            } else if (releaseWarp(w, warp)) {
                startPass(w, warp);
            } else if (++w.warpPos < w.warps) {
                startPass(w, w.warpOrder[w.warpPos]);
            }
            continue;
        }
        if (w.exited == w.n) finishBlock(w);
        if (releaseBarrier(w, w.n)) {
            startRound(w);
            continue;
        }
        if (w.error.empty()) fail(w, "deadlock: " + whereThreadsWait(w, w.n));
        finishBlock(w);
    }
}

void schedulerEntry(void* worker) { schedule(*static_cast<Worker*>(worker)); }

void runBlock(Worker& w, uint64_t blockLinear) {
    const LaunchRequest& r = *w.request;
    unsigned n = r.block.x * r.block.y * r.block.z;
    uint3 block{(unsigned)(blockLinear % r.grid.x), (unsigned)(blockLinear / r.grid.x % r.grid.y),
                (unsigned)(blockLinear / ((uint64_t)r.grid.x * r.grid.y))};
    w.blockLinear = blockLinear;
    w.blockIndex = block;
    for (unsigned i = 0; i < n; i++) {
        w.fibers[i].linear = i;
        w.fibers[i].state = State::NotStarted;
    }
    w.n = n;
    w.warps = (n + 31) / 32;
    w.exited = 0;
    w.round = 0;
    w.pass = 0;
    startRound(w);
    // no thread of an earlier block is alive: every stack is free
    w.freeStacks.clear();
    for (int i = STACKS - 1; i >= 0; i--) w.freeStacks.push_back(i);
    w.schedulerStack = w.freeStacks.back();
    w.freeStacks.pop_back();
    void* frame = freshFrame(w, w.schedulerStack, &schedulerEntry, &w);
    sv_emu_switch(&w.osSp, frame);
    w.running = nullptr;
    current_position = nullptr;
}

// ------------------------------------------------------------------------------------------------
// Workers

// Plain pthreads rather than std::thread and std::condition_variable: the library then needs no libstdc++ newer
// than GCC 5's, so the build here also loads on an older GPU host.
struct Lock {
    pthread_mutex_t* m;
    explicit Lock(pthread_mutex_t& mutex) : m(&mutex) { pthread_mutex_lock(m); }
    ~Lock() { pthread_mutex_unlock(m); }
};

struct Pool {
    pthread_mutex_t launchLock = PTHREAD_MUTEX_INITIALIZER;  // one launch at a time, as on one stream
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
    pthread_cond_t done = PTHREAD_COND_INITIALIZER;
    std::vector<Worker*> workers;  // [0]: whichever thread calls launch
    uint64_t generation = 0;
    int participants = 0;
    int pending = 0;
    const LaunchRequest* request = nullptr;
    uint64_t totalBlocks = 0;
    std::atomic<uint64_t> nextBlock{0};
    std::atomic<bool> failed{false};
    std::string error;
};

Pool& pool() {
    static Pool* p = new Pool();  // never destroyed: helper threads outlive static destruction
    return *p;
}

void runShare(Pool& p, Worker& w) {
    tlsWorker = &w;
    ensureStacks(w);
    w.request = p.request;
    w.error.clear();
    for (;;) {
        if (p.failed.load(std::memory_order_relaxed)) break;
        uint64_t k = p.nextBlock.fetch_add(1, std::memory_order_relaxed);
        if (k >= p.totalBlocks) break;
        uint64_t b = p.request->schedule == REVERSED ? p.totalBlocks - 1 - k : k;
        runBlock(w, b);
        if (!w.error.empty()) {
            Lock g(p.mu);
            if (p.error.empty()) p.error = w.error;
            p.failed = true;
            break;
        }
    }
    tlsWorker = nullptr;
}

struct Helper {
    Pool* pool;
    int index;
};

void* helperLoop(void* arg) {
    Pool* p = static_cast<Helper*>(arg)->pool;
    int index = static_cast<Helper*>(arg)->index;
    delete static_cast<Helper*>(arg);
    uint64_t seen = 0;
    for (;;) {
        {
            Lock g(p->mu);
            while (p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
            seen = p->generation;
            if (index >= p->participants) continue;
        }
        runShare(*p, *p->workers[index]);
        Lock g(p->mu);
        if (--p->pending == 0) pthread_cond_broadcast(&p->done);
    }
    return nullptr;
}

}  // namespace

[[noreturn]] void trap(const char* why) {
    Fiber& f = runningFiber("__trap");
    Worker& w = *tlsWorker;
    fail(w, "thread " + std::to_string(f.linear) + ": " + why);
    f.state = State::Exited;
    suspend(w, f);
    __builtin_unreachable();
}

int block_barrier(int op, int predicate) {
    Fiber& f = runningFiber("__syncthreads");
    f.state = State::AtBarrier;
    f.reduceOp = op;
    f.predicate = predicate;
    suspend(*tlsWorker, f);
    return f.barrierResult;
}

uint64_t warp_collective(int kind, unsigned mask, uint64_t value, int arg, int width, const char* what) {
    Fiber& f = runningFiber(what);
    Worker& w = *tlsWorker;
    unsigned lane = f.linear & 31u;
    if (!(mask >> lane & 1u)) {
        fail(w, "thread " + std::to_string(f.linear) + " calls " + what + " with mask " + hex(mask) +
                    ", which does not name its own lane " + std::to_string(lane));
        f.state = State::Exited;
        suspend(w, f);
    }
    if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
        fail(w, "thread " + std::to_string(f.linear) + " calls " + what + " with width " + std::to_string(width) +
                    " (a power of 2 up to 32)");
        f.state = State::Exited;
        suspend(w, f);
    }
    f.state = State::AtCollective;
    f.kind = kind;
    f.mask = mask;
    f.value = value;
    f.arg = arg;
    f.width = width;
    f.what = what;
    suspend(w, f);
    return f.result;
}

std::string launch(const LaunchRequest& request) {
    const LaunchRequest& r = request;
    if (r.block.x * r.block.y * r.block.z == 0 || r.block.x * r.block.y * r.block.z > (unsigned)MAX_THREADS) {
        return "block of " + std::to_string(r.block.x * r.block.y * r.block.z) + " threads (1 to 1024)";
    }
    uint64_t total = (uint64_t)r.grid.x * r.grid.y * r.grid.z;
    if (total == 0) return "";
    Pool& p = pool();
    Lock serial(p.launchLock);
    int workers = r.workers < 1 ? 1 : r.workers;
    if ((uint64_t)workers > total) workers = (int)total;
    {
        Lock g(p.mu);
        while ((int)p.workers.size() < workers) {
            p.workers.push_back(new Worker());
            int index = (int)p.workers.size() - 1;
            pthread_t thread;
            if (index > 0) {
                if (pthread_create(&thread, nullptr, helperLoop, new Helper{&p, index}) != 0) {
                    p.workers.pop_back();
                    break;
                }
                pthread_detach(thread);
            }
        }
        if ((int)p.workers.size() < workers) workers = (int)p.workers.size();
        p.request = &r;
        p.totalBlocks = total;
        p.nextBlock = 0;
        p.failed = false;
        p.error.clear();
        p.participants = workers;
        p.pending = workers - 1;
        p.generation++;
    }
    pthread_cond_broadcast(&p.wake);
    runShare(p, *p.workers[0]);
    Lock g(p.mu);
    while (p.pending != 0) pthread_cond_wait(&p.done, &p.mu);
    p.request = nullptr;
    return p.error;
}

}  // namespace sv_emu
