package dev.spikevae.parity;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The parity cases themselves, run where no GPU is needed: every case with a second CPU backend in the
 * CUDA backend's place must pass (the CPU is thread-count invariant), so the cases are well formed and
 * their checks only fail on real differences; a corrupted result is caught; the ESVAE step runs.
 */
class ParityCasesSelfTest {

    @Test
    void everyCasePassesCpuAgainstCpu() {
        Backend reference = new CpuBackend(2);
        Backend other = new CpuBackend(1);
        for (Map.Entry<String, ParityCases.Case> e : ParityCases.all().entrySet()) {
            try (MemoryScope scope = MemoryScope.open()) {
                e.getValue().run(reference, other, new Rng(e.getKey().hashCode()));
            }
        }
    }

    @Test
    void aWrongResultIsCaught() {
        Backend a = new CpuBackend(1);
        try (MemoryScope scope = MemoryScope.open()) {
            Pair p = Pair.of(a, a, new float[] {1f, 2f, 3f}, 3);
            Pair q = new Pair(p.cpu(), a.fromHost(new float[] {1f, 2f, 3.001f}, 3));
            assertThrows(AssertionError.class, () -> q.assertEqual("off by 1e-3"));
            assertThrows(AssertionError.class, () -> q.assertClose("off by 1e-3", 1e-5, 1e-5));
            q.assertClose("within 1e-3", 1e-3, 0);
        }
    }

    @Test
    void bitwiseDifferencesAreCountedInUlps() {
        float[] a = {1f, -2f, Float.NaN, 0f, 5f};
        float[] b = {1f, Math.nextDown(Math.nextDown(-2f)), Float.NaN, -0f, 5f};
        assertEquals("2 of 5 elements differ in their bits (at most 2 ulp)", Pair.bitwise(a, b));
        assertEquals("0 of 5 elements differ in their bits", Pair.bitwise(a, a.clone()));
    }

    @Test
    void theEsvaeStepIsDeterministicOnTheCpu() {
        assertArrayEquals(EsvaeStepParityTest.losses(new CpuBackend(1)), EsvaeStepParityTest.losses(new CpuBackend(2)));
    }
}
