package dev.spikevae.cli;

import dev.spikevae.bench.DensityBench;
import dev.spikevae.bench.EngineBench;
import dev.spikevae.bench.TrainingStepBench;
import dev.spikevae.bench.GpuBench;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** Engine benchmarks; see docs/benchmarks.md for recorded figures and how they were produced. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the engine: SGEMM GFLOP/s (n = 512, 2048), fused LIF forward+backward GB/s "
                + "(T = 16, 2M neurons), and an ESVAE convolution and transposed convolution, after warm-up. "
                + "On cuda: device copy bandwidth, LIF GB/s against it, SGEMM at 4096^3 (own FP32 and TF32 kernels) "
                + "and ESVAE training images/s at batch 256, with a table of the targets (exit code 3 if one is missed).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--device", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})", defaultValue = "cpu")
    String device;

    @Option(names = "--quick", description = "Tiny sizes, no warm-up: proves the benchmarks run (used by the tests).")
    boolean quick;

    @Option(names = "--layers", description = "Also time every ESVAE convolution layer (CIFAR-10 shapes, B = T*N = 512), "
            + "each against an SGEMM of the largest size timed just before and after it, with a model line: its "
            + "activations streamed once a pass at the backend's streaming rate plus its arithmetic at the SGEMM's.")
    boolean layers;

    @Option(names = "--rounds", description = "With --layers: measure the nine layers this many times in turn, each "
            + "round against its own SGEMM, and give each layer the round with its median share, then every round's "
            + "share, so that a few slow seconds of a shared machine cost a round, not the row (default 1).")
    Integer rounds;

    @Option(names = "--esvae", paramLabel = "C,L,BATCH",
            description = "Instead of the engine cases: time the ESVAE training step for C input channels, latent L and "
                    + "this batch on 32×32 images (e.g. 3,128,32 = CIFAR-10 shapes; 1,32,32 = MNIST shapes).")
    String esvae;

    @Option(names = "--spec-step", paramLabel = "SPEC,C,BATCH",
            description = "Instead of the engine cases: time the training step of a built-in spec's model (any type, "
                    + "e.g. fsvae/fashion-mnist,1,32) for C input channels and this batch on 32×32 images.")
    String specStep;

    @Option(names = "--densities", description = "Instead of the engine cases: train a few steps of --spec's model (on "
            + "its images, or the embedded digits when they are not here) and print the density of the operand every "
            + "convolution and linear layer reads, spikes marked (cpu only).")
    boolean densities;

    @Option(names = "--register-blocks", description = "Instead of the engine cases: the Vector API SGEMM's two register "
            + "blocks (8 and 6 rows) in one process, alternated, on SGEMM and every ESVAE layer (cpu only).")
    boolean registerBlocks;

    @Option(names = "--direct", description = "Instead of the engine cases: the direct convolutions against the "
            + "implicit GEMM, in one process, alternated, pass by pass on every ESVAE layer (cpu only).")
    boolean direct;

    @Option(names = "--sparse", description = "Also time dense against spike-sparse convolutions for every ESVAE layer "
            + "with a spike input, at the densities measured as --densities measures them and at 1, 10 and 50%% (cpu only).")
    boolean sparse;

    @Option(names = "--spec", description = "Built-in spec for --densities / --sparse (default: ${DEFAULT-VALUE}).",
            defaultValue = "fashion-mnist")
    String spec;

    @Option(names = "--steps", description = "Training steps for --densities / --sparse, the first one not counted "
            + "(default 6; 2 with --quick).")
    Integer steps;

    @Option(names = "--batch", description = "Batch for --densities / --sparse (default 32; 4 with --quick).")
    Integer batch;

    @Option(names = "--warmup", description = "Warm-up seconds per case (default 2; 0 with --quick).")
    Double warmup;

    @Option(names = "--iterations", description = "Timed iterations per case (default 10).")
    Integer iterations;

    @Override
    public Integer call() {
        Checks.atLeast("--warmup", warmup, 0.0);
        Checks.atLeast("--iterations", iterations, 1);
        Checks.atLeast("--rounds", rounds, 1);
        if (rounds != null && !layers) {
            throw new IllegalArgumentException("--rounds applies to --layers; add --layers or leave --rounds out");
        }
        Backend backend = Backends.select(device, Main.backendOptions());
        if (Backends.lastAutoNote() != null) {
            System.out.println(Backends.lastAutoNote());
        }
        if (esvae != null) {
            return esvaeStep(backend);
        }
        if (specStep != null) {
            return specStep(backend);
        }
        if (densities) {
            return densities(backend);
        }
        if (backend.kind().equals("cuda")) {
            // GPU work is asynchronous: the GPU suite times after a device synchronise
            return new GpuBench(quick ? GpuBench.Sizes.quick() : GpuBench.Sizes.standard(), System.out,
                    Main.backendOptions().vendorLibraries()).runAll() ? 0 : 3;
        }
        EngineBench.Config c = quick ? EngineBench.Config.quick() : EngineBench.Config.standard();
        if (warmup != null || iterations != null) {
            c = new EngineBench.Config(c.gemmSizes(), c.lifSteps(), c.lifNeurons(), c.convBatch(),
                    warmup != null ? warmup : c.warmupSeconds(), iterations != null ? iterations : c.iterations());
        }
        System.out.println("spikevae bench on " + backend.description() + ", java " + System.getProperty("java.version"));
        System.out.println("  (median over " + c.iterations() + " iterations after " + c.warmupSeconds()
                + " s warm-up; best in brackets)");
        EngineBench bench = new EngineBench(backend, c, System.out);
        if (registerBlocks) {
            if (!(backend instanceof dev.spikevae.backend.cpu.CpuBackend cpu) || !cpu.vectorKernels()) {
                throw new IllegalArgumentException("--register-blocks compares the cpu backend's Vector API SGEMM kernels; "
                        + "run with --device cpu and the jdk.incubator.vector module");
            }
            bench.runRegisterBlocks(cpu.threads());
            return 0;
        }
        if (direct) {
            if (!(backend instanceof dev.spikevae.backend.cpu.CpuBackend cpu) || !cpu.setDirectConvolutions(true)) {
                throw new IllegalArgumentException("--direct compares the cpu backend's direct convolutions (Vector API) "
                        + "with its implicit GEMM; run with --device cpu and the jdk.incubator.vector module");
            }
            bench.runDirect(cpu);
            return 0;
        }
        bench.runAll();
        if (layers) {
            // each row's share of an SGEMM at the largest n (n = 2048 in the standard sizes) timed around it
            int[] sizes = c.gemmSizes();
            bench.runLayers(sizes[sizes.length - 1], rounds != null ? rounds : 1);
        }
        if (sparse) {
            List<DensityBench.Layer> measured = measure(backend);
            System.out.println("dense against spike-sparse convolutions and linear layer (CIFAR-10 layer shapes, B = T*N = "
                    + c.convBatch() + ", spikes drawn at the density given):");
            bench.runSparse(DensityBench.forwardSpikeDensities(measured), DensityBench.linearSpikeDensity(measured));
        }
        return 0;
    }

    private int densities(Backend backend) {
        measure(backend);
        return 0;
    }

    private List<DensityBench.Layer> measure(Backend backend) {
        Checks.atLeast("--steps", steps, 2);
        Checks.atLeast("--batch", batch, 1);
        int n = steps != null ? steps : quick ? 2 : 6;
        int b = batch != null ? batch : quick ? 4 : 32;
        System.out.printf("spikevae bench --densities: %s, batch %d, %d steps (the first not counted) on %s%n", spec, b, n,
                backend.description());
        List<DensityBench.Layer> layers = DensityBench.run(backend, spec, b, n, System.out);
        DensityBench.print(layers, System.out);
        return layers;
    }


    private int specStep(Backend backend) {
        String[] f = specStep.split(",");
        if (f.length != 3) {
            throw new IllegalArgumentException("--spec-step: expected SPEC,C,BATCH (e.g. fsvae/fashion-mnist,1,32), got '"
                    + specStep + "'");
        }
        int[] v = new int[2];
        for (int i = 0; i < 2; i++) {
            try {
                v[i] = Integer.parseInt(f[i + 1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--spec-step: '" + f[i + 1] + "' is not an integer");
            }
        }
        String spec = f[0].trim();
        int warm = quick ? 0 : (warmup != null ? (int) Math.round(warmup) : 2);
        int iters = quick ? 1 : (iterations != null ? iterations : 5);
        System.out.printf("spikevae bench --spec-step: %s C=%d batch=%d 32x32 on %s, java %s (%d warm-up steps, median of %d)%n",
                spec, v[0], v[1], backend.description(), System.getProperty("java.version"), warm, iters);
        TrainingStepBench.Result r = TrainingStepBench.run(backend,
                new TrainingStepBench.Config(spec, java.util.List.of(), v[0], v[1], warm, iters), quick ? null : System.out);
        System.out.printf(java.util.Locale.ROOT, "%s C=%d B=%d step_s=%.4f best_s=%.4f img_per_s=%.1f%n", spec, v[0], v[1],
                r.medianSeconds(), r.bestSeconds(), r.imagesPerSecond());
        return 0;
    }

    private int esvaeStep(Backend backend) {
        String[] f = esvae.split(",");
        if (f.length != 3) {
            throw new IllegalArgumentException("--esvae: expected C,L,BATCH (e.g. 3,128,32), got '" + esvae + "'");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(f[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--esvae: '" + f[i] + "' is not an integer");
            }
        }
        int warm = quick ? 0 : (warmup != null ? (int) Math.round(warmup) : 2);
        int iters = quick ? 1 : (iterations != null ? iterations : 5);
        System.out.printf("spikevae bench --esvae: C=%d L=%d batch=%d T=16 32x32 on %s, java %s (%d warm-up steps, median of %d)%n",
                v[0], v[1], v[2], backend.description(), System.getProperty("java.version"), warm, iters);
        TrainingStepBench.Result r = TrainingStepBench.run(backend, TrainingStepBench.Config.esvae(v[0], v[1], v[2], warm, iters),
                quick ? null : System.out);
        System.out.printf(java.util.Locale.ROOT, "C=%d L=%d B=%d step_s=%.4f best_s=%.4f img_per_s=%.1f%n", v[0], v[1], v[2],
                r.medianSeconds(), r.bestSeconds(), r.imagesPerSecond());
        String peak = PeakMemory.describe();
        if (peak != null) {
            System.out.println("peak resident memory (VmHWM) " + peak);
        }
        return 0;
    }
}
