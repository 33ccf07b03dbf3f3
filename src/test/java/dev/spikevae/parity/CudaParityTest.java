package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Every op of the backend op set on the CUDA backend against the CPU backend (cases in {@link ParityCases}), and
 * the own SGEMM on TF32 tensor cores within its tolerance. Runs on a GPU, else on the emulated device (see
 * {@link CudaUnderTest}); each case prints one {@code PARITY} line for ci/gpu-check.sh's table.
 * {@code -Dspikevae.parity.cases=kGemm,kUnary} runs only the named cases (the GPU check's smoke stage).
 */
class CudaParityTest {
    static final String CASES_PROPERTY = "spikevae.parity.cases";

    @TestFactory
    List<DynamicTest> everyOpMatchesTheCpu() {
        Map<String, Map.Entry<ParityCases.Case, Supplier<Backend>>> cases = new LinkedHashMap<>();
        ParityCases.all().forEach((name, c) -> cases.put(name, Map.entry(c, CudaUnderTest::gpuOrSkip)));
        ParityCases.tensorCoreCases().forEach((name, c) -> cases.put(name, Map.entry(c, CudaUnderTest::tf32OrSkip)));
        String only = System.getProperty(CASES_PROPERTY, "").trim();
        if (!only.isEmpty()) {
            Set<String> wanted = Arrays.stream(only.split(",")).map(String::trim).collect(Collectors.toSet());
            cases.keySet().retainAll(wanted);
        }
        return cases.entrySet().stream()
                .map(e -> test(e.getKey(), e.getValue().getKey(), e.getValue().getValue()))
                .toList();
    }

    private DynamicTest test(String name, ParityCases.Case c, Supplier<Backend> backend) {
        return DynamicTest.dynamicTest(name, () -> {
            Backend gpu = backend.get();
            try (MemoryScope scope = MemoryScope.open()) {
                c.run(CudaUnderTest.cpu(), gpu, new Rng(name.hashCode()));
                System.out.println("PARITY " + name + " pass (" + CudaUnderTest.label() + ")");
            } catch (AssertionError | RuntimeException failure) {
                // one line per op for ci/gpu-check.sh's table
                System.out.println("PARITY " + name + " FAIL (" + CudaUnderTest.label() + "): "
                        + String.valueOf(failure.getMessage()).lines().findFirst().orElse(""));
                throw failure;
            }
        });
    }
}
