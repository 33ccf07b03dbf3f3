package dev.spikevae.backend.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Throughput of square SGEMM, for tuning by hand (not a test):
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * dev.spikevae.backend.cpu.SgemmBenchmark [threads] [n...]}. Warms up for about two seconds per size,
 * then prints GFLOP/s = 2 n^3 / t for several timed rounds (best and median).
 */
public final class SgemmBenchmark {
    private static final ThreadMXBean THREAD_TIME = ManagementFactory.getThreadMXBean();

    private SgemmBenchmark() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] sizes = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {512, 2048};
        Parallel parallel = new Parallel(threads);
        Sgemm sgemm = new Sgemm(parallel);
        System.out.println(sgemm.description() + ", " + threads + " threads");
        Random random = new Random(1);
        for (int n : sizes) {
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            float[] c = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextFloat() - 0.5f;
                b[i] = random.nextFloat() - 0.5f;
            }
            double flop = 2.0 * n * n * n;
            long warmEnd = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                sgemm.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            }
            int reps = (int) Math.max(3, Math.min(200, 2e10 / flop));
            double[] rates = new double[7];
            double[] cpuRates = new double[rates.length];
            for (int round = 0; round < rates.length; round++) {
                long t0 = System.nanoTime();
                long cpu0 = THREAD_TIME.getCurrentThreadCpuTime();
                for (int r = 0; r < reps; r++) {
                    sgemm.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                }
                rates[round] = flop * reps / (System.nanoTime() - t0);
                cpuRates[round] = flop * reps / (THREAD_TIME.getCurrentThreadCpuTime() - cpu0);
            }
            if (threads == 1) {
                // On a shared machine the CPU time of the one working thread is a steadier yardstick than wall time.
                double[] sortedCpu = cpuRates.clone();
                Arrays.sort(sortedCpu);
                System.out.printf("n=%d  per CPU second: best %.1f  median %.1f GFLOP/s%n", n,
                        sortedCpu[sortedCpu.length - 1], sortedCpu[sortedCpu.length / 2]);
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            System.out.printf("n=%d  best %.1f  median %.1f GFLOP/s  rounds %s%n", n, sorted[sorted.length - 1],
                    sorted[sorted.length / 2], Arrays.toString(Arrays.stream(rates).map(x -> Math.round(x)).toArray()));
        }
    }
}
