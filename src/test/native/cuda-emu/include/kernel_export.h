// Registers kernels with the emulator's runtime under their extern "C" names. build.sh writes one translation unit
// per .cu file: the file itself (unchanged), then SV_EMU_EXPORT(name) for each kernel it declares. Template
// deduction gives each kernel a launcher that unpacks cuLaunchKernel-style parameters (an array of pointers to the
// argument values) into a typed call, and a record of each parameter's kind and size that the Java side checks
// against the PTX signature before the first launch.
#pragma once

#include <stddef.h>

#include <type_traits>
#include <utility>

namespace sv_emu {

using AnyKernel = void (*)();
using Invoker = void (*)(AnyKernel, void* const* params);

// kind: 'p' pointer, 'i' integer, 'f' floating point, 's' struct passed by value
struct ParamInfo {
    char kind;
    int bytes;
};

int register_kernel(const char* name, AnyKernel fn, Invoker invoke, const ParamInfo* params, int count);

template <typename T>
constexpr ParamInfo param_info() {
    return ParamInfo{std::is_pointer<T>::value          ? 'p'
                     : std::is_floating_point<T>::value ? 'f'
                     : std::is_integral<T>::value       ? 'i'
                     : std::is_class<T>::value          ? 's'
                                                        : '?',
                     (int)sizeof(T)};
}

template <typename... A, size_t... I>
inline void call_unpacked(void (*f)(A...), void* const* p, std::index_sequence<I...>) {
    f(*static_cast<typename std::remove_cv<A>::type*>(p[I])...);
}

template <typename... A>
void invoke(AnyKernel fn, void* const* p) {
    call_unpacked(reinterpret_cast<void (*)(A...)>(fn), p, std::index_sequence_for<A...>{});
}

template <typename... A>
int export_kernel(const char* name, void (*fn)(A...)) {
    static const ParamInfo params[sizeof...(A) + 1] = {param_info<A>()..., ParamInfo{0, 0}};
    return register_kernel(name, reinterpret_cast<AnyKernel>(fn), &invoke<A...>, params, (int)sizeof...(A));
}

}  // namespace sv_emu

#define SV_EMU_EXPORT(name) \
    static const int sv_emu_export_##name __attribute__((used)) = ::sv_emu::export_kernel(#name, &name);
