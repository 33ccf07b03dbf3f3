package dev.spikevae.bench;

import dev.spikevae.backend.cuda.CudaBackend;
import dev.spikevae.backend.cuda.CudaProbe;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPU benchmarks of docs/reference.md §14 on the CUDA backend: device copy bandwidth (the peer), fused LIF forward
 * + backward GB/s against it, own SGEMM GFLOP/s at 4096³ in FP32 and TF32 (cuBLAS too when it loaded,
 * for reference), and ESVAE-shaped training images/s at batch 256. Every time is taken after a device
 * synchronise and printed with the rate it implies; a short table with the targets comes last.
 */
public final class GpuBench {
    /** Sizes: the real ones, or tiny ones that only prove the code runs. */
    public record Sizes(long copyFloats, int lifSteps, int lifNeurons, int gemmN, int esvaeBatch, int esvaeSteps,
                        int warmup, int iterations) {
        public static Sizes standard() {
            return new Sizes(1L << 28, 16, 1 << 24, 4096, 256, 16, 2, 5);
        }

        public static Sizes quick() {
            return new Sizes(1L << 20, 4, 1 << 12, 256, 2, 2, 0, 1);
        }
    }

    private record Row(String name, double seconds, String rate, String target, String verdict) {
    }

    private final Sizes sizes;
    private final PrintStream out;
    private final boolean vendorLibraries;
    private final List<Row> rows = new ArrayList<>();

    /** {@code vendorLibraries}: also time cuBLAS, and train ESVAE with the vendor libraries that loaded. */
    public GpuBench(Sizes sizes, PrintStream out, boolean vendorLibraries) {
        this.sizes = sizes;
        this.out = out;
        this.vendorLibraries = vendorLibraries;
    }

    private static CudaBackend backend(boolean tf32, boolean vendor) {
        CudaProbe.Result r = CudaProbe.result(vendor);
        if (r.device() == null) {
            throw new IllegalStateException("device cuda is unavailable: " + r.capabilities().reason());
        }
        return new CudaBackend(r.device(), tf32, vendor);
    }

    /** Seconds per run: warm-up runs, then the median of timed runs, each ended by a synchronise. */
    private double time(CudaBackend be, Runnable body) {
        for (int i = 0; i < sizes.warmup(); i++) {
            body.run();
        }
        be.synchronize();
        double[] t = new double[Math.max(1, sizes.iterations())];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            body.run();
            be.synchronize();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    private void row(String name, double seconds, String rate, String target, String verdict) {
        rows.add(new Row(name, seconds, rate, target, verdict));
        out.printf("  %-34s %10.3f ms  %s%n", name, seconds * 1e3, rate);
    }

    /** Runs every benchmark and prints the table; returns false when a target was missed. */
    public boolean runAll() {
        CudaBackend fp32 = backend(false, false);
        out.println("gpu bench on " + fp32.description());
        double copy = copy(fp32);
        lif(fp32, copy);
        gemm(fp32, "sgemm 4096^3 own FP32", 25_000);
        gemm(backend(true, false), "sgemm 4096^3 own TF32", 0);
        if (vendorLibraries && CudaProbe.result(true).capabilities().cublas().loaded()) {
            gemm(backend(false, true), "sgemm 4096^3 cuBLAS (reference)", 0);
        }
        esvae(backend(false, vendorLibraries));
        out.println();
        out.println("| benchmark | time (ms) | rate | target | verdict |");
        out.println("|---|---|---|---|---|");
        boolean ok = true;
        for (Row r : rows) {
            out.printf("| %s | %.3f | %s | %s | %s |%n", r.name(), r.seconds() * 1e3, r.rate(), r.target(), r.verdict());
            ok &= !r.verdict().startsWith("MISSED");
        }
        return ok;
    }

    private double copy(CudaBackend be) {
        try (MemoryScope s = MemoryScope.open()) {
            int n = (int) Math.min(sizes.copyFloats(), Integer.MAX_VALUE - 16);
            Tensor a = be.zeros(n);
            Tensor b = be.empty(n);
            double sec = time(be, () -> be.copy(a, b));
            double gbs = 8.0 * n / sec / 1e9;
            row("device copy (peer)", sec, String.format("%.0f GB/s", gbs), "-", "peer");
            return gbs;
        }
    }

    private void lif(CudaBackend be, double copyGbs) {
        int steps = sizes.lifSteps();
        int m = sizes.lifNeurons();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = be.empty(steps, m);
            be.uniform(x, 1, 0);
            be.affine(x, 0.6f, -0.1f, x);
            Tensor spikes = be.empty(steps, m);
            Tensor u = be.empty(steps, m);
            Tensor dx = be.empty(steps, m);
            Tensor ds = be.empty(steps, m);
            be.uniform(ds, 2, 0);
            double sec = time(be, () -> {
                be.lifForward(x, spikes, u, LifParams.REFERENCE);
                be.lifBackward(ds, u, dx, LifParams.REFERENCE);
            });
            // forward reads x, writes spikes and u; backward reads dS and u, writes dx (as EngineBench counts)
            double gbs = 24.0 * steps * m / sec / 1e9;
            double ratio = gbs / copyGbs;
            row("lif fwd+bwd T=" + steps + " M=" + m, sec, String.format("%.0f GB/s (%.0f%% of copy)", gbs, 100 * ratio),
                    ">= 70% of copy", ratio >= 0.7 ? "met" : "MISSED");
        }
    }

    private void gemm(CudaBackend be, String name, double targetGflops) {
        int n = sizes.gemmN();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = be.empty(n, n);
            Tensor b = be.empty(n, n);
            be.uniform(a, 3, 0);
            be.uniform(b, 4, 0);
            Tensor c = be.empty(n, n);
            double sec = time(be, () -> be.matmul(false, false, 1f, a, b, 0f, c));
            double gflops = 2.0 * n * n * (double) n / sec / 1e9;
            String target = targetGflops > 0 ? String.format(">= %.0f GFLOP/s", targetGflops) : "-";
            String verdict = targetGflops > 0 ? (gflops >= targetGflops ? "met" : "MISSED") : "info";
            row(name.replace("4096", Integer.toString(n)), sec, String.format("%.0f GFLOP/s", gflops), target, verdict);
        }
    }

    private void esvae(CudaBackend be) {
        int batch = sizes.esvaeBatch();
        Rng rng = new Rng(2026);
        TrainingStepBench.Step step = TrainingStepBench.Step.esvae(be, 3, 128, sizes.esvaeSteps(), rng.fork());
        float[] pixels = TrainingStepBench.images(rng, batch, 3);
        float first = step.run(pixels, batch, rng);
        double sec = time(be, () -> step.run(pixels, batch, rng));
        double ips = batch / sec;
        row("esvae train step N=" + batch + " T=" + sizes.esvaeSteps(), sec,
                String.format("%.0f images/s (first loss %.4f)", ips, first), ">= 10000 images/s",
                ips >= 10_000 ? "met" : "MISSED");
    }
}
