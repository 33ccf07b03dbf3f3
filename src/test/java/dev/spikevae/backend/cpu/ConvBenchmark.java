package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Throughput of the convolution kernels on ESVAE's CIFAR-10 layer shapes (time steps merged into the
 * batch), for tuning by hand (not a test):
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * dev.spikevae.backend.cpu.ConvBenchmark [threads] [batch]}; batch defaults to 16 * 32 (T * N). With one
 * thread it times by the thread's CPU time.
 */
public final class ConvBenchmark {
    private static final ThreadMXBean THREAD_TIME = ManagementFactory.getThreadMXBean();

    private ConvBenchmark() {
    }

    private record Layer(String name, ConvGeometry g) {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16 * 32;
        Parallel parallel = new Parallel(threads);
        Sgemm sgemm = new Sgemm(parallel);
        Conv conv = new Conv(parallel, sgemm);
        Layer[] layers = {
            new Layer("E1 3->32 32->16", ConvGeometry.conv(batch, 3, 32, 32, 32, 3, 2, 1)),
            new Layer("E2 32->64 16->8", ConvGeometry.conv(batch, 32, 16, 16, 64, 3, 2, 1)),
            new Layer("E3 64->128 8->4", ConvGeometry.conv(batch, 64, 8, 8, 128, 3, 2, 1)),
            new Layer("E4 128->256 4->2", ConvGeometry.conv(batch, 128, 4, 4, 256, 3, 2, 1)),
            new Layer("D1 T256->128 2->4", ConvGeometry.transposed(batch, 256, 2, 2, 128, 3, 2, 1, 1)),
            new Layer("D2 T128->64 4->8", ConvGeometry.transposed(batch, 128, 4, 4, 64, 3, 2, 1, 1)),
            new Layer("D3 T64->32 8->16", ConvGeometry.transposed(batch, 64, 8, 8, 32, 3, 2, 1, 1)),
            new Layer("D4 T32->32 16->32", ConvGeometry.transposed(batch, 32, 16, 16, 32, 3, 2, 1, 1)),
            new Layer("D5 T32->3 32->32", ConvGeometry.transposed(batch, 32, 32, 32, 3, 3, 1, 1, 0)),
        };
        System.out.println(sgemm.description() + ", " + threads + " threads, batch " + batch
                + "; GFLOP/s (best, median of 5) per op: forward, backwardData, backwardWeight");
        Random random = new Random(1);
        double totalSeconds = 0;
        for (Layer layer : layers) {
            ConvGeometry g = layer.g();
            float[] x = randomArray(random, g.inputShape().numel());
            float[] w = randomArray(random, g.weightShape().numel());
            float[] y = randomArray(random, g.outputShape().numel());
            float[] bias = randomArray(random, Math.max(g.inChannels(), g.outChannels()));
            double flop = 2.0 * g.macs();
            Runnable[] ops = {
                () -> conv.forward(x, 0, w, 0, bias, 0, y, 0, g),
                () -> conv.backwardData(y, 0, w, 0, null, 0, x, 0, g),
                () -> conv.backwardWeight(x, 0, y, 0, w, 0, 0f, g),
            };
            StringBuilder line = new StringBuilder(String.format("%-20s", layer.name()));
            for (Runnable op : ops) {
                long warmEnd = System.nanoTime() + 700_000_000L;
                while (System.nanoTime() < warmEnd) {
                    op.run();
                }
                double[] seconds = new double[5];
                for (int round = 0; round < seconds.length; round++) {
                    long t0 = clock(threads);
                    op.run();
                    seconds[round] = (clock(threads) - t0) * 1e-9;
                }
                Arrays.sort(seconds);
                totalSeconds += seconds[seconds.length / 2];
                line.append(String.format("  %6.1f %6.1f", flop / seconds[0] * 1e-9, flop / seconds[seconds.length / 2] * 1e-9));
            }
            System.out.println(line);
        }
        System.out.printf("sum of median times: %.1f ms%n", totalSeconds * 1e3);
    }

    /** Wall time, or with one thread its CPU time, steadier on a shared machine. */
    private static long clock(int threads) {
        return threads == 1 ? THREAD_TIME.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static float[] randomArray(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextFloat() - 0.5f;
        }
        return v;
    }
}
