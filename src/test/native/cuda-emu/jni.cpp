// JNI glue of dev.spikevae.backend.cuda.CudaEmulator: emulated device memory (host memory between guard pages),
// copies and fills, the kernel registry and launches.
#include <jni.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "runtime.h"

namespace {

size_t pageSize() {
    static size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

// A block of `bytes` starts 256-aligned (as cuMemAlloc's) and ends at most 255 bytes before a PROT_NONE page;
// another PROT_NONE page lies below it, so a kernel that runs off either end faults at once.
struct Span {
    size_t span;  // bytes rounded up to 256
    size_t body;  // span rounded up to pages
};

Span spanOf(jlong bytes) {
    size_t b = bytes < 1 ? 1 : (size_t)bytes;
    size_t span = (b + 255) / 256 * 256;
    size_t page = pageSize();
    return Span{span, (span + page - 1) / page * page};
}

jstring text(JNIEnv* env, const std::string& s) { return env->NewStringUTF(s.c_str()); }

void* at(jlong address) { return reinterpret_cast<void*>(static_cast<uintptr_t>(address)); }

}  // namespace

extern "C" {

JNIEXPORT jobjectArray JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_kernelNames(JNIEnv* env, jclass) {
    const auto& all = sv_emu::kernels();
    jobjectArray out = env->NewObjectArray((jsize)all.size(), env->FindClass("java/lang/String"), nullptr);
    for (size_t i = 0; i < all.size(); i++) {
        env->SetObjectArrayElement(out, (jsize)i, text(env, all[i].name));
    }
    return out;
}

// The parameters of kernel `handle` as "kind bytes" pairs, e.g. "i4 p8 f4 s32".
JNIEXPORT jstring JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_signature(JNIEnv* env, jclass, jlong handle) {
    const auto& all = sv_emu::kernels();
    if (handle < 1 || (size_t)handle > all.size()) return nullptr;
    std::string s;
    for (const auto& p : all[(size_t)handle - 1].params) {
        if (!s.empty()) s += ' ';
        s += p.kind;
        s += std::to_string(p.bytes);
    }
    return text(env, s);
}

// 1 + the kernel's index, or 0 when no kernel has that name.
JNIEXPORT jlong JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_kernel(JNIEnv* env, jclass, jstring name) {
    const char* n = env->GetStringUTFChars(name, nullptr);
    jlong found = 0;
    const auto& all = sv_emu::kernels();
    for (size_t i = 0; i < all.size() && found == 0; i++) {
        if (all[i].name == n) found = (jlong)i + 1;
    }
    env->ReleaseStringUTFChars(name, n);
    return found;
}

// Memory filled with 0xFF bytes: every float and double in it reads as NaN until written.
JNIEXPORT jlong JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_allocate(JNIEnv*, jclass, jlong bytes) {
    Span s = spanOf(bytes);
    size_t page = pageSize();
    void* region = mmap(nullptr, s.body + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) return 0;
    char* body = static_cast<char*>(region) + page;
    if (mprotect(body, s.body, PROT_READ | PROT_WRITE) != 0) {
        munmap(region, s.body + 2 * page);
        return 0;
    }
    memset(body, 0xFF, s.body);
    return (jlong)(uintptr_t)(body + s.body - s.span);
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_release(JNIEnv*, jclass, jlong address, jlong bytes) {
    Span s = spanOf(bytes);
    size_t page = pageSize();
    char* start = static_cast<char*>(at(address)) + s.span - s.body - page;
    munmap(start, s.body + 2 * page);
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_copyInFloats(JNIEnv* env, jclass, jfloatArray src,
                                                                                jint offset, jlong dst, jint count) {
    env->GetFloatArrayRegion(src, offset, count, static_cast<jfloat*>(at(dst)));
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_copyInBytes(JNIEnv* env, jclass, jbyteArray src,
                                                                               jint offset, jlong dst, jint count) {
    env->GetByteArrayRegion(src, offset, count, static_cast<jbyte*>(at(dst)));
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_copyOutFloats(JNIEnv* env, jclass, jlong src,
                                                                                 jfloatArray dst, jint offset, jint count) {
    env->SetFloatArrayRegion(dst, offset, count, static_cast<const jfloat*>(at(src)));
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_copyOutBytes(JNIEnv* env, jclass, jlong src,
                                                                                jbyteArray dst, jint offset, jint count) {
    env->SetByteArrayRegion(dst, offset, count, static_cast<const jbyte*>(at(src)));
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_copy(JNIEnv*, jclass, jlong src, jlong dst, jlong bytes) {
    memmove(at(dst), at(src), (size_t)bytes);
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_fill32(JNIEnv*, jclass, jlong dst, jint value,
                                                                          jlong count) {
    uint32_t* p = static_cast<uint32_t*>(at(dst));
    for (jlong i = 0; i < count; i++) p[i] = (uint32_t)value;
}

JNIEXPORT void JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_fill8(JNIEnv*, jclass, jlong dst, jbyte value,
                                                                         jlong count) {
    memset(at(dst), (unsigned char)value, (size_t)count);
}

JNIEXPORT jlong JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_bufferAddress(JNIEnv* env, jclass, jobject buffer) {
    return (jlong)(uintptr_t)env->GetDirectBufferAddress(buffer);
}

// Runs kernel `handle` over the grid; `params` holds the address of each argument value. Returns null or the error.
JNIEXPORT jstring JNICALL Java_dev_spikevae_backend_cuda_CudaEmulator_launch(JNIEnv* env, jclass, jlong handle,
                                                                             jint gridX, jint gridY, jint gridZ,
                                                                             jint block, jlongArray params,
                                                                             jint schedule, jlong seed, jint workers) {
    const auto& all = sv_emu::kernels();
    if (handle < 1 || (size_t)handle > all.size()) return text(env, "no such kernel handle");
    jsize n = env->GetArrayLength(params);
    std::vector<jlong> addresses((size_t)n);
    env->GetLongArrayRegion(params, 0, n, addresses.data());
    std::vector<void*> args((size_t)n + 1);
    for (jsize i = 0; i < n; i++) args[(size_t)i] = at(addresses[(size_t)i]);
    sv_emu::LaunchRequest r{&all[(size_t)handle - 1], dim3((unsigned)gridX, (unsigned)gridY, (unsigned)gridZ),
                            dim3((unsigned)block, 1, 1), args.data(), (sv_emu::Schedule)schedule, (uint64_t)seed,
                            (int)workers};
    std::string error = sv_emu::launch(r);
    return error.empty() ? nullptr : text(env, error);
}

}  // extern "C"
