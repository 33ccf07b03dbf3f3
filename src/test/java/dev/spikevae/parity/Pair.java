package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The same tensor on the CPU (reference) and on the backend under test, and comparisons of results. */
record Pair(Tensor cpu, Tensor gpu) {

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
        if (bad > 0) {
            fail(what + ": " + bad + " of " + a.length + " elements differ beyond rtol " + rtol + ", atol " + atol + " ("
                    + first + "; worst difference " + worst + ")");
        }
    }

    void assertEqual(String what) {
        assertClose(what, 0, 0);
    }
}
