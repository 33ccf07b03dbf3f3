package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parity suite covers the whole op set: every kernel method of {@link Backend} (each public op calls
 * exactly one) has a parity case, and no case names a method that does not exist. Runs everywhere.
 */
class ParityCoverageTest {

    static Set<String> kernelMethods() {
        Set<String> out = new TreeSet<>();
        for (Method m : Backend.class.getDeclaredMethods()) {
            // every kernel method, abstract or with a portable default that a backend may override
            if (Modifier.isProtected(m.getModifiers()) && m.getName().startsWith("k") && !m.isSynthetic()) {
                out.add(m.getName());
            }
        }
        return out;
    }

    @Test
    void everyBackendOpHasAParityCase() {
        Set<String> ops = kernelMethods();
        assertTrue(ops.size() >= 30, "found only " + ops.size() + " kernel methods: " + ops);
        Set<String> missing = new TreeSet<>(ops);
        missing.removeAll(ParityCases.all().keySet());
        assertTrue(missing.isEmpty(), "Backend ops without a CUDA parity case: " + missing);
        Set<String> unknown = new TreeSet<>(ParityCases.all().keySet());
        unknown.removeAll(ops);
        assertTrue(unknown.isEmpty(), "parity cases for no Backend op: " + unknown);
        assertEquals(ops, new TreeSet<>(ParityCases.all().keySet()));
    }

    @Test
    void everyPublicOpReachesAKernelMethod() {
        // The op set is the abstract k-methods; a public op that skipped them would escape the coverage above.
        int abstractNonKernel = 0;
        for (Method m : Backend.class.getDeclaredMethods()) {
            if (Modifier.isAbstract(m.getModifiers()) && !m.getName().startsWith("k")) {
                abstractNonKernel++;
            }
        }
        assertEquals(4, abstractNonKernel, "name, description, threads, allocate");
    }
}
