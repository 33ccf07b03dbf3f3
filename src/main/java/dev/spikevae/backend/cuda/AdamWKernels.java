package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Tensor;

import static dev.spikevae.backend.cuda.Addresses.of;

/**
 * The call site of adamw.cu. The per-step scalars are computed here as the CPU backend computes them
 * (PyTorch's AdamW: bias corrections in double, then used as float scalars), so both backends run the
 * same float arithmetic per element.
 */
final class AdamWKernels {
    private final Device device;
    private final Kernel step;
    private final KernelArgs stepArgs;

    AdamWKernels(Device device) {
        this.device = device;
        step = device.kernel("adamw_step");
        stepArgs = step.newArgs();
    }

    /** decayFactor, beta1, 1 - beta1, beta2, 1 - beta2, sqrt(1 - beta2^t), eps, lr / (1 - beta1^t). */
    static float[] constants(AdamWParams a) {
        double bc1 = 1.0 - Math.pow(a.beta1(), a.step());
        double bc2 = 1.0 - Math.pow(a.beta2(), a.step());
        return new float[] {(float) (1.0 - (double) a.lr() * a.weightDecay()), a.beta1(), 1f - a.beta1(), a.beta2(),
            1f - a.beta2(), (float) Math.sqrt(bc2), a.eps(), (float) (a.lr() / bc1)};
    }

    void step(Tensor p, Tensor g, Tensor m, Tensor v, AdamWParams a) {
        float[] c = constants(a);
        int n = p.numel();
        KernelArgs args = stepArgs.begin().ptr(of(p)).ptr(of(g)).ptr(of(m)).ptr(of(v)).i32(n);
        for (float f : c) {
            args.f32(f);
        }
        device.launch(step, LaunchConfig.items(n), args);
    }
}
