package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Device} that times every call of the device it wraps: each kernel launch, copy, fill, allocation and
 * cuDNN / cuBLAS call is followed by a synchronise, and the wall time from the call to the end of that synchronise is
 * added to the call's entry (a kernel's by name and launch shape, so that the layers' launches of one kernel stay
 * apart; with the shortest and longest call, as a first call can carry a library's lazy loading); the time between
 * one call's end and the next call is the host's. Turned on by {@code -Dspikevae.cuda.profile=true} for every CUDA
 * backend of the process; the table ({@link #report}) is printed to standard error at exit. A debugging mode: the
 * synchronisations serialise the host and the GPU, so the step is slower than without it, but the shares show where
 * the time goes.
 */
final class ProfilingDevice implements Device {
    static final String PROPERTY = "spikevae.cuda.profile";
    private static final List<ProfilingDevice> PROFILED = new ArrayList<>();

    private final Device inner;
    private final Map<String, long[]> entries = new LinkedHashMap<>();
    private long lastEnd = -1;

    ProfilingDevice(Device inner) {
        this.inner = inner;
    }

    /** {@code device} profiled where {@link #PROPERTY} asks for it (the report then printed at exit), else itself. */
    static Device wrapIfRequested(Device device) {
        if (!Boolean.getBoolean(PROPERTY) || device instanceof ProfilingDevice) {
            return device;
        }
        ProfilingDevice p = new ProfilingDevice(device);
        synchronized (PROFILED) {
            if (PROFILED.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    synchronized (PROFILED) {
                        for (ProfilingDevice d : PROFILED) {
                            System.err.print(d.report());
                        }
                    }
                }, "spikevae-cuda-profile"));
            }
            PROFILED.add(p);
        }
        return p;
    }

    private synchronized void timed(String key, Runnable call) {
        long t0 = System.nanoTime();
        if (lastEnd >= 0) {
            add("(host: between device calls)", t0 - lastEnd);
        }
        call.run();
        inner.synchronize();
        long t1 = System.nanoTime();
        add(key, t1 - t0);
        lastEnd = t1;
    }

    /** One call of {@code nanos} added to its entry. */
    private void add(String key, long nanos) {
        merge(entries, key, new long[] {1, nanos, nanos, nanos});
    }

    /** An entry (calls, total, shortest and longest call, in nanoseconds) added into {@code m}'s for {@code key}. */
    private static void merge(Map<String, long[]> m, String key, long[] v) {
        long[] e = m.computeIfAbsent(key, k -> new long[] {0, 0, Long.MAX_VALUE, 0});
        e[0] += v[0];
        e[1] += v[1];
        e[2] = Math.min(e[2], v[2]);
        e[3] = Math.max(e[3], v[3]);
    }

    /** Calls, total, shortest and longest nanoseconds by entry (a copy). */
    synchronized Map<String, long[]> timings() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** The table: every entry's calls, total and mean time and share, longest first; then the same by kernel name. */
    synchronized String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("spikevae cuda profile (-D").append(PROPERTY).append("=true), ").append(inner.description())
                .append('\n');
        table(sb, "by call and launch shape", entries, 40);
        Map<String, long[]> byName = new LinkedHashMap<>();
        entries.forEach((k, v) -> merge(byName, k.split(" grid=")[0], v));
        table(sb, "by call", byName, 40);
        return sb.toString();
    }

    private static void table(StringBuilder sb, String title, Map<String, long[]> m, int rows) {
        long total = m.values().stream().mapToLong(v -> v[1]).sum();
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(m.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed());
        sb.append(String.format(Locale.ROOT, "  %s: %.1f ms in all%n", title, total / 1e6));
        sb.append(String.format(Locale.ROOT, "  %8s %10s %9s %9s %9s %6s  %s%n", "calls", "total ms", "mean us",
                "min us", "max us", "share", "call"));
        for (int i = 0; i < Math.min(rows, sorted.size()); i++) {
            long[] v = sorted.get(i).getValue();
            sb.append(String.format(Locale.ROOT, "  %8d %10.2f %9.1f %9.1f %9.1f %5.1f%%  %s%n", v[0], v[1] / 1e6,
                    v[1] / 1e3 / v[0], v[2] / 1e3, v[3] / 1e3, 100.0 * v[1] / Math.max(1, total),
                    sorted.get(i).getKey()));
        }
        if (sorted.size() > rows) {
            sb.append("  (").append(sorted.size() - rows).append(" more)\n");
        }
    }

    @Override
    public Map<String, PtxEntry> entries() {
        return inner.entries();
    }

    @Override
    public Kernel kernel(String name) {
        return inner.kernel(name);
    }

    @Override
    public long allocate(long bytes) {
        long[] address = new long[1];
        timed("allocate", () -> address[0] = inner.allocate(bytes));
        return address[0];
    }

    @Override
    public void free(long address) {
        timed("free", () -> inner.free(address));
    }

    @Override
    public void copyToDevice(float[] src, int srcOffset, long dst, int count) {
        timed("copy host to device", () -> inner.copyToDevice(src, srcOffset, dst, count));
    }

    @Override
    public void copyToDevice(byte[] src, int srcOffset, long dst, int count) {
        timed("copy host to device", () -> inner.copyToDevice(src, srcOffset, dst, count));
    }

    @Override
    public void copyToHost(long src, float[] dst, int dstOffset, int count) {
        timed("copy device to host", () -> inner.copyToHost(src, dst, dstOffset, count));
    }

    @Override
    public void copyToHost(long src, byte[] dst, int dstOffset, int count) {
        timed("copy device to host", () -> inner.copyToHost(src, dst, dstOffset, count));
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        timed("copy on device", () -> inner.copyOnDevice(src, dst, bytes));
    }

    @Override
    public void fill32(long dst, int value, long count) {
        timed("fill32", () -> inner.fill32(dst, value, count));
    }

    @Override
    public void fill8(long dst, byte value, long count) {
        timed("fill8", () -> inner.fill8(dst, value, count));
    }

    @Override
    public void launch(Kernel kernel, LaunchConfig config, KernelArgs args) {
        String key = kernel.name() + " grid=" + config.gridX() + "x" + config.gridY() + "x" + config.gridZ() + " block="
                + config.block();
        timed(key, () -> inner.launch(kernel, config, args));
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public int multiprocessors() {
        return inner.multiprocessors();
    }

    @Override
    public int computeCapability() {
        return inner.computeCapability();
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public VendorGemm vendorGemm() {
        VendorGemm g = inner.vendorGemm();
        return g == null ? null : new VendorGemm() {
            @Override
            public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                             long strideA, long b, int ldb, long strideB, float beta, long c, int ldc, long strideC,
                             int batch) {
                timed(g.name() + " gemm " + m + "x" + n + "x" + k + " batch " + batch, () -> g.gemm(transA, transB, m,
                        n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch));
            }

            @Override
            public String name() {
                return g.name();
            }
        };
    }

    @Override
    public VendorConv vendorConv() {
        VendorConv v = inner.vendorConv();
        return v == null ? null : new VendorConv() {
            @Override
            public Plan plan(Direction direction, ConvGeometry g, boolean tf32) {
                return v.plan(direction, g, tf32);
            }

            @Override
            public void forward(Plan plan, long x, long w, long y, long workspace) {
                timed(key(plan), () -> v.forward(plan, x, w, y, workspace));
            }

            @Override
            public void backwardData(Plan plan, long dy, long w, long dx, long workspace) {
                timed(key(plan), () -> v.backwardData(plan, dy, w, dx, workspace));
            }

            @Override
            public void backwardFilter(Plan plan, long x, long dy, float beta, long dw, long workspace) {
                timed(key(plan), () -> v.backwardFilter(plan, x, dy, beta, dw, workspace));
            }

            @Override
            public void addBias(Plan plan, long bias, long out) {
                timed(v.name() + " addBias", () -> v.addBias(plan, bias, out));
            }

            @Override
            public String name() {
                return v.name();
            }

            private String key(Plan plan) {
                return v.name() + " " + plan.direction().call() + " " + plan.geometry();
            }
        };
    }
}
