package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;

/**
 * Every op of the backend op set on the CUDA backend against the CPU backend (cases in
 * {@link ParityCases}). Runs where a GPU is usable; elsewhere every case is reported as skipped with the
 * probe's reason.
 */
class CudaParityTest {

    @TestFactory
    List<DynamicTest> everyOpMatchesTheCpu() {
        return ParityCases.all().entrySet().stream().map(this::test).toList();
    }

    private DynamicTest test(Map.Entry<String, ParityCases.Case> e) {
        return DynamicTest.dynamicTest(e.getKey(), () -> {
            Backend gpu = CudaUnderTest.gpuOrSkip();
            try (MemoryScope scope = MemoryScope.open()) {
                e.getValue().run(CudaUnderTest.cpu(), gpu, new Rng(e.getKey().hashCode()));
                System.out.println("PARITY " + e.getKey() + " pass");
            } catch (AssertionError | RuntimeException failure) {
                // one line per op for ci/gpu-check.sh's table
                System.out.println("PARITY " + e.getKey() + " FAIL: " + String.valueOf(failure.getMessage()).lines()
                        .findFirst().orElse(""));
                throw failure;
            }
        });
    }
}
