package dev.spikevae.bench;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.backend.cpu.SparseMode;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Engine micro-benchmarks: SGEMM GFLOP/s, fused LIF forward+backward GB/s, and one convolution and one
 * transposed convolution of ESVAE's shapes, each timed after a warm-up; a single-thread memory copy is
 * measured in the same run as the peer that bandwidth figures are read against.
 */
public final class EngineBench {

    /** Sizes and times of one run. */
    public record Config(int[] gemmSizes, int lifSteps, int lifNeurons, int convBatch, double warmupSeconds,
                         int iterations) {
        /** The sizes the issue asks for: n = 512 and 2048, T = 16 over 2M neurons, T*N = 16*32 images. */
        public static Config standard() {
            return new Config(new int[] {512, 2048}, 16, 1 << 21, 16 * 32, 2.0, 10);
        }

        /** Tiny sizes that prove the benchmark runs (for CI). */
        public static Config quick() {
            return new Config(new int[] {64}, 4, 4096, 8, 0.0, 2);
        }
    }

    /** One measured case. */
    public record Result(String name, String unit, double median, double best, double medianMillis, String note) {
    }

    private final Backend backend;
    private final Config config;
    private final PrintStream log;

    public EngineBench(Backend backend, Config config, PrintStream log) {
        this.backend = backend;
        this.config = config;
        this.log = log;
    }

    /** ESVAE's convolution layers at CIFAR-10 shapes (docs/reference.md §1.2) over a batch of T*N images. */
    public static List<Map.Entry<String, ConvGeometry>> esvaeLayers(int batch) {
        return List.of(
                Map.entry("E1 conv 3->32 32->16", ConvGeometry.conv(batch, 3, 32, 32, 32, 3, 2, 1)),
                Map.entry("E2 conv 32->64 16->8", ConvGeometry.conv(batch, 32, 16, 16, 64, 3, 2, 1)),
                Map.entry("E3 conv 64->128 8->4", ConvGeometry.conv(batch, 64, 8, 8, 128, 3, 2, 1)),
                Map.entry("E4 conv 128->256 4->2", ConvGeometry.conv(batch, 128, 4, 4, 256, 3, 2, 1)),
                Map.entry("D1 convT 256->128 2->4", ConvGeometry.transposed(batch, 256, 2, 2, 128, 3, 2, 1, 1)),
                Map.entry("D2 convT 128->64 4->8", ConvGeometry.transposed(batch, 128, 4, 4, 64, 3, 2, 1, 1)),
                Map.entry("D3 convT 64->32 8->16", ConvGeometry.transposed(batch, 64, 8, 8, 32, 3, 2, 1, 1)),
                Map.entry("D4 convT 32->32 16->32", ConvGeometry.transposed(batch, 32, 16, 16, 32, 3, 2, 1, 1)),
                Map.entry("D5 convT 32->3 32->32", ConvGeometry.transposed(batch, 32, 32, 32, 3, 3, 1, 1, 0)));
    }

    /**
     * Forward and both backward passes of every ESVAE convolution layer, and their total time. Each row also gives the
     * median time of each pass and the row's share of an SGEMM of size {@code sgemmN} timed just before and just after
     * the layer (a third of the iterations each side; the median of both): on a shared machine whose speed drifts over
     * minutes, a share against an SGEMM timed minutes earlier can be off by tens of per cent, while the layer's own
     * iterations still run back to back. A second line sets the layer beside a model of it: its activations streamed
     * once a pass ({@link #passBytes}) at the backend's streaming rate ({@code y = 2x + 1} over 64 MB, timed around
     * the layer as the SGEMM is) and its arithmetic at the SGEMM's rate, one after the other; a layer whose
     * activations are large beside its arithmetic (few channels on a large image) cannot reach the SGEMM's rate
     * unless the two overlap.
     *
     * <p>With {@code rounds} above 1 the nine layers are measured that many times in turn, each time as above (its own
     * warm-up, iterations and SGEMM around it), and each layer's row is that of its round with the median share (the
     * lower of the middle two for an even count), followed by every round's share: a slow spell of the machine that
     * lasts a few seconds then costs one round of a layer, not its row. One progress line per layer and round.
     */
    public List<Result> runLayers(int sgemmN, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        List<Map.Entry<String, ConvGeometry>> layers = esvaeLayers(config.convBatch());
        LayerRun[][] runs = new LayerRun[layers.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int l = 0; l < layers.size(); l++) {
                runs[l][round] = layer(layers.get(l).getKey(), layers.get(l).getValue(), sgemmN);
                if (rounds > 1) {
                    log.printf(Locale.ROOT, "  (round %d of %d: %s %.2f ms, %.0f %% of the SGEMM around it)%n",
                            round + 1, rounds, layers.get(l).getKey(), runs[l][round].result().medianMillis(),
                            runs[l][round].share());
                }
            }
        }
        List<Result> out = new ArrayList<>();
        double totalMillis = 0;
        for (int l = 0; l < layers.size(); l++) {
            LayerRun[] byShare = runs[l].clone();
            Arrays.sort(byShare, (a, b) -> Double.compare(a.share(), b.share()));
            LayerRun chosen = byShare[(rounds - 1) / 2];
            StringBuilder all = new StringBuilder();
            for (int round = 0; rounds > 1 && round < rounds; round++) {
                all.append(round == 0 ? "; rounds " : " / ").append(String.format(Locale.ROOT, "%.0f",
                        runs[l][round].share()));
            }
            print(chosen.result());
            log.printf(Locale.ROOT, "  %-52s %s ms; %.0f %% of SGEMM n=%d (%.1f GFLOP/s, timed around it)%s%n", "",
                    chosen.passes(), chosen.share(), sgemmN, chosen.sgemm(), rounds > 1 ? all + " %" : "");
            log.printf(Locale.ROOT, "  %-52s model: activations %.0f MB, %.1f ms at the streaming rate (%.1f GB/s, "
                            + "timed around it) + %.1f ms of arithmetic at the SGEMM's = %.0f %% of SGEMM if they never "
                            + "overlap%n", "", chosen.bytes() / 1e6, chosen.memoryMillis(), chosen.stream(),
                    chosen.arithmeticMillis(), 100 * chosen.arithmeticMillis()
                            / (chosen.arithmeticMillis() + chosen.memoryMillis()));
            totalMillis += chosen.result().medianMillis();
            out.add(chosen.result());
        }
        log.printf(Locale.ROOT, "  %-52s %10.1f ms    (all nine layers, forward + both backward passes)%n",
                "ESVAE conv layers, sum of medians", totalMillis);
        return out;
    }

    /**
     * One measurement of a layer for {@link #runLayers}: its row, its passes' medians as printed, the SGEMM's GFLOP/s
     * timed around it and the layer's share of it in per cent, and the model line's figures.
     */
    private record LayerRun(Result result, String passes, double sgemm, double share, double bytes, double stream,
                            double memoryMillis, double arithmeticMillis) {
    }

    /** A layer timed between two SGEMM and streaming runs, printing nothing ({@link #runLayers}). */
    private LayerRun layer(String name, ConvGeometry g, int sgemmN) {
        String[] names = passNames(name.contains("convT"));
        double[][] passes = new double[names.length][];
        double[] reference;
        double streamSeconds;
        Result r;
        int streamFloats = streamFloats();
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(1);
            Tensor a = backend.fromHost(rng.uniformHost(sgemmN * sgemmN), sgemmN, sgemmN);
            Tensor b = backend.fromHost(rng.uniformHost(sgemmN * sgemmN), sgemmN, sgemmN);
            Tensor c = backend.empty(Shape.of(sgemmN, sgemmN));
            Runnable gemm = () -> backend.matmul(false, false, 1f, a, b, 0f, c);
            Tensor sx = backend.fromHost(rng.uniformHost(streamFloats), streamFloats);
            Tensor sy = backend.empty(Shape.of(streamFloats));
            Runnable stream = () -> backend.affine(sx, 2f, 1f, sy);
            int side = Math.max(3, config.iterations() / 3);
            double[] before = timeTimes(gemm, side);
            double[] streamBefore = timeTimes(stream, side);
            r = measureConv(name, g, name.contains("convT"), passes);
            double[] after = timeTimes(gemm, side);
            double[] streamAfter = timeTimes(stream, side);
            reference = both(before, after);
            streamSeconds = median(both(streamBefore, streamAfter));
        }
        double sgemm = 2.0 * sgemmN * sgemmN * sgemmN / 1e9 / median(reference);
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < passes.length; i++) {
            each.append(i == 0 ? "" : " / ").append(names[i]).append(String.format(Locale.ROOT, " %.1f",
                    1e3 * median(passes[i])));
        }
        // a model beside the measurement: each pass streams its two activations once at the backend's streaming
        // rate and does its arithmetic at the SGEMM's, one after the other
        double stream = 8.0 * streamFloats / streamSeconds / 1e9;
        double bytes = 3 * passBytes(g);
        double memoryMillis = bytes / stream / 1e6;
        double arithmeticMillis = 3 * 2.0 * g.macs() / sgemm / 1e6;
        return new LayerRun(r, each.toString(), sgemm, 100 * r.median() / sgemm, bytes, stream, memoryMillis,
                arithmeticMillis);
    }

    /**
     * Dense against spike-sparse time of the passes that read spikes (a convolution's forward and weight gradient,
     * a transposed convolution's forward and weight gradient) for every ESVAE layer with a spike input, at the
     * density measured for it ({@code measured}: by layer order, encoder.1.. then the decoder; NaN for none) and
     * at 1, 10 and 50 %; then the same for the linear layer that reads the encoder's spikes ({@code x w^T} and its
     * weight gradient {@code dy^T x}, 1024 -> 128 and 1024 -> 32 over T*N rows: the CIFAR-10 and the (Fashion-)MNIST
     * latent sizes) at {@code linearMeasured} (NaN for none).
     * Both paths run in the same process, one after the other for each row.
     */
    public void runSparse(double[] measured, double linearMeasured) {
        if (!(backend instanceof CpuBackend cpu)) {
            throw new IllegalArgumentException("--sparse: the spike-sparse convolutions are the cpu backend's; run with "
                    + "--device cpu");
        }
        log.printf(Locale.ROOT, "  %-26s %-12s %8s %10s %10s %8s%n", "layer (spike input)", "pass", "density", "dense ms",
                "sparse ms", "speed-up");
        List<Map.Entry<String, ConvGeometry>> layers = esvaeLayers(config.convBatch());
        int row = 0;
        for (Map.Entry<String, ConvGeometry> e : layers.subList(1, layers.size())) {
            double own = row < measured.length ? measured[row] : Double.NaN;
            row++;
            ConvGeometry g = e.getValue();
            boolean transposed = e.getKey().contains("convT");
            for (double d : new double[] {own, 0.01, 0.10, 0.50}) {
                if (Double.isNaN(d)) {
                    continue;
                }
                for (String pass : new String[] {"forward", "weight grad"}) {
                    double dense = sparseCase(cpu, g, transposed, pass, d, SparseMode.DENSE);
                    double sparse = sparseCase(cpu, g, transposed, pass, d, SparseMode.SPARSE);
                    log.printf(Locale.ROOT, "  %-26s %-12s %7.2f%% %10.2f %10.2f %7.2fx%s%n", e.getKey(), pass, 100 * d,
                            dense * 1e3, sparse * 1e3, dense / sparse, d == own ? "  (measured density)" : "");
                }
            }
        }
        for (int latent : new int[] {128, 32}) {
            String linear = "linear 1024->" + latent;
            for (double d : new double[] {linearMeasured, 0.01, 0.10, 0.50}) {
                if (Double.isNaN(d)) {
                    continue;
                }
                for (String pass : new String[] {"forward", "weight grad"}) {
                    double dense = linearCase(cpu, config.convBatch(), 1024, latent, pass, d, SparseMode.DENSE);
                    double sparse = linearCase(cpu, config.convBatch(), 1024, latent, pass, d, SparseMode.SPARSE);
                    log.printf(Locale.ROOT, "  %-26s %-12s %7.2f%% %10.2f %10.2f %7.2fx%s%n", linear, pass, 100 * d,
                            dense * 1e3, sparse * 1e3, dense / sparse, d == linearMeasured ? "  (measured density)" : "");
                }
            }
        }
        cpu.setSparseMode(SparseMode.AUTO);
    }

    /** Median seconds of a linear layer's pass ({@code x w^T} or {@code dy^T x}) on spikes of density d in a mode. */
    private double linearCase(CpuBackend cpu, int rows, int in, int out, String pass, double d, SparseMode mode) {
        cpu.setSparseMode(mode);
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(5);
            float[] v = rng.uniformHost(rows * in);
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] < d ? 1f : 0f;
            }
            Tensor f = backend.fromHost(v, rows, in);
            Tensor x = backend.empty(Shape.of(rows, in), dev.spikevae.tensor.DType.U8);
            backend.cast(f, x);
            f.release();
            Tensor w = backend.fromHost(rng.uniformHost(out * in), out, in);
            Tensor y = backend.fromHost(rng.uniformHost(rows * out), rows, out);
            Tensor dw = backend.empty(Shape.of(out, in));
            Runnable body = pass.equals("forward") ? () -> backend.matmul(false, true, 1f, x, w, 0f, y)
                    : () -> backend.matmul(true, false, 1f, y, x, 0f, dw);
            return median(time(body, config.warmupSeconds() / 4));
        }
    }

    /**
     * The Vector API SGEMM's two register blocks (8 and 6 rows) in one process: SGEMM at the largest n and every ESVAE
     * layer's passes, on two CPU backends of {@code threads} threads that differ only in the block, their
     * iterations alternated so that both see the same machine. Prints the medians and the speed-up of 6 rows over 8.
     */
    public void runRegisterBlocks(int threads) {
        CpuBackend eight = new CpuBackend(threads, false, 8);
        CpuBackend six = new CpuBackend(threads, false, 6);
        int columns = 2 * dev.spikevae.backend.cpu.VectorSupport.floatLanes();
        log.printf(Locale.ROOT, "SGEMM register blocks 8 x %d and 6 x %d in one process, %d threads, iterations "
                + "alternated:%n", columns, columns, threads);
        log.printf(Locale.ROOT, "  %-40s %12s %12s %10s%n", "case", "8 rows, ms", "6 rows, ms", "speed-up");
        int n = config.gemmSizes()[config.gemmSizes().length - 1];
        double sum8 = 0;
        double sum6 = 0;
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(1);
            float[] a = rng.uniformHost(n * n);
            float[] b = rng.uniformHost(n * n);
            Tensor[] ops8 = {eight.fromHost(a, n, n), eight.fromHost(b, n, n), eight.empty(Shape.of(n, n))};
            Tensor[] ops6 = {six.fromHost(a, n, n), six.fromHost(b, n, n), six.empty(Shape.of(n, n))};
            double[][] t = alternate(() -> eight.matmul(false, false, 1f, ops8[0], ops8[1], 0f, ops8[2]),
                    () -> six.matmul(false, false, 1f, ops6[0], ops6[1], 0f, ops6[2]));
            printBlocks("sgemm n=" + n, t);
        }
        for (Map.Entry<String, ConvGeometry> e : esvaeLayers(config.convBatch())) {
            try (MemoryScope scope = MemoryScope.open()) {
                boolean transposed = e.getKey().contains("convT");
                double[][] t = alternate(all(layerPasses(eight, e.getValue(), transposed)),
                        all(layerPasses(six, e.getValue(), transposed)));
                printBlocks(e.getKey() + " fwd+bwd", t);
                sum8 += median(t[0]);
                sum6 += median(t[1]);
            }
        }
        log.printf(Locale.ROOT, "  %-40s %12.1f %12.1f %9.2fx%n", "sum of the nine layers", sum8 * 1e3, sum6 * 1e3,
                sum8 / sum6);
    }

    /**
     * The direct convolutions against the implicit GEMM on {@code cpu}: every ESVAE layer's passes, each timed
     * with the direct kernels on and off, iterations alternated so that both see the same machine. Prints the medians
     * and the speed-up of direct over GEMM; a pass the direct kernels do not take shows about 1.00x.
     */
    public void runDirect(CpuBackend cpu) {
        log.printf(Locale.ROOT, "Direct convolutions against the implicit GEMM in one process, %d threads, iterations "
                + "alternated:%n", cpu.threads());
        log.printf(Locale.ROOT, "  %-40s %12s %12s %10s%n", "layer, pass", "GEMM, ms", "direct, ms", "speed-up");
        double gemm = 0;
        double direct = 0;
        try {
            for (Map.Entry<String, ConvGeometry> e : esvaeLayers(config.convBatch())) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Runnable[] passes = layerPasses(cpu, e.getValue(), e.getKey().contains("convT"));
                    String[] names = passNames(e.getKey().contains("convT"));
                    for (int i = 0; i < passes.length; i++) {
                        Runnable pass = passes[i];
                        double[][] t = alternate(() -> {
                            cpu.setDirectConvolutions(false);
                            pass.run();
                        }, () -> {
                            cpu.setDirectConvolutions(true);
                            pass.run();
                        });
                        printBlocks(e.getKey() + ", " + names[i], t);
                        gemm += median(t[0]);
                        direct += median(t[1]);
                    }
                }
            }
        } finally {
            cpu.setDirectConvolutions(true);
        }
        log.printf(Locale.ROOT, "  %-40s %12.1f %12.1f %9.2fx%n", "sum of the nine layers", gemm * 1e3, direct * 1e3,
                gemm / direct);
    }

    private void printBlocks(String name, double[][] t) {
        log.printf(Locale.ROOT, "  %-40s %12.2f %12.2f %9.2fx%n", name, median(t[0]) * 1e3, median(t[1]) * 1e3,
                median(t[0]) / median(t[1]));
    }

    /** Warms both up, then times them in turn, iteration by iteration; sorted seconds of each. */
    private double[][] alternate(Runnable first, Runnable second) {
        time(first, config.warmupSeconds() / 2);
        time(second, config.warmupSeconds() / 2);
        int iterations = Math.max(1, config.iterations());
        double[][] t = new double[2][iterations];
        Runnable[] bodies = {first, second};
        for (int i = 0; i < iterations; i++) {
            for (int j = 0; j < 2; j++) {
                long t0 = System.nanoTime();
                bodies[j].run();
                t[j][i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        return t;
    }

    /**
     * A layer's passes on random operands of {@code on} (made inside the caller's scope), as training runs them
     * ({@link #passNames}): a convolution's forward, then both its gradients in one op ({@code convBackward}, as the
     * autograd calls it when its input needs a gradient); a transposed convolution's forward, input gradient and
     * weight gradient, the same three kernels in another order.
     */
    private static Runnable[] layerPasses(Backend on, ConvGeometry g, boolean transposed) {
        Rng rng = new Rng(3);
        Tensor x = on.fromHost(rng.uniformHost(g.inputShape().numel()), g.inputShape().dims());
        Tensor w = on.fromHost(rng.uniformHost(g.weightShape().numel()), g.weightShape().dims());
        Tensor y = on.fromHost(rng.uniformHost(g.outputShape().numel()), g.outputShape().dims());
        Tensor dx = on.empty(g.inputShape());
        Tensor dy = on.empty(g.outputShape());
        Tensor dw = on.empty(g.weightShape());
        Runnable forward = () -> on.convForward(x, w, null, dy, g);
        Runnable backwardData = () -> on.convBackwardData(y, w, null, dx, g);
        Runnable weight = () -> on.convBackwardWeight(x, y, dw, 0f, g);
        Runnable both = () -> on.convBackward(x, y, w, dx, dw, g);
        return transposed ? new Runnable[] {backwardData, forward, weight} : new Runnable[] {forward, both};
    }

    /** The names of {@link #layerPasses}. */
    private static String[] passNames(boolean transposed) {
        return transposed ? new String[] {"forward", "input grad", "weight grad"}
                : new String[] {"forward", "input + weight grad"};
    }

    /** The passes one after the other. */
    private static Runnable all(Runnable[] passes) {
        return () -> {
            for (Runnable p : passes) {
                p.run();
            }
        };
    }

    /** Median seconds of one pass on spikes of density d in the given mode. */
    private double sparseCase(CpuBackend cpu, ConvGeometry g, boolean transposed, String pass, double d, SparseMode mode) {
        cpu.setSparseMode(mode);
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(4);
            Shape spikeShape = transposed ? g.outputShape() : g.inputShape();
            Shape floatShape = transposed ? g.inputShape() : g.outputShape();
            float[] v = rng.uniformHost(spikeShape.numel());
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] < d ? 1f : 0f;
            }
            Tensor f = backend.fromHost(v, spikeShape.dims());
            Tensor spikes = backend.empty(spikeShape, dev.spikevae.tensor.DType.U8);
            backend.cast(f, spikes);
            f.release();
            Tensor other = backend.fromHost(rng.uniformHost(floatShape.numel()), floatShape.dims());
            Tensor w = backend.fromHost(rng.uniformHost(g.weightShape().numel()), g.weightShape().dims());
            Tensor dw = backend.empty(g.weightShape());
            Runnable body;
            if (pass.equals("forward")) {
                body = transposed ? () -> backend.convBackwardData(spikes, w, null, other, g)
                        : () -> backend.convForward(spikes, w, null, other, g);
            } else {
                body = transposed ? () -> backend.convBackwardWeight(other, spikes, dw, 0f, g)
                        : () -> backend.convBackwardWeight(spikes, other, dw, 0f, g);
            }
            return median(time(body, config.warmupSeconds() / 4));
        }
    }

    public List<Result> runAll() {
        List<Result> out = new ArrayList<>();
        out.add(memoryCopy());
        for (int n : config.gemmSizes()) {
            out.add(sgemm(n));
        }
        out.add(lif());
        out.add(conv("conv2d encoder.1 32->64 16x16 s2", ConvGeometry.conv(config.convBatch(), 32, 16, 16, 64, 3, 2, 1),
                false, null));
        out.add(conv("convT2d decoder.2 64->32 8x8 s2 op1",
                ConvGeometry.transposed(config.convBatch(), 64, 8, 8, 32, 3, 2, 1, 1), true, null));
        return out;
    }

    /** Times {@code body} after warming up; returns per-iteration seconds, sorted. */
    private double[] time(Runnable body) {
        return time(body, config.warmupSeconds());
    }

    private double[] time(Runnable body, double warmupSeconds) {
        return time(body, warmupSeconds, new int[1]);
    }

    /** Floats of the streaming case of {@link #runLayers} (as the memory copy's: 64 MB read and 64 MB written a run). */
    private int streamFloats() {
        return Math.max(1 << 16, config.lifSteps() * config.lifNeurons() / 2);
    }

    /**
     * Bytes one pass of g reads and writes at the least: its two activations (input and output, f32), each once; the
     * weights are small beside them. The same for all three passes: each reads one activation (and dy or x) and
     * writes the other, or reads both.
     */
    static double passBytes(ConvGeometry g) {
        return 4.0 * ((double) g.inputShape().numel() + g.outputShape().numel());
    }

    /** Two sorted samples merged and sorted. */
    private static double[] both(double[] a, double[] b) {
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        return all;
    }

    /** {@code n} runs of {@code body} after one untimed run, in seconds, sorted. */
    private static double[] timeTimes(Runnable body, int n) {
        body.run();
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            body.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return s;
    }

    /** As {@link #time(Runnable, double)}, with {@code iteration[0]} the timed iteration running (-1 in warm-up). */
    private double[] time(Runnable body, double warmupSeconds, int[] iteration) {
        iteration[0] = -1;
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        body.run();
        while (System.nanoTime() < warmEnd) {
            body.run();
        }
        double[] s = new double[Math.max(1, config.iterations())];
        for (int i = 0; i < s.length; i++) {
            iteration[0] = i;
            long t0 = System.nanoTime();
            body.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        iteration[0] = -1;
        Arrays.sort(s);
        return s;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private Result rate(String name, String unit, double work, double[] seconds, String note) {
        return print(result(name, unit, work, seconds, note));
    }

    /** A case's figures from its sorted seconds, not printed. */
    private static Result result(String name, String unit, double work, double[] seconds, String note) {
        double med = median(seconds);
        return new Result(name, unit, work / med, work / seconds[0], med * 1e3, note);
    }

    /** Prints a case's row; returns it. */
    private Result print(Result r) {
        log.printf(Locale.ROOT, "  %-52s %10.1f %-7s (best %.1f, %.2f ms)%s%n", r.name(), r.median(), r.unit(),
                r.best(), r.medianMillis(), r.note().isEmpty() ? "" : "  " + r.note());
        return r;
    }

    /** The peer for bandwidth figures: one thread copying a large array (bytes read + written). */
    private Result memoryCopy() {
        int n = streamFloats();
        float[] a = new float[n];
        float[] b = new float[n];
        Arrays.fill(a, 1f);
        double[] s = time(() -> System.arraycopy(a, 0, b, 0, n));
        return rate("memory copy, 1 thread (peer)", "GB/s", 8.0 * n / 1e9, s, "");
    }

    private Result sgemm(int n) {
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(1);
            Tensor a = backend.fromHost(rng.uniformHost(n * n), n, n);
            Tensor b = backend.fromHost(rng.uniformHost(n * n), n, n);
            Tensor c = backend.empty(Shape.of(n, n));
            double[] s = time(() -> backend.matmul(false, false, 1f, a, b, 0f, c));
            return rate("sgemm n=" + n, "GFLOP/s", 2.0 * n * n * n / 1e9, s, "");
        }
    }

    private Result lif() {
        int steps = config.lifSteps();
        int m = config.lifNeurons();
        try (MemoryScope scope = MemoryScope.open()) {
            Rng rng = new Rng(2);
            float[] host = rng.uniformHost(steps * m);
            for (int i = 0; i < host.length; i++) {
                host[i] = host[i] * 0.6f - 0.1f;
            }
            Tensor x = backend.fromHost(host, steps, m);
            Tensor spikes = backend.empty(x.shape());
            Tensor u = backend.empty(x.shape());
            Tensor dx = backend.empty(x.shape());
            Tensor ds = backend.fromHost(rng.uniformHost(steps * m), steps, m);
            double[] s = time(() -> {
                backend.lifForward(x, spikes, u, LifParams.REFERENCE);
                backend.lifBackward(ds, u, dx, LifParams.REFERENCE);
            });
            // forward reads x, writes spikes and u; backward reads dS and u, writes dx
            return rate("lif fwd+bwd T=" + steps + " M=" + m, "GB/s", 24.0 * steps * m / 1e9, s, "");
        }
    }

    /**
     * The passes of a layer ({@link #layerPasses}), timed together; with {@code passes} (a slot each) also each pass on
     * its own within the same iterations, sorted seconds.
     */
    private Result conv(String name, ConvGeometry g, boolean transposed, double[][] passes) {
        return print(measureConv(name, g, transposed, passes));
    }

    /** {@link #conv}, printing nothing. */
    private Result measureConv(String name, ConvGeometry g, boolean transposed, double[][] passes) {
        try (MemoryScope scope = MemoryScope.open()) {
            Runnable[] pass = layerPasses(backend, g, transposed);
            int iterations = Math.max(1, config.iterations());
            if (passes != null) {
                for (int i = 0; i < pass.length; i++) {
                    passes[i] = new double[iterations];
                }
            }
            int[] iteration = {-1};
            double[] s = time(() -> {
                for (int i = 0; i < pass.length; i++) {
                    long t0 = System.nanoTime();
                    pass[i].run();
                    if (passes != null && iteration[0] >= 0) {
                        passes[i][iteration[0]] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }, config.warmupSeconds(), iteration);
            if (passes != null) {
                for (double[] p : passes) {
                    Arrays.sort(p);
                }
            }
            double flops = 3 * 2.0 * g.macs();
            double imagesPerSecond = g.batch() / median(s);
            return result(name + " fwd+bwd B=" + g.batch(), "GFLOP/s", flops / 1e9, s,
                    String.format(Locale.ROOT, "%.0f images/s", imagesPerSecond));
        }
    }
}
