package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The same tensor on the CPU (reference) and on the backend under test, and comparisons of results. */
record Pair(Tensor cpu, Tensor gpu) {
    /**
     * Where each comparison on this thread also reports how many elements differ in their bits, and by how many
     * ulps at most (the GPU against the emulator, which run the same kernels), or unset.
     */
    static final ThreadLocal<java.util.function.Consumer<String>> BITWISE_REPORT = new ThreadLocal<>();

    static Pair of(Backend cpu, Backend gpu, float[] host, int... dims) {
        return new Pair(cpu.fromHost(host, dims), gpu.fromHost(host, dims));
    }

    static Pair empty(Backend cpu, Backend gpu, DType dtype, int... dims) {
        return new Pair(cpu.empty(Shape.of(dims), dtype), gpu.empty(Shape.of(dims), dtype));
    }

    static Pair empty(Backend cpu, Backend gpu, int... dims) {
        return empty(cpu, gpu, DType.F32, dims);
    }

    /** A NaN-filled output, so an element a kernel forgets to write shows up. */
    static Pair nan(Backend cpu, Backend gpu, int... dims) {
        Pair p = empty(cpu, gpu, dims);
        cpu.fill(p.cpu, Float.NaN);
        gpu.fill(p.gpu, Float.NaN);
        return p;
    }

    /** Every element within {@code atol + rtol * |cpu|} (0, 0: bitwise equal up to NaN = NaN). */
    void assertClose(String what, double rtol, double atol) {
        float[] a = cpu.toHost();
        float[] b = gpu.toHost();
        assertEquals(a.length, b.length, what);
        int bad = 0;
        String first = null;
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            boolean ok = (Float.isNaN(a[i]) && Float.isNaN(b[i])) || a[i] == b[i]
                    || Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(a[i]);
            if (!ok) {
                if (first == null) {
                    first = "element " + i + ": cpu " + a[i] + ", cuda " + b[i];
                }
                bad++;
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
        }
        java.util.function.Consumer<String> report = BITWISE_REPORT.get();
        if (report != null) {
            report.accept(what + ": " + bitwise(a, b));
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + a.length + " elements differ beyond rtol " + rtol + ", atol " + atol + " ("
                    + first + "; worst difference " + worst + ")");
        }
    }

    /** "3 of 301 elements differ in their bits (at most 1 ulp)"; NaN equals NaN. */
    static String bitwise(float[] a, float[] b) {
        int differ = 0;
        long ulps = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                differ++;
                ulps = Math.max(ulps, Math.abs(ordered(a[i]) - ordered(b[i])));
            }
        }
        return differ + " of " + a.length + " elements differ in their bits" + (differ > 0 ? " (at most " + ulps + " ulp)" : "");
    }

    /** Float bits as a number line: neighbouring floats are neighbouring integers. */
    private static long ordered(float v) {
        int bits = Float.floatToIntBits(v);
        return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
    }

    void assertEqual(String what) {
        assertClose(what, 0, 0);
    }
}
