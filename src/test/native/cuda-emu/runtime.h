// The emulator runtime's interface to its JNI glue: the kernel registry and launches.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "cuda_emu.h"
#include "kernel_export.h"

namespace sv_emu {

struct KernelInfo {
    std::string name;
    AnyKernel fn;
    Invoker invoke;
    std::vector<ParamInfo> params;
};

// Every registered kernel, in registration order.
const std::vector<KernelInfo>& kernels();

// The order in which a block's warps, and each warp's lanes, run between barriers (and the order blocks are taken in).
enum Schedule : int {
    IN_ORDER = 0,   // warps 0, 1, 2, ..., lanes 0, 1, 2, ...; blocks in order
    REVERSED = 1,   // last warp first, lanes 31, ..., 0; blocks last to first
    SHUFFLED = 2    // seeded permutations of the warps and of the lanes, new at every barrier; blocks in order
};

struct LaunchRequest {
    const KernelInfo* kernel;
    dim3 grid;
    dim3 block;
    void* const* params;
    Schedule schedule;
    uint64_t seed;
    int workers;  // OS threads running blocks, the calling thread included
};

// Runs every block of the grid and returns "" or what went wrong (deadlock, misuse of a collective, a trap).
std::string launch(const LaunchRequest& request);

}  // namespace sv_emu
