package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Philox;
import dev.spikevae.tensor.Tensor;

import static dev.spikevae.backend.cuda.Addresses.ifType;
import static dev.spikevae.backend.cuda.Addresses.of;

/** Call sites of lif.cu and random.cu: the fused LIF, Philox draws, the spike sampler and the one-of-k pick. */
final class SpikingKernels {
    private final Device device;
    private final Kernel lifForward;
    private final KernelArgs lifForwardArgs;
    private final Kernel lifBackward;
    private final KernelArgs lifBackwardArgs;
    private final Kernel uniform;
    private final KernelArgs uniformArgs;
    private final Kernel normal;
    private final KernelArgs normalArgs;
    private final Kernel bernoulli;
    private final KernelArgs bernoulliArgs;
    private final Kernel bernoulliBackward;
    private final KernelArgs bernoulliBackwardArgs;
    private final Kernel pick;
    private final KernelArgs pickArgs;
    private final Kernel pickBackward;
    private final KernelArgs pickBackwardArgs;

    SpikingKernels(Device device) {
        this.device = device;
        lifForward = device.kernel("lif_forward");
        lifForwardArgs = lifForward.newArgs();
        lifBackward = device.kernel("lif_backward");
        lifBackwardArgs = lifBackward.newArgs();
        uniform = device.kernel("philox_uniform");
        uniformArgs = uniform.newArgs();
        normal = device.kernel("philox_normal");
        normalArgs = normal.newArgs();
        bernoulli = device.kernel("bernoulli_spikes");
        bernoulliArgs = bernoulli.newArgs();
        bernoulliBackward = device.kernel("bernoulli_spikes_backward");
        bernoulliBackwardArgs = bernoulliBackward.newArgs();
        pick = device.kernel("pick_one_of_k");
        pickArgs = pick.newArgs();
        pickBackward = device.kernel("pick_one_of_k_backward");
        pickBackwardArgs = pickBackward.newArgs();
    }

    void lifForward(Tensor x, Tensor spikes, Tensor membrane, LifParams p) {
        int steps = x.dim(0);
        int m = x.numel() / steps;
        device.launch(lifForward, LaunchConfig.items(m), lifForwardArgs.begin().ptr(of(x)).ptr(ifType(spikes, DType.F32))
                .ptr(ifType(spikes, DType.U8)).ptr(of(membrane)).i32(steps).i32(m).f32(p.decay()).f32(p.threshold()));
    }

    void lifBackward(Tensor dSpikes, Tensor membrane, Tensor dx, LifParams p) {
        int steps = membrane.dim(0);
        int m = membrane.numel() / steps;
        device.launch(lifBackward, LaunchConfig.items(m), lifBackwardArgs.begin().ptr(of(dSpikes)).ptr(of(membrane))
                .ptr(of(dx)).i32(steps).i32(m).f32(p.decay()).f32(p.threshold()).f32(p.detachReset() ? 0f : p.decay())
                .i32(OpCodes.surrogate(p.surrogate())).f32(p.centre()).f32(p.width()));
    }

    void uniform(Tensor out, long seed, long counter) {
        int n = out.numel();
        device.launch(uniform, LaunchConfig.items(Philox.uniformBlocks(n)),
                uniformArgs.begin().ptr(of(out)).i32(n).i64(seed).i64(counter));
    }

    void normal(Tensor out, long seed, long counter) {
        int n = out.numel();
        device.launch(normal, LaunchConfig.items(Philox.normalBlocks(n)),
                normalArgs.begin().ptr(of(out)).i32(n).i64(seed).i64(counter));
    }

    void bernoulli(Tensor rate, Tensor spikes, long seed, long counter) {
        int m = rate.numel();
        int steps = spikes.dim(0);
        if (m == 0) {
            return;
        }
        device.launch(bernoulli, LaunchConfig.items(Philox.uniformBlocks((long) steps * m)), bernoulliArgs.begin()
                .ptr(of(rate)).ptr(ifType(spikes, DType.F32)).ptr(ifType(spikes, DType.U8)).i32(steps).i32(m).i64(seed)
                .i64(counter));
    }

    void bernoulliBackward(Tensor dSpikes, Tensor rate, Tensor dRate, long seed, long counter, float halfWidth,
                           float beta) {
        int m = rate.numel();
        device.launch(bernoulliBackward, LaunchConfig.items(m), bernoulliBackwardArgs.begin().ptr(of(dSpikes))
                .ptr(of(rate)).ptr(of(dRate)).i32(dSpikes.dim(0)).i32(m).i64(seed).i64(counter).f32(halfWidth).f32(beta));
    }

    void pick(Tensor x, Tensor out, long seed, long counter) {
        int n = out.numel();
        device.launch(pick, LaunchConfig.items(n),
                pickArgs.begin().ptr(of(x)).ptr(of(out)).i32(n).i32(x.dim(-1)).i64(seed).i64(counter));
    }

    void pickBackward(Tensor dOut, Tensor dx, long seed, long counter) {
        int n = dOut.numel();
        device.launch(pickBackward, LaunchConfig.items(n),
                pickBackwardArgs.begin().ptr(of(dOut)).ptr(of(dx)).i32(n).i32(dx.dim(-1)).i64(seed).i64(counter));
    }
}
